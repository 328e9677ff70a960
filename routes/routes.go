package routes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// ServiceName is the service's name in the journal and in faults; a
// Cloud's control calls for it are under /mockcloud/v1/routes.
const ServiceName = "routes"

// Initial is the set active on the main listener at start.
const Initial = "initial"

// Ops: a matched rule's op is OpPrefix + set + "." + the rule's name (or
// index): "routes.initial.0", "routes.login.token"; a request no active
// rule matches, on a listener of the rules' own, is OpUnmatched.
const (
	OpPrefix    = "routes."
	OpUnmatched = "routes.unmatched"
)

// Option configures the routes service: the shared fake.WithClock and
// fake.WithSeed (on its own), and this package's own below.
type Option = fake.Option

type config struct {
	sets      []Set
	listeners []string
	dir       string
	poll      time.Duration
	log       io.Writer
}

// WithSets provisions sets at start (Initial active on the main listener,
// and each set named after an extra listener on that listener). A set
// that does not compile makes the service refuse to build.
func WithSets(sets ...Set) Option {
	list := make([]Set, len(sets))
	for i, s := range sets {
		list[i] = cloneSet(s)
	}
	return fake.Configure(func(c *config) { c.sets = append(c.sets, list...) })
}

// WithListeners names the extra listeners the rules serve on, each an
// origin of its own: a Cloud gives each a port at Start, named
// "routes/<name>" (Cloud.ServiceURL("routes/api", ""); the standalone
// server's -routes-listen api=addr).
func WithListeners(names ...string) Option {
	list := append([]string(nil), names...)
	return fake.Configure(func(c *config) { c.listeners = append(c.listeners, list...) })
}

// WithDir loads one set per file of dir at start (<name>.json, a [Set]
// whose name is the file's), and polls the files' modification times and
// sizes every interval (a second when zero): a changed or new file is
// provisioned again (a bad one is logged and its set kept as it was), a
// removed one's set is deleted. A bad file at start makes the service
// refuse to build.
func WithDir(dir string, interval time.Duration) Option {
	return fake.Configure(func(c *config) { c.dir, c.poll = dir, interval })
}

// WithLog is where the service says what it reloaded or refused (the
// standalone server's stderr); nothing is said without it.
func WithLog(w io.Writer) Option { return fake.Configure(func(c *config) { c.log = w }) }

// Routes is the programmable routes service: named sets of rules, one
// active per listener, served on the paths no service owns of a Cloud's
// main listener and on extra listeners of their own.
type Routes struct {
	*kit.Service // the main listener's

	extra     map[string]*kit.Service // by listener name
	listeners []string                // sorted
	funcs     template.FuncMap
	dir       *dirLoader
	log       io.Writer

	mu     sync.Mutex
	sets   map[string]*setState
	active map[string]string // set name by listener ("" is the main one)
	own    standalone
}

// setState is a provisioned set and what its use has changed.
type setState struct {
	set    *compiledSet
	file   string // the file it was loaded from, if it was
	uses   []int  // matches by rule
	state  string // the scenario's state
	loaded time.Time
}

func factory() kit.Factory[*Routes, config] {
	return kit.Factory[*Routes, config]{Name: ServiceName, Build: build}
}

// Descriptor is the routes service for a Cloud (mockcloud.WithRoutes
// mounts it). Its rules of the main listener answer the paths no other
// service owns at the Cloud's root, and everything under /routes.
func Descriptor() kit.Descriptor {
	return kit.Descriptor{Name: ServiceName, Prefix: "/routes", New: factory().InCloud}
}

// New starts the service on its own, on a loopback port, and closes it
// when the test ends; its URL serves the main listener's rules.
func New(t fake.TB, opts ...Option) *Routes { t.Helper(); return factory().New(t, opts) }

// NewUnstarted builds the service on its own without starting it.
func NewUnstarted(opts ...Option) (*Routes, error) { return factory().NewUnstarted(opts) }

