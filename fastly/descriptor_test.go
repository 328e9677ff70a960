package fastly_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/fastly"
	"github.com/mockcloud/mockcloud/kit"
)

func TestDescriptor(t *testing.T) {
	d := fastly.Descriptor()
	if d.Name != "fastly" || d.Prefix != "/fastly" || d.PerRegion || d.OwnOrigin || len(d.Catalog) != 0 || d.Presets != nil || len(d.RootPaths) != 0 {
		t.Errorf("descriptor = %+v", d)
	}

	// In a Cloud it runs on the Cloud's clock and journal, with its own
	// options; it is not per region.
	clk := clock.New(time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC))
	journal := fake.NewJournal(0)
	inst, err := d.New(kit.Env{Clock: clk, Journal: journal}, kit.Site{Regions: []string{"ORD"}}, []fake.Option{fastly.WithKeys("cloud-key")})
	if err != nil {
		t.Fatal(err)
	}
	f := inst.(*fastly.Fastly)
	if f.Name() != "fastly" || f.Region() != "" || f.Clock() != clk {
		t.Errorf("instance: name %q, region %q, clock %p (want %p)", f.Name(), f.Region(), f.Clock(), clk)
	}
	a := startAPI(t, f)
	a.key = "cloud-key"
	if m := a.must(a.get("/current_customer"), 200).obj(t); m["created_at"] != "2031-02-03T04:05:06Z" {
		t.Errorf("customer created %v, want the Cloud's clock", m["created_at"])
	}
	a.key = "other"
	checkError(t, a.get("/current_customer"), 401, "Provided credentials are missing or invalid", "")
	if n := len(journal.Requests("fastly")); n != 2 {
		t.Errorf("the Cloud's journal holds %d fastly requests, want 2", n)
	}
}

// otherConfig stands for another package's configuration.
type otherConfig struct{}

func TestOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  fake.Option
		want string
	}{
		{"clock", fake.WithClock(clock.New(time.Now())), "WithClock"},
		{"seed", fake.WithSeed(3), "WithSeed"},
		{"region", fake.WithRegion("ORD"), "WithRegion"},
	} {
		t.Run("in a Cloud: "+tc.name, func(t *testing.T) {
			_, err := fastly.Descriptor().New(kit.Env{}, kit.Site{}, []fake.Option{tc.opt})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Descriptor().New(%s) = %v, want an error naming %s", tc.name, err, tc.want)
			}
		})
	}
	foreign := fake.Configure(func(*otherConfig) {})
	if _, err := fastly.NewUnstarted(foreign); err == nil || !strings.Contains(err.Error(), "fastly") {
		t.Errorf("NewUnstarted(another package's option) = %v, want an error", err)
	}
	if _, err := fastly.Descriptor().New(kit.Env{}, kit.Site{}, []fake.Option{foreign}); err == nil {
		t.Errorf("Descriptor().New(another package's option) accepted it")
	}
	ft := &fatalRecorder{}
	func() {
		defer func() { _ = recover() }()
		fastly.New(ft, foreign)
	}()
	if !ft.fatal {
		t.Errorf("New with a bad option did not call Fatalf")
	}
}

// Registering behaviors draws no IDs: the same seed gives the same service
// IDs whatever behaviors were registered first.
func TestIDsIgnoreBehaviors(t *testing.T) {
	ids := func(noise bool) []string {
		f, err := fastly.NewUnstarted(fake.WithSeed(11))
		if err != nil {
			t.Fatal(err)
		}
		if noise {
			f.FailActivations("", 1)
			f.SlowActivations("x", time.Minute)
		}
		var out []string
		for i := 0; i < 3; i++ {
			s, err := f.AddService(fastly.Service{Name: fmt.Sprint("s", i)})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s.ID)
		}
		return out
	}
	if a, b := ids(false), ids(true); !cmp.Equal(a, b) {
		t.Errorf("IDs shifted by behaviors: %v vs %v", a, b)
	}
	f, _ := fastly.NewUnstarted()
	first := f.FailActivations("", 0)
	second := f.SlowActivations("", time.Second)
	if first != "activation-1" || second != "activation-2" {
		t.Errorf("behavior IDs %q, %q", first, second)
	}
}

