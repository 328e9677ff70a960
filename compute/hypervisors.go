package compute

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-hypervisors (admin only).
const (
	OpListHypervisors       = "compute.hypervisors.list"
	OpListHypervisorsDetail = "compute.hypervisors.detail"
	OpHypervisorStatistics  = "compute.hypervisors.statistics"
	OpGetHypervisor         = "compute.hypervisors.get"
	OpSearchHypervisors     = "compute.hypervisors.search"
	OpHypervisorServers     = "compute.hypervisors.servers"
)

func (c *Compute) hypervisorRoutes() []kit.Route {
	return []kit.Route{
		route(OpListHypervisors, "GET", "/os-hypervisors", c.listHypervisors),
		route(OpListHypervisorsDetail, "GET", "/os-hypervisors/detail", c.listHypervisorsDetail),
		route(OpHypervisorStatistics, "GET", "/os-hypervisors/statistics", c.hypervisorStatistics),
		route(OpGetHypervisor, "GET", "/os-hypervisors/{hypervisor_id}", c.getHypervisor),
		route(OpSearchHypervisors, "GET", "/os-hypervisors/{pattern}/search", c.searchHypervisors),
		route(OpHypervisorServers, "GET", "/os-hypervisors/{pattern}/servers", c.hypervisorServers),
	}
}

// What each fake hypervisor host has. Nova's resource tracker also counts
// the memory reserved for the host itself (reserved_host_memory_mb) as
// used.
const (
	HostVCPUs            = 64
	HostMemoryMB         = 262144
	HostLocalGB          = 2048
	ReservedHostMemoryMB = 512
)

// hostCPUInfo is the fake driver's CPU description (a JSON string before
// 2.28, an object from 2.28).
const hostCPUInfo = `{"arch": "x86_64", "model": "Nehalem", "vendor": "Intel", "features": ["pge", "clflush"], "topology": {"cores": 8, "threads": 2, "sockets": 4}}`

// hypervisor is one host's compute node, as counted at a request.
type hypervisor struct {
	index                              int
	host                               string
	vcpusUsed, memoryUsed, localGBUsed int
	workload, runningVMs               int
	servers                            []*server
}

func (h *hypervisor) nodename() string { return nodeName(h.host) }

// nodeName is the hypervisor hostname (the compute node) of a host.
func nodeName(host string) string { return host + ".mockcloud.test" }

// nodeUUID is the compute node's UUID, derived from its node name as
// Nova's predictable-UUID fake driver does (uuid5 in the DNS namespace).
func (h *hypervisor) nodeUUID() string {
	return uuid.NewSHA1(uuid.NameSpaceDNS, []byte(h.nodename())).String()
}

func (h *hypervisor) serviceUUID() string {
	return uuid.NewSHA1(uuid.NameSpaceDNS, []byte("nova-compute."+h.host)).String()
}

// busyTasks are the task_states Nova's resource tracker counts as
// workload.
var busyTasks = map[string]bool{
	"resize_prep": true, "resize_migrating": true, "resize_migrated": true, "resize_finish": true,
	"rebuilding": true, "image_snapshot": true, "image_backup": true, "rescuing": true,
	"unshelving": true, "shelving": true, "spawning": true, "scheduling": true,
}

// hypervisorsLocked counts every host's usage from the live servers on it.
func (c *Compute) hypervisorsLocked() []*hypervisor {
	now := c.Now()
	out := make([]*hypervisor, len(c.hosts))
	byHost := map[string]*hypervisor{}
	for i, h := range c.hosts {
		out[i] = &hypervisor{index: i, host: h, memoryUsed: ReservedHostMemoryMB}
		byHost[h] = out[i]
	}
	for _, s := range c.servers {
		c.settleLocked(s, now)
		h, ok := byHost[s.Host]
		if s.Deleted || !ok {
			continue
		}
		h.runningVMs++
		h.vcpusUsed += s.VCPUs
		h.memoryUsed += s.MemoryMB
		disk := s.DiskGB
		if f, ok := c.flavors[s.FlavorID]; ok {
			disk += f.Ephemeral
		}
		h.localGBUsed += disk
		if s.VMState == vmBuilding || busyTasks[s.TaskState] {
			h.workload++
		}
		h.servers = append(h.servers, s)
	}
	for _, h := range out {
		sortServersByCreation(h.servers)
	}
	return out
}

func sortServersByCreation(list []*server) {
	sort.Slice(list, func(i, j int) bool {
		if !list[i].Created.Equal(list[j].Created) {
			return list[i].Created.Before(list[j].Created)
		}
		return list[i].ID < list[j].ID
	})
}

// hypervisorID is the ID a microversion shows: the node's UUID from 2.53,
// an integer before.
func hypervisorID(call *kit.Call, h *hypervisor) any {
	if versionOf(call).AtLeast(53) {
		return h.nodeUUID()
	}
	return h.index + 1
}

