package loadbalancer

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the health monitor API.
const (
	OpGetHealthMonitor    = "loadbalancer.healthmonitor.get"
	OpUpdateHealthMonitor = "loadbalancer.healthmonitor.update"
	OpDeleteHealthMonitor = "loadbalancer.healthmonitor.delete"
)

func (c *CLB) healthMonitorRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpGetHealthMonitor, Method: "GET", Path: "/loadbalancers/{lb_id}/healthmonitor", Handler: c.getHealthMonitor},
		{Op: OpUpdateHealthMonitor, Method: "PUT", Path: "/loadbalancers/{lb_id}/healthmonitor", Handler: c.updateHealthMonitor},
		{Op: OpDeleteHealthMonitor, Method: "DELETE", Path: "/loadbalancers/{lb_id}/healthmonitor", Handler: c.deleteHealthMonitor},
	}
}

// monitorBody is a health monitor in a request.
type monitorBody struct {
	Type                       *string         `json:"type"`
	Delay                      *flexInt        `json:"delay"`
	Timeout                    *flexInt        `json:"timeout"`
	AttemptsBeforeDeactivation *flexInt        `json:"attemptsBeforeDeactivation"`
	Path                       *string         `json:"path"`
	StatusRegex                *string         `json:"statusRegex"`
	BodyRegex                  *string         `json:"bodyRegex"`
	HostHeader                 *string         `json:"hostHeader"`
	ID                         json.RawMessage `json:"id"`
}

func (m *monitorBody) validate() []string {
	var msgs []string
	add := func(ok bool, msg string) {
		if !ok {
			msgs = append(msgs, msg)
		}
	}
	if m.Type == nil {
		return []string{"Must provide a type for the health monitor."}
	}
	switch *m.Type {
	case "CONNECT", "HTTP", "HTTPS":
	default:
		return []string{"Health monitor type is invalid. Please specify a valid type."}
	}
	if m.Delay != nil {
		add(*m.Delay >= 1 && *m.Delay <= 3600, "Must specify valid delay range between 1 and 3600.")
	}
	if m.Timeout != nil {
		add(*m.Timeout >= 1 && *m.Timeout <= 300, "Must specify valid timeout range between 1 and 300.")
	}
	if m.AttemptsBeforeDeactivation != nil {
		add(*m.AttemptsBeforeDeactivation >= 1 && *m.AttemptsBeforeDeactivation <= 10,
			"Must specify valid attempts before deactivation range between 1 and 10.")
	}
	add(m.Delay != nil, "Must provide delay for the health monitor.")
	add(m.Timeout != nil, "Must provide timeout for the health monitor.")
	add(m.AttemptsBeforeDeactivation != nil, "Must provide attempts before deactivation for the health monitor.")
	add(!present(m.ID), "Health monitor id field cannot be modified.")
	if *m.Type == "CONNECT" {
		add(m.Path == nil, "A connect health monitor may not have a path. Use HTTP/HTTPS health monitor instead.")
		add(m.BodyRegex == nil, "A connect health monitor may not have a body regex. Use HTTP/HTTPS health monitor instead.")
		add(m.StatusRegex == nil, "A connect health monitor may not have a status regex. Use HTTP/HTTPS health monitor instead.")
		add(m.HostHeader == nil, "Host Header is not supported for CONNECT based health monitors.")
		return msgs
	}
	if m.Path != nil {
		add(len(*m.Path) <= 128, "path can not exceed 128 characters.")
		add(strings.HasPrefix(*m.Path, "/"), "Must provide a forward slash(/) as the beginning of the path.")
	}
	if m.StatusRegex != nil {
		add(len(*m.StatusRegex) <= 128, "statusRegex can not exceed 128 characters.")
		_, err := regexp.Compile(*m.StatusRegex)
		add(err == nil, "Must provide a valid status regex")
	}
	if m.BodyRegex != nil {
		add(len(*m.BodyRegex) <= 128, "bodyRegex can not exceed 128 characters.")
		_, err := regexp.Compile(*m.BodyRegex)
		add(err == nil, "Must provide a valid body regex")
	}
	if m.HostHeader != nil {
		add(validHostHeader(*m.HostHeader), "Must provide a valid host header name.")
		add(len(*m.HostHeader) <= 256, "Host Header field cannot exceed 256 characters")
	}
	add(m.Path != nil && *m.Path != "", "Must provide a valid path for the health monitor.")
	add(m.StatusRegex != nil && *m.StatusRegex != "", "Must provide a status regex for the health monitor.")
	return msgs
}

