package mesos_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/mesos"
)

func TestAgentLostAndRecovered(t *testing.T) {
	for _, tc := range []struct {
		name  string
		caps  []string
		state string
	}{
		{"partition-aware", []string{"PARTITION_AWARE"}, "TASK_UNREACHABLE"},
		{"legacy", nil, "TASK_LOST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskFinished: 1}))...)
			s, fw, agent := a.runningTask("fw", "t1", tc.caps...)
			clk := a.srv.Clock()
			clk.Advance(6 * time.Second) // the leftover resources come back as an offer
			offer := s.next()
			if offer.Type != "OFFERS" {
				t.Fatalf("want OFFERS, got %s", offer.Raw)
			}
			if err := a.srv.RemoveAgent(agent); err != nil {
				t.Fatal(err)
			}
			got := map[string]event{}
			for i := 0; i < 3; i++ {
				ev := s.next()
				got[ev.Type] = ev
			}
			if ev := got["RESCIND"]; ev.str("rescind.offer_id.value") != offer.str("offers.offers.0.id.value") {
				t.Errorf("RESCIND %s", ev.Raw)
			}
			if ev := got["FAILURE"]; ev.str("failure.agent_id.value") != agent {
				t.Errorf("FAILURE %s", ev.Raw)
			}
			up := got["UPDATE"]
			checkJSON(t, up.v, `{"type":"UPDATE","update":{"status":{"task_id":{"value":"t1"},"state":"`+tc.state+`",
			  "source":"SOURCE_MASTER","reason":"REASON_AGENT_REMOVED","message":"health check timed out",
			  "agent_id":{"value":"`+agent+`"},"timestamp":1767225609,
			  "unreachable_time":{"nanoseconds":1767225609000000000}}}}`)
			if ag, _ := a.srv.Agent(agent); ag.State != mesos.AgentUnreachable {
				t.Errorf("agent state %s", ag.State)
			}
			if f, _ := a.srv.Framework(fw); f.UnreachableTasks != 1 || f.Tasks != 0 {
				t.Errorf("framework tasks %d unreachable %d", f.Tasks, f.UnreachableTasks)
			}
			// The task was RUNNING: it comes back RUNNING and finishes.
			clk.Advance(time.Minute)
			if err := a.srv.RestoreAgent(agent); err != nil {
				t.Fatal(err)
			}
			up = s.update()
			if up.str("update.status.state") != "TASK_RUNNING" || up.str("update.status.reason") != "REASON_AGENT_REREGISTERED" {
				t.Errorf("after RestoreAgent: %s", up.Raw)
			}
			clk.Advance(10 * time.Second)
			if up := s.update(); up.str("update.status.state") != "TASK_FINISHED" {
				t.Errorf("want TASK_FINISHED, got %s", up.Raw)
			}
			if err := a.srv.RestoreAgent(agent); err == nil {
				t.Errorf("restoring a registered agent succeeded")
			}
		})
	}
}

func TestMarkUnreachableAgentGone(t *testing.T) {
	a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}))...)
	s, _, agent := a.runningTask("fw", "t1", "PARTITION_AWARE")
	if err := a.srv.RemoveAgent(agent); err != nil {
		t.Fatal(err)
	}
	if up := s.update(); up.str("update.status.state") != "TASK_UNREACHABLE" {
		t.Fatalf("got %s", up.Raw)
	}
	if err := a.srv.MarkAgentGone(agent); err != nil {
		t.Fatal(err)
	}
	if up := s.update(); up.str("update.status.state") != "TASK_GONE_BY_OPERATOR" {
		t.Errorf("got %s", up.Raw)
	}
	if err := a.srv.RestoreAgent(agent); err == nil {
		t.Errorf("a gone agent came back")
	}
	a.srv.CheckTaskStates(t, map[string]mesos.TaskState{"t1": mesos.TaskGoneByOperator})
}

