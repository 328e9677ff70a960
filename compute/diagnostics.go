package compute

import (
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route name of GET /servers/{id}/diagnostics.
const OpGetServerDiagnostics = "compute.servers.diagnostics"

func (c *Compute) diagnosticsRoutes() []kit.Route {
	return []kit.Route{route(OpGetServerDiagnostics, "GET", "/servers/{server_id}/diagnostics", c.getDiagnostics)}
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

func (c *Compute) getDiagnostics(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := nvAdminOnly(call, "os_compute_api:os-server-diagnostics"); err != nil {
		return kit.Reply{}, err
	}
	body, err := c.diagnosticsLocked(call, s, c.Now())
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(body), nil
}

// hostSample is what the hypervisor measures of a running server at one
// instant.
type hostSample struct {
	cpuSeconds, uptime, memKiB int64
	perCPU                     []int64 // CPU time per vCPU; the first takes the remainder
	disks                      []string
	nic                        nicCounters
}

// diagnosticsLocked is what the hypervisor reports of a running server:
// the libvirt-style flat map before 2.48, the standard form from 2.48.
func (c *Compute) diagnosticsLocked(call *kit.Call, s *server, now time.Time) (any, error) {
	if s.Host == "" {
		return nil, kit.Conflict("Instance %s is not ready", s.ID)
	}
	if s.PowerState != PowerRunning {
		return nil, kit.Conflict("Cannot 'get_diagnostics' instance %s while it is in power state %s", s.ID, powerStateNames[s.PowerState])
	}
	smp := sampleLocked(s, now)
	if !versionOf(call).AtLeast(48) {
		return libvirtDiagnostics(s, smp), nil
	}
	return standardDiagnostics(s, smp), nil
}

func sampleLocked(s *server, now time.Time) hostSample {
	cpu := s.cpuTime(now)
	smp := hostSample{cpuSeconds: int64(cpu / time.Second), memKiB: int64(s.MemoryMB) * 1024, disks: diskDevices(s)}
	if !s.LaunchedAt.IsZero() && now.After(s.LaunchedAt) {
		smp.uptime = int64(now.Sub(s.LaunchedAt) / time.Second)
	}
	vcpus := max(s.VCPUs, 1)
	smp.perCPU = make([]int64, vcpus)
	for i := range smp.perCPU {
		smp.perCPU[i] = int64(cpu) / int64(vcpus)
	}
	smp.perCPU[0] += int64(cpu) % int64(vcpus)
	smp.nic = nicIO(smp.uptime)
	return smp
}

// libvirtDiagnostics is the flat form before 2.48: counters named by
// device ({"cpu0_time", "vda_read", "tap…_rx", …}).
func libvirtDiagnostics(s *server, smp hostSample) map[string]int64 {
	out := map[string]int64{"memory": smp.memKiB, "memory-actual": smp.memKiB, "memory-rss": smp.memKiB * 3 / 4}
	for i, t := range smp.perCPU {
		out["cpu"+strconv.Itoa(i)+"_time"] = t
	}
	for i, dev := range smp.disks {
		d := diskIO(i == 0, smp.cpuSeconds)
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
		out[tap+"_rx"] = smp.nic.rxOctets
		out[tap+"_rx_packets"] = smp.nic.rxPackets
		out[tap+"_rx_errors"] = 0
		out[tap+"_rx_drop"] = 0
		out[tap+"_tx"] = smp.nic.txOctets
		out[tap+"_tx_packets"] = smp.nic.txPackets
		out[tap+"_tx_errors"] = 0
		out[tap+"_tx_drop"] = 0
	}
	return out
}

// diagnosticsJSON is the standard form, from 2.48.
type diagnosticsJSON struct {
	State         string            `json:"state"`
	Driver        string            `json:"driver"`
	Hypervisor    string            `json:"hypervisor"`
	HypervisorOS  string            `json:"hypervisor_os"`
	Uptime        int64             `json:"uptime"`
	ConfigDrive   bool              `json:"config_drive"`
	NumCPUs       int               `json:"num_cpus"`
	NumDisks      int               `json:"num_disks"`
	NumNICs       int               `json:"num_nics"`
	MemoryDetails memoryDetailsJSON `json:"memory_details"`
	CPUDetails    []cpuDetailJSON   `json:"cpu_details"`
	DiskDetails   []diskDetailJSON  `json:"disk_details"`
	NICDetails    []nicDetailJSON   `json:"nic_details"`
}

type memoryDetailsJSON struct {
	Maximum int `json:"maximum"`
	Used    int `json:"used"`
}

type cpuDetailJSON struct {
	ID          int    `json:"id"`
	Time        int64  `json:"time"`
	Utilisation *int64 `json:"utilisation"` // null before any uptime
}

type diskDetailJSON struct {
	ReadBytes     int64 `json:"read_bytes"`
	ReadRequests  int64 `json:"read_requests"`
	WriteBytes    int64 `json:"write_bytes"`
	WriteRequests int64 `json:"write_requests"`
	ErrorsCount   int64 `json:"errors_count"`
}

type nicDetailJSON struct {
	MAC       string `json:"mac_address"`
	RxOctets  int64  `json:"rx_octets"`
	RxPackets int64  `json:"rx_packets"`
	RxErrors  int64  `json:"rx_errors"`
	RxDrop    int64  `json:"rx_drop"`
	RxRate    *int64 `json:"rx_rate"` // the fake driver measures no rates
	TxOctets  int64  `json:"tx_octets"`
	TxPackets int64  `json:"tx_packets"`
	TxErrors  int64  `json:"tx_errors"`
	TxDrop    int64  `json:"tx_drop"`
	TxRate    *int64 `json:"tx_rate"`
}

func standardDiagnostics(s *server, smp hostSample) diagnosticsJSON {
	out := diagnosticsJSON{
		State: powerStateNames[s.PowerState], Driver: diagnosticsDriver,
		Hypervisor: diagnosticsHypervisor, HypervisorOS: diagnosticsHypervisorOS,
		Uptime: smp.uptime, ConfigDrive: s.ConfigDrive,
		NumCPUs: len(smp.perCPU), NumDisks: len(smp.disks), NumNICs: len(s.Interfaces),
		MemoryDetails: memoryDetailsJSON{Maximum: s.MemoryMB, Used: s.MemoryMB},
		CPUDetails:    make([]cpuDetailJSON, 0, len(smp.perCPU)),
		DiskDetails:   make([]diskDetailJSON, 0, len(smp.disks)),
		NICDetails:    make([]nicDetailJSON, 0, len(s.Interfaces)),
	}
	for i, t := range smp.perCPU {
		cpu := cpuDetailJSON{ID: i, Time: t}
		if smp.uptime > 0 {
			cpu.Utilisation = ptr(min(t*100/(smp.uptime*int64(time.Second)), 100))
		}
		out.CPUDetails = append(out.CPUDetails, cpu)
	}
	for i := range smp.disks {
		d := diskIO(i == 0, smp.cpuSeconds)
		out.DiskDetails = append(out.DiskDetails, diskDetailJSON{ReadBytes: d.readBytes, ReadRequests: d.readRequests,
			WriteBytes: d.writeBytes, WriteRequests: d.writeRequests})
	}
	for _, itf := range s.Interfaces {
		out.NICDetails = append(out.NICDetails, nicDetailJSON{MAC: itf.MAC,
			RxOctets: smp.nic.rxOctets, RxPackets: smp.nic.rxPackets, TxOctets: smp.nic.txOctets, TxPackets: smp.nic.txPackets})
	}
	return out
}
