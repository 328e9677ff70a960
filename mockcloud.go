package mockcloud

import (
	"fmt"
	"net"
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
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/loadbalancer"
	"github.com/mockcloud/mockcloud/mesos"
	"github.com/mockcloud/mockcloud/triton"
)

// DefaultRegions are the regions a Cloud serves unless told otherwise: an
// OpenStack default plus Rackspace's three classic ones.
func DefaultRegions() []string { return []string{"RegionOne", "DFW", "ORD", "IAD"} }

// DefaultServices are the services a Cloud mounts unless WithServices
// names others: every fake mockcloud has but triton, whose four APIs each
// take a listener of their own at Start (twice a default Cloud's start-up
// time): mount it with WithServices(append(DefaultServices(),
// triton.Descriptor())...).
func DefaultServices() []kit.Descriptor {
	return []kit.Descriptor{
		identity.Descriptor(),
		compute.Descriptor(),
		loadbalancer.Descriptor(),
		mesos.Descriptor(),
		fastly.Descriptor(),
	}
}

// ControlPrefix is where the control API is mounted.
const ControlPrefix = "/mockcloud/v1"

// Cloud is mockcloud's services on one server, sharing one clock, one
// fault table, one journal, one root seed and identity's tokens and
// catalog. It is composed from service descriptors (kit.Descriptor): the
// Cloud has no code of its own for any one service but its typed accessor.
type Cloud struct {
	env       kit.Env
	regions   []string
	services  []kit.Descriptor
	instances []instance
	authority kit.Authority
	mounts    []mount
	handler   http.Handler
	ownClock  bool
	listen    bool           // Start opens loopback listeners (not WithoutListener)
	mem       *kit.Transport // Client and Transport: the Cloud in memory
	t         fake.TB        // the test New was given; noTest for NewUnstarted

	srvMu        sync.Mutex
	closed       bool
	started      bool
	url          string
	servers      []*httptest.Server
	origins      map[string]string       // URL by instance key, for services with an origin of their own
	rootLn       net.Listener            // WithListeners: where Start serves the Cloud
	originLns    map[string]net.Listener // WithListeners: where Start serves origins, by name
	timeouts     ServerTimeouts          // WithServerTimeouts, for the listeners WithListeners gives
	controlToken string                  // WithControlToken: the bearer token control calls need
	closeOnce    sync.Once
}

// instance is one built service: once, or once per region.
type instance struct {
	desc kit.Descriptor
	inst kit.Instance
}

// key names an instance as the journal does: "identity", "compute/DFW".
func (i instance) key() string {
	if r := i.inst.Region(); r != "" {
		return i.desc.Name + "/" + r
	}
	return i.desc.Name
}

// mount is one handler on the Cloud's server.
type mount struct {
	name    string
	prefix  string // "/identity"
	handler http.Handler
	closer  func()
}

type config struct {
	controlToken string
	timeouts     ServerTimeouts
	clock        *clock.Clock
	start        time.Time
	seed         int64
	regions      []string
	regionsSet   bool
	profile      Profile
	noAuth       bool
	journalLimit int
	services     []kit.Descriptor
	servicesSet  bool
	serviceOpts  map[string][]fake.Option
	mounts       []Mount
	realTime     bool
	noListener   bool
	rootLn       net.Listener
	originLns    map[string]net.Listener
	routesSet    bool // WithRoutes
}

// Option configures a Cloud.
type Option func(*config)

// WithStart starts the Cloud's simulated clock at t instead of
// clock.DefaultStart().
func WithStart(t time.Time) Option { return func(c *config) { c.start = t } }

// WithClock shares an existing clock (a real-time one, for the standalone
// server). The Cloud does not close a clock it was given.
func WithClock(clk *clock.Clock) Option { return func(c *config) { c.clock = clk } }

// WithRealTime runs the Cloud on a clock that follows time.Now (plus an
// offset Advance still moves; clock.NewRealTime), created and closed by the
// Cloud. Inside a testing/synctest bubble time.Now is the bubble's fake
// time, so the Cloud lives on bubble time: a client polling every second
// sees a 30 s build finish after 30 s of bubble time and a few
// milliseconds of wall time. WithStart, if given, is where that clock
// starts (the default is time.Now, 2000-01-01 in a bubble).
func WithRealTime() Option { return func(c *config) { c.realTime = true } }

