package identity_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// Timestamp formats the APIs document.
const (
	v3Time = "2006-01-02T15:04:05.000000Z" // Keystone v3 expires_at / issued_at
	v2Time = "2006-01-02T15:04:05.000Z"    // Keystone v2.0 / Rackspace expires
)

// computeCatalog is the catalog seeded in most tests: one project-scoped
// endpoint given as a path from the host root.
var computeCatalog = identity.CatalogService{
	Type: "compute", Name: "nova",
	Endpoints: []identity.CatalogEndpoint{{Region: "RegionOne", URL: "/compute/v2.1/{project_id}"}},
}

// response is one HTTP answer, fully read, checked against the t each
// check is given (subtests share their parent's server).
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// api talks plain net/http to a started identity server.
type api struct {
	t   testing.TB
	srv *identity.Identity
	c   *kittest.Client
	// hc never follows redirects: /v1.1/mosso answers 301 and that is the answer.
	hc *http.Client
}

// mustAddUser seeds u, failing the test if AddUser refuses it.
func mustAddUser(t testing.TB, s *identity.Identity, u identity.User) identity.User {
	t.Helper()
	stored, err := s.AddUser(u)
	if err != nil {
		t.Fatalf("AddUser(%+v): %v", u, err)
	}
	return stored
}

// mustAddProject seeds p, failing the test if AddProject refuses it.
func mustAddProject(t testing.TB, s *identity.Identity, p identity.Project) identity.Project {
	t.Helper()
	stored, err := s.AddProject(p)
	if err != nil {
		t.Fatalf("AddProject(%+v): %v", p, err)
	}
	return stored
}

func newAPI(t testing.TB, opts ...identity.Option) *api {
	t.Helper()
	srv := identity.New(t, opts...)
	c := kittest.New(t, srv.URL(), srv.Client())
	c.Header.Set("Accept", "application/json")
	return &api{t: t, srv: srv, c: c, hc: c.HTTP}
}

// do sends method path with body (JSON when not empty) and the given header
// pairs ("X-Auth-Token", tok, ...).
func (a *api) do(method, path, body string, headers ...string) response {
	a.t.Helper()
	r := a.c.Do(method, path, body, headers...)
	return response{Status: r.Status, Header: r.Header, Body: r.Body}
}

func (a *api) get(path, token string) response {
	a.t.Helper()
	return a.do("GET", path, "", "X-Auth-Token", token)
}

// expect fails the test unless r has the status; it returns r for chaining.
func (r response) expect(t testing.TB, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// decode unmarshals the body into v, rejecting fields v does not declare
// so that the shape of the answer is checked, not just its values.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %s into %T: %v", r.Body, v, err)
	}
}

// v3Password is the v3 password-method body the API reference shows, with
// the user named by name in a domain named by name, and an optional scope
// (a JSON value, or "" for none).
func v3Password(user, domain, password, scope string) string {
	return v3Body(fmt.Sprintf(`{"methods":["password"],"password":{"user":{"name":%q,"domain":{"name":%q},"password":%q}}}`,
		user, domain, password), scope)
}

// v3PasswordByID names the user by ID.
func v3PasswordByID(userID, password, scope string) string {
	return v3Body(fmt.Sprintf(`{"methods":["password"],"password":{"user":{"id":%q,"password":%q}}}`, userID, password), scope)
}

// v3TokenAuth is the token method (rescoping).
func v3TokenAuth(token, scope string) string {
	return v3Body(fmt.Sprintf(`{"methods":["token"],"token":{"id":%q}}`, token), scope)
}

func v3Body(identityJSON, scope string) string {
	if scope == "" {
		return `{"auth":{"identity":` + identityJSON + `}}`
	}
	return `{"auth":{"identity":` + identityJSON + `,"scope":` + scope + `}}`
}

func projectByID(id string) string { return fmt.Sprintf(`{"project":{"id":%q}}`, id) }

