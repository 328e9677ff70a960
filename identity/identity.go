package identity

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "identity"

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

// Identity is the fake identity service. It is an http.Handler that knows
// nothing of where it is mounted; [NewServer] starts it on its own port.
type Identity struct {
	svc      *fake.Service
	env      fake.Env
	strict   bool
	tokenTTL time.Duration
	regions  []string

	mu         sync.Mutex
	domains    map[string]Domain
	users      map[string]User
	projects   map[string]Project
	roles      map[membership][]string
	tokens     map[string]Token
	tokenOrder []string
	catalog    []CatalogService
	behaviors  []*authBehavior
	behaviorN  int
}

// Option configures an Identity.
type Option func(*Identity)

// WithEnv shares a clock, fault table, journal and random source with other
// services (a Cloud does this). Its Auth is ignored: identity checks its own
// tokens.
func WithEnv(env fake.Env) Option { return func(s *Identity) { s.env = env } }

// WithClock uses c for token issue and expiry times.
func WithClock(c *clock.Clock) Option { return func(s *Identity) { s.env.Clock = c } }

// WithSeed seeds the random source behind token, user and project IDs.
func WithSeed(seed int64) Option { return func(s *Identity) { s.env.RNG = fake.NewRNG(seed) } }

// Strict admits only seeded users with the right password or API key; every
// other authentication answers 401.
func Strict() Option { return func(s *Identity) { s.strict = true } }

// WithTokenLifetime sets how long tokens live on the shared clock.
func WithTokenLifetime(d time.Duration) Option { return func(s *Identity) { s.tokenTTL = d } }

// WithRegions names the regions users default to (the first one) and that
// Rackspace's RAX-AUTH:defaultRegion reports. Default: RegionOne.
func WithRegions(regions ...string) Option {
	return func(s *Identity) { s.regions = append([]string(nil), regions...) }
}

// WithCatalog sets the service catalog every token carries.
func WithCatalog(services ...CatalogService) Option {
	return func(s *Identity) { s.catalog = append(s.catalog, cloneCatalog(services)...) }
}

// New returns an unstarted identity service.
func New(opts ...Option) *Identity {
	s := &Identity{
		tokenTTL: DefaultTokenLifetime,
		regions:  []string{"RegionOne"},
		domains:  map[string]Domain{DefaultDomainID: {ID: DefaultDomainID, Name: "Default"}},
		users:    map[string]User{},
		projects: map[string]Project{},
		roles:    map[membership][]string{},
		tokens:   map[string]Token{},
	}
	for _, o := range opts {
		o(s)
	}
	s.env = s.env.Complete()
	seeded := s.catalog
	s.catalog = nil
	s.addCatalogLocked(seeded)
	s.env.Auth = s.authenticate
	s.svc = fake.NewService(ServiceName, s.routes, s.env, writeKeystoneError)
	s.svc.PublicOps = map[string]bool{
		OpVersions: true, OpV3Root: true, OpV2Root: true,
		OpV3CreateToken: true, OpV2CreateToken: true,
		OpMimicAddBehavior: true, OpMimicDelBehavior: true,
		// The legacy v1.1 tenant lookup answers without a token, as Mimic does.
		OpRaxMosso: true,
	}
	return s
}

// Server is an Identity started on its own loopback port.
type Server struct {
	*Identity
	srv *fake.Server
}

// NewServer starts an identity service and closes it when the test ends.
func NewServer(t fake.TB, opts ...Option) *Server {
	t.Helper()
	s := New(opts...)
	return &Server{Identity: s, srv: fake.StartServer(t, s, s.Close)}
}

// URL is the server's base URL; the identity endpoint for clients doing
// version discovery. URL()+"/v3" and URL()+"/v2.0" are the versioned ones.
func (s *Server) URL() string { return s.srv.URL() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server; it is idempotent.
func (s *Server) Close() { s.srv.Close() }

// ServeHTTP serves the identity API.
func (s *Identity) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.svc.ServeHTTP(w, r) }

// Handler returns the service as an http.Handler, for embedding.
func (s *Identity) Handler() http.Handler { return s.svc }

// Close cancels in-flight fault delays; it is idempotent.
func (s *Identity) Close() { s.svc.Close() }

// Requests returns the journal entries of this service.
func (s *Identity) Requests() []fake.Request { return s.svc.Requests() }

// ResetRequests forgets this service's journal entries.
func (s *Identity) ResetRequests() { s.svc.ResetRequests() }

// Inject adds a fault rule scoped to this service.
func (s *Identity) Inject(f fake.Fault) *fake.FaultHandle { return s.svc.Inject(f) }

// Clock returns the clock tokens expire by.
func (s *Identity) Clock() *clock.Clock { return s.env.Clock }

