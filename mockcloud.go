package mockcloud

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/fastly"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/loadbalancer"
	"github.com/mockcloud/mockcloud/mesos"
)

// DefaultRegions are the regions a Cloud serves unless told otherwise: an
// OpenStack default plus Rackspace's three classic ones.
func DefaultRegions() []string { return []string{"RegionOne", "DFW", "ORD", "IAD"} }

// IdentityPrefix is where identity is mounted, as in Mimic.
const IdentityPrefix = "/identity"

// ControlPrefix is where the control API is mounted.
const ControlPrefix = "/mockcloud/v1"

// Cloud is every mockcloud service on one server.
type Cloud struct {
	env      fake.Env
	regions  []string
	identity *identity.Identity
	compute  map[string]*compute.Compute
	fastly   *fastly.Fastly
	lb       map[string]*loadbalancer.CLB
	mesos    *mesos.Master
	mounts   []mount
	handler  http.Handler
	ownClock bool

	srv       *httptest.Server
	closeOnce sync.Once
}

// mount is one service on the Cloud's server.
type mount struct {
	name    string
	prefix  string // "/identity"; "" for none
	handler http.Handler
	closer  func()
}

type config struct {
	clock        *clock.Clock
	start        time.Time
	seed         int64
	regions      []string
	noAuth       bool
	journalLimit int
	identityOpts []identity.Option
	computeOpts  []compute.Option
	fastlyOpts   []fastly.Option
	lbOpts       []loadbalancer.Option
	mesosOpts    []mesos.Option
	extra        []Service
}

// Option configures a Cloud.
type Option func(*config)

// WithStart starts the Cloud's simulated clock at t instead of
// clock.DefaultStart().
func WithStart(t time.Time) Option { return func(c *config) { c.start = t } }

// WithClock shares an existing clock (a real-time one, for the standalone
// server). The Cloud does not close a clock it was given.
func WithClock(clk *clock.Clock) Option { return func(c *config) { c.clock = clk } }

// WithSeed seeds the random source behind every generated ID and every
// probabilistic fault. The default seed is fake.DefaultSeed.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithRegions sets the regions services are mounted in and the catalog lists.
func WithRegions(regions ...string) Option {
	return func(c *config) { c.regions = append([]string(nil), regions...) }
}

// WithoutAuth lets any request into every service but identity, with or
// without a token; handlers then see no caller and scope nothing.
func WithoutAuth() Option { return func(c *config) { c.noAuth = true } }

// WithJournalLimit keeps only about the last n requests in the journal, for
// long runs and benchmarks. Zero (the default) keeps everything.
func WithJournalLimit(n int) Option { return func(c *config) { c.journalLimit = n } }

// WithIdentityOptions passes options to the identity service (identity.Strict(),
// identity.WithTokenLifetime(…)).
func WithIdentityOptions(opts ...identity.Option) Option {
	return func(c *config) { c.identityOpts = append(c.identityOpts, opts...) }
}

// WithComputeOptions passes options to every region's compute service
// (compute.WithDurations(compute.Instant()), compute.WithQuota(…)).
func WithComputeOptions(opts ...compute.Option) Option {
	return func(c *config) { c.computeOpts = append(c.computeOpts, opts...) }
}

// WithFastlyOptions passes options to the Fastly service (fastly.Strict(),
// fastly.WithKeys(…)).
func WithFastlyOptions(opts ...fastly.Option) Option {
	return func(c *config) { c.fastlyOpts = append(c.fastlyOpts, opts...) }
}

// WithLoadBalancerOptions passes options to every region's Cloud Load
// Balancers service (loadbalancer.WithDurations(loadbalancer.Instant()) …).
func WithLoadBalancerOptions(opts ...loadbalancer.Option) Option {
	return func(c *config) { c.lbOpts = append(c.lbOpts, opts...) }
}

// WithMesosOptions passes options to the Mesos master (mesos.WithConfig(…),
// mesos.WithAgents(…), mesos.WithOutcomes(…)).
func WithMesosOptions(opts ...mesos.Option) Option {
	return func(c *config) { c.mesosOpts = append(c.mesosOpts, opts...) }
}

