//lint:file-ignore ST1005 the errors here carry the Mesos master's own messages, capitalised as it writes them: clients see them as plain-text bodies.

package mesos

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/mockcloud/mockcloud/clock"
)

// launch is where one LAUNCH task, or one LAUNCH_GROUP task group, is
// launched. The tasks, their resources and their plans travel beside it,
// as slices the compiler can keep on the stack.
type launch struct {
	fw    *framework
	a     *agent
	role  string
	group bool
	// exec is the executor the tasks run under: the group's, or a task's
	// own; nil for the command executor.
	exec    *wExecutorInfo
	execKey execKey
	newExec bool      // exec is not running on the agent yet
	execRes rolePools // a new executor's resources
	total   rolePools // what the launch takes from the offers
}

// reason is the reason of the TASK_ERROR of an invalid launch.
func (l *launch) reason() string {
	if l.group {
		return "REASON_TASK_GROUP_INVALID"
	}
	return "REASON_TASK_INVALID"
}

// launchLocked launches one task (a LAUNCH operation's task_info, with
// exec nil) or a task group (LAUNCH_GROUP, sharing exec) on a, from the
// pooled offer resources avail. Invalid tasks get TASK_ERROR, as the
// master sends; valid ones start their emulated life in TASK_STAGING.
func (m *Master) launchLocked(fw *framework, a *agent, role string, infos []wTaskInfo, exec *wExecutorInfo, avail rolePools, launching map[string]bool) {
	if len(infos) == 0 {
		return
	}
	l := launch{fw: fw, a: a, role: role, group: exec != nil, exec: exec}
	if !l.group {
		l.exec = infos[0].Executor
	}
	// A LAUNCH launches its tasks one at a time: their slices stay on the
	// stack.
	var pool1 [1]rolePools
	var plan1 [1]plan
	pools, plans := pool1[:], plan1[:]
	if len(infos) > 1 {
		pools, plans = make([]rolePools, len(infos)), make([]plan, len(infos))
	}
	if err := m.prepareLaunchLocked(&l, infos, pools, avail, launching); err != nil {
		m.refuseLaunchLocked(fw, infos, l.reason(), err.Error())
		return
	}
	if !m.planLaunchLocked(&l, infos, plans) {
		return
	}
	avail.sub(l.total)
	m.startLaunchLocked(&l, infos, pools, plans, launching)
}

// prepareLaunchLocked validates the tasks and their executor, fills each
// task's resources in pools, and works out what the launch takes, which
// avail must hold.
func (m *Master) prepareLaunchLocked(l *launch, infos []wTaskInfo, pools []rolePools, avail rolePools, launching map[string]bool) error {
	for i, ti := range infos {
		res, err := m.validateTaskLocked(l.fw, l.a, l.role, ti, l.group, launching)
		if err == nil {
			err = duplicateTaskID(infos[:i], ti)
		}
		if err != nil {
			return err
		}
		pools[i] = res
	}
	// What the launch takes: the task's resources (read only, not copied,
	// for the common single task), plus the group's and the executor's.
	l.total = pools[0]
	if len(infos) > 1 {
		l.total = rolePools{}
		for _, p := range pools {
			l.total.add(p)
		}
	}
	if err := l.addExecutor(); err != nil {
		return err
	}
	if !avail.contains(l.total) {
		what := "task and its executor is"
		if l.group {
			what = "task group and its executor are"
		}
		return fmt.Errorf("Total resources %s required by %s more than available %s", l.total, what, avail)
	}
	return nil
}

// duplicateTaskID reports a task whose ID an earlier one of its launch
// has.
func duplicateTaskID(earlier []wTaskInfo, ti wTaskInfo) error {
	for _, prev := range earlier {
		if prev.TaskID.val() == ti.TaskID.val() {
			return fmt.Errorf("Task has duplicate ID: %s", ti.TaskID.val())
		}
	}
	return nil
}

// addExecutor checks the launch's executor and, when it is not running on
// the agent yet, adds its resources to what the launch takes.
func (l *launch) addExecutor() error {
	if l.exec == nil {
		return nil
	}
	if l.exec.ExecutorID == nil || l.exec.ExecutorID.Value == "" {
		return fmt.Errorf("Executor ID must not be empty")
	}
	l.execKey = execKey{l.fw.id, l.exec.ExecutorID.Value}
	if l.a.executors[l.execKey] != nil {
		return nil
	}
	r, err := poolsFromWire(l.exec.Resources)
	if err != nil {
		return fmt.Errorf("Executor uses invalid resources: %v", err)
	}
	l.execRes, l.newExec = r, true
	l.total = l.total.clone()
	l.total.add(r)
	return nil
}

