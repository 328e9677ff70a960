package compute

// usage is what a project holds, counted from state (nothing is stored).
type usage struct {
	instances, cores, ram, keypairs, groups int
}

func (c *Compute) quotaLocked(project string) Quota {
	if q, ok := c.quotas[project]; ok {
		return q
	}
	return c.quota
}

// usageLocked counts a project's live servers and what their flavors use.
func (c *Compute) usageLocked(project string) usage {
	var u usage
	now := c.now()
	for _, s := range c.byProject[project] {
		// Settle first: a deletion that is due frees its quota even if
		// nobody has looked at the server since.
		if c.settleLocked(s, now); s.Deleted {
			continue
		}
		u.instances++
		if f, ok := c.flavors[s.FlavorID]; ok {
			u.cores += f.VCPUs
			u.ram += f.RAM
		} else {
			u.cores += s.VCPUs
			u.ram += s.MemoryMB
		}
	}
	for _, g := range c.groups {
		if g.ProjectID == project {
			u.groups++
		}
	}
	return u
}

// SetQuota overrides one project's quota.
func (c *Compute) SetQuota(project string, q Quota) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.quotas[project] = q
}

// QuotaOf returns a project's quota.
func (c *Compute) QuotaOf(project string) Quota {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.quotaLocked(project)
}

// placeLocked picks a host for the n-th instance among the hosts of zone
// (any host for ""), honouring a server group's policy; placed is false
// when no host satisfies a hard policy.
func (c *Compute) placeLocked(g *ServerGroup, zone string, n int) (host string, placed bool) {
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

// liveLocked settles s to now and reports whether it is still there.
func (c *Compute) liveLocked(s *server) bool {
	c.settleLocked(s, c.now())
	return !s.Deleted
}