// Service is an extra HTTP handler to mount in a Cloud: a fake of your own,
// or a stand-in for an API mockcloud does not cover. It shares the Cloud's
// server and appears in its catalog; it does not go through the Cloud's
// journal, faults or token check unless it is built on package fake with
// the Env that [Cloud.Env] returns.
type Service struct {
	Name    string       // unique; used in the help document
	Prefix  string       // mount point, such as "/queues"; stripped before Handler sees the request
	Handler http.Handler //
	// Catalog entries; endpoint URLs are relative to the Cloud's root
	// ("/queues/v1/{tenant_id}").
	Catalog []identity.CatalogService
}

// WithService mounts an extra handler.
func WithService(s Service) Option { return func(c *config) { c.extra = append(c.extra, s) } }

// New starts a Cloud on a loopback port and closes it when the test ends.
func New(t fake.TB, opts ...Option) *Cloud {
	t.Helper()
	c := NewUnstarted(opts...)
	c.Start()
	t.Cleanup(c.Close)
	return c
}

// Start serves an unstarted Cloud on a loopback port, as
// httptest.Server.Start does; Close stops it. Starting twice panics.
func (c *Cloud) Start() {
	if c.srv != nil {
		panic("mockcloud: Cloud already started")
	}
	c.srv = httptest.NewServer(c.handler)
}

// NewUnstarted builds a Cloud without starting a server: serve
// [Cloud.Handler] yourself (cmd/mockcloud does).
func NewUnstarted(opts ...Option) *Cloud {
	cfg := config{seed: fake.DefaultSeed, regions: DefaultRegions()}
	for _, o := range opts {
		o(&cfg)
	}
	c := &Cloud{regions: cfg.regions}
	if cfg.clock == nil {
		start := cfg.start
		if start.IsZero() {
			start = clock.DefaultStart()
		}
		cfg.clock = clock.New(start)
		c.ownClock = true
	}
	rng := fake.NewRNG(cfg.seed)
	c.env = fake.Env{Clock: cfg.clock, RNG: rng, Faults: fake.NewFaults(rng), Journal: fake.NewJournal(cfg.journalLimit)}

	idOpts := append([]identity.Option{identity.WithEnv(c.env), identity.WithRegions(c.regions...)}, cfg.identityOpts...)
	c.identity = identity.New(idOpts...)
	if !cfg.noAuth {
		c.env.Auth = c.identity.Authenticator()
	}
	c.mounts = append(c.mounts, mount{name: identity.ServiceName, prefix: IdentityPrefix, handler: c.identity, closer: c.identity.Close})
	c.identity.AddCatalogServices(c.identityCatalog()...)

	c.compute = map[string]*compute.Compute{}
	for _, region := range c.regions {
		opts := append([]compute.Option{compute.WithEnv(c.env), compute.WithRegion(region)}, cfg.computeOpts...)
		cp := compute.New(opts...)
		c.compute[region] = cp
		c.mounts = append(c.mounts, mount{name: compute.ServiceName + "/" + region, prefix: ComputePrefix + "/" + region, handler: cp, closer: cp.Close})
	}
	c.identity.AddCatalogServices(c.computeCatalog()...)

	c.lb = map[string]*loadbalancer.CLB{}
	for _, region := range c.regions {
		opts := append([]loadbalancer.Option{loadbalancer.WithEnv(c.env), loadbalancer.WithRegion(region)}, cfg.lbOpts...)
		lb := loadbalancer.New(opts...)
		c.lb[region] = lb
		c.mounts = append(c.mounts, mount{name: loadbalancer.ServiceName + "/" + region, prefix: LoadBalancerPrefix + "/" + region, handler: lb, closer: lb.Close})
	}
	c.identity.AddCatalogServices(c.regionalCatalog("rax:load-balancer", "cloudLoadBalancers", LoadBalancerPrefix, "/v1.0/{tenant_id}"),
		c.regionalCatalog("rax:load-balancer", "cloudLoadBalancerControl", LoadBalancerPrefix, "/v2/{tenant_id}"))

	// Mesos has no tokens (the master's own HTTP auth is off by default);
	// schedulers find it at /mesos, as a master URL, not in the catalog.
	c.mesos = mesos.New(append([]mesos.Option{mesos.WithEnv(c.env)}, cfg.mesosOpts...)...)
	c.mounts = append(c.mounts, mount{name: mesos.ServiceName, prefix: MesosPrefix, handler: c.mesos, closer: c.mesos.Close})

	// Fastly authenticates with its own Fastly-Key and is not in the
	// catalog, as in Mimic.
	c.fastly = fastly.New(append([]fastly.Option{fastly.WithEnv(c.env)}, cfg.fastlyOpts...)...)
	c.mounts = append(c.mounts, mount{name: fastly.ServiceName, prefix: FastlyPrefix, handler: c.fastly, closer: c.fastly.Close})

	for _, s := range cfg.extra {
		// "/queues", "queues" and "/queues/" all mount at /queues; without
		// the leading slash ServeMux would take "queues/" for a host name.
		prefix := strings.Trim(s.Prefix, "/")
		if prefix != "" {
			prefix = "/" + prefix
		}
		c.mounts = append(c.mounts, mount{name: s.Name, prefix: prefix, handler: s.Handler})
		c.identity.AddCatalogServices(s.Catalog...)
	}
	c.handler = c.routes()
	return c
}

