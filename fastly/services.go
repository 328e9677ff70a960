package fastly

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the service API.
const (
	OpListServices   = "fastly.service.list"
	OpCreateService  = "fastly.service.create"
	OpSearchService  = "fastly.service.search"
	OpGetService     = "fastly.service.get"
	OpUpdateService  = "fastly.service.update"
	OpDeleteService  = "fastly.service.delete"
	OpServiceDetails = "fastly.service.details"
)

func (f *Fastly) serviceRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpListServices, Method: "GET", Path: "/service", Handler: f.listServices},
		{Op: OpCreateService, Method: "POST", Path: "/service", Handler: f.createService},
		{Op: OpSearchService, Method: "GET", Path: "/service/search", Handler: f.searchService},
		{Op: OpGetService, Method: "GET", Path: "/service/{service_id}", Handler: f.getService},
		{Op: OpUpdateService, Method: "PUT", Path: "/service/{service_id}", Handler: f.updateService},
		{Op: OpDeleteService, Method: "DELETE", Path: "/service/{service_id}", Handler: f.deleteService},
		{Op: OpServiceDetails, Method: "GET", Path: "/service/{service_id}/details", Handler: f.serviceDetails},
		{Op: OpServiceDomain, Method: "GET", Path: "/service/{service_id}/domain", Handler: f.serviceDomains},
	}
}

// serviceIn is the body of POST /service and PUT /service/{id}.
type serviceIn struct {
	Name       string
	Comment    string
	CustomerID string
	Type       string
}

func (x *serviceIn) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("comment", &x.Comment)
	b.text("customer_id", &x.CustomerID)
	b.text("type", &x.Type, oneOf("vcl", "wasm"))
	b.require("name", x.Name)
}

func notFoundService(id string) error {
	return kit.NotFound("Cannot find service '%s'", id)
}

// serviceLocked finds a live service and brings a pending activation up to
// the clock.
func (f *Fastly) serviceLocked(id string) (*service, error) {
	s, ok := f.services[id]
	if !ok || s.deleted {
		return nil, notFoundService(id)
	}
	f.settleLocked(s)
	return s, nil
}

// versionOf finds a version by its number as written in a path.
func versionOf(s *service, raw string) (*version, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return nil, kit.BadRequest("Invalid version number '%s'", raw)
	}
	if n > len(s.versions) {
		return nil, kit.NotFound("Couldn't find Version '{ number => %d, service => %s }'", n, s.ID)
	}
	return s.versions[n-1], nil
}

// serviceVersionLocked finds the service and version the path names.
func (f *Fastly) serviceVersionLocked(c *kit.Call) (*service, *version, error) {
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return nil, nil, err
	}
	v, err := versionOf(s, pathVar(c, "version_id"))
	if err != nil {
		return nil, nil, err
	}
	return s, v, nil
}

// editableVersionLocked is serviceVersionLocked for a change: an active or
// locked version cannot be edited.
func (f *Fastly) editableVersionLocked(c *kit.Call) (*service, *version, error) {
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return nil, nil, err
	}
	if err := notEditable(s, v); err != nil {
		return nil, nil, err
	}
	return s, v, nil
}

func notEditable(s *service, v *version) error {
	if v.locked || v.active {
		return &kit.Error{Status: http.StatusUnprocessableEntity, Message: "Version locked",
			Detail: sprintf("Version %d of service '%s' is locked and cannot be edited; clone it to make changes", v.number, s.ID)}
	}
	return nil
}

// activeOrLatest is the version Fastly reports as the service's "version".
func activeOrLatest(s *service) *version {
	for _, v := range s.versions {
		if v.active {
			return v
		}
	}
	return s.versions[len(s.versions)-1]
}

