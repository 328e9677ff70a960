package loadbalancer

import (
	"net/http"
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

func (c *CLB) accountRoutes() []apiRoute {
	return []apiRoute{
		{OpAbsoluteLimits, "GET", "/loadbalancers/absolutelimits", c.absoluteLimits},
		{OpRateLimits, "GET", "/limits", c.rateLimits},
		{OpListProtocols, "GET", "/loadbalancers/protocols", c.listProtocols},
		{OpListAlgorithms, "GET", "/loadbalancers/algorithms", c.listAlgorithms},
		{OpListAllowedDomains, "GET", "/loadbalancers/alloweddomains", c.listAllowedDomains},
		{OpRegionalSourceAddresses, "GET", "/regionalsourceaddresses", c.regionalSourceAddresses},
		{OpClusterSourceAddresses, "GET", "/loadbalancers/{lb_id}/clustersourceaddresses", c.clusterSourceAddresses},
	}
}

type limitJSON struct {
	Name  string `json:"name"`
	Value int    `json:"value"`
}

// absoluteLimits lists the limits in the order the API reports them.
func (c *CLB) absoluteLimits(*http.Request) (int, any, *apiError) {
	l := c.limits
	return http.StatusOK, map[string]any{"absolute": []limitJSON{
		{"IPV6_LIMIT", l.IPv6}, {"LOADBALANCER_LIMIT", l.LoadBalancers}, {"BATCH_DELETE_LIMIT", l.BatchDelete},
		{"ACCESS_LIST_LIMIT", l.AccessList}, {"NODE_LIMIT", l.Nodes}, {"NODE_META_LIMIT", l.NodeMetadata},
		{"CERTIFICATE_MAPPING_LIMIT", l.CertificateMappings}, {"LOADBALANCER_META_LIMIT", l.LoadBalancerMeta},
	}}, nil
}

type rateLimitJSON struct {
	NextAvailable string `json:"next-available"`
	Remaining     int    `json:"remaining"`
	Unit          string `json:"unit"`
	Value         int    `json:"value"`
	Verb          string `json:"verb"`
}

// rateLimits reports the default per-minute rate limits. The fake does not
// enforce them; inject a fault (see OverLimit) to see a 413.
func (c *CLB) rateLimits(*http.Request) (int, any, *apiError) {
	next := formatTime(c.now())
	limit := func(verb string, n int) rateLimitJSON {
		return rateLimitJSON{NextAvailable: next, Remaining: n, Unit: "MINUTE", Value: n, Verb: verb}
	}
	return http.StatusOK, map[string]any{"limits": map[string]any{"rate": []map[string]any{{
		"limit": []rateLimitJSON{limit("GET", 600), limit("PUT", 600), limit("DELETE", 300), limit("POST", 300)},
		"regex": rateLimitRegex,
		"uri":   rateLimitURI,
	}}}}, nil
}

func (c *CLB) listProtocols(*http.Request) (int, any, *apiError) {
	type protocolJSON struct {
		Name string `json:"name"`
		Port int    `json:"port"`
	}
	ps := Protocols()
	out := make([]protocolJSON, len(ps))
	for i, p := range ps {
		out[i] = protocolJSON{p.Name, p.Port}
	}
	return http.StatusOK, map[string]any{"protocols": out}, nil
}

func (c *CLB) listAlgorithms(*http.Request) (int, any, *apiError) {
	as := Algorithms()
	out := make([]map[string]string, len(as))
	for i, a := range as {
		out[i] = map[string]string{"name": a}
	}
	return http.StatusOK, map[string]any{"algorithms": out}, nil
}

func (c *CLB) listAllowedDomains(*http.Request) (int, any, *apiError) {
	out := make([]map[string]any, len(c.domains))
	for i, d := range c.domains {
		out[i] = map[string]any{"allowedDomain": map[string]string{"name": d}}
	}
	return http.StatusOK, map[string]any{"allowedDomains": out}, nil
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

func (c *CLB) regionalSourceAddresses(*http.Request) (int, any, *apiError) {
	return http.StatusOK, map[string]any{"RegionalSourceAddresses": c.sourceLists()}, nil
}

func (c *CLB) clusterSourceAddresses(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.liveLBFromPath(r); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"clusterSourceAddresses": c.sourceLists()}, nil
}
