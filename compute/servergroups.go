// os-server-groups: list (own project, or all_projects for admins;
// limit/offset), create (policies before 2.64, policy and rules from it;
// soft policies from 2.15; the server-groups quota), show and delete.
// Members are the group's servers that are not deleted.
//
// Fidelity limits: groups list in ID order (Nova: creation order).

package compute

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-server-groups.
const (
	OpListServerGroups  = "compute.servergroups.list"
	OpCreateServerGroup = "compute.servergroups.create"
	OpGetServerGroup    = "compute.servergroups.get"
	OpDeleteServerGroup = "compute.servergroups.delete"
)

func (c *Compute) serverGroupRoutes() []kit.Route {
	return []kit.Route{
		route(OpListServerGroups, "GET", "/os-server-groups", c.listServerGroups),
		route(OpCreateServerGroup, "POST", "/os-server-groups", c.createServerGroup),
		route(OpGetServerGroup, "GET", "/os-server-groups/{group_id}", c.getServerGroup),
		route(OpDeleteServerGroup, "DELETE", "/os-server-groups/{group_id}", c.deleteServerGroup),
	}
}

// liveMembersLocked are a group's members that are not deleted, settled
// to now (a server whose deletion has elapsed leaves the group).
func (c *Compute) liveMembersLocked(g *ServerGroup) []string {
	now := c.Now()
	candidates := append([]string(nil), g.Members...)
	out := []string{}
	for _, id := range candidates {
		s, ok := c.servers[id]
		if !ok {
			continue
		}
		c.settleLocked(s, now)
		if !s.Deleted {
			out = append(out, id)
		}
	}
	return out
}

// serverGroupJSONLocked renders a group at the request's microversion:
// "policies" and an empty "metadata" before 2.64, "policy" and "rules"
// from it; project_id and user_id from 2.13.
func (c *Compute) serverGroupJSONLocked(call *kit.Call, g *ServerGroup) serverGroupJSON {
	v := versionOf(call)
	out := serverGroupJSON{ID: g.ID, Name: g.Name, Members: c.liveMembersLocked(g)}
	if v.AtLeast(64) {
		rules := map[string]int{}
		for k, n := range g.Rules {
			rules[k] = n
		}
		out.Policy, out.Rules = g.Policy, &rules
	} else {
		out.Policies, out.Metadata = []string{g.Policy}, &map[string]string{}
	}
	if v.AtLeast(13) {
		out.ProjectID, out.UserID = ptr(g.ProjectID), ptr(g.UserID)
	}
	return out
}

// serverGroupJSON is a server group as os-server-groups shows it.
type serverGroupJSON struct {
	ID        string             `json:"id"`
	Name      string             `json:"name"`
	Members   []string           `json:"members"`
	Policy    string             `json:"policy,omitempty"`   // 2.64
	Rules     *map[string]int    `json:"rules,omitempty"`    // 2.64
	Policies  []string           `json:"policies,omitempty"` // before 2.64
	Metadata  *map[string]string `json:"metadata,omitempty"` // before 2.64, always empty
	ProjectID *string            `json:"project_id,omitempty"`
	UserID    *string            `json:"user_id,omitempty"`
}

type serverGroupBody struct {
	ServerGroup serverGroupJSON `json:"server_group"`
}

type serverGroupList struct {
	ServerGroups []serverGroupJSON `json:"server_groups"`
}

func (c *Compute) listServerGroups(call *kit.Call) (kit.Reply, error) {
	if err := rejectUnknownQuery(call, 75, "all_projects", "limit", "offset"); err != nil {
		return kit.Reply{}, err
	}
	limit, given, err := queryInt(call, "limit", 0)
	if err != nil {
		return kit.Reply{}, err
	}
	if limit == 0 {
		given = false // Nova's limited(): 0 means max_limit
	}
	limit = pageSize(limit, given)
	offset, _, err := queryInt(call, "offset", 0)
	if err != nil {
		return kit.Reply{}, err
	}
	who := callerOf(call)
	_, all := call.Query()["all_projects"]
	all = all && who.admin
	c.mu.Lock()
	defer c.mu.Unlock()
	groups := make([]*ServerGroup, 0, len(c.groups))
	for _, g := range c.groups {
		if all || g.ProjectID == who.projectID {
			groups = append(groups, g)
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].ID < groups[j].ID })
	if offset > len(groups) {
		offset = len(groups)
	}
	groups = groups[offset:]
	if len(groups) > limit {
		groups = groups[:limit]
	}
	body := serverGroupList{ServerGroups: make([]serverGroupJSON, 0, len(groups))}
	for _, g := range groups {
		body.ServerGroups = append(body.ServerGroups, c.serverGroupJSONLocked(call, g))
	}
	return kit.OK(body), nil
}

var maxServerPerHostPattern = regexp.MustCompile(`^[0-9]*$`)

