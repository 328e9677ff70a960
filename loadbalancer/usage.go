package loadbalancer

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of statistics and usage reports.
const (
	OpGetStats             = "loadbalancer.stats"
	OpGetUsage             = "loadbalancer.usage"
	OpGetCurrentUsage      = "loadbalancer.usage.current"
	OpGetAccountUsage      = "loadbalancer.usage.account"
	OpListBillable         = "loadbalancer.billable"
	msgBadDate             = "Date parameters must follow ISO-8601 format"
	usageRetention         = 90 * 24 * time.Hour
	defaultUsagePageLimit  = 500
	maximumUsagePageLimit  = 1000
	usagePollInterval      = 5 * time.Minute
	usageRecordIDPerLBSpan = 1000000
)

// usageRoutes are registered before the /loadbalancers/{lb_id} routes, so
// that "usage" and "billable" are not taken for IDs.
func (c *CLB) usageRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpGetAccountUsage, Method: "GET", Path: "/loadbalancers/usage", Handler: c.accountUsage},
		{Op: OpListBillable, Method: "GET", Path: "/loadbalancers/billable", Handler: c.listBillable},
		{Op: OpGetStats, Method: "GET", Path: "/loadbalancers/{lb_id}/stats", Handler: c.getStats},
		{Op: OpGetUsage, Method: "GET", Path: "/loadbalancers/{lb_id}/usage", Handler: c.historicalUsage},
		{Op: OpGetCurrentUsage, Method: "GET", Path: "/loadbalancers/{lb_id}/usage/current", Handler: c.currentUsage},
	}
}

type statsJSON struct {
	ConnectTimeOut       int `json:"connectTimeOut"`
	ConnectError         int `json:"connectError"`
	ConnectFailure       int `json:"connectFailure"`
	DataTimedOut         int `json:"dataTimedOut"`
	KeepAliveTimedOut    int `json:"keepAliveTimedOut"`
	MaxConn              int `json:"maxConn"`
	CurrentConn          int `json:"currentConn"`
	ConnectTimeOutSsl    int `json:"connectTimeOutSsl"`
	ConnectErrorSsl      int `json:"connectErrorSsl"`
	ConnectFailureSsl    int `json:"connectFailureSsl"`
	DataTimedOutSsl      int `json:"dataTimedOutSsl"`
	KeepAliveTimedOutSsl int `json:"keepAliveTimedOutSsl"`
	MaxConnSsl           int `json:"maxConnSsl"`
	CurrentConnSsl       int `json:"currentConnSsl"`
}

// getStats answers with the counters SetStats set; only an ACTIVE load
// balancer has them.
func (c *CLB) getStats(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if lb.Status != StatusActive {
		return kit.Reply{}, kit.Errorf(http.StatusUnprocessableEntity, "The load balancer is not available to display statistics.")
	}
	s := lb.Stats
	return kit.OK(statsJSON(s)), nil
}

type usageRecordJSON struct {
	ID                       int     `json:"id"`
	AverageNumConnections    float64 `json:"averageNumConnections"`
	IncomingTransfer         int64   `json:"incomingTransfer"`
	OutgoingTransfer         int64   `json:"outgoingTransfer"`
	AverageNumConnectionsSsl float64 `json:"averageNumConnectionsSsl"`
	IncomingTransferSsl      int64   `json:"incomingTransferSsl"`
	OutgoingTransferSsl      int64   `json:"outgoingTransferSsl"`
	NumVips                  int     `json:"numVips"`
	NumPolls                 int     `json:"numPolls"`
	StartTime                string  `json:"startTime"`
	EndTime                  string  `json:"endTime"`
	VipType                  string  `json:"vipType"`
	SslMode                  string  `json:"sslMode"`
	EventType                string  `json:"eventType,omitempty"`
}

// usageWindow reads ?startTime= and ?endTime=; def is the window when
// neither is given.
func usageWindow(q url.Values, now time.Time, def time.Duration) (from, to time.Time, err error) {
	to, from = now, now.Add(-def)
	s, e := q.Get("startTime"), q.Get("endTime")
	if e != "" {
		t, ok := parseISO(e)
		if !ok {
			return from, to, kit.BadRequest(msgBadDate)
		}
		to = t
		if s == "" {
			from = to.Add(-usageRetention)
		}
	}
	if s != "" {
		t, ok := parseISO(s)
		if !ok {
			return from, to, kit.BadRequest(msgBadDate)
		}
		from = t
	}
	if s != "" && e != "" && from.After(to) {
		return from, to, kit.BadRequest("Must specify an earlier startTime than endTime.")
	}
	return from, to, nil
}

