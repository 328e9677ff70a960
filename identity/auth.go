package identity

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// defaultRoles are what a user gets on a project created for it on first sight.
var defaultRoles = []string{"member", "reader"}

// credentials is one authentication request, whatever API version sent it.
type credentials struct {
	method   string // "password", "apikey" or "token"
	userID   string
	userName string
	domainID string // the user's domain, by ID or name
	domainNm string
	secret   string // password or API key
	tokenID  string

	projectID       string
	projectName     string
	projectDomainID string
	projectDomainNm string
	scopeDomainID   string
	scopeDomainNm   string
	unscoped        bool // v3 "scope": "unscoped"
	system          bool // v3 "scope": {"system": {"all": true}}
	// appCred is the application credential a v3 request authenticates
	// with (method "application_credential").
	appCred *appCredRequest
	// defaultScope: with no scope named, use the user's default project
	// (Keystone v3 and Rackspace v2.0 do; plain Keystone v2.0 does too
	// when the user has one).
}

// tenant is what behavior criteria see as the request's tenant.
func (c credentials) tenant() string {
	if c.projectID != "" {
		return c.projectID
	}
	return c.projectName
}

// login checks credentials and issues a token; it applies the permissive
// model (create on first sight) unless the identity is strict.
func (s *Identity) login(c credentials) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	var (
		user User
		// notAfter caps the new token's expiry: a token obtained with the
		// token method keeps the original's, as Keystone does, so that
		// rescoping never extends a session.
		notAfter time.Time
	)
	methods := []string{c.method}
	switch c.method {
	case "token":
		t, ok := s.tokens[c.tokenID]
		if !ok || !t.Valid(s.Now()) {
			return Token{}, errNoAuth()
		}
		user = s.users[t.UserID]
		notAfter = t.ExpiresAt
		methods = append([]string(nil), t.Methods...)
		if !slices.Contains(methods, "token") {
			methods = append(methods, "token")
		}
		if c.projectID == "" && c.projectName == "" && c.scopeDomainID == "" && c.scopeDomainNm == "" && !c.unscoped && !c.system {
			// Rescoping with no scope keeps the old token's scope.
			c.projectID, c.scopeDomainID, c.system = t.ProjectID, t.DomainID, t.System
			if c.projectID == "" && c.scopeDomainID == "" && !c.system {
				c.unscoped = true
			}
		}
	case "application_credential":
		return s.appCredLoginLocked(c)
	default:
		u, err := s.findOrCreateUserLocked(c)
		if err != nil {
			return Token{}, err
		}
		user = u
	}
	if user.Disabled {
		return Token{}, kit.Errorf(http.StatusUnauthorized, "The account is disabled for user: %s.", user.ID)
	}
	sc, err := s.scopeForLocked(user, c)
	if err != nil {
		return Token{}, err
	}
	t := s.issueScopedLocked(user.ID, sc, methods, "")
	if !notAfter.IsZero() && notAfter.Before(t.ExpiresAt) {
		t.ExpiresAt = notAfter
		s.tokens[t.ID] = t.clone()
	}
	return t, nil
}

// scopeForLocked is the scope c asks for, checked against what the user
// may have.
func (s *Identity) scopeForLocked(user User, c credentials) (tokenScope, error) {
	switch {
	case c.system:
		if len(s.systemRoles[user.ID]) == 0 {
			return tokenScope{}, kit.Errorf(http.StatusUnauthorized, "User %s has no access to the system.", user.ID)
		}
		return tokenScope{system: true}, nil
	case c.scopeDomainID != "" || c.scopeDomainNm != "":
		// Keystone issues a domain-scoped token only to a user with a role
		// on the domain.
		d, ok := s.findDomainLocked(c.scopeDomainID, c.scopeDomainNm)
		if !ok || len(s.domainRoles[membership{user.ID, d.ID}]) == 0 {
			return tokenScope{}, kit.Errorf(http.StatusUnauthorized, "User %s has no access to domain %s.", user.ID, cmp.Or(c.scopeDomainID, c.scopeDomainNm))
		}
		if d.Disabled {
			return tokenScope{}, kit.Errorf(http.StatusUnauthorized, "Domain %s is disabled.", d.ID)
		}
		return tokenScope{domainID: d.ID}, nil
	case c.projectID != "" || c.projectName != "":
		p, err := s.scopeProjectLocked(user, c)
		if err != nil {
			return tokenScope{}, err
		}
		return tokenScope{projectID: p.ID}, nil
	case c.unscoped:
		return tokenScope{}, nil
	default:
		project := user.DefaultProjectID
		if _, ok := s.roles[membership{user.ID, project}]; !ok {
			project = ""
		}
		return tokenScope{projectID: project}, nil
	}
}

