package identity

import (
	"net/http"
	"slices"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// v2Time is Keystone v2.0's and Rackspace's timestamp format.
const v2Time = "2006-01-02T15:04:05.000Z"

type v2AuthRequest struct {
	Auth *struct {
		Password *struct {
			Username string `json:"username"`
			Password string `json:"password"`
		} `json:"passwordCredentials"`
		APIKey *struct {
			Username string `json:"username"`
			APIKey   string `json:"apiKey"`
		} `json:"RAX-KSKEY:apiKeyCredentials"`
		Token *struct {
			ID string `json:"id"`
		} `json:"token"`
		TenantID   string `json:"tenantId"`
		TenantName string `json:"tenantName"`
		Domain     *struct {
			Name string `json:"name"`
		} `json:"RAX-AUTH:domain"`
	} `json:"auth"`
}

func parseV2Auth(body []byte) (credentials, error) {
	var req v2AuthRequest
	if err := kit.DecodeJSON(body, &req, kit.DecodeOptions{}); err != nil {
		return credentials{}, err
	}
	if req.Auth == nil {
		return credentials{}, kit.BadRequest("Invalid JSON request body: 'auth' is required.")
	}
	a := req.Auth
	c := credentials{projectID: a.TenantID, projectName: a.TenantName}
	switch {
	case a.Password != nil:
		if a.Password.Username == "" {
			return credentials{}, kit.BadRequest("Expecting to find username or userId in passwordCredentials.")
		}
		c.method, c.userName, c.secret = "password", a.Password.Username, a.Password.Password
	case a.APIKey != nil:
		if a.APIKey.Username == "" || a.APIKey.APIKey == "" {
			return credentials{}, kit.BadRequest("Invalid JSON request body: RAX-KSKEY:apiKeyCredentials needs username and apiKey.")
		}
		c.method, c.userName, c.secret = "apikey", a.APIKey.Username, a.APIKey.APIKey
	case a.Token != nil:
		if a.Token.ID == "" {
			return credentials{}, kit.BadRequest("Invalid JSON request body: token needs an id.")
		}
		c.method, c.tokenID = "token", a.Token.ID
	default:
		return credentials{}, kit.BadRequest("Invalid JSON request body: passwordCredentials, RAX-KSKEY:apiKeyCredentials or token is required.")
	}
	if a.Domain != nil {
		c.domainNm = a.Domain.Name
	}
	return c, nil
}

func (s *Identity) v2CreateToken(c *kit.Call) (kit.Reply, error) {
	cred, err := parseV2Auth(c.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	if reply, ok := s.applyBehavior(cred); ok {
		return reply, nil
	}
	t, err := s.login(cred)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(v2AccessResponse{Access: s.v2AccessBody(c.Request, t, true)}), nil
}

// v2Method is how v2.0's RAX-AUTH:authenticatedBy names a method.
func v2Method(m string) string {
	switch m {
	case "password":
		return "PASSWORD"
	case "apikey":
		return "APIKEY"
	case "token":
		return "TOKEN"
	case "impersonation":
		return "IMPERSONATION"
	}
	return ""
}

// v2TenantJSON is a v2.0 tenant; description is null when empty.
type v2TenantJSON struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Enabled     bool    `json:"enabled"`
	Description *string `json:"description"`
}

func v2Tenant(p Project) v2TenantJSON {
	t := v2TenantJSON{ID: p.ID, Name: p.Name, Enabled: !p.Disabled}
	if p.Description != "" {
		d := p.Description
		t.Description = &d
	}
	return t
}

type v2TokenJSON struct {
	ID              string        `json:"id"`
	Expires         string        `json:"expires"`
	IssuedAt        string        `json:"issued_at"`
	AuditIDs        []string      `json:"audit_ids"`
	AuthenticatedBy []string      `json:"RAX-AUTH:authenticatedBy"`
	Tenant          *v2TenantJSON `json:"tenant,omitempty"`
}

type v2RoleJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TenantID string `json:"tenantId,omitempty"`
	// Description is Rackspace's, with MimicShapes only.
	Description *string `json:"description,omitempty"`
}

type v2AccessUserJSON struct {
	ID            string       `json:"id"`
	Name          string       `json:"name"`
	Username      string       `json:"username"`
	Roles         []v2RoleJSON `json:"roles"`
	RolesLinks    []linkJSON   `json:"roles_links"`
	DefaultRegion string       `json:"RAX-AUTH:defaultRegion"`
}

type v2MetadataJSON struct {
	IsAdmin int      `json:"is_admin"`
	Roles   []string `json:"roles"`
}

