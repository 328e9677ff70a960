package identity_test

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
)

var tokenIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// seededAPI starts a server with one user, alice (password s3cret), a member
// of "demo" (her default project) and a member and admin of "ops".
func seededAPI(t *testing.T, opts ...identity.Option) *api {
	t.Helper()
	a := newAPI(t, append([]identity.Option{identity.WithCatalog(computeCatalog)}, opts...)...)
	mustAddProject(t, a.srv, identity.Project{ID: "p-demo", Name: "demo"})
	mustAddProject(t, a.srv, identity.Project{ID: "p-ops", Name: "ops"})
	mustAddUser(t, a.srv, identity.User{ID: "u-alice", Name: "alice", Password: "s3cret", DefaultProjectID: "p-demo"})
	if !a.srv.Grant("u-alice", "p-demo", "member") || !a.srv.Grant("u-alice", "p-ops", "member", "admin") {
		t.Fatal("Grant failed")
	}
	// Keystone issues a domain-scoped token only to a user with a role
	// on the domain.
	if !a.srv.GrantDomain("u-alice", "default", "reader") {
		t.Fatal("GrantDomain failed")
	}
	return a
}

// wantCatalog is computeCatalog as a token scoped to project sees it.
func wantCatalog(base, project string) []v3Service {
	url := base + "/compute/v2.1/" + project
	return []v3Service{{Type: "compute", Name: "nova", Endpoints: []v3Endpoint{
		{Interface: "public", Region: "RegionOne", RegionID: "RegionOne", URL: url},
		{Interface: "internal", Region: "RegionOne", RegionID: "RegionOne", URL: url},
		{Interface: "admin", Region: "RegionOne", RegionID: "RegionOne", URL: url},
	}}}
}

var ignoreCatalogIDs = cmp.Options{
	cmpopts.IgnoreFields(v3Service{}, "ID"),
	cmpopts.IgnoreFields(v3Endpoint{}, "ID"),
}

