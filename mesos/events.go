package mesos

// Scheduler API events (mesos.v1.scheduler.Event).

type schedEvent struct {
	Type                  string        `json:"type" pb:"1,scheduler.Event.Type"`
	Subscribed            *evSubscribed `json:"subscribed,omitempty" pb:"2"`
	Offers                *evOffers     `json:"offers,omitempty" pb:"3"`
	Rescind               *evRescind    `json:"rescind,omitempty" pb:"4"`
	Update                *evUpdate     `json:"update,omitempty" pb:"5"`
	UpdateOperationStatus *evOpStatus   `json:"update_operation_status,omitempty" pb:"11"`
	Message               *evMessage    `json:"message,omitempty" pb:"6"`
	Failure               *evFailure    `json:"failure,omitempty" pb:"7"`
	Error                 *evError      `json:"error,omitempty" pb:"8"`
}

type evSubscribed struct {
	FrameworkID              wID          `json:"framework_id" pb:"1"`
	HeartbeatIntervalSeconds float64      `json:"heartbeat_interval_seconds" pb:"2"`
	MasterInfo               *wMasterInfo `json:"master_info,omitempty" pb:"3"`
}

type evOffers struct {
	Offers []wOffer `json:"offers" pb:"1"`
}

type evRescind struct {
	OfferID wID `json:"offer_id" pb:"1"`
}

type evUpdate struct {
	Status wTaskStatus `json:"status" pb:"1"`
}

type evOpStatus struct {
	Status wOperationStatus `json:"status" pb:"1"`
}

type wOperationStatus struct {
	OperationID *wID   `json:"operation_id,omitempty" pb:"1"`
	State       string `json:"state" pb:"2,OperationState"`
	Message     string `json:"message,omitempty" pb:"3"`
	AgentID     *wID   `json:"agent_id,omitempty" pb:"6"`
}

type evMessage struct {
	AgentID    wID     `json:"agent_id" pb:"1"`
	ExecutorID wID     `json:"executor_id" pb:"2"`
	Data       pbBytes `json:"data" pb:"3"`
}

type evFailure struct {
	AgentID    *wID `json:"agent_id,omitempty" pb:"1"`
	ExecutorID *wID `json:"executor_id,omitempty" pb:"2"`
	Status     *int `json:"status,omitempty" pb:"3"`
}

type evError struct {
	Message string `json:"message" pb:"1"`
}

func errorEvent(msg string) *schedEvent {
	return &schedEvent{Type: "ERROR", Error: &evError{Message: msg}}
}

// Operator API events (mesos.v1.master.Event).

type opEvent struct {
	Type             string              `json:"type" pb:"1,master.Event.Type"`
	Subscribed       *opSubscribed       `json:"subscribed,omitempty" pb:"2"`
	TaskAdded        *opTaskAdded        `json:"task_added,omitempty" pb:"3"`
	TaskUpdated      *opTaskUpdated      `json:"task_updated,omitempty" pb:"4"`
	AgentAdded       *opAgentAdded       `json:"agent_added,omitempty" pb:"5"`
	AgentRemoved     *opAgentRemoved     `json:"agent_removed,omitempty" pb:"6"`
	FrameworkAdded   *opFrameworkEvent   `json:"framework_added,omitempty" pb:"7"`
	FrameworkUpdated *opFrameworkEvent   `json:"framework_updated,omitempty" pb:"8"`
	FrameworkRemoved *opFrameworkRemoved `json:"framework_removed,omitempty" pb:"9"`
}

type opSubscribed struct {
	GetState                 *getState `json:"get_state" pb:"1"`
	HeartbeatIntervalSeconds float64   `json:"heartbeat_interval_seconds" pb:"2"`
}

type opTaskAdded struct {
	Task wTask `json:"task" pb:"1"`
}

type opTaskUpdated struct {
	FrameworkID wID         `json:"framework_id" pb:"1"`
	Status      wTaskStatus `json:"status" pb:"2"`
	State       string      `json:"state" pb:"3,TaskState"`
}

type opAgentAdded struct {
	Agent wAgent `json:"agent" pb:"1"`
}

type opAgentRemoved struct {
	AgentID wID `json:"agent_id" pb:"1"`
}

type opFrameworkEvent struct {
	Framework wFramework `json:"framework" pb:"1"`
}

type opFrameworkRemoved struct {
	FrameworkInfo wFrameworkInfo `json:"framework_info" pb:"1"`
}

// Operator API response bodies (mesos.v1.master.Response).

