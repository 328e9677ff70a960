package mesos

// The JSON the legacy read-only endpoints answer with: the master's v0
// field names (slave_id …) and flat resource maps, as its JSON writers
// render them. Members the master writes only sometimes are omitempty or
// pointers, so that a present empty value ([] or null) stays as it is.

// flatResources is a resource map as the legacy endpoints write it:
// {"cpus":1,"gpus":0,"mem":128,"disk":0,"ports":"[31000-32000]"}.
type flatResources = map[string]any

// none renders as an empty list: the lists the fake never fills
// (recovered_slaves, orphan_tasks …).
type none = []struct{}

type legacyState struct {
	Version                string            `json:"version"`
	BuildDate              string            `json:"build_date"`
	BuildTime              int               `json:"build_time"`
	BuildUser              string            `json:"build_user"`
	StartTime              float64           `json:"start_time"`
	ElectedTime            float64           `json:"elected_time"`
	ID                     string            `json:"id"`
	PID                    string            `json:"pid"`
	Hostname               string            `json:"hostname"`
	Capabilities           []string          `json:"capabilities"`
	ActivatedSlaves        int               `json:"activated_slaves"`
	DeactivatedSlaves      int               `json:"deactivated_slaves"`
	UnreachableSlaves      int               `json:"unreachable_slaves"`
	Cluster                string            `json:"cluster,omitempty"`
	Leader                 string            `json:"leader"`
	LeaderInfo             legacyLeader      `json:"leader_info"`
	Flags                  map[string]string `json:"flags"`
	Slaves                 []legacySlave     `json:"slaves"`
	RecoveredSlaves        none              `json:"recovered_slaves"`
	Frameworks             []legacyFramework `json:"frameworks"`
	CompletedFrameworks    []legacyFramework `json:"completed_frameworks"`
	OrphanTasks            none              `json:"orphan_tasks"`
	UnregisteredFrameworks none              `json:"unregistered_frameworks"`
}

type legacyLeader struct {
	ID       string `json:"id"`
	PID      string `json:"pid"`
	Port     int    `json:"port"`
	Hostname string `json:"hostname"`
}

// legacySlave is an agent in /state, /state-summary and /slaves.
type legacySlave struct {
	ID                  string                   `json:"id"`
	Hostname            string                   `json:"hostname"`
	Port                int                      `json:"port"`
	Attributes          map[string]any           `json:"attributes"`
	PID                 string                   `json:"pid"`
	RegisteredTime      float64                  `json:"registered_time"`
	ReregisteredTime    float64                  `json:"reregistered_time,omitempty"`
	Resources           flatResources            `json:"resources"`
	UsedResources       flatResources            `json:"used_resources"`
	OfferedResources    flatResources            `json:"offered_resources"`
	ReservedResources   map[string]flatResources `json:"reserved_resources"`
	UnreservedResources flatResources            `json:"unreserved_resources"`
	Active              bool                     `json:"active"`
	Deactivated         bool                     `json:"deactivated"`
	Version             string                   `json:"version"`
	Capabilities        []string                 `json:"capabilities"`
	// The resources in full, in /slaves only.
	*legacySlaveFull
}

type legacySlaveFull struct {
	ReservedResourcesFull   map[string][]wResource `json:"reserved_resources_full"`
	UnreservedResourcesFull []wResource            `json:"unreserved_resources_full"`
	UsedResourcesFull       []wResource            `json:"used_resources_full"`
	OfferedResourcesFull    []wResource            `json:"offered_resources_full"`
}

// legacyTaskCounts are the tasks by state that /state-summary reports.
type legacyTaskCounts struct {
	Staging     int `json:"TASK_STAGING"`
	Starting    int `json:"TASK_STARTING"`
	Running     int `json:"TASK_RUNNING"`
	Killing     int `json:"TASK_KILLING"`
	Finished    int `json:"TASK_FINISHED"`
	Killed      int `json:"TASK_KILLED"`
	Failed      int `json:"TASK_FAILED"`
	Lost        int `json:"TASK_LOST"`
	Error       int `json:"TASK_ERROR"`
	Unreachable int `json:"TASK_UNREACHABLE"`
}

type legacyStateSummary struct {
	Hostname   string                   `json:"hostname"`
	Cluster    string                   `json:"cluster,omitempty"`
	Slaves     []legacySummarySlave     `json:"slaves"`
	Frameworks []legacySummaryFramework `json:"frameworks"`
}

type legacySummarySlave struct {
	legacySlave
	legacyTaskCounts
	FrameworkIDs []string `json:"framework_ids"`
}

type legacySummaryFramework struct {
	legacyFrameworkSummary
	legacyTaskCounts
	SlaveIDs []string `json:"slave_ids"`
}

// legacyFrameworkSummary is what /state-summary and /state say of every
// framework.
type legacyFrameworkSummary struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	UsedResources    flatResources `json:"used_resources"`
	OfferedResources flatResources `json:"offered_resources"`
	Capabilities     []string      `json:"capabilities"`
	Hostname         string        `json:"hostname"`
	WebuiURL         string        `json:"webui_url"`
	Active           bool          `json:"active"`
	Connected        bool          `json:"connected"`
	Recovered        bool          `json:"recovered"`
}

