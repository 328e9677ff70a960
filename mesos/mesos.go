package mesos

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "mesos"

// Route names, for faults and journal filters.
const (
	OpScheduler    = "mesos.scheduler"     // POST /api/v1/scheduler
	OpOperator     = "mesos.operator"      // POST /api/v1
	OpState        = "mesos.state"         // GET /master/state, /state
	OpStateSummary = "mesos.state_summary" // GET /master/state-summary
	OpHealth       = "mesos.health"        // GET /master/health, /health
	OpVersion      = "mesos.version"       // GET /version
	OpRedirect     = "mesos.redirect"      // GET /master/redirect, /redirect
	OpFrameworks   = "mesos.frameworks"    // GET /master/frameworks
	OpSlaves       = "mesos.slaves"        // GET /master/slaves
	OpTasks        = "mesos.tasks"         // GET /master/tasks
	OpFlags        = "mesos.flags"         // GET /master/flags
	OpRoles        = "mesos.roles"         // GET /master/roles
	OpMetrics      = "mesos.metrics"       // GET /metrics/snapshot
	OpTeardown     = "mesos.teardown"      // POST /master/teardown

	OpControlAgents       = "mesos.control.agents.list"    // GET /control/agents
	OpControlAddAgent     = "mesos.control.agents.create"  // POST /control/agents
	OpControlRemoveAgent  = "mesos.control.agents.remove"  // DELETE /control/agents/{id}
	OpControlRestoreAgent = "mesos.control.agents.restore" // POST /control/agents/{id}/restore
	OpControlFailover     = "mesos.control.failover"       // POST /control/failover
	OpControlTaskRules    = "mesos.control.task_rules"     // GET, POST, DELETE /control/task-rules
	OpControlConfig       = "mesos.control.config"         // GET /control/config
)

// Master is the fake Mesos master with its emulated agents. It is an
// http.Handler that serves at its own root (/api/v1/scheduler, /api/v1,
// /master/state …) and knows nothing of where it is mounted; [NewServer]
// starts it on its own port.
type Master struct {
	svc *fake.Service
	env fake.Env
	clk *clock.Clock

	mu          sync.Mutex
	cfg         Config
	masterID    string
	startTime   time.Time
	electedTime time.Time
	agents      map[string]*agent
	agentList   []*agent
	agentSeq    int
	frameworks  map[string]*framework
	fwList      []*framework
	completed   []*framework
	fwSeq       int
	offers      map[string]*offer
	offerSeq    int
	taskSeq     int64
	opSubs      []*subscription
	streams     []*subscription // every stream, for WaitDelivered and Streams
	allocEv     *clock.Event
	closed      bool
	messages    []FrameworkMessage
	metrics     metrics
	scratch     []byte // encoding buffer, reused under mu
}

// metrics are the counters GET_METRICS and /metrics/snapshot report.
type metrics struct {
	states     map[TaskState]int64 // terminal and other states reached, by state
	offersSent int64
	offersDecl int64
	offersResc int64
	updates    int64 // UPDATE events, counted apart for speed
	calls      map[string]int64
	events     map[string]int64
}

// Option configures a Master.
type Option func(*options)

type options struct {
	env  fake.Env
	cfg  Config
	mods []func(*Config)
}

// WithEnv shares a clock, fault table, journal and random source with
// other services (a Cloud does this). Mesos has no Keystone tokens, so the
// Env's Authenticator is not used.
func WithEnv(env fake.Env) Option { return func(o *options) { o.env = env } }

// WithClock drives every pushed event and task transition by clk.
func WithClock(clk *clock.Clock) Option { return func(o *options) { o.env.Clock = clk } }

// WithSeed seeds the random source behind IDs, stream IDs, update UUIDs
// and task outcomes.
func WithSeed(seed int64) Option { return func(o *options) { o.env.RNG = fake.NewRNG(seed) } }

// WithConfig replaces the whole configuration. Zero fields that cannot
// mean anything (ports, intervals, limits) take their defaults; a zero
// Lifecycle means every transition happens on the next Advance. Start from
// DefaultConfig() to change a few fields. The options that set one field
// (WithAgents, WithLifecycle …) apply after it, whatever their order.
func WithConfig(cfg Config) Option {
	return func(o *options) { o.cfg = cfg.clone() }
}

