package compute

import (
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-instance-actions.
const (
	OpListInstanceActions = "compute.servers.instance_actions.list"
	OpGetInstanceAction   = "compute.servers.instance_actions.get"
)

func (c *Compute) instanceActionRoutes() []kit.Route {
	return []kit.Route{
		route(OpListInstanceActions, "GET", "/servers/{server_id}/os-instance-actions", c.listInstanceActions),
		route(OpGetInstanceAction, "GET", "/servers/{server_id}/os-instance-actions/{request_id}", c.getInstanceAction),
	}
}

// instanceAction is Nova's record of one request that changed a server.
type instanceAction struct {
	action    string
	requestID string
	userID    string
	projectID string
	start     time.Time
	events    []actionEvent
	// build marks the create action: its event ends when the build does,
	// which a creation behavior may stretch or fail.
	build bool
}

// actionEvent is one step the compute service ran for an action. Steps
// are known in advance from the durations; one that has not started by
// the time of a request is not shown, one that has not finished shows no
// finish_time and no result.
type actionEvent struct {
	name          string
	start, finish time.Time
	host          string
}

// novaActionNames maps what is recorded (the body key of a server action,
// or the name of another operation) to the action Nova records.
var novaActionNames = map[string]string{
	"create": "create", "delete": "delete", "forceDelete": "delete",
	"reboot": "reboot", "rebuild": "rebuild",
	"resize": "resize", "confirmResize": "confirmResize", "revertResize": "revertResize",
	"os-start": "start", "os-stop": "stop", "pause": "pause", "unpause": "unpause",
	"suspend": "suspend", "resume": "resume", "rescue": "rescue", "unrescue": "unrescue",
	"lock": "lock", "unlock": "unlock", "shelve": "shelve", "shelveOffload": "shelveOffload",
	"unshelve": "unshelve", "createImage": "createImage", "createBackup": "createBackup",
	"changePassword": "changePassword", "os-resetState": "resetState",
	"migrate": "migrate", "os-migrateLive": "live-migration", "restore": "restore",
	"attach_volume": "attach_volume", "detach_volume": "detach_volume", "swap_volume": "swap_volume",
	"attach_interface": "attach_interface", "detach_interface": "detach_interface",
}

// oneEvent are the actions that run one event, and how long it takes.
var oneEvent = map[string]struct {
	event string
	took  func(Durations) time.Duration
}{
	"delete":         {"compute_terminate_instance", func(d Durations) time.Duration { return d.Delete }},
	"live-migration": {"compute_live_migration", func(d Durations) time.Duration { return d.Resize }},
	"confirmResize":  {"compute_confirm_resize", func(d Durations) time.Duration { return d.ConfirmResize }},
	"rebuild":        {"compute_rebuild_instance", func(d Durations) time.Duration { return d.Rebuild }},
	"start":          {"compute_start_instance", func(d Durations) time.Duration { return d.Start }},
	"stop":           {"compute_stop_instance", func(d Durations) time.Duration { return d.Stop }},
	"pause":          {"compute_pause_instance", func(d Durations) time.Duration { return d.Pause }},
	"unpause":        {"compute_unpause_instance", func(d Durations) time.Duration { return d.Unpause }},
	"suspend":        {"compute_suspend_instance", func(d Durations) time.Duration { return d.Suspend }},
	"resume":         {"compute_resume_instance", func(d Durations) time.Duration { return d.Resume }},
	"rescue":         {"compute_rescue_instance", func(d Durations) time.Duration { return d.Rescue }},
	"unrescue":       {"compute_unrescue_instance", func(d Durations) time.Duration { return d.Unrescue }},
	"shelve":         {"compute_shelve_instance", func(d Durations) time.Duration { return d.Shelve }},
	"shelveOffload":  {"compute_shelve_offload_instance", func(Durations) time.Duration { return 0 }},
	"unshelve":       {"compute_unshelve_instance", func(d Durations) time.Duration { return d.Unshelve }},
	"createImage":    {"compute_snapshot_instance", func(d Durations) time.Duration { return d.Snapshot }},
	"createBackup":   {"compute_backup_instance", func(d Durations) time.Duration { return d.Snapshot }},
	"changePassword": {"compute_set_admin_password", func(d Durations) time.Duration { return 0 }}, // synchronous
}

// actionEventsOf are the events the compute service runs for an action
// begun at now, from the durations.
func actionEventsOf(name string, s *server, now time.Time, d Durations) []actionEvent {
	var events []actionEvent
	span := func(event string, from, to time.Duration) {
		events = append(events, actionEvent{name: event, start: now.Add(from), finish: now.Add(to), host: s.Host})
	}
	switch name {
	case "create":
		// Its end is the build's, which a creation behavior may stretch or fail.
		return []actionEvent{{name: "compute__do_build_and_run_instance", start: now, host: s.Host}}
	case "reboot":
		took := d.Reboot
		if s.TaskState == "rebooting_hard" {
			took = d.HardReboot
		}
		span("compute_reboot_instance", 0, took)
	case "resize", "migrate":
		span("compute_prep_resize", 0, d.Resize/4)
		span("compute_resize_instance", d.Resize/4, 3*d.Resize/4)
		span("compute_finish_resize", 3*d.Resize/4, d.Resize)
	case "revertResize":
		span("compute_revert_resize", 0, d.RevertResize/2)
		span("compute_finish_revert_resize", d.RevertResize/2, d.RevertResize)
	case "attach_volume", "detach_volume", "swap_volume", "attach_interface", "detach_interface":
		if s.Host != "" {
			span("compute_"+name, 0, 0)
		}
	default:
		if ev, ok := oneEvent[name]; ok {
			span(ev.event, 0, ev.took(d))
		}
	}
	return events
}

// recordActionLocked records that the call did action to s, with the events the
// compute service runs for it (Nova's InstanceAction.action_start and the
// wrap_instance_event steps). Actions Nova does not record are ignored.
func (c *Compute) recordActionLocked(s *server, action string, call *kit.Call) {
	name, ok := novaActionNames[action]
	if !ok {
		return
	}
	now := c.Now()
	who := callerOf(call)
	project := who.projectID
	if call.Authenticated && call.Principal.ProjectID != "" {
		project = call.Principal.ProjectID
	}
	// The request's own ID (x-openstack-request-id), as Nova records it;
	// one derived from the server when the service sends none.
	requestID := call.RequestID
	if requestID == "" {
		seq := fmt.Sprintf("mockcloud/request/%s/%d", s.ID, len(s.actions))
		requestID = "req-" + uuid.NewSHA1(uuid.NameSpaceOID, []byte(seq)).String()
	}
	a := &instanceAction{
		action: name, userID: who.userID, projectID: project, start: now, requestID: requestID,
	}
	a.events = actionEventsOf(name, s, now, c.durations)
	a.build = name == "create"
	s.actions = append(s.actions, a)
}

// eventState is an event as it stands at now.
type eventState struct {
	started, finished, failed bool
	finish                    time.Time
	details                   string
}

func (a *instanceAction) eventAt(s *server, e actionEvent, now time.Time) eventState {
	st := eventState{started: !e.start.After(now)}
	if !st.started {
		return st
	}
	if !a.build {
		st.finished, st.finish = !e.finish.After(now), e.finish
		return st
	}
	switch {
	case !s.LaunchedAt.IsZero() && !s.LaunchedAt.Before(e.start) && !s.LaunchedAt.After(now):
		st.finished, st.finish = true, s.LaunchedAt
	case s.LaunchedAt.IsZero() && s.VMState == vmError && s.Fault != nil && !s.Fault.Created.After(now):
		st.finished, st.failed, st.finish, st.details = true, true, s.Fault.Created, s.Fault.Message
	}
	return st
}

// updatedAt is when the action last changed: it is touched when each of
// its events starts and finishes.
func (a *instanceAction) updatedAt(s *server, now time.Time) time.Time {
	t := a.start
	for _, e := range a.events {
		st := a.eventAt(s, e, now)
		if st.started && e.start.After(t) {
			t = e.start
		}
		if st.finished && st.finish.After(t) {
			t = st.finish
		}
	}
	return t
}

// instanceActionJSON is an action as os-instance-actions shows it; the
// detail adds the events.
type instanceActionJSON struct {
	Action       string             `json:"action"`
	InstanceUUID string             `json:"instance_uuid"`
	RequestID    string             `json:"request_id"`
	UserID       string             `json:"user_id"`
	ProjectID    string             `json:"project_id"`
	StartTime    string             `json:"start_time"`
	Message      *string            `json:"message"`              // "Error" when an event failed
	UpdatedAt    *string            `json:"updated_at,omitempty"` // 2.58
	Events       *[]actionEventJSON `json:"events,omitempty"`     // the detail, for admins or from 2.51
}

type actionEventJSON struct {
	Event      string  `json:"event"`
	StartTime  string  `json:"start_time"`
	FinishTime *string `json:"finish_time"`
	Result     *string `json:"result"`
	Traceback  any     `json:"traceback,omitempty"` // admins only; null unless the event failed
	Host       *string `json:"host,omitempty"`      // 2.62, admins only
	HostID     *string `json:"hostId,omitempty"`    // 2.62
	Details    any     `json:"details,omitempty"`   // 2.84, admins only; null unless the event failed
}

func (a *instanceAction) summaryJSON(call *kit.Call, s *server, now time.Time) instanceActionJSON {
	out := instanceActionJSON{
		Action: a.action, InstanceUUID: s.ID, RequestID: a.requestID, UserID: a.userID,
		ProjectID: a.projectID, StartTime: a.start.UTC().Format(novaUsecTime),
	}
	for _, e := range a.events {
		if a.eventAt(s, e, now).failed {
			out.Message = ptr("Error")
		}
	}
	if versionOf(call).AtLeast(58) {
		out.UpdatedAt = ptr(a.updatedAt(s, now).UTC().Format(novaUsecTime))
	}
	return out
}

func (a *instanceAction) detailJSON(call *kit.Call, s *server, now time.Time) instanceActionJSON {
	out := a.summaryJSON(call, s, now)
	v := versionOf(call)
	admin := adminAllowed(call)
	if !admin && !v.AtLeast(51) {
		return out
	}
	events := []actionEventJSON{}
	for _, e := range a.events {
		if st := a.eventAt(s, e, now); st.started {
			events = append(events, a.eventJSON(s, e, st, v, admin))
		}
	}
	out.Events = &events
	return out
}

// eventJSON renders one event that has started.
func (a *instanceAction) eventJSON(s *server, e actionEvent, st eventState, v microversion, admin bool) actionEventJSON {
	ev := actionEventJSON{Event: e.name, StartTime: e.start.UTC().Format(novaUsecTime)}
	var traceback, details any = jsonNull, jsonNull
	if st.finished {
		ev.FinishTime, ev.Result = ptr(st.finish.UTC().Format(novaUsecTime)), ptr("Success")
		if st.failed {
			ev.Result = ptr("Error")
			details = st.details
			traceback = "Traceback (most recent call last):\n" +
				"  File \"nova/compute/manager.py\", in _do_build_and_run_instance\n" +
				"nova.exception.BuildAbortException: Build of instance " + s.ID + " aborted: " + st.details + "\n"
		}
	}
	if admin {
		ev.Traceback = traceback
	}
	if v.AtLeast(62) {
		if admin {
			ev.Host = ptr(e.host)
		}
		ev.HostID = ptr(hostID(a.projectID, e.host))
	}
	if v.AtLeast(84) && admin {
		ev.Details = details
	}
	return ev
}

// serverForActionsLocked finds the server whose actions are asked for:
// from 2.21 a deleted server's too, as Nova reads them with
// read_deleted=yes.
func (c *Compute) serverForActionsLocked(call *kit.Call) (*server, error) {
	id := call.Var("server_id")
	s, ok := c.servers[id]
	who := callerOf(call)
	if !ok || (s.ProjectID != who.projectID && !who.admin) {
		return nil, kit.NotFound("Instance %s could not be found.", id)
	}
	c.settleLocked(s, c.Now())
	if s.Deleted && !versionOf(call).AtLeast(21) {
		return nil, kit.NotFound("Instance %s could not be found.", id)
	}
	return s, nil
}

// actionListQuery is the paging and filtering of 2.58 (and 2.66).
type actionListQuery struct {
	limit         int
	limited       bool
	marker        string
	hasMarker     bool
	since, before time.Time
}

func parseActionListQuery(call *kit.Call) (actionListQuery, error) {
	q := actionListQuery{limit: maxLimit}
	v := versionOf(call)
	if !v.AtLeast(58) {
		return q, nil
	}
	allowed := []string{"limit", "marker", "changes-since"}
	if v.AtLeast(66) {
		allowed = append(allowed, "changes-before")
	}
	n, ok, err := nvQueryInt(call, "limit", allowed)
	if err != nil {
		return q, err
	}
	if ok {
		q.limited = true
		if n < q.limit {
			q.limit = n
		}
	}
	values := call.Query()
	if m, ok := values["marker"]; ok {
		q.marker, q.hasMarker = m[0], true
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"changes-since", &q.since}, {"changes-before", &q.before}} {
		raw, ok := values[p.name]
		if !ok {
			continue
		}
		t, perr := parseISOTime(raw[0])
		if perr != nil {
			return q, kit.BadRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, raw[0], raw[0])
		}
		*p.dst = t
	}
	if !q.since.IsZero() && !q.before.IsZero() && q.before.Before(q.since) {
		return q, kit.BadRequest("The value of changes-since must be less than or equal to changes-before.")
	}
	return q, nil
}

