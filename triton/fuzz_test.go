package triton_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/triton"
)

// fuzzDC is a DC with two CNs and a running VM, reused by a fuzz worker.
func fuzzDC(t testing.TB) (*triton.Triton, string, string) {
	dc, err := triton.NewUnstarted(triton.WithServers(2), triton.WithDurations(triton.Instant()), fake.WithJournalLimit(8))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dc.Close)
	vm, _, err := dc.CreateVM(triton.CreateVM{OwnerUUID: owner, Brand: "joyent", RAM: 256, ImageUUID: owner,
		Networks: []triton.NetworkRef{{UUID: "external"}}})
	if err != nil {
		t.Fatal(err)
	}
	return dc, vm.UUID, vm.ServerUUID
}

// serveAPI sends one request to an API and checks what every answer
// keeps: never a 5xx, and an error is restify's {"code","message"}.
func serveAPI(t *testing.T, dc *triton.Triton, api, method, path string, body []byte) {
	req := httptest.NewRequest(method, path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	dc.API(api).ServeHTTP(rec, req)
	// CNAPI answers its parameter validation with a 500 (InvalidParameters),
	// NAPI a full subnet with a 507 (SubnetFull): the real APIs' 5xx.
	real5xx := api == triton.CNAPI && rec.Code == 500 && strings.Contains(rec.Body.String(), `"code":"InvalidParameters"`) ||
		rec.Code == 507 && strings.Contains(rec.Body.String(), `"code":"SubnetFull"`)
	if rec.Code >= 500 && !real5xx {
		t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		var e struct{ Code, Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
			t.Fatalf("%s %s %q: %d with a body that is not restify's: %s", method, path, body, rec.Code, rec.Body)
		}
	}
}

func FuzzVMAPIBodies(f *testing.F) {
	for _, s := range []string{
		vmBody("a", 128), `{}`, `{"owner_uuid":1}`, `{"networks":[{"uuid":"external","ipv4_ips":["x"]}]}`,
		`{"networks":["external"],"brand":"bhyve","ram":-1}`, `{"ram":2048,"alias":"x"}`, `{"snapshot_name":""}`,
		`{"networks":["admin"]}`, `{"macs":["zz"]}`, `{"nics":[{"mac":"00:10:fe:00:00:01","primary":true}]}`, `{"size":5}`, `[`,
	} {
		f.Add([]byte(s), uint8(0))
	}
	dc, vm, _ := fuzzDC(f)
	actions := []string{"start", "stop", "update", "add_nics", "remove_nics", "update_nics", "create_snapshot",
		"rollback_snapshot", "delete_snapshot", "reprovision", "create_disk", "kill"}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		serveAPI(t, dc, triton.VMAPI, "POST", "/vms", body)
		serveAPI(t, dc, triton.VMAPI, "POST", "/vms/"+vm+"?action="+actions[int(which)%len(actions)], body)
		serveAPI(t, dc, triton.VMAPI, "PUT", "/vms/"+vm, body)
		serveAPI(t, dc, triton.VMAPI, "POST", "/vms/"+vm+"/tags", body)
	})
}

func FuzzCNAPIAndNAPIBodies(f *testing.F) {
	for _, s := range []string{
		`{"action":"update","nics":[{"mac":"00:10:fe:00:00:01","nic_tags_provided":["external"]}]}`,
		`{"vm":{"ram":128},"servers":["x"]}`, `{"scope":"vm","id":"a","expires_at":"2030-01-01"}`,
		`{"name":"n","subnet":"10.1.0.0/30","nic_tag":"external","provision_start_ip":"10.1.0.3"}`,
		`{"belongs_to_uuid":"a","belongs_to_type":"other","owner_uuid":"b","ip":"10.128.0.99"}`, `{"name":"t","mtu":9000}`,
		`{"reserved":true,"traits":{"a":[1]}}`, `{"sysinfo":{"UUID":1}}`, `{"image_uuid":"x"}`, `{"agents":[]}`,
	} {
		f.Add([]byte(s))
	}
	dc, _, server := fuzzDC(f)
	ext := dc.Networks()[1].UUID
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, c := range []struct{ api, method, path string }{
			{triton.CNAPI, "PUT", "/servers/" + server + "/nics"},
			{triton.CNAPI, "POST", "/allocate"},
			{triton.CNAPI, "POST", "/capacity"},
			{triton.CNAPI, "POST", "/servers/" + server + "/tickets"},
			{triton.CNAPI, "POST", "/servers/" + server},
			{triton.CNAPI, "POST", "/servers/" + server + "/sysinfo"},
			{triton.CNAPI, "POST", "/servers/" + server + "/install-agent"},
			{triton.CNAPI, "PUT", "/boot/" + server},
			{triton.NAPI, "POST", "/networks"},
			{triton.NAPI, "POST", "/networks/" + ext + "/nics"},
			{triton.NAPI, "POST", "/nic_tags"},
			{triton.NAPI, "POST", "/network_pools"},
		} {
			serveAPI(t, dc, c.api, c.method, c.path, body)
		}
	})
}

func FuzzLoadDC(f *testing.F) {
	f.Add([]byte(dcListing))
	f.Add([]byte(`{"servers":[{"uuid":"x"}]}`))
	f.Add([]byte(`{"networks":[{"name":"n","subnet":"10.0.0.0/8","nic_tag":"new"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dc, err := triton.NewUnstarted()
		if err != nil {
			t.Fatal(err)
		}
		defer dc.Close()
		_ = dc.LoadDC(data) // an error is fine; a panic is not
		for _, s := range dc.Servers() {
			if _, ok := dc.Server(s.UUID); !ok {
				t.Fatalf("listed server %s not found", s.UUID)
			}
		}
	})
}
