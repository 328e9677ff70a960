package mesos_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/mesos"
)

// mask replaces the values of the named keys, wherever they appear, with
// "<masked>", so a comparison ignores generated IDs and timestamps.
func mask(v any, keys ...string) any {
	set := map[string]bool{}
	for _, k := range keys {
		set[k] = true
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, val := range x {
				if set[k] {
					out[k] = "<masked>"
				} else {
					out[k] = walk(val)
				}
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, val := range x {
				out[i] = walk(val)
			}
			return out
		}
		return v
	}
	return walk(v)
}

func parse(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad expected JSON: %v\n%s", err, s)
	}
	return v
}

// checkJSON compares got (decoded JSON) with the expected document, after
// masking keys in both.
func checkJSON(t testing.TB, got any, want string, keys ...string) {
	t.Helper()
	if diff := cmp.Diff(mask(parse(t, want), keys...), mask(got, keys...)); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", diff)
	}
}

func TestSubscribe(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s := a.subscribe("/api/v1/scheduler", `{
	  "type": "SUBSCRIBE",
	  "subscribe": {"framework_info": {"user": "foo", "name": "Example HTTP Framework",
	    "roles": ["test1", "test2"], "capabilities": [{"type": "MULTI_ROLE"}]},
	    "suppressed_roles": ["test2"]}}`)

	if got := s.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want exactly application/json", got)
	}
	if s.id == "" || len(s.id) > 128 {
		t.Errorf("Mesos-Stream-Id = %q, want 1 to 128 bytes", s.id)
	}
	if got := s.header.Get("Content-Length"); got != "" || !s.chunked {
		t.Errorf("Content-Length = %q, chunked %v: want a chunked stream without a length", got, s.chunked)
	}

	ev, ok := s.nextAny()
	if !ok || ev.Type != "SUBSCRIBED" {
		t.Fatalf("first event %s, want SUBSCRIBED", ev.Raw)
	}
	checkJSON(t, ev.v, `{
	  "type": "SUBSCRIBED",
	  "subscribed": {
	    "framework_id": {"value": "<masked>"},
	    "heartbeat_interval_seconds": 15,
	    "master_info": {
	      "id": "<masked>", "ip": 16777343, "port": 5050, "pid": "master@127.0.0.1:5050",
	      "hostname": "localhost", "version": "1.11.0",
	      "address": {"hostname": "localhost", "ip": "127.0.0.1", "port": 5050},
	      "capabilities": [{"type": "AGENT_UPDATE"}, {"type": "AGENT_DRAINING"}, {}]
	    }
	  }
	}`, "value", "id")
	fwID := ev.str("subscribed.framework_id.value")
	masterID := ev.str("subscribed.master_info.id")
	if want := masterID + "-0000"; fwID != want {
		t.Errorf("framework ID %q, want %q", fwID, want)
	}

	// The master starts heartbeating at once, then every 15 seconds.
	if ev, _ := s.nextAny(); ev.Type != "HEARTBEAT" || string(ev.Raw) != `{"type":"HEARTBEAT"}` {
		t.Errorf("second event %s, want HEARTBEAT", ev.Raw)
	}
	a.srv.Clock().Advance(15 * time.Second)
	// The allocation (test1 only: test2 is suppressed) comes first, at 1s.
	if ev := s.next(); ev.Type != "OFFERS" || ev.str("offers.offers.0.allocation_info.role") != "test1" {
		t.Errorf("want OFFERS to test1, got %s", ev.Raw)
	}
	if ev, _ := s.nextAny(); ev.Type != "HEARTBEAT" {
		t.Errorf("want HEARTBEAT after 15s, got %s", ev.Raw)
	}

	fw, ok := a.srv.Framework(fwID)
	if !ok {
		t.Fatalf("framework %s not registered", fwID)
	}
	if diff := cmp.Diff(mesos.Framework{
		ID: fwID, Name: "Example HTTP Framework", User: "foo", Roles: []string{"test1", "test2"},
		SuppressedRoles: []string{"test2"}, Capabilities: []string{"MULTI_ROLE"}, Active: true, Connected: true,
		StreamID: s.id, Registered: fw.Registered, Offers: 1,
	}, fw); diff != "" {
		t.Errorf("Framework (-want +got):\n%s", diff)
	}
	fake.CheckOps(t, fake.Filter(a.srv.Requests(), "mesos.scheduler*"), mesos.OpSchedulerSubscribe)
}

