package loadbalancer_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/loadbalancer"
)

// The create response of the guide's example request.
func TestCreateLoadBalancer(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", "/loadbalancers", simpleLB)
	lbs := h.srv.LoadBalancers()
	if len(lbs) != 1 {
		t.Fatalf("stored %d load balancers", len(lbs))
	}
	lb := lbs[0]
	if lb.Tenant != tenant {
		t.Errorf("stored for tenant %q, want %q", lb.Tenant, tenant)
	}
	v := lb.VirtualIPs
	h.expect(r, http.StatusAccepted, fmt.Sprintf(`{"loadBalancer":{
		"name":"a-new-loadbalancer","id":%d,"port":80,"protocol":"HTTP","halfClosed":false,
		"algorithm":"RANDOM","status":"BUILD","timeout":30,
		"cluster":{"name":"ztm-n01.dfw1.lbaas.mockcloud.test"},
		"nodes":[{"address":"10.1.1.1","id":%d,"port":80,"status":"ONLINE","condition":"ENABLED","weight":1,"type":"PRIMARY"}],
		"virtualIps":[
			{"address":"198.18.0.1","id":%d,"type":"PUBLIC","ipVersion":"IPV4"},
			{"address":"2001:0db8:0000:0000:0000:0000:0000:0001","id":%d,"type":"PUBLIC","ipVersion":"IPV6"}],
		"created":{"time":"2026-01-01T00:00:00Z"},"updated":{"time":"2026-01-01T00:00:00Z"},
		"sourceAddresses":{"ipv6Public":"2001:db8:ffff:1::1/64","ipv4Servicenet":"10.189.254.1","ipv4Public":"198.19.254.1"},
		"httpsRedirect":false,"connectionLogging":{"enabled":false},"contentCaching":{"enabled":false}}}`,
		lb.ID, lb.Nodes[0].ID, v[0].ID, v[1].ID))

	// BUILD lasts 10 seconds by default.
	h.srv.Clock().Advance(9 * time.Second)
	h.srv.CheckStatus(t, lb.ID, loadbalancer.StatusBuild)
	h.srv.Clock().Advance(time.Second)
	h.srv.CheckStatus(t, lb.ID, loadbalancer.StatusActive)
}

