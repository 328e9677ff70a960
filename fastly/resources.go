package fastly

import (
	"net/http"
	"net/url"
	"reflect"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// timeFormat is how Fastly writes timestamps ("2022-11-04T17:51:46Z").
const timeFormat = "2006-01-02T15:04:05Z"

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeFormat)
}

// pathVar is a route variable, unescaped: routes match the raw path so that
// names with encoded slashes stay one segment.
func pathVar(r *http.Request, name string) string {
	raw := mux.Vars(r)[name]
	if s, err := url.PathUnescape(raw); err == nil {
		return s
	}
	return raw
}

// respond writes body as JSON with 200, or the error.
func respond(w http.ResponseWriter, body any, err *apiError) {
	if err != nil {
		writeAPIError(w, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

// do runs fn under the lock and answers with what it returns.
func (f *Fastly) do(w http.ResponseWriter, fn func() (any, *apiError)) {
	var body any
	var err *apiError
	f.locked(func() { body, err = fn() })
	respond(w, body, err)
}

// locked runs fn holding f.mu, and releases it even if fn panics (net/http
// recovers a handler's panic; a mutex left locked would hang every later
// request).
func (f *Fastly) locked(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

var statusOK = map[string]string{"status": "ok"}

// resourceKind is a versioned resource type: its routes and its rendering
// in service details.
type resourceKind interface {
	register(f *Fastly, r *mux.Router)
	detailsKey() string
	renderAll(f *Fastly, s *service, v *version) []map[string]any
}

// kind describes one versioned resource type; its CRUD handlers are generic.
type kind[T any] struct {
	path    string // URL segment under /service/{id}/version/{n}/
	label   string // the type in "Couldn't find Backend '...'"
	dup     string // the type in "Duplicate backend: 'x'"
	details string // key in service details ("" for none)
	ops     [5]string
	coll    func(v *version) *[]rec[T]
	// versionString renders "version" as a string, as Fastly's older
	// resources do ("version": "12").
	versionString bool
	defaults      func(f *Fastly, s *service, x *T)
	// check validates (and may complete) x after a create (old == nil) or
	// an update applied p.
	check func(f *Fastly, s *service, v *version, x *T, old *T, p params) *apiError
	// created runs after x is stored by a create; deleted after a delete.
	created func(f *Fastly, s *service, v *version, x *T)
	deleted func(f *Fastly, s *service, v *version, x T)
	// extra adjusts a rendered object.
	extra func(f *Fastly, s *service, r rec[T], m map[string]any)
}

const (
	opList = iota
	opCreate
	opGet
	opUpdate
	opDelete
)

func nameOf(x any) string {
	return reflect.ValueOf(x).Elem().FieldByName("Name").String()
}

func findRec[T any](c []rec[T], name string) int {
	for i := range c {
		if nameOf(&c[i].v) == name {
			return i
		}
	}
	return -1
}

func (k *kind[T]) detailsKey() string { return k.details }

func (k *kind[T]) register(f *Fastly, r *mux.Router) {
	base := "/service/{service_id}/version/{version_id}/" + k.path
	r.HandleFunc(base, func(w http.ResponseWriter, r *http.Request) { listKind(f, k, w, r) }).Methods("GET").Name(k.ops[opList])
	r.HandleFunc(base, func(w http.ResponseWriter, r *http.Request) { createKind(f, k, w, r) }).Methods("POST").Name(k.ops[opCreate])
	item := base + "/{name}"
	r.HandleFunc(item, func(w http.ResponseWriter, r *http.Request) { getKind(f, k, w, r) }).Methods("GET").Name(k.ops[opGet])
	r.HandleFunc(item, func(w http.ResponseWriter, r *http.Request) { updateKind(f, k, w, r) }).Methods("PUT").Name(k.ops[opUpdate])
	r.HandleFunc(item, func(w http.ResponseWriter, r *http.Request) { deleteKind(f, k, w, r) }).Methods("DELETE").Name(k.ops[opDelete])
}

func (k *kind[T]) render(s *service, v *version, r rec[T], f *Fastly) map[string]any {
	m := make(map[string]any, 24)
	renderFields(m, r.v)
	m["service_id"] = s.ID
	if k.versionString {
		m["version"] = itoa(v.number)
	} else {
		m["version"] = v.number
	}
	m["created_at"] = ts(r.created)
	m["updated_at"] = ts(r.updated)
	m["deleted_at"] = nil
	if k.extra != nil {
		k.extra(f, s, r, m)
	}
	return m
}

func (k *kind[T]) renderAll(f *Fastly, s *service, v *version) []map[string]any {
	c := *k.coll(v)
	out := make([]map[string]any, len(c))
	for i, r := range c {
		out[i] = k.render(s, v, r, f)
	}
	return out
}

func (k *kind[T]) notFound(s *service, v *version, name string) *apiError {
	return &apiError{status: http.StatusNotFound, msg: "Record not found",
		detail: sprintf("Couldn't find %s '{ deleted => 0000-00-00 00:00:00, name => %s, service => %s, version => %d }'", k.label, name, s.ID, v.number)}
}

func listKind[T any](f *Fastly, k *kind[T], w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		return k.renderAll(f, s, v), nil
	})
}

func getKind[T any](f *Fastly, k *kind[T], w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "name")
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		c := *k.coll(v)
		i := findRec(c, name)
		if i < 0 {
			return nil, k.notFound(s, v, name)
		}
		return k.render(s, v, c[i], f), nil
	})
}