// identityCatalog lists identity itself in every region, as Keystone does.
func (c *Cloud) identityCatalog() []identity.CatalogService {
	var eps []identity.CatalogEndpoint
	for _, r := range c.regions {
		eps = append(eps, identity.CatalogEndpoint{Region: r, URL: IdentityPrefix + "/v3"})
	}
	return []identity.CatalogService{{Type: "identity", Name: "keystone", Endpoints: eps}}
}

// MesosPrefix is where the Mesos master is mounted: a scheduler's endpoint
// is /mesos/api/v1/scheduler.
const MesosPrefix = "/mesos"

// Mesos is the Mesos master.
func (c *Cloud) Mesos() *mesos.Master { return c.mesos }

// FastlyPrefix is where the Fastly API is mounted, as in Mimic.
const FastlyPrefix = "/fastly"

// Fastly is the Fastly service.
func (c *Cloud) Fastly() *fastly.Fastly { return c.fastly }

// ComputePrefix is where each region's compute is mounted: /compute/{region}.
const ComputePrefix = "/compute"

// regionalCatalog is one catalog entry with an endpoint in every region at
// prefix/{region}+path.
func (c *Cloud) regionalCatalog(typ, name, prefix, path string) identity.CatalogService {
	var eps []identity.CatalogEndpoint
	for _, r := range c.regions {
		eps = append(eps, identity.CatalogEndpoint{Region: r, URL: prefix + "/" + r + path})
	}
	return identity.CatalogService{Type: typ, Name: name, Endpoints: eps}
}

// computeCatalog lists Nova under OpenStack's name and Rackspace's, and
// Mimic's control API as cloudServersBehavior.
func (c *Cloud) computeCatalog() []identity.CatalogService {
	return []identity.CatalogService{
		c.regionalCatalog("compute", "nova", ComputePrefix, "/v2.1/{project_id}"),
		c.regionalCatalog("compute", "cloudServersOpenStack", ComputePrefix, "/v2/{tenant_id}"),
		c.regionalCatalog("compute", "cloudServersBehavior", ComputePrefix, "/control/v2/{tenant_id}"),
	}
}

// LoadBalancerPrefix is where each region's Cloud Load Balancers service is
// mounted: /loadbalancers/{region}.
const LoadBalancerPrefix = "/loadbalancers"

// LoadBalancers is the Cloud Load Balancers service of a region.
func (c *Cloud) LoadBalancers(region string) *loadbalancer.CLB { return c.lb[region] }

