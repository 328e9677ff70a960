package routes

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// incoming is a request as the rules see it: its body read, and decoded
// once when a rule or a template first needs it.
type incoming struct {
	r       *http.Request
	body    []byte
	decoded bool
	json    any
	isJSON  bool
}

func newIncoming(r *http.Request, body []byte) *incoming { return &incoming{r: r, body: body} }

// jsonBody is the body decoded, and whether it is JSON.
func (in *incoming) jsonBody() (any, bool) {
	if !in.decoded {
		in.decoded = true
		if len(bytes.TrimSpace(in.body)) > 0 {
			in.isJSON = json.Unmarshal(in.body, &in.json) == nil
		}
	}
	return in.json, in.isJSON
}

// matches reports whether c matches in (state aside), with the path's
// variables.
func (c *compiled) matches(in *incoming) (map[string]string, bool) {
	if c.methods != nil && !c.methods[in.r.Method] {
		return nil, false
	}
	vars, ok := matchPath(c.segments, in.r.URL.Path)
	if !ok {
		return nil, false
	}
	if len(c.Match.Query) > 0 {
		q := in.r.URL.Query()
		for k, v := range c.Match.Query {
			if vs, ok := q[k]; !ok || len(vs) == 0 || vs[0] != v {
				return nil, false
			}
		}
	}
	for k, v := range c.Match.Headers {
		if vs := in.r.Header.Values(k); len(vs) == 0 || vs[0] != v {
			return nil, false
		}
	}
	for _, f := range c.body {
		doc, isJSON := in.jsonBody()
		if !isJSON {
			return nil, false
		}
		got, ok := lookup(doc, f.path)
		if !ok || !reflect.DeepEqual(got, f.want) {
			return nil, false
		}
	}
	return vars, true
}

// matchPath matches the path's segments against the pattern's.
func matchPath(segs []segment, path string) (map[string]string, bool) {
	if !strings.HasPrefix(path, "/") {
		return nil, false
	}
	parts := strings.Split(path[1:], "/")
	vars := map[string]string{}
	for i, s := range segs {
		if s.rest {
			vars[s.varName] = strings.Join(parts[i:], "/")
			return vars, true
		}
		if i >= len(parts) {
			return nil, false
		}
		switch {
		case s.varName != "":
			if parts[i] == "" {
				return nil, false
			}
			vars[s.varName] = parts[i]
		case s.literal != parts[i]:
			return nil, false
		}
	}
	return vars, len(parts) == len(segs)
}

// lookup walks a decoded JSON value by a dotted path; a number segment
// indexes an array.
func lookup(v any, path []string) (any, bool) {
	for _, p := range path {
		switch t := v.(type) {
		case map[string]any:
			next, ok := t[p]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// view is what a body template sees of the request.
func (in *incoming) view(vars map[string]string) Request {
	q := map[string]string{}
	for k, vs := range in.r.URL.Query() {
		if len(vs) > 0 {
			q[k] = vs[0]
		}
	}
	h := map[string]string{}
	for k, vs := range in.r.Header {
		if len(vs) > 0 {
			h[headerName(k)] = vs[0]
		}
	}
	doc, _ := in.jsonBody()
	return Request{Method: in.r.Method, Path: in.r.URL.Path, Vars: vars, Query: q, Headers: h, Body: doc, RawBody: string(in.body)}
}

func sortStrings(s []string) { sort.Strings(s) }
