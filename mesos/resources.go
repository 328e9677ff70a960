//lint:file-ignore ST1005 the errors here carry the Mesos master's own messages, capitalised as it writes them: clients see them as plain-text bodies.

package mesos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Resources is an amount of agent resources in the units Mesos uses: CPUs,
// megabytes of memory and disk, GPUs, port ranges, and any other named
// scalars. It is the typed form used in [Config], seeding and inspection;
// the wire forms (Resource lists in the v1 API, flat maps in the legacy
// endpoints) are derived from it.
type Resources struct {
	CPUs    float64            `json:"cpus,omitempty"`
	GPUs    float64            `json:"gpus,omitempty"`
	Mem     float64            `json:"mem,omitempty"`  // MB
	Disk    float64            `json:"disk,omitempty"` // MB
	Ports   PortRanges         `json:"ports,omitempty"`
	Scalars map[string]float64 `json:"scalars,omitempty"` // other scalar resources by name
}

// PortRange is an inclusive range of ports ("[31000-32000]").
type PortRange struct {
	Begin uint64 `json:"begin"`
	End   uint64 `json:"end"`
}

// PortRanges are port ranges. In JSON they are written as a list of
// {"begin": …, "end": …} objects and read either so or as the string
// Mesos writes them in (the agent's --resources flag, the legacy
// endpoints): "[31000-32000]", "[31000-31099, 31200-31299]".
type PortRanges []PortRange

// UnmarshalJSON reads either form; a range object with other members is
// refused.
func (p *PortRanges) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		*p = nil
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v := strings.TrimSpace(s)
		rs, ok := (*wRanges)(nil), false
		if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
			rs, ok = parseRanges(v)
		}
		if !ok {
			return fmt.Errorf("ports %q are not ranges such as \"[31000-32000]\" or \"[31000-31099, 31200-31299]\"", s)
		}
		out := make(PortRanges, 0, len(rs.Range))
		for _, r := range rs.Range {
			out = append(out, PortRange{Begin: uint64(r.Begin), End: uint64(r.End)})
		}
		*p = out
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var list []PortRange
	if err := dec.Decode(&list); err != nil {
		return fmt.Errorf("ports must be a list of {\"begin\", \"end\"} ranges or a string such as \"[31000-32000]\": %v", err)
	}
	*p = list
	return nil
}

// IsZero reports whether r holds nothing.
func (r Resources) IsZero() bool {
	if r.CPUs != 0 || r.GPUs != 0 || r.Mem != 0 || r.Disk != 0 || len(r.Ports) != 0 {
		return false
	}
	for _, v := range r.Scalars {
		if v != 0 {
			return false
		}
	}
	return true
}

func (r Resources) validate() error {
	for name, v := range map[string]float64{"cpus": r.CPUs, "gpus": r.GPUs, "mem": r.Mem, "disk": r.Disk} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s must be a finite, non-negative number, not %v", name, v)
		}
	}
	for name, v := range r.Scalars {
		if name == "" || name == "ports" {
			return fmt.Errorf("scalar resource name %q is not allowed", name)
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s must be a finite, non-negative number, not %v", name, v)
		}
	}
	for _, p := range r.Ports {
		if p.Begin > p.End {
			return fmt.Errorf("port range [%d-%d] is reversed", p.Begin, p.End)
		}
	}
	return nil
}

// milli converts a scalar to the fixed-point form Mesos uses internally
// (three decimal places), so sums and differences never drift.
func milli(v float64) int64 { return int64(math.Round(v * 1000)) }

func unmilli(v int64) float64 { return float64(v) / 1000 }

// rng is one inclusive range.
type rng struct{ b, e uint64 }

// pool is a bag of resources of one reservation role: scalars in
// thousandths, ranges normalized (sorted, merged), sets sorted. Each kind
// is a short slice sorted by name (a task has two to five resources, so
// slices beat maps on both time and memory); entries never hold nothing.
type pool struct {
	scalars []scalarEntry
	ranges  []rangeEntry
	sets    []setEntry
}

type scalarEntry struct {
	name string
	v    int64
}

type rangeEntry struct {
	name string
	rs   []rng
}

type setEntry struct {
	name  string
	items []string
}

func newPool() *pool { return &pool{} }

func (p *pool) empty() bool {
	return p == nil || len(p.scalars) == 0 && len(p.ranges) == 0 && len(p.sets) == 0
}

