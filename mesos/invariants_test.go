package mesos

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
)

// simFramework is a framework driven from inside the package: its stream
// has no writer, so the test reads the queue directly.
type simFramework struct {
	s       *subscription
	id      string
	caps    []string
	offers  map[string]string // offer -> agent
	updates []simUpdate
	tasks   []string
}

type simUpdate struct{ agent, task, uuid string }

func (m *Master) simSubscribe(t *testing.T, f *simFramework) {
	t.Helper()
	info := &wFrameworkInfo{User: strp("sim"), Name: strp("sim")}
	if f.id != "" {
		info.ID = idp(f.id)
	}
	for _, c := range f.caps {
		info.Capabilities = append(info.Capabilities, wFrameworkCapability{Type: c})
	}
	f.s = newSubscription(fmt.Sprintf("stream-%p", f), false)
	err := func() error {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.streams = append(m.streams, f.s)
		err := m.subscribeLocked(f.s, &subscribeCall{FrameworkInfo: info})
		if err == nil {
			f.id = f.s.fw.id
		}
		return err
	}()
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	f.offers = map[string]string{}
	f.updates = nil
}

// drain reads the framework's queued events.
func (f *simFramework) drain(t *testing.T) {
	frames, _ := f.s.take(nil)
	for _, b := range frames {
		var ev struct {
			Type   string `json:"type"`
			Offers *struct {
				Offers []struct {
					ID      wID `json:"id"`
					AgentID wID `json:"agent_id"`
				} `json:"offers"`
			} `json:"offers"`
			Rescind *struct {
				OfferID wID `json:"offer_id"`
			} `json:"rescind"`
			Update *struct {
				Status struct {
					TaskID  wID    `json:"task_id"`
					AgentID *wID   `json:"agent_id"`
					UUID    string `json:"uuid"`
				} `json:"status"`
			} `json:"update"`
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("event %s: %v", b, err)
		}
		switch ev.Type {
		case "OFFERS":
			for _, o := range ev.Offers.Offers {
				f.offers[o.ID.Value] = o.AgentID.Value
			}
		case "RESCIND":
			delete(f.offers, ev.Rescind.OfferID.Value)
		case "UPDATE":
			if st := ev.Update.Status; st.UUID != "" {
				f.updates = append(f.updates, simUpdate{st.AgentID.val(), st.TaskID.Value, st.UUID})
			}
		}
	}
}

func (m *Master) simCall(t *testing.T, f *simFramework, body string) int {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/scheduler", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Mesos-Stream-Id", f.s.streamID)
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted && rec.Code != http.StatusOK && rec.Code != http.StatusForbidden && rec.Code != http.StatusBadRequest {
		t.Fatalf("%s: %d %s", body, rec.Code, rec.Body)
	}
	return rec.Code
}

