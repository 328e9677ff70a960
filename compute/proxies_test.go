package compute_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExtensions(t *testing.T) {
	a := newNova(t)
	var list struct {
		Extensions []map[string]any `json:"extensions"`
	}
	if err := json.Unmarshal(a.get("/extensions").want(t, http.StatusOK).Body, &list); err != nil {
		t.Fatal(err)
	}
	// Nova's v2.1 list: 99 entries, each with these six members.
	if len(list.Extensions) != 99 {
		t.Errorf("%d extensions, want 99", len(list.Extensions))
	}
	for _, e := range list.Extensions {
		if diff := cmp.Diff([]string{"alias", "description", "links", "name", "namespace", "updated"}, novaKeys(e)); diff != "" {
			t.Fatalf("extension keys (-want +got):\n%s", diff)
		}
	}
	got := a.get("/extensions/OS-DCF").want(t, http.StatusOK).obj(t)["extension"]
	want := map[string]any{"alias": "OS-DCF", "description": "Disk Management Extension.", "links": []any{}, "name": "DiskConfig",
		"namespace": "http://docs.openstack.org/compute/ext/fake_xml", "updated": "2014-12-03T00:00:00Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OS-DCF (-want +got):\n%s", diff)
	}
	r := a.get("/extensions/NOPE")
	r.want(t, http.StatusNotFound)
	if diff := cmp.Diff(novaFault{"itemNotFound", 404, "The resource could not be found."}, r.fault(t)); diff != "" {
		t.Errorf("unknown alias (-want +got):\n%s", diff)
	}
	// The /v2 root's list adds OS-EXT-VIF-NET.
	a.legacy().get("/extensions/OS-EXT-VIF-NET").want(t, http.StatusOK)
	a.get("/extensions/OS-EXT-VIF-NET").want(t, http.StatusNotFound)
}

func TestNetworksProxy(t *testing.T) {
	member := newNovaWithAuth(t, novaAuth).as("project-a").withToken("tok-a")
	admin := member.withToken("tok-admin")
	var list struct {
		Networks []map[string]any `json:"networks"`
	}
	if err := json.Unmarshal(member.get("/os-networks").want(t, http.StatusOK).Body, &list); err != nil || len(list.Networks) != 2 {
		t.Fatalf("%v %d", err, len(list.Networks))
	}
	memberKeys := []string{"broadcast", "cidr", "cidr_v6", "dns1", "dns2", "gateway", "gateway_v6", "id", "label", "netmask", "netmask_v6"}
	if diff := cmp.Diff(memberKeys, novaKeys(list.Networks[0])); diff != "" {
		t.Errorf("member's network keys (-want +got):\n%s", diff)
	}
	if list.Networks[0]["cidr"] != nil || list.Networks[0]["label"] != "private" {
		t.Errorf("network %v", list.Networks[0])
	}
	id := list.Networks[0]["id"].(string)
	got := admin.get("/os-networks/"+id).want(t, http.StatusOK).obj(t)["network"].(map[string]any)
	if n := len(got); n != 11+21 {
		t.Errorf("admin's network has %d members, want 32: %v", n, novaKeys(got))
	}
	member.get("/os-networks/00000000-0000-0000-0000-00000000dead").wantFault(t, http.StatusNotFound, "itemNotFound", "Network not found")
	// Gone with nova-network: 410; above 2.35: 404.
	member.do("POST", "/os-networks", `{"network":{"label":"x"}}`).wantFault(t, http.StatusGone, "computeFault", "no longer available")
	member.do("DELETE", "/os-networks/"+id, "").want(t, http.StatusGone)
	member.at("2.36").get("/os-networks").wantFault(t, http.StatusNotFound, "itemNotFound", "The resource could not be found.")

	tn := member.at("2.35").get("/os-tenant-networks/"+id).want(t, http.StatusOK).obj(t)["network"]
	if diff := cmp.Diff(map[string]any{"id": id, "cidr": "None", "label": "private"}, tn); diff != "" {
		t.Errorf("tenant network (-want +got):\n%s", diff)
	}
	member.at("2.36").get("/os-tenant-networks").want(t, http.StatusNotFound)
	member.do("POST", "/os-tenant-networks", `{"network":{}}`).want(t, http.StatusGone)
}

