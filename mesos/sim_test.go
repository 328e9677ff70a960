package mesos_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/mesos"
)

// wireScheduler is a Mesos scheduler written against the wire protocol
// only: a RecordIO reader on the SUBSCRIBE response, Mesos-Stream-Id on
// every call, ACKNOWLEDGE for every update that carries a uuid. It has no
// knowledge of the fake.
type wireScheduler struct {
	t        testing.TB
	base     string
	hc       *http.Client
	streamID string
	fwID     string
	events   chan wireEvent
	readErr  chan error
	cancel   context.CancelFunc
}

// wireEvent is the part of scheduler.proto's Event this scheduler reads.
type wireEvent struct {
	Type       string `json:"type"`
	Subscribed *struct {
		FrameworkID struct {
			Value string `json:"value"`
		} `json:"framework_id"`
		HeartbeatIntervalSeconds float64 `json:"heartbeat_interval_seconds"`
	} `json:"subscribed"`
	Offers *struct {
		Offers []struct {
			ID        struct{ Value string } `json:"id"`
			AgentID   struct{ Value string } `json:"agent_id"`
			Resources []struct {
				Name   string `json:"name"`
				Scalar *struct {
					Value float64 `json:"value"`
				} `json:"scalar"`
			} `json:"resources"`
		} `json:"offers"`
	} `json:"offers"`
	Update *struct {
		Status struct {
			TaskID  struct{ Value string } `json:"task_id"`
			AgentID struct{ Value string } `json:"agent_id"`
			State   string                 `json:"state"`
			UUID    string                 `json:"uuid"`
		} `json:"status"`
	} `json:"update"`
}

func startWireScheduler(t testing.TB, base string, hc *http.Client) *wireScheduler {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	body := `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"sim","name":"wire scheduler"}}}`
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/scheduler", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("SUBSCRIBE: %v", err)
	}
	if resp.StatusCode != 200 {
		cancel()
		t.Fatalf("SUBSCRIBE: %s", resp.Status)
	}
	ws := &wireScheduler{
		t: t, base: base, hc: hc, streamID: resp.Header.Get("Mesos-Stream-Id"),
		events: make(chan wireEvent, 1<<16), readErr: make(chan error, 1), cancel: cancel,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		ws.readErr <- readRecordIO(resp.Body, ws.events)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	ev := ws.next()
	if ev.Type != "SUBSCRIBED" {
		t.Fatalf("first event %s", ev.Type)
	}
	ws.fwID = ev.Subscribed.FrameworkID.Value
	return ws
}

// readRecordIO decodes "<length>\n<json>" records until the body ends.
func readRecordIO(body io.ReadCloser, out chan<- wireEvent) error {
	defer body.Close()
	br := bufio.NewReader(body)
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(string(bytes.TrimSpace(line)))
		if err != nil {
			return fmt.Errorf("record length %q: %v", line, err)
		}
		rec := make([]byte, n)
		if _, err := io.ReadFull(br, rec); err != nil {
			return err
		}
		var ev wireEvent
		if err := json.Unmarshal(rec, &ev); err != nil {
			return fmt.Errorf("record %s: %v", rec, err)
		}
		out <- ev
	}
}

// next returns the next event other than a heartbeat.
func (ws *wireScheduler) next() wireEvent {
	ws.t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		select {
		case ev := <-ws.events:
			if ev.Type != "HEARTBEAT" {
				return ev
			}
		case err := <-ws.readErr:
			ws.t.Fatalf("stream ended: %v", err)
		case <-timer.C:
			ws.t.Fatalf("no event within %v", waitTimeout)
		}
	}
}

func (ws *wireScheduler) post(call string) {
	ws.t.Helper()
	req, _ := http.NewRequest("POST", ws.base+"/api/v1/scheduler", strings.NewReader(call))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Mesos-Stream-Id", ws.streamID)
	resp, err := ws.hc.Do(req)
	if err != nil {
		ws.t.Errorf("call: %v", err)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		ws.t.Errorf("call %.80s: %s %s", call, resp.Status, b)
	}
}

