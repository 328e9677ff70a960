//lint:file-ignore ST1005 the errors here carry the Mesos master's own messages, capitalised as it writes them: clients see them as plain-text bodies.

package mesos

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// defaultRefuse is Filters.refuse_seconds's default; maxRefuse is the cap
// the master applies.
const (
	defaultRefuse = 5 * time.Second
	maxRefuse     = 365 * 24 * time.Hour
)

// allocate is the allocation run the clock calls AllocationInterval after
// something changed.
func (m *Master) allocate() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.allocEv = nil
	if m.closed {
		return
	}
	m.allocateLocked()
}

// allocationCandidate is a role of a framework that offers can go to.
type allocationCandidate struct {
	fw   *framework
	role string
}

// allocateLocked offers every agent's free resources, agent by agent, as
// the hierarchical DRF allocator does: to the role with the lowest
// dominant share among the connected frameworks' unsuppressed roles, and
// within it to the framework with the lowest share, skipping what filters
// refuse. Each framework gets one OFFERS event per run, as the master
// batches them.
func (m *Master) allocateLocked() {
	fws, cands, roles := m.allocationCandidatesLocked()
	if len(cands) == 0 {
		return
	}
	now := m.Now()
	shares := m.newSharesLocked(roles)
	batches := map[*framework][]*offer{}
	for _, a := range m.agentList {
		if a.state != AgentRegistered || a.deactivated {
			continue
		}
		if len(cands) > 1 {
			shares.order(cands)
		}
		for _, c := range cands {
			avail := a.free(c.role)
			if avail.empty() || !allocatable(avail.sum()) || m.filteredLocked(c.fw, a, c.role, avail, now) {
				continue
			}
			o := m.newOfferLocked(c.fw, a, c.role, avail, now)
			batches[c.fw] = append(batches[c.fw], o)
			shares.offered(c.role, avail)
		}
	}
	m.sendOffersLocked(fws, batches)
}

// allocationCandidatesLocked lists the frameworks that can get offers,
// their roles that can, and the set of those roles.
func (m *Master) allocationCandidatesLocked() ([]*framework, []allocationCandidate, map[string]bool) {
	var fws []*framework
	var cands []allocationCandidate
	roles := map[string]bool{}
	for _, fw := range m.fwList {
		if !fw.connected() || fw.completed {
			continue
		}
		fws = append(fws, fw)
		for _, role := range fw.roles {
			if !fw.suppressed[role] {
				cands = append(cands, allocationCandidate{fw, role})
				roles[role] = true
			}
		}
	}
	return fws, cands, roles
}

// shares are the dominant resource shares an allocation run orders
// candidates by.
type shares struct {
	totalCPU, totalMem float64
	// roleHeld is what each role holds, only needed (and kept) to order
	// several roles.
	roleHeld map[string]*pool
}

func (m *Master) newSharesLocked(roles map[string]bool) *shares {
	s := &shares{}
	for _, a := range m.agentList {
		if a.state == AgentRegistered {
			sum := a.total.sum()
			s.totalCPU += sum.scalar("cpus")
			s.totalMem += sum.scalar("mem")
		}
	}
	if len(roles) <= 1 {
		return s
	}
	s.roleHeld = map[string]*pool{}
	for r := range roles {
		s.roleHeld[r] = newPool()
	}
	for _, fw := range m.fwList {
		for _, t := range fw.tasks {
			if p := s.roleHeld[t.role]; p != nil && !t.released {
				p.add(t.res.sum())
			}
		}
		for _, o := range fw.offers {
			if p := s.roleHeld[o.role]; p != nil {
				p.add(o.res.sum())
			}
		}
	}
	return s
}

// dominant is p's dominant share of the cluster.
func (s *shares) dominant(p *pool) float64 {
	d := 0.0
	if s.totalCPU > 0 {
		d = p.scalar("cpus") / s.totalCPU
	}
	if s.totalMem > 0 {
		d = math.Max(d, p.scalar("mem")/s.totalMem)
	}
	return d
}

// offered counts an offer to role.
func (s *shares) offered(role string, res rolePools) {
	if s.roleHeld != nil {
		s.roleHeld[role].add(res.sum())
	}
}

