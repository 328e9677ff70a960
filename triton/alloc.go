package triton

import (
	"time"
)

// freeIndex orders setup servers by unreserved RAM, most first (then by
// UUID): a treap, so a provision walks from the emptiest server and stops
// at the first that passes the filters, never scanning every CN.
type freeIndex struct {
	root *server
	n    int
}

// before reports whether a sorts before b: more unreserved RAM first.
func before(a, b *server) bool {
	ra, rb := a.unreservedRAM(), b.unreservedRAM()
	if ra != rb {
		return ra > rb
	}
	return a.uuid < b.uuid
}

func (f *freeIndex) insert(s *server) {
	if s.inIndex {
		return
	}
	s.left, s.right = nil, nil
	if s.prio == 0 {
		s.prio = hash32(s.uuid) | 1
	}
	f.root = treapInsert(f.root, s)
	s.inIndex = true
	f.n++
}

func treapInsert(root, s *server) *server {
	if root == nil {
		return s
	}
	if before(s, root) {
		root.left = treapInsert(root.left, s)
		if root.left.prio > root.prio {
			root = rotateRight(root)
		}
	} else {
		root.right = treapInsert(root.right, s)
		if root.right.prio > root.prio {
			root = rotateLeft(root)
		}
	}
	return root
}

func rotateRight(n *server) *server {
	l := n.left
	n.left, l.right = l.right, n
	return l
}

func rotateLeft(n *server) *server {
	r := n.right
	n.right, r.left = r.left, n
	return r
}

// remove takes s out; call it before s's unreserved RAM changes.
func (f *freeIndex) remove(s *server) {
	if !s.inIndex {
		return
	}
	f.root = treapRemove(f.root, s)
	s.inIndex = false
	s.left, s.right = nil, nil
	f.n--
}

func treapRemove(root, s *server) *server {
	if root == nil {
		return nil
	}
	switch {
	case root == s:
		return treapMerge(root.left, root.right)
	case before(s, root):
		root.left = treapRemove(root.left, s)
	default:
		root.right = treapRemove(root.right, s)
	}
	return root
}

func treapMerge(a, b *server) *server {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = treapMerge(a.right, b)
		return a
	default:
		b.left = treapMerge(a, b.left)
		return b
	}
}

// ascend calls f on servers from the most unreserved RAM down until f
// returns false.
func (f *freeIndex) ascend(fn func(*server) bool) {
	var walk func(*server) bool
	walk = func(n *server) bool {
		if n == nil {
			return true
		}
		return walk(n.left) && fn(n) && walk(n.right)
	}
	walk(f.root)
}

// reindexLocked runs change on s (which moves its unreserved RAM) and puts
// it back where it belongs.
func (t *Triton) reindexLocked(s *server, change func()) {
	in := s.inIndex
	t.dc.free.remove(s)
	change()
	if in {
		t.dc.free.insert(s)
	}
}

// AllocRequest is what the allocator places: sdc-designation's inputs
// that matter here.
type AllocRequest struct {
	RAM       int64           // MiB
	QuotaGiB  int64           // disk
	CPUCap    int64           //
	Traits    map[string]any  // the package's and image's traits
	Servers   []string        // only these, when given
	Avoid     map[string]bool // never these (CloudAPI's != affinity)
	OwnerUUID string
	Alias     string
}

// allocateLocked is sdc-designation's answer where it matters: setup,
// running, not reserved (nor a headnode), enough unreserved RAM and disk,
// traits that match, under the VM cap, and chaos's refusals; scored by
// unreserved RAM, so the emptiest server wins. The walk starts at the most
// free RAM and stops at the first server that fits, or as soon as none
// left can hold the RAM.
func (t *Triton) allocateLocked(req AllocRequest, now time.Time) (*server, error) {
	if len(req.Servers) > 0 {
		return t.allocateAmongLocked(req, now)
	}
	var chosen *server
	reason := "no servers available"
	if t.dc.free.n > 0 {
		reason = "no servers have enough unreserved RAM"
	}
	t.dc.free.ascend(func(s *server) bool {
		if s.unreservedRAM() < req.RAM {
			return false
		}
		if why := t.refuseLocked(s, req, now); why != "" {
			reason = why
			return true
		}
		chosen = s
		return false
	})
	if chosen == nil {
		return nil, noAllocatable(reason)
	}
	return chosen, nil
}

func (t *Triton) allocateAmongLocked(req AllocRequest, now time.Time) (*server, error) {
	var chosen *server
	reason := "no servers available"
	for _, u := range req.Servers {
		s := t.dc.servers[u]
		if s == nil {
			continue
		}
		if !s.inIndex || s.unreservedRAM() < req.RAM {
			reason = "no servers have enough unreserved RAM"
			continue
		}
		if why := t.refuseLocked(s, req, now); why != "" {
			reason = why
			continue
		}
		if chosen == nil || before(s, chosen) {
			chosen = s
		}
	}
	if chosen == nil {
		return nil, noAllocatable(reason)
	}
	return chosen, nil
}

// refuseLocked is why s cannot take req ("" when it can).
func (t *Triton) refuseLocked(s *server, req AllocRequest, now time.Time) string {
	switch {
	case req.Avoid[s.uuid]:
		return "no servers left by affinity rules"
	case !s.allocatable(now, t.dc.epoch):
		return "no servers are running, setup and unreserved"
	case len(s.vms) >= t.cfg.vmCap:
		return "no servers have fewer than " + itoa(t.cfg.vmCap) + " VMs"
	case s.unreservedDisk() < req.QuotaGiB*1024:
		return "no servers have enough unreserved disk"
	case !traitsMatch(s.traits, req.Traits):
		return "no servers with matching traits"
	}
	return ""
}

// traitsMatch is designation's hard-filter-traits: a server with traits
// takes only VMs asking for them, and a VM asking for traits only servers
// that have them.
func traitsMatch(server, want map[string]any) bool {
	for k, v := range want {
		sv, ok := server[k]
		if !ok || !traitEqual(sv, v) {
			return false
		}
	}
	for k := range server {
		if _, ok := want[k]; !ok {
			return false
		}
	}
	return true
}

func traitEqual(a, b any) bool {
	if list, ok := a.([]any); ok {
		for _, x := range list {
			if traitEqual(x, b) {
				return true
			}
		}
		return false
	}
	return fmtAny(a) == fmtAny(b)
}
