// os-services (admin only): the nova-compute service of every fake
// hypervisor host and a controller's nova-scheduler and nova-conductor.
// Listing with the host and binary filters; before 2.53 enable, disable,
// disable-log-reason and (2.11) force-down by host and binary; from 2.53
// services are named by UUID, updated with PUT /os-services/{id} and
// deleted. A forced-down service is "down", which is what evacuate needs
// of a server's host; os-hypervisors shows the service's status and state
// for its host.
//
// Fidelity limits: a disabled host still takes new servers (placement
// does not read services), and a deleted compute service's host still
// shows in os-hypervisors.

package compute

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-services.
const (
	OpListServices  = "compute.services.list"
	OpUpdateService = "compute.services.update"
	OpDeleteService = "compute.services.delete"
)

func (c *Compute) serviceRoutes() []kit.Route {
	return []kit.Route{
		route(OpListServices, "GET", "/os-services", c.listServices),
		route(OpUpdateService, "PUT", "/os-services/{service_id}", c.updateService),
		route(OpDeleteService, "DELETE", "/os-services/{service_id}", c.deleteService),
	}
}

// controllerHost is the host of the fake's scheduler and conductor.
const controllerHost = "controller"

// service is one Nova service record.
type service struct {
	id             int
	uuid           string
	host, binary   string
	zone           string
	disabled       bool
	disabledReason *string
	forcedDown     bool
	deleted        bool
	compute        bool // a nova-compute service
}

func serviceKey(host, binary string) string { return host + "\x00" + binary }

// servicesLocked are the live services in ID order, built on first use
// from the hosts: nova-compute on each (its ID and UUID those os-hypervisors
// shows), then nova-scheduler and nova-conductor on the controller.
func (c *Compute) servicesLocked() []*service {
	a := &c.admin
	if a.services == nil {
		a.services = map[string]*service{}
		add := func(s *service) {
			a.services[serviceKey(s.host, s.binary)] = s
			a.serviceOrder = append(a.serviceOrder, serviceKey(s.host, s.binary))
		}
		for i, h := range c.hosts {
			hv := &hypervisor{index: i, host: h}
			add(&service{id: i + 1, uuid: hv.serviceUUID(), host: h, binary: "nova-compute", zone: c.zoneOf(h), compute: true})
		}
		for i, b := range []string{"nova-scheduler", "nova-conductor"} {
			add(&service{id: len(c.hosts) + i + 1, host: controllerHost, binary: b, zone: "internal",
				uuid: uuid.NewSHA1(uuid.NameSpaceDNS, []byte(b+"."+controllerHost)).String()})
		}
	}
	out := make([]*service, 0, len(a.serviceOrder))
	for _, k := range a.serviceOrder {
		if s := a.services[k]; !s.deleted {
			out = append(out, s)
		}
	}
	return out
}

// computeServiceLocked is a host's live nova-compute service.
func (c *Compute) computeServiceLocked(host string) (*service, bool) {
	c.servicesLocked()
	s, ok := c.admin.services[serviceKey(host, "nova-compute")]
	if !ok || s.deleted {
		return nil, false
	}
	return s, true
}

// hostUpLocked reports whether a host's compute service reports in: it
// exists and is not forced down.
func (c *Compute) hostUpLocked(host string) bool {
	s, ok := c.computeServiceLocked(host)
	return ok && !s.forcedDown
}

// serviceJSON is a service as os-services shows it.
type serviceJSON struct {
	ID             any     `json:"id"` // an integer, a UUID from 2.53
	Binary         string  `json:"binary"`
	Host           string  `json:"host"`
	Zone           string  `json:"zone"`
	Status         string  `json:"status"`
	State          string  `json:"state"`
	UpdatedAt      string  `json:"updated_at"`
	DisabledReason *string `json:"disabled_reason"`
	ForcedDown     *bool   `json:"forced_down,omitempty"` // from 2.11
}

// serviceView renders a service: its heartbeat is the last 10-second
// report_interval tick of the clock.
func (c *Compute) serviceView(call *kit.Call, s *service) serviceJSON {
	v := versionOf(call)
	out := serviceJSON{ID: s.id, Binary: s.binary, Host: s.host, Zone: s.zone, Status: "enabled", State: "up",
		DisabledReason: s.disabledReason, UpdatedAt: c.Now().UTC().Truncate(10 * time.Second).Format(novaMicroTime)}
	if v.AtLeast(53) {
		out.ID = s.uuid
	}
	if s.disabled {
		out.Status = "disabled"
	}
	if s.forcedDown {
		out.State = "down"
	}
	if v.AtLeast(11) {
		out.ForcedDown = ptr(s.forcedDown)
	}
	return out
}

