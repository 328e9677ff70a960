package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// Fault is one rule of a fault table: which requests it matches and how it
// answers them. Every matching field that is set must match; an empty Fault
// matches every request. Rules are tried in the order they were injected and
// the first one that fires answers.
//
// A Fault with no Status and no Drop answers nothing itself: after its Delay
// the request goes on to the service. That makes "slow, but correct" faults
// and pure hit counters.
type Fault struct {
	Name string // label shown in the journal's Fault field; the rule's ID when empty

	// Matching.
	Service string             // service name ("compute"); empty matches all
	Region  string             // region of a per-region service ("DFW"); empty matches all
	Op      string             // route name, or a prefix ending in "*" ("compute.servers.*")
	Method  string             // HTTP method; empty matches all
	Path    string             // path.Match pattern over the service-relative path ("/v2.1/*/servers/*")
	Match   func(Request) bool // predicate over the recorded request; called without locks held

	// Answer.
	Status int           // final status to answer with (200-599)
	Body   string        // body; empty means the service's native error body for Status
	Header http.Header   // headers added to the answer
	Delay  time.Duration // wall-clock time (not the fake's clock), cut short by the client's context or Close
	Drop   bool          // drop the connection (after Delay) without answering

	// Firing.
	Skip        int     // let the first Skip matching requests through
	Times       int     // fire at most Times times; zero means no limit
	Probability float64 // fire with this probability (drawn from the table's seeded RNG); zero means always
}

// faultJSON is the wire form of a Fault for the control API: durations as Go
// duration strings, no predicate.
type faultJSON struct {
	ID          string              `json:"id,omitempty"`
	Name        string              `json:"name,omitempty"`
	Service     string              `json:"service,omitempty"`
	Region      string              `json:"region,omitempty"`
	Op          string              `json:"op,omitempty"`
	Method      string              `json:"method,omitempty"`
	Path        string              `json:"path,omitempty"`
	Status      int                 `json:"status,omitempty"`
	Body        string              `json:"body,omitempty"`
	Header      map[string][]string `json:"headers,omitempty"`
	Delay       string              `json:"delay,omitempty"`
	Drop        bool                `json:"drop,omitempty"`
	Skip        int                 `json:"skip,omitempty"`
	Times       int                 `json:"times,omitempty"`
	Probability float64             `json:"probability,omitempty"`
	Hits        int                 `json:"hits"`
}

// MarshalJSON writes the control API form ("delay": "1.5s"). Match cannot be
// expressed in JSON and is left out.
func (f Fault) MarshalJSON() ([]byte, error) {
	return json.Marshal(f.toJSON())
}

func (f Fault) toJSON() faultJSON {
	j := faultJSON{
		Name: f.Name, Service: f.Service, Region: f.Region, Op: f.Op, Method: f.Method, Path: f.Path,
		Status: f.Status, Body: f.Body, Header: f.Header, Drop: f.Drop,
		Skip: f.Skip, Times: f.Times, Probability: f.Probability,
	}
	if f.Delay > 0 {
		j.Delay = f.Delay.String()
	}
	return j
}

// UnmarshalJSON reads the control API form. Unknown members are an error:
// a misspelt matcher ("paht") would otherwise leave a rule that matches
// every request.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	var delay time.Duration
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil {
			return fmt.Errorf("delay: %v", err)
		}
		delay = d
	}
	*f = Fault{
		Name: j.Name, Service: j.Service, Region: j.Region, Op: j.Op, Method: j.Method, Path: j.Path,
		Status: j.Status, Body: j.Body, Header: j.Header, Delay: delay, Drop: j.Drop,
		Skip: j.Skip, Times: j.Times, Probability: j.Probability,
	}
	return f.Validate()
}

// Validate reports a rule that cannot work as written.
func (f Fault) Validate() error {
	switch {
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		// 1xx are not final answers: net/http would send 200 after them.
		return fmt.Errorf("status %d is not a final HTTP status (200-599)", f.Status)
	case f.Skip < 0, f.Times < 0:
		return fmt.Errorf("skip and times must not be negative")
	case f.Probability < 0 || f.Probability > 1:
		return fmt.Errorf("probability %v is not in [0, 1]", f.Probability)
	case f.Delay < 0:
		return fmt.Errorf("delay must not be negative")
	}
	if f.Path != "" {
		if _, err := path.Match(f.Path, ""); err != nil {
			return fmt.Errorf("path pattern %q: %v", f.Path, err)
		}
	}
	return nil
}

// matchesStatic reports whether everything but the predicate matches.
func (f *Fault) matchesStatic(r *Request) bool {
	if f.Service != "" && f.Service != r.Service {
		return false
	}
	if f.Region != "" && f.Region != r.Region {
		return false
	}
	if f.Op != "" && !opMatches(f.Op, r.Op) {
		return false
	}
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	if f.Path != "" {
		if ok, _ := path.Match(f.Path, r.Path); !ok {
			return false
		}
	}
	return true
}