// hypervisorJSON is a hypervisor as os-hypervisors shows it: the summary,
// the detail (nil in a summary), the servers (with_servers).
type hypervisorJSON struct {
	ID       any    `json:"id"` // an integer, or from 2.53 the node's UUID
	Hostname string `json:"hypervisor_hostname"`
	State    string `json:"state"`
	Status   string `json:"status"`
	*hypervisorDetailJSON
	Servers *[]hypervisorServerJSON `json:"servers,omitempty"`
}

type hypervisorDetailJSON struct {
	Type    string                `json:"hypervisor_type"`
	Version int                   `json:"hypervisor_version"`
	HostIP  string                `json:"host_ip"`
	Service hypervisorServiceJSON `json:"service"`
	*hypervisorUsageJSON
	CPUInfo any `json:"cpu_info,omitempty"` // before 2.88: a JSON string before 2.28, a cpuInfoJSON from it
	Uptime  any `json:"uptime,omitempty"`   // from 2.88, null: the fake driver reports none
}

type hypervisorServiceJSON struct {
	ID             any     `json:"id"` // an integer, or from 2.53 a UUID
	Host           string  `json:"host"`
	DisabledReason *string `json:"disabled_reason"`
}

// hypervisorUsageJSON is what 2.88 removed.
type hypervisorUsageJSON struct {
	VCPUs              int `json:"vcpus"`
	VCPUsUsed          int `json:"vcpus_used"`
	MemoryMB           int `json:"memory_mb"`
	MemoryMBUsed       int `json:"memory_mb_used"`
	LocalGB            int `json:"local_gb"`
	LocalGBUsed        int `json:"local_gb_used"`
	FreeRAMMB          int `json:"free_ram_mb"`
	FreeDiskGB         int `json:"free_disk_gb"`
	DiskAvailableLeast int `json:"disk_available_least"`
	CurrentWorkload    int `json:"current_workload"`
	RunningVMs         int `json:"running_vms"`
}

type cpuInfoJSON struct {
	Arch     string         `json:"arch"`
	Model    string         `json:"model"`
	Vendor   string         `json:"vendor"`
	Features []string       `json:"features"`
	Topology map[string]int `json:"topology"`
}

type hypervisorServerJSON struct {
	Name string `json:"name"`
	UUID string `json:"uuid"`
}

// hypervisorViewLocked renders a hypervisor; its status and state are its
// host's nova-compute service's (disabled, forced down), as Nova's are.
func (c *Compute) hypervisorViewLocked(call *kit.Call, h *hypervisor, detail, withServers bool) hypervisorJSON {
	v := versionOf(call)
	out := hypervisorJSON{ID: hypervisorID(call, h), Hostname: h.nodename(), State: "up", Status: "enabled"}
	if svc, ok := c.computeServiceLocked(h.host); ok {
		if svc.disabled {
			out.Status = "disabled"
		}
		if svc.forcedDown {
			out.State = "down"
		}
	}
	if detail {
		out.hypervisorDetailJSON = hypervisorDetail(h, v)
	}
	if withServers && (len(h.servers) > 0 || v.AtLeast(75)) {
		list := make([]hypervisorServerJSON, 0, len(h.servers))
		for _, s := range h.servers {
			list = append(list, hypervisorServerJSON{Name: s.Name, UUID: s.ID})
		}
		out.Servers = &list
	}
	return out
}

func hypervisorDetail(h *hypervisor, v microversion) *hypervisorDetailJSON {
	var serviceID any = h.index + 1
	if v.AtLeast(53) {
		serviceID = h.serviceUUID()
	}
	d := &hypervisorDetailJSON{
		Type: "fake", Version: 1000, HostIP: fmt.Sprintf("192.168.100.%d", 10+h.index%240),
		Service: hypervisorServiceJSON{ID: serviceID, Host: h.host},
	}
	if v.AtLeast(88) {
		d.Uptime = jsonNull
		return d
	}
	d.hypervisorUsageJSON = &hypervisorUsageJSON{
		VCPUs: HostVCPUs, VCPUsUsed: h.vcpusUsed, MemoryMB: HostMemoryMB, MemoryMBUsed: h.memoryUsed,
		LocalGB: HostLocalGB, LocalGBUsed: h.localGBUsed, FreeRAMMB: HostMemoryMB - h.memoryUsed,
		FreeDiskGB: HostLocalGB - h.localGBUsed, DiskAvailableLeast: HostLocalGB - h.localGBUsed,
		CurrentWorkload: h.workload, RunningVMs: h.runningVMs,
	}
	d.CPUInfo = hostCPUInfo
	if v.AtLeast(28) {
		d.CPUInfo = cpuInfoJSON{Arch: "x86_64", Model: "Nehalem", Vendor: "Intel", Features: []string{"pge", "clflush"},
			Topology: map[string]int{"cores": 8, "threads": 2, "sockets": 4}}
	}
	return d
}

