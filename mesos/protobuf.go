package mesos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// The protobuf codec. The master speaks application/x-protobuf as well as
// JSON, and mesos-go's default codec and the Java and C++ v1 clients use
// it. Rather than generated code, the fake's own wire types carry their
// field numbers in a `pb:"<number>[,<enum>]"` tag, taken from Mesos
// 1.11's v1 .proto files; an enum-valued string field names its enum,
// whose numbers are in v1EnumValues. One codec walks those tags:
//
//   - Presence follows the JSON form: a pointer or a slice is written when
//     set, a scalar tagged omitempty when not zero, any other field always
//     (the master renders required fields and defaults in both forms).
//   - Fields are written in field-number order, as protobuf's C++
//     serializer does; repeated scalars unpacked (proto2). The decoder
//     accepts packed ones too.
//   - Unknown fields, fields of the wrong wire type and unknown enum
//     numbers are skipped, as proto2 leaves them unset; required fields
//     are then checked by the same code as for JSON.
//   - A rawMsg keeps a sub-message the fake does not interpret as the
//     field's wire bytes, tags included, and writes them back verbatim.
//
// The only cycle of the schema (ContainerID.parent) and nesting depth
// are bounded by pbMaxDepth, protobuf's own default recursion limit.

const pbMaxDepth = 100

type pbKind uint8

const (
	pbVarint   pbKind = iota // int, uint, bool and their pb* kin
	pbDouble64               // double: fixed64
	pbBytes64                // string or bytes (the name avoids pbBytes, a wire type)
	pbEnum                   // a string holding an enum value's name
	pbMsg                    // a struct
	pbIDMsg                  // wID: a message whose only field is value = 1
	pbRawMsg                 // rawMsg: wire bytes kept as sent
)

// pbField is one tagged field of a struct.
type pbField struct {
	num      uint64
	index    int
	name     string // the proto field name, from the json tag
	kind     pbKind
	enum     *pbEnumTable
	msg      *pbMessage
	repeated bool
	pointer  bool
	always   bool
	// shared pointer fields point at values with nothing mutable inside
	// (an ID, a string, a scalar): consecutive equal ones decode to one.
	shared bool
}

// pbMessage is a struct's fields by number.
type pbMessage struct {
	typ    reflect.Type
	fields []pbField // in field-number order
	byNum  map[uint64]int
}

// pbEnumTable is one enum's values both ways.
type pbEnumTable struct {
	num  map[string]int32
	name map[int32]string
}

// pbSchema is every message the fake encodes or decodes, built once from
// the struct tags. It is immutable after it is built.
type pbSchema struct {
	messages map[reflect.Type]*pbMessage
	enums    map[string]*pbEnumTable
}

// pbRoots are the top-level messages: calls in, events and responses out,
// and the views the fake reads out of raw messages.
var pbRoots = []any{
	schedCall{}, schedEvent{}, opCall{}, opResponse{}, opEvent{}, rawCommandField{},
}

var schema = sync.OnceValue(func() *pbSchema {
	s, err := buildSchema(pbRoots...)
	if err != nil {
		// The tags are constants of this package: a test builds them.
		panic("mesos: " + err.Error())
	}
	return s
})

