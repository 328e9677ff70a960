package kit

import (
	"fmt"
	"sync"
)

// Registry holds a service's registered behaviors (Mimic's "fail",
// "sequence" …) in order, under IDs from a counter: registering one never
// draws from a random stream, so it never shifts the IDs a service hands
// out. It has a lock of its own; nothing runs under it but the callback
// passed to First, which must not call back into the registry.
type Registry[T any] struct {
	mu      sync.Mutex
	format  func(n int) string
	next    int
	entries []registryEntry[T]
}

type registryEntry[T any] struct {
	id string
	v  T
}

// NewRegistry returns an empty registry. format turns the counter (from 1)
// into an ID; nil gives UUID-shaped IDs ("00000000-0000-4000-8000-000000000001"),
// the form Mimic's clients expect.
func NewRegistry[T any](format func(n int) string) *Registry[T] {
	if format == nil {
		format = CounterUUID
	}
	return &Registry[T]{format: format}
}

// CounterUUID is a version 4 UUID made from a counter.
func CounterUUID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", n) }

// Add appends v and returns its ID.
func (g *Registry[T]) Add(v T) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next++
	id := g.format(g.next)
	g.entries = append(g.entries, registryEntry[T]{id: id, v: v})
	return id
}

// Remove takes the entry with id out; it reports whether it was there.
func (g *Registry[T]) Remove(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, e := range g.entries {
		if e.id == id {
			g.entries = append(g.entries[:i:i], g.entries[i+1:]...)
			return true
		}
	}
	return false
}

// RemoveIf takes the entry with id out when match says so (an owner
// check), in one step; it reports whether it did.
func (g *Registry[T]) RemoveIf(id string, match func(T) bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, e := range g.entries {
		if e.id == id {
			if !match(e.v) {
				return false
			}
			g.entries = append(g.entries[:i:i], g.entries[i+1:]...)
			return true
		}
	}
	return false
}

// Len is the number of entries.
func (g *Registry[T]) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.entries)
}

// List returns the entries' values in order (copies of T; for a pointer T,
// the pointers).
func (g *Registry[T]) List() []T {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]T, len(g.entries))
	for i, e := range g.entries {
		out[i] = e.v
	}
	return out
}

// Snapshot returns f of each entry, in order, under the registry's lock: a
// service's public copies of what was registered (f stamps the ID).
func Snapshot[T, S any](g *Registry[T], f func(id string, v T) S) []S {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]S, len(g.entries))
	for i, e := range g.entries {
		out[i] = f(e.id, e.v)
	}
	return out
}

// IDs returns the entries' IDs in order.
func (g *Registry[T]) IDs() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, len(g.entries))
	for i, e := range g.entries {
		out[i] = e.id
	}
	return out
}

// First calls f on each entry in order, under the registry's lock, until f
// returns true; it reports the ID of that entry, or "" and false. f may
// change the entry (a sequence's next step) through a pointer T.
func (g *Registry[T]) First(f func(id string, v T) bool) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range g.entries {
		if f(e.id, e.v) {
			return e.id, true
		}
	}
	return "", false
}
