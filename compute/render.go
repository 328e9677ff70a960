package compute

import (
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

// serverDetail renders a server as Nova's show and detail list do at the
// request's microversion. Call with the lock held (flavors are read).
func (c *Compute) serverDetailLocked(r *http.Request, s *Server, now time.Time) map[string]any {
	v := versionOf(r)
	addresses := map[string]any{}
	for name, addrs := range s.Addresses {
		list := make([]map[string]any, 0, len(addrs))
		for _, a := range addrs {
			list = append(list, map[string]any{
				"addr": a.Addr, "version": a.Version,
				"OS-EXT-IPS:type": a.Type, "OS-EXT-IPS-MAC:mac_addr": a.MAC,
			})
		}
		addresses[name] = list
	}
	volumes := make([]map[string]any, 0, len(s.Volumes))
	for _, va := range s.Volumes {
		vol := map[string]any{"id": va.VolumeID}
		if v.AtLeast(3) {
			vol["delete_on_termination"] = va.DeleteOnTermination
		}
		volumes = append(volumes, vol)
	}
	groups := make([]map[string]string, 0, len(s.SecurityGroups))
	for _, g := range s.SecurityGroups {
		groups = append(groups, map[string]string{"name": g})
	}
	var image any = ""
	if s.ImageID != "" {
		image = map[string]any{"id": s.ImageID, "links": []map[string]string{links(r, s.ProjectID, "images", s.ImageID)[1]}}
	}
	configDrive := ""
	if s.ConfigDrive {
		configDrive = "True"
	}
	out := map[string]any{
		"id": s.ID, "name": s.Name, "status": s.Status, "tenant_id": s.ProjectID, "user_id": s.UserID,
		"metadata": nonNilMap(s.Metadata), "hostId": hostID(s.ProjectID, s.Host),
		"image": image, "flavor": c.flavorRefLocked(r, s.ProjectID, s.FlavorID, v),
		"created": s.Created.UTC().Format(novaTime), "updated": s.Updated.UTC().Format(novaTime),
		"addresses": addresses, "accessIPv4": s.AccessIPv4, "accessIPv6": s.AccessIPv6,
		"links": links(r, s.ProjectID, "servers", s.ID), "OS-DCF:diskConfig": s.DiskConfig,
		"progress": s.Progress, "OS-EXT-AZ:availability_zone": s.AvailabilityZone,
		"config_drive": configDrive, "key_name": nullString(s.KeyName),
		"OS-SRV-USG:launched_at":               nullTime(s.LaunchedAt, novaUsecTime),
		"OS-SRV-USG:terminated_at":             nullTime(s.TerminatedAt, novaUsecTime),
		"OS-EXT-SRV-ATTR:host":                 s.Host,
		"OS-EXT-SRV-ATTR:instance_name":        s.InstanceName,
		"OS-EXT-SRV-ATTR:hypervisor_hostname":  s.HypervisorHostname,
		"OS-EXT-STS:task_state":                nullString(s.TaskState),
		"OS-EXT-STS:vm_state":                  s.VMState,
		"OS-EXT-STS:power_state":               s.PowerState,
		"os-extended-volumes:volumes_attached": volumes,
		"security_groups":                      groups,
	}
	if s.Fault != nil && (s.Status == "ERROR" || s.Status == "DELETED") {
		out["fault"] = map[string]any{
			"code": s.Fault.Code, "message": s.Fault.Message, "details": s.Fault.Details,
			"created": s.Fault.Created.UTC().Format(novaTime),
		}
	}
	if v.AtLeast(3) {
		out["OS-EXT-SRV-ATTR:reservation_id"] = s.ReservationID
		out["OS-EXT-SRV-ATTR:launch_index"] = s.LaunchIndex
		out["OS-EXT-SRV-ATTR:hostname"] = hostnameOf(s.Name)
		out["OS-EXT-SRV-ATTR:kernel_id"] = ""
		out["OS-EXT-SRV-ATTR:ramdisk_id"] = ""
		out["OS-EXT-SRV-ATTR:root_device_name"] = "/dev/vda"
		out["OS-EXT-SRV-ATTR:user_data"] = nullString(s.UserData)
	}
	if v.AtLeast(9) {
		out["locked"] = s.Locked
	}
	if v.AtLeast(16) {
		out["host_status"] = "UP"
	}
	if v.AtLeast(19) {
		out["description"] = nullString(s.Description)
	}
	if v.AtLeast(26) {
		tags := append([]string{}, s.Tags...)
		sort.Strings(tags)
		out["tags"] = tags
	}
	if v.AtLeast(71) {
		var gs []string
		for _, g := range c.groups {
			if containsString(g.Members, s.ID) {
				gs = append(gs, g.ID)
			}
		}
		out["server_groups"] = nonNilSlice(gs)
	}
	if v.AtLeast(73) {
		out["locked_reason"] = nullString(s.LockedReason)
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
	out := map[string]any{
		"original_name": f.Name, "vcpus": f.VCPUs, "ram": f.RAM, "disk": f.Disk,
		"ephemeral": f.Ephemeral, "swap": f.Swap, "extra_specs": nonNilMap(f.ExtraSpecs),
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
