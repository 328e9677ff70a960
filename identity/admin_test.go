package identity_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	jsonUnmarshal = json.Unmarshal
	cmpEmpty      = cmpopts.EquateEmpty()
)

type v3Domain struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Enabled     bool           `json:"enabled"`
	Tags        []string       `json:"tags"`
	Options     map[string]any `json:"options"`
	Links       struct {
		Self string `json:"self"`
	} `json:"links"`
}

func TestDomainsAdministration(t *testing.T) {
	a, system, admin, member := adminAPI(t)
	var one struct {
		Domain v3Domain `json:"domain"`
	}
	// A member reads its own domain (Keystone's get_domain policy).
	a.get("/v3/domains/default", member).expect(t, http.StatusOK).decode(t, &one)
	if one.Domain.ID != "default" || one.Domain.Name != "Default" || !one.Domain.Enabled || one.Domain.Options == nil ||
		one.Domain.Links.Self != a.srv.URL()+"/v3/domains/default" {
		t.Errorf("default domain = %+v", one.Domain)
	}
	a.do("POST", "/v3/domains", `{"domain":{"name":"acme","description":"Domain description"}}`, "X-Auth-Token", admin).
		expect(t, http.StatusCreated).decode(t, &one)
	acme := one.Domain
	if !tokenIDPattern.MatchString(acme.ID) || acme.Name != "acme" || acme.Description != "Domain description" || !acme.Enabled {
		t.Errorf("created domain = %+v", acme)
	}
	checkKeystoneError(t, a.get("/v3/domains/"+acme.ID, member), http.StatusForbidden)
	checkKeystoneError(t, a.do("POST", "/v3/domains", `{"domain":{"name":"acme"}}`, "X-Auth-Token", admin), http.StatusConflict)
	checkKeystoneError(t, a.do("POST", "/v3/domains", `{"domain":{"name":"x"}}`, "X-Auth-Token", member), http.StatusForbidden)
	var list struct {
		Domains []v3Domain `json:"domains"`
		Links   listLinks  `json:"links"`
	}
	a.get("/v3/domains?name=acme", system).expect(t, http.StatusOK).decode(t, &list)
	if len(list.Domains) != 1 || list.Domains[0].ID != acme.ID {
		t.Errorf("domains?name=acme = %+v", list.Domains)
	}
	checkKeystoneError(t, a.get("/v3/domains", member), http.StatusForbidden)

	// Deleting an enabled domain is refused; disabled, it goes with its projects.
	a.do("POST", "/v3/projects", `{"project":{"name":"p1","domain_id":"`+acme.ID+`"}}`, "X-Auth-Token", admin).expect(t, http.StatusCreated)
	checkKeystoneError(t, a.do("DELETE", "/v3/domains/"+acme.ID, "", "X-Auth-Token", admin), http.StatusForbidden)
	a.do("PATCH", "/v3/domains/"+acme.ID, `{"domain":{"enabled":false}}`, "X-Auth-Token", admin).expect(t, http.StatusOK).decode(t, &one)
	if one.Domain.Enabled {
		t.Errorf("disabled domain = %+v", one.Domain)
	}
	a.do("DELETE", "/v3/domains/"+acme.ID, "", "X-Auth-Token", admin).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.get("/v3/domains/"+acme.ID, admin), http.StatusNotFound)
	for _, p := range a.srv.Projects() {
		if p.DomainID == acme.ID {
			t.Errorf("project %+v outlived its domain", p)
		}
	}
}

type v3User struct {
	ID                string         `json:"id"`
	Name              string         `json:"name"`
	DomainID          string         `json:"domain_id"`
	Enabled           bool           `json:"enabled"`
	DefaultProjectID  string         `json:"default_project_id"`
	Description       string         `json:"description"`
	Email             string         `json:"email"`
	PasswordExpiresAt *string        `json:"password_expires_at"`
	Federated         []any          `json:"federated"`
	Options           map[string]any `json:"options"`
	Links             struct {
		Self string `json:"self"`
	} `json:"links"`
}

