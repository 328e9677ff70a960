package triton

import (
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// VMAPI's ops.
const (
	OpVMAPIPing          = "triton.vmapi.ping"
	OpVMAPIVMsList       = "triton.vmapi.vms.list"
	OpVMAPIVMsCreate     = "triton.vmapi.vms.create"
	OpVMAPIVMsGet        = "triton.vmapi.vms.get"
	OpVMAPIVMsPut        = "triton.vmapi.vms.put"
	OpVMAPIVMsDelete     = "triton.vmapi.vms.delete"
	OpVMAPIVMsAction     = "triton.vmapi.vms.action"
	OpVMAPIVMJobs        = "triton.vmapi.vms.jobs"
	OpVMAPIMetadataList  = "triton.vmapi.metadata.list"
	OpVMAPIMetadataGet   = "triton.vmapi.metadata.get"
	OpVMAPIMetadataAdd   = "triton.vmapi.metadata.add"
	OpVMAPIMetadataSet   = "triton.vmapi.metadata.set"
	OpVMAPIMetadataDel   = "triton.vmapi.metadata.delete"
	OpVMAPIMetadataClear = "triton.vmapi.metadata.clear"
	OpVMAPIJobsList      = "triton.vmapi.jobs.list"
	OpVMAPIJobsGet       = "triton.vmapi.jobs.get"
	OpVMAPIJobsWait      = "triton.vmapi.jobs.wait"
	OpVMAPIStatuses      = "triton.vmapi.statuses"
)

// vmActions are VMAPI's ?action= values, each its own op
// (triton.vmapi.vms.action.start …).
var vmActions = []string{"start", "stop", "kill", "reboot", "update", "reprovision", "add_nics", "update_nics", "remove_nics",
	"create_snapshot", "rollback_snapshot", "delete_snapshot", "create_disk", "resize_disk", "delete_disk"}

func actionOps() []string {
	out := make([]string, len(vmActions))
	for i, a := range vmActions {
		out[i] = OpVMAPIVMsAction + "." + a
	}
	return out
}

func refineAction(r *http.Request, _ []byte) string {
	a := r.URL.Query().Get("action")
	for _, x := range vmActions {
		if x == a {
			return OpVMAPIVMsAction + "." + a
		}
	}
	return ""
}

func (t *Triton) vmapiRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpVMAPIPing, Method: "GET,HEAD", Path: "/ping", Handler: t.vmapiPing},
		{Op: OpVMAPIVMsList, Method: "GET,HEAD", Path: "/vms", Handler: t.listVMs},
		{Op: OpVMAPIVMsCreate, Method: "POST", Path: "/vms", Handler: t.createVM},
		{Op: OpVMAPIStatuses, Method: "GET", Path: "/statuses", Handler: t.statuses},
		{Op: OpVMAPIJobsList, Method: "GET", Path: "/jobs", Handler: t.listJobs},
		{Op: OpVMAPIJobsGet, Method: "GET", Path: "/jobs/{job}", Handler: t.getJob},
		{Op: OpVMAPIJobsWait, Method: "GET", Path: "/jobs/{job}/wait", Handler: t.waitJob},
		{Op: OpVMAPIVMsGet, Method: "GET,HEAD", Path: "/vms/{uuid}", Handler: t.getVM},
		{Op: OpVMAPIVMsPut, Method: "PUT", Path: "/vms/{uuid}", Handler: t.putVM},
		{Op: OpVMAPIVMsDelete, Method: "DELETE", Path: "/vms/{uuid}", Handler: t.deleteVM},
		{Op: OpVMAPIVMsAction, Method: "POST", Path: "/vms/{uuid}", Handler: t.vmAction, Refine: refineAction, Ops: actionOps()},
		{Op: OpVMAPIVMJobs, Method: "GET", Path: "/vms/{uuid}/jobs", Handler: t.vmJobs},
		{Op: OpVMAPIMetadataList, Method: "GET", Path: "/vms/{uuid}/{meta}", Handler: t.listMetadata},
		{Op: OpVMAPIMetadataAdd, Method: "POST", Path: "/vms/{uuid}/{meta}", Handler: t.addMetadata},
		{Op: OpVMAPIMetadataSet, Method: "PUT", Path: "/vms/{uuid}/{meta}", Handler: t.setMetadata},
		{Op: OpVMAPIMetadataClear, Method: "DELETE", Path: "/vms/{uuid}/{meta}", Handler: t.clearMetadata},
		{Op: OpVMAPIMetadataGet, Method: "GET", Path: "/vms/{uuid}/{meta}/{key}", Handler: t.getMetadata},
		{Op: OpVMAPIMetadataDel, Method: "DELETE", Path: "/vms/{uuid}/{meta}/{key}", Handler: t.deleteMetadata},
	}
}

