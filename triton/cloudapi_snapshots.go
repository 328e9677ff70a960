package triton

import (
	"net/http"
	"slices"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// MachineSnapshot is a snapshot as CloudAPI renders it: "queued" until
// VMAPI's snapshot job ends, then "created".
type MachineSnapshot struct {
	Name    string `json:"name"`
	State   string `json:"state"`
	Created string `json:"created"`
	Updated string `json:"updated"`
}

// AuditEntry is one entry of a machine's audit trail.
type AuditEntry struct {
	Action     string         `json:"action"`
	Parameters map[string]any `json:"parameters"`
	Success    string         `json:"success"`
	Caller     map[string]any `json:"caller"`
	Time       string         `json:"time"`
}

// snapshotsLocked is v's snapshots, queued ones (an unfinished snapshot
// job) last.
func (t *Triton) snapshotsLocked(v *vm) []MachineSnapshot {
	out := []MachineSnapshot{}
	for _, s := range v.snapshots {
		out = append(out, MachineSnapshot{Name: s.Name, State: "created", Created: s.CreatedAt, Updated: s.CreatedAt})
	}
	for _, j := range t.dc.jobOrder {
		if j.vmUUID == v.uuid && j.wf.name == "snapshot" && !j.finished {
			name, _ := j.params["snapshot_name"].(string)
			out = append(out, MachineSnapshot{Name: name, State: "queued", Created: iso(j.created), Updated: iso(j.created)})
		}
	}
	return out
}

func (t *Triton) listMachineSnapshots(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	return kit.OK(t.snapshotsLocked(v)), nil
}

// snapshotCreate is CreateMachineSnapshot's body.
type snapshotCreate struct {
	Name string `json:"name"`
}

func (t *Triton) createMachineSnapshot(c *kit.Call) (kit.Reply, error) {
	var in snapshotCreate
	if err := decodeCloudAPI(c, &in); err != nil {
		return kit.Reply{}, err
	}
	if in.Name == "" {
		in.Name = c.Query().Get("name")
	}
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	if v.state == "provisioning" {
		return kit.Reply{}, restError(http.StatusConflict, "UnallocatedVM", "Cannot call create_snapshot for a VM that has not been provisioned yet")
	}
	if in.Name == "" {
		in.Name = now.UTC().Format("20060102T150405Z")
	}
	taken := slices.ContainsFunc(t.snapshotsLocked(v), func(s MachineSnapshot) bool { return s.Name == in.Name })
	if taken {
		return kit.Reply{}, invalidArgument("Snapshot " + in.Name + " already exists")
	}
	if _, err := t.snapshotLocked(v, "create_snapshot", in.Name, now); err != nil {
		return kit.Reply{}, err
	}
	snaps := t.snapshotsLocked(v)
	s := snaps[slices.IndexFunc(snaps, func(s MachineSnapshot) bool { return s.Name == in.Name })]
	c.Header().Set("Location", "/"+c.Var("login")+"/machines/"+v.uuid+"/snapshots/"+in.Name)
	return kit.JSON(http.StatusCreated, s), nil
}

func (t *Triton) snapshotOfLocked(c *kit.Call) (*vm, *kit.Reply, MachineSnapshot, error) {
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return nil, gone, MachineSnapshot{}, err
	}
	for _, s := range t.snapshotsLocked(v) {
		if s.Name == c.Var("name") {
			return v, nil, s, nil
		}
	}
	return nil, nil, MachineSnapshot{}, kit.NotFound("%s not found", c.Var("name"))
}

func (t *Triton) getMachineSnapshot(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	_, gone, s, err := t.snapshotOfLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	return kit.OK(s), nil
}

// bootMachineSnapshot is StartMachineFromSnapshot: VMAPI's rollback, 202.
func (t *Triton) bootMachineSnapshot(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, s, err := t.snapshotOfLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	if s.State != "created" {
		return kit.Reply{}, invalidArgument("Snapshot " + s.Name + " is not created yet")
	}
	if _, err := t.snapshotLocked(v, "rollback_snapshot", s.Name, now); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusAccepted), nil
}

