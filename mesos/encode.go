package mesos

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// UPDATE events are most of what a busy master sends, so they are encoded
// by hand rather than by reflection. The output is byte for byte what
// encoding/json produces for the same values (a fuzz test holds it to
// that).

// encode renders an event in a codec; UPDATEs take the fast paths.
func (e *schedEvent) encode(cd codec) []byte {
	if cd == codecProtobuf {
		if e.Type == "UPDATE" && e.Update != nil && e.Update.Status.Labels == nil {
			return appendUpdatePB(nil, &e.Update.Status)
		}
		return marshalPB(e)
	}
	if e.Type == "UPDATE" && e.Update != nil && e.Update.Status.Labels == nil {
		b := make([]byte, 0, 384)
		b = append(b, `{"type":"UPDATE","update":{"status":`...)
		b = appendTaskStatus(b, &e.Update.Status)
		return append(b, "}}"...)
	}
	return mustJSON(e)
}

func appendTaskStatus(b []byte, st *wTaskStatus) []byte {
	b = append(b, `{"task_id":`...)
	b = appendID(b, st.TaskID.Value)
	b = append(b, `,"state":`...)
	b = appendJSONString(b, st.State)
	if st.Message != "" {
		b = append(b, `,"message":`...)
		b = appendJSONString(b, st.Message)
	}
	if st.Source != "" {
		b = append(b, `,"source":`...)
		b = appendJSONString(b, st.Source)
	}
	if st.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, st.Reason)
	}
	if st.AgentID != nil {
		b = append(b, `,"agent_id":`...)
		b = appendID(b, st.AgentID.Value)
	}
	if st.ExecutorID != nil {
		b = append(b, `,"executor_id":`...)
		b = appendID(b, st.ExecutorID.Value)
	}
	b = append(b, `,"timestamp":`...)
	b = appendFloat(b, st.Timestamp)
	if len(st.UUID) > 0 {
		b = append(b, `,"uuid":"`...)
		b = base64.StdEncoding.AppendEncode(b, st.UUID)
		b = append(b, '"')
	}
	if st.Healthy != nil {
		b = append(b, `,"healthy":`...)
		b = strconv.AppendBool(b, *st.Healthy)
	}
	if st.ContainerStatus != nil {
		b = append(b, `,"container_status":`...)
		b = appendContainerStatus(b, st.ContainerStatus)
	}
	if st.UnreachableTime != nil {
		b = append(b, `,"unreachable_time":{"nanoseconds":`...)
		b = strconv.AppendInt(b, int64(st.UnreachableTime.Nanoseconds), 10)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendContainerStatus(b []byte, cs *wContainerStatus) []byte {
	b = append(b, '{')
	sep := false
	if cs.ContainerID != nil {
		b = append(b, `"container_id":`...)
		b = appendContainerID(b, cs.ContainerID)
		sep = true
	}
	if len(cs.NetworkInfos) > 0 {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"network_infos":[`...)
		for i := range cs.NetworkInfos {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNetworkInfo(b, &cs.NetworkInfos[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendContainerID(b []byte, id *wContainerID) []byte {
	b = append(b, `{"value":`...)
	b = appendJSONString(b, id.Value)
	if id.Parent != nil {
		b = append(b, `,"parent":`...)
		b = appendContainerID(b, id.Parent)
	}
	return append(b, '}')
}

func appendNetworkInfo(b []byte, ni *wNetworkInfo) []byte {
	b = append(b, '{')
	if len(ni.IPAddresses) > 0 {
		b = append(b, `"ip_addresses":[`...)
		for i, ip := range ni.IPAddresses {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"protocol":`...)
			b = appendJSONString(b, ip.Protocol)
			if ip.IPAddress != "" {
				b = append(b, `,"ip_address":`...)
				b = appendJSONString(b, ip.IPAddress)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendID(b []byte, v string) []byte {
	b = append(b, `{"value":`...)
	b = appendJSONString(b, v)
	return append(b, '}')
}

// appendFloat formats a float64 as encoding/json does.
func appendFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		out, _ := json.Marshal(f) // an error, as encoding/json would report
		return append(b, out...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// jsonSafeASCII marks with '1' the bytes encoding/json copies as they
// are: not control characters, '"', '\\', or the HTML-escaped '<', '>' and
// '&'. Bytes from 0x80 are decoded as UTF-8 apart.
const jsonSafeASCII = "" +
	"00000000000000000000000000000000" + // 0x00-0x1f
	"11011101111111111111111111110101" + // 0x20-0x3f: '"', '&', '<', '>'
	"11111111111111111111111111110111" + // 0x40-0x5f: '\\'
	"11111111111111111111111111111111" + // 0x60-0x7f
	"00000000000000000000000000000000" + "00000000000000000000000000000000" +
	"00000000000000000000000000000000" + "00000000000000000000000000000000"

func jsonSafe(c byte) bool { return jsonSafeASCII[c] == '1' }

// appendJSONString quotes s as encoding/json does, HTML escaping included.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe(c) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendUpdatePB writes an UPDATE event in protobuf, as marshalPB does
// for a status without labels (a test holds it to that): Event {type (1)
// UPDATE 4, update (5) {status (1) TaskStatus}}.
func appendUpdatePB(b []byte, st *wTaskStatus) []byte {
	b = append(b, 1<<3|wireVarint, 4, 5<<3|wireBytes)
	b, update := openNested(b)
	b = append(b, 1<<3|wireBytes)
	b, status := openNested(b)
	b = appendTaskStatusPB(b, st)
	return closeNested(closeNested(b, status), update)
}

// appendTaskStatusPB writes a TaskStatus's fields in number order.
func appendTaskStatusPB(b []byte, st *wTaskStatus) []byte {
	b = appendPBID(b, 1, st.TaskID.Value)
	b = appendPBEnum(b, 2, "TaskState", st.State)
	if st.Message != "" {
		b = appendPBString(append(b, 4<<3|wireBytes), st.Message)
	}
	if st.AgentID != nil {
		b = appendPBID(b, 5, st.AgentID.Value)
	}
	b = append(b, 6<<3|wireFixed64)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(st.Timestamp))
	if st.ExecutorID != nil {
		b = appendPBID(b, 7, st.ExecutorID.Value)
	}
	if st.Healthy != nil {
		b = append(b, 8<<3|wireVarint, boolByte(*st.Healthy))
	}
	if st.Source != "" {
		b = appendPBEnum(b, 9, "TaskStatus.Source", st.Source)
	}
	if st.Reason != "" {
		b = appendPBEnum(b, 10, "TaskStatus.Reason", st.Reason)
	}
	if st.UUID != nil {
		b = appendPBString(append(b, 11<<3|wireBytes), string(st.UUID))
	}
	if cs := st.ContainerStatus; cs != nil {
		var at int
		b, at = openNested(append(b, 13<<3|wireBytes))
		b = closeNested(appendContainerStatusPB(b, cs), at)
	}
	if ut := st.UnreachableTime; ut != nil {
		var at int
		b, at = openNested(append(b, 14<<3|wireBytes))
		b = append(b, 1<<3|wireVarint)
		b = closeNested(binary.AppendUvarint(b, uint64(ut.Nanoseconds)), at)
	}
	return b
}

// appendContainerStatusPB writes ContainerStatus {network_infos (1)
// [NetworkInfo {ip_addresses (5) [{protocol (1), ip_address (2)}]}],
// container_id (4)}.
func appendContainerStatusPB(b []byte, cs *wContainerStatus) []byte {
	for i := range cs.NetworkInfos {
		var ni int
		b, ni = openNested(append(b, 1<<3|wireBytes))
		for _, ip := range cs.NetworkInfos[i].IPAddresses {
			var at int
			b, at = openNested(append(b, 5<<3|wireBytes))
			b = appendPBEnum(b, 1, "NetworkInfo.Protocol", ip.Protocol)
			if ip.IPAddress != "" {
				b = appendPBString(append(b, 2<<3|wireBytes), ip.IPAddress)
			}
			b = closeNested(b, at)
		}
		b = closeNested(b, ni)
	}
	if id := cs.ContainerID; id != nil {
		var at int
		b, at = openNested(append(b, 4<<3|wireBytes))
		b = closeNested(appendContainerIDPB(b, id), at)
	}
	return b
}

// appendContainerIDPB writes ContainerID {value (1), parent (2)}.
func appendContainerIDPB(b []byte, id *wContainerID) []byte {
	b = appendPBString(append(b, 1<<3|wireBytes), id.Value)
	if id.Parent != nil {
		var at int
		b, at = openNested(append(b, 2<<3|wireBytes))
		b = closeNested(appendContainerIDPB(b, id.Parent), at)
	}
	return b
}

// appendPBEnum writes an enum field; a value not in the enum is not
// written, as for an unset field.
func appendPBEnum(b []byte, num uint64, enum, value string) []byte {
	n, ok := schema().enums[enum].num[value]
	if !ok {
		return b
	}
	b = binary.AppendUvarint(b, num<<3|wireVarint)
	return binary.AppendUvarint(b, uint64(int64(n)))
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
