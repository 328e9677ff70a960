package triton

import (
	"net/http"
	"slices"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// task is a cn-agent task; it completes after Durations.Task.
type task struct {
	id      string
	name    string
	server  string
	created time.Time
	done    time.Time
}

// Task is a task as CNAPI renders it.
type Task struct {
	ID         string         `json:"id"`
	Task       string         `json:"task"`
	ServerUUID string         `json:"server_uuid"`
	Status     string         `json:"status"`
	Timestamp  string         `json:"timestamp"`
	History    []TaskEvent    `json:"history"`
	Progress   int            `json:"progress"`
	Req        map[string]any `json:"req_id,omitempty"`
}

// TaskEvent is one entry of a task's history.
type TaskEvent struct {
	Name      string         `json:"name"`
	Event     map[string]any `json:"event"`
	Timestamp string         `json:"timestamp"`
}

func (k *task) render(now time.Time) Task {
	out := Task{ID: k.id, Task: k.name, ServerUUID: k.server, Status: "active", Timestamp: iso(k.created),
		History: []TaskEvent{{Name: "start", Event: map[string]any{}, Timestamp: iso(k.created)}}}
	if !now.Before(k.done) {
		out.Status, out.Progress = "complete", 100
		out.History = append(out.History, TaskEvent{Name: "finish", Event: map[string]any{}, Timestamp: iso(k.done)})
	}
	return out
}

// newTaskLocked starts a task on s whose effect lands when it completes.
func (t *Triton) newTaskLocked(name string, s *server, now time.Time, effect func(time.Time)) *task {
	k := &task{id: t.newUUID(), name: name, server: s.uuid, created: now, done: now.Add(t.cfg.durations.Task)}
	t.dc.tasks[k.id] = k
	if effect != nil {
		t.atLocked(k.done, effect)
		t.settleLocked(now)
	}
	return k
}

// taskAccepted is CNAPI's answer to a call that starts a task.
type taskAccepted struct {
	ID string `json:"id"`
}

func (t *Triton) installAgent(c *kit.Call) (kit.Reply, error) {
	var body struct {
		ImageUUID   string `json:"image_uuid"`
		PackageName string `json:"package_name"`
		Version     string `json:"version"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	if body.ImageUUID == "" {
		return kit.Reply{}, restError(http.StatusConflict, "MissingParameter", "image_uuid is required")
	}
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	name := body.PackageName
	if name == "" {
		name = "agent-" + body.ImageUUID[:min(8, len(body.ImageUUID))]
	}
	ver := body.Version
	if ver == "" {
		ver = "1.0.0"
	}
	k := t.newTaskLocked("agent_install", s, now, func(time.Time) {
		agents := slices.DeleteFunc(slices.Clone(s.agentList()), func(a Agent) bool { return a.Name == name })
		s.agents = append(agents, Agent{Name: name, Version: ver, ImageUUID: body.ImageUUID})
	})
	return kit.OK(taskAccepted{ID: k.id}), nil
}

func (t *Triton) uninstallAgents(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Agents []string `json:"agents"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	if len(body.Agents) == 0 {
		return kit.Reply{}, restError(http.StatusConflict, "MissingParameter", "agents is required")
	}
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	k := t.newTaskLocked("agents_uninstall", s, now, func(time.Time) {
		s.agents = slices.DeleteFunc(slices.Clone(s.agentList()), func(a Agent) bool { return slices.Contains(body.Agents, a.Name) })
	})
	return kit.OK(taskAccepted{ID: k.id}), nil
}

func (t *Triton) getTask(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	k := t.dc.tasks[c.Var("task")]
	if k == nil {
		return kit.Reply{}, kit.NotFound("Task %s not found", c.Var("task"))
	}
	return kit.OK(k.render(now)), nil
}

// waitTask answers when the task completes (or the client gives up).
func (t *Triton) waitTask(c *kit.Call) (kit.Reply, error) {
	t.lock()
	k := t.dc.tasks[c.Var("task")]
	t.mu.Unlock()
	if k == nil {
		return kit.Reply{}, kit.NotFound("Task %s not found", c.Var("task"))
	}
	if t.Now().Before(k.done) {
		woke := make(chan struct{})
		ev := t.Clock().At(k.done, func() { close(woke) })
		select {
		case <-woke:
		case <-c.Context().Done():
			ev.Stop()
		case <-t.cnapi.Done():
			ev.Stop()
		}
	}
	now := t.lock()
	defer t.mu.Unlock()
	return kit.OK(k.render(now)), nil
}

func (t *Triton) taskHistory(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	out := []Task{}
	for _, k := range t.dc.tasks {
		if k.server == s.uuid {
			out = append(out, k.render(now))
		}
	}
	slices.SortFunc(out, func(a, b Task) int {
		if a.Timestamp != b.Timestamp {
			return -cmpStr(a.Timestamp, b.Timestamp)
		}
		return cmpStr(a.ID, b.ID)
	})
	return kit.OK(out), nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// allocate is SelectServer: the allocator's choice, or 409.
func (t *Triton) allocate(c *kit.Call) (kit.Reply, error) {
	var body struct {
		VM struct {
			RAM       int64  `json:"ram"`
			OwnerUUID string `json:"owner_uuid"`
			Alias     string `json:"alias"`
		} `json:"vm"`
		Package struct {
			MaxPhysicalMemory int64          `json:"max_physical_memory"`
			Quota             int64          `json:"quota"`
			CPUCap            int64          `json:"cpu_cap"`
			Traits            map[string]any `json:"traits"`
		} `json:"package"`
		Image struct {
			Traits map[string]any `json:"traits"`
		} `json:"image"`
		Servers []string `json:"servers"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	ram := body.VM.RAM
	if ram == 0 {
		ram = body.Package.MaxPhysicalMemory
	}
	if ram <= 0 {
		return kit.Reply{}, validationFailed("Request parameters failed validation", FieldError{Field: "vm.ram", Code: "MissingParameter", Message: "Missing parameter"})
	}
	traits := body.Image.Traits
	if body.Package.Traits != nil {
		traits = body.Package.Traits
	}
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.allocateLocked(AllocRequest{RAM: ram, QuotaGiB: body.Package.Quota / 1024, CPUCap: body.Package.CPUCap,
		Traits: traits, Servers: body.Servers, OwnerUUID: body.VM.OwnerUUID, Alias: body.VM.Alias}, now)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(map[string]any{"server": t.renderServerLocked(s, now, extras{capacity: true, status: true}),
		"steps": []map[string]any{{"step": "Received by DAPI", "remaining": []string{s.uuid}}}}), nil
}

// Capacity is one server's spare RAM (MiB), CPU (100 a core) and disk (MiB).
type Capacity struct {
	RAM  int64 `json:"ram"`
	CPU  int64 `json:"cpu"`
	Disk int64 `json:"disk"`
}

func (t *Triton) capacity(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Servers []string `json:"servers"`
	}
	if err := decode(c, &body, true); err != nil {
		return kit.Reply{}, err
	}
	t.lock()
	defer t.mu.Unlock()
	out := map[string]Capacity{}
	add := func(s *server) {
		if s.setup {
			out[s.uuid] = Capacity{RAM: s.unreservedRAM(), CPU: s.unreservedCPU(), Disk: s.unreservedDisk()}
		}
	}
	if len(body.Servers) == 0 {
		for _, s := range t.dc.serverOrder {
			add(s)
		}
	}
	for _, u := range body.Servers {
		if s := t.dc.servers[u]; s != nil {
			add(s)
		}
	}
	return kit.OK(map[string]any{"capacities": out}), nil
}

// bootParams is a server's (or the default) boot parameters.
type bootParams struct {
	Platform       string         `json:"platform"`
	KernelArgs     map[string]any `json:"kernel_args"`
	KernelFlags    map[string]any `json:"kernel_flags"`
	BootModules    []any          `json:"boot_modules"`
	DefaultConsole string         `json:"default_console"`
	Serial         string         `json:"serial"`
}

func (t *Triton) getBoot(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	out := bootParams{Platform: DefaultProfile().Platform, KernelArgs: map[string]any{}, KernelFlags: map[string]any{},
		BootModules: []any{}, DefaultConsole: "serial", Serial: "ttyb"}
	if c.Var("uuid") != "default" {
		s, err := t.serverLocked(c.Var("uuid"))
		if err != nil {
			return kit.Reply{}, err
		}
		_, out.Platform = s.platform()
		out.KernelArgs = cloneMap(s.bootParams)
		out.KernelArgs["hostname"] = s.hostnameOf()
	}
	return kit.OK(out), nil
}

func (t *Triton) setBoot(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Platform   string         `json:"platform"`
		KernelArgs map[string]any `json:"kernel_args"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	t.lock()
	defer t.mu.Unlock()
	if c.Var("uuid") == "default" {
		return kit.Status(http.StatusNoContent), nil
	}
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	if body.Platform != "" {
		s.bootPlatform = body.Platform
	}
	if body.KernelArgs != nil {
		if c.Request.Method == http.MethodPut || s.bootParams == nil {
			s.bootParams = map[string]any{}
		}
		for k, v := range body.KernelArgs {
			s.bootParams[k] = v
		}
	}
	return kit.Status(http.StatusNoContent), nil
}
