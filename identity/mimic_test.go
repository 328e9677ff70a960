package identity_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/identity"
)

// mimicV2Access is what these tests read of a v2.0 authentication.
type mimicV2Access struct {
	Access struct {
		Token struct {
			Expires string `json:"expires"`
			Tenant  struct {
				ID string `json:"id"`
			} `json:"tenant"`
		} `json:"token"`
		User struct {
			DefaultRegion string `json:"RAX-AUTH:defaultRegion"`
			Roles         []struct {
				Name        string  `json:"name"`
				Description *string `json:"description"`
			} `json:"roles"`
		} `json:"user"`
	} `json:"access"`
}

func v2Auth(t *testing.T, a *api, user, tenantID string) (int, mimicV2Access, string) {
	t.Helper()
	body := `{"auth":{"passwordCredentials":{"username":"` + user + `","password":"pw"}`
	if tenantID != "" {
		body += `,"tenantId":"` + tenantID + `"`
	}
	r := a.do("POST", "/v2.0/tokens", body+"}}")
	var out mimicV2Access
	if r.Status == http.StatusOK {
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
	}
	return r.Status, out, string(r.Body)
}

func TestOneTenantPerUser(t *testing.T) {
	a := newAPI(t, identity.OneTenantPerUser())
	st, first, _ := v2Auth(t, a, "alice", "")
	if st != http.StatusOK {
		t.Fatalf("first auth: %d", st)
	}
	tenant := first.Access.Token.Tenant.ID
	if st, _, _ := v2Auth(t, a, "alice", tenant); st != http.StatusOK {
		t.Errorf("auth with alice's tenant: %d", st)
	}
	st, _, body := v2Auth(t, a, "alice", "424242")
	if st != http.StatusUnauthorized || !strings.Contains(body, "Tenant with Name/Id: '424242' is not valid for User 'alice'") {
		t.Errorf("auth with another tenant: %d %s", st, body)
	}
	// Another user's existing tenant is refused as well.
	if st, _, _ := v2Auth(t, a, "bob", tenant); st != http.StatusUnauthorized {
		t.Errorf("bob with alice's tenant: %d", st)
	}
	// A new user may name its tenant the first time.
	if st, got, _ := v2Auth(t, a, "carol", "5555"); st != http.StatusOK || got.Access.Token.Tenant.ID != "5555" {
		t.Errorf("carol's first auth with 5555: %d %+v", st, got.Access.Token.Tenant)
	}

	// By default a further tenant is created for the user.
	plain := newAPI(t)
	v2Auth(t, plain, "alice", "")
	if st, _, body := v2Auth(t, plain, "alice", "424242"); st != http.StatusOK {
		t.Errorf("default: auth with a new tenant: %d %s", st, body)
	}
}

func TestWallClockExpiry(t *testing.T) {
	// The identity's own clock starts at a fixed past instant.
	a := newAPI(t, identity.WallClockExpiry())
	_, got, _ := v2Auth(t, a, "alice", "")
	exp := mustParse(t, v2Time, got.Access.Token.Expires)
	if d := time.Until(exp); d < 23*time.Hour || d > 25*time.Hour {
		t.Errorf("expires %s: %s from now, want a day", got.Access.Token.Expires, d)
	}
	plain := newAPI(t)
	_, old, _ := v2Auth(t, plain, "alice", "")
	if exp := mustParse(t, v2Time, old.Access.Token.Expires); !exp.Equal(plain.srv.Now().Add(identity.DefaultTokenLifetime)) {
		t.Errorf("default expiry %s, want the clock's now plus a day", exp)
	}
}

func TestWithDefaultRegionAndMimicShapes(t *testing.T) {
	a := newAPI(t, identity.WithDefaultRegion("DFW"), identity.MimicShapes())
	_, got, _ := v2Auth(t, a, "alice", "")
	if got.Access.User.DefaultRegion != "DFW" {
		t.Errorf("defaultRegion %q", got.Access.User.DefaultRegion)
	}
	for _, r := range got.Access.User.Roles {
		if r.Description == nil || *r.Description != r.Name+" role." {
			t.Errorf("role %s: description %v", r.Name, r.Description)
		}
	}
	plain := newAPI(t)
	_, def, _ := v2Auth(t, plain, "alice", "")
	if def.Access.User.DefaultRegion != "RegionOne" {
		t.Errorf("default defaultRegion %q", def.Access.User.DefaultRegion)
	}
	for _, r := range def.Access.User.Roles {
		if r.Description != nil {
			t.Errorf("default role %s has a description", r.Name)
		}
	}
}

func TestWithMimicPresets(t *testing.T) {
	if got := newAPI(t).srv.MimicPresets(); got != nil {
		t.Errorf("without the option: %v", got)
	}
	got := newAPI(t, identity.WithMimicPresets()).srv.MimicPresets()
	ids, ok := got["identity"].(map[string][]string)
	if !ok || len(ids["token_fail_to_auth"]) != 1 || len(ids) != 17 {
		t.Errorf("identity presets: %v", got)
	}
}
