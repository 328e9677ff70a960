package identity

import (
	"net/http"
	"sort"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of role assignments (grants).
const (
	OpV3GrantProjectRole  = "identity.v3.grants.project.put"
	OpV3CheckProjectRole  = "identity.v3.grants.project.check"
	OpV3RevokeProjectRole = "identity.v3.grants.project.delete"
	OpV3ListProjectRoles  = "identity.v3.grants.project.list"
	OpV3GrantDomainRole   = "identity.v3.grants.domain.put"
	OpV3CheckDomainRole   = "identity.v3.grants.domain.check"
	OpV3RevokeDomainRole  = "identity.v3.grants.domain.delete"
	OpV3ListDomainRoles   = "identity.v3.grants.domain.list"
	OpV3GrantSystemRole   = "identity.v3.grants.system.put"
	OpV3CheckSystemRole   = "identity.v3.grants.system.check"
	OpV3RevokeSystemRole  = "identity.v3.grants.system.delete"
	OpV3ListSystemRoles   = "identity.v3.grants.system.list"
	OpV3RoleAssignments   = "identity.v3.role_assignments.list"
)

// Grant targets.
const (
	onProject = "project"
	onDomain  = "domain"
	onSystem  = "system"
)

func (s *Identity) grantRoutes() []kit.Route {
	type set struct {
		kind, base                  string
		put, check, revoke, listing string
	}
	sets := []set{
		{onProject, "/v3/projects/{target_id}/users/{user_id}/roles", OpV3GrantProjectRole, OpV3CheckProjectRole, OpV3RevokeProjectRole, OpV3ListProjectRoles},
		{onDomain, "/v3/domains/{target_id}/users/{user_id}/roles", OpV3GrantDomainRole, OpV3CheckDomainRole, OpV3RevokeDomainRole, OpV3ListDomainRoles},
		{onSystem, "/v3/system/users/{user_id}/roles", OpV3GrantSystemRole, OpV3CheckSystemRole, OpV3RevokeSystemRole, OpV3ListSystemRoles},
	}
	var out []kit.Route
	for _, g := range sets {
		out = append(out,
			kit.Route{Op: g.listing, Method: "GET", Path: g.base, Handler: s.grantList(g.kind)},
			kit.Route{Op: g.put, Method: "PUT", Path: g.base + "/{role_id}", Handler: s.grantPut(g.kind)},
			kit.Route{Op: g.check, Method: "GET,HEAD", Path: g.base + "/{role_id}", Handler: s.grantCheck(g.kind)},
			kit.Route{Op: g.revoke, Method: "DELETE", Path: g.base + "/{role_id}", Handler: s.grantRevoke(g.kind)},
		)
	}
	return append(out, kit.Route{Op: OpV3RoleAssignments, Method: "GET", Path: "/v3/role_assignments", Handler: s.v3RoleAssignments})
}

// grantRef is one assignment target named in a URL, resolved.
type grantRef struct {
	kind     string
	targetID string // project or domain ID; "all" for the system
	user     User
}

// resolveGrantLocked finds the user and the target in the URL, with
// Keystone's 404s.
func (s *Identity) resolveGrantLocked(c *kit.Call, kind string) (grantRef, error) {
	g := grantRef{kind: kind, targetID: c.Var("target_id")}
	switch kind {
	case onProject:
		if _, ok := s.projects[g.targetID]; !ok {
			return g, kit.NotFound("Could not find project: %s.", g.targetID)
		}
	case onDomain:
		if _, ok := s.domains[g.targetID]; !ok {
			return g, kit.NotFound("Could not find domain: %s.", g.targetID)
		}
	default:
		g.targetID = "all"
	}
	u, ok := s.users[c.Var("user_id")]
	if !ok {
		return g, kit.NotFound("Could not find user: %s.", c.Var("user_id"))
	}
	g.user = u
	return g, nil
}

// namesLocked are the role names the assignment target holds.
func (s *Identity) namesLocked(g grantRef) []string {
	switch g.kind {
	case onProject:
		return s.roles[membership{g.user.ID, g.targetID}]
	case onDomain:
		return s.domainRoles[membership{g.user.ID, g.targetID}]
	}
	return s.systemRoles[g.user.ID]
}

func (s *Identity) setNamesLocked(g grantRef, names []string) {
	switch g.kind {
	case onProject:
		s.roles[membership{g.user.ID, g.targetID}] = names
	case onDomain:
		s.domainRoles[membership{g.user.ID, g.targetID}] = names
	default:
		s.systemRoles[g.user.ID] = names
	}
}

// grantCall resolves a grant URL with a role in it.
func (s *Identity) grantCallLocked(c *kit.Call, kind string) (grantRef, Role, error) {
	g, err := s.resolveGrantLocked(c, kind)
	if err != nil {
		return g, Role{}, err
	}
	r, ok := s.roleDefs[c.Var("role_id")]
	if !ok {
		return g, Role{}, kit.NotFound("Could not find role: %s.", c.Var("role_id"))
	}
	return g, r, nil
}

func grantAction(kind, verb string) string {
	if kind == onSystem {
		return "identity:" + verb + "_system_grant_for_user"
	}
	return "identity:" + verb + "_grant"
}

func (s *Identity) grantPut(kind string) kit.Handler {
	return func(c *kit.Call) (kit.Reply, error) {
		if err := requireAdmin(c, grantAction(kind, "create")); err != nil {
			return kit.Reply{}, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, r, err := s.grantCallLocked(c, kind)
		if err != nil {
			return kit.Reply{}, err
		}
		s.setNamesLocked(g, addNames(s.namesLocked(g), []string{r.Name}))
		return kit.Status(http.StatusNoContent), nil
	}
}

func (s *Identity) grantCheck(kind string) kit.Handler {
	return func(c *kit.Call) (kit.Reply, error) {
		if !s.adminOrSystemReader(c) {
			return kit.Reply{}, forbidden(grantAction(kind, "check"))
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, r, err := s.grantCallLocked(c, kind)
		if err != nil {
			return kit.Reply{}, err
		}
		if !containsName(s.namesLocked(g), r.Name) {
			return kit.Reply{}, errNoAssignment(r.ID, g)
		}
		return kit.Status(http.StatusNoContent), nil
	}
}

func (s *Identity) grantRevoke(kind string) kit.Handler {
	return func(c *kit.Call) (kit.Reply, error) {
		if err := requireAdmin(c, grantAction(kind, "revoke")); err != nil {
			return kit.Reply{}, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, r, err := s.grantCallLocked(c, kind)
		if err != nil {
			return kit.Reply{}, err
		}
		if !containsName(s.namesLocked(g), r.Name) {
			return kit.Reply{}, errNoAssignment(r.ID, g)
		}
		s.setNamesLocked(g, dropName(s.namesLocked(g), r.Name))
		return kit.Status(http.StatusNoContent), nil
	}
}

func errNoAssignment(roleID string, g grantRef) *kit.Error {
	return kit.NotFound("Could not find role assignment with role: %s, user or group: %s, project, domain, or system: %s.", roleID, g.user.ID, g.targetID)
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func (s *Identity) grantList(kind string) kit.Handler {
	return func(c *kit.Call) (kit.Reply, error) {
		if !s.adminOrSystemReader(c) {
			return kit.Reply{}, forbidden(grantAction(kind, "list"))
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		g, err := s.resolveGrantLocked(c, kind)
		if err != nil {
			return kit.Reply{}, err
		}
		var roles []Role
		for _, name := range s.namesLocked(g) {
			if r, ok := s.roleByNameLocked(name); ok {
				roles = append(roles, r)
			}
		}
		sort.Slice(roles, func(i, j int) bool { return roles[i].Name < roles[j].Name })
		out := v3RolesResponse{Roles: make([]v3RoleJSON, 0, len(roles)), Links: selfLinks(c)}
		for _, r := range roles {
			out.Roles = append(out.Roles, v3RoleBody(c, r))
		}
		return kit.OK(out), nil
	}
}

// Role assignment bodies: references carry names (and domains) only with
// ?include_names.
type assignRefJSON struct {
	ID     string   `json:"id"`
	Name   string   `json:"name,omitempty"`
	Domain *refJSON `json:"domain,omitempty"`
}

type assignScopeJSON struct {
	Project *assignRefJSON   `json:"project,omitempty"`
	Domain  *assignRefJSON   `json:"domain,omitempty"`
	System  *map[string]bool `json:"system,omitempty"`
}

type assignmentJSON struct {
	Links struct {
		Assignment string `json:"assignment"`
	} `json:"links"`
	Role  assignRefJSON   `json:"role"`
	Scope assignScopeJSON `json:"scope"`
	User  assignRefJSON   `json:"user"`
}

type assignmentsResponse struct {
	RoleAssignments []assignmentJSON `json:"role_assignments"`
	Links           listLinksJSON    `json:"links"`
}

// assignment is one user's role on one target.
type assignment struct {
	kind, targetID, userID, role string
}

func (s *Identity) assignmentsLocked() []assignment {
	var out []assignment
	for m, names := range s.roles {
		for _, n := range names {
			out = append(out, assignment{onProject, m.projectID, m.userID, n})
		}
	}
	for m, names := range s.domainRoles {
		for _, n := range names {
			out = append(out, assignment{onDomain, m.projectID, m.userID, n})
		}
	}
	for u, names := range s.systemRoles {
		for _, n := range names {
			out = append(out, assignment{onSystem, "all", u, n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.userID != b.userID {
			return a.userID < b.userID
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.targetID != b.targetID {
			return a.targetID < b.targetID
		}
		return a.role < b.role
	})
	return out
}

// assignmentFilter is GET /v3/role_assignments' query.
type assignmentFilter struct {
	userID, projectID, domainID, roleID string
	system                              bool
}

func (f assignmentFilter) match(a assignment, roleID string) bool {
	switch {
	case f.userID != "" && a.userID != f.userID,
		f.roleID != "" && roleID != f.roleID,
		f.projectID != "" && (a.kind != onProject || a.targetID != f.projectID),
		f.domainID != "" && (a.kind != onDomain || a.targetID != f.domainID),
		f.system && a.kind != onSystem:
		return false
	}
	return true
}

func (s *Identity) v3RoleAssignments(c *kit.Call) (kit.Reply, error) {
	if !s.adminOrSystemReader(c) {
		return kit.Reply{}, forbidden("identity:list_role_assignments")
	}
	q := c.Query()
	if q.Get("group.id") != "" {
		// No groups in this fake: nothing is assigned to one.
		return kit.OK(assignmentsResponse{RoleAssignments: []assignmentJSON{}, Links: selfLinks(c)}), nil
	}
	f := assignmentFilter{
		userID: q.Get("user.id"), projectID: q.Get("scope.project.id"), domainID: q.Get("scope.domain.id"),
		roleID: q.Get("role.id"), system: q.Get("scope.system") != "",
	}
	names := queryTrue(c, "include_names")
	s.mu.Lock()
	defer s.mu.Unlock()
	out := assignmentsResponse{RoleAssignments: []assignmentJSON{}, Links: selfLinks(c)}
	for _, a := range s.assignmentsLocked() {
		roleID := s.roleIDLocked(a.role)
		if !f.match(a, roleID) {
			continue
		}
		out.RoleAssignments = append(out.RoleAssignments, s.assignmentBodyLocked(c, a, roleID, names))
	}
	return kit.OK(out), nil
}

func (s *Identity) assignmentBodyLocked(c *kit.Call, a assignment, roleID string, names bool) assignmentJSON {
	var out assignmentJSON
	base := c.BaseURL() + "/v3"
	out.Role = assignRefJSON{ID: roleID}
	out.User = assignRefJSON{ID: a.userID}
	if names {
		out.Role.Name = a.role
		u := s.users[a.userID]
		d := s.domainRefLocked(u.DomainID)
		out.User.Name, out.User.Domain = u.Name, &d
	}
	switch a.kind {
	case onProject:
		ref := assignRefJSON{ID: a.targetID}
		if names {
			p := s.projects[a.targetID]
			d := s.domainRefLocked(p.DomainID)
			ref.Name, ref.Domain = p.Name, &d
		}
		out.Scope.Project = &ref
		out.Links.Assignment = base + "/projects/" + a.targetID + "/users/" + a.userID + "/roles/" + roleID
	case onDomain:
		ref := assignRefJSON{ID: a.targetID}
		if names {
			ref.Name = s.domainRefLocked(a.targetID).Name
		}
		out.Scope.Domain = &ref
		out.Links.Assignment = base + "/domains/" + a.targetID + "/users/" + a.userID + "/roles/" + roleID
	default:
		out.Scope.System = &map[string]bool{"all": true}
		out.Links.Assignment = base + "/system/users/" + a.userID + "/roles/" + roleID
	}
	return out
}
