package compute_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/compute"
)

// The sample cases of os-aggregates, os-instance-actions, os-migrations,
// server-migrations and os-simple-tenant-usage (TestNovaAPISamples).

func novaOpsSampleCases() []novaSampleCase {
	var out []novaSampleCase
	for _, v := range []string{"", "2.41", "2.81"} {
		out = append(out, novaAggregateSampleCases(v)...)
	}
	for _, v := range []string{"", "2.21", "2.51", "2.58", "2.62", "2.66", "2.84"} {
		out = append(out, novaInstanceActionSampleCases(v)...)
	}
	for _, v := range []string{"", "2.23", "2.59", "2.66", "2.80"} {
		out = append(out, sampleFolder("os-migrations", sampleRow{"migrations-get.json", v, sampleMigrating("/os-migrations", false)})...)
		if minorVersion(v) >= 59 {
			out = append(out, sampleFolder("os-migrations",
				sampleRow{"migrations-get-with-limit.json", v, sampleMigrating("/os-migrations?limit=1", false)},
				sampleRow{"migrations-get-with-marker.json", v, sampleMigrating("/os-migrations?marker={cold}", false)},
				sampleRow{"migrations-get-with-changes-since.json", v, sampleMigrating("/os-migrations?changes-since={since}", false)},
			)...)
		}
		if minorVersion(v) >= 66 {
			out = append(out, sampleFolder("os-migrations",
				sampleRow{"migrations-get-with-changes-before.json", v, sampleMigrating("/os-migrations?changes-before=2027-01-01T00:00:00Z", false)})...)
		}
		if v == "2.80" {
			out = append(out, sampleFolder("os-migrations",
				sampleRow{"migrations-get-with-user-or-project-id.json", v, sampleMigrating("/os-migrations?project_id=demo", false)})...)
		}
	}
	for _, v := range []string{"2.23", "2.59", "2.80"} {
		out = append(out, sampleFolder("server-migrations",
			sampleRow{"migrations-index.json", v, sampleMigrating("/servers/{id}/migrations", true)},
			sampleRow{"migrations-get.json", v, sampleMigrating("/servers/{id}/migrations/{mig}", true)},
		)...)
	}
	query := "?start=2025-01-01T00:00:00&end=2027-01-01T00:00:00"
	for _, v := range []string{"", "2.40"} {
		page := ""
		if v == "2.40" {
			page = "&limit=1" // the samples show a next link
			out = append(out, sampleFolder("os-simple-tenant-usage",
				sampleRow{"simple-tenant-usage-get-all.json", v, sampleUsage("/os-simple-tenant-usage" + query + "&detailed=1")})...)
		}
		out = append(out, sampleFolder("os-simple-tenant-usage",
			sampleRow{"simple-tenant-usage-get.json", v, sampleUsage("/os-simple-tenant-usage" + query + page)},
			sampleRow{"simple-tenant-usage-get-detail.json", v, sampleUsage("/os-simple-tenant-usage" + query + "&detailed=1" + page)},
			sampleRow{"simple-tenant-usage-get-specific.json", v, sampleUsage("/os-simple-tenant-usage/demo" + query + page)},
		)...)
	}
	return out
}

// sampleUsage GETs path after two servers have run for an hour.
func sampleUsage(path string) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		sampleServer(t, a)
		sampleServer(t, a)
		a.advance(time.Hour)
		return a.get(path).want(t, http.StatusOK).Body
	}
}

func novaAggregateSampleCases(v string) []novaSampleCase {
	req := func(name string) string { return sampleReq0("os-aggregates", v, name) }
	agg := func(setup []string, method, path, body string) func(t *testing.T, a *novaAPI) []byte {
		return sampleWith(func(t *testing.T, a *novaAPI) []byte {
			id := strconv.Itoa(int(a.do("POST", "/os-aggregates", sampleBody(t, req("aggregate-post-req.json"))).want(t, http.StatusOK).
				obj(t)["aggregate"].(map[string]any)["id"].(float64)))
			for _, s := range setup {
				a.do("POST", "/os-aggregates/"+id+"/action", sampleBody(t, s)).want(t, http.StatusOK)
			}
			return a.do(method, strings.ReplaceAll(path, "{id}", id), sampleBody(t, body)).want(t, http.StatusOK).Body
		}, compute.WithHosts("compute"))
	}
	addHost := `{"add_host":{"host":"compute"}}`
	return sampleFolder("os-aggregates",
		sampleRow{"aggregate-post-resp.json", v, sampleWith(sampleCall("POST", "/os-aggregates", req("aggregate-post-req.json"), http.StatusOK), compute.WithHosts("compute"))},
		sampleRow{"aggregate-update-post-resp.json", v, agg(nil, "PUT", "/os-aggregates/{id}", req("aggregate-update-post-req.json"))},
		sampleRow{"aggregates-add-host-post-resp.json", v, agg(nil, "POST", "/os-aggregates/{id}/action", addHost)},
		sampleRow{"aggregates-get-resp.json", v, agg([]string{addHost}, "GET", "/os-aggregates/{id}", "")},
		sampleRow{"aggregates-list-get-resp.json", v, agg([]string{addHost}, "GET", "/os-aggregates", "")},
		sampleRow{"aggregates-metadata-post-resp.json", v, agg([]string{addHost}, "POST", "/os-aggregates/{id}/action", req("aggregate-metadata-post-req.json"))},
		sampleRow{"aggregates-remove-host-post-resp.json", v, agg([]string{addHost}, "POST", "/os-aggregates/{id}/action", `{"remove_host":{"host":"compute"}}`)},
	)
}

