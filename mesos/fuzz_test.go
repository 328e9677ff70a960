package mesos

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// schedulerSeeds are the documented calls (scheduler-http-api.md,
// scheduler.proto) with FWID, OFFERID and AGENTID standing for live IDs,
// and near misses.
var schedulerSeeds = []string{
	`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"foo","name":"Example HTTP Framework","roles":["test1","test2"],"capabilities":[{"type":"MULTI_ROLE"}]},"suppressed_roles":["test2"]}}`,
	`{"type":"SUBSCRIBE","framework_id":{"value":"FWID"},"subscribe":{"framework_info":{"id":{"value":"FWID"},"user":"foo","name":"x","failover_timeout":"Infinity"}}}`,
	`{"framework_id":{"value":"FWID"},"type":"TEARDOWN"}`,
	`{"framework_id":{"value":"FWID"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"OFFERID"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"My Task","task_id":{"value":"t1"},"agent_id":{"value":"AGENTID"},"executor":{"command":{"shell":true,"value":"sleep 1000"},"executor_id":{"value":"ex"}},"resources":[{"allocation_info":{"role":"*"},"name":"cpus","role":"*","type":"SCALAR","scalar":{"value":1.0}},{"name":"mem","type":"SCALAR","scalar":{"value":128.0}}],"limits":{"cpus":"Infinity","mem":512.0}}]}}],"filters":{"refuse_seconds":5.0}}}`,
	`{"framework_id":{"value":"FWID"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"OFFERID"}],"operations":[{"type":"LAUNCH_GROUP","launch_group":{"executor":{"type":"DEFAULT","executor_id":{"value":"pod"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}]},"task_group":{"tasks":[{"name":"a","task_id":{"value":"a"},"agent_id":{"value":"AGENTID"},"command":{"value":"x"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}},{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":31001}]}}]}]}}},{"type":"RESERVE","id":{"value":"op1"}}]}}`,
	`{"framework_id":{"value":"FWID"},"type":"DECLINE","decline":{"offer_ids":[{"value":"OFFERID"},{"value":"x"}],"filters":{"refuse_seconds":"-1"}}}`,
	`{"framework_id":{"value":"FWID"},"type":"REVIVE","revive":{"roles":["*"]}}`,
	`{"framework_id":{"value":"FWID"},"type":"SUPPRESS","suppress":{"roles":[]}}`,
	`{"framework_id":{"value":"FWID"},"type":"KILL","kill":{"task_id":{"value":"t1"},"agent_id":{"value":"AGENTID"}}}`,
	`{"framework_id":{"value":"FWID"},"type":"SHUTDOWN","shutdown":{"executor_id":{"value":"ex"},"agent_id":{"value":"AGENTID"}}}`,
	`{"framework_id":{"value":"FWID"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"AGENTID"},"task_id":{"value":"t1"},"uuid":"jhadf73jhakdlfha723adf"}}`,
	`{"framework_id":{"value":"FWID"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"AGENTID"},"task_id":{"value":"t1"},"uuid":"3ZR0TsXsQ3uT6nlP6mDG3g=="}}`,
	`{"framework_id":{"value":"FWID"},"type":"RECONCILE","reconcile":{"tasks":[{"task_id":{"value":"312325"},"agent_id":{"value":"123535"}}]}}`,
	`{"framework_id":{"value":"FWID"},"type":"MESSAGE","message":{"agent_id":{"value":"AGENTID"},"executor_id":{"value":"ex"},"data":"adaf838jahd748jnaldf"}}`,
	`{"framework_id":{"value":"FWID"},"type":"REQUEST","request":{"requests":[{"agent_id":{"value":"AGENTID"},"resources":[]}]}}`,
	`{"framework_id":{"value":"FWID"},"type":"UPDATE_FRAMEWORK","update_framework":{"framework_info":{"id":{"value":"FWID"},"user":"fuzz","name":"renamed","capabilities":[{"type":"PARTITION_AWARE"}]}}}`,
	`{"framework_id":{"value":"FWID"},"type":"ACCEPT_INVERSE_OFFERS","accept_inverse_offers":{"inverse_offer_ids":[]}}`,
	`{"framework_id":{"value":"FWID"},"type":"RECONCILE_OPERATIONS","reconcile_operations":{"operations":[]}}`,
	`{"framework_id":{"value":"FWID"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"OFFERID"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"n","task_id":{"value":"t"},"agent_id":{"value":"AGENTID"},"command":{},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":-1}},{"name":"s","type":"SET","set":{"item":["a"]}}]}]}}]}}`,
	`{"framework_id":{"value":"FWID"},"type":"UNKNOWN"}`, `{"type":"UNKNOWN"}`,
	`{"type":null}`, `{"type":"KILL","framework_id":"x"}`, `{"framework_id":{"value":1}}`, `[]`, `null`, ``, `{`, `{"a":1} x`,
}

