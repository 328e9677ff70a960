package mesos_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/mesos"
)

// Close ends every stream at once, so the server shuts down without
// waiting on open subscriptions.
func TestCloseEndsStreams(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, _ := a.framework("open")
	op := a.subscribe("/api/v1", `{"type":"SUBSCRIBE"}`)
	done := make(chan struct{})
	go func() {
		a.srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatal("Close hung on open streams")
	}
	s.ended()
	op.ended()
	a.srv.Close() // idempotent
}

func TestStreamsAndWaitDelivered(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("count")
	a.srv.Clock().Advance(time.Minute) // an OFFERS and four HEARTBEATs
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := a.srv.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	streams := a.srv.Streams()
	if len(streams) != 1 {
		t.Fatalf("streams %+v", streams)
	}
	want := mesos.Stream{ID: s.id, FrameworkID: fw, Enqueued: 7, Written: 7, Open: true}
	if streams[0] != want {
		t.Errorf("stream %+v, want %+v", streams[0], want)
	}
}

func TestFaultsAndJournal(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	h := a.srv.Inject(fake.Fault{Op: mesos.OpSchedulerSubscribe, Status: http.StatusServiceUnavailable, Times: 1})
	r := a.do("POST", "/api/v1/scheduler", subscribeBody("x"))
	if r.Status != 503 || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("faulted SUBSCRIBE: %d %s %q", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if h.Hits() != 1 {
		t.Errorf("fault hits %d", h.Hits())
	}
	s, _ := a.framework("after")
	a.do("GET", "/master/state", "")
	a.do("POST", "/api/v1", `{"type":"GET_HEALTH"}`)
	fake.CheckOps(t, a.srv.Requests(), mesos.OpSchedulerSubscribe, mesos.OpSchedulerSubscribe, mesos.OpState, mesos.OpOperatorGetHealth)
	reqs := a.srv.Requests()
	if reqs[1].Status != 200 || reqs[1].Service != mesos.ServiceName {
		t.Errorf("the stream's journal entry: %+v", reqs[1])
	}
	s.close()
}

// A Cloud shares its Env; Mesos has no tokens, so its Authenticator is
// not applied.
func TestCloudEnvIgnoresAuth(t *testing.T) {
	clk := clock.New(time.Time{})
	env := kit.Env{Clock: clk, Auth: func(*http.Request) (kit.Principal, *kit.Error) {
		return kit.Principal{}, kit.Errorf(401, "no")
	}}
	m := kittest.InCloud[*mesos.Master](t, mesos.Descriptor(), env, kit.Site{Regions: []string{"ORD"}}, mesos.WithAgents())
	c := kittest.New(t, m.URL(), m.Client())
	c.Get("/master/health").Expect(http.StatusOK)
	c.Do("POST", "/api/v1", `{"type":"GET_HEALTH"}`).Expect(http.StatusOK).CheckJSON(`{"type":"GET_HEALTH","get_health":{"healthy":true}}`)
	if m.Clock() != clk {
		t.Errorf("the Env's clock is not used")
	}
	if m.Region() != "" || m.Name() != mesos.ServiceName {
		t.Errorf("mounted as %q in region %q", m.Name(), m.Region())
	}
}

// In a Cloud, the Cloud owns the clock and the seed: the master refuses
// them, and its own options that are broken.
func TestDescriptorRefusesSharedOptions(t *testing.T) {
	d := mesos.Descriptor()
	if d.Name != mesos.ServiceName || d.Prefix != "/mesos" || d.PerRegion || len(d.Catalog) != 0 {
		t.Errorf("descriptor %+v", d)
	}
	for _, opts := range [][]fake.Option{
		{fake.WithClock(clock.New(time.Time{}))},
		{fake.WithSeed(7)},
		{mesos.WithOutcomes(mesos.Outcomes{"TASK_NAPPING": 1})},
	} {
		if inst, err := d.New(kit.Env{}, kit.Site{}, opts); err == nil || inst != nil {
			t.Errorf("New(%v) = %v, %v; want an error", opts, inst, err)
		}
	}
	if _, err := mesos.NewUnstarted(mesos.WithLifecycle(mesos.Lifecycle{Run: -time.Second})); err == nil {
		t.Error("NewUnstarted accepted a negative lifecycle")
	}
}

// The standalone server runs on a real-time clock: heartbeats come by
// themselves.
func TestRealTimeClock(t *testing.T) {
	clk := clock.NewRealTime()
	defer clk.Close()
	cfg := mesos.DefaultConfig()
	cfg.HeartbeatInterval = 20 * time.Millisecond
	a := newAPI(t, fake.WithClock(clk), mesos.WithConfig(cfg))
	s := a.subscribe("/api/v1/scheduler", subscribeBody("rt"))
	var types []string
	for len(types) < 4 {
		ev, ok := s.nextAny()
		if !ok {
			t.Fatal("stream ended")
		}
		if ev.Type != "OFFERS" {
			types = append(types, ev.Type)
		}
	}
	if strings.Join(types, ",") != "SUBSCRIBED,HEARTBEAT,HEARTBEAT,HEARTBEAT" {
		t.Errorf("events %v", types)
	}
	s.close()
	a.srv.Close()
}

func TestErrorAndFailureEvents(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	old, fw := a.framework("ev")
	nu := a.subscribe("/api/v1/scheduler", fmt.Sprintf(`{"type":"SUBSCRIBE","framework_id":{"value":%q},"subscribe":{"framework_info":{"id":{"value":%q},"user":"root","name":"ev"}}}`, fw, fw))
	nu.expect("SUBSCRIBED")
	rest := old.ended()
	checkJSON(t, rest[len(rest)-1].v, `{"type":"ERROR","error":{"message":"Framework failed over"}}`)
	agent := a.srv.Agents()[0].ID
	if err := a.srv.RemoveAgent(agent); err != nil {
		t.Fatal(err)
	}
	checkJSON(t, nu.expect("FAILURE").v, `{"type":"FAILURE","failure":{"agent_id":{"value":"`+agent+`"}}}`)
}

// Mounted under a prefix, as the Cloud mounts it at /mesos, the master
// needs no configuration: links follow the mount point.
func TestMountedUnderPrefix(t *testing.T) {
	m, err := mesos.NewUnstarted(smallCluster()...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/mesos/", http.StripPrefix("/mesos", m))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer m.Close()

	hc := srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(srv.URL + "/mesos/master/redirect")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := "//" + strings.TrimPrefix(srv.URL, "http://") + "/mesos"; resp.Header.Get("Location") != want {
		t.Errorf("Location %q, want %q", resp.Header.Get("Location"), want)
	}
	resp, err = hc.Post(srv.URL+"/mesos/api/v1/scheduler", "application/json", strings.NewReader(subscribeBody("mounted")))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ev := recordIO(bufio.NewReader(resp.Body))
	if ev["type"] != "SUBSCRIBED" || resp.Header.Get("Mesos-Stream-Id") == "" {
		t.Errorf("mounted SUBSCRIBE: %v %v", resp.Header, ev)
	}
	if reqs := m.Requests(); len(reqs) != 2 || reqs[1].Path != "/api/v1/scheduler" || reqs[1].Op != mesos.OpSchedulerSubscribe {
		t.Errorf("journal %+v", reqs)
	}
}
