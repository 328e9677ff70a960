package mesos_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/mesos"
)

// REACTIVATE_AGENT acts on reactivate_agent.agent_id, whatever else the
// call carries (an unrelated deactivate_agent member is ignored, as
// protobuf ignores members the call type does not read).
func TestReactivateAgentReadsItsOwnMember(t *testing.T) {
	a := newAPI(t, mesos.WithAgents(mesos.AgentConfig{Count: 2, Resources: mesos.Resources{CPUs: 1, Mem: 512}}))
	agents := a.srv.Agents()
	first, second := agents[0].ID, agents[1].ID
	for _, id := range []string{first, second} {
		if err := a.srv.DeactivateAgent(id); err != nil {
			t.Fatal(err)
		}
	}
	body := fmt.Sprintf(`{"type":"REACTIVATE_AGENT","deactivate_agent":{"agent_id":{"value":%q}},"reactivate_agent":{"agent_id":{"value":%q}}}`, first, second)
	if r := a.do("POST", "/api/v1", body); r.Status != 200 {
		t.Fatalf("REACTIVATE_AGENT: %d %s", r.Status, r.Body)
	}
	got := map[string]bool{}
	for _, ag := range a.srv.Agents() {
		got[ag.ID] = ag.Deactivated
	}
	if !got[first] || got[second] {
		t.Errorf("deactivated after REACTIVATE_AGENT of %s: %v, want only %s", second, got, first)
	}
}

// Master.Close ends a stream even when its writer is blocked on a client
// that stopped reading, so the server embedding the master can close:
// nothing else would unblock that write.
func TestCloseEndsStreamOfClientNotReading(t *testing.T) {
	m, err := mesos.NewUnstarted(smallCluster()...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/v1/scheduler", strings.NewReader(subscribeBody("deaf")))
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close() // never read
	fw := m.Frameworks()[0].ID
	// Queue events until they no longer fit in the connection's buffers
	// and the writer blocks.
	big := make([]byte, 2<<20)
	for i := 0; ; i++ {
		if i == 32 {
			t.Fatal("64 MiB went through a connection nobody reads: the writer never blocked, so this test shows nothing")
		}
		if err := m.SendFrameworkMessage(fw, "agent", "executor", big); err != nil {
			t.Fatal(err)
		}
		short, stop := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err := m.WaitDelivered(short)
		stop()
		if err != nil {
			break
		}
	}
	done := make(chan struct{})
	go func() {
		m.Close()
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(waitTimeout):
		srv.CloseClientConnections() // let the goroutine above finish
		<-done
		t.Fatal("the server's Close hung on a stream the master had closed")
	}
}
