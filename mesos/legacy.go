package mesos

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/mockcloud/mockcloud/kit"
)

// The legacy read-only endpoints render with their own field names (the
// v0 ones: slave_id, flat resource maps), as the master's JSON writers do.

// jsonp answers v as JSON, or as "callback(json)" with text/javascript
// when the request asks for ?jsonp=callback.
func jsonp(c *kit.Call, v any) (kit.Reply, error) {
	cb := c.Query().Get("jsonp")
	if cb == "" {
		return kit.OK(v), nil
	}
	body := mustJSON(v)
	out := make([]byte, 0, len(cb)+len(body)+2)
	out = append(append(append(append(out, cb...), '('), body...), ')')
	return kit.Raw(http.StatusOK, "text/javascript", out), nil
}

// legacySlaveLocked renders an agent; full adds its resources in full,
// as /slaves does.
func (m *Master) legacySlaveLocked(a *agent, full bool) legacySlave {
	o := legacySlave{
		ID:                  a.id,
		Hostname:            a.hostname,
		Port:                a.port,
		Attributes:          flatAttributes(a.attrs),
		PID:                 a.pid(),
		RegisteredTime:      secs(a.registered),
		ReregisteredTime:    secs(a.reregistered),
		Resources:           a.total.sum().flat(),
		UsedResources:       a.used.sum().flat(),
		OfferedResources:    a.offered.sum().flat(),
		ReservedResources:   map[string]flatResources{},
		UnreservedResources: a.total["*"].flat(),
		Active:              a.state == AgentRegistered && !a.deactivated,
		Deactivated:         a.deactivated,
		Version:             m.cfg.Version,
		Capabilities:        capabilityNames(agentCapabilities),
	}
	if full {
		o.legacySlaveFull = &legacySlaveFull{
			ReservedResourcesFull:   map[string][]wResource{},
			UnreservedResourcesFull: nonNil(a.total["*"].wire("*", resourceFormat{})),
			UsedResourcesFull:       a.used.wire(resourceFormat{}),
			OfferedResourcesFull:    a.offered.wire(resourceFormat{}),
		}
	}
	for _, role := range a.total.sortedRoles() {
		if role == "*" {
			continue
		}
		o.ReservedResources[role] = a.total[role].flat()
		if full {
			o.ReservedResourcesFull[role] = a.total[role].wire(role, resourceFormat{})
		}
	}
	return o
}

func nonNil(rs []wResource) []wResource {
	if rs == nil {
		return []wResource{}
	}
	return rs
}

func capabilityNames[C wFrameworkCapability | wAgentCapability](cs []C) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, wFrameworkCapability(c).Type)
	}
	return out
}

// labelList is a Labels message's list as the legacy endpoints write it:
// absent without the message, null for a message with no labels.
func labelList(l *wLabels) *[]wLabel {
	if l == nil {
		return nil
	}
	list := l.Labels
	return &list
}

func (m *Master) legacyTaskLocked(t *task) legacyTask {
	statuses := make([]legacyStatus, 0, len(t.statuses))
	for _, s := range t.statuses {
		statuses = append(statuses, legacyStatus{State: s.State, Timestamp: s.Timestamp, Labels: labelList(s.Labels),
			ContainerStatus: s.ContainerStatus, Healthy: s.Healthy})
	}
	o := legacyTask{
		ID:          t.id,
		Name:        t.name,
		FrameworkID: t.fw.id,
		ExecutorID:  t.executorID,
		SlaveID:     t.agent.id,
		State:       string(t.state),
		Resources:   t.res.sum().flat(),
		Role:        t.role,
		Statuses:    statuses,
		User:        deref(t.fw.info.User),
	}
	if i := t.info; i != nil {
		o.Labels = labelList(i.Labels)
		o.Discovery = rawOf(i.Discovery)
		o.Container = rawOf(i.Container)
		o.HealthCheck = rawOf(i.HealthCheck)
	}
	return o
}

// commandView is what the legacy endpoints show of a CommandInfo.
type commandView struct {
	Shell     *pbBool  `json:"shell" pb:"6"`
	Value     *string  `json:"value" pb:"3"`
	Arguments []string `json:"arguments" pb:"7"`
	URIs      []struct {
		Value      string  `json:"value" pb:"1"`
		Executable *pbBool `json:"executable" pb:"2"`
	} `json:"uris" pb:"1"`
}

