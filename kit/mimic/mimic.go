// Package mimic holds what the fakes share to accept Mimic's control APIs
// unchanged: its behavior registrations ("fail", "sequence" with
// criteria), its anchored criteria and its failure bodies. Each service turns
// them into its own typed behaviors.
package mimic

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/mockcloud/mockcloud/kit"
)

// Behavior is a behavior registration in the form Mimic's control APIs
// take it:
//
//	{"criteria": [{"server_name": "web.*"}, …],
//	 "name": "fail", "parameters": {"code": 500, "message": "…"}}
//
// "sequence" is unrolled: {"name": "sequence", "parameters": {"behaviors":
// [{"name": …, "parameters": …}, …]}} becomes one step per element, and a
// plain behavior is a single step. Each service turns the criteria and the
// steps into its own typed behavior.
type Behavior struct {
	Criteria []Criterion
	Steps    []Step
}

// Criterion is one criterion: its name and raw JSON value (a regular
// expression string for most, an object for Nova's "metadata").
type Criterion struct {
	Name  string
	Value json.RawMessage
}

// Step is one behavior of a sequence (or the only one).
type Step struct {
	Name       string
	Parameters json.RawMessage
}

// ParseBehavior reads a Mimic behavior registration body.
func ParseBehavior(body []byte) (Behavior, error) {
	var in struct {
		Criteria   []map[string]json.RawMessage `json:"criteria"`
		Name       string                       `json:"name"`
		Parameters json.RawMessage              `json:"parameters"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return Behavior{}, err
	}
	if in.Criteria == nil {
		return Behavior{}, fmt.Errorf("criteria is required")
	}
	var b Behavior
	for _, crit := range in.Criteria {
		for k, v := range crit {
			b.Criteria = append(b.Criteria, Criterion{Name: k, Value: v})
		}
	}
	if in.Name != "sequence" {
		b.Steps = []Step{{Name: in.Name, Parameters: in.Parameters}}
		return b, nil
	}
	var p struct {
		Behaviors []struct {
			Name       string          `json:"name"`
			Parameters json.RawMessage `json:"parameters"`
		} `json:"behaviors"`
	}
	if err := json.Unmarshal(in.Parameters, &p); err != nil || len(p.Behaviors) == 0 {
		return Behavior{}, fmt.Errorf("sequence needs parameters.behaviors")
	}
	for _, sub := range p.Behaviors {
		b.Steps = append(b.Steps, Step{Name: sub.Name, Parameters: sub.Parameters})
	}
	return b, nil
}

// StringCriterion decodes a criterion whose value is a regular expression.
func (c Criterion) StringCriterion() (string, error) {
	var s string
	if err := json.Unmarshal(c.Value, &s); err != nil {
		return "", fmt.Errorf("criterion %q must be a string", c.Name)
	}
	return s, nil
}

// AnchoredRegexp compiles a criterion the way Python's re.match applies
// it: anchored at the start only. The expression must be valid on its own
// ("x)|(y" is invalid, though wrapped it would compile and match "y"
// anywhere). An empty expression is nil: it matches anything.
func AnchoredRegexp(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	if _, err := regexp.Compile(expr); err != nil {
		return nil, err
	}
	return regexp.Compile(`^(?:` + expr + `)`)
}

// Failure is the answer of Mimic's "fail" behaviors:
// {"<Type>": {"message": Message, "code": Code}}, or Message as plain text
// when Type is "string".
type Failure struct {
	Code    int
	Message string
	Type    string
}

// Reply is the failure's answer, filling a zero Code, an empty Message and
// an empty Type with the service's defaults. A code that is not a final
// HTTP status (200-599) becomes 500: net/http panics on some and sends a
// 1xx as an interim answer followed by a 200.
func (f Failure) Reply(defaults Failure) kit.Reply {
	if f.Code == 0 {
		f.Code = defaults.Code
	}
	if f.Code < 200 || f.Code > 599 {
		f.Code = http.StatusInternalServerError
	}
	if f.Message == "" {
		f.Message = defaults.Message
	}
	if f.Type == "" {
		f.Type = defaults.Type
	}
	if f.Type == "string" {
		return kit.Text(f.Code, f.Message)
	}
	return kit.JSON(f.Code, map[string]failureBody{f.Type: {Message: f.Message, Code: f.Code}})
}

type failureBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}
