package identity_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/identity"
)

type listLinks struct {
	Self     string  `json:"self"`
	Previous *string `json:"previous"`
	Next     *string `json:"next"`
}

type v3Project struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	DomainID    string         `json:"domain_id"`
	Description string         `json:"description"`
	Enabled     bool           `json:"enabled"`
	IsDomain    bool           `json:"is_domain"`
	ParentID    string         `json:"parent_id"`
	Tags        []string       `json:"tags"`
	Options     map[string]any `json:"options"`
	Links       struct {
		Self string `json:"self"`
	} `json:"links"`
}

type v3ProjectList struct {
	Projects []v3Project `json:"projects"`
	Links    listLinks   `json:"links"`
}

func wantProject(base, id, name string) v3Project {
	p := v3Project{
		ID: id, Name: name, DomainID: "default", Enabled: true, ParentID: "default",
		Tags: []string{}, Options: map[string]any{},
	}
	p.Links.Self = base + "/v3/projects/" + id
	return p
}

func projectIDs(ps []v3Project) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// projectsAPI is seededAPI plus a project alice has no role on, and a
// second user, bob, with a project of his own. It returns alice's tokens
// scoped to demo (member) and to ops (admin), and bob's.
func projectsAPI(t *testing.T) (a *api, member, admin, bob string) {
	t.Helper()
	a = seededAPI(t)
	mustAddProject(t, a.srv, identity.Project{ID: "p-other", Name: "other", Description: "not alice's"})
	mustAddProject(t, a.srv, identity.Project{ID: "p-bob", Name: "bobs"})
	mustAddUser(t, a.srv, identity.User{ID: "u-bob", Name: "bob", Password: "pw"})
	a.srv.Grant("u-bob", "p-bob", "member")
	member, _ = a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-demo")))
	admin, _ = a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-ops")))
	bob, _ = a.login(v3PasswordByID("u-bob", "pw", projectByID("p-bob")))
	return a, member, admin, bob
}

