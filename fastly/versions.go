package fastly

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"
)

// Route names of the version API.
const (
	OpListVersions      = "fastly.version.list"
	OpCreateVersion     = "fastly.version.create"
	OpGetVersion        = "fastly.version.get"
	OpUpdateVersion     = "fastly.version.update"
	OpCloneVersion      = "fastly.version.clone"
	OpActivateVersion   = "fastly.version.activate"
	OpDeactivateVersion = "fastly.version.deactivate"
	OpLockVersion       = "fastly.version.lock"
	OpValidateVersion   = "fastly.version.validate"
)

func (f *Fastly) versionRoutes(r *mux.Router) {
	base := "/service/{service_id}/version"
	r.HandleFunc(base, f.listVersions).Methods("GET").Name(OpListVersions)
	r.HandleFunc(base, f.createVersion).Methods("POST").Name(OpCreateVersion)
	r.HandleFunc(base+"/{version_id}", f.getVersion).Methods("GET").Name(OpGetVersion)
	r.HandleFunc(base+"/{version_id}", f.updateVersion).Methods("PUT").Name(OpUpdateVersion)
	r.HandleFunc(base+"/{version_id}/clone", f.cloneVersion).Methods("PUT").Name(OpCloneVersion)
	r.HandleFunc(base+"/{version_id}/activate", f.activateVersion).Methods("PUT").Name(OpActivateVersion)
	r.HandleFunc(base+"/{version_id}/deactivate", f.deactivateVersion).Methods("PUT").Name(OpDeactivateVersion)
	r.HandleFunc(base+"/{version_id}/lock", f.lockVersion).Methods("PUT").Name(OpLockVersion)
	r.HandleFunc(base+"/{version_id}/validate", f.validateVersion).Methods("GET").Name(OpValidateVersion)
}

// versionUpdate is the body of POST /service/{id}/version and of PUT
// /service/{id}/version/{n}: only the comment can be set; the state flags
// change through activate, deactivate and lock.
type versionUpdate struct {
	Comment string `json:"comment"`
}

func (f *Fastly) listVersions(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, len(s.versions))
		for i, v := range s.versions {
			out[i] = f.renderVersion(s, v)
		}
		return out, nil
	})
}

func (f *Fastly) createVersion(w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(r)
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	var in versionUpdate
	if err := applyParams(p, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		v := f.newVersionLocked(s)
		v.comment = in.Comment
		out := map[string]any{"service_id": s.ID, "number": v.number}
		if in.Comment != "" {
			out["comment"] = in.Comment
		}
		return out, nil
	})
}

// newVersionLocked appends an empty, unlocked version.
func (f *Fastly) newVersionLocked(s *service) *version {
	now := f.now()
	v := &version{number: len(s.versions) + 1, created: now, updated: now, settings: DefaultSettings()}
	s.versions = append(s.versions, v)
	s.Updated = now
	return v
}

func (f *Fastly) getVersion(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		return f.renderVersion(s, v), nil
	})
}

func (f *Fastly) updateVersion(w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(r)
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		in := versionUpdate{Comment: v.comment}
		if err := applyParams(p, &in); err != nil {
			return nil, err
		}
		v.comment = in.Comment
		v.updated = f.now()
		return f.renderVersion(s, v), nil
	})
}

func (f *Fastly) cloneVersion(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		now := f.now()
		c := v.clone(len(s.versions)+1, now)
		s.versions = append(s.versions, c)
		s.Updated = now
		return f.renderVersion(s, c), nil
	})
}

func (f *Fastly) lockVersion(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		if !v.locked {
			v.locked = true
			v.updated = f.now()
		}
		return f.renderVersion(s, v), nil
	})
}

func (f *Fastly) validateVersion(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		problems := validate(s, v)
		out := map[string]any{"status": "ok", "msg": nil, "errors": problems, "warnings": []string{}, "messages": []string{}}
		if len(problems) > 0 {
			out["status"] = "error"
			out["msg"] = problems[0]
		}
		return out, nil
	})
}

