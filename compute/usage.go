// os-simple-tenant-usage: what each project's servers used over a period
// (start to end, at most now), from their lifetimes on the shared clock:
// the hours from launch to termination within the period, times the
// flavor's vCPUs, memory and disk. The list of every project is admin
// only; a project reads its own. Paging (limit, marker) from 2.40.

package compute

import (
	"net/url"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-simple-tenant-usage.
const (
	OpListTenantUsage = "compute.usage.list"
	OpGetTenantUsage  = "compute.usage.get"
)

func (c *Compute) usageRoutes() []kit.Route {
	return []kit.Route{
		route(OpListTenantUsage, "GET", "/os-simple-tenant-usage", c.listTenantUsage),
		// gophercloud asks for every project's usage with a trailing slash.
		route(OpListTenantUsage, "GET", "/os-simple-tenant-usage/", c.listTenantUsage),
		route(OpGetTenantUsage, "GET", "/os-simple-tenant-usage/{tenant_id}", c.getTenantUsage),
	}
}

// serverUsageJSON is one server's usage over the period.
type serverUsageJSON struct {
	EndedAt    *string `json:"ended_at"`
	Flavor     string  `json:"flavor"`
	Hours      float64 `json:"hours"`
	InstanceID string  `json:"instance_id"`
	LocalGB    int     `json:"local_gb"`
	MemoryMB   int     `json:"memory_mb"`
	Name       string  `json:"name"`
	StartedAt  string  `json:"started_at"`
	State      string  `json:"state"`
	TenantID   string  `json:"tenant_id"`
	Uptime     int64   `json:"uptime"`
	VCPUs      int     `json:"vcpus"`
}

// tenantUsageJSON is one project's usage; ServerUsages only when detailed.
type tenantUsageJSON struct {
	ServerUsages       *[]serverUsageJSON `json:"server_usages,omitempty"`
	Start              string             `json:"start"`
	Stop               string             `json:"stop"`
	TenantID           string             `json:"tenant_id"`
	TotalHours         float64            `json:"total_hours"`
	TotalLocalGBUsage  float64            `json:"total_local_gb_usage"`
	TotalMemoryMBUsage float64            `json:"total_memory_mb_usage"`
	TotalVCPUsUsage    float64            `json:"total_vcpus_usage"`
}

type tenantUsageList struct {
	TenantUsages []tenantUsageJSON `json:"tenant_usages"`
	Links        []link            `json:"tenant_usages_links,omitempty"`
}

// tenantUsageBody is the answer for one project: {} when it used nothing.
type tenantUsageBody struct {
	TenantUsage any    `json:"tenant_usage"`
	Links       []link `json:"tenant_usage_links,omitempty"`
}

// usageQuery is a parsed usage query.
type usageQuery struct {
	start, stop time.Time
	detailed    bool
	limit       int
	marker      string
	hasMarker   bool
}

// pyIsoformat is Python's datetime.isoformat of a naive UTC time: the
// microseconds only when there are some.
func pyIsoformat(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format(novaMicroTime)
}

// parseUsageTime reads start or end in the formats Nova accepts; "" is now.
func parseUsageTime(raw string, now time.Time) (time.Time, error) {
	if raw == "" {
		return now, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999"} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t, nil
		}
	}
	return time.Time{}, kit.BadRequest("Invalid datetime string: Datetime is in invalid format")
}

func parseUsageQuery(call *kit.Call, now time.Time, list bool) (usageQuery, error) {
	v := versionOf(call)
	allowed := []string{"start", "end", "limit", "marker"}
	if list {
		allowed = append(allowed, "detailed")
	}
	if err := rejectUnknownQuery(call, 75, allowed...); err != nil {
		return usageQuery{}, err
	}
	q := call.Query()
	uq := usageQuery{limit: maxLimit, detailed: q.Get("detailed") == "1"}
	var err error
	if uq.start, err = parseUsageTime(q.Get("start"), now); err != nil {
		return uq, err
	}
	if uq.stop, err = parseUsageTime(q.Get("end"), now); err != nil {
		return uq, err
	}
	// Nova reads now twice, so start < end holds with neither given.
	if (q.Get("start") != "" || q.Get("end") != "") && !uq.start.Before(uq.stop) {
		return uq, kit.BadRequest("Invalid start time. The start time cannot occur after the end time.")
	}
	if uq.stop.After(now) {
		uq.stop = now
	}
	if v.AtLeast(40) {
		n, given, err := queryInt(call, "limit", 0)
		if err != nil {
			return uq, err
		}
		uq.limit = pageSize(n, given)
		if m, ok := q["marker"]; ok {
			uq.marker, uq.hasMarker = m[0], true
		}
	}
	return uq, nil
}

// hoursIn is Nova's _hours_for: the hours of [launched, terminated] that
// fall in the period.
func hoursIn(s *server, start, stop time.Time) float64 {
	if s.LaunchedAt.IsZero() || s.LaunchedAt.After(stop) {
		return 0
	}
	if !s.TerminatedAt.IsZero() && s.TerminatedAt.Before(start) {
		return 0
	}
	from, to := s.LaunchedAt, stop
	if from.Before(start) {
		from = start
	}
	if !s.TerminatedAt.IsZero() && s.TerminatedAt.Before(stop) {
		to = s.TerminatedAt
	}
	return to.Sub(from).Hours()
}

