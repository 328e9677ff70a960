// Flavors: GET /flavors and /flavors/detail (minRam, minDisk, is_public,
// sort_key/sort_dir, limit/marker with flavors_links), GET /flavors/{id},
// os-flavor-manage (POST, PUT from 2.55, DELETE) and os-flavor-extra-specs;
// os-flavor-access is in flavor_access.go.
//
// Fidelity limits: Nova's internal id, created_at
// and updated_at sort as the flavor ID; extra spec names are not validated
// against Nova's registry (2.86).

package compute

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the flavor API (flavors, os-flavor-manage and
// os-flavor-extra-specs).
const (
	OpListFlavors            = "compute.flavors.list"
	OpListFlavorDetail       = "compute.flavors.detail"
	OpGetFlavor              = "compute.flavors.get"
	OpCreateFlavor           = "compute.flavors.create"
	OpUpdateFlavor           = "compute.flavors.update"
	OpDeleteFlavor           = "compute.flavors.delete"
	OpListFlavorExtraSpecs   = "compute.flavors.extraspecs.list"
	OpCreateFlavorExtraSpecs = "compute.flavors.extraspecs.create"
	OpGetFlavorExtraSpec     = "compute.flavors.extraspecs.get"
	OpUpdateFlavorExtraSpec  = "compute.flavors.extraspecs.update"
	OpDeleteFlavorExtraSpec  = "compute.flavors.extraspecs.delete"
)

func (c *Compute) flavorRoutes() []kit.Route {
	return []kit.Route{
		route(OpListFlavors, "GET", "/flavors", c.listFlavors),
		route(OpListFlavorDetail, "GET", "/flavors/detail", c.listFlavorDetail),
		route(OpCreateFlavor, "POST", "/flavors", c.createFlavor),
		route(OpGetFlavor, "GET", "/flavors/{flavor_id}", c.getFlavor),
		route(OpUpdateFlavor, "PUT", "/flavors/{flavor_id}", c.updateFlavor),
		route(OpDeleteFlavor, "DELETE", "/flavors/{flavor_id}", c.deleteFlavor),
		route(OpListFlavorExtraSpecs, "GET", "/flavors/{flavor_id}/os-extra_specs", c.listExtraSpecs),
		route(OpCreateFlavorExtraSpecs, "POST", "/flavors/{flavor_id}/os-extra_specs", c.createExtraSpecs),
		route(OpGetFlavorExtraSpec, "GET", "/flavors/{flavor_id}/os-extra_specs/{key}", c.getExtraSpec),
		route(OpUpdateFlavorExtraSpec, "PUT", "/flavors/{flavor_id}/os-extra_specs/{key}", c.updateExtraSpec),
		route(OpDeleteFlavorExtraSpec, "DELETE", "/flavors/{flavor_id}/os-extra_specs/{key}", c.deleteExtraSpec),
	}
}

// Flavors.

// flavorVisible is Nova's flavor query for a caller: admins see every
// flavor, others public ones and the private ones their project was
// given access to (os-flavor-access).
func flavorVisible(call *kit.Call, f *Flavor) bool {
	return f.IsPublic || adminAllowed(call) || slices.Contains(f.Projects, callerOf(call).projectID)
}

// flavorLocked finds a flavor the caller may see.
func (c *Compute) flavorLocked(call *kit.Call) (*Flavor, error) {
	id := call.Var("flavor_id")
	f, ok := c.flavors[id]
	if !ok || !flavorVisible(call, f) {
		return nil, kit.NotFound("Flavor %s could not be found.", id)
	}
	return f, nil
}

// flavorBriefJSON is a flavor in GET /flavors.
type flavorBriefJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Links       []link `json:"links"`
	Description any    `json:"description,omitempty"` // 2.55, null when empty
}

// flavorJSON is a flavor in full: GET /flavors/detail and /flavors/{id}.
type flavorJSON struct {
	flavorBriefJSON
	RAM        int                `json:"ram"`
	Disk       int                `json:"disk"`
	VCPUs      int                `json:"vcpus"`
	Ephemeral  int                `json:"OS-FLV-EXT-DATA:ephemeral"`
	Disabled   *bool              `json:"OS-FLV-DISABLED:disabled,omitempty"` // gone from 2.102
	IsPublic   bool               `json:"os-flavor-access:is_public"`
	RxTxFactor any                `json:"rxtx_factor,omitempty"` // a number, or "" for none; gone from 2.102
	Swap       any                `json:"swap"`                  // a number; "" for none before 2.75
	ExtraSpecs *map[string]string `json:"extra_specs,omitempty"`
}

