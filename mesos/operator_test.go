package mesos_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/mesos"
)

// runningTask subscribes a framework and launches one task that is
// RUNNING (acknowledged) when it returns.
func (a *api) runningTask(name, taskID string, capabilities ...string) (*stream, string, string) {
	a.t.Helper()
	s, fw := a.framework(name, capabilities...)
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, taskID))
	a.srv.Clock().Advance(2 * time.Second)
	for i := 0; i < 2; i++ {
		a.ack(s, fw, s.update())
	}
	return s, fw, agent
}

func TestOperatorCalls(t *testing.T) {
	a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}))...)
	_, fw, agent := a.runningTask("op", "t1")
	mid := a.srv.MasterID()
	resources := `[
	  {"name":"cpus","type":"SCALAR","scalar":{"value":4},"role":"*"},
	  {"name":"mem","type":"SCALAR","scalar":{"value":4096},"role":"*"},
	  {"name":"disk","type":"SCALAR","scalar":{"value":10000},"role":"*"},
	  {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]},"role":"*"}]`
	agentJSON := `{
	  "agent_info":{"hostname":"agent1.example.com","port":5051,"id":{"value":"` + agent + `"},"resources":` + resources + `,
	    "attributes":[{"name":"rack","type":"TEXT","text":{"value":"r1"}},{"name":"zone","type":"TEXT","text":{"value":"a"}}]},
	  "active":true,"deactivated":false,"version":"1.11.0","pid":"slave(1)@10.0.0.1:5051",
	  "registered_time":{"nanoseconds":1767225600000000000},
	  "total_resources":` + resources + `,
	  "allocated_resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*"},{"name":"mem","type":"SCALAR","scalar":{"value":128},"role":"*"}],
	  "offered_resources":[],
	  "capabilities":[{"type":"MULTI_ROLE"},{"type":"HIERARCHICAL_ROLE"},{"type":"RESERVATION_REFINEMENT"},{"type":"RESOURCE_PROVIDER"},
	    {"type":"RESIZE_VOLUME"},{"type":"AGENT_OPERATION_FEEDBACK"},{"type":"AGENT_DRAINING"},{"type":"TASK_RESOURCE_LIMITS"}]}`
	taskJSON := `{
	  "name":"t1","task_id":{"value":"t1"},"framework_id":{"value":"` + fw + `"},"agent_id":{"value":"` + agent + `"},
	  "state":"TASK_RUNNING","user":"root",
	  "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*","allocation_info":{"role":"*"}},
	    {"name":"mem","type":"SCALAR","scalar":{"value":128},"role":"*","allocation_info":{"role":"*"}}],
	  "statuses":[
	    {"task_id":{"value":"t1"},"state":"TASK_STARTING","source":"SOURCE_EXECUTOR","agent_id":{"value":"` + agent + `"},"executor_id":{"value":"t1"},"timestamp":1767225602,"uuid":"<masked>",
	      "container_status":{"container_id":"<masked>","network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"10.0.0.1"}]}]}},
	    {"task_id":{"value":"t1"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR","agent_id":{"value":"` + agent + `"},"executor_id":{"value":"t1"},"timestamp":1767225603,"uuid":"<masked>",
	      "container_status":{"container_id":"<masked>","network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"10.0.0.1"}]}]}}],
	  "status_update_state":"TASK_RUNNING","status_update_uuid":"<masked>"}`
	frameworkJSON := `{
	  "framework_info":{"user":"root","name":"op","id":{"value":"` + fw + `"},"failover_timeout":0,"checkpoint":false,"role":"*"},
	  "active":true,"connected":true,"recovered":false,
	  "registered_time":{"nanoseconds":1767225600000000000},"reregistered_time":{"nanoseconds":1767225600000000000},
	  "offers":[],"inverse_offers":[],
	  "allocated_resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*","allocation_info":{"role":"*"}},
	    {"name":"mem","type":"SCALAR","scalar":{"value":128},"role":"*","allocation_info":{"role":"*"}}],
	  "offered_resources":[]}`

	for _, tc := range []struct {
		call, want string
		masked     []string
	}{
		{`{"type":"GET_HEALTH"}`, `{"type":"GET_HEALTH","get_health":{"healthy":true}}`, nil},
		{`{"type":"GET_VERSION"}`, `{"type":"GET_VERSION","get_version":{"version_info":{"version":"1.11.0",
		  "build_date":"2020-11-19 17:36:35","build_time":1605807395,"build_user":"mockcloud"}}}`, nil},
		{`{"type":"GET_MASTER"}`, `{"type":"GET_MASTER","get_master":{"master_info":{"id":"` + mid + `","ip":16777343,"port":5050,
		  "pid":"master@127.0.0.1:5050","hostname":"localhost","version":"1.11.0",
		  "address":{"hostname":"localhost","ip":"127.0.0.1","port":5050},
		  "capabilities":[{"type":"AGENT_UPDATE"},{"type":"AGENT_DRAINING"},{}]},
		  "start_time":1767225600,"elected_time":1767225600}}`, nil},
		{`{"type":"GET_AGENTS"}`, `{"type":"GET_AGENTS","get_agents":{"agents":[` + agentJSON + `],"recovered_agents":[]}}`, nil},
		{`{"type":"GET_FRAMEWORKS"}`, `{"type":"GET_FRAMEWORKS","get_frameworks":{"frameworks":[` + frameworkJSON + `],"completed_frameworks":[]}}`, nil},
		{`{"type":"GET_TASKS"}`, `{"type":"GET_TASKS","get_tasks":{"tasks":[` + taskJSON + `],"unreachable_tasks":[],"completed_tasks":[]}}`,
			[]string{"uuid", "status_update_uuid", "container_id"}},
		{`{"type":"GET_EXECUTORS"}`, `{"type":"GET_EXECUTORS","get_executors":{"executors":[]}}`, nil},
		{`{"type":"GET_ROLES"}`, `{"type":"GET_ROLES","get_roles":{"roles":[{"name":"*","weight":1,"frameworks":[{"value":"` + fw + `"}],
		  "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*","allocation_info":{"role":"*"}},
		    {"name":"mem","type":"SCALAR","scalar":{"value":128},"role":"*","allocation_info":{"role":"*"}}]}]}}`, nil},
		{`{"type":"GET_STATE"}`, `{"type":"GET_STATE","get_state":{
		  "get_tasks":{"tasks":[` + taskJSON + `],"unreachable_tasks":[],"completed_tasks":[]},
		  "get_executors":{"executors":[]},
		  "get_frameworks":{"frameworks":[` + frameworkJSON + `],"completed_frameworks":[]},
		  "get_agents":{"agents":[` + agentJSON + `],"recovered_agents":[]}}}`, []string{"uuid", "status_update_uuid", "container_id"}},
		{`{"type":"GET_OPERATIONS"}`, `{"type":"GET_OPERATIONS","get_operations":{"operations":[]}}`, nil},
		{`{"type":"GET_WEIGHTS"}`, `{"type":"GET_WEIGHTS","get_weights":{"weight_infos":[]}}`, nil},
		{`{"type":"GET_LOGGING_LEVEL"}`, `{"type":"GET_LOGGING_LEVEL","get_logging_level":{"level":0}}`, nil},
	} {
		checkJSON(t, a.operator(tc.call), tc.want, tc.masked...)
	}

	flags := a.operator(`{"type":"GET_FLAGS"}`)
	found := map[string]string{}
	for _, f := range flags["get_flags"].(map[string]any)["flags"].([]any) {
		m := f.(map[string]any)
		found[m["name"].(string)] = m["value"].(string)
	}
	if found["allocation_interval"] != "1secs" || found["hostname"] != "localhost" || found["port"] != "5050" {
		t.Errorf("GET_FLAGS: %v", found)
	}
	metrics := a.operator(`{"type":"GET_METRICS","get_metrics":{"timeout":{"nanoseconds":5000000000}}}`)
	got := map[string]float64{}
	for _, x := range metrics["get_metrics"].(map[string]any)["metrics"].([]any) {
		m := x.(map[string]any)
		got[m["name"].(string)] = m["value"].(float64)
	}
	for name, want := range map[string]float64{"master/tasks_running": 1, "master/slaves_active": 1,
		"master/frameworks_active": 1, "master/cpus_total": 4, "master/cpus_used": 1, "master/elected": 1, "master/uptime_secs": 3} {
		if got[name] != want {
			t.Errorf("metric %s = %v, want %v", name, got[name], want)
		}
	}
}

