package triton

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"
)

// Heartbeat timing as CNAPI has it: cn-agent posts every 5 s, the
// reconciler runs every 5 s and marks a server unknown when its last
// heartbeat is more than 11 s old.
const (
	HeartbeatInterval = 5 * time.Second
	ReconcilePeriod   = 5 * time.Second
	HeartbeatLifetime = 11 * time.Second
)

// ReservationRatio is the share of a server's RAM CNAPI keeps back.
const ReservationRatio = 0.15

// Profile is a compute node's hardware and software, shared by every CN
// made from it: sysinfo is rendered from it and the CN's UUID on read.
type Profile struct {
	RAMMiB       int64   // "MiB of Memory"
	CPUCores     int     // "CPU Total Cores"
	Disks        int     // disks in the zpool
	DiskGB       int64   // "Size in GB" of each
	ZpoolGiB     int64   // "Zpool Size in GiB"
	Platform     string  // "Live Image", current and boot platform
	CPUType      string  //
	Agents       []Agent // installed agents
	SystemType   string  // "Virtual"
	Product      string
	Manufacturer string
}

// Agent is one entry of a server's agents.
type Agent struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	ImageUUID string `json:"image_uuid"`
	UUID      string `json:"uuid,omitempty"`
}

// DefaultProfile is sdc-cn-agent's dummy backend's virtual CN: 256 GiB,
// 32 cores, 16 disks of 600 GB in a 3770 GiB zpool.
func DefaultProfile() Profile {
	return Profile{
		RAMMiB: 262111, CPUCores: 32, Disks: 16, DiskGB: 600, ZpoolGiB: 3770,
		Platform: "20200101T000000Z", CPUType: "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz",
		SystemType: "Virtual", Product: "Joyent-Virtual-CN-0001", Manufacturer: "Joyent",
		Agents: []Agent{
			{Name: "cn-agent", Version: "2.13.1", ImageUUID: "0d9c1a5e-4b4a-4a2c-9f8a-1c7d5b6a3e01"},
			{Name: "vm-agent", Version: "1.8.0", ImageUUID: "3a5e9c1d-7b2f-4e6a-8d0c-2f4b6a8c0e12"},
			{Name: "net-agent", Version: "1.5.1", ImageUUID: "5c7e1a3f-9d4b-4f8c-a2e6-4b6d8f0a2c23"},
			{Name: "config-agent", Version: "1.9.0", ImageUUID: "7e9a3c5b-1f6d-4a0e-b4c8-6d8f0b2e4a34"},
			{Name: "firewaller", Version: "1.6.0", ImageUUID: "9a1c5e7d-3b8f-4c2a-86ea-8f0b2d4a6c45"},
			{Name: "amon-agent", Version: "1.0.1", ImageUUID: "b3c7e9a1-5d0b-4e4c-98ac-0b2d4f6a8e56"},
			{Name: "amon-relay", Version: "1.0.1", ImageUUID: "d5e9a1c3-7f2d-4a6e-aace-2d4f6b8a0c67"},
			{Name: "smartlogin", Version: "0.2.1", ImageUUID: "f7a1c3e5-9b4f-4c8a-bce0-4f6b8d0a2e78"},
		},
	}
}

// server is one compute node, kept small: 100,000 of them fit in a test.
type server struct {
	uuid     string
	hostname string // "" renders VC + the UUID's first 8 hex digits
	profile  *Profile
	setup    bool
	headnode bool
	reserved bool
	traits   map[string]any
	rack     string
	comments string
	created  time.Time

	// Heartbeats are derived: every 5 s from hbBase, except from hbStop
	// until hbResume (zero: never resumes).
	hbBase, hbStop, hbResume time.Time
	rebootUntil              time.Time // transitional_status "rebooting" until then
	lastBoot                 time.Time

	agents          []Agent // nil: the profile's
	bootPlatform    string  // "": the profile's
	currentPlatform string
	bootParams      map[string]any
	adminNIC        *nic
	extraNICs       []*nic
	diskLost        bool
	deleted         bool

	vms     map[string]*vm
	ramUsed int64 // MiB of its live VMs
	diskMiB int64 // MiB of its live VMs' quotas
	cpuUsed int64

	// freeIndex treap links.
	prio        uint32
	left, right *server
	inIndex     bool
}

