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

// BenchmarkListMachines: CloudAPI's ListMachines (signed, in memory, a
// page of 1,000) for an account with 2,000 of a DC's 10,000 VMs across
// 1,000 CNs. Reported: ms/list.
func BenchmarkListMachines(b *testing.B) {
	dc, err := triton.NewUnstarted(fake.WithJournalLimit(16), triton.WithDurations(triton.Instant()))
	if err != nil {
		b.Fatal(err)
	}
	defer dc.Close()
	dc.AddServers(1000, triton.DefaultProfile())
	client := signedClient(b, dc, "alice")
	alice, _ := dc.Account("alice")
	for j := 0; j < 10_000; j++ {
		owner := owner
		if j%5 == 0 {
			owner = alice.UUID
		}
		if _, _, err := dc.CreateVM(triton.CreateVM{OwnerUUID: owner, Alias: "vm" + itoa(j), Brand: "joyent", RAM: 1024,
			ImageUUID: "2b683a82-a066-11e3-97ab-2faa44701c5a", Networks: []triton.NetworkRef{{Name: "external"}}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		resp, err := client.Get("http://cloudapi/alice/machines")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("x-resource-count") != "1000" {
			b.Fatalf("list: %d, %s machines", resp.StatusCode, resp.Header.Get("x-resource-count"))
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/list")
}

// BenchmarkCreateMachine: CloudAPI's CreateMachine (signed, in memory)
// across 1,000 CNs, each a VMAPI provision placed by the allocator.
// Reported: µs/create (an RSA-2048 signature per request included).
func BenchmarkCreateMachine(b *testing.B) {
	dc, err := triton.NewUnstarted(fake.WithJournalLimit(16), triton.WithDurations(triton.Instant()))
	if err != nil {
		b.Fatal(err)
	}
	defer dc.Close()
	dc.AddServers(1000, triton.DefaultProfile())
	client := signedClient(b, dc, "alice")
	img := dc.Images()[0].ID
	body := `{"name":"bench-{{shortId}}","package":"sample-256M","image":"` + img + `","tag.role":"bench"}`
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		resp, err := client.Post("http://cloudapi/alice/machines", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("create %d: %d", i, resp.StatusCode)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/create")
}
