//lint:file-ignore ST1005 the errors here carry the Mesos master's own messages, capitalised as it writes them: clients see them as plain-text bodies.

package mesos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/mockcloud/mockcloud/kit"
)

// schedCall is mesos.v1.scheduler.Call.
type schedCall struct {
	FrameworkID                *wID           `json:"framework_id" pb:"1"`
	Type                       string         `json:"type" pb:"2,scheduler.Call.Type"`
	Subscribe                  *subscribeCall `json:"subscribe" pb:"3"`
	Accept                     *acceptCall    `json:"accept" pb:"4"`
	Decline                    *declineCall   `json:"decline" pb:"5"`
	AcceptInverseOffers        *inverseCall   `json:"accept_inverse_offers" pb:"13"`
	DeclineInverseOffers       *inverseCall   `json:"decline_inverse_offers" pb:"14"`
	Revive                     *rolesCall     `json:"revive" pb:"15"`
	Kill                       *killCall      `json:"kill" pb:"6"`
	Shutdown                   *shutdownCall  `json:"shutdown" pb:"7"`
	Acknowledge                *ackCall       `json:"acknowledge" pb:"8"`
	AcknowledgeOperationStatus rawMsg         `json:"acknowledge_operation_status" pb:"17"`
	Reconcile                  *reconcileCall `json:"reconcile" pb:"9"`
	ReconcileOperations        rawMsg         `json:"reconcile_operations" pb:"18"`
	Message                    *messageCall   `json:"message" pb:"10"`
	Request                    *requestCall   `json:"request" pb:"11"`
	Suppress                   *rolesCall     `json:"suppress" pb:"16"`
	UpdateFramework            *subscribeCall `json:"update_framework" pb:"19"`
}

type subscribeCall struct {
	FrameworkInfo    *wFrameworkInfo `json:"framework_info" pb:"1"`
	SuppressedRoles  []string        `json:"suppressed_roles" pb:"2"`
	OfferConstraints rawMsg          `json:"offer_constraints" pb:"3"`
	Force            *pbBool         `json:"force"`
}

type acceptCall struct {
	OfferIDs   []wID        `json:"offer_ids" pb:"1"`
	Operations []wOperation `json:"operations" pb:"2"`
	Filters    *wFilters    `json:"filters" pb:"3"`
}

type declineCall struct {
	OfferIDs []wID     `json:"offer_ids" pb:"1"`
	Filters  *wFilters `json:"filters" pb:"2"`
}

type inverseCall struct {
	InverseOfferIDs []wID     `json:"inverse_offer_ids" pb:"1"`
	Filters         *wFilters `json:"filters" pb:"2"`
}

type rolesCall struct {
	Roles []string `json:"roles" pb:"1"`
}

type killCall struct {
	TaskID     *wID         `json:"task_id" pb:"1"`
	AgentID    *wID         `json:"agent_id" pb:"2"`
	KillPolicy *wKillPolicy `json:"kill_policy" pb:"3"`
}

type shutdownCall struct {
	ExecutorID *wID `json:"executor_id" pb:"1"`
	AgentID    *wID `json:"agent_id" pb:"2"`
}

type ackCall struct {
	AgentID *wID     `json:"agent_id" pb:"1"`
	TaskID  *wID     `json:"task_id" pb:"2"`
	UUID    *pbBytes `json:"uuid" pb:"3"`
}

type reconcileTask struct {
	TaskID  *wID `json:"task_id" pb:"1"`
	AgentID *wID `json:"agent_id" pb:"2"`
}

type reconcileCall struct {
	Tasks []reconcileTask `json:"tasks" pb:"1"`
}

type messageCall struct {
	AgentID    *wID     `json:"agent_id" pb:"1"`
	ExecutorID *wID     `json:"executor_id" pb:"2"`
	Data       *pbBytes `json:"data" pb:"3"`
}

type requestCall struct {
	Requests []struct {
		AgentID   *wID        `json:"agent_id" pb:"1"`
		Resources []wResource `json:"resources" pb:"2"`
	} `json:"requests" pb:"1"`
}

