package compute

import (
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// The options below give Mimic's Nova contract where it differs from
// Nova's; mockcloud.ProfileMimic is their list. Each is usable alone.

// AnyRefs accepts any imageRef and flavorRef on create, rebuild, resize
// and rescue, and any security group name on create, as Mimic does: no
// lookup, no size or status check. A server
// built from an unknown flavor shows the reference it was given. As in
// Mimic, GET /images/{id} answers 404 for the references its
// invalid_image_ref preset lists (INVALID-IMAGE-ID, 1111, any ID ending in
// Z), and GET /mimic/v1.0/presets lists invalid_image_ref and
// invalid_flavor_ref (Mimic lists the latter without honouring it; so does
// this fake: its flavor IDs are Nova's).
func AnyRefs() Option { return fake.Configure(func(c *config) { c.anyRefs = true }) }

// WithoutTokens lets requests in without a token, as Mimic's Nova does:
// the project is the one in the URL and no token is checked, even in a
// Cloud that checks tokens for its other services.
func WithoutTokens() Option { return fake.Configure(func(c *config) { c.noTokens = true }) }

// MimicDurations are the transitions of Mimic's Nova: a server is ACTIVE
// as soon as it is created (unless a server_building preset or behavior
// says otherwise), resize reaches VERIFY_RESIZE and rescue RESCUE at once,
// a deleted server is gone at once; a soft reboot lasts 3 s, a hard one 6 s
// and a rebuild 5 s of the shared clock, as in Mimic.
func MimicDurations() Durations {
	return Durations{Reboot: 3 * time.Second, HardReboot: 6 * time.Second, Rebuild: 5 * time.Second}
}

// MimicQuota is Mimic's quota: nothing is counted (no limit on servers,
// cores, RAM, keypairs or server groups) but metadata, whose limit is
// Rackspace's 40 items (403 at 41).
func MimicQuota() Quota {
	return Quota{Instances: -1, Cores: -1, RAM: -1, MetadataItems: 40, KeyPairs: -1,
		ServerGroups: -1, ServerGroupMembers: -1}
}

// mimicInvalidImageRefs are the image IDs of Mimic's invalid_image_ref
// preset: GET /images/{id} answers 404 for them and for any ID ending in Z.
var mimicInvalidImageRefs = []string{"INVALID-IMAGE-ID", "1111", "image_ends_with_Z"}

// mimicInvalidFlavorRefs are the flavor IDs of Mimic's invalid_flavor_ref
// preset, which Mimic lists but does not act on.
var mimicInvalidFlavorRefs = []string{"INVALID-FLAVOR-ID", "8888", "-4", "1"}

// mimicInvalidImage reports whether GET /images/{id} is a 404 by Mimic's
// invalid_image_ref preset.
func mimicInvalidImage(id string) bool {
	for _, ref := range mimicInvalidImageRefs {
		if id == ref {
			return true
		}
	}
	return strings.HasSuffix(id, "Z")
}

// anyFlavor stands for a flavor AnyRefs accepts without knowing it: its
// reference and no resources (quota counts nothing for it).
func anyFlavor(id string) *Flavor { return &Flavor{ID: id, Name: id, IsPublic: true} }

// rebuildImageLocked is the image a rebuild takes: checked as Nova does,
// or, with AnyRefs, whatever the reference names.
func (c *Compute) rebuildImageLocked(call *kit.Call, ref string, flavor *Flavor) (string, error) {
	if c.anyRefs {
		return idFromHref(ref), nil
	}
	return c.bootImageLocked(call, ref, flavor)
}

// MimicPresets is this instance's part of GET /mimic/v1.0/presets: the
// descriptor's, and with AnyRefs Mimic's invalid_image_ref and
// invalid_flavor_ref lists.
func (c *Compute) MimicPresets() map[string]any {
	servers := map[string]any{}
	for k, v := range Presets() {
		servers[k] = v
	}
	if c.anyRefs {
		servers["invalid_image_ref"] = append([]string(nil), mimicInvalidImageRefs...)
		servers["invalid_flavor_ref"] = append([]string(nil), mimicInvalidFlavorRefs...)
	}
	return map[string]any{"servers": servers}
}

// MimicShapes answers in the shapes Mimic's Nova gives where they differ
// from Nova's and a client may read them: a server shows "progress" in
// every status, rebuild answers with the whole server (as Nova does from
// microversion 2.75 on), and unrescue answers 200 rather than 202.
func MimicShapes() Option { return fake.Configure(func(c *config) { c.shapes = true }) }

// progressFor is a server's progress member: in Nova's progress statuses,
// or in every status with MimicShapes.
func (c *Compute) progressFor(s *Server) *int {
	if c.mimicShapes {
		return ptr(s.Progress)
	}
	return progressOf(s)
}
