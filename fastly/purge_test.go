package fastly_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/fastly"
)

func TestPurges(t *testing.T) {
	a := newAPI(t)
	id := a.newService("purge")
	if m := a.must(a.do("POST", "/service/"+id+"/purge_all", "", ""), 200).obj(t); m["status"] != "ok" {
		t.Errorf("purge_all = %v", m)
	}
	one := a.must(a.do("POST", "/service/"+id+"/purge/foo", "", "", "Fastly-Soft-Purge", "1"), 200).obj(t)
	if one["status"] != "ok" || !strings.HasPrefix(one["id"].(string), "4151-1767225600-") {
		t.Errorf("purge key = %v", one)
	}
	a.srv.Clock().Advance(time.Second)
	batch := a.must(a.json("POST", "/service/"+id+"/purge", `{"surrogate_keys":["foo","bar","baz"]}`), 200).obj(t)
	if len(batch) != 3 || batch["bar"] == nil {
		t.Errorf("batch = %v", batch)
	}
	hdr := a.must(a.do("POST", "/service/"+id+"/purge", "", "", "Surrogate-Key", "k1 k2"), 200).obj(t)
	if len(hdr) != 2 {
		t.Errorf("header batch = %v", hdr)
	}
	u := a.must(a.do("POST", "/purge/www.example.com/img/logo.png?v=2", "", ""), 200).obj(t)
	if u["status"] != "ok" || u["id"] == "" {
		t.Errorf("purge url = %v", u)
	}
	a.must(a.do("POST", "/purge/https://www.example.com//a", "", ""), 200)

	want := []fastly.Purge{
		{Kind: fastly.PurgeAll, ServiceID: id},
		{Kind: fastly.PurgeKey, ServiceID: id, Key: "foo", Soft: true, ID: one["id"].(string)},
		{Kind: fastly.PurgeKey, ServiceID: id, Key: "foo"},
		{Kind: fastly.PurgeKey, ServiceID: id, Key: "bar"},
		{Kind: fastly.PurgeKey, ServiceID: id, Key: "baz"},
		{Kind: fastly.PurgeKey, ServiceID: id, Key: "k1"},
		{Kind: fastly.PurgeKey, ServiceID: id, Key: "k2"},
		{Kind: fastly.PurgeURL, URL: "www.example.com/img/logo.png?v=2"},
		{Kind: fastly.PurgeURL, URL: "https://www.example.com//a"},
	}
	got := a.srv.Purges()
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(fastly.Purge{}, "Time"), cmp.Comparer(func(x, y fastly.Purge) bool {
		return x.Kind == y.Kind && x.ServiceID == y.ServiceID && x.Key == y.Key && x.URL == y.URL && x.Soft == y.Soft && (x.ID == "" || y.ID == "" || x.ID == y.ID)
	})); diff != "" {
		t.Errorf("purge history (-want +got):\n%s", diff)
	}
	if got[2].ID != batch["foo"] || !got[2].Time.Equal(a.srv.Clock().Now()) {
		t.Errorf("batch purge record = %+v, answered %v", got[2], batch["foo"])
	}
	a.srv.ResetPurges()
	if len(a.srv.Purges()) != 0 {
		t.Errorf("ResetPurges")
	}
}

func TestPurgeErrors(t *testing.T) {
	a := newAPI(t)
	id := a.newService("purge")
	many := make([]string, 257)
	for i := range many {
		many[i] = `"k` + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + `"`
	}
	for _, tc := range []struct {
		name, body string
		headers    []string
		detail     string
	}{
		{"no keys", ``, nil, "No surrogate keys"},
		{"empty list", `{"surrogate_keys":[]}`, nil, "No surrogate keys"},
		{"too many", `{"surrogate_keys":[` + strings.Join(many, ",") + `]}`, nil, "at most 256"},
		{"blank key", `{"surrogate_keys":[" "]}`, nil, "Invalid surrogate key"},
		{"bad json", `{"surrogate_keys":`, nil, "truncated"},
		{"wrong type", `{"surrogate_keys":"a"}`, nil, "surrogate_keys"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, a.do("POST", "/service/"+id+"/purge", jsonType, tc.body, tc.headers...), 400, "Bad request", tc.detail)
		})
	}
	checkError(t, a.do("POST", "/purge/", "", ""), 400, "Bad request", "No URL")
	checkError(t, a.do("POST", "/service/nope/purge/k", "", ""), 404, "Record not found", "")
	if n := len(a.srv.Purges()); n != 0 {
		t.Errorf("%d purges recorded by refused requests", n)
	}
}
