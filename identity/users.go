package identity

import (
	"cmp"
	"fmt"
	"net/http"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the v3 user API.
const (
	OpV3ListUsers      = "identity.v3.users.list"
	OpV3CreateUser     = "identity.v3.users.create"
	OpV3GetUser        = "identity.v3.users.get"
	OpV3UpdateUser     = "identity.v3.users.update"
	OpV3DeleteUser     = "identity.v3.users.delete"
	OpV3ChangePassword = "identity.v3.users.password"
)

func (s *Identity) userRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpV3ListUsers, Method: "GET", Path: "/v3/users", Handler: s.v3ListUsers},
		{Op: OpV3CreateUser, Method: "POST", Path: "/v3/users", Handler: s.v3CreateUser},
		{Op: OpV3GetUser, Method: "GET", Path: "/v3/users/{user_id}", Handler: s.v3GetUser},
		{Op: OpV3UpdateUser, Method: "PATCH", Path: "/v3/users/{user_id}", Handler: s.v3UpdateUser},
		{Op: OpV3DeleteUser, Method: "DELETE", Path: "/v3/users/{user_id}", Handler: s.v3DeleteUser},
		// Keystone lets a user whose password expired change it: no token.
		{Op: OpV3ChangePassword, Method: "POST", Path: "/v3/users/{user_id}/password", Handler: s.v3ChangePassword, Public: true},
	}
}

type v3UserJSON struct {
	ID                string       `json:"id"`
	Name              string       `json:"name"`
	DomainID          string       `json:"domain_id"`
	Enabled           bool         `json:"enabled"`
	DefaultProjectID  string       `json:"default_project_id,omitempty"`
	Description       string       `json:"description,omitempty"`
	Email             string       `json:"email,omitempty"`
	PasswordExpiresAt *string      `json:"password_expires_at"` // always null
	Federated         []struct{}   `json:"federated"`
	Options           struct{}     `json:"options"`
	Links             selfLinkJSON `json:"links"`
}

type v3UserResponse struct {
	User v3UserJSON `json:"user"`
}

type v3UsersResponse struct {
	Users []v3UserJSON  `json:"users"`
	Links listLinksJSON `json:"links"`
}

func v3UserBody(c *kit.Call, u User) v3UserJSON {
	return v3UserJSON{
		ID: u.ID, Name: u.Name, DomainID: u.DomainID, Enabled: !u.Disabled,
		DefaultProjectID: u.DefaultProjectID, Description: u.Description, Email: u.Email,
		Federated: []struct{}{},
		Links:     selfLinkJSON{Self: c.BaseURL() + "/v3/users/" + u.ID},
	}
}

func (s *Identity) v3ListUsers(c *kit.Call) (kit.Reply, error) {
	if !s.adminOrSystemReader(c) {
		return kit.Reply{}, forbidden("identity:list_users")
	}
	q := c.Query()
	out := v3UsersResponse{Users: []v3UserJSON{}, Links: selfLinks(c)}
	for _, u := range s.Users() {
		if n := q.Get("name"); n != "" && u.Name != n {
			continue
		}
		if d := q.Get("domain_id"); d != "" && u.DomainID != d {
			continue
		}
		if !enabledFilter(c, u.Disabled) {
			continue
		}
		out.Users = append(out.Users, v3UserBody(c, u))
	}
	return kit.OK(out), nil
}

// v3GetUser answers an admin, a system reader, or the user itself
// (Keystone's get_user policy).
func (s *Identity) v3GetUser(c *kit.Call) (kit.Reply, error) {
	id := c.Var("user_id")
	if c.Principal.UserID != id && !s.adminOrSystemReader(c) {
		return kit.Reply{}, forbidden("identity:get_user")
	}
	u, ok := s.User(id)
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find user: %s.", id)
	}
	return kit.OK(v3UserResponse{User: v3UserBody(c, u)}), nil
}

// v3UserRequest is a user create or update body; pointers tell what an
// update sets.
type v3UserRequest struct {
	User *struct {
		Name             *string `json:"name"`
		DomainID         *string `json:"domain_id"`
		Password         *string `json:"password"`
		Enabled          *bool   `json:"enabled"`
		DefaultProjectID *string `json:"default_project_id"`
		Description      *string `json:"description"`
		Email            *string `json:"email"`
	} `json:"user"`
}

func parseUserRequest(c *kit.Call) (v3UserRequest, error) {
	var req v3UserRequest
	if err := c.DecodeJSON(&req, kit.DecodeOptions{}); err != nil {
		return req, err
	}
	if req.User == nil {
		return req, invalidField("user", "'user' is a required property")
	}
	if n := req.User.Name; n != nil && *n == "" {
		return req, invalidField("name", "'' is too short")
	}
	return req, nil
}

// apply sets what the request names on u.
func (req v3UserRequest) apply(u *User) {
	in := req.User
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.Name, in.Name)
	set(&u.Password, in.Password)
	set(&u.DefaultProjectID, in.DefaultProjectID)
	set(&u.Description, in.Description)
	set(&u.Email, in.Email)
	if in.Enabled != nil {
		u.Disabled = !*in.Enabled
	}
}

