package gophercloudkit_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/gophercloudkit"
)

// The clients reach every service in memory: no request of theirs is
// made over a socket (the Cloud has no listener), and what they do is
// what the fake saw.
func TestClients(t *testing.T) {
	cloud := mockcloud.New(t, mockcloud.WithoutListener())
	ctx := context.Background()

	nova := gophercloudkit.Compute(t, cloud, gophercloudkit.WithMicroversion("2.47"))
	page, err := flavors.ListDetail(nova, nil).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := flavors.ExtractFlavors(page)
	if err != nil || len(fs) == 0 {
		t.Fatalf("flavors %v, %v", fs, err)
	}
	s, err := servers.Create(ctx, nova, servers.CreateOpts{Name: "web", FlavorRef: fs[0].ID, ImageRef: compute.DefaultImageID, Networks: "auto"}, nil).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if got := cloud.Compute("RegionOne").Servers(); len(got) != 1 || got[0].ID != s.ID {
		t.Errorf("the fake holds %v, want the server %s", got, s.ID)
	}

	// DevStack's admin holds the admin role on project admin.
	keystone := gophercloudkit.Identity(t, cloud, gophercloudkit.WithUser("admin", "admin"))
	roles, err := tokens.Get(ctx, keystone, keystone.Token()).ExtractRoles()
	if err != nil {
		t.Fatal(err)
	}
	admin := false
	for _, r := range roles {
		admin = admin || r.Name == "admin"
	}
	if !admin {
		t.Errorf("admin's token has roles %v, want admin among them", roles)
	}

	clb := gophercloudkit.LoadBalancers(t, cloud)
	var out struct {
		LoadBalancers []any `json:"loadBalancers"`
	}
	if _, err := clb.Get(ctx, clb.ServiceURL("loadbalancers"), &out, &gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}}); err != nil {
		t.Fatal(err)
	}
	if out.LoadBalancers == nil {
		t.Error("no loadBalancers list")
	}
}
