package loadbalancer

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
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

func (c *CLB) nodeRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpListNodes, Method: "GET", Path: "/loadbalancers/{lb_id}/nodes", Handler: c.listNodes},
		{Op: OpAddNodes, Method: "POST", Path: "/loadbalancers/{lb_id}/nodes", Handler: c.addNodes},
		{Op: OpUpdateNodes, Method: "PUT", Path: "/loadbalancers/{lb_id}/nodes", Handler: c.updateNodes},
		{Op: OpBatchDeleteNode, Method: "DELETE", Path: "/loadbalancers/{lb_id}/nodes", Handler: c.batchDeleteNodes},
		{Op: OpListNodeEvents, Method: "GET", Path: "/loadbalancers/{lb_id}/nodes/events", Handler: c.listNodeEvents},
		{Op: OpGetNodeFeed, Method: "GET", Path: "/loadbalancers/{lb_id}/nodes/{node_id:[0-9]+}.atom", Handler: c.getNodeFeed},
		{Op: OpGetNode, Method: "GET", Path: "/loadbalancers/{lb_id}/nodes/{node_id}", Handler: c.getNode},
		{Op: OpUpdateNode, Method: "PUT", Path: "/loadbalancers/{lb_id}/nodes/{node_id}", Handler: c.updateNode},
		{Op: OpDeleteNode, Method: "DELETE", Path: "/loadbalancers/{lb_id}/nodes/{node_id}", Handler: c.deleteNode},
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

