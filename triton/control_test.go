package triton_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/triton"
)

// ctlEnv is a Cloud with Triton and a client of its control API at
// /mockcloud/v1/triton, in memory.
type ctlEnv struct {
	t     *testing.T
	cloud *mockcloud.Cloud
	dc    *triton.Triton
	ctl   *kittest.Client
	vmapi *kittest.Client
}

func newCtlEnv(t *testing.T) *ctlEnv {
	t.Helper()
	c := mockcloud.New(t, mockcloud.WithoutListener(), mockcloud.WithServices(triton.Descriptor()))
	return &ctlEnv{t: t, cloud: c, dc: c.Triton(),
		ctl:   kittest.New(t, c.URL()+mockcloud.ControlPrefix+"/triton", c.Client()),
		vmapi: kittest.New(t, c.ServiceURL("triton/vmapi", ""), c.Client())}
}

// controlError checks the control API's error body: {"error":{"code","message"}}
// with the status as code and a message containing want.
func controlError(t *testing.T, r *kittest.Response, status int, want string) {
	t.Helper()
	r.Expect(status)
	var body struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	r.Decode(&body)
	if body.Error.Code != status || !strings.Contains(body.Error.Message, want) {
		t.Errorf("error body = %s, want code %d and a message with %q", r.Body, status, want)
	}
}

type summaryPage struct {
	Total        int            `json:"total"`
	StatusCounts map[string]int `json:"status_counts"`
	Servers      []struct {
		UUID               string `json:"uuid"`
		Hostname           string `json:"hostname"`
		Status             string `json:"status"`
		TransitionalStatus string `json:"transitional_status"`
		LastHeartbeat      string `json:"last_heartbeat"`
		HeartbeatsStop     string `json:"heartbeats_stop"`
		HeartbeatsResume   string `json:"heartbeats_resume"`
		Setup              bool   `json:"setup"`
		Headnode           bool   `json:"headnode"`
		Reserved           bool   `json:"reserved"`
		DiskLost           bool   `json:"disk_lost"`
		RAM                int64  `json:"ram"`
		UnreservedRAM      int64  `json:"unreserved_ram"`
		VMs                int    `json:"vms"`
		AdminIP            string `json:"admin_ip"`
	} `json:"servers"`
}

// create provisions a VM over VMAPI and returns its UUID and job.
func (e *ctlEnv) create(alias string) (vm, job string) {
	e.t.Helper()
	var out struct {
		VMUUID  string `json:"vm_uuid"`
		JobUUID string `json:"job_uuid"`
	}
	e.vmapi.Do("POST", "/vms", vmBody(alias, 1024)).Expect(202).Decode(&out)
	return out.VMUUID, out.JobUUID
}

func (e *ctlEnv) add(body string) []string {
	e.t.Helper()
	var out struct {
		Servers []string `json:"servers"`
	}
	e.ctl.Do("POST", "/servers", body).Expect(201).Decode(&out)
	return out.Servers
}

func (e *ctlEnv) page(query string) summaryPage {
	e.t.Helper()
	var p summaryPage
	e.ctl.Get("/servers" + query).Expect(200).Decode(&p)
	return p
}

