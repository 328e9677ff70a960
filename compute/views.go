// The views of a server Nova answers update and rebuild with: before 2.75
// a reduced one (Nova's view builder called with the extensions off), the
// full show view from 2.75.

package compute

import (
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// reducedServerJSON is PUT /servers/{id}'s and rebuild's answer before
// 2.75: the core members, addresses without their type and MAC, and the
// members of later microversions (key_name in rebuild's from 2.54,
// user_data from 2.57).
type reducedServerJSON struct {
	ID         string                   `json:"id"`
	Name       string                   `json:"name"`
	Status     string                   `json:"status"`
	TenantID   string                   `json:"tenant_id"`
	UserID     string                   `json:"user_id"`
	Metadata   map[string]string        `json:"metadata"`
	HostID     string                   `json:"hostId"`
	Image      any                      `json:"image"`
	Flavor     any                      `json:"flavor"`
	Created    string                   `json:"created"`
	Updated    string                   `json:"updated"`
	Addresses  map[string][]addressJSON `json:"addresses"`
	AccessIPv4 string                   `json:"accessIPv4"`
	AccessIPv6 string                   `json:"accessIPv6"`
	Links      []link                   `json:"links"`
	DiskConfig string                   `json:"OS-DCF:diskConfig"`
	Progress   *int                     `json:"progress,omitempty"`
	Fault      *faultJSON               `json:"fault,omitempty"`
	serverMinorsJSON
}

// serverChangedLocked is the answer of update (viewUpdate) or rebuild
// (viewRebuild) at the call's microversion, the body's "server" member.
func (c *Compute) serverChangedLocked(call *kit.Call, s *Server, view serverView) any {
	v := versionOf(call)
	if v.AtLeast(75) || c.mimicShapes {
		out := c.serverViewLocked(call, s, view)
		if view == viewRebuild {
			out.AdminPass = s.AdminPass
		}
		return out
	}
	out := &reducedServerJSON{
		ID: s.ID, Name: s.Name, Status: s.Status, TenantID: s.ProjectID, UserID: s.UserID,
		Metadata: nonNilMap(s.Metadata), HostID: hostID(s.ProjectID, s.Host),
		Image: c.imageRefLocked(call, s, v), Flavor: c.flavorRefLocked(call, s.ProjectID, s.FlavorID, v),
		Created: s.Created.UTC().Format(novaTime), Updated: s.Updated.UTC().Format(novaTime),
		Addresses: addressesJSON(s, false), AccessIPv4: s.AccessIPv4, AccessIPv6: s.AccessIPv6,
		Links: links(call, s.ProjectID, "servers", s.ID), DiskConfig: s.DiskConfig,
		Progress: progressOf(s), Fault: faultOf(s),
		serverMinorsJSON: c.serverMinorsLocked(s, v, true),
	}
	if view == viewRebuild {
		out.AdminPass = s.AdminPass
		if v.AtLeast(54) {
			out.KeyName = nullOr(s.KeyName)
		}
		if v.AtLeast(57) {
			out.RebuildUserData = nullOr(s.UserData)
		}
	}
	return out
}

// changedServerBody is {"server": …} of update and rebuild.
type changedServerBody struct {
	Server any `json:"server"`
}

// imageRefJSON is a server's image: its ID and bookmark, and from 2.98
// the image properties it was booted with.
type imageRefJSON struct {
	ID         string            `json:"id"`
	Links      []link            `json:"links"`
	Properties map[string]string `json:"properties,omitempty"`
}

// imageRefLocked is a server's image member: "" for one booted from a
// volume.
func (c *Compute) imageRefLocked(call *kit.Call, s *Server, v microversion) any {
	if s.ImageID == "" {
		return ""
	}
	ref := imageRefJSON{ID: s.ImageID, Links: bookmark(call, s.ProjectID, "images", s.ImageID)}
	if v.AtLeast(98) {
		ref.Properties = map[string]string{}
		if img, ok := c.images[s.ImageID]; ok {
			for k, val := range img.Metadata {
				if imageMetaProp(k) {
					ref.Properties[k] = val
				}
			}
		}
	}
	return ref
}

// imageMetaProp reports whether an image property is one of Nova's
// ImageMetaProps (the ones it copies to the instance and shows from 2.98):
// the hardware, image and OS properties, and the few legacy names.
func imageMetaProp(k string) bool {
	switch k {
	case "architecture", "auto_disk_config", "hypervisor_type", "vm_mode", "kernel_id", "ramdisk_id",
		"os_distro", "os_type", "os_version", "os_admin_user", "os_command_line", "os_require_quiesce",
		"os_secure_boot", "hw_machine_type", "img_config_drive":
		return true
	}
	return strings.HasPrefix(k, "hw_") || strings.HasPrefix(k, "img_")
}
