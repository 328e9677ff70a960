package loadbalancer

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of Mimic's control API (its cloudLoadBalancerControl
// service). They take no token.
const (
	OpControlSetAttributes = "loadbalancer.control.attributes"
	OpControlSetNodeStatus = "loadbalancer.control.nodes.status"
)

// controlRoutes serves Mimic's load balancer control API at the paths Mimic
// serves it, relative to where the service is mounted:
//
//	PATCH /v2/{tenant_id}/loadbalancer/{lb_id}/attributes                  {"status": "ERROR"}
//	PUT   /v2/{tenant_id}/loadbalancers/{lb_id}/nodes/{node_id}/status     {"status": "OFFLINE"}
func (c *CLB) controlRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpControlSetAttributes, Method: "PATCH", Path: rootV2 + "/loadbalancer/{lb_id:[0-9]+}/attributes",
			Handler: c.controlSetAttributes, Public: true},
		{Op: OpControlSetNodeStatus, Method: "PUT", Path: rootV2 + "/loadbalancers/{lb_id:[0-9]+}/nodes/{node_id:[0-9]+}/status",
			Handler: c.controlSetNodeStatus, Public: true},
	}
}

func invalidJSONBody() *kit.Error { return kit.BadRequest("Invalid JSON request body") }

// controlSetAttributes sets attributes of a load balancer; "status" is the
// only one. The status sticks until set again. 204 on success. A load
// balancer the tenant does not own is reported before a bad body.
func (c *CLB) controlSetAttributes(call *kit.Call) (kit.Reply, error) {
	tenant := tenantOf(call)
	id, _ := strconv.Atoi(call.Var("lb_id"))
	status, bodyErr := parseAttributes(call.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	lb := c.lookupLocked(tenant, id)
	if lb == nil {
		return kit.Reply{}, kit.Errorf(http.StatusNotFound, "Tenant %s doesn't own load balancer %d", tenant, id)
	}
	if bodyErr != nil {
		return kit.Reply{}, bodyErr
	}
	if status != "" {
		c.setStatusLocked(lb, status)
	}
	return kit.Status(http.StatusNoContent), nil
}

// parseAttributes reads {"status": "ERROR"}: the status to set, "" for
// none.
func parseAttributes(body []byte) (string, error) {
	var attrs map[string]json.RawMessage
	if json.Unmarshal(body, &attrs) != nil || attrs == nil {
		return "", invalidJSONBody()
	}
	for k := range attrs {
		if k != "status" {
			return "", kit.BadRequest("Attempt to alter a bad attribute")
		}
	}
	raw, ok := attrs["status"]
	if !ok {
		return "", nil
	}
	var status string
	if json.Unmarshal(raw, &status) != nil || !knownStatus(status) {
		quoted := make([]string, len(statusNames))
		for i, s := range statusNames {
			quoted[i] = "'" + s + "'"
		}
		return "", kit.BadRequest("Unsupported status %s not one of [%s]", strings.Trim(string(raw), `"`), strings.Join(quoted, ", "))
	}
	return status, nil
}

// controlSetNodeStatus sets a node ONLINE or OFFLINE, as a health check
// would (recorded as a node service event). 200 with no body.
func (c *CLB) controlSetNodeStatus(call *kit.Call) (kit.Reply, error) {
	tenant := tenantOf(call)
	id, _ := strconv.Atoi(call.Var("lb_id"))
	nodeID, _ := strconv.Atoi(call.Var("node_id"))
	status, bodyErr := parseNodeStatus(call.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	lb := c.lookupLocked(tenant, id)
	if lb == nil {
		return kit.Reply{}, kit.Errorf(http.StatusNotFound, "Tenant %s doesn't own load balancer %d", tenant, id)
	}
	n := lb.node(nodeID)
	if n == nil {
		return kit.Reply{}, kit.Errorf(http.StatusNotFound, "Load balancer %d on tenant %s does not have node %d", id, tenant, nodeID)
	}
	if bodyErr != nil {
		return kit.Reply{}, bodyErr
	}
	c.forceNodeStatusLocked(lb, n, status)
	return kit.Status(http.StatusOK), nil
}

// parseNodeStatus reads {"status": "ONLINE"|"OFFLINE"}.
func parseNodeStatus(body []byte) (string, error) {
	var in map[string]any
	if json.Unmarshal(body, &in) != nil {
		return "", invalidJSONBody()
	}
	status, _ := in["status"].(string)
	if status != NodeOnline && status != NodeOffline {
		return "", kit.BadRequest("status key not found or it must have ONLINE or OFFLINE value")
	}
	return status, nil
}
