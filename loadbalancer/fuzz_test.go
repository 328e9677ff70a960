package loadbalancer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mockcloud/mockcloud/kit"
)

// createSeeds are create bodies from the guide, Mimic's tests and near
// misses.
var createSeeds = []string{
	`{"loadBalancer":{"name":"a-new-loadbalancer","port":80,"protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],"nodes":[{"address":"10.1.1.1","port":80,"condition":"ENABLED"}]}}`,
	`{"name":"x","protocol":"TCP","port":"22","virtualIps":[{"type":"SERVICENET","ipVersion":"IPV4"}]}`,
	`{"loadBalancer":{"name":"a-new-loadbalancer_sharedIP","port":53,"protocol":"TCP","algorithm":"ROUND_ROBIN","nodes":[{"port":"80","condition":"ENABLED","address":"23.253.151.92"}],"virtualIps":[{"id":9039389}]}}`,
	`{"loadBalancer":{"name":"test_lb","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],"metadata":[{"key":"lb_building","value":1}]}}`,
	`{"loadBalancer":{"name":"m","protocol":"HTTPS","httpsRedirect":true,"halfClosed":"false","timeout":120,"virtualIps":[{"type":"PUBLIC","ipVersion":"IPV6"}],
	  "healthMonitor":{"type":"HTTPS","delay":10,"timeout":10,"attemptsBeforeDeactivation":3,"path":"/","statusRegex":"^2"},
	  "sessionPersistence":{"persistenceType":"SOURCE_IP"},"connectionThrottle":{"maxConnections":1,"minConnections":1,"maxConnectionRate":1,"rateInterval":1},
	  "accessList":[{"address":"10.0.0.0/8","type":"ALLOW"}],"connectionLogging":{"enabled":true},"contentCaching":{"enabled":false}}}`,
	`{"loadBalancer":{}}`, `{"loadBalancer":null}`, `{"loadBalancer":[]}`, `{"loadBalancer":{"nodes":[{"weight":1e40}]}}`,
	`{"loadBalancer":{"name":"x"},"extra":1}`, `[]`, `null`, ``, `{`, `{"loadBalancer":{"port":-1,"timeout":"x"}}`,
}

// FuzzDecodeLoadBalancer: whatever the body, decoding and validation answer
// with a 400 or a body good enough to create from, and creating from it
// answers with a status the API uses.
func FuzzDecodeLoadBalancer(f *testing.F) {
	for _, s := range createSeeds {
		f.Add([]byte(s))
	}
	// Building a service compiles its route table; one serves every input.
	c := mustUnstarted(f, WithDurations(Instant()), WithAbsoluteLimits(AbsoluteLimits{}))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeLoadBalancer(body)
		if err != nil {
			if e := asError(err); e == nil || e.Status != http.StatusBadRequest || e.Message == "" {
				t.Fatalf("decode error %v", err)
			}
			return
		}
		if msgs := validateCreate(&in); len(msgs) > 0 {
			return
		}
		lb, aerr := c.createForFuzz("t", &in)
		switch {
		case aerr != nil:
			if e := asError(aerr); e == nil || (e.Status != 400 && e.Status != 404 && e.Status != 413) {
				t.Fatalf("create error %v", aerr)
			}
		case lb.Name != *in.Name || lb.Protocol != *in.Protocol || lb.Port < 1 || len(lb.VirtualIPs) == 0:
			t.Fatalf("created %+v from %s", lb, body)
		}
	})
}

