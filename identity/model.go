package identity

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"time"
)

// DefaultDomainID is the ID of the domain every user and project belongs to
// unless seeded otherwise, as in a stock Keystone.
const DefaultDomainID = "default"

// Domain is a Keystone domain.
type Domain struct {
	ID          string
	Name        string
	Description string
	Disabled    bool
}

// User is an identity user. Seed users with [Identity.AddUser].
type User struct {
	ID       string // generated when empty
	Name     string // required; unique in its domain
	Password string // checked in strict mode
	APIKey   string // Rackspace API key; generated when empty
	DomainID string // DefaultDomainID when empty
	Email    string
	// DefaultRegion is Rackspace's RAX-AUTH:defaultRegion; the identity's
	// first region when empty.
	DefaultRegion string
	// DefaultProjectID is the project a token is scoped to when the request
	// names none (Keystone's default_project_id; Rackspace's tenant).
	DefaultProjectID string
	Description      string
	Disabled         bool
	Created          time.Time // the clock's time when empty
}

// Project is a Keystone project, which v2.0 and Rackspace call a tenant.
type Project struct {
	ID          string // generated when empty
	Name        string // the ID when empty; unique in its domain
	DomainID    string // DefaultDomainID when empty
	Description string
	Disabled    bool
	// ParentID is the parent project's ID; empty for a top-level project,
	// whose parent is its domain (Keystone reports the domain's ID).
	ParentID string
	Tags     []string
}

func (p Project) clone() Project {
	p.Tags = append([]string(nil), p.Tags...)
	return p
}

// Token is an issued token, as [Identity.Tokens] reports it.
type Token struct {
	ID        string
	UserID    string
	ProjectID string // empty for unscoped, domain- and system-scoped tokens
	DomainID  string // set for a domain-scoped token
	System    bool   // scoped to the system ({"system":{"all":true}})
	// AppCredentialID is the application credential the token was
	// obtained with, if any.
	AppCredentialID string
	Roles           []string
	Methods         []string // "password", "token", "apikey", "impersonation"
	AuditID         string
	IssuedAt        time.Time
	ExpiresAt       time.Time
	Revoked         bool
	Impersonator    string // user ID of the impersonating user, for impersonation tokens
}

// Valid reports whether the token is usable at now.
func (t Token) Valid(now time.Time) bool {
	return !t.Revoked && now.Before(t.ExpiresAt)
}

func (t Token) clone() Token {
	t.Roles = append([]string(nil), t.Roles...)
	t.Methods = append([]string(nil), t.Methods...)
	return t
}

// membership is one user's roles on one project.
type membership struct {
	userID, projectID string
}

// AddDomain seeds a domain and returns it with its generated ID.
func (s *Identity) AddDomain(d Domain) Domain {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addDomainLocked(d)
}

func (s *Identity) addDomainLocked(d Domain) Domain {
	if d.ID == "" {
		d.ID = s.RNG().Hex(32)
	}
	if d.Name == "" {
		d.Name = d.ID
	}
	s.domains[d.ID] = d
	return d
}

