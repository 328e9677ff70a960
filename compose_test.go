package mockcloud_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/fastly"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/kit"
)

const serverBody = `{"server":{"name":"web","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1"}}`

// createServer creates a server over HTTP in region and returns its ID.
func createServer(t *testing.T, c *mockcloud.Cloud, region, tok string) string {
	t.Helper()
	var out struct {
		Server struct {
			ID string `json:"id"`
		} `json:"server"`
	}
	project := tokenProject(t, c, tok)
	code, body := call(t, c, "POST", "/compute/"+region+"/v2.1/"+project+"/servers", serverBody,
		map[string]string{"X-Auth-Token": tok}, &out)
	if code != http.StatusAccepted || out.Server.ID == "" {
		t.Fatalf("create server in %s = %d %s", region, code, body)
	}
	return out.Server.ID
}

func tokenProject(t *testing.T, c *mockcloud.Cloud, tok string) string {
	t.Helper()
	tk, ok := c.Identity().Token(tok)
	if !ok {
		t.Fatalf("token %s unknown", tok)
	}
	return tk.ProjectID
}

// TestServicesDoNotShiftEachOthersIDs: each service draws from a random
// stream of its own, so authenticating other users, registering a
// behavior and creating servers in another region leave the IDs one
// region's compute hands out as they were.
func TestServicesDoNotShiftEachOthersIDs(t *testing.T) {
	quiet := mockcloud.New(t)
	want := createServer(t, quiet, "RegionOne", token(t, quiet))

	busy := mockcloud.New(t)
	tok := token(t, busy)
	for _, user := range []string{"bob", "carol"} {
		body := strings.NewReplacer(`"alice"`, `"`+user+`"`, `"demo"`, `"`+user+`-project"`).Replace(v3Auth)
		if code, _ := call(t, busy, "POST", "/identity/v3/auth/tokens", body, nil, nil); code != 201 {
			t.Fatalf("auth %s = %d", user, code)
		}
	}
	if _, err := busy.Identity().AddAuthBehavior(identity.AuthBehavior{Username: "nobody", Steps: []identity.AuthStep{{Code: 500}}}); err != nil {
		t.Fatal(err)
	}
	createServer(t, busy, "DFW", tok)
	createServer(t, busy, "DFW", tok)
	if got := createServer(t, busy, "RegionOne", tok); got != want {
		t.Errorf("RegionOne's first server is %s in a busy cloud, %s in a quiet one", got, want)
	}
}

// TestSameSeedSameKeypairs: a generated keypair comes from the seeded
// stream, so the same seed gives the same key, and another seed another.
func TestSameSeedSameKeypairs(t *testing.T) {
	generate := func(seed int64) string {
		c := mockcloud.New(t, mockcloud.WithSeed(seed))
		tok := token(t, c)
		var out struct {
			Keypair struct {
				PublicKey   string `json:"public_key"`
				Fingerprint string `json:"fingerprint"`
			} `json:"keypair"`
		}
		project := tokenProject(t, c, tok)
		code, body := call(t, c, "POST", "/compute/RegionOne/v2.1/"+project+"/os-keypairs", `{"keypair":{"name":"k"}}`,
			map[string]string{"X-Auth-Token": tok}, &out)
		if code != http.StatusOK || out.Keypair.PublicKey == "" {
			t.Fatalf("generate keypair = %d %s", code, body)
		}
		return out.Keypair.PublicKey
	}
	a, b := generate(3), generate(3)
	if a != b {
		t.Errorf("seed 3 gave two keys:\n%s\n%s", a, b)
	}
	if c := generate(4); c == a {
		t.Errorf("seeds 3 and 4 gave the same key %s", c)
	}
}

// TestComputeOnlyCloud: a Cloud of compute alone still mounts identity (it
// issues the tokens), authenticates, serves compute, and lists only what
// is mounted.
func TestComputeOnlyCloud(t *testing.T) {
	tb := &fatalTB{T: t}
	c := mockcloud.New(tb, mockcloud.WithServices(compute.Descriptor()), mockcloud.WithRegions("DFW"))
	tok := token(t, c)
	id := createServer(t, c, "DFW", tok)
	if _, ok := c.Compute("DFW").Server(id); !ok {
		t.Errorf("server %s is not in compute/DFW", id)
	}
	if code, _ := call(t, c, "GET", "/compute/DFW/v2.1/"+tokenProject(t, c, tok)+"/servers", "", nil, nil); code != 401 {
		t.Errorf("without a token: %d, want 401", code)
	}
	for _, use := range []func(){func() { c.Fastly() }, func() { c.Mesos() }, func() { c.LoadBalancer("DFW") }, func() { c.Compute("ORD") }} {
		if tb.fails(use) == "" {
			t.Error("an accessor for a service that is not mounted did not fail the test")
		}
	}
	if code, _ := call(t, c, "GET", "/fastly/service", "", nil, nil); code != 404 {
		t.Errorf("GET /fastly/service = %d, want 404 (not mounted)", code)
	}
	var health struct {
		Services []string `json:"services"`
	}
	call(t, c, "GET", "/mockcloud/v1/health", "", nil, &health)
	if diff := cmp.Diff([]string{"compute/DFW", "identity"}, health.Services); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
	// /healthz, what a container's probes ask, answers the same.
	health.Services = nil
	if code, _ := call(t, c, "GET", "/healthz", "", nil, &health); code != 200 || len(health.Services) != 2 {
		t.Errorf("GET /healthz = %d %v", code, health.Services)
	}
}