// TestControlServers: add CNs with a profile, list their summaries (paged,
// by status), remove one.
func TestControlServers(t *testing.T) {
	e := newCtlEnv(t)
	ids := e.add(`{"count": 5, "profile": {"ram_mib": 65536, "cpu_cores": 8, "platform": "20250101T000000Z",
		"agents": [{"name": "cn-agent", "version": "3.0.0"}]}, "reserved": true, "traits": {"ssd": true}, "rack_identifier": "r1"}`)
	if len(ids) != 5 {
		t.Fatalf("added %d servers", len(ids))
	}
	s, ok := e.dc.Server(ids[0])
	if !ok || s.RAM != 65536 || !s.Reserved || s.Traits["ssd"] != true || s.RackIdentifier != "r1" || s.CurrentPlatform != "20250101T000000Z" ||
		len(*s.Agents) != 1 || (*s.Agents)[0].Version != "3.0.0" || s.Sysinfo["CPU Total Cores"] != 8 {
		t.Errorf("added server = %+v", s)
	}
	e.add(`{"count": 2, "unsetup": true}`)
	if s, _ := e.dc.Server(e.add(`{"count": 1}`)[0]); s.RAM != triton.DefaultProfile().RAMMiB || !s.Setup || s.Reserved {
		t.Errorf("a server without a profile: RAM %d, setup %v, reserved %v", s.RAM, s.Setup, s.Reserved)
	}

	p := e.page("")
	if p.Total != 8 || len(p.Servers) != 8 || p.StatusCounts["running"] != 8 {
		t.Fatalf("GET /servers: total %d, %d listed, counts %v", p.Total, len(p.Servers), p.StatusCounts)
	}
	for i := 1; i < len(p.Servers); i++ {
		if p.Servers[i-1].UUID >= p.Servers[i].UUID {
			t.Errorf("servers not by UUID: %s then %s", p.Servers[i-1].UUID, p.Servers[i].UUID)
		}
	}
	first := p.Servers[0]
	if first.Status != "running" || first.LastHeartbeat == "" || first.AdminIP == "" || first.Hostname == "" || first.RAM == 0 ||
		first.UnreservedRAM != int64(float64(first.RAM)*0.85) {
		t.Errorf("summary = %+v", first)
	}
	e.ctl.Get("/servers?limit=1").CheckJSON(fmt.Sprintf(`{"total": 8, "status_counts": {"running": 8}, "servers": [
		{"uuid": %q, "hostname": "<any>", "status": "running", "transitional_status": "", "last_heartbeat": "<any>",
		 "setup": "<any>", "headnode": false, "reserved": "<any>", "disk_lost": false, "ram": "<any>", "unreserved_ram": "<any>",
		 "vms": 0, "admin_ip": "<any>"}]}`, first.UUID))
	if p := e.page("?offset=7&limit=5"); p.Total != 8 || len(p.Servers) != 1 {
		t.Errorf("offset 7: total %d, %d listed", p.Total, len(p.Servers))
	}
	if p := e.page("?status=unknown"); p.Total != 0 || len(p.Servers) != 0 || p.StatusCounts["running"] != 8 {
		t.Errorf("status=unknown: %+v", p)
	}

	e.ctl.Do("DELETE", "/servers/"+ids[0], "").Expect(204)
	if _, ok := e.dc.Server(ids[0]); ok {
		t.Error("removed server still there")
	}
	controlError(t, e.ctl.Do("DELETE", "/servers/"+ids[0], ""), 404, ids[0])
	if p := e.page(""); p.Total != 7 {
		t.Errorf("after removal: total %d", p.Total)
	}
}

// TestControlServersBadInput: 400 with a message saying what is wrong.
func TestControlServersBadInput(t *testing.T) {
	e := newCtlEnv(t)
	for _, tc := range []struct{ body, want string }{
		{``, "body is empty"},
		{`{"count": 0}`, `"count" must be from 1 to 100000`},
		{`{"count": 100001}`, `"count" must be from 1 to 100000`},
		{`{"count": -1}`, `"count"`},
		{`{"count": "3"}`, "count"},
		{`{"count": 1, "bogus": 1}`, "bogus"},
		{`{"count": 1, "profile": {"ram_mib": 0}}`, `"profile.ram_mib" must be from 1024`},
		{`{"count": 1, "profile": {"ram_gb": 1}}`, "ram_gb"},
		{`{"count": 1, "profile": {"cpu_cores": 0}}`, `"profile.cpu_cores"`},
		{`{"count": 1, "profile": {"disks": 1000}}`, `"profile.disks"`},
		{`{"count": 1, "profile": {"zpool_gib": -5}}`, `"profile.zpool_gib"`},
		{`{"count": 1, "profile": {"platform": ""}}`, `"profile.platform" must be 1 to 256`},
		{`{"count": 1, "profile": {"agents": [{"version": "1"}]}}`, `"profile.agents[0]" needs a "name"`},
		{`{"count": 1, "profile": {"agents": [{"name": "a", "image_uuid": "x"}]}}`, "is not a UUID"},
		{`{"count": 1, "rack_identifier": "` + strings.Repeat("r", 300) + `"}`, "rack_identifier"},
		{`{"count": 1}}`, "Malformed"},
	} {
		controlError(t, e.ctl.Do("POST", "/servers", tc.body), 400, tc.want)
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?limit=x", "?offset=-1", "?status=dead"} {
		controlError(t, e.ctl.Get("/servers"+q), 400, strings.SplitN(strings.TrimPrefix(q, "?"), "=", 2)[0])
	}
	if n := len(e.dc.Servers()); n != 0 {
		t.Errorf("bad bodies added %d servers", n)
	}
	controlError(t, e.ctl.Do("PUT", "/servers", `{}`), 405, "")
	controlError(t, e.ctl.Get("/nothing"), 404, "Unknown control call")
}

