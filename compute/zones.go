// os-availability-zone: the zone list and (admin) the detail with each
// zone's hosts and their nova-compute service.
//
// Fidelity limits: hosts are spread over the configured zones round-robin,
// and servers are placed on their zone's hosts (on any host when there are
// more zones than hosts and a zone has none); the "internal" zone
// (conductor, scheduler) is not shown.

package compute

import (
	"net/http"

	"github.com/mockcloud/mockcloud/fake"
)

// Route names of os-availability-zone.
const (
	OpListAvailabilityZones      = "compute.zones.list"
	OpListAvailabilityZoneDetail = "compute.zones.detail"
)

func (c *Compute) zoneRoutes() []apiRoute {
	return []apiRoute{
		{OpListAvailabilityZones, []string{"GET"}, "/os-availability-zone", c.listZones},
		{OpListAvailabilityZoneDetail, []string{"GET"}, "/os-availability-zone/detail", c.listZoneDetail},
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

// listZones is the summary every caller may read: each zone available,
// hosts null.
func (c *Compute) listZones(w http.ResponseWriter, r *http.Request) {
	info := make([]map[string]any, 0, len(c.zones))
	for _, z := range c.zones {
		info = append(info, map[string]any{"zoneName": z, "zoneState": map[string]bool{"available": true}, "hosts": nil})
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"availabilityZoneInfo": info})
}

// listZoneDetail (admin) adds each zone's hosts and their nova-compute
// service, up and enabled, last seen now.
func (c *Compute) listZoneDetail(w http.ResponseWriter, r *http.Request) {
	if !adminAllowed(r) {
		writeErr(w, r, policyDenied("os_compute_api:os-availability-zone:detail"))
		return
	}
	seen := c.now().UTC().Format(novaUsecTime)
	byZone := c.zoneHosts()
	info := make([]map[string]any, 0, len(c.zones))
	for _, z := range c.zones {
		hosts := map[string]any{}
		for _, h := range byZone[z] {
			hosts[h] = map[string]any{
				"nova-compute": map[string]any{"available": true, "active": true, "updated_at": seen},
			}
		}
		info = append(info, map[string]any{"zoneName": z, "zoneState": map[string]bool{"available": true}, "hosts": hosts})
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"availabilityZoneInfo": info})
}
