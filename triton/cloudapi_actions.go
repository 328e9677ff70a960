package triton

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// machineActions are CloudAPI's POST /:login/machines/:id?action= values,
// each its own op (triton.cloudapi.machines.action.start …).
var machineActions = []string{"start", "stop", "reboot", "resize", "rename", "enable_firewall", "disable_firewall",
	"enable_deletion_protection", "disable_deletion_protection"}

func machineActionOps() []string {
	out := make([]string, len(machineActions))
	for i, a := range machineActions {
		out[i] = OpCloudAPIMachinesAction + "." + a
	}
	return out
}

// machineActionBody is an action's parameters when sent as JSON (restify
// merges them with the query string's).
type machineActionBody struct {
	Action  string `json:"action"`
	Name    string `json:"name"`
	Package string `json:"package"`
}

func readMachineAction(r *http.Request, body []byte) machineActionBody {
	var b machineActionBody
	_ = json.Unmarshal(body, &b)
	q := r.URL.Query()
	for _, f := range []struct {
		name string
		dst  *string
	}{{"action", &b.Action}, {"name", &b.Name}, {"package", &b.Package}} {
		if v := q.Get(f.name); v != "" {
			*f.dst = v
		}
	}
	return b
}

func refineMachineAction(r *http.Request, body []byte) string {
	if a := readMachineAction(r, body).Action; slices.Contains(machineActions, a) {
		return OpCloudAPIMachinesAction + "." + a
	}
	return ""
}

// machineAction is the machine actions: 202 with no body once VMAPI has
// the job (VMAPI's 409 UnallocatedVM while the machine provisions), 410
// with the machine once deleted.
func (t *Triton) machineAction(c *kit.Call) (kit.Reply, error) {
	b := readMachineAction(c.Request, c.Body)
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	switch {
	case b.Action == "":
		return kit.Reply{}, missingParameter("action is required")
	case !slices.Contains(machineActions, b.Action):
		return kit.Reply{}, invalidArgument(b.Action + " is not a valid action")
	case v.state == "provisioning":
		return kit.Reply{}, restError(http.StatusConflict, "UnallocatedVM", "Cannot call "+b.Action+" for a VM that has not been provisioned yet")
	}
	if err := t.runMachineActionLocked(v, b, now); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusAccepted), nil
}

func (t *Triton) runMachineActionLocked(v *vm, b machineActionBody, now time.Time) error {
	switch b.Action {
	case "start", "stop", "reboot":
		_, err := t.runActionLocked(v, b.Action, actionBody{}, now)
		return err
	case "rename":
		switch {
		case b.Name == "":
			return missingParameter("New name must be specified")
		case len(b.Name) > 189:
			return invalidArgument("Name cannot be longer than 189 characters.")
		}
		_, err := t.updateLocked(v, actionBody{Alias: &b.Name}, now)
		return err
	case "resize":
		if b.Package == "" {
			return missingParameter("package must be specified")
		}
		p := t.packageLocked(b.Package)
		if p == nil {
			return invalidArgument(b.Package + " is not a valid package")
		}
		quota, cpuCap := p.Disk/1024, p.VCPUs*100
		_, err := t.updateLocked(v, actionBody{RAM: p.Memory, Quota: &quota, CPUCap: &cpuCap, BillingID: p.ID}, now)
		return err
	case "enable_firewall", "disable_firewall":
		on := b.Action == "enable_firewall"
		_, err := t.updateLocked(v, actionBody{FirewallEnabled: &on}, now)
		return err
	}
	on := b.Action == "enable_deletion_protection"
	if v.indestructible != on {
		t.vmJobLocked("update", v, map[string]any{"indestructible_zoneroot": on}, now, func(time.Time) { v.indestructible = on })
	}
	return nil
}
