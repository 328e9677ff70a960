package compute_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
)

func TestVersionDiscovery(t *testing.T) {
	a := newNova(t)
	base := a.srv.URL()
	v20 := map[string]any{
		"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "", "updated": "2011-01-21T11:33:21Z",
		"links": []any{map[string]any{"rel": "self", "href": base + "/v2/"}},
	}
	v21 := map[string]any{
		"id": "v2.1", "status": "CURRENT", "version": compute.MaxVersion, "min_version": compute.MinVersion, "updated": "2013-07-23T11:33:21Z",
		"links": []any{map[string]any{"rel": "self", "href": base + "/v2.1/"}},
	}
	// Each version's own document adds describedby and its media types.
	full := func(doc map[string]any, media string) map[string]any {
		out := map[string]any{}
		for k, v := range doc {
			out[k] = v
		}
		out["links"] = append(append([]any{}, doc["links"].([]any)...),
			map[string]any{"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"})
		out["media-types"] = []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=" + media}}
		return out
	}
	tests := []struct {
		path string
		want map[string]any
	}{
		{"/", map[string]any{"versions": []any{v20, v21}}},
		{"/v2.1", map[string]any{"version": full(v21, "2.1")}},
		{"/v2.1/", map[string]any{"version": full(v21, "2.1")}},
		{"/v2", map[string]any{"version": full(v20, "2")}},
		{"/v2/", map[string]any{"version": full(v20, "2")}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := a.raw("GET", tc.path, "").want(t, http.StatusOK)
			if diff := cmp.Diff(tc.want, r.obj(t)); diff != "" {
				t.Errorf("GET %s (-want +got):\n%s", tc.path, diff)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	// Nothing else is at the root.
	a.raw("GET", "/v3", "").wantFault(t, http.StatusNotFound, "itemNotFound", "")
	a.raw("POST", "/", "{}").wantFault(t, http.StatusMethodNotAllowed, "badMethod", "POST")
}

func TestMicroversionNegotiation(t *testing.T) {
	a := newNova(t)
	id := a.activeServer("versioned")
	tests := []struct {
		name    string
		headers []string
		status  int
		echo    string // the version echoed; "" for none
		msg     string // error message for non-200
	}{
		{"no header is the minimum", nil, 200, "2.1", ""},
		{"OpenStack-API-Version", []string{"OpenStack-API-Version", "compute 2.47"}, 200, "2.47", ""},
		{"legacy header", []string{"X-OpenStack-Nova-API-Version", "2.30"}, 200, "2.30", ""},
		{"latest", []string{"OpenStack-API-Version", "compute latest"}, 200, compute.MaxVersion, ""},
		{"legacy latest", []string{"X-OpenStack-Nova-API-Version", "latest"}, 200, compute.MaxVersion, ""},
		{"maximum", []string{"OpenStack-API-Version", "compute " + compute.MaxVersion}, 200, compute.MaxVersion, ""},
		{"the new header wins", []string{"OpenStack-API-Version", "compute 2.9", "X-OpenStack-Nova-API-Version", "2.60"}, 200, "2.9", ""},
		{"other services ignored", []string{"OpenStack-API-Version", "volume 3.50, compute 2.5"}, 200, "2.5", ""},
		{"only other services", []string{"OpenStack-API-Version", "volume 3.50"}, 200, "2.1", ""},
		{"service name in capitals", []string{"OpenStack-API-Version", "COMPUTE 2.12"}, 200, "2.12", ""},
		{"above the maximum", []string{"OpenStack-API-Version", "compute 2.105"}, 406, "",
			"Version 2.105 is not supported by the API. Minimum is 2.1 and maximum is " + compute.MaxVersion + "."},
		{"below the minimum", []string{"OpenStack-API-Version", "compute 2.0"}, 406, "", "Version 2.0 is not supported by the API."},
		{"major 3", []string{"X-OpenStack-Nova-API-Version", "3.0"}, 406, "", "Version 3.0 is not supported by the API."},
		{"no minor", []string{"OpenStack-API-Version", "compute 2"}, 400, "",
			"API Version String 2 is of invalid format. Must be of format MajorNum.MinorNum."},
		{"not a number", []string{"OpenStack-API-Version", "compute 2.x"}, 400, "", "API Version String 2.x is of invalid format."},
		{"leading zero", []string{"OpenStack-API-Version", "compute 2.01"}, 400, "", "API Version String 2.01 is of invalid format."},
		{"sign", []string{"X-OpenStack-Nova-API-Version", "2.+5"}, 400, "", "is of invalid format"},
		{"major 0", []string{"X-OpenStack-Nova-API-Version", "0.5"}, 400, "", "is of invalid format"},
		{"three parts", []string{"X-OpenStack-Nova-API-Version", "2.1.1"}, 400, "", "is of invalid format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.raw("GET", "/v2.1/demo/servers/"+id, "", tc.headers...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.status != 200 {
				name := map[int]string{400: "badRequest", 406: "computeFault"}[tc.status]
				r.wantFault(t, tc.status, name, tc.msg)
			}
			got := []string{r.Header.Get("OpenStack-API-Version"), r.Header.Get("X-OpenStack-Nova-API-Version")}
			want := []string{"", ""}
			if tc.echo != "" {
				want = []string{"compute " + tc.echo, tc.echo}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("echoed headers (-want +got):\n%s", diff)
			}
			if tc.echo != "" && r.Header.Get("Vary") == "" {
				t.Error("no Vary header")
			}
		})
	}
}

func TestMicroversionLegacyRoot(t *testing.T) {
	a := newNova(t)
	id := a.at("2.52").create(map[string]any{"name": "x", "tags": []string{"t"}, "networks": "auto"})
	// The /v2 root ignores microversion headers, even malformed ones, and
	// answers as 2.1 without echoing any.
	for _, h := range [][]string{nil, {"OpenStack-API-Version", "compute latest"}, {"X-OpenStack-Nova-API-Version", "2.99"},
		{"OpenStack-API-Version", "compute nonsense"}} {
		r := a.raw("GET", "/v2/demo/servers/"+id, "", h...).want(t, http.StatusOK)
		s := r.obj(t)["server"].(map[string]any)
		if _, ok := s["tags"]; ok {
			t.Errorf("%v: tags shown on /v2", h)
		}
		if _, ok := s["flavor"].(map[string]any)["links"]; !ok {
			t.Errorf("%v: flavor not a link on /v2: %v", h, s["flavor"])
		}
		if v := r.Header.Get("OpenStack-API-Version") + r.Header.Get("X-OpenStack-Nova-API-Version"); v != "" {
			t.Errorf("%v: /v2 echoes %q", h, v)
		}
		if self := s["links"].([]any)[0].(map[string]any)["href"]; self != a.srv.URL()+"/v2/demo/servers/"+id {
			t.Errorf("self link %v", self)
		}
	}
	// Microversioned request members are refused there, as at 2.1.
	a.legacy().at("2.19").do("PUT", "/servers/"+id, `{"server":{"description":"d"}}`).want(t, http.StatusBadRequest)
	// And 2.1 is what the version header selects on /v2.1.
	if _, ok := a.at("2.26").server(id)["tags"]; !ok {
		t.Error("no tags at 2.26 on /v2.1")
	}
}
