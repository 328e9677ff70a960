package loadbalancer_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

// Mimic's control API at Mimic's paths, with Mimic's answers.
func TestMimicControlAPI(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	nid := h.nodeIDs(id)[0]
	attrs := fmt.Sprintf("//v2/%s/loadbalancer/%d/attributes", tenant, id)
	status := fmt.Sprintf("//v2/%s/loadbalancers/%d/nodes/%d/status", tenant, id, nid)
	h.run([]step{
		{"PATCH", attrs, `{"status": "PENDING_DELETE"}`, 204, ""},
		{"GET", lbPath(id), "", 200, "*"},
		{"PATCH", attrs, `{"status'": "ERROR"`, 400, fault(400, "Invalid JSON request body")},
		{"PATCH", attrs, `{"stats": "ERROR"}`, 400, fault(400, "Attempt to alter a bad attribute")},
		{"PATCH", attrs, `{"status": "KJDHSFLKJDSH"}`, 400, fault(400,
			"Unsupported status KJDHSFLKJDSH not one of ['ACTIVE', 'BUILD', 'ERROR', 'PENDING_DELETE', 'PENDING_UPDATE', 'SUSPENDED', 'DELETED']")},
		{"PATCH", fmt.Sprintf("//v2/%s/loadbalancer/%d/attributes", tenant, id+1000), `{"status": "ERROR"}`, 404,
			fault(404, fmt.Sprintf("Tenant %s doesn't own load balancer %d", tenant, id+1000))},
		{"PATCH", fmt.Sprintf("//v2/other/loadbalancer/%d/attributes", id), `{"status": "ERROR"}`, 404,
			fault(404, fmt.Sprintf("Tenant other doesn't own load balancer %d", id))},
	})
	h.srv.CheckStatus(t, id, loadbalancer.StatusPendingDelete)
	h.expect(h.do("PATCH", attrs, `{"status":"ACTIVE"}`), 204, "")

	h.run([]step{
		{"PUT", status, `{"status": "OFFLINE"}`, 200, ""},
		{"GET", lbPath(id, fmt.Sprintf("/nodes/%d", nid)), "", 200, fmt.Sprintf(
			`{"node":{"address":"10.1.1.1","id":%d,"port":80,"status":"OFFLINE","condition":"ENABLED","weight":1,"type":"PRIMARY"}}`, nid)},
		{"PUT", status, `bad json`, 400, fault(400, "Invalid JSON request body")},
		{"PUT", status, `{"bad": "value"}`, 400, fault(400, "status key not found or it must have ONLINE or OFFLINE value")},
		{"PUT", fmt.Sprintf("//v2/%s/loadbalancers/0/nodes/3/status", tenant), `{"status": "OFFLINE"}`, 404,
			fault(404, fmt.Sprintf("Tenant %s doesn't own load balancer 0", tenant))},
		{"PUT", fmt.Sprintf("//v2/%s/loadbalancers/%d/nodes/0/status", tenant, id), `{"status": "OFFLINE"}`, 404,
			fault(404, fmt.Sprintf("Load balancer %d on tenant %s does not have node 0", id, tenant))},
		{"PUT", status, `{"status": "ONLINE"}`, 200, ""},
	})
	if got := len(h.srv.NodeEvents(id)); got != 2 {
		t.Errorf("%d node events, want 2 (OFFLINE, ONLINE)", got)
	}
	// The API is served under Mimic's /v2 root too.
	h.expect(h.do("GET", fmt.Sprintf("//v2/%s/loadbalancers/%d/nodes", tenant, id), ""), 200, "*")
}

