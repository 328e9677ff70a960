package compute_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
)

func TestServerCreateNetworkFormats(t *testing.T) {
	a := newNova(t)
	tests := []struct {
		name     string
		networks any
		msg      string
	}{
		{"malformed network uuid", []map[string]string{{"uuid": "not-a-uuid"}}, "Bad networks format: network uuid is not in proper format (not-a-uuid)"},
		{"malformed port", []map[string]string{{"port": "port-1"}}, "Invalid input for field/attribute port. Value: port-1. 'port-1' is not a 'uuid'"},
		{"port and fixed_ip", []map[string]string{{"port": "6d2a4bc4-8bd2-4c3a-8a4d-8d3f4d6a2b11", "fixed_ip": "10.0.0.9"}},
			"Specified Fixed IP '10.0.0.9' cannot be used with port '6d2a4bc4-8bd2-4c3a-8a4d-8d3f4d6a2b11': the two cannot be specified together."},
		{"neither", []map[string]string{{"fixed_ip": "10.0.0.9"}}, "Bad network format: missing 'uuid'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do("POST", "/servers", novaBody(map[string]any{"networks": tc.networks}))
			r.want(t, http.StatusBadRequest)
			if diff := cmp.Diff(novaFault{"badRequest", 400, tc.msg}, r.fault(t)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// UUIDs as oslo's is_uuid_like takes them: upper case, no hyphens.
	a.create(map[string]any{"networks": []map[string]string{{"uuid": "6D2A4BC48BD24C3A8A4D8D3F4D6A2B11"}}})
	a.create(map[string]any{"networks": []map[string]string{{"port": "6d2a4bc4-8bd2-4c3a-8a4d-8d3f4d6a2b11"}}})
}

func TestServerAccessIPv6Normalised(t *testing.T) {
	a := newNova(t)
	id := a.create(map[string]any{"accessIPv6": "2001:DB8:0:0:0:0:0:0A"})
	if got := a.server(id)["accessIPv6"]; got != "2001:db8::a" {
		t.Errorf("create: accessIPv6 %v, want 2001:db8::a", got)
	}
	got := serverOf(t, a.do("PUT", "/servers/"+id, `{"server":{"accessIPv6":"2001:0DB8::0001"}}`).want(t, http.StatusOK))
	if got["accessIPv6"] != "2001:db8::1" {
		t.Errorf("update: accessIPv6 %v, want 2001:db8::1", got["accessIPv6"])
	}
}

func TestServerCreateLooseTypes(t *testing.T) {
	a := newNova(t)
	// novaclient's --block-device … bootindex=0 sends strings.
	r := a.do("POST", "/servers", novaBody(map[string]any{"imageRef": "", "min_count": "2", "max_count": "3", "config_drive": "true",
		"block_device_mapping_v2": []map[string]any{{"boot_index": "0", "uuid": compute.DefaultImageID, "source_type": "image",
			"destination_type": "volume", "volume_size": "1", "delete_on_termination": "true"}}}))
	r.want(t, http.StatusAccepted)
	servers := a.srv.Servers()
	if len(servers) != 3 {
		t.Fatalf("%d servers, want 3 (max_count \"3\")", len(servers))
	}
	s := servers[0]
	if !s.ConfigDrive || len(s.Volumes) != 1 || !s.Volumes[0].DeleteOnTermination {
		t.Errorf("config_drive %v volumes %+v", s.ConfigDrive, s.Volumes)
	}
	bad := []struct {
		name    string
		members map[string]any
		msg     string
	}{
		{"min_count not digits", map[string]any{"min_count": "two"}, "Invalid input for field/attribute min_count. Value: two. 'two' does not match '^[0-9]*$'"},
		{"max_count zero", map[string]any{"max_count": "0"}, "Invalid input for field/attribute max_count. Value: 0. 0 is less than the minimum of 1"},
		{"boot_index not a number", map[string]any{"block_device_mapping_v2": []map[string]any{{"boot_index": "first", "source_type": "image", "uuid": compute.DefaultImageID}}},
			"Invalid input for field/attribute boot_index. Value: first. 'first' does not match '^-?[0-9]+$'"},
		{"volume_size not digits", map[string]any{"block_device_mapping_v2": []map[string]any{{"volume_size": "1G", "source_type": "blank", "destination_type": "volume"}}},
			"Invalid input for field/attribute volume_size. Value: 1G. '1G' does not match '^[0-9]+$'"},
		{"delete_on_termination maybe", map[string]any{"block_device_mapping_v2": []map[string]any{{"delete_on_termination": "maybe", "source_type": "blank", "destination_type": "volume", "volume_size": 1}}},
			"Invalid input for field/attribute delete_on_termination. Value: maybe. 'maybe' is not one of"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			a.do("POST", "/servers", novaBody(tc.members)).wantFault(t, http.StatusBadRequest, "badRequest", tc.msg)
		})
	}
}

func TestServerHostname(t *testing.T) {
	a := newNova(t)
	a.at("2.89").do("POST", "/servers", novaBody(map[string]any{"hostname": "web-1", "networks": "auto"})).
		wantFault(t, http.StatusBadRequest, "badRequest", "Additional properties are not allowed ('hostname' was unexpected)")
	a.at("2.90").do("POST", "/servers", novaBody(map[string]any{"hostname": "web.example.org", "networks": "auto"})).
		wantFault(t, http.StatusBadRequest, "badRequest", "Invalid input for field/attribute hostname. Value: web.example.org. 'web.example.org' does not match")
	id := a.at("2.90").create(map[string]any{"name": "Some Name", "hostname": "web-1", "networks": "auto"})
	if got := a.at("2.90").server(id)["OS-EXT-SRV-ATTR:hostname"]; got != "web-1" {
		t.Errorf("hostname %v, want web-1", got)
	}
	if s, _ := a.srv.Server(id); s.Hostname != "web-1" {
		t.Errorf("stored hostname %q", s.Hostname)
	}
	// From 2.94 an FQDN; update and rebuild take one too.
	id2 := a.at("2.94").create(map[string]any{"hostname": "db.example.org", "networks": "auto"})
	got := serverOf(t, a.at("2.94").do("PUT", "/servers/"+id2, `{"server":{"hostname":"db2.example.org"}}`).want(t, http.StatusOK))
	if got["OS-EXT-SRV-ATTR:hostname"] != "db2.example.org" {
		t.Errorf("updated hostname %v", got["OS-EXT-SRV-ATTR:hostname"])
	}
	a.at("2.89").do("PUT", "/servers/"+id2, `{"server":{"hostname":"x1"}}`).
		wantFault(t, http.StatusBadRequest, "badRequest", "('hostname' was unexpected)")
	// Without one, the hostname comes from the name.
	id3 := a.at("2.90").create(map[string]any{"name": "My Box", "networks": "auto"})
	if got := a.at("2.90").server(id3)["OS-EXT-SRV-ATTR:hostname"]; got != "my-box" {
		t.Errorf("derived hostname %v", got)
	}
}

func TestServerTrustedCertsPinnedZoneAndHints(t *testing.T) {
	a := newNova(t, compute.WithAvailabilityZones("az1", "az2"))
	a.at("2.62").do("POST", "/servers", novaBody(map[string]any{"trusted_image_certificates": []string{"c1"}, "networks": "auto"})).
		wantFault(t, http.StatusBadRequest, "badRequest", "('trusted_image_certificates' was unexpected)")
	id := a.at("2.63").create(map[string]any{"trusted_image_certificates": []string{"c1", "c2"}, "networks": "auto", "availability_zone": "az2"})
	s := a.at("2.63").server(id)
	if diff := cmp.Diff([]any{"c1", "c2"}, s["trusted_image_certificates"]); diff != "" {
		t.Errorf("trusted_image_certificates (-want +got):\n%s", diff)
	}
	if _, ok := s["pinned_availability_zone"]; ok {
		t.Errorf("pinned_availability_zone before 2.96")
	}
	if got := a.at("2.96").server(id)["pinned_availability_zone"]; got != "az2" {
		t.Errorf("pinned_availability_zone %v, want az2", got)
	}
	// Unpinned when no zone was asked for; null certificates when none.
	free := a.at("2.96").create(map[string]any{"networks": "auto"})
	fs := a.at("2.96").server(free)
	if v, ok := fs["pinned_availability_zone"]; !ok || v != nil {
		t.Errorf("unpinned server: %v (present %v)", v, ok)
	}
	if v, ok := fs["trusted_image_certificates"]; !ok || v != nil {
		t.Errorf("no certificates: %v (present %v)", v, ok)
	}

	// 2.104: PUT pins and unpins.
	a.at("2.103").do("PUT", "/servers/"+id, `{"server":{"pinned_availability_zone":null}}`).
		wantFault(t, http.StatusBadRequest, "badRequest", "('pinned_availability_zone' was unexpected)")
	a.at("2.104").do("PUT", "/servers/"+id, `{"server":{"pinned_availability_zone":"az1"}}`).
		wantFault(t, http.StatusConflict, "conflictingRequest", "Cannot change pinned availability zone directly. Unpin first by setting pinned_availability_zone to null.")
	got := serverOf(t, a.at("2.104").do("PUT", "/servers/"+id, `{"server":{"pinned_availability_zone":null}}`).want(t, http.StatusOK))
	if v, ok := got["pinned_availability_zone"]; !ok || v != nil {
		t.Errorf("after unpin: %v", v)
	}
	a.at("2.104").do("PUT", "/servers/"+id, `{"server":{"pinned_availability_zone":"az1"}}`).
		wantFault(t, http.StatusConflict, "conflictingRequest", "Server can only be pinned to its current availability zone 'az2', but 'az1' was requested.")
	got = serverOf(t, a.at("2.104").do("PUT", "/servers/"+id, `{"server":{"pinned_availability_zone":"az2"}}`).want(t, http.StatusOK))
	if got["pinned_availability_zone"] != "az2" {
		t.Errorf("after re-pin: %v", got["pinned_availability_zone"])
	}

	// 2.100: the scheduler hints as given, {} for none.
	body := novaBody(map[string]any{"networks": "auto"})
	body = body[:len(body)-1] + `,"os:scheduler_hints":{"same_host":["` + id + `"]}}`
	r := a.at("2.100").do("POST", "/servers", body).want(t, http.StatusAccepted)
	hinted := serverOf(t, r)["id"].(string)
	if diff := cmp.Diff(map[string]any{"same_host": []any{id}}, a.at("2.100").server(hinted)["scheduler_hints"]); diff != "" {
		t.Errorf("scheduler_hints (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{}, a.at("2.100").server(free)["scheduler_hints"]); diff != "" {
		t.Errorf("no hints (-want +got):\n%s", diff)
	}
	if _, ok := a.at("2.99").server(free)["scheduler_hints"]; ok {
		t.Errorf("scheduler_hints before 2.100")
	}
}

// return_reservation_id is parameter_types.boolean: "True" is true
// (os-multiple-create/multiple-create-post-req.json sends it so).
func TestServerCreateReturnReservationIDString(t *testing.T) {
	a := newNova(t)
	for _, v := range []any{"True", "1", "on"} {
		var res map[string]any
		decodeInto(t, a.do("POST", "/servers", novaBody(map[string]any{"return_reservation_id": v})).want(t, http.StatusAccepted).Body, &res)
		if _, ok := res["reservation_id"].(string); !ok || len(res) != 1 {
			t.Errorf("return_reservation_id %q: %v, want only a reservation_id", v, res)
		}
	}
	var res map[string]any
	decodeInto(t, a.do("POST", "/servers", novaBody(map[string]any{"return_reservation_id": "False"})).want(t, http.StatusAccepted).Body, &res)
	if _, ok := res["server"]; !ok {
		t.Errorf(`return_reservation_id "False": %v, want the server`, res)
	}
	a.do("POST", "/servers", novaBody(map[string]any{"return_reservation_id": "maybe"})).wantFault(t, http.StatusBadRequest, "badRequest",
		"Invalid input for field/attribute return_reservation_id. Value: maybe. 'maybe' is not one of")
}
