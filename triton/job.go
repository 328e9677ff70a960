package triton

import (
	"time"
)

// workflow is one of VMAPI's workflows: its name, version and main chain,
// as in sdc-vmapi's lib/workflows.
type workflow struct {
	name, version string
	chain         []string
}

var (
	ticketSteps = []string{"cnapi.acquire_vm_ticket", "cnapi.wait_on_vm_ticket"}
	workflows   = map[string]workflow{
		"provision": {"provision", "8.2.4", []string{"common.validate_params", "workflow.set_job_action", "imgapi.generate_passwords",
			"cnapi.ensure_image", "cnapi.wait_task_ensure_image", "prepare_payload", "cnapi.provision_vm", "cnapi.wait_task",
			"volapi.add_volumes_references", "vmapi.put_vm", "fwapi.update", "cnapi.release_vm_ticket"}},
		"start": {"start", "7.0.8", join([]string{"common.validate_params"}, ticketSteps, []string{"common.ensure_vm_state",
			"setup_start_request", "cnapi.start_vm", "cnapi.wait_task", "vmapi.put_vm", "cnapi.release_vm_ticket"})},
		"stop":        {"stop", "7.0.8", vmChain("common.ensure_vm_state", "cnapi.stop_vm")},
		"kill":        {"kill", "7.0.2", vmChain("cnapi.kill_vm")},
		"reboot":      {"reboot", "7.0.6", vmChain("common.ensure_vm_state", "cnapi.reboot_vm")},
		"update":      {"update", "7.1.10", vmChainFw("cnapi.update_vm")},
		"reprovision": {"reprovision", "7.0.4", vmChain("cnapi.reprovision_vm")},
		"destroy": {"destroy", "7.1.6", join([]string{"common.validate_params", "common.setup_request"}, ticketSteps,
			[]string{"cnapi.destroy_vm", "vmapi.mark_vm_as_destroyed", "cnapi.wait_task", "vmapi.refresh_vm", "napi.remove_nics",
				"fwapi.update", "volapi.remove_volumes_references", "cnapi.release_vm_ticket"})},
		"snapshot":             {"snapshot", "7.0.4", snapChain("cnapi.snapshot_vm")},
		"rollback":             {"rollback", "7.0.5", snapChain("cnapi.rollback_vm")},
		"delete-snapshot":      {"delete-snapshot", "7.0.4", snapChain("cnapi.delete_snapshot")},
		"add-nics":             {"add-nics", "7.3.1", vmChainFw("common.update_network_params", "cnapi.update_vm")},
		"remove-nics":          {"remove-nics", "7.0.7", vmChainFw("common.remove_network_params", "cnapi.update_vm", "napi.remove_nics")},
		"update-nics":          {"update-nics", "7.0.5", vmChain("napi.update_nics", "cnapi.update_vm")},
		"server-reboot":        {"server-reboot", "1.0.0", []string{"cnapi.acquire_server_ticket", "cnapi.wait_on_server_ticket", "cnapi.reboot_server", "cnapi.wait_for_server_boot", "cnapi.release_server_ticket"}},
		"server-setup":         {"server-setup", "1.0.0", []string{"cnapi.setup_server", "cnapi.wait_task", "cnapi.set_setup"}},
		"server-update-nics":   {"server-update-nics", "1.0.0", []string{"cnapi.update_nics", "napi.update_nics"}},
		"server-factory-reset": {"server-factory-reset", "1.0.0", []string{"cnapi.factory_reset", "cnapi.wait_task", "cnapi.mark_unsetup"}},
	}
)

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func vmChain(steps ...string) []string {
	return join([]string{"common.validate_params", "common.setup_request"}, ticketSteps, steps,
		[]string{"cnapi.wait_task", "vmapi.put_vm", "cnapi.release_vm_ticket"})
}

func vmChainFw(steps ...string) []string {
	return join([]string{"common.validate_params", "common.setup_request"}, ticketSteps, steps,
		[]string{"cnapi.wait_task", "vmapi.put_vm", "fwapi.update", "cnapi.release_vm_ticket"})
}

func snapChain(step string) []string {
	return join([]string{"common.validate_params", "common.validate_snapshot_name", "common.setup_request"}, ticketSteps,
		[]string{step, "cnapi.wait_task", "vmapi.put_vm", "cnapi.release_vm_ticket"})
}

// job is a workflow job. Its progress is derived from the clock: queued
// for one step, then one step per Durations.Step; its effect lands once,
// when it finishes, through the pending queue.
type job struct {
	uuid     string
	wf       workflow
	vmUUID   string
	server   string
	params   map[string]any
	created  time.Time
	step     time.Duration
	failAt   int // -1: never
	hangAt   int // -1: never
	onDone   func(now time.Time)
	onFail   func(now time.Time)
	finished bool
}