// checkInvariants verifies the master's books: no agent hands out more
// than it has (while its size is unchanged), every offer and task is where
// its indexes say.
func (m *Master) checkInvariants() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.agentList {
		held := a.used.clone()
		held.add(a.offered)
		if !a.total.contains(held) {
			return fmt.Errorf("agent %s holds %s of %s", a.id, held, a.total)
		}
		for o := range a.offers {
			if m.offers[o.id] != o || o.fw.offers[o.id] != o {
				return fmt.Errorf("offer %s is not indexed", o.id)
			}
		}
	}
	for _, a := range m.agentList {
		for t := range a.tasks {
			if t.removed || (t.fw.tasks[t.id] != t && t.fw.unreachable[t.id] != t) {
				return fmt.Errorf("agent %s lists task %s its framework does not", a.id, t.id)
			}
			if t.inflight > len(t.statuses) || t.lastSent > len(t.statuses) {
				return fmt.Errorf("task %s points past its statuses", t.id)
			}
		}
	}
	for _, fw := range m.fwList {
		used := newPool()
		for _, t := range fw.tasks {
			if fw.unreachable[t.id] != nil {
				return fmt.Errorf("task %s both active and unreachable", t.id)
			}
			if !t.released {
				t.res.addScalarsTo(used)
			}
		}
		for _, a := range m.agentList {
			for _, e := range a.executors {
				if e.fwID == fw.id {
					e.res.addScalarsTo(used)
				}
			}
		}
		if !used.contains(fw.usedTotal) || !fw.usedTotal.contains(used) {
			return fmt.Errorf("framework %s counts %v used, tasks hold %v", fw.id, fw.usedTotal, used)
		}
	}
	return nil
}

// FuzzSchedulerCall: any body to /api/v1/scheduler gets one of the
// statuses the master uses, never a panic, and leaves the books balanced,
// also after the clock runs the consequences.
func FuzzSchedulerCall(f *testing.F) {
	for _, s := range schedulerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m := unstarted(t, WithAgents(AgentConfig{Resources: Resources{CPUs: 4, Mem: 1024, Ports: []PortRange{{31000, 31010}}}}))
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // streams end as soon as they start

		// A subscribed framework with an offer outstanding.
		s := newSubscription("stream-1", false)
		fwID := subscribeForFuzz(t, m, s)
		m.Clock().Advance(time.Second)
		var offerID, agentID string
		for _, o := range m.Offers() {
			offerID, agentID = o.ID, o.AgentID
		}
		b := strings.NewReplacer("FWID", fwID, "OFFERID", offerID, "AGENTID", agentID).Replace(string(body))
		req := httptest.NewRequest("POST", "/api/v1/scheduler", strings.NewReader(b)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/json")
		if !strings.Contains(b, `"SUBSCRIBE"`) {
			req.Header.Set("Mesos-Stream-Id", "stream-1")
		}
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusAccepted, http.StatusNotImplemented: // 501: UNKNOWN
		case http.StatusBadRequest, http.StatusForbidden:
			if rec.Body.Len() == 0 {
				t.Fatalf("%d with no message for %q", rec.Code, b)
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, b, rec.Body)
		}
		if err := m.checkInvariants(); err != nil {
			t.Fatalf("after %q: %v", b, err)
		}
		m.Clock().Advance(time.Hour)
		if err := m.checkInvariants(); err != nil {
			t.Fatalf("an hour after %q: %v", b, err)
		}
	})
}