// WithAgents replaces the agents registered at start.
func WithAgents(agents ...AgentConfig) Option {
	return func(o *options) {
		o.mods = append(o.mods, func(c *Config) {
			c.Agents = make([]AgentConfig, len(agents))
			for i, a := range agents {
				c.Agents[i] = a.clone()
			}
		})
	}
}

// WithLifecycle sets how long task transitions take.
func WithLifecycle(l Lifecycle) Option {
	return func(o *options) { o.mods = append(o.mods, func(c *Config) { c.Lifecycle = l }) }
}

// WithOutcomes sets the weights of task outcomes.
func WithOutcomes(w Outcomes) Option {
	return func(o *options) { o.mods = append(o.mods, func(c *Config) { c.Outcomes = cloneOutcomes(w) }) }
}

// WithTaskRules sets per-task overrides (see [TaskRule]).
func WithTaskRules(rules ...TaskRule) Option {
	return func(o *options) {
		o.mods = append(o.mods, func(c *Config) {
			c.TaskRules = nil
			for _, r := range rules {
				c.TaskRules = append(c.TaskRules, r.clone())
			}
		})
	}
}

// WithAutoAcknowledge treats status updates as acknowledged on delivery.
func WithAutoAcknowledge() Option {
	return func(o *options) { o.mods = append(o.mods, func(c *Config) { c.AutoAcknowledge = true }) }
}

// New returns an unstarted master. It panics on an invalid configuration
// (a broken test fixture is a bug to find at once); use [NewE] to get the
// error instead.
func New(opts ...Option) *Master {
	m, err := NewE(opts...)
	if err != nil {
		panic("mesos: " + err.Error())
	}
	return m
}

// NewE is New that reports an invalid configuration.
func NewE(opts ...Option) (*Master, error) {
	o := options{cfg: DefaultConfig()}
	for _, opt := range opts {
		opt(&o)
	}
	for _, mod := range o.mods {
		mod(&o.cfg)
	}
	if err := o.cfg.normalize(); err != nil {
		return nil, err
	}
	env := o.env
	env.Auth = nil // Mesos speaks no Keystone
	env = env.Complete()
	m := &Master{
		env:        env,
		clk:        env.Clock,
		cfg:        o.cfg,
		agents:     map[string]*agent{},
		frameworks: map[string]*framework{},
		offers:     map[string]*offer{},
		metrics:    metrics{states: map[TaskState]int64{}, calls: map[string]int64{}, events: map[string]int64{}},
	}
	m.svc = fake.NewService(ServiceName, m.routes, env, writeMesosError)
	now := m.clk.Now()
	m.masterID = env.RNG.UUID()
	m.startTime, m.electedTime = now, now
	m.mu.Lock()
	for _, a := range m.cfg.Agents {
		n := a.Count
		if n <= 0 {
			n = 1
		}
		for i := 0; i < n; i++ {
			ac := a.clone()
			if a.Count > 1 && ac.Hostname != "" {
				ac.Hostname = hostnameFor(ac.Hostname, i)
			}
			m.addAgentLocked(ac)
		}
	}
	m.mu.Unlock()
	return m, nil
}

// Server is a Master started on its own loopback port.
type Server struct {
	*Master
	srv *fake.Server
}

// NewServer starts a master and closes it when the test ends. It serves at
// the root, like a real master: the scheduler endpoint is
// URL()+"/api/v1/scheduler".
func NewServer(t fake.TB, opts ...Option) *Server {
	t.Helper()
	m, err := NewE(opts...)
	if err != nil {
		t.Fatalf("mesos.NewServer: %v", err)
		return nil
	}
	return &Server{Master: m, srv: fake.StartServer(t, m, m.Close)}
}

// URL is the server's root ("http://127.0.0.1:38817").
func (s *Server) URL() string { return s.srv.URL() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close ends every stream and stops the server; it is idempotent.
func (s *Server) Close() { s.srv.Close() }

// ServeHTTP serves the master's endpoints.
func (m *Master) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.svc.ServeHTTP(w, r) }

// Handler returns the master as an http.Handler, for embedding.
func (m *Master) Handler() http.Handler { return m.svc }

// Close ends every event stream at once, cutting off what is still queued
// (their responses finish, even for clients that stopped reading, so
// servers shut down without waiting on them), stops scheduling events and
// cancels fault delays. It is idempotent.
func (m *Master) Close() {
	m.mu.Lock()
	if !m.closed {
		m.closed = true
		if m.allocEv != nil {
			m.allocEv.Stop()
			m.allocEv = nil
		}
		for _, s := range m.streams {
			m.endStreamLocked(s)
			// A writer blocked on a client that stopped reading would
			// keep its response, and the server's Close, waiting.
			s.abort()
		}
	}
	m.mu.Unlock()
	m.svc.Close()
}

