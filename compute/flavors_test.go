package compute_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// Helpers for the resource tests (flavors, images, keypairs, limits,
// zones, server groups).

// step is one HTTP exchange of a table-driven resource test. Steps run in
// order against one server, so later steps see what earlier ones did.
type step struct {
	name    string
	method  string
	path    string // under /v2.1/p1 unless it starts with "/v2"
	version string // OpenStack-API-Version: compute <version>; "" sends none
	token   string // X-Auth-Token; "" sends none
	body    string
	status  int
	// want is the expected JSON body. "{base}" stands for the server URL
	// and the string "<any>" matches any value. "" expects an empty body;
	// "-" skips the check.
	want string
}

// runSteps runs steps against base (a server's root URL).
func runSteps(t *testing.T, base string, steps []step) {
	t.Helper()
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			t.Helper()
			r := doStep(t, base, s)
			if r.Status != s.status {
				t.Errorf("%s %s: status %d, want %d; body %s", s.method, s.path, r.Status, s.status, r.Body)
			}
			checkBody(t, r, base, s.want)
		})
	}
}

// doStep sends a step's request to base; its path is under /v2.1/p1
// unless it starts with "/v2".
func doStep(t *testing.T, base string, s step) *kittest.Response {
	t.Helper()
	path := s.path
	if !strings.HasPrefix(path, "/v2") {
		path = "/v2.1/p1" + path
	}
	version := ""
	if s.version != "" {
		version = "compute " + s.version
	}
	// A header pair with an empty value sends no such header.
	return kittest.New(t, base, http.DefaultClient).Do(s.method, path, s.body,
		"OpenStack-API-Version", version, "X-Auth-Token", s.token)
}

// checkBody compares the body of r with the want of a step.
func checkBody(t *testing.T, r *kittest.Response, base, want string) {
	t.Helper()
	switch want {
	case "-":
		return
	case "":
		if len(r.Body) != 0 {
			t.Errorf("body = %s, want none", r.Body)
		}
		return
	}
	r.CheckJSON(strings.ReplaceAll(want, "{base}", base))
}

// getJSON fetches path and decodes the answer.
func getJSON(t *testing.T, base string, s step) map[string]any {
	t.Helper()
	if s.method == "" {
		s.method = "GET"
	}
	r := doStep(t, base, s)
	if s.status != 0 && r.Status != s.status {
		t.Fatalf("%s %s: status %d, want %d: %s", s.method, s.path, r.Status, s.status, r.Body)
	}
	return r.Object()
}

