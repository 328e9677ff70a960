package mesos_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
)

// benchCodec is what the benchmarks' lean client knows of a codec: how
// to name a record's event type without decoding it, and how to write an
// ACCEPT of many tasks.
type benchCodec interface {
	name() string
	contentType() string
	// classify names a record's event type and, for an UPDATE, whether
	// its state is TASK_FINISHED.
	classify(rec []byte) (kind string, finished bool)
	frameworkID(subscribed []byte) string
	offerIDs(offers []byte) (offerIDs, agentIDs []string)
	accept(body []byte, fw, offer, agent string, a, tasks int) []byte
}

type jsonBench struct{}

func (jsonBench) name() string        { return "json" }
func (jsonBench) contentType() string { return "application/json" }

func (jsonBench) classify(rec []byte) (string, bool) {
	for _, kind := range []string{"UPDATE", "OFFERS", "SUBSCRIBED"} {
		if bytes.HasPrefix(rec, []byte(`{"type":"`+kind+`"`)) {
			return kind, kind == "UPDATE" && bytes.Contains(rec, []byte(`"TASK_FINISHED"`))
		}
	}
	return "", false
}

func (jsonBench) frameworkID(rec []byte) string {
	const key = `"framework_id":{"value":"`
	rest := rec[bytes.Index(rec, []byte(key))+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

func (jsonBench) offerIDs(rec []byte) ([]string, []string) { return offerIDs(rec) }

func (jsonBench) accept(body []byte, fw, offer, agent string, a, tasks int) []byte {
	body = append(body, `{"framework_id":{"value":`...)
	body = strconv.AppendQuote(body, fw)
	body = append(body, `},"type":"ACCEPT","accept":{"offer_ids":[{"value":`...)
	body = strconv.AppendQuote(body, offer)
	body = append(body, `}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[`...)
	quoted := strconv.Quote(agent)
	for t := 0; t < tasks; t++ {
		if t > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"name":"t","task_id":{"value":"t`...)
		body = strconv.AppendInt(body, int64(a), 10)
		body = append(body, '-')
		body = strconv.AppendInt(body, int64(t), 10)
		body = append(body, `"},"agent_id":{"value":`...)
		body = append(body, quoted...)
		body = append(body, `},"command":{"value":"true"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}},{"name":"mem","type":"SCALAR","scalar":{"value":64}}]}`...)
	}
	return append(body, `]}}]}}`...)
}

// protobufBench writes and reads the few v1 messages the benchmark needs
// by hand, with field numbers from Mesos 1.11's scheduler.proto and
// mesos.proto (the fake's codec is internal to the package). It keeps
// its buffers from one ACCEPT to the next.
type protobufBench struct{ infos, task, id, op, acc []byte }

func (*protobufBench) name() string        { return "protobuf" }
func (*protobufBench) contentType() string { return "application/x-protobuf" }

// pbFields calls f for each top-level field of a message: its number and,
// for a varint, its value, for a length-delimited field, its payload.
func pbFields(b []byte, f func(num uint64, varint uint64, payload []byte)) {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return
		}
		b = b[n:]
		switch key & 7 {
		case 0:
			v, n := binary.Uvarint(b)
			f(key>>3, v, nil)
			b = b[n:]
		case 1:
			b = b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			f(key>>3, 0, b[n:n+int(l)])
			b = b[n+int(l):]
		default:
			return
		}
	}
}

// pbField is field num of a message (its last occurrence).
func pbField(b []byte, num uint64) (varint uint64, payload []byte) {
	pbFields(b, func(n, v uint64, p []byte) {
		if n == num {
			varint, payload = v, p
		}
	})
	return varint, payload
}

// Event.type (1): SUBSCRIBED 1, OFFERS 2, UPDATE 4; Event.update (5) →
// Update.status (1) → TaskStatus.state (2): TASK_FINISHED 2.
func (*protobufBench) classify(rec []byte) (string, bool) {
	typ, _ := pbField(rec, 1)
	switch typ {
	case 1:
		return "SUBSCRIBED", false
	case 2:
		return "OFFERS", false
	case 4:
		_, update := pbField(rec, 5)
		_, status := pbField(update, 1)
		state, _ := pbField(status, 2)
		return "UPDATE", state == 2
	}
	return "", false
}

// Event.subscribed (2) → framework_id (1) → value (1).
func (*protobufBench) frameworkID(rec []byte) string {
	_, sub := pbField(rec, 2)
	_, id := pbField(sub, 1)
	_, v := pbField(id, 1)
	return string(v)
}

// Event.offers (3) → offers (1, repeated) → Offer.id (1), agent_id (3).
func (*protobufBench) offerIDs(rec []byte) (offers, agents []string) {
	_, list := pbField(rec, 3)
	pbFields(list, func(num, _ uint64, offer []byte) {
		if num != 1 {
			return
		}
		_, id := pbField(offer, 1)
		_, agent := pbField(offer, 3)
		_, idv := pbField(id, 1)
		_, agentv := pbField(agent, 1)
		offers, agents = append(offers, string(idv)), append(agents, string(agentv))
	})
	return offers, agents
}

func pbBytes(b []byte, num uint64, payload []byte) []byte {
	b = binary.AppendUvarint(b, num<<3|2)
	b = binary.AppendUvarint(b, uint64(len(payload)))
	return append(b, payload...)
}

func pbVarint(b []byte, num, v uint64) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(b, num<<3), v)
}

func pbID(b []byte, num uint64, value string) []byte {
	return pbBytes(b, num, pbBytes(nil, 1, []byte(value)))
}

// pbScalar is a Resource {name (1), type (2) SCALAR 0, scalar (3) {value (1) double}}.
func pbScalar(name string, v float64) []byte {
	r := pbBytes(nil, 1, []byte(name))
	r = pbVarint(r, 2, 0)
	return pbBytes(r, 3, binary.LittleEndian.AppendUint64([]byte{1<<3 | 1}, math.Float64bits(v)))
}

// accept is Call {framework_id (1), type (2) ACCEPT 3, accept (4) {offer_ids
// (1), operations (2) {type (1) LAUNCH 1, launch (2) {task_infos (1)}}}},
// each TaskInfo {name (1), task_id (2), agent_id (3), resources (4),
// command (7) {value (3)}}.
func (p *protobufBench) accept(body []byte, fw, offer, agent string, a, tasks int) []byte {
	resources := pbBytes(pbBytes(nil, 4, pbScalar("cpus", 1)), 4, pbScalar("mem", 64))
	command := pbBytes(nil, 7, pbBytes(nil, 3, []byte("true")))
	infos := p.infos[:0]
	for t := 0; t < tasks; t++ {
		p.id = strconv.AppendInt(append(strconv.AppendInt(append(p.id[:0], 't'), int64(a), 10), '-'), int64(t), 10)
		p.task = pbBytes(p.task[:0], 1, []byte("t"))
		p.task = pbBytes(p.task, 2, pbBytes(nil, 1, p.id))
		p.task = pbID(p.task, 3, agent)
		p.task = append(append(p.task, resources...), command...)
		infos = pbBytes(infos, 1, p.task)
	}
	p.infos = infos
	op := pbVarint(p.op[:0], 1, 1)
	p.op = pbBytes(op, 2, infos)
	acc := pbID(p.acc[:0], 1, offer)
	p.acc = pbBytes(acc, 2, p.op)
	body = pbID(body, 1, fw)
	body = pbVarint(body, 2, 3)
	return pbBytes(body, 4, p.acc)
}
