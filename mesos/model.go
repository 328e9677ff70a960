package mesos

import (
	"net/http"
	"sync"
	"time"

	"github.com/mockcloud/mockcloud/clock"
)

// AgentState is where an agent stands with the master.
type AgentState string

// Agent states.
const (
	AgentRegistered  AgentState = "REGISTERED"  // connected; its resources are offered unless deactivated
	AgentUnreachable AgentState = "UNREACHABLE" // partitioned away (RemoveAgent); may come back (RestoreAgent)
	AgentGone        AgentState = "GONE"        // marked gone by the operator; never comes back
)

// Agent is an emulated agent as the master sees it.
type Agent struct {
	ID          string               `json:"id"`
	Hostname    string               `json:"hostname"`
	Port        int                  `json:"port"`
	IP          string               `json:"ip"` // in its pid, its offers' url, its tasks' container_status
	State       AgentState           `json:"state"`
	Deactivated bool                 `json:"deactivated"`        // DEACTIVATE_AGENT: registered, but not offered
	Resources   Resources            `json:"resources"`          // unreserved total
	Reserved    map[string]Resources `json:"reserved,omitempty"` // statically reserved, by role
	Used        Resources            `json:"used"`               // held by tasks and executors (every role)
	Offered     Resources            `json:"offered"`            // in outstanding offers (every role)
	Attributes  map[string]string    `json:"attributes,omitempty"`
	Registered  time.Time            `json:"registered"`
	Tasks       int                  `json:"tasks"` // tasks on the agent that are not yet terminal
}

// Framework is a scheduler the master knows, current or completed.
type Framework struct {
	ID               string
	Name             string
	User             string
	Principal        string
	Hostname         string
	Roles            []string
	SuppressedRoles  []string
	Capabilities     []string
	FailoverTimeout  time.Duration
	Active           bool // connected and not deactivated
	Connected        bool // has a subscription stream
	Recovered        bool // known from before a master failover, not yet resubscribed
	Completed        bool // torn down or timed out
	StreamID         string
	Registered       time.Time
	Reregistered     time.Time // zero until it resubscribes
	Unregistered     time.Time // zero while connected
	Offers           int       // outstanding offers
	Tasks            int       // tasks not yet removed (including unacknowledged terminal ones)
	UnreachableTasks int
}

// TaskStatus is one status update of a task.
type TaskStatus struct {
	State     TaskState
	Source    string // SOURCE_MASTER, SOURCE_AGENT, SOURCE_EXECUTOR
	Reason    string // REASON_…, or empty
	Message   string
	Timestamp time.Time
	UUID      string // empty for updates that need no acknowledgement
	Healthy   *bool
}

// Task is an emulated task.
type Task struct {
	ID          string
	Name        string
	FrameworkID string
	AgentID     string
	ExecutorID  string // empty for command tasks
	Role        string // the allocation role it was launched under
	State       TaskState
	Outcome     TaskState // what its emulated life ends in
	Labels      map[string]string
	Resources   Resources
	Statuses    []TaskStatus // every state it went through, in order
	// Unacknowledged counts updates the agent still holds for the
	// scheduler: the one awaiting ACKNOWLEDGE and those queued behind it.
	Unacknowledged int
	Launched       time.Time
	Updated        time.Time
}

// Offer is an outstanding offer.
type Offer struct {
	ID          string
	FrameworkID string
	AgentID     string
	Hostname    string
	Role        string
	Resources   Resources // every reservation role together
	Created     time.Time
}

// FrameworkMessage is a MESSAGE call a scheduler sent to an executor.
type FrameworkMessage struct {
	FrameworkID string
	AgentID     string
	ExecutorID  string
	Data        []byte
	Time        time.Time
}

// Stream is one open event stream (a scheduler's SUBSCRIBE or
// an operator's), with how many events were queued for it and how many
// have been written to its connection.
type Stream struct {
	ID          string // the Mesos-Stream-Id (scheduler streams), or an internal ID
	Operator    bool   // an Operator API SUBSCRIBE rather than a scheduler's
	FrameworkID string
	Enqueued    int64
	Written     int64
	Open        bool
}

// agent is the master's record of an agent.
type agent struct {
	seq          int
	id           string
	wid          *wID // the ID as statuses carry it, shared (never modified)
	hostname     string
	port         int
	ip           string
	netInfos     []wNetworkInfo // the network_infos of its tasks' container statuses (shared, never modified)
	attrs        []wAttribute
	attrMap      map[string]string
	total        rolePools
	used         rolePools
	offered      rolePools
	state        AgentState
	deactivated  bool
	registered   time.Time
	reregistered time.Time
	unreachable  time.Time
	tasks        map[*task]struct{}
	offers       map[*offer]struct{}
	executors    map[execKey]*executor
}

type execKey struct{ fw, id string }

type executor struct {
	info      wExecutorInfo
	fwID      string
	res       rolePools
	tasks     int
	container *wContainerID // the executor's container; a task group's tasks are nested in it
}

// free is what the agent can still offer to role: unreserved resources
// plus those reserved for role, less what tasks and offers hold.
func (a *agent) free(role string) rolePools {
	out := rolePools{}
	roles := []string{"*"}
	if role != "*" {
		roles = append(roles, role)
	}
	for _, r := range roles {
		t := a.total[r]
		if t == nil {
			continue
		}
		p := t.clone()
		p.sub(a.used[r])
		p.sub(a.offered[r])
		if !p.empty() {
			out[r] = p
		}
	}
	return out
}

