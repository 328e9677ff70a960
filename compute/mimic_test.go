package compute_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/kit"
)

func TestAnyRefsCreateRebuildResizeRescue(t *testing.T) {
	api := newNova(t, compute.AnyRefs(), compute.WithDurations(compute.Instant()))
	id := api.create(map[string]any{"imageRef": "image-of-anything", "flavorRef": "performance1-1"})
	s := api.server(id)
	if img := s["image"].(map[string]any)["id"]; img != "image-of-anything" {
		t.Errorf("image.id = %v, want the reference given", img)
	}
	if fl := s["flavor"].(map[string]any)["id"]; fl != "performance1-1" {
		t.Errorf("flavor.id = %v, want the reference given", fl)
	}
	// An href is accepted too: its last segment is the ID.
	api.create(map[string]any{"imageRef": "http://x/images/abc", "flavorRef": "http://x/flavors/8888"})
	// So is a security group nobody made.
	grouped := api.create(map[string]any{"security_groups": []map[string]string{{"name": "web"}}})
	if groups := api.server(grouped)["security_groups"]; !reflect.DeepEqual(groups, []any{map[string]any{"name": "web"}}) {
		t.Errorf("security_groups = %v, want the name given", groups)
	}

	api.action(id, `{"rebuild":{"imageRef":"another-unknown-image"}}`).want(t, http.StatusAccepted)
	if img := api.server(id)["image"].(map[string]any)["id"]; img != "another-unknown-image" {
		t.Errorf("after rebuild image.id = %v", img)
	}
	api.action(id, `{"resize":{"flavorRef":"unknown-flavor"}}`).want(t, http.StatusAccepted)
	if st := api.status(id); st != "VERIFY_RESIZE" {
		t.Errorf("after resize: %s, want VERIFY_RESIZE", st)
	}
	api.action(id, `{"confirmResize":null}`).want(t, http.StatusNoContent)
	api.action(id, `{"rescue":{"rescue_image_ref":"no-such-image"}}`).want(t, http.StatusOK)
	if st := api.status(id); st != "RESCUE" {
		t.Errorf("after rescue: %s, want RESCUE", st)
	}
}

func TestWithoutAnyRefsUnknownRefsAreRefused(t *testing.T) {
	api := newNova(t)
	api.do("POST", "/servers", novaBody(map[string]any{"flavorRef": "performance1-1"})).
		wantFault(t, http.StatusBadRequest, "badRequest", "Flavor performance1-1 could not be found.")
	api.do("POST", "/servers", novaBody(map[string]any{"imageRef": "image-of-anything"})).
		wantFault(t, http.StatusBadRequest, "badRequest", "Can not find requested image")
}

func TestAnyRefsInvalidImagePresets(t *testing.T) {
	api := newNova(t, compute.AnyRefs())
	for _, id := range []string{"INVALID-IMAGE-ID", "1111", "endsWithZ"} {
		api.get("/images/"+id).wantFault(t, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
	}
	api.get("/images/"+compute.DefaultImageID).want(t, http.StatusOK)
	api.get("/images/unknown").wantFault(t, http.StatusNotFound, "itemNotFound", "Image not found.")

	servers := api.srv.MimicPresets()["servers"].(map[string]any)
	for _, key := range []string{"invalid_image_ref", "invalid_flavor_ref", "server_building", "server_error"} {
		if _, ok := servers[key]; !ok {
			t.Errorf("presets lack servers.%s: %v", key, servers)
		}
	}
	plain := newNova(t).srv.MimicPresets()["servers"].(map[string]any)
	if _, ok := plain["invalid_image_ref"]; ok {
		t.Errorf("without AnyRefs the presets list invalid_image_ref: %v", plain)
	}
}

func TestMimicDurations(t *testing.T) {
	api := newNova(t, compute.WithDurations(compute.MimicDurations()))
	id := api.createNamed("now")
	if st := api.status(id); st != "ACTIVE" {
		t.Fatalf("created server is %s, want ACTIVE at once", st)
	}
	api.action(id, `{"reboot":{"type":"HARD"}}`).want(t, http.StatusAccepted)
	if st := api.status(id); st != "HARD_REBOOT" {
		t.Errorf("after a hard reboot: %s", st)
	}
	api.advance(6 * time.Second)
	if st := api.status(id); st != "ACTIVE" {
		t.Errorf("6 s after a hard reboot: %s", st)
	}
	api.action(id, `{"rescue":null}`).want(t, http.StatusOK)
	if st := api.status(id); st != "RESCUE" {
		t.Errorf("after rescue: %s", st)
	}
	api.action(id, `{"unrescue":null}`).want(t, http.StatusAccepted)
	if st := api.status(id); st != "ACTIVE" {
		t.Errorf("after unrescue: %s", st)
	}
	api.do("DELETE", "/servers/"+id, "").want(t, http.StatusNoContent)
	api.get("/servers/"+id).want(t, http.StatusNotFound)

	building := api.create(map[string]any{"metadata": map[string]string{"server_building": "30"}})
	if st := api.status(building); st != "BUILD" {
		t.Errorf("with server_building: %s", st)
	}
	api.advance(30 * time.Second)
	if st := api.status(building); st != "ACTIVE" {
		t.Errorf("30 s after server_building 30: %s", st)
	}
}

func TestMimicQuota(t *testing.T) {
	api := newNova(t, compute.WithDurations(compute.Instant()), compute.WithQuota(compute.MimicQuota()))
	for i := range 12 {
		api.createNamed(fmt.Sprintf("s%d", i))
	}
	md := func(n int) map[string]string {
		out := map[string]string{}
		for i := range n {
			out[fmt.Sprintf("k%d", i)] = "v"
		}
		return out
	}
	api.create(map[string]any{"metadata": md(40)})
	api.do("POST", "/servers", novaBody(map[string]any{"metadata": md(41)})).
		wantFault(t, http.StatusForbidden, "forbidden", "Maximum number of metadata items exceeds 40")
}

func TestWithoutTokensInACloud(t *testing.T) {
	refuse := func(r *http.Request) (kit.Principal, *kit.Error) {
		return kit.Principal{}, kit.Errorf(http.StatusUnauthorized, "no token")
	}
	newNovaWithAuth(t, refuse).get("/servers").want(t, http.StatusUnauthorized)
	api := newNovaWithAuth(t, refuse, compute.WithoutTokens())
	api.get("/servers").want(t, http.StatusOK)
	if r := api.withToken("anything").get("/flavors"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "flavors") {
		t.Errorf("with an unchecked token: %d %s", r.Status, r.Body)
	}
}
