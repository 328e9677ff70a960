package compute

import (
	"encoding/json"
	"maps"
	"time"
)

// Nova's power states (OS-EXT-STS:power_state).
const (
	PowerNoState   = 0
	PowerRunning   = 1
	PowerPaused    = 3
	PowerShutdown  = 4
	PowerCrashed   = 6
	PowerSuspended = 7
)

// Server is a server as the fake hypervisor holds it. Status is derived from
// VMState and TaskState, as Nova derives it.
type Server struct {
	ID                 string
	Name               string
	ProjectID          string
	UserID             string
	Status             string // ACTIVE, BUILD, REBOOT, VERIFY_RESIZE, ERROR …
	VMState            string // active, building, stopped, resized, error …
	TaskState          string // "" or spawning, rebooting, resize_migrating …
	PowerState         int
	FlavorID           string
	OldFlavorID        string // the flavor before an unconfirmed resize
	ImageID            string // "" for a server booted from a volume
	KeyName            string
	Metadata           map[string]string
	Tags               []string
	Description        string
	Addresses          map[string][]Address
	AccessIPv4         string
	AccessIPv6         string
	AdminPass          string
	AvailabilityZone   string
	Host               string
	HypervisorHostname string
	InstanceName       string
	ReservationID      string
	LaunchIndex        int
	DiskConfig         string // AUTO or MANUAL
	ConfigDrive        bool
	UserData           string
	SecurityGroups     []string
	Locked             bool
	LockedReason       string
	Volumes            []VolumeAttachment
	Interfaces         []Interface
	Fault              *ServerFault
	Progress           int
	Created            time.Time
	Updated            time.Time
	LaunchedAt         time.Time // zero until first ACTIVE
	TerminatedAt       time.Time
	Deleted            bool
	// What the fake hypervisor reports (diagnostics, instance info).
	MemoryMB int
	VCPUs    int
	DiskGB   int
	CPUTime  time.Duration // accumulated while running, by the shared clock
	// Hostname is OS-EXT-SRV-ATTR:hostname: asked for at create (2.90), or
	// derived from the name; "" derives it from Name when rendered.
	Hostname string
	// TrustedImageCertificates are the certificate IDs given at create or
	// rebuild (2.63); nil shows null.
	TrustedImageCertificates []string
	// PinnedAvailabilityZone is the zone the server was asked to be in
	// (pinned_availability_zone, 2.96); "" shows null.
	PinnedAvailabilityZone string
	// SchedulerHints are os:scheduler_hints as given at create
	// (scheduler_hints, 2.100); nil shows {}.
	SchedulerHints json.RawMessage
}

// Address is one entry of a server's addresses.
type Address struct {
	Addr    string
	Version int    // 4 or 6
	Type    string // "fixed" or "floating"
	MAC     string
}

// ServerFault is the fault a server in ERROR carries.
type ServerFault struct {
	Code    int
	Message string
	Details string
	Created time.Time
}

// VolumeAttachment is a volume attached to a server.
type VolumeAttachment struct {
	ID                  string // the attachment ID (equal to VolumeID, as Nova's API shows it)
	VolumeID            string
	ServerID            string
	Device              string // /dev/vdb …
	Tag                 string
	DeleteOnTermination bool
	AttachmentID        string // Cinder's attachment ID (attachment_id, from 2.89)
	BDMID               string // the block device mapping's UUID (bdm_uuid, from 2.89)
}

// Interface is a port attached to a server.
type Interface struct {
	PortID    string
	NetworkID string
	MAC       string
	State     string // ACTIVE
	Tag       string // device role tag (2.49)
	FixedIPs  []FixedIP
}

// FixedIP is an address of an interface.
type FixedIP struct {
	SubnetID  string
	IPAddress string
}

// Flavor is an instance type.
type Flavor struct {
	ID          string // generated when empty
	Name        string
	RAM         int // MiB
	VCPUs       int
	Disk        int // GiB
	Ephemeral   int
	Swap        int // MiB
	RxTxFactor  float64
	IsPublic    bool
	Disabled    bool
	Description string
	ExtraSpecs  map[string]string
	// Projects may use a private flavor (os-flavor-access), in the order
	// granted.
	Projects []string
}

// Image is an image as the compute proxy shows it.
type Image struct {
	ID       string // generated when empty
	Name     string
	Status   string // ACTIVE, SAVING, DELETED
	MinDisk  int
	MinRAM   int
	Size     int64
	Metadata map[string]string
	ServerID string // for a snapshot: the server it was taken from
	Created  time.Time
	Updated  time.Time
	// ReadyAt is when a snapshot in SAVING becomes ACTIVE.
	ReadyAt time.Time
}

// Keypair is an SSH (or x509) keypair of one user.
type Keypair struct {
	ID          int // Nova's integer keypair ID (GET /os-keypairs/{name} shows it)
	Name        string
	UserID      string
	Type        string // ssh or x509
	PublicKey   string
	PrivateKey  string // only returned once, at generation
	Fingerprint string
	Created     time.Time
}

