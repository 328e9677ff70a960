package fake

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// Server is a started httptest server whose Close first cancels what the
// fake holds open (fault delays, event streams), so Close never waits on them.
type Server struct {
	srv       *httptest.Server
	onClose   func()
	closeOnce sync.Once
}

// StartServer serves h on a loopback port and registers Close with t's
// cleanup. onClose, if not nil, runs first on Close.
func StartServer(t TB, h http.Handler, onClose func()) *Server {
	t.Helper()
	s := &Server{srv: httptest.NewServer(h), onClose: onClose}
	t.Cleanup(s.Close)
	return s
}

// URL is the base URL, with no trailing slash ("http://127.0.0.1:38817").
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close shuts the server down; it is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.onClose != nil {
			s.onClose()
		}
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}
