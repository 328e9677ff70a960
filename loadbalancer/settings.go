package loadbalancer

import (
	"encoding/json"
	"net/http"
	"unicode/utf8"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the per-load-balancer settings: session persistence,
// connection logging, connection throttling, content caching, error page.
const (
	OpGetSessionPersistence    = "loadbalancer.sessionpersistence.get"
	OpUpdateSessionPersistence = "loadbalancer.sessionpersistence.update"
	OpDeleteSessionPersistence = "loadbalancer.sessionpersistence.delete"
	OpGetConnectionLogging     = "loadbalancer.connectionlogging.get"
	OpUpdateConnectionLogging  = "loadbalancer.connectionlogging.update"
	OpGetConnectionThrottle    = "loadbalancer.connectionthrottle.get"
	OpUpdateConnectionThrottle = "loadbalancer.connectionthrottle.update"
	OpDeleteConnectionThrottle = "loadbalancer.connectionthrottle.delete"
	OpGetContentCaching        = "loadbalancer.contentcaching.get"
	OpUpdateContentCaching     = "loadbalancer.contentcaching.update"
	OpGetErrorPage             = "loadbalancer.errorpage.get"
	OpSetErrorPage             = "loadbalancer.errorpage.update"
	OpDeleteErrorPage          = "loadbalancer.errorpage.delete"
)

func (c *CLB) settingsRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpGetSessionPersistence, Method: "GET", Path: "/loadbalancers/{lb_id}/sessionpersistence", Handler: c.getSessionPersistence},
		{Op: OpUpdateSessionPersistence, Method: "PUT", Path: "/loadbalancers/{lb_id}/sessionpersistence", Handler: c.updateSessionPersistence},
		{Op: OpDeleteSessionPersistence, Method: "DELETE", Path: "/loadbalancers/{lb_id}/sessionpersistence", Handler: c.deleteSessionPersistence},
		{Op: OpGetConnectionLogging, Method: "GET", Path: "/loadbalancers/{lb_id}/connectionlogging", Handler: c.getConnectionLogging},
		{Op: OpUpdateConnectionLogging, Method: "PUT", Path: "/loadbalancers/{lb_id}/connectionlogging", Handler: c.updateConnectionLogging},
		{Op: OpGetConnectionThrottle, Method: "GET", Path: "/loadbalancers/{lb_id}/connectionthrottle", Handler: c.getConnectionThrottle},
		{Op: OpUpdateConnectionThrottle, Method: "PUT", Path: "/loadbalancers/{lb_id}/connectionthrottle", Handler: c.updateConnectionThrottle},
		{Op: OpDeleteConnectionThrottle, Method: "DELETE", Path: "/loadbalancers/{lb_id}/connectionthrottle", Handler: c.deleteConnectionThrottle},
		{Op: OpGetContentCaching, Method: "GET", Path: "/loadbalancers/{lb_id}/contentcaching", Handler: c.getContentCaching},
		{Op: OpUpdateContentCaching, Method: "PUT", Path: "/loadbalancers/{lb_id}/contentcaching", Handler: c.updateContentCaching},
		{Op: OpGetErrorPage, Method: "GET", Path: "/loadbalancers/{lb_id}/errorpage", Handler: c.getErrorPage},
		{Op: OpSetErrorPage, Method: "PUT", Path: "/loadbalancers/{lb_id}/errorpage", Handler: c.setErrorPage},
		{Op: OpDeleteErrorPage, Method: "DELETE", Path: "/loadbalancers/{lb_id}/errorpage", Handler: c.deleteErrorPage},
	}
}

// The settings of a load balancer (these, its health monitor and its SSL
// termination) share two handler shapes: a GET renders a setting of a
// live load balancer, and a change, once its body is decoded and
// validated, applies to an ACTIVE load balancer and puts it into
// PENDING_UPDATE.

