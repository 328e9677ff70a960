package mesos

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"

	"github.com/mockcloud/mockcloud/fake"
)

// The legacy read-only endpoints render with their own field names (the
// v0 ones: slave_id, flat resource maps), as the master's JSON writers do.

// writeJSONP writes v as JSON, or as "callback(json)" with
// text/javascript when the request asks for ?jsonp=callback.
func writeJSONP(w http.ResponseWriter, r *http.Request, v any) {
	cb := r.URL.Query().Get("jsonp")
	if cb == "" {
		fake.WriteJSON(w, http.StatusOK, v)
		return
	}
	body := mustJSON(v)
	out := make([]byte, 0, len(cb)+len(body)+2)
	out = append(append(append(append(out, cb...), '('), body...), ')')
	w.Header().Set("Content-Type", "text/javascript")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

type jsonObj = map[string]any

func (m *Master) legacySlaveLocked(a *agent, full bool) jsonObj {
	o := jsonObj{
		"id":                   a.id,
		"hostname":             a.hostname,
		"port":                 a.port,
		"attributes":           flatAttributes(a.attrs),
		"pid":                  a.pid(),
		"registered_time":      secs(a.registered),
		"resources":            a.total.sum().flat(),
		"used_resources":       a.used.sum().flat(),
		"offered_resources":    a.offered.sum().flat(),
		"unreserved_resources": a.total["*"].flat(),
		"active":               a.state == AgentRegistered && !a.deactivated,
		"deactivated":          a.deactivated,
		"version":              m.cfg.Version,
		"capabilities":         capabilityNames(agentCapabilities),
	}
	if !a.reregistered.IsZero() {
		o["reregistered_time"] = secs(a.reregistered)
	}
	reserved := jsonObj{}
	reservedFull := jsonObj{}
	for _, role := range a.total.sortedRoles() {
		if role == "*" {
			continue
		}
		reserved[role] = a.total[role].flat()
		reservedFull[role] = a.total[role].wire(role, resourceFormat{})
	}
	o["reserved_resources"] = reserved
	if full {
		o["reserved_resources_full"] = reservedFull
		o["unreserved_resources_full"] = nonNil(a.total["*"].wire("*", resourceFormat{}))
		o["used_resources_full"] = a.used.wire(resourceFormat{})
		o["offered_resources_full"] = a.offered.wire(resourceFormat{})
	}
	return o
}

func nonNil(rs []wResource) []wResource {
	if rs == nil {
		return []wResource{}
	}
	return rs
}

func capabilityNames(cs []wCapability) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Type)
	}
	return out
}

func (m *Master) legacyTaskLocked(t *task) jsonObj {
	statuses := make([]jsonObj, 0, len(t.statuses))
	for _, s := range t.statuses {
		so := jsonObj{"state": s.State, "timestamp": s.Timestamp}
		if s.Healthy != nil {
			so["healthy"] = *s.Healthy
		}
		if s.Labels != nil {
			so["labels"] = s.Labels.Labels
		}
		statuses = append(statuses, so)
	}
	o := jsonObj{
		"id":           t.id,
		"name":         t.name,
		"framework_id": t.fw.id,
		"executor_id":  t.executorID,
		"slave_id":     t.agent.id,
		"state":        string(t.state),
		"resources":    t.res.sum().flat(),
		"role":         t.role,
		"statuses":     statuses,
	}
	if u := deref(t.fw.info.User); u != "" {
		o["user"] = u
	}
	if i := t.info; i != nil {
		if i.Labels != nil {
			o["labels"] = i.Labels.Labels
		}
		if rawSet(i.Discovery) {
			o["discovery"] = i.Discovery
		}
		if rawSet(i.Container) {
			o["container"] = i.Container
		}
		if rawSet(i.HealthCheck) {
			o["health_check"] = i.HealthCheck
		}
	}
	return o
}

// legacyCommand renders a CommandInfo as the master's JSON writer does.
func legacyCommand(raw rawJSON) jsonObj {
	var c struct {
		Shell     *bool    `json:"shell"`
		Value     *string  `json:"value"`
		Arguments []string `json:"arguments"`
		URIs      []struct {
			Value      string `json:"value"`
			Executable *bool  `json:"executable"`
		} `json:"uris"`
	}
	o := jsonObj{"argv": []string{}, "uris": []jsonObj{}}
	if !rawSet(raw) || json.Unmarshal(raw, &c) != nil {
		return o
	}
	if c.Shell != nil {
		o["shell"] = *c.Shell
	}
	if c.Value != nil {
		o["value"] = *c.Value
	}
	if c.Arguments != nil {
		o["argv"] = c.Arguments
	}
	uris := []jsonObj{}
	for _, u := range c.URIs {
		uris = append(uris, jsonObj{"value": u.Value, "executable": u.Executable != nil && *u.Executable})
	}
	o["uris"] = uris
	return o
}