// hypervisorList is GET /os-hypervisors's answer.
type hypervisorList struct {
	Hypervisors []hypervisorJSON `json:"hypervisors"`
	Links       []link           `json:"hypervisors_links,omitempty"`
}

func (c *Compute) listHypervisors(call *kit.Call) (kit.Reply, error) {
	return c.hypervisorList(call, false)
}

func (c *Compute) listHypervisorsDetail(call *kit.Call) (kit.Reply, error) {
	return c.hypervisorList(call, true)
}

// hypervisorQuery is a parsed GET /os-hypervisors query: paging from
// 2.33, with_servers and the hostname pattern from 2.53.
type hypervisorQuery struct {
	limit            int
	limitZero, paged bool
	marker, pattern  string
	hasMarker, links bool
	withServers      bool
}

func parseHypervisorQuery(call *kit.Call) (hypervisorQuery, error) {
	v := versionOf(call)
	q := call.Query()
	hq := hypervisorQuery{limit: maxLimit}
	if v.AtLeast(33) {
		hq.links = true
		var allowed []string
		if v.AtLeast(53) {
			allowed = []string{"limit", "marker", "hypervisor_hostname_pattern", "with_servers"}
		}
		n, ok, err := nvQueryInt(call, "limit", allowed)
		if err != nil {
			return hq, err
		}
		if ok {
			hq.paged, hq.limitZero = true, n == 0
			if n > 0 && n < hq.limit {
				hq.limit = n
			}
		}
		if m, ok := q["marker"]; ok {
			hq.marker, hq.hasMarker = m[0], true
		}
	}
	if !v.AtLeast(53) {
		return hq, nil
	}
	if raw, ok := q["with_servers"]; ok {
		var err error
		if hq.withServers, err = nvQueryBool("with_servers", raw[0]); err != nil {
			return hq, err
		}
	}
	if p, ok := q["hypervisor_hostname_pattern"]; ok {
		if hq.paged || hq.hasMarker {
			return hq, kit.BadRequest("Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.")
		}
		hq.pattern, hq.links = p[0], false
	}
	return hq, nil
}

