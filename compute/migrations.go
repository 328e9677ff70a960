// Migrations: os-migrations (admin only; 2.23 migration_type and links,
// 2.59 uuid and paging, 2.66 changes-before, 2.80 user_id and
// project_id) and a server's live migrations (2.22 force_complete, 2.23
// list and show, 2.24 abort), recorded when a server is resized, cold
// migrated, live migrated or evacuated. A migration's status follows the
// fake hypervisor's clock: migrating (running for a live migration) until
// the move is done, then finished (a resize or cold migration, until
// confirmed or reverted), completed (live) or done (evacuation).
//
// Fidelity limits: a live migration is never queued or preparing, and its
// memory and disk progress grow linearly with time.

package compute

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-migrations and of a server's migrations.
const (
	OpListMigrations               = "compute.migrations.list"
	OpListServerMigrations         = "compute.servers.migrations.list"
	OpGetServerMigration           = "compute.servers.migrations.get"
	OpServerMigrationForceComplete = "compute.servers.migrations.action.force_complete"
	OpAbortServerMigration         = "compute.servers.migrations.delete"
)

func (c *Compute) migrationRoutes() []kit.Route {
	return []kit.Route{
		route(OpListMigrations, "GET", "/os-migrations", c.listMigrations),
		route(OpListServerMigrations, "GET", "/servers/{server_id}/migrations", c.listServerMigrations),
		route(OpGetServerMigration, "GET", "/servers/{server_id}/migrations/{migration_id}", c.getServerMigration),
		route(OpServerMigrationForceComplete, "POST", "/servers/{server_id}/migrations/{migration_id}/action", c.forceCompleteMigration),
		route(OpAbortServerMigration, "DELETE", "/servers/{server_id}/migrations/{migration_id}", c.abortServerMigration),
	}
}

// Migration types.
const (
	migrationResize     = "resize"
	migrationCold       = "migration"
	migrationLive       = "live-migration"
	migrationEvacuation = "evacuation"
)

// migration is one record of a server's move.
type migration struct {
	id                int
	uuid              string
	serverID          string
	projectID, userID string
	kind              string
	source, dest      string // compute hosts
	oldType, newType  int    // the flavors' integer IDs
	memoryBytes       int64
	diskBytes         int64
	status            string // a status set by an action; "" follows the clock
	created, updated  time.Time
	finishAt          time.Time
}

// statusAt is the migration's status at now.
func (m *migration) statusAt(now time.Time) string {
	if m.status != "" {
		return m.status
	}
	if now.Before(m.finishAt) {
		if m.kind == migrationLive {
			return "running"
		}
		return "migrating"
	}
	switch m.kind {
	case migrationLive:
		return "completed"
	case migrationEvacuation:
		return "done"
	}
	return "finished"
}

func (m *migration) updatedAt(now time.Time) time.Time {
	if m.status == "" && !now.Before(m.finishAt) {
		return m.finishAt
	}
	return m.updated
}

// inProgressLive: a live migration still running.
func (m *migration) inProgressLive(now time.Time) bool {
	return m.kind == migrationLive && m.statusAt(now) == "running"
}

