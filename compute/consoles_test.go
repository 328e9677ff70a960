package compute_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
)

const xtoken = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

func TestRemoteConsoles(t *testing.T) {
	a := newXAPI(t, compute.WithDurations(compute.Instant()))
	id := a.server("web")
	path := "/servers/" + id + "/remote-consoles"
	host := regexp.QuoteMeta(strings.TrimPrefix(a.url, "http://"))

	ok := []struct {
		version, protocol, typ, url string
	}{
		{"2.6", "vnc", "novnc", `^http://` + host + `/vnc_auto\.html\?path=websockify%3Ftoken%3D` + xtoken + `$`},
		{"2.6", "spice", "spice-html5", `^http://` + host + `/spice_auto\.html\?token=` + xtoken + `$`},
		{"2.6", "serial", "serial", `^ws://` + host + `/\?token=` + xtoken + `$`},
		{"2.8", "mks", "webmks", `^http://` + host + `/\?token=` + xtoken + `$`},
	}
	seen := map[string]bool{}
	for _, tt := range ok {
		r := a.at(tt.version).do("POST", path, `{"remote_console":{"protocol":"`+tt.protocol+`","type":"`+tt.typ+`"}}`)
		r.status1(t, 200)
		got := r.obj(t)["remote_console"].(map[string]any)
		url, _ := got["url"].(string)
		if got["protocol"] != tt.protocol || got["type"] != tt.typ || len(got) != 3 || !regexp.MustCompile(tt.url).MatchString(url) {
			t.Errorf("%s/%s: %v", tt.protocol, tt.typ, got)
		}
		if seen[url] {
			t.Errorf("console URL %s handed out twice", url)
		}
		seen[url] = true
	}

	bad := []struct {
		name, version, body string
		status              int
		message             string
	}{
		{"vnc with a spice type", "2.6", `{"remote_console":{"protocol":"vnc","type":"spice-html5"}}`, 400, "Invalid console type spice-html5"},
		{"xvpvnc is gone", "2.6", `{"remote_console":{"protocol":"vnc","type":"xvpvnc"}}`, 400, "Invalid console type xvpvnc"},
		{"mks before 2.8", "2.7", `{"remote_console":{"protocol":"mks","type":"webmks"}}`, 400,
			"Invalid input for field/attribute protocol. Value: mks. 'mks' is not one of ['vnc', 'spice', 'serial']"},
		{"rdp is gone", "2.8", `{"remote_console":{"protocol":"rdp","type":"rdp-html5"}}`, 400,
			"Invalid input for field/attribute protocol. Value: rdp. 'rdp' is not one of ['vnc', 'spice', 'serial', 'mks']"},
		{"no type", "2.6", `{"remote_console":{"protocol":"vnc"}}`, 400,
			`Invalid input for field/attribute remote_console. Value: {"protocol":"vnc"}. 'type' is a required property`},
		{"extra member", "2.6", `{"remote_console":{"protocol":"vnc","type":"novnc","x":1}}`, 400,
			`Invalid input for field/attribute remote_console. Value: {"protocol":"vnc","type":"novnc","x":1}. Additional properties are not allowed ('x' was unexpected)`},
		{"before 2.6", "2.5", `{"remote_console":{"protocol":"vnc","type":"novnc"}}`, 404, "The resource could not be found."},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			a.at(tt.version).do("POST", path, tt.body).fault(t, tt.status, tt.message)
		})
	}
	a.at("2.6").do("POST", "/servers/nope/remote-consoles", `{"remote_console":{"protocol":"vnc","type":"novnc"}}`).fault(t, 404, "Instance nope could not be found.")
}

func TestRemoteConsoleNotReady(t *testing.T) {
	d := compute.DefaultDurations()
	d.ShelveOffload = 0
	a := newXAPI(t, compute.WithDurations(d))
	id := a.server("web")
	body := `{"remote_console":{"protocol":"vnc","type":"novnc"}}`
	a.at("2.6").do("POST", "/servers/"+id+"/remote-consoles", body).fault(t, 409, "Instance "+id+" is not ready")
	a.advance(d.Build)
	a.at("2.6").do("POST", "/servers/"+id+"/remote-consoles", body).status1(t, 200)
	// Shelved and offloaded, the server has no host to run a console.
	a.action(id, `{"shelve":null}`)
	a.advance(d.Shelve)
	a.at("2.6").do("POST", "/servers/"+id+"/remote-consoles", body).fault(t, 409, "Instance "+id+" is not ready")
}

func TestLegacyConsoleActions(t *testing.T) {
	a := newXAPI(t, compute.WithDurations(compute.Instant()))
	id := a.server("web")
	host := regexp.QuoteMeta(strings.TrimPrefix(a.url, "http://"))
	// A locked server still hands out consoles.
	a.action(id, `{"lock":null}`)

	ok := []struct{ action, typ, url string }{
		{"os-getVNCConsole", "novnc", `^http://` + host + `/vnc_auto\.html\?path=websockify%3Ftoken%3D` + xtoken + `$`},
		{"os-getSPICEConsole", "spice-html5", `^http://` + host + `/spice_auto\.html\?token=` + xtoken + `$`},
		{"os-getSerialConsole", "serial", `^ws://` + host + `/\?token=` + xtoken + `$`},
	}
	for _, tt := range ok {
		r := a.action(id, `{"`+tt.action+`":{"type":"`+tt.typ+`"}}`, 200)
		got := r.obj(t)["console"].(map[string]any)
		if url, _ := got["url"].(string); got["type"] != tt.typ || len(got) != 2 || !regexp.MustCompile(tt.url).MatchString(url) {
			t.Errorf("%s: %v", tt.action, got)
		}
	}

	bad := []struct {
		name, version, body string
		status              int
		message             string
	}{
		{"unknown type", "", `{"os-getVNCConsole":{"type":"spice-html5"}}`, 400,
			"Invalid input for field/attribute type. Value: spice-html5. 'spice-html5' is not one of ['novnc', 'xvpvnc']"},
		{"xvpvnc is gone", "", `{"os-getVNCConsole":{"type":"xvpvnc"}}`, 400, "Invalid console type xvpvnc"},
		{"no type", "", `{"os-getSPICEConsole":{}}`, 400, "Invalid input for field/attribute os-getSPICEConsole. Value: {}. 'type' is a required property"},
		{"rdp is gone", "", `{"os-getRDPConsole":{"type":"rdp-html5"}}`, 400,
			"The server could not comply with the request since it is either malformed or otherwise incorrect."},
		{"removed in 2.6", "2.6", `{"os-getVNCConsole":{"type":"novnc"}}`, 404, "The resource could not be found."},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			a.at(tt.version).do("POST", "/servers/"+id+"/action", tt.body).fault(t, tt.status, tt.message)
		})
	}
}
