//lint:file-ignore ST1005 the errors here carry the Mesos master's own messages, capitalised as it writes them: clients see them as plain-text bodies.

package mesos

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// opCall is mesos.v1.master.Call. Sub-messages of calls the fake does not
// emulate are kept raw, only to check they are present.
type opCall struct {
	Type                      string          `json:"type" pb:"1,master.Call.Type"`
	GetMetrics                *opGetMetrics   `json:"get_metrics" pb:"2"`
	SetLoggingLevel           rawMsg          `json:"set_logging_level" pb:"3"`
	ListFiles                 rawMsg          `json:"list_files" pb:"4"`
	ReadFile                  rawMsg          `json:"read_file" pb:"5"`
	UpdateWeights             rawMsg          `json:"update_weights" pb:"6"`
	ReserveResources          rawMsg          `json:"reserve_resources" pb:"7"`
	UnreserveResources        rawMsg          `json:"unreserve_resources" pb:"8"`
	CreateVolumes             rawMsg          `json:"create_volumes" pb:"9"`
	DestroyVolumes            rawMsg          `json:"destroy_volumes" pb:"10"`
	GrowVolume                rawMsg          `json:"grow_volume" pb:"18"`
	ShrinkVolume              rawMsg          `json:"shrink_volume" pb:"19"`
	UpdateMaintenanceSchedule rawMsg          `json:"update_maintenance_schedule" pb:"11"`
	StartMaintenance          rawMsg          `json:"start_maintenance" pb:"12"`
	StopMaintenance           rawMsg          `json:"stop_maintenance" pb:"13"`
	DrainAgent                *opAgentCall    `json:"drain_agent" pb:"21"`
	DeactivateAgent           *opAgentCall    `json:"deactivate_agent" pb:"22"`
	ReactivateAgent           *opAgentCall    `json:"reactivate_agent" pb:"23"`
	UpdateQuota               rawMsg          `json:"update_quota" pb:"20"`
	SetQuota                  rawMsg          `json:"set_quota" pb:"14"`
	RemoveQuota               rawMsg          `json:"remove_quota" pb:"15"`
	Teardown                  *opTeardownCall `json:"teardown" pb:"16"`
	MarkAgentGone             *opAgentCall    `json:"mark_agent_gone" pb:"17"`
}

type opGetMetrics struct {
	Timeout *wDurationInfo `json:"timeout" pb:"1"`
}

type opAgentCall struct {
	AgentID *wID `json:"agent_id" pb:"1"`
}

type opTeardownCall struct {
	FrameworkID *wID `json:"framework_id" pb:"1"`
}

// opCallTypes lists mesos.v1.master.Call.Type, with the sub-message each
// requires ("" for none).
var opCallTypes = map[string]string{
	"UNKNOWN": "", "GET_HEALTH": "", "GET_FLAGS": "", "GET_VERSION": "", "GET_METRICS": "get_metrics",
	"GET_LOGGING_LEVEL": "", "SET_LOGGING_LEVEL": "set_logging_level", "LIST_FILES": "list_files",
	"READ_FILE": "read_file", "GET_STATE": "", "GET_AGENTS": "", "GET_FRAMEWORKS": "", "GET_EXECUTORS": "",
	"GET_OPERATIONS": "", "GET_TASKS": "", "GET_ROLES": "", "GET_WEIGHTS": "", "UPDATE_WEIGHTS": "update_weights",
	"GET_MASTER": "", "SUBSCRIBE": "", "RESERVE_RESOURCES": "reserve_resources",
	"UNRESERVE_RESOURCES": "unreserve_resources", "CREATE_VOLUMES": "create_volumes",
	"DESTROY_VOLUMES": "destroy_volumes", "GROW_VOLUME": "grow_volume", "SHRINK_VOLUME": "shrink_volume",
	"GET_MAINTENANCE_STATUS": "", "GET_MAINTENANCE_SCHEDULE": "",
	"UPDATE_MAINTENANCE_SCHEDULE": "update_maintenance_schedule", "START_MAINTENANCE": "start_maintenance",
	"STOP_MAINTENANCE": "stop_maintenance", "DRAIN_AGENT": "drain_agent", "DEACTIVATE_AGENT": "deactivate_agent",
	"REACTIVATE_AGENT": "reactivate_agent", "GET_QUOTA": "", "UPDATE_QUOTA": "update_quota",
	"SET_QUOTA": "set_quota", "REMOVE_QUOTA": "remove_quota", "TEARDOWN": "teardown",
	"MARK_AGENT_GONE": "mark_agent_gone",
}

