package compute

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the server API.
const (
	OpCreateServer       = "compute.servers.create"
	OpListServers        = "compute.servers.list"
	OpListServerDetail   = "compute.servers.detail"
	OpGetServer          = "compute.servers.get"
	OpUpdateServer       = "compute.servers.update"
	OpDeleteServer       = "compute.servers.delete"
	OpListAddresses      = "compute.servers.ips.list"
	OpGetAddresses       = "compute.servers.ips.get"
	OpListMetadata       = "compute.servers.metadata.list"
	OpSetMetadata        = "compute.servers.metadata.set"
	OpUpdateMetadata     = "compute.servers.metadata.update"
	OpGetMetadataItem    = "compute.servers.metadata.get"
	OpSetMetadataItem    = "compute.servers.metadata.put"
	OpDeleteMetadataItem = "compute.servers.metadata.delete"
)

func (c *Compute) serverRoutes() []kit.Route {
	return []kit.Route{
		route(OpCreateServer, "POST", "/servers", c.createServer),
		route(OpListServers, "GET", "/servers", c.listServers),
		route(OpListServerDetail, "GET", "/servers/detail", c.listServersDetail),
		route(OpGetServer, "GET", "/servers/{server_id}", c.getServer),
		route(OpUpdateServer, "PUT", "/servers/{server_id}", c.updateServer),
		route(OpDeleteServer, "DELETE", "/servers/{server_id}", c.deleteServer),
		route(OpListAddresses, "GET", "/servers/{server_id}/ips", c.listAddresses),
		route(OpGetAddresses, "GET", "/servers/{server_id}/ips/{network}", c.getAddresses),
		route(OpListMetadata, "GET", "/servers/{server_id}/metadata", c.listMetadata),
		route(OpSetMetadata, "PUT", "/servers/{server_id}/metadata", c.setMetadata),
		route(OpUpdateMetadata, "POST", "/servers/{server_id}/metadata", c.updateMetadata),
		route(OpGetMetadataItem, "GET", "/servers/{server_id}/metadata/{key}", c.getMetadataItem),
		route(OpSetMetadataItem, "PUT", "/servers/{server_id}/metadata/{key}", c.setMetadataItem),
		route(OpDeleteMetadataItem, "DELETE", "/servers/{server_id}/metadata/{key}", c.deleteMetadataItem),
	}
}

// serverLocked returns a live server of the caller's project, settled.
func (c *Compute) serverLocked(call *kit.Call) (*server, error) {
	id := call.Var("server_id")
	s, ok := c.servers[id]
	who := callerOf(call)
	if !ok || s.Deleted || (s.ProjectID != who.projectID && !who.admin) {
		return nil, kit.NotFound("Instance %s could not be found.", id)
	}
	c.settleLocked(s, c.Now())
	if s.Deleted {
		return nil, kit.NotFound("Instance %s could not be found.", id)
	}
	return s, nil
}

func (c *Compute) getServer(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	snap := s.snapshot()
	return kit.OK(serverBody{c.serverDetailLocked(call, &snap)}), nil
}

// newer is Nova's list order: created_at descending, then ID descending.
func newer(a, b *server) bool {
	if !a.Created.Equal(b.Created) {
		return a.Created.After(b.Created)
	}
	return a.ID > b.ID
}

// storeLocked adds a new server to the table and to its project's ordered
// index.
func (c *Compute) storeLocked(s *server) {
	c.servers[s.ID] = s
	list := c.byProject[s.ProjectID]
	i := sort.Search(len(list), func(i int) bool { return !newer(list[i], s) })
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = s
	c.byProject[s.ProjectID] = list
}

// serverUpdateFields are what PUT /servers/{id} accepts.
var serverUpdateFields = map[string]bool{"name": true, "accessIPv4": true, "accessIPv6": true, "OS-DCF:diskConfig": true, "description": true, "hostname": true, "pinned_availability_zone": true}

// serverUpdate is the body of PUT /servers/{id}.
type serverUpdate struct {
	Name        *string   `json:"name"`
	AccessIPv4  *string   `json:"accessIPv4"`
	AccessIPv6  *string   `json:"accessIPv6"`
	DiskConfig  *string   `json:"OS-DCF:diskConfig"`
	Description optString `json:"description"`
	Hostname    *string   `json:"hostname"`                 // 2.90
	PinnedAZ    optString `json:"pinned_availability_zone"` // 2.104; null unpins
}

func (c *Compute) updateServer(call *kit.Call) (kit.Reply, error) {
	var in serverUpdate
	if err := decodeServerBody(call, "server", serverUpdateFields, &in); err != nil {
		return kit.Reply{}, err
	}
	if err := checkServerUpdate(call, &in); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := c.checkPinLocked(s, &in); err != nil {
		return kit.Reply{}, err
	}
	in.applyTo(s)
	s.Updated = c.Now()
	snap := s.snapshot()
	return kit.OK(changedServerBody{c.serverChangedLocked(call, &snap, viewUpdate)}), nil
}

