package fastly

import (
	"fmt"
	"net/http"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// ActivationBehavior changes what activating a version does. The first
// registered behavior that matches decides.
type ActivationBehavior struct {
	// ID is set by AddActivationBehavior ("activation-1", "activation-2" …,
	// from a counter); it is ignored when registering.
	ID string

	ServiceID string // only this service; empty matches any
	Version   int    // only this version number; zero matches any

	// Fail makes the activation answer with an error and leave the version
	// as it was: Status (400 by default) and Detail (a VCL compilation
	// error by default) in Fastly's {"msg","detail"} body.
	Fail   bool
	Status int
	Detail string

	// Delay makes the activation take time on the shared clock: the API
	// answers at once with the version locked but not yet active, the
	// previous version stays active, and the switch happens when the clock
	// has moved Delay on (seen by the next request, or by Services()).
	// Deactivating the version before then cancels it.
	Delay time.Duration

	// Times limits how many activations the behavior applies to; zero
	// means every one.
	Times int
}

// activationBehavior is a registered behavior (b, without its ID) and how
// many activations it has applied to; hits changes under the registry's
// lock.
type activationBehavior struct {
	b    ActivationBehavior
	hits int
}

// activationID is a behavior's ID: "activation-1", "activation-2" …
func activationID(n int) string { return fmt.Sprintf("activation-%d", n) }

// defaultActivationError is the detail of a failed activation, in the
// words Fastly uses for a VCL that does not compile.
const defaultActivationError = "Syntax error: Expected one of: `acl`, `callback`, `sub`, `backend`, `director`, `import`, `table`, or `pragma`\nat: (input Line 1 Pos 1)"

// AddActivationBehavior registers b and returns the stored copy, its ID
// set.
func (f *Fastly) AddActivationBehavior(b ActivationBehavior) (ActivationBehavior, error) {
	switch {
	case b.Status != 0 && (b.Status < 400 || b.Status > 599):
		return ActivationBehavior{}, fmt.Errorf("fastly: activation failure status %d is not an error status", b.Status)
	case b.Delay < 0, b.Times < 0, b.Version < 0:
		return ActivationBehavior{}, fmt.Errorf("fastly: delay, times and version must not be negative")
	case !b.Fail && b.Delay == 0:
		return ActivationBehavior{}, fmt.Errorf("fastly: an activation behavior must fail or take time")
	}
	b.ID = ""
	stored := b
	stored.ID = f.behaviors.Add(&activationBehavior{b: b})
	return stored, nil
}

// ActivationBehaviors returns the registered behaviors, in the order they
// are tried (spent ones too, until removed).
func (f *Fastly) ActivationBehaviors() []ActivationBehavior {
	return kit.Snapshot(f.behaviors, func(id string, a *activationBehavior) ActivationBehavior {
		b := a.b
		b.ID = id
		return b
	})
}

// FailActivations makes the next n activations of the service (any
// service when empty; every activation when n is zero) fail with Fastly's
// 400 for a VCL that does not compile. It returns the behavior's ID.
func (f *Fastly) FailActivations(serviceID string, n int) string {
	b, _ := f.AddActivationBehavior(ActivationBehavior{ServiceID: serviceID, Fail: true, Times: n})
	return b.ID
}

// SlowActivations makes activations of the service (any service when
// empty) take d on the shared clock. It returns the behavior's ID.
func (f *Fastly) SlowActivations(serviceID string, d time.Duration) string {
	b, _ := f.AddActivationBehavior(ActivationBehavior{ServiceID: serviceID, Delay: d})
	return b.ID
}

// RemoveActivationBehavior removes a behavior; it reports whether it was
// there.
func (f *Fastly) RemoveActivationBehavior(id string) bool { return f.behaviors.Remove(id) }

// activationOutcome is what the first matching behavior makes of an
// activation: an error to answer with, or a delay. by is the ID of the
// behavior that decided it, "" when none matched.
type activationOutcome struct {
	err   error
	delay time.Duration
	by    string
}

// activationOutcome applies the first behavior that matches an activation
// of the service's version, counting the hit. It takes no service lock:
// callers resolve the outcome before taking f.mu, and give the hit back
// with refundActivation when the activation does not get as far as the
// behavior.
func (f *Fastly) activationOutcome(serviceID string, number int) activationOutcome {
	var out activationOutcome
	id, _ := f.behaviors.First(func(_ string, ab *activationBehavior) bool {
		b := ab.b
		if (b.ServiceID != "" && b.ServiceID != serviceID) || (b.Version != 0 && b.Version != number) {
			return false
		}
		if b.Times > 0 && ab.hits >= b.Times {
			return false
		}
		ab.hits++
		out = b.outcome()
		return true
	})
	out.by = id
	return out
}

// refundActivation uncounts the hit out took, for an activation refused
// before its behavior applied (no such service or version, a version that
// does not validate), so that such a request spends none of a behavior's
// Times, as when behaviors were matched after those checks.
func (f *Fastly) refundActivation(out activationOutcome) {
	if out.by == "" {
		return
	}
	f.behaviors.First(func(id string, ab *activationBehavior) bool {
		if id != out.by {
			return false
		}
		if ab.hits > 0 {
			ab.hits--
		}
		return true
	})
}

// outcome is what b does to an activation it applies to.
func (b ActivationBehavior) outcome() activationOutcome {
	if !b.Fail {
		return activationOutcome{delay: b.Delay}
	}
	status := b.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	detail := b.Detail
	if detail == "" {
		detail = defaultActivationError
	}
	return activationOutcome{err: kit.Errorf(status, "%s", detail)}
}
