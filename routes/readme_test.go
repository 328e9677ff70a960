package routes_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/routes"
)

// TestReadmeExample runs the set the README shows, so it stays true.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Programmable routes")
	if !ok {
		t.Fatal("README has no Programmable routes section")
	}
	_, after, _ = strings.Cut(after, "```json\n")
	doc, _, ok := strings.Cut(after, "```")
	if !ok {
		t.Fatal("no JSON block in the section")
	}
	rt := routes.New(t, routes.WithSets(decodeSet(t, routes.Initial, doc)))
	if s, _, _ := send(t, "GET", rt.URL()+"/v1/widgets/w1", "", nil); s != 404 {
		t.Errorf("GET before create: %d, want 404", s)
	}
	s, body, h := send(t, "POST", rt.URL()+"/v1/widgets", `{"widget":{"size":"small"}}`, nil)
	if s != 201 || h.Get("Location") != "/v1/widgets/w1" || body != `{"id":"w1","size":"small","at":"2026-01-01T00:00:00Z"}` {
		t.Errorf("create: %d %q %s", s, h.Get("Location"), body)
	}
	if s, body, _ := send(t, "GET", rt.URL()+"/v1/widgets/w1", "", nil); s != 200 || body != `{"id":"w1"}` {
		t.Errorf("get: %d %s", s, body)
	}
	// flaky answers the first two health checks, after its delay on the
	// (simulated, frozen) clock: advanced from another goroutine.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				rt.Clock().Advance(time.Second)
			}
		}
	}()
	var got []int
	for i := 0; i < 3; i++ {
		s, _, _ := send(t, "GET", rt.URL()+"/v1/health?deep=true", "", map[string]string{"X-Tenant": "acme"})
		got = append(got, s)
	}
	if got[0] != 503 || got[1] != 503 || got[2] != 204 {
		t.Errorf("health: %v, want 503 503 204", got)
	}
}