func TestV3CreateToken(t *testing.T) {
	defaultDomain := ref{ID: "default", Name: "Default"}
	tests := []struct {
		name        string
		body        func(a *api) string
		wantMethods []string
		wantProject *v3Scope // nil: not project scoped
		wantDomain  *ref     // nil: not domain scoped
		wantRoles   []string // nil: no "roles" member
	}{
		{
			name:        "password by user name and domain name",
			body:        func(*api) string { return v3Password("alice", "Default", "s3cret", "") },
			wantMethods: []string{"password"},
			wantProject: &v3Scope{ID: "p-demo", Name: "demo", Domain: defaultDomain},
			wantRoles:   []string{"member"},
		},
		{
			name: "password by user name and domain id",
			body: func(*api) string {
				return `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"alice","domain":{"id":"default"},"password":"s3cret"}}}}}`
			},
			wantMethods: []string{"password"},
			wantProject: &v3Scope{ID: "p-demo", Name: "demo", Domain: defaultDomain},
			wantRoles:   []string{"member"},
		},
		{
			name:        "password by user id",
			body:        func(*api) string { return v3PasswordByID("u-alice", "s3cret", "") },
			wantMethods: []string{"password"},
			wantProject: &v3Scope{ID: "p-demo", Name: "demo", Domain: defaultDomain},
			wantRoles:   []string{"member"},
		},
		{
			name:        "project scope by id",
			body:        func(*api) string { return v3PasswordByID("u-alice", "s3cret", projectByID("p-ops")) },
			wantMethods: []string{"password"},
			wantProject: &v3Scope{ID: "p-ops", Name: "ops", Domain: defaultDomain},
			wantRoles:   []string{"member", "admin"},
		},
		{
			name:        "project scope by name and domain name",
			body:        func(*api) string { return v3Password("alice", "Default", "s3cret", projectByName("ops", "Default")) },
			wantMethods: []string{"password"},
			wantProject: &v3Scope{ID: "p-ops", Name: "ops", Domain: defaultDomain},
			wantRoles:   []string{"member", "admin"},
		},
		{
			name: "project scope by name and domain id",
			body: func(*api) string {
				return v3Password("alice", "Default", "s3cret", `{"project":{"name":"ops","domain":{"id":"default"}}}`)
			},
			wantMethods: []string{"password"},
			wantProject: &v3Scope{ID: "p-ops", Name: "ops", Domain: defaultDomain},
			wantRoles:   []string{"member", "admin"},
		},
		{
			name:        "domain scope by id",
			body:        func(*api) string { return v3Password("alice", "Default", "s3cret", `{"domain":{"id":"default"}}`) },
			wantMethods: []string{"password"},
			wantDomain:  &defaultDomain,
			wantRoles:   []string{"reader"},
		},
		{
			name:        "domain scope by name",
			body:        func(*api) string { return v3Password("alice", "Default", "s3cret", `{"domain":{"name":"Default"}}`) },
			wantMethods: []string{"password"},
			wantDomain:  &defaultDomain,
			wantRoles:   []string{"reader"},
		},
		{
			name:        "explicitly unscoped",
			body:        func(*api) string { return v3Password("alice", "Default", "s3cret", `"unscoped"`) },
			wantMethods: []string{"password"},
		},
		{
			name: "token method rescopes an unscoped token to a project",
			body: func(a *api) string {
				tok, _ := a.login(v3Password("alice", "Default", "s3cret", `"unscoped"`))
				return v3TokenAuth(tok, projectByID("p-ops"))
			},
			wantMethods: []string{"password", "token"},
			wantProject: &v3Scope{ID: "p-ops", Name: "ops", Domain: defaultDomain},
			wantRoles:   []string{"member", "admin"},
		},
		{
			name: "token method without scope keeps the token's project",
			body: func(a *api) string {
				tok, _ := a.login(v3PasswordByID("u-alice", "s3cret", projectByName("ops", "Default")))
				return v3TokenAuth(tok, "")
			},
			wantMethods: []string{"password", "token"},
			wantProject: &v3Scope{ID: "p-ops", Name: "ops", Domain: defaultDomain},
			wantRoles:   []string{"member", "admin"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := seededAPI(t)
			body := tc.body(a)
			r := a.do("POST", "/v3/auth/tokens", body).expect(t, http.StatusCreated)
			id := r.Header.Get("X-Subject-Token")
			if !tokenIDPattern.MatchString(id) {
				t.Errorf("X-Subject-Token = %q, want 32 hex digits", id)
			}
			if stored, ok := a.srv.Token(id); !ok || stored.UserID != "u-alice" {
				t.Errorf("Token(%q) = %+v, %v; want a token of u-alice", id, stored, ok)
			}
			var got v3Token
			r.decode(t, &got)
			tok := got.Token

			if diff := cmp.Diff(tc.wantMethods, tok.Methods, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("methods (-want +got):\n%s", diff)
			}
			if tok.User.ID != "u-alice" || tok.User.Name != "alice" || tok.User.Domain != defaultDomain {
				t.Errorf("user = %+v, want u-alice/alice in the default domain", tok.User)
			}
			if diff := cmp.Diff(tc.wantProject, tok.Project); diff != "" {
				t.Errorf("project (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantDomain, tok.Domain); diff != "" {
				t.Errorf("domain (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRoles, roleNames(tok.Roles)); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if tok.Roles != nil {
				for _, role := range *tok.Roles {
					if role.ID == "" {
						t.Errorf("role %q has no id", role.Name)
					}
				}
			}
			if len(tok.AuditIDs) == 0 || tok.AuditIDs[0] == "" {
				t.Errorf("audit_ids = %q, want the token's audit id first", tok.AuditIDs)
			}

			// The default clock starts at a fixed instant; tokens live 24h.
			if tok.IssuedAt != "2026-01-01T00:00:00.000000Z" || tok.ExpiresAt != "2026-01-02T00:00:00.000000Z" {
				t.Errorf("issued_at, expires_at = %s, %s; want 2026-01-01T00:00:00.000000Z, 2026-01-02T00:00:00.000000Z", tok.IssuedAt, tok.ExpiresAt)
			}

			project := ""
			if tc.wantProject != nil {
				project = tc.wantProject.ID
			}
			want := []v3Service{}
			if project != "" {
				want = wantCatalog(a.srv.URL(), project)
			}
			if tok.Catalog == nil {
				t.Fatal("no catalog in the token")
			}
			if diff := cmp.Diff(want, *tok.Catalog, ignoreCatalogIDs); diff != "" {
				t.Errorf("catalog (-want +got):\n%s", diff)
			}
		})
	}
}

// Keystone: issued_at and expires_at are in its microsecond format, 24 hours
// apart by default, on the clock's time; WithTokenLifetime changes the gap.
func TestV3TokenTimes(t *testing.T) {
	start := time.Date(2031, 7, 9, 10, 11, 12, 345678000, time.UTC)
	tests := []struct {
		name string
		opts []identity.Option
		want time.Duration
	}{
		{"default lifetime", nil, 24 * time.Hour},
		{"WithTokenLifetime", []identity.Option{identity.WithTokenLifetime(90 * time.Minute)}, 90 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t, append([]identity.Option{fake.WithClock(clock.New(start))}, tc.opts...)...)
			_, tok := a.login(v3Password("bob", "Default", "pw", ""))
			issued := mustParse(t, v3Time, tok.Token.IssuedAt)
			expires := mustParse(t, v3Time, tok.Token.ExpiresAt)
			if !issued.Equal(start) {
				t.Errorf("issued_at = %s, want %s", tok.Token.IssuedAt, start.Format(v3Time))
			}
			if got := expires.Sub(issued); got != tc.want {
				t.Errorf("expires_at - issued_at = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestV3NoCatalog(t *testing.T) {
	for _, query := range []string{"?nocatalog", "?nocatalog=", "?nocatalog=1", "?nocatalog=true"} {
		t.Run(query, func(t *testing.T) {
			a := seededAPI(t)
			r := a.do("POST", "/v3/auth/tokens"+query, v3PasswordByID("u-alice", "s3cret", "")).expect(t, http.StatusCreated)
			var got v3Token
			r.decode(t, &got)
			if got.Token.Catalog != nil {
				t.Errorf("POST %s: token has a catalog: %s", query, r.Body)
			}
			if got.Token.Project == nil || got.Token.Project.ID != "p-demo" {
				t.Errorf("POST %s: project = %+v, want p-demo", query, got.Token.Project)
			}
			tok := r.Header.Get("X-Subject-Token")

			r = a.do("GET", "/v3/auth/tokens"+query, "", "X-Auth-Token", tok, "X-Subject-Token", tok).expect(t, http.StatusOK)
			got = v3Token{}
			r.decode(t, &got)
			if got.Token.Catalog != nil {
				t.Errorf("GET %s: token has a catalog: %s", query, r.Body)
			}
		})
	}
	t.Run("without nocatalog", func(t *testing.T) {
		a := seededAPI(t)
		_, tok := a.login(v3PasswordByID("u-alice", "s3cret", ""))
		if tok.Token.Catalog == nil || len(*tok.Token.Catalog) != 1 {
			t.Errorf("catalog = %v, want the compute service", tok.Token.Catalog)
		}
	})
}

// Every endpoint of the v3 catalog has its own ID, as Keystone's do.
func TestV3CatalogEndpointIDsDistinct(t *testing.T) {
	a := seededAPI(t)
	_, tok := a.login(v3PasswordByID("u-alice", "s3cret", ""))
	seen := map[string]bool{}
	for _, svc := range *tok.Token.Catalog {
		if svc.ID == "" {
			t.Errorf("service %s has no id", svc.Name)
		}
		for _, ep := range svc.Endpoints {
			if ep.ID == "" || seen[ep.ID] {
				t.Errorf("endpoint id %q is empty or repeated", ep.ID)
			}
			seen[ep.ID] = true
		}
	}
	if len(seen) != 3 {
		t.Errorf("%d endpoints, want 3 (public, internal, admin)", len(seen))
	}
}

// Absolute catalog URLs are left alone; endpoints with an explicit interface
// appear once; endpoints without {project_id} appear in unscoped catalogs.
func TestV3CatalogResolution(t *testing.T) {
	a := newAPI(t, identity.WithCatalog(
		computeCatalog,
		identity.CatalogService{Type: "object-store", Name: "swift", Endpoints: []identity.CatalogEndpoint{
			{Region: "DFW", Interface: "public", URL: "https://swift.example.test/v1/AUTH_{tenant_id}"},
		}},
		identity.CatalogService{Type: "image", Name: "glance", Endpoints: []identity.CatalogEndpoint{
			{Region: "RegionOne", Interface: "internal", URL: "/image"},
		}},
	))
	_, scoped := a.login(v3Password("carol", "Default", "pw", projectByID("p-42")))
	got := *scoped.Token.Catalog
	want := append(wantCatalog(a.srv.URL(), "p-42"),
		v3Service{Type: "object-store", Name: "swift", Endpoints: []v3Endpoint{
			{Interface: "public", Region: "DFW", RegionID: "DFW", URL: "https://swift.example.test/v1/AUTH_p-42"}}},
		v3Service{Type: "image", Name: "glance", Endpoints: []v3Endpoint{
			{Interface: "internal", Region: "RegionOne", RegionID: "RegionOne", URL: a.srv.URL() + "/image"}}},
	)
	if diff := cmp.Diff(want, got, ignoreCatalogIDs); diff != "" {
		t.Errorf("scoped catalog (-want +got):\n%s", diff)
	}

	_, unscoped := a.login(v3Password("carol", "Default", "pw", `"unscoped"`))
	want = []v3Service{{Type: "image", Name: "glance", Endpoints: []v3Endpoint{
		{Interface: "internal", Region: "RegionOne", RegionID: "RegionOne", URL: a.srv.URL() + "/image"}}}}
	if diff := cmp.Diff(want, *unscoped.Token.Catalog, ignoreCatalogIDs); diff != "" {
		t.Errorf("unscoped catalog (-want +got):\n%s", diff)
	}
}

func TestV3CreateTokenErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"empty body", "", http.StatusBadRequest},
		{"malformed JSON", `{"auth":{"identity":`, http.StatusBadRequest},
		{"not an object", `["auth"]`, http.StatusBadRequest},
		{"trailing data", `{"auth":{}} {}`, http.StatusBadRequest},
		{"missing auth", `{}`, http.StatusBadRequest},
		{"missing identity", `{"auth":{"scope":{"project":{"id":"p-demo"}}}}`, http.StatusBadRequest},
		{"missing methods", `{"auth":{"identity":{"password":{"user":{"id":"u-alice","password":"s3cret"}}}}}`, http.StatusBadRequest},
		{"empty methods", `{"auth":{"identity":{"methods":[],"password":{"user":{"id":"u-alice","password":"s3cret"}}}}}`, http.StatusBadRequest},
		{"methods not a list", `{"auth":{"identity":{"methods":"password","password":{"user":{"id":"u-alice","password":"s3cret"}}}}}`, http.StatusBadRequest},
		{"password method without password", `{"auth":{"identity":{"methods":["password"]}}}`, http.StatusBadRequest},
		{"password without user", `{"auth":{"identity":{"methods":["password"],"password":{}}}}`, http.StatusBadRequest},
		{"user without id or name", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"password":"s3cret"}}}}}`, http.StatusBadRequest},
		{"user name without domain", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"alice","password":"s3cret"}}}}}`, http.StatusBadRequest},
		{"token method without id", `{"auth":{"identity":{"methods":["token"],"token":{}}}}`, http.StatusBadRequest},
		{"project without id or name", v3PasswordByID("u-alice", "s3cret", `{"project":{}}`), http.StatusBadRequest},
		{"project name without domain", v3PasswordByID("u-alice", "s3cret", `{"project":{"name":"demo"}}`), http.StatusBadRequest},
		{"project domain without id or name", v3PasswordByID("u-alice", "s3cret", `{"project":{"name":"demo","domain":{}}}`), http.StatusBadRequest},
		{"user domain without id or name", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"alice","domain":{},"password":"s3cret"}}}}}`, http.StatusBadRequest},
		{"domain scope without id or name", v3PasswordByID("u-alice", "s3cret", `{"domain":{}}`), http.StatusBadRequest},
		{"scope neither object nor unscoped", v3PasswordByID("u-alice", "s3cret", `42`), http.StatusBadRequest},
		{"unsupported method", `{"auth":{"identity":{"methods":["totp"],"totp":{"user":{"id":"u-alice","passcode":"123456"}}}}}`, http.StatusUnauthorized},
		{"unknown token", v3TokenAuth(strings.Repeat("0", 32), ""), http.StatusUnauthorized},
		{"not a member of the project", v3PasswordByID("u-alice", "s3cret", projectByID("p-other")), http.StatusUnauthorized},
		{"domain of another user", v3PasswordByID("u-alice", "s3cret", `{"domain":{"id":"other"}}`), http.StatusUnauthorized},
		{"body over the limit", `{"auth":"` + strings.Repeat("x", 1<<20) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := seededAPI(t)
			mustAddProject(t, a.srv, identity.Project{ID: "p-other", Name: "other"})
			a.srv.AddDomain(identity.Domain{ID: "other", Name: "Other"})
			r := a.do("POST", "/v3/auth/tokens", tc.body)
			checkKeystoneError(t, r, tc.status)
			if h := r.Header.Get("X-Subject-Token"); h != "" {
				t.Errorf("error answer carries X-Subject-Token %q", h)
			}
			if n := len(a.srv.Tokens()); n != 0 {
				t.Errorf("%d tokens issued by a failed request", n)
			}
		})
	}
}

