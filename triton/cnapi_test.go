package triton_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/triton"
)

func TestServerFieldsAndSysinfo(t *testing.T) {
	e := newEnv(t)
	s, err := e.dc.AddServer(triton.ServerSpec{UUID: "564d4374-d703-b97b-ca9f-7375f05f337c"})
	if err != nil {
		t.Fatal(err)
	}
	r := e.cnapi.Get("/servers/" + s.UUID).Expect(200)
	r.CheckJSON(`{
		"uuid": "564d4374-d703-b97b-ca9f-7375f05f337c", "hostname": "VC564D4374", "datacenter": "coal", "status": "running",
		"setup": true, "setting_up": false, "headnode": false, "reserved": false, "reservoir": false, "ram": 262111,
		"reservation_ratio": 0.15, "traits": {}, "rack_identifier": "", "comments": "", "created": "<any>", "last_boot": "<any>",
		"current_platform": "20200101T000000Z", "boot_platform": "20200101T000000Z", "boot_params": {}, "kernel_flags": {},
		"default_console": "serial", "serial": "ttyb", "system_type": "SunOS", "transitional_status": "",
		"overprovision_ratios": {"ram": 1}, "last_heartbeat": "<any>", "agents": "<any>", "vms": {}, "sysinfo": "<any>",
		"memory_total_bytes": 274843303936, "memory_available_bytes": 274843303936, "memory_arc_bytes": "<any>",
		"memory_provisionable_bytes": "<any>", "disk_pool_size_bytes": 4048006676480, "disk_pool_alloc_bytes": 0,
		"disk_zone_quota_bytes": 0, "disk_zone_quota_used_bytes": 0, "disk_kvm_quota_bytes": 0, "disk_kvm_zvol_volsize_bytes": 0,
		"disk_installed_images_used_bytes": 0, "disk_cores_quota_bytes": 0, "disk_system_used_bytes": 0,
		"unreserved_ram": 222794, "unreserved_disk": 3860480, "unreserved_cpu": 3200
	}`)
	si := r.Object()["sysinfo"].(map[string]any)
	if si["System Type"] != "Virtual" || si["Hostname"] != "VC564D4374" || si["UUID"] != s.UUID {
		t.Errorf("sysinfo = %v", si)
	}
	if disks := si["Disks"].(map[string]any); len(disks) != 16 || len(strings.Split(si["Zpool Disks"].(string), ",")) != 16 {
		t.Errorf("disks = %v", disks)
	}
	// The admin NIC: sysinfo's Admin IP and MAC are NAPI's NIC of the server.
	nics := e.napi.Get("/nics?belongs_to_uuid=" + s.UUID).Expect(200)
	var list []triton.NIC
	nics.Decode(&list)
	dnet0 := si["Network Interfaces"].(map[string]any)["dnet0"].(map[string]any)
	if len(list) != 1 || list[0].IP != si["Admin IP"] || list[0].MAC != dnet0["MAC Address"] || list[0].BelongsToType != "server" ||
		!strings.HasPrefix(list[0].MAC, "00:10:fe:") || list[0].NicTag != "admin" {
		t.Errorf("admin NIC %+v vs sysinfo %v / %v", list, si["Admin IP"], dnet0)
	}
	// The same server renders the same sysinfo: derived, not stored.
	again := e.cnapi.Get("/servers/" + s.UUID).Object()["sysinfo"].(map[string]any)
	if again["Zpool Disks"] != si["Zpool Disks"] {
		t.Error("sysinfo changed between reads")
	}
}