func TestMasterFailover(t *testing.T) {
	a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}))...)
	s, fw := a.framework("survivor")
	op := a.subscribe("/api/v1", `{"type":"SUBSCRIBE"}`)
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, "t1"))
	a.srv.Clock().Advance(time.Second)
	starting := s.update() // not acknowledged before the failover
	oldMaster := a.srv.MasterID()

	a.srv.Failover()
	for _, ev := range s.ended() {
		if ev.Type == "ERROR" {
			t.Errorf("a master failover sent ERROR: %s", ev.Raw)
		}
	}
	op.ended()
	if a.srv.MasterID() == oldMaster {
		t.Errorf("the new master has the old ID")
	}
	if r := a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"REVIVE"}`, fw)); r.Status != http.StatusForbidden {
		t.Errorf("call before resubscribing: %d, want 403", r.Status)
	}
	if f, _ := a.srv.Framework(fw); !f.Recovered || f.Connected {
		t.Errorf("framework after failover: %+v", f)
	}
	body := fmt.Sprintf(`{"type":"SUBSCRIBE","framework_id":{"value":%q},"subscribe":{"framework_info":{"id":{"value":%q},"user":"root","name":"survivor"}}}`, fw, fw)
	s2 := a.subscribe("/api/v1/scheduler", body)
	if ev := s2.expect("SUBSCRIBED"); ev.str("subscribed.master_info.id") != a.srv.MasterID() {
		t.Errorf("SUBSCRIBED from %s", ev.str("subscribed.master_info.id"))
	}
	// The agent resends the unacknowledged update when its retry falls due.
	a.srv.Clock().Advance(10 * time.Second)
	again := s2.update()
	if again.str("update.status.uuid") != starting.str("update.status.uuid") {
		t.Errorf("want the STARTING update resent, got %s", again.Raw)
	}
	a.ack(s2, fw, again)
	if up := s2.update(); up.str("update.status.state") != "TASK_RUNNING" {
		t.Errorf("got %s", up.Raw)
	}
}

func TestResourceShortage(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("short")
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	if err := a.srv.SetAgentResources(agent, mesos.Resources{CPUs: 0.5, Mem: 256}, nil); err != nil {
		t.Fatal(err)
	}
	if ev := s.next(); ev.Type != "RESCIND" {
		t.Fatalf("want RESCIND, got %s", ev.Raw)
	}
	o = a.offers(s)
	checkJSON(t, o.get("offers.offers.0.resources"), `[
	  {"name":"cpus","type":"SCALAR","scalar":{"value":0.5},"role":"*"},
	  {"name":"mem","type":"SCALAR","scalar":{"value":256},"role":"*"}]`)
	// Below the minimum allocatable (0.01 CPUs or 32 MB), nothing is offered.
	if err := a.srv.SetAgentResources(agent, mesos.Resources{Disk: 100}, nil); err != nil {
		t.Fatal(err)
	}
	s.expect("RESCIND")
	a.srv.Clock().Advance(time.Minute)
	if evs := a.drain(s, fw); len(evs) != 0 {
		t.Errorf("offers of unallocatable resources: %v", evs)
	}
}

func TestReservedResources(t *testing.T) {
	a := newAPI(t, mesos.WithAgents(mesos.AgentConfig{
		Resources: mesos.Resources{CPUs: 1, Mem: 1024},
		Reserved:  map[string]mesos.Resources{"analytics": {CPUs: 2, Mem: 2048}},
	}))
	s := a.subscribe("/api/v1/scheduler", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","role":"analytics"}}}`)
	s.expect("SUBSCRIBED")
	o := a.offers(s)
	// Offered to a framework with neither MULTI_ROLE nor
	// RESERVATION_REFINEMENT: no allocation_info, reservations by role only.
	checkJSON(t, o.get("offers.offers.0.resources"), `[
	  {"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*"},
	  {"name":"mem","type":"SCALAR","scalar":{"value":1024},"role":"*"},
	  {"name":"cpus","type":"SCALAR","scalar":{"value":2},"role":"analytics"},
	  {"name":"mem","type":"SCALAR","scalar":{"value":2048},"role":"analytics"}]`)
	// A framework of another role is offered only the unreserved part.
	other, otherID := a.framework("other")
	a.srv.Clock().Advance(time.Second)
	if evs := a.drain(other, otherID); len(evs) != 0 {
		t.Errorf("the other role got %v while analytics holds the unreserved resources", evs)
	}
}

