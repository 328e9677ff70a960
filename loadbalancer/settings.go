package loadbalancer

import (
	"net/http"
	"unicode/utf8"
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

func (c *CLB) settingsRoutes() []apiRoute {
	return []apiRoute{
		{OpGetSessionPersistence, "GET", "/loadbalancers/{lb_id}/sessionpersistence", c.getSessionPersistence},
		{OpUpdateSessionPersistence, "PUT", "/loadbalancers/{lb_id}/sessionpersistence", c.updateSessionPersistence},
		{OpDeleteSessionPersistence, "DELETE", "/loadbalancers/{lb_id}/sessionpersistence", c.deleteSessionPersistence},
		{OpGetConnectionLogging, "GET", "/loadbalancers/{lb_id}/connectionlogging", c.getConnectionLogging},
		{OpUpdateConnectionLogging, "PUT", "/loadbalancers/{lb_id}/connectionlogging", c.updateConnectionLogging},
		{OpGetConnectionThrottle, "GET", "/loadbalancers/{lb_id}/connectionthrottle", c.getConnectionThrottle},
		{OpUpdateConnectionThrottle, "PUT", "/loadbalancers/{lb_id}/connectionthrottle", c.updateConnectionThrottle},
		{OpDeleteConnectionThrottle, "DELETE", "/loadbalancers/{lb_id}/connectionthrottle", c.deleteConnectionThrottle},
		{OpGetContentCaching, "GET", "/loadbalancers/{lb_id}/contentcaching", c.getContentCaching},
		{OpUpdateContentCaching, "PUT", "/loadbalancers/{lb_id}/contentcaching", c.updateContentCaching},
		{OpGetErrorPage, "GET", "/loadbalancers/{lb_id}/errorpage", c.getErrorPage},
		{OpSetErrorPage, "PUT", "/loadbalancers/{lb_id}/errorpage", c.setErrorPage},
		{OpDeleteErrorPage, "DELETE", "/loadbalancers/{lb_id}/errorpage", c.deleteErrorPage},
	}
}

// The settings of a load balancer (these, its health monitor and its SSL
// termination) share two handler shapes: a GET renders a setting of a
// live load balancer, and a change, once its body is decoded and
// validated, applies to an ACTIVE load balancer and puts it into
// PENDING_UPDATE.

// readLB answers a GET: read renders from the load balancer in the path,
// under the lock; a DELETED one answers 410.
func (c *CLB) readLB(r *http.Request, read func(lb *loadBalancer) (any, *apiError)) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	body, err := read(lb)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, body, nil
}

// changeLB applies change to the load balancer in the path, under the
// lock: it must be ACTIVE (422 otherwise), and when change succeeds it
// goes to PENDING_UPDATE and the answer is status with change's body.
func (c *CLB) changeLB(r *http.Request, status int, change func(lb *loadBalancer) (any, *apiError)) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	body, err := change(lb)
	if err != nil {
		return 0, nil, err
	}
	c.changedLocked(lb, c.now())
	return status, body, nil
}

