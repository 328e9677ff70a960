package mesos

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// serveStream answers a SUBSCRIBE with a RecordIO stream: 200, JSON
// content type, chunked (no Content-Length), and every event the master
// queues for s, each as "<length>\n<json>", flushed as it is written. It
// returns when the master ends the stream (after writing what was queued),
// when the client goes away, or when the master is closed.
func (m *Master) serveStream(w http.ResponseWriter, r *http.Request, s *subscription) {
	defer m.streamEnded(s)
	h := w.Header()
	h.Set("Content-Type", s.codec.contentType())
	if !s.operator && s.streamID != "" {
		h.Set("Mesos-Stream-Id", s.streamID)
	}
	h.Del("Content-Length")
	w.WriteHeader(http.StatusOK)
	// The controller reaches the connection through wrappers that unwrap
	// (the fake pipeline's recorder, a mounting router's).
	rc := http.NewResponseController(w)
	s.setController(rc)
	_ = rc.Flush()
	var batch [][]byte
	var out []byte
	for {
		var closed bool
		batch, closed = s.take(batch[:0])
		if len(batch) > 0 {
			var err error
			if out, err = writeRecords(w, batch, out); err != nil {
				return
			}
			if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return
			}
			s.markWritten(len(batch))
		}
		if closed {
			// take saw the close under the same lock as the queue, and
			// nothing is queued after a close: the stream is complete.
			return
		}
		select {
		case <-s.wake:
		case <-r.Context().Done():
			return
		case <-m.Done():
			return
		}
	}
}