// v2AccessJSON is Keystone v2.0's and Rackspace's "access" body.
type v2AccessJSON struct {
	Token          v2TokenJSON      `json:"token"`
	User           v2AccessUserJSON `json:"user"`
	Metadata       v2MetadataJSON   `json:"metadata"`
	ServiceCatalog *[]v2ServiceJSON `json:"serviceCatalog,omitempty"`
}

type v2AccessResponse struct {
	Access v2AccessJSON `json:"access"`
}

// v2AccessBody renders a token as Keystone v2.0 and Rackspace do.
func (s *Identity) v2AccessBody(r *http.Request, t Token, withCatalog bool) v2AccessJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[t.UserID]
	by := make([]string, 0, len(t.Methods))
	for _, m := range t.Methods {
		by = append(by, v2Method(m))
	}
	token := v2TokenJSON{
		ID:              t.ID,
		Expires:         t.ExpiresAt.UTC().Format(v2Time),
		IssuedAt:        t.IssuedAt.UTC().Format(v2Time),
		AuditIDs:        []string{t.AuditID},
		AuthenticatedBy: by,
	}
	if p, ok := s.projects[t.ProjectID]; ok {
		tenant := v2Tenant(p)
		token.Tenant = &tenant
	}
	roles := make([]v2RoleJSON, 0, len(t.Roles))
	for _, name := range t.Roles {
		roles = append(roles, v2RoleJSON{ID: s.roleIDLocked(name), Name: name, TenantID: t.ProjectID,
			Description: s.mimicRoleDescriptionLocked(name)})
	}
	access := v2AccessJSON{
		Token: token,
		User: v2AccessUserJSON{
			ID: u.ID, Name: u.Name, Username: u.Name, Roles: roles, RolesLinks: []linkJSON{},
			DefaultRegion: u.DefaultRegion,
		},
		Metadata: v2MetadataJSON{IsAdmin: boolInt(slices.Contains(t.Roles, "admin")), Roles: s.roleIDsLocked(t.Roles)},
	}
	if withCatalog {
		cat := v2Catalog(s.resolveLocked(r, t.ProjectID), t.ProjectID)
		access.ServiceCatalog = &cat
	}
	return access
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Identity) roleIDsLocked(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = s.roleIDLocked(n)
	}
	return out
}

// v2Token finds the token in the URL; Rackspace answers 404 for one it
// cannot use, and for one that does not belong to ?belongsTo.
func (s *Identity) v2Token(c *kit.Call) (Token, error) {
	id := c.Var("token_id")
	belongsTo := c.Query().Get("belongsTo")
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || !t.Valid(s.Now()) {
		return Token{}, kit.NotFound("Token not found.")
	}
	if belongsTo != "" {
		p, ok := s.projects[t.ProjectID]
		if !ok || (p.ID != belongsTo && p.Name != belongsTo) {
			return Token{}, kit.NotFound("Token doesn't belong to Tenant with Id/Name: '%s'", belongsTo)
		}
	}
	return t.clone(), nil
}

func (s *Identity) v2ValidateToken(c *kit.Call) (kit.Reply, error) {
	t, err := s.v2Token(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(v2AccessResponse{Access: s.v2AccessBody(c.Request, t, false)}), nil
}

type v2EndpointsResponse struct {
	Endpoints      []v2EndpointJSON `json:"endpoints"`
	EndpointsLinks []linkJSON       `json:"endpoints_links"`
}

func (s *Identity) v2TokenEndpoints(c *kit.Call) (kit.Reply, error) {
	t, err := s.v2Token(c)
	if err != nil {
		return kit.Reply{}, err
	}
	out := v2EndpointsResponse{Endpoints: []v2EndpointJSON{}, EndpointsLinks: []linkJSON{}}
	for _, svc := range v2Catalog(s.resolve(c.Request, t.ProjectID), t.ProjectID) {
		for _, ep := range svc.Endpoints {
			ep.Name, ep.Type = svc.Name, svc.Type
			out.Endpoints = append(out.Endpoints, ep)
		}
	}
	return kit.OK(out), nil
}

type v2TenantsResponse struct {
	Tenants      []v2TenantJSON `json:"tenants"`
	TenantsLinks []linkJSON     `json:"tenants_links"`
}

func (s *Identity) v2ListTenants(c *kit.Call) (kit.Reply, error) {
	projects := s.projectsOf(c.Principal.UserID)
	out := v2TenantsResponse{Tenants: make([]v2TenantJSON, 0, len(projects)), TenantsLinks: []linkJSON{}}
	for _, p := range projects {
		out.Tenants = append(out.Tenants, v2Tenant(p))
	}
	return kit.OK(out), nil
}

// v2UserJSON is a Rackspace user.
type v2UserJSON struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	Email         string `json:"email"`
	Enabled       bool   `json:"enabled"`
	DomainID      string `json:"RAX-AUTH:domainId"`
	DefaultRegion string `json:"RAX-AUTH:defaultRegion"`
	Created       string `json:"created"`
	Updated       string `json:"updated"`
}