// outcomes launches n tasks on a fresh master and returns their outcomes.
func outcomes(t *testing.T, seed int64, n int, opts ...mesos.Option) []mesos.TaskState {
	t.Helper()
	opts = append([]mesos.Option{fake.WithSeed(seed), mesos.WithAutoAcknowledge(),
		mesos.WithAgents(mesos.AgentConfig{Resources: mesos.Resources{CPUs: float64(n), Mem: float64(n) * 128}})}, opts...)
	a := newAPI(t, opts...)
	s, fw := a.framework("draw", "PARTITION_AWARE")
	o := a.offers(s)
	var names []string
	for i := 0; i < n; i++ {
		names = append(names, fmt.Sprintf("t%03d", i))
	}
	if r := a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), o.str("offers.offers.0.agent_id.value"), names...)); r.Status != 202 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	a.srv.Clock().Advance(time.Minute)
	var out []mesos.TaskState
	for _, tk := range a.srv.Tasks() {
		out = append(out, tk.State)
	}
	return out
}

func TestOutcomesAreSeeded(t *testing.T) {
	w := mesos.WithOutcomes(mesos.Outcomes{mesos.TaskFinished: 0.5, mesos.TaskFailed: 0.3, mesos.TaskLost: 0.1, mesos.TaskGone: 0.1})
	a, b, c := outcomes(t, 7, 200, w), outcomes(t, 7, 200, w), outcomes(t, 8, 200, w)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different outcomes:\n%s", diff)
	}
	if cmp.Equal(a, c) {
		t.Errorf("different seeds gave the same 200 outcomes")
	}
	counts := map[mesos.TaskState]int{}
	for _, s := range a {
		counts[s]++
	}
	if counts[mesos.TaskFinished] < 70 || counts[mesos.TaskFailed] < 40 || counts[mesos.TaskLost] < 5 || counts[mesos.TaskGone] < 5 {
		t.Errorf("outcome counts %v do not follow the weights", counts)
	}
}

