//lint:file-ignore ST1005 the errors here carry the Mesos master's own messages, capitalised as it writes them: clients see them as plain-text bodies.

package mesos

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The types in this file are the JSON forms of Mesos's v1 protobuf
// messages, as the master renders and parses them: field names as in the
// .proto files (snake_case), enums as their names, bytes as base64, scalars
// as {"value": …}. Parsing follows the master's JSON-to-protobuf rules:
// numbers may also be given as numeric strings ("Infinity" for doubles),
// booleans as "true"/"false", null leaves a field unset, unknown fields are
// ignored, and required fields are checked afterwards (see missing*).

// pbDouble is a proto double.
type pbDouble float64

func (d *pbDouble) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch s {
		case "Infinity":
			*d = pbDouble(math.Inf(1))
			return nil
		case "-Infinity":
			*d = pbDouble(math.Inf(-1))
			return nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) {
			return fmt.Errorf("Failed to parse '%s' as a JSON number", s)
		}
		*d = pbDouble(f)
		return nil
	}
	if b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return notExpecting(b)
	}
	// encoding/json has already checked this is a valid JSON number.
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !math.IsInf(f, 0) {
		return fmt.Errorf("Failed to parse '%s' as a JSON number", b)
	}
	*d = pbDouble(f)
	return nil
}

func (d pbDouble) MarshalJSON() ([]byte, error) {
	f := float64(d)
	switch {
	case math.IsInf(f, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Infinity"`), nil
	case math.IsNaN(f):
		return []byte(`0`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// pbInt is a proto int32/int64.
type pbInt int64

func (n *pbInt) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s, err := numberText(b)
	if err != nil {
		return err
	}
	v, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 9.2e18 {
			return fmt.Errorf("Failed to parse '%s' as an integer", s)
		}
		v = int64(f)
	}
	*n = pbInt(v)
	return nil
}

// pbUint is a proto uint32/uint64.
type pbUint uint64

func (n *pbUint) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s, err := numberText(b)
	if err != nil {
		return err
	}
	v, perr := strconv.ParseUint(s, 10, 64)
	if perr != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f < 0 || f != math.Trunc(f) || f > 1.8e19 {
			return fmt.Errorf("Failed to parse '%s' as an unsigned integer", s)
		}
		v = uint64(f)
	}
	*n = pbUint(v)
	return nil
}

// pbBool is a proto bool.
type pbBool bool

func (v *pbBool) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	switch string(b) {
	case "true", `"true"`:
		*v = true
	case "false", `"false"`:
		*v = false
	default:
		return notExpecting(b)
	}
	return nil
}

// pbBytes is a proto bytes field: base64 on the wire.
type pbBytes []byte

func (p *pbBytes) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return notExpecting(b)
	}
	d, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// Mesos's decoder also accepts unpadded input.
		d, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
		if err != nil {
			return fmt.Errorf("Failed to base64 decode bytes field: %v", err)
		}
	}
	*p = d
	return nil
}

func (p pbBytes) MarshalJSON() ([]byte, error) {
	return json.Marshal(base64.StdEncoding.EncodeToString(p))
}

func isNull(b []byte) bool { return string(bytes.TrimSpace(b)) == "null" }

func numberText(b []byte) (string, error) {
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	}
	if b[0] == '-' || (b[0] >= '0' && b[0] <= '9') {
		return string(b), nil
	}
	return "", notExpecting(b)
}

func notExpecting(b []byte) error {
	kind := "value"
	switch b[0] {
	case '{':
		kind = "object"
	case '[':
		kind = "array"
	case '"':
		kind = "string"
	case 't', 'f':
		kind = "boolean"
	default:
		kind = "number"
	}
	return fmt.Errorf("Not expecting a JSON %s", kind)
}

// rawJSON keeps a sub-message the fake does not interpret (a ContainerInfo,
// a HealthCheck …) so it can be echoed back exactly; null means unset.
type rawJSON = json.RawMessage

