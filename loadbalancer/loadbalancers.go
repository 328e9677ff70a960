package loadbalancer

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"
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

func (c *CLB) loadBalancerRoutes() []apiRoute {
	return []apiRoute{
		{OpListLoadBalancers, "GET", "/loadbalancers", c.listLoadBalancers},
		{OpCreateLoadBalancer, "POST", "/loadbalancers", c.createLoadBalancer},
		{OpBatchDeleteLoadBalancers, "DELETE", "/loadbalancers", c.batchDeleteLoadBalancers},
		{OpGetLoadBalancer, "GET", "/loadbalancers/{lb_id}", c.getLoadBalancer},
		{OpUpdateLoadBalancer, "PUT", "/loadbalancers/{lb_id}", c.updateLoadBalancer},
		{OpDeleteLoadBalancer, "DELETE", "/loadbalancers/{lb_id}", c.deleteLoadBalancer},
	}
}

func pathVar(r *http.Request, name string) string { return mux.Vars(r)[name] }

func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
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

// decodeLoadBalancer reads a create or update body: {"loadBalancer": {...}}
// or the object alone.
func decodeLoadBalancer(body []byte) (lbBody, *apiError) {
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
func (in *lbBody) checkEnums() *apiError {
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
func (c *CLB) validateCreate(in *lbBody) []string {
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

func (c *CLB) createLoadBalancer(r *http.Request) (int, any, *apiError) {
	in, err := decodeLoadBalancer(readBody(r))
	if err != nil {
		return 0, nil, err
	}
	if msgs := c.validateCreate(&in); len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	tenant := tenantOf(r)
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.createLocked(tenant, &in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, map[string]any{"loadBalancer": c.renderDetail(c.snapshotLocked(lb))}, nil
}

// createLocked applies the API's business rules to a validated body and
// stores the new load balancer.
func (c *CLB) createLocked(tenant string, in *lbBody) (*loadBalancer, *apiError) {
	now := c.now()
	if limit := c.limits.LoadBalancers; limit > 0 && c.countLocked(tenant, now) >= limit {
		return nil, overLimit("Load balancer limit reached. Limit is set to '%d'. Contact support if you would like to increase your limit.", limit)
	}
	protocol := *in.Protocol
	if in.HealthMonitor == nil {
		for _, n := range in.Nodes {
			if n.Type != nil && *n.Type == NodeSecondary {
				return nil, badRequest("you must enable health monitoring to use secondary nodes")
			}
		}
	}
	defPort, _ := protocolPort(protocol)
	port := defPort
	if in.Port != nil {
		port = int(*in.Port)
	}
	if in.HTTPSRedirect != nil && bool(*in.HTTPSRedirect) && (protocol != "HTTPS" || port != 443) {
		return nil, badRequest("HTTPS Redirect can only be enabled for HTTPS load balancers using port 443.")
	}
	if in.HalfClosed != nil && bool(*in.HalfClosed) && protocol != "TCP" && protocol != "TCP_CLIENT_FIRST" {
		return nil, badRequest("Must provide valid protocol for half close support, please view documentation for more details. ")
	}
	if port == 0 {
		return nil, badRequest("Must provide port for TCP and UDP protocols.")
	}
	if hm := in.HealthMonitor; hm != nil {
		if err := monitorMatchesProtocol(*hm.Type, protocol, true); err != nil {
			return nil, err
		}
	}
	if in.ContentCaching != nil && bool(*in.ContentCaching.Enabled) {
		if err := cachingAllowed(protocol); err != nil {
			return nil, err
		}
	}
	if in.ConnectionLogging != nil && bool(*in.ConnectionLogging.Enabled) {
		if err := loggingAllowed(protocol); err != nil {
			return nil, err
		}
	}
	if sp := in.SessionPersistence; sp != nil {
		if err := persistenceMatchesProtocol(*sp.PersistenceType, protocol); err != nil {
			return nil, err
		}
	}
	plan, err := c.planVIPsLocked(tenant, in.VirtualIPs, port)
	if err != nil {
		return nil, err
	}
	for _, n := range in.Nodes {
		if err := c.checkNodeAddress(*n.Address, plan.addresses()); err != nil {
			return nil, err
		}
	}
	for _, it := range in.AccessList {
		if err := checkNetworkAddress(*it.Address); err != nil {
			return nil, err
		}
	}

	c.seq.lb++
	lb := &loadBalancer{LoadBalancer: LoadBalancer{
		ID: c.seq.lb, Tenant: tenant, Name: *in.Name, Protocol: protocol, Port: port,
		Algorithm: "RANDOM", Timeout: 30, Cluster: c.clusterName(), Created: now, Updated: now,
	}}
	if in.Algorithm != nil {
		lb.Algorithm = *in.Algorithm
	}
	if in.Timeout != nil {
		lb.Timeout = int(*in.Timeout)
	}
	if in.HalfClosed != nil {
		lb.HalfClosed = bool(*in.HalfClosed)
	}
	if in.HTTPSRedirect != nil {
		lb.HTTPSRedirect = bool(*in.HTTPSRedirect)
	}
	if in.ConnectionLogging != nil {
		lb.ConnectionLogging = bool(*in.ConnectionLogging.Enabled)
	}
	if in.ContentCaching != nil {
		lb.ContentCaching = bool(*in.ContentCaching.Enabled)
	}
	if in.SessionPersistence != nil {
		lb.SessionPersistence = *in.SessionPersistence.PersistenceType
	}
	if in.ConnectionThrottle != nil {
		ct := in.ConnectionThrottle.apply(ConnectionThrottle{})
		lb.ConnectionThrottle = &ct
	}
	if in.HealthMonitor != nil {
		hm := in.HealthMonitor.monitor()
		lb.HealthMonitor = &hm
	}
	for _, it := range in.AccessList {
		c.seq.item++
		lb.AccessList = append(lb.AccessList, NetworkItem{ID: c.seq.item, Address: *it.Address, Type: *it.Type})
	}
	for _, m := range in.Metadata {
		c.seq.meta++
		lb.Metadata = append(lb.Metadata, Meta{ID: c.seq.meta, Key: string(*m.Key), Value: string(*m.Value)})
	}
	lb.vipIDs = c.applyVIPsLocked(lb.ID, tenant, plan)
	for _, nb := range in.Nodes {
		c.addNodeLocked(lb, nb, now)
	}
	lb.behavior = c.createBehaviorLocked(tenant, lb.Name)
	e := c.effectiveLocked(lb)
	if e.build > 0 {
		lb.Status = StatusBuild
		lb.schedule(now.Add(e.build), StatusActive)
	} else {
		lb.Status = StatusActive
	}
	c.storeLocked(lb)
	return lb, nil
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

// listLoadBalancers: ?nodeaddress= (ID, name and status of those with such
// a node), ?name=, ?status= (DELETED ones only when asked for),
// ?changes-since=, and pagination by ?limit= (at most 100), ?marker= (the
// first ID to list) and ?offset=.
func (c *CLB) listLoadBalancers(r *http.Request) (int, any, *apiError) {
	q := r.URL.Query()
	tenant := tenantOf(r)
	if addr, ok := q["nodeaddress"]; ok {
		c.mu.Lock()
		defer c.mu.Unlock()
		out := []lbBriefJSON{}
		for _, lb := range c.sortedLocked(tenant, c.now()) {
			if lb.Status == StatusDeleted {
				continue
			}
			for _, n := range lb.nodes {
				if n.Address == addr[0] {
					out = append(out, lbBriefJSON{Name: lb.Name, ID: lb.ID, Status: lb.Status})
					break
				}
			}
		}
		return http.StatusOK, map[string]any{"loadBalancers": out}, nil
	}
	name, byName := q["name"]
	if byName && name[0] == "" {
		return 0, nil, badRequest("Must supply LoadBalancer name to process this request.")
	}
	var since time.Time
	if s := q.Get("changes-since"); s != "" {
		t, ok := parseISO(s)
		if !ok {
			return 0, nil, badRequest("Date parameters must follow ISO-8601 format")
		}
		since = t
	}
	status := q.Get("status")
	limit, offset, marker := pageParams(q, 100)
	c.mu.Lock()
	defer c.mu.Unlock()
	var matched []*loadBalancer
	for _, lb := range c.sortedLocked(tenant, c.now()) {
		switch {
		case byName && lb.Name != name[0]:
			continue
		case status == "" && lb.Status == StatusDeleted:
			continue
		case status != "" && !strings.EqualFold(lb.Status, status):
			continue
		case !since.IsZero() && lb.Updated.Before(since):
			continue
		case marker > 0 && lb.ID < marker:
			continue
		}
		matched = append(matched, lb)
	}
	out := []lbSummaryJSON{}
	for i, lb := range matched {
		if i < offset {
			continue
		}
		if len(out) >= limit {
			break
		}
		out = append(out, renderSummary(c.snapshotLocked(lb)))
	}
	return http.StatusOK, map[string]any{"loadBalancers": out}, nil
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

func (c *CLB) getLoadBalancer(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"loadBalancer": c.renderDetail(c.snapshotLocked(lb))}, nil
}

// updateLoadBalancer changes name, algorithm, protocol, port, timeout,
// halfClosed or httpsRedirect; everything else has its own resource.
func (c *CLB) updateLoadBalancer(r *http.Request) (int, any, *apiError) {
	in, err := decodeLoadBalancer(readBody(r))
	if err != nil {
		return 0, nil, err
	}
	if msgs := validateUpdate(&in); len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	protocol, port := lb.Protocol, lb.Port
	if in.Protocol != nil && *in.Protocol != lb.Protocol {
		protocol = *in.Protocol
		if lb.SSLTermination != nil {
			return 0, nil, badRequest("Cannot update protocol on a load balancer with ssl termination.")
		}
		if lb.ContentCaching {
			if err := cachingAllowed(protocol); err != nil {
				return 0, nil, err
			}
		}
		if lb.HealthMonitor != nil {
			if err := monitorMatchesProtocol(lb.HealthMonitor.Type, protocol, true); err != nil {
				return 0, nil, err
			}
		}
		if in.Port == nil {
			if p, _ := protocolPort(protocol); p != 0 {
				port = p
			}
		}
	}
	if in.Port != nil && int(*in.Port) != lb.Port {
		if lb.HTTPSRedirect {
			return 0, nil, badRequest("Cannot change port on load balancers with HTTPS Redirect enabled.")
		}
		port = int(*in.Port)
		if lb.SSLTermination != nil && lb.SSLTermination.SecurePort == port {
			return 0, nil, badRequest("Port currently assigned to SSL termination for this load balancer. Please try another port.")
		}
	}
	if port != lb.Port && c.portTakenLocked(lb, port) {
		return 0, nil, badRequest("Port currently assigned to one of the virtual ips. Please verify protocol/port combinations.")
	}
	halfClosed := lb.HalfClosed
	if in.HalfClosed != nil {
		halfClosed = bool(*in.HalfClosed)
	}
	if halfClosed && protocol != "TCP" && protocol != "TCP_CLIENT_FIRST" {
		return 0, nil, badRequest("Must provide valid protocol for half close support, please view documentation for more details. ")
	}
	redirect := lb.HTTPSRedirect
	if in.HTTPSRedirect != nil {
		redirect = bool(*in.HTTPSRedirect)
	}
	if redirect && !(protocol == "HTTPS" && port == 443) {
		ssl := lb.SSLTermination
		if ssl == nil || !ssl.Enabled || !ssl.SecureTrafficOnly || ssl.SecurePort != 443 {
			return 0, nil, badRequest("HTTPS Redirect is only valid for load balancers using the HTTPS protocol, or load balancers with SSL Termination using secure port 443 and secure traffic only.")
		}
	}
	if in.Name != nil {
		lb.Name = *in.Name
	}
	if in.Algorithm != nil {
		lb.Algorithm = *in.Algorithm
	}
	if protocol != lb.Protocol {
		lb.SessionPersistence = "" // changing the protocol disables session persistence
	}
	lb.Protocol, lb.Port, lb.HalfClosed, lb.HTTPSRedirect = protocol, port, halfClosed, redirect
	if in.Timeout != nil {
		lb.Timeout = int(*in.Timeout)
	}
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
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
func (c *CLB) deleteLoadBalancer(r *http.Request) (int, any, *apiError) {
	id, err := strconv.Atoi(pathVar(r, "lb_id"))
	if err != nil {
		return 0, nil, lbNotFound()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.deleteLocked(tenantOf(r), []int{id}); err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

func (c *CLB) batchDeleteLoadBalancers(r *http.Request) (int, any, *apiError) {
	ids, bad := queryIDs(r)
	if len(ids) == 0 && len(bad) == 0 {
		return 0, nil, badRequest(msgNoIDs)
	}
	if len(bad) > 0 {
		return 0, nil, badRequest("Must provide valid load balancers: %s  could not be found.", strings.Join(bad, ","))
	}
	if limit := c.limits.BatchDelete; limit > 0 && len(ids) > limit {
		return 0, nil, badRequest("Currently, the limit of accepted parameters is: %d :please supply a valid parameter list.", limit)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.deleteLocked(tenantOf(r), ids); err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

// deleteLocked deletes all of ids or none: unknown or DELETED ones and ones
// that are not ACTIVE fail the whole request.
func (c *CLB) deleteLocked(tenant string, ids []int) *apiError {
	var missing, busy []int
	var targets []*loadBalancer
	for _, id := range ids {
		lb := c.lookupLocked(tenant, id)
		switch {
		case lb == nil || lb.Status == StatusDeleted:
			missing = append(missing, id)
		case lb.Status != StatusActive:
			busy = append(busy, id)
		default:
			targets = append(targets, lb)
		}
	}
	if len(missing) > 0 {
		return badRequest("Must provide valid load balancers: %s  could not be found.", joinInts(missing))
	}
	if len(busy) > 0 {
		return badRequest("Must provide valid load balancers: %s  are immutable and could not be processed.", joinInts(busy))
	}
	now := c.now()
	for _, lb := range targets {
		d := c.effectiveLocked(lb).pendingDelete
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
