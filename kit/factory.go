package kit

import (
	"fmt"

	"github.com/mockcloud/mockcloud/fake"
)

// Factory is a service's constructors, made from its one build function:
// the kit reads the options (Settle), makes the Env (the Cloud's, or a
// fresh one from the shared options), resolves the region, and starts
// what Build returns. A package's New, NewUnstarted and Descriptor.New are
// one line each over it.
type Factory[S interface {
	Instance
	Start()
}, C any] struct {
	// Name is the service's name.
	Name string
	// DefaultRegion is the region of a per-region service built on its own
	// without fake.WithRegion; empty for a service that is not per region
	// (which then refuses WithRegion).
	DefaultRegion string
	// Config returns the configuration the service's options edit; nil
	// starts from C's zero value.
	Config func() C
	// Build makes the service on env, mounted at site, configured by cfg.
	// On its own, site.Regions is empty.
	Build func(env Env, site Site, cfg C) (S, error)
}

// New builds the service on its own, starts it on a loopback port and
// closes it when the test ends; an option it refuses fails the test.
func (f Factory[S, C]) New(t fake.TB, opts []fake.Option) S {
	t.Helper()
	s, err := f.NewUnstarted(opts)
	if err != nil {
		t.Fatalf("%v", err)
		return s
	}
	return Start(t, s)
}

// NewUnstarted builds the service on its own, not started.
func (f Factory[S, C]) NewUnstarted(opts []fake.Option) (S, error) {
	return f.build(Env{}, Site{}, false, opts)
}

// InCloud builds the service in a Cloud: Descriptor.New.
func (f Factory[S, C]) InCloud(env Env, site Site, opts []fake.Option) (Instance, error) {
	s, err := f.build(env, site, true, opts)
	if err != nil {
		return nil, err // not a nil S in a non-nil Instance
	}
	return s, nil
}

func (f Factory[S, C]) build(env Env, site Site, inCloud bool, opts []fake.Option) (S, error) {
	var zero S
	var cfg C
	if f.Config != nil {
		cfg = f.Config()
	}
	settings, err := Settle(f.Name, opts, inCloud, &cfg)
	if err != nil {
		return zero, err
	}
	if !inCloud {
		if settings.Region != "" && f.DefaultRegion == "" {
			return zero, &OptionError{Service: f.Name, Reason: fmt.Sprintf("fake.WithRegion(%q): the service is not per region", settings.Region)}
		}
		env = EnvFor(settings)
		site = Site{Region: settings.Region}
		if site.Region == "" {
			site.Region = f.DefaultRegion
		}
	}
	return f.Build(env, site, cfg)
}
