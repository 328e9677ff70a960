package fastly_test

import (
	"net/http"
	"testing"
	"time"
)

// A page number so large that page*per_page overflows is a page past the
// end, not a panic; and the service still answers afterwards (a panic
// under the lock used to leave it locked, hanging every later request).
func TestHugePageNumber(t *testing.T) {
	a := newAPI(t)
	a.newService("one")
	id, dict := a.dictionary(false)
	a.must(a.form("POST", "/service/"+id+"/dictionary/"+dict+"/item", "item_key", "k", "item_value", "v"), 200)
	hc := a.srv.Client()
	hc.Timeout = 10 * time.Second
	for _, path := range []string{
		"/service?page=9223372036854775807&per_page=20",
		"/service?page=461168601842738791&per_page=20",
		"/service/" + id + "/dictionary/" + dict + "/items?page=9223372036854775807&per_page=1000",
	} {
		req, _ := http.NewRequest("GET", a.srv.URL()+path, nil)
		req.Header.Set("Fastly-Key", a.key)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d, want 200 with an empty page", path, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", a.srv.URL()+"/service", nil)
	req.Header.Set("Fastly-Key", a.key)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("GET /service after the huge pages: %v", err)
	}
	resp.Body.Close()
}

// Domain names are stored lowercased, so a name differing only in case
// (or surrounding space) is the same domain: 409, not a second copy.
func TestDomainDuplicateIgnoresCase(t *testing.T) {
	a := newAPI(t)
	id := a.newService("dup")
	base := "/service/" + id + "/version/1/domain"
	a.must(a.form("POST", base, "name", "www.example.com"), 200)
	checkError(t, a.form("POST", base, "name", "WWW.Example.COM"), 409, "Duplicate record", "www.example.com")
	checkError(t, a.form("POST", base, "name", " www.example.com "), 409, "Duplicate record", "www.example.com")
	a.must(a.form("POST", base, "name", "api.example.com"), 200)
	checkError(t, a.form("PUT", base+"/api.example.com", "name", "WWW.example.com"), 409, "Duplicate record", "www.example.com")
	if n := len(a.must(a.get(base), 200).list(t)); n != 2 {
		t.Errorf("version holds %d domains, want 2", n)
	}
}
