package triton

import (
	"bytes"
	"encoding/json"
	"maps"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// NetworkRef is a network a VM asks for: a UUID or name, or an object
// with one and optionally the IP and whether it is the primary NIC.
type NetworkRef struct {
	UUID    string   `json:"uuid,omitempty"`
	Name    string   `json:"name,omitempty"`
	IPv4IPs []string `json:"ipv4_ips,omitempty"`
	Primary bool     `json:"primary,omitempty"`
}

// UnmarshalJSON takes "uuid" as well as {"uuid": …}.
func (r *NetworkRef) UnmarshalJSON(b []byte) error {
	if s := bytes.TrimSpace(b); len(s) > 0 && s[0] == '"' {
		return json.Unmarshal(b, &r.UUID)
	}
	type plain NetworkRef
	var p struct {
		plain
		IPv4UUID string `json:"ipv4_uuid,omitempty"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*r = NetworkRef(p.plain)
	if r.UUID == "" {
		r.UUID = p.IPv4UUID
	}
	return nil
}

// CreateVM is VMAPI's CreateVm body (and what CloudAPI will build from a
// CreateMachine).
type CreateVM struct {
	UUID              string         `json:"uuid,omitempty"`
	OwnerUUID         string         `json:"owner_uuid"`
	Alias             string         `json:"alias,omitempty"`
	Brand             string         `json:"brand"`
	ImageUUID         string         `json:"image_uuid,omitempty"`
	BillingID         string         `json:"billing_id,omitempty"`
	RAM               int64          `json:"ram,omitempty"`
	MaxPhysicalMemory int64          `json:"max_physical_memory,omitempty"`
	Quota             *int64         `json:"quota,omitempty"`
	CPUCap            int64          `json:"cpu_cap,omitempty"`
	Networks          []NetworkRef   `json:"networks"`
	Tags              map[string]any `json:"tags,omitempty"`
	CustomerMetadata  map[string]any `json:"customer_metadata,omitempty"`
	InternalMetadata  map[string]any `json:"internal_metadata,omitempty"`
	FirewallEnabled   bool           `json:"firewall_enabled,omitempty"`
	Autoboot          *bool          `json:"autoboot,omitempty"`
	ServerUUID        string         `json:"server_uuid,omitempty"`
	Traits            map[string]any `json:"traits,omitempty"`
	Disks             []Disk         `json:"disks,omitempty"`

	// CloudAPI's affinity: servers to place on (any of), and to avoid.
	servers []string
	avoid   map[string]bool
}

var brands = map[string]bool{"joyent": true, "joyent-minimal": true, "lx": true, "kvm": true, "bhyve": true, "builder": true}

// validate is VMAPI's ValidationFailed for a create.
func (c *CreateVM) validate() error {
	var errs []FieldError
	missing := func(f string) {
		errs = append(errs, FieldError{Field: f, Code: "MissingParameter", Message: "Missing parameter"})
	}
	invalid := func(f, m string) { errs = append(errs, FieldError{Field: f, Code: "Invalid", Message: m}) }
	switch {
	case c.OwnerUUID == "":
		missing("owner_uuid")
	case !validUUID(c.OwnerUUID):
		invalid("owner_uuid", "Invalid UUID")
	}
	switch {
	case c.Brand == "":
		missing("brand")
	case !brands[c.Brand]:
		invalid("brand", "Must be one of: bhyve, builder, joyent, joyent-minimal, kvm, lx")
	}
	if c.UUID != "" && !validUUID(c.UUID) {
		invalid("uuid", "Invalid UUID")
	}
	if c.RAM == 0 {
		c.RAM = c.MaxPhysicalMemory
	}
	switch {
	case c.RAM == 0 && c.BillingID == "":
		missing("ram")
	case c.RAM < 0:
		invalid("ram", "Invalid number")
	}
	if c.ImageUUID == "" && c.Brand != "kvm" && c.Brand != "bhyve" {
		missing("image_uuid")
	}
	if len(c.Networks) == 0 {
		missing("networks")
	}
	if c.Quota != nil && *c.Quota < 0 {
		invalid("quota", "Invalid number")
	}
	if c.CPUCap < 0 {
		invalid("cpu_cap", "Invalid number")
	}
	if len(errs) > 0 {
		return validationFailed("Invalid VM parameters", errs...)
	}
	return nil
}

// createVMLocked validates, allocates a server, takes NICs from NAPI and
// starts a provision job: the VM is "provisioning" until it ends.
func (t *Triton) createVMLocked(c CreateVM, now time.Time) (*vm, *job, error) {
	if err := c.validate(); err != nil {
		return nil, nil, err
	}
	if c.UUID == "" {
		c.UUID = t.newUUID()
	} else if t.dc.vms[c.UUID] != nil {
		return nil, nil, validationFailed("Invalid VM parameters", FieldError{Field: "uuid", Code: "Duplicate", Message: "Already exists"})
	}
	quota := int64(10)
	if c.Quota != nil {
		quota = *c.Quota
	}
	nets := make([]*network, len(c.Networks))
	for i, ref := range c.Networks {
		id := ref.UUID
		if id == "" {
			id = ref.Name
		}
		if nets[i] = t.networkLocked(id); nets[i] == nil {
			return nil, nil, invalidParam("networks", "Invalid Networks: network "+id+" does not exist")
		}
	}
	req := AllocRequest{RAM: c.RAM, QuotaGiB: quota, CPUCap: c.CPUCap, Traits: c.Traits, OwnerUUID: c.OwnerUUID, Alias: c.Alias,
		Servers: c.servers, Avoid: c.avoid}
	if c.ServerUUID != "" {
		req.Servers = []string{c.ServerUUID}
	}
	s, err := t.allocateLocked(req, now)
	if err != nil {
		return nil, nil, err
	}
	v := &vm{uuid: c.UUID, alias: c.Alias, brand: c.Brand, state: "provisioning", ram: c.RAM, quota: quota, cpuCap: c.CPUCap,
		imageUUID: c.ImageUUID, billingID: c.BillingID, ownerUUID: c.OwnerUUID, tags: maps.Clone(c.Tags),
		customerMD: maps.Clone(c.CustomerMetadata), internalMD: maps.Clone(c.InternalMetadata), firewall: c.FirewallEnabled,
		autoboot: c.Autoboot == nil || *c.Autoboot, created: now, modified: now, disks: c.Disks}
	if err := t.addVMNICsLocked(v, c.Networks, nets, now); err != nil {
		return nil, nil, err
	}
	t.placeLocked(v, s)
	t.dc.vms[v.uuid] = v
	t.dc.vmOrder = append(t.dc.vmOrder, v)
	j := t.newJobLocked("provision", v.uuid, s.uuid, v.alias, nil, now, func(now time.Time) {
		v.state, v.modified = "stopped", now
		if v.autoboot {
			v.state = "running"
		}
	}, func(now time.Time) {
		t.unplaceLocked(v)
		for _, n := range v.nics {
			t.deleteNICLocked(n)
		}
		v.nics = nil
		v.state, v.modified = "failed", now
	})
	return v, j, nil
}

// addVMNICsLocked gives v a NIC on each network (all or none).
func (t *Triton) addVMNICsLocked(v *vm, refs []NetworkRef, nets []*network, now time.Time) error {
	var added []*nic
	primary := len(v.nics) == 0
	for i, nw := range nets {
		var ip uint32
		if len(refs[i].IPv4IPs) > 0 {
			got, ok := parseIP4(refs[i].IPv4IPs[0])
			if !ok {
				for _, n := range added {
					t.deleteNICLocked(n)
				}
				return invalidParam("networks", "Invalid IP address "+refs[i].IPv4IPs[0])
			}
			ip = got
		}
		n, err := t.newNICLocked(nw, ip, v.uuid, "zone", v.ownerUUID, now)
		if err != nil {
			for _, n := range added {
				t.deleteNICLocked(n)
			}
			return err
		}
		added = append(added, n)
	}
	for i, n := range added {
		n.primary = primary && (refs[i].Primary || i == 0)
		if refs[i].Primary {
			for _, o := range v.nics {
				o.primary = false
			}
		}
	}
	v.nics = append(v.nics, added...)
	return nil
}

// destroyVMLocked is the end of a destroy job: destroyed, its resources
// and NICs released.
func (t *Triton) destroyVMLocked(v *vm, now time.Time) {
	if v.state == "destroyed" {
		return
	}
	t.unplaceLocked(v)
	for _, n := range v.nics {
		t.deleteNICLocked(n)
	}
	v.state, v.modified, v.destroyed = "destroyed", now, now
}

// vmLocked finds a VM; VMAPI's 404 when there is none.
func (t *Triton) vmLocked(uuid string) (*vm, error) {
	if !validUUID(uuid) {
		return nil, invalidParam("uuid", "Invalid UUID")
	}
	v := t.dc.vms[uuid]
	if v == nil {
		return nil, kit.NotFound("VM not found")
	}
	return v, nil
}

// CreateVM provisions a VM as VMAPI's POST /vms does; it returns the VM
// (provisioning) and its provision job's UUID.
func (t *Triton) CreateVM(c CreateVM) (VM, string, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, j, err := t.createVMLocked(c, now)
	if err != nil {
		return VM{}, "", err
	}
	return v.render(), j.uuid, nil
}

// VM is the VM uuid as VMAPI shows it.
func (t *Triton) VM(uuid string) (VM, bool) {
	t.lock()
	defer t.mu.Unlock()
	v := t.dc.vms[uuid]
	if v == nil {
		return VM{}, false
	}
	return v.render(), true
}

// VMs lists every VM, destroyed ones included, in creation order.
func (t *Triton) VMs() []VM {
	t.lock()
	defer t.mu.Unlock()
	out := make([]VM, len(t.dc.vmOrder))
	for i, v := range t.dc.vmOrder {
		out[i] = v.render()
	}
	return out
}

// Job is the job uuid as VMAPI shows it.
func (t *Triton) Job(uuid string) (Job, bool) {
	now := t.lock()
	defer t.mu.Unlock()
	j := t.dc.jobs[uuid]
	if j == nil {
		return Job{}, false
	}
	return j.render(now), true
}