func TestSecurityGroupsProxy(t *testing.T) {
	a := newNova(t)
	var list struct {
		SecurityGroups []map[string]any `json:"security_groups"`
	}
	if err := json.Unmarshal(a.get("/os-security-groups").want(t, http.StatusOK).Body, &list); err != nil || len(list.SecurityGroups) != 1 {
		t.Fatalf("%v %v", err, list.SecurityGroups)
	}
	def := list.SecurityGroups[0]
	if diff := cmp.Diff([]string{"description", "id", "name", "rules", "tenant_id"}, novaKeys(def)); diff != "" {
		t.Errorf("group keys (-want +got):\n%s", diff)
	}
	if def["name"] != "default" || def["tenant_id"] != "demo" {
		t.Errorf("default group %v", def)
	}
	g := a.do("POST", "/os-security-groups", `{"security_group":{"name":"web","description":"HTTP"}}`).want(t, http.StatusOK).obj(t)["security_group"].(map[string]any)
	gid := g["id"].(string)
	a.do("POST", "/os-security-groups", `{"security_group":{"name":"web"}}`).
		wantFault(t, http.StatusBadRequest, "badRequest", "'description' is a required property")
	rule := a.do("POST", "/os-security-group-rules", `{"security_group_rule":{"parent_group_id":"`+gid+`","ip_protocol":"tcp","from_port":80,"to_port":"80","cidr":"0.0.0.0/0"}}`).
		want(t, http.StatusOK).obj(t)["security_group_rule"].(map[string]any)
	want := map[string]any{"id": rule["id"], "parent_group_id": gid, "ip_protocol": "tcp", "from_port": float64(80), "to_port": float64(80),
		"ip_range": map[string]any{"cidr": "0.0.0.0/0"}, "group": map[string]any{}}
	if diff := cmp.Diff(want, rule); diff != "" {
		t.Errorf("rule (-want +got):\n%s", diff)
	}
	a.do("POST", "/os-security-group-rules", `{"security_group_rule":{"parent_group_id":"not-a-uuid"}}`).
		wantFault(t, http.StatusBadRequest, "badRequest", "'not-a-uuid' is not a 'uuid'")
	a.do("POST", "/os-security-group-rules", `{"security_group_rule":{"parent_group_id":"`+gid+`"}}`).
		wantFault(t, http.StatusBadRequest, "badRequest", "Not enough parameters to build a valid rule.")
	shown := a.get("/os-security-groups/"+gid).want(t, http.StatusOK).obj(t)["security_group"].(map[string]any)
	if rules := shown["rules"].([]any); len(rules) != 1 {
		t.Errorf("rules %v", rules)
	}
	a.get("/os-security-groups/0d2f6ab5-62c1-4b0e-a2a3-0e6a3b4e0e0e").wantFault(t, http.StatusNotFound, "itemNotFound", "Security group 0d2f6ab5-62c1-4b0e-a2a3-0e6a3b4e0e0e not found.")
	a.do("PUT", "/os-security-groups/"+gid, `{"security_group":{"name":"www","description":"HTTP(S)"}}`).want(t, http.StatusOK)
	// A server's groups, and the actions that change them.
	id := a.activeServer("sg")
	a.action(id, `{"addSecurityGroup":{"name":"www"}}`).want(t, http.StatusAccepted)
	if err := json.Unmarshal(a.get("/servers/"+id+"/os-security-groups").want(t, http.StatusOK).Body, &list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sg := range list.SecurityGroups {
		names = append(names, sg["name"].(string))
	}
	if diff := cmp.Diff([]string{"default", "www"}, names); diff != "" {
		t.Errorf("server's groups (-want +got):\n%s", diff)
	}
	a.do("DELETE", "/os-security-groups/"+gid, "").wantFault(t, http.StatusBadRequest, "badRequest", "in use")
	a.action(id, `{"removeSecurityGroup":{"name":"www"}}`).want(t, http.StatusAccepted)
	a.do("DELETE", "/os-security-group-rules/"+rule["id"].(string), "").want(t, http.StatusAccepted)
	a.do("DELETE", "/os-security-groups/"+gid, "").want(t, http.StatusAccepted)
	// The proxy is gone above 2.35 (a server's groups are not).
	a.at("2.36").get("/os-security-groups").wantFault(t, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
	a.at("2.36").get("/servers/"+id+"/os-security-groups").want(t, http.StatusOK)
}

// TestSecurityGroupRuleRules: a rule is built and checked as Nova's
// neutron driver does (ports, protocols, CIDRs, duplicates), IDs that are
// not UUIDs are 400, and deleting a group deletes the rules naming it.
func TestSecurityGroupRuleRules(t *testing.T) {
	a := newNova(t)
	newGroup := func(name string) string {
		return a.do("POST", "/os-security-groups", `{"security_group":{"name":"`+name+`","description":""}}`).want(t, http.StatusOK).obj(t)["security_group"].(map[string]any)["id"].(string)
	}
	web, peer := newGroup("web"), newGroup("peer")
	rule := func(body string) string {
		return `{"security_group_rule":{"parent_group_id":"` + web + `",` + body + `}}`
	}
	for _, tc := range []struct{ name, body, want string }{
		{"tcp range reversed", `"ip_protocol":"tcp","from_port":22,"to_port":21`, "Invalid port range 22:21. Former value cannot be greater than the later"},
		{"udp port zero", `"ip_protocol":"udp","from_port":0,"to_port":53`, "Invalid port range 0:53. Valid UDP ports should be between 1-65535"},
		{"tcp port too big", `"ip_protocol":"tcp","from_port":22,"to_port":65536`, "Valid TCP ports should be between 1-65535"},
		{"icmp code", `"ip_protocol":"icmp","from_port":-1,"to_port":256`, "Invalid port range -1:256. For ICMP, the type:code must be valid"},
		{"not a port", `"ip_protocol":"tcp","from_port":"ssh","to_port":22`, "Invalid input received: To and From ports must be integers"},
		{"not an icmp type", `"ip_protocol":"icmp","from_port":"echo","to_port":0`, "Invalid input received: Type and Code must be integers for ICMP protocol type"},
		{"protocol", `"ip_protocol":"999","from_port":22,"to_port":22`, "Invalid IP protocol 999."},
		{"cidr", `"ip_protocol":"tcp","from_port":22,"to_port":22,"cidr":"10.0.0.0/33"`, "10.0.0.0/33 is not a valid IP network."},
		{"zero prefix", `"ip_protocol":"tcp","from_port":22,"to_port":22,"cidr":"10.0.0.0/0"`, "Bad prefix for network in cidr 10.0.0.0/0"},
		{"cidr without ports", `"ip_protocol":"tcp","cidr":"10.0.0.0/8"`, "Not enough parameters to build a valid rule."},
		{"group not a uuid", `"group_id":"sg-1"`, "'sg-1' is not a 'uuid'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.do("POST", "/os-security-group-rules", rule(tc.body)).wantFault(t, http.StatusBadRequest, "badRequest", tc.want)
		})
	}

	ssh := a.do("POST", "/os-security-group-rules", rule(`"ip_protocol":"TCP","from_port":"22","to_port":22.0`)).want(t, http.StatusOK).obj(t)["security_group_rule"].(map[string]any)
	if ssh["ip_protocol"] != "tcp" || ssh["from_port"] != 22.0 || ssh["to_port"] != 22.0 || ssh["ip_range"].(map[string]any)["cidr"] != "0.0.0.0/0" {
		t.Errorf("ssh rule %v", ssh)
	}
	a.do("POST", "/os-security-group-rules", rule(`"ip_protocol":"tcp","from_port":22,"to_port":22,"cidr":"0.0.0.0/0"`)).
		wantFault(t, http.StatusBadRequest, "badRequest", "This rule already exists in group "+web)
	// A group rule with no ports opens every port of its protocol.
	fromPeer := a.do("POST", "/os-security-group-rules", rule(`"ip_protocol":"udp","group_id":"`+peer+`"`)).want(t, http.StatusOK).obj(t)["security_group_rule"].(map[string]any)
	if fromPeer["from_port"] != 1.0 || fromPeer["to_port"] != 65535.0 || fromPeer["group"].(map[string]any)["name"] != "peer" {
		t.Errorf("group rule %v", fromPeer)
	}
	a.do("DELETE", "/os-security-groups/"+peer, "").want(t, http.StatusAccepted)
	rules := a.get("/os-security-groups/"+web).want(t, http.StatusOK).obj(t)["security_group"].(map[string]any)["rules"].([]any)
	if len(rules) != 1 || rules[0].(map[string]any)["id"] != ssh["id"] {
		t.Errorf("after the peer group's deletion the rules are %v, want only the ssh rule", rules)
	}

	for _, path := range []string{"/os-security-groups/sg-1", "/os-security-group-rules/1"} {
		a.do("DELETE", path, "").wantFault(t, http.StatusBadRequest, "badRequest", "Security group id should be uuid")
	}
	a.do("PUT", "/os-security-groups/sg-1", `{"security_group":{"name":"a","description":"b"}}`).wantFault(t, http.StatusBadRequest, "badRequest", "Security group id should be uuid")
	a.get("/os-security-groups/sg-1").wantFault(t, http.StatusBadRequest, "badRequest", "Security group id should be uuid")
}
