package fake

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Request is one request as a fake saw it. Every request is recorded,
// including those no route matched, those a fault answered and those whose
// connection a fault dropped. It is a plain value that go-cmp compares.
type Request struct {
	Seq     int64       `json:"seq"`              // order of arrival across every service sharing the journal, from 1
	Service string      `json:"service"`          // "identity", "compute" …
	Region  string      `json:"region,omitempty"` // for services mounted once per region
	Op      string      `json:"op"`               // the route's stable name ("identity.v3.tokens.create"); "" when no route matched
	Method  string      `json:"method"`           //
	Path    string      `json:"path"`             // as the service saw it: relative to where the service is mounted
	Query   url.Values  `json:"query,omitempty"`  //
	Header  http.Header `json:"headers"`          //
	Body    string      `json:"body,omitempty"`   // as sent, up to the service's body limit
	Time    time.Time   `json:"time"`             // the shared clock's time at arrival
	Status  int         `json:"status"`           // 0 while the response has not started, and for dropped connections
	Fault   string      `json:"fault,omitempty"`  // the Name (or ID) of the fault that fired, if one did (delay-only faults too)
	Dropped bool        `json:"dropped,omitempty"`
	// RequestID is the ID the service answered with in its request-ID
	// headers (x-openstack-request-id), for services that send one.
	RequestID string `json:"request_id,omitempty"`
}

// Journal is an ordered, concurrency-safe record of requests. Services that
// share one journal (as in a Cloud) interleave their entries in arrival order.
type Journal struct {
	mu      sync.Mutex
	entries []Request
	seq     int64
	limit   int
}

// NewJournal returns an empty journal. A positive limit keeps only the most
// recent limit entries, for long benchmarks; zero keeps everything.
func NewJournal(limit int) *Journal {
	return &Journal{limit: limit}
}

// Record appends r, assigning its Seq, and returns that Seq. The service
// kit records each request as it arrives and calls Finish when it ends.
func (j *Journal) Record(r Request) int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	r.Seq = j.seq
	if j.limit > 0 && len(j.entries) >= j.limit {
		// Drop the oldest half at once so trimming stays amortized O(1).
		keep := j.limit / 2
		j.entries = append(j.entries[:0], j.entries[len(j.entries)-keep:]...)
	}
	j.entries = append(j.entries, r)
	return r.Seq
}

// Finish fills in the outcome of the request with the given Seq.
func (j *Journal) Finish(seq int64, status int, fault string, dropped bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	// Entries are in Seq order; search from the end, where in-flight requests are.
	for i := len(j.entries) - 1; i >= 0; i-- {
		e := &j.entries[i]
		if e.Seq == seq {
			e.Status, e.Fault, e.Dropped = status, fault, dropped
			return
		}
		if e.Seq < seq {
			return
		}
	}
}

// Requests returns copies of the recorded requests in arrival order. With
// services named, only theirs: a name is a service ("compute") or one region
// of it ("compute/DFW").
func (j *Journal) Requests(services ...string) []Request {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Request, 0, len(j.entries))
	for i := range j.entries {
		e := &j.entries[i]
		if len(services) > 0 && !named(services, e) {
			continue
		}
		out = append(out, e.Clone())
	}
	return out
}

// Reset forgets every recorded request; with services named (as for
// Requests), only theirs. Sequence numbers keep counting.
func (j *Journal) Reset(services ...string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(services) == 0 {
		j.entries = nil
		return
	}
	kept := j.entries[:0]
	for i := range j.entries {
		if !named(services, &j.entries[i]) {
			kept = append(kept, j.entries[i])
		}
	}
	clear(j.entries[len(kept):]) // let dropped headers and bodies go
	j.entries = kept
}

// named reports whether r belongs to one of the names: its service, or its
// service and region as "service/region".
func named(names []string, r *Request) bool {
	for _, n := range names {
		if n == r.Service {
			return true
		}
		if r.Region != "" && len(n) == len(r.Service)+1+len(r.Region) &&
			strings.HasPrefix(n, r.Service) && n[len(r.Service)] == '/' && strings.HasSuffix(n, r.Region) {
			return true
		}
	}
	return false
}

// Clone returns a copy of r that shares no maps with it.
func (r Request) Clone() Request {
	r.Query = cloneValues(r.Query)
	r.Header = r.Header.Clone()
	return r
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Ops returns the Op of each request, in order: the shortest useful summary
// of what a client did.
func Ops(reqs []Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Op
	}
	return out
}

// Filter returns the requests whose Op matches pattern (exact, or a prefix
// when pattern ends in "*").
func Filter(reqs []Request, pattern string) []Request {
	var out []Request
	for _, r := range reqs {
		if opMatches(pattern, r.Op) {
			out = append(out, r)
		}
	}
	return out
}

// CheckOps reports, without stopping the test, a diff (-want +got) between
// the Ops of reqs and want.
func CheckOps(t TB, reqs []Request, want ...string) bool {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if diff := cmp.Diff(want, Ops(reqs)); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
		return false
	}
	return true
}

// opMatches reports whether op matches pattern: "" matches everything, a
// trailing "*" matches by prefix, anything else must be equal.
func opMatches(pattern, op string) bool {
	switch {
	case pattern == "":
		return true
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(op, strings.TrimSuffix(pattern, "*"))
	default:
		return pattern == op
	}
}

// Check reports, with t.Errorf and without stopping the test, a diff
// (-want +got) between want and got, or that what was looked up was not
// found; it returns whether they matched. what names the thing compared
// ("compute: server 6a1c…"). Every service's Check… helper is this over
// its own getter.
func Check[T any](t TB, what string, want, got T, found bool, opts ...cmp.Option) bool {
	t.Helper()
	if !found {
		t.Errorf("%s: not found", what)
		return false
	}
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
		return false
	}
	return true
}
