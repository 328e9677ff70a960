package kit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/kit"
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
		for _, opts := range []kit.DecodeOptions{{}, {DisallowUnknownFields: true, AllowEmpty: true}} {
			err := kit.DecodeJSON(body, &v, opts)
			var e *kit.Error
			if err != nil && (!errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Message == "") {
				t.Fatalf("DecodeJSON(%q) = %v", body, err)
			}
			if err == nil && len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
				t.Fatalf("DecodeJSON accepted %q, which is not one JSON value", body)
			}
		}
	})
}
