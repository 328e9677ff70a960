package loadbalancer_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

// The descriptor is all a Cloud needs to mount the service.
func TestDescriptor(t *testing.T) {
	d := loadbalancer.Descriptor()
	if d.Name != loadbalancer.ServiceName || d.Prefix != "/loadbalancers" || !d.PerRegion || d.OwnOrigin {
		t.Errorf("descriptor %q %q per-region %v own-origin %v", d.Name, d.Prefix, d.PerRegion, d.OwnOrigin)
	}
	wantCatalog := []kit.CatalogEntry{
		{Type: "rax:load-balancer", Name: "cloudLoadBalancers", Path: "/v1.0/{tenant_id}"},
		{Type: "rax:load-balancer", Name: "cloudLoadBalancerControl", Path: "/v2/{tenant_id}"},
	}
	if diff := cmp.Diff(wantCatalog, d.Catalog); diff != "" {
		t.Errorf("catalog (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"loadbalancers": loadbalancer.Presets()}, d.Presets()); diff != "" {
		t.Errorf("presets (-want +got):\n%s", diff)
	}

	inst, err := d.New(kit.Env{}, kit.Site{Region: "SYD", Regions: []string{"DFW", "SYD"}}, []fake.Option{loadbalancer.WithDurations(loadbalancer.Instant())})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if inst.Name() != loadbalancer.ServiceName || inst.Region() != "SYD" {
		t.Errorf("instance %s/%s", inst.Name(), inst.Region())
	}
	rec := httptest.NewRecorder()
	inst.ServeHTTP(rec, httptest.NewRequest("POST", "/v1.0/1/loadbalancers", strings.NewReader(simpleLB)))
	if rec.Code != 202 || !strings.Contains(rec.Body.String(), `"ztm-n01.syd1.lbaas.mockcloud.test"`) ||
		!strings.Contains(rec.Body.String(), `"status":"ACTIVE"`) {
		t.Errorf("create in SYD: %d %s", rec.Code, rec.Body)
	}
}

// Inside a Cloud the clock, the seed and the region are the Cloud's: a
// service given its own is an error, and so is another package's option.
func TestConflictingOptions(t *testing.T) {
	site := kit.Site{Region: "DFW", Regions: []string{"DFW"}}
	for _, opt := range []fake.Option{
		fake.WithClock(clock.New(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))), fake.WithSeed(7), fake.WithRegion("ORD"),
	} {
		_, err := loadbalancer.Descriptor().New(kit.Env{}, site, []fake.Option{opt})
		var oe *kit.OptionError
		if !errors.As(err, &oe) || oe.Service != loadbalancer.ServiceName {
			t.Errorf("a shared option in a Cloud: err = %v, want a *kit.OptionError", err)
		}
	}
	type otherConfig struct{ n int }
	foreign := fake.Configure(func(c *otherConfig) { c.n = 1 })
	if _, err := loadbalancer.NewUnstarted(foreign); err == nil {
		t.Error("another package's option was accepted")
	}
	if _, err := loadbalancer.Descriptor().New(kit.Env{}, site, []fake.Option{foreign}); err == nil {
		t.Error("another package's option was accepted in a Cloud")
	}
}

