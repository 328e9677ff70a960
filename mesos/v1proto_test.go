package mesos

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The v1 API of Mesos 1.11, written down from its .proto files
// (include/mesos/v1/mesos.proto, v1/scheduler/scheduler.proto,
// v1/master/master.proto, and the v1 maintenance, quota and allocator
// protos master.proto imports, at the 1.11.0 tag) as facts: every message
// the fake sends on the v1 API with its fields in declaration order, and
// every enum those fields use, with its values and their numbers.
//
// A field is "name:type", the type a scalar's proto type, a message's
// name, "E." and an enum's name, or "map"; "[]" marks a repeated field.
// Names drop the "mesos.v1." package; each entry notes where the .proto
// defines it (under include/mesos/v1/). A message the fake does not send
// is not here: a test that sees one sent fails until it is written down.

var v1Messages = map[string]string{
	// mesos.proto:137
	"Address": "hostname:string ip:string port:int32",
	// mesos.proto:59
	"AgentID": "value:string",
	// mesos.proto:938
	"AgentInfo": "hostname:string port:int32 resources:Resource[] attributes:Attribute[] id:AgentID domain:DomainInfo",
	// mesos.proto:956
	"AgentInfo.Capability": "type:E.AgentInfo.Capability.Type",
	// mesos.proto:1246
	"Attribute": "name:string type:E.Value.Type scalar:Value.Scalar ranges:Value.Ranges set:Value.Set text:Value.Text",
	// mesos.proto:92
	"ContainerID": "value:string parent:ContainerID",
	// mesos.proto:3637
	"ContainerStatus": "container_id:ContainerID network_infos:NetworkInfo[] cgroup_info:CgroupInfo executor_pid:uint32",
	// mesos.proto:127
	"DurationInfo": "nanoseconds:int64",
	// mesos.proto:81
	"ExecutorID": "value:string",
	// mesos.proto:716
	"ExecutorInfo": "type:E.ExecutorInfo.Type executor_id:ExecutorID framework_id:FrameworkID command:CommandInfo " +
		"container:ContainerInfo resources:Resource[] name:string source:string data:bytes discovery:DiscoveryInfo " +
		"shutdown_grace_period:DurationInfo labels:Labels",
	// mesos.proto:3845
	"Flag": "name:string value:string",
	// mesos.proto:41
	"FrameworkID": "value:string",
	// mesos.proto:226
	"FrameworkInfo": "user:string name:string id:FrameworkID failover_timeout:double checkpoint:bool role:string roles:string[] " +
		"hostname:string principal:string webui_url:string capabilities:FrameworkInfo.Capability[] labels:Labels " +
		"offer_filters:map",
	// mesos.proto:296
	"FrameworkInfo.Capability": "type:E.FrameworkInfo.Capability.Type",
	// mesos.proto:630
	"KillPolicy": "grace_period:DurationInfo",
	// mesos.proto:3746
	"Label": "key:string value:string",
	// mesos.proto:3738
	"Labels": "labels:Label[]",
	// mesos.proto:182
	"MachineID": "hostname:string ip:string",
	// mesos.proto:871
	"MasterInfo": "id:string ip:uint32 port:uint32 pid:string hostname:string version:string address:Address domain:DomainInfo " +
		"capabilities:MasterInfo.Capability[]",
	// mesos.proto:907
	"MasterInfo.Capability": "type:E.MasterInfo.Capability.Type",
	// mesos.proto:3871
	"Metric": "name:string value:double",
	// mesos.proto:3254
	"NetworkInfo": "ip_addresses:NetworkInfo.IPAddress[] name:string groups:string[] labels:Labels " +
		"port_mappings:NetworkInfo.PortMapping[]",
	// mesos.proto:3267
	"NetworkInfo.IPAddress": "protocol:E.NetworkInfo.Protocol ip_address:string",
	// mesos.proto:2017
	"Offer": "id:OfferID framework_id:FrameworkID agent_id:AgentID hostname:string url:URL domain:DomainInfo " +
		"resources:Resource[] attributes:Attribute[] executor_ids:ExecutorID[] unavailability:Unavailability " +
		"allocation_info:Resource.AllocationInfo",
	// mesos.proto:49
	"OfferID": "value:string",
	// mesos.proto:111
	"OperationID": "value:string",
	// mesos.proto:2566
	"OperationStatus": "operation_id:OperationID state:E.OperationState message:string converted_resources:Resource[] uuid:UUID " +
		"agent_id:AgentID resource_provider_id:ResourceProviderID",
	// mesos.proto:1269
	"Resource": "provider_id:ResourceProviderID name:string type:E.Value.Type scalar:Value.Scalar ranges:Value.Ranges " +
		"set:Value.Set role:string allocation_info:Resource.AllocationInfo reservation:Resource.ReservationInfo " +
		"reservations:Resource.ReservationInfo[] disk:Resource.DiskInfo revocable:Resource.RevocableInfo " +
		"shared:Resource.SharedInfo",
	// mesos.proto:1293
	"Resource.AllocationInfo": "role:string",
	// mesos.proto:1409
	"Resource.ReservationInfo": "type:E.Resource.ReservationInfo.Type role:string principal:string labels:Labels",
	// mesos.proto:3855
	"Role": "name:string weight:double frameworks:FrameworkID[] resources:Resource[]",
	// mesos.proto:2357
	"Task": "name:string task_id:TaskID framework_id:FrameworkID executor_id:ExecutorID agent_id:AgentID state:E.TaskState " +
		"resources:Resource[] statuses:TaskStatus[] status_update_state:E.TaskState status_update_uuid:bytes " +
		"labels:Labels discovery:DiscoveryInfo container:ContainerInfo health_check:HealthCheck kill_policy:KillPolicy " +
		"user:string limits:map",
	// mesos.proto:71
	"TaskID": "value:string",
	// mesos.proto:2655
	"TaskStatus": "task_id:TaskID state:E.TaskState message:string source:E.TaskStatus.Source reason:E.TaskStatus.Reason " +
		"data:bytes agent_id:AgentID executor_id:ExecutorID timestamp:double uuid:bytes healthy:bool " +
		"check_status:CheckStatusInfo labels:Labels container_status:ContainerStatus unreachable_time:TimeInfo " +
		"limitation:TaskResourceLimitation",
	// mesos.proto:119
	"TimeInfo": "nanoseconds:int64",
	// mesos.proto:149
	"URL": "scheme:string address:Address path:string query:Parameter[] fragment:string",
	// mesos.proto:163
	"Unavailability": "start:TimeInfo duration:DurationInfo",
	// mesos.proto:1216
	"Value.Range": "begin:uint64 end:uint64",
	// mesos.proto:1221
	"Value.Ranges": "range:Value.Range[]",
	// mesos.proto:1204
	"Value.Scalar": "value:double",
	// mesos.proto:1225
	"Value.Set": "item:string[]",
	// mesos.proto:1229
	"Value.Text": "value:string",
	// mesos.proto:3831
	"VersionInfo": "version:string build_date:string build_time:double build_user:string git_sha:string git_branch:string " +
		"git_tag:string",
	// mesos.proto:3820
	"WeightInfo": "weight:double role:string",
	// v1/maintenance/maintenance.proto:76
	"maintenance.ClusterStatus": "draining_machines:maintenance.ClusterStatus.DrainingMachine[] down_machines:MachineID[]",
	// v1/maintenance/maintenance.proto:77
	"maintenance.ClusterStatus.DrainingMachine": "id:MachineID statuses:allocator.InverseOfferStatus[]",
	// v1/maintenance/maintenance.proto:67
	"maintenance.Schedule": "windows:maintenance.Window[]",
	// v1/maintenance/maintenance.proto:54
	"maintenance.Window": "machine_ids:MachineID[] unavailability:Unavailability",
	// v1/master/master.proto:640
	"master.Event": "type:E.master.Event.Type subscribed:master.Event.Subscribed task_added:master.Event.TaskAdded " +
		"task_updated:master.Event.TaskUpdated agent_added:master.Event.AgentAdded " +
		"agent_removed:master.Event.AgentRemoved framework_added:master.Event.FrameworkAdded " +
		"framework_updated:master.Event.FrameworkUpdated framework_removed:master.Event.FrameworkRemoved",
	// v1/master/master.proto:720
	"master.Event.AgentAdded": "agent:master.Response.GetAgents.Agent",
	// v1/master/master.proto:731
	"master.Event.AgentRemoved": "agent_id:AgentID",
	// v1/master/master.proto:700
	"master.Event.FrameworkAdded": "framework:master.Response.GetFrameworks.Framework",
	// v1/master/master.proto:713
	"master.Event.FrameworkRemoved": "framework_info:FrameworkInfo",
	// v1/master/master.proto:706
	"master.Event.FrameworkUpdated": "framework:master.Response.GetFrameworks.Framework",
	// v1/master/master.proto:665
	"master.Event.Subscribed": "get_state:master.Response.GetState heartbeat_interval_seconds:double",
	// v1/master/master.proto:678
	"master.Event.TaskAdded": "task:Task",
	// v1/master/master.proto:683
	"master.Event.TaskUpdated": "framework_id:FrameworkID status:TaskStatus state:E.TaskState",
	// v1/master/master.proto:354
	"master.Response": "type:E.master.Response.Type get_health:master.Response.GetHealth get_flags:master.Response.GetFlags " +
		"get_version:master.Response.GetVersion get_metrics:master.Response.GetMetrics " +
		"get_logging_level:master.Response.GetLoggingLevel list_files:master.Response.ListFiles " +
		"read_file:master.Response.ReadFile get_state:master.Response.GetState get_agents:master.Response.GetAgents " +
		"get_frameworks:master.Response.GetFrameworks get_executors:master.Response.GetExecutors " +
		"get_operations:master.Response.GetOperations get_tasks:master.Response.GetTasks " +
		"get_roles:master.Response.GetRoles get_weights:master.Response.GetWeights get_master:master.Response.GetMaster " +
		"get_maintenance_status:master.Response.GetMaintenanceStatus " +
		"get_maintenance_schedule:master.Response.GetMaintenanceSchedule get_quota:master.Response.GetQuota",
	// v1/master/master.proto:436
	"master.Response.GetAgents": "agents:master.Response.GetAgents.Agent[] recovered_agents:AgentInfo[]",
	// v1/master/master.proto:437
	"master.Response.GetAgents.Agent": "agent_info:AgentInfo active:bool deactivated:bool version:string pid:string registered_time:TimeInfo " +
		"reregistered_time:TimeInfo total_resources:Resource[] allocated_resources:Resource[] " +
		"offered_resources:Resource[] capabilities:AgentInfo.Capability[] " +
		"resource_providers:master.Response.GetAgents.Agent.ResourceProvider[] drain_info:DrainInfo " +
		"estimated_drain_start_time:TimeInfo",
	// v1/master/master.proto:525
	"master.Response.GetExecutors": "executors:master.Response.GetExecutors.Executor[] orphan_executors:master.Response.GetExecutors.Executor[]",
	// v1/master/master.proto:526
	"master.Response.GetExecutors.Executor": "executor_info:ExecutorInfo agent_id:AgentID",
	// v1/master/master.proto:395
	"master.Response.GetFlags": "flags:Flag[]",
	// v1/master/master.proto:477
	"master.Response.GetFrameworks": "frameworks:master.Response.GetFrameworks.Framework[] " +
		"completed_frameworks:master.Response.GetFrameworks.Framework[] recovered_frameworks:FrameworkInfo[]",
	// v1/master/master.proto:478
	"master.Response.GetFrameworks.Framework": "framework_info:FrameworkInfo active:bool connected:bool recovered:bool registered_time:TimeInfo " +
		"reregistered_time:TimeInfo unregistered_time:TimeInfo offers:Offer[] inverse_offers:InverseOffer[] " +
		"allocated_resources:Resource[] offered_resources:Resource[] offer_constraints:scheduler.OfferConstraints",
	// v1/master/master.proto:390
	"master.Response.GetHealth": "healthy:bool",
	// v1/master/master.proto:410
	"master.Response.GetLoggingLevel": "level:uint32",
	// v1/master/master.proto:604
	"master.Response.GetMaintenanceSchedule": "schedule:maintenance.Schedule",
	// v1/master/master.proto:599
	"master.Response.GetMaintenanceStatus": "status:maintenance.ClusterStatus",
	// v1/master/master.proto:590
	"master.Response.GetMaster": "master_info:MasterInfo start_time:double elected_time:double",
	// v1/master/master.proto:405
	"master.Response.GetMetrics": "metrics:Metric[]",
	// v1/master/master.proto:541
	"master.Response.GetOperations": "operations:Operation[]",
	// v1/master/master.proto:609
	"master.Response.GetQuota": "status:quota.QuotaStatus",
	// v1/master/master.proto:580
	"master.Response.GetRoles": "roles:Role[]",
	// v1/master/master.proto:429
	"master.Response.GetState": "get_tasks:master.Response.GetTasks get_executors:master.Response.GetExecutors " +
		"get_frameworks:master.Response.GetFrameworks get_agents:master.Response.GetAgents",
	// v1/master/master.proto:548
	"master.Response.GetTasks": "pending_tasks:Task[] tasks:Task[] unreachable_tasks:Task[] completed_tasks:Task[] orphan_tasks:Task[]",
	// v1/master/master.proto:400
	"master.Response.GetVersion": "version_info:VersionInfo",
	// v1/master/master.proto:585
	"master.Response.GetWeights": "weight_infos:WeightInfo[]",
	// v1/quota/quota.proto:31
	"quota.QuotaInfo": "role:string principal:string guarantee:Resource[]",
	// v1/quota/quota.proto:144
	"quota.QuotaStatus": "infos:quota.QuotaInfo[] configs:quota.QuotaConfig[]",
	// v1/scheduler/scheduler.proto:34
	"scheduler.Event": "type:E.scheduler.Event.Type subscribed:scheduler.Event.Subscribed offers:scheduler.Event.Offers " +
		"inverse_offers:scheduler.Event.InverseOffers rescind:scheduler.Event.Rescind " +
		"rescind_inverse_offer:scheduler.Event.RescindInverseOffer update:scheduler.Event.Update " +
		"update_operation_status:scheduler.Event.UpdateOperationStatus message:scheduler.Event.Message " +
		"failure:scheduler.Event.Failure error:scheduler.Event.Error",
	// v1/scheduler/scheduler.proto:188
	"scheduler.Event.Error": "message:string",
	// v1/scheduler/scheduler.proto:165
	"scheduler.Event.Failure": "agent_id:AgentID executor_id:ExecutorID status:int32",
	// v1/scheduler/scheduler.proto:149
	"scheduler.Event.Message": "agent_id:AgentID executor_id:ExecutorID data:bytes",
	// v1/scheduler/scheduler.proto:81
	"scheduler.Event.Offers": "offers:Offer[]",
	// v1/scheduler/scheduler.proto:100
	"scheduler.Event.Rescind": "offer_id:OfferID",
	// v1/scheduler/scheduler.proto:66
	"scheduler.Event.Subscribed": "framework_id:FrameworkID heartbeat_interval_seconds:double master_info:MasterInfo",
	// v1/scheduler/scheduler.proto:127
	"scheduler.Event.Update": "status:TaskStatus",
	// v1/scheduler/scheduler.proto:140
	"scheduler.Event.UpdateOperationStatus": "status:OperationStatus",
}