// usageServersLocked are the servers active in the period (launched before
// its end, not terminated before its start), deleted ones too, oldest
// first, one page after the marker; project "" is every project.
func (c *Compute) usageServersLocked(project string, uq usageQuery) ([]*server, error) {
	now := c.Now()
	var all []*server
	for _, s := range c.servers {
		c.settleLocked(s, now)
		if project != "" && s.ProjectID != project {
			continue
		}
		if s.LaunchedAt.IsZero() || !s.LaunchedAt.Before(uq.stop) {
			continue
		}
		if !s.TerminatedAt.IsZero() && !s.TerminatedAt.After(uq.start) {
			continue
		}
		all = append(all, s)
	}
	sortServersByCreation(all)
	if uq.hasMarker {
		i, ok := afterMarker(all, func(s *server) string { return s.ID }, uq.marker)
		if !ok {
			return nil, kit.BadRequest("Marker %s could not be found.", uq.marker)
		}
		all = all[i:]
	}
	if len(all) > uq.limit {
		all = all[:uq.limit]
	}
	return all, nil
}

// serverUsageLocked is one server's usage over the period.
func (c *Compute) serverUsageLocked(s *server, uq usageQuery, now time.Time) serverUsageJSON {
	u := serverUsageJSON{
		Hours: hoursIn(s, uq.start, uq.stop), InstanceID: s.ID, Name: s.Name, TenantID: s.ProjectID,
		MemoryMB: s.MemoryMB, VCPUs: s.VCPUs, LocalGB: s.DiskGB, StartedAt: pyIsoformat(s.LaunchedAt), State: s.VMState,
	}
	if f, ok := c.flavors[s.FlavorID]; ok {
		u.Flavor = f.Name
		u.LocalGB += f.Ephemeral
	}
	end := now
	if !s.TerminatedAt.IsZero() {
		ended := pyIsoformat(s.TerminatedAt)
		u.EndedAt, u.State, end = &ended, "terminated", s.TerminatedAt
	}
	u.Uptime = int64(end.Sub(s.LaunchedAt) / time.Second)
	return u
}

// tenantUsagesLocked sums the servers' usage per project, in the order
// the projects first appear.
func (c *Compute) tenantUsagesLocked(list []*server, uq usageQuery, detailed bool) []tenantUsageJSON {
	now := c.Now()
	var out []tenantUsageJSON
	index := map[string]int{}
	for _, s := range list {
		u := c.serverUsageLocked(s, uq, now)
		i, ok := index[u.TenantID]
		if !ok {
			t := tenantUsageJSON{TenantID: u.TenantID, Start: pyIsoformat(uq.start), Stop: pyIsoformat(uq.stop)}
			if detailed {
				t.ServerUsages = &[]serverUsageJSON{}
			}
			i = len(out)
			index[u.TenantID] = i
			out = append(out, t)
		}
		t := &out[i]
		t.TotalLocalGBUsage += float64(u.LocalGB) * u.Hours
		t.TotalVCPUsUsage += float64(u.VCPUs) * u.Hours
		t.TotalMemoryMBUsage += float64(u.MemoryMB) * u.Hours
		t.TotalHours += u.Hours
		if detailed {
			*t.ServerUsages = append(*t.ServerUsages, u)
		}
	}
	return out
}

// usageLinks is the next link of a full page (2.40), marked by the last
// server.
func usageLinks(call *kit.Call, collection string, page []*server, uq usageQuery) []link {
	if !versionOf(call).AtLeast(40) || len(page) == 0 || len(page) != uq.limit {
		return nil
	}
	return nextLink(collectionNextLink(call, collection, page[len(page)-1].ID))
}

func (c *Compute) listTenantUsage(call *kit.Call) (kit.Reply, error) {
	if err := nvAdminOnly(call, "os_compute_api:os-simple-tenant-usage:list"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	uq, err := parseUsageQuery(call, c.Now(), true)
	if err != nil {
		return kit.Reply{}, err
	}
	page, err := c.usageServersLocked("", uq)
	if err != nil {
		return kit.Reply{}, err
	}
	body := tenantUsageList{TenantUsages: c.tenantUsagesLocked(page, uq, uq.detailed)}
	if body.TenantUsages == nil {
		body.TenantUsages = []tenantUsageJSON{}
	}
	body.Links = usageLinks(call, "os-simple-tenant-usage", page, uq)
	return kit.OK(body), nil
}

func (c *Compute) getTenantUsage(call *kit.Call) (kit.Reply, error) {
	project := call.Var("tenant_id")
	if project != callerOf(call).projectID && !adminAllowed(call) {
		return kit.Reply{}, policyDenied("os_compute_api:os-simple-tenant-usage:show")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	uq, err := parseUsageQuery(call, c.Now(), false)
	if err != nil {
		return kit.Reply{}, err
	}
	page, err := c.usageServersLocked(project, uq)
	if err != nil {
		return kit.Reply{}, err
	}
	body := tenantUsageBody{TenantUsage: struct{}{}}
	if usages := c.tenantUsagesLocked(page, uq, true); len(usages) > 0 {
		body.TenantUsage = usages[0]
	}
	body.Links = usageLinks(call, "os-simple-tenant-usage/"+url.PathEscape(project), page, uq)
	return kit.OK(body), nil
}
