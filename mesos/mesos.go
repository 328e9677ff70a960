package mesos

import (
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "mesos"

// Master is the fake Mesos master with its emulated agents. It serves at
// its own root (/api/v1/scheduler, /api/v1, /master/state …) and knows
// nothing of where it is mounted. The embedded *kit.Service gives it URL,
// Client, Handler, Requests, Inject, Clock and Close; Close also ends
// every event stream at once, even one whose client stopped reading, and
// stops scheduling events.
type Master struct {
	*kit.Service

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
	allocInfos  map[string]*wAllocationInfo

	// lastBatch has the lifecycle steps scheduled last (see afterLocked).
	lastBatch    *stepBatch
	spareBatches [][]batched

	// lastPools is the last task resource list converted, and its pools
	// (see taskPoolsLocked).
	lastPools struct {
		rs    []wResource
		pools rolePools
	}
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

// Option configures a Master: the shared fake.WithClock and fake.WithSeed,
// and this package's own below.
type Option = fake.Option

// options are this package's own options, applied by kit.Settle.
type options struct {
	cfg  Config
	mods []func(*Config)
}

// WithConfig replaces the whole configuration: what the standalone server
// reads with ParseConfig. Zero fields that cannot mean anything (ports,
// intervals, limits) take their defaults; a zero Lifecycle means every
// transition happens on the next Advance. Start from DefaultConfig() to
// change a few fields. The options that set one field (WithAgents,
// WithLifecycle …) apply after it, whatever their order.
func WithConfig(cfg Config) Option {
	cfg = cfg.clone()
	return fake.Configure(func(o *options) { o.cfg = cfg.clone() })
}

// modify is an option that changes one part of the configuration after
// WithConfig.
func modify(f func(*Config)) Option {
	return fake.Configure(func(o *options) { o.mods = append(o.mods, f) })
}

// WithAgents replaces the agents registered at start.
func WithAgents(agents ...AgentConfig) Option {
	list := make([]AgentConfig, len(agents))
	for i, a := range agents {
		list[i] = a.clone()
	}
	return modify(func(c *Config) {
		c.Agents = make([]AgentConfig, len(list))
		for i, a := range list {
			c.Agents[i] = a.clone()
		}
	})
}

// WithLifecycle sets how long task transitions take.
func WithLifecycle(l Lifecycle) Option { return modify(func(c *Config) { c.Lifecycle = l }) }

// WithOutcomes sets the weights of task outcomes.
func WithOutcomes(w Outcomes) Option {
	w = maps.Clone(w)
	return modify(func(c *Config) { c.Outcomes = maps.Clone(w) })
}

// WithTaskRules sets per-task overrides (see [TaskRule]).
func WithTaskRules(rules ...TaskRule) Option {
	list := make([]TaskRule, len(rules))
	for i, r := range rules {
		list[i] = r.clone()
	}
	return modify(func(c *Config) {
		c.TaskRules = nil
		for _, r := range list {
			c.TaskRules = append(c.TaskRules, r.clone())
		}
	})
}

// WithAutoAcknowledge treats status updates as acknowledged on delivery.
func WithAutoAcknowledge() Option { return modify(func(c *Config) { c.AutoAcknowledge = true }) }

// New starts a master on a loopback port and closes it when the test
// ends. It serves at the root, like a real master: the scheduler endpoint
// is URL()+"/api/v1/scheduler". An invalid option or configuration fails
// the test.
func New(t fake.TB, opts ...Option) *Master {
	t.Helper()
	return factory().New(t, opts)
}

// NewUnstarted returns a master that is not listening, for embedding:
// serve m.Handler() yourself and Close it when done. It reports an invalid
// option or configuration.
func NewUnstarted(opts ...Option) (*Master, error) { return factory().NewUnstarted(opts) }

func factory() kit.Factory[*Master, options] {
	return kit.Factory[*Master, options]{
		Name:   ServiceName,
		Config: func() options { return options{cfg: DefaultConfig()} },
		Build:  build,
	}
}

// Descriptor is how a Cloud mounts the master: at /mesos, once (it is not
// per region), with no catalog entry, and no token check (the master's
// HTTP authentication is off by default). Its New takes this package's
// options, WithConfig among them.
func Descriptor() kit.Descriptor {
	return kit.Descriptor{
		Name:   ServiceName,
		Prefix: "/mesos",
		New:    factory().InCloud,
	}
}

// build applies the single-field options over the configuration,
// validates it and builds the master on env.
func build(env kit.Env, _ kit.Site, o options) (*Master, error) {
	for _, mod := range o.mods {
		mod(&o.cfg)
	}
	if err := o.cfg.normalize(); err != nil {
		return nil, fmt.Errorf("mesos: %v", err)
	}
	m := &Master{
		cfg:        o.cfg,
		agents:     map[string]*agent{},
		frameworks: map[string]*framework{},
		offers:     map[string]*offer{},
		metrics:    metrics{states: map[TaskState]int64{}, calls: map[string]int64{}, events: map[string]int64{}},
	}
	m.Service = kit.NewService(env, "", kit.Spec{
		Name:            ServiceName,
		Routes:          m.routes,
		Errors:          mesosError,
		Unauthenticated: true,
		OnClose:         m.onClose,
	})
	m.start()
	return m, nil
}

// start elects the master and registers the configured agents.
func (m *Master) start() {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.Now()
	m.masterID = m.RNG().UUID()
	m.startTime, m.electedTime = now, now
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
			if a.Count > 1 {
				ac.IP = ipPlus(a.IP, i)
			}
			m.addAgentLocked(ac)
		}
	}
}

// onClose is what Close does besides the kit's: it ends every event
// stream at once, cutting off what is still queued (their responses
// finish, even for clients that stopped reading, so servers shut down
// without waiting on them), and stops scheduling events.
func (m *Master) onClose() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	if m.allocEv != nil {
		m.allocEv.Stop()
		m.allocEv = nil
	}
	for _, s := range m.streams {
		m.endStreamLocked(s)
		// A writer blocked on a client that stopped reading would keep
		// its response, and the server's Close, waiting.
		s.abort()
	}
}

// closingLocked reports whether the master is closed or closing.
//
// KIT: Close closes Done before Spec.OnClose runs, so a stream that ends on
// Done must not take the master for open (and disconnect its framework).
func (m *Master) closingLocked() bool {
	if m.closed {
		return true
	}
	select {
	case <-m.Done():
		return true
	default:
		return false
	}
}

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

// requestAllocationLocked asks for an allocation run after
// AllocationInterval, unless one is already pending.
func (m *Master) requestAllocationLocked() {
	if m.allocEv != nil || m.closed {
		return
	}
	m.allocEv = m.Clock().AfterFunc(m.cfg.AllocationInterval, m.allocate)
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