func rawSet(r rawJSON) bool { return len(r) > 0 && !isNull(r) }

// rawOrNil returns r, or nil when it is unset, so omitempty drops it.
func rawOrNil(r rawJSON) rawJSON {
	if !rawSet(r) {
		return nil
	}
	return r
}

// rawOf is the message a pointer member holds, nil when it is unset.
func rawOf(p *rawJSON) rawJSON {
	if p == nil {
		return nil
	}
	return rawOrNil(*p)
}

// wID is every XxxID message: {"value": "…"}. set records, for parsed
// IDs, whether the required value was there at all.
type wID struct {
	Value string `json:"value"`
	set   bool
}

func (i *wID) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	if b[0] != '{' {
		return notExpecting(b)
	}
	// The common form, {"value":"…"} with a plain string, is read
	// directly; anything else goes through the full decoder.
	const prefix = `{"value":"`
	if len(b) > len(prefix)+1 && string(b[:len(prefix)]) == prefix && b[len(b)-1] == '}' && b[len(b)-2] == '"' {
		v := b[len(prefix) : len(b)-2]
		plain := true
		for _, c := range v {
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				plain = false
				break
			}
		}
		if plain {
			i.Value, i.set = string(v), true
			return nil
		}
	}
	var x struct {
		Value *string `json:"value"`
	}
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	if x.Value != nil {
		i.Value, i.set = *x.Value, true
	}
	return nil
}

func idp(v string) *wID { return &wID{Value: v} }

func (i *wID) val() string {
	if i == nil {
		return ""
	}
	return i.Value
}

type wScalar struct {
	Value pbDouble `json:"value"`
}

type wRange struct {
	Begin pbUint `json:"begin"`
	End   pbUint `json:"end"`
}

type wRanges struct {
	Range []wRange `json:"range"`
}

type wSet struct {
	Item []string `json:"item"`
}

type wText struct {
	Value string `json:"value"`
}

type wLabel struct {
	Key   string  `json:"key"`
	Value *string `json:"value,omitempty"`
}

type wLabels struct {
	Labels []wLabel `json:"labels"`
}

type wReservation struct {
	Type      string   `json:"type,omitempty"`
	Role      string   `json:"role,omitempty"`
	Principal string   `json:"principal,omitempty"`
	Labels    *wLabels `json:"labels,omitempty"`
}

type wAllocationInfo struct {
	Role string `json:"role,omitempty"`
}

type wResource struct {
	ProviderID     *wID             `json:"provider_id,omitempty"`
	Name           string           `json:"name"`
	Type           string           `json:"type"`
	Scalar         *wScalar         `json:"scalar,omitempty"`
	Ranges         *wRanges         `json:"ranges,omitempty"`
	Set            *wSet            `json:"set,omitempty"`
	Role           string           `json:"role,omitempty"`
	AllocationInfo *wAllocationInfo `json:"allocation_info,omitempty"`
	Reservation    *wReservation    `json:"reservation,omitempty"`
	Reservations   []wReservation   `json:"reservations,omitempty"`
	// Members the fake only echoes are pointers: a scheduler's requests
	// hold thousands of Resources and TaskInfos, and rarely these.
	Disk      *rawJSON `json:"disk,omitempty"`
	Revocable *rawJSON `json:"revocable,omitempty"`
	Shared    *rawJSON `json:"shared,omitempty"`
}

// reservationRole is the role a resource is reserved for ("*" when
// unreserved), in either the refined ("reservations") or the
// pre-refinement ("role") format.
func (r wResource) reservationRole() string {
	if n := len(r.Reservations); n > 0 && r.Reservations[n-1].Role != "" {
		return r.Reservations[n-1].Role
	}
	if r.Role != "" {
		return r.Role
	}
	return "*"
}

type wAttribute struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Scalar *wScalar `json:"scalar,omitempty"`
	Ranges *wRanges `json:"ranges,omitempty"`
	Set    *wSet    `json:"set,omitempty"`
	Text   *wText   `json:"text,omitempty"`
}