// refuseLaunchLocked answers every task of a launch with TASK_ERROR.
func (m *Master) refuseLaunchLocked(fw *framework, infos []wTaskInfo, reason, message string) {
	for _, ti := range infos {
		m.masterUpdateLocked(fw, ti.TaskID.val(), ti.AgentID.val(), TaskError, reason, message)
	}
}

// planLaunchLocked decides each task's emulated life, in plans. A task
// whose outcome is TASK_ERROR refuses the whole launch: it reports whether
// the launch goes ahead.
func (m *Master) planLaunchLocked(l *launch, infos []wTaskInfo, plans []plan) bool {
	for i, ti := range infos {
		plans[i] = m.planLocked(l.fw, deref(ti.Name), labelMap(ti.Labels))
	}
	for i, p := range plans {
		if p.outcome != TaskError {
			continue
		}
		msg := p.message
		if msg == "" {
			msg = "Task refused: the emulated outcome of task '" + infos[i].TaskID.val() + "' is TASK_ERROR"
		}
		reason := l.reason()
		if p.reason != "" {
			reason = p.reason
		}
		m.refuseLaunchLocked(l.fw, infos, reason, msg)
		return false
	}
	return true
}

// startLaunchLocked starts the executor if it is new and the tasks in
// TASK_STAGING.
func (m *Master) startLaunchLocked(l *launch, infos []wTaskInfo, pools []rolePools, plans []plan, launching map[string]bool) {
	fw, a := l.fw, l.a
	now := m.Now()
	if l.newExec {
		info := *l.exec
		info.FrameworkID = idp(fw.id)
		a.executors[l.execKey] = &executor{info: info, fwID: fw.id, res: l.execRes, container: m.newContainerID()}
		a.used.add(l.execRes)
		l.execRes.addScalarsTo(fw.usedTotal)
	}
	launched := make([]*task, 0, len(infos))
	for i, ti := range infos {
		t := &task{
			seq: m.taskSeq, id: ti.TaskID.Value, name: deref(ti.Name), fw: fw, agent: a, role: l.role,
			res: pools[i], info: &infos[i],
			labels: labelMap(ti.Labels), health: rawOf(ti.HealthCheck).set(), state: TaskStaging,
			plan: plans[i], launched: now, updated: now, statuses: make([]wTaskStatus, 0, 3),
		}
		m.taskSeq++
		t.execWID = idp(t.id)
		t.container.NetworkInfos = a.netInfos
		if l.exec != nil {
			e := a.executors[l.execKey]
			t.executorID = l.exec.ExecutorID.Value
			t.execWID = idp(t.executorID)
			t.exec = &e.info
			e.tasks++
			t.container.ContainerID = e.container
			if l.group {
				// The default executor runs each task of a group in a
				// container nested in its own.
				t.containerID = wContainerID{Value: m.RNG().UUID(), Parent: e.container}
				t.container.ContainerID = &t.containerID
			}
		} else {
			// The command executor's container, which runs the task.
			t.containerID.Value = m.RNG().UUID()
			t.container.ContainerID = &t.containerID
		}
		launching[t.id] = true
		a.used.add(t.res)
		t.res.addScalarsTo(fw.usedTotal)
		a.tasks[t] = struct{}{}
		fw.tasks[t.id] = t
		m.metrics.states[TaskStaging]++
		launched = append(launched, t)
	}
	var group []*task
	if l.group {
		// A copy, so that the launch's own list can stay on the stack.
		group = slices.Clone(launched)
	}
	for _, t := range launched {
		t.group = group
		m.publishLocked(func() *opEvent {
			return &opEvent{Type: "TASK_ADDED", TaskAdded: &opTaskAdded{Task: m.wireTaskLocked(t)}}
		})
		m.startLifecycleLocked(t)
	}
}