func (c *opCall) has(field string) bool {
	switch field {
	case "":
		return true
	case "get_metrics":
		return c.GetMetrics != nil
	case "drain_agent":
		return c.DrainAgent != nil
	case "deactivate_agent":
		return c.DeactivateAgent != nil
	case "reactivate_agent":
		return c.ReactivateAgent != nil
	case "teardown":
		return c.Teardown != nil
	case "mark_agent_gone":
		return c.MarkAgentGone != nil
	}
	raw := map[string]rawMsg{
		"set_logging_level": c.SetLoggingLevel, "list_files": c.ListFiles, "read_file": c.ReadFile,
		"update_weights": c.UpdateWeights, "reserve_resources": c.ReserveResources,
		"unreserve_resources": c.UnreserveResources, "create_volumes": c.CreateVolumes,
		"destroy_volumes": c.DestroyVolumes, "grow_volume": c.GrowVolume, "shrink_volume": c.ShrinkVolume,
		"update_maintenance_schedule": c.UpdateMaintenanceSchedule, "start_maintenance": c.StartMaintenance,
		"stop_maintenance": c.StopMaintenance, "update_quota": c.UpdateQuota, "set_quota": c.SetQuota,
		"remove_quota": c.RemoveQuota,
	}
	return raw[field].set()
}

// decodeOperatorCall parses a body into a master Call, with the master's
// messages.
func decodeOperatorCall(cd codec, body []byte) (*opCall, *kit.Error) {
	var c opCall
	if err := decodeCall(cd, body, &c); err != nil {
		return nil, err
	}
	if _, ok := opCallTypes[c.Type]; !ok {
		c.Type = ""
	}
	var m missing
	for name, a := range map[string]*opAgentCall{"drain_agent": c.DrainAgent, "deactivate_agent": c.DeactivateAgent,
		"reactivate_agent": c.ReactivateAgent, "mark_agent_gone": c.MarkAgentGone} {
		if a != nil {
			m.id(name+".agent_id", a.AgentID)
		}
	}
	if c.Teardown != nil {
		m.id("teardown.framework_id", c.Teardown.FrameworkID)
	}
	sort.Strings(m)
	if err := m.err(); err != nil {
		return nil, incompleteCall(cd, err)
	}
	return &c, nil
}

func (c *opCall) validate() error {
	if c.Type == "" {
		return fmt.Errorf("Expecting 'type' to be present")
	}
	if field := opCallTypes[c.Type]; !c.has(field) {
		return fmt.Errorf("Expecting '%s' to be present", field)
	}
	return nil
}

