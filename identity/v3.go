package identity

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// v3Time is Keystone v3's timestamp format (microseconds, Z).
const v3Time = "2006-01-02T15:04:05.000000Z"

const (
	v3VersionID = "v3.14"
	v3Updated   = "2020-04-07T00:00:00Z"
	v2Updated   = "2014-04-17T00:00:00Z"
)

func versionEntry(id, status, updated, href, media string) map[string]any {
	return map[string]any{
		"id": id, "status": status, "updated": updated,
		"links":       []map[string]string{{"rel": "self", "href": href}},
		"media-types": []map[string]string{{"base": "application/json", "type": media}},
	}
}

func (s *Identity) v3Version(r *http.Request) map[string]any {
	return versionEntry(v3VersionID, "stable", v3Updated, fake.BaseURL(r)+"/v3/", "application/vnd.openstack.identity-v3+json")
}

func (s *Identity) v2Version(r *http.Request) map[string]any {
	return versionEntry("v2.0", "deprecated", v2Updated, fake.BaseURL(r)+"/v2.0/", "application/vnd.openstack.identity-v2.0+json")
}

// versions answers GET / with 300 Multiple Choices, as Keystone does.
func (s *Identity) versions(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusMultipleChoices, map[string]any{
		"versions": map[string]any{"values": []any{s.v3Version(r), s.v2Version(r)}},
	})
}

func (s *Identity) v3Root(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"version": s.v3Version(r)})
}

// v3Ref is a {"id"|"name", "domain"} reference as v3 auth bodies carry them.
type v3Ref struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain *v3Ref `json:"domain"`
}

type v3AuthRequest struct {
	Auth *struct {
		Identity *struct {
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
		} `json:"identity"`
		Scope json.RawMessage `json:"scope"`
	} `json:"auth"`
}

// parseV3Auth turns a v3 auth body into credentials, with Keystone's 400s.
func parseV3Auth(body []byte) (credentials, *fake.Error) {
	var req v3AuthRequest
	if err := fake.DecodeJSONBytes(body, &req, fake.DecodeOptions{}); err != nil {
		return credentials{}, err
	}
	bad := func(msg string) (credentials, *fake.Error) {
		return credentials{}, fake.Errorf(http.StatusBadRequest, "Invalid input for field '%s'", msg)
	}
	if req.Auth == nil {
		return bad("auth': 'auth' is a required property")
	}
	if req.Auth.Identity == nil {
		return bad("identity': 'identity' is a required property")
	}
	id := req.Auth.Identity
	if len(id.Methods) == 0 {
		return bad("identity': 'methods' is a required property")
	}
	var c credentials
	switch id.Methods[0] {
	case "password":
		if id.Password == nil || id.Password.User == nil {
			return bad("identity/password': 'user' is a required property")
		}
		u := id.Password.User
		if u.ID == "" && u.Name == "" {
			return bad("identity/password/user': 'id' or 'name' is required")
		}
		if u.ID == "" && u.Domain == nil {
			return bad("identity/password/user': a user named by name needs a 'domain'")
		}
		if u.Domain != nil && u.Domain.ID == "" && u.Domain.Name == "" {
			return bad("identity/password/user/domain': 'id' or 'name' is required")
		}
		c = credentials{method: "password", userID: u.ID, userName: u.Name, secret: u.Password}
		if u.Domain != nil {
			c.domainID, c.domainNm = u.Domain.ID, u.Domain.Name
		}
	case "token":
		if id.Token == nil || id.Token.ID == "" {
			return bad("identity/token': 'id' is a required property")
		}
		c = credentials{method: "token", tokenID: id.Token.ID}
	default:
		return credentials{}, fake.Errorf(http.StatusUnauthorized, "Attempted to authenticate with an unsupported method.")
	}

	scope := bytes.TrimSpace(req.Auth.Scope)
	switch {
	case len(scope) == 0 || string(scope) == "null":
	case string(scope) == `"unscoped"`:
		c.unscoped = true
	default:
		var sc struct {
			Project *v3Ref `json:"project"`
			Domain  *v3Ref `json:"domain"`
			System  any    `json:"system"`
		}
		if err := json.Unmarshal(scope, &sc); err != nil {
			return bad("scope': must be an object or \"unscoped\"")
		}
		switch {
		case sc.System != nil:
			return credentials{}, fake.Errorf(http.StatusUnauthorized, "System scope is not supported by mockcloud.")
		case sc.Project != nil:
			p := sc.Project
			if p.ID == "" && p.Name == "" {
				return bad("scope/project': 'id' or 'name' is required")
			}
			if p.ID == "" && p.Domain == nil {
				return bad("scope/project': a project named by name needs a 'domain'")
			}
			if p.Domain != nil && p.Domain.ID == "" && p.Domain.Name == "" {
				return bad("scope/project/domain': 'id' or 'name' is required")
			}
			c.projectID, c.projectName = p.ID, p.Name
			if p.Domain != nil {
				c.projectDomainID, c.projectDomainNm = p.Domain.ID, p.Domain.Name
			}
		case sc.Domain != nil:
			if sc.Domain.ID == "" && sc.Domain.Name == "" {
				return bad("scope/domain': 'id' or 'name' is required")
			}
			c.scopeDomainID, c.scopeDomainNm = sc.Domain.ID, sc.Domain.Name
		}
	}
	return c, nil
}