// Some clients send the load balancer without its wrapper; every optional
// feature can be set at creation.
func TestCreateLoadBalancerUnwrappedWithFeatures(t *testing.T) {
	h := instant(t)
	id := h.create(`{"name":"full","protocol":"HTTP","algorithm":"WEIGHTED_ROUND_ROBIN","timeout":"60",
		"virtualIps":[{"type":"SERVICENET"}],
		"nodes":[{"address":"10.1.1.1","port":"80","condition":"ENABLED","weight":5},
		         {"address":"10.1.1.2","port":80,"condition":"DRAINING","type":"SECONDARY"}],
		"healthMonitor":{"type":"HTTP","delay":10,"timeout":5,"attemptsBeforeDeactivation":3,"path":"/","statusRegex":"^[234][0-9][0-9]$"},
		"sessionPersistence":{"persistenceType":"HTTP_COOKIE"},
		"connectionThrottle":{"maxConnections":100,"minConnections":10,"maxConnectionRate":50,"rateInterval":60},
		"connectionLogging":{"enabled":true},"contentCaching":{"enabled":true},
		"accessList":[{"address":"206.160.163.21","type":"DENY"}],
		"metadata":[{"key":"color","value":"red"}]}`)
	lb, _ := h.srv.LoadBalancer(id)
	r := h.do("GET", lbPath(id), "")
	h.expect(r, http.StatusOK, fmt.Sprintf(`{"loadBalancer":{
		"name":"full","id":%d,"port":80,"protocol":"HTTP","halfClosed":false,
		"algorithm":"WEIGHTED_ROUND_ROBIN","status":"ACTIVE","timeout":60,
		"cluster":{"name":"ztm-n01.dfw1.lbaas.mockcloud.test"},
		"nodes":[{"address":"10.1.1.1","id":%d,"port":80,"status":"OFFLINE","condition":"ENABLED","weight":5,"type":"PRIMARY"},
		         {"address":"10.1.1.2","id":%d,"port":80,"status":"OFFLINE","condition":"DRAINING","weight":1,"type":"SECONDARY"}],
		"virtualIps":[{"address":"10.190.0.1","id":%d,"type":"SERVICENET","ipVersion":"IPV4"}],
		"sessionPersistence":{"persistenceType":"HTTP_COOKIE"},
		"connectionThrottle":{"maxConnections":100,"minConnections":10,"maxConnectionRate":50,"rateInterval":60},
		"healthMonitor":{"type":"HTTP","delay":10,"timeout":5,"attemptsBeforeDeactivation":3,"path":"/","statusRegex":"^[234][0-9][0-9]$"},
		"accessList":[{"address":"206.160.163.21","id":%d,"type":"DENY"}],
		"metadata":[{"id":%d,"key":"color","value":"red"}],
		"created":{"time":"2026-01-01T00:00:00Z"},"updated":{"time":"2026-01-01T00:00:00Z"},
		"sourceAddresses":{"ipv6Public":"2001:db8:ffff:1::1/64","ipv4Servicenet":"10.189.254.1","ipv4Public":"198.19.254.1"},
		"httpsRedirect":false,"connectionLogging":{"enabled":true},"contentCaching":{"enabled":true}}}`,
		id, lb.Nodes[0].ID, lb.Nodes[1].ID, lb.VirtualIPs[0].ID, lb.AccessList[0].ID, lb.Metadata[0].ID))

	// With a monitor, nodes are OFFLINE until the first check passes.
	h.srv.Clock().Advance(10 * time.Second)
	h.srv.CheckNodes(t, id,
		loadbalancer.Node{Address: "10.1.1.1", Port: 80, Condition: "ENABLED", Status: "ONLINE", Weight: 5, Type: "PRIMARY"},
		loadbalancer.Node{Address: "10.1.1.2", Port: 80, Condition: "DRAINING", Status: "ONLINE", Weight: 1, Type: "SECONDARY"})
}

func TestCreateLoadBalancerErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"empty body", ``, 400, `{"message":"JSON does not match the expected schema","code":400,
			"details":"The request body is empty; a JSON object is required."}`},
		{"not JSON", `{ bad request: }`, 400, `{"message":"JSON does not match the expected schema","code":400,
			"details":"invalid character 'b' looking for beginning of object key string (at byte 3)"}`},
		{"unknown member", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],"colour":"red"}}`, 400,
			`{"message":"JSON does not match the expected schema","code":400,"details":"unknown field \"colour\""}`},
		{"wrong type", `{"loadBalancer":{"name":"x","protocol":"HTTP","port":"eighty","virtualIps":[{"type":"PUBLIC"}]}}`, 400,
			`{"message":"JSON does not match the expected schema","code":400,"details":"\"eighty\" is not an integer"}`},
		{"bad vip type", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"PRIVATE"}]}}`, 400,
			`{"message":"JSON does not match the expected schema","code":400,"details":"virtualIps.type must be PUBLIC or SERVICENET"}`},
		{"nothing", `{"loadBalancer":{}}`, 400, validation(
			"Must provide a name for the load balancer.",
			"Must provide a valid protocol for the load balancer.",
			"Must provide at least one virtual ip for the load balancer.")},
		{"invalid values", `{"loadBalancer":{"name":"` + strings.Repeat("n", 129) + `","protocol":"GOPHER","algorithm":"FASTEST",
			"port":70000,"timeout":500,"id":5,"status":"ACTIVE","virtualIps":[]}}`, 400, validation(
			"Load balancer protocol is invalid. Please specify a valid protocol.",
			"Load balancer algorithm is invalid. Please specify a valid algorithm.",
			"Load balancer port is invalid. Please specify a valid port.",
			"Load balancer timeout is invalid. Please specify a valid timeout value.",
			"Load balancer id field cannot be modified.",
			"Load balancer status field cannot be modified.",
			"Load Balancer name must be less than or equal to 128",
			"Must have at least one virtual ip for the load balancer")},
		{"bad nodes", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],
			"nodes":[{"address":"10.1.1.1","port":80,"condition":"ENABLED"},{"address":"10.1.1.1","port":80,"condition":"ENABLED"},
			         {"address":"not an ip","port":0,"weight":101}]}}`, 400, validation(
			"Duplicate nodes detected. Please ensure that the ip address and port are unique for each node.",
			"Node ip is invalid. Please specify a valid ip.",
			"Node port is invalid. Please specify a valid port.",
			"Node weight is invalid. Range is 1-100. Please specify a valid weight.",
			"Must provide a valid condition for the node.")},
		{"ipv6 servicenet", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"SERVICENET","ipVersion":"IPV6"}]}}`, 400,
			validation("Must specify a valid IP type. IPv6 supports the 'PUBLIC' type only.")},
		{"shared and new", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"id":1,"type":"PUBLIC"}]}}`, 400,
			validation("Must specify either a shared or new virtual ip.")},
		{"ssl at create", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],"sslTermination":{}}}`, 400,
			validation("Please visit {account id}/loadbalancers/{load balancer id}/ssltermination to configure ssl termination.")},
		{"tcp needs a port", `{"loadBalancer":{"name":"x","protocol":"TCP","virtualIps":[{"type":"PUBLIC"}]}}`, 400,
			fault(400, "Must provide port for TCP and UDP protocols.")},
		{"half closed on http", `{"loadBalancer":{"name":"x","protocol":"HTTP","halfClosed":true,"virtualIps":[{"type":"PUBLIC"}]}}`, 400,
			fault(400, "Must provide valid protocol for half close support, please view documentation for more details. ")},
		{"https redirect on http", `{"loadBalancer":{"name":"x","protocol":"HTTP","httpsRedirect":true,"virtualIps":[{"type":"PUBLIC"}]}}`, 400,
			fault(400, "HTTPS Redirect can only be enabled for HTTPS load balancers using port 443.")},
		{"two ipv4", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"},{"type":"SERVICENET"}]}}`, 400,
			fault(400, "Cannot supply more than one IPV4 virtual ip.")},
		{"unknown shared vip", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"id":42}]}}`, 400,
			fault(400, "Shared virtual ip could not be found. Please provide a valid virtual ip id to process this request.")},
		{"secondary without monitor", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],
			"nodes":[{"address":"10.1.1.1","port":80,"condition":"ENABLED","type":"SECONDARY"}]}}`, 400,
			fault(400, "you must enable health monitoring to use secondary nodes")},
		{"http monitor on tcp", `{"loadBalancer":{"name":"x","protocol":"TCP","port":22,"virtualIps":[{"type":"PUBLIC"}],
			"healthMonitor":{"type":"HTTP","delay":10,"timeout":10,"attemptsBeforeDeactivation":3,"path":"/","statusRegex":"^2"}}}`, 400,
			fault(400, "Protocol must be HTTP for an HTTP health monitor.")},
		{"domain not allowed", `{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],
			"nodes":[{"address":"www.example.com","port":80,"condition":"ENABLED"}]}}`, 400,
			fault(400, "Invalid node address. The address 'www.example.com' is currently not accepted for this request.")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := instant(t)
			h.expect(h.do("POST", "/loadbalancers", tc.body), tc.status, tc.want)
			if n := len(h.srv.LoadBalancers()); n != 0 {
				t.Errorf("%d load balancers stored after a failed create", n)
			}
		})
	}
}

