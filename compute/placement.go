// Placement: which host and zone a server lands on. Hosts are spread over
// the zones round-robin (zoneHosts); a server goes to its zone's hosts in
// turn, or where its server group's policy puts it.
//
// Fidelity limits: no resources are counted (a host takes any number of
// servers); soft policies fall back to round-robin instead of weighing.

package compute

// placement is where a server goes.
type placement struct {
	host, zone string
	// placed is false when no host satisfies a hard policy: the server
	// goes to ERROR, as Nova's scheduler fails it.
	placed bool
}

// placeLocked places the n-th instance in zone ("" for any): on a host of
// the zone (pickHostLocked), and with no zone asked for, in its host's
// zone, as Nova shows it.
func (c *Compute) placeLocked(g *ServerGroup, zone string, n int) placement {
	host, placed := c.pickHostLocked(g, zone, n)
	if zone == "" {
		zone = c.zoneOf(host)
	}
	return placement{host: host, zone: zone, placed: placed}
}

// pickHostLocked picks a host for the n-th instance among the hosts of
// zone (any host for ""), round-robin, honouring a server group's policy;
// placed is false when no host satisfies a hard policy.
func (c *Compute) pickHostLocked(g *ServerGroup, zone string, n int) (host string, placed bool) {
	hosts := c.hostsOf(zone)
	rr := hosts[(n-1)%len(hosts)]
	if g == nil {
		return rr, true
	}
	used := map[string]bool{}
	first := "" // the host of the earliest live member, for affinity
	for _, id := range g.Members {
		if s, ok := c.servers[id]; ok && c.liveLocked(s) {
			used[s.Host] = true
			if first == "" {
				first = s.Host
			}
		}
	}
	switch g.Policy {
	case "affinity", "soft-affinity":
		if first != "" {
			return first, true
		}
		return rr, true
	case "anti-affinity", "soft-anti-affinity":
		for i := 0; i < len(hosts); i++ {
			h := hosts[(n-1+i)%len(hosts)]
			if !used[h] {
				return h, true
			}
		}
		return rr, g.Policy == "soft-anti-affinity"
	}
	return rr, true
}

// hostsOf are the hosts of a zone as os-availability-zone shows them
// (zoneHosts); every host for "" or a zone that has none.
func (c *Compute) hostsOf(zone string) []string {
	if hosts := c.zoneHosts()[zone]; zone != "" && len(hosts) > 0 {
		return hosts
	}
	return c.hosts
}

// zoneOf is the zone a host is in (zoneHosts).
func (c *Compute) zoneOf(host string) string {
	for i, h := range c.hosts {
		if h == host {
			return c.zones[i%len(c.zones)]
		}
	}
	return c.zones[0]
}
