package loadbalancer

import (
	"net/http"
	"sync"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "loadbalancer"

// DefaultRegion is the region of a CLB built on its own, without
// fake.WithRegion.
const DefaultRegion = "DFW"

// The roots the API is served under: Rackspace's, and the one Mimic's
// catalog hands out.
const (
	rootV1 = "/v1.0/{tenant_id}"
	rootV2 = "/v2/{tenant_id}"
)

// CLB is the fake Cloud Load Balancers service of one region. It is an
// http.Handler that knows nothing of where it is mounted; [New] also
// starts it on a loopback port of its own.
type CLB struct {
	*kit.Service
	cfg config

	mu       sync.Mutex
	lbs      map[int]*loadBalancer
	byTenant map[string]map[int]*loadBalancer
	vips     map[int]*sharedVIP
	seq      idSeq

	behaviors *kit.Registry[createBehavior]
}

// idSeq hands out the numeric IDs the API uses. Each kind counts up from a
// base drawn once from the service's seeded random stream.
type idSeq struct {
	lb, node, vip, item, meta, event, cert, usage int
	public4, service4, public6                    int
}

// Option configures a CLB: the shared fake.WithClock, fake.WithSeed and
// fake.WithRegion (standalone only), and this package's own.
type Option = fake.Option

// config is what this package's own options set.
type config struct {
	durations Durations
	limits    AbsoluteLimits
	domains   []string
	// keepDeletedVIPs: KeepDeletedVIPs; noTokens: WithoutTokens.
	keepDeletedVIPs bool
	noTokens        bool
	deleteAtOnce    bool // DeleteAtOnce
}

func defaultConfig() config {
	return config{
		durations: DefaultDurations(),
		limits:    DefaultAbsoluteLimits(),
		domains:   []string{"rackspace.com", "rackspacecloud.com"},
	}
}

// WithDurations sets how long BUILD, PENDING_UPDATE and PENDING_DELETE last
// on the shared clock, and how long DELETED load balancers stay visible.
func WithDurations(d Durations) Option {
	return fake.Configure(func(c *config) { c.durations = d })
}

// WithAbsoluteLimits replaces the account's absolute limits (what
// /loadbalancers/absolutelimits reports and what the API enforces). A limit
// of zero or less is not enforced.
func WithAbsoluteLimits(l AbsoluteLimits) Option {
	return fake.Configure(func(c *config) { c.limits = l })
}

// WithAllowedDomains sets the domains whose host names are accepted as node
// addresses (default rackspace.com and rackspacecloud.com).
func WithAllowedDomains(domains ...string) Option {
	domains = append([]string(nil), domains...)
	return fake.Configure(func(c *config) { c.domains = domains })
}

// New builds a CLB, starts it on a loopback port and closes it when the
// test ends. On its own it checks no tokens: any X-Auth-Token (or none) is
// accepted and the tenant is the one in the URL. The region is DFW unless
// fake.WithRegion says otherwise.
func New(t fake.TB, opts ...Option) *CLB {
	t.Helper()
	return factory().New(t, opts)
}

// NewUnstarted builds a CLB without starting it, for embedding: serve
// c.Handler() yourself, or call c.Start().
func NewUnstarted(opts ...Option) (*CLB, error) { return factory().NewUnstarted(opts) }

func factory() kit.Factory[*CLB, config] {
	return kit.Factory[*CLB, config]{Name: ServiceName, DefaultRegion: DefaultRegion, Config: defaultConfig, Build: build}
}

// Descriptor tells a Cloud how to mount the service: once per region under
// /loadbalancers/{region}, listed in the catalog as cloudLoadBalancers
// (/v1.0/{tenant_id}) and as Mimic's cloudLoadBalancerControl
// (/v2/{tenant_id}).
func Descriptor() kit.Descriptor {
	return kit.Descriptor{
		Name:      ServiceName,
		Prefix:    "/loadbalancers",
		PerRegion: true,
		Catalog: []kit.CatalogEntry{
			{Type: "rax:load-balancer", Name: "cloudLoadBalancers", Path: rootV1},
			{Type: "rax:load-balancer", Name: "cloudLoadBalancerControl", Path: rootV2},
		},
		Presets: func() map[string]any { return map[string]any{"loadbalancers": Presets()} },
		New:     factory().InCloud,
	}
}

// build is every constructor: the ID counters start from bases drawn from
// the service's own stream.
func build(env kit.Env, site kit.Site, cfg config) (*CLB, error) {
	c := &CLB{
		cfg:       cfg,
		lbs:       map[int]*loadBalancer{},
		byTenant:  map[string]map[int]*loadBalancer{},
		vips:      map[int]*sharedVIP{},
		behaviors: kit.NewRegistry[createBehavior](kit.CounterUUID),
	}
	c.Service = kit.NewService(env, site.Region, kit.Spec{
		Name:            ServiceName,
		Routes:          c.routes,
		Errors:          renderError,
		Unauthenticated: cfg.noTokens,
	})
	rng := c.RNG()
	c.seq = idSeq{
		lb:    100000 + rng.Intn(100000),
		node:  200000 + rng.Intn(100000),
		vip:   300000 + rng.Intn(100000),
		item:  1000 + rng.Intn(9000),
		meta:  1000 + rng.Intn(9000),
		event: 10000 + rng.Intn(90000),
		cert:  100 + rng.Intn(900),
		usage: 1000000 + rng.Intn(1000000),
	}
	return c, nil
}

// routes is the route table: Mimic's control API (no token), then the API
// under Rackspace's root /v1.0/{tenant_id} and under /v2/{tenant_id}, the
// root Mimic's catalog hands out, each behind the tenant check.
func (c *CLB) routes() []kit.Route {
	var api []kit.Route
	for _, part := range [][]kit.Route{
		// Fixed paths under /loadbalancers/ come before /loadbalancers/{lb_id}.
		c.accountRoutes(), c.usageRoutes(), c.loadBalancerRoutes(), c.nodeRoutes(), c.virtualIPRoutes(),
		c.healthMonitorRoutes(), c.settingsRoutes(), c.accessListRoutes(), c.sslRoutes(),
		c.metadataRoutes(),
	} {
		api = append(api, part...)
	}
	return append(c.controlRoutes(), kit.Under([]string{rootV1, rootV2}, checkTenant, api...)...)
}

// checkTenant is the tenant check: with authentication on, the token must
// belong to the tenant in the URL (or carry the admin role). Rackspace's
// auth layer answers a mismatch with 401.
func checkTenant(call *kit.Call) error {
	tenant := tenantOf(call)
	if call.OutOfScope(tenant) {
		return kit.Errorf(http.StatusUnauthorized, "The token is not authorized for tenant '%s'.", tenant)
	}
	return nil
}

func tenantOf(call *kit.Call) string { return call.Var("tenant_id") }

// storeLocked adds a load balancer to the service's indexes.
func (c *CLB) storeLocked(lb *loadBalancer) {
	c.lbs[lb.ID] = lb
	m := c.byTenant[lb.Tenant]
	if m == nil {
		m = map[int]*loadBalancer{}
		c.byTenant[lb.Tenant] = m
	}
	m[lb.ID] = lb
}

// purgeLocked forgets a load balancer.
func (c *CLB) purgeLocked(lb *loadBalancer) {
	delete(c.lbs, lb.ID)
	if m := c.byTenant[lb.Tenant]; m != nil {
		delete(m, lb.ID)
		if len(m) == 0 {
			delete(c.byTenant, lb.Tenant)
		}
	}
}