func TestSubscribeRejected(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	sub := subscribeBody("x")
	for _, tc := range []struct {
		name    string
		method  string
		body    string
		headers []string
		status  int
		msg     string
	}{
		{"GET", "GET", "", nil, 405, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'."},
		{"no Content-Type", "POST", sub, []string{"Content-Type", ""}, 400, "Expecting 'Content-Type' to be present"},
		{"malformed Content-Type", "POST", sub, []string{"Content-Type", "application/"}, 400, "Malformed 'Content-Type'"},
		{"JSON as protobuf", "POST", sub, []string{"Content-Type", "application/x-protobuf"}, 400, "Failed to parse body into Call protobuf"},
		{"text", "POST", sub, []string{"Content-Type", "text/plain"}, 415,
			"Expecting 'Content-Type' of application/json or application/x-protobuf"},
		{"bad JSON", "POST", `{"type":`, nil, 400, "Failed to parse body into JSON"},
		{"empty body", "POST", " ", []string{"Content-Type", "application/json"}, 400, "Failed to parse body into JSON"},
		{"not an object", "POST", `[1]`, nil, 400, "Failed to convert JSON into Call protobuf: Expecting a JSON object"},
		{"wrong type", "POST", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":1,"name":"x"}}}`, nil, 400,
			"Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'user'"},
		{"missing fields", "POST", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{}}}`, nil, 400,
			"Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user, subscribe.framework_info.name"},
		{"no type", "POST", `{"subscribe":{"framework_info":{"user":"u","name":"n"}}}`, nil, 400,
			"Failed to validate scheduler::Call: Expecting 'type' to be present"},
		{"unknown type", "POST", `{"type":"LAUNCH_ROCKETS"}`, nil, 400,
			"Failed to validate scheduler::Call: Expecting 'type' to be present"},
		{"no subscribe", "POST", `{"type":"SUBSCRIBE"}`, nil, 400,
			"Failed to validate scheduler::Call: Expecting 'subscribe' to be present"},
		{"framework_id differs", "POST",
			`{"type":"SUBSCRIBE","framework_id":{"value":"a"},"subscribe":{"framework_info":{"user":"u","name":"n"}}}`, nil, 400,
			"Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'"},
		{"stream id", "POST", sub, []string{"Mesos-Stream-Id", "abc"}, 400,
			"Subscribe calls should not include the 'Mesos-Stream-Id' header"},
		{"not acceptable", "POST", sub, []string{"Accept", "text/html"}, 406,
			"Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(tc.method, "/api/v1/scheduler", tc.body, tc.headers...)
			if r.Status != tc.status || !strings.Contains(string(r.Body), tc.msg) {
				t.Errorf("%d %q, want %d containing %q", r.Status, r.Body, tc.status, tc.msg)
			}
			if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q, want Mesos's plain text", ct)
			}
			if tc.status == 405 && r.Header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", r.Header.Get("Allow"))
			}
		})
	}
	if fws := a.srv.Frameworks(); len(fws) != 0 {
		t.Errorf("rejected subscriptions registered %d frameworks", len(fws))
	}
}

// An invalid FrameworkInfo is refused on the stream: 200, then ERROR, then
// the end of the response.
func TestSubscribeInvalidFrameworkInfo(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	for _, tc := range []struct{ info, msg string }{
		{`{"user":"u","name":"n","roles":["a"]}`, "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable"},
		{`{"user":"u","name":"n","role":"a","capabilities":[{"type":"MULTI_ROLE"}]}`, "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"},
		{`{"user":"u","name":"n","role":"-bad"}`, "'FrameworkInfo.role' is not a valid role"},
		{`{"user":"u","name":"n","roles":["a","a"],"capabilities":[{"type":"MULTI_ROLE"}]}`, "'FrameworkInfo.roles' contains duplicate items: { a }"},
	} {
		s := a.subscribe("/api/v1/scheduler", `{"type":"SUBSCRIBE","subscribe":{"framework_info":`+tc.info+`}}`)
		evs := s.ended()
		if len(evs) != 1 || evs[0].Type != "ERROR" || !strings.Contains(evs[0].str("error.message"), tc.msg) {
			t.Errorf("%s: got %v, want one ERROR %q", tc.info, evs, tc.msg)
		}
	}
	s := a.subscribe("/api/v1/scheduler", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"},"suppressed_roles":["x"]}}`)
	if evs := s.ended(); len(evs) != 1 || !strings.Contains(evs[0].str("error.message"), "Suppressed roles { x } are not contained in the set of roles") {
		t.Errorf("suppressed roles: got %v", evs)
	}
}

