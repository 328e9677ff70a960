//lint:file-ignore ST1005 the errors here carry the Mesos master's own messages, capitalised as it writes them: clients see them as plain-text bodies.

package mesos

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// TaskState is a Mesos task state ("TASK_RUNNING").
type TaskState string

// The task states of mesos.proto.
const (
	TaskStaging        TaskState = "TASK_STAGING"
	TaskStarting       TaskState = "TASK_STARTING"
	TaskRunning        TaskState = "TASK_RUNNING"
	TaskKilling        TaskState = "TASK_KILLING"
	TaskFinished       TaskState = "TASK_FINISHED"
	TaskFailed         TaskState = "TASK_FAILED"
	TaskKilled         TaskState = "TASK_KILLED"
	TaskError          TaskState = "TASK_ERROR"
	TaskLost           TaskState = "TASK_LOST"
	TaskDropped        TaskState = "TASK_DROPPED"
	TaskUnreachable    TaskState = "TASK_UNREACHABLE"
	TaskGone           TaskState = "TASK_GONE"
	TaskGoneByOperator TaskState = "TASK_GONE_BY_OPERATOR"
	TaskUnknown        TaskState = "TASK_UNKNOWN"
)

// Terminal reports whether the state is terminal, as Mesos's
// isTerminalState has it (TASK_UNREACHABLE is not).
func (s TaskState) Terminal() bool {
	switch s {
	case TaskFinished, TaskFailed, TaskKilled, TaskError, TaskLost, TaskDropped, TaskGone, TaskGoneByOperator:
		return true
	}
	return false
}

// taskReasons are the values of TaskStatus.Reason in Mesos 1.11's v1
// mesos.proto, in its order.
var taskReasons = []string{
	"REASON_COMMAND_EXECUTOR_FAILED", "REASON_CONTAINER_LAUNCH_FAILED", "REASON_CONTAINER_LIMITATION",
	"REASON_CONTAINER_LIMITATION_DISK", "REASON_CONTAINER_LIMITATION_MEMORY", "REASON_CONTAINER_PREEMPTED",
	"REASON_CONTAINER_UPDATE_FAILED", "REASON_MAX_COMPLETION_TIME_REACHED", "REASON_EXECUTOR_REGISTRATION_TIMEOUT",
	"REASON_EXECUTOR_REREGISTRATION_TIMEOUT", "REASON_EXECUTOR_TERMINATED", "REASON_EXECUTOR_UNREGISTERED",
	"REASON_FRAMEWORK_REMOVED", "REASON_GC_ERROR", "REASON_INVALID_FRAMEWORKID", "REASON_INVALID_OFFERS",
	"REASON_IO_SWITCHBOARD_EXITED", "REASON_MASTER_DISCONNECTED", "REASON_RECONCILIATION", "REASON_RESOURCES_UNKNOWN",
	"REASON_AGENT_DISCONNECTED", "REASON_AGENT_DRAINING", "REASON_AGENT_REMOVED", "REASON_AGENT_REMOVED_BY_OPERATOR",
	"REASON_AGENT_REREGISTERED", "REASON_AGENT_RESTARTED", "REASON_AGENT_UNKNOWN", "REASON_TASK_KILLED_DURING_LAUNCH",
	"REASON_TASK_CHECK_STATUS_UPDATED", "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", "REASON_TASK_GROUP_INVALID",
	"REASON_TASK_GROUP_UNAUTHORIZED", "REASON_TASK_INVALID", "REASON_TASK_UNAUTHORIZED", "REASON_TASK_UNKNOWN",
}

// outcomeStates are the states a task's emulated life can end in (or stay
// in, for STAGING, STARTING and RUNNING).
var outcomeStates = []TaskState{
	TaskStaging, TaskStarting, TaskRunning,
	TaskFinished, TaskFailed, TaskKilled, TaskError, TaskLost,
	TaskDropped, TaskUnreachable, TaskGone, TaskGoneByOperator,
}

func validOutcome(s TaskState) bool {
	for _, o := range outcomeStates {
		if s == o {
			return true
		}
	}
	return false
}

