package compute

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/fake"
)

// Route name of GET /servers/{id}/diagnostics.
const OpGetServerDiagnostics = "compute.servers.diagnostics"

func (c *Compute) diagnosticsRoutes() []apiRoute {
	return []apiRoute{{OpGetServerDiagnostics, []string{"GET"}, "/servers/{server_id}/diagnostics", c.getDiagnostics}}
}

// powerStateNames are Nova's power_state.STATE_MAP.
var powerStateNames = map[int]string{
	PowerNoState: "pending", PowerRunning: "running", PowerPaused: "paused",
	PowerShutdown: "shutdown", PowerCrashed: "crashed", PowerSuspended: "suspended",
}

// What the fake hypervisor says it is in the 2.48 form.
const (
	diagnosticsDriver       = "fake"
	diagnosticsHypervisor   = "fake"
	diagnosticsHypervisorOS = "fakeos"
)

// diskCounters are a disk's I/O counters, which grow with the CPU time the
// server has used: a busy guest reads and writes.
type diskCounters struct {
	readBytes, readRequests, writeBytes, writeRequests int64
}

func diskIO(root bool, cpuSeconds int64) diskCounters {
	d := diskCounters{readBytes: cpuSeconds * 4096, readRequests: cpuSeconds, writeBytes: cpuSeconds * 2048, writeRequests: cpuSeconds / 2}
	if root {
		// What booting the image read and wrote.
		d.readBytes += 262144
		d.readRequests += 112
		d.writeBytes += 5778432
		d.writeRequests += 488
	}
	return d
}

// nicCounters are an interface's traffic counters, growing with uptime.
type nicCounters struct {
	rxOctets, rxPackets, txOctets, txPackets int64
}

func nicIO(uptime int64) nicCounters {
	return nicCounters{rxOctets: 2070139 + uptime*1500, rxPackets: 26701 + uptime*10, txOctets: 140208 + uptime*500, txPackets: 662 + uptime*4}
}

// diskDevices are the server's disks as the guest sees them: the root disk
// vda, then each attached volume.
func diskDevices(s *server) []string {
	devs := []string{"vda"}
	for _, va := range s.Volumes {
		if va.Device != "" {
			devs = append(devs, strings.TrimPrefix(va.Device, "/dev/"))
		}
	}
	return devs
}

func (c *Compute) getDiagnostics(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var body map[string]any
	if err == nil {
		err = nvAdminOnly(r, "os_compute_api:os-server-diagnostics")
	}
	if err == nil {
		body, err = c.diagnosticsLocked(r, s, c.now())
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

// diagnosticsLocked is what the hypervisor reports of a running server:
// the libvirt-style flat map before 2.48, the standard form from 2.48.
func (c *Compute) diagnosticsLocked(r *http.Request, s *server, now time.Time) (map[string]any, *fake.Error) {
	if s.Host == "" {
		return nil, conflict("Instance %s is not ready", s.ID)
	}
	if s.PowerState != PowerRunning {
		return nil, conflict("Cannot 'get_diagnostics' instance %s while it is in power state %s", s.ID, powerStateNames[s.PowerState])
	}
	cpu := s.cpuTime(now)
	cpuSeconds := int64(cpu / time.Second)
	var uptime int64
	if !s.LaunchedAt.IsZero() && now.After(s.LaunchedAt) {
		uptime = int64(now.Sub(s.LaunchedAt) / time.Second)
	}
	vcpus := s.VCPUs
	if vcpus < 1 {
		vcpus = 1
	}
	// CPU time is spread over the vCPUs; the first takes the remainder.
	perCPU := make([]int64, vcpus)
	for i := range perCPU {
		perCPU[i] = int64(cpu) / int64(vcpus)
	}
	perCPU[0] += int64(cpu) % int64(vcpus)
	memKiB := int64(s.MemoryMB) * 1024
	disks := diskDevices(s)
	nic := nicIO(uptime)

	if !versionOf(r).AtLeast(48) {
		out := map[string]any{"memory": memKiB, "memory-actual": memKiB, "memory-rss": memKiB * 3 / 4}
		for i, t := range perCPU {
			out["cpu"+strconv.Itoa(i)+"_time"] = t
		}
		for i, dev := range disks {
			d := diskIO(i == 0, cpuSeconds)
			out[dev+"_read"] = d.readBytes
			out[dev+"_read_req"] = d.readRequests
			out[dev+"_write"] = d.writeBytes
			out[dev+"_write_req"] = d.writeRequests
			out[dev+"_errors"] = -1
		}
		for _, itf := range s.Interfaces {
			tap := "tap" + itf.PortID
			if len(tap) > 14 {
				tap = tap[:14]
			}
			out[tap+"_rx"] = nic.rxOctets
			out[tap+"_rx_packets"] = nic.rxPackets
			out[tap+"_rx_errors"] = 0
			out[tap+"_rx_drop"] = 0
			out[tap+"_tx"] = nic.txOctets
			out[tap+"_tx_packets"] = nic.txPackets
			out[tap+"_tx_errors"] = 0
			out[tap+"_tx_drop"] = 0
		}
		return out, nil
	}

	cpus := make([]map[string]any, 0, vcpus)
	for i, t := range perCPU {
		var util any
		if uptime > 0 {
			u := t * 100 / (uptime * int64(time.Second))
			if u > 100 {
				u = 100
			}
			util = u
		}
		cpus = append(cpus, map[string]any{"id": i, "time": t, "utilisation": util})
	}
	diskDetails := make([]map[string]any, 0, len(disks))
	for i := range disks {
		d := diskIO(i == 0, cpuSeconds)
		diskDetails = append(diskDetails, map[string]any{
			"read_bytes": d.readBytes, "read_requests": d.readRequests,
			"write_bytes": d.writeBytes, "write_requests": d.writeRequests, "errors_count": 0,
		})
	}
	nics := make([]map[string]any, 0, len(s.Interfaces))
	for _, itf := range s.Interfaces {
		nics = append(nics, map[string]any{
			"mac_address": itf.MAC,
			"rx_octets":   nic.rxOctets, "rx_packets": nic.rxPackets, "rx_errors": 0, "rx_drop": 0, "rx_rate": nil,
			"tx_octets": nic.txOctets, "tx_packets": nic.txPackets, "tx_errors": 0, "tx_drop": 0, "tx_rate": nil,
		})
	}
	return map[string]any{
		"state": powerStateNames[s.PowerState], "driver": diagnosticsDriver,
		"hypervisor": diagnosticsHypervisor, "hypervisor_os": diagnosticsHypervisorOS,
		"uptime": uptime, "config_drive": s.ConfigDrive,
		"num_cpus": vcpus, "num_disks": len(disks), "num_nics": len(s.Interfaces),
		"memory_details": map[string]any{"maximum": s.MemoryMB, "used": s.MemoryMB},
		"cpu_details":    cpus, "disk_details": diskDetails, "nic_details": nics,
	}, nil
}
