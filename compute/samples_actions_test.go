package compute_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/compute"
)

// The sample cases of volume and interface attachments, consoles,
// external events and the server actions with folders of their own
// (os-evacuate, os-create-backup, os-rescue, os-multiple-create,
// os-preserve-ephemeral-rebuild) (TestNovaAPISamples).

func novaActionSampleCases() []novaSampleCase {
	var out []novaSampleCase
	for _, v := range []string{"", "2.49", "2.70", "2.79", "2.85", "2.89", "2.101"} {
		attach := sampleReq0("os-volume_attachments", v, "attach-volume-to-server-req.json")
		attached := [][3]string{{"POST", "/servers/{id}/os-volume_attachments", attach}}
		if v != "2.101" { // attaching answers no body from 2.101
			out = append(out, sampleFolder("os-volume_attachments",
				sampleRow{"attach-volume-to-server-resp.json", v, sampleOnServer(nil, "POST", "/servers/{id}/os-volume_attachments", attach, http.StatusOK)})...)
		}
		out = append(out, sampleFolder("os-volume_attachments",
			sampleRow{"list-volume-attachments-resp.json", v, sampleOnServer(attached, "GET", "/servers/{id}/os-volume_attachments", "", http.StatusOK)},
			sampleRow{"volume-attachment-detail-resp.json", v, func(t *testing.T, a *novaAPI) []byte {
				vol := sampleReqString(t, attach[1:], "volumeAttachment", "volumeId")
				return sampleOnServer(attached, "GET", "/servers/{id}/os-volume_attachments/"+vol, "", http.StatusOK)(t, a)
			}},
		)...)
	}
	for _, v := range []string{"", "2.49", "2.70"} {
		create := sampleReq0("os-attach-interfaces", v, "attach-interfaces-create-req.json")
		out = append(out, sampleFolder("os-attach-interfaces",
			sampleRow{"attach-interfaces-create-resp.json", v, sampleOnServer(nil, "POST", "/servers/{id}/os-interface", create, http.StatusOK)})...)
		if v == "2.49" {
			continue
		}
		attached := [][3]string{{"POST", "/servers/{id}/os-interface", create}}
		out = append(out, sampleFolder("os-attach-interfaces",
			sampleRow{"attach-interfaces-list-resp.json", v, sampleOnServer(attached, "GET", "/servers/{id}/os-interface", "", http.StatusOK)},
			sampleRow{"attach-interfaces-show-resp.json", v, func(t *testing.T, a *novaAPI) []byte {
				port := sampleReqString(t, create[1:], "interfaceAttachment", "port_id")
				return sampleOnServer(attached, "GET", "/servers/{id}/os-interface/"+port, "", http.StatusOK)(t, a)
			}},
		)...)
	}
	act := func(req string) func(t *testing.T, a *novaAPI) []byte {
		return sampleOnServer(nil, "POST", "/servers/{id}/action", req, http.StatusOK)
	}
	out = append(out, sampleFolder("os-remote-consoles",
		sampleRow{"get-vnc-console-post-resp.json", "", act("@os-remote-consoles/get-vnc-console-post-req.json")},
		sampleRow{"get-spice-console-post-resp.json", "", act("@os-remote-consoles/get-spice-console-post-req.json")},
		sampleRow{"get-serial-console-post-resp.json", "", act("@os-remote-consoles/get-serial-console-post-req.json")},
	)...)
	for _, c := range [][2]string{{"2.6", "create-vnc-console"}, {"2.8", "create-mks-console"}, {"2.99", "create-spice-direct-console"}} {
		out = append(out, sampleFolder("os-remote-consoles",
			sampleRow{c[1] + "-resp.json", c[0], sampleOnServer(nil, "POST", "/servers/{id}/remote-consoles", sampleReq0("os-remote-consoles", c[0], c[1]+"-req.json"), http.StatusOK)})...)
	}
	for _, c := range [][2]string{{"2.31", "create-serial-console"}, {"2.99", "create-spice-direct-console"}} {
		req := sampleReq0("os-console-auth-tokens", c[0], c[1]+"-req.json")
		out = append(out, sampleFolder("os-console-auth-tokens",
			sampleRow{"get-console-connect-info-get-resp.json", c[0], func(t *testing.T, a *novaAPI) []byte {
				r := a.do("POST", "/servers/"+sampleServer(t, a)+"/remote-consoles", sampleBody(t, req)).want(t, http.StatusOK)
				url := sampleID(t, r, "remote_console", "url")
				i := len(url) - 1
				for i >= 0 && url[i] != '=' {
					i--
				}
				return a.get("/os-console-auth-tokens/"+url[i+1:]).want(t, http.StatusOK).Body
			}})...)
	}
	out = append(out, sampleFolder("os-server-external-events",
		sampleRow{"event-create-resp.json", "", sampleOnServer(nil, "POST", "/os-server-external-events",
			`{"events":[{"name":"network-changed","tag":"foo","status":"completed","server_uuid":"{id}"}]}`, http.StatusOK)})...)
	out = append(out, sampleFolder("os-create-backup",
		sampleRow{"create-backup-resp.json", "2.45", sampleOnServer(nil, "POST", "/servers/{id}/action", "@os-create-backup/v2.45/create-backup-req.json", http.StatusAccepted)})...)
	for _, v := range []string{"", "2.87"} {
		rescue := sampleReq0("os-rescue", v, "server-rescue-req.json")
		rescued := [][3]string{{"POST", "/servers/{id}/action", rescue}}
		out = append(out, sampleFolder("os-rescue",
			sampleRow{"server-rescue.json", v, sampleOnServer(nil, "POST", "/servers/{id}/action", rescue, http.StatusOK)},
			// A member's view.
			sampleRow{"server-get-resp-rescue.json", v, sampleAsMember(sampleAfter(rescued, "GET", "/servers/{id}"))},
			sampleRow{"server-get-resp-unrescue.json", v, sampleAsMember(sampleAfter(append(rescued,
				[3]string{"POST", "/servers/{id}/action", sampleReq0("os-rescue", v, "server-unrescue-req.json")}), "GET", "/servers/{id}"))},
		)...)
	}
	out = append(out, sampleFolder("os-multiple-create",
		sampleRow{"multiple-create-post-resp.json", "", sampleCall("POST", "/servers", "@os-multiple-create/multiple-create-post-req.json", http.StatusAccepted)},
		sampleRow{"multiple-create-no-resv-post-resp.json", "", sampleCall("POST", "/servers", "@os-multiple-create/multiple-create-no-resv-post-req.json", http.StatusAccepted)},
	)...)
	out = append(out, sampleFolder("os-preserve-ephemeral-rebuild",
		sampleRow{"server-action-rebuild-preserve-ephemeral-resp.json", "", sampleOnServer(nil, "POST", "/servers/{id}/action",
			"@os-preserve-ephemeral-rebuild/server-action-rebuild-preserve-ephemeral.json", http.StatusAccepted)})...)
	return append(out, novaEvacuateSampleCases()...)
}