// Lifecycle is how long each step of an emulated task takes on the shared
// clock. Zero means "on the next Advance".
type Lifecycle struct {
	Starting time.Duration // TASK_STAGING -> TASK_STARTING (or TASK_DROPPED)
	Running  time.Duration // TASK_STARTING -> TASK_RUNNING
	Run      time.Duration // TASK_RUNNING -> the task's outcome
	Kill     time.Duration // a KILL (TASK_KILLING) -> TASK_KILLED
}

// DefaultLifecycle is one second to start, one to run, ten seconds of
// work, one second to die when killed.
func DefaultLifecycle() Lifecycle {
	return Lifecycle{Starting: time.Second, Running: time.Second, Run: 10 * time.Second, Kill: time.Second}
}

// Outcomes weighs the states emulated tasks end in. Weights are relative
// (they need not sum to 1) and are drawn from the master's seeded random
// source, one draw per launched task, so a run is reproducible. Besides the
// terminal states, TASK_RUNNING means "runs until killed" and TASK_STAGING
// or TASK_STARTING mean "stuck there".
//
// TASK_ERROR tasks are refused at launch, as the master refuses invalid
// tasks; TASK_DROPPED ones fail to start. TASK_DROPPED, TASK_UNREACHABLE,
// TASK_GONE and TASK_GONE_BY_OPERATOR are reported as TASK_LOST to
// frameworks without the PARTITION_AWARE capability, as Mesos does.
type Outcomes map[TaskState]float64