// AddUser seeds a user, bypassing HTTP, faults and the journal, and returns
// the stored copy with its generated fields. Name is required and unique
// in the user's domain, as Keystone scopes it (the same name may be used in
// other domains). Seeding a name the domain already has updates that user,
// keeping its ID, when u.ID is empty or is that user's; when u.ID is
// another user's, AddUser stores nothing and returns an error, as it does
// for an empty name.
func (s *Identity) AddUser(u User) (User, error) {
	if u.Name == "" {
		return User{}, fmt.Errorf("identity: a user needs a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	domainID := cmp.Or(u.DomainID, DefaultDomainID)
	if old, ok := s.userInDomainLocked(u.Name, domainID); ok && u.ID != "" && u.ID != old.ID {
		return User{}, fmt.Errorf("identity: domain %q already has a user named %q (%s)", domainID, u.Name, old.ID)
	}
	return s.addUserLocked(u), nil
}

// addUserLocked stores u, filling in its defaults; a user of the same name
// in the same domain keeps its ID when u names none. It does not check the
// name: AddUser does, and the permissive paths add names they did not find.
func (s *Identity) addUserLocked(u User) User {
	if u.DomainID == "" {
		u.DomainID = DefaultDomainID
	}
	if old, ok := s.userInDomainLocked(u.Name, u.DomainID); ok && u.ID == "" {
		u.ID = old.ID
	}
	if u.ID == "" {
		u.ID = s.RNG().Hex(32)
	}
	if u.APIKey == "" {
		u.APIKey = s.RNG().Hex(32)
	}
	if u.DefaultRegion == "" {
		u.DefaultRegion = s.defaultRegion()
	}
	if u.Created.IsZero() {
		u.Created = s.Now()
	}
	if _, ok := s.domains[u.DomainID]; !ok {
		s.domains[u.DomainID] = Domain{ID: u.DomainID, Name: u.DomainID}
	}
	s.users[u.ID] = u
	return u
}

// userInDomainLocked returns the user named name in the domain.
func (s *Identity) userInDomainLocked(name, domainID string) (User, bool) {
	for _, u := range s.users {
		if u.Name == name && u.DomainID == domainID {
			return u, true
		}
	}
	return User{}, false
}

// AddProject seeds a project (tenant) and returns the stored copy. Its
// name (the ID when empty) is unique in its domain, as Keystone's are:
// seeding a project whose ID exists replaces it, but AddProject stores
// nothing and returns an error when another project of the domain has the
// name.
func (s *Identity) AddProject(p Project) (Project, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	domainID := cmp.Or(p.DomainID, DefaultDomainID)
	// With neither a name nor an ID, both are a fresh random ID.
	if name := cmp.Or(p.Name, p.ID); name != "" {
		if old, ok := s.projectInDomainLocked(name, domainID); ok && old.ID != p.ID {
			return Project{}, fmt.Errorf("identity: domain %q already has a project named %q (%s)", domainID, name, old.ID)
		}
	}
	return s.addProjectLocked(p), nil
}

func (s *Identity) addProjectLocked(p Project) Project {
	if p.ID == "" {
		p.ID = s.RNG().Hex(32)
	}
	if p.Name == "" {
		p.Name = p.ID
	}
	if p.DomainID == "" {
		p.DomainID = DefaultDomainID
	}
	if _, ok := s.domains[p.DomainID]; !ok {
		s.domains[p.DomainID] = Domain{ID: p.DomainID, Name: p.DomainID}
	}
	p = p.clone()
	s.projects[p.ID] = p
	return p.clone()
}

// projectInDomainLocked returns the project named name in the domain.
func (s *Identity) projectInDomainLocked(name, domainID string) (Project, bool) {
	for _, p := range s.projects {
		if p.Name == name && p.DomainID == domainID {
			return p, true
		}
	}
	return Project{}, false
}

// Grant gives the user the named roles on the project (in addition to any it
// has). Unknown user or project IDs are ignored and reported as false.
func (s *Identity) Grant(userID, projectID string, roles ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grantLocked(userID, projectID, roles...)
}

func (s *Identity) grantLocked(userID, projectID string, roles ...string) bool {
	if _, ok := s.users[userID]; !ok {
		return false
	}
	if _, ok := s.projects[projectID]; !ok {
		return false
	}
	s.defineRolesLocked(roles)
	key := membership{userID, projectID}
	have := s.roles[key]
	for _, r := range roles {
		if !slices.Contains(have, r) {
			have = append(have, r)
		}
	}
	if have == nil {
		have = []string{}
	}
	s.roles[key] = have
	return true
}

// User returns the user with the given ID.
func (s *Identity) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	return u, ok
}

// UserByName returns the user with the given name: the default domain's
// when it has one, else the one in the first domain by ID (names are
// unique within a domain only).
func (s *Identity) UserByName(name string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userByNameLocked(name)
}

// userByNameLocked is UserByName: the same user for a name every time,
// whatever the map's order.
func (s *Identity) userByNameLocked(name string) (User, bool) {
	if u, ok := s.userInDomainLocked(name, DefaultDomainID); ok {
		return u, true
	}
	var (
		best  User
		found bool
	)
	for _, u := range s.users {
		if u.Name == name && (!found || u.DomainID < best.DomainID) {
			best, found = u, true
		}
	}
	return best, found
}

// Users returns every user, ordered by name, then domain.
func (s *Identity) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].DomainID < out[j].DomainID
	})
	return out
}

