// Package clock provides the single controllable clock that every mockcloud
// fake shares.
//
// Fakes read [Clock.Now] and derive state from timestamps (a lease has
// expired if Now is past its deadline), so most of them never need to be
// told that time moved. Where something must be pushed at a point in time
// (a missed heartbeat, a scheduled state change) a fake schedules a callback
// on the clock's own event queue with [Clock.AfterFunc] or [Clock.At].
// Keeping time and events in one place is what makes a test deterministic:
// moving the clock is the only thing that makes events happen.
//
// # Modes
//
// A clock from [New] is simulated: time stands still until the test calls
// [Clock.Advance] or [Clock.Set], and events run synchronously inside that
// call, on the caller's goroutine. A simulated clock starts no goroutines.
//
// A clock from [NewRealTime] follows the wall clock plus an offset.
// Advance and Set still work: they move the offset, so a long-running
// demo or manual test can skip ahead. One background goroutine runs events
// when they fall due; [Clock.Close] stops it. It reads time.Now and waits
// on a runtime timer, so inside a testing/synctest bubble it follows the
// bubble's clock: created in the bubble, its goroutine is durably blocked
// while it waits for the next event, and time jumps to that event when
// everything else in the bubble waits too. Close it before the bubble
// ends.
//
// [Clock.RunAdvancing] advances a clock in steps while a function runs,
// for code under test that waits on real timers outside a bubble.
//
// # Event queue
//
// Events run in time order; events at the same instant run in the order
// they were scheduled. In simulated mode Now() reports the event's own time
// while its callback runs, so a callback sees exactly the instant it was
// scheduled for, even when one Advance covers many events. An event
// scheduled by a callback runs in the same Advance if its time falls inside
// the window being advanced over; otherwise it waits. Callbacks never run
// concurrently with each other, and they run without the clock's internal
// lock held, so they may call Now, Since, Until, AfterFunc, At, Pending, Next
// and Event.Stop freely.
//
// # Limits
//
//   - A callback must not call Advance or Set on the clock that is running
//     it: the call waits for the Advance in progress, which is waiting for
//     the callback, so the goroutine deadlocks. Detecting this would need
//     goroutine identity, which Go does not offer cheaply, so it is not
//     checked. The same holds for Close called from a callback of a
//     real-time clock's background runner.
//   - A callback that keeps rescheduling itself at or before the instant
//     being advanced to (for example AfterFunc(0, self)) makes Advance
//     loop forever, just as it would in any discrete-event simulator.
//   - Events are callbacks, not goroutines: a slow callback delays every
//     later event and the Advance that runs it.
//   - The clock returned by [Clock.Mock] delegates its timers to
//     github.com/benbjohnson/clock; see that method for how they behave.
package clock

import (
	"container/heap"
	"sync"
	"time"

	bclock "github.com/benbjohnson/clock"
)

// DefaultStart returns the fixed instant simulated clocks start at by
// default: 2026-01-01T00:00:00Z. It is fixed, rather than the current time,
// so that timestamps in test output and golden files never change.
func DefaultStart() time.Time {
	return time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
}

// Clock is a controllable clock with an event queue. It is safe for
// concurrent use. The zero value is not usable; construct one with [New] or
// [NewRealTime].
type Clock struct {
	realTime bool

	// runMu serializes everything that runs events (Advance, Set and the
	// real-time runner), so that events never run concurrently and the
	// simulated instant only moves in one place at a time. It is held while
	// callbacks run, which is why callbacks must not call Advance or Set.
	runMu sync.Mutex

	// mu protects the fields below. It is never held while a callback runs.
	mu     sync.Mutex
	now    time.Time     // simulated mode: the current instant
	offset time.Duration // real-time mode: added to time.Now()
	queue  eventHeap
	seq    uint64 // scheduling order, breaks ties between equal times
	closed bool

	// Real-time runner plumbing; nil in simulated mode.
	wake   chan struct{} // buffered(1): re-examine the queue head
	done   chan struct{} // closed by Close
	exited chan struct{} // closed by the runner on return
	once   sync.Once

	// Mock support, see mock.go.
	view   mockView
	wall   bclock.Clock // real-time mode: delegate timers here
	mockMu sync.Mutex   // serializes creation and Set of bmock
	bmock  *bclock.Mock // simulated mode: created on first timer use
}

// New returns a simulated clock reading start (converted to UTC). A zero
// start means [DefaultStart]. Time does not move until Advance or Set is
// called.
func New(start time.Time) *Clock {
	if start.IsZero() {
		start = DefaultStart()
	}
	c := &Clock{now: start.UTC()}
	c.view.c = c
	return c
}

// NewRealTime returns a clock that reads the wall clock plus an offset that
// starts at zero and is moved by Advance and Set. It starts one goroutine
// that runs events when they fall due; call Close to stop it.
func NewRealTime() *Clock {
	c := &Clock{
		realTime: true,
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		exited:   make(chan struct{}),
		wall:     bclock.New(),
	}
	c.view.c = c
	go c.runner()
	return c
}