// validateTaskLocked checks a TaskInfo as the master does before launch.
func (m *Master) validateTaskLocked(fw *framework, a *agent, role string, ti wTaskInfo, inGroup bool, launching map[string]bool) (rolePools, error) {
	id := ti.TaskID.val()
	switch {
	case id == "":
		return nil, fmt.Errorf("Task ID must not be empty")
	case fw.tasks[id] != nil || launching[id]:
		return nil, fmt.Errorf("Task has duplicate ID: %s", id)
	case fw.unreachable[id] != nil:
		return nil, fmt.Errorf("Task reuses the ID of an unreachable task: %s", id)
	case ti.AgentID.val() != a.id:
		return nil, fmt.Errorf("Task uses invalid agent %s while agent %s is expected", ti.AgentID.val(), a.id)
	case len(ti.Resources) == 0:
		return nil, fmt.Errorf("Task uses no resources")
	}
	res, err := m.taskPoolsLocked(ti.Resources)
	if err != nil {
		return nil, fmt.Errorf("Task uses invalid resources: %v", err)
	}
	if roles := allocationRoles(ti.Resources); len(roles) > 1 {
		return nil, fmt.Errorf("Invalid task resources: The resources have multiple allocation roles (%v) but only one allocation role is allowed", roles)
	} else if len(roles) == 1 && roles[0] != role {
		return nil, fmt.Errorf("Invalid task resources: allocated to role '%s' but the offers are allocated to role '%s'", roles[0], role)
	}
	hasCmd, hasExec := ti.Command.set(), ti.Executor != nil
	if inGroup {
		if hasExec {
			return nil, fmt.Errorf("'TaskInfo.executor' must not be set")
		}
	} else if hasCmd == hasExec {
		return nil, fmt.Errorf("Task should have at least one (but not both) of CommandInfo or ExecutorInfo present")
	}
	if kp := ti.KillPolicy; kp != nil && kp.GracePeriod != nil && kp.GracePeriod.Nanoseconds < 0 {
		return nil, fmt.Errorf("Task's 'kill_policy.grace_period' must be non-negative")
	}
	return res, nil
}

// taskPoolsLocked converts a task's resources. The TaskInfos of one
// ACCEPT often share one list (see callParser.resources), and then they
// share its pools too: a task's pools are only ever read.
func (m *Master) taskPoolsLocked(rs []wResource) (rolePools, error) {
	last := &m.lastPools
	if len(rs) > 0 && len(last.rs) == len(rs) && (&last.rs[0] == &rs[0] || sameResources(last.rs, rs)) {
		return last.pools, nil
	}
	p, err := poolsFromWire(rs)
	if err == nil {
		last.rs, last.pools = rs, p
	}
	return p, err
}

// allocated returns a task's resources as the master records them:
// stamped with their allocation role (ai, shared and never modified).
func allocated(rs []wResource, ai *wAllocationInfo) []wResource {
	out := make([]wResource, len(rs))
	for i, r := range rs {
		r.AllocationInfo = ai
		if r.Role == "" {
			r.Role = r.reservationRole()
		}
		out[i] = r
	}
	return out
}

func labelMap(l *wLabels) map[string]string {
	if l == nil || len(l.Labels) == 0 {
		return nil
	}
	out := make(map[string]string, len(l.Labels))
	for _, x := range l.Labels {
		out[x.Key] = deref(x.Value)
	}
	return out
}

// planLocked decides a task's emulated life: the first matching rule, or
// the configured weights, drawn from the seeded random source.
func (m *Master) planLocked(fw *framework, name string, labels map[string]string) plan {
	p := plan{life: m.cfg.Lifecycle}
	weights := m.cfg.Outcomes
	for i := range m.cfg.TaskRules {
		r := &m.cfg.TaskRules[i]
		if !r.matches(fw.id, name, labels) {
			continue
		}
		if r.Lifecycle != nil {
			p.life = *r.Lifecycle
		}
		p.reason, p.message, p.healthy = r.Reason, r.Message, r.Healthy
		if r.Outcome != "" {
			p.outcome = r.Outcome
			return p
		}
		if r.Outcomes != nil {
			weights = r.Outcomes
		}
		break
	}
	p.outcome = weights.draw(m.RNG().Float64())
	return p
}

// lifeStep is a lifecycle step, named so that like steps can share a
// clock event.
type lifeStep uint8

const (
	stepStaged  lifeStep = iota // TASK_STAGING -> TASK_STARTING (or TASK_DROPPED)
	stepStarted                 // TASK_STARTING -> TASK_RUNNING
	stepRan                     // TASK_RUNNING -> the outcome
	stepKilled                  // TASK_KILLING -> TASK_KILLED
)

func (m *Master) stepLocked(t *task, s lifeStep) {
	switch s {
	case stepStaged:
		m.stepStagedLocked(t)
	case stepStarted:
		m.stepStartedLocked(t)
	case stepRan:
		m.stepRanLocked(t)
	case stepKilled:
		m.stepKilledLocked(t)
	}
}

// stepBatch is one clock event running the same step of many tasks, in
// the order they were scheduled: tasks launched together move together,
// and a hundred thousand of them take a few events rather than one each.
// A step joins a batch only while the batch's event is the clock's latest
// and due at the step's instant, so every step runs exactly when and in
// the order it would with an event of its own; a batch whose steps are
// all cancelled is stopped, as their events would have been.
type stepBatch struct {
	step   lifeStep
	ev     *clock.Event
	tasks  []batched
	live   int  // steps not cancelled
	closed bool // running or stopped: no step joins
}

