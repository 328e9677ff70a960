package mesos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// codecClient speaks one codec to a master, as a v1 client does: calls
// in Content-Type, answers negotiated by Accept, streams as RecordIO.
type codecClient struct {
	t  *testing.T
	m  *Master
	cd codec
}

func (c *codecClient) request(path string, call any, header ...string) *http.Request {
	c.t.Helper()
	var body []byte
	if c.cd == codecProtobuf {
		body = marshalPB(call)
	} else {
		body = mustJSON(call)
	}
	req, err := http.NewRequest("POST", c.m.URL()+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", c.cd.contentType())
	req.Header.Set("Accept", c.cd.contentType())
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// post sends a call and returns the answer's status and body.
func (c *codecClient) post(path string, call any, header ...string) (int, []byte) {
	c.t.Helper()
	resp, err := c.m.Client().Do(c.request(path, call, header...))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && len(b) > 0 {
		if ct := resp.Header.Get("Content-Type"); ct != c.cd.contentType() {
			c.t.Errorf("answer in %q, want %q", ct, c.cd.contentType())
		}
	}
	return resp.StatusCode, b
}

// decode reads a message in the client's codec.
func (c *codecClient) decode(b []byte, v any) {
	c.t.Helper()
	var err error
	if c.cd == codecProtobuf {
		err = unmarshalPB(b, v)
	} else {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		c.t.Fatalf("decoding %x: %v", b, err)
	}
}

// records reads a RecordIO stream on its own goroutine.
type records struct {
	c      *codecClient
	header http.Header
	recs   chan []byte
}

func (c *codecClient) subscribe(path string, call any) *records {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := c.m.Client().Do(c.request(path, call).WithContext(ctx))
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("SUBSCRIBE: %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != c.cd.contentType() {
		c.t.Errorf("stream in %q, want %q", ct, c.cd.contentType())
	}
	r := &records{c: c, header: resp.Header, recs: make(chan []byte, 1024)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(r.recs)
		records := NewRecordReader(resp.Body)
		for {
			rec, err := records.Next()
			if errors.Is(err, ErrRecordIO) || err == nil && len(rec) == 0 {
				c.t.Errorf("RecordIO: %q, %v", rec, err)
				return
			}
			if err != nil {
				return
			}
			r.recs <- rec
		}
	}()
	c.t.Cleanup(func() {
		cancel()
		resp.Body.Close()
		<-done
	})
	return r
}

// next decodes the next record into v, waiting up to wait for it; false
// when none came.
func (r *records) next(v any, wait time.Duration) bool {
	r.c.t.Helper()
	select {
	case rec, ok := <-r.recs:
		if !ok {
			r.c.t.Fatal("stream ended")
		}
		r.c.decode(rec, v)
		return true
	case <-time.After(wait):
		return false
	}
}

// nextEvent is the next scheduler event that is not a HEARTBEAT, if one
// comes within wait.
func (r *records) nextEvent(wait time.Duration) (schedEvent, bool) {
	r.c.t.Helper()
	for {
		var ev schedEvent
		if !r.next(&ev, wait) {
			return ev, false
		}
		if ev.Type != "HEARTBEAT" {
			return ev, true
		}
	}
}

// mustEvent is the next scheduler event that is not a HEARTBEAT.
func (r *records) mustEvent() schedEvent {
	r.c.t.Helper()
	ev, ok := r.nextEvent(10 * time.Second)
	if !ok {
		r.c.t.Fatal("no event came")
	}
	return ev
}

// codecRun is what a scheduler and an operator see of one scripted run:
// subscribe, take an offer, launch a task, acknowledge its updates to
// the end, read the state and an operator stream's first events.
type codecRun struct {
	Events   []schedEvent
	State    opResponse
	Operator []opEvent
	Health   opResponse
}

func runInCodec(t *testing.T, cd codec) codecRun {
	m := New(t, WithAgents(AgentConfig{Count: 1, Resources: Resources{CPUs: 2, Mem: 1024}}))
	c := &codecClient{t: t, m: m, cd: cd}
	var run codecRun
	s := c.subscribe("/api/v1/scheduler", &schedCall{Type: "SUBSCRIBE", Subscribe: &subscribeCall{
		FrameworkInfo: &wFrameworkInfo{User: ptr("u"), Name: ptr("codec"), Capabilities: []wFrameworkCapability{{Type: "TASK_KILLING_STATE"}}},
	}})
	sub := s.mustEvent()
	run.Events = append(run.Events, sub)
	fw := sub.Subscribed.FrameworkID
	stream := s.header.Get("Mesos-Stream-Id")

	m.Clock().Advance(time.Second)
	offers := s.mustEvent()
	run.Events = append(run.Events, offers)
	if offers.Offers == nil || len(offers.Offers.Offers) != 1 {
		t.Fatalf("%s: %+v, want one offer", cd.contentType(), offers)
	}
	o := offers.Offers.Offers[0]
	status, body := c.post("/api/v1/scheduler", &schedCall{FrameworkID: &fw, Type: "ACCEPT", Accept: &acceptCall{
		OfferIDs: []wID{o.ID},
		Operations: []wOperation{{Type: "LAUNCH", Launch: &wLaunch{TaskInfos: []wTaskInfo{{
			Name: ptr("t"), TaskID: idp("t1"), AgentID: &o.AgentID,
			Command:   commandIn(cd),
			Resources: []wResource{{Name: "cpus", Type: "SCALAR", Scalar: &wScalar{Value: 1}}},
		}}}}},
	}}, "Mesos-Stream-Id", stream)
	if status != http.StatusAccepted {
		t.Fatalf("%s ACCEPT: %d %s", cd.contentType(), status, body)
	}
	finished := false
	for step := 0; step < 60 && !finished; step++ {
		m.Clock().Advance(time.Second)
		if err := m.WaitDelivered(context.Background()); err != nil {
			t.Fatal(err)
		}
		for !finished {
			ev, ok := s.nextEvent(50 * time.Millisecond)
			if !ok {
				break
			}
			run.Events = append(run.Events, ev)
			finished = c.acknowledge(ev, fw, stream)
		}
	}

	status, body = c.post("/api/v1", &opCall{Type: "GET_STATE"})

	if status != http.StatusOK {
		t.Fatalf("%s GET_STATE: %d %s", cd.contentType(), status, body)
	}
	c.decode(body, &run.State)
	_, body = c.post("/api/v1", &opCall{Type: "GET_HEALTH"})
	c.decode(body, &run.Health)

	ops := c.subscribe("/api/v1", &opCall{Type: "SUBSCRIBE"})
	for range 2 {
		var ev opEvent
		if !ops.next(&ev, 10*time.Second) {
			t.Fatal("no operator event")
		}
		run.Operator = append(run.Operator, ev)
	}
	return run
}

// acknowledge acknowledges an UPDATE with a uuid; it reports whether the
// task has finished.
func (c *codecClient) acknowledge(ev schedEvent, fw wID, stream string) bool {
	c.t.Helper()
	if ev.Type != "UPDATE" {
		return false
	}
	st := ev.Update.Status
	if len(st.UUID) > 0 {
		status, body := c.post("/api/v1/scheduler", &schedCall{FrameworkID: &fw, Type: "ACKNOWLEDGE", Acknowledge: &ackCall{
			AgentID: st.AgentID, TaskID: &st.TaskID, UUID: ptr(st.UUID),
		}}, "Mesos-Stream-Id", stream)
		if status != http.StatusAccepted {
			c.t.Fatalf("%s ACKNOWLEDGE: %d %s", c.cd.contentType(), status, body)
		}
	}
	return st.State == "TASK_FINISHED"
}

// commandIn is a CommandInfo {value: "true"} in a codec's raw form.
func commandIn(cd codec) rawMsg {
	var r rawMsg
	if cd == codecProtobuf {
		// TaskInfo.command (7) = CommandInfo{value (3) = "true"}
		r.addPB([]byte{7<<3 | wireBytes, 6, 3<<3 | wireBytes, 4, 't', 'r', 'u', 'e'})
	} else {
		r.json = json.RawMessage(`{"value":"true"}`)
	}
	return r
}

// The same run in JSON and in protobuf: a scheduler and an operator see
// the same events and answers, field for field, but for what the fake
// only echoes (the task's command, kept in the form it came in).
func TestProtobufRunMatchesJSON(t *testing.T) {
	j := runInCodec(t, codecJSON)
	p := runInCodec(t, codecProtobuf)
	if len(j.Events) < 5 {
		t.Fatalf("JSON run saw %d events, want SUBSCRIBED, OFFERS and the task's updates", len(j.Events))
	}
	last := j.Events[len(j.Events)-1]
	if last.Update == nil || last.Update.Status.State != "TASK_FINISHED" {
		t.Errorf("JSON run ended with %+v, want TASK_FINISHED", last)
	}
	if n := len(j.State.GetState.GetTasks.CompletedTasks) + len(j.State.GetState.GetTasks.Tasks); n != 1 {
		t.Errorf("GET_STATE lists %d tasks, want 1", n)
	}
	if !j.Health.GetHealth.Healthy || j.Operator[0].Type != "SUBSCRIBED" || j.Operator[1].Type != "HEARTBEAT" {
		t.Errorf("health %+v, operator stream %s then %s", j.Health.GetHealth, j.Operator[0].Type, j.Operator[1].Type)
	}
	opts := cmp.Options{
		cmpopts.EquateEmpty(),
		cmp.Exporter(func(reflect.Type) bool { return true }),
		cmp.Comparer(func(a, b wID) bool { return a.Value == b.Value }),
		cmp.Comparer(func(a, b rawMsg) bool { return a.set() == b.set() }),
	}
	if diff := cmp.Diff(j, p, opts); diff != "" {
		t.Errorf("JSON and protobuf runs differ (-json +protobuf):\n%s", diff)
	}
}

// The master's answers to calls it cannot take in protobuf, and its
// choice of codec for the answer.
func TestProtobufNegotiation(t *testing.T) {
	m := New(t)
	for _, tc := range []struct {
		name, path, contentType, accept string
		body                            []byte
		status                          int
		answer                          string // Content-Type, or the error text
	}{
		{"malformed", "/api/v1/scheduler", mediaProtobuf, mediaProtobuf, []byte{0x0a, 0x09}, 400,
			"Failed to parse body into Call protobuf"},
		// SUBSCRIBE without its required framework_info.user: ParseFromString fails.
		{"missing required", "/api/v1/scheduler", mediaProtobuf, mediaProtobuf,
			marshalPB(&schedCall{Type: "SUBSCRIBE", Subscribe: &subscribeCall{FrameworkInfo: &wFrameworkInfo{Name: ptr("n")}}}), 400,
			"Failed to parse body into Call protobuf"},
		{"no type", "/api/v1", mediaProtobuf, mediaProtobuf, nil, 400,
			"Failed to validate master::Call: Expecting 'type' to be present"},
		{"protobuf in, JSON out", "/api/v1", mediaProtobuf, "", marshalPB(&opCall{Type: "GET_HEALTH"}), 200, mediaJSON},
		{"JSON in, protobuf out", "/api/v1", mediaJSON, mediaProtobuf, []byte(`{"type":"GET_HEALTH"}`), 200, mediaProtobuf},
		{"JSON preferred", "/api/v1", mediaProtobuf, mediaProtobuf + ", " + mediaJSON, marshalPB(&opCall{Type: "GET_HEALTH"}), 200, mediaJSON},
		{"neither", "/api/v1", mediaProtobuf, "text/html", marshalPB(&opCall{Type: "GET_HEALTH"}), 406,
			"Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'"},
		{"parameters", "/api/v1", mediaProtobuf + "; charset=binary", "", marshalPB(&opCall{Type: "GET_HEALTH"}), 415,
			"Expecting 'Content-Type' of application/json or application/x-protobuf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", m.URL()+tc.path, bytes.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			resp, err := m.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %q, want %d", resp.StatusCode, b, tc.status)
			}
			if tc.status != 200 {
				if string(b) != tc.answer {
					t.Errorf("body %q, want %q", b, tc.answer)
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.answer {
				t.Errorf("answered in %q, want %q", ct, tc.answer)
			}
			var health opResponse
			c := &codecClient{t: t, m: m, cd: codecJSON}
			if tc.answer == mediaProtobuf {
				c.cd = codecProtobuf
			}
			c.decode(b, &health)
			if health.Type != "GET_HEALTH" || health.GetHealth == nil || !health.GetHealth.Healthy {
				t.Errorf("answer %+v", health)
			}
		})
	}
}
