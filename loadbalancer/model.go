package loadbalancer

import (
	"time"
)

// Load balancer statuses.
const (
	StatusActive        = "ACTIVE"
	StatusBuild         = "BUILD"
	StatusPendingUpdate = "PENDING_UPDATE"
	StatusPendingDelete = "PENDING_DELETE"
	StatusSuspended     = "SUSPENDED"
	StatusError         = "ERROR"
	StatusDeleted       = "DELETED"
)

// Node statuses (set by health checks) and conditions (set by the user).
const (
	NodeOnline  = "ONLINE"
	NodeOffline = "OFFLINE"

	ConditionEnabled  = "ENABLED"
	ConditionDisabled = "DISABLED"
	ConditionDraining = "DRAINING"

	NodePrimary   = "PRIMARY"
	NodeSecondary = "SECONDARY"
)

// LoadBalancer is a load balancer as the service holds it. Status is
// settled to the shared clock's current time when a copy is taken.
type LoadBalancer struct {
	ID                 int
	Tenant             string
	Name               string
	Protocol           string
	Port               int
	Algorithm          string
	Status             string
	Timeout            int
	HalfClosed         bool
	HTTPSRedirect      bool
	VirtualIPs         []VirtualIP
	Nodes              []Node
	HealthMonitor      *HealthMonitor // nil: none
	SessionPersistence string         // HTTP_COOKIE, SOURCE_IP, SSL_ID; "" when disabled
	ConnectionLogging  bool
	ContentCaching     bool
	ConnectionThrottle *ConnectionThrottle // nil: none
	AccessList         []NetworkItem
	Metadata           []Meta
	ErrorPage          string          // "" serves the default page
	SSLTermination     *SSLTermination // nil: not configured
	CertificateMapping []CertificateMapping
	Stats              Stats
	Cluster            string
	Created            time.Time
	Updated            time.Time
}

// VirtualIP is an address a load balancer listens on. Load balancers of one
// tenant may share one.
type VirtualIP struct {
	ID        int
	Address   string
	Type      string // PUBLIC or SERVICENET
	IPVersion string // IPV4 or IPV6
}

// Node is a back-end address.
type Node struct {
	ID        int
	Address   string
	Port      int
	Condition string // ENABLED, DISABLED, DRAINING
	Status    string // ONLINE, OFFLINE
	Weight    int
	Type      string // PRIMARY, SECONDARY
	Metadata  []Meta
}

// HealthMonitor is a load balancer's active health check.
type HealthMonitor struct {
	Type                       string // CONNECT, HTTP, HTTPS
	Delay                      int    // seconds
	Timeout                    int    // seconds
	AttemptsBeforeDeactivation int
	Path                       string // HTTP and HTTPS only
	StatusRegex                string
	BodyRegex                  string
	HostHeader                 string
}

// ConnectionThrottle limits connections per client address.
type ConnectionThrottle struct {
	MaxConnections    int
	MinConnections    int
	MaxConnectionRate int
	RateInterval      int
}

// NetworkItem is an access list entry.
type NetworkItem struct {
	ID      int
	Address string // an address or a CIDR
	Type    string // ALLOW or DENY
}

// Meta is a metadata item of a load balancer or a node.
type Meta struct {
	ID    int
	Key   string
	Value string
}

// SSLTermination is a load balancer's SSL termination configuration.
type SSLTermination struct {
	Enabled                 bool
	SecureTrafficOnly       bool
	SecurePort              int
	CipherProfile           string
	Certificate             string
	IntermediateCertificate string
	PrivateKey              string
	TLS10Disabled           bool
	TLS11Disabled           bool
}

// CertificateMapping maps a host name to its own certificate on an
// SSL-terminated load balancer.
type CertificateMapping struct {
	ID                      int
	HostName                string
	Certificate             string
	IntermediateCertificate string
	PrivateKey              string
}

// Stats are the connection counters /stats reports. The fake carries no
// traffic, so they are whatever [CLB.SetStats] last set (zero).
type Stats struct {
	ConnectTimeOut       int
	ConnectError         int
	ConnectFailure       int
	DataTimedOut         int
	KeepAliveTimedOut    int
	MaxConn              int
	CurrentConn          int
	ConnectTimeOutSsl    int
	ConnectErrorSsl      int
	ConnectFailureSsl    int
	DataTimedOutSsl      int
	KeepAliveTimedOutSsl int
	MaxConnSsl           int
	CurrentConnSsl       int
}

// NodeEvent is a node service event: a node's status changed.
type NodeEvent struct {
	ID              int
	LoadBalancerID  int
	NodeID          int
	Title           string // "Node Status Updated"
	Description     string // "Node '410' status changed to 'OFFLINE' for load balancer '2000'"
	DetailedMessage string
	Type            string // UPDATE_NODE
	Category        string // UPDATE
	Severity        string // INFO
	Created         time.Time
}

// Durations say how long each transition takes on the shared clock.
type Durations struct {
	Build         time.Duration // BUILD -> ACTIVE after creation
	PendingUpdate time.Duration // PENDING_UPDATE -> ACTIVE after each change
	PendingDelete time.Duration // PENDING_DELETE -> DELETED after a delete
	// Purge is how long a DELETED load balancer stays visible (GET answers
	// with its DELETED status, sub-resources with 410) before it is gone
	// (404). Zero keeps it forever.
	Purge time.Duration
}

// DefaultDurations: a build takes 10 seconds (Mimic's lb_building default),
// a change 5, a delete 10; deleted load balancers stay visible for 90 days,
// as Rackspace documents.
func DefaultDurations() Durations {
	return Durations{Build: 10 * time.Second, PendingUpdate: 5 * time.Second,
		PendingDelete: 10 * time.Second, Purge: 90 * 24 * time.Hour}
}