func TestTaskRules(t *testing.T) {
	healthy := false
	rules := mesos.WithTaskRules(
		mesos.TaskRule{Name: "db-.*", Outcome: mesos.TaskRunning, Healthy: &healthy},
		mesos.TaskRule{Labels: map[string]string{"chaos": "fail"}, Outcome: mesos.TaskFailed,
			Reason: "REASON_CONTAINER_LIMITATION_MEMORY", Message: "OOM killed",
			Lifecycle: &mesos.Lifecycle{Starting: time.Second, Running: time.Second, Run: 3 * time.Second}},
		mesos.TaskRule{Name: "stuck", Outcome: mesos.TaskStaging},
		mesos.TaskRule{Name: "broken", Outcome: mesos.TaskError, Message: "bad image"},
	)
	a := newAPI(t, append(smallCluster(), rules, mesos.WithAutoAcknowledge())...)
	s, fw := a.framework("rules")
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	labelled := `{"name":"worker","task_id":{"value":"worker"},"agent_id":{"value":"` + agent + `"},"command":{"value":"x"},` +
		`"labels":{"labels":[{"key":"chaos","value":"fail"}]},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}]}`
	body := fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[%s,%s,%s,%s,%s]}}]}}`,
		fw, o.str("offers.offers.0.id.value"), taskInfo("db-1", "db-1", agent, 0.1, 32), labelled,
		taskInfo("stuck", "stuck", agent, 0.1, 32), taskInfo("broken", "broken", agent, 0.1, 32), taskInfo("plain", "plain", agent, 0.1, 32))
	a.call(s, body)
	up := s.update()
	if up.str("update.status.task_id.value") != "broken" || up.str("update.status.state") != "TASK_ERROR" || up.str("update.status.message") != "bad image" {
		t.Errorf("broken: %s", up.Raw)
	}
	a.srv.Clock().Advance(time.Hour)
	a.srv.CheckTaskStates(t, map[string]mesos.TaskState{
		"db-1": mesos.TaskRunning, "worker": mesos.TaskFailed, "stuck": mesos.TaskStaging, "plain": mesos.TaskFinished,
	})
	w, _ := a.srv.Task("worker")
	last := w.Statuses[len(w.Statuses)-1]
	if last.Reason != "REASON_CONTAINER_LIMITATION_MEMORY" || last.Message != "OOM killed" || !last.Timestamp.Equal(w.Launched.Add(5*time.Second)) {
		t.Errorf("worker's end: %+v (launched %v)", last, w.Launched)
	}
	db, _ := a.srv.Task("db-1")
	if h := db.Statuses[len(db.Statuses)-1].Healthy; h == nil || *h {
		t.Errorf("db-1 RUNNING healthy = %v, want false", h)
	}
	if _, ok := a.srv.Task("broken"); ok {
		t.Errorf("a TASK_ERROR task was recorded")
	}
	a.srv.CheckTask(t, mesos.Task{
		ID: "stuck", Name: "stuck", FrameworkID: fw, AgentID: agent, Role: "*", State: mesos.TaskStaging,
		Outcome: mesos.TaskStaging, Resources: mesos.Resources{CPUs: 0.1, Mem: 32},
	}, cmpopts.IgnoreFields(mesos.Task{}, "Launched", "Updated"))
	if _, err := a.srv.AddTaskRule(mesos.TaskRule{Name: "("}); err == nil {
		t.Errorf("a bad name pattern was accepted")
	}
	added, err := a.srv.AddTaskRule(mesos.TaskRule{Name: "late", Outcome: mesos.TaskFailed, Labels: map[string]string{"k": "v"}})
	if err != nil || added.Name != "late" || added.Labels["k"] != "v" {
		t.Errorf("AddTaskRule: %+v, %v", added, err)
	}
	added.Labels["k"] = "changed"
	if rules := a.srv.TaskRules(); len(rules) != 5 || rules[4].Labels["k"] != "v" {
		t.Errorf("rules after AddTaskRule %+v", rules)
	}
	if err := a.srv.SetOutcomes(mesos.Outcomes{"TASK_BOGUS": 1}); err == nil {
		t.Errorf("a bad outcome was accepted")
	}
}

func TestControlAPI(t *testing.T) {
	a := newAPI(t, mesos.WithAgents())
	r := a.do("POST", "/control/agents", `{"hostname":"node-%d.example.com","count":2,"resources":{"cpus":2,"mem":1024,"ports":[{"begin":31000,"end":31099}]},"attributes":{"rack":"r2","speed":"2.5","cores":"{a,b}","range":"[1-5]"}}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("add agents: %d %s", r.Status, r.Body)
	}
	var added struct{ Agents []mesos.Agent }
	if err := json.Unmarshal(r.Body, &added); err != nil || len(added.Agents) != 2 {
		t.Fatalf("added %s (%v)", r.Body, err)
	}
	if h := added.Agents[1].Hostname; h != "node-1.example.com" {
		t.Errorf("hostname %q", h)
	}
	st := a.do("GET", "/master/state", "").json(t)
	attrs := st["slaves"].([]any)[0].(map[string]any)["attributes"]
	checkJSON(t, attrs, `{"rack":"r2","speed":2.5,"cores":"{a, b}","range":"[1-5]"}`)

	id := added.Agents[0].ID
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"DELETE", "/control/agents/" + id, "", 204},
		{"DELETE", "/control/agents/" + id, "", 409},
		{"POST", "/control/agents/" + id + "/restore", "", 204},
		{"POST", "/control/agents/nope/restore", "", 404},
		{"POST", "/control/agents/" + id + "/resources", `{"resources":{"cpus":1}}`, 204},
		{"POST", "/control/agents/" + id + "/resources", `{"resources":{"cpus":-1}}`, 400},
		{"POST", "/control/agents", `{"resources":{"cpus":"many"}}`, 400},
		{"POST", "/control/task-rules", `{"name":"x.*","outcome":"TASK_FAILED"}`, 201},
		{"POST", "/control/task-rules", `{"outcome":"TASK_SLEEPING"}`, 400},
		{"POST", "/control/failover", "", 204},
		{"DELETE", "/control/agents/" + added.Agents[1].ID + "?gone=true", "", 204},
	} {
		if r := a.do(tc.method, tc.path, tc.body); r.Status != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, r.Status, r.Body, tc.status)
		}
	}
	var rules struct {
		TaskRules []mesos.TaskRule `json:"task_rules"`
	}
	if err := json.Unmarshal(a.do("GET", "/control/task-rules", "").Body, &rules); err != nil || len(rules.TaskRules) != 1 || rules.TaskRules[0].Outcome != mesos.TaskFailed {
		t.Errorf("task rules %+v (%v)", rules, err)
	}
	cfg, err := mesos.ParseConfig(a.do("GET", "/control/config", "").Body)
	if err != nil {
		t.Fatalf("the config does not read back: %v", err)
	}
	if cfg.HeartbeatInterval != 15*time.Second || cfg.Lifecycle != mesos.DefaultLifecycle() {
		t.Errorf("config read back: %+v", cfg)
	}
	if ag, _ := a.srv.Agent(added.Agents[1].ID); ag.State != mesos.AgentGone {
		t.Errorf("agent state %s, want GONE", ag.State)
	}
	if ag, _ := a.srv.Agent(id); ag.Resources.CPUs != 1 || ag.State != mesos.AgentRegistered {
		t.Errorf("agent after restore and resize: %+v", ag)
	}
	if !strings.Contains(string(a.do("PATCH", "/control/agents", "").Body), "not allowed") {
		t.Errorf("wrong method on a control route")
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := mesos.ParseConfig([]byte(`{
	  "hostname": "mesos.example.com",
	  "agents": [{"count": 3, "resources": {"cpus": 8, "mem": 16384}}],
	  "heartbeat_interval": "5s",
	  "offer_timeout": 30,
	  "lifecycle": {"run": "1m"},
	  "outcomes": {"TASK_FINISHED": 9, "TASK_FAILED": 1},
	  "task_rules": [{"name": "db-.*", "outcome": "TASK_RUNNING", "lifecycle": {"starting": "2s"}}],
	  "auto_acknowledge": true
	}`))
	if err != nil {
		t.Fatal(err)
	}
	want := mesos.DefaultConfig()
	want.Hostname = "mesos.example.com"
	want.Agents = []mesos.AgentConfig{{Count: 3, Resources: mesos.Resources{CPUs: 8, Mem: 16384}}}
	want.HeartbeatInterval = 5 * time.Second
	want.OfferTimeout = 30 * time.Second
	want.Lifecycle.Run = time.Minute
	want.Outcomes = mesos.Outcomes{mesos.TaskFinished: 9, mesos.TaskFailed: 1}
	want.TaskRules = []mesos.TaskRule{{Name: "db-.*", Outcome: mesos.TaskRunning, Lifecycle: &mesos.Lifecycle{Starting: 2 * time.Second}}}
	want.AutoAcknowledge = true
	if diff := cmp.Diff(want, cfg, cmpopts.IgnoreUnexported(mesos.TaskRule{})); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	m, err := mesos.NewUnstarted(mesos.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if n := len(m.Agents()); n != 3 {
		t.Errorf("%d agents from count 3", n)
	}
	for _, bad := range []string{
		`{"outcomes":{"TASK_NAPPING":1}}`, `{"lifecycle":{"run":"-1s"}}`, `{"agents":[{"resources":{"cpus":-2}}]}`,
		`{"task_rules":[{"name":"("}]}`, `{"heartbeat_interval":"soon"}`, `{"port":70000}`, `[]`,
	} {
		if _, err := mesos.ParseConfig([]byte(bad)); err == nil {
			t.Errorf("ParseConfig(%s) accepted", bad)
		}
	}
	// What a person gets wrong in a file is named where it is.
	for bad, want := range map[string]string{
		`{"agents":[{"count":1},{"cpus":4}]}`:                  "agents[1].cpus: unknown key",
		`{"lifecycle":{"runnning":"1s"}}`:                      "lifecycle.runnning: unknown key",
		`{"heartbeat_intervall":"5s"}`:                         "heartbeat_intervall: unknown key",
		`{"offer_timeout":"-5s"}`:                              "offer_timeout: -5s is negative",
		`{"heartbeat_interval":-1}`:                            "heartbeat_interval: -1s is negative",
		`{"agents":[{"count":100000000}]}`:                     "agents[0]: more than 100000 agents in all",
		`{"agents":[{"count":99999},{"count":1},{"count":1}]}`: "agents[2]: more than 100000 agents in all",
	} {
		_, err := mesos.ParseConfig([]byte(bad))
		if err == nil || err.Error() != "mesos config: "+want {
			t.Errorf("ParseConfig(%s) = %v, want %q", bad, err, want)
		}
	}
}
