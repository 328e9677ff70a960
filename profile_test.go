package mockcloud_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fastly"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

// mimicAccess is what a Mimic-based suite reads from v2.0 authentication.
type mimicAccess struct {
	Access struct {
		Token struct {
			ID      string `json:"id"`
			Expires string `json:"expires"`
			Tenant  struct {
				ID string `json:"id"`
			} `json:"tenant"`
		} `json:"token"`
		User struct {
			DefaultRegion string `json:"RAX-AUTH:defaultRegion"`
			Roles         []struct {
				Name        string `json:"name"`
				Description string `json:"description"`
			} `json:"roles"`
		} `json:"user"`
		ServiceCatalog []struct {
			Name      string `json:"name"`
			Endpoints []struct {
				Region    string `json:"region"`
				PublicURL string `json:"publicURL"`
			} `json:"endpoints"`
		} `json:"serviceCatalog"`
	} `json:"access"`
}

// endpoint is the catalog's URL of the service named name in region, as
// a path on the Cloud.
func (a mimicAccess) endpoint(t *testing.T, c *mockcloud.Cloud, name, region string) string {
	t.Helper()
	for _, s := range a.Access.ServiceCatalog {
		if s.Name != name {
			continue
		}
		for _, e := range s.Endpoints {
			if e.Region == region {
				u, err := url.Parse(e.PublicURL)
				if err != nil {
					t.Fatal(err)
				}
				return u.Path
			}
		}
	}
	t.Fatalf("no %s endpoint in %s", name, region)
	return ""
}

func mimicAuth(t *testing.T, c *mockcloud.Cloud, username, tenantID string) (int, mimicAccess) {
	t.Helper()
	body := fmt.Sprintf(`{"auth":{"passwordCredentials":{"username":%q,"password":"pw"}`, username)
	if tenantID != "" {
		body += fmt.Sprintf(`,"tenantId":%q`, tenantID)
	}
	var out mimicAccess
	status, raw := call(t, c, "POST", "/identity/v2.0/tokens", body+"}}", nil, nil)
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			t.Fatalf("auth: %v in %s", err, raw)
		}
	}
	return status, out
}

