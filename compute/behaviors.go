package compute

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/mimic"
)

// OutcomeKind is what a server creation does.
type OutcomeKind int

// The outcomes of Mimic's creation behaviors.
const (
	Succeed         OutcomeKind = iota // build normally ("default")
	Fail                               // answer with an error; no server is created ("fail")
	FalseNegative                      // answer with an error, but build the server anyway ("false-negative")
	Build                              // build for Duration ("build")
	Error                              // the server goes to ERROR at once ("error")
	ActiveThenError                    // ACTIVE at once, ERROR after Duration ("active-then-error")
)

// Outcome is one creation outcome. Code, Message and Type shape the error
// of Fail and FalseNegative: status 500, Nova's "computeFault" body and
// its stock message by default; Type "string" sends Message as plain text.
type Outcome struct {
	Kind     OutcomeKind
	Code     int
	Message  string
	Type     string
	Duration time.Duration
}

// CreateBehavior makes matching server creations behave differently. The
// first registered behavior whose criteria all match decides.
type CreateBehavior struct {
	// ID is set by AddCreateBehavior: a UUID made from a counter (Mimic's
	// form), so registering a behavior never shifts the IDs of servers.
	ID       string
	Project  string            // only this project; empty matches any
	Name     string            // regular expression matched at the start of the server name
	Metadata map[string]string // metadata key -> regular expression its value must match (at the start)
	// Outcomes are played in turn, one per matching creation, cycling:
	// one is Mimic's single behavior, several its "sequence".
	Outcomes []Outcome
}

// createBehavior is a registered CreateBehavior, compiled; next counts the
// creations it has decided.
type createBehavior struct {
	project  string
	name     *regexp.Regexp
	metadata map[string]*regexp.Regexp
	outcomes []Outcome
	next     int
	spec     CreateBehavior
}

// AddCreateBehavior registers b and returns the stored copy, its ID set.
func (c *Compute) AddCreateBehavior(b CreateBehavior) (CreateBehavior, error) {
	if len(b.Outcomes) == 0 {
		return CreateBehavior{}, fmt.Errorf("compute: a create behavior needs at least one outcome")
	}
	cb := &createBehavior{project: b.Project, outcomes: append([]Outcome(nil), b.Outcomes...), metadata: map[string]*regexp.Regexp{}}
	var err error
	if cb.name, err = mimic.AnchoredRegexp(b.Name); err != nil {
		return CreateBehavior{}, fmt.Errorf("compute: server_name criterion: %v", err)
	}
	for k, v := range b.Metadata {
		re, err := mimic.AnchoredRegexp(v)
		if err != nil {
			return CreateBehavior{}, fmt.Errorf("compute: metadata criterion %q: %v", k, err)
		}
		if re == nil {
			re = regexp.MustCompile(`^`)
		}
		cb.metadata[k] = re
	}
	for i, o := range cb.outcomes {
		if o.Code != 0 && (o.Code < 100 || o.Code > 599) {
			return CreateBehavior{}, fmt.Errorf("compute: outcome %d: %d is not an HTTP status", i, o.Code)
		}
		if o.Duration < 0 {
			return CreateBehavior{}, fmt.Errorf("compute: outcome %d: negative duration", i)
		}
	}
	cb.spec = b.clone()
	cb.spec.ID = ""
	stored := b.clone()
	stored.ID = c.behaviors.Add(cb)
	return stored, nil
}

func (b CreateBehavior) clone() CreateBehavior {
	b.Metadata = maps.Clone(b.Metadata)
	b.Outcomes = append([]Outcome(nil), b.Outcomes...)
	return b
}

// CreateBehaviors returns the registered behaviors, in the order they are
// tried.
func (c *Compute) CreateBehaviors() []CreateBehavior {
	return kit.Snapshot(c.behaviors, func(id string, b *createBehavior) CreateBehavior {
		spec := b.spec.clone()
		spec.ID = id
		return spec
	})
}

// RemoveCreateBehavior unregisters a behavior; it reports whether it existed.
func (c *Compute) RemoveCreateBehavior(id string) bool { return c.behaviors.Remove(id) }