// instanceActionList is GET os-instance-actions's answer.
type instanceActionList struct {
	InstanceActions []instanceActionJSON `json:"instanceActions"`
	Links           []link               `json:"links,omitempty"`
}

func (c *Compute) listInstanceActions(call *kit.Call) (kit.Reply, error) {
	q, err := parseActionListQuery(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverForActionsLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	now := c.Now()
	page, err := q.page(s, now)
	if err != nil {
		return kit.Reply{}, err
	}
	body := instanceActionList{InstanceActions: make([]instanceActionJSON, 0, len(page))}
	for _, a := range page {
		body.InstanceActions = append(body.InstanceActions, a.summaryJSON(call, s, now))
	}
	if versionOf(call).AtLeast(58) && q.limit > 0 && len(page) == q.limit {
		body.Links = nextLink(collectionNextLink(call, "servers/"+call.Var("server_id")+"/os-instance-actions", page[len(page)-1].requestID))
	}
	return kit.OK(body), nil
}

// page is one page of a server's actions, newest first, as Nova sorts
// (created_at desc, id desc).
func (q *actionListQuery) page(s *server, now time.Time) ([]*instanceAction, error) {
	actions := make([]*instanceAction, 0, len(s.actions))
	for i := len(s.actions) - 1; i >= 0; i-- {
		actions = append(actions, s.actions[i])
	}
	sort.SliceStable(actions, func(i, j int) bool { return actions[i].start.After(actions[j].start) })
	start := 0
	if q.hasMarker {
		var ok bool
		if start, ok = afterMarker(actions, func(a *instanceAction) string { return a.requestID }, q.marker); !ok {
			// Nova looks the marker up, then reports the result of the
			// lookup rather than the marker.
			return nil, kit.BadRequest("Marker None could not be found.")
		}
	}
	var page []*instanceAction
	for _, a := range actions[start:] {
		if len(page) == q.limit {
			break
		}
		updated := a.updatedAt(s, now)
		if !q.since.IsZero() && updated.Before(q.since) || !q.before.IsZero() && updated.After(q.before) {
			continue
		}
		page = append(page, a)
	}
	return page, nil
}

func (c *Compute) getInstanceAction(call *kit.Call) (kit.Reply, error) {
	requestID := call.Var("request_id")
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverForActionsLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	for _, a := range s.actions {
		if a.requestID == requestID {
			return kit.OK(instanceActionBody{InstanceAction: a.detailJSON(call, s, c.Now())}), nil
		}
	}
	return kit.Reply{}, kit.NotFound("Action %s not found", requestID)
}

type instanceActionBody struct {
	InstanceAction instanceActionJSON `json:"instanceAction"`
}