// A suite written against Mimic: arbitrary image and flavor refs, servers
// ACTIVE at once, twelve of them, no token, time moved with Mimic's tick.
func TestMimicProfileNovaSuite(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithProfile(mockcloud.ProfileMimic))
	status, access := mimicAuth(t, c, "mimic-user", "")
	if status != http.StatusOK {
		t.Fatalf("auth: %d", status)
	}
	nova := access.endpoint(t, c, "cloudServersOpenStack", "ORD")

	var ids []string
	for i := range 12 {
		body := fmt.Sprintf(`{"server":{"name":"web-%d","imageRef":"image-%d-of-any-name","flavorRef":"performance1-%d"}}`, i, i, i)
		var created struct {
			Server struct {
				ID        string `json:"id"`
				AdminPass string `json:"adminPass"`
			} `json:"server"`
		}
		if st, raw := call(t, c, "POST", nova+"/servers", body, nil, &created); st != http.StatusAccepted {
			t.Fatalf("create %d without a token: %d %s", i, st, raw)
		}
		ids = append(ids, created.Server.ID)
	}
	for _, id := range ids {
		var got struct {
			Server struct {
				Status   string `json:"status"`
				Progress *int   `json:"progress"`
			} `json:"server"`
		}
		call(t, c, "GET", nova+"/servers/"+id, "", nil, &got)
		if got.Server.Status != "ACTIVE" {
			t.Errorf("server %s is %s, want ACTIVE at once", id, got.Server.Status)
		}
	}
	var list struct {
		Servers []struct{ ID string } `json:"servers"`
	}
	call(t, c, "GET", nova+"/servers/detail", "", nil, &list)
	if len(list.Servers) != 12 {
		t.Errorf("listed %d servers, want 12", len(list.Servers))
	}

	// Resize and rescue are immediate; delete is a 404 at once.
	act := func(id, body string, want int) {
		t.Helper()
		if st, raw := call(t, c, "POST", nova+"/servers/"+id+"/action", body, nil, nil); st != want {
			t.Errorf("%s: %d %s, want %d", body, st, raw, want)
		}
	}
	statusOf := func(id string) string {
		t.Helper()
		var got struct {
			Server struct {
				Status string `json:"status"`
			} `json:"server"`
		}
		call(t, c, "GET", nova+"/servers/"+id, "", nil, &got)
		return got.Server.Status
	}
	act(ids[0], `{"resize":{"flavorRef":"another-flavor"}}`, http.StatusAccepted)
	if st := statusOf(ids[0]); st != "VERIFY_RESIZE" {
		t.Errorf("after resize: %s", st)
	}
	act(ids[1], `{"rescue":null}`, http.StatusOK)
	if st := statusOf(ids[1]); st != "RESCUE" {
		t.Errorf("after rescue: %s", st)
	}
	act(ids[1], `{"unrescue":null}`, http.StatusOK)
	if st, _ := call(t, c, "DELETE", nova+"/servers/"+ids[2], "", nil, nil); st != http.StatusNoContent {
		t.Errorf("delete: %d", st)
	}
	if st, _ := call(t, c, "GET", nova+"/servers/"+ids[2], "", nil, nil); st != http.StatusNotFound {
		t.Errorf("deleted server: %d, want 404 at once", st)
	}

	// server_building, then Mimic's tick.
	var building struct {
		Server struct{ ID string } `json:"server"`
	}
	call(t, c, "POST", nova+"/servers", `{"server":{"name":"slow","imageRef":"x","flavorRef":"y","metadata":{"server_building":"30"}}}`, nil, &building)
	if st := statusOf(building.Server.ID); st != "BUILD" {
		t.Errorf("server_building: %s", st)
	}
	if st, raw := call(t, c, "POST", "/mimic/v1.1/tick", `{"amount": 30}`, nil, nil); st != http.StatusOK {
		t.Fatalf("tick: %d %s", st, raw)
	}
	if st := statusOf(building.Server.ID); st != "ACTIVE" {
		t.Errorf("after the tick: %s", st)
	}

	// Rackspace's metadata limit, 40.
	md := make([]string, 41)
	for i := range md {
		md[i] = fmt.Sprintf(`"k%d":"v"`, i)
	}
	if st, raw := call(t, c, "POST", nova+"/servers", `{"server":{"name":"md","imageRef":"x","flavorRef":"y","metadata":{`+strings.Join(md, ",")+`}}}`, nil, nil); st != http.StatusForbidden {
		t.Errorf("41 metadata items: %d %s, want 403", st, raw)
	}
	if st, _ := call(t, c, "POST", nova+"/servers", `{"server":{"name":"md","imageRef":"x","flavorRef":"y","metadata":{`+strings.Join(md[:40], ",")+`}}}`, nil, nil); st != http.StatusAccepted {
		t.Errorf("40 metadata items: %d, want 202", st)
	}
}

func TestMimicProfileIdentity(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithProfile(mockcloud.ProfileMimic))
	_, access := mimicAuth(t, c, "alice", "")
	a := access.Access
	if a.User.DefaultRegion != "DFW" {
		t.Errorf("defaultRegion = %q, want DFW", a.User.DefaultRegion)
	}
	if len(a.User.Roles) == 0 || a.User.Roles[0].Description == "" {
		t.Errorf("roles without a description: %+v", a.User.Roles)
	}
	// Expiry is a day of wall time away, though the Cloud's clock starts
	// in the past.
	exp, err := time.Parse(time.RFC3339, a.Token.Expires)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 23*time.Hour || d > 25*time.Hour {
		t.Errorf("expires %s is %s from now, want about a day", a.Token.Expires, d)
	}
	if got := c.Regions(); !cmp.Equal(got, []string{"ORD", "DFW", "IAD"}) {
		t.Errorf("regions = %v", got)
	}

	if st, _ := mimicAuth(t, c, "alice", a.Token.Tenant.ID); st != http.StatusOK {
		t.Errorf("auth with the user's own tenantId: %d", st)
	}
	st, raw := call(t, c, "POST", "/identity/v2.0/tokens", `{"auth":{"passwordCredentials":{"username":"alice","password":"pw"},"tenantId":"999999"}}`, nil, nil)
	if st != http.StatusUnauthorized || !strings.Contains(raw, "Tenant with Name/Id: '999999' is not valid for User 'alice'") {
		t.Errorf("auth with another tenantId: %d %s", st, raw)
	}
	// A new user may name its tenant on first sight.
	if st, acc := mimicAuth(t, c, "bob", "777"); st != http.StatusOK || acc.Access.Token.Tenant.ID != "777" {
		t.Errorf("bob's first auth with tenantId 777: %d %+v", st, acc.Access.Token.Tenant)
	}
}

