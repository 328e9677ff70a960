package triton

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Network is a NAPI network, as NAPI renders it.
type Network struct {
	UUID             string   `json:"uuid"`
	Name             string   `json:"name"`
	VLANID           int      `json:"vlan_id"`
	Subnet           string   `json:"subnet"`
	Netmask          string   `json:"netmask"`
	ProvisionStartIP string   `json:"provision_start_ip"`
	ProvisionEndIP   string   `json:"provision_end_ip"`
	Gateway          string   `json:"gateway,omitempty"`
	Resolvers        []string `json:"resolvers"`
	NicTag           string   `json:"nic_tag"`
	MTU              int      `json:"mtu"`
	OwnerUUIDs       []string `json:"owner_uuids,omitempty"`
	Fabric           bool     `json:"fabric,omitempty"`
	Description      string   `json:"description,omitempty"`
	Family           string   `json:"family"`
}

// network is a Network with its address space: a bitmap of the used
// addresses of its provision range.
type network struct {
	Network
	start, end uint32   // provision range, inclusive
	base, last uint32   // the subnet's network and broadcast addresses
	used       []uint64 // by ip - base
	next       uint32   // where the next search starts
	count      int
}

// NicTag is a NAPI NIC tag.
type NicTag struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
	MTU  int    `json:"mtu"`
}

// pool is a NAPI network pool.
type pool struct {
	UUID     string   `json:"uuid"`
	Name     string   `json:"name"`
	Networks []string `json:"networks"`
	NicTag   string   `json:"nic_tag"`
	Family   string   `json:"family"`
}

// nic is one NIC: a CN's (belongs_to_type "server") or a VM's ("zone").
type nic struct {
	mac           uint64
	ip            uint32
	net           *network
	belongsToUUID string
	belongsToType string
	ownerUUID     string
	primary       bool
	tags          []string // nic_tags_provided (servers)
	state         string
	created       time.Time
	modified      time.Time
	gone          bool
}

// NIC is a NAPI NIC as NAPI renders it.
type NIC struct {
	MAC               string   `json:"mac"`
	IP                string   `json:"ip,omitempty"`
	Netmask           string   `json:"netmask,omitempty"`
	Gateway           string   `json:"gateway,omitempty"`
	VLANID            int      `json:"vlan_id"`
	NicTag            string   `json:"nic_tag,omitempty"`
	NetworkUUID       string   `json:"network_uuid,omitempty"`
	Resolvers         []string `json:"resolvers,omitempty"`
	MTU               int      `json:"mtu,omitempty"`
	BelongsToUUID     string   `json:"belongs_to_uuid"`
	BelongsToType     string   `json:"belongs_to_type"`
	OwnerUUID         string   `json:"owner_uuid"`
	Primary           bool     `json:"primary"`
	State             string   `json:"state"`
	NicTagsProvided   []string `json:"nic_tags_provided,omitempty"`
	CreatedTimestamp  string   `json:"created_timestamp"`
	ModifiedTimestamp string   `json:"modified_timestamp"`
}

func (n *nic) render() NIC {
	out := NIC{
		MAC: macString(n.mac), BelongsToUUID: n.belongsToUUID, BelongsToType: n.belongsToType,
		OwnerUUID: n.ownerUUID, Primary: n.primary, State: n.state,
		CreatedTimestamp: iso(n.created), ModifiedTimestamp: iso(n.modified),
	}
	if len(n.tags) > 0 {
		out.NicTagsProvided = append([]string(nil), n.tags...)
	}
	if n.net != nil {
		out.IP = ipString(n.ip)
		out.Netmask = n.net.Netmask
		out.Gateway = n.net.Gateway
		out.VLANID = n.net.VLANID
		out.NicTag = n.net.NicTag
		out.NetworkUUID = n.net.UUID
		out.Resolvers = append([]string{}, n.net.Resolvers...)
		out.MTU = n.net.MTU
	}
	return out
}

func ipString(ip uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], ip)
	return net.IP(b[:]).String()
}

func parseIP4(s string) (uint32, bool) {
	ip := net.ParseIP(s).To4()
	if ip == nil {
		return 0, false
	}
	return binary.BigEndian.Uint32(ip), true
}

