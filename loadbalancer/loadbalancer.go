package loadbalancer

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "loadbalancer"

// CLB is the fake Cloud Load Balancers service of one region. It
// is an http.Handler that knows nothing of where it is mounted; [NewServer]
// starts it on its own port.
type CLB struct {
	svc       *fake.Service
	env       fake.Env
	region    string
	durations Durations
	limits    AbsoluteLimits
	domains   []string

	mu        sync.Mutex
	lbs       map[int]*loadBalancer
	byTenant  map[string]map[int]*loadBalancer
	vips      map[int]*sharedVIP
	behaviors []*createBehavior
	seq       idSeq
}

// idSeq hands out the numeric IDs the API uses. Each kind counts up from a
// base drawn once from the seeded random source.
type idSeq struct {
	lb, node, vip, item, meta, event, cert, usage int
	public4, service4, public6                    int
}

// Option configures a CLB.
type Option func(*CLB)

// WithEnv shares a clock, fault table, journal, random source and token
// check with other services (a Cloud does this).
func WithEnv(env fake.Env) Option { return func(c *CLB) { c.env = env } }

// WithClock uses clk for every transition.
func WithClock(clk *clock.Clock) Option { return func(c *CLB) { c.env.Clock = clk } }

// WithSeed seeds the random source behind IDs.
func WithSeed(seed int64) Option { return func(c *CLB) { c.env.RNG = fake.NewRNG(seed) } }

// WithRegion names the region (recorded in the journal, shown in cluster
// names). Default DFW.
func WithRegion(region string) Option { return func(c *CLB) { c.region = region } }

// WithDurations sets how long BUILD, PENDING_UPDATE and PENDING_DELETE last
// on the shared clock, and how long DELETED load balancers stay visible.
func WithDurations(d Durations) Option { return func(c *CLB) { c.durations = d } }

// WithAbsoluteLimits replaces the account's absolute limits (what
// /loadbalancers/absolutelimits reports and what the API enforces). A limit
// of zero or less is not enforced.
func WithAbsoluteLimits(l AbsoluteLimits) Option { return func(c *CLB) { c.limits = l } }

// WithAllowedDomains sets the domains whose host names are accepted as node
// addresses (default rackspace.com and rackspacecloud.com).
func WithAllowedDomains(domains ...string) Option {
	return func(c *CLB) { c.domains = append([]string(nil), domains...) }
}

// New returns an unstarted load balancer service.
func New(opts ...Option) *CLB {
	c := &CLB{
		region:    "DFW",
		durations: DefaultDurations(),
		limits:    DefaultAbsoluteLimits(),
		domains:   []string{"rackspace.com", "rackspacecloud.com"},
		lbs:       map[int]*loadBalancer{},
		byTenant:  map[string]map[int]*loadBalancer{},
		vips:      map[int]*sharedVIP{},
	}
	for _, o := range opts {
		o(c)
	}
	c.env = c.env.Complete()
	rng := c.env.RNG
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
	c.svc = fake.NewService(ServiceName, c.routes, c.env, writeCLBError)
	c.svc.Region = c.region
	c.svc.PublicOps = map[string]bool{
		// Mimic's control API takes no token.
		OpControlSetAttributes: true, OpControlSetNodeStatus: true,
	}
	return c
}

// HTTPServer is a CLB started on its own loopback port.
type HTTPServer struct {
	*CLB
	srv *fake.Server
}

// NewServer starts a load balancer service and closes it when the test
// ends. Without a shared Env it checks no tokens: any X-Auth-Token (or none)
// is accepted and the tenant is the one in the URL.
func NewServer(t fake.TB, opts ...Option) *HTTPServer {
	t.Helper()
	c := New(opts...)
	return &HTTPServer{CLB: c, srv: fake.StartServer(t, c, c.Close)}
}

// URL is the server's root; the API is at URL()+"/v1.0/{tenant_id}".
func (s *HTTPServer) URL() string { return s.srv.URL() }

// Client returns an HTTP client for the server.
func (s *HTTPServer) Client() *http.Client { return s.srv.Client() }

// Close stops the server; it is idempotent.
func (s *HTTPServer) Close() { s.srv.Close() }

// ServeHTTP serves the Cloud Load Balancers API and Mimic's control API.
func (c *CLB) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.svc.ServeHTTP(w, r) }

// Handler returns the service as an http.Handler, for embedding.
func (c *CLB) Handler() http.Handler { return c.svc }

// Close cancels in-flight fault delays; it is idempotent.
func (c *CLB) Close() { c.svc.Close() }

// Region is the region this service serves.
func (c *CLB) Region() string { return c.region }

// Requests returns this service's journal entries, for its region only.
func (c *CLB) Requests() []fake.Request { return c.svc.Requests() }

// ResetRequests forgets this service's (and region's) journal entries.
func (c *CLB) ResetRequests() { c.svc.ResetRequests() }

// Inject adds a fault rule scoped to this service and region.
func (c *CLB) Inject(f fake.Fault) *fake.FaultHandle { return c.svc.Inject(f) }

// Clock returns the clock transitions run on.
func (c *CLB) Clock() *clock.Clock { return c.env.Clock }

func (c *CLB) now() time.Time { return c.env.Clock.Now() }

// apiRoute is one row of the route table.
type apiRoute struct {
	op      string
	method  string
	path    string
	handler handlerFunc
}

// routes registers the API under Rackspace's root /v1.0/{tenant_id} and
// under /v2/{tenant_id}, the root Mimic's catalog hands out, plus Mimic's
// control API.
func (c *CLB) routes() *mux.Router {
	r := mux.NewRouter()
	c.controlRoutes(r)
	var table []apiRoute
	for _, part := range [][]apiRoute{
		// Fixed paths under /loadbalancers/ come before /loadbalancers/{lb_id}.
		c.accountRoutes(), c.usageRoutes(), c.loadBalancerRoutes(), c.nodeRoutes(), c.virtualIPRoutes(),
		c.healthMonitorRoutes(), c.settingsRoutes(), c.accessListRoutes(), c.sslRoutes(),
		c.metadataRoutes(),
	} {
		table = append(table, part...)
	}
	// Full templates on the root router rather than PathPrefix subrouters:
	// gorilla/mux 1.8.1 loses a method mismatch inside a subrouter and
	// answers 404 where the API answers 405.
	for _, root := range []string{"/v1.0/{tenant_id}", "/v2/{tenant_id}"} {
		for _, rt := range table {
			r.Handle(root+rt.path, c.checkTenant(c.serve(rt.handler))).Methods(rt.method).Name(rt.op)
		}
	}
	return r
}

// checkTenant is the tenant check: with authentication on, the token must
// belong to the tenant in the URL (or carry the admin role). Rackspace's
// auth layer answers a mismatch with 401.
func (c *CLB) checkTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := mux.Vars(r)["tenant_id"]
		if _, out := fake.OutOfScope(r, tenant); out {
			writeCLBError(w, r, http.StatusUnauthorized,
				"The token is not authorized for tenant '"+tenant+"'.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func tenantOf(r *http.Request) string { return mux.Vars(r)["tenant_id"] }

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
