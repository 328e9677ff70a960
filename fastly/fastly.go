package fastly

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// ServiceName is the name of this fake in journals and fault rules.
const ServiceName = "fastly"

// KeyHeader is the header Fastly reads the API token from.
const KeyHeader = "Fastly-Key"

// Fastly is the fake Fastly API. It knows nothing of where it is mounted:
// [New] starts it on a loopback port of its own, [NewUnstarted] returns it
// for embedding, [Descriptor] lets a Cloud mount it. It has every
// kit.Service method: URL, Client, Handler, Start, Close, Clock, Requests,
// ResetRequests, Inject, Ops, Intercept.
type Fastly struct {
	*kitService

	strict    bool
	noKey     bool // WithoutKey
	mimic     bool // MimicShapes
	kinds     kindSet
	behaviors *kit.Registry[*activationBehavior]

	mu       sync.Mutex
	customer Customer
	user     User
	services map[string]*service
	order    []string          // service IDs in creation order
	tokens   map[string]*Token // by key (access token)
	revoked  map[string]bool
	purges   []Purge
	purgeSeq int
	domainOK map[string]string // domain name -> CNAME target that check_all reports as pointed
}

// kitService is kit.Service under another name.
//
// KIT: embedding *kit.Service names the field Service, which clashes with
// the inspection method Service(id) every package has for its main
// resource; embedding it through an alias names the field kitService.
type kitService = kit.Service

// Option configures a Fastly: the shared fake.WithClock and fake.WithSeed
// (on its own; a Cloud refuses them) and this package's [Strict] and
// [WithKeys].
type Option = fake.Option

// config is what this package's own options set.
type config struct {
	strict bool
	keys   []string
	noKey  bool
	mimic  bool
}

// Strict admits only seeded API keys ([Fastly.AddKey], [WithKeys]); any other
// key, and a missing one, is answered with 401.
func Strict() Option { return fake.Configure(func(c *config) { c.strict = true }) }

// WithKeys seeds API keys and turns on [Strict].
func WithKeys(keys ...string) Option {
	return fake.Configure(func(c *config) {
		c.strict = true
		c.keys = append(c.keys, keys...)
	})
}

// New starts a Fastly API on a loopback port and closes it when the test
// ends. By default any non-empty Fastly-Key is accepted.
func New(t fake.TB, opts ...Option) *Fastly {
	t.Helper()
	return factory().New(t, opts)
}

// NewUnstarted returns a Fastly API that is not listening anywhere, for
// embedding: serve f.Handler() yourself, and Close it when done.
func NewUnstarted(opts ...Option) (*Fastly, error) { return factory().NewUnstarted(opts) }

func factory() kit.Factory[*Fastly, config] {
	return kit.Factory[*Fastly, config]{Name: ServiceName, Build: build}
}

// Descriptor is how a Cloud mounts Fastly: once, not per region, at
// /fastly, with no catalog entry. Fastly checks its own Fastly-Key, never
// the Cloud's Keystone tokens.
func Descriptor() kit.Descriptor {
	return kit.Descriptor{
		Name:   ServiceName,
		Prefix: "/fastly",
		New:    factory().InCloud,
	}
}

func build(env kit.Env, _ kit.Site, cfg config) (*Fastly, error) {
	f := &Fastly{
		strict:    cfg.strict,
		noKey:     cfg.noKey,
		mimic:     cfg.mimic,
		kinds:     newKindSet(),
		behaviors: kit.NewRegistry[*activationBehavior](activationID),
		services:  map[string]*service{},
		tokens:    map[string]*Token{},
		revoked:   map[string]bool{},
		domainOK:  map[string]string{},
	}
	f.kitService = kit.NewService(env, "", kit.Spec{
		Name:   ServiceName,
		Routes: f.routes,
		Errors: renderError,
		// Fastly-Key, not the Cloud's Keystone tokens.
		Auth: f.authenticate,
		// Resource names may hold encoded slashes ("test%2Fcondition"), and
		// a purged URL may hold "//": match on the raw path, never cleaned.
		EncodedPath: true,
	})
	now := f.nowSec()
	f.customer = Customer{ID: f.newID(), Name: "mockcloud", Created: now, Updated: now}
	f.user = User{ID: f.newID(), Login: "mockcloud@example.com", Name: "mockcloud", Role: "superuser",
		CustomerID: f.customer.ID, Created: now, Updated: now}
	f.customer.OwnerID = f.user.ID
	for _, k := range cfg.keys {
		f.AddKey(k)
	}
	return f, nil
}

