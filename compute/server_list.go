// GET /servers and /servers/detail: the query parsed into a listQuery,
// then one page of the matching servers, newest first.

package compute

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// listQuery is a parsed server list query.
type listQuery struct {
	name, ip, ip6 *regexp.Regexp
	status        string
	image, flavor string
	host          string
	zone          string
	reservation   string
	changesSince  time.Time
	changesBefore time.Time
	locked        *bool
	tags, anyTags []string
	notTags       []string // not-tags: not all of these
	notAnyTags    []string // not-tags-any: none of these
	allTenants    bool
	tenant        string
	limit         int
	marker        string
	deleted       bool
}

// parseListQuery reads GET /servers's query. The filters only admins
// may use (all_tenants, deleted) are ignored for others, as Nova ignores
// them.
func parseListQuery(call *kit.Call, who caller) (listQuery, error) {
	q := call.Query()
	lq := listQuery{limit: maxLimit, status: strings.ToUpper(q.Get("status")), image: q.Get("image"),
		flavor: q.Get("flavor"), host: q.Get("host"), zone: q.Get("availability_zone"),
		reservation: q.Get("reservation_id"), marker: q.Get("marker"), tenant: q.Get("tenant_id")}
	compile := func(field, expr string) (*regexp.Regexp, error) {
		if expr == "" {
			return nil, nil
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, kit.BadRequest("Invalid input for query parameter %s: %v", field, err)
		}
		return re, nil
	}
	var err error
	if lq.name, err = compile("name", q.Get("name")); err != nil {
		return lq, err
	}
	if lq.ip, err = compile("ip", q.Get("ip")); err != nil {
		return lq, err
	}
	if lq.ip6, err = compile("ip6", q.Get("ip6")); err != nil {
		return lq, err
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"changes-since", &lq.changesSince}, {"changes-before", &lq.changesBefore}} {
		if raw := q.Get(p.name); raw != "" {
			t, perr := parseISOTime(raw)
			if perr != nil {
				return lq, kit.BadRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, raw, raw)
			}
			*p.dst = t
		}
	}
	if raw := q.Get("limit"); raw != "" {
		n, perr := strconv.Atoi(raw)
		if perr != nil || n < 0 {
			return lq, kit.BadRequest("Invalid input for query parameters limit. Value: %s. '%s' does not match '^[0-9]*$'", raw, raw)
		}
		if n < lq.limit {
			lq.limit = n
		}
	}
	if raw := q.Get("locked"); raw != "" {
		b, perr := strconv.ParseBool(raw)
		if perr != nil {
			return lq, kit.BadRequest("Unrecognized value '%s', acceptable values are 'true' or 'false'", raw)
		}
		lq.locked = &b
	}
	if raw := q.Get("tags"); raw != "" {
		lq.tags = strings.Split(raw, ",")
	}
	if raw := q.Get("tags-any"); raw != "" {
		lq.anyTags = strings.Split(raw, ",")
	}
	if raw := q.Get("not-tags"); raw != "" {
		lq.notTags = strings.Split(raw, ",")
	}
	if raw := q.Get("not-tags-any"); raw != "" {
		lq.notAnyTags = strings.Split(raw, ",")
	}
	if err := lq.readAllTenants(call); err != nil {
		return lq, err
	}
	if raw := q.Get("deleted"); raw != "" && who.admin {
		lq.deleted, _ = strconv.ParseBool(raw)
	}
	return lq, nil
}

// readAllTenants is Nova's all_tenants: present and empty, or a true
// boolean string, asks for every project's servers, which the policy
// (servers:index:get_all_tenants, servers:detail:get_all_tenants) allows
// admins only: 403 for others.
func (lq *listQuery) readAllTenants(call *kit.Call) error {
	q := call.Query()
	if _, ok := q["all_tenants"]; !ok {
		return nil
	}
	if raw := q.Get("all_tenants"); raw != "" {
		b, ok := parseBoolString(raw)
		if !ok {
			return kit.BadRequest("Invalid input received: Unrecognized value '%s', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'", raw)
		}
		if !b {
			return nil
		}
	}
	if !adminAllowed(call) {
		rule := "os_compute_api:servers:index:get_all_tenants"
		if strings.HasSuffix(call.Request.URL.Path, "/detail") {
			rule = "os_compute_api:servers:detail:get_all_tenants"
		}
		return policyDenied(rule)
	}
	lq.allTenants = true
	return nil
}

// parseISOTime accepts the ISO 8601 forms clients send for changes-since.
func parseISOTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time")
}

// matches reports whether s is in the caller's view and passes every
// filter.
func (lq *listQuery) matches(s *Server, who caller) bool {
	return lq.inScope(s, who) && lq.matchesFields(s) && lq.matchesTimes(s) && lq.matchesAddress(s) && lq.matchesTags(s)
}

// inScope: the caller's project (or, for an admin's all_tenants, the
// tenant_id asked for), and deleted servers only when asked for.
func (lq *listQuery) inScope(s *Server, who caller) bool {
	switch {
	case lq.allTenants && lq.tenant != "" && s.ProjectID != lq.tenant:
		return false
	case !lq.allTenants && s.ProjectID != who.projectID:
		return false
	}
	return !s.Deleted || !lq.changesSince.IsZero() || lq.deleted
}

