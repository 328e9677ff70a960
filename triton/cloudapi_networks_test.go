package triton

import (
	"testing"
)

func TestCloudAPINetworksAndFabrics(t *testing.T) {
	e := newCloudEnv(t)
	var nets []CloudNetwork
	e.api.Get("/alice/networks").Expect(200).Decode(&nets)
	if len(nets) != 1 || nets[0].Name != "external" || !nets[0].Public || nets[0].Fabric {
		t.Fatalf("networks = %+v (admin hidden)", nets)
	}
	e.api.Get("/alice/networks/" + nets[0].ID).Expect(200).CheckJSON(`{"id":"` + nets[0].ID + `","name":"external","public":true}`)
	admin := e.dc.Networks()[0]
	expectCode(t, e.api.Get("/alice/networks/"+admin.UUID), 404, "ResourceNotFound")

	expectCode(t, e.api.Do("POST", "/alice/fabrics/default/vlans", `{"name":"x"}`), 409, "MissingParameter")
	expectCode(t, e.api.Do("POST", "/alice/fabrics/default/vlans", `{"vlan_id":5000,"name":"x"}`), 409, "InvalidArgument")
	r := e.api.Do("POST", "/alice/fabrics/default/vlans", `{"vlan_id":2,"name":"my-vlan","description":"d"}`).Expect(201)
	r.CheckJSON(`{"vlan_id":2,"name":"my-vlan","description":"d"}`)
	if r.Header.Get("Location") != "/alice/fabrics/default/vlans/2" {
		t.Errorf("Location = %q", r.Header.Get("Location"))
	}
	expectCode(t, e.api.Do("POST", "/alice/fabrics/default/vlans", `{"vlan_id":2,"name":"again"}`), 409, "InvalidArgument")
	e.api.Do("PUT", "/alice/fabrics/default/vlans/2", `{"name":"renamed"}`).Expect(202).CheckJSON(`{"vlan_id":2,"name":"renamed","description":"d"}`)
	e.api.Get("/alice/fabrics/default/vlans").Expect(200).CheckJSON(`[{"vlan_id":2,"name":"renamed","description":"d"}]`)
	expectCode(t, e.api.Get("/alice/fabrics/default/vlans/3"), 404, "ResourceNotFound")

	expectCode(t, e.api.Do("POST", "/alice/fabrics/default/vlans/2/networks", `{"name":"n"}`), 409, "MissingParameter")
	var fn CloudNetwork
	e.api.Do("POST", "/alice/fabrics/default/vlans/2/networks", `{"name":"my-net","subnet":"192.168.0.0/24",
		"provision_start_ip":"192.168.0.10","provision_end_ip":"192.168.0.250","gateway":"192.168.0.1","resolvers":["8.8.8.8"]}`).Expect(201).Decode(&fn)
	if !fn.Fabric || fn.VLANID != 2 || fn.Public || fn.Subnet != "192.168.0.0/24" || fn.InternetNAT == nil || !*fn.InternetNAT {
		t.Errorf("fabric network = %+v", fn)
	}
	e.api.Get("/alice/networks").Expect(200).Decode(&nets)
	if len(nets) != 2 {
		t.Errorf("networks with the fabric = %+v", nets)
	}
	e.api.Get("/alice/fabrics/default/vlans/2/networks/" + fn.ID).Expect(200)
	if got := len(e.api.Get("/alice/fabrics/default/vlans/2/networks").Expect(200).Body); got < 10 {
		t.Errorf("fabric networks listed: %d bytes", got)
	}
	expectCode(t, e.api.Do("DELETE", "/alice/fabrics/default/vlans/2", ""), 409, "InUse")
	e.api.Do("DELETE", "/alice/fabrics/default/vlans/2/networks/"+fn.ID, "").Expect(204)
	e.api.Do("DELETE", "/alice/fabrics/default/vlans/2", "").Expect(204)
}