// nowSec is the clock's time as Fastly stamps it: UTC, whole seconds.
func (f *Fastly) nowSec() time.Time { return f.Now().UTC().Truncate(time.Second) }

// newID is a Fastly-style identifier: 22 letters and digits.
func (f *Fastly) newID() string { return f.RNG().Alnum(22) }

// routes is the route table, in matching order: routes more specific than
// a /{name} come before it.
func (f *Fastly) routes() []kit.Route {
	var rs []kit.Route
	for _, group := range [][]kit.Route{
		f.accountRoutes(), f.purgeRoutes(), f.serviceRoutes(), f.versionRoutes(),
		f.resourceRoutes(), f.dictionaryItemRoutes(), f.mimicRoutes(),
	} {
		rs = append(rs, group...)
	}
	for i := range rs {
		if !rs[i].Public && rs[i].Before == nil {
			rs[i].Before = f.checkScope
		}
	}
	return rs
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

// errorWire is Fastly's error body.
type errorWire struct {
	Msg    string `json:"msg"`
	Detail string `json:"detail,omitempty"`
}

// renderError is Fastly's error format, {"msg","detail"}. An error with a
// Detail carries both itself (Message is the msg: "Duplicate record",
// "Version locked"); otherwise the msg is Fastly's for the status and the
// Message is the detail. A 401 says only what Fastly says.
func renderError(_ *http.Request, e *kit.Error) kit.Reply {
	body := errorWire{Msg: msgFor(e.Status), Detail: e.Message}
	if e.Detail != "" {
		body = errorWire{Msg: e.Message, Detail: e.Detail}
	}
	if e.Status == http.StatusUnauthorized {
		body.Detail = ""
	}
	return kit.JSON(e.Status, body)
}

// duplicate is Fastly's 409 for a name already taken in a version.
func duplicate(kind, name string) *kit.Error {
	return &kit.Error{Status: http.StatusConflict, Message: "Duplicate record", Detail: sprintf("Duplicate %s: '%s'", kind, name)}
}

// detailOf is the text err renders as its detail.
func detailOf(err error) string {
	var e *kit.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	if e.Detail != "" {
		return e.Detail
	}
	return e.Message
}

// authenticate checks the Fastly-Key header.
func (f *Fastly) authenticate(r *http.Request) (kit.Principal, *kit.Error) {
	key := r.Header.Get(KeyHeader)
	unauthorized := kit.Errorf(http.StatusUnauthorized, "")
	if key == "" && f.noKey {
		key = anonymousKey
	}
	if key == "" {
		return kit.Principal{}, unauthorized
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revoked[key] {
		return kit.Principal{}, unauthorized
	}
	now := f.nowSec()
	t, ok := f.tokens[key]
	if !ok {
		if f.strict && !(f.noKey && key == anonymousKey) {
			return kit.Principal{}, unauthorized
		}
		t = f.newTokenLocked(Token{AccessToken: key, Name: "mockcloud key"})
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return kit.Principal{}, unauthorized
	}
	t.LastUsedAt = now
	t.IP = clientIP(r)
	t.UserAgent = r.UserAgent()
	return kit.Principal{Token: key, UserID: t.UserID, UserName: f.user.Login, ProjectID: t.CustomerID, Roles: []string{f.user.Role}}, nil
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// CheckService reports, with t.Errorf, a difference (-want +got) between
// want and the live service with want's ID (or, when want has none, the
// first with its name); it returns whether they matched. Empty and nil
// lists are equal; pass cmp options to ignore what the test does not fix
// (cmpopts.IgnoreTypes(time.Time{}) for timestamps).
func (f *Fastly) CheckService(t fake.TB, want Service, opts ...cmp.Option) bool {
	t.Helper()
	got, ok := f.Service(want.ID)
	if want.ID == "" {
		ok = false
		for _, s := range f.Services() {
			if s.Name == want.Name {
				got, ok = s, true
				break
			}
		}
	}
	opts = append([]cmp.Option{cmpopts.EquateEmpty()}, opts...)
	return fake.Check(t, fmt.Sprintf("fastly: service %q (%s)", want.ID, want.Name), want, got, ok, opts...)
}