type opResponse struct {
	Type                   string          `json:"type" pb:"1,master.Response.Type"`
	GetHealth              *getHealth      `json:"get_health,omitempty" pb:"2"`
	GetFlags               *getFlags       `json:"get_flags,omitempty" pb:"3"`
	GetVersion             *getVersion     `json:"get_version,omitempty" pb:"4"`
	GetMetrics             *getMetrics     `json:"get_metrics,omitempty" pb:"5"`
	GetLoggingLevel        *getLogging     `json:"get_logging_level,omitempty" pb:"6"`
	GetState               *getState       `json:"get_state,omitempty" pb:"9"`
	GetAgents              *getAgents      `json:"get_agents,omitempty" pb:"10"`
	GetFrameworks          *getFrameworks  `json:"get_frameworks,omitempty" pb:"11"`
	GetExecutors           *getExecutors   `json:"get_executors,omitempty" pb:"12"`
	GetOperations          *getOperations  `json:"get_operations,omitempty" pb:"20"`
	GetTasks               *getTasks       `json:"get_tasks,omitempty" pb:"13"`
	GetRoles               *getRoles       `json:"get_roles,omitempty" pb:"14"`
	GetWeights             *getWeights     `json:"get_weights,omitempty" pb:"15"`
	GetMaster              *getMaster      `json:"get_master,omitempty" pb:"16"`
	GetMaintenanceStatus   *getMaintStatus `json:"get_maintenance_status,omitempty" pb:"17"`
	GetMaintenanceSchedule *getMaintSched  `json:"get_maintenance_schedule,omitempty" pb:"18"`
	GetQuota               *getQuota       `json:"get_quota,omitempty" pb:"19"`
}

type getHealth struct {
	Healthy bool `json:"healthy" pb:"1"`
}

type wFlag struct {
	Name  string `json:"name" pb:"1"`
	Value string `json:"value" pb:"2"`
}

type getFlags struct {
	Flags []wFlag `json:"flags" pb:"1"`
}

type wVersionInfo struct {
	Version   string  `json:"version" pb:"1"`
	BuildDate string  `json:"build_date,omitempty" pb:"2"`
	BuildTime float64 `json:"build_time,omitempty" pb:"3"`
	BuildUser string  `json:"build_user,omitempty" pb:"4"`
	GitSHA    string  `json:"git_sha,omitempty" pb:"5"`
	GitTag    string  `json:"git_tag,omitempty" pb:"7"`
}

type getVersion struct {
	VersionInfo wVersionInfo `json:"version_info" pb:"1"`
}

type wMetric struct {
	Name  string  `json:"name" pb:"1"`
	Value float64 `json:"value" pb:"2"`
}

type getMetrics struct {
	Metrics []wMetric `json:"metrics" pb:"1"`
}

type getLogging struct {
	Level int `json:"level" pb:"1"`
}

type getState struct {
	GetTasks      *getTasks      `json:"get_tasks" pb:"1"`
	GetExecutors  *getExecutors  `json:"get_executors" pb:"2"`
	GetFrameworks *getFrameworks `json:"get_frameworks" pb:"3"`
	GetAgents     *getAgents     `json:"get_agents" pb:"4"`
}

type wAgent struct {
	AgentInfo          wAgentInfo         `json:"agent_info" pb:"1"`
	Active             bool               `json:"active" pb:"2"`
	Deactivated        bool               `json:"deactivated" pb:"12"`
	Version            string             `json:"version" pb:"3"`
	PID                string             `json:"pid,omitempty" pb:"4"`
	RegisteredTime     *wTimeInfo         `json:"registered_time,omitempty" pb:"5"`
	ReregisteredTime   *wTimeInfo         `json:"reregistered_time,omitempty" pb:"6"`
	TotalResources     []wResource        `json:"total_resources" pb:"7"`
	AllocatedResources []wResource        `json:"allocated_resources" pb:"8"`
	OfferedResources   []wResource        `json:"offered_resources" pb:"9"`
	Capabilities       []wAgentCapability `json:"capabilities" pb:"10"`
}

type getAgents struct {
	Agents          []wAgent     `json:"agents" pb:"1"`
	RecoveredAgents []wAgentInfo `json:"recovered_agents" pb:"2"`
}

