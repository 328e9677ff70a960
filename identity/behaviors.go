package identity

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// AuthBehavior makes matching authentication requests answer differently,
// as Mimic's identity behaviors do. The first registered behavior whose
// criteria all match a request decides its answer.
type AuthBehavior struct {
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
	id       string
	username *regexp.Regexp
	tenant   *regexp.Regexp
	steps    []AuthStep
	next     int
}

// AddAuthBehavior registers b and returns its ID.
func (s *Identity) AddAuthBehavior(b AuthBehavior) (string, error) {
	if len(b.Steps) == 0 {
		return "", fmt.Errorf("identity: an auth behavior needs at least one step")
	}
	ab := &authBehavior{steps: append([]AuthStep(nil), b.Steps...)}
	var err error
	if ab.username, err = fake.AnchoredRegexp(b.Username); err != nil {
		return "", fmt.Errorf("identity: username criterion: %v", err)
	}
	if ab.tenant, err = fake.AnchoredRegexp(b.TenantID); err != nil {
		return "", fmt.Errorf("identity: tenant_id criterion: %v", err)
	}
	for i, st := range ab.steps {
		if !st.Succeed && st.Code != 0 && (st.Code < 200 || st.Code > 599) {
			return "", fmt.Errorf("identity: step %d: %d is not a final HTTP status (200-599)", i, st.Code)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ab.id = s.env.RNG.UUID()
	s.behaviors = append(s.behaviors, ab)
	return ab.id, nil
}

// RemoveAuthBehavior unregisters a behavior; it reports whether it existed.
func (s *Identity) RemoveAuthBehavior(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, b := range s.behaviors {
		if b.id == id {
			s.behaviors = append(s.behaviors[:i:i], s.behaviors[i+1:]...)
			return true
		}
	}
	return false
}

// applyBehavior answers the request if a behavior's failing step applies;
// it reports whether it did.
func (s *Identity) applyBehavior(w http.ResponseWriter, c credentials) bool {
	s.mu.Lock()
	if len(s.behaviors) == 0 {
		s.mu.Unlock()
		return false
	}
	username := c.userName
	if username == "" && c.userID != "" {
		username = s.users[c.userID].Name
	}
	if c.method == "token" {
		if t, ok := s.tokens[c.tokenID]; ok {
			username = s.users[t.UserID].Name
		}
	}
	var step *AuthStep
	for _, b := range s.behaviors {
		if b.username != nil && !b.username.MatchString(username) {
			continue
		}
		if b.tenant != nil && !b.tenant.MatchString(c.tenant()) {
			continue
		}
		st := b.steps[b.next%len(b.steps)]
		b.next++
		step = &st
		break
	}
	s.mu.Unlock()
	if step == nil || step.Succeed {
		return false
	}
	fake.MimicFailure{Code: step.Code, Message: step.Message, Type: step.Type}.Write(w, fake.MimicFailure{
		Code: http.StatusUnauthorized, Type: "unauthorized",
		Message: "Unable to authenticate user with credentials provided.",
	})
	return true
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
	mb, err := fake.ParseMimicBehavior(body)
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

// mimicAddBehavior is POST /mimic/v1.1/IdentityControlAPI/behaviors/auth:
// 201 {"id"} on success, 400 with an empty body otherwise, as Mimic answers.
func (s *Identity) mimicAddBehavior(w http.ResponseWriter, r *http.Request) {
	body, _ := readAll(r)
	b, err := parseMimicBehavior(body)
	if err == nil {
		var id string
		if id, err = s.AddAuthBehavior(b); err == nil {
			fake.WriteJSON(w, http.StatusCreated, map[string]string{"id": id})
			return
		}
	}
	w.WriteHeader(http.StatusBadRequest)
}

// mimicDeleteBehavior answers 204, or 404 for an unknown ID, with no body.
func (s *Identity) mimicDeleteBehavior(w http.ResponseWriter, r *http.Request) {
	if s.RemoveAuthBehavior(mux.Vars(r)["behavior_id"]) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(http.StatusNotFound)
}
