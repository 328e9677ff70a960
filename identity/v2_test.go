package identity_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
)

type v2Tenant struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Enabled     bool    `json:"enabled"`
	Description *string `json:"description"`
}

type v2Role struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TenantID string `json:"tenantId,omitempty"`
}

type v2Endpoint struct {
	ID          string `json:"id"`
	Region      string `json:"region"`
	TenantID    string `json:"tenantId,omitempty"`
	PublicURL   string `json:"publicURL,omitempty"`
	InternalURL string `json:"internalURL,omitempty"`
	AdminURL    string `json:"adminURL,omitempty"`
	// Only in GET /v2.0/tokens/{id}/endpoints.
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

type v2Service struct {
	Type           string       `json:"type"`
	Name           string       `json:"name"`
	Endpoints      []v2Endpoint `json:"endpoints"`
	EndpointsLinks []any        `json:"endpoints_links"`
}

type v2Access struct {
	Access struct {
		Token struct {
			ID              string    `json:"id"`
			Expires         string    `json:"expires"`
			IssuedAt        string    `json:"issued_at"`
			AuditIDs        []string  `json:"audit_ids"`
			AuthenticatedBy []string  `json:"RAX-AUTH:authenticatedBy"`
			Tenant          *v2Tenant `json:"tenant"`
		} `json:"token"`
		User struct {
			ID            string   `json:"id"`
			Name          string   `json:"name"`
			Username      string   `json:"username"`
			Roles         []v2Role `json:"roles"`
			RolesLinks    []any    `json:"roles_links"`
			DefaultRegion string   `json:"RAX-AUTH:defaultRegion"`
		} `json:"user"`
		Metadata struct {
			IsAdmin int      `json:"is_admin"`
			Roles   []string `json:"roles"`
		} `json:"metadata"`
		ServiceCatalog *[]v2Service `json:"serviceCatalog"`
	} `json:"access"`
}

func v2PasswordBody(user, password, tenant string) string {
	return fmt.Sprintf(`{"auth":{"passwordCredentials":{"username":%q,"password":%q}%s}}`, user, password, tenant)
}

func v2APIKeyBody(user, key, tenant string) string {
	return fmt.Sprintf(`{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":%q,"apiKey":%q}%s}}`, user, key, tenant)
}

func v2TokenBody(token, tenant string) string {
	return fmt.Sprintf(`{"auth":{"token":{"id":%q}%s}}`, token, tenant)
}

func tenantID(id string) string     { return fmt.Sprintf(`,"tenantId":%q`, id) }
func tenantName(name string) string { return fmt.Sprintf(`,"tenantName":%q`, name) }

// v2Login authenticates over v2.0 and returns the access body.
func (a *api) v2Login(body string) v2Access {
	a.t.Helper()
	var acc v2Access
	a.do("POST", "/v2.0/tokens", body).expect(a.t, http.StatusOK).decode(a.t, &acc)
	if !tokenIDPattern.MatchString(acc.Access.Token.ID) {
		a.t.Fatalf("token id %q is not 32 hex digits", acc.Access.Token.ID)
	}
	return acc
}

func wantV2Catalog(base, tenant string) []v2Service {
	url := base + "/compute/v2.1/" + tenant
	return []v2Service{{Type: "compute", Name: "nova", EndpointsLinks: []any{}, Endpoints: []v2Endpoint{
		{Region: "RegionOne", TenantID: tenant, PublicURL: url, InternalURL: url, AdminURL: url},
	}}}
}

var ignoreV2EndpointID = cmpopts.IgnoreFields(v2Endpoint{}, "ID")

func TestV2CreateToken(t *testing.T) {
	demo := &v2Tenant{ID: "p-demo", Name: "demo", Enabled: true}
	ops := &v2Tenant{ID: "p-ops", Name: "ops", Enabled: true}
	member := []string{"member"}
	opsRoles := []string{"member", "admin"}
	tests := []struct {
		name      string
		body      func(a *api) string
		wantBy    []string
		wantTen   *v2Tenant
		wantRoles []string
	}{
		{"passwordCredentials", func(*api) string { return v2PasswordBody("alice", "s3cret", "") }, []string{"PASSWORD"}, demo, member},
		{"passwordCredentials with tenantId", func(*api) string { return v2PasswordBody("alice", "s3cret", tenantID("p-ops")) }, []string{"PASSWORD"}, ops, opsRoles},
		{"passwordCredentials with tenantName", func(*api) string { return v2PasswordBody("alice", "s3cret", tenantName("ops")) }, []string{"PASSWORD"}, ops, opsRoles},
		{"apiKeyCredentials", func(*api) string { return v2APIKeyBody("alice", "key-alice", "") }, []string{"APIKEY"}, demo, member},
		{"apiKeyCredentials with tenantId", func(*api) string { return v2APIKeyBody("alice", "key-alice", tenantID("p-ops")) }, []string{"APIKEY"}, ops, opsRoles},
		{"token with tenantId", func(a *api) string {
			acc := a.v2Login(v2PasswordBody("alice", "s3cret", ""))
			return v2TokenBody(acc.Access.Token.ID, tenantID("p-ops"))
		}, []string{"PASSWORD", "TOKEN"}, ops, opsRoles},
		{"token with tenantName", func(a *api) string {
			acc := a.v2Login(v2APIKeyBody("alice", "key-alice", ""))
			return v2TokenBody(acc.Access.Token.ID, tenantName("ops"))
		}, []string{"APIKEY", "TOKEN"}, ops, opsRoles},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := seededAPI(t, identity.Strict())
			mustAddUser(t, a.srv, identity.User{ID: "u-alice", Name: "alice", Password: "s3cret", APIKey: "key-alice", DefaultProjectID: "p-demo"})
			acc := a.v2Login(tc.body(a)).Access

			if acc.Token.Expires != "2026-01-02T00:00:00.000Z" || acc.Token.IssuedAt != "2026-01-01T00:00:00.000Z" {
				t.Errorf("expires, issued_at = %s, %s; want 24h apart from 2026-01-01T00:00:00.000Z", acc.Token.Expires, acc.Token.IssuedAt)
			}
			mustParse(t, v2Time, acc.Token.Expires)
			if diff := cmp.Diff(tc.wantBy, acc.Token.AuthenticatedBy, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("RAX-AUTH:authenticatedBy (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantTen, acc.Token.Tenant); diff != "" {
				t.Errorf("tenant (-want +got):\n%s", diff)
			}
			if acc.User.ID != "u-alice" || acc.User.Name != "alice" || acc.User.Username != "alice" || acc.User.DefaultRegion != "RegionOne" {
				t.Errorf("user = %+v", acc.User)
			}
			var roles []string
			for _, r := range acc.User.Roles {
				roles = append(roles, r.Name)
				if r.ID == "" || r.TenantID != tc.wantTen.ID {
					t.Errorf("role %+v: want an id and tenantId %s", r, tc.wantTen.ID)
				}
			}
			if diff := cmp.Diff(tc.wantRoles, roles); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			wantAdmin := 0
			if tc.wantTen.ID == "p-ops" {
				wantAdmin = 1
			}
			if acc.Metadata.IsAdmin != wantAdmin {
				t.Errorf("metadata.is_admin = %d, want %d", acc.Metadata.IsAdmin, wantAdmin)
			}
			if acc.ServiceCatalog == nil {
				t.Fatal("no serviceCatalog")
			}
			if diff := cmp.Diff(wantV2Catalog(a.srv.URL(), tc.wantTen.ID), *acc.ServiceCatalog, ignoreV2EndpointID); diff != "" {
				t.Errorf("serviceCatalog (-want +got):\n%s", diff)
			}
			// The v2.0 token is a token like any other: v3 validates it.
			a.do("GET", "/v3/auth/tokens", "", "X-Auth-Token", acc.Token.ID, "X-Subject-Token", acc.Token.ID).expect(t, http.StatusOK)
		})
	}
}

