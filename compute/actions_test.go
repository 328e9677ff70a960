package compute_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

// novaStep is one action, or one wait, in a state machine test: post
// Action (unless empty) and expect Status, then advance the clock by Wait
// and expect States ("STATUS vm_state task_state power_state").
type novaStep struct {
	Action string
	Status int
	Wait   time.Duration
	States string
}

func (a *novaAPI) runSteps(t *testing.T, id string, steps []novaStep) {
	t.Helper()
	for i, st := range steps {
		if st.Action != "" {
			if r := a.action(id, st.Action); r.Status != st.Status {
				t.Fatalf("step %d %s: status %d, want %d: %s", i, st.Action, r.Status, st.Status, r.Body)
			}
		}
		a.advance(st.Wait)
		if got := a.states(id); got != st.States {
			t.Fatalf("step %d (%s, then %v): states %q, want %q", i, st.Action, st.Wait, got, st.States)
		}
	}
}

func TestActionStateMachines(t *testing.T) {
	const (
		active  = "ACTIVE active <nil> 1"
		shutoff = "SHUTOFF stopped <nil> 4"
	)
	stop := []novaStep{{`{"os-stop":null}`, 202, 5 * time.Second, shutoff}}
	resized := []novaStep{
		{`{"resize":{"flavorRef":"2"}}`, 202, 0, "RESIZE active resize_prep 1"},
		{"", 0, 15 * time.Second, "RESIZE active resize_migrating 1"},
		{"", 0, 15 * time.Second, "RESIZE active resize_migrated 1"},
		{"", 0, 15 * time.Second, "RESIZE active resize_finish 1"},
		{"", 0, 15 * time.Second, "VERIFY_RESIZE resized <nil> 1"},
	}
	tests := []struct {
		name   string
		steps  []novaStep
		flavor string // the flavor at the end ("" for "1")
	}{
		{"soft reboot", []novaStep{
			{`{"reboot":{"type":"SOFT"}}`, 202, 0, "REBOOT active rebooting 1"},
			{"", 0, 9 * time.Second, "REBOOT active rebooting 1"},
			{"", 0, time.Second, active},
		}, ""},
		{"soft reboot, lower case", []novaStep{{`{"reboot":{"type":"soft"}}`, 202, 10 * time.Second, active}}, ""},
		{"hard reboot", []novaStep{
			{`{"reboot":{"type":"HARD"}}`, 202, 0, "HARD_REBOOT active rebooting_hard 0"},
			{"", 0, 19 * time.Second, "HARD_REBOOT active rebooting_hard 0"},
			{"", 0, time.Second, active},
		}, ""},
		{"hard reboot during a soft one", []novaStep{
			{`{"reboot":{"type":"SOFT"}}`, 202, 0, "REBOOT active rebooting 1"},
			{`{"reboot":{"type":"HARD"}}`, 202, 10 * time.Second, "HARD_REBOOT active rebooting_hard 0"},
			{"", 0, 10 * time.Second, active},
		}, ""},
		{"hard reboot of a stopped server", append(stop,
			novaStep{`{"reboot":{"type":"HARD"}}`, 202, 0, "SHUTOFF stopped rebooting_hard 0"},
			novaStep{"", 0, 20 * time.Second, active}), ""},
		{"resize and confirm", append(resized,
			novaStep{`{"confirmResize":null}`, 204, 0, "VERIFY_RESIZE resized <nil> 1"},
			novaStep{"", 0, 2 * time.Second, active}), "2"},
		{"resize and revert", append(resized,
			novaStep{`{"revertResize":null}`, 202, 0, "REVERT_RESIZE resized resize_reverting 1"},
			novaStep{"", 0, 10 * time.Second, active}), "1"},
		{"revert wins over a pending confirm", append(resized,
			novaStep{`{"confirmResize":null}`, 204, 0, "VERIFY_RESIZE resized <nil> 1"},
			novaStep{`{"revertResize":null}`, 202, 2 * time.Second, "REVERT_RESIZE resized resize_reverting 1"},
			novaStep{"", 0, 10 * time.Second, active}), "1"},
		{"resize a stopped server", append(stop,
			novaStep{`{"resize":{"flavorRef":"2"}}`, 202, 0, "RESIZE stopped resize_prep 4"},
			novaStep{"", 0, time.Minute, "VERIFY_RESIZE resized <nil> 4"},
			novaStep{`{"confirmResize":null}`, 204, 2 * time.Second, shutoff}), "2"},
		{"stop and start", []novaStep{
			{`{"os-stop":null}`, 202, 0, "ACTIVE active powering-off 1"},
			{"", 0, 5 * time.Second, shutoff},
			{`{"os-start":null}`, 202, 0, "SHUTOFF stopped powering-on 4"},
			{"", 0, 5 * time.Second, active},
		}, ""},
		{"pause and unpause", []novaStep{
			{`{"pause":null}`, 202, 0, "ACTIVE active pausing 1"},
			{"", 0, 2 * time.Second, "PAUSED paused <nil> 3"},
			{`{"unpause":null}`, 202, 0, "PAUSED paused unpausing 3"},
			{"", 0, 2 * time.Second, active},
		}, ""},
		{"suspend and resume", []novaStep{
			{`{"suspend":null}`, 202, 0, "ACTIVE active suspending 1"},
			{"", 0, 5 * time.Second, "SUSPENDED suspended <nil> 7"},
			{`{"resume":null}`, 202, 0, "SUSPENDED suspended resuming 7"},
			{"", 0, 5 * time.Second, active},
		}, ""},
		{"rescue and unrescue", []novaStep{
			{`{"rescue":null}`, 200, 0, "ACTIVE active rescuing 1"},
			{"", 0, 10 * time.Second, "RESCUE rescued <nil> 1"},
			{`{"unrescue":null}`, 202, 0, "RESCUE rescued unrescuing 1"},
			{"", 0, 10 * time.Second, active},
		}, ""},
		{"rescue a stopped server", append(stop,
			novaStep{`{"rescue":{"adminPass":"p"}}`, 200, 10 * time.Second, "RESCUE rescued <nil> 1"}), ""},
		{"shelve (offloaded at once) and unshelve", []novaStep{
			{`{"shelve":null}`, 202, 0, "ACTIVE active shelving 1"},
			{"", 0, 10 * time.Second, "SHELVED_OFFLOADED shelved_offloaded <nil> 4"},
			{`{"unshelve":null}`, 202, 0, "SHELVED_OFFLOADED shelved_offloaded unshelving 4"},
			{"", 0, 30 * time.Second, active},
		}, ""},
		{"shelve a paused server", []novaStep{
			{`{"pause":null}`, 202, 2 * time.Second, "PAUSED paused <nil> 3"},
			{`{"shelve":null}`, 202, 10 * time.Second, "SHELVED_OFFLOADED shelved_offloaded <nil> 4"},
		}, ""},
		{"change password", []novaStep{
			{`{"changePassword":{"adminPass":"n3w"}}`, 202, 0, active}, // synchronous, as in Nova
		}, ""},
		{"rebuild", []novaStep{
			{`{"rebuild":{"imageRef":"` + compute.DefaultImageID + `"}}`, 202, 0, "REBUILD active rebuilding 0"},
			{"", 0, 30 * time.Second, active},
		}, ""},
		{"rebuild a stopped server", append(stop,
			novaStep{`{"rebuild":{"imageRef":"` + compute.DefaultImageID + `"}}`, 202, 0, "REBUILD stopped rebuilding 0"},
			novaStep{"", 0, 30 * time.Second, shutoff}), ""},
		{"rebuild a server in ERROR", []novaStep{
			{`{"os-resetState":{"state":"error"}}`, 202, 0, "ERROR error <nil> 1"},
			{`{"rebuild":{"imageRef":"` + compute.DefaultImageID + `"}}`, 202, 0, "REBUILD active rebuilding 0"},
			{"", 0, 30 * time.Second, active},
		}, ""},
		{"reset state", []novaStep{
			{`{"reboot":{"type":"SOFT"}}`, 202, 0, "REBOOT active rebooting 1"},
			{`{"os-resetState":{"state":"error"}}`, 202, 0, "ERROR error <nil> 1"},
			{"", 0, time.Minute, "ERROR error <nil> 1"}, // the reboot was cancelled
			{`{"os-resetState":{"state":"active"}}`, 202, 0, active},
		}, ""},
		{"cold migrate and confirm", []novaStep{
			{`{"migrate":null}`, 202, 0, "RESIZE active resize_prep 1"},
			{"", 0, time.Minute, "VERIFY_RESIZE resized <nil> 1"},
			{`{"confirmResize":null}`, 204, 2 * time.Second, active},
		}, ""},
		{"live migrate", []novaStep{
			{`{"os-migrateLive":{"host":null,"block_migration":"auto"}}`, 202, 0, "MIGRATING active migrating 1"},
			{"", 0, time.Minute, active},
		}, ""},
		{"live migrate a paused server", []novaStep{
			{`{"pause":null}`, 202, 2 * time.Second, "PAUSED paused <nil> 3"},
			{`{"os-migrateLive":{"host":"compute-2","block_migration":false}}`, 202, 0, "MIGRATING paused migrating 3"},
			{"", 0, time.Minute, "PAUSED paused <nil> 3"},
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newNova(t)
			id := a.activeServer("machine")
			a.runSteps(t, id, tc.steps)
			want := tc.flavor
			if want == "" {
				want = "1"
			}
			s, _ := a.srv.Server(id)
			if s.FlavorID != want || s.OldFlavorID != "" {
				t.Errorf("flavor %q (old %q), want %q", s.FlavorID, s.OldFlavorID, want)
			}
			if got := a.server(id)["flavor"].(map[string]any)["id"]; got != want {
				t.Errorf("API flavor %v, want %s", got, want)
			}
		})
	}
}

