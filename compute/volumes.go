package compute

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-volume_attachments.
const (
	OpListVolumeAttachments  = "compute.servers.volumes.list"
	OpAttachVolume           = "compute.servers.volumes.attach"
	OpGetVolumeAttachment    = "compute.servers.volumes.get"
	OpUpdateVolumeAttachment = "compute.servers.volumes.update"
	OpDetachVolume           = "compute.servers.volumes.detach"
)

func (c *Compute) volumeRoutes() []kit.Route {
	const coll = "/servers/{server_id}/os-volume_attachments"
	return []kit.Route{
		route(OpListVolumeAttachments, "GET", coll, c.listVolumeAttachments),
		route(OpAttachVolume, "POST", coll, c.attachVolume),
		route(OpGetVolumeAttachment, "GET", coll+"/{volume_id}", c.getVolumeAttachment),
		route(OpUpdateVolumeAttachment, "PUT", coll+"/{volume_id}", c.updateVolumeAttachment),
		route(OpDetachVolume, "DELETE", coll+"/{volume_id}", c.detachVolume),
	}
}

// The vm_states in which Nova attaches and detaches volumes.
var volumeAttachStates = []string{vmActive, vmPaused, vmStopped, vmResized, vmSoftDeleted, vmShelved, vmShelvedOffloaded}

// devicePattern is Nova's match_device (the schema pattern of "device").
var devicePattern = regexp.MustCompile(`(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$`)

const devicePatternText = `(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$`

// maxDiskDevices is how many disk devices a server takes: vda (the root
// disk) to vdz.
const maxDiskDevices = 26

// volumeAttachmentJSON is an attachment as the list and show render it.
type volumeAttachmentJSON struct {
	ID                  *string `json:"id,omitempty"` // before 2.89
	VolumeID            string  `json:"volumeId"`
	ServerID            string  `json:"serverId"`
	Device              string  `json:"device,omitempty"`
	Tag                 any     `json:"tag,omitempty"` // 2.70, null when untagged
	DeleteOnTermination *bool   `json:"delete_on_termination,omitempty"`
	AttachmentID        *string `json:"attachment_id,omitempty"` // 2.89
	BDMID               *string `json:"bdm_uuid,omitempty"`      // 2.89
}

// attachedVolumeJSON is POST os-volume_attachments's answer.
type attachedVolumeJSON struct {
	ID                  string  `json:"id"`
	VolumeID            string  `json:"volumeId"`
	ServerID            string  `json:"serverId"`
	Device              *string `json:"device"`
	Tag                 any     `json:"tag,omitempty"` // 2.70, null when untagged
	DeleteOnTermination *bool   `json:"delete_on_termination,omitempty"`
}

type volumeAttachmentBody[T any] struct {
	VolumeAttachment T `json:"volumeAttachment"`
}

type volumeAttachmentList struct {
	VolumeAttachments []volumeAttachmentJSON `json:"volumeAttachments"`
}

// volumeAttachmentView renders an attachment at the request's
// microversion.
func volumeAttachmentView(call *kit.Call, va VolumeAttachment) volumeAttachmentJSON {
	v := versionOf(call)
	out := volumeAttachmentJSON{VolumeID: va.VolumeID, ServerID: va.ServerID, Device: va.Device}
	if !v.AtLeast(89) {
		out.ID = ptr(va.VolumeID)
	}
	if v.AtLeast(70) {
		out.Tag = nullOr(va.Tag)
	}
	if v.AtLeast(79) {
		out.DeleteOnTermination = ptr(va.DeleteOnTermination)
	}
	if v.AtLeast(89) {
		out.AttachmentID, out.BDMID = ptr(va.AttachmentID), ptr(va.BDMID)
	}
	return out
}

// ensureAttachmentIDsLocked gives volumes attached at boot (which carry
// no attachment IDs) stable ones, derived from what they attach so that
// reading them does not draw on the random source.
func ensureAttachmentIDsLocked(s *server) {
	for i := range s.Volumes {
		va := &s.Volumes[i]
		if va.AttachmentID == "" {
			va.AttachmentID = uuid.NewSHA1(uuid.NameSpaceOID, []byte("mockcloud/attachment/"+s.ID+"/"+va.VolumeID)).String()
		}
		if va.BDMID == "" {
			va.BDMID = uuid.NewSHA1(uuid.NameSpaceOID, []byte("mockcloud/bdm/"+s.ID+"/"+va.VolumeID)).String()
		}
	}
}