func TestOperatorErrors(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	for _, tc := range []struct {
		name    string
		method  string
		body    string
		headers []string
		status  int
		msg     string
	}{
		{"GET", "GET", "", nil, 405, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'."},
		{"no Content-Type", "POST", `{"type":"GET_HEALTH"}`, []string{"Content-Type", ""}, 400, "Expecting 'Content-Type' to be present"},
		{"JSON as protobuf", "POST", `{"type":"GET_HEALTH"}`, []string{"Content-Type", "application/x-protobuf"}, 400, "Failed to parse body into Call protobuf"},
		{"bad JSON", "POST", `{`, nil, 400, "Failed to parse body into JSON"},
		{"wrong field type", "POST", `{"type":"TEARDOWN","teardown":{"framework_id":"x"}}`, nil, 400,
			"Failed to convert JSON into Call protobuf: Not expecting a JSON string"},
		{"no type", "POST", `{}`, nil, 400, "Failed to validate master::Call: Expecting 'type' to be present"},
		{"no get_metrics", "POST", `{"type":"GET_METRICS"}`, nil, 400, "Failed to validate master::Call: Expecting 'get_metrics' to be present"},
		{"missing teardown id", "POST", `{"type":"TEARDOWN","teardown":{}}`, nil, 400, "Missing required fields: teardown.framework_id"},
		{"not acceptable", "POST", `{"type":"GET_HEALTH"}`, []string{"Accept", "text/html"}, 406, "Expecting 'Accept' to allow"},
		{"not implemented", "POST", `{"type":"RESERVE_RESOURCES","reserve_resources":{"agent_id":{"value":"a"}}}`, nil, 501,
			"does not implement RESERVE_RESOURCES"},
		{"unknown framework", "POST", `{"type":"TEARDOWN","teardown":{"framework_id":{"value":"x"}}}`, nil, 400,
			"No framework found with specified ID"},
		{"unknown agent", "POST", `{"type":"MARK_AGENT_GONE","mark_agent_gone":{"agent_id":{"value":"x"}}}`, nil, 404, "Agent 'x' not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(tc.method, "/api/v1", tc.body, tc.headers...)
			if r.Status != tc.status || !strings.Contains(string(r.Body), tc.msg) {
				t.Errorf("%d %q, want %d containing %q", r.Status, r.Body, tc.status, tc.msg)
			}
		})
	}
	// The master serves its endpoints under /master as well.
	if r := a.do("POST", "/master/api/v1", `{"type":"GET_HEALTH"}`); r.Status != 200 {
		t.Errorf("/master/api/v1: %d", r.Status)
	}
}

