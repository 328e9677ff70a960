package compute_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

// preset builds the metadata of a Mimic preset whose value is JSON.
func preset(key string, v any) map[string]any {
	b, _ := json.Marshal(v)
	return map[string]any{"metadata": map[string]string{key: string(b)}}
}

func TestMimicCreateServerFailurePreset(t *testing.T) {
	tests := []struct {
		name        string
		params      map[string]any
		status      int
		body        string
		contentType string
	}{
		{"code and message", map[string]any{"message": "Create server failure", "code": 500}, 500,
			`{"computeFault":{"message":"Create server failure","code":500}}`, "application/json"},
		{"special type", map[string]any{"message": "Create server failure", "code": 503, "type": "specialType"}, 503,
			`{"specialType":{"message":"Create server failure","code":503}}`, "application/json"},
		{"string type", map[string]any{"message": "Create server failure", "code": 500, "type": "string"}, 500,
			`Create server failure`, "text/plain; charset=utf-8"},
		{"defaults", map[string]any{}, 500,
			`{"computeFault":{"message":"The server has either erred or is incapable of performing the requested operation","code":500}}`, "application/json"},
		{"a code HTTP cannot send", map[string]any{"message": "odd", "code": 42}, 500, `{"computeFault":{"message":"odd","code":500}}`, "application/json"},
		{"a 1xx code", map[string]any{"message": "odd", "code": 100}, 500, `{"computeFault":{"message":"odd","code":500}}`, "application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newNova(t)
			r := a.do("POST", "/servers", novaBody(preset("create_server_failure", tc.params)))
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if string(r.Body) != tc.body && !jsonEqual(r.Body, tc.body) {
				t.Errorf("body %s, want %s", r.Body, tc.body)
			}
			if ct := r.Header.Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tc.contentType)
			}
			if ids := a.listIDs("/servers"); len(ids) != 0 {
				t.Errorf("a failed create made servers %v", ids)
			}
		})
	}
}

func TestMimicBuildAndErrorPresets(t *testing.T) {
	for _, opts := range [][]compute.Option{nil, {compute.WithDurations(compute.Instant())}} {
		a := newNova(t, opts...)
		id := a.create(map[string]any{"metadata": map[string]string{"server_building": "30"}})
		if st := a.status(id); st != "BUILD" {
			t.Errorf("server_building: %s", st)
		}
		if ids := a.listIDs("/servers/detail?status=BUILD"); !cmp.Equal([]string{id}, ids) {
			t.Errorf("BUILD in the list: %v", ids)
		}
		a.advance(29 * time.Second)
		if st := a.status(id); st != "BUILD" {
			t.Errorf("server_building after 29 s: %s", st)
		}
		a.advance(time.Second)
		if st := a.status(id); st != "ACTIVE" {
			t.Errorf("server_building after 30 s: %s", st)
		}
	}

	a := newNova(t)
	short := a.create(map[string]any{"metadata": map[string]string{"server_building": "1.5"}})
	a.advance(1500 * time.Millisecond)
	if st := a.status(short); st != "ACTIVE" {
		t.Errorf("server_building 1.5 after 1.5 s: %s", st)
	}

	id := a.create(map[string]any{"metadata": map[string]string{"server_error": "1"}})
	s := a.server(id)
	if s["status"] != "ERROR" {
		t.Fatalf("server_error: %v", s["status"])
	}
	fault, _ := s["fault"].(map[string]any)
	if fault["code"] != float64(500) || fault["message"] == "" || fault["created"] != novaTime(a.srv.Clock().Now()) {
		t.Errorf("fault %v", s["fault"])
	}
	a.advance(time.Hour)
	if st := a.status(id); st != "ERROR" {
		t.Errorf("server_error later: %s", st)
	}
	// Mimic's conflicts for a server in ERROR.
	a.action(id, `{"changePassword":{"adminPass":"password"}}`).wantFault(t, http.StatusConflict, "conflictingRequest",
		"Cannot 'changePassword' instance "+id+" while it is in vm_state error")
	a.action(id, `{"rescue":null}`).want(t, http.StatusOK) // Nova rescues servers in ERROR
}

