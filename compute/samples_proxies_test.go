package compute_test

import (
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
)

// The sample cases of images, extension-info, os-networks,
// os-tenant-networks and os-security-groups (TestNovaAPISamples).

// novaProxySampleCases are the samples of images, extensions, networks and
// security groups.
func novaProxySampleCases() []novaSampleCase {
	call := func(method, path, body string, status int) func(t *testing.T, a *novaAPI) []byte {
		return func(t *testing.T, a *novaAPI) []byte {
			return a.do(method, path, body).want(t, status).Body
		}
	}
	img := "/images/" + compute.DefaultImageID
	out := []novaSampleCase{
		{"images/image-get-resp.json", "", call("GET", img, "", http.StatusOK)},
		{"images/images-details-get-resp.json", "", call("GET", "/images/detail", "", http.StatusOK)},
		{"images/images-list-get-resp.json", "", call("GET", "/images", "", http.StatusOK)},
		{"images/image-metadata-get-resp.json", "", call("GET", img+"/metadata", "", http.StatusOK)},
		{"images/image-metadata-post-resp.json", "", call("POST", img+"/metadata", `{"metadata":{"kernel_id":"False","Label":"UpdatedImage"}}`, http.StatusOK)},
		{"images/image-metadata-put-resp.json", "", call("PUT", img+"/metadata", `{"metadata":{"auto_disk_config":"True","Label":"Changed"}}`, http.StatusOK)},
		{"images/image-meta-key-get.json", "", call("GET", img+"/metadata/architecture", "", http.StatusOK)},
		{"images/image-meta-key-put-resp.json", "", call("PUT", img+"/metadata/auto_disk_config", `{"meta":{"auto_disk_config":"False"}}`, http.StatusOK)},
		{"extension-info/extensions-list-resp.json", "", call("GET", "/extensions", "", http.StatusOK)},
		{"extension-info/extensions-get-resp.json", "", call("GET", "/extensions/os-agents", "", http.StatusOK)},
		{"extension-info/extensions-list-resp-v21-compatible.json", "", func(t *testing.T, a *novaAPI) []byte {
			return a.legacy().get("/extensions").want(t, http.StatusOK).Body
		}},
		{"os-networks/networks-list-resp.json", "", call("GET", "/os-networks", "", http.StatusOK)},
		{"os-networks/network-show-resp.json", "", call("GET", "/os-networks/11111111-1111-1111-1111-111111111111", "", http.StatusOK)},
		{"os-tenant-networks/networks-list-res.json", "", call("GET", "/os-tenant-networks", "", http.StatusOK)},
		{"os-security-groups/security-groups-list-get-resp.json", "", call("GET", "/os-security-groups", "", http.StatusOK)},
		{"os-security-groups/security-groups-create-resp.json", "", call("POST", "/os-security-groups", `{"security_group":{"name":"test","description":"description"}}`, http.StatusOK)},
	}
	withGroup := func(f func(t *testing.T, a *novaAPI, gid string) []byte) func(t *testing.T, a *novaAPI) []byte {
		return func(t *testing.T, a *novaAPI) []byte {
			g := a.do("POST", "/os-security-groups", `{"security_group":{"name":"test","description":"description"}}`).want(t, http.StatusOK)
			return f(t, a, g.obj(t)["security_group"].(map[string]any)["id"].(string))
		}
	}
	return append(out,
		novaSampleCase{"os-security-groups/security-groups-get-resp.json", "", withGroup(func(t *testing.T, a *novaAPI, gid string) []byte {
			return a.get("/os-security-groups/"+gid).want(t, http.StatusOK).Body
		})},
		novaSampleCase{"os-security-groups/security-group-rules-post-resp.json", "", withGroup(func(t *testing.T, a *novaAPI, gid string) []byte {
			return a.do("POST", "/os-security-group-rules", `{"security_group_rule":{"parent_group_id":"`+gid+`","ip_protocol":"tcp","from_port":22,"to_port":22,"cidr":"10.0.0.0/24"}}`).want(t, http.StatusOK).Body
		})},
		novaSampleCase{"os-security-groups/server-security-groups-list-resp.json", "", func(t *testing.T, a *novaAPI) []byte {
			return a.get("/servers/"+sampleServer(t, a)+"/os-security-groups").want(t, http.StatusOK).Body
		}},
	)
}