// refMatches: an image or flavor filter names an ID or a URL ending in it.
func refMatches(filter, id string) bool {
	return filter == "" || id == filter || strings.HasSuffix(filter, "/"+id)
}

func (lq *listQuery) matchesFields(s *Server) bool {
	switch {
	case lq.name != nil && !lq.name.MatchString(s.Name):
		return false
	case lq.status != "" && s.Status != lq.status:
		return false
	case !refMatches(lq.image, s.ImageID) || !refMatches(lq.flavor, s.FlavorID):
		return false
	case lq.host != "" && s.Host != lq.host:
		return false
	case lq.zone != "" && s.AvailabilityZone != lq.zone:
		return false
	case lq.reservation != "" && s.ReservationID != lq.reservation:
		return false
	}
	return lq.locked == nil || s.Locked == *lq.locked
}

func (lq *listQuery) matchesTimes(s *Server) bool {
	return (lq.changesSince.IsZero() || !s.Updated.Before(lq.changesSince)) &&
		(lq.changesBefore.IsZero() || !s.Updated.After(lq.changesBefore))
}

// matchesAddress: some address matches ip (IPv4) or ip6 (IPv6).
func (lq *listQuery) matchesAddress(s *Server) bool {
	if lq.ip == nil && lq.ip6 == nil {
		return true
	}
	for _, addrs := range s.Addresses {
		for _, a := range addrs {
			if a.Version == 4 && lq.ip != nil && lq.ip.MatchString(a.Addr) || a.Version == 6 && lq.ip6 != nil && lq.ip6.MatchString(a.Addr) {
				return true
			}
		}
	}
	return false
}

// matchesTags: every tag of tags, one of tags-any, not every tag of
// not-tags, none of not-tags-any.
func (lq *listQuery) matchesTags(s *Server) bool {
	for _, t := range lq.tags {
		if !slices.Contains(s.Tags, t) {
			return false
		}
	}
	if len(lq.notTags) > 0 && !slices.ContainsFunc(lq.notTags, func(t string) bool { return !slices.Contains(s.Tags, t) }) {
		return false
	}
	if slices.ContainsFunc(lq.notAnyTags, func(t string) bool { return slices.Contains(s.Tags, t) }) {
		return false
	}
	if len(lq.anyTags) == 0 {
		return true
	}
	for _, t := range lq.anyTags {
		if slices.Contains(s.Tags, t) {
			return true
		}
	}
	return false
}

// listLocked returns one page of matching servers, newest first (Nova's
// default sort: created_at desc, then id desc), and whether the page is
// full: Nova (and Mimic) link to a next page whenever it is, even when
// that page turns out empty.
func (c *Compute) listLocked(lq listQuery, who caller) ([]Server, bool, error) {
	now := c.Now()
	// A project's listing walks only its own servers, already in order.
	all := c.byProject[who.projectID]
	if lq.allTenants {
		all = make([]*server, 0, len(c.servers))
		for _, s := range c.servers {
			all = append(all, s)
		}
		sort.Slice(all, func(i, j int) bool { return newer(all[i], all[j]) })
	}
	start := 0
	if lq.marker != "" {
		// Only a server the caller may list can be a marker.
		m, ok := c.servers[lq.marker]
		if ok && (lq.allTenants || m.ProjectID == who.projectID) {
			start = sort.Search(len(all), func(i int) bool { return !newer(all[i], m) })
		}
		if !ok || start >= len(all) || all[start] != m {
			return nil, false, kit.BadRequest("marker [%s] not found", lq.marker)
		}
		start++
	}
	var page []Server
	for _, s := range all[start:] {
		if len(page) == lq.limit {
			break
		}
		c.settleLocked(s, now)
		if !lq.matches(&s.Server, who) {
			continue
		}
		page = append(page, s.snapshot())
	}
	return page, lq.limit > 0 && len(page) == lq.limit, nil
}

// serverList is GET /servers's answer: briefs, or details.
type serverList[T any] struct {
	Servers []T    `json:"servers"`
	Links   []link `json:"servers_links,omitempty"`
}

func (c *Compute) listServers(call *kit.Call) (kit.Reply, error) {
	return listServersAs(c, call, serverBriefJSON)
}

func (c *Compute) listServersDetail(call *kit.Call) (kit.Reply, error) {
	return listServersAs(c, call, c.serverListDetailLocked)
}

// listServersAs answers one page of servers, each rendered by render
// (under the lock), with a next link when the page is full.
func listServersAs[T any](c *Compute, call *kit.Call, render func(*kit.Call, *Server) T) (kit.Reply, error) {
	who := callerOf(call)
	lq, err := parseListQuery(call, who)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	page, more, err := c.listLocked(lq, who)
	if err != nil {
		return kit.Reply{}, err
	}
	body := serverList[T]{Servers: make([]T, 0, len(page))}
	for i := range page {
		body.Servers = append(body.Servers, render(call, &page[i]))
	}
	if more && len(page) > 0 {
		next := *call.Request.URL
		q := next.Query()
		q.Set("marker", page[len(page)-1].ID)
		q.Set("limit", strconv.Itoa(lq.limit))
		next.RawQuery = q.Encode()
		body.Links = nextLink(call.BaseURL() + next.Path + "?" + next.RawQuery)
	}
	return kit.OK(body), nil
}
