package mesos_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/mesos"
)

// Everything the master sends on the v1 API holds to Mesos 1.11's v1
// protos (the tables of v1proto_test.go): every member of every event
// and response is a field of its message, and every enum string (event,
// response and call types, task states, reasons, sources, capabilities,
// resource and reservation types, protocols …) a value of its enum, as a
// v1 client such as mesos-go refuses any other. A run that reaches every
// state, reason and event the master can send is checked whole.
func TestV1EnumStrings(t *testing.T) {
	checker, err := mesos.NewV1Checker()
	if err != nil {
		t.Fatal(err)
	}
	run := newV1Run(t)
	run.launch()
	run.chaos()
	run.secondFramework()
	run.failover()
	responses := run.operatorCalls()

	for _, s := range run.streams {
		kind := "scheduler.Event"
		if s.operator {
			kind = "master.Event"
		}
		for _, ev := range s.all() {
			for _, p := range checker.Check(kind, ev.v) {
				t.Errorf("%s: %s\n\tin %s", s.name, p, ev.Raw)
			}
		}
	}
	for _, r := range responses {
		for _, p := range checker.Check("master.Response", r.v) {
			t.Errorf("%s response: %s", r.call, p)
		}
	}

	// The run reached what it means to: every event and response type the
	// master sends, every task state, the reasons and sources it gives.
	for enum, want := range map[string]string{
		"scheduler.Event.Type": "SUBSCRIBED OFFERS RESCIND UPDATE UPDATE_OPERATION_STATUS MESSAGE FAILURE ERROR HEARTBEAT",
		"master.Event.Type": "SUBSCRIBED TASK_ADDED TASK_UPDATED AGENT_ADDED AGENT_REMOVED FRAMEWORK_ADDED " +
			"FRAMEWORK_UPDATED FRAMEWORK_REMOVED HEARTBEAT",
		"master.Response.Type": "GET_HEALTH GET_FLAGS GET_VERSION GET_METRICS GET_LOGGING_LEVEL GET_STATE GET_AGENTS " +
			"GET_FRAMEWORKS GET_EXECUTORS GET_OPERATIONS GET_TASKS GET_ROLES GET_WEIGHTS GET_MASTER " +
			"GET_MAINTENANCE_STATUS GET_MAINTENANCE_SCHEDULE GET_QUOTA",
		"TaskState":         strings.Join(checker.EnumValues("TaskState"), " "),
		"TaskStatus.Source": "SOURCE_MASTER SOURCE_AGENT SOURCE_EXECUTOR",
		"TaskStatus.Reason": "REASON_AGENT_REMOVED REASON_AGENT_REMOVED_BY_OPERATOR REASON_AGENT_REREGISTERED " +
			"REASON_CONTAINER_LAUNCH_FAILED REASON_EXECUTOR_TERMINATED " +
			"REASON_FRAMEWORK_REMOVED REASON_INVALID_OFFERS REASON_RECONCILIATION REASON_TASK_GROUP_INVALID " +
			"REASON_TASK_INVALID REASON_TASK_KILLED_DURING_LAUNCH REASON_CONTAINER_LIMITATION_MEMORY",
		"MasterInfo.Capability.Type":    "AGENT_UPDATE AGENT_DRAINING",
		"AgentInfo.Capability.Type":     "MULTI_ROLE RESERVATION_REFINEMENT AGENT_DRAINING TASK_RESOURCE_LIMITS",
		"FrameworkInfo.Capability.Type": "MULTI_ROLE PARTITION_AWARE TASK_KILLING_STATE RESERVATION_REFINEMENT",
		"Value.Type":                    "SCALAR RANGES SET TEXT",
		"Resource.ReservationInfo.Type": "STATIC",
		"ExecutorInfo.Type":             "DEFAULT CUSTOM",
		"OperationState":                "OPERATION_ERROR",
		"NetworkInfo.Protocol":          "IPv4",
	} {
		for _, v := range strings.Fields(want) {
			if !checker.Seen[enum][v] {
				t.Errorf("the run never sent %s %s", enum, v)
			}
		}
	}
	if t.Failed() {
		var seen []string
		for enum, vs := range checker.Seen {
			seen = append(seen, fmt.Sprintf("%s: %s", enum, strings.Join(sortedSet(vs), " ")))
		}
		sort.Strings(seen)
		t.Logf("seen:\n%s", strings.Join(seen, "\n"))
	}
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Every call type of the v1 protos is one the master reads: none is taken
// for a call without a type. UNKNOWN is answered as the master answers
// it, with an empty 501 (once the scheduler's framework is found).
func TestV1CallTypes(t *testing.T) {
	checker, err := mesos.NewV1Checker()
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("types")
	for _, typ := range checker.EnumValues("scheduler.Call.Type") {
		if typ == "TEARDOWN" {
			continue
		}
		r := a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":%q}`, fw, typ))
		if strings.Contains(string(r.Body), "Expecting 'type' to be present") {
			t.Errorf("scheduler call %s: %d %s", typ, r.Status, r.Body)
		}
	}
	if r := a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"UNKNOWN"}`, fw)); r.Status != http.StatusNotImplemented || len(r.Body) != 0 {
		t.Errorf("scheduler UNKNOWN: %d %q, want an empty 501", r.Status, r.Body)
	}
	if r := a.call(s, `{"framework_id":{"value":"nope"},"type":"UNKNOWN"}`); r.Status != http.StatusBadRequest || string(r.Body) != "Framework cannot be found" {
		t.Errorf("scheduler UNKNOWN of an unknown framework: %d %q", r.Status, r.Body)
	}
	for _, typ := range checker.EnumValues("master.Call.Type") {
		if typ == "SUBSCRIBE" {
			continue // a stream: TestOperatorSubscribe
		}
		r := a.do("POST", "/api/v1", fmt.Sprintf(`{"type":%q}`, typ))
		if strings.Contains(string(r.Body), "Expecting 'type' to be present") {
			t.Errorf("operator call %s: %d %s", typ, r.Status, r.Body)
		}
	}
	if r := a.do("POST", "/api/v1", `{"type":"UNKNOWN"}`); r.Status != http.StatusNotImplemented || len(r.Body) != 0 {
		t.Errorf("operator UNKNOWN: %d %q, want an empty 501", r.Status, r.Body)
	}
	if r := a.do("POST", "/api/v1", `{"type":"NAPPING"}`); r.Status != http.StatusBadRequest ||
		string(r.Body) != "Failed to validate master::Call: Expecting 'type' to be present" {
		t.Errorf("operator NAPPING: %d %q", r.Status, r.Body)
	}
}

// A task rule's reason is one of the v1 TaskStatus reasons: the master
// sends it as it is, and a v0 name (REASON_SLAVE_REMOVED) would break
// every v1 client.
func TestTaskRuleReasons(t *testing.T) {
	checker, err := mesos.NewV1Checker()
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(t, smallCluster()...)
	for _, reason := range checker.EnumValues("TaskStatus.Reason") {
		r := a.do("POST", "/control/task-rules", fmt.Sprintf(`{"name":"x","outcome":"TASK_FAILED","reason":%q}`, reason))
		if r.Status != http.StatusCreated {
			t.Errorf("reason %s: %d %s", reason, r.Status, r.Body)
		}
	}
	for _, reason := range []string{"REASON_SLAVE_REMOVED", "REASON_SLAVE_DISCONNECTED", "REASON_NAPPING"} {
		r := a.do("POST", "/control/task-rules", fmt.Sprintf(`{"name":"x","outcome":"TASK_FAILED","reason":%q}`, reason))
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "is not a TaskStatus reason of the v1 API") {
			t.Errorf("reason %s: %d %s, want 400", reason, r.Status, r.Body)
		}
	}
	if _, err := mesos.NewUnstarted(mesos.WithTaskRules(mesos.TaskRule{Reason: "REASON_SLAVE_RESTARTED"})); err == nil {
		t.Errorf("a task rule with a v0 reason was accepted")
	}
}

// v1Run is the scripted run of TestV1EnumStrings.
type v1Run struct {
	t       *testing.T
	a       *api
	streams []*namedStream
	fw1     string
	f1      *stream
	agents  map[string]string // hostname -> agent ID
}

type namedStream struct {
	*stream
	name     string
	operator bool
}

type v1Response struct {
	call string
	v    map[string]any
}

func newV1Run(t *testing.T) *v1Run {
	cfg := mesos.DefaultConfig()
	cfg.OfferTimeout = 5 * time.Minute
	cfg.AutoAcknowledge = true
	cfg.Agents = []mesos.AgentConfig{
		{Hostname: "a1", IP: "192.168.1.10", Resources: mesos.Resources{CPUs: 64, GPUs: 1, Mem: 65536, Disk: 1000,
			Ports: mesos.PortRanges{{Begin: 31000, End: 32000}}, Scalars: map[string]float64{"bandwidth": 100}},
			Reserved:   map[string]mesos.Resources{"web": {CPUs: 2, Mem: 1024}},
			Attributes: map[string]string{"rack": "r1", "cores": "8", "span": "[1-4]", "zones": "{a,b}"}},
		{Hostname: "a2", Resources: mesos.Resources{CPUs: 8, Mem: 8192}},
		{Hostname: "a3", Resources: mesos.Resources{CPUs: 8, Mem: 8192}},
	}
	healthy := true
	rule := func(name string, outcome mesos.TaskState) mesos.TaskRule {
		return mesos.TaskRule{Name: name, Outcome: outcome}
	}
	cfg.TaskRules = []mesos.TaskRule{
		rule("fin", mesos.TaskFinished), rule("fail", mesos.TaskFailed),
		{Name: "oom", Outcome: mesos.TaskFailed, Reason: "REASON_CONTAINER_LIMITATION_MEMORY", Message: "OOM"},
		rule("killed", mesos.TaskKilled), rule("lost", mesos.TaskLost), rule("drop", mesos.TaskDropped),
		rule("unreach", mesos.TaskUnreachable), rule("gone", mesos.TaskGone), rule("gbo", mesos.TaskGoneByOperator),
		rule("err", mesos.TaskError), rule("stage", mesos.TaskStaging), rule("start", mesos.TaskStarting),
		{Name: "health", Outcome: mesos.TaskRunning, Healthy: &healthy}, rule("run.*", mesos.TaskRunning),
	}
	a := newAPI(t, mesos.WithConfig(cfg))
	r := &v1Run{t: t, a: a, agents: map[string]string{}}
	for _, ag := range a.srv.Agents() {
		r.agents[ag.Hostname] = ag.ID
	}
	r.add("operator", a.subscribe("/api/v1", `{"type":"SUBSCRIBE"}`), true)
	r.f1 = r.add("f1", a.subscribe("/api/v1/scheduler", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{
	  "user":"root","name":"f1","principal":"p","hostname":"h","webui_url":"http://h","failover_timeout":3600,
	  "checkpoint":true,"roles":["web","*"],"labels":{"labels":[{"key":"k","value":"v"}]},
	  "capabilities":[{"type":"MULTI_ROLE"},{"type":"PARTITION_AWARE"},{"type":"TASK_KILLING_STATE"},
	    {"type":"RESERVATION_REFINEMENT"},{"type":"GPU_RESOURCES"},{"type":"REVOCABLE_RESOURCES"},
	    {"type":"SHARED_RESOURCES"},{"type":"REGION_AWARE"}]}}}`), false)
	r.fw1 = r.f1.expect("SUBSCRIBED").str("subscribed.framework_id.value")
	// A refused subscription: a stream of one ERROR.
	bad := r.add("refused", a.subscribe("/api/v1/scheduler", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["x"]}}}`), false)
	bad.ended()
	return r
}

func (r *v1Run) add(name string, s *stream, operator bool) *stream {
	r.streams = append(r.streams, &namedStream{stream: s, name: name, operator: operator})
	return s
}

// offerOn is the ID of the first offer of ev on the agent hostname with
// at least cpus CPUs.
func (r *v1Run) offerOn(ev event, hostname string, cpus float64) string {
	r.t.Helper()
	for i := 0; ev.get(fmt.Sprintf("offers.offers.%d", i)) != nil; i++ {
		p := fmt.Sprintf("offers.offers.%d.", i)
		if ev.str(p+"hostname") != hostname {
			continue
		}
		total := 0.0
		for j := 0; ev.get(fmt.Sprintf("%sresources.%d", p, j)) != nil; j++ {
			if ev.str(fmt.Sprintf("%sresources.%d.name", p, j)) == "cpus" {
				total += ev.get(fmt.Sprintf("%sresources.%d.scalar.value", p, j)).(float64)
			}
		}
		if total >= cpus {
			return ev.str(p + "id.value")
		}
	}
	r.t.Fatalf("no offer on %s with %v CPUs in %s", hostname, cpus, ev.Raw)
	return ""
}

func (r *v1Run) accept(s *stream, fw, offer string, ops ...string) {
	r.t.Helper()
	body := fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],"operations":[%s]}}`,
		fw, offer, strings.Join(ops, ","))
	if resp := r.a.call(s, body); resp.Status != http.StatusAccepted {
		r.t.Fatalf("ACCEPT: %d %s", resp.Status, resp.Body)
	}
}

