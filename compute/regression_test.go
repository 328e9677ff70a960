package compute_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/compute"
)

// The embedded flavor of a server (2.47) is encoded after the lock is
// released: it must not share the flavor's extra_specs map, which an
// extra-specs update writes under the lock (run with -race).
func TestServerFlavorExtraSpecsCopied(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("x")
	var wg sync.WaitGroup
	statuses := make(chan int, 200)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			statuses <- a.at("2.47").get("/servers/" + id).Status
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			statuses <- a.do("PUT", "/flavors/1/os-extra_specs/k", fmt.Sprintf(`{"k":"%d"}`, i)).Status
		}
	}()
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusOK {
			t.Errorf("status %d", st)
		}
	}
}

// A server whose deletion has come due no longer holds its volumes, ports
// and addresses, even if nothing has looked at it since.
func TestDeletedServerReleasesAttachments(t *testing.T) {
	a := newNova(t)
	gone := a.activeServer("gone")
	keep := a.activeServer("keep")
	const vol = "0b0b0b0b-1111-4111-8111-000000000001"
	const netID = "0b0b0b0b-2222-4222-8222-000000000002"
	a.do("POST", "/servers/"+gone+"/os-volume_attachments", `{"volumeAttachment":{"volumeId":"`+vol+`"}}`).want(t, http.StatusOK)
	a.do("POST", "/servers/"+gone+"/os-interface", `{"interfaceAttachment":{"net_id":"`+netID+`","fixed_ips":[{"ip_address":"10.9.9.9"}]}}`).want(t, http.StatusOK)
	s, _ := a.srv.Server(gone)
	port := s.Interfaces[0].PortID
	a.do("DELETE", "/servers/"+gone, "").want(t, http.StatusNoContent)
	a.advance(compute.DefaultDurations().Delete)

	a.do("POST", "/servers/"+keep+"/os-volume_attachments", `{"volumeAttachment":{"volumeId":"`+vol+`"}}`).want(t, http.StatusOK)
	a.do("POST", "/servers/"+keep+"/os-interface", `{"interfaceAttachment":{"port_id":"`+port+`"}}`).want(t, http.StatusOK)
	a.do("POST", "/servers/"+keep+"/os-interface", `{"interfaceAttachment":{"net_id":"`+netID+`","fixed_ips":[{"ip_address":"10.9.9.9"}]}}`).want(t, http.StatusOK)
}

// A member whose deletion has come due leaves its group: the members
// quota and ServerGroups() count only the live ones, as the API shows.
func TestServerGroupMembersSettled(t *testing.T) {
	q := compute.Quota{Instances: -1, Cores: -1, RAM: -1, MetadataItems: 128, KeyPairs: 100, ServerGroups: 10, ServerGroupMembers: 1}
	a := newNova(t, compute.WithQuota(q))
	g := a.do("POST", "/os-server-groups", `{"server_group":{"name":"g","policies":["anti-affinity"]}}`).
		want(t, http.StatusOK).obj(t)["server_group"].(map[string]any)["id"].(string)
	inGroup := func(name string) string {
		return `{"server":{"name":"` + name + `","flavorRef":"1","imageRef":"` + compute.DefaultImageID + `"},` +
			`"os:scheduler_hints":{"group":"` + g + `"}}`
	}
	a.do("POST", "/servers", inGroup("first")).want(t, http.StatusAccepted)
	id := a.srv.Servers()[0].ID
	a.do("POST", "/servers", inGroup("second")).wantFault(t, http.StatusForbidden, "forbidden", "too many servers in group")
	a.do("DELETE", "/servers/"+id, "").want(t, http.StatusNoContent)
	a.advance(compute.DefaultDurations().Delete)
	if groups := a.srv.ServerGroups(); len(groups) != 1 || len(groups[0].Members) != 0 {
		t.Errorf("ServerGroups() after the member's deletion: %+v", groups)
	}
	a.do("POST", "/servers", inGroup("second")).want(t, http.StatusAccepted)
}

