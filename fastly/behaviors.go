package fastly

import (
	"fmt"
	"net/http"
	"time"
)

// ActivationBehavior changes what activating a version does. The first
// registered behavior that matches decides.
type ActivationBehavior struct {
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

type activationBehavior struct {
	id   string
	b    ActivationBehavior
	hits int
}

// defaultActivationError is the detail of a failed activation, in the
// words Fastly uses for a VCL that does not compile.
const defaultActivationError = "Syntax error: Expected one of: `acl`, `callback`, `sub`, `backend`, `director`, `import`, `table`, or `pragma`\nat: (input Line 1 Pos 1)"

// AddActivationBehavior registers b and returns its ID.
func (f *Fastly) AddActivationBehavior(b ActivationBehavior) (string, error) {
	switch {
	case b.Status != 0 && (b.Status < 400 || b.Status > 599):
		return "", fmt.Errorf("fastly: activation failure status %d is not an error status", b.Status)
	case b.Delay < 0, b.Times < 0, b.Version < 0:
		return "", fmt.Errorf("fastly: delay, times and version must not be negative")
	case !b.Fail && b.Delay == 0:
		return "", fmt.Errorf("fastly: an activation behavior must fail or take time")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.behaviorN++
	id := fmt.Sprintf("activation-%d", f.behaviorN)
	f.behaviors = append(f.behaviors, &activationBehavior{id: id, b: b})
	return id, nil
}

// FailActivations makes the next n activations of the service (any
// service when empty; every activation when n is zero) fail with Fastly's
// 400 for a VCL that does not compile.
func (f *Fastly) FailActivations(serviceID string, n int) string {
	id, _ := f.AddActivationBehavior(ActivationBehavior{ServiceID: serviceID, Fail: true, Times: n})
	return id
}

// SlowActivations makes activations of the service (any service when
// empty) take d on the shared clock.
func (f *Fastly) SlowActivations(serviceID string, d time.Duration) string {
	id, _ := f.AddActivationBehavior(ActivationBehavior{ServiceID: serviceID, Delay: d})
	return id
}

// RemoveActivationBehavior removes a behavior; it reports whether it was
// there.
func (f *Fastly) RemoveActivationBehavior(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, b := range f.behaviors {
		if b.id == id {
			f.behaviors = append(f.behaviors[:i:i], f.behaviors[i+1:]...)
			return true
		}
	}
	return false
}

type activationOutcome struct {
	fail  bool
	err   *apiError
	delay time.Duration
}

func (f *Fastly) activationOutcomeLocked(serviceID string, number int) activationOutcome {
	for _, ab := range f.behaviors {
		b := ab.b
		if (b.ServiceID != "" && b.ServiceID != serviceID) || (b.Version != 0 && b.Version != number) {
			continue
		}
		if b.Times > 0 && ab.hits >= b.Times {
			continue
		}
		ab.hits++
		if b.Fail {
			status := b.Status
			if status == 0 {
				status = http.StatusBadRequest
			}
			detail := b.Detail
			if detail == "" {
				detail = defaultActivationError
			}
			return activationOutcome{fail: true, err: &apiError{status: status, msg: msgFor(status), detail: detail}}
		}
		return activationOutcome{delay: b.Delay}
	}
	return activationOutcome{}
}
