package compute_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// The helpers of the server, action, lifecycle and behavior tests. Their
// names start with "nova" so they cannot collide with the helpers of the
// other test files of this package.

// novaReply is one HTTP answer, fully read.
type novaReply struct {
	Status int
	Header http.Header
	Body   []byte
}

// novaAPI talks HTTP (kittest) to a started compute server, as one
// project, at one microversion ("" sends no header).
type novaAPI struct {
	t       testing.TB
	srv     *compute.Compute
	hc      *kittest.Client
	project string
	version string
	root    string // "/v2.1" or "/v2"
	token   string
}

// newNova starts compute.New(t, fake.WithSeed(1), opts...) and
// returns a client for project "demo" at no microversion.
func newNova(t testing.TB, opts ...compute.Option) *novaAPI {
	t.Helper()
	return novaFor(t, compute.New(t, append([]compute.Option{fake.WithSeed(1)}, opts...)...))
}

// newNovaWithAuth is newNova with a compute that checks tokens with auth,
// built as a Cloud builds it.
func newNovaWithAuth(t testing.TB, auth kit.Authenticator, opts ...compute.Option) *novaAPI {
	t.Helper()
	return novaFor(t, newInEnv(t, kit.Env{Auth: auth}, opts...))
}

// secGroups seeds security groups of these names in the API's project.
func (a *novaAPI) secGroups(names ...string) {
	a.t.Helper()
	for _, name := range names {
		if _, err := a.srv.AddSecurityGroup(compute.SecurityGroup{ProjectID: a.project, Name: name}); err != nil {
			a.t.Fatal(err)
		}
	}
}

func novaFor(t testing.TB, srv *compute.Compute) *novaAPI {
	return &novaAPI{t: t, srv: srv, hc: kittest.New(t, "", srv.Client()), project: "demo", root: "/v2.1"}
}

// at returns a client sending microversion v.
func (a *novaAPI) at(v string) *novaAPI {
	b := *a
	b.version = v
	return &b
}

// as returns a client for another project.
func (a *novaAPI) as(project string) *novaAPI {
	b := *a
	b.project = project
	return &b
}

// legacy returns a client of the /v2 root.
func (a *novaAPI) legacy() *novaAPI {
	b := *a
	b.root = "/v2"
	return &b
}

// withToken returns a client sending X-Auth-Token.
func (a *novaAPI) withToken(tok string) *novaAPI {
	b := *a
	b.token = tok
	return &b
}

// path is the URL path of an API resource ("/servers" -> "/v2.1/demo/servers").
func (a *novaAPI) path(p string) string { return a.root + "/" + a.project + p }

// raw sends method to the server-relative path with body and header pairs.
func (a *novaAPI) raw(method, path, body string, headers ...string) novaReply {
	a.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = a.srv.URL() + path
	}
	h := []string{"Accept", "application/json"}
	if a.version != "" {
		h = append(h, "OpenStack-API-Version", "compute "+a.version)
	}
	if a.token != "" {
		h = append(h, "X-Auth-Token", a.token)
	}
	r := a.hc.Do(method, target, body, append(h, headers...)...)
	return novaReply{Status: r.Status, Header: r.Header, Body: r.Body}
}

// do sends method to an API resource ("/servers").
func (a *novaAPI) do(method, p, body string, headers ...string) novaReply {
	a.t.Helper()
	return a.raw(method, a.path(p), body, headers...)
}

func (a *novaAPI) get(p string) novaReply {
	a.t.Helper()
	return a.do("GET", p, "")
}

// advance moves the server's clock.
func (a *novaAPI) advance(d time.Duration) { a.srv.Clock().Advance(d) }

// want fails the test unless r has the status; it returns r for chaining.
func (r novaReply) want(t testing.TB, status int) novaReply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// obj decodes the body as a JSON object.
func (r novaReply) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// into decodes the body into v, rejecting members v does not declare.
func (r novaReply) into(t testing.TB, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %s into %T: %v", r.Body, v, err)
	}
}

// novaFault is Nova's error body, {"<name>": {"code", "message"}}.
type novaFault struct {
	Name    string
	Code    int
	Message string
}

// fault decodes r's body as Nova's error format; it fails the test unless
// the body is one with a single key whose code is r's status.
func (r novaReply) fault(t testing.TB) novaFault {
	t.Helper()
	var m map[string]struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(r.Body, &m); err != nil || len(m) != 1 {
		t.Fatalf("not a Nova error body (%v): %s", err, r.Body)
	}
	for k, v := range m {
		if v.Code != r.Status {
			t.Errorf("error body code %d, status %d", v.Code, r.Status)
		}
		return novaFault{Name: k, Code: v.Code, Message: v.Message}
	}
	panic("unreachable")
}

// wantFault checks status, fault name and that the message contains msg.
func (r novaReply) wantFault(t testing.TB, status int, name, msg string) {
	t.Helper()
	r.want(t, status)
	f := r.fault(t)
	if f.Name != name || !strings.Contains(f.Message, msg) {
		t.Errorf("fault = %+v; want %s containing %q", f, name, msg)
	}
}

// novaBody builds {"server": {...}}: name "test", flavorRef "1" and the
// CirrOS image, overridden by members; a member set to novaAbsent is left out.
func novaBody(members map[string]any) string {
	server := map[string]any{"name": "test", "flavorRef": "1", "imageRef": compute.DefaultImageID}
	for k, v := range members {
		if v == novaAbsent {
			delete(server, k)
			continue
		}
		server[k] = v
	}
	b, err := json.Marshal(map[string]any{"server": server})
	if err != nil {
		panic(err)
	}
	return string(b)
}

type absentMember struct{}

var novaAbsent = absentMember{}

