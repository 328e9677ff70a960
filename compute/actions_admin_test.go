package compute_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/compute"
)

// TestEvacuate: refused while the host's compute service is up; once it
// is forced down, the server is rebuilt on another host, with an
// evacuation migration; admin only; adminPass before 2.14.
func TestEvacuate(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0", "compute-1"))
	adm := a.admin()
	id := a.server("victim") // compute-0
	a.advance(30 * time.Second)

	a.action(id, `{"evacuate":{}}`, 400) // onSharedStorage is required before 2.14
	a.at("2.14").action(id, `{"evacuate":{}}`, 403)
	adm.at("2.14").action(id, `{"evacuate":{"host":"nowhere"}}`, 404).fault(t, 404, "Compute host nowhere not found.")
	adm.at("2.14").action(id, `{"evacuate":{"host":"compute-0"}}`, 400).fault(t, 400, "The target host can't be the same one.")
	adm.at("2.14").action(id, `{"evacuate":{}}`, 400).fault(t, 400, "Compute service of compute-0 is still in use.")
	adm.at("2.29").action(id, `{"evacuate":{"force":true}}`, 400).fault(t, 400, "Can't force to a non-provided destination")

	adm.at("2.11").do("PUT", "/os-services/force-down", `{"host":"compute-0","binary":"nova-compute","forced_down":true}`).status1(t, 200)
	r := adm.action(id, `{"evacuate":{"onSharedStorage":false,"adminPass":"MySecretPass"}}`, 200)
	r.want(t, 200, `{"adminPass":"MySecretPass"}`)
	srv := adm.get("/servers/" + id).obj(t)["server"].(map[string]any)
	if srv["status"] != "REBUILD" || srv["OS-EXT-SRV-ATTR:host"] != "compute-1" {
		t.Errorf("evacuating server: %v on %v", srv["status"], srv["OS-EXT-SRV-ATTR:host"])
	}
	a.advance(30 * time.Second)
	if st := a.get("/servers/" + id).obj(t)["server"].(map[string]any)["status"]; st != "ACTIVE" {
		t.Errorf("after the rebuild: %v", st)
	}
	if ms := adm.at("2.23").migrations("?migration_type=evacuation"); len(ms) != 1 || ms[0]["status"] != "done" {
		t.Errorf("evacuation migration: %v", ms)
	}
	// From 2.14 the answer has no body; 2.95 leaves the server stopped.
	adm.at("2.11").do("PUT", "/os-services/force-down", `{"host":"compute-1","binary":"nova-compute","forced_down":true}`).status1(t, 200)
	adm.at("2.11").do("PUT", "/os-services/force-down", `{"host":"compute-0","binary":"nova-compute","forced_down":false}`).status1(t, 200)
	adm.at("2.95").action(id, `{"evacuate":{}}`, 200).want(t, 200, "")
	a.advance(30 * time.Second)
	if st := a.get("/servers/" + id).obj(t)["server"].(map[string]any)["status"]; st != "SHUTOFF" {
		t.Errorf("after a 2.95 evacuation: %v", st)
	}
}

func TestTriggerCrashDumpAndInjectNetworkInfo(t *testing.T) {
	a := newXAPIWithTokens(t)
	id := a.server("crashy")
	a.at("2.17").action(id, `{"trigger_crash_dump":null}`, 409).fault(t, 409,
		"Cannot 'trigger_crash_dump' instance "+id+" while it is in vm_state building")
	a.advance(30 * time.Second)
	a.at("2.16").action(id, `{"trigger_crash_dump":null}`, 404)
	a.at("2.17").action(id, `{"trigger_crash_dump":{}}`, 400)
	a.at("2.17").action(id, `{"trigger_crash_dump":null}`).want(t, 202, "")

	a.action(id, `{"injectNetworkInfo":null}`, 403).fault(t, 403, "Policy doesn't allow os_compute_api:os-admin-actions:inject_network_info to be performed.")
	a.admin().action(id, `{"injectNetworkInfo":null}`).want(t, 202, "")
}

func TestFixedIPActions(t *testing.T) {
	a := newXAPI(t)
	id := a.server("multi")
	a.advance(30 * time.Second)
	count := func() int {
		return len(a.get("/servers/" + id + "/ips/private").obj(t)["private"].([]any))
	}
	before := count()
	a.action(id, `{"addFixedIp":{"networkId":1}}`).want(t, 202, "")
	if count() != before+1 {
		t.Fatalf("addFixedIp: %d addresses, want %d", count(), before+1)
	}
	addrs := a.get("/servers/" + id + "/ips/private").obj(t)["private"].([]any)
	added := addrs[len(addrs)-1].(map[string]any)["addr"].(string)
	a.action(id, `{"removeFixedIp":{"address":"`+added+`"}}`).want(t, 202, "")
	if count() != before {
		t.Errorf("removeFixedIp: %d addresses, want %d", count(), before)
	}
	a.action(id, `{"removeFixedIp":{"address":"10.9.9.9"}}`, 400).fault(t, 400, "Instance "+id+" does not have fixed IP '10.9.9.9'.")
	a.action(id, `{"addFixedIp":{}}`, 400)
	a.at("2.44").action(id, `{"addFixedIp":{"networkId":1}}`, 404)
	a.at("2.44").action(id, `{"removeFixedIp":{"address":"`+added+`"}}`, 404)
}

