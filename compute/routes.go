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
	return t
}
