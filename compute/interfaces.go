package compute

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"

	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-interface.
const (
	OpListInterfaces  = "compute.servers.interfaces.list"
	OpAttachInterface = "compute.servers.interfaces.attach"
	OpGetInterface    = "compute.servers.interfaces.get"
	OpDetachInterface = "compute.servers.interfaces.detach"
)

func (c *Compute) interfaceRoutes() []kit.Route {
	const coll = "/servers/{server_id}/os-interface"
	return []kit.Route{
		route(OpListInterfaces, "GET", coll, c.listInterfaces),
		route(OpAttachInterface, "POST", coll, c.attachInterface),
		route(OpGetInterface, "GET", coll+"/{port_id}", c.getInterface),
		route(OpDetachInterface, "DELETE", coll+"/{port_id}", c.detachInterface),
	}
}

// The vm_states in which Nova hot-plugs ports.
var interfaceAttachStates = []string{vmActive, vmPaused, vmStopped}

// interfaceJSON is a port attachment as os-interface shows it.
type interfaceJSON struct {
	PortID    string        `json:"port_id"`
	NetID     string        `json:"net_id"`
	MAC       string        `json:"mac_addr"`
	PortState string        `json:"port_state"`
	FixedIPs  []fixedIPJSON `json:"fixed_ips"`
	Tag       any           `json:"tag,omitempty"` // 2.70, null when untagged
}

type fixedIPJSON struct {
	SubnetID  string `json:"subnet_id"`
	IPAddress string `json:"ip_address"`
}

type interfaceBody struct {
	InterfaceAttachment interfaceJSON `json:"interfaceAttachment"`
}

type interfaceList struct {
	InterfaceAttachments []interfaceJSON `json:"interfaceAttachments"`
}

func interfaceView(call *kit.Call, itf Interface) interfaceJSON {
	ips := make([]fixedIPJSON, 0, len(itf.FixedIPs))
	for _, ip := range itf.FixedIPs {
		ips = append(ips, fixedIPJSON(ip))
	}
	out := interfaceJSON{PortID: itf.PortID, NetID: itf.NetworkID, MAC: itf.MAC, PortState: itf.State, FixedIPs: ips}
	if versionOf(call).AtLeast(70) {
		out.Tag = nullOr(itf.Tag)
	}
	return out
}

func (c *Compute) listInterfaces(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	body := interfaceList{InterfaceAttachments: make([]interfaceJSON, 0, len(s.Interfaces))}
	for _, itf := range s.Interfaces {
		body.InterfaceAttachments = append(body.InterfaceAttachments, interfaceView(call, itf))
	}
	return kit.OK(body), nil
}

func interfaceIndex(s *server, portID string) int {
	for i, itf := range s.Interfaces {
		if itf.PortID == portID {
			return i
		}
	}
	return -1
}

// portHolderLocked is the live server a port is bound to, or nil
// (settled: a server whose deletion is due holds nothing).
func (c *Compute) portHolderLocked(portID string) *server {
	for _, s := range c.servers {
		if interfaceIndex(s, portID) >= 0 && c.liveLocked(s) {
			return s
		}
	}
	return nil
}

func (c *Compute) getInterface(call *kit.Call) (kit.Reply, error) {
	portID := call.Var("port_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if i := interfaceIndex(s, portID); i >= 0 {
		return kit.OK(interfaceBody{interfaceView(call, s.Interfaces[i])}), nil
	}
	if c.portHolderLocked(portID) != nil {
		return kit.Reply{}, kit.NotFound("Instance %s does not have a port with id %s", s.ID, portID)
	}
	// No port of that ID exists (this fake's ports exist only while bound
	// to a server).
	return kit.Reply{}, kit.NotFound("Port id %s could not be found.", portID)
}

// interfaceRequest is a checked POST os-interface body.
type interfaceRequest struct {
	netID, portID, ip, tag string
}

