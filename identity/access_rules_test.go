package identity_test

import (
	"net/http"
	"testing"
)

// TestAccessRules: the rules a user's application credentials name are
// listed under the user, shared between credentials, kept after the
// credential is deleted, and deletable only once no credential names them.
func TestAccessRules(t *testing.T) {
	a := seededAPI(t)
	ops, _ := a.login(v3PasswordByID("u-alice", "s3cret", projectByID("p-ops")))
	creds, rules := "/v3/users/u-alice/application_credentials", "/v3/users/u-alice/access_rules"
	type rule struct {
		appCredAccessRule
		Links struct {
			Self string `json:"self"`
		} `json:"links"`
	}
	var made struct {
		AppCred appCred `json:"application_credential"`
	}
	create := func(name string) {
		t.Helper()
		a.do("POST", creds, `{"application_credential":{"name":"`+name+`","access_rules":[{"path":"/v2.1/servers/*/ips","method":"GET","service":"compute"}]}}`,
			"X-Auth-Token", ops).expect(t, http.StatusCreated).decode(t, &made)
	}
	create("first")
	first, ruleID := made.AppCred.ID, made.AppCred.AccessRules[0].ID
	if got := made.AppCred.AccessRules[0]; got != (appCredAccessRule{ID: ruleID, Path: "/v2.1/servers/*/ips", Method: "GET", Service: "compute"}) || !tokenIDPattern.MatchString(ruleID) {
		t.Errorf("the credential's rule = %+v", got)
	}
	create("second") // the same rule: shared, not made twice
	second := made.AppCred.ID
	if made.AppCred.AccessRules[0].ID != ruleID {
		t.Errorf("second credential's rule %v, want the shared %s", made.AppCred.AccessRules, ruleID)
	}
	var list struct {
		AccessRules []rule    `json:"access_rules"`
		Links       listLinks `json:"links"`
	}
	a.get(rules, ops).expect(t, http.StatusOK).decode(t, &list)
	if len(list.AccessRules) != 1 || list.AccessRules[0].ID != ruleID || list.AccessRules[0].Links.Self != a.srv.URL()+rules+"/"+ruleID {
		t.Errorf("list = %+v", list.AccessRules)
	}
	a.get(rules+"?service=image", ops).expect(t, http.StatusOK).decode(t, &list)
	if len(list.AccessRules) != 0 {
		t.Errorf("filtered by another service: %+v", list.AccessRules)
	}
	var one struct {
		AccessRule rule `json:"access_rule"`
	}
	a.get(rules+"/"+ruleID, ops).expect(t, http.StatusOK).decode(t, &one)
	if one.AccessRule.ID != ruleID || one.AccessRule.Service != "compute" {
		t.Errorf("show = %+v", one.AccessRule)
	}
	checkKeystoneError(t, a.get(rules+"/nope", ops), http.StatusNotFound)
	checkKeystoneError(t, a.get(rules, otherMember(t, a)), http.StatusForbidden)

	// In use by either credential: 403; kept when both are gone; then deletable.
	checkKeystoneError(t, a.do("DELETE", rules+"/"+ruleID, "", "X-Auth-Token", ops), http.StatusForbidden)
	a.do("DELETE", creds+"/"+first, "", "X-Auth-Token", ops).expect(t, http.StatusNoContent)
	checkKeystoneError(t, a.do("DELETE", rules+"/"+ruleID, "", "X-Auth-Token", ops), http.StatusForbidden)
	a.do("DELETE", creds+"/"+second, "", "X-Auth-Token", ops).expect(t, http.StatusNoContent)
	a.get(rules, ops).expect(t, http.StatusOK).decode(t, &list)
	if len(list.AccessRules) != 1 {
		t.Errorf("after the credentials' deletion: %+v, want the rule kept", list.AccessRules)
	}
	a.do("DELETE", rules+"/"+ruleID, "", "X-Auth-Token", ops).expect(t, http.StatusNoContent)
	a.get(rules, ops).expect(t, http.StatusOK).decode(t, &list)
	if len(list.AccessRules) != 0 {
		t.Errorf("after the rule's deletion: %+v", list.AccessRules)
	}
}
