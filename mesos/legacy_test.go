package mesos_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/mesos"
)

func TestLegacyState(t *testing.T) {
	a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}))...)
	_, fw, agent := a.runningTask("legacy", "t1")
	for _, path := range []string{"/master/state", "/state"} {
		r := a.do("GET", path, "")
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %d %s", path, r.Status, r.Header.Get("Content-Type"))
		}
		st := r.json(t)
		for k, want := range map[string]any{
			"version": "1.11.0", "hostname": "localhost", "id": a.srv.MasterID(), "pid": "master@127.0.0.1:5050",
			"leader": "master@127.0.0.1:5050", "activated_slaves": 1.0, "deactivated_slaves": 0.0, "unreachable_slaves": 0.0,
			"start_time": 1767225600.0, "elected_time": 1767225600.0,
		} {
			if st[k] != want {
				t.Errorf("%s: %s = %v, want %v", path, k, st[k], want)
			}
		}
		slave := st["slaves"].([]any)[0].(map[string]any)
		checkJSON(t, slave, `{"id":"`+agent+`","hostname":"agent1.example.com","port":5051,
		  "attributes":{"rack":"r1","zone":"a"},"pid":"slave(1)@10.0.0.1:5051","registered_time":1767225600,
		  "resources":{"cpus":4,"gpus":0,"mem":4096,"disk":10000,"ports":"[31000-32000]"},
		  "used_resources":{"cpus":1,"gpus":0,"mem":128,"disk":0},
		  "offered_resources":{"cpus":0,"gpus":0,"mem":0,"disk":0},
		  "reserved_resources":{},
		  "unreserved_resources":{"cpus":4,"gpus":0,"mem":4096,"disk":10000,"ports":"[31000-32000]"},
		  "active":true,"deactivated":false,"version":"1.11.0",
		  "capabilities":["MULTI_ROLE","HIERARCHICAL_ROLE","RESERVATION_REFINEMENT","RESOURCE_PROVIDER","RESIZE_VOLUME",
		    "AGENT_OPERATION_FEEDBACK","AGENT_DRAINING","TASK_RESOURCE_LIMITS"]}`)
		f := st["frameworks"].([]any)[0].(map[string]any)
		if f["id"] != fw || f["role"] != "*" || f["active"] != true || f["user"] != "root" {
			t.Errorf("%s: framework %v", path, f)
		}
		task := f["tasks"].([]any)[0].(map[string]any)
		checkJSON(t, task, `{"id":"t1","name":"t1","framework_id":"`+fw+`","executor_id":"","slave_id":"`+agent+`",
		  "state":"TASK_RUNNING","role":"*","user":"root",
		  "resources":{"cpus":1,"gpus":0,"mem":128,"disk":0},
		  "statuses":[
		    {"state":"TASK_STARTING","timestamp":1767225602,"container_status":{"container_id":"<masked>",
		      "network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"10.0.0.1"}]}]}},
		    {"state":"TASK_RUNNING","timestamp":1767225603,"container_status":{"container_id":"<masked>",
		      "network_infos":[{"ip_addresses":[{"protocol":"IPv4","ip_address":"10.0.0.1"}]}]}}]}`, "container_id")
	}
	r := a.do("GET", "/master/state?jsonp=cb", "")
	if r.Header.Get("Content-Type") != "text/javascript" || !strings.HasPrefix(string(r.Body), "cb({") || !strings.HasSuffix(string(r.Body), "})") {
		t.Errorf("jsonp: %s %.40s", r.Header.Get("Content-Type"), r.Body)
	}
	if r := a.do("POST", "/master/state", `{}`); r.Status != 405 || r.Header.Get("Allow") != "GET" {
		t.Errorf("POST /master/state: %d %s", r.Status, r.Body)
	}
}

