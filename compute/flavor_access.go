// os-flavor-access: the projects that may use a private flavor (admin
// only): GET /flavors/{id}/os-flavor-access and the addTenantAccess and
// removeTenantAccess actions. A project on the list sees the flavor in
// its flavor list and may boot from it (flavorVisible).
//
// Fidelity limits: the project is not checked against Keystone (Nova
// asks Keystone, when it can, whether it exists).

package compute

import (
	"encoding/json"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-flavor-access. POST /flavors/{id}/action is named by
// its action, as server actions are.
const (
	OpListFlavorAccess         = "compute.flavors.access.list"
	OpFlavorAction             = "compute.flavors.action"
	OpFlavorAddTenantAccess    = OpFlavorAction + ".addTenantAccess"
	OpFlavorRemoveTenantAccess = OpFlavorAction + ".removeTenantAccess"
)

func (c *Compute) flavorAccessRoutes() []kit.Route {
	return []kit.Route{
		route(OpListFlavorAccess, "GET", "/flavors/{flavor_id}/os-flavor-access", c.listFlavorAccess),
		{Op: OpFlavorAction, Method: "POST", Path: "/flavors/{flavor_id}/action", Handler: c.flavorAction,
			Refine: refineFlavorAction, Ops: []string{OpFlavorAddTenantAccess, OpFlavorRemoveTenantAccess}},
	}
}

func refineFlavorAction(_ *http.Request, body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || len(m) != 1 {
		return ""
	}
	switch {
	case m["addTenantAccess"] != nil:
		return OpFlavorAddTenantAccess
	case m["removeTenantAccess"] != nil:
		return OpFlavorRemoveTenantAccess
	}
	return ""
}

// flavorAccessJSON is one row of a flavor's access list.
type flavorAccessJSON struct {
	FlavorID string `json:"flavor_id"`
	TenantID string `json:"tenant_id"`
}

type flavorAccessBody struct {
	FlavorAccess []flavorAccessJSON `json:"flavor_access"`
}

func flavorAccessOf(f *Flavor) flavorAccessBody {
	out := flavorAccessBody{FlavorAccess: make([]flavorAccessJSON, 0, len(f.Projects))}
	for _, p := range f.Projects {
		out.FlavorAccess = append(out.FlavorAccess, flavorAccessJSON{FlavorID: f.ID, TenantID: p})
	}
	return out
}

func (c *Compute) listFlavorAccess(call *kit.Call) (kit.Reply, error) {
	if err := nvAdminOnly(call, "os_compute_api:os-flavor-access"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.flavorLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if f.IsPublic {
		return kit.Reply{}, kit.NotFound("Access list not available for public flavors.")
	}
	return kit.OK(flavorAccessOf(f)), nil
}

// parseTenantAccess applies the schema of addTenantAccess and
// removeTenantAccess: {"<action>": {"tenant": "<1 to 255 characters>"}}.
func parseTenantAccess(body []byte) (action, tenant string, err error) {
	m, err := rootMembers(body)
	if err != nil {
		return "", "", err
	}
	for _, a := range []string{"addTenantAccess", "removeTenantAccess"} {
		if _, ok := m[a]; ok {
			action = a
		}
	}
	if action == "" || len(m) != 1 {
		return "", "", kit.BadRequest("Invalid action")
	}
	var in struct {
		Tenant json.RawMessage `json:"tenant"`
	}
	wrapper, err := decodeWrapped(body, action, map[string]bool{"tenant": true}, &in)
	if err != nil {
		return "", "", err
	}
	if in.Tenant == nil {
		return "", "", kit.BadRequest("Invalid input for field/attribute %s. Value: %s. 'tenant' is a required property", action, pyValue(wrapper[action]))
	}
	if json.Unmarshal(in.Tenant, &tenant) != nil {
		return "", "", nvFieldErr("tenant", in.Tenant, "%s is not of type 'string'", pyRepr(in.Tenant))
	}
	switch n := utf8.RuneCountInString(tenant); {
	case n == 0:
		return "", "", nvFieldErr("tenant", in.Tenant, "%s is too short", pyRepr(in.Tenant))
	case n > 255:
		return "", "", nvFieldErr("tenant", in.Tenant, "%s is too long", pyRepr(in.Tenant))
	}
	return action, tenant, nil
}

func (c *Compute) flavorAction(call *kit.Call) (kit.Reply, error) {
	action, tenant, err := parseTenantAccess(call.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	rule := "os_compute_api:os-flavor-access:add_tenant_access"
	if action == "removeTenantAccess" {
		rule = "os_compute_api:os-flavor-access:remove_tenant_access"
	}
	if err := nvAdminOnly(call, rule); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.flavorLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	i := slices.Index(f.Projects, tenant)
	if action == "removeTenantAccess" {
		if i < 0 {
			return kit.Reply{}, kit.NotFound("Flavor access not found for %s / %s combination.", f.ID, tenant)
		}
		f.Projects = slices.Delete(slices.Clone(f.Projects), i, i+1)
		return kit.OK(flavorAccessOf(f)), nil
	}
	if f.IsPublic && versionOf(call).AtLeast(7) {
		return kit.Reply{}, kit.Conflict("Can not add access to a public flavor.")
	}
	if i >= 0 {
		return kit.Reply{}, kit.Conflict("Flavor access already exists for flavor %s and project %s combination.", f.ID, tenant)
	}
	f.Projects = append(slices.Clone(f.Projects), tenant)
	return kit.OK(flavorAccessOf(f)), nil
}