func (s *Identity) v3CreateToken(w http.ResponseWriter, r *http.Request) {
	body, _ := readAll(r)
	c, err := parseV3Auth(body)
	if err != nil {
		writeKeystoneError(w, r, err.Status, err.Message)
		return
	}
	if s.applyBehavior(w, c) {
		return
	}
	t, err := s.login(c)
	if err != nil {
		writeKeystoneError(w, r, err.Status, err.Message)
		return
	}
	w.Header().Set("X-Subject-Token", t.ID)
	fake.WriteJSON(w, http.StatusCreated, map[string]any{"token": s.v3TokenBody(r, t, wantCatalog(r))})
}

// wantCatalog reports whether a token response should carry the catalog:
// Keystone leaves it out when ?nocatalog is present, whatever its value
// ("?nocatalog" alone included).
func wantCatalog(r *http.Request) bool {
	_, no := r.URL.Query()["nocatalog"]
	return !no
}

// v3TokenBody renders a token as Keystone v3 does.
func (s *Identity) v3TokenBody(r *http.Request, t Token, withCatalog bool) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[t.UserID]
	body := map[string]any{
		"methods":    t.Methods,
		"audit_ids":  []string{t.AuditID},
		"expires_at": t.ExpiresAt.UTC().Format(v3Time),
		"issued_at":  t.IssuedAt.UTC().Format(v3Time),
		"is_domain":  false,
		"user": map[string]any{
			"id": u.ID, "name": u.Name, "domain": s.domainRefLocked(u.DomainID),
			"password_expires_at": nil,
		},
	}
	if t.Impersonator != "" {
		body["RAX-AUTH:impersonator"] = map[string]any{"id": t.Impersonator, "name": s.users[t.Impersonator].Name}
	}
	if t.ProjectID != "" {
		p := s.projects[t.ProjectID]
		body["project"] = map[string]any{"id": p.ID, "name": p.Name, "domain": s.domainRefLocked(p.DomainID)}
	}
	if t.DomainID != "" {
		body["domain"] = s.domainRefLocked(t.DomainID)
	}
	if t.ProjectID != "" || t.DomainID != "" {
		roles := make([]map[string]string, 0, len(t.Roles))
		for _, name := range t.Roles {
			roles = append(roles, map[string]string{"id": roleID(name), "name": name})
		}
		body["roles"] = roles
	}
	if withCatalog {
		body["catalog"] = v3Catalog(s.resolveLocked(r, t.ProjectID))
	}
	return body
}

// roleID is a stable ID for a role name (roles are names in this fake).
func roleID(name string) string { return "role-" + name }

func (s *Identity) domainRefLocked(id string) map[string]string {
	d, ok := s.domains[id]
	if !ok {
		d = Domain{ID: id, Name: id}
	}
	return map[string]string{"id": d.ID, "name": d.Name}
}

// subjectToken finds the token named by X-Subject-Token for validate,
// check and revoke; Keystone answers 404 for one it cannot use.
func (s *Identity) subjectToken(r *http.Request) (Token, *fake.Error) {
	id := r.Header.Get("X-Subject-Token")
	if id == "" {
		return Token{}, fake.Errorf(http.StatusBadRequest, "Expecting to find X-Subject-Token in request headers.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || !t.Valid(s.env.Clock.Now()) {
		return Token{}, fake.Errorf(http.StatusNotFound, "Could not find token: %s.", id)
	}
	return t.clone(), nil
}

func (s *Identity) v3ValidateToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.subjectToken(r)
	if err != nil {
		writeKeystoneError(w, r, err.Status, err.Message)
		return
	}
	w.Header().Set("X-Subject-Token", t.ID)
	fake.WriteJSON(w, http.StatusOK, map[string]any{"token": s.v3TokenBody(r, t, wantCatalog(r))})
}

