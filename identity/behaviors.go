package identity

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/mimic"
)

// AuthBehavior makes matching authentication requests answer differently,
// as Mimic's identity behaviors do. The first registered behavior whose
// criteria all match a request decides its answer.
type AuthBehavior struct {
	// ID is set by AddAuthBehavior: a UUID made from a counter (Mimic's
	// form), so registering a behavior never shifts the IDs identity hands
	// out. It is ignored when registering.
	ID string
	// Username and TenantID are regular expressions matched at the start of
	// the user name and of the tenant (project ID or name) the request
	// names, as Mimic's criteria are. Empty matches anything.
	Username string
	TenantID string
	// Steps are played in turn, one per matching request, cycling back to
	// the first: one failing step is Mimic's "fail"; several are its
	// "sequence".
	Steps []AuthStep
}

// AuthStep is one answer of an AuthBehavior.
type AuthStep struct {
	Succeed bool   // authenticate normally (Mimic's "default")
	Code    int    // HTTP status; 401 when zero
	Message string // "Unable to authenticate user with credentials provided." when empty
	// Type is the key of the JSON error body ({"<Type>":{"message","code"}});
	// "unauthorized" when empty. "string" sends Message as a plain-text body.
	Type string
}

type authBehavior struct {
	username *regexp.Regexp
	tenant   *regexp.Regexp
	steps    []AuthStep
	next     int          // the step the next matching request gets; under the registry's lock
	spec     AuthBehavior // as registered, without its ID
}

// AddAuthBehavior registers b and returns the stored copy, its ID set
// (UUID-shaped, from a counter: registering draws nothing from the random
// stream).
func (s *Identity) AddAuthBehavior(b AuthBehavior) (AuthBehavior, error) {
	ab, err := compileAuthBehavior(b)
	if err != nil {
		return AuthBehavior{}, err
	}
	stored := ab.spec.clone()
	stored.ID = s.behaviors.Add(ab)
	return stored, nil
}

func (b AuthBehavior) clone() AuthBehavior {
	b.Steps = append([]AuthStep(nil), b.Steps...)
	return b
}

// AuthBehaviors returns the registered behaviors, in the order they are
// tried.
func (s *Identity) AuthBehaviors() []AuthBehavior {
	return kit.Snapshot(s.behaviors, func(id string, b *authBehavior) AuthBehavior {
		spec := b.spec.clone()
		spec.ID = id
		return spec
	})
}

// compileAuthBehavior validates b and compiles its criteria.
func compileAuthBehavior(b AuthBehavior) (*authBehavior, error) {
	if len(b.Steps) == 0 {
		return nil, fmt.Errorf("identity: an auth behavior needs at least one step")
	}
	ab := &authBehavior{steps: append([]AuthStep(nil), b.Steps...), spec: b.clone()}
	ab.spec.ID = ""
	var err error
	if ab.username, err = mimic.AnchoredRegexp(b.Username); err != nil {
		return nil, fmt.Errorf("identity: username criterion: %v", err)
	}
	if ab.tenant, err = mimic.AnchoredRegexp(b.TenantID); err != nil {
		return nil, fmt.Errorf("identity: tenant_id criterion: %v", err)
	}
	for i, st := range ab.steps {
		if !st.Succeed && st.Code != 0 && (st.Code < 200 || st.Code > 599) {
			return nil, fmt.Errorf("identity: step %d: %d is not a final HTTP status (200-599)", i, st.Code)
		}
	}
	return ab, nil
}

// RemoveAuthBehavior unregisters a behavior; it reports whether it existed.
func (s *Identity) RemoveAuthBehavior(id string) bool { return s.behaviors.Remove(id) }

// behaviorUser is the user name behavior criteria see: the one the
// request names, the one its user ID or token belongs to.
func (s *Identity) behaviorUser(c credentials) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	username := c.userName
	if username == "" && c.userID != "" {
		username = s.users[c.userID].Name
	}
	if c.method == "token" {
		if t, ok := s.tokens[c.tokenID]; ok {
			username = s.users[t.UserID].Name
		}
	}
	return username
}

