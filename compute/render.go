package compute

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/mockcloud/mockcloud/fake"
)

// Nova's timestamp formats.
const (
	novaTime     = "2006-01-02T15:04:05Z"
	novaUsecTime = "2006-01-02T15:04:05.000000"
)

func links(r *http.Request, project, kind, id string) []map[string]string {
	base := fake.BaseURL(r)
	root := "/v2.1/"
	if versionRoot(r) == "/v2" {
		root = "/v2/"
	}
	return []map[string]string{
		{"rel": "self", "href": base + root + project + "/" + kind + "/" + id},
		{"rel": "bookmark", "href": base + "/" + project + "/" + kind + "/" + id},
	}
}

// versionRoot is the API root the request came in on.
func versionRoot(r *http.Request) string {
	if len(r.URL.Path) >= 4 && r.URL.Path[:4] == "/v2/" {
		return "/v2"
	}
	return "/v2.1"
}

func nullTime(t time.Time, layout string) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(layout)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// serverBrief is the list (non-detail) form.
func serverBrief(r *http.Request, s *Server) map[string]any {
	return map[string]any{"id": s.ID, "name": s.Name, "links": links(r, s.ProjectID, "servers", s.ID)}
}

// link is one entry of a "links" list.
type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

func typedLinks(r *http.Request, project, kind, id string) []link {
	m := links(r, project, kind, id)
	return []link{{Href: m[0]["href"], Rel: m[0]["rel"]}, {Href: m[1]["href"], Rel: m[1]["rel"]}}
}

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

// serverJSON is a server as Nova's show and detail list render it. A struct
// rather than a map: listing thousands of servers is a hot path, and
// encoding/json sorts the keys of every map it writes. Fields typed any
// without omitempty are null when nil; with omitempty they are absent below
// their microversion and jsonNull when present but empty.
type serverJSON struct {
	ID                 string                   `json:"id"`
	Name               string                   `json:"name"`
	Status             string                   `json:"status"`
	TenantID           string                   `json:"tenant_id"`
	UserID             string                   `json:"user_id"`
	Metadata           map[string]string        `json:"metadata"`
	HostID             string                   `json:"hostId"`
	Image              any                      `json:"image"`
	Flavor             any                      `json:"flavor"`
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
	KeyName            any                      `json:"key_name"`
	LaunchedAt         any                      `json:"OS-SRV-USG:launched_at"`
	TerminatedAt       any                      `json:"OS-SRV-USG:terminated_at"`
	Host               string                   `json:"OS-EXT-SRV-ATTR:host"`
	InstanceName       string                   `json:"OS-EXT-SRV-ATTR:instance_name"`
	HypervisorHostname string                   `json:"OS-EXT-SRV-ATTR:hypervisor_hostname"`
	TaskState          any                      `json:"OS-EXT-STS:task_state"`
	VMState            string                   `json:"OS-EXT-STS:vm_state"`
	PowerState         int                      `json:"OS-EXT-STS:power_state"`
	VolumesAttached    []volumeRefJSON          `json:"os-extended-volumes:volumes_attached"`
	SecurityGroups     []nameJSON               `json:"security_groups"`
	Fault              *faultJSON               `json:"fault,omitempty"`
	// 2.3
	ReservationID  any `json:"OS-EXT-SRV-ATTR:reservation_id,omitempty"`
	LaunchIndex    any `json:"OS-EXT-SRV-ATTR:launch_index,omitempty"`
	Hostname       any `json:"OS-EXT-SRV-ATTR:hostname,omitempty"`
	KernelID       any `json:"OS-EXT-SRV-ATTR:kernel_id,omitempty"`
	RamdiskID      any `json:"OS-EXT-SRV-ATTR:ramdisk_id,omitempty"`
	RootDeviceName any `json:"OS-EXT-SRV-ATTR:root_device_name,omitempty"`
	UserData       any `json:"OS-EXT-SRV-ATTR:user_data,omitempty"`
	// Later microversions.
	Locked       any    `json:"locked,omitempty"`
	HostStatus   any    `json:"host_status,omitempty"`
	Description  any    `json:"description,omitempty"`
	Tags         any    `json:"tags,omitempty"`
	ServerGroups any    `json:"server_groups,omitempty"`
	LockedReason any    `json:"locked_reason,omitempty"`
	AdminPass    string `json:"adminPass,omitempty"` // rebuild's answer only
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

type faultJSON struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details string `json:"details"`
	Created string `json:"created"`
}

type idLinksJSON struct {
	ID    string `json:"id"`
	Links []link `json:"links"`
}

