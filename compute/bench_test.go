package compute_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// unlimited lifts every quota so benchmarks measure the fake, not Nova's
// refusals.
func unlimited() compute.Quota {
	return compute.Quota{Instances: -1, Cores: -1, RAM: -1, MetadataItems: -1, KeyPairs: -1, ServerGroups: -1, ServerGroupMembers: -1}
}

func benchServer(b *testing.B) *compute.Compute {
	return newInEnv(b, kit.Env{Journal: fake.NewJournal(1024)}, compute.WithQuota(unlimited()), compute.WithDurations(compute.Instant()))
}

// BenchmarkCreateServer: POST /servers over loopback.
func BenchmarkCreateServer(b *testing.B) {
	srv := benchServer(b)
	body := fmt.Sprintf(`{"server":{"name":"bench","flavorRef":"1","imageRef":%q,"metadata":{"k":"v"}}}`, compute.DefaultImageID)
	c := kittest.New(b, srv.URL(), srv.Client())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Do("POST", "/v2.1/bench/servers", body).Expect(http.StatusAccepted)
	}
}

// BenchmarkGetServer: GET /servers/{id} over loopback, among 1,000 servers.
func BenchmarkGetServer(b *testing.B) {
	srv := benchServer(b)
	var id string
	for i := 0; i < 1000; i++ {
		s, err := srv.AddServer(compute.Server{ProjectID: "bench", FlavorID: "1", ImageID: compute.DefaultImageID})
		if err != nil {
			b.Fatal(err)
		}
		id = s.ID
	}
	c := kittest.New(b, srv.URL(), srv.Client())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Get("/v2.1/bench/servers/" + id).Expect(http.StatusOK)
	}
}

// BenchmarkListServers10k: one op lists 10,000 servers in detail, 1,000 a
// page, following the next links (10 requests).
func BenchmarkListServers10k(b *testing.B) {
	srv := benchServer(b)
	for i := 0; i < 10000; i++ {
		if _, err := srv.AddServer(compute.Server{ProjectID: "bench", FlavorID: "1", ImageID: compute.DefaultImageID}); err != nil {
			b.Fatal(err)
		}
	}
	client := srv.Client()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		marker, seen := "", 0
		for {
			url := srv.URL() + "/v2.1/bench/servers/detail?limit=1000"
			if marker != "" {
				url += "&marker=" + marker
			}
			resp, err := client.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			var page struct {
				Servers []struct {
					ID string `json:"id"`
				} `json:"servers"`
			}
			if err := decodeJSON(resp, &page); err != nil {
				b.Fatal(err)
			}
			seen += len(page.Servers)
			if len(page.Servers) < 1000 {
				break
			}
			marker = page.Servers[len(page.Servers)-1].ID
		}
		if seen != 10000 {
			b.Fatalf("listed %d servers, want 10000", seen)
		}
	}
}