func build(env kit.Env, _ kit.Site, cfg config) (*Routes, error) {
	rt := &Routes{extra: map[string]*kit.Service{}, sets: map[string]*setState{}, active: map[string]string{}, log: cfg.log}
	seen := map[string]bool{}
	for _, l := range cfg.listeners {
		if !setName.MatchString(l) || seen[l] {
			return nil, fmt.Errorf("routes: listener %q: a name of letters, digits, '.', '_' or '-', given once", l)
		}
		seen[l] = true
		rt.listeners = append(rt.listeners, l)
	}
	sort.Strings(rt.listeners)
	rt.Service = rt.newService(env, "")
	for _, l := range rt.listeners {
		rt.extra[l] = rt.newService(env, l)
	}
	rng := rt.RNGStream("templates")
	rt.funcs = template.FuncMap{
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"uuid": rng.UUID,
	}
	var sets []source
	for _, s := range cfg.sets {
		sets = append(sets, source{Set: s})
	}
	if cfg.dir != "" {
		rt.dir = &dirLoader{rt: rt, dir: cfg.dir, every: cfg.poll, stamps: map[string]stamp{}, stop: make(chan struct{})}
		loaded, err := rt.dir.loadAll()
		if err != nil {
			return nil, err
		}
		sets = append(sets, loaded...)
	}
	now := env.Clock.Now()
	for _, s := range sets {
		c, err := compile(s.Set, rt.listeners, rt.funcs)
		if err != nil {
			return nil, fmt.Errorf("routes: %s%v", s.where(), err)
		}
		rt.sets[s.Name] = newSetState(c, s.file, now)
	}
	names := make([]string, 0, len(rt.sets))
	for name := range rt.sets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rt.activateDefaultLocked(rt.sets[name].set)
	}
	if rt.dir != nil {
		rt.dir.start()
	}
	return rt, nil
}

// activateDefaultLocked activates c if it is its listener's default (the
// set Initial, or one named after its extra listener) and the listener
// has no active set.
func (rt *Routes) activateDefaultLocked(c *compiledSet) {
	if c.Name != Initial && c.Name != c.Listener {
		return
	}
	if _, ok := rt.active[c.Listener]; !ok {
		rt.active[c.Listener] = c.Name
	}
}

func newSetState(c *compiledSet, file string, now time.Time) *setState {
	st := &setState{set: c, file: file, uses: make([]int, len(c.rules)), loaded: now}
	if len(c.States) > 0 {
		st.state = c.States[0]
	}
	return st
}

// newService is the kit pipeline of one listener: every request is
// journaled as service "routes" (region: the listener's name, "" for the
// main one) under its rule's op, and faults apply.
func (rt *Routes) newService(env kit.Env, listener string) *kit.Service {
	spec := kit.Spec{
		Name:            ServiceName,
		Unauthenticated: true,
		Errors:          errorFormat,
		Routes: func() []kit.Route {
			return []kit.Route{{Op: OpUnmatched, Method: "*", Path: "/{path:.*}", Handler: rt.answer, Refine: refineOp}}
		},
	}
	if listener == "" {
		spec.OnClose = rt.onClose
	}
	return kit.NewService(env, listener, spec)
}

func (rt *Routes) onClose() {
	rt.closeOwn()
	for _, s := range rt.extra {
		s.Close()
	}
	if rt.dir != nil {
		rt.dir.close()
	}
}

// Ops lists what a fault can name: OpUnmatched and the op of every rule
// of every provisioned set, sorted.
func (rt *Routes) Ops() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := []string{OpUnmatched}
	for _, st := range rt.sets {
		for _, c := range st.set.rules {
			out = append(out, c.op)
		}
	}
	sort.Strings(out)
	return out
}

// Origins are the extra listeners, for a Cloud to serve (kit.Origins).
func (rt *Routes) Origins() map[string]http.Handler {
	out := make(map[string]http.Handler, len(rt.extra))
	for name := range rt.extra {
		out[name] = rt.Listener(name)
	}
	return out
}

// Listener is the handler of an extra listener (nil for a name not given
// to WithListeners): for serving it yourself.
func (rt *Routes) Listener(name string) http.Handler {
	svc, ok := rt.extra[name]
	if !ok {
		return nil
	}
	return &listenerHandler{rt: rt, name: name, svc: svc}
}

// ServeHTTP serves the main listener's rules; a request no rule matches
// is a 404, journaled as OpUnmatched.
func (rt *Routes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(&listenerHandler{rt: rt, svc: rt.Service}).ServeHTTP(w, r)
}

// Fallback serves the main listener's rules in front of next, which gets
// (unjournaled) the requests no rule matches: a Cloud puts it at its root,
// behind every service (kit.Fallback).
func (rt *Routes) Fallback(next http.Handler) http.Handler {
	return &listenerHandler{rt: rt, svc: rt.Service, next: next}
}

