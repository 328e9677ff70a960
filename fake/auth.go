package fake

import (
	"context"
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

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller the pipeline authenticated. ok is false
// when the service runs without authentication; handlers then treat every
// caller as allowed.
func PrincipalFrom(ctx context.Context) (p Principal, ok bool) {
	p, ok = ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// OutOfScope is the tenant check every project-scoped route makes: it
// reports whether the request carries a token (the pipeline authenticated
// it) that is scoped to another project than the one in the URL and lacks
// the admin role. Without authentication every caller is in scope. Each
// service answers a refusal its own way (Nova 400 "Malformed request URL",
// Rackspace 401 …), so this returns the caller rather than an error.
func OutOfScope(r *http.Request, project string) (Principal, bool) {
	p, ok := PrincipalFrom(r.Context())
	return p, ok && p.ProjectID != project && !p.HasRole("admin")
}
