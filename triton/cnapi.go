package triton

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// CNAPI's ops.
const (
	OpCNAPIPing            = "triton.cnapi.ping"
	OpCNAPIServersList     = "triton.cnapi.servers.list"
	OpCNAPIServersGet      = "triton.cnapi.servers.get"
	OpCNAPIServersUpdate   = "triton.cnapi.servers.update"
	OpCNAPIServersDelete   = "triton.cnapi.servers.delete"
	OpCNAPIServersSetup    = "triton.cnapi.servers.setup"
	OpCNAPIServersReset    = "triton.cnapi.servers.factory_reset"
	OpCNAPIServersReboot   = "triton.cnapi.servers.reboot"
	OpCNAPIServersSysinfo  = "triton.cnapi.servers.sysinfo"
	OpCNAPIHeartbeat       = "triton.cnapi.servers.heartbeat"
	OpCNAPIStatus          = "triton.cnapi.servers.status"
	OpCNAPIServerVMsList   = "triton.cnapi.servers.vms.list"
	OpCNAPIServerVMsGet    = "triton.cnapi.servers.vms.get"
	OpCNAPIUpdateNics      = "triton.cnapi.servers.nics.update"
	OpCNAPIInstallAgent    = "triton.cnapi.servers.install_agent"
	OpCNAPIUninstallAgents = "triton.cnapi.servers.uninstall_agents"
	OpCNAPITaskHistory     = "triton.cnapi.servers.task_history"
	OpCNAPITasksGet        = "triton.cnapi.tasks.get"
	OpCNAPITasksWait       = "triton.cnapi.tasks.wait"
	OpCNAPITicketsCreate   = "triton.cnapi.tickets.create"
	OpCNAPITicketsList     = "triton.cnapi.tickets.list"
	OpCNAPITicketsGet      = "triton.cnapi.tickets.get"
	OpCNAPITicketsWait     = "triton.cnapi.tickets.wait"
	OpCNAPITicketsRelease  = "triton.cnapi.tickets.release"
	OpCNAPITicketsDelete   = "triton.cnapi.tickets.delete"
	OpCNAPIAllocate        = "triton.cnapi.allocate"
	OpCNAPICapacity        = "triton.cnapi.capacity"
	OpCNAPIBootGet         = "triton.cnapi.boot.get"
	OpCNAPIBootSet         = "triton.cnapi.boot.set"
	OpCNAPIBootUpdate      = "triton.cnapi.boot.update"
	OpCNAPIPlatforms       = "triton.cnapi.platforms.list"
	OpCNAPIJobsGet         = "triton.cnapi.jobs.get"
)

func (t *Triton) cnapiRoutes() []kit.Route {
	// CNAPI's ensureParamsValid (lib/validation/endpoints.js) answers 500
	// (sic) InvalidParameters, every field's code Invalid.
	return withValidationAs(t.cnapiRouteTable(), http.StatusInternalServerError, "Request parameters failed validation",
		func(string) string { return "Invalid" })
}