// sampleReq0 names a request sample for sampleBody.
func sampleReq0(folder, v, name string) string { return "@" + sampleFile(folder, v, name) }

func novaInstanceActionSampleCases(v string) []novaSampleCase {
	out := sampleFolder("os-instance-actions",
		sampleRow{"instance-actions-list-resp.json", v, sampleStopped("/servers/{id}/os-instance-actions")},
		sampleRow{"instance-action-get-resp.json", v, sampleStopped("/servers/{id}/os-instance-actions/{req}")},
	)
	if minorVersion(v) >= 51 {
		out = append(out, sampleFolder("os-instance-actions",
			sampleRow{"instance-action-get-non-admin-resp.json", v, sampleAsMember(sampleStopped("/servers/{id}/os-instance-actions/{req}"))})...)
	}
	if minorVersion(v) >= 58 {
		out = append(out, sampleFolder("os-instance-actions",
			sampleRow{"instance-actions-list-with-limit-resp.json", v, sampleStopped("/servers/{id}/os-instance-actions?limit=1")},
			sampleRow{"instance-actions-list-with-marker-resp.json", v, sampleStopped("/servers/{id}/os-instance-actions?marker={req}")},
			sampleRow{"instance-actions-list-with-changes-since.json", v, sampleStopped("/servers/{id}/os-instance-actions?changes-since=2025-01-01T00:00:00Z")},
		)...)
	}
	if minorVersion(v) >= 66 {
		out = append(out, sampleFolder("os-instance-actions",
			sampleRow{"instance-actions-list-with-changes-before.json", v, sampleStopped("/servers/{id}/os-instance-actions?changes-before=2027-01-01T00:00:00Z")})...)
	}
	return out
}

// sampleStopped stops the sample server and GETs path, with {id} the
// server and {req} the stop's request ID.
func sampleStopped(path string) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		id := sampleServer(t, a)
		a.action(id, `{"os-stop":null}`).want(t, http.StatusAccepted)
		a.advance(time.Minute)
		var list struct {
			Actions []struct {
				Action    string `json:"action"`
				RequestID string `json:"request_id"`
			} `json:"instanceActions"`
		}
		decodeInto(t, a.get("/servers/"+id+"/os-instance-actions").want(t, http.StatusOK).Body, &list)
		req := ""
		for _, act := range list.Actions {
			if act.Action == "stop" {
				req = act.RequestID
			}
		}
		if req == "" {
			t.Fatalf("no stop action among %+v", list.Actions)
		}
		return a.get(strings.NewReplacer("{id}", id, "{req}", req).Replace(path)).want(t, http.StatusOK).Body
	}
}

// sampleMigrating starts a live migration of the sample server (on a
// compute of two hosts) and, a second later unless only is set, a cold
// migration of another, then GETs path, with {id} the first server, {mig}
// the live migration's ID, {cold} the cold one's UUID and {since} the
// time between them.
func sampleMigrating(path string, only bool) func(t *testing.T, a *novaAPI) []byte {
	return sampleWith(func(t *testing.T, a *novaAPI) []byte {
		id := sampleServer(t, a)
		other := ""
		if !only {
			other = sampleServer(t, a)
		}
		a.action(id, `{"os-migrateLive":{"host":null,"block_migration":"auto"}}`).want(t, http.StatusAccepted)
		a.advance(time.Second)
		since := a.srv.Clock().Now().UTC().Format("2006-01-02T15:04:05Z")
		if !only {
			a.action(other, `{"migrate":null}`).want(t, http.StatusAccepted)
		}
		var list struct {
			Migrations []sampleMigration `json:"migrations"`
		}
		decodeInto(t, a.at("2.80").get("/os-migrations").want(t, http.StatusOK).Body, &list)
		r := strings.NewReplacer("{id}", id, "{since}", since)
		for _, m := range list.Migrations {
			if m.Instance == id {
				r = strings.NewReplacer("{id}", id, "{since}", since, "{mig}", strconv.Itoa(int(m.ID)), "{cold}", coldUUID(list.Migrations, other))
			}
		}
		return a.get(r.Replace(path)).want(t, http.StatusOK).Body
	}, compute.WithHosts("compute", "compute2"), compute.WithAvailabilityZones("us-west"))
}

// sampleMigration is what the cases read of a listed migration.
type sampleMigration struct {
	ID       float64 `json:"id"`
	UUID     string  `json:"uuid"`
	Instance string  `json:"instance_uuid"`
}

// coldUUID is the UUID of the migration of server other.
func coldUUID(ms []sampleMigration, other string) string {
	for _, m := range ms {
		if m.Instance == other {
			return m.UUID
		}
	}
	return ""
}
