package clock

import (
	"context"
	"time"

	bclock "github.com/benbjohnson/clock"
)

// Mock returns a github.com/benbjohnson/clock Clock that reads the same
// time as c, for code under test that takes that interface.
//
// Now, Since and Until read c directly, so they cost no more than c.Now and
// always agree with it, including inside event callbacks.
//
// The timer methods (After, AfterFunc, Timer, Ticker, Tick, Sleep,
// WithDeadline, WithTimeout) must return benbjohnson's own Timer and Ticker
// types, which only that package can construct, so they are delegated:
//
//   - In simulated mode they go to an internal *clock.Mock created on first
//     use. Before each delegated call its time is brought to c.Now(), and at
//     the end of every Advance or Set it is set to the new instant, which is
//     when its timers fire. So Mock timers fire at the end of an Advance,
//     not interleaved with c's own events, and they follow benbjohnson's
//     semantics: AfterFunc callbacks run on new goroutines, and each Set of
//     the internal mock sleeps about 1 ms (it yields so those goroutines can
//     run). Code that needs precise ordering should use c.AfterFunc instead.
//     Sleep blocks until another goroutine advances c past the deadline.
//   - In real-time mode they go to the real clock (clock.New()): durations
//     are measured on the wall clock and are unaffected by the offset that
//     Advance and Set move.
func (c *Clock) Mock() bclock.Clock { return &c.view }

// mockView implements bclock.Clock on top of a Clock.
type mockView struct{ c *Clock }

var _ bclock.Clock = (*mockView)(nil)

func (v *mockView) Now() time.Time                  { return v.c.Now() }
func (v *mockView) Since(t time.Time) time.Duration { return v.c.Since(t) }
func (v *mockView) Until(t time.Time) time.Duration { return v.c.Until(t) }

func (v *mockView) After(d time.Duration) <-chan time.Time {
	if v.c.realTime {
		return v.c.wall.After(d)
	}
	m := v.c.lockMock()
	defer v.c.mockMu.Unlock()
	return m.After(d)
}

func (v *mockView) AfterFunc(d time.Duration, f func()) *bclock.Timer {
	if v.c.realTime {
		return v.c.wall.AfterFunc(d, f)
	}
	m := v.c.lockMock()
	defer v.c.mockMu.Unlock()
	return m.AfterFunc(d, f)
}

func (v *mockView) Timer(d time.Duration) *bclock.Timer {
	if v.c.realTime {
		return v.c.wall.Timer(d)
	}
	m := v.c.lockMock()
	defer v.c.mockMu.Unlock()
	return m.Timer(d)
}

func (v *mockView) Ticker(d time.Duration) *bclock.Ticker {
	if v.c.realTime {
		return v.c.wall.Ticker(d)
	}
	m := v.c.lockMock()
	defer v.c.mockMu.Unlock()
	return m.Ticker(d)
}

func (v *mockView) Tick(d time.Duration) <-chan time.Time {
	if v.c.realTime {
		return v.c.wall.Tick(d)
	}
	m := v.c.lockMock()
	defer v.c.mockMu.Unlock()
	return m.Tick(d)
}

// Sleep must not hold mockMu while blocked, or no Advance could ever sync
// the internal mock to wake it.
func (v *mockView) Sleep(d time.Duration) {
	if v.c.realTime {
		v.c.wall.Sleep(d)
		return
	}
	<-v.After(d)
}

func (v *mockView) WithDeadline(parent context.Context, t time.Time) (context.Context, context.CancelFunc) {
	if v.c.realTime {
		return v.c.wall.WithDeadline(parent, t)
	}
	m := v.c.lockMock()
	defer v.c.mockMu.Unlock()
	return m.WithDeadline(parent, t)
}

func (v *mockView) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if v.c.realTime {
		return v.c.wall.WithTimeout(parent, d)
	}
	m := v.c.lockMock()
	defer v.c.mockMu.Unlock()
	return m.WithTimeout(parent, d)
}

// lockMock locks c.mockMu and returns the internal benbjohnson mock, created
// if needed and set to c.Now(). The caller must unlock c.mockMu. Holding the
// lock across the delegated call keeps a concurrent Advance from moving the
// mock between the sync and the call.
func (c *Clock) lockMock() *bclock.Mock {
	c.mockMu.Lock()
	now := c.Now()
	if c.bmock == nil {
		c.bmock = bclock.NewMock()
	}
	if !c.bmock.Now().Equal(now) {
		c.bmock.Set(now)
	}
	return c.bmock
}

// syncMock sets the internal mock, if one was ever created, to c.Now() so
// that timers created through Mock() fire. It is called at the end of every
// Advance and Set, with runMu held so that syncs happen in the same order as
// the moves they follow.
func (c *Clock) syncMock() {
	if c.realTime {
		return
	}
	c.mockMu.Lock()
	defer c.mockMu.Unlock()
	if c.bmock == nil {
		return
	}
	if now := c.Now(); !c.bmock.Now().Equal(now) {
		c.bmock.Set(now)
	}
}