func TestServerListFiltersAndExtras(t *testing.T) {
	e := newEnv(t)
	e.dc.AddServers(5, triton.DefaultProfile())
	hn, _ := e.dc.AddServer(triton.ServerSpec{Headnode: true, Hostname: "headnode"})
	un, _ := e.dc.AddServer(triton.ServerSpec{Unsetup: true})
	for _, tc := range []struct {
		query string
		n     int
	}{
		{"", 7}, {"?headnode=true", 1}, {"?setup=false", 1}, {"?setup=true", 6}, {"?hostname=headnode", 1},
		{"?uuids=" + hn.UUID + "," + un.UUID, 2}, {"?limit=3", 3}, {"?limit=3&offset=5", 2}, {"?reserved=true", 0},
	} {
		var got []map[string]any
		e.cnapi.Get("/servers" + tc.query).Expect(200).Decode(&got)
		if len(got) != tc.n {
			t.Errorf("GET /servers%s: %d servers, want %d", tc.query, len(got), tc.n)
		}
	}
	// No extras: no sysinfo, vms, agents, memory or capacity.
	base := e.cnapi.Get("/servers?limit=1").Body
	for _, k := range []string{"sysinfo", "vms", "agents", "memory_total_bytes", "unreserved_ram"} {
		if strings.Contains(string(base), `"`+k+`"`) {
			t.Errorf("list without extras has %s: %s", k, base)
		}
	}
	withExtras := e.cnapi.Get("/servers?limit=1&extras=agents,capacity").Body
	for _, k := range []string{"agents", "unreserved_ram", "unreserved_cpu"} {
		if !strings.Contains(string(withExtras), `"`+k+`"`) {
			t.Errorf("extras=agents,capacity lacks %s", k)
		}
	}
	checkError(t, e.cnapi.Get("/servers?extras=bogus"), 500, "InvalidParameters")
	checkError(t, e.cnapi.Get("/servers?limit=0"), 500, "InvalidParameters")
	checkError(t, e.cnapi.Get("/servers?setup=maybe"), 500, "InvalidParameters")
	checkError(t, e.cnapi.Get("/servers/00000000-0000-0000-0000-000000000000"), 404, "ResourceNotFound")
	checkError(t, e.cnapi.Get("/nothing"), 404, "ResourceNotFound")
	checkError(t, e.cnapi.Do("PATCH", "/servers", ""), 405, "MethodNotAllowed")
}

// TestHeartbeats: heartbeats are derived from the clock; a CN that stops
// is unknown at the first reconciler tick that finds its last heartbeat
// over 11 s old, and running again on its next heartbeat.
func TestHeartbeats(t *testing.T) {
	e := newEnv(t)
	s, _ := e.dc.AddServer(triton.ServerSpec{})
	status := func() (string, string) {
		var out []triton.Server
		e.cnapi.Get("/servers?extras=status&uuids=" + s.UUID).Expect(200).Decode(&out)
		hb := ""
		if out[0].LastHeartbeat != nil {
			hb = *out[0].LastHeartbeat
		}
		return out[0].Status, hb
	}
	e.dc.Advance(12 * time.Second)
	st, hb := status()
	if st != "running" || hb != e.dc.Now().Add(-2*time.Second).UTC().Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("after 12 s: %s, last %s (now %s)", st, hb, e.dc.Now())
	}
	stop := e.dc.Now() // 12 s: the last heartbeat was at 10 s
	if err := e.dc.StopHeartbeats(s.UUID, stop); err != nil {
		t.Fatal(err)
	}
	e.dc.Advance(8 * time.Second) // 20 s: tick at 20, last 10: 10 s old
	if st, _ := status(); st != "running" {
		t.Errorf("10 s after the last heartbeat: %s, want running", st)
	}
	e.dc.Advance(5 * time.Second) // 25 s: tick at 25, 15 s old
	if st, hb := status(); st != "unknown" || !strings.HasSuffix(hb, ":10.000Z") {
		t.Errorf("15 s after the last heartbeat: %s (last %s), want unknown", st, hb)
	}
	if err := e.dc.ResumeHeartbeats(s.UUID, e.dc.Now().Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	e.dc.Advance(time.Second)
	if st, _ := status(); st != "unknown" {
		t.Errorf("before the next heartbeat: %s", st)
	}
	e.dc.Advance(time.Second)
	if st, _ := status(); st != "running" {
		t.Errorf("on the next heartbeat: %s, want running", st)
	}
	// A heartbeat posted over HTTP revives a silent CN too.
	e.dc.StopHeartbeats(s.UUID, e.dc.Now())
	e.dc.Advance(time.Minute)
	if st, _ := status(); st != "unknown" {
		t.Errorf("a minute silent: %s", st)
	}
	e.cnapi.Do("POST", "/servers/"+s.UUID+"/events/heartbeat", "").Expect(204)
	if st, _ := status(); st != "running" {
		t.Errorf("after POST events/heartbeat: %s", st)
	}
	e.cnapi.Do("POST", "/servers/"+s.UUID+"/events/status", `{"vms":{}}`).Expect(204)
	checkError(t, e.cnapi.Do("POST", "/servers/"+s.UUID+"/events/status", `{`), 400, "InvalidContent")
}

