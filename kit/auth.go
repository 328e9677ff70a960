package kit

import (
	"net/http"
	"time"
)

// Principal is who a token says the caller is. Identity issues tokens; the
// other services receive the Principal their Authenticator resolved.
type Principal struct {
	Token       string
	UserID      string
	UserName    string
	ProjectID   string // empty for an unscoped token
	ProjectName string
	DomainID    string
	Roles       []string
	ExpiresAt   time.Time
}

// HasRole reports whether the principal holds the named role.
func (p Principal) HasRole(name string) bool {
	for _, r := range p.Roles {
		if r == name {
			return true
		}
	}
	return false
}

// Authenticator resolves the caller of r, or returns the *Error (401 in
// practice) its service should answer with.
type Authenticator func(r *http.Request) (Principal, *Error)

// OutOfScope is the tenant check every project-scoped route makes: it
// reports whether the call carries a token (the pipeline authenticated it)
// scoped to another project than the one in the URL, without the admin
// role. Without authentication every caller is in scope. Each service
// answers a refusal its own way (Nova 400 "Malformed request URL",
// Rackspace 401 …), so this reports rather than failing.
func (c *Call) OutOfScope(project string) bool {
	p := c.Principal
	return c.Authenticated && p.ProjectID != project && !p.HasRole("admin")
}