func buildSchema(roots ...any) (*pbSchema, error) {
	s := &pbSchema{messages: map[reflect.Type]*pbMessage{}, enums: map[string]*pbEnumTable{}}
	for name, values := range v1EnumValues {
		t, err := parseEnumTable(values)
		if err != nil {
			return nil, fmt.Errorf("enum %s: %v", name, err)
		}
		s.enums[name] = t
	}
	for _, r := range roots {
		if _, err := s.message(reflect.TypeOf(r)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func parseEnumTable(values string) (*pbEnumTable, error) {
	t := &pbEnumTable{num: map[string]int32{}, name: map[int32]string{}}
	for _, v := range strings.Fields(values) {
		name, num, ok := strings.Cut(v, "=")
		n, err := strconv.ParseInt(num, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("bad value %q", v)
		}
		t.num[name] = int32(n)
		t.name[int32(n)] = name
	}
	return t, nil
}

var (
	idType  = reflect.TypeOf(wID{})
	rawType = reflect.TypeOf(rawMsg{})
)

// message builds (once) the plan of struct type t.
func (s *pbSchema) message(t reflect.Type) (*pbMessage, error) {
	if m, ok := s.messages[t]; ok {
		return m, nil
	}
	m := &pbMessage{typ: t, byNum: map[uint64]int{}}
	s.messages[t] = m // before the fields: messages may nest themselves
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("pb")
		if !ok || tag == "-" {
			continue
		}
		f, err := s.field(sf, tag)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %v", t.Name(), sf.Name, err)
		}
		f.index = i
		if _, dup := m.byNum[f.num]; dup {
			return nil, fmt.Errorf("%s.%s: field number %d used twice", t.Name(), sf.Name, f.num)
		}
		m.byNum[f.num] = 0
		m.fields = append(m.fields, f)
	}
	sortFields(m.fields)
	for i, f := range m.fields {
		m.byNum[f.num] = i
		m.fields[i].shared = f.pointer && (f.kind == pbIDMsg || f.kind == pbBytes64 || f.kind == pbMsg && f.msg.leaf())
	}
	return m, nil
}

// leaf reports whether a message holds only scalars: a value nothing
// refers into.
func (m *pbMessage) leaf() bool {
	for _, f := range m.fields {
		if f.repeated || f.pointer || f.kind == pbMsg || f.kind == pbRawMsg || f.kind == pbBytes64 && f.msg == nil && m.typ.Field(f.index).Type.Kind() == reflect.Slice {
			return false
		}
	}
	return true
}

func sortFields(fs []pbField) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].num < fs[j-1].num; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// field reads one struct field's tag and type.
func (s *pbSchema) field(sf reflect.StructField, tag string) (pbField, error) {
	numText, enum, _ := strings.Cut(tag, ",")
	num, err := strconv.ParseUint(numText, 10, 29)
	if err != nil || num == 0 {
		return pbField{}, fmt.Errorf("bad field number %q", numText)
	}
	jsonName, jsonOpts, _ := strings.Cut(sf.Tag.Get("json"), ",")
	f := pbField{num: num, name: jsonName}
	t := sf.Type
	switch {
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		f.repeated, t = true, t.Elem()
	case t.Kind() == reflect.Pointer:
		f.pointer, t = true, t.Elem()
	default:
		f.always = !strings.Contains(jsonOpts, "omit")
	}
	if enum != "" {
		if t.Kind() != reflect.String {
			return f, fmt.Errorf("enum %s on a %s", enum, t)
		}
		f.kind, f.enum = pbEnum, s.enums[enum]
		if f.enum == nil {
			return f, fmt.Errorf("unknown enum %s", enum)
		}
		return f, nil
	}
	f.kind, err = kindOf(t)
	if err == nil && f.kind == pbMsg {
		f.msg, err = s.message(t)
	}
	return f, err
}

func kindOf(t reflect.Type) (pbKind, error) {
	switch {
	case t == idType:
		return pbIDMsg, nil
	case t == rawType:
		return pbRawMsg, nil
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64:
		return pbVarint, nil
	case reflect.Float64:
		return pbDouble64, nil
	case reflect.String:
		return pbBytes64, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return pbBytes64, nil
		}
	case reflect.Struct:
		return pbMsg, nil
	}
	return 0, fmt.Errorf("no protobuf form for %s", t)
}

// Wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireGroupS  = 3
	wireGroupE  = 4
	wireFixed32 = 5
)

func (k pbKind) wireType() uint64 {
	switch k {
	case pbVarint, pbEnum:
		return wireVarint
	case pbDouble64:
		return wireFixed64
	}
	return wireBytes
}

// marshalPB encodes v, a pointer to or a value of a schema message.
func marshalPB(v any) []byte {
	return appendPB(nil, v)
}

func appendPB(b []byte, v any) []byte {
	rv := reflect.Indirect(reflect.ValueOf(v))
	s := schema()
	m := s.messages[rv.Type()]
	if m == nil {
		panic("mesos: no protobuf schema for " + rv.Type().String())
	}
	return m.append(b, rv)
}

func (m *pbMessage) append(b []byte, v reflect.Value) []byte {
	for i := range m.fields {
		b = m.fields[i].append(b, v.Field(m.fields[i].index))
	}
	return b
}

