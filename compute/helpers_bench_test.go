package compute_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/kit"
)

func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// unstartedInEnv builds a compute as a Cloud does, in env (a token check,
// a bounded journal) and region RegionOne, unstarted.
func unstartedInEnv(t testing.TB, env kit.Env, opts ...compute.Option) *compute.Compute {
	t.Helper()
	inst, err := compute.Descriptor().New(env, kit.Site{Region: "RegionOne", Regions: []string{"RegionOne"}}, opts)
	if err != nil {
		t.Fatalf("compute.Descriptor().New: %v", err)
	}
	c := inst.(*compute.Compute)
	t.Cleanup(c.Close)
	return c
}

// newInEnv is unstartedInEnv, started on a loopback port.
func newInEnv(t testing.TB, env kit.Env, opts ...compute.Option) *compute.Compute {
	t.Helper()
	return kit.Start(t, unstartedInEnv(t, env, opts...))
}

// mustUnstarted is compute.NewUnstarted, which must not fail.
func mustUnstarted(opts ...compute.Option) *compute.Compute {
	c, err := compute.NewUnstarted(opts...)
	if err != nil {
		panic(err)
	}
	return c
}
