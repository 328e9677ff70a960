package triton

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/triton/tritontest"
)

func TestCloudAPIMachineLifecycle(t *testing.T) {
	e := newCloudEnv(t)
	var imgs []Image
	e.api.Get("/alice/images?name=base-64-lts").Expect(200).Decode(&imgs)
	body := `{"name":"web-{{shortId}}","package":"sample-512M","image":"` + imgs[0].ID + `","tag.role":"web","metadata.color":"blue","deletion_protection":true}`
	expectCode(t, e.api.Do("POST", "/alice/machines", body), 409, "KeyRequired")
	e.api.Do("POST", "/alice/keys", `{"key":"`+e.line+`"}`).Expect(201)
	expectCode(t, e.api.Do("POST", "/alice/machines", `{"package":"sample-1G"}`), 409, "MissingParameter")
	var m Machine
	r := e.api.Do("POST", "/alice/machines", body).Expect(201)
	r.Decode(&m)
	if m.State != "provisioning" || m.Name != "web-"+m.ID[:8] || m.Package != "sample-512M" || m.Memory != 512 ||
		m.Tags["role"] != "web" || m.Metadata["color"] != "blue" || !m.DeletionProtection || m.Type != "smartmachine" ||
		r.Header.Get("Location") != "/alice/machines/"+m.ID {
		t.Fatalf("created = %+v", m)
	}
	expectCode(t, e.api.Do("POST", "/alice/machines/"+m.ID+"?action=stop", ""), 409, "UnallocatedVM")
	e.dc.Advance(time.Minute)
	e.api.Get("/alice/machines/" + m.ID).Expect(200).Decode(&m)
	if m.State != "running" || len(m.IPs) != 1 || m.PrimaryIP == "" || m.Networks == nil || len(*m.Networks) != 1 || m.ComputeNode == "" {
		t.Fatalf("running = %+v", m)
	}
	var old Machine
	e.api.Get("/alice/machines/"+m.ID, "Accept-Version", "~7.0").Expect(200).Decode(&old)
	if old.Networks != nil {
		t.Errorf("~7.0 machine has networks: %+v", old.Networks)
	}
	var list []Machine
	lr := e.api.Get("/alice/machines?tag.role=web&state=running").Expect(200)
	lr.Decode(&list)
	if len(list) != 1 || lr.Header.Get("x-resource-count") != "1" || lr.Header.Get("x-query-limit") != "1000" {
		t.Errorf("list = %d, headers %v", len(list), lr.Header)
	}
	e.api.Get("/alice/machines?tag.role=db").Expect(200).Decode(&list)
	if len(list) != 0 {
		t.Errorf("tag.role=db listed %d", len(list))
	}
	expectCode(t, e.api.Get("/alice/machines?state=bogus"), 409, "InvalidArgument")
	for _, a := range []string{"stop", "start", "rename&name=renamed", "enable_firewall"} {
		r := e.api.Do("POST", "/alice/machines/"+m.ID+"?action="+a, "").Expect(202)
		if len(r.Body) != 0 {
			t.Errorf("%s body = %s", a, r.Body)
		}
		e.dc.Advance(time.Minute)
	}
	e.api.Get("/alice/machines/" + m.ID).Expect(200).Decode(&m)
	if m.Name != "renamed" || !m.FirewallEnabled || m.State != "running" {
		t.Errorf("after actions = %+v", m)
	}
	var tags map[string]any
	e.api.Do("POST", "/alice/machines/"+m.ID+"/tags", `{"tier":"front"}`).Expect(200).Decode(&tags)
	if tags["tier"] != "front" || tags["role"] != "web" {
		t.Errorf("tags answer = %v", tags)
	}
	var now map[string]any
	e.api.Get("/alice/machines/" + m.ID + "/tags").Expect(200).Decode(&now)
	if _, ok := now["tier"]; ok {
		t.Errorf("tag landed before its job ended: %v", now)
	}
	e.dc.Advance(time.Minute)
	if got := e.api.Get("/alice/machines/" + m.ID + "/tags/tier").Expect(200).String(); got != `"front"` {
		t.Errorf("tag value = %s", got)
	}
	e.api.Do("POST", "/alice/machines/"+m.ID+"/metadata", `{"size":3}`).Expect(200)
	e.dc.Advance(time.Minute)
	if got := e.api.Get("/alice/machines/" + m.ID + "/metadata/size").Expect(200).String(); got != `"3"` {
		t.Errorf("metadata value = %s", got)
	}
	var snap MachineSnapshot
	e.api.Do("POST", "/alice/machines/"+m.ID+"/snapshots", `{"name":"s1"}`).Expect(201).Decode(&snap)
	if snap.State != "queued" {
		t.Errorf("snapshot = %+v", snap)
	}
	e.dc.Advance(time.Minute)
	e.api.Get("/alice/machines/" + m.ID + "/snapshots/s1").Expect(200).Decode(&snap)
	if snap.State != "created" {
		t.Errorf("snapshot = %+v", snap)
	}
	e.api.Do("POST", "/alice/machines/"+m.ID+"/snapshots/s1", "").Expect(202)
	var nics []MachineNIC
	e.api.Get("/alice/machines/" + m.ID + "/nics").Expect(200).Decode(&nics)
	if len(nics) != 1 || !nics[0].Primary || nics[0].State != "running" {
		t.Errorf("nics = %+v", nics)
	}
	var audit []AuditEntry
	e.api.Get("/alice/machines/" + m.ID + "/audit").Expect(200).Decode(&audit)
	if len(audit) < 5 || audit[len(audit)-1].Action != "provision" {
		t.Errorf("audit = %+v", audit)
	}
	expectCode(t, e.api.Do("DELETE", "/alice/machines/"+m.ID, ""), 409, "CannotDestroyMachineError")
	e.api.Do("POST", "/alice/machines/"+m.ID+"?action=disable_deletion_protection", "").Expect(202)
	e.dc.Advance(time.Minute)
	e.api.Do("DELETE", "/alice/machines/"+m.ID, "").Expect(204)
	e.dc.Advance(time.Minute)
	e.api.Get("/alice/machines/" + m.ID).Expect(410).Decode(&m)
	if m.State != "deleted" {
		t.Errorf("gone = %+v", m)
	}
	e.api.Get("/alice/machines").Expect(200).Decode(&list)
	if len(list) != 0 {
		t.Errorf("deleted machine listed")
	}
	e.api.Get("/alice/machines?tombstone=true").Expect(200).Decode(&list)
	if len(list) != 1 {
		t.Errorf("tombstone listed %d", len(list))
	}
}

