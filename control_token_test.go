package mockcloud_test

import (
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/triton"
)

// TestControlToken: with a control token, control calls (the Cloud's and
// the services' own) need it as a bearer token; GET /, the health checks,
// Mimic's presets and the services' APIs stay open.
func TestControlToken(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithServices(identity.Descriptor(), triton.Descriptor()), mockcloud.WithControlToken("s3cret"))
	bearer := func(token string) map[string]string { return map[string]string{"Authorization": "Bearer " + token} }
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/mockcloud/v1/tick", `{"amount":1}`},
		{"POST", "/mimic/v1.1/tick", `{"amount":1}`},
		{"GET", "/mockcloud/v1/requests", ""},
		{"POST", "/mockcloud/v1/faults", `{"status":503,"service":"triton"}`},
		{"GET", "/mockcloud/v1/triton/servers", ""},
	} {
		for _, header := range []map[string]string{nil, bearer("wrong"), {"Authorization": "s3cret"}} {
			code, body := call(t, c, tc.method, tc.path, tc.body, header, nil)
			if code != 401 || !strings.Contains(body, `"error":{"code":401`) || !strings.Contains(body, "Bearer") {
				t.Errorf("%s %s with %v: %d %s, want 401 in the control API's format", tc.method, tc.path, header, code, body)
			}
		}
		if code, body := call(t, c, tc.method, tc.path, tc.body, bearer("s3cret"), nil); code >= 300 {
			t.Errorf("%s %s with the token: %d %s", tc.method, tc.path, code, body)
		}
	}
	for _, path := range []string{"/", "/healthz", "/mockcloud/v1/health", "/mimic/v1.0/presets", "/identity/v3"} {
		if code, body := call(t, c, "GET", path, "", nil, nil); code != 200 {
			t.Errorf("GET %s without the token: %d %s, want 200", path, code, body)
		}
	}
}
