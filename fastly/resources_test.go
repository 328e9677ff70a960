package fastly_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fastly"
)

// resourceCase is one versioned resource type with bodies as Fastly's API
// reference and go-fastly's recordings show them.
type resourceCase struct {
	path   string
	form   url.Values     // create, form-encoded
	json   string         // create, JSON (a second object)
	want   map[string]any // fields of the form-created object
	update url.Values     // rename to "renamed" plus a change
	bad    url.Values     // a create Fastly refuses with 400
	badMsg string
}

func resourceCases() []resourceCase {
	return []resourceCase{
		{path: "domain",
			form:   url.Values{"name": {"integ-test.go-fastly-1.com"}, "comment": {"comment"}},
			json:   `{"name":"json.example.com"}`,
			want:   map[string]any{"name": "integ-test.go-fastly-1.com", "comment": "comment", "version": 1.0},
			update: url.Values{"name": {"renamed"}, "comment": {"new"}},
			bad:    url.Values{"name": {"bad domain!"}}, badMsg: "Invalid domain name"},
		{path: "backend",
			form: url.Values{"name": {"test-backend"}, "address": {"integ-test.go-fastly.com"}, "connect_timeout": {"1500"},
				"override_host": {"origin.example.com"}, "ssl_check_cert": {"0"}, "ssl_sni_hostname": {"ssl-hostname.com"}},
			json: `{"name":"json-backend","address":"10.0.0.1","port":8080,"use_ssl":true,"weight":50}`,
			want: map[string]any{"name": "test-backend", "address": "integ-test.go-fastly.com", "hostname": "integ-test.go-fastly.com",
				"port": 80.0, "connect_timeout": 1500.0, "first_byte_timeout": 15000.0, "between_bytes_timeout": 10000.0,
				"weight": 100.0, "max_conn": 200.0, "ssl_check_cert": false, "use_ssl": false, "override_host": "origin.example.com",
				"shield": nil, "healthcheck": nil, "request_condition": "", "version": 1.0, "auto_loadbalance": false, "keepalive_time": nil},
			update: url.Values{"name": {"renamed"}, "port": {"1234"}, "prefer_ipv6": {"1"}, "override_host": {""}},
			bad:    url.Values{"name": {"b"}, "address": {"a"}, "port": {"70000"}}, badMsg: "'port': must be at most 65535"},
		{path: "healthcheck",
			form: url.Values{"name": {"test-healthcheck"}, "check_interval": {"2500"}, "expected_response": {"200"}, "host": {"example.com"},
				"http_version": {"1.1"}, "initial": {"10"}, "method": {"HEAD"}, "path": {"/foo"}, "threshold": {"10"}, "timeout": {"1500"},
				"window": {"5000"}, "headers": {`["Foo:Bar","Baz:Qux"]`}},
			json: `{"name":"json-hc","headers":["X-A: 1"],"check_interval":60000}`,
			want: map[string]any{"name": "test-healthcheck", "check_interval": 2500.0, "headers": []any{"Baz: Qux", "Foo: Bar"}, // stored "Name: value", sorted
				"path": "/foo", "version": 1.0},
			update: url.Values{"name": {"renamed"}, "headers[]": {"Beep: Boop", "X: Y"}},
			bad:    url.Values{"name": {"h"}, "check_interval": {"10"}}, badMsg: "'check_interval': must be at least 1000"},
		{path: "condition",
			form: url.Values{"name": {"test/condition"}, "priority": {"1"}, "statement": {`req.url~+"index.html"`}, "type": {"REQUEST"}},
			json: `{"name":"json-cond","statement":"true","type":"CACHE","priority":5}`,
			want: map[string]any{"name": "test/condition", "priority": "1", "statement": `req.url~+"index.html"`, "type": "REQUEST",
				"version": "1", "comment": ""},
			update: url.Values{"name": {"renamed"}, "statement": {`req.url~+"updated.html"`}},
			bad:    url.Values{"name": {"c"}, "statement": {"true"}, "type": {"LATER"}}, badMsg: "'type': 'LATER' is not one of"},
		{path: "header",
			form: url.Values{"action": {"set"}, "dst": {"http.foo"}, "ignore_if_set": {"0"}, "name": {"test-header"}, "priority": {"50"},
				"regex": {"foobar"}, "src": {"client.ip"}, "substitution": {"123"}, "type": {"request"}},
			json: `{"name":"json-header","action":"delete","type":"response","dst":"http.x-powered-by"}`,
			want: map[string]any{"action": "set", "dst": "http.foo", "ignore_if_set": "0", "priority": "50", "type": "request",
				"request_condition": nil, "cache_condition": nil, "response_condition": nil, "version": "1"},
			update: url.Values{"name": {"renamed"}, "action": {"append"}, "type": {"fetch"}},
			bad:    url.Values{"name": {"h"}, "action": {"regex"}, "type": {"request"}, "dst": {"http.x"}, "src": {"a"}}, badMsg: "needs a regex"},
		{path: "cache_settings",
			form:   url.Values{"action": {"cache"}, "name": {"test-cache-setting"}, "stale_ttl": {"1500"}, "ttl": {"1234"}},
			json:   `{"name":"json-cache","ttl":60}`,
			want:   map[string]any{"action": "cache", "stale_ttl": "1500", "ttl": "1234", "cache_condition": "", "version": "1"},
			update: url.Values{"name": {"renamed"}, "ttl": {"5"}},
			bad:    url.Values{"name": {"c"}, "ttl": {"soon"}}, badMsg: "'ttl': 'soon' is not an integer"},
		{path: "request_settings",
			form: url.Values{"action": {"lookup"}, "bypass_busy_wait": {"1"}, "default_host": {"example.com"}, "force_miss": {"1"},
				"force_ssl": {"1"}, "geo_headers": {"1"}, "hash_keys": {"a,b,c"}, "max_stale_age": {"30"}, "name": {"test-request-setting"},
				"timer_support": {"1"}, "xff": {"leave"}},
			json: `{"name":"json-rs","force_ssl":true}`,
			want: map[string]any{"action": "lookup", "bypass_busy_wait": "1", "force_ssl": "1", "hash_keys": "a,b,c", "max_stale_age": "30",
				"xff": "leave", "request_condition": "", "version": "1"},
			update: url.Values{"name": {"renamed"}, "action": {""}},
			bad:    url.Values{"name": {"r"}, "xff": {"sometimes"}}, badMsg: "'xff'"},
		{path: "response_object",
			form: url.Values{"content": {"abcd"}, "content_type": {"text/plain"}, "name": {"test-response-object"}, "response": {"Ok"}, "status": {"200"}},
			json: `{"name":"json-ro","status":"418","response":"I'm a teapot"}`,
			want: map[string]any{"content": "abcd", "content_type": "text/plain", "status": "200", "response": "Ok", "request_condition": "",
				"cache_condition": "", "version": "1"},
			update: url.Values{"name": {"renamed"}, "status": {"503"}},
			bad:    url.Values{"name": {"r"}, "status": {"42"}}, badMsg: "'status': must be at least 100"},
		{path: "gzip",
			form:   url.Values{"content_types": {"text/html text/css"}, "extensions": {"html css"}, "name": {"test-gzip"}},
			json:   `{"name":"json-gzip"}`,
			want:   map[string]any{"content_types": "text/html text/css", "extensions": "html css", "cache_condition": "", "version": "1"},
			update: url.Values{"name": {"renamed"}},
			bad:    url.Values{"extensions": {"js"}}, badMsg: "'name'"},
		{path: "snippet",
			form:   url.Values{"content": {"#vcl"}, "dynamic": {"0"}, "name": {"snipver"}, "type": {"fetch"}},
			json:   `{"name":"json-snip","type":"recv","content":"set req.http.x = \"1\";","priority":"10"}`,
			want:   map[string]any{"content": "#vcl", "dynamic": "0", "priority": "100", "type": "fetch", "version": "1"},
			update: url.Values{"name": {"renamed"}, "content": {"#vclUpdated"}, "priority": {"456"}, "type": {"hit"}},
			bad:    url.Values{"name": {"s"}, "type": {"recv"}}, badMsg: "'content'"},
		{path: "vcl",
			form:   url.Values{"content": {"sub vcl_recv { }"}, "name": {"test-vcl"}},
			json:   `{"name":"json-vcl","content":"sub vcl_fetch { }","main":true}`,
			want:   map[string]any{"content": "sub vcl_recv { }", "main": false, "version": 1.0},
			update: url.Values{"name": {"renamed"}, "content": {"sub vcl_deliver { }"}},
			bad:    url.Values{"name": {"v"}}, badMsg: "'content'"},
		{path: "dictionary",
			form:   url.Values{"name": {"test_dictionary"}},
			json:   `{"name":"json_dict","write_only":true}`,
			want:   map[string]any{"name": "test_dictionary", "write_only": false, "version": 1.0},
			update: url.Values{"name": {"renamed"}},
			bad:    url.Values{"name": {"1-bad"}}, badMsg: "Name must start with alphabetical"},
		{path: "logging/syslog",
			form: url.Values{"address": {"example.com"}, "format": {"format"}, "format_version": {"2"}, "hostname": {"example.com"},
				"message_type": {"classic"}, "name": {"test-syslog"}, "placement": {"none"}, "port": {"1234"}},
			json: `{"format_version":2,"name":"json-syslog","placement":null,"address":"logs.example.com","use_tls":"0"}`,
			want: map[string]any{"address": "example.com", "format_version": "2", "port": "1234", "message_type": "classic",
				"placement": "none", "use_tls": "0", "token": nil, "version": "1"},
			update: url.Values{"name": {"renamed"}, "port": {"514"}},
			bad:    url.Values{"name": {"s"}, "address": {"a"}, "message_type": {"xml"}}, badMsg: "'message_type'"},
	}
}

