package compute

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "compute"

// Compute is the fake Nova of one region. It is an http.Handler that knows
// nothing of where it is mounted; [NewServer] starts it on its own port.
type Compute struct {
	svc       *fake.Service
	env       fake.Env
	region    string
	durations Durations
	quota     Quota
	zones     []string
	hosts     []string

	mu              sync.Mutex
	servers         map[string]*server
	byProject       map[string][]*server // each project's servers, newest first (Nova's list order)
	instanceCounter int
	flavors         map[string]*Flavor
	images          map[string]*Image
	keypairs        map[string]map[string]*Keypair // user ID -> name -> keypair
	groups          map[string]*ServerGroup
	quotas          map[string]Quota // per-project overrides
	behaviors       []*createBehavior
	attachCounter   int
	noDefaults      bool
	snapshotSeq     map[string]int // image ID -> order taken, for backup rotation
}

// Option configures a Compute.
type Option func(*Compute)

// WithEnv shares a clock, fault table, journal, random source and token
// check with other services (a Cloud does this).
func WithEnv(env fake.Env) Option { return func(c *Compute) { c.env = env } }

// WithClock uses clk for every transition.
func WithClock(clk *clock.Clock) Option { return func(c *Compute) { c.env.Clock = clk } }

// WithSeed seeds the random source behind IDs, passwords and addresses.
func WithSeed(seed int64) Option { return func(c *Compute) { c.env.RNG = fake.NewRNG(seed) } }

// WithRegion names the region (recorded in the journal). Default RegionOne.
func WithRegion(region string) Option { return func(c *Compute) { c.region = region } }

// WithDurations sets how long each transition takes on the shared clock.
func WithDurations(d Durations) Option { return func(c *Compute) { c.durations = d } }

// WithQuota sets the default quota of every project.
func WithQuota(q Quota) Option { return func(c *Compute) { c.quota = q } }

// WithAvailabilityZones names the zones (default "nova").
func WithAvailabilityZones(zones ...string) Option {
	return func(c *Compute) { c.zones = append([]string(nil), zones...) }
}

// WithHosts names the fake hypervisor hosts servers are placed on.
func WithHosts(hosts ...string) Option {
	return func(c *Compute) { c.hosts = append([]string(nil), hosts...) }
}

// WithoutDefaults starts with no flavors and no images (seed your own).
func WithoutDefaults() Option { return func(c *Compute) { c.noDefaults = true } }

// New returns an unstarted compute service with the default flavors and
// images seeded.
func New(opts ...Option) *Compute {
	c := &Compute{
		region:    "RegionOne",
		durations: DefaultDurations(),
		quota:     DefaultQuota(),
		zones:     []string{"nova"},
		hosts:     []string{"compute-0", "compute-1", "compute-2"},
		servers:   map[string]*server{},
		byProject: map[string][]*server{},
		flavors:   map[string]*Flavor{},
		images:    map[string]*Image{},
		keypairs:  map[string]map[string]*Keypair{},
		groups:    map[string]*ServerGroup{},
		quotas:    map[string]Quota{},
	}
	for _, o := range opts {
		o(c)
	}
	// Placement indexes these; an empty list would panic under the lock.
	if len(c.zones) == 0 {
		c.zones = []string{"nova"}
	}
	if len(c.hosts) == 0 {
		c.hosts = []string{"compute-0"}
	}
	c.env = c.env.Complete()
	c.svc = fake.NewService(ServiceName, c.routes, c.env, writeNovaError)
	c.svc.Region = c.region
	c.svc.PublicOps = map[string]bool{
		OpVersions: true, OpVersionV21: true, OpVersionV2: true,
		// Mimic's control API takes no token.
		OpControlAddBehavior: true, OpControlDeleteBehavior: true, OpControlAttributes: true,
	}
	if !c.noDefaults {
		c.seedDefaults()
	}
	return c
}

// HTTPServer is a Compute started on its own loopback port. (Server is
// the name of the thing Nova serves.)
type HTTPServer struct {
	*Compute
	srv *fake.Server
}

// NewServer starts a compute service and closes it when the test ends.
// Without a shared Env it checks no tokens: any X-Auth-Token (or none) is
// accepted and the project is the one in the URL.
func NewServer(t fake.TB, opts ...Option) *HTTPServer {
	t.Helper()
	c := New(opts...)
	return &HTTPServer{Compute: c, srv: fake.StartServer(t, c, c.Close)}
}

// URL is the server's root; the API is at URL()+"/v2.1/{project_id}".
func (s *HTTPServer) URL() string { return s.srv.URL() }

// Client returns an HTTP client for the server.
func (s *HTTPServer) Client() *http.Client { return s.srv.Client() }

// Close stops the server; it is idempotent.
func (s *HTTPServer) Close() { s.srv.Close() }

// ServeHTTP serves the Nova API.
func (c *Compute) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.svc.ServeHTTP(w, r) }

// Handler returns the service as an http.Handler, for embedding.
func (c *Compute) Handler() http.Handler { return c.svc }

