package loadbalancer_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

func TestKeepDeletedVIPs(t *testing.T) {
	for _, keep := range []bool{false, true} {
		var opts []loadbalancer.Option
		if keep {
			opts = append(opts, loadbalancer.KeepDeletedVIPs())
		}
		h := instant(t, opts...)
		id := h.create(simpleLB)
		h.expect(h.do("DELETE", lbPath(id), ""), http.StatusAccepted, "")
		status, vips := lbStatusVIPs(t, h.do("GET", lbPath(id), ""))
		want := 0
		if keep {
			want = 2 // the IPv4 and IPv6 addresses of a PUBLIC virtual IP
		}
		if status != "DELETED" || len(vips) != want {
			t.Errorf("KeepDeletedVIPs %v: %s with virtualIps %v, want DELETED with %d", keep, status, vips, want)
		}
		for _, v := range vips {
			if v["address"] == "" || v["type"] != "PUBLIC" {
				t.Errorf("deleted VIP %v", v)
			}
		}
	}
}

func TestDeleteAtOnce(t *testing.T) {
	h := instant(t, loadbalancer.DeleteAtOnce(), loadbalancer.KeepDeletedVIPs())
	id := h.create(simpleLB)
	h.expect(h.do("DELETE", lbPath(id), ""), http.StatusAccepted, "")
	h.expect(h.do("GET", lbPath(id), ""), http.StatusNotFound, `{"message":"Load balancer not found","code":404}`)
	h.expect(h.do("GET", "/loadbalancers", ""), http.StatusOK, `{"loadBalancers":[]}`)

	// An ERROR load balancer may be deleted too.
	errored := h.create(simpleLB)
	h.expect(h.do("PATCH", "//v2/"+tenant+"/loadbalancer/"+strconv.Itoa(errored)+"/attributes", `{"status":"ERROR"}`), http.StatusNoContent, "")
	h.expect(h.do("DELETE", lbPath(errored), ""), http.StatusAccepted, "")
	h.expect(h.do("GET", lbPath(errored), ""), http.StatusNotFound, "*")

	// lb_pending_delete still goes PENDING_DELETE, then DELETED.
	pending := h.create(`{"loadBalancer":{"name":"p","port":80,"protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}],
		"metadata":[{"key":"lb_pending_delete","value":"5"}]}}`)
	h.expect(h.do("DELETE", lbPath(pending), ""), http.StatusAccepted, "")
	if st, _ := lbStatusVIPs(t, h.do("GET", lbPath(pending), "")); st != "PENDING_DELETE" {
		t.Errorf("lb_pending_delete after delete: %s", st)
	}
	h.srv.Clock().Advance(5 * time.Second)
	if st, vips := lbStatusVIPs(t, h.do("GET", lbPath(pending), "")); st != "DELETED" || len(vips) == 0 {
		t.Errorf("lb_pending_delete 5 s later: %s with virtualIps %v", st, vips)
	}

	// Without the option an ERROR load balancer is immutable.
	plain := instant(t)
	other := plain.create(simpleLB)
	plain.expect(plain.do("PATCH", "//v2/"+tenant+"/loadbalancer/"+strconv.Itoa(other)+"/attributes", `{"status":"ERROR"}`), http.StatusNoContent, "")
	plain.expect(plain.do("DELETE", lbPath(other), ""), http.StatusBadRequest,
		`{"message":"Must provide valid load balancers: `+strconv.Itoa(other)+`  are immutable and could not be processed.","code":400}`)
}

func TestWithoutTokens(t *testing.T) {
	refuse := func(*http.Request) (kit.Principal, *kit.Error) {
		return kit.Principal{}, kit.Errorf(http.StatusUnauthorized, "no token")
	}
	site := kit.Site{Region: "ORD", Regions: []string{"ORD"}}
	checked := kittest.InCloud[*loadbalancer.CLB](t, loadbalancer.Descriptor(), kit.Env{Auth: refuse}, site)
	if r := kittest.New(t, checked.URL(), checked.Client()).Do("GET", "/v1.0/"+tenant+"/loadbalancers", ""); r.Status != http.StatusUnauthorized {
		t.Errorf("with a token check: %d", r.Status)
	}
	open := kittest.InCloud[*loadbalancer.CLB](t, loadbalancer.Descriptor(), kit.Env{Auth: refuse}, site, loadbalancer.WithoutTokens())
	if r := kittest.New(t, open.URL(), open.Client()).Do("GET", "/v1.0/"+tenant+"/loadbalancers", ""); r.Status != http.StatusOK {
		t.Errorf("WithoutTokens: %d %s", r.Status, r.Body)
	}
}

// lbStatusVIPs reads a load balancer's status and virtual IPs from a 200.
func lbStatusVIPs(t *testing.T, r response) (string, []map[string]any) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	var out struct {
		LoadBalancer struct {
			Status     string           `json:"status"`
			VirtualIPs []map[string]any `json:"virtualIps"`
		} `json:"loadBalancer"`
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	return out.LoadBalancer.Status, out.LoadBalancer.VirtualIPs
}
