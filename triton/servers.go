package triton

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// ServerSpec is a compute node to add.
type ServerSpec struct {
	UUID     string // generated when empty
	Hostname string // "VC" + the UUID's first 8 hex digits when empty
	Profile  *Profile
	Unsetup  bool // not yet set up: the allocator passes it by
	Headnode bool
	Reserved bool
	Traits   map[string]any
	Rack     string
	AdminIP  string // the admin network's next free address when empty
	AdminMAC string // the next 00:10:fe:… address when empty
}

// Server is a compute node as CNAPI renders it (GET /servers/:uuid has
// every field; the list only those its extras ask for).
type Server struct {
	UUID                string             `json:"uuid"`
	Hostname            string             `json:"hostname"`
	Datacenter          string             `json:"datacenter"`
	Status              string             `json:"status"`
	Setup               bool               `json:"setup"`
	SettingUp           bool               `json:"setting_up"`
	Headnode            bool               `json:"headnode"`
	Reserved            bool               `json:"reserved"`
	Reservoir           bool               `json:"reservoir"`
	RAM                 int64              `json:"ram"`
	ReservationRatio    float64            `json:"reservation_ratio"`
	Traits              map[string]any     `json:"traits"`
	RackIdentifier      string             `json:"rack_identifier"`
	Comments            string             `json:"comments"`
	Created             string             `json:"created"`
	LastBoot            string             `json:"last_boot"`
	CurrentPlatform     string             `json:"current_platform"`
	BootPlatform        string             `json:"boot_platform"`
	BootParams          map[string]any     `json:"boot_params"`
	KernelFlags         map[string]any     `json:"kernel_flags"`
	DefaultConsole      string             `json:"default_console"`
	Serial              string             `json:"serial"`
	SystemType          string             `json:"system_type"`
	TransitionalStatus  string             `json:"transitional_status"`
	OverprovisionRatios map[string]float64 `json:"overprovision_ratios"`

	LastHeartbeat *string `json:"last_heartbeat,omitempty"` // extras: status

	Agents  *[]Agent             `json:"agents,omitempty"`  // extras: agents
	VMs     *map[string]ServerVM `json:"vms,omitempty"`     // extras: vms
	Sysinfo map[string]any       `json:"sysinfo,omitempty"` // extras: sysinfo

	MemoryTotalBytes         *int64 `json:"memory_total_bytes,omitempty"` // extras: memory
	MemoryAvailableBytes     *int64 `json:"memory_available_bytes,omitempty"`
	MemoryArcBytes           *int64 `json:"memory_arc_bytes,omitempty"`
	MemoryProvisionableBytes *int64 `json:"memory_provisionable_bytes,omitempty"`

	DiskPoolSizeBytes            *int64 `json:"disk_pool_size_bytes,omitempty"` // extras: disk
	DiskPoolAllocBytes           *int64 `json:"disk_pool_alloc_bytes,omitempty"`
	DiskZoneQuotaBytes           *int64 `json:"disk_zone_quota_bytes,omitempty"`
	DiskZoneQuotaUsedBytes       *int64 `json:"disk_zone_quota_used_bytes,omitempty"`
	DiskKVMQuotaBytes            *int64 `json:"disk_kvm_quota_bytes,omitempty"`
	DiskKVMZvolVolsizeBytes      *int64 `json:"disk_kvm_zvol_volsize_bytes,omitempty"`
	DiskInstalledImagesUsedBytes *int64 `json:"disk_installed_images_used_bytes,omitempty"`
	DiskCoresQuotaBytes          *int64 `json:"disk_cores_quota_bytes,omitempty"`
	DiskSystemUsedBytes          *int64 `json:"disk_system_used_bytes,omitempty"`

	UnreservedRAM  *int64 `json:"unreserved_ram,omitempty"` // extras: capacity
	UnreservedDisk *int64 `json:"unreserved_disk,omitempty"`
	UnreservedCPU  *int64 `json:"unreserved_cpu,omitempty"`
}

// ServerVM is a VM in a server's "vms" object.
type ServerVM struct {
	UUID              string `json:"uuid"`
	OwnerUUID         string `json:"owner_uuid"`
	Quota             int64  `json:"quota"`
	MaxPhysicalMemory int64  `json:"max_physical_memory"`
	ZoneState         string `json:"zone_state"`
	State             string `json:"state"`
	Brand             string `json:"brand"`
	CPUCap            int64  `json:"cpu_cap"`
	LastModified      string `json:"last_modified"`
}

