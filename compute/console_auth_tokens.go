// os-console-auth-tokens (admin only, 2.31): what a console token the
// fake's consoles issued connects to.
//
// Fidelity limits: tokens do not expire.

package compute

import (
	"github.com/mockcloud/mockcloud/kit"
)

// OpGetConsoleAuthToken is the route name of GET
// /os-console-auth-tokens/{token}.
const OpGetConsoleAuthToken = "compute.console_auth_tokens.get"

func (c *Compute) consoleAuthTokenRoutes() []kit.Route {
	return []kit.Route{route(OpGetConsoleAuthToken, "GET", "/os-console-auth-tokens/{token}", c.getConsoleAuthToken)}
}

// consoleToken is what a console token was issued for.
type consoleToken struct {
	serverID, host string
	port           int
	consoleType    string
}

// consolePorts are the ports the fake hypervisor's consoles listen on.
var consolePorts = map[string]int{"vnc": 5900, "spice": 5901, "serial": 10000, "mks": 8443, "rdp": 3389}

// spiceTLSPort is the port of the SPICE console's TLS channel.
const spiceTLSPort = 5902

// recordConsoleTokenLocked remembers a token a console URL carries.
func (c *Compute) recordConsoleTokenLocked(token string, s *server, protocol, consoleType string) {
	c.admin.consoleTokens[token] = consoleToken{serverID: s.ID, host: c.hostIP(s.Host), port: consolePorts[protocol], consoleType: consoleType}
}

// consoleConnectJSON is a token's connect info; tls_port only for a
// spice-direct console from 2.99 (os-console-auth-tokens/v2.99/
// get-console-connect-info-get-resp.json).
type consoleConnectJSON struct {
	InstanceUUID       string  `json:"instance_uuid"`
	Host               string  `json:"host"`
	Port               int     `json:"port"`
	InternalAccessPath *string `json:"internal_access_path"`
	TLSPort            *int    `json:"tls_port,omitempty"`
}

func (c *Compute) getConsoleAuthToken(call *kit.Call) (kit.Reply, error) {
	if !versionOf(call).AtLeast(31) {
		// Only the removed rdp-html5 consoles had tokens before 2.31.
		return kit.Reply{}, kit.BadRequest("The server could not comply with the request since it is either malformed or otherwise incorrect.")
	}
	if err := nvAdminOnly(call, "os_compute_api:os-console-auth-tokens"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.admin.consoleTokens[call.Var("token")]
	if !ok {
		return kit.Reply{}, kit.NotFound("Token not found")
	}
	body := consoleConnectJSON{InstanceUUID: t.serverID, Host: t.host, Port: t.port}
	if t.consoleType == "spice-direct" && versionOf(call).AtLeast(99) {
		tls := spiceTLSPort
		body.TLSPort = &tls
	}
	return kit.OK(map[string]consoleConnectJSON{"console": body}), nil
}
