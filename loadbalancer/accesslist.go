package loadbalancer

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the access list API.
const (
	OpGetAccessList       = "loadbalancer.accesslist.get"
	OpAddAccessList       = "loadbalancer.accesslist.create"
	OpDeleteAccessList    = "loadbalancer.accesslist.delete" // the whole list, or ?id= items
	OpDeleteNetworkItem   = "loadbalancer.accesslist.item.delete"
	networkItemNotAllowed = "IP address was not converted properly, we are unable to process this request."
)

func (c *CLB) accessListRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpGetAccessList, Method: "GET", Path: "/loadbalancers/{lb_id}/accesslist", Handler: c.getAccessList},
		{Op: OpAddAccessList, Method: "POST", Path: "/loadbalancers/{lb_id}/accesslist", Handler: c.addAccessList},
		{Op: OpDeleteAccessList, Method: "DELETE", Path: "/loadbalancers/{lb_id}/accesslist", Handler: c.deleteAccessList},
		{Op: OpDeleteNetworkItem, Method: "DELETE", Path: "/loadbalancers/{lb_id}/accesslist/{item_id}", Handler: c.deleteNetworkItem},
	}
}

// itemBody is a network item in a request.
type itemBody struct {
	Address   *string         `json:"address"`
	Type      *string         `json:"type"`
	ID        json.RawMessage `json:"id"`
	IPVersion json.RawMessage `json:"ipVersion"`
}

func (it itemBody) checkEnums() error {
	if it.Type != nil && *it.Type != "ALLOW" && *it.Type != "DENY" {
		return schemaError(fmt.Sprintf("type %q is not one of ALLOW, DENY", *it.Type))
	}
	return nil
}

func (it itemBody) validate() []string {
	var msgs []string
	if present(it.ID) {
		msgs = append(msgs, "Network item id field cannot be modified.")
	}
	if it.Address == nil {
		msgs = append(msgs, "Must provide an address for the network item.")
	}
	if present(it.IPVersion) {
		msgs = append(msgs, "The ip version field cannot be modified.")
	}
	if it.Type == nil {
		msgs = append(msgs, "Must provide a valid type for the network item.")
	}
	return msgs
}

// itemsOf is the network items validated request items describe, without
// IDs.
func itemsOf(in []itemBody) []NetworkItem {
	out := make([]NetworkItem, 0, len(in))
	for _, it := range in {
		out = append(out, NetworkItem{Address: *it.Address, Type: *it.Type})
	}
	return out
}

// checkNetworkAddress accepts an IP address or a CIDR.
func checkNetworkAddress(a string) error {
	if net.ParseIP(a) != nil {
		return nil
	}
	if _, _, err := net.ParseCIDR(a); err == nil {
		return nil
	}
	return kit.BadRequest(networkItemNotAllowed)
}

// sameNetwork compares addresses as networks (10.0.0.1 and 10.0.0.1/32 are
// one item).
func sameNetwork(a, b string) bool {
	norm := func(s string) string {
		if ip := net.ParseIP(s); ip != nil {
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			return (&net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}).String()
		}
		if _, n, err := net.ParseCIDR(s); err == nil {
			return n.String()
		}
		return s
	}
	return norm(a) == norm(b)
}

func (c *CLB) getAccessList(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(accessListJSON{renderItems(lb.AccessList)}), nil
}

type accessListJSON struct {
	AccessList []itemJSON `json:"accessList"`
}

type accessListBody struct {
	AccessList []itemBody `json:"accessList"`
}