// v1Enums are the enums, with their numbers: the same table the protobuf
// codec encodes with (v1schema.go).
var v1Enums = v1EnumValues

// v1Echoed are messages the fake does not render but echoes back as a
// scheduler gave them (a task's container, health check, discovery …):
// the checker does not descend into them.
var v1Echoed = map[string]bool{
	"ContainerInfo": true, "HealthCheck": true, "DiscoveryInfo": true, "CommandInfo": true, "CheckInfo": true,
	"Resource.DiskInfo": true, "Resource.RevocableInfo": true, "Resource.SharedInfo": true, "OfferFilters": true,
	"scheduler.OfferConstraints": true,
}

// v0MasterCapabilities is MasterInfo.Capability.Type of the v0
// include/mesos/mesos.proto of 1.11, which /master/state lists by name.
const v0MasterCapabilities = "UNKNOWN=0 AGENT_UPDATE=1 AGENT_DRAINING=2 QUOTA_V2=3"

type v1Field struct {
	typ      string // scalar type, message name, or enum name
	enum     bool
	repeated bool
}

// v1Schema is the tables, parsed.
type v1Schema struct {
	messages map[string]map[string]v1Field
	enums    map[string]map[string]int
}

func parseEnumValues(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, v := range strings.Fields(s) {
		name, num, ok := strings.Cut(v, "=")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("bad enum value %q", v)
		}
		out[name] = n
	}
	return out, nil
}

