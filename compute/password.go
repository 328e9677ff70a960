// os-server-password: the encrypted password a guest posted to the
// metadata server, read and cleared by the server's owner.
//
// Fidelity limits: no guest posts one; seed it with SetServerPassword.

package compute

import (
	"fmt"
	"net/http"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-server-password.
const (
	OpGetServerPassword   = "compute.servers.password.get"
	OpClearServerPassword = "compute.servers.password.clear"
)

func (c *Compute) passwordRoutes() []kit.Route {
	return []kit.Route{
		route(OpGetServerPassword, "GET", "/servers/{server_id}/os-server-password", c.getServerPassword),
		route(OpClearServerPassword, "DELETE", "/servers/{server_id}/os-server-password", c.clearServerPassword),
	}
}

// SetServerPassword stores the encrypted password a server's guest would
// post to the metadata server (base64 of the password encrypted with the
// server's public key), as GET /servers/{id}/os-server-password shows it.
func (c *Compute) SetServerPassword(id, encrypted string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.servers[id]
	if !ok || !c.liveLocked(s) {
		return fmt.Errorf("compute: no server %s", id)
	}
	s.password = encrypted
	return nil
}

type serverPasswordJSON struct {
	Password string `json:"password"`
}

func (c *Compute) getServerPassword(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(serverPasswordJSON{Password: s.password}), nil
}

func (c *Compute) clearServerPassword(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	s.password = ""
	return kit.Status(http.StatusNoContent), nil
}
