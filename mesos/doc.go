// Package mesos is an in-process fake of an Apache Mesos master (1.11),
// API-compatible with the v1 Scheduler and Operator HTTP APIs and the
// legacy read-only endpoints, with emulated agents whose tasks live out a
// configurable, reproducible life on the shared clock. It is modeled on
// mesosmock, made deterministic.
//
// # Using it
//
// In a Cloud (package mockcloud) the master is mounted from its
// [Descriptor] at /mesos, so a scheduler's endpoint is
// /mesos/api/v1/scheduler. On its own it serves at the root, like a real
// master:
//
//	m := mesos.New(t)                             // three agents of 4 CPUs, 8 GB; closed when the test ends
//	url := m.URL() + "/api/v1/scheduler"          // SUBSCRIBE here
//	m.Clock().Advance(time.Second)                // the first OFFERS
//	m.Clock().Advance(12 * time.Second)           // launched tasks: STARTING, RUNNING, FINISHED
//
// [NewUnstarted] returns it unstarted, to serve m.Handler() in a server of
// your own. Options are fake.Options: the shared fake.WithClock and
// fake.WithSeed, and this package's own ([WithConfig], [WithAgents],
// [WithLifecycle], [WithOutcomes], [WithTaskRules], [WithAutoAcknowledge]).
// The standalone server builds the master from a JSON [Config] with
// [ParseConfig] and [WithConfig]; agents' ports are given there as
// [{"begin":31000,"end":32000}] or as Mesos writes them, "[31000-32000]".
//
// Nothing happens on its own: every pushed event (HEARTBEAT, OFFERS,
// RESCIND, UPDATE, FAILURE, operator events) comes from the clock's event
// queue, so it happens inside [clock.Clock.Advance], in time order.
// Answers to calls (the UPDATEs of a RECONCILE, TASK_ERROR for an invalid
// launch, TASK_KILLING) are queued while the call is handled, before its
// 202. Events are queued without blocking and written to each stream by
// the goroutine serving it; [Master.WaitDelivered] waits until everything
// queued has been written, and [Master.Streams] counts what was queued and
// written per stream. A test reader reads a RecordIO stream until it has
// what it expects, with a timeout.
//
// # What it fakes
//
//   - Scheduler API, POST /api/v1/scheduler: SUBSCRIBE answers 200 with
//     Content-Type application/json, a chunked RecordIO stream
//     ("<length>\n<json>") and a Mesos-Stream-Id header; the stream starts
//     with SUBSCRIBED (framework_id, heartbeat_interval_seconds,
//     master_info) and a HEARTBEAT, then heartbeats every 15 seconds.
//     Subscribing again with the framework's ID fails the old stream over
//     (ERROR "Framework failed over", then the end of its response). An
//     invalid FrameworkInfo gets a stream holding a single ERROR.
//   - Calls: TEARDOWN, ACCEPT (LAUNCH and LAUNCH_GROUP, validated as the
//     master validates offers and tasks; Filters.refuse_seconds honoured,
//     default 5), DECLINE, REVIVE, SUPPRESS (by roles), KILL (TASK_KILLING
//     to frameworks with the TASK_KILLING_STATE capability, then
//     TASK_KILLED), SHUTDOWN (the executor kills its tasks; a command
//     task's executor has the task's ID), ACKNOWLEDGE, RECONCILE (implicit
//     and explicit, with the master's cases for unknown tasks), MESSAGE,
//     REQUEST, UPDATE_FRAMEWORK (200), as no-ops ACCEPT_INVERSE_OFFERS,
//     DECLINE_INVERSE_OFFERS, ACKNOWLEDGE_OPERATION_STATUS and
//     RECONCILE_OPERATIONS, and UNKNOWN (an empty 501, as the master's;
//     the operator API's too). Every check the master makes answers with
//     its status and plain-text message: 405 for other methods, 400
//     without Content-Type, 415 for other types, 400 for bad JSON or a
//     Call that does not convert, 406 for an Accept without JSON, 400 for
//     an unknown framework, 403 when it is not subscribed, 400 for a
//     missing or wrong Mesos-Stream-Id.
//   - Events: SUBSCRIBED (master_info with the v1 capabilities),
//     OFFERS (nested offers.offers with cpus, mem, disk and ports by role,
//     attributes, hostname, url; allocation_info, on the offer and its
//     resources, only to MULTI_ROLE frameworks; reservations in the
//     pre- or post-refinement format as the framework has
//     RESERVATION_REFINEMENT or not), RESCIND (offer timeout, agent loss,
//     resource changes), UPDATE (task_id, state, source, reason, message,
//     agent_id, executor_id, timestamp, uuid, healthy, container_status,
//     unreachable_time), UPDATE_OPERATION_STATUS (for offer operations
//     that are not emulated), MESSAGE, FAILURE (agent lost), ERROR and
//     HEARTBEAT. Every enum string is one of Mesos 1.11's v1 protos.
//   - Containers: every update a task's executor sends carries the
//     container_status an agent adds: the task's container ID (a UUID
//     from the seeded source; a task group's tasks in containers nested in
//     their executor's) and network_infos with the agent's IP address
//     (AgentConfig.IP, or 10.0.<n/250>.<n%250+1> for the n-th agent), as
//     do the task's statuses in GET_TASKS, GET_STATE and /master/state,
//     and the master's updates about the task (reconciliation, an agent
//     back).
//   - Status updates as agents send them: one at a time per task, the next
//     only once the current one is acknowledged, resent after 10 seconds
//     (doubling to 10 minutes) until it is; updates the master generates
//     carry no uuid and are never resent. [Config.AutoAcknowledge] turns
//     acknowledgements off.
//   - Operator API, POST /api/v1: GET_HEALTH, GET_FLAGS, GET_VERSION,
//     GET_METRICS, GET_LOGGING_LEVEL, GET_STATE, GET_AGENTS,
//     GET_FRAMEWORKS, GET_EXECUTORS, GET_OPERATIONS, GET_TASKS, GET_ROLES,
//     GET_WEIGHTS, GET_MASTER, GET_MAINTENANCE_STATUS,
//     GET_MAINTENANCE_SCHEDULE, GET_QUOTA, TEARDOWN, MARK_AGENT_GONE,
//     DEACTIVATE_AGENT, REACTIVATE_AGENT, and SUBSCRIBE (SUBSCRIBED with
//     get_state, then TASK_ADDED, TASK_UPDATED, FRAMEWORK_ADDED,
//     FRAMEWORK_UPDATED, FRAMEWORK_REMOVED, AGENT_ADDED, AGENT_REMOVED and
//     HEARTBEAT).
//   - Legacy endpoints, at the root and under /master: GET /state (with
//     ?jsonp=), /state-summary, /health, /frameworks, /slaves, /tasks
//     (limit, offset, order, framework_id, task_id), /flags, /roles,
//     /redirect (307 to this master, wherever it is mounted), /version,
//     /metrics/snapshot, and POST /teardown, in the v0 field names
//     (slave_id, flat resource maps such as {"cpus":1,"ports":"[31000-32000]"}).
//   - Methods: every master endpoint (the scheduler and operator APIs and
//     the legacy endpoints) takes any method, standard or not, and answers
//     one it does not serve with libprocess's own 405: an Allow header and
//     "405 Method Not Allowed. Expecting one of { 'GET' }, but received
//     'PATCH'." (/redirect redirects whatever the method).
//   - Emulated agents with unreserved and statically reserved resources,
//     attributes (parsed as the agent's --attributes flag), added and
//     removed at run time. The allocator offers each agent's free resources
//     to the role and framework with the lowest dominant share, honouring
//     filters, suppressed roles and --offer_timeout; tasks and executors
//     hold resources until their terminal update.
//   - Task lives: TASK_STAGING, TASK_STARTING, TASK_RUNNING, then an
//     outcome drawn from weighted [Outcomes] with the master's seeded
//     random source (one draw per task, so a run with the same seed and
//     the same calls is the same run), or fixed by a [TaskRule] matching
//     the task's name or labels, with timings from a [Lifecycle].
//   - Chaos, in Go and over the control API (below):
//     [Master.RemoveAgent] (unreachable: RESCIND, FAILURE, TASK_UNREACHABLE
//     or TASK_LOST, AGENT_REMOVED), [Master.RestoreAgent] (tasks come back
//     with REASON_AGENT_REREGISTERED), [Master.MarkAgentGone],
//     [Master.SetAgentResources] (a resource shortage),
//     [Master.DeactivateAgent], [Master.Failover] (a new leading master:
//     every stream ends, frameworks must resubscribe), and the generic
//     faults of package fake on any route. Every scheduler and operator
//     call is an op of its own, named by its type ([OpSchedulerAccept] is
//     "mesos.scheduler.accept", [OpOperatorGetState]
//     "mesos.operator.get_state"), so a fault can hit one call;
//     "mesos.scheduler*" hits them all. A body that is not JSON or names
//     no known call is journaled as [OpScheduler] or [OpOperator].
//   - Typed seeding and inspection: [Master.AddAgent], [Master.AddTaskRule],
//     [Master.Agents], [Master.Frameworks], [Master.Tasks], [Master.Offers],
//     [Master.Messages], [Master.CheckTask], [Master.CheckTaskStates];
//     configuration as a [Config] in Go and the same as JSON
//     ([ParseConfig]) for the standalone server.
//
// # Control API
//
// For the standalone server and clients in other languages, the master
// serves its own control routes (errors in plain text; a method a route
// does not take gets a 405 in mockcloud's words, "The method PATCH is not
// allowed for this resource.", with an Allow header). Each is an op of its
// own ([OpControlAgents] … [OpControlConfig]; the four task-rule calls are
// [OpControlListTaskRules], [OpControlAddTaskRule], [OpControlSetTaskRules]
// and [OpControlClearTaskRules], "mesos.control.task_rules*" together):
//
//	GET    /control/agents                   -> {"agents": [...]}
//	POST   /control/agents                   an AgentConfig ("count" for several) -> 201 {"agents": [...]}
//	DELETE /control/agents/{id}[?gone=true]  the agent becomes unreachable (or gone) -> 204
//	POST   /control/agents/{id}/restore      an unreachable agent comes back -> 204
//	POST   /control/agents/{id}/resources    {"resources": {...}, "reserved": {...}} -> 204
//	POST   /control/failover                 a master failover -> 204
//	GET    /control/task-rules               -> {"task_rules": [...]}
//	POST   /control/task-rules               a TaskRule, appended -> 201
//	PUT    /control/task-rules               {"task_rules": [...]}, replacing all -> 204
//	DELETE /control/task-rules               -> 204
//	POST   /control/messages                 {"framework_id", "agent_id", "executor_id", "data"} -> 202
//	GET    /control/config                   -> the configuration, in ParseConfig's form
//
// Time moves with the Cloud's control API (POST /mockcloud/v1/tick).
//
// # Fidelity limits
//
//   - JSON and protobuf (application/x-protobuf), on the scheduler and
//     operator APIs, requests and RecordIO streams alike. A Content-Type
//     with parameters (such as "; charset=utf-8") gets 415, as a real
//     master compares it exactly; answers are JSON when Accept allows it,
//     else protobuf. Sub-messages the fake only echoes (a task's command,
//     container, health check, discovery, limits) are echoed in the form
//     they came in: a task launched over protobuf shows none of them to a
//     JSON reader, and the other way round.
//   - No authentication or authorization: principals are recorded, never
//     checked; a Cloud's token check is not applied.
//   - Offer operations other than LAUNCH and LAUNCH_GROUP (RESERVE,
//     CREATE, GROW_VOLUME …) are not applied: with an operation ID they get
//     UPDATE_OPERATION_STATUS OPERATION_ERROR, without one they are
//     dropped. No dynamic reservations, persistent volumes, revocable or
//     shared resources, resource providers, quotas, weights or maintenance
//     (their GET calls answer empty, the rest 501). Offer constraints and
//     FrameworkInfo.offer_filters are recorded, not applied.
//   - No executors run: MESSAGE calls are recorded ([Master.Messages]) and
//     executor messages are sent with [Master.SendFrameworkMessage]. Kill
//     policies are not applied; a kill (or an executor's SHUTDOWN) takes
//     Lifecycle.Kill. A container_status has no cgroup_info or
//     executor_pid, and no IPv6 address.
//   - Health checks are not run: TASK_RUNNING of a task with a health check
//     carries healthy=true unless a TaskRule says otherwise.
//   - A master failover keeps the master's memory of frameworks (a real
//     one rebuilds it from agents and resubscriptions): completed
//     frameworks stay completed, and recovered frameworks are never timed
//     out. Agents reregister at once.
//   - The TASK_UNREACHABLE outcome makes one task unreachable while its
//     agent stays registered; such a task stays unreachable for good
//     (RestoreAgent brings back only the tasks its agent's loss made
//     unreachable).
//   - The allocator is a simplification of the hierarchical DRF
//     allocator: one allocation run AllocationInterval after anything that
//     can change offers, no quota or weights, and an agent's unreserved
//     resources go to one role per run.
package mesos
