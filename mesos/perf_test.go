package mesos

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// TestWriteRecords: records gathered into large writes are byte for byte
// the "<length>\n<json>" records, large frames included, and the frames
// are left as they were.
func TestWriteRecords(t *testing.T) {
	var frames, orig [][]byte
	var want bytes.Buffer
	for i, n := range []int{5, streamWrite + 7, 3, streamWrite, 10, streamWrite - 4, 2} {
		f := bytes.Repeat([]byte{byte('a' + i)}, n)
		frames = append(frames, f)
		orig = append(orig, bytes.Clone(f))
		want.WriteString(strconv.Itoa(n) + "\n")
		want.Write(f)
	}
	var got bytes.Buffer
	out, err := writeRecords(&got, append([][]byte(nil), frames...), nil)
	if err != nil || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("wrote %d bytes (%v), want %d", got.Len(), err, want.Len())
	}
	if cap(out) > 2*streamWrite {
		t.Errorf("the write buffer grew to %d", cap(out))
	}
	for i := range frames {
		if !bytes.Equal(frames[i], orig[i]) {
			t.Errorf("frame %d changed", i)
		}
	}
}

// TestFrameChunksReuse: a stream reuses its chunks only once the frames
// in them are written; frames handed out and not yet written stay intact.
func TestFrameChunksReuse(t *testing.T) {
	s := newSubscription("s", false)
	frame := func(i int) []byte { return fmt.Appendf(nil, `{"n":%d,"pad":"%0500d"}`, i, 0) }
	n := 0
	push := func(k int) {
		for range k {
			s.pushCopy(frame(n))
			n++
		}
	}
	check := func(frames [][]byte, from int) {
		t.Helper()
		for i, f := range frames {
			if !bytes.Equal(f, frame(from+i)) {
				t.Fatalf("frame %d is %.20s", from+i, f)
			}
		}
	}
	push(300) // more than two chunks
	first, _ := s.take(nil)
	push(300)
	check(first, 0)
	s.markWritten(len(first))
	spare := len(s.chunks.spare)
	if spare == 0 {
		t.Fatal("no chunk was kept for reuse")
	}
	second, _ := s.take(nil)
	push(300) // reuses the chunks of the first take, not the second's
	check(second, 300)
	if len(s.chunks.spare) >= spare {
		t.Errorf("spare chunks %d, were %d: none reused", len(s.chunks.spare), spare)
	}
	third, _ := s.take(nil)
	check(third, 600)
}

// TestStepBatches: lifecycle steps due at one instant share a clock event
// while it is the clock's latest; another event in between starts a new
// one, and a batch whose steps are all cancelled leaves the clock.
func TestStepBatches(t *testing.T) {
	m := unstarted(t)
	clk := m.Clock()
	m.mu.Lock()
	defer m.mu.Unlock()
	base := clk.Pending()
	ts := make([]*task, 4)
	for i := range ts {
		ts[i] = &task{}
	}
	m.afterLocked(ts[0], time.Second, stepStarted)
	m.afterLocked(ts[1], time.Second, stepStarted)
	if got := clk.Pending() - base; got != 1 || ts[0].next != ts[1].next {
		t.Fatalf("%d events for two like steps, want one batch", got)
	}
	m.afterLocked(ts[2], 2*time.Second, stepStarted)
	if ts[2].next == ts[1].next {
		t.Fatal("a step due later joined the batch")
	}
	clk.AfterFunc(2*time.Second, func() {})
	m.afterLocked(ts[3], 2*time.Second, stepStarted)
	if ts[3].next == ts[2].next {
		t.Fatal("a step joined a batch another event was scheduled after")
	}
	if got := clk.Pending() - base; got != 4 {
		t.Fatalf("%d events, want 4", got)
	}
	m.cancelLifecycleLocked(ts[0])
	if got := clk.Pending() - base; got != 4 {
		t.Fatalf("%d events after cancelling one step of two, want 4", got)
	}
	m.cancelLifecycleLocked(ts[1])
	if got := clk.Pending() - base; got != 3 {
		t.Fatalf("%d events after cancelling a whole batch, want 3", got)
	}
	if next, _ := clk.Next(); !next.Equal(clk.Now().Add(2 * time.Second)) {
		t.Errorf("next event at %v, want the later batches'", next)
	}
}
