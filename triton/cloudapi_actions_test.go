package triton

import (
	"testing"
	"time"
)

func TestCloudAPIMachineActions(t *testing.T) {
	e := newCloudEnv(t)
	m := e.running(t, "", `,"name":"web"`)
	path := "/alice/machines/" + m.ID
	expectCode(t, e.api.Do("POST", path, ""), 409, "MissingParameter")
	expectCode(t, e.api.Do("POST", path+"?action=explode", ""), 409, "InvalidArgument")
	expectCode(t, e.api.Do("POST", path+"?action=rename", ""), 409, "MissingParameter")
	expectCode(t, e.api.Do("POST", path+"?action=resize", ""), 409, "MissingParameter")
	expectCode(t, e.api.Do("POST", path+"?action=resize&package=nope", ""), 409, "InvalidArgument")

	get := func() Machine {
		t.Helper()
		var got Machine
		e.api.Get(path).Expect(200).Decode(&got)
		return got
	}
	// each lands when its job ends
	e.api.Do("POST", path+"?action=resize&package=sample-2G", "").Expect(202)
	if get().Package != "sample-512M" {
		t.Errorf("resized before the job ended")
	}
	e.dc.Advance(time.Minute)
	if got := get(); got.Package != "sample-2G" || got.Memory != 2048 || got.Disk != 50*1024 {
		t.Errorf("resized: %+v", got)
	}
	// the action in the body, as restify merges parameters
	e.api.Do("POST", path, `{"action":"enable_firewall"}`).Expect(202)
	e.api.Do("POST", path+"?action=enable_deletion_protection", "").Expect(202)
	e.dc.Advance(time.Minute)
	if got := get(); !got.FirewallEnabled || !got.DeletionProtection {
		t.Errorf("firewall and protection on: %+v", got)
	}
	e.api.Do("POST", path+"?action=disable_firewall", "").Expect(202)
	e.api.Do("POST", path+"?action=disable_deletion_protection", "").Expect(202)
	e.api.Do("POST", path+"?action=reboot", "").Expect(202)
	e.dc.Advance(time.Minute)
	if got := get(); got.FirewallEnabled || got.DeletionProtection || got.State != "running" {
		t.Errorf("firewall and protection off: %+v", got)
	}
	// every action is an op of its own in the journal
	seen := map[string]bool{}
	for _, r := range e.dc.Requests() {
		seen[r.Op] = true
	}
	for _, op := range []string{OpCloudAPIMachinesAction + ".resize", OpCloudAPIMachinesAction + ".enable_firewall", OpCloudAPIMachinesAction + ".reboot"} {
		if !seen[op] {
			t.Errorf("journal lacks %s", op)
		}
	}
	e.api.Do("DELETE", path, "").Expect(204)
	e.api.Do("DELETE", path, "").Expect(204) // its destroy job is still running
	e.dc.Advance(time.Minute)
	r := e.api.Do("POST", path+"?action=start", "").Expect(410)
	if r.Object()["state"] != "deleted" {
		t.Errorf("410 body = %s", r.Body)
	}
	e.api.Do("DELETE", path, "").Expect(410)
}
