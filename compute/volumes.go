package compute

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// Route names of os-volume_attachments.
const (
	OpListVolumeAttachments  = "compute.servers.volumes.list"
	OpAttachVolume           = "compute.servers.volumes.attach"
	OpGetVolumeAttachment    = "compute.servers.volumes.get"
	OpUpdateVolumeAttachment = "compute.servers.volumes.update"
	OpDetachVolume           = "compute.servers.volumes.detach"
)

func (c *Compute) volumeRoutes() []apiRoute {
	const coll = "/servers/{server_id}/os-volume_attachments"
	return []apiRoute{
		{OpListVolumeAttachments, []string{"GET"}, coll, c.listVolumeAttachments},
		{OpAttachVolume, []string{"POST"}, coll, c.attachVolume},
		{OpGetVolumeAttachment, []string{"GET"}, coll + "/{volume_id}", c.getVolumeAttachment},
		{OpUpdateVolumeAttachment, []string{"PUT"}, coll + "/{volume_id}", c.updateVolumeAttachment},
		{OpDetachVolume, []string{"DELETE"}, coll + "/{volume_id}", c.detachVolume},
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

// volumeAttachmentJSON renders an attachment as the list and show do at
// the request's microversion.
func volumeAttachmentJSON(r *http.Request, va VolumeAttachment) map[string]any {
	v := versionOf(r)
	out := map[string]any{"volumeId": va.VolumeID, "serverId": va.ServerID}
	if !v.AtLeast(89) {
		out["id"] = va.VolumeID
	}
	if va.Device != "" {
		out["device"] = va.Device
	}
	if v.AtLeast(70) {
		out["tag"] = nullString(va.Tag)
	}
	if v.AtLeast(79) {
		out["delete_on_termination"] = va.DeleteOnTermination
	}
	if v.AtLeast(89) {
		out["attachment_id"] = va.AttachmentID
		out["bdm_uuid"] = va.BDMID
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

func (c *Compute) listVolumeAttachments(w http.ResponseWriter, r *http.Request) {
	allowed := []string{"limit", "offset"}
	if !versionOf(r).AtLeast(75) {
		allowed = nil
	}
	offset, _, err := nvQueryInt(r, "offset", allowed)
	var limit int
	var hasLimit bool
	if err == nil {
		limit, hasLimit, err = nvQueryInt(r, "limit", allowed)
	}
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if !hasLimit || limit == 0 || limit > maxLimit {
		limit = maxLimit
	}
	c.mu.Lock()
	s, err := c.serverLocked(r)
	list := []map[string]any{}
	if err == nil {
		ensureAttachmentIDsLocked(s)
		// Nova pages over all the server's block device mappings, then
		// drops those without a volume: the root disk of a server booted
		// from an image counts for offset and limit but is not shown.
		mappings := make([]*VolumeAttachment, 0, len(s.Volumes)+1)
		if s.ImageID != "" {
			mappings = append(mappings, nil)
		}
		for i := range s.Volumes {
			mappings = append(mappings, &s.Volumes[i])
		}
		for i, va := range mappings {
			if i < offset || va == nil {
				continue
			}
			if i >= offset+limit {
				break
			}
			list = append(list, volumeAttachmentJSON(r, *va))
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"volumeAttachments": list})
}

func (c *Compute) getVolumeAttachment(w http.ResponseWriter, r *http.Request) {
	volumeID := mux.Vars(r)["volume_id"]
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var body map[string]any
	if err == nil {
		ensureAttachmentIDsLocked(s)
		if i := attachmentIndex(s, volumeID); i >= 0 {
			body = map[string]any{"volumeAttachment": volumeAttachmentJSON(r, s.Volumes[i])}
		} else {
			err = notFound("Instance %s is not attached to volume %s", s.ID, volumeID)
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
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

// volumeAttachmentBody is the member of {"volumeAttachment": {...}}; each
// field stays raw until the schema check for the microversion has run.
type volumeAttachmentBody struct {
	VolumeID            json.RawMessage `json:"volumeId"`
	Device              json.RawMessage `json:"device"`
	Tag                 json.RawMessage `json:"tag"`
	DeleteOnTermination json.RawMessage `json:"delete_on_termination"`
	ServerID            json.RawMessage `json:"serverId"`
	ID                  json.RawMessage `json:"id"`
}

// decodeVolumeAttachment reads and checks the body of POST and PUT as
// Nova's schemas for the microversion do.
func decodeVolumeAttachment(r *http.Request, allowed map[string]bool) (volumeAttachmentBody, map[string]json.RawMessage, *fake.Error) {
	var in volumeAttachmentBody
	body, _ := io.ReadAll(r.Body)
	wrapper, err := decodeWrapped(body, "volumeAttachment", allowed, &in)
	if err != nil {
		return in, nil, err
	}
	var members map[string]json.RawMessage
	_ = json.Unmarshal(wrapper["volumeAttachment"], &members)
	if len(in.VolumeID) == 0 {
		return in, nil, badRequest("Invalid input for field/attribute volumeAttachment. Value: %s. 'volumeId' is a required property", pyValue(wrapper["volumeAttachment"]))
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
func nvDevice(raw json.RawMessage) (string, *fake.Error) {
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

func (c *Compute) attachVolume(w http.ResponseWriter, r *http.Request) {
	v := versionOf(r)
	allowed := map[string]bool{"volumeId": true, "device": true}
	if v.AtLeast(49) {
		allowed["tag"] = true
	}
	if v.AtLeast(79) {
		allowed["delete_on_termination"] = true
	}
	in, _, err := decodeVolumeAttachment(r, allowed)
	if err != nil {
		writeErr(w, r, err)
		return
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
	s, err := c.serverLocked(r)
	var va VolumeAttachment
	if err == nil {
		va, err = c.attachVolumeLocked(r, s, volumeID, device, tag, deleteOnTermination)
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	out := map[string]any{"id": va.VolumeID, "serverId": va.ServerID, "volumeId": va.VolumeID, "device": nullString(va.Device)}
	if v.AtLeast(70) {
		out["tag"] = nullString(va.Tag)
	}
	if v.AtLeast(79) {
		out["delete_on_termination"] = va.DeleteOnTermination
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"volumeAttachment": out})
}

// attachVolumeLocked makes Nova's checks, in Nova's order, and attaches.
func (c *Compute) attachVolumeLocked(r *http.Request, s *server, volumeID, device, tag string, deleteOnTermination bool) (VolumeAttachment, *fake.Error) {
	if (s.VMState == vmShelved || s.VMState == vmShelvedOffloaded) && !versionOf(r).AtLeast(20) {
		return VolumeAttachment{}, conflict("Cannot 'attach_volume' instance %s while it is in vm_state %s", s.ID, s.VMState)
	}
	if err := c.checkLockedLocked(r, s, "attach_volume"); err != nil {
		return VolumeAttachment{}, err
	}
	if err := requireState(s, "attach_volume", volumeAttachStates); err != nil {
		return VolumeAttachment{}, err
	}
	// Volumes are not multiattach, so any attachment, to this server or
	// another, refuses the volume.
	if holders := c.volumeHoldersLocked(volumeID); len(holders) > 0 {
		return VolumeAttachment{}, badRequest("Invalid volume: volume %s is already attached to instances: %s", volumeID, strings.Join(holders, " "))
	}
	offloaded := s.VMState == vmShelvedOffloaded
	if offloaded && tag != "" {
		return VolumeAttachment{}, badRequest("Tagged volume attachment is not supported for shelved-offloaded instances.")
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
		return VolumeAttachment{}, conflict("The supplied device path (%s) is in use.", device)
	case device == "":
		for n := 0; n < maxDiskDevices-1; n++ {
			if d := deviceName(n); !used[d] {
				device = d
				break
			}
		}
		if device == "" {
			return VolumeAttachment{}, forbidden("The maximum allowed number of disk devices (%d) to attach to a single instance has been exceeded.", maxDiskDevices)
		}
	}
	c.attachCounter++
	va := VolumeAttachment{
		ID: volumeID, VolumeID: volumeID, ServerID: s.ID, Device: device, Tag: tag,
		DeleteOnTermination: deleteOnTermination,
		AttachmentID:        c.env.RNG.UUID(), BDMID: c.env.RNG.UUID(),
	}
	s.Volumes = append(s.Volumes, va)
	s.Updated = c.now()
	c.recordActionLocked(s, "attach_volume", r)
	return va, nil
}

func (c *Compute) updateVolumeAttachment(w http.ResponseWriter, r *http.Request) {
	v := versionOf(r)
	allowed := map[string]bool{"volumeId": true}
	if v.AtLeast(85) {
		for _, k := range []string{"device", "tag", "delete_on_termination", "serverId", "id"} {
			allowed[k] = true
		}
	}
	in, members, err := decodeVolumeAttachment(r, allowed)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	oldID := mux.Vars(r)["volume_id"]
	newID, _ := nvUUID("volumeId", in.VolumeID)
	onlySwap := !v.AtLeast(85)

	c.mu.Lock()
	s, err := c.serverLocked(r)
	if err == nil && (onlySwap || oldID != newID) {
		err = nvAdminOnly(r, "os_compute_api:os-volumes-attachments:swap")
	}
	if err == nil && !onlySwap {
		err = updateAttachmentLocked(s, oldID, in, members)
	}
	if err == nil && (onlySwap || oldID != newID) {
		err = c.swapVolumeLocked(r, s, oldID, newID)
	}
	if err == nil {
		s.Updated = c.now()
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// updateAttachmentLocked is the 2.85 update: delete_on_termination may
// change; id, serverId, device and tag may be sent but not changed.
func updateAttachmentLocked(s *server, volumeID string, in volumeAttachmentBody, members map[string]json.RawMessage) *fake.Error {
	i := attachmentIndex(s, volumeID)
	if i < 0 {
		return notFound("No volume Block Device Mapping with id %s.", volumeID)
	}
	va := &s.Volumes[i]
	str := func(raw json.RawMessage) string {
		var x string
		_ = json.Unmarshal(raw, &x)
		return x
	}
	if _, ok := members["id"]; ok && str(in.ID) != volumeID {
		return badRequest("The id property is not mutable")
	}
	if _, ok := members["serverId"]; ok && str(in.ServerID) != s.ID {
		return badRequest("The serverId property is not mutable")
	}
	if _, ok := members["device"]; ok && (string(in.Device) == "null" || str(in.Device) != va.Device) {
		return badRequest("The device property is not mutable")
	}
	if _, ok := members["tag"]; ok && str(in.Tag) != va.Tag {
		return badRequest("The tag property is not mutable")
	}
	if _, ok := members["delete_on_termination"]; ok {
		va.DeleteOnTermination, _ = schemaBool("delete_on_termination", in.DeleteOnTermination)
	}
	return nil
}

// swapVolumeLocked replaces an attached volume by another, on the same
// device: the admin-only swap Cinder's volume migration drives.
func (c *Compute) swapVolumeLocked(r *http.Request, s *server, oldID, newID string) *fake.Error {
	if err := c.checkLockedLocked(r, s, "swap_volume"); err != nil {
		return err
	}
	if err := requireState(s, "swap_volume", []string{vmActive, vmPaused, vmResized}); err != nil {
		return err
	}
	i := attachmentIndex(s, oldID)
	if i < 0 {
		return badRequest("Invalid volume: Old volume is attached to a different instance.")
	}
	if len(c.volumeHoldersLocked(newID)) > 0 {
		return badRequest("Invalid volume: New volume must be detached in order to swap.")
	}
	va := &s.Volumes[i]
	va.ID, va.VolumeID = newID, newID
	va.AttachmentID = c.env.RNG.UUID()
	c.recordActionLocked(s, "swap_volume", r)
	return nil
}

func (c *Compute) detachVolume(w http.ResponseWriter, r *http.Request) {
	volumeID := mux.Vars(r)["volume_id"]
	c.mu.Lock()
	s, err := c.serverLocked(r)
	if err == nil {
		err = c.detachVolumeLocked(r, s, volumeID)
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (c *Compute) detachVolumeLocked(r *http.Request, s *server, volumeID string) *fake.Error {
	if (s.VMState == vmShelved || s.VMState == vmShelvedOffloaded) && !versionOf(r).AtLeast(20) {
		return conflict("Cannot 'detach_volume' instance %s while it is in vm_state %s", s.ID, s.VMState)
	}
	i := attachmentIndex(s, volumeID)
	if i < 0 {
		return notFound("Instance %s is not attached to volume %s", s.ID, volumeID)
	}
	if s.ImageID == "" && i == 0 {
		// Booted from this volume.
		return badRequest("Cannot detach a root device volume")
	}
	if err := c.checkLockedLocked(r, s, "detach_volume"); err != nil {
		return err
	}
	if err := requireState(s, "detach_volume", volumeAttachStates); err != nil {
		return err
	}
	s.Volumes = append(s.Volumes[:i:i], s.Volumes[i+1:]...)
	s.Updated = c.now()
	c.recordActionLocked(s, "detach_volume", r)
	return nil
}

// Schema checks shared by the server extensions, with Nova's
// (jsonschema's) messages.

// nvFieldErr is Nova's body schema error for one member.
func nvFieldErr(field string, raw json.RawMessage, format string, args ...any) *fake.Error {
	return badRequest("Invalid input for field/attribute %s. Value: %s. %s", field, pyValue(raw), fmt.Sprintf(format, args...))
}

// nvUUID checks a member of format uuid.
func nvUUID(field string, raw json.RawMessage) (string, *fake.Error) {
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
func nvTag(raw json.RawMessage) (string, *fake.Error) {
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
func nvQueryInt(r *http.Request, name string, allowed []string) (int, bool, *fake.Error) {
	if allowed != nil {
		if err := nvQueryAllowed(r, allowed); err != nil {
			return 0, false, err
		}
	}
	return queryInt(r, name, 0)
}

// nvQueryAllowed refuses query parameters outside allowed, as Nova's
// query schemas without additional properties do.
func nvQueryAllowed(r *http.Request, allowed []string) *fake.Error {
	msg := notAllowed(r.URL.Query(), func(k string) bool { return containsString(allowed, k) })
	if msg == "" {
		return nil
	}
	return badRequest("%s", msg)
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
func nvAdminOnly(r *http.Request, rule string) *fake.Error {
	if adminAllowed(r) {
		return nil
	}
	return policyDenied(rule)
}
