package triton

import (
	"strconv"
	"strings"
	"testing"
)

// TestControlServerCap: the control API's cap on compute nodes holds
// across calls, adding and loading, and a call that would pass it adds
// nothing. The DC is filled with placeholders (only counted), not
// 250,000 real CNs.
func TestControlServerCap(t *testing.T) {
	dc, err := NewUnstarted()
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	dc.mu.Lock()
	for i := range MaxServers - 10 {
		dc.dc.servers["placeholder-"+strconv.Itoa(i)] = nil
	}
	dc.mu.Unlock()
	if _, err := dc.addServersSpec(11, ServerSpec{}); err == nil || !strings.Contains(err.Error(), "limit of 250000") {
		t.Errorf("11 past the cap: %v", err)
	}
	if err := dc.loadDC(DC{Servers: make([]DCServer, 11)}, MaxServers); err == nil || !strings.Contains(err.Error(), "limit of 250000") {
		t.Errorf("loading 11 past the cap: %v", err)
	}
	if n := len(dc.dc.serverOrder); n != 0 {
		t.Errorf("refused calls added %d servers", n)
	}
	if ids, err := dc.addServersSpec(10, ServerSpec{}); err != nil || len(ids) != 10 {
		t.Errorf("10 up to the cap: %d, %v", len(ids), err)
	}
}