// TestControlHeartbeats: stop at a time and in a duration, resume, each
// seen in CNAPI's status as the clock moves.
func TestControlHeartbeats(t *testing.T) {
	e := newCtlEnv(t)
	ids := e.add(`{"count": 3}`)
	at := e.dc.Now().Add(10 * time.Second).UTC().Format(time.RFC3339)
	e.ctl.Do("POST", "/servers/"+ids[0]+"/stop-heartbeats", `{"at": "`+at+`"}`).Expect(204)
	e.ctl.Do("POST", "/servers/"+ids[1]+"/stop-heartbeats", `{"in": "-1m"}`).Expect(204)
	e.ctl.Do("POST", "/servers/"+ids[2]+"/stop-heartbeats", "").Expect(204)
	e.cloud.Advance(5 * time.Second)
	// The two stopped by now never heartbeated (added at this instant):
	// unknown at the reconciler's first tick; the third still heartbeats.
	if p := e.page("?status=unknown"); p.Total != 2 || p.Servers[0].UUID == ids[0] || p.Servers[1].UUID == ids[0] {
		t.Errorf("5 s on: %+v, want the 2 stopped by now unknown", p)
	}
	e.cloud.Advance(40 * time.Second)
	p := e.page("?status=unknown")
	if p.Total != 3 || p.Servers[0].HeartbeatsStop == "" {
		t.Fatalf("45 s on: %+v, want all 3 unknown", p)
	}
	e.ctl.Do("POST", "/servers/"+ids[0]+"/resume-heartbeats", `{"in": "0s"}`).Expect(204)
	e.cloud.Advance(5 * time.Second)
	if s, _ := e.dc.Server(ids[0]); s.Status != "running" {
		t.Errorf("resumed server is %s", s.Status)
	}
	if p := e.page(""); p.StatusCounts["unknown"] != 2 || p.StatusCounts["running"] != 1 {
		t.Errorf("counts after resuming one: %v", p.StatusCounts)
	}

	for _, tc := range []struct{ body, want string }{
		{`{"at": "yesterday"}`, `"at" "yesterday" is not an RFC 3339 time`},
		{`{"in": "soon"}`, `"in" "soon" is not a duration`},
		{`{"at": "2026-01-01T00:00:00Z", "in": "1s"}`, `not both`},
		{`{"when": "now"}`, "when"},
		{`[]`, "Malformed"},
	} {
		controlError(t, e.ctl.Do("POST", "/servers/"+ids[1]+"/stop-heartbeats", tc.body), 400, tc.want)
	}
	controlError(t, e.ctl.Do("POST", "/servers/"+ids[1]+"/resume-heartbeats", `{"in": "-1h"}`), 409, "has not stopped heartbeating")
	controlError(t, e.ctl.Do("POST", "/servers/00000000-0000-0000-0000-000000000000/stop-heartbeats", ""), 404, "not found")
	controlError(t, e.ctl.Do("POST", "/servers/nope/resume-heartbeats", ""), 404, "not found")
}