// serverDetailLocked renders a server as Nova's show and detail list do at
// the request's microversion. Call with the lock held (flavors are read).
func (c *Compute) serverDetailLocked(r *http.Request, s *Server, now time.Time) *serverJSON {
	v := versionOf(r)
	addresses := make(map[string][]addressJSON, len(s.Addresses))
	for name, addrs := range s.Addresses {
		list := make([]addressJSON, 0, len(addrs))
		for _, a := range addrs {
			list = append(list, addressJSON{Addr: a.Addr, Version: a.Version, Type: a.Type, MAC: a.MAC})
		}
		addresses[name] = list
	}
	volumes := make([]volumeRefJSON, 0, len(s.Volumes))
	for _, va := range s.Volumes {
		vol := volumeRefJSON{ID: va.VolumeID}
		if v.AtLeast(3) {
			dot := va.DeleteOnTermination
			vol.DeleteOnTermination = &dot
		}
		volumes = append(volumes, vol)
	}
	groups := make([]nameJSON, 0, len(s.SecurityGroups))
	for _, g := range s.SecurityGroups {
		groups = append(groups, nameJSON{Name: g})
	}
	var image any = ""
	if s.ImageID != "" {
		image = idLinksJSON{ID: s.ImageID, Links: typedLinks(r, s.ProjectID, "images", s.ImageID)[1:]}
	}
	configDrive := ""
	if s.ConfigDrive {
		configDrive = "True"
	}
	out := &serverJSON{
		ID: s.ID, Name: s.Name, Status: s.Status, TenantID: s.ProjectID, UserID: s.UserID,
		Metadata: nonNilMap(s.Metadata), HostID: hostID(s.ProjectID, s.Host),
		Image: image, Flavor: c.flavorRefLocked(r, s.ProjectID, s.FlavorID, v),
		Created: s.Created.UTC().Format(novaTime), Updated: s.Updated.UTC().Format(novaTime),
		Addresses: addresses, AccessIPv4: s.AccessIPv4, AccessIPv6: s.AccessIPv6,
		Links: typedLinks(r, s.ProjectID, "servers", s.ID), DiskConfig: s.DiskConfig,
		Progress: s.Progress, AvailabilityZone: s.AvailabilityZone, ConfigDrive: configDrive,
		KeyName: nullString(s.KeyName), LaunchedAt: nullTime(s.LaunchedAt, novaUsecTime),
		TerminatedAt: nullTime(s.TerminatedAt, novaUsecTime), Host: s.Host, InstanceName: s.InstanceName,
		HypervisorHostname: s.HypervisorHostname, TaskState: nullString(s.TaskState), VMState: s.VMState,
		PowerState: s.PowerState, VolumesAttached: volumes, SecurityGroups: groups,
	}
	if s.Fault != nil && (s.Status == "ERROR" || s.Status == "DELETED") {
		out.Fault = &faultJSON{Code: s.Fault.Code, Message: s.Fault.Message, Details: s.Fault.Details,
			Created: s.Fault.Created.UTC().Format(novaTime)}
	}
	if v.AtLeast(3) {
		out.ReservationID, out.LaunchIndex = s.ReservationID, s.LaunchIndex
		out.Hostname, out.KernelID, out.RamdiskID = hostnameOf(s.Name), "", ""
		out.RootDeviceName, out.UserData = "/dev/vda", nullOr(s.UserData)
	}
	if v.AtLeast(9) {
		out.Locked = s.Locked
	}
	if v.AtLeast(16) {
		out.HostStatus = "UP"
	}
	if v.AtLeast(19) {
		out.Description = nullOr(s.Description)
	}
	if v.AtLeast(26) {
		tags := append([]string{}, s.Tags...)
		sort.Strings(tags)
		out.Tags = tags
	}
	if v.AtLeast(71) {
		var gs []string
		for _, g := range c.groups {
			if containsString(g.Members, s.ID) {
				gs = append(gs, g.ID)
			}
		}
		out.ServerGroups = nonNilSlice(gs)
	}
	if v.AtLeast(73) {
		out.LockedReason = nullOr(s.LockedReason)
	}
	return out
}

// flavorRefLocked is a server's flavor: a link before 2.47, the embedded
// flavor description from 2.47 on.
func (c *Compute) flavorRefLocked(r *http.Request, project, flavorID string, v Version) map[string]any {
	f, ok := c.flavors[flavorID]
	if !v.AtLeast(47) || !ok {
		return map[string]any{"id": flavorID, "links": []map[string]string{links(r, project, "flavors", flavorID)[1]}}
	}
	// extra_specs is a copy: the body is encoded after the lock is released.
	out := map[string]any{
		"original_name": f.Name, "vcpus": f.VCPUs, "ram": f.RAM, "disk": f.Disk,
		"ephemeral": f.Ephemeral, "swap": f.Swap, "extra_specs": cloneMap(nonNilMap(f.ExtraSpecs)),
	}
	return out
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
