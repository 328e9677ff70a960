package kit

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
)

// DefaultMaxBody is the request body limit of a service whose Spec sets
// none: large enough for any control-plane call, small enough that a runaway
// client gets a 413 instead of eating the test's memory.
const DefaultMaxBody = 1 << 20

// Spec is what a service declares to the kit.
type Spec struct {
	// Name is the service's name in the journal and in faults ("compute").
	Name string
	// Routes returns the route table. It is called once, on the first
	// request: compiling a few hundred patterns is most of what starting a
	// service costs, and a Cloud mounts every service in every region while
	// a test usually talks to a few.
	Routes func() []Route
	// Errors renders the service's native error body.
	Errors ErrorFormat
	// Auth is the service's own token check (identity's tokens, Fastly's
	// Fastly-Key); nil uses the Env's, which a Cloud wires to identity.
	Auth Authenticator
	// Unauthenticated services check no token at all (the Mesos master).
	Unauthenticated bool
	// MaxBody bounds request bodies; zero means DefaultMaxBody.
	MaxBody int64
	// EncodedPath matches routes on the raw, uncleaned path: names that hold
	// encoded slashes ("a%2Fb") and URLs that hold "//" (Fastly's).
	EncodedPath bool
	// OnClose runs once when the service closes, after in-flight delays and
	// streams have been told to stop.
	OnClose func()
	// NotFound is the error for a path no route matches; nil answers
	// "The resource could not be found.".
	NotFound func(*http.Request) *Error
	// Internal services (a Cloud's own control API) are neither journaled
	// nor faulted: they are how a test drives the fake, not part of it.
	Internal bool
	// RequestIDHeaders name the response headers that carry the request's
	// ID, as OpenStack services send x-openstack-request-id (Nova also
	// x-compute-request-id): "req-" and a UUID from the service's own
	// random stream, on every answer, errors and faults included. The
	// handler sees it as Call.RequestID and the journal as
	// fake.Request.RequestID.
	RequestIDHeaders []string
	// BareRequestIDs makes request IDs the UUID alone, as restify's are
	// (Triton's APIs), rather than OpenStack's "req-" form.
	BareRequestIDs bool
}

// Service is the kit's half of every fake: the HTTP pipeline, the clock,
// the seeded random stream, the journal and fault views, and the optional
// loopback server. A service type embeds *Service, so every fake has the
// same URL, Client, Handler, Close, Requests and Inject.
//
// The pipeline, the same for every service, in order:
//
//  1. the body is read, up to the limit (past it, after steps 2-4, a 413 in
//     the service's format: an oversized request is journaled and can be faulted);
//  2. the route is matched, and its op named (refined by the body for RPC-style calls);
//  3. the request is appended to the journal;
//  4. the first fault that fires answers instead of the service (after an
//     optional delay), or drops the connection;
//  5. the token is checked (public routes skip it);
//  6. the route's Before runs (version negotiation, the project check);
//  7. the handler runs; its reply, or its error in the native format, is sent.
//
// A handler that panics is answered with a 500 in the native format; the
// service goes on serving.
type Service struct {
	spec   Spec
	env    Env
	region string
	rng    *RNG

	routerOnce sync.Once
	router     *mux.Router
	ops        []string

	requestIDs *RNG // nil without Spec.RequestIDHeaders

	interceptMu sync.RWMutex
	intercepts  map[string]func(Handler) Handler

	done      chan struct{}
	closeOnce sync.Once

	srvMu     sync.Mutex
	srv       *httptest.Server
	mem       *Transport // created on first use
	memClosed bool
}

// NewService returns the pipeline for spec, in region ("" for a service
// that is not per region), sharing env. The service's random stream is
// derived from env's seed and its name and region.
func NewService(env Env, region string, spec Spec) *Service {
	env = env.Complete()
	stream := spec.Name
	if region != "" {
		stream += "/" + region
	}
	s := &Service{
		spec:   spec,
		env:    env,
		region: region,
		rng:    NewRNG(StreamSeed(env.Seed, stream)),
		done:   make(chan struct{}),
	}
	if len(spec.RequestIDHeaders) > 0 {
		// A stream of its own, so that request IDs do not shift the IDs
		// of what the service creates.
		s.requestIDs = s.RNGStream("request-id")
	}
	return s
}