// TestControlRebootAndLoseDisk: a reboot is a job and "rebooting"; a lost
// disk fails the CN's VMs.
func TestControlRebootAndLoseDisk(t *testing.T) {
	e := newCtlEnv(t)
	ids := e.add(`{"count": 1}`)
	var out struct {
		JobUUID string `json:"job_uuid"`
	}
	r := e.ctl.Do("POST", "/servers/"+ids[0]+"/reboot", "")
	r.Expect(202).Decode(&out)
	r.CheckJSON(`{"job_uuid": "<any>"}`)
	if _, ok := e.dc.Job(out.JobUUID); !ok {
		t.Errorf("reboot job %s not found", out.JobUUID)
	}
	e.cloud.Advance(20 * time.Second)
	if p := e.page(""); p.Servers[0].TransitionalStatus != "rebooting" || p.StatusCounts["rebooting"] != 1 {
		t.Errorf("20 s into a reboot: %+v", p)
	}
	e.cloud.Advance(2 * time.Minute)
	if p := e.page(""); p.StatusCounts["running"] != 1 {
		t.Errorf("after the reboot: %v", p.StatusCounts)
	}

	vm, _, err := e.dc.CreateVM(triton.CreateVM{OwnerUUID: owner, Alias: "a", RAM: 1024, Brand: "joyent",
		ImageUUID: "2b683a82-a066-11e3-97ab-2faa44701c5a", Networks: []triton.NetworkRef{{Name: "external"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.cloud.Advance(time.Minute)
	e.ctl.Do("POST", "/servers/"+ids[0]+"/lose-disk", "").Expect(204)
	if v, _ := e.dc.VM(vm.UUID); v.State != "failed" {
		t.Errorf("VM on a lost disk: %s", v.State)
	}
	if p := e.page(""); !p.Servers[0].DiskLost || p.Servers[0].VMs != 0 {
		t.Errorf("summary after losing the disk: %+v", p.Servers[0])
	}
	controlError(t, e.ctl.Do("POST", "/servers/nope/reboot", ""), 404, "not found")
	controlError(t, e.ctl.Do("POST", "/servers/nope/lose-disk", ""), 404, "not found")
	controlError(t, e.ctl.Do("GET", "/servers/"+ids[0]+"/reboot", ""), 405, "")
}

// TestControlJobFaults: a provision failure by alias, a job hung at a
// step, listing and removing faults.
func TestControlJobFaults(t *testing.T) {
	e := newCtlEnv(t)
	ids := e.add(`{"count": 2}`)
	r := e.ctl.Do("POST", "/provision-failures", `{"alias_pattern": "doomed-*"}`)
	r.Expect(201)
	r.CheckJSON(`{"id": "<any>", "workflow": "provision", "step": "cnapi.provision_vm", "alias_pattern": "doomed-*", "hits": 0}`)
	var pf triton.JobFaultInfo
	r.Decode(&pf)
	if loc := r.Header.Get("Location"); loc != mockcloud.ControlPrefix+"/triton/job-faults/"+pf.ID {
		t.Errorf("Location = %q", loc)
	}
	e.ctl.Do("POST", "/job-faults", `{"workflow": "provision", "step": "cnapi.wait_task", "hang": true, "alias_pattern": "stuck", "times": 1}`).Expect(201)
	e.ctl.Do("POST", "/job-faults", `{"workflow": "destroy", "server_uuid": "`+ids[1]+`"}`).Expect(201).
		CheckJSON(`{"id": "<any>", "workflow": "destroy", "server_uuid": "` + ids[1] + `", "hits": 0}`)

	create := func(alias string) string { v, _ := e.create(alias); return v }
	doomed := create("doomed-1")
	e.cloud.Advance(time.Minute)
	if v, _ := e.dc.VM(doomed); v.State != "failed" {
		t.Errorf("doomed VM: %s", v.State)
	}
	stuck, stuckJob := e.create("stuck")
	e.cloud.Advance(time.Hour)
	if v, _ := e.dc.VM(stuck); v.State != "provisioning" {
		t.Errorf("VM whose job hangs: %s", v.State)
	}
	if j, _ := e.dc.Job(stuckJob); j.Execution != "running" {
		t.Errorf("hung job: %s", j.Execution)
	}
	var list struct {
		JobFaults []triton.JobFaultInfo `json:"job_faults"`
	}
	e.ctl.Get("/job-faults").Expect(200).Decode(&list)
	if len(list.JobFaults) != 3 || list.JobFaults[0].ID != pf.ID || list.JobFaults[0].Hits != 1 || !list.JobFaults[1].Hang ||
		list.JobFaults[1].Hits != 1 || list.JobFaults[2].Server != ids[1] {
		t.Errorf("job faults = %+v", list.JobFaults)
	}
	e.ctl.Do("DELETE", "/job-faults/"+pf.ID, "").Expect(204)
	controlError(t, e.ctl.Do("DELETE", "/job-faults/"+pf.ID, ""), 404, "No job fault "+pf.ID)
	if fine := create("doomed-2"); true {
		e.cloud.Advance(time.Minute)
		if v, _ := e.dc.VM(fine); v.State == "failed" {
			t.Error("a removed provision failure still fails VMs")
		}
	}

	srv := ids[0]
	for _, tc := range []struct{ path, body, want string }{
		{"/job-faults", `{"workflow": "explode"}`, `"workflow" "explode" is not one of`},
		{"/job-faults", `{"workflow": "stop", "step": "cnapi.provision_vm"}`, "Workflow stop has no step \"cnapi.provision_vm\""},
		{"/job-faults", `{"step": "no.such_step"}`, `No workflow has a step "no.such_step"`},
		{"/job-faults", `{"server_uuid": "nope"}`, `"server_uuid" "nope" is not a UUID`},
		{"/job-faults", `{"server_uuid": "00000000-0000-0000-0000-000000000000"}`, "no such compute node"},
		{"/job-faults", `{"alias_pattern": "[x"}`, "not a valid pattern"},
		{"/job-faults", `{"times": -1}`, `"times" must be from 0`},
		{"/job-faults", `{"hang": "yes"}`, "hang"},
		{"/job-faults", `{"wokflow": "stop"}`, "wokflow"},
		{"/job-faults", ``, "body is empty"},
		{"/provision-failures", `{"server_uuid": "` + srv[:35] + `"}`, "is not a UUID"},
		{"/provision-failures", `{"alias_pattern": "a[", "times": 1}`, "not a valid pattern"},
		{"/provision-failures", `{"step": "x"}`, "step"},
	} {
		controlError(t, e.ctl.Do("POST", tc.path, tc.body), 400, tc.want)
	}
	if n := len(e.dc.JobFaults()); n != 2 {
		t.Errorf("bad bodies installed faults: %d left, want 2", n)
	}
}

// TestControlLoadDC: a DC description loads over HTTP; a bad one is a 400
// with the reason, counts are capped, and the control API's body limit
// holds.
func TestControlLoadDC(t *testing.T) {
	e := newCtlEnv(t)
	desc := `{"servers": [{"uuid": "11111111-2222-4333-8444-555555555555", "hostname": "cn1", "setup": true, "ram": 131072,
		"sysinfo": {"Admin IP": "10.64.0.77"}}],
	  "vms": [{"uuid": "aaaaaaaa-2222-4333-8444-555555555555", "alias": "db", "brand": "joyent", "state": "running",
		"ram": 2048, "server_uuid": "11111111-2222-4333-8444-555555555555", "owner_uuid": "` + owner + `"}]}`
	e.ctl.Do("POST", "/dc", desc).Expect(200).CheckJSON(`{"loaded": {"nic_tags": 0, "networks": 0, "servers": 1, "vms": 1, "nics": 0}}`)
	p := e.page("")
	if p.Total != 1 || p.Servers[0].Hostname != "cn1" || p.Servers[0].AdminIP != "10.64.0.77" || p.Servers[0].VMs != 1 {
		t.Errorf("loaded DC: %+v", p)
	}
	for _, tc := range []struct{ body, want string }{
		{desc, "LoadDC"}, // the same server again
		{`{"vms": [{"uuid": "bbbbbbbb-2222-4333-8444-555555555555", "server_uuid": "99999999-2222-4333-8444-555555555555"}]}`, "which the description does not have"},
		{`{"servers": [{"uuid": "not-a-uuid"}]}`, "LoadDC: Invalid Parameters (uuid: Invalid UUID)"},
		{`{"servers": {}}`, "servers"},
		{`not json`, "Malformed"},
		{``, "body is empty"},
		{`{"nic_tags": [` + strings.Repeat(`{},`, triton.MaxLoadNetworks) + `{}]}`, "10001 nic_tags; at most 10000"},
	} {
		controlError(t, e.ctl.Do("POST", "/dc", tc.body), 400, tc.want)
	}
	big := `{"servers": [` + strings.Repeat(`{"uuid": "x"},`, mockcloud.ControlMaxBody/14) + `{}]}`
	controlError(t, e.ctl.Do("POST", "/dc", big), 413, "larger than the limit")
}
