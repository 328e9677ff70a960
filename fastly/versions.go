package fastly

import (
	"strconv"
	"time"

	"github.com/mockcloud/mockcloud/kit"
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

func (f *Fastly) versionRoutes() []kit.Route {
	base := "/service/{service_id}/version"
	return []kit.Route{
		{Op: OpListVersions, Method: "GET", Path: base, Handler: f.listVersions},
		{Op: OpCreateVersion, Method: "POST", Path: base, Handler: f.createVersion},
		{Op: OpGetVersion, Method: "GET", Path: base + "/{version_id}", Handler: f.getVersion},
		{Op: OpUpdateVersion, Method: "PUT", Path: base + "/{version_id}", Handler: f.updateVersion},
		{Op: OpCloneVersion, Method: "PUT", Path: base + "/{version_id}/clone", Handler: f.cloneVersion},
		{Op: OpActivateVersion, Method: "PUT", Path: base + "/{version_id}/activate", Handler: f.activateVersion},
		{Op: OpDeactivateVersion, Method: "PUT", Path: base + "/{version_id}/deactivate", Handler: f.deactivateVersion},
		{Op: OpLockVersion, Method: "PUT", Path: base + "/{version_id}/lock", Handler: f.lockVersion},
		{Op: OpValidateVersion, Method: "GET", Path: base + "/{version_id}/validate", Handler: f.validateVersion},
	}
}

// versionIn is the body of POST /service/{id}/version and of PUT
// /service/{id}/version/{n}: only the comment can be set; the state flags
// change through activate, deactivate and lock.
type versionIn struct {
	Comment string
}

func (x *versionIn) bind(b *fields) { b.text("comment", &x.Comment) }

func (f *Fastly) listVersions(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	out := make([]versionWire, len(s.versions))
	for i, v := range s.versions {
		out[i] = renderVersion(s, v)
	}
	return kit.OK(out), nil
}

// newVersionWire is what creating a version answers.
type newVersionWire struct {
	ServiceID string `json:"service_id"`
	Number    int    `json:"number"`
	Comment   string `json:"comment,omitempty"`
}

func (f *Fastly) createVersion(c *kit.Call) (kit.Reply, error) {
	p, err := readParams(c)
	if err != nil {
		return kit.Reply{}, err
	}
	var in versionIn
	if err := bind(p, &in, (*versionIn).bind); err != nil {
		return kit.Reply{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	v := f.newVersionLocked(s)
	v.comment = in.Comment
	return kit.OK(newVersionWire{ServiceID: s.ID, Number: v.number, Comment: in.Comment}), nil
}

// newVersionLocked appends an empty, unlocked version.
func (f *Fastly) newVersionLocked(s *service) *version {
	now := f.nowSec()
	v := &version{number: len(s.versions) + 1, created: now, updated: now, settings: DefaultSettings()}
	s.versions = append(s.versions, v)
	s.Updated = now
	return v
}

func (f *Fastly) getVersion(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(renderVersion(s, v)), nil
}

func (f *Fastly) updateVersion(c *kit.Call) (kit.Reply, error) {
	p, err := readParams(c)
	if err != nil {
		return kit.Reply{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	in := versionIn{Comment: v.comment}
	if err := bind(p, &in, (*versionIn).bind); err != nil {
		return kit.Reply{}, err
	}
	v.comment = in.Comment
	v.updated = f.nowSec()
	return kit.OK(renderVersion(s, v)), nil
}

func (f *Fastly) cloneVersion(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	now := f.nowSec()
	cl := v.clone(len(s.versions)+1, now)
	s.versions = append(s.versions, cl)
	s.Updated = now
	return kit.OK(renderVersion(s, cl)), nil
}

func (f *Fastly) lockVersion(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if !v.locked {
		v.locked = true
		v.updated = f.nowSec()
	}
	return kit.OK(renderVersion(s, v)), nil
}

// validationWire is GET .../validate.
type validationWire struct {
	Status   string   `json:"status"`
	Msg      *string  `json:"msg"`
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
	Messages []string `json:"messages"`
}

func (f *Fastly) validateVersion(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	problems := validate(s, v)
	out := validationWire{Status: "ok", Errors: problems, Warnings: []string{}, Messages: []string{}}
	if len(problems) > 0 {
		out.Status = "error"
		out.Msg = &problems[0]
	}
	return kit.OK(out), nil
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

// activateVersion resolves the activation's behavior from the path before
// taking the service's lock: behaviors are what a user supplies, and
// nothing a user supplies runs under it. An activation refused before the
// behavior applies gives its hit back.
func (f *Fastly) activateVersion(c *kit.Call) (kit.Reply, error) {
	var out activationOutcome
	// The path's version as versionOf reads it; a number it refuses never
	// gets as far as the behaviors.
	if n, err := strconv.Atoi(pathVar(c, "version_id")); err == nil && n >= 1 {
		out = f.activationOutcome(pathVar(c, "service_id"), n)
	}
	reply, applied, err := f.activate(c, out)
	if !applied {
		f.refundActivation(out)
	}
	return reply, err
}

// activate activates the version the path names with the outcome resolved
// for it; applied reports whether the activation got as far as the
// outcome (the service and version exist and the version validates).
func (f *Fastly) activate(c *kit.Call, out activationOutcome) (reply kit.Reply, applied bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, false, err
	}
	if problems := validate(s, v); len(problems) > 0 {
		return kit.Reply{}, false, kit.BadRequest("%s", problems[0])
	}
	if out.err != nil {
		return kit.Reply{}, true, out.err
	}
	now := f.nowSec()
	v.locked = true
	v.updated = now
	if out.delay > 0 {
		s.pending = &pendingActivation{number: v.number, at: now.Add(out.delay)}
		return kit.OK(renderVersion(s, v)), true, nil
	}
	s.pending = nil
	f.switchActiveLocked(s, v, now)
	return kit.OK(renderVersion(s, v)), true, nil
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
	if f.Now().Before(s.pending.at) {
		return
	}
	v := s.versions[s.pending.number-1]
	at := s.pending.at.UTC().Truncate(time.Second)
	s.pending = nil
	f.switchActiveLocked(s, v, at)
}

func (f *Fastly) deactivateVersion(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if s.pending != nil && s.pending.number == v.number {
		s.pending = nil
		return kit.OK(renderVersion(s, v)), nil
	}
	if !v.active {
		return kit.Reply{}, kit.BadRequest("Version %d of service '%s' is not active", v.number, s.ID)
	}
	v.active = false
	v.updated = f.nowSec()
	return kit.OK(renderVersion(s, v)), nil
}