func strp(s string) *string { return &s }

// unstarted builds a master that is not listening, failing the test on an
// option it refuses; it is closed when the test ends.
func unstarted(t testing.TB, opts ...Option) *Master {
	t.Helper()
	m, err := NewUnstarted(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// subscribeForFuzz subscribes a framework on s, as SUBSCRIBE does, under
// the master's lock; it returns the framework's ID.
func subscribeForFuzz(t testing.TB, m *Master, s *subscription) string {
	t.Helper()
	id, err := func() (string, error) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.streams = append(m.streams, s)
		if err := m.subscribeLocked(s, &subscribeCall{FrameworkInfo: &wFrameworkInfo{User: strp("fuzz"), Name: strp("fuzz")}}); err != nil {
			return "", err
		}
		return s.fw.id, nil
	}()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// FuzzDecodeSchedulerCall: the decoder alone either returns a call that
// validates without panicking or a 400 in the master's words.
func FuzzDecodeSchedulerCall(f *testing.F) {
	for _, s := range schedulerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := decodeSchedulerCall(codecJSON, body)
		if err != nil {
			if err.Status != http.StatusBadRequest || !strings.HasPrefix(err.Message, "Failed to ") {
				t.Fatalf("error %d %q", err.Status, err.Message)
			}
			return
		}
		if verr := c.validate(); verr == nil && c.Type == "" {
			t.Fatalf("a call without a type validated: %q", body)
		}
	})
}

var operatorSeeds = []string{
	`{"type":"GET_HEALTH"}`, `{"type":"GET_FLAGS"}`, `{"type":"GET_VERSION"}`,
	`{"type":"GET_METRICS","get_metrics":{"timeout":{"nanoseconds":5000000000}}}`, `{"type":"GET_METRICS"}`,
	`{"type":"GET_STATE"}`, `{"type":"GET_AGENTS"}`, `{"type":"GET_FRAMEWORKS"}`, `{"type":"GET_EXECUTORS"}`,
	`{"type":"GET_TASKS"}`, `{"type":"GET_ROLES"}`, `{"type":"GET_MASTER"}`, `{"type":"GET_WEIGHTS"}`,
	`{"type":"GET_MAINTENANCE_STATUS"}`, `{"type":"GET_MAINTENANCE_SCHEDULE"}`, `{"type":"GET_QUOTA"}`,
	`{"type":"TEARDOWN","teardown":{"framework_id":{"value":"FWID"}}}`,
	`{"type":"MARK_AGENT_GONE","mark_agent_gone":{"agent_id":{"value":"AGENTID"}}}`,
	`{"type":"DEACTIVATE_AGENT","deactivate_agent":{"agent_id":{"value":"AGENTID"}}}`,
	`{"type":"REACTIVATE_AGENT","reactivate_agent":{"agent_id":{"value":"AGENTID"}}}`,
	`{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"role","weight":4.0}]}}`,
	`{"type":"SET_LOGGING_LEVEL"}`, `{"type":"DRAIN_AGENT","drain_agent":{}}`, `{"type":"UNKNOWN"}`, `{"type":7}`, `{}`, `x`,
}

// FuzzOperatorCall: any body to /api/v1 gets one of the master's statuses
// and leaves the books balanced.
func FuzzOperatorCall(f *testing.F) {
	for _, s := range operatorSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m := unstarted(t, WithAgents(DefaultAgent()), WithOutcomes(Outcomes{TaskRunning: 1}))
		s := newSubscription("stream-1", false)
		fwID := subscribeForFuzz(t, m, s)
		agentID := m.Agents()[0].ID
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		b := strings.NewReplacer("FWID", fwID, "AGENTID", agentID).Replace(string(body))
		req := httptest.NewRequest("POST", "/api/v1", strings.NewReader(b)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 202, 400, 404, 501:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, b, rec.Body)
		}
		m.Clock().Advance(time.Minute)
		if err := m.checkInvariants(); err != nil {
			t.Fatalf("after %q: %v", b, err)
		}
	})
}

