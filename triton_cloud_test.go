package mockcloud_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/triton"
)

// TestTritonInCloud: CloudAPI is at the root of an origin of its own, and
// VMAPI, CNAPI and NAPI at origins of theirs (kit.Origins), over loopback
// and in memory, listed in GET /, journaled as triton/<api>.
func TestTritonInCloud(t *testing.T) {
	tb := &fatalTB{T: t}
	c := mockcloud.New(tb, mockcloud.WithServices(triton.Descriptor()), mockcloud.Configure(triton.ServiceName, triton.WithServers(3)))
	cloudapi := c.TritonURL()
	urls := map[string]string{"cloudapi": cloudapi}
	for _, api := range []string{"vmapi", "cnapi", "napi"} {
		urls[api] = c.ServiceURL("triton/"+api, "")
	}
	seen := map[string]bool{}
	for api, u := range urls {
		if u == "" || strings.HasPrefix(u, c.URL()) || seen[u] {
			t.Errorf("%s at %q: want an origin of its own (Cloud at %s)", api, u, c.URL())
		}
		seen[u] = true
	}
	get := func(client *http.Client, url string) (int, string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, client := range []*http.Client{http.DefaultClient, c.Client()} {
		if code, body := get(client, cloudapi+"/--ping"); code != 200 || !strings.Contains(body, "pong") {
			t.Errorf("CloudAPI /--ping = %d %s", code, body)
		}
		code, body := get(client, urls["cnapi"]+"/servers")
		var servers []triton.Server
		if err := json.Unmarshal([]byte(body), &servers); code != 200 || err != nil || len(servers) != 3 {
			t.Errorf("CNAPI /servers = %d %s", code, body)
		}
		if code, _ := get(client, urls["vmapi"]+"/vms"); code != 200 {
			t.Errorf("VMAPI /vms = %d", code)
		}
		if code, _ := get(client, urls["napi"]+"/networks"); code != 200 {
			t.Errorf("NAPI /networks = %d", code)
		}
	}
	if n := len(c.Requests("triton/cnapi")); n != 2 {
		t.Errorf("journal has %d CNAPI requests, want 2", n)
	}
	if len(c.Triton().Servers()) != 3 {
		t.Error("Cloud.Triton() is not the DC served")
	}
	var help struct {
		Mockcloud struct {
			Services map[string]string `json:"services"`
		} `json:"mockcloud"`
	}
	call(t, c, "GET", "/", "", nil, &help)
	for key, api := range map[string]string{"triton": "cloudapi", "triton/vmapi": "vmapi", "triton/cnapi": "cnapi", "triton/napi": "napi"} {
		if help.Mockcloud.Services[key] != urls[api]+"/" {
			t.Errorf("GET / lists %s at %q, want %q", key, help.Mockcloud.Services[key], urls[api]+"/")
		}
	}
	if msg := tb.fails(func() { c.ServiceURL("triton/papi", "") }); !strings.Contains(msg, "no API") {
		t.Errorf("ServiceURL(triton/papi) failed with %q", msg)
	}
	if msg := tb.fails(func() { c.ServiceURL("compute/vmapi", "") }); msg == "" {
		t.Error("ServiceURL(compute/vmapi) did not fail")
	}
	if !strings.Contains(strings.Join(c.Ops(), " "), triton.OpVMAPIVMsCreate) {
		t.Error("Cloud.Ops lacks VMAPI's ops")
	}
}

// TestTritonWithoutListener: the in-memory transport reaches every origin.
func TestTritonWithoutListener(t *testing.T) {
	c := mockcloud.New(t, mockcloud.WithoutListener(), mockcloud.WithServices(triton.Descriptor()))
	resp, err := c.Client().Get(c.ServiceURL("triton/napi", "") + "/nic_tags")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("NAPI in memory: %d", resp.StatusCode)
	}
	if _, err := http.Get(c.TritonURL() + "/--ping"); err == nil {
		t.Error("a Cloud without a listener answered over loopback")
	}
}
