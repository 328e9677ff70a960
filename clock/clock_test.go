package clock

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = DefaultStart()

// ran records which event ran and what Now() said inside its callback.
type ran struct {
	Name string
	At   time.Time
}

type recorder struct {
	mu  sync.Mutex
	got []ran
}

func (r *recorder) add(c *Clock, name string) func() {
	return func() {
		r.mu.Lock()
		r.got = append(r.got, ran{name, c.Now()})
		r.mu.Unlock()
	}
}

func (r *recorder) list() []ran {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ran(nil), r.got...)
}

func TestNewDefaults(t *testing.T) {
	if got := New(time.Time{}).Now(); !got.Equal(t0) {
		t.Errorf("New(zero).Now() = %v, want %v", got, t0)
	}
	loc := time.FixedZone("X", 3600)
	start := time.Date(2030, 5, 6, 7, 8, 9, 0, loc)
	c := New(start)
	if got := c.Now(); !got.Equal(start) || got.Location() != time.UTC {
		t.Errorf("Now() = %v, want %v in UTC", got, start)
	}
	if c.RealTime() {
		t.Error("RealTime() = true for New")
	}
	if got := c.Since(start.Add(-time.Minute)); got != time.Minute {
		t.Errorf("Since = %v, want 1m", got)
	}
	if got := c.Until(start.Add(time.Hour)); got != time.Hour {
		t.Errorf("Until = %v, want 1h", got)
	}
}

func TestAdvanceOrder(t *testing.T) {
	type sched struct {
		name string
		d    time.Duration
	}
	tests := []struct {
		name    string
		sched   []sched
		advance time.Duration
		want    []ran
		pending int
	}{
		{
			name:    "time order",
			sched:   []sched{{"c", 3 * time.Second}, {"a", time.Second}, {"b", 2 * time.Second}},
			advance: 5 * time.Second,
			want: []ran{
				{"a", t0.Add(time.Second)},
				{"b", t0.Add(2 * time.Second)},
				{"c", t0.Add(3 * time.Second)},
			},
		},
		{
			name:    "ties in scheduling order",
			sched:   []sched{{"x", time.Second}, {"y", time.Second}, {"early", 0}, {"z", time.Second}},
			advance: time.Second,
			want: []ran{
				{"early", t0},
				{"x", t0.Add(time.Second)},
				{"y", t0.Add(time.Second)},
				{"z", t0.Add(time.Second)},
			},
		},
		{
			name:    "beyond window waits",
			sched:   []sched{{"in", time.Second}, {"edge", 2 * time.Second}, {"out", 2*time.Second + 1}},
			advance: 2 * time.Second,
			want: []ran{
				{"in", t0.Add(time.Second)},
				{"edge", t0.Add(2 * time.Second)},
			},
			pending: 1,
		},
		{
			name:    "negative advance runs only due events",
			sched:   []sched{{"due", 0}, {"later", time.Nanosecond}},
			advance: -time.Hour,
			want:    []ran{{"due", t0}},
			pending: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(t0)
			var r recorder
			for _, s := range tt.sched {
				c.AfterFunc(s.d, r.add(c, s.name))
			}
			wantNow := t0.Add(max(tt.advance, 0))
			if got := c.Advance(tt.advance); !got.Equal(wantNow) {
				t.Errorf("Advance returned %v, want %v", got, wantNow)
			}
			if got := c.Now(); !got.Equal(wantNow) {
				t.Errorf("Now() after Advance = %v, want %v", got, wantNow)
			}
			if diff := cmp.Diff(tt.want, r.list()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if got := c.Pending(); got != tt.pending {
				t.Errorf("Pending() = %d, want %d", got, tt.pending)
			}
		})
	}
}

