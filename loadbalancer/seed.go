package loadbalancer

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
)

// AddLoadBalancer stores a load balancer directly, bypassing HTTP, faults,
// validation and limits, and returns the stored copy. Tenant is required.
// Defaults: protocol HTTP on its port, algorithm RANDOM, timeout 30, status
// ACTIVE, a PUBLIC IPv4 and IPv6 virtual IP when none is given; nodes
// ENABLED, ONLINE, PRIMARY, weight 1. Zero IDs are generated. A seeded
// status sticks: no transition is scheduled (a seeded BUILD stays BUILD
// until SetStatus).
func (c *CLB) AddLoadBalancer(in LoadBalancer) (LoadBalancer, error) {
	if in.Tenant == "" {
		return LoadBalancer{}, fmt.Errorf("loadbalancer: a seeded load balancer needs a Tenant")
	}
	if in.Protocol == "" {
		in.Protocol = "HTTP"
	}
	port, ok := protocolPort(in.Protocol)
	if !ok {
		return LoadBalancer{}, fmt.Errorf("loadbalancer: unknown protocol %q", in.Protocol)
	}
	if in.Port == 0 {
		in.Port = port
	}
	if in.Port < 1 || in.Port > 65535 {
		return LoadBalancer{}, fmt.Errorf("loadbalancer: protocol %s needs a port", in.Protocol)
	}
	if in.Status == "" {
		in.Status = StatusActive
	}
	if !knownStatus(in.Status) {
		return LoadBalancer{}, fmt.Errorf("loadbalancer: %q is not a load balancer status", in.Status)
	}
	if in.Algorithm == "" {
		in.Algorithm = "RANDOM"
	}
	if in.Timeout == 0 {
		in.Timeout = 30
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if in.ID == 0 {
		c.seq.lb++
		in.ID = c.seq.lb
	} else if _, taken := c.lbs[in.ID]; taken {
		return LoadBalancer{}, fmt.Errorf("loadbalancer: load balancer %d exists", in.ID)
	}
	if in.Name == "" {
		in.Name = "lb-" + strconv.Itoa(in.ID)
	}
	if in.Cluster == "" {
		in.Cluster = c.clusterName()
	}
	if in.Created.IsZero() {
		in.Created = now
	}
	if in.Updated.IsZero() {
		in.Updated = in.Created
	}
	lb := &loadBalancer{LoadBalancer: in}
	lb.VirtualIPs, lb.Nodes = nil, nil
	lb.AccessList = append([]NetworkItem(nil), in.AccessList...)
	for i := range lb.AccessList {
		if lb.AccessList[i].ID == 0 {
			c.seq.item++
			lb.AccessList[i].ID = c.seq.item
		}
	}
	lb.Metadata = c.seedMetaLocked(in.Metadata)
	lb.CertificateMapping = append([]CertificateMapping(nil), in.CertificateMapping...)
	for i := range lb.CertificateMapping {
		if lb.CertificateMapping[i].ID == 0 {
			c.seq.cert++
			lb.CertificateMapping[i].ID = c.seq.cert
		}
	}
	if in.HealthMonitor != nil {
		hm := *in.HealthMonitor
		lb.HealthMonitor = &hm
	}
	if in.ConnectionThrottle != nil {
		ct := *in.ConnectionThrottle
		lb.ConnectionThrottle = &ct
	}
	if in.SSLTermination != nil {
		ssl := *in.SSLTermination
		lb.SSLTermination = &ssl
	}
	vips := in.VirtualIPs
	if len(vips) == 0 {
		vips = []VirtualIP{{Type: "PUBLIC", IPVersion: "IPV4"}, {Type: "PUBLIC", IPVersion: "IPV6"}}
	}
	for _, v := range vips {
		if v.Type == "" {
			v.Type = "PUBLIC"
		}
		if v.IPVersion == "" {
			v.IPVersion = "IPV4"
		}
		sv := c.allocateVIPLocked(in.Tenant, v.Type, v.IPVersion)
		if v.Address != "" {
			sv.Address = v.Address
		}
		sv.lbs[lb.ID] = true
		lb.vipIDs = append(lb.vipIDs, sv.ID)
	}
	for _, n := range in.Nodes {
		if n.ID == 0 {
			c.seq.node++
			n.ID = c.seq.node
		}
		if n.Condition == "" {
			n.Condition = ConditionEnabled
		}
		if n.Status == "" {
			n.Status = NodeOnline
		}
		if n.Weight == 0 {
			n.Weight = 1
		}
		if n.Type == "" {
			n.Type = NodePrimary
		}
		n.Metadata = c.seedMetaLocked(n.Metadata)
		lb.nodes = append(lb.nodes, &node{Node: n})
	}
	c.storeLocked(lb)
	if lb.Status == StatusDeleted {
		c.enterLocked(lb, StatusDeleted, now)
	}
	return c.snapshotLocked(lb), nil
}

func (c *CLB) seedMetaLocked(in []Meta) []Meta {
	out := append([]Meta(nil), in...)
	for i := range out {
		if out[i].ID == 0 {
			c.seq.meta++
			out[i].ID = c.seq.meta
		}
	}
	return out
}

// LoadBalancer returns a load balancer by ID, settled to the current time
// (DELETED ones too, until they are purged).
func (c *CLB) LoadBalancer(id int) (LoadBalancer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, ok := c.lbs[id]
	if !ok || !c.settleLocked(lb, c.now()) {
		return LoadBalancer{}, false
	}
	return c.snapshotLocked(lb), true
}

// LoadBalancers returns a tenant's load balancers that are not DELETED, by
// ID; with tenant "", every tenant's.
func (c *CLB) LoadBalancers(tenant string) []LoadBalancer {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []LoadBalancer
	for _, lb := range c.sortedLocked(tenant, c.now()) {
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
	if !ok || !c.settleLocked(lb, c.now()) {
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
	if !ok || !c.settleLocked(lb, c.now()) {
		return nil
	}
	return append([]NodeEvent(nil), lb.nodeEvents...)
}

// CheckStatus reports, without stopping the test, a load balancer whose
// status (settled to the current time) is not want.
func (c *CLB) CheckStatus(t fake.TB, id int, want string) bool {
	t.Helper()
	lb, ok := c.LoadBalancer(id)
	if !ok {
		t.Errorf("load balancer %d does not exist", id)
		return false
	}
	if diff := cmp.Diff(want, lb.Status); diff != "" {
		t.Errorf("load balancer %d status mismatch (-want +got):\n%s", id, diff)
		return false
	}
	return true
}

// CheckNodes reports, without stopping the test, a diff (-want +got)
// between a load balancer's nodes and want, in order. IDs and metadata are
// not compared.
func (c *CLB) CheckNodes(t fake.TB, lbID int, want ...Node) bool {
	t.Helper()
	lb, ok := c.LoadBalancer(lbID)
	if !ok {
		t.Errorf("load balancer %d does not exist", lbID)
		return false
	}
	strip := func(ns []Node) []Node {
		out := make([]Node, len(ns))
		for i, n := range ns {
			n.ID, n.Metadata = 0, nil
			out[i] = n
		}
		return out
	}
	if diff := cmp.Diff(strip(want), strip(lb.Nodes)); diff != "" {
		t.Errorf("load balancer %d nodes mismatch (-want +got):\n%s", lbID, diff)
		return false
	}
	return true
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
