package triton_test

import (
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/triton"
)

func TestNetworksAndPools(t *testing.T) {
	e := newEnv(t)
	var nets []triton.Network
	e.napi.Get("/networks").Expect(200).Decode(&nets)
	if len(nets) != 2 || nets[0].Name != "admin" || nets[1].Name != "external" {
		t.Fatalf("default networks = %+v", nets)
	}
	r := e.napi.Do("POST", "/networks", `{"name":"internal","subnet":"192.168.0.0/24","provision_start_ip":"192.168.0.10","provision_end_ip":"192.168.0.11","nic_tag":"external","vlan_id":42}`).Expect(200)
	r.CheckJSON(`{"uuid":"<any>","name":"internal","vlan_id":42,"subnet":"192.168.0.0/24","netmask":"255.255.255.0",
		"provision_start_ip":"192.168.0.10","provision_end_ip":"192.168.0.11","resolvers":[],"nic_tag":"external","mtu":1500,"family":"ipv4"}`)
	id := r.Object()["uuid"].(string)
	e.napi.Get("/networks/" + id).Expect(200)
	e.napi.Get("/networks?name=internal").Expect(200).CheckJSON(`[{"uuid":"<any>","name":"internal","vlan_id":42,"subnet":"192.168.0.0/24","netmask":"255.255.255.0","provision_start_ip":"192.168.0.10","provision_end_ip":"192.168.0.11","resolvers":[],"nic_tag":"external","mtu":1500,"family":"ipv4"}]`)
	checkError(t, e.napi.Do("POST", "/networks", `{"name":"internal","subnet":"10.0.0.0/24","nic_tag":"external"}`), 422, "InvalidParameters")
	checkError(t, e.napi.Do("POST", "/networks", `{"name":"x","subnet":"nope","nic_tag":"external"}`), 422, "InvalidParameters")
	checkError(t, e.napi.Do("POST", "/networks", `{"name":"x","subnet":"10.9.0.0/24","nic_tag":"nope"}`), 422, "InvalidParameters")
	checkError(t, e.napi.Do("POST", "/networks", `{"subnet":"10.9.0.0/24","nic_tag":"external"}`), 422, "InvalidParameters")
	// Unique IPs from the provision range, then SubnetFull.
	nic := `{"belongs_to_uuid":"` + owner + `","belongs_to_type":"other","owner_uuid":"` + owner + `"}`
	a := e.napi.Do("POST", "/networks/"+id+"/nics", nic).Expect(200).Object()
	b := e.napi.Do("POST", "/networks/"+id+"/nics", nic).Expect(200).Object()
	if a["ip"] != "192.168.0.10" || b["ip"] != "192.168.0.11" || a["mac"] == b["mac"] {
		t.Errorf("NICs %v %v", a, b)
	}
	checkError(t, e.napi.Do("POST", "/networks/"+id+"/nics", nic), 507, "SubnetFull")
	checkError(t, e.napi.Do("POST", "/networks/"+id+"/nics", `{}`), 422, "InvalidParameters")
	checkError(t, e.napi.Do("DELETE", "/networks/"+id, ""), 422, "InUse")
	e.napi.Do("DELETE", "/nics/"+a["mac"].(string), "").Expect(204)
	again := e.napi.Do("POST", "/networks/"+id+"/nics", nic).Expect(200).Object()
	if again["ip"] != "192.168.0.10" {
		t.Errorf("a freed IP is not handed out again: %v", again["ip"])
	}
	p := e.napi.Do("POST", "/network_pools", `{"name":"pool","networks":["external","`+id+`"]}`).Expect(200).Object()
	e.napi.Get("/network_pools/" + p["uuid"].(string)).Expect(200).CheckJSON(`{"uuid":"<any>","name":"pool","networks":"<any>","nic_tag":"external","family":"ipv4"}`)
	checkError(t, e.napi.Do("POST", "/network_pools", `{"name":"bad","networks":["external","admin"]}`), 422, "InvalidParameters")
	e.napi.Do("DELETE", "/network_pools/"+p["uuid"].(string), "").Expect(204)
	checkError(t, e.napi.Get("/network_pools/"+p["uuid"].(string)), 404, "ResourceNotFound")
	checkError(t, e.napi.Get("/networks/nope"), 404, "ResourceNotFound")
	e.napi.Get("/ping").Expect(200)
}

