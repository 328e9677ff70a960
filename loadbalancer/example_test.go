package loadbalancer_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/loadbalancer"
)

// Create a load balancer, wait out its build on the fake clock, and see a
// second change refused while the first is applied. Tests would use
// loadbalancer.New(t), which starts the service and closes it when the test
// ends; an Example has no t, so it starts and closes it itself.
func Example() {
	clb, err := loadbalancer.NewUnstarted()
	if err != nil {
		panic(err)
	}
	clb.Start()
	defer clb.Close()
	endpoint := clb.URL() + "/v1.0/123456" // what the catalog hands a client

	send := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, endpoint+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := clb.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}

	code, out := send("POST", "/loadbalancers", `{"loadBalancer": {
		"name": "web", "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}],
		"nodes": [{"address": "10.1.1.1", "port": 80, "condition": "ENABLED"}]}}`)
	lb := out["loadBalancer"].(map[string]any)
	id := int(lb["id"].(float64))
	fmt.Println(code, lb["status"])

	clb.Clock().Advance(10 * time.Second) // the build takes 10 seconds
	_, out = send("GET", fmt.Sprintf("/loadbalancers/%d", id), "")
	fmt.Println(out["loadBalancer"].(map[string]any)["status"])

	node := `{"nodes": [{"address": "10.1.1.2", "port": 80, "condition": "ENABLED"}]}`
	code, _ = send("POST", fmt.Sprintf("/loadbalancers/%d/nodes", id), node)
	fmt.Println(code)
	code, out = send("PUT", fmt.Sprintf("/loadbalancers/%d", id), `{"loadBalancer": {"name": "www"}}`)
	fmt.Println(code, strings.Replace(out["message"].(string), fmt.Sprint(id), "ID", 1))

	clb.Clock().Advance(5 * time.Second)
	lbNow, _ := clb.LoadBalancer(id)
	fmt.Println(lbNow.Status, len(lbNow.Nodes))
	// Output:
	// 202 BUILD
	// ACTIVE
	// 202
	// 422 Load Balancer 'ID' has a status of 'PENDING_UPDATE' and is considered immutable.
	// ACTIVE 2
}

// Mimic's metadata presets work unchanged: lb_error_state sends the load
// balancer into ERROR on its next change.
func Example_mimicPreset() {
	// NewUnstarted serves no port of its own: here it is mounted on a
	// server of the example's, as it would be embedded in a larger one.
	clb, err := loadbalancer.NewUnstarted(loadbalancer.WithDurations(loadbalancer.Instant()))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(clb.Handler())
	defer srv.Close()

	post := func(path, body string) (int, map[string]any) {
		resp, err := http.Post(srv.URL+"/v1.0/123456"+path, "application/json", strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	_, out := post("/loadbalancers", `{"loadBalancer": {"name": "flaky", "protocol": "HTTP",
		"virtualIps": [{"type": "PUBLIC"}], "metadata": [{"key": "lb_error_state", "value": "error"}]}}`)
	id := int(out["loadBalancer"].(map[string]any)["id"].(float64))

	node := `{"nodes": [{"address": "10.1.1.1", "port": 80, "condition": "ENABLED"}]}`
	code, _ := post(fmt.Sprintf("/loadbalancers/%d/nodes", id), node)
	lb, _ := clb.LoadBalancer(id)
	fmt.Println(code, lb.Status)
	code, _ = post(fmt.Sprintf("/loadbalancers/%d/nodes", id), node)
	fmt.Println(code)
	// Output:
	// 202 ERROR
	// 422
}
