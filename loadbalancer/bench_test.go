package loadbalancer_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

// benchServer keeps a bounded journal, as a Cloud can.
func benchServer(b *testing.B) *loadbalancer.CLB {
	return inCloud(b, kit.Env{Journal: fake.NewJournal(1024)}, loadbalancer.WithDurations(loadbalancer.Instant()))
}

func mustDo(b *testing.B, c *http.Client, req *http.Request, want int) {
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %d, want %d", req.Method, req.URL, resp.StatusCode, want)
	}
}

// BenchmarkCreateLoadBalancer: POST /loadbalancers with two nodes over
// loopback; a new tenant every 25 load balancers keeps within the default
// LOADBALANCER_LIMIT.
func BenchmarkCreateLoadBalancer(b *testing.B) {
	srv := benchServer(b)
	client := srv.Client()
	body := `{"loadBalancer":{"name":"bench","port":80,"protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],
		"nodes":[{"address":"10.1.1.1","port":80,"condition":"ENABLED"},{"address":"10.1.1.2","port":80,"condition":"ENABLED"}]}}`
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		url := fmt.Sprintf("%s/v1.0/%d/loadbalancers", srv.URL(), 100000+i/25)
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		mustDo(b, client, req, http.StatusAccepted)
	}
}

// BenchmarkAddNodes: POST /loadbalancers/{id}/nodes with one node over
// loopback, filling load balancers up to the default NODE_LIMIT of 25.
func BenchmarkAddNodes(b *testing.B) {
	srv := benchServer(b)
	client := srv.Client()
	var ids []int
	for i := 0; i < b.N/25+1; i++ {
		lb, err := srv.AddLoadBalancer(loadbalancer.LoadBalancer{Tenant: tenant})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, lb.ID)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		url := fmt.Sprintf("%s/v1.0/%s/loadbalancers/%d/nodes", srv.URL(), tenant, ids[i/25])
		body := fmt.Sprintf(`{"nodes":[{"address":"10.%d.%d.%d","port":80,"condition":"ENABLED","weight":10}]}`,
			(i>>16)&255, (i>>8)&255, i&255)
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		mustDo(b, client, req, http.StatusAccepted)
	}
}