// sampleAfter runs setup steps on the sample server, the clock moved on a
// minute after each (an empty step only moves it), then the call.
func sampleAfter(setup [][3]string, method, path string) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		id := sampleServer(t, a)
		for _, s := range setup {
			if s[0] != "" {
				sampleOnID(t, a, id, s[0], s[1], s[2])
			}
			a.advance(time.Minute)
		}
		return sampleOnID(t, a, id, method, path, "")
	}
}

// sampleOnID makes a call on server id ({id} in path and body), 2xx.
func sampleOnID(t *testing.T, a *novaAPI, id, method, path, body string) []byte {
	t.Helper()
	return sampleSteps(nil, method, replaceID(path, id), replaceID(sampleBody(t, body), id), 0)(t, a)
}

func novaEvacuateSampleCases() []novaSampleCase {
	evacuate := func(body string) func(t *testing.T, a *novaAPI) []byte {
		return sampleWith(func(t *testing.T, a *novaAPI) []byte {
			id := sampleServer(t, a)
			host, _ := a.server(id)["OS-EXT-SRV-ATTR:host"].(string)
			a.at("2.11").do("PUT", "/os-services/force-down", `{"host":"`+host+`","binary":"nova-compute","forced_down":true}`).want(t, http.StatusOK)
			other := "compute"
			if host == other {
				other = "compute2"
			}
			return a.do("POST", "/servers/"+id+"/action", replaceHost(sampleBody(t, body), other)).want(t, http.StatusOK).Body
		}, compute.WithHosts("compute", "compute2"), compute.WithAvailabilityZones("us-west"))
	}
	return sampleFolder("os-evacuate",
		sampleRow{"server-evacuate-resp.json", "", evacuate(`{"evacuate":{"host":"{host}","adminPass":"MySecretPass","onSharedStorage":"False"}}`)},
		sampleRow{"server-evacuate-find-host-resp.json", "", evacuate("@os-evacuate/server-evacuate-find-host-req.json")},
	)
}
