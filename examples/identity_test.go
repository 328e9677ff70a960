package examples

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	tokens3 "github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/kit"
)

func authOpts(endpoint, user, project string) gophercloud.AuthOptions {
	return gophercloud.AuthOptions{
		IdentityEndpoint: endpoint,
		Username:         user,
		Password:         "secret",
		TenantName:       project,
		DomainName:       "Default",
	}
}

// TestGophercloudAuthenticates authenticates the three ways a user points
// gophercloud at identity: the bare URL (version discovery picks v3), /v3
// and /v2.0.
func TestGophercloudAuthenticates(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t)
	tests := []struct {
		name     string
		endpoint string
		wantOp   string
	}{
		{"discovery", cloud.IdentityURL(), identity.OpV3CreateToken},
		{"v3", cloud.URL() + "/identity/v3", identity.OpV3CreateToken},
		{"v2.0", cloud.URL() + "/identity/v2.0/", identity.OpV2CreateToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cloud.ResetRequests()
			provider, err := openstack.AuthenticatedClient(ctx, authOpts(tc.endpoint, "alice", "demo"))
			if err != nil {
				t.Fatalf("AuthenticatedClient: %v", err)
			}
			tok, ok := cloud.Identity().Token(provider.TokenID)
			if !ok {
				t.Fatalf("gophercloud holds token %q, which identity never issued", provider.TokenID)
			}
			p, _ := cloud.Identity().Project(tok.ProjectID)
			if p.Name != "demo" {
				t.Errorf("token scoped to project %q, want demo", p.Name)
			}
			creates := fake.Filter(cloud.Requests(identity.ServiceName), tc.wantOp)
			if len(creates) != 1 {
				t.Errorf("want one %s request, journal has %v", tc.wantOp, fake.Ops(cloud.Requests()))
			}
			// The catalog gophercloud got lists identity in every region.
			for _, region := range cloud.Regions() {
				url, err := provider.EndpointLocator(gophercloud.EndpointOpts{Type: "identity", Region: region, Availability: gophercloud.AvailabilityPublic})
				if err != nil || url != cloud.URL()+"/identity/v3/" {
					t.Errorf("identity endpoint in %s = %q, %v", region, url, err)
				}
			}
		})
	}
}

// TestCatalogListsMountedServices mounts an extra service and finds it
// through gophercloud's catalog lookup, per region, with the project in
// its URL.
func TestCatalogListsMountedServices(t *testing.T) {
	queues := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kit.WriteJSON(w, http.StatusOK, map[string]string{"path": r.URL.Path})
	})
	var eps []identity.CatalogEndpoint
	for _, region := range []string{"DFW", "ORD"} {
		eps = append(eps, identity.CatalogEndpoint{Region: region, URL: "/queues/" + region + "/v1/{tenant_id}"})
	}
	cloud := mockcloud.New(t, mockcloud.WithRegions("DFW", "ORD"), mockcloud.WithMount(mockcloud.Mount{
		Name: "queues", Prefix: "/queues", Handler: queues,
		Catalog: []identity.CatalogService{{Type: "rax:queues", Name: "cloudQueues", Endpoints: eps}},
	}))
	provider, err := openstack.AuthenticatedClient(context.Background(), authOpts(cloud.IdentityURL(), "bob", "proj-b"))
	if err != nil {
		t.Fatal(err)
	}
	project := cloud.Identity().Tokens()[0].ProjectID
	url, err := provider.EndpointLocator(gophercloud.EndpointOpts{Type: "rax:queues", Region: "ORD", Availability: gophercloud.AvailabilityPublic})
	if err != nil {
		t.Fatal(err)
	}
	if want := cloud.URL() + "/queues/ORD/v1/" + project + "/"; url != want {
		t.Errorf("queues endpoint = %q, want %q", url, want)
	}
	resp, err := provider.HTTPClient.Get(url + "messages")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET through the catalog URL = %d", resp.StatusCode)
	}
}

