package fake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/fake"
)

// FuzzDecodeJSON: any body either decodes or yields a 400 with a message;
// never a panic, never another status; nothing but one JSON value decodes.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{``, `{}`, `{"name":"a","n":1}`, `{"name":1}`, `[`, `{} {}`, `{}}`, `null`, `{"x":true}`, "\xff"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v struct {
			Name string         `json:"name"`
			N    int            `json:"n"`
			M    map[string]any `json:"m"`
		}
		for _, opts := range []fake.DecodeOptions{{}, {DisallowUnknownFields: true, AllowEmpty: true}} {
			err := fake.DecodeJSONBytes(body, &v, opts)
			if err != nil && (err.Status != http.StatusBadRequest || err.Message == "") {
				t.Fatalf("DecodeJSONBytes(%q) = %v", body, err)
			}
			if err == nil && len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
				t.Fatalf("DecodeJSONBytes accepted %q, which is not one JSON value", body)
			}
		}
	})
}

// FuzzFaultJSON: the control API's fault form never panics, and what it
// accepts is a valid rule.
func FuzzFaultJSON(f *testing.F) {
	for _, seed := range []string{`{"op":"a.b","status":503,"times":2}`, `{"delay":"1s","drop":true}`, `{"path":"[","status":500}`, `{"probability":0.5}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var flt fake.Fault
		if err := fake.DecodeJSONBytes(body, &flt, fake.DecodeOptions{}); err != nil {
			return
		}
		if err := flt.Validate(); err != nil {
			t.Fatalf("decoded an invalid fault from %q: %v", body, err)
		}
		if _, err := fake.NewFaults(fake.NewRNG(1)).Add(flt); err != nil {
			t.Fatalf("Add refused a decoded fault: %v", err)
		}
	})
}