func TestV3Strict(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"right password by name", v3Password("alice", "Default", "s3cret", ""), http.StatusCreated},
		{"right password by id", v3PasswordByID("u-alice", "s3cret", projectByID("p-ops")), http.StatusCreated},
		{"wrong password", v3Password("alice", "Default", "wrong", ""), http.StatusUnauthorized},
		{"empty password", v3PasswordByID("u-alice", "", ""), http.StatusUnauthorized},
		{"unknown user name", v3Password("mallory", "Default", "s3cret", ""), http.StatusUnauthorized},
		{"unknown user id", v3PasswordByID("u-mallory", "s3cret", ""), http.StatusUnauthorized},
		{"user in another domain", v3Password("alice", "Other", "s3cret", ""), http.StatusUnauthorized},
		{"unknown project", v3PasswordByID("u-alice", "s3cret", projectByID("p-nowhere")), http.StatusUnauthorized},
		{"project not a member of", v3PasswordByID("u-alice", "s3cret", projectByID("p-other")), http.StatusUnauthorized},
		{"disabled user", v3PasswordByID("u-dis", "pw", ""), http.StatusUnauthorized},
		{"disabled project", v3PasswordByID("u-alice", "s3cret", projectByID("p-off")), http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := seededAPI(t, identity.Strict())
			a.srv.AddDomain(identity.Domain{ID: "other", Name: "Other"})
			mustAddProject(t, a.srv, identity.Project{ID: "p-other", Name: "other"})
			mustAddProject(t, a.srv, identity.Project{ID: "p-off", Name: "off", Disabled: true})
			a.srv.Grant("u-alice", "p-off", "member")
			mustAddUser(t, a.srv, identity.User{ID: "u-dis", Name: "dis", Password: "pw", Disabled: true})

			r := a.do("POST", "/v3/auth/tokens", tc.body)
			if tc.status == http.StatusCreated {
				r.expect(t, http.StatusCreated)
				if r.Header.Get("X-Subject-Token") == "" {
					t.Error("no X-Subject-Token")
				}
				return
			}
			checkKeystoneError(t, r, tc.status)
			if len(a.srv.Users()) != 2 || len(a.srv.Projects()) != 4 {
				t.Errorf("strict mode created users or projects: %d users, %d projects", len(a.srv.Users()), len(a.srv.Projects()))
			}
		})
	}
}