func TestCallChecks(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("checks")
	kill := fmt.Sprintf(`{"framework_id":{"value":%q},"type":"KILL","kill":{"task_id":{"value":"t"}}}`, fw)
	for _, tc := range []struct {
		name    string
		body    string
		headers []string
		status  int
		msg     string
	}{
		{"no framework_id", `{"type":"REVIVE"}`, []string{"Mesos-Stream-Id", s.id}, 400,
			"Failed to validate scheduler::Call: Expecting 'framework_id' to be present"},
		{"unknown framework", `{"framework_id":{"value":"nope"},"type":"REVIVE"}`, []string{"Mesos-Stream-Id", s.id}, 400,
			"Framework cannot be found"},
		{"no stream id", kill, nil, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header"},
		{"wrong stream id", kill, []string{"Mesos-Stream-Id", "other"}, 400,
			"The stream ID 'other' included in this request didn't match the stream ID currently associated with framework ID " + fw},
		{"no kill", fmt.Sprintf(`{"framework_id":{"value":%q},"type":"KILL"}`, fw), []string{"Mesos-Stream-Id", s.id}, 400,
			"Failed to validate scheduler::Call: Expecting 'kill' to be present"},
		{"kill without task", fmt.Sprintf(`{"framework_id":{"value":%q},"type":"KILL","kill":{}}`, fw), []string{"Mesos-Stream-Id", s.id}, 400,
			"Missing required fields: kill.task_id"},
		{"bad uuid", ackBody(fw, "a", "t", "AAAA"), []string{"Mesos-Stream-Id", s.id}, 400,
			"Failed to validate scheduler::Call: Not a valid UUID"},
		{"not base64", ackBody(fw, "a", "t", "!!"), []string{"Mesos-Stream-Id", s.id}, 400,
			"Failed to convert JSON into Call protobuf: Failed to base64 decode bytes field"},
		{"id without value", fmt.Sprintf(`{"framework_id":{"value":%q},"type":"DECLINE","decline":{"offer_ids":[{}]}}`, fw),
			[]string{"Mesos-Stream-Id", s.id}, 400, "Missing required fields: decline.offer_ids[0].value"},
		{"bad resource type", fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[],"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"n","task_id":{"value":"t"},"agent_id":{"value":"a"},"resources":[{"name":"cpus","type":"QUANTUM"}]}]}}]}}`, fw),
			[]string{"Mesos-Stream-Id", s.id}, 400, "Failed to find enum for 'QUANTUM'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do("POST", "/api/v1/scheduler", tc.body, tc.headers...)
			if r.Status != tc.status || !strings.Contains(string(r.Body), tc.msg) {
				t.Errorf("%d %q, want %d containing %q", r.Status, r.Body, tc.status, tc.msg)
			}
		})
	}
	// A framework whose stream broke is not subscribed: 403.
	s.close()
	waitFor(t, func() bool { f, _ := a.srv.Framework(fw); return !f.Connected })
	r := a.do("POST", "/api/v1/scheduler", kill, "Mesos-Stream-Id", s.id)
	if r.Status != http.StatusForbidden || string(r.Body) != "Framework is not subscribed" {
		t.Errorf("after disconnect: %d %q, want 403 Framework is not subscribed", r.Status, r.Body)
	}
}

// waitFor polls cond (for effects of a client going away, which the
// server notices on its own goroutine).
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", waitTimeout)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestResubscribeFailsOver(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	old, fw := a.framework("ha")
	body := fmt.Sprintf(`{"type":"SUBSCRIBE","framework_id":{"value":%q},"subscribe":{"framework_info":{"id":{"value":%q},"user":"root","name":"ha v2"}}}`, fw, fw)
	nu := a.subscribe("/api/v1/scheduler", body)
	ev := nu.expect("SUBSCRIBED")
	if got := ev.str("subscribed.framework_id.value"); got != fw {
		t.Errorf("resubscribed as %s, want %s", got, fw)
	}
	if nu.id == old.id {
		t.Errorf("the new stream reuses the stream ID")
	}
	rest := old.ended()
	var types []string
	for _, e := range rest {
		types = append(types, e.Type)
	}
	if len(rest) == 0 || rest[len(rest)-1].Type != "ERROR" || rest[len(rest)-1].str("error.message") != "Framework failed over" {
		t.Errorf("old stream ended with %v, want ERROR Framework failed over", types)
	}
	if r := a.call(old, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"REVIVE"}`, fw)); r.Status != 400 {
		t.Errorf("call with the old stream ID: %d, want 400", r.Status)
	}
	if r := a.call(nu, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"REVIVE"}`, fw)); r.Status != 202 || len(r.Body) != 0 {
		t.Errorf("call with the new stream ID: %d %q, want 202 and no body", r.Status, r.Body)
	}
	if f, _ := a.srv.Framework(fw); f.Name != "ha v2" || f.Reregistered.IsZero() {
		t.Errorf("after failover: %+v", f)
	}
}

func TestTeardown(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("td")
	o := a.offers(s)
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), o.str("offers.offers.0.agent_id.value"), "t1"))
	r := a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"TEARDOWN"}`, fw))
	if r.Status != 202 || len(r.Body) != 0 {
		t.Fatalf("TEARDOWN: %d %q", r.Status, r.Body)
	}
	if rest := s.ended(); len(rest) != 0 {
		t.Errorf("events after TEARDOWN: %v", rest)
	}
	a.srv.CheckTaskStates(t, map[string]mesos.TaskState{"t1": mesos.TaskKilled})
	if f, _ := a.srv.Framework(fw); !f.Completed || f.Active {
		t.Errorf("framework after teardown: %+v", f)
	}
	if ag := a.srv.Agents()[0]; !ag.Used.IsZero() {
		t.Errorf("agent still uses %+v", ag.Used)
	}
	if r := a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"REVIVE"}`, fw)); r.Status != 400 || string(r.Body) != "Framework cannot be found" {
		t.Errorf("call after teardown: %d %q", r.Status, r.Body)
	}
	again := a.subscribe("/api/v1/scheduler", fmt.Sprintf(`{"type":"SUBSCRIBE","framework_id":{"value":%q},"subscribe":{"framework_info":{"id":{"value":%q},"user":"root","name":"td"}}}`, fw, fw))
	if evs := again.ended(); len(evs) != 1 || evs[0].str("error.message") != "Framework has been removed" {
		t.Errorf("resubscribing a removed framework: %v", evs)
	}
}

