package triton

import (
	"net/http"
	"slices"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// NAPI's ops.
const (
	OpNAPIPing           = "triton.napi.ping"
	OpNAPINetworksList   = "triton.napi.networks.list"
	OpNAPINetworksCreate = "triton.napi.networks.create"
	OpNAPINetworksGet    = "triton.napi.networks.get"
	OpNAPINetworksDelete = "triton.napi.networks.delete"
	OpNAPINetworkNicsAdd = "triton.napi.networks.nics.create"
	OpNAPIPoolsList      = "triton.napi.network_pools.list"
	OpNAPIPoolsCreate    = "triton.napi.network_pools.create"
	OpNAPIPoolsGet       = "triton.napi.network_pools.get"
	OpNAPIPoolsDelete    = "triton.napi.network_pools.delete"
	OpNAPINicTagsList    = "triton.napi.nic_tags.list"
	OpNAPINicTagsCreate  = "triton.napi.nic_tags.create"
	OpNAPINicTagsGet     = "triton.napi.nic_tags.get"
	OpNAPINicTagsDelete  = "triton.napi.nic_tags.delete"
	OpNAPINicsList       = "triton.napi.nics.list"
	OpNAPINicsGet        = "triton.napi.nics.get"
	OpNAPINicsUpdate     = "triton.napi.nics.update"
	OpNAPINicsDelete     = "triton.napi.nics.delete"
)

func (t *Triton) napiRoutes() []kit.Route {
	// NAPI answers 422 InvalidParameters, each field's code
	// InvalidParameter (VMAPI's are 409 ValidationFailed with Invalid).
	return withValidationAs(t.napiRouteTable(), http.StatusUnprocessableEntity, "Invalid parameters", func(code string) string {
		if code == "Invalid" {
			return "InvalidParameter"
		}
		return code
	})
}

func (t *Triton) napiRouteTable() []kit.Route {
	return []kit.Route{
		{Op: OpNAPIPing, Method: "GET,HEAD", Path: "/ping", Handler: func(*kit.Call) (kit.Reply, error) {
			return kit.OK(map[string]any{"healthy": true, "services": map[string]string{"moray": "online"}, "status": "OK"}), nil
		}},
		{Op: OpNAPINetworksList, Method: "GET", Path: "/networks", Handler: t.listNetworks},
		{Op: OpNAPINetworksCreate, Method: "POST", Path: "/networks", Handler: t.createNetwork},
		{Op: OpNAPINetworksGet, Method: "GET", Path: "/networks/{uuid}", Handler: t.getNetwork},
		{Op: OpNAPINetworksDelete, Method: "DELETE", Path: "/networks/{uuid}", Handler: t.deleteNetwork},
		{Op: OpNAPINetworkNicsAdd, Method: "POST", Path: "/networks/{uuid}/nics", Handler: t.provisionNic},
		{Op: OpNAPIPoolsList, Method: "GET", Path: "/network_pools", Handler: t.listPools},
		{Op: OpNAPIPoolsCreate, Method: "POST", Path: "/network_pools", Handler: t.createPool},
		{Op: OpNAPIPoolsGet, Method: "GET", Path: "/network_pools/{uuid}", Handler: t.getPool},
		{Op: OpNAPIPoolsDelete, Method: "DELETE", Path: "/network_pools/{uuid}", Handler: t.deletePool},
		{Op: OpNAPINicTagsList, Method: "GET", Path: "/nic_tags", Handler: t.listNicTags},
		{Op: OpNAPINicTagsCreate, Method: "POST", Path: "/nic_tags", Handler: t.createNicTag},
		{Op: OpNAPINicTagsGet, Method: "GET", Path: "/nic_tags/{name}", Handler: t.getNicTag},
		{Op: OpNAPINicTagsDelete, Method: "DELETE", Path: "/nic_tags/{name}", Handler: t.deleteNicTag},
		{Op: OpNAPINicsList, Method: "GET", Path: "/nics", Handler: t.listNics},
		{Op: OpNAPINicsGet, Method: "GET", Path: "/nics/{mac}", Handler: t.getNic},
		{Op: OpNAPINicsUpdate, Method: "PUT", Path: "/nics/{mac}", Handler: t.updateNic},
		{Op: OpNAPINicsDelete, Method: "DELETE", Path: "/nics/{mac}", Handler: t.deleteNic},
	}
}

func napiNotFound(kind string) error {
	return restError(http.StatusNotFound, "ResourceNotFound", kind+" not found")
}

func (t *Triton) listNetworks(c *kit.Call) (kit.Reply, error) {
	q := c.Query()
	limit, offset, err := page(q, 1000)
	if err != nil {
		return kit.Reply{}, err
	}
	name, tag, owner, fabric := q.Get("name"), q.Get("nic_tag"), q.Get("provisionable_by"), q.Get("fabric")
	t.lock()
	defer t.mu.Unlock()
	out := []Network{}
	n := 0
	for _, nw := range t.dc.netOrder {
		switch {
		case name != "" && nw.Name != name, tag != "" && nw.NicTag != tag,
			owner != "" && len(nw.OwnerUUIDs) > 0 && !slices.Contains(nw.OwnerUUIDs, owner),
			fabric == "true" && !nw.Fabric, len(out) >= limit:
			continue
		}
		if n >= offset {
			out = append(out, nw.public())
		}
		n++
	}
	return kit.OK(out), nil
}

func (n *network) public() Network {
	out := n.Network
	out.Resolvers = slices.Clone(n.Resolvers)
	out.OwnerUUIDs = slices.Clone(n.OwnerUUIDs)
	return out
}

func (t *Triton) createNetwork(c *kit.Call) (kit.Reply, error) {
	var body Network
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	body.UUID = ""
	t.lock()
	defer t.mu.Unlock()
	nw, err := t.addNetworkLocked(body)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(nw.public()), nil
}

func (t *Triton) getNetwork(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	nw := t.dc.networks[c.Var("uuid")]
	if nw == nil {
		return kit.Reply{}, napiNotFound("network")
	}
	return kit.OK(nw.public()), nil
}

func (t *Triton) deleteNetwork(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	nw := t.dc.networks[c.Var("uuid")]
	if nw == nil {
		return kit.Reply{}, napiNotFound("network")
	}
	if nw.count > 0 {
		return kit.Reply{}, restError(http.StatusUnprocessableEntity, "InUse", "Network is in use")
	}
	delete(t.dc.networks, nw.UUID)
	t.dc.netOrder = slices.DeleteFunc(t.dc.netOrder, func(x *network) bool { return x == nw })
	return kit.Status(http.StatusNoContent), nil
}

// nicBody is what creating or updating a NIC takes.
type nicBody struct {
	BelongsToUUID   string   `json:"belongs_to_uuid"`
	BelongsToType   string   `json:"belongs_to_type"`
	OwnerUUID       string   `json:"owner_uuid"`
	IP              string   `json:"ip"`
	MAC             string   `json:"mac"`
	Primary         *bool    `json:"primary"`
	NicTagsProvided []string `json:"nic_tags_provided"`
	State           string   `json:"state"`
}

func (b nicBody) missing() error {
	var errs []FieldError
	for f, v := range map[string]string{"belongs_to_uuid": b.BelongsToUUID, "belongs_to_type": b.BelongsToType, "owner_uuid": b.OwnerUUID} {
		if v == "" {
			errs = append(errs, FieldError{Field: f, Code: "MissingParameter", Message: "Missing parameter"})
		}
	}
	if len(errs) > 0 {
		return validationFailed("Missing parameters", sortFieldErrors(errs)...)
	}
	switch b.BelongsToType {
	case "server", "zone", "other":
	default:
		return invalidParam("belongs_to_type", "must be one of: \"other\", \"server\", \"zone\"")
	}
	return nil
}

// provisionNic is POST /networks/:uuid/nics: a NIC with the network's next
// free IP (or the one asked for).
func (t *Triton) provisionNic(c *kit.Call) (kit.Reply, error) {
	var body nicBody
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	if err := body.missing(); err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	nw := t.dc.networks[c.Var("uuid")]
	if nw == nil {
		return kit.Reply{}, napiNotFound("network")
	}
	var ip uint32
	if body.IP != "" {
		v, ok := parseIP4(body.IP)
		if !ok {
			return kit.Reply{}, invalidParam("ip", "invalid IP address")
		}
		ip = v
	}
	n, err := t.newNICLocked(nw, ip, body.BelongsToUUID, body.BelongsToType, body.OwnerUUID, now)
	if err != nil {
		return kit.Reply{}, err
	}
	if body.MAC != "" {
		if err := t.setMACLocked(n, body.MAC); err != nil {
			t.deleteNICLocked(n)
			return kit.Reply{}, err
		}
	}
	n.tags = slices.Clone(body.NicTagsProvided)
	if body.Primary != nil {
		n.primary = *body.Primary
	}
	return kit.OK(n.render()), nil
}

func (t *Triton) listPools(*kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	out := []pool{}
	for _, p := range t.dc.poolOrder {
		out = append(out, *p)
	}
	return kit.OK(out), nil
}

func (t *Triton) createPool(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Name     string   `json:"name"`
		Networks []string `json:"networks"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	switch {
	case body.Name == "":
		return kit.Reply{}, missingParam("name")
	case len(body.Networks) == 0:
		return kit.Reply{}, missingParam("networks")
	}
	t.lock()
	defer t.mu.Unlock()
	p, err := t.addPoolLocked(body.Name, body.Networks)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(*p), nil
}

func (t *Triton) addPoolLocked(name string, nets []string) (*pool, error) {
	p := &pool{UUID: t.newUUID(), Name: name, Family: "ipv4"}
	for _, id := range nets {
		nw := t.networkLocked(id)
		if nw == nil {
			return nil, invalidParam("networks", "unknown network "+id)
		}
		if p.NicTag == "" {
			p.NicTag = nw.NicTag
		} else if p.NicTag != nw.NicTag {
			return nil, invalidParam("networks", "all networks in a pool must have the same nic tag")
		}
		p.Networks = append(p.Networks, nw.UUID)
	}
	t.dc.pools[p.UUID] = p
	t.dc.poolOrder = append(t.dc.poolOrder, p)
	return p, nil
}

func (t *Triton) getPool(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	p := t.dc.pools[c.Var("uuid")]
	if p == nil {
		return kit.Reply{}, napiNotFound("network pool")
	}
	return kit.OK(*p), nil
}

func (t *Triton) deletePool(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	p := t.dc.pools[c.Var("uuid")]
	if p == nil {
		return kit.Reply{}, napiNotFound("network pool")
	}
	delete(t.dc.pools, p.UUID)
	t.dc.poolOrder = slices.DeleteFunc(t.dc.poolOrder, func(x *pool) bool { return x == p })
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) listNicTags(*kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	out := make([]NicTag, 0, len(t.dc.nicTagList))
	for _, name := range t.dc.nicTagList {
		out = append(out, *t.dc.nicTags[name])
	}
	return kit.OK(out), nil
}

func (t *Triton) createNicTag(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Name string `json:"name"`
		MTU  int    `json:"mtu"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	if body.Name == "" {
		return kit.Reply{}, missingParam("name")
	}
	if len(body.Name) > 31 || strings.ContainsFunc(body.Name, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		return kit.Reply{}, invalidParam("name", "must only contain numbers, letters and underscores")
	}
	if body.MTU == 0 {
		body.MTU = 1500
	}
	if body.MTU < 1500 || body.MTU > 9000 {
		return kit.Reply{}, invalidParam("mtu", "mtu must be between 1500 and 9000")
	}
	t.lock()
	defer t.mu.Unlock()
	if t.dc.nicTags[body.Name] != nil {
		return kit.Reply{}, validationFailed("Invalid parameters", FieldError{Field: "name", Code: "Duplicate", Message: "Already exists"})
	}
	return kit.OK(*t.addNicTagLocked(body.Name, body.MTU)), nil
}

func (t *Triton) getNicTag(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	nt := t.dc.nicTags[c.Var("name")]
	if nt == nil {
		return kit.Reply{}, napiNotFound("nic tag")
	}
	return kit.OK(*nt), nil
}

func (t *Triton) deleteNicTag(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	name := c.Var("name")
	if t.dc.nicTags[name] == nil {
		return kit.Reply{}, napiNotFound("nic tag")
	}
	for _, nw := range t.dc.netOrder {
		if nw.NicTag == name {
			return kit.Reply{}, restError(http.StatusUnprocessableEntity, "InUse", "Nic tag is in use")
		}
	}
	delete(t.dc.nicTags, name)
	t.dc.nicTagList = slices.DeleteFunc(t.dc.nicTagList, func(x string) bool { return x == name })
	return kit.Status(http.StatusNoContent), nil
}

// listNics is ListNics: creation order, filtered by belongs_to_uuid,
// belongs_to_type, owner_uuid, nic_tag and network_uuid.
func (t *Triton) listNics(c *kit.Call) (kit.Reply, error) {
	q := c.Query()
	limit, offset, err := page(q, 1000)
	if err != nil {
		return kit.Reply{}, err
	}
	bu, bt, owner, tag, netw := q.Get("belongs_to_uuid"), q.Get("belongs_to_type"), q.Get("owner_uuid"), q.Get("nic_tag"), q.Get("network_uuid")
	t.lock()
	defer t.mu.Unlock()
	candidates := t.dc.nicOrder
	if bu != "" {
		candidates = t.nicsOfLocked(bu)
	}
	out := []NIC{}
	n := 0
	for _, x := range candidates {
		if len(out) >= limit {
			break
		}
		switch {
		case x.gone, bu != "" && x.belongsToUUID != bu, bt != "" && x.belongsToType != bt, owner != "" && x.ownerUUID != owner,
			tag != "" && (x.net == nil || x.net.NicTag != tag) && !slices.Contains(x.tags, tag),
			netw != "" && (x.net == nil || x.net.UUID != netw):
			continue
		}
		if n >= offset {
			out = append(out, x.render())
		}
		n++
	}
	return kit.OK(out), nil
}

// nicsOfLocked is what belongs to a server or VM, without scanning every NIC.
func (t *Triton) nicsOfLocked(uuid string) []*nic {
	if s := t.dc.servers[uuid]; s != nil {
		out := []*nic{}
		if s.adminNIC != nil {
			out = append(out, s.adminNIC)
		}
		return append(out, s.extraNICs...)
	}
	if v := t.dc.vms[uuid]; v != nil {
		return v.nics
	}
	var out []*nic
	for _, n := range t.dc.nicOrder {
		if n.belongsToUUID == uuid {
			out = append(out, n)
		}
	}
	return out
}

func (t *Triton) nicLocked(mac string) (*nic, error) {
	m, ok := parseMAC(mac)
	if !ok {
		return nil, invalidParam("mac", "invalid MAC address")
	}
	n := t.dc.nics[m]
	if n == nil {
		return nil, napiNotFound("nic")
	}
	return n, nil
}

func (t *Triton) getNic(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	n, err := t.nicLocked(c.Var("mac"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(n.render()), nil
}

func (t *Triton) updateNic(c *kit.Call) (kit.Reply, error) {
	var body nicBody
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	n, err := t.nicLocked(c.Var("mac"))
	if err != nil {
		return kit.Reply{}, err
	}
	switch body.State {
	case "", "provisioning", "running", "stopped":
	default:
		return kit.Reply{}, invalidParam("state", "must be one of: \"provisioning\", \"running\", \"stopped\"")
	}
	for _, tag := range body.NicTagsProvided {
		if t.dc.nicTags[tag] == nil {
			return kit.Reply{}, invalidParam("nic_tags_provided", "nic tag "+tag+" does not exist")
		}
	}
	if body.NicTagsProvided != nil {
		n.tags = slices.Clone(body.NicTagsProvided)
	}
	if body.State != "" {
		n.state = body.State
	}
	if body.Primary != nil {
		n.primary = *body.Primary
	}
	if body.OwnerUUID != "" {
		n.ownerUUID = body.OwnerUUID
	}
	n.modified = now
	return kit.OK(n.render()), nil
}

func (t *Triton) deleteNic(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	n, err := t.nicLocked(c.Var("mac"))
	if err != nil {
		return kit.Reply{}, err
	}
	if s := t.dc.servers[n.belongsToUUID]; s != nil {
		if s.adminNIC == n {
			s.adminNIC = nil
		}
		s.extraNICs = slices.DeleteFunc(s.extraNICs, func(x *nic) bool { return x == n })
	}
	if v := t.dc.vms[n.belongsToUUID]; v != nil {
		v.nics = slices.DeleteFunc(v.nics, func(x *nic) bool { return x == n })
	}
	t.deleteNICLocked(n)
	return kit.Status(http.StatusNoContent), nil
}