// RealTime reports whether c follows the wall clock.
func (c *Clock) RealTime() bool { return c.realTime }

// Now returns the current instant, always in UTC. In simulated mode it is
// the instant last reached by Advance or Set, or the time of the event whose
// callback is running. In real-time mode it is time.Now() plus the offset,
// without a monotonic reading.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	t := c.nowLocked()
	c.mu.Unlock()
	return t
}

func (c *Clock) nowLocked() time.Time {
	if c.realTime {
		return time.Now().Add(c.offset).UTC()
	}
	return c.now
}

// Since returns the time elapsed since t, as measured by c.
func (c *Clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Until returns the duration until t, as measured by c.
func (c *Clock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// Advance moves time forward by d and runs every event due up to the new
// instant, synchronously, in time order (ties in scheduling order). In
// simulated mode Now() equals each event's own time while its callback runs
// (events that were already overdue run at the current instant, since time
// never moves backward during Advance). Events scheduled by callbacks run in
// the same call if they fall inside the window. A d <= 0 does not move time
// but still runs events that are already due. Advance returns the new Now().
//
// Concurrent Advance and Set calls are serialized. Callbacks run without the
// clock's mutex held, so they may call Now, AfterFunc, At and Stop, but
// calling Advance or Set from a callback deadlocks (see the package doc).
//
// In real-time mode Advance adds d to the offset and runs the events that
// are then due before returning; Now() inside callbacks is the wall-based
// time, not the event time.
func (c *Clock) Advance(d time.Duration) time.Time {
	if d < 0 {
		d = 0
	}
	c.runMu.Lock()
	defer c.runMu.Unlock()

	c.mu.Lock()
	var target time.Time
	if c.realTime {
		c.offset += d
		target = c.nowLocked()
	} else {
		target = c.now.Add(d)
	}
	c.mu.Unlock()
	if c.realTime && d > 0 {
		c.poke()
	}
	return c.runUntil(target, false)
}

// Set moves the clock to t. Moving forward (or to the current instant) is
// exactly Advance(t.Sub(Now())). Moving backward runs nothing: in simulated
// mode Now simply becomes t, and in real-time mode the offset is reduced.
// Events already scheduled keep their absolute times, so after moving back
// they wait until time catches up again.
func (c *Clock) Set(t time.Time) {
	t = t.UTC()
	c.runMu.Lock()
	defer c.runMu.Unlock()

	c.mu.Lock()
	cur := c.nowLocked()
	if c.realTime {
		c.offset += t.Sub(cur)
	}
	back := t.Before(cur)
	if back && !c.realTime {
		c.now = t
	}
	c.mu.Unlock()
	if c.realTime {
		c.poke()
	}
	if back {
		c.syncMock()
		return
	}
	c.runUntil(t, false)
}

// runUntil runs due events up to target and, in simulated mode, leaves the
// clock at target. In real-time mode "due" is re-evaluated against the wall
// clock on every step. The caller holds runMu. If runner is true it stops
// early once the clock is closed.
func (c *Clock) runUntil(target time.Time, runner bool) time.Time {
	for {
		c.mu.Lock()
		if runner && c.closed {
			c.mu.Unlock()
			return target
		}
		bound := target
		if c.realTime {
			if n := c.nowLocked(); n.After(bound) {
				bound = n
			}
		}
		if len(c.queue) == 0 || c.queue.head().when.After(bound) {
			if !c.realTime && target.After(c.now) {
				c.now = target
			}
			now := c.nowLocked()
			c.mu.Unlock()
			c.syncMock()
			return now
		}
		e := heap.Pop(&c.queue).(*Event)
		f := e.f
		e.f = nil
		if !c.realTime && e.when.After(c.now) {
			c.now = e.when
		}
		c.mu.Unlock()
		f()
	}
}

// Event is a callback scheduled on a Clock's event queue.
type Event struct {
	c     *Clock
	when  time.Time
	seq   uint64
	f     func()
	index int // position in c.queue; -1 once run or stopped
}

// AfterFunc schedules f to run at Now()+d. A d <= 0 schedules it for the
// current instant: in simulated mode it runs on the next Advance or Set (or
// within the Advance in progress, if called from a callback). It panics if
// f is nil, because a nil callback would otherwise fail much later, far from
// the mistake.
func (c *Clock) AfterFunc(d time.Duration, f func()) *Event {
	if f == nil {
		panic("clock: AfterFunc with nil func")
	}
	c.mu.Lock()
	return c.scheduleLocked(c.nowLocked().Add(d), f)
}

// At schedules f to run at t. An event at or before Now() is due at once: in
// simulated mode it runs on the next Advance (including Advance(0)) or Set;
// in real-time mode the background runner picks it up promptly. It panics
// if f is nil.
func (c *Clock) At(t time.Time, f func()) *Event {
	if f == nil {
		panic("clock: At with nil func")
	}
	c.mu.Lock()
	return c.scheduleLocked(t.UTC(), f)
}

// scheduleLocked queues an event; it is called with c.mu held and releases it.
func (c *Clock) scheduleLocked(t time.Time, f func()) *Event {
	c.seq++
	e := &Event{c: c, when: t, seq: c.seq, f: f}
	heap.Push(&c.queue, e)
	head := e.index == 0
	c.mu.Unlock()
	if head && c.realTime {
		c.poke()
	}
	return e
}

// Stop cancels the event. It returns true if the event was pending, false if
// it had already run (or started running) or was already stopped. It is safe
// to call concurrently and from callbacks, and costs O(log n).
func (e *Event) Stop() bool {
	c := e.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.index < 0 {
		return false
	}
	heap.Remove(&c.queue, e.index)
	e.f = nil
	return true
}

// When returns the instant the event is (or was) scheduled for, in UTC.
func (e *Event) When() time.Time { return e.when }

// Latest reports whether e is the event scheduled last on its clock: none
// has been scheduled since. A fake that would schedule another callback
// for e's instant can then have e's callback do that work instead, which
// runs it in the same order (a fake that batches thousands of like events
// saves an event each).
func (e *Event) Latest() bool {
	c := e.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return e.seq == c.seq
}

// Pending returns the number of scheduled events that have neither run nor
// been stopped.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// Next returns the time of the earliest pending event, and false if there is
// none. Tests use it to jump straight to the next interesting instant.
func (c *Clock) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		return time.Time{}, false
	}
	return c.queue.head().when, true
}

