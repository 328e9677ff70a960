package fastly_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fastly"
)

// ready creates a service whose version 1 can be activated.
func (a *api) ready(name string) string {
	a.t.Helper()
	id := a.newService(name)
	a.must(a.form("POST", "/service/"+id+"/version/1/domain", "name", name+".example.com"), 200)
	return id
}

func TestVersionCRUD(t *testing.T) {
	a := newAPI(t)
	id := a.newService("versions")
	base := "/service/" + id + "/version"

	m := a.must(a.form("POST", base, "comment", "test comment"), 200).obj(t)
	if diff := cmp.Diff(map[string]any{"service_id": id, "number": 2.0, "comment": "test comment"}, m); diff != "" {
		t.Errorf("create (-want +got):\n%s", diff)
	}
	if m := a.must(a.do("POST", base, "", ""), 200).obj(t); m["number"] != 3.0 || m["comment"] != nil {
		t.Errorf("create without body = %v", m)
	}
	l := a.must(a.get(base), 200).list(t)
	if len(l) != 3 || l[2]["number"] != 3.0 {
		t.Errorf("list = %v", l)
	}
	m = a.must(a.form("PUT", base+"/2", "comment", "new comment", "active", "true"), 200).obj(t)
	if m["comment"] != "new comment" || m["active"] != false {
		t.Errorf("update sets only the comment: %v", m)
	}
	m = a.must(a.json("PUT", base+"/2", `{"comment":"json comment"}`), 200).obj(t)
	if m["comment"] != "json comment" {
		t.Errorf("JSON update = %v", m)
	}
	if m := a.must(a.get(base+"/2"), 200).obj(t); m["comment"] != "json comment" || m["locked"] != false {
		t.Errorf("get = %v", m)
	}
	checkError(t, a.get(base+"/9"), 404, "Record not found", "Couldn't find Version '{ number => 9, service => "+id+" }'")
	checkError(t, a.get(base+"/0"), 400, "Bad request", "Invalid version number '0'")
	checkError(t, a.get(base+"/latest"), 400, "Bad request", "Invalid version number 'latest'")
}

func TestCloneCopiesConfiguration(t *testing.T) {
	a := newAPI(t)
	id := a.ready("clone")
	a.must(a.form("POST", "/service/"+id+"/version/1/backend", "name", "origin", "address", "o.example.com"), 200)
	d := a.must(a.form("POST", "/service/"+id+"/version/1/dictionary", "name", "flags"), 200).obj(t)
	a.must(a.form("PUT", "/service/"+id+"/version/1", "comment", "first"), 200)
	a.must(a.do("PUT", "/service/"+id+"/version/1/lock", "", ""), 200)

	m := a.must(a.do("PUT", "/service/"+id+"/version/1/clone", "", ""), 200).obj(t)
	if m["number"] != 2.0 || m["locked"] != false || m["active"] != false || m["comment"] != "first" {
		t.Errorf("clone = %v", m)
	}
	// The clone is editable and independent of the original.
	a.must(a.form("PUT", "/service/"+id+"/version/2/backend/origin", "port", "8080"), 200)
	b1 := a.must(a.get("/service/"+id+"/version/1/backend/origin"), 200).obj(t)
	b2 := a.must(a.get("/service/"+id+"/version/2/backend/origin"), 200).obj(t)
	if b1["port"] != 80.0 || b2["port"] != 8080.0 || b2["version"] != 2.0 {
		t.Errorf("ports after editing the clone: v1 %v, v2 %v", b1["port"], b2["port"])
	}
	// A dictionary keeps its ID across clones.
	d2 := a.must(a.get("/service/"+id+"/version/2/dictionary/flags"), 200).obj(t)
	if d2["id"] != d["id"] {
		t.Errorf("dictionary ID %v after clone, want %v", d2["id"], d["id"])
	}
	checkError(t, a.do("PUT", "/service/"+id+"/version/7/clone", "", ""), 404, "Record not found", "number => 7")
}

