package loadbalancer_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

// benchServer keeps a bounded journal, as a Cloud can.
func benchServer(b *testing.B) *loadbalancer.CLB {
	return kittest.InCloud[*loadbalancer.CLB](b, loadbalancer.Descriptor(), kit.Env{Journal: fake.NewJournal(1024)}, dfw,
		loadbalancer.WithDurations(loadbalancer.Instant()))
}

// BenchmarkCreateLoadBalancer: POST /loadbalancers with two nodes over
// loopback; a new tenant every 25 load balancers keeps within the default
// LOADBALANCER_LIMIT.
func BenchmarkCreateLoadBalancer(b *testing.B) {
	srv := benchServer(b)
	c := kittest.New(b, srv.URL(), srv.Client())
	body := `{"loadBalancer":{"name":"bench","port":80,"protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],
		"nodes":[{"address":"10.1.1.1","port":80,"condition":"ENABLED"},{"address":"10.1.1.2","port":80,"condition":"ENABLED"}]}}`
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Do("POST", fmt.Sprintf("/v1.0/%d/loadbalancers", 100000+i/25), body).Expect(http.StatusAccepted)
	}
}

// BenchmarkAddNodes: POST /loadbalancers/{id}/nodes with one node over
// loopback, filling load balancers up to the default NODE_LIMIT of 25.
func BenchmarkAddNodes(b *testing.B) {
	srv := benchServer(b)
	c := kittest.New(b, srv.URL(), srv.Client())
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
		body := fmt.Sprintf(`{"nodes":[{"address":"10.%d.%d.%d","port":80,"condition":"ENABLED","weight":10}]}`,
			(i>>16)&255, (i>>8)&255, i&255)
		c.Do("POST", fmt.Sprintf("/v1.0/%s/loadbalancers/%d/nodes", tenant, ids[i/25]), body).Expect(http.StatusAccepted)
	}
}
