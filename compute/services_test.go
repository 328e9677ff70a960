package compute_test

import (
	"testing"

	"github.com/google/uuid"
)

func serviceUUID(host string) string {
	return uuid.NewSHA1(uuid.NameSpaceDNS, []byte("nova-compute."+host)).String()
}

// TestServicesList: the compute services of the hosts and the
// controller's, integer IDs before 2.53, forced_down from 2.11, UUIDs
// from 2.53; host and binary filters; admin only.
func TestServicesList(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0"))
	adm := a.admin()
	a.get("/os-services").fault(t, 403, "Policy doesn't allow os_compute_api:os-services:list to be performed.")
	ts := "2026-01-01T00:00:00.000000"
	adm.get("/os-services").want(t, 200, `{"services":[
		{"id":1,"binary":"nova-compute","host":"compute-0","zone":"nova","status":"enabled","state":"up","updated_at":"`+ts+`","disabled_reason":null},
		{"id":2,"binary":"nova-scheduler","host":"controller","zone":"internal","status":"enabled","state":"up","updated_at":"`+ts+`","disabled_reason":null},
		{"id":3,"binary":"nova-conductor","host":"controller","zone":"internal","status":"enabled","state":"up","updated_at":"`+ts+`","disabled_reason":null}]}`)
	adm.at("2.11").get("/os-services?binary=nova-compute").want(t, 200, `{"services":[
		{"id":1,"binary":"nova-compute","host":"compute-0","zone":"nova","status":"enabled","state":"up","updated_at":"`+ts+`","disabled_reason":null,"forced_down":false}]}`)
	adm.at("2.53").get("/os-services?host=compute-0").want(t, 200, `{"services":[
		{"id":"`+serviceUUID("compute-0")+`","binary":"nova-compute","host":"compute-0","zone":"nova","status":"enabled","state":"up","updated_at":"`+ts+`","disabled_reason":null,"forced_down":false}]}`)
	adm.at("2.75").get("/os-services?bogus=1").fault(t, 400, "Additional properties are not allowed ('bogus' was unexpected)")
}

// TestServicesUpdateLegacy: enable, disable, disable-log-reason and
// (2.11) force-down by host and binary.
func TestServicesUpdateLegacy(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0"))
	adm := a.admin()
	body := `{"host":"compute-0","binary":"nova-compute"}`
	a.do("PUT", "/os-services/disable", body).fault(t, 403, "Policy doesn't allow os_compute_api:os-services:update to be performed.")
	adm.do("PUT", "/os-services/disable", body).want(t, 200, `{"service":{"host":"compute-0","binary":"nova-compute","status":"disabled"}}`)
	adm.do("PUT", "/os-services/disable-log-reason", `{"host":"compute-0","binary":"nova-compute","disabled_reason":"test2"}`).want(t, 200,
		`{"service":{"host":"compute-0","binary":"nova-compute","status":"disabled","disabled_reason":"test2"}}`)
	adm.do("PUT", "/os-services/disable-log-reason", body).fault(t, 400, "Missing disabled reason field")
	adm.do("PUT", "/os-services/enable", body).want(t, 200, `{"service":{"host":"compute-0","binary":"nova-compute","status":"enabled"}}`)
	adm.do("PUT", "/os-services/force-down", `{"host":"compute-0","binary":"nova-compute","forced_down":true}`).fault(t, 400,
		"Additional properties are not allowed ('forced_down' was unexpected)")
	adm.do("PUT", "/os-services/force-down", body).fault(t, 404, "Unknown action")
	adm.at("2.11").do("PUT", "/os-services/force-down", `{"host":"compute-0","binary":"nova-compute","forced_down":true}`).want(t, 200,
		`{"service":{"host":"compute-0","binary":"nova-compute","forced_down":true}}`)
	adm.do("PUT", "/os-services/enable", `{"host":"controller","binary":"nova-scheduler"}`).fault(t, 400,
		"Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.")
	adm.do("PUT", "/os-services/enable", `{"host":"nowhere","binary":"nova-compute"}`).fault(t, 404, "Could not find binary nova-compute on host nowhere.")
	adm.do("PUT", "/os-services/enable", `{"host":"compute-0"}`).fault(t, 400, "'binary' is a required property")
	r := adm.at("2.11").get("/os-services?binary=nova-compute")
	r.status1(t, 200)
	if s := r.obj(t)["services"].([]any)[0].(map[string]any); s["state"] != "down" || s["forced_down"] != true || s["status"] != "enabled" {
		t.Errorf("service after force-down: %v", s)
	}
	// The host's hypervisor follows its service: down, then disabled too.
	hv := func() map[string]any {
		r := adm.get("/os-hypervisors")
		r.status1(t, 200)
		return r.obj(t)["hypervisors"].([]any)[0].(map[string]any)
	}
	if h := hv(); h["state"] != "down" || h["status"] != "enabled" {
		t.Errorf("hypervisor of a forced-down host: %v", h)
	}
	adm.do("PUT", "/os-services/disable", body).want(t, 200, `{"service":{"host":"compute-0","binary":"nova-compute","status":"disabled"}}`)
	if h := hv(); h["state"] != "down" || h["status"] != "disabled" {
		t.Errorf("hypervisor of a disabled, forced-down host: %v", h)
	}
}

