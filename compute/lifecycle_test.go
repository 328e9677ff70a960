package compute_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

func TestSetServerStatus(t *testing.T) {
	tests := []struct {
		status string
		vm     string
		task   any
		power  float64
	}{
		{"ACTIVE", "active", nil, 1},
		{"BUILD", "building", "spawning", 0},
		{"ERROR", "error", nil, 4},
		{"SHUTOFF", "stopped", nil, 4},
		{"PAUSED", "paused", nil, 3},
		{"SUSPENDED", "suspended", nil, 7},
		{"RESCUE", "rescued", nil, 1},
		{"VERIFY_RESIZE", "resized", nil, 1},
		{"REVERT_RESIZE", "resized", "resize_reverting", 1},
		{"SHELVED", "shelved", nil, 4},
		{"SHELVED_OFFLOADED", "shelved_offloaded", nil, 4},
		{"REBOOT", "active", "rebooting", 1},
		{"HARD_REBOOT", "active", "rebooting_hard", 1},
		{"REBUILD", "active", "rebuilding", 0},
		{"RESIZE", "active", "resize_migrating", 1},
		{"PASSWORD", "active", "updating_password", 1},
		{"MIGRATING", "active", "migrating", 1},
		{"SOFT_DELETED", "soft-delete", nil, 4},
	}
	for _, tc := range tests {
		t.Run(tc.status, func(t *testing.T) {
			a := newNova(t)
			id := a.activeServer("target")
			if err := a.srv.SetServerStatus(id, strings.ToLower(tc.status)); err != nil {
				t.Fatal(err)
			}
			a.advance(time.Hour) // nothing is pending: it stays
			s := a.server(id)
			got := []any{s["status"], s["OS-EXT-STS:vm_state"], s["OS-EXT-STS:task_state"], s["OS-EXT-STS:power_state"]}
			if diff := cmp.Diff([]any{tc.status, tc.vm, tc.task, tc.power}, got); diff != "" {
				t.Errorf("states (-want +got):\n%s", diff)
			}
			_, hasFault := s["fault"]
			if hasFault != (tc.status == "ERROR") {
				t.Errorf("fault present = %v", hasFault)
			}
			if tc.status == "ERROR" {
				want := map[string]any{"code": float64(500), "message": "Set to ERROR by the test", "details": "",
					"created": novaTime(a.srv.Clock().Now().Add(-time.Hour))}
				if diff := cmp.Diff(want, s["fault"]); diff != "" {
					t.Errorf("fault (-want +got):\n%s", diff)
				}
			}
		})
	}

	a := newNova(t)
	id := a.createNamed("building")
	// Setting a status cancels what was pending: the build never finishes.
	if err := a.srv.SetServerStatus(id, "ERROR"); err != nil {
		t.Fatal(err)
	}
	a.advance(time.Hour)
	if st := a.status(id); st != "ERROR" {
		t.Errorf("after the build time: %s", st)
	}
	// ACTIVE marks the launch if there was none.
	if err := a.srv.SetServerStatus(id, "ACTIVE"); err != nil {
		t.Fatal(err)
	}
	if s, _ := a.srv.Server(id); !s.LaunchedAt.Equal(a.srv.Clock().Now()) {
		t.Errorf("launched_at %v", s.LaunchedAt)
	}
	// DELETED deletes.
	if err := a.srv.SetServerStatus(id, "DELETED"); err != nil {
		t.Fatal(err)
	}
	a.get("/servers/"+id).want(t, http.StatusNotFound)
	if s, _ := a.srv.Server(id); !s.Deleted || s.TerminatedAt.IsZero() {
		t.Errorf("after DELETED: %+v", s)
	}
	for _, tc := range []struct{ id, status string }{{id, "ACTIVE"}, {"nope", "ACTIVE"}, {a.createNamed("x"), "ON_FIRE"}} {
		if err := a.srv.SetServerStatus(tc.id, tc.status); err == nil {
			t.Errorf("SetServerStatus(%s, %s): no error", tc.id, tc.status)
		}
	}
}