// WithoutListener makes Start (and New) open no socket: reach the Cloud
// with Client() or Transport(), which call its handler in memory. URL,
// ServiceURL, IdentityURL and the catalog keep the form they have over
// loopback ("http://127.0.0.1:41321/compute/RegionOne/…"): each origin
// takes a loopback port the system hands out and gives it back at once, so
// its URL looks, and is unique, as a started Cloud's, but nothing listens
// there; a client that is not the Cloud's is refused.
func WithoutListener() Option { return func(c *config) { c.noListener = true } }

// WithSynctest is WithRealTime and WithoutListener: what a Cloud needs to
// run inside testing/synctest.Test, where a goroutine waiting on a socket
// would keep the bubble's clock from moving. Create the Cloud inside the
// bubble, talk to it through cloud.Client() or cloud.Transport(), and
// every wait of the client (a poll interval, a retry backoff) and of the
// fakes (build times, fault delays, Mesos heartbeats) passes in bubble time:
//
//	synctest.Test(t, func(t *testing.T) {
//		cloud := mockcloud.New(t, mockcloud.WithSynctest())
//		provider, _ := openstack.NewClient(cloud.IdentityURL())
//		provider.HTTPClient = *cloud.Client()
//		…
//	})
//
// Close (at the end of the test) leaves no goroutine behind, as
// synctest.Test requires.
func WithSynctest() Option {
	return func(c *config) { c.realTime, c.noListener = true, true }
}

// WithListeners makes Start serve the Cloud on listeners opened by the
// caller instead of loopback ports of its own: root (nil: a loopback port,
// as without the option) for the Cloud's handler, origins for the services
// with origins of their own, by the names GET / lists them under
// ("triton", "triton/vmapi", "triton/cnapi", "triton/napi"); an origin not
// named takes a loopback port. The standalone server opens them at the
// addresses its flags give, so a port in use is its error rather than a
// panic. NewUnstarted refuses a name no mounted service serves, and the
// option with WithoutListener. The Cloud closes them at Close, or when
// NewUnstarted fails.
func WithListeners(root net.Listener, origins map[string]net.Listener) Option {
	return func(c *config) {
		c.rootLn = root
		c.originLns = make(map[string]net.Listener, len(origins))
		for k, ln := range origins {
			c.originLns[k] = ln
		}
	}
}

// ServerTimeouts bound how long a connection may take: to send its
// headers, its whole request, or to sit idle between requests. Zero means
// no bound (ReadHeader defaults to 10 s).
type ServerTimeouts struct {
	ReadHeader, Read, Idle time.Duration
}

// WithServerTimeouts sets the timeouts of the servers Start runs on the
// listeners WithListeners gives (the standalone server's): a client that
// stops mid-request cannot hold a connection, or a shutdown, forever.
func WithServerTimeouts(t ServerTimeouts) Option { return func(c *config) { c.timeouts = t } }

// WithControlToken makes the control API (/mockcloud/v1/…, Mimic's tick)
// answer 401 unless a call carries "Authorization: Bearer <token>": for a
// standalone server other hosts can reach. GET /, the health checks and
// Mimic's presets stay open; the services' own APIs are not affected.
func WithControlToken(token string) Option { return func(c *config) { c.controlToken = token } }

// WithSeed sets the root seed. Each service draws its IDs from a stream
// derived from it and the service's name and region, so one service's
// traffic never shifts another's IDs; probabilistic faults draw from a
// stream of their own. The default seed is kit.DefaultSeed.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = kit.GivenSeed(seed) } }

// WithRegions sets the regions per-region services are mounted in and the
// catalog lists.
func WithRegions(regions ...string) Option {
	return func(c *config) { c.regions, c.regionsSet = append([]string(nil), regions...), true }
}

// WithoutAuth lets any request into the services that check identity's
// tokens (compute, loadbalancer), with or without a token; handlers then
// see no caller and scope nothing. Fastly still checks its own Fastly-Key
// (any key unless fastly.Strict), and the Mesos master never checks.
func WithoutAuth() Option { return func(c *config) { c.noAuth = true } }

// WithJournalLimit keeps only about the last n requests in the journal, for
// long runs and benchmarks. Zero (the default) keeps everything.
func WithJournalLimit(n int) Option { return func(c *config) { c.journalLimit = n } }

// WithServices mounts these services instead of DefaultServices (a
// compute-only Cloud, or one with a fake of your own built on package kit).
// Identity is always mounted: it issues the tokens and the catalog.
func WithServices(services ...kit.Descriptor) Option {
	return func(c *config) { c.services, c.servicesSet = append([]kit.Descriptor(nil), services...), true }
}

