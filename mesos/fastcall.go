package mesos

import (
	"encoding/json"
	"math"
	"strconv"
)

// A busy scheduler's calls are mostly ACCEPTs of LAUNCH operations with
// thousands of TaskInfos, which encoding/json decodes by reflection at a
// cost that dominates launching them. decodeCallFast reads that common
// shape directly. It accepts a strict subset of JSON only: the members
// below by their exact names, each at most once; strings of printable
// ASCII without escapes; numbers in JSON's grammar; for a command, any
// JSON value, checked as encoding/json checks it. On anything else it
// reports false, having set nothing, and the caller decodes the body with
// encoding/json as before, so every error message and every unusual form
// (null, numeric strings, case-folded names, duplicates, unknown members)
// is exactly what it was. What it does decode is what encoding/json
// produces for the same body (FuzzDecodeCallFast holds it to that).
//
//	call:      framework_id (ID), type, accept
//	accept:    offer_ids ([ID]), operations, filters ({refuse_seconds})
//	operation: type, id (ID), launch ({task_infos})
//	task info: name, task_id (ID), agent_id (ID), command (any JSON, kept raw), resources
//	resource:  name, type, role, scalar ({value}), allocation_info ({role})
func decodeCallFast(body []byte, c *schedCall) bool {
	p := callParser{b: body}
	var out schedCall
	if !p.call(&out) {
		return false
	}
	p.ws()
	if p.i != len(p.b) {
		return false
	}
	*c = out
	return true
}

// callParser reads one body. The small members of many TaskInfos (IDs,
// names, scalars, raw messages) are carved from slabs it allocates a few
// hundred at a time, instead of one allocation each.
type callParser struct {
	b       []byte
	i       int
	ids     []wID
	strs    []string
	scalars []wScalar
	raw     []byte
	// Consecutive TaskInfos usually repeat the same strings (the agent's
	// ID, a name, resource names): the last of each is reused.
	last [4]string
	// They often repeat their name, command and resources too: a member
	// the same, byte for byte, as the last one read shares its value
	// (nothing changes a decoded TaskInfo).
	lastName    *string
	lastAgent   *wID
	lastCommand json.RawMessage
	lastRes     []byte
	lastResVal  []wResource
}

// slabSize is how many members a slab holds.
const slabSize = 256

func slabNext[T any](slab *[]T) *T {
	if len(*slab) == cap(*slab) {
		*slab = make([]T, 0, slabSize)
	}
	*slab = append(*slab, *new(T))
	return &(*slab)[len(*slab)-1]
}

func (p *callParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// eat skips white space and then c, reporting whether c was there.
func (p *callParser) eat(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// plain reads a string of printable ASCII without escapes and returns
// its bytes (which alias the body).
func (p *callParser) plain() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return p.b[start : p.i-1], true
		case c < 0x20 || c >= 0x80 || c == '\\':
			return nil, false
		}
		p.i++
	}
	return nil, false
}

// str reads a plain string; a repeat of the last one read into the same
// slot is shared rather than copied.
func (p *callParser) str(slot int) (string, bool) {
	b, ok := p.plain()
	if !ok {
		return "", false
	}
	if string(b) != p.last[slot] {
		p.last[slot] = string(b)
	}
	return p.last[slot], true
}

// object reads an object, calling member for each member name (with the
// position after its colon); member reads the value. A name seen before,
// or one member does not know, ends the parse.
func (p *callParser) object(member func(name []byte, seen *uint32) bool) bool {
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return true
	}
	var seen uint32
	for {
		name, ok := p.plain()
		if !ok || !p.eat(':') || !member(name, &seen) {
			return false
		}
		if p.eat('}') {
			return true
		}
		if !p.eat(',') {
			return false
		}
	}
}