// Mimic's metadata presets, as Mimic's own tests use them.
func TestMimicPresets(t *testing.T) {
	withMeta := func(key, value string) string {
		return `{"loadBalancer":{"name":"test_lb","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],
			"metadata":[{"key":"` + key + `","value":` + value + `}]}}`
	}
	addNode := `{"nodes":[{"address":"127.0.0.1","port":80,"condition":"ENABLED","type":"PRIMARY"}]}`

	t.Run("lb_building", func(t *testing.T) {
		h := instant(t)
		id := h.create(withMeta("lb_building", "1"))
		h.srv.CheckStatus(t, id, "BUILD")
		h.expect(h.do("POST", lbPath(id, "/nodes"), addNode), 422,
			fault(422, fmt.Sprintf("Load Balancer '%d' has a status of 'BUILD' and is considered immutable.", id)))
		h.srv.Clock().Advance(time.Second)
		h.srv.CheckStatus(t, id, "ACTIVE")
	})
	t.Run("lb_building 0 means 10s", func(t *testing.T) {
		h := instant(t)
		id := h.create(withMeta("lb_building", "0"))
		h.srv.Clock().Advance(9 * time.Second)
		h.srv.CheckStatus(t, id, "BUILD")
		h.srv.Clock().Advance(time.Second)
		h.srv.CheckStatus(t, id, "ACTIVE")
	})
	t.Run("lb_pending_update", func(t *testing.T) {
		h := instant(t)
		id := h.create(withMeta("lb_pending_update", "30"))
		h.srv.CheckStatus(t, id, "ACTIVE")
		h.expect(h.do("POST", lbPath(id, "/nodes"), addNode), 202, "*")
		h.srv.CheckStatus(t, id, "PENDING_UPDATE")
		h.expect(h.do("DELETE", lbPath(id, "/nodes?id=100&id=200"), ""), 422, fault(422, "LoadBalancer is not ACTIVE"))
		h.expect(h.do("PUT", lbPath(id, fmt.Sprintf("/nodes/%d", h.nodeIDs(id)[0])), `{"node":{"weight":1}}`), 422,
			fault(422, fmt.Sprintf("Load Balancer '%d' has a status of 'PENDING_UPDATE' and is considered immutable.", id)))
		h.srv.Clock().Advance(30 * time.Second)
		h.srv.CheckStatus(t, id, "ACTIVE")
	})
	t.Run("lb_pending_delete", func(t *testing.T) {
		h := instant(t)
		id := h.create(withMeta("lb_pending_delete", "1"))
		h.expect(h.do("DELETE", lbPath(id), ""), 202, "")
		h.srv.CheckStatus(t, id, "PENDING_DELETE")
		h.expect(h.do("DELETE", lbPath(id), ""), 400,
			fault(400, fmt.Sprintf("Must provide valid load balancers: %d  are immutable and could not be processed.", id)))
		h.srv.Clock().Advance(time.Second)
		h.srv.CheckStatus(t, id, "DELETED")
		h.expect(h.do("GET", lbPath(id, "/nodes/123"), ""), 410, fault(410, "The loadbalancer is marked as deleted."))
		h.expect(h.do("GET", lbPath(id, "/nodes/123.atom"), ""), 410, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
			`<message xmlns="http://docs.openstack.org/loadbalancers/api/v1.0" code="410">The loadbalancer is marked as deleted.</message>`)
	})
	t.Run("lb_error_state", func(t *testing.T) {
		h := instant(t)
		id := h.create(withMeta("lb_error_state", `"error"`))
		h.expect(h.do("POST", lbPath(id, "/nodes"), addNode), 202, "*")
		h.srv.CheckStatus(t, id, "ERROR")
		h.expect(h.do("POST", lbPath(id, "/nodes"), addNode), 422,
			fault(422, fmt.Sprintf("Load Balancer '%d' has a status of 'ERROR' and is considered immutable.", id)))
	})
	t.Run("preset added later", func(t *testing.T) {
		h := instant(t)
		id := h.create(simpleLB)
		h.expect(h.do("POST", lbPath(id, "/metadata"), `{"metadata":[{"key":"lb_pending_update","value":"60"}]}`), 200, "*")
		h.expect(h.do("PUT", lbPath(id), `{"loadBalancer":{"name":"renamed"}}`), 202, "")
		h.srv.Clock().Advance(59 * time.Second)
		h.srv.CheckStatus(t, id, "PENDING_UPDATE")
		h.srv.Clock().Advance(time.Second)
		h.srv.CheckStatus(t, id, "ACTIVE")
	})
}

