package clock

import "time"

// AdvanceEvery is how often RunAdvancing moves the clock, in wall time.
const AdvanceEvery = time.Millisecond

// RunAdvancing calls f and, while it runs, advances c by step every
// millisecond of wall time ([AdvanceEvery]) from a goroutine of its own;
// it returns when f has returned and the last Advance has finished. It is
// for a test outside a testing/synctest bubble whose code under test waits
// on real timers while the fake's time must move: gophercloud's
// servers.WaitForStatus polls once a second, so
//
//	clk.RunAdvancing(time.Second, func() { err = servers.WaitForStatus(ctx, client, id, "ACTIVE") })
//
// sees a 30 s build finish at its second poll, about a second of wall time
// later. Events run on the advancing goroutine, as in any Advance.
//
// Time then runs at step per millisecond, about a thousand times as fast
// as the wall clock for a 1 s step, and does not wait for the code under
// test: everything with a lifetime expires that much sooner. A token with
// identity's 24 h lifetime expires after 86,400 steps (under 90 s of
// wall time at 1 s steps, 24 ms at 1 h steps), and gophercloud then gets a
// bare 401 unless it reauthenticates (AllowReauth). Choose the smallest
// step that keeps the waits short, give f a deadline (a context), and
// where the code under test can run inside testing/synctest prefer that:
// there time moves only when every goroutine waits, by exactly as much as
// they wait.
func (c *Clock) RunAdvancing(step time.Duration, f func()) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(AdvanceEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				c.Advance(step)
			}
		}
	}()
	defer func() {
		close(stop)
		<-done
	}()
	f()
}
