package fastly

import (
	"sort"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the dictionary item API.
const (
	OpListDictionaryItems  = "fastly.dictionary_item.list"
	OpBatchDictionaryItems = "fastly.dictionary_item.batch"
	OpCreateDictionaryItem = "fastly.dictionary_item.create"
	OpGetDictionaryItem    = "fastly.dictionary_item.get"
	OpUpdateDictionaryItem = "fastly.dictionary_item.update"
	OpUpsertDictionaryItem = "fastly.dictionary_item.upsert"
	OpDeleteDictionaryItem = "fastly.dictionary_item.delete"
)

// Fastly's limits on edge dictionaries.
const (
	maxDictionaryItems         = 1000
	maxDictionaryKeyLength     = 256
	maxDictionaryValueLength   = 8000
	maxDictionaryBatchOps      = 1000
	dictionaryItemsDefaultPage = 100
)

func (f *Fastly) dictionaryItemRoutes() []kit.Route {
	base := "/service/{service_id}/dictionary/{dictionary_id}"
	return []kit.Route{
		{Op: OpListDictionaryItems, Method: "GET", Path: base + "/items", Handler: f.listDictionaryItems},
		{Op: OpBatchDictionaryItems, Method: "PATCH", Path: base + "/items", Handler: f.batchDictionaryItems},
		{Op: OpCreateDictionaryItem, Method: "POST", Path: base + "/item", Handler: f.createDictionaryItem},
		{Op: OpGetDictionaryItem, Method: "GET", Path: base + "/item/{key}", Handler: f.getDictionaryItem},
		{Op: OpUpdateDictionaryItem, Method: "PATCH", Path: base + "/item/{key}", Handler: f.updateDictionaryItem},
		{Op: OpUpsertDictionaryItem, Method: "PUT", Path: base + "/item/{key}", Handler: f.upsertDictionaryItem},
		{Op: OpDeleteDictionaryItem, Method: "DELETE", Path: base + "/item/{key}", Handler: f.deleteDictionaryItem},
	}
}

func dictionaryNotFound(s *service, id string) error {
	return kit.NotFound("Couldn't find Dictionary '{ id => %s, service_id => %s }'", id, s.ID)
}

func itemNotFound(s *service, dict, key string) error {
	return kit.NotFound("Couldn't find DictionaryItem '{ dictionary_id => %s, item_key => %s, service_id => %s }'", dict, key, s.ID)
}

// dictionary is the dictionary a path names: its service, ID, items and
// whether it is write-only.
type dictionary struct {
	s         *service
	id        string
	st        *itemStore
	writeOnly bool
}

// dictionaryLocked finds the dictionary the path names.
func (f *Fastly) dictionaryLocked(c *kit.Call) (dictionary, error) {
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return dictionary{}, err
	}
	id := pathVar(c, "dictionary_id")
	st, ok := s.dictItems[id]
	if !ok {
		return dictionary{}, dictionaryNotFound(s, id)
	}
	d := dictionary{s: s, id: id, st: st}
	for _, v := range s.versions {
		for _, dv := range v.dictionaries {
			if dv.v.ID == id {
				d.writeOnly = dv.v.WriteOnly
			}
		}
	}
	return d, nil
}

// itemWire is a dictionary item as the API renders it; a write-only
// dictionary's values are null.
type itemWire struct {
	DictionaryID string   `json:"dictionary_id"`
	ServiceID    string   `json:"service_id"`
	ItemKey      string   `json:"item_key"`
	ItemValue    *string  `json:"item_value"`
	CreatedAt    jsonTime `json:"created_at"`
	UpdatedAt    jsonTime `json:"updated_at"`
	DeletedAt    jsonTime `json:"deleted_at"`
}

func (d dictionary) render(it *DictionaryItem) itemWire {
	w := itemWire{DictionaryID: d.id, ServiceID: d.s.ID, ItemKey: it.Key, CreatedAt: jsonTime(it.Created), UpdatedAt: jsonTime(it.Updated)}
	if !d.writeOnly {
		v := it.Value
		w.ItemValue = &v
	}
	return w
}

// dictionaryItemIn is the body of the single-item calls.
type dictionaryItemIn struct {
	Key   string
	Value string
}

func (x *dictionaryItemIn) bind(b *fields) {
	b.text("item_key", &x.Key, maxLen(maxDictionaryKeyLength))
	b.text("item_value", &x.Value, maxLen(maxDictionaryValueLength))
}

func checkItemKey(key string) error {
	switch {
	case key == "":
		return kit.BadRequest("Required parameter 'item_key' is missing or empty")
	case len(key) > maxDictionaryKeyLength:
		return kit.BadRequest("Invalid value for 'item_key': longer than %d characters", maxDictionaryKeyLength)
	}
	return nil
}

