package mesos_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/mesos"
)

// Each scheduler call is its own op in the journal, named by its type;
// a body that names no known call keeps mesos.scheduler.
func TestSchedulerCallOps(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("ops")
	calls := []struct{ typ, op string }{
		{"ACCEPT", mesos.OpSchedulerAccept},
		{"DECLINE", mesos.OpSchedulerDecline},
		{"ACCEPT_INVERSE_OFFERS", mesos.OpSchedulerAcceptInverseOffers},
		{"DECLINE_INVERSE_OFFERS", mesos.OpSchedulerDeclineInverseOffers},
		{"REVIVE", mesos.OpSchedulerRevive},
		{"KILL", mesos.OpSchedulerKill},
		{"SHUTDOWN", mesos.OpSchedulerShutdown},
		{"ACKNOWLEDGE", mesos.OpSchedulerAcknowledge},
		{"ACKNOWLEDGE_OPERATION_STATUS", mesos.OpSchedulerAcknowledgeOperationStatus},
		{"RECONCILE", mesos.OpSchedulerReconcile},
		{"RECONCILE_OPERATIONS", mesos.OpSchedulerReconcileOperations},
		{"MESSAGE", mesos.OpSchedulerMessage},
		{"REQUEST", mesos.OpSchedulerRequest},
		{"SUPPRESS", mesos.OpSchedulerSuppress},
		{"UPDATE_FRAMEWORK", mesos.OpSchedulerUpdateFramework},
		{"UNKNOWN", mesos.OpSchedulerUnknown},
		{"TEARDOWN", mesos.OpSchedulerTeardown},
		{"NAPPING", mesos.OpScheduler},
	}
	want := []string{mesos.OpSchedulerSubscribe}
	for _, c := range calls {
		// Without their members most are invalid (400); the op is named
		// all the same. TEARDOWN, valid, comes last.
		a.call(s, fmt.Sprintf(`{"framework_id":{"value":%q},"type":%q}`, fw, c.typ))
		want = append(want, c.op)
	}
	for _, body := range []string{`{"framework_id":{"value":"x"}}`, `{"type":7}`, `not json`, ``} {
		a.call(s, body)
		want = append(want, mesos.OpScheduler)
	}
	// Only POSTs are calls; a protobuf body is read as protobuf.
	a.do("GET", "/api/v1/scheduler", `{"type":"DECLINE"}`)
	a.do("POST", "/api/v1/scheduler", `{"type":"DECLINE"}`, "Content-Type", "application/x-protobuf")
	a.do("POST", "/api/v1/scheduler", "\x10\x04", "Content-Type", "application/x-protobuf")
	want = append(want, mesos.OpScheduler, mesos.OpScheduler, mesos.OpSchedulerDecline)
	fake.CheckOps(t, a.srv.Requests(), want...)
}

