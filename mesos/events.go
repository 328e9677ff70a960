package mesos

// Scheduler API events (mesos.v1.scheduler.Event).

type schedEvent struct {
	Type                  string        `json:"type"`
	Subscribed            *evSubscribed `json:"subscribed,omitempty"`
	Offers                *evOffers     `json:"offers,omitempty"`
	Rescind               *evRescind    `json:"rescind,omitempty"`
	Update                *evUpdate     `json:"update,omitempty"`
	UpdateOperationStatus *evOpStatus   `json:"update_operation_status,omitempty"`
	Message               *evMessage    `json:"message,omitempty"`
	Failure               *evFailure    `json:"failure,omitempty"`
	Error                 *evError      `json:"error,omitempty"`
}

type evSubscribed struct {
	FrameworkID              wID          `json:"framework_id"`
	HeartbeatIntervalSeconds float64      `json:"heartbeat_interval_seconds"`
	MasterInfo               *wMasterInfo `json:"master_info,omitempty"`
}

type evOffers struct {
	Offers []wOffer `json:"offers"`
}

type evRescind struct {
	OfferID wID `json:"offer_id"`
}

type evUpdate struct {
	Status wTaskStatus `json:"status"`
}

type evOpStatus struct {
	Status wOperationStatus `json:"status"`
}

type wOperationStatus struct {
	OperationID *wID   `json:"operation_id,omitempty"`
	State       string `json:"state"`
	Message     string `json:"message,omitempty"`
	AgentID     *wID   `json:"agent_id,omitempty"`
}

type evMessage struct {
	AgentID    wID     `json:"agent_id"`
	ExecutorID wID     `json:"executor_id"`
	Data       pbBytes `json:"data"`
}

type evFailure struct {
	AgentID    *wID `json:"agent_id,omitempty"`
	ExecutorID *wID `json:"executor_id,omitempty"`
	Status     *int `json:"status,omitempty"`
}

type evError struct {
	Message string `json:"message"`
}

func errorEvent(msg string) *schedEvent {
	return &schedEvent{Type: "ERROR", Error: &evError{Message: msg}}
}

// Operator API events (mesos.v1.master.Event).

type opEvent struct {
	Type             string              `json:"type"`
	Subscribed       *opSubscribed       `json:"subscribed,omitempty"`
	TaskAdded        *opTaskAdded        `json:"task_added,omitempty"`
	TaskUpdated      *opTaskUpdated      `json:"task_updated,omitempty"`
	AgentAdded       *opAgentAdded       `json:"agent_added,omitempty"`
	AgentRemoved     *opAgentRemoved     `json:"agent_removed,omitempty"`
	FrameworkAdded   *opFrameworkEvent   `json:"framework_added,omitempty"`
	FrameworkUpdated *opFrameworkEvent   `json:"framework_updated,omitempty"`
	FrameworkRemoved *opFrameworkRemoved `json:"framework_removed,omitempty"`
}

type opSubscribed struct {
	GetState                 *getState `json:"get_state"`
	HeartbeatIntervalSeconds float64   `json:"heartbeat_interval_seconds"`
}

type opTaskAdded struct {
	Task wTask `json:"task"`
}

type opTaskUpdated struct {
	FrameworkID wID         `json:"framework_id"`
	Status      wTaskStatus `json:"status"`
	State       string      `json:"state"`
}

type opAgentAdded struct {
	Agent wAgent `json:"agent"`
}

type opAgentRemoved struct {
	AgentID wID `json:"agent_id"`
}

type opFrameworkEvent struct {
	Framework wFramework `json:"framework"`
}

type opFrameworkRemoved struct {
	FrameworkInfo wFrameworkInfo `json:"framework_info"`
}

// Operator API response bodies (mesos.v1.master.Response).

type opResponse struct {
	Type                   string          `json:"type"`
	GetHealth              *getHealth      `json:"get_health,omitempty"`
	GetFlags               *getFlags       `json:"get_flags,omitempty"`
	GetVersion             *getVersion     `json:"get_version,omitempty"`
	GetMetrics             *getMetrics     `json:"get_metrics,omitempty"`
	GetLoggingLevel        *getLogging     `json:"get_logging_level,omitempty"`
	GetState               *getState       `json:"get_state,omitempty"`
	GetAgents              *getAgents      `json:"get_agents,omitempty"`
	GetFrameworks          *getFrameworks  `json:"get_frameworks,omitempty"`
	GetExecutors           *getExecutors   `json:"get_executors,omitempty"`
	GetOperations          *getOperations  `json:"get_operations,omitempty"`
	GetTasks               *getTasks       `json:"get_tasks,omitempty"`
	GetRoles               *getRoles       `json:"get_roles,omitempty"`
	GetWeights             *getWeights     `json:"get_weights,omitempty"`
	GetMaster              *getMaster      `json:"get_master,omitempty"`
	GetMaintenanceStatus   *getMaintStatus `json:"get_maintenance_status,omitempty"`
	GetMaintenanceSchedule *getMaintSched  `json:"get_maintenance_schedule,omitempty"`
	GetQuota               *getQuota       `json:"get_quota,omitempty"`
}

type getHealth struct {
	Healthy bool `json:"healthy"`
}

type wFlag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type getFlags struct {
	Flags []wFlag `json:"flags"`
}

type wVersionInfo struct {
	Version   string  `json:"version"`
	BuildDate string  `json:"build_date,omitempty"`
	BuildTime float64 `json:"build_time,omitempty"`
	BuildUser string  `json:"build_user,omitempty"`
	GitSHA    string  `json:"git_sha,omitempty"`
	GitTag    string  `json:"git_tag,omitempty"`
}