// Compute is the compute service of a region (nil for a region the Cloud
// does not serve).
func (c *Cloud) Compute(region string) *compute.Compute { return c.compute[region] }

func (c *Cloud) routes() http.Handler {
	mux := http.NewServeMux()
	for _, m := range c.mounts {
		if m.prefix == "" {
			continue
		}
		mux.Handle(m.prefix+"/", http.StripPrefix(m.prefix, m.handler))
	}
	// Mimic serves its identity behavior API at the root; identity owns it.
	mux.Handle("/mimic/v1.1/IdentityControlAPI/", c.identity)
	c.controlRoutes(mux)
	mux.HandleFunc("/{$}", c.serveHelp)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeControlError(w, http.StatusNotFound, "No mockcloud service is mounted at "+r.URL.Path+"; GET / lists them.")
	})
	return mux
}

// Handler serves the whole Cloud: services, control API and help.
func (c *Cloud) Handler() http.Handler { return c.handler }

// URL is the Cloud's root URL ("http://127.0.0.1:41321"); empty for an
// unstarted Cloud.
func (c *Cloud) URL() string {
	if c.srv == nil {
		return ""
	}
	return c.srv.URL
}

// IdentityURL is the identity endpoint to give a client: the unversioned
// root, from which clients discover v3 and v2.0.
func (c *Cloud) IdentityURL() string { return c.URL() + IdentityPrefix + "/" }

// Client returns an HTTP client for the Cloud's server.
func (c *Cloud) Client() *http.Client {
	if c.srv == nil {
		return http.DefaultClient
	}
	return c.srv.Client()
}

// Close shuts down the server and every service; it is idempotent.
func (c *Cloud) Close() {
	c.closeOnce.Do(func() {
		for _, m := range c.mounts {
			if m.closer != nil {
				m.closer()
			}
		}
		if c.srv != nil {
			c.srv.CloseClientConnections()
			c.srv.Close()
		}
		if c.ownClock {
			c.env.Clock.Close()
		}
	})
}

// Env is what the Cloud's services share; build your own fakes on package
// fake with it to join the journal, faults and token check.
func (c *Cloud) Env() fake.Env { return c.env }

// Clock is the shared clock.
func (c *Cloud) Clock() *clock.Clock { return c.env.Clock }

// Now is the shared clock's time.
func (c *Cloud) Now() time.Time { return c.env.Clock.Now() }

// Advance moves every service's time forward by d, running everything
// scheduled in between, and returns the new time.
func (c *Cloud) Advance(d time.Duration) time.Time { return c.env.Clock.Advance(d) }

// Regions are the regions the Cloud serves.
func (c *Cloud) Regions() []string { return append([]string(nil), c.regions...) }

// Identity is the identity service, for seeding users and projects and
// inspecting tokens.
func (c *Cloud) Identity() *identity.Identity { return c.identity }

// Inject adds a fault rule across every service; narrow it with Service,
// Op, Method and Path.
func (c *Cloud) Inject(f fake.Fault) *fake.FaultHandle { return c.env.Faults.Inject(f) }

// Faults lists the installed fault rules.
func (c *Cloud) Faults() []fake.FaultInfo { return c.env.Faults.List() }

// ClearFaults removes every fault rule.
func (c *Cloud) ClearFaults() { c.env.Faults.Clear() }

// Requests returns what every service (or the named ones: "identity", or
// "compute/DFW" for one region) saw, in order.
func (c *Cloud) Requests(services ...string) []fake.Request {
	return c.env.Journal.Requests(services...)
}

// ResetRequests empties the journal (or the named services' part of it).
func (c *Cloud) ResetRequests(services ...string) { c.env.Journal.Reset(services...) }

// serviceNames lists mounted services, for the help document and errors.
func (c *Cloud) serviceNames() []string {
	names := make([]string, 0, len(c.mounts))
	for _, m := range c.mounts {
		names = append(names, m.name)
	}
	sort.Strings(names)
	return names
}
