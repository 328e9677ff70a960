package compute

import (
	"encoding/json"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route name of POST /servers/{id}/remote-consoles (2.6).
const OpCreateRemoteConsole = "compute.servers.remote_consoles.create"

func (c *Compute) consoleRoutes() []kit.Route {
	return []kit.Route{route(OpCreateRemoteConsole, "POST", "/servers/{server_id}/remote-consoles", c.createRemoteConsole)}
}

// consoleURL is where a console of the given protocol and type is
// reached, on the host the client used, with a fresh token; "" and the
// error Nova's compute manager raises when the type does not suit the
// protocol.
func (c *Compute) consoleURL(call *kit.Call, s *server, protocol, consoleType string) (string, error) {
	switch {
	case protocol == "vnc" && consoleType == "novnc",
		protocol == "spice" && (consoleType == "spice-html5" || consoleType == "spice-direct"),
		protocol == "mks" && consoleType == "webmks",
		protocol == "serial": // Nova checks no type for a serial console
	default:
		return "", kit.BadRequest("Invalid console type %s", consoleType)
	}
	// The compute host runs no console of a server it has not built yet.
	if s.Host == "" || s.VMState == vmBuilding {
		return "", kit.Conflict("Instance %s is not ready", s.ID)
	}
	if s.TaskState == "deleting" || s.TaskState == "migrating" {
		return "", kit.Conflict("Cannot 'get_%s_console' instance %s while it is in task_state %s", protocol, s.ID, s.TaskState)
	}
	token := c.RNG().UUID()
	c.recordConsoleTokenLocked(token, s, protocol, consoleType) // console_auth_tokens.go
	base := call.BaseURL()
	var access string
	switch protocol {
	case "vnc":
		access = base + "/vnc_auto.html"
	case "spice":
		access = base + "/spice_auto.html"
		if consoleType == "spice-direct" {
			access = base + "/nova" // the spice direct proxy (2.99)
		}
	case "serial":
		access = "ws" + strings.TrimPrefix(base, "http") + "/"
	case "mks":
		access = base + "/"
	}
	if consoleType == "novnc" {
		return noVNCURL(base, token), nil // novnc.go
	}
	return access + "?token=" + token, nil
}

// remoteConsoleJSON is a console: its protocol (from 2.6), type and URL.
type remoteConsoleJSON struct {
	Protocol string `json:"protocol,omitempty"`
	Type     string `json:"type"`
	URL      string `json:"url"`
}

type remoteConsoleBody struct {
	RemoteConsole remoteConsoleJSON `json:"remote_console"`
}

// legacyConsoleBody is the answer of the console actions before 2.6.
type legacyConsoleBody struct {
	Console remoteConsoleJSON `json:"console"`
}

func (c *Compute) createRemoteConsole(call *kit.Call) (kit.Reply, error) {
	v := versionOf(call)
	if !v.AtLeast(6) {
		return kit.Reply{}, kit.NotFound("The resource could not be found.")
	}
	protocols := []string{"vnc", "spice", "serial"}
	types := []string{"novnc", "xvpvnc", "spice-html5", "serial"}
	if v.AtLeast(8) {
		protocols = append(protocols, "mks")
		types = append(types, "webmks")
	}
	if v.AtLeast(99) {
		types = append(types, "spice-direct")
	}
	var in struct {
		Protocol json.RawMessage `json:"protocol"`
		Type     json.RawMessage `json:"type"`
	}
	wrapper, err := decodeWrapped(call.Body, "remote_console", map[string]bool{"protocol": true, "type": true}, &in)
	if err == nil {
		err = nvOnlyKeys(wrapper, "remote_console")
	}
	var protocol, consoleType string
	if err == nil {
		protocol, err = nvEnum("remote_console", wrapper["remote_console"], "protocol", in.Protocol, protocols)
	}
	if err == nil {
		consoleType, err = nvEnum("remote_console", wrapper["remote_console"], "type", in.Type, types)
	}
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	consoleAt, err := c.consoleURL(call, s, protocol, consoleType)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(remoteConsoleBody{RemoteConsole: remoteConsoleJSON{Protocol: protocol, Type: consoleType, URL: consoleAt}}), nil
}

// legacyConsole answers os-getVNCConsole, os-getSPICEConsole and
// os-getSerialConsole: {"console": {"type", "url"}}, up to 2.5.
func (c *Compute) legacyConsole(call *kit.Call, s *server, action, protocol string, arg json.RawMessage, types []string) (kit.Reply, error) {
	if versionOf(call).AtLeast(6) {
		return kit.Reply{}, kit.NotFound("The resource could not be found.")
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(arg, &members) != nil || members == nil {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", action, pyValue(arg), pyRepr(arg))
	}
	for k := range members {
		if k != "type" {
			return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. Additional properties are not allowed ('%s' was unexpected)", action, pyValue(arg), k)
		}
	}
	consoleType, err := nvEnum(action, arg, "type", members["type"], types)
	if err != nil {
		return kit.Reply{}, err
	}
	consoleAt, err := c.consoleURL(call, s, protocol, consoleType)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(legacyConsoleBody{Console: remoteConsoleJSON{Type: consoleType, URL: consoleAt}}), nil
}

func (c *Compute) actGetVNCConsole(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	return c.legacyConsole(call, s, "os-getVNCConsole", "vnc", arg, []string{"novnc", "xvpvnc"})
}

func (c *Compute) actGetSPICEConsole(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	return c.legacyConsole(call, s, "os-getSPICEConsole", "spice", arg, []string{"spice-html5"})
}

func (c *Compute) actGetSerialConsole(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	return c.legacyConsole(call, s, "os-getSerialConsole", "serial", arg, []string{"serial"})
}

// actGetRDPConsole: the RDP console went with the Hyper-V driver; Nova
// answers a bare 400.
func (c *Compute) actGetRDPConsole(call *kit.Call, s *server, arg json.RawMessage) (kit.Reply, error) {
	if versionOf(call).AtLeast(6) {
		return kit.Reply{}, kit.NotFound("The resource could not be found.")
	}
	return kit.Reply{}, kit.BadRequest("The server could not comply with the request since it is either malformed or otherwise incorrect.")
}