// Project returns the project with the given ID.
func (s *Identity) Project(id string) (Project, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projects[id]
	return p.clone(), ok
}

// Projects returns every project, ordered by ID.
func (s *Identity) Projects() []Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Project, 0, len(s.projects))
	for _, p := range s.projects {
		out = append(out, p.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Token returns the token with the given ID, revoked and expired ones too.
func (s *Identity) Token(id string) (Token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok {
		return Token{}, false
	}
	return t.clone(), true
}

// Tokens returns every token issued so far, in the order issued.
func (s *Identity) Tokens() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Token, 0, len(s.tokenOrder))
	for _, id := range s.tokenOrder {
		out = append(out, s.tokens[id].clone())
	}
	return out
}

// IssueToken issues a token for a seeded user scoped to one of its projects
// (projectID may be empty for an unscoped token), as if the user had
// authenticated. It is for tests that need a token without the HTTP round trip.
func (s *Identity) IssueToken(userID, projectID string) (Token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		return Token{}, false
	}
	if projectID != "" {
		if _, ok := s.roles[membership{userID, projectID}]; !ok {
			return Token{}, false
		}
	}
	return s.issueLocked(userID, projectID, "", []string{"password"}, ""), true
}

// Revoke revokes a token; it reports whether the token existed.
func (s *Identity) Revoke(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if ok {
		t.Revoked = true
		s.tokens[id] = t
	}
	return ok
}

func (s *Identity) issueLocked(userID, projectID, domainID string, methods []string, impersonator string) Token {
	return s.issueScopedLocked(userID, tokenScope{projectID: projectID, domainID: domainID}, methods, impersonator)
}

// tokenScope is what a token is scoped to: a project, a domain, the
// system, or nothing.
type tokenScope struct {
	projectID, domainID string
	system              bool
}

// rolesOnLocked are the user's roles on the scope.
func (s *Identity) rolesOnLocked(userID string, sc tokenScope) []string {
	switch {
	case sc.projectID != "":
		return append([]string(nil), s.roles[membership{userID, sc.projectID}]...)
	case sc.domainID != "":
		return append([]string(nil), s.domainRoles[membership{userID, sc.domainID}]...)
	case sc.system:
		return append([]string(nil), s.systemRoles[userID]...)
	}
	return nil
}

func (s *Identity) issueScopedLocked(userID string, sc tokenScope, methods []string, impersonator string) Token {
	now := s.Now()
	t := Token{
		ID:           s.RNG().Hex(32),
		UserID:       userID,
		ProjectID:    sc.projectID,
		DomainID:     sc.domainID,
		System:       sc.system,
		Methods:      methods,
		AuditID:      s.RNG().Alnum(22),
		IssuedAt:     now,
		ExpiresAt:    s.expiryFrom(now),
		Impersonator: impersonator,
		Roles:        s.rolesOnLocked(userID, sc),
	}
	s.tokens[t.ID] = t
	s.tokenOrder = append(s.tokenOrder, t.ID)
	return t.clone()
}

// projectsOfLocked returns the projects the user has a role on, by ID.
func (s *Identity) projectsOfLocked(userID string) []Project {
	var out []Project
	for m := range s.roles {
		if m.userID == userID {
			if p, ok := s.projects[m.projectID]; ok {
				out = append(out, p.clone())
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