type wCapability struct {
	Type string `json:"type,omitempty"`
}

type wFrameworkInfo struct {
	User            *string       `json:"user,omitempty"`
	Name            *string       `json:"name,omitempty"`
	ID              *wID          `json:"id,omitempty"`
	FailoverTimeout *pbDouble     `json:"failover_timeout,omitempty"`
	Checkpoint      *pbBool       `json:"checkpoint,omitempty"`
	Role            *string       `json:"role,omitempty"`
	Roles           []string      `json:"roles,omitempty"`
	Hostname        *string       `json:"hostname,omitempty"`
	Principal       *string       `json:"principal,omitempty"`
	WebuiURL        *string       `json:"webui_url,omitempty"`
	Capabilities    []wCapability `json:"capabilities,omitempty"`
	Labels          *wLabels      `json:"labels,omitempty"`
	OfferFilters    rawJSON       `json:"offer_filters,omitempty"`
}

type wTimeInfo struct {
	Nanoseconds pbInt `json:"nanoseconds"`
}

type wDurationInfo struct {
	Nanoseconds pbInt `json:"nanoseconds"`
}

type wKillPolicy struct {
	GracePeriod *wDurationInfo `json:"grace_period,omitempty"`
}

type wExecutorInfo struct {
	Type                string         `json:"type,omitempty"`
	ExecutorID          *wID           `json:"executor_id,omitempty"`
	FrameworkID         *wID           `json:"framework_id,omitempty"`
	Command             rawJSON        `json:"command,omitempty"`
	Container           rawJSON        `json:"container,omitempty"`
	Resources           []wResource    `json:"resources,omitempty"`
	Name                *string        `json:"name,omitempty"`
	Source              *string        `json:"source,omitempty"`
	Data                *pbBytes       `json:"data,omitempty"`
	Discovery           rawJSON        `json:"discovery,omitempty"`
	ShutdownGracePeriod *wDurationInfo `json:"shutdown_grace_period,omitempty"`
	Labels              *wLabels       `json:"labels,omitempty"`
}

type wTaskInfo struct {
	Name              *string        `json:"name,omitempty"`
	TaskID            *wID           `json:"task_id,omitempty"`
	AgentID           *wID           `json:"agent_id,omitempty"`
	Resources         []wResource    `json:"resources,omitempty"`
	Executor          *wExecutorInfo `json:"executor,omitempty"`
	Command           rawJSON        `json:"command,omitempty"`
	Container         *rawJSON       `json:"container,omitempty"`
	HealthCheck       *rawJSON       `json:"health_check,omitempty"`
	Check             *rawJSON       `json:"check,omitempty"`
	KillPolicy        *wKillPolicy   `json:"kill_policy,omitempty"`
	Data              *pbBytes       `json:"data,omitempty"`
	Labels            *wLabels       `json:"labels,omitempty"`
	Discovery         *rawJSON       `json:"discovery,omitempty"`
	MaxCompletionTime *wDurationInfo `json:"max_completion_time,omitempty"`
	Limits            *rawJSON       `json:"limits,omitempty"`
}

type wTaskGroupInfo struct {
	Tasks []wTaskInfo `json:"tasks"`
}

type wOperation struct {
	Type        string        `json:"type"`
	ID          *wID          `json:"id,omitempty"`
	Launch      *wLaunch      `json:"launch,omitempty"`
	LaunchGroup *wLaunchGroup `json:"launch_group,omitempty"`
}

type wLaunch struct {
	TaskInfos []wTaskInfo `json:"task_infos"`
}

type wLaunchGroup struct {
	Executor  *wExecutorInfo  `json:"executor,omitempty"`
	TaskGroup *wTaskGroupInfo `json:"task_group,omitempty"`
}

type wFilters struct {
	RefuseSeconds *pbDouble `json:"refuse_seconds,omitempty"`
}