// TaskRule overrides the emulated life of matching tasks: an exact outcome
// (or weights of its own), timings, and the reason, message and health of
// the last update. The first rule whose criteria all match decides.
type TaskRule struct {
	// Name is a regular expression the whole task name must match; empty
	// matches any name.
	Name string `json:"name,omitempty"`
	// Labels must all be present on the task with these values.
	Labels map[string]string `json:"labels,omitempty"`
	// Framework limits the rule to one framework ID; empty matches all.
	Framework string `json:"framework_id,omitempty"`

	// Outcome is exactly what matching tasks do; when empty, Outcomes (or
	// else the master's weights) are drawn from.
	Outcome  TaskState `json:"outcome,omitempty"`
	Outcomes Outcomes  `json:"outcomes,omitempty"`
	// Lifecycle replaces the master's timings for matching tasks.
	Lifecycle *Lifecycle `json:"lifecycle,omitempty"`
	// Reason and Message replace those of the final update
	// ("REASON_CONTAINER_LIMITATION_MEMORY", "Memory limit exceeded").
	// Reason must be a TaskStatus.Reason of the v1 API (v0 names such as
	// REASON_SLAVE_REMOVED are refused: v1 clients cannot decode them).
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Healthy sets the "healthy" field of TASK_RUNNING updates (Mesos sets
	// it only for tasks with a health check, reporting true).
	Healthy *bool `json:"healthy,omitempty"`

	nameRE *regexp.Regexp
}

func (r *TaskRule) compile() error {
	if r.Outcome != "" && !validOutcome(r.Outcome) {
		return fmt.Errorf("outcome %q is not a task outcome", r.Outcome)
	}
	if err := r.Outcomes.validate(); err != nil {
		return err
	}
	if r.Lifecycle != nil {
		if err := r.Lifecycle.validate(); err != nil {
			return err
		}
	}
	if r.Reason != "" && !knownEnum(r.Reason, taskReasons...) {
		return fmt.Errorf("reason %q is not a TaskStatus reason of the v1 API", r.Reason)
	}
	r.nameRE = nil
	if r.Name != "" {
		re, err := regexp.Compile(`^(?:` + r.Name + `)$`)
		if err != nil {
			return fmt.Errorf("name pattern: %v", err)
		}
		r.nameRE = re
	}
	return nil
}

func (r *TaskRule) matches(frameworkID, name string, labels map[string]string) bool {
	if r.Framework != "" && r.Framework != frameworkID {
		return false
	}
	if r.nameRE != nil && !r.nameRE.MatchString(name) {
		return false
	}
	for k, v := range r.Labels {
		got, ok := labels[k]
		if !ok || got != v {
			return false
		}
	}
	return true
}

func (o Outcomes) validate() error {
	for s, w := range o {
		if !validOutcome(s) {
			return fmt.Errorf("%q is not a task outcome", s)
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("weight of %s must be a finite, non-negative number", s)
		}
	}
	return nil
}

// draw picks an outcome with probability proportional to its weight; u is
// uniform in [0, 1). States are visited in a fixed order so that the same
// u always gives the same state.
func (o Outcomes) draw(u float64) TaskState {
	total := 0.0
	for _, s := range outcomeStates {
		total += o[s]
	}
	if total <= 0 {
		return TaskFinished
	}
	x := u * total
	var last TaskState
	for _, s := range outcomeStates {
		w := o[s]
		if w <= 0 {
			continue
		}
		last = s
		if x < w {
			return s
		}
		x -= w
	}
	return last
}

func (l Lifecycle) validate() error {
	if l.Starting < 0 || l.Running < 0 || l.Run < 0 || l.Kill < 0 {
		return fmt.Errorf("lifecycle durations must not be negative")
	}
	return nil
}

// AgentConfig describes an emulated agent.
type AgentConfig struct {
	// Hostname defaults to "agent-<n>.mesos.test". With Count > 1 a "%d" in
	// it is replaced by the agent's index, or "-<index>" is appended.
	Hostname string `json:"hostname,omitempty"`
	Port     int    `json:"port,omitempty"` // default 5051
	// IP is the agent's IPv4 address: in its pid, its offers' url, and
	// the container_status of its tasks' updates (network_infos). It
	// defaults to 10.0.<n/250>.<n%250+1> for the n-th agent registered;
	// with Count > 1 the i-th agent gets IP plus i.
	IP string `json:"ip,omitempty"`
	// Resources are the agent's unreserved resources.
	Resources Resources `json:"resources"`
	// Reserved are resources statically reserved for roles.
	Reserved map[string]Resources `json:"reserved,omitempty"`
	// Attributes are given as on the agent's --attributes flag: numbers
	// become SCALAR, "[a-b]" RANGES, "{a,b}" SET, anything else TEXT.
	Attributes map[string]string `json:"attributes,omitempty"`
	// Count makes this many identical agents (Config only; default 1).
	Count int `json:"count,omitempty"`
}

func (a AgentConfig) validate() error {
	if err := a.Resources.validate(); err != nil {
		return err
	}
	for role, r := range a.Reserved {
		if err := validRole(role); err != nil || role == "*" {
			return fmt.Errorf("reserved role %q is not a valid role", role)
		}
		if err := r.validate(); err != nil {
			return fmt.Errorf("reserved for %s: %v", role, err)
		}
	}
	if a.Port < 0 || a.Port > 65535 {
		return fmt.Errorf("port %d is out of range", a.Port)
	}
	if a.IP != "" {
		ip, err := netip.ParseAddr(a.IP)
		if err != nil || !ip.Is4() {
			return fmt.Errorf("ip %q is not an IPv4 address", a.IP)
		}
		n := max(a.Count, 1) - 1
		if uint64(ipv4Uint(ip))+uint64(n) > math.MaxUint32 {
			return fmt.Errorf("ip %q plus count %d runs past 255.255.255.255", a.IP, a.Count)
		}
	}
	if a.Count < 0 {
		return fmt.Errorf("count must not be negative")
	}
	for k := range a.Attributes {
		if k == "" {
			return fmt.Errorf("an attribute needs a name")
		}
	}
	return nil
}

// DefaultAgent is the shape of the default agents: 4 CPUs, 8 GB of memory,
// 64 GB of disk and ports 31000-32000, like a small cloud VM running
// mesos-agent with its default --resources.
func DefaultAgent() AgentConfig {
	return AgentConfig{Resources: Resources{CPUs: 4, Mem: 8192, Disk: 65536, Ports: []PortRange{{31000, 32000}}}}
}

// Config is everything that shapes an emulated cluster. The standalone
// server reads the same settings as JSON (see [ParseConfig]); durations are
// Go duration strings there ("1.5s") or numbers of seconds.
type Config struct {
	Hostname string // the master's hostname; default "localhost"
	Port     int    // the master's port in MasterInfo and pids; default 5050
	Version  string // the Mesos version reported; default "1.11.0"
	Cluster  string // --cluster, reported by the state endpoints when set

	// Agents registered at start. Nil means three DefaultAgent()s; an empty
	// slice means none.
	Agents []AgentConfig

	HeartbeatInterval  time.Duration // between HEARTBEAT events; default 15s
	AllocationInterval time.Duration // from a change (new framework, freed resources, REVIVE …) to the OFFERS it causes; default 1s
	OfferTimeout       time.Duration // --offer_timeout: outstanding offers are rescinded after it; zero means never

	Lifecycle Lifecycle // task timings; see DefaultLifecycle
	Outcomes  Outcomes  // how tasks end; nil means always TASK_FINISHED
	TaskRules []TaskRule

	// StatusUpdateRetry is how long an agent waits for an ACKNOWLEDGE before
	// resending an update; it doubles up to StatusUpdateRetryMax. Defaults
	// 10s and 10m, as the agent's.
	StatusUpdateRetry    time.Duration
	StatusUpdateRetryMax time.Duration
	// AutoAcknowledge treats every status update as acknowledged on
	// delivery, as the v0 driver's implicit acknowledgements did: nothing
	// is retried and the next update of a task is not held back.
	AutoAcknowledge bool

	MaxCompletedTasksPerFramework int // default 1000, as --max_completed_tasks_per_framework
	MaxCompletedFrameworks        int // default 50, as --max_completed_frameworks
}

// DefaultConfig returns the defaults every field documents.
func DefaultConfig() Config {
	return Config{
		Hostname:                      "localhost",
		Port:                          5050,
		Version:                       "1.11.0",
		Agents:                        []AgentConfig{DefaultAgent(), DefaultAgent(), DefaultAgent()},
		HeartbeatInterval:             15 * time.Second,
		AllocationInterval:            time.Second,
		Lifecycle:                     DefaultLifecycle(),
		Outcomes:                      Outcomes{TaskFinished: 1},
		StatusUpdateRetry:             10 * time.Second,
		StatusUpdateRetryMax:          10 * time.Minute,
		MaxCompletedTasksPerFramework: 1000,
		MaxCompletedFrameworks:        50,
	}
}

// normalize fills the fields whose zero value cannot mean anything with
// their defaults, and validates the rest.
func (c *Config) normalize() error {
	d := DefaultConfig()
	if c.Hostname == "" {
		c.Hostname = d.Hostname
	}
	if c.Port == 0 {
		c.Port = d.Port
	}
	if c.Version == "" {
		c.Version = d.Version
	}
	if c.Agents == nil {
		c.Agents = d.Agents
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = d.HeartbeatInterval
	}
	if c.StatusUpdateRetry <= 0 {
		c.StatusUpdateRetry = d.StatusUpdateRetry
	}
	if c.StatusUpdateRetryMax < c.StatusUpdateRetry {
		c.StatusUpdateRetryMax = max(d.StatusUpdateRetryMax, c.StatusUpdateRetry)
	}
	if c.MaxCompletedTasksPerFramework <= 0 {
		c.MaxCompletedTasksPerFramework = d.MaxCompletedTasksPerFramework
	}
	if c.MaxCompletedFrameworks <= 0 {
		c.MaxCompletedFrameworks = d.MaxCompletedFrameworks
	}
	if c.Outcomes == nil {
		c.Outcomes = d.Outcomes
	}
	switch {
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("port %d is out of range", c.Port)
	case c.AllocationInterval < 0 || c.OfferTimeout < 0:
		return fmt.Errorf("intervals must not be negative")
	}
	if err := c.Lifecycle.validate(); err != nil {
		return err
	}
	if err := c.Outcomes.validate(); err != nil {
		return fmt.Errorf("outcomes: %v", err)
	}
	for i, a := range c.Agents {
		if err := a.validate(); err != nil {
			return fmt.Errorf("agent %d: %v", i, err)
		}
	}
	rules := make([]TaskRule, len(c.TaskRules))
	for i, r := range c.TaskRules {
		r.Labels = maps.Clone(r.Labels)
		if err := r.compile(); err != nil {
			return fmt.Errorf("task rule %d: %v", i, err)
		}
		rules[i] = r
	}
	c.TaskRules = rules
	return nil
}

// clone deep-copies the config.
func (c Config) clone() Config {
	out := c
	out.Agents = make([]AgentConfig, len(c.Agents))
	for i, a := range c.Agents {
		out.Agents[i] = a.clone()
	}
	if c.Agents == nil {
		out.Agents = nil
	}
	out.Outcomes = maps.Clone(c.Outcomes)
	out.TaskRules = make([]TaskRule, len(c.TaskRules))
	for i, r := range c.TaskRules {
		out.TaskRules[i] = r.clone()
	}
	return out
}

func (r TaskRule) clone() TaskRule {
	r.Labels = maps.Clone(r.Labels)
	r.Outcomes = maps.Clone(r.Outcomes)
	if r.Lifecycle != nil {
		l := *r.Lifecycle
		r.Lifecycle = &l
	}
	if r.Healthy != nil {
		h := *r.Healthy
		r.Healthy = &h
	}
	return r
}

func (a AgentConfig) clone() AgentConfig {
	a.Resources = a.Resources.clone()
	if a.Reserved != nil {
		m := make(map[string]Resources, len(a.Reserved))
		for k, v := range a.Reserved {
			m[k] = v.clone()
		}
		a.Reserved = m
	}
	a.Attributes = maps.Clone(a.Attributes)
	return a
}

func (r Resources) clone() Resources {
	r.Ports = append([]PortRange(nil), r.Ports...)
	if r.Scalars != nil {
		m := make(map[string]float64, len(r.Scalars))
		for k, v := range r.Scalars {
			m[k] = v
		}
		r.Scalars = m
	}
	return r
}

// jsonDuration is a duration in the JSON config: a Go duration string or a
// number of seconds.
type jsonDuration time.Duration

func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			if f, ferr := strconv.ParseFloat(s, 64); ferr == nil {
				*d = jsonDuration(f * float64(time.Second))
				return nil
			}
			return err
		}
		*d = jsonDuration(v)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("a duration must be a string such as \"1.5s\" or a number of seconds")
	}
	if math.IsNaN(f) || math.Abs(f) > 1e9 {
		return fmt.Errorf("duration %v is out of range", f)
	}
	*d = jsonDuration(f * float64(time.Second))
	return nil
}

