package identity

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of project administration.
const (
	OpV3CreateProject = "identity.v3.projects.create"
	OpV3UpdateProject = "identity.v3.projects.update"
	OpV3DeleteProject = "identity.v3.projects.delete"
)

func (s *Identity) projectAdminRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpV3CreateProject, Method: "POST", Path: "/v3/projects", Handler: s.v3CreateProject},
		{Op: OpV3UpdateProject, Method: "PATCH", Path: "/v3/projects/{project_id}", Handler: s.v3UpdateProject},
		{Op: OpV3DeleteProject, Method: "DELETE", Path: "/v3/projects/{project_id}", Handler: s.v3DeleteProject},
	}
}

// v3ProjectRequest is a project create or update body; pointers tell what
// an update sets.
type v3ProjectRequest struct {
	Project *struct {
		Name        *string   `json:"name"`
		DomainID    *string   `json:"domain_id"`
		Description *string   `json:"description"`
		Enabled     *bool     `json:"enabled"`
		ParentID    *string   `json:"parent_id"`
		IsDomain    *bool     `json:"is_domain"`
		Tags        *[]string `json:"tags"`
	} `json:"project"`
}

func parseProjectRequest(c *kit.Call) (v3ProjectRequest, error) {
	var req v3ProjectRequest
	if err := c.DecodeJSON(&req, kit.DecodeOptions{}); err != nil {
		return req, err
	}
	in := req.Project
	switch {
	case in == nil:
		return req, invalidField("project", "'project' is a required property")
	case in.Name != nil && *in.Name == "":
		return req, invalidField("name", "'' is too short")
	case in.IsDomain != nil && *in.IsDomain:
		return req, kit.BadRequest("Projects acting as domains are not supported by mockcloud.")
	}
	if in.Tags != nil {
		if err := validateTags(*in.Tags); err != nil {
			return req, err
		}
	}
	return req, nil
}

// validateTags applies Keystone's tag schema: at most 80 tags of 1 to 255
// characters, without "/" or ",".
func validateTags(tags []string) error {
	if len(tags) > 80 {
		return invalidField("tags", "too many tags (at most 80)")
	}
	for _, t := range tags {
		if err := validateTag(t); err != nil {
			return err
		}
	}
	return nil
}

func validateTag(t string) error {
	if t == "" || len(t) > 255 || strings.ContainsAny(t, "/,") {
		return invalidField("tags", fmt.Sprintf("%q is not a valid tag (1 to 255 characters, no '/' or ',')", t))
	}
	return nil
}

// apply sets what the request names on p, but its domain and parent.
func (req v3ProjectRequest) apply(p *Project) {
	in := req.Project
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	if in.Enabled != nil {
		p.Disabled = !*in.Enabled
	}
	if in.Tags != nil {
		p.Tags = uniqueTags(*in.Tags)
	}
}

func uniqueTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func (s *Identity) v3CreateProject(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:create_project"); err != nil {
		return kit.Reply{}, err
	}
	req, err := parseProjectRequest(c)
	if err != nil {
		return kit.Reply{}, err
	}
	in := req.Project
	if in.Name == nil {
		return kit.Reply{}, invalidField("name", "'name' is a required property")
	}
	p := Project{DomainID: DefaultDomainID, Tags: []string{}}
	req.apply(&p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.ParentID != nil && *in.ParentID != "" {
		parent, ok := s.projects[*in.ParentID]
		if !ok {
			return kit.Reply{}, kit.BadRequest("Could not find project: %s.", *in.ParentID)
		}
		p.ParentID, p.DomainID = parent.ID, parent.DomainID
	}
	if in.DomainID != nil && *in.DomainID != "" {
		if in.ParentID != nil && *in.ParentID != "" && *in.DomainID != p.DomainID {
			return kit.Reply{}, kit.BadRequest("Cannot create project, the parent (%s) is in a different domain.", p.ParentID)
		}
		p.DomainID = *in.DomainID
	}
	if _, ok := s.domains[p.DomainID]; !ok {
		return kit.Reply{}, kit.BadRequest("Could not find domain: %s.", p.DomainID)
	}
	if _, ok := s.projectInDomainLocked(p.Name, p.DomainID); ok {
		return kit.Reply{}, conflict("project", fmt.Sprintf("Duplicate entry found with name %s at domain ID %s", p.Name, p.DomainID))
	}
	p = s.addProjectLocked(p)
	return kit.JSON(http.StatusCreated, v3ProjectResponse{Project: v3ProjectBody(c, p)}), nil
}

func (s *Identity) v3UpdateProject(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:update_project"); err != nil {
		return kit.Reply{}, err
	}
	req, err := parseProjectRequest(c)
	if err != nil {
		return kit.Reply{}, err
	}
	id := c.Var("project_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projects[id]
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find project: %s.", id)
	}
	in := req.Project
	if in.DomainID != nil && *in.DomainID != p.DomainID {
		return kit.Reply{}, kit.BadRequest("Cannot change Domain ID.")
	}
	if in.ParentID != nil && *in.ParentID != cmp.Or(p.ParentID, p.DomainID) {
		return kit.Reply{}, kit.Forbidden("Update of `parent_id` is not allowed.")
	}
	req.apply(&p)
	if other, ok := s.projectInDomainLocked(p.Name, p.DomainID); ok && other.ID != id {
		return kit.Reply{}, conflict("project", fmt.Sprintf("Duplicate entry found with name %s at domain ID %s", p.Name, p.DomainID))
	}
	s.projects[id] = p.clone()
	return kit.OK(v3ProjectResponse{Project: v3ProjectBody(c, p)}), nil
}