// hostnameOf is the server's hostname: the dummy backend's "VC" + the first
// eight hex digits of the UUID, upper case.
func (s *server) hostnameOf() string {
	if s.hostname != "" {
		return s.hostname
	}
	return "VC" + strings.ToUpper(strings.ReplaceAll(s.uuid, "-", "")[:8])
}

func (s *server) ramTotal() int64 { return s.profile.RAMMiB }

// unreservedRAM is total × (1 − 0.15) − the VMs' memory, in MiB.
func (s *server) unreservedRAM() int64 {
	return int64(float64(s.profile.RAMMiB)*(1-ReservationRatio)) - s.ramUsed
}

func (s *server) unreservedDisk() int64 {
	if s.diskLost {
		return 0
	}
	return s.profile.ZpoolGiB*1024 - s.diskMiB
}

func (s *server) unreservedCPU() int64 { return int64(s.profile.CPUCores)*100 - s.cpuUsed }

func (s *server) platform() (current, boot string) {
	current, boot = s.currentPlatform, s.bootPlatform
	if current == "" {
		current = s.profile.Platform
	}
	if boot == "" {
		boot = current
	}
	return current, boot
}

func (s *server) agentList() []Agent {
	if s.agents != nil {
		return s.agents
	}
	return s.profile.Agents
}

// tickAtOrBefore is the last instant base + k·step that is not after t;
// zero when t is before base.
func tickAtOrBefore(base, t time.Time, step time.Duration) time.Time {
	if t.Before(base) {
		return time.Time{}
	}
	return base.Add(t.Sub(base) / step * step)
}

// lastHeartbeat is when the server last heartbeated, as of now: closed
// form, no event per heartbeat.
func (s *server) lastHeartbeat(now time.Time) time.Time {
	base := s.hbBase
	if !s.hbStop.IsZero() && !now.Before(s.hbStop) {
		if s.hbResume.IsZero() || now.Before(s.hbResume) {
			// Heartbeats strictly before the stop.
			return tickAtOrBefore(base, s.hbStop.Add(-time.Nanosecond), HeartbeatInterval)
		}
		base = s.hbResume
	}
	return tickAtOrBefore(base, now, HeartbeatInterval)
}

// status is CNAPI's: unknown when, at the reconciler's last tick, the last
// heartbeat was over 11 s old and none came since; rebooting instead of
// unknown through a reboot; running otherwise.
func (s *server) status(now, epoch time.Time) string {
	tick := tickAtOrBefore(epoch, now, ReconcilePeriod)
	stale := false
	if !tick.IsZero() && !tick.Before(s.created) {
		last := s.lastHeartbeat(tick)
		stale = last.IsZero() || tick.Sub(last) > HeartbeatLifetime
	}
	if stale {
		if after := s.lastHeartbeat(now); !after.IsZero() && after.After(tick) {
			stale = false // running again on the next heartbeat
		}
	}
	switch {
	case !stale:
		return "running"
	case now.Before(s.rebootUntil):
		return "rebooting"
	}
	return "unknown"
}

func (s *server) transitional(now time.Time) string {
	if now.Before(s.rebootUntil) {
		return "rebooting"
	}
	return ""
}

// allocatable is what the allocator's hard filters ask of a server,
// RAM and disk aside.
func (s *server) allocatable(now, epoch time.Time) bool {
	return s.setup && !s.reserved && !s.headnode && !s.diskLost && !s.deleted && s.status(now, epoch) == "running"
}

// hash32 is a stable hash of s, for per-server values derived, not stored.
func hash32(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}

func macString(m uint64) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", byte(m>>40), byte(m>>32), byte(m>>24), byte(m>>16), byte(m>>8), byte(m))
}

// sortServers keeps CNAPI's order: by UUID.
func (d *dc) insertServerOrder(s *server) {
	i := sort.Search(len(d.serverOrder), func(i int) bool { return d.serverOrder[i].uuid >= s.uuid })
	d.serverOrder = append(d.serverOrder, nil)
	copy(d.serverOrder[i+1:], d.serverOrder[i:])
	d.serverOrder[i] = s
}

func (d *dc) removeServerOrder(s *server) {
	i := sort.Search(len(d.serverOrder), func(i int) bool { return d.serverOrder[i].uuid >= s.uuid })
	if i < len(d.serverOrder) && d.serverOrder[i] == s {
		d.serverOrder = append(d.serverOrder[:i], d.serverOrder[i+1:]...)
	}
}