func (t *Triton) deleteMachineSnapshot(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, s, err := t.snapshotOfLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	if s.State != "created" {
		return kit.Reply{}, invalidArgument("Snapshot " + s.Name + " is not created yet")
	}
	if _, err := t.snapshotLocked(v, "delete_snapshot", s.Name, now); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

// NICs: the machine's, "running"; one added is "provisioning" until its
// add-nics job ends.

func (t *Triton) listMachineNICs(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	out := append([]MachineNIC{}, t.machineNICsLocked(v)...)
	c.Header().Set("x-resource-count", itoa(len(out)))
	return kit.OK(out), nil
}

func (t *Triton) machineNICsLocked(v *vm) []MachineNIC {
	var out []MachineNIC
	for _, n := range v.nics {
		out = append(out, renderNIC(n, "running"))
	}
	for _, n := range t.dc.nicOrder {
		if n.belongsToUUID == v.uuid && !n.gone && !slices.Contains(v.nics, n) {
			out = append(out, renderNIC(n, "provisioning"))
		}
	}
	return out
}

// nicCreate is AddNic's body.
type nicCreate struct {
	Network string `json:"network"`
}

func (t *Triton) addMachineNIC(c *kit.Call) (kit.Reply, error) {
	var in nicCreate
	if err := decodeCloudAPI(c, &in); err != nil {
		return kit.Reply{}, err
	}
	if in.Network == "" {
		return kit.Reply{}, missingParameter("network must be specified")
	}
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	if n := t.networkLocked(in.Network); n == nil || !n.visibleTo(v.ownerUUID) {
		return kit.Reply{}, invalidArgument("network not found")
	}
	before := len(t.dc.nicOrder)
	if _, err := t.nicActionLocked(v, "add_nics", actionBody{Networks: []NetworkRef{{UUID: t.networkLocked(in.Network).UUID}}}, now); err != nil {
		return kit.Reply{}, err
	}
	n := t.dc.nicOrder[before]
	out := renderNIC(n, "provisioning")
	if slices.Contains(v.nics, n) {
		out.State = "running"
	}
	c.Header().Set("Location", "/"+c.Var("login")+"/machines/"+v.uuid+"/nics/"+strings.ReplaceAll(out.MAC, ":", ""))
	return kit.JSON(http.StatusCreated, out), nil
}

func (t *Triton) machineNICLocked(c *kit.Call) (*vm, *kit.Reply, MachineNIC, error) {
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return nil, gone, MachineNIC{}, err
	}
	want, ok := parseMAC(c.Var("mac"))
	if !ok {
		return nil, nil, MachineNIC{}, invalidArgument("mac has invalid format")
	}
	for _, n := range t.machineNICsLocked(v) {
		if m, _ := parseMAC(n.MAC); m == want {
			return v, nil, n, nil
		}
	}
	return nil, nil, MachineNIC{}, kit.NotFound("nic not found")
}

func (t *Triton) getMachineNIC(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	_, gone, n, err := t.machineNICLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	return kit.OK(n), nil
}

func (t *Triton) removeMachineNIC(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, n, err := t.machineNICLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	if _, err := t.nicActionLocked(v, "remove_nics", actionBody{MACs: []string{n.MAC}}, now); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

// Disks: bhyve machines' (VMAPI's rules: bhyve only, stopped to change).

func (t *Triton) listMachineDisks(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	out := []MachineDisk{}
	for _, d := range v.disks {
		out = append(out, MachineDisk{ID: d.UUID, Size: d.Size, Boot: d.Boot, Image: d.Image, State: "created"})
	}
	return kit.OK(out), nil
}

// diskBody is CreateMachineDisk's and ResizeMachineDisk's body.
type diskBody struct {
	Size int64 `json:"size"`
}

func (t *Triton) diskChange(c *kit.Call, action string) (kit.Reply, error) {
	var in diskBody
	if err := decodeCloudAPI(c, &in); err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	if action != "delete_disk" && in.Size <= 0 {
		return kit.Reply{}, missingParameter("size is a required argument")
	}
	if _, err := t.diskActionLocked(v, action, actionBody{DiskUUID: c.Var("disk"), Size: in.Size}, now); err != nil {
		return kit.Reply{}, err
	}
	if action == "delete_disk" {
		return kit.Status(http.StatusNoContent), nil
	}
	return kit.Status(http.StatusAccepted), nil
}

func (t *Triton) createMachineDisk(c *kit.Call) (kit.Reply, error) {
	return t.diskChange(c, "create_disk")
}
func (t *Triton) resizeMachineDisk(c *kit.Call) (kit.Reply, error) {
	return t.diskChange(c, "resize_disk")
}
func (t *Triton) deleteMachineDisk(c *kit.Call) (kit.Reply, error) {
	return t.diskChange(c, "delete_disk")
}

func (t *Triton) getMachineDisk(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	for _, d := range v.disks {
		if d.UUID == c.Var("disk") {
			return kit.OK(MachineDisk{ID: d.UUID, Size: d.Size, Boot: d.Boot, Image: d.Image, State: "created"}), nil
		}
	}
	return kit.Reply{}, kit.NotFound("disk not found")
}

// auditActions are CloudAPI's names for VMAPI's workflows.
var auditActions = map[string]string{"provision": "provision", "start": "start", "stop": "stop", "kill": "stop",
	"reboot": "reboot", "update": "update", "reprovision": "reprovision", "destroy": "destroy", "snapshot": "create_snapshot",
	"rollback": "rollback_snapshot", "delete-snapshot": "delete_snapshot", "add-nics": "add_nics", "remove-nics": "remove_nics",
	"update-nics": "update_nics"}

// machineAudit is MachineAudit: the machine's jobs, newest first, with
// their times from the shared clock.
func (t *Triton) machineAudit(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, err := t.ownMachineLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	out := []AuditEntry{}
	for i := len(t.dc.jobOrder) - 1; i >= 0; i-- {
		j := t.dc.jobOrder[i]
		if j.vmUUID != v.uuid {
			continue
		}
		_, exec := j.progress(now)
		success := "yes"
		if exec == "failed" {
			success = "no"
		}
		out = append(out, AuditEntry{Action: auditActions[j.wf.name], Parameters: cloneMap(j.params), Success: success,
			Caller: map[string]any{"type": "signature", "key_id": "", "ip": "127.0.0.1"}, Time: iso(j.created)})
	}
	return kit.OK(out), nil
}