// TestTokenScopedToOneProject: a token for project A is refused for
// project B's resources, and accepted for A's.
func TestTokenScopedToOneProject(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t)
	// Bob's project exists first, so Alice cannot just claim it.
	bobProvider, err := openstack.AuthenticatedClient(ctx, authOpts(cloud.IdentityURL(), "bob", "project-b"))
	if err != nil {
		t.Fatal(err)
	}
	bobToken, _ := cloud.Identity().Token(bobProvider.TokenID)

	provider, err := openstack.AuthenticatedClient(ctx, authOpts(cloud.IdentityURL(), "alice", "project-a"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{})
	if err != nil {
		t.Fatal(err)
	}
	aliceToken, _ := cloud.Identity().Token(provider.TokenID)

	if _, err := projects.Get(ctx, client, aliceToken.ProjectID).Extract(); err != nil {
		t.Errorf("own project: %v", err)
	}
	_, err = projects.Get(ctx, client, bobToken.ProjectID).Extract()
	if !gophercloud.ResponseCodeIs(err, http.StatusForbidden) {
		t.Errorf("other project: err = %v, want 403", err)
	}
	// Nor can Alice scope a token to Bob's project.
	_, err = openstack.AuthenticatedClient(ctx, authOpts(cloud.IdentityURL(), "alice", "project-b"))
	if !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
		t.Errorf("scoping to another user's project: err = %v, want 401", err)
	}
}