func TestVersionedResourcesCRUD(t *testing.T) {
	for _, tc := range resourceCases() {
		t.Run(strings.ReplaceAll(tc.path, "/", "_"), func(t *testing.T) {
			a := newAPI(t)
			id := a.newService("crud")
			base := "/service/" + id + "/version/1/" + tc.path
			name := tc.form.Get("name")
			item := base + "/" + url.PathEscape(name)

			created := a.must(a.do("POST", base, formType, tc.form.Encode()), 200).obj(t)
			for k, v := range tc.want {
				if diff := cmp.Diff(v, created[k]); diff != "" {
					t.Errorf("created %s (-want +got):\n%s", k, diff)
				}
			}
			if created["service_id"] != id || created["created_at"] != "2026-01-01T00:00:00Z" || created["deleted_at"] != nil {
				t.Errorf("created = %v", created)
			}
			a.must(a.json("POST", base, tc.json), 200)

			got := a.must(a.get(item), 200).obj(t)
			if diff := cmp.Diff(created, got); diff != "" {
				t.Errorf("get differs from create (-create +get):\n%s", diff)
			}
			if l := a.must(a.get(base), 200).list(t); len(l) != 2 || l[0]["name"] != name {
				t.Errorf("list = %v", l)
			}

			checkError(t, a.do("POST", base, formType, tc.form.Encode()), 409, "Duplicate record", "'"+name+"'")
			checkError(t, a.do("POST", base, formType, tc.bad.Encode()), 400, "Bad request", tc.badMsg)

			upd := a.must(a.do("PUT", item, formType, tc.update.Encode()), 200).obj(t)
			if upd["name"] != "renamed" {
				t.Errorf("update did not rename: %v", upd)
			}
			checkError(t, a.get(item), 404, "Record not found", "Couldn't find ")
			jsonName := a.must(a.get(base), 200).list(t)[1]["name"].(string)
			checkError(t, a.form("PUT", base+"/renamed", "name", jsonName), 409, "Duplicate record", "")
			checkError(t, a.form("PUT", base+"/nope", "comment", "x"), 404, "Record not found", "name => nope, service => "+id+", version => 1")

			if m := a.must(a.do("DELETE", base+"/renamed", "", ""), 200).obj(t); m["status"] != "ok" {
				t.Errorf("delete = %v", m)
			}
			checkError(t, a.do("DELETE", base+"/renamed", "", ""), 404, "Record not found", "")
			if l := a.must(a.get(base), 200).list(t); len(l) != 1 {
				t.Errorf("after delete: %d left", len(l))
			}
			checkError(t, a.get("/service/"+id+"/version/5/"+tc.path), 404, "Record not found", "number => 5")
		})
	}
}

