package compute_test

import (
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

// groupIDs lists the IDs of the groups in a list answer.
func groupIDs(t *testing.T, body map[string]any) []string {
	t.Helper()
	ids := []string{}
	for _, g := range body["server_groups"].([]any) {
		ids = append(ids, g.(map[string]any)["id"].(string))
	}
	return ids
}

func TestServerGroupsCreateAndShow(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	runSteps(t, srv.URL(), []step{
		{name: "create at 2.1 (the API reference's sample)", method: "POST", path: "/os-server-groups", status: 200,
			body: `{"server_group":{"name":"test","policies":["anti-affinity"]}}`,
			want: `{"server_group":{"id":"<any>","name":"test","policies":["anti-affinity"],"members":[],"metadata":{}}}`},
		{name: "create at 2.13 shows the owner", method: "POST", path: "/os-server-groups", version: "2.13", status: 200,
			body: `{"server_group":{"name":"test","policies":["affinity"]}}`,
			want: `{"server_group":{"id":"<any>","name":"test","policies":["affinity"],"members":[],"metadata":{},"project_id":"p1","user_id":"user-p1"}}`},
		{name: "soft policies from 2.15", method: "POST", path: "/os-server-groups", version: "2.15", status: 200,
			body: `{"server_group":{"name":"soft","policies":["soft-anti-affinity"]}}`,
			want: `{"server_group":{"id":"<any>","name":"soft","policies":["soft-anti-affinity"],"members":[],"metadata":{},"project_id":"p1","user_id":"user-p1"}}`},
		{name: "policy and rules from 2.64 (the 2.64 sample)", method: "POST", path: "/os-server-groups", version: "2.64", status: 200,
			body: `{"server_group":{"name":"test","policy":"anti-affinity","rules":{"max_server_per_host":3}}}`,
			want: `{"server_group":{"id":"<any>","name":"test","policy":"anti-affinity","rules":{"max_server_per_host":3},"members":[],"project_id":"p1","user_id":"user-p1"}}`},
		{name: "rules as a digit string", method: "POST", path: "/os-server-groups", version: "2.64", status: 200,
			body: `{"server_group":{"name":"s","policy":"anti-affinity","rules":{"max_server_per_host":"2"}}}`,
			want: `{"server_group":{"id":"<any>","name":"s","policy":"anti-affinity","rules":{"max_server_per_host":2},"members":[],"project_id":"p1","user_id":"user-p1"}}`},
		{name: "no rules", method: "POST", path: "/os-server-groups", version: "2.64", status: 200,
			body: `{"server_group":{"name":"aff","policy":"affinity"}}`,
			want: `{"server_group":{"id":"<any>","name":"aff","policy":"affinity","rules":{},"members":[],"project_id":"p1","user_id":"user-p1"}}`},

		{name: "soft policy before 2.15", method: "POST", path: "/os-server-groups", version: "2.14", status: 400,
			body: `{"server_group":{"name":"x","policies":["soft-affinity"]}}`,
			want: novaErr(400, "Invalid input for field/attribute 0. Value: soft-affinity. 'soft-affinity' is not one of ['anti-affinity', 'affinity']")},
		{name: "unknown policy", method: "POST", path: "/os-server-groups", version: "2.64", status: 400,
			body: `{"server_group":{"name":"x","policy":"spread"}}`,
			want: novaErr(400, "Invalid input for field/attribute policy. Value: spread. 'spread' is not one of ['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity']")},
		{name: "two policies", method: "POST", path: "/os-server-groups", status: 400,
			body: `{"server_group":{"name":"x","policies":["affinity","anti-affinity"]}}`,
			want: novaErr(400, `Invalid input for field/attribute policies. Value: ["affinity","anti-affinity"]. ["affinity","anti-affinity"] is too long`)},
		{name: "no policies", method: "POST", path: "/os-server-groups", status: 400,
			body: `{"server_group":{"name":"x","policies":[]}}`,
			want: novaErr(400, "Invalid input for field/attribute policies. Value: []. [] should be non-empty")},
		{name: "policies is not a list", method: "POST", path: "/os-server-groups", status: 400,
			body: `{"server_group":{"name":"x","policies":"affinity"}}`,
			want: novaErr(400, "Invalid input for field/attribute policies. Value: affinity. 'affinity' is not of type 'array'")},
		{name: "policies from 2.64", method: "POST", path: "/os-server-groups", version: "2.64", status: 400,
			body: `{"server_group":{"name":"x","policies":["affinity"]}}`,
			want: novaErr(400, `Invalid input for field/attribute server_group. Value: {"name":"x","policies":["affinity"]}. Additional properties are not allowed ('policies' was unexpected)`)},
		{name: "missing policy", method: "POST", path: "/os-server-groups", version: "2.64", status: 400,
			body: `{"server_group":{"name":"x"}}`,
			want: novaErr(400, `Invalid input for field/attribute server_group. Value: {"name":"x"}. 'policy' is a required property`)},
		{name: "missing name", method: "POST", path: "/os-server-groups", status: 400,
			body: `{"server_group":{"policies":["affinity"]}}`,
			want: novaErr(400, `Invalid input for field/attribute server_group. Value: {"policies":["affinity"]}. 'name' is a required property`)},
		{name: "blank name", method: "POST", path: "/os-server-groups", status: 400,
			body: `{"server_group":{"name":"","policies":["affinity"]}}`,
			want: novaErr(400, "Invalid input for field/attribute name. Value: . '' is too short")},
		{name: "rules only for anti-affinity", method: "POST", path: "/os-server-groups", version: "2.64", status: 400,
			body: `{"server_group":{"name":"x","policy":"affinity","rules":{"max_server_per_host":2}}}`,
			want: novaErr(400, "Only anti-affinity policy supports rules.")},
		{name: "max_server_per_host zero", method: "POST", path: "/os-server-groups", version: "2.64", status: 400,
			body: `{"server_group":{"name":"x","policy":"anti-affinity","rules":{"max_server_per_host":0}}}`,
			want: novaErr(400, "Invalid input for field/attribute max_server_per_host. Value: 0. 0 is less than the minimum of 1")},
		{name: "unknown rule", method: "POST", path: "/os-server-groups", version: "2.64", status: 400,
			body: `{"server_group":{"name":"x","policy":"anti-affinity","rules":{"spread":1}}}`,
			want: novaErr(400, `Invalid input for field/attribute rules. Value: {"spread":1}. Additional properties are not allowed ('spread' was unexpected)`)},
		{name: "no wrapper", method: "POST", path: "/os-server-groups", status: 400, body: `{"name":"x"}`,
			want: novaErr(400, "'server_group' is a required property")},
		{name: "show unknown", method: "GET", path: "/os-server-groups/nope", status: 404, want: novaErr(404, "Instance group nope could not be found.")},
		{name: "delete unknown", method: "DELETE", path: "/os-server-groups/nope", status: 404, want: novaErr(404, "Instance group nope could not be found.")},
	})

	groups := srv.ServerGroups()
	if len(groups) != 6 {
		t.Fatalf("%d groups stored, want 6", len(groups))
	}
	id := ""
	for _, g := range groups {
		if g.Name == "test" && g.Policy == "anti-affinity" && g.Rules["max_server_per_host"] == 3 {
			id = g.ID
		}
	}
	runSteps(t, srv.URL(), []step{
		{name: "show before 2.64 has policies", method: "GET", path: "/os-server-groups/" + id, status: 200,
			want: `{"server_group":{"id":"` + id + `","name":"test","policies":["anti-affinity"],"members":[],"metadata":{}}}`},
		{name: "show from 2.64", method: "GET", path: "/os-server-groups/" + id, version: "2.64", status: 200,
			want: `{"server_group":{"id":"` + id + `","name":"test","policy":"anti-affinity","rules":{"max_server_per_host":3},"members":[],"project_id":"p1","user_id":"user-p1"}}`},
		{name: "another project is refused", method: "GET", path: "/v2.1/p2/os-server-groups/" + id, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-server-groups:show to be performed.")},
		{name: "nor may it delete", method: "DELETE", path: "/v2.1/p2/os-server-groups/" + id, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-server-groups:delete to be performed.")},
		{name: "delete", method: "DELETE", path: "/os-server-groups/" + id, status: 204, want: ""},
		{name: "gone", method: "GET", path: "/os-server-groups/" + id, status: 404, want: novaErr(404, "Instance group "+id+" could not be found.")},
	})
}

func TestServerGroupsListAndQuota(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	q := compute.DefaultQuota()
	q.ServerGroups = 3
	srv.SetQuota("p1", q)
	for i := 0; i < 3; i++ {
		getJSON(t, srv.URL(), step{method: "POST", path: "/os-server-groups", body: `{"server_group":{"name":"g","policies":["affinity"]}}`, status: 200})
	}
	getJSON(t, srv.URL(), step{method: "POST", path: "/v2.1/p2/os-server-groups", body: `{"server_group":{"name":"theirs","policies":["affinity"]}}`, status: 200})
	runSteps(t, srv.URL(), []step{
		{name: "over quota", method: "POST", path: "/os-server-groups", status: 403, body: `{"server_group":{"name":"g","policies":["affinity"]}}`,
			want: novaErr(403, "Quota exceeded, too many server groups.")},
		{name: "bad limit", method: "GET", path: "/os-server-groups?limit=x", status: 400,
			want: novaErr(400, "Invalid input for query parameters limit. Value: x. 'x' does not match '^[0-9]*$'")},
		{name: "bad offset", method: "GET", path: "/os-server-groups?offset=-1", status: 400,
			want: novaErr(400, "Invalid input for query parameters offset. Value: -1. '-1' does not match '^[0-9]*$'")},
		{name: "unknown query from 2.75", method: "GET", path: "/os-server-groups?sort=name", version: "2.75", status: 400,
			want: novaErr(400, "Additional properties are not allowed ('sort' was unexpected)")},
	})
	var mine []string
	for _, g := range srv.ServerGroups() {
		if g.ProjectID == "p1" {
			mine = append(mine, g.ID)
		}
	}
	sort.Strings(mine)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", mine},
		{"?limit=2", mine[:2]},
		{"?limit=0", mine},
		{"?offset=1", mine[1:]},
		{"?offset=1&limit=1", mine[1:2]},
		{"?offset=9", []string{}},
		{"?all_projects=True", mine}, // not an admin: own project only
	} {
		got := groupIDs(t, getJSON(t, srv.URL(), step{path: "/os-server-groups" + c.query, status: 200}))
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("list%s (-want +got):\n%s", c.query, diff)
		}
	}
	if got := groupIDs(t, getJSON(t, srv.URL(), step{path: "/v2.1/p2/os-server-groups", status: 200})); len(got) != 1 {
		t.Errorf("p2 lists %v, want its one group", got)
	}
}

func TestServerGroupsAllProjects(t *testing.T) {
	c, base := authServer(t)
	getJSON(t, base, step{method: "POST", path: "/os-server-groups", token: memberToken, body: `{"server_group":{"name":"a","policies":["affinity"]}}`, status: 200})
	getJSON(t, base, step{method: "POST", path: "/v2.1/p2/os-server-groups", token: otherToken, body: `{"server_group":{"name":"b","policies":["affinity"]}}`, status: 200})
	all := []string{}
	for _, g := range c.ServerGroups() {
		all = append(all, g.ID)
	}
	if got := groupIDs(t, getJSON(t, base, step{path: "/os-server-groups?all_projects=1", token: adminToken, status: 200})); !cmp.Equal(all, got) {
		t.Errorf("admin all_projects lists %v, want %v", got, all)
	}
	if got := groupIDs(t, getJSON(t, base, step{path: "/os-server-groups?all_projects=1", token: memberToken, status: 200})); len(got) != 1 {
		t.Errorf("member all_projects lists %v, want only p1's group", got)
	}
	var p2Group string
	for _, g := range c.ServerGroups() {
		if g.ProjectID == "p2" {
			p2Group = g.ID
		}
	}
	runSteps(t, base, []step{
		{name: "admin shows another project's group", method: "GET", path: "/os-server-groups/" + p2Group, version: "2.13", token: adminToken, status: 200,
			want: `{"server_group":{"id":"` + p2Group + `","name":"b","policies":["affinity"],"members":[],"metadata":{},"project_id":"p2","user_id":"other-user"}}`},
		{name: "member may not", method: "GET", path: "/os-server-groups/" + p2Group, token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-server-groups:show to be performed.")},
	})
}

func TestServerGroupMembers(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	g := getJSON(t, srv.URL(), step{method: "POST", path: "/os-server-groups", version: "2.64",
		body: `{"server_group":{"name":"spread","policy":"anti-affinity"}}`, status: 200})["server_group"].(map[string]any)
	gid := g["id"].(string)
	boot := `{"server":{"name":"m","imageRef":"` + compute.DefaultImageID + `","flavorRef":"1","min_count":2},"os:scheduler_hints":{"group":"` + gid + `"}}`
	getJSON(t, srv.URL(), step{method: "POST", path: "/servers", body: boot, status: 202})
	var ids []string
	hosts := map[string]bool{}
	for _, s := range srv.Servers() {
		ids = append(ids, s.ID)
		hosts[s.Host] = true
	}
	if len(ids) != 2 || len(hosts) != 2 {
		t.Fatalf("booted %v on %v, want 2 servers on 2 hosts", ids, hosts)
	}
	show := getJSON(t, srv.URL(), step{path: "/os-server-groups/" + gid, version: "2.64", status: 200})["server_group"].(map[string]any)
	var members []string
	for _, m := range show["members"].([]any) {
		members = append(members, m.(string))
	}
	sort.Strings(ids)
	sort.Strings(members)
	if diff := cmp.Diff(ids, members); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}

	// A deleted server leaves the group once its deletion completes.
	srv.Clock().Advance(time.Minute) // built
	runSteps(t, srv.URL(), []step{
		{name: "delete a member", method: "DELETE", path: "/servers/" + ids[0], status: 204, want: ""},
	})
	srv.Clock().Advance(time.Minute)
	runSteps(t, srv.URL(), []step{
		{name: "one member left", method: "GET", path: "/os-server-groups/" + gid, version: "2.64", status: 200,
			want: `{"server_group":{"id":"` + gid + `","name":"spread","policy":"anti-affinity","rules":{},"members":["` + ids[1] + `"],"project_id":"p1","user_id":"user-p1"}}`},
		{name: "listed the same", method: "GET", path: "/os-server-groups", status: 200,
			want: `{"server_groups":[{"id":"` + gid + `","name":"spread","policies":["anti-affinity"],"members":["` + ids[1] + `"],"metadata":{}}]}`},
	})
}
