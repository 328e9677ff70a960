package routes

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"text/template"
	"time"
)

// Set is a named, ordered list of rules: what one file of the routes
// directory holds, and the body of PUT /mockcloud/v1/routes/sets/{name}.
type Set struct {
	// Name is the set's name; the file name (without .json) or the URL's
	// {name} when the set is loaded or provisioned.
	Name string `json:"name,omitempty"`
	// Listener is the extra listener the set serves on ("" for the main
	// listener): one of the names given with WithListeners (the standalone
	// server's -routes-listen name=addr).
	Listener string `json:"listener,omitempty"`
	// States are a scenario's states, the first the one the set starts in
	// (when provisioned and when activated), as WireMock's scenarios; none
	// for a set without a scenario.
	States []string `json:"states,omitempty"`
	// Rules are tried in order; the first that matches answers.
	Rules []Rule `json:"rules"`
}

// Rule matches a request and says how to answer it.
type Rule struct {
	// Name names the rule in the journal's op (routes.<set>.<name>); the
	// rule's index when empty.
	Name  string `json:"name,omitempty"`
	Match Match  `json:"match"`
	// State, when set, is the scenario state the set must be in for the
	// rule to match; NextState is the state a match moves the set to.
	State     string `json:"state,omitempty"`
	NextState string `json:"next_state,omitempty"`
	// Times is how many requests the rule answers before it stops matching
	// (until the set is activated or provisioned again); 0 is no limit.
	Times  int    `json:"times,omitempty"`
	Answer Answer `json:"answer"`
}

// Match is what a request must have; every field given must hold.
type Match struct {
	// Method is an HTTP method, or several separated by commas; empty or
	// "*" is any.
	Method string `json:"method,omitempty"`
	// Path is a pattern: literal segments, {name} for one segment, and a
	// last {name...} for the rest of the path ("/v1/items/{id}",
	// "/files/{path...}"). The values are the template's .Vars.
	Path string `json:"path"`
	// Query are query parameters that must have these values (the first
	// value of each).
	Query map[string]string `json:"query,omitempty"`
	// Headers are request headers that must have these values.
	Headers map[string]string `json:"headers,omitempty"`
	// Body are fields of a JSON request body, each a dotted path (an array
	// element by its index: "server.networks.0.uuid") that must equal the
	// JSON value given.
	Body map[string]json.RawMessage `json:"body,omitempty"`
}

// Answer is what a matched rule sends.
type Answer struct {
	// Status is the HTTP status; 0 means 200.
	Status int `json:"status,omitempty"`
	// Headers are sent as given; Content-Type defaults to application/json
	// when there is a body.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is a text/template over the request (see [Request]); its output
	// is sent as it is.
	Body string `json:"body,omitempty"`
	// Delay holds the answer for this long on the Cloud's clock (a frozen
	// clock must be ticked past it), as a Go duration ("1.5s").
	Delay Duration `json:"delay,omitempty"`
}

// Duration is a time.Duration written as a Go duration string in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as "1.5s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "1.5s" (or a number of seconds).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err := json.Unmarshal(b, &secs); err != nil {
			return fmt.Errorf("a duration is a string such as \"1.5s\" or a number of seconds")
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Request is what an answer's body template sees.
type Request struct {
	Method  string
	Path    string
	Vars    map[string]string // the path pattern's variables
	Query   map[string]string // the first value of each parameter
	Headers map[string]string // the first value of each header, by canonical name ("X-Auth-Token")
	Body    any               // the JSON body decoded (nil when it is not JSON)
	RawBody string
	Now     time.Time // the Cloud's clock
	State   string    // the set's scenario state when the rule matched
}

// compiled is a rule ready to match.
type compiled struct {
	Rule
	op       string
	methods  map[string]bool // nil: any
	segments []segment
	body     []bodyField
	tmpl     *template.Template
}

type segment struct {
	literal string
	varName string // {name}
	rest    bool   // {name...}
}

type bodyField struct {
	path []string
	want any
}

// compiledSet is a set ready to serve.
type compiledSet struct {
	Set
	rules []*compiled
}

var (
	setName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// RuleError is a set refused: the rule at Index (-1 for the set itself)
// and why.
type RuleError struct {
	Set    string
	Index  int
	Field  string
	Reason string
}

func (e *RuleError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("route set %q: %s: %s", e.Set, e.Field, e.Reason)
	}
	return fmt.Sprintf("route set %q: rule %d: %s: %s", e.Set, e.Index, e.Field, e.Reason)
}

