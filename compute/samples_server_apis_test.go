package compute_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
)

// The sample cases of the APIs under a server (server-ips,
// server-metadata, os-server-tags, os-server-password,
// os-server-topology, os-server-diagnostics, servers-sort) and of
// keypairs, zones, server groups and versions (TestNovaAPISamples).

func novaServerExtraSampleCases() []novaSampleCase {
	var out []novaSampleCase
	out = append(out, sampleFolder("server-ips",
		sampleRow{"server-ips-resp.json", "", sampleOnServer(nil, "GET", "/servers/{id}/ips", "", http.StatusOK)},
		sampleRow{"server-ips-network-resp.json", "", sampleOnServer(nil, "GET", "/servers/{id}/ips/private", "", http.StatusOK)},
	)...)
	out = append(out, sampleFolder("server-metadata",
		sampleRow{"server-metadata-all-resp.json", "", sampleOnServer(nil, "PUT", "/servers/{id}/metadata", "@server-metadata/server-metadata-all-req.json", http.StatusOK)},
		sampleRow{"server-metadata-resp.json", "", sampleOnServer(nil, "PUT", "/servers/{id}/metadata/foo", "@server-metadata/server-metadata-req.json", http.StatusOK)},
	)...)
	tagged := [][3]string{{"PUT", "/servers/{id}/tags", "@os-server-tags/v2.26/server-tags-put-all-req.json"}}
	out = append(out, sampleFolder("os-server-tags",
		sampleRow{"server-tags-index-resp.json", "2.26", sampleOnServer(tagged, "GET", "/servers/{id}/tags", "", http.StatusOK)},
		sampleRow{"server-tags-put-all-resp.json", "2.26", sampleOnServer(nil, "PUT", "/servers/{id}/tags", "@os-server-tags/v2.26/server-tags-put-all-req.json", http.StatusOK)},
		// These two show a member's view.
		sampleRow{"server-tags-show-details-resp.json", "2.26", sampleAsMember(sampleOnServer(tagged, "GET", "/servers/{id}", "", http.StatusOK))},
		sampleRow{"servers-tags-details-resp.json", "2.26", sampleAsMember(sampleOnServer(tagged, "GET", "/servers/detail", "", http.StatusOK))},
	)...)
	out = append(out, sampleFolder("os-server-password",
		sampleRow{"get-password-resp.json", "", sampleOnServer(nil, "GET", "/servers/{id}/os-server-password", "", http.StatusOK)})...)
	out = append(out, sampleFolder("os-server-topology",
		sampleRow{"servers-topology-resp.json", "2.78", sampleOnServer(nil, "GET", "/servers/{id}/topology", "", http.StatusOK)},
		sampleRow{"servers-topology-resp-user.json", "2.78", sampleAsMember(sampleOnServer(nil, "GET", "/servers/{id}/topology", "", http.StatusOK))},
	)...)
	for _, v := range []string{"", "2.48"} {
		out = append(out, sampleFolder("os-server-diagnostics",
			sampleRow{"server-diagnostics-get-resp.json", v, sampleOnServer(nil, "GET", "/servers/{id}/diagnostics", "", http.StatusOK)})...)
	}
	out = append(out, sampleFolder("servers",
		sampleRow{"servers-list-status-resp.json", "", sampleOnServer(nil, "GET", "/servers?status=active&limit=1", "", http.StatusOK)},
		sampleRow{"servers-list-with-changes-before.json", "2.66", sampleOnServer(nil, "GET", "/servers?changes-before=2027-01-01T00:00:00Z", "", http.StatusOK)},
		sampleRow{"servers-details-with-changes-before.json", "2.66", sampleOnServer(nil, "GET", "/servers/detail?changes-before=2027-01-01T00:00:00Z", "", http.StatusOK)},
		sampleRow{"server-groups-post-resp.json", "2.71", sampleCall("POST", "/os-server-groups", "@servers/v2.71/server-groups-post-req.json", http.StatusOK)},
	)...)
	out = append(out, sampleFolder("servers-sort",
		sampleRow{"server-sort-keys-list-resp.json", "", sampleOnServer(nil, "GET", "/servers?sort_key=display_name&sort_dir=asc", "", http.StatusOK)})...)
	out = append(out, sampleFolder("versions",
		sampleRow{"versions-get-resp.json", "", sampleRoot("/")},
		sampleRow{"v21-version-get-resp.json", "", sampleRoot("/v2.1/")},
		sampleRow{"v2-version-get-resp.json", "", sampleRoot("/v2/")},
	)...)
	out = append(out, sampleFolder("os-availability-zone",
		sampleRow{"availability-zone-list-resp.json", "", sampleCall("GET", "/os-availability-zone", "", http.StatusOK)},
		sampleRow{"availability-zone-detail-resp.json", "", sampleCall("GET", "/os-availability-zone/detail", "", http.StatusOK)},
	)...)
	for _, v := range []string{"", "2.13", "2.64"} {
		post := "@" + sampleFile("os-server-groups", v, "server-groups-post-req.json")
		out = append(out, sampleFolder("os-server-groups",
			sampleRow{"server-groups-post-resp.json", v, sampleCall("POST", "/os-server-groups", post, http.StatusOK)},
			sampleRow{"server-groups-list-resp.json", v, sampleSteps([][3]string{{"POST", "/os-server-groups", post}}, "GET", "/os-server-groups", "", http.StatusOK)},
			sampleRow{"server-groups-get-resp.json", v, func(t *testing.T, a *novaAPI) []byte {
				id := sampleID(t, a.do("POST", "/os-server-groups", sampleBody(t, post)).want(t, http.StatusOK), "server_group", "id")
				return a.get("/os-server-groups/"+id).want(t, http.StatusOK).Body
			}},
		)...)
	}
	return append(out, novaKeypairSampleCases()...)
}

