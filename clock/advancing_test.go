package clock_test

import (
	"testing"
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