// Each operator call is its own op too, under /api/v1 and /master/api/v1.
func TestOperatorCallOps(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	types := []struct{ typ, op string }{
		{"GET_HEALTH", mesos.OpOperatorGetHealth}, {"GET_FLAGS", mesos.OpOperatorGetFlags},
		{"GET_VERSION", mesos.OpOperatorGetVersion}, {"GET_METRICS", mesos.OpOperatorGetMetrics},
		{"GET_LOGGING_LEVEL", mesos.OpOperatorGetLoggingLevel}, {"SET_LOGGING_LEVEL", mesos.OpOperatorSetLoggingLevel},
		{"LIST_FILES", mesos.OpOperatorListFiles}, {"READ_FILE", mesos.OpOperatorReadFile},
		{"GET_STATE", mesos.OpOperatorGetState}, {"GET_AGENTS", mesos.OpOperatorGetAgents},
		{"GET_FRAMEWORKS", mesos.OpOperatorGetFrameworks}, {"GET_EXECUTORS", mesos.OpOperatorGetExecutors},
		{"GET_OPERATIONS", mesos.OpOperatorGetOperations}, {"GET_TASKS", mesos.OpOperatorGetTasks},
		{"GET_ROLES", mesos.OpOperatorGetRoles}, {"GET_WEIGHTS", mesos.OpOperatorGetWeights},
		{"UPDATE_WEIGHTS", mesos.OpOperatorUpdateWeights}, {"GET_MASTER", mesos.OpOperatorGetMaster},
		{"RESERVE_RESOURCES", mesos.OpOperatorReserveResources}, {"UNRESERVE_RESOURCES", mesos.OpOperatorUnreserveResources},
		{"CREATE_VOLUMES", mesos.OpOperatorCreateVolumes}, {"DESTROY_VOLUMES", mesos.OpOperatorDestroyVolumes},
		{"GROW_VOLUME", mesos.OpOperatorGrowVolume}, {"SHRINK_VOLUME", mesos.OpOperatorShrinkVolume},
		{"GET_MAINTENANCE_STATUS", mesos.OpOperatorGetMaintenanceStatus},
		{"GET_MAINTENANCE_SCHEDULE", mesos.OpOperatorGetMaintenanceSchedule},
		{"UPDATE_MAINTENANCE_SCHEDULE", mesos.OpOperatorUpdateMaintenanceSchedule},
		{"START_MAINTENANCE", mesos.OpOperatorStartMaintenance}, {"STOP_MAINTENANCE", mesos.OpOperatorStopMaintenance},
		{"DRAIN_AGENT", mesos.OpOperatorDrainAgent}, {"DEACTIVATE_AGENT", mesos.OpOperatorDeactivateAgent},
		{"REACTIVATE_AGENT", mesos.OpOperatorReactivateAgent}, {"GET_QUOTA", mesos.OpOperatorGetQuota},
		{"UPDATE_QUOTA", mesos.OpOperatorUpdateQuota}, {"SET_QUOTA", mesos.OpOperatorSetQuota},
		{"REMOVE_QUOTA", mesos.OpOperatorRemoveQuota}, {"TEARDOWN", mesos.OpOperatorTeardown},
		{"MARK_AGENT_GONE", mesos.OpOperatorMarkAgentGone}, {"UNKNOWN", mesos.OpOperatorUnknown},
		{"BOGUS", mesos.OpOperator},
	}
	var want []string
	for i, c := range types {
		path := "/api/v1"
		if i%2 == 1 {
			path = "/master/api/v1"
		}
		a.do("POST", path, fmt.Sprintf(`{"type":%q}`, c.typ))
		want = append(want, c.op)
	}
	op := a.subscribe("/api/v1/", `{"type":"SUBSCRIBE"}`)
	op.expect("SUBSCRIBED")
	want = append(want, mesos.OpOperatorSubscribe)
	fake.CheckOps(t, a.srv.Requests(), want...)
}

