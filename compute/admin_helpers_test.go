package compute_test

import (
	"encoding/json"
	"github.com/mockcloud/mockcloud/compute"
	"sort"
	"testing"
)

// The helpers of the operator API tests (tags, services, aggregates,
// migrations …), on top of the x helpers of volumes_test.go.

// decodeInto decodes body into v, failing the test if it cannot.
func decodeInto(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
}

// sortedIDs is ids sorted, for order-blind comparison.
func sortedIDs(ids []string) []string {
	out := append([]string{}, ids...)
	sort.Strings(out)
	return out
}

// admin returns a client sending the admin token.
func (a *xapi) admin() *xapi { return a.with("tok-admin") }

// computeHosts is compute.WithHosts.
func computeHosts(hosts ...string) compute.Option { return compute.WithHosts(hosts...) }