// frameworkHeldLocked sums what a framework's tasks and executors hold
// and what its offers hold, ranges included.
func (m *Master) frameworkHeldLocked(fw *framework) (used, offered *pool) {
	used, offered = newPool(), newPool()
	for _, t := range fw.tasks {
		if !t.released {
			used.add(t.res.sum())
		}
	}
	for _, a := range m.agentList {
		for _, e := range a.executors {
			if e.fwID == fw.id {
				used.add(e.res.sum())
			}
		}
	}
	for _, o := range fw.offers {
		offered.add(o.res.sum())
	}
	return used, offered
}

func (m *Master) frameworkSummaryLocked(fw *framework) jsonObj {
	caps := []string{}
	for _, c := range fw.info.Capabilities {
		caps = append(caps, c.Type)
	}
	used, offered := m.frameworkHeldLocked(fw)
	return jsonObj{
		"id":                fw.id,
		"name":              deref(fw.info.Name),
		"used_resources":    used.flat(),
		"offered_resources": offered.flat(),
		"capabilities":      caps,
		"hostname":          deref(fw.info.Hostname),
		"webui_url":         deref(fw.info.WebuiURL),
		"active":            fw.connected() && !fw.completed,
		"connected":         fw.connected(),
		"recovered":         fw.recovered,
	}
}

func (m *Master) legacyFrameworkLocked(fw *framework) jsonObj {
	o := m.frameworkSummaryLocked(fw)
	o["user"] = deref(fw.info.User)
	o["failover_timeout"] = float64(*fw.info.FailoverTimeout)
	o["checkpoint"] = bool(*fw.info.Checkpoint)
	o["registered_time"] = secs(fw.registered)
	o["unregistered_time"] = secs(fw.unregistered)
	if fw.info.Principal != nil {
		o["principal"] = *fw.info.Principal
	}
	all, offered := m.frameworkHeldLocked(fw)
	all.add(offered)
	o["resources"] = all.flat()
	if !fw.reregistered.IsZero() {
		o["reregistered_time"] = secs(fw.reregistered)
	}
	if fw.caps["MULTI_ROLE"] {
		o["roles"] = fw.roles
	} else {
		o["role"] = fw.roles[0]
	}
	tasks := []jsonObj{}
	for _, t := range sortedTasks(fw.tasks) {
		tasks = append(tasks, m.legacyTaskLocked(t))
	}
	o["tasks"] = tasks
	unreachable := []jsonObj{}
	for _, t := range sortedTasks(fw.unreachable) {
		unreachable = append(unreachable, m.legacyTaskLocked(t))
	}
	o["unreachable_tasks"] = unreachable
	completed := []jsonObj{}
	for _, t := range fw.completedT {
		completed = append(completed, m.legacyTaskLocked(t))
	}
	o["completed_tasks"] = completed
	offers := []jsonObj{}
	for _, of := range m.sortedOffers(fw.offers) {
		offers = append(offers, jsonObj{
			"id": of.id, "framework_id": fw.id, "allocation_info": jsonObj{"role": of.role},
			"slave_id": of.agent.id, "resources": of.res.sum().flat(),
		})
	}
	o["offers"] = offers
	execs := []jsonObj{}
	for _, a := range m.agentList {
		keys := make([]string, 0)
		for k := range a.executors {
			if k.fw == fw.id {
				keys = append(keys, k.id)
			}
		}
		sort.Strings(keys)
		for _, id := range keys {
			e := a.executors[execKey{fw.id, id}]
			eo := jsonObj{
				"executor_id":  id,
				"name":         deref(e.info.Name),
				"framework_id": fw.id,
				"command":      legacyCommand(e.info.Command),
				"resources":    e.res.sum().flat(),
				"slave_id":     a.id,
			}
			if e.info.Type != "" {
				eo["type"] = e.info.Type
			}
			if e.info.Labels != nil {
				eo["labels"] = e.info.Labels.Labels
			}
			execs = append(execs, eo)
		}
	}
	o["executors"] = execs
	if fw.info.Labels != nil {
		o["labels"] = fw.info.Labels.Labels
	}
	o["offer_constraints"] = jsonObj{}
	return o
}

func (m *Master) leaderInfoLocked() jsonObj {
	mi := m.masterInfoLocked()
	return jsonObj{"id": mi.ID, "pid": mi.PID, "port": mi.Port, "hostname": mi.Hostname}
}

