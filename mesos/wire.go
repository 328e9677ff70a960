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

// rawMsg keeps a sub-message the fake does not interpret (a ContainerInfo,
// a HealthCheck …) as it was sent, to echo it: its JSON when it came in
// JSON, its wire bytes (the field's tags included) when it came in
// protobuf. The fake has no schema to turn one form into the other, so
// such a message is echoed only to readers of the form it came in: a task
// launched over protobuf shows no container or command in JSON.
type rawMsg struct {
	json json.RawMessage
	pb   []byte
}

func (r *rawMsg) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		*r = rawMsg{}
		return nil
	}
	r.json = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON renders the JSON the message came in; fields hold rawMsg
// with omitzero, so one that came in protobuf is left out.
func (r rawMsg) MarshalJSON() ([]byte, error) {
	if len(r.json) == 0 {
		return []byte("{}"), nil
	}
	return r.json, nil
}

// IsZero reports that r has no JSON form.
func (r rawMsg) IsZero() bool { return len(r.json) == 0 }

// addPB appends one occurrence of the field, tags included (a map or a
// repeated field occurs many times; a message sent twice is merged by
// whoever reads it, as protobuf does). The first is kept as given (the
// decoder shares equal ones), so field must not change afterwards.
func (r *rawMsg) addPB(field []byte) {
	if r.pb == nil {
		r.pb = field[:len(field):len(field)]
		return
	}
	r.pb = append(r.pb, field...)
}

// set reports whether the message was sent, in either form.
func (r rawMsg) set() bool { return len(r.json) > 0 || r.pb != nil }

// rawOf is the message a pointer member holds, the zero rawMsg when it is
// unset.
func rawOf(p *rawMsg) rawMsg {
	if p == nil {
		return rawMsg{}
	}
	return *p
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
	Value pbDouble `json:"value" pb:"1"`
}

type wRange struct {
	Begin pbUint `json:"begin" pb:"1"`
	End   pbUint `json:"end" pb:"2"`
}

type wRanges struct {
	Range []wRange `json:"range" pb:"1"`
}

type wSet struct {
	Item []string `json:"item" pb:"1"`
}

type wText struct {
	Value string `json:"value" pb:"1"`
}

type wLabel struct {
	Key   string  `json:"key" pb:"1"`
	Value *string `json:"value,omitempty" pb:"2"`
}

type wLabels struct {
	Labels []wLabel `json:"labels" pb:"1"`
}

type wReservation struct {
	Type      string   `json:"type,omitempty" pb:"4,Resource.ReservationInfo.Type"`
	Role      string   `json:"role,omitempty" pb:"3"`
	Principal string   `json:"principal,omitempty" pb:"1"`
	Labels    *wLabels `json:"labels,omitempty" pb:"2"`
}

type wAllocationInfo struct {
	Role string `json:"role,omitempty" pb:"1"`
}

type wResource struct {
	ProviderID     *wID             `json:"provider_id,omitempty" pb:"12"`
	Name           string           `json:"name" pb:"1"`
	Type           string           `json:"type" pb:"2,Value.Type"`
	Scalar         *wScalar         `json:"scalar,omitempty" pb:"3"`
	Ranges         *wRanges         `json:"ranges,omitempty" pb:"4"`
	Set            *wSet            `json:"set,omitempty" pb:"5"`
	Role           string           `json:"role,omitempty" pb:"6"`
	AllocationInfo *wAllocationInfo `json:"allocation_info,omitempty" pb:"11"`
	Reservation    *wReservation    `json:"reservation,omitempty" pb:"8"`
	Reservations   []wReservation   `json:"reservations,omitempty" pb:"13"`
	// Members the fake only echoes are pointers: a scheduler's requests
	// hold thousands of Resources and TaskInfos, and rarely these.
	Disk      *rawMsg `json:"disk,omitzero" pb:"7"`
	Revocable *rawMsg `json:"revocable,omitzero" pb:"9"`
	Shared    *rawMsg `json:"shared,omitzero" pb:"10"`
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
	Name   string   `json:"name" pb:"1"`
	Type   string   `json:"type" pb:"2,Value.Type"`
	Scalar *wScalar `json:"scalar,omitempty" pb:"3"`
	Ranges *wRanges `json:"ranges,omitempty" pb:"4"`
	Set    *wSet    `json:"set,omitempty" pb:"6"`
	Text   *wText   `json:"text,omitempty" pb:"5"`
}

// The capabilities of frameworks, masters and agents have the same JSON
// form, but each its own enum in protobuf.
type (
	wFrameworkCapability struct {
		Type string `json:"type,omitempty" pb:"1,FrameworkInfo.Capability.Type"`
	}
	wMasterCapability struct {
		Type string `json:"type,omitempty" pb:"1,MasterInfo.Capability.Type"`
	}
	wAgentCapability struct {
		Type string `json:"type,omitempty" pb:"1,AgentInfo.Capability.Type"`
	}
)