type lifecycleJSON struct {
	Starting jsonDuration `json:"starting"`
	Running  jsonDuration `json:"running"`
	Run      jsonDuration `json:"run"`
	Kill     jsonDuration `json:"kill"`
}

func (l Lifecycle) toJSON() lifecycleJSON {
	return lifecycleJSON{jsonDuration(l.Starting), jsonDuration(l.Running), jsonDuration(l.Run), jsonDuration(l.Kill)}
}

func (j lifecycleJSON) lifecycle() Lifecycle {
	return Lifecycle{time.Duration(j.Starting), time.Duration(j.Running), time.Duration(j.Run), time.Duration(j.Kill)}
}

// MarshalJSON writes durations as strings ("1s").
func (l Lifecycle) MarshalJSON() ([]byte, error) { return json.Marshal(l.toJSON()) }

// UnmarshalJSON reads durations as strings or seconds; fields left out
// keep their current value.
func (l *Lifecycle) UnmarshalJSON(b []byte) error {
	j := l.toJSON()
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = j.lifecycle()
	return nil
}

type configJSON struct {
	Hostname                      string        `json:"hostname"`
	Port                          int           `json:"port"`
	Version                       string        `json:"version"`
	Cluster                       string        `json:"cluster,omitempty"`
	Agents                        []AgentConfig `json:"agents"`
	HeartbeatInterval             jsonDuration  `json:"heartbeat_interval"`
	AllocationInterval            jsonDuration  `json:"allocation_interval"`
	OfferTimeout                  jsonDuration  `json:"offer_timeout"`
	Lifecycle                     lifecycleJSON `json:"lifecycle"`
	Outcomes                      Outcomes      `json:"outcomes"`
	TaskRules                     []TaskRule    `json:"task_rules,omitempty"`
	StatusUpdateRetry             jsonDuration  `json:"status_update_retry"`
	StatusUpdateRetryMax          jsonDuration  `json:"status_update_retry_max"`
	AutoAcknowledge               bool          `json:"auto_acknowledge"`
	MaxCompletedTasksPerFramework int           `json:"max_completed_tasks_per_framework"`
	MaxCompletedFrameworks        int           `json:"max_completed_frameworks"`
}