// writeRecords writes frames as RecordIO records ("<length>\n<json>"),
// gathered in out (returned for reuse) and written some hundred at a time:
// one write of many kilobytes costs the connection about what one small
// record does. A frame as large as a write goes out as it is.
func writeRecords(w io.Writer, frames [][]byte, out []byte) ([]byte, error) {
	out = out[:0]
	for i, frame := range frames {
		frames[i] = nil
		out = strconv.AppendInt(out, int64(len(frame)), 10)
		out = append(out, '\n')
		var big []byte
		if len(frame) < streamWrite {
			out = append(out, frame...)
		} else {
			big = frame
		}
		if len(out) < streamWrite && big == nil {
			continue
		}
		if _, err := w.Write(out); err != nil {
			return out, err
		}
		out = out[:0]
		if big != nil {
			if _, err := w.Write(big); err != nil {
				return out, err
			}
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	_, err := w.Write(out)
	return out, err
}

// streamWrite is how many bytes of records a stream gathers for a write.
const streamWrite = 64 << 10

// streamEnded runs when the goroutine serving s returns. A scheduler
// whose current stream broke is disconnected, as the master does when it
// notices the connection closed.
func (m *Master) streamEnded(s *subscription) {
	s.finish()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, x := range m.streams {
		if x == s {
			m.streams = append(m.streams[:i:i], m.streams[i+1:]...)
			break
		}
	}
	if m.closingLocked() {
		return
	}
	if fw := s.fw; fw != nil && fw.sub == s {
		m.disconnectLocked(fw)
	}
	m.endStreamLocked(s)
}

// endStreamLocked stops queueing events to s and lets its writer finish.
func (m *Master) endStreamLocked(s *subscription) {
	if s.ended {
		return
	}
	s.ended = true
	if s.hb != nil {
		s.hb.Stop()
		s.hb = nil
	}
	if s.operator {
		for i, x := range m.opSubs {
			if x == s {
				m.opSubs = append(m.opSubs[:i:i], m.opSubs[i+1:]...)
				break
			}
		}
	}
	s.close()
}

// startHeartbeatLocked sends HEARTBEAT events to s every heartbeat
// interval on the clock.
func (m *Master) startHeartbeatLocked(s *subscription) {
	var beat func()
	beat = func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.closed || s.ended {
			return
		}
		if !s.operator {
			m.metrics.events["HEARTBEAT"]++
		}
		s.enqueue(s.codec.heartbeat(s.operator))
		s.hb = m.Clock().AfterFunc(m.cfg.HeartbeatInterval, beat)
	}
	s.hb = m.Clock().AfterFunc(m.cfg.HeartbeatInterval, beat)
}

// sendLocked queues a scheduler event for fw, if it is connected (the
// master drops events for disconnected frameworks).
func (m *Master) sendLocked(fw *framework, ev *schedEvent) {
	if fw.sub == nil {
		return
	}
	m.metrics.events[ev.Type]++
	fw.sub.enqueue(ev.encode(fw.sub.codec))
}

// sendUpdateLocked queues an UPDATE event for fw, encoded by hand (see
// encode.go) into the master's scratch buffer and copied into the stream's
// chunks.
func (m *Master) sendUpdateLocked(fw *framework, st *wTaskStatus) {
	if fw.sub == nil {
		return
	}
	m.metrics.updates++
	if st.Labels != nil {
		fw.sub.enqueue(fw.sub.codec.marshal(&schedEvent{Type: "UPDATE", Update: &evUpdate{Status: *st}}))
		return
	}
	if fw.sub.codec == codecProtobuf {
		m.scratch = appendUpdatePB(m.scratch[:0], st)
		fw.sub.enqueueCopy(m.scratch)
		return
	}
	b := append(m.scratch[:0], `{"type":"UPDATE","update":{"status":`...)
	b = appendTaskStatus(b, st)
	b = append(b, "}}"...)
	m.scratch = b
	fw.sub.enqueueCopy(b)
}

// enqueueCopy queues a copy of frame, which the caller goes on to reuse.
func (s *subscription) enqueueCopy(frame []byte) {
	if s.pushCopy(frame) {
		s.poke()
	}
}

func (s *subscription) pushCopy(frame []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.done {
		return false
	}
	s.queue = append(s.queue, s.chunks.copy(frame))
	s.enqueued++
	return true
}

// frameChunk is the size of the chunks a stream copies UPDATE frames into:
// one allocation for a hundred frames rather than one each. A chunk the
// writer has written all of is filled again, so a stream whose client
// keeps up reuses a few chunks for all its updates, however many.
const frameChunk = 64 << 10

// maxSpareChunks bounds the written chunks a stream keeps for reuse: what
// it holds on to after a burst its client fell behind on.
const maxSpareChunks = 32

// frameChunks are a stream's chunks, guarded by its mutex. A chunk goes
// from being filled (cur) to full (full: all its frames are queued), to
// handed to the writer (out: all its frames were taken by the last take),
// to spare once the writer has written them.
type frameChunks struct {
	cur   []byte
	full  [][]byte
	out   [][]byte
	spare [][]byte
}

// copy copies frame into the current chunk (a large frame gets its own
// allocation) and returns the copy.
func (c *frameChunks) copy(frame []byte) []byte {
	if len(frame) > frameChunk/8 {
		return append(make([]byte, 0, len(frame)), frame...)
	}
	if cap(c.cur)-len(c.cur) < len(frame) {
		if c.cur != nil {
			c.full = append(c.full, c.cur)
		}
		if n := len(c.spare); n > 0 {
			c.cur, c.spare[n-1] = c.spare[n-1][:0], nil
			c.spare = c.spare[:n-1]
		} else {
			c.cur = make([]byte, 0, frameChunk)
		}
	}
	start := len(c.cur)
	c.cur = append(c.cur, frame...)
	return c.cur[start:len(c.cur):len(c.cur)]
}

// taken records a take: every frame of the full chunks is handed out. The
// current chunk is not: frames copied into it later have yet to be taken.
func (c *frameChunks) taken() {
	c.out = append(c.out, c.full...)
	clear(c.full)
	c.full = c.full[:0]
}

// written records that the frames handed out have been written: their
// chunks are spare.
func (c *frameChunks) written() {
	for _, b := range c.out {
		if len(c.spare) < maxSpareChunks {
			c.spare = append(c.spare, b)
		}
	}
	clear(c.out)
	c.out = c.out[:0]
}

// publishLocked queues an operator event for every operator subscriber;
// build runs only when there is one, and the event is encoded once per
// codec the subscribers use.
func (m *Master) publishLocked(build func() *opEvent) {
	if len(m.opSubs) == 0 {
		return
	}
	ev := build()
	var frames [codecProtobuf + 1][]byte
	for _, s := range m.opSubs {
		if frames[s.codec] == nil {
			frames[s.codec] = s.codec.marshal(ev)
		}
		s.enqueue(frames[s.codec])
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Every event type is plain data; only a bug gets here.
		panic("mesos: cannot encode event: " + err.Error())
	}
	return b
}

// WaitDelivered blocks until every event queued so far has been written
// and flushed to its stream's connection (or the stream has ended), so a
// test that moved the clock can then read what that caused without
// racing. It returns ctx's error if that takes too long, as it does when a
// client is not reading its stream.
func (m *Master) WaitDelivered(ctx context.Context) error {
	for {
		all := true
		for _, s := range m.streamList() {
			if !s.delivered() {
				all = false
				break
			}
		}
		if all {
			return nil
		}
		t := time.NewTimer(200 * time.Microsecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// streamList is a copy of the list of streams.
func (m *Master) streamList() []*subscription {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*subscription(nil), m.streams...)
}

// Streams lists the event streams the master is serving.
func (m *Master) Streams() []Stream {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Stream, 0, len(m.streams))
	for _, s := range m.streams {
		out = append(out, s.info())
	}
	return out
}