func TestUsersAdministration(t *testing.T) {
	a, system, admin, member := adminAPI(t)
	var one struct {
		User v3User `json:"user"`
	}
	// GET /v3/users/{id}: the user itself, or an admin.
	a.get("/v3/users/u-alice", member).expect(t, http.StatusOK).decode(t, &one)
	if one.User.ID != "u-alice" || one.User.Name != "alice" || one.User.DomainID != "default" || !one.User.Enabled ||
		one.User.DefaultProjectID != "p-demo" || one.User.Options == nil || one.User.Links.Self != a.srv.URL()+"/v3/users/u-alice" {
		t.Errorf("alice = %+v", one.User)
	}
	a.do("POST", "/v3/users", `{"user":{"name":"jdoe","password":"secretsecret","default_project_id":"p-demo","email":"jdoe@example.com","description":"James Doe user"}}`,
		"X-Auth-Token", admin).expect(t, http.StatusCreated).decode(t, &one)
	jdoe := one.User
	if !tokenIDPattern.MatchString(jdoe.ID) || jdoe.Email != "jdoe@example.com" || jdoe.Description != "James Doe user" || jdoe.PasswordExpiresAt != nil {
		t.Errorf("created user = %+v", jdoe)
	}
	checkKeystoneError(t, a.get("/v3/users/"+jdoe.ID, member), http.StatusForbidden)
	checkKeystoneError(t, a.do("POST", "/v3/users", `{"user":{"name":"jdoe"}}`, "X-Auth-Token", admin), http.StatusConflict)
	checkKeystoneError(t, a.do("POST", "/v3/users", `{"user":{}}`, "X-Auth-Token", admin), http.StatusBadRequest)
	checkKeystoneError(t, a.do("POST", "/v3/users", `{"user":{"name":"x"}}`, "X-Auth-Token", member), http.StatusForbidden)

	var list struct {
		Users []v3User  `json:"users"`
		Links listLinks `json:"links"`
	}
	a.get("/v3/users?name=jdoe&domain_id=default&enabled=true", system).expect(t, http.StatusOK).decode(t, &list)
	if len(list.Users) != 1 || list.Users[0].ID != jdoe.ID {
		t.Errorf("users?name=jdoe = %+v", list.Users)
	}
	checkKeystoneError(t, a.get("/v3/users", member), http.StatusForbidden)

	// The user's own password change: original must match; tokens revoked.
	jdoeTok, _ := a.login(v3PasswordByID(jdoe.ID, "secretsecret", ""))
	checkKeystoneError(t, a.do("POST", "/v3/users/"+jdoe.ID+"/password", `{"user":{"password":"new","original_password":"wrong"}}`), http.StatusUnauthorized)
	a.do("POST", "/v3/users/"+jdoe.ID+"/password", `{"user":{"password":"new","original_password":"secretsecret"}}`).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.get("/v3/auth/projects", jdoeTok), http.StatusUnauthorized)
	if u, _ := a.srv.User(jdoe.ID); u.Password != "new" {
		t.Errorf("password = %q, want new", u.Password)
	}

	// Update, disable, delete.
	a.do("PATCH", "/v3/users/"+jdoe.ID, `{"user":{"email":"j@example.com","enabled":false}}`, "X-Auth-Token", admin).
		expect(t, http.StatusOK).decode(t, &one)
	if one.User.Email != "j@example.com" || one.User.Enabled {
		t.Errorf("updated user = %+v", one.User)
	}
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3PasswordByID(jdoe.ID, "new", "")), http.StatusUnauthorized)
	checkKeystoneError(t, a.do("PATCH", "/v3/users/"+jdoe.ID, `{"user":{"enabled":true}}`, "X-Auth-Token", member), http.StatusForbidden)
	checkKeystoneError(t, a.do("DELETE", "/v3/users/"+jdoe.ID, "", "X-Auth-Token", member), http.StatusForbidden)
	a.do("DELETE", "/v3/users/"+jdoe.ID, "", "X-Auth-Token", admin).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.get("/v3/users/"+jdoe.ID, admin), http.StatusNotFound)
}

