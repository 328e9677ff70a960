package mesos

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ports(rs ...rng) *pool {
	p := newPool()
	p.addRanges("ports", rs)
	return p
}

func TestPoolArithmetic(t *testing.T) {
	a := poolFromResources(Resources{CPUs: 4, Mem: 1024, Ports: []PortRange{{31000, 31010}, {31011, 31020}, {32000, 32000}}})
	if got := formatRanges(a.rangesOf("ports")); got != "[31000-31020, 32000-32000]" {
		t.Errorf("ranges normalized to %s", got)
	}
	task := poolFromResources(Resources{CPUs: 0.1, Mem: 128, Ports: []PortRange{{31005, 31006}}})
	if !a.contains(task) {
		t.Fatalf("%v does not contain %v", a, task)
	}
	left := a.clone()
	left.sub(task)
	if got := (rolePools{"*": left}).String(); got != "cpus:3.9; mem:896; ports:[31000-31004, 31007-31020, 32000-32000]" {
		t.Errorf("after taking a task: %s", got)
	}
	if left.contains(task) {
		t.Errorf("the taken ports are still there")
	}
	left.add(task)
	if diff := cmp.Diff(a.toResources(), left.toResources()); diff != "" {
		t.Errorf("sub then add (-want +got):\n%s", diff)
	}
	// Fixed point: a thousand tenths are a hundred, exactly.
	p := newPool()
	for i := 0; i < 1000; i++ {
		p.addScalar("cpus", milli(0.1))
	}
	if p.scalar("cpus") != 100 {
		t.Errorf("1000 x 0.1 = %v", p.scalar("cpus"))
	}
	// Taking more than there is leaves nothing, not a negative amount.
	small := poolFromResources(Resources{CPUs: 1})
	small.sub(poolFromResources(Resources{CPUs: 2, Mem: 5}))
	if !small.empty() {
		t.Errorf("over-subtraction left %v", small.scalars)
	}
	sets := newPool()
	sets.addSet("gpus_ids", []string{"b", "a", "b"})
	if got := sets.flat()["gpus_ids"]; got != "{a, b}" {
		t.Errorf("set flattened to %v", got)
	}
	if !ports(rng{1, 10}).contains(ports(rng{2, 3}, rng{9, 10})) || ports(rng{1, 10}).contains(ports(rng{10, 11})) {
		t.Errorf("range containment is wrong")
	}
	if got := formatRanges(subtractRanges([]rng{{1, 10}}, []rng{{1, 1}, {5, 6}, {10, 20}})); got != "[2-4, 7-9]" {
		t.Errorf("subtract: %s", got)
	}
}

func TestRolePoolsWire(t *testing.T) {
	rp := rolePools{
		"*":   poolFromResources(Resources{CPUs: 1, Disk: 10, Scalars: map[string]float64{"bandwidth": 100}}),
		"web": poolFromResources(Resources{Mem: 64}),
	}
	b, _ := json.Marshal(rp.wire(resourceFormat{allocationRole: "web"}))
	want := `[{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*","allocation_info":{"role":"web"}},` +
		`{"name":"disk","type":"SCALAR","scalar":{"value":10},"role":"*","allocation_info":{"role":"web"}},` +
		`{"name":"bandwidth","type":"SCALAR","scalar":{"value":100},"role":"*","allocation_info":{"role":"web"}},` +
		`{"name":"mem","type":"SCALAR","scalar":{"value":64},"role":"web","allocation_info":{"role":"web"},"reservations":[{"type":"STATIC","role":"web"}]}]`
	if string(b) != want {
		t.Errorf("wire:\n got %s\nwant %s", b, want)
	}
	back, err := poolsFromWire(rp.wire(resourceFormat{}))
	if err != nil {
		t.Fatal(err)
	}
	if !back.contains(rp) || !rp.contains(back) {
		t.Errorf("round trip: %s != %s", back, rp)
	}
	for _, bad := range [][]wResource{
		{{Name: "cpus", Type: "SCALAR"}},
		{{Name: "cpus", Type: "SCALAR", Scalar: &wScalar{Value: -1}}},
		{{Name: "ports", Type: "RANGES", Ranges: &wRanges{Range: []wRange{{Begin: 5, End: 4}}}}},
		{{Name: "x", Type: "TEXT"}},
		{{Type: "SCALAR", Scalar: &wScalar{Value: 1}}},
	} {
		if _, err := poolsFromWire(bad); err == nil {
			t.Errorf("poolsFromWire(%+v) accepted", bad)
		}
	}
}

func TestParseAttribute(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"r1", `{"name":"a","type":"TEXT","text":{"value":"r1"}}`},
		{"2.5", `{"name":"a","type":"SCALAR","scalar":{"value":2.5}}`},
		{"[1-2, 5-9]", `{"name":"a","type":"RANGES","ranges":{"range":[{"begin":1,"end":2},{"begin":5,"end":9}]}}`},
		{"{x, y}", `{"name":"a","type":"SET","set":{"item":["x","y"]}}`},
		{"[9-1]", `{"name":"a","type":"TEXT","text":{"value":"[9-1]"}}`},
	} {
		b, _ := json.Marshal(parseAttribute("a", tc.in))
		if string(b) != tc.want {
			t.Errorf("%q: %s, want %s", tc.in, b, tc.want)
		}
	}
}

func TestMesosDuration(t *testing.T) {
	for d, want := range map[string]string{"1s": "1secs", "1.5s": "1.5secs", "10m": "10mins", "500ms": "500ms", "2h": "2hrs", "0s": "0ns"} {
		if got := mesosDuration(mustDuration(d)); got != want {
			t.Errorf("%s: %s, want %s", d, got, want)
		}
	}
}
