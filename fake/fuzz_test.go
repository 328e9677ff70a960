package fake_test

import (
	"encoding/json"
	"testing"

	"github.com/mockcloud/mockcloud/fake"
)

// FuzzFaultJSON: the control API's fault form never panics, and what it
// accepts is a valid rule.
func FuzzFaultJSON(f *testing.F) {
	for _, seed := range []string{`{"op":"a.b","status":503,"times":2}`, `{"delay":"1s","drop":true}`, `{"path":"[","status":500}`, `{"probability":0.5}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var flt fake.Fault
		if err := json.Unmarshal(body, &flt); err != nil {
			return
		}
		if err := flt.Validate(); err != nil {
			t.Fatalf("decoded an invalid fault from %q: %v", body, err)
		}
		if _, err := fake.NewFaults(nil).Add(flt); err != nil {
			t.Fatalf("Add refused a decoded fault: %v", err)
		}
	})
}