func (s *Identity) v3DeleteProject(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:delete_project"); err != nil {
		return kit.Reply{}, err
	}
	id := c.Var("project_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.projects[id]; !ok {
		return kit.Reply{}, kit.NotFound("Could not find project: %s.", id)
	}
	if len(s.childrenLocked(id)) > 0 {
		return kit.Reply{}, kit.Forbidden("Cannot delete the project %s since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree.", id)
	}
	s.deleteProjectLocked(id)
	return kit.Status(http.StatusNoContent), nil
}

// deleteProjectLocked removes the project and the assignments on it, and
// revokes the tokens scoped to it.
func (s *Identity) deleteProjectLocked(id string) {
	for m := range s.roles {
		if m.projectID == id {
			delete(s.roles, m)
		}
	}
	for tid, t := range s.tokens {
		if t.ProjectID == id && !t.Revoked {
			t.Revoked = true
			s.tokens[tid] = t
		}
	}
	delete(s.projects, id)
}

// childrenLocked are the project's direct children, by ID.
func (s *Identity) childrenLocked(id string) []Project {
	var out []Project
	for _, p := range s.projects {
		if p.ParentID == id {
			out = append(out, p.clone())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// hierarchyJSON is a project in a parents or subtree list.
type hierarchyJSON struct {
	Project any `json:"project"`
}

// domainAsProjectJSON is a domain as Keystone lists it among a project's
// parents: the project that acts as the domain.
type domainAsProjectJSON struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	DomainID    *string      `json:"domain_id"`
	Description string       `json:"description"`
	Enabled     bool         `json:"enabled"`
	IsDomain    bool         `json:"is_domain"`
	ParentID    *string      `json:"parent_id"`
	Tags        []string     `json:"tags"`
	Options     struct{}     `json:"options"`
	Links       selfLinkJSON `json:"links"`
}

// v3ProjectWithHierarchy is GET /v3/projects/{id} with parents or subtree.
type v3ProjectWithHierarchy struct {
	v3ProjectJSON
	Parents any `json:"parents,omitempty"`
	Subtree any `json:"subtree,omitempty"`
}

// expandProject adds ?parents_as_list, ?parents_as_ids, ?subtree_as_list
// and ?subtree_as_ids to a project body, as Keystone does: the parents run
// up to the project acting as the project's domain.
func (s *Identity) expandProject(c *kit.Call, p Project) (v3ProjectWithHierarchy, error) {
	out := v3ProjectWithHierarchy{v3ProjectJSON: v3ProjectBody(c, p)}
	pList, pIDs := queryTrue(c, "parents_as_list"), queryTrue(c, "parents_as_ids")
	sList, sIDs := queryTrue(c, "subtree_as_list"), queryTrue(c, "subtree_as_ids")
	if pList && pIDs {
		return out, kit.BadRequest("Cannot use parents_as_list and parents_as_ids query params at the same time.")
	}
	if sList && sIDs {
		return out, kit.BadRequest("Cannot use subtree_as_list and subtree_as_ids query params at the same time.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case pList:
		list := []hierarchyJSON{}
		for _, anc := range s.ancestorsLocked(c, p) {
			list = append(list, hierarchyJSON{Project: anc})
		}
		out.Parents = list
	case pIDs:
		out.Parents = s.parentsAsIDsLocked(p)
	}
	switch {
	case sList:
		list := []hierarchyJSON{}
		s.walkSubtreeLocked(p.ID, func(child Project) { list = append(list, hierarchyJSON{Project: v3ProjectBody(c, child)}) })
		out.Subtree = list
	case sIDs:
		out.Subtree = s.subtreeAsIDsLocked(p.ID)
	}
	if out.Subtree == nil && (sList || sIDs) {
		out.Subtree = map[string]any{}
	}
	return out, nil
}

// ancestorsLocked are p's parents, nearest first, ending with the project
// that acts as its domain.
func (s *Identity) ancestorsLocked(c *kit.Call, p Project) []any {
	var out []any
	for at := p; at.ParentID != ""; {
		parent, ok := s.projects[at.ParentID]
		if !ok {
			break
		}
		out = append(out, v3ProjectBody(c, parent))
		at = parent
	}
	d := s.domains[p.DomainID]
	out = append(out, domainAsProjectJSON{
		ID: d.ID, Name: d.Name, Description: d.Description, Enabled: !d.Disabled, IsDomain: true,
		Tags: []string{}, Links: selfLinkJSON{Self: c.BaseURL() + "/v3/projects/" + d.ID},
	})
	return out
}

func (s *Identity) parentsAsIDsLocked(p Project) map[string]any {
	// Keystone nests each parent's ID in its child's: {parent: {grandparent: … {domain: null}}}.
	var inner map[string]any
	ids := []string{}
	c := p
	for c.ParentID != "" {
		parent, ok := s.projects[c.ParentID]
		if !ok {
			break
		}
		ids = append(ids, parent.ID)
		c = parent
	}
	ids = append(ids, p.DomainID)
	for i := len(ids) - 1; i >= 0; i-- {
		inner = map[string]any{ids[i]: nilIfEmpty(inner)}
	}
	return inner
}

func nilIfEmpty(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

func (s *Identity) walkSubtreeLocked(id string, f func(Project)) {
	for _, child := range s.childrenLocked(id) {
		f(child)
		s.walkSubtreeLocked(child.ID, f)
	}
}

func (s *Identity) subtreeAsIDsLocked(id string) any {
	children := s.childrenLocked(id)
	if len(children) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, child := range children {
		out[child.ID] = s.subtreeAsIDsLocked(child.ID)
	}
	return out
}
