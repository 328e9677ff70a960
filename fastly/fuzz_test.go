package fastly_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/fastly"
)

// fuzzTarget is a Fastly with one editable service, driven through
// ServeHTTP without a network. Each fuzz worker builds one and reuses it,
// so state accumulates across inputs, as it would for a long-lived client.
func fuzzTarget(t testing.TB) (*fastly.Fastly, string, string) {
	f, err := fastly.NewUnstarted()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	s, err := f.AddService(fastly.Service{Name: "fuzz", Versions: []fastly.Version{{
		Domains:      []fastly.Domain{{Name: "fuzz.example.com"}},
		Dictionaries: []fastly.Dictionary{{Name: "d"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return f, s.ID, s.Versions[0].Dictionaries[0].ID
}

// serve sends one request and checks the invariants every answer keeps:
// never a 5xx, a JSON body, and Fastly's {"msg"} on errors.
func serve(t *testing.T, f *fastly.Fastly, method, path, contentType string, body []byte, allowed ...int) {
	req := httptest.NewRequest(method, path, strings.NewReader(string(body)))
	req.Header.Set("Fastly-Key", "fuzz")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, req)
	ok := false
	for _, s := range allowed {
		ok = ok || rec.Code == s
	}
	if !ok {
		t.Fatalf("%s %s %q: status %d (allowed %v): %s", method, path, body, rec.Code, allowed, rec.Body)
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s %s %q: body is not JSON: %s", method, path, body, rec.Body)
	}
	if rec.Code >= 400 {
		m, _ := v.(map[string]any)
		if msg, _ := m["msg"].(string); msg == "" {
			t.Fatalf("%s %s %q: error without msg: %s", method, path, body, rec.Body)
		}
	}
}

var contentTypes = []string{"application/x-www-form-urlencoded", "application/json", "", "text/plain", "application/vnd.api+json; ext=bulk"}

func FuzzCreateBackend(f *testing.F) {
	for _, seed := range []string{
		"name=test-backend&address=integ-test.go-fastly.com&connect_timeout=1500&ssl_check_cert=0",
		"name=b&address=a&port=70000", "name=b&ipv4=10.0.0.1&use_ssl=true", "name=b&address=a&weight=x",
		"name=b&address=a&name=c", "name[]=b&address=a", "%zz", "name=b&address=a&keepalive_time=&shield=",
		`{"name":"b","address":"a","port":8080,"use_ssl":true}`, `{"name":"b","address":"a","port":1e3}`,
		`{"name":"b","address":"a","port":"80.5"}`, `{"name":null,"address":["a"]}`, `{"name":"b","address":"a","weight":{"x":1}}`,
		`[]`, `{`, `null`, "",
	} {
		for i := range contentTypes[:3] {
			f.Add(seed, uint8(i))
		}
	}
	fk, id, _ := fuzzTarget(f)
	f.Fuzz(func(t *testing.T, body string, ct uint8) {
		serve(t, fk, "POST", "/service/"+id+"/version/1/backend", contentTypes[int(ct)%len(contentTypes)], []byte(body), 200, 400, 409, 415)
	})
}

func FuzzCreateService(f *testing.F) {
	for _, seed := range []string{"name=test-service&comment=comment", "name=a&type=wasm", "name=a&type=x", "comment=x",
		`{"name":"s","type":"vcl"}`, `{"name":1}`, `{"name":"s"} {}`, "name=" + strings.Repeat("n", 300)} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(1))
	}
	fk, _, _ := fuzzTarget(f)
	f.Fuzz(func(t *testing.T, body string, ct uint8) {
		serve(t, fk, "POST", "/service", contentTypes[int(ct)%len(contentTypes)], []byte(body), 200, 400, 415)
	})
}

func FuzzVersionedResources(f *testing.F) {
	for _, seed := range []string{
		"name=hc&check_interval=2500&headers=%5B%22Foo%3ABar%22%5D", "name=c&statement=true&type=REQUEST&priority=x",
		"name=h&action=set&type=request&dst=http.x&src=client.ip", "name=s&type=recv&content=x&dynamic=1",
		"name=d_1&write_only=true", "name=v&content=x&main=1", "name=l&address=a&port=1&format_version=3",
		`{"name":"ro","status":"418"}`, `{"name":"g","content_types":["a","b"]}`, `{"general.default_ttl":-1}`,
	} {
		f.Add(seed, uint8(0), uint8(0))
	}
	paths := []string{"healthcheck", "condition", "header", "snippet", "dictionary", "vcl", "logging/syslog", "response_object",
		"gzip", "cache_settings", "request_settings", "domain", "settings"}
	fk, id, _ := fuzzTarget(f)
	f.Fuzz(func(t *testing.T, body string, ct, which uint8) {
		p := paths[int(which)%len(paths)]
		method := "POST"
		if p == "settings" {
			method = "PUT"
		}
		serve(t, fk, method, "/service/"+id+"/version/1/"+p, contentTypes[int(ct)%len(contentTypes)], []byte(body), 200, 400, 409, 415)
	})
}

func FuzzDictionaryBatch(f *testing.F) {
	for _, seed := range []string{
		`{"items":[{"item_key":"key1","item_value":"val1","op":"create"},{"item_key":"key2","item_value":"val2","op":"create"}]}`,
		`{"items":[{"item_key":"key2","op":"delete"}]}`, `{"items":[{"item_key":"k","item_value":"v","op":"upsert"},{"item_key":"k","op":"delete"}]}`,
		`{"items":[{"op":"update","item_key":"nope","item_value":"x"}]}`, `{"items":null}`, `{"items":[null]}`, `[]`, ``,
	} {
		f.Add(seed)
	}
	fk, id, dict := fuzzTarget(f)
	f.Fuzz(func(t *testing.T, body string) {
		serve(t, fk, "PATCH", "/service/"+id+"/dictionary/"+dict+"/items", "application/json", []byte(body), 200, 400)
	})
}

func FuzzPurgeKeys(f *testing.F) {
	for _, seed := range []string{`{"surrogate_keys":["a","b"]}`, `{"surrogate_keys":[]}`, `{"surrogate_keys":[""]}`, `{}`, ``, `{"surrogate_keys":[1]}`} {
		f.Add(seed, "k1 k2")
		f.Add(seed, "")
	}
	fk, id, _ := fuzzTarget(f)
	f.Fuzz(func(t *testing.T, body, header string) {
		req := httptest.NewRequest("POST", "/service/"+id+"/purge", strings.NewReader(body))
		req.Header.Set("Fastly-Key", "fuzz")
		req.Header.Set("Content-Type", "application/json")
		if h := strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return -1
			}
			return r
		}, header); h != "" {
			req.Header.Set("Surrogate-Key", h)
		}
		before := len(fk.Purges())
		rec := httptest.NewRecorder()
		fk.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if rec.Code == http.StatusOK && len(fk.Purges()) == before {
			t.Fatalf("200 without a recorded purge")
		}
	})
}
