// The server actions of the operator and legacy APIs: evacuate,
// trigger_crash_dump (2.17), injectNetworkInfo, addFixedIp and
// removeFixedIp (until 2.43), and restore, with the soft delete
// WithReclaimInstanceInterval turns on.

package compute

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of these actions (see serverActions).
const (
	OpActionEvacuate          = OpServerAction + ".evacuate"
	OpActionTriggerCrashDump  = OpServerAction + ".trigger_crash_dump"
	OpActionInjectNetworkInfo = OpServerAction + ".injectNetworkInfo"
	OpActionAddFixedIP        = OpServerAction + ".addFixedIp"
	OpActionRemoveFixedIP     = OpServerAction + ".removeFixedIp"
	OpActionRestore           = OpServerAction + ".restore"
)

// evacuateRequest is the argument of evacuate.
type evacuateRequest struct {
	Host            *string         `json:"host"`
	AdminPass       *string         `json:"adminPass"`
	OnSharedStorage json.RawMessage `json:"onSharedStorage"`
	Force           json.RawMessage `json:"force"`
}

// parseEvacuate applies the evacuate schema of the microversion:
// onSharedStorage required before 2.14, force from 2.29 to 2.67.
func parseEvacuate(call *kit.Call, arg json.RawMessage) (evacuateRequest, error) {
	v := versionOf(call)
	var in evacuateRequest
	allowed := []string{"host", "adminPass"}
	switch {
	case !v.AtLeast(14):
		allowed = append(allowed, "onSharedStorage")
	case v.AtLeast(29) && !v.AtLeast(68):
		allowed = append(allowed, "force")
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(arg, &m) != nil {
		m = map[string]json.RawMessage{}
	}
	if msg := notAllowed(m, func(k string) bool { return slices.Contains(allowed, k) }); msg != "" {
		return in, kit.BadRequest("Invalid input for field/attribute evacuate. Value: %s. %s", pyValue(arg), msg)
	}
	if _, ok := m["onSharedStorage"]; !ok && !v.AtLeast(14) {
		return in, kit.BadRequest("Invalid input for field/attribute evacuate. Value: %s. 'onSharedStorage' is a required property", pyValue(arg))
	}
	if err := decodeArg(arg, &in); err != nil {
		return in, err
	}
	if in.OnSharedStorage != nil {
		shared, err := schemaBool("onSharedStorage", in.OnSharedStorage)
		if err != nil {
			return in, err
		}
		if shared && in.AdminPass != nil {
			return in, kit.BadRequest("admin password can't be changed on existing disk")
		}
	}
	if in.Force != nil {
		force, err := schemaBool("force", in.Force)
		if err != nil {
			return in, err
		}
		if force && in.Host == nil {
			return in, kit.BadRequest("Can't force to a non-provided destination")
		}
	}
	return in, nil
}

// actEvacuate rebuilds a server of a host whose compute service is down
// (forced down with os-services) on another host: admin only.
func (c *Compute) actEvacuate(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	in, err := parseEvacuate(call, arg)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := nvAdminOnly(call, "os_compute_api:os-evacuate"); err != nil {
		return kit.Reply{}, err
	}
	if in.Host != nil {
		if _, ok := c.computeServiceLocked(*in.Host); !ok {
			return kit.Reply{}, kit.NotFound("Compute host %s not found.", *in.Host)
		}
		if *in.Host == s.Host {
			return kit.Reply{}, kit.BadRequest("The target host can't be the same one.")
		}
	}
	if err := requireState(s, "evacuate", []string{vmActive, vmStopped, vmError}); err != nil {
		return kit.Reply{}, err
	}
	if c.hostUpLocked(s.Host) {
		return kit.Reply{}, kit.BadRequest("Compute service of %s is still in use.", s.Host)
	}
	target := ""
	if in.Host != nil {
		target = *in.Host
	} else {
		for _, h := range c.hosts {
			if h != s.Host && c.hostUpLocked(h) {
				target = h
				break
			}
		}
	}
	pass := c.RNG().Alnum(12)
	if in.AdminPass != nil {
		pass = *in.AdminPass
	}
	if target == "" {
		// The scheduler finds no host: the evacuation fails, the server stays.
		m := c.recordMigrationLocked(s, migrationEvacuation, s.Host, "", s.FlavorID, 0)
		m.status = "error"
	} else {
		c.evacuateToLocked(call, s, target)
	}
	if versionOf(call).AtLeast(14) {
		return kit.Status(http.StatusOK), nil
	}
	return kit.OK(adminPassJSON{AdminPass: pass}), nil
}

// evacuateToLocked rebuilds s on target: REBUILD, then ACTIVE (SHUTOFF if
// it was stopped, or from 2.95).
func (c *Compute) evacuateToLocked(call *kit.Call, s *server, target string) {
	stopped := s.VMState == vmStopped || versionOf(call).AtLeast(95)
	c.recordMigrationLocked(s, migrationEvacuation, s.Host, target, s.FlavorID, c.durations.Rebuild)
	s.Host, s.HypervisorHostname = target, nodeName(target)
	c.beginRebuildLocked(s, stopped)
}

// nullArg refuses an action argument other than null (the schema's
// "type": "null").
func nullArg(name string, arg json.RawMessage) error {
	if len(arg) == 0 || isJSONNull(arg) {
		return nil
	}
	return kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'null'", name, pyValue(arg), pyRepr(arg))
}

func (c *Compute) actTriggerCrashDump(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	if err := atLeastOr404(call, 17); err != nil {
		return kit.Reply{}, err
	}
	if err := nullArg("trigger_crash_dump", arg); err != nil {
		return kit.Reply{}, err
	}
	if err := requireVMState(s, "trigger_crash_dump", []string{vmActive, vmPaused, vmRescued, vmResized, vmError}); err != nil {
		return kit.Reply{}, err
	}
	if s.Host == "" {
		return kit.Reply{}, kit.Conflict("Instance %s is not ready", s.ID)
	}
	return kit.Status(http.StatusAccepted), nil
}

// actInjectNetworkInfo: Nova's schema takes any value for the action
// (restricting it to null is a TODO there).
func (c *Compute) actInjectNetworkInfo(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	if err := nvAdminOnly(call, "os_compute_api:os-admin-actions:inject_network_info"); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusAccepted), nil
}