func (s *Identity) routes() *mux.Router {
	r := mux.NewRouter()
	r.HandleFunc("/", s.versions).Methods("GET", "HEAD").Name(OpVersions)

	r.HandleFunc("/v3", s.v3Root).Methods("GET", "HEAD").Name(OpV3Root)
	r.HandleFunc("/v3/", s.v3Root).Methods("GET", "HEAD").Name(OpV3Root)
	r.HandleFunc("/v3/auth/tokens", s.v3CreateToken).Methods("POST").Name(OpV3CreateToken)
	r.HandleFunc("/v3/auth/tokens", s.v3ValidateToken).Methods("GET").Name(OpV3ValidateToken)
	r.HandleFunc("/v3/auth/tokens", s.v3CheckToken).Methods("HEAD").Name(OpV3CheckToken)
	r.HandleFunc("/v3/auth/tokens", s.v3RevokeToken).Methods("DELETE").Name(OpV3RevokeToken)
	r.HandleFunc("/v3/auth/catalog", s.v3Catalog).Methods("GET").Name(OpV3Catalog)
	r.HandleFunc("/v3/auth/projects", s.v3AuthProjects).Methods("GET").Name(OpV3AuthProjects)
	r.HandleFunc("/v3/projects", s.v3ListProjects).Methods("GET").Name(OpV3ListProjects)
	r.HandleFunc("/v3/projects/{project_id}", s.v3GetProject).Methods("GET").Name(OpV3GetProject)
	r.HandleFunc("/v3/users/{user_id}/projects", s.v3UserProjects).Methods("GET").Name(OpV3UserProjects)

	r.HandleFunc("/v2.0", s.v2Root).Methods("GET", "HEAD").Name(OpV2Root)
	r.HandleFunc("/v2.0/", s.v2Root).Methods("GET", "HEAD").Name(OpV2Root)
	r.HandleFunc("/v2.0/tokens", s.v2CreateToken).Methods("POST").Name(OpV2CreateToken)
	r.HandleFunc("/v2.0/tokens/{token_id}", s.v2ValidateToken).Methods("GET", "HEAD").Name(OpV2ValidateToken)
	r.HandleFunc("/v2.0/tokens/{token_id}/endpoints", s.v2TokenEndpoints).Methods("GET").Name(OpV2TokenEndpoints)
	r.HandleFunc("/v2.0/tenants", s.v2ListTenants).Methods("GET").Name(OpV2ListTenants)
	r.HandleFunc("/v2.0/users", s.v2ListUsers).Methods("GET").Name(OpV2ListUsers)
	r.HandleFunc("/v2.0/users/{user_id}/OS-KSADM/credentials", s.v2UserCredentials).Methods("GET").Name(OpV2UserCredentials)
	r.HandleFunc("/v2.0/users/{user_id}/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials", s.raxAPIKey).Methods("GET").Name(OpRaxAPIKey)
	r.HandleFunc("/v2.0/RAX-AUTH/impersonation-tokens", s.raxImpersonate).Methods("POST").Name(OpRaxImpersonate)
	r.HandleFunc("/v1.1/mosso/{tenant_id}", s.raxMosso).Methods("GET").Name(OpRaxMosso)

	r.HandleFunc("/mimic/v1.1/IdentityControlAPI/behaviors/auth", s.mimicAddBehavior).Methods("POST").Name(OpMimicAddBehavior)
	r.HandleFunc("/mimic/v1.1/IdentityControlAPI/behaviors/auth/{behavior_id}", s.mimicDeleteBehavior).Methods("DELETE").Name(OpMimicDelBehavior)
	return r
}

// isV2Path reports whether a request belongs to the v2.0/Rackspace API, whose
// errors use Rackspace's fault bodies rather than Keystone v3's.
func isV2Path(p string) bool {
	return strings.HasPrefix(p, "/v2.0") || strings.HasPrefix(p, "/v1.1")
}

// writeKeystoneError renders an error in the format of the API version the
// request addressed.
func writeKeystoneError(w http.ResponseWriter, r *http.Request, status int, message string) {
	if isV2Path(r.URL.Path) {
		writeRaxFault(w, status, message)
		return
	}
	fake.WriteJSON(w, status, map[string]any{"error": map[string]any{
		"code": status, "message": message, "title": http.StatusText(status),
	}})
}

// writeRaxFault writes Rackspace's {"<fault>":{"code","message"}} body.
func writeRaxFault(w http.ResponseWriter, status int, message string) {
	name := "identityFault"
	switch status {
	case http.StatusBadRequest:
		name = "badRequest"
	case http.StatusUnauthorized:
		name = "unauthorized"
	case http.StatusForbidden:
		name = "forbidden"
	case http.StatusNotFound:
		name = "itemNotFound"
	case http.StatusMethodNotAllowed:
		name = "badMethod"
	case http.StatusConflict:
		name = "tenantConflict"
	case http.StatusRequestEntityTooLarge:
		name = "overLimit"
	case http.StatusServiceUnavailable:
		name = "serviceUnavailable"
	}
	fake.WriteJSON(w, status, map[string]any{name: map[string]any{"code": status, "message": message}})
}

// authenticate resolves X-Auth-Token for identity's own protected routes and,
// through [Identity.Authenticator], for every other service in a Cloud.
func (s *Identity) authenticate(r *http.Request) (fake.Principal, *fake.Error) {
	id := r.Header.Get("X-Auth-Token")
	if id == "" {
		return fake.Principal{}, fake.Errorf(http.StatusUnauthorized, "The request you have made requires authentication.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || !t.Valid(s.env.Clock.Now()) {
		return fake.Principal{}, fake.Errorf(http.StatusUnauthorized, "The request you have made requires authentication.")
	}
	return s.principalLocked(t), nil
}

// Authenticator returns the token check other services use: X-Auth-Token
// must name a token this identity issued, unrevoked and unexpired by the
// shared clock.
func (s *Identity) Authenticator() fake.Authenticator { return s.authenticate }

func (s *Identity) principalLocked(t Token) fake.Principal {
	u := s.users[t.UserID]
	p := fake.Principal{
		Token: t.ID, UserID: t.UserID, UserName: u.Name, ProjectID: t.ProjectID,
		DomainID: u.DomainID, Roles: append([]string(nil), t.Roles...), ExpiresAt: t.ExpiresAt,
	}
	if proj, ok := s.projects[t.ProjectID]; ok {
		p.ProjectName = proj.Name
	}
	return p
}

// Strict reports whether only seeded users get in.
func (s *Identity) Strict() bool { return s.strict }