// extras are the groups of fields a server list shows.
type extras struct{ agents, vms, sysinfo, memory, disk, capacity, status bool }

func allExtras() extras { return extras{true, true, true, true, true, true, true} }

func parseExtras(s string) (extras, error) {
	var e extras
	for _, x := range strings.Split(s, ",") {
		switch strings.TrimSpace(x) {
		case "":
		case "all":
			e = allExtras()
		case "agents":
			e.agents = true
		case "vms":
			e.vms = true
		case "sysinfo":
			e.sysinfo = true
		case "memory":
			e.memory = true
		case "disk":
			e.disk = true
		case "capacity":
			e.capacity = true
		case "status":
			e.status = true
		default:
			return e, invalidParam("extras", "Invalid extras: "+x)
		}
	}
	return e, nil
}

const mib, gib = int64(1) << 20, int64(1) << 30

func ptr[T any](v T) *T { return &v }

// renderLocked is CNAPI's view of s at now, with the extras asked for.
func (t *Triton) renderServerLocked(s *server, now time.Time, x extras) Server {
	current, boot := s.platform()
	out := Server{
		UUID: s.uuid, Hostname: s.hostnameOf(), Datacenter: t.dc.name, Status: s.status(now, t.dc.epoch), Setup: s.setup,
		Headnode: s.headnode, Reserved: s.reserved, RAM: s.ramTotal(), ReservationRatio: ReservationRatio,
		Traits: cloneMap(s.traits), RackIdentifier: s.rack, Comments: s.comments, Created: iso(s.created),
		LastBoot: iso(s.lastBoot), CurrentPlatform: current, BootPlatform: boot, BootParams: cloneMap(s.bootParams),
		KernelFlags: map[string]any{}, DefaultConsole: "serial", Serial: "ttyb", SystemType: "SunOS",
		TransitionalStatus: s.transitional(now), OverprovisionRatios: map[string]float64{"ram": 1},
	}
	if x.status {
		if hb := s.lastHeartbeat(now); !hb.IsZero() {
			out.LastHeartbeat = ptr(iso(hb))
		}
	}
	if x.agents {
		out.Agents = ptr(slices.Clone(s.agentList()))
	}
	if x.vms {
		vms := map[string]ServerVM{}
		for _, v := range s.vms {
			vms[v.uuid] = ServerVM{UUID: v.uuid, OwnerUUID: v.ownerUUID, Quota: v.quota, MaxPhysicalMemory: v.ram,
				ZoneState: zoneState(v.state), State: v.state, Brand: v.brand, CPUCap: v.cpuCap, LastModified: iso(v.modified)}
		}
		out.VMs = &vms
	}
	if x.sysinfo {
		out.Sysinfo = t.sysinfoLocked(s)
	}
	if x.memory {
		total := s.ramTotal() * mib
		avail := (s.ramTotal() - s.ramUsed) * mib
		out.MemoryTotalBytes, out.MemoryAvailableBytes = ptr(total), ptr(avail)
		out.MemoryArcBytes = ptr(total / 64)
		out.MemoryProvisionableBytes = ptr(avail - int64(float64(total)*ReservationRatio))
	}
	if x.disk {
		pool := s.profile.ZpoolGiB * gib
		used := s.diskMiB * mib
		out.DiskPoolSizeBytes, out.DiskPoolAllocBytes = ptr(pool), ptr(used/8)
		out.DiskZoneQuotaBytes, out.DiskZoneQuotaUsedBytes = ptr(used), ptr(used/8)
		out.DiskKVMQuotaBytes, out.DiskKVMZvolVolsizeBytes = ptr(int64(0)), ptr(int64(0))
		out.DiskInstalledImagesUsedBytes, out.DiskCoresQuotaBytes = ptr(int64(0)), ptr(int64(0))
		out.DiskSystemUsedBytes = ptr(int64(0))
	}
	if x.capacity {
		out.UnreservedRAM, out.UnreservedDisk, out.UnreservedCPU = ptr(s.unreservedRAM()), ptr(s.unreservedDisk()), ptr(s.unreservedCPU())
	}
	return out
}