type flavorBody struct {
	Flavor flavorJSON `json:"flavor"`
}

// flavorBrief renders a flavor as Nova's flavor view does for GET /flavors.
func flavorBrief(call *kit.Call, f *Flavor) flavorBriefJSON {
	out := flavorBriefJSON{ID: f.ID, Name: f.Name, Links: links(call, callerOf(call).projectID, "flavors", f.ID)}
	if versionOf(call).AtLeast(55) {
		out.Description = nullOr(f.Description)
	}
	return out
}

// flavorDetail renders a flavor in full at the request's microversion.
func flavorDetail(call *kit.Call, f *Flavor) flavorJSON {
	v := versionOf(call)
	out := flavorJSON{flavorBriefJSON: flavorBrief(call, f), RAM: f.RAM, Disk: f.Disk, VCPUs: f.VCPUs,
		Ephemeral: f.Ephemeral, IsPublic: f.IsPublic, Swap: f.Swap}
	if !v.AtLeast(102) {
		out.Disabled, out.RxTxFactor = ptr(f.Disabled), f.RxTxFactor
		if f.RxTxFactor == 0 {
			out.RxTxFactor = ""
		}
	}
	if f.Swap == 0 && !v.AtLeast(75) {
		out.Swap = ""
	}
	if v.AtLeast(61) {
		specs := maps.Clone(nonNilMap(f.ExtraSpecs))
		out.ExtraSpecs = &specs
	}
	return out
}

// flavorSortKeys are the sort_key values Nova accepts, with the order
// each gives. Nova's internal autoincrement id, created_at and updated_at
// are not modeled; they sort as the flavor ID.
var flavorSortKeys = map[string]func(a, b *Flavor) int{
	"created_at":   func(a, b *Flavor) int { return 0 },
	"updated_at":   func(a, b *Flavor) int { return 0 },
	"id":           func(a, b *Flavor) int { return 0 },
	"flavorid":     func(a, b *Flavor) int { return 0 },
	"vcpu_weight":  func(a, b *Flavor) int { return 0 },
	"description":  func(a, b *Flavor) int { return strings.Compare(a.Description, b.Description) },
	"name":         func(a, b *Flavor) int { return strings.Compare(a.Name, b.Name) },
	"disabled":     func(a, b *Flavor) int { return cmpBool(a.Disabled, b.Disabled) },
	"is_public":    func(a, b *Flavor) int { return cmpBool(a.IsPublic, b.IsPublic) },
	"ephemeral_gb": func(a, b *Flavor) int { return cmpInt(a.Ephemeral, b.Ephemeral) },
	"memory_mb":    func(a, b *Flavor) int { return cmpInt(a.RAM, b.RAM) },
	"root_gb":      func(a, b *Flavor) int { return cmpInt(a.Disk, b.Disk) },
	"swap":         func(a, b *Flavor) int { return cmpInt(a.Swap, b.Swap) },
	"vcpus":        func(a, b *Flavor) int { return cmpInt(a.VCPUs, b.VCPUs) },
	"rxtx_factor": func(a, b *Flavor) int {
		switch {
		case a.RxTxFactor < b.RxTxFactor:
			return -1
		case a.RxTxFactor > b.RxTxFactor:
			return 1
		}
		return 0
	},
}

