package compute_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/compute"
)

var xrequestID = regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// xusec is Nova's instance-action timestamp, at offset from the clock's start.
func xusec(offset time.Duration) string {
	return clock.DefaultStart().Add(offset).UTC().Format("2006-01-02T15:04:05.000000")
}

// requestIDs lists a server's action request IDs, newest first.
func (a *xapi) requestIDs(id string) []string {
	a.t.Helper()
	r := a.at("2.1").get("/servers/" + id + "/os-instance-actions")
	r.status1(a.t, 200)
	var ids []string
	for _, x := range r.obj(a.t)["instanceActions"].([]any) {
		rid := x.(map[string]any)["request_id"].(string)
		if !xrequestID.MatchString(rid) {
			a.t.Errorf("request_id %q", rid)
		}
		ids = append(ids, rid)
	}
	return ids
}

func TestInstanceActionsFollowTheLifecycle(t *testing.T) {
	d := compute.DefaultDurations()
	a := newXAPI(t, compute.WithDurations(d))
	if _, err := a.c.AddSecurityGroup(compute.SecurityGroup{ProjectID: "p", Name: "web"}); err != nil {
		t.Fatal(err)
	}
	id := a.server("web")
	host := "compute-0"
	hostID := func() string {
		srv := a.get("/servers/" + id).obj(t)["server"].(map[string]any)
		return srv["hostId"].(string)
	}()
	create := a.requestIDs(id)[0]
	action := func(name, rid string, start time.Duration, extra string) string {
		return `{"action":"` + name + `","instance_uuid":"` + id + `","message":null,"project_id":"p","request_id":"` + rid +
			`","start_time":"` + xusec(start) + `","user_id":"user-p"` + extra + `}`
	}
	show := "/servers/" + id + "/os-instance-actions/" + create

	// Building: the build event has started, not finished.
	a.advance(10 * time.Second)
	a.get(show).want(t, 200, `{"instanceAction":`+action("create", create, 0,
		`,"events":[{"event":"compute__do_build_and_run_instance","start_time":"`+xusec(0)+`","finish_time":null,"result":null,"traceback":null}]`)+`}`)
	// Built.
	a.advance(d.Build)
	a.at("2.62").get(show).want(t, 200, `{"instanceAction":`+action("create", create, 0,
		`,"updated_at":"`+xusec(d.Build)+`","events":[{"event":"compute__do_build_and_run_instance","start_time":"`+xusec(0)+
			`","finish_time":"`+xusec(d.Build)+`","result":"Success","traceback":null,"host":"`+host+`","hostId":"`+hostID+`"}]`)+`}`)

	// What changes the server is recorded; what only reads it is not,
	// nor what is refused.
	stopAt := d.Build + 10*time.Second
	a.action(id, `{"os-stop":null}`)
	a.action(id, `{"os-getConsoleOutput":{}}`, 200)
	a.action(id, `{"addSecurityGroup":{"name":"web"}}`)
	a.action(id, `{"os-start":null}`, 409)
	a.do("POST", "/servers/"+id+"/os-volume_attachments", attachBody(vol1, "")).status1(t, 409)
	a.advance(d.Stop)
	a.do("POST", "/servers/"+id+"/os-volume_attachments", attachBody(vol1, "")).status1(t, 200)
	a.action(id, `{"lock":null}`)
	ids := a.requestIDs(id)
	if len(ids) != 4 || ids[3] != create {
		t.Fatalf("request IDs %v", ids)
	}
	attachAt := stopAt + d.Stop
	a.at("2.58").get("/servers/"+id+"/os-instance-actions").want(t, 200, `{"instanceActions":[`+
		action("lock", ids[0], attachAt, `,"updated_at":"`+xusec(attachAt)+`"`)+`,`+
		action("attach_volume", ids[1], attachAt, `,"updated_at":"`+xusec(attachAt)+`"`)+`,`+
		action("stop", ids[2], stopAt, `,"updated_at":"`+xusec(stopAt+d.Stop)+`"`)+`,`+
		action("create", create, 0, `,"updated_at":"`+xusec(d.Build)+`"`)+`]}`)
	a.get("/servers/"+id+"/os-instance-actions/"+ids[2]).want(t, 200, `{"instanceAction":`+action("stop", ids[2], stopAt,
		`,"events":[{"event":"compute_stop_instance","start_time":"`+xusec(stopAt)+`","finish_time":"`+xusec(stopAt+d.Stop)+`","result":"Success","traceback":null}]`)+`}`)
	a.get("/servers/"+id+"/os-instance-actions/"+ids[0]).want(t, 200, `{"instanceAction":`+action("lock", ids[0], attachAt, `,"events":[]`)+`}`)

	// A resize shows its steps as they start.
	a.action(id, `{"unlock":null}`)
	a.action(id, `{"resize":{"flavorRef":"2"}}`)
	resize := a.requestIDs(id)[0]
	a.advance(d.Resize / 2)
	got := a.get("/servers/" + id + "/os-instance-actions/" + resize).obj(t)["instanceAction"].(map[string]any)
	var steps []string
	for _, e := range got["events"].([]any) {
		ev := e.(map[string]any)
		steps = append(steps, ev["event"].(string)+"="+fmt.Sprint(ev["result"]))
	}
	if want := "[compute_prep_resize=Success compute_resize_instance=<nil>]"; fmt.Sprint(steps) != want {
		t.Errorf("resize events half way: %v, want %s", steps, want)
	}

	a.get("/servers/"+id+"/os-instance-actions/req-nope").fault(t, 404, "Action req-nope not found")
	a.get("/servers/nope/os-instance-actions").fault(t, 404, "Instance nope could not be found.")
}