// mustUnstarted builds a CLB that is not listening, closed when tb ends.
func mustUnstarted(tb testing.TB, opts ...Option) *CLB {
	tb.Helper()
	c, err := NewUnstarted(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// asError is the *kit.Error err is, or nil.
func asError(err error) *kit.Error {
	var e *kit.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// createForFuzz is createLocked under the lock, returning a copy.
func (c *CLB) createForFuzz(tenant string, in *lbBody) (LoadBalancer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.createLocked(tenant, in, Behavior{})
	if err != nil {
		return LoadBalancer{}, err
	}
	return c.snapshotLocked(lb), nil
}

// routeSeed is a route a fuzzed body is sent to, with a body it accepts.
type routeSeed struct {
	method, path, body string
}

func fuzzRoutes(lbID, nodeID int) []routeSeed {
	lb := fmt.Sprintf("/v1.0/t/loadbalancers/%d", lbID)
	return []routeSeed{
		{"POST", "/v1.0/t/loadbalancers", createSeeds[0]},
		{"PUT", lb, `{"loadBalancer":{"name":"n","algorithm":"RANDOM","port":81,"timeout":60}}`},
		{"POST", lb + "/nodes", `{"nodes":[{"address":"10.2.2.3","port":80,"condition":"ENABLED","type":"PRIMARY","weight":5}]}`},
		{"PUT", lb + "/nodes", fmt.Sprintf(`{"nodes":[{"id":%d,"condition":"DRAINING"}]}`, nodeID)},
		{"PUT", fmt.Sprintf("%s/nodes/%d", lb, nodeID), `{"node":{"condition":"DISABLED","weight":59}}`},
		{"POST", lb + "/virtualips", `{"type":"PUBLIC","ipVersion":"IPV6"}`},
		{"PUT", lb + "/healthmonitor", `{"healthMonitor":{"type":"CONNECT","delay":10,"timeout":10,"attemptsBeforeDeactivation":3}}`},
		{"PUT", lb + "/sessionpersistence", `{"sessionPersistence":{"persistenceType":"HTTP_COOKIE"}}`},
		{"PUT", lb + "/connectionlogging", `{"connectionLogging":{"enabled":true}}`},
		{"PUT", lb + "/connectionthrottle", `{"connectionThrottle":{"maxConnections":10,"minConnections":1,"maxConnectionRate":5,"rateInterval":60}}`},
		{"PUT", lb + "/contentcaching", `{"contentCaching":{"enabled":true}}`},
		{"PUT", lb + "/errorpage", `{"errorpage":{"content":"<html>x</html>"}}`},
		{"POST", lb + "/accesslist", `{"accessList":[{"address":"206.160.163.21","type":"DENY"}]}`},
		{"PUT", lb + "/ssltermination", `{"sslTermination":{"securePort":443,"privatekey":"-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----","certificate":"-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----"}}`},
		{"POST", lb + "/metadata", `{"metadata":[{"key":"color","value":"red"}]}`},
		{"POST", fmt.Sprintf("%s/nodes/%d/metadata", lb, nodeID), `{"meta":{"key":"role","value":"web"}}`},
		{"PATCH", fmt.Sprintf("/v2/t/loadbalancer/%d/attributes", lbID), `{"status":"ERROR"}`},
		{"PUT", fmt.Sprintf("/v2/t/loadbalancers/%d/nodes/%d/status", lbID, nodeID), `{"status":"OFFLINE"}`},
	}
}

// FuzzRequestBodies sends a fuzzed body to each route that reads one,
// through the whole pipeline: the answer is a status the API uses, with a
// JSON body (or none), never a 5xx.
func FuzzRequestBodies(f *testing.F) {
	for i, r := range fuzzRoutes(1, 2) {
		f.Add(uint8(i), []byte(r.body))
		f.Add(uint8(i), []byte(`{"x":1}`))
	}
	f.Add(uint8(0), []byte(`not json`))
	// Building a service compiles its route table; one serves every input,
	// each on a load balancer of its own.
	c := mustUnstarted(f, WithDurations(Instant()), WithAbsoluteLimits(AbsoluteLimits{}))
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		lb, err := c.AddLoadBalancer(LoadBalancer{Tenant: "t", Nodes: []Node{{Address: "10.1.1.1", Port: 80}}})
		if err != nil {
			t.Fatal(err)
		}
		routes := fuzzRoutes(lb.ID, lb.Nodes[0].ID)
		r := routes[int(route)%len(routes)]
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest(r.method, r.path, bytes.NewReader(body)))
		switch rec.Code {
		case 200, 202, 204, 400, 404, 410, 413, 422:
		default:
			t.Fatalf("%s %s %q: status %d %s", r.method, r.path, body, rec.Code, rec.Body)
		}
		if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: body is not JSON: %q", r.method, r.path, rec.Body)
		}
		if rec.Code >= 400 {
			var e struct {
				Message string `json:"message"`
				Code    int    `json:"code"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Message == "" || e.Code != rec.Code {
				t.Fatalf("%s %s: fault body %s for %d", r.method, r.path, rec.Body, rec.Code)
			}
		}
		// Whatever happened, the load balancer can still be read.
		rec = httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest("GET", fmt.Sprintf("/v1.0/t/loadbalancers/%d", lb.ID), nil))
		if rec.Code != 200 || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("GET after %s %s: %d %s", r.method, r.path, rec.Code, rec.Body)
		}
	})
}
