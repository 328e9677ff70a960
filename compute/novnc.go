// A fake noVNC proxy (nova-novncproxy) beside the API, so that a novnc
// console URL leads somewhere: the page at {compute}/vnc_auto.html, and its
// websocket at {compute}/websockify?token=…, which speaks RFB 3.8 (or 3.3)
// with no authentication to a blank 1024×768 framebuffer named after the
// server. A token Nova did not issue is accepted at the websocket level
// and the connection closed at once, as websockify does.
//
// Fidelity limits: no framebuffer updates are ever sent (the screen stays
// blank), tokens do not expire, and the in-memory transport, which cannot
// hand over a connection, gets 501.

package compute

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the noVNC proxy.
const (
	OpNoVNCPage      = "compute.novncproxy.page"
	OpNoVNCWebsocket = "compute.novncproxy.websocket"
)

func (c *Compute) noVNCRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpNoVNCPage, Method: "GET", Path: "/vnc_auto.html", Handler: c.noVNCPage, Public: true},
		{Op: OpNoVNCPage, Method: "GET", Path: "/vnc_lite.html", Handler: c.noVNCPage, Public: true},
		{Op: OpNoVNCWebsocket, Method: "GET", Path: "/websockify", Handler: c.noVNCWebsocket, Public: true},
	}
}

// noVNCURL is a novnc console's URL: the page, told where its websocket is
// by its "path" parameter (relative to the host's root, as noVNC takes it).
func noVNCURL(base, token string) string {
	wsPath := "websockify"
	if u, err := url.Parse(base); err == nil && strings.Trim(u.Path, "/") != "" {
		wsPath = strings.Trim(u.Path, "/") + "/websockify"
	}
	return base + "/vnc_auto.html?" + url.Values{"path": {wsPath + "?token=" + token}}.Encode()
}

