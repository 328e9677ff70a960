package compute_test

import (
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

func TestAvailabilityZones(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	seen := srv.Clock().Now().UTC().Format("2006-01-02T15:04:05.000000")
	host := func(name string) string {
		return `"` + name + `":{"nova-compute":{"available":true,"active":true,"updated_at":"` + seen + `"}}`
	}
	// The detail starts with the "internal" zone: the controller's
	// scheduler and conductor (os-availability-zone/availability-zone-detail-resp.json).
	svc := `{"available":true,"active":true,"updated_at":"` + seen + `"}`
	internal := `{"zoneName":"internal","zoneState":{"available":true},"hosts":{"controller":{"nova-conductor":` + svc + `,"nova-scheduler":` + svc + `}}},`
	multi := compute.New(t, fake.WithSeed(1), compute.WithAvailabilityZones("az1", "az2"), compute.WithHosts("h1", "h2", "h3"))
	runSteps(t, srv.URL(), []step{
		{name: "list (the API reference's sample)", method: "GET", path: "/os-availability-zone", status: 200,
			want: `{"availabilityZoneInfo":[{"zoneName":"nova","zoneState":{"available":true},"hosts":null}]}`},
		{name: "detail lists the hosts", method: "GET", path: "/os-availability-zone/detail", status: 200,
			want: `{"availabilityZoneInfo":[` + internal + `{"zoneName":"nova","zoneState":{"available":true},"hosts":{` +
				strings.Join([]string{host("compute-0"), host("compute-1"), host("compute-2")}, ",") + `}}]}`},
	})
	runSteps(t, multi.URL(), []step{
		{name: "several zones", method: "GET", path: "/os-availability-zone", status: 200,
			want: `{"availabilityZoneInfo":[{"zoneName":"az1","zoneState":{"available":true},"hosts":null},
				{"zoneName":"az2","zoneState":{"available":true},"hosts":null}]}`},
		{name: "hosts spread over them", method: "GET", path: "/os-availability-zone/detail", status: 200,
			want: `{"availabilityZoneInfo":[` + internal + `{"zoneName":"az1","zoneState":{"available":true},"hosts":{` + host("h1") + `,` + host("h3") + `}},
				{"zoneName":"az2","zoneState":{"available":true},"hosts":{` + host("h2") + `}}]}`},
	})
}

func TestAvailabilityZonePolicy(t *testing.T) {
	_, base := authServer(t)
	runSteps(t, base, []step{
		{name: "member lists", method: "GET", path: "/os-availability-zone", token: memberToken, status: 200, want: "-"},
		{name: "member cannot see the detail", method: "GET", path: "/os-availability-zone/detail", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-availability-zone:detail to be performed.")},
		{name: "admin can", method: "GET", path: "/os-availability-zone/detail", token: adminToken, status: 200, want: "-"},
	})
}
