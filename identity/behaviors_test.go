package identity_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/identity"
)

const behaviorsPath = "/mimic/v1.1/IdentityControlAPI/behaviors/auth"

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// addBehavior posts a Mimic behavior and returns its ID.
func (a *api) addBehavior(body string) string {
	a.t.Helper()
	r := a.do("POST", behaviorsPath, body).expect(a.t, http.StatusCreated)
	var got struct {
		ID string `json:"id"`
	}
	r.decode(a.t, &got)
	if !uuidPattern.MatchString(got.ID) {
		a.t.Fatalf("behavior id %q is not a UUID", got.ID)
	}
	return got.ID
}

// v2Status authenticates user over v2.0 and returns the answer.
func (a *api) v2Auth(user string) response {
	a.t.Helper()
	return a.do("POST", "/v2.0/tokens", v2PasswordBody(user, "pw", ""))
}

func TestMimicFailBehavior(t *testing.T) {
	a := newAPI(t)
	a.addBehavior(`{"criteria":[{"username":"fail.*"}],"name":"fail","parameters":{"code":500,"message":"boom"}}`)

	r := a.v2Auth("failme")
	var fault raxFault
	r.expect(t, http.StatusInternalServerError).decode(t, &fault)
	if diff := cmp.Diff(raxFault{"unauthorized": {Code: 500, Message: "boom"}}, fault); diff != "" {
		t.Errorf("fail body (-want +got):\n%s", diff)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	// Every time, not once.
	a.v2Auth("failme").expect(t, http.StatusInternalServerError)
	// v3 authentication is subject to the same behaviors.
	a.do("POST", "/v3/auth/tokens", v3Password("failure", "Default", "pw", "")).expect(t, http.StatusInternalServerError)

	// Other users, including ones where the pattern matches later in the name, succeed.
	a.v2Auth("alice").expect(t, http.StatusOK)
	a.v2Auth("nofail").expect(t, http.StatusOK)
	a.do("POST", "/v3/auth/tokens", v3Password("bob", "Default", "pw", "")).expect(t, http.StatusCreated)

	if _, ok := a.srv.UserByName("failme"); ok {
		t.Error("a failed authentication created the user")
	}
}

func TestMimicFailBehaviorTypes(t *testing.T) {
	tests := []struct {
		name     string
		params   string
		status   int
		wantCT   string
		wantBody string
	}{
		{"default parameters", `{}`, http.StatusUnauthorized, "application/json",
			`{"unauthorized":{"code":401,"message":"Unable to authenticate user with credentials provided."}}`},
		{"no parameters", ``, http.StatusUnauthorized, "application/json",
			`{"unauthorized":{"code":401,"message":"Unable to authenticate user with credentials provided."}}`},
		{"typed body", `{"code":404,"message":"gone","type":"itemNotFound"}`, http.StatusNotFound, "application/json",
			`{"itemNotFound":{"code":404,"message":"gone"}}`},
		{"plain text", `{"code":500,"message":"boom","type":"string"}`, http.StatusInternalServerError, "text/plain; charset=utf-8", "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t)
			body := `{"criteria":[{"username":"failme"}],"name":"fail"`
			if tc.params != "" {
				body += `,"parameters":` + tc.params
			}
			a.addBehavior(body + `}`)
			r := a.v2Auth("failme").expect(t, tc.status)
			if ct := r.Header.Get("Content-Type"); ct != tc.wantCT {
				t.Errorf("Content-Type = %q, want %q", ct, tc.wantCT)
			}
			if tc.wantCT == "application/json" {
				var got, want any
				if err := json.Unmarshal(r.Body, &got); err != nil {
					t.Fatalf("body %q: %v", r.Body, err)
				}
				_ = json.Unmarshal([]byte(tc.wantBody), &want)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			} else if string(r.Body) != tc.wantBody {
				t.Errorf("body = %q, want %q", r.Body, tc.wantBody)
			}
		})
	}
}