func TestActionResizeDetails(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("grow")
	a.action(id, `{"resize":{"flavorRef":"http://openstack.example.com/demo/flavors/3","OS-DCF:diskConfig":"AUTO"}}`).want(t, http.StatusAccepted)
	a.advance(time.Minute)
	s, _ := a.srv.Server(id)
	if s.FlavorID != "3" || s.OldFlavorID != "1" || s.VCPUs != 2 || s.MemoryMB != 4096 || s.DiskConfig != "AUTO" {
		t.Errorf("resized: flavor %q old %q vcpus %d ram %d disk config %s", s.FlavorID, s.OldFlavorID, s.VCPUs, s.MemoryMB, s.DiskConfig)
	}
	if f := a.at("2.47").server(id)["flavor"].(map[string]any); f["original_name"] != "m1.medium" || f["vcpus"] != float64(2) {
		t.Errorf("embedded flavor in VERIFY_RESIZE: %v", f)
	}
	a.action(id, `{"revertResize":null}`).want(t, http.StatusAccepted)
	a.advance(10 * time.Second)
	if s, _ := a.srv.Server(id); s.FlavorID != "1" || s.VCPUs != 1 || s.MemoryMB != 512 {
		t.Errorf("reverted: flavor %q vcpus %d ram %d", s.FlavorID, s.VCPUs, s.MemoryMB)
	}

	// A cold migration moves the server; a revert moves it back.
	before, _ := a.srv.Server(id)
	a.action(id, `{"migrate":{"host":"compute-2"}}`).want(t, http.StatusAccepted)
	a.advance(time.Minute)
	if s, _ := a.srv.Server(id); s.Host != "compute-2" || s.HypervisorHostname != "compute-2.mockcloud.test" {
		t.Errorf("migrated to %s (%s)", s.Host, s.HypervisorHostname)
	}
	a.action(id, `{"revertResize":null}`).want(t, http.StatusAccepted)
	a.advance(10 * time.Second)
	if s, _ := a.srv.Server(id); s.Host != before.Host || s.Status != "ACTIVE" {
		t.Errorf("after revert: %s on %s, want ACTIVE on %s", s.Status, s.Host, before.Host)
	}
	a.action(id, `{"os-migrateLive":{"host":"compute-9","block_migration":"auto"}}`).wantFault(t, http.StatusBadRequest, "badRequest", "Compute host compute-9 could not be found.")
	a.action(id, `{"os-migrateLive":{"host":"`+before.Host+`","block_migration":"auto"}}`).wantFault(t, http.StatusBadRequest, "badRequest", "No valid host was found")

	// Quota applies to the growth.
	q := compute.DefaultQuota()
	q.Cores = 2
	b := newNova(t, compute.WithQuota(q))
	small := b.activeServer("small")
	b.action(small, `{"resize":{"flavorRef":"4"}}`).wantFault(t, http.StatusForbidden, "forbidden", "Quota exceeded for cores: Requested 3, but already used 1 of 2 cores")
	b.action(small, `{"resize":{"flavorRef":"3"}}`).want(t, http.StatusAccepted)
}

