package compute_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
)

// The sample cases of the operator APIs: os-services, os-hosts and
// os-hypervisors (TestNovaAPISamples). They run on a compute whose hosts
// are the samples' ("host1", "host2"), without a token check (so as an
// admin).

func novaAdminSampleCases() []novaSampleCase {
	var out []novaSampleCase
	hosts := func(run func(t *testing.T, a *novaAPI) []byte) func(t *testing.T, a *novaAPI) []byte {
		return sampleWith(run, compute.WithHosts("host1", "host2"), compute.WithAvailabilityZones("us-west"))
	}
	for _, v := range []string{"", "2.11", "2.53"} {
		req := func(name string) string { return "@" + sampleFile("os-services", v, name) }
		put := func(action, name string) func(t *testing.T, a *novaAPI) []byte {
			if v != "2.53" {
				return hosts(sampleCall("PUT", "/os-services/"+action, req(name), http.StatusOK))
			}
			return hosts(func(t *testing.T, a *novaAPI) []byte { // by the service's UUID from 2.53
				var list struct {
					Services []struct {
						ID     string `json:"id"`
						Binary string `json:"binary"`
					} `json:"services"`
				}
				decodeInto(t, a.get("/os-services?host=host1").want(t, http.StatusOK).Body, &list)
				for _, s := range list.Services {
					if s.Binary == "nova-compute" {
						return a.do("PUT", "/os-services/"+s.ID, sampleBody(t, req(name))).want(t, http.StatusOK).Body
					}
				}
				t.Fatal("no nova-compute service on host1")
				return nil
			})
		}
		out = append(out, sampleFolder("os-services",
			sampleRow{"services-list-get-resp.json", v, hosts(sampleCall("GET", "/os-services", "", http.StatusOK))},
			sampleRow{"service-disable-log-put-resp.json", v, put("disable-log-reason", "service-disable-log-put-req.json")},
			sampleRow{"service-disable-put-resp.json", v, put("disable", "service-disable-put-req.json")},
			sampleRow{"service-enable-put-resp.json", v, put("enable", "service-enable-put-req.json")},
		)...)
		if v != "" {
			out = append(out, sampleFolder("os-services",
				sampleRow{"service-force-down-put-resp.json", v, put("force-down", "service-force-down-put-req.json")})...)
		}
	}
	out = append(out, sampleFolder("os-hosts",
		sampleRow{"hosts-list-resp.json", "", hosts(sampleCall("GET", "/os-hosts", "", http.StatusOK))},
		sampleRow{"host-get-resp.json", "", hosts(sampleOnServer(nil, "GET", "/os-hosts/host1", "", http.StatusOK))},
		sampleRow{"host-put-maintenance-resp.json", "", hosts(sampleCall("PUT", "/os-hosts/host1", "@os-hosts/host-put-maintenance-req.json", http.StatusOK))},
		sampleRow{"host-get-reboot.json", "", hosts(sampleCall("GET", "/os-hosts/host1/reboot", "", http.StatusOK))},
		sampleRow{"host-get-shutdown.json", "", hosts(sampleCall("GET", "/os-hosts/host1/shutdown", "", http.StatusOK))},
		sampleRow{"host-get-startup.json", "", hosts(sampleCall("GET", "/os-hosts/host1/startup", "", http.StatusOK))},
	)...)
	return append(out, novaHypervisorSampleCases()...)
}

// sampleHypervisor runs a case on a compute of one host ("compute", as
// the samples) with the sample server on it; path gets {id} (the
// hypervisor's ID) and {name} (its hostname) replaced.
func sampleHypervisor(path string, server bool) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		a = newNova(t, compute.WithHosts("compute", "compute2"), compute.WithAvailabilityZones("us-west")).at(a.version)
		if server {
			sampleServer(t, a)
		}
		var list struct {
			Hypervisors []struct {
				ID   any    `json:"id"`
				Name string `json:"hypervisor_hostname"`
			} `json:"hypervisors"`
		}
		decodeInto(t, a.get("/os-hypervisors").want(t, http.StatusOK).Body, &list)
		if len(list.Hypervisors) == 0 {
			t.Fatal("no hypervisor")
		}
		id, _ := json.Marshal(list.Hypervisors[0].ID)
		path := strings.NewReplacer("{id}", strings.Trim(string(id), `"`), "{name}", url.PathEscape(list.Hypervisors[0].Name),
			"{qname}", url.QueryEscape(list.Hypervisors[0].Name)).Replace(path)
		return a.get(path).want(t, http.StatusOK).Body
	}
}

func novaHypervisorSampleCases() []novaSampleCase {
	var out []novaSampleCase
	for _, v := range []string{"", "2.28", "2.33", "2.53", "2.88"} {
		list, detail := "/os-hypervisors", "/os-hypervisors/detail"
		if minorVersion(v) >= 33 {
			list, detail = list+"?limit=1", detail+"?limit=1" // the samples show a next link
		}
		out = append(out, sampleFolder("os-hypervisors",
			sampleRow{"hypervisors-list-resp.json", v, sampleHypervisor(list, false)},
			sampleRow{"hypervisors-detail-resp.json", v, sampleHypervisor(detail, false)},
		)...)
		if v == "2.33" {
			continue
		}
		search, servers, noServers := "/os-hypervisors/{name}/search", "/os-hypervisors/{name}/servers", "/os-hypervisors/{name}/servers"
		if minorVersion(v) >= 53 {
			search = "/os-hypervisors?hypervisor_hostname_pattern={qname}"
			servers = "/os-hypervisors?hypervisor_hostname_pattern={qname}&with_servers=true"
			noServers = "/os-hypervisors?with_servers=false"
			out = append(out, sampleFolder("os-hypervisors",
				sampleRow{"hypervisors-detail-with-servers-resp.json", v, sampleHypervisor("/os-hypervisors/detail?with_servers=true", true)},
				sampleRow{"hypervisors-show-with-servers-resp.json", v, sampleHypervisor("/os-hypervisors/{id}?with_servers=true", true)},
			)...)
		}
		out = append(out, sampleFolder("os-hypervisors",
			sampleRow{"hypervisors-show-resp.json", v, sampleHypervisor("/os-hypervisors/{id}", false)},
			sampleRow{"hypervisors-search-resp.json", v, sampleHypervisor(search, false)},
			sampleRow{"hypervisors-with-servers-resp.json", v, sampleHypervisor(servers, true)},
		)...)
		if v != "2.88" { // gone in 2.88
			out = append(out, sampleFolder("os-hypervisors",
				sampleRow{"hypervisors-statistics-resp.json", v, sampleHypervisor("/os-hypervisors/statistics", false)},
				sampleRow{"hypervisors-uptime-resp.json", v, sampleHypervisor("/os-hypervisors/{id}/uptime", false)},
				sampleRow{"hypervisors-without-servers-resp.json", v, sampleHypervisor(noServers, false)},
			)...)
		}
	}
	return out
}