func TestV2DefaultRegion(t *testing.T) {
	a := newAPI(t, identity.WithRegions("ORD", "DFW"))
	acc := a.v2Login(v2APIKeyBody("hank", "k", "")).Access
	if acc.User.DefaultRegion != "ORD" {
		t.Errorf("RAX-AUTH:defaultRegion = %q, want ORD (the first region)", acc.User.DefaultRegion)
	}
	if !raxTenant.MatchString(acc.Token.Tenant.ID) {
		t.Errorf("tenant %q, want a six-digit Rackspace tenant", acc.Token.Tenant.ID)
	}
	if diff := cmp.Diff([]v2Service{}, *acc.ServiceCatalog); diff != "" {
		t.Errorf("empty catalog (-want +got):\n%s", diff)
	}
}

func TestV2CreateTokenErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		fault  string
	}{
		{"empty body", "", http.StatusBadRequest, "badRequest"},
		{"malformed JSON", `{"auth":`, http.StatusBadRequest, "badRequest"},
		{"missing auth", `{}`, http.StatusBadRequest, "badRequest"},
		{"no credentials", `{"auth":{"tenantId":"p-demo"}}`, http.StatusBadRequest, "badRequest"},
		{"passwordCredentials without username", `{"auth":{"passwordCredentials":{"password":"s3cret"}}}`, http.StatusBadRequest, "badRequest"},
		{"apiKeyCredentials without apiKey", `{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"alice"}}}`, http.StatusBadRequest, "badRequest"},
		{"token without id", `{"auth":{"token":{}}}`, http.StatusBadRequest, "badRequest"},
		{"wrong type", `{"auth":{"passwordCredentials":{"username":7}}}`, http.StatusBadRequest, "badRequest"},
		{"wrong password", v2PasswordBody("alice", "nope", ""), http.StatusUnauthorized, "unauthorized"},
		{"wrong API key", v2APIKeyBody("alice", "s3cret", ""), http.StatusUnauthorized, "unauthorized"},
		{"unknown user", v2PasswordBody("mallory", "s3cret", ""), http.StatusUnauthorized, "unauthorized"},
		{"unknown token", v2TokenBody(strings.Repeat("a", 32), tenantID("p-demo")), http.StatusUnauthorized, "unauthorized"},
		{"tenant not a member of", v2PasswordBody("alice", "s3cret", tenantID("p-other")), http.StatusUnauthorized, "unauthorized"},
		{"unknown tenant name", v2PasswordBody("alice", "s3cret", tenantName("nowhere")), http.StatusUnauthorized, "unauthorized"},
		{"body over the limit", `{"auth":"` + strings.Repeat("x", 1<<20) + `"}`, http.StatusRequestEntityTooLarge, "overLimit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := seededAPI(t, identity.Strict())
			mustAddUser(t, a.srv, identity.User{ID: "u-alice", Name: "alice", Password: "s3cret", APIKey: "key-alice", DefaultProjectID: "p-demo"})
			mustAddProject(t, a.srv, identity.Project{ID: "p-other", Name: "other"})
			checkRaxFault(t, a.do("POST", "/v2.0/tokens", tc.body), tc.status, tc.fault)
		})
	}
}