func (f *pbField) append(b []byte, v reflect.Value) []byte {
	switch {
	case f.repeated:
		for j := 0; j < v.Len(); j++ {
			b = f.appendValue(b, v.Index(j))
		}
		return b
	case f.pointer:
		if v.IsNil() {
			return b
		}
		return f.appendValue(b, v.Elem())
	case !f.always && f.kind != pbRawMsg && v.IsZero():
		return b
	}
	return f.appendValue(b, v)
}

func (f *pbField) appendValue(b []byte, v reflect.Value) []byte {
	switch f.kind {
	case pbRawMsg:
		return append(b, v.Interface().(rawMsg).pb...)
	case pbEnum:
		n, ok := f.enum.num[v.String()]
		if !ok {
			// Not a value of the enum (unset): proto2 writes nothing.
			return b
		}
		b = binary.AppendUvarint(b, f.num<<3|wireVarint)
		return binary.AppendUvarint(b, uint64(int64(n)))
	case pbVarint:
		b = binary.AppendUvarint(b, f.num<<3|wireVarint)
		return binary.AppendUvarint(b, varintOf(v))
	case pbDouble64:
		b = binary.AppendUvarint(b, f.num<<3|wireFixed64)
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Float()))
	case pbBytes64:
		b = binary.AppendUvarint(b, f.num<<3|wireBytes)
		if v.Kind() == reflect.String {
			return appendPBString(b, v.String())
		}
		return appendPBString(b, string(v.Bytes()))
	case pbIDMsg:
		return appendPBID(b, f.num, v.Field(0).String())
	}
	b = binary.AppendUvarint(b, f.num<<3|wireBytes)
	return appendNested(b, func(b []byte) []byte { return f.msg.append(b, v) })
}

func varintOf(v reflect.Value) uint64 {
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return 1
		}
		return 0
	case reflect.Uint32, reflect.Uint64:
		return v.Uint()
	}
	// int32 and int64 alike: negative values take ten bytes, as
	// protobuf writes them.
	return uint64(v.Int())
}

func appendPBString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendPBID writes an ID message {value = 1} as field num.
func appendPBID(b []byte, num uint64, value string) []byte {
	b = binary.AppendUvarint(b, num<<3|wireBytes)
	inner := 1 + uvarintLen(uint64(len(value))) + len(value)
	b = binary.AppendUvarint(b, uint64(inner))
	b = append(b, 1<<3|wireBytes)
	return appendPBString(b, value)
}

// appendNested writes a length-delimited message: body is appended after
// a one-byte length, which is widened in place when the body is longer.
func appendNested(b []byte, body func([]byte) []byte) []byte {
	b, start := openNested(b)
	return closeNested(body(b), start)
}

// openNested reserves a one-byte length for a message that follows;
// closeNested fills it in (widening it when the message is longer).
func openNested(b []byte) ([]byte, int) {
	return append(b, 0), len(b)
}

