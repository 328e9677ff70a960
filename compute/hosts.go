// os-hosts (admin only, until 2.42; 404 from 2.43): the hosts of the
// services and their resources; and os-hypervisors/{id}/uptime (admin,
// until 2.87; 404 from 2.88).
//
// Fidelity limits: enabling or disabling a host, maintenance mode and
// power actions answer as Nova's fake virt driver does and change
// nothing (disable the nova-compute service with os-services instead).

package compute

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-hosts and the hypervisor uptime.
const (
	OpListHosts        = "compute.hosts.list"
	OpGetHost          = "compute.hosts.get"
	OpUpdateHost       = "compute.hosts.update"
	OpHostReboot       = "compute.hosts.reboot"
	OpHostShutdown     = "compute.hosts.shutdown"
	OpHostStartup      = "compute.hosts.startup"
	OpHypervisorUptime = "compute.hypervisors.uptime"
)

func (c *Compute) hostRoutes() []kit.Route {
	return []kit.Route{
		route(OpListHosts, "GET", "/os-hosts", c.listHosts),
		route(OpGetHost, "GET", "/os-hosts/{host}", c.getHost),
		route(OpUpdateHost, "PUT", "/os-hosts/{host}", c.updateHost),
		route(OpHostReboot, "GET", "/os-hosts/{host}/reboot", c.hostPowerAction("reboot")),
		route(OpHostShutdown, "GET", "/os-hosts/{host}/shutdown", c.hostPowerAction("shutdown")),
		route(OpHostStartup, "GET", "/os-hosts/{host}/startup", c.hostPowerAction("startup")),
		route(OpHypervisorUptime, "GET", "/os-hypervisors/{hypervisor_id}/uptime", c.hypervisorUptime),
	}
}

// osHostsCall checks what every os-hosts call shares: the microversion
// (until 2.42) and the admin policy.
func osHostsCall(call *kit.Call, rule string) error {
	if versionOf(call).AtLeast(43) {
		return notFoundResource()
	}
	return nvAdminOnly(call, "os_compute_api:os-hosts:"+rule)
}

type hostJSON struct {
	HostName string `json:"host_name"`
	Service  string `json:"service"`
	Zone     string `json:"zone"`
}

type hostList struct {
	Hosts []hostJSON `json:"hosts"`
}

// listHosts lists the host of every enabled service, by its topic.
func (c *Compute) listHosts(call *kit.Call) (kit.Reply, error) {
	if err := osHostsCall(call, "list"); err != nil {
		return kit.Reply{}, err
	}
	zone := call.Query().Get("zone")
	c.mu.Lock()
	defer c.mu.Unlock()
	body := hostList{Hosts: []hostJSON{}}
	for _, s := range c.servicesLocked() {
		if s.disabled || zone != "" && s.zone != zone {
			continue
		}
		body.Hosts = append(body.Hosts, hostJSON{HostName: s.host, Service: strings.TrimPrefix(s.binary, "nova-"), Zone: s.zone})
	}
	return kit.OK(body), nil
}

type hostResourceJSON struct {
	Host     string `json:"host"`
	Project  string `json:"project"`
	CPU      int    `json:"cpu"`
	MemoryMB int    `json:"memory_mb"`
	DiskGB   int    `json:"disk_gb"`
}

type hostResourceRow struct {
	Resource hostResourceJSON `json:"resource"`
}

type hostShowBody struct {
	Host []hostResourceRow `json:"host"`
}

// hypervisorOfLocked is the counted hypervisor of a compute host.
func (c *Compute) hypervisorOfLocked(host string) (*hypervisor, bool) {
	for _, h := range c.hypervisorsLocked() {
		if h.host == host {
			return h, true
		}
	}
	return nil, false
}

// getHost shows a compute host's resources: its total, what is used now,
// the servers' sum, and each project's share.
func (c *Compute) getHost(call *kit.Call) (kit.Reply, error) {
	if err := osHostsCall(call, "show"); err != nil {
		return kit.Reply{}, err
	}
	name := call.Var("host")
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.hypervisorOfLocked(name)
	if _, live := c.computeServiceLocked(name); !ok || !live {
		return kit.Reply{}, kit.NotFound("Host '%s' is not mapped to any cell", name)
	}
	body := hostShowBody{Host: []hostResourceRow{
		{hostResourceJSON{Host: name, Project: "(total)", CPU: HostVCPUs, MemoryMB: HostMemoryMB, DiskGB: HostLocalGB}},
		{hostResourceJSON{Host: name, Project: "(used_now)", CPU: h.vcpusUsed, MemoryMB: h.memoryUsed, DiskGB: h.localGBUsed}},
	}}
	used := hostResourceJSON{Host: name, Project: "(used_max)"}
	var projects []hostResourceJSON
	index := map[string]int{}
	for _, s := range h.servers {
		disk := s.DiskGB
		if f, ok := c.flavors[s.FlavorID]; ok {
			disk += f.Ephemeral
		}
		used.CPU, used.MemoryMB, used.DiskGB = used.CPU+s.VCPUs, used.MemoryMB+s.MemoryMB, used.DiskGB+disk
		i, ok := index[s.ProjectID]
		if !ok {
			i = len(projects)
			index[s.ProjectID] = i
			projects = append(projects, hostResourceJSON{Host: name, Project: s.ProjectID})
		}
		p := &projects[i]
		p.CPU, p.MemoryMB, p.DiskGB = p.CPU+s.VCPUs, p.MemoryMB+s.MemoryMB, p.DiskGB+disk
	}
	body.Host = append(body.Host, hostResourceRow{used})
	for _, p := range projects {
		body.Host = append(body.Host, hostResourceRow{p})
	}
	return kit.OK(body), nil
}