func (c *Compute) hypervisorList(call *kit.Call, detail bool) (kit.Reply, error) {
	rule := "os_compute_api:os-hypervisors:list"
	if detail {
		rule += "-detail"
	}
	if err := nvAdminOnly(call, rule); err != nil {
		return kit.Reply{}, err
	}
	hq, err := parseHypervisorQuery(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	page, err := c.hypervisorPageLocked(call, hq)
	if err != nil {
		return kit.Reply{}, err
	}
	body := hypervisorList{Hypervisors: make([]hypervisorJSON, 0, len(page))}
	for _, h := range page {
		body.Hypervisors = append(body.Hypervisors, c.hypervisorViewLocked(call, h, detail, hq.withServers))
	}
	if hq.links && !hq.limitZero && len(page) > 0 && len(page) == hq.limit {
		coll := "os-hypervisors"
		if detail {
			coll += "/detail"
		}
		body.Links = nextLink(collectionNextLink(call, coll, fmt.Sprint(hypervisorID(call, page[len(page)-1]))))
	}
	return kit.OK(body), nil
}

// hypervisorPageLocked is the hypervisors a query selects: those matching
// the pattern, or one page.
func (c *Compute) hypervisorPageLocked(call *kit.Call, hq hypervisorQuery) ([]*hypervisor, error) {
	all := c.hypervisorsLocked()
	if hq.pattern != "" {
		page := matchingHypervisors(all, hq.pattern)
		if len(page) == 0 {
			return nil, kit.NotFound("No hypervisor matching '%s' could be found.", hq.pattern)
		}
		return page, nil
	}
	start := 0
	if hq.hasMarker {
		var ok bool
		id := func(h *hypervisor) string { return fmt.Sprint(hypervisorID(call, h)) }
		if start, ok = afterMarker(all, id, hq.marker); !ok {
			return nil, kit.BadRequest("marker [%s] not found", hq.marker)
		}
	}
	page := all[start:]
	if len(page) > hq.limit {
		page = page[:hq.limit]
	}
	return page, nil
}

// matchingHypervisors are those whose node name contains pattern.
func matchingHypervisors(all []*hypervisor, pattern string) []*hypervisor {
	var out []*hypervisor
	for _, h := range all {
		if strings.Contains(h.nodename(), pattern) {
			out = append(out, h)
		}
	}
	return out
}

// nvQueryBool is a query parameter of parameter_types.boolean.
func nvQueryBool(name, raw string) (bool, error) {
	if v, ok := novaBooleans[raw]; ok {
		return v, nil
	}
	return false, kit.BadRequest("Invalid input for query parameters %s. Value: %s. '%s' is not one of %s", name, raw, raw, novaBooleanEnum)
}

func (c *Compute) getHypervisor(call *kit.Call) (kit.Reply, error) {
	v := versionOf(call)
	id := call.Var("hypervisor_id")
	withServers := false
	if v.AtLeast(53) {
		if err := nvQueryAllowed(call, []string{"with_servers"}); err != nil {
			return kit.Reply{}, err
		}
		if raw, ok := call.Query()["with_servers"]; ok {
			var err error
			if withServers, err = nvQueryBool("with_servers", raw[0]); err != nil {
				return kit.Reply{}, err
			}
		}
	}
	if err := nvAdminOnly(call, "os_compute_api:os-hypervisors:show"); err != nil {
		return kit.Reply{}, err
	}
	if v.AtLeast(53) {
		if _, err := uuid.Parse(id); err != nil {
			return kit.Reply{}, kit.BadRequest("Invalid uuid %s", id)
		}
	} else if _, err := strconv.Atoi(id); err != nil {
		return kit.Reply{}, kit.NotFound("Hypervisor with ID '%s' could not be found.", id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.hypervisorsLocked() {
		if fmt.Sprint(hypervisorID(call, h)) == strings.ToLower(id) {
			return kit.OK(hypervisorBody{Hypervisor: c.hypervisorViewLocked(call, h, true, withServers)}), nil
		}
	}
	return kit.Reply{}, kit.NotFound("Hypervisor with ID '%s' could not be found.", id)
}

type hypervisorBody struct {
	Hypervisor hypervisorJSON `json:"hypervisor"`
}

// hypervisorStatisticsJSON is the usage of every host together (before 2.88).
type hypervisorStatisticsJSON struct {
	Count int `json:"count"`
	hypervisorUsageJSON
}

type hypervisorStatisticsBody struct {
	Statistics hypervisorStatisticsJSON `json:"hypervisor_statistics"`
}

func (c *Compute) hypervisorStatistics(call *kit.Call) (kit.Reply, error) {
	if versionOf(call).AtLeast(88) {
		return kit.Reply{}, kit.NotFound("The resource could not be found.")
	}
	if err := nvAdminOnly(call, "os_compute_api:os-hypervisors:statistics"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	all := c.hypervisorsLocked()
	var vcpusUsed, memUsed, diskUsed, workload, vms int
	for _, h := range all {
		vcpusUsed += h.vcpusUsed
		memUsed += h.memoryUsed
		diskUsed += h.localGBUsed
		workload += h.workload
		vms += h.runningVMs
	}
	n := len(all)
	return kit.OK(hypervisorStatisticsBody{Statistics: hypervisorStatisticsJSON{
		Count: n, hypervisorUsageJSON: hypervisorUsageJSON{
			VCPUs: n * HostVCPUs, VCPUsUsed: vcpusUsed,
			MemoryMB: n * HostMemoryMB, MemoryMBUsed: memUsed, FreeRAMMB: n*HostMemoryMB - memUsed,
			LocalGB: n * HostLocalGB, LocalGBUsed: diskUsed, FreeDiskGB: n*HostLocalGB - diskUsed,
			DiskAvailableLeast: n*HostLocalGB - diskUsed, CurrentWorkload: workload, RunningVMs: vms,
		}}}), nil
}

func (c *Compute) searchHypervisors(call *kit.Call) (kit.Reply, error) {
	return c.hypervisorSearch(call, "search", false)
}

func (c *Compute) hypervisorServers(call *kit.Call) (kit.Reply, error) {
	return c.hypervisorSearch(call, "servers", true)
}

// hypervisorSearch is GET /os-hypervisors/{pattern}/search and /servers,
// which 2.53 replaced with query parameters.
func (c *Compute) hypervisorSearch(call *kit.Call, rule string, withServers bool) (kit.Reply, error) {
	if versionOf(call).AtLeast(53) {
		return kit.Reply{}, kit.NotFound("The resource could not be found.")
	}
	if err := nvAdminOnly(call, "os_compute_api:os-hypervisors:"+rule); err != nil {
		return kit.Reply{}, err
	}
	pattern := call.Var("pattern")
	c.mu.Lock()
	defer c.mu.Unlock()
	found := matchingHypervisors(c.hypervisorsLocked(), pattern)
	if len(found) == 0 {
		return kit.Reply{}, kit.NotFound("No hypervisor matching '%s' could be found.", pattern)
	}
	body := hypervisorList{Hypervisors: make([]hypervisorJSON, 0, len(found))}
	for _, h := range found {
		body.Hypervisors = append(body.Hypervisors, c.hypervisorViewLocked(call, h, false, withServers))
	}
	return kit.OK(body), nil
}
