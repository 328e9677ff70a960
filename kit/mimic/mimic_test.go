package mimic_test

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/kit/mimic"
)

func TestParseBehavior(t *testing.T) {
	seq := `{"criteria":[{"server_name":"web.*"},{"metadata":{"k":"v"}}],"name":"sequence",
		"parameters":{"behaviors":[{"name":"default"},{"name":"fail","parameters":{"code":503}}]}}`
	b, err := mimic.ParseBehavior([]byte(seq))
	if err != nil {
		t.Fatal(err)
	}
	want := mimic.Behavior{
		Criteria: []mimic.Criterion{{Name: "server_name", Value: json.RawMessage(`"web.*"`)}, {Name: "metadata", Value: json.RawMessage(`{"k":"v"}`)}},
		Steps:    []mimic.Step{{Name: "default"}, {Name: "fail", Parameters: json.RawMessage(`{"code":503}`)}},
	}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("parsed (-want +got):\n%s", diff)
	}
	if s, err := b.Criteria[0].StringCriterion(); err != nil || s != "web.*" {
		t.Errorf("StringCriterion = %q, %v", s, err)
	}
	if _, err := b.Criteria[1].StringCriterion(); err == nil {
		t.Error("an object criterion read as a string")
	}
	for _, bad := range []string{`[`, `{}`, `{"criteria":[],"name":"sequence"}`, `{"criteria":[],"name":"sequence","parameters":{"behaviors":[]}}`} {
		if _, err := mimic.ParseBehavior([]byte(bad)); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestAnchoredRegexp(t *testing.T) {
	re, err := mimic.AnchoredRegexp("web-[0-9]+")
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]bool{"web-1": true, "web-12x": true, "my-web-1": false} {
		if re.MatchString(s) != want {
			t.Errorf("match %q = %v, want %v (anchored at the start only, as re.match)", s, !want, want)
		}
	}
	if re, err := mimic.AnchoredRegexp(""); re != nil || err != nil {
		t.Errorf("empty = %v, %v; want nil, nil", re, err)
	}
	if _, err := mimic.AnchoredRegexp("x)|(y"); err == nil {
		t.Error("an expression invalid on its own was accepted")
	}
}

func TestFailureWrite(t *testing.T) {
	defaults := mimic.Failure{Code: 500, Type: "computeFault", Message: "boom"}
	for _, tc := range []struct {
		in          mimic.Failure
		code        int
		body, ctype string
	}{
		{mimic.Failure{}, 500, `{"computeFault":{"code":500,"message":"boom"}}`, "application/json"},
		{mimic.Failure{Code: 503, Type: "serviceUnavailable", Message: "later"}, 503, `{"serviceUnavailable":{"code":503,"message":"later"}}`, "application/json"},
		{mimic.Failure{Code: 42, Type: "string", Message: "plain"}, 500, `plain`, "text/plain; charset=utf-8"},
	} {
		rec := httptest.NewRecorder()
		tc.in.Reply(defaults).Write(rec, httptest.NewRequest("GET", "/", nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != tc.code || string(body) != tc.body || rec.Header().Get("Content-Type") != tc.ctype {
			t.Errorf("%+v: %d %q %q; want %d %q %q", tc.in, rec.Code, body, rec.Header().Get("Content-Type"), tc.code, tc.body, tc.ctype)
		}
	}
}
