package fake

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/clock"
)

// Env is what services sharing one cloud share: time, faults, the journal,
// the random source and the token check. A zero field is filled by Complete.
type Env struct {
	Clock   *clock.Clock
	Faults  *Faults
	Journal *Journal
	RNG     *RNG
	Auth    Authenticator // nil: no authentication
}

// DefaultSeed seeds the RNG of an Env that names none.
const DefaultSeed = 1

// Complete fills the zero fields of e with fresh defaults.
func (e Env) Complete() Env {
	if e.Clock == nil {
		e.Clock = clock.New(clock.DefaultStart())
	}
	if e.RNG == nil {
		e.RNG = NewRNG(DefaultSeed)
	}
	if e.Faults == nil {
		e.Faults = NewFaults(e.RNG)
	}
	if e.Journal == nil {
		e.Journal = NewJournal(0)
	}
	return e
}

// ErrorWriter renders an error in a service's native format.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, status int, message string)

// Service is the HTTP pipeline around one fake's router (see the package
// documentation for the order of its steps). It knows nothing of where it is
// mounted.
type Service struct {
	Name       string
	Region     string // for services mounted once per region; recorded in the journal
	Env        Env
	WriteError ErrorWriter
	// PublicOps are routes that need no token (version discovery, the
	// token-issuing calls themselves).
	PublicOps map[string]bool
	// MaxBody bounds request bodies; zero means DefaultMaxBody.
	MaxBody int64

	buildRouter func() *mux.Router
	routerOnce  sync.Once
	router      *mux.Router

	closeOnce sync.Once
	done      chan struct{}
	initOnce  sync.Once
}

// NewService returns a pipeline for the router that routes builds.
// Unmatched paths and methods are answered by writeError with 404 and 405,
// as every real API does, rather than by mux's plain-text defaults.
//
// The router is built on the first request, not here: compiling a few
// hundred route patterns is most of what starting a service costs, and a
// Cloud mounts every service in every region while a test usually talks to
// a few.
func NewService(name string, routes func() *mux.Router, env Env, writeError ErrorWriter) *Service {
	return &Service{Name: name, Env: env.Complete(), WriteError: writeError, buildRouter: routes}
}

// Router returns the service's router, building it on first use.
func (s *Service) Router() *mux.Router {
	s.routerOnce.Do(func() {
		r := s.buildRouter()
		r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.WriteError(w, r, http.StatusNotFound, "The resource could not be found.")
		})
		r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.WriteError(w, r, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed for this resource.")
		})
		s.router = r
	})
	return s.router
}

func (s *Service) doneCh() chan struct{} {
	s.initOnce.Do(func() { s.done = make(chan struct{}) })
	return s.done
}

// Done is closed when the service is closed; long-lived handlers (streams,
// delays) select on it.
func (s *Service) Done() <-chan struct{} { return s.doneCh() }

// Close cancels in-flight delays and streams. It is idempotent.
func (s *Service) Close() {
	ch := s.doneCh()
	s.closeOnce.Do(func() { close(ch) })
}

// Requests returns this service's entries of the journal; for a service
// mounted once per region, this region's only.
func (s *Service) Requests() []Request { return s.Env.Journal.Requests(s.journalName()) }

// ResetRequests forgets this service's (and region's) entries of the journal.
func (s *Service) ResetRequests() { s.Env.Journal.Reset(s.journalName()) }

// journalName names the service as Journal.Requests takes it: "identity",
// or "compute/DFW" for one region of a per-region service.
func (s *Service) journalName() string {
	if s.Region == "" {
		return s.Name
	}
	return s.Name + "/" + s.Region
}

// Inject adds a fault scoped to this service (and region).
func (s *Service) Inject(f Fault) *FaultHandle {
	f.Service = s.Name
	if s.Region != "" {
		f.Region = s.Region
	}
	return s.Env.Faults.Inject(f)
}

// ServeHTTP runs the pipeline.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	limit := s.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, tooLarge := readBody(r, limit)
	r.Body = io.NopCloser(bytes.NewReader(body))

	var match mux.RouteMatch
	op := ""
	router := s.Router()
	if router.Match(r, &match) && match.Route != nil && match.MatchErr == nil {
		op = match.Route.GetName()
	}

	entry := Request{
		Service: s.Name,
		Region:  s.Region,
		Op:      op,
		Method:  r.Method,
		Path:    r.URL.Path,
		Query:   cloneValues(r.URL.Query()),
		Header:  r.Header.Clone(),
		Body:    string(body),
		Time:    s.Env.Clock.Now(),
	}
	seq := s.Env.Journal.add(entry)
	entry.Seq = seq
	rec := &recorder{ResponseWriter: w, journal: s.Env.Journal, seq: seq}
	panicked := true
	defer func() {
		if panicked {
			// net/http drops the connection of a handler that panics
			// before answering; the journal must not claim a 200.
			rec.dropped = true
		}
		rec.finish()
	}()
	s.serve(rec, r, &entry, router, tooLarge, limit)
	panicked = false
}

// serve runs the pipeline's steps after the request is in the journal.
func (s *Service) serve(rec *recorder, r *http.Request, entry *Request, router *mux.Router, tooLarge bool, limit int64) {
	if f, label, ok := s.Env.Faults.fire(entry); ok {
		rec.fault = label
		if s.answerFault(rec, r, f) {
			return
		}
	}
	if tooLarge {
		s.WriteError(rec, r, http.StatusRequestEntityTooLarge, "Request body is larger than the limit of "+itoa(limit)+" bytes.")
		return
	}
	if s.Env.Auth != nil && !s.PublicOps[entry.Op] && entry.Op != "" {
		p, err := s.Env.Auth(r)
		if err != nil {
			s.WriteError(rec, r, err.Status, err.Message)
			return
		}
		r = r.WithContext(WithPrincipal(r.Context(), p))
	}
	router.ServeHTTP(rec, r)
}

// answerFault applies f; it reports whether the fault answered (true) or the
// request should go on to the service (false).
func (s *Service) answerFault(rec *recorder, r *http.Request, f Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			rec.dropped = true
			return true
		case <-s.Done():
			rec.dropped = true
			panic(http.ErrAbortHandler)
		}
	}
	if f.Drop {
		rec.dropped = true
		rec.finish()
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
	if f.Body == "" {
		s.WriteError(rec, r, f.Status, faultMessage(f.Status))
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
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil && !errors.Is(err, io.EOF) {
		return b, false
	}
	if int64(len(b)) > limit {
		return b[:limit], true
	}
	return b, false
}

func itoa(n int64) string {
	var buf [20]byte
	i := len(buf)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}

// recorder captures the status for the journal. It records at the first
// final WriteHeader, so streaming responses show their status while they
// stream; informational 1xx headers (103 Early Hints) are not the answer.
type recorder struct {
	http.ResponseWriter
	journal *Journal
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

func (w *recorder) finish() {
	if w.done {
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
	w.journal.finish(w.seq, status, w.fault, w.dropped)
}