// A fault on one call's op faults that call only; "mesos.scheduler*"
// faults them all.
func TestFaultOneCall(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	s, fw := a.framework("faulted")
	h := a.srv.Inject(fake.Fault{Op: mesos.OpSchedulerDecline, Status: http.StatusServiceUnavailable})
	revive := fmt.Sprintf(`{"framework_id":{"value":%q},"type":"REVIVE"}`, fw)
	decline := fmt.Sprintf(`{"framework_id":{"value":%q},"type":"DECLINE","decline":{"offer_ids":[]}}`, fw)
	if r := a.call(s, revive); r.Status != http.StatusAccepted {
		t.Errorf("REVIVE: %d %s", r.Status, r.Body)
	}
	r := a.call(s, decline)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		string(r.Body) != "Service Unavailable (injected by mockcloud)" {
		t.Errorf("faulted DECLINE: %d %q %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if h.Hits() != 1 {
		t.Errorf("hits %d, want 1", h.Hits())
	}
	h.Remove()
	if r := a.call(s, decline); r.Status != http.StatusAccepted {
		t.Errorf("DECLINE after the fault: %d %s", r.Status, r.Body)
	}

	get := a.srv.Inject(fake.Fault{Op: mesos.OpOperatorGetState, Status: http.StatusInternalServerError, Times: 1})
	if r := a.do("POST", "/api/v1", `{"type":"GET_HEALTH"}`); r.Status != http.StatusOK {
		t.Errorf("GET_HEALTH: %d %s", r.Status, r.Body)
	}
	if r := a.do("POST", "/api/v1", `{"type":"GET_STATE"}`); r.Status != http.StatusInternalServerError {
		t.Errorf("faulted GET_STATE: %d %s", r.Status, r.Body)
	}
	if get.Hits() != 1 {
		t.Errorf("GET_STATE fault hits %d", get.Hits())
	}

	all := a.srv.Inject(fake.Fault{Op: "mesos.scheduler*", Status: http.StatusBadGateway})
	for _, body := range []string{revive, decline, `{"type":"NAPPING"}`} {
		if r := a.call(s, body); r.Status != http.StatusBadGateway {
			t.Errorf("%s under mesos.scheduler*: %d", body, r.Status)
		}
	}
	if r := a.do("POST", "/api/v1", `{"type":"GET_HEALTH"}`); r.Status != http.StatusOK {
		t.Errorf("GET_HEALTH under mesos.scheduler*: %d", r.Status)
	}
	all.Remove()
}

// Each control call is an op of its own: a fault can hit one of the four
// task-rule calls, and "mesos.control.task_rules*" matches them all.
// /redirect and the paths below it (404) are two ops.
func TestControlAndRedirectOps(t *testing.T) {
	a := newAPI(t, smallCluster()...)
	a.srv.ResetRequests()
	replace := a.srv.Inject(fake.Fault{Op: mesos.OpControlSetTaskRules, Status: http.StatusServiceUnavailable})
	calls := []struct {
		method, path, body string
		status             int
		op                 string
	}{
		{"GET", "/control/task-rules", "", http.StatusOK, mesos.OpControlListTaskRules},
		{"POST", "/control/task-rules", `{"name":"x.*","outcome":"TASK_FAILED"}`, http.StatusCreated, mesos.OpControlAddTaskRule},
		{"PUT", "/control/task-rules", `{"task_rules":[]}`, http.StatusServiceUnavailable, mesos.OpControlSetTaskRules},
		{"DELETE", "/control/task-rules", "", http.StatusNoContent, mesos.OpControlClearTaskRules},
		{"GET", "/redirect", "", http.StatusTemporaryRedirect, mesos.OpRedirect},
		{"GET", "/master/redirect", "", http.StatusTemporaryRedirect, mesos.OpRedirect},
		{"GET", "/redirect/loop", "", http.StatusNotFound, mesos.OpRedirectBelow},
		{"GET", "/master/redirect/a/b", "", http.StatusNotFound, mesos.OpRedirectBelow},
	}
	var want []string
	for _, c := range calls {
		if r := a.do(c.method, c.path, c.body); r.Status != c.status {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, r.Status, r.Body, c.status)
		}
		want = append(want, c.op)
	}
	fake.CheckOps(t, a.srv.Requests(), want...)
	fake.CheckOps(t, fake.Filter(a.srv.Requests(), "mesos.control.task_rules*"), want[:4]...)
	if n := len(a.srv.TaskRules()); n != 0 {
		t.Errorf("%d task rules after DELETE, want none", n)
	}
	replace.Remove()

	// A fault on the whole family hits each call.
	all := a.srv.Inject(fake.Fault{Op: "mesos.control.task_rules*", Status: http.StatusServiceUnavailable})
	for _, c := range calls[:4] {
		if r := a.do(c.method, c.path, c.body); r.Status != http.StatusServiceUnavailable {
			t.Errorf("%s %s under mesos.control.task_rules*: %d, want 503", c.method, c.path, r.Status)
		}
	}
	all.Remove()
}
