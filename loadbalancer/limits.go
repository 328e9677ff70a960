package loadbalancer

import (
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the account-wide, read-only resources.
const (
	OpAbsoluteLimits           = "loadbalancer.absolutelimits"
	OpRateLimits               = "loadbalancer.limits"
	OpListProtocols            = "loadbalancer.protocols"
	OpListAlgorithms           = "loadbalancer.algorithms"
	OpListAllowedDomains       = "loadbalancer.alloweddomains"
	OpRegionalSourceAddresses  = "loadbalancer.regionalsourceaddresses"
	OpClusterSourceAddresses   = "loadbalancer.clustersourceaddresses"
	rateLimitRegex             = ".*/([0-9]+)/loadbalancers.*"
	rateLimitURI               = "/v1.0/*"
	sourceAddressesServicenet6 = "2001:db8:ffff:2::1"
)

func (c *CLB) accountRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpAbsoluteLimits, Method: "GET", Path: "/loadbalancers/absolutelimits", Handler: c.absoluteLimits},
		{Op: OpRateLimits, Method: "GET", Path: "/limits", Handler: c.rateLimits},
		{Op: OpListProtocols, Method: "GET", Path: "/loadbalancers/protocols", Handler: c.listProtocols},
		{Op: OpListAlgorithms, Method: "GET", Path: "/loadbalancers/algorithms", Handler: c.listAlgorithms},
		{Op: OpListAllowedDomains, Method: "GET", Path: "/loadbalancers/alloweddomains", Handler: c.listAllowedDomains},
		{Op: OpRegionalSourceAddresses, Method: "GET", Path: "/regionalsourceaddresses", Handler: c.regionalSourceAddresses},
		{Op: OpClusterSourceAddresses, Method: "GET", Path: "/loadbalancers/{lb_id}/clustersourceaddresses", Handler: c.clusterSourceAddresses},
	}
}

type limitJSON struct {
	Name  string `json:"name"`
	Value int    `json:"value"`
}

// absoluteLimits lists the limits in the order the API reports them.
func (c *CLB) absoluteLimits(*kit.Call) (kit.Reply, error) {
	l := c.cfg.limits
	return kit.OK(absoluteLimitsJSON{Absolute: []limitJSON{
		{"IPV6_LIMIT", l.IPv6}, {"LOADBALANCER_LIMIT", l.LoadBalancers}, {"BATCH_DELETE_LIMIT", l.BatchDelete},
		{"ACCESS_LIST_LIMIT", l.AccessList}, {"NODE_LIMIT", l.Nodes}, {"NODE_META_LIMIT", l.NodeMetadata},
		{"CERTIFICATE_MAPPING_LIMIT", l.CertificateMappings}, {"LOADBALANCER_META_LIMIT", l.LoadBalancerMeta},
	}}), nil
}

type absoluteLimitsJSON struct {
	Absolute []limitJSON `json:"absolute"`
}

type rateLimitJSON struct {
	NextAvailable string `json:"next-available"`
	Remaining     int    `json:"remaining"`
	Unit          string `json:"unit"`
	Value         int    `json:"value"`
	Verb          string `json:"verb"`
}

type rateLimitsJSON struct {
	Limits struct {
		Rate []rateJSON `json:"rate"`
	} `json:"limits"`
}

type rateJSON struct {
	Limit []rateLimitJSON `json:"limit"`
	Regex string          `json:"regex"`
	URI   string          `json:"uri"`
}

// rateLimits reports the default per-minute rate limits. The fake does not
// enforce them; inject a fault (see OverLimit) to see a 413.
func (c *CLB) rateLimits(call *kit.Call) (kit.Reply, error) {
	next := formatTime(call.Now)
	limit := func(verb string, n int) rateLimitJSON {
		return rateLimitJSON{NextAvailable: next, Remaining: n, Unit: "MINUTE", Value: n, Verb: verb}
	}
	var out rateLimitsJSON
	out.Limits.Rate = []rateJSON{{
		Limit: []rateLimitJSON{limit("GET", 600), limit("PUT", 600), limit("DELETE", 300), limit("POST", 300)},
		Regex: rateLimitRegex,
		URI:   rateLimitURI,
	}}
	return kit.OK(out), nil
}

type protocolJSON struct {
	Name string `json:"name"`
	Port int    `json:"port"`
}

type protocolsJSON struct {
	Protocols []protocolJSON `json:"protocols"`
}

func (c *CLB) listProtocols(*kit.Call) (kit.Reply, error) {
	ps := Protocols()
	out := make([]protocolJSON, len(ps))
	for i, p := range ps {
		out[i] = protocolJSON(p)
	}
	return kit.OK(protocolsJSON{out}), nil
}

// nameJSON is {"name": …}, the element of several lists.
type nameJSON struct {
	Name string `json:"name"`
}

func namesJSON(names []string) []nameJSON {
	out := make([]nameJSON, len(names))
	for i, n := range names {
		out[i] = nameJSON{n}
	}
	return out
}

type algorithmsJSON struct {
	Algorithms []nameJSON `json:"algorithms"`
}

func (c *CLB) listAlgorithms(*kit.Call) (kit.Reply, error) {
	return kit.OK(algorithmsJSON{namesJSON(Algorithms())}), nil
}

type allowedDomainJSON struct {
	AllowedDomain nameJSON `json:"allowedDomain"`
}

type allowedDomainsJSON struct {
	AllowedDomains []allowedDomainJSON `json:"allowedDomains"`
}

func (c *CLB) listAllowedDomains(*kit.Call) (kit.Reply, error) {
	out := make([]allowedDomainJSON, len(c.cfg.domains))
	for i, d := range c.cfg.domains {
		out[i] = allowedDomainJSON{nameJSON{d}}
	}
	return kit.OK(allowedDomainsJSON{out}), nil
}

type sourceListsJSON struct {
	IPv4Publicnets  []string `json:"ipv4Publicnets"`
	IPv4Servicenets []string `json:"ipv4Servicenets"`
	IPv6Publicnets  []string `json:"ipv6Publicnets"`
	IPv6Servicenets []string `json:"ipv6Servicenets"`
}

// sourceLists are the addresses of this region's (single) cluster and its
// failover host.
func (c *CLB) sourceLists() sourceListsJSON {
	return sourceListsJSON{
		IPv4Publicnets:  []string{"198.19.254.1", "198.19.254.2"},
		IPv4Servicenets: []string{"10.189.254.1", "10.189.254.2"},
		IPv6Publicnets:  []string{"2001:db8:ffff:1::1", "2001:db8:ffff:1::2"},
		IPv6Servicenets: []string{sourceAddressesServicenet6, "2001:db8:ffff:2::2"},
	}
}

func (c *CLB) regionalSourceAddresses(*kit.Call) (kit.Reply, error) {
	return kit.OK(struct {
		RegionalSourceAddresses sourceListsJSON `json:"RegionalSourceAddresses"`
	}{c.sourceLists()}), nil
}

func (c *CLB) clusterSourceAddresses(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.liveLBFromPath(call); err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(struct {
		ClusterSourceAddresses sourceListsJSON `json:"clusterSourceAddresses"`
	}{c.sourceLists()}), nil
}
