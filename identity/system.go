package identity

import (
	"github.com/mockcloud/mockcloud/kit"
)

// bootstrapAdmin is the user DevStack's keystone-manage bootstrap creates.
// In the permissive default, the user named admin in the default domain
// is created on first sight (with any password, as every user is) holding
// the admin role on the project admin and on the system, as DevStack's
// admin does, so that a client with no Go access can act as an admin.
const bootstrapAdmin = "admin"

// bootstrapAdminLocked gives the newly created user u DevStack's admin
// assignments and returns it with its default project set.
func (s *Identity) bootstrapAdminLocked(u User) User {
	p, ok := s.projectInDomainLocked(bootstrapAdmin, DefaultDomainID)
	if !ok {
		p = s.addProjectLocked(Project{Name: bootstrapAdmin, DomainID: DefaultDomainID})
	}
	// Keystone's admin implies member and reader; its tokens list all three.
	roles := []string{"admin", "member", "reader"}
	s.grantLocked(u.ID, p.ID, roles...)
	s.systemRoles[u.ID] = addNames(s.systemRoles[u.ID], roles)
	u.DefaultProjectID = p.ID
	s.users[u.ID] = u
	return u
}

// Bootstrap seeds what keystone-manage bootstrap makes: the user name
// (with password) in the default domain, the project admin, and the admin
// role (with member and reader) on that project and on the system. It
// returns the user. Use it with [Strict], where nobody is created on first
// sight.
func (s *Identity) Bootstrap(name, password string) (User, error) {
	u, err := s.AddUser(User{Name: name, Password: password})
	if err != nil {
		return User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bootstrapAdminLocked(s.users[u.ID]), nil
}

// Route names of the scopes a user may ask for.
const (
	OpV3AuthSystem  = "identity.v3.auth.system"
	OpV3AuthDomains = "identity.v3.auth.domains"
)

type authSystemResponse struct {
	System []map[string]bool `json:"system"`
	Links  selfLinkJSON      `json:"links"`
}

// v3AuthSystem lists the system scopes the caller may ask for: [{"all":
// true}] when it has a role on the system.
func (s *Identity) v3AuthSystem(c *kit.Call) (kit.Reply, error) {
	s.mu.Lock()
	has := len(s.systemRoles[c.Principal.UserID]) > 0
	s.mu.Unlock()
	out := authSystemResponse{System: []map[string]bool{}, Links: selfLinkJSON{Self: c.BaseURL() + "/v3/auth/system"}}
	if has {
		out.System = append(out.System, map[string]bool{"all": true})
	}
	return kit.OK(out), nil
}

// v3AuthDomains lists the domains the caller has a role on.
func (s *Identity) v3AuthDomains(c *kit.Call) (kit.Reply, error) {
	s.mu.Lock()
	var domains []Domain
	for m, names := range s.domainRoles {
		if m.userID == c.Principal.UserID && len(names) > 0 {
			if d, ok := s.domains[m.projectID]; ok && !d.Disabled {
				domains = append(domains, d)
			}
		}
	}
	s.mu.Unlock()
	return domainsReply(c, domains), nil
}
