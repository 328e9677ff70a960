package identity

import (
	"io"
	"math"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// v2Time is Keystone v2.0's and Rackspace's timestamp format.
const v2Time = "2006-01-02T15:04:05.000Z"

func readAll(r *http.Request) ([]byte, error) { return io.ReadAll(r.Body) }

func (s *Identity) v2Root(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"version": s.v2Version(r)})
}

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

func parseV2Auth(body []byte) (credentials, *fake.Error) {
	var req v2AuthRequest
	if err := fake.DecodeJSONBytes(body, &req, fake.DecodeOptions{}); err != nil {
		return credentials{}, err
	}
	if req.Auth == nil {
		return credentials{}, fake.Errorf(http.StatusBadRequest, "Invalid JSON request body: 'auth' is required.")
	}
	a := req.Auth
	c := credentials{projectID: a.TenantID, projectName: a.TenantName}
	switch {
	case a.Password != nil:
		if a.Password.Username == "" {
			return credentials{}, fake.Errorf(http.StatusBadRequest, "Expecting to find username or userId in passwordCredentials.")
		}
		c.method, c.userName, c.secret = "password", a.Password.Username, a.Password.Password
	case a.APIKey != nil:
		if a.APIKey.Username == "" || a.APIKey.APIKey == "" {
			return credentials{}, fake.Errorf(http.StatusBadRequest, "Invalid JSON request body: RAX-KSKEY:apiKeyCredentials needs username and apiKey.")
		}
		c.method, c.userName, c.secret = "apikey", a.APIKey.Username, a.APIKey.APIKey
	case a.Token != nil:
		if a.Token.ID == "" {
			return credentials{}, fake.Errorf(http.StatusBadRequest, "Invalid JSON request body: token needs an id.")
		}
		c.method, c.tokenID = "token", a.Token.ID
	default:
		return credentials{}, fake.Errorf(http.StatusBadRequest, "Invalid JSON request body: passwordCredentials, RAX-KSKEY:apiKeyCredentials or token is required.")
	}
	if a.Domain != nil {
		c.domainNm = a.Domain.Name
	}
	return c, nil
}

func (s *Identity) v2CreateToken(w http.ResponseWriter, r *http.Request) {
	body, _ := readAll(r)
	c, err := parseV2Auth(body)
	if err != nil {
		writeRaxFault(w, err.Status, err.Message)
		return
	}
	if s.applyBehavior(w, c) {
		return
	}
	t, err := s.login(c)
	if err != nil {
		writeRaxFault(w, err.Status, err.Message)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"access": s.v2AccessBody(r, t, true)})
}

var v2Methods = map[string]string{"password": "PASSWORD", "apikey": "APIKEY", "token": "TOKEN", "impersonation": "IMPERSONATION"}

// v2AccessBody renders a token as Keystone v2.0 and Rackspace do.
func (s *Identity) v2AccessBody(r *http.Request, t Token, withCatalog bool) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[t.UserID]
	by := make([]string, 0, len(t.Methods))
	for _, m := range t.Methods {
		by = append(by, v2Methods[m])
	}
	token := map[string]any{
		"id":                       t.ID,
		"expires":                  t.ExpiresAt.UTC().Format(v2Time),
		"issued_at":                t.IssuedAt.UTC().Format(v2Time),
		"audit_ids":                []string{t.AuditID},
		"RAX-AUTH:authenticatedBy": by,
	}
	if p, ok := s.projects[t.ProjectID]; ok {
		token["tenant"] = map[string]any{"id": p.ID, "name": p.Name, "enabled": !p.Disabled, "description": nilIfEmpty(p.Description)}
	}
	roles := make([]map[string]string, 0, len(t.Roles))
	for _, name := range t.Roles {
		role := map[string]string{"id": roleID(name), "name": name}
		if t.ProjectID != "" {
			role["tenantId"] = t.ProjectID
		}
		roles = append(roles, role)
	}
	access := map[string]any{
		"token": token,
		"user": map[string]any{
			"id": u.ID, "name": u.Name, "username": u.Name, "roles": roles, "roles_links": []any{},
			"RAX-AUTH:defaultRegion": u.DefaultRegion,
		},
		"metadata": map[string]any{"is_admin": boolInt(containsString(t.Roles, "admin")), "roles": roleIDs(t.Roles)},
	}
	if withCatalog {
		access["serviceCatalog"] = v2Catalog(s.resolveLocked(r, t.ProjectID), t.ProjectID)
	}
	return access
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func roleIDs(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = roleID(n)
	}
	return out
}

