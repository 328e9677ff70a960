package mesos

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// controlRoutes serve the control API under /control:
//
//	GET    /control/agents                   -> {"agents": [...]}
//	POST   /control/agents                   an AgentConfig ("count" for several) -> 201 {"agents": [...]}
//	DELETE /control/agents/{id}[?gone=true]  the agent becomes unreachable (or gone) -> 204
//	POST   /control/agents/{id}/restore      an unreachable agent comes back -> 204
//	POST   /control/agents/{id}/resources    {"resources": {...}, "reserved": {...}} -> 204
//	POST   /control/failover                 master failover -> 204
//	GET    /control/task-rules               -> {"task_rules": [...]}
//	POST   /control/task-rules               a TaskRule, appended -> 201
//	PUT    /control/task-rules               {"task_rules": [...]}, replacing all -> 204
//	DELETE /control/task-rules               -> 204
//	POST   /control/messages                 {"framework_id","agent_id","executor_id","data"} -> 202
//	GET    /control/config                   -> the configuration in force
//
// Errors are Mesos's plain text.
func (m *Master) controlRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpControlAgents, Method: "GET", Path: "/control/agents", Handler: m.controlAgents},
		{Op: OpControlAddAgent, Method: "POST", Path: "/control/agents", Handler: m.controlAddAgent},
		{Op: OpControlRemoveAgent, Method: "DELETE", Path: "/control/agents/{id}", Handler: m.controlRemoveAgent},
		{Op: OpControlRestoreAgent, Method: "POST", Path: "/control/agents/{id}/restore", Handler: m.controlRestoreAgent},
		{Op: OpControlAgentResources, Method: "POST", Path: "/control/agents/{id}/resources", Handler: m.controlAgentResources},
		{Op: OpControlFailover, Method: "POST", Path: "/control/failover", Handler: m.controlFailover},
		{Op: OpControlListTaskRules, Method: "GET", Path: "/control/task-rules", Handler: m.controlTaskRules},
		{Op: OpControlAddTaskRule, Method: "POST", Path: "/control/task-rules", Handler: m.controlAddTaskRule},
		{Op: OpControlSetTaskRules, Method: "PUT", Path: "/control/task-rules", Handler: m.controlSetTaskRules},
		{Op: OpControlClearTaskRules, Method: "DELETE", Path: "/control/task-rules", Handler: m.controlClearTaskRules},
		{Op: OpControlMessage, Method: "POST", Path: "/control/messages", Handler: m.controlMessage},
		{Op: OpControlConfig, Method: "GET", Path: "/control/config", Handler: m.controlConfig},
	}
}

// The control API's bodies.
type (
	controlAgentList struct {
		Agents []Agent `json:"agents"`
	}
	controlResources struct {
		Resources Resources            `json:"resources"`
		Reserved  map[string]Resources `json:"reserved"`
	}
	controlTaskRuleList struct {
		TaskRules []TaskRule `json:"task_rules"`
	}
	controlMessage struct {
		FrameworkID string `json:"framework_id"`
		AgentID     string `json:"agent_id"`
		ExecutorID  string `json:"executor_id"`
		Data        []byte `json:"data"`
	}
)

func (m *Master) controlAgents(*kit.Call) (kit.Reply, error) {
	return kit.OK(controlAgentList{Agents: m.Agents()}), nil
}

// maxControlAgents bounds the agents one POST /control/agents adds.
const maxControlAgents = 10000

func (m *Master) controlAddAgent(c *kit.Call) (kit.Reply, error) {
	var ac AgentConfig
	if err := kit.DecodeJSON(c.Body, &ac, kit.DecodeOptions{DisallowUnknownFields: true}); err != nil {
		return kit.Reply{}, err
	}
	if err := ac.validate(); err != nil {
		return kit.Reply{}, badRequest("%s", err.Error())
	}
	n := ac.Count
	if n <= 0 {
		n = 1
	}
	if n > maxControlAgents {
		return kit.Reply{}, badRequest("count must be at most 10000")
	}
	var added []Agent
	for i := 0; i < n; i++ {
		one := ac.clone()
		one.Count = 0
		if n > 1 && one.Hostname != "" {
			one.Hostname = hostnameFor(ac.Hostname, i)
		}
		if n > 1 {
			one.IP = ipPlus(ac.IP, i)
		}
		a, err := m.AddAgent(one)
		if err != nil {
			return kit.Reply{}, badRequest("%s", err.Error())
		}
		added = append(added, a)
	}
	return kit.JSON(http.StatusCreated, controlAgentList{Agents: added}), nil
}