// serveOperator is POST /api/v1: SUBSCRIBE opens an event stream, every
// other call is answered at once.
func (m *Master) serveOperator(c *kit.Call) (kit.Reply, error) {
	call, cd, err := parseOperatorCall(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if call.Type == "SUBSCRIBE" {
		s, err := m.openOperatorStream(cd)
		if err != nil {
			return kit.Reply{}, err
		}
		return kit.Stream(func(w http.ResponseWriter, r *http.Request) { m.serveStream(w, r, s) }), nil
	}
	resp, err := m.operatorCall(call)
	switch {
	case err != nil:
		return kit.Reply{}, err
	case resp != nil:
		return cd.reply(resp), nil
	default:
		return noContent(c, http.StatusOK), nil
	}
}

// parseOperatorCall makes the master's checks of a call, in its order:
// the method, the Content-Type, the body, the Call's own rules, Accept.
// It returns the call and the codec of the answer.
func parseOperatorCall(c *kit.Call) (*opCall, codec, error) {
	if err := postOnly(c); err != nil {
		return nil, 0, err
	}
	in, kerr := requestCodec(c.Request)
	if kerr != nil {
		return nil, 0, kerr
	}
	call, kerr := decodeOperatorCall(in, c.Body)
	if kerr != nil {
		return nil, 0, kerr
	}
	if err := call.validate(); err != nil {
		return nil, 0, badRequest("Failed to validate master::Call: %s", err.Error())
	}
	out, kerr := responseCodec(c.Request)
	if kerr != nil {
		return nil, 0, kerr
	}
	return call, out, nil
}

// operatorCall runs a call other than SUBSCRIBE under the lock: its
// response, or nil for a call answered with an empty 200.
func (m *Master) operatorCall(c *opCall) (*opResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closingLocked() {
		return nil, shuttingDown()
	}
	if c.Type == "UNKNOWN" {
		// The master answers a call of type UNKNOWN with an empty 501.
		return nil, kit.Errorf(http.StatusNotImplemented, "")
	}
	m.metrics.calls["operator."+c.Type]++
	if get := operatorGets[c.Type]; get != nil {
		resp := &opResponse{Type: c.Type}
		get(m, resp)
		return resp, nil
	}
	return nil, m.operatorActionLocked(c)
}

// operatorGets fill the response of each GET_* call the master answers.
var operatorGets = map[string]func(*Master, *opResponse){
	"GET_HEALTH": func(_ *Master, r *opResponse) { r.GetHealth = &getHealth{Healthy: true} },
	"GET_FLAGS": func(m *Master, r *opResponse) {
		r.GetFlags = &getFlags{Flags: []wFlag{}}
		flags := m.flagsLocked()
		for _, k := range sortedKeys(flags) {
			r.GetFlags.Flags = append(r.GetFlags.Flags, wFlag{Name: k, Value: flags[k]})
		}
	},
	"GET_VERSION": func(m *Master, r *opResponse) { r.GetVersion = &getVersion{VersionInfo: m.versionInfoLocked()} },
	"GET_METRICS": func(m *Master, r *opResponse) {
		r.GetMetrics = &getMetrics{Metrics: []wMetric{}}
		ms := m.metricsLocked()
		for _, k := range sortedKeys(ms) {
			r.GetMetrics.Metrics = append(r.GetMetrics.Metrics, wMetric{Name: k, Value: ms[k]})
		}
	},
	"GET_LOGGING_LEVEL": func(_ *Master, r *opResponse) { r.GetLoggingLevel = &getLogging{Level: 0} },
	"GET_STATE":         func(m *Master, r *opResponse) { r.GetState = m.getStateLocked() },
	"GET_AGENTS":        func(m *Master, r *opResponse) { r.GetAgents = m.getAgentsLocked() },
	"GET_FRAMEWORKS":    func(m *Master, r *opResponse) { r.GetFrameworks = m.getFrameworksLocked() },
	"GET_EXECUTORS":     func(m *Master, r *opResponse) { r.GetExecutors = m.getExecutorsLocked() },
	"GET_OPERATIONS":    func(_ *Master, r *opResponse) { r.GetOperations = &getOperations{Operations: []wMasterOperation{}} },
	"GET_TASKS":         func(m *Master, r *opResponse) { r.GetTasks = m.getTasksLocked() },
	"GET_ROLES":         func(m *Master, r *opResponse) { r.GetRoles = m.getRolesLocked() },
	"GET_WEIGHTS":       func(_ *Master, r *opResponse) { r.GetWeights = &getWeights{WeightInfos: []wWeightInfo{}} },
	"GET_MASTER": func(m *Master, r *opResponse) {
		r.GetMaster = &getMaster{MasterInfo: *m.masterInfoLocked(), StartTime: secs(m.startTime), ElectedTime: secs(m.electedTime)}
	},
	"GET_MAINTENANCE_STATUS": func(_ *Master, r *opResponse) {
		r.GetMaintenanceStatus = &getMaintStatus{}
		r.GetMaintenanceStatus.Status.DrainingMachines = []wDrainingMachine{}
		r.GetMaintenanceStatus.Status.DownMachines = []wMachineID{}
	},
	"GET_MAINTENANCE_SCHEDULE": func(_ *Master, r *opResponse) {
		r.GetMaintenanceSchedule = &getMaintSched{}
		r.GetMaintenanceSchedule.Schedule.Windows = []wMaintenanceWindow{}
	},
	"GET_QUOTA": func(_ *Master, r *opResponse) {
		r.GetQuota = &getQuota{}
		r.GetQuota.Status.Infos = []wQuotaInfo{}
	},
}

// operatorActionLocked runs a call that changes the cluster and is
// answered with an empty 200, or says why not (501 for the calls the fake
// does not implement).
func (m *Master) operatorActionLocked(c *opCall) error {
	switch c.Type {
	case "TEARDOWN":
		fw := m.frameworks[c.Teardown.FrameworkID.Value]
		if fw == nil {
			return badRequest("No framework found with specified ID")
		}
		m.removeFrameworkLocked(fw)
		return nil
	case "MARK_AGENT_GONE":
		a := m.agents[c.MarkAgentGone.AgentID.Value]
		if a == nil {
			return kit.Errorf(http.StatusNotFound, "Agent '%s' not found", c.MarkAgentGone.AgentID.Value)
		}
		if a.state != AgentGone {
			_ = m.markGoneLocked(a)
		}
		return nil
	case "DEACTIVATE_AGENT":
		return m.setAgentActiveLocked(c.DeactivateAgent, false)
	case "REACTIVATE_AGENT":
		return m.setAgentActiveLocked(c.ReactivateAgent, true)
	}
	return kit.Errorf(http.StatusNotImplemented, "mockcloud's Mesos master does not implement %s", c.Type)
}

// setAgentActiveLocked is DEACTIVATE_AGENT and REACTIVATE_AGENT.
func (m *Master) setAgentActiveLocked(ac *opAgentCall, active bool) error {
	a := m.agents[ac.AgentID.Value]
	if a == nil || a.state != AgentRegistered {
		return badRequest("Unknown agent %s", ac.AgentID.Value)
	}
	if active {
		a.deactivated = false
		m.requestAllocationLocked()
	} else {
		m.deactivateLocked(a)
	}
	return nil
}

// openOperatorStream opens an Operator API SUBSCRIBE stream: SUBSCRIBED
// with the whole state, a first HEARTBEAT, then cluster events as they
// happen.
func (m *Master) openOperatorStream(cd codec) (*subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closingLocked() {
		return nil, shuttingDown()
	}
	m.metrics.calls["operator.SUBSCRIBE"]++
	s := newSubscription("operator-"+m.RNG().UUID(), true)
	s.codec = cd
	m.streams = append(m.streams, s)
	m.opSubs = append(m.opSubs, s)
	s.enqueue(cd.marshal(&opEvent{Type: "SUBSCRIBED", Subscribed: &opSubscribed{
		GetState: m.getStateLocked(), HeartbeatIntervalSeconds: m.cfg.HeartbeatInterval.Seconds(),
	}}))
	s.enqueue(cd.heartbeat(true))
	m.startHeartbeatLocked(s)
	return s, nil
}

func (m *Master) getStateLocked() *getState {
	return &getState{
		GetTasks:      m.getTasksLocked(),
		GetExecutors:  m.getExecutorsLocked(),
		GetFrameworks: m.getFrameworksLocked(),
		GetAgents:     m.getAgentsLocked(),
	}
}

func (m *Master) getAgentsLocked() *getAgents {
	out := &getAgents{Agents: []wAgent{}, RecoveredAgents: []wAgentInfo{}}
	for _, a := range m.agentList {
		if a.state == AgentRegistered {
			out.Agents = append(out.Agents, m.wireAgentLocked(a))
		}
	}
	return out
}

func (m *Master) getFrameworksLocked() *getFrameworks {
	out := &getFrameworks{Frameworks: []wFramework{}, CompletedFrameworks: []wFramework{}}
	for _, fw := range m.fwList {
		out.Frameworks = append(out.Frameworks, m.wireFrameworkLocked(fw))
	}
	for _, fw := range m.completed {
		out.CompletedFrameworks = append(out.CompletedFrameworks, m.wireFrameworkLocked(fw))
	}
	return out
}

func (m *Master) getExecutorsLocked() *getExecutors {
	out := &getExecutors{Executors: []wExecutor{}}
	for _, a := range m.agentList {
		keys := make([]execKey, 0, len(a.executors))
		for k := range a.executors {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].fw != keys[j].fw {
				return keys[i].fw < keys[j].fw
			}
			return keys[i].id < keys[j].id
		})
		for _, k := range keys {
			out.Executors = append(out.Executors, wExecutor{ExecutorInfo: a.executors[k].info, AgentID: wID{Value: a.id}})
		}
	}
	return out
}

