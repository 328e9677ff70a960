package triton_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/triton"
)

// A DC of three compute nodes; a VM provisioned over VMAPI runs once its
// job's steps have passed on the clock; a CN that stops heartbeating is
// unknown in CNAPI once the reconciler sees its last heartbeat too old.
func Example() {
	dc, err := triton.NewUnstarted(triton.WithServers(3), fake.WithSeed(7))
	if err != nil {
		panic(err)
	}
	defer dc.Close()
	vmapi := dc.API(triton.VMAPI).Client()
	base := "http://vmapi.coal.example" // any URL: the in-memory client serves it

	body := `{"owner_uuid":"930896af-bf8c-48d4-885c-6573a94b1853","alias":"web0","brand":"joyent","ram":1024,
		"image_uuid":"2b683a82-a066-11e3-97ab-2faa44701c5a","networks":["external"]}`
	resp, err := vmapi.Post(base+"/vms", "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	var created struct {
		VMUUID  string `json:"vm_uuid"`
		JobUUID string `json:"job_uuid"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, stateOf(dc, created.VMUUID))

	dc.Advance(10 * time.Second)
	job, _ := dc.Job(created.JobUUID)
	vm, _ := dc.VM(created.VMUUID)
	fmt.Println(job.Name, job.Execution, vm.State, vm.NICs[0].IP)

	_ = dc.StopHeartbeats(vm.ServerUUID, dc.Now())
	dc.Advance(15 * time.Second)
	server, _ := dc.Server(vm.ServerUUID)
	fmt.Println(server.Status, *server.UnreservedRAM)

	resp, _ = vmapi.Post(base+"/vms", "application/json", strings.NewReader(strings.Replace(body, "1024", "9999999", 1)))
	var e struct{ Code, Message string }
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	fmt.Println(resp.StatusCode == http.StatusConflict, e.Code)
	// Output:
	// 202 provisioning
	// provision-8.2.4 succeeded running 10.128.0.10
	// unknown 221770
	// true NoAllocatableServersError
}

func stateOf(dc *triton.Triton, uuid string) string {
	vm, _ := dc.VM(uuid)
	return vm.State
}
