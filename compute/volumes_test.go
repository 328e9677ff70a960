package compute_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// The helpers of the server-extension tests (volume attachments,
// interfaces, diagnostics, consoles, instance actions, hypervisors). Their
// names start with "x" so they cannot collide with the helpers of the
// other test files of this package.

// xapi talks plain HTTP to a started compute fake as project "p", at one
// microversion ("" sends none), with one token ("" sends none).
type xapi struct {
	t       *testing.T
	url     string
	hc      *kittest.Client
	c       *compute.Compute
	version string
	token   string
}

// newXAPI serves compute.New(fake.WithSeed(1), opts...), with no token
// check: every caller passes the admin-only policies.
func newXAPI(t *testing.T, opts ...compute.Option) *xapi {
	t.Helper()
	srv := compute.New(t, append([]compute.Option{fake.WithSeed(1)}, opts...)...)
	return &xapi{t: t, url: srv.URL(), hc: kittest.New(t, "", srv.Client()), c: srv}
}

// xauth is a token check: "tok-member" is a member of project p,
// "tok-admin" an admin of project "ops".
func xauth(r *http.Request) (kit.Principal, *kit.Error) {
	switch r.Header.Get("X-Auth-Token") {
	case "tok-member":
		return kit.Principal{Token: "tok-member", UserID: "mia", ProjectID: "p", Roles: []string{"member", "reader"}}, nil
	case "tok-admin":
		return kit.Principal{Token: "tok-admin", UserID: "root", ProjectID: "ops", Roles: []string{"admin"}}, nil
	}
	return kit.Principal{}, kit.Errorf(http.StatusUnauthorized, "The request you have made requires authentication.")
}

// newXAPIWithTokens serves a compute that checks tokens with xauth; the
// client sends tok-member.
func newXAPIWithTokens(t *testing.T, opts ...compute.Option) *xapi {
	t.Helper()
	c := newInEnv(t, kit.Env{Auth: xauth}, opts...)
	return &xapi{t: t, url: c.URL(), hc: kittest.New(t, "", c.Client()), c: c, token: "tok-member"}
}

// at returns a client sending microversion v.
func (a *xapi) at(v string) *xapi {
	b := *a
	b.version = v
	return &b
}

// with returns a client sending token tok.
func (a *xapi) with(tok string) *xapi {
	b := *a
	b.token = tok
	return &b
}

// xreply is one answer, fully read.
type xreply struct {
	status int
	header http.Header
	body   []byte
	what   string
}

// do sends method to path under /v2.1/p.
func (a *xapi) do(method, path, body string) xreply {
	a.t.Helper()
	var h []string
	if a.version != "" {
		h = append(h, "OpenStack-API-Version", "compute "+a.version)
	}
	if a.token != "" {
		h = append(h, "X-Auth-Token", a.token)
	}
	r := a.hc.Do(method, a.url+"/v2.1/p"+path, body, h...)
	return xreply{status: r.Status, header: r.Header, body: r.Body, what: method + " " + path + " @" + a.version}
}

func (a *xapi) get(path string) xreply {
	a.t.Helper()
	return a.do("GET", path, "")
}

func (a *xapi) advance(d time.Duration) { a.c.Clock().Advance(d) }

// server creates a server of flavor 1 and returns its ID.
func (a *xapi) server(name string) string {
	a.t.Helper()
	return a.serverOf(name, "1")
}

func (a *xapi) serverOf(name, flavor string) string {
	a.t.Helper()
	r := a.at("").do("POST", "/servers", fmt.Sprintf(`{"server":{"name":%q,"flavorRef":%q,"imageRef":%q}}`, name, flavor, compute.DefaultImageID))
	r.status1(a.t, http.StatusAccepted)
	return r.obj(a.t)["server"].(map[string]any)["id"].(string)
}

// action posts a server action and wants 202 (or the status given).
func (a *xapi) action(id, body string, status ...int) xreply {
	a.t.Helper()
	want := http.StatusAccepted
	if len(status) > 0 {
		want = status[0]
	}
	r := a.do("POST", "/servers/"+id+"/action", body)
	r.status1(a.t, want)
	return r
}

