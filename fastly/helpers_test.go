package fastly_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/fastly"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

// response is one HTTP answer, fully read.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// obj decodes the body as a JSON object.
func (r response) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// list decodes the body as a JSON array of objects.
func (r response) list(t testing.TB) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal(r.Body, &l); err != nil {
		t.Fatalf("body is not a JSON array: %v\n%s", err, r.Body)
	}
	return l
}

// api talks HTTP to a started Fastly.
type api struct {
	t   testing.TB
	srv *fastly.Fastly
	c   *kittest.Client
	key string
}

func newAPI(t testing.TB, opts ...fastly.Option) *api {
	t.Helper()
	return startAPI(t, fastly.New(t, opts...))
}

// startAPI starts srv unless it is started, and talks to it.
func startAPI(t testing.TB, srv *fastly.Fastly) *api {
	t.Helper()
	if srv.URL() == "" {
		kit.Start(t, srv)
	}
	return &api{t: t, srv: srv, c: kittest.New(t, srv.URL(), srv.Client()), key: "test-key"}
}

// do sends a request with the given content type (none when empty) and
// the api's key (none when a.key is empty).
func (a *api) do(method, path, contentType, body string, headers ...string) response {
	a.t.Helper()
	hs := []string{"Accept", "application/json"}
	if contentType != "" {
		hs = append(hs, "Content-Type", contentType)
	}
	if a.key != "" {
		hs = append(hs, "Fastly-Key", a.key)
	}
	r := a.c.Do(method, path, body, append(hs, headers...)...)
	return response{Status: r.Status, Header: r.Header, Body: r.Body}
}

func (a *api) get(path string) response { return a.do("GET", path, "", "") }

// form sends a form-encoded body built from name, value pairs.
func (a *api) form(method, path string, kv ...string) response {
	a.t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return a.do(method, path, formType, v.Encode())
}

// json sends a JSON body.
func (a *api) json(method, path, body string) response {
	a.t.Helper()
	return a.do(method, path, jsonType, body)
}

// must checks the status and returns the response.
func (a *api) must(r response, status int) response {
	a.t.Helper()
	if r.Status != status {
		a.t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// newService creates a service over HTTP and returns its ID.
func (a *api) newService(name string) string {
	a.t.Helper()
	return a.must(a.form("POST", "/service", "name", name), 200).obj(a.t)["id"].(string)
}

// checkError checks a Fastly error body: the status, the msg, and a detail
// containing want (when want is not empty).
func checkError(t testing.TB, r response, status int, msg, want string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d; body %s", r.Status, status, r.Body)
		return
	}
	var e struct {
		Msg    string  `json:"msg"`
		Detail *string `json:"detail"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Errorf("error body is not JSON: %v: %s", err, r.Body)
		return
	}
	if e.Msg != msg {
		t.Errorf("msg %q, want %q (body %s)", e.Msg, msg, r.Body)
	}
	if want != "" && (e.Detail == nil || !strings.Contains(*e.Detail, want)) {
		t.Errorf("detail does not contain %q: %s", want, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}