// versionWire is a version as the API renders it.
type versionWire struct {
	Active       bool     `json:"active"`
	Comment      string   `json:"comment"`
	Deployed     bool     `json:"deployed"`
	Locked       bool     `json:"locked"`
	Number       int      `json:"number"`
	Staging      bool     `json:"staging"`
	Testing      bool     `json:"testing"`
	ServiceID    string   `json:"service_id"`
	CreatedAt    jsonTime `json:"created_at"`
	UpdatedAt    jsonTime `json:"updated_at"`
	DeletedAt    jsonTime `json:"deleted_at"`
	Environments none     `json:"environments"`
	// Mimic's legacy fields, with MimicShapes only.
	*versionLegacy
}

func renderVersion(s *service, v *version) versionWire {
	out := versionWire{Active: v.active, Comment: v.comment, Deployed: v.deployed, Locked: v.locked,
		Number: v.number, Staging: v.staging, Testing: v.testing, ServiceID: s.ID,
		CreatedAt: jsonTime(v.created), UpdatedAt: jsonTime(v.updated), Environments: none{}}
	if s.legacy {
		out.versionLegacy = &versionLegacy{Service: s.ID}
	}
	return out
}

// serviceCommon is what every rendering of a service holds.
type serviceCommon struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Comment      string        `json:"comment"`
	CustomerID   string        `json:"customer_id"`
	Type         string        `json:"type"`
	Paused       bool          `json:"paused"`
	CreatedAt    jsonTime      `json:"created_at"`
	UpdatedAt    jsonTime      `json:"updated_at"`
	DeletedAt    jsonTime      `json:"deleted_at"`
	Versions     []versionWire `json:"versions"`
	Environments none          `json:"environments"`
}

// serviceWire is a service as create, get, update and search render it.
type serviceWire struct {
	serviceCommon
	PublishKey string `json:"publish_key"`
}

// serviceItem is a service in a list: the number of its active (or
// latest) version, and no publish key.
type serviceItem struct {
	serviceCommon
	Version int `json:"version"`
}

// serviceDetailsWire is GET /service/{id}/details.
type serviceDetailsWire struct {
	serviceWire
	ActiveVersion *versionDetailWire `json:"active_version"`
	Version       versionDetailWire  `json:"version"`
}

// versionDetailWire is a version with every object it holds.
type versionDetailWire struct {
	versionWire
	Backends        []backendWire        `json:"backends"`
	CacheSettings   []cacheSettingWire   `json:"cache_settings"`
	Conditions      []conditionWire      `json:"conditions"`
	Dictionaries    []dictionaryWire     `json:"dictionaries"`
	Domains         []domainWire         `json:"domains"`
	Gzips           []gzipWire           `json:"gzips"`
	Headers         []headerWire         `json:"headers"`
	Healthchecks    []healthcheckWire    `json:"healthchecks"`
	RequestSettings []requestSettingWire `json:"request_settings"`
	ResponseObjects []responseObjectWire `json:"response_objects"`
	Snippets        []snippetWire        `json:"snippets"`
	VCLs            []vclWire            `json:"vcls"`
	ACLs            none                 `json:"acls"`
	Directors       none                 `json:"directors"`
	Wordpress       none                 `json:"wordpress"`
	Settings        settingsWire         `json:"settings"`
}

func renderServiceCommon(s *service) serviceCommon {
	versions := make([]versionWire, len(s.versions))
	for i, v := range s.versions {
		versions[i] = renderVersion(s, v)
	}
	return serviceCommon{ID: s.ID, Name: s.Name, Comment: s.Comment, CustomerID: s.CustomerID, Type: s.Type,
		CreatedAt: jsonTime(s.Created), UpdatedAt: jsonTime(s.Updated), Versions: versions, Environments: none{}}
}

func renderService(s *service) serviceWire {
	return serviceWire{serviceCommon: renderServiceCommon(s)}
}