// sysinfoLocked renders s's sysinfo as the dummy backend writes it, from
// its profile and UUID: nothing of it is stored per server.
func (t *Triton) sysinfoLocked(s *server) map[string]any {
	p := s.profile
	short := strings.ToUpper(strings.ReplaceAll(s.uuid, "-", "")[:8])
	disks := map[string]any{}
	names := make([]string, 0, p.Disks)
	h := hash32(s.uuid)
	for i := 0; i < p.Disks; i++ {
		name := fmt.Sprintf("c%dt5000%06XD0", i, (h+uint32(i)*2654435761)&0xFFFFFF)
		disks[name] = map[string]any{"Size in GB": p.DiskGB}
		names = append(names, name)
	}
	current, _ := s.platform()
	adminIP, adminMAC := "", ""
	if s.adminNIC != nil {
		adminIP, adminMAC = ipString(s.adminNIC.ip), macString(s.adminNIC.mac)
	}
	nicNames := []any{"admin"}
	if s.adminNIC != nil && len(s.adminNIC.tags) > 0 {
		nicNames = nicNames[:0]
		for _, tag := range s.adminNIC.tags {
			nicNames = append(nicNames, tag)
		}
	}
	ifaces := map[string]any{
		"dnet0": map[string]any{"MAC Address": adminMAC, "ip4addr": adminIP, "Link Status": "up", "NIC Names": nicNames},
	}
	for i, n := range s.extraNICs {
		ifaces[fmt.Sprintf("dnet%d", i+1)] = map[string]any{"MAC Address": macString(n.mac), "ip4addr": "", "Link Status": "up", "NIC Names": stringsToAny(n.tags)}
	}
	hostname := s.hostnameOf()
	return map[string]any{
		"UUID": s.uuid, "Hostname": hostname, "Serial Number": short, "System Type": p.SystemType, "SDC Version": "7.0",
		"Manufacturer": p.Manufacturer, "Product": p.Product, "SKU Number": "90210 rev 42", "HW Version": "1.0", "HW Family": "JXX-0001",
		"Setup": fmt.Sprint(s.setup), "VM Capable": true, "Bhyve Capable": true, "Bhyve Max Vcpus": 32,
		"CPU Type": p.CPUType, "CPU Virtualization": "vmx", "CPU Physical Cores": 2, "CPU Total Cores": p.CPUCores,
		"MiB of Memory": fmt.Sprint(p.RAMMiB), "Zpool": "zones", "Zpool Disks": strings.Join(names, ","), "Zpool Profile": "mirror",
		"Zpool Size in GiB": p.ZpoolGiB, "Zpool Creation": s.created.Unix(), "Disks": disks,
		"Boot Time": fmt.Sprint(s.lastBoot.Unix()), "Live Image": current, "Datacenter Name": t.dc.name, "Admin IP": adminIP,
		"Boot Parameters": map[string]any{"console": "ttyb", "boot_args": "", "bootargs": "", "headnode": fmt.Sprint(s.headnode)},
		"SDC Agents":      []any{}, "Network Interfaces": ifaces, "Virtual Network Interfaces": map[string]any{}, "Link Aggregations": map[string]any{},
	}
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// AddServer adds a compute node, heartbeating from now, with an admin NIC
// from the admin network.
func (t *Triton) AddServer(spec ServerSpec) (Server, error) {
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.addServerLocked(spec, now, true)
	if err != nil {
		return Server{}, err
	}
	return t.renderServerLocked(s, now, allExtras()), nil
}

// AddServers adds n compute nodes of profile p and returns their UUIDs.
func (t *Triton) AddServers(n int, p Profile) []string {
	now := t.lock()
	defer t.mu.Unlock()
	return t.addServersLocked(n, p, now)
}

func (t *Triton) addServersLocked(n int, p Profile, now time.Time) []string {
	prof := &p
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		s, err := t.addServerLocked(ServerSpec{Profile: prof}, now, false)
		if err != nil {
			break // the admin network is full
		}
		out = append(out, s.uuid)
	}
	sort.Slice(t.dc.serverOrder, func(i, j int) bool { return t.dc.serverOrder[i].uuid < t.dc.serverOrder[j].uuid })
	return out
}