// creationOutcome decides what a creation does: Mimic's metadata presets
// first (create_server_failure, server_building, server_error), then the
// registered behaviors.
func (c *Compute) creationOutcome(project, name string, md map[string]string) (Outcome, bool) {
	if o, ok := presetOutcome(md); ok {
		return o, true
	}
	var o Outcome
	_, found := c.behaviors.First(func(_ string, b *createBehavior) bool {
		if !b.matches(project, name, md) {
			return false
		}
		o = b.outcomes[b.next%len(b.outcomes)]
		b.next++
		return true
	})
	return o, found
}

// presetOutcome is the outcome Mimic's metadata presets ask for.
func presetOutcome(md map[string]string) (Outcome, bool) {
	if raw, ok := md["create_server_failure"]; ok {
		var p struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
			Type    string `json:"type"`
		}
		if json.Unmarshal([]byte(raw), &p) == nil {
			return Outcome{Kind: Fail, Code: p.Code, Message: p.Message, Type: p.Type}, true
		}
	}
	if raw, ok := md["server_building"]; ok {
		if secs, err := strconv.ParseFloat(raw, 64); err == nil && secs >= 0 {
			return Outcome{Kind: Build, Duration: time.Duration(secs * float64(time.Second))}, true
		}
	}
	if _, ok := md["server_error"]; ok {
		return Outcome{Kind: Error}, true
	}
	return Outcome{}, false
}

// matches reports whether a creation meets every criterion of b.
func (b *createBehavior) matches(project, name string, md map[string]string) bool {
	if b.project != "" && b.project != project {
		return false
	}
	if b.name != nil && !b.name.MatchString(name) {
		return false
	}
	for k, re := range b.metadata {
		if !re.MatchString(md[k]) {
			return false
		}
	}
	return true
}

// outcomeFailure answers a Fail or FalseNegative outcome the way Mimic
// does: {"<type>": {"message", "code"}}, computeFault and 500 by default.
func outcomeFailure(o Outcome) kit.Reply {
	return mimic.Failure{Code: o.Code, Message: o.Message, Type: o.Type}.Reply(mimic.Failure{
		Code: http.StatusInternalServerError, Type: "computeFault",
		Message: "The server has either erred or is incapable of performing the requested operation",
	})
}

// Route names of the control API (Mimic's cloudServersBehavior service).
const (
	OpControlAddBehavior    = "compute.control.behaviors.create"
	OpControlDeleteBehavior = "compute.control.behaviors.delete"
	OpControlAttributes     = "compute.control.attributes"
)

// controlRoutes serves Mimic's Nova control API under /control/v2/{tenant}:
// the catalog lists it as "cloudServersBehavior", as Mimic does. It takes
// no token.
func (c *Compute) controlRoutes() []kit.Route {
	const root = "/control/v2/{project_id}"
	return []kit.Route{
		{Op: OpControlAddBehavior, Method: "POST", Path: root + "/behaviors/creation", Handler: c.controlAddBehavior, Public: true},
		{Op: OpControlDeleteBehavior, Method: "DELETE", Path: root + "/behaviors/creation/{behavior_id}", Handler: c.controlDeleteBehavior, Public: true},
		{Op: OpControlAttributes, Method: "POST", Path: root + "/attributes/", Handler: c.controlAttributes, Public: true},
		{Op: OpControlAttributes, Method: "POST", Path: root + "/attributes", Handler: c.controlAttributes, Public: true},
	}
}

// parseMimicCreateBehavior reads Mimic's behavior body: criteria
// server_name (a regular expression) and metadata (key -> regular
// expression).
func parseMimicCreateBehavior(body []byte) (CreateBehavior, error) {
	mb, err := mimic.ParseBehavior(body)
	if err != nil {
		return CreateBehavior{}, err
	}
	var b CreateBehavior
	for _, crit := range mb.Criteria {
		switch crit.Name {
		case "server_name":
			if b.Name, err = crit.StringCriterion(); err != nil {
				return CreateBehavior{}, err
			}
		case "metadata":
			if err := json.Unmarshal(crit.Value, &b.Metadata); err != nil {
				return CreateBehavior{}, fmt.Errorf("criterion metadata must map keys to regular expressions")
			}
		default:
			return CreateBehavior{}, fmt.Errorf("unknown criterion %q", crit.Name)
		}
	}
	for _, st := range mb.Steps {
		o, err := outcomeFromMimic(st.Name, st.Parameters)
		if err != nil {
			return CreateBehavior{}, err
		}
		b.Outcomes = append(b.Outcomes, o)
	}
	return b, nil
}

