package examples

// The README's quick start is this file, between the markers; a test
// holds the two equal (TestReadmeQuotesQuickStart).

// quick start begin
import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

func TestScaleOutSurvivesA503(t *testing.T) {
	// In a synctest bubble, time moves only when every goroutine waits: the
	// 30 s builds and the client's one-second polls take no wall time.
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		// Every fake in one Cloud, in memory, on the bubble's clock;
		// closed when the test ends.
		cloud := mockcloud.New(t, mockcloud.WithSynctest())

		provider, err := openstack.NewClient(cloud.IdentityURL())
		if err != nil {
			t.Fatal(err)
		}
		provider.HTTPClient = *cloud.Client() // no socket: the Cloud's handler, called directly
		err = openstack.Authenticate(ctx, provider, gophercloud.AuthOptions{
			Username: "alice", Password: "anything", TenantName: "demo", DomainName: "Default",
		})
		if err != nil {
			t.Fatal(err)
		}
		nova, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
		if err != nil {
			t.Fatal(err)
		}

		// The second create answers 503, as Nova does when it is overloaded.
		cloud.Inject(fake.Fault{Op: compute.OpCreateServer, Skip: 1, Times: 1, Status: 503})

		if err := scaleOut(ctx, nova, 3); err != nil { // the code under test
			t.Fatal(err)
		}

		if n := len(cloud.Compute("RegionOne").Servers()); n != 3 {
			t.Errorf("%d servers, want 3", n)
		}
		// What the fake saw: four creates, one of them refused.
		fake.CheckOps(t, fake.Filter(cloud.Requests(), compute.OpCreateServer),
			compute.OpCreateServer, compute.OpCreateServer, compute.OpCreateServer, compute.OpCreateServer)
	})
}

// scaleOut creates n servers, retrying a create that answers 503, and
// waits until each is ACTIVE.
func scaleOut(ctx context.Context, nova *gophercloud.ServiceClient, n int) error {
	var ids []string
	for len(ids) < n {
		opts := servers.CreateOpts{Name: fmt.Sprintf("web-%d", len(ids)+1), FlavorRef: "1", ImageRef: compute.DefaultImageID}
		s, err := servers.Create(ctx, nova, opts, nil).Extract()
		if gophercloud.ResponseCodeIs(err, http.StatusServiceUnavailable) {
			time.Sleep(time.Second)
			continue
		}
		if err != nil {
			return err
		}
		ids = append(ids, s.ID)
	}
	for _, id := range ids {
		if err := servers.WaitForStatus(ctx, nova, id, "ACTIVE"); err != nil {
			return err
		}
	}
	return nil
}

// quick start end
