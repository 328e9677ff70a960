package identity

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "identity"

// MimicControlPath is where Mimic's identity control API lives. A Cloud
// hands paths under it to identity unchanged, at the Cloud's root.
const MimicControlPath = "/mimic/v1.1/IdentityControlAPI/"

// Route names, for faults and journal filters.
const (
	OpVersions          = "identity.versions"
	OpV3Root            = "identity.v3"
	OpV3CreateToken     = "identity.v3.tokens.create"
	OpV3ValidateToken   = "identity.v3.tokens.validate"
	OpV3CheckToken      = "identity.v3.tokens.check"
	OpV3RevokeToken     = "identity.v3.tokens.revoke"
	OpV3Catalog         = "identity.v3.auth.catalog"
	OpV3AuthProjects    = "identity.v3.auth.projects"
	OpV3ListProjects    = "identity.v3.projects.list"
	OpV3GetProject      = "identity.v3.projects.get"
	OpV3UserProjects    = "identity.v3.users.projects"
	OpV2Root            = "identity.v2"
	OpV2CreateToken     = "identity.v2.tokens.create"
	OpV2ValidateToken   = "identity.v2.tokens.validate"
	OpV2TokenEndpoints  = "identity.v2.tokens.endpoints"
	OpV2ListTenants     = "identity.v2.tenants.list"
	OpV2ListUsers       = "identity.v2.users.list"
	OpV2UserCredentials = "identity.v2.users.credentials"
	OpRaxAPIKey         = "identity.rax.apikey"
	OpRaxImpersonate    = "identity.rax.impersonate"
	OpRaxMosso          = "identity.rax.mosso"
	OpMimicAddBehavior  = "identity.mimic.behaviors.create"
	OpMimicDelBehavior  = "identity.mimic.behaviors.delete"
)

// DefaultTokenLifetime is how long issued tokens live, as in Keystone.
const DefaultTokenLifetime = 24 * time.Hour

// defaultRegion is the region of a standalone identity without WithRegions.
const defaultRegion = "RegionOne"

// Identity is the fake identity service: the token authority of a Cloud.
// It knows nothing of where it is mounted. [New] starts it on a loopback
// port; [NewUnstarted] returns it for embedding; [Descriptor] mounts it in
// a Cloud. The embedded kit.Service gives it URL, Client, Handler, Close,
// Clock, Requests, ResetRequests, Inject and Ops.
type Identity struct {
	*kit.Service

	strict   bool
	tokenTTL time.Duration
	regions  []string
	mimic    mimicConfig // the options of mimic.go
	// behaviors are the authentication behaviors, under counter IDs.
	behaviors *kit.Registry[*authBehavior]
	// catalogRNG draws the catalog's IDs: a stream of its own, so that the
	// services a Cloud mounts never shift the user and token IDs.
	catalogRNG *kit.RNG

	mu       sync.Mutex
	domains  map[string]Domain
	users    map[string]User
	projects map[string]Project
	roles    map[membership][]string
	// domainRoles are role assignments on domains: membership's second
	// field is the domain's ID.
	domainRoles map[membership][]string
	// systemRoles are role assignments on the system, by user ID.
	systemRoles map[string][]string
	// roleDefs are the roles, by ID; roles are assigned by name.
	roleDefs map[string]Role
	appCreds map[string]appCredential
	// accessRules are the users' access rules by ID: an application
	// credential names them, and they outlive it (access_rules.go).
	accessRules map[string]userAccessRule
	creds       map[string]Credential
	tokens      map[string]Token
	tokenOrder  []string
	catalog     []CatalogService
}

// Identity is what a Cloud checks tokens with.
var _ kit.Authority = (*Identity)(nil)

// Option configures an Identity: the shared fake.WithClock and
// fake.WithSeed, or one of this package's own.
type Option = fake.Option

// config is what this package's own options set.
type config struct {
	strict     bool
	tokenTTL   time.Duration
	regions    []string
	regionsSet bool
	catalog    []CatalogService
	mimic      mimicConfig
}

// Strict admits only seeded users with the right password or API key; every
// other authentication answers 401.
func Strict() Option { return fake.Configure(func(c *config) { c.strict = true }) }