func TestEventsScheduledByEvents(t *testing.T) {
	c := New(t0)
	var r recorder
	c.AfterFunc(time.Second, func() {
		r.add(c, "first")()
		c.AfterFunc(time.Second, r.add(c, "inside"))   // t0+2s, inside window
		c.AfterFunc(10*time.Second, r.add(c, "after")) // t0+11s, beyond
		c.At(t0, r.add(c, "past"))                     // overdue: runs now, Now unchanged
	})
	c.AfterFunc(1500*time.Millisecond, r.add(c, "middle"))

	c.Advance(5 * time.Second)
	want := []ran{
		{"first", t0.Add(time.Second)},
		{"past", t0.Add(time.Second)},
		{"middle", t0.Add(1500 * time.Millisecond)},
		{"inside", t0.Add(2 * time.Second)},
	}
	if diff := cmp.Diff(want, r.list()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if next, ok := c.Next(); !ok || !next.Equal(t0.Add(11*time.Second)) {
		t.Errorf("Next() = %v, %v; want %v, true", next, ok, t0.Add(11*time.Second))
	}
	c.Advance(6 * time.Second)
	if got := r.list(); len(got) != 5 || got[4].Name != "after" {
		t.Errorf("after second Advance got %v", got)
	}
}

func TestStopPendingNext(t *testing.T) {
	c := New(t0)
	if _, ok := c.Next(); ok {
		t.Error("Next() on empty queue reported an event")
	}
	var r recorder
	a := c.AfterFunc(time.Second, r.add(c, "a"))
	b := c.AfterFunc(2*time.Second, r.add(c, "b"))
	x := c.At(t0.Add(3*time.Second), r.add(c, "x"))
	if got := c.Pending(); got != 3 {
		t.Fatalf("Pending() = %d, want 3", got)
	}
	if !b.When().Equal(t0.Add(2 * time.Second)) {
		t.Errorf("When() = %v", b.When())
	}
	if !a.Stop() {
		t.Error("Stop() of pending event = false")
	}
	if a.Stop() {
		t.Error("second Stop() = true")
	}
	if got, ok := c.Next(); !ok || !got.Equal(t0.Add(2*time.Second)) {
		t.Errorf("Next() = %v, %v", got, ok)
	}
	// A callback may stop a later event in the same window.
	c.AfterFunc(2500*time.Millisecond, func() {
		if !x.Stop() {
			t.Error("Stop() from callback = false")
		}
	})
	c.Advance(time.Hour)
	if b.Stop() {
		t.Error("Stop() after run = true")
	}
	if diff := cmp.Diff([]ran{{"b", t0.Add(2 * time.Second)}}, r.list()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if got := c.Pending(); got != 0 {
		t.Errorf("Pending() = %d, want 0", got)
	}
}

func TestLatest(t *testing.T) {
	c := New(t0)
	a := c.AfterFunc(time.Second, func() {})
	if !a.Latest() {
		t.Error("the only event is not the latest")
	}
	b := c.At(t0, func() {})
	if a.Latest() || !b.Latest() {
		t.Errorf("Latest() = %v, %v after scheduling b; want false, true", a.Latest(), b.Latest())
	}
	b.Stop()
	c.Advance(2 * time.Second)
	if a.Latest() || !b.Latest() {
		t.Errorf("Latest() = %v, %v after running them; want false, true (nothing scheduled since b)", a.Latest(), b.Latest())
	}
}

func TestStopHeapIntegrity(t *testing.T) {
	// Stopping arbitrary events must leave the rest in order.
	c := New(t0)
	var r recorder
	var evs []*Event
	for i := range 200 {
		d := time.Duration((i*7919)%97) * time.Millisecond
		evs = append(evs, c.AfterFunc(d, r.add(c, "")))
	}
	for i := 0; i < len(evs); i += 3 {
		evs[i].Stop()
	}
	c.Advance(time.Second)
	got := r.list()
	if want := 200 - 67; len(got) != want {
		t.Fatalf("ran %d events, want %d", len(got), want)
	}
	for i := 1; i < len(got); i++ {
		if got[i].At.Before(got[i-1].At) {
			t.Fatalf("event %d at %v ran after one at %v", i, got[i].At, got[i-1].At)
		}
	}
}

func TestSet(t *testing.T) {
	c := New(t0)
	var r recorder
	c.At(t0.Add(time.Minute), r.add(c, "a"))
	c.At(t0.Add(2*time.Minute), r.add(c, "b"))

	c.Set(t0.Add(90 * time.Second))
	if diff := cmp.Diff([]ran{{"a", t0.Add(time.Minute)}}, r.list()); diff != "" {
		t.Errorf("Set forward (-want +got):\n%s", diff)
	}
	if got := c.Now(); !got.Equal(t0.Add(90 * time.Second)) {
		t.Errorf("Now() = %v", got)
	}

	back := t0.Add(-time.Hour)
	c.At(t0.Add(80*time.Second), r.add(c, "overdue-before-back"))
	c.Set(back)
	if got := c.Now(); !got.Equal(back) {
		t.Errorf("Now() after backward Set = %v, want %v", got, back)
	}
	if got := len(r.list()); got != 1 {
		t.Errorf("backward Set ran events: %v", r.list())
	}
	if got := c.Pending(); got != 2 {
		t.Errorf("Pending() = %d, want 2", got)
	}
	c.Set(t0.Add(3 * time.Minute))
	want := []ran{
		{"a", t0.Add(time.Minute)},
		{"overdue-before-back", t0.Add(80 * time.Second)},
		{"b", t0.Add(2 * time.Minute)},
	}
	if diff := cmp.Diff(want, r.list()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestAtPastRunsOnAdvanceZero(t *testing.T) {
	c := New(t0)
	done := false
	c.At(t0.Add(-time.Hour), func() { done = true })
	if done {
		t.Fatal("ran before Advance")
	}
	if got := c.Advance(0); !got.Equal(t0) {
		t.Errorf("Advance(0) = %v, want %v", got, t0)
	}
	if !done {
		t.Error("past event did not run on Advance(0)")
	}
}

func TestNilFuncPanics(t *testing.T) {
	c := New(t0)
	for name, f := range map[string]func(){
		"AfterFunc": func() { c.AfterFunc(0, nil) },
		"At":        func() { c.At(t0, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s(nil) did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestConcurrentReadersWhileAdvancing(t *testing.T) {
	c := New(t0)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := c.Now()
			for {
				select {
				case <-stop:
					return
				default:
				}
				now := c.Now()
				if now.Before(last) {
					t.Errorf("Now went backward: %v then %v", last, now)
					return
				}
				last = now
				_ = c.Pending()
				c.Next()
			}
		}()
	}
	var count atomic.Int64
	for i := range 1000 {
		c.AfterFunc(time.Duration(i)*time.Millisecond, func() { count.Add(1) })
	}
	for range 100 {
		c.Advance(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if got := count.Load(); got != 1000 {
		t.Errorf("ran %d events, want 1000", got)
	}
}

func TestConcurrentScheduleAndAdvance(t *testing.T) {
	c := New(t0)
	const G, N = 8, 200
	var count, inFlight atomic.Int64
	cb := func() {
		if inFlight.Add(1) != 1 {
			t.Error("callbacks ran concurrently")
		}
		count.Add(1)
		inFlight.Add(-1)
	}
	var wg sync.WaitGroup
	for g := range G {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range N {
				c.AfterFunc(time.Duration(g*N+i)*time.Microsecond, cb)
			}
		}()
		go func() {
			defer wg.Done()
			for range 10 {
				c.Advance(time.Microsecond)
			}
		}()
	}
	wg.Wait()
	if got, want := c.Now(), t0.Add(G*10*time.Microsecond); !got.Equal(want) {
		t.Errorf("Now() = %v, want %v (concurrent Advances lost)", got, want)
	}
	c.Advance(time.Hour)
	if got := count.Load(); got != G*N {
		t.Errorf("ran %d events, want %d", got, G*N)
	}
}

func TestMock(t *testing.T) {
	c := New(t0)
	m := c.Mock()
	if got := m.Now(); !got.Equal(t0) {
		t.Errorf("Mock().Now() = %v, want %v", got, t0)
	}
	if got := m.Since(t0.Add(-time.Second)); got != time.Second {
		t.Errorf("Mock().Since = %v, want 1s", got)
	}
	if got := m.Until(t0.Add(time.Second)); got != time.Second {
		t.Errorf("Mock().Until = %v, want 1s", got)
	}

	// Now through Mock is consistent with the clock inside our callbacks.
	c.AfterFunc(time.Second, func() {
		if got, want := m.Now(), t0.Add(time.Second); !got.Equal(want) {
			t.Errorf("Mock().Now() in callback = %v, want %v", got, want)
		}
	})

	fired := make(chan time.Time, 1)
	m.AfterFunc(10*time.Second, func() { fired <- m.Now() })
	after := m.After(5 * time.Second)
	stopped := m.AfterFunc(7*time.Second, func() { t.Error("stopped timer fired") })
	stopped.Stop()

	c.Advance(9 * time.Second)
	select {
	case <-fired:
		t.Fatal("Mock timer fired early")
	default:
	}
	select {
	case <-after:
	case <-time.After(time.Second):
		t.Error("Mock().After(5s) did not fire after Advance(9s)")
	}

	c.Advance(2 * time.Second)
	select {
	case now := <-fired:
		if want := t0.Add(11 * time.Second); !now.Equal(want) {
			t.Errorf("Now in Mock timer = %v, want %v", now, want)
		}
	case <-time.After(time.Second):
		t.Fatal("Mock().AfterFunc timer did not fire after Advance past it")
	}

	// A backward Set followed by a new timer stays consistent with c.
	c.Set(t0)
	ctx, cancel := m.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if dl, _ := ctx.Deadline(); !dl.Equal(t0.Add(time.Minute)) {
		t.Errorf("deadline = %v, want %v", dl, t0.Add(time.Minute))
	}
	c.Advance(time.Minute)
	select {
	case <-ctx.Done():
	case <-time.After(time.Second):
		t.Error("WithTimeout context not done after Advance")
	}
}

func TestMockSleep(t *testing.T) {
	c := New(t0)
	m := c.Mock()
	woke := make(chan struct{})
	ready := make(chan struct{})
	go func() {
		tm := m.Timer(time.Hour) // registered before we advance
		close(ready)
		<-tm.C
		m.Sleep(0)
		close(woke)
	}()
	<-ready
	c.Advance(time.Hour)
	select {
	case <-woke:
	case <-time.After(2 * time.Second):
		t.Fatal("Timer/Sleep through Mock() did not wake")
	}
}

func TestRealTime(t *testing.T) {
	base := runtime.NumGoroutine()
	c := NewRealTime()
	if !c.RealTime() {
		t.Error("RealTime() = false")
	}
	if d := time.Until(c.Now()); d < -time.Second || d > time.Second {
		t.Errorf("Now() is %v away from time.Now()", d)
	}
	if c.Now().Location() != time.UTC {
		t.Error("Now() not in UTC")
	}

	// An event far away becomes due when Advance moves the offset.
	var jumped atomic.Bool
	c.AfterFunc(50*time.Minute, func() { jumped.Store(true) })
	before := c.Now()
	after := c.Advance(time.Hour)
	if d := after.Sub(before); d < time.Hour || d > time.Hour+time.Second {
		t.Errorf("Advance(1h) moved Now by %v", d)
	}
	if !jumped.Load() {
		t.Error("event due within the advanced hour did not run before Advance returned")
	}
	if d := c.Now().Sub(time.Now().Add(time.Hour)); d < -time.Second || d > time.Second {
		t.Errorf("Now() after Advance is %v away from wall+1h", d)
	}

	// The background runner fires events by itself.
	fired := make(chan time.Time, 1)
	start := time.Now()
	c.AfterFunc(20*time.Millisecond, func() { fired <- time.Now() })
	select {
	case at := <-fired:
		if el := at.Sub(start); el < 20*time.Millisecond {
			t.Errorf("event fired after %v, before its time", el)
		}
	case <-time.After(time.Second):
		t.Fatal("real-time AfterFunc(20ms) did not fire within 1s")
	}

	// An earlier event scheduled after a later one wakes the runner.
	late := c.AfterFunc(time.Hour, func() {})
	c.AfterFunc(10*time.Millisecond, func() { fired <- time.Now() })
	select {
	case <-fired:
	case <-time.After(time.Second):
		t.Fatal("earlier event did not preempt the runner's wait")
	}

	// Mock timers use the wall clock in real-time mode.
	select {
	case <-c.Mock().After(10 * time.Millisecond):
	case <-time.After(time.Second):
		t.Error("Mock().After did not fire in real-time mode")
	}

	c.Close()
	c.Close() // idempotent
	if late.Stop() {
		t.Error("event survived Close")
	}
	if got := c.Pending(); got != 0 {
		t.Errorf("Pending() after Close = %d", got)
	}
	waitGoroutines(t, base)
}

func TestSimulatedStartsNoGoroutines(t *testing.T) {
	base := runtime.NumGoroutine()
	c := New(t0)
	var n int
	for i := range 100 {
		c.AfterFunc(time.Duration(i)*time.Second, func() { n++ })
	}
	c.Advance(time.Hour)
	c.Set(t0)
	c.Close() // no-op
	if n != 100 {
		t.Errorf("ran %d events, want 100", n)
	}
	if got := runtime.NumGoroutine(); got > base {
		t.Errorf("NumGoroutine = %d, want <= %d", got, base)
	}
}

// waitGoroutines polls, for a bounded time, until the goroutine count is back
// to base; goroutines from earlier tests' Mock timers may still be exiting.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("NumGoroutine = %d, want <= %d", n, base)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func BenchmarkAdvance100kEvents(b *testing.B) {
	b.ReportAllocs()
	const n = 100_000
	var count int
	f := func() { count++ }
	for b.Loop() {
		b.StopTimer()
		c := New(t0)
		count = 0
		for i := range n {
			d := time.Duration(i) * time.Millisecond // distinct times
			if i%2 == 1 {
				d = time.Duration(i%100) * time.Second // shared times
			}
			c.AfterFunc(d, f)
		}
		b.StartTimer()
		c.Advance(24 * time.Hour)
		if count != n {
			b.Fatalf("ran %d events, want %d", count, n)
		}
	}
}

func BenchmarkNow(b *testing.B) {
	b.Run("simulated", func(b *testing.B) {
		c := New(t0)
		b.ReportAllocs()
		for b.Loop() {
			_ = c.Now()
		}
	})
	b.Run("realtime", func(b *testing.B) {
		c := NewRealTime()
		defer c.Close()
		b.ReportAllocs()
		for b.Loop() {
			_ = c.Now()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		c := New(t0)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = c.Now()
			}
		})
	})
}