// Nova checks only the vm_state before a metadata change
// (update_instance_metadata has task_state=None): a running task does
// not refuse it; building does.
func TestMetadataDuringTask(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("busy")
	a.action(id, `{"reboot":{"type":"SOFT"}}`).want(t, http.StatusAccepted)
	if st := a.status(id); st != "REBOOT" {
		t.Fatalf("status %s", st)
	}
	a.do("PUT", "/servers/"+id+"/metadata/k", `{"meta":{"k":"v"}}`).want(t, http.StatusOK)
	a.do("POST", "/servers/"+id+"/metadata", `{"metadata":{"k2":"v2"}}`).want(t, http.StatusOK)
	a.do("DELETE", "/servers/"+id+"/metadata/k", "").want(t, http.StatusNoContent)
	building := a.createNamed("building")
	a.do("PUT", "/servers/"+building+"/metadata/k", `{"meta":{"k":"v"}}`).wantFault(t, http.StatusConflict, "conflictingRequest", "while it is in vm_state building")
}

// A hard reboot may interrupt another hard reboot or a pause in progress
// (Nova's task_states.ALLOW_REBOOT); a soft reboot may not.
func TestHardRebootDuringTask(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("stuck")
	a.action(id, `{"reboot":{"type":"HARD"}}`).want(t, http.StatusAccepted)
	a.action(id, `{"reboot":{"type":"SOFT"}}`).wantFault(t, http.StatusConflict, "conflictingRequest", "task_state rebooting_hard")
	a.action(id, `{"reboot":{"type":"HARD"}}`).want(t, http.StatusAccepted)
	a.advance(compute.DefaultDurations().HardReboot)
	a.action(id, `{"pause":null}`).want(t, http.StatusAccepted)
	a.action(id, `{"reboot":{"type":"HARD"}}`).want(t, http.StatusAccepted)
	a.advance(compute.DefaultDurations().HardReboot)
	if st := a.status(id); st != "ACTIVE" {
		t.Errorf("after the hard reboot: %s", st)
	}
}

// Nova snapshots a server only when it is active, stopped, paused or
// suspended: a shelved one is 409.
func TestCreateImageShelved(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("shelved")
	a.action(id, `{"shelve":null}`).want(t, http.StatusAccepted)
	a.advance(compute.DefaultDurations().Shelve)
	if st := a.status(id); st != "SHELVED_OFFLOADED" {
		t.Fatalf("status %s", st)
	}
	a.action(id, `{"createImage":{"name":"snap"}}`).wantFault(t, http.StatusConflict, "conflictingRequest", "vm_state shelved_offloaded")
}

// With a shelved_offload_time, a SHELVED server waits with no task: it can
// be unshelved (or offloaded by hand) before the offload, and a stale
// offload does not hit it after it is shelved again.
func TestShelvedBeforeOffload(t *testing.T) {
	d := compute.DefaultDurations()
	d.ShelveOffload = time.Hour
	a := newNova(t, compute.WithDurations(d))
	id := a.activeServer("shelved")
	a.action(id, `{"shelve":null}`).want(t, http.StatusAccepted)
	a.advance(d.Shelve)
	if got := a.states(id); got != "SHELVED shelved <nil> 4" {
		t.Errorf("shelved: %s", got)
	}
	a.action(id, `{"unshelve":null}`).want(t, http.StatusAccepted)
	a.advance(d.Unshelve)
	a.action(id, `{"shelve":null}`).want(t, http.StatusAccepted)
	a.advance(d.Shelve)
	a.advance(time.Hour - d.Unshelve - d.Shelve) // the first shelve's offload time
	if got := a.states(id); got != "SHELVED shelved <nil> 4" {
		t.Errorf("after the first shelve's offload time: %s", got)
	}
	a.advance(d.Unshelve + d.Shelve)
	if got := a.states(id); got != "SHELVED_OFFLOADED shelved_offloaded <nil> 4" {
		t.Errorf("after its own offload time: %s", got)
	}
	b := a.activeServer("by-hand")
	a.action(b, `{"shelve":null}`).want(t, http.StatusAccepted)
	a.advance(d.Shelve)
	a.action(b, `{"shelveOffload":null}`).want(t, http.StatusAccepted)
	if got := a.states(b); got != "SHELVED_OFFLOADED shelved_offloaded <nil> 4" {
		t.Errorf("offloaded by hand: %s", got)
	}
}