func (r *v1Run) call(s *stream, fw, typ, member string) {
	r.t.Helper()
	body := fmt.Sprintf(`{"framework_id":{"value":%q},"type":%q%s}`, fw, typ, member)
	if resp := r.a.call(s, body); resp.Status/100 != 2 {
		r.t.Fatalf("%s: %d %s", typ, resp.Status, resp.Body)
	}
}

// v1Task is a command task's TaskInfo on agent.
func v1Task(name, agent string, extra string) string {
	return fmt.Sprintf(`{"name":%q,"task_id":{"value":%q},"agent_id":{"value":%q},"command":{"value":"sleep 100"},`+
		`"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]%s}`,
		name, name, agent, extra)
}

// launch starts tasks of every outcome on the three agents, a custom
// executor, a task group, invalid tasks and an operation that is not
// emulated, and lets them live their lives.
func (r *v1Run) launch() {
	a1, a2, a3 := r.agents["a1"], r.agents["a2"], r.agents["a3"]
	offers := r.a.offers(r.f1)
	var tasks []string
	for _, n := range []string{"fin", "fail", "oom", "killed", "lost", "drop", "gone", "gbo", "err", "stage", "start", "run1", "run2"} {
		tasks = append(tasks, v1Task(n, a1, ""))
	}
	withExecutor := func(name, exec string, port int) string {
		return fmt.Sprintf(`{"name":%q,"task_id":{"value":%q},"agent_id":{"value":%q},
		  "executor":{"type":"CUSTOM","executor_id":{"value":%q},"command":{"value":"./ex"},
		    "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}]},
		  "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},
		    {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":%d,"end":%d}]}}]}`, name, name, a1, exec, port, port)
	}
	tasks = append(tasks,
		v1Task("health", a1, `,"health_check":{"type":"COMMAND","command":{"value":"true"}}`),
		v1Task("run-labels", a1, `,"labels":{"labels":[{"key":"k"}]},"kill_policy":{"grace_period":{"nanoseconds":1000000000}}`),
		fmt.Sprintf(`{"name":"nores","task_id":{"value":"nores"},"agent_id":{"value":%q},"command":{"value":"true"}}`, a1),
		withExecutor("run-exec", "ex1", 31000), withExecutor("run-exec2", "ex2", 31001))
	group := func(exec string, member string) string {
		return fmt.Sprintf(`{"type":"LAUNCH_GROUP","launch_group":{"executor":{"type":"DEFAULT","executor_id":{"value":%q},
		  "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]},
		  "task_group":{"tasks":[%s]}}}`, exec, member)
	}
	r.accept(r.f1, r.fw1, r.offerOn(offers, "a1", 16),
		`{"type":"LAUNCH","launch":{"task_infos":[`+strings.Join(tasks, ",")+`]}}`,
		group("pod", v1Task("run-pod.a", a1, "")+","+v1Task("run-pod.b", a1, "")),
		group("badpod", v1Task("badpod.a", a1, `,"executor":{"executor_id":{"value":"x"}}`)),
		`{"type":"RESERVE","id":{"value":"op1"},"reserve":{"resources":[]}}`)
	r.accept(r.f1, r.fw1, r.offerOn(offers, "a2", 1),
		`{"type":"LAUNCH","launch":{"task_infos":[`+v1Task("unreach", a2, "")+","+v1Task("run-a2", a2, "")+`]}}`)
	r.accept(r.f1, r.fw1, r.offerOn(offers, "a3", 1),
		`{"type":"LAUNCH","launch":{"task_infos":[`+v1Task("run-a3", a3, "")+`]}}`)
	clk := r.a.srv.Clock()
	clk.Advance(time.Second)
	clk.Advance(time.Second)
	clk.Advance(10 * time.Second)
	r.a.drain(r.f1, r.fw1)
}