func outcomeFromMimic(name string, raw json.RawMessage) (Outcome, error) {
	var p struct {
		Code     int      `json:"code"`
		Message  string   `json:"message"`
		Type     string   `json:"type"`
		Duration *float64 `json:"duration"`
	}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &p); err != nil {
			return Outcome{}, err
		}
	}
	duration := func() (time.Duration, error) {
		if p.Duration == nil || *p.Duration < 0 {
			return 0, fmt.Errorf("%s needs a non-negative duration", name)
		}
		return time.Duration(*p.Duration * float64(time.Second)), nil
	}
	switch name {
	case "default":
		return Outcome{Kind: Succeed}, nil
	case "fail":
		return Outcome{Kind: Fail, Code: p.Code, Message: p.Message, Type: p.Type}, nil
	case "false-negative":
		return Outcome{Kind: FalseNegative, Code: p.Code, Message: p.Message, Type: p.Type}, nil
	case "error":
		return Outcome{Kind: Error}, nil
	case "build":
		d, err := duration()
		return Outcome{Kind: Build, Duration: d}, err
	case "active-then-error":
		d, err := duration()
		return Outcome{Kind: ActiveThenError, Duration: d}, err
	}
	return Outcome{}, fmt.Errorf("unknown behavior %q", name)
}

// controlAddBehavior: 201 {"id"}, or 400 with no body, as Mimic answers.
func (c *Compute) controlAddBehavior(call *kit.Call) (kit.Reply, error) {
	b, err := parseMimicCreateBehavior(call.Body)
	if err != nil {
		return kit.Status(http.StatusBadRequest), nil
	}
	b.Project = call.Var("project_id")
	stored, err := c.AddCreateBehavior(b)
	if err != nil {
		return kit.Status(http.StatusBadRequest), nil
	}
	return kit.JSON(http.StatusCreated, behaviorIDJSON{ID: stored.ID}), nil
}

// behaviorIDJSON answers a registration, as Mimic does.
type behaviorIDJSON struct {
	ID string `json:"id"`
}

// controlDeleteBehavior: 204, or 404 for an ID the tenant did not
// register (Mimic keeps one registry per tenant).
func (c *Compute) controlDeleteBehavior(call *kit.Call) (kit.Reply, error) {
	id, project := call.Var("behavior_id"), call.Var("project_id")
	if c.behaviors.RemoveIf(id, func(b *createBehavior) bool { return b.project == project }) {
		return kit.Status(http.StatusNoContent), nil
	}
	return kit.Status(http.StatusNotFound), nil
}

// controlAttributes is Mimic's {"status": {"<server id>": "ERROR", ...}}:
// 201 when every server exists (all are changed), 400 otherwise (none is).
func (c *Compute) controlAttributes(call *kit.Call) (kit.Reply, error) {
	var in struct {
		Status map[string]string `json:"status"`
	}
	if err := json.Unmarshal(call.Body, &in); err != nil || in.Status == nil {
		return kit.Status(http.StatusBadRequest), nil
	}
	return kit.Status(c.setStatuses(call.Var("project_id"), in.Status)), nil
}

// setStatuses checks every server, then changes them all, under one lock:
// the batch applies whole or not at all.
func (c *Compute) setStatuses(project string, statuses map[string]string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, st := range statuses {
		s, ok := c.servers[id]
		_, known := statusStates[strings.ToUpper(st)]
		if !ok || s.ProjectID != project || !known || !c.liveLocked(s) {
			return http.StatusBadRequest
		}
	}
	for id, st := range statuses {
		c.setStatusLocked(c.servers[id], st)
	}
	return http.StatusCreated
}

// Presets describes the Mimic metadata presets a server create honours, in
// the form Mimic's GET /mimic/v1.0/presets lists them under "servers".
func Presets() map[string]string {
	return map[string]string{
		"create_server_failure": `{"message": "given message", "code": given code}`,
		"delete_server_failure": `{"code": given code, "times": returns given code that many times}`,
		"server_error":          "sets server state to error on create",
		"server_building":       "sets the server to be in building state for given time in seconds",
	}
}
