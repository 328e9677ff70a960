package identity_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
)

func statuses(reqs []fake.Request) []int {
	out := make([]int, len(reqs))
	for i, r := range reqs {
		out[i] = r.Status
	}
	return out
}

func TestJournal(t *testing.T) {
	c := clock.New(clock.DefaultStart())
	a := newAPI(t, fake.WithClock(c))
	mustAddUser(t, a.srv, identity.User{Name: "seeded"}) // seeding is not journaled

	a.do("GET", "/", "")
	tok, _ := a.login(v3Password("alice", "Default", "pw", ""))
	c.Advance(time.Minute)
	a.do("GET", "/v3/auth/tokens", "", "X-Auth-Token", tok, "X-Subject-Token", tok)
	a.do("HEAD", "/v3/auth/tokens", "", "X-Auth-Token", tok, "X-Subject-Token", tok)
	a.get("/v3/auth/projects", tok)
	v2 := a.v2Login(v2PasswordBody("alice", "pw", ""))
	a.get("/v2.0/tokens/"+v2.Access.Token.ID, tok)
	a.do("DELETE", "/v3/auth/tokens", "", "X-Auth-Token", tok, "X-Subject-Token", tok)
	a.get("/v3/auth/projects", tok) // revoked: 401
	a.get("/v3/nowhere", "")        // no route

	reqs := a.srv.Requests()
	fake.CheckOps(t, reqs,
		identity.OpVersions,
		identity.OpV3CreateToken,
		identity.OpV3ValidateToken,
		identity.OpV3CheckToken,
		identity.OpV3AuthProjects,
		identity.OpV2CreateToken,
		identity.OpV2ValidateToken,
		identity.OpV3RevokeToken,
		identity.OpV3AuthProjects,
		"",
	)
	if diff := cmp.Diff([]int{300, 201, 200, 200, 200, 200, 200, 204, 401, 404}, statuses(reqs)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for i, r := range reqs {
		if r.Service != identity.ServiceName || r.Seq != int64(i+1) {
			t.Errorf("request %d: service %q seq %d", i, r.Service, r.Seq)
		}
	}
	create := reqs[1]
	if create.Method != "POST" || create.Path != "/v3/auth/tokens" || create.Body != v3Password("alice", "Default", "pw", "") {
		t.Errorf("create entry = %+v", create)
	}
	if !create.Time.Equal(clock.DefaultStart()) || !reqs[2].Time.Equal(clock.DefaultStart().Add(time.Minute)) {
		t.Errorf("times = %s, %s; want the clock's", create.Time, reqs[2].Time)
	}
	if got := reqs[2].Header.Get("X-Subject-Token"); got != tok {
		t.Errorf("validate entry X-Subject-Token = %q", got)
	}

	if n := len(fake.Filter(reqs, "identity.v3.tokens.*")); n != 4 {
		t.Errorf("Filter(identity.v3.tokens.*) = %d requests, want 4", n)
	}
	a.srv.ResetRequests()
	if n := len(a.srv.Requests()); n != 0 {
		t.Errorf("%d requests after ResetRequests", n)
	}
}

func TestInjectedFault(t *testing.T) {
	a := newAPI(t)
	h := a.srv.Inject(fake.Fault{Op: identity.OpV3CreateToken, Status: http.StatusServiceUnavailable, Times: 1})

	body := v3Password("alice", "Default", "pw", "")
	r := a.do("POST", "/v3/auth/tokens", body)
	checkKeystoneError(t, r, http.StatusServiceUnavailable)
	if len(a.srv.Tokens()) != 0 || len(a.srv.Users()) != 0 {
		t.Error("the faulted request reached the service")
	}
	a.do("POST", "/v3/auth/tokens", body).expect(t, http.StatusCreated)
	if h.Hits() != 1 {
		t.Errorf("Hits() = %d, want 1", h.Hits())
	}
	reqs := a.srv.Requests()
	fake.CheckOps(t, reqs, identity.OpV3CreateToken, identity.OpV3CreateToken)
	if reqs[0].Fault != h.ID() || reqs[0].Status != 503 || reqs[1].Fault != "" || reqs[1].Status != 201 {
		t.Errorf("journal = %+v", reqs)
	}
}

// On v2.0 routes a fault answers with Rackspace's fault body, and a fault
// scoped to one route leaves the others alone.
func TestInjectedFaultV2(t *testing.T) {
	a := newAPI(t)
	h := a.srv.Inject(fake.Fault{Op: identity.OpV2CreateToken, Status: http.StatusServiceUnavailable})
	checkRaxFault(t, a.v2Auth("alice"), http.StatusServiceUnavailable, "serviceUnavailable")
	checkRaxFault(t, a.v2Auth("alice"), http.StatusServiceUnavailable, "serviceUnavailable")
	a.do("POST", "/v3/auth/tokens", v3Password("alice", "Default", "pw", "")).expect(t, http.StatusCreated)
	h.Remove()
	a.v2Auth("alice").expect(t, http.StatusOK)
	if h.Hits() != 2 {
		t.Errorf("Hits() = %d, want 2", h.Hits())
	}
}

// Two identities built alike hand out the same IDs: every ID comes from the
// per-instance seeded source.
func TestDeterministicIDs(t *testing.T) {
	run := func(seed int64) []string {
		a := newAPI(t, fake.WithSeed(seed))
		tok, body := a.login(v3Password("alice", "Default", "pw", ""))
		return []string{tok, body.Token.User.ID, body.Token.Project.ID, body.Token.AuditIDs[0]}
	}
	first, second := run(7), run(7)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("same seed, different IDs (-first +second):\n%s", diff)
	}
	if other := run(8); cmp.Equal(first, other) {
		t.Errorf("seeds 7 and 8 gave the same IDs %q", first)
	}
}
