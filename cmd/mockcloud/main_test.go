package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud"
)

// syncBuffer is a log the server goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freePorts are flags that put the server and Triton's origins on ports
// the system hands out, so tests do not fight over 8900-8904.
func freePorts() []string {
	return []string{"-addr", "127.0.0.1:0", "-triton-addr", "127.0.0.1:0", "-vmapi-addr", "127.0.0.1:0",
		"-cnapi-addr", "127.0.0.1:0", "-napi-addr", "127.0.0.1:0"}
}

// startServer runs the command's server on a free port until the test ends.
func startServer(t *testing.T, args ...string) (base string, log *syncBuffer) {
	t.Helper()
	cfg, err := parseFlags(append(freePorts(), args...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	log = &syncBuffer{}
	go func() { done <- run(ctx, cfg, func(addr string) { ready <- addr }, log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not shut down")
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr, log
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

func TestServerAuthenticatesAndTicks(t *testing.T) {
	base, log := startServer(t, "-frozen")
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	var help map[string]map[string]any
	json.NewDecoder(resp.Body).Decode(&help)
	resp.Body.Close()
	if resp.StatusCode != 200 || help["mockcloud"]["auth"] == nil {
		t.Errorf("GET / = %d %v", resp.StatusCode, help)
	}

	for _, tc := range []struct{ path, body string }{
		{"/identity/v2.0/tokens", `{"auth":{"passwordCredentials":{"username":"u","password":"p"}}}`},
		{"/identity/v3/auth/tokens", `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"u","domain":{"id":"default"},"password":"p"}}}}}`},
	} {
		resp, err := http.Post(base+tc.path, "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 201 {
			t.Errorf("POST %s = %d", tc.path, resp.StatusCode)
		}
	}

	// Frozen: time moves only when ticked, by exactly the amount.
	tick := func() string {
		resp, err := http.Post(base+"/mimic/v1.1/tick", "application/json", strings.NewReader(`{"amount": 60}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Now string }
		json.NewDecoder(resp.Body).Decode(&out)
		return out.Now
	}
	// The frozen clock starts at the wall-clock instant the server starts.
	a, b := tick(), tick()
	ta, errA := time.Parse("2006-01-02T15:04:05.000000Z", a)
	tb, errB := time.Parse("2006-01-02T15:04:05.000000Z", b)
	if errA != nil || errB != nil || tb.Sub(ta) != time.Minute {
		t.Errorf("frozen ticks = %s, %s: want a minute apart", a, b)
	}
	if d := time.Until(ta); d < 50*time.Second || d > 61*time.Second {
		t.Errorf("first tick of 60 s = %s, %s from the wall clock: want the start to be about now", a, d)
	}
	if !strings.Contains(log.String(), "mockcloud serving on "+base) {
		t.Errorf("log = %q", log.String())
	}
}

func TestRealTimeClockMoves(t *testing.T) {
	base, _ := startServer(t)
	now := func() time.Time {
		resp, err := http.Get(base + "/mockcloud/v1/time")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Now time.Time }
		json.NewDecoder(resp.Body).Decode(&out)
		return out.Now
	}
	got := now()
	if d := time.Since(got); d < -time.Minute || d > time.Minute {
		t.Errorf("real-time clock reads %v, wall clock %v", got, time.Now())
	}
	resp, err := http.Post(base+"/mockcloud/v1/tick", "application/json", strings.NewReader(`{"amount": 3600}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := now().Sub(got); d < time.Hour || d > time.Hour+time.Minute {
		t.Errorf("after a one-hour tick the clock moved %v", d)
	}
}

func TestFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-addr", ":1", "-seed", "9", "-no-auth", "-strict", "-regions", "A,B"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.addr != ":1" || cfg.seed != 9 || !cfg.noAuth || !cfg.strict || cfg.regions != "A,B" {
		t.Errorf("cfg = %+v", cfg)
	}
	cloud, clk, err := build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer clk.Close()
	defer cloud.Close()
	if got := cloud.Regions(); len(got) != 2 || got[0] != "A" || cloud.Env().Auth != nil || !cloud.Identity().IsStrict() {
		t.Errorf("built cloud: regions %v, auth %v, strict %v", got, cloud.Env().Auth != nil, cloud.Identity().IsStrict())
	}
	if _, err := parseFlags([]string{"-bogus"}, io.Discard); err == nil {
		t.Error("unknown flag accepted")
	}
	if err := run(context.Background(), config{addr: "256.0.0.1:99999"}, nil, io.Discard); err == nil {
		t.Error("run on an impossible address succeeded")
	}
}

func TestMesosConfigFlag(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/mesos.json"
	if err := os.WriteFile(good, []byte(`{"agents":[{"hostname":"a1","resources":{"cpus":4,"mem":1024}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	base, _ := startServer(t, "-frozen", "-mesos-config", good)
	resp, err := http.Get(base + "/mesos/master/slaves")
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Slaves []struct {
			Hostname string `json:"hostname"`
		} `json:"slaves"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if len(out.Slaves) != 1 || out.Slaves[0].Hostname != "a1" {
		t.Errorf("slaves = %+v, want the one agent from the config", out.Slaves)
	}
	for _, bad := range []string{dir + "/missing.json", writeFile(t, dir+"/bad.json", `{"agents":`)} {
		if _, _, err := build(config{mesosConfig: bad}); err == nil {
			t.Errorf("build with %s: want an error", bad)
		}
	}
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRegionsFlag: spaces after commas are allowed; names that cannot be a
// path segment, or that repeat, are an error rather than a panic.
func TestRegionsFlag(t *testing.T) {
	cloud, clk, err := build(config{frozen: true, regions: "DFW, ORD ,IAD"})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	defer clk.Close()
	defer cloud.Close()
	if got := strings.Join(cloud.Regions(), ","); got != "DFW,ORD,IAD" {
		t.Errorf("regions = %q", got)
	}
	for _, bad := range []string{"A,,B", "A,A", "A/B", "A B", "DFW,"} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("-regions %q panicked: %v", bad, p)
				}
			}()
			if _, _, err := build(config{frozen: true, regions: bad}); err == nil {
				t.Errorf("-regions %q: want an error", bad)
			}
		}()
	}
}

// TestProfileMimic: -profile mimic serves Mimic's contract: Mimic's regions
// unless -regions names others, servers from any refs without a token,
// ACTIVE at once; an unknown profile is a flag error.
func TestProfileMimic(t *testing.T) {
	base, _ := startServer(t, "-frozen", "-profile", "mimic", "-services", "compute")
	resp, err := http.Post(base+"/identity/v2.0/tokens", "application/json",
		strings.NewReader(`{"auth":{"passwordCredentials":{"username":"u","password":"p"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var access struct {
		Access struct {
			Token struct {
				Expires string              `json:"expires"`
				Tenant  struct{ ID string } `json:"tenant"`
			} `json:"token"`
			User struct {
				DefaultRegion string `json:"RAX-AUTH:defaultRegion"`
			} `json:"user"`
		} `json:"access"`
	}
	json.NewDecoder(resp.Body).Decode(&access)
	resp.Body.Close()
	if access.Access.User.DefaultRegion != "DFW" {
		t.Errorf("defaultRegion = %q", access.Access.User.DefaultRegion)
	}
	exp, err := time.Parse(time.RFC3339, access.Access.Token.Expires)
	if err != nil || time.Until(exp) < 23*time.Hour {
		t.Errorf("expires %q: want a day from now", access.Access.Token.Expires)
	}
	nova := base + "/compute/ORD/v2/" + access.Access.Token.Tenant.ID
	resp, err = http.Post(nova+"/servers", "application/json",
		strings.NewReader(`{"server":{"name":"a","imageRef":"any-image","flavorRef":"any-flavor"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("create with any refs and no token: %d", resp.StatusCode)
	}

	cloud, clk, err := build(config{frozen: true, profile: mockcloud.ProfileMimic, regions: "RegionOne,DFW,ORD,IAD"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cloud.Regions(), ","); got != "ORD,DFW,IAD" {
		t.Errorf("regions without -regions = %q, want Mimic's", got)
	}
	cloud.Close()
	clk.Close()
	cloud, clk, err = build(config{frozen: true, profile: mockcloud.ProfileMimic, regions: "DFW", regionsSet: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cloud.Regions(), ","); got != "DFW" {
		t.Errorf("regions with -regions DFW = %q", got)
	}
	cloud.Close()
	clk.Close()

	if _, err := parseFlags([]string{"-profile", "nope"}, io.Discard); err == nil {
		t.Errorf("-profile nope: want an error")
	}
	if cfg, err := parseFlags([]string{"-profile", "mimic", "-regions", "IAD"}, io.Discard); err != nil || cfg.profile != mockcloud.ProfileMimic || !cfg.regionsSet {
		t.Errorf("-profile mimic -regions IAD: %+v, %v", cfg, err)
	}
}
