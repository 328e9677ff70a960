package mesos

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// A handler that panics while it holds the master's lock is answered with
// a 500 in Mesos's plain text, and the master goes on serving: the lock
// was taken with defer.
func TestHandlerPanicUnderLock(t *testing.T) {
	m := New(t, WithAgents(DefaultAgent()))
	// GET_STATE's real handler counts the call under the lock; with no
	// counters it panics there (assignment to entry in nil map).
	m.Intercept(OpOperatorGetState, func(next kit.Handler) kit.Handler {
		return func(c *kit.Call) (kit.Reply, error) {
			saved := m.swapCallCounters(nil)
			defer m.swapCallCounters(saved) // deadlocks unless the handler unlocked
			return next(c)
		}
	})
	c := kittest.New(t, m.URL(), m.Client())
	r := c.Do("POST", "/api/v1", `{"type":"GET_STATE"}`).Expect(http.StatusInternalServerError)
	if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q, want Mesos's plain text", ct)
	}
	if !strings.Contains(r.String(), "mesos.operator.get_state panicked") || !strings.Contains(r.String(), "nil map") {
		t.Errorf("body %q", r.String())
	}

	// The same lock serves the next calls.
	c.Do("POST", "/api/v1", `{"type":"GET_HEALTH"}`).Expect(http.StatusOK)
	c.Get("/master/state").Expect(http.StatusOK)
	if n := len(m.Agents()); n != 1 {
		t.Errorf("%d agents", n)
	}
	reqs := m.Requests()
	if reqs[0].Status != http.StatusInternalServerError || reqs[0].Op != OpOperatorGetState {
		t.Errorf("journal of the panicked call: %+v", reqs[0])
	}
}

// swapCallCounters replaces the call counters, returning the old ones.
func (m *Master) swapCallCounters(calls map[string]int64) map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.metrics.calls
	m.metrics.calls = calls
	return old
}

// Every call type the master parses has its op, named for the type, and
// the master lists it.
func TestCallOpsCoverCallTypes(t *testing.T) {
	check := func(prefix string, types []string, ops map[string]string) {
		t.Helper()
		sort.Strings(types)
		if diff := cmp.Diff(types, sortedKeys(ops)); diff != "" {
			t.Errorf("%s ops and call types differ (-types +ops):\n%s", prefix, diff)
		}
		for typ, op := range ops {
			if want := prefix + "." + strings.ToLower(typ); op != want {
				t.Errorf("op of %s is %q, want %q", typ, op, want)
			}
		}
	}
	check(OpScheduler, append([]string(nil), schedCallTypes...), schedulerOps)
	check(OpOperator, sortedKeys(opCallTypes), operatorOps)

	m, err := NewUnstarted(WithAgents())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	listed := map[string]bool{}
	for _, op := range m.Ops() {
		listed[op] = true
	}
	for _, ops := range []map[string]string{schedulerOps, operatorOps} {
		for _, op := range ops {
			if !listed[op] {
				t.Errorf("Ops() does not list %s", op)
			}
		}
	}
	for _, op := range []string{OpScheduler, OpOperator, OpState, OpRedirect, OpRedirectBelow,
		OpControlListTaskRules, OpControlAddTaskRule, OpControlSetTaskRules, OpControlClearTaskRules} {
		if !listed[op] {
			t.Errorf("Ops() does not list %s", op)
		}
	}
}

// callType reads the type of JSON bodies only.
func TestCallType(t *testing.T) {
	for _, tc := range []struct {
		contentType, body, want string
	}{
		{"application/json", `{"type":"ACCEPT","accept":{}}`, "ACCEPT"},
		{"application/json", `{"accept":{},"type":"GET_STATE"}`, "GET_STATE"},
		{"application/json", `{"type":"NAPPING"}`, "NAPPING"},
		{"application/json", `{"type":7}`, ""},
		{"application/json", `{"type":null}`, ""},
		{"application/json", `{}`, ""},
		{"application/json", `{"type":"ACCEPT"`, ""},
		{"application/json", `[]`, ""},
		{"application/json", ``, ""},
		{"", `{"type":"ACCEPT"}`, "ACCEPT"},
		{"application/x-protobuf", `{"type":"ACCEPT"}`, ""},
		// scheduler.Call: type = 2, ACCEPT = 3; the last occurrence wins.
		{"application/x-protobuf", "\x10\x04\x10\x03", "ACCEPT"},
		{"application/x-protobuf", "\x0a\x00\x10\x03", "ACCEPT"},
		{"application/x-protobuf", "\x10\x63", ""},
		{"application/x-protobuf", "\x10", ""},
		{"application/x-protobuf; charset=binary", "\x10\x03", ""},
	} {
		r, _ := http.NewRequest("POST", "/api/v1", nil)
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		if got := callType(r, []byte(tc.body), 2, "scheduler.Call.Type"); got != tc.want {
			t.Errorf("callType(%s, %q) = %q, want %q", tc.contentType, tc.body, got, tc.want)
		}
	}
}

// jsonCallType reads a body's type exactly as json.Unmarshal reads it,
// failing where Unmarshal fails.
func FuzzJSONCallType(f *testing.F) {
	for _, s := range append(append([]string{
		`{"type":"ACCEPT"}`, ` {"TYPE" : "DECLINE" } `, `{"Type":"A","tYpE":"B"}`, `{"type":"A","type":null}`,
		`{"type":"A","type":1}`, `{"type":"A","x":{"type":"B"}}`, `{"typ\u0065":"KILL"}`, `{"type":"\u0041CCEPT"}`,
		`{"type":"\ud800"}`, "{\"type\":\"\xff\"}", "{\"\xfftype\":\"A\"}", `{"type":"A"}}`, `{"type":"A",}`,
		`{"a":[1,-0.5e+3,true,false,null,"s",{}],"type":"B"}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":1e}`,
		`{"a":"\x"}`, "{\"a\":\"\t\"}", `{"a":tru}`, `{"a" "b"}`, `[{"type":"A"}]`, `"type"`, `null`, ` null `,
		`nul`, ``, ` `, `{}`, `{"type":{}}`, `{"type":[]}`, `{"type":"A"`, `{"type":"A"} x`, "\ufeff{}",
	}, schedulerSeeds...), operatorSeeds...) {
		f.Add([]byte(s))
	}
	f.Add([]byte(strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1)))
	f.Add([]byte(`{"a":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`))
	f.Add([]byte(`{"a":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var ref struct {
			Type string `json:"type"`
		}
		err := json.Unmarshal(body, &ref)
		typ, ok := jsonCallType(body)
		if ok != (err == nil) || ok && typ != ref.Type {
			t.Fatalf("jsonCallType(%q) = %q, %v; json.Unmarshal: %q, %v", body, typ, ok, ref.Type, err)
		}
	})
}

// The options are fake.Options: another package's are refused by name.
func TestForeignOptionRefused(t *testing.T) {
	_, err := NewUnstarted(fake.Configure(func(*http.Client) {}))
	if err == nil || !strings.Contains(err.Error(), "an option of package http given to mesos") {
		t.Errorf("err %v", err)
	}
}
