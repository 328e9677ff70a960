package mesos

import (
	"context"
	"encoding/json"
	"errors"
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
	var lenBuf [24]byte
	for {
		var closed bool
		batch, closed = s.take(batch[:0])
		if len(batch) > 0 {
			for i, frame := range batch {
				n := strconv.AppendInt(lenBuf[:0], int64(len(frame)), 10)
				n = append(n, '\n')
				if _, err := w.Write(n); err != nil {
					return
				}
				if _, err := w.Write(frame); err != nil {
					return
				}
				batch[i] = nil
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
// encode.go) into the master's scratch buffer and copied out at its exact
// size.
func (m *Master) sendUpdateLocked(fw *framework, st *wTaskStatus) {
	if fw.sub == nil {
		return
	}
	m.metrics.updates++
	if fw.sub.codec == codecProtobuf {
		ev := schedEvent{Type: "UPDATE", Update: &evUpdate{Status: *st}}
		m.scratch = appendPB(m.scratch[:0], &ev)
		fw.sub.enqueue(m.frameLocked(m.scratch))
		return
	}
	if st.Labels != nil {
		fw.sub.enqueue(mustJSON(&schedEvent{Type: "UPDATE", Update: &evUpdate{Status: *st}}))
		return
	}
	b := append(m.scratch[:0], `{"type":"UPDATE","update":{"status":`...)
	b = appendTaskStatus(b, st)
	b = append(b, "}}"...)
	m.scratch = b
	fw.sub.enqueue(m.frameLocked(b))
}

// frameChunk is the size of the chunks UPDATE frames are copied into: one
// allocation for a hundred frames rather than one each. A chunk lives
// until every frame in it has been written.
const frameChunk = 64 << 10

// frameLocked copies an encoded frame out of the scratch buffer, into the
// current chunk (a large frame gets its own allocation).
func (m *Master) frameLocked(b []byte) []byte {
	if len(b) > frameChunk/8 {
		return append(make([]byte, 0, len(b)), b...)
	}
	if cap(m.frames)-len(m.frames) < len(b) {
		m.frames = make([]byte, 0, frameChunk)
	}
	start := len(m.frames)
	m.frames = append(m.frames, b...)
	return m.frames[start:len(m.frames):len(m.frames)]
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