func TestServerReboot(t *testing.T) {
	e := newEnv(t)
	s, _ := e.dc.AddServer(triton.ServerSpec{})
	e.dc.Advance(10 * time.Second)
	var acc struct {
		JobUUID string `json:"job_uuid"`
	}
	e.cnapi.Do("POST", "/servers/"+s.UUID+"/reboot", "").Expect(202).Decode(&acc)
	e.dc.Advance(30 * time.Second)
	got, _ := e.dc.Server(s.UUID)
	if got.Status != "rebooting" || got.TransitionalStatus != "rebooting" {
		t.Errorf("mid-reboot: status %q transitional %q", got.Status, got.TransitionalStatus)
	}
	e.dc.Advance(40 * time.Second)
	got, _ = e.dc.Server(s.UUID)
	if got.Status != "running" || got.TransitionalStatus != "" || got.LastBoot == got.Created {
		t.Errorf("after the boot: %+v", got)
	}
	var job triton.Job
	e.vmapiOrCNAPIJob(acc.JobUUID, &job)
	if job.Name != "server-reboot-1.0.0" || job.Execution != "succeeded" {
		t.Errorf("reboot job = %s %s", job.Name, job.Execution)
	}
}

func (e *env) vmapiOrCNAPIJob(uuid string, out *triton.Job) {
	e.t.Helper()
	e.cnapi.Get("/jobs/" + uuid).Expect(200).Decode(out)
}

func TestServerSetupUpdateDelete(t *testing.T) {
	e := newEnv(t, triton.WithDurations(triton.Instant()))
	s, _ := e.dc.AddServer(triton.ServerSpec{Unsetup: true})
	checkError(t, e.vmapi.Do("POST", "/vms", vmBody("a", 128)), 409, "NoAllocatableServersError")
	e.cnapi.Do("PUT", "/servers/"+s.UUID+"/setup", `{"hostname":"cn1"}`).Expect(202)
	got, _ := e.dc.Server(s.UUID)
	if !got.Setup || got.Hostname != "cn1" {
		t.Errorf("after setup: setup %v hostname %s", got.Setup, got.Hostname)
	}
	checkError(t, e.cnapi.Do("PUT", "/servers/"+s.UUID+"/setup", ""), 409, "InvalidArgument")
	e.cnapi.Do("POST", "/servers/"+s.UUID, `{"reserved":true,"rack_identifier":"r1","traits":{"ssd":true}}`).Expect(204)
	got, _ = e.dc.Server(s.UUID)
	if !got.Reserved || got.RackIdentifier != "r1" || got.Traits["ssd"] != true {
		t.Errorf("after update: %+v", got)
	}
	checkError(t, e.vmapi.Do("POST", "/vms", vmBody("a", 128)), 409, "NoAllocatableServersError")
	checkError(t, e.cnapi.Do("POST", "/servers/"+s.UUID, `{"uuid":"x"}`), 500, "InvalidParameters")
	e.cnapi.Do("PUT", "/servers/"+s.UUID+"/factory-reset", "").Expect(202)
	if got, _ = e.dc.Server(s.UUID); got.Setup {
		t.Error("factory reset left the server set up")
	}
	e.cnapi.Do("DELETE", "/servers/"+s.UUID, "").Expect(204)
	checkError(t, e.cnapi.Get("/servers/"+s.UUID), 404, "ResourceNotFound")
	if nics := e.dc.NICs(s.UUID); len(nics) != 0 {
		t.Errorf("a deleted server keeps NICs %v", nics)
	}
}