func (m *Master) getTasksLocked() *getTasks {
	out := &getTasks{Tasks: []wTask{}, UnreachableTasks: []wTask{}, CompletedTasks: []wTask{}}
	for _, fw := range m.fwList {
		for _, t := range sortedTasks(fw.tasks) {
			out.Tasks = append(out.Tasks, m.wireTaskLocked(t))
		}
		for _, t := range sortedTasks(fw.unreachable) {
			out.UnreachableTasks = append(out.UnreachableTasks, m.wireTaskLocked(t))
		}
	}
	for _, fw := range append(append([]*framework(nil), m.fwList...), m.completed...) {
		for _, t := range fw.completedT {
			out.CompletedTasks = append(out.CompletedTasks, m.wireTaskLocked(t))
		}
	}
	return out
}

// roleUsage is what each role holds: frameworks subscribed to it and
// resources allocated (tasks, executors) and offered to it.
type roleUsage struct {
	frameworks []string
	allocated  rolePools
	offered    rolePools
	reserved   rolePools
}

func (m *Master) rolesLocked() map[string]*roleUsage {
	roles := map[string]*roleUsage{"*": {allocated: rolePools{}, offered: rolePools{}, reserved: rolePools{}}}
	get := func(r string) *roleUsage {
		u := roles[r]
		if u == nil {
			u = &roleUsage{allocated: rolePools{}, offered: rolePools{}, reserved: rolePools{}}
			roles[r] = u
		}
		return u
	}
	for _, fw := range m.fwList {
		for _, r := range fw.roles {
			u := get(r)
			u.frameworks = append(u.frameworks, fw.id)
		}
		for _, t := range fw.tasks {
			if !t.released {
				get(t.role).allocated.add(t.res)
			}
		}
		for _, o := range fw.offers {
			get(o.role).offered.add(o.res)
		}
	}
	for _, a := range m.agentList {
		if a.state != AgentRegistered {
			continue
		}
		for r, p := range a.total {
			if r != "*" {
				get(r).reserved.get(r).add(p)
			}
		}
	}
	return roles
}