func parseV1Schema() (*v1Schema, error) {
	s := &v1Schema{messages: map[string]map[string]v1Field{}, enums: map[string]map[string]int{}}
	for name, values := range v1Enums {
		vs, err := parseEnumValues(values)
		if err != nil {
			return nil, fmt.Errorf("enum %s: %v", name, err)
		}
		s.enums[name] = vs
	}
	for name, fields := range v1Messages {
		fs := map[string]v1Field{}
		for _, f := range strings.Fields(fields) {
			fname, typ, ok := strings.Cut(f, ":")
			if !ok {
				return nil, fmt.Errorf("message %s: bad field %q", name, f)
			}
			var fd v1Field
			typ, fd.repeated = strings.CutSuffix(typ, "[]")
			typ, fd.enum = strings.CutPrefix(typ, "E.")
			fd.typ = typ
			fs[fname] = fd
		}
		s.messages[name] = fs
	}
	return s, nil
}

// V1Checker holds JSON documents to the tables: every member must be a
// field of its message, every enum value one of its enum's, lists where
// fields are repeated. It records the enum values it saw. For the tests of
// package mesos_test.
type V1Checker struct {
	schema *v1Schema
	// Seen is every enum value seen, by enum.
	Seen map[string]map[string]bool
	// Messages is every message seen.
	Messages map[string]bool
}