// parseServerGroup applies the create schema of the request's
// microversion and returns the group to store.
func parseServerGroup(call *kit.Call) (ServerGroup, error) {
	v := versionOf(call)
	allowed := map[string]bool{"name": true, "policies": true}
	if v.AtLeast(64) {
		allowed = map[string]bool{"name": true, "policy": true, "rules": true}
	}
	var g ServerGroup
	m, err := membersOf(call, "server_group", allowed)
	if err != nil {
		return g, err
	}
	policyField := "policies"
	if v.AtLeast(64) {
		policyField = "policy"
	}
	for _, k := range []string{"name", policyField} {
		if _, ok := m[k]; !ok {
			return g, kit.BadRequest("Invalid input for field/attribute server_group. Value: %s. '%s' is a required property", compactMembers(m), k)
		}
	}
	if json.Unmarshal(m["name"], &g.Name) != nil {
		return g, kit.BadRequest("Invalid input for field/attribute name. Value: %s. %s is not of type 'string'", pyValue(m["name"]), pyRepr(m["name"]))
	}
	if err := validNovaName("name", g.Name); err != nil {
		return g, err
	}
	policies := []string{"anti-affinity", "affinity"}
	if v.AtLeast(15) {
		policies = append(policies, "soft-anti-affinity", "soft-affinity")
	}
	enum := func(field, p string) error {
		if slices.Contains(policies, p) {
			return nil
		}
		return kit.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is not one of %s", field, p, p, quotedList(policies))
	}
	if !v.AtLeast(64) {
		raw := m["policies"]
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil || list == nil {
			return g, kit.BadRequest("Invalid input for field/attribute policies. Value: %s. %s is not of type 'array'", pyValue(raw), pyRepr(raw))
		}
		switch {
		case len(list) == 0:
			return g, kit.BadRequest("Invalid input for field/attribute policies. Value: []. [] should be non-empty")
		case len(list) > 1:
			return g, kit.BadRequest("Invalid input for field/attribute policies. Value: %s. %s is too long", raw, raw)
		}
		if json.Unmarshal(list[0], &g.Policy) != nil {
			return g, kit.BadRequest("Invalid input for field/attribute 0. Value: %s. %s is not of type 'string'", pyValue(list[0]), pyRepr(list[0]))
		}
		return g, enum("0", g.Policy)
	}
	if json.Unmarshal(m["policy"], &g.Policy) != nil {
		return g, kit.BadRequest("Invalid input for field/attribute policy. Value: %s. %s is not of type 'string'", pyValue(m["policy"]), pyRepr(m["policy"]))
	}
	if err := enum("policy", g.Policy); err != nil {
		return g, err
	}
	if raw, ok := m["rules"]; ok {
		var rules map[string]json.RawMessage
		if json.Unmarshal(raw, &rules) != nil || rules == nil {
			return g, kit.BadRequest("Invalid input for field/attribute rules. Value: %s. %s is not of type 'object'", pyValue(raw), pyRepr(raw))
		}
		for k := range rules {
			if k != "max_server_per_host" {
				return g, kit.BadRequest("Invalid input for field/attribute rules. Value: %s. Additional properties are not allowed ('%s' was unexpected)", compactMembers(rules), k)
			}
		}
		if raw, ok := rules["max_server_per_host"]; ok {
			n, err := schemaInt("max_server_per_host", raw, maxServerPerHostPattern, 1, 1<<62)
			if err != nil {
				return g, err
			}
			g.Rules = map[string]int{"max_server_per_host": int(n)}
		}
		if len(g.Rules) > 0 && g.Policy != "anti-affinity" {
			return g, kit.BadRequest("Only anti-affinity policy supports rules.")
		}
	}
	return g, nil
}

func (c *Compute) createServerGroup(call *kit.Call) (kit.Reply, error) {
	g, err := parseServerGroup(call)
	if err != nil {
		return kit.Reply{}, err
	}
	who := callerOf(call)
	c.mu.Lock()
	defer c.mu.Unlock()
	if limit := c.quotaLocked(who.projectID).ServerGroups; limit >= 0 && c.usageLocked(who.projectID).groups+1 > limit {
		return kit.Reply{}, kit.Forbidden("Quota exceeded, too many server groups.")
	}
	g.ID = c.RNG().UUID()
	g.ProjectID, g.UserID = who.projectID, who.userID
	g.Members = []string{}
	if g.Rules == nil {
		g.Rules = map[string]int{}
	}
	stored := g
	c.groups[g.ID] = &stored
	return kit.OK(serverGroupBody{c.serverGroupJSONLocked(call, &stored)}), nil
}

// serverGroupLocked finds a group; Nova looks it up in every project and
// then lets only its own project (or an admin) at it.
func (c *Compute) serverGroupLocked(call *kit.Call, action string) (*ServerGroup, error) {
	id := call.Var("group_id")
	g, ok := c.groups[id]
	if !ok {
		return nil, kit.NotFound("Instance group %s could not be found.", id)
	}
	if who := callerOf(call); g.ProjectID != who.projectID && !who.admin {
		return nil, policyDenied("os_compute_api:os-server-groups:" + action)
	}
	return g, nil
}

func (c *Compute) getServerGroup(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, err := c.serverGroupLocked(call, "show")
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(serverGroupBody{c.serverGroupJSONLocked(call, g)}), nil
}

func (c *Compute) deleteServerGroup(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, err := c.serverGroupLocked(call, "delete")
	if err != nil {
		return kit.Reply{}, err
	}
	delete(c.groups, g.ID)
	return kit.Status(http.StatusNoContent), nil
}

// ServerGroups returns every server group, by ID, with the members the
// API shows (those not deleted by now).
func (c *Compute) ServerGroups() []ServerGroup {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]ServerGroup, 0, len(c.groups))
	for _, g := range c.groups {
		cp := *g
		cp.Members = c.liveMembersLocked(g)
		cp.Rules = make(map[string]int, len(g.Rules))
		for k, n := range g.Rules {
			cp.Rules[k] = n
		}
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