// renderVersionDetail is a version with every object it holds.
func (f *Fastly) renderVersionDetail(s *service, v *version) versionDetailWire {
	ks := f.kinds
	return versionDetailWire{
		versionWire:     renderVersion(s, v),
		Backends:        ks.backends.renderAll(s, v),
		CacheSettings:   ks.cacheSettings.renderAll(s, v),
		Conditions:      ks.conditions.renderAll(s, v),
		Dictionaries:    ks.dictionaries.renderAll(s, v),
		Domains:         ks.domains.renderAll(s, v),
		Gzips:           ks.gzips.renderAll(s, v),
		Headers:         ks.headers.renderAll(s, v),
		Healthchecks:    ks.healthchecks.renderAll(s, v),
		RequestSettings: ks.requestSettings.renderAll(s, v),
		ResponseObjects: ks.responseObjects.renderAll(s, v),
		Snippets:        ks.snippets.renderAll(s, v),
		VCLs:            ks.vcls.renderAll(s, v),
		ACLs:            none{},
		Directors:       none{},
		Wordpress:       none{},
		Settings:        settingsWire{Settings: v.settings},
	}
}

func (f *Fastly) createService(c *kit.Call) (kit.Reply, error) {
	p, err := readParams(c)
	if err != nil {
		return kit.Reply{}, err
	}
	in := serviceIn{Type: "vcl"}
	if err := bind(p, &in, (*serviceIn).bind); err != nil {
		return kit.Reply{}, err
	}
	if in.Type == "" {
		in.Type = "vcl"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.addServiceLocked(Service{Name: in.Name, Comment: in.Comment, Type: in.Type})
	return kit.OK(renderService(s)), nil
}

func (f *Fastly) getService(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(renderService(s)), nil
}

func (f *Fastly) updateService(c *kit.Call) (kit.Reply, error) {
	p, err := readParams(c)
	if err != nil {
		return kit.Reply{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	in := serviceIn{Name: s.Name, Comment: s.Comment}
	if err := bind(p, &in, (*serviceIn).bind); err != nil {
		return kit.Reply{}, err
	}
	s.Name, s.Comment = in.Name, in.Comment
	s.Updated = f.nowSec()
	return kit.OK(renderService(s)), nil
}

func (f *Fastly) deleteService(c *kit.Call) (kit.Reply, error) {
	id := pathVar(c, "service_id")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.services[id]
	if !ok {
		return kit.Reply{}, notFoundService(id)
	}
	if s.deleted {
		return kit.Reply{}, kit.BadRequest("Service '%s' is deleted", id)
	}
	f.settleLocked(s)
	if activeOrLatest(s).active || s.pending != nil {
		return kit.Reply{}, kit.BadRequest("Service '%s' has an active version; deactivate it before deleting the service", id)
	}
	s.deleted = true
	s.deletedAt = f.nowSec()
	return kit.OK(statusOK), nil
}

func (f *Fastly) serviceDetails(c *kit.Call) (kit.Reply, error) {
	raw := c.Query().Get("version")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	out := serviceDetailsWire{serviceWire: renderService(s)}
	for _, v := range s.versions {
		if v.active {
			d := f.renderVersionDetail(s, v)
			out.ActiveVersion = &d
		}
	}
	shown := activeOrLatest(s)
	if raw != "" {
		v, err := versionOf(s, raw)
		if err != nil {
			return kit.Reply{}, err
		}
		shown = v
	}
	out.Version = f.renderVersionDetail(s, shown)
	return kit.OK(out), nil
}

func (f *Fastly) searchService(c *kit.Call) (kit.Reply, error) {
	name := c.Query().Get("name")
	if name == "" {
		return kit.Reply{}, kit.BadRequest("Required parameter 'name' is missing or empty")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range f.order {
		if s := f.services[id]; !s.deleted && s.Name == name {
			f.settleLocked(s)
			if f.mimic {
				return kit.OK(mimicSearchWire{serviceWire: renderService(s), ServiceName: s.Name,
					ServiceDetails: renderVersion(s, activeOrLatest(s))}), nil
			}
			return kit.OK(renderService(s)), nil
		}
	}
	return kit.Reply{}, notFoundService(name)
}

func (f *Fastly) serviceDomains(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(f.kinds.domains.renderAll(s, activeOrLatest(s))), nil
}

// page is a validated page request.
type page struct {
	number, per int
	sort        string
	descend     bool
}

// readPage reads Fastly's page, per_page, sort and direction parameters.
func readPage(q url.Values, defaultPer int, sorts ...string) (page, error) {
	pg := page{number: 1, per: defaultPer, sort: sorts[0]}
	if raw := q.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return pg, kit.BadRequest("Invalid value for 'page': '%s' is not a positive integer", raw)
		}
		pg.number = n
	}
	if raw := q.Get("per_page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1000 {
			return pg, kit.BadRequest("Invalid value for 'per_page': '%s' is not an integer from 1 to 1000", raw)
		}
		pg.per = n
	}
	if raw := q.Get("sort"); raw != "" {
		ok := false
		for _, s := range sorts {
			ok = ok || s == raw
		}
		if !ok {
			return pg, kit.BadRequest("Invalid value for 'sort': '%s' is not one of %s", raw, strings.Join(sorts, ", "))
		}
		pg.sort = raw
	}
	switch q.Get("direction") {
	case "", "ascend":
	case "descend":
		pg.descend = true
	default:
		return pg, kit.BadRequest("Invalid value for 'direction': '%s' is not ascend or descend", q.Get("direction"))
	}
	return pg, nil
}

// bounds is the slice of total items the page covers. A page past the
// end is empty; (number-1)*per is not computed when it could overflow.
func (pg page) bounds(total int) (int, int) {
	if pg.number-1 > total/pg.per {
		return total, total
	}
	start := (pg.number - 1) * pg.per
	if start > total {
		start = total
	}
	end := start + pg.per
	if end > total {
		end = total
	}
	return start, end
}

// setLinks sets Fastly's Link header: first, prev, next and last pages.
func (pg page) setLinks(c *kit.Call, total int) {
	r := c.Request
	last := (total + pg.per - 1) / pg.per
	if last < 1 {
		last = 1
	}
	link := func(n int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(pg.per))
		return "<" + c.BaseURL() + r.URL.Path + "?" + q.Encode() + `>; rel="` + rel + `"`
	}
	links := []string{link(1, "first")}
	if pg.number > 1 {
		prev := pg.number - 1
		if prev > last {
			prev = last
		}
		links = append(links, link(prev, "prev"))
	}
	if pg.number < last {
		links = append(links, link(pg.number+1, "next"))
	}
	links = append(links, link(last, "last"))
	c.Header().Set("Link", strings.Join(links, ", "))
}

