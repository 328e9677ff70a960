package loadbalancer

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
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
func (c *CLB) controlRoutes(r *mux.Router) {
	r.Handle("/v2/{tenant_id}/loadbalancer/{lb_id:[0-9]+}/attributes", c.serve(c.controlSetAttributes)).
		Methods("PATCH").Name(OpControlSetAttributes)
	r.Handle("/v2/{tenant_id}/loadbalancers/{lb_id:[0-9]+}/nodes/{node_id:[0-9]+}/status", c.serve(c.controlSetNodeStatus)).
		Methods("PUT").Name(OpControlSetNodeStatus)
}

func invalidJSONBody() *apiError { return badRequest("Invalid JSON request body") }

// controlSetAttributes sets attributes of a load balancer; "status" is the
// only one. The status sticks until set again. 204 on success.
func (c *CLB) controlSetAttributes(r *http.Request) (int, any, *apiError) {
	tenant := tenantOf(r)
	id, _ := strconv.Atoi(pathVar(r, "lb_id"))
	c.mu.Lock()
	defer c.mu.Unlock()
	lb := c.lookupLocked(tenant, id)
	if lb == nil {
		return 0, nil, errorf(http.StatusNotFound, "Tenant %s doesn't own load balancer %d", tenant, id)
	}
	var attrs map[string]json.RawMessage
	if json.Unmarshal(readBody(r), &attrs) != nil || attrs == nil {
		return 0, nil, invalidJSONBody()
	}
	for k := range attrs {
		if k != "status" {
			return 0, nil, badRequest("Attempt to alter a bad attribute")
		}
	}
	raw, ok := attrs["status"]
	if !ok {
		return http.StatusNoContent, nil, nil
	}
	var status string
	if json.Unmarshal(raw, &status) != nil || !knownStatus(status) {
		quoted := make([]string, len(statusNames))
		for i, s := range statusNames {
			quoted[i] = "'" + s + "'"
		}
		return 0, nil, badRequest("Unsupported status %s not one of [%s]", strings.Trim(string(raw), `"`), strings.Join(quoted, ", "))
	}
	c.setStatusLocked(lb, status)
	return http.StatusNoContent, nil, nil
}

// controlSetNodeStatus sets a node ONLINE or OFFLINE, as a health check
// would (recorded as a node service event). 200 with no body.
func (c *CLB) controlSetNodeStatus(r *http.Request) (int, any, *apiError) {
	tenant := tenantOf(r)
	id, _ := strconv.Atoi(pathVar(r, "lb_id"))
	nodeID, _ := strconv.Atoi(pathVar(r, "node_id"))
	c.mu.Lock()
	defer c.mu.Unlock()
	lb := c.lookupLocked(tenant, id)
	if lb == nil {
		return 0, nil, errorf(http.StatusNotFound, "Tenant %s doesn't own load balancer %d", tenant, id)
	}
	n := lb.node(nodeID)
	if n == nil {
		return 0, nil, errorf(http.StatusNotFound, "Load balancer %d on tenant %s does not have node %d", id, tenant, nodeID)
	}
	var in map[string]any
	if json.Unmarshal(readBody(r), &in) != nil {
		return 0, nil, invalidJSONBody()
	}
	status, _ := in["status"].(string)
	if status != NodeOnline && status != NodeOffline {
		return 0, nil, badRequest("status key not found or it must have ONLINE or OFFLINE value")
	}
	c.forceNodeStatusLocked(lb, n, status)
	return http.StatusOK, nil, nil
}