// chaos kills and shuts tasks down, loses, restores and removes agents,
// and reconciles around them.
func (r *v1Run) chaos() {
	a1, a2, a3 := r.agents["a1"], r.agents["a2"], r.agents["a3"]
	kill := func(task string) string {
		return fmt.Sprintf(`,"kill":{"task_id":{"value":%q}}`, task)
	}
	shutdown := func(exec string) string {
		return fmt.Sprintf(`,"shutdown":{"executor_id":{"value":%q},"agent_id":{"value":%q}}`, exec, a1)
	}
	r.call(r.f1, r.fw1, "KILL", kill("run1"))
	r.call(r.f1, r.fw1, "KILL", kill("stage"))
	r.call(r.f1, r.fw1, "SHUTDOWN", shutdown("run2"))
	r.call(r.f1, r.fw1, "SHUTDOWN", shutdown("ex1"))
	r.a.srv.Clock().Advance(time.Second)
	if err := r.a.srv.RemoveAgent(a2); err != nil {
		r.t.Fatal(err)
	}
	reconcile := func(tasks ...[2]string) string {
		var list []string
		for _, x := range tasks {
			list = append(list, fmt.Sprintf(`{"task_id":{"value":%q},"agent_id":{"value":%q}}`, x[0], x[1]))
		}
		return `,"reconcile":{"tasks":[` + strings.Join(list, ",") + `]}`
	}
	r.call(r.f1, r.fw1, "RECONCILE", reconcile([2]string{"run-a3", a3}, [2]string{"ghost", a1}, [2]string{"ghost", a2}, [2]string{"ghost", "nowhere"}))
	r.call(r.f1, r.fw1, "RECONCILE", `,"reconcile":{}`)
	if err := r.a.srv.RestoreAgent(a2); err != nil {
		r.t.Fatal(err)
	}
	if resp := r.a.do("POST", "/api/v1", fmt.Sprintf(`{"type":"MARK_AGENT_GONE","mark_agent_gone":{"agent_id":{"value":%q}}}`, a3)); resp.Status != 200 {
		r.t.Fatalf("MARK_AGENT_GONE: %d %s", resp.Status, resp.Body)
	}
	r.call(r.f1, r.fw1, "RECONCILE", reconcile([2]string{"ghost", a3}))
	if err := r.a.srv.SendFrameworkMessage(r.fw1, a1, "ex1", []byte("hi")); err != nil {
		r.t.Fatal(err)
	}
	r.call(r.f1, r.fw1, "UPDATE_FRAMEWORK", fmt.Sprintf(`,"update_framework":{"framework_info":{"id":{"value":%q},
	  "user":"root","name":"f1 renamed","principal":"p","checkpoint":true,"roles":["web","*"],
	  "capabilities":[{"type":"MULTI_ROLE"},{"type":"PARTITION_AWARE"},{"type":"TASK_KILLING_STATE"},{"type":"RESERVATION_REFINEMENT"}]}}`, r.fw1))
	r.a.srv.Clock().Advance(6 * time.Minute) // offers time out, heartbeats
	r.a.drain(r.f1, r.fw1)
}