// serveState is GET /master/state.
func (m *Master) serveState(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	var active, inactive, unreachable int
	slaves := []jsonObj{}
	for _, a := range m.agentList {
		switch a.state {
		case AgentRegistered:
			if a.deactivated {
				inactive++
			} else {
				active++
			}
			slaves = append(slaves, m.legacySlaveLocked(a, false))
		case AgentUnreachable:
			unreachable++
		}
	}
	frameworks := []jsonObj{}
	for _, fw := range m.fwList {
		frameworks = append(frameworks, m.legacyFrameworkLocked(fw))
	}
	completed := []jsonObj{}
	for _, fw := range m.completed {
		completed = append(completed, m.legacyFrameworkLocked(fw))
	}
	mi := m.masterInfoLocked()
	o := jsonObj{
		"version":                 m.cfg.Version,
		"build_date":              buildDate,
		"build_time":              buildTime,
		"build_user":              buildUser,
		"start_time":              secs(m.startTime),
		"elected_time":            secs(m.electedTime),
		"id":                      mi.ID,
		"pid":                     mi.PID,
		"hostname":                mi.Hostname,
		"capabilities":            capabilityNames(mi.Capabilities),
		"activated_slaves":        active,
		"deactivated_slaves":      inactive,
		"unreachable_slaves":      unreachable,
		"leader":                  mi.PID,
		"leader_info":             m.leaderInfoLocked(),
		"flags":                   m.flagsLocked(),
		"slaves":                  slaves,
		"recovered_slaves":        []jsonObj{},
		"frameworks":              frameworks,
		"completed_frameworks":    completed,
		"orphan_tasks":            []jsonObj{},
		"unregistered_frameworks": []jsonObj{},
	}
	if m.cfg.Cluster != "" {
		o["cluster"] = m.cfg.Cluster
	}
	m.mu.Unlock()
	writeJSONP(w, r, o)
}

// taskCounts is the per-state summary /state-summary reports.
func taskCounts(o jsonObj, tasks []*task) {
	counts := map[TaskState]int{}
	for _, t := range tasks {
		counts[t.state]++
	}
	for _, s := range []TaskState{TaskStaging, TaskStarting, TaskRunning, TaskKilling, TaskFinished, TaskKilled,
		TaskFailed, TaskLost, TaskError, TaskUnreachable} {
		o[string(s)] = counts[s]
	}
}

// serveStateSummary is GET /master/state-summary.
func (m *Master) serveStateSummary(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	byAgent := map[*agent][]*task{}
	agentFws := map[*agent]map[string]bool{}
	fwAgents := map[*framework]map[string]bool{}
	byFw := map[*framework][]*task{}
	for _, fw := range m.fwList {
		fwAgents[fw] = map[string]bool{}
		add := func(t *task) {
			byAgent[t.agent] = append(byAgent[t.agent], t)
			byFw[fw] = append(byFw[fw], t)
		}
		for _, t := range sortedTasks(fw.tasks) {
			add(t)
			if agentFws[t.agent] == nil {
				agentFws[t.agent] = map[string]bool{}
			}
			agentFws[t.agent][fw.id] = true
			fwAgents[fw][t.agent.id] = true
		}
		for _, t := range sortedTasks(fw.unreachable) {
			add(t)
		}
		for _, t := range fw.completedT {
			add(t)
		}
	}
	slaves := []jsonObj{}
	for _, a := range m.agentList {
		if a.state != AgentRegistered {
			continue
		}
		o := m.legacySlaveLocked(a, false)
		taskCounts(o, byAgent[a])
		o["framework_ids"] = sortedKeys(agentFws[a])
		slaves = append(slaves, o)
	}
	frameworks := []jsonObj{}
	for _, fw := range m.fwList {
		o := m.frameworkSummaryLocked(fw)
		taskCounts(o, byFw[fw])
		o["slave_ids"] = sortedKeys(fwAgents[fw])
		frameworks = append(frameworks, o)
	}
	o := jsonObj{"hostname": m.cfg.Hostname, "slaves": slaves, "frameworks": frameworks}
	if m.cfg.Cluster != "" {
		o["cluster"] = m.cfg.Cluster
	}
	m.mu.Unlock()
	writeJSONP(w, r, o)
}

// serveHealth is GET /master/health: 200 with no body.
func (m *Master) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// serveVersion is GET /version.
func (m *Master) serveVersion(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	o := jsonObj{"version": m.cfg.Version, "build_date": buildDate, "build_time": buildTime, "build_user": buildUser}
	m.mu.Unlock()
	writeJSONP(w, r, o)
}

// serveFrameworks is GET /master/frameworks (?framework_id=).
func (m *Master) serveFrameworks(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("framework_id")
	m.mu.Lock()
	frameworks, completed := []jsonObj{}, []jsonObj{}
	for _, fw := range m.fwList {
		if id == "" || id == fw.id {
			frameworks = append(frameworks, m.legacyFrameworkLocked(fw))
		}
	}
	for _, fw := range m.completed {
		if id == "" || id == fw.id {
			completed = append(completed, m.legacyFrameworkLocked(fw))
		}
	}
	m.mu.Unlock()
	writeJSONP(w, r, jsonObj{"frameworks": frameworks, "completed_frameworks": completed, "unregistered_frameworks": []jsonObj{}})
}

