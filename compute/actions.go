package compute

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/fake"
)

// Route name of POST /servers/{id}/action. The journal's Op is this for
// every action; the action itself is the body's only key, which a fault's
// Match can test (see ActionIs).
const OpServerAction = "compute.servers.action"

// ActionIs is a fault predicate matching server actions by name
// ("reboot", "resize", "os-start" …).
func ActionIs(name string) func(fake.Request) bool {
	return func(r fake.Request) bool {
		if r.Op != OpServerAction {
			return false
		}
		var body map[string]json.RawMessage
		if json.Unmarshal([]byte(r.Body), &body) != nil {
			return false
		}
		_, ok := body[name]
		return ok
	}
}

func (c *Compute) actionRoutes() []apiRoute {
	return []apiRoute{{OpServerAction, []string{"POST"}, "/servers/{server_id}/action", c.serverAction}}
}

// actionFunc performs one action under the lock. It returns the status and
// body to answer with (nil body: none).
type actionFunc func(c *Compute, r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error)

// actions is the action table. An action missing here is answered 400
// "There is no such action", as Nova does.
var actions = map[string]actionFunc{
	"reboot":              (*Compute).actReboot,
	"resize":              (*Compute).actResize,
	"confirmResize":       (*Compute).actConfirmResize,
	"revertResize":        (*Compute).actRevertResize,
	"rebuild":             (*Compute).actRebuild,
	"os-start":            (*Compute).actStart,
	"os-stop":             (*Compute).actStop,
	"pause":               (*Compute).actPause,
	"unpause":             (*Compute).actUnpause,
	"suspend":             (*Compute).actSuspend,
	"resume":              (*Compute).actResume,
	"lock":                (*Compute).actLock,
	"unlock":              (*Compute).actUnlock,
	"rescue":              (*Compute).actRescue,
	"unrescue":            (*Compute).actUnrescue,
	"shelve":              (*Compute).actShelve,
	"shelveOffload":       (*Compute).actShelveOffload,
	"unshelve":            (*Compute).actUnshelve,
	"createImage":         (*Compute).actCreateImage,
	"createBackup":        (*Compute).actCreateBackup,
	"changePassword":      (*Compute).actChangePassword,
	"os-getConsoleOutput": (*Compute).actConsoleOutput,
	"os-resetState":       (*Compute).actResetState,
	"forceDelete":         (*Compute).actForceDelete,
	"addSecurityGroup":    (*Compute).actAddSecurityGroup,
	"removeSecurityGroup": (*Compute).actRemoveSecurityGroup,
	"migrate":             (*Compute).actMigrate,
	"os-migrateLive":      (*Compute).actLiveMigrate,
	"os-getVNCConsole":    (*Compute).actGetVNCConsole,
	"os-getSPICEConsole":  (*Compute).actGetSPICEConsole,
	"os-getSerialConsole": (*Compute).actGetSerialConsole,
	"os-getRDPConsole":    (*Compute).actGetRDPConsole,
}