func (t *Triton) addServerLocked(spec ServerSpec, now time.Time, ordered bool) (*server, error) {
	if spec.UUID == "" {
		spec.UUID = t.newUUID()
	} else if !validUUID(spec.UUID) {
		return nil, invalidParam("uuid", "Invalid UUID")
	}
	if t.dc.servers[spec.UUID] != nil {
		return nil, kit.Conflict("Server %s already exists", spec.UUID)
	}
	if spec.Profile == nil {
		p := DefaultProfile()
		spec.Profile = &p
	}
	s := &server{uuid: spec.UUID, hostname: spec.Hostname, profile: spec.Profile, setup: !spec.Unsetup, headnode: spec.Headnode,
		reserved: spec.Reserved, traits: maps.Clone(spec.Traits), rack: spec.Rack, created: now, hbBase: now, lastBoot: now}
	admin := t.networkLocked("admin")
	if admin == nil {
		return nil, kit.Conflict("There is no admin network")
	}
	var ip uint32
	if spec.AdminIP != "" {
		v, ok := parseIP4(spec.AdminIP)
		if !ok {
			return nil, invalidParam("admin_ip", "Invalid IP address")
		}
		ip = v
	}
	n, err := t.newNICLocked(admin, ip, s.uuid, "server", s.uuid, now)
	if err != nil {
		return nil, err
	}
	if spec.AdminMAC != "" {
		if err := t.setMACLocked(n, spec.AdminMAC); err != nil {
			t.deleteNICLocked(n)
			return nil, err
		}
	}
	n.tags = []string{"admin"}
	n.primary = true
	s.adminNIC = n
	t.dc.servers[s.uuid] = s
	if ordered {
		t.dc.insertServerOrder(s)
	} else {
		t.dc.serverOrder = append(t.dc.serverOrder, s)
	}
	if s.setup {
		t.dc.free.insert(s)
	}
	return s, nil
}

func (t *Triton) setMACLocked(n *nic, mac string) error {
	m, ok := parseMAC(mac)
	if !ok {
		return invalidParam("mac", "Invalid MAC address")
	}
	if o := t.dc.nics[m]; o != nil && o != n {
		return validationFailed("Invalid parameters", FieldError{Field: "mac", Code: "Duplicate", Message: "Already exists"})
	}
	delete(t.dc.nics, n.mac)
	n.mac = m
	t.dc.nics[m] = n
	return nil
}

// RemoveServer removes a compute node, its NICs and (as destroyed) its VMs.
func (t *Triton) RemoveServer(uuid string) error {
	now := t.lock()
	defer t.mu.Unlock()
	s := t.dc.servers[uuid]
	if s == nil {
		return kit.NotFound("Server %s not found", uuid)
	}
	t.removeServerLocked(s, now)
	return nil
}

func (t *Triton) removeServerLocked(s *server, now time.Time) {
	for _, v := range sortedVMs(s.vms) {
		t.destroyVMLocked(v, now)
	}
	t.dc.free.remove(s)
	s.deleted = true
	if s.adminNIC != nil {
		t.deleteNICLocked(s.adminNIC)
	}
	for _, n := range s.extraNICs {
		t.deleteNICLocked(n)
	}
	delete(t.dc.servers, s.uuid)
	t.dc.removeServerOrder(s)
}

// Server is the compute node uuid as CNAPI shows it, with every field.
func (t *Triton) Server(uuid string) (Server, bool) {
	now := t.lock()
	defer t.mu.Unlock()
	s := t.dc.servers[uuid]
	if s == nil {
		return Server{}, false
	}
	return t.renderServerLocked(s, now, allExtras()), true
}

// Servers lists the compute nodes by UUID, with their status and capacity
// (not sysinfo, agents or VMs: render one with Server).
func (t *Triton) Servers() []Server {
	now := t.lock()
	defer t.mu.Unlock()
	out := make([]Server, len(t.dc.serverOrder))
	for i, s := range t.dc.serverOrder {
		out[i] = t.renderServerLocked(s, now, extras{status: true, capacity: true})
	}
	return out
}

func sortedVMs(m map[string]*vm) []*vm {
	out := make([]*vm, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].uuid < out[j].uuid })
	return out
}

// validUUID reports whether s looks like a UUID.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return false
		}
	}
	return true
}

// StatusCounts counts the compute nodes by CNAPI status ("running",
// "unknown", "rebooting") at the clock's now: cheap, without rendering.
func (t *Triton) StatusCounts() map[string]int {
	now := t.lock()
	defer t.mu.Unlock()
	out := map[string]int{}
	for _, s := range t.dc.serverOrder {
		out[s.status(now, t.dc.epoch)]++
	}
	return out
}