// compile validates every part of s and builds it; nothing is kept of a
// set with an error. listeners are the extra listeners that exist.
func compile(s Set, listeners []string, funcs template.FuncMap) (*compiledSet, error) {
	setErr := func(field, format string, args ...any) error {
		return &RuleError{Set: s.Name, Index: -1, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if !setName.MatchString(s.Name) {
		return nil, setErr("name", "a set's name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if s.Listener != "" && !contains(listeners, s.Listener) {
		return nil, setErr("listener", "no listener %q (listeners: %s)", s.Listener, strings.Join(listeners, ", "))
	}
	states := map[string]bool{}
	for _, st := range s.States {
		if st == "" || states[st] {
			return nil, setErr("states", "state %q is empty or given twice", st)
		}
		states[st] = true
	}
	out := &compiledSet{Set: cloneSet(s)}
	names := map[string]bool{}
	for i, r := range s.Rules {
		c, err := compileRule(s.Name, i, r, states, funcs)
		if err != nil {
			return nil, err
		}
		if names[c.op] {
			return nil, &RuleError{Set: s.Name, Index: i, Field: "name", Reason: fmt.Sprintf("two rules are named %q", r.Name)}
		}
		names[c.op] = true
		out.rules = append(out.rules, c)
	}
	return out, nil
}

func compileRule(set string, i int, r Rule, states map[string]bool, funcs template.FuncMap) (*compiled, error) {
	bad := func(field, format string, args ...any) error {
		return &RuleError{Set: set, Index: i, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	c := &compiled{Rule: r}
	name := r.Name
	if name == "" {
		name = fmt.Sprint(i)
	} else if !setName.MatchString(name) {
		return nil, bad("name", "a rule's name is 1 to 64 letters, digits, '.', '_' or '-'")
	}
	c.op = OpPrefix + set + "." + name
	if err := c.compileMethod(); err != nil {
		return nil, bad("match.method", "%v", err)
	}
	segs, err := compilePath(r.Match.Path)
	if err != nil {
		return nil, bad("match.path", "%v", err)
	}
	c.segments = segs
	for k := range r.Match.Headers {
		if k == "" || strings.ContainsAny(k, " :\t\r\n") {
			return nil, bad("match.headers", "%q is not a header name", k)
		}
	}
	for k, raw := range r.Match.Body {
		f, err := compileBodyField(k, raw)
		if err != nil {
			return nil, bad("match.body."+k, "%v", err)
		}
		c.body = append(c.body, f)
	}
	switch {
	case r.State != "" && !states[r.State]:
		return nil, bad("state", "%q is not one of the set's states %q", r.State, keys(states))
	case r.NextState != "" && !states[r.NextState]:
		return nil, bad("next_state", "%q is not one of the set's states %q", r.NextState, keys(states))
	case r.Times < 0:
		return nil, bad("times", "%d is negative (0 is no limit)", r.Times)
	case r.Answer.Status != 0 && (r.Answer.Status < 200 || r.Answer.Status > 599):
		return nil, bad("answer.status", "%d is not a final HTTP status (200-599)", r.Answer.Status)
	case r.Answer.Delay < 0:
		return nil, bad("answer.delay", "%v is negative", time.Duration(r.Answer.Delay))
	}
	for k := range r.Answer.Headers {
		if k == "" || strings.ContainsAny(k, " :\t\r\n") {
			return nil, bad("answer.headers", "%q is not a header name", k)
		}
	}
	t, err := template.New(c.op).Funcs(funcs).Option("missingkey=zero").Parse(r.Answer.Body)
	if err != nil {
		return nil, bad("answer.body", "%v", err)
	}
	c.tmpl = t
	return c, nil
}

func (c *compiled) compileMethod() error {
	m := strings.TrimSpace(c.Match.Method)
	if m == "" || m == "*" {
		return nil
	}
	c.methods = map[string]bool{}
	for _, part := range strings.Split(m, ",") {
		part = strings.ToUpper(strings.TrimSpace(part))
		if part == "" || strings.ContainsAny(part, " /\t") {
			return fmt.Errorf("%q is not a method", c.Match.Method)
		}
		c.methods[part] = true
	}
	return nil
}

// compilePath reads a pattern: "/a/{b}/c", "/files/{path...}".
func compilePath(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("%q must start with /", p)
	}
	var out []segment
	seen := map[string]bool{}
	parts := strings.Split(p[1:], "/")
	for i, part := range parts {
		if !strings.ContainsAny(part, "{}") {
			out = append(out, segment{literal: part})
			continue
		}
		if !strings.HasPrefix(part, "{") || !strings.HasSuffix(part, "}") {
			return nil, fmt.Errorf("%q: a variable is a whole segment, such as {id}", p)
		}
		name := part[1 : len(part)-1]
		rest := strings.HasSuffix(name, "...")
		name = strings.TrimSuffix(name, "...")
		switch {
		case !varName.MatchString(name):
			return nil, fmt.Errorf("%q: %q is not a variable name", p, name)
		case seen[name]:
			return nil, fmt.Errorf("%q: variable %q given twice", p, name)
		case rest && i != len(parts)-1:
			return nil, fmt.Errorf("%q: {%s...} must be the last segment", p, name)
		}
		seen[name] = true
		out = append(out, segment{varName: name, rest: rest})
	}
	return out, nil
}

func compileBodyField(key string, raw json.RawMessage) (bodyField, error) {
	if key == "" {
		return bodyField{}, fmt.Errorf("an empty field path")
	}
	path := strings.Split(key, ".")
	for _, p := range path {
		if p == "" {
			return bodyField{}, fmt.Errorf("%q has an empty segment", key)
		}
	}
	var want any
	if err := json.Unmarshal(raw, &want); err != nil {
		return bodyField{}, fmt.Errorf("not a JSON value: %v", err)
	}
	return bodyField{path: path, want: want}, nil
}

func cloneSet(s Set) Set {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a Set always marshals
	}
	var out Set
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// headerName is the canonical form of a header name.
func headerName(k string) string { return http.CanonicalHeaderKey(k) }
