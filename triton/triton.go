package triton

import (
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// ServiceName is the name of this fake in journals and fault rules. Each of
// its APIs is journaled under this name with the API as the region
// ("triton/vmapi"), so Requests("triton") is all of them and a fault with
// Service "triton", Region "cnapi" is CNAPI's alone.
const ServiceName = "triton"

// The APIs of one data center, as named in journals, faults and
// [Triton.Origins].
const (
	CloudAPI = "cloudapi"
	VMAPI    = "vmapi"
	CNAPI    = "cnapi"
	NAPI     = "napi"
)

// Triton is one fake Triton data center: compute nodes (CNAPI), VMs (VMAPI)
// and networks (NAPI) in one state behind one mutex, each API a kit.Service
// of its own with its own route table, served at the root of its own
// origin. It embeds CloudAPI's kit.Service (URL, Client, Handler, Start,
// Close …): [New] starts CloudAPI on a loopback port, [Triton.VMAPIURL],
// [Triton.CNAPIURL] and [Triton.NAPIURL] are the others'.
type Triton struct {
	*kitService // CloudAPI

	vmapi, cnapi, napi *kit.Service

	cfg config

	mu   sync.Mutex
	ids  *kit.RNG // every ID the DC hands out
	cids *kit.RNG // CloudAPI's accounts, packages and images: seeding them shifts no VM's ID
	dc   dc
}

// kitService is kit.Service under another name, so that the inspection
// method Server(uuid) does not clash with an embedded field named Service.
type kitService = kit.Service

// Option configures a Triton: the shared fake.WithClock and fake.WithSeed
// (on its own; a Cloud refuses them) and this package's own.
type Option = fake.Option

// Durations are how long things take on the shared clock.
type Durations struct {
	// Step is one workflow step of a VMAPI job (a provision has a dozen).
	Step time.Duration
	// Task is a cn-agent task (agent install, server setup …).
	Task time.Duration
	// Boot is how long a rebooting compute node is silent.
	Boot time.Duration
}

// DefaultDurations are 500 ms per job step, 2 s per task and a 60 s boot.
func DefaultDurations() Durations {
	return Durations{Step: 500 * time.Millisecond, Task: 2 * time.Second, Boot: time.Minute}
}

// Instant makes jobs and tasks finish as soon as they are created (a
// reboot still takes one heartbeat to come back).
func Instant() Durations { return Durations{} }

type config struct {
	durations  Durations
	datacenter string
	servers    int
	vmCap      int
	strictAuth bool
}

// WithDurations sets job, task and boot durations.
func WithDurations(d Durations) Option {
	return fake.Configure(func(c *config) { c.durations = d })
}

// WithDatacenter names the data center (default "coal").
func WithDatacenter(name string) Option {
	return fake.Configure(func(c *config) { c.datacenter = name })
}

// WithServers seeds n compute nodes of [DefaultProfile] at start.
func WithServers(n int) Option {
	return fake.Configure(func(c *config) { c.servers = n })
}

// WithVMCap sets the allocator's per-server VM cap (sdc-designation's
// hard-filter-vm-count; default 224).
func WithVMCap(n int) Option {
	return fake.Configure(func(c *config) { c.vmCap = n })
}

func defaultConfig() config {
	return config{durations: DefaultDurations(), datacenter: "coal", vmCap: 224}
}

// New starts a Triton data center (each API on a loopback port of its own)
// and closes it when the test ends.
func New(t fake.TB, opts ...Option) *Triton {
	t.Helper()
	return factory().New(t, opts)
}

// NewUnstarted returns a Triton that is not listening anywhere: serve
// Handler() (CloudAPI) and Origins() yourself, and Close it when done.
func NewUnstarted(opts ...Option) (*Triton, error) { return factory().NewUnstarted(opts) }

func factory() kit.Factory[*Triton, config] {
	return kit.Factory[*Triton, config]{Name: ServiceName, Config: defaultConfig, Build: build}
}

// Descriptor is how a Cloud mounts Triton: once, not per region, with
// CloudAPI at the root of an origin of its own (triton-go drops any path)
// and VMAPI, CNAPI and NAPI at origins of their own too ([Triton.Origins]),
// reached with Cloud.ServiceURL("triton/vmapi", "") …. No catalog entry,
// and no Keystone token check: Triton's internal APIs have no auth.
func Descriptor() kit.Descriptor {
	return kit.Descriptor{
		Name:      ServiceName,
		Prefix:    "/triton",
		OwnOrigin: true,
		New:       factory().InCloud,
	}
}

func build(env kit.Env, _ kit.Site, cfg config) (*Triton, error) {
	t := &Triton{cfg: cfg}
	if t.cfg.vmCap <= 0 {
		t.cfg.vmCap = 224
	}
	spec := func(api string, routes func() []kit.Route) kit.Spec {
		return kit.Spec{
			Name:             ServiceName,
			Routes:           routes,
			Errors:           renderError,
			Unauthenticated:  true,
			NotFound:         notFound,
			RequestIDHeaders: []string{"x-request-id"},
			BareRequestIDs:   true, // restify's: a UUID
		}
	}
	cloudapi := spec(CloudAPI, t.cloudapiRoutes)
	cloudapi.RequestIDHeaders = []string{"request-id"} // restify's
	t.kitService = kit.NewService(env, CloudAPI, cloudapi)
	t.vmapi = kit.NewService(env, VMAPI, spec(VMAPI, t.vmapiRoutes))
	t.cnapi = kit.NewService(env, CNAPI, spec(CNAPI, t.cnapiRoutes))
	t.napi = kit.NewService(env, NAPI, spec(NAPI, t.napiRoutes))
	t.ids = t.RNGStream("dc")
	t.cids = t.RNGStream("cloudapi")
	t.dc.init(cfg.datacenter, t.Now())
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.seedNetworksLocked(); err != nil {
		return nil, err
	}
	t.seedCatalogLocked()
	if cfg.servers > 0 {
		t.addServersLocked(cfg.servers, DefaultProfile(), t.Now())
	}
	return t, nil
}

// Region is "": a Triton is one data center, not per region (its APIs are
// journaled with their name as the region).
func (t *Triton) Region() string { return "" }

// Origins are the APIs other than CloudAPI, each to be served at the root
// of an origin of its own: "vmapi", "cnapi", "napi". A Cloud gives each a
// listener and names it "triton/vmapi" ….
func (t *Triton) Origins() map[string]http.Handler {
	return map[string]http.Handler{VMAPI: t.vmapi, CNAPI: t.cnapi, NAPI: t.napi}
}

// API is the kit.Service of one API: CloudAPI, VMAPI, CNAPI or NAPI; nil
// for another name.
func (t *Triton) API(name string) *kit.Service {
	switch name {
	case CloudAPI:
		return t.kitService
	case VMAPI:
		return t.vmapi
	case CNAPI:
		return t.cnapi
	case NAPI:
		return t.napi
	}
	return nil
}

// Start serves every API on a loopback port of its own. Starting twice
// panics.
func (t *Triton) Start() {
	t.kitService.Start()
	t.vmapi.Start()
	t.cnapi.Start()
	t.napi.Start()
}

// VMAPIURL is VMAPI's root URL once started on its own ([New]); in a Cloud
// use Cloud.ServiceURL("triton/vmapi", "").
func (t *Triton) VMAPIURL() string { return t.vmapi.URL() }

// CNAPIURL is CNAPI's root URL once started on its own.
func (t *Triton) CNAPIURL() string { return t.cnapi.URL() }

// NAPIURL is NAPI's root URL once started on its own.
func (t *Triton) NAPIURL() string { return t.napi.URL() }

// Close stops every API; it is idempotent.
func (t *Triton) Close() {
	t.vmapi.Close()
	t.cnapi.Close()
	t.napi.Close()
	t.kitService.Close()
}

// Ops lists every op of the four APIs, sorted.
func (t *Triton) Ops() []string {
	var out []string
	for _, s := range []*kit.Service{t.kitService, t.vmapi, t.cnapi, t.napi} {
		out = append(out, s.Ops()...)
	}
	sort.Strings(out)
	return out
}

// Requests is what every API of the data center saw, in order.
func (t *Triton) Requests() []fake.Request { return t.Env().Journal.Requests(ServiceName) }

// Advance moves the clock (shared, in a Cloud) forward by d.
func (t *Triton) Advance(d time.Duration) time.Time { return t.Clock().Advance(d) }

// OpCloudAPIPing is CloudAPI's GET /--ping, the one route without auth.
const OpCloudAPIPing = "triton.cloudapi.ping"
