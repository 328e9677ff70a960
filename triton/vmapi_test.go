package triton_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/triton"
)

func TestCreateVMAndJob(t *testing.T) {
	e := newEnv(t)
	e.dc.AddServers(2, triton.DefaultProfile())
	r := e.vmapi.Do("POST", "/vms", vmBody("web-1", 1024)).Expect(202)
	r.CheckJSON(`{"vm_uuid":"<any>","job_uuid":"<any>"}`)
	obj := r.Object()
	uuid, jobUUID := obj["vm_uuid"].(string), obj["job_uuid"].(string)
	if v := e.vm(uuid); v.State != "provisioning" || v.ServerUUID == "" || len(v.NICs) != 1 || v.ZoneState != "configured" {
		t.Errorf("right after create: %+v", v)
	}
	var job triton.Job
	e.vmapi.Get("/jobs/" + jobUUID).Expect(200).Decode(&job)
	if job.Name != "provision-8.2.4" || job.Execution != "queued" || job.VMUUID != uuid || job.Chain[6].Name != "cnapi.provision_vm" {
		t.Errorf("job = %s %s %s", job.Name, job.Execution, job.VMUUID)
	}
	e.dc.Advance(2 * time.Second)
	e.vmapi.Get("/jobs/" + jobUUID).Expect(200).Decode(&job)
	if job.Execution != "running" || len(job.ChainResults) != 4 || job.ChainResults[3].FinishedAt != nil {
		t.Errorf("2 s in: %s with %d results", job.Execution, len(job.ChainResults))
	}
	e.dc.Advance(5 * time.Second)
	e.vmapi.Get("/jobs/" + jobUUID + "/wait").Expect(200).Decode(&job)
	if job.Execution != "succeeded" || len(job.ChainResults) != len(job.Chain) {
		t.Errorf("done: %s %d/%d", job.Execution, len(job.ChainResults), len(job.Chain))
	}
	r = e.vmapi.Get("/vms/" + uuid).Expect(200)
	r.CheckJSON(`{"uuid":"` + uuid + `","alias":"web-1","autoboot":true,"brand":"joyent","cpu_shares":128,"create_timestamp":"<any>",
		"customer_metadata":{},"datasets":[],"destroyed":null,"firewall_enabled":false,"image_uuid":"2b683a82-a066-11e3-97ab-2faa44701c5a",
		"internal_metadata":{},"last_modified":"<any>","max_locked_memory":1024,"max_lwps":4000,"max_physical_memory":1024,"max_swap":1024,
		"nics":[{"interface":"net0","mac":"<any>","vlan_id":0,"nic_tag":"external","gateway":"10.128.0.1","netmask":"255.255.0.0",
		"ip":"10.128.0.10","ips":["10.128.0.10/16"],"network_uuid":"<any>","mtu":1500,"primary":true}],
		"owner_uuid":"` + owner + `","platform_buildstamp":"20200101T000000Z","quota":10,"ram":1024,"resolvers":["8.8.8.8","8.8.4.4"],
		"server_uuid":"<any>","snapshots":[],"state":"running","tags":{"role":"web"},"zfs_io_priority":100,"zone_state":"running",
		"zonepath":"<any>","zpool":"zones"}`)
	// The server's unreserved RAM went down by the VM's.
	s, _ := e.dc.Server(e.vm(uuid).ServerUUID)
	if *s.UnreservedRAM != 222794-1024 || len(*s.VMs) != 1 {
		t.Errorf("server after provision: unreserved %d, %d VMs", *s.UnreservedRAM, len(*s.VMs))
	}
	var jobs []triton.Job
	e.vmapi.Get("/vms/" + uuid + "/jobs").Expect(200).Decode(&jobs)
	if len(jobs) != 1 {
		t.Errorf("%d jobs for the VM", len(jobs))
	}
}

func TestCreateVMValidation(t *testing.T) {
	e := newEnv(t)
	e.dc.AddServers(1, triton.DefaultProfile())
	r := e.vmapi.Do("POST", "/vms", `{"brand":"joyent"}`)
	checkError(t, r, 409, "ValidationFailed")
	r.CheckJSON(`{"code":"ValidationFailed","message":"Invalid VM parameters","errors":[
		{"field":"owner_uuid","code":"MissingParameter","message":"Missing parameter"},
		{"field":"ram","code":"MissingParameter","message":"Missing parameter"},
		{"field":"image_uuid","code":"MissingParameter","message":"Missing parameter"},
		{"field":"networks","code":"MissingParameter","message":"Missing parameter"}]}`)
	checkError(t, e.vmapi.Do("POST", "/vms", strings.Replace(vmBody("x", 128), `"joyent"`, `"zone"`, 1)), 409, "ValidationFailed")
	checkError(t, e.vmapi.Do("POST", "/vms", strings.Replace(vmBody("x", 128), `"external"`, `"nowhere"`, 1)), 409, "ValidationFailed")
	checkError(t, e.vmapi.Do("POST", "/vms", `{"ram":`), 400, "InvalidContent")
	checkError(t, e.vmapi.Do("POST", "/vms", vmBody("huge", 10_000_000)), 409, "NoAllocatableServersError")
	checkError(t, e.vmapi.Get("/vms/8a2d7a54-7d1e-4e6d-9c8a-2c9f3b1c0e11"), 404, "ResourceNotFound")
	checkError(t, e.vmapi.Get("/vms/not-a-uuid"), 409, "ValidationFailed")
}