// Keystone's v2.0 token method keeps the original token's expiry.
func TestV2TokenAuthKeepsExpiry(t *testing.T) {
	c := clock.New(clock.DefaultStart())
	a := seededAPI(t, fake.WithClock(c))
	first := a.v2Login(v2PasswordBody("alice", "s3cret", "")).Access
	c.Advance(6 * time.Hour)
	second := a.v2Login(v2TokenBody(first.Token.ID, tenantID("p-ops"))).Access
	if second.Token.Expires != first.Token.Expires {
		t.Errorf("expires = %s, want the original token's %s", second.Token.Expires, first.Token.Expires)
	}
}

func TestV2ValidateToken(t *testing.T) {
	c := clock.New(clock.DefaultStart())
	a := seededAPI(t, fake.WithClock(c))
	caller := a.v2Login(v2PasswordBody("alice", "s3cret", tenantID("p-ops"))).Access.Token.ID
	issued := a.v2Login(v2PasswordBody("alice", "s3cret", ""))
	subject := issued.Access.Token.ID

	tests := []struct {
		name   string
		path   string
		token  string
		status int
	}{
		{"validate", subject, caller, http.StatusOK},
		{"belongsTo the tenant id", subject + "?belongsTo=p-demo", caller, http.StatusOK},
		{"belongsTo the tenant name", subject + "?belongsTo=demo", caller, http.StatusOK},
		{"belongsTo another tenant", subject + "?belongsTo=p-ops", caller, http.StatusNotFound},
		{"unknown token", strings.Repeat("b", 32), caller, http.StatusNotFound},
		{"no X-Auth-Token", subject, "", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.get("/v2.0/tokens/"+tc.path, tc.token)
			h := a.do("HEAD", "/v2.0/tokens/"+tc.path, "", "X-Auth-Token", tc.token)
			if h.Status != tc.status || len(h.Body) != 0 {
				t.Errorf("HEAD = %d with %d bytes, want %d and no body", h.Status, len(h.Body), tc.status)
			}
			switch tc.status {
			case http.StatusOK:
				var got v2Access
				r.expect(t, http.StatusOK).decode(t, &got)
				want := issued
				want.Access.ServiceCatalog = nil // validation carries no catalog
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("validated access (-want +got):\n%s", diff)
				}
			case http.StatusNotFound:
				checkRaxFault(t, r, tc.status, "itemNotFound")
			case http.StatusUnauthorized:
				checkRaxFault(t, r, tc.status, "unauthorized")
			}
		})
	}

	t.Run("expired", func(t *testing.T) {
		c.Advance(25 * time.Hour)
		fresh := a.v2Login(v2PasswordBody("alice", "s3cret", "")).Access.Token.ID
		checkRaxFault(t, a.get("/v2.0/tokens/"+subject, fresh), http.StatusNotFound, "itemNotFound")
		checkRaxFault(t, a.get("/v2.0/tenants", subject), http.StatusUnauthorized, "unauthorized")
	})
}

