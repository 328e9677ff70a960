package mockcloud

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/fastly"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

// Profile names a set of options that makes a Cloud answer as another
// fake does. A profile is options, not a fork of the code: each service
// option it lists is usable alone.
type Profile string

const (
	// ProfileDefault answers as the real APIs do.
	ProfileDefault Profile = ""
	// ProfileMimic answers as Mimic does wherever a Mimic-based suite could
	// rely on it: see [ProfileOptions] for the list and README.md for what
	// differs from the default and why.
	ProfileMimic Profile = "mimic"
)

// Profiles lists the named profiles, for flags and errors.
func Profiles() []Profile { return []Profile{ProfileDefault, ProfileMimic} }

// ParseProfile reads a profile's name: "mimic", or "" or "default" for the
// default.
func ParseProfile(name string) (Profile, error) {
	switch strings.TrimSpace(name) {
	case "", "default":
		return ProfileDefault, nil
	case string(ProfileMimic):
		return ProfileMimic, nil
	}
	return "", fmt.Errorf("mockcloud: no profile %q (profiles: default, mimic)", name)
}

// MimicRegions are Mimic's regions, in the order its catalog lists them;
// its users default to DFW.
func MimicRegions() []string { return []string{"ORD", "DFW", "IAD"} }

// WithProfile applies a profile. Its service options come before those
// given with Configure, which may override them; its regions apply unless
// WithRegions names others. Services the Cloud does not mount are skipped.
func WithProfile(p Profile) Option { return func(c *config) { c.profile = p } }

// ProfileOptions are the service options of a profile, by service name.
//
// ProfileMimic:
//   - identity: OneTenantPerUser, WallClockExpiry, WithDefaultRegion("DFW"),
//     WithMimicPresets, MimicShapes;
//   - compute: AnyRefs, WithDurations(MimicDurations()),
//     WithQuota(MimicQuota()), WithoutTokens, MimicShapes;
//   - loadbalancer: WithDurations(Instant()), KeepDeletedVIPs, DeleteAtOnce,
//     WithoutTokens;
//   - fastly: WithoutKey, MimicShapes.
func ProfileOptions(p Profile) (map[string][]fake.Option, error) {
	switch p {
	case ProfileDefault:
		return map[string][]fake.Option{}, nil
	case ProfileMimic:
		return map[string][]fake.Option{
			identity.ServiceName: {identity.OneTenantPerUser(), identity.WallClockExpiry(),
				identity.WithDefaultRegion("DFW"), identity.WithMimicPresets(), identity.MimicShapes()},
			compute.ServiceName: {compute.AnyRefs(), compute.WithDurations(compute.MimicDurations()),
				compute.WithQuota(compute.MimicQuota()), compute.WithoutTokens(), compute.MimicShapes()},
			loadbalancer.ServiceName: {loadbalancer.WithDurations(loadbalancer.Instant()),
				loadbalancer.KeepDeletedVIPs(), loadbalancer.DeleteAtOnce(), loadbalancer.WithoutTokens()},
			fastly.ServiceName: {fastly.WithoutKey(), fastly.MimicShapes()},
		}, nil
	}
	return nil, fmt.Errorf("mockcloud: no profile %q (profiles: default, mimic)", string(p))
}

// applyProfile puts the profile's options for the mounted services before
// the user's, and its regions unless the user named some.
func applyProfile(cfg *config, services []kit.Descriptor) error {
	opts, err := ProfileOptions(cfg.profile)
	if err != nil {
		return err
	}
	if cfg.profile == ProfileMimic && !cfg.regionsSet {
		cfg.regions = MimicRegions()
	}
	if len(opts) == 0 {
		return nil
	}
	merged := map[string][]fake.Option{}
	for name, user := range cfg.serviceOpts {
		merged[name] = user
	}
	for _, d := range services {
		if own, ok := opts[d.Name]; ok {
			merged[d.Name] = append(slices.Clip(own), cfg.serviceOpts[d.Name]...)
		}
	}
	cfg.serviceOpts = merged
	return nil
}