func TestMimicProfilePresets(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithProfile(mockcloud.ProfileMimic))
	var doc struct {
		Servers       map[string]any `json:"servers"`
		LoadBalancers map[string]any `json:"loadbalancers"`
		Identity      map[string]any `json:"identity"`
	}
	call(t, c, "GET", "/mimic/v1.0/presets", "", nil, &doc)
	for _, k := range []string{"invalid_image_ref", "invalid_flavor_ref", "server_building", "create_server_failure"} {
		if _, ok := doc.Servers[k]; !ok {
			t.Errorf("presets lack servers.%s", k)
		}
	}
	if _, ok := doc.Identity["token_fail_to_auth"]; !ok {
		t.Errorf("presets lack identity.token_fail_to_auth: %v", doc.Identity)
	}
	if _, ok := doc.LoadBalancers["lb_building"]; !ok {
		t.Errorf("presets lack loadbalancers.lb_building")
	}

	plain := mockcloud.New(t)
	var def map[string]map[string]any
	call(t, plain, "GET", "/mimic/v1.0/presets", "", nil, &def)
	if _, ok := def["identity"]; ok {
		t.Errorf("the default profile lists identity presets")
	}
	if _, ok := def["servers"]["invalid_image_ref"]; ok {
		t.Errorf("the default profile lists invalid_image_ref")
	}
}

func TestMimicProfileLoadBalancers(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithProfile(mockcloud.ProfileMimic))
	_, access := mimicAuth(t, c, "lb-user", "")
	clb := access.endpoint(t, c, "cloudLoadBalancers", "ORD")
	type lbBody struct {
		LoadBalancer struct {
			ID         int              `json:"id"`
			Status     string           `json:"status"`
			VirtualIPs []map[string]any `json:"virtualIps"`
			Nodes      []map[string]any `json:"nodes"`
		} `json:"loadBalancer"`
	}
	create := func(name, meta string) lbBody {
		t.Helper()
		var out lbBody
		body := `{"loadBalancer":{"name":"` + name + `","protocol":"HTTP","port":80,"virtualIps":[{"type":"PUBLIC"}]` + meta + `}}`
		if st, raw := call(t, c, "POST", clb+"/loadbalancers", body, nil, &out); st != http.StatusAccepted {
			t.Fatalf("create without a token: %d %s", st, raw)
		}
		return out
	}
	lb := create("a", "")
	id := fmt.Sprint(lb.LoadBalancer.ID)
	var got lbBody
	call(t, c, "GET", clb+"/loadbalancers/"+id, "", nil, &got)
	if got.LoadBalancer.Status != "ACTIVE" {
		t.Errorf("new load balancer: %s, want ACTIVE at once", got.LoadBalancer.Status)
	}
	if st, raw := call(t, c, "POST", clb+"/loadbalancers/"+id+"/nodes", `{"nodes":[{"address":"10.0.0.1","port":80,"condition":"ENABLED"}]}`, nil, nil); st != http.StatusAccepted {
		t.Fatalf("add nodes: %d %s", st, raw)
	}
	call(t, c, "GET", clb+"/loadbalancers/"+id, "", nil, &got)
	if got.LoadBalancer.Status != "ACTIVE" || len(got.LoadBalancer.Nodes) != 1 {
		t.Errorf("after adding a node: %s with %d nodes", got.LoadBalancer.Status, len(got.LoadBalancer.Nodes))
	}
	if st, _ := call(t, c, "DELETE", clb+"/loadbalancers/"+id, "", nil, nil); st != http.StatusAccepted {
		t.Errorf("delete: %d", st)
	}
	if st, _ := call(t, c, "GET", clb+"/loadbalancers/"+id, "", nil, nil); st != http.StatusNotFound {
		t.Errorf("deleted load balancer: %d, want 404 at once", st)
	}

	pending := create("b", `,"metadata":[{"key":"lb_pending_delete","value":"2"}]`)
	pid := fmt.Sprint(pending.LoadBalancer.ID)
	call(t, c, "DELETE", clb+"/loadbalancers/"+pid, "", nil, nil)
	call(t, c, "POST", "/mimic/v1.1/tick", `{"amount": 2}`, nil, nil)
	call(t, c, "GET", clb+"/loadbalancers/"+pid, "", nil, &got)
	if got.LoadBalancer.Status != "DELETED" || len(got.LoadBalancer.VirtualIPs) == 0 {
		t.Errorf("pending-delete load balancer after 2 s: %s with virtualIps %v", got.LoadBalancer.Status, got.LoadBalancer.VirtualIPs)
	}
}