func TestLaunchAndUpdates(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("launch")
	o := a.offers(s)
	checkJSON(t, o.v, `{"type":"OFFERS","offers":{"offers":[{
	  "id":{"value":"<masked>"},"framework_id":{"value":"<masked>"},"agent_id":{"value":"<masked>"},
	  "hostname":"agent1.example.com",
	  "url":{"scheme":"http","address":{"hostname":"agent1.example.com","ip":"10.0.0.1","port":5051},"path":"/slave(1)"},
	  "resources":[
	    {"name":"cpus","type":"SCALAR","scalar":{"value":4},"role":"*"},
	    {"name":"mem","type":"SCALAR","scalar":{"value":4096},"role":"*"},
	    {"name":"disk","type":"SCALAR","scalar":{"value":10000},"role":"*"},
	    {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]},"role":"*"}],
	  "attributes":[{"name":"rack","type":"TEXT","text":{"value":"r1"}},{"name":"zone","type":"TEXT","text":{"value":"a"}}]}]}}`, "value")
	offerID, agentID := o.str("offers.offers.0.id.value"), o.str("offers.offers.0.agent_id.value")
	if agentID != a.srv.MasterID()+"-S0" || offerID != a.srv.MasterID()+"-O0" {
		t.Errorf("IDs %s, %s do not follow the master's scheme", agentID, offerID)
	}
	if r := a.call(s, launchBody(fw, offerID, agentID, "web-1")); r.Status != 202 {
		t.Fatalf("ACCEPT: %d %s", r.Status, r.Body)
	}
	tk, _ := a.srv.Task("web-1")
	if tk.State != mesos.TaskStaging || tk.AgentID != agentID {
		t.Errorf("task after launch: %+v", tk)
	}

	clk := a.srv.Clock()
	clk.Advance(time.Second) // STAGING -> STARTING
	up := s.update()
	checkJSON(t, up.v, `{"type":"UPDATE","update":{"status":{
	  "task_id":{"value":"web-1"},"state":"TASK_STARTING","source":"SOURCE_EXECUTOR",
	  "agent_id":{"value":"<masked>"},"executor_id":{"value":"web-1"},"timestamp":0,"uuid":"<masked>",
	  "container_status":{"container_id":{"value":"<masked>"},
	    "network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"10.0.0.1"}]}]}}}}`,
		"value", "uuid", "timestamp")
	if ts := up.get("update.status.timestamp").(float64); ts != float64(clk.Now().Unix()) {
		t.Errorf("timestamp %v, want the clock's %v", ts, clk.Now().Unix())
	}

	// RUNNING is due at 2s, but the agent holds it until STARTING is
	// acknowledged, and resends STARTING after 10s.
	clk.Advance(time.Second)
	if evs := a.drain(s, fw); len(evs) != 0 {
		t.Fatalf("update delivered before the previous one was acknowledged: %v", evs)
	}
	clk.Advance(9 * time.Second)
	if again := s.update(); again.str("update.status.uuid") != up.str("update.status.uuid") || again.str("update.status.state") != "TASK_STARTING" {
		t.Errorf("retry %s, want the same STARTING update", again.Raw)
	}
	a.ack(s, fw, up)
	running := s.update()
	if running.str("update.status.state") != "TASK_RUNNING" || running.str("update.status.uuid") == up.str("update.status.uuid") {
		t.Errorf("after ACK: %s", running.Raw)
	}
	a.ack(s, fw, up) // a duplicate acknowledgement is ignored
	a.ack(s, fw, running)
	clk.Advance(10 * time.Second)
	fin := s.update()
	if fin.str("update.status.state") != "TASK_FINISHED" || fin.str("update.status.message") != "Command exited with status 0" {
		t.Errorf("final update %s", fin.Raw)
	}
	if tk, _ := a.srv.Task("web-1"); tk.Unacknowledged != 1 {
		t.Errorf("unacknowledged = %d, want 1", tk.Unacknowledged)
	}
	a.ack(s, fw, fin)
	tk, _ = a.srv.Task("web-1")
	var states []mesos.TaskState
	for _, st := range tk.Statuses {
		states = append(states, st.State)
	}
	if diff := cmp.Diff([]mesos.TaskState{mesos.TaskStarting, mesos.TaskRunning, mesos.TaskFinished}, states); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if tk.Unacknowledged != 0 {
		t.Errorf("unacknowledged after the last ACK: %d", tk.Unacknowledged)
	}
	if ag := a.srv.Agents()[0]; !ag.Used.IsZero() {
		t.Errorf("agent still uses %+v after the task finished", ag.Used)
	}
}

