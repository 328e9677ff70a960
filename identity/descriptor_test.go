package identity_test

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

func TestDescriptor(t *testing.T) {
	d := identity.Descriptor()
	if d.Name != identity.ServiceName || d.Prefix != "/identity" || d.PerRegion || d.OwnOrigin || d.Presets != nil {
		t.Errorf("descriptor = %+v", d)
	}
	if diff := cmp.Diff([]kit.CatalogEntry{{Type: "identity", Name: "keystone", Path: "/v3"}}, d.Catalog); diff != "" {
		t.Errorf("catalog entries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/mimic/v1.1/IdentityControlAPI/"}, d.RootPaths); diff != "" {
		t.Errorf("root paths (-want +got):\n%s", diff)
	}
}

// cloudIdentity builds identity as a Cloud does, sharing env.
func cloudIdentity(t *testing.T, env kit.Env, regions []string, opts ...fake.Option) kit.Authority {
	t.Helper()
	inst, err := identity.Descriptor().New(env, kit.Site{Regions: regions}, opts)
	if err != nil {
		t.Fatalf("Descriptor().New: %v", err)
	}
	t.Cleanup(inst.Close)
	auth, ok := inst.(kit.Authority)
	if !ok {
		t.Fatalf("%T is not a kit.Authority", inst)
	}
	if _, ok := inst.(*identity.Identity); !ok {
		t.Fatalf("instance is a %T, want *identity.Identity", inst)
	}
	return auth
}

// In a Cloud identity shares the Cloud's env (clock, journal), takes its
// regions from the site, checks tokens for other services and carries the
// catalog the Cloud gives it.
func TestInCloud(t *testing.T) {
	clk := clock.New(clock.DefaultStart())
	env := kit.Env{Clock: clk, Seed: 42}.Complete()
	id := cloudIdentity(t, env, []string{"ORD", "DFW"}, identity.Strict())
	if id.Name() != identity.ServiceName || id.Region() != "" {
		t.Errorf("Name, Region = %q, %q", id.Name(), id.Region())
	}
	id.AddCatalogServices(kit.CatalogService{Type: "compute", Name: "nova",
		Endpoints: []kit.CatalogEndpoint{{Region: "ORD", URL: "/compute/ORD/v2.1/{project_id}"}}})
	s := id.(*identity.Identity)
	if !s.IsStrict() {
		t.Error("identity.Strict() given in a Cloud was not applied")
	}
	mustAddProject(t, s, identity.Project{ID: "p1"})
	u := mustAddUser(t, s, identity.User{Name: "ivy", Password: "pw", DefaultProjectID: "p1"})
	s.Grant(u.ID, "p1", "member")
	if u.DefaultRegion != "ORD" {
		t.Errorf("DefaultRegion = %q, want the Cloud's first region ORD", u.DefaultRegion)
	}

	c := kittest.ForHandler(t, id)
	var acc v2Access
	c.Do("POST", "/v2.0/tokens", v2PasswordBody("ivy", "pw", "")).Expect(http.StatusOK).Decode(&acc)
	if acc.Access.ServiceCatalog == nil || len(*acc.Access.ServiceCatalog) != 1 || (*acc.Access.ServiceCatalog)[0].Endpoints[0].PublicURL != "http://example.com/compute/ORD/v2.1/p1" {
		t.Errorf("catalog = %+v", acc.Access.ServiceCatalog)
	}

	// The Authenticator is what every other service of the Cloud checks
	// tokens with.
	req, _ := http.NewRequest("GET", "/compute/ORD/v2.1/p1/servers", nil)
	req.Header.Set("X-Auth-Token", acc.Access.Token.ID)
	p, err := id.Authenticator()(req)
	if err != nil || p.UserID != u.ID || p.ProjectID != "p1" || p.ProjectName != "p1" || !p.HasRole("member") {
		t.Errorf("Authenticator() = %+v, %v", p, err)
	}
	req.Header.Set("X-Auth-Token", "nope")
	if _, err := id.Authenticator()(req); err == nil || err.Status != http.StatusUnauthorized {
		t.Errorf("Authenticator() on an unknown token = %v, want a 401", err)
	}

	// Mimic's control API answers at the paths the Cloud hands over
	// unchanged.
	c.Do("POST", "/mimic/v1.1/IdentityControlAPI/behaviors/auth", `{"criteria":[],"name":"fail"}`).Expect(http.StatusCreated)
	c.Do("POST", "/v2.0/tokens", v2PasswordBody("ivy", "pw", "")).Expect(http.StatusUnauthorized)

	// The journal is the Cloud's, on the Cloud's clock.
	reqs := env.Journal.Requests(identity.ServiceName)
	fake.CheckOps(t, reqs, identity.OpV2CreateToken, identity.OpMimicAddBehavior, identity.OpV2CreateToken)
	if len(reqs) > 0 && !reqs[0].Time.Equal(clk.Now()) {
		t.Errorf("journal time %s, want the Cloud's clock %s", reqs[0].Time, clk.Now())
	}
}