func TestListVMs(t *testing.T) {
	e := newEnv(t, triton.WithDurations(triton.Instant()))
	ids := e.dc.AddServers(2, triton.DefaultProfile())
	var uuids []string
	for i := 0; i < 5; i++ {
		u, _ := e.create("web-"+string(rune('a'+i)), 512*(i%2+1))
		uuids = append(uuids, u)
	}
	e.settle()
	e.vmapi.Do("DELETE", "/vms/"+uuids[0], "").Expect(202)
	e.settle()
	for _, tc := range []struct {
		query string
		n     int
	}{
		{"", 5}, {"?state=active", 4}, {"?state=destroyed", 1}, {"?state=running", 4}, {"?ram=1024", 2},
		{"?alias=web-b", 1}, {"?alias=web-*", 5}, {"?owner_uuid=" + owner, 5}, {"?brand=lx", 0}, {"?tag.role=web", 5},
		{"?tag.role=db", 0}, {"?uuids=" + uuids[1] + "," + uuids[2], 2}, {"?limit=2", 2}, {"?limit=2&offset=4", 1},
		{"?server_uuid=" + ids[0] + "&state=active", len(vmsOn(e, ids[0]))},
	} {
		var got []triton.VM
		r := e.vmapi.Get("/vms" + tc.query).Expect(200)
		r.Decode(&got)
		if len(got) != tc.n {
			t.Errorf("GET /vms%s: %d VMs, want %d", tc.query, len(got), tc.n)
		}
		if tc.query == "?limit=2" && (r.Header.Get("x-joyent-resource-count") != "5" || got[0].UUID != uuids[4]) {
			t.Errorf("limit=2: count %q, first %s (want newest %s)", r.Header.Get("x-joyent-resource-count"), got[0].UUID, uuids[4])
		}
	}
	checkError(t, e.vmapi.Get("/vms?state=sleeping"), 409, "ValidationFailed")
	checkError(t, e.vmapi.Get("/vms?limit=1001"), 409, "ValidationFailed")
	checkError(t, e.vmapi.Get("/vms?owner_uuid=bob"), 409, "ValidationFailed")
	e.vmapi.Get("/statuses?uuids=" + uuids[0] + "," + uuids[1]).Expect(200).CheckJSON(`{"` + uuids[0] + `":"destroyed","` + uuids[1] + `":"running"}`)
	checkError(t, e.vmapi.Get("/statuses"), 409, "MissingParameter")
}

func vmsOn(e *env, server string) []string {
	var out []string
	for _, v := range e.dc.VMs() {
		if v.ServerUUID == server && v.State != "destroyed" {
			out = append(out, v.UUID)
		}
	}
	return out
}