func TestCreateLoadBalancerLimitAndSharedVIP(t *testing.T) {
	h := instant(t, loadbalancer.WithAbsoluteLimits(loadbalancer.AbsoluteLimits{LoadBalancers: 2}))
	first := h.create(simpleLB)
	v4 := h.vips(first)[0]
	// Sharing a virtual IP needs another port.
	h.expect(h.do("POST", "/loadbalancers", fmt.Sprintf(`{"loadBalancer":{"name":"b","protocol":"HTTP","virtualIps":[{"id":%d}]}}`, v4.ID)),
		400, fault(400, "The requesting load balancer is in conflict with the shared virtual ip port/protocol combination. Please refer to documentation for more info."))
	second := h.create(fmt.Sprintf(`{"loadBalancer":{"name":"b","protocol":"HTTPS","virtualIps":[{"id":%d}]}}`, v4.ID))
	if got := h.vips(second); len(got) != 1 || got[0] != v4 {
		t.Errorf("shared VIPs = %+v, want [%+v]", got, v4)
	}
	h.expect(h.do("POST", "/loadbalancers", simpleLB), 413,
		fault(413, "Load balancer limit reached. Limit is set to '2'. Contact support if you would like to increase your limit."))

	// Another tenant cannot use it, nor see either load balancer.
	other := h.do("POST", "//v1.0/999/loadbalancers", fmt.Sprintf(`{"loadBalancer":{"name":"c","protocol":"FTP","virtualIps":[{"id":%d}]}}`, v4.ID))
	h.expect(other, 404, fault(404, "Invalid requesting account for the shared virtual ip."))
	h.expect(h.do("GET", "//v1.0/999"+lbPath(first), ""), 404, fault(404, "Load balancer not found"))
	h.expect(h.do("GET", "//v1.0/999/loadbalancers", ""), 200, `{"loadBalancers":[]}`)
}

func TestListLoadBalancers(t *testing.T) {
	h := instant(t)
	a := h.create(simpleLB)
	h.srv.Clock().Advance(time.Minute)
	b := h.create(`{"loadBalancer":{"name":"other","protocol":"TCP","port":22,"virtualIps":[{"type":"SERVICENET"}],
		"nodes":[{"address":"10.9.9.9","port":22,"condition":"ENABLED"}]}}`)
	la, _ := h.srv.LoadBalancer(a)
	lbb, _ := h.srv.LoadBalancer(b)
	summaryA := fmt.Sprintf(`{"name":"a-new-loadbalancer","id":%d,"protocol":"HTTP","port":80,"algorithm":"RANDOM","status":"ACTIVE",
		"nodeCount":1,"timeout":30,"virtualIps":[
			{"address":"198.18.0.1","id":%d,"type":"PUBLIC","ipVersion":"IPV4"},
			{"address":"2001:0db8:0000:0000:0000:0000:0000:0001","id":%d,"type":"PUBLIC","ipVersion":"IPV6"}],
		"created":{"time":"2026-01-01T00:00:00Z"},"updated":{"time":"2026-01-01T00:00:00Z"}}`, a, la.VirtualIPs[0].ID, la.VirtualIPs[1].ID)
	summaryB := fmt.Sprintf(`{"name":"other","id":%d,"protocol":"TCP","port":22,"algorithm":"RANDOM","status":"ACTIVE",
		"nodeCount":1,"timeout":30,"virtualIps":[{"address":"10.190.0.1","id":%d,"type":"SERVICENET","ipVersion":"IPV4"}],
		"created":{"time":"2026-01-01T00:01:00Z"},"updated":{"time":"2026-01-01T00:01:00Z"}}`, b, lbb.VirtualIPs[0].ID)

	tests := []struct {
		query  string
		status int
		want   string
	}{
		{"", 200, `{"loadBalancers":[` + summaryA + `,` + summaryB + `]}`},
		{"?limit=1", 200, `{"loadBalancers":[` + summaryA + `]}`},
		{"?offset=1", 200, `{"loadBalancers":[` + summaryB + `]}`},
		{fmt.Sprintf("?marker=%d", b), 200, `{"loadBalancers":[` + summaryB + `]}`},
		{"?name=other", 200, `{"loadBalancers":[` + summaryB + `]}`},
		{"?name=", 400, fault(400, "Must supply LoadBalancer name to process this request.")},
		{"?changes-since=2026-01-01T00:00:30Z", 200, `{"loadBalancers":[` + summaryB + `]}`},
		{"?changes-since=2025-12-31T19:00:30-0500", 200, `{"loadBalancers":[` + summaryB + `]}`},
		{"?changes-since=yesterday", 400, fault(400, "Date parameters must follow ISO-8601 format")},
		{"?status=DELETED", 200, `{"loadBalancers":[]}`},
		{"?nodeaddress=10.9.9.9", 200, fmt.Sprintf(`{"loadBalancers":[{"name":"other","id":%d,"status":"ACTIVE"}]}`, b)},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			h.expect(h.do("GET", "/loadbalancers"+tc.query, ""), tc.status, tc.want)
		})
	}
}