// NewV1Checker returns a checker over the tables.
func NewV1Checker() (*V1Checker, error) {
	s, err := parseV1Schema()
	if err != nil {
		return nil, err
	}
	return &V1Checker{schema: s, Seen: map[string]map[string]bool{}, Messages: map[string]bool{}}, nil
}

// EnumValues lists an enum's values, in no order.
func (c *V1Checker) EnumValues(enum string) []string {
	return sortedKeys(c.schema.enums[enum])
}

// Check walks doc (decoded JSON) as a message; it returns what does not
// hold, one line each.
func (c *V1Checker) Check(message string, doc any) []string {
	var problems []string
	c.walk(message, doc, message, &problems)
	return problems
}

func (c *V1Checker) walk(message string, v any, path string, problems *[]string) {
	if v1Echoed[message] {
		return
	}
	fields, ok := c.schema.messages[message]
	if !ok {
		*problems = append(*problems, fmt.Sprintf("%s: message %s is not in the tables", path, message))
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		*problems = append(*problems, fmt.Sprintf("%s: a %s message, so a JSON object, not %T", path, message, v))
		return
	}
	c.Messages[message] = true
	for _, name := range sortedKeys(obj) {
		val, p := obj[name], path+"."+name
		f, ok := fields[name]
		switch {
		case !ok:
			*problems = append(*problems, fmt.Sprintf("%s: %s has no field %q", p, message, name))
		case f.repeated:
			list, ok := val.([]any)
			if !ok {
				*problems = append(*problems, fmt.Sprintf("%s: repeated, so a JSON list, not %T", p, val))
				continue
			}
			for i, x := range list {
				c.value(f, x, p+"["+strconv.Itoa(i)+"]", problems)
			}
		default:
			if _, isList := val.([]any); isList {
				*problems = append(*problems, fmt.Sprintf("%s: not repeated, but a JSON list", p))
				continue
			}
			c.value(f, val, p, problems)
		}
	}
}