// rawCommandField reads an ExecutorInfo's command (field 7) out of the
// wire bytes a rawMsg keeps.
type rawCommandField struct {
	Command commandView `pb:"7"`
}

// legacyCommand renders a CommandInfo as the master's JSON writer does.
func legacyCommand(raw rawMsg) legacyCommandInfo {
	o := legacyCommandInfo{Argv: []string{}, URIs: []legacyURI{}}
	var c commandView
	switch {
	case len(raw.json) > 0:
		if json.Unmarshal(raw.json, &c) != nil {
			return o
		}
	case raw.pb != nil:
		var f rawCommandField
		if unmarshalPB(raw.pb, &f) != nil {
			return o
		}
		c = f.Command
	default:
		return o
	}
	o.Shell, o.Value = (*bool)(c.Shell), c.Value
	if c.Arguments != nil {
		o.Argv = c.Arguments
	}
	for _, u := range c.URIs {
		o.URIs = append(o.URIs, legacyURI{Value: u.Value, Executable: u.Executable != nil && bool(*u.Executable)})
	}
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

func (m *Master) frameworkSummaryLocked(fw *framework) legacyFrameworkSummary {
	used, offered := m.frameworkHeldLocked(fw)
	return legacyFrameworkSummary{
		ID:               fw.id,
		Name:             deref(fw.info.Name),
		UsedResources:    used.flat(),
		OfferedResources: offered.flat(),
		Capabilities:     capabilityNames(fw.info.Capabilities),
		Hostname:         deref(fw.info.Hostname),
		WebuiURL:         deref(fw.info.WebuiURL),
		Active:           fw.connected() && !fw.completed,
		Connected:        fw.connected(),
		Recovered:        fw.recovered,
	}
}

func (m *Master) legacyFrameworkLocked(fw *framework) legacyFramework {
	all, offered := m.frameworkHeldLocked(fw)
	all.add(offered)
	o := legacyFramework{
		legacyFrameworkSummary: m.frameworkSummaryLocked(fw),
		User:                   deref(fw.info.User),
		FailoverTimeout:        float64(*fw.info.FailoverTimeout),
		Checkpoint:             bool(*fw.info.Checkpoint),
		RegisteredTime:         secs(fw.registered),
		ReregisteredTime:       secs(fw.reregistered),
		UnregisteredTime:       secs(fw.unregistered),
		Resources:              all.flat(),
		Tasks:                  m.legacyTasksLocked(sortedTasks(fw.tasks)),
		UnreachableTasks:       m.legacyTasksLocked(sortedTasks(fw.unreachable)),
		CompletedTasks:         m.legacyTasksLocked(fw.completedT),
		Offers:                 []legacyOffer{},
		Executors:              m.legacyExecutorsLocked(fw),
		Labels:                 labelList(fw.info.Labels),
	}
	if p := fw.info.Principal; p != nil {
		principal := *p
		o.Principal = &principal
	}
	if fw.caps["MULTI_ROLE"] {
		roles := fw.roles
		o.Roles = &roles
	} else {
		role := fw.roles[0]
		o.Role = &role
	}
	for _, of := range m.sortedOffers(fw.offers) {
		o.Offers = append(o.Offers, legacyOffer{
			ID: of.id, FrameworkID: fw.id, AllocationInfo: legacyAllocation{Role: of.role},
			SlaveID: of.agent.id, Resources: of.res.sum().flat(),
		})
	}
	return o
}

func (m *Master) legacyTasksLocked(tasks []*task) []legacyTask {
	out := make([]legacyTask, 0, len(tasks))
	for _, t := range tasks {
		out = append(out, m.legacyTaskLocked(t))
	}
	return out
}

// legacyExecutorsLocked lists a framework's executors, agent by agent.
func (m *Master) legacyExecutorsLocked(fw *framework) []legacyExecutor {
	execs := []legacyExecutor{}
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
			execs = append(execs, legacyExecutor{
				ExecutorID:  id,
				Name:        deref(e.info.Name),
				FrameworkID: fw.id,
				Command:     legacyCommand(e.info.Command),
				Resources:   e.res.sum().flat(),
				SlaveID:     a.id,
				Type:        e.info.Type,
				Labels:      labelList(e.info.Labels),
			})
		}
	}
	return execs
}

