package compute

// Route names of the version documents.
const (
	OpVersions   = "compute.versions"
	OpVersionV21 = "compute.version.v2.1"
	OpVersionV2  = "compute.version.v2"
)

// routeTable lists every API route under /v2.1/{project_id} (and /v2/…).
// Each resource file contributes its own rows.
func (c *Compute) routeTable() []apiRoute {
	var t []apiRoute
	t = append(t, c.serverRoutes()...)
	t = append(t, c.actionRoutes()...)
	t = append(t, c.flavorRoutes()...)
	t = append(t, c.imageRoutes()...)
	t = append(t, c.keypairRoutes()...)
	t = append(t, c.limitRoutes()...)
	t = append(t, c.zoneRoutes()...)
	t = append(t, c.serverGroupRoutes()...)
	t = append(t, c.volumeRoutes()...)
	t = append(t, c.interfaceRoutes()...)
	t = append(t, c.diagnosticsRoutes()...)
	t = append(t, c.consoleRoutes()...)
	t = append(t, c.instanceActionRoutes()...)
	t = append(t, c.hypervisorRoutes()...)
	return t
}
