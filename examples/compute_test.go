package examples

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

// computeClient authenticates as user in project and returns a Nova client
// for RegionOne.
func computeClient(t *testing.T, cloud *mockcloud.Cloud, user, project string) *gophercloud.ServiceClient {
	t.Helper()
	provider, err := openstack.AuthenticatedClient(context.Background(), authOpts(cloud.IdentityURL(), user, project))
	if err != nil {
		t.Fatalf("authenticate %s/%s: %v", user, project, err)
	}
	client, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	if err != nil {
		t.Fatalf("compute endpoint: %v", err)
	}
	return client
}

// waitWhileAdvancing runs gophercloud's WaitForStatus (which polls once a
// second of real time) while the cloud's clock moves a second every
// millisecond (cloud.RunAdvancing).
func waitWhileAdvancing(t *testing.T, cloud *mockcloud.Cloud, client *gophercloud.ServiceClient, id, status string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	cloud.RunAdvancing(time.Second, func() { err = servers.WaitForStatus(ctx, client, id, status) })
	if err != nil {
		t.Fatalf("WaitForStatus(%s): %v", status, err)
	}
}

// TestServerLifecycle drives Nova's main paths with gophercloud: create
// with a keypair and metadata, BUILD -> ACTIVE by the clock, reboot,
// resize -> VERIFY_RESIZE -> confirm, typed 404 and 409, delete.
func TestServerLifecycle(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t)
	client := computeClient(t, cloud, "alice", "demo")

	kp, err := keypairs.Create(ctx, client, keypairs.CreateOpts{Name: "deploy"}).Extract()
	if err != nil {
		t.Fatalf("create keypair: %v", err)
	}
	if kp.PrivateKey == "" || kp.Fingerprint == "" {
		t.Errorf("generated keypair lacks a private key or fingerprint: %+v", kp)
	}

	opts := keypairs.CreateOptsExt{
		CreateOptsBuilder: servers.CreateOpts{
			Name: "web-1", FlavorRef: "1", ImageRef: compute.DefaultImageID,
			Metadata: map[string]string{"role": "web"},
		},
		KeyName: "deploy",
	}
	created, err := servers.Create(ctx, client, opts, nil).Extract()
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.AdminPass == "" {
		t.Error("create returned no adminPass")
	}

	srv, err := servers.Get(ctx, client, created.ID).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if srv.Status != "BUILD" || srv.KeyName != "deploy" || srv.Metadata["role"] != "web" || srv.VmState != "building" {
		t.Errorf("new server: status %s vm_state %s key %q metadata %v", srv.Status, srv.VmState, srv.KeyName, srv.Metadata)
	}

	// A reboot while building is refused with Nova's 409.
	err = servers.Reboot(ctx, client, created.ID, servers.RebootOpts{Type: servers.SoftReboot}).ExtractErr()
	if !gophercloud.ResponseCodeIs(err, http.StatusConflict) || !novaFault(err, "conflictingRequest") {
		t.Errorf("reboot while BUILD: err = %v, want 409 conflictingRequest", err)
	}

	waitWhileAdvancing(t, cloud, client, created.ID, "ACTIVE")
	srv, _ = servers.Get(ctx, client, created.ID).Extract()
	if srv.PowerState != servers.RUNNING || srv.LaunchedAt.IsZero() {
		t.Errorf("active server: power %v launched_at %v", srv.PowerState, srv.LaunchedAt)
	}

	if err := servers.Reboot(ctx, client, created.ID, servers.RebootOpts{Type: servers.HardReboot}).ExtractErr(); err != nil {
		t.Fatalf("reboot: %v", err)
	}
	srv, _ = servers.Get(ctx, client, created.ID).Extract()
	if srv.Status != "HARD_REBOOT" {
		t.Errorf("after hard reboot: %s, want HARD_REBOOT", srv.Status)
	}
	waitWhileAdvancing(t, cloud, client, created.ID, "ACTIVE")

	if err := servers.Resize(ctx, client, created.ID, servers.ResizeOpts{FlavorRef: "2"}).ExtractErr(); err != nil {
		t.Fatalf("resize: %v", err)
	}
	waitWhileAdvancing(t, cloud, client, created.ID, "VERIFY_RESIZE")
	if err := servers.ConfirmResize(ctx, client, created.ID).ExtractErr(); err != nil {
		t.Fatalf("confirm resize: %v", err)
	}
	waitWhileAdvancing(t, cloud, client, created.ID, "ACTIVE")
	srv, _ = servers.Get(ctx, client, created.ID).Extract()
	if srv.Flavor["id"] != "2" {
		t.Errorf("flavor after resize = %v, want 2", srv.Flavor["id"])
	}

	if err := servers.Delete(ctx, client, created.ID).ExtractErr(); err != nil {
		t.Fatalf("delete: %v", err)
	}
	cloud.Advance(compute.DefaultDurations().Delete)
	_, err = servers.Get(ctx, client, created.ID).Extract()
	if !gophercloud.ResponseCodeIs(err, http.StatusNotFound) || !novaFault(err, "itemNotFound") {
		t.Errorf("get after delete: err = %v, want 404 itemNotFound", err)
	}
}

