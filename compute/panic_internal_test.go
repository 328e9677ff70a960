package compute

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// TestHandlerPanicUnderLock: a real handler that panics while it holds the
// service's lock (GET /servers/{id}, settling a server whose next event
// panics) is answered 500 in Nova's format, and the service goes on
// serving: the lock was released by its defer.
func TestHandlerPanicUnderLock(t *testing.T) {
	c := New(t, fake.WithSeed(1))
	s, err := c.AddServer(Server{ProjectID: "p", FlavorID: "1", ImageID: DefaultImageID})
	if err != nil {
		t.Fatal(err)
	}
	var armed atomic.Bool
	armed.Store(true)
	c.Intercept(OpGetServer, func(h kit.Handler) kit.Handler {
		return func(call *kit.Call) (kit.Reply, error) {
			if armed.CompareAndSwap(true, false) {
				c.armPanic(s.ID)
			}
			return h(call)
		}
	})
	api := kittest.New(t, c.URL()+"/v2.1/p", c.Client())

	r := api.Get("/servers/" + s.ID).Expect(http.StatusInternalServerError)
	fault, ok := r.Object()["computeFault"].(map[string]any)
	if !ok || fault["code"] != float64(500) || !strings.Contains(fault["message"].(string), "boom") {
		t.Errorf("panic answered %s", r.Body)
	}
	api.Get("/servers/" + s.ID).Expect(http.StatusOK)
	api.Get("/servers").Expect(http.StatusOK)
	api.Do("POST", "/servers/"+s.ID+"/action", `{"os-stop":null}`).Expect(http.StatusAccepted)
	if got := c.Requests(); len(got) != 4 || got[0].Status != http.StatusInternalServerError || got[1].Status != http.StatusOK {
		t.Errorf("journal: %+v", got)
	}
}

// armPanic schedules an event on a server that panics when it is applied.
func (c *Compute) armPanic(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.servers[id].schedule(c.Now(), func(*server, time.Time) { panic("boom") })
}