// MarshalJSON writes the standalone server's form of the config.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(configJSON{
		Hostname: c.Hostname, Port: c.Port, Version: c.Version, Cluster: c.Cluster, Agents: c.Agents,
		HeartbeatInterval: jsonDuration(c.HeartbeatInterval), AllocationInterval: jsonDuration(c.AllocationInterval),
		OfferTimeout: jsonDuration(c.OfferTimeout), Lifecycle: c.Lifecycle.toJSON(), Outcomes: c.Outcomes, TaskRules: c.TaskRules,
		StatusUpdateRetry: jsonDuration(c.StatusUpdateRetry), StatusUpdateRetryMax: jsonDuration(c.StatusUpdateRetryMax),
		AutoAcknowledge: c.AutoAcknowledge, MaxCompletedTasksPerFramework: c.MaxCompletedTasksPerFramework,
		MaxCompletedFrameworks: c.MaxCompletedFrameworks,
	})
}

// UnmarshalJSON overlays the JSON form on c: members left out keep c's
// values (start from DefaultConfig(), as ParseConfig does).
func (c *Config) UnmarshalJSON(b []byte) error {
	j := configJSON{
		Hostname: c.Hostname, Port: c.Port, Version: c.Version, Cluster: c.Cluster, Agents: c.Agents,
		HeartbeatInterval: jsonDuration(c.HeartbeatInterval), AllocationInterval: jsonDuration(c.AllocationInterval),
		OfferTimeout: jsonDuration(c.OfferTimeout), Lifecycle: c.Lifecycle.toJSON(), Outcomes: c.Outcomes, TaskRules: c.TaskRules,
		StatusUpdateRetry: jsonDuration(c.StatusUpdateRetry), StatusUpdateRetryMax: jsonDuration(c.StatusUpdateRetryMax),
		AutoAcknowledge: c.AutoAcknowledge, MaxCompletedTasksPerFramework: c.MaxCompletedTasksPerFramework,
		MaxCompletedFrameworks: c.MaxCompletedFrameworks,
	}
	// Lists and maps given in the JSON replace the current ones rather
	// than merging into them.
	j.Agents, j.Outcomes, j.TaskRules = nil, nil, nil
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Agents == nil {
		j.Agents = c.Agents
	}
	if j.Outcomes == nil {
		j.Outcomes = c.Outcomes
	}
	if j.TaskRules == nil {
		j.TaskRules = c.TaskRules
	}
	*c = Config{
		Hostname: j.Hostname, Port: j.Port, Version: j.Version, Cluster: j.Cluster, Agents: j.Agents,
		HeartbeatInterval: time.Duration(j.HeartbeatInterval), AllocationInterval: time.Duration(j.AllocationInterval),
		OfferTimeout: time.Duration(j.OfferTimeout), Lifecycle: j.Lifecycle.lifecycle(), Outcomes: j.Outcomes, TaskRules: j.TaskRules,
		StatusUpdateRetry: time.Duration(j.StatusUpdateRetry), StatusUpdateRetryMax: time.Duration(j.StatusUpdateRetryMax),
		AutoAcknowledge: j.AutoAcknowledge, MaxCompletedTasksPerFramework: j.MaxCompletedTasksPerFramework,
		MaxCompletedFrameworks: j.MaxCompletedFrameworks,
	}
	return nil
}