func TestAgentsTasks(t *testing.T) {
	e := newEnv(t)
	s, _ := e.dc.AddServer(triton.ServerSpec{})
	var task struct {
		ID string `json:"id"`
	}
	e.cnapi.Do("POST", "/servers/"+s.UUID+"/install-agent", `{"image_uuid":"11111111-2222-4333-8444-555555555555","package_name":"cmon-agent","version":"1.2.3"}`).Expect(200).Decode(&task)
	e.cnapi.Get("/tasks/" + task.ID).Expect(200).CheckJSON(`{"id":"<any>","task":"agent_install","server_uuid":"` + s.UUID + `","status":"active","timestamp":"<any>","history":"<any>","progress":0}`)
	e.dc.Advance(2 * time.Second)
	e.cnapi.Get("/tasks/" + task.ID + "/wait").Expect(200).CheckJSON(`{"id":"<any>","task":"agent_install","server_uuid":"<any>","status":"complete","timestamp":"<any>","history":"<any>","progress":100}`)
	has := func(name string) bool {
		got, _ := e.dc.Server(s.UUID)
		for _, a := range *got.Agents {
			if a.Name == name {
				return true
			}
		}
		return false
	}
	if !has("cmon-agent") || !has("vm-agent") {
		t.Error("install-agent did not add cmon-agent")
	}
	e.cnapi.Do("POST", "/servers/"+s.UUID+"/uninstall-agents", `{"agents":["vm-agent"]}`).Expect(200)
	e.dc.Advance(2 * time.Second)
	if has("vm-agent") {
		t.Error("uninstall-agents left vm-agent")
	}
	checkError(t, e.cnapi.Do("POST", "/servers/"+s.UUID+"/install-agent", `{}`), 409, "MissingParameter")
	checkError(t, e.cnapi.Get("/tasks/nope"), 404, "ResourceNotFound")
	var hist []triton.Task
	e.cnapi.Get("/servers/" + s.UUID + "/task-history").Expect(200).Decode(&hist)
	if len(hist) != 2 {
		t.Errorf("task history has %d tasks", len(hist))
	}
}

func TestWaitlistTickets(t *testing.T) {
	e := newEnv(t)
	s, _ := e.dc.AddServer(triton.ServerSpec{})
	body := `{"scope":"vm","id":"nuts","expires_at":"2030-10-10T00:00:00"}`
	var a, b struct {
		UUID string `json:"uuid"`
	}
	e.cnapi.Do("POST", "/servers/"+s.UUID+"/tickets", body).Expect(202).Decode(&a)
	e.cnapi.Do("POST", "/servers/"+s.UUID+"/tickets", body).Expect(202).Decode(&b)
	var list []triton.Ticket
	e.cnapi.Get("/servers/" + s.UUID + "/tickets").Expect(200).Decode(&list)
	if len(list) != 2 || list[0].Status != "active" || list[1].Status != "queued" {
		t.Fatalf("tickets = %+v", list)
	}
	e.cnapi.Get("/tickets/" + a.UUID + "/wait").Expect(204)
	checkError(t, e.cnapi.Get("/tickets/"+b.UUID+"/wait"), 409, "TicketNotActive")
	e.cnapi.Do("PUT", "/tickets/"+a.UUID+"/release", "").Expect(204)
	var tk triton.Ticket
	e.cnapi.Get("/tickets/" + b.UUID).Expect(200).Decode(&tk)
	if tk.Status != "active" {
		t.Errorf("after release the next ticket is %s", tk.Status)
	}
	e.cnapi.Do("DELETE", "/tickets/"+b.UUID, "").Expect(204)
	checkError(t, e.cnapi.Get("/tickets/"+b.UUID), 404, "ResourceNotFound")
	r := e.cnapi.Do("POST", "/servers/"+s.UUID+"/tickets", `{"scope":"vm"}`)
	checkError(t, r, 500, "InvalidParameters")
	r.CheckJSON(`{"code":"InvalidParameters","message":"Request parameters failed validation","errors":[{"field":"expires_at","code":"Invalid","message":"Missing parameter"},{"field":"id","code":"Invalid","message":"Missing parameter"}]}`)
}