// TestExpiredTokenAndReauth: after Advance past the token lifetime the
// token is refused, and gophercloud's AllowReauth gets a new one and
// retries transparently.
func TestExpiredTokenAndReauth(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t, mockcloud.Configure(identity.ServiceName, identity.WithTokenLifetime(time.Hour)))
	for _, reauth := range []bool{false, true} {
		opts := authOpts(cloud.IdentityURL(), "carol", "demo")
		opts.AllowReauth = reauth
		provider, err := openstack.AuthenticatedClient(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		client, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{})
		if err != nil {
			t.Fatal(err)
		}
		first := provider.TokenID
		tok, _ := cloud.Identity().Token(first)

		cloud.Advance(time.Hour + time.Second)
		cloud.ResetRequests()
		_, err = projects.Get(ctx, client, tok.ProjectID).Extract()
		if !reauth {
			if !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
				t.Errorf("expired token without reauth: err = %v, want 401", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("with AllowReauth: %v", err)
		}
		if provider.TokenID == first {
			t.Error("gophercloud still holds the expired token")
		}
		got := fake.Ops(cloud.Requests())
		want := []string{identity.OpV3GetProject, identity.OpV3CreateToken, identity.OpV3GetProject}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
		statuses := []int{}
		for _, r := range cloud.Requests() {
			statuses = append(statuses, r.Status)
		}
		if diff := cmp.Diff([]int{401, 201, 200}, statuses); diff != "" {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
	}
}

// TestRevokedToken: a token revoked through the API stops working at once,
// for validation and for use.
func TestRevokedToken(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t)
	admin, err := openstack.AuthenticatedClient(ctx, authOpts(cloud.IdentityURL(), "dave", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	victim, err := openstack.AuthenticatedClient(ctx, authOpts(cloud.IdentityURL(), "dave", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	adminClient, _ := openstack.NewIdentityV3(admin, gophercloud.EndpointOpts{})
	victimClient, _ := openstack.NewIdentityV3(victim, gophercloud.EndpointOpts{})

	if ok, err := tokens3.Validate(ctx, adminClient, victim.TokenID); !ok || err != nil {
		t.Fatalf("validate before revoke: ok=%v err=%v", ok, err)
	}
	if err := tokens3.Revoke(ctx, adminClient, victim.TokenID).Err; err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if ok, err := tokens3.Validate(ctx, adminClient, victim.TokenID); ok || err != nil {
		t.Errorf("validate after revoke: ok=%v err=%v; want false, nil (404)", ok, err)
	}
	tok, _ := cloud.Identity().Token(victim.TokenID)
	if !tok.Revoked {
		t.Error("identity does not report the token revoked")
	}
	_, err = projects.Get(ctx, victimClient, tok.ProjectID).Extract()
	if !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
		t.Errorf("using a revoked token: err = %v, want 401", err)
	}
}

// TestStrictIdentity: only seeded users with the right password get in.
func TestStrictIdentity(t *testing.T) {
	ctx := context.Background()
	cloud := mockcloud.New(t, mockcloud.Configure(identity.ServiceName, identity.Strict()))
	id := cloud.Identity()
	u, err := id.AddUser(identity.User{Name: "erin", Password: "right"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := id.AddProject(identity.Project{Name: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	id.Grant(u.ID, p.ID, "member")

	for _, tc := range []struct {
		user, password string
		wantErr        bool
	}{{"erin", "right", false}, {"erin", "wrong", true}, {"mallory", "right", true}} {
		opts := authOpts(cloud.IdentityURL(), tc.user, "ops")
		opts.Password = tc.password
		_, err := openstack.AuthenticatedClient(ctx, opts)
		if tc.wantErr != (err != nil) {
			t.Errorf("%s/%s: err = %v, wantErr %v", tc.user, tc.password, err, tc.wantErr)
		}
		if tc.wantErr && !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
			t.Errorf("%s/%s: err = %v, want 401", tc.user, tc.password, err)
		}
	}
}

// TestFaultTable is the pattern to copy: each row injects faults, runs the
// client, and says what the client must see.
func TestFaultTable(t *testing.T) {
	tests := []struct {
		name    string
		faults  []fake.Fault
		timeout time.Duration
		calls   int
		check   func(t *testing.T, errs []error)
	}{{
		name:   "503 twice, then success",
		faults: []fake.Fault{{Op: identity.OpV3GetProject, Status: http.StatusServiceUnavailable, Times: 2}},
		calls:  3,
		check: func(t *testing.T, errs []error) {
			for i, want := range []int{503, 503, 0} {
				if want == 0 && errs[i] != nil || want != 0 && !gophercloud.ResponseCodeIs(errs[i], want) {
					t.Errorf("call %d: err = %v, want status %d", i+1, errs[i], want)
				}
			}
		},
	}, {
		// Go's transport retries an idempotent request once on a fresh
		// connection when the old one dies before answering, so a drop
		// that should reach the caller must fire every time.
		name:   "dropped connection",
		faults: []fake.Fault{{Op: identity.OpV3GetProject, Drop: true}},
		calls:  1,
		check: func(t *testing.T, errs []error) {
			var unexpected gophercloud.ErrUnexpectedResponseCode
			if errs[0] == nil || errors.As(errs[0], &unexpected) {
				t.Errorf("err = %v, want a transport error", errs[0])
			}
		},
	}, {
		name:    "delay cancelled by the client",
		faults:  []fake.Fault{{Op: identity.OpV3GetProject, Delay: time.Minute, Status: 200}},
		timeout: 100 * time.Millisecond,
		calls:   1,
		check: func(t *testing.T, errs []error) {
			if !errors.Is(errs[0], context.DeadlineExceeded) {
				t.Errorf("err = %v, want context.DeadlineExceeded", errs[0])
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cloud := mockcloud.New(t)
			provider, err := openstack.AuthenticatedClient(context.Background(), authOpts(cloud.IdentityURL(), "frank", "demo"))
			if err != nil {
				t.Fatal(err)
			}
			client, _ := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{})
			project := cloud.Identity().Tokens()[0].ProjectID
			for _, f := range tc.faults {
				cloud.Inject(f)
			}
			var errs []error
			for i := 0; i < tc.calls; i++ {
				ctx := context.Background()
				if tc.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.timeout)
					defer cancel()
				}
				_, err := projects.Get(ctx, client, project).Extract()
				errs = append(errs, err)
			}
			tc.check(t, errs)
		})
	}
}
