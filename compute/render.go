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

// serverJSON is a server as Nova's show and detail list render it (and,
// from 2.75, update and rebuild). A struct rather than a map: listing
// thousands of servers is a hot path, and encoding/json sorts the keys of
// every map it writes. The members policy hides from non-admins
// (OS-EXT-SRV-ATTR:*, host_status) are omitempty.
type serverJSON struct {
	ID                 string                   `json:"id"`
	Name               string                   `json:"name"`
	Status             string                   `json:"status"`
	TenantID           string                   `json:"tenant_id"`
	UserID             string                   `json:"user_id"`
	Metadata           map[string]string        `json:"metadata"`
	HostID             string                   `json:"hostId"`
	Image              any                      `json:"image"`  // "" or an imageRefJSON
	Flavor             any                      `json:"flavor"` // a flavorLinkJSON or, from 2.47, an embeddedFlavorJSON
	Created            string                   `json:"created"`
	Updated            string                   `json:"updated"`
	Addresses          map[string][]addressJSON `json:"addresses"`
	AccessIPv4         string                   `json:"accessIPv4"`
	AccessIPv6         string                   `json:"accessIPv6"`
	Links              []link                   `json:"links"`
	DiskConfig         string                   `json:"OS-DCF:diskConfig"`
	Progress           *int                     `json:"progress,omitempty"` // in Nova's progress statuses only
	AvailabilityZone   string                   `json:"OS-EXT-AZ:availability_zone"`
	ConfigDrive        string                   `json:"config_drive"`
	KeyName            *string                  `json:"key_name"`
	LaunchedAt         *string                  `json:"OS-SRV-USG:launched_at"`
	TerminatedAt       *string                  `json:"OS-SRV-USG:terminated_at"`
	Host               any                      `json:"OS-EXT-SRV-ATTR:host,omitempty"`
	InstanceName       *string                  `json:"OS-EXT-SRV-ATTR:instance_name,omitempty"`
	HypervisorHostname any                      `json:"OS-EXT-SRV-ATTR:hypervisor_hostname,omitempty"`
	TaskState          *string                  `json:"OS-EXT-STS:task_state"`
	VMState            string                   `json:"OS-EXT-STS:vm_state"`
	PowerState         int                      `json:"OS-EXT-STS:power_state"`
	VolumesAttached    []volumeRefJSON          `json:"os-extended-volumes:volumes_attached"`
	SecurityGroups     []nameJSON               `json:"security_groups,omitempty"` // absent when it has none, as Nova
	Fault              *faultJSON               `json:"fault,omitempty"`
	// 2.3 (admins; the hostname for everyone from 2.90)
	ReservationID  *string `json:"OS-EXT-SRV-ATTR:reservation_id,omitempty"`
	LaunchIndex    *int    `json:"OS-EXT-SRV-ATTR:launch_index,omitempty"`
	Hostname       *string `json:"OS-EXT-SRV-ATTR:hostname,omitempty"`
	KernelID       *string `json:"OS-EXT-SRV-ATTR:kernel_id,omitempty"`
	RamdiskID      *string `json:"OS-EXT-SRV-ATTR:ramdisk_id,omitempty"`
	RootDeviceName *string `json:"OS-EXT-SRV-ATTR:root_device_name,omitempty"`
	UserData       any     `json:"OS-EXT-SRV-ATTR:user_data,omitempty"`
	// Later microversions.
	serverMinorsJSON
}

// serverMinorsJSON are the members later microversions add to every view
// of a server, the reduced one of update and rebuild included.
type serverMinorsJSON struct {
	Locked                   *bool     `json:"locked,omitempty"`
	HostStatus               *string   `json:"host_status,omitempty"`
	Description              any       `json:"description,omitempty"`
	Tags                     *[]string `json:"tags,omitempty"`
	TrustedImageCertificates any       `json:"trusted_image_certificates,omitempty"`
	ServerGroups             *[]string `json:"server_groups,omitempty"`
	LockedReason             any       `json:"locked_reason,omitempty"`
	PinnedAvailabilityZone   any       `json:"pinned_availability_zone,omitempty"`
	SchedulerHints           any       `json:"scheduler_hints,omitempty"`
	KeyName                  any       `json:"key_name,omitempty"`  // the reduced rebuild answer, 2.54 to 2.74
	RebuildUserData          any       `json:"user_data,omitempty"` // rebuild's answer only, from 2.57
	AdminPass                string    `json:"adminPass,omitempty"` // rebuild's answer only
}

