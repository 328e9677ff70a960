package identity_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
)

type appCredRole struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	DomainID *string `json:"domain_id"`
}

type appCredAccessRule struct {
	ID      string `json:"id"`
	Path    string `json:"path"`
	Method  string `json:"method"`
	Service string `json:"service"`
}

type appCred struct {
	ID           string              `json:"id"`
	Name         string              `json:"name"`
	Description  *string             `json:"description"`
	ProjectID    string              `json:"project_id"`
	Secret       string              `json:"secret"`
	ExpiresAt    *string             `json:"expires_at"`
	Unrestricted bool                `json:"unrestricted"`
	Roles        []appCredRole       `json:"roles"`
	AccessRules  []appCredAccessRule `json:"access_rules"`
	Links        struct {
		Self string `json:"self"`
	} `json:"links"`
}

func TestApplicationCredentials(t *testing.T) {
	c := clock.New(clock.DefaultStart())
	a := seededAPI(t, fake.WithClock(c))
	ops, _ := a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-ops")))
	base := "/v3/users/u-alice/application_credentials"

	var one struct {
		AppCred appCred `json:"application_credential"`
	}
	body := `{"application_credential":{"name":"monitoring","secret":"rEaqvJka48mpv","description":"Application credential for monitoring.",
		"expires_at":"2026-01-02T00:00:00Z","roles":[{"name":"member"}],
		"access_rules":[{"path":"/v2.0/metrics","method":"GET","service":"monitoring"}],"unrestricted":false}}`
	a.do("POST", base, body, "X-Auth-Token", ops).expect(t, http.StatusCreated).decode(t, &one)
	ac := one.AppCred
	if !tokenIDPattern.MatchString(ac.ID) || ac.Secret != "rEaqvJka48mpv" || ac.ProjectID != "p-ops" ||
		ac.ExpiresAt == nil || *ac.ExpiresAt != "2026-01-02T00:00:00.000000" || ac.Description == nil ||
		ac.Links.Self != a.srv.URL()+base+"/"+ac.ID {
		t.Errorf("created = %+v", ac)
	}
	if diff := cmp.Diff([]appCredRole{{ID: "role-member", Name: "member"}}, ac.Roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if len(ac.AccessRules) != 1 || !tokenIDPattern.MatchString(ac.AccessRules[0].ID) || ac.AccessRules[0].Path != "/v2.0/metrics" {
		t.Errorf("access rules = %+v", ac.AccessRules)
	}

	// A generated secret; the token's roles when none are named.
	a.do("POST", base, `{"application_credential":{"name":"backups"}}`, "X-Auth-Token", ops).expect(t, http.StatusCreated).decode(t, &one)
	backups := one.AppCred
	if len(backups.Secret) < 32 || backups.ExpiresAt != nil || len(backups.Roles) != 2 || backups.Description != nil {
		t.Errorf("generated = %+v", backups)
	}
	checkKeystoneError(t, a.do("POST", base, `{"application_credential":{"name":"backups"}}`, "X-Auth-Token", ops), http.StatusConflict)
	checkKeystoneError(t, a.do("POST", base, `{"application_credential":{"name":"r","roles":[{"name":"reader"}]}}`, "X-Auth-Token", ops), http.StatusBadRequest)
	checkKeystoneError(t, a.do("POST", base, `{"application_credential":{}}`, "X-Auth-Token", ops), http.StatusBadRequest)
	checkKeystoneError(t, a.do("POST", base, `{"application_credential":{"name":"old","expires_at":"2025-01-01T00:00:00Z"}}`, "X-Auth-Token", ops), http.StatusBadRequest)

	// List and show never carry the secret.
	var list struct {
		AppCreds []appCred `json:"application_credentials"`
		Links    listLinks `json:"links"`
	}
	a.get(base, ops).expect(t, http.StatusOK).decode(t, &list)
	if len(list.AppCreds) != 2 || list.AppCreds[0].Name != "backups" || list.AppCreds[0].Secret != "" || list.AppCreds[1].Secret != "" {
		t.Errorf("list = %+v", list.AppCreds)
	}
	a.get(base+"?name=monitoring", ops).expect(t, http.StatusOK).decode(t, &list)
	if len(list.AppCreds) != 1 || list.AppCreds[0].ID != ac.ID {
		t.Errorf("?name=monitoring = %+v", list.AppCreds)
	}
	one.AppCred = appCred{}
	a.get(base+"/"+ac.ID, ops).expect(t, http.StatusOK).decode(t, &one)
	if one.AppCred.Secret != "" || one.AppCred.ID != ac.ID {
		t.Errorf("show = %+v", one.AppCred)
	}
	checkKeystoneError(t, a.get(base+"/nope", ops), http.StatusNotFound)

	// Another member may neither read nor create them.
	bob := otherMember(t, a)
	checkKeystoneError(t, a.get(base, bob), http.StatusForbidden)
	checkKeystoneError(t, a.do("POST", base, `{"application_credential":{"name":"x"}}`, "X-Auth-Token", bob), http.StatusForbidden)

	// Authenticate by ID and by name + user: ops, with the credential's roles.
	byID := `{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"` + ac.ID + `","secret":"rEaqvJka48mpv"}}}}`
	r := a.do("POST", "/v3/auth/tokens", byID).expect(t, http.StatusCreated)
	var got struct {
		Token struct {
			TokenFields
			AppCred struct {
				ID         string `json:"id"`
				Name       string `json:"name"`
				Restricted bool   `json:"restricted"`
			} `json:"application_credential"`
		} `json:"token"`
	}
	r.decode(t, &got)
	if got.Token.Project == nil || got.Token.Project.ID != "p-ops" || got.Token.AppCred.ID != ac.ID || !got.Token.AppCred.Restricted {
		t.Errorf("app cred token = %+v", got.Token)
	}
	if diff := cmp.Diff([]string{"member"}, roleNames(got.Token.Roles)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"application_credential"}, got.Token.Methods); diff != "" {
		t.Errorf("methods (-want +got):\n%s", diff)
	}
	restricted := r.Header.Get("X-Subject-Token")
	byName := `{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"name":"monitoring","user":{"name":"alice","domain":{"id":"default"}},"secret":"rEaqvJka48mpv"}}}}`
	a.do("POST", "/v3/auth/tokens", byName).expect(t, http.StatusCreated)
	wrong := `{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"` + ac.ID + `","secret":"nope"}}}}`
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", wrong), http.StatusUnauthorized)
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", `{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"x"}}}}`), http.StatusBadRequest)

	// A restricted credential's token may not manage credentials.
	checkKeystoneError(t, a.do("POST", base, `{"application_credential":{"name":"y"}}`, "X-Auth-Token", restricted), http.StatusForbidden)
	checkKeystoneError(t, a.do("DELETE", base+"/"+backups.ID, "", "X-Auth-Token", restricted), http.StatusForbidden)

	// Expired: 401.
	c.Advance(24 * time.Hour)
	checkKeystoneError(t, a.do("POST", "/v3/auth/tokens", byID), http.StatusUnauthorized)

	// Delete: gone, and its tokens with it.
	ops, _ = a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-ops")))
	r = a.do("POST", "/v3/auth/tokens", `{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"`+backups.ID+`","secret":"`+backups.Secret+`"}}}}`).expect(t, http.StatusCreated)
	backupTok := r.Header.Get("X-Subject-Token")
	a.do("DELETE", base+"/"+backups.ID, "", "X-Auth-Token", ops).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.get(base+"/"+backups.ID, ops), http.StatusNotFound)
	checkKeystoneError(t, a.get("/v3/auth/projects", backupTok), http.StatusUnauthorized)
}

// otherMember seeds bob, a member of his own project, and returns his token.
func otherMember(t *testing.T, a *api) string {
	t.Helper()
	if _, ok := a.srv.User("u-bob"); !ok {
		mustAddProject(t, a.srv, identityProject("p-bob", "bobs"))
		mustAddUser(t, a.srv, identityUser("u-bob", "bob", "pw"))
		a.srv.Grant("u-bob", "p-bob", "member")
	}
	tok, _ := a.login(v3PasswordByID("u-bob", "pw", projectByID("p-bob")))
	return tok
}
