package loadbalancer

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Route names of the access list API.
const (
	OpGetAccessList       = "loadbalancer.accesslist.get"
	OpAddAccessList       = "loadbalancer.accesslist.create"
	OpDeleteAccessList    = "loadbalancer.accesslist.delete" // the whole list, or ?id= items
	OpDeleteNetworkItem   = "loadbalancer.accesslist.item.delete"
	networkItemNotAllowed = "IP address was not converted properly, we are unable to process this request."
)

func (c *CLB) accessListRoutes() []apiRoute {
	return []apiRoute{
		{OpGetAccessList, "GET", "/loadbalancers/{lb_id}/accesslist", c.getAccessList},
		{OpAddAccessList, "POST", "/loadbalancers/{lb_id}/accesslist", c.addAccessList},
		{OpDeleteAccessList, "DELETE", "/loadbalancers/{lb_id}/accesslist", c.deleteAccessList},
		{OpDeleteNetworkItem, "DELETE", "/loadbalancers/{lb_id}/accesslist/{item_id}", c.deleteNetworkItem},
	}
}

// itemBody is a network item in a request.
type itemBody struct {
	Address   *string         `json:"address"`
	Type      *string         `json:"type"`
	ID        json.RawMessage `json:"id"`
	IPVersion json.RawMessage `json:"ipVersion"`
}

func (it itemBody) checkEnums() *apiError {
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

// checkNetworkAddress accepts an IP address or a CIDR.
func checkNetworkAddress(a string) *apiError {
	if net.ParseIP(a) != nil {
		return nil
	}
	if _, _, err := net.ParseCIDR(a); err == nil {
		return nil
	}
	return badRequest(networkItemNotAllowed)
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

func (c *CLB) getAccessList(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"accessList": renderItems(lb.AccessList)}, nil
}

type accessListBody struct {
	AccessList []itemBody `json:"accessList"`
}

// addAccessList appends network items: all-or-nothing, unique addresses,
// at most the account's access list limit in total.
func (c *CLB) addAccessList(r *http.Request) (int, any, *apiError) {
	var in accessListBody
	if err := decodeBody(readBody(r), &in); err != nil {
		return 0, nil, err
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
			return 0, nil, err
		}
		msgs = append(msgs, it.validate()...)
	}
	if len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	for _, it := range in.AccessList {
		if err := checkNetworkAddress(*it.Address); err != nil {
			return 0, nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	for i, it := range in.AccessList {
		for _, old := range lb.AccessList {
			if sameNetwork(old.Address, *it.Address) {
				return 0, nil, badRequest("Must supply a unique access list item to update the current list.")
			}
		}
		for _, other := range in.AccessList[:i] {
			if sameNetwork(*other.Address, *it.Address) {
				return 0, nil, badRequest("Must supply a unique access list item to update the current list.")
			}
		}
	}
	if limit := c.limits.AccessList; limit > 0 && len(lb.AccessList)+len(in.AccessList) > limit {
		return 0, nil, badRequest("Access list size must not exceed %d items.", limit)
	}
	for _, it := range in.AccessList {
		c.seq.item++
		lb.AccessList = append(lb.AccessList, NetworkItem{ID: c.seq.item, Address: *it.Address, Type: *it.Type})
	}
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

// deleteAccessList deletes the whole list, or with ?id= those items (all of
// them or none).
func (c *CLB) deleteAccessList(r *http.Request) (int, any, *apiError) {
	ids, bad := queryIDs(r)
	batch := len(ids) > 0 || len(bad) > 0
	if limit := c.limits.BatchDelete; batch && limit > 0 && len(ids)+len(bad) > limit {
		return 0, nil, badRequest("Currently, the limit of accepted parameters is: %d :please supply a valid parameter list.", limit)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if !batch {
		if err := mutableLocked(lb); err != nil {
			return 0, nil, err
		}
		if len(lb.AccessList) == 0 {
			return 0, nil, errorf(http.StatusUnprocessableEntity, "No access list found to delete")
		}
		lb.AccessList = nil
		c.changedLocked(lb, c.now())
		return http.StatusAccepted, nil, nil
	}
	if lb.Status != StatusActive {
		return 0, nil, errorf(http.StatusUnprocessableEntity, msgNotActive)
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
		return 0, nil, badRequest("Network item%s with id%s %s not found.", plural, plural, strings.Join(missing, ","))
	}
	kept := make([]NetworkItem, 0, len(lb.AccessList))
	for _, it := range lb.AccessList {
		if !containsInt(ids, it.ID) {
			kept = append(kept, it)
		}
	}
	lb.AccessList = kept
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

func (c *CLB) deleteNetworkItem(r *http.Request) (int, any, *apiError) {
	id, convErr := strconv.Atoi(pathVar(r, "item_id"))
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	i := itemIndex(lb.AccessList, id)
	if convErr != nil || i < 0 {
		return 0, nil, errorf(http.StatusNotFound, "Network item not found")
	}
	lb.AccessList = append(lb.AccessList[:i:i], lb.AccessList[i+1:]...)
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

func itemIndex(items []NetworkItem, id int) int {
	for i, it := range items {
		if it.ID == id {
			return i
		}
	}
	return -1
}
