package triton

import (
	"fmt"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// The control API: compute nodes and chaos over HTTP, for the standalone
// server and tests that prefer HTTP. A Cloud serves these routes under
// /mockcloud/v1/triton (kit.Controls) with the control API's errors,
// {"error":{"code","message"}}; bodies are typed JSON, unknown members are
// a 400.
//
//	GET    /servers[?offset=&limit=&status=]   -> {"total","status_counts","servers":[summary]} (limit ≤ 1000, default 100)
//	POST   /servers                            {"count","profile",…} -> 201 {"servers":[uuid]} (count 1-100,000)
//	DELETE /servers/{uuid}                     -> 204 (its VMs destroyed)
//	POST   /servers/{uuid}/stop-heartbeats     {"at": RFC 3339} or {"in": "15s"}; none: now -> 204
//	POST   /servers/{uuid}/resume-heartbeats   the same -> 204; 409 if it has not stopped by then
//	POST   /servers/{uuid}/reboot              -> 202 {"job_uuid"}
//	POST   /servers/{uuid}/lose-disk           -> 204 (its VMs failed)
//	GET    /job-faults                         -> {"job_faults":[{"id",…}]}
//	POST   /job-faults                         a JobFault -> 201 {"id",…}
//	DELETE /job-faults/{id}                    -> 204
//	POST   /provision-failures                 {"server_uuid","alias_pattern","times"} -> 201 the job fault
//	POST   /dc                                 a DC description (LoadDC) -> 200 {"loaded":{…}}
//
// The Go calls are [Triton.AddServers], [Triton.RemoveServer],
// [Triton.ServerSummaries], [Triton.StopHeartbeats], [Triton.ResumeHeartbeats],
// [Triton.RebootServer], [Triton.LoseDisk], [Triton.AddJobFault],
// [Triton.JobFaults], [Triton.RemoveJobFault], [Triton.FailProvisions] and
// [Triton.LoadDC].

// Route names of the control API (not journaled or faulted: the control
// API is neither).
const (
	OpControlServersList         = "triton.control.servers.list"
	OpControlServersCreate       = "triton.control.servers.create"
	OpControlServersDelete       = "triton.control.servers.delete"
	OpControlServersStopHB       = "triton.control.servers.stop_heartbeats"
	OpControlServersResumeHB     = "triton.control.servers.resume_heartbeats"
	OpControlServersReboot       = "triton.control.servers.reboot"
	OpControlServersLoseDisk     = "triton.control.servers.lose_disk"
	OpControlJobFaultsList       = "triton.control.job_faults.list"
	OpControlJobFaultsCreate     = "triton.control.job_faults.create"
	OpControlJobFaultsDelete     = "triton.control.job_faults.delete"
	OpControlProvisionFailures   = "triton.control.provision_failures.create"
	OpControlLoadDC              = "triton.control.dc.load"
	controlServerPath            = "/servers/{uuid}"
	controlDefaultLimit          = 100
	controlMaxLimit              = 1000
	controlMaxStringLen          = 256
	controlMaxAgents             = 64
	controlMaxJobFaultTimes      = 1_000_000
	controlMaxAliasPatternLength = 512
)

// Bounds of the control API's bulk calls.
const (
	// MaxAddServers is the most compute nodes one POST /servers adds.
	MaxAddServers = 100_000
	// MaxServers is the most compute nodes a DC may reach through the
	// control API (adding, or loading a description).
	MaxServers = 250_000
	// MaxLoadVMs and MaxLoadNICs bound a DC description's VMs and NICs.
	MaxLoadVMs  = 1_000_000
	MaxLoadNICs = 1_000_000
	// MaxLoadNetworks bounds its networks and NIC tags.
	MaxLoadNetworks = 10_000
)

// ControlRoutes are the control API's routes, relative to where a Cloud
// mounts them (/mockcloud/v1/triton); see kit.Controls.
func (t *Triton) ControlRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpControlServersList, Method: "GET,HEAD", Path: "/servers", Handler: t.controlListServers},
		{Op: OpControlServersCreate, Method: "POST", Path: "/servers", Handler: t.controlAddServers},
		{Op: OpControlServersDelete, Method: "DELETE", Path: controlServerPath, Handler: t.controlRemoveServer},
		{Op: OpControlServersStopHB, Method: "POST", Path: controlServerPath + "/stop-heartbeats", Handler: t.controlStopHeartbeats},
		{Op: OpControlServersResumeHB, Method: "POST", Path: controlServerPath + "/resume-heartbeats", Handler: t.controlResumeHeartbeats},
		{Op: OpControlServersReboot, Method: "POST", Path: controlServerPath + "/reboot", Handler: t.controlReboot},
		{Op: OpControlServersLoseDisk, Method: "POST", Path: controlServerPath + "/lose-disk", Handler: t.controlLoseDisk},
		{Op: OpControlJobFaultsList, Method: "GET,HEAD", Path: "/job-faults", Handler: t.controlListJobFaults},
		{Op: OpControlJobFaultsCreate, Method: "POST", Path: "/job-faults", Handler: t.controlAddJobFault},
		{Op: OpControlJobFaultsDelete, Method: "DELETE", Path: "/job-faults/{id}", Handler: t.controlRemoveJobFault},
		{Op: OpControlProvisionFailures, Method: "POST", Path: "/provision-failures", Handler: t.controlFailProvisions},
		{Op: OpControlLoadDC, Method: "POST", Path: "/dc", Handler: t.controlLoadDC},
	}
}

