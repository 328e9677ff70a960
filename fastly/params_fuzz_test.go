package fastly

import (
	"net/http"
	"reflect"
	"testing"
)

// FuzzParseBody: any body and content type either parses or yields a 400
// or 415 with a detail; parsed parameters then apply to every resource
// type without a panic, succeeding or failing with a 400.
func FuzzParseBody(f *testing.F) {
	for _, seed := range []struct{ ct, body string }{
		{"application/x-www-form-urlencoded", "name=a&port=80&use_ssl=1&headers[]=a&headers[]=b"},
		{"application/x-www-form-urlencoded", "%zz"},
		{"application/json", `{"name":"a","port":80,"use_ssl":true,"headers":["a"],"placement":null,"x":{"y":1}}`},
		{"application/json", `{"port":1e400}`},
		{"application/json", `{"port":"9999999999999"}`},
		{"application/json; charset=utf-8", `[1]`},
		{"", "name=a"},
		{"text/html", "<p>"},
		{"multipart/form-data; boundary=x", "--x--"},
		{"a;b", "x"},
	} {
		f.Add(seed.ct, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		p, err := parseBody(ct, body)
		if err != nil {
			if (err.status != http.StatusBadRequest && err.status != http.StatusUnsupportedMediaType) || err.detail == "" {
				t.Fatalf("parseBody(%q, %q) = %+v", ct, body, err)
			}
			return
		}
		for _, dst := range []any{&Backend{}, &Healthcheck{}, &Condition{}, &Header{}, &CacheSetting{}, &RequestSetting{},
			&ResponseObject{}, &Gzip{}, &Snippet{}, &VCL{}, &Dictionary{}, &LogSyslog{}, &Settings{}, &Domain{}} {
			if err := applyParams(p, dst); err != nil && err.status != http.StatusBadRequest {
				t.Fatalf("applyParams(%T) = %+v", dst, err)
			}
			_ = checkRequired(dst)
			m := map[string]any{}
			renderFields(m, deref(dst))
		}
	})
}

func deref(v any) any { return reflect.ValueOf(v).Elem().Interface() }