func TestV2TokenEndpoints(t *testing.T) {
	a := seededAPI(t)
	tok := a.v2Login(v2PasswordBody("alice", "s3cret", "")).Access.Token.ID
	var got struct {
		Endpoints      []v2Endpoint `json:"endpoints"`
		EndpointsLinks []any        `json:"endpoints_links"`
	}
	a.get("/v2.0/tokens/"+tok+"/endpoints", tok).expect(t, http.StatusOK).decode(t, &got)
	url := a.srv.URL() + "/compute/v2.1/p-demo"
	want := []v2Endpoint{{Region: "RegionOne", TenantID: "p-demo", PublicURL: url, InternalURL: url, AdminURL: url, Name: "nova", Type: "compute"}}
	if diff := cmp.Diff(want, got.Endpoints, ignoreV2EndpointID); diff != "" {
		t.Errorf("endpoints (-want +got):\n%s", diff)
	}
	if got.EndpointsLinks == nil {
		t.Error("no endpoints_links")
	}
	checkRaxFault(t, a.get("/v2.0/tokens/"+strings.Repeat("c", 32)+"/endpoints", tok), http.StatusNotFound, "itemNotFound")
	checkRaxFault(t, a.get("/v2.0/tokens/"+tok+"/endpoints", ""), http.StatusUnauthorized, "unauthorized")
}

func TestV2ListTenants(t *testing.T) {
	a := seededAPI(t)
	mustAddProject(t, a.srv, identity.Project{ID: "p-other", Name: "other"})
	tok := a.v2Login(v2PasswordBody("alice", "s3cret", "")).Access.Token.ID
	var got struct {
		Tenants      []v2Tenant `json:"tenants"`
		TenantsLinks []any      `json:"tenants_links"`
	}
	a.get("/v2.0/tenants", tok).expect(t, http.StatusOK).decode(t, &got)
	want := []v2Tenant{{ID: "p-demo", Name: "demo", Enabled: true}, {ID: "p-ops", Name: "ops", Enabled: true}}
	if diff := cmp.Diff(want, got.Tenants); diff != "" {
		t.Errorf("tenants (-want +got):\n%s", diff)
	}
	checkRaxFault(t, a.get("/v2.0/tenants", ""), http.StatusUnauthorized, "unauthorized")
	checkRaxFault(t, a.get("/v2.0/tenants", "not-a-token"), http.StatusUnauthorized, "unauthorized")
}

type v2User struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	Email         string `json:"email"`
	Enabled       bool   `json:"enabled"`
	DomainID      string `json:"RAX-AUTH:domainId"`
	DefaultRegion string `json:"RAX-AUTH:defaultRegion"`
	Created       string `json:"created"`
	Updated       string `json:"updated"`
}

func TestV2ListUsers(t *testing.T) {
	setup := func(t *testing.T, opts ...identity.Option) (a *api, member, admin string) {
		a = seededAPI(t, opts...)
		mustAddUser(t, a.srv, identity.User{ID: "u-alice", Name: "alice", Password: "s3cret", Email: "alice@example.org", DefaultProjectID: "p-demo"})
		mustAddUser(t, a.srv, identity.User{ID: "u-bob", Name: "bob", Password: "pw"})
		member = a.v2Login(v2PasswordBody("alice", "s3cret", tenantID("p-demo"))).Access.Token.ID
		admin = a.v2Login(v2PasswordBody("alice", "s3cret", tenantID("p-ops"))).Access.Token.ID
		return a, member, admin
	}
	alice := v2User{ID: "u-alice", Username: "alice", Email: "alice@example.org", Enabled: true, DomainID: "default",
		DefaultRegion: "RegionOne", Created: "2026-01-01T00:00:00.000Z", Updated: "2026-01-01T00:00:00.000Z"}

	t.Run("by name", func(t *testing.T) {
		a, member, _ := setup(t)
		var got struct {
			User v2User `json:"user"`
		}
		a.get("/v2.0/users?name=alice", member).expect(t, http.StatusOK).decode(t, &got)
		if diff := cmp.Diff(alice, got.User); diff != "" {
			t.Errorf("user (-want +got):\n%s", diff)
		}
	})
	t.Run("unknown name, permissive", func(t *testing.T) {
		a, member, _ := setup(t)
		var got struct {
			User v2User `json:"user"`
		}
		a.get("/v2.0/users?name=zed", member).expect(t, http.StatusOK).decode(t, &got)
		if got.User.Username != "zed" || got.User.ID == "" {
			t.Errorf("user = %+v, want zed created", got.User)
		}
		if u, ok := a.srv.UserByName("zed"); !ok || u.ID != got.User.ID {
			t.Errorf("UserByName(zed) = %+v, %v", u, ok)
		}
	})
	t.Run("unknown name, strict", func(t *testing.T) {
		a, member, _ := setup(t, identity.Strict())
		checkRaxFault(t, a.get("/v2.0/users?name=zed", member), http.StatusNotFound, "itemNotFound")
	})
	t.Run("list as member", func(t *testing.T) {
		a, member, _ := setup(t)
		var got struct {
			Users      []v2User `json:"users"`
			UsersLinks []any    `json:"users_links"`
		}
		a.get("/v2.0/users", member).expect(t, http.StatusOK).decode(t, &got)
		if diff := cmp.Diff([]v2User{alice}, got.Users); diff != "" {
			t.Errorf("users (-want +got):\n%s", diff)
		}
	})
	t.Run("list as admin", func(t *testing.T) {
		a, _, admin := setup(t)
		var got struct {
			Users      []v2User `json:"users"`
			UsersLinks []any    `json:"users_links"`
		}
		a.get("/v2.0/users", admin).expect(t, http.StatusOK).decode(t, &got)
		var names []string
		for _, u := range got.Users {
			names = append(names, u.Username)
		}
		if diff := cmp.Diff([]string{"alice", "bob"}, names); diff != "" {
			t.Errorf("users (-want +got):\n%s", diff)
		}
	})
	t.Run("no token", func(t *testing.T) {
		a, _, _ := setup(t)
		checkRaxFault(t, a.get("/v2.0/users?name=alice", ""), http.StatusUnauthorized, "unauthorized")
	})
}