// order sorts the candidates: roles by their share, then name; within a
// role, frameworks by their share, then age.
func (s *shares) order(cands []allocationCandidate) {
	rs, fs := map[string]float64{}, map[*framework]float64{}
	for _, c := range cands {
		if s.roleHeld != nil {
			rs[c.role] = s.dominant(s.roleHeld[c.role])
		}
		held := c.fw.usedTotal.clone()
		held.add(c.fw.offeredTotal)
		fs[c.fw] = s.dominant(held)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		ci, cj := cands[i], cands[j]
		if rs[ci.role] != rs[cj.role] {
			return rs[ci.role] < rs[cj.role]
		}
		if ci.role != cj.role {
			return ci.role < cj.role
		}
		if fs[ci.fw] != fs[cj.fw] {
			return fs[ci.fw] < fs[cj.fw]
		}
		return ci.fw.seq < cj.fw.seq
	})
}

// sendOffersLocked sends each framework its offers of the run in one
// OFFERS event.
func (m *Master) sendOffersLocked(fws []*framework, batches map[*framework][]*offer) {
	for _, fw := range fws {
		offers := batches[fw]
		if len(offers) == 0 {
			continue
		}
		ev := &evOffers{Offers: make([]wOffer, 0, len(offers))}
		for _, o := range offers {
			ev.Offers = append(ev.Offers, m.offerEventLocked(o))
		}
		m.metrics.offersSent += int64(len(offers))
		m.sendLocked(fw, &schedEvent{Type: "OFFERS", Offers: ev})
	}
}

func (m *Master) newOfferLocked(fw *framework, a *agent, role string, res rolePools, now time.Time) *offer {
	o := &offer{seq: m.offerSeq, id: fmt.Sprintf("%s-O%d", m.masterID, m.offerSeq), fw: fw, agent: a, role: role, res: res, created: now}
	m.offerSeq++
	a.offered.add(res)
	res.addScalarsTo(fw.offeredTotal)
	a.offers[o] = struct{}{}
	fw.offers[o.id] = o
	m.offers[o.id] = o
	if m.cfg.OfferTimeout > 0 {
		o.timeout = m.Clock().AfterFunc(m.cfg.OfferTimeout, func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if m.closed || m.offers[o.id] != o {
				return
			}
			m.rescindOfferLocked(o, true)
		})
	}
	return o
}

// removeOfferLocked forgets an offer; its resources become free again.
func (m *Master) removeOfferLocked(o *offer) {
	if m.offers[o.id] != o {
		return
	}
	delete(m.offers, o.id)
	delete(o.fw.offers, o.id)
	delete(o.agent.offers, o)
	o.agent.offered.sub(o.res)
	o.res.subScalarsFrom(o.fw.offeredTotal)
	if o.timeout != nil {
		o.timeout.Stop()
		o.timeout = nil
	}
}

// rescindOfferLocked withdraws an offer, telling the framework with a
// RESCIND event when notify is set, and lets the allocator reuse it.
func (m *Master) rescindOfferLocked(o *offer, notify bool) {
	if m.offers[o.id] != o {
		return
	}
	m.removeOfferLocked(o)
	m.metrics.offersResc++
	if notify {
		m.sendLocked(o.fw, &schedEvent{Type: "RESCIND", Rescind: &evRescind{OfferID: wID{Value: o.id}}})
	}
	m.requestAllocationLocked()
}