// novaErr is Nova's error body.
func novaErr(status int, message string) string {
	names := map[int]string{400: "badRequest", 403: "forbidden", 404: "itemNotFound", 409: "conflictingRequest"}
	b, err := json.Marshal(map[string]any{names[status]: map[string]any{"code": status, "message": message}})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// linksJSON are Nova's self and bookmark links of project p1's resource.
func linksJSON(kind, id string) string {
	return fmt.Sprintf(`[{"rel":"self","href":"{base}/v2.1/p1/%s/%s"},{"rel":"bookmark","href":"{base}/p1/%s/%s"}]`, kind, id, kind, id)
}

// Tokens of authServer: an admin and a member of p1, a member of p2.
const (
	adminToken  = "tok-admin"
	memberToken = "tok-member"
	otherToken  = "tok-other"
)

// authServer serves a compute that checks tokens, for the admin-only
// paths: adminToken is an admin of p1, memberToken a member of p1,
// otherToken a member of p2.
func authServer(t *testing.T, opts ...compute.Option) (*compute.Compute, string) {
	t.Helper()
	auth := func(r *http.Request) (kit.Principal, *kit.Error) {
		switch r.Header.Get("X-Auth-Token") {
		case adminToken:
			return kit.Principal{UserID: "admin-user", ProjectID: "p1", Roles: []string{"admin", "member"}}, nil
		case memberToken:
			return kit.Principal{UserID: "member-user", ProjectID: "p1", Roles: []string{"member"}}, nil
		case otherToken:
			return kit.Principal{UserID: "other-user", ProjectID: "p2", Roles: []string{"member"}}, nil
		}
		return kit.Principal{}, kit.Errorf(http.StatusUnauthorized, "The request you have made requires authentication.")
	}
	c := newInEnv(t, kit.Env{Auth: auth}, opts...)
	return c, c.URL()
}

// Flavors.

func flavorDetailJSON(id, name string, ram, disk, vcpus int, extra string) string {
	return fmt.Sprintf(`{"id":%q,"name":%q,"ram":%d,"disk":%d,"vcpus":%d,"OS-FLV-EXT-DATA:ephemeral":0,
		"OS-FLV-DISABLED:disabled":false,"os-flavor-access:is_public":true,"rxtx_factor":1,"links":%s%s}`,
		id, name, ram, disk, vcpus, linksJSON("flavors", id), extra)
}

func flavorBriefJSON(id, name string) string {
	return fmt.Sprintf(`{"id":%q,"name":%q,"links":%s}`, id, name, linksJSON("flavors", id))
}

func TestFlavorsReadAndPaginate(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	runSteps(t, srv.URL(), []step{
		{name: "list all, sorted by flavorid", method: "GET", path: "/flavors", status: 200,
			want: `{"flavors":[` + strings.Join([]string{
				flavorBriefJSON("1", "m1.tiny"), flavorBriefJSON("2", "m1.small"), flavorBriefJSON("3", "m1.medium"),
				flavorBriefJSON("4", "m1.large"), flavorBriefJSON("5", "m1.xlarge"),
				flavorBriefJSON("general1-1", "1 GB General Purpose v1"), flavorBriefJSON("general1-2", "2 GB General Purpose v1"),
				flavorBriefJSON("general1-4", "4 GB General Purpose v1"), flavorBriefJSON("general1-8", "8 GB General Purpose v1"),
			}, ",") + `]}`},
		{name: "limit gives a next link", method: "GET", path: "/flavors?limit=2", status: 200,
			want: `{"flavors":[` + flavorBriefJSON("1", "m1.tiny") + `,` + flavorBriefJSON("2", "m1.small") + `],
				"flavors_links":[{"rel":"next","href":"{base}/v2.1/p1/flavors?limit=2&marker=2"}]}`},
		{name: "marker continues", method: "GET", path: "/flavors?limit=2&marker=2", status: 200,
			want: `{"flavors":[` + flavorBriefJSON("3", "m1.medium") + `,` + flavorBriefJSON("4", "m1.large") + `],
				"flavors_links":[{"rel":"next","href":"{base}/v2.1/p1/flavors?limit=2&marker=4"}]}`},
		{name: "last short page has no link", method: "GET", path: "/flavors?limit=5&marker=general1-2", status: 200,
			want: `{"flavors":[` + flavorBriefJSON("general1-4", "4 GB General Purpose v1") + `,` + flavorBriefJSON("general1-8", "8 GB General Purpose v1") + `]}`},
		{name: "detail with minRam", method: "GET", path: "/flavors/detail?minRam=16384", status: 200,
			want: `{"flavors":[` + flavorDetailJSON("5", "m1.xlarge", 16384, 160, 8, `,"swap":""`) + `]}`},
		{name: "detail link names the detail collection", method: "GET", path: "/flavors/detail?minDisk=160&limit=1", status: 200,
			want: `{"flavors":[` + flavorDetailJSON("5", "m1.xlarge", 16384, 160, 8, `,"swap":""`) + `],
				"flavors_links":[{"rel":"next","href":"{base}/v2.1/p1/flavors/detail?limit=1&marker=5&minDisk=160"}]}`},
		{name: "sort by memory descending", method: "GET", path: "/flavors?sort_key=memory_mb&sort_dir=desc&limit=3", status: 200,
			want: `{"flavors":[` + flavorBriefJSON("5", "m1.xlarge") + `,` + flavorBriefJSON("general1-8", "8 GB General Purpose v1") + `,` +
				flavorBriefJSON("4", "m1.large") + `],"flavors_links":"<any>"}`},
		{name: "show at 2.1", method: "GET", path: "/flavors/1", status: 200,
			want: `{"flavor":` + flavorDetailJSON("1", "m1.tiny", 512, 1, 1, `,"swap":""`) + `}`},
		{name: "show at 2.55 has a description", method: "GET", path: "/flavors/1", version: "2.55", status: 200,
			want: `{"flavor":` + flavorDetailJSON("1", "m1.tiny", 512, 1, 1, `,"swap":"","description":null`) + `}`},
		{name: "show at 2.75 has extra_specs and a numeric swap", method: "GET", path: "/flavors/1", version: "2.75", status: 200,
			want: `{"flavor":` + flavorDetailJSON("1", "m1.tiny", 512, 1, 1, `,"swap":0,"description":null,"extra_specs":{}`) + `}`},
		{name: "list at 2.55 has descriptions", method: "GET", path: "/flavors?limit=1", version: "2.55", status: 200,
			want: `{"flavors":[{"id":"1","name":"m1.tiny","description":null,"links":` + linksJSON("flavors", "1") + `}],"flavors_links":"<any>"}`},
		{name: "unknown query ignored before 2.75", method: "GET", path: "/flavors?limit=1&foo=bar", version: "2.74", status: 200, want: "-"},

		{name: "show unknown", method: "GET", path: "/flavors/nope", status: 404, want: novaErr(404, "Flavor nope could not be found.")},
		{name: "bad minRam", method: "GET", path: "/flavors?minRam=big", status: 400, want: novaErr(400, "Invalid minRam filter [big]")},
		{name: "bad minDisk", method: "GET", path: "/flavors/detail?minDisk=1.5", status: 400, want: novaErr(400, "Invalid minDisk filter [1.5]")},
		{name: "bad sort_key", method: "GET", path: "/flavors?sort_key=color", status: 400,
			want: novaErr(400, "Invalid input for query parameters sort_key. Value: color. 'color' is not one of ['created_at', 'description', 'disabled', 'ephemeral_gb', 'flavorid', 'id', 'is_public', 'memory_mb', 'name', 'root_gb', 'rxtx_factor', 'swap', 'updated_at', 'vcpu_weight', 'vcpus']")},
		{name: "bad sort_dir", method: "GET", path: "/flavors?sort_dir=up", status: 400,
			want: novaErr(400, "Invalid input for query parameters sort_dir. Value: up. 'up' is not one of ['asc', 'desc']")},
		{name: "unknown marker", method: "GET", path: "/flavors?marker=nope", status: 400, want: novaErr(400, "marker [nope] not found")},
		{name: "bad limit", method: "GET", path: "/flavors?limit=-1", status: 400,
			want: novaErr(400, "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'")},
		{name: "bad is_public", method: "GET", path: "/flavors?is_public=maybe", status: 400, want: novaErr(400, "Invalid is_public filter [maybe]")},
		{name: "unknown query from 2.75", method: "GET", path: "/flavors?foo=bar", version: "2.75", status: 400,
			want: novaErr(400, "Additional properties are not allowed ('foo' was unexpected)")},
	})
}

func TestFlavorManage(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	created := `{"flavor":{"OS-FLV-DISABLED:disabled":false,"disk":10,"OS-FLV-EXT-DATA:ephemeral":0,
		"os-flavor-access:is_public":true,"id":"10","links":` + linksJSON("flavors", "10") + `,
		"name":"test_flavor","ram":1024,"swap":"","rxtx_factor":2,"vcpus":2}}`
	runSteps(t, srv.URL(), []step{
		{name: "create (the API reference's sample)", method: "POST", path: "/flavors", status: 200,
			body: `{"flavor":{"name":"test_flavor","ram":1024,"vcpus":2,"disk":10,"id":"10","rxtx_factor":2.0}}`, want: created},
		{name: "show it", method: "GET", path: "/flavors/10", status: 200, want: created},
		{name: "duplicate id", method: "POST", path: "/flavors", status: 409,
			body: `{"flavor":{"name":"other","ram":1024,"vcpus":2,"disk":10,"id":"10"}}`, want: novaErr(409, "Flavor with ID 10 already exists.")},
		{name: "duplicate name", method: "POST", path: "/flavors", status: 409,
			body: `{"flavor":{"name":"test_flavor","ram":1024,"vcpus":2,"disk":10,"id":"11"}}`, want: novaErr(409, "Flavor with name test_flavor already exists.")},
		{name: "generated id, numeric strings, private, at 2.55 with a description", method: "POST", path: "/flavors", version: "2.55", status: 200,
			body: `{"flavor":{"name":"gen","ram":"256","vcpus":"1","disk":0,"swap":512,"OS-FLV-EXT-DATA:ephemeral":5,"os-flavor-access:is_public":"false","description":"tiny"}}`,
			want: `{"flavor":{"OS-FLV-DISABLED:disabled":false,"disk":0,"OS-FLV-EXT-DATA:ephemeral":5,"os-flavor-access:is_public":false,
				"id":"<any>","links":"<any>","name":"gen","ram":256,"swap":512,"rxtx_factor":1,"vcpus":1,"description":"tiny"}}`},
		{name: "private flavors are listed with is_public=false", method: "GET", path: "/flavors?is_public=false", status: 200,
			want: `{"flavors":[{"id":"<any>","name":"gen","links":"<any>"}]}`},
		{name: "numeric id at 2.61 shows empty extra_specs", method: "POST", path: "/flavors", version: "2.61", status: 200,
			body: `{"flavor":{"name":"num","ram":64,"vcpus":1,"disk":1,"id":42}}`,
			want: `{"flavor":{"OS-FLV-DISABLED:disabled":false,"disk":1,"OS-FLV-EXT-DATA:ephemeral":0,"os-flavor-access:is_public":true,
				"id":"42","links":` + linksJSON("flavors", "42") + `,"name":"num","ram":64,"swap":"","rxtx_factor":1,"vcpus":1,"description":null,"extra_specs":{}}}`},

		{name: "missing ram", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":"x","vcpus":1,"disk":1}}`,
			want: novaErr(400, `Invalid input for field/attribute flavor. Value: {"disk":1,"name":"x","vcpus":1}. 'ram' is a required property`)},
		{name: "no wrapper", method: "POST", path: "/flavors", status: 400, body: `{"name":"x"}`,
			want: novaErr(400, "'flavor' is a required property")},
		{name: "ram zero", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":"x","ram":0,"vcpus":1,"disk":1}}`,
			want: novaErr(400, "Invalid input for field/attribute ram. Value: 0. 0 is less than the minimum of 1")},
		{name: "ram not a number", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":"x","ram":"lots","vcpus":1,"disk":1}}`,
			want: novaErr(400, "Invalid input for field/attribute ram. Value: lots. 'lots' does not match '^[0-9]+$'")},
		{name: "vcpus fractional", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":"x","ram":1,"vcpus":1.5,"disk":1}}`,
			want: novaErr(400, "Invalid input for field/attribute vcpus. Value: 1.5. 1.5 is not of type 'integer', 'string'")},
		{name: "disk too big", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":"x","ram":1,"vcpus":1,"disk":2147483648}}`,
			want: novaErr(400, "Invalid input for field/attribute disk. Value: 2147483648. 2147483648 is greater than the maximum of 2147483647")},
		{name: "rxtx zero", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":"x","ram":1,"vcpus":1,"disk":1,"rxtx_factor":0}}`,
			want: novaErr(400, "Invalid input for field/attribute rxtx_factor. Value: 0. 0 is less than or equal to the minimum of 0")},
		{name: "is_public not boolean", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":"x","ram":1,"vcpus":1,"disk":1,"os-flavor-access:is_public":"maybe"}}`,
			want: novaErr(400, "Invalid input for field/attribute os-flavor-access:is_public. Value: maybe. 'maybe' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']")},
		{name: "bad id", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":"x","ram":1,"vcpus":1,"disk":1,"id":"a/b"}}`,
			want: novaErr(400, "Invalid input for field/attribute id. Value: a/b. 'a/b' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'")},
		{name: "name with leading space", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":" x","ram":1,"vcpus":1,"disk":1}}`,
			want: novaErr(400, "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.")},
		{name: "description before 2.55", method: "POST", path: "/flavors", status: 400, body: `{"flavor":{"name":"x","ram":1,"vcpus":1,"disk":1,"description":"d"}}`,
			want: novaErr(400, `Invalid input for field/attribute flavor. Value: {"name":"x","ram":1,"vcpus":1,"disk":1,"description":"d"}. Additional properties are not allowed ('description' was unexpected)`)},
		{name: "malformed JSON", method: "POST", path: "/flavors", status: 400, body: `{"flavor":`, want: "-"},

		{name: "update description at 2.55", method: "PUT", path: "/flavors/10", version: "2.55", status: 200, body: `{"flavor":{"description":"updated"}}`,
			want: `{"flavor":{"OS-FLV-DISABLED:disabled":false,"disk":10,"OS-FLV-EXT-DATA:ephemeral":0,"os-flavor-access:is_public":true,
				"id":"10","links":` + linksJSON("flavors", "10") + `,"name":"test_flavor","ram":1024,"swap":"","rxtx_factor":2,"vcpus":2,"description":"updated"}}`},
		{name: "update before 2.55", method: "PUT", path: "/flavors/10", status: 404, body: `{"flavor":{"description":"x"}}`,
			want: novaErr(404, "The resource could not be found.")},
		{name: "update without description", method: "PUT", path: "/flavors/10", version: "2.55", status: 400, body: `{"flavor":{}}`,
			want: novaErr(400, "Invalid input for field/attribute flavor. Value: {}. 'description' is a required property")},
		{name: "update unknown", method: "PUT", path: "/flavors/nope", version: "2.55", status: 404, body: `{"flavor":{"description":"x"}}`,
			want: novaErr(404, "Flavor nope could not be found.")},

		{name: "delete", method: "DELETE", path: "/flavors/10", status: 202, want: ""},
		{name: "deleted is gone", method: "GET", path: "/flavors/10", status: 404, want: novaErr(404, "Flavor 10 could not be found.")},
		{name: "delete again", method: "DELETE", path: "/flavors/10", status: 404, want: novaErr(404, "Flavor 10 could not be found.")},
	})
}

func TestFlavorExtraSpecs(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	runSteps(t, srv.URL(), []step{
		{name: "empty at first", method: "GET", path: "/flavors/1/os-extra_specs", status: 200, want: `{"extra_specs":{}}`},
		{name: "create echoes the body", method: "POST", path: "/flavors/1/os-extra_specs", status: 200,
			body: `{"extra_specs":{"hw:cpu_policy":"CPU-POLICY","hw:numa_nodes":1}}`,
			want: `{"extra_specs":{"hw:cpu_policy":"CPU-POLICY","hw:numa_nodes":1}}`},
		{name: "list returns strings", method: "GET", path: "/flavors/1/os-extra_specs", status: 200,
			want: `{"extra_specs":{"hw:cpu_policy":"CPU-POLICY","hw:numa_nodes":"1"}}`},
		{name: "get one", method: "GET", path: "/flavors/1/os-extra_specs/hw:cpu_policy", status: 200, want: `{"hw:cpu_policy":"CPU-POLICY"}`},
		{name: "update one", method: "PUT", path: "/flavors/1/os-extra_specs/hw:cpu_policy", status: 200,
			body: `{"hw:cpu_policy":"CPU-POLICY-2"}`, want: `{"hw:cpu_policy":"CPU-POLICY-2"}`},
		{name: "flavor shows them from 2.61", method: "GET", path: "/flavors/1", version: "2.61", status: 200,
			want: `{"flavor":` + flavorDetailJSON("1", "m1.tiny", 512, 1, 1, `,"swap":"","description":null,"extra_specs":{"hw:cpu_policy":"CPU-POLICY-2","hw:numa_nodes":"1"}`) + `}`},
		{name: "detail shows them from 2.61", method: "GET", path: "/flavors/detail?limit=1", version: "2.61", status: 200,
			want: `{"flavors":[` + flavorDetailJSON("1", "m1.tiny", 512, 1, 1, `,"swap":"","description":null,"extra_specs":{"hw:cpu_policy":"CPU-POLICY-2","hw:numa_nodes":"1"}`) + `],"flavors_links":"<any>"}`},
		{name: "delete one answers 200", method: "DELETE", path: "/flavors/1/os-extra_specs/hw:numa_nodes", status: 200, want: ""},
		{name: "after delete", method: "GET", path: "/flavors/1/os-extra_specs", status: 200, want: `{"extra_specs":{"hw:cpu_policy":"CPU-POLICY-2"}}`},

		{name: "get missing key", method: "GET", path: "/flavors/1/os-extra_specs/hw:numa_nodes", status: 404,
			want: novaErr(404, "Flavor 1 has no extra specs with key hw:numa_nodes.")},
		{name: "delete missing key", method: "DELETE", path: "/flavors/1/os-extra_specs/hw:numa_nodes", status: 404,
			want: novaErr(404, "Flavor 1 has no extra specs with key hw:numa_nodes.")},
		{name: "list of unknown flavor", method: "GET", path: "/flavors/nope/os-extra_specs", status: 404, want: novaErr(404, "Flavor nope could not be found.")},
		{name: "create on unknown flavor", method: "POST", path: "/flavors/nope/os-extra_specs", status: 404,
			body: `{"extra_specs":{"a":"b"}}`, want: novaErr(404, "Flavor nope could not be found.")},
		{name: "create without extra_specs", method: "POST", path: "/flavors/1/os-extra_specs", status: 400, body: `{"specs":{}}`,
			want: novaErr(400, "'extra_specs' is a required property")},
		{name: "create with a bad key", method: "POST", path: "/flavors/1/os-extra_specs", status: 400, body: `{"extra_specs":{"bad!":"x"}}`,
			want: novaErr(400, `Invalid input for field/attribute extra_specs. Value: {"bad!":"x"}. Additional properties are not allowed ('bad!' was unexpected)`)},
		{name: "create with an object value", method: "POST", path: "/flavors/1/os-extra_specs", status: 400, body: `{"extra_specs":{"k":{}}}`,
			want: novaErr(400, `Invalid input for field/attribute k. Value: {}. {} is not of type 'string', 'number'`)},
		{name: "update URI mismatch", method: "PUT", path: "/flavors/1/os-extra_specs/hw:cpu_policy", status: 400, body: `{"other":"x"}`,
			want: novaErr(400, "Request body and URI mismatch")},
		{name: "update two keys", method: "PUT", path: "/flavors/1/os-extra_specs/a", status: 400, body: `{"a":"1","b":"2"}`,
			want: novaErr(400, `{"a":"1","b":"2"} has too many properties`)},
		{name: "update unknown flavor", method: "PUT", path: "/flavors/nope/os-extra_specs/a", status: 404, body: `{"a":"1"}`,
			want: novaErr(404, "Flavor nope could not be found.")},
	})
}

func TestFlavorPolicies(t *testing.T) {
	_, base := authServer(t)
	body := `{"flavor":{"name":"secret","ram":64,"vcpus":1,"disk":1,"id":"s1","os-flavor-access:is_public":false}}`
	runSteps(t, base, []step{
		{name: "member cannot create", method: "POST", path: "/flavors", token: memberToken, body: body, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.")},
		{name: "admin creates a private flavor", method: "POST", path: "/flavors", token: adminToken, body: body, status: 200, want: "-"},
		{name: "member does not see it", method: "GET", path: "/flavors/s1", token: memberToken, status: 404,
			want: novaErr(404, "Flavor s1 could not be found.")},
		{name: "member's is_public is ignored", method: "GET", path: "/flavors?is_public=false", token: memberToken, status: 200,
			want: `{"flavors":"<any>"}`},
		{name: "admin sees it", method: "GET", path: "/flavors?is_public=false", token: adminToken, status: 200,
			want: `{"flavors":[` + flavorBriefJSON("s1", "secret") + `]}`},
		{name: "admin lists both with None", method: "GET", path: "/flavors?is_public=None&minRam=64&sort_key=memory_mb&limit=2", token: adminToken, status: 200,
			want: `{"flavors":[` + flavorBriefJSON("s1", "secret") + `,` + flavorBriefJSON("1", "m1.tiny") + `],"flavors_links":"<any>"}`},
		{name: "member cannot update", method: "PUT", path: "/flavors/1", version: "2.55", token: memberToken, body: `{"flavor":{"description":"x"}}`, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-flavor-manage:update to be performed.")},
		{name: "member cannot delete", method: "DELETE", path: "/flavors/1", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-flavor-manage:delete to be performed.")},
		{name: "member cannot set extra specs", method: "POST", path: "/flavors/1/os-extra_specs", token: memberToken, body: `{"extra_specs":{"a":"b"}}`, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-flavor-extra-specs:create to be performed.")},
		{name: "member cannot update an extra spec", method: "PUT", path: "/flavors/1/os-extra_specs/a", token: memberToken, body: `{"a":"b"}`, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-flavor-extra-specs:update to be performed.")},
		{name: "member cannot delete an extra spec", method: "DELETE", path: "/flavors/1/os-extra_specs/a", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-flavor-extra-specs:delete to be performed.")},
		{name: "member reads extra specs", method: "GET", path: "/flavors/1/os-extra_specs", token: memberToken, status: 200, want: `{"extra_specs":{}}`},
		{name: "admin deletes", method: "DELETE", path: "/flavors/s1", token: adminToken, status: 202, want: ""},
	})
	// The member's public list is every default flavor (and not s1).
	got := getJSON(t, base, step{path: "/flavors?is_public=false", token: memberToken, status: 200})
	if n := len(got["flavors"].([]any)); n != 9 {
		t.Errorf("member sees %d flavors, want the 9 public ones", n)
	}
}

// FuzzResourceBodies sends arbitrary bodies to every write route of the
// flavor, image, keypair, quota, server group, security group, flavor
// access, aggregate, service, quota class and external event APIs at a few
// microversions: each must answer a Nova error or success, never a 5xx or
// a panic.
func FuzzResourceBodies(f *testing.F) {
	routes := []struct{ method, path string }{
		{"POST", "/flavors"},
		{"PUT", "/flavors/1"},
		{"POST", "/flavors/1/os-extra_specs"},
		{"PUT", "/flavors/1/os-extra_specs/k"},
		{"POST", "/images/" + compute.DefaultImageID + "/metadata"},
		{"PUT", "/images/" + compute.DefaultImageID + "/metadata"},
		{"PUT", "/images/" + compute.DefaultImageID + "/metadata/k"},
		{"POST", "/os-keypairs"},
		{"PUT", "/os-quota-sets/p1"},
		{"POST", "/os-server-groups"},
		// The operator and proxy APIs of issue 11.
		{"POST", "/os-security-groups"},
		{"POST", "/os-security-group-rules"},
		{"POST", "/flavors/1/action"},
		{"POST", "/os-aggregates"},
		{"POST", "/os-aggregates/1/action"},
		{"PUT", "/os-services/disable"},
		{"PUT", "/os-quota-class-sets/default"},
		{"POST", "/os-server-external-events"},
	}
	versions := []string{"2.1", "2.2", "2.55", "2.64", "2.92"}
	for i := range routes {
		f.Add(uint8(i), uint8(i), `{}`)
	}
	f.Add(uint8(0), uint8(2), `{"flavor":{"name":"x","ram":"1","vcpus":1,"disk":0,"id":7,"rxtx_factor":"1.5","description":null}}`)
	f.Add(uint8(7), uint8(1), `{"keypair":{"name":"k","type":"x509","public_key":"-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"}}`)
	f.Add(uint8(8), uint8(0), `{"quota_set":{"cores":"-1","force":"True","instances":null}}`)
	f.Add(uint8(9), uint8(3), `{"server_group":{"name":"g","policy":"anti-affinity","rules":{"max_server_per_host":"99999999999999999999"}}}`)
	f.Add(uint8(3), uint8(0), `{"k":1e400}`)
	f.Add(uint8(11), uint8(0), `{"security_group_rule":{"parent_group_id":"0d2f6ab5-62c1-4b0e-a2a3-0e6a3b4e0e0e","ip_protocol":"tcp","from_port":"1e9","to_port":[],"cidr":7}}`)
	f.Add(uint8(12), uint8(0), `{"addTenantAccess":{"tenant":null}}`)
	f.Add(uint8(14), uint8(0), `{"add_host":{"host":7},"set_metadata":{"metadata":{"k":null}}}`)
	f.Add(uint8(17), uint8(4), `{"events":[{"name":"network-changed","server_uuid":"x","tag":1}]}`)
	// A bounded journal: the fuzzer sends millions of requests.
	c := newInEnv(f, kit.Env{Journal: fake.NewJournal(1000)})
	f.Fuzz(func(t *testing.T, route, version uint8, body string) {
		rt := routes[int(route)%len(routes)]
		req := httptest.NewRequest(rt.method, "/v2.1/p1"+rt.path, strings.NewReader(body))
		req.Header.Set("OpenStack-API-Version", "compute "+versions[int(version)%len(versions)])
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", rt.method, rt.path, body, rec.Code, rec.Body)
		}
		if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s %q: body is not JSON: %s", rt.method, rt.path, body, rec.Body)
		}
	})
}
