package triton

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/kit/kittest"
)

// An effect that panics while a handler settles the DC is answered with
// restify's 500, and every API goes on serving: the lock is released as
// the panic unwinds.
func TestPanicKeepsServing(t *testing.T) {
	dc := New(t, WithServers(1))
	hc := dc.API(VMAPI).Client()
	hc.Timeout = 10 * time.Second // a lock left held would hang the next request
	c := kittest.New(t, dc.VMAPIURL(), hc)
	func() {
		dc.mu.Lock()
		defer dc.mu.Unlock()
		dc.atLocked(dc.Now(), func(time.Time) { panic("boom") })
	}()
	r := c.Get("/vms").Expect(http.StatusInternalServerError)
	var e struct{ Code, Message string }
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Code != "InternalError" || e.Message == "" {
		t.Errorf("500 body = %s, want restify's {\"code\",\"message\"}", r.Body)
	}
	c.Get("/vms").Expect(http.StatusOK)
	cn := kittest.New(t, dc.CNAPIURL(), dc.API(CNAPI).Client())
	cn.Get("/servers").Expect(http.StatusOK)
}