// Ops lists every route's op: the names a fault can match.
func TestOps(t *testing.T) {
	want := []string{
		loadbalancer.OpListLoadBalancers, loadbalancer.OpCreateLoadBalancer, loadbalancer.OpBatchDeleteLoadBalancers,
		loadbalancer.OpGetLoadBalancer, loadbalancer.OpUpdateLoadBalancer, loadbalancer.OpDeleteLoadBalancer,
		loadbalancer.OpListNodes, loadbalancer.OpAddNodes, loadbalancer.OpUpdateNodes, loadbalancer.OpBatchDeleteNode,
		loadbalancer.OpListNodeEvents, loadbalancer.OpGetNode, loadbalancer.OpGetNodeFeed, loadbalancer.OpUpdateNode,
		loadbalancer.OpDeleteNode,
		loadbalancer.OpListVirtualIPs, loadbalancer.OpAddVirtualIP, loadbalancer.OpBatchDeleteVirtualIPs, loadbalancer.OpDeleteVirtualIP,
		loadbalancer.OpGetHealthMonitor, loadbalancer.OpUpdateHealthMonitor, loadbalancer.OpDeleteHealthMonitor,
		loadbalancer.OpGetSessionPersistence, loadbalancer.OpUpdateSessionPersistence, loadbalancer.OpDeleteSessionPersistence,
		loadbalancer.OpGetConnectionLogging, loadbalancer.OpUpdateConnectionLogging,
		loadbalancer.OpGetConnectionThrottle, loadbalancer.OpUpdateConnectionThrottle, loadbalancer.OpDeleteConnectionThrottle,
		loadbalancer.OpGetContentCaching, loadbalancer.OpUpdateContentCaching,
		loadbalancer.OpGetErrorPage, loadbalancer.OpSetErrorPage, loadbalancer.OpDeleteErrorPage,
		loadbalancer.OpGetAccessList, loadbalancer.OpAddAccessList, loadbalancer.OpDeleteAccessList, loadbalancer.OpDeleteNetworkItem,
		loadbalancer.OpGetSSLTermination, loadbalancer.OpUpdateSSLTermination, loadbalancer.OpDeleteSSLTermination,
		loadbalancer.OpListCiphers, loadbalancer.OpListCertificateMappings, loadbalancer.OpAddCertificateMapping,
		loadbalancer.OpGetCertificateMapping, loadbalancer.OpUpdateCertificateMapping, loadbalancer.OpDeleteCertificateMapping,
		loadbalancer.OpListMetadata, loadbalancer.OpAddMetadata, loadbalancer.OpBatchDeleteMetadata, loadbalancer.OpGetMetadataItem,
		loadbalancer.OpUpdateMetadataItem, loadbalancer.OpDeleteMetadataItem,
		loadbalancer.OpListNodeMetadata, loadbalancer.OpAddNodeMetadata, loadbalancer.OpBatchDeleteNodeMeta,
		loadbalancer.OpGetNodeMetadataItem, loadbalancer.OpUpdateNodeMetadataItem, loadbalancer.OpDeleteNodeMetadataItem,
		loadbalancer.OpGetStats, loadbalancer.OpGetUsage, loadbalancer.OpGetCurrentUsage, loadbalancer.OpGetAccountUsage,
		loadbalancer.OpListBillable,
		loadbalancer.OpAbsoluteLimits, loadbalancer.OpRateLimits, loadbalancer.OpListProtocols, loadbalancer.OpListAlgorithms,
		loadbalancer.OpListAllowedDomains, loadbalancer.OpRegionalSourceAddresses, loadbalancer.OpClusterSourceAddresses,
		loadbalancer.OpControlSetAttributes, loadbalancer.OpControlSetNodeStatus,
	}
	sort.Strings(want)
	c, err := loadbalancer.NewUnstarted()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, c.Ops()); diff != "" {
		t.Errorf("ops (-want +got):\n%s", diff)
	}
}

// A fault on one op answers that op only; the API's other routes on the
// same path go on.
func TestFaultOnOneOp(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	nid := h.nodeIDs(id)[0]
	h.srv.Inject(fake.Fault{Op: loadbalancer.OpUpdateNode, Status: 503})
	h.expect(h.do("PUT", lbPath(id, fmt.Sprintf("/nodes/%d", nid)), `{"node":{"weight":5}}`), 503,
		fault(503, "Service Unavailable (injected by mockcloud)"))
	h.expect(h.do("GET", lbPath(id, fmt.Sprintf("/nodes/%d", nid)), ""), 200, "*")
	h.expect(h.do("PUT", lbPath(id, "/nodes"), fmt.Sprintf(`{"nodes":[{"id":%d,"weight":5}]}`, nid)), 202, "*")
}

// IDs come from the service's own stream, derived from the seed, the
// service's name and its region: registering behaviors (counter IDs) never
// shifts them, and the same region gives the same IDs standalone or in a
// Cloud.
func TestIDStreams(t *testing.T) {
	createOne := func(c *loadbalancer.CLB) string {
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest("POST", "/v1.0/1/loadbalancers", strings.NewReader(simpleLB)))
		if rec.Code != 202 {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	plain, err := loadbalancer.NewUnstarted(fake.WithRegion("ORD"))
	if err != nil {
		t.Fatal(err)
	}
	busy, err := loadbalancer.NewUnstarted(fake.WithRegion("ORD"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		b, err := busy.AddCreateBehavior(loadbalancer.CreateBehavior{Tenant: "nobody"})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("00000000-0000-4000-8000-%012x", i+1); b.ID != want {
			t.Errorf("behavior ID %s, want the counter's %s", b.ID, want)
		}
	}
	inst, err := loadbalancer.Descriptor().New(kit.Env{}, kit.Site{Region: "ORD"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	clouded := inst.(*loadbalancer.CLB)
	want := createOne(plain)
	if got := createOne(busy); got != want {
		t.Errorf("registering behaviors shifted the IDs:\n%s\n%s", got, want)
	}
	if got := createOne(clouded); got != want {
		t.Errorf("the same region in a Cloud gave other IDs:\n%s\n%s", got, want)
	}
	other, err := loadbalancer.NewUnstarted(fake.WithRegion("IAD"))
	if err != nil {
		t.Fatal(err)
	}
	if got := createOne(other); got == want {
		t.Error("two regions share one ID stream")
	}
}
