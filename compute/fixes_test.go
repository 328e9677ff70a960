package compute_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
)

func TestActionRestore(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("r")
	// Unknown server: 404 (the action exists), not 400.
	missing := "0d2f6ab5-62c1-4b0e-a2a3-0e6a3b4e0e0e"
	r := a.action(missing, `{"restore":null}`)
	r.want(t, http.StatusNotFound)
	if diff := cmp.Diff(novaFault{"itemNotFound", 404, "Instance " + missing + " could not be found."}, r.fault(t)); diff != "" {
		t.Errorf("unknown server (-want +got):\n%s", diff)
	}
	// A server that is not SOFT_DELETED: 409.
	r = a.action(id, `{"restore":null}`)
	r.want(t, http.StatusConflict)
	if diff := cmp.Diff(novaFault{"conflictingRequest", 409, "Cannot 'restore' instance " + id + " while it is in vm_state active"}, r.fault(t)); diff != "" {
		t.Errorf("active server (-want +got):\n%s", diff)
	}
}

func TestInstanceActionsByRequestID(t *testing.T) {
	a := newNova(t)
	r := a.do("POST", "/servers", novaBody(nil)).want(t, http.StatusAccepted)
	reqID := r.Header.Get("X-Openstack-Request-Id")
	if !strings.HasPrefix(reqID, "req-") || r.Header.Get("X-Compute-Request-Id") != reqID {
		t.Fatalf("request IDs %q %q", reqID, r.Header.Get("X-Compute-Request-Id"))
	}
	id := serverOf(t, r)["id"].(string)
	a.advance(compute.DefaultDurations().Build)
	reboot := a.action(id, `{"reboot":{"type":"HARD"}}`).want(t, http.StatusAccepted).Header.Get("X-Openstack-Request-Id")
	for action, rid := range map[string]string{"create": reqID, "reboot": reboot} {
		var out struct {
			InstanceAction struct {
				Action    string `json:"action"`
				RequestID string `json:"request_id"`
			} `json:"instanceAction"`
		}
		if err := json.Unmarshal(a.get("/servers/"+id+"/os-instance-actions/"+rid).want(t, http.StatusOK).Body, &out); err != nil {
			t.Fatal(err)
		}
		if out.InstanceAction.Action != action || out.InstanceAction.RequestID != rid {
			t.Errorf("%s: %+v, want request_id %s", action, out.InstanceAction, rid)
		}
	}
}

func TestServerListAllTenantsPolicy(t *testing.T) {
	member := newNovaWithAuth(t, novaAuth).as("project-a").withToken("tok-a")
	member.createNamed("mine")
	for _, p := range []struct{ path, rule string }{
		{"/servers/detail?all_tenants=1", "os_compute_api:servers:detail:get_all_tenants"},
		{"/servers?all_tenants", "os_compute_api:servers:index:get_all_tenants"},
		{"/servers/detail?all_tenants=True", "os_compute_api:servers:detail:get_all_tenants"},
	} {
		r := member.get(p.path)
		r.want(t, http.StatusForbidden)
		if diff := cmp.Diff(novaFault{"forbidden", 403, "Policy doesn't allow " + p.rule + " to be performed."}, r.fault(t)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", p.path, diff)
		}
	}
	// all_tenants=0 is no request for all tenants.
	if ids := member.listIDs("/servers?all_tenants=0"); len(ids) != 1 {
		t.Errorf("all_tenants=0: %v", ids)
	}
	member.get("/servers?all_tenants=perhaps").wantFault(t, http.StatusBadRequest, "badRequest", "Unrecognized value 'perhaps'")
	admin := member.withToken("tok-admin").as("project-admin")
	admin.createNamed("admin's")
	if ids := admin.listIDs("/servers/detail?all_tenants=1"); len(ids) != 2 {
		t.Errorf("admin's all_tenants: %v", ids)
	}
}