// Configure passes options to the service named name (compute.ServiceName
// …), in every region for a per-region service:
// Configure(compute.ServiceName, compute.WithDurations(compute.Instant())). The Cloud owns the clock, the
// seed and the regions: fake.WithClock, WithSeed and WithRegion here are an
// error, as is an option of another service.
func Configure(name string, opts ...fake.Option) Option {
	return func(c *config) {
		if c.serviceOpts == nil {
			c.serviceOpts = map[string][]fake.Option{}
		}
		c.serviceOpts[name] = append(c.serviceOpts[name], opts...)
	}
}

// Mount is a plain HTTP handler to serve in a Cloud: a stand-in for an API
// mockcloud does not cover. It shares the Cloud's server and appears in its
// catalog, but not in its journal, faults or token check: for those, build
// a service on package kit and pass its descriptor to WithServices.
type Mount struct {
	Name    string       // unique; used in the help document
	Prefix  string       // mount point, such as "/queues"; stripped before Handler sees the request
	Handler http.Handler //
	// Catalog entries; endpoint URLs are relative to the Cloud's root
	// ("/queues/v1/{tenant_id}").
	Catalog []kit.CatalogService
}

// WithMount serves an extra handler.
func WithMount(m Mount) Option { return func(c *config) { c.mounts = append(c.mounts, m) } }

// New starts a Cloud on a loopback port and closes it when the test ends.
// An option a service refuses fails the test.
func New(t fake.TB, opts ...Option) *Cloud {
	t.Helper()
	c, err := NewUnstarted(opts...)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	c.t = t
	c.Start()
	t.Cleanup(c.Close)
	return c
}

// NewUnstarted builds a Cloud without starting a server: serve
// [Cloud.Handler] yourself (cmd/mockcloud does), or call Start. It fails
// on an option a service refuses, or one for a service that is not mounted.
func NewUnstarted(opts ...Option) (*Cloud, error) {
	cfg := config{seed: kit.DefaultSeed, regions: DefaultRegions()}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.servicesSet {
		cfg.services = DefaultServices()
	}
	cfg.services = withRoutes(cfg)
	c := &Cloud{regions: cfg.regions, services: withIdentity(cfg.services), listen: !cfg.noListener, t: noTest{},
		rootLn: cfg.rootLn, originLns: cfg.originLns, timeouts: cfg.timeouts, controlToken: cfg.controlToken}
	err := applyProfile(&cfg, c.services)
	if err == nil {
		c.regions = cfg.regions
		err = checkConfig(cfg, c.services)
	}
	if err != nil {
		c.closeGivenListenersLocked() // nothing else holds them yet
		return nil, err
	}
	if cfg.clock == nil {
		cfg.clock = newClock(cfg)
		c.ownClock = true
	}
	c.env = kit.Env{Clock: cfg.clock, Seed: cfg.seed, Journal: fake.NewJournal(cfg.journalLimit)}.Complete()
	if err := c.build(cfg); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.checkListeners(cfg); err != nil {
		c.Close()
		return nil, err
	}
	handler, err := c.routes()
	if err != nil {
		c.Close()
		return nil, err
	}
	c.handler = handler
	c.mem = kit.NewTransport(handler)
	return c, nil
}

// checkListeners refuses listeners WithListeners names for origins the
// Cloud does not have, or given with WithoutListener.
func (c *Cloud) checkListeners(cfg config) error {
	if cfg.noListener && (cfg.rootLn != nil || len(cfg.originLns) > 0) {
		return fmt.Errorf("mockcloud: WithListeners and WithoutListener exclude each other")
	}
	known := c.originNames()
	for name := range cfg.originLns {
		if !contains(known, name) {
			return fmt.Errorf("mockcloud: WithListeners: no origin %q (origins: %s)%s", name, strings.Join(known, ", "), closest(name, known))
		}
	}
	return nil
}

// originNames are the names of the origins Start opens ("triton",
// "triton/vmapi" …), sorted.
func (c *Cloud) originNames() []string {
	var out []string
	for _, i := range c.instances {
		if i.desc.OwnOrigin {
			out = append(out, i.key())
		}
		if o, ok := i.inst.(kit.Origins); ok {
			for api := range o.Origins() {
				out = append(out, i.key()+"/"+api)
			}
		}
	}
	sort.Strings(out)
	return out
}

