package kit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// widgets is a tiny service with two named routes and a native error
// format, built the way real service packages are.
type widgets struct {
	*kit.Service
}

func widgetRoutes() []kit.Route {
	return []kit.Route{
		{Op: "widgets.create", Method: "POST", Path: "/widgets", Handler: func(c *kit.Call) (kit.Reply, error) {
			var in struct {
				Name string `json:"name"`
			}
			if err := c.DecodeJSON(&in, kit.DecodeOptions{DisallowUnknownFields: true}); err != nil {
				return kit.Reply{}, err
			}
			return kit.JSON(http.StatusCreated, map[string]string{"name": in.Name}), nil
		}},
		{Op: "widgets.get", Method: "GET", Path: "/widgets/{id}", Handler: func(c *kit.Call) (kit.Reply, error) {
			if c.OutOfScope("p1") {
				return kit.Reply{}, kit.Forbidden("token scoped to %s", c.Principal.ProjectID)
			}
			return kit.OK(map[string]string{"id": c.Var("id")}), nil
		}},
	}
}

func newWidgets(t *testing.T, env kit.Env, spec ...func(*kit.Spec)) *widgets {
	t.Helper()
	return newWidgetsIn(t, env, "", spec...)
}

func newWidgetsIn(t *testing.T, env kit.Env, region string, spec ...func(*kit.Spec)) *widgets {
	t.Helper()
	s := kit.Spec{Name: "widgets", Routes: widgetRoutes, Errors: widgetError}
	for _, f := range spec {
		f(&s)
	}
	return kit.Start(t, &widgets{kit.NewService(env, region, s)})
}

func widgetError(_ *http.Request, e *kit.Error) kit.Reply {
	return kit.JSON(e.Status, map[string]any{"error": map[string]any{"code": e.Status, "message": e.Message}})
}