func TestMimicDeleteServerFailurePreset(t *testing.T) {
	tests := []struct {
		name     string
		preset   map[string]any
		statuses []int
	}{
		{"once with 500", map[string]any{"code": 500, "times": 1}, []int{500, 204}},
		{"twice with 503", map[string]any{"code": 503, "times": 2}, []int{503, 503, 204}},
		{"no times", map[string]any{"code": 500}, []int{204}},
		// Not a final HTTP status: a 500, not a dropped connection.
		{"code 42", map[string]any{"code": 42, "times": 1}, []int{500, 204}},
		{"code 103", map[string]any{"code": 103, "times": 1}, []int{500, 204}},
		{"code 1000", map[string]any{"code": 1000, "times": 1}, []int{500, 204}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newNova(t)
			id := a.create(preset("delete_server_failure", tc.preset))
			a.advance(30 * time.Second)
			for i, want := range tc.statuses {
				r := a.do("DELETE", "/servers/"+id, "")
				if r.Status != want {
					t.Fatalf("delete %d: %d, want %d: %s", i+1, r.Status, want, r.Body)
				}
				if want == 204 {
					break
				}
				r.fault(t)
				// Still there, and still ACTIVE.
				if st := a.status(id); st != "ACTIVE" {
					t.Errorf("after failed delete %d: %s", i+1, st)
				}
			}
			a.advance(compute.DefaultDurations().Delete)
			a.get("/servers/"+id).want(t, http.StatusNotFound)
		})
	}

	// Without a code Mimic answers 500 with no body.
	a := newNova(t)
	id := a.create(map[string]any{"metadata": map[string]string{"delete_server_failure": `{"times": 1}`}})
	a.advance(30 * time.Second)
	if r := a.do("DELETE", "/servers/"+id, ""); r.Status != 500 || len(r.Body) != 0 {
		t.Errorf("no code: %d %q", r.Status, r.Body)
	}
	a.do("DELETE", "/servers/"+id, "").want(t, http.StatusNoContent)
}

// control talks to Mimic's Nova control API of a tenant.
func (a *novaAPI) control(method, tail, body string) novaReply {
	a.t.Helper()
	return a.raw(method, "/control/v2/"+a.project+tail, body)
}

// behavior registers a Mimic creation behavior and returns its ID.
func (a *novaAPI) behavior(name string, params any, criteria any) string {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"name": name, "parameters": params, "criteria": criteria})
	r := a.control("POST", "/behaviors/creation", string(body)).want(a.t, http.StatusCreated)
	var out struct {
		ID string `json:"id"`
	}
	r.into(a.t, &out)
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(out.ID) {
		a.t.Fatalf("behavior id %q", out.ID)
	}
	return out.ID
}

