package fastly_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/fastly"
	"github.com/mockcloud/mockcloud/kit"
)

// benchServer starts a Fastly whose journal is a ring of 1024 entries, as
// a Cloud would mount it, so that b.N requests do not grow it.
func benchServer(b *testing.B) *fastly.Fastly {
	inst, err := fastly.Descriptor().New(kit.Env{Journal: fake.NewJournal(1024)}, kit.Site{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return kit.Start(b, inst.(*fastly.Fastly))
}

func benchDo(b *testing.B, c *http.Client, req *http.Request) {
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s %s: %d", req.Method, req.URL, resp.StatusCode)
	}
}

// BenchmarkCreateService: POST /service with a form body over loopback.
func BenchmarkCreateService(b *testing.B) {
	srv := benchServer(b)
	body := url.Values{"name": {"bench-service"}, "comment": {"created by the benchmark"}}.Encode()
	client := srv.Client()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", srv.URL()+"/service", strings.NewReader(body))
		req.Header.Set("Fastly-Key", "bench")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		benchDo(b, client, req)
	}
}

// BenchmarkServiceDetails: GET /service/{id}/details of a service with an
// active version and a draft, each holding 10 domains, 10 backends, a
// health check, conditions, headers, a dictionary and snippets, among 100
// services.
func BenchmarkServiceDetails(b *testing.B) {
	srv := benchServer(b)
	var id string
	for s := 0; s < 100; s++ {
		v := fastly.Version{
			Healthchecks: []fastly.Healthcheck{{Name: "hc", Path: "/health", CheckInterval: 5000}},
			Conditions:   []fastly.Condition{{Name: "api", Statement: `req.url ~ "^/api"`, Type: "REQUEST", Priority: 10}},
			Headers:      []fastly.Header{{Name: "h", Action: "set", Type: "response", Dst: "http.X", Src: `"1"`, Priority: 100}},
			Dictionaries: []fastly.Dictionary{{Name: "flags"}},
			Snippets:     []fastly.Snippet{{Name: "recv", Type: "recv", Content: "# vcl", Priority: 100}},
		}
		for i := 0; i < 10; i++ {
			v.Domains = append(v.Domains, fastly.Domain{Name: fmt.Sprintf("d%d.s%d.example.com", i, s)})
			v.Backends = append(v.Backends, fastly.Backend{Name: fmt.Sprintf("b%d", i), Address: "origin.example.com", Port: 443, UseSSL: true, Weight: 100})
		}
		active := v
		active.Active = true
		svc, err := srv.AddService(fastly.Service{Name: fmt.Sprintf("svc-%d", s), Versions: []fastly.Version{active, v}})
		if err != nil {
			b.Fatal(err)
		}
		id = svc.ID
	}
	client := srv.Client()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("GET", srv.URL()+"/service/"+id+"/details", nil)
		req.Header.Set("Fastly-Key", "bench")
		benchDo(b, client, req)
	}
}
