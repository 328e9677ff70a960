package compute_test

import (
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
)

// The sample cases of the servers folder (TestNovaAPISamples).

// novaServerSampleCases are the cases of the servers folder: get, list,
// detail, update, rebuild, create, createImage, and console output.
func novaServerSampleCases() []novaSampleCase {
	var out []novaSampleCase
	get := func(path func(id string) string) func(t *testing.T, a *novaAPI) []byte {
		return func(t *testing.T, a *novaAPI) []byte {
			return a.get(path(sampleServer(t, a))).want(t, http.StatusOK).Body
		}
	}
	do := func(method string, path func(id string) string, body string, status int) func(t *testing.T, a *novaAPI) []byte {
		return func(t *testing.T, a *novaAPI) []byte {
			return a.do(method, path(sampleServer(t, a)), body).want(t, status).Body
		}
	}
	server := func(id string) string { return "/servers/" + id }
	action := func(id string) string { return "/servers/" + id + "/action" }
	for _, v := range []string{"", "2.3", "2.9", "2.16", "2.19", "2.47", "2.52", "2.63", "2.71", "2.73", "2.90", "2.94", "2.96", "2.98", "2.100"} {
		out = append(out, novaSampleCase{sampleFile("servers", v, "server-get-resp.json"), v, get(server)})
	}
	for _, v := range []string{"", "2.3", "2.9", "2.16", "2.19", "2.47", "2.52", "2.63", "2.73", "2.90", "2.94", "2.96", "2.98", "2.100"} {
		path := "/servers/detail?limit=1" // the samples show a next link …
		if v == "2.73" {
			path = "/servers/detail" // … but this one
		}
		out = append(out, novaSampleCase{sampleFile("servers", v, "servers-details-resp.json"), v, get(func(string) string { return path })})
	}
	for _, v := range []string{"", "2.3", "2.9", "2.16", "2.19", "2.47", "2.52", "2.90", "2.94", "2.96", "2.98", "2.100"} {
		out = append(out, novaSampleCase{sampleFile("servers", v, "servers-list-resp.json"), v, get(func(string) string { return "/servers?limit=1" })})
	}
	update := `{"server":{"name":"new-server-test"}}`
	for _, v := range []string{"", "2.47", "2.63", "2.71", "2.73", "2.75", "2.90", "2.94", "2.96", "2.98", "2.100", "2.104"} {
		out = append(out, novaSampleCase{sampleFile("servers", v, "server-update-resp.json"), v, do("PUT", server, update, http.StatusOK)})
	}
	out = append(out, novaSampleCase{"servers/v2.19/server-put-resp.json", "2.19", do("PUT", server, update, http.StatusOK)})
	rebuild := `{"rebuild":{"imageRef":"` + compute.DefaultImageID + `","name":"foobar","metadata":{"meta_var":"meta_val"}}}`
	for _, v := range []string{"", "2.19", "2.26", "2.47", "2.54", "2.57", "2.63", "2.71", "2.73", "2.75", "2.90", "2.94", "2.96", "2.98", "2.100"} {
		out = append(out, novaSampleCase{sampleFile("servers", v, "server-action-rebuild-resp.json"), v, do("POST", action, rebuild, http.StatusAccepted)})
	}
	for _, v := range []string{"", "2.19", "2.32", "2.37", "2.42", "2.47", "2.52", "2.57", "2.63", "2.66", "2.67", "2.69", "2.71", "2.73", "2.74", "2.90", "2.94", "2.100"} {
		out = append(out, novaSampleCase{sampleFile("servers", v, "server-create-resp.json"), v, func(t *testing.T, a *novaAPI) []byte {
			return a.do("POST", "/servers", novaBody(map[string]any{"networks": "auto"})).want(t, http.StatusAccepted).Body
		}})
	}
	out = append(out, novaSampleCase{"servers/v2.45/server-action-create-image-resp.json", "2.45", do("POST", action, `{"createImage":{"name":"foo-image"}}`, http.StatusAccepted)})
	out = append(out, novaSampleCase{"os-console-output/console-output-post-resp.json", "", do("POST", action, `{"os-getConsoleOutput":{"length":50}}`, http.StatusOK)})
	return out
}
