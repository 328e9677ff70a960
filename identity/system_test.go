package identity_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/identity"
)

const systemScope = `{"system":{"all":true}}`

// adminAPI is seededAPI plus DevStack's admin, created on first sight in
// the permissive default; it returns the admin's system- and
// project-scoped tokens and alice's member token.
func adminAPI(t *testing.T) (a *api, system, project, member string) {
	t.Helper()
	a = seededAPI(t)
	project, _ = a.login(v3Password("admin", "Default", "devstack", projectByName("admin", "Default")))
	system, _ = a.login(v3Password("admin", "Default", "devstack", systemScope))
	member, _ = a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-demo")))
	return a, system, project, member
}

// The permissive admin holds DevStack's assignments: the admin role (and
// member, reader) on project admin and on the system.
func TestPermissiveAdminIsDevStacks(t *testing.T) {
	a := seededAPI(t)
	_, tok := a.login(v3Password("admin", "Default", "any", ""))
	if tok.Token.Project == nil || tok.Token.Project.Name != "admin" {
		t.Fatalf("admin's default scope = %+v, want project admin", tok.Token.Project)
	}
	if diff := cmp.Diff([]string{"admin", "member", "reader"}, roleNames(tok.Token.Roles)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	// In strict mode nobody is created; Bootstrap seeds the same admin.
	s := seededAPI(t, identity.Strict())
	s.do("POST", "/v3/auth/tokens", v3Password("admin", "Default", "pw", systemScope)).expect(t, http.StatusUnauthorized)
	if _, err := s.srv.Bootstrap("admin", "pw"); err != nil {
		t.Fatal(err)
	}
	s.login(v3Password("admin", "Default", "pw", systemScope))
}

func TestSystemScopedToken(t *testing.T) {
	a, system, _, member := adminAPI(t)
	r := a.do("GET", "/v3/auth/tokens", "", "X-Auth-Token", system, "X-Subject-Token", system).expect(t, http.StatusOK)
	var got v3Token
	r.decode(t, &got)
	if !got.Token.System["all"] || got.Token.Project != nil || got.Token.Domain != nil {
		t.Errorf("system token: system %v project %v domain %v", got.Token.System, got.Token.Project, got.Token.Domain)
	}
	if diff := cmp.Diff([]string{"admin", "member", "reader"}, roleNames(got.Token.Roles)); diff != "" {
		t.Errorf("system roles (-want +got):\n%s", diff)
	}

	// A user without a system role gets 401, as in Keystone.
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3PasswordByID("u-alice", "s3cret", systemScope)), http.StatusUnauthorized)
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3PasswordByID("u-alice", "s3cret", `{"system":{"all":false}}`)), http.StatusBadRequest)
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3PasswordByID("u-alice", "s3cret", `{"system":{"all":true},"project":{"id":"p-demo"}}`)), http.StatusBadRequest)

	// GET /v3/auth/system: [{"all": true}] for the admin, [] for alice.
	type authSystem struct {
		System []map[string]bool `json:"system"`
		Links  struct {
			Self string `json:"self"`
		} `json:"links"`
	}
	var as authSystem
	a.get("/v3/auth/system", system).expect(t, http.StatusOK).decode(t, &as)
	if len(as.System) != 1 || !as.System[0]["all"] || as.Links.Self != a.srv.URL()+"/v3/auth/system" {
		t.Errorf("admin's /v3/auth/system = %+v", as)
	}
	a.get("/v3/auth/system", member).expect(t, http.StatusOK).decode(t, &as)
	if as.System == nil || len(as.System) != 0 {
		t.Errorf("alice's /v3/auth/system = %+v, want an empty list", as.System)
	}
	// Rescoping a system token keeps the system scope.
	_, re := a.login(v3TokenAuth(system, ""))
	if re.Token.Project != nil || re.Token.Roles == nil {
		t.Errorf("rescoped system token: %+v", re.Token)
	}
}

func TestDomainScopeNeedsARole(t *testing.T) {
	a := seededAPI(t)
	mustAddUser(t, a.srv, identity.User{ID: "u-bob", Name: "bob", Password: "pw"})
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3PasswordByID("u-bob", "pw", `{"domain":{"id":"default"}}`)), http.StatusUnauthorized)
	a.srv.GrantDomain("u-bob", "default", "member")
	_, tok := a.login(v3PasswordByID("u-bob", "pw", `{"domain":{"id":"default"}}`))
	if tok.Token.Domain == nil || tok.Token.Domain.ID != "default" {
		t.Errorf("domain = %+v", tok.Token.Domain)
	}
	// GET /v3/auth/domains lists it.
	bob, _ := a.login(v3PasswordByID("u-bob", "pw", ""))
	var got struct {
		Domains []v3Domain `json:"domains"`
		Links   listLinks  `json:"links"`
	}
	a.get("/v3/auth/domains", bob).expect(t, http.StatusOK).decode(t, &got)
	if len(got.Domains) != 1 || got.Domains[0].ID != "default" || got.Domains[0].Name != "Default" || !got.Domains[0].Enabled {
		t.Errorf("auth domains = %+v", got.Domains)
	}
	if got.Links.Self != a.srv.URL()+"/v3/auth/domains" {
		t.Errorf("links = %+v", got.Links)
	}
}