func TestV2Credentials(t *testing.T) {
	a := seededAPI(t, identity.Strict())
	mustAddUser(t, a.srv, identity.User{ID: "u-alice", Name: "alice", Password: "s3cret", APIKey: "key-alice", DefaultProjectID: "p-demo"})
	mustAddUser(t, a.srv, identity.User{ID: "u-bob", Name: "bob", Password: "pw", APIKey: "key-bob"})
	member := a.v2Login(v2PasswordBody("alice", "s3cret", "")).Access.Token.ID
	admin := a.v2Login(v2PasswordBody("alice", "s3cret", tenantID("p-ops"))).Access.Token.ID
	bob := a.v2Login(v2PasswordBody("bob", "pw", "")).Access.Token.ID

	type creds struct {
		Username string `json:"username"`
		APIKey   string `json:"apiKey"`
	}
	type list struct {
		Credentials []struct {
			APIKey creds `json:"RAX-KSKEY:apiKeyCredentials"`
		} `json:"credentials"`
		CredentialsLinks []any `json:"credentials_links"`
	}
	type single struct {
		APIKey creds `json:"RAX-KSKEY:apiKeyCredentials"`
	}
	tests := []struct {
		name   string
		token  string
		user   string
		status int
		want   creds
	}{
		{"self", member, "u-alice", http.StatusOK, creds{"alice", "key-alice"}},
		{"bob himself", bob, "u-bob", http.StatusOK, creds{"bob", "key-bob"}},
		{"other user", member, "u-bob", http.StatusForbidden, creds{}},
		{"other user, by bob", bob, "u-alice", http.StatusForbidden, creds{}},
		{"admin, other user", admin, "u-bob", http.StatusOK, creds{"bob", "key-bob"}},
		{"admin, unknown user", admin, "u-nobody", http.StatusNotFound, creds{}},
		{"no token", "", "u-alice", http.StatusUnauthorized, creds{}},
	}
	faults := map[int]string{http.StatusForbidden: "forbidden", http.StatusNotFound: "itemNotFound", http.StatusUnauthorized: "unauthorized"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := "/v2.0/users/" + tc.user + "/OS-KSADM/credentials"
			r1 := a.get(base, tc.token)
			r2 := a.get(base+"/RAX-KSKEY:apiKeyCredentials", tc.token)
			if tc.status != http.StatusOK {
				checkRaxFault(t, r1, tc.status, faults[tc.status])
				checkRaxFault(t, r2, tc.status, faults[tc.status])
				return
			}
			var l list
			r1.expect(t, http.StatusOK).decode(t, &l)
			if len(l.Credentials) != 1 || l.Credentials[0].APIKey != tc.want || l.CredentialsLinks == nil {
				t.Errorf("credentials = %+v, want one API key %+v", l, tc.want)
			}
			var s single
			r2.expect(t, http.StatusOK).decode(t, &s)
			if s.APIKey != tc.want {
				t.Errorf("RAX-KSKEY:apiKeyCredentials = %+v, want %+v", s.APIKey, tc.want)
			}
			// The key read back authenticates (strict mode checks it).
			a.v2Login(v2APIKeyBody(s.APIKey.Username, s.APIKey.APIKey, ""))
		})
	}
}