func (c *Compute) serverAction(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := fake.DecodeJSON(r, &body, fake.DecodeOptions{}); err != nil {
		writeErr(w, r, err)
		return
	}
	if len(body) != 1 {
		// Nova's action_peek: exactly one key, or the body is malformed.
		writeErr(w, r, badRequest("Malformed request body"))
		return
	}
	var name string
	var arg json.RawMessage
	for k, v := range body {
		name, arg = k, v
	}
	act, ok := actions[name]
	if !ok {
		writeErr(w, r, badRequest("There is no such action: %s", name))
		return
	}
	if objectArg[name] {
		if t := strings.TrimSpace(string(arg)); t != "null" && !strings.HasPrefix(t, "{") {
			writeErr(w, r, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", name, arg, arg))
			return
		}
	}
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var (
		status int
		out    any
	)
	if err == nil && !lockExempt[name] && !legacyConsoleActions[name] {
		err = c.checkLockedLocked(r, s, name)
	}
	if err == nil {
		status, out, err = act(c, r, s, arg)
	}
	if err == nil {
		c.recordActionLocked(s, name, r)
		c.settleLocked(s, c.now())
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if loc, ok := out.(locationBody); ok {
		w.Header().Set("Location", loc.location)
		out = loc.body
	}
	if out == nil {
		w.WriteHeader(status)
		return
	}
	fake.WriteJSON(w, status, out)
}

// objectArg are the actions whose argument Nova's schema requires to be
// an object (or null); the others ignore theirs.
var objectArg = map[string]bool{
	"reboot": true, "resize": true, "rebuild": true, "createImage": true, "createBackup": true,
	"changePassword": true, "os-getConsoleOutput": true, "os-resetState": true, "addSecurityGroup": true,
	"removeSecurityGroup": true, "rescue": true, "unshelve": true, "migrate": true, "os-migrateLive": true,
}

// lockExempt are the actions Nova allows on a locked server (their
// compute API methods lack check_instance_lock).
var lockExempt = map[string]bool{
	"lock": true, "unlock": true, "os-getConsoleOutput": true, "createImage": true, "createBackup": true,
	"addSecurityGroup": true, "removeSecurityGroup": true, "os-resetState": true,
}

// locationBody is an action answer that also sets a Location header.
type locationBody struct {
	location string
	body     any
}

// checkLockedLocked refuses actions on a locked server to anyone but an admin.
func (c *Compute) checkLockedLocked(r *http.Request, s *server, action string) *fake.Error {
	if s.Locked && !callerOf(r).admin {
		return conflict("Instance %s is locked", s.ID)
	}
	return nil
}

// requireState is Nova's check_instance_state: the action is allowed only
// in the given vm_states, and only with no task pending (unless tasks are
// listed).
func requireState(s *server, action string, vmStates []string, taskStates ...string) *fake.Error {
	if err := requireVMState(s, action, vmStates); err != nil {
		return err
	}
	if s.TaskState != "" && !containsString(taskStates, s.TaskState) {
		return conflict("Cannot '%s' instance %s while it is in task_state %s", action, s.ID, s.TaskState)
	}
	return nil
}

// requireVMState is check_instance_state with task_state=None: only the
// vm_state matters, whatever task is running.
func requireVMState(s *server, action string, vmStates []string) *fake.Error {
	if !containsString(vmStates, s.VMState) {
		return conflict("Cannot '%s' instance %s while it is in vm_state %s", action, s.ID, s.VMState)
	}
	return nil
}

// decodeArg decodes an action's argument object; null and {} are both fine
// when every member is optional.
func decodeArg(arg json.RawMessage, v any) *fake.Error {
	if len(arg) == 0 || string(arg) == "null" {
		return nil
	}
	if err := json.Unmarshal(arg, v); err != nil {
		return badRequest("Invalid input for action argument %s: %v", arg, err)
	}
	return nil
}

func (c *Compute) actReboot(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		Type string `json:"type"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	switch strings.ToUpper(in.Type) {
	case "SOFT":
		if err := requireState(s, "reboot", []string{vmActive}); err != nil {
			return 0, nil, err
		}
		c.beginTaskLocked(s, "rebooting", c.durations.Reboot, toActive)
	case "HARD":
		// Nova's ALLOW_HARD_REBOOT vm_states and ALLOW_REBOOT task_states: a
		// hard reboot may interrupt a reboot or a pause/suspend in progress.
		if err := requireState(s, "reboot", []string{vmActive, vmStopped, vmPaused, vmSuspended, vmError},
			"rebooting", "reboot_pending", "reboot_started", "rebooting_hard",
			"resuming", "unpausing", "pausing", "suspending"); err != nil {
			return 0, nil, err
		}
		s.cancelTasks()
		s.setPower(PowerNoState, c.now())
		c.beginTaskLocked(s, "rebooting_hard", c.durations.HardReboot, func(s *server, at time.Time) {
			s.Fault = nil
			toActive(s, at)
		})
	default:
		return 0, nil, badRequest("Invalid input for field/attribute type. Value: %s. '%s' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']", in.Type, in.Type)
	}
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actResize(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		FlavorRef  flexString `json:"flavorRef"`
		DiskConfig string     `json:"OS-DCF:diskConfig"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	if in.FlavorRef == "" {
		return 0, nil, badRequest("Invalid input for field/attribute resize. Value: %s. 'flavorRef' is a required property", arg)
	}
	if err := requireState(s, "resize", []string{vmActive, vmStopped}); err != nil {
		return 0, nil, err
	}
	target, ok := c.flavors[idFromHref(string(in.FlavorRef))]
	if !ok || target.Disabled {
		return 0, nil, badRequest("Unable to find flavor %s.", idFromHref(string(in.FlavorRef)))
	}
	if target.ID == s.FlavorID {
		return 0, nil, badRequest("When resizing, instances must change flavor!")
	}
	if old, ok := c.flavors[s.FlavorID]; ok {
		if target.Disk < old.Disk && target.Disk > 0 {
			return 0, nil, badRequest("Resize error: Unable to resize disk down.")
		}
		q, u := c.quotaLocked(s.ProjectID), c.usageLocked(s.ProjectID)
		if dc := target.VCPUs - old.VCPUs; dc > 0 && !fits(q.Cores, u.cores, dc) {
			return 0, nil, forbidden("Quota exceeded for cores: Requested %d, but already used %d of %d cores", dc, u.cores, q.Cores)
		}
		if dr := target.RAM - old.RAM; dr > 0 && !fits(q.RAM, u.ram, dr) {
			return 0, nil, forbidden("Quota exceeded for ram: Requested %d, but already used %d of %d ram", dr, u.ram, q.RAM)
		}
	}
	if in.DiskConfig != "" {
		s.DiskConfig = in.DiskConfig
	}
	wasStopped := s.VMState == vmStopped
	newID := target.ID
	c.beginTaskLocked(s, "resize_prep", c.durations.Resize, func(s *server, at time.Time) {
		s.OldFlavorID, s.FlavorID = s.FlavorID, newID
		if f, ok := c.flavors[newID]; ok {
			s.MemoryMB, s.VCPUs, s.DiskGB = f.RAM, f.VCPUs, f.Disk
		}
		s.VMState = vmResized
		if wasStopped {
			s.setPower(PowerShutdown, at)
		} else {
			s.setPower(PowerRunning, at)
		}
	})
	// The phases of a migration, visible to a client that polls.
	now := c.now()
	if d := c.durations.Resize; d > 0 {
		s.schedule(now.Add(d/4), func(s *server, at time.Time) {
			if s.TaskState == "resize_prep" {
				s.TaskState = "resize_migrating"
			}
		})
		s.schedule(now.Add(d/2), func(s *server, at time.Time) {
			if s.TaskState == "resize_migrating" {
				s.TaskState = "resize_migrated"
			}
		})
		s.schedule(now.Add(3*d/4), func(s *server, at time.Time) {
			if s.TaskState == "resize_migrated" {
				s.TaskState = "resize_finish"
			}
		})
	}
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actConfirmResize(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	if s.VMState != vmResized || s.TaskState != "" {
		return 0, nil, conflict("Cannot 'confirmResize' instance %s while it is in vm_state %s", s.ID, s.VMState)
	}
	s.schedule(c.now().Add(c.durations.ConfirmResize), func(s *server, at time.Time) {
		if s.VMState != vmResized || s.TaskState != "" {
			return // reverted (or changed otherwise) in the meantime
		}
		s.OldFlavorID, s.oldHost = "", ""
		if s.PowerState == PowerShutdown {
			s.VMState = vmStopped
		} else {
			s.VMState = vmActive
		}
	})
	return http.StatusNoContent, nil, nil
}

func (c *Compute) actRevertResize(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	if err := requireState(s, "revertResize", []string{vmResized}); err != nil {
		return 0, nil, err
	}
	c.beginTaskLocked(s, "resize_reverting", c.durations.RevertResize, func(s *server, at time.Time) {
		if s.OldFlavorID != "" {
			s.FlavorID, s.OldFlavorID = s.OldFlavorID, ""
			if f, ok := c.flavors[s.FlavorID]; ok {
				s.MemoryMB, s.VCPUs, s.DiskGB = f.RAM, f.VCPUs, f.Disk
			}
		}
		if s.oldHost != "" { // a cold migration goes back where it was
			s.Host, s.HypervisorHostname, s.oldHost = s.oldHost, s.oldHost+".mockcloud.test", ""
		}
		if s.PowerState == PowerShutdown {
			s.VMState = vmStopped
		} else {
			toActive(s, at)
		}
	})
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actRebuild(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		ImageRef    string             `json:"imageRef"`
		Name        *string            `json:"name"`
		AdminPass   string             `json:"adminPass"`
		Metadata    *map[string]string `json:"metadata"`
		AccessIPv4  *string            `json:"accessIPv4"`
		AccessIPv6  *string            `json:"accessIPv6"`
		DiskConfig  string             `json:"OS-DCF:diskConfig"`
		KeyName     *string            `json:"key_name"`
		UserData    *string            `json:"user_data"`
		Description *string            `json:"description"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	if in.ImageRef == "" {
		return 0, nil, badRequest("Invalid input for field/attribute rebuild. Value: %s. 'imageRef' is a required property", arg)
	}
	var members map[string]json.RawMessage
	_ = json.Unmarshal(arg, &members)
	if raw, ok := members["metadata"]; ok {
		if _, err := parseMetadata("metadata", raw); err != nil {
			return 0, nil, err
		}
	}
	if in.Name != nil {
		if err := checkName(r, "name", *in.Name); err != nil {
			return 0, nil, err
		}
	}
	if in.AccessIPv4 != nil {
		if err := checkAccessIP("accessIPv4", *in.AccessIPv4, false); err != nil {
			return 0, nil, err
		}
	}
	if in.AccessIPv6 != nil {
		if err := checkAccessIP("accessIPv6", *in.AccessIPv6, true); err != nil {
			return 0, nil, err
		}
	}
	if in.DiskConfig != "" && in.DiskConfig != "AUTO" && in.DiskConfig != "MANUAL" {
		return 0, nil, badRequest("Invalid input for field/attribute OS-DCF:diskConfig. Value: %s. '%s' is not one of ['AUTO', 'MANUAL']", in.DiskConfig, in.DiskConfig)
	}
	if err := requireState(s, "rebuild", []string{vmActive, vmStopped, vmError}); err != nil {
		return 0, nil, err
	}
	imageID, err := c.bootImageLocked(r, in.ImageRef, c.flavors[s.FlavorID])
	if err != nil {
		return 0, nil, err
	}
	if in.KeyName != nil && *in.KeyName != "" {
		if _, ok := c.keypairs[s.UserID][*in.KeyName]; !ok {
			return 0, nil, badRequest("Invalid key_name provided.")
		}
	}
	if in.Metadata != nil {
		if err := validateMetadata(*in.Metadata, c.quotaLocked(s.ProjectID).MetadataItems); err != nil {
			return 0, nil, err
		}
		s.Metadata = cloneMap(*in.Metadata)
	}
	s.ImageID = imageID
	if in.Name != nil {
		s.Name = *in.Name
	}
	if in.AccessIPv4 != nil {
		s.AccessIPv4 = *in.AccessIPv4
	}
	if in.AccessIPv6 != nil {
		s.AccessIPv6 = *in.AccessIPv6
	}
	if in.DiskConfig != "" {
		s.DiskConfig = in.DiskConfig
	}
	if in.KeyName != nil {
		s.KeyName = *in.KeyName
	}
	if in.UserData != nil {
		s.UserData = *in.UserData
	}
	if in.Description != nil {
		s.Description = *in.Description
	}
	s.AdminPass = in.AdminPass
	if s.AdminPass == "" {
		s.AdminPass = c.env.RNG.Alnum(12)
	}
	wasStopped := s.VMState == vmStopped
	s.Fault = nil
	s.setPower(PowerNoState, c.now())
	c.beginTaskLocked(s, "rebuilding", c.durations.Rebuild, func(s *server, at time.Time) {
		if wasStopped {
			s.VMState = vmStopped
			s.setPower(PowerShutdown, at)
			return
		}
		toActive(s, at)
	})
	if s.VMState == vmError {
		s.VMState = vmActive
	}
	c.settleLocked(s, c.now())
	snap := s.snapshot()
	detail := c.serverDetailLocked(r, &snap, c.now())
	detail.AdminPass = s.AdminPass
	return http.StatusAccepted, map[string]any{"server": detail}, nil
}

// simpleTransition is an action that needs no argument: allowed in some
// vm_states, it runs a task and lands in a new vm_state and power state.
func (c *Compute) simpleTransition(s *server, action string, from []string, task string, d time.Duration, to string, power int) (int, any, *fake.Error) {
	if err := requireState(s, action, from); err != nil {
		return 0, nil, err
	}
	c.beginTaskLocked(s, task, d, func(s *server, at time.Time) {
		s.VMState = to
		s.setPower(power, at)
		if to == vmActive && s.LaunchedAt.IsZero() {
			s.LaunchedAt = at
		}
	})
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actStart(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	return c.simpleTransition(s, "start", []string{vmStopped}, "powering-on", c.durations.Start, vmActive, PowerRunning)
}

func (c *Compute) actStop(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	return c.simpleTransition(s, "stop", []string{vmActive, vmError}, "powering-off", c.durations.Stop, vmStopped, PowerShutdown)
}

func (c *Compute) actPause(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	return c.simpleTransition(s, "pause", []string{vmActive}, "pausing", c.durations.Pause, vmPaused, PowerPaused)
}

func (c *Compute) actUnpause(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	return c.simpleTransition(s, "unpause", []string{vmPaused}, "unpausing", c.durations.Unpause, vmActive, PowerRunning)
}

func (c *Compute) actSuspend(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	return c.simpleTransition(s, "suspend", []string{vmActive}, "suspending", c.durations.Suspend, vmSuspended, PowerSuspended)
}

func (c *Compute) actResume(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	return c.simpleTransition(s, "resume", []string{vmSuspended}, "resuming", c.durations.Resume, vmActive, PowerRunning)
}

func (c *Compute) actUnrescue(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	return c.simpleTransition(s, "unrescue", []string{vmRescued}, "unrescuing", c.durations.Unrescue, vmActive, PowerRunning)
}

func (c *Compute) actLock(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		Reason *string `json:"locked_reason"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	if in.Reason != nil && !versionOf(r).AtLeast(73) {
		return 0, nil, badRequest("Invalid input for field/attribute lock. Value: %s. Additional properties are not allowed ('locked_reason' was unexpected)", arg)
	}
	s.Locked = true
	if in.Reason != nil {
		s.LockedReason = *in.Reason
	}
	s.Updated = c.now()
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actUnlock(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	s.Locked, s.LockedReason = false, ""
	s.Updated = c.now()
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actRescue(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		AdminPass string `json:"adminPass"`
		ImageRef  string `json:"rescue_image_ref"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	if err := requireState(s, "rescue", []string{vmActive, vmStopped, vmError}); err != nil {
		return 0, nil, err
	}
	if in.ImageRef != "" {
		if _, ok := c.images[in.ImageRef]; !ok {
			return 0, nil, badRequest("Can not find requested image")
		}
	}
	pass := in.AdminPass
	if pass == "" {
		pass = c.env.RNG.Alnum(12)
	}
	s.rescueImage = in.ImageRef
	c.beginTaskLocked(s, "rescuing", c.durations.Rescue, func(s *server, at time.Time) {
		s.VMState = vmRescued
		s.setPower(PowerRunning, at)
	})
	return http.StatusOK, map[string]string{"adminPass": pass}, nil
}

func (c *Compute) actShelve(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	if err := requireState(s, "shelve", []string{vmActive, vmStopped, vmPaused, vmSuspended}); err != nil {
		return 0, nil, err
	}
	offload := c.durations.ShelveOffload
	c.beginTaskLocked(s, "shelving", c.durations.Shelve, func(s *server, at time.Time) {
		s.VMState = vmShelved
		s.setPower(PowerShutdown, at)
		s.shelvedAt = at
		if offload >= 0 {
			// Nova's periodic task offloads the server later; until then it
			// is SHELVED with no task, and may be unshelved or offloaded by
			// hand. A later shelve schedules its own offload.
			s.schedule(at.Add(offload), func(s *server, _ time.Time) {
				if s.VMState == vmShelved && s.TaskState == "" && s.shelvedAt.Equal(at) {
					s.VMState = vmShelvedOffloaded
					s.Host, s.HypervisorHostname = "", ""
				}
			})
		}
	})
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actShelveOffload(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	if err := requireState(s, "shelveOffload", []string{vmShelved}); err != nil {
		return 0, nil, err
	}
	c.beginTaskLocked(s, "shelving_offloading", 0, func(s *server, at time.Time) {
		s.VMState = vmShelvedOffloaded
		s.setPower(PowerShutdown, at)
		s.Host, s.HypervisorHostname = "", "" // offloaded: on no host, as the timed offload leaves it
	})
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actUnshelve(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		AvailabilityZone *string `json:"availability_zone"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	if err := requireState(s, "unshelve", []string{vmShelved, vmShelvedOffloaded}); err != nil {
		return 0, nil, err
	}
	if in.AvailabilityZone != nil && *in.AvailabilityZone != "" {
		if !containsString(c.zones, *in.AvailabilityZone) {
			return 0, nil, badRequest("The requested availability zone is not available")
		}
		s.AvailabilityZone = *in.AvailabilityZone
	}
	if s.Host == "" {
		c.instanceCounter++
		s.Host, _ = c.placeLocked(nil, s.AvailabilityZone, c.instanceCounter)
		s.HypervisorHostname = s.Host + ".mockcloud.test"
	}
	c.beginTaskLocked(s, "unshelving", c.durations.Unshelve, toActive)
	return http.StatusAccepted, nil, nil
}

// snapshotLocked makes an image of a server, SAVING until the snapshot
// time has passed.
func (c *Compute) snapshotLocked(s *server, name string, md map[string]string) *Image {
	now := c.now()
	img := &Image{
		ID: c.env.RNG.UUID(), Name: name, Status: "SAVING", ServerID: s.ID,
		Created: now, Updated: now, ReadyAt: now.Add(c.durations.Snapshot),
		Metadata: map[string]string{"image_type": "snapshot", "instance_uuid": s.ID, "owner_id": s.ProjectID, "user_id": s.UserID},
	}
	if base, ok := c.images[s.ImageID]; ok {
		img.MinDisk, img.MinRAM, img.Size = base.MinDisk, base.MinRAM, base.Size
		img.Metadata["base_image_ref"] = base.ID
	}
	for k, v := range md {
		img.Metadata[k] = v
	}
	c.images[img.ID] = img
	if c.snapshotSeq == nil {
		c.snapshotSeq = map[string]int{}
	}
	c.snapshotSeq[img.ID] = len(c.snapshotSeq) + 1
	c.settleImageLocked(img, now)
	return img
}

func (c *Compute) imageLocation(r *http.Request, project, id string) string {
	return links(r, project, "images", id)[0]["href"]
}

func (c *Compute) actCreateImage(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		Name     string            `json:"name"`
		Metadata map[string]string `json:"metadata"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	if !validName(in.Name) {
		return 0, nil, badRequest("Invalid input for field/attribute createImage. Value: %s. 'name' is a required property", arg)
	}
	// Nova's snapshot and snapshot_volume_backed: not while shelved.
	if err := requireState(s, "createImage", []string{vmActive, vmStopped, vmPaused, vmSuspended}); err != nil {
		return 0, nil, err
	}
	img := c.snapshotLocked(s, in.Name, in.Metadata)
	loc := c.imageLocation(r, s.ProjectID, img.ID)
	if versionOf(r).AtLeast(45) {
		return http.StatusAccepted, map[string]string{"image_id": img.ID}, nil
	}
	return http.StatusAccepted, locationBody{location: loc}, nil
}

func (c *Compute) actCreateBackup(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		Name       string            `json:"name"`
		BackupType string            `json:"backup_type"`
		Rotation   *int              `json:"rotation"`
		Metadata   map[string]string `json:"metadata"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	switch {
	case !validName(in.Name):
		return 0, nil, badRequest("Invalid input for field/attribute createBackup. 'name' is a required property")
	case in.BackupType == "":
		return 0, nil, badRequest("Invalid input for field/attribute createBackup. 'backup_type' is a required property")
	case in.Rotation == nil || *in.Rotation < 0:
		return 0, nil, badRequest("Invalid input for field/attribute createBackup. 'rotation' is a required property and must be at least 0")
	}
	if err := requireState(s, "createBackup", []string{vmActive, vmStopped, vmPaused, vmSuspended}); err != nil {
		return 0, nil, err
	}
	md := cloneMap(in.Metadata)
	if md == nil {
		md = map[string]string{}
	}
	md["image_type"], md["backup_type"] = "backup", in.BackupType
	img := c.snapshotLocked(s, in.Name, md)
	// Rotation: keep only the newest backups of this type for this server.
	var backups []*Image
	for _, other := range c.images {
		if other.ServerID == s.ID && other.Metadata["image_type"] == "backup" && other.Metadata["backup_type"] == in.BackupType && other.Status != "DELETED" {
			backups = append(backups, other)
		}
	}
	// Newest first; backups taken at the same instant in the order taken,
	// so which ones rotation keeps never depends on map order.
	sort.Slice(backups, func(i, j int) bool {
		a, b := backups[i], backups[j]
		if !a.Created.Equal(b.Created) {
			return a.Created.After(b.Created)
		}
		if sa, sb := c.snapshotSeq[a.ID], c.snapshotSeq[b.ID]; sa != sb {
			return sa > sb
		}
		return a.ID > b.ID
	})
	for i, b := range backups {
		if i >= *in.Rotation && b.ID != img.ID {
			delete(c.images, b.ID)
		}
	}
	if *in.Rotation == 0 {
		delete(c.images, img.ID)
	}
	if versionOf(r).AtLeast(45) {
		return http.StatusAccepted, map[string]string{"image_id": img.ID}, nil
	}
	if *in.Rotation == 0 {
		return http.StatusAccepted, nil, nil // Nova sets no Location then
	}
	return http.StatusAccepted, locationBody{location: c.imageLocation(r, s.ProjectID, img.ID)}, nil
}

func (c *Compute) actChangePassword(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		AdminPass *string `json:"adminPass"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	if in.AdminPass == nil {
		return 0, nil, badRequest("Invalid input for field/attribute changePassword. Value: %s. 'adminPass' is a required property", arg)
	}
	if err := requireState(s, "changePassword", []string{vmActive}); err != nil {
		return 0, nil, err
	}
	pass := *in.AdminPass
	c.beginTaskLocked(s, "updating_password", c.durations.Password, func(s *server, at time.Time) {
		s.AdminPass = pass
	})
	return http.StatusAccepted, nil, nil
}

// consoleLog is the boot log the fake hypervisor "captured".
func (c *Compute) consoleLog(s *server) []string {
	lines := []string{
		"[    0.000000] Linux version 6.8.0-mockcloud (mockcloud@fake-hypervisor) #1 SMP",
		fmt.Sprintf("[    0.000000] Command line: root=/dev/vda1 console=ttyS0 hostname=%s", hostnameOf(s.Name)),
		fmt.Sprintf("[    0.512000] Memory: %dK available", s.MemoryMB*1024),
		fmt.Sprintf("[    0.600000] smpboot: Allowing %d CPUs", s.VCPUs),
		"[    1.200000] virtio_net virtio0 eth0: renamed from ens3",
	}
	for _, addrs := range []string{"private", "public"} {
		for _, a := range s.Addresses[addrs] {
			lines = append(lines, fmt.Sprintf("cloud-init: ci-info: | eth0 | True | %s |", a.Addr))
		}
	}
	lines = append(lines,
		fmt.Sprintf("cloud-init: Cloud-init finished at %s. Datasource DataSourceOpenStack.", s.LaunchedAt.UTC().Format(time.RFC1123)),
		fmt.Sprintf("%s login: ", hostnameOf(s.Name)))
	return lines
}

func (c *Compute) actConsoleOutput(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		Length *json.Number `json:"length"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	if s.VMState == vmBuilding || s.PowerState != PowerRunning && s.VMState != vmStopped {
		return 0, nil, conflict("Cannot 'get_console_output' instance %s while it is in vm_state %s", s.ID, s.VMState)
	}
	lines := c.consoleLog(s)
	if in.Length != nil {
		n, err := in.Length.Int64()
		if err != nil || n < -1 {
			return 0, nil, badRequest("Invalid input for field/attribute length. Value: %s.", *in.Length)
		}
		if n >= 0 && int(n) < len(lines) {
			lines = lines[len(lines)-int(n):]
		}
	}
	out := strings.Join(lines, "\n")
	if len(lines) > 0 {
		out += "\n"
	}
	return http.StatusOK, map[string]string{"output": out}, nil
}

func (c *Compute) actResetState(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	if err := nvAdminOnly(r, "os_compute_api:os-admin-actions:reset_state"); err != nil {
		return 0, nil, err
	}
	var in struct {
		State string `json:"state"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return 0, nil, err
	}
	switch in.State {
	case "active":
		s.cancelTasks()
		s.VMState, s.TaskState = vmActive, ""
	case "error":
		s.cancelTasks()
		s.VMState, s.TaskState = vmError, ""
	default:
		return 0, nil, badRequest("Invalid input for field/attribute state. Value: %s. '%s' is not one of ['active', 'error']", in.State, in.State)
	}
	s.Updated = c.now()
	return http.StatusAccepted, nil, nil
}

func isAuthenticated(r *http.Request) bool {
	_, ok := fake.PrincipalFrom(r.Context())
	return ok
}

func (c *Compute) actForceDelete(r *http.Request, s *server, _ json.RawMessage) (int, any, *fake.Error) {
	now := c.now()
	s.events = nil
	s.TaskState = ""
	s.VMState = vmDeleted
	s.setPower(PowerNoState, now)
	s.Deleted, s.TerminatedAt, s.Updated = true, now, now
	c.releaseLocked(s)
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actAddSecurityGroup(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeArg(arg, &in); err != nil || in.Name == "" {
		return 0, nil, badRequest("Invalid input for field/attribute addSecurityGroup. 'name' is a required property")
	}
	if !containsString(s.SecurityGroups, in.Name) {
		s.SecurityGroups = append(s.SecurityGroups, in.Name)
	}
	return http.StatusAccepted, nil, nil
}

func (c *Compute) actRemoveSecurityGroup(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeArg(arg, &in); err != nil || in.Name == "" {
		return 0, nil, badRequest("Invalid input for field/attribute removeSecurityGroup. 'name' is a required property")
	}
	for i, g := range s.SecurityGroups {
		if g == in.Name {
			s.SecurityGroups = append(s.SecurityGroups[:i:i], s.SecurityGroups[i+1:]...)
			return http.StatusAccepted, nil, nil
		}
	}
	return 0, nil, notFound("Security group %s not assigned to the instance", in.Name)
}

// actMigrate is a cold migration: admin only. Nova runs it as a resize to
// the same flavor on another host, so it goes through RESIZE to
// VERIFY_RESIZE and needs a confirmResize; revertResize moves it back.
func (c *Compute) actMigrate(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	if err := nvAdminOnly(r, "os_compute_api:os-migrate-server:migrate"); err != nil {
		return 0, nil, err
	}
	target, err := c.migrationTargetLocked(s, arg)
	if err != nil {
		return 0, nil, err
	}
	if err := requireState(s, "migrate", []string{vmActive, vmStopped}); err != nil {
		return 0, nil, err
	}
	wasStopped := s.VMState == vmStopped
	c.beginTaskLocked(s, "resize_prep", c.durations.Resize, func(s *server, at time.Time) {
		s.oldHost = s.Host
		s.Host, s.HypervisorHostname = target, target+".mockcloud.test"
		s.OldFlavorID = s.FlavorID
		s.VMState = vmResized
		if wasStopped {
			s.setPower(PowerShutdown, at)
		} else {
			s.setPower(PowerRunning, at)
		}
	})
	return http.StatusAccepted, nil, nil
}

// actLiveMigrate moves a running (or paused) server to another host:
// admin only; MIGRATING, then back in the state it was in.
func (c *Compute) actLiveMigrate(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	if err := nvAdminOnly(r, "os_compute_api:os-migrate-server:migrate_live"); err != nil {
		return 0, nil, err
	}
	target, err := c.migrationTargetLocked(s, arg)
	if err != nil {
		return 0, nil, err
	}
	if err := requireState(s, "os-migrateLive", []string{vmActive, vmPaused}); err != nil {
		return 0, nil, err
	}
	c.beginTaskLocked(s, "migrating", c.durations.Resize, func(s *server, at time.Time) {
		s.Host, s.HypervisorHostname = target, target+".mockcloud.test"
	})
	return http.StatusAccepted, nil, nil
}

// migrationTargetLocked is the host a migration goes to: the one the body
// names, or the next one that is not the server's.
func (c *Compute) migrationTargetLocked(s *server, arg json.RawMessage) (string, *fake.Error) {
	var in struct {
		Host *string `json:"host"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return "", err
	}
	target := ""
	if in.Host != nil && *in.Host != "" {
		if !containsString(c.hosts, *in.Host) {
			return "", badRequest("Compute host %s could not be found.", *in.Host)
		}
		target = *in.Host
	} else {
		for _, h := range c.hosts {
			if h != s.Host {
				target = h
				break
			}
		}
	}
	if target == "" || target == s.Host {
		return "", badRequest("No valid host was found. No other host to migrate to.")
	}
	return target, nil
}
