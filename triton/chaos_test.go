package triton_test

import (
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/triton"
)

func TestFailProvisions(t *testing.T) {
	e := newEnv(t)
	ids := e.dc.AddServers(1, triton.DefaultProfile())
	e.dc.FailProvisions("", "doomed-*")
	bad, job := e.create("doomed-1", 1024)
	good, _ := e.create("fine", 1024)
	e.settle()
	if v := e.vm(bad); v.State != "failed" || len(v.NICs) != 0 {
		t.Errorf("doomed VM: %s with %d NICs", v.State, len(v.NICs))
	}
	if v := e.vm(good); v.State != "running" {
		t.Errorf("fine VM: %s", v.State)
	}
	var j triton.Job
	e.vmapi.Get("/jobs/" + job).Expect(200).Decode(&j)
	last := j.ChainResults[len(j.ChainResults)-1]
	if j.Execution != "failed" || last.Name != "cnapi.provision_vm" || last.Error == "" {
		t.Errorf("failed job: %s, last step %+v", j.Execution, last)
	}
	if s, _ := e.dc.Server(ids[0]); *s.UnreservedRAM != 222794-1024 {
		t.Errorf("a failed VM still holds RAM: %d", *s.UnreservedRAM)
	}
	// On a CN: every provision there fails.
	id := e.dc.FailProvisions(ids[0], "")
	v, _ := e.create("any", 128)
	e.settle()
	if e.vm(v).State != "failed" {
		t.Error("provision on the failing CN succeeded")
	}
	if !e.dc.RemoveJobFault(id) || e.dc.RemoveJobFault(id) {
		t.Error("RemoveJobFault")
	}
}

func TestHangingJob(t *testing.T) {
	e := newEnv(t)
	e.dc.AddServers(1, triton.DefaultProfile())
	uuid, _ := e.create("h", 256)
	e.settle()
	e.dc.AddJobFault(triton.JobFault{Workflow: "stop", Step: "cnapi.stop_vm", Hang: true, Times: 1})
	var acc struct {
		VMUUID  string `json:"vm_uuid"`
		JobUUID string `json:"job_uuid"`
	}
	e.vmapi.Do("POST", "/vms/"+uuid+"?action=stop", "").Expect(202).Decode(&acc)
	e.dc.Advance(time.Hour)
	j, _ := e.dc.Job(acc.JobUUID)
	if j.Execution != "running" || j.ChainResults[len(j.ChainResults)-1].Name != "cnapi.stop_vm" || e.vm(uuid).State != "running" {
		t.Errorf("hung job: %s at %s; VM %s", j.Execution, j.ChainResults[len(j.ChainResults)-1].Name, e.vm(uuid).State)
	}
	// Times: 1 — the next stop goes through.
	e.vmapi.Do("POST", "/vms/"+uuid+"?action=stop", "").Expect(202)
	e.settle()
	if e.vm(uuid).State != "stopped" {
		t.Error("the second stop did not stop the VM")
	}
	e.dc.AddJobFault(triton.JobFault{Workflow: "start"})
	e.vmapi.Do("POST", "/vms/"+uuid+"?action=start", "").Expect(202).Decode(&acc)
	e.settle()
	if j, _ := e.dc.Job(acc.JobUUID); j.Execution != "failed" || e.vm(uuid).State != "stopped" {
		t.Errorf("failed start: %s, VM %s", j.Execution, e.vm(uuid).State)
	}
}

func TestLoseDiskAndReboot(t *testing.T) {
	e := newEnv(t, triton.WithDurations(triton.Instant()))
	ids := e.dc.AddServers(1, triton.DefaultProfile())
	uuid, _ := e.create("d", 256)
	e.settle()
	if err := e.dc.LoseDisk(ids[0]); err != nil {
		t.Fatal(err)
	}
	if v := e.vm(uuid); v.State != "failed" {
		t.Errorf("VM on a lost disk: %s", v.State)
	}
	checkError(t, e.vmapi.Do("POST", "/vms", vmBody("x", 128)), 409, "NoAllocatableServersError")
	other := e.dc.AddServers(1, triton.DefaultProfile())
	if _, err := e.dc.RebootServer(other[0]); err != nil {
		t.Fatal(err)
	}
	checkError(t, e.vmapi.Do("POST", "/vms", vmBody("x", 128)), 409, "NoAllocatableServersError") // silent while rebooting
	e.dc.Advance(6 * time.Second)
	e.vmapi.Do("POST", "/vms", vmBody("x", 128)).Expect(202)
	if err := e.dc.LoseDisk("nope"); err == nil {
		t.Error("LoseDisk of an unknown server")
	}
}

// TestThousandCNs: 10,000 VMs over VMAPI across 1,000 CNs; 10 CNs stop
// heartbeating; after Advance exactly those are unknown in CNAPI, and
// their VMs keep the state VMAPI last had.
func TestThousandCNs(t *testing.T) {
	e := newEnv(t, triton.WithDurations(triton.Instant()), fakeJournalLimit())
	ids := e.dc.AddServers(1000, triton.DefaultProfile())
	for i := 0; i < 10000; i++ {
		e.create("vm", 1024)
	}
	e.settle()
	var count int
	for _, s := range e.dc.Servers() {
		if n := *s.UnreservedRAM; n != 222794-10*1024 {
			t.Fatalf("server %s has %d MiB unreserved: not spread evenly", s.UUID, n)
		}
		count++
	}
	stopped := map[string]bool{}
	for i := 0; i < 10; i++ {
		id := ids[i*97]
		stopped[id] = true
		if err := e.dc.StopHeartbeats(id, e.dc.Now()); err != nil {
			t.Fatal(err)
		}
	}
	e.dc.Advance(20 * time.Second)
	unknown := map[string]bool{}
	for offset := 0; offset < 1000; offset += 1000 {
		var page []triton.Server
		e.cnapi.Get("/servers?limit=1000&offset=" + itoa(offset)).Expect(200).Decode(&page)
		for _, s := range page {
			if s.Status == "unknown" {
				unknown[s.UUID] = true
			}
		}
	}
	if len(unknown) != 10 {
		t.Errorf("%d servers unknown, want 10", len(unknown))
	}
	for id := range stopped {
		if !unknown[id] {
			t.Errorf("server %s stopped heartbeating but is not unknown", id)
		}
		var vms []triton.VM
		r := e.vmapi.Get("/vms?server_uuid=" + id).Expect(200)
		r.Decode(&vms)
		if len(vms) != 10 || r.Header.Get("x-joyent-resource-count") != "10" {
			t.Errorf("server %s: %d VMs", id, len(vms))
		}
		for _, v := range vms {
			if v.State != "running" {
				t.Errorf("VM %s on silent server %s is %s", v.UUID, id, v.State)
			}
		}
	}
	// The allocator passes the silent CNs by.
	for i := 0; i < 100; i++ {
		u, _ := e.create("more", 1024)
		if stopped[e.vm(u).ServerUUID] {
			t.Fatalf("VM %s placed on a silent CN", u)
		}
	}
	var all []triton.VM
	r := e.vmapi.Get("/vms?state=active&limit=1")
	r.Decode(&all)
	if r.Header.Get("x-joyent-resource-count") != "10100" {
		t.Errorf("active VMs: %s", r.Header.Get("x-joyent-resource-count"))
	}
}