func TestUpdateLoadBalancer(t *testing.T) {
	h := newHarness(t)
	id := h.create(simpleLB)
	body := `{"loadBalancer":{"name":"sample-loadbalancer","algorithm":"ROUND_ROBIN","protocol":"HTTP","port":8080,"timeout":60}}`
	h.expect(h.do("PUT", lbPath(id), body), 422,
		fault(422, fmt.Sprintf("Load Balancer '%d' has a status of 'BUILD' and is considered immutable.", id)))
	h.srv.Clock().Advance(10 * time.Second)
	h.expect(h.do("PUT", lbPath(id), body), 202, "")
	h.srv.CheckStatus(t, id, loadbalancer.StatusPendingUpdate)
	h.expect(h.do("PUT", lbPath(id), body), 422,
		fault(422, fmt.Sprintf("Load Balancer '%d' has a status of 'PENDING_UPDATE' and is considered immutable.", id)))
	h.srv.Clock().Advance(5 * time.Second)
	lb, _ := h.srv.LoadBalancer(id)
	if lb.Status != "ACTIVE" || lb.Name != "sample-loadbalancer" || lb.Port != 8080 || lb.Timeout != 60 || lb.Algorithm != "ROUND_ROBIN" {
		t.Errorf("after update: %+v", lb)
	}
	// updated moves with every status change: back to ACTIVE at 15s.
	if want := time.Date(2026, 1, 1, 0, 0, 15, 0, time.UTC); !lb.Updated.Equal(want) {
		t.Errorf("updated = %v, want %v", lb.Updated, want)
	}

	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"nothing to change", `{"loadBalancer":{}}`, 400, validation(
			"The load balancer must have at least one of the following to update: name, algorithm, protocol, port, timeout, halfClosed, or httpsRedirect.")},
		{"read-only and sub-resources", `{"loadBalancer":{"name":"x","status":"ACTIVE","nodes":[{"address":"1.1.1.1","port":1,"condition":"ENABLED"}],"healthMonitor":{"type":"CONNECT"}}}`, 400, validation(
			"Load balancer status field cannot be modified.",
			"Please visit {account id}/loadbalancers/{load balancer id}/nodes to configure nodes.",
			"Please visit {account id}/loadbalancers/{load balancer id}/healthmonitor to configure your health monitor.")},
		{"half closed on http", `{"loadBalancer":{"halfClosed":true}}`, 400,
			fault(400, "Must provide valid protocol for half close support, please view documentation for more details. ")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.expect(h.do("PUT", lbPath(id), tc.body), tc.status, tc.want)
		})
	}
	h.expect(h.do("PUT", "/loadbalancers/1", `{"loadBalancer":{"name":"x"}}`), 404, fault(404, "Load balancer not found"))
	h.expect(h.do("PUT", "/loadbalancers/abc", `{"loadBalancer":{"name":"x"}}`), 404, fault(404, "Load balancer not found"))
}

