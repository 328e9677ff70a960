package loadbalancer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the virtual IP API.
const (
	OpListVirtualIPs        = "loadbalancer.virtualips.list"
	OpAddVirtualIP          = "loadbalancer.virtualips.create"
	OpBatchDeleteVirtualIPs = "loadbalancer.virtualips.batchdelete"
	OpDeleteVirtualIP       = "loadbalancer.virtualips.delete"
)

func (c *CLB) virtualIPRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpListVirtualIPs, Method: "GET", Path: "/loadbalancers/{lb_id}/virtualips", Handler: c.listVirtualIPs},
		{Op: OpAddVirtualIP, Method: "POST", Path: "/loadbalancers/{lb_id}/virtualips", Handler: c.addVirtualIP},
		{Op: OpBatchDeleteVirtualIPs, Method: "DELETE", Path: "/loadbalancers/{lb_id}/virtualips", Handler: c.batchDeleteVirtualIPs},
		{Op: OpDeleteVirtualIP, Method: "DELETE", Path: "/loadbalancers/{lb_id}/virtualips/{vip_id}", Handler: c.deleteVirtualIP},
	}
}

// vipBody is a virtual IP in a request: a new one by type (and version),
// or a shared one by ID.
type vipBody struct {
	ID        *flexInt        `json:"id"`
	Type      *string         `json:"type"`
	IPVersion *string         `json:"ipVersion"`
	Address   json.RawMessage `json:"address"`
}

func (v vipBody) validate() []string {
	var msgs []string
	if present(v.Address) {
		msgs = append(msgs, "Virtual ip address field cannot be modified.")
	}
	if (v.ID == nil) == (v.Type == nil) {
		msgs = append(msgs, "Must specify either a shared or new virtual ip.")
	}
	if v.IPVersion != nil && *v.IPVersion != "IPV4" && *v.IPVersion != "IPV6" {
		msgs = append(msgs, "Must specify a valid IP version.")
	}
	if v.Type != nil && *v.Type == "SERVICENET" && v.IPVersion != nil && *v.IPVersion == "IPV6" {
		msgs = append(msgs, "Must specify a valid IP type. IPv6 supports the 'PUBLIC' type only.")
	}
	return msgs
}

// vipPlan is what a create will do with its virtual IPs.
type vipPlan struct {
	shared []*sharedVIP
	fresh  []VirtualIP // addresses not yet allocated (ID zero; an Address is kept)
}

func (p vipPlan) addresses() map[string]bool {
	out := map[string]bool{}
	for _, v := range p.shared {
		out[v.Address] = true
	}
	return out
}

// planVIPsLocked checks the requested virtual IPs: at most one IPv4 and one
// IPv6, shared ones must exist, be the tenant's, and not already carry a
// load balancer on the same port.
func (c *CLB) planVIPsLocked(tenant string, in []vipBody, port int) (vipPlan, error) {
	var p vipPlan
	v4, v6 := 0, 0
	for _, v := range in {
		if v.ID != nil {
			sv, ok := c.vips[int(*v.ID)]
			if !ok {
				return p, kit.BadRequest("Shared virtual ip could not be found. Please provide a valid virtual ip id to process this request.")
			}
			if sv.tenant != tenant {
				return p, kit.Errorf(http.StatusNotFound, "Invalid requesting account for the shared virtual ip.")
			}
			for id := range sv.lbs {
				if other, ok := c.lbs[id]; ok && other.Port == port {
					return p, kit.BadRequest("The requesting load balancer is in conflict with the shared virtual ip port/protocol combination. Please refer to documentation for more info.")
				}
			}
			if sv.IPVersion == "IPV4" {
				v4++
			} else {
				v6++
			}
			p.shared = append(p.shared, sv)
			continue
		}
		typ := *v.Type
		switch {
		case v.IPVersion == nil && typ == "PUBLIC":
			p.fresh = append(p.fresh, VirtualIP{Type: typ, IPVersion: "IPV4"}, VirtualIP{Type: typ, IPVersion: "IPV6"})
			v4++
			v6++
		case v.IPVersion == nil || *v.IPVersion == "IPV4":
			p.fresh = append(p.fresh, VirtualIP{Type: typ, IPVersion: "IPV4"})
			v4++
		default:
			p.fresh = append(p.fresh, VirtualIP{Type: typ, IPVersion: "IPV6"})
			v6++
		}
	}
	if v4 > 1 {
		return p, kit.BadRequest("Cannot supply more than one IPV4 virtual ip.")
	}
	if v6 > 1 {
		return p, kit.BadRequest("Cannot supply more than one IPV6 virtual ip")
	}
	return p, nil
}