// legacyFramework is a framework in /state and /frameworks.
type legacyFramework struct {
	legacyFrameworkSummary
	User             string                 `json:"user"`
	FailoverTimeout  float64                `json:"failover_timeout"`
	Checkpoint       bool                   `json:"checkpoint"`
	RegisteredTime   float64                `json:"registered_time"`
	ReregisteredTime float64                `json:"reregistered_time,omitempty"`
	UnregisteredTime float64                `json:"unregistered_time"`
	Principal        *string                `json:"principal,omitempty"`
	Resources        flatResources          `json:"resources"`
	Role             *string                `json:"role,omitempty"`  // frameworks that are not MULTI_ROLE
	Roles            *[]string              `json:"roles,omitempty"` // MULTI_ROLE frameworks
	Tasks            []legacyTask           `json:"tasks"`
	UnreachableTasks []legacyTask           `json:"unreachable_tasks"`
	CompletedTasks   []legacyTask           `json:"completed_tasks"`
	Offers           []legacyOffer          `json:"offers"`
	Executors        []legacyExecutor       `json:"executors"`
	Labels           *[]wLabel              `json:"labels,omitempty"`
	OfferConstraints legacyOfferConstraints `json:"offer_constraints"`
}

// legacyOfferConstraints is the empty offer_constraints object: constraints
// are not applied.
type legacyOfferConstraints struct{}

type legacyTask struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	FrameworkID string         `json:"framework_id"`
	ExecutorID  string         `json:"executor_id"`
	SlaveID     string         `json:"slave_id"`
	State       string         `json:"state"`
	Resources   flatResources  `json:"resources"`
	Role        string         `json:"role"`
	Statuses    []legacyStatus `json:"statuses"`
	User        string         `json:"user,omitempty"`
	Labels      *[]wLabel      `json:"labels,omitempty"`
	Discovery   rawMsg         `json:"discovery,omitzero"`
	Container   rawMsg         `json:"container,omitzero"`
	HealthCheck rawMsg         `json:"health_check,omitzero"`
}

// legacyStatus is a TaskStatus as the state endpoints write it: state,
// timestamp, labels, container_status (container_id, network_infos), then
// healthy.
type legacyStatus struct {
	State           string            `json:"state"`
	Timestamp       float64           `json:"timestamp"`
	Labels          *[]wLabel         `json:"labels,omitempty"`
	ContainerStatus *wContainerStatus `json:"container_status,omitempty"`
	Healthy         *bool             `json:"healthy,omitempty"`
}

type legacyOffer struct {
	ID             string           `json:"id"`
	FrameworkID    string           `json:"framework_id"`
	AllocationInfo legacyAllocation `json:"allocation_info"`
	SlaveID        string           `json:"slave_id"`
	Resources      flatResources    `json:"resources"`
}

type legacyAllocation struct {
	Role string `json:"role"`
}

type legacyExecutor struct {
	ExecutorID  string            `json:"executor_id"`
	Name        string            `json:"name"`
	FrameworkID string            `json:"framework_id"`
	Command     legacyCommandInfo `json:"command"`
	Resources   flatResources     `json:"resources"`
	SlaveID     string            `json:"slave_id"`
	Type        string            `json:"type,omitempty"`
	Labels      *[]wLabel         `json:"labels,omitempty"`
}

// legacyCommandInfo is a CommandInfo as the master's JSON writer renders
// it.
type legacyCommandInfo struct {
	Argv  []string    `json:"argv"`
	URIs  []legacyURI `json:"uris"`
	Shell *bool       `json:"shell,omitempty"`
	Value *string     `json:"value,omitempty"`
}

type legacyURI struct {
	Value      string `json:"value"`
	Executable bool   `json:"executable"`
}

type legacyVersion struct {
	Version   string `json:"version"`
	BuildDate string `json:"build_date"`
	BuildTime int    `json:"build_time"`
	BuildUser string `json:"build_user"`
}

type legacyFrameworks struct {
	Frameworks             []legacyFramework `json:"frameworks"`
	CompletedFrameworks    []legacyFramework `json:"completed_frameworks"`
	UnregisteredFrameworks none              `json:"unregistered_frameworks"`
}

type legacySlaves struct {
	Slaves          []legacySlave `json:"slaves"`
	RecoveredSlaves none          `json:"recovered_slaves"`
}

type legacyTasks struct {
	Tasks []legacyTask `json:"tasks"`
}

type legacyFlags struct {
	Flags map[string]string `json:"flags"`
}

type legacyRoles struct {
	Roles []legacyRole `json:"roles"`
}

type legacyRole struct {
	Name       string        `json:"name"`
	Weight     float64       `json:"weight"`
	Frameworks []string      `json:"frameworks"`
	Resources  flatResources `json:"resources"`
	Allocated  flatResources `json:"allocated"`
	Offered    flatResources `json:"offered"`
	Reserved   flatResources `json:"reserved"`
}