func (t *Triton) vmapiPing(*kit.Call) (kit.Reply, error) {
	return kit.OK(map[string]any{"healthy": true, "status": "OK", "pingErrors": map[string]any{},
		"services": map[string]string{"moray": "online", "wfapi": "online"}}), nil
}

// jobAccepted is VMAPI's 202 body.
type jobAccepted struct {
	VMUUID  string `json:"vm_uuid"`
	JobUUID string `json:"job_uuid"`
}

func (t *Triton) createVM(c *kit.Call) (kit.Reply, error) {
	var body CreateVM
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	v, j, err := t.createVMLocked(body, now)
	if err != nil {
		return kit.Reply{}, err
	}
	c.Header().Set("Location", "/vms/"+v.uuid)
	return kit.JSON(http.StatusAccepted, jobAccepted{VMUUID: v.uuid, JobUUID: j.uuid}), nil
}

func (t *Triton) getVM(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, err := t.vmLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(v.render()), nil
}

// vmFilter is VMAPI's ListVms query.
type vmFilter struct {
	owner, state, server, alias, brand, image, billing string
	ram                                                int64
	uuids                                              map[string]bool
	tags                                               map[string]string
}

func parseVMFilter(q map[string][]string) (vmFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f := vmFilter{owner: get("owner_uuid"), state: get("state"), server: get("server_uuid"), alias: get("alias"),
		brand: get("brand"), image: get("image_uuid"), billing: get("billing_id")}
	if f.owner != "" && !validUUID(f.owner) {
		return f, invalidParam("owner_uuid", "Invalid UUID")
	}
	if f.server != "" && !validUUID(f.server) {
		return f, invalidParam("server_uuid", "Invalid UUID")
	}
	switch f.state {
	case "", "running", "stopped", "active", "destroyed", "provisioning", "failed", "incomplete", "down", "ready":
	default:
		return f, invalidParam("state", "Invalid VM state")
	}
	if r := get("ram"); r != "" {
		n, err := strconv.ParseInt(r, 10, 64)
		if err != nil || n < 0 {
			return f, invalidParam("ram", "Invalid number")
		}
		f.ram = n
	} else if r := get("max_physical_memory"); r != "" {
		n, err := strconv.ParseInt(r, 10, 64)
		if err != nil || n < 0 {
			return f, invalidParam("max_physical_memory", "Invalid number")
		}
		f.ram = n
	}
	for _, key := range []string{"uuid", "uuids"} {
		if v := get(key); v != "" {
			if f.uuids == nil {
				f.uuids = map[string]bool{}
			}
			for _, u := range strings.Split(v, ",") {
				f.uuids[strings.TrimSpace(u)] = true
			}
		}
	}
	for k, vs := range q {
		if strings.HasPrefix(k, "tag.") && len(vs) > 0 {
			if f.tags == nil {
				f.tags = map[string]string{}
			}
			f.tags[strings.TrimPrefix(k, "tag.")] = vs[0]
		}
	}
	return f, nil
}

func (f vmFilter) match(v *vm) bool {
	switch {
	case f.owner != "" && v.ownerUUID != f.owner,
		f.brand != "" && v.brand != f.brand,
		f.image != "" && v.imageUUID != f.image,
		f.billing != "" && v.billingID != f.billing,
		f.ram != 0 && v.ram != f.ram,
		f.uuids != nil && !f.uuids[v.uuid],
		f.server != "" && (v.server == nil || v.server.uuid != f.server):
		return false
	case f.state == "active":
		if v.state == "destroyed" || v.state == "failed" {
			return false
		}
	case f.state != "" && v.state != f.state:
		return false
	}
	if f.alias != "" {
		if ok, _ := path.Match(f.alias, v.alias); !ok {
			return false
		}
	}
	for k, want := range f.tags {
		got, ok := v.tags[k]
		if !ok || fmtAny(got) != want {
			return false
		}
	}
	return true
}

// page reads limit (0-max, default max) and offset.
func page(q map[string][]string, max int) (limit, offset int, err error) {
	limit = max
	if v := q["limit"]; len(v) > 0 {
		n, e := strconv.Atoi(v[0])
		if e != nil || n < 0 || n > max {
			return 0, 0, invalidParam("limit", "Must be an integer between 0 and "+itoa(max))
		}
		limit = n
	}
	if v := q["offset"]; len(v) > 0 {
		n, e := strconv.Atoi(v[0])
		if e != nil || n < 0 {
			return 0, 0, invalidParam("offset", "Must be an integer greater than or equal to 0")
		}
		offset = n
	}
	return limit, offset, nil
}

