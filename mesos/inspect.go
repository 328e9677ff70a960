package mesos

import (
	"fmt"
	"maps"
	"sort"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/fake"
)

// Agents returns every agent the master knows, in registration order.
func (m *Master) Agents() []Agent {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Agent, 0, len(m.agentList))
	for _, a := range m.agentList {
		out = append(out, m.agentInfoLocked(a))
	}
	return out
}

// Agent returns an agent by ID.
func (m *Master) Agent(id string) (Agent, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.agents[id]
	if a == nil {
		return Agent{}, false
	}
	return m.agentInfoLocked(a), true
}

func (m *Master) frameworkInfoLocked(fw *framework) Framework {
	out := Framework{
		ID: fw.id, Name: deref(fw.info.Name), User: deref(fw.info.User), Principal: deref(fw.info.Principal),
		Hostname: deref(fw.info.Hostname), Roles: append([]string(nil), fw.roles...),
		Active: fw.connected() && !fw.completed, Connected: fw.connected(), Recovered: fw.recovered,
		Completed: fw.completed, Registered: fw.registered, Reregistered: fw.reregistered,
		Unregistered: fw.unregistered, Offers: len(fw.offers), Tasks: len(fw.tasks),
		UnreachableTasks: len(fw.unreachable),
	}
	if fw.info.FailoverTimeout != nil {
		out.FailoverTimeout = secondsDuration(float64(*fw.info.FailoverTimeout))
	}
	for _, c := range fw.info.Capabilities {
		out.Capabilities = append(out.Capabilities, c.Type)
	}
	for r := range fw.suppressed {
		out.SuppressedRoles = append(out.SuppressedRoles, r)
	}
	sort.Strings(out.SuppressedRoles)
	if fw.sub != nil {
		out.StreamID = fw.sub.streamID
	}
	return out
}

// Frameworks returns the registered frameworks, then the completed ones.
func (m *Master) Frameworks() []Framework {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Framework, 0, len(m.fwList)+len(m.completed))
	for _, fw := range m.fwList {
		out = append(out, m.frameworkInfoLocked(fw))
	}
	for _, fw := range m.completed {
		out = append(out, m.frameworkInfoLocked(fw))
	}
	return out
}

// Framework returns a framework, registered or completed, by ID.
func (m *Master) Framework(id string) (Framework, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if fw := m.frameworks[id]; fw != nil {
		return m.frameworkInfoLocked(fw), true
	}
	for _, fw := range m.completed {
		if fw.id == id {
			return m.frameworkInfoLocked(fw), true
		}
	}
	return Framework{}, false
}

func (m *Master) taskInfoLocked(t *task) Task {
	out := Task{
		ID: t.id, Name: t.name, FrameworkID: t.fw.id, AgentID: t.agent.id, ExecutorID: t.executorID,
		Role: t.role, State: t.state, Outcome: t.plan.outcome, Labels: maps.Clone(t.labels),
		Resources: t.res.sum().toResources(), Launched: t.launched, Updated: t.updated,
		Unacknowledged: len(t.queue),
	}
	if t.inflight != 0 {
		out.Unacknowledged++
	}
	for _, s := range t.statuses {
		ts := TaskStatus{State: TaskState(s.State), Source: s.Source, Reason: s.Reason, Message: s.Message,
			Timestamp: time.Unix(0, int64(s.Timestamp*1e9)).UTC()}
		if len(s.UUID) == 16 {
			if u, err := uuid.FromBytes(s.UUID); err == nil {
				ts.UUID = u.String()
			}
		}
		if s.Healthy != nil {
			h := *s.Healthy
			ts.Healthy = &h
		}
		out.Statuses = append(out.Statuses, ts)
	}
	return out
}

// allTasksLocked lists tasks framework by framework: active, unreachable,
// then the completed ones still remembered.
func (m *Master) allTasksLocked() []*task {
	var out []*task
	for _, fw := range append(append([]*framework(nil), m.fwList...), m.completed...) {
		out = append(out, sortedTasks(fw.tasks)...)
		out = append(out, sortedTasks(fw.unreachable)...)
		out = append(out, fw.completedT...)
	}
	return out
}

// Tasks returns every task the master remembers: active, unreachable and
// completed (up to MaxCompletedTasksPerFramework per framework).
func (m *Master) Tasks() []Task {
	m.mu.Lock()
	defer m.mu.Unlock()
	all := m.allTasksLocked()
	out := make([]Task, 0, len(all))
	for _, t := range all {
		out = append(out, m.taskInfoLocked(t))
	}
	return out
}

// Task returns a task by ID (the first framework's, if several frameworks
// use the ID; active tasks before completed ones).
func (m *Master) Task(id string) (Task, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.allTasksLocked() {
		if t.id == id {
			return m.taskInfoLocked(t), true
		}
	}
	return Task{}, false
}

// TaskStates maps every remembered task's ID to its state.
func (m *Master) TaskStates() map[string]TaskState {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]TaskState{}
	for _, t := range m.allTasksLocked() {
		if _, seen := out[t.id]; !seen {
			out[t.id] = t.state
		}
	}
	return out
}