// flavorNumberLocked is a flavor's integer ID (Nova's instance_type_id):
// its place among the flavor IDs, sorted.
func (c *Compute) flavorNumberLocked(id string) int {
	ids := make([]string, 0, len(c.flavors))
	for k := range c.flavors {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	return slices.Index(ids, id) + 1
}

// recordMigrationLocked records a move of s from source to dest that
// completes after d.
func (c *Compute) recordMigrationLocked(s *server, kind, source, dest, newFlavor string, d time.Duration) *migration {
	now := c.Now()
	m := &migration{
		id: len(c.admin.migrations) + 1, uuid: c.RNG().UUID(), serverID: s.ID, projectID: s.ProjectID, userID: s.UserID,
		kind: kind, source: source, dest: dest, oldType: c.flavorNumberLocked(s.FlavorID), newType: c.flavorNumberLocked(newFlavor),
		memoryBytes: int64(s.MemoryMB) << 20, diskBytes: int64(s.DiskGB) << 30,
		created: now, updated: now, finishAt: now.Add(d),
	}
	c.admin.migrations = append(c.admin.migrations, m)
	return m
}

// noteMigrationLocked is called before a server action runs; what it
// returns is called once the action succeeded, to record the migration
// the action starts or to close the one it confirms or reverts.
func (c *Compute) noteMigrationLocked(name string, s *server, arg json.RawMessage) func() {
	source, d := s.Host, c.durations.Resize
	switch name {
	case "resize":
		var in struct {
			FlavorRef flexString `json:"flavorRef"`
		}
		_ = json.Unmarshal(arg, &in)
		return func() {
			c.recordMigrationLocked(s, migrationResize, source, source, idFromHref(string(in.FlavorRef)), d)
		}
	case "migrate", "os-migrateLive":
		target, err := c.migrationTargetLocked(s, arg)
		if err != nil {
			return func() {}
		}
		kind := map[string]string{"migrate": migrationCold, "os-migrateLive": migrationLive}[name]
		return func() { c.recordMigrationLocked(s, kind, source, target, s.FlavorID, d) }
	case "confirmResize", "revertResize":
		status := map[string]string{"confirmResize": "confirmed", "revertResize": "reverted"}[name]
		return func() {
			now := c.Now()
			for i := len(c.admin.migrations) - 1; i >= 0; i-- {
				m := c.admin.migrations[i]
				if m.serverID == s.ID && (m.kind == migrationResize || m.kind == migrationCold) && m.statusAt(now) == "finished" {
					m.status, m.updated = status, now
					return
				}
			}
		}
	}
	return func() {}
}

// hostMigratingLocked reports whether a migration from or to host is in
// progress.
func (c *Compute) hostMigratingLocked(host string) bool {
	now := c.Now()
	for _, m := range c.admin.migrations {
		switch m.statusAt(now) {
		case "migrating", "running", "finished", "pre-migrating", "post-migrating":
			if m.source == host || m.dest == host {
				return true
			}
		}
	}
	return false
}

// hostIP is a host's address (as os-hypervisors shows it).
func (c *Compute) hostIP(host string) string {
	if i := slices.Index(c.hosts, host); i >= 0 {
		return fmt.Sprintf("192.168.100.%d", 10+i%240)
	}
	return ""
}

// migrationJSON is a migration in os-migrations.
type migrationJSON struct {
	CreatedAt         string  `json:"created_at"`
	DestCompute       *string `json:"dest_compute"`
	DestHost          *string `json:"dest_host"`
	DestNode          *string `json:"dest_node"`
	ID                int     `json:"id"`
	InstanceUUID      string  `json:"instance_uuid"`
	NewInstanceTypeID int     `json:"new_instance_type_id"`
	OldInstanceTypeID int     `json:"old_instance_type_id"`
	SourceCompute     *string `json:"source_compute"`
	SourceNode        *string `json:"source_node"`
	Status            string  `json:"status"`
	UpdatedAt         *string `json:"updated_at"`
	MigrationType     string  `json:"migration_type,omitempty"` // 2.23
	Links             []link  `json:"links,omitempty"`          // 2.23, in-progress live migrations
	UUID              string  `json:"uuid,omitempty"`           // 2.59
	UserID            string  `json:"user_id,omitempty"`        // 2.80
	ProjectID         string  `json:"project_id,omitempty"`     // 2.80
}

func (c *Compute) migrationView(call *kit.Call, m *migration, now time.Time) migrationJSON {
	v := versionOf(call)
	out := migrationJSON{
		CreatedAt: m.created.UTC().Format(novaMicroTime), ID: m.id, InstanceUUID: m.serverID,
		NewInstanceTypeID: m.newType, OldInstanceTypeID: m.oldType, Status: m.statusAt(now),
		UpdatedAt:   ptr(m.updatedAt(now).UTC().Format(novaMicroTime)),
		DestCompute: ptr(m.dest), DestHost: ptr(c.hostIP(m.dest)), DestNode: ptr(nodeName(m.dest)),
		SourceCompute: ptr(m.source), SourceNode: ptr(nodeName(m.source)),
	}
	if v.AtLeast(23) {
		out.MigrationType = m.kind
		if m.inProgressLive(now) {
			out.Links = links(call, callerOf(call).projectID, "servers", m.serverID+"/migrations/"+strconv.Itoa(m.id))
		}
	}
	if v.AtLeast(59) {
		out.UUID = m.uuid
	}
	if v.AtLeast(80) {
		out.UserID, out.ProjectID = m.userID, m.projectID
	}
	return out
}

type migrationList struct {
	Migrations []migrationJSON `json:"migrations"`
	Links      []link          `json:"migrations_links,omitempty"`
}

// migrationQuery is a parsed os-migrations query.
type migrationQuery struct {
	host, status, server, source, kind string
	userID, projectID                  string
	since, before                      time.Time
	limit                              int
	marker                             string
	hasMarker, paged                   bool
}

func parseMigrationQuery(call *kit.Call) (migrationQuery, error) {
	v := versionOf(call)
	q := call.Query()
	mq := migrationQuery{host: q.Get("host"), status: q.Get("status"), server: q.Get("instance_uuid"),
		source: q.Get("source_compute"), kind: q.Get("migration_type"), limit: maxLimit}
	if !v.AtLeast(59) {
		return mq, nil
	}
	allowed := []string{"hidden", "host", "instance_uuid", "source_compute", "status", "migration_type", "limit", "marker", "changes-since"}
	if v.AtLeast(66) {
		allowed = append(allowed, "changes-before")
	}
	if v.AtLeast(80) {
		allowed = append(allowed, "user_id", "project_id")
		mq.userID, mq.projectID = q.Get("user_id"), q.Get("project_id")
	}
	n, given, err := nvQueryInt(call, "limit", allowed)
	if err != nil {
		return mq, err
	}
	mq.limit, mq.paged = pageSize(n, given), true
	if m, ok := q["marker"]; ok {
		mq.marker, mq.hasMarker = m[0], true
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"changes-since", &mq.since}, {"changes-before", &mq.before}} {
		raw, ok := q[p.name]
		if !ok || !slices.Contains(allowed, p.name) {
			continue
		}
		t, perr := parseISOTime(raw[0])
		if perr != nil {
			return mq, kit.BadRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, raw[0], raw[0])
		}
		*p.dst = t
	}
	if !mq.since.IsZero() && !mq.before.IsZero() && mq.before.Before(mq.since) {
		return mq, kit.BadRequest("The value of changes-since must be less than or equal to changes-before.")
	}
	return mq, nil
}

