package fastly

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/fake"
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
func readParams(r *http.Request) (params, *apiError) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, badRequest("could not read the request body: %v", err)
	}
	p, e := parseBody(r.Header.Get("Content-Type"), body)
	if e != nil {
		return nil, e
	}
	for k, vs := range r.URL.Query() {
		if _, ok := p[k]; !ok && len(vs) > 0 {
			p.addForm(k, vs)
		}
	}
	return p, nil
}

// parseBody is readParams over a body already read; it is what the fuzz
// tests drive.
func parseBody(contentType string, body []byte) (params, *apiError) {
	p := params{}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	mt := "application/x-www-form-urlencoded"
	if contentType != "" {
		m, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return nil, errorf(http.StatusUnsupportedMediaType, "Unsupported Content-Type %q", contentType)
		}
		mt = m
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, badRequest("Malformed form body: %v", err)
		}
		for k, vs := range vals {
			p.addForm(k, vs)
		}
		return p, nil
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		var obj map[string]json.RawMessage
		if err := fake.DecodeJSONBytes(body, &obj, fake.DecodeOptions{}); err != nil {
			return nil, badRequest("%s", err.Message)
		}
		if obj == nil {
			return nil, badRequest("Malformed request body: a JSON object is required")
		}
		for k, raw := range obj {
			v, err := jsonParam(raw)
			if err != nil {
				return nil, badRequest("Malformed request body: member %q: %v", k, err)
			}
			p[k] = v
		}
		return p, nil
	default:
		return nil, errorf(http.StatusUnsupportedMediaType, "Unsupported Content-Type %q; send application/x-www-form-urlencoded or application/json", mt)
	}
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

// fieldOpts are what a `fastly:"..."` struct tag says about a field.
type fieldOpts struct {
	ro       bool     // read-only: never set from a request
	str      bool     // an int or bool Fastly renders as a JSON string ("100", "1")
	required bool     // must be present and non-empty on create
	hasMin   bool     //
	min, max int64    // range of an int
	hasMax   bool     //
	enum     []string // allowed values of a string
	maxLen   int      // longest string
}

func parseOpts(tag string) fieldOpts {
	var o fieldOpts
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "ro":
			o.ro = true
		case "str":
			o.str = true
		case "req":
			o.required = true
		case "min":
			o.min, _ = strconv.ParseInt(v, 10, 64)
			o.hasMin = true
		case "max":
			o.max, _ = strconv.ParseInt(v, 10, 64)
			o.hasMax = true
		case "enum":
			o.enum = strings.Split(v, "|")
		case "len":
			o.maxLen, _ = strconv.Atoi(v)
		}
	}
	return o
}

// field is one tagged field of a resource struct.
type field struct {
	index int
	name  string
	opts  fieldOpts
}

// fieldTables holds the fields of every resource type, computed once when
// the package loads and only read afterwards.
var fieldTables = func() map[reflect.Type][]field {
	m := map[reflect.Type][]field{}
	for _, v := range []any{Domain{}, Backend{}, Healthcheck{}, Condition{}, Header{}, CacheSetting{}, RequestSetting{},
		ResponseObject{}, Gzip{}, Snippet{}, VCL{}, Dictionary{}, LogSyslog{}, Settings{},
		serviceCreate{}, versionUpdate{}, dictionaryItemIn{}} {
		t := reflect.TypeOf(v)
		m[t] = computeFields(t)
	}
	return m
}()

func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldTables[t]; ok {
		return f
	}
	return computeFields(t)
}

func computeFields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if name := jsonName(sf); name != "" {
			out = append(out, field{index: i, name: name, opts: parseOpts(sf.Tag.Get("fastly"))})
		}
	}
	return out
}