// usageRecordsLocked derives a load balancer's hourly usage records in
// [from, to): the fake carries no traffic, so transfer and connection
// figures are zero; VIP counts, SSL mode and the creation event are real.
func (c *CLB) usageRecordsLocked(lb *loadBalancer, from, to, now time.Time) []usageRecordJSON {
	end := now
	if !lb.deletedAt.IsZero() && lb.deletedAt.Before(end) {
		end = lb.deletedAt
	}
	if to.Before(end) {
		end = to
	}
	start := lb.Created
	if start.Before(from) {
		start = from
	}
	if oldest := now.Add(-usageRetention); start.Before(oldest) {
		start = oldest
	}
	vips := c.vipsOfLocked(lb)
	vipType := "PUBLIC"
	if len(vips) > 0 && vips[0].Type == "SERVICENET" {
		vipType = "SERVICENET"
	}
	ssl := "OFF"
	if s := lb.SSLTermination; s != nil && s.Enabled {
		ssl = "MIXED"
		if s.SecureTrafficOnly {
			ssl = "ON"
		}
	}
	var out []usageRecordJSON
	for t := start; t.Before(end); {
		next := t.Truncate(time.Hour).Add(time.Hour)
		if end.Before(next) {
			next = end
		}
		rec := usageRecordJSON{
			ID:        lb.ID%2000*usageRecordIDPerLBSpan + int(t.Unix()/3600)%usageRecordIDPerLBSpan,
			NumVips:   len(vips),
			NumPolls:  int(next.Sub(t)/usagePollInterval) + 1,
			StartTime: formatTime(t), EndTime: formatTime(next),
			VipType: vipType, SslMode: ssl,
		}
		if t.Equal(lb.Created) {
			rec.EventType = "CREATE_LOADBALANCER"
		}
		out = append(out, rec)
		t = next
	}
	return out
}

// historicalUsage: all recorded usage (90 days at most) unless startTime or
// endTime narrow it; paginated with offset and limit (500 by default, 1000
// at most) and a next link.
func (c *CLB) historicalUsage(call *kit.Call) (kit.Reply, error) {
	now := c.Now()
	from, to, err := usageWindow(call.Query(), now, usageRetention)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	recs, links := pageUsage(call, c.usageRecordsLocked(lb, from, to, now))
	return kit.OK(struct {
		LoadBalancerUsageRecords []usageRecordJSON `json:"loadBalancerUsageRecords"`
		Links                    []linkJSON        `json:"links,omitempty"`
	}{recs, links}), nil
}

// currentUsage is the usage of the preceding 24 hours.
func (c *CLB) currentUsage(call *kit.Call) (kit.Reply, error) {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, err := c.lbFromPath(call)
	if err != nil {
		return kit.Reply{}, err
	}
	recs, links := pageUsage(call, c.usageRecordsLocked(lb, now.Add(-24*time.Hour), now, now))
	return kit.OK(struct {
		LoadBalancerUsageRecords []usageRecordJSON `json:"loadBalancerUsageRecords"`
		Links                    []linkJSON        `json:"links"`
	}{recs, links}), nil
}

type linkJSON struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

// pageUsage applies ?offset= and ?limit= and builds the next link.
func pageUsage(call *kit.Call, recs []usageRecordJSON) ([]usageRecordJSON, []linkJSON) {
	limit, offset, _ := pageParams(call.Query(), maximumUsagePageLimit)
	if _, ok := call.Query()["limit"]; !ok {
		limit = defaultUsagePageLimit
	}
	links := []linkJSON{}
	if offset >= len(recs) {
		return []usageRecordJSON{}, links
	}
	end := offset + limit
	if end < len(recs) {
		q := call.Query()
		q.Set("offset", strconv.Itoa(end))
		q.Set("limit", strconv.Itoa(limit))
		u := *call.Request.URL
		u.RawQuery = q.Encode()
		links = append(links, linkJSON{Href: u.Path + "?" + u.RawQuery, Rel: "next"})
	} else {
		end = len(recs)
	}
	return recs[offset:end], links
}

type accountUsageRecordJSON struct {
	NumLoadBalancers  int    `json:"numLoadBalancers"`
	NumPublicVips     int    `json:"numPublicVips"`
	NumServicenetVips int    `json:"numServicenetVips"`
	StartTime         string `json:"startTime"`
}

type lbUsageJSON struct {
	LoadBalancerUsageRecords []usageRecordJSON `json:"loadBalancerUsageRecords"`
	Links                    []linkJSON        `json:"links"`
	LoadBalancerID           int               `json:"loadBalancerId"`
	LoadBalancerName         string            `json:"loadBalancerName"`
}