// CheckTask reports, without stopping the test, a diff (-want +got)
// between want and the task with want.ID, compared with opts (such as
// cmpopts.IgnoreFields(mesos.Task{}, "Launched", "Updated")); it returns
// whether they matched.
func (m *Master) CheckTask(t fake.TB, want Task, opts ...cmp.Option) bool {
	t.Helper()
	got, ok := m.Task(want.ID)
	return fake.Check(t, "mesos: task "+want.ID, want, got, ok, opts...)
}

// CheckTaskStates reports, without stopping the test, a diff (-want +got)
// between want and the states of the tasks it names.
func (m *Master) CheckTaskStates(t fake.TB, want map[string]TaskState) bool {
	t.Helper()
	all := m.TaskStates()
	got := map[string]TaskState{}
	for id := range want {
		if s, ok := all[id]; ok {
			got[id] = s
		}
	}
	return fake.Check(t, "mesos: task states", want, got, true)
}

// Offers returns the outstanding offers, oldest first.
func (m *Master) Offers() []Offer {
	m.mu.Lock()
	defer m.mu.Unlock()
	list := make([]*offer, 0, len(m.offers))
	for _, o := range m.offers {
		list = append(list, o)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	out := make([]Offer, 0, len(list))
	for _, o := range list {
		out = append(out, Offer{ID: o.id, FrameworkID: o.fw.id, AgentID: o.agent.id, Hostname: o.agent.hostname,
			Role: o.role, Resources: o.res.sum().toResources(), Created: o.created})
	}
	return out
}

// Messages returns the MESSAGE calls schedulers sent to executors.
func (m *Master) Messages() []FrameworkMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]FrameworkMessage, len(m.messages))
	for i, msg := range m.messages {
		msg.Data = append([]byte(nil), msg.Data...)
		out[i] = msg
	}
	return out
}

// SendFrameworkMessage delivers a MESSAGE event to a framework as if an
// executor had sent it.
func (m *Master) SendFrameworkMessage(frameworkID, agentID, executorID string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	fw := m.frameworks[frameworkID]
	if fw == nil {
		return fmt.Errorf("mesos: no framework %q", frameworkID)
	}
	if !fw.connected() {
		return fmt.Errorf("mesos: framework %s is not connected", frameworkID)
	}
	m.sendLocked(fw, &schedEvent{Type: "MESSAGE", Message: &evMessage{
		AgentID: wID{Value: agentID}, ExecutorID: wID{Value: executorID}, Data: append(pbBytes(nil), data...),
	}})
	return nil
}

// TeardownFramework removes a framework as the operator's TEARDOWN does.
func (m *Master) TeardownFramework(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	fw := m.frameworks[id]
	if fw == nil {
		return fmt.Errorf("mesos: no framework %q", id)
	}
	m.removeFrameworkLocked(fw)
	return nil
}

// SetTaskRules replaces the per-task overrides for tasks launched from now
// on.
func (m *Master) SetTaskRules(rules ...TaskRule) error {
	compiled := make([]TaskRule, len(rules))
	for i, r := range rules {
		r = r.clone()
		if err := r.compile(); err != nil {
			return fmt.Errorf("mesos: task rule %d: %v", i, err)
		}
		compiled[i] = r
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg.TaskRules = compiled
	return nil
}

// AddTaskRule appends a per-task override (rules earlier in the list win)
// and returns the stored copy.
func (m *Master) AddTaskRule(rule TaskRule) (TaskRule, error) {
	rule = rule.clone()
	if err := rule.compile(); err != nil {
		return TaskRule{}, fmt.Errorf("mesos: task rule: %v", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg.TaskRules = append(m.cfg.TaskRules, rule)
	return rule.clone(), nil
}

// TaskRules returns the per-task overrides in force.
func (m *Master) TaskRules() []TaskRule {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]TaskRule, len(m.cfg.TaskRules))
	for i, r := range m.cfg.TaskRules {
		out[i] = r.clone()
	}
	return out
}

// SetOutcomes changes the outcome weights of tasks launched from now on.
func (m *Master) SetOutcomes(w Outcomes) error {
	if err := w.validate(); err != nil {
		return fmt.Errorf("mesos: outcomes: %v", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg.Outcomes = maps.Clone(w)
	return nil
}

// SetLifecycle changes the timings of tasks launched from now on.
func (m *Master) SetLifecycle(l Lifecycle) error {
	if err := l.validate(); err != nil {
		return fmt.Errorf("mesos: %v", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg.Lifecycle = l
	return nil
}

// Unacknowledged counts the status updates agents hold for schedulers:
// those awaiting an ACKNOWLEDGE and those queued behind them. Zero means
// every update so far has been delivered and acknowledged.
func (m *Master) Unacknowledged() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, fw := range m.fwList {
		for _, t := range fw.tasks {
			n += len(t.queue)
			if t.inflight != 0 {
				n++
			}
		}
	}
	return n
}
