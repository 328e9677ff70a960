package loadbalancer_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

func TestAddNodes(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	r := h.do("POST", lbPath(id, "/nodes"), `{"nodes":[
		{"address":"10.2.2.3","port":80,"condition":"ENABLED","type":"PRIMARY"},
		{"address":"web01.rackspacecloud.com","port":88,"condition":"ENABLED","weight":10,"type":"PRIMARY"}]}`)
	if r.status != 202 {
		t.Fatalf("add nodes: %d %s", r.status, r.body)
	}
	ids := h.nodeIDs(id)
	h.expect(r, 202, fmt.Sprintf(`{"nodes":[
		{"address":"10.2.2.3","id":%d,"port":80,"status":"ONLINE","condition":"ENABLED","weight":1,"type":"PRIMARY"},
		{"address":"web01.rackspacecloud.com","id":%d,"port":88,"status":"ONLINE","condition":"ENABLED","weight":10,"type":"PRIMARY"}]}`,
		ids[1], ids[2]))
	h.expect(h.do("GET", lbPath(id, "/nodes"), ""), 200, fmt.Sprintf(`{"nodes":[
		{"address":"10.1.1.1","id":%d,"port":80,"status":"ONLINE","condition":"ENABLED","weight":1,"type":"PRIMARY"},
		{"address":"10.2.2.3","id":%d,"port":80,"status":"ONLINE","condition":"ENABLED","weight":1,"type":"PRIMARY"},
		{"address":"web01.rackspacecloud.com","id":%d,"port":88,"status":"ONLINE","condition":"ENABLED","weight":10,"type":"PRIMARY"}]}`,
		ids[0], ids[1], ids[2]))
	h.expect(h.do("GET", lbPath(id, "/nodes?limit=1&offset=1"), ""), 200, fmt.Sprintf(`{"nodes":[
		{"address":"10.2.2.3","id":%d,"port":80,"status":"ONLINE","condition":"ENABLED","weight":1,"type":"PRIMARY"}]}`, ids[1]))
	h.expect(h.do("GET", lbPath(id, fmt.Sprintf("/nodes/%d", ids[1])), ""), 200, fmt.Sprintf(
		`{"node":{"address":"10.2.2.3","id":%d,"port":80,"status":"ONLINE","condition":"ENABLED","weight":1,"type":"PRIMARY"}}`, ids[1]))
}

func TestAddNodesErrors(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	node := func(addr string, port int) string {
		return fmt.Sprintf(`{"address":%q,"port":%d,"condition":"ENABLED"}`, addr, port)
	}
	many := make([]string, 26)
	for i := range many {
		many[i] = node(fmt.Sprintf("10.3.0.%d", i+1), 80)
	}
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"no body", ``, 400, `{"message":"JSON does not match the expected schema","code":400,"details":"The request body is empty; a JSON object is required."}`},
		{"status given", `{"nodes":[{"address":"10.1.1.9","port":80,"condition":"ENABLED","status":"OFFLINE"}]}`, 400,
			`{"message":"JSON does not match the expected schema","code":400,"details":"unknown field \"status\""}`},
		{"bad condition", `{"nodes":[{"address":"10.1.1.9","port":80,"condition":"UP"}]}`, 400,
			`{"message":"JSON does not match the expected schema","code":400,"details":"condition \"UP\" is not one of ENABLED, DISABLED, DRAINING"}`},
		{"missing members", `{"nodes":[{"weight":0}]}`, 400, validation(
			"Node weight is invalid. Range is 1-100. Please specify a valid weight.",
			"Must provide a valid ip for the node.",
			"Must provide a valid port for the node.",
			"Must provide a valid condition for the node.")},
		{"more than 25", `{"nodes":[` + strings.Join(many, ",") + `]}`, 400,
			validation("Must not provide more than twenty five nodes per load balancer.")},
		{"duplicate in request", `{"nodes":[` + node("10.5.5.5", 80) + `,` + node("10.5.5.5", 80) + `]}`, 400,
			validation("Duplicate nodes detected. Please ensure that the ip address and port are unique for each node.")},
		{"already there", `{"nodes":[` + node("10.1.1.1", 80) + `]}`, 422,
			fault(422, "Duplicate nodes detected. One or more nodes already configured on load balancer.")},
		{"virtual ip as node", `{"nodes":[` + node("198.18.0.1", 80) + `]}`, 400,
			fault(400, "Invalid node address. The load balancer's virtual ip or host end point address cannot be used as a node address.")},
		{"over the limit", `{"nodes":[` + strings.Join(many[:25], ",") + `]}`, 413,
			fault(413, "Nodes must not exceed 25 per load balancer.")},
		{"secondary without monitor", `{"nodes":[{"address":"10.1.1.9","port":80,"condition":"ENABLED","type":"SECONDARY"}]}`, 400,
			fault(400, "you must enable health monitoring to use secondary nodes")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.expect(h.do("POST", lbPath(id, "/nodes"), tc.body), tc.status, tc.want)
		})
	}
	h.expect(h.do("POST", "/loadbalancers/123/nodes", `{"nodes":[`+node("10.1.1.1", 80)+`]}`), 404, fault(404, "Load balancer not found"))
	if n := len(h.nodeIDs(id)); n != 1 {
		t.Errorf("%d nodes after failed adds, want 1", n)
	}
}

