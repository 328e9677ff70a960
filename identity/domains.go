package identity

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the domain API.
const (
	OpV3ListDomains  = "identity.v3.domains.list"
	OpV3CreateDomain = "identity.v3.domains.create"
	OpV3GetDomain    = "identity.v3.domains.get"
	OpV3UpdateDomain = "identity.v3.domains.update"
	OpV3DeleteDomain = "identity.v3.domains.delete"
)

func (s *Identity) domainRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpV3ListDomains, Method: "GET", Path: "/v3/domains", Handler: s.v3ListDomains},
		{Op: OpV3CreateDomain, Method: "POST", Path: "/v3/domains", Handler: s.v3CreateDomain},
		{Op: OpV3GetDomain, Method: "GET", Path: "/v3/domains/{domain_id}", Handler: s.v3GetDomain},
		{Op: OpV3UpdateDomain, Method: "PATCH", Path: "/v3/domains/{domain_id}", Handler: s.v3UpdateDomain},
		{Op: OpV3DeleteDomain, Method: "DELETE", Path: "/v3/domains/{domain_id}", Handler: s.v3DeleteDomain},
	}
}

// Domain returns the domain with the ID.
func (s *Identity) Domain(id string) (Domain, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.domains[id]
	return d, ok
}

type v3DomainJSON struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Enabled     bool         `json:"enabled"`
	Tags        []string     `json:"tags"`
	Options     struct{}     `json:"options"`
	Links       selfLinkJSON `json:"links"`
}

type v3DomainResponse struct {
	Domain v3DomainJSON `json:"domain"`
}

type v3DomainsResponse struct {
	Domains []v3DomainJSON `json:"domains"`
	Links   listLinksJSON  `json:"links"`
}

func v3DomainBody(c *kit.Call, d Domain) v3DomainJSON {
	return v3DomainJSON{
		ID: d.ID, Name: d.Name, Description: d.Description, Enabled: !d.Disabled, Tags: []string{},
		Links: selfLinkJSON{Self: c.BaseURL() + "/v3/domains/" + d.ID},
	}
}

// domainsReply lists domains by ID, filtered by ?name and ?enabled.
func domainsReply(c *kit.Call, domains []Domain) kit.Reply {
	sort.Slice(domains, func(i, j int) bool { return domains[i].ID < domains[j].ID })
	name := c.Query().Get("name")
	out := v3DomainsResponse{Domains: make([]v3DomainJSON, 0, len(domains)), Links: selfLinks(c)}
	for _, d := range domains {
		if (name == "" || d.Name == name) && enabledFilter(c, d.Disabled) {
			out.Domains = append(out.Domains, v3DomainBody(c, d))
		}
	}
	return kit.OK(out)
}

func (s *Identity) v3ListDomains(c *kit.Call) (kit.Reply, error) {
	if !s.adminOrSystemReader(c) {
		return kit.Reply{}, forbidden("identity:list_domains")
	}
	s.mu.Lock()
	domains := make([]Domain, 0, len(s.domains))
	for _, d := range s.domains {
		domains = append(domains, d)
	}
	s.mu.Unlock()
	return domainsReply(c, domains), nil
}

// mayReadDomain is Keystone's get_domain policy: an admin, a system
// reader, or a token scoped to the domain or to a project in it.
func (s *Identity) mayReadDomain(c *kit.Call, id string) bool {
	if s.adminOrSystemReader(c) {
		return true
	}
	t := s.callerToken(c)
	if t.DomainID == id {
		return true
	}
	p, ok := s.Project(t.ProjectID)
	return ok && p.DomainID == id
}

func (s *Identity) v3GetDomain(c *kit.Call) (kit.Reply, error) {
	id := c.Var("domain_id")
	if !s.mayReadDomain(c, id) {
		return kit.Reply{}, forbidden("identity:get_domain")
	}
	d, ok := s.Domain(id)
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find domain: %s.", id)
	}
	return kit.OK(v3DomainResponse{Domain: v3DomainBody(c, d)}), nil
}

