package identity

import (
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/mockcloud/mockcloud/kit"
)

// Role is a Keystone role. Roles are assigned by name; a role named in
// [Identity.Grant] that does not exist yet is created with the ID
// "role-<name>", as are Keystone's bootstrap roles admin, member and reader.
type Role struct {
	ID          string // "role-<name>" when seeded; generated over HTTP
	Name        string // required, unique
	Description string
}

// Route names of the role API.
const (
	OpV3ListRoles  = "identity.v3.roles.list"
	OpV3CreateRole = "identity.v3.roles.create"
	OpV3GetRole    = "identity.v3.roles.get"
	OpV3DeleteRole = "identity.v3.roles.delete"
)

func (s *Identity) roleRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpV3ListRoles, Method: "GET", Path: "/v3/roles", Handler: s.v3ListRoles},
		{Op: OpV3CreateRole, Method: "POST", Path: "/v3/roles", Handler: s.v3CreateRole},
		{Op: OpV3GetRole, Method: "GET", Path: "/v3/roles/{role_id}", Handler: s.v3GetRole},
		{Op: OpV3DeleteRole, Method: "DELETE", Path: "/v3/roles/{role_id}", Handler: s.v3DeleteRole},
	}
}

// defineRolesLocked creates the roles named that do not exist yet.
func (s *Identity) defineRolesLocked(names []string) {
	for _, name := range names {
		if _, ok := s.roleByNameLocked(name); !ok {
			s.roleDefs["role-"+name] = Role{ID: "role-" + name, Name: name}
		}
	}
}

func (s *Identity) roleByNameLocked(name string) (Role, bool) {
	for _, r := range s.roleDefs {
		if r.Name == name {
			return r, true
		}
	}
	return Role{}, false
}

// roleIDLocked is the ID of the role named name.
func (s *Identity) roleIDLocked(name string) string {
	if r, ok := s.roleByNameLocked(name); ok {
		return r.ID
	}
	return "role-" + name
}

// AddRole seeds a role and returns the stored copy; a name that exists is
// an error.
func (s *Identity) AddRole(r Role) (Role, error) {
	if r.Name == "" {
		return Role{}, fmt.Errorf("identity: a role needs a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.roleByNameLocked(r.Name); ok {
		return Role{}, fmt.Errorf("identity: role %q exists (%s)", r.Name, old.ID)
	}
	if r.ID == "" {
		r.ID = "role-" + r.Name
	}
	s.roleDefs[r.ID] = r
	return r, nil
}

// Roles returns every role, ordered by name.
func (s *Identity) Roles() []Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rolesLocked()
}

func (s *Identity) rolesLocked() []Role {
	out := make([]Role, 0, len(s.roleDefs))
	for _, r := range s.roleDefs {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// GrantDomain gives the user the named roles on the domain; unknown users
// and domains are reported as false.
func (s *Identity) GrantDomain(userID, domainID string, roles ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		return false
	}
	if _, ok := s.domains[domainID]; !ok {
		return false
	}
	s.defineRolesLocked(roles)
	key := membership{userID, domainID}
	s.domainRoles[key] = addNames(s.domainRoles[key], roles)
	return true
}

// GrantSystem gives the user the named roles on the system, as
// keystone-manage bootstrap gives its admin; an unknown user is reported
// as false.
func (s *Identity) GrantSystem(userID string, roles ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		return false
	}
	s.defineRolesLocked(roles)
	s.systemRoles[userID] = addNames(s.systemRoles[userID], roles)
	return true
}

// addNames appends the names have lacks; never nil.
func addNames(have, names []string) []string {
	for _, n := range names {
		if !slices.Contains(have, n) {
			have = append(have, n)
		}
	}
	if have == nil {
		have = []string{}
	}
	return have
}

// dropName removes name from have.
func dropName(have []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(have), func(n string) bool { return n == name })
}