func (m *Master) legacyFrameworksLocked(fws []*framework, id string) []legacyFramework {
	out := []legacyFramework{}
	for _, fw := range fws {
		if id == "" || id == fw.id {
			out = append(out, m.legacyFrameworkLocked(fw))
		}
	}
	return out
}

// serveState is GET /master/state.
func (m *Master) serveState(c *kit.Call) (kit.Reply, error) { return jsonp(c, m.stateJSON()) }

func (m *Master) stateJSON() legacyState {
	m.mu.Lock()
	defer m.mu.Unlock()
	mi := m.masterInfoLocked()
	o := legacyState{
		Version:                m.cfg.Version,
		BuildDate:              buildDate,
		BuildTime:              buildTime,
		BuildUser:              buildUser,
		StartTime:              secs(m.startTime),
		ElectedTime:            secs(m.electedTime),
		ID:                     mi.ID,
		PID:                    mi.PID,
		Hostname:               mi.Hostname,
		Capabilities:           masterCapabilitiesV0,
		Cluster:                m.cfg.Cluster,
		Leader:                 mi.PID,
		LeaderInfo:             legacyLeader{ID: mi.ID, PID: mi.PID, Port: mi.Port, Hostname: mi.Hostname},
		Flags:                  m.flagsLocked(),
		Slaves:                 []legacySlave{},
		RecoveredSlaves:        none{},
		Frameworks:             m.legacyFrameworksLocked(m.fwList, ""),
		CompletedFrameworks:    m.legacyFrameworksLocked(m.completed, ""),
		OrphanTasks:            none{},
		UnregisteredFrameworks: none{},
	}
	for _, a := range m.agentList {
		switch a.state {
		case AgentRegistered:
			if a.deactivated {
				o.DeactivatedSlaves++
			} else {
				o.ActivatedSlaves++
			}
			o.Slaves = append(o.Slaves, m.legacySlaveLocked(a, false))
		case AgentUnreachable:
			o.UnreachableSlaves++
		}
	}
	return o
}

// countTasks is the per-state summary /state-summary reports.
func countTasks(tasks []*task) legacyTaskCounts {
	var c legacyTaskCounts
	counters := map[TaskState]*int{
		TaskStaging: &c.Staging, TaskStarting: &c.Starting, TaskRunning: &c.Running, TaskKilling: &c.Killing,
		TaskFinished: &c.Finished, TaskKilled: &c.Killed, TaskFailed: &c.Failed, TaskLost: &c.Lost,
		TaskError: &c.Error, TaskUnreachable: &c.Unreachable,
	}
	for _, t := range tasks {
		if n := counters[t.state]; n != nil {
			*n++
		}
	}
	return c
}

// serveStateSummary is GET /master/state-summary.
func (m *Master) serveStateSummary(c *kit.Call) (kit.Reply, error) {
	return jsonp(c, m.stateSummaryJSON())
}

// summaryIndex is who ran what where, for /state-summary.
type summaryIndex struct {
	byAgent  map[*agent][]*task
	byFw     map[*framework][]*task
	agentFws map[*agent]map[string]bool
	fwAgents map[*framework]map[string]bool
}

func (m *Master) summaryIndexLocked() summaryIndex {
	x := summaryIndex{byAgent: map[*agent][]*task{}, byFw: map[*framework][]*task{},
		agentFws: map[*agent]map[string]bool{}, fwAgents: map[*framework]map[string]bool{}}
	for _, fw := range m.fwList {
		x.fwAgents[fw] = map[string]bool{}
		add := func(t *task) {
			x.byAgent[t.agent] = append(x.byAgent[t.agent], t)
			x.byFw[fw] = append(x.byFw[fw], t)
		}
		for _, t := range sortedTasks(fw.tasks) {
			add(t)
			if x.agentFws[t.agent] == nil {
				x.agentFws[t.agent] = map[string]bool{}
			}
			x.agentFws[t.agent][fw.id] = true
			x.fwAgents[fw][t.agent.id] = true
		}
		for _, t := range sortedTasks(fw.unreachable) {
			add(t)
		}
		for _, t := range fw.completedT {
			add(t)
		}
	}
	return x
}