func TestResourceDetails(t *testing.T) {
	a := newAPI(t)
	id := a.newService("details")
	base := "/service/" + id + "/version/1/"

	// A TLS backend defaults to port 443; the hostname follows the address.
	b := a.must(a.form("POST", base+"backend", "name", "tls", "address", "secure.example.com", "use_ssl", "true"), 200).obj(t)
	if b["port"] != 443.0 || b["use_ssl"] != true || b["hostname"] != "secure.example.com" {
		t.Errorf("TLS backend = %v", b)
	}
	b = a.must(a.form("PUT", base+"backend/tls", "address", "moved.example.com"), 200).obj(t)
	if b["hostname"] != "moved.example.com" {
		t.Errorf("hostname after moving the address = %v", b["hostname"])
	}
	checkError(t, a.form("POST", base+"backend", "name", "nowhere"), 400, "Bad request", "needs an address")
	checkError(t, a.form("POST", base+"backend", "name", "b", "address", "a", "weight", "x"), 400, "Bad request", "'weight': 'x' is not an integer")
	checkError(t, a.form("POST", base+"backend", "name", "b", "address", "a", "use_ssl", "maybe"), 400, "Bad request", "not a boolean")

	// Domains are case-insensitive and unique across services.
	d := a.must(a.form("POST", base+"domain", "name", "WWW.Example.COM"), 200).obj(t)
	if d["name"] != "www.example.com" {
		t.Errorf("domain name = %v", d["name"])
	}
	other := a.newService("other")
	checkError(t, a.form("POST", "/service/"+other+"/version/1/domain", "name", "www.example.com"), 409, "Duplicate record", "another service")
	check := a.must(a.get(base+"domain/check_all"), 200)
	if diff := cmp.Diff(`[[{"comment":"","created_at":"2026-01-01T00:00:00Z","deleted_at":null,"name":"www.example.com","service_id":"`+id+`","updated_at":"2026-01-01T00:00:00Z","version":1},null,false]]`, string(check.Body)); diff != "" {
		t.Errorf("check_all (-want +got):\n%s", diff)
	}
	a.srv.SetDomainCNAME("www.example.com", "dualstack.j.sni.global.fastly.net")
	one := a.must(a.get(base+"domain/www.example.com/check"), 200)
	if !strings.HasSuffix(string(one.Body), `,"dualstack.j.sni.global.fastly.net",true]`) {
		t.Errorf("check = %s", one.Body)
	}
	checkError(t, a.get(base+"domain/nope.example.com/check"), 404, "Record not found", "")

	// Main VCL: one at a time; download gives the raw text.
	a.must(a.form("POST", base+"vcl", "name", "one", "content", "vcl 1", "main", "true"), 200)
	a.must(a.form("POST", base+"vcl", "name", "two", "content", "vcl 2"), 200)
	m := a.must(a.do("PUT", base+"vcl/two/main", "", ""), 200).obj(t)
	if m["main"] != true {
		t.Errorf("set main = %v", m)
	}
	if one := a.must(a.get(base+"vcl/one"), 200).obj(t); one["main"] != false {
		t.Errorf("two mains")
	}
	dl := a.must(a.get(base+"vcl/two/download"), 200)
	if string(dl.Body) != "vcl 2" || !strings.HasPrefix(dl.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("download = %q %q", dl.Body, dl.Header.Get("Content-Type"))
	}
	checkError(t, a.do("PUT", base+"vcl/three/main", "", ""), 404, "Record not found", "")
	checkError(t, a.get(base+"vcl/three/download"), 404, "Record not found", "")

	// Settings.
	s := a.must(a.get(base+"settings"), 200).obj(t)
	want := map[string]any{"general.default_host": "", "general.default_ttl": 3600.0, "general.stale_if_error": false,
		"general.stale_if_error_ttl": 43200.0, "general.default_pci": 0.0, "service_id": id, "version": 1.0}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	s = a.must(a.form("PUT", base+"settings", "ServiceID", id, "general.default_ttl", "1800", "general.stale_if_error", "true"), 200).obj(t)
	if s["general.default_ttl"] != 1800.0 || s["general.stale_if_error"] != true {
		t.Errorf("updated settings = %v", s)
	}
	s = a.must(a.json("PUT", base+"settings", `{"general.default_host":"example.com"}`), 200).obj(t)
	if s["general.default_host"] != "example.com" || s["general.default_ttl"] != 1800.0 {
		t.Errorf("JSON settings = %v", s)
	}
	checkError(t, a.form("PUT", base+"settings", "general.default_ttl", "-1"), 400, "Bad request", "at least 0")
}

