package mesos

import (
	"fmt"
	"maps"
	"sort"
	"time"
)

// addAgentLocked registers an agent; the caller has validated ac.
func (m *Master) addAgentLocked(ac AgentConfig) *agent {
	seq := m.agentSeq
	m.agentSeq++
	a := &agent{
		seq:        seq,
		id:         fmt.Sprintf("%s-S%d", m.masterID, seq),
		hostname:   ac.Hostname,
		port:       ac.Port,
		ip:         ac.IP,
		attrs:      attributesOf(ac.Attributes),
		attrMap:    maps.Clone(ac.Attributes),
		total:      rolePools{},
		used:       rolePools{},
		offered:    rolePools{},
		state:      AgentRegistered,
		registered: m.Now(),
		tasks:      map[*task]struct{}{},
		offers:     map[*offer]struct{}{},
		executors:  map[execKey]*executor{},
	}
	a.wid = idp(a.id)
	if a.hostname == "" {
		a.hostname = fmt.Sprintf("agent-%d.mesos.test", seq)
	}
	if a.port == 0 {
		a.port = 5051
	}
	if a.ip == "" {
		a.ip = fmt.Sprintf("10.0.%d.%d", seq/250, seq%250+1)
	}
	a.netInfos = []wNetworkInfo{{IPAddresses: []wIPAddress{{Protocol: "IPv4", IPAddress: a.ip}}}}
	m.setAgentResources(a, ac.Resources, ac.Reserved)
	m.agents[a.id] = a
	m.agentList = append(m.agentList, a)
	return a
}

func (m *Master) setAgentResources(a *agent, unreserved Resources, reserved map[string]Resources) {
	a.total = rolePools{}
	if p := poolFromResources(unreserved); !p.empty() {
		a.total["*"] = p
	}
	for role, r := range reserved {
		if p := poolFromResources(r); !p.empty() {
			a.total[role] = p
		}
	}
}

func (m *Master) agentLocked(id string) (*agent, error) {
	a := m.agents[id]
	if a == nil {
		return nil, fmt.Errorf("mesos: no agent %q", id)
	}
	return a, nil
}