func TestActivateDeactivateLock(t *testing.T) {
	a := newAPI(t)
	id := a.newService("activate")
	base := "/service/" + id + "/version/"

	// No domain: validate reports it and activation refuses.
	v := a.must(a.get(base+"1/validate"), 200).obj(t)
	if v["status"] != "error" || len(v["errors"].([]any)) != 1 {
		t.Errorf("validate without a domain = %v", v)
	}
	checkError(t, a.do("PUT", base+"1/activate", "", ""), 400, "Bad request", "no domains")

	a.must(a.form("POST", base+"1/domain", "name", "www.example.com"), 200)
	if v := a.must(a.get(base+"1/validate"), 200).obj(t); v["status"] != "ok" || v["msg"] != nil {
		t.Errorf("validate = %v", v)
	}
	m := a.must(a.do("PUT", base+"1/activate", "", ""), 200).obj(t)
	if m["active"] != true || m["locked"] != true {
		t.Errorf("activate = %v", m)
	}
	// Editing an active (locked) version is refused, for every kind of change.
	for _, r := range []response{
		a.form("POST", base+"1/domain", "name", "x.example.com"),
		a.form("PUT", base+"1/domain/www.example.com", "comment", "c"),
		a.do("DELETE", base+"1/domain/www.example.com", "", ""),
		a.form("PUT", base+"1/settings", "general.default_ttl", "5"),
		a.do("PUT", base+"1/vcl/x/main", "", ""),
	} {
		checkError(t, r, 422, "Version locked", "Version 1 of service '"+id+"' is locked")
	}

	// Clone, activate 2: 1 is no longer active.
	a.must(a.do("PUT", base+"1/clone", "", ""), 200)
	a.must(a.do("PUT", base+"2/activate", "", ""), 200)
	s, _ := a.srv.Service(id)
	if s.ActiveVersion() != 2 || s.Versions[0].Active || !s.Versions[0].Locked {
		t.Errorf("after activating 2: %+v", s.Versions)
	}
	// Re-activating an older locked version is allowed, as on Fastly.
	a.must(a.do("PUT", base+"1/activate", "", ""), 200)
	if s, _ := a.srv.Service(id); s.ActiveVersion() != 1 {
		t.Errorf("active = %d after re-activating 1", s.ActiveVersion())
	}
	m = a.must(a.do("PUT", base+"1/deactivate", "", ""), 200).obj(t)
	if m["active"] != false || m["locked"] != true {
		t.Errorf("deactivate = %v", m)
	}
	checkError(t, a.do("PUT", base+"1/deactivate", "", ""), 400, "Bad request", "is not active")
	// Locked but inactive is still not editable.
	checkError(t, a.form("POST", base+"1/domain", "name", "y.example.com"), 422, "Version locked", "")

	a.must(a.do("POST", "/service/"+id+"/version", "", ""), 200)
	m = a.must(a.do("PUT", base+"3/lock", "", ""), 200).obj(t)
	if m["locked"] != true || m["active"] != false {
		t.Errorf("lock = %v", m)
	}
	checkError(t, a.do("PUT", base+"4/activate", "", ""), 404, "Record not found", "")
}

func TestValidateReferences(t *testing.T) {
	a := newAPI(t)
	id := a.ready("refs")
	base := "/service/" + id + "/version/1/"
	a.must(a.form("POST", base+"backend", "name", "b", "address", "o.example.com", "healthcheck", "missing-hc", "request_condition", "nope"), 200)
	a.must(a.form("POST", base+"condition", "name", "resp", "statement", "true", "type", "RESPONSE"), 200)
	a.must(a.form("POST", base+"cache_settings", "name", "c", "cache_condition", "resp"), 200)
	a.must(a.form("POST", base+"vcl", "name", "custom", "content", "sub vcl_recv {}"), 200)
	v := a.must(a.get(base+"validate"), 200).obj(t)
	errs := v["errors"].([]any)
	want := []string{"condition 'nope', which does not exist", "healthcheck 'missing-hc'", "a RESPONSE condition, not CACHE", "none is set as main"}
	if len(errs) != len(want) {
		t.Fatalf("errors = %v, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.Contains(errs[i].(string), w) {
			t.Errorf("error %d = %q, want it to mention %q", i, errs[i], w)
		}
	}
	checkError(t, a.do("PUT", base+"activate", "", ""), 400, "Bad request", "does not exist")
}