type getVersion struct {
	VersionInfo wVersionInfo `json:"version_info"`
}

type wMetric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

type getMetrics struct {
	Metrics []wMetric `json:"metrics"`
}

type getLogging struct {
	Level int `json:"level"`
}

type getState struct {
	GetTasks      *getTasks      `json:"get_tasks"`
	GetExecutors  *getExecutors  `json:"get_executors"`
	GetFrameworks *getFrameworks `json:"get_frameworks"`
	GetAgents     *getAgents     `json:"get_agents"`
}

type wAgent struct {
	AgentInfo          wAgentInfo    `json:"agent_info"`
	Active             bool          `json:"active"`
	Deactivated        bool          `json:"deactivated"`
	Version            string        `json:"version"`
	PID                string        `json:"pid,omitempty"`
	RegisteredTime     *wTimeInfo    `json:"registered_time,omitempty"`
	ReregisteredTime   *wTimeInfo    `json:"reregistered_time,omitempty"`
	TotalResources     []wResource   `json:"total_resources"`
	AllocatedResources []wResource   `json:"allocated_resources"`
	OfferedResources   []wResource   `json:"offered_resources"`
	Capabilities       []wCapability `json:"capabilities"`
}

type getAgents struct {
	Agents          []wAgent     `json:"agents"`
	RecoveredAgents []wAgentInfo `json:"recovered_agents"`
}

type wFramework struct {
	FrameworkInfo      wFrameworkInfo `json:"framework_info"`
	Active             bool           `json:"active"`
	Connected          bool           `json:"connected"`
	Recovered          bool           `json:"recovered"`
	RegisteredTime     *wTimeInfo     `json:"registered_time,omitempty"`
	ReregisteredTime   *wTimeInfo     `json:"reregistered_time,omitempty"`
	UnregisteredTime   *wTimeInfo     `json:"unregistered_time,omitempty"`
	Offers             []wOffer       `json:"offers"`
	InverseOffers      []any          `json:"inverse_offers"`
	AllocatedResources []wResource    `json:"allocated_resources"`
	OfferedResources   []wResource    `json:"offered_resources"`
}

type getFrameworks struct {
	Frameworks          []wFramework `json:"frameworks"`
	CompletedFrameworks []wFramework `json:"completed_frameworks"`
}

type wExecutor struct {
	ExecutorInfo wExecutorInfo `json:"executor_info"`
	AgentID      wID           `json:"agent_id"`
}

type getExecutors struct {
	Executors []wExecutor `json:"executors"`
}

type getOperations struct {
	Operations []wMasterOperation `json:"operations"`
}

// wMasterOperation is an offer operation as GET_OPERATIONS lists it
// (mesos.Operation). No operation is applied, so none is ever listed.
type wMasterOperation struct {
	FrameworkID  *wID             `json:"framework_id,omitempty"`
	AgentID      *wID             `json:"agent_id,omitempty"`
	Info         wOperation       `json:"info"`
	LatestStatus wOperationStatus `json:"latest_status"`
}

type getTasks struct {
	Tasks            []wTask `json:"tasks"`
	UnreachableTasks []wTask `json:"unreachable_tasks"`
	CompletedTasks   []wTask `json:"completed_tasks"`
}

type wRole struct {
	Name       string      `json:"name"`
	Weight     float64     `json:"weight"`
	Frameworks []wID       `json:"frameworks"`
	Resources  []wResource `json:"resources"`
}

type getRoles struct {
	Roles []wRole `json:"roles"`
}

type getWeights struct {
	WeightInfos []wWeightInfo `json:"weight_infos"`
}

// wWeightInfo is a role's weight (mesos.WeightInfo). Weights are not kept,
// so none is ever listed.
type wWeightInfo struct {
	Weight float64 `json:"weight"`
	Role   string  `json:"role,omitempty"`
}

type getMaster struct {
	MasterInfo  wMasterInfo `json:"master_info"`
	StartTime   float64     `json:"start_time"`
	ElectedTime float64     `json:"elected_time"`
}

type getMaintStatus struct {
	Status struct {
		DrainingMachines []wDrainingMachine `json:"draining_machines"`
		DownMachines     []wMachineID       `json:"down_machines"`
	} `json:"status"`
}

type getMaintSched struct {
	Schedule struct {
		Windows []wMaintenanceWindow `json:"windows"`
	} `json:"schedule"`
}

// Maintenance is not emulated: no machine is ever draining or down, and
// the schedule has no windows.
type (
	wMachineID struct {
		Hostname string `json:"hostname,omitempty"`
		IP       string `json:"ip,omitempty"`
	}
	wDrainingMachine struct {
		ID wMachineID `json:"id"`
	}
	wMaintenanceWindow struct {
		MachineIDs     []wMachineID    `json:"machine_ids"`
		Unavailability wUnavailability `json:"unavailability"`
	}
	wUnavailability struct {
		Start    wTimeInfo      `json:"start"`
		Duration *wDurationInfo `json:"duration,omitempty"`
	}
)

type getQuota struct {
	Status struct {
		Infos []wQuotaInfo `json:"infos"`
	} `json:"status"`
}

// wQuotaInfo is a role's quota (mesos.quota.QuotaInfo). Quotas are not
// kept, so none is ever listed.
type wQuotaInfo struct {
	Role      string      `json:"role,omitempty"`
	Principal string      `json:"principal,omitempty"`
	Guarantee []wResource `json:"guarantee,omitempty"`
}
