package loadbalancer

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Behavior changes how one load balancer moves through its statuses; it is
// what Mimic's metadata presets do, in Go, and the zero value changes
// nothing. A zero duration means the service's [Durations]; to make one
// transition of one load balancer instant, give it a nanosecond.
type Behavior struct {
	Build         time.Duration // how long BUILD lasts (Mimic's lb_building)
	PendingUpdate time.Duration // how long each change holds PENDING_UPDATE (lb_pending_update)
	PendingDelete time.Duration // how long PENDING_DELETE lasts (lb_pending_delete)
	// StuckPendingUpdate leaves the load balancer in PENDING_UPDATE after
	// its next change until SetLoadBalancerStatus moves it: CLB's stuck update.
	StuckPendingUpdate bool
	// ErrorOnChange puts the load balancer into ERROR on its next change
	// (the change is accepted with 202 first): Mimic's lb_error_state.
	ErrorOnChange bool
}

// CreateBehavior gives load balancers created over HTTP a Behavior: the
// first registered one whose criteria all match decides.
type CreateBehavior struct {
	// ID is set by AddCreateBehavior: a UUID made from a counter, so
	// registering a behavior never shifts the IDs of load balancers. It is
	// ignored when registering.
	ID       string
	Tenant   string // only this tenant; empty matches any
	Name     string // regular expression matched against the whole name; empty matches any
	Behavior Behavior
}

// createBehavior is a registered CreateBehavior, its name criterion
// compiled; spec is as registered, without its ID.
type createBehavior struct {
	tenant string
	name   *regexp.Regexp
	b      Behavior
	spec   CreateBehavior
}

func (cb createBehavior) matches(tenant, name string) bool {
	return (cb.tenant == "" || cb.tenant == tenant) && (cb.name == nil || cb.name.MatchString(name))
}

// Mimic's metadata presets.
const (
	PresetBuilding      = "lb_building"       // value: seconds in BUILD (10 when 0)
	PresetPendingUpdate = "lb_pending_update" // value: seconds in PENDING_UPDATE after each change
	PresetPendingDelete = "lb_pending_delete" // value: seconds in PENDING_DELETE (10 when 0)
	PresetErrorState    = "lb_error_state"    // any value: ERROR after the next change
)

// effective is a load balancer's resolved behavior.
type effective struct {
	build, pendingUpdate, pendingDelete time.Duration
	stuck, errorOnChange                bool
}

// effectiveLocked resolves durations: the service's, overridden by the load
// balancer's Behavior, overridden by Mimic presets in its metadata now.
func (c *CLB) effectiveLocked(lb *loadBalancer) effective {
	e := effective{build: c.cfg.durations.Build, pendingUpdate: c.cfg.durations.PendingUpdate, pendingDelete: c.cfg.durations.PendingDelete}
	b := lb.behavior
	if b.Build != 0 {
		e.build = b.Build
	}
	if b.PendingUpdate != 0 {
		e.pendingUpdate = b.PendingUpdate
	}
	if b.PendingDelete != 0 {
		e.pendingDelete = b.PendingDelete
	}
	e.stuck, e.errorOnChange = b.StuckPendingUpdate, b.ErrorOnChange
	for _, m := range lb.Metadata {
		switch m.Key {
		case PresetBuilding:
			e.build = presetSeconds(m.Value, 10*time.Second, true)
		case PresetPendingUpdate:
			e.pendingUpdate = presetSeconds(m.Value, c.cfg.durations.PendingUpdate, false)
		case PresetPendingDelete:
			e.pendingDelete = presetSeconds(m.Value, 10*time.Second, true)
		case PresetErrorState:
			e.errorOnChange = true
		}
	}
	return e
}

// presetSeconds reads a preset's value as Mimic does: seconds, or def when
// the value is not a number. Mimic replaces a falsy lb_building or
// lb_pending_delete (0) with its default; zeroIsDefault does the same.
func presetSeconds(v string, def time.Duration, zeroIsDefault bool) time.Duration {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f > 1e9 {
		return def
	}
	if f == 0 && zeroIsDefault {
		return def
	}
	return time.Duration(f * float64(time.Second))
}

