// The os-security-groups proxy API (until 2.35, 404 above, as Nova), its
// rules (os-security-group-rules) and a server's security groups. Groups
// are kept per project; the "default" group, and any group a server names,
// exist without being created (IDs derived from project and name).

package compute

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
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
		route(OpListSecurityGroups, "GET", "/os-security-groups", proxyOnly(c.listSecurityGroups)),
		route(OpCreateSecurityGroup, "POST", "/os-security-groups", proxyOnly(c.createSecurityGroup)),
		route(OpGetSecurityGroup, "GET", "/os-security-groups/{group_id}", proxyOnly(c.getSecurityGroup)),
		route(OpUpdateSecurityGroup, "PUT", "/os-security-groups/{group_id}", proxyOnly(c.updateSecurityGroup)),
		route(OpDeleteSecurityGroup, "DELETE", "/os-security-groups/{group_id}", proxyOnly(c.deleteSecurityGroup)),
		route(OpCreateSecurityGroupRule, "POST", "/os-security-group-rules", proxyOnly(c.createSecurityGroupRule)),
		route(OpDeleteSecurityGroupRule, "DELETE", "/os-security-group-rules/{rule_id}", proxyOnly(c.deleteSecurityGroupRule)),
		route(OpListServerSecurityGroups, "GET", "/servers/{server_id}/os-security-groups", c.listServerSecurityGroups),
	}
}

// SecurityGroup is a project's security group (Neutron's, as Nova's
// proxy API shows it). A server may only be created in, or added to,
// groups its project has: "default", groups made through the proxy API,
// and those seeded here.
type SecurityGroup struct {
	ID          string // generated when empty
	ProjectID   string
	Name        string
	Description string
}