func (r xreply) status1(t *testing.T, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", r.what, r.status, status, r.body)
	}
}

func (r xreply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%s: body is not a JSON object: %v: %s", r.what, err, r.body)
	}
	return m
}

// want checks the status and that the body is the JSON want (empty: no
// body).
func (r xreply) want(t *testing.T, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d; body %s", r.what, r.status, status, r.body)
		return
	}
	if want == "" {
		if len(r.body) != 0 {
			t.Errorf("%s: body %s, want none", r.what, r.body)
		}
		return
	}
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want JSON %v: %s", err, want)
	}
	if err := json.Unmarshal(r.body, &g); err != nil {
		t.Errorf("%s: body is not JSON: %v: %s", r.what, err, r.body)
		return
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("%s: body (-want +got):\n%s", r.what, diff)
	}
}

// xfaultNames are the keys of Nova's error bodies.
var xfaultNames = map[int]string{400: "badRequest", 403: "forbidden", 404: "itemNotFound", 409: "conflictingRequest"}

// fault checks a Nova error answer.
func (r xreply) fault(t *testing.T, status int, message string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{xfaultNames[status]: map[string]any{"code": status, "message": message}})
	r.want(t, status, string(b))
}

// xjson marshals v for use inside expected bodies.
func xjson(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var xuuid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

const (
	vol1 = "11111111-aaaa-4aaa-8aaa-000000000001"
	vol2 = "11111111-aaaa-4aaa-8aaa-000000000002"
	vol3 = "11111111-aaaa-4aaa-8aaa-000000000003"
	vol4 = "11111111-aaaa-4aaa-8aaa-000000000004"
)

func attachBody(volume, extra string) string {
	return `{"volumeAttachment":{"volumeId":"` + volume + `"` + extra + `}}`
}

func TestVolumeAttachListShowDetach(t *testing.T) {
	a := newXAPI(t, compute.WithDurations(compute.Instant()))
	id := a.server("web")
	base := "/servers/" + id + "/os-volume_attachments"

	a.do("POST", base, attachBody(vol1, "")).want(t, 200,
		`{"volumeAttachment":{"id":"`+vol1+`","serverId":"`+id+`","volumeId":"`+vol1+`","device":"/dev/vdb"}}`)
	a.at("2.79").do("POST", base, attachBody(vol2, `,"device":"/dev/vdd","tag":"db","delete_on_termination":true`)).want(t, 200,
		`{"volumeAttachment":{"id":"`+vol2+`","serverId":"`+id+`","volumeId":"`+vol2+`","device":"/dev/vdd","tag":"db","delete_on_termination":true}}`)
	// The next free device is vdc: vdb and vdd are taken.
	a.at("2.70").do("POST", base, attachBody(vol3, "")).want(t, 200,
		`{"volumeAttachment":{"id":"`+vol3+`","serverId":"`+id+`","volumeId":"`+vol3+`","device":"/dev/vdc","tag":null}}`)

	item := func(vol, dev, extra string) string {
		return `{"id":"` + vol + `","serverId":"` + id + `","volumeId":"` + vol + `","device":"` + dev + `"` + extra + `}`
	}
	tests := []struct {
		version, query, want string
	}{
		{"", "", `{"volumeAttachments":[` + item(vol1, "/dev/vdb", "") + `,` + item(vol2, "/dev/vdd", "") + `,` + item(vol3, "/dev/vdc", "") + `]}`},
		{"2.70", "", `{"volumeAttachments":[` + item(vol1, "/dev/vdb", `,"tag":null`) + `,` + item(vol2, "/dev/vdd", `,"tag":"db"`) + `,` + item(vol3, "/dev/vdc", `,"tag":null`) + `]}`},
		// Paging counts the image's root disk mapping, which is not shown.
		{"2.79", "?limit=1&offset=2", `{"volumeAttachments":[` + item(vol2, "/dev/vdd", `,"tag":"db","delete_on_termination":true`) + `]}`},
		{"", "?limit=1", `{"volumeAttachments":[]}`},
		{"", "?offset=5", `{"volumeAttachments":[]}`},
		{"2.74", "?limit=2&foo=bar", `{"volumeAttachments":[` + item(vol1, "/dev/vdb", `,"tag":null`) + `]}`},
	}
	for _, tt := range tests {
		a.at(tt.version).get(base+tt.query).want(t, 200, tt.want)
	}
	a.at("2.79").get(base+"/"+vol2).want(t, 200, `{"volumeAttachment":`+item(vol2, "/dev/vdd", `,"tag":"db","delete_on_termination":true`)+`}`)

	// 2.89 drops id for Cinder's attachment ID and the mapping's UUID.
	got := a.at("2.89").get(base + "/" + vol2).obj(t)["volumeAttachment"].(map[string]any)
	if _, ok := got["id"]; ok {
		t.Errorf("2.89 attachment has id: %v", got)
	}
	for _, k := range []string{"attachment_id", "bdm_uuid"} {
		if s, _ := got[k].(string); !xuuid.MatchString(s) {
			t.Errorf("2.89 %s = %v, want a UUID", k, got[k])
		}
	}
	// The server shows them in os-extended-volumes:volumes_attached.
	srv := a.at("2.3").get("/servers/" + id).obj(t)["server"].(map[string]any)
	if diff := cmp.Diff([]any{
		map[string]any{"id": vol1, "delete_on_termination": false},
		map[string]any{"id": vol2, "delete_on_termination": true},
		map[string]any{"id": vol3, "delete_on_termination": false},
	}, srv["os-extended-volumes:volumes_attached"]); diff != "" {
		t.Errorf("volumes_attached (-want +got):\n%s", diff)
	}

	a.do("DELETE", base+"/"+vol2, "").want(t, 202, "")
	a.get(base+"/"+vol2).fault(t, 404, "Instance "+id+" is not attached to volume "+vol2)
	a.do("DELETE", base+"/"+vol2, "").fault(t, 404, "Instance "+id+" is not attached to volume "+vol2)
	// Re-attached, it takes the first free device again.
	a.do("POST", base, attachBody(vol2, "")).want(t, 200,
		`{"volumeAttachment":{"id":"`+vol2+`","serverId":"`+id+`","volumeId":"`+vol2+`","device":"/dev/vdd"}}`)
	if s, _ := a.c.Server(id); len(s.Volumes) != 3 || s.Volumes[2].VolumeID != vol2 || s.Volumes[2].AttachmentID == "" {
		t.Errorf("Server(%s).Volumes = %+v", id, s.Volumes)
	}
}

func TestVolumeAttachErrors(t *testing.T) {
	a := newXAPI(t, compute.WithDurations(compute.Instant()))
	id := a.server("web")
	other := a.server("other")
	base := "/servers/" + id + "/os-volume_attachments"
	a.do("POST", "/servers/"+other+"/os-volume_attachments", attachBody(vol4, "")).status1(t, 200)
	a.do("POST", base, attachBody(vol1, `,"device":"/dev/vdb"`)).status1(t, 200)

	tests := []struct {
		name, version, body string
		status              int
		message             string
	}{
		{"no wrapper", "", `{}`, 400, "'volumeAttachment' is a required property"},
		{"no volumeId", "", `{"volumeAttachment":{}}`, 400, "Invalid input for field/attribute volumeAttachment. Value: {}. 'volumeId' is a required property"},
		{"volumeId not a uuid", "", attachBody("abc", ""), 400, "Invalid input for field/attribute volumeId. Value: abc. 'abc' is not a 'uuid'"},
		{"bad device", "", attachBody(vol2, `,"device":"sdb"`), 400,
			"Invalid input for field/attribute device. Value: sdb. 'sdb' does not match '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$'"},
		{"tag before 2.49", "2.48", attachBody(vol2, `,"tag":"x"`), 400,
			`Invalid input for field/attribute volumeAttachment. Value: {"volumeId":"` + vol2 + `","tag":"x"}. Additional properties are not allowed ('tag' was unexpected)`},
		{"bad tag", "2.49", attachBody(vol2, `,"tag":"a/b"`), 400, "Invalid input for field/attribute tag. Value: a/b. 'a/b' does not match '^[^,/]*$'"},
		{"delete_on_termination before 2.79", "2.78", attachBody(vol2, `,"delete_on_termination":true`), 400,
			`Invalid input for field/attribute volumeAttachment. Value: {"volumeId":"` + vol2 + `","delete_on_termination":true}. Additional properties are not allowed ('delete_on_termination' was unexpected)`},
		{"bad delete_on_termination", "2.79", attachBody(vol2, `,"delete_on_termination":"maybe"`), 400,
			"Invalid input for field/attribute delete_on_termination. Value: maybe. 'maybe' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']"},
		{"attached here", "", attachBody(vol1, ""), 400, "Invalid volume: volume " + vol1 + " is already attached to instances: " + id},
		{"attached elsewhere", "", attachBody(vol4, ""), 400, "Invalid volume: volume " + vol4 + " is already attached to instances: " + other},
		{"device in use", "", attachBody(vol2, `,"device":"/dev/vdb"`), 409, "The supplied device path (/dev/vdb) is in use."},
		{"root device", "", attachBody(vol2, `,"device":"/dev/vda"`), 409, "The supplied device path (/dev/vda) is in use."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.at(tt.version).do("POST", base, tt.body).fault(t, tt.status, tt.message)
		})
	}
	a.do("POST", "/servers/nope/os-volume_attachments", attachBody(vol2, "")).fault(t, 404, "Instance nope could not be found.")
	a.get("/servers/nope/os-volume_attachments").fault(t, 404, "Instance nope could not be found.")

	queries := []struct{ version, query, message string }{
		{"", "?limit=abc", "Invalid input for query parameters limit. Value: abc. 'abc' does not match '^[0-9]*$'"},
		{"", "?offset=-1", "Invalid input for query parameters offset. Value: -1. '-1' does not match '^[0-9]*$'"},
		{"2.75", "?foo=bar", "Additional properties are not allowed ('foo' was unexpected)"},
	}
	for _, q := range queries {
		a.at(q.version).get(base+q.query).fault(t, 400, q.message)
	}
	// Nothing was attached by the failures.
	if s, _ := a.c.Server(id); len(s.Volumes) != 1 {
		t.Errorf("volumes after failures: %+v", s.Volumes)
	}
}