type batched struct {
	t   *task
	gen int // the task's gen when the step was scheduled
}

// afterLocked schedules a task's next lifecycle step on the clock,
// replacing any step already scheduled.
func (m *Master) afterLocked(t *task, d time.Duration, step lifeStep) {
	m.cancelLifecycleLocked(t)
	clk := m.Clock()
	b := m.lastBatch
	if b == nil || b.closed || b.step != step || len(b.tasks) == maxBatch ||
		!b.ev.When().Equal(clk.Now().Add(d)) || !b.ev.Latest() {
		b = &stepBatch{step: step}
		if n := len(m.spareBatches); n > 0 {
			b.tasks, m.spareBatches = m.spareBatches[n-1], m.spareBatches[:n-1]
		}
		b.ev = clk.AfterFunc(d, func() { m.runBatch(b) })
		m.lastBatch = b
	}
	if len(b.tasks) == cap(b.tasks) {
		// Doubled by hand, so that a full list is maxBatch long exactly.
		grown := make([]batched, len(b.tasks), max(16, 2*cap(b.tasks)))
		copy(grown, b.tasks)
		b.tasks = grown
	}
	b.tasks = append(b.tasks, batched{t, t.gen})
	b.live++
	t.next = b
}

// maxBatch bounds a batch: a full list of steps is reused once it has run,
// for the next batch (spareBatches holds a few), rather than grown for
// ever larger ones.
const (
	maxBatch     = 1024
	spareBatches = 8
)

// runBatch runs a batch's steps, each under the lock as its own event
// would; a step cancelled since it was scheduled is skipped.
func (m *Master) runBatch(b *stepBatch) {
	for i := 0; m.runBatchedLocked(b, i); i++ {
	}
}

func (m *Master) runBatchedLocked(b *stepBatch, i int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	b.closed = true
	if m.closed {
		return false
	}
	if i == len(b.tasks) {
		if cap(b.tasks) == maxBatch && len(m.spareBatches) < spareBatches {
			m.spareBatches = append(m.spareBatches, b.tasks[:0])
		}
		b.tasks = nil
		return false
	}
	e := b.tasks[i]
	b.tasks[i] = batched{}
	if e.t.gen == e.gen {
		e.t.next = nil
		m.stepLocked(e.t, b.step)
	}
	return true
}

func (m *Master) cancelLifecycleLocked(t *task) {
	t.gen++
	if b := t.next; b != nil {
		t.next = nil
		if b.live--; b.live == 0 && !b.closed {
			b.closed = true
			b.ev.Stop()
		}
	}
}

func (m *Master) startLifecycleLocked(t *task) {
	if t.plan.outcome == TaskStaging {
		return // stays staging
	}
	m.afterLocked(t, t.plan.life.Starting, stepStaged)
}

// resumeLifecycleLocked restarts a task's emulation from its current state
// (after its agent came back).
func (m *Master) resumeLifecycleLocked(t *task) {
	switch t.state {
	case TaskStaging:
		m.startLifecycleLocked(t)
	case TaskStarting:
		if t.plan.outcome != TaskStarting {
			m.afterLocked(t, t.plan.life.Running, stepStarted)
		}
	case TaskRunning:
		if t.plan.outcome != TaskRunning {
			m.afterLocked(t, t.plan.life.Run, stepRan)
		}
	case TaskKilling:
		m.afterLocked(t, t.plan.life.Kill, stepKilled)
	}
}

func (m *Master) stepStagedLocked(t *task) {
	if t.plan.outcome == TaskDropped {
		m.finishLocked(t)
		return
	}
	m.transitionLocked(t, TaskStarting, "SOURCE_EXECUTOR", "", "", true)
	if t.plan.outcome == TaskStarting {
		return
	}
	m.afterLocked(t, t.plan.life.Running, stepStarted)
}

func (m *Master) stepStartedLocked(t *task) {
	m.transitionLocked(t, TaskRunning, "SOURCE_EXECUTOR", "", "", true)
	if t.plan.outcome == TaskRunning {
		return
	}
	m.afterLocked(t, t.plan.life.Run, stepRan)
}

func (m *Master) stepRanLocked(t *task) { m.finishLocked(t) }

func (m *Master) stepKilledLocked(t *task) {
	m.transitionLocked(t, TaskKilled, "SOURCE_EXECUTOR", "", "Command terminated with signal Terminated", true)
	m.groupFailedLocked(t)
}