func (t *Triton) cnapiRouteTable() []kit.Route {
	return []kit.Route{
		{Op: OpCNAPIPing, Method: "GET,HEAD", Path: "/ping", Handler: t.cnapiPing},
		{Op: OpCNAPIServersList, Method: "GET,HEAD", Path: "/servers", Handler: t.listServers},
		{Op: OpCNAPIServersGet, Method: "GET,HEAD", Path: "/servers/{uuid}", Handler: t.getServer},
		{Op: OpCNAPIServersUpdate, Method: "POST", Path: "/servers/{uuid}", Handler: t.updateServer},
		{Op: OpCNAPIServersDelete, Method: "DELETE", Path: "/servers/{uuid}", Handler: t.deleteServer},
		{Op: OpCNAPIServersSetup, Method: "PUT", Path: "/servers/{uuid}/setup", Handler: t.setupServer},
		{Op: OpCNAPIServersReset, Method: "PUT", Path: "/servers/{uuid}/factory-reset", Handler: t.factoryReset},
		{Op: OpCNAPIServersReboot, Method: "POST", Path: "/servers/{uuid}/reboot", Handler: t.rebootServer},
		{Op: OpCNAPIServersSysinfo, Method: "POST", Path: "/servers/{uuid}/sysinfo", Handler: t.registerSysinfo},
		{Op: OpCNAPIHeartbeat, Method: "POST", Path: "/servers/{uuid}/events/heartbeat", Handler: t.heartbeat},
		{Op: OpCNAPIStatus, Method: "POST", Path: "/servers/{uuid}/events/status", Handler: t.statusEvent},
		{Op: OpCNAPIServerVMsList, Method: "GET", Path: "/servers/{uuid}/vms", Handler: t.serverVMs},
		{Op: OpCNAPIServerVMsGet, Method: "GET", Path: "/servers/{uuid}/vms/{vm}", Handler: t.serverVM},
		{Op: OpCNAPIUpdateNics, Method: "PUT", Path: "/servers/{uuid}/nics", Handler: t.updateServerNics},
		{Op: OpCNAPIInstallAgent, Method: "POST", Path: "/servers/{uuid}/install-agent", Handler: t.installAgent},
		{Op: OpCNAPIUninstallAgents, Method: "POST", Path: "/servers/{uuid}/uninstall-agents", Handler: t.uninstallAgents},
		{Op: OpCNAPITaskHistory, Method: "GET", Path: "/servers/{uuid}/task-history", Handler: t.taskHistory},
		{Op: OpCNAPITicketsCreate, Method: "POST", Path: "/servers/{uuid}/tickets", Handler: t.createTicket},
		{Op: OpCNAPITicketsList, Method: "GET", Path: "/servers/{uuid}/tickets", Handler: t.listTickets},
		{Op: OpCNAPITicketsGet, Method: "GET", Path: "/tickets/{ticket}", Handler: t.getTicket},
		{Op: OpCNAPITicketsWait, Method: "GET", Path: "/tickets/{ticket}/wait", Handler: t.waitTicket},
		{Op: OpCNAPITicketsRelease, Method: "PUT", Path: "/tickets/{ticket}/release", Handler: t.releaseTicket},
		{Op: OpCNAPITicketsDelete, Method: "DELETE", Path: "/tickets/{ticket}", Handler: t.deleteTicket},
		{Op: OpCNAPITasksGet, Method: "GET", Path: "/tasks/{task}", Handler: t.getTask},
		{Op: OpCNAPITasksWait, Method: "GET", Path: "/tasks/{task}/wait", Handler: t.waitTask},
		{Op: OpCNAPIAllocate, Method: "POST", Path: "/allocate", Handler: t.allocate},
		{Op: OpCNAPICapacity, Method: "POST", Path: "/capacity", Handler: t.capacity},
		{Op: OpCNAPIBootGet, Method: "GET", Path: "/boot/{uuid}", Handler: t.getBoot},
		{Op: OpCNAPIBootSet, Method: "PUT", Path: "/boot/{uuid}", Handler: t.setBoot},
		{Op: OpCNAPIBootUpdate, Method: "POST", Path: "/boot/{uuid}", Handler: t.setBoot},
		{Op: OpCNAPIPlatforms, Method: "GET", Path: "/platforms", Handler: t.platforms},
		{Op: OpCNAPIJobsGet, Method: "GET", Path: "/jobs/{job}", Handler: t.getJob},
	}
}

func (t *Triton) cnapiPing(*kit.Call) (kit.Reply, error) {
	return kit.OK(map[string]any{"ready": true, "healthy": true, "services": map[string]string{"moray": "online", "workflow": "online"}}), nil
}

// serverLocked finds a server; CNAPI's 404 when there is none.
func (t *Triton) serverLocked(uuid string) (*server, error) {
	s := t.dc.servers[uuid]
	if s == nil {
		return nil, kit.NotFound("Server %s not found", uuid)
	}
	return s, nil
}