// A disabled user is refused in the permissive model too.
func TestV3DisabledUserPermissive(t *testing.T) {
	a := newAPI(t)
	mustAddUser(t, a.srv, identity.User{ID: "u-dis", Name: "dis", Disabled: true})
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3Password("dis", "Default", "anything", "")), http.StatusUnauthorized)
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3PasswordByID("u-dis", "anything", "")), http.StatusUnauthorized)
}

func TestV3TokenLifecycle(t *testing.T) {
	a := seededAPI(t)
	caller, _ := a.login(v3PasswordByID("u-alice", "s3cret", ""))
	subject, issued := a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-ops")))

	// Validate.
	r := a.do("GET", "/v3/auth/tokens", "", "X-Auth-Token", caller, "X-Subject-Token", subject).expect(t, http.StatusOK)
	if got := r.Header.Get("X-Subject-Token"); got != subject {
		t.Errorf("validate: X-Subject-Token = %q, want %q", got, subject)
	}
	var validated v3Token
	r.decode(t, &validated)
	if diff := cmp.Diff(issued, validated); diff != "" {
		t.Errorf("validated token differs from the issued one (-issued +validated):\n%s", diff)
	}

	// Check.
	r = a.do("HEAD", "/v3/auth/tokens", "", "X-Auth-Token", caller, "X-Subject-Token", subject).expect(t, http.StatusOK)
	if len(r.Body) != 0 {
		t.Errorf("HEAD answered a body: %q", r.Body)
	}

	// Revoke.
	r = a.do("DELETE", "/v3/auth/tokens", "", "X-Auth-Token", caller, "X-Subject-Token", subject).expect(t, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("DELETE answered a body: %q", r.Body)
	}
	if tok, _ := a.srv.Token(subject); !tok.Revoked {
		t.Error("Token() does not report the token revoked")
	}

	// The revoked token is gone for validate, check and revoke, and refused as a caller.
	checkKeystoneError(t, a.do("GET", "/v3/auth/tokens", "", "X-Auth-Token", caller, "X-Subject-Token", subject), http.StatusNotFound)
	a.do("HEAD", "/v3/auth/tokens", "", "X-Auth-Token", caller, "X-Subject-Token", subject).expect(t, http.StatusNotFound)
	checkKeystoneError(t, a.do("DELETE", "/v3/auth/tokens", "", "X-Auth-Token", caller, "X-Subject-Token", subject), http.StatusNotFound)
	checkKeystoneError(t, a.get("/v3/auth/projects", subject), http.StatusUnauthorized)
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3TokenAuth(subject, "")), http.StatusUnauthorized)

	// The caller's own token still works.
	a.get("/v3/auth/projects", caller).expect(t, http.StatusOK)

	// A token can validate (and revoke) itself.
	a.do("GET", "/v3/auth/tokens", "", "X-Auth-Token", caller, "X-Subject-Token", caller).expect(t, http.StatusOK)
}

