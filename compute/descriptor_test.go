package compute_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

func TestDescriptor(t *testing.T) {
	d := compute.Descriptor()
	got := struct {
		Name, Prefix string
		PerRegion    bool
		Catalog      []kit.CatalogEntry
		Presets      map[string]any
	}{d.Name, d.Prefix, d.PerRegion, d.Catalog, d.Presets()}
	want := struct {
		Name, Prefix string
		PerRegion    bool
		Catalog      []kit.CatalogEntry
		Presets      map[string]any
	}{"compute", "/compute", true, []kit.CatalogEntry{
		{Type: "compute", Name: "nova", Path: "/v2.1/{project_id}"},
		{Type: "compute", Name: "cloudServersOpenStack", Path: "/v2/{tenant_id}"},
		{Type: "compute", Name: "cloudServersBehavior", Path: "/control/v2/{tenant_id}"},
	}, map[string]any{"servers": compute.Presets()}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptor (-want +got):\n%s", diff)
	}
}

// TestOptionsInACloud: a Cloud owns the clock, the seed and the region,
// so a compute it builds refuses them; the package's own options apply.
func TestOptionsInACloud(t *testing.T) {
	site := kit.Site{Region: "DFW", Regions: []string{"DFW"}}
	for _, o := range []compute.Option{fake.WithSeed(2), fake.WithRegion("ORD"), fake.WithClock(clock.New(clock.DefaultStart()))} {
		if _, err := compute.Descriptor().New(kit.Env{}, site, []fake.Option{o}); err == nil {
			t.Errorf("a shared option was accepted in a Cloud")
		}
	}
	inst, err := compute.Descriptor().New(kit.Env{}, site, []fake.Option{compute.WithQuota(compute.Quota{Instances: 3})})
	if err != nil {
		t.Fatal(err)
	}
	c := inst.(*compute.Compute)
	defer c.Close()
	if c.Region() != "DFW" || c.Quota("any").Instances != 3 {
		t.Errorf("region %q, quota %+v", c.Region(), c.Quota("any"))
	}
	if _, err := compute.NewUnstarted(fake.Configure(func(*struct{ x int }) {})); err == nil {
		t.Error("an option of another package was accepted")
	}
}

// TestRegion: RegionOne standalone unless fake.WithRegion says otherwise;
// the journal names the region.
func TestRegion(t *testing.T) {
	if c := compute.New(t); c.Region() != "RegionOne" {
		t.Errorf("default region %q", c.Region())
	}
	c := compute.New(t, fake.WithRegion("ORD"))
	kittest.New(t, c.URL(), c.Client()).Get("/v2.1/p/servers").Expect(http.StatusOK)
	if reqs := c.Requests(); c.Region() != "ORD" || len(reqs) != 1 || reqs[0].Region != "ORD" || reqs[0].Service != "compute" {
		t.Errorf("region %q, journal %+v", c.Region(), reqs)
	}
}

// TestStreamsPerRegion: in one Env, each region draws its IDs from a
// stream of its own: using one region never shifts another's IDs, and
// registering a behavior shifts none.
func TestStreamsPerRegion(t *testing.T) {
	create := func(c *compute.Compute) compute.Server {
		s, err := c.AddServer(compute.Server{ProjectID: "p", FlavorID: "1", ImageID: compute.DefaultImageID})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	build := func(env kit.Env, region string) *compute.Compute {
		inst, err := compute.Descriptor().New(env, kit.Site{Region: region, Regions: []string{"DFW", "ORD"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(inst.Close)
		return inst.(*compute.Compute)
	}
	quiet := create(build(kit.Env{Seed: 5}, "DFW"))

	env := kit.Env{Seed: 5}.Complete()
	dfw, ord := build(env, "DFW"), build(env, "ORD")
	for i := 0; i < 3; i++ {
		create(ord)
	}
	if _, err := dfw.AddCreateBehavior(compute.CreateBehavior{Outcomes: []compute.Outcome{{Kind: compute.Succeed}}}); err != nil {
		t.Fatal(err)
	}
	busy := create(dfw)
	if diff := cmp.Diff(quiet, busy, cmpopts.IgnoreFields(compute.Server{}, "CPUTime")); diff != "" {
		t.Errorf("DFW's first server differs once ORD was used (-quiet +busy):\n%s", diff)
	}
	if other := create(build(kit.Env{Seed: 5}, "ORD")); other.ID == quiet.ID {
		t.Error("DFW and ORD draw the same IDs")
	}
}

// recordingTB is a fake.TB that records what a Check helper reports.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestCheckServer(t *testing.T) {
	c := compute.New(t, fake.WithSeed(1))
	s, err := c.AddServer(compute.Server{ProjectID: "p", FlavorID: "1", ImageID: compute.DefaultImageID, Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingTB{TB: t}
	if !c.CheckServer(rec, s) || len(rec.errors) != 0 {
		t.Errorf("CheckServer of the stored copy: %v", rec.errors)
	}
	want := s
	want.Name = "db"
	if c.CheckServer(rec, want) || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], `"db"`) || !strings.Contains(rec.errors[0], `"web"`) {
		t.Errorf("CheckServer of another name: %q", rec.errors)
	}
	rec.errors = nil
	if !c.CheckServer(rec, want, cmpopts.IgnoreFields(compute.Server{}, "Name")) {
		t.Errorf("CheckServer with the name ignored: %q", rec.errors)
	}
	rec.errors = nil
	if c.CheckServer(rec, compute.Server{ID: "nope"}) || len(rec.errors) != 1 {
		t.Errorf("CheckServer of no server: %q", rec.errors)
	}
}