// actAddFixedIP gives the server one more private IPv4 address (until
// 2.43); the network is any ID the fake does not check.
func (c *Compute) actAddFixedIP(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	if versionOf(call).AtLeast(44) {
		return kit.Reply{}, notFoundResource()
	}
	var in struct {
		NetworkID json.RawMessage `json:"networkId"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	var id string
	var n json.Number
	if in.NetworkID == nil || json.Unmarshal(in.NetworkID, &id) != nil && json.Unmarshal(in.NetworkID, &n) != nil {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute addFixedIp. Value: %s. 'networkId' is a required property", pyValue(arg))
	}
	private := s.Addresses["private"]
	mac := ""
	if len(private) > 0 {
		mac = private[0].MAC
	}
	addr := fmt.Sprintf("10.254.%d.%d", len(private)%250, 2+c.RNG().Intn(250))
	s.Addresses = cloneAddresses(s.Addresses)
	s.Addresses["private"] = append(s.Addresses["private"], Address{Addr: addr, Version: 4, Type: "fixed", MAC: mac})
	s.Updated = c.Now()
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actRemoveFixedIP(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	if versionOf(call).AtLeast(44) {
		return kit.Reply{}, notFoundResource()
	}
	var in struct {
		Address *string `json:"address"`
	}
	if err := decodeArg(arg, &in); err != nil || in.Address == nil {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute removeFixedIp. Value: %s. 'address' is a required property", pyValue(arg))
	}
	for net, addrs := range s.Addresses {
		for i, a := range addrs {
			if a.Addr == *in.Address && a.Type == "fixed" {
				s.Addresses = cloneAddresses(s.Addresses)
				s.Addresses[net] = slices.Delete(s.Addresses[net], i, i+1)
				s.Updated = c.Now()
				return kit.Status(http.StatusAccepted), nil
			}
		}
	}
	return kit.Reply{}, kit.BadRequest("Instance %s does not have fixed IP '%s'.", s.ID, *in.Address)
}

func cloneAddresses(in map[string][]Address) map[string][]Address {
	out := make(map[string][]Address, len(in))
	for k, v := range in {
		out[k] = slices.Clone(v)
	}
	return out
}

// softDeleteLocked is DELETE with reclaim_instance_interval set: the
// server goes to SOFT_DELETED, and is reclaimed (deleted) after the
// interval unless restored or force-deleted first.
func (c *Compute) softDeleteLocked(call *kit.Call, s *server) {
	s.events = nil
	c.recordActionLocked(s, "delete", call)
	reclaim := c.admin.reclaim
	c.beginTaskLocked(s, "soft-deleting", c.durations.Delete, func(s *server, at time.Time) {
		s.VMState = vmSoftDeleted
		s.setPower(PowerShutdown, at)
		s.softDeletedAt = at
		s.schedule(at.Add(reclaim), func(s *server, when time.Time) {
			if s.VMState == vmSoftDeleted && s.softDeletedAt.Equal(at) {
				s.TaskState, s.VMState = "", vmDeleted
				s.setPower(PowerNoState, when)
				s.Deleted, s.TerminatedAt = true, when
				c.releaseLocked(s)
			}
		})
	})
}

// actRestore brings back a soft-deleted server, if the project's quota
// still has room for it. Any value of the action is taken, as Nova's
// schema does (Tempest sends {"restore": {}}).
func (c *Compute) actRestore(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	if err := requireVMState(s, "restore", []string{vmSoftDeleted}); err != nil {
		return kit.Reply{}, err
	}
	q, u := c.quotaLocked(s.ProjectID), c.usageLocked(s.ProjectID)
	switch {
	case !fits(q.Instances, u.instances, 1):
		return kit.Reply{}, kit.Forbidden("Quota exceeded for instances: Requested 1, but already used %d of %d instances", u.instances, q.Instances)
	case !fits(q.Cores, u.cores, s.VCPUs):
		return kit.Reply{}, kit.Forbidden("Quota exceeded for cores: Requested %d, but already used %d of %d cores", s.VCPUs, u.cores, q.Cores)
	case !fits(q.RAM, u.ram, s.MemoryMB):
		return kit.Reply{}, kit.Forbidden("Quota exceeded for ram: Requested %d, but already used %d of %d ram", s.MemoryMB, u.ram, q.RAM)
	}
	s.softDeletedAt = time.Time{}
	c.beginTaskLocked(s, "restoring", c.durations.Start, toActive)
	return kit.Status(http.StatusAccepted), nil
}
