package compute_test

import (
	"github.com/mockcloud/mockcloud/compute"
	"testing"
)

// TestAggregates: CRUD, hosts, metadata and the image cache, as an admin;
// 403 for a member; uuid from 2.41.
func TestAggregates(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0", "compute-1"))
	adm := a.admin()
	a.get("/os-aggregates").fault(t, 403, "Policy doesn't allow os_compute_api:os-aggregates:index to be performed.")
	a.do("POST", "/os-aggregates", `{"aggregate":{"name":"x"}}`).fault(t, 403, "Policy doesn't allow os_compute_api:os-aggregates:create to be performed.")

	const created = `"created_at":"2026-01-01T00:00:00","deleted":false,"deleted_at":null`
	adm.do("POST", "/os-aggregates", `{"aggregate":{"name":"name","availability_zone":"london"}}`).want(t, 200,
		`{"aggregate":{"availability_zone":"london",`+created+`,"id":1,"name":"name","updated_at":null}}`)
	adm.do("POST", "/os-aggregates", `{"aggregate":{"name":"name"}}`).fault(t, 409, "Aggregate name already exists.")
	adm.do("POST", "/os-aggregates", `{"aggregate":{}}`).fault(t, 400, "Invalid input for field/attribute aggregate. Value: {}. 'name' is a required property")
	adm.get("/os-aggregates/1").want(t, 200,
		`{"aggregate":{"availability_zone":"london",`+created+`,"hosts":[],"id":1,"metadata":{"availability_zone":"london"},"name":"name","updated_at":null}}`)
	r := adm.at("2.41").get("/os-aggregates/1")
	r.status1(t, 200)
	if u, _ := r.obj(t)["aggregate"].(map[string]any)["uuid"].(string); !xuuid.MatchString(u) {
		t.Errorf("no uuid at 2.41: %s", r.body)
	}
	adm.get("/os-aggregates/x").fault(t, 400, "Invalid input received: id must be an integer")
	adm.get("/os-aggregates/9").fault(t, 404, "Aggregate 9 could not be found.")

	action := func(body string) xreply { return adm.do("POST", "/os-aggregates/1/action", body) }
	action(`{"add_host":{"host":"compute-0"}}`).want(t, 200,
		`{"aggregate":{"availability_zone":"london",`+created+`,"hosts":["compute-0"],"id":1,"metadata":{"availability_zone":"london"},"name":"name","updated_at":"2026-01-01T00:00:00"}}`)
	action(`{"add_host":{"host":"compute-0"}}`).fault(t, 409, "Aggregate 1 already has host compute-0.")
	action(`{"add_host":{"host":"nowhere"}}`).fault(t, 404, "Compute host nowhere could not be found.")
	action(`{"set_metadata":{"metadata":{"key":"value"}}}`).want(t, 200,
		`{"aggregate":{"availability_zone":"london",`+created+`,"hosts":["compute-0"],"id":1,"metadata":{"availability_zone":"london","key":"value"},"name":"name","updated_at":"2026-01-01T00:00:00"}}`)
	action(`{"set_metadata":{"metadata":{"key":null}}}`).status1(t, 200)
	adm.do("DELETE", "/os-aggregates/1", "").fault(t, 400, "Cannot remove aggregate 1. Reason: Host aggregate is not empty.")
	action(`{"remove_host":{"host":"compute-1"}}`).fault(t, 404, "Cannot remove host compute-1 in aggregate 1")
	action(`{"remove_host":{"host":"compute-0"}}`).status1(t, 200)
	action(`{"bogus":{}}`).fault(t, 400, "There is no such action: bogus")

	// A host cannot be in two zones.
	adm.do("POST", "/os-aggregates", `{"aggregate":{"name":"paris","availability_zone":"paris"}}`).status1(t, 200)
	adm.do("POST", "/os-aggregates/2/action", `{"add_host":{"host":"compute-1"}}`).status1(t, 200)
	action(`{"add_host":{"host":"compute-1"}}`).fault(t, 409, "Cannot add host to aggregate 1. Reason: One or more hosts already in availability zone(s) ['paris'].")

	adm.do("PUT", "/os-aggregates/1", `{"aggregate":{"name":"newname"}}`).status1(t, 200)
	adm.do("PUT", "/os-aggregates/1", `{"aggregate":{"name":"paris"}}`).fault(t, 409, "Aggregate paris already exists.")
	adm.do("PUT", "/os-aggregates/1", `{"aggregate":{}}`).status1(t, 400)
	r = adm.get("/os-aggregates")
	r.status1(t, 200)
	if n := len(r.obj(t)["aggregates"].([]any)); n != 2 {
		t.Errorf("%d aggregates, want 2", n)
	}

	img := `{"cache":[{"id":"` + compute.DefaultImageID + `"}]}`
	adm.do("POST", "/os-aggregates/1/images", img).fault(t, 404, "The resource could not be found.")
	adm.at("2.81").do("POST", "/os-aggregates/1/images", img).want(t, 202, "")
	adm.at("2.81").do("POST", "/os-aggregates/1/images", `{"cache":[{"id":"x"},{"id":"x"}]}`).fault(t, 400, "Duplicate images in request")
	a.at("2.81").do("POST", "/os-aggregates/1/images", img).fault(t, 403, "Policy doesn't allow compute:aggregates:images to be performed.")

	adm.do("DELETE", "/os-aggregates/1", "").want(t, 200, "")
	adm.get("/os-aggregates/1").fault(t, 404, "Aggregate 1 could not be found.")
}
