package loadbalancer

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the load balancer API.
const (
	OpListLoadBalancers        = "loadbalancer.loadbalancers.list"
	OpCreateLoadBalancer       = "loadbalancer.loadbalancers.create"
	OpBatchDeleteLoadBalancers = "loadbalancer.loadbalancers.batchdelete"
	OpGetLoadBalancer          = "loadbalancer.loadbalancers.get"
	OpUpdateLoadBalancer       = "loadbalancer.loadbalancers.update"
	OpDeleteLoadBalancer       = "loadbalancer.loadbalancers.delete"
)

func (c *CLB) loadBalancerRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpListLoadBalancers, Method: "GET", Path: "/loadbalancers", Handler: c.listLoadBalancers},
		{Op: OpCreateLoadBalancer, Method: "POST", Path: "/loadbalancers", Handler: c.createLoadBalancer},
		{Op: OpBatchDeleteLoadBalancers, Method: "DELETE", Path: "/loadbalancers", Handler: c.batchDeleteLoadBalancers},
		{Op: OpGetLoadBalancer, Method: "GET", Path: "/loadbalancers/{lb_id}", Handler: c.getLoadBalancer},
		{Op: OpUpdateLoadBalancer, Method: "PUT", Path: "/loadbalancers/{lb_id}", Handler: c.updateLoadBalancer},
		{Op: OpDeleteLoadBalancer, Method: "DELETE", Path: "/loadbalancers/{lb_id}", Handler: c.deleteLoadBalancer},
	}
}

// lbBody is a load balancer in a create or update request.
type lbBody struct {
	Name               *string          `json:"name"`
	Protocol           *string          `json:"protocol"`
	Port               *flexInt         `json:"port"`
	Algorithm          *string          `json:"algorithm"`
	Timeout            *flexInt         `json:"timeout"`
	HalfClosed         *flexBool        `json:"halfClosed"`
	HTTPSRedirect      *flexBool        `json:"httpsRedirect"`
	VirtualIPs         []vipBody        `json:"virtualIps"`
	Nodes              []nodeBody       `json:"nodes"`
	AccessList         []itemBody       `json:"accessList"`
	ConnectionLogging  *enabledBody     `json:"connectionLogging"`
	ContentCaching     *enabledBody     `json:"contentCaching"`
	ConnectionThrottle *throttleBody    `json:"connectionThrottle"`
	HealthMonitor      *monitorBody     `json:"healthMonitor"`
	SessionPersistence *persistenceBody `json:"sessionPersistence"`
	Metadata           []metaBody       `json:"metadata"`
	SSLTermination     json.RawMessage  `json:"sslTermination"`
	ID                 json.RawMessage  `json:"id"`
	Status             json.RawMessage  `json:"status"`
	Cluster            json.RawMessage  `json:"cluster"`
	Created            json.RawMessage  `json:"created"`
	Updated            json.RawMessage  `json:"updated"`
	NodeCount          json.RawMessage  `json:"nodeCount"`
	SourceAddresses    json.RawMessage  `json:"sourceAddresses"`
}

type enabledBody struct {
	Enabled *flexBool `json:"enabled"`
}

// on reports whether the switch is present and enabled.
func (e *enabledBody) on() bool { return e != nil && e.Enabled.get() }

// decodeLoadBalancer reads a create or update body: {"loadBalancer": {...}}
// or the object alone.
func decodeLoadBalancer(body []byte) (lbBody, error) {
	var in lbBody
	if err := decodeWrapped(body, "loadBalancer", true, &in); err != nil {
		return lbBody{}, err
	}
	if err := in.checkEnums(); err != nil {
		return lbBody{}, err
	}
	return in, nil
}

// checkEnums rejects enumerated members outside their sets the way the
// API's JSON binding does: as a schema error, before validation.
func (in *lbBody) checkEnums() error {
	for _, n := range in.Nodes {
		if err := n.checkEnums(); err != nil {
			return err
		}
	}
	for _, v := range in.VirtualIPs {
		if v.Type != nil && *v.Type != "PUBLIC" && *v.Type != "SERVICENET" {
			return schemaError("virtualIps.type must be PUBLIC or SERVICENET")
		}
	}
	for _, it := range in.AccessList {
		if err := it.checkEnums(); err != nil {
			return err
		}
	}
	return nil
}

