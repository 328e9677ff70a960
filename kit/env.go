package kit

import (
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
)

// Env is what the services of one cloud share: time, faults, the journal,
// the root seed their random streams derive from, and the token check. A
// zero field is filled by Complete.
type Env struct {
	Clock   *clock.Clock
	Faults  *fake.Faults
	Journal *fake.Journal
	// Seed is the root seed: each service draws from a stream derived from
	// it and the service's name and region (see StreamSeed).
	Seed int64
	// Auth checks tokens for services that have no check of their own; nil
	// lets every request in.
	Auth Authenticator
}

// DefaultSeed is the root seed of an Env that names none.
const DefaultSeed = 1

// Complete fills the zero fields of e with fresh defaults: a simulated
// clock at clock.DefaultStart, an empty fault table drawing from the
// "faults" stream, an unbounded journal, DefaultSeed.
func (e Env) Complete() Env {
	if e.Seed == 0 {
		e.Seed = DefaultSeed
	}
	if e.Clock == nil {
		e.Clock = clock.New(clock.DefaultStart())
	}
	if e.Faults == nil {
		// A name no service can have, so no service shares the stream.
		e.Faults = fake.NewFaults(NewRNG(StreamSeed(e.Seed, "mockcloud:faults")).Float64)
	}
	if e.Journal == nil {
		e.Journal = fake.NewJournal(0)
	}
	return e
}

// EnvFor is the Env of a service constructed on its own from opts:
// WithClock, WithSeed and WithJournalLimit apply; everything else is fresh.
func EnvFor(s fake.Settings) Env {
	e := Env{Clock: s.Clock, Journal: fake.NewJournal(s.JournalLimit)}
	if s.SeedSet {
		e.Seed = GivenSeed(s.Seed)
	}
	return e.Complete()
}

// GivenSeed is the root seed for a seed a user gave: itself, but for 0,
// which Env.Seed takes to mean "none given" (so 0 still differs from the
// default seed, 1).
func GivenSeed(seed int64) int64 {
	if seed == 0 {
		return StreamSeed(0, "zero")
	}
	return seed
}