// ServerGroup is an affinity group.
type ServerGroup struct {
	ID        string
	Name      string
	ProjectID string
	UserID    string
	Policy    string // affinity, anti-affinity, soft-affinity, soft-anti-affinity
	Rules     map[string]int
	Members   []string
}

// Quota is a project's compute quota; -1 means unlimited.
type Quota struct {
	Instances          int
	Cores              int
	RAM                int // MiB
	MetadataItems      int
	KeyPairs           int
	ServerGroups       int
	ServerGroupMembers int
}

// DefaultQuota is Nova's default quota.
func DefaultQuota() Quota {
	return Quota{Instances: 10, Cores: 20, RAM: 51200, MetadataItems: 128, KeyPairs: 100, ServerGroups: 10, ServerGroupMembers: 10}
}

// Durations say how long each transition takes on the shared clock.
type Durations struct {
	Build         time.Duration
	Reboot        time.Duration
	HardReboot    time.Duration
	Rebuild       time.Duration
	Resize        time.Duration // until VERIFY_RESIZE
	ConfirmResize time.Duration
	RevertResize  time.Duration
	Stop          time.Duration
	Start         time.Duration
	Pause         time.Duration
	Unpause       time.Duration
	Suspend       time.Duration
	Resume        time.Duration
	Rescue        time.Duration
	Unrescue      time.Duration
	Shelve        time.Duration
	// ShelveOffload is how long a SHELVED server waits before it is
	// offloaded (Nova's shelved_offload_time); negative means never.
	ShelveOffload time.Duration
	Unshelve      time.Duration
	Snapshot      time.Duration // an image in SAVING until ACTIVE
	Delete        time.Duration
	Password      time.Duration
}

// DefaultDurations are plausible times for a small cloud: a build takes 30
// seconds, a resize a minute.
func DefaultDurations() Durations {
	return Durations{
		Build: 30 * time.Second, Reboot: 10 * time.Second, HardReboot: 20 * time.Second,
		Rebuild: 30 * time.Second, Resize: time.Minute, ConfirmResize: 2 * time.Second,
		RevertResize: 10 * time.Second, Stop: 5 * time.Second, Start: 5 * time.Second,
		Pause: 2 * time.Second, Unpause: 2 * time.Second, Suspend: 5 * time.Second,
		Resume: 5 * time.Second, Rescue: 10 * time.Second, Unrescue: 10 * time.Second,
		Shelve: 10 * time.Second, ShelveOffload: 0, Unshelve: 30 * time.Second,
		Snapshot: 10 * time.Second, Delete: 3 * time.Second, Password: 2 * time.Second,
	}
}

// Instant makes every transition complete at once (ShelveOffload too).
func Instant() Durations { return Durations{} }

// server is the stored form: the exported view plus what is pending.
type server struct {
	Server
	events        []timedEvent
	runningFrom   time.Time // when power last went to running; for CPUTime
	rescueImage   string
	oldHost       string    // the host before an unconfirmed cold migration
	shelvedAt     time.Time // when the last shelve completed, for its timed offload
	deleteFails   int       // Mimic's delete_server_failure "times"
	deleteCode    int
	actions       []*instanceAction // os-instance-actions, oldest first
	password      string            // the encrypted password the guest posted (os-server-password)
	softDeletedAt time.Time         // when the last soft delete completed, for its reclaim
}

// timedEvent is a change that happens at a point on the clock. Events are
// applied lazily, when the server is next read or acted on, in time order.
type timedEvent struct {
	at    time.Time
	apply func(s *server, at time.Time)
	// byTest marks a status the test scheduled (ScheduleServerStatus):
	// only a deletion cancels it, not the end of the hypervisor's tasks.
	byTest bool
}

func (s *server) snapshot() Server {
	out := s.Server
	out.Metadata = maps.Clone(s.Metadata)
	out.Tags = append([]string(nil), s.Tags...)
	out.TrustedImageCertificates = append([]string(nil), s.TrustedImageCertificates...)
	out.SchedulerHints = append(json.RawMessage(nil), s.SchedulerHints...)
	out.SecurityGroups = append([]string(nil), s.SecurityGroups...)
	out.Volumes = append([]VolumeAttachment(nil), s.Volumes...)
	out.Interfaces = make([]Interface, len(s.Interfaces))
	for i, itf := range s.Interfaces {
		itf.FixedIPs = append([]FixedIP(nil), itf.FixedIPs...)
		out.Interfaces[i] = itf
	}
	if s.Interfaces == nil {
		out.Interfaces = nil
	}
	out.Addresses = make(map[string][]Address, len(s.Addresses))
	for k, v := range s.Addresses {
		out.Addresses[k] = append([]Address(nil), v...)
	}
	if s.Fault != nil {
		f := *s.Fault
		out.Fault = &f
	}
	return out
}