func TestLegacyEndpoints(t *testing.T) {
	a := newAPI(t, append(smallCluster(), mesos.WithOutcomes(mesos.Outcomes{mesos.TaskRunning: 1}))...)
	s, fw, agent := a.runningTask("legacy", "t1")
	// A second task, launched later, for ordering and limits.
	a.srv.Clock().Advance(10 * time.Second)
	o := s.next()
	a.call(s, launchBody(fw, o.str("offers.offers.0.id.value"), agent, "t2"))
	a.srv.Clock().Advance(time.Second)

	sum := a.do("GET", "/master/state-summary", "").json(t)
	sl := sum["slaves"].([]any)[0].(map[string]any)
	if sl["TASK_RUNNING"] != 1.0 || sl["TASK_STARTING"] != 1.0 || fmt.Sprint(sl["framework_ids"]) != "["+fw+"]" {
		t.Errorf("state-summary slave: %v", sl)
	}
	sf := sum["frameworks"].([]any)[0].(map[string]any)
	if sf["TASK_RUNNING"] != 1.0 || fmt.Sprint(sf["slave_ids"]) != "["+agent+"]" || sum["hostname"] != "localhost" {
		t.Errorf("state-summary framework: %v", sf)
	}

	if r := a.do("GET", "/master/health", ""); r.Status != 200 || len(r.Body) != 0 {
		t.Errorf("health: %d %q", r.Status, r.Body)
	}
	checkJSON(t, a.do("GET", "/version", "").json(t), `{"version":"1.11.0","build_date":"2020-11-19 17:36:35","build_time":1605807395,"build_user":"mockcloud"}`)

	r := a.do("GET", "/master/redirect", "")
	if r.Status != http.StatusTemporaryRedirect || r.Header.Get("Location") != "//"+strings.TrimPrefix(a.srv.URL(), "http://") {
		t.Errorf("redirect: %d Location %q", r.Status, r.Header.Get("Location"))
	}
	if r := a.do("GET", "/redirect/loop", ""); r.Status != 404 {
		t.Errorf("/redirect/loop: %d, want 404", r.Status)
	}

	fws := a.do("GET", "/master/frameworks?framework_id="+fw, "").json(t)
	if n := len(fws["frameworks"].([]any)); n != 1 {
		t.Errorf("frameworks filtered: %d", n)
	}
	if n := len(a.do("GET", "/master/frameworks?framework_id=nope", "").json(t)["frameworks"].([]any)); n != 0 {
		t.Errorf("frameworks filtered on an unknown ID: %d", n)
	}
	slaves := a.do("GET", "/master/slaves", "").json(t)["slaves"].([]any)
	full := slaves[0].(map[string]any)
	for _, k := range []string{"reserved_resources_full", "unreserved_resources_full", "used_resources_full", "offered_resources_full"} {
		if _, ok := full[k]; !ok {
			t.Errorf("/slaves lacks %s", k)
		}
	}

	ids := func(path string) []string {
		var out []string
		for _, x := range a.do("GET", path, "").json(t)["tasks"].([]any) {
			out = append(out, x.(map[string]any)["id"].(string))
		}
		return out
	}
	for path, want := range map[string]string{
		"/master/tasks":                                    "[t2 t1]", // newest first
		"/master/tasks?order=asc":                          "[t1 t2]",
		"/master/tasks?limit=1":                            "[t2]",
		"/master/tasks?limit=1&offset=1":                   "[t1]",
		"/master/tasks?limit=9223372036854775807&offset=1": "[t1]",
		"/master/tasks?task_id=t1":                         "[t1]",
		"/master/tasks?framework_id=nobody":                "[]",
	} {
		if got := fmt.Sprint(ids(path)); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
	flags := a.do("GET", "/master/flags", "").json(t)["flags"].(map[string]any)
	if flags["allocation_interval"] != "1secs" || flags["max_completed_tasks_per_framework"] != "1000" {
		t.Errorf("flags: %v", flags)
	}
	roles := a.do("GET", "/master/roles", "").json(t)["roles"].([]any)
	if r := roles[0].(map[string]any); r["name"] != "*" || fmt.Sprint(r["frameworks"]) != "["+fw+"]" {
		t.Errorf("roles: %v", roles)
	}
	snap := a.do("GET", "/metrics/snapshot", "").json(t)
	if snap["master/tasks_running"] != 1.0 || snap["master/tasks_starting"] != 1.0 {
		t.Errorf("metrics: running %v starting %v", snap["master/tasks_running"], snap["master/tasks_starting"])
	}

	// /master/teardown takes a form.
	if r := a.do("POST", "/master/teardown", "frameworkId="+fw, "Content-Type", "application/x-www-form-urlencoded"); r.Status != 200 {
		t.Errorf("teardown: %d %s", r.Status, r.Body)
	}
	if r := a.do("POST", "/master/teardown", "frameworkId="+fw, "Content-Type", "application/x-www-form-urlencoded"); r.Status != 400 ||
		string(r.Body) != "No framework found with specified ID" {
		t.Errorf("second teardown: %d %s", r.Status, r.Body)
	}
	completed := a.do("GET", "/master/frameworks", "").json(t)["completed_frameworks"].([]any)
	if len(completed) != 1 {
		t.Errorf("completed frameworks: %v", completed)
	}
	if r := a.do("GET", "/nothing/here", ""); r.Status != 404 {
		t.Errorf("unknown path: %d", r.Status)
	}
}