func (mq *migrationQuery) matches(m *migration, now time.Time) bool {
	switch {
	case mq.host != "" && m.source != mq.host && m.dest != mq.host,
		mq.status != "" && m.statusAt(now) != mq.status,
		mq.server != "" && m.serverID != mq.server,
		mq.source != "" && m.source != mq.source,
		mq.kind != "" && m.kind != mq.kind,
		mq.userID != "" && m.userID != mq.userID,
		mq.projectID != "" && m.projectID != mq.projectID:
		return false
	}
	up := m.updatedAt(now)
	return (mq.since.IsZero() || !up.Before(mq.since)) && (mq.before.IsZero() || !up.After(mq.before))
}

func (c *Compute) listMigrations(call *kit.Call) (kit.Reply, error) {
	if err := nvAdminOnly(call, "os_compute_api:os-migrations:index"); err != nil {
		return kit.Reply{}, err
	}
	mq, err := parseMigrationQuery(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.Now()
	var found []*migration
	for _, m := range c.admin.migrations {
		if mq.matches(m, now) {
			found = append(found, m)
		}
	}
	if mq.paged { // 2.59: newest first, paged by uuid
		slices.Reverse(found)
		if mq.hasMarker {
			i, ok := afterMarker(found, func(m *migration) string { return m.uuid }, mq.marker)
			if !ok {
				return kit.Reply{}, kit.BadRequest("Marker %s could not be found.", mq.marker)
			}
			found = found[i:]
		}
		if len(found) > mq.limit {
			found = found[:mq.limit]
		}
	}
	body := migrationList{Migrations: make([]migrationJSON, 0, len(found))}
	for _, m := range found {
		body.Migrations = append(body.Migrations, c.migrationView(call, m, now))
	}
	if mq.paged && len(found) > 0 && len(found) == mq.limit {
		body.Links = nextLink(collectionNextLink(call, "os-migrations", found[len(found)-1].uuid))
	}
	return kit.OK(body), nil
}

// serverMigrationJSON is a live migration in progress, as a server's
// migrations show it.
type serverMigrationJSON struct {
	CreatedAt            string `json:"created_at"`
	DestCompute          string `json:"dest_compute"`
	DestHost             string `json:"dest_host"`
	DestNode             string `json:"dest_node"`
	DiskProcessedBytes   int64  `json:"disk_processed_bytes"`
	DiskRemainingBytes   int64  `json:"disk_remaining_bytes"`
	DiskTotalBytes       int64  `json:"disk_total_bytes"`
	ID                   int    `json:"id"`
	MemoryProcessedBytes int64  `json:"memory_processed_bytes"`
	MemoryRemainingBytes int64  `json:"memory_remaining_bytes"`
	MemoryTotalBytes     int64  `json:"memory_total_bytes"`
	ServerUUID           string `json:"server_uuid"`
	SourceCompute        string `json:"source_compute"`
	SourceNode           string `json:"source_node"`
	Status               string `json:"status"`
	UpdatedAt            string `json:"updated_at"`
	UUID                 string `json:"uuid,omitempty"`       // 2.59
	UserID               string `json:"user_id,omitempty"`    // 2.80
	ProjectID            string `json:"project_id,omitempty"` // 2.80
}

func (c *Compute) serverMigrationView(call *kit.Call, m *migration, now time.Time) serverMigrationJSON {
	v := versionOf(call)
	done := 1.0
	if total := m.finishAt.Sub(m.created); total > 0 && now.Before(m.finishAt) {
		done = float64(now.Sub(m.created)) / float64(total)
	}
	memDone, diskDone := int64(float64(m.memoryBytes)*done), int64(float64(m.diskBytes)*done)
	out := serverMigrationJSON{
		CreatedAt: m.created.UTC().Format(novaMicroTime), DestCompute: m.dest, DestHost: c.hostIP(m.dest),
		DestNode: nodeName(m.dest), ID: m.id, ServerUUID: m.serverID, SourceCompute: m.source,
		SourceNode: nodeName(m.source), Status: m.statusAt(now), UpdatedAt: m.updatedAt(now).UTC().Format(novaMicroTime),
		MemoryTotalBytes: m.memoryBytes, MemoryProcessedBytes: memDone, MemoryRemainingBytes: m.memoryBytes - memDone,
		DiskTotalBytes: m.diskBytes, DiskProcessedBytes: diskDone, DiskRemainingBytes: m.diskBytes - diskDone,
	}
	if v.AtLeast(59) {
		out.UUID = m.uuid
	}
	if v.AtLeast(80) {
		out.UserID, out.ProjectID = m.userID, m.projectID
	}
	return out
}

// migrationServerLocked is the server of a server-migrations call, from
// microversion minor on, with the admin policy rule.
func (c *Compute) migrationServerLocked(call *kit.Call, minor int, rule string) (*server, error) {
	if err := atLeastOr404(call, minor); err != nil {
		return nil, err
	}
	s, err := c.serverLocked(call)
	if err != nil {
		return nil, err
	}
	return s, nvAdminOnly(call, "os_compute_api:servers:migrations:"+rule)
}

func (c *Compute) listServerMigrations(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.migrationServerLocked(call, 23, "index")
	if err != nil {
		return kit.Reply{}, err
	}
	now := c.Now()
	out := []serverMigrationJSON{}
	for _, m := range c.admin.migrations {
		if m.serverID == s.ID && m.inProgressLive(now) {
			out = append(out, c.serverMigrationView(call, m, now))
		}
	}
	return kit.OK(map[string][]serverMigrationJSON{"migrations": out}), nil
}

// serverMigrationLocked is the migration of the URL, of server s.
func (c *Compute) serverMigrationLocked(call *kit.Call, s *server) (*migration, string) {
	id := call.Var("migration_id")
	for _, m := range c.admin.migrations {
		if strconv.Itoa(m.id) == id && m.serverID == s.ID {
			return m, id
		}
	}
	return nil, id
}

func (c *Compute) getServerMigration(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.migrationServerLocked(call, 23, "show")
	if err != nil {
		return kit.Reply{}, err
	}
	now := c.Now()
	m, id := c.serverMigrationLocked(call, s)
	switch {
	case m == nil:
		return kit.Reply{}, kit.NotFound("In-progress live migration %s is not found for server %s.", id, s.ID)
	case m.kind != migrationLive:
		return kit.Reply{}, kit.NotFound("Migration %s for server %s is not live-migration.", id, s.ID)
	case !m.inProgressLive(now):
		return kit.Reply{}, kit.NotFound("Live migration %s for server %s is not in progress.", id, s.ID)
	}
	return kit.OK(map[string]serverMigrationJSON{"migration": c.serverMigrationView(call, m, now)}), nil
}

// liveMigrationLocked is the running live migration an action on it
// (force complete, abort) names, checked as Nova checks it.
func (c *Compute) liveMigrationLocked(call *kit.Call, s *server, action, method string) (*migration, error) {
	if err := requireState(s, action, []string{vmActive, vmPaused}, "migrating"); err != nil {
		return nil, err
	}
	if s.TaskState != "migrating" {
		return nil, kit.Conflict("Cannot '%s' instance %s while it is in task_state None", action, s.ID)
	}
	m, id := c.serverMigrationLocked(call, s)
	if m == nil {
		return nil, kit.NotFound("Migration %s not found for instance %s", id, s.ID)
	}
	if st := m.statusAt(c.Now()); m.kind != migrationLive || st != "running" {
		return nil, kit.BadRequest("Migration %s state of instance %s is %s. Cannot %s while the migration is in this state.", id, s.ID, st, method)
	}
	return m, nil
}

// forceCompleteMigration is POST …/migrations/{id}/action with
// {"force_complete": null} (2.22): the live migration ends now.
func (c *Compute) forceCompleteMigration(call *kit.Call) (kit.Reply, error) {
	if err := atLeastOr404(call, 22); err != nil {
		return kit.Reply{}, err
	}
	m, err := rootMembers(call.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	if raw, ok := m["force_complete"]; !ok || len(m) != 1 || !isJSONNull(raw) {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute force_complete. Value: %s. 'force_complete' is a required property", compactMembers(m))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.migrationServerLocked(call, 22, "force_complete")
	if err != nil {
		return kit.Reply{}, err
	}
	if err := c.checkLockedLocked(call, s); err != nil {
		return kit.Reply{}, err
	}
	mig, err := c.liveMigrationLocked(call, s, "force_complete", "force complete")
	if err != nil {
		return kit.Reply{}, err
	}
	now := c.Now()
	s.cancelTasks()
	s.TaskState, s.Updated = "", now
	s.Host, s.HypervisorHostname = mig.dest, nodeName(mig.dest)
	mig.finishAt = now
	c.settleLocked(s, now)
	return kit.Status(http.StatusAccepted), nil
}

// abortServerMigration is DELETE …/migrations/{id} (2.24): the running
// live migration is cancelled and the server stays where it was.
func (c *Compute) abortServerMigration(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.migrationServerLocked(call, 24, "delete")
	if err != nil {
		return kit.Reply{}, err
	}
	mig, err := c.liveMigrationLocked(call, s, "abort live migration", "abort live migration")
	if err != nil {
		return kit.Reply{}, err
	}
	now := c.Now()
	s.cancelTasks()
	s.TaskState, s.Updated = "", now
	mig.status, mig.updated = "cancelled", now
	c.settleLocked(s, now)
	return kit.Status(http.StatusAccepted), nil
}
