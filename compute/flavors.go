// Flavors: GET /flavors and /flavors/detail (minRam, minDisk, is_public,
// sort_key/sort_dir, limit/marker with flavors_links), GET /flavors/{id},
// os-flavor-manage (POST, PUT from 2.55, DELETE) and os-flavor-extra-specs.
//
// Fidelity limits: there are no flavor access lists (os-flavor-access), so a
// private flavor is visible to admins only; Nova's internal id, created_at
// and updated_at sort as the flavor ID; extra spec names are not validated
// against Nova's registry (2.86).

package compute

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
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

func (c *Compute) flavorRoutes() []apiRoute {
	return []apiRoute{
		{OpListFlavors, []string{"GET"}, "/flavors", c.listFlavors},
		{OpListFlavorDetail, []string{"GET"}, "/flavors/detail", c.listFlavorDetail},
		{OpCreateFlavor, []string{"POST"}, "/flavors", c.createFlavor},
		{OpGetFlavor, []string{"GET"}, "/flavors/{flavor_id}", c.getFlavor},
		{OpUpdateFlavor, []string{"PUT"}, "/flavors/{flavor_id}", c.updateFlavor},
		{OpDeleteFlavor, []string{"DELETE"}, "/flavors/{flavor_id}", c.deleteFlavor},
		{OpListFlavorExtraSpecs, []string{"GET"}, "/flavors/{flavor_id}/os-extra_specs", c.listExtraSpecs},
		{OpCreateFlavorExtraSpecs, []string{"POST"}, "/flavors/{flavor_id}/os-extra_specs", c.createExtraSpecs},
		{OpGetFlavorExtraSpec, []string{"GET"}, "/flavors/{flavor_id}/os-extra_specs/{key}", c.getExtraSpec},
		{OpUpdateFlavorExtraSpec, []string{"PUT"}, "/flavors/{flavor_id}/os-extra_specs/{key}", c.updateExtraSpec},
		{OpDeleteFlavorExtraSpec, []string{"DELETE"}, "/flavors/{flavor_id}/os-extra_specs/{key}", c.deleteExtraSpec},
	}
}

// Helpers shared by the flavor, image, keypair, limit, quota, zone and
// server group files.

// policyDenied is Nova's 403 when a policy rule refuses the caller.
func policyDenied(rule string) *fake.Error {
	return forbidden("Policy doesn't allow %s to be performed.", rule)
}

// adminAllowed reports whether an admin-only policy passes: with no token
// check every caller passes, otherwise only the admin role.
func adminAllowed(r *http.Request) bool { return !isAuthenticated(r) || callerOf(r).admin }

// rejectUnknownQuery is the additionalProperties=false query schema Nova
// applies from microversion since (2.75 for most resources).
func rejectUnknownQuery(r *http.Request, since int, allowed ...string) *fake.Error {
	if !versionOf(r).AtLeast(since) {
		return nil
	}
	return nvQueryAllowed(r, allowed)
}

var digitsOnly = regexp.MustCompile(`^[0-9]*$`)

// queryInt reads a query parameter of Nova's non_negative_integer (min 0)
// or positive_integer (min 1) schema. given is false when it is absent.
func queryInt(r *http.Request, name string, min int) (n int, given bool, err *fake.Error) {
	q := r.URL.Query()
	if _, ok := q[name]; !ok {
		return 0, false, nil
	}
	raw := q.Get(name)
	if raw == "" || !digitsOnly.MatchString(raw) {
		if raw == "" {
			return 0, true, badRequest("Invalid input for query parameters %s. Value: . '' is too short", name)
		}
		return 0, true, badRequest("Invalid input for query parameters %s. Value: %s. '%s' does not match '^[0-9]*$'", name, raw, raw)
	}
	n, perr := strconv.Atoi(raw)
	if perr != nil {
		// Digits beyond an int: Python's int takes them, and the limit
		// caps them.
		n = math.MaxInt
	}
	if n < min {
		return 0, true, badRequest("Invalid input for query parameters %s. Value: %s. %d is less than the minimum of %d", name, raw, n, min)
	}
	return n, true, nil
}

// pageSize is Nova's effective limit: the requested one capped at
// max_limit (1000), max_limit when none is asked for.
func pageSize(limit int, given bool) int {
	if !given || limit > maxLimit {
		return maxLimit
	}
	return limit
}