func (p *pool) clone() *pool {
	out := &pool{}
	if p == nil {
		return out
	}
	out.scalars = append([]scalarEntry(nil), p.scalars...)
	if len(p.ranges) > 0 {
		out.ranges = make([]rangeEntry, len(p.ranges))
		for i, r := range p.ranges {
			out.ranges[i] = rangeEntry{r.name, append([]rng(nil), r.rs...)}
		}
	}
	if len(p.sets) > 0 {
		out.sets = make([]setEntry, len(p.sets))
		for i, x := range p.sets {
			out.sets[i] = setEntry{x.name, append([]string(nil), x.items...)}
		}
	}
	return out
}

func (p *pool) scalarIndex(name string) (int, bool) {
	for i := range p.scalars {
		if p.scalars[i].name >= name {
			return i, p.scalars[i].name == name
		}
	}
	return len(p.scalars), false
}

// setScalar stores v (dropping the entry when v <= 0).
func (p *pool) setScalar(name string, v int64) {
	i, ok := p.scalarIndex(name)
	switch {
	case ok && v > 0:
		p.scalars[i].v = v
	case ok:
		p.scalars = append(p.scalars[:i], p.scalars[i+1:]...)
	case v > 0:
		p.scalars = append(p.scalars, scalarEntry{})
		copy(p.scalars[i+1:], p.scalars[i:])
		p.scalars[i] = scalarEntry{name, v}
	}
}

func (p *pool) scalarMilli(name string) int64 {
	if p == nil {
		return 0
	}
	if i, ok := p.scalarIndex(name); ok {
		return p.scalars[i].v
	}
	return 0
}

func (p *pool) addScalar(name string, v int64) {
	if v == 0 {
		return
	}
	p.setScalar(name, p.scalarMilli(name)+v)
}

func (p *pool) rangeIndex(name string) (int, bool) {
	for i := range p.ranges {
		if p.ranges[i].name >= name {
			return i, p.ranges[i].name == name
		}
	}
	return len(p.ranges), false
}

func (p *pool) rangesOf(name string) []rng {
	if p == nil {
		return nil
	}
	if i, ok := p.rangeIndex(name); ok {
		return p.ranges[i].rs
	}
	return nil
}

func (p *pool) setRanges(name string, rs []rng) {
	i, ok := p.rangeIndex(name)
	switch {
	case ok && len(rs) > 0:
		p.ranges[i].rs = rs
	case ok:
		p.ranges = append(p.ranges[:i], p.ranges[i+1:]...)
	case len(rs) > 0:
		p.ranges = append(p.ranges, rangeEntry{})
		copy(p.ranges[i+1:], p.ranges[i:])
		p.ranges[i] = rangeEntry{name, rs}
	}
}

func (p *pool) addRanges(name string, rs []rng) {
	if len(rs) == 0 {
		return
	}
	p.setRanges(name, normalizeRanges(append(append([]rng(nil), p.rangesOf(name)...), rs...)))
}

func (p *pool) setIndex(name string) (int, bool) {
	for i := range p.sets {
		if p.sets[i].name >= name {
			return i, p.sets[i].name == name
		}
	}
	return len(p.sets), false
}

func (p *pool) setOf(name string) []string {
	if p == nil {
		return nil
	}
	if i, ok := p.setIndex(name); ok {
		return p.sets[i].items
	}
	return nil
}

func (p *pool) setSet(name string, items []string) {
	i, ok := p.setIndex(name)
	switch {
	case ok && len(items) > 0:
		p.sets[i].items = items
	case ok:
		p.sets = append(p.sets[:i], p.sets[i+1:]...)
	case len(items) > 0:
		p.sets = append(p.sets, setEntry{})
		copy(p.sets[i+1:], p.sets[i:])
		p.sets[i] = setEntry{name, items}
	}
}

func (p *pool) addSet(name string, items []string) {
	if len(items) == 0 {
		return
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), p.setOf(name)...), items...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	p.setSet(name, out)
}

// add adds q to p.
func (p *pool) add(q *pool) {
	if q == nil {
		return
	}
	for _, e := range q.scalars {
		p.addScalar(e.name, e.v)
	}
	for _, e := range q.ranges {
		p.addRanges(e.name, e.rs)
	}
	for _, e := range q.sets {
		p.addSet(e.name, e.items)
	}
}

