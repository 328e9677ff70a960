package fastly

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// param is one request parameter, whichever way it was sent: a form field,
// a repeated form field or "name[]" (a list), or a JSON member (a string,
// number or boolean as text, null, or an array).
type param struct {
	s      string
	null   bool
	list   []string
	isList bool
}

// params are a request's parameters by name.
type params map[string]param

func (p params) has(name string) bool { _, ok := p[name]; return ok }

// str returns a parameter as text ("" when absent or null).
func (p params) str(name string) string { return p[name].s }

// readParams reads the body as Fastly accepts it: form-encoded (what the
// official clients send) or JSON (what the newer endpoints and some clients
// send). Query parameters are read too, for old clients that put form fields
// in the query string; the body wins.
func readParams(c *kit.Call) (params, error) {
	p, err := parseBody(c.Request.Header.Get("Content-Type"), c.Body)
	if err != nil {
		return nil, err
	}
	for k, vs := range c.Query() {
		if _, ok := p[k]; !ok && len(vs) > 0 {
			p.addForm(k, vs)
		}
	}
	return p, nil
}

// parseBody reads a body of the given content type into parameters: a 400
// for a malformed one, a 415 for a type Fastly does not take.
func parseBody(contentType string, body []byte) (params, error) {
	p := params{}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	mt := "application/x-www-form-urlencoded"
	if contentType != "" {
		m, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return nil, kit.Errorf(http.StatusUnsupportedMediaType, "Unsupported Content-Type %q", contentType)
		}
		mt = m
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, kit.BadRequest("Malformed form body: %v", err)
		}
		for k, vs := range vals {
			p.addForm(k, vs)
		}
		return p, nil
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return parseJSONObject(body)
	default:
		return nil, kit.Errorf(http.StatusUnsupportedMediaType, "Unsupported Content-Type %q; send application/x-www-form-urlencoded or application/json", mt)
	}
}

func parseJSONObject(body []byte) (params, error) {
	var obj map[string]json.RawMessage
	if err := kit.DecodeJSON(body, &obj, kit.DecodeOptions{}); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, kit.BadRequest("Malformed request body: a JSON object is required")
	}
	p := make(params, len(obj))
	for k, raw := range obj {
		v, err := jsonParam(raw)
		if err != nil {
			return nil, kit.BadRequest("Malformed request body: member %q: %v", k, err)
		}
		p[k] = v
	}
	return p, nil
}

func (p params) addForm(k string, vs []string) {
	if strings.HasSuffix(k, "[]") {
		k = strings.TrimSuffix(k, "[]")
		old := p[k]
		p[k] = param{list: append(old.list, vs...), isList: true, s: strings.Join(append(old.list, vs...), " ")}
		return
	}
	if len(vs) > 1 {
		p[k] = param{list: append([]string(nil), vs...), isList: true, s: vs[len(vs)-1]}
		return
	}
	p[k] = param{s: vs[0]}
}

// jsonParam turns a JSON member into a param.
func jsonParam(raw json.RawMessage) (param, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return param{}, fmt.Errorf("empty value")
	}
	switch raw[0] {
	case 'n':
		return param{null: true}, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return param{}, err
		}
		return param{s: s}, nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return param{}, err
		}
		out := param{isList: true, list: []string{}}
		for _, it := range items {
			v, err := jsonParam(it)
			if err != nil {
				return param{}, err
			}
			out.list = append(out.list, v.s)
		}
		out.s = strings.Join(out.list, " ")
		return out, nil
	default: // number, boolean or object: as its JSON text
		return param{s: string(raw)}, nil
	}
}

// fields reads request parameters into the fields of one value, one call
// per field (see the bind methods in fields.go). A parameter that was not
// sent leaves its field as it is: a default on a create, the stored value
// on an update. Unknown parameters are ignored, as Fastly ignores them.
// The first bad parameter is the error; the calls after it do nothing.
type fields struct {
	p   params
	err error
}

// bind reads p into x with x's bind method.
func bind[T any](p params, x *T, read func(*T, *fields)) error {
	b := fields{p: p}
	read(x, &b)
	return b.err
}

func (b *fields) get(name string) (param, bool) {
	if b.err != nil {
		return param{}, false
	}
	pv, ok := b.p[name]
	return pv, ok
}

// textRule checks a string parameter.
type textRule func(name, s string) error

// maxLen refuses a string longer than n bytes.
func maxLen(n int) textRule {
	return func(name, s string) error {
		if len(s) > n {
			return kit.BadRequest("Invalid value for '%s': longer than %d characters", name, n)
		}
		return nil
	}
}

// oneOf refuses a non-empty string that is not one of values.
func oneOf(values ...string) textRule {
	return func(name, s string) error {
		if s == "" {
			return nil
		}
		for _, v := range values {
			if s == v {
				return nil
			}
		}
		return kit.BadRequest("Invalid value for '%s': '%s' is not one of %s", name, s, strings.Join(values, ", "))
	}
}

func textValue(name string, pv param, rules []textRule) (string, error) {
	if pv.isList {
		return "", kit.BadRequest("Invalid value for '%s': must be a string, not a list", name)
	}
	for _, r := range rules {
		if err := r(name, pv.s); err != nil {
			return "", err
		}
	}
	return pv.s, nil
}

