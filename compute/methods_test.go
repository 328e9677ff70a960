package compute_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
)

// TestWrongMethodIs405: a known path with a method it does not take is
// 405 badMethod on both roots, as Nova answers, and an unknown path 404.
func TestWrongMethodIs405(t *testing.T) {
	srv := compute.New(t)
	for _, tc := range []struct {
		method, path string
		status       int
		fault        string
	}{
		{"PATCH", "/v2.1/p/servers", 405, "badMethod"},
		{"PATCH", "/v2/p/servers", 405, "badMethod"},
		{"POST", "/v2.1/p/os-availability-zone", 405, "badMethod"},
		{"GET", "/v2.1/p/no-such-thing", 404, "itemNotFound"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL()+tc.path, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]struct {
			Code int `json:"code"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || body[tc.fault].Code != tc.status {
			t.Errorf("%s %s = %d %v, want %d %s", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.fault)
		}
	}
}