// setting is the body of a setting's GET: {key: v}, or {key: {}} when it is
// not configured.
func setting(key string, v any, configured bool) map[string]any {
	if !configured {
		v = struct{}{}
	}
	return map[string]any{key: v}
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
func persistenceMatchesProtocol(typ, protocol string) *apiError {
	switch {
	case typ == "HTTP_COOKIE" && protocol != "HTTP":
		return badRequest("HTTP_COOKIE session persistence is only valid with the HTTP protocol.")
	case typ == "SOURCE_IP" && protocol != "HTTP" && protocol != "HTTPS":
		return badRequest("SOURCE_IP session persistence is only valid with the HTTP and HTTPS protocols.")
	case typ == "SSL_ID" && protocol != "HTTPS":
		return badRequest("SSL_ID session persistence is only valid with the HTTPS protocol.")
	}
	return nil
}

func (c *CLB) getSessionPersistence(r *http.Request) (int, any, *apiError) {
	return c.readLB(r, func(lb *loadBalancer) (any, *apiError) {
		return setting("sessionPersistence", persistenceJSON{lb.SessionPersistence}, lb.SessionPersistence != ""), nil
	})
}

func (c *CLB) updateSessionPersistence(r *http.Request) (int, any, *apiError) {
	var in persistenceBody
	if err := decodeWrapped(readBody(r), "sessionPersistence", false, &in); err != nil {
		return 0, nil, err
	}
	if msgs := in.validate(); len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	return c.changeLB(r, http.StatusAccepted, func(lb *loadBalancer) (any, *apiError) {
		if err := persistenceMatchesProtocol(*in.PersistenceType, lb.Protocol); err != nil {
			return nil, err
		}
		lb.SessionPersistence = *in.PersistenceType
		return nil, nil
	})
}

func (c *CLB) deleteSessionPersistence(r *http.Request) (int, any, *apiError) {
	return c.changeLB(r, http.StatusAccepted, func(lb *loadBalancer) (any, *apiError) {
		if lb.SessionPersistence == "" {
			return nil, errorf(http.StatusUnprocessableEntity, "Session persistence is already deleted.")
		}
		lb.SessionPersistence = ""
		return nil, nil
	})
}

// ---- connection logging and content caching: {"enabled": bool} switches

// loggingAllowed says why connection logging cannot be enabled for a
// protocol, or nil.
func loggingAllowed(protocol string) *apiError {
	if udpProtocol(protocol) {
		return badRequest("Connection logging cannot be enabled for UDP, UDP_STREAM and DNS_UDP load balancers.")
	}
	return nil
}

// cachingAllowed says why content caching cannot be enabled for a
// protocol, or nil.
func cachingAllowed(protocol string) *apiError {
	if protocol != "HTTP" {
		return badRequest("Content caching can only be enabled for HTTP loadbalancers.")
	}
	return nil
}

// updateSwitch is the PUT of an {"enabled": bool} setting named key (what
// in messages): enabling it must be allowed for the protocol.
func (c *CLB) updateSwitch(r *http.Request, key, what string, allowed func(protocol string) *apiError, set func(lb *loadBalancer, on bool)) (int, any, *apiError) {
	var in enabledBody
	if err := decodeWrapped(readBody(r), key, false, &in); err != nil {
		return 0, nil, err
	}
	if in.Enabled == nil {
		return 0, nil, validationFailure("Must specify whether " + what + " is enabled or not.")
	}
	on := bool(*in.Enabled)
	return c.changeLB(r, http.StatusAccepted, func(lb *loadBalancer) (any, *apiError) {
		if on {
			if err := allowed(lb.Protocol); err != nil {
				return nil, err
			}
		}
		set(lb, on)
		return nil, nil
	})
}

func (c *CLB) getConnectionLogging(r *http.Request) (int, any, *apiError) {
	return c.readLB(r, func(lb *loadBalancer) (any, *apiError) {
		return map[string]any{"connectionLogging": enabledJSON{lb.ConnectionLogging}}, nil
	})
}

func (c *CLB) updateConnectionLogging(r *http.Request) (int, any, *apiError) {
	return c.updateSwitch(r, "connectionLogging", "connection logging", loggingAllowed,
		func(lb *loadBalancer, on bool) { lb.ConnectionLogging = on })
}

func (c *CLB) getContentCaching(r *http.Request) (int, any, *apiError) {
	return c.readLB(r, func(lb *loadBalancer) (any, *apiError) {
		return map[string]any{"contentCaching": enabledJSON{lb.ContentCaching}}, nil
	})
}

func (c *CLB) updateContentCaching(r *http.Request) (int, any, *apiError) {
	return c.updateSwitch(r, "contentCaching", "content caching", cachingAllowed,
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

func (c *CLB) getConnectionThrottle(r *http.Request) (int, any, *apiError) {
	return c.readLB(r, func(lb *loadBalancer) (any, *apiError) {
		return setting("connectionThrottle", renderThrottle(lb.ConnectionThrottle), lb.ConnectionThrottle != nil), nil
	})
}

func (c *CLB) updateConnectionThrottle(r *http.Request) (int, any, *apiError) {
	var in throttleBody
	if err := decodeWrapped(readBody(r), "connectionThrottle", false, &in); err != nil {
		return 0, nil, err
	}
	if msgs := in.validate(false); len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	return c.changeLB(r, http.StatusAccepted, func(lb *loadBalancer) (any, *apiError) {
		var ct ConnectionThrottle
		if lb.ConnectionThrottle != nil {
			ct = *lb.ConnectionThrottle
		} else if msgs := in.validate(true); len(msgs) > 0 {
			return nil, badRequest("Must supply all credentials when creating a connection throttle.")
		}
		ct = in.apply(ct)
		lb.ConnectionThrottle = &ct
		return nil, nil
	})
}

func (c *CLB) deleteConnectionThrottle(r *http.Request) (int, any, *apiError) {
	return c.changeLB(r, http.StatusAccepted, func(lb *loadBalancer) (any, *apiError) {
		if lb.ConnectionThrottle == nil {
			return nil, errorf(http.StatusUnprocessableEntity, "No connection throttle found to delete.")
		}
		lb.ConnectionThrottle = nil
		return nil, nil
	})
}

// ---- error page

// DefaultErrorPage is the page a load balancer serves for an offline node
// until a custom one is set.
const DefaultErrorPage = "<html><body><h2>Service Unavailable</h2><p>No suitable nodes.</p></body></html>"

type errorPageBody struct {
	Content *string `json:"content"`
}

func (c *CLB) getErrorPage(r *http.Request) (int, any, *apiError) {
	return c.readLB(r, func(lb *loadBalancer) (any, *apiError) {
		content := lb.ErrorPage
		if content == "" {
			content = DefaultErrorPage
		}
		return map[string]any{"errorpage": map[string]string{"content": content}}, nil
	})
}

func (c *CLB) setErrorPage(r *http.Request) (int, any, *apiError) {
	var in errorPageBody
	if err := decodeWrapped(readBody(r), "errorpage", false, &in); err != nil {
		return 0, nil, err
	}
	switch {
	case in.Content == nil || *in.Content == "":
		return 0, nil, validationFailure("Must provide content for the error page.")
	case utf8.RuneCountInString(*in.Content) > 65536:
		return 0, nil, validationFailure("Error page content must be 65536 characters or fewer.")
	}
	return c.changeErrorPage(r, *in.Content)
}

func (c *CLB) deleteErrorPage(r *http.Request) (int, any, *apiError) {
	return c.changeErrorPage(r, "")
}

// changeErrorPage sets the error page (content "" deletes it). The error
// page calls answer 200, check the protocol of a new page first, and word
// their 422 (DELETED included) their own way.
func (c *CLB) changeErrorPage(r *http.Request, content string) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if content != "" && lb.Protocol != "HTTP" {
		return 0, nil, badRequest("Custom error page is allowed only on loadbalancers with HTTP protocol.")
	}
	if lb.Status != StatusActive {
		return 0, nil, errorf(http.StatusUnprocessableEntity, "Load balancer is considered immutable and cannot process request")
	}
	lb.ErrorPage = content
	c.changedLocked(lb, c.now())
	return http.StatusOK, nil, nil
}