// newClock is the clock a Cloud makes for itself: simulated from the start
// (DefaultStart), or following time.Now (from the start, when one is given).
func newClock(cfg config) *clock.Clock {
	if cfg.realTime {
		clk := clock.NewRealTime()
		if !cfg.start.IsZero() {
			clk.Set(cfg.start)
		}
		return clk
	}
	start := cfg.start
	if start.IsZero() {
		start = clock.DefaultStart()
	}
	return clock.New(start)
}

// withIdentity puts identity first, adding it when it is missing.
func withIdentity(services []kit.Descriptor) []kit.Descriptor {
	name := identity.Descriptor().Name
	out := []kit.Descriptor{identity.Descriptor()}
	for _, d := range services {
		if d.Name == name {
			out[0] = d
			continue
		}
		out = append(out, d)
	}
	return out
}

// checkConfig refuses what would otherwise panic or be silently ignored:
// regions that cannot be a path segment, two services of one name or one
// prefix, a descriptor that cannot build, options for a service that is
// not mounted.
func checkConfig(cfg config, services []kit.Descriptor) error {
	if err := checkRegions(cfg.regions); err != nil {
		return err
	}
	names := make([]string, 0, len(services))
	known, prefixes := map[string]bool{}, map[string]string{}
	for _, d := range services {
		switch {
		case d.Name == "" || known[d.Name]:
			return fmt.Errorf("mockcloud: a service named %q is mounted twice, or has no name", d.Name)
		case d.New == nil:
			return fmt.Errorf("mockcloud: service %s: its descriptor has no New", d.Name)
		case len(d.Prefix) < 2 || d.Prefix[0] != '/' || strings.HasSuffix(d.Prefix, "/"):
			return fmt.Errorf("mockcloud: service %s: prefix %q must be a path such as /%s", d.Name, d.Prefix, d.Name)
		case prefixes[d.Prefix] != "":
			return fmt.Errorf("mockcloud: services %s and %s share the prefix %s", prefixes[d.Prefix], d.Name, d.Prefix)
		}
		known[d.Name], prefixes[d.Prefix] = true, d.Name
		names = append(names, d.Name)
	}
	for name := range cfg.serviceOpts {
		if !known[name] {
			return fmt.Errorf("mockcloud: Configure(%q): no such service is mounted (mounted: %s)", name, strings.Join(names, ", "))
		}
	}
	return nil
}

// checkRegions refuses what cannot be a path segment (/compute/{region})
// or names one region twice.
func checkRegions(regions []string) error {
	if len(regions) == 0 {
		return fmt.Errorf("mockcloud: WithRegions needs at least one region")
	}
	seen := map[string]bool{}
	for _, r := range regions {
		switch {
		case r == "" || strings.ContainsAny(r, "/ \t\n?#%"):
			return fmt.Errorf("mockcloud: region %q cannot be a path segment", r)
		case seen[r]:
			return fmt.Errorf("mockcloud: region %q given twice", r)
		}
		seen[r] = true
	}
	return nil
}

// build constructs every instance in order (identity first, so the others
// check its tokens), then gives identity the catalog of what is mounted.
func (c *Cloud) build(cfg config) error {
	for i, d := range c.services {
		regions := []string{""}
		if d.PerRegion {
			regions = c.regions
		}
		for _, region := range regions {
			inst, err := d.New(c.env, kit.Site{Region: region, Regions: c.regions}, cfg.serviceOpts[d.Name])
			if err != nil {
				return err
			}
			c.instances = append(c.instances, instance{desc: d, inst: inst})
			c.mounts = append(c.mounts, mount{name: c.instances[len(c.instances)-1].key(), prefix: mountPrefix(d, region), handler: inst, closer: inst.Close})
		}
		if i == 0 {
			auth, ok := c.instances[0].inst.(kit.Authority)
			if !ok {
				return fmt.Errorf("mockcloud: %s does not issue tokens (kit.Authority)", d.Name)
			}
			c.authority = auth
			if !cfg.noAuth {
				c.env.Auth = auth.Authenticator()
			}
		}
	}
	for _, d := range c.services {
		if !d.OwnOrigin { // listed when Start gives them an origin
			c.authority.AddCatalogServices(c.catalog(d, nil)...)
		}
	}
	for _, m := range cfg.mounts {
		// "/queues", "queues" and "/queues/" all mount at /queues; without
		// the leading slash ServeMux would take "queues/" for a host name.
		prefix := strings.Trim(m.Prefix, "/")
		if prefix != "" {
			prefix = "/" + prefix
		}
		c.mounts = append(c.mounts, mount{name: m.Name, prefix: prefix, handler: m.Handler})
		c.authority.AddCatalogServices(m.Catalog...)
	}
	return nil
}