type addressJSON struct {
	Addr    string `json:"addr"`
	Version int    `json:"version"`
	Type    string `json:"OS-EXT-IPS:type,omitempty"`         // absent from the reduced view
	MAC     string `json:"OS-EXT-IPS-MAC:mac_addr,omitempty"` // absent from the reduced view
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

// serverView is which of Nova's views of a server a call answers with.
type serverView int

const (
	viewShow    serverView = iota // GET /servers/{id}
	viewDetail                    // GET /servers/detail: no server_groups
	viewUpdate                    // PUT /servers/{id}: reduced before 2.75
	viewRebuild                   // rebuild's answer: reduced before 2.75, user_data from 2.57
)

// progressStatuses are the statuses Nova shows progress in.
var progressStatuses = map[string]bool{"ACTIVE": true, "BUILD": true, "REBUILD": true, "RESIZE": true, "VERIFY_RESIZE": true, "MIGRATING": true}

// serverDetailLocked renders a server as Nova's show does at the request's
// microversion. Call with the lock held (flavors are read).
func (c *Compute) serverDetailLocked(call *kit.Call, s *Server) *serverJSON {
	return c.serverViewLocked(call, s, viewShow)
}

// serverListDetailLocked renders one server of GET /servers/detail.
func (c *Compute) serverListDetailLocked(call *kit.Call, s *Server) *serverJSON {
	return c.serverViewLocked(call, s, viewDetail)
}

// serverViewLocked renders the full view of a server (show, the detail
// list, and update and rebuild from 2.75).
func (c *Compute) serverViewLocked(call *kit.Call, s *Server, view serverView) *serverJSON {
	v := versionOf(call)
	volumes := make([]volumeRefJSON, 0, len(s.Volumes))
	for _, va := range s.Volumes {
		vol := volumeRefJSON{ID: va.VolumeID}
		if v.AtLeast(3) {
			vol.DeleteOnTermination = ptr(va.DeleteOnTermination)
		}
		volumes = append(volumes, vol)
	}
	configDrive := ""
	if s.ConfigDrive {
		configDrive = "True"
	}
	out := &serverJSON{
		ID: s.ID, Name: s.Name, Status: s.Status, TenantID: s.ProjectID, UserID: s.UserID,
		Metadata: nonNilMap(s.Metadata), HostID: hostID(s.ProjectID, s.Host),
		Image: c.imageRefLocked(call, s, v), Flavor: c.flavorRefLocked(call, s.ProjectID, s.FlavorID, v),
		Created: s.Created.UTC().Format(novaTime), Updated: s.Updated.UTC().Format(novaTime),
		Addresses: addressesJSON(s, true), AccessIPv4: s.AccessIPv4, AccessIPv6: s.AccessIPv6,
		Links: links(call, s.ProjectID, "servers", s.ID), DiskConfig: s.DiskConfig,
		Progress: c.progressFor(s), AvailabilityZone: s.AvailabilityZone, ConfigDrive: configDrive,
		KeyName: nullString(s.KeyName), LaunchedAt: nullTime(s.LaunchedAt, novaUsecTime),
		TerminatedAt: nullTime(s.TerminatedAt, novaUsecTime), TaskState: nullString(s.TaskState), VMState: s.VMState,
		PowerState: s.PowerState, VolumesAttached: volumes, SecurityGroups: namesJSON(s.SecurityGroups),
		Fault: faultOf(s),
	}
	admin := adminAllowed(call)
	if admin {
		// os_compute_api:os-extended-server-attributes (admin only).
		out.Host, out.InstanceName, out.HypervisorHostname = nullOr(s.Host), ptr(s.InstanceName), nullOr(s.HypervisorHostname)
		if v.AtLeast(3) {
			out.ReservationID, out.LaunchIndex = ptr(s.ReservationID), ptr(s.LaunchIndex)
			out.Hostname, out.KernelID, out.RamdiskID = ptr(serverHostname(s)), ptr(""), ptr("")
			out.RootDeviceName = ptr("/dev/vda")
			if view != viewRebuild {
				out.UserData = nullOr(s.UserData)
			}
		}
	}
	if v.AtLeast(90) {
		out.Hostname = ptr(serverHostname(s)) // everyone's from 2.90
	}
	out.serverMinorsJSON = c.serverMinorsLocked(s, v, view != viewDetail)
	if v.AtLeast(16) && admin {
		out.HostStatus = ptr(hostStatusOf(s)) // os_compute_api:servers:show:host_status (admin)
	}
	if v.AtLeast(96) {
		out.PinnedAvailabilityZone = nullOr(s.PinnedAvailabilityZone)
	}
	if v.AtLeast(100) {
		out.SchedulerHints = schedulerHintsOf(s)
	}
	if view == viewRebuild && v.AtLeast(57) {
		out.RebuildUserData = nullOr(s.UserData)
	}
	return out
}

// serverMinorsLocked are the members of microversions 2.9 to 2.73 that
// every view shows; server_groups is left out of the detail list, as
// Nova leaves it out.
func (c *Compute) serverMinorsLocked(s *Server, v microversion, groups bool) serverMinorsJSON {
	var out serverMinorsJSON
	if v.AtLeast(9) {
		out.Locked = ptr(s.Locked)
	}
	if v.AtLeast(19) {
		out.Description = nullOr(s.Description)
	}
	if v.AtLeast(26) {
		tags := append([]string{}, s.Tags...)
		sort.Strings(tags)
		out.Tags = &tags
	}
	if v.AtLeast(63) {
		out.TrustedImageCertificates = jsonNull
		if len(s.TrustedImageCertificates) > 0 {
			out.TrustedImageCertificates = append([]string(nil), s.TrustedImageCertificates...)
		}
	}
	if v.AtLeast(71) && groups {
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
	return out
}

// addressesJSON are a server's addresses; extended adds the
// OS-EXT-IPS:type and OS-EXT-IPS-MAC:mac_addr members (every view but
// update's and rebuild's before 2.75).
func addressesJSON(s *Server, extended bool) map[string][]addressJSON {
	out := make(map[string][]addressJSON, len(s.Addresses))
	for name, addrs := range s.Addresses {
		list := make([]addressJSON, 0, len(addrs))
		for _, a := range addrs {
			if extended {
				list = append(list, addressJSON(a))
			} else {
				list = append(list, addressJSON{Addr: a.Addr, Version: a.Version})
			}
		}
		out[name] = list
	}
	return out
}

// progressOf is the progress member: shown only in Nova's progress statuses.
func progressOf(s *Server) *int {
	if !progressStatuses[s.Status] {
		return nil
	}
	return ptr(s.Progress)
}

// faultOf is the fault member: shown in ERROR and DELETED only.
func faultOf(s *Server) *faultJSON {
	if s.Fault == nil || s.Status != "ERROR" && s.Status != "DELETED" {
		return nil
	}
	return &faultJSON{Code: s.Fault.Code, Message: s.Fault.Message, Details: s.Fault.Details,
		Created: s.Fault.Created.UTC().Format(novaTime)}
}

// hostStatusOf is host_status: UP on a host, "" (Nova's NONE) on none.
func hostStatusOf(s *Server) string {
	if s.Host == "" {
		return ""
	}
	return "UP"
}

// serverHostname is OS-EXT-SRV-ATTR:hostname.
func serverHostname(s *Server) string {
	if s.Hostname != "" {
		return s.Hostname
	}
	return hostnameOf(s.Name)
}

// schedulerHintsOf is scheduler_hints (2.100): the hints given at create,
// {} for none.
func schedulerHintsOf(s *Server) any {
	if len(s.SchedulerHints) == 0 {
		return struct{}{}
	}
	return append(json.RawMessage(nil), s.SchedulerHints...)
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