// noVNCPageHTML is the console page: enough of a noVNC client to open the
// websocket and say whom it reached.
const noVNCPageHTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>noVNC (mockcloud)</title></head>
<body>
<p id="status">noVNC: connecting…</p>
<script>
(function () {
  var path = new URLSearchParams(location.search).get("path") || "websockify";
  var proto = location.protocol === "https:" ? "wss://" : "ws://";
  var ws = new WebSocket(proto + location.host + "/" + path, ["binary"]);
  ws.binaryType = "arraybuffer";
  var status = document.getElementById("status");
  ws.onclose = function () { status.textContent = "noVNC: disconnected"; };
  ws.onmessage = function (e) {
    var text = new TextDecoder().decode(e.data);
    if (text.indexOf("RFB ") === 0) { ws.send(e.data); return; }
    if (e.data.byteLength === 2) { ws.send(new Uint8Array([1])); return; }
    if (e.data.byteLength === 4) { ws.send(new Uint8Array([1])); return; }
    status.textContent = "noVNC: connected to " + text.slice(24);
  };
})();
</script>
</body>
</html>
`

func (c *Compute) noVNCPage(*kit.Call) (kit.Reply, error) {
	return kit.Raw(http.StatusOK, "text/html; charset=utf-8", []byte(noVNCPageHTML)), nil
}

// noVNCWebsocket upgrades to a websocket and runs the RFB handshake for
// the server the token was issued for.
func (c *Compute) noVNCWebsocket(call *kit.Call) (kit.Reply, error) {
	r := call.Request
	key := r.Header.Get("Sec-WebSocket-Key")
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || key == "" {
		return kit.Reply{}, kit.BadRequest("Not a websocket request: the noVNC proxy answers websockets only.")
	}
	name, ok := c.noVNCDesktop(consoleTokenOf(r))
	return kit.Stream(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			c.WriteError(w, r, kit.Errorf(http.StatusNotImplemented, "The noVNC proxy needs a real connection: use the Cloud's URL, not its in-memory transport."))
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Time{})
		if err := acceptWebsocket(rw.Writer, key, r.Header.Get("Sec-WebSocket-Protocol")); err != nil || !ok {
			return // websockify closes the connection of a token it refuses
		}
		stop := closeOnDone(c.Done(), conn)
		defer stop()
		_ = serveRFB(&wsConn{r: rw.Reader, w: conn}, name)
	}), nil
}

// consoleTokenOf is the token a websocket request carries: in its query,
// or in a cookie (noVNC before 1.1 sent it so).
func consoleTokenOf(r *http.Request) string {
	if t := r.URL.Query().Get("token"); t != "" {
		return t
	}
	if ck, err := r.Cookie("token"); err == nil {
		return ck.Value
	}
	return ""
}

// noVNCDesktop is the desktop name for a VNC console token, and whether
// the token is one Nova issued for a server that still exists.
func (c *Compute) noVNCDesktop(token string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.admin.consoleTokens[token]
	if !ok || t.port != consolePorts["vnc"] {
		return "", false
	}
	s, ok := c.servers[t.serverID]
	if !ok || s.Deleted {
		return "", false
	}
	return "QEMU (" + s.Name + ")", true
}

// closeOnDone closes conn when done is closed (the service closing), and
// returns a func that stops watching.
func closeOnDone(done <-chan struct{}, conn net.Conn) func() {
	stop := make(chan struct{})
	go func() {
		select {
		case <-done:
			conn.Close()
		case <-stop:
		}
	}()
	return func() { close(stop) }
}

// acceptWebsocket writes the 101 answer of RFC 6455, choosing the binary
// subprotocol when the client offers it.
func acceptWebsocket(w *bufio.Writer, key, protocols string) error {
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	fmt.Fprintf(w, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n", base64.StdEncoding.EncodeToString(sum[:]))
	for _, p := range strings.Split(protocols, ",") {
		if strings.TrimSpace(p) == "binary" {
			fmt.Fprintf(w, "Sec-WebSocket-Protocol: binary\r\n")
			break
		}
	}
	fmt.Fprintf(w, "\r\n")
	return w.Flush()
}

// serveRFB runs the RFB handshake as a VNC server with no authentication,
// then reads (and ignores) what the client sends until it goes.
func serveRFB(ws *wsConn, name string) error {
	if err := ws.send([]byte("RFB 003.008\n")); err != nil {
		return err
	}
	version := make([]byte, 12)
	if _, err := io.ReadFull(ws, version); err != nil {
		return err
	}
	if string(version) == "RFB 003.003\n" {
		// 3.3: the server names the security type, a 32-bit word.
		if err := ws.send([]byte{0, 0, 0, 1}); err != nil {
			return err
		}
	} else {
		if err := ws.send([]byte{1, 1}); err != nil { // one type: None
			return err
		}
		choice := make([]byte, 1)
		if _, err := io.ReadFull(ws, choice); err != nil {
			return err
		}
		if err := ws.send([]byte{0, 0, 0, 0}); err != nil { // SecurityResult OK
			return err
		}
	}
	shared := make([]byte, 1) // ClientInit
	if _, err := io.ReadFull(ws, shared); err != nil {
		return err
	}
	if err := ws.send(serverInit(1024, 768, name)); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, ws)
	return err
}

// serverInit is RFB's ServerInit: the framebuffer's size, a 32-bit
// true-colour pixel format and the desktop's name.
func serverInit(width, height uint16, name string) []byte {
	if len(name) > 100 {
		name = name[:100]
	}
	b := make([]byte, 24, 24+len(name))
	binary.BigEndian.PutUint16(b[0:], width)
	binary.BigEndian.PutUint16(b[2:], height)
	b[4], b[5], b[6], b[7] = 32, 24, 0, 1 // bits per pixel, depth, big-endian, true colour
	binary.BigEndian.PutUint16(b[8:], 255)
	binary.BigEndian.PutUint16(b[10:], 255)
	binary.BigEndian.PutUint16(b[12:], 255)
	b[14], b[15], b[16] = 16, 8, 0 // red, green, blue shifts
	binary.BigEndian.PutUint32(b[20:], uint32(len(name)))
	return append(b, name...)
}

// wsConn is the server's side of a websocket, as a byte stream: reads
// unmask the client's data frames and join them; writes are single binary
// frames.
type wsConn struct {
	r       *bufio.Reader
	w       io.Writer
	pending []byte
}

// maxWSFrame bounds one frame from the client: RFB client messages are
// small, and a fake must not buffer what a peer claims.
const maxWSFrame = 1 << 16

var errWSClosed = errors.New("websocket closed")

func (c *wsConn) Read(p []byte) (int, error) {
	for len(c.pending) == 0 {
		payload, err := c.readFrame()
		if err != nil {
			return 0, err
		}
		c.pending = payload
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// readFrame reads one frame: data frames' payloads are returned, a ping is
// answered, a close (or anything malformed) ends the stream.
func (c *wsConn) readFrame() ([]byte, error) {
	var head [2]byte
	if _, err := io.ReadFull(c.r, head[:]); err != nil {
		return nil, err
	}
	opcode, masked, n := head[0]&0x0f, head[1]&0x80 != 0, uint64(head[1]&0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(c.r, ext[:]); err != nil {
			return nil, err
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(c.r, ext[:]); err != nil {
			return nil, err
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if !masked || n > maxWSFrame {
		return nil, errWSClosed // RFC 6455: client frames are masked
	}
	var mask [4]byte
	if _, err := io.ReadFull(c.r, mask[:]); err != nil {
		return nil, err
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(c.r, payload); err != nil {
		return nil, err
	}
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	switch opcode {
	case 0x8: // close
		_ = c.frame(0x8, nil)
		return nil, io.EOF
	case 0x9: // ping
		return []byte{}, c.frame(0xA, payload)
	case 0xA: // pong
		return []byte{}, nil
	}
	return payload, nil
}

func (c *wsConn) send(p []byte) error { return c.frame(0x2, p) }

// frame writes one unmasked, final frame.
func (c *wsConn) frame(opcode byte, p []byte) error {
	head := []byte{0x80 | opcode}
	switch {
	case len(p) < 126:
		head = append(head, byte(len(p)))
	case len(p) <= 0xffff:
		head = append(head, 126, byte(len(p)>>8), byte(len(p)))
	default:
		head = append(head, 127)
		head = binary.BigEndian.AppendUint64(head, uint64(len(p)))
	}
	_, err := c.w.Write(append(head, p...))
	return err
}
