package mesos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/mesos"
)

// TestMain fails the run if goroutines outlive the tests: every stream
// writer, reader and server must be gone once the tests have cleaned up.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		leaked := leakedGoroutines()
		for len(leaked) > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			leaked = leakedGoroutines()
		}
		if len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "leaked goroutines:\n\n%s\n", strings.Join(leaked, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines lists the stacks of goroutines other than the main one
// and the runtime's or the test framework's own.
func leakedGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		switch {
		case strings.Contains(g, "mesos_test.TestMain"),
			strings.Contains(g, "os/signal.signal_recv"),
			strings.Contains(g, "testing.(*F).Fuzz"),
			strings.Contains(g, "testing.runFuzzing"),
			strings.TrimSpace(g) == "":
			continue
		}
		out = append(out, g)
	}
	return out
}

// waitTimeout bounds every wait for a streamed event.
const waitTimeout = 10 * time.Second

// response is one HTTP answer, fully read.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("response body is not a JSON object: %v\n%s", err, r.Body)
	}
	return v
}

// api talks HTTP to a started master.
type api struct {
	t        testing.TB
	srv      *mesos.Master
	hc       *http.Client
	c        *kittest.Client
	barriers int
}

func newAPI(t testing.TB, opts ...mesos.Option) *api {
	t.Helper()
	srv := mesos.New(t, opts...)
	c := kittest.New(t, srv.URL(), srv.Client())
	return &api{t: t, srv: srv, hc: c.HTTP, c: c}
}

// do sends method path with body and header pairs; a JSON Content-Type is
// set for a non-empty body unless the pairs set one, and a pair with an
// empty value removes the header.
func (a *api) do(method, path, body string, headers ...string) response {
	a.t.Helper()
	r := a.c.Do(method, path, body, headers...)
	return response{Status: r.Status, Header: r.Header, Body: r.Body}
}

// call posts a scheduler call on behalf of a subscribed stream.
func (a *api) call(s *stream, body string) response {
	a.t.Helper()
	return a.do("POST", "/api/v1/scheduler", body, "Mesos-Stream-Id", s.id)
}

// operator posts an Operator API call and decodes the answer.
func (a *api) operator(body string) map[string]any {
	a.t.Helper()
	r := a.do("POST", "/api/v1", body, "Accept", "application/json")
	if r.Status != http.StatusOK {
		a.t.Fatalf("operator %s: %d %s", body, r.Status, r.Body)
	}
	return r.json(a.t)
}

// event is one RecordIO record of a stream.
type event struct {
	Type string
	Raw  json.RawMessage
	v    map[string]any
}

// get walks a path of object keys and array indexes ("offers.offers.0.id.value").
func (e event) get(path string) any {
	var cur any = e.v
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func (e event) str(path string) string {
	s, _ := e.get(path).(string)
	return s
}

// stream reads a RecordIO event stream on its own goroutine.
type stream struct {
	t       testing.TB
	id      string
	header  http.Header
	status  int
	chunked bool

	mu     sync.Mutex
	events []event
	log    []event // every event read, consumed or not
	err    error
	done   bool
	notify chan struct{}

	cancel context.CancelFunc
	exited chan struct{}
}

// subscribe opens a stream with a SUBSCRIBE body to path, checking it
// answered 200.
func (a *api) subscribe(path, body string, headers ...string) *stream {
	a.t.Helper()
	s := a.open(path, body, headers...)
	if s.status != http.StatusOK {
		a.t.Fatalf("SUBSCRIBE %s: status %d", path, s.status)
	}
	return s
}

func (a *api) open(path, body string, headers ...string) *stream {
	a.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "POST", a.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		cancel()
		a.t.Fatalf("NewRequest: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		cancel()
		a.t.Fatalf("SUBSCRIBE: %v", err)
	}
	s := &stream{
		t: a.t, id: resp.Header.Get("Mesos-Stream-Id"), header: resp.Header, status: resp.StatusCode,
		chunked: len(resp.TransferEncoding) == 1 && resp.TransferEncoding[0] == "chunked" && resp.ContentLength == -1,
		notify:  make(chan struct{}, 1), cancel: cancel, exited: make(chan struct{}),
	}
	go s.read(resp.Body)
	a.t.Cleanup(s.close)
	return s
}

// read parses "<length>\n<json>" records until the stream ends.
func (s *stream) read(body io.ReadCloser) {
	defer close(s.exited)
	defer body.Close()
	records := mesos.NewRecordReader(body)
	var err error
	for {
		var rec []byte
		if rec, err = records.Next(); err != nil {
			break
		}
		if len(rec) == 0 {
			err = fmt.Errorf("an empty RecordIO record")
			break
		}
		ev := event{Raw: rec}
		if jerr := json.Unmarshal(rec, &ev.v); jerr != nil {
			err = fmt.Errorf("record is not JSON: %v: %s", jerr, rec)
			break
		}
		ev.Type, _ = ev.v["type"].(string)
		s.mu.Lock()
		s.events = append(s.events, ev)
		s.log = append(s.log, ev)
		s.mu.Unlock()
		s.poke()
	}
	s.mu.Lock()
	if err != io.EOF {
		s.err = err
	}
	s.done = true
	s.mu.Unlock()
	s.poke()
}

func (s *stream) poke() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// all returns every event read so far, consumed or not.
func (s *stream) all() []event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]event(nil), s.log...)
}

// close disconnects and waits for the reader to exit.
func (s *stream) close() {
	s.cancel()
	<-s.exited
}

