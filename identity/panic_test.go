package identity

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// panicUnderLock makes op's handler take the service's lock, as handlers
// do (with defer), and panic while it holds it.
func panicUnderLock(s *Identity) func(kit.Handler) kit.Handler {
	return func(kit.Handler) kit.Handler {
		return func(*kit.Call) (kit.Reply, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			panic("boom")
		}
	}
}

// A handler that panics holding the lock answers 500 in the native format
// of the API it was called on, and the service goes on serving: the lock
// was released, and the same route works again once it stops panicking.
func TestHandlerPanicKeepsServing(t *testing.T) {
	s := New(t)
	c := kittest.New(t, s.URL(), s.Client())
	v3 := `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"alice","domain":{"name":"Default"},"password":"pw"}}}}}`
	v2 := `{"auth":{"passwordCredentials":{"username":"alice","password":"pw"}}}`

	s.Intercept(OpV3CreateToken, panicUnderLock(s))
	s.Intercept(OpV2CreateToken, panicUnderLock(s))
	r := c.Do("POST", "/v3/auth/tokens", v3).Expect(http.StatusInternalServerError)
	var ks keystoneErrorJSON
	r.Decode(&ks)
	if ks.Error.Code != 500 || ks.Error.Title != "Internal Server Error" || ks.Error.Message == "" {
		t.Errorf("v3 panic body = %s", r.Body)
	}
	r = c.Do("POST", "/v2.0/tokens", v2).Expect(http.StatusInternalServerError)
	var fault map[string]raxFaultBody
	if err := json.Unmarshal(r.Body, &fault); err != nil || len(fault) != 1 || fault["identityFault"].Code != 500 {
		t.Errorf("v2 panic body = %s (%v)", r.Body, err)
	}

	// Other routes, which take the same lock, still answer.
	if _, err := s.AddUser(User{Name: "seeded"}); err != nil {
		t.Fatal(err)
	}
	c.Do("GET", "/v2.0/users?name=bob", "", "X-Auth-Token", "nope").Expect(http.StatusUnauthorized)
	c.Do("GET", "/v1.1/mosso/123456", "").Expect(http.StatusMovedPermanently)

	// The panicking routes work again without the interception.
	keep := func(h kit.Handler) kit.Handler { return h }
	s.Intercept(OpV3CreateToken, keep)
	s.Intercept(OpV2CreateToken, keep)
	c.Do("POST", "/v3/auth/tokens", v3).Expect(http.StatusCreated)
	c.Do("POST", "/v2.0/tokens", v2).Expect(http.StatusOK)

	fake.CheckOps(t, s.Requests(), OpV3CreateToken, OpV2CreateToken, OpV2ListUsers, OpRaxMosso, OpV3CreateToken, OpV2CreateToken)
	var statuses []int
	for _, r := range s.Requests() {
		statuses = append(statuses, r.Status)
	}
	if want := []int{500, 500, 401, 301, 201, 200}; !slices.Equal(statuses, want) {
		t.Errorf("journal statuses = %v, want %v", statuses, want)
	}
}