// readLB answers a GET: read renders from the load balancer in the path,
// under the lock; a DELETED one answers 410.
func (c *CLB) readLB(call *kit.Call, read func(lb *loadBalancer) (any, error)) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	body, err := read(lb)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(body), nil
}

// changeLB applies change to the load balancer in the path, under the
// lock: it must be ACTIVE (422 otherwise), and when change succeeds it
// goes to PENDING_UPDATE and the answer is status with change's body.
func (c *CLB) changeLB(call *kit.Call, status int, change func(lb *loadBalancer) (any, error)) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	body, err := change(lb)
	if err != nil {
		return kit.Reply{}, err
	}
	c.changedLocked(lb, c.Now())
	if body == nil {
		return kit.Status(status), nil
	}
	return kit.JSON(status, body), nil
}

// optional is a setting in the body of its GET: its value, or {} when it
// is not configured.
type optional[T any] struct{ v *T }

func (o optional[T]) MarshalJSON() ([]byte, error) {
	if o.v == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(o.v)
}

// ---- session persistence

type persistenceBody struct {
	PersistenceType *string `json:"persistenceType"`
}

func (p *persistenceBody) validate() []string {
	if p.PersistenceType == nil {
		return []string{"Must provide a persistence type."}
	}
	switch *p.PersistenceType {
	case "HTTP_COOKIE", "SOURCE_IP", "SSL_ID":
		return nil
	}
	return []string{"Persistence type is invalid. Please specify a valid persistence type."}
}

// persistenceMatchesProtocol: HTTP_COOKIE is for HTTP, SOURCE_IP for HTTP
// and HTTPS, SSL_ID for SSL pass-through (HTTPS).
func persistenceMatchesProtocol(typ, protocol string) error {
	switch {
	case typ == "HTTP_COOKIE" && protocol != "HTTP":
		return kit.BadRequest("HTTP_COOKIE session persistence is only valid with the HTTP protocol.")
	case typ == "SOURCE_IP" && protocol != "HTTP" && protocol != "HTTPS":
		return kit.BadRequest("SOURCE_IP session persistence is only valid with the HTTP and HTTPS protocols.")
	case typ == "SSL_ID" && protocol != "HTTPS":
		return kit.BadRequest("SSL_ID session persistence is only valid with the HTTPS protocol.")
	}
	return nil
}

func (c *CLB) getSessionPersistence(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		var out struct {
			SessionPersistence optional[persistenceJSON] `json:"sessionPersistence"`
		}
		if lb.SessionPersistence != "" {
			out.SessionPersistence.v = &persistenceJSON{lb.SessionPersistence}
		}
		return out, nil
	})
}

func (c *CLB) updateSessionPersistence(call *kit.Call) (kit.Reply, error) {
	var in persistenceBody
	if err := decodeWrapped(call.Body, "sessionPersistence", false, &in); err != nil {
		return kit.Reply{}, err
	}
	if msgs := in.validate(); len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	return c.changeLB(call, http.StatusAccepted, func(lb *loadBalancer) (any, error) {
		if err := persistenceMatchesProtocol(*in.PersistenceType, lb.Protocol); err != nil {
			return nil, err
		}
		lb.SessionPersistence = *in.PersistenceType
		return nil, nil
	})
}

func (c *CLB) deleteSessionPersistence(call *kit.Call) (kit.Reply, error) {
	return c.changeLB(call, http.StatusAccepted, func(lb *loadBalancer) (any, error) {
		if lb.SessionPersistence == "" {
			return nil, kit.Errorf(http.StatusUnprocessableEntity, "Session persistence is already deleted.")
		}
		lb.SessionPersistence = ""
		return nil, nil
	})
}

// ---- connection logging and content caching: {"enabled": bool} switches

// loggingAllowed says why connection logging cannot be enabled for a
// protocol, or nil.
func loggingAllowed(protocol string) error {
	if udpProtocol(protocol) {
		return kit.BadRequest("Connection logging cannot be enabled for UDP, UDP_STREAM and DNS_UDP load balancers.")
	}
	return nil
}