func TestOperatorActions(t *testing.T) {
	a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}))...)
	s, fw, agent := a.runningTask("victim", "t1", "PARTITION_AWARE")
	if r := a.do("POST", "/api/v1", fmt.Sprintf(`{"type":"DEACTIVATE_AGENT","deactivate_agent":{"agent_id":{"value":%q}}}`, agent)); r.Status != 200 {
		t.Fatalf("DEACTIVATE_AGENT: %d %s", r.Status, r.Body)
	}
	if ag, _ := a.srv.Agent(agent); !ag.Deactivated {
		t.Errorf("agent not deactivated")
	}
	a.do("POST", "/api/v1", fmt.Sprintf(`{"type":"REACTIVATE_AGENT","reactivate_agent":{"agent_id":{"value":%q}}}`, agent))
	if r := a.do("POST", "/api/v1", fmt.Sprintf(`{"type":"MARK_AGENT_GONE","mark_agent_gone":{"agent_id":{"value":%q}}}`, agent)); r.Status != 200 {
		t.Fatalf("MARK_AGENT_GONE: %d %s", r.Status, r.Body)
	}
	up := s.update()
	if up.str("update.status.state") != "TASK_GONE_BY_OPERATOR" || up.str("update.status.reason") != "REASON_AGENT_REMOVED_BY_OPERATOR" {
		t.Errorf("after MARK_AGENT_GONE: %s", up.Raw)
	}
	if ev := s.next(); ev.Type != "FAILURE" || ev.str("failure.agent_id.value") != agent {
		t.Errorf("want FAILURE for the agent, got %s", ev.Raw)
	}
	if r := a.do("POST", "/api/v1", fmt.Sprintf(`{"type":"TEARDOWN","teardown":{"framework_id":{"value":%q}}}`, fw)); r.Status != 200 {
		t.Fatalf("TEARDOWN: %d %s", r.Status, r.Body)
	}
	s.ended()
	if f, _ := a.srv.Framework(fw); !f.Completed {
		t.Errorf("framework not torn down")
	}
}