// In a Cloud without regions, users default to RegionOne.
func TestInCloudNoRegions(t *testing.T) {
	id := cloudIdentity(t, kit.Env{}, nil).(*identity.Identity)
	if u := mustAddUser(t, id, identity.User{Name: "x"}); u.DefaultRegion != "RegionOne" {
		t.Errorf("DefaultRegion = %q, want RegionOne", u.DefaultRegion)
	}
}

// The options the Cloud owns are refused for identity in a Cloud, with an
// error naming the option; so is another package's option anywhere.
func TestOptionErrors(t *testing.T) {
	type otherConfig struct{}
	other := fake.Configure(func(*otherConfig) {})
	for _, tc := range []struct {
		name string
		opt  fake.Option
		want string
	}{
		{"WithClock", fake.WithClock(clock.New(clock.DefaultStart())), "fake.WithClock"},
		{"WithSeed", fake.WithSeed(3), "fake.WithSeed"},
		{"WithRegion", fake.WithRegion("ORD"), "fake.WithRegion"},
		{"WithRegions", identity.WithRegions("ORD"), "identity.WithRegions"},
		{"another package's option", other, "identity_test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := identity.Descriptor().New(kit.Env{}, kit.Site{Regions: []string{"ORD"}}, []fake.Option{tc.opt})
			var oe *kit.OptionError
			if !errors.As(err, &oe) || oe.Service != identity.ServiceName || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Descriptor().New(%s) = %v, want an OptionError naming %s", tc.name, err, tc.want)
			}
		})
	}
	if _, err := identity.NewUnstarted(other); err == nil {
		t.Error("NewUnstarted took another package's option")
	}
	for _, opt := range []fake.Option{fake.WithClock(clock.New(clock.DefaultStart())), fake.WithSeed(3), identity.WithRegions("ORD")} {
		if _, err := identity.NewUnstarted(opt); err != nil {
			t.Errorf("NewUnstarted: %v", err)
		}
	}
}

// recorder is a fake.TB that records what a helper reports.
type recorder struct {
	errors, fatals []string
}

func (r *recorder) Helper()             {}
func (r *recorder) Cleanup(func())      {}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func TestNewFailsOnABadOption(t *testing.T) {
	type otherConfig struct{}
	var rec recorder
	if s := identity.New(&rec, fake.Configure(func(*otherConfig) {})); s != nil {
		t.Error("New returned a service for a bad option")
	}
	if len(rec.fatals) != 1 || !strings.Contains(rec.fatals[0], "identity") {
		t.Errorf("Fatalf calls = %q, want one naming identity", rec.fatals)
	}
}

// Ops lists every route's op, each once.
func TestOps(t *testing.T) {
	want := []string{
		identity.OpVersions, identity.OpV3Root, identity.OpV3CreateToken, identity.OpV3ValidateToken,
		identity.OpV3CheckToken, identity.OpV3RevokeToken, identity.OpV3Catalog, identity.OpV3AuthProjects,
		identity.OpV3ListProjects, identity.OpV3GetProject, identity.OpV3UserProjects, identity.OpV2Root,
		identity.OpV2CreateToken, identity.OpV2ValidateToken, identity.OpV2TokenEndpoints, identity.OpV2ListTenants,
		identity.OpV2ListUsers, identity.OpV2UserCredentials, identity.OpRaxAPIKey, identity.OpRaxImpersonate,
		identity.OpRaxMosso, identity.OpMimicAddBehavior, identity.OpMimicDelBehavior,
		// Issue 11: system scope, administration, credentials, tags.
		identity.OpV3AuthSystem, identity.OpV3AuthDomains,
		identity.OpV3ListUsers, identity.OpV3CreateUser, identity.OpV3GetUser, identity.OpV3UpdateUser,
		identity.OpV3DeleteUser, identity.OpV3ChangePassword,
		identity.OpV3CreateProject, identity.OpV3UpdateProject, identity.OpV3DeleteProject,
		identity.OpV3ListProjectTags, identity.OpV3ReplaceProjectTags, identity.OpV3ClearProjectTags,
		identity.OpV3CheckProjectTag, identity.OpV3AddProjectTag, identity.OpV3DeleteProjectTag,
		identity.OpV3ListDomains, identity.OpV3CreateDomain, identity.OpV3GetDomain, identity.OpV3UpdateDomain,
		identity.OpV3DeleteDomain,
		identity.OpV3ListRoles, identity.OpV3CreateRole, identity.OpV3GetRole, identity.OpV3DeleteRole,
		identity.OpV3GrantProjectRole, identity.OpV3CheckProjectRole, identity.OpV3RevokeProjectRole,
		identity.OpV3ListProjectRoles, identity.OpV3GrantDomainRole, identity.OpV3CheckDomainRole,
		identity.OpV3RevokeDomainRole, identity.OpV3ListDomainRoles, identity.OpV3GrantSystemRole,
		identity.OpV3CheckSystemRole, identity.OpV3RevokeSystemRole, identity.OpV3ListSystemRoles,
		identity.OpV3RoleAssignments,
		identity.OpV3ListAppCreds, identity.OpV3CreateAppCred, identity.OpV3GetAppCred, identity.OpV3DeleteAppCred,
		identity.OpV3ListAccessRules, identity.OpV3GetAccessRule, identity.OpV3DeleteAccessRule,
		identity.OpV3ListEC2, identity.OpV3CreateEC2, identity.OpV3GetEC2, identity.OpV3DeleteEC2,
		identity.OpV3ListCreds, identity.OpV3CreateCred, identity.OpV3GetCred, identity.OpV3UpdateCred,
		identity.OpV3DeleteCred,
	}
	sort.Strings(want)
	s, err := identity.NewUnstarted()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, s.Ops()); diff != "" {
		t.Errorf("Ops() (-want +got):\n%s", diff)
	}
}

