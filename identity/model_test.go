package identity_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
)

// AddUser refuses a user with no name and a name another user of the same
// domain has, and stores nothing when it does; logins by that name then
// always find the one user.
func TestAddUserRefusesEmptyAndDuplicateNames(t *testing.T) {
	a := newAPI(t, identity.Strict())
	if u, err := a.srv.AddUser(identity.User{ID: "u-none", Password: "pw"}); err == nil {
		t.Errorf("AddUser with no name = %+v, nil; want an error", u)
	}
	alice := mustAddUser(t, a.srv, identity.User{ID: "u-1", Name: "alice", Password: "one"})
	for _, dup := range []identity.User{
		{ID: "u-2", Name: "alice", Password: "two"},
		{ID: "u-2", Name: "alice", Password: "two", DomainID: identity.DefaultDomainID},
	} {
		if u, err := a.srv.AddUser(dup); err == nil {
			t.Errorf("AddUser(%+v) = %+v, nil; want an error: u-1 has the name", dup, u)
		}
	}
	if diff := cmp.Diff([]identity.User{alice}, a.srv.Users()); diff != "" {
		t.Errorf("Users after refused seeds (-want +got):\n%s", diff)
	}

	// Every login by the name is u-1's, with u-1's password.
	for i := 0; i < 20; i++ {
		if got := a.v2Login(v2PasswordBody("alice", "one", "")).Access.User.ID; got != "u-1" {
			t.Fatalf("v2 login %d as alice = user %s, want u-1", i, got)
		}
		if _, tok := a.login(v3Password("alice", "Default", "one", "")); tok.Token.User.ID != "u-1" {
			t.Fatalf("v3 login %d as alice = user %s, want u-1", i, tok.Token.User.ID)
		}
	}
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", v3Password("alice", "Default", "two", "")), http.StatusUnauthorized)

	// Seeding the name again updates its user: with no ID, or with its ID.
	if u := mustAddUser(t, a.srv, identity.User{Name: "alice", Password: "new"}); u.ID != "u-1" {
		t.Errorf("AddUser by name alone = user %s, want u-1 updated", u.ID)
	}
	if u := mustAddUser(t, a.srv, identity.User{ID: "u-1", Name: "alice", Password: "newer", Email: "a@example.org"}); u.Email != "a@example.org" {
		t.Errorf("AddUser by ID = %+v", u)
	}
	if got := len(a.srv.Users()); got != 1 {
		t.Errorf("%d users after updates, want 1", got)
	}
	a.login(v3Password("alice", "Default", "newer", ""))

	// Names are unique per domain, as in Keystone: another domain may have
	// its own alice, and logins naming the domain find that one.
	a.srv.AddDomain(identity.Domain{ID: "d-other", Name: "Other"})
	mustAddUser(t, a.srv, identity.User{ID: "u-3", Name: "alice", Password: "three", DomainID: "d-other"})
	// But u-3 cannot move into the default domain under that name.
	if u, err := a.srv.AddUser(identity.User{ID: "u-3", Name: "alice", Password: "three"}); err == nil {
		t.Errorf("moving u-3 to the default domain's alice = %+v, nil; want an error", u)
	}
	for i := 0; i < 20; i++ {
		if _, tok := a.login(v3Password("alice", "Default", "newer", "")); tok.Token.User.ID != "u-1" {
			t.Fatalf("v3 login %d as Default's alice = user %s, want u-1", i, tok.Token.User.ID)
		}
		if _, tok := a.login(v3Password("alice", "Other", "three", "")); tok.Token.User.ID != "u-3" {
			t.Fatalf("v3 login %d as Other's alice = user %s, want u-3", i, tok.Token.User.ID)
		}
		// Without a domain, the default domain's, in Go and in a v2.0
		// login (which names no domain).
		if u, _ := a.srv.UserByName("alice"); u.ID != "u-1" {
			t.Fatalf("UserByName(alice) %d = user %s, want u-1", i, u.ID)
		}
		var access struct {
			Access struct {
				User struct {
					ID string `json:"id"`
				} `json:"user"`
			} `json:"access"`
		}
		r := a.do("POST", "/v2.0/tokens", v2PasswordBody("alice", "newer", "")).expect(t, http.StatusOK)
		if err := json.Unmarshal(r.Body, &access); err != nil || access.Access.User.ID != "u-1" {
			t.Fatalf("v2.0 login %d as alice = user %q (%v), want u-1", i, access.Access.User.ID, err)
		}
	}
	if u, ok := a.srv.User("u-3"); !ok || u.DomainID != "d-other" {
		t.Errorf("u-3 after the refused move = %+v, %v", u, ok)
	}
	var names []string
	for _, u := range a.srv.Users() {
		names = append(names, u.ID)
	}
	if diff := cmp.Diff([]string{"u-3", "u-1"}, names); diff != "" { // "d-other" < "default"
		t.Errorf("Users, by name then domain (-want +got):\n%s", diff)
	}
}