// Scheduler call types the master knows: scheduler.Call.Type of the v1
// scheduler.proto.
var schedCallTypes = []string{
	"UNKNOWN", "SUBSCRIBE", "TEARDOWN", "ACCEPT", "DECLINE", "ACCEPT_INVERSE_OFFERS", "DECLINE_INVERSE_OFFERS",
	"REVIVE", "KILL", "SHUTDOWN", "ACKNOWLEDGE", "ACKNOWLEDGE_OPERATION_STATUS", "RECONCILE",
	"RECONCILE_OPERATIONS", "MESSAGE", "REQUEST", "SUPPRESS", "UPDATE_FRAMEWORK",
}

// decodeCall decodes a call body in its codec. The master parses
// protobuf with ParseFromString, which fails alike on malformed bytes and
// on missing required fields (see incompleteCall).
func decodeCall(cd codec, body []byte, v any) *kit.Error {
	if cd == codecJSON {
		return unmarshalCall(body, v)
	}
	if unmarshalPB(body, v) != nil {
		return badRequest("Failed to parse body into Call protobuf")
	}
	return nil
}

// incompleteCall is the answer to a call missing required fields.
func incompleteCall(cd codec, missing error) *kit.Error {
	if cd == codecProtobuf {
		return badRequest("Failed to parse body into Call protobuf")
	}
	return convertError("Call", missing)
}

// unmarshalCall decodes a call body as the master does in two steps:
// first the body must be JSON ("Failed to parse body into JSON"), then it
// must convert to the Call message ("Failed to convert JSON into Call
// protobuf"). encoding/json checks the syntax of the whole body before it
// decodes anything, so one pass tells the two apart.
func unmarshalCall(body []byte, v any) *kit.Error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("Failed to parse body into JSON: syntax error at line 1 near: ")
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return badRequest("Failed to parse body into JSON: %s", jsonSyntaxMessage(err))
	}
	return convertError("Call", err)
}

