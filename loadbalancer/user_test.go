package loadbalancer_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

// clbClient is the sort of thin client code under test would have.
type clbClient struct {
	t     *testing.T
	http  *http.Client
	base  string // .../v1.0/{tenant}
	token string
}

func (c *clbClient) call(method, path string, in, out any) int {
	c.t.Helper()
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			c.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, c.base+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	} else if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type apiNode struct {
	ID        int    `json:"id,omitempty"`
	Address   string `json:"address"`
	Port      int    `json:"port"`
	Condition string `json:"condition"`
	Status    string `json:"status,omitempty"`
}

type apiLB struct {
	ID     int       `json:"id"`
	Name   string    `json:"name"`
	Status string    `json:"status"`
	Nodes  []apiNode `json:"nodes"`
}

func (c *clbClient) status(id int) string {
	c.t.Helper()
	var out struct {
		LoadBalancer apiLB `json:"loadBalancer"`
	}
	if code := c.call("GET", fmt.Sprintf("/loadbalancers/%d", id), nil, &out); code != 200 {
		c.t.Fatalf("GET load balancer: %d", code)
	}
	return out.LoadBalancer.Status
}

// A user's day: create a load balancer with nodes, wait out BUILD, add
// nodes, bump into PENDING_UPDATE, then watch a node fail its health check.
func TestUserStory(t *testing.T) {
	srv := loadbalancer.New(t, fake.WithRegion("IAD"))
	clb := &clbClient{t: t, http: srv.Client(), base: srv.URL() + "/v1.0/" + tenant, token: "secret"}

	// 1. Create with two nodes and a CONNECT health monitor.
	var created struct {
		LoadBalancer apiLB `json:"loadBalancer"`
	}
	code := clb.call("POST", "/loadbalancers", map[string]any{"loadBalancer": map[string]any{
		"name": "web", "protocol": "HTTP", "port": 80,
		"virtualIps":    []any{map[string]string{"type": "PUBLIC"}},
		"healthMonitor": map[string]any{"type": "CONNECT", "delay": 5, "timeout": 3, "attemptsBeforeDeactivation": 2},
		"nodes": []apiNode{
			{Address: "10.0.0.1", Port: 8080, Condition: "ENABLED"},
			{Address: "10.0.0.2", Port: 8080, Condition: "ENABLED"},
		},
	}}, &created)
	lb := created.LoadBalancer
	if code != 202 || lb.Status != "BUILD" || len(lb.Nodes) != 2 {
		t.Fatalf("create: %d %+v", code, lb)
	}

	// 2. Changes are refused while it builds; Advance waits it out.
	var fault struct {
		Message string `json:"message"`
		Code    int    `json:"code"`
	}
	more := map[string]any{"nodes": []apiNode{{Address: "10.0.0.3", Port: 8080, Condition: "ENABLED"}}}
	if code := clb.call("POST", fmt.Sprintf("/loadbalancers/%d/nodes", lb.ID), more, &fault); code != 422 || fault.Code != 422 {
		t.Fatalf("add nodes during BUILD: %d %+v", code, fault)
	}
	srv.Clock().Advance(10 * time.Second)
	if got := clb.status(lb.ID); got != "ACTIVE" {
		t.Fatalf("after BUILD: %s", got)
	}

	// 3. Add a node: accepted, and the load balancer goes PENDING_UPDATE.
	var added struct {
		Nodes []apiNode `json:"nodes"`
	}
	if code := clb.call("POST", fmt.Sprintf("/loadbalancers/%d/nodes", lb.ID), more, &added); code != 202 || len(added.Nodes) != 1 {
		t.Fatalf("add nodes: %d %+v", code, added)
	}
	if added.Nodes[0].Status != "OFFLINE" {
		t.Errorf("a new node under a health monitor is %s until its first check", added.Nodes[0].Status)
	}
	if got := clb.status(lb.ID); got != "PENDING_UPDATE" {
		t.Errorf("after adding: %s", got)
	}

	// 4. A second change at once: 422, the API's "considered immutable".
	fault.Message = ""
	code = clb.call("PUT", fmt.Sprintf("/loadbalancers/%d/nodes/%d", lb.ID, added.Nodes[0].ID),
		map[string]any{"node": map[string]any{"weight": 10}}, &fault)
	want := fmt.Sprintf("Load Balancer '%d' has a status of 'PENDING_UPDATE' and is considered immutable.", lb.ID)
	if code != 422 || fault.Message != want {
		t.Errorf("change during PENDING_UPDATE: %d %q, want 422 %q", code, fault.Message, want)
	}
	srv.Clock().Advance(5 * time.Second)
	if got := clb.status(lb.ID); got != "ACTIVE" {
		t.Errorf("after PENDING_UPDATE: %s", got)
	}
	srv.CheckNodes(t, lb.ID,
		loadbalancer.Node{Address: "10.0.0.1", Port: 8080, Condition: "ENABLED", Status: "ONLINE", Weight: 1, Type: "PRIMARY"},
		loadbalancer.Node{Address: "10.0.0.2", Port: 8080, Condition: "ENABLED", Status: "ONLINE", Weight: 1, Type: "PRIMARY"},
		loadbalancer.Node{Address: "10.0.0.3", Port: 8080, Condition: "ENABLED", Status: "ONLINE", Weight: 1, Type: "PRIMARY"})

	// 5. A node fails its health check (Mimic's control API).
	failing := lb.Nodes[1].ID
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/v2/%s/loadbalancers/%d/nodes/%d/status", srv.URL(), tenant, lb.ID, failing),
		bytes.NewReader([]byte(`{"status": "OFFLINE"}`)))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("control API: %d", resp.StatusCode)
	}
	var got struct {
		Node apiNode `json:"node"`
	}
	clb.call("GET", fmt.Sprintf("/loadbalancers/%d/nodes/%d", lb.ID, failing), nil, &got)
	if got.Node.Status != "OFFLINE" || got.Node.Condition != "ENABLED" {
		t.Errorf("failed node: %+v", got.Node)
	}
	if s := clb.status(lb.ID); s != "ACTIVE" {
		t.Errorf("a failed health check changed the load balancer's status to %s", s)
	}

	// 6. The node service events tell the story, newest first.
	var events struct {
		Events []struct {
			NodeID      int    `json:"nodeId"`
			Description string `json:"description"`
			Detailed    string `json:"detailedMessage"`
			Created     string `json:"created"`
		} `json:"nodeServiceEvents"`
	}
	if code := clb.call("GET", fmt.Sprintf("/loadbalancers/%d/nodes/events", lb.ID), nil, &events); code != 200 {
		t.Fatalf("events: %d", code)
	}
	var summary []string
	for _, e := range events.Events {
		summary = append(summary, fmt.Sprintf("%s %s | %s", e.Created, e.Description, e.Detailed))
	}
	wantEvents := []string{
		fmt.Sprintf("2026-01-01T00:00:15Z Node '%d' status changed to 'OFFLINE' for load balancer '%d' | Connect failed", failing, lb.ID),
		fmt.Sprintf("2026-01-01T00:00:15Z Node '%d' status changed to 'ONLINE' for load balancer '%d' | Node is working", added.Nodes[0].ID, lb.ID),
		fmt.Sprintf("2026-01-01T00:00:05Z Node '%d' status changed to 'ONLINE' for load balancer '%d' | Node is working", lb.Nodes[1].ID, lb.ID),
		fmt.Sprintf("2026-01-01T00:00:05Z Node '%d' status changed to 'ONLINE' for load balancer '%d' | Node is working", lb.Nodes[0].ID, lb.ID),
	}
	if len(summary) != len(wantEvents) {
		t.Fatalf("events:\n%q\nwant\n%q", summary, wantEvents)
	}
	for i := range wantEvents {
		if summary[i] != wantEvents[i] {
			t.Errorf("event %d = %q, want %q", i, summary[i], wantEvents[i])
		}
	}
}
