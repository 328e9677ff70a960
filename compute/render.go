package compute

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Rendering: the wire structs the handlers answer with, in Nova's field
// names. A member that is present but may be null is a pointer (nil is
// null); one a microversion adds is omitempty (absent below it). The few
// members that are both, absent below their microversion and null when
// empty, are typed any: nil leaves them out, jsonNull shows null.

// Nova's timestamp formats.
const (
	novaTime     = "2006-01-02T15:04:05Z"
	novaUsecTime = "2006-01-02T15:04:05.000000"
)

// link is one entry of a "links" list.
type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
}

// links are a resource's self and bookmark links.
func links(call *kit.Call, project, kind, id string) []link {
	base := call.BaseURL()
	return []link{
		{Rel: "self", Href: base + versionRoot(call) + "/" + project + "/" + kind + "/" + id},
		{Rel: "bookmark", Href: base + "/" + project + "/" + kind + "/" + id},
	}
}

// selfHref is a resource's self link (its Location).
func selfHref(call *kit.Call, project, kind, id string) string {
	return call.BaseURL() + versionRoot(call) + "/" + project + "/" + kind + "/" + id
}

// bookmark is a resource's bookmark link alone.
func bookmark(call *kit.Call, project, kind, id string) []link {
	return []link{{Rel: "bookmark", Href: call.BaseURL() + "/" + project + "/" + kind + "/" + id}}
}

// nextLink is a collection's "next" link.
func nextLink(href string) []link { return []link{{Rel: "next", Href: href}} }

// versionRoot is the API root the request came in on.
func versionRoot(call *kit.Call) string {
	if strings.HasPrefix(call.Request.URL.Path, "/v2/") {
		return "/v2"
	}
	return "/v2.1"
}

// nullTime is a timestamp, or null for the zero time.
func nullTime(t time.Time, layout string) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(layout)
	return &s
}

// nullString is s, or null for "".
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ptr is a pointer to v, for omitempty members that are present.
func ptr[T any](v T) *T { return &v }

// jsonNull is an explicit null for fields that are present but empty, in
// the microversion-gated fields that are absent (nil) otherwise.
var jsonNull = json.RawMessage("null")

// nullOr is jsonNull for "" and the string otherwise.
func nullOr(s string) any {
	if s == "" {
		return jsonNull
	}
	return s
}

// idLinksJSON is a reference: an ID and its links (a server list entry
// has a name too).
type idLinksJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Links []link `json:"links"`
}

// serverBrief is the list (non-detail) form.
type serverBrief struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Links []link `json:"links"`
}

func serverBriefJSON(call *kit.Call, s *Server) serverBrief {
	return serverBrief{ID: s.ID, Name: s.Name, Links: links(call, s.ProjectID, "servers", s.ID)}
}

// serverBody is {"server": {...}}.
type serverBody struct {
	Server *serverJSON `json:"server"`
}

// createdServerBody is POST /servers's answer.
type createdServerBody struct {
	Server createdServerJSON `json:"server"`
}

type createdServerJSON struct {
	ID             string     `json:"id"`
	Links          []link     `json:"links"`
	AdminPass      string     `json:"adminPass"`
	DiskConfig     string     `json:"OS-DCF:diskConfig"`
	SecurityGroups []nameJSON `json:"security_groups"`
}

// reservationJSON answers a create with return_reservation_id.
type reservationJSON struct {
	ReservationID string `json:"reservation_id"`
}

