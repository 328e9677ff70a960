package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("GET /down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	block := make(chan struct{})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(block) })
	closed := httptest.NewServer(mux)
	closed.Close()

	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"healthy", []string{srv.URL + "/healthz"}, 0, ""},
		{"503", []string{srv.URL + "/down"}, 1, "503 Service Unavailable"},
		{"404", []string{srv.URL + "/nothing"}, 1, "404 Not Found"},
		{"timeout", []string{"-timeout", "50ms", srv.URL + "/slow"}, 1, "context deadline exceeded"},
		{"refused", []string{closed.URL + "/healthz"}, 1, "connection refused"},
		{"two URLs", []string{srv.URL, srv.URL}, 2, "at most one URL"},
		{"bad flag", []string{"-nope"}, 2, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			start := time.Now()
			code := run(tc.args, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.message) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.message)
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}
