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
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	var body any = struct{}{}
	if lb.SessionPersistence != "" {
		body = persistenceJSON{lb.SessionPersistence}
	}
	return http.StatusOK, map[string]any{"sessionPersistence": body}, nil
}

func (c *CLB) updateSessionPersistence(r *http.Request) (int, any, *apiError) {
	var in persistenceBody
	if err := decodeWrapped(readBody(r), "sessionPersistence", false, &in); err != nil {
		return 0, nil, err
	}
	if msgs := in.validate(); len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if err := persistenceMatchesProtocol(*in.PersistenceType, lb.Protocol); err != nil {
		return 0, nil, err
	}
	lb.SessionPersistence = *in.PersistenceType
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

func (c *CLB) deleteSessionPersistence(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if lb.SessionPersistence == "" {
		return 0, nil, errorf(http.StatusUnprocessableEntity, "Session persistence is already deleted.")
	}
	lb.SessionPersistence = ""
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

// ---- connection logging

func (c *CLB) getConnectionLogging(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"connectionLogging": enabledJSON{lb.ConnectionLogging}}, nil
}

func (c *CLB) updateConnectionLogging(r *http.Request) (int, any, *apiError) {
	var in enabledBody
	if err := decodeWrapped(readBody(r), "connectionLogging", false, &in); err != nil {
		return 0, nil, err
	}
	if in.Enabled == nil {
		return 0, nil, validationFailure("Must specify whether connection logging is enabled or not.")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if bool(*in.Enabled) && udpProtocol(lb.Protocol) {
		return 0, nil, badRequest("Connection logging cannot be enabled for UDP, UDP_STREAM and DNS_UDP load balancers.")
	}
	lb.ConnectionLogging = bool(*in.Enabled)
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
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
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	var body any = struct{}{}
	if lb.ConnectionThrottle != nil {
		body = renderThrottle(lb.ConnectionThrottle)
	}
	return http.StatusOK, map[string]any{"connectionThrottle": body}, nil
}

func (c *CLB) updateConnectionThrottle(r *http.Request) (int, any, *apiError) {
	var in throttleBody
	if err := decodeWrapped(readBody(r), "connectionThrottle", false, &in); err != nil {
		return 0, nil, err
	}
	if msgs := in.validate(false); len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if lb.ConnectionThrottle == nil {
		if msgs := in.validate(true); len(msgs) > 0 {
			return 0, nil, badRequest("Must supply all credentials when creating a connection throttle.")
		}
		ct := in.apply(ConnectionThrottle{})
		lb.ConnectionThrottle = &ct
	} else {
		ct := in.apply(*lb.ConnectionThrottle)
		lb.ConnectionThrottle = &ct
	}
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

func (c *CLB) deleteConnectionThrottle(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if lb.ConnectionThrottle == nil {
		return 0, nil, errorf(http.StatusUnprocessableEntity, "No connection throttle found to delete.")
	}
	lb.ConnectionThrottle = nil
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

// ---- content caching

func (c *CLB) getContentCaching(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"contentCaching": enabledJSON{lb.ContentCaching}}, nil
}

func (c *CLB) updateContentCaching(r *http.Request) (int, any, *apiError) {
	var in enabledBody
	if err := decodeWrapped(readBody(r), "contentCaching", false, &in); err != nil {
		return 0, nil, err
	}
	if in.Enabled == nil {
		return 0, nil, validationFailure("Must specify whether content caching is enabled or not.")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.mutableLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if bool(*in.Enabled) && lb.Protocol != "HTTP" {
		return 0, nil, badRequest("Content caching can only be enabled for HTTP loadbalancers.")
	}
	lb.ContentCaching = bool(*in.Enabled)
	c.changedLocked(lb, c.now())
	return http.StatusAccepted, nil, nil
}

// ---- error page

// DefaultErrorPage is the page a load balancer serves for an offline node
// until a custom one is set.
const DefaultErrorPage = "<html><body><h2>Service Unavailable</h2><p>No suitable nodes.</p></body></html>"

type errorPageBody struct {
	Content *string `json:"content"`
}

func (c *CLB) getErrorPage(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.liveLBFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	content := lb.ErrorPage
	if content == "" {
		content = DefaultErrorPage
	}
	return http.StatusOK, map[string]any{"errorpage": map[string]string{"content": content}}, nil
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
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if lb.Protocol != "HTTP" {
		return 0, nil, badRequest("Custom error page is allowed only on loadbalancers with HTTP protocol.")
	}
	if lb.Status != StatusActive {
		return 0, nil, errorf(http.StatusUnprocessableEntity, "Load balancer is considered immutable and cannot process request")
	}
	lb.ErrorPage = *in.Content
	c.changedLocked(lb, c.now())
	return http.StatusOK, nil, nil
}

func (c *CLB) deleteErrorPage(r *http.Request) (int, any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if lb.Status != StatusActive {
		return 0, nil, errorf(http.StatusUnprocessableEntity, "Load balancer is considered immutable and cannot process request")
	}
	lb.ErrorPage = ""
	c.changedLocked(lb, c.now())
	return http.StatusOK, nil, nil
}
