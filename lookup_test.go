package mockcloud_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/mesos"
)

// fatalTB is a test whose Fatalf is recorded and ends the goroutine, as
// testing.T's does, so a test can see what a Cloud failed it with.
type fatalTB struct {
	*testing.T
	mu    sync.Mutex
	fatal []string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = append(f.fatal, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

// fails runs use on a goroutine of its own and returns what it failed the
// test with ("" when it did not).
func (f *fatalTB) fails(use func()) string {
	f.mu.Lock()
	f.fatal = nil
	f.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		use()
	}()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.fatal, "\n")
}

// TestAccessorsFailLoudly: an accessor for a region the Cloud does not
// serve, or a service it does not mount, fails the test naming what is
// mounted, rather than returning a nil that panics later.
func TestAccessorsFailLoudly(t *testing.T) {
	tb := &fatalTB{T: t}
	c := mockcloud.New(tb, mockcloud.WithServices(compute.Descriptor(), mesos.Descriptor()), mockcloud.WithRegions("RegionOne", "DFW"))
	cases := []struct {
		name string
		use  func()
		want []string // in the message; none: no failure
	}{
		{"known region", func() { c.Compute("RegionOne") }, nil},
		{"region in the wrong case", func() { c.Compute("regionone") }, []string{`Compute("regionone")`, `no region "regionone"`, "regions: RegionOne, DFW", `did you mean "RegionOne"`}},
		{"region not served", func() { c.Compute("ORD") }, []string{`no region "ORD"`, "RegionOne, DFW"}},
		{"service not mounted", func() { c.LoadBalancer("DFW") }, []string{`LoadBalancer("DFW")`, `no service "loadbalancer" is mounted`, "mounted: identity, compute, mesos"}},
		{"fastly not mounted", func() { c.Fastly() }, []string{"Fastly()", "mounted: identity, compute, mesos"}},
		{"mesos mounted", func() { c.Mesos() }, nil},
		{"ServiceURL of an unknown service", func() { c.ServiceURL("comptue", "DFW") }, []string{`ServiceURL: no service "comptue"`, `did you mean "compute"`}},
		{"ServiceURL with a region for a global service", func() { c.ServiceURL("mesos", "DFW") }, []string{"mesos is not per region"}},
		{"ServiceURL of a known one", func() { c.ServiceURL("compute", "DFW") }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tb.fails(tc.use)
			if len(tc.want) == 0 {
				if got != "" {
					t.Errorf("failed the test: %s", got)
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("failure %q does not say %q", got, w)
				}
			}
		})
	}
	if got := c.Compute("DFW"); got == nil || got.Region() != "DFW" {
		t.Errorf("Compute(DFW) = %v", got)
	}
}

// TestAccessorsPanicWithoutATest: a Cloud from NewUnstarted has no test to
// fail, so an accessor for what is not there panics with the message.
func TestAccessorsPanicWithoutATest(t *testing.T) {
	c, err := mockcloud.NewUnstarted(mockcloud.WithRegions("DFW"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer func() {
		v := recover()
		if msg, _ := v.(string); !strings.Contains(msg, `no region "IAD"`) || !strings.Contains(msg, "regions: DFW") {
			t.Errorf("panicked with %v, want the regions named", v)
		}
	}()
	c.Compute("IAD")
	t.Error("Compute(IAD) did not panic")
}

// TestImpossibleFaultsOverHTTP: a fault that could never work is a 400 in
// the control API's format, never a panic or a 500, and is not installed.
func TestImpossibleFaultsOverHTTP(t *testing.T) {
	c := mockcloud.New(t)
	for _, body := range []string{
		`{"status":700}`,
		`{"status":99}`,
		`{"op":"compute.servers.create","skip":-1,"status":503}`,
		`{"times":-2,"status":503}`,
		`{"probability":2,"status":503}`,
		`{"status":"503"}`,
		`{"delay":"soon","status":503}`,
		`{"op":"compute.server.create","status":503}`,
		`{"service":"nova","status":503}`,
		`{"region":"regionone","status":503}`,
		`{"op":`,
		`[]`,
	} {
		var out struct {
			Error struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		code, raw := call(t, c, "POST", "/mockcloud/v1/faults", body, nil, &out)
		if code != 400 || out.Error.Code != 400 || out.Error.Message == "" {
			t.Errorf("POST %s = %d %s, want a 400 {\"error\":{\"code\",\"message\"}}", body, code, raw)
		}
	}
	if n := len(c.Faults()); n != 0 {
		t.Errorf("%d faults installed, want none: %+v", n, c.Faults())
	}
	if code, _ := call(t, c, "GET", "/mockcloud/v1/health", "", nil, nil); code != 200 {
		t.Errorf("the Cloud answers %d after the refused faults", code)
	}
}
