package triton_test

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/triton"
)

// BenchmarkHeartbeats100kCNs: 100,000 CNs heartbeating every 5 s for 24 h
// of simulated time, 100 of them going silent at times through the day,
// then the status of every one. Heartbeats are closed-form, so the day
// costs nothing per tick. Reported: ms/day (24 Advances of an hour and the
// statuses), MB-live (the DC's heap after a GC), ms-setup (adding the CNs,
// each with its admin NIC).
func BenchmarkHeartbeats100kCNs(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		dc, err := triton.NewUnstarted(fake.WithJournalLimit(16))
		if err != nil {
			b.Fatal(err)
		}
		ids := dc.AddServers(100_000, triton.DefaultProfile())
		for j := 0; j < 100; j++ {
			_ = dc.StopHeartbeats(ids[j*1000], dc.Now().Add(time.Duration(j)*time.Minute))
		}
		setup := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.StartTimer()
		day := time.Now()
		for h := 0; h < 24; h++ {
			dc.Advance(time.Hour)
		}
		counts := dc.StatusCounts()
		elapsed := time.Since(day)
		b.StopTimer()
		if counts["unknown"] != 100 || counts["running"] != 99_900 {
			b.Fatalf("statuses %v, want 100 unknown", counts)
		}
		b.ReportMetric(float64(elapsed.Microseconds())/1000, "ms/day")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-live")
		b.ReportMetric(float64(setup.Milliseconds()), "ms-setup")
		runtime.KeepAlive(ids)
		dc.Close()
		b.StartTimer()
	}
}

// BenchmarkProvision10kVMs: 10,000 VMs through VMAPI's POST /vms (in
// memory) across 1,000 CNs, each allocated by walking the free-RAM index.
func BenchmarkProvision10kVMs(b *testing.B) {
	body := vmBody("bench", 1024)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dc, err := triton.NewUnstarted(fake.WithJournalLimit(16), triton.WithDurations(triton.Instant()))
		if err != nil {
			b.Fatal(err)
		}
		dc.AddServers(1000, triton.DefaultProfile())
		client := dc.API(triton.VMAPI).Client()
		b.StartTimer()
		for j := 0; j < 10_000; j++ {
			resp, err := client.Post("http://vmapi/vms", "application/json", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Fatalf("provision %d: %d", j, resp.StatusCode)
			}
		}
		b.StopTimer()
		dc.Close()
		b.StartTimer()
	}
}