// checkServerUpdate applies Nova's update schema.
func checkServerUpdate(call *kit.Call, in *serverUpdate) error {
	if in.Name != nil {
		if err := checkName(call, "name", *in.Name); err != nil {
			return err
		}
	}
	if in.AccessIPv4 != nil {
		if err := checkAccessIP("accessIPv4", *in.AccessIPv4, false); err != nil {
			return err
		}
	}
	if in.AccessIPv6 != nil {
		if err := checkAccessIP("accessIPv6", *in.AccessIPv6, true); err != nil {
			return err
		}
	}
	if in.DiskConfig != nil && *in.DiskConfig != "AUTO" && *in.DiskConfig != "MANUAL" {
		return diskConfigError(*in.DiskConfig)
	}
	v := versionOf(call)
	for _, m := range []struct {
		name  string
		given bool
		minor int
	}{{"description", in.Description.Set, 19}, {"hostname", in.Hostname != nil, 90}, {"pinned_availability_zone", in.PinnedAZ.Set, 104}} {
		if m.given && !v.AtLeast(m.minor) {
			return kit.BadRequest("Invalid input for field/attribute server. Additional properties are not allowed ('%s' was unexpected)", m.name)
		}
	}
	if in.Hostname != nil {
		if err := checkHostname(call, *in.Hostname); err != nil {
			return err
		}
	}
	return checkDescription(in.Description.Value)
}

// checkPinLocked is Nova's rule for pinned_availability_zone (2.104):
// null unpins; a zone pins only the zone the server is in, and only an
// unpinned server (or one already pinned to it).
func (c *Compute) checkPinLocked(s *server, in *serverUpdate) error {
	if !in.PinnedAZ.Set || in.PinnedAZ.Value == "" {
		return nil
	}
	want, pinned := in.PinnedAZ.Value, s.PinnedAvailabilityZone
	switch {
	case pinned != "" && want != pinned:
		return kit.Conflict("Cannot change pinned availability zone directly. Unpin first by setting pinned_availability_zone to null.")
	case pinned == "" && want != s.AvailabilityZone:
		return kit.Conflict("Server can only be pinned to its current availability zone '%s', but '%s' was requested.", s.AvailabilityZone, want)
	}
	return nil
}

// applyTo changes what the update names.
func (in *serverUpdate) applyTo(s *server) {
	if in.Name != nil {
		s.Name = *in.Name
	}
	if in.AccessIPv4 != nil {
		s.AccessIPv4 = normalizeIP(*in.AccessIPv4)
	}
	if in.AccessIPv6 != nil {
		s.AccessIPv6 = normalizeIP(*in.AccessIPv6)
	}
	if in.Hostname != nil {
		s.Hostname = *in.Hostname
	}
	if in.PinnedAZ.Set {
		s.PinnedAvailabilityZone = in.PinnedAZ.Value
	}
	if in.DiskConfig != nil {
		s.DiskConfig = *in.DiskConfig
	}
	if in.Description.Set {
		s.Description = in.Description.Value // null clears it
	}
}

// withServer runs f on the caller's server under the lock.
func (c *Compute) withServer(call *kit.Call, f func(s *server) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return err
	}
	return f(s)
}

func (c *Compute) deleteServer(call *kit.Call) (kit.Reply, error) {
	err := c.withServer(call, func(s *server) error { return c.deleteLocked(call, s) })
	if errors.Is(err, errBareFailure) {
		// Mimic's delete_server_failure with no code answers 500 with no body.
		return kit.Status(http.StatusInternalServerError), nil
	}
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

// errBareFailure is a failure answered with a bare 500.
var errBareFailure = errors.New("compute: failure with no body")

// deleteLocked starts deleting a server: task_state deleting, gone after
// the Delete duration.
func (c *Compute) deleteLocked(call *kit.Call, s *server) error {
	if s.deleteFails > 0 {
		s.deleteFails--
		s.Metadata["delete_server_failure"] = fmt.Sprintf(`{"code": %d, "times": %d}`, s.deleteCode, s.deleteFails)
		if s.deleteCode == 0 {
			return errBareFailure
		}
		return kit.Errorf(s.deleteCode, "Delete server failure (mockcloud delete_server_failure)")
	}
	if err := c.checkLockedLocked(call, s); err != nil {
		return err
	}
	if s.TaskState == "deleting" {
		return nil
	}
	if c.admin.reclaim > 0 && s.VMState != vmSoftDeleted {
		c.softDeleteLocked(call, s) // actions_admin.go
		return nil
	}
	s.events = nil
	c.recordActionLocked(s, "delete", call)
	c.beginTaskLocked(s, "deleting", c.durations.Delete, func(s *server, at time.Time) {
		s.VMState = vmDeleted
		s.setPower(PowerNoState, at)
		s.Deleted, s.TerminatedAt = true, at
		c.releaseLocked(s)
	})
	return nil
}

// releaseLocked frees what a deleted server held: server group membership.
func (c *Compute) releaseLocked(s *server) {
	for _, g := range c.groups {
		for i, m := range g.Members {
			if m == s.ID {
				g.Members = append(g.Members[:i:i], g.Members[i+1:]...)
				break
			}
		}
	}
}