// wTaskStatus is a TaskStatus as the master sends it.
type wTaskStatus struct {
	TaskID          wID               `json:"task_id"`
	State           string            `json:"state"`
	Message         string            `json:"message,omitempty"`
	Source          string            `json:"source,omitempty"`
	Reason          string            `json:"reason,omitempty"`
	AgentID         *wID              `json:"agent_id,omitempty"`
	ExecutorID      *wID              `json:"executor_id,omitempty"`
	Timestamp       float64           `json:"timestamp"`
	UUID            pbBytes           `json:"uuid,omitempty"`
	Healthy         *bool             `json:"healthy,omitempty"`
	Labels          *wLabels          `json:"labels,omitempty"`
	ContainerStatus *wContainerStatus `json:"container_status,omitempty"`
	UnreachableTime *wTimeInfo        `json:"unreachable_time,omitempty"`
}

// wContainerStatus is a ContainerStatus as an agent adds it to the updates
// of a task's executor: the task's container and its network_infos. With
// no network isolator the agent reports its own IP address there
// (Slave::_statusUpdate). Neither cgroup_info nor executor_pid is
// emulated.
type wContainerStatus struct {
	ContainerID  *wContainerID  `json:"container_id,omitempty"`
	NetworkInfos []wNetworkInfo `json:"network_infos,omitempty"`
}

// wContainerID is a ContainerID: a task group's tasks run in containers
// nested in their executor's.
type wContainerID struct {
	Value  string        `json:"value"`
	Parent *wContainerID `json:"parent,omitempty"`
}

// wNetworkInfo is a NetworkInfo as a container status reports it.
type wNetworkInfo struct {
	IPAddresses []wIPAddress `json:"ip_addresses,omitempty"`
}

// wIPAddress is a NetworkInfo.IPAddress. The master renders optional
// fields with a default when unset, so protocol is always there ("IPv4"
// by default).
type wIPAddress struct {
	Protocol  string `json:"protocol"`
	IPAddress string `json:"ip_address,omitempty"`
}

type wURL struct {
	Scheme  string   `json:"scheme"`
	Address wAddress `json:"address"`
	Path    string   `json:"path,omitempty"`
}

type wAddress struct {
	Hostname string `json:"hostname,omitempty"`
	IP       string `json:"ip,omitempty"`
	Port     int    `json:"port"`
}

type wOffer struct {
	ID             wID              `json:"id"`
	FrameworkID    wID              `json:"framework_id"`
	AgentID        wID              `json:"agent_id"`
	Hostname       string           `json:"hostname"`
	URL            *wURL            `json:"url,omitempty"`
	Resources      []wResource      `json:"resources"`
	Attributes     []wAttribute     `json:"attributes,omitempty"`
	ExecutorIDs    []wID            `json:"executor_ids,omitempty"`
	AllocationInfo *wAllocationInfo `json:"allocation_info,omitempty"`
}

type wMasterInfo struct {
	ID           string        `json:"id"`
	IP           uint32        `json:"ip"`
	Port         int           `json:"port"`
	PID          string        `json:"pid,omitempty"`
	Hostname     string        `json:"hostname,omitempty"`
	Version      string        `json:"version,omitempty"`
	Address      *wAddress     `json:"address,omitempty"`
	Capabilities []wCapability `json:"capabilities,omitempty"`
}

type wAgentInfo struct {
	Hostname   string       `json:"hostname"`
	Port       int          `json:"port"`
	Resources  []wResource  `json:"resources"`
	Attributes []wAttribute `json:"attributes,omitempty"`
	ID         *wID         `json:"id,omitempty"`
}