func TestV3TokenHeaderErrors(t *testing.T) {
	a := seededAPI(t)
	tok, _ := a.login(v3PasswordByID("u-alice", "s3cret", ""))
	tests := []struct {
		name    string
		method  string
		headers []string
		status  int
	}{
		{"validate without X-Auth-Token", "GET", []string{"X-Subject-Token", tok}, http.StatusUnauthorized},
		{"revoke without X-Auth-Token", "DELETE", []string{"X-Subject-Token", tok}, http.StatusUnauthorized},
		{"validate with a bogus X-Auth-Token", "GET", []string{"X-Auth-Token", "bogus", "X-Subject-Token", tok}, http.StatusUnauthorized},
		{"validate without X-Subject-Token", "GET", []string{"X-Auth-Token", tok}, http.StatusBadRequest},
		{"revoke without X-Subject-Token", "DELETE", []string{"X-Auth-Token", tok}, http.StatusBadRequest},
		{"validate an unknown token", "GET", []string{"X-Auth-Token", tok, "X-Subject-Token", strings.Repeat("f", 32)}, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkKeystoneError(t, a.do(tc.method, "/v3/auth/tokens", "", tc.headers...), tc.status)
		})
	}
	t.Run("check without X-Subject-Token", func(t *testing.T) {
		a.do("HEAD", "/v3/auth/tokens", "", "X-Auth-Token", tok).expect(t, http.StatusBadRequest)
	})
	t.Run("check without X-Auth-Token", func(t *testing.T) {
		a.do("HEAD", "/v3/auth/tokens", "", "X-Subject-Token", tok).expect(t, http.StatusUnauthorized)
	})
	if tok, _ := a.srv.Token(tok); tok.Revoked {
		t.Error("a refused DELETE revoked the token")
	}
}