// novaFault reports whether err is gophercloud's typed response error
// carrying Nova's {"<name>": {"code", "message"}} body.
func novaFault(err error, name string) bool {
	var unexpected gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &unexpected) {
		return false
	}
	var body map[string]struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(unexpected.Body, &body) != nil {
		return false
	}
	f, ok := body[name]
	return ok && f.Code == unexpected.Actual && f.Message != ""
}

// TestListAcrossPages lists 25 servers ten at a time, following
// servers_links as gophercloud does.
func TestListAcrossPages(t *testing.T) {
	ctx := context.Background()
	quota := compute.DefaultQuota()
	quota.Instances, quota.Cores, quota.RAM = 100, 100, 1<<20
	cloud := mockcloud.New(t, mockcloud.Configure(compute.ServiceName, compute.WithQuota(quota)))
	client := computeClient(t, cloud, "alice", "demo")
	want := map[string]bool{}
	for i := 0; i < 25; i++ {
		s, err := servers.Create(ctx, client, servers.CreateOpts{Name: "batch", FlavorRef: "1", ImageRef: compute.DefaultImageID}, nil).Extract()
		if err != nil {
			t.Fatal(err)
		}
		want[s.ID] = true
		cloud.Advance(time.Second) // distinct creation times
	}
	pages := 0
	got := map[string]bool{}
	err := servers.List(client, servers.ListOpts{Limit: 10}).EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		pages++
		list, err := servers.ExtractServers(page)
		for _, s := range list {
			if got[s.ID] {
				t.Errorf("server %s listed twice", s.ID)
			}
			got[s.ID] = true
		}
		return true, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != 3 || len(got) != 25 {
		t.Errorf("listed %d servers on %d pages, want 25 on 3", len(got), pages)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("server %s missing from the listing", id)
		}
	}
}

// TestComputeTenantIsolation: project B cannot see or touch project A's
// servers, and A's token does not open B's URL.
func TestComputeTenantIsolation(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t)
	a := computeClient(t, cloud, "alice", "project-a")
	b := computeClient(t, cloud, "bob", "project-b")
	srv, err := servers.Create(ctx, a, servers.CreateOpts{Name: "secret", FlavorRef: "1", ImageRef: compute.DefaultImageID}, nil).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := servers.Get(ctx, b, srv.ID).Extract(); !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Errorf("B gets A's server: err = %v, want 404", err)
	}
	if err := servers.Delete(ctx, b, srv.ID).ExtractErr(); !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Errorf("B deletes A's server: err = %v, want 404", err)
	}
	pages, err := servers.List(b, nil).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := servers.ExtractServers(pages); len(list) != 0 {
		t.Errorf("B lists %d servers, want none", len(list))
	}
	// A's token on B's URL: Nova's "Malformed request URL".
	aProject, bProject := path.Base(a.Endpoint), path.Base(b.Endpoint)
	crossed := *a
	crossed.Endpoint = strings.Replace(a.Endpoint, aProject, bProject, 1)
	_, err = servers.Get(ctx, &crossed, srv.ID).Extract()
	if !gophercloud.ResponseCodeIs(err, http.StatusBadRequest) {
		t.Errorf("A's token on B's URL: err = %v, want 400", err)
	}
	if s, _ := cloud.Compute("RegionOne").Server(srv.ID); s.Deleted {
		t.Error("A's server was deleted by B")
	}
}

