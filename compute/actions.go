package compute

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of POST /servers/{id}/action: each action is its own op,
// named by the action's key in the body ("compute.servers.action.reboot"),
// so a fault can name one action. A body that names no known action (or
// several) keeps OpServerAction.
const (
	OpServerAction              = "compute.servers.action"
	OpActionReboot              = OpServerAction + ".reboot"
	OpActionResize              = OpServerAction + ".resize"
	OpActionConfirmResize       = OpServerAction + ".confirmResize"
	OpActionRevertResize        = OpServerAction + ".revertResize"
	OpActionRebuild             = OpServerAction + ".rebuild"
	OpActionStart               = OpServerAction + ".os-start"
	OpActionStop                = OpServerAction + ".os-stop"
	OpActionPause               = OpServerAction + ".pause"
	OpActionUnpause             = OpServerAction + ".unpause"
	OpActionSuspend             = OpServerAction + ".suspend"
	OpActionResume              = OpServerAction + ".resume"
	OpActionLock                = OpServerAction + ".lock"
	OpActionUnlock              = OpServerAction + ".unlock"
	OpActionRescue              = OpServerAction + ".rescue"
	OpActionUnrescue            = OpServerAction + ".unrescue"
	OpActionShelve              = OpServerAction + ".shelve"
	OpActionShelveOffload       = OpServerAction + ".shelveOffload"
	OpActionUnshelve            = OpServerAction + ".unshelve"
	OpActionCreateImage         = OpServerAction + ".createImage"
	OpActionCreateBackup        = OpServerAction + ".createBackup"
	OpActionChangePassword      = OpServerAction + ".changePassword"
	OpActionGetConsoleOutput    = OpServerAction + ".os-getConsoleOutput"
	OpActionResetState          = OpServerAction + ".os-resetState"
	OpActionForceDelete         = OpServerAction + ".forceDelete"
	OpActionAddSecurityGroup    = OpServerAction + ".addSecurityGroup"
	OpActionRemoveSecurityGroup = OpServerAction + ".removeSecurityGroup"
	OpActionMigrate             = OpServerAction + ".migrate"
	OpActionLiveMigrate         = OpServerAction + ".os-migrateLive"
	OpActionGetVNCConsole       = OpServerAction + ".os-getVNCConsole"
	OpActionGetSPICEConsole     = OpServerAction + ".os-getSPICEConsole"
	OpActionGetSerialConsole    = OpServerAction + ".os-getSerialConsole"
	OpActionGetRDPConsole       = OpServerAction + ".os-getRDPConsole"
)

func (c *Compute) actionRoutes() []kit.Route {
	ops := make([]string, 0, len(serverActions))
	for _, a := range serverActions {
		ops = append(ops, a.op)
	}
	sort.Strings(ops)
	return []kit.Route{{
		Op: OpServerAction, Method: "POST", Path: "/servers/{server_id}/action",
		Handler: c.serverAction, Refine: refineAction, Ops: ops,
	}}
}

// refineAction names an action call by the body's only key, when it is a
// known action.
func refineAction(_ *http.Request, body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || len(m) != 1 {
		return ""
	}
	for k := range m {
		if a, ok := serverActions[k]; ok {
			return a.op
		}
	}
	return ""
}

// actionFunc performs one action under the lock and returns the reply.
type actionFunc func(c *Compute, call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error)

// serverAction is one row of the action table.
type serverAction struct {
	op  string
	run actionFunc
	// objectArg: Nova's schema requires the argument to be an object (or
	// null); the other actions ignore theirs.
	objectArg bool
	// lockExempt: Nova allows the action on a locked server (its compute
	// API method lacks check_instance_lock).
	lockExempt bool
}