func TestAcceptRefused(t *testing.T) {
	two := mesos.WithAgents(
		mesos.AgentConfig{Resources: mesos.Resources{CPUs: 2, Mem: 1024}},
		mesos.AgentConfig{Resources: mesos.Resources{CPUs: 2, Mem: 1024}},
	)
	a := newAPI(t, two)
	s, fw := a.framework("bad")
	o := a.offers(s)
	o0, ag0 := o.str("offers.offers.0.id.value"), o.str("offers.offers.0.agent_id.value")
	o1, ag1 := o.str("offers.offers.1.id.value"), o.str("offers.offers.1.agent_id.value")
	if o1 == "" {
		t.Fatalf("want two offers: %s", o.Raw)
	}
	accept := func(offers []string, tasks ...string) string {
		ids := make([]string, len(offers))
		for i, x := range offers {
			ids[i] = fmt.Sprintf(`{"value":%q}`, x)
		}
		return fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[%s],"operations":[{"type":"LAUNCH","launch":{"task_infos":[%s]}}]}}`,
			fw, strings.Join(ids, ","), strings.Join(tasks, ","))
	}
	check := func(wantState, wantReason, wantMsg string) {
		t.Helper()
		up := s.update()
		st := up.get("update.status").(map[string]any)
		if st["state"] != wantState || st["reason"] != wantReason || !strings.Contains(st["message"].(string), wantMsg) || st["source"] != "SOURCE_MASTER" {
			t.Errorf("got %s, want %s %s %q", up.Raw, wantState, wantReason, wantMsg)
		}
		if _, has := st["uuid"]; has {
			t.Errorf("a master-generated update carries a uuid: %s", up.Raw)
		}
	}

	a.call(s, accept([]string{o0, o1}, taskInfo("x", "x", ag0, 1, 64)))
	check("TASK_LOST", "REASON_INVALID_OFFERS", "Task launched with invalid offers: Aggregated offers must belong to one single agent")
	a.call(s, accept([]string{o0}, taskInfo("y", "y", ag0, 1, 64)))
	check("TASK_LOST", "REASON_INVALID_OFFERS", "Task launched with invalid offers: Offer "+o0+" is no longer valid")

	o = a.offers(s) // both agents again (the invalid ACCEPT recovered them unfiltered)
	o0, ag0 = o.str("offers.offers.0.id.value"), o.str("offers.offers.0.agent_id.value")
	a.call(s, accept([]string{o0},
		taskInfo("big", "big", ag0, 3, 64),
		taskInfo("ok", "ok", ag0, 1, 64),
		taskInfo("ok", "dup", ag0, 1, 64),
		taskInfo("elsewhere", "elsewhere", ag1, 1, 64),
		`{"name":"nocmd","task_id":{"value":"nocmd"},"agent_id":{"value":"`+ag0+`"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}]}`,
		`{"name":"nores","task_id":{"value":"nores"},"agent_id":{"value":"`+ag0+`"},"command":{"value":"true"}}`,
	))
	check("TASK_ERROR", "REASON_TASK_INVALID", "Total resources cpus:3; mem:64 required by task and its executor is more than available cpus:2; mem:1024")
	check("TASK_ERROR", "REASON_TASK_INVALID", "Task has duplicate ID: ok")
	check("TASK_ERROR", "REASON_TASK_INVALID", "Task uses invalid agent "+ag1+" while agent "+ag0+" is expected")
	check("TASK_ERROR", "REASON_TASK_INVALID", "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present")
	check("TASK_ERROR", "REASON_TASK_INVALID", "Task uses no resources")
	a.srv.CheckTaskStates(t, map[string]mesos.TaskState{"ok": mesos.TaskStaging})

	// A PARTITION_AWARE framework gets TASK_DROPPED for invalid offers.
	pa, paID := a.framework("pa", "PARTITION_AWARE")
	a.call(pa, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":"gone"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[%s]}}]}}`,
		paID, taskInfo("p", "p", ag0, 1, 64)))
	if up := pa.update(); up.str("update.status.state") != "TASK_DROPPED" {
		t.Errorf("partition-aware invalid offer: %s", up.Raw)
	}
}

func TestDeclineRefuseSeconds(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("decline")
	clk := a.srv.Clock()
	// declineAndWait declines an offer and measures (to the second) when
	// its resources are offered again; it returns that new offer.
	declineAndWait := func(offerID, filters string) (time.Duration, string) {
		t.Helper()
		r := a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"DECLINE","decline":{"offer_ids":[{"value":%q}]%s}}`, fw, offerID, filters))
		if r.Status != 202 {
			t.Fatalf("DECLINE: %d %s", r.Status, r.Body)
		}
		start := clk.Now()
		for i := 0; i < 60; i++ {
			clk.Advance(time.Second)
			for _, e := range a.drain(s, fw) {
				if e.Type == "OFFERS" {
					return clk.Now().Sub(start), e.str("offers.offers.0.id.value")
				}
			}
		}
		t.Fatalf("not reoffered within a minute")
		return 0, ""
	}
	id := a.offers(s).str("offers.offers.0.id.value")
	for _, tc := range []struct {
		filters string
		want    time.Duration
	}{
		{"", 6 * time.Second}, // the default 5s filter, then the next allocation run
		{`,"filters":{"refuse_seconds":20}`, 21 * time.Second},
		{`,"filters":{"refuse_seconds":"0"}`, time.Second},    // numbers may be strings
		{`,"filters":{"refuse_seconds":-3}`, 6 * time.Second}, // invalid: the default
	} {
		var d time.Duration
		d, id = declineAndWait(id, tc.filters)
		if d != tc.want {
			t.Errorf("DECLINE%s: reoffered after %v, want %v", tc.filters, d, tc.want)
		}
	}
}

func TestSuppressRevive(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("sr")
	clk := a.srv.Clock()
	o := a.offers(s)
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"SUPPRESS","suppress":{}}`, fw))
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"DECLINE","decline":{"offer_ids":[{"value":%q}],"filters":{"refuse_seconds":1}}}`,
		fw, o.str("offers.offers.0.id.value")))
	clk.Advance(time.Minute)
	if evs := a.drain(s, fw); len(evs) != 0 {
		t.Fatalf("offers while suppressed: %v", evs)
	}
	if f, _ := a.srv.Framework(fw); len(f.SuppressedRoles) != 1 {
		t.Errorf("suppressed roles %v, want [*]", f.SuppressedRoles)
	}
	// REVIVE clears filters too: a long refusal is forgotten.
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"REVIVE","revive":{"roles":["*"]}}`, fw))
	o = a.offers(s)
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"DECLINE","decline":{"offer_ids":[{"value":%q}],"filters":{"refuse_seconds":3600}}}`,
		fw, o.str("offers.offers.0.id.value")))
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"REVIVE"}`, fw))
	a.offers(s)
}

