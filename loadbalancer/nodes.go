package loadbalancer

import (
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Route names of the node API.
const (
	OpListNodes       = "loadbalancer.nodes.list"
	OpAddNodes        = "loadbalancer.nodes.create"
	OpUpdateNodes     = "loadbalancer.nodes.bulkupdate"
	OpBatchDeleteNode = "loadbalancer.nodes.batchdelete"
	OpListNodeEvents  = "loadbalancer.nodes.events"
	OpGetNode         = "loadbalancer.nodes.get"
	OpGetNodeFeed     = "loadbalancer.nodes.feed"
	OpUpdateNode      = "loadbalancer.nodes.update"
	OpDeleteNode      = "loadbalancer.nodes.delete"
)

func (c *CLB) nodeRoutes() []apiRoute {
	return []apiRoute{
		{OpListNodes, "GET", "/loadbalancers/{lb_id}/nodes", c.listNodes},
		{OpAddNodes, "POST", "/loadbalancers/{lb_id}/nodes", c.addNodes},
		{OpUpdateNodes, "PUT", "/loadbalancers/{lb_id}/nodes", c.updateNodes},
		{OpBatchDeleteNode, "DELETE", "/loadbalancers/{lb_id}/nodes", c.batchDeleteNodes},
		{OpListNodeEvents, "GET", "/loadbalancers/{lb_id}/nodes/events", c.listNodeEvents},
		{OpGetNodeFeed, "GET", "/loadbalancers/{lb_id}/nodes/{node_id:[0-9]+}.atom", c.getNodeFeed},
		{OpGetNode, "GET", "/loadbalancers/{lb_id}/nodes/{node_id}", c.getNode},
		{OpUpdateNode, "PUT", "/loadbalancers/{lb_id}/nodes/{node_id}", c.updateNode},
		{OpDeleteNode, "DELETE", "/loadbalancers/{lb_id}/nodes/{node_id}", c.deleteNode},
	}
}

// nodeBody is a node in a request.
type nodeBody struct {
	ID        *flexInt   `json:"id"`
	Address   *string    `json:"address"`
	Port      *flexInt   `json:"port"`
	Condition *string    `json:"condition"`
	Weight    *flexInt   `json:"weight"`
	Type      *string    `json:"type"`
	Metadata  []metaBody `json:"metadata"`
}

func (n nodeBody) checkEnums() *apiError {
	if n.Condition != nil && !validCondition(*n.Condition) {
		return schemaError(fmt.Sprintf("condition %q is not one of ENABLED, DISABLED, DRAINING", *n.Condition))
	}
	if n.Type != nil && *n.Type != NodePrimary && *n.Type != NodeSecondary {
		return schemaError(fmt.Sprintf("type %q is not one of PRIMARY, SECONDARY", *n.Type))
	}
	return nil
}

// validate is the API's node validation, for an add (create) or an update.
func (n nodeBody) validate(create bool) []string {
	var msgs []string
	add := func(ok bool, msg string) {
		if !ok {
			msgs = append(msgs, msg)
		}
	}
	if create {
		if n.Address != nil {
			add(validNodeAddress(*n.Address), "Node ip is invalid. Please specify a valid ip.")
		}
		if n.Port != nil {
			add(*n.Port >= 1 && *n.Port <= 65535, "Node port is invalid. Please specify a valid port.")
		}
		if n.Weight != nil {
			add(*n.Weight >= 1 && *n.Weight <= 100, "Node weight is invalid. Range is 1-100. Please specify a valid weight.")
		}
		add(n.ID == nil, "Node id field cannot be modified.")
		add(n.Address != nil, "Must provide a valid ip for the node.")
		add(n.Port != nil, "Must provide a valid port for the node.")
		add(n.Condition != nil, "Must provide a valid condition for the node.")
		msgs = append(msgs, validateMetas(n.Metadata, "node")...)
		return msgs
	}
	add(n.Address == nil, "Node ip field cannot be modified.")
	add(n.Port == nil, "Port field cannot be modified.")
	if n.Weight != nil {
		add(*n.Weight >= 1 && *n.Weight <= 100, "Node weight is invalid. Range is 1-100. Please specify a valid weight.")
	}
	add(n.ID == nil, "Node id field cannot be modified.")
	add(n.Metadata == nil, "Please visit {account id}/loadbalancers/{load balancer id}/nodes/{node id}/metadata to configure metadata.")
	add(n.Condition != nil || n.Weight != nil || n.Type != nil,
		"The node must have at least one of the following to update: condition, weight, or type.")
	return msgs
}

// validNodeAddress accepts an IP address or a host name.
func validNodeAddress(a string) bool {
	if net.ParseIP(a) != nil {
		return true
	}
	if len(a) == 0 || len(a) > 253 || strings.Contains(a, "..") {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(a, "."), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	// An all-numeric name is a malformed address, not a host.
	_, err := strconv.Atoi(strings.ReplaceAll(a, ".", ""))
	return err != nil
}

// checkNodeAddress applies the business rules: a host name must be in an
// allowed domain, and no node may use one of the load balancer's virtual IPs.
func (c *CLB) checkNodeAddress(a string, vips map[string]bool) *apiError {
	if net.ParseIP(a) == nil {
		host := strings.ToLower(strings.TrimSuffix(a, "."))
		allowed := false
		for _, d := range c.domains {
			d = strings.ToLower(d)
			if host == d || strings.HasSuffix(host, "."+d) {
				allowed = true
				break
			}
		}
		if !allowed {
			return badRequest("Invalid node address. The address '%s' is currently not accepted for this request.", a)
		}
	}
	if vips[a] {
		return badRequest("Invalid node address. The load balancer's virtual ip or host end point address cannot be used as a node address.")
	}
	return nil
}

func duplicateNodes(ns []nodeBody) bool {
	seen := map[string]bool{}
	for _, n := range ns {
		if n.Address == nil || n.Port == nil {
			continue
		}
		k := *n.Address + "|" + strconv.Itoa(int(*n.Port))
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

// addNodeLocked stores a validated node. With a health monitor the node is
// OFFLINE until its first check passes, the monitor's delay later.
func (c *CLB) addNodeLocked(lb *loadBalancer, nb nodeBody, now time.Time) *node {
	c.seq.node++
	n := &node{Node: Node{ID: c.seq.node, Address: *nb.Address, Port: int(*nb.Port), Condition: *nb.Condition,
		Status: NodeOnline, Weight: 1, Type: NodePrimary}}
	if nb.Weight != nil {
		n.Weight = int(*nb.Weight)
	}
	if nb.Type != nil {
		n.Type = *nb.Type
	}
	for _, m := range nb.Metadata {
		c.seq.meta++
		n.Metadata = append(n.Metadata, Meta{ID: c.seq.meta, Key: string(*m.Key), Value: string(*m.Value)})
	}
	if hm := lb.HealthMonitor; hm != nil {
		n.Status = NodeOffline
		n.onlineAt = now.Add(time.Duration(hm.Delay) * time.Second)
	}
	n.feed = append(n.feed, feedEntry{at: now, summary: fmt.Sprintf(
		"Node successfully created with address: '%s', port: '%d', condition: '%s', weight: '%d'",
		n.Address, n.Port, n.Condition, n.Weight)})
	lb.nodes = append(lb.nodes, n)
	return n
}

func (c *CLB) listNodes(r *http.Request) (int, any, *apiError) {
	limit, offset, marker := pageParams(r.URL.Query(), 100)
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	out := []nodeJSON{}
	skipped := 0
	for _, n := range lb.nodes {
		if marker > 0 && n.ID < marker {
			continue
		}
		if skipped < offset {
			skipped++
			continue
		}
		if len(out) >= limit {
			break
		}
		out = append(out, renderNode(n.Node))
	}
	return http.StatusOK, map[string]any{"nodes": out}, nil
}

type nodesBody struct {
	Nodes []nodeBody `json:"nodes"`
}

// addNodes adds up to 25 nodes at once: 413 past the load balancer's node
// limit, 422 when one is already there (same address and port).
func (c *CLB) addNodes(r *http.Request) (int, any, *apiError) {
	var in nodesBody
	if err := decodeBody(readBody(r), &in); err != nil {
		return 0, nil, err
	}
	for _, n := range in.Nodes {
		if err := n.checkEnums(); err != nil {
			return 0, nil, err
		}
	}
	var msgs []string
	if len(in.Nodes) == 0 {
		msgs = append(msgs, "Must provide at least one node to add.")
	}
	if len(in.Nodes) > 25 {
		msgs = append(msgs, "Must not provide more than twenty five nodes per load balancer.")
	}
	for _, n := range in.Nodes {
		msgs = append(msgs, n.validate(true)...)
	}
	if duplicateNodes(in.Nodes) {
		msgs = append(msgs, "Duplicate nodes detected. Please ensure that the ip address and port are unique for each node.")
	}
	if len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	vips := map[string]bool{}
	for _, v := range c.vipsOfLocked(lb) {
		vips[v.Address] = true
	}
	for _, nb := range in.Nodes {
		if err := c.checkNodeAddress(*nb.Address, vips); err != nil {
			return 0, nil, err
		}
		if nb.Type != nil && *nb.Type == NodeSecondary && lb.HealthMonitor == nil {
			return 0, nil, badRequest("you must enable health monitoring to use secondary nodes")
		}
		for _, n := range lb.nodes {
			if n.Address == *nb.Address && n.Port == int(*nb.Port) {
				return 0, nil, errorf(http.StatusUnprocessableEntity, "Duplicate nodes detected. One or more nodes already configured on load balancer.")
			}
		}
	}
	if limit := c.limits.Nodes; limit > 0 && len(lb.nodes)+len(in.Nodes) > limit {
		return 0, nil, overLimit("Nodes must not exceed %d per load balancer.", limit)
	}
	now := c.now()
	out := make([]nodeJSON, 0, len(in.Nodes))
	for _, nb := range in.Nodes {
		n := c.addNodeLocked(lb, nb, now)
		out = append(out, renderNode(n.Node))
	}
	c.changedLocked(lb, now)
	return http.StatusAccepted, map[string]any{"nodes": out}, nil
}

func (c *CLB) nodeFromPath(r *http.Request, lb *loadBalancer) *node {
	id, err := strconv.Atoi(pathVar(r, "node_id"))
	if err != nil {
		return nil
	}
	return lb.node(id)
}

func nodeNotFound(lbID int, r *http.Request) *apiError {
	id, _ := strconv.Atoi(pathVar(r, "node_id"))
	return errorf(http.StatusNotFound, "Node with id #%d not found for loadbalancer #%d", id, lbID)
}

func (c *CLB) getNode(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	n := c.nodeFromPath(r, lb)
	if n == nil {
		return 0, nil, errorf(http.StatusNotFound, "Node not found")
	}
	return http.StatusOK, map[string]any{"node": renderNode(n.Node)}, nil
}

// updateNode changes condition, weight or type. Body problems (schema, then
// validation) are reported before the load balancer is even looked up.
func (c *CLB) updateNode(r *http.Request) (int, any, *apiError) {
	var in nodeBody
	if err := decodeWrapped(readBody(r), "node", false, &in); err != nil {
		return 0, nil, err
	}
	if err := in.checkEnums(); err != nil {
		return 0, nil, err
	}
	if msgs := in.validate(false); len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	n := c.nodeFromPath(r, lb)
	if n == nil {
		return 0, nil, nodeNotFound(lb.ID, r)
	}
	if err := c.checkNodeTypeLocked(lb, in); err != nil {
		return 0, nil, err
	}
	c.applyNodeUpdateLocked(n, in, c.now())
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

func (c *CLB) checkNodeTypeLocked(lb *loadBalancer, in nodeBody) *apiError {
	if in.Type != nil && *in.Type == NodeSecondary && lb.HealthMonitor == nil {
		return badRequest("you must enable health monitoring to use secondary nodes")
	}
	return nil
}

func (c *CLB) applyNodeUpdateLocked(n *node, in nodeBody, now time.Time) {
	if in.Condition != nil {
		n.Condition = *in.Condition
	}
	if in.Weight != nil {
		n.Weight = int(*in.Weight)
	}
	if in.Type != nil {
		n.Type = *in.Type
	}
	n.feed = append(n.feed, feedEntry{at: now, summary: fmt.Sprintf(
		"Node successfully updated with address: '%s', port: '%d', weight: '%d', condition: '%s'",
		n.Address, n.Port, n.Weight, n.Condition)})
}

// updateNodes is the bulk form: {"nodes": [{"id", "condition", "weight",
// "type"}, ...]}; it answers with the updated nodes.
func (c *CLB) updateNodes(r *http.Request) (int, any, *apiError) {
	var in nodesBody
	if err := decodeBody(readBody(r), &in); err != nil {
		return 0, nil, err
	}
	var msgs []string
	if len(in.Nodes) == 0 {
		msgs = append(msgs, "Must provide at least one node to update.")
	}
	for _, n := range in.Nodes {
		if err := n.checkEnums(); err != nil {
			return 0, nil, err
		}
		id := n.ID
		n.ID = nil
		msgs = append(msgs, n.validate(false)...)
		if id == nil {
			msgs = append(msgs, "Must provide a node id for each node to update.")
		}
	}
	if len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	targets := make([]*node, len(in.Nodes))
	for i, nb := range in.Nodes {
		n := lb.node(int(*nb.ID))
		if n == nil {
			return 0, nil, errorf(http.StatusNotFound, "Node with id #%d not found for loadbalancer #%d", int(*nb.ID), lb.ID)
		}
		if err := c.checkNodeTypeLocked(lb, nb); err != nil {
			return 0, nil, err
		}
		targets[i] = n
	}
	now := c.now()
	out := make([]nodeJSON, len(targets))
	for i, n := range targets {
		c.applyNodeUpdateLocked(n, in.Nodes[i], now)
		nj := renderNode(n.Node)
		nj.Metadata = renderMeta(n.Metadata)
		out[i] = nj
	}
	c.changedLocked(lb, now)
	return http.StatusAccepted, bulkNodesJSON{Nodes: out}, nil
}

// bulkNodesJSON always shows each node's metadata, as the bulk update does.
type bulkNodesJSON struct {
	Nodes []nodeJSON `json:"nodes"`
}

func (b bulkNodesJSON) MarshalJSON() ([]byte, error) {
	type withMeta struct {
		nodeJSON
		Metadata []metaJSON `json:"metadata"`
	}
	out := make([]withMeta, len(b.Nodes))
	for i, n := range b.Nodes {
		md := n.Metadata
		if md == nil {
			md = []metaJSON{}
		}
		n.Metadata = nil
		out[i] = withMeta{nodeJSON: n, Metadata: md}
	}
	return json.Marshal(map[string]any{"nodes": out})
}

func (c *CLB) deleteNode(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	n := c.nodeFromPath(r, lb)
	if n == nil {
		return 0, nil, nodeNotFound(lb.ID, r)
	}
	if err := c.checkRemainingNodesLocked(lb, []int{n.ID}); err != nil {
		return 0, nil, err
	}
	c.removeNodesLocked(lb, []int{n.ID})
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

// batchDeleteNodes deletes ?id= nodes, all or none: 400 for an empty list,
// 422 when the load balancer is not ACTIVE, 400 (validation) for IDs not on
// it and for more than the batch delete limit, in that order.
func (c *CLB) batchDeleteNodes(r *http.Request) (int, any, *apiError) {
	ids, bad := queryIDs(r)
	if len(ids) == 0 && len(bad) == 0 {
		return 0, nil, badRequest(msgNoIDs)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if lb.Status != StatusActive {
		return 0, nil, errorf(http.StatusUnprocessableEntity, msgNotActive)
	}
	var missing []int
	for _, id := range ids {
		if lb.node(id) == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 || len(bad) > 0 {
		list := joinInts(missing)
		if len(bad) > 0 {
			if list != "" {
				list += ","
			}
			list += joinStrings(bad)
		}
		return 0, nil, validationFailure(fmt.Sprintf("Node ids %s are not a part of your loadbalancer", list))
	}
	if limit := c.limits.BatchDelete; limit > 0 && len(ids) > limit {
		return 0, nil, validationFailure(fmt.Sprintf(
			"Request to delete %d nodes exceeds the account limit BATCH_DELETE_LIMIT of %d please attempt to delete fewer then %d nodes",
			len(ids), limit, limit))
	}
	if err := c.checkRemainingNodesLocked(lb, ids); err != nil {
		return 0, nil, err
	}
	c.removeNodesLocked(lb, ids)
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

// checkRemainingNodesLocked refuses to leave only SECONDARY nodes.
func (c *CLB) checkRemainingNodesLocked(lb *loadBalancer, removing []int) *apiError {
	remaining, primary := 0, false
	for _, n := range lb.nodes {
		if containsInt(removing, n.ID) {
			continue
		}
		remaining++
		if n.Type == NodePrimary {
			primary = true
		}
	}
	if remaining > 0 && !primary {
		return badRequest("you must have at least one primary node enabled")
	}
	return nil
}

func (c *CLB) removeNodesLocked(lb *loadBalancer, ids []int) {
	kept := make([]*node, 0, len(lb.nodes))
	for _, n := range lb.nodes {
		if !containsInt(ids, n.ID) {
			kept = append(kept, n)
		}
	}
	lb.nodes = kept
}

type nodeEventJSON struct {
	NodeID          int    `json:"nodeId"`
	DetailedMessage string `json:"detailedMessage"`
	CallbackHost    string `json:"callbackHost"`
	AccountID       any    `json:"accountId"`
	LoadbalancerID  int    `json:"loadbalancerId"`
	Severity        string `json:"severity"`
	Author          string `json:"author"`
	Created         string `json:"created"`
	Category        string `json:"category"`
	RelativeURI     string `json:"relativeUri"`
	Description     string `json:"description"`
	Title           string `json:"title"`
	ID              int    `json:"id"`
	Type            string `json:"type"`
}

// listNodeEvents lists node service events, newest first, 100 at most a
// page (?limit=, ?marker= the first event ID to list, ?offset=).
func (c *CLB) listNodeEvents(r *http.Request) (int, any, *apiError) {
	limit, offset, marker := pageParams(r.URL.Query(), 100)
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	out := []nodeEventJSON{}
	skipped := 0
	for i := len(lb.nodeEvents) - 1; i >= 0; i-- {
		e := lb.nodeEvents[i]
		if marker > 0 && e.ID > marker {
			continue
		}
		if skipped < offset {
			skipped++
			continue
		}
		if len(out) >= limit {
			break
		}
		out = append(out, c.renderNodeEvent(lb.Tenant, e))
	}
	return http.StatusOK, map[string]any{"nodeServiceEvents": out, "links": []any{}}, nil
}

func (c *CLB) renderNodeEvent(tenant string, e NodeEvent) nodeEventJSON {
	return nodeEventJSON{
		NodeID: e.NodeID, DetailedMessage: e.DetailedMessage, CallbackHost: c.clusterName(),
		AccountID: accountID(tenant), LoadbalancerID: e.LoadBalancerID, Severity: e.Severity,
		Author: "Rackspace Cloud", Created: formatTime(e.Created), Category: e.Category,
		RelativeURI: fmt.Sprintf("/%s/loadbalancers/%d/nodes/%d/events", tenant, e.LoadBalancerID, e.NodeID),
		Description: e.Description, Title: e.Title, ID: e.ID, Type: e.Type,
	}
}

// getNodeFeed is Mimic's node Atom feed (nodes/{id}.atom): one entry per
// creation and update. Errors come as the API's XML faults.
func (c *CLB) getNodeFeed(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(r)
	switch {
	case err != nil:
		return 0, xmlBody{http.StatusNotFound, notFoundXML("Load balancer")}, nil
	case lb.Status == StatusDeleted:
		return 0, xmlBody{http.StatusGone, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<message xmlns="http://docs.openstack.org/loadbalancers/api/v1.0" code="410">The loadbalancer is marked as deleted.</message>`}, nil
	}
	n := c.nodeFromPath(r, lb)
	if n == nil {
		return 0, xmlBody{http.StatusNotFound, notFoundXML("Node")}, nil
	}
	var b strings.Builder
	b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom">`)
	for _, e := range n.feed {
		fmt.Fprintf(&b, "<entry><summary>%s</summary><updated>%s</updated></entry>",
			html.EscapeString(e.summary), e.at.UTC().Format("2006-01-02T15:04:05.000000Z"))
	}
	b.WriteString(`</feed>`)
	return 0, xmlBody{http.StatusOK, b.String()}, nil
}

func notFoundXML(what string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<itemNotFound xmlns="http://docs.openstack.org/loadbalancers/api/v1.0" code="404">` +
		`<message>` + what + ` not found</message></itemNotFound>`
}

// xmlBody is an Atom or XML answer; serve writes it as is.
type xmlBody struct {
	status int
	body   string
}
