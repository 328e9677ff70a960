package fastly

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "fastly"

// KeyHeader is the header Fastly reads the API token from.
const KeyHeader = "Fastly-Key"

// Fastly is the fake Fastly API. It is an http.Handler that knows nothing
// of where it is mounted; [NewServer] starts it on its own port.
type Fastly struct {
	svc    *fake.Service
	env    fake.Env
	strict bool

	mu         sync.Mutex
	customer   Customer
	user       User
	services   map[string]*service
	order      []string          // service IDs in creation order
	tokens     map[string]*Token // by key (access token)
	revoked    map[string]bool
	purges     []Purge
	purgeSeq   int
	behaviors  []*activationBehavior
	behaviorN  int
	domainOK   map[string]string // domain name -> CNAME target that check_all reports as pointed
	pendingKey []string          // keys named by WithKeys before the RNG exists
	kindList   []resourceKind
}

// Option configures a Fastly.
type Option func(*Fastly)

// WithEnv shares a clock, fault table, journal and random source with
// other services (a Cloud does this). Its Auth is ignored: Fastly checks its
// own Fastly-Key header, not Keystone tokens.
func WithEnv(env fake.Env) Option { return func(f *Fastly) { f.env = env } }

// WithClock uses clk for timestamps, token expiry and slow activations.
func WithClock(clk *clock.Clock) Option { return func(f *Fastly) { f.env.Clock = clk } }

// WithSeed seeds the random source behind service, dictionary, token and
// customer IDs.
func WithSeed(seed int64) Option { return func(f *Fastly) { f.env.RNG = fake.NewRNG(seed) } }

// Strict admits only seeded API keys ([Fastly.AddKey], [WithKeys]); any other
// key, and a missing one, is answered with 401.
func Strict() Option { return func(f *Fastly) { f.strict = true } }

// WithKeys seeds API keys and turns on [Strict].
func WithKeys(keys ...string) Option {
	return func(f *Fastly) {
		f.strict = true
		f.pendingKey = append(f.pendingKey, keys...)
	}
}

// New returns an unstarted Fastly API. By default any non-empty Fastly-Key
// is accepted.
func New(opts ...Option) *Fastly {
	f := &Fastly{
		services: map[string]*service{},
		tokens:   map[string]*Token{},
		revoked:  map[string]bool{},
		domainOK: map[string]string{},
	}
	for _, o := range opts {
		o(f)
	}
	f.env.Auth = nil
	f.env = f.env.Complete()
	f.env.Auth = f.authenticate
	now := f.now()
	f.customer = Customer{ID: f.newID(), Name: "mockcloud", Created: now, Updated: now}
	f.user = User{ID: f.newID(), Login: "mockcloud@example.com", Name: "mockcloud", Role: "superuser",
		CustomerID: f.customer.ID, Created: now, Updated: now}
	f.customer.OwnerID = f.user.ID
	for _, k := range f.pendingKey {
		f.AddKey(k)
	}
	f.pendingKey = nil
	f.kindList = f.kinds()
	f.svc = fake.NewService(ServiceName, f.routes, f.env, writeFastlyError)
	// Purging a URL needs no key unless the service asks for authenticated
	// purges, which the fake does not model.
	f.svc.PublicOps = map[string]bool{OpPurgeURL: true}
	return f
}

// Server is a Fastly started on its own loopback port.
type Server struct {
	*Fastly
	srv *fake.Server
}

// NewServer starts a Fastly API and closes it when the test ends.
func NewServer(t fake.TB, opts ...Option) *Server {
	t.Helper()
	f := New(opts...)
	return &Server{Fastly: f, srv: fake.StartServer(t, f, f.Close)}
}

// URL is the API root, what clients know as https://api.fastly.com.
func (s *Server) URL() string { return s.srv.URL() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server; it is idempotent.
func (s *Server) Close() { s.srv.Close() }

// ServeHTTP serves the Fastly API.
func (f *Fastly) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.svc.ServeHTTP(w, r) }

// Handler returns the service as an http.Handler, for embedding.
func (f *Fastly) Handler() http.Handler { return f.svc }

// Close cancels in-flight fault delays; it is idempotent.
func (f *Fastly) Close() { f.svc.Close() }