// listVMs is ListVms: newest first, x-joyent-resource-count the number
// that match before limit and offset.
func (t *Triton) listVMs(c *kit.Call) (kit.Reply, error) {
	q := c.Query()
	f, err := parseVMFilter(q)
	if err != nil {
		return kit.Reply{}, err
	}
	limit, offset, err := page(q, 1000)
	if err != nil {
		return kit.Reply{}, err
	}
	t.lock()
	defer t.mu.Unlock()
	candidates := t.dc.vmOrder
	if f.server != "" {
		candidates = nil
		if s := t.dc.servers[f.server]; s != nil {
			candidates = vmsByCreation(s.vms)
		} else {
			for _, v := range t.dc.vmOrder {
				if v.server != nil && v.server.uuid == f.server {
					candidates = append(candidates, v)
				}
			}
		}
	}
	out := []VM{}
	count := 0
	for i := len(candidates) - 1; i >= 0; i-- {
		v := candidates[i]
		if !f.match(v) {
			continue
		}
		if count >= offset && len(out) < limit {
			out = append(out, v.render())
		}
		count++
	}
	c.Header().Set("x-joyent-resource-count", itoa(count))
	return kit.OK(out), nil
}

func vmsByCreation(m map[string]*vm) []*vm {
	out := sortedVMs(m)
	// creation order, ties by UUID
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].created.Before(out[j-1].created); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// putVM is PutVm, as vm-agent uses it: the record's mutable fields, set
// at once.
func (t *Triton) putVM(c *kit.Call) (kit.Reply, error) {
	var body struct {
		State            string         `json:"state"`
		Alias            *string        `json:"alias"`
		Tags             map[string]any `json:"tags"`
		CustomerMetadata map[string]any `json:"customer_metadata"`
		InternalMetadata map[string]any `json:"internal_metadata"`
		FirewallEnabled  *bool          `json:"firewall_enabled"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	v, err := t.vmLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	switch body.State {
	case "":
	case "running", "stopped", "provisioning", "failed":
		v.state = body.State
	case "destroyed":
		t.destroyVMLocked(v, now)
	default:
		return kit.Reply{}, invalidParam("state", "Invalid VM state")
	}
	if body.Alias != nil {
		v.alias = *body.Alias
	}
	if body.Tags != nil {
		v.tags = body.Tags
	}
	if body.CustomerMetadata != nil {
		v.customerMD = body.CustomerMetadata
	}
	if body.InternalMetadata != nil {
		v.internalMD = body.InternalMetadata
	}
	if body.FirewallEnabled != nil {
		v.firewall = *body.FirewallEnabled
	}
	v.modified = now
	return kit.OK(v.render()), nil
}

func (t *Triton) deleteVM(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, err := t.vmLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	if v.state == "destroyed" {
		return kit.Reply{}, restError(http.StatusConflict, "Conflict", "VM is already destroyed")
	}
	j := t.vmJobLocked("destroy", v, nil, now, func(now time.Time) { t.destroyVMLocked(v, now) })
	return kit.JSON(http.StatusAccepted, jobAccepted{VMUUID: v.uuid, JobUUID: j.uuid}), nil
}

// vmJobLocked starts a job on v whose effect is done.
func (t *Triton) vmJobLocked(wf string, v *vm, params map[string]any, now time.Time, done func(time.Time)) *job {
	server := ""
	if v.server != nil {
		server = v.server.uuid
	}
	return t.newJobLocked(wf, v.uuid, server, v.alias, params, now, func(now time.Time) {
		if v.state != "destroyed" || wf == "destroy" {
			done(now)
			v.modified = now
		}
	}, nil)
}

func (t *Triton) statuses(c *kit.Call) (kit.Reply, error) {
	uuids := c.Query().Get("uuids")
	if uuids == "" {
		return kit.Reply{}, restError(http.StatusConflict, "MissingParameter", "uuids is required")
	}
	t.lock()
	defer t.mu.Unlock()
	out := map[string]string{}
	for _, u := range strings.Split(uuids, ",") {
		if v := t.dc.vms[strings.TrimSpace(u)]; v != nil {
			out[v.uuid] = v.state
		}
	}
	return kit.OK(out), nil
}
