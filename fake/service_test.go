package fake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// newWidgetService builds a tiny fake with two named routes and a native
// error format, the way real service packages do.
func newWidgetService(t *testing.T, env fake.Env) (*fake.Service, *fake.Server) {
	t.Helper()
	r := mux.NewRouter()
	r.HandleFunc("/widgets", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Name string `json:"name"`
		}
		if err := fake.DecodeJSON(r, &in, fake.DecodeOptions{DisallowUnknownFields: true}); err != nil {
			writeErr(w, r, err.Status, err.Message)
			return
		}
		fake.WriteJSON(w, http.StatusCreated, map[string]string{"name": in.Name})
	}).Methods("POST").Name("widgets.create")
	r.HandleFunc("/widgets/{id}", func(w http.ResponseWriter, r *http.Request) {
		if p, out := fake.OutOfScope(r, "p1"); out {
			writeErr(w, r, http.StatusForbidden, "token scoped to "+p.ProjectID)
			return
		}
		fake.WriteJSON(w, http.StatusOK, map[string]string{"id": mux.Vars(r)["id"]})
	}).Methods("GET").Name("widgets.get")
	svc := fake.NewService("widgets", func() *mux.Router { return r }, env, writeErr)
	return svc, fake.StartServer(t, svc, svc.Close)
}

func writeErr(w http.ResponseWriter, _ *http.Request, status int, msg string) {
	fake.WriteJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg}})
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
	svc, srv := newWidgetService(t, fake.Env{})
	h := svc.Inject(fake.Fault{Op: "widgets.create", Status: 503, Times: 2})

	var got []int
	for i := 0; i < 3; i++ {
		code, _ := do(t, srv.Client(), "POST", srv.URL()+"/widgets", `{"name":"a"}`)
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
	svc, srv := newWidgetService(t, fake.Env{})
	svc.Inject(fake.Fault{Op: "widgets.get", Path: "/widgets/custom", Status: 418, Body: `{"teapot":true}`,
		Header: http.Header{"Retry-After": {"7"}}})
	svc.Inject(fake.Fault{Method: "GET", Status: 500})

	code, body := do(t, srv.Client(), "GET", srv.URL()+"/widgets/custom", "")
	if code != 418 || body != `{"teapot":true}` {
		t.Errorf("custom fault = %d %s", code, body)
	}
	code, body = do(t, srv.Client(), "GET", srv.URL()+"/widgets/other", "")
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
	svc, srv := newWidgetService(t, fake.Env{RNG: fake.NewRNG(42)})
	// The second create only: skip one, fire once.
	second := svc.Inject(fake.Fault{Op: "widgets.create", Skip: 1, Times: 1, Status: 409})
	// Only bodies naming "evil".
	svc.Inject(fake.Fault{Op: "widgets.create", Status: 400, Match: func(r fake.Request) bool {
		return strings.Contains(r.Body, "evil")
	}})
	var got []int
	for _, name := range []string{"a", "b", "c", "evil"} {
		code, _ := do(t, srv.Client(), "POST", srv.URL()+"/widgets", `{"name":"`+name+`"}`)
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
		do(t, srv.Client(), "GET", srv.URL()+"/widgets/x", "")
	}
	if n := half.Hits(); n < 60 || n > 140 {
		t.Errorf("probability 0.5 fired %d/200 times", n)
	}
}

func TestFaultDropAndDelay(t *testing.T) {
	svc, srv := newWidgetService(t, fake.Env{})
	svc.Inject(fake.Fault{Op: "widgets.create", Drop: true, Times: 1})
	_, err := srv.Client().Post(srv.URL()+"/widgets", "application/json", strings.NewReader(`{"name":"a"}`))
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
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL()+"/widgets/1", nil)
	start := time.Now()
	_, err = srv.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delayed request: err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("delay was not cancelled")
	}
}