// Name is the service's name in the journal and in faults.
func (s *Service) Name() string { return s.spec.Name }

// Region is the region of a per-region service; "" otherwise.
func (s *Service) Region() string { return s.region }

// Env is what the service shares with others in a Cloud.
func (s *Service) Env() Env { return s.env }

// Clock is the clock the service's time runs on.
func (s *Service) Clock() *clock.Clock { return s.env.Clock }

// Now is the clock's time.
func (s *Service) Now() time.Time { return s.env.Clock.Now() }

// RNG is the service's own seeded random stream: every ID it hands out
// comes from here, so another service's traffic never shifts it.
func (s *Service) RNG() *RNG { return s.rng }

// RNGStream is a further random stream of the service, named: for IDs
// whose number should not depend on how many the main stream handed out
// (a catalog's entries, which depend on what a Cloud mounts). Each call
// starts the named stream afresh; keep the one it returns.
func (s *Service) RNGStream(name string) *RNG {
	return NewRNG(StreamSeed(s.env.Seed, s.journalName()+"#"+name))
}

// Done is closed when the service closes; long-lived handlers (streams,
// delays) select on it.
func (s *Service) Done() <-chan struct{} { return s.done }

// Handler returns the service as an http.Handler, for embedding in a
// server of your own.
func (s *Service) Handler() http.Handler { return s }

// Start serves the service on a loopback port, as httptest.Server.Start
// does. Starting twice panics.
func (s *Service) Start() {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.srv != nil {
		panic("mockcloud: " + s.spec.Name + " already started")
	}
	select {
	case <-s.done:
		panic("mockcloud: " + s.spec.Name + " started after Close")
	default:
	}
	s.srv = httptest.NewServer(s)
}

// URL is the root URL of a started service ("http://127.0.0.1:38817");
// empty until Start, and for a service in a Cloud (use the Cloud's
// ServiceURL).
func (s *Service) URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.srv == nil {
		return ""
	}
	return s.srv.URL
}

// Client returns an HTTP client that reaches the service in memory,
// without a socket (see [Transport]): give it the URLs you would give any
// client (the service's URL when started). It serves the service whether or
// not it was started, and refuses requests once the service is closed.
func (s *Service) Client() *http.Client { return s.transport().Client() }

// Transport is the in-memory http.RoundTripper behind Client, for a client
// you build yourself (an SDK that takes a RoundTripper).
func (s *Service) Transport() http.RoundTripper { return s.transport() }

func (s *Service) transport() *Transport {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.mem == nil {
		s.mem = NewTransport(s)
		if s.memClosed {
			s.mem.Close()
		}
	}
	return s.mem
}

// Close cancels in-flight fault delays and streams, then stops the server
// if the service was started and the in-memory transport, waiting for the
// handlers it runs. It is idempotent.
func (s *Service) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		if s.spec.OnClose != nil {
			s.spec.OnClose()
		}
		s.srvMu.Lock()
		srv, mem := s.srv, s.mem
		s.memClosed = true
		s.srvMu.Unlock()
		if srv != nil {
			srv.CloseClientConnections()
			srv.Close()
		}
		if mem != nil {
			mem.Close()
		}
	})
}

// Requests returns this service's entries of the journal (this region's,
// for a per-region service).
func (s *Service) Requests() []fake.Request { return s.env.Journal.Requests(s.journalName()) }

// ResetRequests forgets this service's (and region's) journal entries.
func (s *Service) ResetRequests() { s.env.Journal.Reset(s.journalName()) }

func (s *Service) journalName() string {
	if s.region == "" {
		return s.spec.Name
	}
	return s.spec.Name + "/" + s.region
}

// Inject adds a fault scoped to this service (and region). It panics on a
// rule that cannot work; see fake.Faults.Inject.
func (s *Service) Inject(f fake.Fault) *fake.FaultHandle {
	f.Service = s.spec.Name
	if s.region != "" {
		f.Region = s.region
	}
	return s.env.Faults.Inject(f)
}

// Ops lists every op the service can record, sorted: what a fault's Op
// can name.
func (s *Service) Ops() []string {
	s.build()
	return append([]string(nil), s.ops...)
}