func (c *V1Checker) value(f v1Field, v any, path string, problems *[]string) {
	switch {
	case f.enum:
		s, ok := v.(string)
		if _, known := c.schema.enums[f.typ][s]; !ok || !known {
			*problems = append(*problems, fmt.Sprintf("%s: %v is not a value of %s", path, v, f.typ))
			return
		}
		if c.Seen[f.typ] == nil {
			c.Seen[f.typ] = map[string]bool{}
		}
		c.Seen[f.typ][s] = true
	case f.typ == "map":
	case f.typ == "string" || f.typ == "bytes":
		if _, ok := v.(string); !ok {
			*problems = append(*problems, fmt.Sprintf("%s: a %s is a JSON string, not %T", path, f.typ, v))
		}
	case f.typ == "bool":
		if _, ok := v.(bool); !ok {
			*problems = append(*problems, fmt.Sprintf("%s: a bool is a JSON boolean, not %T", path, v))
		}
	case scalarTypes[f.typ]:
		switch v.(type) {
		case float64, string: // numbers; "Infinity" and 64-bit integers may be strings
		default:
			*problems = append(*problems, fmt.Sprintf("%s: a %s is a JSON number, not %T", path, f.typ, v))
		}
	default:
		c.walk(f.typ, v, path, problems)
	}
}