// Instant makes every transition complete at once and keeps DELETED load
// balancers forever.
func Instant() Durations { return Durations{} }

// AbsoluteLimits are an account's absolute limits. A limit of zero or less
// is not enforced.
type AbsoluteLimits struct {
	LoadBalancers       int // LOADBALANCER_LIMIT
	Nodes               int // NODE_LIMIT, per load balancer
	IPv6                int // IPV6_LIMIT, virtual IPs per load balancer
	BatchDelete         int // BATCH_DELETE_LIMIT, IDs per batch delete
	AccessList          int // ACCESS_LIST_LIMIT, network items per load balancer
	NodeMetadata        int // NODE_META_LIMIT
	CertificateMappings int // CERTIFICATE_MAPPING_LIMIT
	LoadBalancerMeta    int // LOADBALANCER_META_LIMIT
}

// DefaultAbsoluteLimits are Rackspace's defaults.
func DefaultAbsoluteLimits() AbsoluteLimits {
	return AbsoluteLimits{LoadBalancers: 25, Nodes: 25, IPv6: 25, BatchDelete: 10,
		AccessList: 100, NodeMetadata: 25, CertificateMappings: 20, LoadBalancerMeta: 25}
}

// Protocol is a load balancing protocol and its default port (0: the port
// must be given).
type Protocol struct {
	Name string
	Port int
}

// Protocols lists the protocols the API accepts, in the order
// /loadbalancers/protocols reports them.
func Protocols() []Protocol {
	return []Protocol{
		{"DNS_TCP", 53}, {"DNS_UDP", 53}, {"FTP", 21}, {"HTTP", 80}, {"HTTPS", 443},
		{"IMAPS", 993}, {"IMAPv4", 143}, {"LDAP", 389}, {"LDAPS", 636},
		{"MYSQL", 3306}, {"POP3", 110}, {"POP3S", 995}, {"SMTP", 25}, {"TCP", 0},
		{"TCP_CLIENT_FIRST", 0}, {"UDP", 0}, {"UDP_STREAM", 0}, {"SFTP", 22}, {"TCP_STREAM", 0},
	}
}

// Algorithms lists the load balancing algorithms.
func Algorithms() []string {
	return []string{"LEAST_CONNECTIONS", "RANDOM", "ROUND_ROBIN", "WEIGHTED_LEAST_CONNECTIONS", "WEIGHTED_ROUND_ROBIN"}
}

func protocolPort(name string) (int, bool) {
	for _, p := range Protocols() {
		if p.Name == name {
			return p.Port, true
		}
	}
	return 0, false
}

func validAlgorithm(name string) bool {
	for _, a := range Algorithms() {
		if a == name {
			return true
		}
	}
	return false
}

func udpProtocol(p string) bool { return p == "UDP" || p == "UDP_STREAM" || p == "DNS_UDP" }

// loadBalancer is the stored form: the exported view plus what is pending.
// Nodes and VirtualIPs of the embedded view are left nil; snapshot fills
// them from nodes and vipIDs.
type loadBalancer struct {
	LoadBalancer
	nodes      []*node
	vipIDs     []int
	pending    []transition // in time order
	behavior   Behavior
	nodeEvents []NodeEvent
	purgeAt    time.Time // zero: never
	deletedAt  time.Time
	// deletedVIPs are the virtual IPs a DELETED load balancer still shows
	// (KeepDeletedVIPs); they are released all the same.
	deletedVIPs []VirtualIP
}

// transition is a status change at a point on the clock, applied lazily
// when the load balancer is next read or acted on.
type transition struct {
	at     time.Time
	status string
}

type node struct {
	Node
	onlineAt time.Time // the first health check passes then; zero: none pending
	feed     []feedEntry
}

// feedEntry is an entry of a node's Atom feed (Mimic's nodes/{id}.atom).
type feedEntry struct {
	summary string
	at      time.Time
}

// sharedVIP is a virtual IP and the load balancers that use it.
type sharedVIP struct {
	VirtualIP
	tenant string
	lbs    map[int]bool
}

func (lb *loadBalancer) node(id int) *node {
	for _, n := range lb.nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// snapshot returns a deep copy of the exported view.
func (c *CLB) snapshotLocked(lb *loadBalancer) LoadBalancer {
	out := lb.LoadBalancer
	out.VirtualIPs = c.vipsOfLocked(lb)
	out.Nodes = make([]Node, len(lb.nodes))
	for i, n := range lb.nodes {
		out.Nodes[i] = n.snapshot()
	}
	if lb.HealthMonitor != nil {
		hm := *lb.HealthMonitor
		out.HealthMonitor = &hm
	}
	if lb.ConnectionThrottle != nil {
		ct := *lb.ConnectionThrottle
		out.ConnectionThrottle = &ct
	}
	if lb.SSLTermination != nil {
		ssl := *lb.SSLTermination
		out.SSLTermination = &ssl
	}
	out.AccessList = append([]NetworkItem(nil), lb.AccessList...)
	out.Metadata = append([]Meta(nil), lb.Metadata...)
	out.CertificateMapping = append([]CertificateMapping(nil), lb.CertificateMapping...)
	return out
}

func (n *node) snapshot() Node {
	out := n.Node
	out.Metadata = append([]Meta(nil), n.Metadata...)
	return out
}

func (c *CLB) vipsOfLocked(lb *loadBalancer) []VirtualIP {
	if lb.Status == StatusDeleted && lb.deletedVIPs != nil {
		return append([]VirtualIP(nil), lb.deletedVIPs...)
	}
	out := make([]VirtualIP, 0, len(lb.vipIDs))
	for _, id := range lb.vipIDs {
		if v, ok := c.vips[id]; ok {
			out = append(out, v.VirtualIP)
		}
	}
	return out
}