func (s *Identity) v3CheckToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.subjectToken(r)
	if err != nil {
		w.WriteHeader(err.Status) // HEAD: status only
		return
	}
	w.Header().Set("X-Subject-Token", t.ID)
	w.WriteHeader(http.StatusOK)
}

func (s *Identity) v3RevokeToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.subjectToken(r)
	if err != nil {
		writeKeystoneError(w, r, err.Status, err.Message)
		return
	}
	s.Revoke(t.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Identity) v3Catalog(w http.ResponseWriter, r *http.Request) {
	p, _ := fake.PrincipalFrom(r.Context())
	s.mu.Lock()
	cat := v3Catalog(s.resolveLocked(r, p.ProjectID))
	s.mu.Unlock()
	fake.WriteJSON(w, http.StatusOK, map[string]any{
		"catalog": cat,
		"links":   map[string]any{"self": fake.BaseURL(r) + "/v3/auth/catalog", "previous": nil, "next": nil},
	})
}

func (s *Identity) v3ProjectBody(r *http.Request, p Project) map[string]any {
	return map[string]any{
		"id": p.ID, "name": p.Name, "domain_id": p.DomainID, "description": p.Description,
		"enabled": !p.Disabled, "is_domain": false, "parent_id": p.DomainID, "tags": []string{},
		"options": map[string]any{},
		"links":   map[string]string{"self": fake.BaseURL(r) + "/v3/projects/" + p.ID},
	}
}

func (s *Identity) writeProjects(w http.ResponseWriter, r *http.Request, projects []Project) {
	q := r.URL.Query()
	out := make([]map[string]any, 0, len(projects))
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
		out = append(out, s.v3ProjectBody(r, p))
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{
		"projects": out,
		"links":    map[string]any{"self": fake.BaseURL(r) + r.URL.Path, "previous": nil, "next": nil},
	})
}

func (s *Identity) v3AuthProjects(w http.ResponseWriter, r *http.Request) {
	p, _ := fake.PrincipalFrom(r.Context())
	s.mu.Lock()
	projects := s.projectsOfLocked(p.UserID)
	s.mu.Unlock()
	s.writeProjects(w, r, projects)
}

func (s *Identity) v3ListProjects(w http.ResponseWriter, r *http.Request) {
	p, _ := fake.PrincipalFrom(r.Context())
	var projects []Project
	if p.HasRole("admin") {
		projects = s.Projects()
	} else {
		s.mu.Lock()
		projects = s.projectsOfLocked(p.UserID)
		s.mu.Unlock()
	}
	s.writeProjects(w, r, projects)
}

// forbidden is Keystone's policy refusal.
func forbidden(action string) *fake.Error {
	return fake.Errorf(http.StatusForbidden, "You are not authorized to perform the requested action: %s.", action)
}

func (s *Identity) v3GetProject(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["project_id"]
	caller, _ := fake.PrincipalFrom(r.Context())
	if caller.ProjectID != id && !caller.HasRole("admin") {
		err := forbidden("identity:get_project")
		writeKeystoneError(w, r, err.Status, err.Message)
		return
	}
	p, ok := s.Project(id)
	if !ok {
		writeKeystoneError(w, r, http.StatusNotFound, "Could not find project: "+id+".")
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"project": s.v3ProjectBody(r, p)})
}

func (s *Identity) v3UserProjects(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["user_id"]
	caller, _ := fake.PrincipalFrom(r.Context())
	if caller.UserID != id && !caller.HasRole("admin") {
		err := forbidden("identity:list_user_projects")
		writeKeystoneError(w, r, err.Status, err.Message)
		return
	}
	s.mu.Lock()
	_, ok := s.users[id]
	projects := s.projectsOfLocked(id)
	s.mu.Unlock()
	if !ok {
		writeKeystoneError(w, r, http.StatusNotFound, "Could not find user: "+id+".")
		return
	}
	s.writeProjects(w, r, projects)
}