// cachingAllowed says why content caching cannot be enabled for a
// protocol, or nil.
func cachingAllowed(protocol string) error {
	if protocol != "HTTP" {
		return kit.BadRequest("Content caching can only be enabled for HTTP loadbalancers.")
	}
	return nil
}

// updateSwitch is the PUT of an {"enabled": bool} setting named key (what
// in messages): enabling it must be allowed for the protocol.
func (c *CLB) updateSwitch(call *kit.Call, key, what string, allowed func(protocol string) error, set func(lb *loadBalancer, on bool)) (kit.Reply, error) {
	var in enabledBody
	if err := decodeWrapped(call.Body, key, false, &in); err != nil {
		return kit.Reply{}, err
	}
	if in.Enabled == nil {
		return kit.Reply{}, validationFailure("Must specify whether " + what + " is enabled or not.")
	}
	on := bool(*in.Enabled)
	return c.changeLB(call, http.StatusAccepted, func(lb *loadBalancer) (any, error) {
		if on {
			if err := allowed(lb.Protocol); err != nil {
				return nil, err
			}
		}
		set(lb, on)
		return nil, nil
	})
}

func (c *CLB) getConnectionLogging(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		return struct {
			ConnectionLogging enabledJSON `json:"connectionLogging"`
		}{enabledJSON{lb.ConnectionLogging}}, nil
	})
}

func (c *CLB) updateConnectionLogging(call *kit.Call) (kit.Reply, error) {
	return c.updateSwitch(call, "connectionLogging", "connection logging", loggingAllowed,
		func(lb *loadBalancer, on bool) { lb.ConnectionLogging = on })
}

func (c *CLB) getContentCaching(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		return struct {
			ContentCaching enabledJSON `json:"contentCaching"`
		}{enabledJSON{lb.ContentCaching}}, nil
	})
}

func (c *CLB) updateContentCaching(call *kit.Call) (kit.Reply, error) {
	return c.updateSwitch(call, "contentCaching", "content caching", cachingAllowed,
		func(lb *loadBalancer, on bool) { lb.ContentCaching = on })
}

// ---- connection throttle

type throttleBody struct {
	MaxConnections    *flexInt `json:"maxConnections"`
	MinConnections    *flexInt `json:"minConnections"`
	MaxConnectionRate *flexInt `json:"maxConnectionRate"`
	RateInterval      *flexInt `json:"rateInterval"`
}

// validate checks ranges; creating, every attribute is required.
func (t *throttleBody) validate(creating bool) []string {
	var msgs []string
	in := func(p *flexInt, lo, hi int, msg string) {
		if p != nil && (int(*p) < lo || int(*p) > hi) {
			msgs = append(msgs, msg)
		}
	}
	in(t.MinConnections, 0, 1000, "Must provide a valid minimum connections range.")
	in(t.MaxConnections, 0, 100000, "Must provide a valid maximum connections range.")
	in(t.MaxConnectionRate, 0, 100000, "Must provde a valid maximum connection rate range.")
	in(t.RateInterval, 1, 3600, "Must provide a valid rate interval range.")
	if t.MaxConnections == nil && t.MinConnections == nil && t.MaxConnectionRate == nil && t.RateInterval == nil {
		msgs = append(msgs, "Must provide at least one connection throttle attribute.")
	}
	if creating && (t.MaxConnections == nil || t.MinConnections == nil || t.MaxConnectionRate == nil || t.RateInterval == nil) {
		msgs = append(msgs, "Must supply all credentials when creating a connection throttle.")
	}
	return msgs
}

func (t *throttleBody) apply(ct ConnectionThrottle) ConnectionThrottle {
	if t.MaxConnections != nil {
		ct.MaxConnections = int(*t.MaxConnections)
	}
	if t.MinConnections != nil {
		ct.MinConnections = int(*t.MinConnections)
	}
	if t.MaxConnectionRate != nil {
		ct.MaxConnectionRate = int(*t.MaxConnectionRate)
	}
	if t.RateInterval != nil {
		ct.RateInterval = int(*t.RateInterval)
	}
	return ct
}

