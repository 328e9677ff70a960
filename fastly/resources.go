package fastly

import (
	"net/url"

	"github.com/mockcloud/mockcloud/kit"
)

// pathVar is a route variable, unescaped: routes match the raw path so that
// names with encoded slashes stay one segment.
func pathVar(c *kit.Call, name string) string {
	raw := c.Var(name)
	if s, err := url.PathUnescape(raw); err == nil {
		return s
	}
	return raw
}

// named is a versioned resource: its name identifies it in a version.
type named interface{ key() string }

// resourceKind is a versioned resource type, as the route table sees it.
type resourceKind interface {
	routes(f *Fastly) []kit.Route
}

// kind describes one versioned resource type of wire form W; its CRUD
// handlers are generic.
type kind[T named, W any] struct {
	path  string // URL segment under /service/{id}/version/{n}/
	label string // the type in "Couldn't find Backend '...'"
	dup   string // the type in "Duplicate backend: 'x'"
	ops   [5]string
	coll  func(v *version) *[]rec[T]
	// versionString renders "version" as a string, as Fastly's older
	// resources do ("version": "12").
	versionString bool
	// defaults fills a new x before the request's parameters.
	defaults func(x *T)
	// bind reads request parameters into x (T's bind method).
	bind func(x *T, b *fields)
	// check validates (and may complete) x after a create (old == nil) or
	// an update applied p.
	check func(f *Fastly, s *service, v *version, x *T, old *T, p params) error
	// created runs after x is stored by a create.
	created func(f *Fastly, s *service, v *version, x *T)
	// wire is x as the API renders it.
	wire func(x T, m meta) W
}

const (
	opList = iota
	opCreate
	opGet
	opUpdate
	opDelete
)

func findRec[T named](c []rec[T], name string) int {
	for i := range c {
		if c[i].v.key() == name {
			return i
		}
	}
	return -1
}

func (k *kind[T, W]) routes(f *Fastly) []kit.Route {
	base := "/service/{service_id}/version/{version_id}/" + k.path
	item := base + "/{name}"
	return []kit.Route{
		{Op: k.ops[opList], Method: "GET", Path: base, Handler: func(c *kit.Call) (kit.Reply, error) { return k.list(f, c) }},
		{Op: k.ops[opCreate], Method: "POST", Path: base, Handler: func(c *kit.Call) (kit.Reply, error) { return k.create(f, c) }},
		{Op: k.ops[opGet], Method: "GET", Path: item, Handler: func(c *kit.Call) (kit.Reply, error) { return k.get(f, c) }},
		{Op: k.ops[opUpdate], Method: "PUT", Path: item, Handler: func(c *kit.Call) (kit.Reply, error) { return k.update(f, c) }},
		{Op: k.ops[opDelete], Method: "DELETE", Path: item, Handler: func(c *kit.Call) (kit.Reply, error) { return k.remove(f, c) }},
	}
}

func (k *kind[T, W]) render(s *service, v *version, r rec[T]) W {
	return k.wire(r.v, meta{
		ServiceID: s.ID,
		Version:   versionNo{n: v.number, quoted: k.versionString},
		CreatedAt: jsonTime(r.created),
		UpdatedAt: jsonTime(r.updated),
	})
}

func (k *kind[T, W]) renderAll(s *service, v *version) []W {
	c := *k.coll(v)
	out := make([]W, len(c))
	for i, r := range c {
		out[i] = k.render(s, v, r)
	}
	return out
}

func (k *kind[T, W]) notFound(s *service, v *version, name string) error {
	return kit.NotFound("Couldn't find %s '{ deleted => 0000-00-00 00:00:00, name => %s, service => %s, version => %d }'", k.label, name, s.ID, v.number)
}

func (k *kind[T, W]) list(f *Fastly, c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(k.renderAll(s, v)), nil
}

func (k *kind[T, W]) get(f *Fastly, c *kit.Call) (kit.Reply, error) {
	name := pathVar(c, "name")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	i, err := k.indexLocked(s, v, name)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(k.render(s, v, (*k.coll(v))[i])), nil
}

// indexLocked is where the record named name is in v's collection, or the
// kind's 404.
func (k *kind[T, W]) indexLocked(s *service, v *version, name string) (int, error) {
	i := findRec(*k.coll(v), name)
	if i < 0 {
		return 0, k.notFound(s, v, name)
	}
	return i, nil
}

// parse reads a new x from the request: the kind's defaults, then the
// parameters.
func (k *kind[T, W]) parse(p params) (T, error) {
	var x T
	if k.defaults != nil {
		k.defaults(&x)
	}
	err := bind(p, &x, k.bind)
	return x, err
}

func (k *kind[T, W]) create(f *Fastly, c *kit.Call) (kit.Reply, error) {
	p, err := readParams(c)
	if err != nil {
		return kit.Reply{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.editableVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	x, err := k.parse(p)
	if err != nil {
		return kit.Reply{}, err
	}
	coll := k.coll(v)
	if findRec(*coll, x.key()) >= 0 {
		return kit.Reply{}, duplicate(k.dup, x.key())
	}
	if k.check != nil {
		if err := k.check(f, s, v, &x, nil, p); err != nil {
			return kit.Reply{}, err
		}
	}
	now := f.nowSec()
	if k.created != nil {
		k.created(f, s, v, &x)
	}
	nr := rec[T]{v: x, created: now, updated: now}
	*coll = append(*coll, nr)
	v.updated = now
	return kit.OK(k.render(s, v, nr)), nil
}

func (k *kind[T, W]) update(f *Fastly, c *kit.Call) (kit.Reply, error) {
	p, err := readParams(c)
	if err != nil {
		return kit.Reply{}, err
	}
	name := pathVar(c, "name")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.editableVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	i, err := k.indexLocked(s, v, name)
	if err != nil {
		return kit.Reply{}, err
	}
	coll := k.coll(v)
	old := (*coll)[i].v
	x := old
	if err := bind(p, &x, k.bind); err != nil {
		return kit.Reply{}, err
	}
	if n := x.key(); n != name && findRec(*coll, n) >= 0 {
		return kit.Reply{}, duplicate(k.dup, n)
	}
	if k.check != nil {
		if err := k.check(f, s, v, &x, &old, p); err != nil {
			return kit.Reply{}, err
		}
	}
	now := f.nowSec()
	(*coll)[i].v = x
	(*coll)[i].updated = now
	v.updated = now
	return kit.OK(k.render(s, v, (*coll)[i])), nil
}

func (k *kind[T, W]) remove(f *Fastly, c *kit.Call) (kit.Reply, error) {
	name := pathVar(c, "name")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.editableVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	i, err := k.indexLocked(s, v, name)
	if err != nil {
		return kit.Reply{}, err
	}
	coll := k.coll(v)
	*coll = append((*coll)[:i:i], (*coll)[i+1:]...)
	v.updated = f.nowSec()
	return kit.OK(statusOK), nil
}