var flavorSortKeyNames = []string{
	"created_at", "description", "disabled", "ephemeral_gb", "flavorid", "id",
	"is_public", "memory_mb", "name", "root_gb", "rxtx_factor", "swap",
	"updated_at", "vcpu_weight", "vcpus",
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// flavorList is GET /flavors's answer.
type flavorList[T any] struct {
	Flavors []T    `json:"flavors"`
	Links   []link `json:"flavors_links,omitempty"`
}

func (c *Compute) listFlavors(call *kit.Call) (kit.Reply, error) {
	return listFlavorsAs(c, call, "flavors", flavorBrief)
}

func (c *Compute) listFlavorDetail(call *kit.Call) (kit.Reply, error) {
	return listFlavorsAs(c, call, "flavors/detail", flavorDetail)
}

// flavorQuery is a parsed GET /flavors query.
type flavorQuery struct {
	limit            int
	sortKey, sortDir string
	admin            bool
	public           *bool // nil: public and private
	minRAM, minDisk  int
	marker           string
	hasMarker        bool
	name             *regexp.Regexp // 2.102: a regex, as Nova's DB filter
}

// parseFlavorQuery applies Nova's query schema and filters: only admins
// choose is_public (absent means public only, "none" both).
func parseFlavorQuery(call *kit.Call) (flavorQuery, error) {
	fq := flavorQuery{admin: adminAllowed(call), public: ptr(true), minRAM: -1, minDisk: -1}
	allowed := []string{"limit", "marker", "is_public", "minRam", "minDisk", "sort_key", "sort_dir"}
	if versionOf(call).AtLeast(102) {
		allowed = append(allowed, "name")
	}
	if err := rejectUnknownQuery(call, 75, allowed...); err != nil {
		return fq, err
	}
	q := call.Query()
	if raw, ok := q["name"]; ok && versionOf(call).AtLeast(102) {
		re, rerr := regexp.Compile(raw[0])
		if rerr != nil {
			return fq, kit.BadRequest("Invalid input for query parameters name. Value: %s. %v", raw[0], rerr)
		}
		fq.name = re
	}
	limit, given, err := queryInt(call, "limit", 0)
	if err != nil {
		return fq, err
	}
	fq.limit = pageSize(limit, given)
	fq.sortKey, fq.sortDir = cmp.Or(q.Get("sort_key"), "flavorid"), cmp.Or(q.Get("sort_dir"), "asc")
	if _, ok := flavorSortKeys[fq.sortKey]; !ok {
		return fq, kit.BadRequest("Invalid input for query parameters sort_key. Value: %s. '%s' is not one of %s", fq.sortKey, fq.sortKey, quotedList(flavorSortKeyNames))
	}
	if fq.sortDir != "asc" && fq.sortDir != "desc" {
		return fq, kit.BadRequest("Invalid input for query parameters sort_dir. Value: %s. '%s' is not one of ['asc', 'desc']", fq.sortDir, fq.sortDir)
	}
	if raw, ok := q["is_public"]; ok && fq.admin {
		if fq.public, err = isPublicFilter(raw[0]); err != nil {
			return fq, err
		}
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"minRam", &fq.minRAM}, {"minDisk", &fq.minDisk}} {
		if raw, ok := q[p.name]; ok {
			n, perr := strconv.Atoi(strings.TrimSpace(raw[0]))
			if perr != nil {
				return fq, kit.BadRequest("Invalid %s filter [%s]", p.name, raw[0])
			}
			*p.dst = n
		}
	}
	fq.marker, fq.hasMarker = q.Get("marker"), q.Has("marker")
	return fq, nil
}

// isPublicFilter is an admin's is_public: a boolean, or "none" for both.
func isPublicFilter(raw string) (*bool, error) {
	if strings.EqualFold(raw, "none") {
		return nil, nil
	}
	b, ok := parseBoolString(raw)
	if !ok {
		return nil, kit.BadRequest("Invalid is_public filter [%s]", raw)
	}
	return &b, nil
}

// matches reports whether a flavor passes the filters.
func (fq *flavorQuery) matches(f *Flavor) bool {
	return (fq.public == nil || f.IsPublic == *fq.public) && (fq.admin || !f.Disabled) &&
		f.RAM >= fq.minRAM && f.Disk >= fq.minDisk && (fq.name == nil || fq.name.MatchString(f.Name))
}

