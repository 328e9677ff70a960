package routes

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// source is a set and the file it came from ("" for one given in Go or
// over HTTP).
type source struct {
	Set
	file string
}

func (s source) where() string {
	if s.file == "" {
		return ""
	}
	return s.file + ": "
}

// Status is a provisioned set as GET /mockcloud/v1/routes/sets lists it.
type Status struct {
	Name     string `json:"name"`
	Listener string `json:"listener"` // "" is the main listener
	Active   bool   `json:"active"`
	// State is the scenario's state ("" without one).
	State string `json:"state,omitempty"`
	// File is where the set was loaded from, for a set of the routes
	// directory.
	File  string       `json:"file,omitempty"`
	Rules []RuleStatus `json:"rules"`
	// Provisioned is the clock's time when the set was last provisioned.
	Provisioned time.Time `json:"provisioned"`
}

// RuleStatus is one rule's use.
type RuleStatus struct {
	Op   string `json:"op"`
	Uses int    `json:"uses"`
	// Times is the rule's limit (0: none); Exhausted says it was reached.
	Times     int  `json:"times,omitempty"`
	Exhausted bool `json:"exhausted,omitempty"`
}

// Put provisions s (replacing a set of its name, whose counts and state
// start afresh; an active one stays active, on s's listener). Every rule
// is checked first: a *RuleError leaves everything as it was. It reports
// whether the set is new. A listener's default set (Initial on the main
// listener, a set named after its extra listener) becomes active when the
// listener has none.
func (rt *Routes) Put(s Set) (created bool, err error) {
	return rt.put(source{Set: s})
}

func (rt *Routes) put(s source) (bool, error) {
	c, err := compile(s.Set, rt.listeners, rt.funcs)
	if err != nil {
		return false, err
	}
	st := newSetState(c, s.file, rt.Now())
	rt.mu.Lock()
	defer rt.mu.Unlock()
	old, existed := rt.sets[s.Name]
	rt.sets[s.Name] = st
	if existed && rt.active[old.set.Listener] == s.Name {
		delete(rt.active, old.set.Listener)
		rt.active[c.Listener] = s.Name
	}
	rt.activateDefaultLocked(c)
	return !existed, nil
}

// Activate makes the set named name the active one of its listener, in
// one step, with its counts and scenario state afresh. It fails for a set
// not provisioned.
func (rt *Routes) Activate(name string) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	st, ok := rt.sets[name]
	if !ok {
		return rt.notFoundLocked(name)
	}
	rt.sets[name] = newSetState(st.set, st.file, rt.Now())
	rt.active[st.set.Listener] = name
	return nil
}

// Delete removes the set named name (its listener then has no active set
// if it was the active one). It fails for a set not provisioned.
func (rt *Routes) Delete(name string) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.deleteLocked(name)
}

// deleteFrom deletes the set name if it was loaded from file.
func (rt *Routes) deleteFrom(name, file string) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if st, ok := rt.sets[name]; !ok || st.file != file {
		return false
	}
	return rt.deleteLocked(name) == nil
}

func (rt *Routes) deleteLocked(name string) error {
	st, ok := rt.sets[name]
	if !ok {
		return rt.notFoundLocked(name)
	}
	delete(rt.sets, name)
	if rt.active[st.set.Listener] == name {
		delete(rt.active, st.set.Listener)
	}
	return nil
}

func (rt *Routes) notFoundLocked(name string) error {
	names := make([]string, 0, len(rt.sets))
	for n := range rt.sets {
		names = append(names, n)
	}
	sort.Strings(names)
	return kit.NotFound("No route set %q is provisioned (sets: %v).", name, names)
}