// mountPrefix is where one instance is served: Prefix, or Prefix/region.
func mountPrefix(d kit.Descriptor, region string) string {
	if region == "" {
		return d.Prefix
	}
	return d.Prefix + "/" + region
}

// catalog is d's entries with an endpoint in every region: at
// Prefix/{region}+path for a per-region service, at Prefix+path for the
// others (as Keystone lists itself in every region). origin, for a service
// with an origin of its own, is that origin's URL by region instead.
func (c *Cloud) catalog(d kit.Descriptor, origin func(region string) string) []kit.CatalogService {
	out := make([]kit.CatalogService, 0, len(d.Catalog))
	for _, e := range d.Catalog {
		svc := kit.CatalogService{Type: e.Type, Name: e.Name}
		for _, r := range c.regions {
			base := d.Prefix
			switch {
			case origin != nil:
				base = origin(r)
			case d.PerRegion:
				base = mountPrefix(d, r)
			}
			svc.Endpoints = append(svc.Endpoints, kit.CatalogEndpoint{Region: r, URL: base + e.Path})
		}
		out = append(out, svc)
	}
	return out
}

// instance returns the built service named name in region ("" for a
// service not per region), or nil.
func (c *Cloud) instance(name, region string) kit.Instance {
	for _, i := range c.instances {
		if i.desc.Name == name && i.inst.Region() == region {
			return i.inst
		}
	}
	return nil
}

// Identity is the identity service, for seeding users and projects and
// inspecting tokens.
func (c *Cloud) Identity() *identity.Identity {
	c.t.Helper()
	return typed[*identity.Identity](c, "Identity()", identity.Descriptor().Name, "")
}

// Compute is the compute service of a region. A region the Cloud does not
// serve, or a Cloud without compute, fails the test (t.Fatalf on the test
// New was given, naming what is mounted; a panic for a Cloud from
// NewUnstarted), as do the other accessors.
func (c *Cloud) Compute(region string) *compute.Compute {
	c.t.Helper()
	return typed[*compute.Compute](c, fmt.Sprintf("Compute(%q)", region), compute.Descriptor().Name, region)
}

// LoadBalancer is the Cloud Load Balancers service of a region.
func (c *Cloud) LoadBalancer(region string) *loadbalancer.CLB {
	c.t.Helper()
	return typed[*loadbalancer.CLB](c, fmt.Sprintf("LoadBalancer(%q)", region), loadbalancer.Descriptor().Name, region)
}

// Fastly is the Fastly service.
func (c *Cloud) Fastly() *fastly.Fastly {
	c.t.Helper()
	return typed[*fastly.Fastly](c, "Fastly()", fastly.Descriptor().Name, "")
}

// Mesos is the Mesos master.
func (c *Cloud) Mesos() *mesos.Master {
	c.t.Helper()
	return typed[*mesos.Master](c, "Mesos()", mesos.Descriptor().Name, "")
}

// Triton is the Triton data center (CloudAPI, VMAPI, CNAPI, NAPI).
func (c *Cloud) Triton() *triton.Triton {
	c.t.Helper()
	return typed[*triton.Triton](c, "Triton()", triton.Descriptor().Name, "")
}

// TritonURL is CloudAPI's origin, what triton-go and the triton CLI are
// given; VMAPI, CNAPI and NAPI are at ServiceURL("triton/vmapi", "") ….
// Empty when the Cloud is not started.
func (c *Cloud) TritonURL() string {
	c.t.Helper()
	return c.ServiceURL(triton.Descriptor().Name, "")
}

// typed is the instance of name in region as S, or fails the test.
func typed[S kit.Instance](c *Cloud, accessor, name, region string) S {
	c.t.Helper()
	var zero S
	i, ok := c.find(accessor, name, region)
	if !ok {
		return zero
	}
	s, ok := i.inst.(S)
	if !ok {
		c.fail("mockcloud: %s: the service mounted as %s is a %T, not a %T", accessor, name, i.inst, zero)
		return zero
	}
	return s
}