func jsonSyntaxMessage(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("syntax error at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	}
	if err == nil {
		return "invalid JSON"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// convertError renders a JSON-to-protobuf conversion failure.
func convertError(kind string, err error) *kit.Error {
	msg := err.Error()
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := typ.Field
		if i := strings.LastIndex(field, "."); i >= 0 {
			field = field[i+1:]
		}
		v := typ.Value
		if v == "bool" {
			v = "boolean"
		}
		if field == "" {
			msg = "Expecting a JSON object"
		} else {
			msg = fmt.Sprintf("Not expecting a JSON %s for field '%s'", v, field)
		}
	}
	return badRequest("Failed to convert JSON into %s protobuf: %s", kind, strings.TrimPrefix(msg, "json: "))
}

// decodeSchedulerCall parses a body into a Call as the master does, with
// the master's error messages.
func decodeSchedulerCall(cd codec, body []byte) (*schedCall, *kit.Error) {
	var c schedCall
	// The common JSON ACCEPT is read directly (fastcall.go).
	if cd != codecJSON || !decodeCallFast(body, &c) {
		if err := decodeCall(cd, body, &c); err != nil {
			return nil, err
		}
	}
	if !knownEnum(c.Type, schedCallTypes...) {
		// An unknown value of an optional enum is dropped, as proto2 does.
		c.Type = ""
	}
	var m missing
	m.optionalID("framework_id", c.FrameworkID)
	if s := c.Subscribe; s != nil {
		m.frameworkInfo("subscribe.framework_info", s.FrameworkInfo)
	}
	if s := c.UpdateFramework; s != nil {
		m.frameworkInfo("update_framework.framework_info", s.FrameworkInfo)
	}
	if a := c.Accept; a != nil {
		m.acceptCall(a)
	}
	if c.Decline != nil {
		m.ids("decline.offer_ids", c.Decline.OfferIDs)
	}
	if c.AcceptInverseOffers != nil {
		m.ids("accept_inverse_offers.inverse_offer_ids", c.AcceptInverseOffers.InverseOfferIDs)
	}
	if c.DeclineInverseOffers != nil {
		m.ids("decline_inverse_offers.inverse_offer_ids", c.DeclineInverseOffers.InverseOfferIDs)
	}
	if k := c.Kill; k != nil {
		m.id("kill.task_id", k.TaskID)
		m.optionalID("kill.agent_id", k.AgentID)
	}
	if s := c.Shutdown; s != nil {
		m.id("shutdown.executor_id", s.ExecutorID)
		m.id("shutdown.agent_id", s.AgentID)
	}
	if a := c.Acknowledge; a != nil {
		m.id("acknowledge.agent_id", a.AgentID)
		m.id("acknowledge.task_id", a.TaskID)
		if a.UUID == nil {
			m.add("acknowledge.uuid")
		}
	}
	if r := c.Reconcile; r != nil {
		for i, t := range r.Tasks {
			p := fmt.Sprintf("reconcile.tasks[%d]", i)
			m.id(p+".task_id", t.TaskID)
			m.optionalID(p+".agent_id", t.AgentID)
		}
	}
	if msg := c.Message; msg != nil {
		m.id("message.agent_id", msg.AgentID)
		m.id("message.executor_id", msg.ExecutorID)
		if msg.Data == nil {
			m.add("message.data")
		}
	}
	if r := c.Request; r != nil {
		for i, q := range r.Requests {
			m.optionalID(fmt.Sprintf("request.requests[%d].agent_id", i), q.AgentID)
			m.resources(fmt.Sprintf("request.requests[%d].resources", i), q.Resources)
		}
	}
	if err := m.err(); err != nil {
		return nil, incompleteCall(cd, err)
	}
	if err := c.badEnums(); err != nil {
		return nil, convertError("Call", err)
	}
	return &c, nil
}

// acceptCall checks the required fields of an ACCEPT.
func (m *missing) acceptCall(a *acceptCall) {
	m.ids("accept.offer_ids", a.OfferIDs)
	for i, op := range a.Operations {
		p := "accept.operations[" + strconv.Itoa(i) + "]"
		m.optionalID(p+".id", op.ID)
		if op.Launch != nil {
			for j := range op.Launch.TaskInfos {
				if t := &op.Launch.TaskInfos[j]; !t.complete() {
					m.taskInfo(fmt.Sprintf("%s.launch.task_infos[%d]", p, j), *t)
				}
			}
		}
		if lg := op.LaunchGroup; lg != nil {
			m.launchGroup(p+".launch_group", lg)
		}
	}
}

// launchGroup checks the required fields of a LAUNCH_GROUP operation.
func (m *missing) launchGroup(p string, lg *wLaunchGroup) {
	if lg.Executor == nil {
		m.add(p + ".executor")
	} else {
		m.executorInfo(p+".executor", lg.Executor)
	}
	if lg.TaskGroup == nil {
		m.add(p + ".task_group")
		return
	}
	for j, t := range lg.TaskGroup.Tasks {
		m.taskInfo(fmt.Sprintf("%s.task_group.tasks[%d]", p, j), t)
	}
}

// badEnums reports a required enum field with a value the proto does not
// define: Resource.type.
func (c *schedCall) badEnums() error {
	check := func(rs []wResource) error {
		for _, r := range rs {
			if r.Type != "" && !knownEnum(r.Type, "SCALAR", "RANGES", "SET", "TEXT") {
				return fmt.Errorf("Failed to find enum for '%s'", r.Type)
			}
		}
		return nil
	}
	checkTask := func(t wTaskInfo) error {
		if err := check(t.Resources); err != nil {
			return err
		}
		if t.Executor != nil {
			return check(t.Executor.Resources)
		}
		return nil
	}
	if a := c.Accept; a != nil {
		for _, op := range a.Operations {
			if op.Launch != nil {
				for _, t := range op.Launch.TaskInfos {
					if err := checkTask(t); err != nil {
						return err
					}
				}
			}
			if lg := op.LaunchGroup; lg != nil {
				if lg.Executor != nil {
					if err := check(lg.Executor.Resources); err != nil {
						return err
					}
				}
				if lg.TaskGroup != nil {
					for _, t := range lg.TaskGroup.Tasks {
						if err := checkTask(t); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

// validate is validation::scheduler::call::validate.
func (c *schedCall) validate() error {
	if c.Type == "" {
		return fmt.Errorf("Expecting 'type' to be present")
	}
	if c.Type == "SUBSCRIBE" {
		if c.Subscribe == nil {
			return fmt.Errorf("Expecting 'subscribe' to be present")
		}
		if c.Subscribe.FrameworkInfo.ID.val() != c.FrameworkID.val() {
			return fmt.Errorf("'framework_id' differs from 'subscribe.framework_info.id'")
		}
		return nil
	}
	if c.FrameworkID == nil {
		return fmt.Errorf("Expecting 'framework_id' to be present")
	}
	needs := map[string]bool{
		"ACCEPT": c.Accept != nil, "DECLINE": c.Decline != nil,
		"ACCEPT_INVERSE_OFFERS": c.AcceptInverseOffers != nil, "DECLINE_INVERSE_OFFERS": c.DeclineInverseOffers != nil,
		"KILL": c.Kill != nil, "SHUTDOWN": c.Shutdown != nil, "ACKNOWLEDGE": c.Acknowledge != nil,
		"ACKNOWLEDGE_OPERATION_STATUS": c.AcknowledgeOperationStatus.set(), "RECONCILE": c.Reconcile != nil,
		"RECONCILE_OPERATIONS": c.ReconcileOperations.set(), "MESSAGE": c.Message != nil,
		"REQUEST": c.Request != nil, "UPDATE_FRAMEWORK": c.UpdateFramework != nil,
	}
	if present, listed := needs[c.Type]; listed && !present {
		return fmt.Errorf("Expecting '%s' to be present", strings.ToLower(c.Type))
	}
	switch c.Type {
	case "ACKNOWLEDGE":
		if !validUUID(*c.Acknowledge.UUID) {
			return fmt.Errorf("Not a valid UUID")
		}
	case "UPDATE_FRAMEWORK":
		if c.FrameworkID.val() != c.UpdateFramework.FrameworkInfo.ID.val() {
			return fmt.Errorf("'framework_id' differs from 'update_framework.framework_info.id'")
		}
	}
	return nil
}

func validUUID(b []byte) bool {
	if len(b) != 16 {
		return false
	}
	u, err := uuid.FromBytes(b)
	return err == nil && u.Version() != 0
}

// serveScheduler is POST /api/v1/scheduler: SUBSCRIBE opens an event
// stream, every other call is answered at once.
func (m *Master) serveScheduler(c *kit.Call) (kit.Reply, error) {
	call, err := parseSchedulerCall(c)
	if err != nil {
		return kit.Reply{}, err
	}
	if call.Type == "SUBSCRIBE" {
		return m.subscribe(c, call)
	}
	status, err := m.schedulerCall(c.Request, call)
	if err != nil {
		return kit.Reply{}, err
	}
	if status == http.StatusOK {
		return noContent(c, status), nil
	}
	return kit.Status(status), nil
}

// parseSchedulerCall makes the master's checks of a call, in its order:
// the method, the Content-Type, the body, the Call's own rules.
func parseSchedulerCall(c *kit.Call) (*schedCall, error) {
	if err := postOnly(c); err != nil {
		return nil, err
	}
	cd, err := requestCodec(c.Request)
	if err != nil {
		return nil, err
	}
	call, err := decodeSchedulerCall(cd, c.Body)
	if err != nil {
		return nil, err
	}
	if err := call.validate(); err != nil {
		return nil, badRequest("Failed to validate scheduler::Call: %s", err.Error())
	}
	return call, nil
}

// schedulerCall runs a call other than SUBSCRIBE under the lock.
func (m *Master) schedulerCall(r *http.Request, call *schedCall) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fw, err := m.callerLocked(r, call)
	if err != nil {
		return 0, err
	}
	return m.schedulerCallLocked(fw, call)
}

// callerLocked is the framework making a call, once the master has
// checked it is subscribed on the stream the call names.
func (m *Master) callerLocked(r *http.Request, call *schedCall) (*framework, error) {
	if m.closingLocked() {
		return nil, shuttingDown()
	}
	fw := m.frameworks[call.FrameworkID.Value]
	if fw == nil {
		return nil, badRequest("Framework cannot be found")
	}
	if !fw.connected() {
		return nil, kit.Errorf(http.StatusForbidden, "Framework is not subscribed")
	}
	ids, ok := r.Header["Mesos-Stream-Id"]
	if !ok {
		return nil, badRequest("All non-subscribe calls should include the 'Mesos-Stream-Id' header")
	}
	if len(ids) == 0 || ids[0] != fw.sub.streamID {
		got := ""
		if len(ids) > 0 {
			got = ids[0]
		}
		return nil, badRequest("The stream ID '%s' included in this request didn't match the stream ID currently associated with framework ID %s", got, fw.id)
	}
	return fw, nil
}

// schedulerCallLocked runs a non-SUBSCRIBE call of fw: 202, or 200 for
// UPDATE_FRAMEWORK.
func (m *Master) schedulerCallLocked(fw *framework, call *schedCall) (int, error) {
	if call.Type == "UNKNOWN" {
		// The master answers a call of type UNKNOWN with an empty 501, once
		// it has found the framework.
		return http.StatusNotImplemented, nil
	}
	m.metrics.calls[call.Type]++
	switch call.Type {
	case "TEARDOWN":
		m.removeFrameworkLocked(fw)
	case "ACCEPT":
		m.acceptLocked(fw, call.Accept)
	case "DECLINE":
		m.declineLocked(fw, call.Decline.OfferIDs, call.Decline.Filters)
	case "ACCEPT_INVERSE_OFFERS", "DECLINE_INVERSE_OFFERS":
		// No maintenance, so no inverse offers: the IDs are unknown and,
		// as the master does with unknown inverse offers, ignored.
	case "REVIVE":
		m.reviveLocked(fw, call.Revive)
	case "SUPPRESS":
		m.suppressLocked(fw, call.Suppress)
	case "KILL":
		m.killLocked(fw, call.Kill)
	case "SHUTDOWN":
		m.shutdownExecutorLocked(fw, call.Shutdown.ExecutorID.Value, call.Shutdown.AgentID.Value)
	case "ACKNOWLEDGE":
		m.acknowledgeLocked(fw, call.Acknowledge.AgentID.Value, call.Acknowledge.TaskID.Value, *call.Acknowledge.UUID)
	case "ACKNOWLEDGE_OPERATION_STATUS", "RECONCILE_OPERATIONS":
		// Offer operations other than launches are not emulated, so there
		// is no operation status to acknowledge or reconcile.
	case "RECONCILE":
		m.reconcileLocked(fw, call.Reconcile.Tasks)
	case "MESSAGE":
		m.messages = append(m.messages, FrameworkMessage{
			FrameworkID: fw.id, AgentID: call.Message.AgentID.Value, ExecutorID: call.Message.ExecutorID.Value,
			Data: append([]byte(nil), *call.Message.Data...), Time: m.Now(),
		})
	case "REQUEST":
		// The hierarchical allocator ignores resource requests.
	case "UPDATE_FRAMEWORK":
		if err := m.updateFrameworkLocked(fw, call.UpdateFramework); err != nil {
			return 0, err
		}
		return http.StatusOK, nil
	}
	return http.StatusAccepted, nil
}

// subscribe handles SUBSCRIBE: it registers (or fails over, or refuses)
// the framework and answers with its event stream, served until it ends.
func (m *Master) subscribe(c *kit.Call, call *schedCall) (kit.Reply, error) {
	cd, kerr := responseCodec(c.Request)
	if kerr != nil {
		return kit.Reply{}, kerr
	}
	if _, ok := c.Request.Header["Mesos-Stream-Id"]; ok {
		return kit.Reply{}, badRequest("Subscribe calls should not include the 'Mesos-Stream-Id' header")
	}
	s, err := m.openFrameworkStream(call.Subscribe, cd)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.Stream(func(w http.ResponseWriter, r *http.Request) { m.serveStream(w, r, s) }), nil
}

// openFrameworkStream opens a scheduler's stream. An invalid subscription
// gets a stream that starts (and ends) with an ERROR event, as the
// master's.
func (m *Master) openFrameworkStream(sc *subscribeCall, cd codec) (*subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closingLocked() {
		return nil, shuttingDown()
	}
	m.metrics.calls["SUBSCRIBE"]++
	s := newSubscription(m.RNG().UUID(), false)
	s.codec = cd
	m.streams = append(m.streams, s)
	if err := m.subscribeLocked(s, sc); err != nil {
		s.enqueue(cd.marshal(errorEvent(err.Error())))
		m.endStreamLocked(s)
	}
	return s, nil
}

// normalizeFrameworkInfo checks a FrameworkInfo as the master does and
// fills the defaults it renders (failover_timeout, checkpoint, and role
// for frameworks that are not MULTI_ROLE).
func normalizeFrameworkInfo(in *wFrameworkInfo, suppressed []string) (wFrameworkInfo, []string, error) {
	fi := *in
	caps := map[string]bool{}
	for _, c := range fi.Capabilities {
		caps[c.Type] = true
	}
	var roles []string
	if caps["MULTI_ROLE"] {
		if fi.Role != nil {
			return fi, nil, fmt.Errorf("'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable")
		}
		seen := map[string]bool{}
		var dups []string
		for _, r := range fi.Roles {
			if seen[r] {
				dups = append(dups, r)
			}
			seen[r] = true
			if err := validRole(r); err != nil {
				return fi, nil, fmt.Errorf("'FrameworkInfo.roles' contains invalid role: %v", err)
			}
		}
		if len(dups) > 0 {
			return fi, nil, fmt.Errorf("'FrameworkInfo.roles' contains duplicate items: %s", stringifySet(dups))
		}
		roles = append(roles, fi.Roles...)
	} else {
		if len(fi.Roles) > 0 {
			return fi, nil, fmt.Errorf("'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable")
		}
		role := "*"
		if fi.Role != nil {
			role = *fi.Role
		}
		if err := validRole(role); err != nil {
			return fi, nil, fmt.Errorf("'FrameworkInfo.role' is not a valid role: %v", err)
		}
		roles = []string{role}
		fi.Role = &role
	}
	if fi.FailoverTimeout == nil {
		z := pbDouble(0)
		fi.FailoverTimeout = &z
	}
	if ft := float64(*fi.FailoverTimeout); math.IsNaN(ft) || math.IsInf(ft, 0) || math.Abs(ft) > 9.2e9 {
		return fi, nil, fmt.Errorf("The framework failover_timeout (%v) is invalid", ft)
	}
	if fi.Checkpoint == nil {
		f := pbBool(false)
		fi.Checkpoint = &f
	}
	inRoles := map[string]bool{}
	for _, r := range roles {
		inRoles[r] = true
	}
	var bad []string
	for _, r := range suppressed {
		if !inRoles[r] {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 {
		return fi, nil, fmt.Errorf("Suppressed roles %s are not contained in the set of roles", stringifySet(bad))
	}
	fi.Roles = append([]string(nil), fi.Roles...)
	fi.Capabilities = append([]wFrameworkCapability(nil), fi.Capabilities...)
	return fi, roles, nil
}

func stringifySet(items []string) string {
	s := append([]string(nil), items...)
	sort.Strings(s)
	return "{ " + strings.Join(s, ", ") + " }"
}

// subscribeLocked registers a new framework, fails an existing one over to
// stream s, or reports why the subscription is refused.
func (m *Master) subscribeLocked(s *subscription, sc *subscribeCall) error {
	info, roles, err := normalizeFrameworkInfo(sc.FrameworkInfo, sc.SuppressedRoles)
	if err != nil {
		return err
	}
	now := m.Now()
	id := info.ID.val()
	if id != "" && m.isCompletedLocked(id) {
		return fmt.Errorf("Framework has been removed")
	}
	fw := m.frameworks[id]
	added := false
	if fw == nil {
		if id == "" {
			id = fmt.Sprintf("%s-%04d", m.masterID, m.fwSeq)
		}
		fw = &framework{
			seq: m.fwSeq, id: id, registered: now,
			tasks: map[string]*task{}, unreachable: map[string]*task{}, offers: map[string]*offer{},
			filters: map[filterKey]*filter{}, usedTotal: newPool(), offeredTotal: newPool(),
		}
		m.fwSeq++
		m.frameworks[id] = fw
		m.fwList = append(m.fwList, fw)
		added = true
	} else {
		if err := validateFrameworkUpdate(&fw.info, &info); err != nil {
			return err
		}
		// Changes of user and checkpoint are ignored on resubscription.
		info.User, info.Checkpoint = fw.info.User, fw.info.Checkpoint
		if old := fw.sub; old != nil {
			old.enqueue(old.codec.marshal(errorEvent("Framework failed over")))
			m.metrics.events["ERROR"]++
			m.endStreamLocked(old)
			fw.sub = nil
		}
		// Offers made to the old scheduler instance are recovered, not
		// rescinded: the new instance never saw them.
		for _, o := range m.sortedOffers(fw.offers) {
			m.removeOfferLocked(o)
		}
		fw.reregistered = now
	}
	info.ID = idp(fw.id)
	m.applyFrameworkInfoLocked(fw, info, roles, sc.SuppressedRoles)
	fw.recovered = false
	fw.unregistered = time.Time{}
	if fw.failoverEv != nil {
		fw.failoverEv.Stop()
		fw.failoverEv = nil
	}
	fw.sub = s
	s.fw = fw
	m.sendLocked(fw, &schedEvent{Type: "SUBSCRIBED", Subscribed: &evSubscribed{
		FrameworkID:              wID{Value: fw.id},
		HeartbeatIntervalSeconds: m.cfg.HeartbeatInterval.Seconds(),
		MasterInfo:               m.masterInfoLocked(),
	}})
	m.metrics.events["HEARTBEAT"]++
	s.enqueue(s.codec.heartbeat(false))
	m.startHeartbeatLocked(s)
	if added {
		m.publishLocked(func() *opEvent {
			return &opEvent{Type: "FRAMEWORK_ADDED", FrameworkAdded: &opFrameworkEvent{Framework: m.wireFrameworkLocked(fw)}}
		})
	} else {
		m.publishLocked(func() *opEvent {
			return &opEvent{Type: "FRAMEWORK_UPDATED", FrameworkUpdated: &opFrameworkEvent{Framework: m.wireFrameworkLocked(fw)}}
		})
	}
	m.requestAllocationLocked()
	return nil
}

// validateFrameworkUpdate is validation::framework::validateUpdate.
func validateFrameworkUpdate(old, nu *wFrameworkInfo) error {
	op, np := "", ""
	if old.Principal != nil {
		op = "\x00" + *old.Principal
	}
	if nu.Principal != nil {
		np = "\x00" + *nu.Principal
	}
	if op != np {
		return fmt.Errorf("Changing framework's principal is not allowed.")
	}
	return nil
}

// applyFrameworkInfoLocked installs a (re)subscribed or updated
// FrameworkInfo: roles, capabilities and suppressed roles. Offers to roles
// the framework left are rescinded; roles that leave suppression lose
// their filters.
func (m *Master) applyFrameworkInfoLocked(fw *framework, info wFrameworkInfo, roles, suppressed []string) {
	fw.info = info
	fw.caps = map[string]bool{}
	for _, c := range info.Capabilities {
		fw.caps[c.Type] = true
	}
	inRoles := map[string]bool{}
	for _, r := range roles {
		inRoles[r] = true
	}
	for _, o := range m.sortedOffers(fw.offers) {
		if !inRoles[o.role] {
			m.rescindOfferLocked(o, true)
		}
	}
	newSup := map[string]bool{}
	for _, r := range suppressed {
		newSup[r] = true
	}
	for k := range fw.filters {
		if fw.suppressed[k.role] && !newSup[k.role] || !inRoles[k.role] {
			delete(fw.filters, k)
		}
	}
	fw.roles = roles
	fw.suppressed = newSup
}

// updateFrameworkLocked is UPDATE_FRAMEWORK.
func (m *Master) updateFrameworkLocked(fw *framework, uc *subscribeCall) error {
	info, roles, err := normalizeFrameworkInfo(uc.FrameworkInfo, uc.SuppressedRoles)
	if err != nil {
		return badRequest("%s", err.Error())
	}
	if err := validateFrameworkUpdate(&fw.info, &info); err != nil {
		return badRequest("%s", err.Error())
	}
	if deref(info.User) != deref(fw.info.User) {
		return badRequest("Updating 'FrameworkInfo.user' is unsupported; attempted to update from '%s' to '%s'",
			deref(fw.info.User), deref(info.User))
	}
	if bool(*info.Checkpoint) != bool(*fw.info.Checkpoint) {
		return badRequest("Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '%t' to '%t'",
			bool(*fw.info.Checkpoint), bool(*info.Checkpoint))
	}
	info.ID = idp(fw.id)
	m.applyFrameworkInfoLocked(fw, info, roles, uc.SuppressedRoles)
	m.publishLocked(func() *opEvent {
		return &opEvent{Type: "FRAMEWORK_UPDATED", FrameworkUpdated: &opFrameworkEvent{Framework: m.wireFrameworkLocked(fw)}}
	})
	m.requestAllocationLocked()
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (m *Master) isCompletedLocked(id string) bool {
	for _, f := range m.completed {
		if f.id == id {
			return true
		}
	}
	return false
}

// disconnectLocked handles a scheduler whose stream broke: it is
// deactivated, its offers are recovered, and after its failover_timeout
// it is removed unless it resubscribes first.
func (m *Master) disconnectLocked(fw *framework) {
	if fw.sub != nil {
		m.endStreamLocked(fw.sub)
		fw.sub = nil
	}
	fw.unregistered = m.Now()
	for _, o := range m.sortedOffers(fw.offers) {
		m.rescindOfferLocked(o, false)
	}
	m.publishLocked(func() *opEvent {
		return &opEvent{Type: "FRAMEWORK_UPDATED", FrameworkUpdated: &opFrameworkEvent{Framework: m.wireFrameworkLocked(fw)}}
	})
	timeout := secondsDuration(float64(*fw.info.FailoverTimeout))
	fw.failoverEv = m.Clock().AfterFunc(timeout, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.closed || fw.completed || fw.connected() || fw.failoverEv == nil {
			return
		}
		fw.failoverEv = nil
		m.removeFrameworkLocked(fw)
	})
	m.requestAllocationLocked()
}

// removeFrameworkLocked tears a framework down: its tasks are killed, its
// offers recovered, its stream closed, and it moves to the completed
// frameworks.
func (m *Master) removeFrameworkLocked(fw *framework) {
	if fw.completed {
		return
	}
	if fw.sub != nil {
		m.endStreamLocked(fw.sub)
		fw.sub = nil
	}
	if fw.failoverEv != nil {
		fw.failoverEv.Stop()
		fw.failoverEv = nil
	}
	for _, o := range m.sortedOffers(fw.offers) {
		m.rescindOfferLocked(o, false)
	}
	for _, t := range sortedTasks(fw.tasks) {
		if !t.state.Terminal() {
			m.transitionLocked(t, TaskKilled, "SOURCE_MASTER", "REASON_FRAMEWORK_REMOVED", "Framework "+fw.id+" removed", false)
		}
		m.dropUpdatesLocked(t)
		m.removeTaskLocked(t)
	}
	for _, t := range sortedTasks(fw.unreachable) {
		m.removeTaskLocked(t)
	}
	for k, e := range m.executorsOf(fw) {
		if a := m.agents[k.agent]; a != nil {
			a.used.sub(e.res)
			delete(a.executors, execKey{fw.id, k.id})
		}
	}
	fw.completed = true
	if fw.unregistered.IsZero() {
		fw.unregistered = m.Now()
	}
	delete(m.frameworks, fw.id)
	for i, f := range m.fwList {
		if f == fw {
			m.fwList = append(m.fwList[:i:i], m.fwList[i+1:]...)
			break
		}
	}
	m.completed = append(m.completed, fw)
	if over := len(m.completed) - m.cfg.MaxCompletedFrameworks; over > 0 {
		m.completed = append([]*framework(nil), m.completed[over:]...)
	}
	m.publishLocked(func() *opEvent {
		return &opEvent{Type: "FRAMEWORK_REMOVED", FrameworkRemoved: &opFrameworkRemoved{FrameworkInfo: fw.info}}
	})
	m.requestAllocationLocked()
}

type agentExec struct {
	agent string
	id    string
}

func (m *Master) executorsOf(fw *framework) map[agentExec]*executor {
	out := map[agentExec]*executor{}
	for _, a := range m.agentList {
		for k, e := range a.executors {
			if k.fw == fw.id {
				out[agentExec{a.id, k.id}] = e
			}
		}
	}
	return out
}

// secondsDuration converts a (validated) number of seconds.
func secondsDuration(s float64) time.Duration {
	if s <= 0 || math.IsNaN(s) {
		return 0
	}
	if s > 9.2e9 {
		s = 9.2e9
	}
	return time.Duration(s * float64(time.Second))
}
