package routes_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/routes"
)

// send makes one request to base+path and returns the status, the body
// and the headers.
func send(t *testing.T, method, url, body string, header map[string]string) (int, string, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// decodeSet reads a set written as JSON, as a file or PUT would hold it.
func decodeSet(t *testing.T, name, doc string) routes.Set {
	t.Helper()
	var s routes.Set
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("set %s: %v", name, err)
	}
	s.Name = name
	return s
}

func TestMatchFeatures(t *testing.T) {
	set := decodeSet(t, routes.Initial, `{"rules": [
		{"name": "by-header", "match": {"method": "GET", "path": "/v1/items/{id}", "headers": {"X-Tenant": "acme"}},
		 "answer": {"status": 200, "body": "{\"id\":\"{{.Vars.id}}\",\"tenant\":\"{{index .Headers \"X-Tenant\"}}\",\"who\":\"header\"}"}},
		{"name": "by-query", "match": {"method": "GET", "path": "/v1/items/{id}", "query": {"detail": "full"}},
		 "answer": {"body": "{\"id\":\"{{.Vars.id}}\",\"detail\":\"{{.Query.detail}}\"}"}},
		{"name": "get", "match": {"method": "GET,HEAD", "path": "/v1/items/{id}"},
		 "answer": {"status": 203, "headers": {"X-Rule": "get", "Content-Type": "application/vnd.item+json"}, "body": "{\"id\":\"{{.Vars.id}}\"}"}},
		{"name": "create-small", "match": {"method": "POST", "path": "/v1/items", "body": {"item.size": "small", "item.tags.1": "blue"}},
		 "answer": {"status": 201, "body": "{\"created\":{{json .Body.item}},\"method\":\"{{.Method}}\",\"path\":\"{{.Path}}\"}"}},
		{"name": "files", "match": {"path": "/files/{rest...}"}, "answer": {"status": 204}}
	]}`)
	rt := routes.New(t, routes.WithSets(set))
	base := rt.URL()

	cases := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		want                     map[string]any // JSON fields of the answer
		ctype                    string
	}{
		{"header rule first", "GET", "/v1/items/7", "", map[string]string{"X-Tenant": "acme"}, 200,
			map[string]any{"id": "7", "tenant": "acme", "who": "header"}, "application/json"},
		{"header value differs: next rule", "GET", "/v1/items/7?detail=full", "", map[string]string{"X-Tenant": "other"}, 200,
			map[string]any{"id": "7", "detail": "full"}, "application/json"},
		{"query value differs: general rule", "GET", "/v1/items/8?detail=short", "", nil, 203,
			map[string]any{"id": "8"}, "application/vnd.item+json"},
		{"body fields match", "POST", "/v1/items", `{"item":{"size":"small","tags":["red","blue"]}}`, nil, 201,
			map[string]any{"created": map[string]any{"size": "small", "tags": []any{"red", "blue"}}, "method": "POST", "path": "/v1/items"}, "application/json"},
		{"rest of path", "DELETE", "/files/a/b/c", "", nil, 204, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body, h := send(t, c.method, base+c.path, c.body, c.header)
			if status != c.status {
				t.Fatalf("status %d, want %d: %s", status, c.status, body)
			}
			if h.Get("Content-Type") != c.ctype {
				t.Errorf("Content-Type %q, want %q", h.Get("Content-Type"), c.ctype)
			}
			if c.want == nil {
				if body != "" {
					t.Errorf("body %q, want none", body)
				}
				return
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			for k, v := range c.want {
				if g, _ := json.Marshal(got[k]); string(g) != mustJSON(v) {
					t.Errorf("%s = %s, want %s", k, g, mustJSON(v))
				}
			}
		})
	}
	if _, _, h := send(t, "GET", base+"/v1/items/9", "", nil); h.Get("X-Rule") != "get" {
		t.Errorf("X-Rule %q, want get", h.Get("X-Rule"))
	}

	// Not matched: a body field differs, a method, a path's length.
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/v1/items", `{"item":{"size":"large","tags":["red","blue"]}}`},
		{"POST", "/v1/items", `{"item":{"size":"small","tags":["red"]}}`},
		{"POST", "/v1/items", `not json`},
		{"PUT", "/v1/items/7", ""},
		{"GET", "/v1/items/7/extra", ""},
		{"GET", "/v1/items/", ""},
	} {
		status, body, _ := send(t, c.method, base+c.path, c.body, nil)
		var e struct {
			Error struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || status != 404 || e.Error.Code != 404 || !strings.Contains(e.Error.Message, "No rule") {
			t.Errorf("%s %s %s: %d %s, want a 404 {error:{code,message}}", c.method, c.path, c.body, status, body)
		}
	}

	// Every request is journaled under its rule's op.
	var ops []string
	for _, r := range rt.Requests() {
		ops = append(ops, r.Op)
	}
	want := "routes.initial.by-header routes.initial.by-query routes.initial.get routes.initial.create-small routes.initial.files routes.initial.get " +
		strings.Repeat("routes.unmatched ", 6)
	if strings.Join(ops, " ")+" " != want {
		t.Errorf("journal ops:\n%s\nwant\n%s", strings.Join(ops, " "), want)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestTemplateSeesClockAndState(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clk := clock.New(start)
	set := decodeSet(t, routes.Initial, `{"states": ["a", "b"], "rules": [
		{"match": {"path": "/now"}, "answer": {"body": "{{.Now.Format \"2006-01-02T15:04:05Z07:00\"}} {{.State}} {{.Headers.Accept}} {{len (uuid)}}"}}
	]}`)
	rt := routes.New(t, fake.WithClock(clk), routes.WithSets(set))
	_, body, _ := send(t, "GET", rt.URL()+"/now", "", map[string]string{"Accept": "text/plain"})
	if want := "2030-01-02T03:04:05Z a text/plain 36"; body != want {
		t.Errorf("body %q, want %q", body, want)
	}
	clk.Advance(time.Hour)
	if _, body, _ = send(t, "GET", rt.URL()+"/now", "", nil); !strings.HasPrefix(body, "2030-01-02T04:04:05Z") {
		t.Errorf("after an hour: %q", body)
	}
}

func TestDelayOnTheSharedClock(t *testing.T) {
	clk := clock.New(clock.DefaultStart())
	set := decodeSet(t, routes.Initial, `{"rules": [{"match": {"path": "/slow"}, "answer": {"status": 202, "delay": "30s"}}]}`)
	rt := routes.New(t, fake.WithClock(clk), routes.WithSets(set))
	done := make(chan int, 1)
	go func() {
		resp, err := http.Get(rt.URL() + "/slow")
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	// Wait for the request to be held on the clock.
	deadline := time.Now().Add(5 * time.Second)
	for clk.Pending() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	clk.Advance(29 * time.Second)
	select {
	case s := <-done:
		t.Fatalf("answered %d before the delay passed", s)
	case <-time.After(50 * time.Millisecond):
	}
	clk.Advance(time.Second)
	select {
	case s := <-done:
		if s != 202 {
			t.Errorf("status %d, want 202", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("not answered after the delay")
	}
}

func TestTimesThenNextRule(t *testing.T) {
	set := decodeSet(t, routes.Initial, `{"rules": [
		{"name": "twice", "times": 2, "match": {"path": "/flaky"}, "answer": {"status": 503}},
		{"name": "then", "match": {"path": "/flaky"}, "answer": {"status": 200, "body": "ok"}}
	]}`)
	rt := routes.New(t, routes.WithSets(set))
	var got []int
	for i := 0; i < 4; i++ {
		s, _, _ := send(t, "GET", rt.URL()+"/flaky", "", nil)
		got = append(got, s)
	}
	if mustJSON(got) != "[503,503,200,200]" {
		t.Errorf("statuses %v, want 503 503 200 200", got)
	}
	st := rt.Sets()[0]
	if st.Rules[0].Uses != 2 || !st.Rules[0].Exhausted || st.Rules[1].Uses != 2 {
		t.Errorf("status %+v", st.Rules)
	}
	// Activating again starts the counts afresh.
	if err := rt.Activate(routes.Initial); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := send(t, "GET", rt.URL()+"/flaky", "", nil); s != 503 {
		t.Errorf("after activate: %d, want 503", s)
	}
}

func TestScenarioStates(t *testing.T) {
	// A resource that is created, then found, then deleted.
	set := decodeSet(t, routes.Initial, `{"states": ["absent", "present", "gone"], "rules": [
		{"name": "get-absent", "state": "absent", "match": {"method": "GET", "path": "/thing"}, "answer": {"status": 404}},
		{"name": "create", "state": "absent", "next_state": "present", "match": {"method": "PUT", "path": "/thing"}, "answer": {"status": 201}},
		{"name": "get-present", "state": "present", "match": {"method": "GET", "path": "/thing"}, "answer": {"body": "{\"state\":\"{{.State}}\"}"}},
		{"name": "delete", "state": "present", "next_state": "gone", "match": {"method": "DELETE", "path": "/thing"}, "answer": {"status": 204}},
		{"name": "get-gone", "state": "gone", "match": {"method": "GET", "path": "/thing"}, "answer": {"status": 410}}
	]}`)
	rt := routes.New(t, routes.WithSets(set))
	steps := []struct {
		method string
		status int
		state  string // the set's state after
	}{
		{"GET", 404, "absent"}, {"DELETE", 404, "absent"}, {"PUT", 201, "present"}, {"GET", 200, "present"},
		{"PUT", 404, "present"}, {"DELETE", 204, "gone"}, {"GET", 410, "gone"},
	}
	for i, s := range steps {
		status, body, _ := send(t, s.method, rt.URL()+"/thing", "", nil)
		if status != s.status {
			t.Errorf("step %d %s: %d, want %d (%s)", i, s.method, status, s.status, body)
		}
		if st := rt.Sets()[0].State; st != s.state {
			t.Errorf("step %d: state %q, want %q", i, st, s.state)
		}
	}
}

func TestBadRulesRefused(t *testing.T) {
	rt := routes.New(t, routes.WithListeners("api"))
	good := `{"match": {"path": "/ok"}, "answer": {}}`
	cases := map[string]struct{ rule, want string }{
		"template":      {`{"match": {"path": "/x"}, "answer": {"body": "{{.Vars.id"}}`, "rule 1: answer.body"},
		"pattern":       {`{"match": {"path": "/x/{id"}, "answer": {}}`, "rule 1: match.path"},
		"relative":      {`{"match": {"path": "x"}, "answer": {}}`, "rule 1: match.path"},
		"rest not last": {`{"match": {"path": "/{a...}/b"}, "answer": {}}`, "rule 1: match.path"},
		"body value":    {`{"match": {"path": "/x", "body": {"a..b": 1}}, "answer": {}}`, "rule 1: match.body.a..b"},
		"state":         {`{"state": "nope", "match": {"path": "/x"}, "answer": {}}`, "rule 1: state"},
		"status":        {`{"match": {"path": "/x"}, "answer": {"status": 99}}`, "rule 1: answer.status"},
		"times":         {`{"times": -1, "match": {"path": "/x"}, "answer": {}}`, "rule 1: times"},
		"method":        {`{"match": {"method": "GET /x", "path": "/x"}, "answer": {}}`, "rule 1: match.method"},
	}
	for name, c := range cases {
		set := decodeSet(t, "s", `{"rules": [`+good+`, `+c.rule+`]}`)
		_, err := rt.Put(set)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
	if _, err := rt.Put(decodeSet(t, "s", `{"listener": "web", "rules": []}`)); err == nil || !strings.Contains(err.Error(), `no listener "web"`) {
		t.Errorf("unknown listener: %v", err)
	}
	if len(rt.Sets()) != 0 {
		t.Errorf("a refused set was installed: %+v", rt.Sets())
	}
}

func TestListenerHandler(t *testing.T) {
	rt := routes.New(t, routes.WithListeners("api"), routes.WithSets(
		decodeSet(t, "api", `{"listener": "api", "rules": [{"match": {"path": "/hello"}, "answer": {"body": "api"}}]}`)))
	if rt.Listener("nope") != nil {
		t.Error("a listener not given has a handler")
	}
	h := rt.Listener("api")
	rec := &responseRecorder{header: http.Header{}}
	req, _ := http.NewRequest("GET", "http://api.example/hello", nil)
	h.ServeHTTP(rec, req)
	if rec.status != 200 || rec.body.String() != "api" {
		t.Errorf("api listener: %d %q", rec.status, rec.body.String())
	}
	// The main listener has no active set.
	if s, _, _ := send(t, "GET", rt.URL()+"/hello", "", nil); s != 404 {
		t.Errorf("main listener: %d, want 404", s)
	}
	reqs := rt.Requests()
	if len(reqs) != 2 || reqs[0].Op != "routes.api.0" || reqs[0].Region != "api" || reqs[1].Op != routes.OpUnmatched || reqs[1].Region != "" {
		t.Errorf("journal: %+v", reqs)
	}
}

type responseRecorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *responseRecorder) Header() http.Header { return r.header }
func (r *responseRecorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *responseRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return r.body.Write(b)
}

// syncLog is a log the poller writes while the test reads.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// eventually polls f for a few seconds.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDirectoryReload(t *testing.T) {
	dir := t.TempDir()
	write := func(name, doc string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("initial.json", `{"rules": [{"match": {"path": "/v"}, "answer": {"body": "one"}}]}`)
	write("notes.txt", `not a set`)
	log := &syncLog{}
	rt := routes.New(t, routes.WithDir(dir, 10*time.Millisecond), routes.WithLog(log))
	get := func() string { _, b, _ := send(t, "GET", rt.URL()+"/v", "", nil); return b }
	if b := get(); b != "one" {
		t.Fatalf("at start: %q", b)
	}
	// A changed file is provisioned again; the active set stays active.
	write("initial.json", `{"rules": [{"match": {"path": "/v"}, "answer": {"body": "two, longer"}}]}`)
	eventually(t, "the changed file served", func() bool { return get() == "two, longer" })
	// A bad file is logged and the set kept.
	write("initial.json", `{"rules": [{"match": {"path": "/v"}, "answer": {"body": "{{bad"}}]}`)
	eventually(t, "the bad file logged", func() bool { return strings.Contains(log.String(), "kept as it was") })
	if b := get(); b != "two, longer" {
		t.Errorf("after a bad file: %q", b)
	}
	// A new file is a new set, not active until activated.
	write("other.json", `{"rules": [{"match": {"path": "/v"}, "answer": {"body": "other"}}]}`)
	eventually(t, "the new set", func() bool { _, _, ok := rt.Set("other"); return ok })
	if b := get(); b != "two, longer" {
		t.Errorf("a new set answered before activation: %q", b)
	}
	// A removed file's set is deleted.
	if err := os.Remove(filepath.Join(dir, "other.json")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the removed set deleted", func() bool { _, _, ok := rt.Set("other"); return !ok })
}

func TestDirectoryBadFileAtStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "initial.json"), []byte(`{"rules": [{"match": {"path": "nope"}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := routes.NewUnstarted(routes.WithDir(dir, 0))
	if err == nil || !strings.Contains(err.Error(), "initial.json") || !strings.Contains(err.Error(), "rule 0: match.path") {
		t.Errorf("err = %v, want the file, the rule and the field", err)
	}
}

func TestTemplateFailureIs500AndPutKeepsActive(t *testing.T) {
	rt := routes.New(t, routes.WithSets(decodeSet(t, routes.Initial, `{"rules": [
		{"match": {"path": "/t"}, "answer": {"body": "{{.Body.a.b}}"}}]}`)))
	status, body, _ := send(t, "GET", rt.URL()+"/t", "", nil)
	if status != 500 || !strings.Contains(body, `"code":500`) || !strings.Contains(body, "routes.initial.0: its body template failed") {
		t.Errorf("no body: %d %s", status, body)
	}
	if status, body, _ := send(t, "POST", rt.URL()+"/t", `{"a":{"b":"x"}}`, nil); status != 200 || body != "x" {
		t.Errorf("with a body: %d %s", status, body)
	}
	// Replacing the active set keeps it active, with its counts afresh.
	created, err := rt.Put(decodeSet(t, routes.Initial, `{"rules": [{"match": {"path": "/t"}, "answer": {"body": "new"}}]}`))
	if err != nil || created {
		t.Fatalf("Put: %v, created %v", err, created)
	}
	if st := rt.Sets()[0]; !st.Active || st.Rules[0].Uses != 0 {
		t.Errorf("after Put: %+v", st)
	}
	if _, body, _ := send(t, "GET", rt.URL()+"/t", "", nil); body != "new" {
		t.Errorf("after Put: %s", body)
	}
}