func TestMimicCreationBehaviors(t *testing.T) {
	failing := []map[string]string{{"server_name": "failing_server_name"}}
	t.Run("fail by name", func(t *testing.T) {
		a := newNova(t)
		a.behavior("fail", map[string]any{"message": "Create server failure", "code": 500}, failing)
		r := a.do("POST", "/servers", novaBody(map[string]any{"name": "failing_server_name"}))
		if r.Status != 500 || !jsonEqual(r.Body, `{"computeFault":{"message":"Create server failure","code":500}}`) {
			t.Errorf("matching name: %d %s", r.Status, r.Body)
		}
		// Python's re.match: anchored at the start only.
		a.do("POST", "/servers", novaBody(map[string]any{"name": "failing_server_name_2"})).want(t, 500)
		a.createNamed("not_failing_server_name")
		a.createNamed("failing")
		if n := len(a.listIDs("/servers")); n != 2 {
			t.Errorf("%d servers", n)
		}
	})
	t.Run("fail by metadata", func(t *testing.T) {
		a := newNova(t)
		a.behavior("fail", map[string]any{"message": "Sample failure message", "type": "specialType", "code": 503},
			[]map[string]any{{"metadata": map[string]string{"field1": "value1", "field2": "reg.*ex"}}})
		a.createNamed("failing_server_name")
		a.create(map[string]any{"metadata": map[string]string{"field1": "value1"}}) // field2 missing
		r := a.do("POST", "/servers", novaBody(map[string]any{"metadata": map[string]string{"field1": "value1", "field2": "regular expression"}}))
		if r.Status != 503 || !jsonEqual(r.Body, `{"specialType":{"message":"Sample failure message","code":503}}`) {
			t.Errorf("matching metadata: %d %s", r.Status, r.Body)
		}
	})
	t.Run("false negative", func(t *testing.T) {
		for _, typ := range []string{"", "specialType", "string"} {
			a := newNova(t)
			params := map[string]any{"message": "Create server failure", "code": 500}
			if typ != "" {
				params["type"] = typ
			}
			a.behavior("false-negative", params, failing)
			r := a.do("POST", "/servers", novaBody(map[string]any{"name": "failing_server_name"}))
			want := map[string]string{"": `{"computeFault":{"message":"Create server failure","code":500}}`,
				"specialType": `{"specialType":{"message":"Create server failure","code":500}}`, "string": "Create server failure"}[typ]
			if r.Status != 500 || (string(r.Body) != want && !jsonEqual(r.Body, want)) {
				t.Errorf("type %q: %d %s", typ, r.Status, r.Body)
			}
			ids := a.listIDs("/servers/detail")
			if len(ids) != 1 {
				t.Fatalf("type %q: false negative made %d servers", typ, len(ids))
			}
			a.advance(30 * time.Second)
			if st := a.status(ids[0]); st != "ACTIVE" {
				t.Errorf("the server of a false negative: %s", st)
			}
		}
	})
	t.Run("build", func(t *testing.T) {
		a := newNova(t)
		a.behavior("build", map[string]any{"duration": 4.0}, []any{})
		id := a.createNamed("slow")
		if st := a.status(id); st != "BUILD" {
			t.Errorf("at once: %s", st)
		}
		a.advance(5 * time.Second)
		if st := a.status(id); st != "ACTIVE" {
			t.Errorf("after 5 s: %s", st)
		}
	})
	t.Run("error", func(t *testing.T) {
		a := newNova(t)
		a.behavior("error", nil, []any{})
		if st := a.status(a.createNamed("broken")); st != "ERROR" {
			t.Errorf("error behavior: %s", st)
		}
	})
	t.Run("active then error", func(t *testing.T) {
		a := newNova(t)
		a.behavior("active-then-error", map[string]any{"duration": 7.0}, []any{})
		id := a.createNamed("flaky")
		if st := a.status(id); st != "ACTIVE" {
			t.Errorf("at once: %s", st)
		}
		if ids := a.listIDs("/servers/detail?status=ACTIVE"); !cmp.Equal([]string{id}, ids) {
			t.Errorf("ACTIVE list %v", ids)
		}
		a.advance(8 * time.Second)
		s := a.server(id)
		if s["status"] != "ERROR" || s["fault"] == nil || s["OS-EXT-STS:power_state"] != float64(4) {
			t.Errorf("after 8 s: %v fault %v power %v", s["status"], s["fault"], s["OS-EXT-STS:power_state"])
		}
	})
	t.Run("sequence", func(t *testing.T) {
		a := newNova(t)
		a.behavior("sequence", map[string]any{"behaviors": []any{
			map[string]any{"name": "fail", "parameters": map[string]any{"code": 500, "message": "synthetic error"}},
			map[string]any{"name": "default"},
			map[string]any{"name": "error", "parameters": map[string]any{}},
		}}, []any{})
		var got []int
		for i := 0; i < 6; i++ {
			got = append(got, a.do("POST", "/servers", novaBody(nil)).Status)
			a.advance(time.Millisecond) // distinct creation times: a stable list order
		}
		if diff := cmp.Diff([]int{500, 202, 202, 500, 202, 202}, got); diff != "" {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
		var statuses []string
		for _, id := range a.listIDs("/servers") {
			statuses = append(statuses, a.status(id))
		}
		if diff := cmp.Diff([]string{"ERROR", "BUILD", "ERROR", "BUILD"}, statuses); diff != "" {
			t.Errorf("servers, newest first (-want +got):\n%s", diff)
		}
	})
	t.Run("first registered wins, presets win over behaviors", func(t *testing.T) {
		a := newNova(t)
		a.behavior("error", nil, []map[string]string{{"server_name": "x"}})
		a.behavior("fail", map[string]any{"code": 400, "message": "second"}, []map[string]string{{"server_name": "x"}})
		if st := a.status(a.createNamed("x")); st != "ERROR" {
			t.Errorf("first behavior: %s", st)
		}
		id := a.create(map[string]any{"name": "x", "metadata": map[string]string{"server_building": "10"}})
		if st := a.status(id); st != "BUILD" {
			t.Errorf("preset over behavior: %s", st)
		}
	})
	t.Run("per tenant", func(t *testing.T) {
		a := newNova(t)
		a.behavior("error", nil, []any{})
		a.as("other").createNamed("unaffected")
		for _, id := range a.as("other").listIDs("/servers") {
			if st := a.as("other").status(id); st != "BUILD" {
				t.Errorf("other tenant's server: %s", st)
			}
		}
	})
}

func TestMimicBehaviorControlAPI(t *testing.T) {
	a := newNova(t)
	bad := []struct{ name, body string }{
		{"not JSON", `{`},
		{"empty", ``},
		{"no criteria", `{"name":"fail","parameters":{"code":500}}`},
		{"no name", `{"criteria":[],"parameters":{}}`},
		{"unknown behavior", `{"name":"explode","parameters":{},"criteria":[]}`},
		{"unknown criterion", `{"name":"error","parameters":{},"criteria":[{"tenant_name":"x"}]}`},
		{"bad regex", `{"name":"error","parameters":{},"criteria":[{"server_name":"("}]}`},
		{"bad metadata regex", `{"name":"error","parameters":{},"criteria":[{"metadata":{"k":"["}}]}`},
		{"build without duration", `{"name":"build","parameters":{},"criteria":[]}`},
		{"negative duration", `{"name":"active-then-error","parameters":{"duration":-1},"criteria":[]}`},
		{"sequence without behaviors", `{"name":"sequence","parameters":{},"criteria":[]}`},
		{"sequence with an unknown behavior", `{"name":"sequence","parameters":{"behaviors":[{"name":"nope","parameters":{}}]},"criteria":[]}`},
		{"criteria not a list", `{"name":"error","parameters":{},"criteria":{"server_name":"x"}}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if r := a.control("POST", "/behaviors/creation", tc.body); r.Status != http.StatusBadRequest || len(r.Body) != 0 {
				t.Errorf("%d %q, want 400 with no body", r.Status, r.Body)
			}
		})
	}

	id := a.behavior("error", nil, []any{})
	if st := a.status(a.createNamed("one")); st != "ERROR" {
		t.Fatalf("behavior not applied: %s", st)
	}
	a.as("other").control("DELETE", "/behaviors/creation/"+id, "").want(t, http.StatusNotFound) // not theirs
	if r := a.control("DELETE", "/behaviors/creation/"+id, ""); r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Errorf("delete: %d %q", r.Status, r.Body)
	}
	a.control("DELETE", "/behaviors/creation/"+id, "").want(t, http.StatusNotFound)
	a.control("DELETE", "/behaviors/creation/nope", "").want(t, http.StatusNotFound)
	if st := a.status(a.createNamed("two")); st != "BUILD" {
		t.Errorf("after delete: %s", st)
	}

	// The control API needs no token even when the API does.
	b := newNovaWithAuth(t, novaAuth).as("project-a")
	b.behavior("error", nil, []any{})
	if st := b.withToken("tok-a").status(b.withToken("tok-a").createNamed("x")); st != "ERROR" {
		t.Errorf("with tokens: %s", st)
	}
	if ops := fake.Ops(fake.Filter(b.srv.Requests(), "compute.control.*")); !cmp.Equal([]string{compute.OpControlAddBehavior}, ops) {
		t.Errorf("journal ops %v", ops)
	}
}

func TestMimicAttributes(t *testing.T) {
	a := newNova(t)
	one, two, three := a.activeServer("one"), a.activeServer("two"), a.activeServer("three")
	a.advance(time.Second)
	since := a.srv.Clock().Now()

	r := a.control("POST", "/attributes/", `{"status":{"`+one+`":"ERROR","`+two+`":"BUILD"}}`)
	if r.Status != http.StatusCreated || len(r.Body) != 0 {
		t.Fatalf("attributes: %d %q", r.Status, r.Body)
	}
	got := []string{a.status(one), a.status(two), a.status(three)}
	if diff := cmp.Diff([]string{"ERROR", "BUILD", "ACTIVE"}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// A status change is a change.
	ids := a.listIDs("/servers?changes-since=" + since.Format(time.RFC3339))
	if diff := cmp.Diff([]string{two, one}, ids); diff != "" {
		t.Errorf("changes-since (-want +got):\n%s", diff)
	}
	a.control("POST", "/attributes", `{"status":{"`+one+`":"ACTIVE"}}`).want(t, http.StatusCreated) // no trailing slash
	if st := a.status(one); st != "ACTIVE" {
		t.Errorf("back to ACTIVE: %s", st)
	}

	// One unknown server: 400, and nothing changes.
	other := a.as("other").activeServer("foreign")
	for _, body := range []string{
		`{"status":{"` + one + `":"ERROR","` + three + `":"ERROR","not_a_server_id":"BUILD"}}`,
		`{"status":{"` + one + `":"ERROR","` + other + `":"ERROR"}}`, // another tenant's
		`{"status":{"` + one + `":"ON_FIRE"}}`,
		`{"status":"ERROR"}`,
		`{}`,
		`nonsense`,
	} {
		if r := a.control("POST", "/attributes/", body); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	if got := []string{a.status(one), a.status(three), a.as("other").status(other)}; !cmp.Equal([]string{"ACTIVE", "ACTIVE", "ACTIVE"}, got) {
		t.Errorf("after refused changes: %v", got)
	}
}

func TestAddCreateBehavior(t *testing.T) {
	a := newNova(t)
	for _, bad := range []compute.CreateBehavior{
		{},
		{Name: "(", Outcomes: []compute.Outcome{{Kind: compute.Error}}},
		{Metadata: map[string]string{"k": "["}, Outcomes: []compute.Outcome{{Kind: compute.Error}}},
		{Outcomes: []compute.Outcome{{Kind: compute.Fail, Code: 42}}},
		{Outcomes: []compute.Outcome{{Kind: compute.Build, Duration: -time.Second}}},
	} {
		if _, err := a.srv.AddCreateBehavior(bad); err == nil {
			t.Errorf("AddCreateBehavior(%+v): no error", bad)
		}
	}

	in := compute.CreateBehavior{
		Project: "demo", Name: "web", Metadata: map[string]string{"env": "prod|staging"},
		Outcomes: []compute.Outcome{
			{Kind: compute.Fail, Code: 418, Message: "teapot"},
			{Kind: compute.Build, Duration: time.Hour},
			{Kind: compute.ActiveThenError, Duration: time.Minute},
			{Kind: compute.FalseNegative, Code: 503, Message: "busy", Type: "overLimit"},
			{Kind: compute.Succeed},
			{Kind: compute.Error},
		},
	}
	stored, err := a.srv.AddCreateBehavior(in)
	if err != nil {
		t.Fatal(err)
	}
	id := stored.ID
	// The stored copy is what was given, with a counted ID (Mimic's form).
	wantStored := in
	wantStored.ID = "00000000-0000-4000-8000-000000000001"
	if diff := cmp.Diff(wantStored, stored); diff != "" {
		t.Errorf("AddCreateBehavior (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]compute.CreateBehavior{wantStored}, a.srv.CreateBehaviors()); diff != "" {
		t.Errorf("CreateBehaviors (-want +got):\n%s", diff)
	}
	prod := func(name string) novaReply {
		return a.do("POST", "/servers", novaBody(map[string]any{"name": name, "metadata": map[string]string{"env": "production"}}))
	}
	// Outcomes play in turn for matching creations only.
	a.as("other").do("POST", "/servers", novaBody(map[string]any{"name": "web", "metadata": map[string]string{"env": "prod"}})).want(t, 202)
	a.do("POST", "/servers", novaBody(map[string]any{"name": "web", "metadata": map[string]string{"env": "dev"}})).want(t, 202)
	a.do("POST", "/servers", novaBody(map[string]any{"name": "my-web", "metadata": map[string]string{"env": "prod"}})).want(t, 202)

	r := prod("web-1")
	if r.Status != 418 || !jsonEqual(r.Body, `{"computeFault":{"message":"teapot","code":418}}`) {
		t.Errorf("Fail: %d %s", r.Status, r.Body)
	}
	building := prod("web-2").want(t, 202).obj(t)["server"].(map[string]any)["id"].(string)
	flaky := prod("web-3").want(t, 202).obj(t)["server"].(map[string]any)["id"].(string)
	r = prod("web-4")
	if r.Status != 503 || !jsonEqual(r.Body, `{"overLimit":{"message":"busy","code":503}}`) {
		t.Errorf("FalseNegative: %d %s", r.Status, r.Body)
	}
	normal := prod("web-5").want(t, 202).obj(t)["server"].(map[string]any)["id"].(string)
	broken := prod("web-6").want(t, 202).obj(t)["server"].(map[string]any)["id"].(string)
	prod("web-7").want(t, 418) // round again

	a.advance(2 * time.Minute)
	got := map[string]string{"building": a.status(building), "flaky": a.status(flaky), "normal": a.status(normal), "broken": a.status(broken)}
	want := map[string]string{"building": "BUILD", "flaky": "ERROR", "normal": "ACTIVE", "broken": "ERROR"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if ids := a.listIDs("/servers?name=%5Eweb-4%24"); len(ids) != 1 {
		t.Errorf("the false negative's server: %v", ids)
	}
	if !a.srv.RemoveCreateBehavior(id) || a.srv.RemoveCreateBehavior(id) {
		t.Error("RemoveCreateBehavior: want true, then false")
	}
	if got := a.srv.CreateBehaviors(); len(got) != 0 {
		t.Errorf("CreateBehaviors after removal: %+v", got)
	}
	prod("web-8").want(t, 202)
}
