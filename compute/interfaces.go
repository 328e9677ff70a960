package compute

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// Route names of os-interface.
const (
	OpListInterfaces  = "compute.servers.interfaces.list"
	OpAttachInterface = "compute.servers.interfaces.attach"
	OpGetInterface    = "compute.servers.interfaces.get"
	OpDetachInterface = "compute.servers.interfaces.detach"
)

func (c *Compute) interfaceRoutes() []apiRoute {
	const coll = "/servers/{server_id}/os-interface"
	return []apiRoute{
		{OpListInterfaces, []string{"GET"}, coll, c.listInterfaces},
		{OpAttachInterface, []string{"POST"}, coll, c.attachInterface},
		{OpGetInterface, []string{"GET"}, coll + "/{port_id}", c.getInterface},
		{OpDetachInterface, []string{"DELETE"}, coll + "/{port_id}", c.detachInterface},
	}
}

// The vm_states in which Nova hot-plugs ports.
var interfaceAttachStates = []string{vmActive, vmPaused, vmStopped}

func interfaceJSON(r *http.Request, itf Interface) map[string]any {
	ips := make([]map[string]string, 0, len(itf.FixedIPs))
	for _, ip := range itf.FixedIPs {
		ips = append(ips, map[string]string{"subnet_id": ip.SubnetID, "ip_address": ip.IPAddress})
	}
	out := map[string]any{
		"port_id": itf.PortID, "net_id": itf.NetworkID, "mac_addr": itf.MAC,
		"port_state": itf.State, "fixed_ips": ips,
	}
	if versionOf(r).AtLeast(70) {
		out["tag"] = nullString(itf.Tag)
	}
	return out
}

func (c *Compute) listInterfaces(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	s, err := c.serverLocked(r)
	list := []map[string]any{}
	if err == nil {
		for _, itf := range s.Interfaces {
			list = append(list, interfaceJSON(r, itf))
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"interfaceAttachments": list})
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

func (c *Compute) getInterface(w http.ResponseWriter, r *http.Request) {
	portID := mux.Vars(r)["port_id"]
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var body map[string]any
	if err == nil {
		if i := interfaceIndex(s, portID); i >= 0 {
			body = map[string]any{"interfaceAttachment": interfaceJSON(r, s.Interfaces[i])}
		} else if c.portHolderLocked(portID) != nil {
			err = notFound("Instance %s does not have a port with id %s", s.ID, portID)
		} else {
			// No port of that ID exists (this fake's ports exist only
			// while bound to a server).
			err = notFound("Port id %s could not be found.", portID)
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

// interfaceRequest is a checked POST os-interface body.
type interfaceRequest struct {
	netID, portID, ip, tag string
}

func decodeInterfaceRequest(r *http.Request) (interfaceRequest, *fake.Error) {
	var out interfaceRequest
	body, _ := io.ReadAll(r.Body)
	if len(body) == 0 {
		// Nova attaches a port on any network of the project.
		return out, nil
	}
	var wrapper map[string]json.RawMessage
	if err := fake.DecodeJSONBytes(body, &wrapper, fake.DecodeOptions{}); err != nil {
		return out, err
	}
	for k := range wrapper {
		if k != "interfaceAttachment" {
			return out, badRequest("Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	if _, ok := wrapper["interfaceAttachment"]; !ok {
		return out, nil
	}
	allowed := map[string]bool{"net_id": true, "port_id": true, "fixed_ips": true}
	if versionOf(r).AtLeast(49) {
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
	var err *fake.Error
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

func (c *Compute) attachInterface(w http.ResponseWriter, r *http.Request) {
	in, err := decodeInterfaceRequest(r)
	if err == nil && in.netID != "" && in.portID != "" {
		err = badRequest("Must not input both network_id and port_id")
	}
	if err == nil && in.ip != "" && in.netID == "" {
		err = badRequest("Must input network_id when request IP address")
	}
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var itf Interface
	if err == nil {
		itf, err = c.attachInterfaceLocked(r, s, in)
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"interfaceAttachment": interfaceJSON(r, itf)})
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

func (c *Compute) attachInterfaceLocked(r *http.Request, s *server, in interfaceRequest) (Interface, *fake.Error) {
	if err := c.checkLockedLocked(r, s, "attach_interface"); err != nil {
		return Interface{}, err
	}
	if err := requireState(s, "attach_interface", interfaceAttachStates); err != nil {
		return Interface{}, err
	}
	if in.portID != "" && c.portHolderLocked(in.portID) != nil {
		return Interface{}, conflict("Port %s is still in use.", in.portID)
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
						return Interface{}, conflict("Fixed IP address %s is already in use on instance %s.", in.ip, other.ID)
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
		portID = c.env.RNG.UUID()
	}
	h := c.env.RNG.Hex(6)
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
	s.Updated = c.now()
	c.recordActionLocked(s, "attach_interface", r)
	itf.FixedIPs = append([]FixedIP(nil), itf.FixedIPs...)
	return itf, nil
}

func (c *Compute) detachInterface(w http.ResponseWriter, r *http.Request) {
	portID := mux.Vars(r)["port_id"]
	c.mu.Lock()
	s, err := c.serverLocked(r)
	if err == nil {
		err = c.detachInterfaceLocked(r, s, portID)
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (c *Compute) detachInterfaceLocked(r *http.Request, s *server, portID string) *fake.Error {
	if err := c.checkLockedLocked(r, s, "detach_interface"); err != nil {
		return err
	}
	if err := requireState(s, "detach_interface", interfaceAttachStates); err != nil {
		return err
	}
	i := interfaceIndex(s, portID)
	if i < 0 {
		return notFound("Port %s is not attached", portID)
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
	s.Updated = c.now()
	c.recordActionLocked(s, "detach_interface", r)
	return nil
}