// wTask is the v1 Task message.
type wTask struct {
	Name              string        `json:"name"`
	TaskID            wID           `json:"task_id"`
	FrameworkID       wID           `json:"framework_id"`
	ExecutorID        *wID          `json:"executor_id,omitempty"`
	AgentID           wID           `json:"agent_id"`
	State             string        `json:"state"`
	Resources         []wResource   `json:"resources"`
	Statuses          []wTaskStatus `json:"statuses"`
	StatusUpdateState string        `json:"status_update_state,omitempty"`
	StatusUpdateUUID  pbBytes       `json:"status_update_uuid,omitempty"`
	Labels            *wLabels      `json:"labels,omitempty"`
	Discovery         rawJSON       `json:"discovery,omitempty"`
	Container         rawJSON       `json:"container,omitempty"`
	HealthCheck       rawJSON       `json:"health_check,omitempty"`
	KillPolicy        *wKillPolicy  `json:"kill_policy,omitempty"`
	User              string        `json:"user,omitempty"`
	Limits            rawJSON       `json:"limits,omitempty"`
}

// missing collects the paths of unset required fields, as protobuf's
// InitializationErrorString lists them.
type missing []string

func (m *missing) add(path string) { *m = append(*m, path) }

// id checks a required ID; optionalID an optional one, whose value is
// still required when the message is present.
func (m *missing) id(path string, id *wID) {
	if id == nil {
		m.add(path)
		return
	}
	m.optionalID(path, id)
}

func (m *missing) optionalID(path string, id *wID) {
	if id != nil && !id.set {
		m.add(path + ".value")
	}
}

func (m *missing) ids(path string, ids []wID) {
	for i := range ids {
		if !ids[i].set {
			m.add(fmt.Sprintf("%s[%d].value", path, i))
		}
	}
}

func (m *missing) labels(path string, l *wLabels) {
	if l == nil {
		return
	}
	for i, x := range l.Labels {
		if x.Key == "" {
			m.add(fmt.Sprintf("%s.labels[%d].key", path, i))
		}
	}
}

func (m *missing) resources(path string, rs []wResource) {
	for i, r := range rs {
		if r.Name == "" {
			m.add(fmt.Sprintf("%s[%d].name", path, i))
		}
		if r.Type == "" {
			m.add(fmt.Sprintf("%s[%d].type", path, i))
		}
	}
}

// complete reports, cheaply, whether a TaskInfo has every required field;
// only an incomplete one is walked again to name what is missing.
func (t *wTaskInfo) complete() bool {
	if t.Name == nil || t.TaskID == nil || !t.TaskID.set || t.AgentID == nil || !t.AgentID.set || t.Executor != nil {
		return false
	}
	for i := range t.Resources {
		if t.Resources[i].Name == "" || t.Resources[i].Type == "" {
			return false
		}
	}
	if t.Labels != nil {
		for _, l := range t.Labels.Labels {
			if l.Key == "" {
				return false
			}
		}
	}
	return true
}

func (m *missing) frameworkInfo(path string, fi *wFrameworkInfo) {
	if fi == nil {
		m.add(path)
		return
	}
	if fi.User == nil {
		m.add(path + ".user")
	}
	if fi.Name == nil {
		m.add(path + ".name")
	}
	m.optionalID(path+".id", fi.ID)
	m.labels(path+".labels", fi.Labels)
}

func (m *missing) taskInfo(path string, t wTaskInfo) {
	if t.Name == nil {
		m.add(path + ".name")
	}
	m.id(path+".task_id", t.TaskID)
	m.id(path+".agent_id", t.AgentID)
	m.resources(path+".resources", t.Resources)
	if t.Executor != nil {
		m.executorInfo(path+".executor", t.Executor)
	}
	m.labels(path+".labels", t.Labels)
}

func (m *missing) executorInfo(path string, e *wExecutorInfo) {
	m.id(path+".executor_id", e.ExecutorID)
	m.optionalID(path+".framework_id", e.FrameworkID)
	m.resources(path+".resources", e.Resources)
	m.labels(path+".labels", e.Labels)
}

func (m missing) err() error {
	if len(m) == 0 {
		return nil
	}
	return fmt.Errorf("Missing required fields: %s", strings.Join(m, ", "))
}

// knownEnum reports whether v is one of the names.
func knownEnum(v string, names ...string) bool {
	for _, n := range names {
		if v == n {
			return true
		}
	}
	return false
}