func createKind[T any](f *Fastly, k *kind[T], w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(r)
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	f.do(w, func() (any, *apiError) {
		s, v, err := f.editableVersionLocked(r)
		if err != nil {
			return nil, err
		}
		var x T
		if k.defaults != nil {
			k.defaults(f, s, &x)
		}
		if err := applyParams(p, &x); err != nil {
			return nil, err
		}
		if err := checkRequired(&x); err != nil {
			return nil, err
		}
		c := k.coll(v)
		if findRec(*c, nameOf(&x)) >= 0 {
			return nil, duplicate(k.dup, nameOf(&x))
		}
		if k.check != nil {
			if err := k.check(f, s, v, &x, nil, p); err != nil {
				return nil, err
			}
		}
		now := f.now()
		if k.created != nil {
			k.created(f, s, v, &x)
		}
		nr := rec[T]{v: x, created: now, updated: now}
		*c = append(*c, nr)
		v.updated = now
		return k.render(s, v, nr, f), nil
	})
}

func updateKind[T any](f *Fastly, k *kind[T], w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(r)
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	name := pathVar(r, "name")
	f.do(w, func() (any, *apiError) {
		s, v, err := f.editableVersionLocked(r)
		if err != nil {
			return nil, err
		}
		c := k.coll(v)
		i := findRec(*c, name)
		if i < 0 {
			return nil, k.notFound(s, v, name)
		}
		old := (*c)[i].v
		x := old
		if err := applyParams(p, &x); err != nil {
			return nil, err
		}
		if err := checkRequired(&x); err != nil {
			return nil, err
		}
		if n := nameOf(&x); n != name && findRec(*c, n) >= 0 {
			return nil, duplicate(k.dup, n)
		}
		if k.check != nil {
			if err := k.check(f, s, v, &x, &old, p); err != nil {
				return nil, err
			}
		}
		now := f.now()
		(*c)[i].v = x
		(*c)[i].updated = now
		v.updated = now
		return k.render(s, v, (*c)[i], f), nil
	})
}

func deleteKind[T any](f *Fastly, k *kind[T], w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "name")
	f.do(w, func() (any, *apiError) {
		s, v, err := f.editableVersionLocked(r)
		if err != nil {
			return nil, err
		}
		c := k.coll(v)
		i := findRec(*c, name)
		if i < 0 {
			return nil, k.notFound(s, v, name)
		}
		gone := (*c)[i].v
		*c = append((*c)[:i:i], (*c)[i+1:]...)
		v.updated = f.now()
		if k.deleted != nil {
			k.deleted(f, s, v, gone)
		}
		return statusOK, nil
	})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
