package compute

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
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

func (c *Compute) hypervisorRoutes() []apiRoute {
	return []apiRoute{
		{OpListHypervisors, []string{"GET"}, "/os-hypervisors", c.listHypervisors},
		{OpListHypervisorsDetail, []string{"GET"}, "/os-hypervisors/detail", c.listHypervisorsDetail},
		{OpHypervisorStatistics, []string{"GET"}, "/os-hypervisors/statistics", c.hypervisorStatistics},
		{OpGetHypervisor, []string{"GET"}, "/os-hypervisors/{hypervisor_id}", c.getHypervisor},
		{OpSearchHypervisors, []string{"GET"}, "/os-hypervisors/{pattern}/search", c.searchHypervisors},
		{OpHypervisorServers, []string{"GET"}, "/os-hypervisors/{pattern}/servers", c.hypervisorServers},
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

func (h *hypervisor) nodename() string { return h.host + ".mockcloud.test" }

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
	now := c.now()
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
func hypervisorID(r *http.Request, h *hypervisor) any {
	if versionOf(r).AtLeast(53) {
		return h.nodeUUID()
	}
	return h.index + 1
}

func hypervisorJSON(r *http.Request, h *hypervisor, detail, withServers bool) map[string]any {
	v := versionOf(r)
	out := map[string]any{
		"id": hypervisorID(r, h), "hypervisor_hostname": h.nodename(), "state": "up", "status": "enabled",
	}
	if detail {
		var serviceID any = h.index + 1
		if v.AtLeast(53) {
			serviceID = h.serviceUUID()
		}
		out["hypervisor_type"] = "fake"
		out["hypervisor_version"] = 1000
		out["host_ip"] = fmt.Sprintf("192.168.100.%d", 10+h.index%240)
		out["service"] = map[string]any{"id": serviceID, "host": h.host, "disabled_reason": nil}
		if !v.AtLeast(88) {
			out["vcpus"], out["vcpus_used"] = HostVCPUs, h.vcpusUsed
			out["memory_mb"], out["memory_mb_used"] = HostMemoryMB, h.memoryUsed
			out["local_gb"], out["local_gb_used"] = HostLocalGB, h.localGBUsed
			out["free_ram_mb"] = HostMemoryMB - h.memoryUsed
			out["free_disk_gb"] = HostLocalGB - h.localGBUsed
			out["disk_available_least"] = HostLocalGB - h.localGBUsed
			out["current_workload"] = h.workload
			out["running_vms"] = h.runningVMs
			if v.AtLeast(28) {
				out["cpu_info"] = map[string]any{
					"arch": "x86_64", "model": "Nehalem", "vendor": "Intel", "features": []string{"pge", "clflush"},
					"topology": map[string]int{"cores": 8, "threads": 2, "sockets": 4},
				}
			} else {
				out["cpu_info"] = hostCPUInfo
			}
		} else {
			// The fake driver reports no host uptime.
			out["uptime"] = nil
		}
	}
	if len(h.servers) > 0 && withServers {
		list := make([]map[string]string, 0, len(h.servers))
		for _, s := range h.servers {
			list = append(list, map[string]string{"name": s.Name, "uuid": s.ID})
		}
		out["servers"] = list
	} else if withServers && v.AtLeast(75) {
		out["servers"] = []map[string]string{}
	}
	return out
}

func (c *Compute) listHypervisors(w http.ResponseWriter, r *http.Request) {
	c.hypervisorList(w, r, false)
}

func (c *Compute) listHypervisorsDetail(w http.ResponseWriter, r *http.Request) {
	c.hypervisorList(w, r, true)
}

func (c *Compute) hypervisorList(w http.ResponseWriter, r *http.Request, detail bool) {
	v := versionOf(r)
	rule := "os_compute_api:os-hypervisors:list"
	if detail {
		rule += "-detail"
	}
	if err := nvAdminOnly(r, rule); err != nil {
		writeErr(w, r, err)
		return
	}
	q := r.URL.Query()
	var (
		limit                   = maxLimit
		limitZero               bool
		marker, pattern         string
		hasMarker, paged, links bool
		withServers             bool
		err                     *fake.Error
	)
	if v.AtLeast(33) {
		links = true
		var allowed []string
		if v.AtLeast(53) {
			allowed = []string{"limit", "marker", "hypervisor_hostname_pattern", "with_servers"}
		}
		var n int
		var ok bool
		if n, ok, err = nvQueryInt(r, "limit", allowed); err != nil {
			writeErr(w, r, err)
			return
		}
		if ok {
			paged = true
			limitZero = n == 0
			if n > 0 && n < limit {
				limit = n
			}
		}
		if m, ok := q["marker"]; ok {
			marker, hasMarker = m[0], true
		}
	}
	if v.AtLeast(53) {
		if raw, ok := q["with_servers"]; ok {
			if withServers, err = nvQueryBool("with_servers", raw[0]); err != nil {
				writeErr(w, r, err)
				return
			}
		}
		if p, ok := q["hypervisor_hostname_pattern"]; ok {
			pattern = p[0]
			if paged || hasMarker {
				writeErr(w, r, badRequest("Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported."))
				return
			}
			links = false
		}
	}
	c.mu.Lock()
	all := c.hypervisorsLocked()
	var page []map[string]any
	if pattern != "" {
		for _, h := range all {
			if strings.Contains(h.nodename(), pattern) {
				page = append(page, hypervisorJSON(r, h, detail, withServers))
			}
		}
		if len(page) == 0 {
			err = notFound("No hypervisor matching '%s' could be found.", pattern)
		}
	} else {
		start := 0
		if hasMarker {
			start = -1
			for i, h := range all {
				if fmt.Sprint(hypervisorID(r, h)) == marker {
					start = i + 1
				}
			}
			if start < 0 {
				err = badRequest("marker [%s] not found", marker)
			}
		}
		if err == nil {
			for _, h := range all[start:] {
				if len(page) == limit {
					break
				}
				page = append(page, hypervisorJSON(r, h, detail, withServers))
			}
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if page == nil {
		page = []map[string]any{}
	}
	body := map[string]any{"hypervisors": page}
	if links && !limitZero && len(page) > 0 && len(page) == limit {
		coll := "os-hypervisors"
		if detail {
			coll += "/detail"
		}
		body["hypervisors_links"] = []map[string]string{{"rel": "next",
			"href": collectionNextLink(r, coll, fmt.Sprint(page[len(page)-1]["id"]))}}
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

// nvQueryBool is a query parameter of parameter_types.boolean.
func nvQueryBool(name, raw string) (bool, *fake.Error) {
	if v, ok := novaBooleans[raw]; ok {
		return v, nil
	}
	return false, badRequest("Invalid input for query parameters %s. Value: %s. '%s' is not one of %s", name, raw, raw, novaBooleanEnum)
}

func (c *Compute) getHypervisor(w http.ResponseWriter, r *http.Request) {
	v := versionOf(r)
	id := mux.Vars(r)["hypervisor_id"]
	withServers := false
	if v.AtLeast(53) {
		if err := nvQueryAllowed(r, []string{"with_servers"}); err != nil {
			writeErr(w, r, err)
			return
		}
		if raw, ok := r.URL.Query()["with_servers"]; ok {
			var err *fake.Error
			if withServers, err = nvQueryBool("with_servers", raw[0]); err != nil {
				writeErr(w, r, err)
				return
			}
		}
	}
	if err := nvAdminOnly(r, "os_compute_api:os-hypervisors:show"); err != nil {
		writeErr(w, r, err)
		return
	}
	if v.AtLeast(53) {
		if _, err := uuid.Parse(id); err != nil {
			writeErr(w, r, badRequest("Invalid uuid %s", id))
			return
		}
	} else if _, err := strconv.Atoi(id); err != nil {
		writeErr(w, r, notFound("Hypervisor with ID '%s' could not be found.", id))
		return
	}
	c.mu.Lock()
	var body map[string]any
	for _, h := range c.hypervisorsLocked() {
		if fmt.Sprint(hypervisorID(r, h)) == strings.ToLower(id) {
			body = map[string]any{"hypervisor": hypervisorJSON(r, h, true, withServers)}
		}
	}
	c.mu.Unlock()
	if body == nil {
		writeErr(w, r, notFound("Hypervisor with ID '%s' could not be found.", id))
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

func (c *Compute) hypervisorStatistics(w http.ResponseWriter, r *http.Request) {
	if versionOf(r).AtLeast(88) {
		writeErr(w, r, notFound("The resource could not be found."))
		return
	}
	if err := nvAdminOnly(r, "os_compute_api:os-hypervisors:statistics"); err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	all := c.hypervisorsLocked()
	c.mu.Unlock()
	var vcpusUsed, memUsed, diskUsed, workload, vms int
	for _, h := range all {
		vcpusUsed += h.vcpusUsed
		memUsed += h.memoryUsed
		diskUsed += h.localGBUsed
		workload += h.workload
		vms += h.runningVMs
	}
	n := len(all)
	fake.WriteJSON(w, http.StatusOK, map[string]any{"hypervisor_statistics": map[string]int{
		"count": n, "vcpus": n * HostVCPUs, "vcpus_used": vcpusUsed,
		"memory_mb": n * HostMemoryMB, "memory_mb_used": memUsed, "free_ram_mb": n*HostMemoryMB - memUsed,
		"local_gb": n * HostLocalGB, "local_gb_used": diskUsed, "free_disk_gb": n*HostLocalGB - diskUsed,
		"disk_available_least": n*HostLocalGB - diskUsed, "current_workload": workload, "running_vms": vms,
	}})
}

func (c *Compute) searchHypervisors(w http.ResponseWriter, r *http.Request) {
	c.hypervisorSearch(w, r, "search", false)
}

func (c *Compute) hypervisorServers(w http.ResponseWriter, r *http.Request) {
	c.hypervisorSearch(w, r, "servers", true)
}

// hypervisorSearch is GET /os-hypervisors/{pattern}/search and /servers,
// which 2.53 replaced with query parameters.
func (c *Compute) hypervisorSearch(w http.ResponseWriter, r *http.Request, rule string, withServers bool) {
	if versionOf(r).AtLeast(53) {
		writeErr(w, r, notFound("The resource could not be found."))
		return
	}
	if err := nvAdminOnly(r, "os_compute_api:os-hypervisors:"+rule); err != nil {
		writeErr(w, r, err)
		return
	}
	pattern := mux.Vars(r)["pattern"]
	c.mu.Lock()
	var list []map[string]any
	for _, h := range c.hypervisorsLocked() {
		if strings.Contains(h.nodename(), pattern) {
			list = append(list, hypervisorJSON(r, h, false, withServers))
		}
	}
	c.mu.Unlock()
	if len(list) == 0 {
		writeErr(w, r, notFound("No hypervisor matching '%s' could be found.", pattern))
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"hypervisors": list})
}