type serviceList struct {
	Services []serviceJSON `json:"services"`
}

type serviceBody struct {
	Service any `json:"service"`
}

func (c *Compute) listServices(call *kit.Call) (kit.Reply, error) {
	if err := rejectUnknownQuery(call, 75, "host", "binary"); err != nil {
		return kit.Reply{}, err
	}
	if err := nvAdminOnly(call, "os_compute_api:os-services:list"); err != nil {
		return kit.Reply{}, err
	}
	q := call.Query()
	c.mu.Lock()
	defer c.mu.Unlock()
	body := serviceList{Services: []serviceJSON{}}
	for _, s := range c.servicesLocked() {
		if h := q.Get("host"); h != "" && s.host != h {
			continue
		}
		if b := q.Get("binary"); b != "" && s.binary != b {
			continue
		}
		body.Services = append(body.Services, c.serviceView(call, s))
	}
	return kit.OK(body), nil
}

// serviceUpdate is the body of PUT /os-services/{action} (before 2.53)
// and PUT /os-services/{uuid} (from 2.53).
type serviceUpdate struct {
	Host           *string         `json:"host"`
	Binary         *string         `json:"binary"`
	DisabledReason *string         `json:"disabled_reason"`
	ForcedDown     json.RawMessage `json:"forced_down"`
	Status         *string         `json:"status"`
}

// parseServiceUpdate applies the update schema of the microversion.
func parseServiceUpdate(call *kit.Call) (serviceUpdate, map[string]json.RawMessage, error) {
	var in serviceUpdate
	m, err := rootMembers(call.Body)
	if err != nil {
		return in, nil, err
	}
	v := versionOf(call)
	allowed := []string{"host", "binary", "disabled_reason"}
	switch {
	case v.AtLeast(53):
		allowed = []string{"status", "disabled_reason", "forced_down"}
	case v.AtLeast(11):
		allowed = append(allowed, "forced_down")
	}
	if err := nvOnlyKeys(m, allowed...); err != nil {
		return in, nil, err
	}
	if !v.AtLeast(53) {
		for _, k := range []string{"host", "binary"} {
			if _, ok := m[k]; !ok {
				return in, nil, kit.BadRequest("'%s' is a required property", k)
			}
		}
	}
	for k, raw := range m {
		if k == "forced_down" {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return in, nil, nvFieldErr(k, raw, "%s is not of type 'string'", pyRepr(raw))
		}
		if n := utf8.RuneCountInString(s); n == 0 || n > 255 {
			return in, nil, nvFieldErr(k, raw, "%s is too short", pyRepr(raw))
		}
	}
	_ = json.Unmarshal(call.Body, &in)
	if in.Status != nil && *in.Status != "enabled" && *in.Status != "disabled" {
		return in, nil, nvFieldErr("status", m["status"], "%s is not one of ['enabled', 'disabled']", pyRepr(m["status"]))
	}
	if raw, ok := m["forced_down"]; ok {
		if _, err := schemaBool("forced_down", raw); err != nil {
			return in, nil, err
		}
	}
	return in, m, nil
}

