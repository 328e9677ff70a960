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

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
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

func (c *Compute) limitRoutes() []apiRoute {
	return []apiRoute{
		{OpGetLimits, []string{"GET"}, "/limits", c.getLimits},
		{OpGetQuotaDefaults, []string{"GET"}, "/os-quota-sets/{tenant_id}/defaults", c.getQuotaDefaults},
		{OpGetQuotaDetail, []string{"GET"}, "/os-quota-sets/{tenant_id}/detail", c.getQuotaDetail},
		{OpGetQuotaSet, []string{"GET"}, "/os-quota-sets/{tenant_id}", c.getQuotaSet},
		{OpUpdateQuotaSet, []string{"PUT"}, "/os-quota-sets/{tenant_id}", c.updateQuotaSet},
		{OpDeleteQuotaSet, []string{"DELETE"}, "/os-quota-sets/{tenant_id}", c.deleteQuotaSet},
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

func present(v Version, row quotaResource) bool { return row.goneAt == 0 || !v.AtLeast(row.goneAt) }

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

func (c *Compute) getLimits(w http.ResponseWriter, r *http.Request) {
	if err := rejectUnknownQuery(r, 75, "tenant_id"); err != nil {
		writeErr(w, r, err)
		return
	}
	v := versionOf(r)
	project := callerOf(r).projectID
	if vs, ok := r.URL.Query()["tenant_id"]; ok && len(vs) > 0 {
		if !adminAllowed(r) {
			writeErr(w, r, policyDenied("os_compute_api:limits:other_project"))
			return
		}
		project = vs[0]
	}
	c.mu.Lock()
	q := c.quotaLocked(project)
	u := c.usageLocked(project)
	c.mu.Unlock()
	abs := map[string]any{
		"maxTotalInstances": q.Instances, "maxTotalCores": q.Cores, "maxTotalRAMSize": q.RAM,
		"maxServerMeta": q.MetadataItems, "maxTotalKeypairs": q.KeyPairs,
		"maxServerGroups": q.ServerGroups, "maxServerGroupMembers": q.ServerGroupMembers,
		"totalInstancesUsed": u.instances, "totalCoresUsed": u.cores, "totalRAMUsed": u.ram,
		"totalServerGroupsUsed": u.groups,
	}
	if !v.AtLeast(39) {
		abs["maxImageMeta"] = q.MetadataItems
	}
	if !v.AtLeast(36) {
		abs["maxSecurityGroups"] = -1
		abs["maxSecurityGroupRules"] = -1
		abs["maxTotalFloatingIps"] = -1
		abs["totalSecurityGroupsUsed"] = 0
		abs["totalFloatingIpsUsed"] = 0
	}
	if !v.AtLeast(57) {
		abs["maxPersonality"] = quotaInjectedFiles
		abs["maxPersonalitySize"] = quotaInjectedFileContentBytes
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"limits": map[string]any{"rate": []any{}, "absolute": abs}})
}

// quotaTarget is the project of a quota-set request, which a non-admin
// may only read for their own project.
func quotaTarget(r *http.Request, action string) (string, *fake.Error) {
	project := mux.Vars(r)["tenant_id"]
	if project != callerOf(r).projectID && !adminAllowed(r) {
		return "", policyDenied("os_compute_api:os-quota-sets:" + action)
	}
	return project, nil
}

func (c *Compute) writeQuotaSet(w http.ResponseWriter, r *http.Request, id string, rows []quotaResource, detail bool) {
	v := versionOf(r)
	set := map[string]any{}
	if id != "" {
		set["id"] = id
	}
	for _, row := range rows {
		if !present(v, row) {
			continue
		}
		if detail {
			set[row.name] = map[string]int{"limit": row.limit, "in_use": row.inUse, "reserved": 0}
		} else {
			set[row.name] = row.limit
		}
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"quota_set": set})
}

func (c *Compute) getQuotaSet(w http.ResponseWriter, r *http.Request) {
	if err := rejectUnknownQuery(r, 75, "user_id"); err != nil {
		writeErr(w, r, err)
		return
	}
	project, err := quotaTarget(r, "show")
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	rows := quotaRows(c.quotaLocked(project), usage{})
	c.mu.Unlock()
	c.writeQuotaSet(w, r, project, rows, false)
}

func (c *Compute) getQuotaDetail(w http.ResponseWriter, r *http.Request) {
	if err := rejectUnknownQuery(r, 75, "user_id"); err != nil {
		writeErr(w, r, err)
		return
	}
	project, err := quotaTarget(r, "detail")
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	rows := quotaRows(c.quotaLocked(project), c.usageLocked(project))
	c.mu.Unlock()
	c.writeQuotaSet(w, r, project, rows, true)
}

func (c *Compute) getQuotaDefaults(w http.ResponseWriter, r *http.Request) {
	project := mux.Vars(r)["tenant_id"]
	c.mu.Lock()
	rows := quotaRows(c.quota, usage{})
	c.mu.Unlock()
	c.writeQuotaSet(w, r, project, rows, false)
}

var quotaValuePattern = regexp.MustCompile(`^-?[0-9]+$`)

func (c *Compute) updateQuotaSet(w http.ResponseWriter, r *http.Request) {
	v := versionOf(r)
	allowed := map[string]bool{"force": true}
	for _, row := range quotaRows(Quota{}, usage{}) {
		if present(v, row) {
			allowed[row.name] = true
		}
	}
	m, err := membersOf(r, "quota_set", allowed)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if err := rejectUnknownQuery(r, 75, "user_id"); err != nil {
		writeErr(w, r, err)
		return
	}
	force := false
	if raw, ok := m["force"]; ok {
		if force, err = schemaBool("force", raw); err != nil {
			writeErr(w, r, err)
			return
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
			writeErr(w, r, err)
			return
		}
		values[k] = int(n)
	}
	if !adminAllowed(r) {
		writeErr(w, r, policyDenied("os_compute_api:os-quota-sets:update"))
		return
	}
	project := mux.Vars(r)["tenant_id"]
	c.mu.Lock()
	q := c.quotaLocked(project)
	rows := quotaRows(q, c.usageLocked(project))
	if !force {
		for _, row := range rows {
			n, ok := values[row.name]
			if ok && n != -1 && n < row.inUse {
				err = badRequest("Quota limit %d for %s must be greater than or equal to already used and reserved %d.", n, row.name, row.inUse)
				break
			}
		}
	}
	if err == nil {
		for name, n := range values {
			setQuotaField(&q, name, n)
		}
		c.quotas[project] = q
		rows = quotaRows(q, usage{})
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	// Nova leaves the id out of the update's answer.
	c.writeQuotaSet(w, r, "", rows, false)
}

func (c *Compute) deleteQuotaSet(w http.ResponseWriter, r *http.Request) {
	if err := rejectUnknownQuery(r, 75, "user_id"); err != nil {
		writeErr(w, r, err)
		return
	}
	if !adminAllowed(r) {
		writeErr(w, r, policyDenied("os_compute_api:os-quota-sets:delete"))
		return
	}
	project := mux.Vars(r)["tenant_id"]
	c.mu.Lock()
	delete(c.quotas, project)
	c.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}
