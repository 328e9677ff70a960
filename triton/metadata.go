package triton

import (
	"maps"
	"net/http"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// metaOf is the map of v that a metadata route names.
func metaOf(v *vm, kind string) (*map[string]any, error) {
	switch kind {
	case "tags":
		return &v.tags, nil
	case "customer_metadata":
		return &v.customerMD, nil
	case "internal_metadata":
		return &v.internalMD, nil
	}
	return nil, kit.NotFound("Route does not exist")
}

// metaVMLocked finds the VM and the metadata kind of a metadata route.
func (t *Triton) metaVMLocked(c *kit.Call) (*vm, *map[string]any, error) {
	v, err := t.vmLocked(c.Var("uuid"))
	if err != nil {
		return nil, nil, err
	}
	m, err := metaOf(v, c.Var("meta"))
	if err != nil {
		return nil, nil, err
	}
	return v, m, nil
}

func (t *Triton) listMetadata(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	_, m, err := t.metaVMLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(cloneMap(*m)), nil
}

func (t *Triton) getMetadata(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	_, m, err := t.metaVMLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	val, ok := (*m)[c.Var("key")]
	if !ok {
		return kit.Reply{}, kit.NotFound("%s key \"%s\" not found", c.Var("meta"), c.Var("key"))
	}
	return kit.OK(val), nil
}

// changeMetadata starts the update job that applies change to the map
// when it ends.
func (t *Triton) changeMetadata(c *kit.Call, body bool, change func(m map[string]any, in map[string]any) error) (kit.Reply, error) {
	in := map[string]any{}
	if body {
		if err := decode(c, &in, false); err != nil {
			return kit.Reply{}, err
		}
	}
	now := t.lock()
	defer t.mu.Unlock()
	v, m, err := t.metaVMLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if v.state == "destroyed" || v.state == "failed" {
		return kit.Reply{}, invalidParam("state", "VM is "+v.state)
	}
	probe := cloneMap(*m)
	if err := change(probe, in); err != nil {
		return kit.Reply{}, err
	}
	j := t.vmJobLocked("update", v, map[string]any{c.Var("meta"): in}, now, func(time.Time) {
		if *m == nil {
			*m = map[string]any{}
		}
		_ = change(*m, in)
	})
	return kit.JSON(http.StatusAccepted, jobAccepted{VMUUID: v.uuid, JobUUID: j.uuid}), nil
}

func (t *Triton) addMetadata(c *kit.Call) (kit.Reply, error) {
	return t.changeMetadata(c, true, func(m, in map[string]any) error { maps.Copy(m, in); return nil })
}

func (t *Triton) setMetadata(c *kit.Call) (kit.Reply, error) {
	return t.changeMetadata(c, true, func(m, in map[string]any) error {
		clear(m)
		maps.Copy(m, in)
		return nil
	})
}

func (t *Triton) clearMetadata(c *kit.Call) (kit.Reply, error) {
	return t.changeMetadata(c, false, func(m, _ map[string]any) error { clear(m); return nil })
}

func (t *Triton) deleteMetadata(c *kit.Call) (kit.Reply, error) {
	key := c.Var("key")
	return t.changeMetadata(c, false, func(m, _ map[string]any) error {
		if _, ok := m[key]; !ok {
			return kit.NotFound("%s key \"%s\" not found", c.Var("meta"), key)
		}
		delete(m, key)
		return nil
	})
}