// newNetwork checks n and gives it its address space.
func newNetwork(n Network) (*network, error) {
	_, ipnet, err := net.ParseCIDR(n.Subnet)
	if err != nil || ipnet.IP.To4() == nil {
		return nil, invalidParam("subnet", "Subnet must be in CIDR form")
	}
	base := binary.BigEndian.Uint32(ipnet.IP.To4())
	ones, _ := ipnet.Mask.Size()
	if ones < 8 {
		return nil, invalidParam("subnet", "Subnet must be /8 or smaller")
	}
	last := base | (1<<(32-ones) - 1)
	n.Subnet = ipnet.String()
	n.Netmask = net.IP(ipnet.Mask).String()
	start, end := base+1, last-1
	if n.ProvisionStartIP != "" {
		v, ok := parseIP4(n.ProvisionStartIP)
		if !ok || v < base || v > last {
			return nil, invalidParam("provision_start_ip", "provision_start_ip must be within subnet")
		}
		start = v
	}
	if n.ProvisionEndIP != "" {
		v, ok := parseIP4(n.ProvisionEndIP)
		if !ok || v < start || v > last {
			return nil, invalidParam("provision_end_ip", "provision_end_ip must be within subnet")
		}
		end = v
	}
	n.ProvisionStartIP, n.ProvisionEndIP = ipString(start), ipString(end)
	if n.MTU == 0 {
		n.MTU = 1500
	}
	if n.Resolvers == nil {
		n.Resolvers = []string{}
	}
	n.Family = "ipv4"
	return &network{Network: n, start: start, end: end, base: base, last: last, next: start}, nil
}

func (n *network) isUsed(ip uint32) bool {
	i := ip - n.base
	return int(i/64) < len(n.used) && n.used[i/64]&(1<<(i%64)) != 0
}

// word is the bitmap's word w, grown on demand: a /12's million
// addresses cost nothing until they are handed out.
func (n *network) word(w uint32) uint64 {
	if int(w) < len(n.used) {
		return n.used[w]
	}
	return 0
}

func (n *network) mark(ip uint32, used bool) {
	i := ip - n.base
	for int(i/64) >= len(n.used) {
		n.used = append(n.used, 0)
	}
	if used {
		n.used[i/64] |= 1 << (i % 64)
		n.count++
	} else {
		n.used[i/64] &^= 1 << (i % 64)
		n.count--
	}
}

// take reserves ip (0: the next free one) and returns it.
func (n *network) take(ip uint32) (uint32, *kit.Error) {
	if ip != 0 {
		if ip <= n.base || ip >= n.last {
			return 0, invalidParam("ip", "IP address not in network's subnet")
		}
		if n.isUsed(ip) {
			return 0, invalidParam("ip", "IP address "+ipString(ip)+" is already taken")
		}
		n.mark(ip, true)
		return ip, nil
	}
	hi := n.end - n.base // the provision range's last bitmap index
	for pass := uint32(0); pass < 2; pass++ {
		for i := n.next - n.base; i <= hi; {
			word := n.word(i/64) | (1<<(i%64) - 1) // bits below i count as used
			if word == ^uint64(0) {
				i = (i/64 + 1) * 64
				continue
			}
			j := (i/64)*64 + uint32(bits.TrailingZeros64(^word))
			if j > hi {
				break
			}
			ip := n.base + j
			n.mark(ip, true)
			n.next = ip + 1
			if n.next > n.end {
				n.next = n.start
			}
			return ip, nil
		}
		n.next = n.start
	}
	return 0, restError(http.StatusInsufficientStorage, "SubnetFull", "no more free IPs")
}

func (n *network) release(ip uint32) {
	if ip > n.base && ip < n.last && n.isUsed(ip) {
		n.mark(ip, false)
	}
}

// parseMAC accepts "00:10:fe:aa:bb:cc", "00-10-fe-…" and NAPI's
// colon-less "0010feaabbcc".
func parseMAC(s string) (uint64, bool) {
	s = strings.NewReplacer(":", "", "-", "").Replace(strings.ToLower(s))
	if len(s) != 12 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, 64)
	return v, err == nil
}

