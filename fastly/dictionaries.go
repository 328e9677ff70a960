package fastly

import (
	"net/http"
	"sort"
	"strings"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
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

func (f *Fastly) dictionaryItemRoutes(r *mux.Router) {
	base := "/service/{service_id}/dictionary/{dictionary_id}"
	r.HandleFunc(base+"/items", f.listDictionaryItems).Methods("GET").Name(OpListDictionaryItems)
	r.HandleFunc(base+"/items", f.batchDictionaryItems).Methods("PATCH").Name(OpBatchDictionaryItems)
	r.HandleFunc(base+"/item", f.createDictionaryItem).Methods("POST").Name(OpCreateDictionaryItem)
	r.HandleFunc(base+"/item/{key}", f.getDictionaryItem).Methods("GET").Name(OpGetDictionaryItem)
	r.HandleFunc(base+"/item/{key}", f.updateDictionaryItem).Methods("PATCH").Name(OpUpdateDictionaryItem)
	r.HandleFunc(base+"/item/{key}", f.upsertDictionaryItem).Methods("PUT").Name(OpUpsertDictionaryItem)
	r.HandleFunc(base+"/item/{key}", f.deleteDictionaryItem).Methods("DELETE").Name(OpDeleteDictionaryItem)
}

func dictionaryNotFound(s *service, id string) *apiError {
	return &apiError{status: http.StatusNotFound, msg: "Record not found",
		detail: sprintf("Couldn't find Dictionary '{ id => %s, service_id => %s }'", id, s.ID)}
}

func itemNotFound(s *service, dict, key string) *apiError {
	return &apiError{status: http.StatusNotFound, msg: "Record not found",
		detail: sprintf("Couldn't find DictionaryItem '{ dictionary_id => %s, item_key => %s, service_id => %s }'", dict, key, s.ID)}
}

// dictionaryLocked finds a dictionary's items and whether it is write-only.
func (f *Fastly) dictionaryLocked(r *http.Request) (*service, string, *itemStore, bool, *apiError) {
	s, err := f.serviceLocked(pathVar(r, "service_id"))
	if err != nil {
		return nil, "", nil, false, err
	}
	id := pathVar(r, "dictionary_id")
	st, ok := s.dictItems[id]
	if !ok {
		return nil, "", nil, false, dictionaryNotFound(s, id)
	}
	writeOnly := false
	for _, v := range s.versions {
		for _, d := range v.dictionaries {
			if d.v.ID == id {
				writeOnly = d.v.WriteOnly
			}
		}
	}
	return s, id, st, writeOnly, nil
}

func renderItem(s *service, dict string, it *DictionaryItem, writeOnly bool) map[string]any {
	m := map[string]any{"dictionary_id": dict, "service_id": s.ID, "item_key": it.Key, "item_value": it.Value,
		"created_at": ts(it.Created), "updated_at": ts(it.Updated), "deleted_at": nil}
	if writeOnly {
		m["item_value"] = nil
	}
	return m
}

// dictionaryItemIn is the body of the single-item calls.
type dictionaryItemIn struct {
	Key   string `json:"item_key" fastly:"len=256"`
	Value string `json:"item_value" fastly:"len=8000"`
}

func checkItemKey(key string) *apiError {
	switch {
	case key == "":
		return badRequest("Required parameter 'item_key' is missing or empty")
	case len(key) > maxDictionaryKeyLength:
		return badRequest("Invalid value for 'item_key': longer than %d characters", maxDictionaryKeyLength)
	}
	return nil
}

func (f *Fastly) listDictionaryItems(w http.ResponseWriter, r *http.Request) {
	pg, perr := readPage(r.URL.Query(), dictionaryItemsDefaultPage, "item_key", "created")
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	var out []map[string]any
	var total int
	var err *apiError
	f.locked(func() { out, total, err = f.listItemsLocked(r, pg) })
	if err != nil {
		writeAPIError(w, err)
		return
	}
	pg.setLinks(w, r, total)
	fake.WriteJSON(w, http.StatusOK, out)
}

// listItemsLocked is one page of a dictionary's items and how many it has.
func (f *Fastly) listItemsLocked(r *http.Request, pg page) ([]map[string]any, int, *apiError) {
	s, dict, st, writeOnly, err := f.dictionaryLocked(r)
	if err != nil {
		return nil, 0, err
	}
	items := make([]*DictionaryItem, 0, len(st.items))
	for _, it := range st.items {
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
	out := make([]map[string]any, 0, end-start)
	for _, it := range items[start:end] {
		out = append(out, renderItem(s, dict, it, writeOnly))
	}
	return out, len(items), nil
}

func (f *Fastly) getDictionaryItem(w http.ResponseWriter, r *http.Request) {
	key := pathVar(r, "key")
	f.do(w, func() (any, *apiError) {
		s, dict, st, writeOnly, err := f.dictionaryLocked(r)
		if err != nil {
			return nil, err
		}
		it, ok := st.items[key]
		if !ok {
			return nil, itemNotFound(s, dict, key)
		}
		return renderItem(s, dict, it, writeOnly), nil
	})
}

func (f *Fastly) createDictionaryItem(w http.ResponseWriter, r *http.Request) {
	f.writeItem(w, r, "", "create")
}

func (f *Fastly) updateDictionaryItem(w http.ResponseWriter, r *http.Request) {
	f.writeItem(w, r, pathVar(r, "key"), "update")
}

func (f *Fastly) upsertDictionaryItem(w http.ResponseWriter, r *http.Request) {
	f.writeItem(w, r, pathVar(r, "key"), "upsert")
}

// writeItem is POST item (key in the body), PATCH item/{key} (must exist)
// and PUT item/{key} (created if missing). Items are not versioned: they
// change whether or not a version is active.
func (f *Fastly) writeItem(w http.ResponseWriter, r *http.Request, key, op string) {
	p, perr := readParams(r)
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	in := dictionaryItemIn{Key: key}
	if err := applyParams(p, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	if key != "" {
		in.Key = key // the path names the item; a body item_key is ignored
	}
	if err := checkItemKey(in.Key); err != nil {
		writeAPIError(w, err)
		return
	}
	if op != "update" && !p.has("item_value") {
		writeAPIError(w, badRequest("Required parameter 'item_value' is missing"))
		return
	}
	f.do(w, func() (any, *apiError) {
		s, dict, st, writeOnly, err := f.dictionaryLocked(r)
		if err != nil {
			return nil, err
		}
		if err := f.applyItemLocked(s, dict, st, op, in.Key, in.Value, p.has("item_value")); err != nil {
			return nil, err
		}
		return renderItem(s, dict, st.items[in.Key], writeOnly), nil
	})
}

// applyItemLocked performs one item operation.
func (f *Fastly) applyItemLocked(s *service, dict string, st *itemStore, op, key, value string, hasValue bool) *apiError {
	it, exists := st.items[key]
	now := f.now()
	switch op {
	case "create":
		if exists {
			return duplicate("dictionary item", key)
		}
	case "update":
		if !exists {
			return itemNotFound(s, dict, key)
		}
	case "upsert":
	case "delete":
		if !exists {
			return itemNotFound(s, dict, key)
		}
		delete(st.items, key)
		return nil
	default:
		return badRequest("Invalid op '%s': must be create, update, upsert or delete", op)
	}
	if !exists {
		if len(st.items) >= maxDictionaryItems {
			return badRequest("Dictionary '%s' already holds the maximum of %d items", dict, maxDictionaryItems)
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

// batchIn is the body of PATCH .../items.
type batchIn struct {
	Items []struct {
		Op    string  `json:"op"`
		Key   string  `json:"item_key"`
		Value *string `json:"item_value"`
	} `json:"items"`
}

// batchDictionaryItems applies a JSON batch all or nothing: every
// operation is checked against the items as the batch leaves them before
// any is applied.
func (f *Fastly) batchDictionaryItems(w http.ResponseWriter, r *http.Request) {
	var in batchIn
	if err := fake.DecodeJSON(r, &in, fake.DecodeOptions{}); err != nil {
		writeAPIError(w, badRequest("%s", err.Message))
		return
	}
	if len(in.Items) == 0 {
		writeAPIError(w, badRequest("Required parameter 'items' is missing or empty"))
		return
	}
	if len(in.Items) > maxDictionaryBatchOps {
		writeAPIError(w, badRequest("A batch holds at most %d operations", maxDictionaryBatchOps))
		return
	}
	for i, op := range in.Items {
		if err := checkItemKey(op.Key); err != nil {
			err.detail = sprintf("items[%d]: %s", i, err.detail)
			writeAPIError(w, err)
			return
		}
		if op.Value != nil && len(*op.Value) > maxDictionaryValueLength {
			writeAPIError(w, badRequest("items[%d]: Invalid value for 'item_value': longer than %d characters", i, maxDictionaryValueLength))
			return
		}
		if op.Value == nil && (op.Op == "create" || op.Op == "upsert") {
			writeAPIError(w, badRequest("items[%d]: Required parameter 'item_value' is missing", i))
			return
		}
	}
	f.do(w, func() (any, *apiError) {
		s, dict, st, _, err := f.dictionaryLocked(r)
		if err != nil {
			return nil, err
		}
		// Dry run on a copy, then apply to the store.
		trial := &itemStore{items: make(map[string]*DictionaryItem, len(st.items))}
		for k, it := range st.items {
			c := *it
			trial.items[k] = &c
		}
		for i, op := range in.Items {
			value := ""
			if op.Value != nil {
				value = *op.Value
			}
			if err := f.applyItemLocked(s, dict, trial, op.Op, op.Key, value, op.Value != nil); err != nil {
				err.status = http.StatusBadRequest
				err.msg = msgFor(http.StatusBadRequest)
				err.detail = sprintf("items[%d]: %s", i, err.detail)
				return nil, err
			}
		}
		st.items = trial.items
		return statusOK, nil
	})
}

func (f *Fastly) deleteDictionaryItem(w http.ResponseWriter, r *http.Request) {
	key := pathVar(r, "key")
	f.do(w, func() (any, *apiError) {
		s, dict, st, _, err := f.dictionaryLocked(r)
		if err != nil {
			return nil, err
		}
		if err := f.applyItemLocked(s, dict, st, "delete", key, "", false); err != nil {
			return nil, err
		}
		return statusOK, nil
	})
}
