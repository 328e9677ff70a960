package routes

import (
	"net/http"
	"net/http/httptest"

	"github.com/mockcloud/mockcloud/kit"
)

// standalone is the server of a Routes built on its own (New): it serves
// the main listener's rules, which the embedded kit.Service's own server
// would not (it has one catch-all route that needs the match first).
type standalone struct {
	srv *httptest.Server
	mem *kit.Transport
}

// Start serves the main listener's rules on a loopback port (New does).
// Starting twice panics. In a Cloud, the Cloud serves it instead.
func (rt *Routes) Start() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.own.srv != nil {
		panic("mockcloud: routes already started")
	}
	rt.own.srv = httptest.NewServer(rt)
}

// URL is the root URL of a started Routes; empty until Start, and in a
// Cloud (use the Cloud's URL: the rules answer at its root).
func (rt *Routes) URL() string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.own.srv == nil {
		return ""
	}
	return rt.own.srv.URL
}

// Client reaches the main listener's rules in memory, started or not.
func (rt *Routes) Client() *http.Client { return rt.transport().Client() }

// Transport is Client's RoundTripper.
func (rt *Routes) Transport() http.RoundTripper { return rt.transport() }

func (rt *Routes) transport() *kit.Transport {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.own.mem == nil {
		rt.own.mem = kit.NewTransport(rt)
	}
	return rt.own.mem
}

// closeOwn stops what Start and Client opened.
func (rt *Routes) closeOwn() {
	rt.mu.Lock()
	srv, mem := rt.own.srv, rt.own.mem
	rt.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
	if mem != nil {
		mem.Close()
	}
}