func TestActivationBehaviors(t *testing.T) {
	t.Run("fail", func(t *testing.T) {
		a := newAPI(t)
		id := a.ready("fails")
		bid := a.srv.FailActivations(id, 1)
		checkError(t, a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 400, "Bad request", "Syntax error")
		if s, _ := a.srv.Service(id); s.ActiveVersion() != 0 || s.Versions[0].Locked {
			t.Errorf("a failed activation changed the version: %+v", s.Versions[0])
		}
		a.must(a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 200)
		if a.srv.RemoveActivationBehavior(bid) != true || a.srv.RemoveActivationBehavior(bid) != false {
			t.Errorf("RemoveActivationBehavior")
		}
	})
	t.Run("custom status and version filter", func(t *testing.T) {
		a := newAPI(t)
		id := a.ready("custom")
		if _, err := a.srv.AddActivationBehavior(fastly.ActivationBehavior{ServiceID: id, Version: 2, Fail: true, Status: 503, Detail: "control plane down"}); err != nil {
			t.Fatal(err)
		}
		a.must(a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 200)
		a.must(a.do("PUT", "/service/"+id+"/version/1/clone", "", ""), 200)
		checkError(t, a.do("PUT", "/service/"+id+"/version/2/activate", "", ""), 503, "Service unavailable", "control plane down")
	})
	t.Run("slow", func(t *testing.T) {
		a := newAPI(t)
		id := a.ready("slow")
		a.must(a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 200)
		a.must(a.do("PUT", "/service/"+id+"/version/1/clone", "", ""), 200)
		a.srv.SlowActivations("", 2*time.Minute)
		m := a.must(a.do("PUT", "/service/"+id+"/version/2/activate", "", ""), 200).obj(t)
		if m["active"] != false || m["locked"] != true {
			t.Errorf("slow activation answer = %v", m)
		}
		active := func() float64 {
			d := a.must(a.get("/service/"+id+"/details"), 200).obj(t)
			return d["active_version"].(map[string]any)["number"].(float64)
		}
		if got := active(); got != 1 {
			t.Errorf("active during the activation = %v, want 1", got)
		}
		checkError(t, a.form("POST", "/service/"+id+"/version/2/domain", "name", "z.example.com"), 422, "Version locked", "")
		a.srv.Clock().Advance(time.Minute)
		if got := active(); got != 1 {
			t.Errorf("active halfway = %v", got)
		}
		checkError(t, a.do("DELETE", "/service/"+id, "", ""), 400, "Bad request", "active")
		a.srv.Clock().Advance(time.Minute)
		if got := active(); got != 2 {
			t.Errorf("active after the delay = %v, want 2", got)
		}
		v1 := a.must(a.get("/service/"+id+"/version/1"), 200).obj(t)
		if v1["active"] != false {
			t.Errorf("version 1 still active")
		}
	})
	t.Run("slow, cancelled by deactivate", func(t *testing.T) {
		a := newAPI(t)
		id := a.ready("cancel")
		a.srv.SlowActivations(id, time.Minute)
		a.must(a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 200)
		a.must(a.do("PUT", "/service/"+id+"/version/1/deactivate", "", ""), 200)
		a.srv.Clock().Advance(time.Hour)
		if s, _ := a.srv.Service(id); s.ActiveVersion() != 0 {
			t.Errorf("a cancelled activation completed")
		}
	})
	t.Run("invalid behaviors", func(t *testing.T) {
		f, err := fastly.NewUnstarted()
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []fastly.ActivationBehavior{{}, {Fail: true, Status: 200}, {Delay: -1}, {Fail: true, Times: -1}} {
			if _, err := f.AddActivationBehavior(b); err == nil {
				t.Errorf("AddActivationBehavior(%+v) accepted", b)
			}
		}
		if got := f.ActivationBehaviors(); len(got) != 0 {
			t.Errorf("refused behaviors were registered: %+v", got)
		}
	})
}