func TestCloudAPIMachineShape(t *testing.T) {
	e := newCloudEnv(t)
	m := e.running(t, "", `,"name":"web","tag.role":"web","tag.n":3,"metadata.color":"blue","metadata.n":3,"firewall_enabled":true`)
	e.api.Get("/alice/machines/" + m.ID).Expect(200).CheckJSON(`{"id":"<any>","name":"web","type":"smartmachine","brand":"joyent",
		"state":"running","image":"<any>","ips":["10.128.0.10"],"memory":512,"disk":25600,"deletion_protection":false,
		"metadata":{"color":"blue","n":"3","root_authorized_keys":"<any>"},"tags":{"role":"web","n":3},
		"created":"2026-01-01T00:00:00.000Z","updated":"2026-01-01T00:00:06.500Z","networks":["<any>"],"primaryIp":"10.128.0.10",
		"nics":[{"ip":"10.128.0.10","mac":"<any>","primary":true,"netmask":"255.255.0.0","gateway":"10.128.0.1","state":"running","network":"<any>"}],
		"firewall_enabled":true,"compute_node":"<any>","package":"sample-512M"}`)
	// the VM behind it is VMAPI's, owned by the account
	alice, _ := e.dc.Account("alice")
	vm, _ := e.dc.VM(m.ID)
	if vm.OwnerUUID != alice.UUID || vm.RAM != 512 || vm.Quota != 25 || vm.Alias != "web" {
		t.Errorf("VMAPI VM = %+v", vm)
	}
}