// TestServicesUpdateV253 and delete: by UUID, the whole service back.
func TestServicesUpdateV253(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0", "compute-1"))
	adm := a.admin().at("2.53")
	id := serviceUUID("compute-1")
	ts := "2026-01-01T00:00:00.000000"
	adm.do("PUT", "/os-services/"+id, `{"status":"disabled","disabled_reason":"maintenance"}`).want(t, 200, `{"service":
		{"id":"`+id+`","binary":"nova-compute","host":"compute-1","zone":"nova","status":"disabled","state":"up","updated_at":"`+ts+`","disabled_reason":"maintenance","forced_down":false}}`)
	adm.do("PUT", "/os-services/"+id, `{"forced_down":true}`).want(t, 200, `{"service":
		{"id":"`+id+`","binary":"nova-compute","host":"compute-1","zone":"nova","status":"disabled","state":"down","updated_at":"`+ts+`","disabled_reason":"maintenance","forced_down":true}}`)
	adm.do("PUT", "/os-services/"+id, `{"status":"enabled","disabled_reason":"x"}`).fault(t, 400, "Specifying 'disabled_reason' with status 'enabled' is invalid.")
	adm.do("PUT", "/os-services/"+id, `{}`).fault(t, 400, "No updates were requested. Fields 'status' or 'forced_down' should be specified.")
	adm.do("PUT", "/os-services/"+id, `{"host":"x"}`).fault(t, 400, "Additional properties are not allowed ('host' was unexpected)")
	adm.do("PUT", "/os-services/1", `{"status":"enabled"}`).fault(t, 400, "Invalid uuid 1")
	adm.do("PUT", "/os-services/"+serviceUUID("nowhere"), `{"status":"enabled"}`).fault(t, 404, "Service "+serviceUUID("nowhere")+" could not be found.")

	// A host with servers cannot lose its compute service.
	srv := a.server("busy") // on compute-0
	_ = srv
	adm.do("DELETE", "/os-services/"+serviceUUID("compute-0"), "").fault(t, 409,
		"Unable to delete compute service that is hosting instances. Migrate or delete the instances first.")
	a.with("tok-member").do("DELETE", "/os-services/"+id, "").fault(t, 403, "Policy doesn't allow os_compute_api:os-services:delete to be performed.")
	adm.do("DELETE", "/os-services/"+id, "").want(t, 204, "")
	adm.do("DELETE", "/os-services/"+id, "").fault(t, 404, "Service "+id+" not found.")
	a.admin().do("DELETE", "/os-services/abc", "").fault(t, 400, "Invalid input received: id must be an integer")
	r := adm.get("/os-services?binary=nova-compute")
	r.status1(t, 200)
	if n := len(r.obj(t)["services"].([]any)); n != 1 {
		t.Errorf("%d compute services after the delete, want 1", n)
	}
}