func TestActionRebuild(t *testing.T) {
	a := newNova(t)
	id := a.create(map[string]any{"name": "original", "flavorRef": "2"}) // Debian needs 10 GB of disk
	a.advance(compute.DefaultDurations().Build)
	const debian = "c3f6e1d2-7b4a-4e5f-8a9b-0c1d2e3f4a5b"
	r := a.action(id, `{"rebuild":{"imageRef":"`+debian+`","name":"rebuilt","adminPass":"rebuild-pass","metadata":{"k":"v"},"accessIPv4":"192.0.2.10"}}`).
		want(t, http.StatusAccepted)
	s := r.obj(t)["server"].(map[string]any)
	want := map[string]any{"id": id, "status": "REBUILD", "name": "rebuilt", "adminPass": "rebuild-pass",
		"metadata": map[string]any{"k": "v"}, "accessIPv4": "192.0.2.10", "image": debian}
	got := map[string]any{}
	for k := range want {
		got[k] = s[k]
	}
	got["image"] = s["image"].(map[string]any)["id"]
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rebuild answer (-want +got):\n%s", diff)
	}
	if _, ok := s["links"]; !ok {
		t.Error("rebuild answer is not a full server")
	}
	a.advance(30 * time.Second)
	if st := a.status(id); st != "ACTIVE" {
		t.Errorf("after rebuild: %s", st)
	}
	if srv, _ := a.srv.Server(id); srv.ImageID != debian || srv.AdminPass != "rebuild-pass" {
		t.Errorf("stored image %q pass %q", srv.ImageID, srv.AdminPass)
	}
	// Without adminPass a new one is generated and returned.
	pass := a.action(id, `{"rebuild":{"imageRef":"`+compute.DefaultImageID+`"}}`).want(t, 202).obj(t)["server"].(map[string]any)["adminPass"]
	if p, _ := pass.(string); p == "" || p == "rebuild-pass" {
		t.Errorf("generated adminPass %v", pass)
	}
}