// TestRandomOperationsKeepBooks drives masters through random sequences
// of calls, clock moves and chaos, checking after every step that no
// agent hands out more than it has and every index agrees.
func TestRandomOperationsKeepBooks(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			m := unstarted(t, fake.WithSeed(seed),
				WithAgents(AgentConfig{Count: 4, Resources: Resources{CPUs: 4, Mem: 2048, Ports: []PortRange{{31000, 31009}}}}),
				WithOutcomes(Outcomes{TaskFinished: 3, TaskFailed: 1, TaskRunning: 3, TaskLost: 1, TaskDropped: 1,
					TaskUnreachable: 1, TaskError: 1, TaskGoneByOperator: 1, TaskStarting: 1}),
				WithLifecycle(Lifecycle{Starting: time.Second, Running: 2 * time.Second, Run: 5 * time.Second, Kill: time.Second}))
			rng := rand.New(rand.NewSource(seed))
			var fws []*simFramework
			// An operator subscriber sees every event; each must be JSON.
			op := newSubscription("operator", true)
			func() {
				m.mu.Lock()
				defer m.mu.Unlock()
				m.streams = append(m.streams, op)
				m.opSubs = append(m.opSubs, op)
			}()
			checkOperator := func() {
				frames, _ := op.take(nil)
				for _, b := range frames {
					if !json.Valid(b) || !strings.HasPrefix(string(b), `{"type":"`) {
						t.Fatalf("operator event %s", b)
					}
				}
			}
			taskN := 0
			pick := func(n int) int { return rng.Intn(n) }
			for step := 0; step < 600; step++ {
				var f *simFramework
				if len(fws) > 0 {
					f = fws[pick(len(fws))]
					f.drain(t)
				}
				agents := m.Agents()
				action := pick(16)
				switch op := action; {
				case f == nil || op == 0:
					caps := []string{}
					if pick(2) == 0 {
						caps = append(caps, "PARTITION_AWARE")
					}
					if pick(2) == 0 {
						caps = append(caps, "TASK_KILLING_STATE")
					}
					nf := &simFramework{caps: caps}
					m.simSubscribe(t, nf)
					fws = append(fws, nf)
				case op <= 4: // ACCEPT an offer with a few tasks, sometimes as a group
					for offer, agent := range f.offers {
						var infos []string
						for i := 0; i < 1+pick(3); i++ {
							taskN++
							id := fmt.Sprintf("t%d", taskN)
							f.tasks = append(f.tasks, id)
							res := fmt.Sprintf(`{"name":"cpus","type":"SCALAR","scalar":{"value":%v}},{"name":"mem","type":"SCALAR","scalar":{"value":%d}}`,
								float64(1+pick(20))/10, 32*(1+pick(10)))
							if pick(3) == 0 {
								p := 31000 + pick(10)
								res += fmt.Sprintf(`,{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":%d,"end":%d}]}}`, p, p)
							}
							cmd := `"command":{"value":"x"},`
							infos = append(infos, fmt.Sprintf(`{"name":"n%d","task_id":{"value":%q},"agent_id":{"value":%q},%s"resources":[%s]}`,
								taskN, id, agent, cmd, res))
						}
						op := fmt.Sprintf(`{"type":"LAUNCH","launch":{"task_infos":[%s]}}`, strings.Join(infos, ","))
						if pick(3) == 0 {
							grouped := strings.ReplaceAll(strings.Join(infos, ","), `"command":{"value":"x"},`, "")
							op = fmt.Sprintf(`{"type":"LAUNCH_GROUP","launch_group":{"executor":{"type":"DEFAULT","executor_id":{"value":"e%d"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}}]},"task_group":{"tasks":[%s]}}}`,
								taskN, grouped)
						}
						m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],"operations":[%s],"filters":{"refuse_seconds":%d}}}`,
							f.id, offer, op, pick(3)))
						delete(f.offers, offer)
						break
					}
				case op == 5:
					for offer := range f.offers {
						m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"DECLINE","decline":{"offer_ids":[{"value":%q}]}}`, f.id, offer))
						delete(f.offers, offer)
						break
					}
				case op == 6 && len(f.tasks) > 0:
					m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"KILL","kill":{"task_id":{"value":%q}}}`, f.id, f.tasks[pick(len(f.tasks))]))
				case op <= 8 && len(f.updates) > 0:
					i := pick(len(f.updates))
					u := f.updates[i]
					f.updates = append(f.updates[:i], f.updates[i+1:]...)
					m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":%q},"task_id":{"value":%q},"uuid":%q}}`,
						f.id, u.agent, u.task, u.uuid))
				case op == 9:
					m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"RECONCILE","reconcile":{"tasks":[]}}`, f.id))
				case op == 10 && pick(4) == 0:
					m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"TEARDOWN"}`, f.id))
					for i, x := range fws {
						if x == f {
							fws = append(fws[:i], fws[i+1:]...)
						}
					}
				case op == 11:
					a := agents[pick(len(agents))]
					switch a.State {
					case AgentRegistered:
						_ = m.RemoveAgent(a.ID)
					case AgentUnreachable:
						if pick(4) == 0 {
							_ = m.MarkAgentGone(a.ID)
						} else {
							_ = m.RestoreAgent(a.ID)
						}
					}
				case op == 12 && pick(3) == 0:
					a := agents[pick(len(agents))]
					// Only growth: a shrunk agent may hold more than it has, by design.
					_ = m.SetAgentResources(a.ID, Resources{CPUs: a.Resources.CPUs + float64(pick(3)), Mem: a.Resources.Mem, Ports: a.Resources.Ports}, nil)
				case op == 13 && pick(8) == 0:
					m.Failover()
					for _, x := range fws {
						x.drain(t)
						m.simSubscribe(t, x)
					}
				case op == 14:
					m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"SUPPRESS"}`, f.id))
				case op == 15:
					m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"REVIVE"}`, f.id))
				default:
					m.Clock().Advance(time.Duration(pick(8000)) * time.Millisecond)
				}
				if err := m.checkInvariants(); err != nil {
					t.Fatalf("step %d (action %d): %v", step, action, err)
				}
				checkOperator()
			}
			// Whatever happened, acknowledging everything and letting time
			// pass settles every task that is meant to end.
			for round := 0; round < 20; round++ {
				for _, f := range fws {
					f.drain(t)
					for _, u := range f.updates {
						m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":%q},"task_id":{"value":%q},"uuid":%q}}`,
							f.id, u.agent, u.task, u.uuid))
					}
					f.updates = nil
				}
				m.Clock().Advance(time.Minute)
			}
			for _, f := range fws {
				f.drain(t)
				for _, u := range f.updates {
					m.simCall(t, f, fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":%q},"task_id":{"value":%q},"uuid":%q}}`,
						f.id, u.agent, u.task, u.uuid))
				}
			}
			if err := m.checkInvariants(); err != nil {
				t.Fatal(err)
			}
			if n := m.Unacknowledged(); n != 0 {
				t.Errorf("%d updates unacknowledged after acknowledging everything", n)
			}
			for _, tk := range m.Tasks() {
				if tk.State.Terminal() && tk.Unacknowledged > 0 {
					t.Errorf("task %s: %s still waiting", tk.ID, tk.State)
				}
			}
		})
	}
}