// Intercept wraps the handler of op, for tests of a service (a handler made
// to panic, a slow one). It applies to requests that arrive after it; a nil
// wrap removes the intercept.
func (s *Service) Intercept(op string, wrap func(Handler) Handler) {
	s.interceptMu.Lock()
	defer s.interceptMu.Unlock()
	if s.intercepts == nil {
		s.intercepts = map[string]func(Handler) Handler{}
	}
	s.intercepts[op] = wrap
}

func (s *Service) handlerFor(op string, h Handler) Handler {
	s.interceptMu.RLock()
	defer s.interceptMu.RUnlock()
	if wrap := s.intercepts[op]; wrap != nil {
		return wrap(h)
	}
	return h
}

// routeHandler marks a matched route; the pipeline runs it itself.
type routeHandler struct{ route *Route }

func (routeHandler) ServeHTTP(http.ResponseWriter, *http.Request) {}

func (s *Service) build() {
	s.routerOnce.Do(func() {
		r := mux.NewRouter()
		if s.spec.EncodedPath {
			r.UseEncodedPath()
			r.SkipClean(true)
		}
		seen := map[string]bool{}
		for _, rt := range s.spec.Routes() {
			rt := rt
			roots := rt.Roots
			if len(roots) == 0 {
				roots = []string{""}
			}
			// Full templates on the root router rather than PathPrefix
			// subrouters: gorilla/mux 1.8.1 loses a method mismatch inside
			// a subrouter and answers 404 where an API answers 405.
			for _, root := range roots {
				m := r.Handle(root+rt.Path, routeHandler{&rt}).Name(rt.Op)
				if rt.Method != "*" {
					m.Methods(rt.methods()...)
				}
			}
			for _, op := range append([]string{rt.Op}, rt.Ops...) {
				if !seen[op] {
					seen[op] = true
					s.ops = append(s.ops, op)
				}
			}
		}
		sort.Strings(s.ops)
		s.router = r
	})
}

// match finds the route of r; err is the 404 or 405 to answer otherwise,
// and allow the methods the path takes, for a 405's Allow header.
func (s *Service) match(r *http.Request) (route *Route, vars map[string]string, allow string, err *Error) {
	s.build()
	var m mux.RouteMatch
	if s.router.Match(r, &m) && m.MatchErr == nil {
		if h, ok := m.Handler.(routeHandler); ok {
			return h.route, m.Vars, "", nil
		}
	}
	if errors.Is(m.MatchErr, mux.ErrMethodMismatch) {
		return nil, nil, s.allowed(r), Errorf(http.StatusMethodNotAllowed, "The method %s is not allowed for this resource.", r.Method)
	}
	if s.spec.NotFound != nil {
		if e := s.spec.NotFound(r); e != nil {
			return nil, nil, "", e
		}
	}
	return nil, nil, "", Errorf(http.StatusNotFound, "The resource could not be found.")
}

// allowed lists the methods r's path takes, in the order of the HTTP spec.
func (s *Service) allowed(r *http.Request) string {
	var allow []string
	for _, method := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		probe := *r // mux matches on the method, URL and host only
		probe.Method = method
		var m mux.RouteMatch
		if s.router.Match(&probe, &m) && m.MatchErr == nil {
			allow = append(allow, method)
		}
	}
	return strings.Join(allow, ", ")
}

// ServeHTTP runs the pipeline.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	limit := s.spec.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, tooLarge := readBody(r, limit)
	r.Body = io.NopCloser(bytes.NewReader(body))

	route, vars, allow, routeErr := s.match(r)
	op := refine(route, r, body)
	now := s.env.Clock.Now()
	rec := &recorder{ResponseWriter: w}
	requestID := s.requestID(rec.Header())
	if !s.spec.Internal {
		entry := journalEntry(s.spec.Name, s.region, op, r, body, now)
		entry.RequestID = requestID
		entry.Seq = s.env.Journal.Record(entry)
		rec.journal, rec.seq = s.env.Journal, entry.Seq
		defer func() {
			if v := recover(); v != nil {
				// A panic outside the handler (a fault's predicate, the
				// error format, a stream): net/http drops the connection,
				// and the journal says so rather than claiming a 200.
				rec.drop()
				panic(v)
			}
			rec.finish()
		}()
		if f, label, ok := s.env.Faults.Fire(&entry); ok {
			rec.fault = label
			if s.answerFault(rec, r, f) {
				return
			}
		}
	}
	switch {
	case tooLarge:
		s.writeError(rec, r, nil, Errorf(http.StatusRequestEntityTooLarge, "Request body is larger than the limit of %d bytes.", limit))
	case routeErr != nil:
		if allow != "" {
			rec.Header().Set("Allow", allow)
		}
		s.writeError(rec, r, nil, routeErr)
	default:
		call := &Call{Request: r, Body: body, Op: op, Now: now, RequestID: requestID, vars: vars, header: http.Header{}}
		s.serveCall(rec, route, call)
	}
}