func (m *Master) sortedOffers(set map[string]*offer) []*offer {
	out := make([]*offer, 0, len(set))
	for _, o := range set {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// filteredLocked reports whether fw refused resources like avail on a
// recently: a filter holds while it has not expired and avail is no more
// than what was refused, as the hierarchical allocator's filters do.
func (m *Master) filteredLocked(fw *framework, a *agent, role string, avail rolePools, now time.Time) bool {
	k := filterKey{a.id, role}
	f := fw.filters[k]
	if f == nil {
		return false
	}
	if !now.Before(f.expires) {
		delete(fw.filters, k)
		return false
	}
	return f.refused.contains(avail)
}

// addFilterLocked refuses leftover resources for d, and arranges for an
// allocation run when the filter expires.
func (m *Master) addFilterLocked(fw *framework, a *agent, role string, refused rolePools, d time.Duration) {
	if d <= 0 || refused.empty() {
		return
	}
	k := filterKey{a.id, role}
	f := &filter{refused: refused.clone(), expires: m.Now().Add(d)}
	if old := fw.filters[k]; old != nil && old.expires.After(f.expires) {
		f.expires = old.expires
	}
	fw.filters[k] = f
	m.Clock().AfterFunc(d, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.requestAllocationLocked()
	})
}

// refuseFor reads Filters.refuse_seconds as the master does: default 5
// seconds, invalid or negative values replaced by the default, capped at a
// year.
func refuseFor(f *wFilters) time.Duration {
	if f == nil || f.RefuseSeconds == nil {
		return defaultRefuse
	}
	s := float64(*f.RefuseSeconds)
	if math.IsNaN(s) || s < 0 {
		return defaultRefuse
	}
	if s*float64(time.Second) >= float64(maxRefuse) {
		return maxRefuse
	}
	return time.Duration(s * float64(time.Second))
}

// declineLocked is DECLINE: the offers' resources are refused for
// refuse_seconds. Unknown offers are ignored, as the master does.
func (m *Master) declineLocked(fw *framework, ids []wID, filters *wFilters) {
	d := refuseFor(filters)
	for _, id := range ids {
		o := fw.offers[id.Value]
		if o == nil {
			continue
		}
		m.removeOfferLocked(o)
		m.metrics.offersDecl++
		m.addFilterLocked(fw, o.agent, o.role, o.res, d)
	}
	m.requestAllocationLocked()
}

// reviveLocked is REVIVE: roles leave suppression and lose their filters.
func (m *Master) reviveLocked(fw *framework, rc *rolesCall) {
	roles := fw.roles
	if rc != nil && len(rc.Roles) > 0 {
		roles = rc.Roles
	}
	for _, r := range roles {
		delete(fw.suppressed, r)
		for k := range fw.filters {
			if k.role == r {
				delete(fw.filters, k)
			}
		}
	}
	m.requestAllocationLocked()
}

// suppressLocked is SUPPRESS: no more offers for the roles (all of the
// framework's when none are named). Outstanding offers stay.
func (m *Master) suppressLocked(fw *framework, rc *rolesCall) {
	roles := fw.roles
	if rc != nil && len(rc.Roles) > 0 {
		roles = rc.Roles
	}
	mine := map[string]bool{}
	for _, r := range fw.roles {
		mine[r] = true
	}
	for _, r := range roles {
		if mine[r] {
			fw.suppressed[r] = true
		}
	}
}

// acceptLocked is ACCEPT: validate the offers, run the operations in
// order against their pooled resources, and refuse what is left over for
// refuse_seconds.
func (m *Master) acceptLocked(fw *framework, ac *acceptCall) {
	offers, err := m.acceptedOffersLocked(fw, ac.OfferIDs)
	if err != nil {
		m.refuseAcceptLocked(fw, ac, err)
		return
	}
	a, role := offers[0].agent, offers[0].role
	avail := rolePools{}
	for _, o := range offers {
		avail.add(o.res)
		m.removeOfferLocked(o)
	}
	n := 0
	for _, op := range ac.Operations {
		if op.Launch != nil {
			n += len(op.Launch.TaskInfos)
		}
	}
	launching := make(map[string]bool, n) // sized once, not grown task by task
	for _, op := range ac.Operations {
		switch op.Type {
		case "LAUNCH":
			if op.Launch == nil {
				continue
			}
			for j := range op.Launch.TaskInfos {
				m.launchLocked(fw, a, role, op.Launch.TaskInfos[j:j+1], nil, avail, launching)
			}
		case "LAUNCH_GROUP":
			lg := op.LaunchGroup
			if lg == nil || lg.TaskGroup == nil {
				continue
			}
			m.launchLocked(fw, a, role, lg.TaskGroup.Tasks, lg.Executor, avail, launching)
		case "":
			// An unknown operation type parses as UNKNOWN and is ignored.
		default:
			m.dropOperationLocked(fw, op, "mockcloud's Mesos master does not emulate "+op.Type+" operations")
		}
	}
	m.addFilterLocked(fw, a, role, avail, refuseFor(ac.Filters))
	m.requestAllocationLocked()
}

// acceptedOffersLocked checks the offers of an ACCEPT as the master does:
// there are some, each once, still outstanding to fw, all of one agent and
// one role.
func (m *Master) acceptedOffersLocked(fw *framework, ids []wID) ([]*offer, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("No offers specified")
	}
	var offers []*offer
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id.Value] {
			return nil, fmt.Errorf("Duplicate offer %s in ACCEPT", id.Value)
		}
		seen[id.Value] = true
		o := m.offers[id.Value]
		if o == nil || o.fw != fw {
			return nil, fmt.Errorf("Offer %s is no longer valid", id.Value)
		}
		if len(offers) > 0 {
			if first := offers[0]; o.role != first.role {
				return nil, fmt.Errorf("Aggregated offers must be allocated to the same role. Offer %s uses role '%s but another is using role '%s",
					o.id, o.role, first.role)
			} else if o.agent != first.agent {
				return nil, fmt.Errorf("Aggregated offers must belong to one single agent. Offer %s uses agent %s and agent %s",
					o.id, o.agent.id, first.agent.id)
			}
		}
		offers = append(offers, o)
	}
	return offers, nil
}