var scalarTypes = map[string]bool{
	"double": true, "float": true, "int32": true, "int64": true, "uint32": true, "uint64": true,
	"sint32": true, "sint64": true, "fixed32": true, "fixed64": true, "sfixed32": true, "sfixed64": true,
}

// The tables are whole: every enum a field of theirs names is in them,
// and every field names a type.
func TestV1TablesAreWhole(t *testing.T) {
	s, err := parseV1Schema()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range sortedKeys(s.messages) {
		for fname, f := range s.messages[name] {
			if f.typ == "" || f.enum && s.enums[f.typ] == nil {
				t.Errorf("%s.%s: no type, or enum %q not in the tables", name, fname, f.typ)
			}
		}
	}
	for _, e := range []string{"scheduler.Call.Type", "master.Call.Type", "scheduler.Event.Type", "master.Event.Type", "master.Response.Type"} {
		if s.enums[e] == nil {
			t.Errorf("no enum %s", e)
		}
	}
}

// enumSet is the names of an enum of the tables.
func enumSet(t *testing.T, s *v1Schema, enum string) []string {
	t.Helper()
	if s.enums[enum] == nil {
		t.Fatalf("no enum %s", enum)
	}
	return sortedKeys(s.enums[enum])
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

// The enum values the fake knows by heart are those of the v1 protos: the
// call types it reads (UNKNOWN included, which the master answers with
// 501), the reasons a task rule may give, the task states, the agents' and
// the master's capabilities, the operator responses it sends.
func TestV1FakeEnumsAreTheProtos(t *testing.T) {
	s, err := parseV1Schema()
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string, got []string, enum string) {
		t.Helper()
		if diff := cmp.Diff(enumSet(t, s, enum), sorted(got)); diff != "" {
			t.Errorf("%s differ from %s (-proto +fake):\n%s", what, enum, diff)
		}
	}
	within := func(what string, got []string, enum string) {
		t.Helper()
		for _, v := range got {
			if _, ok := s.enums[enum][v]; !ok {
				t.Errorf("%s: %q is not a value of %s", what, v, enum)
			}
		}
	}
	same("scheduler call types", schedCallTypes, "scheduler.Call.Type")
	same("operator call types", sortedKeys(opCallTypes), "master.Call.Type")
	var reasons []string
	for _, v := range strings.Fields(v1Enums["TaskStatus.Reason"]) {
		name, _, _ := strings.Cut(v, "=")
		reasons = append(reasons, name)
	}
	if diff := cmp.Diff(reasons, taskReasons); diff != "" {
		t.Errorf("task rule reasons differ from TaskStatus.Reason, in its order (-proto +fake):\n%s", diff)
	}
	var states []string
	for _, st := range []TaskState{TaskStaging, TaskStarting, TaskRunning, TaskKilling, TaskFinished, TaskFailed, TaskKilled,
		TaskError, TaskLost, TaskDropped, TaskUnreachable, TaskGone, TaskGoneByOperator, TaskUnknown} {
		states = append(states, string(st))
	}
	same("TaskState constants", states, "TaskState")
	var caps []string
	for _, c := range agentCapabilities {
		caps = append(caps, c.Type)
	}
	within("agent capabilities", caps, "AgentInfo.Capability.Type")
	for _, c := range masterCapabilitiesV1 {
		if c.Type != "" {
			within("v1 master capabilities", []string{c.Type}, "MasterInfo.Capability.Type")
		}
	}
	v0, err := parseEnumValues(v0MasterCapabilities)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range masterCapabilitiesV0 {
		if _, ok := v0[c]; !ok {
			t.Errorf("v0 master capability %q is not in the v0 mesos.proto", c)
		}
	}
	within("operator responses", sortedKeys(operatorGets), "master.Response.Type")
}