func (n nodeBody) checkEnums() error {
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
func (c *CLB) checkNodeAddress(a string, vips map[string]bool) error {
	if net.ParseIP(a) == nil {
		host := strings.ToLower(strings.TrimSuffix(a, "."))
		allowed := false
		for _, d := range c.cfg.domains {
			d = strings.ToLower(d)
			if host == d || strings.HasSuffix(host, "."+d) {
				allowed = true
				break
			}
		}
		if !allowed {
			return kit.BadRequest("Invalid node address. The address '%s' is currently not accepted for this request.", a)
		}
	}
	if vips[a] {
		return kit.BadRequest("Invalid node address. The load balancer's virtual ip or host end point address cannot be used as a node address.")
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

// node is the Node a validated request body describes, without IDs.
func (nb nodeBody) node() Node {
	n := Node{Address: *nb.Address, Port: int(*nb.Port), Condition: *nb.Condition, Metadata: metasOf(nb.Metadata)}
	if nb.Weight != nil {
		n.Weight = int(*nb.Weight)
	}
	if nb.Type != nil {
		n.Type = *nb.Type
	}
	return n
}

// newNodeLocked is a stored node made from n: IDs generated where n has
// none (its own, its metadata's); condition ENABLED, status ONLINE, weight
// 1 and type PRIMARY unless n says otherwise.
func (c *CLB) newNodeLocked(n Node) *node {
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
	n.Metadata = c.metasLocked(n.Metadata)
	return &node{Node: n}
}

// addNodeLocked adds a node as the API does. With a health monitor the
// node is OFFLINE until its first check passes, the monitor's delay later.
func (c *CLB) addNodeLocked(lb *loadBalancer, in Node, now time.Time) *node {
	n := c.newNodeLocked(in)
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

func (c *CLB) listNodes(call *kit.Call) (kit.Reply, error) {
	limit, offset, marker := pageParams(call.Query(), 100)
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
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
	return kit.OK(nodesJSON{out}), nil
}

type nodesJSON struct {
	Nodes []nodeJSON `json:"nodes"`
}

type nodesBody struct {
	Nodes []nodeBody `json:"nodes"`
}

// addNodes adds up to 25 nodes at once: 413 past the load balancer's node
// limit, 422 when one is already there (same address and port).
func (c *CLB) addNodes(call *kit.Call) (kit.Reply, error) {
	var in nodesBody
	if err := decodeBody(call.Body, &in); err != nil {
		return kit.Reply{}, err
	}
	if err := in.validateNew(); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := c.checkNewNodesLocked(lb, in.Nodes); err != nil {
		return kit.Reply{}, err
	}
	now := c.Now()
	out := make([]nodeJSON, 0, len(in.Nodes))
	for _, nb := range in.Nodes {
		n := c.addNodeLocked(lb, nb.node(), now)
		out = append(out, renderNode(n.Node))
	}
	c.changedLocked(lb, now)
	return kit.JSON(http.StatusAccepted, nodesJSON{out}), nil
}

// validateNew is the schema and validation of nodes being added.
func (in *nodesBody) validateNew() error {
	for _, n := range in.Nodes {
		if err := n.checkEnums(); err != nil {
			return err
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
	return validation(msgs)
}

// checkNewNodesLocked applies the business rules to nodes being added to
// lb: allowed addresses, SECONDARY only under a health monitor, no
// duplicate of a node it has, and the node limit.
func (c *CLB) checkNewNodesLocked(lb *loadBalancer, nodes []nodeBody) error {
	vips := map[string]bool{}
	for _, v := range c.vipsOfLocked(lb) {
		vips[v.Address] = true
	}
	for _, nb := range nodes {
		if err := c.checkNodeAddress(*nb.Address, vips); err != nil {
			return err
		}
		if err := secondaryAllowed(nb.Type, lb.HealthMonitor != nil); err != nil {
			return err
		}
		for _, n := range lb.nodes {
			if n.Address == *nb.Address && n.Port == int(*nb.Port) {
				return kit.Errorf(http.StatusUnprocessableEntity, "Duplicate nodes detected. One or more nodes already configured on load balancer.")
			}
		}
	}
	if limit := c.cfg.limits.Nodes; limit > 0 && len(lb.nodes)+len(nodes) > limit {
		return overLimit("Nodes must not exceed %d per load balancer.", limit)
	}
	return nil
}

func (c *CLB) nodeFromPath(call *kit.Call, lb *loadBalancer) *node {
	id, err := strconv.Atoi(call.Var("node_id"))
	if err != nil {
		return nil
	}
	return lb.node(id)
}

func nodeNotFound(lbID int, call *kit.Call) error {
	id, _ := strconv.Atoi(call.Var("node_id"))
	return kit.Errorf(http.StatusNotFound, "Node with id #%d not found for loadbalancer #%d", id, lbID)
}

func (c *CLB) getNode(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	n := c.nodeFromPath(call, lb)
	if n == nil {
		return kit.Reply{}, kit.Errorf(http.StatusNotFound, "Node not found")
	}
	return kit.OK(struct {
		Node nodeJSON `json:"node"`
	}{renderNode(n.Node)}), nil
}

// updateNode changes condition, weight or type. Body problems (schema, then
// validation) are reported before the load balancer is even looked up.
func (c *CLB) updateNode(call *kit.Call) (kit.Reply, error) {
	var in nodeBody
	if err := decodeWrapped(call.Body, "node", false, &in); err != nil {
		return kit.Reply{}, err
	}
	if err := in.checkEnums(); err != nil {
		return kit.Reply{}, err
	}
	if msgs := in.validate(false); len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	n := c.nodeFromPath(call, lb)
	if n == nil {
		return kit.Reply{}, nodeNotFound(lb.ID, call)
	}
	if err := c.checkNodeTypeLocked(lb, in); err != nil {
		return kit.Reply{}, err
	}
	c.applyNodeUpdateLocked(n, in, c.Now())
	c.changedLocked(lb, c.Now())
	return kit.Status(http.StatusAccepted), nil
}

func (c *CLB) checkNodeTypeLocked(lb *loadBalancer, in nodeBody) error {
	return secondaryAllowed(in.Type, lb.HealthMonitor != nil)
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
func (c *CLB) updateNodes(call *kit.Call) (kit.Reply, error) {
	var in nodesBody
	if err := decodeBody(call.Body, &in); err != nil {
		return kit.Reply{}, err
	}
	var msgs []string
	if len(in.Nodes) == 0 {
		msgs = append(msgs, "Must provide at least one node to update.")
	}
	for _, n := range in.Nodes {
		if err := n.checkEnums(); err != nil {
			return kit.Reply{}, err
		}
		id := n.ID
		n.ID = nil
		msgs = append(msgs, n.validate(false)...)
		if id == nil {
			msgs = append(msgs, "Must provide a node id for each node to update.")
		}
	}
	if len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	targets := make([]*node, len(in.Nodes))
	for i, nb := range in.Nodes {
		n := lb.node(int(*nb.ID))
		if n == nil {
			return kit.Reply{}, kit.Errorf(http.StatusNotFound, "Node with id #%d not found for loadbalancer #%d", int(*nb.ID), lb.ID)
		}
		if err := c.checkNodeTypeLocked(lb, nb); err != nil {
			return kit.Reply{}, err
		}
		targets[i] = n
	}
	now := c.Now()
	out := make([]bulkNodeJSON, len(targets))
	for i, n := range targets {
		c.applyNodeUpdateLocked(n, in.Nodes[i], now)
		md := renderMeta(n.Metadata)
		out[i] = bulkNodeJSON{nodeJSON: renderNode(n.Node), Metadata: md}
	}
	c.changedLocked(lb, now)
	return kit.JSON(http.StatusAccepted, bulkNodesJSON{Nodes: out}), nil
}

// bulkNodesJSON is the bulk update's answer: it always shows each node's
// metadata.
type bulkNodesJSON struct {
	Nodes []bulkNodeJSON `json:"nodes"`
}

type bulkNodeJSON struct {
	nodeJSON
	Metadata []metaJSON `json:"metadata"` // shadows nodeJSON's, which omits an empty list
}

func (c *CLB) deleteNode(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	n := c.nodeFromPath(call, lb)
	if n == nil {
		return kit.Reply{}, nodeNotFound(lb.ID, call)
	}
	if err := c.checkRemainingNodesLocked(lb, []int{n.ID}); err != nil {
		return kit.Reply{}, err
	}
	c.removeNodesLocked(lb, []int{n.ID})
	c.changedLocked(lb, c.Now())
	return kit.Status(http.StatusAccepted), nil
}

// batchDeleteNodes deletes ?id= nodes, all or none: 400 for an empty list,
// 422 when the load balancer is not ACTIVE, 400 (validation) for IDs not on
// it and for more than the batch delete limit, in that order.
func (c *CLB) batchDeleteNodes(call *kit.Call) (kit.Reply, error) {
	ids, bad := queryIDs(call)
	if len(ids) == 0 && len(bad) == 0 {
		return kit.Reply{}, kit.BadRequest(msgNoIDs)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if lb.Status != StatusActive {
		return kit.Reply{}, kit.Errorf(http.StatusUnprocessableEntity, msgNotActive)
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
		return kit.Reply{}, validationFailure(fmt.Sprintf("Node ids %s are not a part of your loadbalancer", list))
	}
	if limit := c.cfg.limits.BatchDelete; limit > 0 && len(ids) > limit {
		return kit.Reply{}, validationFailure(fmt.Sprintf(
			"Request to delete %d nodes exceeds the account limit BATCH_DELETE_LIMIT of %d please attempt to delete fewer then %d nodes",
			len(ids), limit, limit))
	}
	if err := c.checkRemainingNodesLocked(lb, ids); err != nil {
		return kit.Reply{}, err
	}
	c.removeNodesLocked(lb, ids)
	c.changedLocked(lb, c.Now())
	return kit.Status(http.StatusAccepted), nil
}

// checkRemainingNodesLocked refuses to leave only SECONDARY nodes.
func (c *CLB) checkRemainingNodesLocked(lb *loadBalancer, removing []int) error {
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
		return kit.BadRequest("you must have at least one primary node enabled")
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

type nodeEventsJSON struct {
	NodeServiceEvents []nodeEventJSON `json:"nodeServiceEvents"`
	Links             []linkJSON      `json:"links"`
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
func (c *CLB) listNodeEvents(call *kit.Call) (kit.Reply, error) {
	limit, offset, marker := pageParams(call.Query(), 100)
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
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
	return kit.OK(nodeEventsJSON{NodeServiceEvents: out, Links: []linkJSON{}}), nil
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
// creation and update. Its errors are *kit.Errors like every handler's;
// renderError answers them as the API's XML faults, as it does every
// failure of a path ending in .atom.
func (c *CLB) getNodeFeed(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	n := c.nodeFromPath(call, lb)
	if n == nil {
		return kit.Reply{}, kit.Errorf(http.StatusNotFound, "Node not found")
	}
	var b strings.Builder
	b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom">`)
	for _, e := range n.feed {
		fmt.Fprintf(&b, "<entry><summary>%s</summary><updated>%s</updated></entry>",
			html.EscapeString(e.summary), e.at.UTC().Format("2006-01-02T15:04:05.000000Z"))
	}
	b.WriteString(`</feed>`)
	return kit.Raw(http.StatusOK, "application/atom+xml", []byte(b.String())), nil
}