// serverJSON is a server as Nova's show and detail list render it. A struct
// rather than a map: listing thousands of servers is a hot path, and
// encoding/json sorts the keys of every map it writes.
type serverJSON struct {
	ID                 string                   `json:"id"`
	Name               string                   `json:"name"`
	Status             string                   `json:"status"`
	TenantID           string                   `json:"tenant_id"`
	UserID             string                   `json:"user_id"`
	Metadata           map[string]string        `json:"metadata"`
	HostID             string                   `json:"hostId"`
	Image              any                      `json:"image"`  // "" or an idLinksJSON
	Flavor             any                      `json:"flavor"` // a flavorLinkJSON or, from 2.47, an embeddedFlavorJSON
	Created            string                   `json:"created"`
	Updated            string                   `json:"updated"`
	Addresses          map[string][]addressJSON `json:"addresses"`
	AccessIPv4         string                   `json:"accessIPv4"`
	AccessIPv6         string                   `json:"accessIPv6"`
	Links              []link                   `json:"links"`
	DiskConfig         string                   `json:"OS-DCF:diskConfig"`
	Progress           int                      `json:"progress"`
	AvailabilityZone   string                   `json:"OS-EXT-AZ:availability_zone"`
	ConfigDrive        string                   `json:"config_drive"`
	KeyName            *string                  `json:"key_name"`
	LaunchedAt         *string                  `json:"OS-SRV-USG:launched_at"`
	TerminatedAt       *string                  `json:"OS-SRV-USG:terminated_at"`
	Host               string                   `json:"OS-EXT-SRV-ATTR:host"`
	InstanceName       string                   `json:"OS-EXT-SRV-ATTR:instance_name"`
	HypervisorHostname string                   `json:"OS-EXT-SRV-ATTR:hypervisor_hostname"`
	TaskState          *string                  `json:"OS-EXT-STS:task_state"`
	VMState            string                   `json:"OS-EXT-STS:vm_state"`
	PowerState         int                      `json:"OS-EXT-STS:power_state"`
	VolumesAttached    []volumeRefJSON          `json:"os-extended-volumes:volumes_attached"`
	SecurityGroups     []nameJSON               `json:"security_groups"`
	Fault              *faultJSON               `json:"fault,omitempty"`
	// 2.3
	ReservationID  *string `json:"OS-EXT-SRV-ATTR:reservation_id,omitempty"`
	LaunchIndex    *int    `json:"OS-EXT-SRV-ATTR:launch_index,omitempty"`
	Hostname       *string `json:"OS-EXT-SRV-ATTR:hostname,omitempty"`
	KernelID       *string `json:"OS-EXT-SRV-ATTR:kernel_id,omitempty"`
	RamdiskID      *string `json:"OS-EXT-SRV-ATTR:ramdisk_id,omitempty"`
	RootDeviceName *string `json:"OS-EXT-SRV-ATTR:root_device_name,omitempty"`
	UserData       any     `json:"OS-EXT-SRV-ATTR:user_data,omitempty"`
	// Later microversions.
	Locked       *bool     `json:"locked,omitempty"`
	HostStatus   *string   `json:"host_status,omitempty"`
	Description  any       `json:"description,omitempty"`
	Tags         *[]string `json:"tags,omitempty"`
	ServerGroups *[]string `json:"server_groups,omitempty"`
	LockedReason any       `json:"locked_reason,omitempty"`
	AdminPass    string    `json:"adminPass,omitempty"` // rebuild's answer only
}

type addressJSON struct {
	Addr    string `json:"addr"`
	Version int    `json:"version"`
	Type    string `json:"OS-EXT-IPS:type"`
	MAC     string `json:"OS-EXT-IPS-MAC:mac_addr"`
}

type volumeRefJSON struct {
	ID                  string `json:"id"`
	DeleteOnTermination *bool  `json:"delete_on_termination,omitempty"`
}

type nameJSON struct {
	Name string `json:"name"`
}

// namesJSON is [{"name": …}, …] (security groups).
func namesJSON(names []string) []nameJSON {
	out := make([]nameJSON, 0, len(names))
	for _, n := range names {
		out = append(out, nameJSON{Name: n})
	}
	return out
}

type faultJSON struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details string `json:"details"`
	Created string `json:"created"`
}

// flavorLinkJSON is a server's flavor before 2.47.
type flavorLinkJSON struct {
	ID    string `json:"id"`
	Links []link `json:"links"`
}

// embeddedFlavorJSON is a server's flavor from 2.47.
type embeddedFlavorJSON struct {
	OriginalName string            `json:"original_name"`
	VCPUs        int               `json:"vcpus"`
	RAM          int               `json:"ram"`
	Disk         int               `json:"disk"`
	Ephemeral    int               `json:"ephemeral"`
	Swap         int               `json:"swap"`
	ExtraSpecs   map[string]string `json:"extra_specs"`
}