func TestVolumeAttachStates(t *testing.T) {
	d := compute.DefaultDurations()
	d.ShelveOffload = 0
	a := newXAPI(t, compute.WithDurations(d))
	id := a.server("web")
	base := "/servers/" + id + "/os-volume_attachments"

	// Building.
	a.do("POST", base, attachBody(vol1, "")).fault(t, 409, "Cannot 'attach_volume' instance "+id+" while it is in vm_state building")
	a.advance(d.Build)
	// Rebooting: a task is under way.
	a.action(id, `{"reboot":{"type":"SOFT"}}`)
	a.do("POST", base, attachBody(vol1, "")).fault(t, 409, "Cannot 'attach_volume' instance "+id+" while it is in task_state rebooting")
	a.advance(d.Reboot)
	// Locked.
	a.action(id, `{"lock":null}`)
	a.do("POST", base, attachBody(vol1, "")).fault(t, 409, "Instance "+id+" is locked")
	a.action(id, `{"unlock":null}`)
	// Stopped is fine.
	a.action(id, `{"os-stop":null}`)
	a.advance(d.Stop)
	a.do("POST", base, attachBody(vol1, "")).status1(t, 200)
	// Shelved (and offloaded at once): only from 2.20, with no device
	// until the server lands on a host again.
	a.action(id, `{"os-start":null}`)
	a.advance(d.Start)
	a.action(id, `{"shelve":null}`)
	a.advance(d.Shelve)
	a.at("2.19").do("POST", base, attachBody(vol2, "")).fault(t, 409, "Cannot 'attach_volume' instance "+id+" while it is in vm_state shelved_offloaded")
	a.at("2.49").do("POST", base, attachBody(vol2, `,"tag":"t"`)).fault(t, 400, "Tagged volume attachment is not supported for shelved-offloaded instances.")
	a.at("2.20").do("POST", base, attachBody(vol2, "")).want(t, 200,
		`{"volumeAttachment":{"id":"`+vol2+`","serverId":"`+id+`","volumeId":"`+vol2+`","device":null}}`)
	a.at("2.19").do("DELETE", base+"/"+vol1, "").fault(t, 409, "Cannot 'detach_volume' instance "+id+" while it is in vm_state shelved_offloaded")
	a.at("2.20").do("DELETE", base+"/"+vol1, "").want(t, 202, "")
	a.get(base).want(t, 200, `{"volumeAttachments":[{"id":"`+vol2+`","serverId":"`+id+`","volumeId":"`+vol2+`"}]}`)
}