// TestSoftDeleteRestore: with reclaim_instance_interval, DELETE
// soft-deletes; restore brings the server back; forceDelete deletes it;
// left alone, it is reclaimed after the interval. Without it, restore is
// refused in any state (409) and an unknown server is 404.
func TestSoftDeleteRestore(t *testing.T) {
	a := newXAPI(t, compute.WithReclaimInstanceInterval(time.Hour))
	id := a.server("phoenix")
	a.advance(30 * time.Second)
	a.action(id, `{"restore":null}`, 409).fault(t, 409, "Cannot 'restore' instance "+id+" while it is in vm_state active")
	a.do("DELETE", "/servers/"+id, "").want(t, 204, "")
	a.advance(3 * time.Second)
	srv := a.get("/servers/" + id).obj(t)["server"].(map[string]any)
	if srv["status"] != "SOFT_DELETED" || srv["OS-EXT-STS:vm_state"] != "soft-delete" {
		t.Fatalf("after DELETE: %v %v", srv["status"], srv["OS-EXT-STS:vm_state"])
	}
	// A soft-deleted server holds no quota.
	r := a.get("/os-quota-sets/p/detail")
	r.status1(t, 200)
	if used := r.obj(t)["quota_set"].(map[string]any)["instances"].(map[string]any)["in_use"]; used != 0.0 {
		t.Errorf("instances in use = %v, want 0", used)
	}
	a.action(id, `{"restore":null}`).want(t, 202, "")
	a.advance(5 * time.Second)
	if st := a.get("/servers/" + id).obj(t)["server"].(map[string]any)["status"]; st != "ACTIVE" {
		t.Errorf("after restore: %v", st)
	}
	// The first soft delete's reclaim does not fire after the restore.
	a.advance(2 * time.Hour)
	a.get("/servers/"+id).status1(t, 200)

	a.do("DELETE", "/servers/"+id, "").status1(t, 204)
	a.advance(3 * time.Second)
	a.action(id, `{"forceDelete":null}`).want(t, 202, "")
	a.get("/servers/"+id).fault(t, 404, "Instance "+id+" could not be found.")

	other := a.server("reclaimed")
	a.advance(30 * time.Second)
	a.do("DELETE", "/servers/"+other, "").status1(t, 204)
	a.advance(time.Hour + 3*time.Second)
	a.get("/servers/"+other).fault(t, 404, "Instance "+other+" could not be found.")

	b := newXAPI(t)
	b.action("nope", `{"restore":null}`, 404).fault(t, 404, "Instance nope could not be found.")
	plain := b.server("plain")
	b.advance(30 * time.Second)
	b.do("DELETE", "/servers/"+plain, "").status1(t, 204)
	b.advance(3 * time.Second)
	b.get("/servers/"+plain).fault(t, 404, "Instance "+plain+" could not be found.")
}

func TestQuotaClassSets(t *testing.T) {
	a := newXAPIWithTokens(t)
	adm := a.admin()
	a.get("/os-quota-class-sets/default").fault(t, 403, "Policy doesn't allow os_compute_api:os-quota-class-sets:show to be performed.")
	adm.get("/os-quota-class-sets/default").want(t, 200, `{"quota_class_set":{"cores":20,"fixed_ips":-1,"floating_ips":-1,"id":"default",
		"injected_file_content_bytes":10240,"injected_file_path_bytes":255,"injected_files":5,"instances":10,"key_pairs":100,
		"metadata_items":128,"ram":51200,"security_group_rules":-1,"security_groups":-1}}`)
	adm.at("2.50").get("/os-quota-class-sets/default").want(t, 200, `{"quota_class_set":{"cores":20,"id":"default",
		"injected_file_content_bytes":10240,"injected_file_path_bytes":255,"injected_files":5,"instances":10,"key_pairs":100,
		"metadata_items":128,"ram":51200,"server_groups":10,"server_group_members":10}}`)
	v := adm.at("2.57")
	v.get("/os-quota-class-sets/default").want(t, 200, `{"quota_class_set":{"cores":20,"id":"default","instances":10,"key_pairs":100,
		"metadata_items":128,"ram":51200,"server_groups":10,"server_group_members":10}}`)
	v.do("PUT", "/os-quota-class-sets/default", `{"quota_class_set":{"instances":50,"cores":50}}`).want(t, 200,
		`{"quota_class_set":{"cores":50,"instances":50,"key_pairs":100,"metadata_items":128,"ram":51200,"server_groups":10,"server_group_members":10}}`)
	v.do("PUT", "/os-quota-class-sets/default", `{"quota_class_set":{"injected_files":5}}`).status1(t, 400)
	a.at("2.57").do("PUT", "/os-quota-class-sets/default", `{"quota_class_set":{"cores":5}}`).fault(t, 403,
		"Policy doesn't allow os_compute_api:os-quota-class-sets:update to be performed.")
	// The default class is every project's default.
	r := a.get("/os-quota-sets/p")
	r.status1(t, 200)
	if n := r.obj(t)["quota_set"].(map[string]any)["instances"]; n != 50.0 {
		t.Errorf("project quota after the class update: %v", n)
	}
}