// sampleAsMember runs a case as a member of project-a (tokens checked).
func sampleAsMember(run func(t *testing.T, a *novaAPI) []byte) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		return run(t, newNovaWithAuth(t, novaAuth, compute.WithAvailabilityZones("us-west")).as("project-a").withToken("tok-a").at(a.version))
	}
}

// sampleRoot GETs a version document (outside the project's URL).
func sampleRoot(path string) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		return a.raw("GET", path, "").want(t, http.StatusOK).Body
	}
}

// sampleID is a string member of a reply: {"<object>": {"<key>": "…"}}.
func sampleID(t *testing.T, r novaReply, object, key string) string {
	t.Helper()
	id, _ := r.obj(t)[object].(map[string]any)[key].(string)
	if id == "" {
		t.Fatalf("no %s.%s in %s", object, key, r.Body)
	}
	return id
}

// sampleReqString is a string member of a request sample's object.
func sampleReqString(t *testing.T, file, object, key string) string {
	t.Helper()
	var m map[string]map[string]any
	if err := json.Unmarshal([]byte(sampleReq(t, file)), &m); err != nil {
		t.Fatalf("request sample %s: %v", file, err)
	}
	s, _ := m[object][key].(string)
	return s
}

func novaKeypairSampleCases() []novaSampleCase {
	var out []novaSampleCase
	for _, v := range []string{"", "2.2", "2.10", "2.35", "2.92"} {
		created := http.StatusOK
		if minorVersion(v) >= 2 {
			created = http.StatusCreated
		}
		post := sampleFile("os-keypairs", v, "keypairs-post-req.json")
		imp := sampleFile("os-keypairs", v, "keypairs-import-post-req.json")
		if v != "2.92" { // 2.92 has no generated keys
			out = append(out, sampleFolder("os-keypairs",
				sampleRow{"keypairs-post-resp.json", v, sampleCall("POST", "/os-keypairs", "@"+post, created)},
				sampleRow{"keypairs-list-resp.json", v, sampleKeypairList(v, "", 2, "")})...)
		}
		if v != "2.35" {
			out = append(out, sampleFolder("os-keypairs",
				sampleRow{"keypairs-import-post-resp.json", v, sampleCall("POST", "/os-keypairs", "@"+imp, created)})...)
		}
		if v != "2.35" && v != "2.92" {
			out = append(out, sampleFolder("os-keypairs",
				sampleRow{"keypairs-get-resp.json", v, func(t *testing.T, a *novaAPI) []byte {
					name := sampleReqString(t, imp, "keypair", "name")
					a.do("POST", "/os-keypairs", sampleReq(t, imp)).want(t, created)
					path := "/os-keypairs/" + name
					if user := sampleReqString(t, imp, "keypair", "user_id"); user != "" {
						path += "?user_id=" + user // an admin's keypair of another user (2.10)
					}
					return a.get(path).want(t, http.StatusOK).Body
				}})...)
		}
	}
	return append(out, sampleFolder("os-keypairs",
		sampleRow{"keypairs-list-user1-resp.json", "2.35", sampleKeypairList("2.35", "user1", 1, "?user_id=user1")},
		sampleRow{"keypairs-list-user2-resp.json", "2.35", sampleKeypairList("2.35", "user2", 2, "?user_id=user2&limit=1")},
	)...)
}

// sampleKeypairList creates n keypairs (for user, when set) and lists them
// with query; from 2.35 without a query it lists one page of one.
func sampleKeypairList(v, user string, n int, query string) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		for i := 0; i < n; i++ {
			kp := map[string]any{"name": "kp-" + string(rune('a'+i))}
			if user != "" {
				kp["user_id"] = user
			}
			b, _ := json.Marshal(map[string]any{"keypair": kp})
			if r := a.do("POST", "/os-keypairs", string(b)); r.Status/100 != 2 {
				t.Fatalf("keypair: %d %s", r.Status, r.Body)
			}
		}
		if query == "" && minorVersion(v) >= 35 {
			query = "?limit=1"
		}
		return a.get("/os-keypairs"+query).want(t, http.StatusOK).Body
	}
}
