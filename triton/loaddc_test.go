package triton_test

import (
	"testing"

	"github.com/mockcloud/mockcloud/triton"
)

// dcListing is a DC as CNAPI, VMAPI and NAPI list it.
const dcListing = `{
  "nic_tags": [{"name": "admin", "mtu": 1500}, {"name": "external", "mtu": 1500}],
  "networks": [
    {"uuid": "1e9a5a4c-0000-4000-8000-00000000000a", "name": "admin", "subnet": "10.99.99.0/24", "provision_start_ip": "10.99.99.37",
     "provision_end_ip": "10.99.99.253", "nic_tag": "admin", "vlan_id": 0, "mtu": 1500, "resolvers": ["10.99.99.11"]},
    {"uuid": "1e9a5a4c-0000-4000-8000-00000000000b", "name": "external", "subnet": "10.88.88.0/24", "provision_start_ip": "10.88.88.3",
     "provision_end_ip": "10.88.88.250", "gateway": "10.88.88.2", "nic_tag": "external", "vlan_id": 0, "mtu": 1500}
  ],
  "servers": [
    {"uuid": "564d4374-d703-b97b-ca9f-7375f05f337c", "hostname": "headnode", "setup": true, "headnode": true, "ram": 16383,
     "current_platform": "20210826T002459Z", "status": "running",
     "sysinfo": {"Admin IP": "10.99.99.7", "CPU Total Cores": 8,
       "Network Interfaces": {"e1000g0": {"MAC Address": "00:50:56:34:60:4c", "ip4addr": "10.99.99.7", "NIC Names": ["admin"]}}}},
    {"uuid": "44454c4c-5000-104d-8037-b7c04f5a5131", "hostname": "cn1", "setup": true, "ram": 131071, "status": "unknown",
     "traits": {"ssd": true},
     "sysinfo": {"Admin IP": "10.99.99.40",
       "Network Interfaces": {"ixgbe0": {"MAC Address": "90:e2:ba:4a:32:70", "ip4addr": "10.99.99.40", "NIC Names": ["admin"]}}}}
  ],
  "vms": [
    {"uuid": "6a3c8e2f-1b7d-4c5e-9f0a-2d4b6c8e0a13", "alias": "web0", "brand": "joyent", "state": "running", "ram": 2048, "quota": 20,
     "server_uuid": "44454c4c-5000-104d-8037-b7c04f5a5131", "owner_uuid": "930896af-bf8c-48d4-885c-6573a94b1853",
     "image_uuid": "2b683a82-a066-11e3-97ab-2faa44701c5a", "create_timestamp": "2021-09-01T10:00:00.000Z", "tags": {"role": "web"},
     "nics": [{"mac": "90:b8:d0:1c:2e:3f", "ip": "10.88.88.5", "network_uuid": "1e9a5a4c-0000-4000-8000-00000000000b", "primary": true}]},
    {"uuid": "7b4d9f30-2c8e-4d6f-a01b-3e5c7d9f1b24", "alias": "old", "brand": "joyent", "state": "destroyed", "ram": 512,
     "server_uuid": "44454c4c-5000-104d-8037-b7c04f5a5131", "owner_uuid": "930896af-bf8c-48d4-885c-6573a94b1853"}
  ],
  "nics": [
    {"mac": "00:50:56:34:60:4c", "ip": "10.99.99.7", "network_uuid": "1e9a5a4c-0000-4000-8000-00000000000a", "belongs_to_type": "server",
     "belongs_to_uuid": "564d4374-d703-b97b-ca9f-7375f05f337c", "owner_uuid": "930896af-bf8c-48d4-885c-6573a94b1853"},
    {"mac": "c2:0b:dd:3e:aa:01", "ip": "10.99.99.9", "network_uuid": "1e9a5a4c-0000-4000-8000-00000000000a", "belongs_to_type": "other",
     "belongs_to_uuid": "930896af-bf8c-48d4-885c-6573a94b1853", "owner_uuid": "930896af-bf8c-48d4-885c-6573a94b1853"}
  ]
}`

func TestLoadDC(t *testing.T) {
	e := newEnv(t, triton.WithDurations(triton.Instant()))
	if err := e.dc.LoadDC([]byte(dcListing)); err != nil {
		t.Fatal(err)
	}
	hn, ok := e.dc.Server("564d4374-d703-b97b-ca9f-7375f05f337c")
	if !ok || hn.Hostname != "headnode" || !hn.Headnode || hn.RAM != 16383 || hn.Sysinfo["Admin IP"] != "10.99.99.7" ||
		hn.CurrentPlatform != "20210826T002459Z" || hn.Sysinfo["CPU Total Cores"] != 8 {
		t.Errorf("headnode = %+v", hn)
	}
	cn, _ := e.dc.Server("44454c4c-5000-104d-8037-b7c04f5a5131")
	if cn.Status != "unknown" || *cn.UnreservedRAM != 111410-2048 || len(*cn.VMs) != 1 || cn.Traits["ssd"] != true {
		t.Errorf("cn1 = status %s, unreserved %d, vms %v", cn.Status, *cn.UnreservedRAM, *cn.VMs)
	}
	nics := e.dc.NICs("44454c4c-5000-104d-8037-b7c04f5a5131")
	if len(nics) != 1 || nics[0].MAC != "90:e2:ba:4a:32:70" || nics[0].IP != "10.99.99.40" {
		t.Errorf("cn1 NICs = %+v", nics)
	}
	web := e.vm("6a3c8e2f-1b7d-4c5e-9f0a-2d4b6c8e0a13")
	if web.State != "running" || web.NICs[0].IP != "10.88.88.5" || web.NICs[0].Gateway != "10.88.88.2" || web.CreateTimestamp != "2021-09-01T10:00:00.000Z" {
		t.Errorf("web0 = %+v", web)
	}
	if e.vm("7b4d9f30-2c8e-4d6f-a01b-3e5c7d9f1b24").State != "destroyed" {
		t.Error("the destroyed VM")
	}
	if len(e.dc.NICs("")) != 4 {
		t.Errorf("NICs: %+v", e.dc.NICs(""))
	}
	// The headnode and the silent cn1 take nothing: a DC-dependent 409.
	checkError(t, e.vmapi.Do("POST", "/vms", vmBody("new", 128)), 409, "NoAllocatableServersError")
	// Addresses in use stay taken: the next external IP skips .5.
	e.dc.AddServers(1, triton.DefaultProfile())
	for i := 0; i < 3; i++ {
		e.create("n", 128)
	}
	for _, n := range e.dc.NICs("") {
		if n.IP == "10.88.88.5" && n.MAC != "90:b8:d0:1c:2e:3f" {
			t.Errorf("10.88.88.5 handed out twice")
		}
	}
	if err := e.dc.LoadDC([]byte(`{"vms":[{"uuid":"6a3c8e2f-1b7d-4c5e-9f0a-2d4b6c8e0a99","server_uuid":"00000000-0000-0000-0000-000000000000"}]}`)); err == nil {
		t.Error("a VM on an unknown server loaded")
	}
	if err := e.dc.LoadDC([]byte(`{`)); err == nil {
		t.Error("bad JSON loaded")
	}
}
