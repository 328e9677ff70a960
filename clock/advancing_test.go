package clock_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/mockcloud/mockcloud/clock"
)

// TestRunAdvancing: time moves while f waits on the wall clock, events run,
// and nothing moves once RunAdvancing has returned.
func TestRunAdvancing(t *testing.T) {
	c := clock.New(clock.DefaultStart())
	fired := make(chan time.Time, 1)
	c.AfterFunc(time.Minute, func() { fired <- c.Now() })
	c.RunAdvancing(time.Second, func() {
		select {
		case at := <-fired:
			if want := clock.DefaultStart().Add(time.Minute); !at.Equal(want) {
				t.Errorf("event ran at %v, want %v", at, want)
			}
		case <-time.After(30 * time.Second):
			t.Error("the clock did not reach the event in 30 s of wall time")
		}
	})
	after := c.Now()
	time.Sleep(5 * clock.AdvanceEvery)
	if !c.Now().Equal(after) {
		t.Errorf("the clock moved after RunAdvancing returned: %v, then %v", after, c.Now())
	}
	if after.Before(clock.DefaultStart().Add(time.Minute)) {
		t.Errorf("clock at %v, before the event", after)
	}
}

// TestRealTimeInSynctest: a real-time clock made in a bubble reads the
// bubble's time, runs its events when the bubble's time reaches them
// (its goroutine is durably blocked meanwhile), and Close leaves no
// goroutine (synctest.Test fails otherwise).
func TestRealTimeInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := clock.NewRealTime()
		defer c.Close()
		if !c.Now().Equal(time.Now().UTC()) {
			t.Errorf("Now() = %v, bubble time %v", c.Now(), time.Now())
		}
		fired := make(chan time.Time, 1)
		c.AfterFunc(time.Hour, func() { fired <- time.Now() })
		start := time.Now()
		at := <-fired
		if d := at.Sub(start); d != time.Hour {
			t.Errorf("event ran %v after it was scheduled, want 1h", d)
		}
	})
}