// addAccessList appends network items: all-or-nothing, unique addresses,
// at most the account's access list limit in total.
func (c *CLB) addAccessList(call *kit.Call) (kit.Reply, error) {
	var in accessListBody
	if err := decodeBody(call.Body, &in); err != nil {
		return kit.Reply{}, err
	}
	var msgs []string
	if len(in.AccessList) == 0 {
		msgs = append(msgs, "Must provide at least one network item to the access list.")
	}
	if len(in.AccessList) > 100 {
		msgs = append(msgs, "Must not provide more than one hundred network items for the access list.")
	}
	for _, it := range in.AccessList {
		if err := it.checkEnums(); err != nil {
			return kit.Reply{}, err
		}
		msgs = append(msgs, it.validate()...)
	}
	if len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	for _, it := range in.AccessList {
		if err := checkNetworkAddress(*it.Address); err != nil {
			return kit.Reply{}, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	for i, it := range in.AccessList {
		for _, old := range lb.AccessList {
			if sameNetwork(old.Address, *it.Address) {
				return kit.Reply{}, kit.BadRequest("Must supply a unique access list item to update the current list.")
			}
		}
		for _, other := range in.AccessList[:i] {
			if sameNetwork(*other.Address, *it.Address) {
				return kit.Reply{}, kit.BadRequest("Must supply a unique access list item to update the current list.")
			}
		}
	}
	if limit := c.cfg.limits.AccessList; limit > 0 && len(lb.AccessList)+len(in.AccessList) > limit {
		return kit.Reply{}, kit.BadRequest("Access list size must not exceed %d items.", limit)
	}
	lb.AccessList = append(lb.AccessList, c.itemsLocked(itemsOf(in.AccessList))...)
	c.changedLocked(lb, c.Now())
	return kit.Status(http.StatusAccepted), nil
}

// deleteAccessList deletes the whole list, or with ?id= those items (all of
// them or none).
func (c *CLB) deleteAccessList(call *kit.Call) (kit.Reply, error) {
	ids, bad := queryIDs(call)
	batch := len(ids) > 0 || len(bad) > 0
	if limit := c.cfg.limits.BatchDelete; batch && limit > 0 && len(ids)+len(bad) > limit {
		return kit.Reply{}, kit.BadRequest("Currently, the limit of accepted parameters is: %d :please supply a valid parameter list.", limit)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if !batch {
		if err := mutableLocked(lb); err != nil {
			return kit.Reply{}, err
		}
		if len(lb.AccessList) == 0 {
			return kit.Reply{}, kit.Errorf(http.StatusUnprocessableEntity, "No access list found to delete")
		}
		lb.AccessList = nil
		c.changedLocked(lb, c.Now())
		return kit.Status(http.StatusAccepted), nil
	}
	if lb.Status != StatusActive {
		return kit.Reply{}, kit.Errorf(http.StatusUnprocessableEntity, msgNotActive)
	}
	missing := append([]string(nil), bad...)
	for _, id := range ids {
		if itemIndex(lb.AccessList, id) < 0 {
			missing = append(missing, strconv.Itoa(id))
		}
	}
	if len(missing) > 0 {
		plural := ""
		if len(missing) > 1 {
			plural = "s"
		}
		return kit.Reply{}, kit.BadRequest("Network item%s with id%s %s not found.", plural, plural, strings.Join(missing, ","))
	}
	kept := make([]NetworkItem, 0, len(lb.AccessList))
	for _, it := range lb.AccessList {
		if !containsInt(ids, it.ID) {
			kept = append(kept, it)
		}
	}
	lb.AccessList = kept
	c.changedLocked(lb, c.Now())
	return kit.Status(http.StatusAccepted), nil
}

func (c *CLB) deleteNetworkItem(call *kit.Call) (kit.Reply, error) {
	id, convErr := strconv.Atoi(call.Var("item_id"))
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	i := itemIndex(lb.AccessList, id)
	if convErr != nil || i < 0 {
		return kit.Reply{}, kit.Errorf(http.StatusNotFound, "Network item not found")
	}
	lb.AccessList = append(lb.AccessList[:i:i], lb.AccessList[i+1:]...)
	c.changedLocked(lb, c.Now())
	return kit.Status(http.StatusAccepted), nil
}

func itemIndex(items []NetworkItem, id int) int {
	for i, it := range items {
		if it.ID == id {
			return i
		}
	}
	return -1
}
