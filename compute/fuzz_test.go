package compute_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

// fuzzVersions are the microversions the fuzzers pick from: the ones
// where the request schemas change.
var fuzzVersions = []string{"", "2.1", "2.19", "2.37", "2.45", "2.52", "2.73", "latest"}

// serveFuzz sends one request straight to the handler (no network: fast,
// and a panic fails the fuzzer instead of dropping a connection).
func serveFuzz(c *compute.Compute, method, path, version string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if version != "" {
		req.Header.Set("OpenStack-API-Version", "compute "+version)
	}
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, req)
	return rec
}

// checkNovaBody fails unless body is a JSON object, and for an error
// status Nova's {"<fault>": {"code", "message"}} with that status.
func checkNovaBody(t *testing.T, status int, body []byte) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("status %d with a body that is not a JSON object (%v): %q", status, err, body)
	}
	if status < 400 {
		return
	}
	if len(m) != 1 {
		t.Fatalf("error body with %d keys: %s", len(m), body)
	}
	for _, raw := range m {
		var f struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(raw, &f); err != nil || f.Code != status || f.Message == "" {
			t.Fatalf("error body %s for status %d", body, status)
		}
	}
}

func FuzzCreateServer(f *testing.F) {
	seeds := []string{
		`{"server":{"name":"derp","imageRef":"f90f6034-2570-4974-8351-6b49732ef2eb","flavorRef":"1"}}`,
		`{"server":{"name":"new-server-test","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1","availability_zone":"nova","OS-DCF:diskConfig":"AUTO","metadata":{"My Server Name":"Apache1"},"security_groups":[{"name":"default"}],"user_data":"IyEvYmluL2Jhc2gKL2Jpbi9zdQplY2hvICJJIGFtIGluIHlvdSEiCg==","networks":"auto"}}`,
		`{"server":{"name":"multi","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"2","min_count":2,"max_count":3,"return_reservation_id":true}}`,
		`{"server":{"name":"bfv","flavorRef":"1","block_device_mapping_v2":[{"boot_index":0,"uuid":"ac9b2c9a-0000-4000-8000-000000000001","source_type":"volume","destination_type":"volume"}]}}`,
		`{"server":{"name":"nets","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":1,"networks":[{"uuid":"ff608d40-75e9-48cb-b745-77bb55b5eaf2","fixed_ip":"10.0.0.9"}]}}`,
		`{"server":{"name":"empty-nets","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1","networks":[]}}`,
		`{"server":{"name":"tagged","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1","networks":"none","tags":["a","b"],"description":"d"}}`,
		`{"server":{"name":"x","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1","metadata":{"create_server_failure":"{\"message\":\"boom\",\"code\":500}"}}}`,
		`{"server":{"name":"x","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1","metadata":{"server_building":"30"}}}`,
		`{"server":{"name":"x","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1","metadata":{"server_error":"1","delete_server_failure":"{\"code\":500,\"times\":1}"}}}`,
		`{"server":{"name":"x","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1","max_count":1000000000000}}`,
		`{"server":{"name":"x","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1"},"os:scheduler_hints":{"group":"nope"}}`,
		`{"server":{"name":" x","imageRef":"","flavorRef":""}}`,
		`{"server":{"name":"x","flavorRef":"1","accessIPv4":"1.2.3.4","accessIPv6":"::1","key_name":"k"}}`,
		`{"server":null}`,
		`{"server":[]}`,
		`{"server":{"min_count":-1}}`,
		`{"server":{"name":"x","imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","flavorRef":"1","colour":"blue"}}`,
		`{}`, `[]`, `null`, ``, `{"server":`, "\xff",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i))
	}
	f.Fuzz(func(t *testing.T, body []byte, v uint8) {
		c := mustUnstarted(t, fake.WithSeed(1))
		version := fuzzVersions[int(v)%len(fuzzVersions)]
		rec := serveFuzz(c, "POST", "/v2.1/fuzz/servers", version, body)
		status := rec.Code
		// Mimic's create_server_failure answers with whatever code and
		// body the test asked for; everything else is Nova's.
		if bytes.Contains(body, []byte("create_server_failure")) {
			if status < 200 || status > 599 {
				t.Fatalf("preset answered %d", status)
			}
			return
		}
		switch status {
		case http.StatusAccepted, http.StatusBadRequest, http.StatusForbidden:
		default:
			t.Fatalf("POST %q at %q: status %d: %s", body, version, status, rec.Body)
		}
		checkNovaBody(t, status, rec.Body.Bytes())
		servers := c.Servers()
		if status != http.StatusAccepted && len(servers) != 0 {
			t.Fatalf("a %d made %d servers", status, len(servers))
		}
		if status == http.StatusAccepted {
			if len(servers) == 0 {
				t.Fatalf("a 202 made no server: %s", rec.Body)
			}
			var out struct {
				Server *struct {
					ID string `json:"id"`
				} `json:"server"`
				ReservationID string `json:"reservation_id"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || (out.ReservationID == "" && (out.Server == nil || out.Server.ID == "")) {
				t.Fatalf("202 body %s", rec.Body)
			}
			// The server can be read, and its lifecycle runs.
			c.Clock().Advance(time.Hour)
			get := serveFuzz(c, "GET", "/v2.1/fuzz/servers/detail", version, nil)
			if get.Code != http.StatusOK {
				t.Fatalf("list after create: %d %s", get.Code, get.Body)
			}
			checkNovaBody(t, get.Code, get.Body.Bytes())
		}
	})
}

func FuzzServerAction(f *testing.F) {
	seeds := []string{
		`{"reboot":{"type":"SOFT"}}`, `{"reboot":{"type":"HARD"}}`, `{"reboot":{}}`, `{"reboot":"HARD"}`,
		`{"resize":{"flavorRef":"2"}}`, `{"resize":{"flavorRef":2,"OS-DCF:diskConfig":"AUTO"}}`, `{"confirmResize":null}`, `{"revertResize":"null"}`,
		`{"rebuild":{"imageRef":"70a599e0-31e7-49b7-b260-868f441e862b","name":"new","adminPass":"p","metadata":{"a":"b"},"accessIPv4":"1.2.3.4"}}`,
		`{"os-start":null}`, `{"os-stop":null}`, `{"pause":null}`, `{"unpause":null}`, `{"suspend":null}`, `{"resume":null}`,
		`{"lock":null}`, `{"lock":{"locked_reason":"why"}}`, `{"unlock":null}`,
		`{"rescue":null}`, `{"rescue":{"adminPass":"p","rescue_image_ref":"70a599e0-31e7-49b7-b260-868f441e862b"}}`, `{"unrescue":null}`,
		`{"shelve":null}`, `{"shelveOffload":null}`, `{"unshelve":{"availability_zone":"nova"}}`,
		`{"createImage":{"name":"snap","metadata":{"k":"v"}}}`, `{"createBackup":{"name":"b","backup_type":"daily","rotation":0}}`,
		`{"changePassword":{"adminPass":"new-password"}}`, `{"os-getConsoleOutput":{"length":50}}`, `{"os-getConsoleOutput":{"length":"-1"}}`,
		`{"os-resetState":{"state":"error"}}`, `{"forceDelete":null}`,
		`{"addSecurityGroup":{"name":"web"}}`, `{"removeSecurityGroup":{"name":"default"}}`,
		`{"migrate":{"host":"compute-1"}}`, `{"os-migrateLive":{"host":null,"block_migration":"auto"}}`,
		`{"fly":{}}`, `{"os-stop":null,"os-start":null}`, `{}`, `[]`, `null`, ``, `{"reboot":`,
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i))
	}
	f.Fuzz(func(t *testing.T, body []byte, v uint8) {
		c := mustUnstarted(t, fake.WithSeed(1))
		s, err := c.AddServer(compute.Server{ProjectID: "fuzz", FlavorID: "1", ImageID: compute.DefaultImageID, Name: "target"})
		if err != nil {
			t.Fatal(err)
		}
		version := fuzzVersions[int(v)%len(fuzzVersions)]
		path := "/v2.1/fuzz/servers/" + s.ID + "/action"
		for round := 0; round < 2; round++ { // the second time from wherever the first left it
			rec := serveFuzz(c, "POST", path, version, body)
			switch rec.Code {
			case http.StatusOK, http.StatusAccepted, http.StatusNoContent:
				if rec.Body.Len() > 0 {
					checkNovaBody(t, rec.Code, rec.Body.Bytes())
				}
			case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict:
				checkNovaBody(t, rec.Code, rec.Body.Bytes())
			default:
				t.Fatalf("POST %q at %q: status %d: %s", body, version, rec.Code, rec.Body)
			}
			if rec.Code == http.StatusNoContent && rec.Body.Len() != 0 {
				t.Fatalf("204 with a body %q", rec.Body)
			}
			c.Clock().Advance(time.Duration(round+1) * time.Minute)
			get := serveFuzz(c, "GET", "/v2.1/fuzz/servers/"+s.ID, version, nil)
			if get.Code != http.StatusOK && get.Code != http.StatusNotFound {
				t.Fatalf("GET after %q: %d %s", body, get.Code, get.Body)
			}
			checkNovaBody(t, get.Code, get.Body.Bytes())
			if strings.Contains(get.Body.String(), `"status":"UNKNOWN"`) {
				t.Fatalf("after %q the server is UNKNOWN: %s", body, get.Body)
			}
		}
	})
}
