package identity

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/mockcloud/mockcloud/kit"
)

// v3Time is Keystone v3's timestamp format (microseconds, Z).
const v3Time = "2006-01-02T15:04:05.000000Z"

// v3Ref is a {"id"|"name", "domain"} reference as v3 auth bodies carry them.
type v3Ref struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain *v3Ref `json:"domain"`
}

type v3AuthRequest struct {
	Auth *struct {
		Identity *v3Identity     `json:"identity"`
		Scope    json.RawMessage `json:"scope"`
	} `json:"auth"`
}

type v3Identity struct {
	Methods  []string `json:"methods"`
	Password *struct {
		User *struct {
			v3Ref
			Password string `json:"password"`
		} `json:"user"`
	} `json:"password"`
	Token *struct {
		ID string `json:"id"`
	} `json:"token"`
	AppCred *appCredRequest `json:"application_credential"`
}

type v3ScopeRequest struct {
	Project *v3Ref `json:"project"`
	Domain  *v3Ref `json:"domain"`
	System  *struct {
		All *bool `json:"all"`
	} `json:"system"`
}

// v3Scope is the scope a v3 auth body asks for, validated: at most one of
// unscoped, project, domain and system.
type v3Scope struct {
	unscoped bool
	system   bool
	project  *v3Ref
	domain   *v3Ref
}

// invalidField is Keystone's schema-validation 400.
func invalidField(field, problem string) *kit.Error {
	return kit.Errorf(http.StatusBadRequest, "Invalid input for field '%s': %s", field, problem)
}

// parseV3Auth turns a v3 auth body into credentials, with Keystone's 400s
// (and 401s for what this fake refuses): it decodes the body, validates the
// identity and then the scope, and only then builds the credentials.
func parseV3Auth(body []byte) (credentials, error) {
	var req v3AuthRequest
	if err := kit.DecodeJSON(body, &req, kit.DecodeOptions{}); err != nil {
		return credentials{}, err
	}
	if err := req.validate(); err != nil {
		return credentials{}, err
	}
	scope, err := parseV3Scope(req.Auth.Scope)
	if err != nil {
		return credentials{}, err
	}
	c := req.Auth.Identity.credentials()
	scope.applyTo(&c)
	return c, nil
}

// validate checks the identity half of the request.
func (req *v3AuthRequest) validate() error {
	if req.Auth == nil {
		return invalidField("auth", "'auth' is a required property")
	}
	id := req.Auth.Identity
	if id == nil {
		return invalidField("identity", "'identity' is a required property")
	}
	if len(id.Methods) == 0 {
		return invalidField("identity", "'methods' is a required property")
	}
	switch id.Methods[0] {
	case "password":
		if id.Password == nil || id.Password.User == nil {
			return invalidField("identity/password", "'user' is a required property")
		}
		return validateV3Ref("identity/password/user", "user", id.Password.User.v3Ref)
	case "token":
		if id.Token == nil || id.Token.ID == "" {
			return invalidField("identity/token", "'id' is a required property")
		}
		return nil
	case "application_credential":
		return id.AppCred.validate()
	}
	return kit.Errorf(http.StatusUnauthorized, "Attempted to authenticate with an unsupported method.")
}

// validateV3Ref checks a reference to a user or project (noun): by ID, or
// by name with a domain named by ID or name.
func validateV3Ref(field, noun string, r v3Ref) error {
	if r.ID == "" && r.Name == "" {
		return invalidField(field, "'id' or 'name' is required")
	}
	if r.ID == "" && r.Domain == nil {
		return invalidField(field, "a "+noun+" named by name needs a 'domain'")
	}
	if r.Domain != nil && r.Domain.ID == "" && r.Domain.Name == "" {
		return invalidField(field+"/domain", "'id' or 'name' is required")
	}
	return nil
}

// credentials are what a validated identity says.
func (id *v3Identity) credentials() credentials {
	switch id.Methods[0] {
	case "token":
		return credentials{method: "token", tokenID: id.Token.ID}
	case "application_credential":
		return credentials{method: "application_credential", appCred: id.AppCred}
	}
	u := id.Password.User
	c := credentials{method: "password", userID: u.ID, userName: u.Name, secret: u.Password}
	if u.Domain != nil {
		c.domainID, c.domainNm = u.Domain.ID, u.Domain.Name
	}
	return c
}

