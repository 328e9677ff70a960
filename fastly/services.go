package fastly

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
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

func (f *Fastly) serviceRoutes(r *mux.Router) {
	r.HandleFunc("/service", f.listServices).Methods("GET").Name(OpListServices)
	r.HandleFunc("/service", f.createService).Methods("POST").Name(OpCreateService)
	r.HandleFunc("/service/search", f.searchService).Methods("GET").Name(OpSearchService)
	r.HandleFunc("/service/{service_id}", f.getService).Methods("GET").Name(OpGetService)
	r.HandleFunc("/service/{service_id}", f.updateService).Methods("PUT").Name(OpUpdateService)
	r.HandleFunc("/service/{service_id}", f.deleteService).Methods("DELETE").Name(OpDeleteService)
	r.HandleFunc("/service/{service_id}/details", f.serviceDetails).Methods("GET").Name(OpServiceDetails)
	r.HandleFunc("/service/{service_id}/domain", f.serviceDomains).Methods("GET").Name(OpServiceDomain)
}

// serviceCreate is the body of POST /service and PUT /service/{id}.
type serviceCreate struct {
	Name       string `json:"name" fastly:"req,len=255"`
	Comment    string `json:"comment"`
	CustomerID string `json:"customer_id"`
	Type       string `json:"type" fastly:"enum=vcl|wasm"`
}

func notFoundService(id string) *apiError {
	return &apiError{status: http.StatusNotFound, msg: "Record not found", detail: sprintf("Cannot find service '%s'", id)}
}

// serviceLocked finds a live service and brings a pending activation up to
// the clock.
func (f *Fastly) serviceLocked(id string) (*service, *apiError) {
	s, ok := f.services[id]
	if !ok || s.deleted {
		return nil, notFoundService(id)
	}
	f.settleLocked(s)
	return s, nil
}

// versionOf finds a version by its number as written in a path.
func versionOf(s *service, raw string) (*version, *apiError) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return nil, badRequest("Invalid version number '%s'", raw)
	}
	if n > len(s.versions) {
		return nil, &apiError{status: http.StatusNotFound, msg: "Record not found",
			detail: sprintf("Couldn't find Version '{ number => %d, service => %s }'", n, s.ID)}
	}
	return s.versions[n-1], nil
}

func (f *Fastly) serviceVersionLocked(r *http.Request) (*service, *version, *apiError) {
	s, err := f.serviceLocked(pathVar(r, "service_id"))
	if err != nil {
		return nil, nil, err
	}
	v, err := versionOf(s, pathVar(r, "version_id"))
	if err != nil {
		return nil, nil, err
	}
	return s, v, nil
}

// editableVersionLocked is serviceVersionLocked for a change: an active or
// locked version cannot be edited.
func (f *Fastly) editableVersionLocked(r *http.Request) (*service, *version, *apiError) {
	s, v, err := f.serviceVersionLocked(r)
	if err != nil {
		return nil, nil, err
	}
	if err := notEditable(s, v); err != nil {
		return nil, nil, err
	}
	return s, v, nil
}

func notEditable(s *service, v *version) *apiError {
	if v.locked || v.active {
		return &apiError{status: http.StatusConflict, msg: "Version locked",
			detail: sprintf("Version %d of service '%s' is locked and cannot be edited; clone it to make changes", v.number, s.ID)}
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

func (f *Fastly) renderVersion(s *service, v *version) map[string]any {
	return map[string]any{
		"active": v.active, "comment": v.comment, "deployed": v.deployed, "locked": v.locked,
		"number": v.number, "staging": v.staging, "testing": v.testing, "service_id": s.ID,
		"created_at": ts(v.created), "updated_at": ts(v.updated), "deleted_at": nil,
		"environments": []any{},
	}
}

func (f *Fastly) renderService(s *service) map[string]any {
	versions := make([]map[string]any, len(s.versions))
	for i, v := range s.versions {
		versions[i] = f.renderVersion(s, v)
	}
	return map[string]any{
		"id": s.ID, "name": s.Name, "comment": s.Comment, "customer_id": s.CustomerID, "type": s.Type,
		"publish_key": "", "paused": false, "created_at": ts(s.Created), "updated_at": ts(s.Updated),
		"deleted_at": nil, "versions": versions, "environments": []any{},
	}
}

// renderVersionDetail is a version with every object it holds.
func (f *Fastly) renderVersionDetail(s *service, v *version) map[string]any {
	m := f.renderVersion(s, v)
	for _, k := range f.kindList {
		if key := k.detailsKey(); key != "" {
			m[key] = k.renderAll(f, s, v)
		}
	}
	m["acls"], m["directors"], m["wordpress"] = []any{}, []any{}, []any{}
	settings := map[string]any{"general.default_pci": 0}
	renderFields(settings, v.settings)
	m["settings"] = settings
	return m
}

func (f *Fastly) createService(w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(r)
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	in := serviceCreate{Type: "vcl"}
	if err := applyParams(p, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	if err := checkRequired(&in); err != nil {
		writeAPIError(w, err)
		return
	}
	if in.Type == "" {
		in.Type = "vcl"
	}
	f.do(w, func() (any, *apiError) {
		s := f.addServiceLocked(Service{Name: in.Name, Comment: in.Comment, Type: in.Type})
		return f.renderService(s), nil
	})
}

func (f *Fastly) getService(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		return f.renderService(s), nil
	})
}

func (f *Fastly) updateService(w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(r)
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		in := serviceCreate{Name: s.Name, Comment: s.Comment}
		if err := applyParams(p, &in); err != nil {
			return nil, err
		}
		if err := checkRequired(&in); err != nil {
			return nil, err
		}
		s.Name, s.Comment = in.Name, in.Comment
		s.Updated = f.now()
		return f.renderService(s), nil
	})
}