// create creates a server (202 required) and returns its ID.
func (a *novaAPI) create(members map[string]any) string {
	a.t.Helper()
	r := a.do("POST", "/servers", novaBody(members)).want(a.t, http.StatusAccepted)
	var out struct {
		Server struct {
			ID string `json:"id"`
		} `json:"server"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || out.Server.ID == "" {
		a.t.Fatalf("create: no server ID in %s", r.Body)
	}
	return out.Server.ID
}

// createNamed creates a server with the given name.
func (a *novaAPI) createNamed(name string) string {
	a.t.Helper()
	return a.create(map[string]any{"name": name})
}

// server GETs a server (200 required) and returns its "server" object.
func (a *novaAPI) server(id string) map[string]any {
	a.t.Helper()
	r := a.get("/servers/"+id).want(a.t, http.StatusOK)
	s, ok := r.obj(a.t)["server"].(map[string]any)
	if !ok {
		a.t.Fatalf("no server object in %s", r.Body)
	}
	return s
}

// status is a server's API status.
func (a *novaAPI) status(id string) string {
	a.t.Helper()
	st, _ := a.server(id)["status"].(string)
	return st
}

// states is "STATUS vm_state task_state power_state", the whole of what
// the fake hypervisor reports.
func (a *novaAPI) states(id string) string {
	a.t.Helper()
	s := a.server(id)
	return fmt.Sprintf("%v %v %v %v", s["status"], s["OS-EXT-STS:vm_state"], s["OS-EXT-STS:task_state"], s["OS-EXT-STS:power_state"])
}

// action POSTs an action body.
func (a *novaAPI) action(id, body string) novaReply {
	a.t.Helper()
	return a.do("POST", "/servers/"+id+"/action", body)
}

// activeServer creates a server and waits out its build.
func (a *novaAPI) activeServer(name string) string {
	a.t.Helper()
	id := a.createNamed(name)
	a.advance(compute.DefaultDurations().Build)
	if st := a.status(id); st != "ACTIVE" {
		a.t.Fatalf("server %s is %s after the build", id, st)
	}
	return id
}

// listIDs lists servers (path "/servers" or "/servers/detail" plus query)
// and returns the IDs in order.
func (a *novaAPI) listIDs(p string) []string {
	a.t.Helper()
	var out struct {
		Servers []map[string]any `json:"servers"`
	}
	if err := json.Unmarshal(a.get(p).want(a.t, http.StatusOK).Body, &out); err != nil {
		a.t.Fatal(err)
	}
	ids := []string{}
	for _, s := range out.Servers {
		ids = append(ids, s["id"].(string))
	}
	return ids
}

// novaTime is Nova's timestamp format.
func novaTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

var start = clock.DefaultStart()

func TestServerCreateResponse(t *testing.T) {
	a := newNova(t)
	a.secGroups("web", "ssh")
	r := a.do("POST", "/servers", novaBody(nil)).want(t, http.StatusAccepted)
	var got struct {
		Server struct {
			ID             string              `json:"id"`
			Links          []map[string]string `json:"links"`
			AdminPass      string              `json:"adminPass"`
			DiskConfig     string              `json:"OS-DCF:diskConfig"`
			SecurityGroups []map[string]string `json:"security_groups"`
		} `json:"server"`
	}
	r.into(t, &got)
	id := got.Server.ID
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("id %q is not a v4 UUID", id)
	}
	self := a.srv.URL() + "/v2.1/demo/servers/" + id
	wantLinks := []map[string]string{
		{"rel": "self", "href": self},
		{"rel": "bookmark", "href": a.srv.URL() + "/demo/servers/" + id},
	}
	if diff := cmp.Diff(wantLinks, got.Server.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if loc := r.Header.Get("Location"); loc != self {
		t.Errorf("Location = %q, want %q", loc, self)
	}
	if got.Server.AdminPass == "" || got.Server.DiskConfig != "MANUAL" {
		t.Errorf("adminPass %q, diskConfig %q", got.Server.AdminPass, got.Server.DiskConfig)
	}
	if diff := cmp.Diff([]map[string]string{{"name": "default"}}, got.Server.SecurityGroups); diff != "" {
		t.Errorf("security_groups (-want +got):\n%s", diff)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}

	// What the client chose is echoed; two servers never share a password.
	r = a.do("POST", "/servers", novaBody(map[string]any{
		"name": "second", "adminPass": "s3cret", "OS-DCF:diskConfig": "AUTO",
		"security_groups": []map[string]string{{"name": "web"}, {"name": "ssh"}},
	})).want(t, http.StatusAccepted)
	second := r.obj(t)["server"].(map[string]any)
	if diff := cmp.Diff(map[string]any{
		"adminPass": "s3cret", "OS-DCF:diskConfig": "AUTO",
		"security_groups": []any{map[string]any{"name": "web"}, map[string]any{"name": "ssh"}},
	}, map[string]any{"adminPass": second["adminPass"], "OS-DCF:diskConfig": second["OS-DCF:diskConfig"], "security_groups": second["security_groups"]}); diff != "" {
		t.Errorf("echoed members (-want +got):\n%s", diff)
	}
	third := a.do("POST", "/servers", novaBody(map[string]any{"name": "third"})).want(t, http.StatusAccepted).obj(t)["server"].(map[string]any)
	if third["adminPass"] == got.Server.AdminPass {
		t.Errorf("two servers share the password %v", third["adminPass"])
	}
	detail := a.server(second["id"].(string))
	if detail["OS-DCF:diskConfig"] != "AUTO" || len(detail["security_groups"].([]any)) != 2 {
		t.Errorf("detail does not keep diskConfig/security_groups: %v %v", detail["OS-DCF:diskConfig"], detail["security_groups"])
	}

	// The Rackspace root links to itself.
	r = a.legacy().do("POST", "/servers", novaBody(map[string]any{"name": "legacy"})).want(t, http.StatusAccepted)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, a.srv.URL()+"/v2/demo/servers/") {
		t.Errorf("/v2 Location = %q", loc)
	}
}

func TestServerCreateReservationAndCount(t *testing.T) {
	a := newNova(t)
	r := a.do("POST", "/servers", novaBody(map[string]any{"name": "batch", "min_count": 2, "max_count": 3, "return_reservation_id": true})).
		want(t, http.StatusAccepted)
	var res struct {
		ReservationID string `json:"reservation_id"`
	}
	r.into(t, &res)
	if !regexp.MustCompile(`^r-[0-9a-zA-Z]{8}$`).MatchString(res.ReservationID) {
		t.Errorf("reservation_id = %q", res.ReservationID)
	}
	if loc := r.Header.Get("Location"); loc != "" {
		t.Errorf("Location %q with return_reservation_id", loc)
	}
	// Three servers of one reservation, named name-1…name-3, launch
	// indexes 0…2 (shown from 2.3).
	var list struct {
		Servers []struct {
			Name          string `json:"name"`
			ReservationID string `json:"OS-EXT-SRV-ATTR:reservation_id"`
			LaunchIndex   int    `json:"OS-EXT-SRV-ATTR:launch_index"`
		} `json:"servers"`
	}
	if err := json.Unmarshal(a.at("2.3").get("/servers/detail?reservation_id="+res.ReservationID).want(t, 200).Body, &list); err != nil {
		t.Fatal(err)
	}
	type inst struct {
		Name  string
		Index int
	}
	var got []inst
	for _, s := range list.Servers {
		if s.ReservationID != res.ReservationID {
			t.Errorf("server %s has reservation %q", s.Name, s.ReservationID)
		}
		got = append(got, inst{s.Name, s.LaunchIndex})
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
	if diff := cmp.Diff([]inst{{"batch-1", 0}, {"batch-2", 1}, {"batch-3", 2}}, got); diff != "" {
		t.Errorf("instances (-want +got):\n%s", diff)
	}

	// max_count is cut down to what the quota allows; min_count is not.
	q := compute.DefaultQuota()
	q.Instances = 3
	b := newNova(t, compute.WithQuota(q))
	b.do("POST", "/servers", novaBody(map[string]any{"name": "many", "max_count": 5})).want(t, http.StatusAccepted)
	if n := len(b.srv.Servers()); n != 3 {
		t.Errorf("max_count 5 under a quota of 3 made %d servers", n)
	}
	c := newNova(t, compute.WithQuota(q))
	c.do("POST", "/servers", novaBody(map[string]any{"name": "many", "min_count": 4, "max_count": 5})).
		wantFault(t, http.StatusForbidden, "forbidden", "Quota exceeded for instances: Requested 4, but already used 0 of 3 instances")
	// A huge max_count is answered at once, not counted down.
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.do("POST", "/servers", novaBody(map[string]any{"name": "huge", "max_count": 1 << 60})).want(t, http.StatusAccepted)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("max_count 2^60 did not finish in 10 s")
	}
	if n := len(c.srv.Servers()); n != 3 {
		t.Errorf("max_count 2^60 under a quota of 3 made %d servers", n)
	}
}

func TestServerCreateValidation(t *testing.T) {
	tests := []struct {
		name    string
		version string
		body    string
		status  int
		msg     string
	}{
		{"empty body", "", ``, 400, "empty"},
		{"not JSON", "", `{ bad request: }`, 400, "Malformed request body"},
		{"not an object", "", `[]`, 400, ""},
		{"missing server", "", `{"srv":{"name":"a","flavorRef":"1"}}`, 400, "'server' is a required property"},
		{"server not an object", "", `{"server":"x"}`, 400, "is not of type 'object'"},
		{"missing name", "", novaBody(map[string]any{"name": novaAbsent}), 400, "'name' is a required property"},
		{"empty name", "", novaBody(map[string]any{"name": ""}), 400, "is too short"},
		{"name of spaces", "", novaBody(map[string]any{"name": "   "}), 400, "Can not start or end with whitespace"},
		{"leading space", "", novaBody(map[string]any{"name": " web"}), 400, "Can not start or end with whitespace"},
		{"trailing space", "", novaBody(map[string]any{"name": "web "}), 400, "Can not start or end with whitespace"},
		{"control character", "", novaBody(map[string]any{"name": "we\nb"}), 400, "printable characters"},
		{"name too long", "", novaBody(map[string]any{"name": strings.Repeat("a", 256)}), 400, "is too long"},
		{"name not a string", "", novaBody(map[string]any{"name": 7}), 400, "name"},
		{"missing flavorRef", "", novaBody(map[string]any{"flavorRef": novaAbsent}), 400, "'flavorRef' is a required property"},
		{"unknown flavor", "", novaBody(map[string]any{"flavorRef": "999"}), 400, "Flavor 999 could not be found."},
		{"unknown image", "", novaBody(map[string]any{"imageRef": "0b5a3f1e-0000-4000-8000-000000000000"}), 400, "Can not find requested image"},
		{"missing imageRef", "", novaBody(map[string]any{"imageRef": novaAbsent}), 400, "Missing imageRef attribute"},
		{"unknown member", "", novaBody(map[string]any{"colour": "blue"}), 400, "Additional properties are not allowed ('colour' was unexpected)"},
		{"two unknown members", "", novaBody(map[string]any{"colour": "blue", "age": 3}), 400, "Additional properties are not allowed ('age', 'colour' were unexpected)"},
		{"bad user_data", "", novaBody(map[string]any{"user_data": "not base64!"}), 400, "user_data"},
		{"bad diskConfig", "", novaBody(map[string]any{"OS-DCF:diskConfig": "AUTO-MANUAL"}), 400, "is not one of ['AUTO', 'MANUAL']"},
		{"networks word", "", novaBody(map[string]any{"networks": "everything"}), 400, "networks"},
		{"networks object", "", novaBody(map[string]any{"networks": map[string]string{"uuid": "x"}}), 400, "is not of type 'array'"},
		{"network without uuid or port", "", novaBody(map[string]any{"networks": []map[string]string{{"fixed_ip": "10.0.0.9"}}}), 400, "Bad network format: missing 'uuid'"},
		{"networks required from 2.37", "2.37", novaBody(nil), 400, "'networks' is a required property"},
		{"unknown key_name", "", novaBody(map[string]any{"key_name": "nope"}), 400, "Invalid key_name provided."},
		{"unknown availability_zone", "", novaBody(map[string]any{"availability_zone": "mars"}), 400, "The requested availability zone is not available"},
		{"bad accessIPv4", "", novaBody(map[string]any{"accessIPv4": "not-an-ip"}), 400, "is not a 'ipv4'"},
		{"IPv6 as accessIPv4", "", novaBody(map[string]any{"accessIPv4": "2001:db8::1"}), 400, "is not a 'ipv4'"},
		{"bad accessIPv6", "", novaBody(map[string]any{"accessIPv6": "10.0.0.1"}), 400, "is not a 'ipv6'"},
		{"min_count 0", "", novaBody(map[string]any{"min_count": 0}), 400, "min_count"},
		{"min_count over max_count", "", novaBody(map[string]any{"min_count": 3, "max_count": 2}), 400, "min_count must be <= max_count"},
		{"metadata value not a string", "", novaBody(map[string]any{"metadata": map[string]any{"key": []int{}}}), 400, "metadata"},
		{"metadata not an object", "", novaBody(map[string]any{"metadata": "not metadata"}), 400, "metadata"},
		{"description before 2.19", "", novaBody(map[string]any{"description": "d"}), 400, "('description' was unexpected)"},
		{"tags before 2.52", "2.51", novaBody(map[string]any{"tags": []string{"a"}}), 400, "('tags' was unexpected)"},
		{"scheduler hints not an object", "", `{"server":{"name":"a","flavorRef":"1","imageRef":"` + compute.DefaultImageID + `"},"os:scheduler_hints":3}`, 400, "os:scheduler_hints"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newNova(t).at(tc.version)
			r := a.do("POST", "/servers", tc.body)
			r.wantFault(t, tc.status, "badRequest", tc.msg)
			if n := len(a.srv.Servers()); n != 0 {
				t.Errorf("a refused create left %d servers", n)
			}
		})
	}
}

func TestServerCreateAccepted(t *testing.T) {
	tests := []struct {
		name    string
		version string
		legacy  bool
		body    string
		check   func(t *testing.T, s compute.Server)
	}{
		{"flavorRef as a number", "", false, novaBody(map[string]any{"flavorRef": 2}), func(t *testing.T, s compute.Server) {
			if s.FlavorID != "2" {
				t.Errorf("flavor %q", s.FlavorID)
			}
		}},
		{"flavorRef as a link", "", false, novaBody(map[string]any{"flavorRef": "http://openstack.example.com/demo/flavors/3"}), func(t *testing.T, s compute.Server) {
			if s.FlavorID != "3" {
				t.Errorf("flavor %q", s.FlavorID)
			}
		}},
		{"imageRef as a link", "", false, novaBody(map[string]any{"imageRef": "http://glance.example.com/v2/images/" + compute.DefaultImageID}), func(t *testing.T, s compute.Server) {
			if s.ImageID != compute.DefaultImageID {
				t.Errorf("image %q", s.ImageID)
			}
		}},
		{"boot from volume", "", false, novaBody(map[string]any{"imageRef": novaAbsent, "block_device_mapping_v2": []map[string]any{
			{"boot_index": 0, "uuid": "8c4e9b2a-1d3f-4a5b-9c6d-7e8f9a0b1c2d", "source_type": "volume", "destination_type": "volume", "delete_on_termination": true}}}),
			func(t *testing.T, s compute.Server) {
				if s.ImageID != "" || len(s.Volumes) != 1 || s.Volumes[0].VolumeID != "8c4e9b2a-1d3f-4a5b-9c6d-7e8f9a0b1c2d" {
					t.Errorf("image %q volumes %+v", s.ImageID, s.Volumes)
				}
			}},
		{"boot from an image-backed volume", "", false, novaBody(map[string]any{"imageRef": novaAbsent, "block_device_mapping_v2": []map[string]any{
			{"boot_index": 0, "uuid": compute.DefaultImageID, "source_type": "image", "destination_type": "volume", "volume_size": 10}}}),
			func(t *testing.T, s compute.Server) {
				if len(s.Volumes) != 1 {
					t.Errorf("volumes %+v", s.Volumes)
				}
			}},
		{"255 characters of two bytes", "", false, novaBody(map[string]any{"name": strings.Repeat("é", 255)}), nil},
		{"inner spaces", "", false, novaBody(map[string]any{"name": "my web server"}), nil},
		{"legacy root allows outer spaces", "", true, novaBody(map[string]any{"name": " padded "}), func(t *testing.T, s compute.Server) {
			if s.Name != " padded " {
				t.Errorf("name %q", s.Name)
			}
		}},
		{"networks none", "2.37", false, novaBody(map[string]any{"networks": "none"}), func(t *testing.T, s compute.Server) {
			if len(s.Addresses) != 0 {
				t.Errorf("addresses %v", s.Addresses)
			}
		}},
		{"networks auto", "2.37", false, novaBody(map[string]any{"networks": "auto"}), nil},
		{"networks empty list", "", false, novaBody(map[string]any{"networks": []any{}}), func(t *testing.T, s compute.Server) {
			if len(s.Addresses["private"]) != 1 {
				t.Errorf("addresses %v", s.Addresses)
			}
		}},
		{"network with fixed IP", "", false, novaBody(map[string]any{"networks": []map[string]string{{"uuid": "5c3a1b2e-0000-4000-8000-000000000001", "fixed_ip": "10.9.8.7"}}}),
			func(t *testing.T, s compute.Server) {
				if s.Addresses["private"][0].Addr != "10.9.8.7" {
					t.Errorf("private address %v", s.Addresses["private"])
				}
			}},
		{"description from 2.19", "2.19", false, novaBody(map[string]any{"description": "the web tier"}), func(t *testing.T, s compute.Server) {
			if s.Description != "the web tier" {
				t.Errorf("description %q", s.Description)
			}
		}},
		{"tags from 2.52", "2.52", false, novaBody(map[string]any{"tags": []string{"a", "b"}, "networks": "none"}), func(t *testing.T, s compute.Server) {
			if diff := cmp.Diff([]string{"a", "b"}, s.Tags); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
		}},
		{"zone with host", "", false, novaBody(map[string]any{"availability_zone": "nova:compute-1"}), func(t *testing.T, s compute.Server) {
			if s.AvailabilityZone != "nova" {
				t.Errorf("zone %q", s.AvailabilityZone)
			}
		}},
		{"access IPs, user data, config drive, metadata", "", false, novaBody(map[string]any{
			"accessIPv4": "203.0.113.5", "accessIPv6": "2001:db8::5", "user_data": "IyEvYmluL3NoCmVjaG8gaGk=",
			"config_drive": true, "metadata": map[string]string{"role": "web"}}),
			func(t *testing.T, s compute.Server) {
				if s.AccessIPv4 != "203.0.113.5" || s.AccessIPv6 != "2001:db8::5" || s.UserData != "IyEvYmluL3NoCmVjaG8gaGk=" || !s.ConfigDrive || s.Metadata["role"] != "web" {
					t.Errorf("server %+v", s)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newNova(t).at(tc.version)
			if tc.legacy {
				a = a.legacy()
			}
			r := a.do("POST", "/servers", tc.body).want(t, http.StatusAccepted)
			id := r.obj(t)["server"].(map[string]any)["id"].(string)
			s, ok := a.srv.Server(id)
			if !ok {
				t.Fatalf("server %s not stored", id)
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func TestServerCreateQuota(t *testing.T) {
	tests := []struct {
		name   string
		quota  func(q *compute.Quota)
		first  map[string]any // created first, must succeed (nil: nothing)
		second map[string]any
		msg    string
	}{
		{"instances", func(q *compute.Quota) { q.Instances = 1 }, map[string]any{"name": "one"}, map[string]any{"name": "two"},
			"Quota exceeded for instances: Requested 1, but already used 1 of 1 instances"},
		{"cores", func(q *compute.Quota) { q.Cores = 3 }, map[string]any{"name": "one", "flavorRef": "3"}, map[string]any{"name": "two", "flavorRef": "3"},
			"Quota exceeded for cores: Requested 2, but already used 2 of 3 cores"},
		{"ram", func(q *compute.Quota) { q.RAM = 3000 }, map[string]any{"name": "one", "flavorRef": "2"}, map[string]any{"name": "two", "flavorRef": "2"},
			"Quota exceeded for ram: Requested 2048, but already used 2048 of 3000 ram"},
		{"metadata items", func(q *compute.Quota) { q.MetadataItems = 2 }, nil,
			map[string]any{"metadata": map[string]string{"a": "1", "b": "2", "c": "3"}},
			"Maximum number of metadata items exceeds 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := compute.DefaultQuota()
			tc.quota(&q)
			a := newNova(t, compute.WithQuota(q))
			if tc.first != nil {
				a.create(tc.first)
			}
			a.do("POST", "/servers", novaBody(tc.second)).wantFault(t, http.StatusForbidden, "forbidden", tc.msg)
		})
	}

	// A deleted server gives its quota back once it is gone; per-project
	// overrides apply to that project only.
	q := compute.DefaultQuota()
	q.Instances = 1
	a := newNova(t, compute.WithQuota(q))
	id := a.createNamed("one")
	a.do("DELETE", "/servers/"+id, "").want(t, http.StatusNoContent)
	a.do("POST", "/servers", novaBody(nil)).want(t, http.StatusForbidden) // still deleting
	a.advance(compute.DefaultDurations().Delete)
	a.createNamed("two")
	a.srv.SetQuota("other", compute.Quota{Instances: 0, Cores: -1, RAM: -1, MetadataItems: -1})
	a.as("other").do("POST", "/servers", novaBody(nil)).want(t, http.StatusForbidden)
	a.as("third").createNamed("unaffected")
}

func TestServerBuild(t *testing.T) {
	a := newNova(t)
	id := a.createNamed("builder")
	build := compute.DefaultDurations().Build

	type phase struct {
		Status, VMState string
		TaskState       any
		Power           float64
		Progress        float64
		LaunchedAt      any
		Updated         string
	}
	read := func() phase {
		s := a.server(id)
		return phase{s["status"].(string), s["OS-EXT-STS:vm_state"].(string), s["OS-EXT-STS:task_state"],
			s["OS-EXT-STS:power_state"].(float64), s["progress"].(float64), s["OS-SRV-USG:launched_at"], s["updated"].(string)}
	}
	want := phase{"BUILD", "building", "spawning", 0, 0, nil, novaTime(start)}
	if diff := cmp.Diff(want, read()); diff != "" {
		t.Errorf("just created (-want +got):\n%s", diff)
	}
	a.advance(build / 2)
	mid := read()
	if mid.Status != "BUILD" || mid.Progress <= 0 || mid.Progress > 99 {
		t.Errorf("half way: %+v, want BUILD with progress in (0, 99]", mid)
	}
	a.advance(build/2 - time.Second)
	if p := read(); p.Status != "BUILD" || p.Progress > 99 {
		t.Errorf("a second before: %+v", p)
	}
	a.advance(time.Second)
	done := start.Add(build)
	want = phase{"ACTIVE", "active", nil, 1, 100, done.Format("2006-01-02T15:04:05.000000"), novaTime(done)}
	if diff := cmp.Diff(want, read()); diff != "" {
		t.Errorf("after the build (-want +got):\n%s", diff)
	}
}

func TestServerGet(t *testing.T) {
	a := newNova(t)
	id := a.create(map[string]any{"name": "Web Server_1", "metadata": map[string]string{"role": "web"}})
	a.advance(compute.DefaultDurations().Build)
	stored, _ := a.srv.Server(id)
	addrs := map[string]any{}
	for name, list := range stored.Addresses {
		var out []any
		for _, ad := range list {
			out = append(out, map[string]any{"addr": ad.Addr, "version": float64(ad.Version), "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": ad.MAC})
		}
		addrs[name] = out
	}
	base := a.srv.URL()
	created, launched := novaTime(start), start.Add(30*time.Second)
	want := map[string]any{
		"id": id, "name": "Web Server_1", "status": "ACTIVE", "tenant_id": "demo", "user_id": "user-demo",
		"metadata": map[string]any{"role": "web"},
		"image": map[string]any{"id": compute.DefaultImageID, "links": []any{
			map[string]any{"rel": "bookmark", "href": base + "/demo/images/" + compute.DefaultImageID}}},
		"flavor":  map[string]any{"id": "1", "links": []any{map[string]any{"rel": "bookmark", "href": base + "/demo/flavors/1"}}},
		"created": created, "updated": novaTime(launched),
		"addresses":  addrs,
		"accessIPv4": "203.0.113.3", "accessIPv6": "2001:db8::2",
		"links": []any{
			map[string]any{"rel": "self", "href": base + "/v2.1/demo/servers/" + id},
			map[string]any{"rel": "bookmark", "href": base + "/demo/servers/" + id},
		},
		"OS-DCF:diskConfig": "MANUAL", "progress": float64(100), "OS-EXT-AZ:availability_zone": "nova",
		"config_drive": "", "key_name": nil,
		"OS-SRV-USG:launched_at": launched.Format("2006-01-02T15:04:05.000000"), "OS-SRV-USG:terminated_at": nil,
		"OS-EXT-SRV-ATTR:host": "compute-0", "OS-EXT-SRV-ATTR:instance_name": "instance-00000001",
		"OS-EXT-SRV-ATTR:hypervisor_hostname": "compute-0.mockcloud.test",
		"OS-EXT-STS:task_state":               nil, "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:power_state": float64(1),
		"os-extended-volumes:volumes_attached": []any{},
		"security_groups":                      []any{map[string]any{"name": "default"}},
	}
	got := a.server(id)
	hostID, _ := got["hostId"].(string)
	delete(got, "hostId")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET /servers/{id} at 2.1 (-want +got):\n%s", diff)
	}
	if !regexp.MustCompile(`^[0-9a-f]{56}$`).MatchString(hostID) {
		t.Errorf("hostId %q is not 56 hex digits", hostID)
	}
	// hostId is per project: another project's server on the same host
	// (hosts are dealt round-robin) shows another one; one of the same
	// project the same.
	var sameHost []string
	for len(sameHost) < 2 {
		for _, who := range []*novaAPI{a.as("other"), a} {
			sid := who.createNamed("x")
			if s, _ := a.srv.Server(sid); s.Host == stored.Host {
				sameHost = append(sameHost, who.server(sid)["hostId"].(string))
			}
		}
	}
	if sameHost[0] == hostID || sameHost[1] != hostID {
		t.Errorf("hostId on %s: demo %q, other %q, demo again %q", stored.Host, hostID, sameHost[0], sameHost[1])
	}
	if len(stored.Addresses["private"]) != 1 || len(stored.Addresses["public"]) != 2 {
		t.Errorf("addresses %+v: want one private, a public IPv4 and IPv6", stored.Addresses)
	}

	// 404 in Nova's format.
	a.get("/servers/0d5c7b3e-9a8f-4c1d-8e2f-3b4a5c6d7e8f").want(t, http.StatusNotFound)
	if diff := cmp.Diff(novaFault{"itemNotFound", 404, "Instance 0d5c7b3e-9a8f-4c1d-8e2f-3b4a5c6d7e8f could not be found."},
		a.get("/servers/0d5c7b3e-9a8f-4c1d-8e2f-3b4a5c6d7e8f").fault(t)); diff != "" {
		t.Errorf("404 body (-want +got):\n%s", diff)
	}
}

func TestServerGetMicroversions(t *testing.T) {
	a := newNova(t)
	id := a.at("2.52").create(map[string]any{"name": "v", "description": "desc", "tags": []string{"b", "a"}, "networks": "auto"})
	a.advance(compute.DefaultDurations().Build)
	a.action(id, `{"lock": null}`).want(t, http.StatusAccepted)

	tests := []struct {
		version string
		present []string
		absent  []string
	}{
		{"2.1", nil, []string{"locked", "description", "tags", "OS-EXT-SRV-ATTR:hostname", "host_status", "locked_reason", "server_groups"}},
		{"2.3", []string{"OS-EXT-SRV-ATTR:hostname", "OS-EXT-SRV-ATTR:reservation_id", "OS-EXT-SRV-ATTR:launch_index",
			"OS-EXT-SRV-ATTR:root_device_name", "OS-EXT-SRV-ATTR:user_data", "OS-EXT-SRV-ATTR:kernel_id", "OS-EXT-SRV-ATTR:ramdisk_id"}, []string{"locked"}},
		{"2.8", nil, []string{"locked"}},
		{"2.9", []string{"locked"}, []string{"description"}},
		{"2.18", nil, []string{"description"}},
		{"2.19", []string{"description"}, []string{"tags"}},
		{"2.25", nil, []string{"tags"}},
		{"2.26", []string{"tags"}, []string{"server_groups"}},
		{"2.71", []string{"server_groups"}, []string{"locked_reason"}},
		{"2.72", nil, []string{"locked_reason"}},
		{"2.73", []string{"locked_reason"}, nil},
		{"latest", []string{"locked", "description", "tags", "locked_reason"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.version, func(t *testing.T) {
			s := a.at(tc.version).server(id)
			for _, k := range tc.present {
				if _, ok := s[k]; !ok {
					t.Errorf("%s missing at %s", k, tc.version)
				}
			}
			for _, k := range tc.absent {
				if v, ok := s[k]; ok {
					t.Errorf("%s = %v present at %s", k, v, tc.version)
				}
			}
		})
	}
	latest := a.at("latest").server(id)
	if diff := cmp.Diff(map[string]any{"locked": true, "description": "desc", "tags": []any{"a", "b"}, "locked_reason": nil, "hostname": "v"},
		map[string]any{"locked": latest["locked"], "description": latest["description"], "tags": latest["tags"],
			"locked_reason": latest["locked_reason"], "hostname": latest["OS-EXT-SRV-ATTR:hostname"]}); diff != "" {
		t.Errorf("values at latest (-want +got):\n%s", diff)
	}

	// The flavor is a link before 2.47 and the flavor itself from 2.47.
	if diff := cmp.Diff(map[string]any{"id": "1", "links": []any{map[string]any{"rel": "bookmark", "href": a.srv.URL() + "/demo/flavors/1"}}},
		a.at("2.46").server(id)["flavor"]); diff != "" {
		t.Errorf("flavor at 2.46 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"original_name": "m1.tiny", "vcpus": float64(1), "ram": float64(512), "disk": float64(1),
		"ephemeral": float64(0), "swap": float64(0), "extra_specs": map[string]any{}},
		a.at("2.47").server(id)["flavor"]); diff != "" {
		t.Errorf("flavor at 2.47 (-want +got):\n%s", diff)
	}
}

func TestServerList(t *testing.T) {
	a := newNova(t)
	// Created a second apart, so newest first is the reverse of creation.
	web1 := a.create(map[string]any{"name": "web-1", "metadata": map[string]string{"tier": "web"}})
	a.advance(time.Second)
	web2 := a.create(map[string]any{"name": "web-2", "flavorRef": "2"})
	a.advance(time.Second)
	db := a.at("2.52").create(map[string]any{"name": "db", "tags": []string{"prod", "db"}, "networks": "auto", "imageRef": "c3f6e1d2-7b4a-4e5f-8a9b-0c1d2e3f4a5b", "flavorRef": "2"})
	a.advance(compute.DefaultDurations().Build)
	fresh := a.createNamed("web-3") // still BUILD
	a.action(db, `{"lock": null}`).want(t, http.StatusAccepted)
	a.as("other").createNamed("web-other")

	for _, p := range []string{"/servers", "/servers/detail"} {
		if diff := cmp.Diff([]string{fresh, db, web2, web1}, a.listIDs(p)); diff != "" {
			t.Errorf("%s order (-want +got):\n%s", p, diff)
		}
	}
	// The brief form is id, name and links only.
	var brief struct {
		Servers []struct {
			ID    string              `json:"id"`
			Name  string              `json:"name"`
			Links []map[string]string `json:"links"`
		} `json:"servers"`
	}
	a.get("/servers").want(t, 200).into(t, &brief)
	if brief.Servers[0].Name != "web-3" || len(brief.Servers[0].Links) != 2 {
		t.Errorf("brief list entry %+v", brief.Servers[0])
	}

	stored, _ := a.srv.Server(web2)
	v4 := stored.Addresses["private"][0].Addr
	var v6 string
	for _, ad := range stored.Addresses["public"] {
		if ad.Version == 6 {
			v6 = ad.Addr
		}
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"name=web", []string{fresh, web2, web1}},
		{"name=%5Eweb-%5B12%5D%24", []string{web2, web1}},
		{"name=nothing", []string{}},
		{"status=BUILD", []string{fresh}},
		{"status=active", []string{db, web2, web1}},
		{"image=c3f6e1d2-7b4a-4e5f-8a9b-0c1d2e3f4a5b", []string{db}},
		{"flavor=2", []string{db, web2}},
		{"ip=" + url.QueryEscape("^"+regexp.QuoteMeta(v4)+"$"), []string{web2}},
		{"ip6=" + url.QueryEscape("^"+regexp.QuoteMeta(v6)+"$"), []string{web2}},
		{"locked=true", []string{db}},
		{"locked=false", []string{fresh, web2, web1}},
		{"tags=prod", []string{db}},
		{"tags=prod,db", []string{db}},
		{"tags=prod,web", []string{}},
		{"tags-any=web,db", []string{db}},
		{"changes-since=" + url.QueryEscape(start.Add(time.Second).Format(time.RFC3339)), []string{fresh, db, web2, web1}},
		{"changes-since=" + url.QueryEscape(start.Add(32*time.Second).Format(time.RFC3339)), []string{fresh, db}},
		{"availability_zone=nova", []string{fresh, db, web2, web1}},
	}
	for _, tc := range tests {
		for _, p := range []string{"/servers", "/servers/detail"} {
			t.Run(p+"?"+tc.query, func(t *testing.T) {
				if diff := cmp.Diff(tc.want, a.listIDs(p+"?"+tc.query)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
	for _, bad := range []string{"name=%28", "changes-since=yesterday", "locked=maybe", "limit=a", "limit=-1", "limit=0.1"} {
		a.get("/servers/detail?"+bad).wantFault(t, http.StatusBadRequest, "badRequest", "")
	}
}

func TestServerListChangesSinceIncludesDeleted(t *testing.T) {
	a := newNova(t)
	gone := a.activeServer("gone")
	kept := a.activeServer("kept")
	a.advance(time.Minute)
	since := a.srv.Clock().Now()
	a.do("DELETE", "/servers/"+gone, "").want(t, http.StatusNoContent)
	a.advance(compute.DefaultDurations().Delete)

	if diff := cmp.Diff([]string{kept}, a.listIDs("/servers/detail")); diff != "" {
		t.Errorf("without changes-since (-want +got):\n%s", diff)
	}
	var out struct {
		Servers []map[string]any `json:"servers"`
	}
	a.get("/servers/detail?changes-since="+url.QueryEscape(since.Format(time.RFC3339))).want(t, 200).into(t, &out)
	if len(out.Servers) != 1 || out.Servers[0]["id"] != gone || out.Servers[0]["status"] != "DELETED" || out.Servers[0]["OS-SRV-USG:terminated_at"] == nil {
		t.Errorf("changes-since after a delete: %v", out.Servers)
	}
	// Metadata changes count as changes.
	a.advance(time.Minute)
	since = a.srv.Clock().Now()
	a.do("PUT", "/servers/"+kept+"/metadata/a", `{"meta":{"a":"b"}}`).want(t, http.StatusOK)
	if diff := cmp.Diff([]string{kept}, a.listIDs("/servers?changes-since="+url.QueryEscape(since.Format(time.RFC3339)))); diff != "" {
		t.Errorf("after a metadata change (-want +got):\n%s", diff)
	}
}

func TestServerListPagination(t *testing.T) {
	q := compute.DefaultQuota()
	q.Instances = -1
	q.Cores, q.RAM = -1, -1
	a := newNova(t, compute.WithQuota(q))
	var ids []string // newest first
	for i := 0; i < 5; i++ {
		ids = append([]string{a.createNamed(fmt.Sprintf("s%d", i))}, ids...)
		a.advance(time.Second)
	}
	a.as("other").createNamed("not-mine")

	type page struct {
		Servers []struct {
			ID string `json:"id"`
		} `json:"servers"`
		Links []map[string]string `json:"servers_links"`
	}
	get := func(target string) page {
		t.Helper()
		var p page
		if err := json.Unmarshal(a.raw("GET", target, "").want(t, 200).Body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pageIDs := func(p page) []string {
		out := []string{}
		for _, s := range p.Servers {
			out = append(out, s.ID)
		}
		return out
	}

	for _, root := range []*novaAPI{a, a.legacy()} {
		for _, p := range []string{"/servers", "/servers/detail"} {
			t.Run(root.root+p, func(t *testing.T) {
				// Follow the next links: 2, 2, 1 (a short page ends it).
				var seen [][]string
				target := root.path(p + "?limit=2")
				for i := 0; target != ""; i++ {
					if i > 5 {
						t.Fatal("pagination does not end")
					}
					pg := get(target)
					seen = append(seen, pageIDs(pg))
					target = ""
					if len(pg.Links) > 0 {
						if pg.Links[0]["rel"] != "next" {
							t.Errorf("link %v", pg.Links[0])
						}
						target = pg.Links[0]["href"]
						want := a.srv.URL() + root.path(p) + "?"
						if !strings.HasPrefix(target, want) {
							t.Errorf("next href %q does not start with %q", target, want)
						}
					}
				}
				if diff := cmp.Diff([][]string{ids[0:2], ids[2:4], ids[4:5]}, seen); diff != "" {
					t.Errorf("pages (-want +got):\n%s", diff)
				}

				// A full page links on, even when nothing follows (Nova and Mimic).
				pg := get(root.path(p + "?limit=5"))
				if len(pg.Servers) != 5 || len(pg.Links) != 1 {
					t.Fatalf("limit=5 of 5: %d servers, links %v", len(pg.Servers), pg.Links)
				}
				next, _ := url.Parse(pg.Links[0]["href"])
				if diff := cmp.Diff(url.Values{"limit": {"5"}, "marker": {ids[4]}}, next.Query()); diff != "" {
					t.Errorf("next query (-want +got):\n%s", diff)
				}
				if last := get(pg.Links[0]["href"]); len(last.Servers) != 0 || len(last.Links) != 0 {
					t.Errorf("page after the last: %+v", last)
				}
				// More than there are: no link. Marker alone: the rest, no link.
				if pg := get(root.path(p + "?limit=6")); len(pg.Servers) != 5 || len(pg.Links) != 0 {
					t.Errorf("limit=6: %d servers, links %v", len(pg.Servers), pg.Links)
				}
				if pg := get(root.path(p + "?marker=" + ids[1])); !cmp.Equal(ids[2:], pageIDs(pg)) || len(pg.Links) != 0 {
					t.Errorf("marker only: %v, links %v", pageIDs(pg), pg.Links)
				}
				// Other filters ride along in the next link.
				pg = get(root.path(p + "?limit=1&name=s%5B13%5D"))
				if !cmp.Equal([]string{ids[1]}, pageIDs(pg)) || len(pg.Links) != 1 {
					t.Fatalf("limit=1&name: %v, links %v", pageIDs(pg), pg.Links)
				}
				if pg := get(pg.Links[0]["href"]); !cmp.Equal([]string{ids[3]}, pageIDs(pg)) {
					t.Errorf("second page of name=s[13]: %v", pageIDs(pg))
				}
				// limit=0: nothing, and no link.
				if pg := get(root.path(p + "?limit=0")); len(pg.Servers) != 0 || len(pg.Links) != 0 {
					t.Errorf("limit=0: %+v", pg)
				}
			})
		}
	}

	for _, q := range []string{"marker=9000", "limit=1&marker=9000", "name=s&marker=9000"} {
		r := a.get("/servers?" + q)
		r.want(t, http.StatusBadRequest)
		if diff := cmp.Diff(novaFault{"badRequest", 400, "marker [9000] not found"}, r.fault(t)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", q, diff)
		}
	}
	for _, q := range []string{"limit=a", "limit=-1", "limit=0.1", "limit=%5B%5D"} {
		a.get("/servers/detail?"+q).wantFault(t, http.StatusBadRequest, "badRequest", "limit")
	}
}

func TestServerUpdate(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("before")
	a.advance(time.Minute)

	r := a.do("PUT", "/servers/"+id, `{"server":{"name":"after","accessIPv4":"198.51.100.7","accessIPv6":"2001:db8::7","OS-DCF:diskConfig":"AUTO"}}`).
		want(t, http.StatusOK)
	got := r.obj(t)["server"].(map[string]any)
	want := map[string]any{"name": "after", "accessIPv4": "198.51.100.7", "accessIPv6": "2001:db8::7", "OS-DCF:diskConfig": "AUTO",
		"updated": novaTime(a.srv.Clock().Now()), "id": id}
	pick := func(s map[string]any) map[string]any {
		out := map[string]any{}
		for k := range want {
			out[k] = s[k]
		}
		return out
	}
	if diff := cmp.Diff(want, pick(got)); diff != "" {
		t.Errorf("PUT answer (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, pick(a.server(id))); diff != "" {
		t.Errorf("GET after PUT (-want +got):\n%s", diff)
	}
	if d := a.at("2.19").do("PUT", "/servers/"+id, `{"server":{"description":"now described"}}`).want(t, 200).obj(t)["server"].(map[string]any)["description"]; d != "now described" {
		t.Errorf("description = %v", d)
	}
	if d := a.at("2.19").do("PUT", "/servers/"+id, `{"server":{"description":null}}`).want(t, 200).obj(t)["server"].(map[string]any); d["description"] != nil && d["description"] != "" {
		t.Errorf("description after null = %v", d["description"])
	}

	bad := []struct {
		name, version, body, msg string
	}{
		{"description before 2.19", "2.18", `{"server":{"description":"d"}}`, "Additional properties are not allowed ('description' was unexpected)"},
		{"empty name", "", `{"server":{"name":""}}`, "too short"},
		{"name with a trailing space", "", `{"server":{"name":"x "}}`, "Can not start or end with whitespace"},
		{"bad accessIPv4", "", `{"server":{"accessIPv4":"300.1.1.1"}}`, "is not a 'ipv4'"},
		{"bad diskConfig", "", `{"server":{"OS-DCF:diskConfig":"SOMETIMES"}}`, "is not one of"},
		{"unknown member", "", `{"server":{"flavorRef":"2"}}`, "('flavorRef' was unexpected)"},
		{"no server", "", `{"name":"x"}`, "'server' is a required property"},
		{"name not a string", "", `{"server":{"name":5}}`, "name"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			a.at(tc.version).do("PUT", "/servers/"+id, tc.body).wantFault(t, http.StatusBadRequest, "badRequest", tc.msg)
		})
	}
	if n := a.server(id)["name"]; n != "after" {
		t.Errorf("refused updates changed the name to %v", n)
	}
	a.do("PUT", "/servers/nope", `{"server":{"name":"x"}}`).wantFault(t, http.StatusNotFound, "itemNotFound", "Instance nope could not be found.")
}

func TestServerDelete(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("doomed")
	r := a.do("DELETE", "/servers/"+id, "").want(t, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with a body: %q", r.Body)
	}
	// Deleting takes the Delete duration: until then it is there, deleting.
	if st := a.states(id); st != "ACTIVE active deleting 1" {
		t.Errorf("while deleting: %s", st)
	}
	a.do("DELETE", "/servers/"+id, "").want(t, http.StatusNoContent) // again: accepted, nothing new
	a.advance(compute.DefaultDurations().Delete)
	a.get("/servers/"+id).wantFault(t, http.StatusNotFound, "itemNotFound", "could not be found")
	a.do("DELETE", "/servers/"+id, "").want(t, http.StatusNotFound)
	a.do("DELETE", "/servers/nope", "").wantFault(t, http.StatusNotFound, "itemNotFound", "could not be found")
	if len(a.listIDs("/servers")) != 0 {
		t.Error("a deleted server is listed")
	}
	s, ok := a.srv.Server(id)
	if !ok || !s.Deleted || s.Status != "DELETED" || !s.TerminatedAt.Equal(start.Add(33*time.Second)) {
		t.Errorf("Server(deleted) = %+v, %v", s, ok)
	}

	// A server deleted while it builds never becomes ACTIVE.
	b := a.createNamed("short-lived")
	a.do("DELETE", "/servers/"+b, "").want(t, http.StatusNoContent)
	a.advance(compute.DefaultDurations().Build)
	if s, _ := a.srv.Server(b); s.Status != "DELETED" || !s.LaunchedAt.IsZero() {
		t.Errorf("deleted during build: %s launched %v", s.Status, s.LaunchedAt)
	}
}

func TestServerAddresses(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("addressed")
	var ips struct {
		Addresses map[string][]struct {
			Addr    string `json:"addr"`
			Version int    `json:"version"`
		} `json:"addresses"`
	}
	a.get("/servers/"+id+"/ips").want(t, 200).into(t, &ips)
	detail := a.server(id)["addresses"].(map[string]any)
	if len(ips.Addresses) != len(detail) {
		t.Fatalf("/ips has %d networks, the server %d", len(ips.Addresses), len(detail))
	}
	for name, list := range ips.Addresses {
		dl := detail[name].([]any)
		if len(dl) != len(list) {
			t.Fatalf("network %s: %d vs %d addresses", name, len(list), len(dl))
		}
		for i, ad := range list {
			d := dl[i].(map[string]any)
			if d["addr"] != ad.Addr || d["version"] != float64(ad.Version) {
				t.Errorf("network %s address %d: /ips %+v, detail %v", name, i, ad, d)
			}
		}
	}
	var public map[string][]map[string]any
	a.get("/servers/"+id+"/ips/public").want(t, 200).into(t, &public)
	if len(public) != 1 || len(public["public"]) != 2 {
		t.Errorf("/ips/public = %v", public)
	}
	a.get("/servers/"+id+"/ips/nonet").wantFault(t, http.StatusNotFound, "itemNotFound", "Instance is not a member of specified network")
	a.get("/servers/nope/ips").want(t, http.StatusNotFound)
	a.get("/servers/nope/ips/public").want(t, http.StatusNotFound)
}

func TestServerMetadata(t *testing.T) {
	q := compute.DefaultQuota()
	q.MetadataItems = 3
	a := newNova(t, compute.WithQuota(q))
	id := a.create(map[string]any{"metadata": map[string]string{"a": "1", "b": "2"}})
	a.advance(compute.DefaultDurations().Build)
	md := "/servers/" + id + "/metadata"

	steps := []struct {
		name         string
		method, path string
		body         string
		status       int
		want         string // the exact body, or for errors the fault name and a message fragment "name: text"
		after        map[string]string
	}{
		{"list", "GET", md, "", 200, `{"metadata":{"a":"1","b":"2"}}`, map[string]string{"a": "1", "b": "2"}},
		{"get item", "GET", md + "/a", "", 200, `{"meta":{"a":"1"}}`, nil},
		{"get missing item", "GET", md + "/zz", "", 404, "itemNotFound: Metadata item was not found", nil},
		{"update merges", "POST", md, `{"metadata":{"b":"two","c":"3"}}`, 200, `{"metadata":{"a":"1","b":"two","c":"3"}}`, map[string]string{"a": "1", "b": "two", "c": "3"}},
		{"update over quota", "POST", md, `{"metadata":{"d":"4"}}`, 403, "forbidden: Maximum number of metadata items exceeds 3", map[string]string{"a": "1", "b": "two", "c": "3"}},
		{"put item replacing one at quota", "PUT", md + "/a", `{"meta":{"a":"one"}}`, 200, `{"meta":{"a":"one"}}`, map[string]string{"a": "one", "b": "two", "c": "3"}},
		{"put new item over quota", "PUT", md + "/d", `{"meta":{"d":"4"}}`, 403, "forbidden: Maximum number of metadata items exceeds 3", nil},
		{"put item URI mismatch", "PUT", md + "/a", `{"meta":{"notkey":"v"}}`, 400, "badRequest: Request body and URI mismatch", nil},
		{"put item with two keys", "PUT", md + "/a", `{"meta":{"a":"v","b":"w"}}`, 400, `badRequest: Invalid input for field/attribute meta. Value: {"a":"v","b":"w"}. {"a":"v","b":"w"} has too many properties`, nil},
		{"put item not a string", "PUT", md + "/a", `{"meta":{"a":[]}}`, 400, "badRequest: ", nil},
		{"put item without meta", "PUT", md + "/a", `{"metadata":{"a":"v"}}`, 400, "badRequest: 'meta' is a required property", nil},
		{"put item malformed", "PUT", md + "/a", `meh`, 400, "badRequest: Malformed request body", nil},
		{"delete item", "DELETE", md + "/c", "", 204, ``, map[string]string{"a": "one", "b": "two"}},
		{"delete missing item", "DELETE", md + "/c", "", 404, "itemNotFound: Metadata item was not found", nil},
		{"set replaces", "PUT", md, `{"metadata":{"x":"y"}}`, 200, `{"metadata":{"x":"y"}}`, map[string]string{"x": "y"}},
		{"set over quota", "PUT", md, `{"metadata":{"1":"1","2":"2","3":"3","4":"4"}}`, 403, "forbidden: Maximum number of metadata items exceeds 3", map[string]string{"x": "y"}},
		{"set null", "PUT", md, `{"metadata":null}`, 400, "badRequest: metadata", map[string]string{"x": "y"}},
		{"set not an object", "PUT", md, `{"metadata":"not metadata"}`, 400, "badRequest: metadata", nil},
		{"set value not a string", "PUT", md, `{"metadata":{"key":[]}}`, 400, "badRequest: Invalid input for field/attribute key. Value: []. [] is not of type 'string'", nil},
		{"set without metadata", "PUT", md, `{"meta":{"wrong":"key"}}`, 400, "badRequest: 'metadata' is a required property", nil},
		{"set key too long", "PUT", md, `{"metadata":{"` + strings.Repeat("k", 256) + `":"v"}}`, 400, "badRequest: ", nil},
		{"set empty", "PUT", md, `{"metadata":{}}`, 200, `{"metadata":{}}`, map[string]string{}},
		{"unknown server", "GET", "/servers/nope/metadata", "", 404, "itemNotFound: ", nil},
		{"unknown server, put", "PUT", "/servers/nope/metadata/k", `{"meta":{"k":"v"}}`, 404, "itemNotFound: ", nil},
	}
	for _, st := range steps {
		r := a.do(st.method, st.path, st.body)
		if r.Status != st.status {
			t.Fatalf("%s: status %d, want %d: %s", st.name, r.Status, st.status, r.Body)
		}
		if st.status < 300 {
			if string(r.Body) != st.want && !jsonEqual(r.Body, st.want) {
				t.Errorf("%s: body %s, want %s", st.name, r.Body, st.want)
			}
		} else {
			name, msg, _ := strings.Cut(st.want, ": ")
			r.wantFault(t, st.status, name, msg)
		}
		if st.after != nil {
			s, _ := a.srv.Server(id)
			if diff := cmp.Diff(st.after, s.Metadata); diff != "" {
				t.Errorf("%s: metadata after (-want +got):\n%s", st.name, diff)
			}
		}
	}

	// Nova refuses metadata changes while the server builds and while it
	// is locked.
	building := a.createNamed("building")
	a.do("POST", "/servers/"+building+"/metadata", `{"metadata":{"k":"v"}}`).
		wantFault(t, http.StatusConflict, "conflictingRequest", "Cannot 'update metadata' instance "+building+" while it is in vm_state building")
	a.action(id, `{"lock":null}`).want(t, http.StatusAccepted)
	a.do("PUT", md+"/k", `{"meta":{"k":"v"}}`).wantFault(t, http.StatusConflict, "conflictingRequest", "is locked")
	a.do("DELETE", md+"/x", "").wantFault(t, http.StatusConflict, "conflictingRequest", "is locked")
}

// jsonEqual reports whether a and b are the same JSON value.
func jsonEqual(a []byte, b string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}

func TestServerTenantIsolation(t *testing.T) {
	a := newNova(t)
	b := a.as("project-b")
	id := a.activeServer("secret")

	if ids := b.listIDs("/servers/detail"); len(ids) != 0 {
		t.Errorf("B lists %v", ids)
	}
	steps := []struct {
		method, path, body string
	}{
		{"GET", "/servers/" + id, ""},
		{"PUT", "/servers/" + id, `{"server":{"name":"mine"}}`},
		{"DELETE", "/servers/" + id, ""},
		{"GET", "/servers/" + id + "/ips", ""},
		{"GET", "/servers/" + id + "/metadata", ""},
		{"POST", "/servers/" + id + "/metadata", `{"metadata":{"k":"v"}}`},
		{"DELETE", "/servers/" + id + "/metadata/k", ""},
		{"POST", "/servers/" + id + "/action", `{"reboot":{"type":"HARD"}}`},
		{"POST", "/servers/" + id + "/action", `{"os-stop":null}`},
	}
	for _, st := range steps {
		b.do(st.method, st.path, st.body).wantFault(t, http.StatusNotFound, "itemNotFound", "Instance "+id+" could not be found.")
	}
	if st := a.states(id); st != "ACTIVE active <nil> 1" || a.server(id)["name"] != "secret" {
		t.Errorf("A's server after B's attempts: %s %v", st, a.server(id)["name"])
	}
	// A marker from another project is not found either.
	b.get("/servers?marker="+id).want(t, http.StatusBadRequest)
}

// novaAuth is a token check for a shared Env: "tok-a" is a member of
// project-a, "tok-admin" an admin of project-admin.
func novaAuth(r *http.Request) (kit.Principal, *kit.Error) {
	switch r.Header.Get("X-Auth-Token") {
	case "tok-a":
		return kit.Principal{Token: "tok-a", UserID: "alice", ProjectID: "project-a", Roles: []string{"member"}}, nil
	case "tok-admin":
		return kit.Principal{Token: "tok-admin", UserID: "root", ProjectID: "project-admin", Roles: []string{"admin"}}, nil
	}
	return kit.Principal{}, kit.Errorf(http.StatusUnauthorized, "The request you have made requires authentication.")
}

func TestServerTenantIsolationWithTokens(t *testing.T) {
	a := newNovaWithAuth(t, novaAuth).as("project-a").withToken("tok-a")
	id := a.activeServer("owned")

	r := a.as("project-b").get("/servers")
	r.want(t, http.StatusBadRequest)
	if diff := cmp.Diff(novaFault{"badRequest", 400, "Malformed request URL: URL's project_id 'project-b' doesn't match Context's project_id 'project-a'"}, r.fault(t)); diff != "" {
		t.Errorf("foreign project URL (-want +got):\n%s", diff)
	}
	a.as("project-b").action(id, `{"os-stop":null}`).want(t, http.StatusBadRequest)
	a.withToken("").get("/servers").wantFault(t, http.StatusUnauthorized, "unauthorized", "requires authentication")
	a.withToken("bogus").get("/servers").want(t, http.StatusUnauthorized)
	// Version documents need no token.
	a.withToken("").raw("GET", "/", "").want(t, http.StatusOK)

	// The server belongs to the token's user.
	if s := a.server(id); s["user_id"] != "alice" || s["tenant_id"] != "project-a" {
		t.Errorf("owner %v/%v", s["user_id"], s["tenant_id"])
	}
	// An admin may use another project's URL and sees its servers.
	admin := a.withToken("tok-admin")
	if diff := cmp.Diff([]string{id}, admin.listIDs("/servers")); diff != "" {
		t.Errorf("admin's list of project-a (-want +got):\n%s", diff)
	}
	admin.server(id)
	// Locks bind others, not an admin.
	a.action(id, `{"lock":null}`).want(t, http.StatusAccepted)
	a.action(id, `{"os-stop":null}`).wantFault(t, http.StatusConflict, "conflictingRequest", "Instance "+id+" is locked")
	admin.action(id, `{"os-stop":null}`).want(t, http.StatusAccepted)
	// resetState needs the admin role when tokens are checked.
	a.action(id, `{"os-resetState":{"state":"error"}}`).wantFault(t, http.StatusForbidden, "forbidden", "reset_state")
	admin.action(id, `{"os-resetState":{"state":"error"}}`).want(t, http.StatusAccepted)
	a.action(id, `{"unlock":null}`).want(t, http.StatusAccepted)
	a.action(id, `{"migrate":null}`).want(t, http.StatusForbidden)
	a.action(id, `{"os-migrateLive":{"host":null,"block_migration":"auto"}}`).want(t, http.StatusForbidden)
}
