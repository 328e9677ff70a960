package compute

import (
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the version documents.
const (
	OpVersions   = "compute.versions"
	OpVersionV21 = "compute.version.v2.1"
	OpVersionV2  = "compute.version.v2"
)

// apiRoots are where the API is served: OpenStack's /v2.1/{project_id} and
// Rackspace's (and legacy Nova's) /v2/{project_id}. Both roots share the
// ops: an operation has one name however it is reached.
var apiRoots = []string{"/v2.1/{project_id}", "/v2/{project_id}"}

// routes is the route table: the version documents and Mimic's control API
// (public), then the API under both roots, each call run through before.
func (c *Compute) routes() []kit.Route {
	t := []kit.Route{
		{Op: OpVersions, Method: "GET", Path: "/", Handler: c.versions, Public: true},
		{Op: OpVersionV21, Method: "GET", Path: "/v2.1", Handler: c.versionV21, Public: true},
		{Op: OpVersionV21, Method: "GET", Path: "/v2.1/", Handler: c.versionV21, Public: true},
		{Op: OpVersionV2, Method: "GET", Path: "/v2", Handler: c.versionV2, Public: true},
		{Op: OpVersionV2, Method: "GET", Path: "/v2/", Handler: c.versionV2, Public: true},
	}
	t = append(t, c.controlRoutes()...)
	t = append(t, c.noVNCRoutes()...)
	var api []kit.Route
	api = append(api, c.serverRoutes()...)
	api = append(api, c.actionRoutes()...)
	api = append(api, c.flavorRoutes()...)
	api = append(api, c.imageRoutes()...)
	api = append(api, c.keypairRoutes()...)
	api = append(api, c.limitRoutes()...)
	api = append(api, c.zoneRoutes()...)
	api = append(api, c.serverGroupRoutes()...)
	api = append(api, c.volumeRoutes()...)
	api = append(api, c.interfaceRoutes()...)
	api = append(api, c.diagnosticsRoutes()...)
	api = append(api, c.consoleRoutes()...)
	api = append(api, c.instanceActionRoutes()...)
	api = append(api, c.hypervisorRoutes()...)
	api = append(api, c.adminRoutes()...)
	api = append(api, c.proxyRoutes()...)
	api = append(api, c.securityGroupRoutes()...)
	return append(t, kit.Under(apiRoots, before, api...)...)
}

// before is what every API call shares: the microversion, negotiated and
// echoed, and the project check.
func before(call *kit.Call) error {
	v, err := negotiateVersion(call.Request)
	if err != nil {
		return err
	}
	call.Version = v
	if versionRoot(call) != "/v2" {
		// The legacy root strips the microversion headers from responses
		// too (Nova's LegacyV2CompatibleWrapper).
		setVersionHeaders(call.Header(), v)
	}
	project := call.Var("project_id")
	if call.OutOfScope(project) {
		return kit.BadRequest("Malformed request URL: URL's project_id '%s' doesn't match Context's project_id '%s'", project, call.Principal.ProjectID)
	}
	return nil
}

// route is shorthand for one row of the API table.
func route(op, method, path string, h kit.Handler) kit.Route {
	return kit.Route{Op: op, Method: method, Path: path, Handler: h}
}
