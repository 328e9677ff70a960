package mesos_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/mesos"
)

// recordIO reads one "<length>\n<json>" record of a Mesos event stream.
func recordIO(r *bufio.Reader) map[string]any {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line))
	rec := make([]byte, n)
	if _, err := io.ReadFull(r, rec); err != nil {
		return nil
	}
	var ev map[string]any
	_ = json.Unmarshal(rec, &ev)
	return ev
}

// A scheduler subscribes, accepts an offer with one task, and watches it
// run to completion as the clock moves. Tests would use mesos.New(t), which
// starts the master and closes it when the test ends; an Example has no t,
// so it starts and closes an unstarted one itself.
func Example() {
	m, err := mesos.NewUnstarted(
		mesos.WithAgents(mesos.AgentConfig{Hostname: "agent1.example.com", Resources: mesos.Resources{CPUs: 2, Mem: 1024}}),
		mesos.WithAutoAcknowledge())
	if err != nil {
		fmt.Println(err)
		return
	}
	m.Start()
	defer m.Close() // ends the event stream, then stops the server

	resp, err := http.Post(m.URL()+"/api/v1/scheduler", "application/json",
		strings.NewReader(`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"demo","name":"example"}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	streamID := resp.Header.Get("Mesos-Stream-Id")
	subscribed := recordIO(events)
	fwID := subscribed["subscribed"].(map[string]any)["framework_id"].(map[string]any)["value"].(string)
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"), subscribed["type"], recordIO(events)["type"])

	m.Clock().Advance(time.Second) // the allocator's first run
	offer := recordIO(events)["offers"].(map[string]any)["offers"].([]any)[0].(map[string]any)
	fmt.Println("offer from", offer["hostname"])

	call := fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{
	  "offer_ids":[{"value":%q}],
	  "operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"hello","task_id":{"value":"hello-1"},
	    "agent_id":{"value":%q},"command":{"value":"echo hello"},
	    "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]}]}}]}}`,
		fwID, offer["id"].(map[string]any)["value"], offer["agent_id"].(map[string]any)["value"])
	req, _ := http.NewRequest("POST", m.URL()+"/api/v1/scheduler", strings.NewReader(call))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Mesos-Stream-Id", streamID)
	accepted, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	accepted.Body.Close()
	fmt.Println("ACCEPT:", accepted.Status)

	m.Clock().Advance(12 * time.Second) // STARTING at 1s, RUNNING at 2s, FINISHED at 12s
	for i := 0; i < 3; i++ {
		ev := recordIO(events)
		for ev["type"] != "UPDATE" {
			ev = recordIO(events) // offers of the freed resources may come between
		}
		status := ev["update"].(map[string]any)["status"].(map[string]any)
		fmt.Println(status["task_id"].(map[string]any)["value"], status["state"])
	}
	// Output:
	// 200 OK application/json SUBSCRIBED HEARTBEAT
	// offer from agent1.example.com
	// ACCEPT: 202 Accepted
	// hello-1 TASK_STARTING
	// hello-1 TASK_RUNNING
	// hello-1 TASK_FINISHED
}

// Agents come and go under the test's control; the master's state
// endpoints see it.
func ExampleMaster_RemoveAgent() {
	m, err := mesos.NewUnstarted(mesos.WithAgents(
		mesos.AgentConfig{Hostname: "a.example.com", Resources: mesos.Resources{CPUs: 4, Mem: 4096}},
		mesos.AgentConfig{Hostname: "b.example.com", Resources: mesos.Resources{CPUs: 4, Mem: 4096}},
	))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Embedded in a server of your own, as a Cloud mounts it.
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	defer m.Close() // ends the master's streams first, so srv.Close does not wait on them

	slaves := func() {
		resp, err := http.Get(srv.URL + "/master/state")
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		var st struct {
			Activated   int `json:"activated_slaves"`
			Unreachable int `json:"unreachable_slaves"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&st)
		fmt.Printf("active %d, unreachable %d\n", st.Activated, st.Unreachable)
	}
	b := m.Agents()[1]
	slaves()
	_ = m.RemoveAgent(b.ID)
	slaves()
	_ = m.RestoreAgent(b.ID)
	slaves()
	added, _ := m.AddAgent(mesos.AgentConfig{Hostname: "c.example.com", Resources: mesos.Resources{CPUs: 8, Mem: 16384}})
	fmt.Println(added.Hostname, added.State, added.Resources.CPUs)
	slaves()
	// Output:
	// active 2, unreachable 0
	// active 1, unreachable 1
	// active 2, unreachable 0
	// c.example.com REGISTERED 8
	// active 3, unreachable 0
}

// Each Operator and Scheduler call is an op of its own, so a fault can hit
// one call and leave the others alone.
func ExampleMaster_Inject() {
	m, err := mesos.NewUnstarted(mesos.WithAgents())
	if err != nil {
		fmt.Println(err)
		return
	}
	m.Start()
	defer m.Close()
	m.Inject(fake.Fault{Op: mesos.OpOperatorGetState, Status: http.StatusServiceUnavailable})

	for _, call := range []string{`{"type":"GET_STATE"}`, `{"type":"GET_HEALTH"}`} {
		resp, err := m.Client().Post(m.URL()+"/api/v1", "application/json", strings.NewReader(call))
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	fmt.Println(fake.Ops(m.Requests()))
	// Output:
	// 503 Service Unavailable (injected by mockcloud)
	// 200 {"type":"GET_HEALTH","get_health":{"healthy":true}}
	// [mesos.operator.get_state mesos.operator.get_health]
}
