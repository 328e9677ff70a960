package kit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"
)

// ErrTransportClosed is what a request through a closed [Transport] fails
// with, as a request to a closed server is refused.
var ErrTransportClosed = errors.New("mockcloud: in-memory transport closed (the fake was closed)")

// Transport is an http.RoundTripper that serves each request by calling a
// handler in-process, without a socket: what a started fake's Client() and
// a Cloud's Client() use. A client sends the URLs it would send over
// loopback; the handler sees the request as net/http's server would show
// it (RequestURI, Host, RemoteAddr, ContentLength, a context), so links a
// fake builds from the request are the same either way. Because nothing
// waits on the network, a Cloud served this way runs inside a
// testing/synctest bubble.
//
// What it does as net/http's server and client do:
//   - streaming: a handler that flushes (http.Flusher, or
//     http.NewResponseController) hands the client its headers at once and
//     the body as it is written; a Mesos subscription is read incrementally
//     while the handler keeps writing. A body finished without a flush
//     arrives whole, with a Content-Length when it is at most 2 KB (above,
//     chunked, as net/http sends it);
//   - the handler's r.Context() is cancelled when the client's request
//     context is, when the client closes the response body, when the
//     handler returns and when the transport closes;
//   - ResponseController.SetWriteDeadline makes pending and later writes
//     fail (a stream's writer can always be unblocked);
//   - request bodies of unknown length (ContentLength -1, "chunked"), HEAD
//     (the body is dropped, its length reported), statuses without a body
//     (204, 304: writes fail with http.ErrBodyNotAllowed), Date and sniffed
//     Content-Type headers, the User-Agent a Go client sends;
//   - a handler that panics (http.ErrAbortHandler included) is a dropped
//     connection: the request fails, or the body ends with
//     io.ErrUnexpectedEOF once the headers were sent.
//
// Not done: trailers, 1xx informational answers (dropped), protocol
// upgrades, response compression (the request goes without the
// Accept-Encoding: gzip a Go client adds), request bodies are not limited
// to their ContentLength.
type Transport struct {
	handler http.Handler

	mu     sync.Mutex
	hosts  map[string]http.Handler
	closed bool
	live   map[*exchange]struct{}
	wg     sync.WaitGroup
	client *http.Client
}

// NewTransport returns a transport that serves every request with h.
func NewTransport(h http.Handler) *Transport {
	return &Transport{handler: h}
}

// Handle serves requests for host ("127.0.0.1:41321", as in a URL) with h
// instead of the default handler: how a Cloud reaches a service that has
// an origin of its own.
func (t *Transport) Handle(host string, h http.Handler) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.hosts == nil {
		t.hosts = map[string]http.Handler{}
	}
	t.hosts[host] = h
}

// Client returns an http.Client that uses t; the same one every time.
func (t *Transport) Client() *http.Client {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.client == nil {
		t.client = &http.Client{Transport: t}
	}
	return t.client
}

// Close refuses new requests with ErrTransportClosed, fails the requests
// in flight (their handlers' contexts are cancelled, their writes fail),
// and waits until every handler has returned. It is idempotent.
func (t *Transport) Close() {
	t.mu.Lock()
	t.closed = true
	live := make([]*exchange, 0, len(t.live))
	for x := range t.live {
		live = append(live, x)
	}
	t.mu.Unlock()
	for _, x := range live {
		x.abort(ErrTransportClosed, true)
	}
	t.wg.Wait()
}

// RoundTrip serves req and returns once the handler has sent its headers
// (a flush, or the end of the handler) or the request's context is done.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("mockcloud: request without a URL")
	}
	ctx, cancel := context.WithCancel(req.Context())
	sreq, err := serverRequest(ctx, req)
	if err != nil {
		cancel()
		closeBody(req)
		return nil, err
	}
	x := &exchange{creq: req, sreq: sreq, cancel: cancel, header: http.Header{}, declared: -1, ready: make(chan struct{})}
	h, err := t.start(x, sreq.Host)
	if err != nil {
		cancel()
		closeBody(req)
		return nil, err
	}
	go x.serve(t, h)
	select {
	case <-x.ready:
	case <-req.Context().Done():
		// The answer may have come in the meantime; a cancelled client
		// does not get it, as over a connection.
		x.abort(req.Context().Err(), true)
		return nil, req.Context().Err()
	}
	if x.err != nil {
		return nil, x.err
	}
	return x.resp, nil
}

