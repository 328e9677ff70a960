package compute_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/compute"
)

// xnode is what a host's hypervisor should show.
type xnode struct {
	i                        int // index in the host list
	vcpus, mem, disk, vms, w int // used, and workload
}

func (n xnode) host() string     { return fmt.Sprintf("compute-%d", n.i) }
func (n xnode) nodename() string { return n.host() + ".mockcloud.test" }
func (n xnode) uuid() string {
	return uuid.NewSHA1(uuid.NameSpaceDNS, []byte(n.nodename())).String()
}

func (n xnode) brief(version string) map[string]any {
	var id any = n.i + 1
	if version >= "2.53" {
		id = n.uuid()
	}
	return map[string]any{"id": id, "hypervisor_hostname": n.nodename(), "state": "up", "status": "enabled"}
}

// detail is the detailed view at a microversion (compared as strings:
// all the tested versions have two digits after the dot).
func (n xnode) detail(version string) map[string]any {
	out := n.brief(version)
	var service any = n.i + 1
	if version >= "2.53" {
		service = uuid.NewSHA1(uuid.NameSpaceDNS, []byte("nova-compute."+n.host())).String()
	}
	out["hypervisor_type"] = "fake"
	out["hypervisor_version"] = 1000
	out["host_ip"] = fmt.Sprintf("192.168.100.%d", 10+n.i)
	out["service"] = map[string]any{"id": service, "host": n.host(), "disabled_reason": nil}
	if version >= "2.88" {
		out["uptime"] = nil
		return out
	}
	mem := compute.ReservedHostMemoryMB + n.mem
	out["vcpus"], out["vcpus_used"] = 64, n.vcpus
	out["memory_mb"], out["memory_mb_used"], out["free_ram_mb"] = 262144, mem, 262144-mem
	out["local_gb"], out["local_gb_used"], out["free_disk_gb"], out["disk_available_least"] = 2048, n.disk, 2048-n.disk, 2048-n.disk
	out["running_vms"], out["current_workload"] = n.vms, n.w
	if version >= "2.28" {
		out["cpu_info"] = map[string]any{"arch": "x86_64", "model": "Nehalem", "vendor": "Intel", "features": []any{"pge", "clflush"},
			"topology": map[string]any{"cores": 8, "threads": 2, "sockets": 4}}
	} else {
		out["cpu_info"] = `{"arch": "x86_64", "model": "Nehalem", "vendor": "Intel", "features": ["pge", "clflush"], "topology": {"cores": 8, "threads": 2, "sockets": 4}}`
	}
	return out
}

func TestHypervisorsCountServers(t *testing.T) {
	d := compute.DefaultDurations()
	a := newXAPI(t, compute.WithDurations(d))
	tiny := a.serverOf("a", "1")   // compute-0: 1 vCPU, 512 MB, 1 GB
	medium := a.serverOf("b", "3") // compute-1: 2 vCPUs, 4096 MB, 40 GB
	a.serverOf("c", "2")           // compute-2: 1 vCPU, 2048 MB, 20 GB

	building := []xnode{{0, 1, 512, 1, 1, 1}, {1, 2, 4096, 40, 1, 1}, {2, 1, 2048, 20, 1, 1}}
	built := []xnode{{0, 1, 512, 1, 1, 0}, {1, 2, 4096, 40, 1, 0}, {2, 1, 2048, 20, 1, 0}}
	list := func(version string, nodes []xnode, detail bool) string {
		var out []any
		for _, n := range nodes {
			if detail {
				out = append(out, n.detail(version))
			} else {
				out = append(out, n.brief(version))
			}
		}
		return xjson(map[string]any{"hypervisors": out})
	}

	a.get("/os-hypervisors").want(t, 200, list("2.1", building, false))
	a.get("/os-hypervisors/detail").want(t, 200, list("2.1", building, true))
	a.advance(d.Build)
	for _, v := range []string{"2.1", "2.28", "2.53", "2.88"} {
		a.at(v).get("/os-hypervisors/detail").want(t, 200, list(v, built, true))
		a.at(v).get("/os-hypervisors/"+fmt.Sprint(built[1].brief(v)["id"])).want(t, 200, xjson(map[string]any{"hypervisor": built[1].detail(v)}))
	}
	a.at("2.87").get("/os-hypervisors/statistics").want(t, 200, `{"hypervisor_statistics":{"count":3,"vcpus":192,"vcpus_used":4,`+
		`"memory_mb":786432,"memory_mb_used":8192,"free_ram_mb":778240,"local_gb":6144,"local_gb_used":61,"free_disk_gb":6083,`+
		`"disk_available_least":6083,"current_workload":0,"running_vms":3}}`)
	a.at("2.88").get("/os-hypervisors/statistics").fault(t, 404, "The resource could not be found.")

	// A resize counts the new flavor once it is done; a deleted server is
	// no longer counted.
	a.action(tiny, `{"resize":{"flavorRef":"2"}}`)
	a.do("DELETE", "/servers/"+medium, "").status1(t, 204)
	a.advance(d.Resize)
	now := []xnode{{0, 1, 2048, 20, 1, 0}, {1, 0, 0, 0, 0, 0}, {2, 1, 2048, 20, 1, 0}}
	a.get("/os-hypervisors/detail").want(t, 200, list("2.1", now, true))

	// with_servers (2.53) lists each host's servers; from 2.75 an empty
	// list is shown too.
	got := a.at("2.53").get("/os-hypervisors?with_servers=true").obj(t)["hypervisors"].([]any)
	if _, ok := got[1].(map[string]any)["servers"]; ok || fmt.Sprint(got[0].(map[string]any)["servers"]) != "[map[name:a uuid:"+tiny+"]]" {
		t.Errorf("2.53 with_servers: %v", got)
	}
	got = a.at("2.75").get("/os-hypervisors?with_servers=1").obj(t)["hypervisors"].([]any)
	if fmt.Sprint(got[1].(map[string]any)["servers"]) != "[]" {
		t.Errorf("2.75 with_servers: %v", got)
	}
}