// sub removes q from p, clamping at zero: what is not there cannot be taken
// (used after an agent shrank under running tasks).
func (p *pool) sub(q *pool) {
	if q == nil {
		return
	}
	for _, e := range q.scalars {
		if have := p.scalarMilli(e.name); have != 0 {
			p.setScalar(e.name, have-e.v)
		}
	}
	for _, e := range q.ranges {
		if have := p.rangesOf(e.name); len(have) > 0 {
			p.setRanges(e.name, subtractRanges(have, e.rs))
		}
	}
	for _, e := range q.sets {
		have := p.setOf(e.name)
		if len(have) == 0 {
			continue
		}
		drop := map[string]bool{}
		for _, s := range e.items {
			drop[s] = true
		}
		var left []string
		for _, s := range have {
			if !drop[s] {
				left = append(left, s)
			}
		}
		p.setSet(e.name, left)
	}
}

// contains reports whether q fits in p.
func (p *pool) contains(q *pool) bool {
	if q == nil {
		return true
	}
	for _, e := range q.scalars {
		if e.v > 0 && p.scalarMilli(e.name) < e.v {
			return false
		}
	}
	for _, e := range q.ranges {
		if len(e.rs) > 0 && len(subtractRanges(e.rs, p.rangesOf(e.name))) > 0 {
			return false
		}
	}
	for _, e := range q.sets {
		if len(e.items) == 0 {
			continue
		}
		have := map[string]bool{}
		for _, s := range p.setOf(e.name) {
			have[s] = true
		}
		for _, s := range e.items {
			if !have[s] {
				return false
			}
		}
	}
	return true
}

func (p *pool) scalar(name string) float64 { return unmilli(p.scalarMilli(name)) }