// Close stops a real-time clock's background goroutine and waits for it to
// exit; pending events are dropped. The clock still tells time afterwards,
// and events scheduled after Close run only when Advance or Set is called.
// Close is idempotent and a no-op for a simulated clock, which has no
// goroutine to stop. Calling Close from an event callback of a real-time
// clock deadlocks, because Close waits for the goroutine running it.
func (c *Clock) Close() {
	if !c.realTime {
		return
	}
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		for _, he := range c.queue {
			he.ev.index = -1
			he.ev.f = nil
		}
		c.queue = nil
		c.mu.Unlock()
		close(c.done)
		<-c.exited
	})
}

// poke wakes the real-time runner so it re-examines the head of the queue.
// The channel has room for one signal; a pending signal already covers this.
func (c *Clock) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// runner is the real-time mode goroutine. It sleeps until the earliest
// event is due by Now() (or until woken because the head or the offset
// changed), then runs due events under runMu like Advance does.
func (c *Clock) runner() {
	defer close(c.exited)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		c.mu.Lock()
		has := len(c.queue) > 0
		var wait time.Duration
		if has {
			wait = c.queue.head().when.Sub(c.nowLocked())
		}
		c.mu.Unlock()

		if has && wait <= 0 {
			c.runMu.Lock()
			c.runUntil(c.Now(), true)
			c.runMu.Unlock()
			select {
			case <-c.done:
				return
			default:
			}
			continue
		}

		var fire <-chan time.Time
		if has {
			timer.Reset(wait)
			fire = timer.C
		}
		select {
		case <-c.done:
			return
		case <-c.wake:
		case <-fire:
		}
		timer.Stop()
	}
}

// eventHeap is a min-heap of events ordered by (when, seq). The sort key is
// stored inline in the slice, not only in the Event, so that comparisons
// during sift-down do not chase a pointer per element; with 100k events that
// cuts the cost of draining the queue by about a third. Each event keeps its index so that
// Stop can remove it in O(log n).
type eventHeap []heapEntry

type heapEntry struct {
	sec  int64 // when.Unix()
	nsec int32 // when.Nanosecond()
	seq  uint64
	ev   *Event
}

func (h eventHeap) Len() int { return len(h) }

func (h eventHeap) Less(i, j int) bool {
	a, b := &h[i], &h[j]
	if a.sec != b.sec {
		return a.sec < b.sec
	}
	if a.nsec != b.nsec {
		return a.nsec < b.nsec
	}
	return a.seq < b.seq
}

func (h eventHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].ev.index = i
	h[j].ev.index = j
}

func (h *eventHeap) Push(x any) {
	e := x.(*Event)
	e.index = len(*h)
	*h = append(*h, heapEntry{
		sec:  e.when.Unix(),
		nsec: int32(e.when.Nanosecond()),
		seq:  e.seq,
		ev:   e,
	})
}

func (h *eventHeap) Pop() any {
	old := *h
	n := len(old) - 1
	e := old[n].ev
	old[n] = heapEntry{}
	e.index = -1
	*h = old[:n]
	return e
}

// head returns the earliest event; the heap must not be empty.
func (h eventHeap) head() *Event { return h[0].ev }