func TestKill(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("killer", "TASK_KILLING_STATE")
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, "early", "late"))
	killBody := func(id string) string {
		return fmt.Sprintf(`{"framework_id":{"value":%q},"type":"KILL","kill":{"task_id":{"value":%q},"agent_id":{"value":%q}}}`, fw, id, agent)
	}
	// Killed before it started: TASK_KILLED at once.
	if r := a.call(s, killBody("early")); r.Status != 202 {
		t.Fatalf("KILL: %d %s", r.Status, r.Body)
	}
	up := s.update()
	if up.str("update.status.state") != "TASK_KILLED" || up.str("update.status.reason") != "REASON_TASK_KILLED_DURING_LAUNCH" {
		t.Errorf("kill during launch: %s", up.Raw)
	}
	a.ack(s, fw, up)
	a.srv.Clock().Advance(2 * time.Second)
	for _, want := range []string{"TASK_STARTING", "TASK_RUNNING"} {
		up := s.update()
		if up.str("update.status.task_id.value") != "late" || up.str("update.status.state") != want {
			t.Fatalf("got %s, want late %s", up.Raw, want)
		}
		a.ack(s, fw, up)
	}
	// Running: TASK_KILLING now (the framework has the capability), then
	// TASK_KILLED after the kill delay.
	a.call(s, killBody("late"))
	up = s.update()
	if up.str("update.status.state") != "TASK_KILLING" {
		t.Errorf("got %s, want TASK_KILLING", up.Raw)
	}
	a.ack(s, fw, up)
	a.srv.Clock().Advance(time.Second)
	if up := s.update(); up.str("update.status.state") != "TASK_KILLED" {
		t.Errorf("got %s, want TASK_KILLED", up.Raw)
	}
	// Unknown: reconciled, TASK_LOST for a framework that is not partition-aware.
	a.call(s, killBody("nope"))
	up = s.update()
	if up.str("update.status.state") != "TASK_LOST" || up.str("update.status.reason") != "REASON_RECONCILIATION" ||
		up.str("update.status.message") != "Reconciliation: Task is unknown to the agent" {
		t.Errorf("kill of an unknown task: %s", up.Raw)
	}
}

func TestKillWithoutKillingState(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("plain")
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, "t"))
	a.srv.Clock().Advance(time.Second)
	a.ack(s, fw, s.update())
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"KILL","kill":{"task_id":{"value":"t"}}}`, fw))
	a.srv.Clock().Advance(time.Second)
	if up := s.update(); up.str("update.status.state") != "TASK_KILLED" {
		t.Errorf("got %s, want TASK_KILLED with no TASK_KILLING", up.Raw)
	}
}

func TestReconcile(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("rec")
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, "a", "b"))
	a.srv.Clock().Advance(time.Second)
	a.ack(s, fw, s.update())
	s.update() // b's STARTING, not acknowledged
	a.srv.Clock().Advance(time.Second)
	s.update() // a's RUNNING

	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"RECONCILE","reconcile":{"tasks":[]}}`, fw))
	for _, want := range []string{"a:TASK_RUNNING", "b:TASK_STARTING"} {
		up := s.update()
		got := up.str("update.status.task_id.value") + ":" + up.str("update.status.state")
		if got != want || up.str("update.status.reason") != "REASON_RECONCILIATION" ||
			up.str("update.status.message") != "Reconciliation: Latest task state" || up.get("update.status.uuid") != nil {
			t.Errorf("implicit reconciliation: %s, want %s", up.Raw, want)
		}
	}
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"RECONCILE","reconcile":{"tasks":[{"task_id":{"value":"a"}},{"task_id":{"value":"ghost"}},{"task_id":{"value":"ghost2"},"agent_id":{"value":%q}}]}}`, fw, agent))
	for _, want := range []string{"a:TASK_RUNNING:Reconciliation: Latest task state", "ghost:TASK_LOST:Reconciliation: Task is unknown",
		"ghost2:TASK_LOST:Reconciliation: Task is unknown to the agent"} {
		up := s.update()
		if got := up.str("update.status.task_id.value") + ":" + up.str("update.status.state") + ":" + up.str("update.status.message"); got != want {
			t.Errorf("explicit reconciliation: %s, want %s", got, want)
		}
	}
	// Partition-aware frameworks learn the finer states.
	pa, paID := a.framework("pa", "PARTITION_AWARE")
	a.call(pa, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"RECONCILE","reconcile":{"tasks":[{"task_id":{"value":"x"},"agent_id":{"value":%q}},{"task_id":{"value":"y"}}]}}`, paID, agent))
	if up := pa.update(); up.str("update.status.state") != "TASK_GONE" {
		t.Errorf("partition-aware, known agent: %s", up.Raw)
	}
	if up := pa.update(); up.str("update.status.state") != "TASK_UNKNOWN" {
		t.Errorf("partition-aware, no agent: %s", up.Raw)
	}
}

