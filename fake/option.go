package fake

import (
	"fmt"
	"strings"

	"github.com/mockcloud/mockcloud/clock"
)

// Option configures a fake. Every service takes the same shared options
// below (WithClock, WithSeed, WithRegion, WithJournalLimit); each service package adds its own (compute.WithQuota,
// identity.Strict …), built with [Configure]. Inside a Cloud the Cloud owns
// the clock, the seed and the region, so a service option that sets them is
// refused with an error rather than silently splitting the Cloud's time.
type Option func(*Settings)

// WithClock runs the fake on clk (shared with other fakes or with the code
// under test) instead of a simulated clock of its own.
func WithClock(clk *clock.Clock) Option { return func(s *Settings) { s.Clock = clk } }

// WithSeed seeds the random streams behind every ID the fake hands out. The
// default seed is 1, so runs are reproducible.
func WithSeed(seed int64) Option {
	return func(s *Settings) { s.Seed, s.SeedSet = seed, true }
}

// WithRegion names the region of a per-region fake (compute, loadbalancer).
// It is recorded in the journal and matched by Fault.Region.
func WithRegion(region string) Option { return func(s *Settings) { s.Region = region } }

// WithJournalLimit keeps only about the last n requests in the fake's
// journal, for long runs and benchmarks. Zero (the default) keeps
// everything.
func WithJournalLimit(n int) Option { return func(s *Settings) { s.JournalLimit = n } }

// Configure is how a service package builds its own options: f edits that
// service's configuration, of type *C. Given to another service, the option
// is an error ("an option of package compute given to fastly").
func Configure[C any](f func(*C)) Option {
	return func(s *Settings) { s.configure = append(s.configure, f) }
}

// Settings are options applied: the shared ones as fields, the
// service-specific ones kept for [ApplyTo]. Service packages read them; a
// test author never needs to.
type Settings struct {
	Clock   *clock.Clock
	Seed    int64
	SeedSet bool
	Region  string
	// JournalLimit bounds the journal (see WithJournalLimit).
	JournalLimit int

	configure []any
}

// Collect applies opts in order.
func Collect(opts []Option) Settings {
	var s Settings
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	return s
}

// Shared reports the shared options that were set, by name ("WithClock",
// "WithSeed", "WithRegion", "WithJournalLimit"): a Cloud refuses them for a
// single service.
func (s Settings) Shared() []string {
	var set []string
	if s.Clock != nil {
		set = append(set, "WithClock")
	}
	if s.SeedSet {
		set = append(set, "WithSeed")
	}
	if s.Region != "" {
		set = append(set, "WithRegion")
	}
	if s.JournalLimit != 0 {
		set = append(set, "WithJournalLimit")
	}
	return set
}

// ApplyTo applies the service-specific options to cfg, in the order they
// were given. An option built for another service's configuration is an
// error naming both.
func ApplyTo[C any](s Settings, cfg *C) error {
	for _, f := range s.configure {
		apply, ok := f.(func(*C))
		if !ok {
			return fmt.Errorf("an option of package %s given to %s", pkgOf(fmt.Sprintf("%T", f)), pkgOf(fmt.Sprintf("%T", cfg)))
		}
		apply(cfg)
	}
	return nil
}

// pkgOf names the package of a type as %T prints it: "func(*compute.config)"
// and "*compute.config" give "compute".
func pkgOf(typ string) string {
	typ = strings.TrimPrefix(typ, "func(")
	typ = strings.TrimLeft(typ, "*")
	if i := strings.Index(typ, "."); i > 0 {
		return typ[:i]
	}
	return typ
}
