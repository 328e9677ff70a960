package examples

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/aggregates"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/hypervisors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/migrations"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/services"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/tags"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/usage"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/identity"
)

// adminClient seeds the user root with the admin role on project ops and
// returns its Nova client.
func adminClient(t *testing.T, cloud *mockcloud.Cloud) *gophercloud.ServiceClient {
	t.Helper()
	id := cloud.Identity()
	if _, err := id.AddProject(identity.Project{ID: "ops", Name: "ops"}); err != nil {
		t.Fatal(err)
	}
	if _, err := id.AddUser(identity.User{ID: "u-root", Name: "root", Password: "secret", DefaultProjectID: "ops"}); err != nil {
		t.Fatal(err)
	}
	if !id.Grant("u-root", "ops", "member", "admin") {
		t.Fatal("grant admin")
	}
	return computeClient(t, cloud, "root", "ops")
}

// wantForbidden fails unless err is a 403.
func wantForbidden(t *testing.T, what string, err error) {
	t.Helper()
	if !gophercloud.ResponseCodeIs(err, http.StatusForbidden) {
		t.Errorf("%s as a member: %v, want 403", what, err)
	}
}

// at returns a copy of client sending microversion v.
func at(client *gophercloud.ServiceClient, v string) *gophercloud.ServiceClient {
	c := *client
	c.Microversion = v
	return &c
}