func TestVolumeAttachmentUpdateAndSwap(t *testing.T) {
	a := newXAPIWithTokens(t, compute.WithDurations(compute.Instant()))
	admin := a.with("tok-admin")
	id := a.server("web")
	base := "/servers/" + id + "/os-volume_attachments"
	a.at("2.79").do("POST", base, attachBody(vol1, `,"tag":"data"`)).status1(t, 200)
	a.do("POST", base, attachBody(vol2, "")).status1(t, 200)

	// 2.85: delete_on_termination changes; the rest may be sent unchanged.
	a.at("2.85").do("PUT", base+"/"+vol1, attachBody(vol1, `,"delete_on_termination":true,"device":"/dev/vdb","tag":"data","serverId":"`+id+`","id":"`+vol1+`"`)).want(t, 202, "")
	a.at("2.79").get(base+"/"+vol1).want(t, 200,
		`{"volumeAttachment":{"id":"`+vol1+`","serverId":"`+id+`","volumeId":"`+vol1+`","device":"/dev/vdb","tag":"data","delete_on_termination":true}}`)

	tests := []struct {
		name, client, version, path, body string
		status                            int
		message                           string
	}{
		{"device is not mutable", "member", "2.85", vol1, attachBody(vol1, `,"device":"/dev/vdz"`), 400, "The device property is not mutable"},
		{"tag is not mutable", "member", "2.85", vol1, attachBody(vol1, `,"tag":"other"`), 400, "The tag property is not mutable"},
		{"id is not mutable", "member", "2.85", vol1, attachBody(vol1, `,"id":"`+vol3+`"`), 400, "The id property is not mutable"},
		{"serverId is not mutable", "member", "2.85", vol1, attachBody(vol1, `,"serverId":"`+vol3+`"`), 400, "The serverId property is not mutable"},
		{"not attached", "member", "2.85", vol3, attachBody(vol3, ""), 404, "No volume Block Device Mapping with id " + vol3 + "."},
		{"before 2.85 only volumeId", "admin", "2.84", vol1, attachBody(vol1, `,"delete_on_termination":false`), 400,
			`Invalid input for field/attribute volumeAttachment. Value: {"volumeId":"` + vol1 + `","delete_on_termination":false}. Additional properties are not allowed ('delete_on_termination' was unexpected)`},
		{"swap is admin only before 2.85", "member", "2.84", vol1, attachBody(vol1, ""), 403, "Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed."},
		{"swap is admin only", "member", "2.85", vol1, attachBody(vol3, ""), 403, "Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed."},
		{"swap to an attached volume", "admin", "2.85", vol1, attachBody(vol2, ""), 400, "Invalid volume: New volume must be detached in order to swap."},
		{"swap to itself", "admin", "2.84", vol1, attachBody(vol1, ""), 400, "Invalid volume: New volume must be detached in order to swap."},
		{"swap of a volume not attached", "admin", "2.84", vol4, attachBody(vol3, ""), 400, "Invalid volume: Old volume is attached to a different instance."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a
			if tt.client == "admin" {
				c = admin
			}
			c.at(tt.version).do("PUT", base+"/"+tt.path, tt.body).fault(t, tt.status, tt.message)
		})
	}

	// An admin swaps vol1 for vol3: same device, same settings.
	admin.at("2.84").do("PUT", base+"/"+vol1, attachBody(vol3, "")).want(t, 202, "")
	a.get(base+"/"+vol1).fault(t, 404, "Instance "+id+" is not attached to volume "+vol1)
	a.at("2.79").get(base+"/"+vol3).want(t, 200,
		`{"volumeAttachment":{"id":"`+vol3+`","serverId":"`+id+`","volumeId":"`+vol3+`","device":"/dev/vdb","tag":"data","delete_on_termination":true}}`)

	// Swapping needs an active, paused or resized server.
	a.action(id, `{"os-stop":null}`)
	admin.at("2.85").do("PUT", base+"/"+vol3, attachBody(vol1, "")).fault(t, 409, "Cannot 'swap_volume' instance "+id+" while it is in vm_state stopped")
}

