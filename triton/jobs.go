package triton

import (
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

func (t *Triton) listJobs(c *kit.Call) (kit.Reply, error) {
	q := c.Query()
	limit, offset, err := page(q, 1000)
	if err != nil {
		return kit.Reply{}, err
	}
	vmUUID, execution, task := q.Get("vm_uuid"), q.Get("execution"), q.Get("task")
	now := t.lock()
	defer t.mu.Unlock()
	out := []Job{}
	n := 0
	for i := len(t.dc.jobOrder) - 1; i >= 0 && len(out) < limit; i-- {
		j := t.dc.jobOrder[i]
		if vmUUID != "" && j.vmUUID != vmUUID || task != "" && j.wf.name != task {
			continue
		}
		if execution != "" {
			if _, exec := j.progress(now); exec != execution {
				continue
			}
		}
		if n >= offset {
			out = append(out, j.render(now))
		}
		n++
	}
	return kit.OK(out), nil
}

func (t *Triton) vmJobs(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, err := t.vmLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	out := []Job{}
	for i := len(t.dc.jobOrder) - 1; i >= 0; i-- {
		if j := t.dc.jobOrder[i]; j.vmUUID == v.uuid {
			out = append(out, j.render(now))
		}
	}
	return kit.OK(out), nil
}

func (t *Triton) jobLocked(uuid string) (*job, error) {
	j := t.dc.jobs[uuid]
	if j == nil {
		return nil, kit.NotFound("Job not found")
	}
	return j, nil
}

func (t *Triton) getJob(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	j, err := t.jobLocked(c.Var("job"))
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(j.render(now)), nil
}

// waitJob answers when the job has ended (on the shared clock: Advance,
// or real time in a real-time Cloud), or when the client gives up. A hung
// job is answered as it stands when the client goes away.
func (t *Triton) waitJob(c *kit.Call) (kit.Reply, error) {
	t.lock()
	j, err := t.jobLocked(c.Var("job"))
	var end time.Time
	ok := false
	if err == nil && !j.finished {
		end, ok = j.endsAt()
	}
	t.mu.Unlock()
	if err != nil {
		return kit.Reply{}, err
	}
	if ok && end.After(t.Now()) {
		woke := make(chan struct{})
		ev := t.Clock().At(end, func() { close(woke) })
		select {
		case <-woke:
		case <-c.Context().Done():
			ev.Stop()
		case <-t.vmapi.Done():
			ev.Stop()
		}
	}
	now := t.lock()
	defer t.mu.Unlock()
	return kit.OK(j.render(now)), nil
}
