package mesos

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPBSchemaBuilds(t *testing.T) {
	s, err := buildSchema(pbRoots...)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.messages) < 80 {
		t.Errorf("%d messages in the schema: the roots reach fewer than expected", len(s.messages))
	}
	for _, bad := range []any{
		struct {
			A string `pb:"0"`
		}{},
		struct {
			A string `pb:"1"`
			B string `pb:"1"`
		}{},
		struct {
			A string `pb:"1,NoSuchEnum"`
		}{},
		struct {
			A int `pb:"1,TaskState"`
		}{},
		struct {
			A map[string]string `pb:"1"`
		}{},
	} {
		if _, err := buildSchema(bad); err == nil {
			t.Errorf("buildSchema(%T) = nil error", bad)
		}
	}
}

// Golden wire bytes, worked out by hand from the .proto definitions
// (field numbers and wire types as commented).
func TestPBGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		hex  string
	}{
		// scheduler.Event{type(1)=HEARTBEAT(8)}
		{"heartbeat", &schedEvent{Type: "HEARTBEAT"}, "0808"},
		// master.Event{type(1)=HEARTBEAT(9)}
		{"operator heartbeat", &opEvent{Type: "HEARTBEAT"}, "0809"},
		// Event{type=RESCIND(3), rescind(4)={offer_id(1)={value(1)="o1"}}}
		{"rescind", &schedEvent{Type: "RESCIND", Rescind: &evRescind{OfferID: wID{Value: "o1"}}},
			"0803" + "2206" + "0a04" + "0a026f31"},
		// Event{type=UPDATE(4), update(5)={status(1)={task_id(1)={"t"},
		// state(2)=TASK_RUNNING(1), timestamp(6)=1.5 as fixed64}}}
		{"update", &schedEvent{Type: "UPDATE", Update: &evUpdate{Status: wTaskStatus{
			TaskID: wID{Value: "t"}, State: "TASK_RUNNING", Timestamp: 1.5}}},
			"0804" + "2a12" + "0a10" + "0a030a0174" + "1001" + "31000000000000f83f"},
		// Event{type=FAILURE(6), failure(7)={status(3)=-1}}: a negative
		// int32 is a ten-byte varint.
		{"negative", &schedEvent{Type: "FAILURE", Failure: &evFailure{Status: ptr(-1)}},
			"0806" + "3a0b" + "18ffffffffffffffffff01"},
		// An enum value not in its enum (unset) is not written.
		{"unset enum", &schedEvent{Type: ""}, ""},
		// master.Response{type(1)=GET_HEALTH(1), get_health(2)={healthy(1)=true}}
		{"get health", &opResponse{Type: "GET_HEALTH", GetHealth: &getHealth{Healthy: true}}, "0801" + "12020801"},
		// required bool false is still written
		{"unhealthy", &opResponse{Type: "GET_HEALTH", GetHealth: &getHealth{}}, "0801" + "12020800"},
		// Call{framework_id(1)={"f"}, type(2)=DECLINE(4), decline(5)={
		// offer_ids(1)=[{"a"},{"b"}], filters(2)={refuse_seconds(1)=0}}}
		{"decline", &schedCall{FrameworkID: idp("f"), Type: "DECLINE", Decline: &declineCall{
			OfferIDs: []wID{{Value: "a"}, {Value: "b"}}, Filters: &wFilters{RefuseSeconds: new(pbDouble)}}},
			"0a030a0166" + "1004" + "2a15" + "0a030a0161" + "0a030a0162" + "1209" + "090000000000000000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := hex.EncodeToString(marshalPB(tc.v))
			if got != tc.hex {
				t.Errorf("encoded\n\t%s\nwant\n\t%s", got, tc.hex)
			}
			// And back.
			back := reflect.New(reflect.TypeOf(tc.v).Elem())
			raw, _ := hex.DecodeString(tc.hex)
			if err := unmarshalPB(raw, back.Interface()); err != nil {
				t.Fatal(err)
			}
			if again := hex.EncodeToString(marshalPB(back.Interface())); again != tc.hex {
				t.Errorf("re-encoded %s", again)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// A length over 127 takes a two-byte varint: the one-byte length the
// encoder reserves is widened in place.
func TestPBLongNested(t *testing.T) {
	msg := strings.Repeat("x", 300)
	got := marshalPB(&schedEvent{Type: "ERROR", Error: &evError{Message: msg}})
	// type(1)=ERROR(7); error(8)={message(1)=300 bytes}: inner is 1 + 2 +
	// 300 = 303 bytes (0xaf 0x02), the string's length 300 is 0xac 0x02.
	want := "0807" + "42af02" + "0aac02" + hex.EncodeToString([]byte(msg))
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("got %.80s…", h)
	}
}

// Every message of the schema survives a round trip: filled with
// values, encoded, decoded, it is what it was (enum strings included),
// and encodes to the same bytes again.
func TestPBRoundTripEveryMessage(t *testing.T) {
	s := schema()
	types := make([]reflect.Type, 0, len(s.messages))
	for typ := range s.messages {
		types = append(types, typ)
	}
	sort.Slice(types, func(i, j int) bool { return types[i].String() < types[j].String() })
	for _, typ := range types {
		t.Run(typ.String(), func(t *testing.T) {
			for seed := 1; seed <= 3; seed++ {
				v := reflect.New(typ)
				fill(s, s.messages[typ], v.Elem(), seed, 0)
				b := marshalPB(v.Interface())
				back := reflect.New(typ)
				if err := unmarshalPB(b, back.Interface()); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if diff := cmp.Diff(v.Interface(), back.Interface(), cmp.Exporter(func(reflect.Type) bool { return true }),
					cmp.Comparer(func(a, b wID) bool { return a.Value == b.Value })); diff != "" {
					t.Errorf("seed %d: round trip (-sent +decoded):\n%s", seed, diff)
				}
				if again := marshalPB(back.Interface()); !bytes.Equal(again, b) {
					t.Errorf("seed %d: re-encoding differs", seed)
				}
			}
		})
	}
}

// fill sets every tagged field of v from seed: pointers and slices set,
// enums to one of their values, raw messages to a field of their own
// number.
func fill(s *pbSchema, m *pbMessage, v reflect.Value, seed, depth int) {
	for i := range m.fields {
		f := &m.fields[i]
		fv := v.Field(f.index)
		switch {
		case f.repeated:
			n := 1 + seed%2
			fv.Set(reflect.MakeSlice(fv.Type(), n, n))
			for j := 0; j < n; j++ {
				fillValue(s, f, fv.Index(j), seed+j, depth)
			}
		case f.pointer:
			if depth > 2 && f.kind == pbMsg {
				continue // ContainerID.parent would nest forever
			}
			fv.Set(reflect.New(fv.Type().Elem()))
			fillValue(s, f, fv.Elem(), seed, depth)
		default:
			fillValue(s, f, fv, seed, depth)
		}
	}
}

func fillValue(s *pbSchema, f *pbField, v reflect.Value, seed, depth int) {
	switch f.kind {
	case pbEnum:
		names := make([]string, 0, len(f.enum.num))
		for n := range f.enum.num {
			names = append(names, n)
		}
		sort.Strings(names)
		v.SetString(names[seed%len(names)])
	case pbVarint:
		switch v.Kind() {
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Uint32, reflect.Uint64:
			v.SetUint(uint64(seed) * 1000003)
		default:
			v.SetInt(-int64(seed) * 1000003)
		}
	case pbDouble64:
		v.SetFloat([]float64{0.5, math.Inf(1), -1e300}[seed%3])
	case pbBytes64:
		text := fmt.Sprintf("%s-%d-\x00\xff", f.name, seed)
		if v.Kind() == reflect.String {
			v.SetString(text)
		} else {
			v.SetBytes([]byte(text))
		}
	case pbIDMsg:
		v.Set(reflect.ValueOf(wID{Value: fmt.Sprintf("id-%d", seed)}))
	case pbRawMsg:
		r := rawMsg{}
		r.addPB(appendPBID(nil, f.num, "raw"))
		v.Set(reflect.ValueOf(r))
	default:
		fill(s, f.msg, v, seed, depth+1)
	}
}

// What protobuf skips, the decoder skips: unknown fields of every wire
// type, known fields of the wrong wire type, unknown enum values; it
// reads packed repeated scalars, and merges a message sent twice.
func TestPBDecodeTolerates(t *testing.T) {
	in := []byte{}
	in = append(in, 0x98, 0x06, 0x01) // field 99 varint
	in = append(in, 0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8)
	in = append(in, 0x9d, 0x06, 1, 2, 3, 4)                  // field 99 fixed32
	in = append(in, 0x9a, 0x06, 0x02, 0xaa, 0xbb)            // field 99 bytes
	in = append(in, 0x9b, 0x06, 0x08, 0x01, 0x9c, 0x06)      // field 99 group
	in = append(in, 0x0a, 0x03, 0x0a, 0x01, 'f')             // framework_id
	in = append(in, 0x11, 0, 0, 0, 0, 0, 0, 0, 0)            // type as fixed64: wrong wire type
	in = append(in, 0x10, 0x04)                              // type DECLINE
	in = append(in, 0x10, 0x63)                              // type 99: unknown, keeps DECLINE
	in = append(in, 0x7a, 0x04, 0x0a, 0x02, 'r', '1')        // revive(15): roles ["r1"]
	in = append(in, 0x7a, 0x04, 0x0a, 0x02, 'r', '2')        // revive again: merged
	in = append(in, 0x2a, 0x05, 0x0a, 0x03, 0x0a, 0x01, 'a') // decline offer a
	var c schedCall
	if err := unmarshalPB(in, &c); err != nil {
		t.Fatal(err)
	}
	if c.Type != "DECLINE" || c.FrameworkID.val() != "f" || !c.FrameworkID.set {
		t.Errorf("type %q framework %+v", c.Type, c.FrameworkID)
	}
	if c.Revive == nil || !cmp.Equal(c.Revive.Roles, []string{"r1", "r2"}) {
		t.Errorf("revive %+v, want roles r1 r2 merged", c.Revive)
	}
	if c.Decline == nil || len(c.Decline.OfferIDs) != 1 || c.Decline.OfferIDs[0].Value != "a" {
		t.Errorf("decline %+v", c.Decline)
	}

	// No message the fake reads has a repeated number or enum, so
	// packing is checked on a type of the test's own.
	type packed struct {
		States []string `json:"states" pb:"1,TaskState"`
		Ns     []int64  `json:"ns" pb:"2"`
	}
	ps, err := buildSchema(packed{})
	if err != nil {
		t.Fatal(err)
	}
	var p packed
	// field 1 packed: RUNNING(1), 99 (unknown, dropped), FINISHED(2);
	// field 2 packed: 1, 300; then one unpacked 7.
	body := []byte{0x0a, 0x03, 0x01, 0x63, 0x02, 0x12, 0x03, 0x01, 0xac, 0x02, 0x10, 0x07}
	if err := ps.messages[reflect.TypeOf(p)].decode(&decoder{}, body, reflect.ValueOf(&p).Elem(), 0); err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(p.States, []string{"TASK_RUNNING", "TASK_FINISHED"}) || !cmp.Equal(p.Ns, []int64{1, 300, 7}) {
		t.Errorf("packed: %+v", p)
	}
}

func TestPBDecodeRejects(t *testing.T) {
	for name, in := range map[string][]byte{
		"field 0":          {0x00, 0x01},
		"truncated varint": {0x10},
		"truncated key":    {0x80},
		"bytes too long":   {0x0a, 0x05, 0x0a},
		"short fixed64":    {0x19, 0x00},
		"short fixed32":    {0x1d, 0x00},
		"end group alone":  {0x0c},
		"bad wire type":    {0x0e},
		"open group":       {0x0b, 0x08, 0x01},
		"huge length":      {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"nested truncated": {0x0a, 0x02, 0x0a, 0x05},
	} {
		var c schedCall
		if err := unmarshalPB(in, &c); err == nil {
			t.Errorf("%s: decoded %x without error", name, in)
		}
	}
	// Messages nested deeper than protobuf's recursion limit.
	var nested []byte
	for i := 0; i < pbMaxDepth+5; i++ {
		inner := nested
		nested = append([]byte{0x12}, appendVarint(nil, uint64(len(inner)))...)
		nested = append(nested, inner...)
	}
	// ContainerStatus.container_id(4) = ContainerID with parent(2) nested.
	cs := append([]byte{0x22}, appendVarint(nil, uint64(len(nested)))...)
	cs = append(cs, nested...)
	var st wContainerStatus
	m := schema().messages[reflect.TypeOf(st)]
	if err := m.decode(&decoder{}, cs, reflect.ValueOf(&st).Elem(), 0); err == nil {
		t.Errorf("a ContainerID nested %d deep decoded", pbMaxDepth+5)
	}
}

func appendVarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

// The decoder never panics, and what it decodes encodes to bytes that
// decode to the same encoding (the codec is stable past one round).
func FuzzPBDecode(f *testing.F) {
	f.Add([]byte{0x10, 0x03})
	f.Add(marshalPB(&schedCall{FrameworkID: idp("f"), Type: "ACCEPT", Accept: &acceptCall{
		OfferIDs: []wID{{Value: "o"}},
		Operations: []wOperation{{Type: "LAUNCH", Launch: &wLaunch{TaskInfos: []wTaskInfo{{
			Name: ptr("t"), TaskID: idp("t1"), AgentID: idp("a"),
			Resources: []wResource{{Name: "cpus", Type: "SCALAR", Scalar: &wScalar{Value: 1}}},
		}}}}},
	}}))
	f.Add(marshalPB(&opCall{Type: "GET_METRICS", GetMetrics: &opGetMetrics{Timeout: &wDurationInfo{Nanoseconds: 5}}}))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, v := range []any{&schedCall{}, &opCall{}, &schedEvent{}, &opResponse{}} {
			if err := unmarshalPB(in, v); err != nil {
				continue
			}
			once := marshalPB(v)
			back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := unmarshalPB(once, back); err != nil {
				t.Fatalf("%T: re-decoding what was encoded: %v", v, err)
			}
			if twice := marshalPB(back); !bytes.Equal(once, twice) {
				t.Fatalf("%T: encoding is not stable:\n%x\n%x", v, once, twice)
			}
		}
	})
}

// The codec's schema agrees with the v1 tables written from the .proto
// files, for every message the fake sends: each tagged field is a field
// of its message, an enum where the proto has an enum (the same one), a
// message where it has a message, and a scalar of a matching kind.
func TestPBSchemaMatchesV1Tables(t *testing.T) {
	tables, err := parseV1Schema()
	if err != nil {
		t.Fatal(err)
	}
	s := schema()
	seen := map[string]bool{}
	var walk func(m *pbMessage, proto string)
	walk = func(m *pbMessage, proto string) {
		// GET_OPERATIONS lists no Operation: none is ever applied, so
		// the tables (of what the fake sends) leave it out.
		if seen[proto] || v1Echoed[proto] || proto == "Operation" {
			return
		}
		seen[proto] = true
		fields, ok := tables.messages[proto]
		if !ok {
			t.Errorf("%s (%s) is not in the tables", proto, m.typ)
			return
		}
		for _, f := range m.fields {
			pf, ok := fields[f.name]
			where := fmt.Sprintf("%s.%s (%s)", proto, f.name, m.typ)
			switch {
			case !ok:
				t.Errorf("%s: no such field", where)
			case pf.repeated != f.repeated:
				t.Errorf("%s: repeated %v, the proto says %v", where, f.repeated, pf.repeated)
			case pf.enum || f.kind == pbEnum:
				if f.enum == nil || !pf.enum || f.enum != s.enums[pf.typ] {
					t.Errorf("%s: the proto's type is %s (enum %v)", where, pf.typ, pf.enum)
				}
			case f.kind == pbMsg:
				walk(f.msg, pf.typ)
			case !kindMatches(f.kind, pf.typ):
				t.Errorf("%s: codec kind %d, proto type %s", where, f.kind, pf.typ)
			}
		}
	}
	walk(s.messages[reflect.TypeOf(schedEvent{})], "scheduler.Event")
	walk(s.messages[reflect.TypeOf(opEvent{})], "master.Event")
	walk(s.messages[reflect.TypeOf(opResponse{})], "master.Response")
	if len(seen) < 60 {
		t.Errorf("walked %d messages", len(seen))
	}
}

func kindMatches(k pbKind, protoType string) bool {
	switch k {
	case pbVarint:
		return strings.Contains("int32 int64 uint32 uint64 bool", protoType)
	case pbDouble64:
		return protoType == "double"
	case pbBytes64:
		return protoType == "string" || protoType == "bytes"
	case pbIDMsg:
		return strings.HasSuffix(protoType, "ID")
	case pbRawMsg:
		return v1Echoed[protoType] || protoType == "map" || protoType == "InverseOffer" || protoType == "CommandInfo"
	}
	return false
}

// The hand-written UPDATE encoder writes what the schema's encoder
// writes, for statuses with every field set and with few.
func TestPBUpdateFastPath(t *testing.T) {
	s := schema()
	m := s.messages[reflect.TypeOf(wTaskStatus{})]
	for seed := 1; seed <= 40; seed++ {
		var st wTaskStatus
		fill(s, m, reflect.ValueOf(&st).Elem(), seed, 0)
		st.Labels = nil
		switch seed % 4 {
		case 1:
			st = wTaskStatus{TaskID: st.TaskID, State: st.State, Timestamp: st.Timestamp}
		case 2:
			st.ContainerStatus.ContainerID.Parent = &wContainerID{Value: "parent", Parent: &wContainerID{Value: "root"}}
			st.Message = strings.Repeat("long ", 40)
		case 3:
			st.State, st.Source, st.Reason = "NOT_A_STATE", "", ""
			st.UUID = []byte{}
		}
		want := marshalPB(&schedEvent{Type: "UPDATE", Update: &evUpdate{Status: st}})
		if got := appendUpdatePB(nil, &st); !bytes.Equal(got, want) {
			t.Errorf("seed %d:\n got %x\nwant %x", seed, got, want)
		}
	}
}

// Equal IDs and scalars decode to one shared value, and a field sent
// twice (merged) never changes a value another field shares.
func TestPBSharedValues(t *testing.T) {
	task := func(id string) wTaskInfo {
		return wTaskInfo{Name: ptr("t"), TaskID: idp(id), AgentID: idp("agent"),
			Resources: []wResource{{Name: "cpus", Type: "SCALAR", Scalar: &wScalar{Value: 1}}}}
	}
	b := marshalPB(&wLaunch{TaskInfos: []wTaskInfo{task("a"), task("b")}})
	// A third task whose agent_id is sent twice: the second merges.
	third := marshalPB(&wLaunch{TaskInfos: []wTaskInfo{task("c")}})
	extra := appendPBID(nil, 3, "other")
	third = append(append([]byte{}, third[:1]...), appendVarint(nil, uint64(len(third)-2+len(extra)))...)
	third = append(third, marshalPB(&wLaunch{TaskInfos: []wTaskInfo{task("c")}})[2:]...)
	third = append(third, extra...)
	b = append(b, third...)
	var l wLaunch
	if err := unmarshalPB(b, &l); err != nil {
		t.Fatal(err)
	}
	ts := l.TaskInfos
	if len(ts) != 3 || ts[0].AgentID != ts[1].AgentID || ts[0].Resources[0].Scalar != ts[1].Resources[0].Scalar {
		t.Fatalf("equal values are not shared: %+v", ts)
	}
	if ts[0].TaskID == ts[1].TaskID || ts[1].TaskID.Value != "b" {
		t.Errorf("different IDs shared")
	}
	if ts[2].AgentID.Value != "other" || ts[0].AgentID.Value != "agent" || ts[2].AgentID == ts[0].AgentID {
		t.Errorf("merge changed a shared value: %q %q", ts[0].AgentID.Value, ts[2].AgentID.Value)
	}
}
