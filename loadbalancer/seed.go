package loadbalancer

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
)

// AddLoadBalancer stores a load balancer directly, bypassing HTTP, faults,
// the API's business rules and limits, and returns the stored copy. Tenant
// is required; the fields the API validates (protocol, port, algorithm,
// timeout, name) must hold values it accepts. Defaults: protocol HTTP on
// its port, algorithm RANDOM, timeout 30, status ACTIVE, a PUBLIC IPv4 and
// IPv6 virtual IP when none is given; nodes ENABLED, ONLINE, PRIMARY,
// weight 1. Zero IDs are generated. A seeded status sticks: no transition
// is scheduled (a seeded BUILD stays BUILD until SetLoadBalancerStatus).
func (c *CLB) AddLoadBalancer(in LoadBalancer) (LoadBalancer, error) {
	in, err := checkSeed(in)
	if err != nil {
		return LoadBalancer{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.lbs[in.ID]; in.ID != 0 && taken {
		return LoadBalancer{}, fmt.Errorf("loadbalancer: load balancer %d exists", in.ID)
	}
	now := c.Now()
	lb := c.insertLocked(in, seedPlan(in.VirtualIPs), now, false)
	if lb.Status == StatusDeleted {
		c.enterLocked(lb, StatusDeleted, now)
	}
	return c.snapshotLocked(lb), nil
}

// checkSeed fills a seeded load balancer's defaults and validates its
// fields as the API validates a create's or an update's (validateFields).
func checkSeed(in LoadBalancer) (LoadBalancer, error) {
	if in.Tenant == "" {
		return in, fmt.Errorf("loadbalancer: a seeded load balancer needs a Tenant")
	}
	in = withDefaults(in)
	if !knownStatus(in.Status) {
		return in, fmt.Errorf("loadbalancer: %q is not a load balancer status", in.Status)
	}
	fields := fieldsOf(in)
	if msgs := validateFields(&fields); len(msgs) > 0 {
		return in, fmt.Errorf("loadbalancer: %s", strings.Join(msgs, " "))
	}
	return in, nil
}

// fieldsOf is a load balancer's own fields as a request body would give
// them (an empty name is left out: it is generated).
func fieldsOf(v LoadBalancer) lbBody {
	port, timeout := flexInt(v.Port), flexInt(v.Timeout)
	b := lbBody{Protocol: &v.Protocol, Algorithm: &v.Algorithm, Port: &port, Timeout: &timeout}
	if v.Name != "" {
		b.Name = &v.Name
	}
	return b
}

// seedPlan is the virtual IPs of a seeded load balancer: new addresses of
// the given types (PUBLIC IPv4 by default; an Address given is kept), or a
// PUBLIC IPv4 and IPv6 when there are none.
func seedPlan(vs []VirtualIP) vipPlan {
	if len(vs) == 0 {
		vs = []VirtualIP{{Type: "PUBLIC", IPVersion: "IPV4"}, {Type: "PUBLIC", IPVersion: "IPV6"}}
	}
	var p vipPlan
	for _, v := range vs {
		if v.Type == "" {
			v.Type = "PUBLIC"
		}
		if v.IPVersion == "" {
			v.IPVersion = "IPV4"
		}
		p.fresh = append(p.fresh, VirtualIP{Type: v.Type, IPVersion: v.IPVersion, Address: v.Address})
	}
	return p
}

// LoadBalancer returns a load balancer by ID, settled to the current time
// (DELETED ones too, until they are purged).
func (c *CLB) LoadBalancer(id int) (LoadBalancer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, ok := c.lbs[id]
	if !ok || !c.settleLocked(lb, c.Now()) {
		return LoadBalancer{}, false
	}
	return c.snapshotLocked(lb), true
}

// LoadBalancers returns every tenant's load balancers that are not
// DELETED, by ID.
func (c *CLB) LoadBalancers() []LoadBalancer {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []LoadBalancer
	for _, lb := range c.sortedLocked("", c.Now()) {
		if lb.Status != StatusDeleted {
			out = append(out, c.snapshotLocked(lb))
		}
	}
	return out
}

// Node returns a node of a load balancer, settled to the current time.
func (c *CLB) Node(lbID, nodeID int) (Node, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, ok := c.lbs[lbID]
	if !ok || !c.settleLocked(lb, c.Now()) {
		return Node{}, false
	}
	n := lb.node(nodeID)
	if n == nil {
		return Node{}, false
	}
	return n.snapshot(), true
}

// NodeEvents returns a load balancer's node service events, oldest first.
func (c *CLB) NodeEvents(lbID int) []NodeEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, ok := c.lbs[lbID]
	if !ok || !c.settleLocked(lb, c.Now()) {
		return nil
	}
	return append([]NodeEvent(nil), lb.nodeEvents...)
}

// CheckLoadBalancer reports, without stopping the test, a diff (-want
// +got) between want and the load balancer with want's ID, settled to the
// current time; opts tune the comparison (cmpopts.IgnoreFields …).
func (c *CLB) CheckLoadBalancer(t fake.TB, want LoadBalancer, opts ...cmp.Option) bool {
	t.Helper()
	lb, ok := c.LoadBalancer(want.ID)
	return fake.Check(t, fmt.Sprintf("loadbalancer: load balancer %d", want.ID), want, lb, ok, opts...)
}

// CheckStatus reports, without stopping the test, a load balancer whose
// status (settled to the current time) is not want.
func (c *CLB) CheckStatus(t fake.TB, id int, want string) bool {
	t.Helper()
	lb, ok := c.LoadBalancer(id)
	return fake.Check(t, fmt.Sprintf("loadbalancer: load balancer %d status", id), want, lb.Status, ok)
}

// CheckNodes reports, without stopping the test, a diff (-want +got)
// between a load balancer's nodes and want, in order. IDs and metadata are
// not compared.
func (c *CLB) CheckNodes(t fake.TB, lbID int, want ...Node) bool {
	t.Helper()
	lb, ok := c.LoadBalancer(lbID)
	strip := func(ns []Node) []Node {
		out := make([]Node, len(ns))
		for i, n := range ns {
			n.ID, n.Metadata = 0, nil
			out[i] = n
		}
		return out
	}
	return fake.Check(t, fmt.Sprintf("loadbalancer: load balancer %d nodes", lbID), strip(want), strip(lb.Nodes), ok)
}

// OverLimit is a fault that answers as Rackspace's rate limiter does when a
// client goes too fast: 413 with an overLimit body and a Retry-After
// header. Narrow it with Op, Method, Skip or Times before injecting it.
func OverLimit(retryAfter time.Time) fake.Fault {
	when := retryAfter.UTC().Format(time.RFC3339)
	return fake.Fault{
		Name:   "overLimit",
		Status: http.StatusRequestEntityTooLarge,
		Header: http.Header{"Retry-After": {retryAfter.UTC().Format(http.TimeFormat)}},
		Body: `{"overLimit":{"code":413,"message":"OverLimit Retry...","details":"Error Details...","retryAfter":"` +
			when + `"}}`,
	}
}