// outcomeUpdate is how each emulated ending is reported: who reports it,
// why, and whether it is one the agent retries until acknowledged. The
// command executor gives no reason when its command exits non-zero
// (REASON_COMMAND_EXECUTOR_FAILED is deprecated and unused since 1.4).
var outcomeUpdate = map[TaskState]struct {
	source, reason, message string
	reliable                bool
}{
	TaskFinished:       {"SOURCE_EXECUTOR", "", "Command exited with status 0", true},
	TaskFailed:         {"SOURCE_EXECUTOR", "", "Command exited with status 1", true},
	TaskKilled:         {"SOURCE_EXECUTOR", "", "Command terminated with signal Killed", true},
	TaskLost:           {"SOURCE_AGENT", "REASON_EXECUTOR_TERMINATED", "Executor terminated", true},
	TaskGone:           {"SOURCE_AGENT", "REASON_EXECUTOR_TERMINATED", "Executor terminated", true},
	TaskDropped:        {"SOURCE_AGENT", "REASON_CONTAINER_LAUNCH_FAILED", "Failed to launch container", true},
	TaskUnreachable:    {"SOURCE_MASTER", "REASON_AGENT_REMOVED", "health check timed out", false},
	TaskGoneByOperator: {"SOURCE_MASTER", "REASON_AGENT_REMOVED_BY_OPERATOR", "Agent has been marked gone", false},
}

// finishLocked ends a task with its planned outcome.
func (m *Master) finishLocked(t *task) {
	out := t.plan.outcome
	u, ok := outcomeUpdate[out]
	if !ok {
		return
	}
	reason, msg := u.reason, u.message
	if t.plan.reason != "" {
		reason = t.plan.reason
	}
	if t.plan.message != "" {
		msg = t.plan.message
	}
	state := out
	if !t.fw.partitionAware() {
		switch out {
		case TaskDropped, TaskUnreachable, TaskGone, TaskGoneByOperator:
			state = TaskLost
		}
	}
	m.transitionLocked(t, state, u.source, reason, msg, u.reliable)
	switch {
	case out == TaskUnreachable:
		t.before = TaskRunning
		m.makeUnreachableLocked(t)
	case !u.reliable:
		m.removeTaskLocked(t)
	}
	if out != TaskFinished {
		m.groupFailedLocked(t)
	}
}

// groupFailedLocked kills the rest of a task group when one of its tasks
// ends other than successfully, as the default executor does.
func (m *Master) groupFailedLocked(t *task) {
	for _, s := range t.group {
		if s != t && !s.state.Terminal() && s.state != TaskUnreachable && !s.removed {
			m.killTaskLocked(s)
		}
	}
}

// transitionLocked records a new state of t and reports it: a TASK_UPDATED
// event to operator subscribers, and an UPDATE to the framework, through
// the agent's acknowledged stream when reliable (carrying a uuid), or
// directly when the master generated it (no uuid, never retried).
func (m *Master) transitionLocked(t *task, state TaskState, source, reason, message string, reliable bool) {
	now := m.Now()
	st := wTaskStatus{
		TaskID: wID{Value: t.id}, State: string(state), Message: message, Source: source, Reason: reason,
		AgentID: t.agent.wid, Timestamp: secs(now),
	}
	if t.executorID != "" || source != "SOURCE_MASTER" {
		// The command executor's ID is the task's.
		st.ExecutorID = t.execWID
	}
	switch {
	case source == "SOURCE_EXECUTOR":
		// The agent adds its container's status to what the executor sends.
		st.ContainerStatus = &t.container
	case reason == "REASON_AGENT_REREGISTERED":
		st.ContainerStatus = t.lastContainerStatus()
	}
	if state == TaskRunning && (t.health || t.plan.healthy != nil) {
		h := true
		if t.plan.healthy != nil {
			h = *t.plan.healthy
		}
		st.Healthy = &h
	}
	st.UnreachableTime = t.statusExtra
	if reliable {
		st.UUID = m.newUUID()
	}
	t.state = state
	t.updated = now
	t.statuses = append(t.statuses, st)
	if state != TaskStaging {
		m.metrics.states[state]++
	}
	if state.Terminal() || state == TaskUnreachable {
		m.cancelLifecycleLocked(t)
		m.releaseLocked(t)
	}
	m.publishLocked(func() *opEvent {
		return &opEvent{Type: "TASK_UPDATED", TaskUpdated: &opTaskUpdated{FrameworkID: wID{Value: t.fw.id}, Status: st, State: string(state)}}
	})
	if reliable {
		m.queueUpdateLocked(t, len(t.statuses))
	} else {
		m.sendUpdateLocked(t.fw, &st)
	}
}