// secondFramework runs a framework with no capabilities: invalid offers,
// a task lost with its agent, an unknown task, and its teardown.
func (r *v1Run) secondFramework() {
	// The first framework's offers time out, and it gets no more.
	r.call(r.f1, r.fw1, "SUPPRESS", `,"suppress":{}`)
	r.a.srv.Clock().Advance(5 * time.Minute)
	f2 := r.add("f2", r.a.subscribe("/api/v1/scheduler", subscribeBody("f2")), false)
	fw2 := f2.expect("SUBSCRIBED").str("subscribed.framework_id.value")
	offers := r.a.offers(f2)
	a2 := r.agents["a2"]
	r.accept(f2, fw2, "no-such-offer", `{"type":"LAUNCH","launch":{"task_infos":[`+v1Task("f2-x", a2, "")+`]}}`)
	r.accept(f2, fw2, r.offerOn(offers, "a2", 1), `{"type":"LAUNCH","launch":{"task_infos":[`+v1Task("run-f2", a2, "")+`]}}`)
	r.accept(f2, fw2, r.offerOn(offers, "a1", 1), `{"type":"LAUNCH","launch":{"task_infos":[`+v1Task("run-f2b", r.agents["a1"], "")+`]}}`)
	r.a.srv.Clock().Advance(2 * time.Second)
	if err := r.a.srv.RemoveAgent(a2); err != nil {
		r.t.Fatal(err)
	}
	r.call(f2, fw2, "RECONCILE", `,"reconcile":{"tasks":[{"task_id":{"value":"ghost"}}]}`)
	r.a.drain(f2, fw2)
	r.call(f2, fw2, "TEARDOWN", "")
	f2.ended()
}