func projectByName(name, domain string) string {
	return fmt.Sprintf(`{"project":{"name":%q,"domain":{"name":%q}}}`, name, domain)
}

// ref is an {"id","name"} reference.
type ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type v3Endpoint struct {
	ID        string `json:"id"`
	Interface string `json:"interface"`
	Region    string `json:"region"`
	RegionID  string `json:"region_id"`
	URL       string `json:"url"`
}

type v3Service struct {
	ID        string       `json:"id"`
	Type      string       `json:"type"`
	Name      string       `json:"name"`
	Endpoints []v3Endpoint `json:"endpoints"`
}

type v3Scope struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain ref    `json:"domain"`
}

// v3Token is Keystone v3's token body.
type v3Token struct {
	Token struct {
		TokenFields
		Impersonator *ref            `json:"RAX-AUTH:impersonator"`
		System       map[string]bool `json:"system"`
	} `json:"token"`
}

// TokenFields (exported, so that go-cmp descends into it when embedded)
// is what every v3 token body holds, for bodies that add
// fields of their own.
type TokenFields struct {
	Methods   []string `json:"methods"`
	AuditIDs  []string `json:"audit_ids"`
	ExpiresAt string   `json:"expires_at"`
	IssuedAt  string   `json:"issued_at"`
	IsDomain  bool     `json:"is_domain"`
	User      struct {
		ID                string  `json:"id"`
		Name              string  `json:"name"`
		Domain            ref     `json:"domain"`
		PasswordExpiresAt *string `json:"password_expires_at"`
	} `json:"user"`
	Project *v3Scope     `json:"project"`
	Domain  *ref         `json:"domain"`
	Roles   *[]ref       `json:"roles"`
	Catalog *[]v3Service `json:"catalog"`
}

// keystoneError is Keystone's error body.
type keystoneError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Title   string `json:"title"`
	} `json:"error"`
}

// checkKeystoneError checks r is Keystone's error body for status.
func checkKeystoneError(t testing.TB, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status = %d, want %d; body: %s", r.Status, status, r.Body)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var e keystoneError
	r.decode(t, &e)
	if e.Error.Code != status || e.Error.Title != http.StatusText(status) || e.Error.Message == "" {
		t.Errorf("error body = %+v, want code %d, title %q and a message", e.Error, status, http.StatusText(status))
	}
}

// raxFault is a Rackspace fault body: {"<name>":{"code","message"}}.
type raxFault map[string]struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// checkRaxFault checks r is Rackspace's fault body named name for status.
func checkRaxFault(t testing.TB, r response, status int, name string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status = %d, want %d; body: %s", r.Status, status, r.Body)
		return
	}
	var f raxFault
	r.decode(t, &f)
	got, ok := f[name]
	if len(f) != 1 || !ok {
		t.Errorf("fault body %s: want exactly one key %q", r.Body, name)
		return
	}
	if got.Code != status || got.Message == "" {
		t.Errorf("fault %q = %+v, want code %d and a message", name, got, status)
	}
}

// login authenticates over v3 and returns the token ID and body.
func (a *api) login(body string) (string, v3Token) {
	a.t.Helper()
	r := a.do("POST", "/v3/auth/tokens", body).expect(a.t, http.StatusCreated)
	var tok v3Token
	r.decode(a.t, &tok)
	id := r.Header.Get("X-Subject-Token")
	if id == "" {
		a.t.Fatalf("no X-Subject-Token in %v", r.Header)
	}
	return id, tok
}

// mustParse parses a timestamp in layout or fails.
func mustParse(t testing.TB, layout, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(layout, s)
	if err != nil {
		t.Fatalf("timestamp %q is not in format %s: %v", s, layout, err)
	}
	return ts
}

func roleNames(roles *[]ref) []string {
	if roles == nil {
		return nil
	}
	out := []string{}
	for _, r := range *roles {
		out = append(out, r.Name)
	}
	return out
}