func TestInstanceActionEventsByRoleAndVersion(t *testing.T) {
	a := newXAPIWithTokens(t, compute.WithDurations(compute.Instant()))
	admin := a.with("tok-admin")
	id := a.server("web")
	rid := a.requestIDs(id)[0]
	path := "/servers/" + id + "/os-instance-actions/" + rid
	hostID := a.get("/servers/" + id).obj(t)["server"].(map[string]any)["hostId"].(string)
	head := `"action":"create","instance_uuid":"` + id + `","message":null,"project_id":"p","request_id":"` + rid +
		`","start_time":"` + xusec(0) + `","user_id":"mia"`
	event := `"event":"compute__do_build_and_run_instance","start_time":"` + xusec(0) + `","finish_time":"` + xusec(0) + `","result":"Success"`
	updated := `,"updated_at":"` + xusec(0) + `"`

	tests := []struct {
		name   string
		client *xapi
		want   string
	}{
		{"member before 2.51: no events", a.at("2.50"), `{` + head + `}`},
		{"member from 2.51: events, no traceback", a.at("2.51"), `{` + head + `,"events":[{` + event + `}]}`},
		{"member from 2.62: hostId, no host", a.at("2.62"), `{` + head + updated + `,"events":[{` + event + `,"hostId":"` + hostID + `"}]}`},
		{"member at 2.84: no details", a.at("2.84"), `{` + head + updated + `,"events":[{` + event + `,"hostId":"` + hostID + `"}]}`},
		{"admin before 2.51", admin.at("2.50"), `{` + head + `,"events":[{` + event + `,"traceback":null}]}`},
		{"admin at 2.62", admin.at("2.62"), `{` + head + updated + `,"events":[{` + event + `,"traceback":null,"host":"compute-0","hostId":"` + hostID + `"}]}`},
		{"admin at 2.84", admin.at("2.84"), `{` + head + updated + `,"events":[{` + event + `,"traceback":null,"host":"compute-0","hostId":"` + hostID + `","details":null}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.client.get(path).want(t, 200, `{"instanceAction":`+tt.want+`}`)
		})
	}
}

func TestInstanceActionFailedBuild(t *testing.T) {
	a := newXAPI(t, compute.WithDurations(compute.Instant()))
	if _, err := a.c.AddCreateBehavior(compute.CreateBehavior{Name: "doomed", Outcomes: []compute.Outcome{{Kind: compute.Error}}}); err != nil {
		t.Fatal(err)
	}
	id := a.server("doomed")
	rid := a.requestIDs(id)[0]
	got := a.at("2.84").get("/servers/" + id + "/os-instance-actions/" + rid).obj(t)["instanceAction"].(map[string]any)
	ev := got["events"].([]any)[0].(map[string]any)
	if got["message"] != "Error" || ev["result"] != "Error" || ev["finish_time"] != xusec(0) ||
		ev["details"] != "No valid host was found. There are not enough hosts available." || ev["traceback"] == nil {
		t.Errorf("failed build action: %v", got)
	}
}

func TestInstanceActionsPagingAndFilters(t *testing.T) {
	d := compute.DefaultDurations()
	a := newXAPI(t, compute.WithDurations(d))
	id := a.server("web")
	a.advance(d.Build)
	for i := 0; i < 3; i++ {
		a.advance(time.Minute)
		a.action(id, `{"reboot":{"type":"SOFT"}}`)
		a.advance(d.Reboot)
	}
	ids := a.requestIDs(id) // three reboots, then the create
	base := "/servers/" + id + "/os-instance-actions"
	list := func(c *xapi, query string) []string {
		t.Helper()
		r := c.get(base + query)
		r.status1(t, 200)
		var out []string
		for _, x := range r.obj(t)["instanceActions"].([]any) {
			out = append(out, x.(map[string]any)["request_id"].(string))
		}
		return out
	}
	at58 := a.at("2.58")
	if got := list(at58, "?limit=2"); fmt.Sprint(got) != fmt.Sprint(ids[:2]) {
		t.Errorf("limit=2: %v, want %v", got, ids[:2])
	}
	r := at58.get(base + "?limit=2")
	links := r.obj(t)["links"]
	wantLink := []any{map[string]any{"rel": "next", "href": a.url + "/v2.1/p" + base + "?limit=2&marker=" + ids[1]}}
	if xjson(links) != xjson(wantLink) {
		t.Errorf("links = %v, want %v", links, wantLink)
	}
	if got := list(at58, "?limit=2&marker="+ids[1]); fmt.Sprint(got) != fmt.Sprint(ids[2:]) {
		t.Errorf("second page: %v, want %v", got, ids[2:])
	}
	// since is when the second reboot started: it and the third were
	// updated later, the first reboot and the create before.
	since := clock.DefaultStart().Add(d.Build + 2*time.Minute + d.Reboot).Format(time.RFC3339)
	if got := list(at58, "?changes-since="+since); fmt.Sprint(got) != fmt.Sprint(ids[:2]) {
		t.Errorf("changes-since: %v, want %v", got, ids[:2])
	}
	if got := list(a.at("2.66"), "?changes-before="+since); fmt.Sprint(got) != fmt.Sprint(ids[2:]) {
		t.Errorf("changes-before: %v, want %v", got, ids[2:])
	}
	// Before 2.58 the query is not looked at.
	if got := list(a.at("2.57"), "?limit=1&bogus=1"); len(got) != 4 {
		t.Errorf("2.57 with a query: %v", got)
	}

	bad := []struct{ version, query, message string }{
		{"2.58", "?marker=req-nope", "Marker None could not be found."},
		{"2.58", "?limit=x", "Invalid input for query parameters limit. Value: x. 'x' does not match '^[0-9]*$'"},
		{"2.58", "?changes-since=yesterday", "Invalid input for query parameters changes-since. Value: yesterday. 'yesterday' is not a 'date-time'"},
		{"2.65", "?changes-before=" + since, "Additional properties are not allowed ('changes-before' was unexpected)"},
		{"2.66", "?changes-since=" + since + "&changes-before=2025-01-01T00:00:00Z", "The value of changes-since must be less than or equal to changes-before."},
	}
	for _, tt := range bad {
		a.at(tt.version).get(base+tt.query).fault(t, 400, tt.message)
	}
}

func TestInstanceActionsOfDeletedServer(t *testing.T) {
	d := compute.DefaultDurations()
	a := newXAPI(t, compute.WithDurations(d))
	id := a.server("web")
	a.advance(d.Build)
	a.do("DELETE", "/servers/"+id, "").status1(t, 204)
	a.advance(d.Delete)
	a.at("2.20").get("/servers/"+id+"/os-instance-actions").fault(t, 404, "Instance "+id+" could not be found.")
	r := a.at("2.21").get("/servers/" + id + "/os-instance-actions")
	r.status1(t, 200)
	acts := r.obj(t)["instanceActions"].([]any)
	if len(acts) != 2 || acts[0].(map[string]any)["action"] != "delete" || acts[1].(map[string]any)["action"] != "create" {
		t.Fatalf("actions of a deleted server: %v", acts)
	}
	rid := acts[0].(map[string]any)["request_id"].(string)
	ev := a.at("2.21").get("/servers/" + id + "/os-instance-actions/" + rid).obj(t)["instanceAction"].(map[string]any)["events"].([]any)[0].(map[string]any)
	if ev["event"] != "compute_terminate_instance" || ev["finish_time"] != xusec(d.Build+d.Delete) || ev["result"] != "Success" {
		t.Errorf("delete event: %v", ev)
	}
}
