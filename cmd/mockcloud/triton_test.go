package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helpServices is GET /'s map of services to URLs.
func helpServices(t *testing.T, base string) map[string]string {
	t.Helper()
	var help struct {
		Mockcloud struct {
			Services map[string]string `json:"services"`
		} `json:"mockcloud"`
	}
	if code := getJSON(t, base+"/", &help); code != 200 {
		t.Fatalf("GET / = %d", code)
	}
	return help.Mockcloud.Services
}

func getJSON(t *testing.T, u string, out any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Errorf("GET %s: %v", u, err)
		}
	}
	return resp.StatusCode
}

func postJSON(t *testing.T, u, body string, out any) int {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Errorf("POST %s: %v", u, err)
		}
	}
	return resp.StatusCode
}

// TestTritonListeners: each of Triton's APIs has a listener of its own,
// apart from the Cloud's, listed in GET / and in the log, serving its API
// at the root; the control API adds compute nodes CNAPI then lists.
func TestTritonListeners(t *testing.T) {
	base, log := startServer(t, "-frozen")
	services := helpServices(t, base)
	probes := map[string]string{"triton": "/--ping", "triton/vmapi": "/ping", "triton/cnapi": "/ping", "triton/napi": "/ping"}
	hosts := map[string]bool{strings.TrimPrefix(base, "http://"): true}
	for origin, probe := range probes {
		u := services[origin]
		parsed, err := url.Parse(u)
		if err != nil || parsed.Path != "/" || hosts[parsed.Host] {
			t.Errorf("GET / lists %s at %q: want the root of an origin of its own (server at %s)", origin, u, base)
			continue
		}
		hosts[parsed.Host] = true
		if code := getJSON(t, strings.TrimSuffix(u, "/")+probe, nil); code != 200 {
			t.Errorf("%s %s = %d", origin, probe, code)
		}
		if !strings.Contains(log.String(), strings.TrimSuffix(u, "/")) {
			t.Errorf("the log does not name %s's URL %s: %q", origin, u, log.String())
		}
	}
	var added struct {
		Servers []string `json:"servers"`
	}
	if code := postJSON(t, base+"/mockcloud/v1/triton/servers", `{"count": 3}`, &added); code != 201 || len(added.Servers) != 3 {
		t.Fatalf("POST /mockcloud/v1/triton/servers = %d %v", code, added)
	}
	var servers []struct {
		UUID   string `json:"uuid"`
		Status string `json:"status"`
	}
	if code := getJSON(t, services["triton/cnapi"]+"servers", &servers); code != 200 || len(servers) != 3 {
		t.Errorf("CNAPI GET /servers = %d, %d servers, want the 3 added", code, len(servers))
	}
	// The Cloud's own port does not serve CloudAPI at its root.
	if code := getJSON(t, base+"/--ping", nil); code != 404 {
		t.Errorf("GET %s/--ping = %d, want 404", base, code)
	}
}

// TestServicesFlag: -services chooses what is mounted; without triton no
// port is opened beside -addr (a -triton-addr in use does not matter), and
// with it a port in use is an error naming the flag.
func TestServicesFlag(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	base, log := startServer(t, "-services", "compute, mesos", "-triton-addr", busy.Addr().String())
	services := helpServices(t, base)
	for _, want := range []string{"identity", "compute/RegionOne", "mesos"} {
		if services[want] == "" {
			t.Errorf("GET / lacks %s: %v", want, services)
		}
	}
	for name := range services {
		if strings.HasPrefix(name, "triton") || strings.HasPrefix(name, "fastly") || strings.HasPrefix(name, "loadbalancer") {
			t.Errorf("GET / lists %s, not in -services", name)
		}
	}
	if strings.Contains(log.String(), "CloudAPI") {
		t.Errorf("log names CloudAPI without triton: %q", log.String())
	}

	cfg, err := parseFlags(append(freePorts(), "-cnapi-addr", busy.Addr().String()), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), cfg, nil, io.Discard); err == nil || !strings.Contains(err.Error(), "-cnapi-addr") {
		t.Errorf("run with -cnapi-addr in use = %v, want an error naming -cnapi-addr", err)
	}
	// The listeners opened before the failure were closed: -addr's port
	// can be taken again.
	if ln, err := net.Listen("tcp", cfg.addr); err != nil {
		t.Errorf("after a failed run: %v", err)
	} else {
		ln.Close()
	}

	for _, bad := range []string{"bogus", "compute,compute", "compute,,mesos"} {
		if _, err := parseServices(bad); err == nil {
			t.Errorf("-services %q: want an error", bad)
		}
		if err := run(context.Background(), config{addr: "127.0.0.1:0", services: bad}, nil, io.Discard); err == nil {
			t.Errorf("run with -services %q: want an error", bad)
		}
	}
	if got, err := parseServices("all"); err != nil || len(got) != 6 || got[5].Name != "triton" {
		t.Errorf("-services all = %d services, %v", len(got), err)
	}
	good := writeFile(t, t.TempDir()+"/m.json", `{"agents":[]}`)
	if _, _, err := build(config{services: "compute", mesosConfig: good}); err == nil || !strings.Contains(err.Error(), "no mesos") {
		t.Errorf("-mesos-config without mesos: %v", err)
	}
	if cfg, _ := parseFlags(nil, io.Discard); cfg.originAddrs["triton"] != "127.0.0.1:8901" || cfg.originAddrs["triton/napi"] != "127.0.0.1:8904" {
		t.Errorf("default origin addresses = %v", cfg.originAddrs)
	}
}

// TestOriginOnEveryInterface: an origin listening on every interface is
// listed in GET / at the host the client used.
func TestOriginOnEveryInterface(t *testing.T) {
	base, _ := startServer(t, "-napi-addr", ":0")
	u, err := url.Parse(helpServices(t, base)["triton/napi"])
	if err != nil || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" {
		t.Fatalf("NAPI listed at %v (%v), want 127.0.0.1 and its port", u, err)
	}
	if code := getJSON(t, "http://"+u.Host+"/nic_tags", nil); code != 200 {
		t.Errorf("NAPI /nic_tags = %d", code)
	}
}

// TestSIGTERM runs the command itself (this test binary, re-executed as
// main) and stops it with SIGTERM: it exits 0 after "mockcloud stopped".
func TestSIGTERM(t *testing.T) {
	if os.Getenv("MOCKCLOUD_TEST_MAIN") == "1" {
		os.Args = append([]string{"mockcloud"}, freePorts()...)
		main()
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSIGTERM$")
	cmd.Env = append(os.Environ(), "MOCKCLOUD_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		buf := make([]byte, 4096)
		var all string
		for {
			n, err := stderr.Read(buf)
			all += string(buf[:n])
			for {
				i := strings.IndexByte(all, '\n')
				if i < 0 {
					break
				}
				lines <- all[:i]
				all = all[i+1:]
			}
			if err != nil {
				return
			}
		}
	}()
	var base string
	deadline := time.After(30 * time.Second)
	for base == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the server exited before serving")
			}
			if rest, ok := strings.CutPrefix(l, "mockcloud serving on "); ok {
				base, _, _ = strings.Cut(rest, " ")
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatal("the server did not start")
		}
	}
	if len(helpServices(t, base)) == 0 {
		t.Error("GET / lists no services")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var stopped bool
	for l := range lines {
		stopped = stopped || l == "mockcloud stopped"
	}
	if err := cmd.Wait(); err != nil || !stopped {
		t.Errorf("after SIGTERM: exit %v, logged stop %v", err, stopped)
	}
}
