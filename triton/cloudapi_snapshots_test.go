package triton

import (
	"strings"
	"testing"
	"time"
)

func TestCloudAPISnapshots(t *testing.T) {
	e := newCloudEnv(t)
	m := e.running(t, "", "")
	path := "/alice/machines/" + m.ID + "/snapshots"
	r := e.api.Do("POST", path, `{"name":"s1"}`).Expect(201)
	r.CheckJSON(`{"name":"s1","state":"queued","created":"<any>","updated":"<any>"}`)
	if r.Header.Get("Location") != path+"/s1" {
		t.Errorf("Location = %q", r.Header.Get("Location"))
	}
	expectCode(t, e.api.Do("POST", path, `{"name":"s1"}`), 409, "InvalidArgument")
	expectCode(t, e.api.Do("POST", path+"/s1", ""), 409, "InvalidArgument") // not created yet
	e.api.Get(path).Expect(200).CheckJSON(`[{"name":"s1","state":"queued","created":"<any>","updated":"<any>"}]`)
	e.dc.Advance(time.Minute)
	e.api.Get(path).Expect(200).CheckJSON(`[{"name":"s1","state":"created","created":"<any>","updated":"<any>"}]`)
	e.api.Do("POST", path+"/s1", "").Expect(202)
	e.dc.Advance(time.Minute)
	e.api.Do("DELETE", path+"/s1", "").Expect(204)
	e.dc.Advance(time.Minute)
	e.api.Get(path).Expect(200).CheckJSON(`[]`)
	expectCode(t, e.api.Get(path+"/s1"), 404, "ResourceNotFound")
}

func TestCloudAPINICs(t *testing.T) {
	e := newCloudEnv(t)
	m := e.running(t, "", "")
	path := "/alice/machines/" + m.ID + "/nics"
	ext := e.dc.Networks()[1]
	expectCode(t, e.api.Do("POST", path, `{}`), 409, "MissingParameter")
	expectCode(t, e.api.Do("POST", path, `{"network":"`+e.dc.Networks()[0].UUID+`"}`), 409, "InvalidArgument")
	var n MachineNIC
	r := e.api.Do("POST", path, `{"network":"`+ext.UUID+`"}`).Expect(201)
	r.Decode(&n)
	if n.State != "provisioning" || n.Network != ext.UUID || n.Primary || r.Header.Get("Location") != path+"/"+strings.ReplaceAll(n.MAC, ":", "") {
		t.Errorf("added nic = %+v, Location %q", n, r.Header.Get("Location"))
	}
	e.dc.Advance(time.Minute)
	e.api.Get(path + "/" + strings.ReplaceAll(n.MAC, ":", "")).Expect(200).Decode(&n)
	if n.State != "running" {
		t.Errorf("nic after its job = %+v", n)
	}
	e.api.Do("DELETE", path+"/"+strings.ReplaceAll(n.MAC, ":", ""), "").Expect(204)
	e.dc.Advance(time.Minute)
	var nics []MachineNIC
	e.api.Get(path).Expect(200).Decode(&nics)
	if len(nics) != 1 || !nics[0].Primary {
		t.Errorf("nics = %+v", nics)
	}
	expectCode(t, e.api.Get(path+"/001122334455"), 404, "ResourceNotFound")
	expectCode(t, e.api.Get(path+"/zz"), 409, "InvalidArgument")
}

func TestCloudAPIDisks(t *testing.T) {
	e := newCloudEnv(t)
	m := e.running(t, "ubuntu-certified-20.04", "")
	path := "/alice/machines/" + m.ID + "/disks"
	var disks []MachineDisk
	e.api.Get(path).Expect(200).Decode(&disks)
	if len(disks) != 2 || !disks[0].Boot || disks[1].State != "created" {
		t.Fatalf("disks = %+v", disks)
	}
	expectCode(t, e.api.Do("POST", path, `{"size":1024}`), 409, "VmNotStopped")
	e.api.Do("POST", "/alice/machines/"+m.ID+"?action=stop", "").Expect(202)
	e.dc.Advance(time.Minute)
	e.api.Do("POST", path, `{"size":1024}`).Expect(202)
	e.api.Do("POST", path+"/"+disks[1].ID, `{"size":99999}`).Expect(202)
	e.dc.Advance(time.Minute)
	e.api.Get(path + "/" + disks[1].ID).Expect(200).Decode(&disks[1])
	if disks[1].Size != 99999 {
		t.Errorf("resized disk = %+v", disks[1])
	}
	e.api.Get(path).Expect(200).Decode(&disks)
	if len(disks) != 3 {
		t.Errorf("disks after create = %+v", disks)
	}
	e.api.Do("DELETE", path+"/"+disks[2].ID, "").Expect(204)
	expectCode(t, e.api.Get(path+"/nope"), 404, "ResourceNotFound")
	smart := e.running(t, "", "")
	expectCode(t, e.api.Do("POST", "/alice/machines/"+smart.ID+"/disks", `{"size":1}`), 409, "BrandNotSupported")
}

func TestCloudAPIAudit(t *testing.T) {
	e := newCloudEnv(t)
	m := e.running(t, "", "")
	e.api.Do("POST", "/alice/machines/"+m.ID+"?action=stop", "").Expect(202)
	e.dc.Advance(time.Minute)
	e.api.Get("/alice/machines/" + m.ID + "/audit").Expect(200).CheckJSON(`[
		{"action":"stop","parameters":"<any>","success":"yes","caller":"<any>","time":"2026-01-01T00:01:00.000Z"},
		{"action":"provision","parameters":"<any>","success":"yes","caller":"<any>","time":"2026-01-01T00:00:00.000Z"}]`)
}
