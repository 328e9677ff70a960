package examples

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/gophercloudkit"
	"github.com/mockcloud/mockcloud/mesos"
)

// bubbleProvider authenticates gophercloud against a Cloud through its
// in-memory client, as gophercloudkit hands it out.
func bubbleProvider(t *testing.T, cloud *mockcloud.Cloud) *gophercloud.ProviderClient {
	t.Helper()
	return gophercloudkit.Provider(t, cloud, gophercloudkit.WithUser("alice", "demo"))
}

// TestScaleOut100InSynctest creates 100 servers and waits for each with
// gophercloud's WaitForStatus, with the default 30 s build time and no
// Advance: 30 s of bubble time, well under a second of wall time.
func TestScaleOut100InSynctest(t *testing.T) {
	const n = 100
	start := time.Now()
	synctest.Test(t, func(t *testing.T) {
		quota := compute.DefaultQuota()
		quota.Instances, quota.Cores, quota.RAM = n, n, n*512
		cloud := mockcloud.New(t, mockcloud.WithSynctest(),
			mockcloud.Configure(compute.ServiceName, compute.WithQuota(quota)))
		nova, err := openstack.NewComputeV2(bubbleProvider(t, cloud), gophercloud.EndpointOpts{Region: "RegionOne"})
		if err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		if err := scaleOut(context.Background(), nova, n); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(began); took != compute.DefaultDurations().Build {
			t.Errorf("scale-out took %v of bubble time, want the 30 s build", took)
		}
		active := 0
		for _, s := range cloud.Compute("RegionOne").Servers() {
			if s.Status == "ACTIVE" {
				active++
			}
		}
		if active != n {
			t.Errorf("%d servers ACTIVE, want %d", active, n)
		}
	})
	limit := time.Second
	if raceEnabled || os.Getenv("MOCKCLOUD_SLOW") != "" {
		limit = 5 * time.Second // the race detector slows every request down
	}
	if wall := time.Since(start); wall > limit {
		t.Errorf("100 servers took %v of wall time, want under %v", wall, limit)
	}
	t.Logf("100 servers built and waited for in %v of wall time", time.Since(start))
}

// TestLoadBalancerActiveInSynctest creates a Cloud Load Balancer over
// plain HTTP (gophercloud has no CLB client) and polls it until ACTIVE,
// as a deploy script would, without moving the clock by hand.
func TestLoadBalancerActiveInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cloud := mockcloud.New(t, mockcloud.WithSynctest())
		provider := bubbleProvider(t, cloud)
		endpoint, err := provider.EndpointLocator(gophercloud.EndpointOpts{Type: "rax:load-balancer", Region: "RegionOne", Availability: gophercloud.AvailabilityPublic})
		if err != nil {
			t.Fatal(err)
		}
		send := func(method, path, body string, out any) int {
			req, _ := http.NewRequest(method, strings.TrimSuffix(endpoint, "/")+path, strings.NewReader(body))
			req.Header.Set("X-Auth-Token", provider.Token())
			req.Header.Set("Content-Type", "application/json")
			resp, err := cloud.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatalf("%s %s: %d: %v", method, path, resp.StatusCode, err)
			}
			return resp.StatusCode
		}
		var lb struct {
			LoadBalancer struct {
				ID     int    `json:"id"`
				Status string `json:"status"`
			} `json:"loadBalancer"`
		}
		code := send("POST", "/loadbalancers", `{"loadBalancer":{"name":"web","protocol":"HTTP","port":80,
			"virtualIps":[{"type":"PUBLIC"}],"nodes":[{"address":"10.1.1.1","port":80,"condition":"ENABLED"}]}}`, &lb)
		if code != http.StatusAccepted || lb.LoadBalancer.Status != "BUILD" {
			t.Fatalf("create: %d %+v", code, lb)
		}
		created := time.Now()
		for lb.LoadBalancer.Status != "ACTIVE" {
			time.Sleep(time.Second) // a deploy script's poll
			send("GET", "/loadbalancers/"+strconv.Itoa(lb.LoadBalancer.ID), "", &lb)
			if time.Since(created) > time.Hour {
				t.Fatalf("still %s after an hour", lb.LoadBalancer.Status)
			}
		}
		t.Logf("ACTIVE after %v of bubble time", time.Since(created))
	})
}

