package mesos

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// Route names of the control API (agents, chaos and task rules over HTTP,
// for the standalone server and non-Go clients).
const (
	OpControlAgentResources = "mesos.control.agents.resources" // POST /control/agents/{id}/resources
	OpControlMessage        = "mesos.control.messages"         // POST /control/messages
)

// controlRoutes serves the control API under /control:
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
func (m *Master) controlRoutes(r *mux.Router) {
	r.HandleFunc("/control/agents", m.controlAgents).Methods("GET").Name(OpControlAgents)
	r.HandleFunc("/control/agents", m.controlAddAgent).Methods("POST").Name(OpControlAddAgent)
	r.HandleFunc("/control/agents/{id}", m.controlRemoveAgent).Methods("DELETE").Name(OpControlRemoveAgent)
	r.HandleFunc("/control/agents/{id}/restore", m.controlRestoreAgent).Methods("POST").Name(OpControlRestoreAgent)
	r.HandleFunc("/control/agents/{id}/resources", m.controlAgentResources).Methods("POST").Name(OpControlAgentResources)
	r.HandleFunc("/control/failover", m.controlFailover).Methods("POST").Name(OpControlFailover)
	r.HandleFunc("/control/task-rules", m.controlTaskRules).Methods("GET", "POST", "PUT", "DELETE").Name(OpControlTaskRules)
	r.HandleFunc("/control/messages", m.controlMessage).Methods("POST").Name(OpControlMessage)
	r.HandleFunc("/control/config", m.controlConfig).Methods("GET").Name(OpControlConfig)
}

func decodeControl(r *http.Request, v any) *fake.Error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return badRequest("Could not read the request body: %v", err)
	}
	return fake.DecodeJSONBytes(body, v, fake.DecodeOptions{DisallowUnknownFields: true})
}

func (m *Master) controlAgents(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"agents": m.Agents()})
}

func (m *Master) controlAddAgent(w http.ResponseWriter, r *http.Request) {
	var ac AgentConfig
	if err := decodeControl(r, &ac); err != nil {
		writeErr(w, r, err)
		return
	}
	if err := ac.validate(); err != nil {
		writeMesosError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	n := ac.Count
	if n <= 0 {
		n = 1
	}
	if n > 10000 {
		writeMesosError(w, r, http.StatusBadRequest, "count must be at most 10000")
		return
	}
	var added []Agent
	for i := 0; i < n; i++ {
		one := ac.clone()
		one.Count = 0
		if n > 1 && one.Hostname != "" {
			one.Hostname = hostnameFor(ac.Hostname, i)
		}
		a, err := m.AddAgent(one)
		if err != nil {
			writeMesosError(w, r, http.StatusBadRequest, err.Error())
			return
		}
		added = append(added, a)
	}
	fake.WriteJSON(w, http.StatusCreated, map[string]any{"agents": added})
}

func hostnameFor(pattern string, i int) string {
	if strings.Contains(pattern, "%d") {
		return strings.Replace(pattern, "%d", strconv.Itoa(i), 1)
	}
	return pattern + "-" + strconv.Itoa(i)
}

// controlStatus maps a chaos error to 404 (no such agent) or 409.
func (m *Master) controlStatus(w http.ResponseWriter, r *http.Request, id string, err error) {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if _, ok := m.Agent(id); !ok {
		writeMesosError(w, r, http.StatusNotFound, err.Error())
		return
	}
	writeMesosError(w, r, http.StatusConflict, err.Error())
}

func (m *Master) controlRemoveAgent(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	var err error
	if r.URL.Query().Get("gone") == "true" {
		err = m.MarkAgentGone(id)
	} else {
		err = m.RemoveAgent(id)
	}
	m.controlStatus(w, r, id, err)
}

func (m *Master) controlRestoreAgent(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	m.controlStatus(w, r, id, m.RestoreAgent(id))
}

func (m *Master) controlAgentResources(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	var body struct {
		Resources Resources            `json:"resources"`
		Reserved  map[string]Resources `json:"reserved"`
	}
	if err := decodeControl(r, &body); err != nil {
		writeErr(w, r, err)
		return
	}
	err := m.SetAgentResources(id, body.Resources, body.Reserved)
	if err != nil {
		if _, ok := m.Agent(id); ok {
			writeMesosError(w, r, http.StatusBadRequest, err.Error())
			return
		}
	}
	m.controlStatus(w, r, id, err)
}

func (m *Master) controlFailover(w http.ResponseWriter, r *http.Request) {
	m.Failover()
	w.WriteHeader(http.StatusNoContent)
}

func (m *Master) controlTaskRules(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		fake.WriteJSON(w, http.StatusOK, map[string]any{"task_rules": nonNilRules(m.TaskRules())})
	case http.MethodPost:
		var rule TaskRule
		if err := decodeControl(r, &rule); err != nil {
			writeErr(w, r, err)
			return
		}
		if err := m.AddTaskRule(rule); err != nil {
			writeMesosError(w, r, http.StatusBadRequest, err.Error())
			return
		}
		fake.WriteJSON(w, http.StatusCreated, rule)
	case http.MethodPut:
		var body struct {
			TaskRules []TaskRule `json:"task_rules"`
		}
		if err := decodeControl(r, &body); err != nil {
			writeErr(w, r, err)
			return
		}
		if err := m.SetTaskRules(body.TaskRules...); err != nil {
			writeMesosError(w, r, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		_ = m.SetTaskRules()
		w.WriteHeader(http.StatusNoContent)
	}
}

func nonNilRules(r []TaskRule) []TaskRule {
	if r == nil {
		return []TaskRule{}
	}
	return r
}

func (m *Master) controlMessage(w http.ResponseWriter, r *http.Request) {
	var body struct {
		FrameworkID string `json:"framework_id"`
		AgentID     string `json:"agent_id"`
		ExecutorID  string `json:"executor_id"`
		Data        []byte `json:"data"`
	}
	if err := decodeControl(r, &body); err != nil {
		writeErr(w, r, err)
		return
	}
	if err := m.SendFrameworkMessage(body.FrameworkID, body.AgentID, body.ExecutorID, body.Data); err != nil {
		writeMesosError(w, r, http.StatusNotFound, err.Error())
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (m *Master) controlConfig(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, m.Config())
}