// v2Token finds the token in the URL; Rackspace answers 404 for one it
// cannot use, and for one that does not belong to ?belongsTo.
func (s *Identity) v2Token(r *http.Request) (Token, *fake.Error) {
	id := mux.Vars(r)["token_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || !t.Valid(s.env.Clock.Now()) {
		return Token{}, fake.Errorf(http.StatusNotFound, "Token not found.")
	}
	if b := r.URL.Query().Get("belongsTo"); b != "" {
		p, ok := s.projects[t.ProjectID]
		if !ok || (p.ID != b && p.Name != b) {
			return Token{}, fake.Errorf(http.StatusNotFound, "Token doesn't belong to Tenant with Id/Name: '%s'", b)
		}
	}
	return t.clone(), nil
}

func (s *Identity) v2ValidateToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.v2Token(r)
	if err != nil {
		writeRaxFault(w, err.Status, err.Message)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"access": s.v2AccessBody(r, t, false)})
}

func (s *Identity) v2TokenEndpoints(w http.ResponseWriter, r *http.Request) {
	t, err := s.v2Token(r)
	if err != nil {
		writeRaxFault(w, err.Status, err.Message)
		return
	}
	s.mu.Lock()
	cat := v2Catalog(s.resolveLocked(r, t.ProjectID), t.ProjectID)
	s.mu.Unlock()
	eps := []v2EndpointJSON{}
	for _, svc := range cat {
		for _, ep := range svc.Endpoints {
			ep.Name, ep.Type = svc.Name, svc.Type
			eps = append(eps, ep)
		}
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"endpoints": eps, "endpoints_links": []any{}})
}

func (s *Identity) v2ListTenants(w http.ResponseWriter, r *http.Request) {
	caller, _ := fake.PrincipalFrom(r.Context())
	s.mu.Lock()
	projects := s.projectsOfLocked(caller.UserID)
	s.mu.Unlock()
	out := make([]map[string]any, 0, len(projects))
	for _, p := range projects {
		out = append(out, map[string]any{"id": p.ID, "name": p.Name, "enabled": !p.Disabled, "description": nilIfEmpty(p.Description)})
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"tenants": out, "tenants_links": []any{}})
}

func (s *Identity) v2UserBody(u User) map[string]any {
	return map[string]any{
		"id": u.ID, "username": u.Name, "email": u.Email, "enabled": !u.Disabled,
		"RAX-AUTH:domainId":      u.DomainID,
		"RAX-AUTH:defaultRegion": u.DefaultRegion,
		"created":                u.Created.UTC().Format(v2Time),
		"updated":                u.Created.UTC().Format(v2Time),
	}
}

// v2ListUsers is Rackspace's GET /v2.0/users: ?name= looks one user up
// (created on first sight in permissive mode, as Mimic does); without it an
// admin gets every user and anyone else themselves.
func (s *Identity) v2ListUsers(w http.ResponseWriter, r *http.Request) {
	caller, _ := fake.PrincipalFrom(r.Context())
	if name := r.URL.Query().Get("name"); name != "" {
		s.mu.Lock()
		u, ok := s.userByNameLocked(name)
		if !ok && !s.strict {
			u, ok = s.addUserLocked(User{Name: name, Email: name + "@example.com"}), true
		}
		s.mu.Unlock()
		if !ok {
			writeRaxFault(w, http.StatusNotFound, "User not found: "+name)
			return
		}
		fake.WriteJSON(w, http.StatusOK, map[string]any{"user": s.v2UserBody(u)})
		return
	}
	var users []User
	if caller.HasRole("admin") {
		users = s.Users()
	} else if u, ok := s.User(caller.UserID); ok {
		users = []User{u}
	}
	out := make([]map[string]any, 0, len(users))
	for _, u := range users {
		out = append(out, s.v2UserBody(u))
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"users": out, "users_links": []any{}})
}

// userForCaller looks up the user in the URL, which the caller must be (or
// hold the admin role).
func (s *Identity) userForCaller(r *http.Request) (User, *fake.Error) {
	id := mux.Vars(r)["user_id"]
	caller, _ := fake.PrincipalFrom(r.Context())
	if caller.UserID != id && !caller.HasRole("admin") {
		return User{}, fake.Errorf(http.StatusForbidden, "Not Authorized")
	}
	u, ok := s.User(id)
	if !ok {
		return User{}, fake.Errorf(http.StatusNotFound, "User %s not found", id)
	}
	return u, nil
}

