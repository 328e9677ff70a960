package compute_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// newInEnv builds a compute as a Cloud does, in env (a token check, a
// bounded journal) and region RegionOne, started on a loopback port and
// closed when the test ends.
func newInEnv(t testing.TB, env kit.Env, opts ...compute.Option) *compute.Compute {
	t.Helper()
	return kittest.InCloud[*compute.Compute](t, compute.Descriptor(), env,
		kit.Site{Region: "RegionOne", Regions: []string{"RegionOne"}}, opts...)
}

// mustUnstarted is compute.NewUnstarted, which must not fail; the service
// is closed when the test ends.
func mustUnstarted(t testing.TB, opts ...compute.Option) *compute.Compute {
	t.Helper()
	c, err := compute.NewUnstarted(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