func TestMimicProfileFastly(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithProfile(mockcloud.ProfileMimic))
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if st, raw := call(t, c, "POST", "/fastly/service", "name=site", form, nil); st != http.StatusOK {
		t.Fatalf("create without Fastly-Key: %d %s", st, raw)
	}
	var search struct {
		ServiceName    string `json:"service_name"`
		ServiceDetails struct {
			ServiceID string `json:"service_id"`
			Number    int    `json:"number"`
		} `json:"service_details"`
		ID string `json:"id"`
	}
	call(t, c, "GET", "/fastly/service/search?name=site", "", nil, &search)
	if search.ServiceName != "site" || search.ServiceDetails.ServiceID == "" || search.ServiceDetails.ServiceID != search.ID {
		t.Errorf("search: %+v", search)
	}
	var health map[string]string
	if st, _ := call(t, c, "GET", "/fastly/", "", nil, &health); st != http.StatusOK || health["status"] != "ok" {
		t.Errorf("GET /fastly/: %d %v", st, health)
	}
	// The default profile still wants a key.
	plain := mockcloud.New(t)
	if st, _ := call(t, plain, "POST", "/fastly/service", "name=site", form, nil); st != http.StatusUnauthorized {
		t.Errorf("default profile without Fastly-Key: %d, want 401", st)
	}
}

// The profile is options: a Configure given after it overrides it, and a
// profile over a subset of services configures only those.
func TestMimicProfileIsOptions(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithProfile(mockcloud.ProfileMimic),
		mockcloud.WithServices(compute.Descriptor()),
		mockcloud.Configure(compute.ServiceName, compute.WithQuota(compute.DefaultQuota())),
		mockcloud.WithRegions("DFW"))
	if got := c.Regions(); !cmp.Equal(got, []string{"DFW"}) {
		t.Errorf("WithRegions after the profile: %v", got)
	}
	nova := "/compute/DFW/v2/123456"
	for i := range 10 {
		if st, raw := call(t, c, "POST", nova+"/servers", fmt.Sprintf(`{"server":{"name":"s%d","imageRef":"a","flavorRef":"b"}}`, i), nil, nil); st != http.StatusAccepted {
			t.Fatalf("create %d: %d %s", i, st, raw)
		}
	}
	// Unknown flavors count nothing, so the instance quota is the limit.
	if st, _ := call(t, c, "POST", nova+"/servers", `{"server":{"name":"s11","imageRef":"a","flavorRef":"b"}}`, nil, nil); st != http.StatusForbidden {
		t.Errorf("11th server with the default quota: %d, want 403", st)
	}

	if _, err := mockcloud.NewUnstarted(mockcloud.WithProfile("nope")); err == nil || !strings.Contains(err.Error(), `no profile "nope"`) {
		t.Errorf("unknown profile: %v", err)
	}
	if p, err := mockcloud.ParseProfile("mimic"); err != nil || p != mockcloud.ProfileMimic {
		t.Errorf("ParseProfile(mimic) = %q, %v", p, err)
	}
	opts, err := mockcloud.ProfileOptions(mockcloud.ProfileMimic)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{identity.ServiceName, compute.ServiceName, loadbalancer.ServiceName, fastly.ServiceName} {
		if len(opts[name]) == 0 {
			t.Errorf("ProfileMimic has no options for %s", name)
		}
	}
	// Each service's options work alone, outside any Cloud.
	identity.New(t, opts[identity.ServiceName]...)
	compute.New(t, opts[compute.ServiceName]...)
	loadbalancer.New(t, opts[loadbalancer.ServiceName]...)
	fastly.New(t, opts[fastly.ServiceName]...)
}
