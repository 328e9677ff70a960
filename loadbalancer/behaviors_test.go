package loadbalancer_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

// AddCreateBehavior returns the stored copy with its counted ID, and
// CreateBehaviors lists what is registered, in the order it is tried.
func TestCreateBehaviorCopies(t *testing.T) {
	h := instant(t)
	in := loadbalancer.CreateBehavior{ID: "ignored", Tenant: tenant, Name: "web-.*", Behavior: loadbalancer.Behavior{Build: time.Hour}}
	first, err := h.srv.AddCreateBehavior(in)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID = "00000000-0000-4000-8000-000000000001"
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("AddCreateBehavior (-want +got):\n%s", diff)
	}
	if _, err := h.srv.AddCreateBehavior(loadbalancer.CreateBehavior{Name: "("}); err == nil {
		t.Error("a bad name criterion was accepted")
	}
	second, err := h.srv.AddCreateBehavior(loadbalancer.CreateBehavior{Behavior: loadbalancer.Behavior{ErrorOnChange: true}})
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != "00000000-0000-4000-8000-000000000002" {
		t.Errorf("second ID %s: a refused behavior took a number", second.ID)
	}
	if diff := cmp.Diff([]loadbalancer.CreateBehavior{want, second}, h.srv.CreateBehaviors()); diff != "" {
		t.Errorf("CreateBehaviors (-want +got):\n%s", diff)
	}

	// The first that matches decides.
	web := h.create(`{"loadBalancer":{"name":"web-1","protocol":"HTTP","virtualIps":[{"type":"PUBLIC"}]}}`)
	db := h.create(`{"loadBalancer":{"name":"db-1","protocol":"MYSQL","virtualIps":[{"type":"SERVICENET"}]}}`)
	h.srv.Clock().Advance(time.Minute)
	h.srv.CheckStatus(t, web, "BUILD")
	h.srv.CheckStatus(t, db, "ACTIVE")
	h.expect(h.do("PUT", lbPath(db), `{"loadBalancer":{"timeout":60}}`), 202, "")
	h.srv.CheckStatus(t, db, "ERROR")

	if !h.srv.RemoveCreateBehavior(first.ID) || h.srv.RemoveCreateBehavior(first.ID) {
		t.Error("RemoveCreateBehavior: want true, then false")
	}
	if diff := cmp.Diff([]loadbalancer.CreateBehavior{second}, h.srv.CreateBehaviors()); diff != "" {
		t.Errorf("CreateBehaviors after removal (-want +got):\n%s", diff)
	}
}