// v3DomainRequest is a domain create or update body; pointers tell what
// an update sets.
type v3DomainRequest struct {
	Domain *struct {
		ID          *string `json:"id"`
		Name        *string `json:"name"`
		Description *string `json:"description"`
		Enabled     *bool   `json:"enabled"`
	} `json:"domain"`
}

func parseDomainRequest(c *kit.Call) (v3DomainRequest, error) {
	var req v3DomainRequest
	if err := c.DecodeJSON(&req, kit.DecodeOptions{}); err != nil {
		return req, err
	}
	if req.Domain == nil {
		return req, invalidField("domain", "'domain' is a required property")
	}
	if n := req.Domain.Name; n != nil && *n == "" {
		return req, invalidField("name", "'' is too short")
	}
	return req, nil
}

func (s *Identity) v3CreateDomain(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:create_domain"); err != nil {
		return kit.Reply{}, err
	}
	req, err := parseDomainRequest(c)
	if err != nil {
		return kit.Reply{}, err
	}
	in := req.Domain
	if in.Name == nil {
		return kit.Reply{}, invalidField("name", "'name' is a required property")
	}
	d := Domain{Name: *in.Name}
	if in.ID != nil {
		d.ID = *in.ID
	}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.Enabled != nil {
		d.Disabled = !*in.Enabled
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.findDomainLocked("", d.Name); ok {
		return kit.Reply{}, conflict("domain", fmt.Sprintf("Duplicate entry found with name %s", d.Name))
	}
	if _, ok := s.domains[d.ID]; ok && d.ID != "" {
		return kit.Reply{}, conflict("domain", fmt.Sprintf("Duplicate ID, %s", d.ID))
	}
	d = s.addDomainLocked(d)
	return kit.JSON(http.StatusCreated, v3DomainResponse{Domain: v3DomainBody(c, d)}), nil
}

func (s *Identity) v3UpdateDomain(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:update_domain"); err != nil {
		return kit.Reply{}, err
	}
	req, err := parseDomainRequest(c)
	if err != nil {
		return kit.Reply{}, err
	}
	id := c.Var("domain_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.domains[id]
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find domain: %s.", id)
	}
	in := req.Domain
	if in.ID != nil && *in.ID != id {
		return kit.Reply{}, kit.BadRequest("Cannot change Domain ID.")
	}
	if in.Name != nil {
		if other, ok := s.findDomainLocked("", *in.Name); ok && other.ID != id {
			return kit.Reply{}, conflict("domain", fmt.Sprintf("Duplicate entry found with name %s", *in.Name))
		}
		d.Name = *in.Name
	}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.Enabled != nil {
		d.Disabled = !*in.Enabled
	}
	s.domains[id] = d
	return kit.OK(v3DomainResponse{Domain: v3DomainBody(c, d)}), nil
}

// v3DeleteDomain deletes a disabled domain with its users, projects and
// their assignments; Keystone refuses an enabled one with a 403.
func (s *Identity) v3DeleteDomain(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:delete_domain"); err != nil {
		return kit.Reply{}, err
	}
	id := c.Var("domain_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.domains[id]
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find domain: %s.", id)
	}
	if !d.Disabled {
		return kit.Reply{}, kit.Forbidden("Cannot delete a domain that is enabled, please disable it first.")
	}
	for pid, p := range s.projects {
		if p.DomainID == id {
			s.deleteProjectLocked(pid)
		}
	}
	for uid, u := range s.users {
		if u.DomainID == id {
			s.deleteUserLocked(uid)
		}
	}
	for m := range s.domainRoles {
		if m.projectID == id {
			delete(s.domainRoles, m)
		}
	}
	delete(s.domains, id)
	return kit.Status(http.StatusNoContent), nil
}
