// The os-security-groups proxy API (until 2.35, 404 above, as Nova), its
// rules (os-security-group-rules) and a server's security groups. Groups
// are kept per project; the "default" group, and any group a server names,
// exist without being created (IDs derived from project and name).

package compute

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the security group proxy.
const (
	OpListSecurityGroups       = "compute.security-groups.list"
	OpCreateSecurityGroup      = "compute.security-groups.create"
	OpGetSecurityGroup         = "compute.security-groups.get"
	OpUpdateSecurityGroup      = "compute.security-groups.update"
	OpDeleteSecurityGroup      = "compute.security-groups.delete"
	OpCreateSecurityGroupRule  = "compute.security-group-rules.create"
	OpDeleteSecurityGroupRule  = "compute.security-group-rules.delete"
	OpListServerSecurityGroups = "compute.servers.security-groups.list"
)

func (c *Compute) securityGroupRoutes() []kit.Route {
	return []kit.Route{
		route(OpListSecurityGroups, "GET", "/os-security-groups", c.listSecurityGroups),
		route(OpCreateSecurityGroup, "POST", "/os-security-groups", c.createSecurityGroup),
		route(OpGetSecurityGroup, "GET", "/os-security-groups/{group_id}", c.getSecurityGroup),
		route(OpUpdateSecurityGroup, "PUT", "/os-security-groups/{group_id}", c.updateSecurityGroup),
		route(OpDeleteSecurityGroup, "DELETE", "/os-security-groups/{group_id}", c.deleteSecurityGroup),
		route(OpCreateSecurityGroupRule, "POST", "/os-security-group-rules", c.createSecurityGroupRule),
		route(OpDeleteSecurityGroupRule, "DELETE", "/os-security-group-rules/{rule_id}", c.deleteSecurityGroupRule),
		route(OpListServerSecurityGroups, "GET", "/servers/{server_id}/os-security-groups", c.listServerSecurityGroups),
	}
}

// secGroup is a security group of one project.
type secGroup struct {
	id, name, description, project string
	rules                          []secRule
}

// secRule is one rule: a protocol and port range from a CIDR or a group.
type secRule struct {
	id, protocol, cidr, groupID string
	from, to                    *int
}

// The wire forms.
type (
	secGroupJSON struct {
		ID          string        `json:"id"`
		Name        string        `json:"name"`
		Description string        `json:"description"`
		TenantID    string        `json:"tenant_id"`
		Rules       []secRuleJSON `json:"rules"`
	}
	secRuleJSON struct {
		ID            string       `json:"id"`
		ParentGroupID string       `json:"parent_group_id"`
		IPProtocol    *string      `json:"ip_protocol"`
		FromPort      *int         `json:"from_port"`
		ToPort        *int         `json:"to_port"`
		IPRange       ipRangeJSON  `json:"ip_range"`
		Group         groupRefJSON `json:"group"`
	}
	ipRangeJSON struct {
		CIDR string `json:"cidr,omitempty"`
	}
	groupRefJSON struct {
		Name     string `json:"name,omitempty"`
		TenantID string `json:"tenant_id,omitempty"`
	}
	secGroupBody struct {
		SecurityGroup secGroupJSON `json:"security_group"`
	}
	secGroupsBody struct {
		SecurityGroups []secGroupJSON `json:"security_groups"`
	}
	secRuleBody struct {
		SecurityGroupRule secRuleJSON `json:"security_group_rule"`
	}
)

// implicitGroupLocked returns the project's group of that name, made on
// first use with an ID derived from project and name.
func (c *Compute) implicitGroupLocked(project, name string) *secGroup {
	for _, g := range c.secGroups {
		if g.project == project && g.name == name {
			return g
		}
	}
	desc := ""
	if name == "default" {
		desc = "Default security group"
	}
	g := &secGroup{id: uuid.NewSHA1(uuid.NameSpaceOID, []byte("mockcloud/security-group/"+project+"/"+name)).String(),
		name: name, description: desc, project: project}
	if c.secGroups == nil {
		c.secGroups = map[string]*secGroup{}
	}
	c.secGroups[g.id] = g
	return g
}

// projectGroupsLocked are a project's groups by name, "default" and the
// ones its servers name included.
func (c *Compute) projectGroupsLocked(project string) []*secGroup {
	c.implicitGroupLocked(project, "default")
	for _, s := range c.byProject[project] {
		if !s.Deleted {
			for _, name := range s.SecurityGroups {
				c.implicitGroupLocked(project, name)
			}
		}
	}
	var out []*secGroup
	for _, g := range c.secGroups {
		if g.project == project {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].name < out[j].name || out[i].name == out[j].name && out[i].id < out[j].id
	})
	return out
}