// A user first seen through apiKeyCredentials keeps that key, which
// GET .../RAX-KSKEY:apiKeyCredentials returns.
func TestV2APIKeyRemembered(t *testing.T) {
	a := newAPI(t)
	acc := a.v2Login(v2APIKeyBody("ivy", "ivy-key", "")).Access
	var got struct {
		APIKey struct {
			Username string `json:"username"`
			APIKey   string `json:"apiKey"`
		} `json:"RAX-KSKEY:apiKeyCredentials"`
	}
	a.get("/v2.0/users/"+acc.User.ID+"/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials", acc.Token.ID).expect(t, http.StatusOK).decode(t, &got)
	if got.APIKey.Username != "ivy" || got.APIKey.APIKey != "ivy-key" {
		t.Errorf("apiKeyCredentials = %+v, want ivy/ivy-key", got.APIKey)
	}
}

type impersonationAccess struct {
	Access struct {
		Token struct {
			ID      string `json:"id"`
			Expires string `json:"expires"`
		} `json:"token"`
	} `json:"access"`
}

func impersonationBody(user string, expire string) string {
	if expire == "" {
		return fmt.Sprintf(`{"RAX-AUTH:impersonation":{"user":{"username":%q}}}`, user)
	}
	return fmt.Sprintf(`{"RAX-AUTH:impersonation":{"user":{"username":%q},"expire-in-seconds":%s}}`, user, expire)
}

func TestV2Impersonation(t *testing.T) {
	c := clock.New(clock.DefaultStart())
	a := seededAPI(t, fake.WithClock(c))
	mustAddProject(t, a.srv, identity.Project{ID: "p-bob", Name: "bobs"})
	mustAddUser(t, a.srv, identity.User{ID: "u-bob", Name: "bob", DefaultProjectID: "p-bob"})
	a.srv.Grant("u-bob", "p-bob", "member")
	admin := a.v2Login(v2PasswordBody("alice", "s3cret", tenantID("p-ops"))).Access.Token.ID

	r := a.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", impersonationBody("bob", "3600"), "X-Auth-Token", admin).expect(t, http.StatusOK)
	var imp impersonationAccess
	r.decode(t, &imp)
	if !tokenIDPattern.MatchString(imp.Access.Token.ID) || imp.Access.Token.Expires != "2026-01-01T01:00:00.000Z" {
		t.Fatalf("impersonation token = %+v, want an id expiring at 2026-01-01T01:00:00.000Z", imp.Access.Token)
	}
	tok := imp.Access.Token.ID

	// It acts as bob, on bob's tenant.
	var tenants struct {
		Tenants      []v2Tenant `json:"tenants"`
		TenantsLinks []any      `json:"tenants_links"`
	}
	a.get("/v2.0/tenants", tok).expect(t, http.StatusOK).decode(t, &tenants)
	if len(tenants.Tenants) != 1 || tenants.Tenants[0].ID != "p-bob" {
		t.Errorf("impersonated tenants = %+v, want bob's", tenants.Tenants)
	}
	var v3 v3Token
	a.do("GET", "/v3/auth/tokens", "", "X-Auth-Token", tok, "X-Subject-Token", tok).expect(t, http.StatusOK).decode(t, &v3)
	if v3.Token.User.ID != "u-bob" || v3.Token.Impersonator == nil || *v3.Token.Impersonator != (ref{ID: "u-alice", Name: "alice"}) {
		t.Errorf("v3 view: user %+v impersonator %+v, want bob impersonated by alice", v3.Token.User, v3.Token.Impersonator)
	}
	if diff := cmp.Diff([]string{"impersonation"}, v3.Token.Methods); diff != "" {
		t.Errorf("methods (-want +got):\n%s", diff)
	}

	// It expires by the clock.
	c.Advance(time.Hour - time.Second)
	a.get("/v2.0/tenants", tok).expect(t, http.StatusOK)
	c.Advance(time.Second)
	checkRaxFault(t, a.get("/v2.0/tenants", tok), http.StatusUnauthorized, "unauthorized")
}

func TestV2ImpersonationDefaults(t *testing.T) {
	a := newAPI(t, identity.WithTokenLifetime(2*time.Hour))
	caller := a.v2Login(v2PasswordBody("admin", "pw", "")).Access.Token.ID
	var imp impersonationAccess
	a.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", impersonationBody("newbie", ""), "X-Auth-Token", caller).expect(t, http.StatusOK).decode(t, &imp)
	if imp.Access.Token.Expires != "2026-01-01T02:00:00.000Z" {
		t.Errorf("expires = %s, want the token lifetime (2h)", imp.Access.Token.Expires)
	}
	// Permissive: the impersonated user is created, with a tenant of their own.
	u, ok := a.srv.UserByName("newbie")
	if !ok || !raxTenant.MatchString(u.DefaultProjectID) {
		t.Fatalf("UserByName(newbie) = %+v, %v; want a user with a Rackspace tenant", u, ok)
	}
	tok, _ := a.srv.Token(imp.Access.Token.ID)
	if tok.UserID != u.ID || tok.ProjectID != u.DefaultProjectID || tok.Impersonator == "" {
		t.Errorf("Token() = %+v, want newbie's on %s impersonated", tok, u.DefaultProjectID)
	}
}