func TestImagesCarryDiskConfig(t *testing.T) {
	a := newNova(t)
	var out struct {
		Images []map[string]any `json:"images"`
	}
	if err := json.Unmarshal(a.get("/images/detail").want(t, http.StatusOK).Body, &out); err != nil || len(out.Images) == 0 {
		t.Fatalf("%v %d", err, len(out.Images))
	}
	for _, img := range out.Images {
		if img["OS-DCF:diskConfig"] != "MANUAL" {
			t.Errorf("image %v: OS-DCF:diskConfig %v", img["name"], img["OS-DCF:diskConfig"])
		}
	}
	// A snapshot keeps its base's auto_disk_config.
	id := a.activeServer("snap")
	a.at("2.45").action(id, `{"createImage":{"name":"s"}}`).want(t, http.StatusAccepted)
	a.advance(compute.DefaultDurations().Snapshot)
	if err := json.Unmarshal(a.get("/images/detail?name=s").want(t, http.StatusOK).Body, &out); err != nil || len(out.Images) != 1 {
		t.Fatalf("%v %d", err, len(out.Images))
	}
	if out.Images[0]["OS-DCF:diskConfig"] != "MANUAL" {
		t.Errorf("snapshot: %v", out.Images[0]["OS-DCF:diskConfig"])
	}
}

func TestConsoleOutputExactLines(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("c")
	for _, n := range []int{1, 3, 5} {
		var out struct {
			Output string `json:"output"`
		}
		a.action(id, `{"os-getConsoleOutput":{"length":`+itoa(n)+`}}`).want(t, http.StatusOK).into(t, &out)
		// Tempest: len(output.split('\n')) == length.
		if got := len(strings.Split(out.Output, "\n")); got != n {
			t.Errorf("length %d: %d lines: %q", n, got, out.Output)
		}
	}
}

// TestServerWithoutSecurityGroups: once its last group is removed, a
// server's view has no security_groups key (Tempest checks it).
func TestServerWithoutSecurityGroups(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("bare")
	a.action(id, `{"removeSecurityGroup":{"name":"default"}}`).want(t, http.StatusAccepted)
	if groups, ok := a.server(id)["security_groups"]; ok {
		t.Errorf("security_groups = %v, want no key", groups)
	}
}

// TestPersonalityQuotas: personality files are held to Nova's injected
// file quotas, 403 as Nova (Tempest's test_personality_files_exceed_limit).
func TestPersonalityQuotas(t *testing.T) {
	a := newNova(t)
	files := func(n, pathLen, contentBytes int) map[string]any {
		var out []map[string]string
		for i := range n {
			path := "/" + strings.Repeat("p", pathLen-2) + string(rune('0'+i))
			out = append(out, map[string]string{"path": path, "contents": base64.StdEncoding.EncodeToString(make([]byte, contentBytes))})
		}
		return map[string]any{"personality": out}
	}
	a.do("POST", "/servers", novaBody(files(5, 255, 10240))).want(t, http.StatusAccepted)
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"six files", files(6, 10, 1), "Personality file limit exceeded"},
		{"long path", files(1, 256, 1), "Personality file path exceeds maximum 255"},
		{"big content", files(1, 10, 10241), "Personality file content exceeds maximum 10240"},
		{"path before content", files(1, 256, 10241), "Personality file path exceeds maximum 255"},
	} {
		a.do("POST", "/servers", novaBody(tc.body)).wantFault(t, http.StatusForbidden, "forbidden", tc.want)
	}
	// Rebuild takes personality until 2.57, held to the same quotas.
	id := a.activeServer("rebuilt")
	six, _ := json.Marshal(files(6, 10, 1)["personality"])
	a.action(id, `{"rebuild":{"imageRef":"`+compute.DefaultImageID+`","personality":`+string(six)+`}}`).
		wantFault(t, http.StatusForbidden, "forbidden", "Personality file limit exceeded")
	a.at("2.57").action(id, `{"rebuild":{"imageRef":"`+compute.DefaultImageID+`","personality":[]}}`).
		wantFault(t, http.StatusBadRequest, "badRequest", "Additional properties are not allowed ('personality' was unexpected)")
}