// once marks member bit in seen, reporting false for a repeated member.
func once(seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// list reads an array into a slice (an empty array is an empty, non-nil
// slice, as encoding/json makes it). A long list (counted) is sized by
// counting its elements first; short ones grow as they are read.
func list[T any](p *callParser, counted bool, elem func(*T) bool) ([]T, bool) {
	if !p.eat('[') {
		return nil, false
	}
	if p.eat(']') {
		return []T{}, true
	}
	n := 1
	if counted {
		n = p.count()
	}
	out := make([]T, 0, n)
	for {
		out = append(out, *new(T))
		if !elem(&out[len(out)-1]) {
			return nil, false
		}
		if p.eat(']') {
			return out, true
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

// count counts the elements of the array whose first element is ahead,
// without checking them or moving past them: the count only sizes the
// slice, and a malformed array that throws it off is refused by the parse
// that follows.
func (p *callParser) count() int {
	n, depth := 1, 0
	for i := p.i; i < len(p.b); i++ {
		switch p.b[i] {
		case '"':
			for i++; i < len(p.b) && p.b[i] != '"'; i++ {
				if p.b[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			depth++
		case ']', '}':
			if depth--; depth < 0 {
				return n
			}
		case ',':
			if depth == 0 {
				n++
			}
		}
	}
	return n
}

// double reads a number as pbDouble.UnmarshalJSON does: out of range is
// infinite.
func (p *callParser) double() (pbDouble, bool) {
	p.ws()
	start := p.i
	var ok bool
	if p.i >= len(p.b) || p.b[p.i] != '-' && (p.b[p.i] < '0' || p.b[p.i] > '9') {
		return 0, false
	}
	if p.i, ok = number(p.b, p.i); !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	return pbDouble(f), true
}

// rawValue copies one value as json.RawMessage keeps it.
func (p *callParser) rawValue() (json.RawMessage, bool) {
	p.ws()
	start := p.i
	var ok bool
	if p.i, ok = value(p.b, p.i, commandDepth); !ok { // as encoding/json checks it (calltype.go)
		return nil, false
	}
	v := p.b[start:p.i]
	if cap(p.raw)-len(p.raw) < len(v) {
		p.raw = make([]byte, 0, max(4096, len(v)))
	}
	n := len(p.raw)
	p.raw = append(p.raw, v...)
	return p.raw[n:len(p.raw):len(p.raw)], true
}

// id reads an ID message with its value, as wID.UnmarshalJSON does. The
// agent's, which every TaskInfo of an ACCEPT names, is shared.
func (p *callParser) id(slot int) (*wID, bool) {
	var v wID
	ok := p.object(func(name []byte, seen *uint32) bool {
		if string(name) != "value" || !once(seen, 1) {
			return false
		}
		var ok bool
		v.Value, ok = p.str(slot)
		v.set = true
		return ok
	})
	if !ok {
		return nil, false
	}
	if slot == slotAgent && p.lastAgent != nil && *p.lastAgent == v {
		return p.lastAgent, true
	}
	id := slabNext(&p.ids)
	*id = v
	if slot == slotAgent {
		p.lastAgent = id
	}
	return id, true
}

// commandDepth is how deep in a call a task's command is: inside the
// call, accept, operations, the operation, launch, task_infos and the
// TaskInfo, which count towards encoding/json's nesting limit.
const commandDepth = 7

// The slots of callParser.last: which string a repeat is compared with.
const (
	slotType = iota
	slotAgent
	slotName
	slotOther
)

func (p *callParser) call(c *schedCall) bool {
	return p.object(func(name []byte, seen *uint32) bool {
		var ok bool
		switch string(name) {
		case "framework_id":
			if ok = once(seen, 1); ok {
				c.FrameworkID, ok = p.id(slotOther)
			}
		case "type":
			if ok = once(seen, 2); ok {
				c.Type, ok = p.str(slotType)
			}
		case "accept":
			if ok = once(seen, 4); ok {
				c.Accept = &acceptCall{}
				ok = p.accept(c.Accept)
			}
		}
		return ok
	})
}

func (p *callParser) accept(a *acceptCall) bool {
	return p.object(func(name []byte, seen *uint32) bool {
		var ok bool
		switch string(name) {
		case "offer_ids":
			if ok = once(seen, 1); ok {
				a.OfferIDs, ok = list(p, false, func(id *wID) bool {
					x, ok := p.id(slotOther)
					if ok {
						*id = *x
					}
					return ok
				})
			}
		case "operations":
			if ok = once(seen, 2); ok {
				a.Operations, ok = list(p, false, p.operation)
			}
		case "filters":
			if ok = once(seen, 4); ok {
				a.Filters = &wFilters{}
				ok = p.filters(a.Filters)
			}
		}
		return ok
	})
}

func (p *callParser) filters(f *wFilters) bool {
	return p.object(func(name []byte, seen *uint32) bool {
		if string(name) != "refuse_seconds" || !once(seen, 1) {
			return false
		}
		d, ok := p.double()
		f.RefuseSeconds = &d
		return ok
	})
}

func (p *callParser) operation(op *wOperation) bool {
	return p.object(func(name []byte, seen *uint32) bool {
		var ok bool
		switch string(name) {
		case "type":
			if ok = once(seen, 1); ok {
				op.Type, ok = p.str(slotType)
			}
		case "id":
			if ok = once(seen, 2); ok {
				op.ID, ok = p.id(slotOther)
			}
		case "launch":
			if ok = once(seen, 4); ok {
				op.Launch = &wLaunch{}
				ok = p.launch(op.Launch)
			}
		}
		return ok
	})
}

func (p *callParser) launch(l *wLaunch) bool {
	return p.object(func(name []byte, seen *uint32) bool {
		if string(name) != "task_infos" || !once(seen, 1) {
			return false
		}
		var ok bool
		l.TaskInfos, ok = list(p, true, p.taskInfo)
		return ok
	})
}

func (p *callParser) taskInfo(t *wTaskInfo) bool {
	return p.object(func(name []byte, seen *uint32) bool {
		var ok bool
		switch string(name) {
		case "name":
			if ok = once(seen, 1); ok {
				t.Name, ok = p.name()
			}
		case "task_id":
			if ok = once(seen, 2); ok {
				t.TaskID, ok = p.id(slotOther)
			}
		case "agent_id":
			if ok = once(seen, 4); ok {
				t.AgentID, ok = p.id(slotAgent)
			}
		case "command":
			if ok = once(seen, 8); ok {
				t.Command, ok = p.command()
			}
		case "resources":
			if ok = once(seen, 16); ok {
				t.Resources, ok = p.resources()
			}
		}
		return ok
	})
}

func (p *callParser) name() (*string, bool) {
	s, ok := p.str(slotName)
	if !ok {
		return nil, false
	}
	if p.lastName == nil || *p.lastName != s {
		p.lastName = slabNext(&p.strs)
		*p.lastName = s
	}
	return p.lastName, true
}

// repeat moves past last if the body goes on with it: a repeat of the
// last (complete, valid) value read.
func (p *callParser) repeat(last []byte) bool {
	p.ws()
	if len(last) > 0 && len(p.b)-p.i >= len(last) && string(p.b[p.i:p.i+len(last)]) == string(last) {
		p.i += len(last)
		return true
	}
	return false
}

// command reads a CommandInfo as rawMsg.UnmarshalJSON keeps it.
func (p *callParser) command() (rawMsg, bool) {
	if !p.repeat(p.lastCommand) {
		v, ok := p.rawValue()
		if !ok {
			return rawMsg{}, false
		}
		p.lastCommand = v
	}
	if isNull(p.lastCommand) {
		return rawMsg{}, true
	}
	return rawMsg{json: p.lastCommand}, true
}

func (p *callParser) resources() ([]wResource, bool) {
	if p.repeat(p.lastRes) {
		return p.lastResVal, true
	}
	start := p.i
	rs, ok := list(p, false, p.resource)
	if ok {
		p.lastRes, p.lastResVal = p.b[start:p.i], rs
	}
	return rs, ok
}

func (p *callParser) resource(r *wResource) bool {
	return p.object(func(name []byte, seen *uint32) bool {
		var ok bool
		switch string(name) {
		case "name":
			if ok = once(seen, 1); ok {
				r.Name, ok = p.resourceWord()
			}
		case "type":
			if ok = once(seen, 2); ok {
				r.Type, ok = p.resourceWord()
			}
		case "role":
			if ok = once(seen, 4); ok {
				r.Role, ok = p.resourceWord()
			}
		case "scalar":
			if ok = once(seen, 8); ok {
				r.Scalar = slabNext(&p.scalars)
				ok = p.object(func(name []byte, seen *uint32) bool {
					if string(name) != "value" || !once(seen, 1) {
						return false
					}
					var ok bool
					r.Scalar.Value, ok = p.double()
					return ok
				})
			}
		case "allocation_info":
			if ok = once(seen, 16); ok {
				r.AllocationInfo = &wAllocationInfo{}
				ok = p.object(func(name []byte, seen *uint32) bool {
					if string(name) != "role" || !once(seen, 1) {
						return false
					}
					var ok bool
					r.AllocationInfo.Role, ok = p.resourceWord()
					return ok
				})
			}
		}
		return ok
	})
}

// resourceWord reads a resource's name, type or role: usually one of a
// few words, which are not copied.
func (p *callParser) resourceWord() (string, bool) {
	b, ok := p.plain()
	if !ok {
		return "", false
	}
	switch string(b) {
	case "cpus":
		return "cpus", true
	case "mem":
		return "mem", true
	case "disk":
		return "disk", true
	case "SCALAR":
		return "SCALAR", true
	case "*":
		return "*", true
	}
	return string(b), true
}