func TestMessageRequestShutdown(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("msg")
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	exec := `"executor":{"executor_id":{"value":"ex1"},"command":{"value":"./executor"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}]}`
	task := fmt.Sprintf(`{"name":"t","task_id":{"value":"t"},"agent_id":{"value":%q},%s,"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]}`, agent, exec)
	r := a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[%s]}}]}}`,
		fw, o.str("offers.offers.0.id.value"), task))
	if r.Status != 202 {
		t.Fatalf("ACCEPT: %d %s", r.Status, r.Body)
	}
	if ag := a.srv.Agents()[0]; ag.Used.CPUs != 1.1 {
		t.Errorf("agent uses %v CPUs, want 1.1 (task and executor)", ag.Used.CPUs)
	}
	for _, body := range []string{
		`{"framework_id":{"value":%q},"type":"MESSAGE","message":{"agent_id":{"value":"` + agent + `"},"executor_id":{"value":"ex1"},"data":"aGVsbG8="}}`,
		`{"framework_id":{"value":%q},"type":"REQUEST","request":{"requests":[{"agent_id":{"value":"` + agent + `"},"resources":[]}]}}`,
		`{"framework_id":{"value":%q},"type":"SHUTDOWN","shutdown":{"executor_id":{"value":"ex1"},"agent_id":{"value":"` + agent + `"}}}`,
	} {
		if r := a.call(s, fmt.Sprintf(body, fw)); r.Status != 202 {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	msgs := a.srv.Messages()
	if len(msgs) != 1 || string(msgs[0].Data) != "hello" || msgs[0].ExecutorID != "ex1" {
		t.Errorf("messages %+v", msgs)
	}
	up := s.update()
	if up.str("update.status.state") != "TASK_KILLED" || up.str("update.status.executor_id.value") != "ex1" {
		t.Errorf("SHUTDOWN of the executor: %s", up.Raw)
	}
	a.ack(s, fw, up)
	if ag := a.srv.Agents()[0]; !ag.Used.IsZero() {
		t.Errorf("agent still uses %+v after the executor's tasks ended", ag.Used)
	}
	if err := a.srv.SendFrameworkMessage(fw, agent, "ex1", []byte("pong")); err != nil {
		t.Fatal(err)
	}
	ev := s.expect("MESSAGE")
	checkJSON(t, ev.v, `{"type":"MESSAGE","message":{"agent_id":{"value":"`+agent+`"},"executor_id":{"value":"ex1"},"data":"cG9uZw=="}}`)
}

func TestUpdateFramework(t *testing.T) {
	a := newAPI(t, mesos.WithAgents(mesos.AgentConfig{Resources: mesos.Resources{CPUs: 1, Mem: 128}},
		mesos.AgentConfig{Resources: mesos.Resources{CPUs: 1, Mem: 128}}))
	s, fw := a.subscribe("/api/v1/scheduler", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a","b"],"capabilities":[{"type":"MULTI_ROLE"}]}}}`), ""
	fw = s.expect("SUBSCRIBED").str("subscribed.framework_id.value")
	o := a.offers(s)
	if len(o.get("offers.offers").([]any)) != 2 {
		t.Fatalf("want an offer per role: %s", o.Raw)
	}
	update := func(info string, suppressed string) response {
		return a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"UPDATE_FRAMEWORK","update_framework":{"framework_info":{"id":{"value":%q},%s},"suppressed_roles":[%s]}}`,
			fw, fw, info, suppressed))
	}
	r := update(`"user":"u","name":"renamed","roles":["a"],"capabilities":[{"type":"MULTI_ROLE"}]`, "")
	if r.Status != 200 || len(r.Body) != 0 {
		t.Fatalf("UPDATE_FRAMEWORK: %d %q, want 200 and no body", r.Status, r.Body)
	}
	// The offer to role b, which the framework left, is rescinded.
	if ev := s.expect("RESCIND"); ev.str("rescind.offer_id.value") != o.str("offers.offers.1.id.value") {
		t.Errorf("rescinded %s", ev.Raw)
	}
	if f, _ := a.srv.Framework(fw); f.Name != "renamed" || len(f.Roles) != 1 {
		t.Errorf("framework after update: %+v", f)
	}
	for _, tc := range []struct{ info, suppressed, msg string }{
		{`"user":"other","name":"n","roles":["a"],"capabilities":[{"type":"MULTI_ROLE"}]`, "", "Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'u' to 'other'"},
		{`"user":"u","name":"n","roles":["a"],"capabilities":[{"type":"MULTI_ROLE"}]`, `"z"`, "Suppressed roles { z } are not contained in the set of roles"},
		{`"user":"u","name":"n","principal":"p","roles":["a"],"capabilities":[{"type":"MULTI_ROLE"}]`, "", "Changing framework's principal is not allowed."},
	} {
		if r := update(tc.info, tc.suppressed); r.Status != 400 || string(r.Body) != tc.msg {
			t.Errorf("%s: %d %q, want 400 %q", tc.info, r.Status, r.Body, tc.msg)
		}
	}
	r = a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"UPDATE_FRAMEWORK","update_framework":{"framework_info":{"id":{"value":"other"},"user":"u","name":"n"}}}`, fw))
	if r.Status != 400 || !strings.Contains(string(r.Body), "'framework_id' differs from 'update_framework.framework_info.id'") {
		t.Errorf("mismatched IDs: %d %q", r.Status, r.Body)
	}
}