func TestDetachRootVolume(t *testing.T) {
	a := newXAPI(t, compute.WithDurations(compute.Instant()))
	r := a.do("POST", "/servers", `{"server":{"name":"bfv","flavorRef":"1","block_device_mapping_v2":[`+
		`{"boot_index":0,"uuid":"`+vol1+`","source_type":"volume","destination_type":"volume"}]}}`)
	r.status1(t, http.StatusAccepted)
	id := r.obj(t)["server"].(map[string]any)["id"].(string)
	a.do("DELETE", "/servers/"+id+"/os-volume_attachments/"+vol1, "").fault(t, 400, "Cannot detach a root device volume")
	// The boot volume is already attached, so nothing else may attach it.
	other := a.server("other")
	a.do("POST", "/servers/"+other+"/os-volume_attachments", attachBody(vol1, "")).fault(t, 400,
		"Invalid volume: volume "+vol1+" is already attached to instances: "+id)
	// Deleting the server frees it.
	a.do("DELETE", "/servers/"+id, "").status1(t, http.StatusNoContent)
	a.advance(time.Second)
	a.do("POST", "/servers/"+other+"/os-volume_attachments", attachBody(vol1, "")).status1(t, 200)
}

// FuzzServerExtensionBodies sends arbitrary bodies to every decoder of the
// server extensions: each answer is a Nova answer (a success or a 4xx with
// Nova's error body), never a panic or a 500.
func FuzzServerExtensionBodies(f *testing.F) {
	seeds := []string{
		attachBody(vol1, `,"device":"/dev/vdc","tag":"t","delete_on_termination":"yes"`),
		attachBody(vol1, `,"device":null,"id":"`+vol1+`","serverId":"x"`),
		`{"volumeAttachment":{"volumeId":7,"device":["x"]}}`,
		`{"interfaceAttachment":{"net_id":"` + vol2 + `","fixed_ips":[{"ip_address":"10.0.0.9","x":1}],"tag":""}}`,
		`{"interfaceAttachment":{"fixed_ips":[1,2]}}`, `{"interfaceAttachment":null}`,
		`{"remote_console":{"protocol":"vnc","type":"novnc"}}`, `{"remote_console":{"protocol":1,"type":null}}`,
		`{"os-getVNCConsole":{"type":"novnc"}}`, `{"os-getSerialConsole":[]}`,
		`{}`, `[]`, `null`, ``, `{"volumeAttachment":`,
	}
	for _, s := range seeds {
		f.Add(s, "2.1")
		f.Add(s, "2.96")
	}
	c := mustUnstarted(f, fake.WithSeed(1), compute.WithDurations(compute.Instant()))
	srv, err := c.AddServer(compute.Server{ProjectID: "p", FlavorID: "1", ImageID: compute.DefaultImageID})
	if err != nil {
		f.Fatal(err)
	}
	paths := []struct{ method, path string }{
		{"POST", "/os-volume_attachments"}, {"PUT", "/os-volume_attachments/" + vol1},
		{"POST", "/os-interface"}, {"POST", "/remote-consoles"}, {"POST", "/action"},
	}
	f.Fuzz(func(t *testing.T, body, version string) {
		for _, p := range paths {
			req := httptest.NewRequest(p.method, "/v2.1/p/servers/"+srv.ID+p.path, strings.NewReader(body))
			req.Header.Set("OpenStack-API-Version", "compute "+version)
			rec := httptest.NewRecorder()
			c.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q @%s: %d %s", p.method, p.path, body, version, rec.Code, rec.Body)
			}
			if rec.Code >= 400 && rec.Code != 406 {
				var fault map[string]struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &fault); err != nil || len(fault) != 1 {
					t.Fatalf("%s %s %q: error body %s", p.method, p.path, body, rec.Body)
				}
			}
		}
	})
}