func TestConsoleAuthTokens(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0"))
	id := a.server("console")
	a.advance(30 * time.Second)
	r := a.at("2.6").do("POST", "/servers/"+id+"/remote-consoles", `{"remote_console":{"protocol":"serial","type":"serial"}}`)
	r.status1(t, 200)
	u := r.obj(t)["remote_console"].(map[string]any)["url"].(string)
	token := u[strings.Index(u, "token=")+len("token="):]
	adm := a.admin()
	adm.at("2.31").get("/os-console-auth-tokens/"+token).want(t, 200,
		`{"console":{"instance_uuid":"`+id+`","host":"192.168.100.10","port":10000,"internal_access_path":null}}`)
	adm.at("2.31").get("/os-console-auth-tokens/nope").fault(t, 404, "Token not found")
	adm.get("/os-console-auth-tokens/"+token).status1(t, 400)
	a.at("2.31").get("/os-console-auth-tokens/"+token).fault(t, 403, "Policy doesn't allow os_compute_api:os-console-auth-tokens to be performed.")
}

func TestServerTopology(t *testing.T) {
	a := newXAPIWithTokens(t)
	id := a.server("plain")
	a.get("/servers/"+id+"/topology").fault(t, 404, "The resource could not be found.")
	a.at("2.78").get("/servers/"+id+"/topology").want(t, 200, `{"nodes":[],"pagesize_kb":null}`)
	adm := a.admin()
	adm.do("POST", "/flavors", `{"flavor":{"name":"numa","ram":2048,"vcpus":4,"disk":10,"id":"numa"}}`).status1(t, 200)
	adm.do("POST", "/flavors/numa/os-extra_specs", `{"extra_specs":{"hw:numa_nodes":"2"}}`).status1(t, 200)
	numa := a.serverOf("numa", "numa")
	a.at("2.78").get("/servers/"+numa+"/topology").want(t, 200, `{"nodes":[
		{"memory_mb":1024,"siblings":[[0],[1]],"vcpu_set":[0,1]},
		{"memory_mb":1024,"siblings":[[2],[3]],"vcpu_set":[2,3]}],"pagesize_kb":null}`)
	adm.at("2.78").get("/servers/"+numa+"/topology").want(t, 200, `{"nodes":[
		{"memory_mb":1024,"siblings":[[0],[1]],"vcpu_set":[0,1],"host_node":0,"cpu_pinning":{}},
		{"memory_mb":1024,"siblings":[[2],[3]],"vcpu_set":[2,3],"host_node":1,"cpu_pinning":{}}],"pagesize_kb":null}`)
}

func TestServerExternalEvents(t *testing.T) {
	a := newXAPIWithTokens(t)
	id := a.server("evented")
	a.advance(30 * time.Second)
	body := `{"events":[{"name":"network-changed","server_uuid":"` + id + `","tag":"foo"}]}`
	a.do("POST", "/os-server-external-events", body).fault(t, 403, "Policy doesn't allow os_compute_api:os-server-external-events:create to be performed.")
	adm := a.admin()
	adm.do("POST", "/os-server-external-events", body).want(t, 200,
		`{"events":[{"code":200,"name":"network-changed","server_uuid":"`+id+`","status":"completed","tag":"foo"}]}`)
	missing := "00000000-0000-4000-8000-000000000000"
	adm.do("POST", "/os-server-external-events", `{"events":[
		{"name":"network-changed","server_uuid":"`+id+`"},
		{"name":"network-vif-plugged","server_uuid":"`+missing+`","status":"failed"}]}`).want(t, 207, `{"events":[
		{"code":200,"name":"network-changed","server_uuid":"`+id+`","status":"completed"},
		{"code":404,"name":"network-vif-plugged","server_uuid":"`+missing+`","status":"failed"}]}`)
	adm.do("POST", "/os-server-external-events", `{"events":[{"name":"volume-extended","server_uuid":"`+id+`"}]}`).status1(t, 400)
	adm.at("2.51").do("POST", "/os-server-external-events", `{"events":[{"name":"volume-extended","server_uuid":"`+id+`"}]}`).want(t, 207,
		`{"events":[{"code":400,"name":"volume-extended","server_uuid":"`+id+`","status":"failed"}]}`)
	adm.do("POST", "/os-server-external-events", `{"events":[]}`).status1(t, 400)
	adm.do("POST", "/os-server-external-events", `{"events":[{"name":"network-changed","server_uuid":"x"}]}`).status1(t, 400)
}