func TestNicTags(t *testing.T) {
	e := newEnv(t)
	e.napi.Do("POST", "/nic_tags", `{"name":"storage","mtu":9000}`).Expect(200).CheckJSON(`{"uuid":"<any>","name":"storage","mtu":9000}`)
	var tags []triton.NicTag
	e.napi.Get("/nic_tags").Expect(200).Decode(&tags)
	if len(tags) != 3 || tags[2].Name != "storage" {
		t.Errorf("tags = %+v", tags)
	}
	dup := e.napi.Do("POST", "/nic_tags", `{"name":"storage"}`)
	checkError(t, dup, 422, "InvalidParameters")
	dup.CheckJSON(`{"code":"InvalidParameters","message":"Invalid parameters","errors":[{"field":"name","code":"Duplicate","message":"Already exists"}]}`)
	checkError(t, e.napi.Do("POST", "/nic_tags", `{"name":"bad-name!"}`), 422, "InvalidParameters")
	checkError(t, e.napi.Do("POST", "/nic_tags", `{"name":"x","mtu":100}`), 422, "InvalidParameters")
	checkError(t, e.napi.Do("DELETE", "/nic_tags/admin", ""), 422, "InUse")
	e.napi.Do("DELETE", "/nic_tags/storage", "").Expect(204)
	checkError(t, e.napi.Get("/nic_tags/storage"), 404, "ResourceNotFound")
}

func TestNicsListAndUpdate(t *testing.T) {
	e := newEnv(t, triton.WithDurations(triton.Instant()))
	servers := e.dc.AddServers(3, triton.DefaultProfile())
	vmUUID, _ := e.create("n", 256)
	for _, tc := range []struct {
		query string
		n     int
	}{
		{"", 4}, {"?belongs_to_type=server", 3}, {"?belongs_to_type=zone", 1}, {"?belongs_to_uuid=" + vmUUID, 1},
		{"?belongs_to_uuid=" + servers[1], 1}, {"?owner_uuid=" + owner, 1}, {"?nic_tag=admin", 3}, {"?nic_tag=external", 1},
		{"?limit=2", 2}, {"?offset=3", 1},
	} {
		var got []triton.NIC
		e.napi.Get("/nics" + tc.query).Expect(200).Decode(&got)
		if len(got) != tc.n {
			t.Errorf("GET /nics%s: %d, want %d", tc.query, len(got), tc.n)
		}
	}
	mac := e.dc.NICs(vmUUID)[0].MAC
	e.napi.Do("PUT", "/nics/"+mac, `{"state":"stopped","nic_tags_provided":["external"]}`).Expect(200)
	var n triton.NIC
	e.napi.Get("/nics/" + strings.ToUpper(strings.ReplaceAll(mac, ":", ""))).Expect(200).Decode(&n)
	if n.State != "stopped" || n.BelongsToUUID != vmUUID || n.BelongsToType != "zone" {
		t.Errorf("NIC = %+v", n)
	}
	checkError(t, e.napi.Do("PUT", "/nics/"+mac, `{"state":"melted"}`), 422, "InvalidParameters")
	checkError(t, e.napi.Get("/nics/zz"), 422, "InvalidParameters")
	checkError(t, e.napi.Get("/nics/00:10:fe:00:00:00"), 404, "ResourceNotFound")
	e.napi.Do("DELETE", "/nics/"+mac, "").Expect(204)
	if v := e.vm(vmUUID); len(v.NICs) != 0 {
		t.Errorf("the VM keeps a deleted NIC: %+v", v.NICs)
	}
}

func TestFabric(t *testing.T) {
	e := newEnv(t, triton.WithDurations(triton.Instant()))
	e.dc.AddServers(1, triton.DefaultProfile())
	n, err := e.dc.AddFabric(owner, "My-Fabric-Network", "192.168.128.0/22", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !n.Fabric || n.NicTag != "sdc_overlay" || n.Gateway != "192.168.128.1" || n.OwnerUUIDs[0] != owner {
		t.Errorf("fabric = %+v", n)
	}
	body := strings.Replace(vmBody("f", 256), `"external"`, `"`+n.UUID+`"`, 1)
	e.vmapi.Do("POST", "/vms", body).Expect(202)
	var got []triton.Network
	e.napi.Get("/networks?fabric=true").Expect(200).Decode(&got)
	if len(got) != 1 {
		t.Errorf("fabric networks: %+v", got)
	}
	if nics := e.dc.NICs(""); nics[len(nics)-1].IP != "192.168.128.2" {
		t.Errorf("first fabric IP %s", nics[len(nics)-1].IP)
	}
}
