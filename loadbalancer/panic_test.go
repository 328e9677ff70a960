package loadbalancer

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/kit"
)

// A handler that panics while it holds the service's lock is answered with
// a 500 in CLB's fault format, and the service goes on serving: the lock
// is only ever taken with defer.
func TestPanicAnswers500AndServiceGoesOn(t *testing.T) {
	c := mustUnstarted(t, WithDurations(Instant()))
	lb, err := c.AddLoadBalancer(LoadBalancer{Tenant: "t", Nodes: []Node{{Address: "10.1.1.1", Port: 80}}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	lbPath := fmt.Sprintf("/v1.0/t/loadbalancers/%d", lb.ID)
	check500 := func(code int, body string) {
		t.Helper()
		var e struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		}
		if code != 500 || json.Unmarshal([]byte(body), &e) != nil || e.Code != 500 || !strings.Contains(e.Message, "panicked") {
			t.Errorf("panicking handler: %d %s, want 500 {message, code}", code, body)
		}
	}

	t.Run("intercepted", func(t *testing.T) {
		c.Intercept(OpGetLoadBalancer, func(kit.Handler) kit.Handler {
			return func(*kit.Call) (kit.Reply, error) {
				c.mu.Lock()
				defer c.mu.Unlock()
				panic("boom under the lock")
			}
		})
		check500(get(lbPath))
		c.Intercept(OpGetLoadBalancer, nil)
		if code, body := get(lbPath); code != 200 {
			t.Errorf("after the panic: %d %s", code, body)
		}
	})

	t.Run("real handler", func(t *testing.T) {
		// A nil node makes the real handler dereference nil while it
		// settles the load balancer, under the lock.
		func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.lbs[lb.ID].nodes = append(c.lbs[lb.ID].nodes, nil)
		}()
		check500(get(lbPath + "/nodes"))
		func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			stored := c.lbs[lb.ID]
			stored.nodes = stored.nodes[:len(stored.nodes)-1]
		}()
		if code, body := get(lbPath + "/nodes"); code != 200 {
			t.Errorf("after the panic: %d %s", code, body)
		}
		if got := c.Requests(); got[len(got)-2].Status != 500 || got[len(got)-1].Status != 200 {
			t.Errorf("journal: %d then %d, want 500 then 200", got[len(got)-2].Status, got[len(got)-1].Status)
		}
	})
}
