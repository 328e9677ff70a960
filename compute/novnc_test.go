package compute_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/compute"
)

// vncClient is the client side of the noVNC proxy's websocket, as
// Tempest's test_novnc speaks it: masked binary frames out, one frame per
// RFB message in.
type vncClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// dialNoVNC opens the websocket a novnc console URL leads to and checks
// the upgrade: 101, the RFC 6455 accept key, the binary subprotocol.
func dialNoVNC(t *testing.T, consoleURL string, spoil func(path string) string) *vncClient {
	t.Helper()
	u, err := url.Parse(consoleURL)
	if err != nil {
		t.Fatal(err)
	}
	path := spoil(u.Query().Get("path"))
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET /" + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 6455's own example key and its accept value.
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" ||
		!strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") || resp.Header.Get("Sec-WebSocket-Protocol") != "binary" {
		t.Fatalf("upgrade answered %d %v", resp.StatusCode, resp.Header)
	}
	return &vncClient{t: t, conn: conn, r: r}
}

// recv is one frame's payload from the server; nil when it closed.
func (c *vncClient) recv() []byte {
	c.t.Helper()
	var head [2]byte
	if _, err := io.ReadFull(c.r, head[:]); err != nil {
		return nil
	}
	if head[0] != 0x82 || head[1]&0x80 != 0 || head[1] >= 126 {
		c.t.Fatalf("frame header % x: want a final unmasked binary frame under 126 bytes", head)
	}
	p := make([]byte, head[1])
	if _, err := io.ReadFull(c.r, p); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// send writes p as one masked binary frame.
func (c *vncClient) send(p []byte) {
	c.t.Helper()
	mask := []byte{7, 2, 1, 9}
	frame := append([]byte{0x82, byte(len(p)) | 0x80}, mask...)
	for i, b := range p {
		frame = append(frame, b^mask[i%4])
	}
	if _, err := c.conn.Write(frame); err != nil {
		c.t.Fatal(err)
	}
}

// TestNoVNCProxy: a novnc console URL leads to a noVNC page and a
// websocket that speaks RFB with no authentication, as Tempest's
// test_novnc checks; a token Nova did not issue gets a closed connection.
func TestNoVNCProxy(t *testing.T) {
	a := newXAPI(t, compute.WithDurations(compute.Instant()))
	id := a.server("web")
	consoleURL := func() string {
		got := a.at("2.6").do("POST", "/servers/"+id+"/remote-consoles", `{"remote_console":{"protocol":"vnc","type":"novnc"}}`).obj(t)
		return got["remote_console"].(map[string]any)["url"].(string)
	}

	resp, err := http.Get(consoleURL())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page), "</html>") || !strings.Contains(string(page), "noVNC") || !strings.Contains(string(page), "<script") {
		t.Errorf("page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), page)
	}

	for _, version := range []string{"RFB 003.008\n", "RFB 003.003\n"} {
		t.Run(strings.TrimSpace(version), func(t *testing.T) {
			c := dialNoVNC(t, consoleURL(), func(p string) string { return p })
			if got := string(c.recv()); got != "RFB 003.008\n" {
				t.Fatalf("server version %q", got)
			}
			c.send([]byte(version))
			if version == "RFB 003.003\n" {
				if got := c.recv(); string(got) != "\x00\x00\x00\x01" {
					t.Fatalf("3.3 security type % x, want None (1) as a word", got)
				}
			} else {
				if got := c.recv(); string(got) != "\x01\x01" {
					t.Fatalf("security types % x, want one: None", got)
				}
				c.send([]byte{1})
				if got := c.recv(); string(got) != "\x00\x00\x00\x00" {
					t.Fatalf("security result % x", got)
				}
			}
			c.send([]byte{1}) // ClientInit, shared
			init := c.recv()
			if len(init) <= 24 || int(binary.BigEndian.Uint32(init[20:24]))+24 != len(init) ||
				binary.BigEndian.Uint16(init[0:]) != 1024 || binary.BigEndian.Uint16(init[2:]) != 768 || string(init[24:]) != "QEMU (web)" {
				t.Errorf("ServerInit % x", init)
			}
		})
	}

	bad := dialNoVNC(t, consoleURL(), func(p string) string { return strings.Replace(p, "token=", "token=bad", 1) })
	if got := bad.recv(); got != nil {
		t.Errorf("with a bad token the proxy sent % x, want the connection closed", got)
	}

	plain, err := http.Get(a.url + "/websockify?token=x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(plain.Body)
	plain.Body.Close()
	if plain.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"badRequest"`) || !strings.Contains(string(body), "Not a websocket request") {
		t.Errorf("a plain GET of the websocket: %d %s", plain.StatusCode, body)
	}
}