type wFramework struct {
	FrameworkInfo      wFrameworkInfo `json:"framework_info" pb:"1"`
	Active             bool           `json:"active" pb:"2"`
	Connected          bool           `json:"connected" pb:"3"`
	Recovered          bool           `json:"recovered" pb:"11"`
	RegisteredTime     *wTimeInfo     `json:"registered_time,omitempty" pb:"4"`
	ReregisteredTime   *wTimeInfo     `json:"reregistered_time,omitempty" pb:"5"`
	UnregisteredTime   *wTimeInfo     `json:"unregistered_time,omitempty" pb:"6"`
	Offers             []wOffer       `json:"offers" pb:"7"`
	InverseOffers      []rawMsg       `json:"inverse_offers" pb:"8"`
	AllocatedResources []wResource    `json:"allocated_resources" pb:"9"`
	OfferedResources   []wResource    `json:"offered_resources" pb:"10"`
}

type getFrameworks struct {
	Frameworks          []wFramework `json:"frameworks" pb:"1"`
	CompletedFrameworks []wFramework `json:"completed_frameworks" pb:"2"`
}

type wExecutor struct {
	ExecutorInfo wExecutorInfo `json:"executor_info" pb:"1"`
	AgentID      wID           `json:"agent_id" pb:"2"`
}

type getExecutors struct {
	Executors []wExecutor `json:"executors" pb:"1"`
}

type getOperations struct {
	Operations []wMasterOperation `json:"operations" pb:"1"`
}

// wMasterOperation is an offer operation as GET_OPERATIONS lists it
// (mesos.Operation). No operation is applied, so none is ever listed.
type wMasterOperation struct {
	FrameworkID  *wID             `json:"framework_id,omitempty" pb:"1"`
	AgentID      *wID             `json:"agent_id,omitempty" pb:"2"`
	Info         wOperation       `json:"info" pb:"3"`
	LatestStatus wOperationStatus `json:"latest_status" pb:"4"`
}

type getTasks struct {
	Tasks            []wTask `json:"tasks" pb:"2"`
	UnreachableTasks []wTask `json:"unreachable_tasks" pb:"5"`
	CompletedTasks   []wTask `json:"completed_tasks" pb:"3"`
}

type wRole struct {
	Name       string      `json:"name" pb:"1"`
	Weight     float64     `json:"weight" pb:"2"`
	Frameworks []wID       `json:"frameworks" pb:"3"`
	Resources  []wResource `json:"resources" pb:"4"`
}

type getRoles struct {
	Roles []wRole `json:"roles" pb:"1"`
}

type getWeights struct {
	WeightInfos []wWeightInfo `json:"weight_infos" pb:"1"`
}

// wWeightInfo is a role's weight (mesos.WeightInfo). Weights are not kept,
// so none is ever listed.
type wWeightInfo struct {
	Weight float64 `json:"weight" pb:"1"`
	Role   string  `json:"role,omitempty" pb:"2"`
}

type getMaster struct {
	MasterInfo  wMasterInfo `json:"master_info" pb:"1"`
	StartTime   float64     `json:"start_time" pb:"2"`
	ElectedTime float64     `json:"elected_time" pb:"3"`
}

type getMaintStatus struct {
	Status struct {
		DrainingMachines []wDrainingMachine `json:"draining_machines" pb:"1"`
		DownMachines     []wMachineID       `json:"down_machines" pb:"2"`
	} `json:"status" pb:"1"`
}

type getMaintSched struct {
	Schedule struct {
		Windows []wMaintenanceWindow `json:"windows" pb:"1"`
	} `json:"schedule" pb:"1"`
}

// Maintenance is not emulated: no machine is ever draining or down, and
// the schedule has no windows.
type (
	wMachineID struct {
		Hostname string `json:"hostname,omitempty" pb:"1"`
		IP       string `json:"ip,omitempty" pb:"2"`
	}
	wDrainingMachine struct {
		ID wMachineID `json:"id" pb:"1"`
	}
	wMaintenanceWindow struct {
		MachineIDs     []wMachineID    `json:"machine_ids" pb:"1"`
		Unavailability wUnavailability `json:"unavailability" pb:"2"`
	}
	wUnavailability struct {
		Start    wTimeInfo      `json:"start" pb:"1"`
		Duration *wDurationInfo `json:"duration,omitempty" pb:"2"`
	}
)

type getQuota struct {
	Status struct {
		Infos []wQuotaInfo `json:"infos" pb:"1"`
	} `json:"status" pb:"1"`
}

// wQuotaInfo is a role's quota (mesos.quota.QuotaInfo). Quotas are not
// kept, so none is ever listed.
type wQuotaInfo struct {
	Role      string      `json:"role,omitempty" pb:"1"`
	Principal string      `json:"principal,omitempty" pb:"2"`
	Guarantee []wResource `json:"guarantee,omitempty" pb:"3"`
}
