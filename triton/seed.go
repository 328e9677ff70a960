package triton

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// AddNicTag adds a NIC tag (MTU 1500 when 0); adding one that exists
// returns it.
func (t *Triton) AddNicTag(name string, mtu int) NicTag {
	t.lock()
	defer t.mu.Unlock()
	if mtu == 0 {
		mtu = 1500
	}
	return *t.addNicTagLocked(name, mtu)
}

// AddNetwork adds a NAPI network (its NIC tag must exist: AddNicTag).
// Fabric networks name their owner in OwnerUUIDs.
func (t *Triton) AddNetwork(n Network) (Network, error) {
	t.lock()
	defer t.mu.Unlock()
	if n.UUID != "" && t.dc.networks[n.UUID] != nil {
		return Network{}, kit.Conflict("Network %s already exists", n.UUID)
	}
	nw, err := t.addNetworkLocked(n)
	if err != nil {
		return Network{}, err
	}
	return nw.public(), nil
}

// AddFabric adds an owner's fabric network: a VXLAN-tagged private
// network that only the owner can provision on.
func (t *Triton) AddFabric(owner, name, subnet string, vlan int) (Network, error) {
	t.lock()
	defer t.mu.Unlock()
	tag := "sdc_overlay"
	t.addNicTagLocked(tag, 8500)
	nw, err := t.addNetworkLocked(Network{Name: name, Subnet: subnet, VLANID: vlan, NicTag: tag, MTU: 8500,
		OwnerUUIDs: []string{owner}, Fabric: true})
	if err != nil {
		return Network{}, err
	}
	nw.Gateway = ipString(nw.start)
	if nw.isUsed(nw.start) {
		return nw.public(), nil
	}
	nw.mark(nw.start, true) // the gateway's address
	return nw.public(), nil
}

// AddNetworkPool adds a NAPI network pool of networks (UUIDs or names).
func (t *Triton) AddNetworkPool(name string, networks ...string) (string, error) {
	t.lock()
	defer t.mu.Unlock()
	p, err := t.addPoolLocked(name, networks)
	if err != nil {
		return "", err
	}
	return p.UUID, nil
}

// Networks lists NAPI's networks.
func (t *Triton) Networks() []Network {
	t.lock()
	defer t.mu.Unlock()
	out := make([]Network, len(t.dc.netOrder))
	for i, n := range t.dc.netOrder {
		out[i] = n.public()
	}
	return out
}

// NICs lists the NICs that belong to a server or VM (every NIC for "").
func (t *Triton) NICs(belongsTo string) []NIC {
	t.lock()
	defer t.mu.Unlock()
	list := t.dc.nicOrder
	if belongsTo != "" {
		list = t.nicsOfLocked(belongsTo)
	}
	out := []NIC{}
	for _, n := range list {
		if !n.gone {
			out = append(out, n.render())
		}
	}
	return out
}

// DC is a data center's description, shaped as CNAPI, VMAPI and NAPI list
// them (GET /servers?extras=sysinfo,capacity, GET /vms, GET /networks,
// GET /nics), so that a real DC's listings load into a fake one.
type DC struct {
	Networks []Network  `json:"networks"`
	NicTags  []NicTag   `json:"nic_tags"`
	Servers  []DCServer `json:"servers"`
	VMs      []DCVM     `json:"vms"`
	NICs     []NIC      `json:"nics"`
}

// DCServer is a server as CNAPI lists it; what the fake models is read.
type DCServer struct {
	UUID            string         `json:"uuid"`
	Hostname        string         `json:"hostname"`
	Setup           bool           `json:"setup"`
	Headnode        bool           `json:"headnode"`
	Reserved        bool           `json:"reserved"`
	RAM             int64          `json:"ram"`
	Traits          map[string]any `json:"traits"`
	RackIdentifier  string         `json:"rack_identifier"`
	CurrentPlatform string         `json:"current_platform"`
	BootPlatform    string         `json:"boot_platform"`
	Status          string         `json:"status"`
	Agents          []Agent        `json:"agents"`
	Sysinfo         map[string]any `json:"sysinfo"`
}

