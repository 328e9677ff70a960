package fastly_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"net/http"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/fastly"
	"github.com/mockcloud/mockcloud/kit"
)

func TestCreateServiceFormAndJSON(t *testing.T) {
	a := newAPI(t)
	for _, tc := range []struct {
		name string
		resp response
	}{
		{"form", a.form("POST", "/service", "name", "test-service", "comment", "comment")},
		{"json", a.json("POST", "/service", `{"name":"test-service-2","comment":"comment","type":"wasm"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := a.must(tc.resp, 200).obj(t)
			id, _ := m["id"].(string)
			if len(id) != 22 {
				t.Errorf("id %q is not a 22-character Fastly ID", id)
			}
			if m["comment"] != "comment" || m["customer_id"] != a.srv.Customer().ID || m["deleted_at"] != nil || m["paused"] != false {
				t.Errorf("service = %v", m)
			}
			vs := m["versions"].([]any)
			v := vs[0].(map[string]any)
			want := map[string]any{"number": 1.0, "active": false, "locked": false, "service_id": id, "comment": "",
				"deployed": false, "staging": false, "testing": false, "deleted_at": nil,
				"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "environments": []any{}}
			if diff := cmp.Diff(want, v); diff != "" {
				t.Errorf("version 1 (-want +got):\n%s", diff)
			}
		})
	}
	if got := a.srv.Services()[1].Type; got != "wasm" {
		t.Errorf("JSON type = %q, want wasm", got)
	}
}

func TestCreateServiceValidation(t *testing.T) {
	a := newAPI(t)
	tests := []struct {
		name, ct, body string
		status         int
		msg, detail    string
	}{
		{"no name", formType, "comment=x", 400, "Bad request", "'name'"},
		{"blank name", formType, "name=+++", 400, "Bad request", "'name'"},
		{"bad type", formType, "name=a&type=flash", 400, "Bad request", "'type'"},
		{"long name", formType, "name=" + strings.Repeat("n", 256), 400, "Bad request", "longer than 255"},
		{"bad json", jsonType, `{"name":`, 400, "Bad request", "truncated"},
		{"json array", jsonType, `["name"]`, 400, "Bad request", ""},
		{"json null", jsonType, `null`, 400, "Bad request", "JSON object"},
		{"list for string", formType, "name=a&name=b", 400, "Bad request", "not a list"},
		{"xml", "application/xml", "<name>a</name>", 415, "Unsupported media type", "application/xml"},
		{"bad content type", "a/b/c; =", "name=a", 415, "Unsupported media type", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, a.do("POST", "/service", tc.ct, tc.body), tc.status, tc.msg, tc.detail)
		})
	}
	if n := len(a.srv.Services()); n != 0 {
		t.Errorf("%d services created by bad requests", n)
	}
}

func TestServiceGetUpdateSearchDelete(t *testing.T) {
	a := newAPI(t)
	id := a.newService("test-service")

	m := a.must(a.get("/service/"+id), 200).obj(t)
	if m["name"] != "test-service" || m["type"] != "vcl" || m["publish_key"] != "" {
		t.Errorf("get = %v", m)
	}
	a.srv.Clock().Advance(time.Minute)
	m = a.must(a.form("PUT", "/service/"+id, "ServiceID", id, "name", "new-test-service"), 200).obj(t)
	if m["name"] != "new-test-service" || m["comment"] != "" || m["updated_at"] != "2026-01-01T00:01:00Z" {
		t.Errorf("update = %v", m)
	}
	checkError(t, a.form("PUT", "/service/"+id, "name", ""), 400, "Bad request", "'name'")

	m = a.must(a.get("/service/search?name=new-test-service"), 200).obj(t)
	if m["id"] != id {
		t.Errorf("search = %v", m)
	}
	checkError(t, a.get("/service/search?name=nope"), 404, "Record not found", "Cannot find service 'nope'")
	checkError(t, a.get("/service/search"), 400, "Bad request", "'name'")

	if got := a.must(a.do("DELETE", "/service/"+id, "", ""), 200).obj(t); got["status"] != "ok" {
		t.Errorf("delete = %v", got)
	}
	checkError(t, a.get("/service/"+id), 404, "Record not found", "Cannot find service '"+id+"'")
	checkError(t, a.do("DELETE", "/service/"+id, "", ""), 400, "Bad request", "is deleted")
	if got := a.srv.DeletedServices(); !cmp.Equal(got, []string{id}) {
		t.Errorf("DeletedServices = %v", got)
	}
	if n := len(a.must(a.get("/service"), 200).list(t)); n != 0 {
		t.Errorf("a deleted service is still listed")
	}
}

func TestUnknownServiceIs404Everywhere(t *testing.T) {
	a := newAPI(t)
	for _, path := range []string{
		"/service/nope", "/service/nope/details", "/service/nope/version", "/service/nope/version/1",
		"/service/nope/version/1/backend", "/service/nope/version/1/domain/check_all", "/service/nope/domain",
		"/service/nope/dictionary/d/items", "/service/nope/snippet/x",
	} {
		checkError(t, a.get(path), 404, "Record not found", "Cannot find service 'nope'")
	}
	checkError(t, a.do("POST", "/service/nope/purge_all", "", ""), 404, "Record not found", "")
	checkError(t, a.do("DELETE", "/service/nope", "", ""), 404, "Record not found", "")
	checkError(t, a.get("/no/such/route"), 404, "Record not found", "")
	checkError(t, a.do("PATCH", "/service", "", ""), 405, "Method not allowed", "PATCH")
}

func TestDeleteActiveServiceRefused(t *testing.T) {
	a := newAPI(t)
	s, err := a.srv.AddService(fastly.Service{Name: "live", Versions: []fastly.Version{{Active: true, Domains: []fastly.Domain{{Name: "live.example.com"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, a.do("DELETE", "/service/"+s.ID, "", ""), 400, "Bad request", "active version")
	a.must(a.do("PUT", "/service/"+s.ID+"/version/1/deactivate", "", ""), 200)
	a.must(a.do("DELETE", "/service/"+s.ID, "", ""), 200)
}

func TestListServicesPagination(t *testing.T) {
	a := newAPI(t)
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, a.newService(fmt.Sprintf("svc-%d", 4-i)))
		a.srv.Clock().Advance(time.Second)
	}
	r := a.must(a.get("/service?page=2&per_page=2"), 200)
	var got []string
	for _, s := range r.list(t) {
		got = append(got, s["id"].(string))
		if s["version"] != 1.0 {
			t.Errorf("list item version = %v, want 1", s["version"])
		}
		if _, ok := s["publish_key"]; ok {
			t.Errorf("list items carry no publish_key")
		}
	}
	if !cmp.Equal(got, ids[2:4]) {
		t.Errorf("page 2 = %v, want %v", got, ids[2:4])
	}
	link := r.Header.Get("Link")
	for _, want := range []string{`page=1&per_page=2>; rel="first"`, `page=1&per_page=2>; rel="prev"`, `page=3&per_page=2>; rel="next"`, `page=3&per_page=2>; rel="last"`} {
		if !strings.Contains(link, want) {
			t.Errorf("Link %q lacks %q", link, want)
		}
	}
	if !strings.HasPrefix(link, "<"+a.srv.URL()+"/service?") {
		t.Errorf("Link %q does not point back at the server", link)
	}

	names := func(path string) []string {
		var out []string
		for _, s := range a.must(a.get(path), 200).list(t) {
			out = append(out, s["name"].(string))
		}
		return out
	}
	if got := names("/service?sort=name&per_page=3"); !cmp.Equal(got, []string{"svc-0", "svc-1", "svc-2"}) {
		t.Errorf("sort=name = %v", got)
	}
	if got := names("/service?sort=created&direction=descend&per_page=2"); !cmp.Equal(got, []string{"svc-0", "svc-1"}) {
		t.Errorf("newest first = %v", got)
	}
	if got := names("/service?page=9"); len(got) != 0 {
		t.Errorf("past the end = %v", got)
	}
	if got := names("/service"); len(got) != 5 {
		t.Errorf("default page holds %d, want all 5", len(got))
	}
	for _, q := range []string{"page=0", "page=x", "per_page=0", "per_page=1001", "sort=size", "direction=up"} {
		checkError(t, a.get("/service?"+q), 400, "Bad request", "Invalid value")
	}
}

func TestServiceDetails(t *testing.T) {
	a := newAPI(t)
	s, err := a.srv.AddService(fastly.Service{Name: "detailed", Versions: []fastly.Version{
		{Active: true, Domains: []fastly.Domain{{Name: "a.example.com"}}, Backends: []fastly.Backend{{Name: "b1", Address: "o.example.com", Port: 80}}},
		{Domains: []fastly.Domain{{Name: "a.example.com"}, {Name: "b.example.com"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	m := a.must(a.get("/service/"+s.ID+"/details"), 200).obj(t)
	active := m["active_version"].(map[string]any)
	shown := m["version"].(map[string]any)
	if active["number"] != 1.0 || shown["number"] != 1.0 || len(m["versions"].([]any)) != 2 {
		t.Errorf("details: active %v, version %v", active["number"], shown["number"])
	}
	for _, key := range []string{"backends", "cache_settings", "conditions", "dictionaries", "directors", "domains", "gzips",
		"headers", "healthchecks", "request_settings", "response_objects", "snippets", "vcls", "acls", "wordpress"} {
		if _, ok := shown[key].([]any); !ok {
			t.Errorf("details version lacks the %s list", key)
		}
	}
	settings := shown["settings"].(map[string]any)
	if settings["general.default_ttl"] != 3600.0 || settings["general.stale_if_error"] != false {
		t.Errorf("settings = %v", settings)
	}
	if b := active["backends"].([]any)[0].(map[string]any); b["name"] != "b1" || b["version"] != 1.0 {
		t.Errorf("backend in details = %v", b)
	}
	m = a.must(a.get("/service/"+s.ID+"/details?version=2"), 200).obj(t)
	if n := len(m["version"].(map[string]any)["domains"].([]any)); n != 2 {
		t.Errorf("?version=2 shows %d domains", n)
	}
	checkError(t, a.get("/service/"+s.ID+"/details?version=3"), 404, "Record not found", "number => 3")
	checkError(t, a.get("/service/"+s.ID+"/details?version=x"), 400, "Bad request", "Invalid version number")

	fresh := a.newService("fresh")
	m = a.must(a.get("/service/"+fresh+"/details"), 200).obj(t)
	if m["active_version"] != nil {
		t.Errorf("a service never activated has active_version %v, want null", m["active_version"])
	}
	doms := a.must(a.get("/service/"+s.ID+"/domain"), 200).list(t)
	if len(doms) != 1 || doms[0]["name"] != "a.example.com" {
		t.Errorf("service domains = %v", doms)
	}
}

func TestAuthentication(t *testing.T) {
	t.Run("permissive", func(t *testing.T) {
		a := newAPI(t)
		a.key = ""
		r := a.get("/service")
		checkError(t, r, 401, "Provided credentials are missing or invalid", "")
		if strings.Contains(string(r.Body), "detail") {
			t.Errorf("401 body %s has a detail; Fastly sends only msg", r.Body)
		}
		a.key = "anything"
		a.must(a.get("/service"), 200)
		tok := a.must(a.get("/tokens/self"), 200).obj(t)
		if tok["scope"] != "global" || tok["user_id"] != a.srv.User().ID || tok["customer_id"] != a.srv.Customer().ID {
			t.Errorf("tokens/self = %v", tok)
		}
		// The URL purge needs no key.
		a.key = ""
		a.must(a.do("POST", "/purge/www.example.com/x", "", ""), 200)
	})
	t.Run("strict", func(t *testing.T) {
		a := newAPI(t, fastly.WithKeys("good"))
		a.key = "bad"
		checkError(t, a.get("/current_user"), 401, "Provided credentials are missing or invalid", "")
		a.key = "good"
		a.must(a.get("/current_user"), 200)
		a.srv.AddKey("added")
		a.key = "added"
		a.must(a.get("/current_customer"), 200)
		// Revoking the calling key: 204, then 401.
		if r := a.do("DELETE", "/tokens/self", "", ""); r.Status != 204 {
			t.Errorf("revoke = %d", r.Status)
		}
		checkError(t, a.get("/current_customer"), 401, "Provided credentials are missing or invalid", "")
	})
	t.Run("expiry by the shared clock", func(t *testing.T) {
		a := newAPI(t, fastly.Strict())
		exp := a.srv.Clock().Now().Add(time.Hour)
		tok := a.srv.AddToken(fastly.Token{AccessToken: "short", ExpiresAt: &exp, Services: []string{"svc"}})
		a.key = "short"
		m := a.must(a.get("/tokens/self"), 200).obj(t)
		if m["id"] != tok.ID || m["expires_at"] != "2026-01-01T01:00:00Z" || m["service_id"] != "svc" {
			t.Errorf("tokens/self = %v", m)
		}
		a.srv.Clock().Advance(time.Hour)
		checkError(t, a.get("/service"), 401, "Provided credentials are missing or invalid", "")
	})
	t.Run("shared env ignores its token check", func(t *testing.T) {
		env := kit.Env{Auth: func(r *http.Request) (kit.Principal, *kit.Error) {
			return kit.Principal{}, kit.Errorf(401, "keystone says no")
		}}
		inst, err := fastly.Descriptor().New(env, kit.Site{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		a := startAPI(t, inst.(*fastly.Fastly))
		a.must(a.get("/service"), 200)
	})
}

func TestAccount(t *testing.T) {
	a := newAPI(t)
	c := a.must(a.get("/current_customer"), 200).obj(t)
	u := a.must(a.get("/current_user"), 200).obj(t)
	if c["id"] != a.srv.Customer().ID || c["owner_id"] != u["id"] || c["can_upload_vcl"] != true {
		t.Errorf("customer = %v", c)
	}
	if u["customer_id"] != c["id"] || u["role"] != "superuser" || u["login"] != "mockcloud@example.com" {
		t.Errorf("user = %v", u)
	}
	if toks := a.srv.Tokens(); len(toks) != 1 || toks[0].AccessToken != "test-key" || toks[0].UserAgent == "" {
		t.Errorf("Tokens() = %+v", toks)
	}
}

func TestFaultsUseFastlyErrors(t *testing.T) {
	a := newAPI(t)
	h := a.srv.Inject(fake.Fault{Op: fastly.OpCreateService, Status: 503, Times: 1})
	checkError(t, a.form("POST", "/service", "name", "x"), 503, "Service unavailable", "injected")
	a.must(a.form("POST", "/service", "name", "x"), 200)
	if h.Hits() != 1 {
		t.Errorf("hits = %d", h.Hits())
	}
	a.srv.Inject(fake.Fault{Op: fastly.OpListServices, Status: 429})
	checkError(t, a.get("/service"), 429, "You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake.", "")
	fake.CheckOps(t, a.srv.Requests(), fastly.OpCreateService, fastly.OpCreateService, fastly.OpListServices)
}

func TestOptionsAndPipeline(t *testing.T) {
	// The same seed gives the same IDs; the clock is the one given.
	clk := clock.New(time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC))
	ids := func() []string {
		f, err := fastly.NewUnstarted(fake.WithSeed(7), fake.WithClock(clk))
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.AddService(fastly.Service{Name: "seeded"})
		if err != nil {
			t.Fatal(err)
		}
		if !s.Created.Equal(clk.Now()) || f.Clock() != clk {
			t.Errorf("created %v, want the given clock's %v", s.Created, clk.Now())
		}
		return []string{f.Customer().ID, s.ID}
	}
	if a, b := ids(), ids(); !cmp.Equal(a, b) {
		t.Errorf("same seed, different IDs: %v %v", a, b)
	}
	// Without Strict any key gets in; with it, only seeded ones.
	if r := newAPI(t).get("/service"); r.Status != 200 {
		t.Errorf("permissive: unknown key answered %d", r.Status)
	}
	if r := newAPI(t, fastly.Strict()).get("/service"); r.Status != 401 {
		t.Errorf("Strict(): unknown key answered %d", r.Status)
	}

	// Handler serves the same API; bodies past the limit get Fastly's 413.
	f, err := fastly.NewUnstarted()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/service", strings.NewReader("name="+strings.Repeat("x", kit.DefaultMaxBody)))
	req.Header.Set("Fastly-Key", "k")
	req.Header.Set("Content-Type", formType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	checkError(t, response{Status: resp.StatusCode, Header: resp.Header, Body: body}, 413, "Request entity too large", "limit")
	if n := len(f.Requests()); n != 1 {
		t.Errorf("journal holds %d requests", n)
	}
	f.ResetRequests()
	if n := len(f.Requests()); n != 0 {
		t.Errorf("after ResetRequests: %d", n)
	}
	f.Close()
	f.Close() // idempotent
}

// A token's scope and service list bound what it reaches, as the API's
// do: global:read only reads, purge_select only purges, a token limited to
// services reaches no other; any token reads and revokes itself.
func TestTokenScopes(t *testing.T) {
	a := newAPI(t)
	mine, other := a.newService("mine"), a.newService("other")
	a.srv.AddToken(fastly.Token{AccessToken: "reader", Scope: "global:read"})
	a.srv.AddToken(fastly.Token{AccessToken: "purger", Scope: "purge_select"})
	a.srv.AddToken(fastly.Token{AccessToken: "limited", Scope: "global", Services: []string{mine}})
	for _, tc := range []struct {
		key, method, path string
		status            int
	}{
		{"reader", "GET", "/service/" + mine, 200},
		{"reader", "GET", "/service", 200},
		{"reader", "DELETE", "/service/" + other, 403},
		{"reader", "PUT", "/service/" + mine + "/version/1/clone", 403},
		{"reader", "GET", "/tokens/self", 200},
		{"purger", "POST", "/service/" + mine + "/purge/some-key", 200},
		{"purger", "POST", "/service/" + mine + "/purge", 200},
		{"reader", "POST", "/service/" + mine + "/purge", 403},
		{"purger", "POST", "/service/" + mine + "/purge_all", 403},
		{"purger", "GET", "/service/" + mine, 403},
		{"limited", "GET", "/service/" + mine, 200},
		{"limited", "GET", "/service/" + other, 403},
		{"limited", "PUT", "/service/" + other + "/version/1/clone", 403},
		{"limited", "DELETE", "/tokens/self", 204},
	} {
		a.key = tc.key
		r := a.do(tc.method, tc.path, "", "", "Surrogate-Key", "k1 k2") // the batch purge's keys
		if r.Status != tc.status {
			t.Errorf("%s: %s %s = %d, want %d: %s", tc.key, tc.method, tc.path, r.Status, tc.status, r.Body)
		}
		if tc.status == 403 {
			checkError(t, r, 403, "Forbidden", "")
		}
	}
}