func TestDynamicSnippets(t *testing.T) {
	a := newAPI(t)
	id := a.newService("dyn")
	a.must(a.form("POST", "/service/"+id+"/version/1/domain", "name", "dyn.example.com"), 200)
	sn := a.must(a.form("POST", "/service/"+id+"/version/1/snippet", "content", "#vcl", "dynamic", "1", "name", "snipdyn",
		"priority", "123", "type", "fetch"), 200).obj(t)
	if sn["content"] != nil || sn["dynamic"] != "1" || sn["priority"] != "123" {
		t.Errorf("dynamic snippet = %v", sn)
	}
	sid := sn["id"].(string)
	a.must(a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 200)

	// The content changes with the version active: that is the point.
	m := a.must(a.form("PUT", "/service/"+id+"/snippet/"+sid, "content", "#vclUpdated"), 200).obj(t)
	if m["content"] != "#vclUpdated" || m["snippet_id"] != sid || m["service_id"] != id {
		t.Errorf("dynamic update = %v", m)
	}
	if m := a.must(a.get("/service/"+id+"/snippet/"+sid), 200).obj(t); m["content"] != "#vclUpdated" {
		t.Errorf("dynamic get = %v", m)
	}
	s, _ := a.srv.Service(id)
	if got := s.Versions[0].Snippets[0]; got.Content != "#vclUpdated" || got.ID != sid {
		t.Errorf("Service() snippet = %+v", got)
	}
	checkError(t, a.get("/service/"+id+"/snippet/nope"), 404, "Record not found", "")
	a.must(a.do("PUT", "/service/"+id+"/version/1/clone", "", ""), 200)
	reg := a.must(a.form("POST", "/service/"+id+"/version/2/snippet", "content", "#x", "name", "reg", "type", "recv"), 200).obj(t)
	checkError(t, a.get("/service/"+id+"/snippet/"+reg["id"].(string)), 400, "Bad request", "not dynamic")
	checkError(t, a.form("PUT", "/service/"+id+"/version/2/snippet/reg", "dynamic", "1"), 400, "Bad request", "dynamic and versioned")
}