// AddSecurityGroup seeds a security group, bypassing HTTP, faults and the
// journal; it returns the stored group.
func (c *Compute) AddSecurityGroup(g SecurityGroup) (SecurityGroup, error) {
	if g.ProjectID == "" || g.Name == "" {
		return SecurityGroup{}, fmt.Errorf("compute: a security group needs a ProjectID and a Name")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if g.ID == "" {
		g.ID = c.RNG().UUID()
	}
	if _, dup := c.secGroups[g.ID]; dup {
		return SecurityGroup{}, fmt.Errorf("compute: security group %s already exists", g.ID)
	}
	if c.secGroups == nil {
		c.secGroups = map[string]*secGroup{}
	}
	c.secGroups[g.ID] = &secGroup{id: g.ID, name: g.Name, description: g.Description, project: g.ProjectID}
	return g, nil
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

// sameAs reports whether two rules match on what Nova compares to find a
// duplicate: source group, CIDR, ports and protocol.
func (r secRule) sameAs(o secRule) bool {
	samePort := func(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
	return r.groupID == o.groupID && r.cidr == o.cidr && r.protocol == o.protocol && samePort(r.from, o.from) && samePort(r.to, o.to)
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

// findGroupLocked is a project's group by name (unique) or ID, as
// Neutron's find_resourceid_by_name_or_id; "default" always exists.
func (c *Compute) findGroupLocked(project, nameOrID string) (*secGroup, bool) {
	var found *secGroup
	for _, g := range c.projectGroupsLocked(project) {
		if g.id == nameOrID {
			return g, true
		}
		if g.name == nameOrID {
			if found != nil {
				return nil, false // not unique
			}
			found = g
		}
	}
	return found, found != nil
}

// groupLocked is one of the caller's groups by ID: 400 for what is not a
// UUID, 404 for another project's or an unknown group.
func (c *Compute) groupLocked(call *kit.Call, id string) (*secGroup, error) {
	if !isUUIDLike(id) {
		return nil, kit.BadRequest("Security group id should be uuid")
	}
	c.projectGroupsLocked(callerOf(call).projectID)
	g, ok := c.secGroups[id]
	if !ok || g.project != callerOf(call).projectID && !adminAllowed(call) {
		return nil, kit.NotFound("Security group %s not found.", id)
	}
	return g, nil
}

func (c *Compute) listSecurityGroups(call *kit.Call) (kit.Reply, error) {
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
	c.mu.Lock()
	defer c.mu.Unlock()
	g, err := c.groupLocked(call, call.Var("group_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(secGroupBody{c.groupJSONLocked(g)}), nil
}

func (c *Compute) updateSecurityGroup(call *kit.Call) (kit.Reply, error) {
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
	// Neutron deletes the rules that name the group as their source.
	for _, other := range c.secGroups {
		other.rules = slices.DeleteFunc(other.rules, func(r secRule) bool { return r.groupID == g.id })
	}
	return kit.Status(http.StatusAccepted), nil
}

// secRuleRequest is the body of a rule's create. Nova validates only the
// group IDs; ports, protocol and CIDR are checked as its neutron driver
// builds the rule.
type secRuleRequest struct {
	ParentGroupID *string         `json:"parent_group_id"`
	GroupID       *string         `json:"group_id"`
	IPProtocol    json.RawMessage `json:"ip_protocol"`
	FromPort      json.RawMessage `json:"from_port"`
	ToPort        json.RawMessage `json:"to_port"`
	CIDR          json.RawMessage `json:"cidr"`
}

// parseSecRule reads a rule: parent_group_id and group_id are UUIDs (the
// schema), then the rule is built as Nova's security_group_api does.
func parseSecRule(call *kit.Call) (secRuleRequest, secRule, error) {
	var in secRuleRequest
	if err := decodeServerBody(call, "security_group_rule", nil, &in); err != nil {
		return in, secRule{}, err
	}
	if in.ParentGroupID == nil {
		return in, secRule{}, kit.BadRequest("Invalid input for field/attribute security_group_rule. Value: %s. 'parent_group_id' is a required property", compactJSON(call.Body))
	}
	if !isUUIDLike(*in.ParentGroupID) {
		return in, secRule{}, kit.BadRequest("Invalid input for field/attribute parent_group_id. Value: %s. '%s' is not a 'uuid'", *in.ParentGroupID, *in.ParentGroupID)
	}
	if in.GroupID != nil && !isUUIDLike(*in.GroupID) {
		return in, secRule{}, kit.BadRequest("Invalid input for field/attribute group_id. Value: %s. '%s' is not a 'uuid'", *in.GroupID, *in.GroupID)
	}
	r, err := newIngressRule(in)
	return in, r, err
}

// newIngressRule builds the rule Nova asks Neutron for: a group rule opens
// every port of its protocol when none are given; a CIDR rule (0.0.0.0/0
// when none is given) needs a protocol and both ports.
func newIngressRule(in secRuleRequest) (secRule, error) {
	var r secRule
	protocol := pyValue(in.IPProtocol)
	hasProtocol := len(in.IPProtocol) > 0 && !isJSONNull(in.IPProtocol) && protocol != ""
	from, to := optionalRaw(in.FromPort), optionalRaw(in.ToPort)
	if in.GroupID != nil {
		r.groupID = *in.GroupID
		if from == nil && to == nil {
			switch strings.ToUpper(protocol) {
			case "ICMP":
				from, to = json.RawMessage("-1"), json.RawMessage("-1")
			case "TCP", "UDP":
				from, to = json.RawMessage("1"), json.RawMessage("65535")
			}
		}
	} else {
		cidr, err := parseCIDR(in.CIDR)
		if err != nil {
			return r, err
		}
		r.cidr = cidr
	}
	if !hasProtocol || from == nil || to == nil {
		if r.groupID == "" {
			return r, kit.BadRequest("Not enough parameters to build a valid rule.")
		}
		return r, nil
	}
	lo, hi, err := rulePorts(protocol, from, to)
	if err != nil {
		return r, err
	}
	r.protocol, r.from, r.to = strings.ToLower(protocol), &lo, &hi
	return r, nil
}

// optionalRaw is raw, or nil when it is absent or null.
func optionalRaw(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || isJSONNull(raw) {
		return nil
	}
	return raw
}

// parseCIDR is a rule's source network: 0.0.0.0/0 when none is given, 400
// for what is not a network or has a zero prefix on a nonzero address.
func parseCIDR(raw json.RawMessage) (string, error) {
	cidr := pyValue(raw)
	if optionalRaw(raw) == nil || cidr == "" {
		return "0.0.0.0/0", nil
	}
	addr, ipnet, err := net.ParseCIDR(cidr)
	if err != nil {
		return "", kit.BadRequest("%s is not a valid IP network.", cidr)
	}
	if ones, _ := ipnet.Mask.Size(); ones == 0 && !addr.IsUnspecified() {
		return "", kit.BadRequest("Bad prefix for network in cidr %s", cidr)
	}
	return cidr, nil
}

// rulePorts converts and checks a rule's port range (ICMP type and code)
// as Nova does, with its messages.
func rulePorts(protocol string, from, to json.RawMessage) (int, int, error) {
	proto := strings.ToUpper(protocol)
	lo, errLo := pyInt(from)
	hi, errHi := pyInt(to)
	if errLo != nil || errHi != nil {
		if proto == "ICMP" {
			return 0, 0, kit.BadRequest("Invalid input received: Type and Code must be integers for ICMP protocol type")
		}
		return 0, 0, kit.BadRequest("Invalid input received: To and From ports must be integers")
	}
	badRange := func(msg string) error {
		return kit.BadRequest("Invalid port range %d:%d. %s", lo, hi, msg)
	}
	switch proto {
	case "TCP", "UDP":
		if lo > hi {
			return 0, 0, badRange("Former value cannot be greater than the later")
		}
		if lo < 1 || hi > 65535 {
			return 0, 0, badRange("Valid " + proto + " ports should be between 1-65535")
		}
	case "ICMP":
		if lo < -1 || lo > 255 || hi < -1 || hi > 255 {
			return 0, 0, badRange("For ICMP, the type:code must be valid")
		}
	default:
		return 0, 0, kit.BadRequest("Invalid IP protocol %s.", protocol)
	}
	return lo, hi, nil
}

// pyInt is Python's int() of a decoded JSON value: an integer, a float
// (truncated) or a string of digits.
func pyInt(raw json.RawMessage) (int, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case float64:
		if x > 1<<31 || x < -(1<<31) {
			return 0, strconv.ErrRange
		}
		return int(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err == nil && (n > 1<<31 || n < -(1<<31)) {
			err = strconv.ErrRange
		}
		return n, err
	}
	return 0, strconv.ErrSyntax
}

func (c *Compute) createSecurityGroupRule(call *kit.Call) (kit.Reply, error) {
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
	for _, old := range g.rules {
		if old.sameAs(r) {
			return kit.Reply{}, kit.BadRequest("This rule already exists in group %s", g.id)
		}
	}
	r.id = c.RNG().UUID()
	g.rules = append(g.rules, r)
	return kit.OK(secRuleBody{c.ruleJSONLocked(g, r)}), nil
}

func (c *Compute) deleteSecurityGroupRule(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := call.Var("rule_id")
	if !isUUIDLike(id) {
		return kit.Reply{}, kit.BadRequest("Security group id should be uuid")
	}
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
