package compute

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Nova's vm_states.
const (
	vmActive           = "active"
	vmBuilding         = "building"
	vmPaused           = "paused"
	vmSuspended        = "suspended"
	vmStopped          = "stopped"
	vmRescued          = "rescued"
	vmResized          = "resized"
	vmShelved          = "shelved"
	vmShelvedOffloaded = "shelved_offloaded"
	vmError            = "error"
	vmDeleted          = "deleted"
	vmSoftDeleted      = "soft-delete"
)

// statusOf derives the API status from vm_state and task_state, as Nova's
// common.status_from_state does.
func statusOf(vm, task string) string {
	switch vm {
	case vmActive:
		switch task {
		case "rebooting", "reboot_pending", "reboot_started":
			return "REBOOT"
		case "rebooting_hard", "reboot_pending_hard", "reboot_started_hard":
			return "HARD_REBOOT"
		case "rebuilding", "rebuild_block_device_mapping", "rebuild_spawning":
			return "REBUILD"
		case "updating_password":
			return "PASSWORD"
		case "resize_prep", "resize_migrating", "resize_migrated", "resize_finish":
			return "RESIZE"
		case "migrating":
			return "MIGRATING"
		}
		return "ACTIVE"
	case vmBuilding:
		return "BUILD"
	case vmStopped:
		switch task {
		case "resize_prep", "resize_migrating", "resize_migrated", "resize_finish":
			return "RESIZE"
		case "rebuilding", "rebuild_block_device_mapping", "rebuild_spawning":
			return "REBUILD"
		}
		return "SHUTOFF"
	case vmResized:
		if task == "resize_reverting" {
			return "REVERT_RESIZE"
		}
		return "VERIFY_RESIZE"
	case vmPaused:
		if task == "migrating" {
			return "MIGRATING"
		}
		return "PAUSED"
	case vmSuspended:
		return "SUSPENDED"
	case vmRescued:
		return "RESCUE"
	case vmShelved:
		return "SHELVED"
	case vmShelvedOffloaded:
		return "SHELVED_OFFLOADED"
	case vmError:
		if task == "rebuilding" || task == "rebuild_block_device_mapping" || task == "rebuild_spawning" {
			return "REBUILD"
		}
		return "ERROR"
	case vmDeleted:
		return "DELETED"
	case vmSoftDeleted:
		return "SOFT_DELETED"
	}
	return "UNKNOWN"
}

// schedule adds a timed change, keeping events in time order (ties in the
// order scheduled).
func (s *server) schedule(at time.Time, apply func(*server, time.Time)) {
	s.scheduleEvent(timedEvent{at: at, apply: apply})
}

func (s *server) scheduleEvent(ev timedEvent) {
	i := sort.Search(len(s.events), func(i int) bool { return s.events[i].at.After(ev.at) })
	s.events = append(s.events, timedEvent{})
	copy(s.events[i+1:], s.events[i:])
	s.events[i] = ev
}

// cancelTasks drops the pending transitions of the fake hypervisor (a
// build, a reboot …), keeping the statuses the test scheduled.
func (s *server) cancelTasks() {
	kept := s.events[:0]
	for _, ev := range s.events {
		if ev.byTest {
			kept = append(kept, ev)
		}
	}
	clear(s.events[len(kept):])
	s.events = kept
}

// settleLocked applies every change due by now, then refreshes the derived
// fields (status, progress, CPU time).
func (c *Compute) settleLocked(s *server, now time.Time) {
	for len(s.events) > 0 && !s.events[0].at.After(now) {
		ev := s.events[0]
		s.events = s.events[1:]
		ev.apply(s, ev.at)
		s.Updated = ev.at
	}
	s.Status = statusOf(s.VMState, s.TaskState)
	s.Progress = 0
	switch {
	case s.VMState == vmBuilding && len(s.events) > 0 && c.durations.Build > 0:
		elapsed := now.Sub(s.Created)
		s.Progress = int(100 * elapsed / c.durations.Build)
		if s.Progress > 99 {
			s.Progress = 99
		}
	case s.VMState == vmActive || s.VMState == vmStopped:
		s.Progress = 100
	}
}

// cpuTime is the CPU time the hypervisor reports at now.
func (s *server) cpuTime(now time.Time) time.Duration {
	t := s.CPUTime
	if s.PowerState == PowerRunning && !s.runningFrom.IsZero() && now.After(s.runningFrom) {
		t += now.Sub(s.runningFrom)
	}
	return t
}

// setPower changes the power state at instant at, accounting CPU time.
func (s *server) setPower(p int, at time.Time) {
	if s.PowerState == PowerRunning && p != PowerRunning && !s.runningFrom.IsZero() {
		s.CPUTime += at.Sub(s.runningFrom)
	}
	if p == PowerRunning && s.PowerState != PowerRunning {
		s.runningFrom = at
	}
	s.PowerState = p
}