type wFrameworkInfo struct {
	User            *string                `json:"user,omitempty" pb:"1"`
	Name            *string                `json:"name,omitempty" pb:"2"`
	ID              *wID                   `json:"id,omitempty" pb:"3"`
	FailoverTimeout *pbDouble              `json:"failover_timeout,omitempty" pb:"4"`
	Checkpoint      *pbBool                `json:"checkpoint,omitempty" pb:"5"`
	Role            *string                `json:"role,omitempty" pb:"6"`
	Roles           []string               `json:"roles,omitempty" pb:"12"`
	Hostname        *string                `json:"hostname,omitempty" pb:"7"`
	Principal       *string                `json:"principal,omitempty" pb:"8"`
	WebuiURL        *string                `json:"webui_url,omitempty" pb:"9"`
	Capabilities    []wFrameworkCapability `json:"capabilities,omitempty" pb:"10"`
	Labels          *wLabels               `json:"labels,omitempty" pb:"11"`
	OfferFilters    rawMsg                 `json:"offer_filters,omitzero" pb:"13"`
}

type wTimeInfo struct {
	Nanoseconds pbInt `json:"nanoseconds" pb:"1"`
}

type wDurationInfo struct {
	Nanoseconds pbInt `json:"nanoseconds" pb:"1"`
}

type wKillPolicy struct {
	GracePeriod *wDurationInfo `json:"grace_period,omitempty" pb:"1"`
}

type wExecutorInfo struct {
	Type                string         `json:"type,omitempty" pb:"15,ExecutorInfo.Type"`
	ExecutorID          *wID           `json:"executor_id,omitempty" pb:"1"`
	FrameworkID         *wID           `json:"framework_id,omitempty" pb:"8"`
	Command             rawMsg         `json:"command,omitzero" pb:"7"`
	Container           rawMsg         `json:"container,omitzero" pb:"11"`
	Resources           []wResource    `json:"resources,omitempty" pb:"5"`
	Name                *string        `json:"name,omitempty" pb:"9"`
	Source              *string        `json:"source,omitempty" pb:"10"`
	Data                *pbBytes       `json:"data,omitempty" pb:"4"`
	Discovery           rawMsg         `json:"discovery,omitzero" pb:"12"`
	ShutdownGracePeriod *wDurationInfo `json:"shutdown_grace_period,omitempty" pb:"13"`
	Labels              *wLabels       `json:"labels,omitempty" pb:"14"`
}

type wTaskInfo struct {
	Name              *string        `json:"name,omitempty" pb:"1"`
	TaskID            *wID           `json:"task_id,omitempty" pb:"2"`
	AgentID           *wID           `json:"agent_id,omitempty" pb:"3"`
	Resources         []wResource    `json:"resources,omitempty" pb:"4"`
	Executor          *wExecutorInfo `json:"executor,omitempty" pb:"5"`
	Command           rawMsg         `json:"command,omitzero" pb:"7"`
	Container         *rawMsg        `json:"container,omitzero" pb:"9"`
	HealthCheck       *rawMsg        `json:"health_check,omitzero" pb:"8"`
	Check             *rawMsg        `json:"check,omitzero" pb:"13"`
	KillPolicy        *wKillPolicy   `json:"kill_policy,omitempty" pb:"12"`
	Data              *pbBytes       `json:"data,omitempty" pb:"6"`
	Labels            *wLabels       `json:"labels,omitempty" pb:"10"`
	Discovery         *rawMsg        `json:"discovery,omitzero" pb:"11"`
	MaxCompletionTime *wDurationInfo `json:"max_completion_time,omitempty" pb:"14"`
	Limits            *rawMsg        `json:"limits,omitzero" pb:"15"`
}

type wTaskGroupInfo struct {
	Tasks []wTaskInfo `json:"tasks" pb:"1"`
}

type wOperation struct {
	Type        string        `json:"type" pb:"1,Offer.Operation.Type"`
	ID          *wID          `json:"id,omitempty" pb:"12"`
	Launch      *wLaunch      `json:"launch,omitempty" pb:"2"`
	LaunchGroup *wLaunchGroup `json:"launch_group,omitempty" pb:"7"`
}

type wLaunch struct {
	TaskInfos []wTaskInfo `json:"task_infos" pb:"1"`
}

type wLaunchGroup struct {
	Executor  *wExecutorInfo  `json:"executor,omitempty" pb:"1"`
	TaskGroup *wTaskGroupInfo `json:"task_group,omitempty" pb:"2"`
}

type wFilters struct {
	RefuseSeconds *pbDouble `json:"refuse_seconds,omitempty" pb:"1"`
}

// wTaskStatus is a TaskStatus as the master sends it.
type wTaskStatus struct {
	TaskID          wID               `json:"task_id" pb:"1"`
	State           string            `json:"state" pb:"2,TaskState"`
	Message         string            `json:"message,omitempty" pb:"4"`
	Source          string            `json:"source,omitempty" pb:"9,TaskStatus.Source"`
	Reason          string            `json:"reason,omitempty" pb:"10,TaskStatus.Reason"`
	AgentID         *wID              `json:"agent_id,omitempty" pb:"5"`
	ExecutorID      *wID              `json:"executor_id,omitempty" pb:"7"`
	Timestamp       float64           `json:"timestamp" pb:"6"`
	UUID            pbBytes           `json:"uuid,omitempty" pb:"11"`
	Healthy         *bool             `json:"healthy,omitempty" pb:"8"`
	Labels          *wLabels          `json:"labels,omitempty" pb:"12"`
	ContainerStatus *wContainerStatus `json:"container_status,omitempty" pb:"13"`
	UnreachableTime *wTimeInfo        `json:"unreachable_time,omitempty" pb:"14"`
}