// MaxConfigAgents bounds the agents a configuration may describe (counts
// included): a cluster far past any real one would only exhaust memory.
const MaxConfigAgents = 100_000

// ParseConfig reads the JSON form of a Config over DefaultConfig() and
// validates it: what the standalone server takes on its command line. A
// key it does not know is refused with its path, and so are negative
// durations and more than MaxConfigAgents agents.
func ParseConfig(data []byte) (Config, error) {
	if err := kit.CheckKeys(data, configJSON{}); err != nil {
		return Config{}, fmt.Errorf("mesos config: %v", err)
	}
	c := DefaultConfig()
	if err := json.Unmarshal(data, &c); err != nil {
		return Config{}, fmt.Errorf("mesos config: %v", err)
	}
	if err := c.checkBounds(); err != nil {
		return Config{}, fmt.Errorf("mesos config: %v", err)
	}
	if err := c.normalize(); err != nil {
		return Config{}, fmt.Errorf("mesos config: %v", err)
	}
	return c, nil
}

// checkBounds refuses what a configuration file can say but no cluster
// means: negative durations (normalize would take them for "the default")
// and more agents than MaxConfigAgents.
func (c Config) checkBounds() error {
	for name, d := range map[string]time.Duration{
		"heartbeat_interval": c.HeartbeatInterval, "allocation_interval": c.AllocationInterval,
		"offer_timeout": c.OfferTimeout, "status_update_retry": c.StatusUpdateRetry,
		"status_update_retry_max": c.StatusUpdateRetryMax,
	} {
		if d < 0 {
			return fmt.Errorf("%s: %v is negative", name, d)
		}
	}
	total := 0
	for i, a := range c.Agents {
		if a.Count > MaxConfigAgents || total+max(a.Count, 1) > MaxConfigAgents {
			return fmt.Errorf("agents[%d]: more than %d agents in all", i, MaxConfigAgents)
		}
		total += max(a.Count, 1)
	}
	return nil
}

