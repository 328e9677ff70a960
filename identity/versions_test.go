package identity_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
)

type link struct {
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
	Href string `json:"href"`
}

type mediaType struct {
	Base string `json:"base"`
	Type string `json:"type"`
}

type version struct {
	ID         string      `json:"id"`
	Status     string      `json:"status"`
	Updated    string      `json:"updated"`
	Links      []link      `json:"links"`
	MediaTypes []mediaType `json:"media-types"`
}

func wantVersions(base string) (v3, v2 version) {
	v3 = version{
		ID: "v3.14", Status: "stable", Updated: "2020-04-07T00:00:00Z",
		Links:      []link{{Rel: "self", Href: base + "/v3/"}},
		MediaTypes: []mediaType{{Base: "application/json", Type: "application/vnd.openstack.identity-v3+json"}},
	}
	v2 = version{
		ID: "v2.0", Status: "deprecated", Updated: "2014-04-17T00:00:00Z",
		// Keystone's v2.0 entry links its documentation, typed.
		Links:      []link{{Rel: "self", Href: base + "/v2.0/"}, {Rel: "describedby", Type: "text/html", Href: "https://docs.openstack.org/"}},
		MediaTypes: []mediaType{{Base: "application/json", Type: "application/vnd.openstack.identity-v2.0+json"}},
	}
	return v3, v2
}

func TestVersionDiscovery(t *testing.T) {
	a := newAPI(t)
	v3, v2 := wantVersions(a.srv.URL())

	r := a.do("GET", "/", "")
	if r.Status != http.StatusMultipleChoices {
		t.Fatalf("GET / = %d, want 300; body: %s", r.Status, r.Body)
	}
	var got struct {
		Versions struct {
			Values []version `json:"values"`
		} `json:"versions"`
	}
	r.decode(t, &got)
	if diff := cmp.Diff([]version{v3, v2}, got.Versions.Values); diff != "" {
		t.Errorf("GET / versions (-want +got):\n%s", diff)
	}

	tests := []struct {
		path string
		want version
	}{
		{"/v3", v3},
		{"/v3/", v3},
		{"/v2.0", v2},
		{"/v2.0/", v2},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			// No token: discovery is public.
			r := a.do("GET", tc.path, "").expect(t, http.StatusOK)
			var got struct {
				Version version `json:"version"`
			}
			r.decode(t, &got)
			if diff := cmp.Diff(tc.want, got.Version); diff != "" {
				t.Errorf("GET %s (-want +got):\n%s", tc.path, diff)
			}
		})
	}
	// The self links end in "/": that form is the same route, for the
	// journal and for faults.
	fake.CheckOps(t, a.srv.Requests(), identity.OpVersions, identity.OpV3Root, identity.OpV3Root, identity.OpV2Root, identity.OpV2Root)
}

// Links are built from the Host the client used, not a fixed address.
func TestVersionLinksFollowHost(t *testing.T) {
	a := newAPI(t)
	req, err := http.NewRequest("GET", a.srv.URL()+"/v3", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "identity.example.test:5000"
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := a.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	var got struct {
		Version version `json:"version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := []link{{Rel: "self", Href: "https://identity.example.test:5000/v3/"}}
	if diff := cmp.Diff(want, got.Version.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

func TestUnknownRoutes(t *testing.T) {
	a := newAPI(t)
	tok, _ := a.login(v3Password("alice", "Default", "pw", ""))
	t.Run("v3 404", func(t *testing.T) {
		checkKeystoneError(t, a.get("/v3/no-such-thing", tok), http.StatusNotFound)
	})
	t.Run("v3 405", func(t *testing.T) {
		checkKeystoneError(t, a.do("PUT", "/v3/auth/tokens", "{}", "X-Auth-Token", tok), http.StatusMethodNotAllowed)
	})
	t.Run("v2 404", func(t *testing.T) {
		checkRaxFault(t, a.get("/v2.0/no-such-thing", tok), http.StatusNotFound, "itemNotFound")
	})
	t.Run("v2 405", func(t *testing.T) {
		checkRaxFault(t, a.do("DELETE", "/v2.0/tenants", "", "X-Auth-Token", tok), http.StatusMethodNotAllowed, "badMethod")
	})
}
