package compute_test

import (
	"testing"
	"time"
)

// TestSimpleTenantUsage: a server of m1.tiny built at start (ACTIVE at
// +30 s) and used for an hour; the project's own usage, the admin's list
// (with and without detail), the 403 for another project, paging (2.40).
func TestSimpleTenantUsage(t *testing.T) {
	a := newXAPIWithTokens(t)
	id := a.server("web")
	a.advance(30 * time.Second)
	a.advance(time.Hour)
	launched := start.Add(30 * time.Second)
	end := launched.Add(time.Hour)
	q := "?start=" + launched.Format("2006-01-02T15:04:05") + "&end=" + end.Format("2006-01-02T15:04:05")
	usage := `{"ended_at":null,"flavor":"m1.tiny","hours":1,"instance_id":"` + id + `","local_gb":1,"memory_mb":512,
		"name":"web","started_at":"2026-01-01T00:00:30","state":"active","tenant_id":"p","uptime":3600,"vcpus":1}`
	summary := `"start":"2026-01-01T00:00:30","stop":"2026-01-01T01:00:30","tenant_id":"p","total_hours":1,
		"total_local_gb_usage":1,"total_memory_mb_usage":512,"total_vcpus_usage":1`

	a.get("/os-simple-tenant-usage/p"+q).want(t, 200, `{"tenant_usage":{"server_usages":[`+usage+`],`+summary+`}}`)
	a.get("/os-simple-tenant-usage/other"+q).fault(t, 403, "Policy doesn't allow os_compute_api:os-simple-tenant-usage:show to be performed.")
	a.get("/os-simple-tenant-usage"+q).fault(t, 403, "Policy doesn't allow os_compute_api:os-simple-tenant-usage:list to be performed.")

	adm := a.admin()
	adm.get("/os-simple-tenant-usage"+q).want(t, 200, `{"tenant_usages":[{`+summary+`}]}`)
	adm.get("/os-simple-tenant-usage"+q+"&detailed=1").want(t, 200, `{"tenant_usages":[{"server_usages":[`+usage+`],`+summary+`}]}`)
	adm.get("/os-simple-tenant-usage/other"+q).want(t, 200, `{"tenant_usage":{}}`)

	// Half the period: half the hours.
	half := "?start=" + launched.Add(30*time.Minute).Format("2006-01-02T15:04:05") + "&end=" + end.Format("2006-01-02T15:04:05")
	r := a.get("/os-simple-tenant-usage/p" + half)
	r.status1(t, 200)
	if h := r.obj(t)["tenant_usage"].(map[string]any)["total_hours"]; h != 0.5 {
		t.Errorf("total_hours over half the period = %v, want 0.5", h)
	}

	a.get("/os-simple-tenant-usage/p?start=2026-01-02T00:00:00&end=2026-01-01T00:00:00").fault(t, 400,
		"Invalid start time. The start time cannot occur after the end time.")
	a.get("/os-simple-tenant-usage/p?start=yesterday").fault(t, 400, "Invalid datetime string: Datetime is in invalid format")

	// A deleted server is terminated, with its end.
	a.do("DELETE", "/servers/"+id, "").status1(t, 204)
	a.advance(10 * time.Second)
	r = a.get("/os-simple-tenant-usage/p?start=2026-01-01T00:00:00")
	r.status1(t, 200)
	su := r.obj(t)["tenant_usage"].(map[string]any)["server_usages"].([]any)[0].(map[string]any)
	if su["state"] != "terminated" || su["ended_at"] != "2026-01-01T01:00:33" {
		t.Errorf("deleted server's usage: %v", su)
	}
}

func TestSimpleTenantUsagePaging(t *testing.T) {
	a := newXAPI(t)
	first := a.server("one")
	a.server("two")
	a.advance(time.Hour)
	v := a.at("2.40")
	r := v.get("/os-simple-tenant-usage/p?detailed=1&limit=1")
	r.status1(t, 200)
	body := r.obj(t)
	links, _ := body["tenant_usage_links"].([]any)
	if len(links) != 1 {
		t.Fatalf("no next link in %s", r.body)
	}
	if usages := body["tenant_usage"].(map[string]any)["server_usages"].([]any); len(usages) != 1 || usages[0].(map[string]any)["instance_id"] != first {
		t.Errorf("first page: %v", usages)
	}
	v.get("/os-simple-tenant-usage/p?marker="+first).status1(t, 200)
	v.get("/os-simple-tenant-usage/p?marker=nope").fault(t, 400, "Marker nope could not be found.")
	// Before 2.40 there are no links.
	r = a.get("/os-simple-tenant-usage/p?limit=1")
	r.status1(t, 200)
	if _, ok := r.obj(t)["tenant_usage_links"]; ok {
		t.Error("links before 2.40")
	}
}