func closeNested(b []byte, start int) []byte {
	n := len(b) - start - 1
	if n < 0x80 {
		b[start] = byte(n)
		return b
	}
	extra := uvarintLen(uint64(n)) - 1
	b = append(b, make([]byte, extra)...)
	copy(b[start+1+extra:], b[start+1:start+1+n])
	binary.PutUvarint(b[start:], uint64(n))
	return b
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// errPB is every decoding failure: the master answers each with the same
// message, whatever went wrong.
var errPB = errors.New("malformed protobuf")

// unmarshalPB decodes b into v, a pointer to a schema message.
func unmarshalPB(b []byte, v any) error {
	rv := reflect.ValueOf(v).Elem()
	m := schema().messages[rv.Type()]
	if m == nil {
		panic("mesos: no protobuf schema for " + rv.Type().String())
	}
	return m.decode(&decoder{}, b, rv, 0)
}

// decoder is one decoding's state: strings already seen, so that a
// launch of a thousand tasks on one agent holds its agent ID, resource
// names and command once.
type decoder struct {
	strings map[string]string
	raw     []byte // the last raw field, shared by the ones equal to it
	// last is, per shared pointer field, the bytes it last decoded and
	// the value they made.
	last map[*pbField]lastValue
}

type lastValue struct {
	bytes []byte
	ptr   reflect.Value
}

// maxInterned bounds the strings a decoding shares; short ones only.
const maxInterned, maxInternedLen = 256, 64

func (d *decoder) string(b []byte) string {
	if len(b) > maxInternedLen {
		return string(b)
	}
	if s, ok := d.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.strings == nil {
		d.strings = map[string]string{}
	}
	if len(d.strings) < maxInterned {
		d.strings[s] = s
	}
	return s
}

// sharedPointer sets a shared pointer field to the value its bytes made
// last time, or to a new one.
func (d *decoder) sharedPointer(f *pbField, value []byte, v reflect.Value, depth int) error {
	if last, ok := d.last[f]; ok && bytes.Equal(last.bytes, value) {
		v.Set(last.ptr)
		return nil
	}
	p := reflect.New(v.Type().Elem())
	if err := f.decodeValue(d, value, p.Elem(), depth); err != nil {
		return err
	}
	v.Set(p)
	if d.last == nil {
		d.last = map[*pbField]lastValue{}
	}
	d.last[f] = lastValue{bytes: value, ptr: p}
	return nil
}

// rawField is a raw field's bytes, copied out of the body once for all
// the equal ones that follow.
func (d *decoder) rawField(b []byte) []byte {
	if !bytes.Equal(b, d.raw) {
		d.raw = append(make([]byte, 0, len(b)), b...)
	}
	return d.raw[:len(d.raw):len(d.raw)]
}

func (m *pbMessage) decode(d *decoder, b []byte, v reflect.Value, depth int) error {
	if depth > pbMaxDepth {
		return errPB
	}
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 || key>>3 == 0 || key>>3 > math.MaxInt32 {
			return errPB
		}
		start := b
		b = b[n:]
		num, wt := key>>3, key&7
		value, rest, err := splitValue(b, wt, depth)
		if err != nil {
			return err
		}
		b = rest
		i, ok := m.byNum[num]
		if !ok {
			continue
		}
		f := &m.fields[i]
		if f.kind == pbRawMsg {
			f.raw(v.Field(f.index)).addPB(d.rawField(start[:len(start)-len(rest)]))
			continue
		}
		if f.repeated && wt == wireBytes {
			presize(v.Field(f.index), rest, key)
		}
		if err := f.decode(d, wt, value, v.Field(f.index), depth); err != nil {
			return err
		}
	}
	return nil
}

// presize gives an empty repeated field room for this element and every
// other occurrence of its key in the rest of the message: a launch of a
// thousand tasks is one allocation, not a dozen growing ones.
func presize(v reflect.Value, rest []byte, key uint64) {
	if !v.IsNil() {
		return
	}
	n := 1
	for len(rest) > 0 {
		k, l := binary.Uvarint(rest)
		if l <= 0 {
			break
		}
		_, next, err := splitValue(rest[l:], k&7, 0)
		if err != nil {
			break
		}
		if k == key {
			n++
		}
		rest = next
	}
	if n > 1 {
		v.Set(reflect.MakeSlice(v.Type(), 0, n))
	}
}

// raw is the rawMsg an occurrence of a raw field goes to: the field's
// own, or a new element of a repeated one.
func (f *pbField) raw(v reflect.Value) *rawMsg {
	switch {
	case f.repeated:
		v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		v = v.Index(v.Len() - 1)
	case f.pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	return v.Addr().Interface().(*rawMsg)
}

// splitValue cuts one field's value off b: for varints and fixed values
// their bytes, for length-delimited ones the payload.
func splitValue(b []byte, wt uint64, depth int) (value, rest []byte, err error) {
	switch wt {
	case wireVarint:
		_, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, nil, errPB
		}
		return b[:n], b[n:], nil
	case wireFixed64:
		if len(b) < 8 {
			return nil, nil, errPB
		}
		return b[:8], b[8:], nil
	case wireFixed32:
		if len(b) < 4 {
			return nil, nil, errPB
		}
		return b[:4], b[4:], nil
	case wireBytes:
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return nil, nil, errPB
		}
		return b[n : n+int(l)], b[n+int(l):], nil
	case wireGroupS:
		return skipGroup(b, depth)
	}
	return nil, nil, errPB
}