func (f *Fastly) deleteService(w http.ResponseWriter, r *http.Request) {
	id := pathVar(r, "service_id")
	f.do(w, func() (any, *apiError) {
		s, ok := f.services[id]
		if !ok {
			return nil, notFoundService(id)
		}
		if s.deleted {
			return nil, badRequest("Service '%s' is deleted", id)
		}
		f.settleLocked(s)
		if activeOrLatest(s).active || s.pending != nil {
			return nil, badRequest("Service '%s' has an active version; deactivate it before deleting the service", id)
		}
		s.deleted = true
		s.deletedAt = f.now()
		return statusOK, nil
	})
}

func (f *Fastly) serviceDetails(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		m := f.renderService(s)
		var active *version
		for _, v := range s.versions {
			if v.active {
				active = v
			}
		}
		if active != nil {
			m["active_version"] = f.renderVersionDetail(s, active)
		} else {
			m["active_version"] = nil
		}
		shown := activeOrLatest(s)
		if raw := q.Get("version"); raw != "" {
			v, err := versionOf(s, raw)
			if err != nil {
				return nil, err
			}
			shown = v
		}
		m["version"] = f.renderVersionDetail(s, shown)
		return m, nil
	})
}

func (f *Fastly) searchService(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		writeAPIError(w, badRequest("Required parameter 'name' is missing or empty"))
		return
	}
	f.do(w, func() (any, *apiError) {
		for _, id := range f.order {
			if s := f.services[id]; !s.deleted && s.Name == name {
				f.settleLocked(s)
				return f.renderService(s), nil
			}
		}
		return nil, &apiError{status: http.StatusNotFound, msg: "Record not found", detail: sprintf("Cannot find service '%s'", name)}
	})
}

func (f *Fastly) serviceDomains(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		for _, k := range f.kindList {
			if k.detailsKey() == "domains" {
				return k.renderAll(f, s, activeOrLatest(s)), nil
			}
		}
		return []any{}, nil
	})
}

// page is a validated page request.
type page struct {
	number, per int
	sort        string
	descend     bool
}

// readPage reads Fastly's page, per_page, sort and direction parameters.
func readPage(q url.Values, defaultPer int, sorts ...string) (page, *apiError) {
	pg := page{number: 1, per: defaultPer, sort: sorts[0]}
	if raw := q.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return pg, badRequest("Invalid value for 'page': '%s' is not a positive integer", raw)
		}
		pg.number = n
	}
	if raw := q.Get("per_page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1000 {
			return pg, badRequest("Invalid value for 'per_page': '%s' is not an integer from 1 to 1000", raw)
		}
		pg.per = n
	}
	if raw := q.Get("sort"); raw != "" {
		ok := false
		for _, s := range sorts {
			ok = ok || s == raw
		}
		if !ok {
			return pg, badRequest("Invalid value for 'sort': '%s' is not one of %s", raw, strings.Join(sorts, ", "))
		}
		pg.sort = raw
	}
	switch q.Get("direction") {
	case "", "ascend":
	case "descend":
		pg.descend = true
	default:
		return pg, badRequest("Invalid value for 'direction': '%s' is not ascend or descend", q.Get("direction"))
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

// setLinks writes Fastly's Link header: first, prev, next and last pages.
func (pg page) setLinks(w http.ResponseWriter, r *http.Request, total int) {
	last := (total + pg.per - 1) / pg.per
	if last < 1 {
		last = 1
	}
	link := func(n int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(pg.per))
		return "<" + fake.BaseURL(r) + r.URL.Path + "?" + q.Encode() + `>; rel="` + rel + `"`
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
	w.Header().Set("Link", strings.Join(links, ", "))
}

func (f *Fastly) listServices(w http.ResponseWriter, r *http.Request) {
	pg, perr := readPage(r.URL.Query(), 20, "created", "name", "updated")
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	var out []map[string]any
	var total int
	f.locked(func() {
		out, total = f.listServicesLocked(pg)
	})
	pg.setLinks(w, r, total)
	fake.WriteJSON(w, http.StatusOK, out)
}

// listServicesLocked is one page of the live services and how many there
// are.
func (f *Fastly) listServicesLocked(pg page) ([]map[string]any, int) {
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
	out := make([]map[string]any, 0, end-start)
	for _, s := range live[start:end] {
		m := f.renderService(s)
		delete(m, "publish_key")
		m["version"] = activeOrLatest(s).number
		out = append(out, m)
	}
	return out, len(live)
}