// Sets are the provisioned sets' statuses, by name.
func (rt *Routes) Sets() []Status {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make([]Status, 0, len(rt.sets))
	for name := range rt.sets {
		out = append(out, rt.statusLocked(name))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Set is the set named name as provisioned, and its status.
func (rt *Routes) Set(name string) (Set, Status, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	st, ok := rt.sets[name]
	if !ok {
		return Set{}, Status{}, false
	}
	s := cloneSet(st.set.Set)
	s.Name = name
	return s, rt.statusLocked(name), true
}

func (rt *Routes) statusLocked(name string) Status {
	st := rt.sets[name]
	out := Status{Name: name, Listener: st.set.Listener, Active: rt.active[st.set.Listener] == name, State: st.state,
		File: st.file, Provisioned: st.loaded, Rules: make([]RuleStatus, len(st.set.rules))}
	for i, c := range st.set.rules {
		out.Rules[i] = RuleStatus{Op: c.op, Uses: st.uses[i], Times: c.Times, Exhausted: c.Times > 0 && st.uses[i] >= c.Times}
	}
	return out
}

// Listeners are the extra listeners' names, sorted.
func (rt *Routes) Listeners() []string { return append([]string(nil), rt.listeners...) }

// Control ops: the calls of the control API under /mockcloud/v1/routes.
const (
	OpControlList     = "control.routes.sets.list"
	OpControlGet      = "control.routes.sets.get"
	OpControlPut      = "control.routes.sets.put"
	OpControlDelete   = "control.routes.sets.delete"
	OpControlActivate = "control.routes.sets.activate"
	OpControlReload   = "control.routes.reload"
)

// ControlRoutes are the control calls a Cloud serves under
// /mockcloud/v1/routes (kit.Controls):
//
//	GET    /sets                  -> {"sets": [status...]}
//	GET    /sets/{name}           -> {"set": the set, "status": its status}
//	PUT    /sets/{name}           a Set -> 201 (new) or 200 {"status"}; 400 naming the rule and field
//	DELETE /sets/{name}           -> 204, or 404
//	POST   /sets/{name}/activate  -> 200 {"status"}, or 404
//	POST   /reload                -> 200 {"sets"}: the routes directory read now; 400 listing bad files
func (rt *Routes) ControlRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpControlList, Method: "GET,HEAD", Path: "/sets", Handler: rt.ctlList},
		{Op: OpControlGet, Method: "GET,HEAD", Path: "/sets/{name}", Handler: rt.ctlGet},
		{Op: OpControlPut, Method: "PUT", Path: "/sets/{name}", Handler: rt.ctlPut},
		{Op: OpControlDelete, Method: "DELETE", Path: "/sets/{name}", Handler: rt.ctlDelete},
		{Op: OpControlActivate, Method: "POST", Path: "/sets/{name}/activate", Handler: rt.ctlActivate},
		{Op: OpControlReload, Method: "POST", Path: "/reload", Handler: rt.ctlReload},
	}
}

type setList struct {
	Sets []Status `json:"sets"`
}

type setDoc struct {
	Set    *Set   `json:"set,omitempty"`
	Status Status `json:"status"`
}

func (rt *Routes) ctlList(*kit.Call) (kit.Reply, error) { return kit.OK(setList{Sets: rt.Sets()}), nil }

func (rt *Routes) ctlGet(call *kit.Call) (kit.Reply, error) {
	s, st, ok := rt.Set(call.Var("name"))
	if !ok {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		return kit.Reply{}, rt.notFoundLocked(call.Var("name"))
	}
	return kit.OK(setDoc{Set: &s, Status: st}), nil
}

func (rt *Routes) ctlPut(call *kit.Call) (kit.Reply, error) {
	var s Set
	if err := call.DecodeJSON(&s, kit.DecodeOptions{DisallowUnknownFields: true}); err != nil {
		return kit.Reply{}, err
	}
	name := call.Var("name")
	if s.Name != "" && s.Name != name {
		return kit.Reply{}, kit.BadRequest("The set's name %q differs from the URL's %q.", s.Name, name)
	}
	s.Name = name
	created, err := rt.Put(s)
	if err != nil {
		return kit.Reply{}, kit.BadRequest("%v", err)
	}
	_, st, _ := rt.Set(name)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return kit.JSON(status, setDoc{Status: st}), nil
}

func (rt *Routes) ctlDelete(call *kit.Call) (kit.Reply, error) {
	if err := rt.Delete(call.Var("name")); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

func (rt *Routes) ctlActivate(call *kit.Call) (kit.Reply, error) {
	if err := rt.Activate(call.Var("name")); err != nil {
		return kit.Reply{}, err
	}
	_, st, _ := rt.Set(call.Var("name"))
	return kit.OK(setDoc{Status: st}), nil
}

func (rt *Routes) ctlReload(*kit.Call) (kit.Reply, error) {
	if rt.dir == nil {
		return kit.Reply{}, kit.Conflict("The routes service has no directory to reload (-routes DIR, routes.WithDir).")
	}
	if err := rt.dir.poll(); err != nil {
		return kit.Reply{}, kit.BadRequest("%v", err)
	}
	return kit.OK(setList{Sets: rt.Sets()}), nil
}

// String names a hit for logs.
func (m *hit) String() string { return fmt.Sprintf("%s (set %s)", m.rule.op, m.set) }