// serverDetailLocked renders a server as Nova's show and detail list do at
// the request's microversion. Call with the lock held (flavors are read).
func (c *Compute) serverDetailLocked(call *kit.Call, s *Server) *serverJSON {
	v := versionOf(call)
	addresses := make(map[string][]addressJSON, len(s.Addresses))
	for name, addrs := range s.Addresses {
		list := make([]addressJSON, 0, len(addrs))
		for _, a := range addrs {
			list = append(list, addressJSON(a))
		}
		addresses[name] = list
	}
	volumes := make([]volumeRefJSON, 0, len(s.Volumes))
	for _, va := range s.Volumes {
		vol := volumeRefJSON{ID: va.VolumeID}
		if v.AtLeast(3) {
			vol.DeleteOnTermination = ptr(va.DeleteOnTermination)
		}
		volumes = append(volumes, vol)
	}
	var image any = ""
	if s.ImageID != "" {
		image = idLinksJSON{ID: s.ImageID, Links: bookmark(call, s.ProjectID, "images", s.ImageID)}
	}
	configDrive := ""
	if s.ConfigDrive {
		configDrive = "True"
	}
	out := &serverJSON{
		ID: s.ID, Name: s.Name, Status: s.Status, TenantID: s.ProjectID, UserID: s.UserID,
		Metadata: nonNilMap(s.Metadata), HostID: hostID(s.ProjectID, s.Host),
		Image: image, Flavor: c.flavorRefLocked(call, s.ProjectID, s.FlavorID, v),
		Created: s.Created.UTC().Format(novaTime), Updated: s.Updated.UTC().Format(novaTime),
		Addresses: addresses, AccessIPv4: s.AccessIPv4, AccessIPv6: s.AccessIPv6,
		Links: links(call, s.ProjectID, "servers", s.ID), DiskConfig: s.DiskConfig,
		Progress: s.Progress, AvailabilityZone: s.AvailabilityZone, ConfigDrive: configDrive,
		KeyName: nullString(s.KeyName), LaunchedAt: nullTime(s.LaunchedAt, novaUsecTime),
		TerminatedAt: nullTime(s.TerminatedAt, novaUsecTime), Host: s.Host, InstanceName: s.InstanceName,
		HypervisorHostname: s.HypervisorHostname, TaskState: nullString(s.TaskState), VMState: s.VMState,
		PowerState: s.PowerState, VolumesAttached: volumes, SecurityGroups: namesJSON(s.SecurityGroups),
	}
	if s.Fault != nil && (s.Status == "ERROR" || s.Status == "DELETED") {
		out.Fault = &faultJSON{Code: s.Fault.Code, Message: s.Fault.Message, Details: s.Fault.Details,
			Created: s.Fault.Created.UTC().Format(novaTime)}
	}
	c.microversionFieldsLocked(out, s, v)
	return out
}

// microversionFieldsLocked adds the members later microversions show.
func (c *Compute) microversionFieldsLocked(out *serverJSON, s *Server, v microversion) {
	if v.AtLeast(3) {
		out.ReservationID, out.LaunchIndex = ptr(s.ReservationID), ptr(s.LaunchIndex)
		out.Hostname, out.KernelID, out.RamdiskID = ptr(hostnameOf(s.Name)), ptr(""), ptr("")
		out.RootDeviceName, out.UserData = ptr("/dev/vda"), nullOr(s.UserData)
	}
	if v.AtLeast(9) {
		out.Locked = ptr(s.Locked)
	}
	if v.AtLeast(16) {
		out.HostStatus = ptr("UP")
	}
	if v.AtLeast(19) {
		out.Description = nullOr(s.Description)
	}
	if v.AtLeast(26) {
		tags := append([]string{}, s.Tags...)
		sort.Strings(tags)
		out.Tags = &tags
	}
	if v.AtLeast(71) {
		gs := []string{}
		for _, g := range c.groups {
			if slices.Contains(g.Members, s.ID) {
				gs = append(gs, g.ID)
			}
		}
		out.ServerGroups = &gs
	}
	if v.AtLeast(73) {
		out.LockedReason = nullOr(s.LockedReason)
	}
}

// flavorRefLocked is a server's flavor: a link before 2.47, the embedded
// flavor description from 2.47 on.
func (c *Compute) flavorRefLocked(call *kit.Call, project, flavorID string, v microversion) any {
	f, ok := c.flavors[flavorID]
	if !v.AtLeast(47) || !ok {
		return flavorLinkJSON{ID: flavorID, Links: bookmark(call, project, "flavors", flavorID)}
	}
	// extra_specs is a copy: the body is encoded after the lock is released.
	return embeddedFlavorJSON{
		OriginalName: f.Name, VCPUs: f.VCPUs, RAM: f.RAM, Disk: f.Disk,
		Ephemeral: f.Ephemeral, Swap: f.Swap, ExtraSpecs: maps.Clone(nonNilMap(f.ExtraSpecs)),
	}
}

// hostnameOf is the hostname Nova derives from a display name.
func hostnameOf(name string) string {
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		ch := name[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9', ch == '-':
			out = append(out, ch)
		case ch >= 'A' && ch <= 'Z':
			out = append(out, ch+'a'-'A')
		case ch == ' ' || ch == '_' || ch == '.':
			out = append(out, '-')
		}
	}
	if len(out) > 63 {
		out = out[:63]
	}
	return string(out)
}

// hostID is Nova's opaque per-project host identifier.
func hostID(project, host string) string {
	if host == "" {
		return ""
	}
	// FNV-1a over project and host, widened to 56 hex digits like Nova's sha224.
	var h uint64 = 14695981039346656037
	out := make([]byte, 0, 56)
	for round := 0; len(out) < 56; round++ {
		for _, b := range []byte(project + "/" + host + "/" + strconv.Itoa(round)) {
			h ^= uint64(b)
			h *= 1099511628211
		}
		out = strconv.AppendUint(out, h, 16)
	}
	return string(out[:56])
}