// validateFields checks what create and update share: the values of the
// settable fields, and that read-only fields are absent.
func validateFields(in *lbBody) []string {
	var msgs []string
	add := func(ok bool, msg string) {
		if !ok {
			msgs = append(msgs, msg)
		}
	}
	if in.Protocol != nil {
		_, ok := protocolPort(*in.Protocol)
		add(ok, "Load balancer protocol is invalid. Please specify a valid protocol.")
	}
	if in.Algorithm != nil {
		add(validAlgorithm(*in.Algorithm), "Load balancer algorithm is invalid. Please specify a valid algorithm.")
	}
	add(!present(in.SSLTermination), "Please visit {account id}/loadbalancers/{load balancer id}/ssltermination to configure ssl termination.")
	if in.Port != nil {
		add(*in.Port >= 1 && *in.Port <= 65535, "Load balancer port is invalid. Please specify a valid port.")
	}
	if in.Timeout != nil {
		add(*in.Timeout >= 30 && *in.Timeout <= 120, "Load balancer timeout is invalid. Please specify a valid timeout value.")
	}
	add(!present(in.ID), "Load balancer id field cannot be modified.")
	add(!present(in.Status), "Load balancer status field cannot be modified.")
	add(!present(in.Cluster), "Load balancer cluster field cannot be modified.")
	add(!present(in.Created), "Load balancer created field cannot be modified.")
	add(!present(in.Updated), "Load balancer updated field cannot be modified.")
	if in.Name != nil {
		add(utf8.RuneCountInString(*in.Name) <= 128, "Load Balancer name must be less than or equal to 128")
	}
	return msgs
}

// validateCreate is the API's validation of a new load balancer.
func validateCreate(in *lbBody) []string {
	msgs := validateFields(in)
	add := func(ok bool, msg string) {
		if !ok {
			msgs = append(msgs, msg)
		}
	}
	// Create expectations.
	add(in.Name != nil, "Must provide a name for the load balancer.")
	if in.Name != nil {
		add(strings.TrimSpace(*in.Name) != "", "Load balancer name is invalid. Please specify a valid name")
	}
	add(in.Protocol != nil, "Must provide a valid protocol for the load balancer.")
	add(in.VirtualIPs != nil, "Must provide at least one virtual ip for the load balancer.")
	if in.VirtualIPs != nil {
		add(len(in.VirtualIPs) >= 1, "Must have at least one virtual ip for the load balancer")
		for _, v := range in.VirtualIPs {
			msgs = append(msgs, v.validate()...)
		}
	}
	if in.ConnectionLogging != nil {
		add(in.ConnectionLogging.Enabled != nil, "Must specify whether connection logging is enabled or not.")
	}
	if in.ContentCaching != nil {
		add(in.ContentCaching.Enabled != nil, "Must specify whether content caching is enabled or not.")
	}
	if in.AccessList != nil {
		add(len(in.AccessList) <= 100, "Must not provide more than one hundred access list items")
		for _, it := range in.AccessList {
			msgs = append(msgs, it.validate()...)
		}
	}
	if in.Nodes != nil {
		add(!duplicateNodes(in.Nodes), "Duplicate nodes detected. Please ensure that the ip address and port are unique for each node.")
		for _, n := range in.Nodes {
			msgs = append(msgs, n.validate(true)...)
		}
		add(len(in.Nodes) <= 25, "Must not provide more than twenty five nodes per load balancer.")
	}
	if in.Metadata != nil {
		msgs = append(msgs, validateMetas(in.Metadata, "load balancer")...)
	}
	if in.SessionPersistence != nil {
		msgs = append(msgs, in.SessionPersistence.validate()...)
	}
	if in.HealthMonitor != nil {
		msgs = append(msgs, in.HealthMonitor.validate()...)
	}
	if in.ConnectionThrottle != nil {
		msgs = append(msgs, in.ConnectionThrottle.validate(true)...)
	}
	return msgs
}