// nextLinks is Nova's collection "next" link: present when the page is
// exactly as long as the effective limit, pointing at the same collection
// with every query parameter kept and marker set to the page's last item.
func nextLinks(r *http.Request, collection string, count int, lastID string) []map[string]string {
	size := maxLimit
	if raw := r.URL.Query().Get("limit"); raw != "" {
		if n, err := strconv.Atoi(raw); err == nil && n < size {
			size = n
		}
	}
	if size == 0 || size != count {
		return nil
	}
	q := url.Values{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			q.Set(k, vs[len(vs)-1])
		}
	}
	q.Set("marker", lastID)
	href := fake.BaseURL(r) + versionRoot(r) + "/" + mux.Vars(r)["project_id"] + "/" + collection + "?" + q.Encode()
	return []map[string]string{{"rel": "next", "href": href}}
}

// pyValue renders a JSON value as Nova's validation messages print it
// after "Value:" (Python's str of the decoded value); "None" for an
// absent one.
func pyValue(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "None"
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	}
	return string(raw)
}

// pyRepr is Python's repr of a decoded JSON value, as jsonschema messages
// quote instances: strings in single quotes.
func pyRepr(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) == nil {
		if s, ok := v.(string); ok {
			return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
		}
	}
	return pyValue(raw)
}

// schemaInt validates a member of Nova's integer-or-digit-string schemas
// (flavor sizes, quota values) and returns its value.
func schemaInt(field string, raw json.RawMessage, pattern *regexp.Regexp, min, max int64) (int64, *fake.Error) {
	invalid := func(msg string) *fake.Error {
		return badRequest("Invalid input for field/attribute %s. Value: %s. %s", field, pyValue(raw), msg)
	}
	var n int64
	var s string
	switch {
	case json.Unmarshal(raw, &s) == nil:
		if !pattern.MatchString(s) {
			return 0, invalid(fmt.Sprintf("'%s' does not match '%s'", s, pattern.String()))
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, invalid(fmt.Sprintf("%s is greater than the maximum of %d", s, max))
		}
		n = v
	default:
		var num json.Number
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if dec.Decode(&num) != nil {
			return 0, invalid(fmt.Sprintf("%s is not of type 'integer', 'string'", pyRepr(raw)))
		}
		v, err := strconv.ParseInt(num.String(), 10, 64)
		if err != nil {
			if f, ferr := num.Float64(); ferr == nil && f > float64(max) {
				return 0, invalid(fmt.Sprintf("%s is greater than the maximum of %d", num, max))
			}
			return 0, invalid(fmt.Sprintf("%s is not of type 'integer', 'string'", num))
		}
		n = v
	}
	if n < min {
		return 0, invalid(fmt.Sprintf("%d is less than the minimum of %d", n, min))
	}
	if n > max {
		return 0, invalid(fmt.Sprintf("%d is greater than the maximum of %d", n, max))
	}
	return n, nil
}

// validNovaName is parameter_types.name (the v2.1 rule of nameProblem):
// 1 to 255 printable characters, not starting or ending with whitespace.
func validNovaName(field, name string) *fake.Error {
	return nameError(field, name, nameProblem(name, false))
}

// extraSpecKey is the key pattern of Nova's metadata schemas.
var extraSpecKey = regexp.MustCompile(`^[a-zA-Z0-9-_:. ]{1,255}$`)

const maxDBInt = 0x7FFFFFFF

// Flavors.

// flavorVisible is Nova's flavor query for a caller: admins see every
// flavor, others public ones (there are no flavor access lists).
func flavorVisible(r *http.Request, f *Flavor) bool {
	return f.IsPublic || adminAllowed(r)
}

// flavorLocked finds a flavor the caller may see.
func (c *Compute) flavorLocked(r *http.Request) (*Flavor, *fake.Error) {
	id := mux.Vars(r)["flavor_id"]
	f, ok := c.flavors[id]
	if !ok || !flavorVisible(r, f) {
		return nil, notFound("Flavor %s could not be found.", id)
	}
	return f, nil
}