// v3ProjectTree is a project with ?parents_as_list / ?subtree_as_list.
type v3ProjectTree struct {
	v3Project
	Parents []struct {
		Project map[string]any `json:"project"`
	} `json:"parents"`
	Subtree []struct {
		Project v3Project `json:"project"`
	} `json:"subtree"`
}

func TestProjectsAdministration(t *testing.T) {
	a, _, admin, member := adminAPI(t)
	var one struct {
		Project v3Project `json:"project"`
	}
	a.do("POST", "/v3/projects", `{"project":{"name":"parent","description":"My new project","tags":["a","b"]}}`, "X-Auth-Token", admin).
		expect(t, http.StatusCreated).decode(t, &one)
	parent := one.Project
	want := wantProject(a.srv.URL(), parent.ID, "parent")
	want.Description, want.Tags = "My new project", []string{"a", "b"}
	if diff := cmp.Diff(want, parent); diff != "" {
		t.Errorf("created project (-want +got):\n%s", diff)
	}
	a.do("POST", "/v3/projects", `{"project":{"name":"child","parent_id":"`+parent.ID+`"}}`, "X-Auth-Token", admin).
		expect(t, http.StatusCreated).decode(t, &one)
	child := one.Project
	if child.ParentID != parent.ID || child.DomainID != "default" {
		t.Errorf("child = %+v", child)
	}
	checkKeystoneError(t, a.do("POST", "/v3/projects", `{"project":{"name":"child"}}`, "X-Auth-Token", admin), http.StatusConflict)
	checkKeystoneError(t, a.do("POST", "/v3/projects", `{"project":{"name":"x"}}`, "X-Auth-Token", member), http.StatusForbidden)

	var wrapped struct {
		Project v3ProjectTree `json:"project"`
	}
	a.get("/v3/projects/"+child.ID+"?parents_as_list", admin).expect(t, http.StatusOK).decode(t, &wrapped)
	tree := wrapped.Project
	if len(tree.Parents) != 2 || tree.Parents[0].Project["id"] != parent.ID || tree.Parents[1].Project["id"] != "default" ||
		tree.Parents[1].Project["is_domain"] != true || tree.Parents[1].Project["parent_id"] != nil {
		t.Errorf("parents = %+v", tree.Parents)
	}
	a.get("/v3/projects/"+parent.ID+"?subtree_as_list", admin).expect(t, http.StatusOK).decode(t, &wrapped)
	tree = wrapped.Project
	if len(tree.Subtree) != 1 || tree.Subtree[0].Project.ID != child.ID {
		t.Errorf("subtree = %+v", tree.Subtree)
	}
	var ids struct {
		Project struct {
			Parents map[string]any `json:"parents"`
			Subtree map[string]any `json:"subtree"`
		} `json:"project"`
	}
	a.get("/v3/projects/"+child.ID+"?parents_as_ids", admin).expect(t, http.StatusOK).decode(t, &relaxed{&ids})
	if diff := cmp.Diff(map[string]any{parent.ID: map[string]any{"default": nil}}, ids.Project.Parents); diff != "" {
		t.Errorf("parents_as_ids (-want +got):\n%s", diff)
	}
	a.get("/v3/projects/"+parent.ID+"?subtree_as_ids", admin).expect(t, http.StatusOK).decode(t, &relaxed{&ids})
	if diff := cmp.Diff(map[string]any{child.ID: nil}, ids.Project.Subtree); diff != "" {
		t.Errorf("subtree_as_ids (-want +got):\n%s", diff)
	}
	checkKeystoneError(t, a.get("/v3/projects/"+child.ID+"?parents_as_list&parents_as_ids", admin), http.StatusBadRequest)

	// Update; a parent is not deleted before its children.
	a.do("PATCH", "/v3/projects/"+child.ID, `{"project":{"description":"d","enabled":false}}`, "X-Auth-Token", admin).
		expect(t, http.StatusOK).decode(t, &one)
	if one.Project.Description != "d" || one.Project.Enabled {
		t.Errorf("updated = %+v", one.Project)
	}
	checkKeystoneError(t, a.do("DELETE", "/v3/projects/"+parent.ID, "", "X-Auth-Token", admin), http.StatusForbidden)
	checkKeystoneError(t, a.do("DELETE", "/v3/projects/"+child.ID, "", "X-Auth-Token", member), http.StatusForbidden)
	a.do("DELETE", "/v3/projects/"+child.ID, "", "X-Auth-Token", admin).expect(t, http.StatusNoContent)
	a.do("DELETE", "/v3/projects/"+parent.ID, "", "X-Auth-Token", admin).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.get("/v3/projects/"+parent.ID, admin), http.StatusNotFound)
}

