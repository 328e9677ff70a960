// os-availability-zone: the zone list and (admin) the detail with each
// zone's hosts and their nova-compute service.
//
// Fidelity limits: hosts are spread over the configured zones round-robin,
// and servers are placed on their zone's hosts (on any host when there are
// more zones than hosts and a zone has none). The detail shows the
// "internal" zone too (the controller's nova-scheduler and
// nova-conductor), as Nova does.

package compute

import (
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-availability-zone.
const (
	OpListAvailabilityZones      = "compute.zones.list"
	OpListAvailabilityZoneDetail = "compute.zones.detail"
)

func (c *Compute) zoneRoutes() []kit.Route {
	return []kit.Route{
		route(OpListAvailabilityZones, "GET", "/os-availability-zone", c.listZones),
		route(OpListAvailabilityZoneDetail, "GET", "/os-availability-zone/detail", c.listZoneDetail),
	}
}

// zoneHosts assigns the fake hypervisor hosts to the zones round-robin
// (with the one default zone, every host is in "nova").
func (c *Compute) zoneHosts() map[string][]string {
	out := make(map[string][]string, len(c.zones))
	for i, h := range c.hosts {
		z := c.zones[i%len(c.zones)]
		out[z] = append(out[z], h)
	}
	return out
}

// zoneJSON is one zone of os-availability-zone; hosts is null in the
// summary.
type zoneJSON struct {
	ZoneName  string                        `json:"zoneName"`
	ZoneState zoneStateJSON                 `json:"zoneState"`
	Hosts     map[string]map[string]zoneSvc `json:"hosts"`
}

type zoneStateJSON struct {
	Available bool `json:"available"`
}

// zoneSvc is a host's service (nova-compute) in the zone detail.
type zoneSvc struct {
	Available bool   `json:"available"`
	Active    bool   `json:"active"`
	UpdatedAt string `json:"updated_at"`
}

type zoneList struct {
	AvailabilityZoneInfo []zoneJSON `json:"availabilityZoneInfo"`
}

// listZones is the summary every caller may read: each zone available,
// hosts null.
func (c *Compute) listZones(call *kit.Call) (kit.Reply, error) {
	body := zoneList{AvailabilityZoneInfo: make([]zoneJSON, 0, len(c.zones))}
	for _, z := range c.zones {
		body.AvailabilityZoneInfo = append(body.AvailabilityZoneInfo, zoneJSON{ZoneName: z, ZoneState: zoneStateJSON{true}})
	}
	return kit.OK(body), nil
}

// listZoneDetail (admin) adds each zone's hosts and their nova-compute
// service, up and enabled, last seen now; first the "internal" zone of the
// services that are not nova-compute (os-availability-zone/
// availability-zone-detail-resp.json).
func (c *Compute) listZoneDetail(call *kit.Call) (kit.Reply, error) {
	if !adminAllowed(call) {
		return kit.Reply{}, policyDenied("os_compute_api:os-availability-zone:detail")
	}
	seen := c.Now().UTC().Format(novaUsecTime)
	byZone := c.zoneHosts()
	body := zoneList{AvailabilityZoneInfo: make([]zoneJSON, 0, len(c.zones)+1)}
	internal := map[string]map[string]zoneSvc{}
	c.mu.Lock()
	for _, s := range c.servicesLocked() {
		if !s.compute {
			if internal[s.host] == nil {
				internal[s.host] = map[string]zoneSvc{}
			}
			internal[s.host][s.binary] = zoneSvc{Available: !s.forcedDown, Active: !s.disabled, UpdatedAt: seen}
		}
	}
	c.mu.Unlock()
	if len(internal) > 0 {
		body.AvailabilityZoneInfo = append(body.AvailabilityZoneInfo, zoneJSON{ZoneName: "internal", ZoneState: zoneStateJSON{true}, Hosts: internal})
	}
	for _, z := range c.zones {
		hosts := map[string]map[string]zoneSvc{}
		for _, h := range byZone[z] {
			hosts[h] = map[string]zoneSvc{"nova-compute": {Available: true, Active: true, UpdatedAt: seen}}
		}
		body.AvailabilityZoneInfo = append(body.AvailabilityZoneInfo, zoneJSON{ZoneName: z, ZoneState: zoneStateJSON{true}, Hosts: hosts})
	}
	return kit.OK(body), nil
}