// start registers x as in flight and picks its handler.
func (t *Transport) start(x *exchange, host string) (http.Handler, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrTransportClosed
	}
	h := t.handler
	if hh, ok := t.hosts[host]; ok {
		h = hh
	}
	if h == nil {
		return nil, fmt.Errorf("mockcloud: the in-memory transport serves nothing at %s", host)
	}
	if t.live == nil {
		t.live = map[*exchange]struct{}{}
	}
	t.live[x] = struct{}{}
	t.wg.Add(1)
	return h, nil
}

func (t *Transport) done(x *exchange) {
	t.mu.Lock()
	delete(t.live, x)
	t.mu.Unlock()
	t.wg.Done()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// serverRequest is req as a server reads it off the wire.
func serverRequest(ctx context.Context, req *http.Request) (*http.Request, error) {
	uri := req.URL.RequestURI()
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, fmt.Errorf("mockcloud: in-memory transport: %w", err)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	header := make(http.Header, len(req.Header)+2)
	for k, vs := range req.Header {
		if len(vs) > 0 {
			header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	delete(header, "Host")
	delete(header, "Transfer-Encoding")
	if _, ok := req.Header["User-Agent"]; !ok {
		header.Set("User-Agent", "Go-http-client/1.1")
	}
	sreq := &http.Request{
		Method: method, URL: u, RequestURI: uri, Host: host,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: header, RemoteAddr: "127.0.0.1:0", Body: http.NoBody,
	}
	if req.URL.Scheme == "https" {
		sreq.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: req.URL.Hostname()}
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	switch {
	case hasBody && req.ContentLength > 0:
		sreq.Body, sreq.ContentLength = req.Body, req.ContentLength
		header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	case hasBody:
		// A body of unknown length goes chunked.
		sreq.Body, sreq.ContentLength, sreq.TransferEncoding = req.Body, -1, []string{"chunked"}
		header.Del("Content-Length")
	case method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch:
		header.Set("Content-Length", "0")
	}
	return sreq.WithContext(ctx), nil
}

// chunkingAfter is how much of a body net/http's server buffers before it
// gives up computing a Content-Length and sends the body chunked.
const chunkingAfter = 2048

// maxBuffered is how much of an unflushed body is kept before the response
// is handed over and the rest streamed.
const maxBuffered = 1 << 20

// exchange is one request in flight: the handler's ResponseWriter and the
// client's response.
type exchange struct {
	creq   *http.Request
	sreq   *http.Request
	cancel context.CancelFunc

	// Written by the handler's goroutine only.
	header      http.Header // the handler's
	sent        http.Header // snapshot at WriteHeader
	status      int
	wroteHeader bool
	noBody      bool // HEAD, or a status without a body
	written     int64
	declared    int64 // the handler's Content-Length; -1 when none
	buf         []byte
	committed   bool // the response was handed over
	streaming   bool // the body goes through pw

	ready chan struct{} // closed once resp or err is set
	resp  *http.Response
	err   error

	mu       sync.Mutex // guards the fields below
	aborted  error
	pw       *io.PipeWriter
	deadline *time.Timer
}

// serve runs the handler and hands over what it wrote.
func (x *exchange) serve(t *Transport, h http.Handler) {
	defer t.done(x)
	defer x.finish()
	h.ServeHTTP(x, x.sreq)
}

// finish ends the exchange after the handler returned or panicked.
func (x *exchange) finish() {
	v := recover()
	defer func() {
		x.cancel()
		x.stopDeadline()
		closeBody(x.creq)
	}()
	if v != nil {
		err := errors.New("mockcloud: in-memory transport: the handler dropped the connection")
		if v != http.ErrAbortHandler {
			err = fmt.Errorf("mockcloud: in-memory transport: the handler panicked: %v", v)
		}
		if !x.committed {
			x.fail(err)
			return
		}
		x.abort(io.ErrUnexpectedEOF, false)
		return
	}
	if !x.wroteHeader {
		x.WriteHeader(http.StatusOK)
	}
	if !x.committed {
		x.commit(true)
		return
	}
	x.mu.Lock()
	pw := x.pw
	x.mu.Unlock()
	if pw == nil {
		return
	}
	if x.declared >= 0 && x.written < x.declared {
		_ = pw.CloseWithError(io.ErrUnexpectedEOF)
		return
	}
	_ = pw.Close()
}

func (x *exchange) fail(err error) {
	x.committed = true
	x.err = err
	close(x.ready)
}

// abort makes the handler's writes fail with err and the client's reads
// too; cancel also cancels the handler's context (a client that went
// away), where a write deadline only stops writes.
func (x *exchange) abort(err error, cancel bool) {
	x.mu.Lock()
	if x.aborted == nil {
		x.aborted = err
	}
	pw := x.pw
	x.mu.Unlock()
	if pw != nil {
		_ = pw.CloseWithError(err)
	}
	if cancel {
		x.cancel()
		// A handler still reading a streamed request body stops.
		closeBody(x.creq)
	}
}

func (x *exchange) abortedErr() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.aborted
}

// Header is the handler's response header.
func (x *exchange) Header() http.Header { return x.header }

// WriteHeader sends status: it fixes the headers, as net/http does, but
// the response is handed over only at the first flush or at the end of
// the handler, so a Content-Length can still be computed.
func (x *exchange) WriteHeader(status int) {
	if status < 100 || status > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", status))
	}
	if x.wroteHeader || (status >= 100 && status < 200) {
		return // superfluous, or informational: not the answer
	}
	x.wroteHeader, x.status = true, status
	x.sent = x.header.Clone()
	x.noBody = x.sreq.Method == http.MethodHead || !bodyAllowed(status)
	if cl := x.sent.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			x.declared = n
		}
	}
}