// DELETE: PENDING_DELETE, then DELETED (still shown; sub-resources 410),
// then purged (404).
func TestDeleteLoadBalancer(t *testing.T) {
	h := newHarness(t, loadbalancer.WithDurations(loadbalancer.Durations{PendingDelete: 10 * time.Second, Purge: time.Hour}))
	id := h.create(simpleLB)
	h.expect(h.do("DELETE", lbPath(id), ""), 202, "")
	h.srv.CheckStatus(t, id, loadbalancer.StatusPendingDelete)
	h.expect(h.do("DELETE", lbPath(id), ""), 400,
		fault(400, fmt.Sprintf("Must provide valid load balancers: %d  are immutable and could not be processed.", id)))
	h.expect(h.do("POST", lbPath(id, "/nodes"), `{"nodes":[{"address":"10.2.2.2","port":80,"condition":"ENABLED"}]}`), 422,
		fault(422, fmt.Sprintf("Load Balancer '%d' has a status of 'PENDING_DELETE' and is considered immutable.", id)))

	h.srv.Clock().Advance(10 * time.Second)
	r := h.do("GET", lbPath(id), "")
	if r.status != 200 || !strings.Contains(r.body, `"status":"DELETED"`) || !strings.Contains(r.body, `"virtualIps":[]`) {
		t.Errorf("GET deleted = %d %s", r.status, r.body)
	}
	h.expect(h.do("GET", lbPath(id, "/nodes"), ""), 410, fault(410, "The loadbalancer is marked as deleted."))
	h.expect(h.do("GET", lbPath(id, "/healthmonitor"), ""), 410, fault(410, "The loadbalancer is marked as deleted."))
	h.expect(h.do("PUT", lbPath(id), `{"loadBalancer":{"name":"x"}}`), 422, fault(422, "The load balancer is deleted and considered immutable."))
	h.expect(h.do("DELETE", lbPath(id), ""), 400,
		fault(400, fmt.Sprintf("Must provide valid load balancers: %d  could not be found.", id)))
	h.expect(h.do("GET", "/loadbalancers", ""), 200, `{"loadBalancers":[]}`)
	if r := h.do("GET", "/loadbalancers?status=DELETED", ""); !strings.Contains(r.body, fmt.Sprint(id)) {
		t.Errorf("?status=DELETED = %s", r.body)
	}

	h.srv.Clock().Advance(time.Hour)
	h.expect(h.do("GET", lbPath(id), ""), 404, fault(404, "Load balancer not found"))
	if _, ok := h.srv.LoadBalancer(id); ok {
		t.Error("purged load balancer still inspectable")
	}
}

func TestBatchDeleteLoadBalancers(t *testing.T) {
	h := instant(t)
	a, b := h.create(simpleLB), h.create(simpleLB)
	ids := make([]string, 11)
	for i := range ids {
		ids[i] = fmt.Sprintf("id=%d", i+1)
	}
	h.expect(h.do("DELETE", "/loadbalancers", ""), 400, fault(400, "Must supply one or more id's to process this request."))
	h.expect(h.do("DELETE", "/loadbalancers?"+strings.Join(ids, "&"), ""), 400,
		fault(400, "Currently, the limit of accepted parameters is: 10 :please supply a valid parameter list."))
	h.expect(h.do("DELETE", fmt.Sprintf("/loadbalancers?id=%d&id=7", a), ""), 400,
		fault(400, "Must provide valid load balancers: 7  could not be found."))
	h.srv.CheckStatus(t, a, "ACTIVE") // all or nothing
	h.expect(h.do("DELETE", fmt.Sprintf("/loadbalancers?id=%d&id=%d", a, b), ""), 202, "")
	h.srv.CheckStatus(t, a, "DELETED")
	h.srv.CheckStatus(t, b, "DELETED")
}