func (m *Master) stateSummaryJSON() legacyStateSummary {
	m.mu.Lock()
	defer m.mu.Unlock()
	x := m.summaryIndexLocked()
	o := legacyStateSummary{Hostname: m.cfg.Hostname, Cluster: m.cfg.Cluster,
		Slaves: []legacySummarySlave{}, Frameworks: []legacySummaryFramework{}}
	for _, a := range m.agentList {
		if a.state == AgentRegistered {
			o.Slaves = append(o.Slaves, legacySummarySlave{legacySlave: m.legacySlaveLocked(a, false),
				legacyTaskCounts: countTasks(x.byAgent[a]), FrameworkIDs: sortedKeys(x.agentFws[a])})
		}
	}
	for _, fw := range m.fwList {
		o.Frameworks = append(o.Frameworks, legacySummaryFramework{legacyFrameworkSummary: m.frameworkSummaryLocked(fw),
			legacyTaskCounts: countTasks(x.byFw[fw]), SlaveIDs: sortedKeys(x.fwAgents[fw])})
	}
	return o
}

// serveHealth is GET /master/health: 200 with no body.
func serveHealth(c *kit.Call) (kit.Reply, error) { return noContent(c, http.StatusOK), nil }

// serveVersion is GET /version.
func (m *Master) serveVersion(c *kit.Call) (kit.Reply, error) {
	return jsonp(c, m.versionJSON())
}

func (m *Master) versionJSON() legacyVersion {
	m.mu.Lock()
	defer m.mu.Unlock()
	return legacyVersion{Version: m.cfg.Version, BuildDate: buildDate, BuildTime: buildTime, BuildUser: buildUser}
}

// serveFrameworks is GET /master/frameworks (?framework_id=).
func (m *Master) serveFrameworks(c *kit.Call) (kit.Reply, error) {
	return jsonp(c, m.frameworksJSON(c.Query().Get("framework_id")))
}

func (m *Master) frameworksJSON(id string) legacyFrameworks {
	m.mu.Lock()
	defer m.mu.Unlock()
	return legacyFrameworks{
		Frameworks:             m.legacyFrameworksLocked(m.fwList, id),
		CompletedFrameworks:    m.legacyFrameworksLocked(m.completed, id),
		UnregisteredFrameworks: none{},
	}
}

// serveSlaves is GET /master/slaves (?slave_id=).
func (m *Master) serveSlaves(c *kit.Call) (kit.Reply, error) {
	return jsonp(c, m.slavesJSON(c.Query().Get("slave_id")))
}

func (m *Master) slavesJSON(id string) legacySlaves {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := legacySlaves{Slaves: []legacySlave{}, RecoveredSlaves: none{}}
	for _, a := range m.agentList {
		if a.state == AgentRegistered && (id == "" || id == a.id) {
			out.Slaves = append(out.Slaves, m.legacySlaveLocked(a, true))
		}
	}
	return out
}

// serveTasks is GET /master/tasks: ?limit (default 100), ?offset,
// ?order=asc|des (by first status time, descending by default),
// ?framework_id, ?task_id.
func (m *Master) serveTasks(c *kit.Call) (kit.Reply, error) {
	return jsonp(c, m.tasksJSON(parseTaskQuery(c.Query())))
}

// taskQuery is what GET /master/tasks asks for.
type taskQuery struct {
	limit, offset   int
	asc             bool
	frameworkID, id string
}