func (m *Master) getRolesLocked() *getRoles {
	out := &getRoles{Roles: []wRole{}}
	roles := m.rolesLocked()
	for _, name := range sortedKeys(roles) {
		u := roles[name]
		wr := wRole{Name: name, Weight: 1, Frameworks: []wID{}, Resources: []wResource{}}
		for _, id := range u.frameworks {
			wr.Frameworks = append(wr.Frameworks, wID{Value: id})
		}
		all := u.allocated.clone()
		all.add(u.offered)
		wr.Resources = all.wire(resourceFormat{allocationRole: name})
		out.Roles = append(out.Roles, wr)
	}
	return out
}

// wireFrameworkLocked renders GET_FRAMEWORKS's Framework.
func (m *Master) wireFrameworkLocked(fw *framework) wFramework {
	w := wFramework{
		FrameworkInfo:      fw.info,
		Active:             fw.connected() && !fw.completed,
		Connected:          fw.connected(),
		Recovered:          fw.recovered,
		RegisteredTime:     nanos(fw.registered),
		ReregisteredTime:   nanos(fw.registered),
		UnregisteredTime:   nanos(fw.unregistered),
		Offers:             []wOffer{},
		InverseOffers:      []rawMsg{},
		AllocatedResources: []wResource{},
		OfferedResources:   []wResource{},
	}
	if !fw.reregistered.IsZero() {
		w.ReregisteredTime = nanos(fw.reregistered)
	}
	byRole := map[string]rolePools{}
	for _, t := range fw.tasks {
		if t.released {
			continue
		}
		rp := byRole[t.role]
		if rp == nil {
			rp = rolePools{}
			byRole[t.role] = rp
		}
		rp.add(t.res)
	}
	for _, role := range sortedKeys(byRole) {
		w.AllocatedResources = append(w.AllocatedResources, byRole[role].wire(resourceFormat{allocationRole: role})...)
	}
	for _, o := range m.sortedOffers(fw.offers) {
		w.Offers = append(w.Offers, m.wireOfferLocked(o))
		w.OfferedResources = append(w.OfferedResources, o.res.wire(resourceFormat{allocationRole: o.role})...)
	}
	return w
}

