package loadbalancer

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeFormat is how the API writes instants: "2011-04-13T14:18:07Z".
const timeFormat = "2006-01-02T15:04:05Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

type timeJSON struct {
	Time string `json:"time"`
}

type enabledJSON struct {
	Enabled bool `json:"enabled"`
}

type clusterJSON struct {
	Name string `json:"name"`
}

type vipJSON struct {
	Address   string `json:"address"`
	ID        int    `json:"id"`
	Type      string `json:"type"`
	IPVersion string `json:"ipVersion"`
}

type metaJSON struct {
	ID    int    `json:"id"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

type nodeJSON struct {
	ID        int        `json:"id"`
	Address   string     `json:"address"`
	Port      int        `json:"port"`
	Condition string     `json:"condition"`
	Status    string     `json:"status"`
	Weight    int        `json:"weight"`
	Type      string     `json:"type"`
	Metadata  []metaJSON `json:"metadata,omitempty"`
}

type sourceJSON struct {
	IPv6Public     string `json:"ipv6Public"`
	IPv4Servicenet string `json:"ipv4Servicenet"`
	IPv4Public     string `json:"ipv4Public"`
}

type persistenceJSON struct {
	PersistenceType string `json:"persistenceType"`
}

type throttleJSON struct {
	MaxConnections    int `json:"maxConnections"`
	MinConnections    int `json:"minConnections"`
	MaxConnectionRate int `json:"maxConnectionRate"`
	RateInterval      int `json:"rateInterval"`
}

type monitorJSON struct {
	Type                       string `json:"type"`
	Delay                      int    `json:"delay"`
	Timeout                    int    `json:"timeout"`
	AttemptsBeforeDeactivation int    `json:"attemptsBeforeDeactivation"`
	Path                       string `json:"path,omitempty"`
	StatusRegex                string `json:"statusRegex,omitempty"`
	BodyRegex                  string `json:"bodyRegex,omitempty"`
	HostHeader                 string `json:"hostHeader,omitempty"`
}

type itemJSON struct {
	Address string `json:"address"`
	ID      int    `json:"id"`
	Type    string `json:"type"`
}

// lbJSON is the detailed form (create, show).
type lbJSON struct {
	Name               string           `json:"name"`
	ID                 int              `json:"id"`
	Protocol           string           `json:"protocol"`
	Port               int              `json:"port"`
	Algorithm          string           `json:"algorithm"`
	Status             string           `json:"status"`
	Timeout            int              `json:"timeout"`
	HalfClosed         bool             `json:"halfClosed"`
	Cluster            clusterJSON      `json:"cluster"`
	Nodes              []nodeJSON       `json:"nodes,omitempty"`
	VirtualIPs         []vipJSON        `json:"virtualIps"`
	SessionPersistence *persistenceJSON `json:"sessionPersistence,omitempty"`
	ConnectionThrottle *throttleJSON    `json:"connectionThrottle,omitempty"`
	HealthMonitor      *monitorJSON     `json:"healthMonitor,omitempty"`
	AccessList         []itemJSON       `json:"accessList,omitempty"`
	Metadata           []metaJSON       `json:"metadata,omitempty"`
	Created            timeJSON         `json:"created"`
	Updated            timeJSON         `json:"updated"`
	SourceAddresses    sourceJSON       `json:"sourceAddresses"`
	HTTPSRedirect      bool             `json:"httpsRedirect"`
	ConnectionLogging  enabledJSON      `json:"connectionLogging"`
	ContentCaching     enabledJSON      `json:"contentCaching"`
}

// lbSummaryJSON is the list form.
type lbSummaryJSON struct {
	Name       string    `json:"name"`
	ID         int       `json:"id"`
	Protocol   string    `json:"protocol"`
	Port       int       `json:"port"`
	Algorithm  string    `json:"algorithm"`
	Status     string    `json:"status"`
	NodeCount  int       `json:"nodeCount"`
	Timeout    int       `json:"timeout"`
	VirtualIPs []vipJSON `json:"virtualIps"`
	Created    timeJSON  `json:"created"`
	Updated    timeJSON  `json:"updated"`
}

// lbBriefJSON is what ?nodeaddress= lists: ID, name and status.
type lbBriefJSON struct {
	Name   string `json:"name"`
	ID     int    `json:"id"`
	Status string `json:"status"`
}

func renderVIPs(vs []VirtualIP) []vipJSON {
	out := make([]vipJSON, len(vs))
	for i, v := range vs {
		out[i] = vipJSON{Address: v.Address, ID: v.ID, Type: v.Type, IPVersion: v.IPVersion}
	}
	return out
}

func renderMeta(ms []Meta) []metaJSON {
	out := make([]metaJSON, len(ms))
	for i, m := range ms {
		out[i] = metaJSON(m)
	}
	return out
}

func renderNode(n Node) nodeJSON {
	return nodeJSON{ID: n.ID, Address: n.Address, Port: n.Port, Condition: n.Condition,
		Status: n.Status, Weight: n.Weight, Type: n.Type}
}

func renderNodes(ns []Node) []nodeJSON {
	out := make([]nodeJSON, len(ns))
	for i, n := range ns {
		out[i] = renderNode(n)
	}
	return out
}

func renderMonitor(hm *HealthMonitor) *monitorJSON {
	if hm == nil {
		return nil
	}
	return &monitorJSON{Type: hm.Type, Delay: hm.Delay, Timeout: hm.Timeout,
		AttemptsBeforeDeactivation: hm.AttemptsBeforeDeactivation, Path: hm.Path,
		StatusRegex: hm.StatusRegex, BodyRegex: hm.BodyRegex, HostHeader: hm.HostHeader}
}

func renderThrottle(ct *ConnectionThrottle) *throttleJSON {
	if ct == nil {
		return nil
	}
	return &throttleJSON{MaxConnections: ct.MaxConnections, MinConnections: ct.MinConnections,
		MaxConnectionRate: ct.MaxConnectionRate, RateInterval: ct.RateInterval}
}

func renderItems(items []NetworkItem) []itemJSON {
	out := make([]itemJSON, len(items))
	for i, it := range items {
		out[i] = itemJSON{Address: it.Address, ID: it.ID, Type: it.Type}
	}
	return out
}

func (c *CLB) renderDetail(lb LoadBalancer) lbJSON {
	out := lbJSON{
		Name: lb.Name, ID: lb.ID, Protocol: lb.Protocol, Port: lb.Port, Algorithm: lb.Algorithm,
		Status: lb.Status, Timeout: lb.Timeout, HalfClosed: lb.HalfClosed,
		Cluster:            clusterJSON{Name: lb.Cluster},
		VirtualIPs:         renderVIPs(lb.VirtualIPs),
		ConnectionThrottle: renderThrottle(lb.ConnectionThrottle),
		HealthMonitor:      renderMonitor(lb.HealthMonitor),
		Created:            timeJSON{formatTime(lb.Created)},
		Updated:            timeJSON{formatTime(lb.Updated)},
		SourceAddresses:    c.sourceAddresses(),
		HTTPSRedirect:      lb.HTTPSRedirect,
		ConnectionLogging:  enabledJSON{lb.ConnectionLogging},
		ContentCaching:     enabledJSON{lb.ContentCaching},
	}
	if len(lb.Nodes) > 0 {
		out.Nodes = renderNodes(lb.Nodes)
	}
	if lb.SessionPersistence != "" {
		out.SessionPersistence = &persistenceJSON{lb.SessionPersistence}
	}
	if len(lb.AccessList) > 0 {
		out.AccessList = renderItems(lb.AccessList)
	}
	if len(lb.Metadata) > 0 {
		out.Metadata = renderMeta(lb.Metadata)
	}
	return out
}

func renderSummary(lb LoadBalancer) lbSummaryJSON {
	return lbSummaryJSON{
		Name: lb.Name, ID: lb.ID, Protocol: lb.Protocol, Port: lb.Port, Algorithm: lb.Algorithm,
		Status: lb.Status, NodeCount: len(lb.Nodes), Timeout: lb.Timeout,
		VirtualIPs: renderVIPs(lb.VirtualIPs),
		Created:    timeJSON{formatTime(lb.Created)}, Updated: timeJSON{formatTime(lb.Updated)},
	}
}

// sourceAddresses are the addresses traffic from this region's cluster
// comes from.
func (c *CLB) sourceAddresses() sourceJSON {
	return sourceJSON{IPv6Public: "2001:db8:ffff:1::1/64", IPv4Servicenet: "10.189.254.1", IPv4Public: "198.19.254.1"}
}

// clusterName is the name of the (only) cluster of this region.
func (c *CLB) clusterName() string {
	return fmt.Sprintf("ztm-n01.%s1.lbaas.mockcloud.test", strings.ToLower(c.Region()))
}

// accountID renders a tenant as the API's numeric account ID when it is
// one, and as a string otherwise.
func accountID(tenant string) any {
	if n, err := strconv.Atoi(tenant); err == nil {
		return n
	}
	return tenant
}