func boolParam(q map[string][]string, key string) (val, set bool, err error) {
	v := q[key]
	if len(v) == 0 || v[0] == "" {
		return false, false, nil
	}
	switch v[0] {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, false, invalidParam(key, "Must be true or false")
}

// listServers is ServerList: by UUID, filtered, paged (limit 1-1000).
func (t *Triton) listServers(c *kit.Call) (kit.Reply, error) {
	q := c.Query()
	x, err := parseExtras(q.Get("extras"))
	if err != nil {
		return kit.Reply{}, err
	}
	limit, offset, err := page(q, 1000)
	if err != nil {
		return kit.Reply{}, err
	}
	if _, ok := q["limit"]; ok && limit == 0 {
		return kit.Reply{}, invalidParam("limit", "Must be an integer between 1 and 1000")
	}
	var want struct{ setup, headnode, reserved struct{ v, set bool } }
	for key, dst := range map[string]*struct{ v, set bool }{"setup": &want.setup, "headnode": &want.headnode, "reserved": &want.reserved} {
		if dst.v, dst.set, err = boolParam(q, key); err != nil {
			return kit.Reply{}, err
		}
	}
	var uuids map[string]bool
	for _, key := range []string{"uuid", "uuids"} {
		if v := q.Get(key); v != "" {
			uuids = map[string]bool{}
			for _, u := range strings.Split(v, ",") {
				uuids[strings.TrimSpace(u)] = true
			}
		}
	}
	hostname := q.Get("hostname")
	now := t.lock()
	defer t.mu.Unlock()
	out := []Server{}
	n := 0
	for _, s := range t.dc.serverOrder {
		if len(out) >= limit {
			break
		}
		switch {
		case uuids != nil && !uuids[s.uuid],
			hostname != "" && s.hostnameOf() != hostname,
			want.setup.set && s.setup != want.setup.v,
			want.headnode.set && s.headnode != want.headnode.v,
			want.reserved.set && s.reserved != want.reserved.v:
			continue
		}
		if n >= offset {
			out = append(out, t.renderServerLocked(s, now, x))
		}
		n++
	}
	return kit.OK(out), nil
}

func (t *Triton) getServer(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(t.renderServerLocked(s, now, allExtras())), nil
}

// updateServer is ServerUpdate: reserved, traits, rack_identifier,
// comments, boot_platform, setup.
func (t *Triton) updateServer(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Reserved       *bool          `json:"reserved"`
		Traits         map[string]any `json:"traits"`
		RackIdentifier *string        `json:"rack_identifier"`
		Comments       *string        `json:"comments"`
		BootPlatform   *string        `json:"boot_platform"`
		Setup          *bool          `json:"setup"`
		UUID           string         `json:"uuid"`
		Hostname       string         `json:"hostname"`
	}
	if err := decode(c, &body, true); err != nil {
		return kit.Reply{}, err
	}
	if body.UUID != "" || body.Hostname != "" {
		return kit.Reply{}, invalidParam("uuid", "uuid, hostname and created cannot be updated")
	}
	t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	if body.Reserved != nil {
		s.reserved = *body.Reserved
	}
	if body.Traits != nil {
		s.traits = body.Traits
	}
	if body.RackIdentifier != nil {
		s.rack = *body.RackIdentifier
	}
	if body.Comments != nil {
		s.comments = *body.Comments
	}
	if body.BootPlatform != nil {
		s.bootPlatform = *body.BootPlatform
	}
	if body.Setup != nil && *body.Setup != s.setup {
		t.setSetupLocked(s, *body.Setup)
	}
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) setSetupLocked(s *server, setup bool) {
	s.setup = setup
	if setup && !s.diskLost {
		t.dc.free.insert(s)
	} else {
		t.dc.free.remove(s)
	}
}

func (t *Triton) deleteServer(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	t.removeServerLocked(s, now)
	return kit.Status(http.StatusNoContent), nil
}

// serverJobAccepted is CNAPI's 202 body for a workflow.
type serverJobAccepted struct {
	JobUUID string `json:"job_uuid"`
}

func (t *Triton) setupServer(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Hostname string `json:"hostname"`
	}
	if err := decode(c, &body, true); err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	if s.setup {
		return kit.Reply{}, restError(http.StatusConflict, "InvalidArgument", "Server already set up")
	}
	if body.Hostname != "" {
		s.hostname = body.Hostname
	}
	j := t.newJobLocked("server-setup", "", s.uuid, "", nil, now, func(time.Time) { t.setSetupLocked(s, true) }, nil)
	return kit.JSON(http.StatusAccepted, serverJobAccepted{JobUUID: j.uuid}), nil
}

func (t *Triton) factoryReset(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	j := t.newJobLocked("server-factory-reset", "", s.uuid, "", nil, now, func(now time.Time) {
		for _, v := range sortedVMs(s.vms) {
			t.destroyVMLocked(v, now)
		}
		t.setSetupLocked(s, false)
		s.diskLost = false
	}, nil)
	return kit.JSON(http.StatusAccepted, serverJobAccepted{JobUUID: j.uuid}), nil
}

func (t *Triton) rebootServer(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.JSON(http.StatusAccepted, serverJobAccepted{JobUUID: t.rebootLocked(s, now).uuid}), nil
}

// rebootLocked is the server-reboot job: the CN goes silent now,
// "rebooting", and heartbeats again after the boot; the job ends then.
func (t *Triton) rebootLocked(s *server, now time.Time) *job {
	boot := t.cfg.durations.Boot
	if boot < HeartbeatInterval {
		boot = HeartbeatInterval
	}
	s.hbStop, s.hbResume = now, now.Add(boot)
	s.rebootUntil = now.Add(boot)
	j := t.newJobLocked("server-reboot", "", s.uuid, "", nil, now, nil, nil)
	t.atLocked(now.Add(boot), func(at time.Time) {
		s.lastBoot = at
		if cur, boot := s.platform(); cur != boot {
			s.currentPlatform = boot
		}
	})
	return j
}