// listenerHandler matches a request against the listener's active set,
// then runs the kit pipeline with the match in the request's context.
type listenerHandler struct {
	rt   *Routes
	name string
	svc  *kit.Service
	next http.Handler
}

type hitKey struct{}

// hit is a matched rule.
type hit struct {
	set   string
	rule  *compiled
	vars  map[string]string
	state string
	in    *incoming
}

func (h *listenerHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		// The kit reads the body again, to its limit: what is read here
		// goes back in front of the rest.
		body, _ = io.ReadAll(io.LimitReader(r.Body, kit.DefaultMaxBody+1))
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		if len(body) > kit.DefaultMaxBody {
			body = nil // a 413 from the kit; no rule sees it
		}
	}
	in := newIncoming(r, body)
	m := h.rt.take(h.name, in)
	if m == nil && h.next != nil {
		h.next.ServeHTTP(w, r)
		return
	}
	if m != nil {
		r = r.WithContext(context.WithValue(r.Context(), hitKey{}, m))
	}
	h.svc.ServeHTTP(w, r)
}

// take finds the first rule of the listener's active set that matches,
// counts its use and moves the scenario: under the lock, so concurrent
// requests see times and states in one order.
func (rt *Routes) take(listener string, in *incoming) *hit {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	name, ok := rt.active[listener]
	if !ok {
		return nil
	}
	st := rt.sets[name]
	for i, c := range st.set.rules {
		if c.Times > 0 && st.uses[i] >= c.Times {
			continue
		}
		if c.State != "" && c.State != st.state {
			continue
		}
		vars, ok := c.matches(in)
		if !ok {
			continue
		}
		st.uses[i]++
		m := &hit{set: name, rule: c, vars: vars, state: st.state, in: in}
		if c.NextState != "" {
			st.state = c.NextState
		}
		return m
	}
	return nil
}

func refineOp(r *http.Request, _ []byte) string {
	if m, ok := r.Context().Value(hitKey{}).(*hit); ok {
		return m.rule.op
	}
	return ""
}

// answer renders the matched rule's answer, after its delay.
func (rt *Routes) answer(call *kit.Call) (kit.Reply, error) {
	m, ok := call.Request.Context().Value(hitKey{}).(*hit)
	if !ok {
		return kit.Reply{}, kit.NotFound("No rule of the active route set matches %s %s.", call.Request.Method, call.Request.URL.Path)
	}
	a := m.rule.Answer
	view := m.in.view(m.vars)
	view.Now, view.State = call.Now, m.state
	var buf bytes.Buffer
	if err := m.rule.tmpl.Execute(&buf, view); err != nil {
		return kit.Reply{}, kit.Errorf(http.StatusInternalServerError, "Rule %s: its body template failed: %v", m.rule.op, err)
	}
	if a.Delay > 0 {
		if err := rt.wait(call, time.Duration(a.Delay)); err != nil {
			return kit.Reply{}, err
		}
	}
	contentType := ""
	for k, v := range a.Headers {
		if strings.EqualFold(k, "Content-Type") {
			contentType = v
			continue
		}
		call.Header().Set(k, v)
	}
	status := a.Status
	if status == 0 {
		status = http.StatusOK
	}
	if buf.Len() == 0 {
		if contentType != "" {
			call.Header().Set("Content-Type", contentType)
		}
		return kit.Status(status), nil
	}
	if contentType == "" {
		contentType = "application/json"
	}
	return kit.Raw(status, contentType, buf.Bytes()), nil
}

// wait holds the answer for d on the service's clock.
func (rt *Routes) wait(call *kit.Call, d time.Duration) error {
	ch := make(chan struct{})
	ev := rt.Clock().AfterFunc(d, func() { close(ch) })
	defer ev.Stop()
	select {
	case <-ch:
		return nil
	case <-call.Context().Done():
		return kit.Errorf(http.StatusServiceUnavailable, "The client went away during the rule's delay.")
	case <-rt.Done():
		return kit.Errorf(http.StatusServiceUnavailable, "The service closed during the rule's delay.")
	}
}

// errorFormat is the control API's: {"error":{"code","message"}}.
func errorFormat(_ *http.Request, e *kit.Error) kit.Reply {
	return kit.JSON(e.Status, errorBody{Error: errorDetail{Code: e.Status, Message: e.Message}})
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}