func TestHypervisorPagingAndSearch(t *testing.T) {
	a := newXAPI(t, compute.WithDurations(compute.Instant()))
	nodes := []xnode{{i: 0}, {i: 1}, {i: 2}}
	page := func(version string, links string, ns ...xnode) string {
		var out []any
		for _, n := range ns {
			out = append(out, n.brief(version))
		}
		body := `{"hypervisors":` + xjson(out)
		if links != "" {
			body += `,"hypervisors_links":[{"rel":"next","href":"` + a.url + `/v2.1/p/os-hypervisors?` + links + `"}]`
		}
		return body + "}"
	}
	// Paging from 2.33: integer markers, then UUIDs from 2.53.
	a.at("2.33").get("/os-hypervisors?limit=1").want(t, 200, page("2.33", "limit=1&marker=1", nodes[0]))
	a.at("2.33").get("/os-hypervisors?limit=1&marker=2").want(t, 200, page("2.33", "limit=1&marker=3", nodes[2]))
	a.at("2.33").get("/os-hypervisors?marker=1").want(t, 200, page("2.33", "", nodes[1], nodes[2]))
	a.at("2.53").get("/os-hypervisors?limit=2").want(t, 200, page("2.53", "limit=2&marker="+nodes[1].uuid(), nodes[0], nodes[1]))
	a.at("2.32").get("/os-hypervisors?limit=1").want(t, 200, page("2.32", "", nodes...))
	// Searching by hostname.
	a.at("2.53").get("/os-hypervisors?hypervisor_hostname_pattern=compute-1").want(t, 200, page("2.53", "", nodes[1]))
	a.get("/os-hypervisors/compute-2/search").want(t, 200, page("2.1", "", nodes[2]))
	a.get("/os-hypervisors/compute/servers").want(t, 200, page("2.1", "", nodes...))

	bad := []struct {
		version, path string
		status        int
		message       string
	}{
		{"2.33", "/os-hypervisors?marker=9", 400, "marker [9] not found"},
		{"2.53", "/os-hypervisors?limit=1&hypervisor_hostname_pattern=c", 400, "Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported."},
		{"2.53", "/os-hypervisors?hypervisor_hostname_pattern=db", 404, "No hypervisor matching 'db' could be found."},
		{"2.53", "/os-hypervisors?with_servers=maybe", 400,
			"Invalid input for query parameters with_servers. Value: maybe. 'maybe' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']"},
		{"2.53", "/os-hypervisors/detail?sort=x", 400, "Additional properties are not allowed ('sort' was unexpected)"},
		{"2.1", "/os-hypervisors/db/search", 404, "No hypervisor matching 'db' could be found."},
		{"2.53", "/os-hypervisors/compute/search", 404, "The resource could not be found."},
		{"2.1", "/os-hypervisors/x", 404, "Hypervisor with ID 'x' could not be found."},
		{"2.1", "/os-hypervisors/7", 404, "Hypervisor with ID '7' could not be found."},
		{"2.53", "/os-hypervisors/1", 400, "Invalid uuid 1"},
		{"2.53", "/os-hypervisors/" + vol1, 404, "Hypervisor with ID '" + vol1 + "' could not be found."},
	}
	for _, tt := range bad {
		a.at(tt.version).get(tt.path).fault(t, tt.status, tt.message)
	}
}

func TestHypervisorsAdminOnly(t *testing.T) {
	a := newXAPIWithTokens(t)
	for _, p := range []struct{ path, rule string }{
		{"/os-hypervisors", "list"}, {"/os-hypervisors/detail", "list-detail"}, {"/os-hypervisors/1", "show"},
		{"/os-hypervisors/statistics", "statistics"}, {"/os-hypervisors/compute/search", "search"}, {"/os-hypervisors/compute/servers", "servers"},
	} {
		a.get(p.path).fault(t, 403, "Policy doesn't allow os_compute_api:os-hypervisors:"+p.rule+" to be performed.")
		a.with("tok-admin").get(p.path).status1(t, 200)
	}
}