func validHostHeader(h string) bool {
	if h == "" {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

func (m *monitorBody) monitor() HealthMonitor {
	hm := HealthMonitor{Type: *m.Type, Delay: int(*m.Delay), Timeout: int(*m.Timeout),
		AttemptsBeforeDeactivation: int(*m.AttemptsBeforeDeactivation)}
	if m.Type != nil && *m.Type != "CONNECT" {
		hm.Path = *m.Path
		hm.StatusRegex = *m.StatusRegex
		if m.BodyRegex != nil {
			hm.BodyRegex = *m.BodyRegex
		}
		if m.HostHeader != nil {
			hm.HostHeader = *m.HostHeader
		}
	}
	return hm
}

// monitorMatchesProtocol: UDP protocols take no monitor; HTTP and HTTPS
// monitors need the matching protocol.
func monitorMatchesProtocol(typ, protocol string, creating bool) error {
	if udpProtocol(protocol) {
		return kit.BadRequest("Protocol UDP, UDP_STREAM and DNS_UDP are not allowed with health monitors. ")
	}
	if (typ == "HTTP" || typ == "HTTPS") && protocol != typ {
		if creating {
			return kit.BadRequest("Protocol must be %s for an %s health monitor.", typ, typ)
		}
		return kit.BadRequest("Cannot update Health Monitor to Type %s because load balancer protocol is %s", typ, protocol)
	}
	return nil
}

func (c *CLB) getHealthMonitor(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		return struct {
			HealthMonitor optional[monitorJSON] `json:"healthMonitor"`
		}{optional[monitorJSON]{renderMonitor(lb.HealthMonitor)}}, nil
	})
}

func (c *CLB) updateHealthMonitor(call *kit.Call) (kit.Reply, error) {
	var in monitorBody
	if err := decodeWrapped(call.Body, "healthMonitor", true, &in); err != nil {
		return kit.Reply{}, err
	}
	return c.changeLB(call, http.StatusAccepted, func(lb *loadBalancer) (any, error) {
		// Changing settings of a monitor of the same type may name only them.
		if old := lb.HealthMonitor; old != nil && in.Type != nil && *in.Type == old.Type {
			in.fillFrom(old)
		}
		if msgs := in.validate(); len(msgs) > 0 {
			return nil, validationFailure(msgs...)
		}
		if err := monitorMatchesProtocol(*in.Type, lb.Protocol, false); err != nil {
			return nil, err
		}
		hm := in.monitor()
		lb.HealthMonitor = &hm
		return nil, nil
	})
}

// fillFrom completes an update of a monitor of the same type with the
// settings it leaves out.
func (m *monitorBody) fillFrom(old *HealthMonitor) {
	fill := func(p **flexInt, v int) {
		if *p == nil {
			x := flexInt(v)
			*p = &x
		}
	}
	fill(&m.Delay, old.Delay)
	fill(&m.Timeout, old.Timeout)
	fill(&m.AttemptsBeforeDeactivation, old.AttemptsBeforeDeactivation)
	if old.Type == "CONNECT" {
		return
	}
	for _, f := range []struct {
		p **string
		v string
	}{{&m.Path, old.Path}, {&m.StatusRegex, old.StatusRegex}, {&m.BodyRegex, old.BodyRegex}, {&m.HostHeader, old.HostHeader}} {
		if *f.p == nil && f.v != "" {
			v := f.v
			*f.p = &v
		}
	}
}

// deleteHealthMonitor removes the monitor; every OFFLINE node then comes
// back ONLINE, whatever its health, as the API documents.
func (c *CLB) deleteHealthMonitor(call *kit.Call) (kit.Reply, error) {
	return c.changeLB(call, http.StatusAccepted, func(lb *loadBalancer) (any, error) {
		if lb.HealthMonitor == nil {
			return nil, kit.Errorf(http.StatusUnprocessableEntity, "No health monitor found to delete.")
		}
		for _, n := range lb.nodes {
			if n.Type == NodeSecondary {
				return nil, kit.BadRequest("Can not delete HealthMonitor since this lb contains Secondary nodes that depend on it. Please remove secondary nodes first.")
			}
		}
		lb.HealthMonitor = nil
		now := c.Now()
		for _, n := range lb.nodes {
			n.onlineAt = time.Time{}
			c.setNodeStatusLocked(lb, n, NodeOnline, "Health monitor removed", now)
		}
		return nil, nil
	})
}
