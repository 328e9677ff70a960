package fastly

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// A handler that panics while it holds the service's lock is answered with
// Fastly's 500, and the service goes on serving: the lock was taken with
// defer, so it is released as the panic unwinds.
func TestHandlerPanicKeepsServing(t *testing.T) {
	f := New(t)
	hc := f.Client()
	hc.Timeout = 10 * time.Second // a lock left held would hang the next request
	c := kittest.New(t, f.URL(), hc).With("", KeyHeader, "k")

	check500 := func(r *kittest.Response) {
		t.Helper()
		r.Expect(http.StatusInternalServerError)
		var e struct {
			Msg    string `json:"msg"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(r.Body, &e); err != nil || e.Msg != "Internal server error" || e.Detail == "" {
			t.Errorf("500 body = %s, want Fastly's {\"msg\",\"detail\"}", r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
	}

	t.Run("handler takes the lock and panics", func(t *testing.T) {
		f.Intercept(OpGetService, func(kit.Handler) kit.Handler {
			return func(*kit.Call) (kit.Reply, error) {
				f.mu.Lock()
				defer f.mu.Unlock()
				panic("boom")
			}
		})
		defer f.Intercept(OpGetService, func(h kit.Handler) kit.Handler { return h })
		check500(c.Get("/service/x"))
		c.Get("/service").Expect(http.StatusOK)
	})

	t.Run("a real handler panics under its lock", func(t *testing.T) {
		// A nil service makes getService dereference nil inside its locked
		// section.
		func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.services["broken"] = nil
		}()
		check500(c.Get("/service/broken"))
		func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			delete(f.services, "broken")
		}()
		c.Do("POST", "/service", "name=after", "Content-Type", "application/x-www-form-urlencoded").Expect(http.StatusOK)
		c.Get("/service/broken").Expect(http.StatusNotFound)
	})

	var statuses []int
	for _, r := range f.Requests() {
		statuses = append(statuses, r.Status)
	}
	want := []int{500, 200, 500, 200, 404}
	if len(statuses) != len(want) {
		t.Fatalf("journal statuses %v, want %v", statuses, want)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Errorf("journal statuses %v, want %v", statuses, want)
			break
		}
	}
}
