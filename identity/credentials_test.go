package identity_test

import (
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/identity"
)

func identityProject(id, name string) identity.Project { return identity.Project{ID: id, Name: name} }

func identityUser(id, name, password string) identity.User {
	return identity.User{ID: id, Name: name, Password: password}
}

type ec2Cred struct {
	UserID   string  `json:"user_id"`
	TenantID string  `json:"tenant_id"`
	Access   string  `json:"access"`
	Secret   string  `json:"secret"`
	TrustID  *string `json:"trust_id"`
	Links    struct {
		Self string `json:"self"`
	} `json:"links"`
}

func TestEC2Credentials(t *testing.T) {
	a := seededAPI(t)
	member, _ := a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-demo")))
	base := "/v3/users/u-alice/credentials/OS-EC2"
	var one struct {
		Credential ec2Cred `json:"credential"`
	}
	a.do("POST", base, `{"tenant_id":"p-demo"}`, "X-Auth-Token", member).expect(t, http.StatusCreated).decode(t, &one)
	cr := one.Credential
	if cr.UserID != "u-alice" || cr.TenantID != "p-demo" || !tokenIDPattern.MatchString(cr.Access) || !tokenIDPattern.MatchString(cr.Secret) ||
		cr.TrustID != nil || cr.Links.Self != a.srv.URL()+base+"/"+cr.Access {
		t.Errorf("created = %+v", cr)
	}
	checkKeystoneError(t, a.do("POST", base, `{"tenant_id":"nope"}`, "X-Auth-Token", member), http.StatusNotFound)
	var list struct {
		Credentials []ec2Cred `json:"credentials"`
		Links       listLinks `json:"links"`
	}
	a.get(base, member).expect(t, http.StatusOK).decode(t, &list)
	if len(list.Credentials) != 1 || list.Credentials[0].Access != cr.Access {
		t.Errorf("list = %+v", list.Credentials)
	}
	a.get(base+"/"+cr.Access, member).expect(t, http.StatusOK).decode(t, &one)
	if one.Credential != cr {
		t.Errorf("show = %+v, want %+v", one.Credential, cr)
	}
	checkKeystoneError(t, a.get(base+"/nope", member), http.StatusNotFound)

	// Another member: 403 everywhere.
	bob := otherMember(t, a)
	checkKeystoneError(t, a.get(base, bob), http.StatusForbidden)
	checkKeystoneError(t, a.get(base+"/"+cr.Access, bob), http.StatusForbidden)
	checkKeystoneError(t, a.do("POST", base, `{"tenant_id":"p-demo"}`, "X-Auth-Token", bob), http.StatusForbidden)
	checkKeystoneError(t, a.do("DELETE", base+"/"+cr.Access, "", "X-Auth-Token", bob), http.StatusForbidden)

	// The same credential in /v3/credentials, with Keystone's hashed ID.
	var v3 struct {
		Credentials []struct {
			ID        string  `json:"id"`
			UserID    string  `json:"user_id"`
			ProjectID *string `json:"project_id"`
			Type      string  `json:"type"`
			Blob      string  `json:"blob"`
			Links     struct {
				Self string `json:"self"`
			} `json:"links"`
		} `json:"credentials"`
		Links listLinks `json:"links"`
	}
	a.get("/v3/credentials?type=ec2", member).expect(t, http.StatusOK).decode(t, &v3)
	if len(v3.Credentials) != 1 || len(v3.Credentials[0].ID) != 64 || v3.Credentials[0].Type != "ec2" {
		t.Errorf("v3 credentials = %+v", v3.Credentials)
	}
	a.do("DELETE", base+"/"+cr.Access, "", "X-Auth-Token", member).expect(t, http.StatusNoContent)
	// Gone: Keystone's credential lookup answers 404 (Tempest checks it).
	checkKeystoneError(t, a.do("DELETE", base+"/"+cr.Access, "", "X-Auth-Token", member), http.StatusNotFound)
	checkKeystoneError(t, a.get(base+"/"+cr.Access, member), http.StatusNotFound)
}

func TestV3Credentials(t *testing.T) {
	a := seededAPI(t)
	member, _ := a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-demo")))
	var one struct {
		Credential struct {
			ID        string  `json:"id"`
			UserID    string  `json:"user_id"`
			ProjectID *string `json:"project_id"`
			Type      string  `json:"type"`
			Blob      string  `json:"blob"`
			Links     struct {
				Self string `json:"self"`
			} `json:"links"`
		} `json:"credential"`
	}
	a.do("POST", "/v3/credentials", `{"credential":{"blob":"{\"access\":\"181920\",\"secret\":\"secretKey\"}","project_id":"p-demo","type":"ec2","user_id":"u-alice"}}`,
		"X-Auth-Token", member).expect(t, http.StatusCreated).decode(t, &one)
	// Keystone's ID for an ec2 credential: the SHA-256 of its access key.
	const id = "3d3367228f9c7665266604462ec60029bcd83ad89614021a80b2eb879c572510"
	if one.Credential.ID != id || one.Credential.Links.Self != a.srv.URL()+"/v3/credentials/"+id || *one.Credential.ProjectID != "p-demo" {
		t.Errorf("created = %+v", one.Credential)
	}
	checkKeystoneError(t, a.do("POST", "/v3/credentials", `{"credential":{"blob":"{}","type":"ec2","user_id":"u-alice","project_id":"p-demo"}}`, "X-Auth-Token", member), http.StatusBadRequest)
	checkKeystoneError(t, a.do("POST", "/v3/credentials", `{"credential":{"blob":"x","type":"totp","user_id":"u-bob"}}`, "X-Auth-Token", member), http.StatusForbidden)
	a.do("POST", "/v3/credentials", `{"credential":{"blob":"x","type":"totp","user_id":"u-alice"}}`, "X-Auth-Token", member).expect(t, http.StatusCreated)
	a.do("PATCH", "/v3/credentials/"+id, `{"credential":{"project_id":"p-ops"}}`, "X-Auth-Token", member).expect(t, http.StatusOK).decode(t, &one)
	if *one.Credential.ProjectID != "p-ops" {
		t.Errorf("updated = %+v", one.Credential)
	}
	bob := otherMember(t, a)
	checkKeystoneError(t, a.get("/v3/credentials/"+id, bob), http.StatusForbidden)
	a.get("/v3/credentials/"+id, member).expect(t, http.StatusOK)
	a.do("DELETE", "/v3/credentials/"+id, "", "X-Auth-Token", member).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.get("/v3/credentials/"+id, member), http.StatusNotFound)
}