// applyBehavior returns the answer of the first behavior whose criteria
// match the request, when its step is a failure; ok is false when the
// request should authenticate normally.
func (s *Identity) applyBehavior(c credentials) (reply kit.Reply, ok bool) {
	if s.behaviors.Len() == 0 {
		return kit.Reply{}, false
	}
	username, tenant := s.behaviorUser(c), c.tenant()
	var step AuthStep
	_, matched := s.behaviors.First(func(_ string, b *authBehavior) bool {
		if b.username != nil && !b.username.MatchString(username) {
			return false
		}
		if b.tenant != nil && !b.tenant.MatchString(tenant) {
			return false
		}
		step = b.steps[b.next%len(b.steps)]
		b.next++
		return true
	})
	if !matched || step.Succeed {
		return kit.Reply{}, false
	}
	return mimic.Failure{Code: step.Code, Message: step.Message, Type: step.Type}.Reply(mimic.Failure{
		Code: http.StatusUnauthorized, Type: "unauthorized",
		Message: "Unable to authenticate user with credentials provided.",
	}), true
}

type mimicFailParams struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

// stepFromMimic turns one Mimic behavior ("fail" or "default") into a step.
func stepFromMimic(name string, params json.RawMessage) (AuthStep, error) {
	switch name {
	case "default":
		return AuthStep{Succeed: true}, nil
	case "fail":
		var p mimicFailParams
		if len(params) > 0 {
			if err := json.Unmarshal(params, &p); err != nil {
				return AuthStep{}, err
			}
		}
		return AuthStep{Code: p.Code, Message: p.Message, Type: p.Type}, nil
	}
	return AuthStep{}, fmt.Errorf("unknown behavior %q", name)
}

// parseMimicBehavior reads Mimic's POST body into an AuthBehavior:
// criteria username and tenant_id, behaviors fail and default.
func parseMimicBehavior(body []byte) (AuthBehavior, error) {
	mb, err := mimic.ParseBehavior(body)
	if err != nil {
		return AuthBehavior{}, err
	}
	var b AuthBehavior
	for _, crit := range mb.Criteria {
		switch crit.Name {
		case "username":
			b.Username, err = crit.StringCriterion()
		case "tenant_id":
			b.TenantID, err = crit.StringCriterion()
		default:
			err = fmt.Errorf("unknown criterion %q", crit.Name)
		}
		if err != nil {
			return AuthBehavior{}, err
		}
	}
	for _, sub := range mb.Steps {
		st, err := stepFromMimic(sub.Name, sub.Parameters)
		if err != nil {
			return AuthBehavior{}, err
		}
		b.Steps = append(b.Steps, st)
	}
	return b, nil
}

// behaviorCreated is Mimic's answer to a registration.
type behaviorCreated struct {
	ID string `json:"id"`
}

// mimicAddBehavior is POST /mimic/v1.1/IdentityControlAPI/behaviors/auth:
// 201 {"id"} on success, 400 with an empty body otherwise, as Mimic answers.
func (s *Identity) mimicAddBehavior(c *kit.Call) (kit.Reply, error) {
	b, err := parseMimicBehavior(c.Body)
	if err != nil {
		return kit.Status(http.StatusBadRequest), nil
	}
	stored, err := s.AddAuthBehavior(b)
	if err != nil {
		return kit.Status(http.StatusBadRequest), nil
	}
	return kit.JSON(http.StatusCreated, behaviorCreated{ID: stored.ID}), nil
}

// mimicDeleteBehavior answers 204, or 404 for an unknown ID, with no body.
func (s *Identity) mimicDeleteBehavior(c *kit.Call) (kit.Reply, error) {
	if s.RemoveAuthBehavior(c.Var("behavior_id")) {
		return kit.Status(http.StatusNoContent), nil
	}
	return kit.Status(http.StatusNotFound), nil
}
