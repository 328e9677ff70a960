package compute_test

import (
	"strings"
	"testing"
	"time"
)

// TestConsoleAuthTokenTLSPort: from 2.99 a spice-direct console's
// connect info carries tls_port (os-console-auth-tokens/v2.99/
// get-console-connect-info-get-resp.json); other consoles' and 2.98's do
// not.
func TestConsoleAuthTokenTLSPort(t *testing.T) {
	a := newXAPIWithTokens(t, computeHosts("compute-0"))
	id := a.server("console")
	a.advance(30 * time.Second)
	token := func(protocol, typ string) string {
		r := a.at("2.99").do("POST", "/servers/"+id+"/remote-consoles", `{"remote_console":{"protocol":"`+protocol+`","type":"`+typ+`"}}`)
		r.status1(t, 200)
		u := r.obj(t)["remote_console"].(map[string]any)["url"].(string)
		return u[strings.Index(u, "token=")+len("token="):]
	}
	adm := a.admin()
	direct := token("spice", "spice-direct")
	adm.at("2.99").get("/os-console-auth-tokens/"+direct).want(t, 200,
		`{"console":{"instance_uuid":"`+id+`","host":"192.168.100.10","port":5901,"tls_port":5902,"internal_access_path":null}}`)
	adm.at("2.98").get("/os-console-auth-tokens/"+direct).want(t, 200,
		`{"console":{"instance_uuid":"`+id+`","host":"192.168.100.10","port":5901,"internal_access_path":null}}`)
	adm.at("2.99").get("/os-console-auth-tokens/"+token("spice", "spice-html5")).want(t, 200,
		`{"console":{"instance_uuid":"`+id+`","host":"192.168.100.10","port":5901,"internal_access_path":null}}`)
}