// The checker finds what does not hold.
func TestV1CheckerFindsProblems(t *testing.T) {
	c, err := NewV1Checker()
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{
		"type": "UPDATE",
		"update": map[string]any{"status": map[string]any{
			"task_id": map[string]any{"value": "t"}, "state": "TASK_NAPPING", "source": "SOURCE_SLAVE",
			"slave_id": map[string]any{"value": "s"}, "healthy": "yes", "timestamp": true,
			"container_status": map[string]any{"network_infos": map[string]any{}},
			"labels":           map[string]any{"labels": []any{map[string]any{"key": []any{"k"}}}},
		}},
		"offers": map[string]any{"offers": []any{"x"}},
	}
	got := c.Check("scheduler.Event", doc)
	want := []string{
		"scheduler.Event.offers.offers[0]: a Offer message, so a JSON object, not string",
		"scheduler.Event.update.status.container_status.network_infos: repeated, so a JSON list, not map[string]interface {}",
		"scheduler.Event.update.status.healthy: a bool is a JSON boolean, not string",
		"scheduler.Event.update.status.labels.labels[0].key: not repeated, but a JSON list",
		"scheduler.Event.update.status.slave_id: TaskStatus has no field \"slave_id\"",
		"scheduler.Event.update.status.source: SOURCE_SLAVE is not a value of TaskStatus.Source",
		"scheduler.Event.update.status.state: TASK_NAPPING is not a value of TaskState",
		"scheduler.Event.update.status.timestamp: a double is a JSON number, not bool",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got := c.Check("NoSuchMessage", map[string]any{}); len(got) != 1 || !strings.Contains(got[0], "not in the tables") {
		t.Errorf("an unknown message: %v", got)
	}
}