// Behaviors in a table: what a client sees after one change.
func TestBehaviors(t *testing.T) {
	tests := []struct {
		name     string
		behavior loadbalancer.Behavior
		after    time.Duration // time after the change
		want     string
	}{
		{"default", loadbalancer.Behavior{}, 0, "ACTIVE"},
		{"slow update", loadbalancer.Behavior{PendingUpdate: time.Minute}, 59 * time.Second, "PENDING_UPDATE"},
		{"slow update done", loadbalancer.Behavior{PendingUpdate: time.Minute}, time.Minute, "ACTIVE"},
		{"stuck update", loadbalancer.Behavior{StuckPendingUpdate: true}, 24 * time.Hour, "PENDING_UPDATE"},
		{"error on change", loadbalancer.Behavior{ErrorOnChange: true}, time.Hour, "ERROR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := instant(t)
			if _, err := h.srv.AddCreateBehavior(loadbalancer.CreateBehavior{Tenant: tenant, Name: "web-.*", Behavior: tc.behavior}); err != nil {
				t.Fatal(err)
			}
			id := h.create(`{"loadBalancer":{"name":"web-1","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}]}}`)
			other := h.create(`{"loadBalancer":{"name":"db-1","protocol":"MYSQL","virtualIps":[{"type":"SERVICENET"}]}}`)
			for _, lb := range []int{id, other} {
				h.expect(h.do("PUT", lbPath(lb), `{"loadBalancer":{"timeout":60}}`), 202, "")
			}
			h.srv.Clock().Advance(tc.after)
			h.srv.CheckStatus(t, id, tc.want)
			h.srv.CheckStatus(t, other, "ACTIVE") // the name does not match
		})
	}

	h := newHarness(t)
	id := h.create(simpleLB)
	if err := h.srv.SetBehavior(id, loadbalancer.Behavior{Build: time.Hour}); err != nil {
		t.Fatal(err)
	}
	h.srv.Clock().Advance(10 * time.Second) // the build was scheduled at creation
	h.srv.CheckStatus(t, id, "ACTIVE")
	if err := h.srv.ScheduleLoadBalancerStatus(id, "ERROR", time.Minute); err != nil {
		t.Fatal(err)
	}
	h.srv.Clock().Advance(time.Minute)
	h.srv.CheckStatus(t, id, "ERROR")
	if err := h.srv.SetLoadBalancerStatus(id, "active"); err != nil {
		t.Fatal(err)
	}
	h.srv.CheckStatus(t, id, "ACTIVE")
	for _, err := range []error{
		h.srv.SetLoadBalancerStatus(id, "BROKEN"), h.srv.SetLoadBalancerStatus(1, "ACTIVE"), h.srv.ScheduleLoadBalancerStatus(id, "ACTIVE", -1),
		h.srv.SetNodeStatus(id, 1, "OFFLINE"), h.srv.SetNodeStatus(id, h.nodeIDs(id)[0], "DOWN"),
		h.srv.SetNodeCondition(id, h.nodeIDs(id)[0], "OFF"), h.srv.SetBehavior(id, loadbalancer.Behavior{Build: -1}),
	} {
		if err == nil {
			t.Error("a bad control call returned no error")
		}
	}
	if _, err := h.srv.AddCreateBehavior(loadbalancer.CreateBehavior{Name: "("}); err == nil {
		t.Error("a bad name criterion was accepted")
	}
	if err := h.srv.SetNodeCondition(id, h.nodeIDs(id)[0], "draining"); err != nil {
		t.Fatal(err)
	}
	h.srv.CheckNodes(t, id, loadbalancer.Node{Address: "10.1.1.1", Port: 80, Condition: "DRAINING", Status: "ONLINE", Weight: 1, Type: "PRIMARY"})
	b, err := h.srv.AddCreateBehavior(loadbalancer.CreateBehavior{})
	if err != nil {
		t.Fatal(err)
	}
	if !h.srv.RemoveCreateBehavior(b.ID) || h.srv.RemoveCreateBehavior(b.ID) {
		t.Error("RemoveCreateBehavior did not report removal once")
	}
}