func TestActionConflicts(t *testing.T) {
	tests := []struct {
		name   string
		setup  []string // actions run (and waited out) first
		build  bool     // act while the server still builds
		action string
		msg    string // %s is the server ID
	}{
		{"reboot while BUILD", nil, true, `{"reboot":{"type":"HARD"}}`, "Cannot 'reboot' instance %s while it is in vm_state building"},
		{"soft reboot while BUILD", nil, true, `{"reboot":{"type":"SOFT"}}`, "Cannot 'reboot' instance %s while it is in vm_state building"},
		{"confirmResize when ACTIVE", nil, false, `{"confirmResize":null}`, "Cannot 'confirmResize' instance %s while it is in vm_state active"},
		{"revertResize when ACTIVE", nil, false, `{"revertResize":null}`, "Cannot 'revertResize' instance %s while it is in vm_state active"},
		{"start when ACTIVE", nil, false, `{"os-start":null}`, "Cannot 'start' instance %s while it is in vm_state active"},
		{"stop when SHUTOFF", []string{`{"os-stop":null}`}, false, `{"os-stop":null}`, "Cannot 'stop' instance %s while it is in vm_state stopped"},
		{"stop in RESCUE", []string{`{"rescue":null}`}, false, `{"os-stop":null}`, "Cannot 'stop' instance %s while it is in vm_state rescued"},
		{"pause while rebooting", nil, false, `{"reboot":{"type":"SOFT"}}`, ""},
		{"unpause when ACTIVE", nil, false, `{"unpause":null}`, "Cannot 'unpause' instance %s while it is in vm_state active"},
		{"pause when SHUTOFF", []string{`{"os-stop":null}`}, false, `{"pause":null}`, "Cannot 'pause' instance %s while it is in vm_state stopped"},
		{"suspend when SHUTOFF", []string{`{"os-stop":null}`}, false, `{"suspend":null}`, "Cannot 'suspend' instance %s while it is in vm_state stopped"},
		{"resume when ACTIVE", nil, false, `{"resume":null}`, "Cannot 'resume' instance %s while it is in vm_state active"},
		{"unrescue when ACTIVE", nil, false, `{"unrescue":null}`, "Cannot 'unrescue' instance %s while it is in vm_state active"},
		{"rescue when PAUSED", []string{`{"pause":null}`}, false, `{"rescue":null}`, "Cannot 'rescue' instance %s while it is in vm_state paused"},
		{"unshelve when ACTIVE", nil, false, `{"unshelve":null}`, "Cannot 'unshelve' instance %s while it is in vm_state active"},
		{"shelveOffload when ACTIVE", nil, false, `{"shelveOffload":null}`, "Cannot 'shelveOffload' instance %s while it is in vm_state active"},
		{"shelve while BUILD", nil, true, `{"shelve":null}`, "Cannot 'shelve' instance %s while it is in vm_state building"},
		{"resize in VERIFY_RESIZE", []string{`{"resize":{"flavorRef":"2"}}`}, false, `{"resize":{"flavorRef":"3"}}`, "Cannot 'resize' instance %s while it is in vm_state resized"},
		{"rebuild while BUILD", nil, true, `{"rebuild":{"imageRef":"` + compute.DefaultImageID + `"}}`, "Cannot 'rebuild' instance %s while it is in vm_state building"},
		{"changePassword when SHUTOFF", []string{`{"os-stop":null}`}, false, `{"changePassword":{"adminPass":"x"}}`, "Cannot 'changePassword' instance %s while it is in vm_state stopped"},
		{"createImage while BUILD", nil, true, `{"createImage":{"name":"snap"}}`, "Cannot 'createImage' instance %s while it is in vm_state building"},
		{"createBackup while BUILD", nil, true, `{"createBackup":{"name":"b","backup_type":"daily","rotation":1}}`, "Cannot 'createBackup' instance %s while it is in vm_state building"},
		{"console output while BUILD", nil, true, `{"os-getConsoleOutput":{}}`, "instance %s while it is in vm_state building"},
		{"migrate when PAUSED", []string{`{"pause":null}`}, false, `{"migrate":null}`, "Cannot 'migrate' instance %s while it is in vm_state paused"},
		{"live migrate when SHUTOFF", []string{`{"os-stop":null}`}, false, `{"os-migrateLive":{"host":null}}`, "Cannot 'os-migrateLive' instance %s while it is in vm_state stopped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newNova(t)
			var id string
			if tc.build {
				id = a.createNamed("conflicted")
			} else {
				id = a.activeServer("conflicted")
			}
			for _, s := range tc.setup {
				if r := a.action(id, s); r.Status >= 300 {
					t.Fatalf("setup %s: %d %s", s, r.Status, r.Body)
				}
				a.advance(time.Minute)
			}
			if tc.msg == "" { // act while a task runs
				a.action(id, tc.action).want(t, http.StatusAccepted)
				a.action(id, `{"pause":null}`).wantFault(t, http.StatusConflict, "conflictingRequest",
					"Cannot 'pause' instance "+id+" while it is in task_state rebooting")
				return
			}
			before := a.states(id)
			r := a.action(id, tc.action)
			r.want(t, http.StatusConflict)
			want := strings.ReplaceAll(tc.msg, "%s", id)
			if f := r.fault(t); f.Name != "conflictingRequest" || !strings.Contains(f.Message, want) {
				t.Errorf("fault %+v, want conflictingRequest %q", f, want)
			}
			if after := a.states(id); after != before {
				t.Errorf("a refused action changed %q to %q", before, after)
			}
		})
	}
}

func TestActionBadRequests(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("target")
	tests := []struct {
		name, body, msg string
	}{
		{"unknown action", `{"fly":{"to":"moon"}}`, "There is no such action: fly"},
		{"two actions", `{"os-stop":null,"os-start":null}`, "Malformed request body"},
		{"no action", `{}`, "Malformed request body"},
		{"not JSON", `{"reboot":`, "Malformed request body"},
		{"empty", ``, "empty"},
		{"reboot without type", `{"reboot":{}}`, "type"},
		{"reboot type FIRM", `{"reboot":{"type":"FIRM"}}`, "'FIRM' is not one of"},
		{"reboot not an object", `{"reboot":"HARD"}`, "reboot"},
		{"resize without flavorRef", `{"resize":{"missingflavorRef":"5"}}`, "'flavorRef' is a required property"},
		{"resize to an unknown flavor", `{"resize":{"flavorRef":"999"}}`, "Unable to find flavor 999."},
		{"resize to the same flavor", `{"resize":{"flavorRef":"1"}}`, "When resizing, instances must change flavor!"},
		{"rebuild without imageRef", `{"rebuild":{"name":"new_server"}}`, "'imageRef' is a required property"},
		{"rebuild from an unknown image", `{"rebuild":{"imageRef":"d5f916f8-03a4-4392-9ec2-cc6e5ad41cf0"}}`, "Can not find requested image"},
		{"rebuild with a bad name", `{"rebuild":{"imageRef":"` + compute.DefaultImageID + `","name":" x"}}`, "Can not start or end with whitespace"},
		{"rebuild with a bad diskConfig", `{"rebuild":{"imageRef":"` + compute.DefaultImageID + `","OS-DCF:diskConfig":"X"}}`, "is not one of"},
		{"rebuild with a key before 2.54", `{"rebuild":{"imageRef":"` + compute.DefaultImageID + `","key_name":"nope"}}`, "Additional properties are not allowed ('key_name' was unexpected)"},
		{"createImage without name", `{"createImage":{}}`, "'name' is a required property"},
		{"createBackup without backup_type", `{"createBackup":{"name":"b","rotation":1}}`, "'backup_type' is a required property"},
		{"createBackup without rotation", `{"createBackup":{"name":"b","backup_type":"daily"}}`, "'rotation' is a required property"},
		{"createBackup with negative rotation", `{"createBackup":{"name":"b","backup_type":"daily","rotation":-1}}`, "rotation"},
		{"changePassword without adminPass", `{"changePassword":{"Pass":"password"}}`, "'adminPass' is a required property"},
		{"resetState to nonsense", `{"os-resetState":{"state":"frozen"}}`, "is not one of ['active', 'error']"},
		{"addSecurityGroup without name", `{"addSecurityGroup":{}}`, "'name' is a required property"},
		{"lock with a reason before 2.73", `{"lock":{"locked_reason":"why"}}`, "Additional properties are not allowed ('locked_reason' was unexpected)"},
		{"console output length not a number", `{"os-getConsoleOutput":{"length":"abc"}}`, "length"},
		{"console output length below -1", `{"os-getConsoleOutput":{"length":-2}}`, "length"},
		{"rescue from an unknown image", `{"rescue":{"rescue_image_ref":"nope"}}`, "Can not find requested image"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a.action(id, tc.body).wantFault(t, http.StatusBadRequest, "badRequest", tc.msg)
		})
	}
	if st := a.states(id); st != "ACTIVE active <nil> 1" {
		t.Errorf("refused actions left %q", st)
	}
	r := a.action("nothing", `{"resize":{"flavorRef":"2"}}`)
	r.want(t, http.StatusNotFound)
	if diff := cmp.Diff(novaFault{"itemNotFound", 404, "Instance nothing could not be found."}, r.fault(t)); diff != "" {
		t.Errorf("unknown server (-want +got):\n%s", diff)
	}
	a.action("nothing", `{"fly":{}}`).want(t, http.StatusBadRequest) // the action is checked first, as in Nova

	// Resizing the disk down is refused.
	big := a.create(map[string]any{"name": "big", "flavorRef": "3"})
	a.advance(time.Minute)
	a.action(big, `{"resize":{"flavorRef":"2"}}`).wantFault(t, http.StatusBadRequest, "badRequest", "Resize error: Unable to resize disk down.")
}

