package mesos_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/mesos"
)

// newBenchMaster starts a master whose journal keeps only the last 256
// requests, as the standalone server's does, so the benchmarks measure the
// master and not the journal.
func newBenchMaster(b *testing.B, opts ...mesos.Option) *mesos.Master {
	b.Helper()
	return kittest.InCloud[*mesos.Master](b, mesos.Descriptor(), kit.Env{Journal: fake.NewJournal(256)}, kit.Site{}, opts...)
}

// benchStream is a lean scheduler stream for benchmarks: it counts
// records by the substrings they contain instead of decoding them.
type benchStream struct {
	id       string
	fw       string
	offers   chan []byte
	finished atomic.Int64
	updates  atomic.Int64
	done     chan struct{}
	cancel   context.CancelFunc
}

func openBenchStream(b *testing.B, srv *mesos.Master) *benchStream {
	return openCodecBenchStream(b, srv, jsonBench{})
}

// openCodecBenchStream subscribes with the codec's Accept: the events come
// in that codec.
func openCodecBenchStream(b *testing.B, srv *mesos.Master, cd benchCodec) *benchStream {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL()+"/api/v1/scheduler",
		strings.NewReader(`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"bench","name":"bench"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", cd.contentType())
	resp, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	bs := &benchStream{id: resp.Header.Get("Mesos-Stream-Id"), offers: make(chan []byte, 16), done: make(chan struct{}), cancel: cancel}
	subscribed := make(chan string, 1)
	go func() {
		defer close(bs.done)
		defer resp.Body.Close()
		br := bufio.NewReaderSize(resp.Body, 1<<20)
		// Records are read into one reused buffer: only the rare OFFERS
		// record, handed to another goroutine, is copied out.
		var buf []byte
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			n, _ := strconv.Atoi(string(line[:len(line)-1]))
			if cap(buf) < n {
				buf = make([]byte, n)
			}
			rec := buf[:n]
			if _, err := io.ReadFull(br, rec); err != nil {
				return
			}
			switch kind, finished := cd.classify(rec); kind {
			case "UPDATE":
				bs.updates.Add(1)
				if finished {
					bs.finished.Add(1)
				}
			case "OFFERS":
				bs.offers <- bytes.Clone(rec)
			case "SUBSCRIBED":
				subscribed <- cd.frameworkID(rec)
			}
		}
	}()
	bs.fw = <-subscribed
	return bs
}

func (bs *benchStream) close() {
	bs.cancel()
	<-bs.done
}

// offerIDs pulls (offer, agent) ID pairs out of an OFFERS record.
func offerIDs(rec []byte) (offers, agents []string) {
	s := string(rec)
	for {
		i := strings.Index(s, `{"id":{"value":"`)
		if i < 0 {
			return
		}
		s = s[i+len(`{"id":{"value":"`):]
		offers = append(offers, s[:strings.IndexByte(s, '"')])
		j := strings.Index(s, `"agent_id":{"value":"`)
		s = s[j+len(`"agent_id":{"value":"`):]
		agents = append(agents, s[:strings.IndexByte(s, '"')])
	}
}

func post(b *testing.B, srv *mesos.Master, stream string, body []byte) {
	postAs(b, srv, "application/json", stream, body)
}

func postAs(b *testing.B, srv *mesos.Master, contentType, stream string, body []byte) {
	req, _ := http.NewRequest("POST", srv.URL()+"/api/v1/scheduler", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Mesos-Stream-Id", stream)
	resp, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b.Fatalf("%s: %s", resp.Status, msg)
	}
}

// BenchmarkLaunch100kTasks: one op is a scheduler launching 100,000
// tasks over HTTP (100 ACCEPTs of 1,000 tasks on 100 agents) and every
// one of them going STAGING -> STARTING -> RUNNING -> FINISHED on the
// clock, with all 300,000 UPDATE events streamed to the scheduler; in
// JSON, and in protobuf (calls and events) as mesos-go's default codec.
func BenchmarkLaunch100kTasks(b *testing.B) {
	for _, cd := range []benchCodec{jsonBench{}, &protobufBench{}} {
		b.Run(cd.name(), func(b *testing.B) { benchLaunch(b, cd) })
	}
}

func benchLaunch(b *testing.B, cd benchCodec) {
	const agents, perAgent = 100, 1000
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv := newBenchMaster(b,
			mesos.WithAgents(mesos.AgentConfig{Count: agents, Resources: mesos.Resources{CPUs: perAgent, Mem: perAgent * 64}}),
			mesos.WithAutoAcknowledge())
		b.StartTimer()

		bs := openCodecBenchStream(b, srv, cd)
		clk := srv.Clock()
		clk.Advance(time.Second)
		offers, agentIDs := cd.offerIDs(<-bs.offers)
		if len(offers) != agents {
			b.Fatalf("%d offers, want %d", len(offers), agents)
		}
		// The bodies are built by appending, not with fmt: the client's
		// time is not what is measured.
		body := make([]byte, 0, perAgent*256)
		for a, offer := range offers {
			body = cd.accept(body[:0], bs.fw, offer, agentIDs[a], a, perAgent)
			postAs(b, srv, cd.contentType(), bs.id, body)
		}
		clk.Advance(time.Second)
		clk.Advance(time.Second)
		clk.Advance(10 * time.Second)
		deadline := time.Now().Add(time.Minute)
		for bs.finished.Load() < agents*perAgent {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d tasks finished (%d updates)", bs.finished.Load(), agents*perAgent, bs.updates.Load())
			}
			time.Sleep(time.Millisecond)
		}
		if n := bs.updates.Load(); n != 3*agents*perAgent {
			b.Fatalf("%d updates, want %d", n, 3*agents*perAgent)
		}

		b.StopTimer()
		bs.close()
		srv.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*agents*perAgent), "ns/task")
}

// BenchmarkOffersCycle: one op is an allocation run offering 100 agents
// to a framework (one OFFERS event with 100 offers) and the framework
// declining them all in one DECLINE with refuse_seconds 0.
func BenchmarkOffersCycle(b *testing.B) {
	const agents = 100
	srv := newBenchMaster(b,
		mesos.WithAgents(mesos.AgentConfig{Count: agents, Resources: mesos.Resources{CPUs: 8, Mem: 32768, Disk: 100000, Ports: []mesos.PortRange{{Begin: 31000, End: 32000}}},
			Attributes: map[string]string{"rack": "r1", "zone": "us-east-1a"}}))
	bs := openBenchStream(b, srv)
	defer bs.close()
	clk := srv.Clock()
	var body bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clk.Advance(time.Second)
		offers, _ := offerIDs(<-bs.offers)
		if len(offers) != agents {
			b.Fatalf("%d offers, want %d", len(offers), agents)
		}
		body.Reset()
		fmt.Fprintf(&body, `{"framework_id":{"value":%q},"type":"DECLINE","decline":{"offer_ids":[`, bs.fw)
		for j, o := range offers {
			if j > 0 {
				body.WriteByte(',')
			}
			fmt.Fprintf(&body, `{"value":%q}`, o)
		}
		body.WriteString(`],"filters":{"refuse_seconds":0}}}`)
		post(b, srv, bs.id, body.Bytes())
	}
}