// strict is how every control body is read: unknown members are a 400.
var strict = kit.DecodeOptions{DisallowUnknownFields: true}

// ServerSummary is a compute node in brief, as the control API lists it.
type ServerSummary struct {
	UUID               string `json:"uuid"`
	Hostname           string `json:"hostname"`
	Status             string `json:"status"`
	TransitionalStatus string `json:"transitional_status"`
	LastHeartbeat      string `json:"last_heartbeat,omitempty"`
	// HeartbeatsStop and HeartbeatsResume are the chaos in force: when it
	// stops (stopped) heartbeating and when it resumes.
	HeartbeatsStop   string `json:"heartbeats_stop,omitempty"`
	HeartbeatsResume string `json:"heartbeats_resume,omitempty"`
	Setup            bool   `json:"setup"`
	Headnode         bool   `json:"headnode"`
	Reserved         bool   `json:"reserved"`
	DiskLost         bool   `json:"disk_lost"`
	RAM              int64  `json:"ram"`
	UnreservedRAM    int64  `json:"unreserved_ram"`
	VMs              int    `json:"vms"`
	AdminIP          string `json:"admin_ip"`
}

// ServerPage is one page of compute node summaries.
type ServerPage struct {
	// Total is how many compute nodes match (all pages).
	Total int `json:"total"`
	// StatusCounts counts every compute node by status, not only this page.
	StatusCounts map[string]int  `json:"status_counts"`
	Servers      []ServerSummary `json:"servers"`
}

// ServerSummaries is a page of compute node summaries by UUID: those
// with status (any when ""), from offset, at most limit.
func (t *Triton) ServerSummaries(status string, offset, limit int) ServerPage {
	now := t.lock()
	defer t.mu.Unlock()
	page := ServerPage{StatusCounts: map[string]int{}, Servers: []ServerSummary{}}
	for _, s := range t.dc.serverOrder {
		st := s.status(now, t.dc.epoch)
		page.StatusCounts[st]++
		if status != "" && st != status {
			continue
		}
		page.Total++
		if page.Total > offset && len(page.Servers) < limit {
			page.Servers = append(page.Servers, t.summaryLocked(s, st, now))
		}
	}
	return page
}

func (t *Triton) summaryLocked(s *server, status string, now time.Time) ServerSummary {
	out := ServerSummary{UUID: s.uuid, Hostname: s.hostnameOf(), Status: status, TransitionalStatus: s.transitional(now),
		Setup: s.setup, Headnode: s.headnode, Reserved: s.reserved, DiskLost: s.diskLost, RAM: s.ramTotal(),
		UnreservedRAM: s.unreservedRAM(), VMs: len(s.vms)}
	if hb := s.lastHeartbeat(now); !hb.IsZero() {
		out.LastHeartbeat = iso(hb)
	}
	if !s.hbStop.IsZero() {
		out.HeartbeatsStop = iso(s.hbStop)
	}
	if !s.hbResume.IsZero() {
		out.HeartbeatsResume = iso(s.hbResume)
	}
	if s.adminNIC != nil {
		out.AdminIP = ipString(s.adminNIC.ip)
	}
	return out
}