func TestScheduleServerStatus(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("doomed")
	if err := a.srv.ScheduleServerStatus(id, "error", 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	a.advance(10*time.Minute - time.Second)
	if st := a.status(id); st != "ACTIVE" {
		t.Errorf("a second before: %s", st)
	}
	a.advance(time.Second)
	s := a.server(id)
	if s["status"] != "ERROR" || s["fault"].(map[string]any)["message"] != "Scheduled ERROR by the test" {
		t.Errorf("at the time: %v %v", s["status"], s["fault"])
	}
	if s["updated"] != novaTime(a.srv.Clock().Now()) {
		t.Errorf("updated %v", s["updated"])
	}

	// A scheduled ACTIVE launches a server stuck in BUILD; a scheduled
	// DELETED deletes and gives the quota back.
	q := compute.DefaultQuota()
	q.Instances = 2
	b := newNova(t, compute.WithQuota(q))
	stuck := b.createNamed("stuck")
	if err := b.srv.SetServerStatus(stuck, "BUILD"); err != nil {
		t.Fatal(err)
	}
	if err := b.srv.ScheduleServerStatus(stuck, "ACTIVE", time.Hour); err != nil {
		t.Fatal(err)
	}
	b.advance(time.Hour)
	if s, _ := b.srv.Server(stuck); s.Status != "ACTIVE" || !s.LaunchedAt.Equal(start.Add(time.Hour)) || s.PowerState != compute.PowerRunning {
		t.Errorf("scheduled ACTIVE: %s launched %v power %d", s.Status, s.LaunchedAt, s.PowerState)
	}
	other := b.createNamed("other")
	if err := b.srv.ScheduleServerStatus(other, "DELETED", time.Minute); err != nil {
		t.Fatal(err)
	}
	b.do("POST", "/servers", novaBody(nil)).want(t, http.StatusForbidden)
	b.advance(time.Minute)
	b.get("/servers/"+other).want(t, http.StatusNotFound)
	b.createNamed("third") // the quota is free again

	// A delete cancels what was scheduled.
	c := newNova(t)
	x := c.activeServer("x")
	if err := c.srv.ScheduleServerStatus(x, "ERROR", time.Minute); err != nil {
		t.Fatal(err)
	}
	c.do("DELETE", "/servers/"+x, "").want(t, http.StatusNoContent)
	c.advance(time.Hour)
	if s, _ := c.srv.Server(x); s.Status != "DELETED" || s.Fault != nil {
		t.Errorf("deleted server: %s fault %+v", s.Status, s.Fault)
	}
	for _, tc := range []struct{ id, status string }{{x, "ERROR"}, {"nope", "ERROR"}, {c.createNamed("y"), "MELTED"}} {
		if err := c.srv.ScheduleServerStatus(tc.id, tc.status, time.Second); err == nil {
			t.Errorf("ScheduleServerStatus(%s, %s): no error", tc.id, tc.status)
		}
	}
}

func TestAddServer(t *testing.T) {
	q := compute.DefaultQuota()
	q.Instances = 0 // seeding bypasses quota
	a := newNova(t, compute.WithQuota(q))
	in := compute.Server{ProjectID: "demo", FlavorID: "2", Name: "seeded",
		Metadata: map[string]string{"a": "b"}, Tags: []string{"x"}, SecurityGroups: []string{"web"}}
	got, err := a.srv.AddServer(in)
	if err != nil {
		t.Fatal(err)
	}
	now := a.srv.Clock().Now()
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(got.ID) {
		t.Errorf("ID %q", got.ID)
	}
	want := compute.Server{
		ID: got.ID, Name: "seeded", ProjectID: "demo", UserID: "user-demo", Status: "ACTIVE", VMState: "active",
		PowerState: compute.PowerRunning, FlavorID: "2", Metadata: map[string]string{"a": "b"}, Tags: []string{"x"},
		AvailabilityZone: "nova", Host: "compute-0", HypervisorHostname: "compute-0.mockcloud.test",
		InstanceName: "instance-00000001", DiskConfig: "MANUAL", SecurityGroups: []string{"web"},
		Progress: 100, Created: now, Updated: now, LaunchedAt: now, MemoryMB: 2048, VCPUs: 1, DiskGB: 20,
		AccessIPv4: "203.0.113.3", AccessIPv6: "2001:db8::2",
	}
	opts := cmpopts.IgnoreFields(compute.Server{}, "Addresses", "Interfaces")
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("AddServer (-want +got):\n%s", diff)
	}
	if len(got.Addresses["private"]) != 1 || len(got.Addresses["public"]) != 2 || len(got.Interfaces) != 2 {
		t.Errorf("addresses %+v interfaces %+v", got.Addresses, got.Interfaces)
	}
	// What the caller keeps is the caller's.
	in.Metadata["a"] = "changed"
	in.Tags[0] = "changed"
	in.SecurityGroups[0] = "changed"
	got.Metadata["a"] = "changed"
	stored, _ := a.srv.Server(got.ID)
	if stored.Metadata["a"] != "b" || stored.Tags[0] != "x" || stored.SecurityGroups[0] != "web" {
		t.Errorf("the caller's slices and maps leak into the fake: %+v", stored)
	}
	// It is served over HTTP in its project only.
	if s := a.server(got.ID); s["status"] != "ACTIVE" || s["name"] != "seeded" {
		t.Errorf("GET seeded: %v %v", s["status"], s["name"])
	}
	a.as("other").get("/servers/"+got.ID).want(t, http.StatusNotFound)

	tests := []struct {
		name  string
		in    compute.Server
		check func(t *testing.T, s compute.Server)
	}{
		{"short ID", compute.Server{ID: "abc", ProjectID: "demo", FlavorID: "1"}, func(t *testing.T, s compute.Server) {
			if s.ID != "abc" || s.Name != "server-abc" {
				t.Errorf("ID %q name %q", s.ID, s.Name)
			}
		}},
		{"stopped", compute.Server{ProjectID: "demo", FlavorID: "1", VMState: "stopped"}, func(t *testing.T, s compute.Server) {
			if s.Status != "SHUTOFF" || s.PowerState != compute.PowerShutdown || !s.LaunchedAt.IsZero() {
				t.Errorf("%s power %d launched %v", s.Status, s.PowerState, s.LaunchedAt)
			}
		}},
		{"in ERROR with a fault", compute.Server{ProjectID: "demo", FlavorID: "1", VMState: "error",
			Fault: &compute.ServerFault{Code: 500, Message: "boom", Created: now}}, func(t *testing.T, s compute.Server) {
			if s.Status != "ERROR" || s.Fault == nil || s.Fault.Message != "boom" {
				t.Errorf("%s fault %+v", s.Status, s.Fault)
			}
		}},
		{"launched long ago", compute.Server{ProjectID: "demo", FlavorID: "1", LaunchedAt: now.Add(-24 * time.Hour), Created: now.Add(-25 * time.Hour)},
			func(t *testing.T, s compute.Server) {
				if !s.LaunchedAt.Equal(now.Add(-24*time.Hour)) || !s.Created.Equal(now.Add(-25*time.Hour)) {
					t.Errorf("launched %v created %v", s.LaunchedAt, s.Created)
				}
			}},
		{"no addresses", compute.Server{ProjectID: "demo", FlavorID: "1", Addresses: map[string][]compute.Address{}}, func(t *testing.T, s compute.Server) {
			if len(s.Addresses) != 0 {
				t.Errorf("addresses %v", s.Addresses)
			}
		}},
		{"given addresses", compute.Server{ProjectID: "demo", FlavorID: "1", Addresses: map[string][]compute.Address{
			"lan": {{Addr: "192.168.0.5", Version: 4, Type: "fixed", MAC: "fa:16:3e:00:00:01"}}}}, func(t *testing.T, s compute.Server) {
			if diff := cmp.Diff(map[string][]compute.Address{"lan": {{Addr: "192.168.0.5", Version: 4, Type: "fixed", MAC: "fa:16:3e:00:00:01"}}}, s.Addresses); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := a.srv.AddServer(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
		})
	}
	for _, bad := range []compute.Server{{ProjectID: "demo"}, {ProjectID: "demo", FlavorID: "no-such-flavor"}, {FlavorID: "1"}} {
		if _, err := a.srv.AddServer(bad); err == nil {
			t.Errorf("AddServer(%+v): no error", bad)
		}
	}
}

func TestServerCopies(t *testing.T) {
	a := newNova(t)
	a.secGroups("web")
	id := a.create(map[string]any{"metadata": map[string]string{"k": "v"}, "security_groups": []map[string]string{{"name": "web"}}})
	a.srv.SetServerStatus(id, "ERROR")
	s, _ := a.srv.Server(id)
	s.Metadata["k"] = "mutated"
	s.Metadata["new"] = "x"
	s.SecurityGroups[0] = "mutated"
	s.Addresses["private"][0].Addr = "mutated"
	s.Addresses["extra"] = nil
	s.Interfaces[0].FixedIPs[0].IPAddress = "mutated"
	s.Fault.Message = "mutated"
	list := a.srv.Servers()
	list[0].Metadata["k"] = "mutated too"
	list[0].Tags = append(list[0].Tags, "t")

	again, _ := a.srv.Server(id)
	if again.Metadata["k"] != "v" || len(again.Metadata) != 1 || again.SecurityGroups[0] != "web" ||
		again.Addresses["private"][0].Addr == "mutated" || len(again.Addresses) != 2 ||
		again.Interfaces[0].FixedIPs[0].IPAddress == "mutated" || again.Fault.Message == "mutated" || len(again.Tags) != 0 {
		t.Errorf("mutating copies changed the fake: %+v", again)
	}
	if md := a.server(id)["metadata"]; !cmp.Equal(map[string]any{"k": "v"}, md) {
		t.Errorf("API metadata %v", md)
	}
}

func TestServersOrderAndDeleted(t *testing.T) {
	a := newNova(t)
	first := a.createNamed("first")
	a.advance(time.Second)
	second := a.createNamed("second")
	a.advance(time.Second)
	third := a.as("other").createNamed("third")
	var ids []string
	for _, s := range a.srv.Servers() {
		ids = append(ids, s.ID)
	}
	if diff := cmp.Diff([]string{first, second, third}, ids); diff != "" {
		t.Errorf("Servers() oldest first, all projects (-want +got):\n%s", diff)
	}
	a.do("DELETE", "/servers/"+first, "").want(t, http.StatusNoContent)
	a.advance(compute.DefaultDurations().Delete)
	if n := len(a.srv.Servers()); n != 2 {
		t.Errorf("Servers() after a delete: %d", n)
	}
	if s, ok := a.srv.Server(first); !ok || !s.Deleted {
		t.Errorf("Server(deleted) = %v, %v", s.Deleted, ok)
	}
	if _, ok := a.srv.Server("nope"); ok {
		t.Error("Server(nope) found")
	}
}

func TestCPUTime(t *testing.T) {
	a := newNova(t)
	id := a.createNamed("busy")
	cpu := func() time.Duration {
		s, _ := a.srv.Server(id)
		return s.CPUTime
	}
	steps := []struct {
		action string
		wait   time.Duration
		want   time.Duration
	}{
		{"", 10 * time.Second, 0},            // building
		{"", 20 * time.Second, 0},            // ACTIVE just now
		{"", time.Minute, time.Minute},       // running
		{`{"os-stop":null}`, 0, time.Minute}, // powering off: still running
		{"", 5 * time.Second, 65 * time.Second},
		{"", time.Hour, 65 * time.Second}, // SHUTOFF: no CPU
		{`{"os-start":null}`, 5 * time.Second, 65 * time.Second},
		{"", 10 * time.Second, 75 * time.Second},
		{`{"pause":null}`, 2 * time.Second, 77 * time.Second},
		{"", time.Hour, 77 * time.Second}, // PAUSED
		{`{"unpause":null}`, 2 * time.Second, 77 * time.Second},
		{"", 3 * time.Second, 80 * time.Second},
		{`{"reboot":{"type":"SOFT"}}`, 10 * time.Second, 90 * time.Second}, // a soft reboot keeps running
		{`{"reboot":{"type":"HARD"}}`, 20 * time.Second, 90 * time.Second}, // a hard one does not
		{"", time.Second, 91 * time.Second},
	}
	for i, st := range steps {
		if st.action != "" {
			a.action(id, st.action).want(t, http.StatusAccepted)
		}
		a.advance(st.wait)
		if got := cpu(); got != st.want {
			t.Fatalf("step %d (%s, %v): CPUTime %v, want %v", i, st.action, st.wait, got, st.want)
		}
	}
	// Reading does not change it.
	if first, second := cpu(), cpu(); first != second {
		t.Errorf("CPUTime changes on read: %v, then %v", first, second)
	}
}

func TestInstantDurations(t *testing.T) {
	a := newNova(t, compute.WithDurations(compute.Instant()))
	id := a.createNamed("instant")
	s := a.server(id)
	if s["status"] != "ACTIVE" || s["OS-SRV-USG:launched_at"] != start.Format("2006-01-02T15:04:05.000000") || s["progress"] != float64(100) {
		t.Fatalf("just created: %v launched %v progress %v", s["status"], s["OS-SRV-USG:launched_at"], s["progress"])
	}
	steps := []struct{ action, states string }{
		{`{"reboot":{"type":"HARD"}}`, "ACTIVE active <nil> 1"},
		{`{"resize":{"flavorRef":"2"}}`, "VERIFY_RESIZE resized <nil> 1"},
		{`{"confirmResize":null}`, "ACTIVE active <nil> 1"},
		{`{"os-stop":null}`, "SHUTOFF stopped <nil> 4"},
		{`{"os-start":null}`, "ACTIVE active <nil> 1"},
		{`{"rescue":null}`, "RESCUE rescued <nil> 1"},
		{`{"unrescue":null}`, "ACTIVE active <nil> 1"},
		{`{"shelve":null}`, "SHELVED_OFFLOADED shelved_offloaded <nil> 4"},
		{`{"unshelve":null}`, "ACTIVE active <nil> 1"},
		{`{"rebuild":{"imageRef":"` + compute.DefaultImageID + `"}}`, "ACTIVE active <nil> 1"},
	}
	for _, st := range steps {
		if r := a.action(id, st.action); r.Status >= 300 {
			t.Fatalf("%s: %d %s", st.action, r.Status, r.Body)
		}
		if got := a.states(id); got != st.states {
			t.Errorf("after %s: %q, want %q", st.action, got, st.states)
		}
	}
	var out struct {
		ImageID string `json:"image_id"`
	}
	a.at("2.45").action(id, `{"createImage":{"name":"now"}}`).want(t, http.StatusAccepted).into(t, &out)
	if img, _ := a.srv.Image(out.ImageID); img.Status != "ACTIVE" {
		t.Errorf("snapshot %s", img.Status)
	}
	a.do("DELETE", "/servers/"+id, "").want(t, http.StatusNoContent)
	a.get("/servers/"+id).want(t, http.StatusNotFound)

	// Other durations are honoured as given.
	d := compute.DefaultDurations()
	d.Build = 5 * time.Second
	b := newNova(t, compute.WithDurations(d))
	x := b.createNamed("quick")
	b.advance(4 * time.Second)
	if st := b.status(x); st != "BUILD" {
		t.Errorf("at 4 s of 5: %s", st)
	}
	b.advance(time.Second)
	if st := b.status(x); st != "ACTIVE" {
		t.Errorf("at 5 s of 5: %s", st)
	}
}

func TestPlacementOptions(t *testing.T) {
	// Empty lists fall back to defaults instead of panicking.
	a := newNova(t, compute.WithHosts(), compute.WithAvailabilityZones())
	id := a.activeServer("anywhere")
	if s, _ := a.srv.Server(id); s.Host == "" || s.AvailabilityZone == "" {
		t.Errorf("placed on %q in %q", s.Host, s.AvailabilityZone)
	}
	b := newNova(t, compute.WithHosts("h1", "h2"), compute.WithAvailabilityZones("az1", "az2"))
	var hosts []string
	for i := 0; i < 3; i++ {
		s, _ := b.srv.Server(b.createNamed("rr"))
		hosts = append(hosts, s.Host+"/"+s.AvailabilityZone)
	}
	// With no zone asked for, a server is in its host's zone (h2 is az2's,
	// as os-availability-zone/detail shows); in a zone, on its hosts.
	if diff := cmp.Diff([]string{"h1/az1", "h2/az2", "h1/az1"}, hosts); diff != "" {
		t.Errorf("placement (-want +got):\n%s", diff)
	}
	s, _ := b.srv.Server(b.create(map[string]any{"availability_zone": "az2"}))
	if s.AvailabilityZone != "az2" || s.Host != "h2" || s.HypervisorHostname != s.Host+".mockcloud.test" {
		t.Errorf("az2: %+v", s)
	}
}

func TestDeterministicIDs(t *testing.T) {
	run := func(seed int64) []string {
		a := newNova(t, fake.WithSeed(seed))
		r := a.do("POST", "/servers", novaBody(nil)).want(t, http.StatusAccepted).obj(t)["server"].(map[string]any)
		return []string{r["id"].(string), r["adminPass"].(string), a.createNamed("b")}
	}
	one, again, other := run(1), run(1), run(2)
	if !cmp.Equal(one, again) {
		t.Errorf("seed 1 twice: %v and %v", one, again)
	}
	if one[0] == other[0] {
		t.Errorf("seeds 1 and 2 give the same ID %s", one[0])
	}
}
