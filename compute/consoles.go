package compute

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/mockcloud/mockcloud/fake"
)

// Route name of POST /servers/{id}/remote-consoles (2.6).
const OpCreateRemoteConsole = "compute.servers.remote_consoles.create"

func (c *Compute) consoleRoutes() []apiRoute {
	return []apiRoute{{OpCreateRemoteConsole, []string{"POST"}, "/servers/{server_id}/remote-consoles", c.createRemoteConsole}}
}

// legacyConsoleActions are the server actions that got a console before
// 2.6 (Nova removed the RDP console, and with it os-getRDPConsole's
// answer, in 29.0.0). They need no unlocked server.
var legacyConsoleActions = map[string]bool{
	"os-getVNCConsole": true, "os-getSPICEConsole": true, "os-getSerialConsole": true, "os-getRDPConsole": true,
}

// consoleURL is where a console of the given protocol and type is
// reached, on the host the client used, with a fresh token; "" and the
// error Nova's compute manager raises when the type does not suit the
// protocol.
func (c *Compute) consoleURL(r *http.Request, s *server, protocol, consoleType string) (string, *fake.Error) {
	switch {
	case protocol == "vnc" && consoleType == "novnc",
		protocol == "spice" && consoleType == "spice-html5",
		protocol == "mks" && consoleType == "webmks",
		protocol == "serial": // Nova checks no type for a serial console
	default:
		return "", badRequest("Invalid console type %s", consoleType)
	}
	// The compute host runs no console of a server it has not built yet.
	if s.Host == "" || s.VMState == vmBuilding {
		return "", conflict("Instance %s is not ready", s.ID)
	}
	if s.TaskState == "deleting" || s.TaskState == "migrating" {
		return "", conflict("Cannot 'get_%s_console' instance %s while it is in task_state %s", protocol, s.ID, s.TaskState)
	}
	token := c.env.RNG.UUID()
	base := fake.BaseURL(r)
	var access string
	switch protocol {
	case "vnc":
		access = base + "/vnc_auto.html"
	case "spice":
		access = base + "/spice_auto.html"
	case "serial":
		access = "ws" + strings.TrimPrefix(base, "http") + "/"
	case "mks":
		access = base + "/"
	}
	if consoleType == "novnc" {
		// noVNC takes the token inside its "path" parameter.
		return access + "?" + url.Values{"path": {"?token=" + token}}.Encode(), nil
	}
	return access + "?token=" + token, nil
}

func (c *Compute) createRemoteConsole(w http.ResponseWriter, r *http.Request) {
	v := versionOf(r)
	if !v.AtLeast(6) {
		writeErr(w, r, notFound("The resource could not be found."))
		return
	}
	protocols := []string{"vnc", "spice", "serial"}
	types := []string{"novnc", "xvpvnc", "spice-html5", "serial"}
	if v.AtLeast(8) {
		protocols = append(protocols, "mks")
		types = append(types, "webmks")
	}
	var in struct {
		Protocol json.RawMessage `json:"protocol"`
		Type     json.RawMessage `json:"type"`
	}
	body, _ := io.ReadAll(r.Body)
	wrapper, err := decodeWrapped(body, "remote_console", map[string]bool{"protocol": true, "type": true}, &in)
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
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var consoleAt string
	if err == nil {
		consoleAt, err = c.consoleURL(r, s, protocol, consoleType)
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"remote_console": map[string]string{
		"protocol": protocol, "type": consoleType, "url": consoleAt,
	}})
}

// nvOnlyKeys refuses a body with members other than the wrapper.
func nvOnlyKeys(wrapper map[string]json.RawMessage, keys ...string) *fake.Error {
	if msg := notAllowed(wrapper, func(k string) bool { return containsString(keys, k) }); msg != "" {
		return badRequest("%s", msg)
	}
	return nil
}

// nvEnum checks a required string member with an enum.
func nvEnum(wrapperKey string, wrapperRaw json.RawMessage, field string, raw json.RawMessage, enum []string) (string, *fake.Error) {
	if len(raw) == 0 {
		return "", badRequest("Invalid input for field/attribute %s. Value: %s. '%s' is a required property", wrapperKey, pyValue(wrapperRaw), field)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", nvFieldErr(field, raw, "%s is not of type 'string'", pyRepr(raw))
	}
	if !containsString(enum, s) {
		return "", nvFieldErr(field, raw, "%s is not one of ['%s']", pyRepr(raw), strings.Join(enum, "', '"))
	}
	return s, nil
}

// legacyConsole answers os-getVNCConsole, os-getSPICEConsole and
// os-getSerialConsole: {"console": {"type", "url"}}, up to 2.5.
func (c *Compute) legacyConsole(r *http.Request, s *server, action, protocol string, arg json.RawMessage, types []string) (int, any, *fake.Error) {
	if versionOf(r).AtLeast(6) {
		return 0, nil, notFound("The resource could not be found.")
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(arg, &members) != nil || members == nil {
		return 0, nil, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", action, pyValue(arg), pyRepr(arg))
	}
	for k := range members {
		if k != "type" {
			return 0, nil, badRequest("Invalid input for field/attribute %s. Value: %s. Additional properties are not allowed ('%s' was unexpected)", action, pyValue(arg), k)
		}
	}
	consoleType, err := nvEnum(action, arg, "type", members["type"], types)
	if err != nil {
		return 0, nil, err
	}
	consoleAt, err := c.consoleURL(r, s, protocol, consoleType)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"console": map[string]string{"type": consoleType, "url": consoleAt}}, nil
}

func (c *Compute) actGetVNCConsole(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	return c.legacyConsole(r, s, "os-getVNCConsole", "vnc", arg, []string{"novnc", "xvpvnc"})
}

func (c *Compute) actGetSPICEConsole(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	return c.legacyConsole(r, s, "os-getSPICEConsole", "spice", arg, []string{"spice-html5"})
}

func (c *Compute) actGetSerialConsole(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	return c.legacyConsole(r, s, "os-getSerialConsole", "serial", arg, []string{"serial"})
}

// actGetRDPConsole: the RDP console went with the Hyper-V driver; Nova
// answers a bare 400.
func (c *Compute) actGetRDPConsole(r *http.Request, s *server, arg json.RawMessage) (int, any, *fake.Error) {
	if versionOf(r).AtLeast(6) {
		return 0, nil, notFound("The resource could not be found.")
	}
	return 0, nil, badRequest("The server could not comply with the request since it is either malformed or otherwise incorrect.")
}