func (c *Compute) groupJSONLocked(g *secGroup) secGroupJSON {
	out := secGroupJSON{ID: g.id, Name: g.name, Description: g.description, TenantID: g.project, Rules: []secRuleJSON{}}
	for _, r := range g.rules {
		out.Rules = append(out.Rules, c.ruleJSONLocked(g, r))
	}
	return out
}

func (c *Compute) ruleJSONLocked(g *secGroup, r secRule) secRuleJSON {
	out := secRuleJSON{ID: r.id, ParentGroupID: g.id, IPProtocol: nullString(r.protocol), FromPort: r.from, ToPort: r.to}
	if src, ok := c.secGroups[r.groupID]; ok && r.groupID != "" {
		out.Group = groupRefJSON{Name: src.name, TenantID: src.project}
	} else {
		out.IPRange = ipRangeJSON{CIDR: r.cidr}
	}
	return out
}

// groupLocked is one of the caller's groups by ID: 404 otherwise.
func (c *Compute) groupLocked(call *kit.Call, id string) (*secGroup, error) {
	c.projectGroupsLocked(callerOf(call).projectID)
	g, ok := c.secGroups[id]
	if !ok || g.project != callerOf(call).projectID && !adminAllowed(call) {
		return nil, kit.NotFound("Security group %s not found.", id)
	}
	return g, nil
}

func (c *Compute) listSecurityGroups(call *kit.Call) (kit.Reply, error) {
	if err := proxyVersion(call); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := secGroupsBody{SecurityGroups: []secGroupJSON{}}
	for _, g := range c.projectGroupsLocked(callerOf(call).projectID) {
		out.SecurityGroups = append(out.SecurityGroups, c.groupJSONLocked(g))
	}
	return kit.OK(out), nil
}

// secGroupRequest is the body of create and update.
type secGroupRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

func parseSecGroup(call *kit.Call) (secGroupRequest, error) {
	var in secGroupRequest
	if err := decodeServerBody(call, "security_group", nil, &in); err != nil {
		return in, err
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", in.Name}, {"description", in.Description}} {
		if f.v == nil {
			return in, kit.BadRequest("Invalid input for field/attribute security_group. Value: %s. '%s' is a required property", compactJSON(call.Body), f.name)
		}
		if len(*f.v) > 255 {
			return in, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is too long", f.name, *f.v, *f.v)
		}
	}
	return in, nil
}