func (t *Triton) controlListServers(c *kit.Call) (kit.Reply, error) {
	q := c.Query()
	offset, err := queryInt(q.Get("offset"), "offset", 0, 0, 1<<30)
	if err != nil {
		return kit.Reply{}, err
	}
	limit, err := queryInt(q.Get("limit"), "limit", controlDefaultLimit, 1, controlMaxLimit)
	if err != nil {
		return kit.Reply{}, err
	}
	status := q.Get("status")
	switch status {
	case "", "running", "unknown", "rebooting":
	default:
		return kit.Reply{}, kit.BadRequest("status %q: want running, unknown or rebooting.", status)
	}
	return kit.OK(t.ServerSummaries(status, offset, limit)), nil
}

// queryInt reads an integer query parameter from lo to hi, def when absent.
func queryInt(v, name string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, kit.BadRequest("%s=%q: want an integer from %d to %d.", name, v, lo, hi)
	}
	return n, nil
}

// addServersRequest is POST /servers: count compute nodes of one profile.
type addServersRequest struct {
	Count   int             `json:"count"`
	Profile *profileRequest `json:"profile"`
	// Unsetup adds them not yet set up (the allocator passes them by).
	Unsetup  bool           `json:"unsetup"`
	Reserved bool           `json:"reserved"`
	Traits   map[string]any `json:"traits"`
	Rack     string         `json:"rack_identifier"`
}

// profileRequest is a Profile over HTTP: what is absent is DefaultProfile's.
type profileRequest struct {
	RAMMiB       *int64   `json:"ram_mib"`
	CPUCores     *int     `json:"cpu_cores"`
	Disks        *int     `json:"disks"`
	DiskGB       *int64   `json:"disk_gb"`
	ZpoolGiB     *int64   `json:"zpool_gib"`
	Platform     *string  `json:"platform"`
	CPUType      *string  `json:"cpu_type"`
	SystemType   *string  `json:"system_type"`
	Product      *string  `json:"product"`
	Manufacturer *string  `json:"manufacturer"`
	Agents       *[]Agent `json:"agents"`
}

type serverUUIDs struct {
	Servers []string `json:"servers"`
}

func (t *Triton) controlAddServers(c *kit.Call) (kit.Reply, error) {
	var in addServersRequest
	if err := c.DecodeJSON(&in, strict); err != nil {
		return kit.Reply{}, err
	}
	if in.Count < 1 || in.Count > MaxAddServers {
		return kit.Reply{}, kit.BadRequest(`"count" must be from 1 to %d, not %d.`, MaxAddServers, in.Count)
	}
	if len(in.Rack) > controlMaxStringLen {
		return kit.Reply{}, kit.BadRequest(`"rack_identifier" is longer than %d characters.`, controlMaxStringLen)
	}
	p, err := in.Profile.profile()
	if err != nil {
		return kit.Reply{}, err
	}
	spec := ServerSpec{Profile: &p, Unsetup: in.Unsetup, Reserved: in.Reserved, Traits: in.Traits, Rack: in.Rack}
	uuids, err := t.addServersSpec(in.Count, spec)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.JSON(http.StatusCreated, serverUUIDs{Servers: uuids}), nil
}

// addServersSpec adds n compute nodes like spec (a UUID, hostname and
// admin address each of their own), or none when the DC would pass
// MaxServers or its admin network cannot take them.
func (t *Triton) addServersSpec(n int, spec ServerSpec) ([]string, error) {
	now := t.lock()
	defer t.mu.Unlock()
	if have := len(t.dc.servers); have+n > MaxServers {
		return nil, kit.BadRequest("The DC has %d compute nodes; %d more would pass the control API's limit of %d.", have, n, MaxServers)
	}
	admin := t.networkLocked("admin")
	if admin == nil {
		return nil, kit.Conflict("There is no admin network.")
	}
	if free := int(admin.end-admin.start+1) - admin.count; n > free {
		return nil, kit.Conflict("The admin network has %d free addresses, not %d.", free, n)
	}
	out := make([]string, 0, n)
	for range n {
		s, err := t.addServerLocked(spec, now, false)
		if err != nil {
			break // the admin network is full after all: keep what was added
		}
		out = append(out, s.uuid)
	}
	sort.Slice(t.dc.serverOrder, func(i, j int) bool { return t.dc.serverOrder[i].uuid < t.dc.serverOrder[j].uuid })
	return out, nil
}

