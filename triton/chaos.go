package triton

import (
	"fmt"
	"path"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// JobFault makes matching jobs fail, or hang for ever, at a step: chaos
// as data. Empty fields match anything.
type JobFault struct {
	// Workflow is "provision", "start", "stop", "reboot", "destroy",
	// "update", "snapshot", "server-reboot" …
	Workflow string `json:"workflow,omitempty"`
	// Step is the step the job fails or hangs at ("cnapi.provision_vm");
	// "" is the workflow's first cnapi.* step that does the work.
	Step string `json:"step,omitempty"`
	// Hang leaves the job running at Step for ever instead of failing it.
	Hang bool `json:"hang,omitempty"`
	// Server matches jobs on that compute node.
	Server string `json:"server_uuid,omitempty"`
	// AliasPattern matches the VM's alias (path.Match: "web-*").
	AliasPattern string `json:"alias_pattern,omitempty"`
	// Times is how many jobs it hits; 0 is every one.
	Times int `json:"times,omitempty"`
}

type jobFault struct {
	id string
	JobFault
	hits int
}

type chaos struct {
	jobFaults []*jobFault
	seq       int
}

// applyToJob sets j's failure or hang point from the first matching fault.
func (c *chaos) applyToJob(j *job, alias string) {
	for _, f := range c.jobFaults {
		if f.Times > 0 && f.hits >= f.Times {
			continue
		}
		if f.Workflow != "" && f.Workflow != j.wf.name {
			continue
		}
		if f.Server != "" && f.Server != j.server {
			continue
		}
		if f.AliasPattern != "" {
			if ok, _ := path.Match(f.AliasPattern, alias); !ok {
				continue
			}
		}
		at := stepIndex(j.wf.chain, f.Step)
		if at < 0 {
			continue
		}
		f.hits++
		if f.Hang {
			j.hangAt = at
		} else {
			j.failAt = at
		}
		return
	}
}

// stepIndex is the index of step in chain; for "", the first cnapi.* step
// that acts (not a ticket step).
func stepIndex(chain []string, step string) int {
	for i, s := range chain {
		if s == step {
			return i
		}
		if step == "" && len(s) > 6 && s[:6] == "cnapi." && s != "cnapi.acquire_vm_ticket" && s != "cnapi.wait_on_vm_ticket" &&
			s != "cnapi.ensure_image" && s != "cnapi.wait_task_ensure_image" && s != "cnapi.acquire_server_ticket" && s != "cnapi.wait_on_server_ticket" {
			return i
		}
	}
	return -1
}

// AddJobFault installs a job fault and returns its ID (for
// RemoveJobFault). A Step the workflow does not have matches no job.
func (t *Triton) AddJobFault(f JobFault) string {
	t.lock()
	defer t.mu.Unlock()
	t.dc.chaos.seq++
	id := fmt.Sprintf("jobfault-%d", t.dc.chaos.seq)
	t.dc.chaos.jobFaults = append(t.dc.chaos.jobFaults, &jobFault{id: id, JobFault: f})
	return id
}

// RemoveJobFault removes a job fault; false if there is none of that ID.
func (t *Triton) RemoveJobFault(id string) bool {
	t.lock()
	defer t.mu.Unlock()
	for i, f := range t.dc.chaos.jobFaults {
		if f.id == id {
			t.dc.chaos.jobFaults = append(t.dc.chaos.jobFaults[:i], t.dc.chaos.jobFaults[i+1:]...)
			return true
		}
	}
	return false
}

// FailProvisions makes provisions fail at cnapi.provision_vm on server
// (any server when "") for aliases matching pattern (any when ""); the VM
// ends "failed".
func (t *Triton) FailProvisions(server, aliasPattern string) string {
	return t.AddJobFault(JobFault{Workflow: "provision", Step: "cnapi.provision_vm", Server: server, AliasPattern: aliasPattern})
}

// StopHeartbeats makes a compute node stop heartbeating at at (the past,
// the present or the future); CNAPI marks it unknown once the reconciler
// sees its last heartbeat over 11 s old. Its VMs keep their state, as
// VMAPI has no news of them.
func (t *Triton) StopHeartbeats(uuid string, at time.Time) error {
	t.lock()
	defer t.mu.Unlock()
	s := t.dc.servers[uuid]
	if s == nil {
		return kit.NotFound("Server %s not found", uuid)
	}
	s.hbStop, s.hbResume = at, time.Time{}
	return nil
}

// ResumeHeartbeats makes a stopped compute node heartbeat again from at;
// it is running again on that heartbeat.
func (t *Triton) ResumeHeartbeats(uuid string, at time.Time) error {
	t.lock()
	defer t.mu.Unlock()
	s := t.dc.servers[uuid]
	if s == nil {
		return kit.NotFound("Server %s not found", uuid)
	}
	if s.hbStop.IsZero() || at.Before(s.hbStop) {
		return kit.Conflict("Server %s has not stopped heartbeating by %s", uuid, iso(at))
	}
	s.hbResume = at
	return nil
}

// LoseDisk makes a compute node lose its zpool now: its VMs fail, and the
// allocator passes it by.
func (t *Triton) LoseDisk(uuid string) error {
	now := t.lock()
	defer t.mu.Unlock()
	s := t.dc.servers[uuid]
	if s == nil {
		return kit.NotFound("Server %s not found", uuid)
	}
	s.diskLost = true
	for _, v := range sortedVMs(s.vms) {
		if v.live() {
			t.unplaceLocked(v)
			v.state, v.modified = "failed", now
		}
	}
	t.dc.free.remove(s)
	return nil
}

// RebootServer reboots a compute node as CNAPI's server-reboot job does:
// silent for Durations.Boot ("rebooting"), then running again.
func (t *Triton) RebootServer(uuid string) (string, error) {
	now := t.lock()
	defer t.mu.Unlock()
	s := t.dc.servers[uuid]
	if s == nil {
		return "", kit.NotFound("Server %s not found", uuid)
	}
	return t.rebootLocked(s, now).uuid, nil
}