// wContainerStatus is a ContainerStatus as an agent adds it to the updates
// of a task's executor: the task's container and its network_infos. With
// no network isolator the agent reports its own IP address there
// (Slave::_statusUpdate). Neither cgroup_info nor executor_pid is
// emulated.
type wContainerStatus struct {
	ContainerID  *wContainerID  `json:"container_id,omitempty" pb:"4"`
	NetworkInfos []wNetworkInfo `json:"network_infos,omitempty" pb:"1"`
}

// wContainerID is a ContainerID: a task group's tasks run in containers
// nested in their executor's.
type wContainerID struct {
	Value  string        `json:"value" pb:"1"`
	Parent *wContainerID `json:"parent,omitempty" pb:"2"`
}

// wNetworkInfo is a NetworkInfo as a container status reports it.
type wNetworkInfo struct {
	IPAddresses []wIPAddress `json:"ip_addresses,omitempty" pb:"5"`
}

// wIPAddress is a NetworkInfo.IPAddress. The master renders optional
// fields with a default when unset, so protocol is always there ("IPv4"
// by default).
type wIPAddress struct {
	Protocol  string `json:"protocol" pb:"1,NetworkInfo.Protocol"`
	IPAddress string `json:"ip_address,omitempty" pb:"2"`
}

type wURL struct {
	Scheme  string   `json:"scheme" pb:"1"`
	Address wAddress `json:"address" pb:"2"`
	Path    string   `json:"path,omitempty" pb:"3"`
}

type wAddress struct {
	Hostname string `json:"hostname,omitempty" pb:"1"`
	IP       string `json:"ip,omitempty" pb:"2"`
	Port     int    `json:"port" pb:"3"`
}

type wOffer struct {
	ID             wID              `json:"id" pb:"1"`
	FrameworkID    wID              `json:"framework_id" pb:"2"`
	AgentID        wID              `json:"agent_id" pb:"3"`
	Hostname       string           `json:"hostname" pb:"4"`
	URL            *wURL            `json:"url,omitempty" pb:"8"`
	Resources      []wResource      `json:"resources" pb:"5"`
	Attributes     []wAttribute     `json:"attributes,omitempty" pb:"7"`
	ExecutorIDs    []wID            `json:"executor_ids,omitempty" pb:"6"`
	AllocationInfo *wAllocationInfo `json:"allocation_info,omitempty" pb:"10"`
}

type wMasterInfo struct {
	ID           string              `json:"id" pb:"1"`
	IP           uint32              `json:"ip" pb:"2"`
	Port         int                 `json:"port" pb:"3"`
	PID          string              `json:"pid,omitempty" pb:"4"`
	Hostname     string              `json:"hostname,omitempty" pb:"5"`
	Version      string              `json:"version,omitempty" pb:"6"`
	Address      *wAddress           `json:"address,omitempty" pb:"7"`
	Capabilities []wMasterCapability `json:"capabilities,omitempty" pb:"9"`
}

type wAgentInfo struct {
	Hostname   string       `json:"hostname" pb:"1"`
	Port       int          `json:"port" pb:"8"`
	Resources  []wResource  `json:"resources" pb:"3"`
	Attributes []wAttribute `json:"attributes,omitempty" pb:"5"`
	ID         *wID         `json:"id,omitempty" pb:"6"`
}

// wTask is the v1 Task message.
type wTask struct {
	Name              string        `json:"name" pb:"1"`
	TaskID            wID           `json:"task_id" pb:"2"`
	FrameworkID       wID           `json:"framework_id" pb:"3"`
	ExecutorID        *wID          `json:"executor_id,omitempty" pb:"4"`
	AgentID           wID           `json:"agent_id" pb:"5"`
	State             string        `json:"state" pb:"6,TaskState"`
	Resources         []wResource   `json:"resources" pb:"7"`
	Statuses          []wTaskStatus `json:"statuses" pb:"8"`
	StatusUpdateState string        `json:"status_update_state,omitempty" pb:"9,TaskState"`
	StatusUpdateUUID  pbBytes       `json:"status_update_uuid,omitempty" pb:"10"`
	Labels            *wLabels      `json:"labels,omitempty" pb:"11"`
	Discovery         rawMsg        `json:"discovery,omitzero" pb:"12"`
	Container         rawMsg        `json:"container,omitzero" pb:"13"`
	HealthCheck       rawMsg        `json:"health_check,omitzero" pb:"15"`
	KillPolicy        *wKillPolicy  `json:"kill_policy,omitempty" pb:"16"`
	User              string        `json:"user,omitempty" pb:"14"`
	Limits            rawMsg        `json:"limits,omitzero" pb:"17"`
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