func (f *Fastly) listServices(c *kit.Call) (kit.Reply, error) {
	pg, err := readPage(c.Query(), 20, "created", "name", "updated")
	if err != nil {
		return kit.Reply{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out, total := f.listServicesLocked(pg)
	pg.setLinks(c, total)
	return kit.OK(out), nil
}

// listServicesLocked is one page of the live services and how many there
// are.
func (f *Fastly) listServicesLocked(pg page) ([]serviceItem, int) {
	var live []*service
	for _, id := range f.order {
		if s := f.services[id]; !s.deleted {
			f.settleLocked(s)
			live = append(live, s)
		}
	}
	sort.SliceStable(live, func(i, j int) bool {
		a, b := live[i], live[j]
		c := 0
		switch pg.sort {
		case "name":
			c = strings.Compare(a.Name, b.Name)
		case "updated":
			c = a.Updated.Compare(b.Updated)
		default:
			c = a.Created.Compare(b.Created)
		}
		if pg.descend {
			return c > 0
		}
		return c < 0
	})
	start, end := pg.bounds(len(live))
	out := make([]serviceItem, 0, end-start)
	for _, s := range live[start:end] {
		out = append(out, serviceItem{serviceCommon: renderServiceCommon(s), Version: activeOrLatest(s).number})
	}
	return out, len(live)
}