func (s *Identity) findOrCreateUserLocked(c credentials) (User, error) {
	var (
		u     User
		found bool
	)
	switch {
	case c.userID != "":
		u, found = s.users[c.userID]
	case c.domainID == "" && c.domainNm == "":
		// v2.0 and Rackspace name no domain: the default domain's user,
		// else one chosen the same way every time.
		u, found = s.userByNameLocked(c.userName)
	default: // a name is unique within the domain named
		for _, cand := range s.users {
			if cand.Name == c.userName && s.inDomainLocked(cand.DomainID, c.domainID, c.domainNm) {
				u, found = cand, true
				break
			}
		}
	}
	if found {
		if s.strict {
			want := u.Password
			if c.method == "apikey" {
				want = u.APIKey
			}
			if c.secret != want {
				return User{}, errNoAuth()
			}
		}
		return u, nil
	}
	if s.strict {
		return User{}, errNoAuth()
	}

	// Permissive: a user seen for the first time is created, with a
	// project of its own unless the request names one.
	domainID := DefaultDomainID
	if c.domainID != "" || c.domainNm != "" {
		d, ok := s.findDomainLocked(c.domainID, c.domainNm)
		if !ok {
			d = s.addDomainLocked(Domain{ID: c.domainID, Name: c.domainNm})
		}
		domainID = d.ID
	}
	name := cmp.Or(c.userName, c.userID)
	nu := User{ID: c.userID, Name: name, DomainID: domainID, Email: name + "@example.com"}
	if c.method == "apikey" {
		nu.APIKey = c.secret
	} else {
		nu.Password = c.secret
	}
	u = s.addUserLocked(nu)
	if u.Name == bootstrapAdmin && u.DomainID == DefaultDomainID {
		return s.bootstrapAdminLocked(u), nil
	}
	if c.projectID == "" && c.projectName == "" {
		// Rackspace-style numeric tenant, as Mimic hands out.
		p := s.addProjectLocked(Project{ID: s.RNG().Digits(6), DomainID: domainID})
		s.grantLocked(u.ID, p.ID, defaultRoles...)
		u.DefaultProjectID = p.ID
		s.users[u.ID] = u
	}
	return u, nil
}

// scopeProjectLocked finds the project c names and checks the user may use
// it; in permissive mode a project that does not exist is created with the
// user as a member.
func (s *Identity) scopeProjectLocked(user User, c credentials) (Project, error) {
	var (
		p     Project
		found bool
	)
	if c.projectID != "" {
		p, found = s.projects[c.projectID]
	} else {
		for _, cand := range s.projects {
			if cand.Name == c.projectName && s.inDomainLocked(cand.DomainID, c.projectDomainID, c.projectDomainNm) {
				p, found = cand, true
				break
			}
		}
	}
	name := cmp.Or(c.projectID, c.projectName)
	if !found {
		if s.strict || !s.mayUseTenant(user, "") {
			return Project{}, kit.Errorf(http.StatusUnauthorized, "Tenant with Name/Id: '%s' is not valid for User '%s' (id: '%s')", name, user.Name, user.ID)
		}
		// In the domain the request names (created like a user's), so the
		// same request finds this project next time.
		domainID := user.DomainID
		if c.projectDomainID != "" || c.projectDomainNm != "" {
			d, ok := s.findDomainLocked(c.projectDomainID, c.projectDomainNm)
			if !ok {
				d = s.addDomainLocked(Domain{ID: c.projectDomainID, Name: c.projectDomainNm})
			}
			domainID = d.ID
		}
		p = s.addProjectLocked(Project{ID: c.projectID, Name: c.projectName, DomainID: domainID})
		s.grantLocked(user.ID, p.ID, defaultRoles...)
		if user.DefaultProjectID == "" {
			user.DefaultProjectID = p.ID
			s.users[user.ID] = user
		}
		return p, nil
	}
	if !s.mayUseTenant(user, p.ID) {
		return Project{}, kit.Errorf(http.StatusUnauthorized, "Tenant with Name/Id: '%s' is not valid for User '%s' (id: '%s')", name, user.Name, user.ID)
	}
	if _, ok := s.roles[membership{user.ID, p.ID}]; !ok {
		return Project{}, kit.Errorf(http.StatusUnauthorized, "Tenant with Name/Id: '%s' is not valid for User '%s' (id: '%s')", name, user.Name, user.ID)
	}
	if p.Disabled {
		return Project{}, kit.Errorf(http.StatusUnauthorized, "Project %s is disabled.", p.ID)
	}
	return p, nil
}

func (s *Identity) findDomainLocked(id, name string) (Domain, bool) {
	if id != "" {
		d, ok := s.domains[id]
		return d, ok
	}
	for _, d := range s.domains {
		if strings.EqualFold(d.Name, name) {
			return d, true
		}
	}
	return Domain{}, false
}

// inDomainLocked reports whether domainID is the domain named by id or name
// (either may be empty, which matches any domain).
func (s *Identity) inDomainLocked(domainID, id, name string) bool {
	switch {
	case id != "":
		return domainID == id
	case name != "":
		d, ok := s.domains[domainID]
		return ok && strings.EqualFold(d.Name, name)
	default:
		return true
	}
}