// ---- rules create, update and seeding share

// resolvePort is the port a load balancer of protocol listens on: the one
// given, or the protocol's default (0 when it has none).
func resolvePort(protocol string, given *flexInt) int {
	if given != nil {
		return int(*given)
	}
	port, _ := protocolPort(protocol)
	return port
}

// halfCloseAllowed says why half-closed connections cannot be enabled for
// a protocol, or nil.
func halfCloseAllowed(protocol string) error {
	if protocol != "TCP" && protocol != "TCP_CLIENT_FIRST" {
		return kit.BadRequest("Must provide valid protocol for half close support, please view documentation for more details. ")
	}
	return nil
}

// redirectAllowed says why HTTPS redirect cannot be enabled, or nil: it
// needs HTTPS on port 443 or, for an existing load balancer, SSL
// termination on secure port 443 for secure traffic only.
func redirectAllowed(protocol string, port int, ssl *SSLTermination, creating bool) error {
	switch {
	case protocol == "HTTPS" && port == 443:
		return nil
	case creating:
		return kit.BadRequest("HTTPS Redirect can only be enabled for HTTPS load balancers using port 443.")
	case ssl != nil && ssl.Enabled && ssl.SecureTrafficOnly && ssl.SecurePort == 443:
		return nil
	}
	return kit.BadRequest("HTTPS Redirect is only valid for load balancers using the HTTPS protocol, or load balancers with SSL Termination using secure port 443 and secure traffic only.")
}

// secondaryAllowed refuses a SECONDARY node on a load balancer without a
// health monitor.
func secondaryAllowed(typ *string, monitored bool) error {
	if typ != nil && *typ == NodeSecondary && !monitored {
		return kit.BadRequest("you must enable health monitoring to use secondary nodes")
	}
	return nil
}

// withDefaults fills what a new load balancer leaves out: protocol HTTP on
// its port, status ACTIVE, algorithm RANDOM, timeout 30.
func withDefaults(v LoadBalancer) LoadBalancer {
	if v.Protocol == "" {
		v.Protocol = "HTTP"
	}
	if v.Port == 0 {
		v.Port, _ = protocolPort(v.Protocol)
	}
	if v.Status == "" {
		v.Status = StatusActive
	}
	if v.Algorithm == "" {
		v.Algorithm = "RANDOM"
	}
	if v.Timeout == 0 {
		v.Timeout = 30
	}
	return v
}

// ---- create

