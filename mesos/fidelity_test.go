package mesos_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/mesos"
)

// The v1 MasterInfo has only the capabilities of the v1 mesos.proto
// (AGENT_UPDATE, AGENT_DRAINING): the master's third, QUOTA_V2, is not a
// value of the v1 enum, so the v1 JSON has an empty Capability in its
// place, which v1 clients decode (mesos-go fails on the name). The v0
// /master/state lists all three by name.
func TestMasterInfoCapabilities(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	mid := a.srv.MasterID()
	masterInfo := `{"id":"` + mid + `","ip":16777343,"port":5050,"pid":"master@127.0.0.1:5050","hostname":"localhost",
	  "version":"1.11.0","address":{"hostname":"localhost","ip":"127.0.0.1","port":5050},
	  "capabilities":[{"type":"AGENT_UPDATE"},{"type":"AGENT_DRAINING"},{}]}`

	s := a.subscribe("/api/v1/scheduler", subscribeBody("caps"))
	ev := s.expect("SUBSCRIBED")
	checkJSON(t, ev.get("subscribed.master_info"), masterInfo)
	if !strings.Contains(string(ev.Raw), `"capabilities":[{"type":"AGENT_UPDATE"},{"type":"AGENT_DRAINING"},{}]`) {
		t.Errorf("SUBSCRIBED %s", ev.Raw)
	}
	checkJSON(t, a.operator(`{"type":"GET_MASTER"}`), `{"type":"GET_MASTER","get_master":{"master_info":`+masterInfo+`,
	  "start_time":1767225600,"elected_time":1767225600}}`)

	for _, path := range []string{"/master/state", "/state"} {
		st := a.do("GET", path, "").json(t)
		checkJSON(t, st["capabilities"], `["AGENT_UPDATE","AGENT_DRAINING","QUOTA_V2"]`)
	}
}

