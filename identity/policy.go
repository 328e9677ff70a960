package identity

import (
	"slices"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Keystone's default policies, as far as this fake applies them: "admin"
// is Keystone's admin_required (the admin role, whatever the scope); a
// system reader holds any role on the system scope (Keystone's reader,
// implied by member and admin).

// callerToken is the token the call came with.
func (s *Identity) callerToken(c *kit.Call) Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[c.Principal.Token].clone()
}

// isAdmin is Keystone's rule:admin_required.
func isAdmin(c *kit.Call) bool { return c.Principal.HasRole("admin") }

// hasReader reports whether the roles include reader or a role that
// implies it in Keystone's bootstrap (member, admin).
func hasReader(roles []string) bool {
	return slices.Contains(roles, "reader") || slices.Contains(roles, "member") || slices.Contains(roles, "admin")
}

// isSystemReader is Keystone's "role:reader and system_scope:all".
func (s *Identity) isSystemReader(c *kit.Call) bool {
	t := s.callerToken(c)
	return t.System && hasReader(t.Roles)
}

// adminOrSystemReader is Keystone's rule admin_or_system_reader.
func (s *Identity) adminOrSystemReader(c *kit.Call) bool {
	return isAdmin(c) || s.isSystemReader(c)
}

// requireAdmin refuses a caller without the admin role, as Keystone's
// admin_required policies do.
func requireAdmin(c *kit.Call, action string) error {
	if !isAdmin(c) {
		return forbidden(action)
	}
	return nil
}

// conflict is Keystone's 409 for a duplicate.
func conflict(kind, detail string) *kit.Error {
	return kit.Conflict("Conflict occurred attempting to store %s - %s.", kind, detail)
}

// queryTrue is Keystone's query_filter_is_true: present with no value, or
// a value other than "0" and "false".
func queryTrue(c *kit.Call, name string) bool {
	v, ok := c.Query()[name]
	if !ok {
		return false
	}
	if len(v) == 0 || v[0] == "" {
		return true
	}
	return v[0] != "0" && !strings.EqualFold(v[0], "false")
}

// enabledFilter reports whether a resource with the given disabled state
// passes ?enabled= (absent passes all).
func enabledFilter(c *kit.Call, disabled bool) bool {
	e := c.Query().Get("enabled")
	if e == "" {
		return true
	}
	off := e == "0" || strings.EqualFold(e, "false")
	return off == disabled
}

// selfLinks are a list's links for the request's own URL.
func selfLinks(c *kit.Call) listLinksJSON {
	return listLinksJSON{Self: c.BaseURL() + c.Request.URL.Path}
}
