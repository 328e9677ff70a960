package compute_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestOSHosts(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0"))
	adm := a.admin()
	a.get("/os-hosts").fault(t, 403, "Policy doesn't allow os_compute_api:os-hosts:list to be performed.")
	adm.get("/os-hosts").want(t, 200, `{"hosts":[
		{"host_name":"compute-0","service":"compute","zone":"nova"},
		{"host_name":"controller","service":"scheduler","zone":"internal"},
		{"host_name":"controller","service":"conductor","zone":"internal"}]}`)
	adm.get("/os-hosts?zone=nova").want(t, 200, `{"hosts":[{"host_name":"compute-0","service":"compute","zone":"nova"}]}`)
	adm.at("2.43").get("/os-hosts").fault(t, 404, "The resource could not be found.")

	a.server("one") // m1.tiny on compute-0
	adm.get("/os-hosts/compute-0").want(t, 200, `{"host":[
		{"resource":{"host":"compute-0","project":"(total)","cpu":64,"memory_mb":262144,"disk_gb":2048}},
		{"resource":{"host":"compute-0","project":"(used_now)","cpu":1,"memory_mb":1024,"disk_gb":1}},
		{"resource":{"host":"compute-0","project":"(used_max)","cpu":1,"memory_mb":512,"disk_gb":1}},
		{"resource":{"host":"compute-0","project":"p","cpu":1,"memory_mb":512,"disk_gb":1}}]}`)
	adm.get("/os-hosts/nowhere").fault(t, 404, "Host 'nowhere' is not mapped to any cell")
	adm.do("PUT", "/os-hosts/compute-0", `{"status":"enable","maintenance_mode":"disable"}`).want(t, 200,
		`{"host":"compute-0","status":"enabled","maintenance_mode":"off_maintenance"}`)
	adm.do("PUT", "/os-hosts/compute-0", `{"status":"maybe"}`).status1(t, 400)
	adm.get("/os-hosts/compute-0/reboot").want(t, 200, `{"host":"compute-0","power_action":"reboot"}`)
	adm.get("/os-hosts/compute-0/startup").want(t, 200, `{"host":"compute-0","power_action":"startup"}`)
	a.get("/os-hosts/compute-0/startup").fault(t, 403, "Policy doesn't allow os_compute_api:os-hosts:start to be performed.")
}

// TestHypervisorUptime: until 2.87, integer IDs before 2.53 and UUIDs
// from it; the uptime counted on the shared clock.
func TestHypervisorUptime(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0"))
	adm := a.admin()
	a.advance(49*time.Hour + 5*time.Minute)
	up := " 01:05:00 up 2 days, 1:05, 0 users,  load average: 0.00, 0.00, 0.00"
	adm.get("/os-hypervisors/1/uptime").want(t, 200, `{"hypervisor":{"id":1,"hypervisor_hostname":"compute-0.mockcloud.test","state":"up","status":"enabled","uptime":"`+up+`"}}`)
	node := uuid.NewSHA1(uuid.NameSpaceDNS, []byte("compute-0.mockcloud.test")).String()
	adm.at("2.53").get("/os-hypervisors/"+node+"/uptime").want(t, 200,
		`{"hypervisor":{"id":"`+node+`","hypervisor_hostname":"compute-0.mockcloud.test","state":"up","status":"enabled","uptime":"`+up+`"}}`)
	adm.at("2.53").get("/os-hypervisors/1/uptime").fault(t, 400, "Invalid uuid 1")
	adm.get("/os-hypervisors/9/uptime").fault(t, 404, "Hypervisor with ID '9' could not be found.")
	adm.at("2.88").get("/os-hypervisors/"+node+"/uptime").fault(t, 404, "The resource could not be found.")
	a.get("/os-hypervisors/1/uptime").fault(t, 403, "Policy doesn't allow os_compute_api:os-hypervisors:uptime to be performed.")
}
