package triton

import (
	"container/heap"
	"time"
)

// dc is the data center's state, behind Triton.mu.
type dc struct {
	name  string
	epoch time.Time // CNAPI started: its reconciler ticks every 5 s from here

	servers     map[string]*server
	serverOrder []*server // by UUID, as CNAPI lists them
	free        freeIndex // setup servers by unreserved RAM
	nextMAC     uint64

	vms     map[string]*vm
	vmOrder []*vm // creation order

	networks   map[string]*network
	netOrder   []*network
	pools      map[string]*pool
	poolOrder  []*pool
	nicTags    map[string]*NicTag
	nicTagList []string
	nics       map[uint64]*nic // by MAC
	nicOrder   []*nic          // creation order; removed ones are compacted away lazily
	nicsGone   int

	jobs     map[string]*job
	jobOrder []*job
	tasks    map[string]*task
	tickets  map[string]*ticket
	ticketOr []*ticket

	pending pendingHeap // effects due at a time (jobs, tasks)
	seq     uint64

	chaos chaos

	// CloudAPI's: UFDS accounts by login, PAPI packages, IMGAPI images,
	// fabric VLANs by owner UUID.
	accounts map[string]*account
	packages []*Package
	images   []*Image
	vlans    map[string]map[int]*VLAN
}

func (d *dc) init(name string, now time.Time) {
	d.name = name
	d.epoch = now
	d.servers = map[string]*server{}
	d.vms = map[string]*vm{}
	d.networks = map[string]*network{}
	d.pools = map[string]*pool{}
	d.nicTags = map[string]*NicTag{}
	d.nics = map[uint64]*nic{}
	d.jobs = map[string]*job{}
	d.tasks = map[string]*task{}
	d.tickets = map[string]*ticket{}
	d.accounts = map[string]*account{}
	d.nextMAC = 0x0010fe000000 // the dummy backend's OUI, 00:10:fe
}

// pendingEffect is a change due at a time: a job or a task finishing.
type pendingEffect struct {
	at    time.Time
	seq   uint64
	apply func(now time.Time)
}

type pendingHeap []pendingEffect

func (h pendingHeap) Len() int { return len(h) }
func (h pendingHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h pendingHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pendingHeap) Push(x any)   { *h = append(*h, x.(pendingEffect)) }
func (h *pendingHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// atLocked schedules f at t; settleLocked runs it once the clock has passed t.
func (t *Triton) atLocked(at time.Time, f func(now time.Time)) {
	t.dc.seq++
	heap.Push(&t.dc.pending, pendingEffect{at: at, seq: t.dc.seq, apply: f})
}

// settleLocked applies, in time order, every effect due by now. Every
// handler and getter calls it first: state follows the clock without a
// timer per job.
func (t *Triton) settleLocked(now time.Time) {
	for t.dc.pending.Len() > 0 && !t.dc.pending[0].at.After(now) {
		e := heap.Pop(&t.dc.pending).(pendingEffect)
		e.apply(e.at)
	}
}

// lock takes the DC's lock and settles it at the clock's now, which it
// returns.
func (t *Triton) lock() time.Time {
	now := t.Now()
	t.mu.Lock()
	settled := false
	defer func() {
		if !settled { // an effect panicked: leave the lock free for the 500
			t.mu.Unlock()
		}
	}()
	t.settleLocked(now)
	settled = true
	return now
}

func (t *Triton) newUUID() string { return t.ids.UUID() }

func iso(tm time.Time) string { return tm.UTC().Format("2006-01-02T15:04:05.000Z") }
