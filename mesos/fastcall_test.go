package mesos

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// fastCallSeeds are bodies in and around the shape decodeCallFast reads.
var fastCallSeeds = []string{
	benchAcceptBody(3),
	`{"framework_id":{"value":"f"},"type":"ACCEPT","accept":{"offer_ids":[],"operations":[]}}`,
	` { "type" : "ACCEPT" , "framework_id" : { "value" : "f" } , "accept" : { "filters" : { "refuse_seconds" : 1e999 } } } ` + "\n",
	`{"type":"ACCEPT","accept":{"offer_ids":[{}],"operations":[{"type":"LAUNCH","id":{"value":""},"launch":{}}]}}`,
	`{"type":"ACCEPT","accept":{"operations":[{"launch":{"task_infos":[{}]}}],"filters":{}}}`,
	`{"type":"ACCEPT","accept":{"operations":[{"launch":{"task_infos":[{"name":"","resources":[],"command":null}]}}]}}`,
	`{"type":"ACCEPT","accept":{"operations":[{"launch":{"task_infos":[{"command":{"a":[1,-0.5e+3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"],"b":{}},"resources":[{"scalar":{}},{"scalar":{"value":-0}},{"scalar":{"value":1E-400}},{"allocation_info":{"role":"r"},"role":"r","name":"n","type":"SET"}]}]}}]}}`,
	`{"type":"ACCEPT","type":"DECLINE"}`,
	`{"Type":"ACCEPT"}`,
	`{"type":"ACCEPT","accept":{"filters":{"refuse_seconds":"5"}}}`,
	`{"type":"ACCEPT","accept":{"filters":{"refuse_seconds":null}}}`,
	`{"type":"ACCEPT","accept":{"operations":[{"launch":{"task_infos":[{"command":{"value":"é"}}]}}]}}`,
	`{"type":"ACCEPT","accept":{"operations":[{"launch":{"task_infos":[{"command":{"value":"\x"}}]}}]}}`,
	`{"type":"ACCEPT","accept":{"operations":[{"launch":{"task_infos":[{"command":01}]}}]}}`,
	`{"type":"ACCEPT","accept":{"operations":[{"launch":{"task_infos":[{"command":{"a":1,}}]}}]}}`,
	`{"type":"ACCEPT","accept":{"operations":[{"launch":{"task_infos":[{"resources":[{"scalar":{"value":1.}}]}]}}]}}`,
	`{"type":"ACCEPT","accept":{"offer_ids":[{"value":"a"},]}}`,
	`{"type":"ACCEPT"} {}`, `{"type":"A\"CCEPT"}`, `{"type":"ACCEPT",}`, `{,}`, `{}`, `[]`, ``, `{"type":1}`,
}

// benchAcceptBody is an ACCEPT launching n tasks as the benchmark does.
func benchAcceptBody(n int) string {
	var b strings.Builder
	b.WriteString(`{"framework_id":{"value":"fw-1"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"o-1"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[`)
	for t := 0; t < n; t++ {
		if t > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"t","task_id":{"value":"t%d"},"agent_id":{"value":"a-S0"},"command":{"value":"true"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1}},{"name":"mem","type":"SCALAR","scalar":{"value":64}}]}`, t)
	}
	b.WriteString(`]}}],"filters":{"refuse_seconds":0.5}}}`)
	return b.String()
}

// FuzzDecodeCallFast: whatever decodeCallFast accepts, encoding/json
// accepts too and decodes to the same call.
func FuzzDecodeCallFast(f *testing.F) {
	for _, s := range append(fastCallSeeds, schedulerSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast schedCall
		if !decodeCallFast(body, &fast) {
			if !reflect.DeepEqual(fast, schedCall{}) {
				t.Fatalf("refused %q but set %+v", body, fast)
			}
			return
		}
		var slow schedCall
		if err := json.Unmarshal(body, &slow); err != nil {
			t.Fatalf("fast path took %q, encoding/json refuses it: %v", body, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			a, _ := json.Marshal(fast)
			b, _ := json.Marshal(slow)
			t.Fatalf("%q decodes differently:\nfast %s\njson %s", body, a, b)
		}
	})
}

// TestDecodeCallFastTakes: the shapes it is for do take the fast path.
func TestDecodeCallFastTakes(t *testing.T) {
	for _, s := range fastCallSeeds[:7] {
		var c schedCall
		if !decodeCallFast([]byte(s), &c) {
			t.Errorf("slow path for %s", s)
		}
	}
	var c schedCall
	if !decodeCallFast([]byte(benchAcceptBody(1000)), &c) || len(c.Accept.Operations[0].Launch.TaskInfos) != 1000 {
		t.Fatal("the benchmark's ACCEPT is not read by the fast path")
	}
}

// TestDecodeCallFastDepth: a command nested to encoding/json's limit is
// read, one level deeper is left to encoding/json to refuse.
func TestDecodeCallFastDepth(t *testing.T) {
	for _, n := range []int{9992, 9993, 9994} {
		body := []byte(`{"type":"ACCEPT","accept":{"operations":[{"launch":{"task_infos":[{"command":` +
			strings.Repeat("[", n) + strings.Repeat("]", n) + `}]}}]}}`)
		var fast, slow schedCall
		fastOK, slowErr := decodeCallFast(body, &fast), json.Unmarshal(body, &slow)
		if fastOK != (slowErr == nil) {
			t.Errorf("depth %d: fast path %v, encoding/json %v", n, fastOK, slowErr)
		}
	}
}
