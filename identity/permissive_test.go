package identity_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/identity"
)

// Rackspace (and Mimic) tenants are six-digit numbers.
var raxTenant = regexp.MustCompile(`^[1-9][0-9]{5}$`)

func TestPermissiveSameUserSameProject(t *testing.T) {
	a := newAPI(t)
	_, first := a.login(v3Password("dave", "Default", "one", ""))
	_, second := a.login(v3Password("dave", "Default", "another password", ""))

	if first.Token.User.ID == "" || first.Token.User.ID != second.Token.User.ID {
		t.Errorf("user IDs %q and %q, want the same non-empty ID", first.Token.User.ID, second.Token.User.ID)
	}
	if first.Token.Project == nil || second.Token.Project == nil {
		t.Fatalf("tokens not project-scoped: %+v, %+v", first.Token.Project, second.Token.Project)
	}
	if first.Token.Project.ID != second.Token.Project.ID {
		t.Errorf("default projects %q and %q, want the same", first.Token.Project.ID, second.Token.Project.ID)
	}
	if !raxTenant.MatchString(first.Token.Project.ID) {
		t.Errorf("default project %q is not a Rackspace six-digit tenant", first.Token.Project.ID)
	}
	if got := roleNames(first.Token.Roles); !cmp.Equal(got, []string{"member", "reader"}) {
		t.Errorf("roles on the own project = %q, want member, reader", got)
	}

	// The same user through v2.0 and by ID is still the same user and tenant.
	r := a.do("POST", "/v2.0/tokens", `{"auth":{"passwordCredentials":{"username":"dave","password":"x"}}}`).expect(t, http.StatusOK)
	var v2 v2Access
	r.decode(t, &v2)
	if v2.Access.User.ID != first.Token.User.ID || v2.Access.Token.Tenant == nil || v2.Access.Token.Tenant.ID != first.Token.Project.ID {
		t.Errorf("v2.0 login: user %q tenant %+v, want %q and %q", v2.Access.User.ID, v2.Access.Token.Tenant, first.Token.User.ID, first.Token.Project.ID)
	}
	_, byID := a.login(v3PasswordByID(first.Token.User.ID, "", ""))
	if byID.Token.Project == nil || byID.Token.Project.ID != first.Token.Project.ID {
		t.Errorf("login by ID scoped to %+v, want %q", byID.Token.Project, first.Token.Project.ID)
	}

	users := a.srv.Users()
	if len(users) != 1 || users[0].Name != "dave" || users[0].Email != "dave@example.com" || users[0].DefaultProjectID != first.Token.Project.ID {
		t.Errorf("Users() = %+v, want dave with his default project", users)
	}
	if n := len(a.srv.Projects()); n != 1 {
		t.Errorf("%d projects, want 1", n)
	}
}

func TestPermissiveDistinctUsersDistinctProjects(t *testing.T) {
	a := newAPI(t)
	seen := map[string]string{}
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("user%d", i)
		_, tok := a.login(v3Password(name, "Default", "pw", ""))
		p := tok.Token.Project.ID
		if other, dup := seen[p]; dup {
			t.Errorf("%s and %s share project %s", other, name, p)
		}
		seen[p] = name
	}
}

func TestPermissiveNamedProject(t *testing.T) {
	tests := []struct {
		name      string
		scope     string
		wantName  string
		wantID    string // "" means generated
		wantDomNm string
	}{
		{"by name in the default domain", projectByName("newproj", "Default"), "newproj", "", "Default"},
		{"by id", projectByID("proj-7"), "proj-7", "proj-7", "Default"},
		// The project is made in the domain the request names, so the
		// same request finds it next time.
		{"by name in another domain", projectByName("newproj", "Elsewhere"), "newproj", "", "Elsewhere"},
		{"by name in a domain named by id", `{"project":{"name":"newproj","domain":{"id":"dom-9"}}}`, "newproj", "", "dom-9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t)
			_, first := a.login(v3Password("erin", "Default", "pw", tc.scope))
			p := first.Token.Project
			if p == nil || p.Name != tc.wantName || (tc.wantID != "" && p.ID != tc.wantID) {
				t.Fatalf("project = %+v, want a project named %q", p, tc.wantName)
			}
			if p.Domain.Name != tc.wantDomNm {
				t.Errorf("project domain = %+v, want one named %s", p.Domain, tc.wantDomNm)
			}
			if got := roleNames(first.Token.Roles); !cmp.Equal(got, []string{"member", "reader"}) {
				t.Errorf("roles = %q, want member, reader", got)
			}
			if _, ok := a.srv.Project(p.ID); !ok {
				t.Errorf("Project(%q) not stored", p.ID)
			}

			// Asking again finds the same project rather than making another.
			_, again := a.login(v3Password("erin", "Default", "pw", tc.scope))
			if again.Token.Project == nil || again.Token.Project.ID != p.ID {
				t.Errorf("second login scoped to %+v, want %q", again.Token.Project, p.ID)
			}
			// The user is now a member: it shows in her project list, and a
			// login with no scope lands there (it is her only project).
			var list v3ProjectList
			tok, _ := a.login(v3Password("erin", "Default", "pw", ""))
			a.get("/v3/auth/projects", tok).expect(t, http.StatusOK).decode(t, &list)
			if diff := cmp.Diff([]string{p.ID}, projectIDs(list.Projects)); diff != "" {
				t.Errorf("erin's projects (-want +got):\n%s", diff)
			}
			if n := len(a.srv.Projects()); n != 1 {
				t.Errorf("%d projects exist, want 1: %+v", n, a.srv.Projects())
			}
		})
	}
}

// A user and domain named for the first time are created in that domain.
func TestPermissiveNewDomain(t *testing.T) {
	a := newAPI(t)
	_, tok := a.login(v3Password("frank", "Acme", "pw", ""))
	if tok.Token.User.Domain.Name != "Acme" || tok.Token.User.Domain.ID == "" {
		t.Errorf("user domain = %+v, want a new domain named Acme", tok.Token.User.Domain)
	}
	if tok.Token.Project == nil || tok.Token.Project.Domain != tok.Token.User.Domain {
		t.Errorf("project %+v, want one in the user's domain", tok.Token.Project)
	}
	_, again := a.login(v3Password("frank", "acme", "pw", ""))
	if again.Token.User.ID != tok.Token.User.ID {
		t.Errorf("domain names are case-insensitive in lookups: got user %q, want %q", again.Token.User.ID, tok.Token.User.ID)
	}
}

// A seeded user with no project gets an unscoped token when asking for none.
func TestSeededUserWithoutProject(t *testing.T) {
	a := newAPI(t)
	u := mustAddUser(t, a.srv, identity.User{Name: "gina"})
	if u.ID == "" || u.APIKey == "" || u.DomainID != identity.DefaultDomainID || u.DefaultRegion != "RegionOne" {
		t.Errorf("AddUser defaults = %+v", u)
	}
	_, tok := a.login(v3Password("gina", "Default", "", ""))
	if tok.Token.Project != nil || tok.Token.Roles != nil {
		t.Errorf("token = %+v, want unscoped", tok.Token)
	}
	if diff := cmp.Diff([]identity.User{u}, a.srv.Users(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Users() (-want +got):\n%s", diff)
	}
}