// FuzzParseConfig: the JSON config never panics, and what it accepts
// builds a master.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"agents":[{"count":2,"resources":{"cpus":1,"mem":512,"ports":[{"begin":1,"end":2}]},"reserved":{"r":{"cpus":1}},"attributes":{"a":"1","b":"[1-2]","c":"{x}"}}]}`,
		`{"lifecycle":{"starting":"1s","running":2,"run":"1m","kill":0},"outcomes":{"TASK_FAILED":1}}`,
		`{"task_rules":[{"name":"a.*","labels":{"k":"v"},"outcome":"TASK_LOST","lifecycle":{"run":"5s"},"healthy":false}]}`,
		`{"heartbeat_interval":"-1s","offer_timeout":"10m","auto_acknowledge":true}`,
		`{"agents":[{"count":-1}]}`, `{"outcomes":{"X":1}}`, `{"port":-5}`, `null`, `[`,
		`{"agents":[{"count":3,"ip":"10.9.8.254","resources":{"cpus":1,"ports":"[31000-31099, 31200-31299]"}}]}`,
		`{"agents":[{"ip":"::1","resources":{"ports":"[1-2"}}]}`, `{"task_rules":[{"reason":"REASON_SLAVE_REMOVED"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data)
		if err != nil {
			return
		}
		n := 0
		for _, a := range cfg.Agents {
			n += max(a.Count, 1)
		}
		if n > 64 {
			return // valid, but too big to build in a fuzz loop
		}
		m, err := NewUnstarted(WithConfig(cfg))
		if err != nil {
			t.Fatalf("ParseConfig accepted %q but NewUnstarted refused it: %v", data, err)
		}
		m.Close()
	})
}

func mustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

// FuzzEncodeUpdate holds the hand-written UPDATE encoder to encoding/json's
// output, byte for byte.
func FuzzEncodeUpdate(f *testing.F) {
	f.Add("t1", "TASK_RUNNING", "", "SOURCE_EXECUTOR", "", "agent-S0", "exec", 1767225600.5, []byte("0123456789abcdef"), true, int64(0), "c1", "", "10.0.0.1")
	f.Add("<&>\u2028", "TASK_LOST", "line\nbreak \"quoted\" \\ \x01", "SOURCE_MASTER", "REASON_AGENT_REMOVED", "", "", 1e-7, []byte(nil), false, int64(1767225609000000000), "", "", "")
	f.Add("\xff\xfe", "", "é😀\u2029", "", "", "a", "b", 1e21, []byte{0}, false, int64(-1), "nested", "parent\x00", "")
	f.Add("t", "TASK_STARTING", "", "", "", "", "", 0.0, []byte(nil), false, int64(0), "", "", "::1")
	f.Fuzz(func(t *testing.T, task, state, msg, source, reason, agent, exec string, ts float64, id []byte, healthy bool, unreachable int64,
		container, parent, ip string) {
		if math.IsInf(ts, 0) || math.IsNaN(ts) {
			return
		}
		st := wTaskStatus{TaskID: wID{Value: task}, State: state, Message: msg, Source: source, Reason: reason, Timestamp: ts, UUID: id}
		if agent != "" {
			st.AgentID = idp(agent)
		}
		if exec != "" {
			st.ExecutorID = idp(exec)
		}
		if healthy {
			h := len(task)%2 == 0
			st.Healthy = &h
		}
		if unreachable != 0 {
			st.UnreachableTime = &wTimeInfo{Nanoseconds: pbInt(unreachable)}
		}
		if container != "" || ip != "" {
			cs := &wContainerStatus{}
			if container != "" {
				cs.ContainerID = &wContainerID{Value: container}
				if parent != "" {
					cs.ContainerID.Parent = &wContainerID{Value: parent, Parent: &wContainerID{Value: container}}
				}
			}
			if ip != "" {
				cs.NetworkInfos = []wNetworkInfo{{}, {IPAddresses: []wIPAddress{{Protocol: "IPv4", IPAddress: ip}, {Protocol: "IPv6"}}}}
			}
			st.ContainerStatus = cs
		}
		ev := &schedEvent{Type: "UPDATE", Update: &evUpdate{Status: st}}
		want, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.encode(codecJSON); string(got) != string(want) {
			t.Fatalf("hand-encoded\n%s\nencoding/json\n%s", got, want)
		}
	})
}