// Update errors as Mimic verified them against the service: schema errors
// first, then validation, then existence.
func TestUpdateNode(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	nid := h.nodeIDs(id)[0]
	path := lbPath(id, fmt.Sprintf("/nodes/%d", nid))
	schema := func(detail string) string {
		return fmt.Sprintf(`{"message":"JSON does not match the expected schema","code":400,"details":%q}`, detail)
	}
	for _, body := range []string{
		`{"node":{"weight":1,"hockey":"stick"}}`,
		`{"node":{"weight":1,"status":"OFFLINE"}}`,
		`{"node":{"weight":1},"other":"garbage"}`,
		`{"node":[]}`, `{"node":1}`, `{"nodes":{"weight":1}}`, `[]`, `not JSON`,
		`{"node":{"weight":"not a number","address":"1.1.1.1"}}`,
		`{"node":{"condition":"INVALID","id":1}}`,
		`{"node":{"type":"INVALID","weight":1000}}`,
	} {
		for _, p := range []string{path, lbPath(id, "/nodes/1"), "/loadbalancers/1/nodes/1"} {
			r := h.do("PUT", p, body)
			if r.status != 400 || !strings.Contains(r.body, `"message":"JSON does not match the expected schema"`) {
				t.Errorf("PUT %s %s = %d %s, want the schema error", p, body, r.status, r.body)
			}
		}
	}
	h.expect(h.do("PUT", path, `{"node":{"weight":"x"}}`), 400, schema(`"x" is not an integer`))
	h.expect(h.do("PUT", "/loadbalancers/1/nodes/1", `{"node":{"weight":1000,"address":"1.1.1.1","port":80,"type":"PRIMARY","id":12345}}`), 400, validation(
		"Node ip field cannot be modified.", "Port field cannot be modified.",
		"Node weight is invalid. Range is 1-100. Please specify a valid weight.", "Node id field cannot be modified."))
	h.expect(h.do("PUT", "/loadbalancers/1/nodes/1", `{"node":{"weight":1}}`), 404, fault(404, "Load balancer not found"))
	h.expect(h.do("PUT", lbPath(id, "/nodes/1"), `{"node":{"weight":1}}`), 404,
		fault(404, fmt.Sprintf("Node with id #1 not found for loadbalancer #%d", id)))

	h.expect(h.do("PUT", path, `{"node":{"condition":"DISABLED","weight":100}}`), 202, "")
	h.srv.CheckNodes(t, id, loadbalancer.Node{Address: "10.1.1.1", Port: 80, Condition: "DISABLED", Status: "ONLINE", Weight: 100, Type: "PRIMARY"})

	// The node feed Mimic serves shows the creation and the update.
	r := h.do("GET", path+".atom", "")
	h.expect(r, 200, `<feed xmlns="http://www.w3.org/2005/Atom">`+
		`<entry><summary>Node successfully created with address: &#39;10.1.1.1&#39;, port: &#39;80&#39;, condition: &#39;ENABLED&#39;, weight: &#39;1&#39;</summary><updated>2026-01-01T00:00:00.000000Z</updated></entry>`+
		`<entry><summary>Node successfully updated with address: &#39;10.1.1.1&#39;, port: &#39;80&#39;, weight: &#39;100&#39;, condition: &#39;DISABLED&#39;</summary><updated>2026-01-01T00:00:00.000000Z</updated></entry>`+
		`</feed>`)
	if ct := r.header.Get("Content-Type"); ct != "application/atom+xml" {
		t.Errorf("feed Content-Type = %q", ct)
	}
	h.expect(h.do("GET", lbPath(id, "/nodes/0.atom"), ""), 404, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<itemNotFound xmlns="http://docs.openstack.org/loadbalancers/api/v1.0" code="404"><message>Node not found</message></itemNotFound>`)
}

// The node feed answers every failure as an XML fault, as it does its own
// 404 and 410: an injected fault, routing's 405 and a handler's panic. The
// rest of the API keeps the JSON body.
func TestNodeFeedFaultsAreXML(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	feed := lbPath(id, fmt.Sprintf("/nodes/%d.atom", h.nodeIDs(id)[0]))
	const head = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
	const ns = `xmlns="http://docs.openstack.org/loadbalancers/api/v1.0"`
	expectXML := func(r response, status int, want string) {
		t.Helper()
		h.expect(r, status, want)
		if ct := r.header.Get("Content-Type"); ct != "application/xml" {
			t.Errorf("%d: Content-Type = %q, want application/xml", status, ct)
		}
	}

	h.srv.Inject(fake.Fault{Op: loadbalancer.OpGetNodeFeed, Status: 503, Times: 1})
	expectXML(h.do("GET", feed, ""), 503, head+`<serviceUnavailable `+ns+` code="503">`+
		`<message>Service Unavailable (injected by mockcloud)</message></serviceUnavailable>`)
	h.expect(h.do("GET", feed, ""), 200, "*")

	h.srv.Inject(fake.Fault{Op: loadbalancer.OpGetNodeFeed, Status: 413, Times: 1})
	expectXML(h.do("GET", feed, ""), 413, head+`<overLimit `+ns+` code="413">`+
		`<message>Request Entity Too Large (injected by mockcloud)</message></overLimit>`)

	expectXML(h.do("POST", feed, ""), 405, head+`<loadBalancerFault `+ns+` code="405">`+
		`<message>The method POST is not allowed for this resource.</message></loadBalancerFault>`)

	h.srv.Intercept(loadbalancer.OpGetNodeFeed, func(kit.Handler) kit.Handler {
		return func(*kit.Call) (kit.Reply, error) { panic("<boom> & more") }
	})
	expectXML(h.do("GET", feed, ""), 500, head+`<loadBalancerFault `+ns+` code="500">`+
		`<message>The server has either erred or is incapable of performing the requested operation `+
		`(loadbalancer.nodes.feed panicked: &lt;boom&gt; &amp; more).</message></loadBalancerFault>`)
	h.srv.Intercept(loadbalancer.OpGetNodeFeed, nil)

	expectXML(h.do("GET", lbPath(id, "/nodes/0.atom"), ""), 404, head+`<itemNotFound `+ns+` code="404">`+
		`<message>Node not found</message></itemNotFound>`)
	expectXML(h.do("GET", lbPath(1, "/nodes/0.atom"), ""), 404, head+`<itemNotFound `+ns+` code="404">`+
		`<message>Load balancer not found</message></itemNotFound>`)

	// The same faults elsewhere are JSON.
	h.srv.Inject(fake.Fault{Op: loadbalancer.OpGetNode, Status: 503, Times: 1})
	h.expect(h.do("GET", strings.TrimSuffix(feed, ".atom"), ""), 503, fault(503, "Service Unavailable (injected by mockcloud)"))
	h.expect(h.do("POST", strings.TrimSuffix(feed, ".atom"), ""), 405, fault(405, "The method POST is not allowed for this resource."))
}

func TestBulkUpdateNodes(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	nid := h.nodeIDs(id)[0]
	h.expect(h.do("PUT", lbPath(id, "/nodes"), fmt.Sprintf(`{"nodes":[{"id":%d,"condition":"DRAINING","weight":7}]}`, nid)), 202,
		fmt.Sprintf(`{"nodes":[{"status":"ONLINE","metadata":[],"address":"10.1.1.1","id":%d,"type":"PRIMARY","port":80,"weight":7,"condition":"DRAINING"}]}`, nid))
	h.expect(h.do("PUT", lbPath(id, "/nodes"), `{"nodes":[{"id":5,"weight":7}]}`), 404,
		fault(404, fmt.Sprintf("Node with id #5 not found for loadbalancer #%d", id)))
	h.expect(h.do("PUT", lbPath(id, "/nodes"), `{"nodes":[{"weight":7}]}`), 400,
		validation("Must provide a node id for each node to update."))
}

func TestDeleteNodes(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	var body []string
	for i := 2; i <= 11; i++ {
		body = append(body, fmt.Sprintf(`{"address":"10.1.1.%d","port":80,"condition":"ENABLED"}`, i))
	}
	r := h.do("POST", lbPath(id, "/nodes"), `{"nodes":[`+strings.Join(body, ",")+`]}`)
	h.expect(r, 202, `{"nodes":`+nodesJSON(h, id, 1)+`}`)
	ids := h.nodeIDs(id)
	query := func(ids ...int) string {
		parts := make([]string, len(ids))
		for i, n := range ids {
			parts[i] = fmt.Sprintf("id=%d", n)
		}
		return "?" + strings.Join(parts, "&")
	}
	h.expect(h.do("DELETE", lbPath(id, "/nodes"), ""), 400, fault(400, "Must supply one or more id's to process this request."))
	h.expect(h.do("DELETE", "/loadbalancers/1/nodes"+query(ids[0]), ""), 404, fault(404, "Load balancer not found"))
	h.expect(h.do("DELETE", lbPath(id, "/nodes")+query(ids[0], 1000000, 1000001), ""), 400,
		validation("Node ids 1000000,1000001 are not a part of your loadbalancer"))
	h.expect(h.do("DELETE", lbPath(id, "/nodes")+query(ids...), ""), 400,
		validation("Request to delete 11 nodes exceeds the account limit BATCH_DELETE_LIMIT of 10 please attempt to delete fewer then 10 nodes"))
	h.expect(h.do("DELETE", lbPath(id, "/nodes")+query(ids[1:4]...), ""), 202, "")
	if got := len(h.nodeIDs(id)); got != 8 {
		t.Errorf("%d nodes left, want 8", got)
	}
	h.expect(h.do("DELETE", lbPath(id, fmt.Sprintf("/nodes/%d", ids[0])), ""), 202, "")
	h.expect(h.do("DELETE", lbPath(id, fmt.Sprintf("/nodes/%d", ids[0])), ""), 404,
		fault(404, fmt.Sprintf("Node with id #%d not found for loadbalancer #%d", ids[0], id)))
	h.expect(h.do("GET", lbPath(id, fmt.Sprintf("/nodes/%d", ids[0])), ""), 404, fault(404, "Node not found"))
}

// nodesJSON renders the nodes of a load balancer from skip on, as the add
// answer shows them.
func nodesJSON(h *harness, id, skip int) string {
	lb, _ := h.srv.LoadBalancer(id)
	var parts []string
	for _, n := range lb.Nodes[skip:] {
		parts = append(parts, fmt.Sprintf(`{"address":%q,"id":%d,"port":%d,"status":%q,"condition":%q,"weight":%d,"type":%q}`,
			n.Address, n.ID, n.Port, n.Status, n.Condition, n.Weight, n.Type))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// Batch deletes on a load balancer that is not ACTIVE answer 422 with the
// API's own message, even when some IDs are bad; an empty list is still 400.
func TestBatchDeleteNodesNotActive(t *testing.T) {
	h := newHarness(t)
	id := h.create(simpleLB)
	h.expect(h.do("DELETE", lbPath(id, "/nodes?id=100&id=200"), ""), 422, fault(422, "LoadBalancer is not ACTIVE"))
	h.expect(h.do("DELETE", lbPath(id, "/nodes"), ""), 400, fault(400, "Must supply one or more id's to process this request."))
}

func TestNodeEvents(t *testing.T) {
	h := instant(t)
	id := h.create(`{"loadBalancer":{"name":"x","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],
		"healthMonitor":{"type":"CONNECT","delay":10,"timeout":10,"attemptsBeforeDeactivation":3},
		"nodes":[{"address":"10.1.1.1","port":80,"condition":"ENABLED"}]}}`)
	nid := h.nodeIDs(id)[0]
	h.srv.Clock().Advance(10 * time.Second) // the first check passes
	h.srv.Clock().Advance(time.Minute)
	if err := h.srv.SetNodeStatus(id, nid, "OFFLINE"); err != nil {
		t.Fatal(err)
	}
	events := h.srv.NodeEvents(id)
	if len(events) != 2 {
		t.Fatalf("%d events, want 2: %+v", len(events), events)
	}
	event := func(e loadbalancer.NodeEvent, status, detail, at string) string {
		return fmt.Sprintf(`{"nodeId":%d,"detailedMessage":%q,"callbackHost":"ztm-n01.dfw1.lbaas.mockcloud.test",
			"accountId":123456,"loadbalancerId":%d,"severity":"INFO","author":"Rackspace Cloud","created":%q,"category":"UPDATE",
			"relativeUri":"/123456/loadbalancers/%d/nodes/%d/events",
			"description":"Node '%d' status changed to '%s' for load balancer '%d'",
			"title":"Node Status Updated","id":%d,"type":"UPDATE_NODE"}`,
			nid, detail, id, at, id, nid, nid, status, id, e.ID)
	}
	h.expect(h.do("GET", lbPath(id, "/nodes/events"), ""), 200, `{"nodeServiceEvents":[`+
		event(events[1], "OFFLINE", "Connect failed", "2026-01-01T00:01:10Z")+`,`+
		event(events[0], "ONLINE", "Node is working", "2026-01-01T00:00:10Z")+`],"links":[]}`)
	h.expect(h.do("GET", lbPath(id, "/nodes/events?limit=1&offset=1"), ""), 200, `{"nodeServiceEvents":[`+
		event(events[0], "ONLINE", "Node is working", "2026-01-01T00:00:10Z")+`],"links":[]}`)
}