// TestConflictingOptions: the Cloud owns the clock, the seed and the
// regions; giving them to one service is an error, as is an option of
// another service or a service that is not mounted.
func TestConflictingOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  mockcloud.Option
		want string
	}{
		{"own clock", mockcloud.Configure(compute.ServiceName, fake.WithClock(clock.New(clock.DefaultStart()))), "WithClock cannot be given to one service of a Cloud"},
		{"own seed", mockcloud.Configure(identity.ServiceName, fake.WithSeed(3)), "WithSeed cannot be given"},
		{"own region", mockcloud.Configure(compute.ServiceName, fake.WithRegion("X")), "WithRegion cannot be given"},
		{"another service's option", mockcloud.Configure(compute.ServiceName, fastly.Strict()), "an option of package fastly given to compute"},
		{"not mounted", mockcloud.Configure("queues"), `no such service is mounted`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mockcloud.NewUnstarted(tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one saying %q", err, tc.want)
			}
			var optErr *kit.OptionError
			if tc.name != "not mounted" && !errors.As(err, &optErr) {
				t.Errorf("err = %T, want a *kit.OptionError", err)
			}
		})
	}
}

// TestOwnOrigin: a service whose clients drop URL paths is served at the
// root of an origin of its own, and the help document says where.
func TestOwnOrigin(t *testing.T) {
	d := kit.Descriptor{
		Name: "rooted", Prefix: "/rooted", OwnOrigin: true,
		Catalog: []kit.CatalogEntry{{Type: "rooted", Name: "rooted", Path: "/v1"}},
		New: func(env kit.Env, _ kit.Site, _ []fake.Option) (kit.Instance, error) {
			return kit.NewService(env, "", kit.Spec{
				Name:            "rooted",
				Unauthenticated: true,
				Errors: func(_ *http.Request, e *kit.Error) kit.Reply {
					return kit.JSON(e.Status, map[string]string{"message": e.Message})
				},
				Routes: func() []kit.Route {
					return []kit.Route{{Op: "rooted.ping", Method: "GET", Path: "/--ping", Handler: func(c *kit.Call) (kit.Reply, error) {
						return kit.OK(map[string]string{"path": c.Request.URL.Path}), nil
					}}}
				},
			}), nil
		},
	}
	c := mockcloud.New(t, mockcloud.WithServices(d))
	url := c.ServiceURL("rooted", "")
	if url == "" || strings.HasPrefix(url, c.URL()) {
		t.Fatalf("ServiceURL = %q, want an origin other than %s", url, c.URL())
	}
	resp, err := http.Get(url + "/--ping")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Path string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 || got.Path != "/--ping" {
		t.Errorf("GET /--ping = %d %+v %v", resp.StatusCode, got, err)
	}
	fake.CheckOps(t, c.Requests("rooted"), "rooted.ping")
	var listed string
	for _, svc := range c.Identity().Catalog() {
		if svc.Name == "rooted" {
			listed = svc.Endpoints[0].URL
		}
	}
	if listed != url+"/v1" {
		t.Errorf("the catalog lists %q, want the origin's %q", listed, url+"/v1")
	}
	var help struct {
		Mockcloud struct {
			Services map[string]string `json:"services"`
		} `json:"mockcloud"`
	}
	call(t, c, "GET", "/", "", nil, &help)
	if help.Mockcloud.Services["rooted"] != url+"/" {
		t.Errorf("help lists %v", help.Mockcloud.Services)
	}
}

// TestBadCloudConfigs: what would panic or be ignored is an error.
func TestBadCloudConfigs(t *testing.T) {
	noNew := kit.Descriptor{Name: "broken", Prefix: "/broken"}
	clash := compute.Descriptor()
	clash.Name = "compute2"
	for _, tc := range []struct {
		name string
		opts []mockcloud.Option
		want string
	}{
		{"no regions", []mockcloud.Option{mockcloud.WithRegions()}, "at least one region"},
		{"region twice", []mockcloud.Option{mockcloud.WithRegions("DFW", "DFW")}, `region "DFW" given twice`},
		{"region with a slash", []mockcloud.Option{mockcloud.WithRegions("a/b")}, "cannot be a path segment"},
		{"service twice", []mockcloud.Option{mockcloud.WithServices(compute.Descriptor(), compute.Descriptor())}, "mounted twice"},
		{"no New", []mockcloud.Option{mockcloud.WithServices(noNew)}, "has no New"},
		{"one prefix", []mockcloud.Option{mockcloud.WithServices(compute.Descriptor(), clash)}, "share the prefix /compute"},
		{"mount on a service", []mockcloud.Option{mockcloud.WithMount(mockcloud.Mount{Name: "x", Prefix: "/identity", Handler: http.NotFoundHandler()})}, "mockcloud:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := mockcloud.NewUnstarted(tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one saying %q", err, tc.want)
			}
			if c != nil {
				t.Errorf("a Cloud came back with the error")
			}
		})
	}
}