// serverActions is the action table, by the action's key. An action
// missing here is answered 400 "There is no such action", as Nova does.
var serverActions = map[string]serverAction{
	"reboot":              {OpActionReboot, (*Compute).actReboot, true, false},
	"resize":              {OpActionResize, (*Compute).actResize, true, false},
	"confirmResize":       {OpActionConfirmResize, (*Compute).actConfirmResize, false, false},
	"revertResize":        {OpActionRevertResize, (*Compute).actRevertResize, false, false},
	"rebuild":             {OpActionRebuild, (*Compute).actRebuild, true, false},
	"os-start":            {OpActionStart, (*Compute).actStart, false, false},
	"os-stop":             {OpActionStop, (*Compute).actStop, false, false},
	"pause":               {OpActionPause, (*Compute).actPause, false, false},
	"unpause":             {OpActionUnpause, (*Compute).actUnpause, false, false},
	"suspend":             {OpActionSuspend, (*Compute).actSuspend, false, false},
	"resume":              {OpActionResume, (*Compute).actResume, false, false},
	"lock":                {OpActionLock, (*Compute).actLock, false, true},
	"unlock":              {OpActionUnlock, (*Compute).actUnlock, false, true},
	"rescue":              {OpActionRescue, (*Compute).actRescue, true, false},
	"unrescue":            {OpActionUnrescue, (*Compute).actUnrescue, false, false},
	"shelve":              {OpActionShelve, (*Compute).actShelve, false, false},
	"shelveOffload":       {OpActionShelveOffload, (*Compute).actShelveOffload, false, false},
	"unshelve":            {OpActionUnshelve, (*Compute).actUnshelve, true, false},
	"createImage":         {OpActionCreateImage, (*Compute).actCreateImage, true, true},
	"createBackup":        {OpActionCreateBackup, (*Compute).actCreateBackup, true, true},
	"changePassword":      {OpActionChangePassword, (*Compute).actChangePassword, true, false},
	"os-getConsoleOutput": {OpActionGetConsoleOutput, (*Compute).actConsoleOutput, true, true},
	"os-resetState":       {OpActionResetState, (*Compute).actResetState, true, true},
	"forceDelete":         {OpActionForceDelete, (*Compute).actForceDelete, false, false},
	"addSecurityGroup":    {OpActionAddSecurityGroup, (*Compute).actAddSecurityGroup, true, true},
	"removeSecurityGroup": {OpActionRemoveSecurityGroup, (*Compute).actRemoveSecurityGroup, true, true},
	"migrate":             {OpActionMigrate, (*Compute).actMigrate, true, false},
	"restore":             {OpActionRestore, (*Compute).actRestore, false, false},
	"os-migrateLive":      {OpActionLiveMigrate, (*Compute).actLiveMigrate, true, false},
	// The consoles before 2.6 need no unlocked server.
	"os-getVNCConsole":    {OpActionGetVNCConsole, (*Compute).actGetVNCConsole, false, true},
	"os-getSPICEConsole":  {OpActionGetSPICEConsole, (*Compute).actGetSPICEConsole, false, true},
	"os-getSerialConsole": {OpActionGetSerialConsole, (*Compute).actGetSerialConsole, false, true},
	"os-getRDPConsole":    {OpActionGetRDPConsole, (*Compute).actGetRDPConsole, false, true},
	// actions_admin.go
	"evacuate":           {OpActionEvacuate, (*Compute).actEvacuate, true, false},
	"trigger_crash_dump": {OpActionTriggerCrashDump, (*Compute).actTriggerCrashDump, false, false},
	"injectNetworkInfo":  {OpActionInjectNetworkInfo, (*Compute).actInjectNetworkInfo, false, true},
	"addFixedIp":         {OpActionAddFixedIP, (*Compute).actAddFixedIP, true, false},
	"removeFixedIp":      {OpActionRemoveFixedIP, (*Compute).actRemoveFixedIP, true, false},
}

// parseAction is Nova's action_peek: exactly one key, a known action,
// and an object argument where the schema wants one.
func parseAction(body []byte) (string, serverAction, json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := kit.DecodeJSON(body, &m, kit.DecodeOptions{}); err != nil {
		return "", serverAction{}, nil, err
	}
	if len(m) != 1 {
		return "", serverAction{}, nil, kit.BadRequest("Malformed request body")
	}
	var name string
	var arg json.RawMessage
	for k, v := range m {
		name, arg = k, v
	}
	act, ok := serverActions[name]
	if !ok {
		return "", serverAction{}, nil, kit.BadRequest("There is no such action: %s", name)
	}
	if act.objectArg {
		if t := strings.TrimSpace(string(arg)); t != "null" && !strings.HasPrefix(t, "{") {
			return "", serverAction{}, nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", name, arg, arg)
		}
	}
	return name, act, arg, nil
}