// Requests returns this service's journal entries.
func (m *Master) Requests() []fake.Request { return m.svc.Requests() }

// ResetRequests forgets this service's journal entries.
func (m *Master) ResetRequests() { m.svc.ResetRequests() }

// Inject adds a fault rule scoped to this service.
func (m *Master) Inject(f fake.Fault) *fake.FaultHandle { return m.svc.Inject(f) }

// Clock returns the clock every event and transition runs on.
func (m *Master) Clock() *clock.Clock { return m.clk }

// Config returns a copy of the configuration in force.
func (m *Master) Config() Config {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg.clone()
}

// MasterID is the current leading master's ID (it changes on Failover).
func (m *Master) MasterID() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.masterID
}

func (m *Master) now() time.Time { return m.clk.Now() }

// routes registers every endpoint. The master serves its endpoints both
// under /master (its libprocess ID) and at the root, as a real master does.
// Method checks are the handlers' own, to answer 405 as Mesos does.
func (m *Master) routes() *mux.Router {
	r := mux.NewRouter()
	// Both paths of an endpoint share its route name: an operation has one
	// name however it is reached.
	both := func(path, op string, h http.HandlerFunc) {
		r.HandleFunc(path, h).Name(op)
		r.HandleFunc("/master"+path, h).Name(op)
	}
	both("/api/v1/scheduler", OpScheduler, m.serveScheduler)
	both("/api/v1", OpOperator, m.serveOperator)
	r.HandleFunc("/api/v1/", m.serveOperator).Name(OpOperator)
	both("/state", OpState, m.get(m.serveState))
	both("/state-summary", OpStateSummary, m.get(m.serveStateSummary))
	both("/health", OpHealth, m.get(m.serveHealth))
	both("/frameworks", OpFrameworks, m.get(m.serveFrameworks))
	both("/slaves", OpSlaves, m.get(m.serveSlaves))
	both("/tasks", OpTasks, m.get(m.serveTasks))
	both("/flags", OpFlags, m.get(m.serveFlags))
	both("/roles", OpRoles, m.get(m.serveRoles))
	both("/teardown", OpTeardown, m.serveTeardown)
	r.HandleFunc("/version", m.get(m.serveVersion)).Name(OpVersion)
	r.HandleFunc("/metrics/snapshot", m.get(m.serveMetricsSnapshot)).Name(OpMetrics)
	both("/redirect", OpRedirect, m.serveRedirect)
	r.PathPrefix("/redirect/").HandlerFunc(m.serveRedirect).Name(OpRedirect)
	r.PathPrefix("/master/redirect/").HandlerFunc(m.serveRedirect).Name(OpRedirect)
	m.controlRoutes(r)
	return r
}

// get wraps a read-only endpoint: GET (and HEAD) only, as the master's.
func (m *Master) get(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, r, "GET")
			return
		}
		h(w, r)
	}
}

// writeMesosError answers in Mesos's format: the message as plain text.
func writeMesosError(w http.ResponseWriter, _ *http.Request, status int, message string) {
	body := message
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func writeErr(w http.ResponseWriter, r *http.Request, err *fake.Error) {
	writeMesosError(w, r, err.Status, err.Message)
}

// methodNotAllowed is libprocess's 405, with its Allow header and body.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allowed string) {
	w.Header().Set("Allow", allowed)
	writeMesosError(w, r, http.StatusMethodNotAllowed,
		"405 Method Not Allowed. Expecting one of { '"+allowed+"' }, but received '"+r.Method+"'.")
}

func badRequest(format string, args ...any) *fake.Error {
	return fake.Errorf(http.StatusBadRequest, format, args...)
}

// requestLocked asks for an allocation run after AllocationInterval,
// unless one is already pending.
func (m *Master) requestAllocationLocked() {
	if m.allocEv != nil || m.closed {
		return
	}
	m.allocEv = m.clk.AfterFunc(m.cfg.AllocationInterval, m.allocate)
}

// nanos renders a time as a TimeInfo.
func nanos(t time.Time) *wTimeInfo {
	if t.IsZero() {
		return nil
	}
	return &wTimeInfo{Nanoseconds: pbInt(t.UnixNano())}
}

func secs(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
