package mesos

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// callType is the type a call body names ("ACCEPT", "GET_STATE"), or ""
// when the body is not a call this master reads: what Route.Refine names
// the op by, before the handler parses the call. A protobuf body is read
// for its type field (typeField of the Call, valued in enum); any other
// body as JSON.
//
// KIT: Refine cannot hand the handler what it read, so every call body is
// read twice; this first read is a one-pass scan, not a decode.
func callType(r *http.Request, body []byte, typeField uint64, enum string) string {
	ct := r.Header.Get("Content-Type")
	if ct == mediaProtobuf {
		return pbCallType(body, typeField, enum)
	}
	if ct != mediaJSON && ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == mediaProtobuf {
			return ""
		}
	}
	if typ, ok := jsonCallType(body); ok {
		return typ
	}
	return ""
}

// pbCallType reads the enum field typeField of a protobuf message (its
// last occurrence, as protobuf keeps), "" when the bytes are not a
// message or the value is not one of enum's.
func pbCallType(b []byte, typeField uint64, enum string) string {
	var last uint64
	found := false
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 || key>>3 == 0 {
			return ""
		}
		value, rest, err := splitValue(b[n:], key&7, 0)
		if err != nil {
			return ""
		}
		if key == typeField<<3|wireVarint {
			last, _ = binary.Uvarint(value)
			found = true
		}
		b = rest
	}
	if !found {
		return ""
	}
	return schema().enums[enum].name[int32(last)]
}

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

// jsonCallType reads the "type" member of a JSON body exactly as
// json.Unmarshal reads it into struct{ Type string `json:"type"` } (the
// last top-level member whose name is "type" in any case; null leaves it
// unset), with ok false where Unmarshal fails: the body is not JSON, or
// not an object, or its type is not a string. It validates and reads in
// one pass that allocates nothing but the type, several times faster than
// Unmarshal: every scheduler call pays for it, and an ACCEPT of a thousand
// tasks is a quarter of a megabyte.
func jsonCallType(b []byte) (typ string, ok bool) {
	i := space(b, 0)
	switch {
	case i < len(b) && b[i] == '{':
		i, typ, ok = topObject(b, i)
	default:
		i, ok = literal(b, i, "null")
	}
	if !ok || space(b, i) != len(b) {
		return "", false
	}
	return typ, true
}

// The scanning functions below take the body and a position and return
// the position after what they consumed, and whether it was valid JSON.

// plainByte marks the bytes a JSON string holds as they are.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// space skips white space.
func space(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func literal(b []byte, i int, lit string) (int, bool) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

// topObject consumes the top-level object at b[i] and reads its type
// members.
func topObject(b []byte, i int) (_ int, typ string, ok bool) {
	i = space(b, i+1) // past '{'
	if i < len(b) && b[i] == '}' {
		return i + 1, "", true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, "", false
		}
		start := i
		var escaped bool
		if i, escaped, ok = str(b, i); !ok {
			return i, "", false
		}
		name := b[start:i]
		if i = space(b, i); i >= len(b) || b[i] != ':' {
			return i, "", false
		}
		i = space(b, i+1)
		if isTypeName(name, escaped) {
			i, typ, ok = typeValue(b, i, typ)
		} else {
			i, ok = value(b, i, 1)
		}
		if !ok {
			return i, "", false
		}
		if i = space(b, i); i < len(b) && b[i] == ',' {
			i = space(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return i + 1, typ, true
		}
		return i, "", false
	}
}

// value consumes the value at b[i], inside depth levels of nesting.
func value(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		i, _, ok := str(b, i)
		return i, ok
	case c == '{':
		return object(b, i, depth+1)
	case c == '[':
		return array(b, i, depth+1)
	case c == '-' || c >= '0' && c <= '9':
		return number(b, i)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	default:
		return literal(b, i, "null")
	}
}

func object(b []byte, i, depth int) (int, bool) {
	if depth > maxJSONDepth {
		return i, false
	}
	i = space(b, i+1) // past '{'
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	ok := false
	for {
		if i >= len(b) || b[i] != '"' {
			return i, false
		}
		if i, _, ok = str(b, i); !ok {
			return i, false
		}
		if i = space(b, i); i >= len(b) || b[i] != ':' {
			return i, false
		}
		if i, ok = value(b, space(b, i+1), depth); !ok {
			return i, false
		}
		if i = space(b, i); i < len(b) && b[i] == ',' {
			i = space(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		return i, false
	}
}

func array(b []byte, i, depth int) (int, bool) {
	if depth > maxJSONDepth {
		return i, false
	}
	i = space(b, i+1) // past '['
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	ok := false
	for {
		if i, ok = value(b, i, depth); !ok {
			return i, false
		}
		if i = space(b, i); i < len(b) && b[i] == ',' {
			i = space(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		return i, false
	}
}

// str consumes the string at b[i]; escaped reports a backslash in it.
func str(b []byte, i int) (_ int, escaped, ok bool) {
	i++ // past '"'
	for {
		for i < len(b) && plainByte[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, false, false
		}
		switch b[i] {
		case '"':
			return i + 1, escaped, true
		case '\\':
			n := escapeLen(b[i:])
			if n == 0 {
				return i, false, false
			}
			escaped = true
			i += n
		default: // a control character
			return i, false, false
		}
	}
}

// escapeLen is the length of the escape sequence at the start of b, or 0
// when it is not one.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(b) < 6 {
			return 0
		}
		for _, c := range b[2:6] {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return 0
			}
		}
		return 6
	}
	return 0
}

func number(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// isTypeName reports whether a member name (quoted, as it is in the
// body) is "type" to encoding/json, which matches names in any case.
func isTypeName(quoted []byte, escaped bool) bool {
	if !escaped {
		return bytes.EqualFold(quoted[1:len(quoted)-1], []byte("type"))
	}
	name, ok := unquote(quoted)
	return ok && strings.EqualFold(name, "type")
}

// typeValue consumes the value of a type member: a string sets the type,
// null leaves it as it was, anything else fails the body, as Unmarshal
// fails it.
func typeValue(b []byte, i int, was string) (_ int, typ string, ok bool) {
	if j, ok := literal(b, i, "null"); ok {
		return j, was, true
	}
	if i >= len(b) || b[i] != '"' {
		return i, "", false
	}
	j, escaped, ok := str(b, i)
	if !ok {
		return j, "", false
	}
	if raw := b[i+1 : j-1]; !escaped && utf8.Valid(raw) {
		return j, string(raw), true
	}
	typ, ok = unquote(b[i:j])
	return j, typ, ok
}

// unquote decodes a JSON string as encoding/json does (escapes, and
// invalid UTF-8 replaced).
func unquote(quoted []byte) (string, bool) {
	var s string
	err := json.Unmarshal(quoted, &s)
	return s, err == nil
}