// TestGophercloudComputeAdmin drives with gophercloud v2 every call it
// has for the operator routes (tags, server password, usage, services,
// flavor access, aggregates, hypervisor uptime, migrations, evacuate,
// injectNetworkInfo), as a member and as an admin.
func TestGophercloudComputeAdmin(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t, mockcloud.WithStart(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	member := computeClient(t, cloud, "alice", "demo")
	admin := adminClient(t, cloud)

	srv, err := servers.Create(ctx, member, servers.CreateOpts{Name: "web-1", FlavorRef: "1", ImageRef: compute.DefaultImageID}, nil).Extract()
	if err != nil {
		t.Fatal(err)
	}
	cloud.Advance(30 * time.Second)
	if srv, err = servers.Get(ctx, member, srv.ID).Extract(); err != nil {
		t.Fatal(err)
	}

	// Tags (2.26), the member's own.
	m26 := at(member, "2.26")
	if got, err := tags.ReplaceAll(ctx, m26, srv.ID, tags.ReplaceAllOpts{Tags: []string{"web", "prod"}}).Extract(); err != nil || len(got) != 2 {
		t.Errorf("tags.ReplaceAll: %v %v", got, err)
	}
	if err := tags.Add(ctx, m26, srv.ID, "blue").ExtractErr(); err != nil {
		t.Errorf("tags.Add: %v", err)
	}
	if ok, err := tags.Check(ctx, m26, srv.ID, "blue").Extract(); !ok || err != nil {
		t.Errorf("tags.Check(blue) = %v, %v", ok, err)
	}
	if ok, err := tags.Check(ctx, m26, srv.ID, "green").Extract(); ok || err != nil {
		t.Errorf("tags.Check(green) = %v, %v", ok, err)
	}
	if err := tags.Delete(ctx, m26, srv.ID, "blue").ExtractErr(); err != nil {
		t.Errorf("tags.Delete: %v", err)
	}
	if got, err := tags.List(ctx, m26, srv.ID).Extract(); err != nil || len(got) != 2 || got[0] != "prod" {
		t.Errorf("tags.List = %v, %v", got, err)
	}
	if err := tags.DeleteAll(ctx, m26, srv.ID).ExtractErr(); err != nil {
		t.Errorf("tags.DeleteAll: %v", err)
	}

	// The server password: seeded as a guest would post it, then cleared.
	if err := cloud.Compute("RegionOne").SetServerPassword(srv.ID, "ZW5jcnlwdGVk"); err != nil {
		t.Fatal(err)
	}
	if pw, err := servers.GetPassword(ctx, member, srv.ID).ExtractPassword(nil); err != nil || pw != "ZW5jcnlwdGVk" {
		t.Errorf("servers.GetPassword = %q, %v", pw, err)
	}

	// Usage: the member's own project, every project for the admin.
	cloud.Advance(time.Hour)
	start := cloud.Now().Add(-2 * time.Hour)
	// A single project's usage is an object, not a list: gophercloud reads
	// it page by page (its AllPages wants a list).
	var own *usage.TenantUsage
	err = usage.SingleTenant(member, srv.TenantID, usage.SingleTenantOpts{Start: &start}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		var err error
		own, err = usage.ExtractSingleTenant(p)
		return false, err
	})
	if err != nil || own == nil || len(own.ServerUsages) != 1 || own.TotalHours < 1 {
		t.Errorf("usage.SingleTenant = %+v, %v", own, err)
	}
	var page pagination.Page
	_, err = usage.AllTenants(member, usage.AllTenantsOpts{}).AllPages(ctx)
	wantForbidden(t, "usage.AllTenants", err)
	page, err = usage.AllTenants(admin, usage.AllTenantsOpts{Detailed: true, Start: &start}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if all, err := usage.ExtractAllTenants(page); err != nil || len(all) != 1 || all[0].TenantID != srv.TenantID {
		t.Errorf("usage.AllTenants = %+v, %v", all, err)
	}

	// Services (2.53: UUIDs).
	_, err = services.List(member, nil).AllPages(ctx)
	wantForbidden(t, "services.List", err)
	a53 := at(admin, "2.53")
	page, err = services.List(a53, services.ListOpts{Binary: "nova-compute"}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := services.ExtractServices(page)
	if err != nil || len(svcs) != 3 {
		t.Fatalf("services.List = %+v, %v", svcs, err)
	}
	var src services.Service
	for _, s := range svcs {
		if s.Host == srv.Host {
			src = s
		}
	}
	if src.ID == "" {
		// The member cannot see its server's host; the admin can.
		full, err := servers.Get(ctx, admin, srv.ID).Extract()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range svcs {
			if s.Host == full.Host {
				src = s
			}
		}
	}
	if got, err := services.Update(ctx, a53, src.ID, services.UpdateOpts{Status: services.ServiceDisabled, DisabledReason: "maintenance"}).Extract(); err != nil || got.Status != "disabled" {
		t.Errorf("services.Update(disable) = %+v, %v", got, err)
	}
	if got, err := services.Update(ctx, a53, src.ID, services.UpdateOpts{ForcedDown: true}).Extract(); err != nil || got.State != "down" {
		t.Errorf("services.Update(forced down) = %+v, %v", got, err)
	}

	// Evacuate from the forced-down host (the admin only).
	_, err = servers.Evacuate(ctx, member, srv.ID, servers.EvacuateOpts{}).ExtractAdminPass()
	wantForbidden(t, "servers.Evacuate", err)
	if pass, err := servers.Evacuate(ctx, admin, srv.ID, servers.EvacuateOpts{AdminPass: "n3w-pass"}).ExtractAdminPass(); err != nil || pass != "n3w-pass" {
		t.Errorf("servers.Evacuate = %q, %v", pass, err)
	}
	cloud.Advance(30 * time.Second)
	if err := servers.InjectNetworkInfo(ctx, admin, srv.ID).ExtractErr(); err != nil {
		t.Errorf("servers.InjectNetworkInfo: %v", err)
	}
	wantForbidden(t, "servers.InjectNetworkInfo", servers.InjectNetworkInfo(ctx, member, srv.ID).ExtractErr())

	// Migrations: the evacuation is recorded.
	_, err = migrations.List(member, migrations.ListOpts{}).AllPages(ctx)
	wantForbidden(t, "migrations.List", err)
	page, err = migrations.List(at(admin, "2.80"), migrations.ListOpts{}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ms, err := migrations.ExtractMigrations(page); err != nil || len(ms) != 1 || ms[0].MigrationType != "evacuation" || ms[0].Status != "done" {
		t.Errorf("migrations.List = %+v, %v", ms, err)
	}

	// Hypervisor uptime (until 2.88).
	if up, err := hypervisors.GetUptime(ctx, admin, "1").Extract(); err != nil || up.Uptime == "" || up.ID != "1" {
		t.Errorf("hypervisors.GetUptime = %+v, %v", up, err)
	}
	wantForbidden(t, "hypervisors.GetUptime", hypervisors.GetUptime(ctx, member, "1").Err)

	// Flavor access on a private flavor.
	private := false
	flavor, err := flavors.Create(ctx, admin, flavors.CreateOpts{Name: "secret", RAM: 1024, VCPUs: 2, Disk: gophercloud.IntToPointer(10), ID: "10", IsPublic: &private}).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flavors.Get(ctx, member, flavor.ID).Extract(); !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Errorf("member sees a private flavor: %v", err)
	}
	if acc, err := flavors.AddAccess(ctx, admin, flavor.ID, flavors.AddAccessOpts{Tenant: srv.TenantID}).Extract(); err != nil || len(acc) != 1 {
		t.Errorf("flavors.AddAccess = %+v, %v", acc, err)
	}
	_, err = flavors.AddAccess(ctx, member, flavor.ID, flavors.AddAccessOpts{Tenant: srv.TenantID}).Extract()
	wantForbidden(t, "flavors.AddAccess", err)
	page, err = flavors.ListAccesses(admin, flavor.ID).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if acc, err := flavors.ExtractAccesses(page); err != nil || len(acc) != 1 || acc[0].TenantID != srv.TenantID {
		t.Errorf("flavors.ListAccesses = %+v, %v", acc, err)
	}
	if _, err := flavors.Get(ctx, member, flavor.ID).Extract(); err != nil {
		t.Errorf("member does not see the flavor it was given: %v", err)
	}
	if acc, err := flavors.RemoveAccess(ctx, admin, flavor.ID, flavors.RemoveAccessOpts{Tenant: srv.TenantID}).Extract(); err != nil || len(acc) != 0 {
		t.Errorf("flavors.RemoveAccess = %+v, %v", acc, err)
	}
	_, err = flavors.ListAccesses(admin, "1").AllPages(ctx)
	if !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Errorf("access list of a public flavor: %v", err)
	}

	// Aggregates.
	_, err = aggregates.Create(ctx, member, aggregates.CreateOpts{Name: "x"}).Extract()
	wantForbidden(t, "aggregates.Create", err)
	agg, err := aggregates.Create(ctx, admin, aggregates.CreateOpts{Name: "rack-1", AvailabilityZone: "london"}).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := aggregates.AddHost(ctx, admin, agg.ID, aggregates.AddHostOpts{Host: "compute-2"}).Extract(); err != nil || len(got.Hosts) != 1 {
		t.Errorf("aggregates.AddHost = %+v, %v", got, err)
	}
	if got, err := aggregates.SetMetadata(ctx, admin, agg.ID, aggregates.SetMetadataOpts{Metadata: map[string]any{"ssd": "true"}}).Extract(); err != nil || got.Metadata["ssd"] != "true" {
		t.Errorf("aggregates.SetMetadata = %+v, %v", got, err)
	}
	if got, err := aggregates.Update(ctx, admin, agg.ID, aggregates.UpdateOpts{Name: "rack-2"}).Extract(); err != nil || got.Name != "rack-2" {
		t.Errorf("aggregates.Update = %+v, %v", got, err)
	}
	if got, err := aggregates.Get(ctx, admin, agg.ID).Extract(); err != nil || got.AvailabilityZone != "london" {
		t.Errorf("aggregates.Get = %+v, %v", got, err)
	}
	page, err = aggregates.List(admin).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if all, err := aggregates.ExtractAggregates(page); err != nil || len(all) != 1 {
		t.Errorf("aggregates.List = %+v, %v", all, err)
	}
	if _, err := aggregates.RemoveHost(ctx, admin, agg.ID, aggregates.RemoveHostOpts{Host: "compute-2"}).Extract(); err != nil {
		t.Errorf("aggregates.RemoveHost: %v", err)
	}
	if err := aggregates.Delete(ctx, admin, agg.ID).ExtractErr(); err != nil {
		t.Errorf("aggregates.Delete: %v", err)
	}

	// A compute service with no servers can be deleted.
	for _, s := range svcs {
		if s.ID != src.ID && s.Host != "compute-1" && s.Host != "compute-0" {
			if err := services.Delete(ctx, a53, s.ID).ExtractErr(); err != nil {
				t.Errorf("services.Delete(%s): %v", s.Host, err)
			}
		}
	}
	wantForbidden(t, "services.Delete", services.Delete(ctx, at(member, "2.53"), src.ID).ExtractErr())
}