// TestIdentityOnly: WithServices() with nothing named mounts identity
// alone.
func TestIdentityOnly(t *testing.T) {
	tb := &fatalTB{T: t}
	c := mockcloud.New(tb, mockcloud.WithServices())
	if tb.fails(func() { c.Compute("DFW") }) == "" || tb.fails(func() { c.Fastly() }) == "" || c.Identity() == nil {
		t.Errorf("mounted: %v", c.Ops()[:3])
	}
	token(t, c)
}

// TestSeedZero: seed 0 is a seed like any other, not the default.
func TestSeedZero(t *testing.T) {
	first := func(opts ...mockcloud.Option) string {
		c := mockcloud.New(t, opts...)
		return createServer(t, c, "DFW", token(t, c))
	}
	if first(mockcloud.WithSeed(0)) == first() {
		t.Error("WithSeed(0) gives the default seed's IDs")
	}
	// Two Clouds, one after the other (one expression twice is SA4000).
	one, two := first(mockcloud.WithSeed(0)), first(mockcloud.WithSeed(0))
	if one != two {
		t.Error("WithSeed(0) is not reproducible")
	}
}

// TestFaultsNamingNothing: a fault whose op, service or region the Cloud
// does not have could never fire; it is refused, with the closest names.
func TestFaultsNamingNothing(t *testing.T) {
	c := mockcloud.New(t)
	for _, tc := range []struct {
		fault fake.Fault
		want  string
	}{
		{fake.Fault{Op: "compute.server.create", Status: 503}, `did you mean "compute.servers.create"`},
		{fake.Fault{Op: "compute.srv*", Status: 503}, `no mounted service has`},
		{fake.Fault{Service: "computer", Status: 503}, `did you mean "compute"`},
		{fake.Fault{Region: "dfw", Status: 503}, `did you mean "DFW"`},
		{fake.Fault{Service: "identity", Op: compute.OpCreateServer, Status: 503}, `no mounted service has`},
	} {
		if _, err := c.AddFault(tc.fault); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("AddFault(%+v) = %v, want an error saying %s", tc.fault, err, tc.want)
		}
	}
	for _, ok := range []fake.Fault{{Op: "compute.servers.action.*", Status: 409}, {Op: compute.OpActionReboot, Region: "DFW", Status: 409}, {Path: "/v2.1/*", Status: 500}} {
		if _, err := c.AddFault(ok); err != nil {
			t.Errorf("AddFault(%+v) = %v", ok, err)
		}
	}
	code, body := call(t, c, "POST", "/mockcloud/v1/faults", `{"op":"compute.server.create","status":503}`, nil, nil)
	if code != 400 || !strings.Contains(body, "did you mean") {
		t.Errorf("POST a fault naming no op = %d %s, want 400 with suggestions", code, body)
	}
}

// TestControlAPIIsNotTheFake: the control API is neither journaled nor
// faulted; HEAD works where GET does; DELETE by op is refused.
func TestControlAPIIsNotTheFake(t *testing.T) {
	c := mockcloud.New(t)
	c.Inject(fake.Fault{Status: 500}) // every request of every service
	if code, _ := call(t, c, "GET", "/mockcloud/v1/health", "", nil, nil); code != 200 {
		t.Errorf("health under a catch-all fault: %d", code)
	}
	if code, _ := call(t, c, "HEAD", "/mockcloud/v1/health", "", nil, nil); code != 200 {
		t.Errorf("HEAD health: %d", code)
	}
	if n := len(c.Requests()); n != 0 {
		t.Errorf("the journal holds %d control requests", n)
	}
	if code, _ := call(t, c, "DELETE", "/mockcloud/v1/requests?op=x", "", nil, nil); code != 400 {
		t.Errorf("DELETE requests by op: %d, want 400", code)
	}
	var ops struct {
		Ops []string `json:"ops"`
	}
	call(t, c, "GET", "/mockcloud/v1/ops", "", nil, &ops)
	if diff := cmp.Diff(c.Ops(), ops.Ops); diff != "" || len(ops.Ops) < 300 {
		t.Errorf("GET ops (%d) (-Cloud.Ops +HTTP):\n%s", len(ops.Ops), diff)
	}
}