// A refused seed draws nothing from the random stream: the IDs handed out
// afterwards are those of a server that was never asked.
func TestRefusedSeedsDrawNothing(t *testing.T) {
	seeded := func() *identity.Identity {
		s, err := identity.NewUnstarted(fake.WithSeed(7))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		mustAddUser(t, s, identity.User{ID: "u-1", Name: "taken"})
		mustAddProject(t, s, identity.Project{ID: "p-1", Name: "taken"})
		return s
	}
	plain, busy := seeded(), seeded()
	for _, u := range []identity.User{{}, {ID: "u-2", Name: "taken"}} {
		if _, err := busy.AddUser(u); err == nil {
			t.Errorf("AddUser(%+v) accepted", u)
		}
	}
	if _, err := busy.AddProject(identity.Project{Name: "taken"}); err == nil {
		t.Error("AddProject with a taken name accepted")
	}
	want := mustAddUser(t, plain, identity.User{Name: "fresh"})
	if got := mustAddUser(t, busy, identity.User{Name: "fresh"}); got.ID != want.ID || got.APIKey != want.APIKey {
		t.Errorf("after refused seeds: ID %s, key %s; want %s, %s", got.ID, got.APIKey, want.ID, want.APIKey)
	}
	if got, want := mustAddProject(t, busy, identity.Project{}), mustAddProject(t, plain, identity.Project{}); got.ID != want.ID {
		t.Errorf("after refused seeds: project %s, want %s", got.ID, want.ID)
	}
}

// AddProject refuses a name another project of the same domain has (a
// project's name is its ID when empty); re-seeding a project by its ID
// replaces it.
func TestAddProjectRefusesDuplicateNames(t *testing.T) {
	a := seededAPI(t, identity.Strict()) // p-demo "demo", p-ops "ops"; alice is a member of both
	for _, dup := range []identity.Project{
		{ID: "p-2", Name: "demo"},
		{Name: "demo"},
		{ID: "p-2", Name: "demo", DomainID: identity.DefaultDomainID},
		{ID: "ops"}, // named for its ID, and p-ops is named "ops"
	} {
		if p, err := a.srv.AddProject(dup); err == nil {
			t.Errorf("AddProject(%+v) = %+v, nil; want an error: the name is taken", dup, p)
		}
	}
	if got := len(a.srv.Projects()); got != 2 {
		t.Errorf("%d projects after refused seeds, want 2", got)
	}
	// Another domain may have its own "demo"; p-demo may be re-seeded.
	mustAddProject(t, a.srv, identity.Project{ID: "p-other-demo", Name: "demo", DomainID: "d-other"})
	if p := mustAddProject(t, a.srv, identity.Project{ID: "p-demo", Name: "demo", Description: "updated"}); p.Description != "updated" {
		t.Errorf("re-seeded p-demo = %+v", p)
	}
	// Scoping by name in the default domain finds p-demo, every time.
	for i := 0; i < 20; i++ {
		if _, tok := a.login(v3Password("alice", "Default", "s3cret", projectByName("demo", "Default"))); tok.Token.Project == nil || tok.Token.Project.ID != "p-demo" {
			t.Fatalf("login %d scoped to demo = %+v, want p-demo", i, tok.Token.Project)
		}
	}
}