func TestActionLock(t *testing.T) {
	a := newNova(t)
	a.secGroups("web")
	id := a.activeServer("locked")
	a.action(id, `{"lock":null}`).want(t, http.StatusAccepted)
	if l := a.at("2.9").server(id)["locked"]; l != true {
		t.Errorf("locked = %v", l)
	}
	if l := a.at("2.72").server(id)["locked_reason"]; l != nil {
		t.Errorf("locked_reason shown at 2.72: %v", l)
	}
	for _, act := range []string{`{"reboot":{"type":"HARD"}}`, `{"os-stop":null}`, `{"resize":{"flavorRef":"2"}}`, `{"shelve":null}`,
		`{"changePassword":{"adminPass":"x"}}`, `{"rebuild":{"imageRef":"` + compute.DefaultImageID + `"}}`, `{"forceDelete":null}`} {
		r := a.action(id, act)
		r.want(t, http.StatusConflict)
		if diff := cmp.Diff(novaFault{"conflictingRequest", 409, "Instance " + id + " is locked"}, r.fault(t)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", act, diff)
		}
	}
	a.do("DELETE", "/servers/"+id, "").wantFault(t, http.StatusConflict, "conflictingRequest", "Instance "+id+" is locked")
	// What Nova allows on a locked server.
	a.action(id, `{"os-getConsoleOutput":{"length":1}}`).want(t, http.StatusOK)
	a.action(id, `{"createImage":{"name":"while-locked"}}`).want(t, http.StatusAccepted)
	a.action(id, `{"addSecurityGroup":{"name":"web"}}`).want(t, http.StatusAccepted)
	a.action(id, `{"lock":null}`).want(t, http.StatusAccepted)
	a.do("PUT", "/servers/"+id, `{"server":{"name":"renamed"}}`).want(t, http.StatusOK)

	a.action(id, `{"unlock":null}`).want(t, http.StatusAccepted)
	if l := a.at("2.9").server(id)["locked"]; l != false {
		t.Errorf("locked after unlock = %v", l)
	}
	a.action(id, `{"reboot":{"type":"SOFT"}}`).want(t, http.StatusAccepted)

	// A reason from 2.73, cleared by unlock.
	a.at("2.73").action(id, `{"lock":{"locked_reason":"maintenance"}}`).want(t, http.StatusAccepted)
	if l := a.at("2.73").server(id)["locked_reason"]; l != "maintenance" {
		t.Errorf("locked_reason = %v", l)
	}
	if ids := a.listIDs("/servers?locked=true"); !cmp.Equal([]string{id}, ids) {
		t.Errorf("locked=true lists %v", ids)
	}
	a.action(id, `{"unlock":null}`).want(t, http.StatusAccepted)
	if l := a.at("2.73").server(id)["locked_reason"]; l != nil {
		t.Errorf("locked_reason after unlock = %v", l)
	}
}

func TestActionRescuePassword(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("rescued")
	var out struct {
		AdminPass string `json:"adminPass"`
	}
	a.action(id, `{"rescue":{"adminPass":"MySecretPass"}}`).want(t, http.StatusOK).into(t, &out)
	if out.AdminPass != "MySecretPass" {
		t.Errorf("adminPass %q", out.AdminPass)
	}
	a.advance(10 * time.Second)
	a.action(id, `{"unrescue":null}`).want(t, http.StatusAccepted)
	a.advance(10 * time.Second)
	a.action(id, `{"rescue":{"rescue_image_ref":"`+compute.DefaultImageID+`"}}`).want(t, http.StatusOK).into(t, &out)
	if len(out.AdminPass) < 8 {
		t.Errorf("generated adminPass %q", out.AdminPass)
	}
}

