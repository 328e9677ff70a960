// Package kittest is the harness every service's tests share: a client
// that sends one request and reads the whole answer, and checks on that
// answer that report as a test does. It talks HTTP, through a socket or
// straight to a handler, so a test exercises the whole pipeline.
package kittest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// Client sends requests to one fake.
type Client struct {
	t testing.TB
	// Base is prefixed to every path ("http://127.0.0.1:41321", or a root
	// such as ".../v2.1/p1").
	Base string
	// Header is sent with every request (X-Auth-Token, Fastly-Key …).
	Header http.Header
	// HTTP sends the requests; nil sends them straight to Handler.
	HTTP    *http.Client
	Handler http.Handler
}

// New returns a client for the server at base, using hc. Redirects are not
// followed: a 301 is an answer.
func New(t testing.TB, base string, hc *http.Client) *Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{t: t, Base: base, HTTP: &c, Header: http.Header{}}
}

// ForHandler returns a client that calls h in process, with no socket.
func ForHandler(t testing.TB, h http.Handler) *Client {
	return &Client{t: t, Handler: h, Header: http.Header{}}
}

// With returns a copy of c with base extended by path and the header pairs
// added ("X-Auth-Token", tok …).
func (c *Client) With(path string, headers ...string) *Client {
	n := *c
	n.Base += path
	n.Header = c.Header.Clone()
	for i := 0; i+1 < len(headers); i += 2 {
		n.Header.Set(headers[i], headers[i+1])
	}
	return &n
}

// In returns a copy of c whose answers report to t: a subtest sharing its
// parent's client fails itself, not its parent.
func (c *Client) In(t testing.TB) *Client {
	n := *c
	n.t = t
	return &n
}

// Response is an answer, fully read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	t      testing.TB
	what   string
}

// Do sends method path with body and the header pairs. A non-empty body is
// sent as JSON unless a Content-Type pair says otherwise; a pair with an
// empty value removes that header (a request without a Content-Type).
func (c *Client) Do(method, path, body string, headers ...string) *Response {
	c.t.Helper()
	if len(headers)%2 != 0 {
		c.t.Fatalf("kittest: odd header list %q", headers)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if c.Handler != nil {
		req = httptest.NewRequest(method, c.Base+path, rd)
	}
	if err != nil {
		c.t.Fatalf("kittest: %s %s: %v", method, path, err)
	}
	for k, vs := range c.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	what := method + " " + path
	if c.Handler != nil {
		return c.serveInProcess(req, what)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("kittest: %s: %v", what, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("kittest: %s: reading body: %v", what, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, t: c.t, what: what}
}

// serveInProcess calls the handler; a dropped connection (a Drop fault, a
// Close during a delay) fails the test as a transport error would.
func (c *Client) serveInProcess(req *http.Request, what string) (resp *Response) {
	c.t.Helper()
	rec := httptest.NewRecorder()
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			c.t.Fatalf("kittest: %s: the connection was dropped", what)
		}
	}()
	c.Handler.ServeHTTP(rec, req)
	return &Response{Status: rec.Code, Header: rec.Result().Header, Body: rec.Body.Bytes(), t: c.t, what: what}
}

// Get is Do("GET", path, "").
func (c *Client) Get(path string, headers ...string) *Response {
	c.t.Helper()
	return c.Do("GET", path, "", headers...)
}

// Expect fails the test unless the status is status; it returns r.
func (r *Response) Expect(status int) *Response {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("%s: status = %d, want %d; body: %s", r.what, r.Status, status, r.Body)
	}
	return r
}

// Decode unmarshals the body into v, rejecting members v does not declare,
// so the shape of the answer is checked and not only its values.
func (r *Response) Decode(v any) {
	r.t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		r.t.Fatalf("%s: decoding %s into %T: %v", r.what, r.Body, v, err)
	}
}

// Object is the body as a generic JSON object.
func (r *Response) Object() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		r.t.Fatalf("%s: body is not a JSON object: %v: %s", r.what, err, r.Body)
	}
	return m
}

// String is the body as text.
func (r *Response) String() string { return string(r.Body) }

// CheckJSON reports, without stopping the test, a diff (-want +got)
// between the body and want, both compared as JSON values. A "<any>"
// string in want matches any value there (a generated ID, a timestamp).
func (r *Response) CheckJSON(want string) bool {
	r.t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		r.t.Fatalf("kittest: want is not JSON: %v: %s", err, want)
	}
	if err := json.Unmarshal(r.Body, &g); err != nil {
		r.t.Errorf("%s: body is not JSON: %v: %s", r.what, err, r.Body)
		return false
	}
	if diff := cmp.Diff(w, MaskAny(w, g)); diff != "" {
		r.t.Errorf("%s: body mismatch (-want +got):\n%s", r.what, diff)
		return false
	}
	return true
}

// AnyValue in a wanted JSON document matches any value.
const AnyValue = "<any>"

// MaskAny returns got, a decoded JSON value, with every value that want
// marks AnyValue replaced by AnyValue, so the two compare equal there.
func MaskAny(want, got any) any {
	if s, ok := want.(string); ok && s == AnyValue {
		return AnyValue
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return got
		}
		out := make(map[string]any, len(g))
		for k, v := range g {
			out[k] = MaskAny(w[k], v)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return got
		}
		out := make([]any, len(g))
		for i, v := range g {
			if i < len(w) {
				v = MaskAny(w[i], v)
			}
			out[i] = v
		}
		return out
	}
	return got
}

// InCloud builds the service d describes as a Cloud would, on env (a
// journal, faults or a token check of the test's own), in site, starts it
// on a loopback port and closes it when the test ends.
func InCloud[S kit.Startable](t testing.TB, d kit.Descriptor, env kit.Env, site kit.Site, opts ...fake.Option) S {
	t.Helper()
	inst, err := d.New(env.Complete(), site, opts)
	if err != nil {
		t.Fatalf("kittest: building %s: %v", d.Name, err)
	}
	s, ok := inst.(S)
	if !ok {
		t.Fatalf("kittest: %s is a %T, not a %T", d.Name, inst, s)
	}
	return kit.Start(t, s)
}