func decodeInterfaceRequest(call *kit.Call) (interfaceRequest, error) {
	var out interfaceRequest
	body := call.Body
	if len(body) == 0 {
		// Nova attaches a port on any network of the project.
		return out, nil
	}
	var wrapper map[string]json.RawMessage
	if err := kit.DecodeJSON(body, &wrapper, kit.DecodeOptions{}); err != nil {
		return out, err
	}
	for k := range wrapper {
		if k != "interfaceAttachment" {
			return out, kit.BadRequest("Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	if _, ok := wrapper["interfaceAttachment"]; !ok {
		return out, nil
	}
	allowed := map[string]bool{"net_id": true, "port_id": true, "fixed_ips": true}
	if versionOf(call).AtLeast(49) {
		allowed["tag"] = true
	}
	var in struct {
		NetID    json.RawMessage `json:"net_id"`
		PortID   json.RawMessage `json:"port_id"`
		FixedIPs json.RawMessage `json:"fixed_ips"`
		Tag      json.RawMessage `json:"tag"`
	}
	if _, err := decodeWrapped(body, "interfaceAttachment", allowed, &in); err != nil {
		return out, err
	}
	var err error
	if len(in.NetID) > 0 {
		if out.netID, err = nvUUID("net_id", in.NetID); err != nil {
			return out, err
		}
	}
	if len(in.PortID) > 0 {
		if out.portID, err = nvUUID("port_id", in.PortID); err != nil {
			return out, err
		}
	}
	if len(in.Tag) > 0 {
		if out.tag, err = nvTag(in.Tag); err != nil {
			return out, err
		}
	}
	if len(in.FixedIPs) > 0 {
		var ips []map[string]json.RawMessage
		if json.Unmarshal(in.FixedIPs, &ips) != nil {
			return out, nvFieldErr("fixed_ips", in.FixedIPs, "%s is not of type 'array'", pyRepr(in.FixedIPs))
		}
		switch {
		case len(ips) == 0:
			return out, nvFieldErr("fixed_ips", in.FixedIPs, "[] is too short")
		case len(ips) > 1:
			return out, nvFieldErr("fixed_ips", in.FixedIPs, "%s is too long", string(in.FixedIPs))
		}
		item, _ := json.Marshal(ips[0])
		for k := range ips[0] {
			if k != "ip_address" {
				return out, nvFieldErr("0", item, "Additional properties are not allowed ('%s' was unexpected)", k)
			}
		}
		addr, ok := ips[0]["ip_address"]
		if !ok {
			return out, nvFieldErr("0", item, "'ip_address' is a required property")
		}
		var ip string
		if json.Unmarshal(addr, &ip) != nil || net.ParseIP(ip) == nil {
			return out, nvFieldErr("ip_address", addr, "%s is not valid under any of the given schemas", pyRepr(addr))
		}
		out.ip = ip
	}
	return out, nil
}

func (c *Compute) attachInterface(call *kit.Call) (kit.Reply, error) {
	in, err := decodeInterfaceRequest(call)
	if err == nil && in.netID != "" && in.portID != "" {
		err = kit.BadRequest("Must not input both network_id and port_id")
	}
	if err == nil && in.ip != "" && in.netID == "" {
		err = kit.BadRequest("Must input network_id when request IP address")
	}
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	itf, err := c.attachInterfaceLocked(call, s, in)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(interfaceBody{interfaceView(call, itf)}), nil
}

// networkName is the label a network's addresses go under in a server's
// addresses: public and private for the well-known networks, the
// network's ID for any other.
func networkName(netID string) string {
	switch netID {
	case publicNetworkID:
		return "public"
	case privateNetworkID:
		return "private"
	}
	return netID
}

// subnetOf is the (IPv4) subnet of a network.
func subnetOf(netID string) string {
	switch netID {
	case publicNetworkID:
		return publicSubnetID
	case privateNetworkID:
		return privateSubnetID
	}
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("mockcloud/subnet/"+netID)).String()
}

func (c *Compute) attachInterfaceLocked(call *kit.Call, s *server, in interfaceRequest) (Interface, error) {
	if err := c.checkLockedLocked(call, s); err != nil {
		return Interface{}, err
	}
	if err := requireState(s, "attach_interface", interfaceAttachStates); err != nil {
		return Interface{}, err
	}
	if in.portID != "" && c.portHolderLocked(in.portID) != nil {
		return Interface{}, kit.Conflict("Port %s is still in use.", in.portID)
	}
	netID := in.netID
	if netID == "" {
		// A port given by ID, or none: the port lands on the private
		// network (this fake has no Neutron to say otherwise).
		netID = privateNetworkID
	}
	if in.ip != "" {
		for _, other := range c.servers {
			for _, itf := range other.Interfaces {
				for _, ip := range itf.FixedIPs {
					if ip.IPAddress == in.ip && itf.NetworkID == netID && c.liveLocked(other) {
						return Interface{}, kit.Conflict("Fixed IP address %s is already in use on instance %s.", in.ip, other.ID)
					}
				}
			}
		}
	}
	c.attachCounter++
	n := c.attachCounter
	ip := in.ip
	if ip == "" {
		ip = fmt.Sprintf("192.168.%d.%d", (n/250)%256, n%250+2)
	}
	portID := in.portID
	if portID == "" {
		portID = c.RNG().UUID()
	}
	h := c.RNG().Hex(6)
	itf := Interface{
		PortID: portID, NetworkID: netID, MAC: "fa:16:3e:" + h[0:2] + ":" + h[2:4] + ":" + h[4:6],
		State: "ACTIVE", Tag: in.tag, FixedIPs: []FixedIP{{SubnetID: subnetOf(netID), IPAddress: ip}},
	}
	s.Interfaces = append(s.Interfaces, itf)
	if s.Addresses == nil {
		s.Addresses = map[string][]Address{}
	}
	version := 4
	if net.ParseIP(ip).To4() == nil {
		version = 6
	}
	name := networkName(netID)
	s.Addresses[name] = append(s.Addresses[name], Address{Addr: ip, Version: version, Type: "fixed", MAC: itf.MAC})
	s.Updated = c.Now()
	c.recordActionLocked(s, "attach_interface", call)
	itf.FixedIPs = append([]FixedIP(nil), itf.FixedIPs...)
	return itf, nil
}

func (c *Compute) detachInterface(call *kit.Call) (kit.Reply, error) {
	portID := call.Var("port_id")
	err := c.withServer(call, func(s *server) error { return c.detachInterfaceLocked(call, s, portID) })
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusAccepted), nil
}

func (c *Compute) detachInterfaceLocked(call *kit.Call, s *server, portID string) error {
	if err := c.checkLockedLocked(call, s); err != nil {
		return err
	}
	if err := requireState(s, "detach_interface", interfaceAttachStates); err != nil {
		return err
	}
	i := interfaceIndex(s, portID)
	if i < 0 {
		return kit.NotFound("Port %s is not attached", portID)
	}
	itf := s.Interfaces[i]
	s.Interfaces = append(s.Interfaces[:i:i], s.Interfaces[i+1:]...)
	gone := map[string]bool{}
	for _, ip := range itf.FixedIPs {
		gone[ip.IPAddress] = true
	}
	for name, addrs := range s.Addresses {
		kept := addrs[:0:0]
		for _, a := range addrs {
			if !(gone[a.Addr] && a.Type == "fixed" && (a.MAC == itf.MAC || a.MAC == "")) {
				kept = append(kept, a)
			}
		}
		if len(kept) == 0 {
			delete(s.Addresses, name)
		} else {
			s.Addresses[name] = kept
		}
	}
	s.Updated = c.Now()
	c.recordActionLocked(s, "detach_interface", call)
	return nil
}
