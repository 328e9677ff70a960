package mockcloud_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/mesos"
)

// catalogURLs authenticates with client and returns the catalog's URLs.
func catalogURLs(t *testing.T, c *mockcloud.Cloud, client *http.Client) []string {
	t.Helper()
	resp, err := client.Post(c.URL()+"/identity/v3/auth/tokens", "application/json", strings.NewReader(v3Auth))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token struct {
			Catalog []struct {
				Endpoints []struct {
					URL string `json:"url"`
				} `json:"endpoints"`
			} `json:"catalog"`
		} `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 201 {
		t.Fatalf("auth: %d %v", resp.StatusCode, err)
	}
	var urls []string
	for _, s := range out.Token.Catalog {
		for _, e := range s.Endpoints {
			urls = append(urls, e.URL)
		}
	}
	return urls
}

// TestClientInMemoryGivesLoopbackURLs: the Cloud's client serves in
// memory (a request in the journal, no socket) and the catalog it gets is
// the one a loopback client gets, URL for URL.
func TestClientInMemoryGivesLoopbackURLs(t *testing.T) {
	c := mockcloud.New(t)
	if _, ok := c.Transport().(*kit.Transport); !ok {
		t.Fatalf("Transport() is a %T, not the in-memory one", c.Transport())
	}
	memory := catalogURLs(t, c, c.Client())
	loopback := catalogURLs(t, c, &http.Client{})
	if strings.Join(memory, "\n") != strings.Join(loopback, "\n") || len(memory) == 0 {
		t.Errorf("catalog in memory:\n%s\nover loopback:\n%s", strings.Join(memory, "\n"), strings.Join(loopback, "\n"))
	}
	for _, u := range memory {
		if !strings.HasPrefix(u, c.URL()+"/") {
			t.Errorf("catalog URL %s is not under %s", u, c.URL())
		}
	}
}

// TestWithoutListener: a Cloud that opens no socket has loopback-shaped
// URLs, serves them through Client, refuses other clients, and refuses
// its own client after Close.
func TestWithoutListener(t *testing.T) {
	c, err := mockcloud.NewUnstarted(mockcloud.WithoutListener())
	if err != nil {
		t.Fatal(err)
	}
	c.Start()
	defer c.Close()
	if !strings.HasPrefix(c.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q, want a loopback URL", c.URL())
	}
	if want := c.URL() + "/compute/DFW"; c.ServiceURL("compute", "DFW") != want {
		t.Errorf("ServiceURL = %q, want %q", c.ServiceURL("compute", "DFW"), want)
	}
	urls := catalogURLs(t, c, c.Client())
	if len(urls) == 0 || !strings.HasPrefix(urls[0], c.URL()+"/") {
		t.Errorf("catalog %v is not under %s", urls, c.URL())
	}
	if resp, err := http.Get(c.URL() + "/mockcloud/v1/health"); err == nil {
		resp.Body.Close()
		t.Errorf("a plain client reached a Cloud without a listener: %d", resp.StatusCode)
	}
	c.Close()
	if _, err := c.Client().Get(c.URL() + "/mockcloud/v1/health"); !errors.Is(err, kit.ErrTransportClosed) {
		t.Errorf("after Close: %v, want kit.ErrTransportClosed", err)
	}
}

// TestCloudInSynctest runs a whole Cloud inside a synctest bubble: a
// client polling once a second sees the default 30 s build finish after
// 30 s of bubble time with no Advance; a fault's delay takes bubble time;
// a Mesos subscription gets its heartbeat 15 s in. When the test ends the
// Cloud's Close leaves no goroutine: synctest.Test fails if one is left,
// or if one is blocked on anything but the bubble (a socket, real time).
func TestCloudInSynctest(t *testing.T) {
	start := time.Now()
	synctest.Test(t, func(t *testing.T) {
		c := mockcloud.New(t, mockcloud.WithSynctest())
		if !c.Clock().RealTime() || !c.Now().Equal(time.Now().UTC()) {
			t.Errorf("the Cloud's clock reads %v, bubble time is %v", c.Now(), time.Now())
		}
		tok := token(t, c)
		id := createServer(t, c, "RegionOne", tok)
		path := "/compute/RegionOne/v2.1/" + tokenProject(t, c, tok) + "/servers/" + id
		created := time.Now()
		for {
			var out struct {
				Server struct {
					Status string `json:"status"`
				} `json:"server"`
			}
			call(t, c, "GET", path, "", map[string]string{"X-Auth-Token": tok}, &out)
			if out.Server.Status == "ACTIVE" {
				break
			}
			if time.Since(created) > time.Hour {
				t.Fatalf("still %s after an hour", out.Server.Status)
			}
			time.Sleep(time.Second)
		}
		if waited := time.Since(created); waited != 30*time.Second {
			t.Errorf("ACTIVE after %v of bubble time, want the 30 s build", waited)
		}

		c.Inject(fake.Fault{Op: compute.OpListServers, Delay: 10 * time.Second, Status: 503, Times: 1})
		before := time.Now()
		code, _ := call(t, c, "GET", "/compute/RegionOne/v2.1/"+tokenProject(t, c, tok)+"/servers", "", map[string]string{"X-Auth-Token": tok}, nil)
		if waited := time.Since(before); code != 503 || waited != 10*time.Second {
			t.Errorf("delayed fault: %d after %v, want 503 after 10s", code, waited)
		}

		req, _ := http.NewRequest("POST", c.URL()+"/mesos/api/v1/scheduler",
			strings.NewReader(`{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"test","name":"bubble"}}}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		events := mesos.NewRecordReader(resp.Body)
		subscribed := time.Now()
		var types []string
		for heartbeats := 0; heartbeats < 2; {
			types = append(types, readRecord(t, events))
			if types[len(types)-1] == "HEARTBEAT" {
				heartbeats++
			}
		}
		if types[0] != "SUBSCRIBED" || types[1] != "HEARTBEAT" {
			t.Errorf("first events %v, want SUBSCRIBED, HEARTBEAT", types)
		}
		if waited := time.Since(subscribed); waited != 15*time.Second {
			t.Errorf("events %v: the second heartbeat after %v of bubble time, want 15s", types, waited)
		}
	})
	if wall := time.Since(start); wall > 5*time.Second {
		t.Errorf("the bubble took %v of wall time", wall)
	}
}

// readRecord reads one record of a stream and returns its event type.
func readRecord(t *testing.T, r *mesos.RecordReader) string {
	t.Helper()
	rec, err := r.Next()
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	var ev struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(rec, &ev); err != nil {
		t.Fatalf("record %s: %v", rec, err)
	}
	return ev.Type
}