func TestV3AuthCatalog(t *testing.T) {
	a, member, _, _ := projectsAPI(t)
	r := a.get("/v3/auth/catalog", member).expect(t, http.StatusOK)
	var got struct {
		Catalog []v3Service `json:"catalog"`
		Links   listLinks   `json:"links"`
	}
	r.decode(t, &got)
	if diff := cmp.Diff(wantCatalog(a.srv.URL(), "p-demo"), got.Catalog, ignoreCatalogIDs); diff != "" {
		t.Errorf("catalog (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(listLinks{Self: a.srv.URL() + "/v3/auth/catalog"}, got.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	checkKeystoneError(t, a.get("/v3/auth/catalog", ""), http.StatusUnauthorized)
}

func TestV3AuthProjects(t *testing.T) {
	a, member, _, bob := projectsAPI(t)
	r := a.get("/v3/auth/projects", member).expect(t, http.StatusOK)
	var got v3ProjectList
	r.decode(t, &got)
	base := a.srv.URL()
	want := v3ProjectList{
		Projects: []v3Project{wantProject(base, "p-demo", "demo"), wantProject(base, "p-ops", "ops")},
		Links:    listLinks{Self: base + "/v3/auth/projects"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alice's projects (-want +got):\n%s", diff)
	}

	got = v3ProjectList{}
	a.get("/v3/auth/projects", bob).expect(t, http.StatusOK).decode(t, &got)
	if diff := cmp.Diff([]string{"p-bob"}, projectIDs(got.Projects)); diff != "" {
		t.Errorf("bob's projects (-want +got):\n%s", diff)
	}
	checkKeystoneError(t, a.get("/v3/auth/projects", ""), http.StatusUnauthorized)
}

func TestV3ListProjects(t *testing.T) {
	a, member, admin, bob := projectsAPI(t)
	tests := []struct {
		name  string
		token string
		query string
		want  []string
	}{
		{"member sees own projects", member, "", []string{"p-demo", "p-ops"}},
		{"other member sees own projects", bob, "", []string{"p-bob"}},
		{"admin sees all projects", admin, "", []string{"p-bob", "p-demo", "p-ops", "p-other"}},
		{"admin filters by name", admin, "?name=other", []string{"p-other"}},
		{"member filters by name", member, "?name=ops", []string{"p-ops"}},
		{"member filters by a name not theirs", member, "?name=other", []string{}},
		{"filter by domain", admin, "?domain_id=nowhere", []string{}},
		{"filter by enabled", admin, "?enabled=true", []string{"p-bob", "p-demo", "p-ops", "p-other"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got v3ProjectList
			a.get("/v3/projects"+tc.query, tc.token).expect(t, http.StatusOK).decode(t, &got)
			if diff := cmp.Diff(tc.want, projectIDs(got.Projects)); diff != "" {
				t.Errorf("projects (-want +got):\n%s", diff)
			}
			if got.Links.Self != a.srv.URL()+"/v3/projects" {
				t.Errorf("links.self = %q", got.Links.Self)
			}
		})
	}
	checkKeystoneError(t, a.get("/v3/projects", ""), http.StatusUnauthorized)
}

func TestV3GetProject(t *testing.T) {
	a, member, admin, _ := projectsAPI(t)
	base := a.srv.URL()
	tests := []struct {
		name    string
		token   string
		project string
		status  int
		want    v3Project
	}{
		{"own project", member, "p-demo", http.StatusOK, wantProject(base, "p-demo", "demo")},
		{"project the token is not scoped to", member, "p-ops", http.StatusForbidden, v3Project{}},
		{"another user's project", member, "p-bob", http.StatusForbidden, v3Project{}},
		{"unknown project for a non-admin", member, "p-nowhere", http.StatusForbidden, v3Project{}},
		{"admin reads any project", admin, "p-other", http.StatusOK, func() v3Project {
			p := wantProject(base, "p-other", "other")
			p.Description = "not alice's"
			return p
		}()},
		{"admin, unknown project", admin, "p-nowhere", http.StatusNotFound, v3Project{}},
		{"no token", "", "p-demo", http.StatusUnauthorized, v3Project{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.get("/v3/projects/"+tc.project, tc.token)
			if tc.status != http.StatusOK {
				checkKeystoneError(t, r, tc.status)
				return
			}
			var got struct {
				Project v3Project `json:"project"`
			}
			r.expect(t, http.StatusOK).decode(t, &got)
			if diff := cmp.Diff(tc.want, got.Project); diff != "" {
				t.Errorf("project (-want +got):\n%s", diff)
			}
		})
	}
}

func TestV3UserProjects(t *testing.T) {
	a, member, admin, bob := projectsAPI(t)
	tests := []struct {
		name   string
		token  string
		user   string
		status int
		want   []string
	}{
		{"self", member, "u-alice", http.StatusOK, []string{"p-demo", "p-ops"}},
		{"bob himself", bob, "u-bob", http.StatusOK, []string{"p-bob"}},
		{"another user", member, "u-bob", http.StatusForbidden, nil},
		{"another user, by bob", bob, "u-alice", http.StatusForbidden, nil},
		{"admin, another user", admin, "u-bob", http.StatusOK, []string{"p-bob"}},
		{"admin, unknown user", admin, "u-nobody", http.StatusNotFound, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.get("/v3/users/"+tc.user+"/projects", tc.token)
			if tc.status != http.StatusOK {
				checkKeystoneError(t, r, tc.status)
				return
			}
			var got v3ProjectList
			r.expect(t, http.StatusOK).decode(t, &got)
			if diff := cmp.Diff(tc.want, projectIDs(got.Projects)); diff != "" {
				t.Errorf("projects (-want +got):\n%s", diff)
			}
			if want := a.srv.URL() + "/v3/users/" + tc.user + "/projects"; got.Links.Self != want {
				t.Errorf("links.self = %q, want %q", got.Links.Self, want)
			}
		})
	}
}