func TestV3TokenExpiry(t *testing.T) {
	c := clock.New(clock.DefaultStart())
	a := seededAPI(t, fake.WithClock(c))
	if a.srv.Clock() != c {
		t.Fatal("Clock() is not the clock passed to WithClock")
	}
	subject, _ := a.login(v3PasswordByID("u-alice", "s3cret", ""))

	c.Advance(23*time.Hour + 59*time.Minute)
	a.get("/v3/auth/projects", subject).expect(t, http.StatusOK)
	fresh, _ := a.login(v3PasswordByID("u-alice", "s3cret", ""))

	c.Advance(2 * time.Minute) // 24h01m after the first token was issued
	checkKeystoneError(t, a.get("/v3/auth/projects", subject), http.StatusUnauthorized)
	checkKeystoneError(t, a.do("GET", "/v3/auth/tokens", "", "X-Auth-Token", fresh, "X-Subject-Token", subject), http.StatusNotFound)
	a.do("HEAD", "/v3/auth/tokens", "", "X-Auth-Token", fresh, "X-Subject-Token", subject).expect(t, http.StatusNotFound)
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3TokenAuth(subject, "")), http.StatusUnauthorized)

	c.Advance(25 * time.Hour)
	checkKeystoneError(t, a.get("/v3/auth/projects", fresh), http.StatusUnauthorized)
}