func TestActionShelveOffloadAndUnshelve(t *testing.T) {
	d := compute.DefaultDurations()
	d.ShelveOffload = -1 // never offloaded by itself
	a := newNova(t, compute.WithDurations(d), compute.WithAvailabilityZones("nova", "az2"))
	id := a.activeServer("shelved")
	a.runSteps(t, id, []novaStep{
		{`{"shelve":null}`, 202, time.Hour, "SHELVED shelved <nil> 4"},
		{`{"shelveOffload":null}`, 202, 0, "SHELVED_OFFLOADED shelved_offloaded <nil> 4"},
	})
	s, _ := a.srv.Server(id)
	if s.Host != "" || s.HypervisorHostname != "" {
		t.Errorf("offloaded server still on %q/%q", s.Host, s.HypervisorHostname)
	}
	if h := a.server(id)["hostId"]; h != "" {
		t.Errorf("hostId of an offloaded server = %v", h)
	}
	a.at("2.77").action(id, `{"unshelve":{"availability_zone":"mars"}}`).wantFault(t, http.StatusBadRequest, "badRequest", "The requested availability zone is not available")
	a.at("2.77").action(id, `{"unshelve":{"availability_zone":"az2"}}`).want(t, http.StatusAccepted)
	a.advance(d.Unshelve)
	s, _ = a.srv.Server(id)
	if s.Status != "ACTIVE" || s.Host == "" || s.AvailabilityZone != "az2" {
		t.Errorf("unshelved: %s on %q in %q", s.Status, s.Host, s.AvailabilityZone)
	}

	// A shelved (not offloaded) server unshelves where it is.
	b := a.activeServer("shelved-2")
	a.action(b, `{"shelve":null}`).want(t, http.StatusAccepted)
	a.advance(d.Shelve)
	host := func() string { s, _ := a.srv.Server(b); return s.Host }()
	a.action(b, `{"unshelve":null}`).want(t, http.StatusAccepted)
	a.advance(d.Unshelve)
	if s, _ := a.srv.Server(b); s.Status != "ACTIVE" || s.Host != host {
		t.Errorf("unshelved from SHELVED: %s on %s, want ACTIVE on %s", s.Status, s.Host, host)
	}
}

func TestActionCreateImage(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("source")

	// Before 2.45: 202, a Location header, no body.
	r := a.at("2.44").action(id, `{"createImage":{"name":"snap-1","metadata":{"purpose":"test"}}}`).want(t, http.StatusAccepted)
	loc := r.Header.Get("Location")
	prefix := a.srv.URL() + "/v2.1/demo/images/"
	if !strings.HasPrefix(loc, prefix) || len(r.Body) != 0 {
		t.Fatalf("Location %q, body %q", loc, r.Body)
	}
	imageID := strings.TrimPrefix(loc, prefix)
	img, ok := a.srv.Image(imageID)
	if !ok {
		t.Fatalf("no image %s", imageID)
	}
	want := compute.Image{ID: imageID, Name: "snap-1", Status: "SAVING", ServerID: id, MinDisk: 1, Size: 21430272,
		Created: a.srv.Clock().Now(), Updated: a.srv.Clock().Now(), ReadyAt: a.srv.Clock().Now().Add(10 * time.Second),
		Metadata: map[string]string{"image_type": "snapshot", "instance_uuid": id, "owner_id": "demo", "user_id": "user-demo",
			"base_image_ref": compute.DefaultImageID, "auto_disk_config": "False", "purpose": "test"}}
	if diff := cmp.Diff(want, img); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	a.advance(9 * time.Second)
	if img, _ := a.srv.Image(imageID); img.Status != "SAVING" {
		t.Errorf("after 9 s: %s", img.Status)
	}
	a.advance(time.Second)
	if img, _ := a.srv.Image(imageID); img.Status != "ACTIVE" {
		t.Errorf("after 10 s: %s", img.Status)
	}
	// A snapshot can boot a server once it is ACTIVE.
	a.create(map[string]any{"name": "from-snapshot", "imageRef": imageID})

	// From 2.45: {"image_id"} and no Location. A paused server can be
	// snapshotted too.
	a.action(id, `{"pause":null}`).want(t, http.StatusAccepted)
	a.advance(2 * time.Second)
	r = a.at("2.45").action(id, `{"createImage":{"name":"snap-2"}}`).want(t, http.StatusAccepted)
	var body struct {
		ImageID string `json:"image_id"`
	}
	r.into(t, &body)
	if r.Header.Get("Location") != "" {
		t.Errorf("Location at 2.45: %q", r.Header.Get("Location"))
	}
	if img, ok := a.srv.Image(body.ImageID); !ok || img.Name != "snap-2" || img.Status != "SAVING" {
		t.Errorf("image %s: %+v %v", body.ImageID, img, ok)
	}
	// A SAVING image cannot boot a server yet.
	a.do("POST", "/servers", novaBody(map[string]any{"imageRef": body.ImageID})).wantFault(t, http.StatusBadRequest, "badRequest", "is not active")
}

