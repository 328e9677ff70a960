package triton

import (
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// actionBody is every action's parameters (query string or JSON body).
type actionBody struct {
	Alias             *string          `json:"alias"`
	RAM               int64            `json:"ram"`
	MaxPhysicalMemory int64            `json:"max_physical_memory"`
	Quota             *int64           `json:"quota"`
	CPUCap            *int64           `json:"cpu_cap"`
	BillingID         string           `json:"billing_id"`
	FirewallEnabled   *bool            `json:"firewall_enabled"`
	ImageUUID         string           `json:"image_uuid"`
	SnapshotName      string           `json:"snapshot_name"`
	Networks          []NetworkRef     `json:"networks"`
	MACs              []string         `json:"macs"`
	NICs              []map[string]any `json:"nics"`
	Tags              map[string]any   `json:"tags"`
	CustomerMetadata  map[string]any   `json:"customer_metadata"`
	DiskUUID          string           `json:"disk_uuid"`
	Size              int64            `json:"size"`
	Idempotent        bool             `json:"idempotent"`
}

func (t *Triton) vmAction(c *kit.Call) (kit.Reply, error) {
	q := c.Query()
	action := q.Get("action")
	var body actionBody
	if err := decode(c, &body, true); err != nil {
		return kit.Reply{}, err
	}
	if body.SnapshotName == "" {
		body.SnapshotName = q.Get("snapshot_name")
	}
	if body.ImageUUID == "" {
		body.ImageUUID = q.Get("image_uuid")
	}
	now := t.lock()
	defer t.mu.Unlock()
	v, err := t.vmLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	switch {
	case action == "":
		return kit.Reply{}, missingParam("action")
	case !slices.Contains(vmActions, action):
		return kit.Reply{}, invalidParam("action", "")
	case v.state == "provisioning":
		return kit.Reply{}, restError(http.StatusConflict, "UnallocatedVM", "Cannot call "+action+" for a VM that has not been provisioned yet")
	case v.state == "destroyed" || v.state == "failed":
		return kit.Reply{}, invalidParam("state", "VM is "+v.state)
	}
	j, err := t.runActionLocked(v, action, body, now)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.JSON(http.StatusAccepted, jobAccepted{VMUUID: v.uuid, JobUUID: j.uuid}), nil
}

func (t *Triton) runActionLocked(v *vm, action string, b actionBody, now time.Time) (*job, error) {
	set := func(state string) func(time.Time) { return func(time.Time) { v.state = state } }
	switch action {
	case "start":
		return t.vmJobLocked("start", v, nil, now, set("running")), nil
	case "stop":
		return t.vmJobLocked("stop", v, nil, now, set("stopped")), nil
	case "kill":
		return t.vmJobLocked("kill", v, nil, now, set("stopped")), nil
	case "reboot":
		return t.vmJobLocked("reboot", v, nil, now, set("running")), nil
	case "update":
		return t.updateLocked(v, b, now)
	case "reprovision":
		if b.ImageUUID == "" {
			return nil, missingParam("image_uuid")
		}
		img := b.ImageUUID
		return t.vmJobLocked("reprovision", v, map[string]any{"image_uuid": img}, now, func(time.Time) {
			v.imageUUID, v.state = img, "running"
		}), nil
	case "add_nics", "update_nics", "remove_nics":
		return t.nicActionLocked(v, action, b, now)
	case "create_snapshot", "rollback_snapshot", "delete_snapshot":
		return t.snapshotLocked(v, action, b.SnapshotName, now)
	}
	return t.diskActionLocked(v, action, b, now)
}

// updateLocked is the update action: checked now, applied when its job ends.
func (t *Triton) updateLocked(v *vm, b actionBody, now time.Time) (*job, error) {
	ram, quota, cpuCap := v.ram, v.quota, v.cpuCap
	if b.RAM == 0 {
		b.RAM = b.MaxPhysicalMemory
	}
	if b.RAM < 0 {
		return nil, invalidParam("ram", "Invalid number")
	}
	if b.RAM > 0 {
		ram = b.RAM
	}
	if b.Quota != nil {
		quota = *b.Quota
	}
	if b.CPUCap != nil {
		cpuCap = *b.CPUCap
	}
	if s := v.server; s != nil && ram-v.ram > s.unreservedRAM() {
		return nil, validationFailed("Invalid VM update parameters",
			FieldError{Field: "ram", Code: "InsufficientCapacity", Message: "Required additional RAM (" + itoa(int(ram-v.ram)) + ") exceeds the server's available RAM (" + itoa(int(s.unreservedRAM())) + ")"})
	}
	params := map[string]any{"ram": ram, "quota": quota, "cpu_cap": cpuCap}
	return t.vmJobLocked("update", v, params, now, func(time.Time) {
		t.resizeLocked(v, ram, quota, cpuCap)
		if b.Alias != nil {
			v.alias = *b.Alias
		}
		if b.BillingID != "" {
			v.billingID = b.BillingID
		}
		if b.FirewallEnabled != nil {
			v.firewall = *b.FirewallEnabled
		}
		if b.Tags != nil {
			v.tags = mergeMeta(v.tags, b.Tags)
		}
		if b.CustomerMetadata != nil {
			v.customerMD = mergeMeta(v.customerMD, b.CustomerMetadata)
		}
	}), nil
}

func mergeMeta(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	maps.Copy(dst, src)
	return dst
}

func (t *Triton) nicActionLocked(v *vm, action string, b actionBody, now time.Time) (*job, error) {
	switch action {
	case "add_nics":
		if len(b.Networks) == 0 {
			return nil, missingParam("networks")
		}
		nets := make([]*network, len(b.Networks))
		for i, ref := range b.Networks {
			id := ref.UUID
			if id == "" {
				id = ref.Name
			}
			if nets[i] = t.networkLocked(id); nets[i] == nil {
				return nil, invalidParam("networks", "Invalid Networks: network "+id+" does not exist")
			}
		}
		// NAPI hands out the NICs now (provisioning); they join the VM
		// when the job ends.
		tmp := &vm{uuid: v.uuid, ownerUUID: v.ownerUUID, nics: slices.Clone(v.nics)}
		if err := t.addVMNICsLocked(tmp, b.Networks, nets, now); err != nil {
			return nil, err
		}
		added := tmp.nics[len(v.nics):]
		return t.vmJobLocked("add-nics", v, nil, now, func(time.Time) { v.nics = append(v.nics, added...) }), nil
	case "remove_nics":
		if len(b.MACs) == 0 {
			return nil, missingParam("macs")
		}
		var gone []*nic
		for _, m := range b.MACs {
			mac, ok := parseMAC(m)
			n := t.dc.nics[mac]
			if !ok || n == nil || n.belongsToUUID != v.uuid {
				return nil, invalidParam("macs", "VM does not have NIC "+m)
			}
			gone = append(gone, n)
		}
		return t.vmJobLocked("remove-nics", v, nil, now, func(time.Time) {
			for _, n := range gone {
				t.deleteNICLocked(n)
				v.nics = slices.DeleteFunc(v.nics, func(x *nic) bool { return x == n })
			}
		}), nil
	}
	if len(b.NICs) == 0 {
		return nil, missingParam("nics")
	}
	primary := ""
	for _, n := range b.NICs {
		m, _ := n["mac"].(string)
		if _, ok := parseMAC(m); !ok {
			return nil, invalidParam("nics", "Invalid MAC address")
		}
		if p, _ := n["primary"].(bool); p {
			primary = m
		}
	}
	return t.vmJobLocked("update-nics", v, nil, now, func(time.Time) {
		if want, ok := parseMAC(primary); ok && primary != "" {
			for _, n := range v.nics {
				n.primary = n.mac == want
			}
		}
	}), nil
}

func (t *Triton) snapshotLocked(v *vm, action, name string, now time.Time) (*job, error) {
	has := slices.IndexFunc(v.snapshots, func(s Snapshot) bool { return s.Name == name })
	switch action {
	case "create_snapshot":
		if name == "" {
			name = now.UTC().Format("20060102T150405Z")
		}
		if has >= 0 {
			return nil, invalidParam("snapshot_name", "Snapshot "+name+" already exists")
		}
		return t.vmJobLocked("snapshot", v, map[string]any{"snapshot_name": name}, now, func(now time.Time) {
			v.snapshots = append(v.snapshots, Snapshot{Name: name, CreatedAt: iso(now)})
		}), nil
	case "rollback_snapshot":
		if name == "" {
			return nil, missingParam("snapshot_name")
		}
		if has < 0 {
			return nil, invalidParam("snapshot_name", "Snapshot "+name+" does not exist")
		}
		return t.vmJobLocked("rollback", v, map[string]any{"snapshot_name": name}, now, func(time.Time) { v.state = "running" }), nil
	}
	if name == "" {
		return nil, missingParam("snapshot_name")
	}
	if has < 0 {
		return nil, invalidParam("snapshot_name", "Snapshot "+name+" does not exist")
	}
	return t.vmJobLocked("delete-snapshot", v, map[string]any{"snapshot_name": name}, now, func(time.Time) {
		v.snapshots = slices.DeleteFunc(v.snapshots, func(s Snapshot) bool { return s.Name == name })
	}), nil
}

// diskActionLocked: only bhyve VMs have disks to change, and only while
// stopped, as VMAPI says.
func (t *Triton) diskActionLocked(v *vm, action string, b actionBody, now time.Time) (*job, error) {
	if v.brand != "bhyve" {
		return nil, restError(http.StatusConflict, "BrandNotSupported", "Can only "+map[string]string{
			"create_disk": "create", "resize_disk": "resize", "delete_disk": "delete"}[action]+" disks on bhyve VMs")
	}
	if v.state != "stopped" {
		return nil, restError(http.StatusConflict, "VmNotStopped", "VM not stopped")
	}
	idx := slices.IndexFunc(v.disks, func(d Disk) bool { return d.UUID == b.DiskUUID })
	if action != "create_disk" && idx < 0 {
		return nil, kit.NotFound("Disk not found")
	}
	switch action {
	case "create_disk":
		if b.Size <= 0 {
			return nil, invalidParam("size", "Invalid size")
		}
		d := Disk{UUID: t.newUUID(), Size: b.Size, Model: "virtio"}
		return t.vmJobLocked("update", v, nil, now, func(time.Time) { v.disks = append(v.disks, d) }), nil
	case "resize_disk":
		if b.Size <= v.disks[idx].Size {
			return nil, invalidParam("size", "Reducing disk size is a dangerous operation")
		}
		uuid, size := b.DiskUUID, b.Size
		return t.vmJobLocked("update", v, nil, now, func(time.Time) {
			if i := slices.IndexFunc(v.disks, func(d Disk) bool { return d.UUID == uuid }); i >= 0 {
				v.disks[i].Size = size
			}
		}), nil
	}
	uuid := b.DiskUUID
	return t.vmJobLocked("update", v, nil, now, func(time.Time) {
		v.disks = slices.DeleteFunc(v.disks, func(d Disk) bool { return d.UUID == uuid })
	}), nil
}