func (s *Identity) v2UserCredentials(w http.ResponseWriter, r *http.Request) {
	u, err := s.userForCaller(r)
	if err != nil {
		writeRaxFault(w, err.Status, err.Message)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{
		"credentials":       []any{map[string]any{"RAX-KSKEY:apiKeyCredentials": map[string]string{"username": u.Name, "apiKey": u.APIKey}}},
		"credentials_links": []any{},
	})
}

func (s *Identity) raxAPIKey(w http.ResponseWriter, r *http.Request) {
	u, err := s.userForCaller(r)
	if err != nil {
		writeRaxFault(w, err.Status, err.Message)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"RAX-KSKEY:apiKeyCredentials": map[string]string{"username": u.Name, "apiKey": u.APIKey}})
}

type impersonationRequest struct {
	Impersonation *struct {
		User *struct {
			Username string `json:"username"`
		} `json:"user"`
		ExpireInSeconds *int `json:"expire-in-seconds"`
	} `json:"RAX-AUTH:impersonation"`
}

// raxImpersonate issues a token for another user on behalf of the caller.
func (s *Identity) raxImpersonate(w http.ResponseWriter, r *http.Request) {
	var req impersonationRequest
	if err := fake.DecodeJSON(r, &req, fake.DecodeOptions{}); err != nil {
		writeRaxFault(w, err.Status, err.Message)
		return
	}
	if req.Impersonation == nil || req.Impersonation.User == nil || req.Impersonation.User.Username == "" {
		writeRaxFault(w, http.StatusBadRequest, "Invalid JSON request body: RAX-AUTH:impersonation.user.username is required.")
		return
	}
	ttl := s.tokenTTL
	if e := req.Impersonation.ExpireInSeconds; e != nil {
		if *e <= 0 {
			writeRaxFault(w, http.StatusBadRequest, "expire-in-seconds must be a positive number of seconds.")
			return
		}
		if int64(*e) > math.MaxInt64/int64(time.Second) {
			// Would overflow time.Duration into an already expired token.
			writeRaxFault(w, http.StatusBadRequest, "expire-in-seconds is too large.")
			return
		}
		ttl = time.Duration(*e) * time.Second
	}
	name := req.Impersonation.User.Username
	caller, _ := fake.PrincipalFrom(r.Context())
	if s.applyBehavior(w, credentials{method: "impersonation", userName: name}) {
		return
	}

	s.mu.Lock()
	u, ok := s.userByNameLocked(name)
	if !ok && !s.strict {
		u, _ = s.findOrCreateUserLocked(credentials{method: "password", userName: name})
		ok = true
	}
	if !ok {
		s.mu.Unlock()
		writeRaxFault(w, http.StatusNotFound, "User not found: "+name)
		return
	}
	t := s.issueLocked(u.ID, u.DefaultProjectID, "", []string{"impersonation"}, caller.UserID)
	t.ExpiresAt = t.IssuedAt.Add(ttl)
	s.tokens[t.ID] = t
	s.mu.Unlock()

	fake.WriteJSON(w, http.StatusOK, map[string]any{"access": map[string]any{
		"token": map[string]any{"id": t.ID, "expires": t.ExpiresAt.UTC().Format(v2Time)},
	}})
}

// raxMosso is the legacy v1.1 "who owns this tenant" lookup: Rackspace
// answers 301 with the user and a Location, and so does this fake.
func (s *Identity) raxMosso(w http.ResponseWriter, r *http.Request) {
	tenant := mux.Vars(r)["tenant_id"]
	s.mu.Lock()
	var owner User
	found := false
	if _, ok := s.projects[tenant]; ok {
		owner, found = s.tenantOwnerLocked(tenant)
	}
	if !found && !s.strict {
		owner, _ = s.findOrCreateUserLocked(credentials{method: "password", userName: "user-" + tenant, projectID: tenant})
		_, _ = s.scopeProjectLocked(owner, credentials{projectID: tenant})
		owner = s.users[owner.ID]
		found = true
	}
	s.mu.Unlock()
	if !found {
		writeRaxFault(w, http.StatusNotFound, "Tenant "+tenant+" not found")
		return
	}
	w.Header().Set("Location", fake.BaseURL(r)+"/v1.1/users/"+owner.Name)
	fake.WriteJSON(w, http.StatusMovedPermanently, map[string]any{"user": map[string]string{"id": owner.Name}})
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