func jsonName(sf reflect.StructField) string {
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// applyParams sets the fields of *dst (a struct of a resource type) named by
// p, converting and range-checking each. Unknown parameters are ignored, as
// Fastly ignores them.
func applyParams(p params, dst any) *apiError {
	v := reflect.ValueOf(dst).Elem()
	for _, fd := range fieldsOf(v.Type()) {
		pv, ok := p[fd.name]
		if !ok || fd.opts.ro {
			continue
		}
		if err := setField(v.Field(fd.index), fd.name, pv, fd.opts); err != nil {
			return err
		}
	}
	return nil
}

func setField(f reflect.Value, name string, pv param, o fieldOpts) *apiError {
	switch f.Kind() {
	case reflect.String:
		if pv.isList {
			return badRequest("Invalid value for '%s': must be a string, not a list", name)
		}
		if err := checkString(name, pv.s, o); err != nil {
			return err
		}
		f.SetString(pv.s)
	case reflect.Int:
		n, err := parseInt(name, pv, o)
		if err != nil {
			return err
		}
		f.SetInt(n)
	case reflect.Bool:
		b, err := parseBool(name, pv)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case reflect.Slice: // []string
		if pv.null {
			f.Set(reflect.ValueOf([]string{}))
			return nil
		}
		f.Set(reflect.ValueOf(stringList(pv)))
	case reflect.Pointer:
		if pv.null || (!pv.isList && pv.s == "") {
			f.Set(reflect.Zero(f.Type()))
			return nil
		}
		nv := reflect.New(f.Type().Elem())
		if err := setField(nv.Elem(), name, pv, o); err != nil {
			return err
		}
		f.Set(nv)
	}
	return nil
}

func checkString(name, s string, o fieldOpts) *apiError {
	if o.maxLen > 0 && len(s) > o.maxLen {
		return badRequest("Invalid value for '%s': longer than %d characters", name, o.maxLen)
	}
	if len(o.enum) > 0 && s != "" {
		for _, e := range o.enum {
			if s == e {
				return nil
			}
		}
		return badRequest("Invalid value for '%s': '%s' is not one of %s", name, s, strings.Join(o.enum, ", "))
	}
	return nil
}

func parseInt(name string, pv param, o fieldOpts) (int64, *apiError) {
	if pv.isList {
		return 0, badRequest("Invalid value for '%s': must be an integer, not a list", name)
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
			return 0, badRequest("Invalid value for '%s': '%s' is not an integer", name, pv.s)
		}
		n = int64(fl)
	}
	if n > 1<<31-1 || n < -(1<<31) {
		return 0, badRequest("Invalid value for '%s': %d is out of range", name, n)
	}
	if o.hasMin && n < o.min {
		return 0, badRequest("Invalid value for '%s': must be at least %d", name, o.min)
	}
	if o.hasMax && n > o.max {
		return 0, badRequest("Invalid value for '%s': must be at most %d", name, o.max)
	}
	return n, nil
}

func parseBool(name string, pv param) (bool, *apiError) {
	if pv.isList {
		return false, badRequest("Invalid value for '%s': must be a boolean, not a list", name)
	}
	switch strings.ToLower(strings.TrimSpace(pv.s)) {
	case "1", "true", "t", "yes", "on":
		return true, nil
	case "0", "false", "f", "no", "off", "":
		return false, nil
	}
	return false, badRequest("Invalid value for '%s': '%s' is not a boolean", name, pv.s)
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

// checkRequired reports the first required field of *v left empty.
func checkRequired(v any) *apiError {
	rv := reflect.ValueOf(v).Elem()
	for _, fd := range fieldsOf(rv.Type()) {
		if !fd.opts.required {
			continue
		}
		f := rv.Field(fd.index)
		if f.IsZero() || (f.Kind() == reflect.String && strings.TrimSpace(f.String()) == "") {
			return badRequest("Required parameter '%s' is missing or empty", fd.name)
		}
	}
	return nil
}

// renderFields writes the tagged fields of v (a resource struct) into m as
// Fastly renders them: nil pointers as null, nil lists as [], and "str"
// fields as strings.
func renderFields(m map[string]any, v any) {
	rv := reflect.ValueOf(v)
	for _, fd := range fieldsOf(rv.Type()) {
		m[fd.name] = renderValue(rv.Field(fd.index), fd.opts)
	}
}

func renderValue(f reflect.Value, o fieldOpts) any {
	switch f.Kind() {
	case reflect.Pointer:
		if f.IsNil() {
			return nil
		}
		return renderValue(f.Elem(), o)
	case reflect.Int:
		if o.str {
			return strconv.FormatInt(f.Int(), 10)
		}
		return f.Int()
	case reflect.Bool:
		if o.str {
			if f.Bool() {
				return "1"
			}
			return "0"
		}
		return f.Bool()
	case reflect.Slice:
		l := f.Interface().([]string)
		if l == nil {
			l = []string{}
		}
		return l
	default:
		return f.String()
	}
}