// WithTokenLifetime sets how long tokens live on the shared clock.
func WithTokenLifetime(d time.Duration) Option {
	return fake.Configure(func(c *config) { c.tokenTTL = d })
}

// WithRegions names the regions users default to (the first one) and that
// Rackspace's RAX-AUTH:defaultRegion reports, for a standalone identity.
// Default: RegionOne. In a Cloud the regions are the Cloud's, and this
// option is refused.
func WithRegions(regions ...string) Option {
	return fake.Configure(func(c *config) {
		c.regions, c.regionsSet = append([]string(nil), regions...), true
	})
}

// WithCatalog adds services to the catalog every token carries.
func WithCatalog(services ...CatalogService) Option {
	return fake.Configure(func(c *config) { c.catalog = append(c.catalog, cloneCatalog(services)...) })
}

// New starts an identity service on a loopback port and closes it when the
// test ends. An option it cannot take fails the test.
func New(t fake.TB, opts ...Option) *Identity {
	t.Helper()
	return factory().New(t, opts)
}

// NewUnstarted returns an identity service that is not started, for
// embedding: serve its Handler yourself, or call Start.
func NewUnstarted(opts ...Option) (*Identity, error) { return factory().NewUnstarted(opts) }

func factory() kit.Factory[*Identity, config] {
	return kit.Factory[*Identity, config]{
		Name:   ServiceName,
		Config: func() config { return config{tokenTTL: DefaultTokenLifetime, regions: []string{defaultRegion}} },
		Build:  build,
	}
}

// Descriptor is how a Cloud mounts identity: once, at /identity, with
// Mimic's identity control API at the Cloud's root. The instance is the
// Cloud's [kit.Authority]; its users default to the Cloud's first region.
func Descriptor() kit.Descriptor {
	return kit.Descriptor{
		Name:      ServiceName,
		Prefix:    "/identity",
		Catalog:   []kit.CatalogEntry{{Type: "identity", Name: "keystone", Path: "/v3"}},
		RootPaths: []string{MimicControlPath},
		New:       factory().InCloud,
	}
}

// build is every constructor. In a Cloud (site.Regions set) the regions
// are the Cloud's, and WithRegions is refused.
func build(env kit.Env, site kit.Site, cfg config) (*Identity, error) {
	if len(site.Regions) > 0 {
		if cfg.regionsSet {
			return nil, &kit.OptionError{Service: ServiceName, Reason: "identity.WithRegions cannot be given to identity in a Cloud: its regions are the Cloud's"}
		}
		cfg.regions = append([]string(nil), site.Regions...)
	}
	s := &Identity{
		strict:    cfg.strict,
		tokenTTL:  cfg.tokenTTL,
		regions:   cfg.regions,
		mimic:     cfg.mimic,
		behaviors: kit.NewRegistry[*authBehavior](kit.CounterUUID),
		domains:   map[string]Domain{DefaultDomainID: {ID: DefaultDomainID, Name: "Default"}},
		users:     map[string]User{},
		projects:  map[string]Project{},
		roles:     map[membership][]string{},
		tokens:    map[string]Token{},

		domainRoles: map[membership][]string{},
		systemRoles: map[string][]string{},
		roleDefs:    map[string]Role{},
		appCreds:    map[string]appCredential{},
		accessRules: map[string]userAccessRule{},
		creds:       map[string]Credential{},
	}
	// Keystone's bootstrap roles.
	s.defineRolesLocked([]string{"admin", "member", "reader"})
	s.Service = kit.NewService(env, "", kit.Spec{
		Name:   ServiceName,
		Routes: s.routes,
		Errors: identityError,
		// Identity checks its own tokens, in a Cloud too.
		Auth:             s.authenticate,
		RequestIDHeaders: []string{"X-Openstack-Request-Id"},
	})
	s.catalogRNG = s.RNGStream("catalog")
	s.AddCatalogServices(cfg.catalog...)
	return s, nil
}