func TestAllocateCapacityBootPlatforms(t *testing.T) {
	e := newEnv(t)
	small := triton.DefaultProfile()
	small.RAMMiB = 4096
	ids := e.dc.AddServers(1, small)
	big, _ := e.dc.AddServer(triton.ServerSpec{})
	r := e.cnapi.Do("POST", "/allocate", `{"vm":{"ram":1024,"owner_uuid":"`+owner+`"},"package":{},"image":{}}`).Expect(200)
	if got := r.Object()["server"].(map[string]any)["uuid"]; got != big.UUID {
		t.Errorf("allocated %v, want the emptiest %s", got, big.UUID)
	}
	r = e.cnapi.Do("POST", "/allocate", `{"vm":{"ram":1024},"servers":["`+ids[0]+`"]}`).Expect(200)
	if got := r.Object()["server"].(map[string]any)["uuid"]; got != ids[0] {
		t.Errorf("allocated %v among [%s]", got, ids[0])
	}
	checkError(t, e.cnapi.Do("POST", "/allocate", `{"vm":{"ram":999999}}`), 409, "NoAllocatableServersError")
	checkError(t, e.cnapi.Do("POST", "/allocate", `{"vm":{}}`), 500, "InvalidParameters")
	r = e.cnapi.Do("POST", "/capacity", `{"servers":["`+ids[0]+`"]}`).Expect(200)
	r.CheckJSON(`{"capacities":{"` + ids[0] + `":{"ram":3481,"cpu":3200,"disk":3860480}}}`)
	e.cnapi.Do("PUT", "/boot/"+big.UUID, `{"platform":"20300101T000000Z","kernel_args":{"rabbitmq":"guest"}}`).Expect(204)
	e.cnapi.Get("/boot/" + big.UUID).Expect(200).CheckJSON(`{"platform":"20300101T000000Z","kernel_args":{"rabbitmq":"guest","hostname":"<any>"},"kernel_flags":{},"boot_modules":[],"default_console":"serial","serial":"ttyb"}`)
	e.cnapi.Get("/platforms").Expect(200).CheckJSON(`{"20200101T000000Z":{},"20300101T000000Z":{"latest":true}}`)
	e.cnapi.Get("/ping").Expect(200)
	checkError(t, e.cnapi.Get("/boot/00000000-0000-0000-0000-000000000000"), 404, "ResourceNotFound")
}

func TestUpdateServerNics(t *testing.T) {
	e := newEnv(t, triton.WithDurations(triton.Instant()))
	s, _ := e.dc.AddServer(triton.ServerSpec{})
	mac := e.dc.NICs(s.UUID)[0].MAC
	e.cnapi.Do("PUT", "/servers/"+s.UUID+"/nics", `{"action":"update","nics":[{"mac":"`+mac+`","nic_tags_provided":["external"]}]}`).Expect(202)
	var nic triton.NIC
	e.napi.Get("/nics/" + strings.ReplaceAll(mac, ":", "")).Expect(200).Decode(&nic)
	if strings.Join(nic.NicTagsProvided, ",") != "admin,external" {
		t.Errorf("after update: %v", nic.NicTagsProvided)
	}
	e.cnapi.Do("PUT", "/servers/"+s.UUID+"/nics", `{"action":"delete","nics":[{"mac":"`+mac+`","nic_tags_provided":["external"]}]}`).Expect(202)
	e.napi.Get("/nics/" + mac).Expect(200).Decode(&nic)
	if strings.Join(nic.NicTagsProvided, ",") != "admin" {
		t.Errorf("after delete: %v", nic.NicTagsProvided)
	}
	// A new MAC is an external NIC of the server.
	e.cnapi.Do("PUT", "/servers/"+s.UUID+"/nics", `{"action":"replace","nics":[{"mac":"00:10:fe:ff:00:01","nic_tags_provided":["external"]}]}`).Expect(202)
	if nics := e.dc.NICs(s.UUID); len(nics) != 2 || nics[1].NicTagsProvided[0] != "external" {
		t.Errorf("NICs = %+v", nics)
	}
	checkError(t, e.cnapi.Do("PUT", "/servers/"+s.UUID+"/nics", `{"action":"explode","nics":[]}`), 500, "InvalidParameters")
	checkError(t, e.cnapi.Do("PUT", "/servers/"+s.UUID+"/nics", `{"action":"update","nics":[{"mac":"`+mac+`","nic_tags_provided":["nope"]}]}`), 500, "InvalidParameters")
}

func TestOpsNamed(t *testing.T) {
	e := newEnv(t)
	ops := strings.Join(e.dc.Ops(), " ")
	for _, op := range []string{triton.OpVMAPIVMsList, triton.OpCNAPIServersGet, triton.OpNAPINicsList, triton.OpCloudAPIPing,
		triton.OpVMAPIVMsAction + ".start", triton.OpVMAPIVMsAction + ".create_snapshot"} {
		if !strings.Contains(ops, op) {
			t.Errorf("Ops lacks %s", op)
		}
	}
	e.cnapi.Get("/ping")
	e.vmapi.Get("/ping")
	reqs := e.dc.Requests()
	if len(reqs) != 2 || reqs[0].Region != triton.CNAPI || reqs[1].Op != triton.OpVMAPIPing {
		t.Errorf("journal = %+v", reqs)
	}
	_ = kittest.AnyValue
	_ = http.StatusOK
}