func (c *Compute) createSecurityGroup(call *kit.Call) (kit.Reply, error) {
	if err := proxyVersion(call); err != nil {
		return kit.Reply{}, err
	}
	in, err := parseSecGroup(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.secGroups == nil {
		c.secGroups = map[string]*secGroup{}
	}
	g := &secGroup{id: c.RNG().UUID(), name: *in.Name, description: *in.Description, project: callerOf(call).projectID}
	c.secGroups[g.id] = g
	return kit.OK(secGroupBody{c.groupJSONLocked(g)}), nil
}

func (c *Compute) getSecurityGroup(call *kit.Call) (kit.Reply, error) {
	if err := proxyVersion(call); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	g, err := c.groupLocked(call, call.Var("group_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(secGroupBody{c.groupJSONLocked(g)}), nil
}

func (c *Compute) updateSecurityGroup(call *kit.Call) (kit.Reply, error) {
	if err := proxyVersion(call); err != nil {
		return kit.Reply{}, err
	}
	in, err := parseSecGroup(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	g, err := c.groupLocked(call, call.Var("group_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	g.name, g.description = *in.Name, *in.Description
	return kit.OK(secGroupBody{c.groupJSONLocked(g)}), nil
}

func (c *Compute) deleteSecurityGroup(call *kit.Call) (kit.Reply, error) {
	if err := proxyVersion(call); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	g, err := c.groupLocked(call, call.Var("group_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	if g.name == "default" {
		return kit.Reply{}, kit.BadRequest("Removing default security group not allowed.")
	}
	for _, s := range c.byProject[g.project] {
		if !s.Deleted && slices.Contains(s.SecurityGroups, g.name) {
			return kit.Reply{}, kit.BadRequest("Security group %s is in use.", g.id)
		}
	}
	delete(c.secGroups, g.id)
	return kit.Status(http.StatusAccepted), nil
}

// secRuleRequest is the body of a rule's create.
type secRuleRequest struct {
	ParentGroupID *string         `json:"parent_group_id"`
	GroupID       *string         `json:"group_id"`
	IPProtocol    *string         `json:"ip_protocol"`
	FromPort      json.RawMessage `json:"from_port"`
	ToPort        json.RawMessage `json:"to_port"`
	CIDR          *string         `json:"cidr"`
}

// parseSecRule reads a rule as Nova's neutron driver builds it.
func parseSecRule(call *kit.Call) (secRuleRequest, secRule, error) {
	var in secRuleRequest
	var r secRule
	if err := decodeServerBody(call, "security_group_rule", nil, &in); err != nil {
		return in, r, err
	}
	if in.ParentGroupID == nil {
		return in, r, kit.BadRequest("Invalid input for field/attribute security_group_rule. Value: %s. 'parent_group_id' is a required property", compactJSON(call.Body))
	}
	if !isUUIDLike(*in.ParentGroupID) {
		return in, r, kit.BadRequest("Invalid input for field/attribute parent_group_id. Value: %s. '%s' is not a 'uuid'", *in.ParentGroupID, *in.ParentGroupID)
	}
	if in.GroupID != nil && *in.GroupID != "" {
		if !isUUIDLike(*in.GroupID) {
			return in, r, kit.BadRequest("Invalid input for field/attribute group_id. Value: %s. '%s' is not a 'uuid'", *in.GroupID, *in.GroupID)
		}
		r.groupID = *in.GroupID
	}
	if in.IPProtocol != nil {
		r.protocol = strings.ToLower(*in.IPProtocol)
		if r.protocol != "tcp" && r.protocol != "udp" && r.protocol != "icmp" {
			return in, r, kit.BadRequest("Invalid IP protocol %s.", *in.IPProtocol)
		}
	}
	for _, p := range []struct {
		raw json.RawMessage
		dst **int
	}{{in.FromPort, &r.from}, {in.ToPort, &r.to}} {
		if len(p.raw) == 0 || isJSONNull(p.raw) {
			continue
		}
		n, err := schemaInt("port", p.raw, bootIndexPattern, -1, 65535)
		if err != nil {
			return in, r, kit.BadRequest("Invalid port range %s:%s.", pyValue(in.FromPort), pyValue(in.ToPort))
		}
		*p.dst = ptr(int(n))
	}
	if r.protocol == "" && r.groupID == "" && (in.CIDR == nil || *in.CIDR == "") {
		return in, r, kit.BadRequest("Not enough parameters to build a valid rule.")
	}
	if in.CIDR != nil {
		r.cidr = *in.CIDR
	}
	if r.cidr == "" && r.groupID == "" {
		r.cidr = "0.0.0.0/0"
	}
	return in, r, nil
}

func (c *Compute) createSecurityGroupRule(call *kit.Call) (kit.Reply, error) {
	if err := proxyVersion(call); err != nil {
		return kit.Reply{}, err
	}
	in, r, err := parseSecRule(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	g, err := c.groupLocked(call, *in.ParentGroupID)
	if err != nil {
		return kit.Reply{}, err
	}
	if r.groupID != "" {
		if _, err := c.groupLocked(call, r.groupID); err != nil {
			return kit.Reply{}, err
		}
	}
	r.id = c.RNG().UUID()
	g.rules = append(g.rules, r)
	return kit.OK(secRuleBody{c.ruleJSONLocked(g, r)}), nil
}

func (c *Compute) deleteSecurityGroupRule(call *kit.Call) (kit.Reply, error) {
	if err := proxyVersion(call); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id := call.Var("rule_id")
	for _, g := range c.projectGroupsLocked(callerOf(call).projectID) {
		for i, r := range g.rules {
			if r.id == id {
				g.rules = append(g.rules[:i:i], g.rules[i+1:]...)
				return kit.Status(http.StatusAccepted), nil
			}
		}
	}
	return kit.Reply{}, kit.NotFound("Rule (%s) not found", id)
}

// listServerSecurityGroups is GET /servers/{id}/os-security-groups (at
// every microversion, as in Nova).
func (c *Compute) listServerSecurityGroups(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	out := secGroupsBody{SecurityGroups: []secGroupJSON{}}
	for _, name := range s.SecurityGroups {
		out.SecurityGroups = append(out.SecurityGroups, c.groupJSONLocked(c.implicitGroupLocked(s.ProjectID, name)))
	}
	return kit.OK(out), nil
}