// skipGroup skips a (deprecated) group up to its end tag.
func skipGroup(b []byte, depth int) (value, rest []byte, err error) {
	if depth >= pbMaxDepth {
		return nil, nil, errPB
	}
	for {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, nil, errPB
		}
		b = b[n:]
		if key&7 == wireGroupE {
			return nil, b, nil
		}
		_, b, err = splitValue(b, key&7, depth+1)
		if err != nil {
			return nil, nil, err
		}
	}
}

func (f *pbField) decode(d *decoder, wt uint64, value []byte, v reflect.Value, depth int) error {
	want := f.kind.wireType()
	if f.repeated && wt == wireBytes && want != wireBytes {
		return f.decodePacked(d, value, v)
	}
	if wt != want {
		// A field of another wire type is an unknown field to protobuf.
		return nil
	}
	switch {
	case f.repeated:
		if f.kind == pbEnum && !f.enum.known(value) {
			// proto2 keeps an unknown enum value as an unknown field.
			return nil
		}
		v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		return f.decodeValue(d, value, v.Index(v.Len()-1), depth)
	case f.shared && v.IsNil():
		return d.sharedPointer(f, value, v, depth)
	case f.shared:
		// Sent again: merged into a copy, as the value may be shared.
		cp := reflect.New(v.Type().Elem())
		cp.Elem().Set(v.Elem())
		v.Set(cp)
		return f.decodeValue(d, value, cp.Elem(), depth)
	case f.pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return f.decodeValue(d, value, v.Elem(), depth)
	}
	return f.decodeValue(d, value, v, depth)
}

// decodePacked reads a packed run of scalars.
func (f *pbField) decodePacked(d *decoder, b []byte, v reflect.Value) error {
	for len(b) > 0 {
		value, rest, err := splitValue(b, f.kind.wireType(), 0)
		if err != nil {
			return err
		}
		b = rest
		if f.kind == pbEnum && !f.enum.known(value) {
			continue
		}
		v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		if err := f.decodeValue(d, value, v.Index(v.Len()-1), 0); err != nil {
			return err
		}
	}
	return nil
}

func (t *pbEnumTable) known(varint []byte) bool {
	n, _ := binary.Uvarint(varint)
	_, ok := t.name[int32(n)]
	return ok
}

// decodeValue sets v from one value.
func (f *pbField) decodeValue(d *decoder, value []byte, v reflect.Value, depth int) error {
	switch f.kind {
	case pbVarint:
		x, _ := binary.Uvarint(value)
		setVarint(v, x)
	case pbEnum:
		x, _ := binary.Uvarint(value)
		if name, ok := f.enum.name[int32(x)]; ok {
			v.SetString(name)
		}
		// Otherwise proto2 keeps the value as an unknown field and the
		// field as it was.
	case pbDouble64:
		v.SetFloat(math.Float64frombits(binary.LittleEndian.Uint64(value)))
	case pbBytes64:
		if v.Kind() == reflect.String {
			v.SetString(d.string(value))
		} else {
			v.SetBytes(append(make([]byte, 0, len(value)), value...))
		}
	case pbIDMsg:
		return decodeID(d, value, v.Addr().Interface().(*wID), depth)
	default:
		return f.msg.decode(d, value, v, depth+1)
	}
	return nil
}

func setVarint(v reflect.Value, x uint64) {
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(x != 0)
	case reflect.Uint32:
		v.SetUint(uint64(uint32(x)))
	case reflect.Uint64:
		v.SetUint(x)
	case reflect.Int32:
		v.SetInt(int64(int32(x)))
	default:
		v.SetInt(int64(x))
	}
}

// decodeID reads an ID message: its value, and that it was there.
func decodeID(d *decoder, b []byte, id *wID, depth int) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 || key>>3 == 0 {
			return errPB
		}
		b = b[n:]
		value, rest, err := splitValue(b, key&7, depth)
		if err != nil {
			return err
		}
		b = rest
		if key == 1<<3|wireBytes {
			id.Value, id.set = d.string(value), true
		}
	}
	return nil
}