func hostnameFor(pattern string, i int) string {
	if strings.Contains(pattern, "%d") {
		return strings.Replace(pattern, "%d", strconv.Itoa(i), 1)
	}
	return pattern + "-" + strconv.Itoa(i)
}

// controlStatus answers a chaos call: 204, or its error as 404 (no such
// agent) or 409.
func (m *Master) controlStatus(id string, err error) (kit.Reply, error) {
	if err == nil {
		return kit.Status(http.StatusNoContent), nil
	}
	if _, ok := m.Agent(id); !ok {
		return kit.Reply{}, kit.Errorf(http.StatusNotFound, "%s", err.Error())
	}
	return kit.Reply{}, kit.Errorf(http.StatusConflict, "%s", err.Error())
}

func (m *Master) controlRemoveAgent(c *kit.Call) (kit.Reply, error) {
	id := c.Var("id")
	var err error
	if c.Query().Get("gone") == "true" {
		err = m.MarkAgentGone(id)
	} else {
		err = m.RemoveAgent(id)
	}
	return m.controlStatus(id, err)
}

func (m *Master) controlRestoreAgent(c *kit.Call) (kit.Reply, error) {
	id := c.Var("id")
	return m.controlStatus(id, m.RestoreAgent(id))
}

func (m *Master) controlAgentResources(c *kit.Call) (kit.Reply, error) {
	id := c.Var("id")
	var body controlResources
	if err := kit.DecodeJSON(c.Body, &body, kit.DecodeOptions{DisallowUnknownFields: true}); err != nil {
		return kit.Reply{}, err
	}
	err := m.SetAgentResources(id, body.Resources, body.Reserved)
	if err != nil {
		if _, ok := m.Agent(id); ok {
			return kit.Reply{}, badRequest("%s", err.Error())
		}
	}
	return m.controlStatus(id, err)
}

func (m *Master) controlFailover(*kit.Call) (kit.Reply, error) {
	m.Failover()
	return kit.Status(http.StatusNoContent), nil
}

func (m *Master) controlTaskRules(*kit.Call) (kit.Reply, error) {
	rules := m.TaskRules()
	if rules == nil {
		rules = []TaskRule{}
	}
	return kit.OK(controlTaskRuleList{TaskRules: rules}), nil
}

func (m *Master) controlAddTaskRule(c *kit.Call) (kit.Reply, error) {
	var rule TaskRule
	if err := kit.DecodeJSON(c.Body, &rule, kit.DecodeOptions{DisallowUnknownFields: true}); err != nil {
		return kit.Reply{}, err
	}
	added, err := m.AddTaskRule(rule)
	if err != nil {
		return kit.Reply{}, badRequest("%s", err.Error())
	}
	return kit.JSON(http.StatusCreated, added), nil
}

func (m *Master) controlSetTaskRules(c *kit.Call) (kit.Reply, error) {
	var body controlTaskRuleList
	if err := kit.DecodeJSON(c.Body, &body, kit.DecodeOptions{DisallowUnknownFields: true}); err != nil {
		return kit.Reply{}, err
	}
	if err := m.SetTaskRules(body.TaskRules...); err != nil {
		return kit.Reply{}, badRequest("%s", err.Error())
	}
	return kit.Status(http.StatusNoContent), nil
}

func (m *Master) controlClearTaskRules(*kit.Call) (kit.Reply, error) {
	_ = m.SetTaskRules()
	return kit.Status(http.StatusNoContent), nil
}

func (m *Master) controlMessage(c *kit.Call) (kit.Reply, error) {
	var body controlMessage
	if err := kit.DecodeJSON(c.Body, &body, kit.DecodeOptions{DisallowUnknownFields: true}); err != nil {
		return kit.Reply{}, err
	}
	if err := m.SendFrameworkMessage(body.FrameworkID, body.AgentID, body.ExecutorID, body.Data); err != nil {
		return kit.Reply{}, kit.Errorf(http.StatusNotFound, "%s", err.Error())
	}
	return kit.Status(http.StatusAccepted), nil
}

func (m *Master) controlConfig(*kit.Call) (kit.Reply, error) {
	return kit.OK(m.Config()), nil
}
