package mockcloud_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/routes"
)

// controlErr is the control API's error body.
type controlErr struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type routeStatus struct {
	Name     string `json:"name"`
	Listener string `json:"listener"`
	Active   bool   `json:"active"`
	State    string `json:"state"`
	Rules    []struct {
		Op   string `json:"op"`
		Uses int    `json:"uses"`
	} `json:"rules"`
}

const widgetsV1 = `{"rules": [{"name": "list", "match": {"method": "GET", "path": "/v1/widgets"}, "answer": {"body": "{\"widgets\":[\"v1\"]}"}}]}`

func TestRoutesAtTheCloudsRoot(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithRoutes())
	// Nothing active: the Cloud's own 404.
	var e controlErr
	if s, _ := call(t, c, "GET", "/v1/widgets", "", nil, &e); s != 404 || !strings.Contains(e.Error.Message, "No mockcloud service is mounted") {
		t.Fatalf("before: %d %+v", s, e)
	}
	var put struct{ Status routeStatus }
	if s, body := call(t, c, "PUT", "/mockcloud/v1/routes/sets/initial", widgetsV1, nil, &put); s != 201 || put.Status.Name != "initial" || !put.Status.Active {
		t.Fatalf("PUT initial: %d %s", s, body)
	}
	var got struct{ Widgets []string }
	if s, body := call(t, c, "GET", "/v1/widgets", "", nil, &got); s != 200 || len(got.Widgets) != 1 || got.Widgets[0] != "v1" {
		t.Fatalf("GET /v1/widgets: %d %s", s, body)
	}
	// Also under the service's mount, where a rule may take a path a
	// service owns at the root.
	if s, body := call(t, c, "GET", "/routes/v1/widgets", "", nil, nil); s != 200 {
		t.Errorf("GET /routes/v1/widgets: %d %s", s, body)
	}
	// A path no rule matches keeps the Cloud's answer; services keep theirs.
	if s, _ := call(t, c, "POST", "/v1/widgets", "{}", nil, &e); s != 404 || !strings.Contains(e.Error.Message, "No mockcloud service") {
		t.Errorf("POST /v1/widgets: %d %+v", s, e)
	}
	if s, _ := call(t, c, "GET", "/identity/v3", "", nil, nil); s != 200 {
		t.Errorf("identity: %d", s)
	}
	// The match is journaled, and the op is known to faults.
	reqs := c.Routes().Requests()
	if len(reqs) != 2 || reqs[0].Op != "routes.initial.list" || reqs[0].Status != 200 || reqs[0].Service != routes.ServiceName {
		t.Errorf("journal: %+v", reqs)
	}
	var ops struct{ Ops []string }
	call(t, c, "GET", "/mockcloud/v1/ops", "", nil, &ops)
	if !strings.Contains(strings.Join(ops.Ops, " "), "routes.initial.list") {
		t.Errorf("ops lack the rule: %v", ops.Ops)
	}
	// A fault on the rule's op answers instead.
	if s, body := call(t, c, "POST", "/mockcloud/v1/faults", `{"service":"routes","op":"routes.initial.list","status":503}`, nil, nil); s != 201 {
		t.Fatalf("fault: %d %s", s, body)
	}
	if s, _ := call(t, c, "GET", "/v1/widgets", "", nil, nil); s != 503 {
		t.Errorf("faulted rule: %d, want 503", s)
	}
}

func TestRoutesBadSetIs400AndNothingChanges(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithRoutes())
	call(t, c, "PUT", "/mockcloud/v1/routes/sets/initial", widgetsV1, nil, nil)
	cases := []struct{ name, body, want string }{
		{"template", `{"rules": [{"match": {"path": "/a"}, "answer": {}}, {"match": {"path": "/b"}, "answer": {"body": "{{end}}"}}]}`, "rule 1: answer.body"},
		{"pattern", `{"rules": [{"match": {"path": "/b/{x}/{x}"}, "answer": {}}]}`, "rule 0: match.path"},
		{"body field", `{"rules": [{"match": {"path": "/b", "body": {"": 1}}, "answer": {}}]}`, "rule 0: match.body"},
		{"unknown field", `{"rules": [{"mach": {"path": "/b"}}]}`, `unknown field "mach"`},
		{"next state", `{"states": ["a"], "rules": [{"next_state": "b", "match": {"path": "/b"}, "answer": {}}]}`, "rule 0: next_state"},
		{"listener", `{"listener": "nope", "rules": []}`, `no listener "nope"`},
		{"name differs", `{"name": "other", "rules": []}`, "differs"},
	}
	for _, tc := range cases {
		var e controlErr
		s, _ := call(t, c, "PUT", "/mockcloud/v1/routes/sets/initial", tc.body, nil, &e)
		if s != 400 || e.Error.Code != 400 || !strings.Contains(e.Error.Message, tc.want) {
			t.Errorf("%s: %d %+v, want a 400 with %q", tc.name, s, e, tc.want)
		}
	}
	// The set as it was still answers.
	if s, body := call(t, c, "GET", "/v1/widgets", "", nil, nil); s != 200 || !strings.Contains(body, "v1") {
		t.Errorf("after refused PUTs: %d %s", s, body)
	}
	var list struct{ Sets []routeStatus }
	call(t, c, "GET", "/mockcloud/v1/routes/sets", "", nil, &list)
	if len(list.Sets) != 1 || len(list.Sets[0].Rules) != 1 || list.Sets[0].Rules[0].Op != "routes.initial.list" {
		t.Errorf("sets: %+v", list.Sets)
	}
}

