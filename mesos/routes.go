package mesos

import (
	"net/http"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names, for faults and journal filters. Each scheduler and operator
// call has an op of its own (OpSchedulerAccept, OpOperatorGetState …,
// below); a fault on every scheduler call names "mesos.scheduler*". So does
// each control call: "mesos.control.task_rules*" names the four task-rule
// calls.
const (
	OpScheduler     = "mesos.scheduler"      // POST /api/v1/scheduler, a body naming no known call
	OpOperator      = "mesos.operator"       // POST /api/v1, a body naming no known call
	OpState         = "mesos.state"          // GET /master/state, /state
	OpStateSummary  = "mesos.state_summary"  // GET /master/state-summary
	OpHealth        = "mesos.health"         // GET /master/health, /health
	OpVersion       = "mesos.version"        // GET /version
	OpRedirect      = "mesos.redirect"       // GET /master/redirect, /redirect
	OpRedirectBelow = "mesos.redirect.below" // any path below /redirect (404, to prevent loops)
	OpFrameworks    = "mesos.frameworks"     // GET /master/frameworks
	OpSlaves        = "mesos.slaves"         // GET /master/slaves
	OpTasks         = "mesos.tasks"          // GET /master/tasks
	OpFlags         = "mesos.flags"          // GET /master/flags
	OpRoles         = "mesos.roles"          // GET /master/roles
	OpMetrics       = "mesos.metrics"        // GET /metrics/snapshot
	OpTeardown      = "mesos.teardown"       // POST /master/teardown

	OpControlAgents         = "mesos.control.agents.list"        // GET /control/agents
	OpControlAddAgent       = "mesos.control.agents.create"      // POST /control/agents
	OpControlRemoveAgent    = "mesos.control.agents.remove"      // DELETE /control/agents/{id}
	OpControlRestoreAgent   = "mesos.control.agents.restore"     // POST /control/agents/{id}/restore
	OpControlAgentResources = "mesos.control.agents.resources"   // POST /control/agents/{id}/resources
	OpControlFailover       = "mesos.control.failover"           // POST /control/failover
	OpControlListTaskRules  = "mesos.control.task_rules.list"    // GET /control/task-rules
	OpControlAddTaskRule    = "mesos.control.task_rules.create"  // POST /control/task-rules
	OpControlSetTaskRules   = "mesos.control.task_rules.replace" // PUT /control/task-rules
	OpControlClearTaskRules = "mesos.control.task_rules.clear"   // DELETE /control/task-rules
	OpControlMessage        = "mesos.control.messages"           // POST /control/messages
	OpControlConfig         = "mesos.control.config"             // GET /control/config
)

// Scheduler calls, one op each (POST /api/v1/scheduler): the call's type
// in lower case. A body that names no known type keeps OpScheduler.
const (
	OpSchedulerUnknown                    = "mesos.scheduler.unknown" // the UNKNOWN type: 501, as the master answers it
	OpSchedulerSubscribe                  = "mesos.scheduler.subscribe"
	OpSchedulerTeardown                   = "mesos.scheduler.teardown"
	OpSchedulerAccept                     = "mesos.scheduler.accept"
	OpSchedulerDecline                    = "mesos.scheduler.decline"
	OpSchedulerAcceptInverseOffers        = "mesos.scheduler.accept_inverse_offers"
	OpSchedulerDeclineInverseOffers       = "mesos.scheduler.decline_inverse_offers"
	OpSchedulerRevive                     = "mesos.scheduler.revive"
	OpSchedulerKill                       = "mesos.scheduler.kill"
	OpSchedulerShutdown                   = "mesos.scheduler.shutdown"
	OpSchedulerAcknowledge                = "mesos.scheduler.acknowledge"
	OpSchedulerAcknowledgeOperationStatus = "mesos.scheduler.acknowledge_operation_status"
	OpSchedulerReconcile                  = "mesos.scheduler.reconcile"
	OpSchedulerReconcileOperations        = "mesos.scheduler.reconcile_operations"
	OpSchedulerMessage                    = "mesos.scheduler.message"
	OpSchedulerRequest                    = "mesos.scheduler.request"
	OpSchedulerSuppress                   = "mesos.scheduler.suppress"
	OpSchedulerUpdateFramework            = "mesos.scheduler.update_framework"
)

// Operator calls, one op each (POST /api/v1): the call's type in lower
// case. A body that names no known type keeps OpOperator.
const (
	OpOperatorUnknown                   = "mesos.operator.unknown" // the UNKNOWN type: 501, as the master answers it
	OpOperatorGetHealth                 = "mesos.operator.get_health"
	OpOperatorGetFlags                  = "mesos.operator.get_flags"
	OpOperatorGetVersion                = "mesos.operator.get_version"
	OpOperatorGetMetrics                = "mesos.operator.get_metrics"
	OpOperatorGetLoggingLevel           = "mesos.operator.get_logging_level"
	OpOperatorSetLoggingLevel           = "mesos.operator.set_logging_level"
	OpOperatorListFiles                 = "mesos.operator.list_files"
	OpOperatorReadFile                  = "mesos.operator.read_file"
	OpOperatorGetState                  = "mesos.operator.get_state"
	OpOperatorGetAgents                 = "mesos.operator.get_agents"
	OpOperatorGetFrameworks             = "mesos.operator.get_frameworks"
	OpOperatorGetExecutors              = "mesos.operator.get_executors"
	OpOperatorGetOperations             = "mesos.operator.get_operations"
	OpOperatorGetTasks                  = "mesos.operator.get_tasks"
	OpOperatorGetRoles                  = "mesos.operator.get_roles"
	OpOperatorGetWeights                = "mesos.operator.get_weights"
	OpOperatorUpdateWeights             = "mesos.operator.update_weights"
	OpOperatorGetMaster                 = "mesos.operator.get_master"
	OpOperatorSubscribe                 = "mesos.operator.subscribe"
	OpOperatorReserveResources          = "mesos.operator.reserve_resources"
	OpOperatorUnreserveResources        = "mesos.operator.unreserve_resources"
	OpOperatorCreateVolumes             = "mesos.operator.create_volumes"
	OpOperatorDestroyVolumes            = "mesos.operator.destroy_volumes"
	OpOperatorGrowVolume                = "mesos.operator.grow_volume"
	OpOperatorShrinkVolume              = "mesos.operator.shrink_volume"
	OpOperatorGetMaintenanceStatus      = "mesos.operator.get_maintenance_status"
	OpOperatorGetMaintenanceSchedule    = "mesos.operator.get_maintenance_schedule"
	OpOperatorUpdateMaintenanceSchedule = "mesos.operator.update_maintenance_schedule"
	OpOperatorStartMaintenance          = "mesos.operator.start_maintenance"
	OpOperatorStopMaintenance           = "mesos.operator.stop_maintenance"
	OpOperatorDrainAgent                = "mesos.operator.drain_agent"
	OpOperatorDeactivateAgent           = "mesos.operator.deactivate_agent"
	OpOperatorReactivateAgent           = "mesos.operator.reactivate_agent"
	OpOperatorGetQuota                  = "mesos.operator.get_quota"
	OpOperatorUpdateQuota               = "mesos.operator.update_quota"
	OpOperatorSetQuota                  = "mesos.operator.set_quota"
	OpOperatorRemoveQuota               = "mesos.operator.remove_quota"
	OpOperatorTeardown                  = "mesos.operator.teardown"
	OpOperatorMarkAgentGone             = "mesos.operator.mark_agent_gone"
)

// schedulerOps names the op of each scheduler call type.
var schedulerOps = map[string]string{
	"UNKNOWN":                      OpSchedulerUnknown,
	"SUBSCRIBE":                    OpSchedulerSubscribe,
	"TEARDOWN":                     OpSchedulerTeardown,
	"ACCEPT":                       OpSchedulerAccept,
	"DECLINE":                      OpSchedulerDecline,
	"ACCEPT_INVERSE_OFFERS":        OpSchedulerAcceptInverseOffers,
	"DECLINE_INVERSE_OFFERS":       OpSchedulerDeclineInverseOffers,
	"REVIVE":                       OpSchedulerRevive,
	"KILL":                         OpSchedulerKill,
	"SHUTDOWN":                     OpSchedulerShutdown,
	"ACKNOWLEDGE":                  OpSchedulerAcknowledge,
	"ACKNOWLEDGE_OPERATION_STATUS": OpSchedulerAcknowledgeOperationStatus,
	"RECONCILE":                    OpSchedulerReconcile,
	"RECONCILE_OPERATIONS":         OpSchedulerReconcileOperations,
	"MESSAGE":                      OpSchedulerMessage,
	"REQUEST":                      OpSchedulerRequest,
	"SUPPRESS":                     OpSchedulerSuppress,
	"UPDATE_FRAMEWORK":             OpSchedulerUpdateFramework,
}

// operatorOps names the op of each operator call type.
var operatorOps = map[string]string{
	"UNKNOWN":                     OpOperatorUnknown,
	"GET_HEALTH":                  OpOperatorGetHealth,
	"GET_FLAGS":                   OpOperatorGetFlags,
	"GET_VERSION":                 OpOperatorGetVersion,
	"GET_METRICS":                 OpOperatorGetMetrics,
	"GET_LOGGING_LEVEL":           OpOperatorGetLoggingLevel,
	"SET_LOGGING_LEVEL":           OpOperatorSetLoggingLevel,
	"LIST_FILES":                  OpOperatorListFiles,
	"READ_FILE":                   OpOperatorReadFile,
	"GET_STATE":                   OpOperatorGetState,
	"GET_AGENTS":                  OpOperatorGetAgents,
	"GET_FRAMEWORKS":              OpOperatorGetFrameworks,
	"GET_EXECUTORS":               OpOperatorGetExecutors,
	"GET_OPERATIONS":              OpOperatorGetOperations,
	"GET_TASKS":                   OpOperatorGetTasks,
	"GET_ROLES":                   OpOperatorGetRoles,
	"GET_WEIGHTS":                 OpOperatorGetWeights,
	"UPDATE_WEIGHTS":              OpOperatorUpdateWeights,
	"GET_MASTER":                  OpOperatorGetMaster,
	"SUBSCRIBE":                   OpOperatorSubscribe,
	"RESERVE_RESOURCES":           OpOperatorReserveResources,
	"UNRESERVE_RESOURCES":         OpOperatorUnreserveResources,
	"CREATE_VOLUMES":              OpOperatorCreateVolumes,
	"DESTROY_VOLUMES":             OpOperatorDestroyVolumes,
	"GROW_VOLUME":                 OpOperatorGrowVolume,
	"SHRINK_VOLUME":               OpOperatorShrinkVolume,
	"GET_MAINTENANCE_STATUS":      OpOperatorGetMaintenanceStatus,
	"GET_MAINTENANCE_SCHEDULE":    OpOperatorGetMaintenanceSchedule,
	"UPDATE_MAINTENANCE_SCHEDULE": OpOperatorUpdateMaintenanceSchedule,
	"START_MAINTENANCE":           OpOperatorStartMaintenance,
	"STOP_MAINTENANCE":            OpOperatorStopMaintenance,
	"DRAIN_AGENT":                 OpOperatorDrainAgent,
	"DEACTIVATE_AGENT":            OpOperatorDeactivateAgent,
	"REACTIVATE_AGENT":            OpOperatorReactivateAgent,
	"GET_QUOTA":                   OpOperatorGetQuota,
	"UPDATE_QUOTA":                OpOperatorUpdateQuota,
	"SET_QUOTA":                   OpOperatorSetQuota,
	"REMOVE_QUOTA":                OpOperatorRemoveQuota,
	"TEARDOWN":                    OpOperatorTeardown,
	"MARK_AGENT_GONE":             OpOperatorMarkAgentGone,
}

// anyMethod is the method of routes that answer other methods themselves,
// with libprocess's 405 (its Allow header and its message).
const anyMethod = "*"

// routes is the route table. The master serves its endpoints both under
// /master (its libprocess ID) and at the root, as a real master does; an
// endpoint has one op however it is reached.
func (m *Master) routes() []kit.Route {
	schedOps, opOps := opList(schedulerOps), opList(operatorOps)
	routes := kit.Under([]string{"", "/master"}, nil,
		kit.Route{Op: OpScheduler, Method: anyMethod, Path: "/api/v1/scheduler", Handler: m.serveScheduler,
			Refine: refineBy(schedulerOps, 2, "scheduler.Call.Type"), Ops: schedOps},
		kit.Route{Op: OpOperator, Method: anyMethod, Path: "/api/v1", Handler: m.serveOperator,
			Refine: refineBy(operatorOps, 1, "master.Call.Type"), Ops: opOps},
		kit.Route{Op: OpState, Method: anyMethod, Path: "/state", Handler: getOnly(m.serveState)},
		kit.Route{Op: OpStateSummary, Method: anyMethod, Path: "/state-summary", Handler: getOnly(m.serveStateSummary)},
		kit.Route{Op: OpHealth, Method: anyMethod, Path: "/health", Handler: getOnly(serveHealth)},
		kit.Route{Op: OpFrameworks, Method: anyMethod, Path: "/frameworks", Handler: getOnly(m.serveFrameworks)},
		kit.Route{Op: OpSlaves, Method: anyMethod, Path: "/slaves", Handler: getOnly(m.serveSlaves)},
		kit.Route{Op: OpTasks, Method: anyMethod, Path: "/tasks", Handler: getOnly(m.serveTasks)},
		kit.Route{Op: OpFlags, Method: anyMethod, Path: "/flags", Handler: getOnly(m.serveFlags)},
		kit.Route{Op: OpRoles, Method: anyMethod, Path: "/roles", Handler: getOnly(m.serveRoles)},
		kit.Route{Op: OpTeardown, Method: anyMethod, Path: "/teardown", Handler: m.serveTeardown},
		kit.Route{Op: OpRedirect, Method: anyMethod, Path: "/redirect", Handler: serveRedirect},
		// Paths below /redirect are 404, to prevent redirect loops.
		kit.Route{Op: OpRedirectBelow, Method: anyMethod, Path: "/redirect/{rest:.*}", Handler: serveRedirectBelow},
	)
	// Served at the root only.
	routes = append(routes,
		kit.Route{Op: OpOperator, Method: anyMethod, Path: "/api/v1/", Handler: m.serveOperator,
			Refine: refineBy(operatorOps, 1, "master.Call.Type"), Ops: opOps},
		kit.Route{Op: OpVersion, Method: anyMethod, Path: "/version", Handler: getOnly(m.serveVersion)},
		kit.Route{Op: OpMetrics, Method: anyMethod, Path: "/metrics/snapshot", Handler: getOnly(m.serveMetricsSnapshot)},
	)
	return append(routes, m.controlRoutes()...)
}

// opList lists a call table's ops.
func opList(ops map[string]string) []string {
	out := make([]string, 0, len(ops))
	for _, op := range ops {
		out = append(out, op)
	}
	return out
}

// refineBy names a call by its type: ops maps each type the master knows
// to its op; a request that is not a POST, or a body that is not a call or
// names no known type, keeps the route's op. In protobuf the type is
// field typeField of the Call, valued in enum.
func refineBy(ops map[string]string, typeField uint64, enum string) func(*http.Request, []byte) string {
	return func(r *http.Request, body []byte) string {
		if r.Method != http.MethodPost {
			return ""
		}
		return ops[callType(r, body, typeField, enum)]
	}
}

// mesosError is Mesos's error format: the message as plain text. The
// messages are the master's own, capitalised as it writes them.
func mesosError(_ *http.Request, e *kit.Error) kit.Reply { return kit.Text(e.Status, e.Message) }

// methodNotAllowed is libprocess's 405, with its Allow header and body.
func methodNotAllowed(c *kit.Call, allowed string) error {
	c.Header().Set("Allow", allowed)
	return kit.Errorf(http.StatusMethodNotAllowed,
		"405 Method Not Allowed. Expecting one of { '%s' }, but received '%s'.", allowed, c.Request.Method)
}

// getOnly serves a read-only endpoint: GET (and HEAD) only, as the
// master's.
func getOnly(h kit.Handler) kit.Handler {
	return func(c *kit.Call) (kit.Reply, error) {
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			return kit.Reply{}, methodNotAllowed(c, "GET")
		}
		return h(c)
	}
}

// postOnly is the method check of the calls: POST only.
func postOnly(c *kit.Call) error {
	if c.Request.Method != http.MethodPost {
		return methodNotAllowed(c, "POST")
	}
	return nil
}

// noContent answers status with an explicit empty body, as the master's
// empty answers carry Content-Length: 0.
func noContent(c *kit.Call, status int) kit.Reply {
	c.Header().Set("Content-Length", "0")
	return kit.Status(status)
}

func badRequest(format string, args ...any) *kit.Error {
	return kit.Errorf(http.StatusBadRequest, format, args...)
}

// shuttingDown is the answer of a master that is closing.
func shuttingDown() *kit.Error {
	return kit.Errorf(http.StatusServiceUnavailable, "Master is shutting down")
}
