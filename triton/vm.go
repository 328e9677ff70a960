package triton

import (
	"maps"
	"time"
)

// vm is one VM: VMAPI's record, placed on a server.
type vm struct {
	uuid, alias, brand, state    string
	ram, quota, cpuCap           int64
	imageUUID, billingID         string
	ownerUUID                    string
	server                       *server // nil when allocation never happened
	nics                         []*nic
	tags, customerMD, internalMD map[string]any
	firewall                     bool
	autoboot                     bool
	created, modified            time.Time
	destroyed                    time.Time
	snapshots                    []Snapshot
	disks                        []Disk
	counted                      bool // its RAM and disk are on its server
	indestructible               bool // indestructible_zoneroot: CloudAPI's deletion_protection
}

// Snapshot is a VM snapshot as VMAPI lists it.
type Snapshot struct {
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

// Disk is a bhyve or KVM VM's disk.
type Disk struct {
	UUID  string `json:"uuid"`
	Path  string `json:"path,omitempty"`
	Size  int64  `json:"size"`
	Boot  bool   `json:"boot"`
	Model string `json:"model,omitempty"`
	Image string `json:"image_uuid,omitempty"`
}

// VMNIC is a NIC as VMAPI shows it in a VM.
type VMNIC struct {
	Interface   string   `json:"interface"`
	MAC         string   `json:"mac"`
	VLANID      int      `json:"vlan_id"`
	NicTag      string   `json:"nic_tag"`
	Gateway     string   `json:"gateway,omitempty"`
	Netmask     string   `json:"netmask"`
	IP          string   `json:"ip"`
	IPs         []string `json:"ips"`
	NetworkUUID string   `json:"network_uuid"`
	MTU         int      `json:"mtu"`
	Primary     bool     `json:"primary,omitempty"`
}

// VM is a VM as VMAPI renders it.
type VM struct {
	UUID               string         `json:"uuid"`
	Alias              string         `json:"alias,omitempty"`
	Autoboot           bool           `json:"autoboot"`
	Brand              string         `json:"brand"`
	BillingID          string         `json:"billing_id,omitempty"`
	CPUCap             int64          `json:"cpu_cap,omitempty"`
	CPUShares          int64          `json:"cpu_shares"`
	CreateTimestamp    string         `json:"create_timestamp"`
	CustomerMetadata   map[string]any `json:"customer_metadata"`
	Datasets           []string       `json:"datasets"`
	Destroyed          *string        `json:"destroyed"`
	FirewallEnabled    bool           `json:"firewall_enabled"`
	ImageUUID          string         `json:"image_uuid"`
	InternalMetadata   map[string]any `json:"internal_metadata"`
	LastModified       string         `json:"last_modified"`
	MaxLockedMemory    int64          `json:"max_locked_memory"`
	MaxLWPs            int64          `json:"max_lwps"`
	MaxPhysicalMemory  int64          `json:"max_physical_memory"`
	MaxSwap            int64          `json:"max_swap"`
	NICs               []VMNIC        `json:"nics"`
	OwnerUUID          string         `json:"owner_uuid"`
	PlatformBuildstamp string         `json:"platform_buildstamp,omitempty"`
	Quota              int64          `json:"quota"`
	RAM                int64          `json:"ram"`
	Resolvers          []string       `json:"resolvers"`
	ServerUUID         string         `json:"server_uuid,omitempty"`
	Snapshots          []Snapshot     `json:"snapshots"`
	State              string         `json:"state"`
	Tags               map[string]any `json:"tags"`
	ZFSIOPriority      int64          `json:"zfs_io_priority"`
	ZoneState          string         `json:"zone_state"`
	Zonepath           string         `json:"zonepath,omitempty"`
	Zpool              string         `json:"zpool,omitempty"`
	Disks              []Disk         `json:"disks,omitempty"`
	Indestructible     bool           `json:"indestructible_zoneroot,omitempty"`
}

// zoneState is vmadm's zone_state for a VMAPI state.
func zoneState(state string) string {
	switch state {
	case "running":
		return "running"
	case "stopped":
		return "installed"
	case "destroyed":
		return "destroyed"
	case "provisioning", "failed":
		return "configured"
	}
	return state
}

func (v *vm) render() VM {
	out := VM{
		UUID: v.uuid, Alias: v.alias, Autoboot: v.autoboot, Brand: v.brand, BillingID: v.billingID, CPUCap: v.cpuCap,
		CPUShares: v.ram / 8, CreateTimestamp: iso(v.created), CustomerMetadata: cloneMap(v.customerMD),
		Datasets: []string{}, FirewallEnabled: v.firewall, ImageUUID: v.imageUUID, InternalMetadata: cloneMap(v.internalMD),
		LastModified: iso(v.modified), MaxLockedMemory: v.ram, MaxLWPs: 4000, MaxPhysicalMemory: v.ram, MaxSwap: max(v.ram, 256),
		NICs: []VMNIC{}, OwnerUUID: v.ownerUUID, Quota: v.quota, RAM: v.ram, Resolvers: []string{},
		Snapshots: append([]Snapshot{}, v.snapshots...), State: v.state, Tags: cloneMap(v.tags),
		ZFSIOPriority: 100, ZoneState: zoneState(v.state), Indestructible: v.indestructible,
	}
	if !v.destroyed.IsZero() {
		d := iso(v.destroyed)
		out.Destroyed = &d
	}
	if v.server != nil {
		out.ServerUUID = v.server.uuid
		out.PlatformBuildstamp, _ = v.server.platform()
		out.Zonepath = "/zones/" + v.uuid
		out.Zpool = "zones"
	}
	if len(v.disks) > 0 {
		out.Disks = append([]Disk(nil), v.disks...)
	}
	for i, n := range v.nics {
		r := n.render()
		out.NICs = append(out.NICs, VMNIC{Interface: "net" + itoa(i), MAC: r.MAC, VLANID: r.VLANID, NicTag: r.NicTag,
			Gateway: r.Gateway, Netmask: r.Netmask, IP: r.IP, IPs: []string{r.IP + "/" + maskBits(r.Netmask)},
			NetworkUUID: r.NetworkUUID, MTU: r.MTU, Primary: n.primary})
		if n.primary && n.net != nil {
			out.Resolvers = append(out.Resolvers, n.net.Resolvers...)
		}
	}
	return out
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return maps.Clone(m)
}

func maskBits(mask string) string {
	v, ok := parseIP4(mask)
	if !ok {
		return "32"
	}
	n := 0
	for v != 0 {
		n += int(v >> 31)
		v <<= 1
	}
	return itoa(n)
}

// live reports whether the VM holds resources on its server.
func (v *vm) live() bool { return v.state != "destroyed" && v.state != "failed" }

// placeLocked puts v's usage on s.
func (t *Triton) placeLocked(v *vm, s *server) {
	v.server = s
	t.reindexLocked(s, func() {
		if s.vms == nil {
			s.vms = map[string]*vm{}
		}
		s.vms[v.uuid] = v
		s.ramUsed += v.ram
		s.diskMiB += v.quota * 1024
		s.cpuUsed += v.cpuCap
	})
	v.counted = true
}

// unplaceLocked takes v's usage off its server (destroyed, failed).
func (t *Triton) unplaceLocked(v *vm) {
	s := v.server
	if s == nil || !v.counted {
		return
	}
	t.reindexLocked(s, func() {
		delete(s.vms, v.uuid)
		s.ramUsed -= v.ram
		s.diskMiB -= v.quota * 1024
		s.cpuUsed -= v.cpuCap
	})
	v.counted = false
}

// resizeLocked changes a placed VM's RAM, quota and CPU cap.
func (t *Triton) resizeLocked(v *vm, ram, quota, cpuCap int64) {
	if s := v.server; s != nil && v.counted {
		t.reindexLocked(s, func() {
			s.ramUsed += ram - v.ram
			s.diskMiB += (quota - v.quota) * 1024
			s.cpuUsed += cpuCap - v.cpuCap
		})
	}
	v.ram, v.quota, v.cpuCap = ram, quota, cpuCap
}