// requestID draws the request's ID and sets it in the response headers
// the spec names; "" when it names none.
func (s *Service) requestID(h http.Header) string {
	if s.requestIDs == nil {
		return ""
	}
	id := s.requestIDs.UUID()
	if !s.spec.BareRequestIDs {
		id = "req-" + id
	}
	for _, name := range s.spec.RequestIDHeaders {
		h.Set(name, id)
	}
	return id
}

// refine names the request: the route's op, refined by its body for an
// RPC-style route. A Refine that panics keeps the route's op: naming a
// request must not lose it.
func refine(route *Route, r *http.Request, body []byte) (op string) {
	if route == nil {
		return ""
	}
	op = route.Op
	if route.Refine == nil {
		return op
	}
	defer func() {
		if recover() != nil {
			op = route.Op
		}
	}()
	if refined := route.Refine(r, body); refined != "" {
		op = refined
	}
	return op
}

// serveCall runs the token check, Before and the handler, recovering a
// handler's panic into a 500.
func (s *Service) serveCall(rec *recorder, route *Route, call *Call) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler || rec.status != 0 {
			// Too late to answer: drop the connection, as net/http does.
			rec.drop()
			panic(http.ErrAbortHandler)
		}
		s.writeError(rec, call.Request, call, Errorf(http.StatusInternalServerError,
			"The server has either erred or is incapable of performing the requested operation (%s panicked: %v).", call.Op, v))
	}()
	if err := s.authenticate(route, call); err != nil {
		s.writeError(rec, call.Request, call, err)
		return
	}
	if route.Before != nil {
		if err := route.Before(call); err != nil {
			s.writeError(rec, call.Request, call, err)
			return
		}
	}
	reply, err := s.handlerFor(call.Op, route.Handler)(call)
	if err != nil {
		s.writeError(rec, call.Request, call, err)
		return
	}
	writeReply(rec, call.Request, call.header, reply)
}

func (s *Service) authenticate(route *Route, call *Call) error {
	if route.Public || s.spec.Unauthenticated {
		return nil
	}
	auth := s.spec.Auth
	if auth == nil {
		auth = s.env.Auth
	}
	if auth == nil {
		return nil
	}
	p, err := auth(call.Request)
	if err != nil {
		return err
	}
	call.Principal, call.Authenticated = p, true
	return nil
}

// writeError renders err in the service's format, with the call's headers
// when there is a call.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, call *Call, err error) {
	var e *Error
	if !errors.As(err, &e) || e == nil {
		e = Errorf(http.StatusInternalServerError, "%v", err)
	}
	if e.Status < 400 || e.Status > 599 {
		// An error that is not an HTTP error status (a behavior's code 42,
		// a 200): the fake's own failure, so a 500.
		fixed := *e
		fixed.Status = http.StatusInternalServerError
		e = &fixed
	}
	var header http.Header
	if call != nil {
		header = call.header
	}
	writeReply(w, r, header, s.spec.Errors(r, e))
}

// WriteError renders err in the service's native format, for the few
// handlers that write to a ResponseWriter themselves (streams).
func (s *Service) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, nil, err)
}

// Write sends the reply, for the few places that write to a
// ResponseWriter themselves (a Cloud's control API, tests).
func (reply Reply) Write(w http.ResponseWriter, r *http.Request) { writeReply(w, r, nil, reply) }