// newUUID draws a version 4 UUID, as RNG.UUID does (the same draws and
// bytes), without the round trip through its text.
func (m *Master) newUUID() pbBytes {
	b := make(pbBytes, 16)
	_, _ = m.RNG().Read(b)
	b[6] = (b[6] & 0x0f) | 0x40 // version 4
	b[8] = (b[8] & 0x3f) | 0x80 // RFC 4122 variant
	return b
}

// masterUpdateLocked sends a master-generated update about a task the
// master does not track (an invalid launch, an unknown task).
func (m *Master) masterUpdateLocked(fw *framework, taskID, agentID string, state TaskState, reason, message string) {
	st := wTaskStatus{TaskID: wID{Value: taskID}, State: string(state), Source: "SOURCE_MASTER", Reason: reason,
		Message: message, Timestamp: secs(m.Now())}
	if agentID != "" {
		st.AgentID = idp(agentID)
	}
	m.metrics.states[state]++
	m.sendUpdateLocked(fw, &st)
}

// queueUpdateLocked puts an update on the task's agent-side stream: it is
// sent now if nothing is awaiting acknowledgement, or after what is.
func (m *Master) queueUpdateLocked(t *task, n int) {
	if t.inflight != 0 {
		t.queue = append(t.queue, n)
		return
	}
	m.deliverLocked(t, n)
}

func (m *Master) deliverLocked(t *task, n int) {
	t.inflight, t.lastSent = n, n
	m.sendUpdateLocked(t.fw, t.update(n))
	if m.cfg.AutoAcknowledge {
		m.ackedLocked(t)
		return
	}
	t.retryAfter = m.cfg.StatusUpdateRetry
	m.scheduleRetryLocked(t)
}

// scheduleRetryLocked resends the unacknowledged update with exponential
// backoff, as the agent's status update manager does.
func (m *Master) scheduleRetryLocked(t *task) {
	m.stopRetryLocked(t)
	gen := t.retryGen
	t.retry = m.Clock().AfterFunc(t.retryAfter, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.closed || t.retryGen != gen || t.inflight == 0 {
			return
		}
		t.retry = nil
		m.sendUpdateLocked(t.fw, t.update(t.inflight))
		t.retryAfter *= 2
		if t.retryAfter > m.cfg.StatusUpdateRetryMax {
			t.retryAfter = m.cfg.StatusUpdateRetryMax
		}
		m.scheduleRetryLocked(t)
	})
}

func (m *Master) stopRetryLocked(t *task) {
	t.retryGen++
	if t.retry != nil {
		t.retry.Stop()
		t.retry = nil
	}
}

// acknowledgeLocked is ACKNOWLEDGE. Acknowledgements of unknown tasks or
// of updates not awaiting one (duplicates) are ignored, as the agent does.
func (m *Master) acknowledgeLocked(fw *framework, agentID, taskID string, id []byte) {
	t := fw.tasks[taskID]
	if t == nil || t.inflight == 0 || t.agent.id != agentID || !bytes.Equal(t.update(t.inflight).UUID, id) {
		return
	}
	m.ackedLocked(t)
}

// ackedLocked completes the update awaiting acknowledgement: the task is
// removed once its terminal update is acknowledged, otherwise the next
// queued update goes out.
func (m *Master) ackedLocked(t *task) {
	m.stopRetryLocked(t)
	done := t.inflight
	t.inflight = 0
	if len(t.queue) > 0 {
		next := t.queue[0]
		t.queue = t.queue[1:]
		m.deliverLocked(t, next)
		return
	}
	if done != 0 && TaskState(t.update(done).State).Terminal() {
		m.removeTaskLocked(t)
	}
}

// dropUpdatesLocked forgets the task's pending updates (its agent or
// framework is gone).
func (m *Master) dropUpdatesLocked(t *task) {
	m.stopRetryLocked(t)
	t.inflight = 0
	t.queue = nil
}

// releaseLocked returns a task's resources to its agent.
func (m *Master) releaseLocked(t *task) {
	if t.released {
		return
	}
	t.released = true
	t.agent.used.sub(t.res)
	t.res.subScalarsFrom(t.fw.usedTotal)
	if t.executorID != "" {
		k := execKey{t.fw.id, t.executorID}
		if e := t.agent.executors[k]; e != nil {
			e.tasks--
			if e.tasks <= 0 {
				t.agent.used.sub(e.res)
				e.res.subScalarsFrom(t.fw.usedTotal)
				delete(t.agent.executors, k)
			}
		}
	}
	m.requestAllocationLocked()
}