func TestRoutesActivationIsAtomic(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithRoutes(routes.WithSets(routes.Set{Name: "initial", Rules: []routes.Rule{
		{Match: routes.Match{Path: "/v1/widgets"}, Answer: routes.Answer{Body: `{"widgets":["v1"]}`}}}})))
	v2 := `{"rules": [{"match": {"path": "/v1/widgets"}, "answer": {"body": "{\"widgets\":[\"v2\"]}"}}, {"match": {"path": "/v2/only"}, "answer": {"status": 204}}]}`
	if s, body := call(t, c, "PUT", "/mockcloud/v1/routes/sets/v2", v2, nil, nil); s != 201 {
		t.Fatalf("PUT v2: %d %s", s, body)
	}
	// Provisioned, not active.
	if _, body := call(t, c, "GET", "/v1/widgets", "", nil, nil); !strings.Contains(body, "v1") {
		t.Errorf("v2 answered before activation: %s", body)
	}
	if s, _ := call(t, c, "GET", "/v2/only", "", nil, nil); s != 404 {
		t.Errorf("/v2/only before activation: %d", s)
	}
	var act struct{ Status routeStatus }
	if s, body := call(t, c, "POST", "/mockcloud/v1/routes/sets/v2/activate", "", nil, &act); s != 200 || !act.Status.Active {
		t.Fatalf("activate: %d %s", s, body)
	}
	// Every rule of v2 at once, none of initial.
	if _, body := call(t, c, "GET", "/v1/widgets", "", nil, nil); !strings.Contains(body, "v2") {
		t.Errorf("after activation: %s", body)
	}
	if s, _ := call(t, c, "GET", "/v2/only", "", nil, nil); s != 204 {
		t.Errorf("/v2/only after activation: %d", s)
	}
	var list struct{ Sets []routeStatus }
	call(t, c, "GET", "/mockcloud/v1/routes/sets", "", nil, &list)
	if len(list.Sets) != 2 || list.Sets[0].Name != "initial" || list.Sets[0].Active || list.Sets[1].Name != "v2" || !list.Sets[1].Active {
		t.Errorf("sets: %+v", list.Sets)
	}
	var one struct {
		Set    routes.Set
		Status routeStatus
	}
	if s, _ := call(t, c, "GET", "/mockcloud/v1/routes/sets/v2", "", nil, &one); s != 200 || len(one.Set.Rules) != 2 || one.Status.Rules[0].Uses != 1 {
		t.Errorf("GET v2: %d %+v", s, one)
	}
	// Deleting the active set leaves its listener without one.
	if s, _ := call(t, c, "DELETE", "/mockcloud/v1/routes/sets/v2", "", nil, nil); s != http.StatusNoContent {
		t.Errorf("DELETE: %d", s)
	}
	if s, _ := call(t, c, "GET", "/v1/widgets", "", nil, nil); s != 404 {
		t.Errorf("after DELETE: %d", s)
	}
	for _, p := range []string{"DELETE /mockcloud/v1/routes/sets/v2", "POST /mockcloud/v1/routes/sets/v2/activate", "GET /mockcloud/v1/routes/sets/v2"} {
		method, path, _ := strings.Cut(p, " ")
		var e controlErr
		if s, _ := call(t, c, method, path, "", nil, &e); s != 404 || e.Error.Code != 404 {
			t.Errorf("%s: %d %+v", p, s, e)
		}
	}
	if s, _ := call(t, c, "POST", "/mockcloud/v1/routes/reload", "", nil, nil); s != 409 {
		t.Errorf("reload without a directory: %d, want 409", s)
	}
}

func TestRoutesOnAnExtraListener(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithRoutes(routes.WithListeners("auth")))
	set := `{"listener": "auth", "rules": [{"match": {"method": "POST", "path": "/oauth/token", "body": {"grant_type": "client_credentials"}}, "answer": {"body": "{\"access_token\":\"{{uuid}}\"}"}}]}`
	if s, body := call(t, c, "PUT", "/mockcloud/v1/routes/sets/auth", set, nil, nil); s != 201 {
		t.Fatalf("PUT: %d %s", s, body)
	}
	// A set named after its listener is that listener's default: active
	// as soon as it is put, the listener having none.
	u := c.ServiceURL("routes/auth", "")
	if u == "" || u == c.URL() {
		t.Fatalf("listener URL %q (Cloud %q)", u, c.URL())
	}
	for _, client := range []*http.Client{http.DefaultClient, c.Client()} {
		resp, err := client.Post(u+"/oauth/token", "application/json", strings.NewReader(`{"grant_type":"client_credentials"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("listener: %d", resp.StatusCode)
		}
	}
	// Not on the main listener.
	if s, _ := call(t, c, "POST", "/oauth/token", `{"grant_type":"client_credentials"}`, nil, nil); s != 404 {
		t.Errorf("main listener: %d, want 404", s)
	}
	// On the listener, an unmatched request is a journaled 404.
	resp, err := http.Get(u + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unmatched on the listener: %d", resp.StatusCode)
	}
	var journal struct {
		Requests []struct {
			Service, Region, Op string
			Status              int
		}
	}
	call(t, c, "GET", "/mockcloud/v1/requests?service=routes", "", nil, &journal)
	var got []string
	for _, r := range journal.Requests {
		got = append(got, r.Region+" "+r.Op)
	}
	if strings.Join(got, ",") != "auth routes.auth.0,auth routes.auth.0,auth routes.unmatched" {
		t.Errorf("journal: %q", got)
	}
}

func TestRoutesAccessorWithoutRoutes(t *testing.T) {
	c, err := mockcloud.NewUnstarted()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer func() {
		if v := recover(); v == nil || !strings.Contains(v.(string), `no service "routes"`) {
			t.Errorf("panic %v", v)
		}
	}()
	c.Routes()
}
