// os-quota-class-sets (admin only): the "default" class is the default
// quota of every project without its own (WithQuota, GET
// os-quota-sets/{id}/defaults); other classes are stored and shown, and
// used by nothing, as in Nova.

package compute

import (
	"sort"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-quota-class-sets.
const (
	OpGetQuotaClass    = "compute.quota_classes.get"
	OpUpdateQuotaClass = "compute.quota_classes.update"
)

func (c *Compute) quotaClassRoutes() []kit.Route {
	return []kit.Route{
		route(OpGetQuotaClass, "GET", "/os-quota-class-sets/{class_id}", c.getQuotaClass),
		route(OpUpdateQuotaClass, "PUT", "/os-quota-class-sets/{class_id}", c.updateQuotaClass),
	}
}

// quotaClassRows are a class's resources at microversion v: the network
// ones until 2.49, server groups from 2.50, injected files until 2.56.
func quotaClassRows(q Quota, v microversion) []quotaResource {
	var out []quotaResource
	for _, row := range quotaRows(q, usage{}) {
		switch row.name {
		case "fixed_ips", "floating_ips", "security_group_rules", "security_groups":
			row.goneAt = 50
		case "server_groups", "server_group_members":
			if !v.AtLeast(50) {
				continue
			}
		}
		if present(v, row) {
			out = append(out, row)
		}
	}
	return out
}

func (c *Compute) quotaClassLocked(class string) Quota {
	if class == "default" {
		return c.quota
	}
	if q, ok := c.admin.quotaClasses[class]; ok {
		return q
	}
	return c.quota
}

func (c *Compute) getQuotaClass(call *kit.Call) (kit.Reply, error) {
	if err := nvAdminOnly(call, "os_compute_api:os-quota-class-sets:show"); err != nil {
		return kit.Reply{}, err
	}
	class := call.Var("class_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	return quotaClassReply(class, versionOf(call), quotaClassRows(c.quotaClassLocked(class), versionOf(call)))
}

func quotaClassReply(id string, v microversion, rows []quotaResource) (kit.Reply, error) {
	set := quotaSetOf(id, v, rows, func(r quotaResource) int { return r.limit })
	return kit.OK(map[string]quotaSetJSON[int]{"quota_class_set": set}), nil
}

// updateQuotaClass is PUT /os-quota-class-sets/{id}: limits of -1 and up;
// the answer has no id.
func (c *Compute) updateQuotaClass(call *kit.Call) (kit.Reply, error) {
	v := versionOf(call)
	allowed := map[string]bool{}
	for _, row := range quotaClassRows(Quota{}, v) {
		allowed[row.name] = true
	}
	m, err := membersOf(call, "quota_class_set", allowed)
	if err != nil {
		return kit.Reply{}, err
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	values := map[string]int{}
	for _, k := range names {
		n, err := schemaInt(k, m[k], quotaValuePattern, -1, maxDBInt)
		if err != nil {
			return kit.Reply{}, err
		}
		values[k] = int(n)
	}
	if err := nvAdminOnly(call, "os_compute_api:os-quota-class-sets:update"); err != nil {
		return kit.Reply{}, err
	}
	class := call.Var("class_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.quotaClassLocked(class)
	for name, n := range values {
		setQuotaField(&q, name, n)
	}
	if class == "default" {
		c.quota = q
	} else {
		c.admin.quotaClasses[class] = q
	}
	return quotaClassReply("", v, quotaClassRows(q, v))
}