// profile is DefaultProfile with what p gives, checked.
func (p *profileRequest) profile() (Profile, error) {
	out := DefaultProfile()
	if p == nil {
		return out, nil
	}
	ints := []struct {
		name    string
		v       *int64
		lo, hi  int64
		setting *int64
	}{
		{"ram_mib", p.RAMMiB, 1024, 64 << 20, &out.RAMMiB},
		{"disk_gb", p.DiskGB, 1, 1 << 20, &out.DiskGB},
		{"zpool_gib", p.ZpoolGiB, 1, 1 << 24, &out.ZpoolGiB},
	}
	for _, f := range ints {
		if f.v == nil {
			continue
		}
		if *f.v < f.lo || *f.v > f.hi {
			return Profile{}, kit.BadRequest(`"profile.%s" must be from %d to %d, not %d.`, f.name, f.lo, f.hi, *f.v)
		}
		*f.setting = *f.v
	}
	if err := setIntIn(&out.CPUCores, p.CPUCores, "cpu_cores", 1, 4096); err != nil {
		return Profile{}, err
	}
	if err := setIntIn(&out.Disks, p.Disks, "disks", 1, 256); err != nil {
		return Profile{}, err
	}
	for _, f := range []struct {
		name    string
		v       *string
		setting *string
	}{
		{"platform", p.Platform, &out.Platform}, {"cpu_type", p.CPUType, &out.CPUType}, {"system_type", p.SystemType, &out.SystemType},
		{"product", p.Product, &out.Product}, {"manufacturer", p.Manufacturer, &out.Manufacturer},
	} {
		if f.v == nil {
			continue
		}
		if *f.v == "" || len(*f.v) > controlMaxStringLen {
			return Profile{}, kit.BadRequest(`"profile.%s" must be 1 to %d characters.`, f.name, controlMaxStringLen)
		}
		*f.setting = *f.v
	}
	if p.Agents != nil {
		if err := checkAgents(*p.Agents); err != nil {
			return Profile{}, err
		}
		out.Agents = append([]Agent{}, *p.Agents...)
	}
	return out, nil
}

func setIntIn(dst *int, v *int, name string, lo, hi int) error {
	if v == nil {
		return nil
	}
	if *v < lo || *v > hi {
		return kit.BadRequest(`"profile.%s" must be from %d to %d, not %d.`, name, lo, hi, *v)
	}
	*dst = *v
	return nil
}

func checkAgents(agents []Agent) error {
	if len(agents) > controlMaxAgents {
		return kit.BadRequest(`"profile.agents" has %d agents; at most %d.`, len(agents), controlMaxAgents)
	}
	for i, a := range agents {
		if a.Name == "" || len(a.Name) > controlMaxStringLen || len(a.Version) > controlMaxStringLen {
			return kit.BadRequest(`"profile.agents[%d]" needs a "name" (and a "version") of at most %d characters.`, i, controlMaxStringLen)
		}
		if a.ImageUUID != "" && !validUUID(a.ImageUUID) {
			return kit.BadRequest(`"profile.agents[%d].image_uuid" %q is not a UUID.`, i, a.ImageUUID)
		}
	}
	return nil
}

