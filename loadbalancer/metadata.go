package loadbalancer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the metadata API (load balancer and node metadata). The
// API changes metadata without moving the load balancer's status.
const (
	OpListMetadata           = "loadbalancer.metadata.list"
	OpAddMetadata            = "loadbalancer.metadata.create"
	OpBatchDeleteMetadata    = "loadbalancer.metadata.batchdelete"
	OpGetMetadataItem        = "loadbalancer.metadata.get"
	OpUpdateMetadataItem     = "loadbalancer.metadata.update"
	OpDeleteMetadataItem     = "loadbalancer.metadata.delete"
	OpListNodeMetadata       = "loadbalancer.nodes.metadata.list"
	OpAddNodeMetadata        = "loadbalancer.nodes.metadata.create"
	OpBatchDeleteNodeMeta    = "loadbalancer.nodes.metadata.batchdelete"
	OpGetNodeMetadataItem    = "loadbalancer.nodes.metadata.get"
	OpUpdateNodeMetadataItem = "loadbalancer.nodes.metadata.update"
	OpDeleteNodeMetadataItem = "loadbalancer.nodes.metadata.delete"
)

func (c *CLB) metadataRoutes() []kit.Route {
	const lbm, nm = "/loadbalancers/{lb_id}/metadata", "/loadbalancers/{lb_id}/nodes/{node_id}/metadata"
	return []kit.Route{
		{Op: OpListMetadata, Method: "GET", Path: lbm, Handler: c.metaHandler(false, c.listMeta)},
		{Op: OpAddMetadata, Method: "POST", Path: lbm, Handler: c.metaHandler(false, c.addMeta)},
		{Op: OpBatchDeleteMetadata, Method: "DELETE", Path: lbm, Handler: c.metaHandler(false, c.batchDeleteMeta)},
		{Op: OpGetMetadataItem, Method: "GET", Path: lbm + "/{meta_id}", Handler: c.metaHandler(false, c.getMeta)},
		{Op: OpUpdateMetadataItem, Method: "PUT", Path: lbm + "/{meta_id}", Handler: c.metaHandler(false, c.updateMeta)},
		{Op: OpDeleteMetadataItem, Method: "DELETE", Path: lbm + "/{meta_id}", Handler: c.metaHandler(false, c.deleteMeta)},
		{Op: OpListNodeMetadata, Method: "GET", Path: nm, Handler: c.metaHandler(true, c.listMeta)},
		{Op: OpAddNodeMetadata, Method: "POST", Path: nm, Handler: c.metaHandler(true, c.addMeta)},
		{Op: OpBatchDeleteNodeMeta, Method: "DELETE", Path: nm, Handler: c.metaHandler(true, c.batchDeleteMeta)},
		{Op: OpGetNodeMetadataItem, Method: "GET", Path: nm + "/{meta_id}", Handler: c.metaHandler(true, c.getMeta)},
		{Op: OpUpdateNodeMetadataItem, Method: "PUT", Path: nm + "/{meta_id}", Handler: c.metaHandler(true, c.updateMeta)},
		{Op: OpDeleteNodeMetadataItem, Method: "DELETE", Path: nm + "/{meta_id}", Handler: c.metaHandler(true, c.deleteMeta)},
	}
}

// metaBody is a metadata item in a request.
type metaBody struct {
	Key   *flexString     `json:"key"`
	Value *flexString     `json:"value"`
	ID    json.RawMessage `json:"id"`
}