func TestLaunchGroup(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("pods", "TASK_KILLING_STATE")
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	member := func(id string) string {
		return fmt.Sprintf(`{"name":%q,"task_id":{"value":%q},"agent_id":{"value":%q},"command":{"value":"sleep 1000"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}},{"name":"mem","type":"SCALAR","scalar":{"value":64}}]}`, id, id, agent)
	}
	body := fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],"operations":[{"type":"LAUNCH_GROUP","launch_group":{
	  "executor":{"type":"DEFAULT","executor_id":{"value":"pod-1"},"framework_id":{"value":%q},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]},
	  "task_group":{"tasks":[%s,%s]}}}]}}`, fw, o.str("offers.offers.0.id.value"), fw, member("pod-1.web"), member("pod-1.sidecar"))
	if r := a.call(s, body); r.Status != 202 {
		t.Fatalf("ACCEPT: %d %s", r.Status, r.Body)
	}
	a.srv.Clock().Advance(2 * time.Second)
	for i := 0; i < 4; i++ {
		up := s.update()
		if up.str("update.status.executor_id.value") != "pod-1" {
			t.Errorf("group update without the group's executor: %s", up.Raw)
		}
		a.ack(s, fw, up)
	}
	ex := a.operator(`{"type":"GET_EXECUTORS"}`)
	checkJSON(t, ex, `{"type":"GET_EXECUTORS","get_executors":{"executors":[{"agent_id":{"value":"`+agent+`"},"executor_info":{
	  "type":"DEFAULT","executor_id":{"value":"pod-1"},"framework_id":{"value":"`+fw+`"},
	  "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]}}]}}`)
	// Killing one task of a group kills the group.
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"KILL","kill":{"task_id":{"value":"pod-1.web"}}}`, fw))
	a.srv.Clock().Advance(time.Second)
	got := map[string]int{}
	for i := 0; i < 4; i++ {
		up := s.update()
		got[up.str("update.status.task_id.value")+" "+up.str("update.status.state")]++
		a.ack(s, fw, up)
	}
	if diff := cmp.Diff(map[string]int{"pod-1.web TASK_KILLING": 1, "pod-1.web TASK_KILLED": 1,
		"pod-1.sidecar TASK_KILLING": 1, "pod-1.sidecar TASK_KILLED": 1}, got); diff != "" {
		t.Errorf("group kill (-want +got):\n%s", diff)
	}
	if ag := a.srv.Agents()[0]; !ag.Used.IsZero() {
		t.Errorf("agent still uses %+v", ag.Used)
	}
}

func TestOfferTimeoutRescinds(t *testing.T) {
	cfg := mesos.DefaultConfig()
	cfg.OfferTimeout = 30 * time.Second
	a := newAPI(t, append(smallCluster(), mesos.WithConfig(cfg))...)
	s, fw := a.framework("slow")
	o := a.offers(s)
	a.srv.Clock().Advance(29 * time.Second)
	if evs := a.drain(s, fw); len(evs) != 0 {
		t.Fatalf("before the timeout: %v", evs)
	}
	a.srv.Clock().Advance(time.Second)
	ev := s.expect("RESCIND")
	checkJSON(t, ev.v, `{"type":"RESCIND","rescind":{"offer_id":{"value":"`+o.str("offers.offers.0.id.value")+`"}}}`)
	// The resources are offered again on the next allocation.
	a.srv.Clock().Advance(time.Second)
	s.expect("OFFERS")
}

func TestDisconnectAndFailoverTimeout(t *testing.T) {
	a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}))...)
	s := a.subscribe("/api/v1/scheduler", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","failover_timeout":60}}}`)
	fw := s.expect("SUBSCRIBED").str("subscribed.framework_id.value")
	o := a.offers(s)
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), o.str("offers.offers.0.agent_id.value"), "t"))
	s.close()
	waitFor(t, func() bool { f, _ := a.srv.Framework(fw); return !f.Connected })
	a.srv.Clock().Advance(59 * time.Second)
	if f, _ := a.srv.Framework(fw); f.Completed || f.Active || f.Unregistered.IsZero() {
		t.Errorf("within the failover timeout: %+v", f)
	}
	a.srv.Clock().Advance(time.Second)
	if f, _ := a.srv.Framework(fw); !f.Completed {
		t.Errorf("after the failover timeout: %+v", f)
	}
	a.srv.CheckTaskStates(t, map[string]mesos.TaskState{"t": mesos.TaskKilled})
}