// parseV3Scope reads and validates "scope": absent or null, "unscoped", or
// an object naming a project or a domain.
func parseV3Scope(raw json.RawMessage) (v3Scope, error) {
	scope := bytes.TrimSpace(raw)
	switch {
	case len(scope) == 0 || string(scope) == "null":
		return v3Scope{}, nil
	case string(scope) == `"unscoped"`:
		return v3Scope{unscoped: true}, nil
	}
	var sc v3ScopeRequest
	if err := json.Unmarshal(scope, &sc); err != nil {
		return v3Scope{}, invalidField("scope", `must be an object or "unscoped"`)
	}
	set := 0
	for _, named := range []bool{sc.System != nil, sc.Project != nil, sc.Domain != nil} {
		if named {
			set++
		}
	}
	if set > 1 {
		return v3Scope{}, invalidField("scope", "only one of project, domain and system may be given")
	}
	switch {
	case sc.System != nil:
		if sc.System.All == nil || !*sc.System.All {
			return v3Scope{}, invalidField("scope/system", "'all' must be true")
		}
		return v3Scope{system: true}, nil
	case sc.Project != nil:
		if err := validateV3Ref("scope/project", "project", *sc.Project); err != nil {
			return v3Scope{}, err
		}
		return v3Scope{project: sc.Project}, nil
	case sc.Domain != nil:
		if sc.Domain.ID == "" && sc.Domain.Name == "" {
			return v3Scope{}, invalidField("scope/domain", "'id' or 'name' is required")
		}
		return v3Scope{domain: sc.Domain}, nil
	}
	return v3Scope{}, nil
}

// applyTo sets the scope of c.
func (sc v3Scope) applyTo(c *credentials) {
	c.unscoped, c.system = sc.unscoped, sc.system
	if p := sc.project; p != nil {
		c.projectID, c.projectName = p.ID, p.Name
		if p.Domain != nil {
			c.projectDomainID, c.projectDomainNm = p.Domain.ID, p.Domain.Name
		}
	}
	if d := sc.domain; d != nil {
		c.scopeDomainID, c.scopeDomainNm = d.ID, d.Name
	}
}

func (s *Identity) v3CreateToken(c *kit.Call) (kit.Reply, error) {
	cred, err := parseV3Auth(c.Body)
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
	c.Header().Set("X-Subject-Token", t.ID)
	return kit.JSON(http.StatusCreated, v3TokenResponse{Token: s.v3TokenBody(c.Request, t, wantCatalog(c))}), nil
}

// wantCatalog reports whether a token response should carry the catalog:
// Keystone leaves it out when ?nocatalog is present, whatever its value
// ("?nocatalog" alone included).
func wantCatalog(c *kit.Call) bool {
	_, no := c.Query()["nocatalog"]
	return !no
}

// refJSON is an {"id","name"} reference.
type refJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type v3TokenUserJSON struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	Domain            refJSON `json:"domain"`
	PasswordExpiresAt *string `json:"password_expires_at"` // always null
}

type v3TokenProjectJSON struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Domain refJSON `json:"domain"`
}

// v3TokenJSON is Keystone v3's token body. Project, domain and roles are
// there only for a scoped token; the catalog unless ?nocatalog.
type v3TokenJSON struct {
	Methods      []string            `json:"methods"`
	AuditIDs     []string            `json:"audit_ids"`
	ExpiresAt    string              `json:"expires_at"`
	IssuedAt     string              `json:"issued_at"`
	IsDomain     bool                `json:"is_domain"`
	User         v3TokenUserJSON     `json:"user"`
	Impersonator *refJSON            `json:"RAX-AUTH:impersonator,omitempty"`
	Project      *v3TokenProjectJSON `json:"project,omitempty"`
	Domain       *refJSON            `json:"domain,omitempty"`
	System       *map[string]bool    `json:"system,omitempty"`
	AppCred      *v3TokenAppCredJSON `json:"application_credential,omitempty"`
	Roles        *[]refJSON          `json:"roles,omitempty"`
	Catalog      *[]v3ServiceJSON    `json:"catalog,omitempty"`
}

// v3TokenAppCredJSON is the application credential a token came from.
type v3TokenAppCredJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Restricted bool   `json:"restricted"`
}

type v3TokenResponse struct {
	Token v3TokenJSON `json:"token"`
}

