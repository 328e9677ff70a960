// GET /limits and os-quota-sets (show, defaults, detail, update, delete),
// computed from the stored quota and live usage, with the fields each
// microversion removes (network quotas at 2.36, maxImageMeta at 2.39,
// file injection at 2.57).
//
// Fidelity limits: per-user quotas (?user_id) are not modeled (the project's
// are shown); the deprecated network and file-injection quotas show Nova's
// defaults and updates to them are accepted and ignored.

package compute

import (
	"net/http"
	"regexp"
	"sort"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of limits and os-quota-sets.
const (
	OpGetLimits        = "compute.limits.get"
	OpGetQuotaSet      = "compute.quotasets.get"
	OpGetQuotaDefaults = "compute.quotasets.defaults"
	OpGetQuotaDetail   = "compute.quotasets.detail"
	OpUpdateQuotaSet   = "compute.quotasets.update"
	OpDeleteQuotaSet   = "compute.quotasets.delete"
)

func (c *Compute) limitRoutes() []kit.Route {
	return []kit.Route{
		route(OpGetLimits, "GET", "/limits", c.getLimits),
		route(OpGetQuotaDefaults, "GET", "/os-quota-sets/{tenant_id}/defaults", c.getQuotaDefaults),
		route(OpGetQuotaDetail, "GET", "/os-quota-sets/{tenant_id}/detail", c.getQuotaDetail),
		route(OpGetQuotaSet, "GET", "/os-quota-sets/{tenant_id}", c.getQuotaSet),
		route(OpUpdateQuotaSet, "PUT", "/os-quota-sets/{tenant_id}", c.updateQuotaSet),
		route(OpDeleteQuotaSet, "DELETE", "/os-quota-sets/{tenant_id}", c.deleteQuotaSet),
	}
}

// Quotas Nova still reports but this fake does not model: the deprecated
// nova-network ones (unlimited, as Nova with Neutron reports them) and
// file injection (Nova's defaults). Updates to them are accepted and
// ignored.
const (
	quotaInjectedFiles            = 5
	quotaInjectedFileContentBytes = 10240
	quotaInjectedFilePathBytes    = 255
)

// quotaResource is one row of a quota set: its name, limit and usage, and
// the microversion that removed it (0: still present).
type quotaResource struct {
	name         string
	limit, inUse int
	goneAt       int
}

// quotaRows lists a quota set and its usage as Nova's QUOTAS resources.
// Keypairs and server group members are counted per user, so their
// project usage is 0, as Nova shows it.
func quotaRows(q Quota, u usage) []quotaResource {
	return []quotaResource{
		{name: "cores", limit: q.Cores, inUse: u.cores},
		{name: "fixed_ips", limit: -1, goneAt: 36},
		{name: "floating_ips", limit: -1, goneAt: 36},
		{name: "injected_file_content_bytes", limit: quotaInjectedFileContentBytes, goneAt: 57},
		{name: "injected_file_path_bytes", limit: quotaInjectedFilePathBytes, goneAt: 57},
		{name: "injected_files", limit: quotaInjectedFiles, goneAt: 57},
		{name: "instances", limit: q.Instances, inUse: u.instances},
		{name: "key_pairs", limit: q.KeyPairs},
		{name: "metadata_items", limit: q.MetadataItems},
		{name: "ram", limit: q.RAM, inUse: u.ram},
		{name: "security_group_rules", limit: -1, goneAt: 36},
		{name: "security_groups", limit: -1, goneAt: 36},
		{name: "server_group_members", limit: q.ServerGroupMembers},
		{name: "server_groups", limit: q.ServerGroups, inUse: u.groups},
	}
}

func present(v microversion, row quotaResource) bool {
	return row.goneAt == 0 || !v.AtLeast(row.goneAt)
}

// setQuotaField stores one modeled quota value.
func setQuotaField(q *Quota, name string, n int) {
	switch name {
	case "cores":
		q.Cores = n
	case "instances":
		q.Instances = n
	case "key_pairs":
		q.KeyPairs = n
	case "metadata_items":
		q.MetadataItems = n
	case "ram":
		q.RAM = n
	case "server_group_members":
		q.ServerGroupMembers = n
	case "server_groups":
		q.ServerGroups = n
	}
}

// limitsBody is GET /limits's answer.
type limitsBody struct {
	Limits struct {
		Rate     []struct{}         `json:"rate"`
		Absolute absoluteLimitsJSON `json:"absolute"`
	} `json:"limits"`
}

// absoluteLimitsJSON are the absolute limits and usage; the groups 2.36,
// 2.39 and 2.57 removed are absent from those microversions.
type absoluteLimitsJSON struct {
	MaxTotalInstances     int  `json:"maxTotalInstances"`
	MaxTotalCores         int  `json:"maxTotalCores"`
	MaxTotalRAMSize       int  `json:"maxTotalRAMSize"`
	MaxServerMeta         int  `json:"maxServerMeta"`
	MaxTotalKeypairs      int  `json:"maxTotalKeypairs"`
	MaxServerGroups       int  `json:"maxServerGroups"`
	MaxServerGroupMembers int  `json:"maxServerGroupMembers"`
	TotalInstancesUsed    int  `json:"totalInstancesUsed"`
	TotalCoresUsed        int  `json:"totalCoresUsed"`
	TotalRAMUsed          int  `json:"totalRAMUsed"`
	TotalServerGroupsUsed int  `json:"totalServerGroupsUsed"`
	MaxImageMeta          *int `json:"maxImageMeta,omitempty"`
	*networkLimitsJSON
	*personalityLimitsJSON
}

// networkLimitsJSON are nova-network's limits, gone at 2.36.
type networkLimitsJSON struct {
	MaxSecurityGroups       int `json:"maxSecurityGroups"`
	MaxSecurityGroupRules   int `json:"maxSecurityGroupRules"`
	MaxTotalFloatingIps     int `json:"maxTotalFloatingIps"`
	TotalSecurityGroupsUsed int `json:"totalSecurityGroupsUsed"`
	TotalFloatingIpsUsed    int `json:"totalFloatingIpsUsed"`
}

// personalityLimitsJSON are file injection's limits, gone at 2.57.
type personalityLimitsJSON struct {
	MaxPersonality     int `json:"maxPersonality"`
	MaxPersonalitySize int `json:"maxPersonalitySize"`
}

func (c *Compute) getLimits(call *kit.Call) (kit.Reply, error) {
	if err := rejectUnknownQuery(call, 75, "tenant_id"); err != nil {
		return kit.Reply{}, err
	}
	v := versionOf(call)
	project := callerOf(call).projectID
	if vs, ok := call.Query()["tenant_id"]; ok && len(vs) > 0 {
		if !adminAllowed(call) {
			return kit.Reply{}, policyDenied("os_compute_api:limits:other_project")
		}
		project = vs[0]
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.quotaLocked(project)
	u := c.usageLocked(project)
	abs := absoluteLimitsJSON{
		MaxTotalInstances: q.Instances, MaxTotalCores: q.Cores, MaxTotalRAMSize: q.RAM,
		MaxServerMeta: q.MetadataItems, MaxTotalKeypairs: q.KeyPairs,
		MaxServerGroups: q.ServerGroups, MaxServerGroupMembers: q.ServerGroupMembers,
		TotalInstancesUsed: u.instances, TotalCoresUsed: u.cores, TotalRAMUsed: u.ram,
		TotalServerGroupsUsed: u.groups,
	}
	if !v.AtLeast(39) {
		abs.MaxImageMeta = ptr(q.MetadataItems)
	}
	if !v.AtLeast(36) {
		abs.networkLimitsJSON = &networkLimitsJSON{MaxSecurityGroups: -1, MaxSecurityGroupRules: -1, MaxTotalFloatingIps: -1}
	}
	if !v.AtLeast(57) {
		abs.personalityLimitsJSON = &personalityLimitsJSON{MaxPersonality: quotaInjectedFiles, MaxPersonalitySize: quotaInjectedFileContentBytes}
	}
	var body limitsBody
	body.Limits.Rate = []struct{}{}
	body.Limits.Absolute = abs
	return kit.OK(body), nil
}

// quotaTarget is the project of a quota-set request, which a non-admin
// may only read for their own project.
func quotaTarget(call *kit.Call, action string) (string, error) {
	project := call.Var("tenant_id")
	if project != callerOf(call).projectID && !adminAllowed(call) {
		return "", policyDenied("os_compute_api:os-quota-sets:" + action)
	}
	return project, nil
}

// quotaSetJSON is a quota set: each resource's limit (T is int) or its
// limit and usage (T is quotaDetailJSON). A resource a microversion
// removed is absent (nil).
type quotaSetJSON[T any] struct {
	ID                       string `json:"id,omitempty"` // not in the update's answer
	Cores                    *T     `json:"cores,omitempty"`
	FixedIPs                 *T     `json:"fixed_ips,omitempty"`
	FloatingIPs              *T     `json:"floating_ips,omitempty"`
	InjectedFileContentBytes *T     `json:"injected_file_content_bytes,omitempty"`
	InjectedFilePathBytes    *T     `json:"injected_file_path_bytes,omitempty"`
	InjectedFiles            *T     `json:"injected_files,omitempty"`
	Instances                *T     `json:"instances,omitempty"`
	KeyPairs                 *T     `json:"key_pairs,omitempty"`
	MetadataItems            *T     `json:"metadata_items,omitempty"`
	RAM                      *T     `json:"ram,omitempty"`
	SecurityGroupRules       *T     `json:"security_group_rules,omitempty"`
	SecurityGroups           *T     `json:"security_groups,omitempty"`
	ServerGroupMembers       *T     `json:"server_group_members,omitempty"`
	ServerGroups             *T     `json:"server_groups,omitempty"`
}

// quotaDetailJSON is one resource of os-quota-sets/detail.
type quotaDetailJSON struct {
	Limit    int `json:"limit"`
	InUse    int `json:"in_use"`
	Reserved int `json:"reserved"`
}

type quotaSetBody[T any] struct {
	QuotaSet quotaSetJSON[T] `json:"quota_set"`
}

// slot is the member of a resource, by its name in quotaRows.
func (q *quotaSetJSON[T]) slot(name string) **T {
	slots := map[string]**T{
		"cores": &q.Cores, "fixed_ips": &q.FixedIPs, "floating_ips": &q.FloatingIPs,
		"injected_file_content_bytes": &q.InjectedFileContentBytes, "injected_file_path_bytes": &q.InjectedFilePathBytes,
		"injected_files": &q.InjectedFiles, "instances": &q.Instances, "key_pairs": &q.KeyPairs,
		"metadata_items": &q.MetadataItems, "ram": &q.RAM, "security_group_rules": &q.SecurityGroupRules,
		"security_groups": &q.SecurityGroups, "server_group_members": &q.ServerGroupMembers, "server_groups": &q.ServerGroups,
	}
	return slots[name]
}

// quotaSetOf renders the rows present at v, each by value.
func quotaSetOf[T any](id string, v microversion, rows []quotaResource, value func(quotaResource) T) quotaSetJSON[T] {
	set := quotaSetJSON[T]{ID: id}
	for _, row := range rows {
		if present(v, row) {
			*set.slot(row.name) = ptr(value(row))
		}
	}
	return set
}

// quotaSetReply answers a quota set: limits, or with detail limits and
// usage.
func quotaSetReply(call *kit.Call, id string, rows []quotaResource, detail bool) (kit.Reply, error) {
	v := versionOf(call)
	if detail {
		return kit.OK(quotaSetBody[quotaDetailJSON]{quotaSetOf(id, v, rows, func(r quotaResource) quotaDetailJSON {
			return quotaDetailJSON{Limit: r.limit, InUse: r.inUse}
		})}), nil
	}
	return kit.OK(quotaSetBody[int]{quotaSetOf(id, v, rows, func(r quotaResource) int { return r.limit })}), nil
}

func (c *Compute) getQuotaSet(call *kit.Call) (kit.Reply, error) {
	if err := rejectUnknownQuery(call, 75, "user_id"); err != nil {
		return kit.Reply{}, err
	}
	project, err := quotaTarget(call, "show")
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rows := quotaRows(c.quotaLocked(project), usage{})
	return quotaSetReply(call, project, rows, false)
}

func (c *Compute) getQuotaDetail(call *kit.Call) (kit.Reply, error) {
	if err := rejectUnknownQuery(call, 75, "user_id"); err != nil {
		return kit.Reply{}, err
	}
	project, err := quotaTarget(call, "detail")
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rows := quotaRows(c.quotaLocked(project), c.usageLocked(project))
	return quotaSetReply(call, project, rows, true)
}

func (c *Compute) getQuotaDefaults(call *kit.Call) (kit.Reply, error) {
	project := call.Var("tenant_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	rows := quotaRows(c.quota, usage{})
	return quotaSetReply(call, project, rows, false)
}

var quotaValuePattern = regexp.MustCompile(`^-?[0-9]+$`)

func (c *Compute) updateQuotaSet(call *kit.Call) (kit.Reply, error) {
	v := versionOf(call)
	allowed := map[string]bool{"force": true}
	for _, row := range quotaRows(Quota{}, usage{}) {
		if present(v, row) {
			allowed[row.name] = true
		}
	}
	m, err := membersOf(call, "quota_set", allowed)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := rejectUnknownQuery(call, 75, "user_id"); err != nil {
		return kit.Reply{}, err
	}
	force := false
	if raw, ok := m["force"]; ok {
		if force, err = schemaBool("force", raw); err != nil {
			return kit.Reply{}, err
		}
	}
	values := map[string]int{}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		raw := m[k]
		if k == "force" || string(raw) == "null" || string(raw) == `""` {
			continue
		}
		n, err := schemaInt(k, raw, quotaValuePattern, -1, maxDBInt)
		if err != nil {
			return kit.Reply{}, err
		}
		values[k] = int(n)
	}
	if !adminAllowed(call) {
		return kit.Reply{}, policyDenied("os_compute_api:os-quota-sets:update")
	}
	project := call.Var("tenant_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.quotaLocked(project)
	if !force {
		for _, row := range quotaRows(q, c.usageLocked(project)) {
			n, ok := values[row.name]
			if ok && n != -1 && n < row.inUse {
				return kit.Reply{}, kit.BadRequest("Quota limit %d for %s must be greater than or equal to already used and reserved %d.", n, row.name, row.inUse)
			}
		}
	}
	for name, n := range values {
		setQuotaField(&q, name, n)
	}
	c.quotas[project] = q
	// Nova leaves the id out of the update's answer.
	return quotaSetReply(call, "", quotaRows(q, usage{}), false)
}

func (c *Compute) deleteQuotaSet(call *kit.Call) (kit.Reply, error) {
	if err := rejectUnknownQuery(call, 75, "user_id"); err != nil {
		return kit.Reply{}, err
	}
	if !adminAllowed(call) {
		return kit.Reply{}, policyDenied("os_compute_api:os-quota-sets:delete")
	}
	project := call.Var("tenant_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.quotas, project)
	return kit.Status(http.StatusAccepted), nil
}