func TestMimicSequenceBehavior(t *testing.T) {
	a := newAPI(t)
	a.addBehavior(`{"criteria":[{"username":"flaky"}],"name":"sequence","parameters":{"behaviors":[
		{"name":"fail","parameters":{"code":503,"message":"try again"}},
		{"name":"default","parameters":{}}]}}`)
	var got []int
	for i := 0; i < 5; i++ {
		got = append(got, a.v2Auth("flaky").Status)
	}
	want := []int{503, 200, 503, 200, 503}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// Requests that do not match do not advance the sequence.
	a.v2Auth("steady").expect(t, http.StatusOK)
	a.v2Auth("flaky").expect(t, http.StatusOK)
}

// A behavior registered at Mimic's control path is listed in Go under the
// ID the control path answered, in the order behaviors are tried.
func TestMimicBehaviorsListed(t *testing.T) {
	a := newAPI(t)
	first := a.addBehavior(`{"criteria":[{"username":"flaky"},{"tenant_id":"1234"}],"name":"sequence","parameters":{"behaviors":[
		{"name":"fail","parameters":{"code":503,"message":"try again"}},
		{"name":"default","parameters":{}}]}}`)
	second := a.addBehavior(`{"criteria":[{"username":"ann"}],"name":"fail","parameters":{"code":500,"message":"boom","type":"string"}}`)
	want := []identity.AuthBehavior{
		{ID: first, Username: "flaky", TenantID: "1234", Steps: []identity.AuthStep{{Code: 503, Message: "try again"}, {Succeed: true}}},
		{ID: second, Username: "ann", Steps: []identity.AuthStep{{Code: 500, Message: "boom", Type: "string"}}},
	}
	if diff := cmp.Diff(want, a.srv.AuthBehaviors()); diff != "" {
		t.Errorf("AuthBehaviors (-want +got):\n%s", diff)
	}
	a.do("DELETE", behaviorsPath+"/"+first, "").expect(t, http.StatusNoContent)
	if diff := cmp.Diff(want[1:], a.srv.AuthBehaviors()); diff != "" {
		t.Errorf("AuthBehaviors after DELETE (-want +got):\n%s", diff)
	}
}

func TestMimicDeleteBehavior(t *testing.T) {
	a := newAPI(t)
	id := a.addBehavior(`{"criteria":[{"username":"failme"}],"name":"fail","parameters":{"code":500,"message":"boom"}}`)
	a.v2Auth("failme").expect(t, http.StatusInternalServerError)

	r := a.do("DELETE", behaviorsPath+"/"+id, "").expect(t, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("DELETE body = %q, want none", r.Body)
	}
	a.v2Auth("failme").expect(t, http.StatusOK)

	r = a.do("DELETE", behaviorsPath+"/"+id, "").expect(t, http.StatusNotFound)
	if len(r.Body) != 0 {
		t.Errorf("second DELETE body = %q, want none", r.Body)
	}
	a.do("DELETE", behaviorsPath+"/no-such-id", "").expect(t, http.StatusNotFound)
}

// The first registered behavior whose criteria match decides; criteria in
// one body must all match.
func TestMimicBehaviorOrderAndCriteria(t *testing.T) {
	a := newAPI(t)
	a.addBehavior(`{"criteria":[{"username":"ann"},{"tenant_id":"111111"}],"name":"fail","parameters":{"code":403,"message":"first"}}`)
	a.addBehavior(`{"criteria":[{"username":"ann"}],"name":"fail","parameters":{"code":500,"message":"second"}}`)
	a.addBehavior(`{"criteria":[],"name":"fail","parameters":{"code":502,"message":"everyone"}}`)

	tests := []struct {
		body   string
		status int
	}{
		{v2PasswordBody("ann", "pw", tenantID("111111")), http.StatusForbidden},
		{v2PasswordBody("ann", "pw", tenantID("222222")), http.StatusInternalServerError},
		{v2PasswordBody("ann", "pw", ""), http.StatusInternalServerError},
		{v2PasswordBody("zoe", "pw", tenantID("111111")), http.StatusBadGateway},
	}
	for _, tc := range tests {
		a.do("POST", "/v2.0/tokens", tc.body).expect(t, tc.status)
	}
}