// attribute parsing, as Mesos's Attributes::parse reads --attributes.
func parseAttribute(name, value string) wAttribute {
	v := strings.TrimSpace(value)
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return wAttribute{Name: name, Type: "SCALAR", Scalar: &wScalar{Value: pbDouble(f)}}
	}
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		if rs, ok := parseRanges(v); ok {
			return wAttribute{Name: name, Type: "RANGES", Ranges: rs}
		}
	}
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		var items []string
		for _, it := range strings.Split(v[1:len(v)-1], ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		return wAttribute{Name: name, Type: "SET", Set: &wSet{Item: items}}
	}
	return wAttribute{Name: name, Type: "TEXT", Text: &wText{Value: value}}
}

func parseRanges(v string) (*wRanges, bool) {
	out := &wRanges{}
	for _, part := range strings.Split(v[1:len(v)-1], ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		ab := strings.SplitN(part, "-", 2)
		if len(ab) != 2 {
			return nil, false
		}
		a, err1 := strconv.ParseUint(strings.TrimSpace(ab[0]), 10, 64)
		b, err2 := strconv.ParseUint(strings.TrimSpace(ab[1]), 10, 64)
		if err1 != nil || err2 != nil || a > b {
			return nil, false
		}
		out.Range = append(out.Range, wRange{pbUint(a), pbUint(b)})
	}
	return out, true
}

func attributesOf(m map[string]string) []wAttribute {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]wAttribute, 0, len(names))
	for _, n := range names {
		out = append(out, parseAttribute(n, m[n]))
	}
	return out
}

// flatAttributes renders attributes as the legacy endpoints do.
func flatAttributes(attrs []wAttribute) map[string]any {
	out := map[string]any{}
	for _, a := range attrs {
		switch a.Type {
		case "SCALAR":
			out[a.Name] = float64(a.Scalar.Value)
		case "RANGES":
			var rs []rng
			for _, r := range a.Ranges.Range {
				rs = append(rs, rng{uint64(r.Begin), uint64(r.End)})
			}
			out[a.Name] = formatRanges(rs)
		case "SET":
			out[a.Name] = "{" + strings.Join(a.Set.Item, ", ") + "}"
		default:
			out[a.Name] = a.Text.Value
		}
	}
	return out
}

// validRole checks a role name as Mesos's roles::validate does.
func validRole(role string) error {
	switch {
	case role == "":
		return fmt.Errorf("Empty role name is invalid")
	case role == "*":
		return nil
	case role == "." || role == "..":
		return fmt.Errorf("Role '%s' cannot be '.' or '..'", role)
	case strings.HasPrefix(role, "/") || strings.HasSuffix(role, "/"):
		return fmt.Errorf("Role '%s' cannot start or end with a slash", role)
	case strings.HasPrefix(role, "-"):
		return fmt.Errorf("Role '%s' cannot start with a dash", role)
	case strings.ContainsAny(role, " \t\n\v\f\r\\\x7f"):
		return fmt.Errorf("Role '%s' cannot include whitespace or backslashes", role)
	}
	for _, seg := range strings.Split(role, "/") {
		if seg == "" || seg == "." || seg == ".." || seg == "*" || strings.HasPrefix(seg, "-") {
			return fmt.Errorf("Role '%s' has an invalid path component", role)
		}
	}
	return nil
}

func ipv4Uint(ip netip.Addr) uint32 {
	b := ip.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// ipPlus is the IPv4 address i after ip (validated by AgentConfig.validate).
func ipPlus(ip string, i int) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is4() || i == 0 {
		return ip
	}
	v := ipv4Uint(a) + uint32(i)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}