// next returns the next event that is not a HEARTBEAT.
func (s *stream) next() event {
	s.t.Helper()
	for {
		ev, ok := s.nextAny()
		if !ok {
			s.t.Fatalf("stream ended (err %v) while waiting for an event", s.errValue())
		}
		if ev.Type != "HEARTBEAT" {
			return ev
		}
	}
}

func (s *stream) errValue() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// nextAny returns the next event of any type; false once the stream has
// ended with nothing left.
func (s *stream) nextAny() (event, bool) {
	s.t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.events) > 0 {
			ev := s.events[0]
			s.events = s.events[1:]
			s.mu.Unlock()
			return ev, true
		}
		done := s.done
		s.mu.Unlock()
		if done {
			return event{}, false
		}
		select {
		case <-s.notify:
		case <-deadline.C:
			s.t.Fatalf("no event within %v", waitTimeout)
		}
	}
}

// expect returns the next non-HEARTBEAT event, which must be of type typ.
func (s *stream) expect(typ string) event {
	s.t.Helper()
	ev := s.next()
	if ev.Type != typ {
		s.t.Fatalf("got %s event, want %s: %s", ev.Type, typ, ev.Raw)
	}
	return ev
}

// update returns the next UPDATE, skipping the offers, rescinds and agent
// failures that come meanwhile.
func (s *stream) update() event {
	s.t.Helper()
	for {
		ev := s.next()
		switch ev.Type {
		case "UPDATE":
			return ev
		case "OFFERS", "RESCIND", "FAILURE":
			continue
		}
		s.t.Fatalf("got %s event, want UPDATE: %s", ev.Type, ev.Raw)
	}
}

// ended waits for the server to end the stream and returns what was left.
func (s *stream) ended() []event {
	s.t.Helper()
	var rest []event
	for {
		ev, ok := s.nextAny()
		if !ok {
			return rest
		}
		rest = append(rest, ev)
	}
}

// drain returns every event (but heartbeats) the master sent fw's stream
// so far: it sends a MESSAGE as a barrier and reads up to it, so the
// answer does not depend on how fast the reader goroutine runs.
func (a *api) drain(s *stream, fw string) []event {
	a.t.Helper()
	a.barriers++
	mark := fmt.Sprintf("barrier-%d", a.barriers)
	if err := a.srv.SendFrameworkMessage(fw, mark, mark, []byte(mark)); err != nil {
		a.t.Fatalf("barrier: %v", err)
	}
	var out []event
	for {
		ev := s.next()
		if ev.Type == "MESSAGE" && ev.str("message.executor_id.value") == mark {
			return out
		}
		out = append(out, ev)
	}
}

// subscribeBody is a SUBSCRIBE call for a framework named name.
func subscribeBody(name string, capabilities ...string) string {
	caps := make([]string, len(capabilities))
	for i, c := range capabilities {
		caps[i] = fmt.Sprintf(`{"type":%q}`, c)
	}
	return fmt.Sprintf(`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":%q,"capabilities":[%s]}}}`,
		name, strings.Join(caps, ","))
}

// framework subscribes a framework and returns its stream and ID, having
// consumed SUBSCRIBED.
func (a *api) framework(name string, capabilities ...string) (*stream, string) {
	a.t.Helper()
	s := a.subscribe("/api/v1/scheduler", subscribeBody(name, capabilities...))
	ev := s.expect("SUBSCRIBED")
	return s, ev.str("subscribed.framework_id.value")
}

// offers advances the clock by the allocation interval and returns the
// OFFERS event that follows.
func (a *api) offers(s *stream) event {
	a.t.Helper()
	a.srv.Clock().Advance(time.Second)
	return s.expect("OFFERS")
}

// launchBody is an ACCEPT of one offer launching command tasks.
func launchBody(fwID, offerID, agentID string, tasks ...string) string {
	infos := make([]string, len(tasks))
	for i, name := range tasks {
		infos[i] = taskInfo(name, name, agentID, 1, 128)
	}
	return fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],`+
		`"operations":[{"type":"LAUNCH","launch":{"task_infos":[%s]}}]}}`, fwID, offerID, strings.Join(infos, ","))
}

func taskInfo(id, name, agentID string, cpus, mem float64) string {
	return fmt.Sprintf(`{"name":%q,"task_id":{"value":%q},"agent_id":{"value":%q},`+
		`"command":{"shell":true,"value":"sleep 10"},`+
		`"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":%v}},{"name":"mem","type":"SCALAR","scalar":{"value":%v}}]}`,
		name, id, agentID, cpus, mem)
}

func ackBody(fwID, agentID, taskID, uuid string) string {
	return fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":%q},"task_id":{"value":%q},"uuid":%q}}`,
		fwID, agentID, taskID, uuid)
}

// ack acknowledges an UPDATE event that carries a uuid.
func (a *api) ack(s *stream, fwID string, ev event) {
	a.t.Helper()
	uuid := ev.str("update.status.uuid")
	if uuid == "" {
		a.t.Fatalf("update has no uuid: %s", ev.Raw)
	}
	r := a.call(s, ackBody(fwID, ev.str("update.status.agent_id.value"), ev.str("update.status.task_id.value"), uuid))
	if r.Status != http.StatusAccepted {
		a.t.Fatalf("ACKNOWLEDGE: %d %s", r.Status, r.Body)
	}
}

// smallCluster is one agent, fast lifecycle, and no default agents.
func smallCluster() []mesos.Option {
	return []mesos.Option{
		mesos.WithAgents(mesos.AgentConfig{Hostname: "agent1.example.com",
			Resources:  mesos.Resources{CPUs: 4, Mem: 4096, Disk: 10000, Ports: []mesos.PortRange{{Begin: 31000, End: 32000}}},
			Attributes: map[string]string{"rack": "r1", "zone": "a"}}),
	}
}