// framework is the master's record of a framework.
type framework struct {
	seq          int
	id           string
	info         wFrameworkInfo
	roles        []string
	suppressed   map[string]bool
	caps         map[string]bool
	sub          *subscription
	recovered    bool
	completed    bool
	registered   time.Time
	reregistered time.Time
	unregistered time.Time
	tasks        map[string]*task
	unreachable  map[string]*task
	completedT   []*task // ring of at most MaxCompletedTasksPerFramework
	offers       map[string]*offer
	filters      map[filterKey]*filter
	failoverEv   *clock.Event
	usedTotal    *pool // scalars held by tasks and executors, every role and agent (for shares)
	offeredTotal *pool // scalars in outstanding offers
}

func (f *framework) connected() bool { return f.sub != nil }

func (f *framework) partitionAware() bool { return f.caps["PARTITION_AWARE"] }

type filterKey struct {
	agent string
	role  string
}

type filter struct {
	refused rolePools
	expires time.Time
}

type offer struct {
	seq     int
	id      string
	fw      *framework
	agent   *agent
	role    string
	res     rolePools
	created time.Time
	timeout *clock.Event
}

// task is the master's (and its agent's) record of a task.
type task struct {
	seq        int64
	id         string
	name       string
	fw         *framework
	agent      *agent
	role       string
	res        rolePools
	info       *wTaskInfo
	executorID string
	labels     map[string]string
	health     bool
	state      TaskState
	statuses   []wTaskStatus
	plan       plan
	next       *stepBatch
	gen        int // bumped to invalidate a scheduled lifecycle step
	before     TaskState
	agentLost  bool // unreachable because its agent is (RestoreAgent brings it back)
	// statusExtra is the unreachable_time of the update being made.
	statusExtra *wTimeInfo
	exec        *wExecutorInfo // the executor it runs under, if not the command executor
	// container is what its executor's updates report in container_status:
	// the container it runs in and its agent's IP address.
	container   wContainerStatus
	containerID wContainerID // what container.ContainerID points to, unless it is its executor's
	execWID     *wID         // the executor ID statuses carry: the executor's, or the task's for the command executor
	group       []*task
	launched    time.Time
	updated     time.Time
	released    bool // resources returned to the agent
	removed     bool // out of the framework's active tasks

	// The agent's status update stream for this task: updates go out one
	// at a time, the next only once the current one is acknowledged.
	// Updates are positions in statuses, counted from 1 (0 means none).
	queue      []int
	inflight   int
	retry      *clock.Event
	retryGen   int
	retryAfter time.Duration
	lastSent   int
}

// update returns the status at a 1-based position (see task.inflight).
func (t *task) update(n int) *wTaskStatus { return &t.statuses[n-1] }

// plan is a task's emulated life, decided at launch.
type plan struct {
	outcome TaskState
	life    Lifecycle
	reason  string
	message string
	healthy *bool
}

// subscription is one event stream. The master appends encoded events to
// queue (never blocking, whatever the client does) and pokes wake; the
// goroutine serving the HTTP response drains queue to the connection.
type subscription struct {
	streamID string
	operator bool
	codec    codec        // of the events, set before the first is queued
	fw       *framework   // guarded by Master.mu
	hb       *clock.Event // guarded by Master.mu
	ended    bool         // guarded by Master.mu: the master is done with it

	mu       sync.Mutex
	queue    [][]byte
	closed   bool // no more events will be queued; the writer ends once drained
	done     bool // the writer has returned
	enqueued int64
	written  int64
	wake     chan struct{}
	rc       *http.ResponseController // the writer's, once it has started
	aborted  bool                     // writes fail at once (the master closed)

	// chunks hold the frames pushCopy copies (see frameChunks).
	chunks frameChunks
}

func newSubscription(streamID string, operator bool) *subscription {
	return &subscription{streamID: streamID, operator: operator, wake: make(chan struct{}, 1)}
}

// enqueue appends one encoded event. It never blocks.
func (s *subscription) enqueue(frame []byte) {
	if s.push(frame) {
		s.poke()
	}
}

// push queues frame unless the stream is over; it reports whether it did.
func (s *subscription) push(frame []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.done {
		return false
	}
	s.queue = append(s.queue, frame)
	s.enqueued++
	return true
}

// close ends the stream once what is queued has been written.
func (s *subscription) close() {
	s.markClosed()
	s.poke()
}

func (s *subscription) markClosed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}

func (s *subscription) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// setController gives the stream its writer's response controller, so
// that abort can reach the connection.
func (s *subscription) setController(rc *http.ResponseController) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rc = rc
	if s.aborted {
		_ = rc.SetWriteDeadline(time.Now())
	}
}

// abort makes the writer's pending and later writes fail at once, so it
// returns even when its client has stopped reading and the connection's
// buffers are full.
func (s *subscription) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aborted = true
	if s.rc != nil {
		_ = s.rc.SetWriteDeadline(time.Now())
	}
}

// take hands the writer everything queued, and whether the stream is over.
func (s *subscription) take(buf [][]byte) ([][]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf = append(buf, s.queue...)
	for i := range s.queue {
		s.queue[i] = nil
	}
	s.queue = s.queue[:0]
	s.chunks.taken()
	return buf, s.closed
}

// markWritten counts n frames written: everything the last take handed
// out.
func (s *subscription) markWritten(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.written += int64(n)
	s.chunks.written()
}

func (s *subscription) finish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = true
	s.queue = nil
	s.chunks = frameChunks{}
}

// delivered reports whether everything queued has been written, or the
// writer is gone.
func (s *subscription) delivered() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done || s.written == s.enqueued
}

func (s *subscription) info() Stream {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stream{ID: s.streamID, Operator: s.operator, Enqueued: s.enqueued, Written: s.written, Open: !s.done}
	if s.fw != nil {
		st.FrameworkID = s.fw.id
	}
	return st
}