func (s *Identity) v3CreateUser(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:create_user"); err != nil {
		return kit.Reply{}, err
	}
	req, err := parseUserRequest(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if req.User.Name == nil {
		return kit.Reply{}, invalidField("name", "'name' is a required property")
	}
	u := User{DomainID: DefaultDomainID}
	if req.User.DomainID != nil {
		u.DomainID = *req.User.DomainID
	}
	req.apply(&u)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.domains[u.DomainID]; !ok {
		return kit.Reply{}, kit.BadRequest("Could not find domain: %s.", u.DomainID)
	}
	if _, ok := s.userInDomainLocked(u.Name, u.DomainID); ok {
		return kit.Reply{}, conflict("user", fmt.Sprintf("Duplicate entry found with name %s at domain ID %s", u.Name, u.DomainID))
	}
	if u.DefaultProjectID != "" {
		if _, ok := s.projects[u.DefaultProjectID]; !ok {
			return kit.Reply{}, kit.BadRequest("Could not find project: %s.", u.DefaultProjectID)
		}
	}
	u = s.addUserLocked(u)
	return kit.JSON(http.StatusCreated, v3UserResponse{User: v3UserBody(c, u)}), nil
}

func (s *Identity) v3UpdateUser(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:update_user"); err != nil {
		return kit.Reply{}, err
	}
	req, err := parseUserRequest(c)
	if err != nil {
		return kit.Reply{}, err
	}
	id := c.Var("user_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find user: %s.", id)
	}
	if d := req.User.DomainID; d != nil && *d != u.DomainID {
		return kit.Reply{}, kit.BadRequest("Cannot change Domain ID.")
	}
	before := u
	req.apply(&u)
	if other, ok := s.userInDomainLocked(u.Name, u.DomainID); ok && other.ID != id {
		return kit.Reply{}, conflict("user", fmt.Sprintf("Duplicate entry found with name %s at domain ID %s", u.Name, u.DomainID))
	}
	s.users[id] = u
	// Keystone revokes a user's tokens when it is disabled or its
	// password changes.
	if u.Disabled && !before.Disabled || u.Password != before.Password {
		s.revokeUserTokensLocked(id)
	}
	return kit.OK(v3UserResponse{User: v3UserBody(c, u)}), nil
}

func (s *Identity) v3DeleteUser(c *kit.Call) (kit.Reply, error) {
	if err := requireAdmin(c, "identity:delete_user"); err != nil {
		return kit.Reply{}, err
	}
	id := c.Var("user_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[id]; !ok {
		return kit.Reply{}, kit.NotFound("Could not find user: %s.", id)
	}
	s.deleteUserLocked(id)
	return kit.Status(http.StatusNoContent), nil
}

// deleteUserLocked removes the user, its assignments, credentials and
// application credentials, and revokes its tokens.
func (s *Identity) deleteUserLocked(id string) {
	for m := range s.roles {
		if m.userID == id {
			delete(s.roles, m)
		}
	}
	for m := range s.domainRoles {
		if m.userID == id {
			delete(s.domainRoles, m)
		}
	}
	delete(s.systemRoles, id)
	for k, ac := range s.appCreds {
		if ac.UserID == id {
			delete(s.appCreds, k)
		}
	}
	for k, cr := range s.creds {
		if cr.UserID == id {
			delete(s.creds, k)
		}
	}
	s.revokeUserTokensLocked(id)
	delete(s.users, id)
}

func (s *Identity) revokeUserTokensLocked(userID string) {
	for id, t := range s.tokens {
		if t.UserID == userID && !t.Revoked {
			t.Revoked = true
			s.tokens[id] = t
		}
	}
}

type passwordChangeRequest struct {
	User *struct {
		Password         *string `json:"password"`
		OriginalPassword *string `json:"original_password"`
	} `json:"user"`
}

// v3ChangePassword is a user's own password change: the original password
// must match (in the permissive default, a user whose password was never
// set accepts any), and the user's tokens are revoked.
func (s *Identity) v3ChangePassword(c *kit.Call) (kit.Reply, error) {
	var req passwordChangeRequest
	if err := c.DecodeJSON(&req, kit.DecodeOptions{}); err != nil {
		return kit.Reply{}, err
	}
	switch {
	case req.User == nil:
		return kit.Reply{}, invalidField("user", "'user' is a required property")
	case req.User.Password == nil:
		return kit.Reply{}, invalidField("password", "'password' is a required property")
	case req.User.OriginalPassword == nil:
		return kit.Reply{}, invalidField("original_password", "'original_password' is a required property")
	}
	id := c.Var("user_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find user: %s.", id)
	}
	if cmp.Or(u.Password, *req.User.OriginalPassword) != *req.User.OriginalPassword {
		return kit.Reply{}, kit.Errorf(http.StatusUnauthorized, "Error when changing user password: Invalid user / password")
	}
	u.Password = *req.User.Password
	s.users[id] = u
	s.revokeUserTokensLocked(id)
	return kit.Status(http.StatusNoContent), nil
}