// AddAgent registers a new agent, as an agent process starting would: an
// AGENT_ADDED event, and its resources offered on the next allocation. It
// returns the agent with its generated ID.
func (m *Master) AddAgent(ac AgentConfig) (Agent, error) {
	if err := ac.validate(); err != nil {
		return Agent{}, fmt.Errorf("mesos: %v", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.addAgentLocked(ac.clone())
	m.publishLocked(func() *opEvent {
		return &opEvent{Type: "AGENT_ADDED", AgentAdded: &opAgentAdded{Agent: m.wireAgentLocked(a)}}
	})
	m.requestAllocationLocked()
	return m.agentInfoLocked(a), nil
}

// RemoveAgent makes an agent unreachable, as when it fails its health
// checks: its offers are rescinded (RESCIND), every framework gets a
// FAILURE event, its tasks become TASK_UNREACHABLE (TASK_LOST for
// frameworks that are not PARTITION_AWARE), and operator subscribers see
// AGENT_REMOVED. RestoreAgent brings it back.
func (m *Master) RemoveAgent(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.agentLocked(id)
	if err != nil {
		return err
	}
	if a.state != AgentRegistered {
		return fmt.Errorf("mesos: agent %s is already %s", id, a.state)
	}
	m.removeAgentLocked(a, false)
	return nil
}

// MarkAgentGone is the operator's MARK_AGENT_GONE: the agent will never
// return, and its tasks become TASK_GONE_BY_OPERATOR (TASK_LOST for
// frameworks that are not PARTITION_AWARE). It works on registered and on
// unreachable agents.
func (m *Master) MarkAgentGone(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.agentLocked(id)
	if err != nil {
		return err
	}
	return m.markGoneLocked(a)
}

func (m *Master) markGoneLocked(a *agent) error {
	switch a.state {
	case AgentGone:
		return fmt.Errorf("mesos: agent %s is already gone", a.id)
	case AgentRegistered:
		m.removeAgentLocked(a, true)
		return nil
	}
	// Unreachable: its unreachable tasks are now gone for good.
	a.state = AgentGone
	for _, fw := range m.fwList {
		for _, t := range sortedTasks(fw.unreachable) {
			if t.agent != a {
				continue
			}
			state := TaskGoneByOperator
			reason := "REASON_AGENT_REMOVED_BY_OPERATOR"
			if !fw.partitionAware() {
				state, reason = TaskLost, "REASON_AGENT_REMOVED"
			}
			m.transitionLocked(t, state, "SOURCE_MASTER", reason, "Agent has been marked gone", false)
			m.removeTaskLocked(t)
		}
	}
	return nil
}

// removeAgentLocked takes a registered agent away, unreachable or gone.
func (m *Master) removeAgentLocked(a *agent, gone bool) {
	now := m.Now()
	a.state = AgentUnreachable
	if gone {
		a.state = AgentGone
	}
	a.unreachable = now
	for _, o := range sortedOfferSet(a.offers) {
		m.rescindOfferLocked(o, true)
	}
	for _, t := range sortedTaskSet(a.tasks) {
		if t.removed || t.fw.unreachable[t.id] == t {
			continue
		}
		m.dropUpdatesLocked(t)
		if t.state.Terminal() {
			// Finished, but its terminal update never got acknowledged: the
			// agent that would resend it is gone.
			m.removeTaskLocked(t)
			continue
		}
		before := t.state
		pa := t.fw.partitionAware()
		switch {
		case gone:
			state, reason := TaskGoneByOperator, "REASON_AGENT_REMOVED_BY_OPERATOR"
			if !pa {
				state, reason = TaskLost, "REASON_AGENT_REMOVED"
			}
			m.transitionLocked(t, state, "SOURCE_MASTER", reason, "Agent has been marked gone", false)
			m.removeTaskLocked(t)
		default:
			state := TaskUnreachable
			if !pa {
				state = TaskLost
			}
			m.transitionUnreachableLocked(t, state, now)
			t.before, t.agentLost = before, true
			m.makeUnreachableLocked(t)
		}
	}
	for k, e := range a.executors {
		a.used.sub(e.res)
		if fw := m.frameworks[e.fwID]; fw != nil {
			e.res.subScalarsFrom(fw.usedTotal)
		}
		delete(a.executors, k)
	}
	for _, fw := range m.fwList {
		m.sendLocked(fw, &schedEvent{Type: "FAILURE", Failure: &evFailure{AgentID: idp(a.id)}})
	}
	m.publishLocked(func() *opEvent {
		return &opEvent{Type: "AGENT_REMOVED", AgentRemoved: &opAgentRemoved{AgentID: wID{Value: a.id}}}
	})
}

// transitionUnreachableLocked reports a task on an unreachable agent,
// with the time the agent became unreachable.
func (m *Master) transitionUnreachableLocked(t *task, state TaskState, at time.Time) {
	t.statusExtra = nanos(at)
	m.transitionLocked(t, state, "SOURCE_MASTER", "REASON_AGENT_REMOVED", "health check timed out", false)
	t.statusExtra = nil
}

// RestoreAgent brings an unreachable agent back, as when it reregisters:
// its tasks return to the state they were in (each framework gets an
// UPDATE with REASON_AGENT_REREGISTERED) and carry on with their emulated
// lives, and its resources are offered again. Gone agents cannot return.
func (m *Master) RestoreAgent(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.agentLocked(id)
	if err != nil {
		return err
	}
	if a.state != AgentUnreachable {
		return fmt.Errorf("mesos: agent %s is %s, not unreachable", id, a.state)
	}
	now := m.Now()
	a.state = AgentRegistered
	a.reregistered = now
	a.unreachable = time.Time{}
	for _, fw := range m.fwList {
		for _, t := range sortedTasks(fw.unreachable) {
			if t.agent != a || !t.agentLost {
				continue
			}
			t.agentLost = false
			delete(fw.unreachable, t.id)
			fw.tasks[t.id] = t
			t.released = false
			a.used.add(t.res)
			t.res.addScalarsTo(fw.usedTotal)
			if t.exec != nil {
				k := execKey{fw.id, t.executorID}
				e := a.executors[k]
				if e == nil {
					r, _ := poolsFromWire(t.exec.Resources)
					e = &executor{info: *t.exec, fwID: fw.id, res: r, container: t.execContainer()}
					a.executors[k] = e
					a.used.add(r)
					r.addScalarsTo(fw.usedTotal)
				}
				e.tasks++
			}
			state := t.before
			if state == "" {
				state = TaskRunning
			}
			m.transitionLocked(t, state, "SOURCE_MASTER", "REASON_AGENT_REREGISTERED", "Unreachable agent re-reregistered", false)
			m.resumeLifecycleLocked(t)
		}
	}
	m.publishLocked(func() *opEvent {
		return &opEvent{Type: "AGENT_ADDED", AgentAdded: &opAgentAdded{Agent: m.wireAgentLocked(a)}}
	})
	m.requestAllocationLocked()
	return nil
}

// SetAgentResources changes what an agent has, as an agent restarted with
// other --resources would: a resource shortage when it shrinks. Its
// outstanding offers are rescinded; running tasks keep what they hold,
// and nothing more is offered until usage falls below the new total.
func (m *Master) SetAgentResources(id string, unreserved Resources, reserved map[string]Resources) error {
	ac := AgentConfig{Resources: unreserved, Reserved: reserved}
	if err := ac.validate(); err != nil {
		return fmt.Errorf("mesos: %v", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.agentLocked(id)
	if err != nil {
		return err
	}
	for _, o := range sortedOfferSet(a.offers) {
		m.rescindOfferLocked(o, true)
	}
	m.setAgentResources(a, unreserved.clone(), ac.clone().Reserved)
	m.requestAllocationLocked()
	return nil
}

// DeactivateAgent stops offering an agent's resources (its offers are
// rescinded); its tasks keep running. ReactivateAgent undoes it.
func (m *Master) DeactivateAgent(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.agentLocked(id)
	if err != nil {
		return err
	}
	m.deactivateLocked(a)
	return nil
}

func (m *Master) deactivateLocked(a *agent) {
	a.deactivated = true
	for _, o := range sortedOfferSet(a.offers) {
		m.rescindOfferLocked(o, true)
	}
}

// ReactivateAgent offers a deactivated agent's resources again.
func (m *Master) ReactivateAgent(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := m.agentLocked(id)
	if err != nil {
		return err
	}
	a.deactivated = false
	m.requestAllocationLocked()
	return nil
}

// Failover simulates the leading master failing over to a new one: every
// scheduler and operator stream ends (the connection closes with no
// ERROR), outstanding offers and allocator state (filters, suppressions)
// are lost, and frameworks must SUBSCRIBE again with their IDs; until they
// do, their calls get 403. Agents and their tasks survive, and status
// updates not yet acknowledged are resent by the agents after their retry
// interval. The new master has a new ID and elected time.
func (m *Master) Failover() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	now := m.Now()
	for _, fw := range m.fwList {
		if fw.sub != nil {
			m.endStreamLocked(fw.sub)
			fw.sub = nil
			fw.unregistered = now
		}
		if fw.failoverEv != nil {
			fw.failoverEv.Stop()
			fw.failoverEv = nil
		}
		fw.recovered = true
		for _, o := range m.sortedOffers(fw.offers) {
			m.removeOfferLocked(o)
		}
		fw.filters = map[filterKey]*filter{}
		fw.suppressed = map[string]bool{}
	}
	for _, s := range append([]*subscription(nil), m.opSubs...) {
		m.endStreamLocked(s)
	}
	for _, a := range m.agentList {
		if a.state == AgentRegistered {
			a.reregistered = now
		}
	}
	m.masterID = m.RNG().UUID()
	m.electedTime = now
}

func sortedOfferSet(set map[*offer]struct{}) []*offer {
	out := make([]*offer, 0, len(set))
	for o := range set {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// masterInfoLocked is the MasterInfo of the leading master, as the v1
// APIs render it (SUBSCRIBED, GET_MASTER).
func (m *Master) masterInfoLocked() *wMasterInfo {
	return &wMasterInfo{
		ID:           m.masterID,
		IP:           16777343, // 127.0.0.1, in the network byte order Mesos stores
		Port:         m.cfg.Port,
		PID:          fmt.Sprintf("master@127.0.0.1:%d", m.cfg.Port),
		Hostname:     m.cfg.Hostname,
		Version:      m.cfg.Version,
		Address:      &wAddress{Hostname: m.cfg.Hostname, IP: "127.0.0.1", Port: m.cfg.Port},
		Capabilities: masterCapabilitiesV1,
	}
}

// The master's capabilities. A 1.11 master has AGENT_UPDATE,
// AGENT_DRAINING and QUOTA_V2 (MASTER_CAPABILITIES in
// src/master/constants.cpp), and the v0 /master/state lists all three by
// name. The v1 mesos.proto of 1.11 knows only AGENT_UPDATE = 1 and
// AGENT_DRAINING = 2: the master turns its v0 MasterInfo into the v1 one
// by serializing and parsing it (evolve), which leaves QUOTA_V2 = 3 as an
// unknown field of its Capability, so the v1 JSON has an empty object in
// its place.
var (
	masterCapabilitiesV0 = []string{"AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"}
	masterCapabilitiesV1 = []wMasterCapability{{Type: "AGENT_UPDATE"}, {Type: "AGENT_DRAINING"}, {}}
)

var agentCapabilities = []wAgentCapability{
	{Type: "MULTI_ROLE"}, {Type: "HIERARCHICAL_ROLE"}, {Type: "RESERVATION_REFINEMENT"},
	{Type: "RESOURCE_PROVIDER"}, {Type: "RESIZE_VOLUME"}, {Type: "AGENT_OPERATION_FEEDBACK"},
	{Type: "AGENT_DRAINING"}, {Type: "TASK_RESOURCE_LIMITS"},
}

func (a *agent) pid() string { return fmt.Sprintf("slave(1)@%s:%d", a.ip, a.port) }

func (m *Master) wireAgentInfoLocked(a *agent) wAgentInfo {
	return wAgentInfo{Hostname: a.hostname, Port: a.port, Resources: a.total.wire(resourceFormat{}),
		Attributes: a.attrs, ID: idp(a.id)}
}

// wireAgentLocked renders an agent as GET_AGENTS's Agent.
func (m *Master) wireAgentLocked(a *agent) wAgent {
	return wAgent{
		AgentInfo:          m.wireAgentInfoLocked(a),
		Active:             a.state == AgentRegistered && !a.deactivated,
		Deactivated:        a.deactivated,
		Version:            m.cfg.Version,
		PID:                a.pid(),
		RegisteredTime:     nanos(a.registered),
		ReregisteredTime:   nanos(a.reregistered),
		TotalResources:     a.total.wire(resourceFormat{}),
		AllocatedResources: m.allocatedWire(a.used),
		OfferedResources:   m.allocatedWire(a.offered),
		Capabilities:       agentCapabilities,
	}
}

func (m *Master) allocatedWire(rp rolePools) []wResource {
	return rp.wire(resourceFormat{})
}

func (m *Master) agentInfoLocked(a *agent) Agent {
	out := Agent{
		ID: a.id, Hostname: a.hostname, Port: a.port, IP: a.ip, State: a.state, Deactivated: a.deactivated,
		Resources: a.total["*"].toResources(), Used: a.used.sum().toResources(), Offered: a.offered.sum().toResources(),
		Attributes: maps.Clone(a.attrMap), Registered: a.registered,
	}
	for _, role := range a.total.sortedRoles() {
		if role == "*" {
			continue
		}
		if out.Reserved == nil {
			out.Reserved = map[string]Resources{}
		}
		out.Reserved[role] = a.total[role].toResources()
	}
	for t := range a.tasks {
		if !t.state.Terminal() {
			out.Tasks++
		}
	}
	return out
}