func TestVMActions(t *testing.T) {
	e := newEnv(t)
	e.dc.AddServers(1, triton.DefaultProfile())
	uuid, _ := e.create("web", 1024)
	checkError(t, e.vmapi.Do("POST", "/vms/"+uuid+"?action=stop", ""), 409, "UnallocatedVM")
	e.settle()
	act := func(q, body, wantState string) {
		t.Helper()
		e.vmapi.Do("POST", "/vms/"+uuid+"?action="+q, body).Expect(202).CheckJSON(`{"vm_uuid":"` + uuid + `","job_uuid":"<any>"}`)
		if got := e.vm(uuid).State; got == wantState && wantState != "running" {
			t.Errorf("%s: state %s before the job ran", q, got)
		}
		e.settle()
		if got := e.vm(uuid).State; got != wantState {
			t.Errorf("after %s: %s, want %s", q, got, wantState)
		}
	}
	act("stop", "", "stopped")
	act("start", "", "running")
	act("reboot", "", "running")
	act("kill", "", "stopped")
	act("start", "", "running")
	act("update", `{"ram":2048,"alias":"web2","tags":{"env":"prod"}}`, "running")
	if v := e.vm(uuid); v.RAM != 2048 || v.Alias != "web2" || v.Tags["env"] != "prod" || v.Tags["role"] != "web" {
		t.Errorf("after update: %+v", v)
	}
	if s, _ := e.dc.Server(e.vm(uuid).ServerUUID); *s.UnreservedRAM != 222794-2048 {
		t.Errorf("unreserved after resize: %d", *s.UnreservedRAM)
	}
	act("create_snapshot&snapshot_name=snap1", "", "running")
	if v := e.vm(uuid); len(v.Snapshots) != 1 || v.Snapshots[0].Name != "snap1" {
		t.Errorf("snapshots: %+v", v.Snapshots)
	}
	checkError(t, e.vmapi.Do("POST", "/vms/"+uuid+"?action=create_snapshot&snapshot_name=snap1", ""), 409, "ValidationFailed")
	act("rollback_snapshot&snapshot_name=snap1", "", "running")
	act("delete_snapshot", `{"snapshot_name":"snap1"}`, "running")
	checkError(t, e.vmapi.Do("POST", "/vms/"+uuid+"?action=delete_snapshot&snapshot_name=snap1", ""), 409, "ValidationFailed")
	act("reprovision", `{"image_uuid":"11111111-1111-4111-8111-111111111111"}`, "running")
	if e.vm(uuid).ImageUUID != "11111111-1111-4111-8111-111111111111" {
		t.Error("reprovision kept the image")
	}
	act("add_nics", `{"networks":["admin"]}`, "running")
	v := e.vm(uuid)
	if len(v.NICs) != 2 || v.NICs[1].NicTag != "admin" || v.NICs[1].Primary {
		t.Fatalf("after add_nics: %+v", v.NICs)
	}
	act("update_nics", `{"nics":[{"mac":"`+v.NICs[1].MAC+`","primary":true}]}`, "running")
	if v := e.vm(uuid); !v.NICs[1].Primary || v.NICs[0].Primary {
		t.Errorf("after update_nics: %+v", v.NICs)
	}
	act("remove_nics", `{"macs":["`+v.NICs[1].MAC+`"]}`, "running")
	if v := e.vm(uuid); len(v.NICs) != 1 {
		t.Errorf("after remove_nics: %+v", v.NICs)
	}
	checkError(t, e.vmapi.Do("POST", "/vms/"+uuid+"?action=create_disk", `{"size":1024}`), 409, "BrandNotSupported")
	checkError(t, e.vmapi.Do("POST", "/vms/"+uuid+"?action=fly", ""), 409, "ValidationFailed")
	checkError(t, e.vmapi.Do("POST", "/vms/"+uuid, ""), 409, "ValidationFailed")
	checkError(t, e.vmapi.Do("POST", "/vms/"+uuid+"?action=update", `{"ram":999999999}`), 409, "ValidationFailed")
	e.vmapi.Do("DELETE", "/vms/"+uuid, "").Expect(202)
	e.settle()
	v = e.vm(uuid)
	if v.State != "destroyed" || v.ZoneState != "destroyed" || v.Destroyed == nil {
		t.Errorf("after delete: %+v", v)
	}
	if nics := e.dc.NICs(uuid); len(nics) != 0 {
		t.Errorf("a destroyed VM keeps NICs in NAPI: %+v", nics)
	}
	if s, _ := e.dc.Server(v.ServerUUID); *s.UnreservedRAM != 222794 {
		t.Errorf("unreserved after destroy: %d", *s.UnreservedRAM)
	}
	checkError(t, e.vmapi.Do("DELETE", "/vms/"+uuid, ""), 409, "Conflict")
	checkError(t, e.vmapi.Do("POST", "/vms/"+uuid+"?action=start", ""), 409, "ValidationFailed")
	e.vmapi.Get("/ping").Expect(200)
	var jobs []triton.Job
	e.vmapi.Get("/jobs?vm_uuid=" + uuid + "&task=stop").Expect(200).Decode(&jobs)
	if len(jobs) != 1 || jobs[0].Name != "stop-7.0.8" || jobs[0].Execution != "succeeded" {
		t.Errorf("stop jobs: %+v", jobs)
	}
}

