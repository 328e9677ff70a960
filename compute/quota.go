package compute

// usage is what a project holds, counted from state (nothing is stored).
type usage struct {
	instances, cores, ram, groups int
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
	now := c.Now()
	for _, s := range c.byProject[project] {
		// Settle first: a deletion that is due frees its quota even if
		// nobody has looked at the server since.
		if c.settleLocked(s, now); s.Deleted || s.VMState == vmSoftDeleted {
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

// Quota returns a project's quota: its own, set by SetQuota or over the
// API, or the default.
func (c *Compute) Quota(project string) Quota {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.quotaLocked(project)
}