// Close cancels in-flight fault delays; it is idempotent.
func (c *Compute) Close() { c.svc.Close() }

// Region is the region this compute serves.
func (c *Compute) Region() string { return c.region }

// Requests returns this service's journal entries, for its region only.
func (c *Compute) Requests() []fake.Request { return c.svc.Requests() }

// ResetRequests forgets this service's (and region's) journal entries.
func (c *Compute) ResetRequests() { c.svc.ResetRequests() }

// Inject adds a fault rule scoped to this service and region.
func (c *Compute) Inject(f fake.Fault) *fake.FaultHandle { return c.svc.Inject(f) }

// Clock returns the clock transitions run on.
func (c *Compute) Clock() *clock.Clock { return c.env.Clock }

func (c *Compute) now() time.Time { return c.env.Clock.Now() }

// routes registers every route under both API roots: OpenStack's
// /v2.1/{project_id} and Rackspace's (and legacy Nova's) /v2/{project_id}.
func (c *Compute) routes() *mux.Router {
	r := mux.NewRouter()
	r.HandleFunc("/", c.versions).Methods("GET").Name(OpVersions)
	r.HandleFunc("/v2.1", c.versionV21).Methods("GET").Name(OpVersionV21)
	r.HandleFunc("/v2.1/", c.versionV21).Methods("GET").Name(OpVersionV21)
	r.HandleFunc("/v2", c.versionV2).Methods("GET").Name(OpVersionV2)
	r.HandleFunc("/v2/", c.versionV2).Methods("GET").Name(OpVersionV2)
	c.controlRoutes(r)
	// Full templates on the root router rather than PathPrefix subrouters:
	// gorilla/mux 1.8.1 loses a method mismatch inside a subrouter and
	// answers 404 where Nova answers 405.
	for _, root := range []string{"/v2.1/{project_id}", "/v2/{project_id}"} {
		c.apiRoutes(r, root)
	}
	return r
}

// apiRoutes registers the route table under one root. Both roots share
// the route names: an operation has one name however it is reached.
func (c *Compute) apiRoutes(r *mux.Router, root string) {
	for _, rt := range c.routeTable() {
		r.Handle(root+rt.path, c.checkRequest(rt.handler)).Methods(rt.methods...).Name(rt.op)
	}
}

// apiRoute is one row of the route table.
type apiRoute struct {
	op      string
	methods []string
	path    string
	handler http.HandlerFunc
}

// checkRequest applies what every API route shares: the microversion
// header and the project check.
func (c *Compute) checkRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := negotiateVersion(r)
		if err != nil {
			writeNovaError(w, r, err.Status, err.Message)
			return
		}
		if versionRoot(r) != "/v2" {
			// The legacy root strips the microversion headers from
			// responses too (Nova's LegacyV2CompatibleWrapper).
			setVersionHeaders(w, v)
		}
		project := mux.Vars(r)["project_id"]
		if p, out := fake.OutOfScope(r, project); out {
			writeNovaError(w, r, http.StatusBadRequest, "Malformed request URL: URL's project_id '"+project+
				"' doesn't match Context's project_id '"+p.ProjectID+"'")
			return
		}
		next.ServeHTTP(w, r.WithContext(withVersion(r.Context(), v)))
	})
}

// caller is who makes a request: the token's user and project, or, with
// no token check, an anonymous user in the URL's project.
type caller struct {
	userID    string
	projectID string
	admin     bool
}

func callerOf(r *http.Request) caller {
	project := mux.Vars(r)["project_id"]
	if p, ok := fake.PrincipalFrom(r.Context()); ok {
		return caller{userID: p.UserID, projectID: project, admin: p.HasRole("admin")}
	}
	return caller{userID: "user-" + project, projectID: project}
}

// novaFaultNames are the keys of Nova's error bodies by status.
var novaFaultNames = map[int]string{
	400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
	405: "badMethod", 409: "conflictingRequest", 413: "overLimit", 415: "badMediaType",
	429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable",
}

// writeNovaError writes {"<fault>": {"code", "message"}} as Nova does.
func writeNovaError(w http.ResponseWriter, _ *http.Request, status int, message string) {
	name, ok := novaFaultNames[status]
	if !ok {
		name = "computeFault"
	}
	fake.WriteJSON(w, status, map[string]any{name: map[string]any{"code": status, "message": message}})
}

func writeErr(w http.ResponseWriter, r *http.Request, err *fake.Error) {
	writeNovaError(w, r, err.Status, err.Message)
}

func badRequest(format string, args ...any) *fake.Error {
	return fake.Errorf(http.StatusBadRequest, format, args...)
}

func notFound(format string, args ...any) *fake.Error {
	return fake.Errorf(http.StatusNotFound, format, args...)
}

func conflict(format string, args ...any) *fake.Error {
	return fake.Errorf(http.StatusConflict, format, args...)
}

func forbidden(format string, args ...any) *fake.Error {
	return fake.Errorf(http.StatusForbidden, format, args...)
}