// refuseAcceptLocked answers an ACCEPT of invalid offers: the valid ones
// among them are recovered, the tasks it would launch are lost (dropped,
// for a PARTITION_AWARE framework), its other operations are dropped.
func (m *Master) refuseAcceptLocked(fw *framework, ac *acceptCall, verr error) {
	for _, id := range ac.OfferIDs {
		if o := m.offers[id.Value]; o != nil && o.fw == fw {
			m.removeOfferLocked(o)
		}
	}
	lost := TaskLost
	if fw.partitionAware() {
		lost = TaskDropped
	}
	for _, op := range ac.Operations {
		var tasks []wTaskInfo
		switch {
		case op.Type == "LAUNCH" && op.Launch != nil:
			tasks = op.Launch.TaskInfos
		case op.Type == "LAUNCH_GROUP" && op.LaunchGroup != nil && op.LaunchGroup.TaskGroup != nil:
			tasks = op.LaunchGroup.TaskGroup.Tasks
		default:
			m.dropOperationLocked(fw, op, "Operation attempted with invalid offers: "+verr.Error())
			continue
		}
		for _, ti := range tasks {
			m.masterUpdateLocked(fw, ti.TaskID.val(), ti.AgentID.val(), lost, "REASON_INVALID_OFFERS",
				"Task launched with invalid offers: "+verr.Error())
		}
	}
	m.requestAllocationLocked()
}

// dropOperationLocked answers an operation the master will not apply: an
// UPDATE_OPERATION_STATUS with OPERATION_ERROR when the scheduler asked for
// feedback (set an operation ID), nothing otherwise.
func (m *Master) dropOperationLocked(fw *framework, op wOperation, msg string) {
	if op.ID == nil || op.ID.Value == "" {
		return
	}
	m.sendLocked(fw, &schedEvent{Type: "UPDATE_OPERATION_STATUS", UpdateOperationStatus: &evOpStatus{
		Status: wOperationStatus{OperationID: idp(op.ID.Value), State: "OPERATION_ERROR", Message: msg},
	}})
}

// wireOfferLocked renders an offer as the master keeps it (GET_FRAMEWORKS):
// allocated to its role, resources in the endpoint format.
func (m *Master) wireOfferLocked(o *offer) wOffer {
	return m.renderOfferLocked(o, resourceFormat{allocationRole: o.role, reservations: endpointFormat})
}

// offerEventLocked renders an offer as the master sends it to its
// framework (Master::offer): for a framework without the MULTI_ROLE
// capability without allocation_info, on the offer and on its resources
// (MESOS-8237), and with reservations in the pre- or post-refinement
// format as the framework has RESERVATION_REFINEMENT or not.
func (m *Master) offerEventLocked(o *offer) wOffer {
	f := resourceFormat{reservations: preRefinementFormat}
	if o.fw.caps["RESERVATION_REFINEMENT"] {
		f.reservations = postRefinementFormat
	}
	if o.fw.caps["MULTI_ROLE"] {
		f.allocationRole = o.role
	}
	return m.renderOfferLocked(o, f)
}

func (m *Master) renderOfferLocked(o *offer, f resourceFormat) wOffer {
	a := o.agent
	w := wOffer{
		ID:          wID{Value: o.id},
		FrameworkID: wID{Value: o.fw.id},
		AgentID:     wID{Value: a.id},
		Hostname:    a.hostname,
		URL: &wURL{Scheme: "http", Address: wAddress{Hostname: a.hostname, IP: a.ip, Port: a.port},
			Path: "/slave(1)"},
		Resources:  o.res.wire(f),
		Attributes: a.attrs,
	}
	if f.allocationRole != "" {
		w.AllocationInfo = &wAllocationInfo{Role: f.allocationRole}
	}
	var execs []string
	for k := range a.executors {
		if k.fw == o.fw.id {
			execs = append(execs, k.id)
		}
	}
	sort.Strings(execs)
	for _, e := range execs {
		w.ExecutorIDs = append(w.ExecutorIDs, wID{Value: e})
	}
	return w
}