func (m *Master) versionInfoLocked() wVersionInfo {
	return wVersionInfo{Version: m.cfg.Version, BuildDate: buildDate, BuildTime: buildTime, BuildUser: buildUser}
}

// The build the fake claims to be.
const (
	buildDate = "2020-11-19 17:36:35"
	buildTime = 1605807395
	buildUser = "mockcloud"
)

// flagsLocked are the master's flags as GET_FLAGS and /flags report them.
func (m *Master) flagsLocked() map[string]string {
	f := map[string]string{
		"agent_ping_timeout":                  "15secs",
		"agent_reregister_timeout":            "10mins",
		"allocation_interval":                 mesosDuration(m.cfg.AllocationInterval),
		"allocator":                           "hierarchical",
		"authenticate_agents":                 "false",
		"authenticate_frameworks":             "false",
		"authenticate_http_frameworks":        "false",
		"authenticate_http_readonly":          "false",
		"authenticate_http_readwrite":         "false",
		"authenticators":                      "crammd5",
		"authorizers":                         "local",
		"filter_gpu_resources":                "true",
		"framework_sorter":                    "drf",
		"help":                                "false",
		"hostname":                            m.cfg.Hostname,
		"hostname_lookup":                     "true",
		"http_authenticators":                 "basic",
		"initialize_driver_logging":           "true",
		"log_auto_initialize":                 "true",
		"logbufsecs":                          "0",
		"logging_level":                       "INFO",
		"max_agent_ping_timeouts":             "5",
		"max_completed_frameworks":            strconv.Itoa(m.cfg.MaxCompletedFrameworks),
		"max_completed_tasks_per_framework":   strconv.Itoa(m.cfg.MaxCompletedTasksPerFramework),
		"max_unreachable_tasks_per_framework": "1000",
		"min_allocatable_resources":           "cpus:0.01|mem:32",
		"port":                                strconv.Itoa(m.cfg.Port),
		"quiet":                               "false",
		"recovery_agent_removal_limit":        "100%",
		"registry":                            "in_memory",
		"registry_fetch_timeout":              "1mins",
		"registry_store_timeout":              "20secs",
		"registry_strict":                     "false",
		"require_agent_domain":                "false",
		"root_submissions":                    "true",
		"user_sorter":                         "drf",
		"version":                             "false",
		"webui_dir":                           "/usr/share/mesos/webui",
		"work_dir":                            "/var/lib/mesos",
		"zk_session_timeout":                  "10secs",
	}
	if m.cfg.OfferTimeout > 0 {
		f["offer_timeout"] = mesosDuration(m.cfg.OfferTimeout)
	}
	if m.cfg.Cluster != "" {
		f["cluster"] = m.cfg.Cluster
	}
	return f
}