func TestActionCreateBackupRotation(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("backed-up")
	backup := func(name, typ string, rotation int) string {
		t.Helper()
		var out struct {
			ImageID string `json:"image_id"`
		}
		a.at("2.45").action(id, `{"createBackup":{"name":"`+name+`","backup_type":"`+typ+`","rotation":`+itoa(rotation)+`}}`).
			want(t, http.StatusAccepted).into(t, &out)
		return out.ImageID
	}
	exists := func(ids ...string) []bool {
		var out []bool
		for _, id := range ids {
			_, ok := a.srv.Image(id)
			out = append(out, ok)
		}
		return out
	}
	d1 := backup("d1", "daily", 2)
	a.advance(time.Hour)
	w1 := backup("w1", "weekly", 1)
	d2 := backup("d2", "daily", 2)
	a.advance(time.Hour)
	d3 := backup("d3", "daily", 2)
	if diff := cmp.Diff([]bool{false, true, true, true}, exists(d1, d2, d3, w1)); diff != "" {
		t.Errorf("after three dailies with rotation 2, exists(d1, d2, d3, w1) (-want +got):\n%s", diff)
	}
	img, _ := a.srv.Image(d3)
	if img.Metadata["image_type"] != "backup" || img.Metadata["backup_type"] != "daily" {
		t.Errorf("backup metadata %v", img.Metadata)
	}
	// Backups taken at one instant rotate in the order taken.
	s1, s2, s3 := backup("s1", "hourly", 2), backup("s2", "hourly", 2), backup("s3", "hourly", 2)
	if diff := cmp.Diff([]bool{false, true, true}, exists(s1, s2, s3)); diff != "" {
		t.Errorf("same-instant backups, exists(s1, s2, s3) (-want +got):\n%s", diff)
	}
	// Before 2.45: Location, except with rotation 0, which keeps nothing.
	r := a.at("2.44").action(id, `{"createBackup":{"name":"m","backup_type":"monthly","rotation":1}}`).want(t, http.StatusAccepted)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, a.srv.URL()+"/v2.1/demo/images/") {
		t.Errorf("Location %q", loc)
	}
	r = a.at("2.44").action(id, `{"createBackup":{"name":"m0","backup_type":"monthly","rotation":0}}`).want(t, http.StatusAccepted)
	if loc := r.Header.Get("Location"); loc != "" {
		t.Errorf("Location with rotation 0: %q", loc)
	}
	if _, ok := a.srv.Image(strings.TrimPrefix(r.Header.Get("Location"), a.srv.URL()+"/v2.1/demo/images/")); ok {
		t.Error("rotation 0 kept an image")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestActionChangePassword(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("pw")
	a.action(id, `{"changePassword":{"adminPass":"n3w-pass"}}`).want(t, http.StatusAccepted)
	// Synchronous in Nova: changed, and no task left, when it answers, so
	// the next action is not refused.
	if s, _ := a.srv.Server(id); s.AdminPass != "n3w-pass" || s.TaskState != "" {
		t.Errorf("AdminPass %q task_state %q", s.AdminPass, s.TaskState)
	}
	if st := a.states(id); st != "ACTIVE active <nil> 1" {
		t.Errorf("states %s", st)
	}
	a.action(id, `{"changePassword":{"adminPass":"again"}}`).want(t, http.StatusAccepted)
	a.action(id, `{"reboot":{"type":"SOFT"}}`).want(t, http.StatusAccepted)
}

func TestActionConsoleOutput(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("console")
	output := func(body string) []string {
		t.Helper()
		var out struct {
			Output string `json:"output"`
		}
		a.action(id, body).want(t, http.StatusOK).into(t, &out)
		if out.Output == "" {
			return nil
		}
		// Tempest counts len(output.split('\n')): no trailing newline.
		return strings.Split(out.Output, "\n")
	}
	all := output(`{"os-getConsoleOutput":{}}`)
	if len(all) < 5 || all[len(all)-1] != "console login: " {
		t.Fatalf("console log %q", all)
	}
	tests := []struct {
		body string
		want []string
	}{
		{`{"os-getConsoleOutput":null}`, all},
		{`{"os-getConsoleOutput":{"length":null}}`, all},
		{`{"os-getConsoleOutput":{"length":-1}}`, all[1:]}, // Nova's _tail_log slices [1:]
		{`{"os-getConsoleOutput":{"length":3}}`, all[len(all)-3:]},
		{`{"os-getConsoleOutput":{"length":2}}`, all[len(all)-2:]},
		{`{"os-getConsoleOutput":{"length":"3"}}`, all[len(all)-3:]},
		{`{"os-getConsoleOutput":{"length":1000}}`, all},
		{`{"os-getConsoleOutput":{"length":0}}`, nil},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, output(tc.body)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.body, diff)
		}
	}
	// A stopped server still has its log.
	a.action(id, `{"os-stop":null}`).want(t, http.StatusAccepted)
	a.advance(5 * time.Second)
	output(`{"os-getConsoleOutput":{"length":1}}`)
}

func TestActionForceDeleteAndSecurityGroups(t *testing.T) {
	a := newNova(t)
	a.secGroups("web")
	a.action(a.activeServer("other"), `{"addSecurityGroup":{"name":"nope"}}`).wantFault(t, http.StatusNotFound, "itemNotFound", "Security group nope is not found for project demo")
	id := a.activeServer("groups")
	groups := func() []any { return a.server(id)["security_groups"].([]any) }
	a.action(id, `{"addSecurityGroup":{"name":"web"}}`).want(t, http.StatusAccepted)
	a.action(id, `{"addSecurityGroup":{"name":"web"}}`).want(t, http.StatusAccepted) // no duplicate
	if diff := cmp.Diff([]any{map[string]any{"name": "default"}, map[string]any{"name": "web"}}, groups()); diff != "" {
		t.Errorf("after add (-want +got):\n%s", diff)
	}
	a.action(id, `{"removeSecurityGroup":{"name":"default"}}`).want(t, http.StatusAccepted)
	if diff := cmp.Diff([]any{map[string]any{"name": "web"}}, groups()); diff != "" {
		t.Errorf("after remove (-want +got):\n%s", diff)
	}
	a.action(id, `{"removeSecurityGroup":{"name":"default"}}`).wantFault(t, http.StatusNotFound, "itemNotFound", "Security group default not assigned to the instance")

	a.action(id, `{"forceDelete":null}`).want(t, http.StatusAccepted)
	a.get("/servers/"+id).want(t, http.StatusNotFound) // at once, no Delete duration
	if s, _ := a.srv.Server(id); !s.Deleted || s.Status != "DELETED" {
		t.Errorf("after forceDelete: %+v", s)
	}
}