func (t *Triton) registerSysinfo(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Sysinfo map[string]any `json:"sysinfo"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	if body.Sysinfo == nil {
		return kit.Reply{}, restError(http.StatusConflict, "MissingParameter", "sysinfo is required")
	}
	if u, _ := body.Sysinfo["UUID"].(string); u != c.Var("uuid") {
		return kit.Reply{}, restError(http.StatusConflict, "InvalidArgument", "sysinfo UUID does not match the server's")
	}
	now := t.lock()
	defer t.mu.Unlock()
	if t.dc.servers[c.Var("uuid")] == nil {
		spec := ServerSpec{UUID: c.Var("uuid"), Unsetup: body.Sysinfo["Setup"] != "true" && body.Sysinfo["Setup"] != true}
		if h, _ := body.Sysinfo["Hostname"].(string); h != "" {
			spec.Hostname = h
		}
		if _, err := t.addServerLocked(spec, now, true); err != nil {
			return kit.Reply{}, err
		}
	}
	return kit.OK(map[string]any{}), nil
}

// heartbeat is a cn-agent heartbeat from outside: a silent CN heartbeats
// again from now.
func (t *Triton) heartbeat(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	if !s.hbStop.IsZero() && !now.Before(s.hbStop) && (s.hbResume.IsZero() || now.Before(s.hbResume)) {
		s.hbResume = now
	}
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) statusEvent(c *kit.Call) (kit.Reply, error) {
	var body map[string]any
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	t.lock()
	defer t.mu.Unlock()
	if _, err := t.serverLocked(c.Var("uuid")); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) serverVMs(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	out := []VM{}
	for _, v := range vmsByCreation(s.vms) {
		out = append(out, v.render())
	}
	return kit.OK(out), nil
}

func (t *Triton) serverVM(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	v := s.vms[c.Var("vm")]
	if v == nil {
		return kit.Reply{}, restError(http.StatusNotFound, "VmNotFound", "VM "+c.Var("vm")+" not found")
	}
	return kit.OK(v.render()), nil
}

// updateServerNics is NicUpdate: add, replace or remove NIC tags on the
// server's NICs (by MAC); a MAC it does not have is a new external NIC.
func (t *Triton) updateServerNics(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Action string `json:"action"`
		NICs   []struct {
			MAC             string   `json:"mac"`
			NicTagsProvided []string `json:"nic_tags_provided"`
		} `json:"nics"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	switch {
	case body.Action != "update" && body.Action != "replace" && body.Action != "delete":
		return kit.Reply{}, invalidParam("action", "Invalid action")
	case len(body.NICs) == 0:
		return kit.Reply{}, missingParam("nics")
	}
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	for _, in := range body.NICs {
		if _, ok := parseMAC(in.MAC); !ok {
			return kit.Reply{}, invalidParam("nics", "Invalid MAC address "+in.MAC)
		}
		for _, tag := range in.NicTagsProvided {
			if t.dc.nicTags[tag] == nil {
				return kit.Reply{}, invalidParam("nics", "nic tag "+tag+" does not exist")
			}
		}
	}
	nics := body.NICs
	j := t.newJobLocked("server-update-nics", "", s.uuid, "", map[string]any{"action": body.Action}, now, func(now time.Time) {
		for _, in := range nics {
			mac, _ := parseMAC(in.MAC)
			n := t.serverNICLocked(s, mac, now)
			switch body.Action {
			case "update":
				for _, tag := range in.NicTagsProvided {
					if !slices.Contains(n.tags, tag) {
						n.tags = append(n.tags, tag)
					}
				}
			case "replace":
				n.tags = slices.Clone(in.NicTagsProvided)
			case "delete":
				n.tags = slices.DeleteFunc(n.tags, func(x string) bool { return slices.Contains(in.NicTagsProvided, x) })
			}
			n.modified = now
		}
	}, nil)
	return kit.JSON(http.StatusAccepted, serverJobAccepted{JobUUID: j.uuid}), nil
}

// serverNICLocked is s's NIC of that MAC, a new one (no IP) when it has none.
func (t *Triton) serverNICLocked(s *server, mac uint64, now time.Time) *nic {
	if s.adminNIC != nil && s.adminNIC.mac == mac {
		return s.adminNIC
	}
	for _, n := range s.extraNICs {
		if n.mac == mac {
			return n
		}
	}
	n := &nic{mac: mac, belongsToUUID: s.uuid, belongsToType: "server", ownerUUID: s.uuid, state: "running", created: now, modified: now}
	if t.dc.nics[mac] == nil {
		t.dc.nics[mac] = n
		t.dc.nicOrder = append(t.dc.nicOrder, n)
	}
	s.extraNICs = append(s.extraNICs, n)
	return n
}

func (t *Triton) platforms(*kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	seen := map[string]bool{}
	for _, s := range t.dc.serverOrder {
		cur, boot := s.platform()
		seen[cur], seen[boot] = true, true
	}
	if len(seen) == 0 {
		seen[DefaultProfile().Platform] = true
	}
	latest := ""
	for p := range seen {
		latest = max(latest, p)
	}
	out := map[string]map[string]any{}
	for p := range seen {
		out[p] = map[string]any{}
	}
	out[latest]["latest"] = true
	return kit.OK(out), nil
}
