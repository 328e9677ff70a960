package kit

import (
	"net/http"

	"github.com/mockcloud/mockcloud/fake"
)

// Descriptor is what a service package tells a Cloud about itself. The
// Cloud mounts services from their descriptors alone: adding a service to
// mockcloud is a descriptor plus a typed accessor on the Cloud.
type Descriptor struct {
	// Name is the service's name, as in its Spec ("compute").
	Name string
	// Prefix is where a Cloud mounts it ("/compute"); a per-region service
	// is mounted once per region at Prefix + "/" + region.
	Prefix    string
	PerRegion bool
	// OwnOrigin services must be served at the root of an origin of their
	// own, because their clients drop any path in the URL they are given
	// (triton's CloudAPI); a Cloud gives them a listener of their own.
	OwnOrigin bool
	// Catalog lists the entries the service has in identity's catalog, with
	// paths relative to where it is mounted.
	Catalog []CatalogEntry
	// RootPaths are path prefixes at the Cloud's root that the Cloud hands
	// to this service unchanged (Mimic's /mimic/v1.1/IdentityControlAPI/).
	RootPaths []string
	// Presets lists Mimic's metadata presets the service honours, by the key
	// of GET /mimic/v1.0/presets they appear under; nil for none.
	Presets func() map[string]any
	// New builds the service inside a Cloud: env is the Cloud's, site says
	// where it is mounted, opts are the user's options for this service.
	// It refuses the shared options (fake.WithClock, WithSeed, WithRegion,
	// WithJournalLimit): the Cloud owns them.
	New func(env Env, site Site, opts []fake.Option) (Instance, error)
}

// Site is where a Cloud mounts one instance of a service.
type Site struct {
	Region  string   // this instance's region; "" for a service not per region
	Regions []string // every region of the Cloud
}

// Instance is a service built from a Descriptor.
type Instance interface {
	http.Handler
	Name() string
	Region() string
	Ops() []string
	Close()
}

// Origins is an Instance with further APIs, each to be served at the root
// of an origin of its own (Triton's VMAPI, CNAPI and NAPI beside CloudAPI):
// a Cloud gives each a listener at Start, names it after the instance and
// the API ("triton/vmapi"), lists it in GET / and reaches it in memory.
type Origins interface {
	Origins() map[string]http.Handler
}

// Controls is an Instance with calls of its own in a Cloud's control API
// (chaos and seeding over HTTP: Triton's compute nodes). A Cloud serves
// its ControlRoutes under /mockcloud/v1/<instance> ("/mockcloud/v1/triton"
// + "/servers"), with the control API's errors, neither journaled nor
// faulted; paths are relative to that root.
type Controls interface {
	ControlRoutes() []Route
}

// Fallback is an Instance that also serves, at a Cloud's root, the paths
// no service owns (programmable routes): Fallback wraps next, the Cloud's
// answer to those paths, which gets what the instance does not take.
type Fallback interface {
	Fallback(next http.Handler) http.Handler
}

// Authority is the instance that issues tokens (identity): a Cloud checks
// every other service's tokens with it and gives it the catalog.
type Authority interface {
	Instance
	Authenticator() Authenticator
	AddCatalogServices(services ...CatalogService)
}

// CatalogEntry is one entry a service has in the catalog.
type CatalogEntry struct {
	Type string // "compute", "rax:load-balancer" …
	Name string // "nova", "cloudServersOpenStack" …
	// Path is the endpoint under the service's mount point
	// ("/v2.1/{project_id}"); "{tenant_id}" and "{project_id}" are replaced
	// with the token's project.
	Path string
}

// CatalogService is one service in identity's catalog.
type CatalogService struct {
	ID        string // generated when empty
	Type      string // "compute", "rax:load-balancer" …
	Name      string // "nova", "cloudServersOpenStack" …
	Endpoints []CatalogEndpoint
}

// CatalogEndpoint is one endpoint of a catalog entry.
//
// URL is either absolute or a path from the host root ("/compute/ORD/v2/{tenant_id}"),
// which is resolved against the scheme and host the client used to reach
// identity, so the catalog is right however the client names the server.
// "{tenant_id}" and "{project_id}" are replaced with the token's project.
type CatalogEndpoint struct {
	ID        string // generated when empty
	Region    string
	Interface string // "public", "internal" or "admin"; empty means all three
	URL       string
}

// Settle is how a service constructor reads its options: it collects
// opts, refuses the shared ones when inCloud (the Cloud owns the clock, the
// seed and the region), and applies the service's own to cfg.
func Settle[C any](name string, opts []fake.Option, inCloud bool, cfg *C) (fake.Settings, error) {
	s := fake.Collect(opts)
	if inCloud {
		if shared := s.Shared(); len(shared) > 0 {
			return s, &OptionError{Service: name, Reason: "fake." + shared[0] + " cannot be given to one service of a Cloud: the Cloud's clock, seed, regions and journal are shared (use the Cloud's own option)"}
		}
	}
	if err := fake.ApplyTo(s, cfg); err != nil {
		return s, &OptionError{Service: name, Reason: err.Error()}
	}
	return s, nil
}

// OptionError is an option a service refused.
type OptionError struct {
	Service string
	Reason  string
}

func (e *OptionError) Error() string { return "mockcloud: " + e.Service + ": " + e.Reason }