// normalizeRanges sorts and merges overlapping or adjacent ranges.
func normalizeRanges(rs []rng) []rng {
	if len(rs) == 0 {
		return nil
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].b < rs[j].b })
	out := []rng{rs[0]}
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.b <= last.e || (last.e != math.MaxUint64 && r.b == last.e+1) {
			if r.e > last.e {
				last.e = r.e
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// subtractRanges returns a minus b; both are normalized.
func subtractRanges(a, b []rng) []rng {
	var out []rng
	for _, r := range a {
		cur := []rng{r}
		for _, s := range b {
			var next []rng
			for _, c := range cur {
				if s.e < c.b || s.b > c.e {
					next = append(next, c)
					continue
				}
				if s.b > c.b {
					next = append(next, rng{c.b, s.b - 1})
				}
				if s.e < c.e {
					next = append(next, rng{s.e + 1, c.e})
				}
			}
			cur = next
		}
		out = append(out, cur...)
	}
	return out
}

// roles is a set of pools by reservation role ("*" is unreserved).
type rolePools map[string]*pool

func (rp rolePools) clone() rolePools {
	out := make(rolePools, len(rp))
	for k, v := range rp {
		out[k] = v.clone()
	}
	return out
}

func (rp rolePools) get(role string) *pool {
	p := rp[role]
	if p == nil {
		p = newPool()
		rp[role] = p
	}
	return p
}

func (rp rolePools) add(q rolePools) {
	for k, v := range q {
		rp.get(k).add(v)
	}
}

func (rp rolePools) sub(q rolePools) {
	for k, v := range q {
		if p := rp[k]; p != nil {
			p.sub(v)
			if p.empty() {
				delete(rp, k)
			}
		}
	}
}

func (rp rolePools) contains(q rolePools) bool {
	for k, v := range q {
		if !rp[k].contains(v) {
			return false
		}
	}
	return true
}

func (rp rolePools) empty() bool {
	for _, v := range rp {
		if !v.empty() {
			return false
		}
	}
	return true
}

// addScalarsTo adds every role's scalars to dst. Framework totals keep
// scalars only: they sum over agents, where ranges (ports) do not add up.
func (rp rolePools) addScalarsTo(dst *pool) {
	for _, p := range rp {
		for _, e := range p.scalars {
			dst.addScalar(e.name, e.v)
		}
	}
}

// subScalarsFrom removes every role's scalars from dst.
func (rp rolePools) subScalarsFrom(dst *pool) {
	for _, p := range rp {
		for _, e := range p.scalars {
			dst.setScalar(e.name, dst.scalarMilli(e.name)-e.v)
		}
	}
}

// sum merges every role into one pool (for totals and shares).
func (rp rolePools) sum() *pool {
	out := newPool()
	for _, v := range rp {
		out.add(v)
	}
	return out
}

func (rp rolePools) sortedRoles() []string {
	out := make([]string, 0, len(rp))
	for k := range rp {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// poolFromResources converts the typed form.
func poolFromResources(r Resources) *pool {
	p := newPool()
	p.addScalar("cpus", milli(r.CPUs))
	p.addScalar("gpus", milli(r.GPUs))
	p.addScalar("mem", milli(r.Mem))
	p.addScalar("disk", milli(r.Disk))
	for k, v := range r.Scalars {
		p.addScalar(k, milli(v))
	}
	var rs []rng
	for _, pr := range r.Ports {
		rs = append(rs, rng{pr.Begin, pr.End})
	}
	p.addRanges("ports", rs)
	return p
}

// toResources converts back to the typed form; range and set resources
// other than ports are not representable there and are left out.
func (p *pool) toResources() Resources {
	var r Resources
	if p == nil {
		return r
	}
	for _, e := range p.scalars {
		f := unmilli(e.v)
		switch e.name {
		case "cpus":
			r.CPUs = f
		case "gpus":
			r.GPUs = f
		case "mem":
			r.Mem = f
		case "disk":
			r.Disk = f
		default:
			if r.Scalars == nil {
				r.Scalars = map[string]float64{}
			}
			r.Scalars[e.name] = f
		}
	}
	for _, x := range p.rangesOf("ports") {
		r.Ports = append(r.Ports, PortRange{x.b, x.e})
	}
	return r
}

// scalarOrder is the order Mesos agents list their default resources in.
var scalarOrder = map[string]int{"cpus": 0, "gpus": 1, "mem": 2, "disk": 3}

// sortedScalars lists scalars in the order agents report them: cpus,
// gpus, mem, disk, then the others by name.
func sortedScalars(es []scalarEntry) []scalarEntry {
	out := append([]scalarEntry(nil), es...)
	sort.SliceStable(out, func(i, j int) bool {
		oi, iok := scalarOrder[out[i].name]
		oj, jok := scalarOrder[out[j].name]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return out[i].name < out[j].name
	})
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// resourceFormat selects how reservations are rendered (the formats of
// convertResourceFormat in src/common/resources_utils.cpp) and the
// allocation role stamped on them.
type resourceFormat struct {
	allocationRole string // set on offered and allocated resources
	reservations   reservationFormat
}

type reservationFormat int

const (
	// endpointFormat has both forms: "role" ("*" when unreserved) and,
	// for reserved resources, "reservations".
	endpointFormat reservationFormat = iota
	// preRefinementFormat has "role" only: offers to frameworks without
	// the RESERVATION_REFINEMENT capability.
	preRefinementFormat
	// postRefinementFormat has "reservations" only (no "role", not even
	// for unreserved resources): offers to frameworks with it.
	postRefinementFormat
)

// wire renders the pools as a v1 Resource list, role by role.
func (rp rolePools) wire(f resourceFormat) []wResource {
	out := []wResource{}
	for _, role := range rp.sortedRoles() {
		out = append(out, rp[role].wire(role, f)...)
	}
	return out
}

func (p *pool) wire(role string, f resourceFormat) []wResource {
	if p == nil {
		return nil
	}
	var out []wResource
	decorate := func(r *wResource) {
		if f.reservations != postRefinementFormat {
			r.Role = role
		}
		if role != "*" && f.reservations != preRefinementFormat {
			r.Reservations = []wReservation{{Type: "STATIC", Role: role}}
		}
		if f.allocationRole != "" {
			r.AllocationInfo = &wAllocationInfo{Role: f.allocationRole}
		}
	}
	for _, e := range sortedScalars(p.scalars) {
		r := wResource{Name: e.name, Type: "SCALAR", Scalar: &wScalar{Value: pbDouble(unmilli(e.v))}}
		decorate(&r)
		out = append(out, r)
	}
	for _, e := range p.ranges {
		wr := &wRanges{}
		for _, x := range e.rs {
			wr.Range = append(wr.Range, wRange{Begin: pbUint(x.b), End: pbUint(x.e)})
		}
		r := wResource{Name: e.name, Type: "RANGES", Ranges: wr}
		decorate(&r)
		out = append(out, r)
	}
	for _, e := range p.sets {
		r := wResource{Name: e.name, Type: "SET", Set: &wSet{Item: append([]string(nil), e.items...)}}
		decorate(&r)
		out = append(out, r)
	}
	return out
}

// flat renders pools the way the legacy endpoints do: one map with the
// scalars (cpus, gpus, mem and disk always present), ranges as
// "[a-b, c-d]" and sets as "{a, b}".
func (p *pool) flat() map[string]any {
	out := map[string]any{"cpus": 0.0, "gpus": 0.0, "mem": 0.0, "disk": 0.0}
	if p == nil {
		return out
	}
	for _, e := range p.scalars {
		out[e.name] = unmilli(e.v)
	}
	for _, e := range p.ranges {
		out[e.name] = formatRanges(e.rs)
	}
	for _, e := range p.sets {
		out[e.name] = "{" + strings.Join(e.items, ", ") + "}"
	}
	return out
}

func formatRanges(rs []rng) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.FormatUint(r.b, 10) + "-" + strconv.FormatUint(r.e, 10)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// String renders pools as Mesos stringifies Resources in messages:
// "cpus:1; mem:128; ports:[31000-31000]", reserved ones as "cpus(role):1".
func (rp rolePools) String() string {
	var parts []string
	for _, role := range rp.sortedRoles() {
		p := rp[role]
		suffix := ""
		if role != "*" {
			suffix = "(reservations: [(STATIC," + role + ")])"
		}
		for _, e := range sortedScalars(p.scalars) {
			parts = append(parts, e.name+suffix+":"+strconv.FormatFloat(unmilli(e.v), 'f', -1, 64))
		}
		for _, e := range p.ranges {
			parts = append(parts, e.name+suffix+":"+formatRanges(e.rs))
		}
		for _, e := range p.sets {
			parts = append(parts, e.name+suffix+":{"+strings.Join(e.items, ", ")+"}")
		}
	}
	if len(parts) == 0 {
		return "{}"
	}
	return strings.Join(parts, "; ")
}

// minAllocatable is Mesos's default --min_allocatable_resources
// ("cpus:0.01|mem:32"): an offer needs at least one of them.
func allocatable(p *pool) bool {
	return p.scalarMilli("cpus") >= 10 || p.scalarMilli("mem") >= 32000
}

// poolsFromWire converts resources from a request into pools by
// reservation role, reporting anything Mesos would refuse.
func poolsFromWire(rs []wResource) (rolePools, error) {
	out := rolePools{}
	for _, r := range rs {
		if r.Name == "" {
			return nil, fmt.Errorf("Empty resource name")
		}
		role := r.reservationRole()
		p := out.get(role)
		switch r.Type {
		case "SCALAR":
			if r.Scalar == nil {
				return nil, fmt.Errorf("Invalid scalar resource %s: the scalar is missing", r.Name)
			}
			v := float64(r.Scalar.Value)
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("Invalid scalar resource %s: %v", r.Name, v)
			}
			p.addScalar(r.Name, milli(v))
		case "RANGES":
			if r.Ranges == nil {
				return nil, fmt.Errorf("Invalid ranges resource %s: the ranges are missing", r.Name)
			}
			var rr []rng
			for _, x := range r.Ranges.Range {
				if x.Begin > x.End {
					return nil, fmt.Errorf("Invalid ranges resource %s: [%d-%d] is reversed", r.Name, x.Begin, x.End)
				}
				rr = append(rr, rng{uint64(x.Begin), uint64(x.End)})
			}
			p.addRanges(r.Name, rr)
		case "SET":
			if r.Set == nil {
				return nil, fmt.Errorf("Invalid set resource %s: the set is missing", r.Name)
			}
			p.addSet(r.Name, r.Set.Item)
		default:
			return nil, fmt.Errorf("Unsupported resource type %q for %s", r.Type, r.Name)
		}
	}
	for k, v := range out {
		if v.empty() {
			delete(out, k)
		}
	}
	return out, nil
}

// allocationRoles returns the distinct allocation roles named by rs.
func allocationRoles(rs []wResource) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		if r.AllocationInfo != nil && r.AllocationInfo.Role != "" && !seen[r.AllocationInfo.Role] {
			seen[r.AllocationInfo.Role] = true
			out = append(out, r.AllocationInfo.Role)
		}
	}
	return out
}

// sameResources reports, cheaply, whether two resource lists are equal
// scalars (what consecutive tasks of a launch usually ask for), so that
// they can share what was made of the first. Anything else (ranges,
// sets, reservations, disks …) is never the same here.
func sameResources(a, b []wResource) bool {
	for i := range a {
		x, y := &a[i], &b[i]
		if !plainScalar(x) || !plainScalar(y) || x.Name != y.Name || x.Type != y.Type || x.Role != y.Role ||
			x.Scalar.Value != y.Scalar.Value {
			return false
		}
	}
	return true
}

func plainScalar(r *wResource) bool {
	return r.Scalar != nil && r.Ranges == nil && r.Set == nil && r.ProviderID == nil && r.AllocationInfo == nil &&
		r.Reservation == nil && len(r.Reservations) == 0 && r.Disk == nil && r.Revocable == nil && r.Shared == nil
}