func writeReply(w http.ResponseWriter, r *http.Request, header http.Header, reply Reply) {
	for k, vs := range header {
		w.Header()[k] = vs
	}
	status := reply.Status
	switch {
	case status == 0:
		status = http.StatusOK
	case status < 200 || status > 599:
		// Not a final answer: net/http panics on some and sends a 1xx as an
		// interim answer followed by a 200. A fake's bug, answered plainly.
		status = http.StatusInternalServerError
	}
	switch {
	case reply.stream != nil:
		reply.stream(w, r)
	case reply.raw != nil:
		if reply.contentType != "" {
			w.Header().Set("Content-Type", reply.contentType)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(reply.raw)))
		w.WriteHeader(status)
		_, _ = w.Write(reply.raw)
	case reply.Body != nil:
		WriteJSON(w, status, reply.Body)
	default:
		w.WriteHeader(status)
	}
}

// answerFault applies f; it reports whether the fault answered (true) or the
// request should go on to the service (false).
func (s *Service) answerFault(rec *recorder, r *http.Request, f fake.Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			rec.dropped = true
			return true
		case <-s.done:
			rec.drop()
			panic(http.ErrAbortHandler)
		}
	}
	if f.Drop {
		rec.drop()
		// net/http closes the connection without a response and without
		// logging: exactly what a crashed or partitioned server looks like.
		panic(http.ErrAbortHandler)
	}
	if f.Status == 0 {
		return false
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			rec.Header().Add(k, v)
		}
	}
	if f.Body == "" && f.Status < 400 {
		// A success or a redirect with nothing to say: the status alone.
		rec.WriteHeader(f.Status)
		return true
	}
	if f.Body == "" {
		s.writeError(rec, r, nil, Errorf(f.Status, "%s", faultMessage(f.Status)))
		return true
	}
	if rec.Header().Get("Content-Type") == "" {
		rec.Header().Set("Content-Type", "application/json")
	}
	rec.WriteHeader(f.Status)
	_, _ = io.WriteString(rec, f.Body)
	return true
}

func faultMessage(status int) string {
	if text := http.StatusText(status); text != "" {
		return text + " (injected by mockcloud)"
	}
	return "Injected failure (mockcloud)"
}

// readBody reads at most limit bytes; tooLarge reports a body beyond it.
func readBody(r *http.Request, limit int64) (body []byte, tooLarge bool) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, false
	}
	lr := io.LimitReader(r.Body, limit+1)
	var b []byte
	var err error
	if n := r.ContentLength; n > 0 && n <= limit {
		// A body that gives its length is read into a buffer of that size
		// (and a byte more, to meet its end) rather than one that keeps
		// doubling: a scheduler's ACCEPTs run to hundreds of kilobytes.
		b, err = readInto(lr, make([]byte, 0, n+1))
	} else {
		b, err = io.ReadAll(lr)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return b, false
	}
	if int64(len(b)) > limit {
		return b[:limit], true
	}
	return b, false
}

// readInto is io.ReadAll reading into b's spare capacity first.
func readInto(r io.Reader, b []byte) ([]byte, error) {
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// recorder captures the status for the journal. It records at the first
// final WriteHeader, so streaming responses show their status while they
// stream; informational 1xx headers (103 Early Hints) are not the answer.
type recorder struct {
	http.ResponseWriter
	journal *fake.Journal
	seq     int64
	status  int
	fault   string
	dropped bool
	done    bool
}

func (w *recorder) WriteHeader(status int) {
	informational := status >= 100 && status < 200 && status != http.StatusSwitchingProtocols
	if w.status == 0 && !informational {
		w.status = status
		w.finish()
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming handlers (Mesos's RecordIO events) push each chunk.
func (w *recorder) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// drop records that the connection was dropped, even after the status was
// recorded (a stream that panics halfway).
func (w *recorder) drop() {
	w.dropped = true
	if w.done && w.journal != nil {
		w.journal.Finish(w.seq, 0, w.fault, true)
		return
	}
	w.finish()
}

// finish records the outcome once: the status, or a drop when the handler
// panicked or a fault cut the connection.
func (w *recorder) finish() {
	if w.done || w.journal == nil {
		return
	}
	w.done = true
	status := w.status
	if w.dropped {
		status = 0
	} else if status == 0 {
		// The handler wrote nothing: net/http answers 200 with no body.
		status = http.StatusOK
	}
	w.journal.Finish(w.seq, status, w.fault, w.dropped)
}