type v3Role struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	DomainID    *string        `json:"domain_id"`
	Description string         `json:"description"`
	Options     map[string]any `json:"options"`
	Links       struct {
		Self string `json:"self"`
	} `json:"links"`
}

type v3RoleList struct {
	Roles []v3Role  `json:"roles"`
	Links listLinks `json:"links"`
}

func TestRolesAndGrants(t *testing.T) {
	a, system, project, member := adminAPI(t)
	var created struct {
		Role v3Role `json:"role"`
	}
	a.do("POST", "/v3/roles", `{"role":{"name":"developer","description":"My new role"}}`, "X-Auth-Token", project).
		expect(t, http.StatusCreated).decode(t, &created)
	role := created.Role
	if !tokenIDPattern.MatchString(role.ID) || role.Name != "developer" || role.DomainID != nil || role.Options == nil ||
		role.Links.Self != a.srv.URL()+"/v3/roles/"+role.ID {
		t.Errorf("created role = %+v", role)
	}
	checkKeystoneError(t, a.do("POST", "/v3/roles", `{"role":{"name":"developer"}}`, "X-Auth-Token", project), http.StatusConflict)
	checkKeystoneError(t, a.do("POST", "/v3/roles", `{"role":{}}`, "X-Auth-Token", project), http.StatusBadRequest)
	checkKeystoneError(t, a.do("POST", "/v3/roles", `{"role":{"name":"x"}}`, "X-Auth-Token", member), http.StatusForbidden)
	var list v3RoleList
	a.get("/v3/roles?name=developer", system).expect(t, http.StatusOK).decode(t, &list)
	if len(list.Roles) != 1 || list.Roles[0].ID != role.ID {
		t.Errorf("roles?name=developer = %+v", list.Roles)
	}
	checkKeystoneError(t, a.get("/v3/roles", member), http.StatusForbidden)

	// Grant on a project, check, list, revoke.
	grant := "/v3/projects/p-demo/users/u-alice/roles/" + role.ID
	a.do("HEAD", grant, "", "X-Auth-Token", project).expect(t, http.StatusNotFound) // HEAD: no body
	checkKeystoneError(t, a.do("GET", grant, "", "X-Auth-Token", project), http.StatusNotFound)
	a.do("PUT", grant, "", "X-Auth-Token", project).expect(t, http.StatusNoContent)
	a.do("HEAD", grant, "", "X-Auth-Token", system).expect(t, http.StatusNoContent)
	a.get("/v3/projects/p-demo/users/u-alice/roles", system).expect(t, http.StatusOK).decode(t, &list)
	if diff := cmp.Diff([]string{"developer", "member"}, roleListNames(list)); diff != "" {
		t.Errorf("alice's roles on demo (-want +got):\n%s", diff)
	}
	_, tok := a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-demo")))
	if diff := cmp.Diff([]string{"member", "developer"}, roleNames(tok.Token.Roles)); diff != "" {
		t.Errorf("token roles after the grant (-want +got):\n%s", diff)
	}
	checkKeystoneError(t, a.do("PUT", grant, "", "X-Auth-Token", member), http.StatusForbidden)
	checkKeystoneError(t, a.do("PUT", "/v3/projects/p-demo/users/u-alice/roles/nope", "", "X-Auth-Token", project), http.StatusNotFound)
	checkKeystoneError(t, a.do("PUT", "/v3/projects/nope/users/u-alice/roles/"+role.ID, "", "X-Auth-Token", project), http.StatusNotFound)
	a.do("DELETE", grant, "", "X-Auth-Token", project).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.do("DELETE", grant, "", "X-Auth-Token", project), http.StatusNotFound)

	// On a domain and on the system.
	a.do("PUT", "/v3/domains/default/users/u-alice/roles/role-reader", "", "X-Auth-Token", project).expect(t, http.StatusNoContent)
	a.do("GET", "/v3/domains/default/users/u-alice/roles/role-reader", "", "X-Auth-Token", project).expect(t, http.StatusNoContent)
	a.do("PUT", "/v3/system/users/u-alice/roles/role-reader", "", "X-Auth-Token", project).expect(t, http.StatusNoContent)
	a.get("/v3/system/users/u-alice/roles", system).expect(t, http.StatusOK).decode(t, &list)
	if diff := cmp.Diff([]string{"reader"}, roleListNames(list)); diff != "" {
		t.Errorf("alice's system roles (-want +got):\n%s", diff)
	}
	if list.Links.Self != a.srv.URL()+"/v3/system/users/u-alice/roles" {
		t.Errorf("links = %+v", list.Links)
	}
	// Alice, a system reader now, may read but not write.
	aliceSys, _ := a.login(v3PasswordByID("u-alice", "s3cret", systemScope))
	a.get("/v3/roles", aliceSys).expect(t, http.StatusOK)
	checkKeystoneError(t, a.do("POST", "/v3/roles", `{"role":{"name":"y"}}`, "X-Auth-Token", aliceSys), http.StatusForbidden)
	a.do("DELETE", "/v3/system/users/u-alice/roles/role-reader", "", "X-Auth-Token", project).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3PasswordByID("u-alice", "s3cret", systemScope)), http.StatusUnauthorized)

	// Deleting a role removes its assignments.
	a.do("PUT", grant, "", "X-Auth-Token", project).expect(t, http.StatusNoContent)
	a.do("DELETE", "/v3/roles/"+role.ID, "", "X-Auth-Token", project).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.get("/v3/roles/"+role.ID, project), http.StatusNotFound)
	_, tok = a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-demo")))
	if diff := cmp.Diff([]string{"member"}, roleNames(tok.Token.Roles)); diff != "" {
		t.Errorf("token roles after the role's deletion (-want +got):\n%s", diff)
	}
}

