package mockcloud_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/kit"
)

// call sends a JSON request to the Cloud and decodes a JSON answer into out
// (when out is not nil). It returns the status and the raw body.
func call(t testing.TB, c *mockcloud.Cloud, method, path, body string, header map[string]string, out any) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, c.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

const v3Auth = `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"alice","domain":{"id":"default"},"password":"pw"}}},"scope":{"project":{"name":"demo","domain":{"id":"default"}}}}}`

// token authenticates over v3 and returns the token ID.
func token(t testing.TB, c *mockcloud.Cloud) string {
	t.Helper()
	req, _ := http.NewRequest("POST", c.URL()+"/identity/v3/auth/tokens", strings.NewReader(v3Auth))
	resp, err := c.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("auth: %d", resp.StatusCode)
	}
	return resp.Header.Get("X-Subject-Token")
}

func TestNewDefaults(t *testing.T) {
	c := mockcloud.New(t)
	if !c.Now().Equal(clock.DefaultStart()) {
		t.Errorf("Now() = %v, want the fixed default start", c.Now())
	}
	if diff := cmp.Diff([]string{"RegionOne", "DFW", "ORD", "IAD"}, c.Regions()); diff != "" {
		t.Errorf("regions (-want +got):\n%s", diff)
	}
	if got := c.Advance(90 * time.Second); !got.Equal(clock.DefaultStart().Add(90 * time.Second)) {
		t.Errorf("Advance returned %v", got)
	}
	start := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	if c2 := mockcloud.New(t, mockcloud.WithStart(start)); !c2.Now().Equal(start) {
		t.Errorf("WithStart: Now() = %v", c2.Now())
	}
}

func TestSameSeedSameIDs(t *testing.T) {
	ids := func(seed int64) []string {
		c := mockcloud.New(t, mockcloud.WithSeed(seed))
		tok := token(t, c)
		tk, _ := c.Identity().Token(tok)
		return []string{tok, tk.UserID, tk.ProjectID}
	}
	a, b := ids(7), ids(7)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two clouds with one seed differ (-first +second):\n%s", diff)
	}
	// Without this the test passes with WithSeed ignored.
	if other := ids(8); cmp.Equal(a, other) {
		t.Errorf("seeds 7 and 8 gave the same IDs %q", a)
	}
}

