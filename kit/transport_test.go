package kit_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/kit"
)

// answer is what a client sees of a response, for comparing the in-memory
// transport with a loopback server.
type answer struct {
	Status           int
	ContentLength    int64
	TransferEncoding []string
	Header           map[string]string // the headers named in want
	Body             string
	Err              string
}

func see(resp *http.Response, err error, headers []string) answer {
	if err != nil {
		return answer{Err: "error"}
	}
	defer resp.Body.Close()
	b, rerr := io.ReadAll(resp.Body)
	a := answer{Status: resp.StatusCode, ContentLength: resp.ContentLength, TransferEncoding: resp.TransferEncoding, Body: string(b), Header: map[string]string{}}
	if rerr != nil {
		a.Err = "body: " + rerr.Error()
	}
	for _, h := range headers {
		a.Header[h] = resp.Header.Get(h)
	}
	return a
}

// TestTransportAnswersAsLoopback sends the same requests over a loopback
// server and through the in-memory transport and wants the same answers:
// statuses, lengths, chunking, the headers net/http adds or removes, and
// what the handler saw of the request.
func TestTransportAnswersAsLoopback(t *testing.T) {
	big := strings.Repeat("x", 5000)
	cases := []struct {
		name    string
		method  string
		body    func() io.Reader // nil: none
		length  int64            // -1: unknown
		handler http.HandlerFunc
		headers []string
	}{
		{name: "json", method: "GET", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			io.WriteString(w, `{"a":1}`)
		}, headers: []string{"Content-Type", "Content-Length"}},
		{name: "sniffed type", method: "GET", handler: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html><body>hi</body></html>")
		}, headers: []string{"Content-Type"}},
		{name: "large body goes chunked", method: "GET", handler: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, big)
		}, headers: []string{"Content-Length"}},
		{name: "declared length", method: "GET", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			io.WriteString(w, big)
		}, headers: []string{"Content-Length"}},
		{name: "nothing written", method: "DELETE", handler: func(w http.ResponseWriter, r *http.Request) {}, headers: []string{"Content-Length", "Content-Type"}},
		{name: "204 drops its body and length", method: "DELETE", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5")
			w.WriteHeader(204)
			if _, err := io.WriteString(w, "hello"); !errors.Is(err, http.ErrBodyNotAllowed) {
				panic("write to a 204: " + errString(err))
			}
		}, headers: []string{"Content-Length"}},
		{name: "304", method: "GET", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(304)
		}, headers: []string{"Content-Type", "Content-Length"}},
		{name: "HEAD reports the length", method: "HEAD", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"a":1}`)
		}, headers: []string{"Content-Length"}},
		{name: "request body of known length", method: "POST", body: func() io.Reader { return strings.NewReader("abc") }, length: 3,
			handler: echoRequest, headers: []string{"X-Length", "X-TE", "X-CL", "X-URI", "X-UA"}},
		{name: "request body of unknown length", method: "PUT", body: func() io.Reader { return io.MultiReader(strings.NewReader("ab"), strings.NewReader("c")) }, length: -1,
			handler: echoRequest, headers: []string{"X-Length", "X-TE", "X-CL"}},
		{name: "POST without a body", method: "POST", handler: echoRequest, headers: []string{"X-Length", "X-TE", "X-CL"}},
		{name: "header changes after WriteHeader are not sent", method: "GET", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Before", "1")
			w.WriteHeader(202)
			w.Header().Set("X-After", "1")
		}, headers: []string{"X-Before", "X-After"}},
		{name: "short of its declared length", method: "GET", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "short")
		}},
		{name: "abort before answering", method: "GET", handler: func(w http.ResponseWriter, r *http.Request) {
			panic(http.ErrAbortHandler)
		}},
	}
	srv := httptest.NewServer(nil)
	defer srv.Close()
	mem := kit.NewTransport(nil)
	defer mem.Close()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.Config.Handler = tc.handler
			mem.Handle(strings.TrimPrefix(srv.URL, "http://"), tc.handler)
			do := func(rt http.RoundTripper) answer {
				var body io.Reader
				if tc.body != nil {
					body = tc.body()
				}
				req, err := http.NewRequest(tc.method, srv.URL+"/a%2Fb/c?q=1", body)
				if err != nil {
					t.Fatal(err)
				}
				if tc.length != 0 {
					req.ContentLength = tc.length
				}
				return seeWith(tc.headers...)((&http.Client{Transport: rt}).Do(req))
			}
			loop := do(srv.Client().Transport)
			memory := do(mem)
			if diff := cmp.Diff(loop, memory); diff != "" {
				t.Errorf("in memory differs from loopback (-loopback +memory):\n%s", diff)
			}
			if tc.name == "json" && (memory.Status != 201 || memory.Body != `{"a":1}`) {
				t.Errorf("in memory: %+v", memory)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// see with the headers to keep.
func seeWith(headers ...string) func(*http.Response, error) answer {
	return func(resp *http.Response, err error) answer { return see(resp, err, headers) }
}

// echoRequest answers with what it saw of the request.
func echoRequest(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Length", strconv.FormatInt(r.ContentLength, 10))
	w.Header().Set("X-TE", strings.Join(r.TransferEncoding, ","))
	w.Header().Set("X-CL", r.Header.Get("Content-Length"))
	w.Header().Set("X-URI", r.Host+" "+r.RequestURI+" "+r.URL.Path+" "+r.URL.RawPath+" "+r.URL.RawQuery)
	w.Header().Set("X-UA", r.UserAgent())
	w.Write(b)
}

// TestTransportStreams reads a flushed stream record by record while the
// handler is still writing, as a Mesos scheduler reads its subscription;
// closing the body cancels the handler's context.
func TestTransportStreams(t *testing.T) {
	next := make(chan string)
	handlerDone := make(chan error, 1)
	mem := kit.NewTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		rc := http.NewResponseController(w)
		if err := rc.Flush(); err != nil {
			handlerDone <- err
			return
		}
		for {
			select {
			case rec := <-next:
				io.WriteString(w, rec+"\n")
				rc.Flush()
			case <-r.Context().Done():
				handlerDone <- r.Context().Err()
				return
			}
		}
	}))
	defer mem.Close()
	resp, err := mem.Client().Get("http://127.0.0.1:1/stream")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != -1 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("stream answer: %d, length %d, %q", resp.StatusCode, resp.ContentLength, resp.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(resp.Body)
	for _, want := range []string{"one", "two", "three"} {
		next <- want
		line, err := r.ReadString('\n')
		if err != nil || line != want+"\n" {
			t.Fatalf("read %q, %v; want %q", line, err, want)
		}
	}
	resp.Body.Close()
	select {
	case err := <-handlerDone:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("handler ended with %v, want its context cancelled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("closing the body did not cancel the handler's context")
	}
}

// TestTransportCancel: a client that gives up before the answer gets its
// context's error, and the handler's context is cancelled.
func TestTransportCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cancelled := make(chan struct{})
		mem := kit.NewTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
			close(cancelled)
		}))
		defer mem.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1:1/slow", nil)
		start := time.Now()
		_, err := mem.Client().Do(req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the deadline", err)
		}
		if d := time.Since(start); d != time.Minute {
			t.Errorf("gave up after %v of bubble time, want 1m", d)
		}
		<-cancelled
	})
}

// TestTransportWriteDeadline: a stream's writer blocked on a client that
// stopped reading is freed by SetWriteDeadline, as the Mesos master frees
// it.
func TestTransportWriteDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rcs := make(chan *http.ResponseController, 1)
		writeErr := make(chan error, 1)
		mem := kit.NewTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rc := http.NewResponseController(w)
			rc.Flush()
			rcs <- rc
			for {
				if _, err := w.Write(make([]byte, 1024)); err != nil {
					writeErr <- err
					return
				}
			}
		}))
		defer mem.Close()
		resp, err := mem.Client().Get("http://127.0.0.1:1/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rc := <-rcs
		synctest.Wait() // the writer is blocked: nobody reads
		select {
		case err := <-writeErr:
			t.Fatalf("write returned %v with no reader", err)
		default:
		}
		rc.SetWriteDeadline(time.Now().Add(time.Second))
		time.Sleep(2 * time.Second)
		if err := <-writeErr; err == nil {
			t.Error("the write did not fail after its deadline")
		}
	})
}

// TestTransportClose fails requests in flight and refuses new ones, and
// leaves no goroutine (synctest.Test fails if one is left).
func TestTransportClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := kit.NewTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			for {
				if _, err := w.Write([]byte("tick\n")); err != nil {
					return
				}
			}
		}))
		resp, err := mem.Client().Get("http://127.0.0.1:1/")
		if err != nil {
			t.Fatal(err)
		}
		mem.Close()
		if _, err := io.ReadAll(resp.Body); !errors.Is(err, kit.ErrTransportClosed) {
			t.Errorf("reading after Close: %v, want ErrTransportClosed", err)
		}
		if _, err := mem.Client().Get("http://127.0.0.1:1/"); !errors.Is(err, kit.ErrTransportClosed) {
			t.Errorf("request after Close: %v, want ErrTransportClosed", err)
		}
	})
}

// TestTransportPanicAfterHeaders: a handler that panics halfway through a
// stream cuts the body short.
func TestTransportPanicAfterHeaders(t *testing.T) {
	mem := kit.NewTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "part")
		w.(http.Flusher).Flush()
		panic("boom")
	}))
	defer mem.Close()
	resp, err := mem.Client().Get("http://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if string(b) != "part" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read %q, %v; want \"part\" and io.ErrUnexpectedEOF", b, err)
	}
}

// TestServiceClientInMemory: a service's Client reaches it without a
// socket, started or not, with the URLs of loopback; after Close it is
// refused.
func TestServiceClientInMemory(t *testing.T) {
	svc := kit.NewService(kit.Env{}, "", kit.Spec{
		Name: "echo",
		Errors: func(_ *http.Request, e *kit.Error) kit.Reply {
			return kit.JSON(e.Status, map[string]string{"message": e.Message})
		},
		Routes: func() []kit.Route {
			return []kit.Route{{Op: "echo.get", Method: "GET", Path: "/where", Handler: func(c *kit.Call) (kit.Reply, error) {
				return kit.OK(map[string]string{"base": kit.BaseURL(c.Request)}), nil
			}}}
		},
	})
	var mu sync.Mutex
	get := func(url string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		resp, err := svc.Client().Get(url)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	if got, err := get("http://unstarted.example/where"); err != nil || got != `{"base":"http://unstarted.example"}` {
		t.Errorf("unstarted: %s, %v", got, err)
	}
	svc.Start()
	if got, err := get(svc.URL() + "/where"); err != nil || got != `{"base":"`+svc.URL()+`"}` {
		t.Errorf("started: %s, %v", got, err)
	}
	if len(svc.Requests()) != 2 {
		t.Errorf("journal has %d requests, want 2", len(svc.Requests()))
	}
	svc.Close()
	if _, err := get(svc.URL() + "/where"); !errors.Is(err, kit.ErrTransportClosed) {
		t.Errorf("after Close: %v, want ErrTransportClosed", err)
	}
}