// Job is a workflow job as VMAPI renders it.
type Job struct {
	UUID         string         `json:"uuid"`
	Name         string         `json:"name"`
	Execution    string         `json:"execution"`
	Params       map[string]any `json:"params"`
	VMUUID       string         `json:"vm_uuid,omitempty"`
	ServerUUID   string         `json:"server_uuid,omitempty"`
	Chain        []ChainStep    `json:"chain"`
	ChainResults []ChainResult  `json:"chain_results"`
	Onerror      []ChainStep    `json:"onerror"`
	CreatedAt    string         `json:"created_at"`
	ExecAfter    string         `json:"exec_after"`
	Timeout      int            `json:"timeout"`
	ElapsedSecs  float64        `json:"elapsed,omitempty"`
}

// ChainStep is one task of a workflow.
type ChainStep struct {
	Name    string `json:"name"`
	Timeout int    `json:"timeout"`
	Retry   int    `json:"retry"`
}

// ChainResult is what one step did.
type ChainResult struct {
	Result     string  `json:"result"`
	Error      string  `json:"error"`
	Name       string  `json:"name"`
	StartedAt  string  `json:"started_at"`
	FinishedAt *string `json:"finished_at"`
}

// progress is how far j is at now: steps done, the execution, and whether
// it is over.
func (j *job) progress(now time.Time) (done int, execution string) {
	n := len(j.wf.chain)
	start := j.created.Add(j.step)
	if j.step == 0 {
		done = n
	} else if now.Before(start) {
		return 0, "queued"
	} else {
		done = min(n, int(now.Sub(start)/j.step))
	}
	switch {
	case j.hangAt >= 0 && done >= j.hangAt:
		return j.hangAt, "running"
	case j.failAt >= 0 && done > j.failAt:
		return j.failAt, "failed"
	case done >= n && j.failAt < 0:
		return n, "succeeded"
	}
	return done, "running"
}

// endsAt is when j finishes (its effect's time); ok false for a hung job.
func (j *job) endsAt() (time.Time, bool) {
	if j.hangAt >= 0 {
		return time.Time{}, false
	}
	steps := len(j.wf.chain)
	if j.failAt >= 0 {
		steps = j.failAt + 1
	}
	if j.step == 0 {
		return j.created, true
	}
	return j.created.Add(j.step * time.Duration(steps+1)), true
}

func (j *job) render(now time.Time) Job {
	done, exec := j.progress(now)
	out := Job{UUID: j.uuid, Name: j.wf.name + "-" + j.wf.version, Execution: exec, Params: cloneMap(j.params),
		VMUUID: j.vmUUID, ServerUUID: j.server, CreatedAt: iso(j.created), ExecAfter: iso(j.created), Timeout: 3810,
		Chain: make([]ChainStep, len(j.wf.chain)), ChainResults: []ChainResult{}, Onerror: []ChainStep{}}
	for i, name := range j.wf.chain {
		out.Chain[i] = ChainStep{Name: name, Timeout: 120, Retry: 1}
	}
	stepStart := func(i int) time.Time { return j.created.Add(j.step * time.Duration(i+1)) }
	for i := 0; i < done; i++ {
		fin := iso(stepStart(i + 1))
		out.ChainResults = append(out.ChainResults, ChainResult{Result: "OK", Name: j.wf.chain[i], StartedAt: iso(stepStart(i)), FinishedAt: &fin})
	}
	switch {
	case exec == "failed":
		fin := iso(stepStart(done + 1))
		out.ChainResults = append(out.ChainResults, ChainResult{Result: "", Error: "chaos: " + j.wf.chain[done] + " failed",
			Name: j.wf.chain[done], StartedAt: iso(stepStart(done)), FinishedAt: &fin})
	case exec == "running" && done < len(j.wf.chain):
		out.ChainResults = append(out.ChainResults, ChainResult{Name: j.wf.chain[done], StartedAt: iso(stepStart(done))})
	}
	return out
}

// newJobLocked records a job of workflow wf and schedules its effect:
// onDone when it succeeds, onFail when chaos fails it.
func (t *Triton) newJobLocked(wf string, vmUUID, serverUUID, alias string, params map[string]any, now time.Time,
	onDone, onFail func(now time.Time)) *job {
	j := &job{uuid: t.newUUID(), wf: workflows[wf], vmUUID: vmUUID, server: serverUUID, params: params,
		created: now, step: t.cfg.durations.Step, failAt: -1, hangAt: -1, onDone: onDone, onFail: onFail}
	if j.params == nil {
		j.params = map[string]any{}
	}
	j.params["task"] = wf
	if vmUUID != "" {
		j.params["vm_uuid"] = vmUUID
	}
	t.dc.chaos.applyToJob(j, alias)
	t.dc.jobs[j.uuid] = j
	t.dc.jobOrder = append(t.dc.jobOrder, j)
	if at, ok := j.endsAt(); ok {
		t.atLocked(at, func(now time.Time) {
			j.finished = true
			if j.failAt >= 0 {
				if j.onFail != nil {
					j.onFail(now)
				}
				return
			}
			if j.onDone != nil {
				j.onDone(now)
			}
		})
	}
	t.settleLocked(now)
	return j
}