// failover resubscribes the first framework: its old stream ends with an
// ERROR.
func (r *v1Run) failover() {
	f1b := r.add("f1 failed over", r.a.subscribe("/api/v1/scheduler", fmt.Sprintf(`{"type":"SUBSCRIBE","framework_id":{"value":%q},
	  "subscribe":{"framework_info":{"id":{"value":%q},"user":"root","name":"f1","principal":"p","roles":["web"],
	  "capabilities":[{"type":"MULTI_ROLE"}]}}}`, r.fw1, r.fw1)), false)
	f1b.expect("SUBSCRIBED")
	r.f1.ended()
	r.a.srv.Clock().Advance(time.Second)
	r.a.drain(f1b, r.fw1)
	// The operator stream has everything once it has this agent's
	// AGENT_ADDED, the last event of the run.
	if _, err := r.a.srv.AddAgent(mesos.AgentConfig{Hostname: "last", Resources: mesos.Resources{CPUs: 1, Mem: 64}}); err != nil {
		r.t.Fatal(err)
	}
	op := r.streams[0].stream
	for {
		if ev := op.next(); ev.Type == "AGENT_ADDED" && ev.str("agent_added.agent.agent_info.hostname") == "last" {
			break
		}
	}
}

// operatorCalls makes every operator call answered with a response.
func (r *v1Run) operatorCalls() []v1Response {
	var out []v1Response
	for _, typ := range []string{"GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_LOGGING_LEVEL", "GET_STATE",
		"GET_AGENTS", "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_OPERATIONS", "GET_TASKS", "GET_ROLES", "GET_WEIGHTS",
		"GET_MASTER", "GET_MAINTENANCE_STATUS", "GET_MAINTENANCE_SCHEDULE", "GET_QUOTA"} {
		out = append(out, v1Response{typ, r.a.operator(fmt.Sprintf(`{"type":%q}`, typ))})
	}
	out = append(out, v1Response{"GET_METRICS", r.a.operator(`{"type":"GET_METRICS","get_metrics":{}}`)})
	return out
}