func do(t *testing.T, c *http.Client, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestFaultTableSequence(t *testing.T) {
	svc := newWidgets(t, kit.Env{})
	h := svc.Inject(fake.Fault{Op: "widgets.create", Status: 503, Times: 2})

	var got []int
	for i := 0; i < 3; i++ {
		code, _ := do(t, svc.Client(), "POST", svc.URL()+"/widgets", `{"name":"a"}`)
		got = append(got, code)
	}
	if diff := cmp.Diff([]int{503, 503, 201}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if h.Hits() != 2 {
		t.Errorf("Hits() = %d, want 2", h.Hits())
	}
	reqs := svc.Requests()
	fake.CheckOps(t, reqs, "widgets.create", "widgets.create", "widgets.create")
	if reqs[0].Fault != h.ID() || reqs[2].Fault != "" {
		t.Errorf("journal faults = %q, %q; want %q, \"\"", reqs[0].Fault, reqs[2].Fault, h.ID())
	}
	if reqs[0].Status != 503 || reqs[2].Status != 201 {
		t.Errorf("journal statuses = %d, %d", reqs[0].Status, reqs[2].Status)
	}
}

func TestFaultNativeBodyAndCustomBody(t *testing.T) {
	svc := newWidgets(t, kit.Env{})
	svc.Inject(fake.Fault{Op: "widgets.get", Path: "/widgets/custom", Status: 418, Body: `{"teapot":true}`,
		Header: http.Header{"Retry-After": {"7"}}})
	svc.Inject(fake.Fault{Method: "GET", Status: 500})

	code, body := do(t, svc.Client(), "GET", svc.URL()+"/widgets/custom", "")
	if code != 418 || body != `{"teapot":true}` {
		t.Errorf("custom fault = %d %s", code, body)
	}
	code, body = do(t, svc.Client(), "GET", svc.URL()+"/widgets/other", "")
	var native struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &native); err != nil || code != 500 || native.Error.Code != 500 {
		t.Errorf("native fault body = %d %s (%v)", code, body, err)
	}
}

func TestFaultSkipProbabilityAndPredicate(t *testing.T) {
	svc := newWidgets(t, kit.Env{Seed: 42})
	// The second create only: skip one, fire once.
	second := svc.Inject(fake.Fault{Op: "widgets.create", Skip: 1, Times: 1, Status: 409})
	// Only bodies naming "evil".
	svc.Inject(fake.Fault{Op: "widgets.create", Status: 400, Match: func(r fake.Request) bool {
		return strings.Contains(r.Body, "evil")
	}})
	var got []int
	for _, name := range []string{"a", "b", "c", "evil"} {
		code, _ := do(t, svc.Client(), "POST", svc.URL()+"/widgets", `{"name":"`+name+`"}`)
		got = append(got, code)
	}
	if diff := cmp.Diff([]int{201, 409, 201, 400}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if second.Hits() != 1 {
		t.Errorf("second.Hits() = %d", second.Hits())
	}
	second.Remove()
	second.Remove() // harmless

	// Probability 0.5 over 200 requests from a seeded RNG: reproducible, and
	// neither never nor always.
	half := svc.Inject(fake.Fault{Op: "widgets.get", Probability: 0.5, Status: 503})
	for i := 0; i < 200; i++ {
		do(t, svc.Client(), "GET", svc.URL()+"/widgets/x", "")
	}
	if n := half.Hits(); n < 60 || n > 140 {
		t.Errorf("probability 0.5 fired %d/200 times", n)
	}
}

func TestFaultDropAndDelay(t *testing.T) {
	svc := newWidgets(t, kit.Env{})
	svc.Inject(fake.Fault{Op: "widgets.create", Drop: true, Times: 1})
	_, err := svc.Client().Post(svc.URL()+"/widgets", "application/json", strings.NewReader(`{"name":"a"}`))
	if err == nil {
		t.Fatal("dropped connection: want a client error, got a response")
	}
	reqs := svc.Requests()
	if len(reqs) != 1 || !reqs[0].Dropped || reqs[0].Status != 0 {
		t.Errorf("journal after drop = %+v", reqs)
	}

	// A long delay is cut short by the client's own deadline.
	svc.Inject(fake.Fault{Op: "widgets.get", Delay: time.Hour, Status: 200})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", svc.URL()+"/widgets/1", nil)
	start := time.Now()
	_, err = svc.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delayed request: err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("delay was not cancelled")
	}
}

func TestDelayOnlyFaultPassesThrough(t *testing.T) {
	svc := newWidgets(t, kit.Env{})
	h := svc.Inject(fake.Fault{Op: "widgets.create", Delay: 10 * time.Millisecond})
	code, body := do(t, svc.Client(), "POST", svc.URL()+"/widgets", `{"name":"slow"}`)
	if code != 201 || !strings.Contains(body, "slow") || h.Hits() != 1 {
		t.Errorf("delay-only fault: %d %s hits=%d", code, body, h.Hits())
	}
}

func TestCloseCancelsDelay(t *testing.T) {
	svc := newWidgets(t, kit.Env{})
	svc.Inject(fake.Fault{Delay: time.Hour, Status: 500})
	errc := make(chan error, 1)
	go func() {
		_, err := svc.Client().Get(svc.URL() + "/widgets/1")
		errc <- err
	}()
	// Wait until the request is in the journal, then close.
	deadline := time.Now().Add(5 * time.Second)
	for len(svc.Requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { svc.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited on a delayed request")
	}
	if err := <-errc; err == nil {
		t.Error("want an error from a request cut by Close")
	}
}

func TestPipelineErrors(t *testing.T) {
	svc := newWidgets(t, kit.Env{}, func(s *kit.Spec) { s.MaxBody = 16 })
	tests := []struct {
		name, method, path, body string
		status                   int
		msg                      string
	}{
		{"unknown path", "GET", "/nope", "", 404, "could not be found"},
		{"wrong method", "DELETE", "/widgets", "", 405, "DELETE is not allowed"},
		{"too large", "POST", "/widgets", `{"name":"aaaaaaaaaaaaaaaaaaaaaaaa"}`, 413, "larger than the limit of 16"},
		{"empty body", "POST", "/widgets", "", 400, "empty"},
		{"bad json", "POST", "/widgets", `{"name":`, 400, "truncated"},
		{"wrong type", "POST", "/widgets", `{"name":1}`, 400, "name must be a string"},
		{"unknown field", "POST", "/widgets", `{"x":1}`, 400, `unknown field`},
		{"trailing", "POST", "/widgets", `{} {}`, 400, "unexpected data"},
		{"trailing brace", "POST", "/widgets", `{}}`, 400, "unexpected data"},
		{"trailing bracket", "POST", "/widgets", "{} ]\n", 400, "unexpected data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, svc.Client(), tc.method, svc.URL()+tc.path, tc.body)
			if code != tc.status || !strings.Contains(body, tc.msg) {
				t.Errorf("%s %s = %d %s; want %d containing %q", tc.method, tc.path, code, body, tc.status, tc.msg)
			}
		})
	}
	for _, r := range svc.Requests() {
		if r.Status == 0 {
			t.Errorf("journal entry without status: %+v", r)
		}
	}
}

func TestAuthenticatorAndProjectCheck(t *testing.T) {
	auth := func(r *http.Request) (kit.Principal, *kit.Error) {
		switch r.Header.Get("X-Auth-Token") {
		case "tok-p1":
			return kit.Principal{Token: "tok-p1", ProjectID: "p1"}, nil
		case "tok-p2":
			return kit.Principal{Token: "tok-p2", ProjectID: "p2"}, nil
		}
		return kit.Principal{}, kit.Errorf(401, "The request you have made requires authentication.")
	}
	srv := newWidgets(t, kit.Env{Auth: auth})
	for _, tc := range []struct {
		token  string
		status int
	}{{"", 401}, {"bogus", 401}, {"tok-p1", 200}, {"tok-p2", 403}} {
		req, _ := http.NewRequest("GET", srv.URL()+"/widgets/1", nil)
		if tc.token != "" {
			req.Header.Set("X-Auth-Token", tc.token)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("token %q: status %d, want %d", tc.token, resp.StatusCode, tc.status)
		}
	}
}

func TestFaultJSONRoundTrip(t *testing.T) {
	in := `{"name":"slow-create","op":"compute.servers.create","status":503,"delay":"1.5s","skip":1,"times":2,"probability":0.25,"headers":{"Retry-After":["3"]}}`
	var f fake.Fault
	if err := json.Unmarshal([]byte(in), &f); err != nil {
		t.Fatal(err)
	}
	want := fake.Fault{Name: "slow-create", Op: "compute.servers.create", Status: 503, Delay: 1500 * time.Millisecond,
		Skip: 1, Times: 2, Probability: 0.25, Header: http.Header{"Retry-After": {"3"}}}
	if diff := cmp.Diff(want, f, cmp.Comparer(func(a, b func(fake.Request) bool) bool { return a == nil && b == nil })); diff != "" {
		t.Errorf("decoded fault (-want +got):\n%s", diff)
	}
	for _, bad := range []string{`{"status":1000}`, `{"status":100}`, `{"delay":"soon"}`, `{"probability":2}`, `{"times":-1}`, `{"path":"[" }`,
		`{"paht":"/x","status":503}`} {
		if err := json.Unmarshal([]byte(bad), &f); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestJournalResetAndLimit(t *testing.T) {
	j := fake.NewJournal(4)
	svcA := newWidgets(t, kit.Env{Journal: j})
	for i := 0; i < 10; i++ {
		do(t, svcA.Client(), "GET", svcA.URL()+"/widgets/1", "")
	}
	reqs := j.Requests()
	if len(reqs) > 4 || reqs[len(reqs)-1].Seq != 10 {
		t.Errorf("limited journal kept %d entries, last seq %d", len(reqs), reqs[len(reqs)-1].Seq)
	}
	svcA.ResetRequests()
	if n := len(j.Requests()); n != 0 {
		t.Errorf("after reset: %d entries", n)
	}
}

// TestJournalStatusIsTheFinalAnswer: a 103 Early Hints before the answer is
// not the answer, and a handler that panics before answering drops the
// connection, which the journal must not record as a 200.
func TestJournalStatusIsTheFinalAnswer(t *testing.T) {
	svc := newWidgets(t, kit.Env{}, func(s *kit.Spec) {
		s.Routes = func() []kit.Route {
			return []kit.Route{
				{Op: "hints", Method: "GET", Path: "/hints", Handler: func(*kit.Call) (kit.Reply, error) {
					return kit.Stream(func(w http.ResponseWriter, _ *http.Request) {
						w.Header().Set("Link", "</style.css>; rel=preload")
						w.WriteHeader(http.StatusEarlyHints)
						w.WriteHeader(http.StatusCreated)
					}), nil
				}},
				{Op: "abort", Method: "POST", Path: "/abort", Handler: func(*kit.Call) (kit.Reply, error) {
					panic(http.ErrAbortHandler)
				}},
			}
		}
	})

	if code, _ := do(t, svc.Client(), "GET", svc.URL()+"/hints", ""); code != http.StatusCreated {
		t.Fatalf("GET /hints = %d", code)
	}
	// POST: the client would retry an idempotent GET on the dropped connection.
	if _, err := svc.Client().Post(svc.URL()+"/abort", "application/json", strings.NewReader("{}")); err == nil {
		t.Fatal("POST /abort: want a dropped connection")
	}
	type outcome struct {
		Op      string
		Status  int
		Dropped bool
	}
	var got []outcome
	for _, r := range svc.Requests() {
		got = append(got, outcome{r.Op, r.Status, r.Dropped})
	}
	want := []outcome{{"hints", 201, false}, {"abort", 0, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
}

// TestRegionalServices: two regions of one service share a journal and a
// fault table; each region's Inject, Requests and ResetRequests are its own.
func TestRegionalServices(t *testing.T) {
	env := kit.Env{}.Complete()
	a := newWidgetsIn(t, env, "A")
	b := newWidgetsIn(t, env, "B")

	a.Inject(fake.Fault{Op: "widgets.get", Status: http.StatusServiceUnavailable})
	if code, _ := do(t, a.Client(), "GET", a.URL()+"/widgets/1", ""); code != 503 {
		t.Errorf("region A = %d, want the injected 503", code)
	}
	if code, _ := do(t, b.Client(), "GET", b.URL()+"/widgets/1", ""); code != 200 {
		t.Errorf("region B = %d, want 200: A's fault leaked into B", code)
	}
	if got := a.Requests(); len(got) != 1 || got[0].Region != "A" {
		t.Errorf("A's requests = %+v", got)
	}
	a.ResetRequests()
	if got := env.Journal.Requests(); len(got) != 1 || got[0].Region != "B" {
		t.Errorf("after A's reset the journal holds %+v, want B's request only", got)
	}
}

// TestPanicAnswersAndServiceServes: a handler that panics while it holds
// a lock (with defer, as every handler must) is answered with a 500 in the
// native format, the journal says so, and the next request, which takes
// the same lock, is served. Each service package repeats this with its own
// lock and a real handler.
func TestPanicAnswersAndServiceServes(t *testing.T) {
	var mu sync.Mutex
	svc := newWidgets(t, kit.Env{})
	svc.Intercept("widgets.get", func(next kit.Handler) kit.Handler {
		return func(c *kit.Call) (kit.Reply, error) {
			if c.Var("id") != "boom" {
				mu.Lock()
				defer mu.Unlock()
				return next(c)
			}
			mu.Lock()
			defer mu.Unlock()
			panic("boom")
		}
	})
	code, body := do(t, svc.Client(), "GET", svc.URL()+"/widgets/boom", "")
	if code != 500 || !strings.Contains(body, `"code":500`) || !strings.Contains(body, "widgets.get panicked: boom") {
		t.Errorf("panicking handler = %d %s; want the native 500", code, body)
	}
	if code, body := do(t, svc.Client(), "GET", svc.URL()+"/widgets/1", ""); code != 200 {
		t.Errorf("after the panic = %d %s; want 200", code, body)
	}
	got := svc.Requests()
	if len(got) != 2 || got[0].Status != 500 || got[0].Dropped {
		t.Errorf("journal = %+v", got)
	}
}

// TestRefinedOps: an RPC-style route names each call by its body; faults
// and the journal see the refined op, and Ops lists them all.
func TestRefinedOps(t *testing.T) {
	svc := newWidgets(t, kit.Env{}, func(s *kit.Spec) {
		s.Routes = func() []kit.Route {
			return []kit.Route{{
				Op: "widgets.action", Method: "POST", Path: "/widgets/{id}/action",
				Ops: []string{"widgets.action.spin", "widgets.action.stop"},
				Refine: func(_ *http.Request, body []byte) string {
					var in map[string]json.RawMessage
					if json.Unmarshal(body, &in) != nil || len(in) != 1 {
						return ""
					}
					for k := range in {
						if k == "spin" || k == "stop" {
							return "widgets.action." + k
						}
					}
					return ""
				},
				Handler: func(c *kit.Call) (kit.Reply, error) { return kit.Status(http.StatusAccepted), nil },
			}}
		}
	})
	svc.Inject(fake.Fault{Op: "widgets.action.stop", Status: 409})
	var got []int
	for _, body := range []string{`{"spin":null}`, `{"stop":null}`, `{"fly":null}`, `not json`} {
		code, _ := do(t, svc.Client(), "POST", svc.URL()+"/widgets/1/action", body)
		got = append(got, code)
	}
	if diff := cmp.Diff([]int{202, 409, 202, 202}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	fake.CheckOps(t, svc.Requests(), "widgets.action.spin", "widgets.action.stop", "widgets.action", "widgets.action")
	if diff := cmp.Diff([]string{"widgets.action", "widgets.action.spin", "widgets.action.stop"}, svc.Ops()); diff != "" {
		t.Errorf("Ops (-want +got):\n%s", diff)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	svc := newWidgets(t, kit.Env{})
	req, _ := http.NewRequest("PUT", svc.URL()+"/widgets/1", nil)
	resp, err := svc.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 405 || !strings.Contains(string(body), "The method PUT is not allowed") || resp.Header.Get("Allow") != "GET" {
		t.Errorf("PUT = %d %s, Allow %q; want 405, Allow GET", resp.StatusCode, body, resp.Header.Get("Allow"))
	}
}

// TestStreamsAreIndependent: each service's stream is derived from the
// root seed and its name and region: the same seed gives the same IDs,
// another region or seed others. (That one service's traffic never shifts
// another's is tested on a whole Cloud, in the root package.)
func TestStreamsAreIndependent(t *testing.T) {
	env := kit.Env{Seed: 7}
	first := kit.NewService(env, "A", kit.Spec{Name: "widgets"}).RNG().UUID()
	if again := kit.NewService(env, "A", kit.Spec{Name: "widgets"}).RNG().UUID(); again != first {
		t.Errorf("same seed and stream: %s then %s", first, again)
	}
	if b := kit.NewService(env, "B", kit.Spec{Name: "widgets"}).RNG().UUID(); b == first {
		t.Errorf("regions A and B share a stream: %s", b)
	}
	if c := kit.NewService(kit.Env{Seed: 8}, "A", kit.Spec{Name: "widgets"}).RNG().UUID(); c == first {
		t.Errorf("seeds 7 and 8 give the same first ID %s", c)
	}
}

func TestSettle(t *testing.T) {
	type cfgA struct{ n int }
	type cfgB struct{ s string }
	withN := func(n int) fake.Option { return fake.Configure(func(c *cfgA) { c.n = n }) }
	withS := func(s string) fake.Option { return fake.Configure(func(c *cfgB) { c.s = s }) }

	var a cfgA
	s, err := kit.Settle("a", []fake.Option{withN(3), fake.WithSeed(9), fake.WithRegion("DFW")}, false, &a)
	if err != nil || a.n != 3 || s.Seed != 9 || !s.SeedSet || s.Region != "DFW" {
		t.Errorf("standalone: %+v %+v %v", a, s, err)
	}
	if _, err := kit.Settle("a", []fake.Option{fake.WithSeed(9)}, true, &a); err == nil || !strings.Contains(err.Error(), "WithSeed cannot be given to one service of a Cloud") {
		t.Errorf("WithSeed inside a Cloud: err = %v", err)
	}
	if _, err := kit.Settle("a", []fake.Option{withS("x")}, false, &a); err == nil || !strings.Contains(err.Error(), "given to") {
		t.Errorf("another service's option: err = %v", err)
	}
}

func TestRegistry(t *testing.T) {
	g := kit.NewRegistry[*int](nil)
	one, two := 1, 2
	id1, id2 := g.Add(&one), g.Add(&two)
	if id1 != "00000000-0000-4000-8000-000000000001" || id2 == id1 {
		t.Errorf("ids %s %s", id1, id2)
	}
	if id, ok := g.First(func(_ string, v *int) bool { *v += 10; return *v > 11 }); !ok || id != id2 {
		t.Errorf("First = %s %v", id, ok)
	}
	if one != 11 || two != 12 {
		t.Errorf("First did not visit in order: %d %d", one, two)
	}
	if !g.Remove(id1) || g.Remove(id1) || g.Len() != 1 {
		t.Errorf("Remove: len %d", g.Len())
	}
	id3 := g.Add(&one)
	if id3 == id1 {
		t.Errorf("an ID was reused: %s", id3)
	}
	if g.RemoveIf(id3, func(v *int) bool { return *v != 11 }) || g.Len() != 2 {
		t.Errorf("RemoveIf removed an entry its check refused")
	}
	if !g.RemoveIf(id3, func(v *int) bool { return *v == 11 }) || g.Len() != 1 {
		t.Errorf("RemoveIf kept an entry its check allowed")
	}
	snap := kit.Snapshot(g, func(id string, v *int) string { return fmt.Sprintf("%s=%d", id, *v) })
	if diff := cmp.Diff([]string{id2 + "=12"}, snap); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}
}

// TestAnyMethod: a "*" route takes every method; its handler answers the
// others itself.
func TestAnyMethod(t *testing.T) {
	svc := newWidgets(t, kit.Env{}, func(s *kit.Spec) {
		s.Routes = func() []kit.Route {
			return []kit.Route{{Op: "any", Method: "*", Path: "/any", Handler: func(c *kit.Call) (kit.Reply, error) {
				return kit.Text(http.StatusOK, c.Request.Method), nil
			}}}
		}
	})
	for _, m := range []string{"GET", "PATCH", "BREW"} {
		if code, body := do(t, svc.Client(), m, svc.URL()+"/any", ""); code != 200 || body != m {
			t.Errorf("%s /any = %d %q", m, code, body)
		}
	}
}

// TestFactory: the constructors a service gets from its build function
// read the options, make the Env and resolve the region the same way for
// every service.
func TestFactory(t *testing.T) {
	type cfg struct{ greeting string }
	withGreeting := func(g string) fake.Option { return fake.Configure(func(c *cfg) { c.greeting = g }) }
	var built []string
	factory := func(defaultRegion string) kit.Factory[*widgets, cfg] {
		return kit.Factory[*widgets, cfg]{
			Name: "widgets", DefaultRegion: defaultRegion,
			Config: func() cfg { return cfg{greeting: "hi"} },
			Build: func(env kit.Env, site kit.Site, c cfg) (*widgets, error) {
				built = append(built, site.Region+":"+c.greeting)
				return &widgets{kit.NewService(env, site.Region, kit.Spec{Name: "widgets", Routes: widgetRoutes, Errors: widgetError})}, nil
			},
		}
	}
	w := factory("A").New(t, []fake.Option{withGreeting("hello")})
	if code, _ := do(t, w.Client(), "GET", w.URL()+"/widgets/1", ""); code != 200 {
		t.Errorf("started service answered %d", code)
	}
	if _, err := factory("A").NewUnstarted([]fake.Option{fake.WithRegion("B")}); err != nil {
		t.Errorf("WithRegion on a per-region service: %v", err)
	}
	if _, err := factory("").NewUnstarted([]fake.Option{fake.WithRegion("B")}); err == nil || !strings.Contains(err.Error(), "not per region") {
		t.Errorf("WithRegion on a service not per region: err = %v", err)
	}
	env := kit.Env{Seed: 5}.Complete()
	inst, err := factory("A").InCloud(env, kit.Site{Region: "C", Regions: []string{"C"}}, nil)
	if err != nil || inst.Region() != "C" {
		t.Errorf("InCloud = %v, %v", inst, err)
	}
	if inst, err := factory("A").InCloud(env, kit.Site{Region: "C"}, []fake.Option{fake.WithSeed(1)}); err == nil || inst != nil {
		t.Errorf("InCloud with WithSeed = %v, %v; want a nil Instance and an error", inst, err)
	}
	if diff := cmp.Diff([]string{"A:hello", "B:hi", "C:hi"}, built); diff != "" {
		t.Errorf("builds (-want +got):\n%s", diff)
	}
}

// TestStatusOutsideHTTP: a handler's status that is not a final HTTP
// status is answered as a 500, never passed to net/http (which panics on
// some and treats 1xx as an interim answer).
func TestStatusOutsideHTTP(t *testing.T) {
	for _, status := range []int{42, 103, 1000} {
		svc := newWidgets(t, kit.Env{}, func(s *kit.Spec) {
			s.Routes = func() []kit.Route {
				return []kit.Route{{Op: "odd", Method: "GET", Path: "/odd", Handler: func(*kit.Call) (kit.Reply, error) {
					return kit.Reply{}, kit.Errorf(status, "odd")
				}}}
			}
		})
		code, body := do(t, svc.Client(), "GET", svc.URL()+"/odd", "")
		if code != 500 || !strings.Contains(body, `"code":500`) || !strings.Contains(body, "odd") {
			t.Errorf("status %d: answered %d %s; want 500", status, code, body)
		}
		if got := svc.Requests(); len(got) != 1 || got[0].Status != 500 || got[0].Dropped {
			t.Errorf("status %d: journal %+v", status, got)
		}
	}
}

// TestPanicsOutsideTheHandler: a Refine that panics keeps the route's op;
// a fault predicate or a stream that panics drops the connection, and the
// journal records a drop, not a 200.
func TestPanicsOutsideTheHandler(t *testing.T) {
	svc := newWidgets(t, kit.Env{}, func(s *kit.Spec) {
		s.Routes = func() []kit.Route {
			return []kit.Route{
				{Op: "refined", Method: "POST", Path: "/refine", Ops: []string{"refined.x"},
					Refine:  func(*http.Request, []byte) string { panic("refine") },
					Handler: func(*kit.Call) (kit.Reply, error) { return kit.Status(http.StatusNoContent), nil }},
				{Op: "stream", Method: "POST", Path: "/stream", Handler: func(*kit.Call) (kit.Reply, error) {
					return kit.Stream(func(w http.ResponseWriter, _ *http.Request) {
						w.WriteHeader(http.StatusOK)
						w.(http.Flusher).Flush()
						panic("halfway")
					}), nil
				}},
			}
		}
	})
	if code, _ := do(t, svc.Client(), "POST", svc.URL()+"/refine", "{}"); code != http.StatusNoContent {
		t.Errorf("a panicking Refine: %d, want the handler's 204", code)
	}
	resp, err := svc.Client().Post(svc.URL()+"/stream", "application/json", strings.NewReader("{}"))
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Error("a stream that panicked: want a broken response")
	}
	svc.Inject(fake.Fault{Op: "refined", Match: func(fake.Request) bool { panic("predicate") }})
	if _, err := svc.Client().Post(svc.URL()+"/refine", "application/json", strings.NewReader("{}")); err == nil {
		t.Error("a panicking fault predicate: want a dropped connection")
	}
	type outcome struct {
		Op      string
		Status  int
		Dropped bool
	}
	var got []outcome
	for _, r := range svc.Requests() {
		got = append(got, outcome{r.Op, r.Status, r.Dropped})
	}
	want := []outcome{{"refined", 204, false}, {"stream", 0, true}, {"refined", 0, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
}

// TestSuccessFault: a fault with a success or redirect status and no body
// answers that status alone (a 202 that did nothing, a 304).
func TestSuccessFault(t *testing.T) {
	svc := newWidgets(t, kit.Env{})
	svc.Inject(fake.Fault{Op: "widgets.create", Status: http.StatusAccepted})
	if code, body := do(t, svc.Client(), "POST", svc.URL()+"/widgets", `{"name":"a"}`); code != 202 || body != "" {
		t.Errorf("fault 202 = %d %q; want 202 with no body", code, body)
	}
}

// A service that names request-ID headers answers every request with a
// fresh "req-<uuid>" in each of them, errors and faults included; the
// handler and the journal see the same ID, and drawing IDs leaves the
// service's own random stream alone.
func TestRequestIDHeaders(t *testing.T) {
	env := kit.Env{Seed: 7}
	var seen []string
	plain := kit.NewService(env, "", kit.Spec{Name: "w", Routes: func() []kit.Route { return nil }})
	svc := kit.NewService(env, "", kit.Spec{
		Name: "w", RequestIDHeaders: []string{"X-Openstack-Request-Id", "X-Compute-Request-Id"},
		Errors: func(_ *http.Request, e *kit.Error) kit.Reply { return kit.Text(e.Status, e.Message) },
		Routes: func() []kit.Route {
			return []kit.Route{{Op: "w.get", Method: "GET", Path: "/w", Public: true, Handler: func(c *kit.Call) (kit.Reply, error) {
				seen = append(seen, c.RequestID)
				return kit.OK(map[string]string{}), nil
			}}}
		},
	})
	if a, b := plain.RNG().UUID(), svc.RNG().UUID(); a != b {
		t.Errorf("request IDs moved the service's stream: %s != %s", a, b)
	}
	svc.Start()
	defer svc.Close()
	ids := map[string]bool{}
	for _, path := range []string{"/w", "/w", "/nowhere"} {
		resp, err := svc.Client().Get(svc.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Openstack-Request-Id")
		if !strings.HasPrefix(id, "req-") || len(id) != 40 || resp.Header.Get("X-Compute-Request-Id") != id {
			t.Errorf("%s: request IDs %q and %q", path, id, resp.Header.Get("X-Compute-Request-Id"))
		}
		ids[id] = true
	}
	if len(ids) != 3 {
		t.Errorf("IDs %v, want three distinct", ids)
	}
	reqs := svc.Requests()
	if len(seen) != 2 || reqs[0].RequestID != seen[0] || reqs[1].RequestID != seen[1] || !ids[reqs[2].RequestID] {
		t.Errorf("handler saw %v, journal %q %q %q", seen, reqs[0].RequestID, reqs[1].RequestID, reqs[2].RequestID)
	}
}

// TestBareRequestIDs: restify's request IDs are the UUID alone.
func TestBareRequestIDs(t *testing.T) {
	svc := kit.NewService(kit.Env{Seed: 7}, "", kit.Spec{
		Name: "r", RequestIDHeaders: []string{"Request-Id"}, BareRequestIDs: true,
		Errors: func(_ *http.Request, e *kit.Error) kit.Reply { return kit.Text(e.Status, e.Message) },
		Routes: func() []kit.Route { return nil },
	})
	svc.Start()
	defer svc.Close()
	resp, err := svc.Client().Get(svc.URL() + "/nowhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if id := resp.Header.Get("Request-Id"); len(id) != 36 || strings.HasPrefix(id, "req-") || svc.Requests()[0].RequestID != id {
		t.Errorf("Request-Id %q, journal %q: want a bare UUID in both", id, svc.Requests()[0].RequestID)
	}
}
