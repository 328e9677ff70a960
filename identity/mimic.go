package identity

import (
	"time"

	"github.com/mockcloud/mockcloud/fake"
)

// The options below give Mimic's identity contract (Rackspace's, where
// Mimic follows it) where it differs from Keystone's permissive default;
// mockcloud.ProfileMimic is their list. Each is usable alone.

// mimicConfig is what the options of this file set.
type mimicConfig struct {
	oneTenant     bool   // OneTenantPerUser
	wallExpiry    bool   // WallClockExpiry
	defaultRegion string // WithDefaultRegion
	presets       bool   // WithMimicPresets
	shapes        bool   // MimicShapes
}

// OneTenantPerUser gives each user one tenant, as Rackspace and Mimic do:
// the first authentication makes it (the tenantId it names, or a new
// numeric one), and a later one naming another tenantId is answered 401
// "Tenant with Name/Id: '…' is not valid for User '…' (id: '…')" instead
// of creating that tenant too.
func OneTenantPerUser() Option {
	return fake.Configure(func(c *config) { c.mimic.oneTenant = true })
}

// WallClockExpiry makes a token expire its lifetime (a day by default)
// after the later of the shared clock's now and the wall clock's, as
// Mimic's do (its tokens' "expires" is wall time plus a day, whatever its
// frozen clock says): a client that checks expiry itself against the wall
// clock keeps its token, even on a Cloud whose clock starts in the past.
func WallClockExpiry() Option {
	return fake.Configure(func(c *config) { c.mimic.wallExpiry = true })
}

// WithDefaultRegion sets the region new users default to (Rackspace's
// RAX-AUTH:defaultRegion), in a Cloud too; Mimic's is DFW. Without it a
// user defaults to the first region.
func WithDefaultRegion(region string) Option {
	return fake.Configure(func(c *config) { c.mimic.defaultRegion = region })
}

// WithMimicPresets lists Mimic's identity presets under "identity" in GET
// /mimic/v1.0/presets (the tokens and tenants Mimic gives special roles),
// as Mimic does. They are listed for clients that read the document; this
// fake gives those tokens and tenants no special roles.
func WithMimicPresets() Option {
	return fake.Configure(func(c *config) { c.mimic.presets = true })
}

// mayUseTenant reports whether OneTenantPerUser lets user use the project
// of ID id ("" for one that does not exist yet).
func (s *Identity) mayUseTenant(user User, id string) bool {
	if !s.mimic.oneTenant || user.DefaultProjectID == "" {
		return true
	}
	return id == user.DefaultProjectID
}

// defaultRegion is the region a new user defaults to.
func (s *Identity) defaultRegion() string {
	switch {
	case s.mimic.defaultRegion != "":
		return s.mimic.defaultRegion
	case len(s.regions) > 0:
		return s.regions[0]
	}
	return ""
}

// expiryFrom is when a token issued at now (the shared clock's) expires.
func (s *Identity) expiryFrom(now time.Time) time.Time {
	if wall := time.Now(); s.mimic.wallExpiry && wall.After(now) {
		now = wall
	}
	return now.Add(s.tokenTTL)
}

// mimicIdentityPresets are Mimic's identity presets: names of special
// tokens and tenants, as its GET /mimic/v1.0/presets lists them.
func mimicIdentityPresets() map[string][]string {
	return map[string][]string{
		"maas_admin_roles": {"this_is_an_impersonator_token", "this_is_an_impersonator_token_also",
			"impersonate_watson", "impersonate_creator", "this_is_an_impersonator_token_also_2", "impersonate_foo_token"},
		"racker_token":                               {"this_is_a_racker_token"},
		"observer_role":                              {"09876"},
		"creator_role":                               {"09090"},
		"admin_role":                                 {"9999"},
		"token_fail_to_auth":                         {"never-cache-this-and-fail-to-auth"},
		"non_dedicated_observer":                     {"OneTwo"},
		"non_dedicated_admin":                        {"ThreeFour"},
		"non_dedicated_impersonator":                 {"ThreeFourImpersonator"},
		"non_dedicated_racker":                       {"ThreeFourRacker"},
		"dedicated_full_device_permission_holder":    {"HybridOneTwo"},
		"dedicated_account_permission_holder":        {"HybridThreeFour"},
		"dedicated_impersonator":                     {"HybridThreeFourImpersonator"},
		"dedicated_racker":                           {"HybridOneTwoRacker"},
		"dedicated_limited_device_permission_holder": {"HybridFiveSix"},
		"dedicated_non_permission_holder":            {"HybridSevenEight"},
		"dedicated_quasi_user_impersonator":          {"HybridNineZero"},
	}
}

// MimicPresets is this service's part of GET /mimic/v1.0/presets: with
// WithMimicPresets, Mimic's "identity" key; otherwise nothing.
func (s *Identity) MimicPresets() map[string]any {
	if !s.mimic.presets {
		return nil
	}
	return map[string]any{"identity": mimicIdentityPresets()}
}

// MimicShapes answers in the shapes Mimic's identity gives where they
// differ and a client may read them: a v2.0 role carries a "description"
// (the role's own, or "<name> role."), as Rackspace's do.
func MimicShapes() Option {
	return fake.Configure(func(c *config) { c.mimic.shapes = true })
}

// mimicRoleDescriptionLocked is a v2.0 role's description with MimicShapes;
// nil otherwise.
func (s *Identity) mimicRoleDescriptionLocked(name string) *string {
	if !s.mimic.shapes {
		return nil
	}
	d := name + " role."
	if r, ok := s.roleByNameLocked(name); ok && r.Description != "" {
		d = r.Description
	}
	return &d
}