// accountUsage: the account's load balancer and VIP counts at the start of
// the window and after each creation or deletion in it, and each load
// balancer's records. Without startTime and endTime, the last 24 hours.
func (c *CLB) accountUsage(call *kit.Call) (kit.Reply, error) {
	now := c.Now()
	from, to, err := usageWindow(call.Query(), now, 24*time.Hour)
	if err != nil {
		return kit.Reply{}, err
	}
	tenant := tenantOf(call)
	c.mu.Lock()
	defer c.mu.Unlock()
	lbs := c.sortedLocked(tenant, now)
	instants := []time.Time{from}
	for _, lb := range lbs {
		for _, t := range []time.Time{lb.Created, lb.deletedAt} {
			if !t.IsZero() && t.After(from) && t.Before(to) {
				instants = append(instants, t)
			}
		}
	}
	sortTimes(instants)
	records := []accountUsageRecordJSON{}
	for _, t := range instants {
		rec := accountUsageRecordJSON{StartTime: formatTime(t)}
		for _, lb := range lbs {
			if lb.Created.After(t) || (!lb.deletedAt.IsZero() && !lb.deletedAt.After(t)) {
				continue
			}
			rec.NumLoadBalancers++
			for _, v := range c.vipsOfLocked(lb) {
				if v.Type == "SERVICENET" {
					rec.NumServicenetVips++
				} else {
					rec.NumPublicVips++
				}
			}
		}
		records = append(records, rec)
	}
	usages := []lbUsageJSON{}
	for _, lb := range lbs {
		recs := c.usageRecordsLocked(lb, from, to, now)
		if len(recs) == 0 {
			continue
		}
		usages = append(usages, lbUsageJSON{LoadBalancerUsageRecords: recs, Links: []linkJSON{},
			LoadBalancerID: lb.ID, LoadBalancerName: lb.Name})
	}
	return kit.OK(accountUsageJSON{
		AccountUsage:       accountUsageRecordsJSON{Links: []linkJSON{}, AccountUsageRecords: records},
		LoadBalancerUsages: usages,
		AccountID:          accountID(tenant),
	}), nil
}

type accountUsageJSON struct {
	AccountUsage       accountUsageRecordsJSON `json:"accountUsage"`
	LoadBalancerUsages []lbUsageJSON           `json:"loadBalancerUsages"`
	AccountID          any                     `json:"accountId"` // a number, or the tenant when it is not one
}

type accountUsageRecordsJSON struct {
	Links               []linkJSON               `json:"links"`
	AccountUsageRecords []accountUsageRecordJSON `json:"accountUsageRecords"`
}

// listBillable lists the load balancers that existed in [startTime,
// endTime], both required; 500 a page by default, 1000 at most.
func (c *CLB) listBillable(call *kit.Call) (kit.Reply, error) {
	q := call.Query()
	if q.Get("startTime") == "" || q.Get("endTime") == "" {
		return kit.Reply{}, kit.BadRequest("'startTime' and 'endTime' query parameters are required")
	}
	from, to, err := usageWindow(q, c.Now(), usageRetention)
	if err != nil {
		return kit.Reply{}, err
	}
	limit, offset, _ := pageParams(q, maximumUsagePageLimit)
	if _, ok := q["limit"]; !ok {
		limit = defaultUsagePageLimit
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := []billableJSON{}
	i := 0
	for _, lb := range c.sortedLocked(tenantOf(call), c.Now()) {
		if lb.Created.After(to) || (!lb.deletedAt.IsZero() && lb.deletedAt.Before(from)) {
			continue
		}
		i++
		if i <= offset {
			continue
		}
		if len(out) >= limit {
			break
		}
		out = append(out, renderBillable(c.snapshotLocked(lb)))
	}
	return kit.OK(lbsBody[billableJSON]{out}), nil
}

// billableJSON is the summary without virtualIps, as the billable list
// shows none.
type billableJSON struct {
	Name      string   `json:"name"`
	ID        int      `json:"id"`
	Protocol  string   `json:"protocol"`
	Port      int      `json:"port"`
	Algorithm string   `json:"algorithm"`
	Status    string   `json:"status"`
	NodeCount int      `json:"nodeCount"`
	Timeout   int      `json:"timeout"`
	Created   timeJSON `json:"created"`
	Updated   timeJSON `json:"updated"`
}

func renderBillable(lb LoadBalancer) billableJSON {
	s := renderSummary(lb)
	return billableJSON{Name: s.Name, ID: s.ID, Protocol: s.Protocol, Port: s.Port, Algorithm: s.Algorithm,
		Status: s.Status, NodeCount: s.NodeCount, Timeout: s.Timeout, Created: s.Created, Updated: s.Updated}
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}