func TestCloudAPIMachineCreateRules(t *testing.T) {
	e := newCloudEnv(t)
	e.api.Do("POST", "/alice/keys", `{"key":"`+e.line+`"}`).Expect(201)
	var imgs []Image
	e.api.Get("/alice/images").Expect(200).Decode(&imgs)
	byName := map[string]string{}
	for _, im := range imgs {
		byName[im.Name] = im.ID
	}
	expectCode(t, e.api.Do("POST", "/alice/machines", `{"image":"`+byName["base-64-lts"]+`","package":"nope"}`), 409, "InvalidArgument")
	expectCode(t, e.api.Do("POST", "/alice/machines", `{"image":"`+adminUUID+`"}`), 409, "InvalidArgument")
	expectCode(t, e.api.Do("POST", "/alice/machines", `{"image":"`+byName["base-64-lts"]+`","networks":["`+e.dc.Networks()[0].UUID+`"]}`), 409, "InvalidArgument")
	expectCode(t, e.api.Do("POST", "/alice/machines", `{"image":`), 400, "InvalidContent")
	var m Machine
	// no package: the default one; no name: the short ID
	e.api.Do("POST", "/alice/machines", `{"image":"`+byName["base-64-lts"]+`"}`).Expect(201).Decode(&m)
	if m.Package != "sample-1G" || m.Name != m.ID[:8] {
		t.Errorf("defaults: %+v", m)
	}
	e.api.Do("POST", "/alice/machines", `{"image":"`+byName["ubuntu-20.04"]+`"}`).Expect(201).Decode(&m)
	if m.Brand != "lx" || m.Type != "smartmachine" {
		t.Errorf("lx: %+v", m)
	}
	e.api.Do("POST", "/alice/machines", `{"image":"`+byName["ubuntu-certified-20.04"]+`","package":"sample-2G"}`).Expect(201).Decode(&m)
	if m.Brand != "bhyve" || m.Type != "virtualmachine" || len(m.Disks) != 2 || m.Disk != 51200 || !m.Disks[0].Boot {
		t.Errorf("bhyve: %+v", m)
	}
}

func TestCloudAPIMachineAffinity(t *testing.T) {
	e := newCloudEnv(t)
	a := e.running(t, "", `,"name":"db-1","tag.role":"db"`)
	b := e.running(t, "", `,"name":"db-2","affinity":["instance!=db-1"]`)
	c := e.running(t, "", `,"name":"app","affinity":["role==db"]`)
	d := e.running(t, "", `,"name":"cache","affinity":["instance==/^db-/"]`)
	if a.ComputeNode == b.ComputeNode || c.ComputeNode != a.ComputeNode {
		t.Errorf("servers: db-1 %s, db-2 %s, app %s", a.ComputeNode, b.ComputeNode, c.ComputeNode)
	}
	if d.ComputeNode != a.ComputeNode && d.ComputeNode != b.ComputeNode {
		t.Errorf("cache on %s, not with a db", d.ComputeNode)
	}
	var imgs []Image
	e.api.Get("/alice/images?name=base-64-lts").Expect(200).Decode(&imgs)
	expectCode(t, e.api.Do("POST", "/alice/machines", `{"image":"`+imgs[0].ID+`","affinity":["instance==nothing"]}`), 409, "NoAllocatableServersError")
	e.api.Do("POST", "/alice/machines", `{"image":"`+imgs[0].ID+`","affinity":["instance==~nothing"]}`).Expect(201)
	expectCode(t, e.api.Do("POST", "/alice/machines", `{"image":"`+imgs[0].ID+`","affinity":["bogus"]}`), 409, "InvalidArgument")
}

func TestCloudAPIListMachines(t *testing.T) {
	e := newCloudEnv(t)
	e.running(t, "", `,"name":"a","tag.role":"web"`)
	e.running(t, "", `,"name":"b"`)
	e.running(t, "ubuntu-certified-20.04", `,"name":"c"`)
	names := func(q string) string {
		t.Helper()
		var ms []Machine
		e.api.Get("/alice/machines" + q).Expect(200).Decode(&ms)
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return strings.Join(out, ",")
	}
	for q, want := range map[string]string{"": "c,b,a", "?type=virtualmachine": "c", "?type=smartmachine": "b,a", "?tags=*": "a",
		"?name=b": "b", "?brand=bhyve": "c", "?memory=512": "c,b,a", "?memory=1024": "", "?limit=1": "c", "?limit=2&offset=1": "b,a", "?state=active": "c,b,a",
		"?state=stopped": ""} {
		if got := names(q); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	r := e.api.Do("HEAD", "/alice/machines?limit=2", "").Expect(200)
	if r.Header.Get("x-resource-count") != "2" || r.Header.Get("x-query-limit") != "2" || len(r.Body) != 0 {
		t.Errorf("HEAD: %v %q", r.Header, r.Body)
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?offset=-1", "?type=x", "?memory=x"} {
		expectCode(t, e.api.Get("/alice/machines"+q), 409, "InvalidArgument")
	}
	// another account sees none of them, and not one by its ID
	ms := e.dc.VMs()
	bob := kittest.New(t, e.dc.URL(), &http.Client{Transport: tritontest.Signer{Base: e.dc.Client().Transport, Login: "bob", Fingerprint: "aa", Key: e.key}})
	bob.Get("/bob/machines").Expect(200).CheckJSON(`[]`)
	expectCode(t, bob.Get("/bob/machines/"+ms[0].UUID), 404, "ResourceNotFound")
}
