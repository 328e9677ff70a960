package fastly

import (
	"fmt"
	"time"
)

// addServiceLocked stores a new service with an empty version 1.
func (f *Fastly) addServiceLocked(in Service) *service {
	now := f.nowSec()
	s := &service{Service: in, legacy: f.mimic, dictItems: map[string]*itemStore{}, dynamic: map[string]*rec[string]{}}
	s.Versions = nil
	if s.ID == "" {
		s.ID = f.newID()
	}
	if s.Type == "" {
		s.Type = "vcl"
	}
	if s.CustomerID == "" {
		s.CustomerID = f.customer.ID
	}
	if s.Created.IsZero() {
		s.Created = now
	}
	if s.Updated.IsZero() {
		s.Updated = s.Created
	}
	f.services[s.ID] = s
	f.order = append(f.order, s.ID)
	if len(in.Versions) == 0 {
		v := f.newVersionLocked(s)
		v.created, v.updated = s.Created, s.Created
	}
	return s
}

// AddService seeds a service with its versions and everything in them,
// bypassing HTTP, validation of references, faults and the journal, and
// returns the stored copy with generated IDs and defaults. Versions are
// numbered by position; at most one may be Active (an active version is
// locked). Dictionaries and dynamic snippets get IDs when they have none.
func (f *Fastly) AddService(in Service) (Service, error) {
	if in.Name == "" {
		return Service{}, fmt.Errorf("fastly: a service needs a name")
	}
	if in.Type != "" && in.Type != "vcl" && in.Type != "wasm" {
		return Service{}, fmt.Errorf("fastly: service type %q is not vcl or wasm", in.Type)
	}
	active := 0
	for _, v := range in.Versions {
		if v.Active {
			active++
		}
	}
	if active > 1 {
		return Service{}, fmt.Errorf("fastly: %d versions are active; at most one may be", active)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.ID != "" {
		if _, taken := f.services[in.ID]; taken {
			return Service{}, fmt.Errorf("fastly: service %q already exists", in.ID)
		}
	}
	s := f.addServiceLocked(in)
	now := f.nowSec()
	for i, sv := range in.Versions {
		v := f.newVersionLocked(s)
		if err := f.seedVersionLocked(s, v, sv, now); err != nil {
			delete(f.services, s.ID)
			f.order = f.order[:len(f.order)-1]
			return Service{}, fmt.Errorf("fastly: version %d: %v", i+1, err)
		}
	}
	if len(in.Versions) > 0 && !in.Updated.IsZero() {
		s.Updated = in.Updated
	}
	return f.snapshotLocked(s), nil
}

func stamp[T any](items []T, now time.Time) []rec[T] {
	out := make([]rec[T], len(items))
	for i, x := range items {
		out[i] = rec[T]{v: deepCopy(x), created: now, updated: now}
	}
	return out
}

func uniqueNames[T named](what string, c []rec[T]) error {
	seen := map[string]bool{}
	for i := range c {
		n := c[i].v.key()
		if n == "" {
			return fmt.Errorf("a %s has no name", what)
		}
		if seen[n] {
			return fmt.Errorf("two %ss are named %q", what, n)
		}
		seen[n] = true
	}
	return nil
}

func (f *Fastly) seedVersionLocked(s *service, v *version, in Version, now time.Time) error {
	created := in.Created
	if created.IsZero() {
		created = now
	}
	v.comment = in.Comment
	v.active, v.locked = in.Active, in.Locked || in.Active
	v.deployed, v.staging, v.testing = in.Deployed, in.Staging, in.Testing
	v.created, v.updated = created, created
	if !in.Updated.IsZero() {
		v.updated = in.Updated
	}
	v.domains = stamp(in.Domains, created)
	for i := range v.domains {
		v.domains[i].v.Name = lower(v.domains[i].v.Name)
	}
	v.backends = stamp(in.Backends, created)
	v.healthchecks = stamp(in.Healthchecks, created)
	v.conditions = stamp(in.Conditions, created)
	v.headers = stamp(in.Headers, created)
	v.cacheSettings = stamp(in.CacheSettings, created)
	v.requestSettings = stamp(in.RequestSettings, created)
	v.responseObjects = stamp(in.ResponseObjects, created)
	v.gzips = stamp(in.Gzips, created)
	v.snippets = stamp(in.Snippets, created)
	v.vcls = stamp(in.VCLs, created)
	v.dictionaries = stamp(in.Dictionaries, created)
	v.syslogs = stamp(in.Syslogs, created)
	v.settings = in.Settings
	if in.Settings == (Settings{}) {
		v.settings = DefaultSettings()
	}
	for _, err := range []error{
		uniqueNames("domain", v.domains), uniqueNames("backend", v.backends), uniqueNames("healthcheck", v.healthchecks),
		uniqueNames("condition", v.conditions), uniqueNames("header", v.headers), uniqueNames("cache setting", v.cacheSettings),
		uniqueNames("request setting", v.requestSettings), uniqueNames("response object", v.responseObjects),
		uniqueNames("gzip", v.gzips), uniqueNames("snippet", v.snippets), uniqueNames("VCL", v.vcls),
		uniqueNames("dictionary", v.dictionaries), uniqueNames("syslog endpoint", v.syslogs),
	} {
		if err != nil {
			return err
		}
	}
	for i := range v.dictionaries {
		d := &v.dictionaries[i].v
		if d.ID == "" {
			d.ID = f.newID()
		}
		if s.dictItems[d.ID] == nil {
			s.dictItems[d.ID] = newItemStore()
		}
	}
	for i := range v.snippets {
		sn := &v.snippets[i].v
		if sn.ID == "" {
			sn.ID = f.newID()
		}
		if sn.Dynamic {
			if s.dynamic[sn.ID] == nil {
				s.dynamic[sn.ID] = &rec[string]{v: sn.Content, created: created, updated: created}
			}
			sn.Content = ""
		}
	}
	return nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// snapshotLocked is the exported copy of a service. Dynamic snippets show
// their current content.
func (f *Fastly) snapshotLocked(s *service) Service {
	out := s.Service
	out.Versions = make([]Version, len(s.versions))
	for i, v := range s.versions {
		out.Versions[i] = v.snapshot()
		for j, sn := range out.Versions[i].Snippets {
			if d := s.dynamic[sn.ID]; sn.Dynamic && d != nil {
				out.Versions[i].Snippets[j].Content = d.v
			}
		}
	}
	return out
}

// Service returns a live service by ID.
func (f *Fastly) Service(id string) (Service, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.services[id]
	if !ok || s.deleted {
		return Service{}, false
	}
	f.settleLocked(s)
	return f.snapshotLocked(s), true
}

// Services returns every live (not deleted) service in creation order.
func (f *Fastly) Services() []Service {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Service, 0, len(f.order))
	for _, id := range f.order {
		if s := f.services[id]; !s.deleted {
			f.settleLocked(s)
			out = append(out, f.snapshotLocked(s))
		}
	}
	return out
}

// DeletedServices returns the IDs of deleted services.
func (f *Fastly) DeletedServices() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, id := range f.order {
		if f.services[id].deleted {
			out = append(out, id)
		}
	}
	return out
}

// DictionaryItems returns the items of a dictionary by key order.
func (f *Fastly) DictionaryItems(serviceID, dictionaryID string) ([]DictionaryItem, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.services[serviceID]
	if !ok {
		return nil, false
	}
	st, ok := s.dictItems[dictionaryID]
	if !ok {
		return nil, false
	}
	out := make([]DictionaryItem, 0, len(st.items))
	for _, k := range st.sortedKeys() {
		out = append(out, *st.items[k])
	}
	return out, true
}

// SetDictionaryItem seeds (or replaces) one item of a dictionary; it
// reports whether the dictionary exists.
func (f *Fastly) SetDictionaryItem(serviceID, dictionaryID, key, value string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.services[serviceID]
	if !ok {
		return false
	}
	st, ok := s.dictItems[dictionaryID]
	if !ok {
		return false
	}
	now := f.nowSec()
	it, ok := st.items[key]
	if !ok {
		it = &DictionaryItem{Key: key, Created: now}
		st.items[key] = it
	}
	it.Value, it.Updated = value, now
	return true
}