// Requests returns this service's journal entries.
func (f *Fastly) Requests() []fake.Request { return f.svc.Requests() }

// ResetRequests forgets this service's journal entries.
func (f *Fastly) ResetRequests() { f.svc.ResetRequests() }

// Inject adds a fault rule scoped to this service.
func (f *Fastly) Inject(flt fake.Fault) *fake.FaultHandle { return f.svc.Inject(flt) }

// Clock returns the clock timestamps, token expiry and slow activations
// follow.
func (f *Fastly) Clock() *clock.Clock { return f.env.Clock }

// Strict reports whether only seeded keys are accepted.
func (f *Fastly) Strict() bool { return f.strict }

func (f *Fastly) now() time.Time { return f.env.Clock.Now().UTC().Truncate(time.Second) }

// newID is a Fastly-style identifier: 22 letters and digits.
func (f *Fastly) newID() string { return f.env.RNG.Alnum(22) }

func (f *Fastly) routes() *mux.Router {
	r := mux.NewRouter()
	// Resource names may hold encoded slashes ("test%2Fcondition"), and a
	// purged URL may hold "//"; match on the raw path and never clean it.
	r.UseEncodedPath()
	r.SkipClean(true)
	f.accountRoutes(r)
	f.purgeRoutes(r)
	f.serviceRoutes(r)
	f.versionRoutes(r)
	f.resourceRoutes(r)
	f.dictionaryItemRoutes(r)
	return r
}

// fastlyMessages are the "msg" Fastly puts in its error bodies, by status.
var fastlyMessages = map[int]string{
	http.StatusBadRequest:            "Bad request",
	http.StatusUnauthorized:          "Provided credentials are missing or invalid",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "Record not found",
	http.StatusMethodNotAllowed:      "Method not allowed",
	http.StatusConflict:              "Conflict",
	http.StatusRequestEntityTooLarge: "Request entity too large",
	http.StatusUnsupportedMediaType:  "Unsupported media type",
	http.StatusTooManyRequests:       "You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake.",
	http.StatusInternalServerError:   "Internal server error",
	http.StatusServiceUnavailable:    "Service unavailable",
}

func msgFor(status int) string {
	if m, ok := fastlyMessages[status]; ok {
		return m
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Error"
}

// writeFastlyError is the pipeline's error writer: {"msg","detail"}, with
// the msg Fastly uses for the status and the message as detail. A 401 says
// only what Fastly says.
func writeFastlyError(w http.ResponseWriter, _ *http.Request, status int, message string) {
	if status == http.StatusUnauthorized {
		message = ""
	}
	writeAPIError(w, &apiError{status: status, msg: msgFor(status), detail: message})
}

// apiError is an error a handler answers with.
type apiError struct {
	status int
	msg    string
	detail string
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"msg": e.msg}
	if e.detail != "" {
		body["detail"] = e.detail
	}
	fake.WriteJSON(w, e.status, body)
}

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, msg: msgFor(status), detail: sprintf(format, args...)}
}

func badRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, format, args...)
}

// duplicate is Fastly's 409 for a name already taken in a version.
func duplicate(kind, name string) *apiError {
	return &apiError{status: http.StatusConflict, msg: "Duplicate record", detail: sprintf("Duplicate %s: '%s'", kind, name)}
}

// authenticate checks the Fastly-Key header.
func (f *Fastly) authenticate(r *http.Request) (fake.Principal, *fake.Error) {
	key := r.Header.Get(KeyHeader)
	unauthorized := fake.Errorf(http.StatusUnauthorized, "")
	if key == "" {
		return fake.Principal{}, unauthorized
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revoked[key] {
		return fake.Principal{}, unauthorized
	}
	now := f.now()
	t, ok := f.tokens[key]
	if !ok {
		if f.strict {
			return fake.Principal{}, unauthorized
		}
		t = f.newTokenLocked(Token{AccessToken: key, Name: "mockcloud key"})
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return fake.Principal{}, unauthorized
	}
	t.LastUsedAt = now
	t.IP = clientIP(r)
	t.UserAgent = r.UserAgent()
	return fake.Principal{Token: key, UserID: t.UserID, UserName: f.user.Login, ProjectID: t.CustomerID, Roles: []string{f.user.Role}}, nil
}