// actionOps are the refined op of every known action, by its key.
var actionOps = map[string]string{
	"reboot": compute.OpActionReboot, "resize": compute.OpActionResize,
	"confirmResize": compute.OpActionConfirmResize, "revertResize": compute.OpActionRevertResize,
	"rebuild": compute.OpActionRebuild, "os-start": compute.OpActionStart, "os-stop": compute.OpActionStop,
	"pause": compute.OpActionPause, "unpause": compute.OpActionUnpause, "suspend": compute.OpActionSuspend,
	"resume": compute.OpActionResume, "lock": compute.OpActionLock, "unlock": compute.OpActionUnlock,
	"rescue": compute.OpActionRescue, "unrescue": compute.OpActionUnrescue, "shelve": compute.OpActionShelve,
	"shelveOffload": compute.OpActionShelveOffload, "unshelve": compute.OpActionUnshelve,
	"createImage": compute.OpActionCreateImage, "createBackup": compute.OpActionCreateBackup,
	"changePassword": compute.OpActionChangePassword, "os-getConsoleOutput": compute.OpActionGetConsoleOutput,
	"os-resetState": compute.OpActionResetState, "forceDelete": compute.OpActionForceDelete,
	"addSecurityGroup": compute.OpActionAddSecurityGroup, "removeSecurityGroup": compute.OpActionRemoveSecurityGroup,
	"migrate": compute.OpActionMigrate, "os-migrateLive": compute.OpActionLiveMigrate,
	"os-getVNCConsole": compute.OpActionGetVNCConsole, "os-getSPICEConsole": compute.OpActionGetSPICEConsole,
	"os-getSerialConsole": compute.OpActionGetSerialConsole, "os-getRDPConsole": compute.OpActionGetRDPConsole,
}

// TestActionOps: each action is its own op, named by its key, in the
// journal and in the service's list of ops; a body that names no known
// action, or several, keeps the route's op.
func TestActionOps(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("ops")
	keys := make([]string, 0, len(actionOps))
	for k := range actionOps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ops := a.srv.Ops()
	for _, k := range keys {
		op := actionOps[k]
		if op != compute.OpServerAction+"."+k {
			t.Errorf("%s: op %q, want %q", k, op, compute.OpServerAction+"."+k)
		}
		if i := sort.SearchStrings(ops, op); i == len(ops) || ops[i] != op {
			t.Errorf("Ops() lacks %s", op)
		}
		// Each on a server of its own, ACTIVE.
		s, err := a.srv.AddServer(compute.Server{ProjectID: "demo", FlavorID: "1", ImageID: compute.DefaultImageID})
		if err != nil {
			t.Fatal(err)
		}
		a.srv.ResetRequests()
		a.action(s.ID, `{"`+k+`":null}`)
		fake.CheckOps(t, a.srv.Requests(), op)
	}
	a.srv.ResetRequests()
	a.action(id, `{"os-reboot":{}}`).wantFault(t, http.StatusBadRequest, "badRequest", "There is no such action: os-reboot")
	a.action(id, `{"reboot":{"type":"HARD"},"os-stop":null}`).wantFault(t, http.StatusBadRequest, "badRequest", "Malformed request body")
	a.action(id, `{"reboot"`).want(t, http.StatusBadRequest)
	a.action(id, `{}`).want(t, http.StatusBadRequest)
	fake.CheckOps(t, a.srv.Requests(), compute.OpServerAction, compute.OpServerAction, compute.OpServerAction, compute.OpServerAction)
}

// TestActionFault: a fault naming one action's op faults that action
// only, for every action.
func TestActionFault(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("flaky")
	h := a.srv.Inject(fake.Fault{Op: compute.OpActionReboot, Status: 503, Times: 1})
	r := a.action(id, `{"reboot":{"type":"SOFT"}}`)
	r.want(t, http.StatusServiceUnavailable)
	if f := r.fault(t); f.Name != "serviceUnavailable" {
		t.Errorf("fault %+v", f)
	}
	a.action(id, `{"os-stop":null}`).want(t, http.StatusAccepted) // another action passes
	a.get("/servers/"+id).want(t, http.StatusOK)                  // so does anything else
	a.advance(5 * time.Second)
	a.action(id, `{"reboot":{"type":"HARD"}}`).want(t, http.StatusAccepted) // Times: 1
	if h.Hits() != 1 {
		t.Errorf("Hits() = %d", h.Hits())
	}
	reqs := fake.Filter(a.srv.Requests(), compute.OpServerAction+".*")
	if len(reqs) != 3 || reqs[0].Fault != h.ID() || reqs[0].Status != 503 || reqs[1].Fault != "" {
		t.Errorf("journal of actions: %+v", reqs)
	}
	fake.CheckOps(t, reqs, compute.OpActionReboot, compute.OpActionStop, compute.OpActionReboot)

	// Every action: its fault leaves another action alone and answers it.
	for k, op := range actionOps {
		other := `{"lock":null}`
		if k == "lock" {
			other = `{"unlock":null}`
		}
		h := a.srv.Inject(fake.Fault{Op: op, Status: http.StatusTeapot, Body: `{"teapot":1}`})
		if r := a.action(id, other); r.Status == http.StatusTeapot {
			t.Errorf("fault on %s answered %s", op, other)
		}
		if r := a.action(id, `{"`+k+`":null}`); r.Status != http.StatusTeapot {
			t.Errorf("fault on %s: %s answered %d %s", op, k, r.Status, r.Body)
		}
		h.Remove()
	}
}