// With authentication, the token's project must be the URL's tenant.
func TestTenantCheck(t *testing.T) {
	auth := func(r *http.Request) (kit.Principal, *kit.Error) {
		tok := r.Header.Get("X-Auth-Token")
		if !strings.HasPrefix(tok, "tok-") {
			return kit.Principal{}, kit.Errorf(http.StatusUnauthorized, "The request you have made requires authentication.")
		}
		return kit.Principal{Token: tok, ProjectID: strings.TrimPrefix(tok, "tok-")}, nil
	}
	srv := kittest.InCloud[*loadbalancer.CLB](t, loadbalancer.Descriptor(), kit.Env{Auth: auth}, dfw)
	c := kittest.New(t, srv.URL(), srv.Client())
	get := func(path, token string) response {
		method := "GET"
		if m, p, ok := strings.Cut(path, " "); ok {
			method, path = m, p
		}
		// An empty value sends no such header: no token, no Content-Type.
		return answer(c.Do(method, path, `{"status":"OFFLINE"}`, "X-Auth-Token", token, "Content-Type", ""))
	}
	for _, tc := range []struct {
		path, token string
		status      int
		want        string
	}{
		{"/v1.0/123/loadbalancers", "tok-123", 200, `{"loadBalancers":[]}`},
		{"/v1.0/123/loadbalancers", "tok-456", 401, fault(401, "The token is not authorized for tenant '123'.")},
		{"/v1.0/123/loadbalancers", "", 401, fault(401, "The request you have made requires authentication.")},
		// Mimic's control API takes no token.
		{"PUT /v2/123/loadbalancers/1/nodes/2/status", "", 404, fault(404, "Tenant 123 doesn't own load balancer 1")},
	} {
		r := get(tc.path, tc.token)
		if r.status != tc.status {
			t.Errorf("GET %s with %q = %d %s, want %d", tc.path, tc.token, r.status, r.body, tc.status)
			continue
		}
		checkBody(t, r, tc.want)
	}
}

// Generic faults are scoped to the service's region and recorded in the
// journal with the route's name.
func TestFaultsAndJournal(t *testing.T) {
	h := instant(t, fake.WithRegion("ORD"))
	h.srv.Inject(fake.Fault{Op: loadbalancer.OpAddNodes, Status: 503, Times: 1})
	over := h.srv.Inject(loadbalancer.OverLimit(time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)))
	over.Remove()
	limited := loadbalancer.OverLimit(time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC))
	limited.Op = loadbalancer.OpGetLoadBalancer
	limited.Times = 1
	h.srv.Inject(limited)

	id := h.create(simpleLB)
	node := `{"nodes":[{"address":"10.2.2.2","port":80,"condition":"ENABLED"}]}`
	h.expect(h.do("POST", lbPath(id, "/nodes"), node), 503, fault(503, "Service Unavailable (injected by mockcloud)"))
	h.expect(h.do("POST", lbPath(id, "/nodes"), node), 202, "*")
	r := h.do("GET", lbPath(id), "")
	h.expect(r, 413, `{"overLimit":{"code":413,"message":"OverLimit Retry...","details":"Error Details...","retryAfter":"2026-01-01T00:01:00Z"}}`)
	if got := r.header.Get("Retry-After"); got != "Thu, 01 Jan 2026 00:01:00 GMT" {
		t.Errorf("Retry-After = %q", got)
	}
	h.expect(h.do("GET", "/nothing/here", ""), 404, fault(404, "The resource could not be found."))

	var got []string
	for _, req := range h.srv.Requests() {
		got = append(got, fmt.Sprintf("%s %d %s", req.Op, req.Status, req.Region))
	}
	want := []string{
		"loadbalancer.loadbalancers.create 202 ORD", "loadbalancer.nodes.create 503 ORD",
		"loadbalancer.nodes.create 202 ORD", "loadbalancer.loadbalancers.get 413 ORD", " 404 ORD",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal mismatch (-want +got):\n%s", diff)
	}
}