// TestComputeFailureTable is the table to copy: each row sets up failures
// in Go, creates a server with gophercloud, and says what must happen.
func TestComputeFailureTable(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(cloud *mockcloud.Cloud)
		meta    map[string]string
		check   func(t *testing.T, cloud *mockcloud.Cloud, client *gophercloud.ServiceClient, created []*servers.Server, errs []error)
		creates int
	}{{
		name: "the second create returns 503",
		setup: func(cloud *mockcloud.Cloud) {
			cloud.Inject(fake.Fault{Op: compute.OpCreateServer, Skip: 1, Times: 1, Status: http.StatusServiceUnavailable})
		},
		creates: 3,
		check: func(t *testing.T, _ *mockcloud.Cloud, _ *gophercloud.ServiceClient, _ []*servers.Server, errs []error) {
			if errs[0] != nil || !gophercloud.ResponseCodeIs(errs[1], 503) || errs[2] != nil {
				t.Errorf("errs = %v, want nil, 503, nil", errs)
			}
		},
	}, {
		name: "this server sits in BUILD for ten minutes",
		setup: func(cloud *mockcloud.Cloud) {
			_, err := cloud.Compute("RegionOne").AddCreateBehavior(compute.CreateBehavior{
				Name: "slow-", Outcomes: []compute.Outcome{{Kind: compute.Build, Duration: 10 * time.Minute}}})
			if err != nil {
				panic(err)
			}
		},
		creates: 1,
		check: func(t *testing.T, cloud *mockcloud.Cloud, client *gophercloud.ServiceClient, created []*servers.Server, _ []error) {
			ctx := context.Background()
			cloud.Advance(9 * time.Minute)
			if s, _ := servers.Get(ctx, client, created[0].ID).Extract(); s.Status != "BUILD" {
				t.Errorf("after 9 minutes: %s, want BUILD", s.Status)
			}
			cloud.Advance(time.Minute)
			if s, _ := servers.Get(ctx, client, created[0].ID).Extract(); s.Status != "ACTIVE" {
				t.Errorf("after 10 minutes: %s, want ACTIVE", s.Status)
			}
		},
	}, {
		name: "create reports 500 but the server is built (false negative)",
		setup: func(cloud *mockcloud.Cloud) {
			_, _ = cloud.Compute("RegionOne").AddCreateBehavior(compute.CreateBehavior{
				Outcomes: []compute.Outcome{{Kind: compute.FalseNegative, Code: 500}}})
		},
		creates: 1,
		check: func(t *testing.T, cloud *mockcloud.Cloud, client *gophercloud.ServiceClient, _ []*servers.Server, errs []error) {
			if !gophercloud.ResponseCodeIs(errs[0], 500) {
				t.Errorf("err = %v, want 500", errs[0])
			}
			pages, _ := servers.List(client, servers.ListOpts{Name: "^slow-"}).AllPages(context.Background())
			if list, _ := servers.ExtractServers(pages); len(list) != 1 {
				t.Errorf("the failed create left %d servers, want 1", len(list))
			}
		},
	}, {
		name:    "Mimic's server_error preset puts the server in ERROR",
		meta:    map[string]string{"server_error": "1"},
		creates: 1,
		check: func(t *testing.T, _ *mockcloud.Cloud, client *gophercloud.ServiceClient, created []*servers.Server, _ []error) {
			s, err := servers.Get(context.Background(), client, created[0].ID).Extract()
			if err != nil || s.Status != "ERROR" || s.Fault.Code != 500 {
				t.Errorf("server = %v %+v (%v), want ERROR with a fault", s.Status, s.Fault, err)
			}
		},
	}, {
		name: "this server goes to ERROR five minutes after it is ACTIVE",
		setup: func(cloud *mockcloud.Cloud) {
			_, _ = cloud.Compute("RegionOne").AddCreateBehavior(compute.CreateBehavior{
				Outcomes: []compute.Outcome{{Kind: compute.ActiveThenError, Duration: 5 * time.Minute}}})
		},
		creates: 1,
		check: func(t *testing.T, cloud *mockcloud.Cloud, client *gophercloud.ServiceClient, created []*servers.Server, _ []error) {
			ctx := context.Background()
			if s, _ := servers.Get(ctx, client, created[0].ID).Extract(); s.Status != "ACTIVE" {
				t.Errorf("at once: %s, want ACTIVE", s.Status)
			}
			cloud.Advance(5 * time.Minute)
			if s, _ := servers.Get(ctx, client, created[0].ID).Extract(); s.Status != "ERROR" {
				t.Errorf("after 5 minutes: %s, want ERROR", s.Status)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cloud := mockcloud.New(t)
			client := computeClient(t, cloud, "alice", "demo")
			if tc.setup != nil {
				tc.setup(cloud)
			}
			var created []*servers.Server
			var errs []error
			for i := 0; i < tc.creates; i++ {
				s, err := servers.Create(context.Background(), client, servers.CreateOpts{
					Name: "slow-web", FlavorRef: "1", ImageRef: compute.DefaultImageID, Metadata: tc.meta}, nil).Extract()
				created, errs = append(created, s), append(errs, err)
			}
			tc.check(t, cloud, client, created, errs)
		})
	}
}