func (f *Fastly) listDictionaryItems(c *kit.Call) (kit.Reply, error) {
	pg, err := readPage(c.Query(), dictionaryItemsDefaultPage, "item_key", "created")
	if err != nil {
		return kit.Reply{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.dictionaryLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	out, total := d.page(pg)
	pg.setLinks(c, total)
	return kit.OK(out), nil
}

// page is one page of the dictionary's items and how many it has.
func (d dictionary) page(pg page) ([]itemWire, int) {
	items := make([]*DictionaryItem, 0, len(d.st.items))
	for _, it := range d.st.items {
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		c := strings.Compare(a.Key, b.Key)
		if pg.sort == "created" {
			if x := a.Created.Compare(b.Created); x != 0 {
				c = x
			}
		}
		if pg.descend {
			return c > 0
		}
		return c < 0
	})
	start, end := pg.bounds(len(items))
	out := make([]itemWire, 0, end-start)
	for _, it := range items[start:end] {
		out = append(out, d.render(it))
	}
	return out, len(items)
}

func (f *Fastly) getDictionaryItem(c *kit.Call) (kit.Reply, error) {
	key := pathVar(c, "key")
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.dictionaryLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	it, ok := d.st.items[key]
	if !ok {
		return kit.Reply{}, itemNotFound(d.s, d.id, key)
	}
	return kit.OK(d.render(it)), nil
}

func (f *Fastly) createDictionaryItem(c *kit.Call) (kit.Reply, error) {
	return f.writeItem(c, "", "create")
}

func (f *Fastly) updateDictionaryItem(c *kit.Call) (kit.Reply, error) {
	return f.writeItem(c, pathVar(c, "key"), "update")
}

func (f *Fastly) upsertDictionaryItem(c *kit.Call) (kit.Reply, error) {
	return f.writeItem(c, pathVar(c, "key"), "upsert")
}

// writeItem is POST item (key in the body), PATCH item/{key} (must exist)
// and PUT item/{key} (created if missing). Items are not versioned: they
// change whether or not a version is active.
func (f *Fastly) writeItem(c *kit.Call, key, op string) (kit.Reply, error) {
	p, err := readParams(c)
	if err != nil {
		return kit.Reply{}, err
	}
	in := dictionaryItemIn{Key: key}
	if err := bind(p, &in, (*dictionaryItemIn).bind); err != nil {
		return kit.Reply{}, err
	}
	if key != "" {
		in.Key = key // the path names the item; a body item_key is ignored
	}
	if err := checkItemKey(in.Key); err != nil {
		return kit.Reply{}, err
	}
	if op != "update" && !p.has("item_value") {
		return kit.Reply{}, kit.BadRequest("Required parameter 'item_value' is missing")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.dictionaryLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := f.applyItemLocked(d, d.st, op, in.Key, in.Value, p.has("item_value")); err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(d.render(d.st.items[in.Key])), nil
}

// applyItemLocked performs one item operation on st, d's items or a trial
// copy of them.
func (f *Fastly) applyItemLocked(d dictionary, st *itemStore, op, key, value string, hasValue bool) error {
	it, exists := st.items[key]
	now := f.nowSec()
	switch op {
	case "create":
		if exists {
			return duplicate("dictionary item", key)
		}
	case "update":
		if !exists {
			return itemNotFound(d.s, d.id, key)
		}
	case "upsert":
	case "delete":
		if !exists {
			return itemNotFound(d.s, d.id, key)
		}
		delete(st.items, key)
		return nil
	default:
		return kit.BadRequest("Invalid op '%s': must be create, update, upsert or delete", op)
	}
	if !exists {
		if len(st.items) >= maxDictionaryItems {
			return kit.BadRequest("Dictionary '%s' already holds the maximum of %d items", d.id, maxDictionaryItems)
		}
		it = &DictionaryItem{Key: key, Created: now}
		st.items[key] = it
	}
	if hasValue || !exists {
		it.Value = value
	}
	it.Updated = now
	return nil
}

// batchOp is one operation of a batch.
type batchOp struct {
	Op    string  `json:"op"`
	Key   string  `json:"item_key"`
	Value *string `json:"item_value"`
}

// batchIn is the body of PATCH .../items.
type batchIn struct {
	Items []batchOp `json:"items"`
}

// parseBatch reads and checks a batch body, before any item is looked at.
func parseBatch(body []byte) ([]batchOp, error) {
	var in batchIn
	if err := kit.DecodeJSON(body, &in, kit.DecodeOptions{}); err != nil {
		return nil, err
	}
	if len(in.Items) == 0 {
		return nil, kit.BadRequest("Required parameter 'items' is missing or empty")
	}
	if len(in.Items) > maxDictionaryBatchOps {
		return nil, kit.BadRequest("A batch holds at most %d operations", maxDictionaryBatchOps)
	}
	for i, op := range in.Items {
		if err := checkItemKey(op.Key); err != nil {
			return nil, kit.BadRequest("items[%d]: %s", i, detailOf(err))
		}
		if op.Value != nil && len(*op.Value) > maxDictionaryValueLength {
			return nil, kit.BadRequest("items[%d]: Invalid value for 'item_value': longer than %d characters", i, maxDictionaryValueLength)
		}
		if op.Value == nil && (op.Op == "create" || op.Op == "upsert") {
			return nil, kit.BadRequest("items[%d]: Required parameter 'item_value' is missing", i)
		}
	}
	return in.Items, nil
}

// batchDictionaryItems applies a JSON batch all or nothing: every
// operation is checked against the items as the batch leaves them before
// any is applied.
func (f *Fastly) batchDictionaryItems(c *kit.Call) (kit.Reply, error) {
	ops, err := parseBatch(c.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.dictionaryLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	// Dry run on a copy, then apply to the store.
	trial := &itemStore{items: make(map[string]*DictionaryItem, len(d.st.items))}
	for k, it := range d.st.items {
		cp := *it
		trial.items[k] = &cp
	}
	for i, op := range ops {
		value := ""
		if op.Value != nil {
			value = *op.Value
		}
		if err := f.applyItemLocked(d, trial, op.Op, op.Key, value, op.Value != nil); err != nil {
			// A failed operation fails the batch with a 400, whatever the
			// operation alone would have answered.
			return kit.Reply{}, kit.BadRequest("items[%d]: %s", i, detailOf(err))
		}
	}
	d.st.items = trial.items
	return kit.OK(statusOK), nil
}

func (f *Fastly) deleteDictionaryItem(c *kit.Call) (kit.Reply, error) {
	key := pathVar(c, "key")
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.dictionaryLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := f.applyItemLocked(d, d.st, "delete", key, "", false); err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(statusOK), nil
}
