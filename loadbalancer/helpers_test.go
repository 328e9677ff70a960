package loadbalancer_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

const tenant = "123456"

// dfw is where a Cloud of one region mounts the service.
var dfw = kit.Site{Region: "DFW", Regions: []string{"DFW"}}

// harness drives one server over loopback as a client would.
type harness struct {
	t    *testing.T
	srv  *loadbalancer.CLB
	root *kittest.Client // the server's root
	api  *kittest.Client // .../v1.0/{tenant}
}

func newHarness(t *testing.T, opts ...loadbalancer.Option) *harness {
	t.Helper()
	srv := loadbalancer.New(t, opts...)
	root := kittest.New(t, srv.URL(), srv.Client()).With("", "X-Auth-Token", "any")
	return &harness{t: t, srv: srv, root: root, api: root.With("/v1.0/" + tenant)}
}

// instant is a harness whose transitions complete at once.
func instant(t *testing.T, opts ...loadbalancer.Option) *harness {
	t.Helper()
	return newHarness(t, append([]loadbalancer.Option{loadbalancer.WithDurations(loadbalancer.Instant())}, opts...)...)
}

type response struct {
	status int
	body   string
	header http.Header
	resp   *kittest.Response
}

// answer is r as the tests read it.
func answer(r *kittest.Response) response {
	return response{status: r.Status, body: r.String(), header: r.Header, resp: r}
}

// do sends a request to path under /v1.0/{tenant}; a path starting with
// "//" is taken from the server root.
func (h *harness) do(method, path, body string) response {
	h.t.Helper()
	c := h.api
	if strings.HasPrefix(path, "//") {
		c, path = h.root, path[1:]
	}
	return answer(c.Do(method, path, body, "Content-Type", "application/json"))
}

// expect checks a response's status and body (see checkBody).
func (h *harness) expect(r response, status int, want string) {
	h.t.Helper()
	if r.status != status {
		h.t.Errorf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	checkBody(h.t, r, want)
}

// checkBody checks a response's body: want is JSON (compared as values,
// kittest.AnyValue matching any value), "*" (any body) or, when it does not
// start with { or [, the exact text (the empty body, an XML fault). t must
// be the test the response's client reports to.
func checkBody(t testing.TB, r response, want string) {
	t.Helper()
	if want == "*" {
		return
	}
	w := strings.TrimSpace(want)
	if !strings.HasPrefix(w, "{") && !strings.HasPrefix(w, "[") {
		if r.body != want {
			t.Errorf("body = %q, want %q", r.body, want)
		}
		return
	}
	r.resp.CheckJSON(want)
}

// create makes a load balancer over HTTP and returns its ID.
func (h *harness) create(body string) int {
	h.t.Helper()
	r := h.do("POST", "/loadbalancers", body)
	if r.status != http.StatusAccepted {
		h.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var out struct {
		LoadBalancer struct {
			ID int `json:"id"`
		} `json:"loadBalancer"`
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		h.t.Fatal(err)
	}
	return out.LoadBalancer.ID
}

const simpleLB = `{"loadBalancer":{"name":"a-new-loadbalancer","port":80,"protocol":"HTTP",
	"virtualIps":[{"type":"PUBLIC"}],"nodes":[{"address":"10.1.1.1","port":80,"condition":"ENABLED"}]}}`

// lbPath is /loadbalancers/{id}.
func lbPath(id int, rest ...string) string {
	return fmt.Sprintf("/loadbalancers/%d", id) + strings.Join(rest, "")
}

// nodeIDs returns the node IDs of a load balancer, in order.
func (h *harness) nodeIDs(id int) []int {
	h.t.Helper()
	lb, ok := h.srv.LoadBalancer(id)
	if !ok {
		h.t.Fatalf("no load balancer %d", id)
	}
	out := make([]int, len(lb.Nodes))
	for i, n := range lb.Nodes {
		out[i] = n.ID
	}
	return out
}

// vip returns the ID and address of a load balancer's virtual IPs.
func (h *harness) vips(id int) []loadbalancer.VirtualIP {
	h.t.Helper()
	lb, _ := h.srv.LoadBalancer(id)
	return lb.VirtualIPs
}

func validation(msgs ...string) string {
	b, _ := json.Marshal(msgs)
	return `{"validationErrors":{"messages":` + string(b) + `},"message":"Validation Failure","code":400,"details":"The object is not valid"}`
}

func fault(code int, msg string) string {
	b, _ := json.Marshal(msg)
	return fmt.Sprintf(`{"message":%s,"code":%d}`, b, code)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