func TestHelpAndUnknownPaths(t *testing.T) {
	c := mockcloud.New(t)
	var help struct {
		Mockcloud struct {
			Identity map[string]string `json:"identity"`
			Services map[string]string `json:"services"`
			Control  string            `json:"control"`
		} `json:"mockcloud"`
	}
	if code, body := call(t, c, "GET", "/", "", nil, &help); code != 200 {
		t.Fatalf("GET / = %d %s", code, body)
	}
	if got, want := help.Mockcloud.Identity["v3"], c.URL()+"/identity/v3/auth/tokens"; got != want {
		t.Errorf("help identity v3 = %q, want %q", got, want)
	}
	if got := help.Mockcloud.Services["identity"]; got != c.URL()+"/identity/" {
		t.Errorf("help services = %v", help.Mockcloud.Services)
	}
	var e struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if code, _ := call(t, c, "GET", "/nowhere", "", nil, &e); code != 404 || e.Error.Code != 404 {
		t.Errorf("GET /nowhere = %d %+v", code, e)
	}
	if code, _ := call(t, c, "GET", "/mockcloud/v1/nothing", "", nil, &e); code != 404 || !strings.Contains(e.Error.Message, "Unknown control call") {
		t.Errorf("unknown control call = %d %+v", code, e)
	}
	// A known control path with the wrong method is a 405 naming the
	// methods it takes, in the control API's error format.
	for _, tc := range []struct{ method, path, allow string }{
		{"GET", "/mockcloud/v1/tick", "POST"},
		{"GET", "/mimic/v1.1/tick", "POST"},
		{"PUT", "/mockcloud/v1/faults", "GET, HEAD, POST, DELETE"},
		{"GET", "/mockcloud/v1/faults/fault-1", "DELETE"},
		{"POST", "/mockcloud/v1/health", "GET, HEAD"},
	} {
		req, _ := http.NewRequest(tc.method, c.URL()+tc.path, nil)
		resp, err := c.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Error struct{ Code int } `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 405 || e.Error.Code != 405 || resp.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d (error code %d), Allow %q; want 405, Allow %q", tc.method, tc.path, resp.StatusCode, e.Error.Code, resp.Header.Get("Allow"), tc.allow)
		}
	}
}

func TestTick(t *testing.T) {
	c := mockcloud.New(t)
	for _, path := range []string{"/mockcloud/v1/tick", "/mimic/v1.1/tick"} {
		before := c.Now()
		var out struct {
			Advanced float64 `json:"advanced"`
			Now      string  `json:"now"`
		}
		if code, body := call(t, c, "POST", path, `{"amount": 1.5}`, nil, &out); code != 200 {
			t.Fatalf("%s = %d %s", path, code, body)
		}
		want := before.Add(1500 * time.Millisecond)
		if out.Advanced != 1.5 || out.Now != want.Format("2006-01-02T15:04:05.000000Z") || !c.Now().Equal(want) {
			t.Errorf("%s: %+v, clock at %v; want now %v", path, out, c.Now(), want)
		}
	}
	for _, bad := range []string{``, `{}`, `{"amount": -1}`, `{"amount": "soon"}`, `{"amount": 1e300}`} {
		if code, body := call(t, c, "POST", "/mockcloud/v1/tick", bad, nil, nil); code != 400 || !strings.Contains(body, `"error"`) {
			t.Errorf("tick %s = %d %s, want 400 with an error body", bad, code, body)
		}
	}
	var now struct{ Now string }
	call(t, c, "GET", "/mockcloud/v1/time", "", nil, &now)
	if now.Now != c.Now().Format(time.RFC3339Nano) {
		t.Errorf("time = %q, clock at %v", now.Now, c.Now())
	}
}

// TestAdvanceExpiresTokensEverywhere: identity's validate and the token
// check every service uses both follow the shared clock.
func TestAdvanceExpiresTokensEverywhere(t *testing.T) {
	c := mockcloud.New(t)
	tok := token(t, c)
	hdr := map[string]string{"X-Auth-Token": tok, "X-Subject-Token": tok}
	if code, _ := call(t, c, "GET", "/identity/v3/auth/tokens", "", hdr, nil); code != 200 {
		t.Fatalf("fresh token: %d", code)
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("X-Auth-Token", tok)
	if _, err := c.Env().Auth(r); err != nil {
		t.Fatalf("service token check refused a fresh token: %v", err)
	}
	c.Advance(identity.DefaultTokenLifetime)
	if code, _ := call(t, c, "GET", "/identity/v3/auth/tokens", "", hdr, nil); code != 401 {
		t.Errorf("expired token: %d, want 401", code)
	}
	if _, err := c.Env().Auth(r); err == nil || err.Status != 401 {
		t.Errorf("service token check after expiry: %v, want 401", err)
	}
	project := strings.TrimPrefix(c.Identity().Tokens()[0].ProjectID, "")
	for _, path := range []string{"/compute/DFW/v2.1/" + project + "/servers", "/loadbalancers/ORD/v1.0/" + project + "/loadbalancers"} {
		if code, body := call(t, c, "GET", path, "", hdr, nil); code != 401 {
			t.Errorf("GET %s with an expired token: %d %s, want 401", path, code, body)
		}
	}
}

func TestWithoutAuth(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithoutAuth())
	if code, body := call(t, c, "GET", "/compute/DFW/v2.1/p1/servers", "", nil, nil); code != 200 {
		t.Errorf("compute without a token: %d %s, want 200", code, body)
	}
	if code, body := call(t, c, "GET", "/loadbalancers/DFW/v1.0/123/loadbalancers", "", nil, nil); code != 200 {
		t.Errorf("loadbalancer without a token: %d %s, want 200", code, body)
	}
	// Fastly checks its own key whatever the Cloud does.
	if code, _ := call(t, c, "GET", "/fastly/service", "", nil, nil); code != 401 {
		t.Errorf("fastly without a Fastly-Key: %d, want 401", code)
	}
}

func TestFaultsOverControlAPI(t *testing.T) {
	c := mockcloud.New(t)
	var added struct {
		ID     string `json:"id"`
		Op     string `json:"op"`
		Status int    `json:"status"`
		Times  int    `json:"times"`
		Hits   int    `json:"hits"`
	}
	code, body := call(t, c, "POST", "/mockcloud/v1/faults",
		`{"op":"identity.v3.tokens.create","status":503,"times":2}`, nil, &added)
	if code != 201 || added.ID == "" || added.Op != identity.OpV3CreateToken || added.Times != 2 {
		t.Fatalf("add fault = %d %s", code, body)
	}
	var statuses []int
	for i := 0; i < 3; i++ {
		code, _ := call(t, c, "POST", "/identity/v3/auth/tokens", v3Auth, nil, nil)
		statuses = append(statuses, code)
	}
	if diff := cmp.Diff([]int{503, 503, 201}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	var list struct {
		Faults []struct {
			ID   string `json:"id"`
			Hits int    `json:"hits"`
		} `json:"faults"`
	}
	call(t, c, "GET", "/mockcloud/v1/faults", "", nil, &list)
	if len(list.Faults) != 1 || list.Faults[0].Hits != 2 {
		t.Errorf("fault list = %+v", list)
	}
	if code, _ := call(t, c, "DELETE", "/mockcloud/v1/faults/"+added.ID, "", nil, nil); code != 204 {
		t.Errorf("delete fault = %d", code)
	}
	if code, _ := call(t, c, "DELETE", "/mockcloud/v1/faults/"+added.ID, "", nil, nil); code != 404 {
		t.Errorf("delete again = %d, want 404", code)
	}
	for _, bad := range []string{`{"status":42}`, `{"status":100}`, `{"delay":"later"}`, `{"probability":3}`, `[`, ``,
		`{"op":"identity.v3.tokens.create","code":503}`, `{"status":503,"paht":"/v3/*"}`, `{"status":503}}`} {
		if code, _ := call(t, c, "POST", "/mockcloud/v1/faults", bad, nil, nil); code != 400 {
			t.Errorf("add fault %s = %d, want 400", bad, code)
		}
	}
	call(t, c, "POST", "/mockcloud/v1/faults", `{"service":"identity","status":500}`, nil, nil)
	if code, _ := call(t, c, "DELETE", "/mockcloud/v1/faults", "", nil, nil); code != 204 || len(c.Faults()) != 0 {
		t.Errorf("clear faults = %d, %d left", code, len(c.Faults()))
	}
}

func TestJournalOverControlAPI(t *testing.T) {
	c := mockcloud.New(t)
	tok := token(t, c)
	call(t, c, "GET", "/identity/v3/auth/tokens", "", map[string]string{"X-Auth-Token": tok, "X-Subject-Token": "nope"}, nil)

	var out struct {
		Requests []fake.Request `json:"requests"`
	}
	call(t, c, "GET", "/mockcloud/v1/requests?service=identity", "", nil, &out)
	fake.CheckOps(t, out.Requests, identity.OpV3CreateToken, identity.OpV3ValidateToken)
	if len(out.Requests) == 2 && (out.Requests[0].Status != 201 || out.Requests[1].Status != 404 || !out.Requests[0].Time.Equal(c.Now())) {
		t.Errorf("journal entries = %+v", out.Requests)
	}
	call(t, c, "GET", "/mockcloud/v1/requests?op=identity.v3.tokens.validate", "", nil, &out)
	fake.CheckOps(t, out.Requests, identity.OpV3ValidateToken)
	if code, _ := call(t, c, "DELETE", "/mockcloud/v1/requests", "", nil, nil); code != 204 || len(c.Requests()) != 0 {
		t.Errorf("reset = %d, %d left", code, len(c.Requests()))
	}
	var health struct {
		Status   string   `json:"status"`
		Services []string `json:"services"`
	}
	call(t, c, "GET", "/mockcloud/v1/health", "", nil, &health)
	if health.Status != "ok" || !cmp.Equal(health.Services, []string{"compute/DFW", "compute/IAD", "compute/ORD", "compute/RegionOne", "fastly", "identity", "loadbalancer/DFW", "loadbalancer/IAD", "loadbalancer/ORD", "loadbalancer/RegionOne", "mesos"}) {
		t.Errorf("health = %+v", health)
	}

	// The names health lists filter the journal: "compute/DFW" is one
	// region of compute, "compute" all of them.
	call(t, c, "GET", "/compute/DFW/", "", nil, nil)
	call(t, c, "GET", "/compute/ORD/", "", nil, nil)
	regions := func(query string) []string {
		var out struct {
			Requests []fake.Request `json:"requests"`
		}
		call(t, c, "GET", "/mockcloud/v1/requests"+query, "", nil, &out)
		got := []string{}
		for _, r := range out.Requests {
			got = append(got, r.Service+"/"+r.Region)
		}
		return got
	}
	if diff := cmp.Diff([]string{"compute/DFW"}, regions("?service=compute/DFW")); diff != "" {
		t.Errorf("?service=compute/DFW (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"compute/DFW", "compute/ORD"}, regions("?service=compute")); diff != "" {
		t.Errorf("?service=compute (-want +got):\n%s", diff)
	}
	call(t, c, "DELETE", "/mockcloud/v1/requests?service=compute/DFW", "", nil, nil)
	if diff := cmp.Diff([]string{"compute/ORD"}, regions("?service=compute")); diff != "" {
		t.Errorf("after resetting compute/DFW (-want +got):\n%s", diff)
	}
}

func TestMimicIdentityBehaviorsAtRoot(t *testing.T) {
	c := mockcloud.New(t)
	var created struct{ ID string }
	code, _ := call(t, c, "POST", "/mimic/v1.1/IdentityControlAPI/behaviors/auth",
		`{"criteria":[{"username":"bad.*"}],"name":"fail","parameters":{"code":500,"message":"identity is down"}}`, nil, &created)
	if code != 201 || created.ID == "" {
		t.Fatalf("register behavior = %d", code)
	}
	code, body := call(t, c, "POST", "/identity/v2.0/tokens", `{"auth":{"passwordCredentials":{"username":"badguy","password":"x"}}}`, nil, nil)
	if code != 500 || !strings.Contains(body, "identity is down") {
		t.Errorf("auth as badguy = %d %s", code, body)
	}
	if code, _ := call(t, c, "POST", "/identity/v2.0/tokens", `{"auth":{"passwordCredentials":{"username":"goodguy","password":"x"}}}`, nil, nil); code != 200 {
		t.Errorf("auth as goodguy = %d", code)
	}
	if code, _ := call(t, c, "DELETE", "/mimic/v1.1/IdentityControlAPI/behaviors/auth/"+created.ID, "", nil, nil); code != 204 {
		t.Errorf("delete behavior = %d", code)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	c := mockcloud.New(t)
	c.Close()
	c.Close()
	if _, err := http.Get(c.URL()); err == nil {
		t.Error("server still answers after Close")
	}
}

func BenchmarkNewCloud(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tb := &benchTB{TB: b}
		mockcloud.New(tb)
		tb.cleanup()
	}
}

// benchTB runs cleanups when told, so one benchmark iteration starts and
// closes a whole Cloud.
type benchTB struct {
	testing.TB
	fns []func()
}

func (b *benchTB) Cleanup(f func()) { b.fns = append(b.fns, f) }
func (b *benchTB) cleanup() {
	for i := len(b.fns) - 1; i >= 0; i-- {
		b.fns[i]()
	}
	b.fns = nil
}

func BenchmarkAuthV3(b *testing.B) {
	c := mockcloud.New(b, mockcloud.WithJournalLimit(1024))
	client := c.Client()
	url := c.URL() + "/identity/v3/auth/tokens"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := client.Post(url, "application/json", strings.NewReader(v3Auth))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// TestFastlyMounted: Fastly answers at /fastly with its own key check, and
// shares the Cloud's journal.
func TestFastlyMounted(t *testing.T) {
	c := mockcloud.New(t)
	var svc struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	code, body := call(t, c, "POST", "/fastly/service", `{"name":"www"}`, map[string]string{"Fastly-Key": "k"}, &svc)
	if code != 200 || svc.ID == "" || svc.Name != "www" {
		t.Fatalf("create service = %d %s", code, body)
	}
	if code, _ := call(t, c, "GET", "/fastly/service/"+svc.ID, "", nil, nil); code != 401 {
		t.Errorf("no Fastly-Key: %d, want 401", code)
	}
	if got := fake.Ops(c.Requests("fastly")); len(got) != 2 {
		t.Errorf("journal = %v", got)
	}
}

// TestLoadBalancersInCatalog: a v2.0 token's catalog lists
// cloudLoadBalancers per region, and the endpoint works with the token.
func TestLoadBalancersInCatalog(t *testing.T) {
	c := mockcloud.New(t)
	var access struct {
		Access struct {
			Token struct {
				ID string `json:"id"`
			} `json:"token"`
			ServiceCatalog []struct {
				Name      string `json:"name"`
				Type      string `json:"type"`
				Endpoints []struct {
					Region    string `json:"region"`
					PublicURL string `json:"publicURL"`
				} `json:"endpoints"`
			} `json:"serviceCatalog"`
		} `json:"access"`
	}
	call(t, c, "POST", "/identity/v2.0/tokens", `{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"rack","apiKey":"k"}}}`, nil, &access)
	var url string
	for _, svc := range access.Access.ServiceCatalog {
		if svc.Name == "cloudLoadBalancers" && svc.Type == "rax:load-balancer" {
			for _, ep := range svc.Endpoints {
				if ep.Region == "ORD" {
					url = ep.PublicURL
				}
			}
		}
	}
	if url == "" {
		t.Fatalf("no cloudLoadBalancers endpoint in ORD: %+v", access.Access.ServiceCatalog)
	}
	path := strings.TrimPrefix(url, c.URL())
	tok := map[string]string{"X-Auth-Token": access.Access.Token.ID}
	if code, body := call(t, c, "GET", path+"/loadbalancers", "", tok, nil); code != 200 || !strings.Contains(body, `"loadBalancers"`) {
		t.Errorf("GET %s/loadbalancers = %d %s", path, code, body)
	}
	if code, _ := call(t, c, "GET", path+"/loadbalancers", "", nil, nil); code != 401 {
		t.Errorf("without a token: %d, want 401", code)
	}
}

// TestMesosMounted: the master answers at /mesos, its legacy state and
// redirect know where they are mounted, and a scheduler subscribes.
func TestMesosMounted(t *testing.T) {
	c := mockcloud.New(t)
	var state struct {
		Slaves []struct {
			ID string `json:"id"`
		} `json:"slaves"`
	}
	if code, body := call(t, c, "GET", "/mesos/master/state", "", nil, &state); code != 200 || len(state.Slaves) == 0 {
		t.Fatalf("GET /mesos/master/state = %d %s", code, body)
	}
	client := *c.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(c.URL() + "/mesos/redirect")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 307 || !strings.Contains(resp.Header.Get("Location"), "/mesos") {
		t.Errorf("redirect = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ := http.NewRequest("POST", c.URL()+"/mesos/api/v1/scheduler",
		strings.NewReader(`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"test","name":"cloud-test"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err = c.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Mesos-Stream-Id") == "" {
		t.Fatalf("SUBSCRIBE = %d, stream id %q", resp.StatusCode, resp.Header.Get("Mesos-Stream-Id"))
	}
	// The first RecordIO frame is SUBSCRIBED.
	buf := make([]byte, 4096)
	n, _ := resp.Body.Read(buf)
	if !strings.Contains(string(buf[:n]), `"SUBSCRIBED"`) {
		t.Errorf("first frame = %q", buf[:n])
	}
}