// Registering a behavior draws nothing from the random stream: the IDs
// identity hands out afterwards are those it hands out without one.
func TestBehaviorsDoNotShiftIDs(t *testing.T) {
	run := func(withBehavior bool) []string {
		a := newAPI(t)
		if withBehavior {
			a.addBehavior(`{"criteria":[{"username":"nobody"}],"name":"fail"}`)
			if _, err := a.srv.AddAuthBehavior(identity.AuthBehavior{Username: "none", Steps: []identity.AuthStep{{}}}); err != nil {
				t.Fatal(err)
			}
		}
		tok, body := a.login(v3Password("alice", "Default", "pw", ""))
		return []string{tok, body.Token.User.ID, body.Token.Project.ID, body.Token.AuditIDs[0]}
	}
	if diff := cmp.Diff(run(false), run(true)); diff != "" {
		t.Errorf("IDs changed by registering behaviors (-without +with):\n%s", diff)
	}
}

// The catalog's IDs come from a stream of their own: the services a Cloud
// lists never shift the user and token IDs.
func TestCatalogDoesNotShiftIDs(t *testing.T) {
	run := func(opts ...identity.Option) []string {
		a := newAPI(t, opts...)
		tok, body := a.login(v3Password("alice", "Default", "pw", ""))
		return []string{tok, body.Token.User.ID, body.Token.Project.ID, body.Token.AuditIDs[0]}
	}
	if diff := cmp.Diff(run(), run(identity.WithCatalog(computeCatalog, computeCatalog))); diff != "" {
		t.Errorf("IDs changed by the catalog (-without +with):\n%s", diff)
	}
}

func TestCheckUserAndToken(t *testing.T) {
	a := newAPI(t)
	tok, body := a.login(v3Password("alice", "Default", "pw", ""))
	stored, _ := a.srv.Token(tok)
	want := identity.Token{
		ID: tok, UserID: body.Token.User.ID, ProjectID: body.Token.Project.ID,
		Roles: []string{"member", "reader"}, Methods: []string{"password"}, AuditID: body.Token.AuditIDs[0],
		IssuedAt: clock.DefaultStart(), ExpiresAt: clock.DefaultStart().Add(identity.DefaultTokenLifetime),
	}
	if !a.srv.CheckToken(t, want) {
		t.Errorf("stored token: %+v", stored)
	}
	a.srv.CheckUser(t, identity.User{ID: body.Token.User.ID, Name: "alice", Password: "pw", DomainID: "default",
		Email: "alice@example.com", DefaultRegion: "RegionOne", DefaultProjectID: body.Token.Project.ID,
		Created: clock.DefaultStart()}, cmpopts.IgnoreFields(identity.User{}, "APIKey"))

	var rec recorder
	if a.srv.CheckUser(&rec, identity.User{ID: body.Token.User.ID, Name: "bob"}) || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "-want +got") {
		t.Errorf("CheckUser on a mismatch reported %q", rec.errors)
	}
	rec = recorder{}
	if a.srv.CheckToken(&rec, identity.Token{ID: "nope"}) || len(rec.errors) != 1 {
		t.Errorf("CheckToken on an unknown token reported %q", rec.errors)
	}
}