type v3RoleJSON struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	DomainID    *string      `json:"domain_id"` // always null: no domain-specific roles
	Description string       `json:"description,omitempty"`
	Options     struct{}     `json:"options"`
	Links       selfLinkJSON `json:"links"`
}

type v3RoleResponse struct {
	Role v3RoleJSON `json:"role"`
}

type v3RolesResponse struct {
	Roles []v3RoleJSON  `json:"roles"`
	Links listLinksJSON `json:"links"`
}

func v3RoleBody(c *kit.Call, r Role) v3RoleJSON {
	return v3RoleJSON{ID: r.ID, Name: r.Name, Description: r.Description, Links: selfLinkJSON{Self: c.BaseURL() + "/v3/roles/" + r.ID}}
}

func rolesReply(c *kit.Call, roles []Role) kit.Reply {
	out := v3RolesResponse{Roles: make([]v3RoleJSON, 0, len(roles)), Links: selfLinks(c)}
	name := c.Query().Get("name")
	for _, r := range roles {
		if name == "" || r.Name == name {
			out.Roles = append(out.Roles, v3RoleBody(c, r))
		}
	}
	return kit.OK(out)
}

func (s *Identity) v3ListRoles(c *kit.Call) (kit.Reply, error) {
	if !s.adminOrSystemReader(c) {
		return kit.Reply{}, forbidden("identity:list_roles")
	}
	return rolesReply(c, s.Roles()), nil
}

type v3RoleCreateRequest struct {
	Role *struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		DomainID    string `json:"domain_id"`
	} `json:"role"`
}

func (s *Identity) v3CreateRole(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:create_role"); err != nil {
		return kit.Reply{}, err
	}
	var req v3RoleCreateRequest
	if err := c.DecodeJSON(&req, kit.DecodeOptions{}); err != nil {
		return kit.Reply{}, err
	}
	if req.Role == nil {
		return kit.Reply{}, invalidField("role", "'role' is a required property")
	}
	if req.Role.Name == "" {
		return kit.Reply{}, invalidField("name", "'name' is a required property")
	}
	if req.Role.DomainID != "" {
		return kit.Reply{}, kit.BadRequest("Domain-specific roles are not supported by mockcloud.")
	}
	r, err := s.createRole(Role{Name: req.Role.Name, Description: req.Role.Description})
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.JSON(http.StatusCreated, v3RoleResponse{Role: v3RoleBody(c, r)}), nil
}

func (s *Identity) createRole(r Role) (Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.roleByNameLocked(r.Name); ok {
		return Role{}, conflict("role", fmt.Sprintf("Duplicate entry found with name %s", r.Name))
	}
	r.ID = s.RNG().Hex(32)
	s.roleDefs[r.ID] = r
	return r, nil
}

// role returns the role with the ID, or Keystone's 404.
func (s *Identity) role(id string) (Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.roleDefs[id]
	if !ok {
		return Role{}, kit.NotFound("Could not find role: %s.", id)
	}
	return r, nil
}

func (s *Identity) v3GetRole(c *kit.Call) (kit.Reply, error) {
	if !s.adminOrSystemReader(c) {
		return kit.Reply{}, forbidden("identity:get_role")
	}
	r, err := s.role(c.Var("role_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(v3RoleResponse{Role: v3RoleBody(c, r)}), nil
}

func (s *Identity) v3DeleteRole(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:delete_role"); err != nil {
		return kit.Reply{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.Var("role_id")
	r, ok := s.roleDefs[id]
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find role: %s.", id)
	}
	delete(s.roleDefs, id)
	// Its assignments go with it, as in Keystone.
	for k, names := range s.roles {
		s.roles[k] = dropName(names, r.Name)
	}
	for k, names := range s.domainRoles {
		s.domainRoles[k] = dropName(names, r.Name)
	}
	for k, names := range s.systemRoles {
		s.systemRoles[k] = dropName(names, r.Name)
	}
	return kit.Status(http.StatusNoContent), nil
}