func (t *Triton) controlRemoveServer(c *kit.Call) (kit.Reply, error) {
	if err := t.RemoveServer(c.Var("uuid")); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

// atRequest is when a heartbeat change takes effect: at an instant, or in
// a duration from the clock's now (negative: in the past); neither is now.
type atRequest struct {
	At *string `json:"at"`
	In *string `json:"in"`
}

func (t *Triton) controlAt(c *kit.Call) (time.Time, error) {
	var in atRequest
	if err := c.DecodeJSON(&in, kit.DecodeOptions{DisallowUnknownFields: true, AllowEmpty: true}); err != nil {
		return time.Time{}, err
	}
	switch {
	case in.At != nil && in.In != nil:
		return time.Time{}, kit.BadRequest(`Give "at" or "in", not both.`)
	case in.At != nil:
		at, err := time.Parse(time.RFC3339Nano, *in.At)
		if err != nil {
			return time.Time{}, kit.BadRequest(`"at" %q is not an RFC 3339 time ("2026-01-01T00:00:15Z").`, *in.At)
		}
		return at, nil
	case in.In != nil:
		d, err := time.ParseDuration(*in.In)
		if err != nil {
			return time.Time{}, kit.BadRequest(`"in" %q is not a duration ("15s", "-1m").`, *in.In)
		}
		return t.Now().Add(d), nil
	}
	return t.Now(), nil
}

func (t *Triton) controlStopHeartbeats(c *kit.Call) (kit.Reply, error) {
	at, err := t.controlAt(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := t.StopHeartbeats(c.Var("uuid"), at); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) controlResumeHeartbeats(c *kit.Call) (kit.Reply, error) {
	at, err := t.controlAt(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := t.ResumeHeartbeats(c.Var("uuid"), at); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

type jobUUID struct {
	JobUUID string `json:"job_uuid"`
}

func (t *Triton) controlReboot(c *kit.Call) (kit.Reply, error) {
	job, err := t.RebootServer(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.JSON(http.StatusAccepted, jobUUID{JobUUID: job}), nil
}

func (t *Triton) controlLoseDisk(c *kit.Call) (kit.Reply, error) {
	if err := t.LoseDisk(c.Var("uuid")); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

// JobFaultInfo is an installed job fault with its ID and how many jobs it
// has hit.
type JobFaultInfo struct {
	ID string `json:"id"`
	JobFault
	Hits int `json:"hits"`
}

// JobFaults lists the installed job faults in the order they are tried.
func (t *Triton) JobFaults() []JobFaultInfo {
	t.lock()
	defer t.mu.Unlock()
	out := []JobFaultInfo{}
	for _, f := range t.dc.chaos.jobFaults {
		out = append(out, JobFaultInfo{ID: f.id, JobFault: f.JobFault, Hits: f.hits})
	}
	return out
}

type jobFaultList struct {
	JobFaults []JobFaultInfo `json:"job_faults"`
}

func (t *Triton) controlListJobFaults(*kit.Call) (kit.Reply, error) {
	return kit.OK(jobFaultList{JobFaults: t.JobFaults()}), nil
}

func (t *Triton) controlAddJobFault(c *kit.Call) (kit.Reply, error) {
	var f JobFault
	if err := c.DecodeJSON(&f, strict); err != nil {
		return kit.Reply{}, err
	}
	return t.installJobFault(c, f)
}

// installJobFault checks f, installs it and answers 201 with it.
func (t *Triton) installJobFault(c *kit.Call, f JobFault) (kit.Reply, error) {
	if err := t.checkJobFault(f); err != nil {
		return kit.Reply{}, err
	}
	id := t.AddJobFault(f)
	p := c.Request.URL.Path // …/job-faults or …/provision-failures
	c.Header().Set("Location", p[:strings.LastIndex(p, "/")]+"/job-faults/"+id)
	return kit.JSON(http.StatusCreated, JobFaultInfo{ID: id, JobFault: f}), nil
}

// checkJobFault refuses a fault that could never hit a job, or that
// names something malformed.
func (t *Triton) checkJobFault(f JobFault) error {
	if f.Workflow != "" {
		wf, ok := workflows[f.Workflow]
		if !ok {
			return kit.BadRequest(`"workflow" %q is not one of %s.`, f.Workflow, strings.Join(workflowNames(), ", "))
		}
		if f.Step != "" && stepIndex(wf.chain, f.Step) < 0 {
			return kit.BadRequest(`Workflow %s has no step %q; its steps: %s.`, f.Workflow, f.Step, strings.Join(wf.chain, ", "))
		}
	} else if f.Step != "" && !anyWorkflowHas(f.Step) {
		return kit.BadRequest(`No workflow has a step %q.`, f.Step)
	}
	if f.Server != "" {
		if !validUUID(f.Server) {
			return kit.BadRequest(`"server_uuid" %q is not a UUID.`, f.Server)
		}
		if _, ok := t.Server(f.Server); !ok {
			return kit.BadRequest(`"server_uuid" %s: the DC has no such compute node.`, f.Server)
		}
	}
	if len(f.AliasPattern) > controlMaxAliasPatternLength {
		return kit.BadRequest(`"alias_pattern" is longer than %d characters.`, controlMaxAliasPatternLength)
	}
	if _, err := path.Match(f.AliasPattern, ""); err != nil {
		return kit.BadRequest(`"alias_pattern" %q is not a valid pattern (path.Match): %v.`, f.AliasPattern, err)
	}
	if f.Times < 0 || f.Times > controlMaxJobFaultTimes {
		return kit.BadRequest(`"times" must be from 0 (every job) to %d, not %d.`, controlMaxJobFaultTimes, f.Times)
	}
	return nil
}

func workflowNames() []string {
	out := make([]string, 0, len(workflows))
	for name := range workflows {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func anyWorkflowHas(step string) bool {
	for _, wf := range workflows {
		if stepIndex(wf.chain, step) >= 0 {
			return true
		}
	}
	return false
}

func (t *Triton) controlRemoveJobFault(c *kit.Call) (kit.Reply, error) {
	if !t.RemoveJobFault(c.Var("id")) {
		return kit.Reply{}, kit.NotFound("No job fault %s.", c.Var("id"))
	}
	return kit.Status(http.StatusNoContent), nil
}

// provisionFailures is POST /provision-failures: FailProvisions over HTTP.
type provisionFailures struct {
	Server       string `json:"server_uuid"`
	AliasPattern string `json:"alias_pattern"`
	Times        int    `json:"times"`
}

func (t *Triton) controlFailProvisions(c *kit.Call) (kit.Reply, error) {
	var in provisionFailures
	if err := c.DecodeJSON(&in, kit.DecodeOptions{DisallowUnknownFields: true, AllowEmpty: true}); err != nil {
		return kit.Reply{}, err
	}
	return t.installJobFault(c, JobFault{Workflow: "provision", Step: "cnapi.provision_vm", Server: in.Server,
		AliasPattern: in.AliasPattern, Times: in.Times})
}

// serverCount is how many compute nodes the DC has.
func (t *Triton) serverCount() int {
	t.lock()
	defer t.mu.Unlock()
	return len(t.dc.servers)
}

// loadedCounts is what POST /dc loaded.
type loadedCounts struct {
	Loaded struct {
		NicTags  int `json:"nic_tags"`
		Networks int `json:"networks"`
		Servers  int `json:"servers"`
		VMs      int `json:"vms"`
		NICs     int `json:"nics"`
	} `json:"loaded"`
}

func (t *Triton) controlLoadDC(c *kit.Call) (kit.Reply, error) {
	var d DC
	if err := c.DecodeJSON(&d, kit.DecodeOptions{}); err != nil {
		return kit.Reply{}, err
	}
	for _, n := range []struct {
		what     string
		have, hi int
	}{
		{"nic_tags", len(d.NicTags), MaxLoadNetworks}, {"networks", len(d.Networks), MaxLoadNetworks},
		{"servers", len(d.Servers), MaxServers}, {"vms", len(d.VMs), MaxLoadVMs}, {"nics", len(d.NICs), MaxLoadNICs},
	} {
		if n.have > n.hi {
			return kit.Reply{}, kit.BadRequest(`The description has %d %s; at most %d.`, n.have, n.what, n.hi)
		}
	}
	if have := t.serverCount(); have+len(d.Servers) > MaxServers {
		return kit.Reply{}, kit.BadRequest("The DC has %d compute nodes; %d more would pass the control API's limit of %d.", have, len(d.Servers), MaxServers)
	}
	if err := t.loadDC(d, MaxServers); err != nil {
		return kit.Reply{}, asBadRequest(err)
	}
	var out loadedCounts
	out.Loaded.NicTags, out.Loaded.Networks, out.Loaded.Servers = len(d.NicTags), len(d.Networks), len(d.Servers)
	out.Loaded.VMs, out.Loaded.NICs = len(d.VMs), len(d.NICs)
	return kit.OK(out), nil
}

// asBadRequest is a LoadDC failure as a 400 naming what was refused (the
// APIs' own errors carry their field errors apart).
func asBadRequest(err error) error {
	e, ok := err.(*kit.Error)
	if !ok {
		return err
	}
	msg := e.Message
	if x, ok := e.Extra.(restErr); ok && len(x.Errors) > 0 {
		var fields []string
		for _, f := range x.Errors {
			fields = append(fields, fmt.Sprintf("%s: %s", f.Field, f.Message))
		}
		msg += " (" + strings.Join(fields, "; ") + ")"
	}
	if !strings.HasPrefix(msg, "LoadDC") {
		msg = "LoadDC: " + msg
	}
	return kit.BadRequest("%s; what came before it is loaded.", strings.TrimSuffix(msg, "."))
}