func (c *Compute) listVolumeAttachments(call *kit.Call) (kit.Reply, error) {
	allowed := []string{"limit", "offset"}
	if !versionOf(call).AtLeast(75) {
		allowed = nil
	}
	offset, _, err := nvQueryInt(call, "offset", allowed)
	var limit int
	var hasLimit bool
	if err == nil {
		limit, hasLimit, err = nvQueryInt(call, "limit", allowed)
	}
	if err != nil {
		return kit.Reply{}, err
	}
	if !hasLimit || limit == 0 || limit > maxLimit {
		limit = maxLimit
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	ensureAttachmentIDsLocked(s)
	// Nova pages over all the server's block device mappings, then drops
	// those without a volume: the root disk of a server booted from an
	// image counts for offset and limit but is not shown.
	mappings := make([]*VolumeAttachment, 0, len(s.Volumes)+1)
	if s.ImageID != "" {
		mappings = append(mappings, nil)
	}
	for i := range s.Volumes {
		mappings = append(mappings, &s.Volumes[i])
	}
	body := volumeAttachmentList{VolumeAttachments: []volumeAttachmentJSON{}}
	for i, va := range mappings {
		if i < offset || va == nil {
			continue
		}
		if i >= offset+limit {
			break
		}
		body.VolumeAttachments = append(body.VolumeAttachments, volumeAttachmentView(call, *va))
	}
	return kit.OK(body), nil
}

func (c *Compute) getVolumeAttachment(call *kit.Call) (kit.Reply, error) {
	volumeID := call.Var("volume_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	ensureAttachmentIDsLocked(s)
	i := attachmentIndex(s, volumeID)
	if i < 0 {
		return kit.Reply{}, kit.NotFound("Instance %s is not attached to volume %s", s.ID, volumeID)
	}
	return kit.OK(volumeAttachmentBody[volumeAttachmentJSON]{volumeAttachmentView(call, s.Volumes[i])}), nil
}

func attachmentIndex(s *server, volumeID string) int {
	for i, va := range s.Volumes {
		if va.VolumeID == volumeID {
			return i
		}
	}
	return -1
}

// volumeHoldersLocked lists the live servers a volume is attached to
// (settled: a server whose deletion is due holds nothing).
func (c *Compute) volumeHoldersLocked(volumeID string) []string {
	var ids []string
	for _, s := range c.servers {
		if attachmentIndex(s, volumeID) >= 0 && c.liveLocked(s) {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// volumeAttachmentRequest is the member of {"volumeAttachment": {...}}; each
// field stays raw until the schema check for the microversion has run.
type volumeAttachmentRequest struct {
	VolumeID            json.RawMessage `json:"volumeId"`
	Device              json.RawMessage `json:"device"`
	Tag                 json.RawMessage `json:"tag"`
	DeleteOnTermination json.RawMessage `json:"delete_on_termination"`
	ServerID            json.RawMessage `json:"serverId"`
	ID                  json.RawMessage `json:"id"`
}

// decodeVolumeAttachment reads and checks the body of POST and PUT as
// Nova's schemas for the microversion do.
func decodeVolumeAttachment(call *kit.Call, allowed map[string]bool) (volumeAttachmentRequest, map[string]json.RawMessage, error) {
	var in volumeAttachmentRequest
	body := call.Body
	wrapper, err := decodeWrapped(body, "volumeAttachment", allowed, &in)
	if err != nil {
		return in, nil, err
	}
	var members map[string]json.RawMessage
	_ = json.Unmarshal(wrapper["volumeAttachment"], &members)
	if len(in.VolumeID) == 0 {
		return in, nil, kit.BadRequest("Invalid input for field/attribute volumeAttachment. Value: %s. 'volumeId' is a required property", pyValue(wrapper["volumeAttachment"]))
	}
	if _, err := nvUUID("volumeId", in.VolumeID); err != nil {
		return in, nil, err
	}
	if _, err := nvDevice(in.Device); err != nil {
		return in, nil, err
	}
	if len(in.Tag) > 0 {
		if _, err := nvTag(in.Tag); err != nil {
			return in, nil, err
		}
	}
	if len(in.DeleteOnTermination) > 0 {
		if _, err := schemaBool("delete_on_termination", in.DeleteOnTermination); err != nil {
			return in, nil, err
		}
	}
	if len(in.ServerID) > 0 {
		if _, err := nvUUID("serverId", in.ServerID); err != nil {
			return in, nil, err
		}
	}
	if len(in.ID) > 0 {
		if _, err := nvUUID("id", in.ID); err != nil {
			return in, nil, err
		}
	}
	return in, members, nil
}

// nvDevice checks "device": a string matching Nova's device pattern, or
// null. It returns "" for an absent or null device.
func nvDevice(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var dev string
	if json.Unmarshal(raw, &dev) != nil {
		return "", nvFieldErr("device", raw, "%s is not of type 'string', 'null'", pyRepr(raw))
	}
	if !devicePattern.MatchString(dev) {
		return "", nvFieldErr("device", raw, "%s does not match '%s'", pyRepr(raw), devicePatternText)
	}
	return dev, nil
}

func (c *Compute) attachVolume(call *kit.Call) (kit.Reply, error) {
	v := versionOf(call)
	allowed := map[string]bool{"volumeId": true, "device": true}
	if v.AtLeast(49) {
		allowed["tag"] = true
	}
	if v.AtLeast(79) {
		allowed["delete_on_termination"] = true
	}
	in, _, err := decodeVolumeAttachment(call, allowed)
	if err != nil {
		return kit.Reply{}, err
	}
	volumeID, _ := nvUUID("volumeId", in.VolumeID)
	device, _ := nvDevice(in.Device)
	var tag string
	if len(in.Tag) > 0 {
		tag, _ = nvTag(in.Tag)
	}
	var deleteOnTermination bool
	if len(in.DeleteOnTermination) > 0 {
		deleteOnTermination, _ = schemaBool("delete_on_termination", in.DeleteOnTermination)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	va, err := c.attachVolumeLocked(call, s, volumeID, device, tag, deleteOnTermination)
	if err != nil {
		return kit.Reply{}, err
	}
	if v.AtLeast(101) {
		return kit.Status(http.StatusAccepted), nil // asynchronous from 2.101: no body
	}
	out := attachedVolumeJSON{ID: va.VolumeID, ServerID: va.ServerID, VolumeID: va.VolumeID, Device: nullString(va.Device)}
	if v.AtLeast(70) {
		out.Tag = nullOr(va.Tag)
	}
	if v.AtLeast(79) {
		out.DeleteOnTermination = ptr(va.DeleteOnTermination)
	}
	return kit.OK(volumeAttachmentBody[attachedVolumeJSON]{out}), nil
}

// attachVolumeLocked makes Nova's checks, in Nova's order, and attaches.
func (c *Compute) attachVolumeLocked(call *kit.Call, s *server, volumeID, device, tag string, deleteOnTermination bool) (VolumeAttachment, error) {
	if (s.VMState == vmShelved || s.VMState == vmShelvedOffloaded) && !versionOf(call).AtLeast(20) {
		return VolumeAttachment{}, kit.Conflict("Cannot 'attach_volume' instance %s while it is in vm_state %s", s.ID, s.VMState)
	}
	if err := c.checkLockedLocked(call, s); err != nil {
		return VolumeAttachment{}, err
	}
	if err := requireState(s, "attach_volume", volumeAttachStates); err != nil {
		return VolumeAttachment{}, err
	}
	// Volumes are not multiattach, so any attachment, to this server or
	// another, refuses the volume.
	if holders := c.volumeHoldersLocked(volumeID); len(holders) > 0 {
		return VolumeAttachment{}, kit.BadRequest("Invalid volume: volume %s is already attached to instances: %s", volumeID, strings.Join(holders, " "))
	}
	offloaded := s.VMState == vmShelvedOffloaded
	if offloaded && tag != "" {
		return VolumeAttachment{}, kit.BadRequest("Tagged volume attachment is not supported for shelved-offloaded instances.")
	}
	used := map[string]bool{"/dev/vda": true}
	for _, va := range s.Volumes {
		used[va.Device] = true
	}
	switch {
	case offloaded:
		// A shelved-offloaded server has no host to name a device; it gets
		// one when it is unshelved.
		device = ""
	case device != "" && used[device]:
		return VolumeAttachment{}, kit.Conflict("The supplied device path (%s) is in use.", device)
	case device == "":
		for n := 0; n < maxDiskDevices-1; n++ {
			if d := deviceName(n); !used[d] {
				device = d
				break
			}
		}
		if device == "" {
			return VolumeAttachment{}, kit.Forbidden("The maximum allowed number of disk devices (%d) to attach to a single instance has been exceeded.", maxDiskDevices)
		}
	}
	c.attachCounter++
	va := VolumeAttachment{
		ID: volumeID, VolumeID: volumeID, ServerID: s.ID, Device: device, Tag: tag,
		DeleteOnTermination: deleteOnTermination,
		AttachmentID:        c.RNG().UUID(), BDMID: c.RNG().UUID(),
	}
	s.Volumes = append(s.Volumes, va)
	s.Updated = c.Now()
	c.recordActionLocked(s, "attach_volume", call)
	return va, nil
}

func (c *Compute) updateVolumeAttachment(call *kit.Call) (kit.Reply, error) {
	v := versionOf(call)
	allowed := map[string]bool{"volumeId": true}
	if v.AtLeast(85) {
		for _, k := range []string{"device", "tag", "delete_on_termination", "serverId", "id"} {
			allowed[k] = true
		}
	}
	in, members, err := decodeVolumeAttachment(call, allowed)
	if err != nil {
		return kit.Reply{}, err
	}
	oldID := call.Var("volume_id")
	newID, _ := nvUUID("volumeId", in.VolumeID)
	onlySwap := !v.AtLeast(85)

	swap := onlySwap || oldID != newID
	err = c.withServer(call, func(s *server) error {
		if swap {
			if err := nvAdminOnly(call, "os_compute_api:os-volumes-attachments:swap"); err != nil {
				return err
			}
		}
		if !onlySwap {
			if err := updateAttachmentLocked(s, oldID, in, members); err != nil {
				return err
			}
		}
		if swap {
			if err := c.swapVolumeLocked(call, s, oldID, newID); err != nil {
				return err
			}
		}
		s.Updated = c.Now()
		return nil
	})
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusAccepted), nil
}

// updateAttachmentLocked is the 2.85 update: delete_on_termination may
// change; id, serverId, device and tag may be sent but not changed.
func updateAttachmentLocked(s *server, volumeID string, in volumeAttachmentRequest, members map[string]json.RawMessage) error {
	i := attachmentIndex(s, volumeID)
	if i < 0 {
		return kit.NotFound("No volume Block Device Mapping with id %s.", volumeID)
	}
	va := &s.Volumes[i]
	str := func(raw json.RawMessage) string {
		var x string
		_ = json.Unmarshal(raw, &x)
		return x
	}
	if _, ok := members["id"]; ok && str(in.ID) != volumeID {
		return kit.BadRequest("The id property is not mutable")
	}
	if _, ok := members["serverId"]; ok && str(in.ServerID) != s.ID {
		return kit.BadRequest("The serverId property is not mutable")
	}
	if _, ok := members["device"]; ok && (string(in.Device) == "null" || str(in.Device) != va.Device) {
		return kit.BadRequest("The device property is not mutable")
	}
	if _, ok := members["tag"]; ok && str(in.Tag) != va.Tag {
		return kit.BadRequest("The tag property is not mutable")
	}
	if _, ok := members["delete_on_termination"]; ok {
		va.DeleteOnTermination, _ = schemaBool("delete_on_termination", in.DeleteOnTermination)
	}
	return nil
}

// swapVolumeLocked replaces an attached volume by another, on the same
// device: the admin-only swap Cinder's volume migration drives.
func (c *Compute) swapVolumeLocked(call *kit.Call, s *server, oldID, newID string) error {
	if err := c.checkLockedLocked(call, s); err != nil {
		return err
	}
	if err := requireState(s, "swap_volume", []string{vmActive, vmPaused, vmResized}); err != nil {
		return err
	}
	i := attachmentIndex(s, oldID)
	if i < 0 {
		return kit.BadRequest("Invalid volume: Old volume is attached to a different instance.")
	}
	if len(c.volumeHoldersLocked(newID)) > 0 {
		return kit.BadRequest("Invalid volume: New volume must be detached in order to swap.")
	}
	va := &s.Volumes[i]
	va.ID, va.VolumeID = newID, newID
	va.AttachmentID = c.RNG().UUID()
	c.recordActionLocked(s, "swap_volume", call)
	return nil
}

func (c *Compute) detachVolume(call *kit.Call) (kit.Reply, error) {
	volumeID := call.Var("volume_id")
	err := c.withServer(call, func(s *server) error { return c.detachVolumeLocked(call, s, volumeID) })
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) detachVolumeLocked(call *kit.Call, s *server, volumeID string) error {
	if (s.VMState == vmShelved || s.VMState == vmShelvedOffloaded) && !versionOf(call).AtLeast(20) {
		return kit.Conflict("Cannot 'detach_volume' instance %s while it is in vm_state %s", s.ID, s.VMState)
	}
	i := attachmentIndex(s, volumeID)
	if i < 0 {
		return kit.NotFound("Instance %s is not attached to volume %s", s.ID, volumeID)
	}
	if s.ImageID == "" && i == 0 {
		// Booted from this volume.
		return kit.BadRequest("Cannot detach a root device volume")
	}
	if err := c.checkLockedLocked(call, s); err != nil {
		return err
	}
	if err := requireState(s, "detach_volume", volumeAttachStates); err != nil {
		return err
	}
	s.Volumes = append(s.Volumes[:i:i], s.Volumes[i+1:]...)
	s.Updated = c.Now()
	c.recordActionLocked(s, "detach_volume", call)
	return nil
}

// nvUUID checks a member of format uuid.
func nvUUID(field string, raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", nvFieldErr(field, raw, "%s is not of type 'string'", pyRepr(raw))
	}
	if _, err := uuid.Parse(s); err != nil || strings.HasPrefix(s, "urn:") || strings.HasPrefix(s, "{") {
		return "", nvFieldErr(field, raw, "%s is not a 'uuid'", pyRepr(raw))
	}
	return s, nil
}

// nvTag checks a device role tag: 1 to 60 characters, no comma or slash.
func nvTag(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", nvFieldErr("tag", raw, "%s is not of type 'string'", pyRepr(raw))
	}
	switch {
	case s == "":
		return "", nvFieldErr("tag", raw, "%s is too short", pyRepr(raw))
	case len([]rune(s)) > 60:
		return "", nvFieldErr("tag", raw, "%s is too long", pyRepr(raw))
	case strings.ContainsAny(s, ",/"):
		return "", nvFieldErr("tag", raw, "%s does not match '^[^,/]*$'", pyRepr(raw))
	}
	return s, nil
}

// nvQueryInt reads a non-negative integer query parameter (queryInt).
// When allowed is not nil, a parameter outside it is refused (the schemas
// that set additionalProperties to false).
func nvQueryInt(call *kit.Call, name string, allowed []string) (int, bool, error) {
	if allowed != nil {
		if err := nvQueryAllowed(call, allowed); err != nil {
			return 0, false, err
		}
	}
	return queryInt(call, name, 0)
}

// nvQueryAllowed refuses query parameters outside allowed, as Nova's
// query schemas without additional properties do.
func nvQueryAllowed(call *kit.Call, allowed []string) error {
	msg := notAllowed(call.Query(), func(k string) bool { return slices.Contains(allowed, k) })
	if msg == "" {
		return nil
	}
	return kit.BadRequest("%s", msg)
}

// notAllowed is jsonschema's additionalProperties message for the keys of
// m that allowed refuses, sorted; "" when there are none.
func notAllowed[V any](m map[string]V, allowed func(string) bool) string {
	var extra []string
	for k := range m {
		if !allowed(k) {
			extra = append(extra, "'"+k+"'")
		}
	}
	if len(extra) == 0 {
		return ""
	}
	sort.Strings(extra)
	verb := "were"
	if len(extra) == 1 {
		verb = "was"
	}
	return fmt.Sprintf("Additional properties are not allowed (%s %s unexpected)", strings.Join(extra, ", "), verb)
}

// nvAdminOnly is an admin-only policy rule: with tokens checked, a caller
// without the admin role gets Nova's 403; without, everyone passes.
func nvAdminOnly(call *kit.Call, rule string) error {
	if adminAllowed(call) {
		return nil
	}
	return policyDenied(rule)
}
