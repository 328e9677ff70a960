package compute

import (
	"net/http"
	"sync"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "compute"

// DefaultRegion is the region of a compute built on its own, without
// fake.WithRegion.
const DefaultRegion = "RegionOne"

// Compute is the fake Nova of one region. The embedded kit.Service makes
// it an http.Handler that knows nothing of where it is mounted, and gives
// it URL, Client, Handler, Close, Clock, Requests and Inject; [New] starts
// it on a loopback port of its own.
type Compute struct {
	*kit.Service
	durations Durations
	quota     Quota
	zones     []string
	hosts     []string
	anyRefs   bool // AnyRefs: image and flavor references are not checked
	// mimicShapes: MimicShapes
	mimicShapes bool

	// behaviors are the creation behaviors, with an own lock and counter IDs.
	behaviors *kit.Registry[*createBehavior]

	mu              sync.Mutex
	servers         map[string]*server
	byProject       map[string][]*server // each project's servers, newest first (Nova's list order)
	instanceCounter int
	flavors         map[string]*Flavor
	images          map[string]*Image
	keypairs        map[string]map[string]*Keypair // user ID -> name -> keypair
	groups          map[string]*ServerGroup
	quotas          map[string]Quota // per-project overrides
	attachCounter   int
	snapshotSeq     map[string]int       // image ID -> order taken, for backup rotation
	admin           adminState           // services, aggregates, migrations … (admin.go)
	secGroups       map[string]*secGroup // os-security-groups by ID, made on first use
}

// Option configures a Compute: the shared fake.WithClock, fake.WithSeed and
// fake.WithRegion (on its own; a Cloud owns them), and this package's own.
type Option = fake.Option

// config is what this package's own options set.
type config struct {
	durations  Durations
	quota      Quota
	zones      []string
	hosts      []string
	noDefaults bool
	reclaim    time.Duration // reclaim_instance_interval: soft delete when > 0
	anyRefs    bool          // AnyRefs
	shapes     bool          // MimicShapes
	noTokens   bool          // WithoutTokens
}

func defaultConfig() config {
	return config{
		durations: DefaultDurations(),
		quota:     DefaultQuota(),
		zones:     []string{"nova"},
		hosts:     []string{"compute-0", "compute-1", "compute-2"},
	}
}

// WithDurations sets how long each transition takes on the shared clock.
func WithDurations(d Durations) Option {
	return fake.Configure(func(c *config) { c.durations = d })
}

// WithQuota sets the default quota of every project.
func WithQuota(q Quota) Option { return fake.Configure(func(c *config) { c.quota = q }) }

// WithAvailabilityZones names the zones (default "nova").
func WithAvailabilityZones(zones ...string) Option {
	zones = append([]string(nil), zones...)
	return fake.Configure(func(c *config) { c.zones = zones })
}

// WithHosts names the fake hypervisor hosts servers are placed on.
func WithHosts(hosts ...string) Option {
	hosts = append([]string(nil), hosts...)
	return fake.Configure(func(c *config) { c.hosts = hosts })
}

// WithoutDefaults starts with no flavors and no images (seed your own).
func WithoutDefaults() Option { return fake.Configure(func(c *config) { c.noDefaults = true }) }

// New starts a compute service on a loopback port and closes it when the
// test ends; an option it refuses fails the test. Without a Cloud it
// checks no tokens: any X-Auth-Token (or none) is accepted and the project
// is the one in the URL. The API is at URL()+"/v2.1/{project_id}".
func New(t fake.TB, opts ...Option) *Compute {
	t.Helper()
	return factory().New(t, opts)
}

// NewUnstarted returns a compute service that is not started, for
// embedding: serve c.Handler() yourself, and Close it when done.
func NewUnstarted(opts ...Option) (*Compute, error) { return factory().NewUnstarted(opts) }

func factory() kit.Factory[*Compute, config] {
	return kit.Factory[*Compute, config]{Name: ServiceName, DefaultRegion: DefaultRegion, Config: defaultConfig, Build: build}
}

// Descriptor is how a Cloud mounts compute: once per region at
// /compute/{region}, listed in the catalog as "nova" (/v2.1/{project_id}),
// "cloudServersOpenStack" (/v2/{tenant_id}) and Mimic's control API
// "cloudServersBehavior" (/control/v2/{tenant_id}).
func Descriptor() kit.Descriptor {
	return kit.Descriptor{
		Name:      ServiceName,
		Prefix:    "/compute",
		PerRegion: true,
		Catalog: []kit.CatalogEntry{
			{Type: "compute", Name: "nova", Path: "/v2.1/{project_id}"},
			{Type: "compute", Name: "cloudServersOpenStack", Path: "/v2/{tenant_id}"},
			{Type: "compute", Name: "cloudServersBehavior", Path: "/control/v2/{tenant_id}"},
		},
		Presets: func() map[string]any { return map[string]any{"servers": Presets()} },
		New:     factory().InCloud,
	}
}

// build is every constructor: the default flavors and images seeded.
func build(env kit.Env, site kit.Site, cfg config) (*Compute, error) {
	// Placement indexes these; an empty list would panic under the lock.
	if len(cfg.zones) == 0 {
		cfg.zones = []string{"nova"}
	}
	if len(cfg.hosts) == 0 {
		cfg.hosts = []string{"compute-0"}
	}
	c := &Compute{
		durations:   cfg.durations,
		quota:       cfg.quota,
		zones:       cfg.zones,
		hosts:       cfg.hosts,
		anyRefs:     cfg.anyRefs,
		mimicShapes: cfg.shapes,
		behaviors:   kit.NewRegistry[*createBehavior](kit.CounterUUID),
		servers:     map[string]*server{},
		byProject:   map[string][]*server{},
		flavors:     map[string]*Flavor{},
		images:      map[string]*Image{},
		keypairs:    map[string]map[string]*Keypair{},
		groups:      map[string]*ServerGroup{},
		quotas:      map[string]Quota{},
		admin:       newAdminState(cfg.reclaim),
	}
	c.Service = kit.NewService(env, site.Region, kit.Spec{
		Name:   ServiceName,
		Routes: c.routes,
		Errors: novaError,
		// Tempest reads the request ID after every create; instance
		// actions are looked up by it.
		RequestIDHeaders: []string{"X-Openstack-Request-Id", "X-Compute-Request-Id"},
		Unauthenticated:  cfg.noTokens,
	})
	c.admin.started = c.Now()
	if !cfg.noDefaults {
		c.seedDefaults()
	}
	return c, nil
}

// caller is who makes a request: the token's user and project, or, with
// no token check, an anonymous user in the URL's project.
type caller struct {
	userID    string
	projectID string
	admin     bool
}

func callerOf(call *kit.Call) caller {
	project := call.Var("project_id")
	if call.Authenticated {
		return caller{userID: call.Principal.UserID, projectID: project, admin: call.Principal.HasRole("admin")}
	}
	return caller{userID: "user-" + project, projectID: project}
}

// novaFaultNames are the keys of Nova's error bodies by status.
var novaFaultNames = map[int]string{
	400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
	405: "badMethod", 409: "conflictingRequest", 413: "overLimit", 415: "badMediaType",
	429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable",
}

// novaFault is the member of Nova's error body.
type novaFault struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// novaError renders {"<fault>": {"code", "message"}} as Nova does.
func novaError(_ *http.Request, e *kit.Error) kit.Reply {
	name, ok := novaFaultNames[e.Status]
	if !ok {
		name = "computeFault"
	}
	return kit.JSON(e.Status, map[string]novaFault{name: {Code: e.Status, Message: e.Message}})
}