// listFlavorsAs answers one page of flavors, in the order asked for, each
// rendered by render.
func listFlavorsAs[T any](c *Compute, call *kit.Call, collection string, render func(*kit.Call, *Flavor) T) (kit.Reply, error) {
	fq, err := parseFlavorQuery(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	page, err := c.flavorPageLocked(call, fq)
	if err != nil {
		return kit.Reply{}, err
	}
	body := flavorList[T]{Flavors: make([]T, 0, len(page))}
	for _, f := range page {
		body.Flavors = append(body.Flavors, render(call, f))
	}
	if len(page) > 0 {
		body.Links = nextLinks(call, collection, len(page), page[len(page)-1].ID)
	}
	return kit.OK(body), nil
}

// flavorPageLocked is one page of the flavors the caller sees that match.
func (c *Compute) flavorPageLocked(call *kit.Call, fq flavorQuery) ([]*Flavor, error) {
	all := make([]*Flavor, 0, len(c.flavors))
	for _, f := range c.flavors {
		if flavorVisible(call, f) {
			all = append(all, f)
		}
	}
	by := flavorSortKeys[fq.sortKey]
	sort.Slice(all, func(i, j int) bool {
		d := by(all[i], all[j])
		if d == 0 {
			d = strings.Compare(all[i].ID, all[j].ID)
		}
		if fq.sortDir == "desc" {
			return d > 0
		}
		return d < 0
	})
	start := 0
	if fq.hasMarker {
		var ok bool
		if start, ok = afterMarker(all, func(f *Flavor) string { return f.ID }, fq.marker); !ok {
			return nil, kit.BadRequest("marker [%s] not found", fq.marker)
		}
	}
	var page []*Flavor
	for _, f := range all[start:] {
		if len(page) >= fq.limit {
			break
		}
		if fq.matches(f) {
			page = append(page, f)
		}
	}
	return page, nil
}

func (c *Compute) getFlavor(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.flavorLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(flavorBody{Flavor: flavorDetail(call, f)}), nil
}

var (
	flavorIDPattern   = regexp.MustCompile(`^[a-zA-Z0-9. _-]+$`)
	flavorSizePattern = regexp.MustCompile(`^[0-9]+$`)
	rxtxPattern       = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
)

func (c *Compute) createFlavor(call *kit.Call) (kit.Reply, error) {
	v := versionOf(call)
	allowed := map[string]bool{
		"name": true, "id": true, "ram": true, "vcpus": true, "disk": true,
		"OS-FLV-EXT-DATA:ephemeral": true, "swap": true, "rxtx_factor": true, "os-flavor-access:is_public": true,
	}
	if v.AtLeast(55) {
		allowed["description"] = true
	}
	if v.AtLeast(102) {
		delete(allowed, "rxtx_factor") // schema create_v2102
	}
	m, err := membersOf(call, "flavor", allowed)
	if err != nil {
		return kit.Reply{}, err
	}
	f, err := c.parseFlavorCreate(m, v)
	if err != nil {
		return kit.Reply{}, err
	}
	if !adminAllowed(call) {
		return kit.Reply{}, policyDenied("os_compute_api:os-flavor-manage:create")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.ID == "" {
		f.ID = c.RNG().UUID()
	}
	if _, dup := c.flavors[f.ID]; dup {
		return kit.Reply{}, kit.Conflict("Flavor with ID %s already exists.", f.ID)
	}
	for _, other := range c.flavors {
		if other.Name == f.Name {
			return kit.Reply{}, kit.Conflict("Flavor with name %s already exists.", f.Name)
		}
	}
	stored := f
	c.flavors[f.ID] = &stored
	return kit.OK(flavorBody{Flavor: flavorDetail(call, &stored)}), nil
}

// parseFlavorCreate applies Nova's create schema and flavors.create checks.
func (c *Compute) parseFlavorCreate(m map[string]json.RawMessage, v microversion) (Flavor, error) {
	f := Flavor{RxTxFactor: 1, IsPublic: true}
	for _, req := range []string{"name", "ram", "vcpus", "disk"} {
		if _, ok := m[req]; !ok {
			return f, kit.BadRequest("Invalid input for field/attribute flavor. Value: %s. '%s' is a required property", compactMembers(m), req)
		}
	}
	var name string
	if json.Unmarshal(m["name"], &name) != nil {
		return f, kit.BadRequest("Invalid input for field/attribute name. Value: %s. %s is not of type 'string'", pyValue(m["name"]), pyRepr(m["name"]))
	}
	if err := validNovaName("name", name); err != nil {
		return f, err
	}
	f.Name = strings.TrimSpace(name)
	if raw, ok := m["id"]; ok && string(raw) != "null" {
		var id string
		var num json.Number
		switch {
		case json.Unmarshal(raw, &id) == nil:
		case json.Unmarshal(raw, &num) == nil:
			id = num.String()
		default:
			return f, kit.BadRequest("Invalid input for field/attribute id. Value: %s. %s is not of type 'string', 'number', 'null'", pyValue(raw), pyRepr(raw))
		}
		switch {
		case id == "":
			return f, kit.BadRequest("Invalid input for field/attribute id. Value: . '' is too short")
		case len(id) > 255:
			return f, kit.BadRequest("Invalid input for field/attribute id. Value: %s. '%s' is too long", id, id)
		case !flavorIDPattern.MatchString(id) || strings.HasPrefix(id, " ") || strings.HasSuffix(id, " "):
			return f, kit.BadRequest("Invalid input for field/attribute id. Value: %s. '%s' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'", id, id)
		}
		f.ID = id
	}
	sizes := []struct {
		field string
		dst   *int
		min   int64
	}{{"ram", &f.RAM, 1}, {"vcpus", &f.VCPUs, 1}, {"disk", &f.Disk, 0}, {"OS-FLV-EXT-DATA:ephemeral", &f.Ephemeral, 0}, {"swap", &f.Swap, 0}}
	for _, s := range sizes {
		raw, ok := m[s.field]
		if !ok {
			continue
		}
		n, err := schemaInt(s.field, raw, flavorSizePattern, s.min, maxDBInt)
		if err != nil {
			return f, err
		}
		*s.dst = int(n)
	}
	if raw, ok := m["rxtx_factor"]; ok {
		var s string
		var x float64
		switch {
		case json.Unmarshal(raw, &s) == nil:
			if !rxtxPattern.MatchString(s) {
				return f, kit.BadRequest("Invalid input for field/attribute rxtx_factor. Value: %s. '%s' does not match '^[0-9]+(\\\\.[0-9]+)?$'", s, s)
			}
			x, _ = strconv.ParseFloat(s, 64)
		case json.Unmarshal(raw, &x) == nil:
		default:
			return f, kit.BadRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is not of type 'number', 'string'", pyValue(raw), pyRepr(raw))
		}
		if x <= 0 {
			return f, kit.BadRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is less than or equal to the minimum of 0", pyValue(raw), pyValue(raw))
		}
		if x > 3.40282e+38 {
			return f, kit.BadRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is greater than the maximum of 3.40282e+38", pyValue(raw), pyValue(raw))
		}
		f.RxTxFactor = x
	}
	if raw, ok := m["os-flavor-access:is_public"]; ok {
		b, err := schemaBool("os-flavor-access:is_public", raw)
		if err != nil {
			return f, err
		}
		f.IsPublic = b
	}
	if raw, ok := m["description"]; ok && v.AtLeast(55) {
		d, err := flavorDescription(raw)
		if err != nil {
			return f, err
		}
		f.Description = d
	}
	return f, nil
}

// flavorDescription validates the 2.55 description: a string (or null) of
// at most 65535 printable characters.
func flavorDescription(raw json.RawMessage) (string, error) {
	if string(raw) == "null" {
		return "", nil
	}
	var d string
	if json.Unmarshal(raw, &d) != nil {
		return "", kit.BadRequest("Invalid input for field/attribute description. Value: %s. %s is not of type 'string', 'null'", pyValue(raw), pyRepr(raw))
	}
	if len([]rune(d)) > 65535 {
		return "", kit.BadRequest("Invalid input for field/attribute description. Value: %s. '%s' is too long", d, d)
	}
	for _, ch := range d {
		if ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' || ch == 0x7f {
			return "", kit.BadRequest("Invalid input for field/attribute description. Value: %s. '%s' does not match the description pattern", d, d)
		}
	}
	return d, nil
}

func (c *Compute) updateFlavor(call *kit.Call) (kit.Reply, error) {
	if !versionOf(call).AtLeast(55) {
		return kit.Reply{}, kit.NotFound("The resource could not be found.")
	}
	m, err := membersOf(call, "flavor", map[string]bool{"description": true})
	if err != nil {
		return kit.Reply{}, err
	}
	raw, ok := m["description"]
	if !ok {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute flavor. Value: %s. 'description' is a required property", compactMembers(m))
	}
	desc, err := flavorDescription(raw)
	if err != nil {
		return kit.Reply{}, err
	}
	if !adminAllowed(call) {
		return kit.Reply{}, policyDenied("os_compute_api:os-flavor-manage:update")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.flavorLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	f.Description = desc
	return kit.OK(flavorBody{Flavor: flavorDetail(call, f)}), nil
}

func (c *Compute) deleteFlavor(call *kit.Call) (kit.Reply, error) {
	if !adminAllowed(call) {
		return kit.Reply{}, policyDenied("os_compute_api:os-flavor-manage:delete")
	}
	id := call.Var("flavor_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.flavors[id]
	delete(c.flavors, id)
	if !ok {
		return kit.Reply{}, kit.NotFound("Flavor %s could not be found.", id)
	}
	return kit.Status(http.StatusAccepted), nil
}

// Extra specs.

// extraSpecsBody is {"extra_specs": {...}}: the stored values (strings),
// or the members as sent (which Nova echoes).
type extraSpecsBody[V any] struct {
	ExtraSpecs map[string]V `json:"extra_specs"`
}

func (c *Compute) listExtraSpecs(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.flavorLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(extraSpecsBody[string]{ExtraSpecs: maps.Clone(nonNilMap(f.ExtraSpecs))}), nil
}

// parseExtraSpecs validates an extra-specs object (field names the
// object in messages; "" for a top-level body): keys of the metadata key pattern, values strings or
// numbers of at most 255 characters. It returns the values as Nova stores
// them (strings) and the members as sent, which Nova echoes.
func parseExtraSpecs(field string, raw json.RawMessage) (map[string]string, map[string]json.RawMessage, error) {
	invalid := func(value, msg string) error {
		if field == "" {
			return kit.BadRequest("%s", msg)
		}
		return kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s", field, value, msg)
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, nil, invalid(pyValue(raw), pyRepr(raw)+" is not of type 'object'")
	}
	if msg := notAllowed(m, extraSpecKey.MatchString); msg != "" {
		return nil, nil, invalid(compactMembers(m), msg)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, isString := jsonString(v)
		var num json.Number
		switch {
		case isString:
		case !isJSONNull(v) && json.Unmarshal(v, &num) == nil:
			s = num.String()
		default:
			return nil, nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string', 'number'", k, pyValue(v), pyRepr(v))
		}
		if len([]rune(s)) > 255 {
			return nil, nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is too long", k, s, s)
		}
		out[k] = s
	}
	return out, m, nil
}

func (c *Compute) createExtraSpecs(call *kit.Call) (kit.Reply, error) {
	body := call.Body
	var top map[string]json.RawMessage
	if ferr := kit.DecodeJSON(body, &top, kit.DecodeOptions{}); ferr != nil {
		return kit.Reply{}, ferr
	}
	raw, ok := top["extra_specs"]
	if !ok {
		return kit.Reply{}, kit.BadRequest("'extra_specs' is a required property")
	}
	for k := range top {
		if k != "extra_specs" {
			return kit.Reply{}, kit.BadRequest("Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	specs, echo, ferr := parseExtraSpecs("extra_specs", raw)
	if ferr != nil {
		return kit.Reply{}, ferr
	}
	if !adminAllowed(call) {
		return kit.Reply{}, policyDenied("os_compute_api:os-flavor-extra-specs:create")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ferr := c.flavorLocked(call)
	if ferr != nil {
		return kit.Reply{}, ferr
	}
	if f.ExtraSpecs == nil {
		f.ExtraSpecs = map[string]string{}
	}
	for k, v := range specs {
		f.ExtraSpecs[k] = v
	}
	return kit.OK(extraSpecsBody[json.RawMessage]{ExtraSpecs: echo}), nil
}

func (c *Compute) getExtraSpec(call *kit.Call) (kit.Reply, error) {
	key := call.Var("key")
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.flavorLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	val, ok := f.ExtraSpecs[key]
	if !ok {
		return kit.Reply{}, kit.NotFound("Flavor %s has no extra specs with key %s.", f.ID, key)
	}
	// One spec is answered as {"<key>": "<value>"}.
	return kit.OK(map[string]string{key: val}), nil
}

func (c *Compute) updateExtraSpec(call *kit.Call) (kit.Reply, error) {
	key := call.Var("key")
	body := call.Body
	var probe any
	if err := kit.DecodeJSON(body, &probe, kit.DecodeOptions{}); err != nil {
		return kit.Reply{}, err
	}
	specs, echo, err := parseExtraSpecs("", body)
	if err == nil && len(specs) == 0 {
		err = kit.BadRequest("{} does not have enough properties")
	}
	if err == nil && len(specs) > 1 {
		err = kit.BadRequest("%s has too many properties", compactMembers(echo))
	}
	if err == nil && !adminAllowed(call) {
		err = policyDenied("os_compute_api:os-flavor-extra-specs:update")
	}
	if _, ok := specs[key]; err == nil && !ok {
		err = kit.BadRequest("Request body and URI mismatch")
	}
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.flavorLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if f.ExtraSpecs == nil {
		f.ExtraSpecs = map[string]string{}
	}
	f.ExtraSpecs[key] = specs[key]
	return kit.OK(echo), nil
}

func (c *Compute) deleteExtraSpec(call *kit.Call) (kit.Reply, error) {
	if !adminAllowed(call) {
		return kit.Reply{}, policyDenied("os_compute_api:os-flavor-extra-specs:delete")
	}
	key := call.Var("key")
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.flavorLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if _, ok := f.ExtraSpecs[key]; !ok {
		return kit.Reply{}, kit.NotFound("Flavor %s has no extra specs with key %s.", f.ID, key)
	}
	delete(f.ExtraSpecs, key)
	// Nova answers 200 with no body (gophercloud expects exactly 200).
	return kit.Status(http.StatusOK), nil
}
