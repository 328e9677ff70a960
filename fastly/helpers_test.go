package fastly_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/fastly"
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

// api talks plain net/http to a started Fastly.
type api struct {
	t   testing.TB
	srv *fastly.Server
	key string
}

func newAPI(t testing.TB, opts ...fastly.Option) *api {
	t.Helper()
	return &api{t: t, srv: fastly.NewServer(t, opts...), key: "test-key"}
}

// do sends a request with the given content type (none when empty) and
// the api's key (none when a.key is empty).
func (a *api) do(method, path, contentType, body string, headers ...string) response {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.srv.URL()+path, rd)
	if err != nil {
		a.t.Fatalf("NewRequest: %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if a.key != "" {
		req.Header.Set("Fastly-Key", a.key)
	}
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("read body: %v", err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
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
