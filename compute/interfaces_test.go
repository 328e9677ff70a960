package compute_test

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
)

var xmac = regexp.MustCompile(`^fa:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$`)

// xinterface is the expected attachment of one of a server's ports.
func xinterface(itf compute.Interface, tag string) map[string]any {
	ips := []any{}
	for _, ip := range itf.FixedIPs {
		ips = append(ips, map[string]any{"subnet_id": ip.SubnetID, "ip_address": ip.IPAddress})
	}
	out := map[string]any{"port_state": "ACTIVE", "fixed_ips": ips, "port_id": itf.PortID, "net_id": itf.NetworkID, "mac_addr": itf.MAC}
	if tag != "-" {
		out["tag"] = nil
		if tag != "" {
			out["tag"] = tag
		}
	}
	return out
}

func TestInterfaceListAttachDetach(t *testing.T) {
	a := newXAPI(t, compute.WithDurations(compute.Instant()))
	id := a.server("web")
	base := "/servers/" + id + "/os-interface"
	s, _ := a.c.Server(id)
	if len(s.Interfaces) != 2 {
		t.Fatalf("a new server has %d interfaces, want 2", len(s.Interfaces))
	}
	private, public := s.Interfaces[0], s.Interfaces[1]

	a.get(base).want(t, 200, xjson(map[string]any{"interfaceAttachments": []any{xinterface(private, "-"), xinterface(public, "-")}}))
	a.at("2.70").get(base+"/"+public.PortID).want(t, 200, xjson(map[string]any{"interfaceAttachment": xinterface(public, "")}))

	// Attach a port on another network with a chosen address.
	const net = "22222222-bbbb-4bbb-8bbb-000000000001"
	r := a.at("2.70").do("POST", base, `{"interfaceAttachment":{"net_id":"`+net+`","fixed_ips":[{"ip_address":"10.9.0.5"}],"tag":"nic2"}}`)
	r.status1(t, 200)
	got := r.obj(t)["interfaceAttachment"].(map[string]any)
	port, _ := got["port_id"].(string)
	mac, _ := got["mac_addr"].(string)
	if !xuuid.MatchString(port) || !xmac.MatchString(mac) {
		t.Fatalf("attached port %q mac %q", port, mac)
	}
	s, _ = a.c.Server(id)
	if len(s.Interfaces) != 3 {
		t.Fatalf("interfaces after attach: %+v", s.Interfaces)
	}
	attached := s.Interfaces[2]
	want := xinterface(compute.Interface{PortID: port, NetworkID: net, MAC: mac,
		FixedIPs: []compute.FixedIP{{SubnetID: attached.FixedIPs[0].SubnetID, IPAddress: "10.9.0.5"}}}, "nic2")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attach answer (-want +got):\n%s", diff)
	}
	a.at("2.70").get(base+"/"+port).want(t, 200, xjson(map[string]any{"interfaceAttachment": want}))
	// The address shows in the server's addresses, under the network.
	a.get("/servers/"+id+"/ips/"+net).want(t, 200, `{"`+net+`":[{"addr":"10.9.0.5","version":4}]}`)

	// A port given by ID lands on the private network with an address of
	// its own; with no body at all Nova picks a network too.
	const myPort = "33333333-cccc-4ccc-8ccc-000000000001"
	r = a.do("POST", base, `{"interfaceAttachment":{"port_id":"`+myPort+`"}}`)
	r.status1(t, 200)
	if got := r.obj(t)["interfaceAttachment"].(map[string]any); got["port_id"] != myPort || got["net_id"] != "11111111-1111-1111-1111-111111111111" {
		t.Errorf("attach by port: %v", got)
	}
	a.do("POST", base, "").status1(t, 200)
	if s, _ = a.c.Server(id); len(s.Interfaces) != 5 || len(s.Addresses["private"]) != 3 {
		t.Errorf("after three attaches: %d interfaces, private addresses %+v", len(s.Interfaces), s.Addresses["private"])
	}

	// Detach: the port and its address go.
	a.do("DELETE", base+"/"+port, "").want(t, 202, "")
	a.get(base+"/"+port).fault(t, 404, "Port id "+port+" could not be found.")
	a.do("DELETE", base+"/"+port, "").fault(t, 404, "Port "+port+" is not attached")
	a.get("/servers/"+id+"/ips/"+net).fault(t, 404, "Instance is not a member of specified network")
	// Detaching the public port takes both its addresses.
	a.do("DELETE", base+"/"+public.PortID, "").want(t, 202, "")
	a.get("/servers/"+id+"/ips/public").fault(t, 404, "Instance is not a member of specified network")
	if s, _ = a.c.Server(id); len(s.Interfaces) != 3 {
		t.Errorf("interfaces after detaching two: %+v", s.Interfaces)
	}
}

