package mockcloud

import (
	"fmt"
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
)

// DefaultRegions are the regions a Cloud serves unless told otherwise: an
// OpenStack default plus Rackspace's three classic ones.
func DefaultRegions() []string { return []string{"RegionOne", "DFW", "ORD", "IAD"} }

// DefaultServices are the services a Cloud mounts unless WithServices
// names others: every fake mockcloud has.
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

	srvMu     sync.Mutex
	closed    bool
	srv       *httptest.Server
	origins   map[string]*httptest.Server // by instance key, for services with an origin of their own
	closeOnce sync.Once
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
	clock        *clock.Clock
	start        time.Time
	seed         int64
	regions      []string
	noAuth       bool
	journalLimit int
	services     []kit.Descriptor
	servicesSet  bool
	serviceOpts  map[string][]fake.Option
	mounts       []Mount
}

// Option configures a Cloud.
type Option func(*config)

// WithStart starts the Cloud's simulated clock at t instead of
// clock.DefaultStart().
func WithStart(t time.Time) Option { return func(c *config) { c.start = t } }

// WithClock shares an existing clock (a real-time one, for the standalone
// server). The Cloud does not close a clock it was given.
func WithClock(clk *clock.Clock) Option { return func(c *config) { c.clock = clk } }

// WithSeed sets the root seed. Each service draws its IDs from a stream
// derived from it and the service's name and region, so one service's
// traffic never shifts another's IDs; probabilistic faults draw from a
// stream of their own. The default seed is kit.DefaultSeed.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = kit.GivenSeed(seed) } }

// WithRegions sets the regions per-region services are mounted in and the
// catalog lists.
func WithRegions(regions ...string) Option {
	return func(c *config) { c.regions = append([]string(nil), regions...) }
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
	c := &Cloud{regions: cfg.regions, services: withIdentity(cfg.services)}
	if err := checkConfig(cfg, c.services); err != nil {
		return nil, err
	}
	if cfg.clock == nil {
		start := cfg.start
		if start.IsZero() {
			start = clock.DefaultStart()
		}
		cfg.clock = clock.New(start)
		c.ownClock = true
	}
	c.env = kit.Env{Clock: cfg.clock, Seed: cfg.seed, Journal: fake.NewJournal(cfg.journalLimit)}.Complete()
	if err := c.build(cfg); err != nil {
		c.Close()
		return nil, err
	}
	handler, err := c.routes()
	if err != nil {
		c.Close()
		return nil, err
	}
	c.handler = handler
	return c, nil
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
	s, _ := c.instance(identity.Descriptor().Name, "").(*identity.Identity)
	return s
}

// Compute is the compute service of a region; nil when compute is not
// mounted or the Cloud has no such region.
func (c *Cloud) Compute(region string) *compute.Compute {
	s, _ := c.instance(compute.Descriptor().Name, region).(*compute.Compute)
	return s
}

// LoadBalancer is the Cloud Load Balancers service of a region; nil when
// it is not mounted or the Cloud has no such region.
func (c *Cloud) LoadBalancer(region string) *loadbalancer.CLB {
	s, _ := c.instance(loadbalancer.Descriptor().Name, region).(*loadbalancer.CLB)
	return s
}

// Fastly is the Fastly service; nil when it is not mounted.
func (c *Cloud) Fastly() *fastly.Fastly {
	s, _ := c.instance(fastly.Descriptor().Name, "").(*fastly.Fastly)
	return s
}

// Mesos is the Mesos master; nil when it is not mounted.
func (c *Cloud) Mesos() *mesos.Master {
	s, _ := c.instance(mesos.Descriptor().Name, "").(*mesos.Master)
	return s
}

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
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeControlError(w, http.StatusNotFound, "No mockcloud service is mounted at "+r.URL.Path+"; GET / lists them.")
	})
	return mux, nil
}

// Handler serves the whole Cloud: services, control API and help.
func (c *Cloud) Handler() http.Handler { return c.handler }

// Start serves an unstarted Cloud on a loopback port, as
// httptest.Server.Start does, with a port of its own for each service that
// needs an origin of its own; Close stops them. Starting twice panics.
func (c *Cloud) Start() {
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	if c.srv != nil {
		panic("mockcloud: Cloud already started")
	}
	if c.closed {
		panic("mockcloud: Cloud started after Close")
	}
	c.srv = httptest.NewServer(c.handler)
	for _, i := range c.instances {
		if i.desc.OwnOrigin {
			if c.origins == nil {
				c.origins = map[string]*httptest.Server{}
			}
			c.origins[i.key()] = httptest.NewServer(i.inst)
		}
	}
	// A service with an origin of its own is in the catalog at that
	// origin, an absolute URL: its clients drop any path they are given.
	for _, d := range c.services {
		if d.OwnOrigin {
			c.authority.AddCatalogServices(c.catalog(d, func(region string) string {
				return c.origins[instance{desc: d, inst: c.instance(d.Name, regionOf(d, region))}.key()].URL
			})...)
		}
	}
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
	if c.srv == nil {
		return ""
	}
	return c.srv.URL
}

// ServiceURL is where a client reaches the service named name (in region,
// for a per-region service): the origin of its own for a service that needs
// one, else the Cloud's URL and the service's prefix. Empty when the Cloud
// is not started or the service is not mounted.
func (c *Cloud) ServiceURL(name, region string) string {
	for _, i := range c.instances {
		if i.desc.Name != name || i.inst.Region() != region {
			continue
		}
		c.srvMu.Lock()
		defer c.srvMu.Unlock()
		if srv := c.origins[i.key()]; srv != nil {
			return srv.URL
		}
		if c.srv == nil {
			return ""
		}
		return c.srv.URL + mountPrefix(i.desc, region)
	}
	return ""
}

// originURLs are the origins of the services that have one, by instance key.
func (c *Cloud) originURLs() map[string]string {
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	out := map[string]string{}
	for key, srv := range c.origins {
		out[key] = srv.URL
	}
	return out
}

// IdentityURL is the identity endpoint to give a client: the unversioned
// root, from which clients discover v3 and v2.0.
func (c *Cloud) IdentityURL() string {
	return c.ServiceURL(identity.Descriptor().Name, "") + "/"
}

// Client returns an HTTP client for the Cloud's server.
func (c *Cloud) Client() *http.Client {
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	if c.srv == nil {
		return http.DefaultClient
	}
	return c.srv.Client()
}

// Close shuts down the servers and every service; it is idempotent.
func (c *Cloud) Close() {
	c.closeOnce.Do(func() {
		for _, m := range c.mounts {
			if m.closer != nil {
				m.closer()
			}
		}
		c.srvMu.Lock()
		c.closed = true
		servers := []*httptest.Server{c.srv}
		for _, s := range c.origins {
			servers = append(servers, s)
		}
		c.srvMu.Unlock()
		for _, s := range servers {
			if s != nil {
				s.CloseClientConnections()
				s.Close()
			}
		}
		if c.ownClock {
			c.env.Clock.Close()
		}
	})
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

// presets merges Mimic's presets of every mounted service.
func (c *Cloud) presetsDoc() map[string]any {
	out := map[string]any{}
	for _, d := range c.services {
		if d.Presets == nil {
			continue
		}
		for k, v := range d.Presets() {
			out[k] = v
		}
	}
	return out
}
