package mockcloud_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/triton"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// TestWithListeners: Start serves the Cloud and the named origins on the
// listeners given, and the others on ports of their own; Close closes
// them.
func TestWithListeners(t *testing.T) {
	root, cnapi := listen(t), listen(t)
	c := mockcloud.New(t, mockcloud.WithServices(triton.Descriptor()),
		mockcloud.WithListeners(root, map[string]net.Listener{"triton/cnapi": cnapi}))
	if want := "http://" + root.Addr().String(); c.URL() != want {
		t.Errorf("URL = %s, want %s", c.URL(), want)
	}
	if want := "http://" + cnapi.Addr().String(); c.ServiceURL("triton/cnapi", "") != want {
		t.Errorf("CNAPI at %s, want %s", c.ServiceURL("triton/cnapi", ""), want)
	}
	if u := c.ServiceURL("triton/vmapi", ""); u == "" || u == c.URL() || u == c.ServiceURL("triton/cnapi", "") {
		t.Errorf("VMAPI at %q: want a port of its own", u)
	}
	for _, u := range []string{c.URL() + "/mockcloud/v1/health", c.ServiceURL("triton/cnapi", "") + "/ping"} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s = %d", u, resp.StatusCode)
		}
	}
	c.Close()
	if _, err := http.Get(c.URL() + "/"); err == nil {
		t.Error("the given listener still serves after Close")
	}
	if ln, err := net.Listen("tcp", cnapi.Addr().String()); err != nil {
		t.Errorf("CNAPI's port is still held after Close: %v", err)
	} else {
		ln.Close()
	}
}

// TestWithListenersRefused: a name no origin has, or listeners with
// WithoutListener, are an error, and the listeners are closed.
func TestWithListenersRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts func(ln net.Listener) []mockcloud.Option
		want string
	}{
		{"unknown origin", func(ln net.Listener) []mockcloud.Option {
			return []mockcloud.Option{mockcloud.WithServices(triton.Descriptor()),
				mockcloud.WithListeners(nil, map[string]net.Listener{"triton/vmpai": ln})}
		}, `no origin "triton/vmpai"`},
		{"without triton", func(ln net.Listener) []mockcloud.Option {
			return []mockcloud.Option{mockcloud.WithServices(compute.Descriptor()),
				mockcloud.WithListeners(nil, map[string]net.Listener{"triton": ln})}
		}, `no origin "triton"`},
		{"without listener", func(ln net.Listener) []mockcloud.Option {
			return []mockcloud.Option{mockcloud.WithoutListener(), mockcloud.WithListeners(ln, nil)}
		}, "exclude each other"},
		{"bad config", func(ln net.Listener) []mockcloud.Option {
			return []mockcloud.Option{mockcloud.WithRegions(), mockcloud.WithListeners(ln, nil)}
		}, "at least one region"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln := listen(t)
			_, err := mockcloud.NewUnstarted(tc.opts(ln)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewUnstarted = %v, want an error with %q", err, tc.want)
			}
			_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(100 * time.Millisecond))
			if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("the listener was left open (Accept: %v)", err)
				ln.Close()
			}
		})
	}
}

// TestServiceControlRoutes: a service's own control calls (kit.Controls)
// are under /mockcloud/v1/<service>, with the control API's errors.
func TestServiceControlRoutes(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithServices(triton.Descriptor()))
	var out struct {
		Servers []string `json:"servers"`
	}
	if code, body := call(t, c, "POST", "/mockcloud/v1/triton/servers", `{"count": 2}`, nil, &out); code != 201 || len(out.Servers) != 2 {
		t.Fatalf("POST /mockcloud/v1/triton/servers = %d %s", code, body)
	}
	if n := len(c.Triton().Servers()); n != 2 {
		t.Errorf("the DC has %d servers", n)
	}
	var e struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if code, body := call(t, c, "POST", "/mockcloud/v1/triton/servers", `{"count": 0}`, nil, &e); code != 400 || e.Error.Code != 400 || !strings.Contains(e.Error.Message, "count") {
		t.Errorf("bad count = %d %s", code, body)
	}
	// Not journaled.
	if n := len(c.Requests()); n != 0 {
		t.Errorf("journal has %d requests", n)
	}
	// A Cloud without triton has no such calls.
	c2 := mockcloud.New(t, mockcloud.WithServices(compute.Descriptor()))
	if code, _ := call(t, c2, "GET", "/mockcloud/v1/triton/servers", "", nil, nil); code != 404 {
		t.Errorf("without triton: %d", code)
	}
}

// TestServerTimeouts: on the listeners WithListeners gives, a client that
// stops mid-body loses its connection after the read timeout, and Close
// does not wait on it.
func TestServerTimeouts(t *testing.T) {
	root := listen(t)
	c := mockcloud.New(t, mockcloud.WithServices(identity.Descriptor()), mockcloud.WithListeners(root, nil),
		mockcloud.WithServerTimeouts(mockcloud.ServerTimeouts{Read: 200 * time.Millisecond, Idle: time.Second}))
	conn, err := net.Dial("tcp", root.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers and 10 of the 100 bytes promised, then nothing.
	if _, err := io.WriteString(conn, "POST /identity/v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"auth\":{}"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, _ = io.ReadAll(conn) // the server answers (its body read failed) and hangs up
	if waited := time.Since(start); waited > 3*time.Second {
		t.Errorf("the stalled connection was held %v, want about the 200 ms read timeout", waited)
	}
	done := make(chan struct{})
	go func() { c.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Error("Close waited on a stalled client")
	}
}