func (c *CLB) getConnectionThrottle(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		return struct {
			ConnectionThrottle optional[throttleJSON] `json:"connectionThrottle"`
		}{optional[throttleJSON]{renderThrottle(lb.ConnectionThrottle)}}, nil
	})
}

func (c *CLB) updateConnectionThrottle(call *kit.Call) (kit.Reply, error) {
	var in throttleBody
	if err := decodeWrapped(call.Body, "connectionThrottle", true, &in); err != nil {
		return kit.Reply{}, err
	}
	if msgs := in.validate(false); len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	return c.changeLB(call, http.StatusAccepted, func(lb *loadBalancer) (any, error) {
		var ct ConnectionThrottle
		if lb.ConnectionThrottle != nil {
			ct = *lb.ConnectionThrottle
		} else if msgs := in.validate(true); len(msgs) > 0 {
			return nil, kit.BadRequest("Must supply all credentials when creating a connection throttle.")
		}
		ct = in.apply(ct)
		lb.ConnectionThrottle = &ct
		return nil, nil
	})
}

func (c *CLB) deleteConnectionThrottle(call *kit.Call) (kit.Reply, error) {
	return c.changeLB(call, http.StatusAccepted, func(lb *loadBalancer) (any, error) {
		if lb.ConnectionThrottle == nil {
			return nil, kit.Errorf(http.StatusUnprocessableEntity, "No connection throttle found to delete.")
		}
		lb.ConnectionThrottle = nil
		return nil, nil
	})
}

// ---- error page

// DefaultErrorPage is the page a load balancer serves for an offline node
// until a custom one is set.
const DefaultErrorPage = "<html><body><h2>Service Unavailable</h2><p>No suitable nodes.</p></body></html>"

type errorPageJSON struct {
	ErrorPage errorPageContentJSON `json:"errorpage"`
}

type errorPageContentJSON struct {
	Content string `json:"content"`
}

type errorPageBody struct {
	Content *string `json:"content"`
}

func (c *CLB) getErrorPage(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		content := lb.ErrorPage
		if content == "" {
			content = DefaultErrorPage
		}
		return errorPageJSON{ErrorPage: errorPageContentJSON{Content: content}}, nil
	})
}

func (c *CLB) setErrorPage(call *kit.Call) (kit.Reply, error) {
	var in errorPageBody
	if err := decodeWrapped(call.Body, "errorpage", false, &in); err != nil {
		return kit.Reply{}, err
	}
	switch {
	case in.Content == nil || *in.Content == "":
		return kit.Reply{}, validationFailure("Must provide content for the error page.")
	case utf8.RuneCountInString(*in.Content) > 65536:
		return kit.Reply{}, validationFailure("Error page content must be 65536 characters or fewer.")
	}
	return c.changeErrorPage(call, *in.Content)
}

func (c *CLB) deleteErrorPage(call *kit.Call) (kit.Reply, error) {
	return c.changeErrorPage(call, "")
}

// changeErrorPage sets the error page (content "" deletes it). The error
// page calls answer 200, check the protocol of a new page first, and word
// their 422 (DELETED included) their own way.
func (c *CLB) changeErrorPage(call *kit.Call, content string) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if content != "" && lb.Protocol != "HTTP" {
		return kit.Reply{}, kit.BadRequest("Custom error page is allowed only on loadbalancers with HTTP protocol.")
	}
	if lb.Status != StatusActive {
		return kit.Reply{}, kit.Errorf(http.StatusUnprocessableEntity, "Load balancer is considered immutable and cannot process request")
	}
	lb.ErrorPage = content
	c.changedLocked(lb, c.Now())
	return kit.Status(http.StatusOK), nil
}
