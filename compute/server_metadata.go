// Server addresses (ips) and metadata.

package compute

import (
	"encoding/json"
	"maps"
	"net/http"
	"sort"
	"unicode/utf8"

	"github.com/mockcloud/mockcloud/kit"
)

// ipJSON is an address as the ips API shows it.
type ipJSON struct {
	Addr    string `json:"addr"`
	Version int    `json:"version"`
}

// networksJSON are a server's addresses by network label.
type networksJSON map[string][]ipJSON

type addressesBody struct {
	Addresses networksJSON `json:"addresses"`
}

func ipsJSON(addrs []Address) []ipJSON {
	out := make([]ipJSON, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, ipJSON{Addr: a.Addr, Version: a.Version})
	}
	return out
}

func (c *Compute) listAddresses(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	body := addressesBody{Addresses: networksJSON{}}
	for name, addrs := range s.Addresses {
		body.Addresses[name] = ipsJSON(addrs)
	}
	return kit.OK(body), nil
}

func (c *Compute) getAddresses(call *kit.Call) (kit.Reply, error) {
	network := call.Var("network")
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	addrs, ok := s.Addresses[network]
	if !ok {
		return kit.Reply{}, kit.NotFound("Instance is not a member of specified network")
	}
	return kit.OK(networksJSON{network: ipsJSON(addrs)}), nil
}

// Metadata.

// metadataBody is {"metadata": {...}}, of servers and images.
type metadataBody struct {
	Metadata map[string]string `json:"metadata"`
}

// metaBody is {"meta": {"<key>": "<value>"}}, one metadata item.
type metaBody struct {
	Meta map[string]string `json:"meta"`
}

func (c *Compute) listMetadata(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(metadataBody{Metadata: nonNilMap(maps.Clone(s.Metadata))}), nil
}

// decodeMetadata reads {"<key>": {...}}, the body of the server and image
// metadata APIs, with Nova's schema (parameter_types.metadata).
func decodeMetadata(call *kit.Call, key string) (map[string]string, error) {
	body := call.Body
	var top map[string]json.RawMessage
	if err := kit.DecodeJSON(body, &top, kit.DecodeOptions{}); err != nil {
		return nil, err
	}
	raw, ok := top[key]
	if !ok {
		return nil, kit.BadRequest("'%s' is a required property", key)
	}
	for k := range top {
		if k != key {
			return nil, kit.BadRequest("Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	return parseMetadata(key, raw)
}

// decodeMetaItem reads {"meta": {"<key>": "<value>"}}, the body that sets
// one metadata item, with Nova's schema and its check of the URI's key.
func decodeMetaItem(call *kit.Call, key string) (map[string]string, error) {
	md, err := decodeMetadata(call, "meta")
	switch {
	case err != nil:
		return nil, err
	case len(md) == 0:
		return nil, kit.BadRequest("Invalid input for field/attribute meta. Value: {}. {} does not have enough properties")
	case len(md) > 1:
		b, _ := json.Marshal(md)
		return nil, kit.BadRequest("Invalid input for field/attribute meta. Value: %s. %s has too many properties", b, b)
	}
	if _, ok := md[key]; !ok {
		return nil, kit.BadRequest("Request body and URI mismatch")
	}
	return md, nil
}

// parseMetadata checks a metadata object (the member field of a body)
// against parameter_types.metadata: keys of the metadata key pattern,
// string values of at most 255 characters.
func parseMetadata(field string, raw json.RawMessage) (map[string]string, error) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", field, pyValue(raw), pyRepr(raw))
	}
	out := make(map[string]string, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !extraSpecKey.MatchString(k) {
			return nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. Additional properties are not allowed ('%s' was unexpected)", field, compactMembers(m), k)
		}
		s, ok := jsonString(m[k])
		if !ok {
			return nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string'", k, pyValue(m[k]), pyRepr(m[k]))
		}
		if utf8.RuneCountInString(s) > 255 {
			return nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is too long", k, s, s)
		}
		out[k] = s
	}
	return out, nil
}

// changeMetadata applies f to a server's metadata under the lock, with the
// quota and lock checks Nova makes.
func (c *Compute) changeMetadata(call *kit.Call, status int, f func(s *server) (any, error)) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := c.checkLockedLocked(call, s); err != nil {
		return kit.Reply{}, err
	}
	action := "update metadata"
	if call.Request.Method == http.MethodDelete {
		action = "delete metadata"
	}
	// Nova checks the vm_state only: metadata changes while a task runs.
	if err := requireVMState(s, action, []string{vmActive, vmPaused, vmSuspended, vmStopped}); err != nil {
		return kit.Reply{}, err
	}
	old := maps.Clone(s.Metadata)
	out, err := f(s)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := validateMetadata(s.Metadata, c.quotaLocked(s.ProjectID).MetadataItems); err != nil {
		s.Metadata = old
		return kit.Reply{}, err
	}
	s.Updated = c.Now()
	if out == nil {
		return kit.Status(status), nil
	}
	return kit.JSON(status, out), nil
}

func (c *Compute) setMetadata(call *kit.Call) (kit.Reply, error) {
	md, err := decodeMetadata(call, "metadata")
	if err != nil {
		return kit.Reply{}, err
	}
	return c.changeMetadata(call, http.StatusOK, func(s *server) (any, error) {
		s.Metadata = maps.Clone(md)
		return metadataBody{Metadata: maps.Clone(md)}, nil
	})
}

func (c *Compute) updateMetadata(call *kit.Call) (kit.Reply, error) {
	md, err := decodeMetadata(call, "metadata")
	if err != nil {
		return kit.Reply{}, err
	}
	return c.changeMetadata(call, http.StatusOK, func(s *server) (any, error) {
		for k, v := range md {
			s.Metadata[k] = v
		}
		return metadataBody{Metadata: maps.Clone(s.Metadata)}, nil
	})
}

func (c *Compute) getMetadataItem(call *kit.Call) (kit.Reply, error) {
	key := call.Var("key")
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	v, ok := s.Metadata[key]
	if !ok {
		return kit.Reply{}, kit.NotFound("Metadata item was not found")
	}
	return kit.OK(metaBody{Meta: map[string]string{key: v}}), nil
}

func (c *Compute) setMetadataItem(call *kit.Call) (kit.Reply, error) {
	key := call.Var("key")
	md, err := decodeMetaItem(call, key)
	if err != nil {
		return kit.Reply{}, err
	}
	return c.changeMetadata(call, http.StatusOK, func(s *server) (any, error) {
		s.Metadata[key] = md[key]
		return metaBody{Meta: map[string]string{key: md[key]}}, nil
	})
}

func (c *Compute) deleteMetadataItem(call *kit.Call) (kit.Reply, error) {
	key := call.Var("key")
	return c.changeMetadata(call, http.StatusNoContent, func(s *server) (any, error) {
		if _, ok := s.Metadata[key]; !ok {
			return nil, kit.NotFound("Metadata item was not found")
		}
		delete(s.Metadata, key)
		return nil, nil
	})
}