// What ScheduleServerStatus scheduled is the test's: SetServerStatus, a
// hard reboot or os-resetState cancel the hypervisor's pending work, not
// it; and at its time it cancels the hypervisor's pending work, as
// SetServerStatus does.
func TestScheduledStatusKept(t *testing.T) {
	a := newNova(t)
	stuck := a.createNamed("stuck")
	if err := a.srv.ScheduleServerStatus(stuck, "ACTIVE", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := a.srv.SetServerStatus(stuck, "BUILD"); err != nil {
		t.Fatal(err)
	}
	a.advance(time.Hour)
	if st := a.status(stuck); st != "ACTIVE" {
		t.Errorf("scheduled ACTIVE after SetServerStatus(BUILD): %s", st)
	}

	doomed := a.activeServer("doomed")
	if err := a.srv.ScheduleServerStatus(doomed, "ERROR", time.Minute); err != nil {
		t.Fatal(err)
	}
	a.action(doomed, `{"reboot":{"type":"HARD"}}`).want(t, http.StatusAccepted)
	a.advance(time.Minute)
	if st := a.status(doomed); st != "ERROR" {
		t.Errorf("scheduled ERROR after a hard reboot: %s", st)
	}

	// A reboot that would end after the scheduled ERROR does not undo it.
	late := a.activeServer("late")
	if err := a.srv.ScheduleServerStatus(late, "ERROR", time.Second); err != nil {
		t.Fatal(err)
	}
	a.action(late, `{"reboot":{"type":"SOFT"}}`).want(t, http.StatusAccepted)
	a.advance(time.Hour)
	if st := a.status(late); st != "ERROR" {
		t.Errorf("a reboot's end undid the scheduled ERROR: %s", st)
	}
}

// Rebuild checks its image as create does: ACTIVE, and not too big for
// the server's flavor.
func TestRebuildImageChecks(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("r")
	snap := a.at("2.45").action(id, `{"createImage":{"name":"snap"}}`).want(t, http.StatusAccepted).obj(t)["image_id"].(string)
	a.action(id, `{"rebuild":{"imageRef":"`+snap+`"}}`).wantFault(t, http.StatusBadRequest, "badRequest", "Image "+snap+" is not active.")
	const ubuntu = "9b7e8a30-8f3c-4b8e-9d0a-3f4c2a1b6e01" // min_disk 10; flavor 1 has 1 GB
	a.action(id, `{"rebuild":{"imageRef":"`+ubuntu+`"}}`).wantFault(t, http.StatusBadRequest, "badRequest", "Flavor's disk is too small for requested image.")
	a.advance(compute.DefaultDurations().Snapshot)
	a.action(id, `{"rebuild":{"imageRef":"`+snap+`"}}`).want(t, http.StatusAccepted)
}

// Seeding an ID that exists is an error, not a second copy in the
// project's listing.
func TestAddServerDuplicateID(t *testing.T) {
	a := newNova(t)
	if _, err := a.srv.AddServer(compute.Server{ID: "fixed", ProjectID: "demo", FlavorID: "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.srv.AddServer(compute.Server{ID: "fixed", ProjectID: "demo", FlavorID: "2"}); err == nil {
		t.Error("seeding the same ID twice: no error")
	}
	if ids := a.listIDs("/servers"); len(ids) != 1 {
		t.Errorf("listed %v", ids)
	}
	if s, _ := a.srv.Server("fixed"); s.FlavorID != "1" {
		t.Errorf("the first seeded server was replaced: flavor %s", s.FlavorID)
	}
}

// Flavor, keypair and server group names follow the same rule as server
// names (Nova's parameter_types.name): format characters and characters
// beyond the Basic Multilingual Plane are not printable.
func TestNamesOneRule(t *testing.T) {
	a := newNova(t)
	const msg = "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace."
	for _, name := range []string{"zero\u200bwidth", "smile\U0001F600"} {
		q := fmt.Sprintf("%q", name)
		a.do("POST", "/servers", `{"server":{"name":`+q+`,"flavorRef":"1","imageRef":"`+compute.DefaultImageID+`"}}`).wantFault(t, http.StatusBadRequest, "badRequest", msg)
		a.do("POST", "/flavors", `{"flavor":{"name":`+q+`,"ram":1,"vcpus":1,"disk":1}}`).wantFault(t, http.StatusBadRequest, "badRequest", msg)
		a.do("POST", "/os-server-groups", `{"server_group":{"name":`+q+`,"policies":["affinity"]}}`).wantFault(t, http.StatusBadRequest, "badRequest", msg)
	}
}

// Server metadata is checked with the schema the image metadata API uses
// (Nova's parameter_types.metadata), wherever it is sent: keys of the
// metadata key pattern, string values.
func TestServerMetadataSchema(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("md")
	for _, tc := range []struct{ body, msg string }{
		{`{"a/b":"v"}`, `Invalid input for field/attribute metadata. Value: {"a/b":"v"}. Additional properties are not allowed ('a/b' was unexpected)`},
		{`{"k":null}`, "Invalid input for field/attribute k. Value: None. None is not of type 'string'"},
	} {
		a.do("PUT", "/servers/"+id+"/metadata", `{"metadata":`+tc.body+`}`).wantFault(t, http.StatusBadRequest, "badRequest", tc.msg)
		a.do("POST", "/servers/"+id+"/metadata", `{"metadata":`+tc.body+`}`).wantFault(t, http.StatusBadRequest, "badRequest", tc.msg)
		a.do("POST", "/servers", novaBody(map[string]any{"metadata": json.RawMessage(tc.body)})).wantFault(t, http.StatusBadRequest, "badRequest", tc.msg)
		a.action(id, `{"rebuild":{"imageRef":"`+compute.DefaultImageID+`","metadata":`+tc.body+`}}`).wantFault(t, http.StatusBadRequest, "badRequest", tc.msg)
	}
	a.do("POST", "/servers", novaBody(map[string]any{"metadata": nil})).wantFault(t, http.StatusBadRequest, "badRequest",
		"Invalid input for field/attribute metadata. Value: None. None is not of type 'object'")
	a.do("PUT", "/servers/"+id+"/metadata", `{"metadata":{"k":"v"},"extra":1}`).wantFault(t, http.StatusBadRequest, "badRequest", "Additional properties are not allowed ('extra' was unexpected)")
	if s, _ := a.srv.Server(id); len(s.Metadata) != 0 || len(a.srv.Servers()) != 1 {
		t.Errorf("metadata %v, %d servers", s.Metadata, len(a.srv.Servers()))
	}
}

// null is not a string, a number or a boolean: Nova's schemas refuse it
// where json.Unmarshal would read "" or false.
func TestNullIsNotAValue(t *testing.T) {
	a := newNova(t)
	a.do("POST", "/flavors/1/os-extra_specs", `{"extra_specs":{"k":null}}`).wantFault(t, http.StatusBadRequest, "badRequest",
		"Invalid input for field/attribute k. Value: None. None is not of type 'string', 'number'")
	a.do("POST", "/flavors", `{"flavor":{"name":"f","ram":1,"vcpus":1,"disk":1,"os-flavor-access:is_public":null}}`).wantFault(t, http.StatusBadRequest, "badRequest",
		"Invalid input for field/attribute os-flavor-access:is_public. Value: None. None is not one of [True, ")
	id := a.activeServer("x")
	a.at("2.79").do("POST", "/servers/"+id+"/os-volume_attachments",
		`{"volumeAttachment":{"volumeId":"0b0b0b0b-1111-4111-8111-000000000001","delete_on_termination":null}}`).wantFault(t, http.StatusBadRequest, "badRequest",
		"Invalid input for field/attribute delete_on_termination. Value: None. None is not one of [True, ")
}

// A limit beyond an int is capped at the maximum page, as Nova (Python
// ints) does, on every collection alike.
func TestHugeLimit(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("x")
	const huge = "?limit=99999999999999999999"
	for _, p := range []string{"/flavors", "/os-keypairs", "/os-server-groups", "/servers/" + id + "/os-volume_attachments"} {
		a.at("2.79").get(p+huge).want(t, http.StatusOK)
	}
}

// Servers land on the hosts os-availability-zone/detail lists for their
// zone, and one created without a zone is in its host's zone.
func TestPlacementFollowsZones(t *testing.T) {
	a := newNova(t, compute.WithHosts("h1", "h2"), compute.WithAvailabilityZones("az1", "az2"))
	for _, zone := range []string{"az1", "az1", "az2", "az2", ""} {
		s, _ := a.srv.Server(a.create(map[string]any{"availability_zone": zone}))
		want := map[string]string{"h1": "az1", "h2": "az2"}[s.Host]
		if (zone != "" && s.AvailabilityZone != zone) || s.AvailabilityZone != want {
			t.Errorf("asked for %q: in %s on %s", zone, s.AvailabilityZone, s.Host)
		}
	}
	id, _ := a.srv.AddServer(compute.Server{ProjectID: "demo", FlavorID: "1", Host: "h2"})
	if id.AvailabilityZone != "az2" {
		t.Errorf("seeded on h2: in %s", id.AvailabilityZone)
	}
}