func TestMimicBehaviorBadBodies(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"empty", ``},
		{"malformed", `{"criteria":`},
		{"not an object", `[]`},
		{"missing criteria", `{"name":"fail","parameters":{}}`},
		{"criteria not a list", `{"criteria":{"username":"x"},"name":"fail"}`},
		{"criterion not a string", `{"criteria":[{"username":5}],"name":"fail"}`},
		{"unknown criterion", `{"criteria":[{"colour":"red"}],"name":"fail"}`},
		{"unknown behavior", `{"criteria":[],"name":"explode"}`},
		{"missing name", `{"criteria":[]}`},
		{"invalid regexp", `{"criteria":[{"username":"("}],"name":"fail"}`},
		{"regexp that is only valid once wrapped", `{"criteria":[{"username":"x)|(y"}],"name":"fail"}`},
		{"invalid tenant regexp", `{"criteria":[{"tenant_id":"[0-9"}],"name":"fail"}`},
		{"status out of range", `{"criteria":[],"name":"fail","parameters":{"code":999}}`},
		{"negative status", `{"criteria":[],"name":"fail","parameters":{"code":-1}}`},
		{"code as a string", `{"criteria":[],"name":"fail","parameters":{"code":"500"}}`},
		{"sequence without parameters", `{"criteria":[],"name":"sequence"}`},
		{"empty sequence", `{"criteria":[],"name":"sequence","parameters":{"behaviors":[]}}`},
		{"sequence with an unknown step", `{"criteria":[],"name":"sequence","parameters":{"behaviors":[{"name":"explode"}]}}`},
		{"sequence with a bad step", `{"criteria":[],"name":"sequence","parameters":{"behaviors":[{"name":"fail","parameters":{"code":42}}]}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t)
			r := a.do("POST", behaviorsPath, tc.body).expect(t, http.StatusBadRequest)
			if len(r.Body) != 0 {
				t.Errorf("body = %q, want none (as Mimic)", r.Body)
			}
			// Nothing was installed: everyone still gets in.
			for _, user := range []string{"x", "xy", "y", "zed", "("} {
				a.v2Auth(user).expect(t, http.StatusOK)
			}
		})
	}
}

func TestAuthBehaviorGoAPI(t *testing.T) {
	a := newAPI(t)
	in := identity.AuthBehavior{
		ID:       "ignored", // the registry gives the ID
		TenantID: "bad-",
		Steps:    []identity.AuthStep{{Code: http.StatusForbidden, Message: "tenant is suspended", Type: "forbidden"}},
	}
	stored, err := a.srv.AddAuthBehavior(in)
	if err != nil {
		t.Fatal(err)
	}
	id := stored.ID
	// The stored copy is what was given, with a counted ID (Mimic's form).
	want := in
	want.ID = "00000000-0000-4000-8000-000000000001"
	want.Steps = append([]identity.AuthStep(nil), in.Steps...)
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("AddAuthBehavior (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]identity.AuthBehavior{want}, a.srv.AuthBehaviors()); diff != "" {
		t.Errorf("AuthBehaviors (-want +got):\n%s", diff)
	}
	// The stored copy and the listing are copies: changing them changes
	// nothing registered.
	stored.Steps[0].Code = http.StatusTeapot
	a.srv.AuthBehaviors()[0].Steps[0].Code = http.StatusTeapot
	in.Steps[0].Code = http.StatusTeapot
	if diff := cmp.Diff([]identity.AuthBehavior{want}, a.srv.AuthBehaviors()); diff != "" {
		t.Errorf("AuthBehaviors after changing the copies (-want +got):\n%s", diff)
	}

	var fault raxFault
	a.do("POST", "/v2.0/tokens", v2PasswordBody("kim", "pw", tenantID("bad-1"))).expect(t, http.StatusForbidden).decode(t, &fault)
	if diff := cmp.Diff(raxFault{"forbidden": {Code: 403, Message: "tenant is suspended"}}, fault); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	// The tenant criterion sees tenant names too, and v3 project scopes.
	a.do("POST", "/v2.0/tokens", v2PasswordBody("kim", "pw", tenantName("bad-name"))).expect(t, http.StatusForbidden)
	a.do("POST", "/v3/auth/tokens", v3Password("kim", "Default", "pw", projectByID("bad-2"))).expect(t, http.StatusForbidden)
	a.do("POST", "/v3/auth/tokens", v3Password("kim", "Default", "pw", projectByName("bad-3", "Default"))).expect(t, http.StatusForbidden)
	// Anchored at the start, like Python's re.match.
	a.do("POST", "/v2.0/tokens", v2PasswordBody("kim", "pw", tenantID("not-bad-1"))).expect(t, http.StatusOK)
	a.do("POST", "/v2.0/tokens", v2PasswordBody("kim", "pw", tenantID("good"))).expect(t, http.StatusOK)

	if !a.srv.RemoveAuthBehavior(id) {
		t.Error("RemoveAuthBehavior = false for an installed behavior")
	}
	if a.srv.RemoveAuthBehavior(id) {
		t.Error("RemoveAuthBehavior = true for a removed behavior")
	}
	a.do("POST", "/v2.0/tokens", v2PasswordBody("kim", "pw", tenantID("bad-1"))).expect(t, http.StatusOK)
	if got := a.srv.AuthBehaviors(); len(got) != 0 {
		t.Errorf("AuthBehaviors after removal = %+v", got)
	}
}

// A behavior on a user name matches token-method and impersonation
// requests for that user too.
func TestAuthBehaviorMatchesEveryWayIn(t *testing.T) {
	a := newAPI(t)
	lee := a.v2Login(v2PasswordBody("lee", "pw", ""))
	admin := a.v2Login(v2PasswordBody("admin", "pw", "")).Access.Token.ID // an identity admin
	if _, err := a.srv.AddAuthBehavior(identity.AuthBehavior{Username: "lee", Steps: []identity.AuthStep{{}}}); err != nil {
		t.Fatal(err)
	}
	a.do("POST", "/v2.0/tokens", v2TokenBody(lee.Access.Token.ID, "")).expect(t, http.StatusUnauthorized)
	a.do("POST", "/v3/auth/tokens", v3TokenAuth(lee.Access.Token.ID, "")).expect(t, http.StatusUnauthorized)
	a.do("POST", "/v3/auth/tokens", v3PasswordByID(lee.Access.User.ID, "pw", "")).expect(t, http.StatusUnauthorized)
	a.do("POST", "/v2.0/RAX-AUTH/impersonation-tokens", impersonationBody("lee", "60"), "X-Auth-Token", admin).expect(t, http.StatusUnauthorized)
	// The token lee already holds still works for other calls.
	a.get("/v2.0/tenants", lee.Access.Token.ID).expect(t, http.StatusOK)
}

func TestAuthBehaviorGoAPIErrors(t *testing.T) {
	a := newAPI(t)
	tests := []struct {
		name string
		b    identity.AuthBehavior
	}{
		{"no steps", identity.AuthBehavior{Username: "x"}},
		{"bad username regexp", identity.AuthBehavior{Username: "(", Steps: []identity.AuthStep{{}}}},
		{"bad tenant regexp", identity.AuthBehavior{TenantID: "[", Steps: []identity.AuthStep{{}}}},
		{"bad code", identity.AuthBehavior{Steps: []identity.AuthStep{{Code: 1000}}}},
		// Not a final status: it would be sent as a 500.
		{"informational code", identity.AuthBehavior{Steps: []identity.AuthStep{{Code: 150}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := a.srv.AddAuthBehavior(tc.b); err == nil {
				t.Errorf("AddAuthBehavior(%+v) = %+v, nil; want an error", tc.b, got)
			}
		})
	}
	a.v2Auth("x").expect(t, http.StatusOK)
	if got := a.srv.AuthBehaviors(); len(got) != 0 {
		t.Errorf("refused behaviors were registered: %+v", got)
	}
}