// schedule adds a timed status change, keeping them in time order (ties in
// the order scheduled).
func (lb *loadBalancer) schedule(at time.Time, status string) {
	i := sort.Search(len(lb.pending), func(i int) bool { return lb.pending[i].at.After(at) })
	lb.pending = append(lb.pending, transition{})
	copy(lb.pending[i+1:], lb.pending[i:])
	lb.pending[i] = transition{at: at, status: status}
}

// settleLocked applies every change due by now: status transitions, the
// purge of a long-DELETED load balancer, and first health checks of new
// nodes. It reports false when the load balancer has been purged (and is
// gone from the service).
func (c *CLB) settleLocked(lb *loadBalancer, now time.Time) bool {
	for len(lb.pending) > 0 && !lb.pending[0].at.After(now) {
		t := lb.pending[0]
		lb.pending = lb.pending[1:]
		c.enterLocked(lb, t.status, t.at)
	}
	if lb.Status == StatusDeleted && !lb.purgeAt.IsZero() && !now.Before(lb.purgeAt) {
		c.purgeLocked(lb)
		return false
	}
	for _, n := range lb.nodes {
		if !n.onlineAt.IsZero() && !now.Before(n.onlineAt) {
			at := n.onlineAt
			n.onlineAt = time.Time{}
			c.setNodeStatusLocked(lb, n, NodeOnline, "Node is working", at)
		}
	}
	return true
}

// enterLocked puts the load balancer into status at instant at.
func (c *CLB) enterLocked(lb *loadBalancer, status string, at time.Time) {
	lb.Status = status
	lb.Updated = at
	if status == StatusDeleted {
		lb.pending = nil
		lb.deletedAt = at
		if c.cfg.keepDeletedVIPs {
			lb.deletedVIPs = c.vipsOfLocked(lb)
		}
		c.releaseVIPsLocked(lb)
		if c.cfg.durations.Purge > 0 {
			lb.purgeAt = at.Add(c.cfg.durations.Purge)
		}
	}
}

// changedLocked records an accepted change: the load balancer goes to
// PENDING_UPDATE (or ERROR, with lb_error_state) and back to ACTIVE when
// its PendingUpdate time has passed.
func (c *CLB) changedLocked(lb *loadBalancer, now time.Time) {
	e := c.effectiveLocked(lb)
	lb.Updated = now
	switch {
	case e.errorOnChange:
		lb.Status = StatusError
	case e.stuck:
		lb.Status = StatusPendingUpdate
	case e.pendingUpdate <= 0:
		lb.Status = StatusActive
	default:
		lb.Status = StatusPendingUpdate
		lb.schedule(now.Add(e.pendingUpdate), StatusActive)
	}
}

// mutableLocked answers why a change cannot be made now, or nil: only an
// ACTIVE load balancer accepts changes.
func mutableLocked(lb *loadBalancer) error {
	switch lb.Status {
	case StatusActive:
		return nil
	case StatusDeleted:
		return kit.Errorf(http.StatusUnprocessableEntity, msgLBDeleted)
	}
	return immutable(lb.ID, lb.Status)
}

// lookupLocked finds a tenant's load balancer, settled to now.
func (c *CLB) lookupLocked(tenant string, id int) *loadBalancer {
	lb, ok := c.lbs[id]
	if !ok || lb.Tenant != tenant {
		return nil
	}
	if !c.settleLocked(lb, c.Now()) {
		return nil
	}
	return lb
}

// lbFromPath resolves {lb_id}: 404 when unknown or another tenant's.
func (c *CLB) lbFromPath(call *kit.Call) (*loadBalancer, error) {
	id, err := strconv.Atoi(call.Var("lb_id"))
	if err != nil {
		return nil, lbNotFound()
	}
	lb := c.lookupLocked(tenantOf(call), id)
	if lb == nil {
		return nil, lbNotFound()
	}
	return lb, nil
}

// liveLBFromPath is lbFromPath for sub-resources: a DELETED load balancer
// answers 410.
func (c *CLB) liveLBFromPath(call *kit.Call) (*loadBalancer, error) {
	lb, err := c.lbFromPath(call)
	if err != nil {
		return nil, err
	}
	if lb.Status == StatusDeleted {
		return nil, lbGone()
	}
	return lb, nil
}

// mutableLBFromPath is lbFromPath for changes: the load balancer must be
// ACTIVE (422 otherwise, the API's "considered immutable").
func (c *CLB) mutableLBFromPath(call *kit.Call) (*loadBalancer, error) {
	lb, err := c.lbFromPath(call)
	if err != nil {
		return nil, err
	}
	if err := mutableLocked(lb); err != nil {
		return nil, err
	}
	return lb, nil
}

