package loadbalancer

import "github.com/mockcloud/mockcloud/fake"

// The options below give Mimic's CLB contract where it differs from
// Rackspace's; mockcloud.ProfileMimic is their list with
// WithDurations(Instant()) (a load balancer ACTIVE at once, nodes taken
// at once). Each is usable alone.

// KeepDeletedVIPs makes a DELETED load balancer still show the virtual IPs
// it had, as Mimic's does (Rackspace's shows none). The addresses are
// released all the same: another load balancer may take them.
func KeepDeletedVIPs() Option { return fake.Configure(func(c *config) { c.keepDeletedVIPs = true }) }

// WithoutTokens lets requests in without a token, as Mimic's CLB does: the
// tenant is the one in the URL and no token is checked, even in a Cloud
// that checks tokens for its other services.
func WithoutTokens() Option { return fake.Configure(func(c *config) { c.noTokens = true }) }

// DeleteAtOnce deletes as Mimic does: a load balancer that is ACTIVE,
// ERROR or PENDING_UPDATE is removed at once (404 from then on, and gone
// from lists) rather than going PENDING_DELETE then DELETED; one with the
// lb_pending_delete preset (or behavior) still goes PENDING_DELETE for its
// seconds, then DELETED.
func DeleteAtOnce() Option { return fake.Configure(func(c *config) { c.deleteAtOnce = true }) }

// deletableAtOnce reports whether DeleteAtOnce lets a load balancer that is
// not ACTIVE be deleted.
func (c *CLB) deletableAtOnce(lb *loadBalancer) bool {
	return c.cfg.deleteAtOnce && (lb.Status == StatusError || lb.Status == StatusPendingUpdate)
}