// Faults is an ordered fault table. Services sharing one table (as in a
// Cloud) see the same rules; Service and Op narrow a rule to one of them.
type Faults struct {
	mu     sync.Mutex
	rules  []*rule
	next   int
	random func() float64
}

type rule struct {
	id    string
	fault Fault
	seen  int // matching requests so far (for Skip)
	hits  int // times fired
}

// NewFaults returns an empty table. Probabilities are drawn from random,
// which returns numbers in [0, 1) and must be safe for concurrent use (a
// Cloud passes a seeded stream of its own, so faults never shift the IDs a
// service hands out); nil means a source seeded with 1.
func NewFaults(random func() float64) *Faults {
	if random == nil {
		var mu sync.Mutex
		r := rand.New(rand.NewSource(1))
		random = func() float64 {
			mu.Lock()
			defer mu.Unlock()
			return r.Float64()
		}
	}
	return &Faults{random: random}
}

// FaultHandle is a rule in a table.
type FaultHandle struct {
	t *Faults
	r *rule
}

// Inject appends f to the table. It panics on a rule that cannot work (see
// Fault.Validate): a broken rule in a test table is a bug to find at once.
// Use Add to get the error instead.
func (t *Faults) Inject(f Fault) *FaultHandle {
	h, err := t.Add(f)
	if err != nil {
		panic("mockcloud: invalid fault: " + err.Error())
	}
	return h
}

// Add appends f to the table, or reports why it cannot work.
func (t *Faults) Add(f Fault) (*FaultHandle, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if f.Header != nil {
		f.Header = f.Header.Clone()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	r := &rule{id: fmt.Sprintf("fault-%d", t.next), fault: f}
	t.rules = append(t.rules, r)
	return &FaultHandle{t: t, r: r}, nil
}

// ID is the rule's identifier in the table ("fault-3").
func (h *FaultHandle) ID() string { return h.r.id }

// Hits reports how many requests the rule has answered (or delayed).
func (h *FaultHandle) Hits() int {
	h.t.mu.Lock()
	defer h.t.mu.Unlock()
	return h.r.hits
}

// Remove takes the rule out of the table. Removing twice is harmless.
func (h *FaultHandle) Remove() { h.t.Remove(h.r.id) }

// Remove takes the rule with the given ID out; it reports whether it was there.
func (t *Faults) Remove(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, r := range t.rules {
		if r.id == id {
			t.rules = append(t.rules[:i:i], t.rules[i+1:]...)
			return true
		}
	}
	return false
}

// Clear removes every rule.
func (t *Faults) Clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rules = nil
}

// FaultInfo describes an installed rule.
type FaultInfo struct {
	ID    string
	Fault Fault
	Hits  int
}

// MarshalJSON writes the control API form: the fault's fields plus id and hits.
func (i FaultInfo) MarshalJSON() ([]byte, error) {
	j := i.Fault.toJSON()
	j.ID, j.Hits = i.ID, i.Hits
	return json.Marshal(j)
}

// List returns the installed rules in order.
func (t *Faults) List() []FaultInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]FaultInfo, len(t.rules))
	for i, r := range t.rules {
		f := r.fault
		f.Header = f.Header.Clone()
		out[i] = FaultInfo{ID: r.id, Fault: f, Hits: r.hits}
	}
	return out
}

// Fire finds the rule that answers req, counting the match; the service kit
// calls it once for each request, after recording it. The predicates
// run outside the lock (they are user code); counters are then updated under
// it, so concurrent requests never both take a rule's last Times.
func (t *Faults) Fire(req *Request) (Fault, string, bool) {
	t.mu.Lock()
	candidates := make([]*rule, 0, len(t.rules))
	for _, r := range t.rules {
		if r.fault.matchesStatic(req) {
			candidates = append(candidates, r)
		}
	}
	t.mu.Unlock()
	if len(candidates) == 0 {
		return Fault{}, "", false
	}
	matched := candidates[:0]
	for _, r := range candidates {
		if r.fault.Match == nil || r.fault.Match(req.Clone()) {
			matched = append(matched, r)
		}
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range matched {
		if !t.installedLocked(r) {
			continue // removed while its predicate ran
		}
		f := r.fault
		r.seen++
		if r.seen <= f.Skip {
			continue
		}
		if f.Times > 0 && r.hits >= f.Times {
			continue
		}
		if f.Probability > 0 && t.random() >= f.Probability {
			continue
		}
		r.hits++
		label := f.Name
		if label == "" {
			label = r.id
		}
		f.Header = f.Header.Clone()
		return f, label, true
	}
	return Fault{}, "", false
}

func (t *Faults) installedLocked(r *rule) bool {
	for _, x := range t.rules {
		if x == r {
			return true
		}
	}
	return false
}