func TestSeedingAndInspection(t *testing.T) {
	h := instant(t)
	lb, err := h.srv.AddLoadBalancer(loadbalancer.LoadBalancer{
		Tenant: tenant, Name: "seeded", Protocol: "HTTPS",
		Nodes:    []loadbalancer.Node{{Address: "10.0.0.5", Port: 443}},
		Metadata: []loadbalancer.Meta{{Key: "owner", Value: "ops"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if lb.ID == 0 || lb.Port != 443 || lb.Status != "ACTIVE" || len(lb.VirtualIPs) != 2 || lb.Nodes[0].ID == 0 || lb.Metadata[0].ID == 0 {
		t.Errorf("seeded: %+v", lb)
	}
	h.expect(h.do("GET", lbPath(lb.ID, "/nodes"), ""), 200, fmt.Sprintf(
		`{"nodes":[{"address":"10.0.0.5","id":%d,"port":443,"status":"ONLINE","condition":"ENABLED","weight":1,"type":"PRIMARY"}]}`, lb.Nodes[0].ID))
	h.srv.CheckLoadBalancer(t, lb) // the stored copy is what is stored
	// Copies, not the stored value.
	lb.Nodes[0].Address = "changed"
	if n, _ := h.srv.Node(lb.ID, lb.Nodes[0].ID); n.Address != "10.0.0.5" {
		t.Error("inspection returned shared state")
	}
	for _, bad := range []loadbalancer.LoadBalancer{{}, {Tenant: "t", Protocol: "GOPHER"}, {Tenant: "t", Protocol: "TCP"},
		{Tenant: "t", Status: "NAPPING"}, {Tenant: "t", ID: lb.ID},
		// The fields the API validates are validated alike (validateFields).
		{Tenant: "t", Algorithm: "FASTEST"}, {Tenant: "t", Timeout: 5}, {Tenant: "t", Port: 70000},
		{Tenant: "t", Name: strings.Repeat("n", 129)}} {
		if _, err := h.srv.AddLoadBalancer(bad); err == nil {
			t.Errorf("AddLoadBalancer(%+v) accepted", bad)
		}
	}
	for _, other := range h.srv.LoadBalancers() {
		if other.Tenant == "nobody" {
			t.Errorf("tenant nobody has load balancer %d", other.ID)
		}
	}
	if _, ok := h.srv.Node(lb.ID, 1); ok {
		t.Error("Node found an unknown node")
	}
	if h.srv.NodeEvents(1) != nil {
		t.Error("NodeEvents of an unknown load balancer")
	}

	// Check helpers report mismatches without stopping the test.
	rec := &recordingTB{}
	if h.srv.CheckStatus(rec, lb.ID, "ERROR") || h.srv.CheckNodes(rec, lb.ID) || h.srv.CheckStatus(rec, 1, "ACTIVE") ||
		h.srv.CheckLoadBalancer(rec, lb) || h.srv.CheckLoadBalancer(rec, loadbalancer.LoadBalancer{ID: 1}) {
		t.Error("a Check helper passed on a mismatch")
	}
	if len(rec.errors) != 5 {
		t.Errorf("Check helpers reported %d errors, want 5: %q", len(rec.errors), rec.errors)
	}
	if !strings.Contains(rec.errors[3], "(-want +got)") || !strings.Contains(rec.errors[3], `"changed"`) {
		t.Errorf("CheckLoadBalancer did not report a diff: %s", rec.errors[3])
	}
}

type recordingTB struct {
	fake.TB
	errors []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestOptions(t *testing.T) {
	clk := clock.New(time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC))
	mk := func() *loadbalancer.CLB {
		c, err := loadbalancer.NewUnstarted(fake.WithClock(clk), fake.WithSeed(42), fake.WithRegion("LON"),
			loadbalancer.WithAllowedDomains("example.net"))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := mk(), mk()
	defer a.Close()
	defer b.Close()
	if a.Region() != "LON" || a.Clock() != clk {
		t.Errorf("region %q, clock %p", a.Region(), a.Clock())
	}
	body := `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],
		"nodes":[{"address":"web.example.net","port":80,"condition":"ENABLED"}]}}`
	var ids []string
	for _, c := range []*loadbalancer.CLB{a, b} {
		rec := httptest.NewRecorder()
		c.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/v1.0/1/loadbalancers", strings.NewReader(body)))
		if rec.Code != 202 || !strings.Contains(rec.Body.String(), `"created":{"time":"2030-05-01T00:00:00Z"}`) ||
			!strings.Contains(rec.Body.String(), `"ztm-n01.lon1.lbaas.mockcloud.test"`) {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		ids = append(ids, rec.Body.String())
	}
	if ids[0] != ids[1] {
		t.Errorf("the same seed gave different answers:\n%s\n%s", ids[0], ids[1])
	}
}