func TestOperatorSubscribe(t *testing.T) {
	a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskFailed: 1}))...)
	op := a.subscribe("/api/v1", `{"type":"SUBSCRIBE"}`)
	if op.header.Get("Content-Type") != "application/json" || op.header.Get("Mesos-Stream-Id") != "" {
		t.Errorf("operator stream headers %v", op.header)
	}
	ev, _ := op.nextAny()
	checkJSON(t, ev.v, `{"type":"SUBSCRIBED","subscribed":{"heartbeat_interval_seconds":15,"get_state":{
	  "get_tasks":{"tasks":[],"unreachable_tasks":[],"completed_tasks":[]},
	  "get_executors":{"executors":[]},
	  "get_frameworks":{"frameworks":[],"completed_frameworks":[]},
	  "get_agents":{"agents":"<masked>","recovered_agents":[]}}}}`, "agents")
	if ev, _ := op.nextAny(); ev.Type != "HEARTBEAT" {
		t.Errorf("second event %s, want HEARTBEAT", ev.Raw)
	}

	s, fw := a.framework("watched", "TASK_KILLING_STATE")
	ev = op.expect("FRAMEWORK_ADDED")
	if ev.str("framework_added.framework.framework_info.id.value") != fw || ev.get("framework_added.framework.connected") != true {
		t.Errorf("FRAMEWORK_ADDED %s", ev.Raw)
	}
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, "t1"))
	ev = op.expect("TASK_ADDED")
	checkJSON(t, ev.v, `{"type":"TASK_ADDED","task_added":{"task":{"name":"t1","task_id":{"value":"t1"},
	  "framework_id":{"value":"`+fw+`"},"agent_id":{"value":"`+agent+`"},"state":"TASK_STAGING","user":"root","statuses":[],
	  "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*","allocation_info":{"role":"*"}},
	    {"name":"mem","type":"SCALAR","scalar":{"value":128},"role":"*","allocation_info":{"role":"*"}}]}}}`)
	a.srv.Clock().Advance(time.Second)
	ev = op.expect("TASK_UPDATED")
	checkJSON(t, ev.v, `{"type":"TASK_UPDATED","task_updated":{"framework_id":{"value":"`+fw+`"},"state":"TASK_STARTING",
	  "status":{"task_id":{"value":"t1"},"state":"TASK_STARTING","source":"SOURCE_EXECUTOR","agent_id":{"value":"`+agent+`"},
	    "executor_id":{"value":"t1"},"timestamp":0,"uuid":"<masked>",
	    "container_status":{"container_id":"<masked>","network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"10.0.0.1"}]}]}}}}`,
		"timestamp", "uuid", "container_id")

	added, err := a.srv.AddAgent(mesos.AgentConfig{Hostname: "late.example.com", Resources: mesos.Resources{CPUs: 1, Mem: 512}})
	if err != nil {
		t.Fatal(err)
	}
	ev = op.expect("AGENT_ADDED")
	if ev.str("agent_added.agent.agent_info.id.value") != added.ID || ev.str("agent_added.agent.agent_info.hostname") != "late.example.com" {
		t.Errorf("AGENT_ADDED %s", ev.Raw)
	}
	if err := a.srv.RemoveAgent(added.ID); err != nil {
		t.Fatal(err)
	}
	ev = op.expect("AGENT_REMOVED")
	checkJSON(t, ev.v, `{"type":"AGENT_REMOVED","agent_removed":{"agent_id":{"value":"`+added.ID+`"}}}`)

	body := fmt.Sprintf(`{"type":"SUBSCRIBE","framework_id":{"value":%q},"subscribe":{"framework_info":{"id":{"value":%q},"user":"root","name":"watched","capabilities":[{"type":"TASK_KILLING_STATE"}]}}}`, fw, fw)
	s2 := a.subscribe("/api/v1/scheduler", body)
	s2.expect("SUBSCRIBED")
	ev = op.expect("FRAMEWORK_UPDATED")
	if ev.str("framework_updated.framework.framework_info.id.value") != fw {
		t.Errorf("FRAMEWORK_UPDATED %s", ev.Raw)
	}
	a.call(s2, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"TEARDOWN"}`, fw))
	ev = op.expect("TASK_UPDATED")
	if ev.str("task_updated.state") != "TASK_KILLED" || ev.str("task_updated.status.reason") != "REASON_FRAMEWORK_REMOVED" {
		t.Errorf("teardown's TASK_UPDATED %s", ev.Raw)
	}
	ev = op.expect("FRAMEWORK_REMOVED")
	if ev.str("framework_removed.framework_info.id.value") != fw {
		t.Errorf("FRAMEWORK_REMOVED %s", ev.Raw)
	}
	a.srv.Clock().Advance(15 * time.Second)
	if ev, _ := op.nextAny(); ev.Type != "HEARTBEAT" {
		t.Errorf("want a HEARTBEAT after 15s, got %s", ev.Raw)
	}
	s.ended()
}
