package triton

import (
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/mockcloud/mockcloud/kit"
)

// CloudNetwork is a network as CloudAPI renders it (lib/endpoints/
// networks.js translateNetwork): id, name, public and description; a
// fabric network also its addresses, resolvers, NAT and VLAN.
type CloudNetwork struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Public           bool              `json:"public"`
	Description      string            `json:"description,omitempty"`
	Fabric           bool              `json:"fabric,omitempty"`
	Subnet           string            `json:"subnet,omitempty"`
	ProvisionStartIP string            `json:"provision_start_ip,omitempty"`
	ProvisionEndIP   string            `json:"provision_end_ip,omitempty"`
	Gateway          string            `json:"gateway,omitempty"`
	Resolvers        []string          `json:"resolvers,omitempty"`
	Routes           map[string]string `json:"routes,omitempty"`
	InternetNAT      *bool             `json:"internet_nat,omitempty"`
	VLANID           int               `json:"vlan_id,omitempty"`
}

// VLAN is a fabric VLAN as CloudAPI renders it.
type VLAN struct {
	VLANID      int    `json:"vlan_id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

func (n *network) cloud() CloudNetwork {
	out := CloudNetwork{ID: n.UUID, Name: n.Name, Public: !n.Fabric && n.NicTag == "external", Description: n.Description}
	if n.Fabric {
		nat := n.Gateway != ""
		out.Fabric, out.Subnet, out.ProvisionStartIP, out.ProvisionEndIP = true, n.Subnet, ipString(n.start), ipString(n.end)
		out.Gateway, out.Resolvers, out.InternetNAT, out.VLANID = n.Gateway, append([]string{}, n.Resolvers...), &nat, n.VLANID
	}
	return out
}

// visibleTo reports whether CloudAPI shows the network to owner: the
// DC's shared networks (not admin) and the owner's own.
func (n *network) visibleTo(owner string) bool {
	if len(n.OwnerUUIDs) > 0 {
		return slices.Contains(n.OwnerUUIDs, owner)
	}
	return n.NicTag != "admin"
}

func (t *Triton) listCloudNetworks(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	out := []CloudNetwork{}
	for _, n := range t.dc.netOrder {
		if n.visibleTo(c.Principal.UserID) {
			out = append(out, n.cloud())
		}
	}
	return kit.OK(out), nil
}

func (t *Triton) getCloudNetwork(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	n := t.dc.networks[c.Var("network")]
	if n == nil || !n.visibleTo(c.Principal.UserID) {
		return kit.Reply{}, kit.NotFound("%s not found", c.Var("network"))
	}
	return kit.OK(n.cloud()), nil
}

// vlansLocked is owner's fabric VLANs by ID.
func (t *Triton) vlansLocked(owner string) map[int]*VLAN {
	if t.dc.vlans == nil {
		t.dc.vlans = map[string]map[int]*VLAN{}
	}
	m := t.dc.vlans[owner]
	if m == nil {
		m = map[int]*VLAN{}
		t.dc.vlans[owner] = m
	}
	return m
}

func (t *Triton) listVLANs(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	out := []VLAN{}
	for _, v := range t.vlansLocked(c.Principal.UserID) {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].VLANID < out[j].VLANID })
	return kit.OK(out), nil
}

// vlanBody is CreateFabricVLAN's and UpdateFabricVLAN's body.
type vlanBody struct {
	VLANID      *int    `json:"vlan_id"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

func (t *Triton) createVLAN(c *kit.Call) (kit.Reply, error) {
	var in vlanBody
	if err := decodeCloudAPI(c, &in); err != nil {
		return kit.Reply{}, err
	}
	switch {
	case in.VLANID == nil:
		return kit.Reply{}, missingParameter("vlan_id is a required parameter")
	case *in.VLANID < 0 || *in.VLANID > 4095:
		return kit.Reply{}, invalidArgument("VLAN ID must be between 0 and 4095")
	case in.Name == nil || *in.Name == "":
		return kit.Reply{}, missingParameter("name is a required parameter")
	}
	t.lock()
	defer t.mu.Unlock()
	vlans := t.vlansLocked(c.Principal.UserID)
	if vlans[*in.VLANID] != nil {
		return kit.Reply{}, invalidArgument("VLAN ID is already in use")
	}
	v := &VLAN{VLANID: *in.VLANID, Name: *in.Name}
	if in.Description != nil {
		v.Description = *in.Description
	}
	vlans[v.VLANID] = v
	c.Header().Set("Location", "/"+c.Var("login")+"/fabrics/default/vlans/"+itoa(v.VLANID))
	return kit.JSON(http.StatusCreated, *v), nil
}

func (t *Triton) vlanOf(c *kit.Call) (*VLAN, error) {
	id, err := strconv.Atoi(c.Var("vlan"))
	if err != nil {
		return nil, invalidArgument("vlan_id must be a number")
	}
	v := t.vlansLocked(c.Principal.UserID)[id]
	if v == nil {
		return nil, kit.NotFound("vlan not found")
	}
	return v, nil
}

func (t *Triton) getVLAN(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, err := t.vlanOf(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(*v), nil
}

func (t *Triton) updateVLAN(c *kit.Call) (kit.Reply, error) {
	var in vlanBody
	if err := decodeCloudAPI(c, &in); err != nil {
		return kit.Reply{}, err
	}
	t.lock()
	defer t.mu.Unlock()
	v, err := t.vlanOf(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if in.Name != nil {
		v.Name = *in.Name
	}
	if in.Description != nil {
		v.Description = *in.Description
	}
	return kit.JSON(http.StatusAccepted, *v), nil
}

func (t *Triton) deleteVLAN(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, err := t.vlanOf(c)
	if err != nil {
		return kit.Reply{}, err
	}
	for _, n := range t.dc.netOrder {
		if n.Fabric && n.VLANID == v.VLANID && slices.Contains(n.OwnerUUIDs, c.Principal.UserID) {
			return kit.Reply{}, restError(http.StatusConflict, "InUse", "Cannot delete a VLAN with networks on it")
		}
	}
	delete(t.vlansLocked(c.Principal.UserID), v.VLANID)
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) fabricNetworksLocked(owner string, vlan int) []*network {
	var out []*network
	for _, n := range t.dc.netOrder {
		if n.Fabric && n.VLANID == vlan && slices.Contains(n.OwnerUUIDs, owner) {
			out = append(out, n)
		}
	}
	return out
}

func (t *Triton) listFabricNetworks(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, err := t.vlanOf(c)
	if err != nil {
		return kit.Reply{}, err
	}
	out := []CloudNetwork{}
	for _, n := range t.fabricNetworksLocked(c.Principal.UserID, v.VLANID) {
		out = append(out, n.cloud())
	}
	return kit.OK(out), nil
}

// fabricNetworkBody is CreateFabricNetwork's body.
type fabricNetworkBody struct {
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	Subnet           string   `json:"subnet"`
	ProvisionStartIP string   `json:"provision_start_ip"`
	ProvisionEndIP   string   `json:"provision_end_ip"`
	Gateway          string   `json:"gateway"`
	Resolvers        []string `json:"resolvers"`
}

func (t *Triton) createFabricNetwork(c *kit.Call) (kit.Reply, error) {
	var in fabricNetworkBody
	if err := decodeCloudAPI(c, &in); err != nil {
		return kit.Reply{}, err
	}
	for _, f := range []struct{ name, v string }{{"name", in.Name}, {"subnet", in.Subnet},
		{"provision_start_ip", in.ProvisionStartIP}, {"provision_end_ip", in.ProvisionEndIP}} {
		if f.v == "" {
			return kit.Reply{}, missingParameter(f.name + " is a required parameter")
		}
	}
	t.lock()
	defer t.mu.Unlock()
	v, err := t.vlanOf(c)
	if err != nil {
		return kit.Reply{}, err
	}
	t.addNicTagLocked("sdc_overlay", 8500)
	nw, err := t.addNetworkLocked(Network{Name: in.Name, Description: in.Description, Subnet: in.Subnet,
		ProvisionStartIP: in.ProvisionStartIP, ProvisionEndIP: in.ProvisionEndIP, Gateway: in.Gateway,
		Resolvers: in.Resolvers, VLANID: v.VLANID, NicTag: "sdc_overlay", MTU: 8500,
		OwnerUUIDs: []string{c.Principal.UserID}, Fabric: true})
	if err != nil {
		return kit.Reply{}, invalidArgument(kit.MessageOf(err))
	}
	c.Header().Set("Location", "/"+c.Var("login")+"/fabrics/default/vlans/"+itoa(v.VLANID)+"/networks/"+nw.UUID)
	return kit.JSON(http.StatusCreated, nw.cloud()), nil
}

func (t *Triton) fabricNetworkOf(c *kit.Call) (*network, error) {
	v, err := t.vlanOf(c)
	if err != nil {
		return nil, err
	}
	for _, n := range t.fabricNetworksLocked(c.Principal.UserID, v.VLANID) {
		if n.UUID == c.Var("network") {
			return n, nil
		}
	}
	return nil, kit.NotFound("network not found")
}

func (t *Triton) getFabricNetwork(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	n, err := t.fabricNetworkOf(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(n.cloud()), nil
}

func (t *Triton) deleteFabricNetwork(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	n, err := t.fabricNetworkOf(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if n.count > 0 {
		return kit.Reply{}, restError(http.StatusConflict, "InUse", "Network is in use")
	}
	delete(t.dc.networks, n.UUID)
	t.dc.netOrder = slices.DeleteFunc(t.dc.netOrder, func(x *network) bool { return x == n })
	return kit.Status(http.StatusNoContent), nil
}