func TestSeededServiceMatchesAPI(t *testing.T) {
	a := newAPI(t)
	hc := "hc"
	s, err := a.srv.AddService(fastly.Service{Name: "seeded", Versions: []fastly.Version{{
		Active:       true,
		Domains:      []fastly.Domain{{Name: "Seeded.Example.com"}},
		Healthchecks: []fastly.Healthcheck{{Name: "hc", Path: "/", CheckInterval: 5000}},
		Backends:     []fastly.Backend{{Name: "b", Address: "o.example.com", Port: 443, UseSSL: true, Healthcheck: &hc}},
		Dictionaries: []fastly.Dictionary{{Name: "d"}},
		Snippets:     []fastly.Snippet{{Name: "s", Type: "recv", Content: "dyn", Dynamic: true}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	hc = "changed" // the store has its own copy
	b := a.must(a.get("/service/"+s.ID+"/version/1/backend/b"), 200).obj(t)
	if b["healthcheck"] != "hc" || b["port"] != 443.0 {
		t.Errorf("seeded backend = %v", b)
	}
	a.must(a.get("/service/"+s.ID+"/version/1/domain/seeded.example.com"), 200)
	got := s.Versions[0]
	if got.Dictionaries[0].ID == "" || got.Snippets[0].ID == "" || !got.Locked || got.Settings != fastly.DefaultSettings() {
		t.Errorf("seeded version = %+v", got)
	}
	if !a.srv.SetDictionaryItem(s.ID, got.Dictionaries[0].ID, "k", "v") || a.srv.SetDictionaryItem(s.ID, "nope", "k", "v") {
		t.Errorf("SetDictionaryItem")
	}
	dyn := a.must(a.get("/service/"+s.ID+"/snippet/"+got.Snippets[0].ID), 200).obj(t)
	if dyn["content"] != "dyn" {
		t.Errorf("seeded dynamic snippet = %v", dyn)
	}
	// Changing a returned copy does not reach the store.
	s.Versions[0].Backends[0].Address = "mutated"
	*s.Versions[0].Backends[0].Healthcheck = "mutated"
	again, _ := a.srv.Service(s.ID)
	if again.Versions[0].Backends[0].Address != "o.example.com" || *again.Versions[0].Backends[0].Healthcheck != "hc" {
		t.Errorf("Service() shares memory with the store")
	}

	for _, bad := range []fastly.Service{
		{},
		{Name: "x", Type: "java"},
		{Name: "x", Versions: []fastly.Version{{Active: true}, {Active: true}}},
		{Name: "x", Versions: []fastly.Version{{Domains: []fastly.Domain{{Name: "a"}, {Name: "a"}}}}},
		{ID: s.ID, Name: "dup"},
	} {
		if _, err := a.srv.AddService(bad); err == nil {
			t.Errorf("AddService(%+v) accepted", bad)
		}
	}
	if n := len(a.srv.Services()); n != 1 {
		t.Errorf("%d services after refused seeds", n)
	}
}