func parseTaskQuery(q url.Values) taskQuery {
	tq := taskQuery{limit: 100, asc: q.Get("order") == "asc", frameworkID: q.Get("framework_id"), id: q.Get("task_id")}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil {
		tq.limit = n
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil {
		tq.offset = n
	}
	tq.limit, tq.offset = max(tq.limit, 0), max(tq.offset, 0)
	return tq
}

func (m *Master) tasksJSON(q taskQuery) legacyTasks {
	m.mu.Lock()
	defer m.mu.Unlock()
	var tasks []*task
	for _, fw := range append(append([]*framework(nil), m.fwList...), m.completed...) {
		if q.frameworkID != "" && fw.id != q.frameworkID {
			continue
		}
		for _, set := range [][]*task{sortedTasks(fw.tasks), sortedTasks(fw.unreachable), fw.completedT} {
			for _, t := range set {
				if q.id == "" || t.id == q.id {
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
		if q.asc {
			return first(tasks[i]) < first(tasks[j])
		}
		return first(tasks[i]) > first(tasks[j])
	})
	end := len(tasks)
	if q.offset < end && q.limit < end-q.offset { // not offset+limit: it can overflow
		end = q.offset + q.limit
	}
	if q.offset >= end {
		return legacyTasks{Tasks: []legacyTask{}}
	}
	return legacyTasks{Tasks: m.legacyTasksLocked(tasks[q.offset:end])}
}

// serveFlags is GET /master/flags.
func (m *Master) serveFlags(c *kit.Call) (kit.Reply, error) { return jsonp(c, m.flagsJSON()) }

func (m *Master) flagsJSON() legacyFlags {
	m.mu.Lock()
	defer m.mu.Unlock()
	return legacyFlags{Flags: m.flagsLocked()}
}

// serveRoles is GET /master/roles.
func (m *Master) serveRoles(c *kit.Call) (kit.Reply, error) { return jsonp(c, m.rolesJSON()) }

func (m *Master) rolesJSON() legacyRoles {
	m.mu.Lock()
	defer m.mu.Unlock()
	roles := m.rolesLocked()
	out := legacyRoles{Roles: []legacyRole{}}
	for _, name := range sortedKeys(roles) {
		u := roles[name]
		all := u.allocated.clone()
		all.add(u.offered)
		out.Roles = append(out.Roles, legacyRole{
			Name: name, Weight: 1, Frameworks: append([]string{}, u.frameworks...),
			Resources: all.sum().flat(), Allocated: u.allocated.sum().flat(),
			Offered: u.offered.sum().flat(), Reserved: u.reserved.sum().flat(),
		})
	}
	return out
}

// serveMetricsSnapshot is GET /metrics/snapshot.
func (m *Master) serveMetricsSnapshot(c *kit.Call) (kit.Reply, error) {
	return jsonp(c, m.metricsSnapshot())
}

func (m *Master) metricsSnapshot() map[string]float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.metricsLocked()
}

// serveRedirect is GET /master/redirect: 307 to the leading master (this
// one, wherever it is mounted), as a protocol-relative URL.
func serveRedirect(c *kit.Call) (kit.Reply, error) {
	c.Header().Set("Location", "//"+c.Request.Host+kit.MountPrefix(c.Request))
	return noContent(c, http.StatusTemporaryRedirect), nil
}

// serveRedirectBelow answers the paths below /redirect: 404 with no body,
// to prevent redirect loops.
func serveRedirectBelow(*kit.Call) (kit.Reply, error) {
	return kit.Reply{}, kit.Errorf(http.StatusNotFound, "")
}

// serveTeardown is POST /master/teardown with frameworkId=<id>.
func (m *Master) serveTeardown(c *kit.Call) (kit.Reply, error) {
	if err := postOnly(c); err != nil {
		return kit.Reply{}, err
	}
	form, err := postForm(c)
	if err != nil {
		return kit.Reply{}, badRequest("Unable to decode query string: %s", err.Error())
	}
	id := form.Get("frameworkId")
	if id == "" {
		return kit.Reply{}, badRequest("Missing 'frameworkId' query parameter in the request body")
	}
	if err := m.TeardownFramework(id); err != nil {
		return kit.Reply{}, badRequest("No framework found with specified ID")
	}
	return noContent(c, http.StatusOK), nil
}

// postForm parses the call's form as http.Request.ParseForm does (the
// query string and a form-encoded body), from the buffered body.
func postForm(c *kit.Call) (url.Values, error) {
	r := *c.Request
	r.Body = io.NopCloser(bytes.NewReader(c.Body))
	r.Form, r.PostForm = nil, nil
	err := r.ParseForm()
	return r.PostForm, err
}