func (s *Identity) routes() []kit.Route {
	var out []kit.Route
	for _, group := range [][]kit.Route{
		s.baseRoutes(), s.userRoutes(), s.projectAdminRoutes(), s.tagRoutes(), s.domainRoutes(),
		s.roleRoutes(), s.grantRoutes(), s.appCredRoutes(), s.accessRuleRoutes(), s.credentialRoutes(),
	} {
		out = append(out, group...)
	}
	return out
}

func (s *Identity) baseRoutes() []kit.Route {
	const behaviors = MimicControlPath + "behaviors/auth"
	return []kit.Route{
		{Op: OpVersions, Method: "GET,HEAD", Path: "/", Handler: s.versions, Public: true},

		{Op: OpV3Root, Method: "GET,HEAD", Path: "/v3", Handler: s.v3Root, Public: true},
		{Op: OpV3Root, Method: "GET,HEAD", Path: "/v3/", Handler: s.v3Root, Public: true},
		{Op: OpV3CreateToken, Method: "POST", Path: "/v3/auth/tokens", Handler: s.v3CreateToken, Public: true},
		{Op: OpV3ValidateToken, Method: "GET", Path: "/v3/auth/tokens", Handler: s.v3ValidateToken},
		{Op: OpV3CheckToken, Method: "HEAD", Path: "/v3/auth/tokens", Handler: s.v3CheckToken},
		{Op: OpV3RevokeToken, Method: "DELETE", Path: "/v3/auth/tokens", Handler: s.v3RevokeToken},
		{Op: OpV3Catalog, Method: "GET", Path: "/v3/auth/catalog", Handler: s.v3Catalog},
		{Op: OpV3AuthProjects, Method: "GET", Path: "/v3/auth/projects", Handler: s.v3AuthProjects},
		{Op: OpV3ListProjects, Method: "GET", Path: "/v3/projects", Handler: s.v3ListProjects},
		{Op: OpV3GetProject, Method: "GET", Path: "/v3/projects/{project_id}", Handler: s.v3GetProject},
		{Op: OpV3UserProjects, Method: "GET", Path: "/v3/users/{user_id}/projects", Handler: s.v3UserProjects},
		{Op: OpV3AuthSystem, Method: "GET", Path: "/v3/auth/system", Handler: s.v3AuthSystem},
		{Op: OpV3AuthDomains, Method: "GET", Path: "/v3/auth/domains", Handler: s.v3AuthDomains},

		{Op: OpV2Root, Method: "GET,HEAD", Path: "/v2.0", Handler: s.v2Root, Public: true},
		{Op: OpV2Root, Method: "GET,HEAD", Path: "/v2.0/", Handler: s.v2Root, Public: true},
		{Op: OpV2CreateToken, Method: "POST", Path: "/v2.0/tokens", Handler: s.v2CreateToken, Public: true},
		{Op: OpV2ValidateToken, Method: "GET,HEAD", Path: "/v2.0/tokens/{token_id}", Handler: s.v2ValidateToken},
		{Op: OpV2TokenEndpoints, Method: "GET", Path: "/v2.0/tokens/{token_id}/endpoints", Handler: s.v2TokenEndpoints},
		{Op: OpV2ListTenants, Method: "GET", Path: "/v2.0/tenants", Handler: s.v2ListTenants},
		{Op: OpV2ListUsers, Method: "GET", Path: "/v2.0/users", Handler: s.v2ListUsers},
		{Op: OpV2UserCredentials, Method: "GET", Path: "/v2.0/users/{user_id}/OS-KSADM/credentials", Handler: s.v2UserCredentials},
		{Op: OpRaxAPIKey, Method: "GET", Path: "/v2.0/users/{user_id}/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials", Handler: s.raxAPIKey},
		{Op: OpRaxImpersonate, Method: "POST", Path: "/v2.0/RAX-AUTH/impersonation-tokens", Handler: s.raxImpersonate},
		// The legacy v1.1 tenant lookup answers without a token, as Mimic does.
		{Op: OpRaxMosso, Method: "GET", Path: "/v1.1/mosso/{tenant_id}", Handler: s.raxMosso, Public: true},

		{Op: OpMimicAddBehavior, Method: "POST", Path: behaviors, Handler: s.mimicAddBehavior, Public: true},
		{Op: OpMimicDelBehavior, Method: "DELETE", Path: behaviors + "/{behavior_id}", Handler: s.mimicDeleteBehavior, Public: true},
	}
}