// removeTaskLocked takes a finished task out of the framework's active
// tasks into its bounded list of completed ones.
func (m *Master) removeTaskLocked(t *task) {
	if t.removed {
		return
	}
	t.removed = true
	m.cancelLifecycleLocked(t)
	// A removed task's agent-side stream is gone: nothing more is resent.
	m.dropUpdatesLocked(t)
	m.releaseLocked(t)
	fw := t.fw
	if fw.tasks[t.id] == t {
		delete(fw.tasks, t.id)
	}
	if fw.unreachable[t.id] == t {
		delete(fw.unreachable, t.id)
	}
	delete(t.agent.tasks, t)
	fw.completedT = append(fw.completedT, t)
	if n := len(fw.completedT) - m.cfg.MaxCompletedTasksPerFramework; n > 0 {
		for i := 0; i < n; i++ {
			fw.completedT[i] = nil
		}
		fw.completedT = fw.completedT[n:]
	}
}

// makeUnreachableLocked moves a task to the framework's unreachable
// tasks, from where its agent's return can bring it back.
func (m *Master) makeUnreachableLocked(t *task) {
	m.dropUpdatesLocked(t)
	if t.fw.tasks[t.id] == t {
		delete(t.fw.tasks, t.id)
	}
	t.fw.unreachable[t.id] = t
}

// killLocked is KILL. Unknown tasks are reconciled instead (TASK_LOST, or
// the partition-aware states), as the master does.
func (m *Master) killLocked(fw *framework, kc *killCall) {
	t := fw.tasks[kc.TaskID.Value]
	if t == nil {
		m.reconcileLocked(fw, []reconcileTask{{TaskID: kc.TaskID, AgentID: kc.AgentID}})
		return
	}
	if kc.AgentID != nil && kc.AgentID.Value != t.agent.id {
		return
	}
	if len(t.group) > 0 {
		for _, s := range t.group {
			m.killTaskLocked(s)
		}
		return
	}
	m.killTaskLocked(t)
}

// killTaskLocked kills one task: a task not yet started is killed at
// once; a started one goes TASK_KILLING (to frameworks with the
// TASK_KILLING_STATE capability) and TASK_KILLED after the kill delay.
func (m *Master) killTaskLocked(t *task) {
	if t.removed || t.state.Terminal() || t.state == TaskKilling || t.state == TaskUnreachable {
		return
	}
	m.cancelLifecycleLocked(t)
	if t.state == TaskStaging {
		m.transitionLocked(t, TaskKilled, "SOURCE_AGENT", "REASON_TASK_KILLED_DURING_LAUNCH",
			"Killed before delivery to the executor", true)
		return
	}
	if t.fw.caps["TASK_KILLING_STATE"] {
		// The executor sends TASK_KILLING with no message (the command
		// executor's createTaskStatus); TASK_KILLED says how it ended.
		m.transitionLocked(t, TaskKilling, "SOURCE_EXECUTOR", "", "", true)
	} else {
		t.state = TaskKilling // not reported: the framework cannot handle it
	}
	m.afterLocked(t, t.plan.life.Kill, stepKilled)
}

// shutdownExecutorLocked is SHUTDOWN: the executor kills its tasks. A
// command task's executor has the task's ID (its updates carry it as
// executor_id); the command executor kills its task on shutdown as on a
// KILL: TASK_KILLING to frameworks that handle it, then TASK_KILLED from
// SOURCE_EXECUTOR.
func (m *Master) shutdownExecutorLocked(fw *framework, executorID, agentID string) {
	a := m.agents[agentID]
	if a == nil {
		return
	}
	for _, t := range sortedTaskSet(a.tasks) {
		if t.fw == fw && t.execWID.val() == executorID {
			m.killTaskLocked(t)
		}
	}
}

// latestState is what reconciliation reports: the state of the update
// being delivered, else the task's state.
func (t *task) latestState() TaskState {
	if t.lastSent != 0 {
		return TaskState(t.update(t.lastSent).State)
	}
	return t.state
}

