package compute_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
)

// The views of a server per microversion: the keys Tempest's response
// schemas (tempest/lib/api_schema/response/compute/v2_*/servers.py) and
// Nova's own response schemas allow, for a member and for an admin.

// novaKeys is the sorted key set of a JSON object.
func novaKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// keySet is base plus the microversion members up to v (each "minor:key").
func keySet(v int, base string, minors ...string) []string {
	out := strings.Fields(base)
	for _, m := range minors {
		minor, key, _ := strings.Cut(m, ":")
		n := 0
		for _, ch := range minor {
			n = n*10 + int(ch-'0')
		}
		if v >= n {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

const (
	// reducedKeys are update's and rebuild's keys before 2.75
	// (common_show_server), progress included for an ACTIVE server.
	reducedKeys = "id name status tenant_id user_id metadata hostId image flavor created updated addresses accessIPv4 accessIPv6 links OS-DCF:diskConfig progress"
	// memberKeys are show's keys for a member at 2.1.
	memberKeys = reducedKeys + " OS-EXT-AZ:availability_zone config_drive key_name OS-SRV-USG:launched_at OS-SRV-USG:terminated_at" +
		" OS-EXT-STS:task_state OS-EXT-STS:vm_state OS-EXT-STS:power_state os-extended-volumes:volumes_attached security_groups"
	// adminKeys add the extended server attributes (2.1's three).
	adminKeys = memberKeys + " OS-EXT-SRV-ATTR:host OS-EXT-SRV-ATTR:instance_name OS-EXT-SRV-ATTR:hypervisor_hostname"
)

// minorsOfEveryView are the members later microversions add to every view.
var minorsOfEveryView = []string{"9:locked", "19:description", "26:tags", "63:trusted_image_certificates", "73:locked_reason"}

// adminMinors are the admin's members of later microversions.
var adminMinors = []string{"3:OS-EXT-SRV-ATTR:reservation_id", "3:OS-EXT-SRV-ATTR:launch_index", "3:OS-EXT-SRV-ATTR:hostname",
	"3:OS-EXT-SRV-ATTR:kernel_id", "3:OS-EXT-SRV-ATTR:ramdisk_id", "3:OS-EXT-SRV-ATTR:root_device_name", "16:host_status"}

func minorVersion(v string) int {
	_, m, _ := strings.Cut(v, ".")
	n := 0
	for _, ch := range m {
		n = n*10 + int(ch-'0')
	}
	return n
}

// serverOf decodes {"server": {...}}.
func serverOf(t *testing.T, r novaReply) map[string]any {
	t.Helper()
	s, ok := r.obj(t)["server"].(map[string]any)
	if !ok {
		t.Fatalf("no server object in %s", r.Body)
	}
	return s
}

func TestServerUpdateViewPerMicroversion(t *testing.T) {
	member := newNovaWithAuth(t, novaAuth).as("project-a").withToken("tok-a")
	id := member.activeServer("viewed")
	for _, ver := range []string{"2.1", "2.9", "2.19", "2.26", "2.47", "2.54", "2.57", "2.63", "2.71", "2.73", "2.74", "2.75", "2.90", "2.96", "2.98", "2.100", "2.104"} {
		v := minorVersion(ver)
		t.Run(ver, func(t *testing.T) {
			got := serverOf(t, member.at(ver).do("PUT", "/servers/"+id, `{"server":{"name":"viewed"}}`).want(t, http.StatusOK))
			var want []string
			if v < 75 {
				want = keySet(v, reducedKeys, append(minorsOfEveryView, "71:server_groups")...)
			} else {
				want = keySet(v, memberKeys, append(minorsOfEveryView, "71:server_groups", "90:OS-EXT-SRV-ATTR:hostname",
					"96:pinned_availability_zone", "100:scheduler_hints")...)
			}
			if diff := cmp.Diff(want, novaKeys(got)); diff != "" {
				t.Errorf("update keys (-want +got):\n%s", diff)
			}
			// Before 2.75 the addresses carry no type and no MAC.
			for _, a := range got["addresses"].(map[string]any)["private"].([]any) {
				if n := len(a.(map[string]any)); v < 75 && n != 2 || v >= 75 && n != 4 {
					t.Errorf("address %v at %s", a, ver)
				}
			}
			if v >= 98 {
				img := got["image"].(map[string]any)
				if _, ok := img["properties"].(map[string]any); !ok {
					t.Errorf("image without properties at %s: %v", ver, img)
				}
			}
		})
	}
}

func TestServerRebuildViewPerMicroversion(t *testing.T) {
	member := newNovaWithAuth(t, novaAuth).as("project-a").withToken("tok-a")
	id := member.activeServer("rebuilt")
	body := `{"rebuild":{"imageRef":"` + compute.DefaultImageID + `"}}`
	for _, ver := range []string{"2.1", "2.9", "2.19", "2.26", "2.47", "2.54", "2.57", "2.63", "2.71", "2.73", "2.75", "2.90", "2.96", "2.100"} {
		v := minorVersion(ver)
		t.Run(ver, func(t *testing.T) {
			got := serverOf(t, member.at(ver).action(id, body).want(t, http.StatusAccepted))
			// REBUILD is a progress status: progress stays.
			var want []string
			if v < 75 {
				want = keySet(v, reducedKeys+" adminPass", append(minorsOfEveryView, "54:key_name", "57:user_data", "71:server_groups")...)
			} else {
				want = keySet(v, memberKeys+" adminPass", append(minorsOfEveryView, "57:user_data", "71:server_groups",
					"90:OS-EXT-SRV-ATTR:hostname", "96:pinned_availability_zone", "100:scheduler_hints")...)
			}
			if diff := cmp.Diff(want, novaKeys(got)); diff != "" {
				t.Errorf("rebuild keys (-want +got):\n%s", diff)
			}
			if got["status"] != "REBUILD" {
				t.Errorf("status %v", got["status"])
			}
			if p, ok := got["adminPass"].(string); !ok || p == "" {
				t.Errorf("adminPass %v", got["adminPass"])
			}
			member.advance(compute.DefaultDurations().Rebuild)
		})
	}
}

func TestServerRebuildUserDataAndKey(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("data")
	edKey, _ := ed25519AuthorizedKey(t)
	a.do("POST", "/os-keypairs", `{"keypair":{"name":"k1","public_key":"`+edKey+`"}}`).want(t, http.StatusOK)
	got := serverOf(t, a.at("2.57").action(id, `{"rebuild":{"imageRef":"`+compute.DefaultImageID+`","user_data":"aGk=","key_name":"k1"}}`).want(t, http.StatusAccepted))
	if got["user_data"] != "aGk=" || got["key_name"] != "k1" {
		t.Errorf("user_data %v key_name %v", got["user_data"], got["key_name"])
	}
	a.advance(compute.DefaultDurations().Rebuild)
	// user_data is a rebuild member from 2.57 only, key_name from 2.54.
	a.at("2.56").action(id, `{"rebuild":{"imageRef":"`+compute.DefaultImageID+`","user_data":"aGk="}}`).
		wantFault(t, http.StatusBadRequest, "badRequest", "Additional properties are not allowed ('user_data' was unexpected)")
	a.at("2.54").action(id, `{"rebuild":{"imageRef":"`+compute.DefaultImageID+`","key_name":"nope"}}`).
		wantFault(t, http.StatusBadRequest, "badRequest", "Invalid key_name provided.")
	// From 2.75 rebuild's user_data is the top-level member, not the
	// extended attribute (even for an admin, which is anyone without a
	// token check).
	got = serverOf(t, a.at("2.75").action(id, `{"rebuild":{"imageRef":"`+compute.DefaultImageID+`","user_data":null}}`).want(t, http.StatusAccepted))
	if v, ok := got["user_data"]; !ok || v != nil {
		t.Errorf("user_data %v (present %v), want null", v, ok)
	}
	if _, ok := got["OS-EXT-SRV-ATTR:user_data"]; ok {
		t.Errorf("OS-EXT-SRV-ATTR:user_data in rebuild's answer")
	}
	if _, ok := got["OS-EXT-SRV-ATTR:host"]; !ok {
		t.Errorf("admin's rebuild at 2.75 lacks OS-EXT-SRV-ATTR:host")
	}
}

func TestServerShowPolicyViews(t *testing.T) {
	member := newNovaWithAuth(t, novaAuth).as("project-a").withToken("tok-a")
	admin := member.withToken("tok-admin")
	id := member.activeServer("policy")
	for _, ver := range []string{"2.1", "2.3", "2.16", "2.71", "2.90", "2.96", "2.100"} {
		v := minorVersion(ver)
		t.Run(ver, func(t *testing.T) {
			common := append(slices.Clone(minorsOfEveryView), "71:server_groups", "96:pinned_availability_zone", "100:scheduler_hints")
			got := member.at(ver).server(id)
			want := keySet(v, memberKeys, append(common, "90:OS-EXT-SRV-ATTR:hostname")...)
			if diff := cmp.Diff(want, novaKeys(got)); diff != "" {
				t.Errorf("member's show (-want +got):\n%s", diff)
			}
			got = admin.at(ver).server(id)
			want = keySet(v, adminKeys, append(common, append(adminMinors, "3:OS-EXT-SRV-ATTR:user_data")...)...)
			if diff := cmp.Diff(want, novaKeys(got)); diff != "" {
				t.Errorf("admin's show (-want +got):\n%s", diff)
			}
		})
	}
	// The detail list leaves server_groups out (Nova shows them in show only).
	var list struct {
		Servers []map[string]any `json:"servers"`
	}
	if err := json.Unmarshal(member.at("2.71").get("/servers/detail").want(t, http.StatusOK).Body, &list); err != nil || len(list.Servers) != 1 {
		t.Fatalf("detail list: %v %d", err, len(list.Servers))
	}
	if _, ok := list.Servers[0]["server_groups"]; ok {
		t.Errorf("server_groups in the detail list")
	}
	if _, ok := list.Servers[0]["OS-EXT-SRV-ATTR:host"]; ok {
		t.Errorf("a member sees OS-EXT-SRV-ATTR:host in the detail list")
	}
}

func TestServerProgressOnlyInProgressStatuses(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("p")
	if _, ok := a.server(id)["progress"]; !ok {
		t.Errorf("no progress while ACTIVE")
	}
	a.action(id, `{"os-stop":null}`).want(t, http.StatusAccepted)
	a.advance(compute.DefaultDurations().Stop)
	s := a.server(id)
	if _, ok := s["progress"]; ok || s["status"] != "SHUTOFF" {
		t.Errorf("progress shown in %v: %v", s["status"], s["progress"])
	}
}