// serveSlaves is GET /master/slaves (?slave_id=).
func (m *Master) serveSlaves(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("slave_id")
	m.mu.Lock()
	slaves := []jsonObj{}
	for _, a := range m.agentList {
		if a.state == AgentRegistered && (id == "" || id == a.id) {
			slaves = append(slaves, m.legacySlaveLocked(a, true))
		}
	}
	m.mu.Unlock()
	writeJSONP(w, r, jsonObj{"slaves": slaves, "recovered_slaves": []jsonObj{}})
}

// serveTasks is GET /master/tasks: ?limit (default 100), ?offset,
// ?order=asc|des (by first status time, descending by default),
// ?framework_id, ?task_id.
func (m *Master) serveTasks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset := 100, 0
	if n, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = n
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil {
		offset = n
	}
	if limit < 0 {
		limit = 0
	}
	if offset < 0 {
		offset = 0
	}
	asc := q.Get("order") == "asc"
	fwID, taskID := q.Get("framework_id"), q.Get("task_id")
	m.mu.Lock()
	var tasks []*task
	for _, fw := range append(append([]*framework(nil), m.fwList...), m.completed...) {
		if fwID != "" && fw.id != fwID {
			continue
		}
		for _, set := range [][]*task{sortedTasks(fw.tasks), sortedTasks(fw.unreachable), fw.completedT} {
			for _, t := range set {
				if taskID == "" || t.id == taskID {
					tasks = append(tasks, t)
				}
			}
		}
	}
	first := func(t *task) float64 {
		if len(t.statuses) > 0 {
			return t.statuses[0].Timestamp
		}
		return secs(t.launched)
	}
	sort.SliceStable(tasks, func(i, j int) bool {
		if asc {
			return first(tasks[i]) < first(tasks[j])
		}
		return first(tasks[i]) > first(tasks[j])
	})
	out := []jsonObj{}
	end := len(tasks)
	if offset < end && limit < end-offset { // not offset+limit: it can overflow
		end = offset + limit
	}
	for i := offset; i < end; i++ {
		out = append(out, m.legacyTaskLocked(tasks[i]))
	}
	m.mu.Unlock()
	writeJSONP(w, r, jsonObj{"tasks": out})
}

// serveFlags is GET /master/flags.
func (m *Master) serveFlags(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	f := m.flagsLocked()
	m.mu.Unlock()
	writeJSONP(w, r, jsonObj{"flags": f})
}

// serveRoles is GET /master/roles.
func (m *Master) serveRoles(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	roles := m.rolesLocked()
	out := []jsonObj{}
	for _, name := range sortedKeys(roles) {
		u := roles[name]
		all := u.allocated.clone()
		all.add(u.offered)
		fws := append([]string{}, u.frameworks...)
		out = append(out, jsonObj{
			"name": name, "weight": 1.0, "frameworks": fws,
			"resources": all.sum().flat(), "allocated": u.allocated.sum().flat(),
			"offered": u.offered.sum().flat(), "reserved": u.reserved.sum().flat(),
		})
	}
	m.mu.Unlock()
	writeJSONP(w, r, jsonObj{"roles": out})
}

// serveMetricsSnapshot is GET /metrics/snapshot.
func (m *Master) serveMetricsSnapshot(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	ms := m.metricsLocked()
	m.mu.Unlock()
	writeJSONP(w, r, ms)
}

// serveRedirect is GET /master/redirect: 307 to the leading master (this
// one, wherever it is mounted), as a protocol-relative URL. Paths below
// /redirect/ are 404, to prevent redirect loops.
func (m *Master) serveRedirect(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/redirect", "/master/redirect":
	default:
		writeMesosError(w, r, http.StatusNotFound, "")
		return
	}
	w.Header().Set("Location", "//"+r.Host+fake.MountPrefix(r))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusTemporaryRedirect)
}

// serveTeardown is POST /master/teardown with frameworkId=<id>.
func (m *Master) serveTeardown(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, r, "POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeMesosError(w, r, http.StatusBadRequest, "Unable to decode query string: "+err.Error())
		return
	}
	id := r.PostForm.Get("frameworkId")
	if id == "" {
		writeMesosError(w, r, http.StatusBadRequest, "Missing 'frameworkId' query parameter in the request body")
		return
	}
	m.mu.Lock()
	fw := m.frameworks[id]
	if fw != nil {
		m.removeFrameworkLocked(fw)
	}
	m.mu.Unlock()
	if fw == nil {
		writeMesosError(w, r, http.StatusBadRequest, "No framework found with specified ID")
		return
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}