// createLoadBalancer: parse, validate the body, then (under the lock) the
// business rules that need state, then apply.
func (c *CLB) createLoadBalancer(call *kit.Call) (kit.Reply, error) {
	in, err := decodeLoadBalancer(call.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := validation(validateCreate(&in)); err != nil {
		return kit.Reply{}, err
	}
	tenant := tenantOf(call)
	behavior := c.createBehavior(tenant, *in.Name)
	out, err := c.create(tenant, &in, behavior)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.JSON(http.StatusAccepted, lbDetailBody{LoadBalancer: out}), nil
}

func (c *CLB) create(tenant string, in *lbBody, b Behavior) (lbJSON, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.createLocked(tenant, in, b)
	if err != nil {
		return lbJSON{}, err
	}
	return c.renderDetail(c.snapshotLocked(lb)), nil
}

// createLocked applies the API's business rules to a validated body and
// stores the new load balancer, in BUILD for its build time.
func (c *CLB) createLocked(tenant string, in *lbBody, b Behavior) (*loadBalancer, error) {
	now := c.Now()
	if limit := c.cfg.limits.LoadBalancers; limit > 0 && c.countLocked(tenant, now) >= limit {
		return nil, overLimit("Load balancer limit reached. Limit is set to '%d'. Contact support if you would like to increase your limit.", limit)
	}
	port, err := in.checkRules()
	if err != nil {
		return nil, err
	}
	plan, err := c.planVIPsLocked(tenant, in.VirtualIPs, port)
	if err != nil {
		return nil, err
	}
	if err := c.checkAddresses(in, plan); err != nil {
		return nil, err
	}
	lb := c.insertLocked(in.loadBalancer(tenant, port), plan, now, true)
	lb.behavior = b
	if e := c.effectiveLocked(lb); e.build > 0 {
		lb.Status = StatusBuild
		lb.schedule(now.Add(e.build), StatusActive)
	} else {
		lb.Status = StatusActive
	}
	return lb, nil
}

// checkRules applies the create rules that tie settings to the protocol,
// and returns the port the load balancer will listen on.
func (in *lbBody) checkRules() (int, error) {
	protocol := *in.Protocol
	for _, n := range in.Nodes {
		if err := secondaryAllowed(n.Type, in.HealthMonitor != nil); err != nil {
			return 0, err
		}
	}
	port := resolvePort(protocol, in.Port)
	if in.HTTPSRedirect.get() {
		if err := redirectAllowed(protocol, port, nil, true); err != nil {
			return 0, err
		}
	}
	if in.HalfClosed.get() {
		if err := halfCloseAllowed(protocol); err != nil {
			return 0, err
		}
	}
	if port == 0 {
		return 0, kit.BadRequest("Must provide port for TCP and UDP protocols.")
	}
	if hm := in.HealthMonitor; hm != nil {
		if err := monitorMatchesProtocol(*hm.Type, protocol, true); err != nil {
			return 0, err
		}
	}
	return port, in.checkFeatures(protocol)
}

// checkFeatures checks the features a new load balancer enables against
// its protocol.
func (in *lbBody) checkFeatures(protocol string) error {
	if in.ContentCaching.on() {
		if err := cachingAllowed(protocol); err != nil {
			return err
		}
	}
	if in.ConnectionLogging.on() {
		if err := loggingAllowed(protocol); err != nil {
			return err
		}
	}
	if sp := in.SessionPersistence; sp != nil {
		return persistenceMatchesProtocol(*sp.PersistenceType, protocol)
	}
	return nil
}

// checkAddresses checks node and access list addresses once the virtual
// IPs are known: a node may not use one of them.
func (c *CLB) checkAddresses(in *lbBody, plan vipPlan) error {
	vips := plan.addresses()
	for _, n := range in.Nodes {
		if err := c.checkNodeAddress(*n.Address, vips); err != nil {
			return err
		}
	}
	for _, it := range in.AccessList {
		if err := checkNetworkAddress(*it.Address); err != nil {
			return err
		}
	}
	return nil
}

// loadBalancer is the load balancer a validated create body describes,
// with port resolved and defaults filled; IDs are left to insertLocked.
func (in *lbBody) loadBalancer(tenant string, port int) LoadBalancer {
	v := LoadBalancer{
		Tenant: tenant, Name: *in.Name, Protocol: *in.Protocol, Port: port,
		HalfClosed: in.HalfClosed.get(), HTTPSRedirect: in.HTTPSRedirect.get(),
		ConnectionLogging: in.ConnectionLogging.on(), ContentCaching: in.ContentCaching.on(),
	}
	if in.Algorithm != nil {
		v.Algorithm = *in.Algorithm
	}
	if in.Timeout != nil {
		v.Timeout = int(*in.Timeout)
	}
	if in.SessionPersistence != nil {
		v.SessionPersistence = *in.SessionPersistence.PersistenceType
	}
	if in.ConnectionThrottle != nil {
		ct := in.ConnectionThrottle.apply(ConnectionThrottle{})
		v.ConnectionThrottle = &ct
	}
	if in.HealthMonitor != nil {
		hm := in.HealthMonitor.monitor()
		v.HealthMonitor = &hm
	}
	v.AccessList = itemsOf(in.AccessList)
	v.Metadata = metasOf(in.Metadata)
	for _, nb := range in.Nodes {
		v.Nodes = append(v.Nodes, nb.node())
	}
	return withDefaults(v)
}

// insertLocked stores a new load balancer made from v, generating the IDs
// v leaves zero (its own, its items', metadata's and certificate
// mappings'), with the virtual IPs of plan and v's nodes. Nodes added
// viaAPI start as the API starts them (OFFLINE under a health monitor,
// with a feed entry); seeded ones are stored as given.
func (c *CLB) insertLocked(v LoadBalancer, plan vipPlan, now time.Time, viaAPI bool) *loadBalancer {
	if v.ID == 0 {
		v.ID = c.nextLBIDLocked()
	}
	if v.Name == "" {
		v.Name = "lb-" + strconv.Itoa(v.ID)
	}
	if v.Cluster == "" {
		v.Cluster = c.clusterName()
	}
	if v.Created.IsZero() {
		v.Created = now
	}
	if v.Updated.IsZero() {
		v.Updated = v.Created
	}
	lb := &loadBalancer{LoadBalancer: v}
	lb.VirtualIPs, lb.Nodes = nil, nil
	lb.AccessList = c.itemsLocked(v.AccessList)
	lb.Metadata = c.metasLocked(v.Metadata)
	lb.CertificateMapping = c.mappingsLocked(v.CertificateMapping)
	lb.HealthMonitor = clone(v.HealthMonitor)
	lb.ConnectionThrottle = clone(v.ConnectionThrottle)
	lb.SSLTermination = clone(v.SSLTermination)
	lb.vipIDs = c.applyVIPsLocked(lb.ID, v.Tenant, plan)
	for _, n := range v.Nodes {
		if viaAPI {
			c.addNodeLocked(lb, n, now)
		} else {
			lb.nodes = append(lb.nodes, c.newNodeLocked(n))
		}
	}
	c.storeLocked(lb)
	return lb
}

// nextLBIDLocked is the next load balancer ID no load balancer has.
func (c *CLB) nextLBIDLocked() int {
	for {
		c.seq.lb++
		if _, taken := c.lbs[c.seq.lb]; !taken {
			return c.seq.lb
		}
	}
}

// itemsLocked copies access list items, numbering those without an ID.
func (c *CLB) itemsLocked(in []NetworkItem) []NetworkItem {
	out := append([]NetworkItem(nil), in...)
	for i := range out {
		if out[i].ID == 0 {
			c.seq.item++
			out[i].ID = c.seq.item
		}
	}
	return out
}

// metasLocked copies metadata, numbering items without an ID.
func (c *CLB) metasLocked(in []Meta) []Meta {
	out := append([]Meta(nil), in...)
	for i := range out {
		if out[i].ID == 0 {
			c.seq.meta++
			out[i].ID = c.seq.meta
		}
	}
	return out
}

// mappingsLocked copies certificate mappings, numbering those without an ID.
func (c *CLB) mappingsLocked(in []CertificateMapping) []CertificateMapping {
	out := append([]CertificateMapping(nil), in...)
	for i := range out {
		if out[i].ID == 0 {
			c.seq.cert++
			out[i].ID = c.seq.cert
		}
	}
	return out
}

func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// countLocked counts a tenant's load balancers that are not DELETED.
func (c *CLB) countLocked(tenant string, now time.Time) int {
	n := 0
	for _, lb := range c.byTenant[tenant] {
		if c.settleLocked(lb, now) && lb.Status != StatusDeleted {
			n++
		}
	}
	return n
}

// sortedLocked returns a tenant's load balancers by ID, settled.
func (c *CLB) sortedLocked(tenant string, now time.Time) []*loadBalancer {
	all := c.lbs
	if tenant != "" {
		all = c.byTenant[tenant]
	}
	out := make([]*loadBalancer, 0, len(all))
	for _, lb := range all {
		if c.settleLocked(lb, now) {
			out = append(out, lb)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

type lbsBody[T any] struct {
	LoadBalancers []T `json:"loadBalancers"`
}

type lbDetailBody struct {
	LoadBalancer lbJSON `json:"loadBalancer"`
}

// listLoadBalancers: ?nodeaddress= (ID, name and status of those with such
// a node), ?name=, ?status= (DELETED ones only when asked for),
// ?changes-since=, and pagination by ?limit= (at most 100), ?marker= (the
// first ID to list) and ?offset=.
func (c *CLB) listLoadBalancers(call *kit.Call) (kit.Reply, error) {
	q := call.Query()
	tenant := tenantOf(call)
	if addr, ok := q["nodeaddress"]; ok {
		return kit.OK(lbsBody[lbBriefJSON]{c.withNodeAddress(tenant, addr[0])}), nil
	}
	f, err := parseListFilter(q)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := []lbSummaryJSON{}
	skipped := 0
	for _, lb := range c.sortedLocked(tenant, c.Now()) {
		if !f.matches(lb) {
			continue
		}
		if skipped < f.offset {
			skipped++
			continue
		}
		if len(out) >= f.limit {
			break
		}
		out = append(out, renderSummary(c.snapshotLocked(lb)))
	}
	return kit.OK(lbsBody[lbSummaryJSON]{out}), nil
}

// withNodeAddress lists a tenant's load balancers with a node at addr.
func (c *CLB) withNodeAddress(tenant, addr string) []lbBriefJSON {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := []lbBriefJSON{}
	for _, lb := range c.sortedLocked(tenant, c.Now()) {
		if lb.Status == StatusDeleted {
			continue
		}
		for _, n := range lb.nodes {
			if n.Address == addr {
				out = append(out, lbBriefJSON{Name: lb.Name, ID: lb.ID, Status: lb.Status})
				break
			}
		}
	}
	return out
}

// listFilter is what a list's query asks for.
type listFilter struct {
	name                  string
	byName                bool
	status                string
	since                 time.Time
	limit, offset, marker int
}

func parseListFilter(q map[string][]string) (listFilter, error) {
	var f listFilter
	if name, ok := q["name"]; ok {
		if name[0] == "" {
			return f, kit.BadRequest("Must supply LoadBalancer name to process this request.")
		}
		f.name, f.byName = name[0], true
	}
	if s := first(q, "changes-since"); s != "" {
		t, ok := parseISO(s)
		if !ok {
			return f, kit.BadRequest("Date parameters must follow ISO-8601 format")
		}
		f.since = t
	}
	f.status = first(q, "status")
	f.limit, f.offset, f.marker = pageParams(q, 100)
	return f, nil
}

func first(q map[string][]string, key string) string {
	if v := q[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (f listFilter) matches(lb *loadBalancer) bool {
	switch {
	case f.byName && lb.Name != f.name:
		return false
	case f.status == "" && lb.Status == StatusDeleted:
		return false
	case f.status != "" && !strings.EqualFold(lb.Status, f.status):
		return false
	case !f.since.IsZero() && lb.Updated.Before(f.since):
		return false
	case f.marker > 0 && lb.ID < f.marker:
		return false
	}
	return true
}

// pageParams reads limit (bounded by max; out of range means max), offset
// and marker.
func pageParams(q map[string][]string, max int) (limit, offset, marker int) {
	get := func(k string) (int, bool) {
		v, ok := q[k]
		if !ok || len(v) == 0 {
			return 0, false
		}
		n, err := strconv.Atoi(v[0])
		return n, err == nil
	}
	limit = max
	if n, ok := get("limit"); ok && n > 0 && n <= max {
		limit = n
	}
	if n, ok := get("offset"); ok && n > 0 {
		offset = n
	}
	if n, ok := get("marker"); ok {
		marker = n
	}
	return limit, offset, marker
}

// parseISO reads the ISO-8601 forms the API accepts.
func parseISO(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (c *CLB) getLoadBalancer(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(lbDetailBody{LoadBalancer: c.renderDetail(c.snapshotLocked(lb))}), nil
}

// updateLoadBalancer changes name, algorithm, protocol, port, timeout,
// halfClosed or httpsRedirect; everything else has its own resource.
func (c *CLB) updateLoadBalancer(call *kit.Call) (kit.Reply, error) {
	in, err := decodeLoadBalancer(call.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := validation(validateUpdate(&in)); err != nil {
		return kit.Reply{}, err
	}
	return c.changeLB(call, http.StatusAccepted, func(lb *loadBalancer) (any, error) {
		u, err := c.planUpdateLocked(lb, &in)
		if err != nil {
			return nil, err
		}
		u.apply(lb, &in)
		return nil, nil
	})
}

// lbUpdate is what an update leaves the load balancer's protocol-bound
// settings at.
type lbUpdate struct {
	protocol             string
	port                 int
	halfClosed, redirect bool
}

// planUpdateLocked applies the update rules: what a change of protocol or
// port may not break, and what half-close and HTTPS redirect need.
func (c *CLB) planUpdateLocked(lb *loadBalancer, in *lbBody) (lbUpdate, error) {
	u := lbUpdate{protocol: lb.Protocol, port: lb.Port, halfClosed: lb.HalfClosed, redirect: lb.HTTPSRedirect}
	if in.Protocol != nil && *in.Protocol != lb.Protocol {
		if err := protocolChangeAllowed(lb, *in.Protocol); err != nil {
			return u, err
		}
		u.protocol = *in.Protocol
		if p, _ := protocolPort(u.protocol); in.Port == nil && p != 0 {
			u.port = p
		}
	}
	if in.Port != nil && int(*in.Port) != lb.Port {
		if err := portChangeAllowed(lb, int(*in.Port)); err != nil {
			return u, err
		}
		u.port = int(*in.Port)
	}
	if u.port != lb.Port && c.portTakenLocked(lb, u.port) {
		return u, kit.BadRequest("Port currently assigned to one of the virtual ips. Please verify protocol/port combinations.")
	}
	if in.HalfClosed != nil {
		u.halfClosed = in.HalfClosed.get()
	}
	if in.HTTPSRedirect != nil {
		u.redirect = in.HTTPSRedirect.get()
	}
	if u.halfClosed {
		if err := halfCloseAllowed(u.protocol); err != nil {
			return u, err
		}
	}
	if u.redirect {
		return u, redirectAllowed(u.protocol, u.port, lb.SSLTermination, false)
	}
	return u, nil
}

// protocolChangeAllowed: SSL termination pins the protocol; content caching
// and the health monitor must suit the new one.
func protocolChangeAllowed(lb *loadBalancer, protocol string) error {
	if lb.SSLTermination != nil {
		return kit.BadRequest("Cannot update protocol on a load balancer with ssl termination.")
	}
	if lb.ContentCaching {
		if err := cachingAllowed(protocol); err != nil {
			return err
		}
	}
	if lb.HealthMonitor != nil {
		return monitorMatchesProtocol(lb.HealthMonitor.Type, protocol, true)
	}
	return nil
}

// portChangeAllowed: HTTPS redirect pins the port, and SSL termination's
// secure port is taken.
func portChangeAllowed(lb *loadBalancer, port int) error {
	if lb.HTTPSRedirect {
		return kit.BadRequest("Cannot change port on load balancers with HTTPS Redirect enabled.")
	}
	if lb.SSLTermination != nil && lb.SSLTermination.SecurePort == port {
		return kit.BadRequest("Port currently assigned to SSL termination for this load balancer. Please try another port.")
	}
	return nil
}

func (u lbUpdate) apply(lb *loadBalancer, in *lbBody) {
	if in.Name != nil {
		lb.Name = *in.Name
	}
	if in.Algorithm != nil {
		lb.Algorithm = *in.Algorithm
	}
	if u.protocol != lb.Protocol {
		lb.SessionPersistence = "" // changing the protocol disables session persistence
	}
	lb.Protocol, lb.Port, lb.HalfClosed, lb.HTTPSRedirect = u.protocol, u.port, u.halfClosed, u.redirect
	if in.Timeout != nil {
		lb.Timeout = int(*in.Timeout)
	}
}

func validateUpdate(in *lbBody) []string {
	msgs := validateFields(in)
	add := func(ok bool, msg string) {
		if !ok {
			msgs = append(msgs, msg)
		}
	}
	if in.Name != nil {
		add(strings.TrimSpace(*in.Name) != "", "Load balancer name is invalid. Please specify a valid name")
	}
	add(in.Name != nil || in.Algorithm != nil || in.Protocol != nil || in.Port != nil || in.Timeout != nil ||
		in.HalfClosed != nil || in.HTTPSRedirect != nil,
		"The load balancer must have at least one of the following to update: name, algorithm, protocol, port, timeout, halfClosed, or httpsRedirect.")
	add(len(in.Nodes) == 0, "Please visit {account id}/loadbalancers/{load balancer id}/nodes to configure nodes.")
	add(len(in.Metadata) == 0, "Please visit {account id}/loadbalancers/{load balancer id}/metadata to configure metadata.")
	add(len(in.VirtualIPs) == 0, "Please visit {account id}/loadbalancers/{load balancer id}/virtualips/{virtual ip id} to configure a virtual ip.")
	add(in.SessionPersistence == nil, "Please visit {account id}/loadbalancers/{load balancer id}/sessionpersistence to configure session persistence.")
	add(in.HealthMonitor == nil, "Please visit {account id}/loadbalancers/{load balancer id}/healthmonitor to configure your health monitor.")
	add(in.ConnectionThrottle == nil, "Please visit {account id}/loadbalancers/{load balancer id}/throttles to configure connection throttling.")
	add(len(in.AccessList) == 0, "Please visit {account id}/loadbalancers/{load balancer id}/accesslist to configure access lists.")
	add(in.ConnectionLogging == nil, "Please visit {account id}/loadbalancers/{load balancer id}/connecitonlogging to configure connection logging.")
	add(in.ContentCaching == nil, "Please visit {account id}/loadbalancers/{load balancer id}/contentcaching to configure content caching.")
	return msgs
}

// deleteLoadBalancer: 202, and PENDING_DELETE until DELETED. Like the
// batch form it answers 400 for a load balancer that is not there (or is
// already DELETED) and for one that is not ACTIVE.
func (c *CLB) deleteLoadBalancer(call *kit.Call) (kit.Reply, error) {
	id, err := strconv.Atoi(call.Var("lb_id"))
	if err != nil {
		return kit.Reply{}, lbNotFound()
	}
	if err := c.delete(tenantOf(call), []int{id}); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusAccepted), nil
}

func (c *CLB) batchDeleteLoadBalancers(call *kit.Call) (kit.Reply, error) {
	ids, bad := queryIDs(call)
	if len(ids) == 0 && len(bad) == 0 {
		return kit.Reply{}, kit.BadRequest(msgNoIDs)
	}
	if len(bad) > 0 {
		return kit.Reply{}, kit.BadRequest("Must provide valid load balancers: %s  could not be found.", strings.Join(bad, ","))
	}
	if limit := c.cfg.limits.BatchDelete; limit > 0 && len(ids) > limit {
		return kit.Reply{}, kit.BadRequest("Currently, the limit of accepted parameters is: %d :please supply a valid parameter list.", limit)
	}
	if err := c.delete(tenantOf(call), ids); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusAccepted), nil
}

// delete deletes all of ids or none: unknown or DELETED ones and ones that
// are not ACTIVE fail the whole request.
func (c *CLB) delete(tenant string, ids []int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var missing, busy []int
	var targets []*loadBalancer
	for _, id := range ids {
		lb := c.lookupLocked(tenant, id)
		switch {
		case lb == nil || lb.Status == StatusDeleted:
			missing = append(missing, id)
		case lb.Status != StatusActive && !c.deletableAtOnce(lb):
			busy = append(busy, id)
		default:
			targets = append(targets, lb)
		}
	}
	if len(missing) > 0 {
		return kit.BadRequest("Must provide valid load balancers: %s  could not be found.", joinInts(missing))
	}
	if len(busy) > 0 {
		return kit.BadRequest("Must provide valid load balancers: %s  are immutable and could not be processed.", joinInts(busy))
	}
	now := c.Now()
	for _, lb := range targets {
		d := c.effectiveLocked(lb).pendingDelete
		if c.cfg.deleteAtOnce && d == 0 {
			c.enterLocked(lb, StatusDeleted, now)
			c.purgeLocked(lb)
			continue
		}
		lb.pending = nil
		lb.Status, lb.Updated = StatusPendingDelete, now
		if d > 0 {
			lb.schedule(now.Add(d), StatusDeleted)
		} else {
			c.enterLocked(lb, StatusDeleted, now)
		}
	}
	return nil
}