// beginTaskLocked sets a task_state now and schedules its completion.
func (c *Compute) beginTaskLocked(s *server, task string, d time.Duration, done func(*server, time.Time)) {
	now := c.Now()
	s.TaskState = task
	s.Updated = now
	s.schedule(now.Add(d), func(s *server, at time.Time) {
		s.TaskState = ""
		done(s, at)
	})
	c.settleLocked(s, now)
}

// toActive ends a task in the running, active state.
func toActive(s *server, at time.Time) {
	s.VMState = vmActive
	s.setPower(PowerRunning, at)
	if s.LaunchedAt.IsZero() {
		s.LaunchedAt = at
	}
}

// statusStates maps a status that can be set on demand to Nova's states.
var statusStates = map[string]struct {
	vm, task string
	power    int
}{
	"ACTIVE":            {vmActive, "", PowerRunning},
	"BUILD":             {vmBuilding, "spawning", PowerNoState},
	"ERROR":             {vmError, "", PowerShutdown},
	"SHUTOFF":           {vmStopped, "", PowerShutdown},
	"PAUSED":            {vmPaused, "", PowerPaused},
	"SUSPENDED":         {vmSuspended, "", PowerSuspended},
	"RESCUE":            {vmRescued, "", PowerRunning},
	"VERIFY_RESIZE":     {vmResized, "", PowerRunning},
	"REVERT_RESIZE":     {vmResized, "resize_reverting", PowerRunning},
	"SHELVED":           {vmShelved, "", PowerShutdown},
	"SHELVED_OFFLOADED": {vmShelvedOffloaded, "", PowerShutdown},
	"REBOOT":            {vmActive, "rebooting", PowerRunning},
	"HARD_REBOOT":       {vmActive, "rebooting_hard", PowerRunning},
	"REBUILD":           {vmActive, "rebuilding", PowerNoState},
	"RESIZE":            {vmActive, "resize_migrating", PowerRunning},
	"PASSWORD":          {vmActive, "updating_password", PowerRunning},
	"MIGRATING":         {vmActive, "migrating", PowerRunning},
	"DELETED":           {vmDeleted, "", PowerNoState},
	"SOFT_DELETED":      {vmSoftDeleted, "", PowerShutdown},
}

// SetServerStatus puts a server into a status at once, cancelling what the
// fake hypervisor had pending on it (a build, a reboot …): the "this server
// sits in ERROR" lever of Mimic's control API. A server set to BUILD stays
// there until set otherwise; what ScheduleServerStatus scheduled still
// happens.
func (c *Compute) SetServerStatus(id, status string) error {
	_, ok := statusStates[strings.ToUpper(status)]
	if !ok {
		return fmt.Errorf("compute: %q is not a server status", status)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.servers[id]
	if !ok || !c.liveLocked(s) {
		return fmt.Errorf("compute: no server %s", id)
	}
	c.setStatusLocked(s, status)
	return nil
}

// setStatusLocked is SetServerStatus for a live server and a known status.
func (c *Compute) setStatusLocked(s *server, status string) {
	now := c.Now()
	s.cancelTasks()
	c.applyStatusLocked(s, strings.ToUpper(status), now, "Set to ERROR by the test")
	s.Updated = now
	c.settleLocked(s, now)
}

// applyStatusLocked puts s into a status at instant at, with what goes
// with it: launched_at on the first ACTIVE, a fault for ERROR, and the
// bookkeeping of a deletion for DELETED.
func (c *Compute) applyStatusLocked(s *server, status string, at time.Time, faultMessage string) {
	st := statusStates[status]
	s.VMState, s.TaskState = st.vm, st.task
	s.setPower(st.power, at)
	if st.power == PowerRunning && s.LaunchedAt.IsZero() {
		s.LaunchedAt = at
	}
	if st.vm == vmError && s.Fault == nil {
		s.Fault = &ServerFault{Code: 500, Message: faultMessage, Created: at}
	}
	if st.vm == vmDeleted || st.vm == vmSoftDeleted {
		s.TerminatedAt = at
	}
	if st.vm == vmDeleted {
		s.events = nil
		s.Deleted = true
		c.releaseLocked(s)
	}
}

// ScheduleServerStatus puts a server into a status after d on the shared
// clock, whatever the server does meanwhile (only deleting it cancels
// this): "this server goes into ERROR in ten minutes".
func (c *Compute) ScheduleServerStatus(id, status string, d time.Duration) error {
	_, ok := statusStates[strings.ToUpper(status)]
	if !ok {
		return fmt.Errorf("compute: %q is not a server status", status)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.servers[id]
	if !ok || !c.liveLocked(s) {
		return fmt.Errorf("compute: no server %s", id)
	}
	upper := strings.ToUpper(status)
	// At its time it acts as SetServerStatus would.
	s.scheduleEvent(timedEvent{at: c.Now().Add(d), byTest: true, apply: func(s *server, at time.Time) {
		s.cancelTasks()
		c.applyStatusLocked(s, upper, at, "Scheduled ERROR by the test")
	}})
	return nil
}

// liveLocked settles s to now and reports whether it is still there.
func (c *Compute) liveLocked(s *server) bool {
	c.settleLocked(s, c.Now())
	return !s.Deleted
}
