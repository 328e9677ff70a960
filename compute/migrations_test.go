package compute_test

import (
	"testing"
	"time"
)

// migrations lists os-migrations and returns them.
func (a *xapi) migrations(query string) []map[string]any {
	a.t.Helper()
	r := a.get("/os-migrations" + query)
	r.status1(a.t, 200)
	var out []map[string]any
	for _, m := range r.obj(a.t)["migrations"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

// TestLiveMigrationRecords: a live migration is listed while it runs
// (with links from 2.23), shown among the server's migrations, force
// completed, and then completed; an abort cancels another.
func TestLiveMigrationRecords(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0", "compute-1"))
	adm := a.admin()
	id := a.server("mover")
	a.advance(30 * time.Second)
	adm.action(id, `{"os-migrateLive":{"host":"compute-1","block_migration":"auto"}}`)

	a.get("/os-migrations").fault(t, 403, "Policy doesn't allow os_compute_api:os-migrations:index to be performed.")
	ms := adm.at("2.80").migrations("")
	if len(ms) != 1 {
		t.Fatalf("%d migrations, want 1", len(ms))
	}
	m := ms[0]
	ts := "2026-01-01T00:00:30.000000"
	for k, want := range map[string]any{"status": "running", "migration_type": "live-migration", "instance_uuid": id,
		"source_compute": "compute-0", "dest_compute": "compute-1", "source_node": "compute-0.mockcloud.test",
		"dest_node": "compute-1.mockcloud.test", "dest_host": "192.168.100.11", "id": 1.0, "created_at": ts, "updated_at": ts,
		"old_instance_type_id": m["new_instance_type_id"], "user_id": "mia", "project_id": "p"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if _, ok := m["links"]; !ok {
		t.Errorf("no links on a running live migration: %v", m)
	}
	if u, _ := m["uuid"].(string); !xuuid.MatchString(u) {
		t.Errorf("uuid = %v", m["uuid"])
	}
	// Before 2.23 there is no type; before 2.59 no uuid; before 2.80 no user.
	old := adm.migrations("")[0]
	for _, k := range []string{"migration_type", "links", "uuid", "user_id", "project_id"} {
		if _, ok := old[k]; ok {
			t.Errorf("%s present at 2.1", k)
		}
	}

	v := adm.at("2.24")
	a.at("2.23").get("/servers/"+id+"/migrations").fault(t, 403, "Policy doesn't allow os_compute_api:servers:migrations:index to be performed.")
	r := v.get("/servers/" + id + "/migrations")
	r.status1(t, 200)
	list := r.obj(t)["migrations"].([]any)
	if len(list) != 1 {
		t.Fatalf("server migrations: %s", r.body)
	}
	sm := list[0].(map[string]any)
	if sm["server_uuid"] != id || sm["memory_total_bytes"] != float64(512<<20) || sm["status"] != "running" {
		t.Errorf("server migration: %v", sm)
	}
	v.get("/servers/"+id+"/migrations/1").status1(t, 200)
	v.get("/servers/"+id+"/migrations/7").fault(t, 404, "In-progress live migration 7 is not found for server "+id+".")
	adm.at("2.22").get("/servers/"+id+"/migrations").fault(t, 404, "The resource could not be found.")

	v.do("POST", "/servers/"+id+"/migrations/1/action", `{"force_complete":null}`).want(t, 202, "")
	if got := adm.migrations("")[0]["status"]; got != "completed" {
		t.Errorf("status after force_complete = %v", got)
	}
	v.get("/servers/"+id+"/migrations/1").fault(t, 404, "Live migration 1 for server "+id+" is not in progress.")
	v.do("POST", "/servers/"+id+"/migrations/1/action", `{"force_complete":null}`).fault(t, 409,
		"Cannot 'force_complete' instance "+id+" while it is in task_state None")
	if h := adm.get("/servers/" + id).obj(t)["server"].(map[string]any)["OS-EXT-SRV-ATTR:host"]; h != "compute-1" {
		t.Errorf("host after force_complete = %v", h)
	}

	// Abort another one: cancelled, the server stays.
	adm.action(id, `{"os-migrateLive":{"host":"compute-0","block_migration":"auto"}}`)
	v.do("DELETE", "/servers/"+id+"/migrations/1", "").fault(t, 400,
		"Migration 1 state of instance "+id+" is completed. Cannot abort live migration while the migration is in this state.")
	v.do("DELETE", "/servers/"+id+"/migrations/2", "").want(t, 202, "")
	if got := adm.migrations("?status=cancelled"); len(got) != 1 || got[0]["id"] != 2.0 {
		t.Errorf("cancelled migrations: %v", got)
	}
	srv := adm.get("/servers/" + id).obj(t)["server"].(map[string]any)
	if srv["OS-EXT-SRV-ATTR:host"] != "compute-1" || srv["status"] != "ACTIVE" {
		t.Errorf("server after abort: %v %v", srv["OS-EXT-SRV-ATTR:host"], srv["status"])
	}
}

// TestResizeMigrationRecords: a resize is migrating, then finished at
// VERIFY_RESIZE, then confirmed; filters and the 2.59 paging.
func TestResizeMigrationRecords(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0", "compute-1"))
	adm := a.admin()
	id := a.server("grow")
	a.advance(30 * time.Second)
	a.action(id, `{"resize":{"flavorRef":"2"}}`)
	m := adm.at("2.23").migrations("?instance_uuid=" + id)[0]
	if m["status"] != "migrating" || m["migration_type"] != "resize" || m["old_instance_type_id"] == m["new_instance_type_id"] {
		t.Errorf("resize migration: %v", m)
	}
	a.advance(time.Minute)
	if got := adm.migrations("")[0]; got["status"] != "finished" || got["updated_at"] != "2026-01-01T00:01:30.000000" {
		t.Errorf("after the resize: %v", got)
	}
	a.action(id, `{"confirmResize":null}`, 204)
	if got := adm.migrations("")[0]["status"]; got != "confirmed" {
		t.Errorf("after confirm: %v", got)
	}

	a.advance(2 * time.Second)
	adm.action(id, `{"migrate":{"host":"compute-1"}}`)
	v := adm.at("2.59")
	all := v.migrations("")
	if len(all) != 2 || all[0]["migration_type"] != "migration" {
		t.Fatalf("2.59 order (newest first): %v", all)
	}
	r := v.get("/os-migrations?limit=1")
	r.status1(t, 200)
	body := r.obj(t)
	if links, _ := body["migrations_links"].([]any); len(links) != 1 {
		t.Errorf("no next link: %s", r.body)
	}
	page2 := v.migrations("?marker=" + all[0]["uuid"].(string))
	if len(page2) != 1 || page2[0]["id"] != all[1]["id"] {
		t.Errorf("after the marker: %v", page2)
	}
	v.get("/os-migrations?marker=nope").fault(t, 400, "Marker nope could not be found.")
	v.get("/os-migrations?bogus=1").fault(t, 400, "Additional properties are not allowed ('bogus' was unexpected)")
	if got := v.migrations("?migration_type=resize&source_compute=compute-0"); len(got) != 1 {
		t.Errorf("type filter: %v", got)
	}
	if got := adm.at("2.80").migrations("?project_id=other"); len(got) != 0 {
		t.Errorf("project filter: %v", got)
	}
	if got := adm.at("2.66").migrations("?changes-before=2026-01-01T00:00:29Z"); len(got) != 0 {
		t.Errorf("changes-before: %v", got)
	}
	adm.at("2.66").get("/os-migrations?changes-since=2026-01-02T00:00:00Z&changes-before=2026-01-01T00:00:00Z").fault(t, 400,
		"The value of changes-since must be less than or equal to changes-before.")
}