// hostSwitch reads an os-hosts update member: enable or disable, in any
// of the cases Nova's schema lists.
func hostSwitch(m map[string]json.RawMessage, field string) (*bool, error) {
	raw, ok := m[field]
	if !ok {
		return nil, nil
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	switch s {
	case "enable", "Enable", "ENABLE":
		return ptr(true), nil
	case "disable", "Disable", "DISABLE":
		return ptr(false), nil
	}
	return nil, nvFieldErr(field, raw, "%s is not one of ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE']", pyRepr(raw))
}

type hostUpdateJSON struct {
	Host            string `json:"host"`
	Status          string `json:"status,omitempty"`
	MaintenanceMode string `json:"maintenance_mode,omitempty"`
}

func (c *Compute) updateHost(call *kit.Call) (kit.Reply, error) {
	if versionOf(call).AtLeast(43) {
		return kit.Reply{}, notFoundResource()
	}
	m, err := rootMembers(call.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := nvOnlyKeys(m, "status", "maintenance_mode"); err != nil {
		return kit.Reply{}, err
	}
	status, err := hostSwitch(m, "status")
	if err != nil {
		return kit.Reply{}, err
	}
	maintenance, err := hostSwitch(m, "maintenance_mode")
	if err != nil {
		return kit.Reply{}, err
	}
	if status == nil && maintenance == nil {
		return kit.Reply{}, kit.BadRequest("%s is not valid under any of the given schemas", compactMembers(m))
	}
	if err := osHostsCall(call, "update"); err != nil {
		return kit.Reply{}, err
	}
	name := call.Var("host")
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.computeServiceLocked(name); !ok {
		return kit.Reply{}, kit.NotFound("Compute host %s could not be found.", name)
	}
	out := hostUpdateJSON{Host: name}
	if status != nil {
		out.Status = map[bool]string{true: "enabled", false: "disabled"}[*status]
	}
	if maintenance != nil {
		out.MaintenanceMode = map[bool]string{true: "on_maintenance", false: "off_maintenance"}[*maintenance]
	}
	return kit.OK(out), nil
}

type hostPowerJSON struct {
	Host        string `json:"host"`
	PowerAction string `json:"power_action"`
}

// hostPowerAction answers GET /os-hosts/{host}/{action} as the fake virt
// driver does: the action named back.
func (c *Compute) hostPowerAction(action string) kit.Handler {
	return func(call *kit.Call) (kit.Reply, error) {
		rule := action
		if action == "startup" {
			rule = "start"
		}
		if err := osHostsCall(call, rule); err != nil {
			return kit.Reply{}, err
		}
		name := call.Var("host")
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, ok := c.computeServiceLocked(name); !ok {
			return kit.Reply{}, kit.NotFound("Compute host %s could not be found.", name)
		}
		return kit.OK(hostPowerJSON{Host: name, PowerAction: action}), nil
	}
}

// hypervisorUptimeJSON is GET /os-hypervisors/{id}/uptime's hypervisor.
type hypervisorUptimeJSON struct {
	ID       any    `json:"id"`
	Hostname string `json:"hypervisor_hostname"`
	State    string `json:"state"`
	Status   string `json:"status"`
	Uptime   string `json:"uptime"`
}

// uptimeLine is the host's uptime(1) line, counted from when the fake
// started on the shared clock.
func uptimeLine(now, since time.Time) string {
	up := now.Sub(since)
	if up < 0 {
		up = 0
	}
	days := int(up / (24 * time.Hour))
	rest := up % (24 * time.Hour)
	return fmt.Sprintf(" %s up %d days, %d:%02d, 0 users,  load average: 0.00, 0.00, 0.00",
		now.UTC().Format("15:04:05"), days, int(rest/time.Hour), int(rest%time.Hour/time.Minute))
}

func (c *Compute) hypervisorUptime(call *kit.Call) (kit.Reply, error) {
	v := versionOf(call)
	if v.AtLeast(88) {
		return kit.Reply{}, notFoundResource()
	}
	if err := nvAdminOnly(call, "os_compute_api:os-hypervisors:uptime"); err != nil {
		return kit.Reply{}, err
	}
	id := call.Var("hypervisor_id")
	if v.AtLeast(53) {
		if _, err := uuid.Parse(id); err != nil {
			return kit.Reply{}, kit.BadRequest("Invalid uuid %s", id)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.hypervisorsLocked() {
		if fmt.Sprint(hypervisorID(call, h)) != strings.ToLower(id) {
			continue
		}
		view := c.hypervisorViewLocked(call, h, false, false)
		return kit.OK(map[string]hypervisorUptimeJSON{"hypervisor": {
			ID: view.ID, Hostname: view.Hostname, State: view.State, Status: view.Status,
			Uptime: uptimeLine(c.Now(), c.admin.started),
		}}), nil
	}
	return kit.Reply{}, kit.NotFound("Hypervisor with ID '%s' could not be found.", id)
}
