package fastly_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dictionary creates a service with a dictionary and returns both IDs.
func (a *api) dictionary(writeOnly bool) (string, string) {
	a.t.Helper()
	id := a.newService("dict")
	wo := "0"
	if writeOnly {
		wo = "1"
	}
	d := a.must(a.form("POST", "/service/"+id+"/version/1/dictionary", "name", "test_dictionary", "write_only", wo), 200).obj(a.t)
	return id, d["id"].(string)
}

func TestDictionaryItems(t *testing.T) {
	a := newAPI(t)
	id, dict := a.dictionary(false)
	base := "/service/" + id + "/dictionary/" + dict

	m := a.must(a.form("POST", base+"/item", "item_key", "test-dictionary-item", "item_value", "value"), 200).obj(t)
	want := map[string]any{"dictionary_id": dict, "service_id": id, "item_key": "test-dictionary-item", "item_value": "value",
		"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "deleted_at": nil}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("create (-want +got):\n%s", diff)
	}
	checkError(t, a.form("POST", base+"/item", "item_key", "test-dictionary-item", "item_value", "v"), 409, "Duplicate record", "")
	checkError(t, a.form("POST", base+"/item", "item_value", "v"), 400, "Bad request", "'item_key'")
	checkError(t, a.form("POST", base+"/item", "item_key", "k"), 400, "Bad request", "'item_value'")
	checkError(t, a.form("POST", base+"/item", "item_key", strings.Repeat("k", 257), "item_value", "v"), 400, "Bad request", "longer than")

	if m := a.must(a.get(base+"/item/test-dictionary-item"), 200).obj(t); m["item_value"] != "value" {
		t.Errorf("get = %v", m)
	}
	if m := a.must(a.form("PATCH", base+"/item/test-dictionary-item", "item_value", "new-value"), 200).obj(t); m["item_value"] != "new-value" {
		t.Errorf("update = %v", m)
	}
	checkError(t, a.form("PATCH", base+"/item/absent", "item_value", "x"), 404, "Record not found",
		"Couldn't find DictionaryItem '{ dictionary_id => "+dict+", item_key => absent, service_id => "+id+" }'")
	if m := a.must(a.json("PUT", base+"/item/upserted", `{"item_value":"u"}`), 200).obj(t); m["item_key"] != "upserted" {
		t.Errorf("upsert = %v", m)
	}
	if m := a.must(a.do("DELETE", base+"/item/upserted", "", ""), 200).obj(t); m["status"] != "ok" {
		t.Errorf("delete = %v", m)
	}
	checkError(t, a.do("DELETE", base+"/item/upserted", "", ""), 404, "Record not found", "")
	checkError(t, a.get("/service/"+id+"/dictionary/nope/items"), 404, "Record not found", "Couldn't find Dictionary")

	// Items change while the version is active: they are not versioned.
	a.must(a.form("POST", "/service/"+id+"/version/1/domain", "name", "d.example.com"), 200)
	a.must(a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 200)
	for i := 0; i < 5; i++ {
		a.must(a.form("PUT", fmt.Sprintf("%s/item/k%d", base, i), "item_value", fmt.Sprint(i)), 200)
	}
	r := a.must(a.get(base+"/items?page=2&per_page=2&sort=item_key&direction=ascend"), 200)
	var keys []string
	for _, it := range r.list(t) {
		keys = append(keys, it["item_key"].(string))
	}
	if !cmp.Equal(keys, []string{"k2", "k3"}) {
		t.Errorf("page 2 = %v", keys)
	}
	if !strings.Contains(r.Header.Get("Link"), `rel="next"`) {
		t.Errorf("Link = %q", r.Header.Get("Link"))
	}
	r = a.must(a.get(base+"/items?direction=descend"), 200)
	if l := r.list(t); len(l) != 6 || l[0]["item_key"] != "test-dictionary-item" {
		t.Errorf("descending list = %v", l)
	}
	checkError(t, a.get(base+"/items?sort=value"), 400, "Bad request", "'sort'")

	info := a.must(a.get("/service/"+id+"/version/1/dictionary/"+dict+"/info"), 200).obj(t)
	if info["item_count"] != 6.0 || info["last_updated"] != "2026-01-01 00:00:00" || len(info["digest"].(string)) != 64 {
		t.Errorf("info = %v", info)
	}
	checkError(t, a.get("/service/"+id+"/version/1/dictionary/nope/info"), 404, "Record not found", "")
}

func TestDictionaryBatch(t *testing.T) {
	a := newAPI(t)
	id, dict := a.dictionary(false)
	base := "/service/" + id + "/dictionary/" + dict
	ok := a.must(a.json("PATCH", base+"/items",
		`{"items":[{"item_key":"key1","item_value":"val1","op":"create"},{"item_key":"key2","item_value":"val2","op":"create"}]}`), 200).obj(t)
	if ok["status"] != "ok" {
		t.Errorf("batch = %v", ok)
	}
	a.must(a.json("PATCH", base+"/items", `{"items":[{"item_key":"key1","item_value":"val1Updated","op":"upsert"},{"item_key":"key2","op":"delete"},{"item_key":"key3","item_value":"v3","op":"upsert"}]}`), 200)
	items, _ := a.srv.DictionaryItems(id, dict)
	var got []string
	for _, it := range items {
		got = append(got, it.Key+"="+it.Value)
	}
	if !cmp.Equal(got, []string{"key1=val1Updated", "key3=v3"}) {
		t.Errorf("items = %v", got)
	}
	// All or nothing: the failing third operation undoes the first two.
	checkError(t, a.json("PATCH", base+"/items", `{"items":[{"item_key":"a","item_value":"1","op":"create"},{"item_key":"key1","op":"delete"},{"item_key":"zz","op":"update","item_value":"x"}]}`),
		400, "Bad request", "items[2]")
	if items, _ := a.srv.DictionaryItems(id, dict); len(items) != 2 {
		t.Errorf("a failed batch changed the items: %+v", items)
	}
	for _, body := range []string{`{}`, `{"items":[]}`, `{"items":[{"op":"create","item_value":"v"}]}`, `{"items":[{"op":"explode","item_key":"k","item_value":"v"}]}`,
		`{"items":[{"op":"create","item_key":"k"}]}`, `{"items":"no"}`, `not json`} {
		checkError(t, a.json("PATCH", base+"/items", body), 400, "Bad request", "")
	}
}

func TestWriteOnlyDictionary(t *testing.T) {
	a := newAPI(t)
	id, dict := a.dictionary(true)
	base := "/service/" + id + "/dictionary/" + dict
	a.must(a.form("POST", base+"/item", "item_key", "secret", "item_value", "s3cr3t"), 200)
	if m := a.must(a.get(base+"/item/secret"), 200).obj(t); m["item_value"] != nil {
		t.Errorf("a write-only item's value was returned: %v", m)
	}
	checkError(t, a.form("PUT", "/service/"+id+"/version/1/dictionary/test_dictionary", "write_only", "0"), 400, "Bad request", "write-only")
}