// validate lists what keeps a version from activating: no domain, a
// reference to a condition, health check or VCL that is not there, or
// custom VCL without a main file.
func validate(s *service, v *version) []string {
	problems := []string{}
	if s.Type != "wasm" && len(v.domains) == 0 {
		problems = append(problems, sprintf("Version %d has no domains; at least one domain is required", v.number))
	}
	cond := func(name, want, what string) {
		if name == "" {
			return
		}
		i := findRec(v.conditions, name)
		switch {
		case i < 0:
			problems = append(problems, sprintf("%s refers to condition '%s', which does not exist", what, name))
		case v.conditions[i].v.Type != want:
			problems = append(problems, sprintf("%s refers to condition '%s', which is a %s condition, not %s", what, name, v.conditions[i].v.Type, want))
		}
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for _, b := range v.backends {
		cond(b.v.RequestCondition, "REQUEST", sprintf("Backend '%s'", b.v.Name))
		if h := deref(b.v.Healthcheck); h != "" && findRec(v.healthchecks, h) < 0 {
			problems = append(problems, sprintf("Backend '%s' refers to healthcheck '%s', which does not exist", b.v.Name, h))
		}
	}
	for _, h := range v.headers {
		what := sprintf("Header '%s'", h.v.Name)
		cond(deref(h.v.RequestCondition), "REQUEST", what)
		cond(deref(h.v.CacheCondition), "CACHE", what)
		cond(deref(h.v.ResponseCondition), "RESPONSE", what)
	}
	for _, c := range v.cacheSettings {
		cond(c.v.CacheCondition, "CACHE", sprintf("Cache settings '%s'", c.v.Name))
	}
	for _, c := range v.requestSettings {
		cond(c.v.RequestCondition, "REQUEST", sprintf("Request settings '%s'", c.v.Name))
	}
	for _, o := range v.responseObjects {
		what := sprintf("Response object '%s'", o.v.Name)
		cond(o.v.RequestCondition, "REQUEST", what)
		cond(o.v.CacheCondition, "CACHE", what)
	}
	for _, g := range v.gzips {
		cond(g.v.CacheCondition, "CACHE", sprintf("Gzip '%s'", g.v.Name))
	}
	for _, l := range v.syslogs {
		cond(l.v.ResponseCondition, "RESPONSE", sprintf("Syslog endpoint '%s'", l.v.Name))
	}
	if len(v.vcls) > 0 {
		main := false
		for _, c := range v.vcls {
			main = main || c.v.Main
		}
		if !main {
			problems = append(problems, "Custom VCL is uploaded but none is set as main")
		}
	}
	return problems
}

func (f *Fastly) activateVersion(w http.ResponseWriter, r *http.Request) {
	sid := pathVar(r, "service_id")
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		if problems := validate(s, v); len(problems) > 0 {
			return nil, badRequest("%s", problems[0])
		}
		out := f.activationOutcomeLocked(sid, v.number)
		if out.fail {
			return nil, out.err
		}
		now := f.now()
		v.locked = true
		v.updated = now
		if out.delay > 0 {
			s.pending = &pendingActivation{number: v.number, at: now.Add(out.delay)}
			return f.renderVersion(s, v), nil
		}
		s.pending = nil
		f.switchActiveLocked(s, v, now)
		return f.renderVersion(s, v), nil
	})
}

// switchActiveLocked makes v the one active version.
func (f *Fastly) switchActiveLocked(s *service, v *version, now time.Time) {
	for _, o := range s.versions {
		if o.active && o != v {
			o.active = false
			o.updated = now
		}
	}
	v.active, v.locked = true, true
	v.updated = now
	s.Updated = now
}

// settleLocked completes a slow activation whose time has come.
func (f *Fastly) settleLocked(s *service) {
	if s.pending == nil {
		return
	}
	if f.env.Clock.Now().Before(s.pending.at) {
		return
	}
	v := s.versions[s.pending.number-1]
	at := s.pending.at.UTC().Truncate(time.Second)
	s.pending = nil
	f.switchActiveLocked(s, v, at)
}

func (f *Fastly) deactivateVersion(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		if s.pending != nil && s.pending.number == v.number {
			s.pending = nil
			return f.renderVersion(s, v), nil
		}
		if !v.active {
			return nil, badRequest("Version %d of service '%s' is not active", v.number, s.ID)
		}
		v.active = false
		v.updated = f.now()
		return f.renderVersion(s, v), nil
	})
}