// seedNetworksLocked creates the admin and external networks and their
// NIC tags, as a fresh Triton DC has them; the admin network is a /12 so
// that 100,000 CNs fit.
func (t *Triton) seedNetworksLocked() error {
	for _, tag := range []string{"admin", "external"} {
		t.addNicTagLocked(tag, 1500)
	}
	for _, n := range []Network{
		{Name: "admin", Subnet: "10.64.0.0/12", ProvisionStartIP: "10.64.0.10", ProvisionEndIP: "10.79.255.250",
			Gateway: "10.64.0.1", Resolvers: []string{"10.64.0.11"}, NicTag: "admin"},
		{Name: "external", Subnet: "10.128.0.0/16", ProvisionStartIP: "10.128.0.10", ProvisionEndIP: "10.128.255.250",
			Gateway: "10.128.0.1", Resolvers: []string{"8.8.8.8", "8.8.4.4"}, NicTag: "external"},
	} {
		if _, err := t.addNetworkLocked(n); err != nil {
			return err
		}
	}
	return nil
}

func (t *Triton) addNicTagLocked(name string, mtu int) *NicTag {
	if nt := t.dc.nicTags[name]; nt != nil {
		return nt
	}
	nt := &NicTag{UUID: t.newUUID(), Name: name, MTU: mtu}
	t.dc.nicTags[name] = nt
	t.dc.nicTagList = append(t.dc.nicTagList, name)
	return nt
}

func (t *Triton) addNetworkLocked(n Network) (*network, error) {
	if n.Name == "" {
		return nil, missingParam("name")
	}
	if n.NicTag == "" {
		return nil, missingParam("nic_tag")
	}
	if t.dc.nicTags[n.NicTag] == nil {
		return nil, invalidParam("nic_tag", "nic tag does not exist")
	}
	for _, o := range t.dc.netOrder {
		if o.Name == n.Name {
			return nil, validationFailed("Invalid parameters", FieldError{Field: "name", Code: "Duplicate", Message: "Already exists"})
		}
	}
	nw, err := newNetwork(n)
	if err != nil {
		return nil, err
	}
	if nw.UUID == "" {
		nw.UUID = t.newUUID()
	}
	t.dc.networks[nw.UUID] = nw
	t.dc.netOrder = append(t.dc.netOrder, nw)
	return nw, nil
}

// networkNamed finds a network by UUID or name.
func (t *Triton) networkLocked(id string) *network {
	if n := t.dc.networks[id]; n != nil {
		return n
	}
	for _, n := range t.dc.netOrder {
		if n.Name == id {
			return n
		}
	}
	return nil
}

// newNICLocked provisions a NIC on nw (ip 0: the next free address).
func (t *Triton) newNICLocked(nw *network, ip uint32, belongsTo, belongsType, owner string, now time.Time) (*nic, error) {
	got, err := nw.take(ip)
	if err != nil {
		return nil, err
	}
	n := &nic{mac: t.nextMACLocked(), ip: got, net: nw, belongsToUUID: belongsTo, belongsToType: belongsType,
		ownerUUID: owner, state: "running", created: now, modified: now}
	t.dc.nics[n.mac] = n
	t.dc.nicOrder = append(t.dc.nicOrder, n)
	return n, nil
}

func (t *Triton) nextMACLocked() uint64 {
	for {
		t.dc.nextMAC++
		if t.dc.nics[t.dc.nextMAC] == nil {
			return t.dc.nextMAC
		}
	}
}

// deleteNICLocked releases n's address and forgets it.
func (t *Triton) deleteNICLocked(n *nic) {
	if n.gone {
		return
	}
	n.gone = true
	if n.net != nil {
		n.net.release(n.ip)
	}
	delete(t.dc.nics, n.mac)
	t.dc.nicsGone++
	if t.dc.nicsGone > 1024 && t.dc.nicsGone > len(t.dc.nicOrder)/2 {
		kept := t.dc.nicOrder[:0]
		for _, x := range t.dc.nicOrder {
			if !x.gone {
				kept = append(kept, x)
			}
		}
		clear(t.dc.nicOrder[len(kept):])
		t.dc.nicOrder, t.dc.nicsGone = kept, 0
	}
}

func fmtAny(v any) string { return fmt.Sprint(v) }

func itoa(n int) string { return strconv.Itoa(n) }
