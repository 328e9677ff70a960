package fastly

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/kit"
)

// FuzzParseBody: any body and content type either parses or yields a 400
// or 415 with a detail; parsed parameters then bind to every resource
// type without a panic, succeeding or failing with a 400, and what they
// bound renders as JSON.
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
	ks := newKindSet()
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		p, err := parseBody(ct, body)
		if err != nil {
			var e *kit.Error
			if !errors.As(err, &e) || (e.Status != http.StatusBadRequest && e.Status != http.StatusUnsupportedMediaType) || e.Message == "" {
				t.Fatalf("parseBody(%q, %q) = %+v", ct, body, err)
			}
			return
		}
		fuzzKind(t, ks.backends, p)
		fuzzKind(t, ks.cacheSettings, p)
		fuzzKind(t, ks.conditions, p)
		fuzzKind(t, ks.dictionaries, p)
		fuzzKind(t, ks.domains, p)
		fuzzKind(t, ks.gzips, p)
		fuzzKind(t, ks.headers, p)
		fuzzKind(t, ks.healthchecks, p)
		fuzzKind(t, ks.requestSettings, p)
		fuzzKind(t, ks.responseObjects, p)
		fuzzKind(t, ks.snippets, p)
		fuzzKind(t, ks.vcls, p)
		fuzzKind(t, ks.syslogs, p)
		var st Settings
		checkBindError(t, "Settings", bind(p, &st, (*Settings).bind))
		if _, err := json.Marshal(settingsWire{Settings: st}); err != nil {
			t.Fatalf("rendering settings %+v: %v", st, err)
		}
	})
}

// fuzzKind binds p to a new resource of k's type (over its defaults) and
// renders what it got.
func fuzzKind[T named, W any](t *testing.T, k *kind[T, W], p params) {
	t.Helper()
	x, err := k.parse(p)
	checkBindError(t, k.label, err)
	if _, err := json.Marshal(k.wire(x, meta{})); err != nil {
		t.Fatalf("rendering %s %+v: %v", k.label, x, err)
	}
}

func checkBindError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *kit.Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest {
		t.Fatalf("binding %s: %+v", what, err)
	}
}
