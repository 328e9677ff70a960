package triton

import (
	"maps"
	"net/http"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Tags and metadata: reads show the VM as VMAPI has it; a change answers
// with the map as it will be and lands when the VM's update job ends.

// changeMachineMapLocked starts the update job that sets *which to next.
func (t *Triton) changeMachineMapLocked(v *vm, which *map[string]any, next map[string]any, now time.Time) {
	t.vmJobLocked("update", v, map[string]any{"payload": next}, now, func(time.Time) { *which = maps.Clone(next) })
}

// machineMap is a tags or metadata handler's machine, refused (410)
// once deleted.
func (t *Triton) machineMapLocked(c *kit.Call) (*vm, *kit.Reply, error) {
	return t.liveMachineLocked(c)
}

func (t *Triton) listTags(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	return kit.OK(cloneMap(v.tags)), nil
}

// tagValues checks a tags body: values are strings, numbers or booleans.
func tagValues(c *kit.Call) (map[string]any, error) {
	in := map[string]any{}
	if err := decodeCloudAPI(c, &in); err != nil {
		return nil, err
	}
	for k, v := range in {
		switch v.(type) {
		case string, float64, bool:
		default:
			return nil, invalidArgument("invalid tag value for " + k + ": must be a string, number or boolean")
		}
	}
	return in, nil
}

func (t *Triton) setTags(c *kit.Call, replace bool) (kit.Reply, error) {
	in, err := tagValues(c)
	if err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	next := in
	if !replace {
		next = cloneMap(v.tags)
		maps.Copy(next, in)
	}
	t.changeMachineMapLocked(v, &v.tags, next, now)
	return kit.OK(cloneMap(next)), nil
}

func (t *Triton) addTags(c *kit.Call) (kit.Reply, error)     { return t.setTags(c, false) }
func (t *Triton) replaceTags(c *kit.Call) (kit.Reply, error) { return t.setTags(c, true) }

func (t *Triton) deleteAllTags(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	t.changeMachineMapLocked(v, &v.tags, map[string]any{}, now)
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) getTag(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	val, ok := v.tags[c.Var("tag")]
	if !ok {
		return kit.Reply{}, kit.NotFound("tag \"%s\" not found", c.Var("tag"))
	}
	s, _ := val.(string) // CloudAPI answers "" for a number or a boolean
	return kit.OK(s), nil
}

func (t *Triton) deleteTag(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	if _, ok := v.tags[c.Var("tag")]; !ok {
		return kit.Reply{}, kit.NotFound("tag \"%s\" not found", c.Var("tag"))
	}
	next := cloneMap(v.tags)
	delete(next, c.Var("tag"))
	t.changeMachineMapLocked(v, &v.tags, next, now)
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) listMachineMetadata(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	return kit.OK(cloneMap(v.customerMD)), nil
}

func (t *Triton) addMachineMetadata(c *kit.Call) (kit.Reply, error) {
	in := map[string]any{}
	if err := decodeCloudAPI(c, &in); err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	next := cloneMap(v.customerMD)
	for k, val := range in {
		next[k] = metadataString(val)
	}
	t.changeMachineMapLocked(v, &v.customerMD, next, now)
	return kit.OK(cloneMap(next)), nil
}

func (t *Triton) deleteAllMachineMetadata(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	// CloudAPI keeps the keys it manages.
	next := map[string]any{}
	if k, ok := v.customerMD["root_authorized_keys"]; ok {
		next["root_authorized_keys"] = k
	}
	t.changeMachineMapLocked(v, &v.customerMD, next, now)
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) getMachineMetadata(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	val, ok := v.customerMD[c.Var("key")]
	if !ok {
		return kit.Reply{}, kit.NotFound("%s is not metadata", c.Var("key"))
	}
	return kit.OK(val), nil
}

func (t *Triton) deleteMachineMetadata(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.machineMapLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	if _, ok := v.customerMD[c.Var("key")]; !ok {
		return kit.Reply{}, kit.NotFound("%s is not metadata", c.Var("key"))
	}
	next := cloneMap(v.customerMD)
	delete(next, c.Var("key"))
	t.changeMachineMapLocked(v, &v.customerMD, next, now)
	return kit.Status(http.StatusNoContent), nil
}