// TestWithMount: an extra handler is served under its prefix (with or
// without the slashes around it), sees the path without the prefix, and is
// in the catalog and the help document.
func TestWithMount(t *testing.T) {
	echo := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			kit.WriteJSON(w, http.StatusOK, map[string]string{"service": name, "path": r.URL.Path})
		})
	}
	c := mockcloud.New(t,
		mockcloud.WithMount(mockcloud.Mount{Name: "queues", Prefix: "queues", Handler: echo("queues"),
			Catalog: []kit.CatalogService{{Type: "queuing", Name: "zaqar",
				Endpoints: []kit.CatalogEndpoint{{Region: "RegionOne", URL: "/queues/v2/{project_id}"}}}}}),
		mockcloud.WithMount(mockcloud.Mount{Name: "dns", Prefix: "/dns/", Handler: echo("dns")}),
	)
	for _, tc := range []struct{ path, service, sees string }{
		{"/queues/v2/p1/queues", "queues", "/v2/p1/queues"},
		{"/dns/v2/zones", "dns", "/v2/zones"},
	} {
		var got struct{ Service, Path string }
		if code, body := call(t, c, "GET", tc.path, "", nil, &got); code != 200 || got.Service != tc.service || got.Path != tc.sees {
			t.Errorf("GET %s = %d %s; want %s seeing %s", tc.path, code, body, tc.service, tc.sees)
		}
	}
	found := false
	for _, svc := range c.Identity().Catalog() {
		found = found || svc.Name == "zaqar"
	}
	if !found {
		t.Error("the extra service's catalog entry is missing")
	}
}

func TestMimicPresets(t *testing.T) {
	c := mockcloud.New(t)
	var presets map[string]map[string]string
	if code, body := call(t, c, "GET", "/mimic/v1.0/presets", "", nil, &presets); code != 200 {
		t.Fatalf("GET presets = %d %s", code, body)
	}
	for section, keys := range map[string][]string{
		"servers":       {"create_server_failure", "delete_server_failure", "server_error", "server_building"},
		"loadbalancers": {"lb_building", "lb_error_state", "lb_pending_update", "lb_pending_delete"},
	} {
		for _, k := range keys {
			if presets[section][k] == "" {
				t.Errorf("presets[%s][%s] missing", section, k)
			}
		}
	}
	if code, _ := call(t, c, "POST", "/mimic/v1.0/presets", "{}", nil, nil); code != 405 {
		t.Errorf("POST presets = %d, want 405", code)
	}
}