// setNodeStatusLocked changes a node's status and records the node service
// event the API reports for it.
func (c *CLB) setNodeStatusLocked(lb *loadBalancer, n *node, status, detail string, at time.Time) {
	if n.Status == status {
		return
	}
	n.Status = status
	c.seq.event++
	lb.nodeEvents = append(lb.nodeEvents, NodeEvent{
		ID: c.seq.event, LoadBalancerID: lb.ID, NodeID: n.ID,
		Title:           "Node Status Updated",
		Description:     fmt.Sprintf("Node '%d' status changed to '%s' for load balancer '%d'", n.ID, status, lb.ID),
		DetailedMessage: detail,
		Type:            "UPDATE_NODE", Category: "UPDATE", Severity: "INFO",
		Created: at,
	})
}

// statusNames are the statuses SetLoadBalancerStatus and Mimic's control API accept.
var statusNames = []string{StatusActive, StatusBuild, StatusError, StatusPendingDelete, StatusPendingUpdate, StatusSuspended, StatusDeleted}

func knownStatus(s string) bool {
	for _, n := range statusNames {
		if n == s {
			return true
		}
	}
	return false
}

// SetLoadBalancerStatus puts a load balancer into a status at once, cancelling whatever
// was pending (a build, an update): Mimic's "set LB status" lever. The
// status sticks until it is set again; DELETED releases the virtual IPs.
func (c *CLB) SetLoadBalancerStatus(id int, status string) error {
	status = strings.ToUpper(status)
	if !knownStatus(status) {
		return fmt.Errorf("loadbalancer: %q is not a load balancer status", status)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, ok := c.lbs[id]
	if !ok || !c.settleLocked(lb, c.Now()) {
		return fmt.Errorf("loadbalancer: no load balancer %d", id)
	}
	c.setStatusLocked(lb, status)
	return nil
}

func (c *CLB) setStatusLocked(lb *loadBalancer, status string) {
	lb.pending = nil
	if status != StatusDeleted && lb.Status == StatusDeleted {
		lb.purgeAt, lb.deletedAt = time.Time{}, time.Time{}
	}
	c.enterLocked(lb, status, c.Now())
}

// ScheduleLoadBalancerStatus puts a load balancer into a status after d on
// the shared clock, unless SetLoadBalancerStatus changes it first: "this load balancer goes into
// ERROR in ten minutes".
func (c *CLB) ScheduleLoadBalancerStatus(id int, status string, d time.Duration) error {
	status = strings.ToUpper(status)
	if !knownStatus(status) {
		return fmt.Errorf("loadbalancer: %q is not a load balancer status", status)
	}
	if d < 0 {
		return fmt.Errorf("loadbalancer: negative delay %v", d)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, ok := c.lbs[id]
	if !ok || !c.settleLocked(lb, c.Now()) {
		return fmt.Errorf("loadbalancer: no load balancer %d", id)
	}
	lb.schedule(c.Now().Add(d), status)
	return nil
}

// SetBehavior gives an existing load balancer a Behavior (replacing any it
// had). Presets in its metadata still win.
func (c *CLB) SetBehavior(id int, b Behavior) error {
	if err := b.validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, ok := c.lbs[id]
	if !ok {
		return fmt.Errorf("loadbalancer: no load balancer %d", id)
	}
	lb.behavior = b
	return nil
}

func (b Behavior) validate() error {
	if b.Build < 0 || b.PendingUpdate < 0 || b.PendingDelete < 0 {
		return fmt.Errorf("loadbalancer: behavior durations must not be negative")
	}
	return nil
}

// AddCreateBehavior registers a behavior for load balancers created from
// now on and returns the stored copy, its ID set.
func (c *CLB) AddCreateBehavior(b CreateBehavior) (CreateBehavior, error) {
	if err := b.Behavior.validate(); err != nil {
		return CreateBehavior{}, err
	}
	b.ID = ""
	cb := createBehavior{tenant: b.Tenant, b: b.Behavior, spec: b}
	if b.Name != "" {
		re, err := regexp.Compile(`^(?:` + b.Name + `)$`)
		if err != nil {
			return CreateBehavior{}, fmt.Errorf("loadbalancer: name criterion: %v", err)
		}
		cb.name = re
	}
	b.ID = c.behaviors.Add(cb)
	return b, nil
}

// CreateBehaviors returns the registered behaviors, in the order they are
// tried.
func (c *CLB) CreateBehaviors() []CreateBehavior {
	return kit.Snapshot(c.behaviors, func(id string, b createBehavior) CreateBehavior {
		spec := b.spec
		spec.ID = id
		return spec
	})
}

// RemoveCreateBehavior unregisters a behavior; it reports whether it existed.
func (c *CLB) RemoveCreateBehavior(id string) bool { return c.behaviors.Remove(id) }

// createBehavior is the Behavior of the first registered CreateBehavior
// that matches a new load balancer, or the zero Behavior. It runs outside
// the service's lock.
func (c *CLB) createBehavior(tenant, name string) Behavior {
	var out Behavior
	c.behaviors.First(func(_ string, cb createBehavior) bool {
		if cb.matches(tenant, name) {
			out = cb.b
			return true
		}
		return false
	})
	return out
}

// SetNodeStatus sets a node's status as a health check would: OFFLINE is a
// failed check, ONLINE a passing one. The change is recorded as a node
// service event; the load balancer's status does not change. A node taken
// OFFLINE stays so until set ONLINE again.
func (c *CLB) SetNodeStatus(lbID, nodeID int, status string) error {
	status = strings.ToUpper(status)
	if status != NodeOnline && status != NodeOffline {
		return fmt.Errorf("loadbalancer: node status must be ONLINE or OFFLINE, not %q", status)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, n, err := c.nodeForControlLocked(lbID, nodeID)
	if err != nil {
		return err
	}
	c.forceNodeStatusLocked(lb, n, status)
	return nil
}

func (c *CLB) forceNodeStatusLocked(lb *loadBalancer, n *node, status string) {
	n.onlineAt = time.Time{}
	detail := "Node is working"
	if status == NodeOffline {
		detail = "Connect failed"
		if lb.HealthMonitor != nil && lb.HealthMonitor.Type != "CONNECT" {
			detail = "Response didn't match the expected status or body"
		}
	}
	c.setNodeStatusLocked(lb, n, status, detail, c.Now())
}

// SetNodeCondition changes a node's condition directly, without the API's
// PENDING_UPDATE (a lever for tests, not something the API offers).
func (c *CLB) SetNodeCondition(lbID, nodeID int, condition string) error {
	condition = strings.ToUpper(condition)
	if !validCondition(condition) {
		return fmt.Errorf("loadbalancer: %q is not a node condition", condition)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, n, err := c.nodeForControlLocked(lbID, nodeID)
	if err != nil {
		return err
	}
	n.Condition = condition
	return nil
}

func (c *CLB) nodeForControlLocked(lbID, nodeID int) (*loadBalancer, *node, error) {
	lb, ok := c.lbs[lbID]
	if !ok || !c.settleLocked(lb, c.Now()) {
		return nil, nil, fmt.Errorf("loadbalancer: no load balancer %d", lbID)
	}
	n := lb.node(nodeID)
	if n == nil {
		return nil, nil, fmt.Errorf("loadbalancer: load balancer %d has no node %d", lbID, nodeID)
	}
	return lb, n, nil
}

// SetStats sets the counters /stats reports for a load balancer.
func (c *CLB) SetStats(id int, s Stats) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	lb, ok := c.lbs[id]
	if !ok {
		return fmt.Errorf("loadbalancer: no load balancer %d", id)
	}
	lb.Stats = s
	return nil
}

func validCondition(s string) bool {
	return s == ConditionEnabled || s == ConditionDisabled || s == ConditionDraining
}

// Presets describes the Mimic metadata presets a load balancer honours, in
// the form Mimic's GET /mimic/v1.0/presets lists them under
// "loadbalancers".
func Presets() map[string]string {
	return map[string]string{
		"lb_building":       "On create load balancer, keeps the load balancer in building state for given seconds",
		"lb_error_state":    "Puts the LB in error state, and such an LB can only be deleted",
		"lb_pending_update": "Changes the load balancer to PENDING-UPDATE state for the given number of seconds, any action other than delete is performed on the server",
		"lb_pending_delete": "Changes the load balancer to PENDING-DELETE state for the given seconds, when deleted",
	}
}