// reconcileLocked is RECONCILE, implicit (no tasks: every known task) or
// explicit, with the master's six cases for tasks it does not know.
func (m *Master) reconcileLocked(fw *framework, tasks []reconcileTask) {
	send := func(taskID, agentID string, t *task, state TaskState, msg string, unreachable time.Time) {
		st := wTaskStatus{TaskID: wID{Value: taskID}, State: string(state), Source: "SOURCE_MASTER",
			Reason: "REASON_RECONCILIATION", Message: msg, Timestamp: secs(m.Now())}
		if agentID != "" {
			st.AgentID = idp(agentID)
		}
		if t != nil && t.executorID != "" {
			st.ExecutorID = idp(t.executorID)
		}
		if t != nil {
			st.ContainerStatus = t.lastContainerStatus()
		}
		if t != nil && state == TaskRunning && (t.health || t.plan.healthy != nil) {
			h := true
			if t.plan.healthy != nil {
				h = *t.plan.healthy
			}
			st.Healthy = &h
		}
		if !unreachable.IsZero() {
			st.UnreachableTime = nanos(unreachable)
		}
		m.sendUpdateLocked(fw, &st)
	}
	if len(tasks) == 0 {
		for _, t := range sortedTasks(fw.tasks) {
			send(t.id, t.agent.id, t, t.latestState(), "Reconciliation: Latest task state", time.Time{})
		}
		return
	}
	pa := fw.partitionAware()
	pick := func(aware TaskState) TaskState {
		if pa {
			return aware
		}
		return TaskLost
	}
	for _, rt := range tasks {
		id, agentID := rt.TaskID.val(), rt.AgentID.val()
		if t := fw.tasks[id]; t != nil {
			send(id, t.agent.id, t, t.latestState(), "Reconciliation: Latest task state", time.Time{})
			continue
		}
		a := m.agents[agentID]
		switch {
		case a != nil && a.state == AgentRegistered:
			send(id, agentID, nil, pick(TaskGone), "Reconciliation: Task is unknown to the agent", time.Time{})
		case a != nil && a.state == AgentUnreachable:
			send(id, agentID, nil, pick(TaskUnreachable), "Reconciliation: Task is unreachable", a.unreachable)
		case a != nil && a.state == AgentGone:
			send(id, agentID, nil, pick(TaskGoneByOperator), "Reconciliation: Task is gone", time.Time{})
		default:
			send(id, agentID, nil, pick(TaskUnknown), "Reconciliation: Task is unknown", time.Time{})
		}
	}
}

func sortedTasks(set map[string]*task) []*task {
	out := make([]*task, 0, len(set))
	for _, t := range set {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func sortedTaskSet(set map[*task]struct{}) []*task {
	out := make([]*task, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// wireTaskLocked renders a task as the v1 Task message.
func (m *Master) wireTaskLocked(t *task) wTask {
	w := wTask{
		Name: t.name, TaskID: wID{Value: t.id}, FrameworkID: wID{Value: t.fw.id}, AgentID: wID{Value: t.agent.id},
		State: string(t.state), Resources: []wResource{}, Statuses: append([]wTaskStatus{}, t.statuses...),
		User: deref(t.fw.info.User),
	}
	if t.executorID != "" {
		w.ExecutorID = idp(t.executorID)
	}
	if t.lastSent != 0 {
		w.StatusUpdateState = t.update(t.lastSent).State
		w.StatusUpdateUUID = t.update(t.lastSent).UUID
	}
	if i := t.info; i != nil {
		// The master stamps a task's resources with their allocation
		// role at launch, whatever the framework.
		w.Resources = allocated(i.Resources, m.allocationInfo(t.role))
		w.Labels = i.Labels
		w.Discovery = rawOf(i.Discovery)
		w.Container = rawOf(i.Container)
		w.HealthCheck = rawOf(i.HealthCheck)
		w.KillPolicy = i.KillPolicy
		w.Limits = rawOf(i.Limits)
	}
	return w
}

// allocationInfo is the AllocationInfo of role, one per role, shared by
// the resources allocated to it.
func (m *Master) allocationInfo(role string) *wAllocationInfo {
	ai := m.allocInfos[role]
	if ai == nil {
		if m.allocInfos == nil {
			m.allocInfos = map[string]*wAllocationInfo{}
		}
		ai = &wAllocationInfo{Role: role}
		m.allocInfos[role] = ai
	}
	return ai
}

// newContainerID draws the ID of an executor's container, as the agent
// makes one for every container it launches.
func (m *Master) newContainerID() *wContainerID {
	return &wContainerID{Value: m.RNG().UUID()}
}

// execContainer is the container of the task's executor (the task's own
// for a custom executor, its parent for a task group's).
func (t *task) execContainer() *wContainerID {
	if c := t.container.ContainerID; c != nil && c.Parent != nil {
		return c.Parent
	}
	return t.container.ContainerID
}

// lastContainerStatus is the container status of the task's latest update
// that had one, which the master repeats in the updates it makes about the
// task (reconciliation, an agent reregistering), as
// protobuf::getTaskContainerStatus does.
func (t *task) lastContainerStatus() *wContainerStatus {
	for i := len(t.statuses) - 1; i >= 0; i-- {
		if cs := t.statuses[i].ContainerStatus; cs != nil {
			return cs
		}
	}
	return nil
}