// Offers carry allocation_info (on the offer and on each resource) only
// for MULTI_ROLE frameworks, and reservations in the format the
// framework's RESERVATION_REFINEMENT capability asks for, as
// Master::offer sends them. A task's resources carry allocation_info
// whatever the framework, as the master injects it at launch.
func TestOffersByCapability(t *testing.T) {
	agent := mesos.WithAgents(mesos.AgentConfig{Hostname: "a1", IP: "10.1.2.3",
		Resources: mesos.Resources{CPUs: 1, Mem: 512},
		Reserved:  map[string]mesos.Resources{"web": {CPUs: 2}}})
	for _, tc := range []struct {
		name, info string
		offer      string
	}{
		{"plain", `"role":"web"`, `{"hostname":"a1","resources":[
		  {"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*"},
		  {"name":"mem","type":"SCALAR","scalar":{"value":512},"role":"*"},
		  {"name":"cpus","type":"SCALAR","scalar":{"value":2},"role":"web"}]}`},
		{"RESERVATION_REFINEMENT", `"role":"web","capabilities":[{"type":"RESERVATION_REFINEMENT"}]`, `{"hostname":"a1","resources":[
		  {"name":"cpus","type":"SCALAR","scalar":{"value":1}},
		  {"name":"mem","type":"SCALAR","scalar":{"value":512}},
		  {"name":"cpus","type":"SCALAR","scalar":{"value":2},"reservations":[{"type":"STATIC","role":"web"}]}]}`},
		{"MULTI_ROLE", `"roles":["web"],"capabilities":[{"type":"MULTI_ROLE"}]`, `{"hostname":"a1","resources":[
		  {"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*","allocation_info":{"role":"web"}},
		  {"name":"mem","type":"SCALAR","scalar":{"value":512},"role":"*","allocation_info":{"role":"web"}},
		  {"name":"cpus","type":"SCALAR","scalar":{"value":2},"role":"web","allocation_info":{"role":"web"}}],
		  "allocation_info":{"role":"web"}}`},
		{"MULTI_ROLE and RESERVATION_REFINEMENT", `"roles":["web"],"capabilities":[{"type":"MULTI_ROLE"},{"type":"RESERVATION_REFINEMENT"}]`,
			`{"hostname":"a1","resources":[
		  {"name":"cpus","type":"SCALAR","scalar":{"value":1},"allocation_info":{"role":"web"}},
		  {"name":"mem","type":"SCALAR","scalar":{"value":512},"allocation_info":{"role":"web"}},
		  {"name":"cpus","type":"SCALAR","scalar":{"value":2},"allocation_info":{"role":"web"},"reservations":[{"type":"STATIC","role":"web"}]}],
		  "allocation_info":{"role":"web"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t, agent)
			s := a.subscribe("/api/v1/scheduler", `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n",`+tc.info+`}}}`)
			fw := s.expect("SUBSCRIBED").str("subscribed.framework_id.value")
			o := a.offers(s)
			offerID, agentID := o.str("offers.offers.0.id.value"), o.str("offers.offers.0.agent_id.value")
			offer := o.get("offers.offers.0").(map[string]any)
			checkJSON(t, offer["url"], `{"scheme":"http","address":{"hostname":"a1","ip":"10.1.2.3","port":5051},"path":"/slave(1)"}`)
			delete(offer, "id")
			delete(offer, "framework_id")
			delete(offer, "agent_id")
			delete(offer, "url")
			checkJSON(t, offer, tc.offer)

			// The offered resources, as the framework got them, launch a
			// task; its resources are allocated to the offer's role.
			res, _ := json.Marshal(offer["resources"].([]any)[:1])
			r := a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],
			  "operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":"t"},"agent_id":{"value":%q},
			  "command":{"value":"true"},"resources":%s}]}}]}}`, fw, offerID, agentID, res))
			if r.Status != http.StatusAccepted {
				t.Fatalf("ACCEPT: %d %s", r.Status, r.Body)
			}
			tasks := a.operator(`{"type":"GET_TASKS"}`)["get_tasks"].(map[string]any)["tasks"].([]any)
			checkJSON(t, tasks[0].(map[string]any)["resources"],
				`[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*","allocation_info":{"role":"web"}}]`)
			a.srv.Clock().Advance(time.Second)
			if up := s.update(); up.str("update.status.state") != "TASK_STARTING" {
				t.Errorf("first update %s", up.Raw)
			}
			// The master's own record of an offer keeps its allocation.
			a.srv.Clock().Advance(5 * time.Second)
			s.expect("OFFERS")
			fws := a.operator(`{"type":"GET_FRAMEWORKS"}`)["get_frameworks"].(map[string]any)["frameworks"].([]any)
			stored := fws[0].(map[string]any)["offers"].([]any)[0].(map[string]any)
			checkJSON(t, stored["allocation_info"], `{"role":"web"}`)
		})
	}
}