// TestMesosSchedulerInSynctest is a scheduler reading its subscription
// stream through the in-memory transport: the first offers, the launched
// task's updates and the heartbeats come on bubble time.
func TestMesosSchedulerInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cloud := mockcloud.New(t, mockcloud.WithSynctest(),
			mockcloud.Configure(mesos.ServiceName, mesos.WithAutoAcknowledge()))
		scheduler := cloud.ServiceURL(mesos.ServiceName, "") + "/api/v1/scheduler"
		post := func(body, streamID string) *http.Response {
			req, _ := http.NewRequest("POST", scheduler, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if streamID != "" {
				req.Header.Set("Mesos-Stream-Id", streamID)
			}
			resp, err := cloud.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		resp := post(`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"demo","name":"bubble"}}}`, "")
		defer resp.Body.Close()
		events := mesos.NewRecordReader(resp.Body)
		subscribed := nextEvent(t, events)
		fwID := subscribed.Subscribed.FrameworkID.Value
		start := time.Now()

		ev := nextEvent(t, events)
		for ev.Type != "OFFERS" {
			ev = nextEvent(t, events) // the HEARTBEAT first
		}
		if waited := time.Since(start); waited != time.Second {
			t.Errorf("first offers after %v of bubble time, want 1s", waited)
		}
		offer := ev.Offers.Offers[0]
		accept := post(fmt.Sprintf(`{"framework_id":{"value":%q},"type":"ACCEPT","accept":{"offer_ids":[{"value":%q}],
			"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"hello","task_id":{"value":"hello-1"},
			"agent_id":{"value":%q},"command":{"value":"echo hello"},
			"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}}]}]}}]}}`,
			fwID, offer.ID.Value, offer.AgentID.Value), resp.Header.Get("Mesos-Stream-Id"))
		accept.Body.Close()
		if accept.StatusCode != http.StatusAccepted {
			t.Fatalf("ACCEPT: %s", accept.Status)
		}
		var states []string
		for len(states) == 0 || states[len(states)-1] != "TASK_FINISHED" {
			if ev = nextEvent(t, events); ev.Type == "UPDATE" {
				states = append(states, ev.Update.Status.State)
			}
		}
		if strings.Join(states, " ") != "TASK_STARTING TASK_RUNNING TASK_FINISHED" {
			t.Errorf("updates %v", states)
		}
		t.Logf("hello-1 finished %v of bubble time after the offer", time.Since(start)-time.Second)
	})
}

// event is what the example reads of a Mesos scheduler event.
type event struct {
	Type       string `json:"type"`
	Subscribed struct {
		FrameworkID struct {
			Value string `json:"value"`
		} `json:"framework_id"`
	} `json:"subscribed"`
	Offers struct {
		Offers []struct {
			ID struct {
				Value string `json:"value"`
			} `json:"id"`
			AgentID struct {
				Value string `json:"value"`
			} `json:"agent_id"`
		} `json:"offers"`
	} `json:"offers"`
	Update struct {
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	} `json:"update"`
}

// nextEvent reads and decodes one record of a stream.
func nextEvent(t *testing.T, r *mesos.RecordReader) event {
	t.Helper()
	rec, err := r.Next()
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	var ev event
	if err := json.Unmarshal(rec, &ev); err != nil {
		t.Fatalf("record %s: %v", rec, err)
	}
	return ev
}

// TestDelayedFaultInSynctest: a fault's delay takes bubble time, so a
// client's deadline is tested without waiting for it.
func TestDelayedFaultInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cloud := mockcloud.New(t, mockcloud.WithSynctest())
		nova, err := openstack.NewComputeV2(bubbleProvider(t, cloud), gophercloud.EndpointOpts{Region: "RegionOne"})
		if err != nil {
			t.Fatal(err)
		}
		// Nova answers the next list after two minutes.
		cloud.Inject(fake.Fault{Op: compute.OpListServerDetail, Delay: 2 * time.Minute, Times: 1})

		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		_, err = servers.List(nova, nil).AllPages(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Minute {
			t.Errorf("with a 1 min deadline: %v after %v, want the deadline after 1m", err, time.Since(start))
		}

		cloud.Inject(fake.Fault{Op: compute.OpListServerDetail, Delay: 2 * time.Minute, Times: 1})
		start = time.Now()
		if _, err := servers.List(nova, nil).AllPages(context.Background()); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 2*time.Minute {
			t.Errorf("the delayed list answered after %v, want 2m", waited)
		}
	})
}