func TestCheckService(t *testing.T) {
	f, err := fastly.NewUnstarted()
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.AddService(fastly.Service{Name: "checked", Versions: []fastly.Version{{Domains: []fastly.Domain{{Name: "c.example.com"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	ignoreTimes := cmpopts.IgnoreTypes(time.Time{})
	if !f.CheckService(t, s) {
		t.Errorf("CheckService of the stored copy failed")
	}
	byName := fastly.Service{Name: "checked", Type: "vcl", CustomerID: f.Customer().ID, ID: "",
		Versions: []fastly.Version{{Number: 1, Domains: []fastly.Domain{{Name: "c.example.com"}}, Settings: fastly.DefaultSettings()}}}
	rec := &fatalRecorder{}
	if f.CheckService(rec, byName, ignoreTimes) || !strings.Contains(rec.errors, "-want +got") || !strings.Contains(rec.errors, "ID") {
		t.Errorf("CheckService by name without the ID: report %q", rec.errors)
	}
	byName.ID = s.ID
	if !f.CheckService(t, byName, ignoreTimes) {
		t.Errorf("CheckService with times ignored failed")
	}
	rec = &fatalRecorder{}
	if f.CheckService(rec, fastly.Service{ID: "nope"}) || !strings.Contains(rec.errors, "not found") {
		t.Errorf("CheckService of a missing service: report %q", rec.errors)
	}
}

// Every route has its own op, and the ops are the Op constants.
func TestOps(t *testing.T) {
	f, _ := fastly.NewUnstarted()
	want := []string{
		fastly.OpCurrentCustomer, fastly.OpCurrentUser, fastly.OpTokenSelf, fastly.OpRevokeTokenSelf,
		fastly.OpPurgeAll, fastly.OpPurgeKey, fastly.OpPurgeKeys, fastly.OpPurgeURL,
		fastly.OpListServices, fastly.OpCreateService, fastly.OpSearchService, fastly.OpGetService,
		fastly.OpUpdateService, fastly.OpDeleteService, fastly.OpServiceDetails, fastly.OpServiceDomain,
		fastly.OpListVersions, fastly.OpCreateVersion, fastly.OpGetVersion, fastly.OpUpdateVersion, fastly.OpCloneVersion,
		fastly.OpActivateVersion, fastly.OpDeactivateVersion, fastly.OpLockVersion, fastly.OpValidateVersion,
		fastly.OpCheckDomains, fastly.OpCheckDomain, fastly.OpSetMainVCL, fastly.OpDownloadVCL, fastly.OpGetDictionaryInfo,
		fastly.OpGetSettings, fastly.OpUpdateSettings, fastly.OpGetDynamicSnippet, fastly.OpUpdateDynamicSnippet,
		fastly.OpListDictionaryItems, fastly.OpBatchDictionaryItems, fastly.OpCreateDictionaryItem, fastly.OpGetDictionaryItem,
		fastly.OpUpdateDictionaryItem, fastly.OpUpsertDictionaryItem, fastly.OpDeleteDictionaryItem,
	}
	for _, kind := range []string{"domain", "backend", "healthcheck", "condition", "header", "cache_settings", "request_settings",
		"response_object", "gzip", "snippet", "vcl", "logging.syslog", "dictionary"} {
		for _, action := range []string{"list", "create", "get", "update", "delete"} {
			want = append(want, "fastly."+kind+"."+action)
		}
	}
	if diff := cmp.Diff(want, f.Ops(), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("ops (-want +got):\n%s", diff)
	}
}

// fatalRecorder is a fake.TB that records what a helper reports.
type fatalRecorder struct {
	errors string
	fatal  bool
}

func (r *fatalRecorder) Helper()             {}
func (r *fatalRecorder) Cleanup(func())      {}
func (r *fatalRecorder) Logf(string, ...any) {}
func (r *fatalRecorder) Errorf(format string, args ...any) {
	r.errors += fmt.Sprintf(format, args...) + "\n"
}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.fatal = true
	r.Errorf(format, args...)
	panic("fatal")
}