// mesosDuration formats a duration as stout's Duration does ("1secs",
// "500ms", "10mins").
func mesosDuration(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{
		{7 * 24 * time.Hour, "weeks"}, {24 * time.Hour, "days"}, {time.Hour, "hrs"}, {time.Minute, "mins"},
		{time.Second, "secs"}, {time.Millisecond, "ms"}, {time.Microsecond, "us"},
	}
	for _, u := range units {
		if d >= u.d {
			return strconv.FormatFloat(float64(d)/float64(u.d), 'g', -1, 64) + u.name
		}
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// metricsLocked is the master's metrics snapshot.
func (m *Master) metricsLocked() map[string]float64 {
	now := m.Now()
	out := map[string]float64{
		"master/elected":                   1,
		"master/uptime_secs":               now.Sub(m.startTime).Seconds(),
		"master/outstanding_offers":        float64(len(m.offers)),
		"master/messages_decline_offers":   float64(m.metrics.offersDecl),
		"master/invalid_status_updates":    0,
		"master/dropped_messages":          0,
		"master/event_queue_messages":      0,
		"master/event_queue_http_requests": 0,
		"master/recovery_slave_removals":   0,
		"master/slave_registrations":       0,
		"allocator/mesos/offers_sent":      float64(m.metrics.offersSent),
		"master/offers_rescinded":          float64(m.metrics.offersResc),
	}
	var active, inactive, connected, disconnected, unreachable float64
	totals, used := newPool(), newPool()
	for _, a := range m.agentList {
		switch a.state {
		case AgentRegistered:
			connected++
			if a.deactivated {
				inactive++
			} else {
				active++
			}
			totals.add(a.total.sum())
			used.add(a.used.sum())
		case AgentUnreachable:
			unreachable++
			disconnected++
		}
	}
	out["master/slaves_active"] = active
	out["master/slaves_inactive"] = inactive
	out["master/slaves_connected"] = connected
	out["master/slaves_disconnected"] = disconnected
	out["master/slaves_unreachable"] = unreachable
	for _, r := range []string{"cpus", "mem", "disk", "gpus"} {
		t, u := totals.scalar(r), used.scalar(r)
		out["master/"+r+"_total"] = t
		out["master/"+r+"_used"] = u
		p := 0.0
		if t > 0 {
			p = u / t
		}
		out["master/"+r+"_percent"] = p
	}
	var fwActive, fwConnected, fwDisconnected float64
	counts := map[TaskState]float64{}
	for _, fw := range m.fwList {
		if fw.connected() {
			fwActive++
			fwConnected++
		} else {
			fwDisconnected++
		}
		for _, t := range fw.tasks {
			counts[t.state]++
		}
		counts[TaskUnreachable] += float64(len(fw.unreachable))
	}
	out["master/frameworks_active"] = fwActive
	out["master/frameworks_inactive"] = float64(len(m.fwList)) - fwActive
	out["master/frameworks_connected"] = fwConnected
	out["master/frameworks_disconnected"] = fwDisconnected
	for _, s := range []TaskState{TaskStaging, TaskStarting, TaskRunning, TaskKilling, TaskUnreachable} {
		out["master/tasks_"+strings.ToLower(strings.TrimPrefix(string(s), "TASK_"))] = counts[s]
	}
	for _, s := range []TaskState{TaskFinished, TaskFailed, TaskKilled, TaskLost, TaskError, TaskDropped, TaskGone, TaskGoneByOperator} {
		out["master/tasks_"+strings.ToLower(strings.TrimPrefix(string(s), "TASK_"))] = float64(m.metrics.states[s])
	}
	for k, v := range m.metrics.calls {
		if !strings.HasPrefix(k, "operator.") {
			out["master/messages_"+strings.ToLower(k)] = float64(v)
		}
	}
	for k, v := range m.metrics.events {
		out["master/events_"+strings.ToLower(k)] = float64(v)
	}
	out["master/events_update"] = float64(m.metrics.updates)
	for k, v := range out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			out[k] = 0
		}
	}
	return out
}