func (c *Compute) serverAction(call *kit.Call) (kit.Reply, error) {
	name, act, arg, err := parseAction(call.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if !act.lockExempt {
		if err := c.checkLockedLocked(call, s); err != nil {
			return kit.Reply{}, err
		}
	}
	noteMigration := c.noteMigrationLocked(name, s, arg) // migrations.go
	reply, err := act.run(c, call, s, arg)
	if err != nil {
		return kit.Reply{}, err
	}
	noteMigration()
	c.recordActionLocked(s, name, call)
	c.settleLocked(s, c.Now())
	return reply, nil
}

// checkLockedLocked refuses actions on a locked server to anyone but an admin.
func (c *Compute) checkLockedLocked(call *kit.Call, s *server) error {
	if s.Locked && !callerOf(call).admin {
		return kit.Conflict("Instance %s is locked", s.ID)
	}
	return nil
}

// requireState is Nova's check_instance_state: the action is allowed only
// in the given vm_states, and only with no task pending (unless tasks are
// listed).
func requireState(s *server, action string, vmStates []string, taskStates ...string) error {
	if err := requireVMState(s, action, vmStates); err != nil {
		return err
	}
	if s.TaskState != "" && !slices.Contains(taskStates, s.TaskState) {
		return kit.Conflict("Cannot '%s' instance %s while it is in task_state %s", action, s.ID, s.TaskState)
	}
	return nil
}

// requireVMState is check_instance_state with task_state=None: only the
// vm_state matters, whatever task is running.
func requireVMState(s *server, action string, vmStates []string) error {
	if !slices.Contains(vmStates, s.VMState) {
		return kit.Conflict("Cannot '%s' instance %s while it is in vm_state %s", action, s.ID, s.VMState)
	}
	return nil
}

// decodeArg decodes an action's argument object; null and {} are both fine
// when every member is optional.
func decodeArg(arg json.RawMessage, v any) error {
	if len(arg) == 0 || string(arg) == "null" {
		return nil
	}
	if err := json.Unmarshal(arg, v); err != nil {
		return kit.BadRequest("Invalid input for action argument %s: %v", arg, err)
	}
	return nil
}

func (c *Compute) actReboot(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		Type string `json:"type"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	switch strings.ToUpper(in.Type) {
	case "SOFT":
		if err := requireState(s, "reboot", []string{vmActive}); err != nil {
			return kit.Reply{}, err
		}
		c.beginTaskLocked(s, "rebooting", c.durations.Reboot, toActive)
	case "HARD":
		// Nova's ALLOW_HARD_REBOOT vm_states and ALLOW_REBOOT task_states: a
		// hard reboot may interrupt a reboot or a pause/suspend in progress.
		if err := requireState(s, "reboot", []string{vmActive, vmStopped, vmPaused, vmSuspended, vmError},
			"rebooting", "reboot_pending", "reboot_started", "rebooting_hard",
			"resuming", "unpausing", "pausing", "suspending"); err != nil {
			return kit.Reply{}, err
		}
		s.cancelTasks()
		s.setPower(PowerNoState, c.Now())
		c.beginTaskLocked(s, "rebooting_hard", c.durations.HardReboot, func(s *server, at time.Time) {
			s.Fault = nil
			toActive(s, at)
		})
	default:
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute type. Value: %s. '%s' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']", in.Type, in.Type)
	}
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actResize(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		FlavorRef  flexString `json:"flavorRef"`
		DiskConfig string     `json:"OS-DCF:diskConfig"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	if in.FlavorRef == "" {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute resize. Value: %s. 'flavorRef' is a required property", arg)
	}
	if err := requireState(s, "resize", []string{vmActive, vmStopped}); err != nil {
		return kit.Reply{}, err
	}
	target, ok := c.flavors[idFromHref(string(in.FlavorRef))]
	if !ok && c.anyRefs {
		target, ok = anyFlavor(idFromHref(string(in.FlavorRef))), true
	}
	if !ok || target.Disabled {
		return kit.Reply{}, kit.BadRequest("Unable to find flavor %s.", idFromHref(string(in.FlavorRef)))
	}
	if target.ID == s.FlavorID {
		return kit.Reply{}, kit.BadRequest("When resizing, instances must change flavor!")
	}
	if old, ok := c.flavors[s.FlavorID]; ok {
		if target.Disk < old.Disk && target.Disk > 0 {
			return kit.Reply{}, kit.BadRequest("Resize error: Unable to resize disk down.")
		}
		q, u := c.quotaLocked(s.ProjectID), c.usageLocked(s.ProjectID)
		if dc := target.VCPUs - old.VCPUs; dc > 0 && !fits(q.Cores, u.cores, dc) {
			return kit.Reply{}, kit.Forbidden("Quota exceeded for cores: Requested %d, but already used %d of %d cores", dc, u.cores, q.Cores)
		}
		if dr := target.RAM - old.RAM; dr > 0 && !fits(q.RAM, u.ram, dr) {
			return kit.Reply{}, kit.Forbidden("Quota exceeded for ram: Requested %d, but already used %d of %d ram", dr, u.ram, q.RAM)
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
	now := c.Now()
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
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actConfirmResize(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	if s.VMState != vmResized || s.TaskState != "" {
		return kit.Reply{}, kit.Conflict("Cannot 'confirmResize' instance %s while it is in vm_state %s", s.ID, s.VMState)
	}
	s.schedule(c.Now().Add(c.durations.ConfirmResize), func(s *server, at time.Time) {
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
	return kit.Status(http.StatusNoContent), nil
}

func (c *Compute) actRevertResize(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	if err := requireState(s, "revertResize", []string{vmResized}); err != nil {
		return kit.Reply{}, err
	}
	c.beginTaskLocked(s, "resize_reverting", c.durations.RevertResize, func(s *server, at time.Time) {
		if s.OldFlavorID != "" {
			s.FlavorID, s.OldFlavorID = s.OldFlavorID, ""
			if f, ok := c.flavors[s.FlavorID]; ok {
				s.MemoryMB, s.VCPUs, s.DiskGB = f.RAM, f.VCPUs, f.Disk
			}
		}
		if s.oldHost != "" { // a cold migration goes back where it was
			s.Host, s.HypervisorHostname, s.oldHost = s.oldHost, nodeName(s.oldHost), ""
		}
		if s.PowerState == PowerShutdown {
			s.VMState = vmStopped
		} else {
			toActive(s, at)
		}
	})
	return kit.Status(http.StatusAccepted), nil
}

// rebuildRequest is the argument of rebuild.
type rebuildRequest struct {
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
	Hostname    *string            `json:"hostname"` // 2.90
	// TrustedCerts is trusted_image_certificates (2.63): null clears them.
	TrustedCerts *[]string `json:"trusted_image_certificates"`
	// Personality is checked, not kept: the fake's guests have no files
	// (gone at 2.57).
	Personality []personalityFile `json:"personality"`
}

// parseRebuild decodes rebuild's argument and applies Nova's schema.
func parseRebuild(call *kit.Call, arg json.RawMessage) (rebuildRequest, error) {
	var in rebuildRequest
	if err := decodeArg(arg, &in); err != nil {
		return in, err
	}
	if in.ImageRef == "" {
		return in, kit.BadRequest("Invalid input for field/attribute rebuild. Value: %s. 'imageRef' is a required property", arg)
	}
	var members map[string]json.RawMessage
	_ = json.Unmarshal(arg, &members)
	if raw, ok := members["metadata"]; ok {
		if _, err := parseMetadata("metadata", raw); err != nil {
			return in, err
		}
	}
	if in.Name != nil {
		if err := checkName(call, "name", *in.Name); err != nil {
			return in, err
		}
	}
	if in.AccessIPv4 != nil {
		if err := checkAccessIP("accessIPv4", *in.AccessIPv4, false); err != nil {
			return in, err
		}
	}
	if in.AccessIPv6 != nil {
		if err := checkAccessIP("accessIPv6", *in.AccessIPv6, true); err != nil {
			return in, err
		}
	}
	if err := checkRebuildMinors(call, arg, members, &in); err != nil {
		return in, err
	}
	if err := checkPersonality(call, arg, members, in.Personality); err != nil {
		return in, err
	}
	return in, checkDiskConfig(in.DiskConfig)
}

// checkPersonality is rebuild's personality: refused from 2.57 (the
// schema drops it), else checked as create's.
func checkPersonality(call *kit.Call, arg json.RawMessage, members map[string]json.RawMessage, files []personalityFile) error {
	if _, ok := members["personality"]; ok && versionOf(call).AtLeast(57) {
		return kit.BadRequest("Invalid input for field/attribute rebuild. Value: %s. Additional properties are not allowed ('personality' was unexpected)", arg)
	}
	return checkPersonalityFiles(files)
}

// rebuildMinors are the members of rebuild later microversions added.
var rebuildMinors = []struct {
	name  string
	minor int
}{{"description", 19}, {"key_name", 54}, {"user_data", 57}, {"trusted_image_certificates", 63}, {"hostname", 90}}

// checkRebuildMinors refuses members of a later microversion, as Nova's
// schemas do, and checks the hostname and the certificates.
func checkRebuildMinors(call *kit.Call, arg json.RawMessage, members map[string]json.RawMessage, in *rebuildRequest) error {
	v := versionOf(call)
	for _, m := range rebuildMinors {
		if _, ok := members[m.name]; ok && !v.AtLeast(m.minor) {
			return kit.BadRequest("Invalid input for field/attribute rebuild. Value: %s. Additional properties are not allowed ('%s' was unexpected)", arg, m.name)
		}
	}
	if in.Hostname != nil {
		if err := checkHostname(call, *in.Hostname); err != nil {
			return err
		}
	}
	if raw, ok := members["user_data"]; ok && isJSONNull(raw) {
		in.UserData = ptr("") // null resets it
	}
	if raw, ok := members["key_name"]; ok && isJSONNull(raw) {
		in.KeyName = ptr("") // null unsets it
	}
	if raw, ok := members["trusted_image_certificates"]; ok && isJSONNull(raw) {
		in.TrustedCerts = &[]string{} // null clears them
	} else if in.TrustedCerts != nil {
		return checkTrustedCerts(*in.TrustedCerts)
	}
	return nil
}

// checkRebuildLocked checks a rebuild against the server and what is
// stored: its state, the image, the keypair and the metadata quota. It
// returns the image ID.
func (c *Compute) checkRebuildLocked(call *kit.Call, s *server, in *rebuildRequest) (string, error) {
	if err := requireState(s, "rebuild", []string{vmActive, vmStopped, vmError}); err != nil {
		return "", err
	}
	imageID, err := c.rebuildImageLocked(call, in.ImageRef, c.flavors[s.FlavorID])
	if err != nil {
		return "", err
	}
	if in.KeyName != nil && *in.KeyName != "" {
		if _, ok := c.keypairs[s.UserID][*in.KeyName]; !ok {
			return "", kit.BadRequest("Invalid key_name provided.")
		}
	}
	if in.Metadata != nil {
		if err := validateMetadata(*in.Metadata, c.quotaLocked(s.ProjectID).MetadataItems); err != nil {
			return "", err
		}
	}
	return imageID, nil
}

// applyTo sets what a rebuild changes on the server.
func (in *rebuildRequest) applyTo(s *server, imageID string) {
	s.ImageID = imageID
	if in.Metadata != nil {
		s.Metadata = maps.Clone(*in.Metadata)
	}
	setIf(&s.Name, in.Name)
	if in.AccessIPv4 != nil {
		s.AccessIPv4 = normalizeIP(*in.AccessIPv4)
	}
	if in.AccessIPv6 != nil {
		s.AccessIPv6 = normalizeIP(*in.AccessIPv6)
	}
	setIf(&s.Hostname, in.Hostname)
	if in.TrustedCerts != nil {
		s.TrustedImageCertificates = append([]string(nil), (*in.TrustedCerts)...)
	}
	setIf(&s.KeyName, in.KeyName)
	setIf(&s.UserData, in.UserData)
	setIf(&s.Description, in.Description)
	if in.DiskConfig != "" {
		s.DiskConfig = in.DiskConfig
	}
	s.AdminPass = in.AdminPass
}

// setIf sets *dst to *src when src is given.
func setIf(dst, src *string) {
	if src != nil {
		*dst = *src
	}
}

func (c *Compute) actRebuild(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	in, err := parseRebuild(call, arg)
	if err != nil {
		return kit.Reply{}, err
	}
	imageID, err := c.checkRebuildLocked(call, s, &in)
	if err != nil {
		return kit.Reply{}, err
	}
	in.applyTo(s, imageID)
	if s.AdminPass == "" {
		s.AdminPass = c.RNG().Alnum(12)
	}
	c.beginRebuildLocked(s, s.VMState == vmStopped)
	c.settleLocked(s, c.Now())
	snap := s.snapshot()
	return kit.JSON(http.StatusAccepted, changedServerBody{c.serverChangedLocked(call, &snap, viewRebuild)}), nil
}

// simpleTransition is an action that needs no argument: allowed in some
// vm_states, it runs a task and lands in a new vm_state and power state.
func (c *Compute) simpleTransition(s *server, action string, from []string, task string, d time.Duration, to string, power int) (kit.Reply, error) {
	if err := requireState(s, action, from); err != nil {
		return kit.Reply{}, err
	}
	c.beginTaskLocked(s, task, d, func(s *server, at time.Time) {
		s.VMState = to
		s.setPower(power, at)
		if to == vmActive && s.LaunchedAt.IsZero() {
			s.LaunchedAt = at
		}
	})
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actStart(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	return c.simpleTransition(s, "start", []string{vmStopped}, "powering-on", c.durations.Start, vmActive, PowerRunning)
}

func (c *Compute) actStop(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	return c.simpleTransition(s, "stop", []string{vmActive, vmError}, "powering-off", c.durations.Stop, vmStopped, PowerShutdown)
}

func (c *Compute) actPause(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	return c.simpleTransition(s, "pause", []string{vmActive}, "pausing", c.durations.Pause, vmPaused, PowerPaused)
}

func (c *Compute) actUnpause(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	return c.simpleTransition(s, "unpause", []string{vmPaused}, "unpausing", c.durations.Unpause, vmActive, PowerRunning)
}

func (c *Compute) actSuspend(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	return c.simpleTransition(s, "suspend", []string{vmActive}, "suspending", c.durations.Suspend, vmSuspended, PowerSuspended)
}

func (c *Compute) actResume(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	return c.simpleTransition(s, "resume", []string{vmSuspended}, "resuming", c.durations.Resume, vmActive, PowerRunning)
}

func (c *Compute) actUnrescue(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	reply, err := c.simpleTransition(s, "unrescue", []string{vmRescued}, "unrescuing", c.durations.Unrescue, vmActive, PowerRunning)
	if err == nil && c.mimicShapes {
		reply.Status = http.StatusOK // Mimic's
	}
	return reply, err
}

func (c *Compute) actLock(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		Reason *string `json:"locked_reason"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	if in.Reason != nil && !versionOf(call).AtLeast(73) {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute lock. Value: %s. Additional properties are not allowed ('locked_reason' was unexpected)", arg)
	}
	s.Locked = true
	if in.Reason != nil {
		s.LockedReason = *in.Reason
	}
	s.Updated = c.Now()
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actUnlock(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	s.Locked, s.LockedReason = false, ""
	s.Updated = c.Now()
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actRescue(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		AdminPass string `json:"adminPass"`
		ImageRef  string `json:"rescue_image_ref"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	if err := requireState(s, "rescue", []string{vmActive, vmStopped, vmError}); err != nil {
		return kit.Reply{}, err
	}
	if in.ImageRef != "" && !c.anyRefs {
		if _, ok := c.images[in.ImageRef]; !ok {
			return kit.Reply{}, kit.BadRequest("Can not find requested image")
		}
	}
	pass := in.AdminPass
	if pass == "" {
		pass = c.RNG().Alnum(12)
	}
	s.rescueImage = in.ImageRef
	c.beginTaskLocked(s, "rescuing", c.durations.Rescue, func(s *server, at time.Time) {
		s.VMState = vmRescued
		s.setPower(PowerRunning, at)
	})
	return kit.OK(adminPassJSON{AdminPass: pass}), nil
}

func (c *Compute) actShelve(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	if err := requireState(s, "shelve", []string{vmActive, vmStopped, vmPaused, vmSuspended}); err != nil {
		return kit.Reply{}, err
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
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actShelveOffload(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	if err := requireState(s, "shelveOffload", []string{vmShelved}); err != nil {
		return kit.Reply{}, err
	}
	c.beginTaskLocked(s, "shelving_offloading", 0, func(s *server, at time.Time) {
		s.VMState = vmShelvedOffloaded
		s.setPower(PowerShutdown, at)
		s.Host, s.HypervisorHostname = "", "" // offloaded: on no host, as the timed offload leaves it
	})
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actUnshelve(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		AvailabilityZone *string `json:"availability_zone"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	if err := requireState(s, "unshelve", []string{vmShelved, vmShelvedOffloaded}); err != nil {
		return kit.Reply{}, err
	}
	if in.AvailabilityZone != nil && *in.AvailabilityZone != "" {
		if !slices.Contains(c.zones, *in.AvailabilityZone) {
			return kit.Reply{}, kit.BadRequest("The requested availability zone is not available")
		}
		s.AvailabilityZone = *in.AvailabilityZone
	}
	if s.Host == "" {
		c.instanceCounter++
		s.Host = c.placeLocked(nil, s.AvailabilityZone, c.instanceCounter).host
		s.HypervisorHostname = nodeName(s.Host)
	}
	c.beginTaskLocked(s, "unshelving", c.durations.Unshelve, toActive)
	return kit.Status(http.StatusAccepted), nil
}

// snapshotLocked makes an image of a server, SAVING until the snapshot
// time has passed.
func (c *Compute) snapshotLocked(s *server, name string, md map[string]string) *Image {
	now := c.Now()
	img := &Image{
		ID: c.RNG().UUID(), Name: name, Status: "SAVING", ServerID: s.ID,
		Created: now, Updated: now, ReadyAt: now.Add(c.durations.Snapshot),
		Metadata: map[string]string{"image_type": "snapshot", "instance_uuid": s.ID, "owner_id": s.ProjectID, "user_id": s.UserID},
	}
	if base, ok := c.images[s.ImageID]; ok {
		img.MinDisk, img.MinRAM, img.Size = base.MinDisk, base.MinRAM, base.Size
		img.Metadata["base_image_ref"] = base.ID
		if v, ok := base.Metadata["auto_disk_config"]; ok {
			img.Metadata["auto_disk_config"] = v // an image property Nova keeps on the instance
		}
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

func (c *Compute) imageLocation(call *kit.Call, project, id string) string {
	return selfHref(call, project, "images", id)
}

// The answers of rescue, createImage and createBackup (2.45) and
// os-getConsoleOutput.
type (
	adminPassJSON struct {
		AdminPass string `json:"adminPass"`
	}
	imageIDJSON struct {
		ImageID string `json:"image_id"`
	}
	consoleOutputJSON struct {
		Output string `json:"output"`
	}
)

func (c *Compute) actCreateImage(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		Name     string            `json:"name"`
		Metadata map[string]string `json:"metadata"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	if !validName(in.Name) {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute createImage. Value: %s. 'name' is a required property", arg)
	}
	// Nova's snapshot and snapshot_volume_backed: not while shelved.
	if err := requireState(s, "createImage", []string{vmActive, vmStopped, vmPaused, vmSuspended}); err != nil {
		return kit.Reply{}, err
	}
	img := c.snapshotLocked(s, in.Name, in.Metadata)
	loc := c.imageLocation(call, s.ProjectID, img.ID)
	if versionOf(call).AtLeast(45) {
		return kit.JSON(http.StatusAccepted, imageIDJSON{ImageID: img.ID}), nil
	}
	call.Header().Set("Location", loc)
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actCreateBackup(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		Name       string            `json:"name"`
		BackupType string            `json:"backup_type"`
		Rotation   *int              `json:"rotation"`
		Metadata   map[string]string `json:"metadata"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	switch {
	case !validName(in.Name):
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute createBackup. 'name' is a required property")
	case in.BackupType == "":
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute createBackup. 'backup_type' is a required property")
	case in.Rotation == nil || *in.Rotation < 0:
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute createBackup. 'rotation' is a required property and must be at least 0")
	}
	if err := requireState(s, "createBackup", []string{vmActive, vmStopped, vmPaused, vmSuspended}); err != nil {
		return kit.Reply{}, err
	}
	md := maps.Clone(in.Metadata)
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
	if versionOf(call).AtLeast(45) {
		return kit.JSON(http.StatusAccepted, imageIDJSON{ImageID: img.ID}), nil
	}
	if *in.Rotation == 0 {
		return kit.Status(http.StatusAccepted), nil // Nova sets no Location then
	}
	call.Header().Set("Location", c.imageLocation(call, s.ProjectID, img.ID))
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actChangePassword(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		AdminPass *string `json:"adminPass"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	if in.AdminPass == nil {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute changePassword. Value: %s. 'adminPass' is a required property", arg)
	}
	if err := requireState(s, "changePassword", []string{vmActive}); err != nil {
		return kit.Reply{}, err
	}
	// Nova sets the password through the hypervisor before it answers:
	// the task state is clear again by then.
	s.AdminPass = *in.AdminPass
	s.Updated = c.Now()
	return kit.Status(http.StatusAccepted), nil
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

func (c *Compute) actConsoleOutput(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		Length json.RawMessage `json:"length"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	var length *int
	if len(in.Length) > 0 && !isJSONNull(in.Length) {
		n, err := schemaInt("length", in.Length, bootIndexPattern, -1, math.MaxInt32)
		if err != nil {
			return kit.Reply{}, err
		}
		length = ptr(int(n))
	}
	if s.VMState == vmBuilding || s.PowerState != PowerRunning && s.VMState != vmStopped {
		return kit.Reply{}, kit.Conflict("Cannot 'get_console_output' instance %s while it is in vm_state %s", s.ID, s.VMState)
	}
	// Like Nova's fake driver's log, no newline after the last line: a
	// length of N is then exactly the last N lines.
	out := strings.Join(c.consoleLog(s), "\n")
	if length != nil {
		out = tailLog(out, *length)
	}
	return kit.OK(consoleOutputJSON{Output: out}), nil
}

// tailLog is Nova's _tail_log: the log split on newlines, the last n
// pieces joined again ("" for 0). As in Python's slice, -1 drops the
// first line.
func tailLog(log string, n int) string {
	if n == 0 {
		return ""
	}
	lines := strings.Split(log, "\n")
	switch {
	case n < 0:
		lines = lines[min(-n, len(lines)):]
	case n < len(lines):
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (c *Compute) actResetState(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	if err := nvAdminOnly(call, "os_compute_api:os-admin-actions:reset_state"); err != nil {
		return kit.Reply{}, err
	}
	var in struct {
		State string `json:"state"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return kit.Reply{}, err
	}
	switch in.State {
	case "active":
		s.cancelTasks()
		s.VMState, s.TaskState = vmActive, ""
	case "error":
		s.cancelTasks()
		s.VMState, s.TaskState = vmError, ""
	default:
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute state. Value: %s. '%s' is not one of ['active', 'error']", in.State, in.State)
	}
	s.Updated = c.Now()
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actForceDelete(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	now := c.Now()
	s.events = nil
	s.TaskState = ""
	s.VMState = vmDeleted
	s.setPower(PowerNoState, now)
	s.Deleted, s.TerminatedAt, s.Updated = true, now, now
	c.releaseLocked(s)
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actAddSecurityGroup(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeArg(arg, &in); err != nil || in.Name == "" {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute addSecurityGroup. 'name' is a required property")
	}
	g, ok := c.findGroupLocked(s.ProjectID, in.Name)
	if !ok {
		return kit.Reply{}, kit.NotFound("Security group %s is not found for project %s", in.Name, s.ProjectID)
	}
	if !slices.Contains(s.SecurityGroups, g.name) {
		s.SecurityGroups = append(s.SecurityGroups, g.name)
	}
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) actRemoveSecurityGroup(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeArg(arg, &in); err != nil || in.Name == "" {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute removeSecurityGroup. 'name' is a required property")
	}
	for i, g := range s.SecurityGroups {
		if g == in.Name {
			s.SecurityGroups = append(s.SecurityGroups[:i:i], s.SecurityGroups[i+1:]...)
			return kit.Status(http.StatusAccepted), nil
		}
	}
	return kit.Reply{}, kit.NotFound("Security group %s not assigned to the instance", in.Name)
}

// actMigrate is a cold migration: admin only. Nova runs it as a resize to
// the same flavor on another host, so it goes through RESIZE to
// VERIFY_RESIZE and needs a confirmResize; revertResize moves it back.
func (c *Compute) actMigrate(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	if err := nvAdminOnly(call, "os_compute_api:os-migrate-server:migrate"); err != nil {
		return kit.Reply{}, err
	}
	target, err := c.migrationTargetLocked(s, arg)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := requireState(s, "migrate", []string{vmActive, vmStopped}); err != nil {
		return kit.Reply{}, err
	}
	wasStopped := s.VMState == vmStopped
	c.beginTaskLocked(s, "resize_prep", c.durations.Resize, func(s *server, at time.Time) {
		s.oldHost = s.Host
		s.Host, s.HypervisorHostname = target, nodeName(target)
		s.OldFlavorID = s.FlavorID
		s.VMState = vmResized
		if wasStopped {
			s.setPower(PowerShutdown, at)
		} else {
			s.setPower(PowerRunning, at)
		}
	})
	return kit.Status(http.StatusAccepted), nil
}

// actLiveMigrate moves a running (or paused) server to another host:
// admin only; MIGRATING, then back in the state it was in.
func (c *Compute) actLiveMigrate(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	if err := nvAdminOnly(call, "os_compute_api:os-migrate-server:migrate_live"); err != nil {
		return kit.Reply{}, err
	}
	target, err := c.migrationTargetLocked(s, arg)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := requireState(s, "os-migrateLive", []string{vmActive, vmPaused}); err != nil {
		return kit.Reply{}, err
	}
	c.beginTaskLocked(s, "migrating", c.durations.Resize, func(s *server, at time.Time) {
		s.Host, s.HypervisorHostname = target, nodeName(target)
	})
	return kit.Status(http.StatusAccepted), nil
}

// migrationTargetLocked is the host a migration goes to: the one the body
// names, or the next one that is not the server's.
func (c *Compute) migrationTargetLocked(s *server, arg json.RawMessage) (string, error) {
	var in struct {
		Host *string `json:"host"`
	}
	if err := decodeArg(arg, &in); err != nil {
		return "", err
	}
	target := ""
	if in.Host != nil && *in.Host != "" {
		if !slices.Contains(c.hosts, *in.Host) {
			return "", kit.BadRequest("Compute host %s could not be found.", *in.Host)
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
		return "", kit.BadRequest("No valid host was found. No other host to migrate to.")
	}
	return target, nil
}

// beginRebuildLocked starts a rebuild (a rebuild action or an
// evacuation): the task "rebuilding" for the rebuild duration, after which
// the server is ACTIVE, or SHUTOFF when stopped says it ends stopped. An
// errored server is active again while it rebuilds, as in Nova.
func (c *Compute) beginRebuildLocked(s *server, stopped bool) {
	s.Fault = nil
	s.setPower(PowerNoState, c.Now())
	c.beginTaskLocked(s, "rebuilding", c.durations.Rebuild, func(s *server, at time.Time) {
		if stopped {
			s.VMState = vmStopped
			s.setPower(PowerShutdown, at)
			return
		}
		toActive(s, at)
	})
	if s.VMState == vmError {
		s.VMState = vmActive
	}
}
