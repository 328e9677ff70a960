package compute

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// Route names of os-instance-actions.
const (
	OpListInstanceActions = "compute.servers.instance_actions.list"
	OpGetInstanceAction   = "compute.servers.instance_actions.get"
)

func (c *Compute) instanceActionRoutes() []apiRoute {
	return []apiRoute{
		{OpListInstanceActions, []string{"GET"}, "/servers/{server_id}/os-instance-actions", c.listInstanceActions},
		{OpGetInstanceAction, []string{"GET"}, "/servers/{server_id}/os-instance-actions/{request_id}", c.getInstanceAction},
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

// recordActionLocked records that r did action to s, with the events the
// compute service runs for it (Nova's InstanceAction.action_start and the
// wrap_instance_event steps). Actions Nova does not record are ignored.
func (c *Compute) recordActionLocked(s *server, action string, r *http.Request) {
	name, ok := novaActionNames[action]
	if !ok {
		return
	}
	now := c.now()
	who := callerOf(r)
	project := who.projectID
	if p, ok := fake.PrincipalFrom(r.Context()); ok && p.ProjectID != "" {
		project = p.ProjectID
	}
	seq := fmt.Sprintf("mockcloud/request/%s/%d", s.ID, len(s.actions))
	a := &instanceAction{
		action: name, userID: who.userID, projectID: project, start: now,
		requestID: "req-" + uuid.NewSHA1(uuid.NameSpaceOID, []byte(seq)).String(),
	}
	d := c.durations
	span := func(event string, from, to time.Duration) {
		a.events = append(a.events, actionEvent{name: event, start: now.Add(from), finish: now.Add(to), host: s.Host})
	}
	one := func(event string, took time.Duration) { span(event, 0, took) }
	switch name {
	case "create":
		a.build = true
		a.events = []actionEvent{{name: "compute__do_build_and_run_instance", start: now, host: s.Host}}
	case "delete":
		one("compute_terminate_instance", d.Delete)
	case "reboot":
		if s.TaskState == "rebooting_hard" {
			one("compute_reboot_instance", d.HardReboot)
		} else {
			one("compute_reboot_instance", d.Reboot)
		}
	case "resize", "migrate":
		span("compute_prep_resize", 0, d.Resize/4)
		span("compute_resize_instance", d.Resize/4, 3*d.Resize/4)
		span("compute_finish_resize", 3*d.Resize/4, d.Resize)
	case "live-migration":
		one("compute_live_migration", d.Resize)
	case "confirmResize":
		one("compute_confirm_resize", d.ConfirmResize)
	case "revertResize":
		span("compute_revert_resize", 0, d.RevertResize/2)
		span("compute_finish_revert_resize", d.RevertResize/2, d.RevertResize)
	case "rebuild":
		one("compute_rebuild_instance", d.Rebuild)
	case "start":
		one("compute_start_instance", d.Start)
	case "stop":
		one("compute_stop_instance", d.Stop)
	case "pause":
		one("compute_pause_instance", d.Pause)
	case "unpause":
		one("compute_unpause_instance", d.Unpause)
	case "suspend":
		one("compute_suspend_instance", d.Suspend)
	case "resume":
		one("compute_resume_instance", d.Resume)
	case "rescue":
		one("compute_rescue_instance", d.Rescue)
	case "unrescue":
		one("compute_unrescue_instance", d.Unrescue)
	case "shelve":
		one("compute_shelve_instance", d.Shelve)
	case "shelveOffload":
		one("compute_shelve_offload_instance", 0)
	case "unshelve":
		one("compute_unshelve_instance", d.Unshelve)
	case "createImage":
		one("compute_snapshot_instance", d.Snapshot)
	case "createBackup":
		one("compute_backup_instance", d.Snapshot)
	case "changePassword":
		one("compute_set_admin_password", d.Password)
	case "attach_volume", "detach_volume", "swap_volume", "attach_interface", "detach_interface":
		if s.Host != "" {
			one("compute_"+name, 0)
		}
	}
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

func (a *instanceAction) summaryJSON(r *http.Request, s *server, now time.Time) map[string]any {
	var message any
	for _, e := range a.events {
		if a.eventAt(s, e, now).failed {
			message = "Error"
		}
	}
	out := map[string]any{
		"action": a.action, "instance_uuid": s.ID, "request_id": a.requestID, "user_id": a.userID,
		"project_id": a.projectID, "start_time": a.start.UTC().Format(novaUsecTime), "message": message,
	}
	if versionOf(r).AtLeast(58) {
		out["updated_at"] = a.updatedAt(s, now).UTC().Format(novaUsecTime)
	}
	return out
}

func (a *instanceAction) detailJSON(r *http.Request, s *server, now time.Time) map[string]any {
	out := a.summaryJSON(r, s, now)
	v := versionOf(r)
	admin := adminAllowed(r)
	if !admin && !v.AtLeast(51) {
		return out
	}
	events := []map[string]any{}
	for _, e := range a.events {
		st := a.eventAt(s, e, now)
		if !st.started {
			continue
		}
		ev := map[string]any{
			"event": e.name, "start_time": e.start.UTC().Format(novaUsecTime),
			"finish_time": nil, "result": nil,
		}
		var traceback, details any
		if st.finished {
			ev["finish_time"] = st.finish.UTC().Format(novaUsecTime)
			ev["result"] = "Success"
			if st.failed {
				ev["result"] = "Error"
				details = st.details
				traceback = "Traceback (most recent call last):\n" +
					"  File \"nova/compute/manager.py\", in _do_build_and_run_instance\n" +
					"nova.exception.BuildAbortException: Build of instance " + s.ID + " aborted: " + st.details + "\n"
			}
		}
		if admin {
			ev["traceback"] = traceback
		}
		if v.AtLeast(62) {
			if admin {
				ev["host"] = e.host
			}
			ev["hostId"] = hostID(a.projectID, e.host)
		}
		if v.AtLeast(84) && admin {
			ev["details"] = details
		}
		events = append(events, ev)
	}
	out["events"] = events
	return out
}

// serverForActionsLocked finds the server whose actions are asked for:
// from 2.21 a deleted server's too, as Nova reads them with
// read_deleted=yes.
func (c *Compute) serverForActionsLocked(r *http.Request) (*server, *fake.Error) {
	id := mux.Vars(r)["server_id"]
	s, ok := c.servers[id]
	who := callerOf(r)
	if !ok || (s.ProjectID != who.projectID && !who.admin) {
		return nil, notFound("Instance %s could not be found.", id)
	}
	c.settleLocked(s, c.now())
	if s.Deleted && !versionOf(r).AtLeast(21) {
		return nil, notFound("Instance %s could not be found.", id)
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

func parseActionListQuery(r *http.Request) (actionListQuery, *fake.Error) {
	q := actionListQuery{limit: maxLimit}
	v := versionOf(r)
	if !v.AtLeast(58) {
		return q, nil
	}
	allowed := []string{"limit", "marker", "changes-since"}
	if v.AtLeast(66) {
		allowed = append(allowed, "changes-before")
	}
	n, ok, err := nvQueryInt(r, "limit", allowed)
	if err != nil {
		return q, err
	}
	if ok {
		q.limited = true
		if n < q.limit {
			q.limit = n
		}
	}
	values := r.URL.Query()
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
			return q, badRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, raw[0], raw[0])
		}
		*p.dst = t
	}
	if !q.since.IsZero() && !q.before.IsZero() && q.before.Before(q.since) {
		return q, badRequest("The value of changes-since must be less than or equal to changes-before.")
	}
	return q, nil
}

func (c *Compute) listInstanceActions(w http.ResponseWriter, r *http.Request) {
	q, err := parseActionListQuery(r)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	s, err := c.serverForActionsLocked(r)
	list := []map[string]any{}
	if err == nil {
		now := c.now()
		// Newest first, as Nova sorts (created_at desc, id desc).
		actions := make([]*instanceAction, 0, len(s.actions))
		for i := len(s.actions) - 1; i >= 0; i-- {
			actions = append(actions, s.actions[i])
		}
		sort.SliceStable(actions, func(i, j int) bool { return actions[i].start.After(actions[j].start) })
		start := 0
		if q.hasMarker {
			start = -1
			for i, a := range actions {
				if a.requestID == q.marker {
					start = i + 1
				}
			}
			if start < 0 {
				// Nova looks the marker up, then reports the result of
				// the lookup rather than the marker.
				err = badRequest("Marker None could not be found.")
			}
		}
		if err == nil {
			for _, a := range actions[start:] {
				if len(list) == q.limit {
					break
				}
				updated := a.updatedAt(s, now)
				if !q.since.IsZero() && updated.Before(q.since) || !q.before.IsZero() && updated.After(q.before) {
					continue
				}
				list = append(list, a.summaryJSON(r, s, now))
			}
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	body := map[string]any{"instanceActions": list}
	if versionOf(r).AtLeast(58) && q.limit > 0 && len(list) == q.limit {
		body["links"] = []map[string]string{{"rel": "next",
			"href": collectionNextLink(r, "servers/"+mux.Vars(r)["server_id"]+"/os-instance-actions", list[len(list)-1]["request_id"].(string))}}
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

// collectionNextLink is Nova's "next" link of a collection: the request's
// parameters, sorted, with marker set to the last item shown (a marker
// already sent keeps its sorted place; a new one goes last).
func collectionNextLink(r *http.Request, collection, marker string) string {
	q := r.URL.Query()
	keys := make([]string, 0, len(q)+1)
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if _, ok := q["marker"]; !ok {
		keys = append(keys, "marker")
	}
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "marker" {
			parts = append(parts, "marker="+url.QueryEscape(marker))
			continue
		}
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	return fake.BaseURL(r) + versionRoot(r) + "/" + mux.Vars(r)["project_id"] + "/" + collection + "?" + strings.Join(parts, "&")
}

func (c *Compute) getInstanceAction(w http.ResponseWriter, r *http.Request) {
	requestID := mux.Vars(r)["request_id"]
	c.mu.Lock()
	s, err := c.serverForActionsLocked(r)
	var body map[string]any
	if err == nil {
		var found *instanceAction
		for _, a := range s.actions {
			if a.requestID == requestID {
				found = a
			}
		}
		if found == nil {
			err = notFound("Action %s not found", requestID)
		} else {
			body = map[string]any{"instanceAction": found.detailJSON(r, s, c.now())}
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}
