package identity

import (
	"encoding/base64"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of application credentials.
const (
	OpV3ListAppCreds  = "identity.v3.application_credentials.list"
	OpV3CreateAppCred = "identity.v3.application_credentials.create"
	OpV3GetAppCred    = "identity.v3.application_credentials.get"
	OpV3DeleteAppCred = "identity.v3.application_credentials.delete"
)

func (s *Identity) appCredRoutes() []kit.Route {
	const base = "/v3/users/{user_id}/application_credentials"
	return []kit.Route{
		{Op: OpV3ListAppCreds, Method: "GET", Path: base, Handler: s.v3ListAppCreds},
		{Op: OpV3CreateAppCred, Method: "POST", Path: base, Handler: s.v3CreateAppCred},
		{Op: OpV3GetAppCred, Method: "GET", Path: base + "/{app_cred_id}", Handler: s.v3GetAppCred},
		{Op: OpV3DeleteAppCred, Method: "DELETE", Path: base + "/{app_cred_id}", Handler: s.v3DeleteAppCred},
	}
}

// AccessRule is one access rule of an application credential (recorded and
// shown, and listed under the user's access_rules; not enforced).
type AccessRule struct {
	ID      string `json:"id"`
	Path    string `json:"path"`
	Method  string `json:"method"`
	Service string `json:"service"`
}

// appCredential is a stored application credential. Unlike Keystone,
// which keeps a hash, the fake keeps the secret to check it.
type appCredential struct {
	ID, Name, Description string
	UserID, ProjectID     string
	Secret                string
	Roles                 []string // names
	ExpiresAt             time.Time
	Unrestricted          bool
	AccessRules           []AccessRule
}

func (a appCredential) clone() appCredential {
	a.Roles = slices.Clone(a.Roles)
	a.AccessRules = slices.Clone(a.AccessRules)
	return a
}

// appCredRequest is the application_credential auth method's body.
type appCredRequest struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Secret string `json:"secret"`
	User   *v3Ref `json:"user"`
}

// validate checks an application_credential identity.
func (r *appCredRequest) validate() error {
	switch {
	case r == nil:
		return invalidField("identity/application_credential", "'application_credential' is a required property")
	case r.Secret == "":
		return invalidField("identity/application_credential", "'secret' is a required property")
	case r.ID == "" && r.Name == "":
		return invalidField("identity/application_credential", "'id' or 'name' is required")
	case r.ID == "" && r.User == nil:
		return invalidField("identity/application_credential", "an application credential named by name needs a 'user'")
	case r.ID == "":
		return validateV3Ref("identity/application_credential/user", "user", *r.User)
	}
	return nil
}

// findAppCredLocked is the credential the auth request names.
func (s *Identity) findAppCredLocked(r *appCredRequest) (appCredential, bool) {
	if r.ID != "" {
		a, ok := s.appCreds[r.ID]
		return a, ok
	}
	for _, a := range s.appCreds {
		if a.Name != r.Name {
			continue
		}
		u := s.users[a.UserID]
		switch {
		case r.User.ID != "" && u.ID == r.User.ID,
			r.User.ID == "" && u.Name == r.User.Name && r.User.Domain != nil && s.inDomainLocked(u.DomainID, r.User.Domain.ID, r.User.Domain.Name):
			return a, true
		}
	}
	return appCredential{}, false
}

// appCredLoginLocked authenticates with an application credential: a token
// scoped to its project with its roles (those the user still holds there).
func (s *Identity) appCredLoginLocked(c credentials) (Token, error) {
	a, ok := s.findAppCredLocked(c.appCred)
	if !ok || a.Secret != c.appCred.Secret {
		return Token{}, errNoAuth()
	}
	if !a.ExpiresAt.IsZero() && !s.Now().Before(a.ExpiresAt) {
		return Token{}, kit.Errorf(http.StatusUnauthorized, "Application credential %s has expired.", a.ID)
	}
	user, ok := s.users[a.UserID]
	if !ok || user.Disabled {
		return Token{}, errNoAuth()
	}
	if (c.projectID != "" && c.projectID != a.ProjectID) || c.scopeDomainID != "" || c.scopeDomainNm != "" || c.system {
		return Token{}, kit.Errorf(http.StatusUnauthorized, "Application credentials cannot request a scope.")
	}
	have := s.roles[membership{a.UserID, a.ProjectID}]
	var roles []string
	for _, r := range a.Roles {
		if !slices.Contains(have, r) {
			return Token{}, kit.Errorf(http.StatusUnauthorized, "Application credential %s's roles are no longer assigned to its user.", a.ID)
		}
		roles = append(roles, r)
	}
	t := s.issueScopedLocked(a.UserID, tokenScope{projectID: a.ProjectID}, []string{"application_credential"}, "")
	t.Roles, t.AppCredentialID = roles, a.ID
	s.tokens[t.ID] = t.clone()
	return t, nil
}

type appCredRoleRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type appCredCreateRequest struct {
	AppCred *struct {
		Name         string           `json:"name"`
		Description  string           `json:"description"`
		Secret       string           `json:"secret"`
		ExpiresAt    *string          `json:"expires_at"`
		Roles        []appCredRoleRef `json:"roles"`
		Unrestricted bool             `json:"unrestricted"`
		AccessRules  []AccessRule     `json:"access_rules"`
	} `json:"application_credential"`
}

// appCredInvalid is Keystone's ApplicationCredentialValidationError.
func appCredInvalid(detail string) *kit.Error {
	return kit.BadRequest("Invalid application credential: %s", detail)
}

// parseExpiry reads expires_at as Keystone's utils.parse_expiration_date
// does: an ISO 8601 time, UTC when it names no zone.
func parseExpiry(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, kit.BadRequest("Invalid input for field 'expires_at': %q is not an ISO 8601 time.", v)
}

func (s *Identity) v3CreateAppCred(c *kit.Call) (kit.Reply, error) {
	var req appCredCreateRequest
	if err := c.DecodeJSON(&req, kit.DecodeOptions{}); err != nil {
		return kit.Reply{}, err
	}
	in := req.AppCred
	if in == nil {
		return kit.Reply{}, invalidField("application_credential", "'application_credential' is a required property")
	}
	if in.Name == "" {
		return kit.Reply{}, invalidField("name", "'name' is a required property")
	}
	caller := s.callerToken(c)
	if err := s.checkUnrestricted(caller); err != nil {
		return kit.Reply{}, err
	}
	if c.Principal.UserID != c.Var("user_id") {
		return kit.Reply{}, forbidden("Cannot create an application credential for another user.")
	}
	if caller.ProjectID == "" {
		return kit.Reply{}, appCredInvalid("Application credentials are created with a project-scoped token.")
	}
	a := appCredential{
		Name: in.Name, Description: in.Description, UserID: caller.UserID, ProjectID: caller.ProjectID,
		Secret: in.Secret, Unrestricted: in.Unrestricted, AccessRules: []AccessRule{},
	}
	if in.ExpiresAt != nil && *in.ExpiresAt != "" {
		exp, err := parseExpiry(*in.ExpiresAt)
		if err != nil {
			return kit.Reply{}, err
		}
		if !exp.After(c.Now) {
			return kit.Reply{}, appCredInvalid("The expiration date must be in the future.")
		}
		a.ExpiresAt = exp
	}
	stored, err := s.storeAppCred(a, in.Roles, in.AccessRules, caller.Roles)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.JSON(http.StatusCreated, appCredResponse{AppCred: s.appCredBody(c, stored, true)}), nil
}

// checkUnrestricted refuses a token obtained with a restricted application
// credential, as Keystone does for managing credentials.
func (s *Identity) checkUnrestricted(t Token) error {
	if t.AppCredentialID == "" {
		return nil
	}
	s.mu.Lock()
	a := s.appCreds[t.AppCredentialID]
	s.mu.Unlock()
	if !a.Unrestricted {
		return forbidden("Using method 'application_credential' is not allowed for managing additional application credentials.")
	}
	return nil
}

// storeAppCred resolves the roles (the token's when none are named; each
// named one must be in the token), fills in the secret and IDs, and
// stores the credential.
func (s *Identity) storeAppCred(a appCredential, refs []appCredRoleRef, rules []AccessRule, tokenRoles []string) (appCredential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, other := range s.appCreds {
		if other.UserID == a.UserID && other.Name == a.Name {
			return appCredential{}, conflict("application_credential", "Duplicate name "+a.Name)
		}
	}
	a.Roles = slices.Clone(tokenRoles)
	if len(refs) > 0 {
		a.Roles = nil
		for _, ref := range refs {
			name := ref.Name
			if ref.ID != "" {
				r, ok := s.roleDefs[ref.ID]
				if !ok {
					return appCredential{}, kit.NotFound("Could not find role: %s.", ref.ID)
				}
				name = r.Name
			}
			if !slices.Contains(tokenRoles, name) {
				return appCredential{}, appCredInvalid("Cannot create an application credential with unassigned role")
			}
			a.Roles = addNames(a.Roles, []string{name})
		}
	}
	if a.Secret == "" {
		a.Secret = strings.TrimRight(base64.URLEncoding.EncodeToString([]byte(s.RNG().Hex(48))), "=")
	}
	for _, r := range rules {
		a.AccessRules = append(a.AccessRules, s.accessRuleLocked(a.UserID, r))
	}
	a.ID = s.RNG().Hex(32)
	s.appCreds[a.ID] = a.clone()
	return a, nil
}