// flavorJSON renders a flavor as Nova's flavor view does at the request's
// microversion: the brief form for GET /flavors, the full one otherwise.
func flavorJSON(r *http.Request, f *Flavor, full bool) map[string]any {
	v := versionOf(r)
	out := map[string]any{
		"id": f.ID, "name": f.Name, "links": links(r, callerOf(r).projectID, "flavors", f.ID),
	}
	if v.AtLeast(55) {
		out["description"] = nullString(f.Description)
	}
	if !full {
		return out
	}
	out["ram"] = f.RAM
	out["disk"] = f.Disk
	out["vcpus"] = f.VCPUs
	out["OS-FLV-EXT-DATA:ephemeral"] = f.Ephemeral
	out["OS-FLV-DISABLED:disabled"] = f.Disabled
	out["os-flavor-access:is_public"] = f.IsPublic
	var rxtx any = f.RxTxFactor
	if f.RxTxFactor == 0 {
		rxtx = ""
	}
	out["rxtx_factor"] = rxtx
	var swap any = f.Swap
	if f.Swap == 0 && !v.AtLeast(75) {
		swap = ""
	}
	out["swap"] = swap
	if v.AtLeast(61) {
		out["extra_specs"] = cloneMap(nonNilMap(f.ExtraSpecs))
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

// quotedList renders values as a Python list literal, for enum messages.
func quotedList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "'" + v + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// parseBoolString is oslo's strict bool_from_string.
func parseBoolString(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "on", "y", "yes":
		return true, true
	case "0", "f", "false", "off", "n", "no":
		return false, true
	}
	return false, false
}

func (c *Compute) listFlavors(w http.ResponseWriter, r *http.Request)      { c.flavorList(w, r, false) }
func (c *Compute) listFlavorDetail(w http.ResponseWriter, r *http.Request) { c.flavorList(w, r, true) }

func (c *Compute) flavorList(w http.ResponseWriter, r *http.Request, detail bool) {
	if err := rejectUnknownQuery(r, 75, "limit", "marker", "is_public", "minRam", "minDisk", "sort_key", "sort_dir"); err != nil {
		writeErr(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, given, err := queryInt(r, "limit", 0)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	limit = pageSize(limit, given)
	sortKey, sortDir := q.Get("sort_key"), q.Get("sort_dir")
	if sortKey == "" {
		sortKey = "flavorid"
	}
	if sortDir == "" {
		sortDir = "asc"
	}
	if _, ok := flavorSortKeys[sortKey]; !ok {
		writeErr(w, r, badRequest("Invalid input for query parameters sort_key. Value: %s. '%s' is not one of %s", sortKey, sortKey, quotedList(flavorSortKeyNames)))
		return
	}
	if sortDir != "asc" && sortDir != "desc" {
		writeErr(w, r, badRequest("Invalid input for query parameters sort_dir. Value: %s. '%s' is not one of ['asc', 'desc']", sortDir, sortDir))
		return
	}
	admin := adminAllowed(r)
	// Only admins choose: is_public absent means public only, "none" both.
	yes := true
	public := &yes
	if admin {
		if raw, ok := q["is_public"]; ok {
			switch {
			case strings.EqualFold(raw[0], "none"):
				public = nil
			default:
				b, ok := parseBoolString(raw[0])
				if !ok {
					writeErr(w, r, badRequest("Invalid is_public filter [%s]", raw[0]))
					return
				}
				public = &b
			}
		}
	}
	minRAM, minDisk := -1, -1
	for _, p := range []struct {
		name string
		dst  *int
	}{{"minRam", &minRAM}, {"minDisk", &minDisk}} {
		if raw, ok := q[p.name]; ok {
			n, perr := strconv.Atoi(strings.TrimSpace(raw[0]))
			if perr != nil {
				writeErr(w, r, badRequest("Invalid %s filter [%s]", p.name, raw[0]))
				return
			}
			*p.dst = n
		}
	}
	marker := q.Get("marker")
	_, hasMarker := q["marker"]

	c.mu.Lock()
	all := make([]*Flavor, 0, len(c.flavors))
	for _, f := range c.flavors {
		if flavorVisible(r, f) {
			all = append(all, f)
		}
	}
	by := flavorSortKeys[sortKey]
	sort.Slice(all, func(i, j int) bool {
		d := by(all[i], all[j])
		if d == 0 {
			d = strings.Compare(all[i].ID, all[j].ID)
		}
		if sortDir == "desc" {
			return d > 0
		}
		return d < 0
	})
	start := 0
	var ferr *fake.Error
	if hasMarker {
		start = -1
		for i, f := range all {
			if f.ID == marker {
				start = i + 1
				break
			}
		}
		if start < 0 {
			ferr = badRequest("marker [%s] not found", marker)
		}
	}
	out := []map[string]any{}
	lastID := ""
	if ferr == nil {
		for _, f := range all[start:] {
			if len(out) >= limit {
				break
			}
			if public != nil && f.IsPublic != *public || !admin && f.Disabled ||
				f.RAM < minRAM || f.Disk < minDisk {
				continue
			}
			out = append(out, flavorJSON(r, f, detail))
			lastID = f.ID
		}
	}
	c.mu.Unlock()
	if ferr != nil {
		writeErr(w, r, ferr)
		return
	}
	collection := "flavors"
	if detail {
		collection = "flavors/detail"
	}
	body := map[string]any{"flavors": out}
	if l := nextLinks(r, collection, len(out), lastID); l != nil {
		body["flavors_links"] = l
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

func (c *Compute) getFlavor(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	f, err := c.flavorLocked(r)
	var body map[string]any
	if err == nil {
		body = map[string]any{"flavor": flavorJSON(r, f, true)}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

var (
	flavorIDPattern   = regexp.MustCompile(`^[a-zA-Z0-9. _-]+$`)
	flavorSizePattern = regexp.MustCompile(`^[0-9]+$`)
	rxtxPattern       = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
)

// novaBooleans are the values of Nova's parameter_types.boolean.
var novaBooleans = map[string]bool{
	"True": true, "TRUE": true, "true": true, "1": true, "ON": true, "On": true, "on": true,
	"YES": true, "Yes": true, "yes": true,
	"False": false, "FALSE": false, "false": false, "0": false, "OFF": false, "Off": false, "off": false,
	"NO": false, "No": false, "no": false,
}

const novaBooleanEnum = "[True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', " +
	"False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']"

// schemaBool validates a member of parameter_types.boolean: a JSON
// boolean or one of the strings oslo's bool_from_string knows (not null).
func schemaBool(field string, raw json.RawMessage) (bool, *fake.Error) {
	var b bool
	if !isJSONNull(raw) && json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	if s, ok := jsonString(raw); ok {
		if v, ok := novaBooleans[s]; ok {
			return v, nil
		}
	}
	return false, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not one of %s", field, pyValue(raw), pyRepr(raw), novaBooleanEnum)
}

// jsonString decodes a JSON string. Unlike json.Unmarshal into a string,
// it does not take null for "".
func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if isJSONNull(raw) || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func isJSONNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// readReqBody reads the (already size-limited) request body.
func readReqBody(r *http.Request) ([]byte, *fake.Error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, badRequest("could not read request body: %v", err)
	}
	return b, nil
}

// membersOf decodes {"<key>": {...}} into its members, rejecting members
// not in allowed (nil: any).
func membersOf(r *http.Request, key string, allowed map[string]bool) (map[string]json.RawMessage, *fake.Error) {
	var members map[string]json.RawMessage
	body, rerr := readReqBody(r)
	if rerr != nil {
		return nil, rerr
	}
	if _, err := decodeWrapped(body, key, allowed, &members); err != nil {
		return nil, err
	}
	if members == nil {
		members = map[string]json.RawMessage{}
	}
	return members, nil
}

func (c *Compute) createFlavor(w http.ResponseWriter, r *http.Request) {
	v := versionOf(r)
	allowed := map[string]bool{
		"name": true, "id": true, "ram": true, "vcpus": true, "disk": true,
		"OS-FLV-EXT-DATA:ephemeral": true, "swap": true, "rxtx_factor": true, "os-flavor-access:is_public": true,
	}
	if v.AtLeast(55) {
		allowed["description"] = true
	}
	m, err := membersOf(r, "flavor", allowed)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	f, err := c.parseFlavorCreate(m, v)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if !adminAllowed(r) {
		writeErr(w, r, policyDenied("os_compute_api:os-flavor-manage:create"))
		return
	}
	c.mu.Lock()
	if f.ID == "" {
		f.ID = c.env.RNG.UUID()
	}
	if _, dup := c.flavors[f.ID]; dup {
		err = conflict("Flavor with ID %s already exists.", f.ID)
	}
	for _, other := range c.flavors {
		if err == nil && other.Name == f.Name {
			err = conflict("Flavor with name %s already exists.", f.Name)
		}
	}
	var body map[string]any
	if err == nil {
		stored := f
		c.flavors[f.ID] = &stored
		body = map[string]any{"flavor": flavorJSON(r, &stored, true)}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

// parseFlavorCreate applies Nova's create schema and flavors.create checks.
func (c *Compute) parseFlavorCreate(m map[string]json.RawMessage, v Version) (Flavor, *fake.Error) {
	f := Flavor{RxTxFactor: 1, IsPublic: true}
	for _, req := range []string{"name", "ram", "vcpus", "disk"} {
		if _, ok := m[req]; !ok {
			return f, badRequest("Invalid input for field/attribute flavor. Value: %s. '%s' is a required property", compactMembers(m), req)
		}
	}
	var name string
	if json.Unmarshal(m["name"], &name) != nil {
		return f, badRequest("Invalid input for field/attribute name. Value: %s. %s is not of type 'string'", pyValue(m["name"]), pyRepr(m["name"]))
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
			return f, badRequest("Invalid input for field/attribute id. Value: %s. %s is not of type 'string', 'number', 'null'", pyValue(raw), pyRepr(raw))
		}
		switch {
		case id == "":
			return f, badRequest("Invalid input for field/attribute id. Value: . '' is too short")
		case len(id) > 255:
			return f, badRequest("Invalid input for field/attribute id. Value: %s. '%s' is too long", id, id)
		case !flavorIDPattern.MatchString(id) || strings.HasPrefix(id, " ") || strings.HasSuffix(id, " "):
			return f, badRequest("Invalid input for field/attribute id. Value: %s. '%s' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'", id, id)
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
				return f, badRequest("Invalid input for field/attribute rxtx_factor. Value: %s. '%s' does not match '^[0-9]+(\\\\.[0-9]+)?$'", s, s)
			}
			x, _ = strconv.ParseFloat(s, 64)
		case json.Unmarshal(raw, &x) == nil:
		default:
			return f, badRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is not of type 'number', 'string'", pyValue(raw), pyRepr(raw))
		}
		if x <= 0 {
			return f, badRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is less than or equal to the minimum of 0", pyValue(raw), pyValue(raw))
		}
		if x > 3.40282e+38 {
			return f, badRequest("Invalid input for field/attribute rxtx_factor. Value: %s. %s is greater than the maximum of 3.40282e+38", pyValue(raw), pyValue(raw))
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
func flavorDescription(raw json.RawMessage) (string, *fake.Error) {
	if string(raw) == "null" {
		return "", nil
	}
	var d string
	if json.Unmarshal(raw, &d) != nil {
		return "", badRequest("Invalid input for field/attribute description. Value: %s. %s is not of type 'string', 'null'", pyValue(raw), pyRepr(raw))
	}
	if len([]rune(d)) > 65535 {
		return "", badRequest("Invalid input for field/attribute description. Value: %s. '%s' is too long", d, d)
	}
	for _, ch := range d {
		if ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' || ch == 0x7f {
			return "", badRequest("Invalid input for field/attribute description. Value: %s. '%s' does not match the description pattern", d, d)
		}
	}
	return d, nil
}

// compactMembers renders an object's members back as JSON, for messages.
func compactMembers(m map[string]json.RawMessage) string {
	b, err := json.Marshal(m)
	if err != nil {
		return "{...}"
	}
	return string(b)
}

func (c *Compute) updateFlavor(w http.ResponseWriter, r *http.Request) {
	if !versionOf(r).AtLeast(55) {
		writeErr(w, r, notFound("The resource could not be found."))
		return
	}
	m, err := membersOf(r, "flavor", map[string]bool{"description": true})
	if err != nil {
		writeErr(w, r, err)
		return
	}
	raw, ok := m["description"]
	if !ok {
		writeErr(w, r, badRequest("Invalid input for field/attribute flavor. Value: %s. 'description' is a required property", compactMembers(m)))
		return
	}
	desc, err := flavorDescription(raw)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if !adminAllowed(r) {
		writeErr(w, r, policyDenied("os_compute_api:os-flavor-manage:update"))
		return
	}
	c.mu.Lock()
	f, err := c.flavorLocked(r)
	var body map[string]any
	if err == nil {
		f.Description = desc
		body = map[string]any{"flavor": flavorJSON(r, f, true)}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

func (c *Compute) deleteFlavor(w http.ResponseWriter, r *http.Request) {
	if !adminAllowed(r) {
		writeErr(w, r, policyDenied("os_compute_api:os-flavor-manage:delete"))
		return
	}
	id := mux.Vars(r)["flavor_id"]
	c.mu.Lock()
	_, ok := c.flavors[id]
	delete(c.flavors, id)
	c.mu.Unlock()
	if !ok {
		writeErr(w, r, notFound("Flavor %s could not be found.", id))
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// Extra specs.

func (c *Compute) listExtraSpecs(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	f, err := c.flavorLocked(r)
	var specs map[string]string
	if err == nil {
		specs = cloneMap(nonNilMap(f.ExtraSpecs))
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"extra_specs": specs})
}

// parseExtraSpecs validates an extra-specs object (field names the
// object in messages; "" for a top-level body): keys of the metadata key pattern, values strings or
// numbers of at most 255 characters. It returns the values as Nova stores
// them (strings) and the members as sent, which Nova echoes.
func parseExtraSpecs(field string, raw json.RawMessage) (map[string]string, map[string]json.RawMessage, *fake.Error) {
	invalid := func(value, msg string) *fake.Error {
		if field == "" {
			return badRequest("%s", msg)
		}
		return badRequest("Invalid input for field/attribute %s. Value: %s. %s", field, value, msg)
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
			return nil, nil, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string', 'number'", k, pyValue(v), pyRepr(v))
		}
		if len([]rune(s)) > 255 {
			return nil, nil, badRequest("Invalid input for field/attribute %s. Value: %s. '%s' is too long", k, s, s)
		}
		out[k] = s
	}
	return out, m, nil
}

func (c *Compute) createExtraSpecs(w http.ResponseWriter, r *http.Request) {
	body, err := readReqBody(r)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	var top map[string]json.RawMessage
	if ferr := fake.DecodeJSONBytes(body, &top, fake.DecodeOptions{}); ferr != nil {
		writeErr(w, r, ferr)
		return
	}
	raw, ok := top["extra_specs"]
	if !ok {
		writeErr(w, r, badRequest("'extra_specs' is a required property"))
		return
	}
	for k := range top {
		if k != "extra_specs" {
			writeErr(w, r, badRequest("Additional properties are not allowed ('%s' was unexpected)", k))
			return
		}
	}
	specs, echo, ferr := parseExtraSpecs("extra_specs", raw)
	if ferr != nil {
		writeErr(w, r, ferr)
		return
	}
	if !adminAllowed(r) {
		writeErr(w, r, policyDenied("os_compute_api:os-flavor-extra-specs:create"))
		return
	}
	c.mu.Lock()
	f, ferr := c.flavorLocked(r)
	if ferr == nil {
		if f.ExtraSpecs == nil {
			f.ExtraSpecs = map[string]string{}
		}
		for k, v := range specs {
			f.ExtraSpecs[k] = v
		}
	}
	c.mu.Unlock()
	if ferr != nil {
		writeErr(w, r, ferr)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"extra_specs": echo})
}

func (c *Compute) getExtraSpec(w http.ResponseWriter, r *http.Request) {
	key := mux.Vars(r)["key"]
	c.mu.Lock()
	f, err := c.flavorLocked(r)
	var val string
	if err == nil {
		var ok bool
		if val, ok = f.ExtraSpecs[key]; !ok {
			err = notFound("Flavor %s has no extra specs with key %s.", f.ID, key)
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]string{key: val})
}

func (c *Compute) updateExtraSpec(w http.ResponseWriter, r *http.Request) {
	key := mux.Vars(r)["key"]
	body, rerr := readReqBody(r)
	if rerr != nil {
		writeErr(w, r, rerr)
		return
	}
	var probe any
	if err := fake.DecodeJSONBytes(body, &probe, fake.DecodeOptions{}); err != nil {
		writeErr(w, r, err)
		return
	}
	specs, echo, err := parseExtraSpecs("", body)
	if err == nil && len(specs) == 0 {
		err = badRequest("{} does not have enough properties")
	}
	if err == nil && len(specs) > 1 {
		err = badRequest("%s has too many properties", compactMembers(echo))
	}
	if err == nil && !adminAllowed(r) {
		err = policyDenied("os_compute_api:os-flavor-extra-specs:update")
	}
	if _, ok := specs[key]; err == nil && !ok {
		err = badRequest("Request body and URI mismatch")
	}
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	f, err := c.flavorLocked(r)
	if err == nil {
		if f.ExtraSpecs == nil {
			f.ExtraSpecs = map[string]string{}
		}
		f.ExtraSpecs[key] = specs[key]
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, echo)
}

func (c *Compute) deleteExtraSpec(w http.ResponseWriter, r *http.Request) {
	if !adminAllowed(r) {
		writeErr(w, r, policyDenied("os_compute_api:os-flavor-extra-specs:delete"))
		return
	}
	key := mux.Vars(r)["key"]
	c.mu.Lock()
	f, err := c.flavorLocked(r)
	if err == nil {
		if _, ok := f.ExtraSpecs[key]; !ok {
			err = notFound("Flavor %s has no extra specs with key %s.", f.ID, key)
		} else {
			delete(f.ExtraSpecs, key)
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	// Nova answers 200 with no body (gophercloud expects exactly 200).
	w.WriteHeader(http.StatusOK)
}
