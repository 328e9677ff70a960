package kit

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/fake"
)

// Handler is the one contract of every route of every service: it gets the
// call and returns the reply, or an error the kit renders in the service's
// native error format (a *Error for an API error; any other error is a 500).
//
// A handler that takes its service's lock releases it with defer, holding
// it for the whole of a small function; helpers whose names end in Locked
// assume it is held. So a handler that panics is answered with a 500 and
// its service goes on serving.
type Handler func(*Call) (Reply, error)

// Route is one row of a service's route table.
type Route struct {
	// Op is the route's stable name, recorded in the journal and matched by
	// faults ("compute.servers.create"). Every route has one, unique to
	// what it does: a path served under several roots keeps one Op.
	Op string
	// Method is the HTTP method; several are separated by commas
	// ("GET,HEAD"); "*" takes every method (a handler that answers the
	// others itself, as Mesos's libprocess does).
	Method string
	// Path is the path template under each of Roots ("/servers/{server_id}").
	Path string
	// Roots are the path prefixes the route is served under
	// ("/v2.1/{project_id}", "/v2/{project_id}"); none means the service root.
	Roots []string
	// Handler answers the route.
	Handler Handler
	// Public routes need no token (version documents, the token-issuing
	// calls, Mimic's control API).
	Public bool
	// Before runs ahead of Handler, after the token check: what a group of
	// routes shares (negotiating a microversion, checking the project in the
	// URL against the token). It may set Call.Version and response headers.
	Before func(*Call) error
	// Refine names an RPC-style call by its body, so each call is its own op
	// (Nova's server actions, Mesos's scheduler calls): it returns one of
	// Ops, or "" to keep Op. It sees the body before any fault or handler.
	Refine func(*http.Request, []byte) string
	// Ops lists every op Refine can return, so the service can list all of
	// its ops.
	Ops []string
}

// Under returns routes served under roots, each run through before: it
// sets the Roots and Before of each (replacing any they had).
func Under(roots []string, before func(*Call) error, routes ...Route) []Route {
	out := make([]Route, len(routes))
	for i, r := range routes {
		r.Roots = roots
		r.Before = before
		out[i] = r
	}
	return out
}

func (r Route) methods() []string {
	methods := strings.Split(r.Method, ",")
	for i, m := range methods {
		methods[i] = strings.TrimSpace(m)
	}
	return methods
}

// Call is one request as a handler sees it.
type Call struct {
	// Request is the HTTP request; its body has been read into Body.
	Request *http.Request
	// Body is the request body, already bounded by the service's limit.
	Body []byte
	// Op is the route's op (refined, for RPC-style calls).
	Op string
	// Principal is who the token says the caller is; Authenticated is false
	// when the service runs without token checks.
	Principal     Principal
	Authenticated bool
	// Version is what the route's Before negotiated (Nova's microversion).
	Version Version
	// Now is the service clock's time when the request arrived.
	Now time.Time
	// RequestID is the request's ID when the service sends one
	// (Spec.RequestIDHeaders), else "".
	RequestID string

	vars   map[string]string
	header http.Header
}

// Var returns a path variable ("server_id").
func (c *Call) Var(name string) string { return c.vars[name] }

// Query returns the parsed query string.
func (c *Call) Query() url.Values { return c.Request.URL.Query() }

// Header returns the response headers to send with the reply.
func (c *Call) Header() http.Header { return c.header }

// Context is the request's context: cancelled when the client goes away.
func (c *Call) Context() context.Context { return c.Request.Context() }

// DecodeJSON decodes the body into v (see [DecodeJSON]).
func (c *Call) DecodeJSON(v any, opts DecodeOptions) error { return DecodeJSON(c.Body, v, opts) }

// BaseURL is where the service is reached, as the client sees it.
func (c *Call) BaseURL() string { return BaseURL(c.Request) }

// Version is an API version a route negotiated: Nova's microversion 2.79,
// CloudAPI's 9.0. The zero Version means none was negotiated.
type Version struct{ Major, Minor int }

// AtLeast reports whether v is major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// Reply is what a handler answers.
type Reply struct {
	// Status is the HTTP status; zero means 200.
	Status int
	// Body is sent as JSON; nil sends no body.
	Body any

	raw         []byte
	contentType string
	stream      func(http.ResponseWriter, *http.Request)
}

// JSON answers status with v as JSON.
func JSON(status int, v any) Reply { return Reply{Status: status, Body: v} }

// OK answers 200 with v as JSON.
func OK(v any) Reply { return Reply{Status: http.StatusOK, Body: v} }

// Status answers status with no body (204, 202 …).
func Status(status int) Reply { return Reply{Status: status} }

// Raw answers status with body as it is, of the given content type.
func Raw(status int, contentType string, body []byte) Reply {
	return Reply{Status: status, raw: body, contentType: contentType}
}

// Text answers status with body as plain text.
func Text(status int, body string) Reply {
	return Raw(status, "text/plain; charset=utf-8", []byte(body))
}

// Stream hands the response to f, for answers that last (event streams).
// The headers set on the Call are sent first; f writes the status. f must
// return when the request's context is done or the service's Done closes.
func Stream(f func(http.ResponseWriter, *http.Request)) Reply { return Reply{stream: f} }

// IsZero reports whether r is the zero Reply (a handler that returns an
// error returns it).
func (r Reply) IsZero() bool {
	return r.Status == 0 && r.Body == nil && r.raw == nil && r.stream == nil
}

// journalEntry is the request as the journal records it.
func journalEntry(name, region, op string, r *http.Request, body []byte, now time.Time) fake.Request {
	return fake.Request{
		Service: name,
		Region:  region,
		Op:      op,
		Method:  r.Method,
		Path:    r.URL.Path,
		Query:   r.URL.Query(),
		Header:  r.Header.Clone(),
		Body:    string(body),
		Time:    now,
	}
}