type v2UserResponse struct {
	User v2UserJSON `json:"user"`
}

type v2UsersResponse struct {
	Users      []v2UserJSON `json:"users"`
	UsersLinks []linkJSON   `json:"users_links"`
}

func v2User(u User) v2UserJSON {
	return v2UserJSON{
		ID: u.ID, Username: u.Name, Email: u.Email, Enabled: !u.Disabled,
		DomainID:      u.DomainID,
		DefaultRegion: u.DefaultRegion,
		Created:       u.Created.UTC().Format(v2Time),
		Updated:       u.Created.UTC().Format(v2Time),
	}
}

// lookupUser finds the user named name, creating it in permissive mode as
// Mimic does.
func (s *Identity) lookupUser(name string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.userByNameLocked(name)
	if !ok && !s.strict {
		u, ok = s.addUserLocked(User{Name: name, Email: name + "@example.com"}), true
	}
	return u, ok
}

// v2ListUsers is Rackspace's GET /v2.0/users: ?name= looks one user up
// (created on first sight in permissive mode, as Mimic does); without it an
// admin gets every user and anyone else themselves.
func (s *Identity) v2ListUsers(c *kit.Call) (kit.Reply, error) {
	if name := c.Query().Get("name"); name != "" {
		u, ok := s.lookupUser(name)
		if !ok {
			return kit.Reply{}, kit.NotFound("User not found: %s", name)
		}
		return kit.OK(v2UserResponse{User: v2User(u)}), nil
	}
	var users []User
	if c.Principal.HasRole("admin") {
		users = s.Users()
	} else if u, ok := s.User(c.Principal.UserID); ok {
		users = []User{u}
	}
	out := v2UsersResponse{Users: make([]v2UserJSON, 0, len(users)), UsersLinks: []linkJSON{}}
	for _, u := range users {
		out.Users = append(out.Users, v2User(u))
	}
	return kit.OK(out), nil
}

// userForCaller looks up the user in the URL, which the caller must be (or
// hold the admin role).
func (s *Identity) userForCaller(c *kit.Call) (User, error) {
	id := c.Var("user_id")
	if c.Principal.UserID != id && !c.Principal.HasRole("admin") {
		return User{}, kit.Forbidden("Not Authorized")
	}
	u, ok := s.User(id)
	if !ok {
		return User{}, kit.NotFound("User %s not found", id)
	}
	return u, nil
}

type apiKeyCredentialsJSON struct {
	Username string `json:"username"`
	APIKey   string `json:"apiKey"`
}

type apiKeyResponse struct {
	Credentials apiKeyCredentialsJSON `json:"RAX-KSKEY:apiKeyCredentials"`
}

type credentialsResponse struct {
	Credentials      []apiKeyResponse `json:"credentials"`
	CredentialsLinks []linkJSON       `json:"credentials_links"`
}