// find is the instance of name in region, or fails the test saying what
// the Cloud has instead.
func (c *Cloud) find(accessor, name, region string) (instance, bool) {
	c.t.Helper()
	var perRegion, mounted bool
	var names []string
	for _, i := range c.instances {
		if i.desc.Name == name && i.inst.Region() == region {
			return i, true
		}
		if i.desc.Name == name {
			mounted, perRegion = true, i.desc.PerRegion
		}
		if !contains(names, i.desc.Name) {
			names = append(names, i.desc.Name)
		}
	}
	switch {
	case !mounted:
		c.fail("mockcloud: %s: no service %q is mounted (mounted: %s)%s", accessor, name, strings.Join(names, ", "), closest(name, names))
	case !perRegion:
		c.fail("mockcloud: %s: %s is not per region: name region \"\", not %q", accessor, name, region)
	default:
		c.fail("mockcloud: %s: the Cloud has no region %q (regions: %s)%s", accessor, region, strings.Join(c.regions, ", "), closest(region, c.regions))
	}
	return instance{}, false
}

// fail fails the test New was given; a Cloud from NewUnstarted (or a TB
// whose Fatalf returns) panics with the message instead.
func (c *Cloud) fail(format string, args ...any) {
	c.t.Helper()
	msg := fmt.Sprintf(format, args...)
	c.t.Fatalf("%s", msg)
	panic(msg)
}

// noTest is the TB of a Cloud from NewUnstarted: it has no test to fail,
// so fail panics.
type noTest struct{}

func (noTest) Helper()               {}
func (noTest) Cleanup(func())        {}
func (noTest) Errorf(string, ...any) {}
func (noTest) Fatalf(string, ...any) {}
func (noTest) Logf(string, ...any)   {}

// routes builds the Cloud's one handler. A conflict between mount points
// (a prefix that is also a root path, two mounts at one place) is an error.
func (c *Cloud) routes() (h http.Handler, err error) {
	defer func() {
		if v := recover(); v != nil {
			h, err = nil, fmt.Errorf("mockcloud: %v", v) // ServeMux's conflict report
		}
	}()
	mux := http.NewServeMux()
	for _, m := range c.mounts {
		if m.prefix == "" {
			continue
		}
		mux.Handle(m.prefix+"/", http.StripPrefix(m.prefix, m.handler))
	}
	for _, i := range c.instances {
		for _, p := range i.desc.RootPaths {
			mux.Handle(p, i.inst)
		}
	}
	c.controlRoutes(mux)
	var notFound http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeControlError(w, http.StatusNotFound, "No mockcloud service is mounted at "+r.URL.Path+"; GET / lists them.")
	})
	for _, i := range c.instances {
		if f, ok := i.inst.(kit.Fallback); ok { // programmable routes
			notFound = f.Fallback(notFound)
		}
	}
	mux.Handle("/", notFound)
	return mux, nil
}

// Handler serves the whole Cloud: services, control API and help.
func (c *Cloud) Handler() http.Handler { return c.handler }

// Start serves an unstarted Cloud on a loopback port, as
// httptest.Server.Start does, with a port of its own for each service that
// needs an origin of its own; Close stops them. WithoutListener gives the
// Cloud its URLs without listening. Starting twice panics.
func (c *Cloud) Start() {
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	if c.started {
		panic("mockcloud: Cloud already started")
	}
	if c.closed {
		panic("mockcloud: Cloud started after Close")
	}
	c.started = true
	c.url = c.serveOnLocked(c.rootLn, c.handler)
	for _, i := range c.instances {
		if i.desc.OwnOrigin {
			if c.origins == nil {
				c.origins = map[string]string{}
			}
			u := c.serveOnLocked(c.originLns[i.key()], i.inst)
			c.origins[i.key()] = u
			c.mem.Handle(strings.TrimPrefix(u, "http://"), i.inst)
		}
		if o, ok := i.inst.(kit.Origins); ok {
			c.serveOriginsLocked(i.key(), o)
		}
	}
	// A service with an origin of its own is in the catalog at that
	// origin, an absolute URL: its clients drop any path they are given.
	for _, d := range c.services {
		if d.OwnOrigin {
			c.authority.AddCatalogServices(c.catalog(d, func(region string) string {
				return c.origins[instance{desc: d, inst: c.instance(d.Name, regionOf(d, region))}.key()]
			})...)
		}
	}
}