func TestBhyveDisks(t *testing.T) {
	e := newEnv(t, triton.WithDurations(triton.Instant()))
	e.dc.AddServers(1, triton.DefaultProfile())
	body := strings.Replace(vmBody("b", 1024), `"joyent"`, `"bhyve"`, 1)
	var out struct {
		VMUUID  string `json:"vm_uuid"`
		JobUUID string `json:"job_uuid"`
	}
	e.vmapi.Do("POST", "/vms", body).Expect(202).Decode(&out)
	e.settle()
	checkError(t, e.vmapi.Do("POST", "/vms/"+out.VMUUID+"?action=create_disk", `{"size":1024}`), 409, "VmNotStopped")
	e.vmapi.Do("POST", "/vms/"+out.VMUUID+"?action=stop", "").Expect(202)
	e.settle()
	e.vmapi.Do("POST", "/vms/"+out.VMUUID+"?action=create_disk", `{"size":1024}`).Expect(202)
	e.settle()
	disks := e.vm(out.VMUUID).Disks
	if len(disks) != 1 || disks[0].Size != 1024 {
		t.Fatalf("disks = %+v", disks)
	}
	e.vmapi.Do("POST", "/vms/"+out.VMUUID+"?action=resize_disk", `{"disk_uuid":"`+disks[0].UUID+`","size":2048}`).Expect(202)
	e.settle()
	if d := e.vm(out.VMUUID).Disks; d[0].Size != 2048 {
		t.Errorf("after resize: %+v", d)
	}
	e.vmapi.Do("POST", "/vms/"+out.VMUUID+"?action=delete_disk", `{"disk_uuid":"`+disks[0].UUID+`"}`).Expect(202)
	e.settle()
	if d := e.vm(out.VMUUID).Disks; len(d) != 0 {
		t.Errorf("after delete: %+v", d)
	}
	checkError(t, e.vmapi.Do("POST", "/vms/"+out.VMUUID+"?action=delete_disk", `{"disk_uuid":"nope"}`), 404, "ResourceNotFound")
}

func TestVMMetadata(t *testing.T) {
	e := newEnv(t)
	e.dc.AddServers(1, triton.DefaultProfile())
	uuid, _ := e.create("m", 256)
	e.settle()
	e.vmapi.Get("/vms/" + uuid + "/tags").Expect(200).CheckJSON(`{"role":"web"}`)
	e.vmapi.Get("/vms/" + uuid + "/tags/role").Expect(200).CheckJSON(`"web"`)
	e.vmapi.Do("POST", "/vms/"+uuid+"/tags", `{"env":"prod"}`).Expect(202)
	e.vmapi.Get("/vms/" + uuid + "/tags").Expect(200).CheckJSON(`{"role":"web"}`) // lands when the job ends
	e.settle()
	e.vmapi.Get("/vms/" + uuid + "/tags").Expect(200).CheckJSON(`{"role":"web","env":"prod"}`)
	e.vmapi.Do("PUT", "/vms/"+uuid+"/customer_metadata", `{"user-script":"echo hi"}`).Expect(202)
	e.vmapi.Do("DELETE", "/vms/"+uuid+"/tags/role", "").Expect(202)
	e.settle()
	e.vmapi.Get("/vms/" + uuid + "/customer_metadata").Expect(200).CheckJSON(`{"user-script":"echo hi"}`)
	e.vmapi.Get("/vms/" + uuid + "/tags").Expect(200).CheckJSON(`{"env":"prod"}`)
	e.vmapi.Do("DELETE", "/vms/"+uuid+"/tags", "").Expect(202)
	e.settle()
	e.vmapi.Get("/vms/" + uuid + "/tags").Expect(200).CheckJSON(`{}`)
	checkError(t, e.vmapi.Get("/vms/"+uuid+"/tags/role"), 404, "ResourceNotFound")
	checkError(t, e.vmapi.Do("DELETE", "/vms/"+uuid+"/tags/role", ""), 404, "ResourceNotFound")
	checkError(t, e.vmapi.Get("/vms/"+uuid+"/colours"), 404, "ResourceNotFound")
	checkError(t, e.vmapi.Do("POST", "/vms/"+uuid+"/tags", `[1]`), 400, "InvalidContent")
	e.vmapi.Do("PUT", "/vms/"+uuid, `{"state":"stopped","alias":"renamed"}`).Expect(200)
	if v := e.vm(uuid); v.State != "stopped" || v.Alias != "renamed" {
		t.Errorf("after PUT: %s %s", v.State, v.Alias)
	}
	checkError(t, e.vmapi.Do("PUT", "/vms/"+uuid, `{"state":"melted"}`), 409, "ValidationFailed")
}

// TestJobWait: /jobs/:uuid/wait answers when the job ends on the shared
// clock.
func TestJobWait(t *testing.T) {
	e := newEnv(t)
	e.dc.AddServers(1, triton.DefaultProfile())
	_, job := e.create("w", 256)
	done := make(chan triton.Job)
	go func() {
		var j triton.Job
		e.vmapi.Get("/jobs/" + job + "/wait").Expect(200).Decode(&j)
		done <- j
	}()
	for {
		select {
		case j := <-done:
			if j.Execution != "succeeded" {
				t.Errorf("wait answered %s", j.Execution)
			}
			return
		case <-time.After(time.Millisecond):
			e.dc.Advance(time.Second)
		}
	}
}