// TestSchedulerLaunchesThousandTasks drives 1,000 tasks through STARTING,
// RUNNING and FINISHED purely over the wire, moving only the clock: every
// update arrives exactly once (each is acknowledged before the agent would
// retry it), in order per task.
func TestSchedulerLaunchesThousandTasks(t *testing.T) {
	const tasks = 1000
	srv := mesos.New(t,
		mesos.WithAgents(mesos.AgentConfig{Count: 10, Resources: mesos.Resources{CPUs: 50, Mem: 50 * 1024}}),
		fake.WithSeed(42))
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}} // over loopback, as a scheduler would
	ws := startWireScheduler(t, srv.URL(), hc)
	clk := srv.Clock()

	seen := map[string][]string{} // task -> states, in order
	launched := 0
	// acknowledge posts an ACKNOWLEDGE for each update, eight at a time,
	// and returns once every one has been answered: a 202 means the
	// master has taken it, so nothing is left to poll for afterwards, and
	// no poster outlives the test.
	acknowledge := func(updates []wireEvent) {
		next := make(chan wireEvent)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ev := range next {
					s := ev.Update.Status
					ws.post(fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":%q},"task_id":{"value":%q},"uuid":%q}}`,
						ws.fwID, s.AgentID.Value, s.TaskID.Value, s.UUID))
				}
			}()
		}
		for _, ev := range updates {
			next <- ev
		}
		close(next)
		wg.Wait()
	}
	ackAll := func(n int) {
		// Read n updates, then acknowledge those that carry a uuid.
		var acks []wireEvent
		for i := 0; i < n; {
			ev := ws.next()
			switch ev.Type {
			case "OFFERS":
				for _, o := range ev.Offers.Offers {
					ws.post(fmt.Sprintf(`{"framework_id":{"value":%q},"type":"DECLINE","decline":{"offer_ids":[{"value":%q}],"filters":{"refuse_seconds":3600}}}`,
						ws.fwID, o.ID.Value))
				}
				continue
			case "UPDATE":
			default:
				t.Fatalf("unexpected %s event", ev.Type)
			}
			s := ev.Update.Status
			seen[s.TaskID.Value] = append(seen[s.TaskID.Value], s.State)
			if s.UUID != "" {
				acks = append(acks, ev)
			}
			i++
		}
		acknowledge(acks)
		if n := srv.Unacknowledged(); n != 0 {
			t.Fatalf("%d updates unacknowledged after every ACKNOWLEDGE was answered", n)
		}
	}

	// Offers: one per agent after the first allocation run.
	clk.Advance(time.Second)
	offers := ws.next()
	if offers.Type != "OFFERS" || len(offers.Offers.Offers) != 10 {
		t.Fatalf("want 10 offers, got %s", offers.Type)
	}
	for _, o := range offers.Offers.Offers {
		var infos []string
		for j := 0; j < tasks/10; j++ {
			id := fmt.Sprintf("task-%04d", launched)
			launched++
			infos = append(infos, fmt.Sprintf(`{"name":%q,"task_id":{"value":%q},"agent_id":{"value":%q},"command":{"value":"true"},`+
				`"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}},{"name":"mem","type":"SCALAR","scalar":{"value":256}}]}`,
				id, id, o.AgentID.Value))
		}
		ws.post(fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[%s]}}],"filters":{"refuse_seconds":3600}}}`,
			ws.fwID, o.ID.Value, strings.Join(infos, ",")))
	}

	clk.Advance(time.Second) // STAGING -> STARTING
	ackAll(tasks)
	clk.Advance(time.Second) // -> RUNNING
	ackAll(tasks)
	clk.Advance(10 * time.Second) // -> FINISHED
	ackAll(tasks)

	if len(seen) != tasks {
		t.Fatalf("updates for %d tasks, want %d", len(seen), tasks)
	}
	for id, states := range seen {
		if strings.Join(states, ",") != "TASK_STARTING,TASK_RUNNING,TASK_FINISHED" {
			t.Fatalf("task %s went %v", id, states)
		}
	}
	// Nothing is retried: read up to a barrier a minute later.
	clk.Advance(time.Minute)
	waitForCtx(t, srv)
	if err := srv.SendFrameworkMessage(ws.fwID, "barrier", "barrier", nil); err != nil {
		t.Fatal(err)
	}
	for {
		ev := ws.next()
		if ev.Type == "MESSAGE" {
			break
		}
		if ev.Type == "UPDATE" {
			t.Errorf("extra update for %s: %s", ev.Update.Status.TaskID.Value, ev.Update.Status.State)
		}
	}
	for _, tk := range srv.Tasks() {
		if tk.State != mesos.TaskFinished || tk.Unacknowledged != 0 {
			t.Fatalf("task %s: %s with %d unacknowledged", tk.ID, tk.State, tk.Unacknowledged)
		}
	}
	if n := len(srv.Tasks()); n != tasks {
		t.Errorf("master remembers %d tasks, want %d", n, tasks)
	}
}

func waitForCtx(t testing.TB, srv *mesos.Master) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := srv.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
}