// serveOriginsLocked gives each further API of an instance an origin of
// its own, named key/api ("triton/vmapi"), in a stable order.
func (c *Cloud) serveOriginsLocked(key string, o kit.Origins) {
	apis := o.Origins()
	names := make([]string, 0, len(apis))
	for name := range apis {
		names = append(names, name)
	}
	sort.Strings(names)
	if c.origins == nil {
		c.origins = map[string]string{}
	}
	for _, name := range names {
		u := c.serveOnLocked(c.originLns[key+"/"+name], apis[name])
		c.origins[key+"/"+name] = u
		c.mem.Handle(strings.TrimPrefix(u, "http://"), apis[name])
	}
}

// serveOnLocked serves h on ln, a listener given with WithListeners, or
// (nil) as serveLocked does.
func (c *Cloud) serveOnLocked(ln net.Listener, h http.Handler) string {
	if ln == nil {
		return c.serveLocked(h)
	}
	t := c.timeouts
	if t.ReadHeader == 0 {
		t.ReadHeader = 10 * time.Second
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, IdleTimeout: t.Idle}}
	srv.Start()
	c.servers = append(c.servers, srv)
	return srv.URL
}

// serveLocked gives h an origin: a loopback server, or without a listener
// a loopback address taken and given back at once. It returns the URL.
func (c *Cloud) serveLocked(h http.Handler) string {
	if c.listen {
		srv := httptest.NewServer(h)
		c.servers = append(c.servers, srv)
		return srv.URL
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("mockcloud: no loopback address for a Cloud without a listener: %v", err))
	}
	defer ln.Close()
	return "http://" + ln.Addr().String()
}

// regionOf is the instance region of d that serves region.
func regionOf(d kit.Descriptor, region string) string {
	if d.PerRegion {
		return region
	}
	return ""
}

// URL is the Cloud's root URL ("http://127.0.0.1:41321"); empty for an
// unstarted Cloud.
func (c *Cloud) URL() string {
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	return c.url
}

// ServiceURL is where a client reaches the service named name (in region,
// for a per-region service; "" for the others): the origin of its own for
// a service that needs one, else the Cloud's URL and the service's prefix.
// Empty when the Cloud is not started. A service or region the Cloud does
// not have fails the test (see Compute).
//
// A service with further APIs at origins of their own (kit.Origins) names
// them after a slash: ServiceURL("triton/vmapi", "").
func (c *Cloud) ServiceURL(name, region string) string {
	c.t.Helper()
	if base, api, ok := strings.Cut(name, "/"); ok {
		return c.originURL(base, api, region)
	}
	i, ok := c.find("ServiceURL", name, region)
	if !ok {
		return ""
	}
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	if u := c.origins[i.key()]; u != "" {
		return u
	}
	if c.url == "" {
		return ""
	}
	return c.url + mountPrefix(i.desc, region)
}

// originURL is the origin of the API api of the service name (kit.Origins).
func (c *Cloud) originURL(name, api, region string) string {
	c.t.Helper()
	i, ok := c.find("ServiceURL", name, region)
	if !ok {
		return ""
	}
	o, ok := i.inst.(kit.Origins)
	if !ok {
		c.fail("mockcloud: ServiceURL(%q): %s has no APIs at origins of their own", name+"/"+api, name)
		return ""
	}
	if _, ok := o.Origins()[api]; !ok {
		var apis []string
		for a := range o.Origins() {
			apis = append(apis, a)
		}
		sort.Strings(apis)
		c.fail("mockcloud: ServiceURL(%q): %s has no API %q (it has: %s)%s", name+"/"+api, name, api, strings.Join(apis, ", "), closest(api, apis))
		return ""
	}
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	return c.origins[i.key()+"/"+api]
}

// originURLs are the origins of the services that have one, by instance key.
func (c *Cloud) originURLs() map[string]string {
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	out := map[string]string{}
	for key, u := range c.origins {
		out[key] = u
	}
	return out
}

// IdentityURL is the identity endpoint to give a client: the unversioned
// root, from which clients discover v3 and v2.0.
func (c *Cloud) IdentityURL() string {
	return c.ServiceURL(identity.Descriptor().Name, "") + "/"
}

// Client returns an HTTP client that reaches the Cloud in memory, without
// a socket: requests to the Cloud's URLs (and to its services' own
// origins) call its handler directly, with the same URLs, catalog and
// answers as over loopback (see kit.Transport: streams, cancellation).
// It works whether or not the Cloud listens, and inside testing/synctest
// (see WithSynctest). After Close its requests are refused. It is the same
// client every time.
func (c *Cloud) Client() *http.Client { return c.mem.Client() }