// An impersonation token lives at most Rackspace's three hours, and never
// past the impersonator's own token.
func TestV2ImpersonationBounded(t *testing.T) {
	a := newAPI(t, identity.WithTokenLifetime(24*time.Hour))
	caller := a.v2Login(v2PasswordBody("admin", "pw", "")).Access.Token.ID
	var imp impersonationAccess
	a.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", impersonationBody("old-timer", "10800"), "X-Auth-Token", caller).
		expect(t, http.StatusOK).decode(t, &imp)
	if want := clock.DefaultStart().Add(3 * time.Hour).Format(v2Time); imp.Access.Token.Expires != want {
		t.Errorf("expires = %s, want %s", imp.Access.Token.Expires, want)
	}
	a.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", impersonationBody("old-timer", ""), "X-Auth-Token", caller).
		expect(t, http.StatusOK).decode(t, &imp)
	if want := clock.DefaultStart().Add(3 * time.Hour).Format(v2Time); imp.Access.Token.Expires != want {
		t.Errorf("default expires = %s, want %s (three hours)", imp.Access.Token.Expires, want)
	}
	checkRaxFault(t, a.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", impersonationBody("old-timer", "10801"), "X-Auth-Token", caller),
		http.StatusBadRequest, "badRequest")

	// Capped by the impersonator's token.
	short := newAPI(t, identity.WithTokenLifetime(time.Hour))
	caller = short.v2Login(v2PasswordBody("admin", "pw", "")).Access.Token.ID
	short.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", impersonationBody("old-timer", "7200"), "X-Auth-Token", caller).
		expect(t, http.StatusOK).decode(t, &imp)
	if want := clock.DefaultStart().Add(time.Hour).Format(v2Time); imp.Access.Token.Expires != want {
		t.Errorf("expires = %s, want the impersonator's %s", imp.Access.Token.Expires, want)
	}
}

// Only an identity admin may impersonate: a member gets Rackspace's 403,
// in the permissive default too, and no token is issued.
func TestV2ImpersonationNeedsIdentityAdmin(t *testing.T) {
	for _, strict := range []bool{false, true} {
		var opts []identity.Option
		if strict {
			opts = append(opts, identity.Strict())
		}
		a := seededAPI(t, opts...)
		member := a.v2Login(v2PasswordBody("alice", "s3cret", tenantID("p-demo"))).Access.Token.ID
		before := len(a.srv.Tokens())
		checkRaxFault(t, a.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", impersonationBody("alice", "60"), "X-Auth-Token", member),
			http.StatusForbidden, "forbidden")
		if len(a.srv.Tokens()) != before {
			t.Errorf("strict=%v: a refused impersonation issued a token", strict)
		}
	}
	// Rackspace's identity:admin role may.
	a := seededAPI(t)
	mustAddUser(t, a.srv, identity.User{ID: "u-ia", Name: "ia", Password: "pw", DefaultProjectID: "p-demo"})
	a.srv.Grant("u-ia", "p-demo", "identity:admin")
	ia := a.v2Login(v2PasswordBody("ia", "pw", tenantID("p-demo"))).Access.Token.ID
	a.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", impersonationBody("alice", "60"), "X-Auth-Token", ia).expect(t, http.StatusOK)
}

