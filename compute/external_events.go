// os-server-external-events (the service role, or admin): events Neutron
// and Cinder send about servers. Each event is answered with a code: 200
// accepted, 404 for an unknown server, 422 for a server on no host, 400
// for an event that needs a tag and has none; any failure makes the
// answer 207.
//
// Fidelity limits: accepted events change nothing on the server; Nova's
// default policy takes the service role only, the fake also takes admin.

package compute

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/mockcloud/mockcloud/kit"
)

// OpCreateExternalEvents is the route name of POST
// /os-server-external-events.
const OpCreateExternalEvents = "compute.server_external_events.create"

func (c *Compute) externalEventRoutes() []kit.Route {
	return []kit.Route{route(OpCreateExternalEvents, "POST", "/os-server-external-events", c.createExternalEvents)}
}

// externalEventJSON is one event, as sent and as answered.
type externalEventJSON struct {
	Name       string  `json:"name"`
	ServerUUID string  `json:"server_uuid"`
	Status     string  `json:"status,omitempty"`
	Tag        *string `json:"tag,omitempty"`
	Code       int     `json:"code,omitempty"`
}

// externalEventNames are the event names of a microversion.
func externalEventNames(v microversion) []string {
	names := []string{"network-changed", "network-vif-plugged", "network-vif-unplugged", "network-vif-deleted"}
	for _, n := range []struct {
		minor int
		name  string
	}{{51, "volume-extended"}, {76, "power-update"}, {82, "accelerator-request-bound"}, {93, "volume-reimaged"}} {
		if v.AtLeast(n.minor) {
			names = append(names, n.name)
		}
	}
	return names
}

// parseExternalEvents applies the create schema.
func parseExternalEvents(call *kit.Call) ([]externalEventJSON, error) {
	m, err := rootMembers(call.Body)
	if err != nil {
		return nil, err
	}
	raw, ok := m["events"]
	if !ok {
		return nil, kit.BadRequest("'events' is a required property")
	}
	if err := nvOnlyKeys(m, "events"); err != nil {
		return nil, err
	}
	var items []map[string]json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil, nvFieldErr("events", raw, "%s is not of type 'array'", pyRepr(raw))
	}
	if len(items) == 0 {
		return nil, nvFieldErr("events", raw, "[] should be non-empty")
	}
	names := externalEventNames(versionOf(call))
	out := make([]externalEventJSON, 0, len(items))
	for _, it := range items {
		if msg := notAllowed(it, func(k string) bool { return slices.Contains([]string{"name", "server_uuid", "status", "tag"}, k) }); msg != "" {
			return nil, kit.BadRequest("Invalid input for field/attribute events. Value: %s. %s", compactMembers(it), msg)
		}
		var ev externalEventJSON
		var err error
		if ev.Name, err = nvEnum("events", mustJSON(it), "name", it["name"], names); err != nil {
			return nil, err
		}
		if it["server_uuid"] == nil {
			return nil, kit.BadRequest("Invalid input for field/attribute events. Value: %s. 'server_uuid' is a required property", compactMembers(it))
		}
		if ev.ServerUUID, err = nvUUID("server_uuid", it["server_uuid"]); err != nil {
			return nil, err
		}
		ev.Status = "completed"
		if s, ok := it["status"]; ok {
			if ev.Status, err = nvEnum("events", mustJSON(it), "status", s, []string{"failed", "completed", "in-progress"}); err != nil {
				return nil, err
			}
		}
		if t, ok := it["tag"]; ok {
			var tag string
			if json.Unmarshal(t, &tag) != nil || len(tag) > 255 {
				return nil, nvFieldErr("tag", t, "%s is not of type 'string'", pyRepr(t))
			}
			ev.Tag = &tag
		}
		out = append(out, ev)
	}
	return out, nil
}

// tagRequiredEvents are the events Nova drops without a tag.
var tagRequiredEvents = []string{"volume-extended", "power-update", "accelerator-request-bound"}

func (c *Compute) createExternalEvents(call *kit.Call) (kit.Reply, error) {
	events, err := parseExternalEvents(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if call.Authenticated && !call.Principal.HasRole("service") && !callerOf(call).admin {
		return kit.Reply{}, policyDenied("os_compute_api:os-server-external-events:create")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	status := http.StatusOK
	for i := range events {
		ev := &events[i]
		s, ok := c.servers[ev.ServerUUID]
		switch {
		case !ok || !c.liveLocked(s):
			ev.Status, ev.Code = "failed", http.StatusNotFound
		case slices.Contains(tagRequiredEvents, ev.Name) && ev.Tag == nil:
			ev.Status, ev.Code = "failed", http.StatusBadRequest
		case s.Host == "":
			ev.Status, ev.Code = "failed", http.StatusUnprocessableEntity
		default:
			ev.Status, ev.Code = "completed", http.StatusOK
		}
		if ev.Code != http.StatusOK {
			status = http.StatusMultiStatus
		}
	}
	return kit.JSON(status, map[string][]externalEventJSON{"events": events}), nil
}