// Transport is Client's http.RoundTripper, for a client of your own
// (gophercloud's ProviderClient.HTTPClient, an SDK's option).
func (c *Cloud) Transport() http.RoundTripper { return c.mem }

// Close shuts down the servers and every service, fails what is still in
// flight through Client and waits for its handlers; it is idempotent.
func (c *Cloud) Close() {
	c.closeOnce.Do(func() {
		for _, m := range c.mounts {
			if m.closer != nil {
				m.closer()
			}
		}
		c.srvMu.Lock()
		c.closed = true
		servers := c.servers
		if !c.started { // listeners given, never served
			c.closeGivenListenersLocked()
		}
		c.srvMu.Unlock()
		for _, s := range servers {
			s.CloseClientConnections()
			s.Close()
		}
		if c.mem != nil {
			c.mem.Close()
		}
		if c.ownClock {
			c.env.Clock.Close()
		}
	})
}

// closeGivenListenersLocked closes what WithListeners gave a Cloud that
// never started.
func (c *Cloud) closeGivenListenersLocked() {
	if c.rootLn != nil {
		c.rootLn.Close()
	}
	for _, ln := range c.originLns {
		ln.Close()
	}
}

// Env is what the Cloud's services share; a fake of your own built on
// package kit joins the journal, faults and token check when it is passed
// to WithServices.
func (c *Cloud) Env() kit.Env { return c.env }

// Clock is the shared clock.
func (c *Cloud) Clock() *clock.Clock { return c.env.Clock }

// Now is the shared clock's time.
func (c *Cloud) Now() time.Time { return c.env.Clock.Now() }

// Advance moves every service's time forward by d, running everything
// scheduled in between, and returns the new time.
func (c *Cloud) Advance(d time.Duration) time.Time { return c.env.Clock.Advance(d) }

// RunAdvancing calls f while a goroutine advances the Cloud's clock by
// step every millisecond of wall time, for a test outside a synctest
// bubble whose client waits on real timers (gophercloud's WaitForStatus
// polls once a second):
//
//	cloud.RunAdvancing(time.Second, func() { err = servers.WaitForStatus(ctx, nova, id, "ACTIVE") })
//
// Tokens expire that much sooner too: identity's 24 h token lasts 86,400
// steps (under 90 s of wall time at 1 s steps, 24 ms at 1 h steps), after
// which gophercloud gets a bare 401 unless it reauthenticates. See
// clock.Clock.RunAdvancing; inside testing/synctest (WithSynctest) no
// helper is needed.
func (c *Cloud) RunAdvancing(step time.Duration, f func()) { c.env.Clock.RunAdvancing(step, f) }

// Regions are the regions the Cloud serves.
func (c *Cloud) Regions() []string { return append([]string(nil), c.regions...) }

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

// Ops lists every op of every mounted service, sorted: what a fault's Op
// can name.
func (c *Cloud) Ops() []string {
	seen := map[string]bool{}
	var out []string
	for _, i := range c.instances {
		for _, op := range i.inst.Ops() {
			if !seen[op] {
				seen[op] = true
				out = append(out, op)
			}
		}
	}
	sort.Strings(out)
	return out
}

// serviceNames lists mounted services, for the help document and errors.
func (c *Cloud) serviceNames() []string {
	names := make([]string, 0, len(c.mounts))
	for _, m := range c.mounts {
		names = append(names, m.name)
	}
	sort.Strings(names)
	return names
}

// mimicPresetter is an instance whose Mimic presets depend on its options
// (compute.AnyRefs, identity.WithMimicPresets): it answers for its
// descriptor's.
type mimicPresetter interface {
	MimicPresets() map[string]any
}

// presets merges Mimic's presets of every mounted service: an instance's
// own (the first of a per-region service), else its descriptor's.
func (c *Cloud) presetsDoc() map[string]any {
	out := map[string]any{}
	done := map[string]bool{}
	for _, i := range c.instances {
		if done[i.desc.Name] {
			continue
		}
		done[i.desc.Name] = true
		var presets map[string]any
		switch p, ok := i.inst.(mimicPresetter); {
		case ok:
			presets = p.MimicPresets()
		case i.desc.Presets != nil:
			presets = i.desc.Presets()
		}
		for k, v := range presets {
			out[k] = v
		}
	}
	return out
}