func roleListNames(l v3RoleList) []string {
	out := []string{}
	for _, r := range l.Roles {
		out = append(out, r.Name)
	}
	return out
}

type assignRef struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain *ref   `json:"domain"`
}

type roleAssignment struct {
	Links struct {
		Assignment string `json:"assignment"`
	} `json:"links"`
	Role  assignRef `json:"role"`
	Scope struct {
		Project *assignRef      `json:"project"`
		Domain  *assignRef      `json:"domain"`
		System  map[string]bool `json:"system"`
	} `json:"scope"`
	User assignRef `json:"user"`
}

func TestRoleAssignments(t *testing.T) {
	a, system, project, member := adminAPI(t)
	a.srv.GrantDomain("u-alice", "default", "reader")
	var got struct {
		RoleAssignments []roleAssignment `json:"role_assignments"`
		Links           listLinks        `json:"links"`
	}
	a.get("/v3/role_assignments?user.id=u-alice", project).expect(t, http.StatusOK).decode(t, &got)
	// alice: member on demo, member and admin on ops, reader on the domain.
	if len(got.RoleAssignments) != 4 {
		t.Fatalf("alice's assignments = %+v", got.RoleAssignments)
	}
	first := got.RoleAssignments[0]
	if first.Scope.Domain == nil || first.Scope.Domain.ID != "default" || first.Role.ID != "role-reader" || first.User.ID != "u-alice" ||
		first.Links.Assignment != a.srv.URL()+"/v3/domains/default/users/u-alice/roles/role-reader" || first.Role.Name != "" {
		t.Errorf("first assignment = %+v", first)
	}
	got.RoleAssignments = nil
	a.get("/v3/role_assignments?scope.project.id=p-ops&role.id=role-admin&include_names&effective", system).expect(t, http.StatusOK).decode(t, &got)
	if len(got.RoleAssignments) != 1 {
		t.Fatalf("admins of ops = %+v", got.RoleAssignments)
	}
	ra := got.RoleAssignments[0]
	want := assignRef{ID: "p-ops", Name: "ops", Domain: &ref{ID: "default", Name: "Default"}}
	if diff := cmp.Diff(&want, ra.Scope.Project); diff != "" {
		t.Errorf("scope with names (-want +got):\n%s", diff)
	}
	if ra.Role.Name != "admin" || ra.User.Name != "alice" || ra.User.Domain == nil {
		t.Errorf("names: role %+v user %+v", ra.Role, ra.User)
	}
	got.RoleAssignments = nil
	a.get("/v3/role_assignments?scope.system=all", system).expect(t, http.StatusOK).decode(t, &got)
	for _, ra := range got.RoleAssignments {
		if !ra.Scope.System["all"] || ra.User.Name != "" {
			t.Errorf("system assignment = %+v", ra)
		}
	}
	if len(got.RoleAssignments) != 3 {
		t.Errorf("system assignments = %d, want the admin's 3", len(got.RoleAssignments))
	}
	checkKeystoneError(t, a.get("/v3/role_assignments", member), http.StatusForbidden)
}
