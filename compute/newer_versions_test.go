package compute_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// What microversions 2.97 to 2.104 change in the routes the fake has
// (2.98, 2.100 and 2.104 are in views_test.go and create_schema_test.go).

func TestVolumeAttach2101(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("v")
	r := a.at("2.100").do("POST", "/servers/"+id+"/os-volume_attachments", `{"volumeAttachment":{"volumeId":"0d2f6ab5-62c1-4b0e-a2a3-0e6a3b4e0e01"}}`).want(t, http.StatusOK)
	if _, ok := r.obj(t)["volumeAttachment"]; !ok {
		t.Errorf("2.100: no volumeAttachment in %s", r.Body)
	}
	r = a.at("2.101").do("POST", "/servers/"+id+"/os-volume_attachments", `{"volumeAttachment":{"volumeId":"0d2f6ab5-62c1-4b0e-a2a3-0e6a3b4e0e02"}}`).want(t, http.StatusAccepted)
	if len(r.Body) != 0 {
		t.Errorf("2.101: body %s, want none", r.Body)
	}
}

func TestFlavors2102(t *testing.T) {
	a := newNova(t)
	flavor := func(ver string) map[string]any {
		return a.at(ver).get("/flavors/1").want(t, http.StatusOK).obj(t)["flavor"].(map[string]any)
	}
	for ver, present := range map[string]bool{"2.101": true, "2.102": false} {
		f := flavor(ver)
		for _, k := range []string{"rxtx_factor", "OS-FLV-DISABLED:disabled"} {
			if _, ok := f[k]; ok != present {
				t.Errorf("%s: %s present %v, want %v", ver, k, ok, present)
			}
		}
	}
	// The name filter (a regex) from 2.102; unknown before (from 2.75).
	a.at("2.101").get("/flavors?name=m1.tiny").wantFault(t, http.StatusBadRequest, "badRequest", "name")
	var list struct {
		Flavors []map[string]any `json:"flavors"`
	}
	if err := json.Unmarshal(a.at("2.102").get("/flavors?name=^m1\\.tiny$").want(t, http.StatusOK).Body, &list); err != nil || len(list.Flavors) != 1 || list.Flavors[0]["name"] != "m1.tiny" {
		t.Errorf("name filter: %v %v", err, list.Flavors)
	}
	a.at("2.102").do("POST", "/flavors", `{"flavor":{"name":"f","ram":1,"vcpus":1,"disk":1,"rxtx_factor":1.0}}`).
		wantFault(t, http.StatusBadRequest, "badRequest", "('rxtx_factor' was unexpected)")
}

func TestSpiceDirect299(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("s")
	body := `{"remote_console":{"protocol":"spice","type":"spice-direct"}}`
	a.at("2.98").do("POST", "/servers/"+id+"/remote-consoles", body).wantFault(t, http.StatusBadRequest, "badRequest", "spice-direct")
	r := a.at("2.99").do("POST", "/servers/"+id+"/remote-consoles", body).want(t, http.StatusOK)
	rc := r.obj(t)["remote_console"].(map[string]any)
	if rc["type"] != "spice-direct" || !strings.Contains(rc["url"].(string), "token=") {
		t.Errorf("console %v", rc)
	}
}