func TestDelayOnlyFaultPassesThrough(t *testing.T) {
	svc, srv := newWidgetService(t, fake.Env{})
	h := svc.Inject(fake.Fault{Op: "widgets.create", Delay: 10 * time.Millisecond})
	code, body := do(t, srv.Client(), "POST", srv.URL()+"/widgets", `{"name":"slow"}`)
	if code != 201 || !strings.Contains(body, "slow") || h.Hits() != 1 {
		t.Errorf("delay-only fault: %d %s hits=%d", code, body, h.Hits())
	}
}

func TestCloseCancelsDelay(t *testing.T) {
	svc, srv := newWidgetService(t, fake.Env{})
	svc.Inject(fake.Fault{Delay: time.Hour, Status: 500})
	errc := make(chan error, 1)
	go func() {
		_, err := srv.Client().Get(srv.URL() + "/widgets/1")
		errc <- err
	}()
	// Wait until the request is in the journal, then close.
	deadline := time.Now().Add(5 * time.Second)
	for len(svc.Requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
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
	svc, srv := newWidgetService(t, fake.Env{})
	svc.MaxBody = 16
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
			code, body := do(t, srv.Client(), tc.method, srv.URL()+tc.path, tc.body)
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
	auth := func(r *http.Request) (fake.Principal, *fake.Error) {
		switch r.Header.Get("X-Auth-Token") {
		case "tok-p1":
			return fake.Principal{Token: "tok-p1", ProjectID: "p1"}, nil
		case "tok-p2":
			return fake.Principal{Token: "tok-p2", ProjectID: "p2"}, nil
		}
		return fake.Principal{}, fake.Errorf(401, "The request you have made requires authentication.")
	}
	_, srv := newWidgetService(t, fake.Env{Auth: auth})
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
	svcA, srvA := newWidgetService(t, fake.Env{Journal: j})
	for i := 0; i < 10; i++ {
		do(t, srvA.Client(), "GET", srvA.URL()+"/widgets/1", "")
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
	r := mux.NewRouter()
	r.HandleFunc("/hints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusCreated)
	}).Name("hints")
	r.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler) // any panic; this one net/http does not log
	}).Name("panic")
	svc := fake.NewService("widgets", func() *mux.Router { return r }, fake.Env{}, writeErr)
	srv := fake.StartServer(t, svc, svc.Close)

	if code, _ := do(t, srv.Client(), "GET", srv.URL()+"/hints", ""); code != http.StatusCreated {
		t.Fatalf("GET /hints = %d", code)
	}
	// POST: the client would retry an idempotent GET on the dropped connection.
	if _, err := srv.Client().Post(srv.URL()+"/panic", "application/json", strings.NewReader("{}")); err == nil {
		t.Fatal("POST /panic: want a dropped connection")
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
	want := []outcome{{"hints", 201, false}, {"panic", 0, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
}

// TestRegionalServices: two regions of one service share a journal and a
// fault table; each region's Inject, Requests and ResetRequests are its own.
func TestRegionalServices(t *testing.T) {
	env := fake.Env{}.Complete()
	region := func(name string) (*fake.Service, *fake.Server) {
		r := mux.NewRouter()
		r.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {
			fake.WriteJSON(w, http.StatusOK, map[string]string{"region": name})
		}).Name("ping")
		svc := fake.NewService("widgets", func() *mux.Router { return r }, env, writeErr)
		svc.Region = name
		return svc, fake.StartServer(t, svc, svc.Close)
	}
	a, srvA := region("A")
	_, srvB := region("B")

	a.Inject(fake.Fault{Op: "ping", Status: http.StatusServiceUnavailable})
	if code, _ := do(t, srvA.Client(), "GET", srvA.URL()+"/ping", ""); code != 503 {
		t.Errorf("region A = %d, want the injected 503", code)
	}
	if code, _ := do(t, srvB.Client(), "GET", srvB.URL()+"/ping", ""); code != 200 {
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