type appCredRoleJSON struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	DomainID *string `json:"domain_id"`
}

type appCredJSON struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Description  *string           `json:"description"`
	ProjectID    string            `json:"project_id"`
	Secret       string            `json:"secret,omitempty"`
	ExpiresAt    *string           `json:"expires_at"`
	Unrestricted bool              `json:"unrestricted"`
	Roles        []appCredRoleJSON `json:"roles"`
	AccessRules  []AccessRule      `json:"access_rules"`
	Links        selfLinkJSON      `json:"links"`
}

type appCredResponse struct {
	AppCred appCredJSON `json:"application_credential"`
}

type appCredsResponse struct {
	AppCreds []appCredJSON `json:"application_credentials"`
	Links    listLinksJSON `json:"links"`
}

// appCredBody renders a credential; the secret only when just created.
func (s *Identity) appCredBody(c *kit.Call, a appCredential, withSecret bool) appCredJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := appCredJSON{
		ID: a.ID, Name: a.Name, ProjectID: a.ProjectID, Unrestricted: a.Unrestricted,
		Roles: []appCredRoleJSON{}, AccessRules: append([]AccessRule{}, a.AccessRules...),
		Links: selfLinkJSON{Self: c.BaseURL() + "/v3/users/" + a.UserID + "/application_credentials/" + a.ID},
	}
	if a.Description != "" {
		d := a.Description
		out.Description = &d
	}
	if withSecret {
		out.Secret = a.Secret
	}
	if !a.ExpiresAt.IsZero() {
		e := a.ExpiresAt.UTC().Format("2006-01-02T15:04:05.000000")
		out.ExpiresAt = &e
	}
	for _, name := range a.Roles {
		out.Roles = append(out.Roles, appCredRoleJSON{ID: s.roleIDLocked(name), Name: name})
	}
	return out
}

// mayReadAppCreds is Keystone's admin_or_system_reader_or_owner.
func (s *Identity) mayReadAppCreds(c *kit.Call) bool {
	return c.Principal.UserID == c.Var("user_id") || s.adminOrSystemReader(c)
}

func (s *Identity) v3ListAppCreds(c *kit.Call) (kit.Reply, error) {
	if !s.mayReadAppCreds(c) {
		return kit.Reply{}, forbidden("identity:list_application_credentials")
	}
	userID, name := c.Var("user_id"), c.Query().Get("name")
	s.mu.Lock()
	if _, ok := s.users[userID]; !ok {
		s.mu.Unlock()
		return kit.Reply{}, kit.NotFound("Could not find user: %s.", userID)
	}
	var list []appCredential
	for _, a := range s.appCreds {
		if a.UserID == userID && (name == "" || a.Name == name) {
			list = append(list, a.clone())
		}
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	out := appCredsResponse{AppCreds: make([]appCredJSON, 0, len(list)), Links: selfLinks(c)}
	for _, a := range list {
		out.AppCreds = append(out.AppCreds, s.appCredBody(c, a, false))
	}
	return kit.OK(out), nil
}

// appCredInURL is the user's credential named in the URL.
func (s *Identity) appCredInURL(c *kit.Call) (appCredential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.Var("app_cred_id")
	a, ok := s.appCreds[id]
	if !ok || a.UserID != c.Var("user_id") {
		return appCredential{}, kit.NotFound("Could not find Application Credential: %s.", id)
	}
	return a.clone(), nil
}

func (s *Identity) v3GetAppCred(c *kit.Call) (kit.Reply, error) {
	if !s.mayReadAppCreds(c) {
		return kit.Reply{}, forbidden("identity:get_application_credential")
	}
	a, err := s.appCredInURL(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(appCredResponse{AppCred: s.appCredBody(c, a, false)}), nil
}

func (s *Identity) v3DeleteAppCred(c *kit.Call) (kit.Reply, error) {
	if c.Principal.UserID != c.Var("user_id") && !isAdmin(c) {
		return kit.Reply{}, forbidden("identity:delete_application_credential")
	}
	if err := s.checkUnrestricted(s.callerToken(c)); err != nil {
		return kit.Reply{}, err
	}
	a, err := s.appCredInURL(c)
	if err != nil {
		return kit.Reply{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.appCreds, a.ID)
	// Keystone revokes the tokens the credential issued.
	for id, t := range s.tokens {
		if t.AppCredentialID == a.ID && !t.Revoked {
			t.Revoked = true
			s.tokens[id] = t
		}
	}
	return kit.Status(http.StatusNoContent), nil
}

// ApplicationCredentialIDs returns the IDs of the user's application
// credentials, by name.
func (s *Identity) ApplicationCredentialIDs(userID string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, a := range s.appCreds {
		if a.UserID == userID {
			out[a.Name] = a.ID
		}
	}
	return out
}