func (c *Compute) updateService(call *kit.Call) (kit.Reply, error) {
	in, m, err := parseServiceUpdate(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if versionOf(call).AtLeast(53) {
		return c.updateServiceByUUID(call, in, m)
	}
	if err := nvAdminOnly(call, "os_compute_api:os-services:update"); err != nil {
		return kit.Reply{}, err
	}
	action := call.Var("service_id")
	known := map[string]bool{"enable": true, "disable": true, "disable-log-reason": true, "force-down": versionOf(call).AtLeast(11)}
	if !known[action] {
		return kit.Reply{}, kit.NotFound("Unknown action")
	}
	if action == "disable-log-reason" && in.DisabledReason == nil {
		return kit.Reply{}, kit.BadRequest("Missing disabled reason field")
	}
	if action == "force-down" && m["forced_down"] == nil {
		return kit.Reply{}, kit.BadRequest("Missing forced_down field")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if *in.Binary != "nova-compute" {
		return kit.Reply{}, kit.BadRequest("Updating a %s service is not supported. Only nova-compute services can be updated.", *in.Binary)
	}
	s, ok := c.computeServiceLocked(*in.Host)
	if !ok {
		return kit.Reply{}, kit.NotFound("Could not find binary %s on host %s.", *in.Binary, *in.Host)
	}
	return kit.OK(serviceBody{Service: applyServiceAction(s, action, in, m)}), nil
}

// serviceActionJSON is the answer of the updates before 2.53.
type serviceActionJSON struct {
	Host           string  `json:"host"`
	Binary         string  `json:"binary"`
	Status         string  `json:"status,omitempty"`
	DisabledReason *string `json:"disabled_reason,omitempty"`
	ForcedDown     *bool   `json:"forced_down,omitempty"`
}

func applyServiceAction(s *service, action string, in serviceUpdate, m map[string]json.RawMessage) serviceActionJSON {
	out := serviceActionJSON{Host: s.host, Binary: s.binary}
	switch action {
	case "enable":
		s.disabled, s.disabledReason = false, nil
		out.Status = "enabled"
	case "disable", "disable-log-reason":
		s.disabled, s.disabledReason = true, nil
		if action == "disable-log-reason" {
			s.disabledReason = ptr(*in.DisabledReason)
			out.DisabledReason = s.disabledReason
		}
		out.Status = "disabled"
	case "force-down":
		s.forcedDown, _ = schemaBool("forced_down", m["forced_down"])
		out.ForcedDown = ptr(s.forcedDown)
	}
	return out
}

// serviceByIDLocked finds a live service by the ID form of the
// microversion, checked as Nova checks it.
func (c *Compute) serviceByIDLocked(call *kit.Call, id string) (*service, error) {
	v := versionOf(call)
	if v.AtLeast(53) {
		if _, err := uuid.Parse(id); err != nil {
			return nil, kit.BadRequest("Invalid uuid %s", id)
		}
	} else if _, err := strconv.Atoi(id); err != nil {
		return nil, kit.BadRequest("Invalid input received: id must be an integer")
	}
	for _, s := range c.servicesLocked() {
		if v.AtLeast(53) && s.uuid == id || !v.AtLeast(53) && strconv.Itoa(s.id) == id {
			return s, nil
		}
	}
	return nil, nil
}

func (c *Compute) updateServiceByUUID(call *kit.Call, in serviceUpdate, m map[string]json.RawMessage) (kit.Reply, error) {
	id := call.Var("service_id")
	if _, err := uuid.Parse(id); err != nil {
		return kit.Reply{}, kit.BadRequest("Invalid uuid %s", id)
	}
	if err := nvAdminOnly(call, "os_compute_api:os-services:update"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serviceByIDLocked(call, id)
	if err != nil {
		return kit.Reply{}, err
	}
	if s == nil {
		return kit.Reply{}, kit.NotFound("Service %s could not be found.", id)
	}
	if s.binary != "nova-compute" {
		return kit.Reply{}, kit.BadRequest("Updating a %s service is not supported. Only nova-compute services can be updated.", s.binary)
	}
	if in.Status == nil && m["forced_down"] == nil {
		return kit.Reply{}, kit.BadRequest("No updates were requested. Fields 'status' or 'forced_down' should be specified.")
	}
	if in.Status != nil && *in.Status == "enabled" && in.DisabledReason != nil {
		return kit.Reply{}, kit.BadRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.")
	}
	if in.Status != nil {
		s.disabled = *in.Status == "disabled"
		s.disabledReason = nil
		if s.disabled && in.DisabledReason != nil {
			s.disabledReason = ptr(*in.DisabledReason)
		}
	}
	if raw, ok := m["forced_down"]; ok {
		s.forcedDown, _ = schemaBool("forced_down", raw)
	}
	return kit.OK(serviceBody{Service: c.serviceView(call, s)}), nil
}

func (c *Compute) deleteService(call *kit.Call) (kit.Reply, error) {
	if err := nvAdminOnly(call, "os_compute_api:os-services:delete"); err != nil {
		return kit.Reply{}, err
	}
	id := call.Var("service_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serviceByIDLocked(call, id)
	if err != nil {
		return kit.Reply{}, err
	}
	if s == nil {
		return kit.Reply{}, kit.NotFound("Service %s not found.", id)
	}
	if s.compute {
		if c.hostHasServersLocked(s.host) {
			return kit.Reply{}, kit.Conflict("Unable to delete compute service that is hosting instances. Migrate or delete the instances first.")
		}
		if c.hostMigratingLocked(s.host) {
			return kit.Reply{}, kit.Conflict("Unable to delete compute service that has in-progress migrations. Complete the migrations or delete the instances first.")
		}
		for _, ag := range c.admin.aggregates {
			ag.removeHost(s.host)
		}
	}
	s.deleted = true
	return kit.Status(http.StatusNoContent), nil
}

// hostHasServersLocked reports whether a live server is on host.
func (c *Compute) hostHasServersLocked(host string) bool {
	now := c.Now()
	for _, s := range c.servers {
		if c.settleLocked(s, now); !s.Deleted && s.Host == host {
			return true
		}
	}
	return false
}