// unset reports a parameter that clears an optional field: null, or an
// empty form value.
func unset(pv param) bool { return pv.null || (!pv.isList && pv.s == "") }

// text sets a string.
func (b *fields) text(name string, dst *string, rules ...textRule) {
	pv, ok := b.get(name)
	if !ok {
		return
	}
	s, err := textValue(name, pv, rules)
	if err != nil {
		b.err = err
		return
	}
	*dst = s
}

// optText sets a string Fastly renders as null when unset.
func (b *fields) optText(name string, dst **string, rules ...textRule) {
	pv, ok := b.get(name)
	if !ok {
		return
	}
	if unset(pv) {
		*dst = nil
		return
	}
	s, err := textValue(name, pv, rules)
	if err != nil {
		b.err = err
		return
	}
	*dst = &s
}

// span is the range an integer parameter must fall in.
type span struct{ min, max int64 }

// anyInt is any integer Fastly stores (32 bits).
var anyInt = span{math.MinInt32, math.MaxInt32}

func atLeast(n int64) span      { return span{n, math.MaxInt32} }
func between(lo, hi int64) span { return span{lo, hi} }

// number sets an integer; null or an empty value is 0.
func (b *fields) number(name string, dst *int, r span) {
	pv, ok := b.get(name)
	if !ok {
		return
	}
	n, err := parseInt(name, pv, r)
	if err != nil {
		b.err = err
		return
	}
	*dst = int(n)
}

// optNumber sets an integer Fastly renders as null when unset.
func (b *fields) optNumber(name string, dst **int, r span) {
	pv, ok := b.get(name)
	if !ok {
		return
	}
	if unset(pv) {
		*dst = nil
		return
	}
	n, err := parseInt(name, pv, r)
	if err != nil {
		b.err = err
		return
	}
	v := int(n)
	*dst = &v
}

// flag sets a boolean.
func (b *fields) flag(name string, dst *bool) {
	pv, ok := b.get(name)
	if !ok {
		return
	}
	v, err := parseBool(name, pv)
	if err != nil {
		b.err = err
		return
	}
	*dst = v
}

// optFlag sets a boolean Fastly renders as null when unset.
func (b *fields) optFlag(name string, dst **bool) {
	pv, ok := b.get(name)
	if !ok {
		return
	}
	if unset(pv) {
		*dst = nil
		return
	}
	v, err := parseBool(name, pv)
	if err != nil {
		b.err = err
		return
	}
	*dst = &v
}

// list sets a list of strings; null empties it.
func (b *fields) list(name string, dst *[]string) {
	pv, ok := b.get(name)
	if !ok {
		return
	}
	if pv.null {
		*dst = []string{}
		return
	}
	*dst = stringList(pv)
}

// require fails when value, a required field as the parameters left it,
// is empty.
func (b *fields) require(name, value string) {
	if b.err == nil && strings.TrimSpace(value) == "" {
		b.err = kit.BadRequest("Required parameter '%s' is missing or empty", name)
	}
}

func parseInt(name string, pv param, r span) (int64, error) {
	if pv.isList {
		return 0, kit.BadRequest("Invalid value for '%s': must be an integer, not a list", name)
	}
	s := strings.TrimSpace(pv.s)
	if pv.null || s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// JSON clients may send 5000.0; accept integral numbers.
		fl, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || fl != float64(int64(fl)) || fl > 1<<53 || fl < -(1<<53) {
			return 0, kit.BadRequest("Invalid value for '%s': '%s' is not an integer", name, pv.s)
		}
		n = int64(fl)
	}
	if n > math.MaxInt32 || n < math.MinInt32 {
		return 0, kit.BadRequest("Invalid value for '%s': %d is out of range", name, n)
	}
	if n < r.min {
		return 0, kit.BadRequest("Invalid value for '%s': must be at least %d", name, r.min)
	}
	if n > r.max {
		return 0, kit.BadRequest("Invalid value for '%s': must be at most %d", name, r.max)
	}
	return n, nil
}

func parseBool(name string, pv param) (bool, error) {
	if pv.isList {
		return false, kit.BadRequest("Invalid value for '%s': must be a boolean, not a list", name)
	}
	switch strings.ToLower(strings.TrimSpace(pv.s)) {
	case "1", "true", "t", "yes", "on":
		return true, nil
	case "0", "false", "f", "no", "off", "":
		return false, nil
	}
	return false, kit.BadRequest("Invalid value for '%s': '%s' is not a boolean", name, pv.s)
}

// stringList reads a list parameter: repeated fields, a JSON array, or a
// form field holding a JSON array (as go-fastly sends healthcheck headers).
func stringList(pv param) []string {
	if pv.isList {
		return append([]string{}, pv.list...)
	}
	s := strings.TrimSpace(pv.s)
	if s == "" {
		return []string{}
	}
	if strings.HasPrefix(s, "[") {
		var l []string
		if err := json.Unmarshal([]byte(s), &l); err == nil {
			return l
		}
	}
	return []string{pv.s}
}