// applyVIPsLocked allocates the fresh addresses of a plan and attaches all
// of its virtual IPs to load balancer lbID.
func (c *CLB) applyVIPsLocked(lbID int, tenant string, p vipPlan) []int {
	var ids []int
	for _, sv := range p.shared {
		sv.lbs[lbID] = true
		ids = append(ids, sv.ID)
	}
	for _, v := range p.fresh {
		sv := c.allocateVIPLocked(tenant, v.Type, v.IPVersion)
		if v.Address != "" {
			sv.Address = v.Address
		}
		sv.lbs[lbID] = true
		ids = append(ids, sv.ID)
	}
	return ids
}

// allocateVIPLocked hands out the next address: public IPv4 from
// 198.18.0.0/16, ServiceNet from 10.190.0.0/16, IPv6 from 2001:db8::/32
// (documentation and benchmarking ranges; they wrap after 65,024).
func (c *CLB) allocateVIPLocked(tenant, typ, version string) *sharedVIP {
	c.seq.vip++
	var addr string
	switch {
	case version == "IPV6":
		c.seq.public6++
		n := c.seq.public6
		addr = fmt.Sprintf("2001:0db8:0000:0000:0000:0000:%04x:%04x", (n>>16)&0xffff, n&0xffff)
	case typ == "SERVICENET":
		n := c.seq.service4 % 65024
		c.seq.service4++
		addr = fmt.Sprintf("10.190.%d.%d", n/254, n%254+1)
	default:
		n := c.seq.public4 % 65024
		c.seq.public4++
		addr = fmt.Sprintf("198.18.%d.%d", n/254, n%254+1)
	}
	sv := &sharedVIP{VirtualIP: VirtualIP{ID: c.seq.vip, Address: addr, Type: typ, IPVersion: version}, tenant: tenant, lbs: map[int]bool{}}
	c.vips[sv.ID] = sv
	return sv
}

// releaseVIPsLocked detaches a load balancer from its virtual IPs; an
// address no load balancer uses any more is freed.
func (c *CLB) releaseVIPsLocked(lb *loadBalancer) {
	for _, id := range lb.vipIDs {
		c.detachVIPLocked(lb.ID, id)
	}
	lb.vipIDs = nil
}

func (c *CLB) detachVIPLocked(lbID, vipID int) {
	if sv, ok := c.vips[vipID]; ok {
		delete(sv.lbs, lbID)
		if len(sv.lbs) == 0 {
			delete(c.vips, vipID)
		}
	}
}

// portTakenLocked reports whether another load balancer sharing one of lb's
// virtual IPs listens on port.
func (c *CLB) portTakenLocked(lb *loadBalancer, port int) bool {
	for _, vid := range lb.vipIDs {
		if sv, ok := c.vips[vid]; ok {
			for id := range sv.lbs {
				if other, ok := c.lbs[id]; ok && id != lb.ID && other.Port == port {
					return true
				}
			}
		}
	}
	return false
}

func (c *CLB) listVirtualIPs(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(struct {
		VirtualIPs []vipJSON `json:"virtualIps"`
	}{renderVIPs(c.vipsOfLocked(lb))}), nil
}