// validateMetas is the validation of metadata being added to owner ("load
// balancer" or "node").
func validateMetas(ms []metaBody, owner string) []string {
	var msgs []string
	seen := map[string]bool{}
	dup := false
	for _, m := range ms {
		if present(m.ID) {
			msgs = append(msgs, fmt.Sprintf("Must not specify an id for %s meta data", owner))
		}
		if m.Key == nil || *m.Key == "" {
			msgs = append(msgs, fmt.Sprintf("Must provide a key for the %s metadata item.", owner))
		} else {
			if utf8.RuneCountInString(string(*m.Key)) > 256 {
				msgs = append(msgs, fmt.Sprintf("%s meta key must not exceed 256 characters.", capitalize(owner)))
			}
			if seen[string(*m.Key)] {
				dup = true
			}
			seen[string(*m.Key)] = true
		}
		if m.Value == nil || *m.Value == "" {
			msgs = append(msgs, fmt.Sprintf("Must provide a value for the %s metadata item.", owner))
		} else if utf8.RuneCountInString(string(*m.Value)) > 256 {
			msgs = append(msgs, fmt.Sprintf("%s meta value must not exceed 256 characters.", capitalize(owner)))
		}
	}
	if dup {
		msgs = append(msgs, "Duplicate keys detected. Please ensure that the key is unique for each metadata item.")
	}
	if len(ms) > 25 {
		msgs = append(msgs, fmt.Sprintf("Must not provide more than twenty five metadata items per %s.", owner))
	}
	return msgs
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// metaTarget is the metadata a request is about: a load balancer's or one
// of its nodes'.
type metaTarget struct {
	lb    *loadBalancer
	items *[]Meta
	owner string // "load balancer" or "node"
	limit int
}

type metaFunc func(call *kit.Call, t metaTarget) (kit.Reply, error)

// metaHandler resolves the load balancer (and node) under the lock, then
// runs fn. Reads of a DELETED load balancer answer 410, changes 400.
func (c *CLB) metaHandler(forNode bool, fn metaFunc) kit.Handler {
	return func(call *kit.Call) (kit.Reply, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		lb, err := c.lbFromPath(call)
		if err != nil {
			return kit.Reply{}, err
		}
		if lb.Status == StatusDeleted {
			if call.Request.Method == http.MethodGet {
				return kit.Reply{}, lbGone()
			}
			return kit.Reply{}, kit.BadRequest("Loadbalancer %d is deleted, therefore it is immutable.", lb.ID)
		}
		t := metaTarget{lb: lb, items: &lb.Metadata, owner: "load balancer", limit: c.cfg.limits.LoadBalancerMeta}
		if forNode {
			n := c.nodeFromPath(call, lb)
			if n == nil {
				id, _ := strconv.Atoi(call.Var("node_id"))
				return kit.Reply{}, kit.Errorf(http.StatusNotFound, "Node with id %d doesn't exist", id)
			}
			t = metaTarget{lb: lb, items: &n.Metadata, owner: "node", limit: c.cfg.limits.NodeMetadata}
		}
		return fn(call, t)
	}
}

func (c *CLB) listMeta(_ *kit.Call, t metaTarget) (kit.Reply, error) {
	return kit.OK(metadataJSON{renderMeta(*t.items)}), nil
}

// addMetaBody accepts {"metadata": [{"key", "value"}, ...]} and the single
// {"meta": {"key", "value"}} form.
type addMetaBody struct {
	Metadata []metaBody `json:"metadata"`
	Meta     *metaBody  `json:"meta"`
}

func (c *CLB) addMeta(call *kit.Call, t metaTarget) (kit.Reply, error) {
	var in addMetaBody
	if err := decodeBody(call.Body, &in); err != nil {
		return kit.Reply{}, err
	}
	items := in.Metadata
	if in.Meta != nil {
		items = append(items, *in.Meta)
	}
	if len(items) == 0 {
		return kit.Reply{}, validationFailure("Must provide at least one metadata item")
	}
	if msgs := validateMetas(items, t.owner); len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	if t.limit > 0 && len(*t.items)+len(items) > t.limit {
		return kit.Reply{}, kit.BadRequest("Metadata must not exceed %d per %s.", t.limit, t.owner)
	}
	for _, m := range items {
		for _, old := range *t.items {
			if old.Key == string(*m.Key) {
				return kit.Reply{}, kit.Errorf(http.StatusUnprocessableEntity,
					"Duplicate metadata keys detected. One or more metadata keys already configured on %s.", t.owner)
			}
		}
	}
	added := c.metasLocked(metasOf(items))
	*t.items = append(*t.items, added...)
	return kit.OK(metadataJSON{renderMeta(added)}), nil
}

type metadataJSON struct {
	Metadata []metaJSON `json:"metadata"`
}

type oneMetaJSON struct {
	Meta metaJSON `json:"meta"`
}

// metasOf is the metadata validated request items describe, without IDs.
func metasOf(in []metaBody) []Meta {
	var out []Meta
	for _, m := range in {
		out = append(out, Meta{Key: string(*m.Key), Value: string(*m.Value)})
	}
	return out
}

func metaIndex(items []Meta, call *kit.Call) int {
	id, err := strconv.Atoi(call.Var("meta_id"))
	if err != nil {
		return -1
	}
	for i, m := range items {
		if m.ID == id {
			return i
		}
	}
	return -1
}

func metaNotFound(call *kit.Call, t metaTarget) error {
	if t.owner == "node" {
		return kit.Errorf(http.StatusNotFound, "Node meta data %s doesn't exist on node %s.", call.Var("meta_id"), call.Var("node_id"))
	}
	return kit.Errorf(http.StatusNotFound, "Meta data item not found")
}

func (c *CLB) getMeta(call *kit.Call, t metaTarget) (kit.Reply, error) {
	i := metaIndex(*t.items, call)
	if i < 0 {
		return kit.Reply{}, metaNotFound(call, t)
	}
	m := (*t.items)[i]
	return kit.OK(oneMetaJSON{metaJSON(m)}), nil
}

type updateMetaBody struct {
	Key   *flexString     `json:"key"`
	Value *flexString     `json:"value"`
	ID    json.RawMessage `json:"id"`
}

// updateMeta changes a value; the key and ID are immutable. Node metadata
// answers with the item, load balancer metadata with no body.
func (c *CLB) updateMeta(call *kit.Call, t metaTarget) (kit.Reply, error) {
	var in updateMetaBody
	if err := decodeWrapped(call.Body, "meta", false, &in); err != nil {
		return kit.Reply{}, err
	}
	var msgs []string
	if present(in.ID) {
		msgs = append(msgs, fmt.Sprintf("Must not specify an id for %s meta data", t.owner))
	}
	if in.Key != nil {
		msgs = append(msgs, fmt.Sprintf("%s meta key field cannot be modified.", capitalize(t.owner)))
	}
	switch {
	case in.Value == nil:
		msgs = append(msgs, fmt.Sprintf("Must provide a value to update for the %s metadata item.", t.owner))
	case *in.Value == "":
		msgs = append(msgs, fmt.Sprintf("Must provide a value for the %s metadata item.", t.owner))
	case utf8.RuneCountInString(string(*in.Value)) > 256:
		msgs = append(msgs, fmt.Sprintf("%s meta value must not exceed 256 characters.", capitalize(t.owner)))
	}
	if len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	i := metaIndex(*t.items, call)
	if i < 0 {
		return kit.Reply{}, metaNotFound(call, t)
	}
	(*t.items)[i].Value = string(*in.Value)
	if t.owner == "node" {
		m := (*t.items)[i]
		return kit.OK(oneMetaJSON{metaJSON(m)}), nil
	}
	return kit.Status(http.StatusOK), nil
}

func (c *CLB) deleteMeta(call *kit.Call, t metaTarget) (kit.Reply, error) {
	i := metaIndex(*t.items, call)
	if i < 0 {
		return kit.Reply{}, metaNotFound(call, t)
	}
	*t.items = append((*t.items)[:i:i], (*t.items)[i+1:]...)
	return kit.Status(http.StatusOK), nil
}

func (c *CLB) batchDeleteMeta(call *kit.Call, t metaTarget) (kit.Reply, error) {
	ids, bad := queryIDs(call)
	if len(ids) == 0 && len(bad) == 0 {
		return kit.Reply{}, kit.BadRequest(msgNoIDs)
	}
	if limit := c.cfg.limits.BatchDelete; limit > 0 && len(ids)+len(bad) > limit {
		return kit.Reply{}, kit.BadRequest("Request to delete %d metadata items exceeds the account limit BATCH_DELETE_LIMIT of %d please attempt to delete fewer then %d metadata items",
			len(ids)+len(bad), limit, limit)
	}
	missing := append([]string(nil), bad...)
	for _, id := range ids {
		found := false
		for _, m := range *t.items {
			if m.ID == id {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, strconv.Itoa(id))
		}
	}
	if len(missing) > 0 {
		return kit.Reply{}, kit.BadRequest("Must provide valid metadata items, %s could not be found.", strings.Join(missing, ","))
	}
	kept := make([]Meta, 0, len(*t.items))
	for _, m := range *t.items {
		if !containsInt(ids, m.ID) {
			kept = append(kept, m)
		}
	}
	*t.items = kept
	return kit.Status(http.StatusOK), nil
}