func TestV2ImpersonationErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		token  bool
		status int
		fault  string
		strict bool
	}{
		{"no token", impersonationBody("bob", "60"), false, http.StatusUnauthorized, "unauthorized", false},
		{"malformed", `{"RAX-AUTH:impersonation":`, true, http.StatusBadRequest, "badRequest", false},
		{"empty body", ``, true, http.StatusBadRequest, "badRequest", false},
		{"no impersonation", `{}`, true, http.StatusBadRequest, "badRequest", false},
		{"no user", `{"RAX-AUTH:impersonation":{"expire-in-seconds":60}}`, true, http.StatusBadRequest, "badRequest", false},
		{"no username", `{"RAX-AUTH:impersonation":{"user":{}}}`, true, http.StatusBadRequest, "badRequest", false},
		{"zero seconds", impersonationBody("bob", "0"), true, http.StatusBadRequest, "badRequest", false},
		{"negative seconds", impersonationBody("bob", "-5"), true, http.StatusBadRequest, "badRequest", false},
		{"fractional seconds", impersonationBody("bob", "1.5"), true, http.StatusBadRequest, "badRequest", false},
		{"seconds as a string", impersonationBody("bob", `"60"`), true, http.StatusBadRequest, "badRequest", false},
		{"seconds beyond any duration", impersonationBody("bob", "10000000000"), true, http.StatusBadRequest, "badRequest", false},
		{"seconds beyond Rackspace's maximum", impersonationBody("bob", "10801"), true, http.StatusBadRequest, "badRequest", false},
		{"unknown user, strict", impersonationBody("nobody", "60"), true, http.StatusNotFound, "itemNotFound", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []identity.Option
			if tc.strict {
				opts = append(opts, identity.Strict())
			}
			a := seededAPI(t, opts...)
			var hdr []string
			if tc.token {
				admin := a.v2Login(v2PasswordBody("alice", "s3cret", tenantID("p-ops"))).Access.Token.ID
				hdr = []string{"X-Auth-Token", admin}
			}
			before := len(a.srv.Tokens())
			checkRaxFault(t, a.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", tc.body, hdr...), tc.status, tc.fault)
			if n := len(a.srv.Tokens()); n != before {
				t.Errorf("a refused impersonation issued a token (%d tokens, had %d)", n, before)
			}
		})
	}
}

func TestRaxMosso(t *testing.T) {
	t.Run("known tenant", func(t *testing.T) {
		a := newAPI(t)
		acc := a.v2Login(v2APIKeyBody("jack", "k", tenantID("123456"))).Access
		if acc.Token.Tenant == nil || acc.Token.Tenant.ID != "123456" {
			t.Fatalf("tenant = %+v", acc.Token.Tenant)
		}
		r := a.do("GET", "/v1.1/mosso/123456", "").expect(t, http.StatusMovedPermanently)
		var got struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		r.decode(t, &got)
		if got.User.ID != "jack" {
			t.Errorf("user.id = %q, want the user name jack", got.User.ID)
		}
		if loc := r.Header.Get("Location"); loc != a.srv.URL()+"/v1.1/users/jack" {
			t.Errorf("Location = %q, want %s/v1.1/users/jack", loc, a.srv.URL())
		}
	})
	t.Run("unknown tenant, permissive", func(t *testing.T) {
		a := newAPI(t)
		r := a.do("GET", "/v1.1/mosso/654321", "").expect(t, http.StatusMovedPermanently)
		var got struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		r.decode(t, &got)
		if got.User.ID == "" || r.Header.Get("Location") != a.srv.URL()+"/v1.1/users/"+got.User.ID {
			t.Errorf("user %q, Location %q", got.User.ID, r.Header.Get("Location"))
		}
		// The tenant now exists and belongs to that user.
		u, ok := a.srv.UserByName(got.User.ID)
		if _, pok := a.srv.Project("654321"); !ok || !pok || u.DefaultProjectID != "654321" {
			t.Errorf("user %+v (%v), project exists %v; want the tenant created for the user", u, ok, pok)
		}
		// Asking again names the same user.
		var again struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		a.do("GET", "/v1.1/mosso/654321", "").expect(t, http.StatusMovedPermanently).decode(t, &again)
		if again.User.ID != got.User.ID {
			t.Errorf("second lookup = %q, want %q", again.User.ID, got.User.ID)
		}
	})
	t.Run("unknown tenant, strict", func(t *testing.T) {
		a := newAPI(t, identity.Strict())
		checkRaxFault(t, a.do("GET", "/v1.1/mosso/654321", ""), http.StatusNotFound, "itemNotFound")
	})
}

// TestRaxMossoOwnerIsStable: a tenant with several members always names
// the same owner, the user whose default tenant it is.
func TestRaxMossoOwnerIsStable(t *testing.T) {
	a := newAPI(t, identity.Strict())
	mustAddProject(t, a.srv, identity.Project{ID: "123456"})
	for _, name := range []string{"zed", "amy", "owner", "bob"} {
		u := identity.User{ID: "id-" + name, Name: name}
		if name == "owner" {
			u.DefaultProjectID = "123456"
		}
		mustAddUser(t, a.srv, u)
		a.srv.Grant(u.ID, "123456", "member")
	}
	for i := 0; i < 20; i++ {
		loc := a.do("GET", "/v1.1/mosso/123456", "").expect(t, http.StatusMovedPermanently).Header.Get("Location")
		if want := a.srv.URL() + "/v1.1/users/owner"; loc != want {
			t.Fatalf("lookup %d: Location %q, want %q", i, loc, want)
		}
	}
}