// v3TokenBody renders a token as Keystone v3 does.
func (s *Identity) v3TokenBody(r *http.Request, t Token, withCatalog bool) v3TokenJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[t.UserID]
	body := v3TokenJSON{
		Methods:   t.Methods,
		AuditIDs:  []string{t.AuditID},
		ExpiresAt: t.ExpiresAt.UTC().Format(v3Time),
		IssuedAt:  t.IssuedAt.UTC().Format(v3Time),
		User:      v3TokenUserJSON{ID: u.ID, Name: u.Name, Domain: s.domainRefLocked(u.DomainID)},
	}
	if t.Impersonator != "" {
		body.Impersonator = &refJSON{ID: t.Impersonator, Name: s.users[t.Impersonator].Name}
	}
	if t.ProjectID != "" {
		p := s.projects[t.ProjectID]
		body.Project = &v3TokenProjectJSON{ID: p.ID, Name: p.Name, Domain: s.domainRefLocked(p.DomainID)}
	}
	if t.DomainID != "" {
		d := s.domainRefLocked(t.DomainID)
		body.Domain = &d
	}
	if t.System {
		body.System = &map[string]bool{"all": true}
	}
	if a, ok := s.appCreds[t.AppCredentialID]; ok {
		body.AppCred = &v3TokenAppCredJSON{ID: a.ID, Name: a.Name, Restricted: !a.Unrestricted}
	}
	if t.ProjectID != "" || t.DomainID != "" || t.System {
		roles := make([]refJSON, 0, len(t.Roles))
		for _, name := range t.Roles {
			roles = append(roles, refJSON{ID: s.roleIDLocked(name), Name: name})
		}
		body.Roles = &roles
	}
	if withCatalog {
		cat := v3Catalog(s.resolveLocked(r, t.ProjectID))
		body.Catalog = &cat
	}
	return body
}

func (s *Identity) domainRefLocked(id string) refJSON {
	d, ok := s.domains[id]
	if !ok {
		d = Domain{ID: id, Name: id}
	}
	return refJSON{ID: d.ID, Name: d.Name}
}

// subjectToken finds the token named by X-Subject-Token for validate,
// check and revoke; Keystone answers 404 for one it cannot use.
func (s *Identity) subjectToken(c *kit.Call) (Token, error) {
	id := c.Request.Header.Get("X-Subject-Token")
	if id == "" {
		return Token{}, kit.BadRequest("Expecting to find X-Subject-Token in request headers.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || !t.Valid(s.Now()) {
		return Token{}, kit.NotFound("Could not find token: %s.", id)
	}
	return t.clone(), nil
}

func (s *Identity) v3ValidateToken(c *kit.Call) (kit.Reply, error) {
	t, err := s.subjectToken(c)
	if err != nil {
		return kit.Reply{}, err
	}
	c.Header().Set("X-Subject-Token", t.ID)
	return kit.OK(v3TokenResponse{Token: s.v3TokenBody(c.Request, t, wantCatalog(c))}), nil
}

func (s *Identity) v3CheckToken(c *kit.Call) (kit.Reply, error) {
	t, err := s.subjectToken(c)
	if err != nil {
		var e *kit.Error
		if errors.As(err, &e) {
			return kit.Status(e.Status), nil // HEAD: status only
		}
		return kit.Reply{}, err
	}
	c.Header().Set("X-Subject-Token", t.ID)
	return kit.Status(http.StatusOK), nil
}

func (s *Identity) v3RevokeToken(c *kit.Call) (kit.Reply, error) {
	t, err := s.subjectToken(c)
	if err != nil {
		return kit.Reply{}, err
	}
	s.Revoke(t.ID)
	return kit.Status(http.StatusNoContent), nil
}

// listLinksJSON are a v3 list's links (this fake never pages).
type listLinksJSON struct {
	Self     string  `json:"self"`
	Previous *string `json:"previous"`
	Next     *string `json:"next"`
}

type v3CatalogResponse struct {
	Catalog []v3ServiceJSON `json:"catalog"`
	Links   listLinksJSON   `json:"links"`
}

func (s *Identity) v3Catalog(c *kit.Call) (kit.Reply, error) {
	return kit.OK(v3CatalogResponse{
		Catalog: v3Catalog(s.resolve(c.Request, c.Principal.ProjectID)),
		Links:   listLinksJSON{Self: c.BaseURL() + "/v3/auth/catalog"},
	}), nil
}

type selfLinkJSON struct {
	Self string `json:"self"`
}

type v3ProjectJSON struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	DomainID    string       `json:"domain_id"`
	Description string       `json:"description"`
	Enabled     bool         `json:"enabled"`
	IsDomain    bool         `json:"is_domain"`
	ParentID    string       `json:"parent_id"`
	Tags        []string     `json:"tags"`
	Options     struct{}     `json:"options"`
	Links       selfLinkJSON `json:"links"`
}

