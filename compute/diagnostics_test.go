package compute_test

import (
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/compute"
)

func TestDiagnosticsLegacyAndStandard(t *testing.T) {
	d := compute.DefaultDurations()
	a := newXAPI(t, compute.WithDurations(d))
	id := a.serverOf("web", "3") // m1.medium: 4096 MB, 2 vCPUs, 40 GB
	a.advance(d.Build)
	a.do("POST", "/servers/"+id+"/os-volume_attachments", attachBody(vol1, "")).status1(t, 200)
	a.advance(100 * time.Second)
	s, _ := a.c.Server(id)
	tap := func(i int) string { return "tap" + s.Interfaces[i].PortID[:11] }

	// 100 s of running: 100e9 ns of CPU, half on each vCPU.
	legacy := map[string]any{
		"cpu0_time": 50000000000, "cpu1_time": 50000000000,
		"memory": 4194304, "memory-actual": 4194304, "memory-rss": 3145728,
		"vda_read": 262144 + 100*4096, "vda_read_req": 112 + 100, "vda_write": 5778432 + 100*2048, "vda_write_req": 488 + 50, "vda_errors": -1,
		"vdb_read": 100 * 4096, "vdb_read_req": 100, "vdb_write": 100 * 2048, "vdb_write_req": 50, "vdb_errors": -1,
	}
	for i := range s.Interfaces {
		for k, v := range map[string]int{"rx": 2070139 + 100*1500, "rx_packets": 26701 + 1000, "rx_errors": 0, "rx_drop": 0,
			"tx": 140208 + 100*500, "tx_packets": 662 + 400, "tx_errors": 0, "tx_drop": 0} {
			legacy[tap(i)+"_"+k] = v
		}
	}
	a.get("/servers/"+id+"/diagnostics").want(t, 200, xjson(legacy))

	nic := func(mac string) map[string]any {
		return map[string]any{"mac_address": mac, "rx_octets": 2070139 + 100*1500, "rx_packets": 26701 + 1000, "rx_errors": 0, "rx_drop": 0, "rx_rate": nil,
			"tx_octets": 140208 + 100*500, "tx_packets": 662 + 400, "tx_errors": 0, "tx_drop": 0, "tx_rate": nil}
	}
	standard := map[string]any{
		"state": "running", "driver": "fake", "hypervisor": "fake", "hypervisor_os": "fakeos",
		"uptime": 100, "config_drive": false, "num_cpus": 2, "num_disks": 2, "num_nics": 2,
		"memory_details": map[string]any{"maximum": 4096, "used": 4096},
		"cpu_details": []any{
			map[string]any{"id": 0, "time": 50000000000, "utilisation": 50},
			map[string]any{"id": 1, "time": 50000000000, "utilisation": 50},
		},
		"disk_details": []any{
			map[string]any{"read_bytes": 262144 + 100*4096, "read_requests": 212, "write_bytes": 5778432 + 100*2048, "write_requests": 538, "errors_count": 0},
			map[string]any{"read_bytes": 100 * 4096, "read_requests": 100, "write_bytes": 100 * 2048, "write_requests": 50, "errors_count": 0},
		},
		"nic_details": []any{nic(s.Interfaces[0].MAC), nic(s.Interfaces[1].MAC)},
	}
	a.at("2.48").get("/servers/"+id+"/diagnostics").want(t, 200, xjson(standard))
}

func TestDiagnosticsFollowTheClock(t *testing.T) {
	d := compute.DefaultDurations()
	a := newXAPI(t, compute.WithDurations(d))
	id := a.server("web") // m1.tiny: one vCPU
	path := "/servers/" + id + "/diagnostics"
	// cpu is the CPU time and uptime the fake hypervisor reports.
	cpu := func() [2]float64 {
		t.Helper()
		r := a.at("2.48").get(path)
		r.status1(t, 200)
		got := r.obj(t)
		return [2]float64{got["cpu_details"].([]any)[0].(map[string]any)["time"].(float64), got["uptime"].(float64)}
	}

	a.at("2.48").get(path).fault(t, 409, "Cannot 'get_diagnostics' instance "+id+" while it is in power state pending")
	a.advance(d.Build + 10*time.Second)
	if got, want := cpu(), [2]float64{1e10, 10}; got != want {
		t.Errorf("after 10 s running: cpu time, uptime = %v, want %v", got, want)
	}
	// Stopped, it neither runs nor answers; started again, CPU time
	// resumes where it stopped while uptime counts from the launch.
	a.action(id, `{"os-stop":null}`)
	a.advance(d.Stop)
	a.get(path).fault(t, 409, "Cannot 'get_diagnostics' instance "+id+" while it is in power state shutdown")
	a.advance(time.Hour)
	a.action(id, `{"os-start":null}`)
	a.advance(d.Start + 20*time.Second)
	want := [2]float64{
		float64((10*time.Second + d.Stop + 20*time.Second).Nanoseconds()),
		(10*time.Second + d.Stop + time.Hour + d.Start + 20*time.Second).Seconds(),
	}
	if got := cpu(); got != want {
		t.Errorf("after a stop and start: cpu time, uptime = %v, want %v", got, want)
	}
	// Paused: Nova answers only for a running server.
	a.action(id, `{"pause":null}`)
	a.advance(d.Pause)
	a.get(path).fault(t, 409, "Cannot 'get_diagnostics' instance "+id+" while it is in power state paused")
	a.get("/servers/nope/diagnostics").fault(t, 404, "Instance nope could not be found.")
}

func TestDiagnosticsAdminOnly(t *testing.T) {
	a := newXAPIWithTokens(t, compute.WithDurations(compute.Instant()))
	id := a.server("web")
	a.get("/servers/"+id+"/diagnostics").fault(t, 403, "Policy doesn't allow os_compute_api:os-server-diagnostics to be performed.")
	a.with("tok-admin").get("/servers/"+id+"/diagnostics").status1(t, 200)
	// The server check comes first.
	a.get("/servers/nope/diagnostics").fault(t, 404, "Instance nope could not be found.")
}