// isV2Path reports whether a request belongs to the v2.0/Rackspace API, whose
// errors use Rackspace's fault bodies rather than Keystone v3's.
func isV2Path(p string) bool {
	return strings.HasPrefix(p, "/v2.0") || strings.HasPrefix(p, "/v1.1")
}

// keystoneErrorJSON is Keystone's {"error":{"code","message","title"}}.
type keystoneErrorJSON struct {
	Error keystoneErrorBody `json:"error"`
}

type keystoneErrorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Title   string `json:"title"`
}

// raxFaultBody is the inside of Rackspace's {"<fault>":{"code","message"}}.
type raxFaultBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// identityError renders an error in the format of the API version the
// request addressed.
func identityError(r *http.Request, e *kit.Error) kit.Reply {
	if isV2Path(r.URL.Path) {
		return kit.JSON(e.Status, map[string]raxFaultBody{raxFaultName(e.Status): {Code: e.Status, Message: e.Message}})
	}
	return kit.JSON(e.Status, keystoneErrorJSON{Error: keystoneErrorBody{
		Code: e.Status, Message: e.Message, Title: http.StatusText(e.Status),
	}})
}

// raxFaultName is the key of Rackspace's fault body for status.
func raxFaultName(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "badRequest"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "itemNotFound"
	case http.StatusMethodNotAllowed:
		return "badMethod"
	case http.StatusConflict:
		return "tenantConflict"
	case http.StatusRequestEntityTooLarge:
		return "overLimit"
	case http.StatusServiceUnavailable:
		return "serviceUnavailable"
	}
	return "identityFault"
}

// errNoAuth is Keystone's and Rackspace's answer to a missing or unusable token.
func errNoAuth() *kit.Error {
	return kit.Errorf(http.StatusUnauthorized, "The request you have made requires authentication.")
}

// authenticate resolves X-Auth-Token for identity's own protected routes and,
// through [Identity.Authenticator], for every other service in a Cloud.
func (s *Identity) authenticate(r *http.Request) (kit.Principal, *kit.Error) {
	id := r.Header.Get("X-Auth-Token")
	if id == "" {
		return kit.Principal{}, errNoAuth()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || !t.Valid(s.Now()) {
		return kit.Principal{}, errNoAuth()
	}
	return s.principalLocked(t), nil
}

// Authenticator returns the token check other services use: X-Auth-Token
// must name a token this identity issued, unrevoked and unexpired by the
// shared clock.
func (s *Identity) Authenticator() kit.Authenticator { return s.authenticate }

func (s *Identity) principalLocked(t Token) kit.Principal {
	u := s.users[t.UserID]
	p := kit.Principal{
		Token: t.ID, UserID: t.UserID, UserName: u.Name, ProjectID: t.ProjectID,
		DomainID: u.DomainID, Roles: append([]string(nil), t.Roles...), ExpiresAt: t.ExpiresAt,
	}
	if proj, ok := s.projects[t.ProjectID]; ok {
		p.ProjectName = proj.Name
	}
	return p
}

// IsStrict reports whether only seeded users get in (the [Strict] option).
func (s *Identity) IsStrict() bool { return s.strict }

// CheckUser reports, with t.Errorf, the difference (-want +got) between
// want and the stored user with want.ID; it returns whether they matched.
func (s *Identity) CheckUser(t fake.TB, want User, opts ...cmp.Option) bool {
	t.Helper()
	got, ok := s.User(want.ID)
	return fake.Check(t, "identity: user "+want.ID, want, got, ok, opts...)
}

// CheckToken reports, with t.Errorf, the difference (-want +got) between
// want and the stored token with want.ID; it returns whether they matched.
func (s *Identity) CheckToken(t fake.TB, want Token, opts ...cmp.Option) bool {
	t.Helper()
	got, ok := s.Token(want.ID)
	return fake.Check(t, "identity: token "+want.ID, want, got, ok, opts...)
}