type v3ProjectResponse struct {
	Project v3ProjectJSON `json:"project"`
}

type v3ProjectsResponse struct {
	Projects []v3ProjectJSON `json:"projects"`
	Links    listLinksJSON   `json:"links"`
}

func v3ProjectBody(c *kit.Call, p Project) v3ProjectJSON {
	tags := append([]string{}, p.Tags...)
	return v3ProjectJSON{
		ID: p.ID, Name: p.Name, DomainID: p.DomainID, Description: p.Description,
		Enabled: !p.Disabled, ParentID: cmp.Or(p.ParentID, p.DomainID), Tags: tags,
		Links: selfLinkJSON{Self: c.BaseURL() + "/v3/projects/" + p.ID},
	}
}

// projectsReply lists projects, filtered by the query's name, domain_id and
// enabled.
func projectsReply(c *kit.Call, projects []Project) kit.Reply {
	q := c.Query()
	out := make([]v3ProjectJSON, 0, len(projects))
	for _, p := range projects {
		if name := q.Get("name"); name != "" && p.Name != name {
			continue
		}
		if d := q.Get("domain_id"); d != "" && p.DomainID != d {
			continue
		}
		if e := q.Get("enabled"); e != "" && (e == "false" || e == "0") != p.Disabled {
			continue
		}
		if pid := q.Get("parent_id"); pid != "" && cmp.Or(p.ParentID, p.DomainID) != pid {
			continue
		}
		if !tagsMatch(q, p.Tags) {
			continue
		}
		out = append(out, v3ProjectBody(c, p))
	}
	return kit.OK(v3ProjectsResponse{Projects: out, Links: listLinksJSON{Self: c.BaseURL() + c.Request.URL.Path}})
}

// projectsOf returns the projects the user has a role on, by ID.
func (s *Identity) projectsOf(userID string) []Project {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.projectsOfLocked(userID)
}

func (s *Identity) v3AuthProjects(c *kit.Call) (kit.Reply, error) {
	return projectsReply(c, s.projectsOf(c.Principal.UserID)), nil
}

func (s *Identity) v3ListProjects(c *kit.Call) (kit.Reply, error) {
	if s.adminOrSystemReader(c) {
		return projectsReply(c, s.Projects()), nil
	}
	return projectsReply(c, s.projectsOf(c.Principal.UserID)), nil
}

// forbidden is Keystone's policy refusal.
func forbidden(action string) *kit.Error {
	return kit.Forbidden("You are not authorized to perform the requested action: %s.", action)
}

func (s *Identity) v3GetProject(c *kit.Call) (kit.Reply, error) {
	p, err := s.readableProject(c, "identity:get_project")
	if err != nil {
		return kit.Reply{}, err
	}
	body, err := s.expandProject(c, p)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(struct {
		Project v3ProjectWithHierarchy `json:"project"`
	}{body}), nil
}

// readableProject is the project in the URL, which the caller must be
// scoped to, or be an admin or a system reader (Keystone's get_project).
func (s *Identity) readableProject(c *kit.Call, action string) (Project, error) {
	id := c.Var("project_id")
	if c.Principal.ProjectID != id && !s.adminOrSystemReader(c) {
		return Project{}, forbidden(action)
	}
	p, ok := s.Project(id)
	if !ok {
		return Project{}, kit.NotFound("Could not find project: %s.", id)
	}
	return p, nil
}

// userProjects returns the projects of the user with id; ok is false when
// there is no such user.
func (s *Identity) userProjects(id string) (projects []Project, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[id]; !ok {
		return nil, false
	}
	return s.projectsOfLocked(id), true
}

func (s *Identity) v3UserProjects(c *kit.Call) (kit.Reply, error) {
	id := c.Var("user_id")
	if c.Principal.UserID != id && !c.Principal.HasRole("admin") {
		return kit.Reply{}, forbidden("identity:list_user_projects")
	}
	projects, ok := s.userProjects(id)
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find user: %s.", id)
	}
	return projectsReply(c, projects), nil
}