// DCVM is a VM as VMAPI lists it.
type DCVM struct {
	UUID              string         `json:"uuid"`
	Alias             string         `json:"alias"`
	Brand             string         `json:"brand"`
	State             string         `json:"state"`
	RAM               int64          `json:"ram"`
	MaxPhysicalMemory int64          `json:"max_physical_memory"`
	Quota             int64          `json:"quota"`
	CPUCap            int64          `json:"cpu_cap"`
	ImageUUID         string         `json:"image_uuid"`
	BillingID         string         `json:"billing_id"`
	ServerUUID        string         `json:"server_uuid"`
	OwnerUUID         string         `json:"owner_uuid"`
	Autoboot          *bool          `json:"autoboot"`
	NICs              []VMNIC        `json:"nics"`
	Tags              map[string]any `json:"tags"`
	CustomerMetadata  map[string]any `json:"customer_metadata"`
	InternalMetadata  map[string]any `json:"internal_metadata"`
	FirewallEnabled   bool           `json:"firewall_enabled"`
	CreateTimestamp   string         `json:"create_timestamp"`
	Snapshots         []Snapshot     `json:"snapshots"`
}

// LoadDC adds a data center described in JSON (see [DC]): NIC tags,
// networks (replacing an unused default of the same name), servers with
// their admin NIC from sysinfo's "Admin IP" and MAC, VMs placed on their
// servers in the state listed with their NICs, and the remaining NICs.
// It stops at the first thing it cannot add.
func (t *Triton) LoadDC(data []byte) error {
	var d DC
	if err := json.Unmarshal(data, &d); err != nil {
		return kit.BadRequest("LoadDC: %v", err)
	}
	return t.loadDC(d, 0)
}

// loadDC loads d; with maxServers > 0, none of it when the DC would have
// more compute nodes than that.
func (t *Triton) loadDC(d DC, maxServers int) error {
	now := t.lock()
	defer t.mu.Unlock()
	if have := len(t.dc.servers); maxServers > 0 && have+len(d.Servers) > maxServers {
		return kit.BadRequest("LoadDC: the DC has %d compute nodes; %d more would pass the limit of %d", have, len(d.Servers), maxServers)
	}
	for _, nt := range d.NicTags {
		t.addNicTagLocked(nt.Name, max(nt.MTU, 1500))
	}
	for _, n := range d.Networks {
		if err := t.loadNetworkLocked(n); err != nil {
			return err
		}
	}
	for _, s := range d.Servers {
		if err := t.loadServerLocked(s, now); err != nil {
			return err
		}
	}
	for _, v := range d.VMs {
		if err := t.loadVMLocked(v, now); err != nil {
			return err
		}
	}
	for _, n := range d.NICs {
		if err := t.loadNICLocked(n, now); err != nil {
			return err
		}
	}
	return nil
}

func (t *Triton) loadNetworkLocked(n Network) error {
	if t.dc.nicTags[n.NicTag] == nil {
		t.addNicTagLocked(n.NicTag, max(n.MTU, 1500))
	}
	if old := t.networkLocked(n.Name); old != nil && old.count == 0 {
		delete(t.dc.networks, old.UUID)
		t.dc.netOrder = slices.DeleteFunc(t.dc.netOrder, func(x *network) bool { return x == old })
	}
	_, err := t.addNetworkLocked(n)
	return err
}

func (t *Triton) loadServerLocked(d DCServer, now time.Time) error {
	p := DefaultProfile()
	if d.RAM > 0 {
		p.RAMMiB = d.RAM
	}
	if d.CurrentPlatform != "" {
		p.Platform = d.CurrentPlatform
	}
	if d.Agents != nil {
		p.Agents = d.Agents
	}
	if si := d.Sysinfo; si != nil {
		if n, ok := si["CPU Total Cores"].(float64); ok {
			p.CPUCores = int(n)
		}
		if n, ok := si["Zpool Size in GiB"].(float64); ok {
			p.ZpoolGiB = int64(n)
		}
		if s, ok := si["System Type"].(string); ok {
			p.SystemType = s
		}
	}
	spec := ServerSpec{UUID: d.UUID, Hostname: d.Hostname, Profile: &p, Unsetup: !d.Setup, Headnode: d.Headnode,
		Reserved: d.Reserved, Traits: d.Traits, Rack: d.RackIdentifier}
	spec.AdminIP, spec.AdminMAC = adminOf(d.Sysinfo)
	s, err := t.addServerLocked(spec, now, true)
	if err != nil {
		return err
	}
	if d.BootPlatform != "" && d.BootPlatform != p.Platform {
		s.bootPlatform = d.BootPlatform
	}
	if d.Status == "unknown" {
		s.hbStop = now.Add(-time.Minute)
	}
	return nil
}