// relaxed decodes a body into a struct declaring only some of its fields.
type relaxed struct{ v any }

func (r *relaxed) UnmarshalJSON(b []byte) error { return jsonUnmarshal(b, r.v) }

func TestProjectTags(t *testing.T) {
	a, _, admin, member := adminAPI(t)
	base := "/v3/projects/p-demo/tags"
	var tags struct {
		Tags []string `json:"tags"`
	}
	a.get(base, member).expect(t, http.StatusOK).decode(t, &tags)
	if tags.Tags == nil || len(tags.Tags) != 0 {
		t.Errorf("tags = %v, want []", tags.Tags)
	}
	a.do("PUT", base, `{"tags":["foo","bar"]}`, "X-Auth-Token", admin).expect(t, http.StatusOK).decode(t, &tags)
	if diff := cmp.Diff([]string{"foo", "bar"}, tags.Tags); diff != "" {
		t.Errorf("replaced tags (-want +got):\n%s", diff)
	}
	r := a.do("PUT", base+"/baz", "", "X-Auth-Token", admin).expect(t, http.StatusCreated)
	if len(r.Body) != 0 || r.Header.Get("Location") != a.srv.URL()+base+"/baz" {
		t.Errorf("add tag: body %q Location %q", r.Body, r.Header.Get("Location"))
	}
	a.do("HEAD", base+"/baz", "", "X-Auth-Token", member).expect(t, http.StatusNoContent)
	a.do("GET", base+"/baz", "", "X-Auth-Token", member).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.do("GET", base+"/nope", "", "X-Auth-Token", member), http.StatusNotFound)
	checkKeystoneError(t, a.do("PUT", base+"/x", "", "X-Auth-Token", member), http.StatusForbidden)
	checkKeystoneError(t, a.do("PUT", base, `{"tags":["a,b"]}`, "X-Auth-Token", admin), http.StatusBadRequest)

	// Filters on GET /v3/projects.
	a.do("PUT", "/v3/projects/p-ops/tags", `{"tags":["foo"]}`, "X-Auth-Token", admin).expect(t, http.StatusOK)
	for query, want := range map[string][]string{
		"tags=foo,bar":        {"p-demo"},
		"tags-any=foo,bar":    {"p-demo", "p-ops"},
		"not-tags=foo,bar":    {"p-ops"},
		"not-tags-any=bar":    {"p-ops"},
		"tags=foo&name=ops":   {"p-ops"},
		"not-tags-any=foo,zz": {},
	} {
		var list v3ProjectList
		a.get("/v3/projects?"+query, admin).expect(t, http.StatusOK).decode(t, &list)
		var got []string
		for _, p := range list.Projects {
			if p.ID == "p-demo" || p.ID == "p-ops" {
				got = append(got, p.ID)
			}
		}
		if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
			t.Errorf("?%s (-want +got):\n%s", query, diff)
		}
	}

	a.do("DELETE", base+"/baz", "", "X-Auth-Token", admin).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.do("DELETE", base+"/baz", "", "X-Auth-Token", admin), http.StatusNotFound)
	a.do("DELETE", base, "", "X-Auth-Token", admin).expect(t, http.StatusNoContent)
	a.get(base, member).expect(t, http.StatusOK).decode(t, &tags)
	if len(tags.Tags) != 0 {
		t.Errorf("tags after clearing = %v", tags.Tags)
	}
}
