// The state of Nova's operator APIs (os-services, os-aggregates,
// os-migrations, os-quota-class-sets, os-console-auth-tokens) and the
// route table of those and of the per-server extras (tags, password,
// topology, migrations), each in a file of its own.

package compute

import (
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// adminState is what the operator APIs keep, behind the service mutex.
type adminState struct {
	// reclaim is Nova's reclaim_instance_interval: when positive, DELETE
	// soft-deletes and the server is reclaimed after it.
	reclaim time.Duration
	// started is when the fake's hosts came up (the hypervisor uptime).
	started time.Time

	services      map[string]*service // by host and binary (serviceKey); built on first use
	serviceOrder  []string
	aggregates    map[int]*aggregate
	aggregateSeq  int
	migrations    []*migration // oldest first
	quotaClasses  map[string]Quota
	consoleTokens map[string]consoleToken
}

func newAdminState(reclaim time.Duration) adminState {
	return adminState{
		reclaim:       reclaim,
		aggregates:    map[int]*aggregate{},
		quotaClasses:  map[string]Quota{},
		consoleTokens: map[string]consoleToken{},
	}
}

// WithReclaimInstanceInterval sets Nova's reclaim_instance_interval: a
// DELETE then soft-deletes a server (SOFT_DELETED), the restore action
// brings it back and forceDelete deletes it; after d it is reclaimed
// (deleted). Zero, the default, deletes at once as Nova does.
func WithReclaimInstanceInterval(d time.Duration) Option {
	return fake.Configure(func(c *config) { c.reclaim = d })
}

// adminRoutes are the routes of the files named for each resource.
func (c *Compute) adminRoutes() []kit.Route {
	var t []kit.Route
	t = append(t, c.tagRoutes()...)
	t = append(t, c.passwordRoutes()...)
	t = append(t, c.flavorAccessRoutes()...)
	t = append(t, c.usageRoutes()...)
	t = append(t, c.serviceRoutes()...)
	t = append(t, c.hostRoutes()...)
	t = append(t, c.aggregateRoutes()...)
	t = append(t, c.migrationRoutes()...)
	t = append(t, c.quotaClassRoutes()...)
	t = append(t, c.consoleAuthTokenRoutes()...)
	t = append(t, c.topologyRoutes()...)
	t = append(t, c.externalEventRoutes()...)
	return t
}

// notFoundResource is Nova's answer to a route a microversion does not
// have.
func notFoundResource() error { return kit.NotFound("The resource could not be found.") }

// atLeastOr404 refuses a call below a route's first microversion.
func atLeastOr404(call *kit.Call, minor int) error {
	if !versionOf(call).AtLeast(minor) {
		return notFoundResource()
	}
	return nil
}

// novaMicroTime is the timestamp format of Nova's admin views (naive,
// microseconds).
const novaMicroTime = "2006-01-02T15:04:05.000000"