// adminOf is sysinfo's admin IP and the MAC of the NIC named admin.
func adminOf(si map[string]any) (ip, mac string) {
	ip, _ = si["Admin IP"].(string)
	ifaces, _ := si["Network Interfaces"].(map[string]any)
	for _, v := range ifaces {
		nic, _ := v.(map[string]any)
		names, _ := nic["NIC Names"].([]any)
		if slices.Contains(names, any("admin")) {
			mac, _ = nic["MAC Address"].(string)
			if ip == "" {
				ip, _ = nic["ip4addr"].(string)
			}
		}
	}
	return ip, mac
}

func (t *Triton) loadVMLocked(d DCVM, now time.Time) error {
	s := t.dc.servers[d.ServerUUID]
	if d.ServerUUID != "" && s == nil {
		return kit.BadRequest("LoadDC: VM %s is on server %s, which the description does not have", d.UUID, d.ServerUUID)
	}
	if !validUUID(d.UUID) || t.dc.vms[d.UUID] != nil {
		return kit.BadRequest("LoadDC: VM UUID %q is invalid or taken", d.UUID)
	}
	ram := d.RAM
	if ram == 0 {
		ram = d.MaxPhysicalMemory
	}
	created := now
	if tm, err := parseTime(d.CreateTimestamp); err == nil {
		created = tm
	}
	v := &vm{uuid: d.UUID, alias: d.Alias, brand: d.Brand, state: d.State, ram: ram, quota: d.Quota, cpuCap: d.CPUCap,
		imageUUID: d.ImageUUID, billingID: d.BillingID, ownerUUID: d.OwnerUUID, tags: d.Tags, customerMD: d.CustomerMetadata,
		internalMD: d.InternalMetadata, firewall: d.FirewallEnabled, autoboot: d.Autoboot == nil || *d.Autoboot,
		created: created, modified: now, snapshots: d.Snapshots}
	if v.state == "" {
		v.state = "running"
	}
	if v.state == "destroyed" {
		v.destroyed = now
	}
	for _, n := range d.NICs {
		if !v.live() {
			break
		}
		x, err := t.loadOneNICLocked(n.NetworkUUID, n.IP, n.MAC, v.uuid, "zone", v.ownerUUID, now)
		if err != nil {
			return err
		}
		x.primary = n.Primary
		v.nics = append(v.nics, x)
	}
	if s != nil {
		v.server = s
		if v.live() {
			t.placeLocked(v, s)
		}
	}
	t.dc.vms[v.uuid] = v
	t.dc.vmOrder = append(t.dc.vmOrder, v)
	return nil
}

func (t *Triton) loadOneNICLocked(netUUID, ip, mac, belongs, typ, owner string, now time.Time) (*nic, error) {
	nw := t.networkLocked(netUUID)
	if nw == nil {
		return nil, kit.BadRequest("LoadDC: network %q of NIC %s is not in the description", netUUID, mac)
	}
	addr, _ := parseIP4(ip)
	n, err := t.newNICLocked(nw, addr, belongs, typ, owner, now)
	if err != nil {
		return nil, err
	}
	if mac != "" {
		if err := t.setMACLocked(n, mac); err != nil {
			t.deleteNICLocked(n)
			return nil, err
		}
	}
	return n, nil
}

// loadNICLocked adds a NIC NAPI listed, unless a server or VM brought it.
func (t *Triton) loadNICLocked(d NIC, now time.Time) error {
	if m, ok := parseMAC(d.MAC); ok && t.dc.nics[m] != nil {
		return nil
	}
	if d.NetworkUUID == "" {
		return nil // a NIC without an address (a CN's other NICs): nothing to reserve
	}
	n, err := t.loadOneNICLocked(d.NetworkUUID, d.IP, d.MAC, d.BelongsToUUID, d.BelongsToType, d.OwnerUUID, now)
	if err != nil {
		return err
	}
	n.primary, n.tags = d.Primary, d.NicTagsProvided
	return nil
}