// AddActivationBehavior returns the stored copy with its counted ID, and
// ActivationBehaviors lists what is registered, in the order it is tried.
func TestActivationBehaviorCopies(t *testing.T) {
	a := newAPI(t)
	in := fastly.ActivationBehavior{ID: "ignored", ServiceID: "svc", Version: 3, Fail: true, Status: 503, Detail: "down", Times: 2}
	stored, err := a.srv.AddActivationBehavior(in)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID = "activation-1"
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("AddActivationBehavior (-want +got):\n%s", diff)
	}
	fail := a.srv.FailActivations("", 1)
	slow := a.srv.SlowActivations("svc", time.Minute)
	wantAll := []fastly.ActivationBehavior{
		want,
		{ID: fail, Fail: true, Times: 1},
		{ID: slow, ServiceID: "svc", Delay: time.Minute},
	}
	if fail != "activation-2" || slow != "activation-3" {
		t.Errorf("shorthand IDs %q, %q; want activation-2, activation-3", fail, slow)
	}
	if diff := cmp.Diff(wantAll, a.srv.ActivationBehaviors()); diff != "" {
		t.Errorf("ActivationBehaviors (-want +got):\n%s", diff)
	}
	// A spent behavior is listed until removed.
	id := a.ready("spent")
	checkError(t, a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 400, "Bad request", "Syntax error")
	if got := a.srv.ActivationBehaviors(); len(got) != 3 {
		t.Errorf("after a hit: %d behaviors, want 3", len(got))
	}
	if !a.srv.RemoveActivationBehavior(fail) || a.srv.RemoveActivationBehavior(fail) {
		t.Error("RemoveActivationBehavior: want true, then false")
	}
	if diff := cmp.Diff([]fastly.ActivationBehavior{wantAll[0], wantAll[2]}, a.srv.ActivationBehaviors()); diff != "" {
		t.Errorf("ActivationBehaviors after removal (-want +got):\n%s", diff)
	}
}

// Behaviors are resolved before the service's lock is taken, but an
// activation refused before its behavior would apply (no such service or
// version, a version that does not validate) spends none of its Times, as
// when they were matched under the lock.
func TestActivationBehaviorRefusedActivations(t *testing.T) {
	a := newAPI(t)
	id := a.newService("refused") // no domain yet: version 1 does not validate
	a.srv.FailActivations("", 1)
	checkError(t, a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 400, "Bad request", "domain")
	checkError(t, a.do("PUT", "/service/"+id+"/version/9/activate", "", ""), 404, "Record not found", "")
	checkError(t, a.do("PUT", "/service/"+id+"/version/x/activate", "", ""), 400, "Bad request", "Invalid version number")
	checkError(t, a.do("PUT", "/service/no-such-service/version/1/activate", "", ""), 404, "Record not found", "")
	a.must(a.form("POST", "/service/"+id+"/version/1/domain", "name", "refused.example.com"), 200)
	// The one failure is still to come.
	checkError(t, a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 400, "Bad request", "Syntax error")
	a.must(a.do("PUT", "/service/"+id+"/version/1/activate", "", ""), 200)
	if s, _ := a.srv.Service(id); s.ActiveVersion() != 1 {
		t.Errorf("active version %d, want 1", s.ActiveVersion())
	}
}

// Concurrent activations, registrations and listings: a behavior with
// Times n fails exactly n activations, and the race detector sees the
// registry and the service's lock kept apart.
func TestActivationBehaviorsConcurrent(t *testing.T) {
	a := newAPI(t)
	id := a.ready("busy")
	const n, total = 5, 24
	a.srv.FailActivations(id, n)
	statuses := make(chan int, total)
	var wg sync.WaitGroup
	for i := 0; i < total; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("PUT", a.srv.URL()+"/service/"+id+"/version/1/activate", nil)
			req.Header.Set("Fastly-Key", a.key)
			resp, err := a.srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := a.srv.SlowActivations("other-service", time.Second)
			_ = a.srv.ActivationBehaviors()
			a.srv.RemoveActivationBehavior(b)
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if diff := cmp.Diff(map[int]int{400: n, 200: total - n}, count); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}