func bodyAllowed(status int) bool {
	return !(status >= 100 && status < 200) && status != http.StatusNoContent && status != http.StatusNotModified
}

// Write buffers p until the response is handed over, then streams it.
func (x *exchange) Write(p []byte) (int, error) {
	if !x.wroteHeader {
		x.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(x.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if x.declared >= 0 && x.written+int64(len(p)) > x.declared {
		return 0, http.ErrContentLength
	}
	if err := x.abortedErr(); err != nil {
		return 0, err
	}
	x.written += int64(len(p))
	if x.noBody {
		if !x.committed && len(x.buf) < chunkingAfter+1 {
			// Kept only to sniff the type and count the length.
			x.buf = append(x.buf, p[:min(len(p), chunkingAfter+1-len(x.buf))]...)
		}
		return len(p), nil
	}
	if !x.committed {
		if len(x.buf)+len(p) <= maxBuffered {
			x.buf = append(x.buf, p...)
			return len(p), nil
		}
		x.commit(false)
		if err := x.abortedErr(); err != nil {
			return 0, err
		}
	}
	x.mu.Lock()
	pw := x.pw
	x.mu.Unlock()
	return pw.Write(p)
}

// Flush hands the response over, then the body as it is written.
func (x *exchange) Flush() { _ = x.FlushError() }

// FlushError is Flush for http.ResponseController.
func (x *exchange) FlushError() error {
	if !x.wroteHeader {
		x.WriteHeader(http.StatusOK)
	}
	if !x.committed {
		x.commit(false)
	}
	return x.abortedErr()
}

// SetWriteDeadline makes writes fail once t has passed (at once for a
// time not after now; never for the zero time), for
// http.ResponseController.
func (x *exchange) SetWriteDeadline(t time.Time) error {
	x.stopDeadline()
	if t.IsZero() {
		return nil
	}
	d := time.Until(t)
	if d <= 0 {
		x.abort(os.ErrDeadlineExceeded, false)
		return nil
	}
	timer := time.AfterFunc(d, func() { x.abort(os.ErrDeadlineExceeded, false) })
	x.mu.Lock()
	x.deadline = timer
	x.mu.Unlock()
	return nil
}

func (x *exchange) stopDeadline() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.deadline != nil {
		x.deadline.Stop()
		x.deadline = nil
	}
}

// commit hands the response to the client: whole when the handler is done,
// else with a body streamed from a pipe.
func (x *exchange) commit(handlerDone bool) {
	x.committed = true
	header := x.sent
	data := x.buf
	x.buf = nil
	resp := &http.Response{
		Status:     strconv.Itoa(x.status) + " " + http.StatusText(x.status),
		StatusCode: x.status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  header,
		Request: x.creq,
		Body:    http.NoBody,
	}
	x.completeHeader(header, data)
	length := x.declared
	if handlerDone && length < 0 && bodyAllowed(x.status) && (!x.noBody || len(data) > 0) && len(data) <= chunkingAfter {
		length = int64(len(data))
		header.Set("Content-Length", strconv.FormatInt(length, 10))
	}
	switch {
	case x.sreq.Method == http.MethodHead:
		resp.ContentLength = length
	case !bodyAllowed(x.status):
		resp.ContentLength = 0
	case length < 0:
		resp.ContentLength, resp.TransferEncoding = -1, []string{"chunked"}
	default:
		resp.ContentLength = length
	}
	if x.noBody {
		x.deliver(resp)
		return
	}
	if handlerDone {
		if len(data) > 0 {
			resp.Body = &bufferedBody{data: data, short: x.declared >= 0 && int64(len(data)) < x.declared}
		}
		x.deliver(resp)
		return
	}
	pr, pw := io.Pipe()
	x.mu.Lock()
	x.pw = pw
	aborted := x.aborted
	x.mu.Unlock()
	if aborted != nil {
		_ = pw.CloseWithError(aborted)
	}
	x.streaming = true
	// The client's context ends the body's reads, as over a connection.
	ctx := x.creq.Context()
	stop := context.AfterFunc(ctx, func() { x.abort(ctx.Err(), true) })
	resp.Body = &streamBody{x: x, pr: pr, stop: stop}
	x.deliver(resp)
	if len(data) > 0 {
		_, _ = pw.Write(data)
	}
}

func (x *exchange) deliver(resp *http.Response) {
	x.resp = resp
	close(x.ready)
}

// completeHeader adds what net/http's server adds: a sniffed Content-Type,
// Date; and takes away what a status without a body must not carry.
func (x *exchange) completeHeader(header http.Header, data []byte) {
	if bodyAllowed(x.status) {
		_, haveType := header["Content-Type"]
		if !haveType && header.Get("Content-Encoding") == "" && len(data) > 0 {
			header.Set("Content-Type", http.DetectContentType(data))
		}
	} else {
		header.Del("Content-Length")
		header.Del("Transfer-Encoding")
		if x.status == http.StatusNotModified {
			header.Del("Content-Type")
		}
	}
	if _, ok := header["Date"]; !ok {
		header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	header.Del("Transfer-Encoding")
	for k, vs := range header {
		if len(vs) == 0 {
			delete(header, k)
		}
	}
}

// bufferedBody is a body the handler finished before it was handed over.
type bufferedBody struct {
	data   []byte
	off    int
	short  bool // shorter than its Content-Length: the connection "dropped"
	closed bool
}

func (b *bufferedBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if b.off >= len(b.data) {
		if b.short {
			return 0, io.ErrUnexpectedEOF
		}
		return 0, io.EOF
	}
	n := copy(p, b.data[b.off:])
	b.off += n
	return n, nil
}

func (b *bufferedBody) Close() error {
	b.closed = true
	return nil
}

// streamBody is a body read while the handler writes it. Closing it is the
// client going away: the handler's writes fail and its context is done.
type streamBody struct {
	x    *exchange
	pr   *io.PipeReader
	stop func() bool
}

func (b *streamBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *streamBody) Close() error {
	b.stop()
	b.x.abort(http.ErrBodyReadAfterClose, true)
	return nil
}