func (s *Identity) v2UserCredentials(c *kit.Call) (kit.Reply, error) {
	u, err := s.userForCaller(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(credentialsResponse{
		Credentials:      []apiKeyResponse{{Credentials: apiKeyCredentialsJSON{Username: u.Name, APIKey: u.APIKey}}},
		CredentialsLinks: []linkJSON{},
	}), nil
}

func (s *Identity) raxAPIKey(c *kit.Call) (kit.Reply, error) {
	u, err := s.userForCaller(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(apiKeyResponse{Credentials: apiKeyCredentialsJSON{Username: u.Name, APIKey: u.APIKey}}), nil
}

type impersonationRequest struct {
	Impersonation *struct {
		User *struct {
			Username string `json:"username"`
		} `json:"user"`
		ExpireInSeconds *int `json:"expire-in-seconds"`
	} `json:"RAX-AUTH:impersonation"`
}

// MaxImpersonationSeconds bounds expire-in-seconds, and is the lifetime
// of an impersonation token that names none: three hours, the longest
// Rackspace Identity grants an impersonation token.
const MaxImpersonationSeconds = 10800

// identityAdminRoles are the roles that may impersonate: Rackspace's
// identity admins and Rackers, and the admin role this fake's own admins
// hold.
var identityAdminRoles = []string{"identity:admin", "identity:service-admin", "Racker", "admin"}

// parseImpersonation reads an impersonation request: the user to
// impersonate and the token's lifetime (MaxImpersonationSeconds when the
// request names none).
func parseImpersonation(body []byte) (string, time.Duration, error) {
	var req impersonationRequest
	if err := kit.DecodeJSON(body, &req, kit.DecodeOptions{}); err != nil {
		return "", 0, err
	}
	imp := req.Impersonation
	if imp == nil || imp.User == nil || imp.User.Username == "" {
		return "", 0, kit.BadRequest("Invalid JSON request body: RAX-AUTH:impersonation.user.username is required.")
	}
	ttl := MaxImpersonationSeconds * time.Second
	if e := imp.ExpireInSeconds; e != nil {
		if *e <= 0 {
			return "", 0, kit.BadRequest("expire-in-seconds must be a positive number of seconds.")
		}
		if *e > MaxImpersonationSeconds {
			return "", 0, kit.BadRequest("Expire in element cannot be more than %d", MaxImpersonationSeconds)
		}
		ttl = time.Duration(*e) * time.Second
	}
	return imp.User.Username, ttl, nil
}

// impersonate issues a token for the user named name on behalf of
// impersonator, living ttl but never past notAfter (the impersonator's own
// token's expiry); ok is false when there is no such user (in strict
// mode; otherwise the user is created).
func (s *Identity) impersonate(name, impersonator string, ttl time.Duration, notAfter time.Time) (Token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.userByNameLocked(name)
	if !ok && s.strict {
		return Token{}, false
	}
	if !ok {
		// Permissive: cannot fail.
		u, _ = s.findOrCreateUserLocked(credentials{method: "password", userName: name})
	}
	t := s.issueLocked(u.ID, u.DefaultProjectID, "", []string{"impersonation"}, impersonator)
	t.ExpiresAt = t.IssuedAt.Add(ttl)
	if notAfter.Before(t.ExpiresAt) {
		t.ExpiresAt = notAfter
	}
	s.tokens[t.ID] = t.clone()
	return t, true
}

type impersonationResponse struct {
	Access struct {
		Token struct {
			ID      string `json:"id"`
			Expires string `json:"expires"`
		} `json:"token"`
	} `json:"access"`
}

// raxImpersonate issues a token for another user on behalf of the caller,
// who must be an identity admin (others get Rackspace's 403).
func (s *Identity) raxImpersonate(c *kit.Call) (kit.Reply, error) {
	if !slices.ContainsFunc(identityAdminRoles, c.Principal.HasRole) {
		return kit.Reply{}, kit.Forbidden("Not Authorized")
	}
	name, ttl, err := parseImpersonation(c.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	if reply, ok := s.applyBehavior(credentials{method: "impersonation", userName: name}); ok {
		return reply, nil
	}
	t, ok := s.impersonate(name, c.Principal.UserID, ttl, c.Principal.ExpiresAt)
	if !ok {
		return kit.Reply{}, kit.NotFound("User not found: %s", name)
	}
	var out impersonationResponse
	out.Access.Token.ID, out.Access.Token.Expires = t.ID, t.ExpiresAt.UTC().Format(v2Time)
	return kit.OK(out), nil
}

// tenantOwner is the user a tenant belongs to; in permissive mode a tenant
// never seen is created, with a user of its own.
func (s *Identity) tenantOwner(tenant string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.projects[tenant]; ok {
		if owner, ok := s.tenantOwnerLocked(tenant); ok {
			return owner, true
		}
	}
	if s.strict {
		return User{}, false
	}
	owner, _ := s.findOrCreateUserLocked(credentials{method: "password", userName: "user-" + tenant, projectID: tenant})
	_, _ = s.scopeProjectLocked(owner, credentials{projectID: tenant})
	return s.users[owner.ID], true
}

type mossoResponse struct {
	User struct {
		ID string `json:"id"`
	} `json:"user"`
}

// raxMosso is the legacy v1.1 "who owns this tenant" lookup: Rackspace
// answers 301 with the user and a Location, and so does this fake.
func (s *Identity) raxMosso(c *kit.Call) (kit.Reply, error) {
	tenant := c.Var("tenant_id")
	owner, ok := s.tenantOwner(tenant)
	if !ok {
		return kit.Reply{}, kit.NotFound("Tenant %s not found", tenant)
	}
	c.Header().Set("Location", c.BaseURL()+"/v1.1/users/"+owner.Name)
	var out mossoResponse
	out.User.ID = owner.Name
	return kit.JSON(http.StatusMovedPermanently, out), nil
}

// tenantOwnerLocked picks the user a tenant belongs to: a member whose
// default tenant it is, else the member with the smallest ID. (Not the
// first member map iteration happens to yield: the answer must not change
// from one request to the next.)
func (s *Identity) tenantOwnerLocked(tenant string) (User, bool) {
	var owner User
	found := false
	for m := range s.roles {
		if m.projectID != tenant {
			continue
		}
		u := s.users[m.userID]
		uHome, ownerHome := u.DefaultProjectID == tenant, owner.DefaultProjectID == tenant
		if !found || uHome && !ownerHome || uHome == ownerHome && u.ID < owner.ID {
			owner, found = u, true
		}
	}
	return owner, found
}