func TestInterfaceErrors(t *testing.T) {
	d := compute.DefaultDurations()
	a := newXAPI(t, compute.WithDurations(d))
	id := a.server("web")
	building := a.server("slow")
	a.advance(d.Build)
	building2 := a.server("slower")
	base := "/servers/" + id + "/os-interface"
	const net = "22222222-bbbb-4bbb-8bbb-000000000001"
	s, _ := a.c.Server(id)
	other, _ := a.c.Server(building)
	a.do("POST", base, `{"interfaceAttachment":{"net_id":"`+net+`","fixed_ips":[{"ip_address":"10.9.0.5"}]}}`).status1(t, 200)

	tests := []struct {
		name, version, path, body string
		status                    int
		message                   string
	}{
		{"both", "", base, `{"interfaceAttachment":{"net_id":"` + net + `","port_id":"` + net + `"}}`, 400, "Must not input both network_id and port_id"},
		{"ip without net", "", base, `{"interfaceAttachment":{"fixed_ips":[{"ip_address":"10.0.0.9"}]}}`, 400, "Must input network_id when request IP address"},
		{"bad net_id", "", base, `{"interfaceAttachment":{"net_id":"nope"}}`, 400, "Invalid input for field/attribute net_id. Value: nope. 'nope' is not a 'uuid'"},
		{"bad ip", "", base, `{"interfaceAttachment":{"net_id":"` + net + `","fixed_ips":[{"ip_address":"ten"}]}}`, 400,
			"Invalid input for field/attribute ip_address. Value: ten. 'ten' is not valid under any of the given schemas"},
		{"tag before 2.49", "2.48", base, `{"interfaceAttachment":{"tag":"x"}}`, 400,
			`Invalid input for field/attribute interfaceAttachment. Value: {"tag":"x"}. Additional properties are not allowed ('tag' was unexpected)`},
		{"port in use", "", base, `{"interfaceAttachment":{"port_id":"` + other.Interfaces[0].PortID + `"}}`, 409, "Port " + other.Interfaces[0].PortID + " is still in use."},
		{"address in use", "", "/servers/" + building + "/os-interface", `{"interfaceAttachment":{"net_id":"` + net + `","fixed_ips":[{"ip_address":"10.9.0.5"}]}}`, 409,
			"Fixed IP address 10.9.0.5 is already in use on instance " + id + "."},
		{"building", "", "/servers/" + building2 + "/os-interface", `{"interfaceAttachment":{}}`, 409, "Cannot 'attach_interface' instance " + building2 + " while it is in vm_state building"},
		{"no server", "", "/servers/nope/os-interface", `{"interfaceAttachment":{}}`, 404, "Instance nope could not be found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.at(tt.version).do("POST", tt.path, tt.body).fault(t, tt.status, tt.message)
		})
	}
	// Another server's port is not this server's.
	a.get(base+"/"+other.Interfaces[0].PortID).fault(t, 404, "Instance "+id+" does not have a port with id "+other.Interfaces[0].PortID)
	// A locked server keeps its ports.
	a.action(id, `{"lock":null}`)
	a.do("DELETE", base+"/"+s.Interfaces[0].PortID, "").fault(t, 409, "Instance "+id+" is locked")
	a.do("POST", base, "").fault(t, 409, "Instance "+id+" is locked")
	a.action(id, `{"unlock":null}`)
	// So does a suspended one.
	a.action(id, `{"suspend":null}`)
	a.advance(d.Suspend)
	a.do("DELETE", base+"/"+s.Interfaces[0].PortID, "").fault(t, 409, "Cannot 'detach_interface' instance "+id+" while it is in vm_state suspended")
}
