package loadbalancer_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/loadbalancer"
)

// TestWrongMethodIs405: a known path with a method it does not take is
// 405 with the API's {"message","code"} body; an unknown path is 404.
func TestWrongMethodIs405(t *testing.T) {
	srv := loadbalancer.New(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"PATCH", "/v1.0/123/loadbalancers", 405},
		{"PATCH", "/v2/123/loadbalancers", 405},
		{"GET", "/v1.0/123/nothing-here", 404},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL()+tc.path, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || body.Code != tc.status || body.Message == "" {
			t.Errorf("%s %s = %d %+v, want %d", tc.method, tc.path, resp.StatusCode, body, tc.status)
		}
	}
}