// addVirtualIP adds an IPv6 address; only {"type": "PUBLIC", "ipVersion":
// "IPV6"} is accepted.
func (c *CLB) addVirtualIP(call *kit.Call) (kit.Reply, error) {
	var in vipBody
	if err := decodeBody(call.Body, &in); err != nil {
		return kit.Reply{}, err
	}
	var msgs []string
	if present(in.Address) {
		msgs = append(msgs, "Virtual ip address field cannot be modified.")
	}
	if in.ID != nil {
		msgs = append(msgs, "Cannot add a shared virtual ip.")
	}
	if in.Type == nil || *in.Type != "PUBLIC" {
		msgs = append(msgs, "Must specify a valid IP type. IPv6 supports the 'PUBLIC' type only.")
	}
	if in.IPVersion == nil || *in.IPVersion != "IPV6" {
		msgs = append(msgs, "Must specify a valid IP version, currently only IPv6 is supported for this operation.")
	}
	if len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if limit := c.cfg.limits.IPv6; limit > 0 {
		n := 0
		for _, v := range c.vipsOfLocked(lb) {
			if v.IPVersion == "IPV6" {
				n++
			}
		}
		if n >= limit {
			return kit.Reply{}, overLimit("Your load balancer cannot have more than %d IPv6 virtual ips.", limit)
		}
	}
	sv := c.allocateVIPLocked(lb.Tenant, "PUBLIC", "IPV6")
	sv.lbs[lb.ID] = true
	lb.vipIDs = append(lb.vipIDs, sv.ID)
	c.changedLocked(lb, c.Now())
	v := sv.VirtualIP
	return kit.JSON(http.StatusAccepted, vipJSON{Address: v.Address, ID: v.ID, Type: v.Type, IPVersion: v.IPVersion}), nil
}

func (c *CLB) deleteVirtualIP(call *kit.Call) (kit.Reply, error) {
	vid, convErr := strconv.Atoi(call.Var("vip_id"))
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if convErr != nil || !containsInt(lb.vipIDs, vid) {
		return kit.Reply{}, kit.Errorf(http.StatusNotFound, "Virtual ip not found")
	}
	if len(lb.vipIDs) <= 1 {
		return kit.Reply{}, kit.BadRequest("Cannot delete virtual ips. Minimum number of virtual ips required is 1.")
	}
	c.removeVIPsLocked(lb, []int{vid})
	c.changedLocked(lb, c.Now())
	return kit.Status(http.StatusAccepted), nil
}

func (c *CLB) batchDeleteVirtualIPs(call *kit.Call) (kit.Reply, error) {
	ids, bad := queryIDs(call)
	if len(ids) == 0 && len(bad) == 0 {
		return kit.Reply{}, kit.BadRequest(msgNoIDs)
	}
	if limit := c.cfg.limits.BatchDelete; limit > 0 && len(ids)+len(bad) > limit {
		return kit.Reply{}, kit.BadRequest("Currently, the limit of accepted parameters is: %d :please supply a valid parameter list.", limit)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	missing := append([]string(nil), bad...)
	for _, id := range ids {
		if !containsInt(lb.vipIDs, id) {
			missing = append(missing, strconv.Itoa(id))
		}
	}
	if len(missing) > 0 {
		return kit.Reply{}, kit.BadRequest("Must provide valid virtual ips, %s could not be found.", joinStrings(missing))
	}
	if len(lb.vipIDs)-len(ids) < 1 {
		return kit.Reply{}, kit.BadRequest("Cannot delete virtual ips. Minimum number of virtual ips required is 1.")
	}
	c.removeVIPsLocked(lb, ids)
	c.changedLocked(lb, c.Now())
	return kit.Status(http.StatusAccepted), nil
}

func (c *CLB) removeVIPsLocked(lb *loadBalancer, ids []int) {
	kept := lb.vipIDs[:0]
	for _, id := range lb.vipIDs {
		if containsInt(ids, id) {
			c.detachVIPLocked(lb.ID, id)
			continue
		}
		kept = append(kept, id)
	}
	lb.vipIDs = kept
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func joinStrings(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ","
		}
		out += p
	}
	return out
}