// A command task's executor has the task's ID (its updates carry it as
// executor_id): SHUTDOWN of it kills the task as the command executor
// does on shutdown, TASK_KILLING to frameworks that handle it, then
// TASK_KILLED from the executor, with no reason.
func TestShutdownCommandExecutor(t *testing.T) {
	for _, killing := range []bool{true, false} {
		t.Run(fmt.Sprintf("TASK_KILLING_STATE=%v", killing), func(t *testing.T) {
			a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}))...)
			var caps []string
			if killing {
				caps = append(caps, "TASK_KILLING_STATE")
			}
			s, fw := a.framework("sd", caps...)
			o := a.offers(s)
			agent := o.str("offers.offers.0.agent_id.value")
			a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, "web", "other"))
			a.srv.Clock().Advance(2 * time.Second)
			var exec string
			for i := 0; i < 4; i++ {
				up := s.update()
				if up.str("update.status.task_id.value") == "web" {
					exec = up.str("update.status.executor_id.value")
				}
				a.ack(s, fw, up)
			}
			if exec != "web" {
				t.Fatalf("executor_id of the command task %q, want the task's ID", exec)
			}
			shutdown := fmt.Sprintf(`{"framework_id":{"value":%q},"type":"SHUTDOWN","shutdown":{"executor_id":{"value":%q},"agent_id":{"value":%q}}}`,
				fw, exec, agent)
			if r := a.call(s, shutdown); r.Status != http.StatusAccepted || len(r.Body) != 0 {
				t.Fatalf("SHUTDOWN: %d %q", r.Status, r.Body)
			}
			container := `"container_status":{"container_id":{"value":"<masked>"},
			  "network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"10.0.0.1"}]}]}`
			if killing {
				up := s.update()
				checkJSON(t, up.v, `{"type":"UPDATE","update":{"status":{"task_id":{"value":"web"},"state":"TASK_KILLING",
				  "source":"SOURCE_EXECUTOR","agent_id":{"value":"`+agent+`"},
				  "executor_id":{"value":"web"},"timestamp":1767225603,"uuid":"<masked>",`+container+`}}}`, "uuid", "value")
				a.ack(s, fw, up)
			}
			if evs := a.drain(s, fw); len(evs) != 0 {
				t.Fatalf("before the kill delay: %v", evs)
			}
			a.srv.Clock().Advance(time.Second)
			up := s.update()
			checkJSON(t, up.v, `{"type":"UPDATE","update":{"status":{"task_id":{"value":"web"},"state":"TASK_KILLED",
			  "source":"SOURCE_EXECUTOR","message":"Command terminated with signal Terminated","agent_id":{"value":"`+agent+`"},
			  "executor_id":{"value":"web"},"timestamp":1767225604,"uuid":"<masked>",`+container+`}}}`, "uuid", "value")
			a.ack(s, fw, up)
			a.srv.CheckTaskStates(t, map[string]mesos.TaskState{"web": mesos.TaskKilled, "other": mesos.TaskRunning})

			// An executor nobody runs: nothing happens.
			a.call(s, strings.Replace(shutdown, `"executor_id":{"value":"web"}`, `"executor_id":{"value":"nobody"}`, 1))
			a.srv.Clock().Advance(time.Minute)
			a.srv.CheckTaskStates(t, map[string]mesos.TaskState{"web": mesos.TaskKilled, "other": mesos.TaskRunning})
		})
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// The updates a task's executor sends carry container_status as a real
// agent adds it: the task's container ID and network_infos with the
// agent's IP address; so do the task's statuses in GET_TASKS and in
// /master/state, where mesos-dns reads
// statuses[].container_status.network_infos[].ip_addresses[].ip_address.
// Updates the master makes about a known task repeat its latest one.
func TestContainerStatus(t *testing.T) {
	a := newAPI(t, fake.WithSeed(7), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}),
		mesos.WithAgents(mesos.AgentConfig{Hostname: "a1", IP: "192.168.7.10", Resources: mesos.Resources{CPUs: 4, Mem: 4096}}))
	s, fw := a.framework("dns")
	o := a.offers(s)
	agent := o.str("offers.offers.0.agent_id.value")
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, "web"))
	a.srv.Clock().Advance(2 * time.Second)
	starting := s.update()
	a.ack(s, fw, starting)
	running := s.update()
	a.ack(s, fw, running)
	cid := running.str("update.status.container_status.container_id.value")
	if !uuidRE.MatchString(cid) {
		t.Fatalf("container ID %q is not a UUID: %s", cid, running.Raw)
	}
	containerStatus := `{"container_id":{"value":"` + cid + `"},
	  "network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"192.168.7.10"}]}]}`
	checkJSON(t, running.v, `{"type":"UPDATE","update":{"status":{"task_id":{"value":"web"},"state":"TASK_RUNNING",
	  "source":"SOURCE_EXECUTOR","agent_id":{"value":"`+agent+`"},"executor_id":{"value":"web"},
	  "timestamp":1767225603,"uuid":"<masked>","container_status":`+containerStatus+`}}}`, "uuid")
	checkJSON(t, starting.get("update.status.container_status"), containerStatus)

	// GET_TASKS and the operator's GET_STATE.
	for _, call := range []string{"GET_TASKS", "GET_STATE"} {
		resp := a.operator(`{"type":"` + call + `"}`)
		tasks := resp["get_tasks"]
		if call == "GET_STATE" {
			tasks = resp["get_state"].(map[string]any)["get_tasks"]
		}
		for i, st := range tasks.(map[string]any)["tasks"].([]any)[0].(map[string]any)["statuses"].([]any) {
			checkJSON(t, st.(map[string]any)["container_status"], containerStatus)
			if i > 1 {
				t.Errorf("%s: more statuses than STARTING and RUNNING", call)
			}
		}
	}

	// /master/state, as mesos-dns reads it.
	var state struct {
		Frameworks []struct {
			Tasks []struct {
				ID       string `json:"id"`
				Statuses []struct {
					State           string `json:"state"`
					ContainerStatus struct {
						ContainerID  struct{ Value string } `json:"container_id"`
						NetworkInfos []struct {
							IPAddresses []struct {
								Protocol  string `json:"protocol"`
								IPAddress string `json:"ip_address"`
							} `json:"ip_addresses"`
						} `json:"network_infos"`
					} `json:"container_status"`
				} `json:"statuses"`
			} `json:"tasks"`
		} `json:"frameworks"`
	}
	if err := json.Unmarshal(a.do("GET", "/master/state", "").Body, &state); err != nil {
		t.Fatal(err)
	}
	var ips []string
	for _, st := range state.Frameworks[0].Tasks[0].Statuses {
		if st.ContainerStatus.ContainerID.Value != cid {
			t.Errorf("/master/state %s: container %q, want %q", st.State, st.ContainerStatus.ContainerID.Value, cid)
		}
		for _, ni := range st.ContainerStatus.NetworkInfos {
			for _, ip := range ni.IPAddresses {
				ips = append(ips, st.State+" "+ip.Protocol+" "+ip.IPAddress)
			}
		}
	}
	if diff := cmp.Diff([]string{"TASK_STARTING IPv4 192.168.7.10", "TASK_RUNNING IPv4 192.168.7.10"}, ips); diff != "" {
		t.Errorf("/master/state IP addresses (-want +got):\n%s", diff)
	}
	legacy := a.do("GET", "/master/state", "").json(t)
	task := legacy["frameworks"].([]any)[0].(map[string]any)["tasks"].([]any)[0].(map[string]any)
	checkJSON(t, task["statuses"], `[{"state":"TASK_STARTING","timestamp":1767225602,"container_status":`+containerStatus+`},
	  {"state":"TASK_RUNNING","timestamp":1767225603,"container_status":`+containerStatus+`}]`)

	// Reconciliation repeats the latest container status.
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"RECONCILE","reconcile":{"tasks":[]}}`, fw))
	rec := s.update()
	checkJSON(t, rec.v, `{"type":"UPDATE","update":{"status":{"task_id":{"value":"web"},"state":"TASK_RUNNING",
	  "source":"SOURCE_MASTER","reason":"REASON_RECONCILIATION","message":"Reconciliation: Latest task state",
	  "agent_id":{"value":"`+agent+`"},"timestamp":1767225603,"container_status":`+containerStatus+`}}}`)

	// The same seed and calls give the same container.
	b := newAPI(t, fake.WithSeed(7), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}),
		mesos.WithAgents(mesos.AgentConfig{Hostname: "a1", IP: "192.168.7.10", Resources: mesos.Resources{CPUs: 4, Mem: 4096}}))
	s2, fw2 := b.framework("dns")
	o2 := b.offers(s2)
	b.call(s2, launchBody(fw2, o2.str("offers.offers.0.id.value"), o2.str("offers.offers.0.agent_id.value"), "web"))
	b.srv.Clock().Advance(time.Second)
	if got := s2.update().str("update.status.container_status.container_id.value"); got != cid {
		t.Errorf("same seed: container %q, want %q", got, cid)
	}
}

// A task group's tasks run in containers nested in their executor's; an
// agent with no IP configured gets 10.0.<n/250>.<n%250+1>, the n-th
// registered.
func TestContainerStatusTaskGroup(t *testing.T) {
	a := newAPI(t, mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}),
		mesos.WithAgents(mesos.AgentConfig{Count: 2, Resources: mesos.Resources{CPUs: 4, Mem: 4096}}))
	agents := a.srv.Agents()
	if agents[0].IP != "10.0.0.1" || agents[1].IP != "10.0.0.2" {
		t.Errorf("agent IPs %s, %s", agents[0].IP, agents[1].IP)
	}
	s, fw := a.framework("pods")
	o := a.offers(s)
	offer, agent := o.str("offers.offers.1.id.value"), o.str("offers.offers.1.agent_id.value")
	if agent != agents[1].ID {
		t.Fatalf("second offer on %s", agent)
	}
	member := func(id string) string {
		return fmt.Sprintf(`{"name":%q,"task_id":{"value":%q},"agent_id":{"value":%q},"command":{"value":"sleep 1000"},
		  "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}}]}`, id, id, agent)
	}
	a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],"operations":[
	  {"type":"LAUNCH_GROUP","launch_group":{"executor":{"type":"DEFAULT","executor_id":{"value":"pod"},
	    "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}]},"task_group":{"tasks":[%s,%s]}}}]}}`,
		fw, offer, member("pod.a"), member("pod.b")))
	a.srv.Clock().Advance(time.Second)
	containers := map[string]map[string]any{}
	for i := 0; i < 2; i++ {
		up := s.update()
		cs := up.get("update.status.container_status").(map[string]any)
		checkJSON(t, cs["network_infos"], `[{"ip_addresses":[{"protocol":"IPv4","ip_address":"10.0.0.2"}]}]`)
		containers[up.str("update.status.task_id.value")] = cs["container_id"].(map[string]any)
		a.ack(s, fw, up)
	}
	ca, cb := containers["pod.a"], containers["pod.b"]
	pa, pb := ca["parent"].(map[string]any)["value"], cb["parent"].(map[string]any)["value"]
	if pa != pb || !uuidRE.MatchString(pa.(string)) || ca["value"] == cb["value"] || ca["value"] == pa ||
		!uuidRE.MatchString(ca["value"].(string)) || !uuidRE.MatchString(cb["value"].(string)) {
		t.Errorf("containers of the group: %v, %v; want nested in one executor container", ca, cb)
	}
}

// Agent ports are read both as [{"begin","end"}] and in the string form
// Mesos writes them in ("[31000-32000]", several ranges separated by
// commas), in -mesos-config (ParseConfig) and the control API alike.
func TestConfigPorts(t *testing.T) {
	for _, tc := range []struct {
		ports string
		want  mesos.PortRanges
	}{
		{`[{"begin":31000,"end":32000}]`, mesos.PortRanges{{Begin: 31000, End: 32000}}},
		{`"[31000-32000]"`, mesos.PortRanges{{Begin: 31000, End: 32000}}},
		{`"[31000-31099, 31200-31299]"`, mesos.PortRanges{{Begin: 31000, End: 31099}, {Begin: 31200, End: 31299}}},
		{`" [ 80-80,443-443 ] "`, mesos.PortRanges{{Begin: 80, End: 80}, {Begin: 443, End: 443}}},
		{`"[]"`, mesos.PortRanges{}},
		{`null`, nil},
	} {
		cfg, err := mesos.ParseConfig([]byte(`{"agents":[{"hostname":"a","resources":{"cpus":1,"mem":64,"ports":` + tc.ports + `}}]}`))
		if err != nil {
			t.Errorf("ports %s: %v", tc.ports, err)
			continue
		}
		if diff := cmp.Diff(tc.want, cfg.Agents[0].Resources.Ports); diff != "" {
			t.Errorf("ports %s (-want +got):\n%s", tc.ports, diff)
		}
	}
	for _, bad := range []string{`"31000-32000"`, `"[31000]"`, `"[a-b]"`, `"[32000-31000]"`, `"[1-2"`,
		`[{"begin":1,"end":2,"size":2}]`, `5`, `{"begin":1,"end":2}`} {
		if _, err := mesos.ParseConfig([]byte(`{"agents":[{"resources":{"cpus":1,"ports":` + bad + `}}]}`)); err == nil {
			t.Errorf("ports %s accepted", bad)
		}
	}

	// The string form, as /state writes it, runs a master that offers it.
	cfg, err := mesos.ParseConfig([]byte(`{"agents":[{"hostname":"a","resources":{"cpus":1,"mem":64,"ports":"[31000-31099, 31200-31299]"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(t, mesos.WithConfig(cfg))
	slave := a.do("GET", "/master/state", "").json(t)["slaves"].([]any)[0].(map[string]any)
	if got := slave["resources"].(map[string]any)["ports"]; got != "[31000-31099, 31200-31299]" {
		t.Errorf("/master/state ports %v", got)
	}
	// GET /control/config writes the list form, which reads back the same.
	back, err := mesos.ParseConfig(a.do("GET", "/control/config", "").Body)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cfg.Agents, back.Agents); diff != "" {
		t.Errorf("config round trip (-want +got):\n%s", diff)
	}
	// The control API reads both forms too.
	r := a.do("POST", "/control/agents", `{"hostname":"b","ip":"172.16.0.254","count":3,"resources":{"cpus":1,"mem":64,"ports":"[8000-8080]"}}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /control/agents: %d %s", r.Status, r.Body)
	}
	var added struct{ Agents []mesos.Agent }
	if err := json.Unmarshal(r.Body, &added); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ag := range added.Agents {
		got = append(got, fmt.Sprintf("%s %s %v", ag.Hostname, ag.IP, ag.Resources.Ports))
	}
	if diff := cmp.Diff([]string{"b-0 172.16.0.254 [{8000 8080}]", "b-1 172.16.0.255 [{8000 8080}]", "b-2 172.16.1.0 [{8000 8080}]"}, got); diff != "" {
		t.Errorf("added agents (-want +got):\n%s", diff)
	}
	for _, body := range []string{
		`{"resources":{"cpus":1,"ports":"8000"}}`, `{"resources":{"cpus":1,"ports":[{"begin":1,"end":2,"x":0}]}}`,
		`{"ip":"::1","resources":{"cpus":1}}`, `{"ip":"10.0.0","resources":{"cpus":1}}`,
		`{"ip":"255.255.255.255","count":2,"resources":{"cpus":1}}`,
	} {
		if r := a.do("POST", "/control/agents", body); r.Status != http.StatusBadRequest {
			t.Errorf("POST /control/agents %s: %d %s, want 400", body, r.Status, r.Body)
		}
	}
}

// A command task's last update is the command executor's: the exit in
// its message, from SOURCE_EXECUTOR, with its container status and no
// reason (it sets none for a command that fails).
func TestCommandTaskEndings(t *testing.T) {
	for _, tc := range []struct {
		outcome mesos.TaskState
		message string
	}{
		{mesos.TaskFinished, "Command exited with status 0"},
		{mesos.TaskFailed, "Command exited with status 1"},
	} {
		a := newAPI(t, append(smallCluster(), mesos.WithAutoAcknowledge(), mesos.WithOutcomes(mesos.Outcomes{tc.outcome: 1}))...)
		s, fw := a.framework("ends")
		o := a.offers(s)
		agent := o.str("offers.offers.0.agent_id.value")
		a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, "t"))
		a.srv.Clock().Advance(12 * time.Second)
		s.update()
		s.update()
		checkJSON(t, s.update().v, `{"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},"state":"`+string(tc.outcome)+`",
		  "message":"`+tc.message+`","source":"SOURCE_EXECUTOR","agent_id":{"value":"`+agent+`"},"executor_id":{"value":"t"},
		  "timestamp":1767225613,"uuid":"<masked>","container_status":{"container_id":{"value":"<masked>"},
		  "network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"10.0.0.1"}]}]}}}}`, "uuid", "container_id")
	}
}
