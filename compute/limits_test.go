package compute_test

import (
	"testing"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

// seedUsage gives project p1 two m1.small servers (1 vCPU, 2048 MiB each)
// and one server group.
func seedUsage(t *testing.T, srv *compute.Compute) {
	t.Helper()
	for i := 0; i < 2; i++ {
		if _, err := srv.AddServer(compute.Server{ProjectID: "p1", FlavorID: "2", ImageID: compute.DefaultImageID}); err != nil {
			t.Fatal(err)
		}
	}
	getJSON(t, srv.URL(), step{method: "POST", path: "/os-server-groups", body: `{"server_group":{"name":"g","policies":["affinity"]}}`, status: 200})
}

func TestLimits(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	seedUsage(t, srv)
	q := compute.DefaultQuota()
	q.Instances, q.MetadataItems = 5, 64
	srv.SetQuota("p2", q)
	runSteps(t, srv.URL(), []step{
		{name: "2.1 (the API reference's sample, with usage)", method: "GET", path: "/limits", status: 200,
			want: `{"limits":{"rate":[],"absolute":{"maxImageMeta":128,"maxPersonality":5,"maxPersonalitySize":10240,
				"maxSecurityGroupRules":-1,"maxSecurityGroups":-1,"maxServerMeta":128,"maxTotalCores":20,"maxTotalFloatingIps":-1,
				"maxTotalInstances":10,"maxTotalKeypairs":100,"maxTotalRAMSize":51200,"maxServerGroups":10,"maxServerGroupMembers":10,
				"totalCoresUsed":2,"totalInstancesUsed":2,"totalRAMUsed":4096,"totalSecurityGroupsUsed":0,"totalFloatingIpsUsed":0,
				"totalServerGroupsUsed":1}}}`},
		{name: "2.36 drops the network limits", method: "GET", path: "/limits", version: "2.36", status: 200,
			want: `{"limits":{"rate":[],"absolute":{"maxImageMeta":128,"maxPersonality":5,"maxPersonalitySize":10240,"maxServerMeta":128,
				"maxTotalCores":20,"maxTotalInstances":10,"maxTotalKeypairs":100,"maxTotalRAMSize":51200,"maxServerGroups":10,
				"maxServerGroupMembers":10,"totalCoresUsed":2,"totalInstancesUsed":2,"totalRAMUsed":4096,"totalServerGroupsUsed":1}}}`},
		{name: "2.39 drops maxImageMeta", method: "GET", path: "/limits", version: "2.39", status: 200,
			want: `{"limits":{"rate":[],"absolute":{"maxPersonality":5,"maxPersonalitySize":10240,"maxServerMeta":128,
				"maxTotalCores":20,"maxTotalInstances":10,"maxTotalKeypairs":100,"maxTotalRAMSize":51200,"maxServerGroups":10,
				"maxServerGroupMembers":10,"totalCoresUsed":2,"totalInstancesUsed":2,"totalRAMUsed":4096,"totalServerGroupsUsed":1}}}`},
		{name: "2.57 drops personality (the 2.57 sample)", method: "GET", path: "/v2.1/p3/limits", version: "2.57", status: 200,
			want: `{"limits":{"rate":[],"absolute":{"maxServerMeta":128,"maxTotalCores":20,"maxTotalInstances":10,"maxTotalKeypairs":100,
				"maxTotalRAMSize":51200,"maxServerGroups":10,"maxServerGroupMembers":10,"totalCoresUsed":0,"totalInstancesUsed":0,
				"totalRAMUsed":0,"totalServerGroupsUsed":0}}}`},
		{name: "another project's quota via tenant_id", method: "GET", path: "/limits?tenant_id=p2", version: "2.57", status: 200,
			want: `{"limits":{"rate":[],"absolute":{"maxServerMeta":64,"maxTotalCores":20,"maxTotalInstances":5,"maxTotalKeypairs":100,
				"maxTotalRAMSize":51200,"maxServerGroups":10,"maxServerGroupMembers":10,"totalCoresUsed":0,"totalInstancesUsed":0,
				"totalRAMUsed":0,"totalServerGroupsUsed":0}}}`},
		{name: "unknown query from 2.75", method: "GET", path: "/limits?reserved=1", version: "2.75", status: 400,
			want: novaErr(400, "Additional properties are not allowed ('reserved' was unexpected)")},
		{name: "unknown query ignored before", method: "GET", path: "/limits?reserved=1", version: "2.74", status: 200, want: "-"},
	})
}

func TestLimitsPolicy(t *testing.T) {
	_, base := authServer(t)
	runSteps(t, base, []step{
		{name: "member cannot read another project's", method: "GET", path: "/limits?tenant_id=p2", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:limits:other_project to be performed.")},
		{name: "admin can", method: "GET", path: "/limits?tenant_id=p2", token: adminToken, status: 200, want: "-"},
		{name: "member reads their own", method: "GET", path: "/limits", token: memberToken, status: 200, want: "-"},
	})
}

const quotaSet21 = `"cores":20,"fixed_ips":-1,"floating_ips":-1,"injected_file_content_bytes":10240,"injected_file_path_bytes":255,
	"injected_files":5,"instances":10,"key_pairs":100,"metadata_items":128,"ram":51200,"security_group_rules":-1,
	"security_groups":-1,"server_groups":10,"server_group_members":10`

func TestQuotaSets(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	seedUsage(t, srv)
	runSteps(t, srv.URL(), []step{
		{name: "show at 2.1 (the API reference's sample)", method: "GET", path: "/os-quota-sets/p1", status: 200,
			want: `{"quota_set":{"id":"p1",` + quotaSet21 + `}}`},
		{name: "show at 2.36", method: "GET", path: "/os-quota-sets/p1", version: "2.36", status: 200,
			want: `{"quota_set":{"id":"p1","cores":20,"injected_file_content_bytes":10240,"injected_file_path_bytes":255,
				"injected_files":5,"instances":10,"key_pairs":100,"metadata_items":128,"ram":51200,"server_groups":10,"server_group_members":10}}`},
		{name: "show at 2.57 (the 2.57 sample)", method: "GET", path: "/os-quota-sets/p1", version: "2.57", status: 200,
			want: `{"quota_set":{"id":"p1","cores":20,"instances":10,"key_pairs":100,"metadata_items":128,"ram":51200,"server_groups":10,"server_group_members":10}}`},
		{name: "defaults", method: "GET", path: "/os-quota-sets/p1/defaults", version: "2.57", status: 200,
			want: `{"quota_set":{"id":"p1","cores":20,"instances":10,"key_pairs":100,"metadata_items":128,"ram":51200,"server_groups":10,"server_group_members":10}}`},
		{name: "detail with usage", method: "GET", path: "/os-quota-sets/p1/detail", version: "2.57", status: 200,
			want: `{"quota_set":{"id":"p1","cores":{"in_use":2,"limit":20,"reserved":0},"instances":{"in_use":2,"limit":10,"reserved":0},
				"key_pairs":{"in_use":0,"limit":100,"reserved":0},"metadata_items":{"in_use":0,"limit":128,"reserved":0},
				"ram":{"in_use":4096,"limit":51200,"reserved":0},"server_groups":{"in_use":1,"limit":10,"reserved":0},
				"server_group_members":{"in_use":0,"limit":10,"reserved":0}}}`},
		{name: "update (no id in the answer)", method: "PUT", path: "/os-quota-sets/p1", version: "2.57", status: 200,
			body: `{"quota_set":{"instances":50,"cores":"30","ram":-1,"key_pairs":null}}`,
			want: `{"quota_set":{"cores":30,"instances":50,"key_pairs":100,"metadata_items":128,"ram":-1,"server_groups":10,"server_group_members":10}}`},
		{name: "shown after update", method: "GET", path: "/os-quota-sets/p1", version: "2.57", status: 200,
			want: `{"quota_set":{"id":"p1","cores":30,"instances":50,"key_pairs":100,"metadata_items":128,"ram":-1,"server_groups":10,"server_group_members":10}}`},
		{name: "defaults unchanged", method: "GET", path: "/os-quota-sets/p1/defaults", version: "2.57", status: 200,
			want: `{"quota_set":{"id":"p1","cores":20,"instances":10,"key_pairs":100,"metadata_items":128,"ram":51200,"server_groups":10,"server_group_members":10}}`},
		{name: "below usage", method: "PUT", path: "/os-quota-sets/p1", status: 400, body: `{"quota_set":{"instances":1}}`,
			want: novaErr(400, "Quota limit 1 for instances must be greater than or equal to already used and reserved 2.")},
		{name: "below usage, forced", method: "PUT", path: "/os-quota-sets/p1", version: "2.57", status: 200, body: `{"quota_set":{"instances":1,"force":true}}`,
			want: `{"quota_set":{"cores":30,"instances":1,"key_pairs":100,"metadata_items":128,"ram":-1,"server_groups":10,"server_group_members":10}}`},
		{name: "the new quota is enforced", method: "POST", path: "/servers", status: 403,
			body: `{"server":{"name":"s","imageRef":"` + compute.DefaultImageID + `","flavorRef":"1"}}`,
			want: novaErr(403, "Quota exceeded for instances: Requested 1, but already used 2 of 1 instances")},
		{name: "network quotas accepted before 2.36", method: "PUT", path: "/os-quota-sets/p1", status: 200, body: `{"quota_set":{"floating_ips":20}}`, want: "-"},
		{name: "but not from 2.36", method: "PUT", path: "/os-quota-sets/p1", version: "2.36", status: 400, body: `{"quota_set":{"floating_ips":20}}`,
			want: novaErr(400, `Invalid input for field/attribute quota_set. Value: {"floating_ips":20}. Additional properties are not allowed ('floating_ips' was unexpected)`)},
		{name: "unknown quota", method: "PUT", path: "/os-quota-sets/p1", status: 400, body: `{"quota_set":{"gpus":1}}`,
			want: novaErr(400, `Invalid input for field/attribute quota_set. Value: {"gpus":1}. Additional properties are not allowed ('gpus' was unexpected)`)},
		{name: "not a number", method: "PUT", path: "/os-quota-sets/p1", status: 400, body: `{"quota_set":{"cores":"many"}}`,
			want: novaErr(400, "Invalid input for field/attribute cores. Value: many. 'many' does not match '^-?[0-9]+$'")},
		{name: "below -1", method: "PUT", path: "/os-quota-sets/p1", status: 400, body: `{"quota_set":{"cores":-2}}`,
			want: novaErr(400, "Invalid input for field/attribute cores. Value: -2. -2 is less than the minimum of -1")},
		{name: "bad force", method: "PUT", path: "/os-quota-sets/p1", status: 400, body: `{"quota_set":{"force":"sure"}}`,
			want: novaErr(400, "Invalid input for field/attribute force. Value: sure. 'sure' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']")},
		{name: "no quota_set", method: "PUT", path: "/os-quota-sets/p1", status: 400, body: `{}`,
			want: novaErr(400, "'quota_set' is a required property")},
		{name: "unknown query from 2.75", method: "GET", path: "/os-quota-sets/p1?x=1", version: "2.75", status: 400,
			want: novaErr(400, "Additional properties are not allowed ('x' was unexpected)")},
		{name: "delete reverts to the defaults", method: "DELETE", path: "/os-quota-sets/p1", status: 202, want: ""},
		{name: "shown after delete", method: "GET", path: "/os-quota-sets/p1", status: 200, want: `{"quota_set":{"id":"p1",` + quotaSet21 + `}}`},
	})
	if got := srv.Quota("p1"); got != compute.DefaultQuota() {
		t.Errorf("Quota(p1) = %+v after delete, want the default", got)
	}
}

func TestQuotaSetPolicies(t *testing.T) {
	_, base := authServer(t)
	runSteps(t, base, []step{
		{name: "member reads their own", method: "GET", path: "/os-quota-sets/p1", token: memberToken, status: 200, want: "-"},
		{name: "member cannot read another project's", method: "GET", path: "/os-quota-sets/p2", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.")},
		{name: "nor its detail", method: "GET", path: "/os-quota-sets/p2/detail", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-quota-sets:detail to be performed.")},
		{name: "anyone reads defaults", method: "GET", path: "/os-quota-sets/p2/defaults", token: memberToken, status: 200, want: "-"},
		{name: "member cannot update", method: "PUT", path: "/os-quota-sets/p1", token: memberToken, body: `{"quota_set":{"cores":1}}`, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.")},
		{name: "member cannot delete", method: "DELETE", path: "/os-quota-sets/p1", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-quota-sets:delete to be performed.")},
		{name: "admin updates another project", method: "PUT", path: "/os-quota-sets/p2", version: "2.57", token: adminToken, body: `{"quota_set":{"cores":1}}`, status: 200,
			want: `{"quota_set":{"cores":1,"instances":10,"key_pairs":100,"metadata_items":128,"ram":51200,"server_groups":10,"server_group_members":10}}`},
		{name: "the project sees it", method: "GET", path: "/v2.1/p2/limits", version: "2.57", token: otherToken, status: 200,
			want: `{"limits":{"rate":[],"absolute":{"maxServerMeta":128,"maxTotalCores":1,"maxTotalInstances":10,"maxTotalKeypairs":100,
				"maxTotalRAMSize":51200,"maxServerGroups":10,"maxServerGroupMembers":10,"totalCoresUsed":0,"totalInstancesUsed":0,
				"totalRAMUsed":0,"totalServerGroupsUsed":0}}}`},
	})
}