func TestV3TokenLifetimeOption(t *testing.T) {
	c := clock.New(clock.DefaultStart())
	a := seededAPI(t, fake.WithClock(c), identity.WithTokenLifetime(time.Hour))
	tok, body := a.login(v3PasswordByID("u-alice", "s3cret", ""))
	if body.Token.ExpiresAt != "2026-01-01T01:00:00.000000Z" {
		t.Errorf("expires_at = %s, want 2026-01-01T01:00:00.000000Z", body.Token.ExpiresAt)
	}
	c.Advance(59 * time.Minute)
	a.get("/v3/auth/projects", tok).expect(t, http.StatusOK)
	c.Advance(time.Minute) // exactly at expires_at: no longer valid
	checkKeystoneError(t, a.get("/v3/auth/projects", tok), http.StatusUnauthorized)
}

// Keystone keeps the original expiry in a token obtained with the token
// method, so that rescoping never extends a session.
func TestV3RescopeKeepsExpiry(t *testing.T) {
	c := clock.New(clock.DefaultStart())
	a := seededAPI(t, fake.WithClock(c))
	first, orig := a.login(v3PasswordByID("u-alice", "s3cret", `"unscoped"`))

	c.Advance(10 * time.Hour)
	second, rescoped := a.login(v3TokenAuth(first, projectByID("p-ops")))
	if rescoped.Token.ExpiresAt != orig.Token.ExpiresAt {
		t.Errorf("rescoped expires_at = %s, want the original %s", rescoped.Token.ExpiresAt, orig.Token.ExpiresAt)
	}
	if rescoped.Token.IssuedAt != "2026-01-01T10:00:00.000000Z" {
		t.Errorf("rescoped issued_at = %s, want the time of rescoping", rescoped.Token.IssuedAt)
	}

	c.Advance(14 * time.Hour) // the original's expiry
	checkKeystoneError(t, a.get("/v3/auth/projects", second), http.StatusUnauthorized)
}

// Rescoping with the token method chains: a rescope of a rescope still
// carries both methods once each and the user's identity.
func TestV3RescopeChain(t *testing.T) {
	a := seededAPI(t)
	t1, _ := a.login(v3PasswordByID("u-alice", "s3cret", `"unscoped"`))
	t2, _ := a.login(v3TokenAuth(t1, projectByID("p-demo")))
	_, tok := a.login(v3TokenAuth(t2, projectByID("p-ops")))
	methods := append([]string(nil), tok.Token.Methods...)
	sort.Strings(methods)
	if diff := cmp.Diff([]string{"password", "token"}, methods); diff != "" {
		t.Errorf("methods (-want +got):\n%s", diff)
	}
	if tok.Token.Project == nil || tok.Token.Project.ID != "p-ops" || tok.Token.User.ID != "u-alice" {
		t.Errorf("token = %+v, want alice on p-ops", tok.Token)
	}
}

// Schema errors carry Keystone's message, "Invalid input for field
// '<path>': <problem>".
func TestV3SchemaErrorMessages(t *testing.T) {
	a := newAPI(t)
	for body, want := range map[string]string{
		`{}`:                           "Invalid input for field 'auth': 'auth' is a required property",
		`{"auth":{"identity":{}}}`:     "Invalid input for field 'identity': 'methods' is a required property",
		v3PasswordByID("u", "p", "42"): `Invalid input for field 'scope': must be an object or "unscoped"`,
		v3Body(`{"methods":["password"],"password":{"user":{"name":"x"}}}`, ""): "Invalid input for field 'identity/password/user': a user named by name needs a 'domain'",
		v3PasswordByID("u", "p", `{"project":{"name":"p","domain":{}}}`):        "Invalid input for field 'scope/project/domain': 'id' or 'name' is required",
	} {
		var e keystoneError
		a.do("POST", "/v3/auth/tokens", body).expect(t, http.StatusBadRequest).decode(t, &e)
		if e.Error.Message != want {
			t.Errorf("%s: message %q, want %q", body, e.Error.Message, want)
		}
	}
}
