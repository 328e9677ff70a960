package examples

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/credentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/ec2credentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/mockcloud/mockcloud"
)

// identityClient authenticates with opts and returns a Keystone v3 client.
func identityClient(t *testing.T, opts gophercloud.AuthOptions) *gophercloud.ServiceClient {
	t.Helper()
	provider, err := openstack.AuthenticatedClient(context.Background(), opts)
	if err != nil {
		t.Fatalf("AuthenticatedClient(%s): %v", opts.Username, err)
	}
	client, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// want403 checks err is gophercloud's 403.
func want403(t *testing.T, what string, err error) {
	t.Helper()
	if !gophercloud.ResponseCodeIs(err, http.StatusForbidden) {
		t.Errorf("%s as a member: err = %v, want a 403", what, err)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func allPages(t *testing.T, what string, p pagination.Pager) pagination.Page {
	t.Helper()
	page, err := p.AllPages(context.Background())
	must(t, what, err)
	return page
}

// TestGophercloudIdentityAdmin drives Keystone's administration API with
// gophercloud as DevStack's admin (any password, in the permissive default,
// as in the standalone server), and checks a member's 403s.
func TestGophercloudIdentityAdmin(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t)
	endpoint := cloud.IdentityURL()
	admin := identityClient(t, authOpts(endpoint, "admin", "admin"))
	system := identityClient(t, gophercloud.AuthOptions{
		IdentityEndpoint: endpoint, Username: "admin", Password: "secret", DomainName: "Default",
		Scope: &gophercloud.AuthScope{System: true},
	})
	member := identityClient(t, authOpts(endpoint, "alice", "demo"))

	// The system-scoped token says so.
	tok, err := tokens.Get(ctx, system, system.TokenID).ExtractToken()
	must(t, "tokens.Get", err)
	var sys struct { // ExtractInto reads inside "token"
		System map[string]bool `json:"system"`
	}
	must(t, "ExtractInto", tokens.Get(ctx, system, system.TokenID).ExtractInto(&sys))
	if !sys.System["all"] || tok.ExpiresAt.IsZero() {
		t.Errorf("system token: %+v", sys)
	}

	// Domains.
	d, err := domains.Create(ctx, admin, domains.CreateOpts{Name: "acme", Description: "ACME"}).Extract()
	must(t, "domains.Create", err)
	_, err = domains.Create(ctx, member, domains.CreateOpts{Name: "evil"}).Extract()
	want403(t, "domains.Create", err)
	got, err := domains.Get(ctx, member, "default").Extract()
	if err != nil || got.Name != "Default" {
		t.Errorf("a member's domains.Get(default) = %+v, %v; want its own domain", got, err)
	}
	_, err = domains.Get(ctx, member, d.ID).Extract()
	want403(t, "domains.Get(acme)", err)
	dl, err := domains.ExtractDomains(allPages(t, "domains.List", domains.List(system, domains.ListOpts{Name: "acme"})))
	if err != nil || len(dl) != 1 {
		t.Errorf("domains.List(acme) = %+v, %v", dl, err)
	}
	_, err = domains.List(member, nil).AllPages(ctx)
	want403(t, "domains.List", err)
	disabled := false
	_, err = domains.Update(ctx, admin, d.ID, domains.UpdateOpts{Enabled: &disabled}).Extract()
	must(t, "domains.Update", err)
	must(t, "domains.Delete", domains.Delete(ctx, admin, d.ID).ExtractErr())

	// Projects, tags and their filters.
	p, err := projects.Create(ctx, admin, projects.CreateOpts{Name: "payroll", Tags: []string{"finance"}}).Extract()
	must(t, "projects.Create", err)
	_, err = projects.Create(ctx, member, projects.CreateOpts{Name: "nope"}).Extract()
	want403(t, "projects.Create", err)
	// gophercloud reads ModifyTags' answer as a project list; Keystone (and
	// the fake) answer {"tags": [...]}, so only its error is checked.
	_, err = projects.ModifyTags(ctx, admin, p.ID, projects.ModifyTagsOpts{Tags: []string{"finance", "prod"}}).Extract()
	must(t, "projects.ModifyTags", err)
	_, err = projects.ModifyTags(ctx, member, p.ID, projects.ModifyTagsOpts{Tags: []string{"x"}}).Extract()
	want403(t, "projects.ModifyTags", err)
	lt, err := projects.ListTags(ctx, admin, p.ID).Extract()
	if err != nil || !slices.Equal(lt.Tags, []string{"finance", "prod"}) {
		t.Errorf("projects.ListTags = %+v, %v", lt, err)
	}
	pl, err := projects.ExtractProjects(allPages(t, "projects.List", projects.List(admin, projects.ListOpts{Tags: "finance,prod"})))
	if err != nil || len(pl) != 1 || pl[0].ID != p.ID {
		t.Errorf("projects.List(tags) = %+v, %v", pl, err)
	}
	desc := "pays"
	up, err := projects.Update(ctx, admin, p.ID, projects.UpdateOpts{Description: &desc}).Extract()
	if err != nil || up.Description != "pays" {
		t.Errorf("projects.Update = %+v, %v", up, err)
	}
	must(t, "projects.DeleteTags", projects.DeleteTags(ctx, admin, p.ID).ExtractErr())

	// Users, and the user's own password change.
	u, err := users.Create(ctx, admin, users.CreateOpts{Name: "carol", Password: "pw1", DefaultProjectID: p.ID}).Extract()
	must(t, "users.Create", err)
	_, err = users.Create(ctx, member, users.CreateOpts{Name: "mallory"}).Extract()
	want403(t, "users.Create", err)
	ul, err := users.ExtractUsers(allPages(t, "users.List", users.List(admin, users.ListOpts{Name: "carol"})))
	if err != nil || len(ul) != 1 || ul[0].ID != u.ID {
		t.Errorf("users.List(carol) = %+v, %v", ul, err)
	}
	_, err = users.List(member, nil).AllPages(ctx)
	want403(t, "users.List", err)
	_, err = users.Get(ctx, member, u.ID).Extract()
	want403(t, "users.Get(carol)", err)
	_, err = users.Update(ctx, admin, u.ID, users.UpdateOpts{Description: new(string)}).Extract()
	must(t, "users.Update", err)
	must(t, "users.ChangePassword", users.ChangePassword(ctx, admin, u.ID, users.ChangePasswordOpts{OriginalPassword: "pw1", Password: "pw2"}).ExtractErr())

	// Roles and assignments on the project, the domain and the system.
	r, err := roles.Create(ctx, admin, roles.CreateOpts{Name: "auditor"}).Extract()
	must(t, "roles.Create", err)
	_, err = roles.Create(ctx, member, roles.CreateOpts{Name: "root"}).Extract()
	want403(t, "roles.Create", err)
	_, err = roles.Get(ctx, system, r.ID).Extract()
	must(t, "roles.Get", err)
	rl, err := roles.ExtractRoles(allPages(t, "roles.List", roles.List(system, roles.ListOpts{Name: "auditor"})))
	if err != nil || len(rl) != 1 {
		t.Errorf("roles.List(auditor) = %+v, %v", rl, err)
	}
	for _, on := range []roles.AssignOpts{{UserID: u.ID, ProjectID: p.ID}, {UserID: u.ID, DomainID: "default"}, {UserID: u.ID, System: true}} {
		must(t, "roles.Assign", roles.Assign(ctx, admin, r.ID, on).ExtractErr())
	}
	err = roles.Assign(ctx, member, r.ID, roles.AssignOpts{UserID: u.ID, ProjectID: p.ID}).ExtractErr()
	want403(t, "roles.Assign", err)
	must(t, "roles.Validate", roles.Validate(ctx, admin, r.ID, roles.ValidateOpts{UserID: u.ID, ProjectID: p.ID}).ExtractErr())
	onProject, err := roles.ExtractRoles(allPages(t, "ListAssignmentsOnResource",
		roles.ListAssignmentsOnResource(admin, roles.ListAssignmentsOnResourceOpts{UserID: u.ID, ProjectID: p.ID})))
	if err != nil || len(onProject) != 1 || onProject[0].Name != "auditor" {
		t.Errorf("roles on payroll = %+v, %v", onProject, err)
	}
	yes := true
	ra, err := roles.ExtractRoleAssignments(allPages(t, "ListAssignments",
		roles.ListAssignments(admin, roles.ListAssignmentsOpts{UserID: u.ID, IncludeNames: &yes, Effective: &yes})))
	if err != nil || len(ra) != 3 {
		t.Errorf("carol's assignments = %+v, %v", ra, err)
	}
	_, err = roles.ListAssignments(member, roles.ListAssignmentsOpts{}).AllPages(ctx)
	want403(t, "roles.ListAssignments", err)
	// Carol holds the auditor role on the system now: a system-scoped token.
	identityClient(t, gophercloud.AuthOptions{
		IdentityEndpoint: endpoint, UserID: u.ID, Password: "pw2", Scope: &gophercloud.AuthScope{System: true},
	})
	for _, on := range []roles.UnassignOpts{{UserID: u.ID, ProjectID: p.ID}, {UserID: u.ID, DomainID: "default"}, {UserID: u.ID, System: true}} {
		must(t, "roles.Unassign", roles.Unassign(ctx, admin, r.ID, on).ExtractErr())
	}
	must(t, "roles.Delete", roles.Delete(ctx, admin, r.ID).ExtractErr())
	err = roles.Delete(ctx, member, "role-member").ExtractErr()
	want403(t, "roles.Delete", err)

	// v3 credentials.
	blob := `{"access":"AKIA1","secret":"s"}`
	cr, err := credentials.Create(ctx, admin, credentials.CreateOpts{Blob: blob, Type: "ec2", UserID: u.ID, ProjectID: p.ID}).Extract()
	must(t, "credentials.Create", err)
	_, err = credentials.Get(ctx, member, cr.ID).Extract()
	want403(t, "credentials.Get", err)
	must(t, "credentials.Delete", credentials.Delete(ctx, admin, cr.ID).ExtractErr())

	// Clean up.
	must(t, "users.Delete", users.Delete(ctx, admin, u.ID).ExtractErr())
	err = users.Delete(ctx, member, u.ID).ExtractErr()
	want403(t, "users.Delete", err)
	must(t, "projects.Delete", projects.Delete(ctx, admin, p.ID).ExtractErr())
	err = projects.Delete(ctx, member, p.ID).ExtractErr()
	want403(t, "projects.Delete", err)
}

// TestGophercloudMemberCredentials: a member's own application and EC2
// credentials, authentication with the application credential, and the
// member's refusals.
func TestGophercloudMemberCredentials(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t)
	endpoint := cloud.IdentityURL()
	member := identityClient(t, authOpts(endpoint, "alice", "demo"))
	tok, err := tokens.Get(ctx, member, member.TokenID).ExtractUser()
	must(t, "ExtractUser", err)
	me := tok.ID
	other := identityClient(t, authOpts(endpoint, "bob", "bobs"))

	// Application credentials.
	expires := cloud.Clock().Now().Add(time.Hour)
	ac, err := applicationcredentials.Create(ctx, member, me, applicationcredentials.CreateOpts{
		Name: "ci", ExpiresAt: &expires, Roles: []applicationcredentials.Role{{Name: "member"}},
		AccessRules: []applicationcredentials.AccessRule{{Path: "/v2.1/servers", Method: "GET", Service: "compute"}},
	}).Extract()
	must(t, "applicationcredentials.Create", err)
	if ac.Secret == "" || ac.ProjectID == "" || !ac.ExpiresAt.Equal(expires.Truncate(time.Microsecond)) || len(ac.AccessRules) != 1 {
		t.Errorf("created = %+v", ac)
	}
	list, err := applicationcredentials.ExtractApplicationCredentials(allPages(t, "List", applicationcredentials.List(member, me, nil)))
	if err != nil || len(list) != 1 || list[0].Secret != "" {
		t.Errorf("applicationcredentials.List = %+v, %v", list, err)
	}
	if _, err := applicationcredentials.Get(ctx, member, me, ac.ID).Extract(); err != nil {
		t.Errorf("applicationcredentials.Get: %v", err)
	}
	_, err = applicationcredentials.Get(ctx, other, me, ac.ID).Extract()
	want403(t, "another user's applicationcredentials.Get", err)
	_, err = applicationcredentials.Create(ctx, other, me, applicationcredentials.CreateOpts{Name: "x"}).Extract()
	want403(t, "applicationcredentials.Create for another user", err)

	// Authenticate with it: scoped to its project, with its roles.
	withAC := identityClient(t, gophercloud.AuthOptions{
		IdentityEndpoint: endpoint, ApplicationCredentialID: ac.ID, ApplicationCredentialSecret: ac.Secret,
	})
	project, err := tokens.Get(ctx, withAC, withAC.TokenID).ExtractProject()
	if err != nil || project.ID != ac.ProjectID {
		t.Errorf("application credential token's project = %+v, %v", project, err)
	}
	identityClient(t, gophercloud.AuthOptions{
		IdentityEndpoint: endpoint, ApplicationCredentialName: "ci", ApplicationCredentialSecret: ac.Secret,
		Username: "alice", DomainName: "Default",
	})
	// Expired: 401.
	cloud.Advance(2 * time.Hour)
	_, err = openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: endpoint, ApplicationCredentialID: ac.ID, ApplicationCredentialSecret: ac.Secret,
	})
	if !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
		t.Errorf("an expired application credential: err = %v, want a 401", err)
	}
	member = identityClient(t, authOpts(endpoint, "alice", "demo"))
	must(t, "applicationcredentials.Delete", applicationcredentials.Delete(ctx, member, me, ac.ID).ExtractErr())

	// EC2 credentials.
	ec2, err := ec2credentials.Create(ctx, member, me, ec2credentials.CreateOpts{TenantID: project.ID}).Extract()
	must(t, "ec2credentials.Create", err)
	if ec2.Access == "" || ec2.Secret == "" || ec2.UserID != me {
		t.Errorf("ec2 credential = %+v", ec2)
	}
	el, err := ec2credentials.ExtractCredentials(allPages(t, "ec2credentials.List", ec2credentials.List(member, me)))
	if err != nil || len(el) != 1 {
		t.Errorf("ec2credentials.List = %+v, %v", el, err)
	}
	if _, err := ec2credentials.Get(ctx, member, me, ec2.Access).Extract(); err != nil {
		t.Errorf("ec2credentials.Get: %v", err)
	}
	_, err = ec2credentials.List(other, me).AllPages(ctx)
	want403(t, "another user's ec2credentials.List", err)
	must(t, "ec2credentials.Delete", ec2credentials.Delete(ctx, member, me, ec2.Access).ExtractErr())

	// A member reads itself, its own domain, its projects' tags; no system scope.
	if _, err := users.Get(ctx, member, me).Extract(); err != nil {
		t.Errorf("users.Get(self): %v", err)
	}
	if _, err := projects.ListTags(ctx, member, project.ID).Extract(); err != nil {
		t.Errorf("projects.ListTags(own project): %v", err)
	}
	avail, err := domains.ListAvailable(member).AllPages(ctx)
	must(t, "domains.ListAvailable", err)
	if ds, _ := domains.ExtractDomains(avail); len(ds) != 0 {
		t.Errorf("alice's available domains = %+v, want none", ds)
	}
	_, err = openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: endpoint, Username: "alice", Password: "secret", DomainName: "Default",
		Scope: &gophercloud.AuthScope{System: true},
	})
	var unauthorized gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &unauthorized) || unauthorized.Actual != http.StatusUnauthorized {
		t.Errorf("a member's system scope: err = %v, want a 401", err)
	}
}
