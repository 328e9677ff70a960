package compute_test

import "testing"

// TestFlavorAccess: a private flavor's access list (admin only), the
// grant making it visible to the project, 404 for public flavors, the
// conflicts and the schema.
func TestFlavorAccess(t *testing.T) {
	a := newXAPIWithTokens(t)
	adm := a.admin()
	adm.do("POST", "/flavors", `{"flavor":{"name":"secret","ram":1024,"vcpus":2,"disk":10,"id":"10","os-flavor-access:is_public":false}}`).status1(t, 200)
	adm.get("/flavors/10/os-flavor-access").want(t, 200, `{"flavor_access":[]}`)
	a.get("/flavors/10").fault(t, 404, "Flavor 10 could not be found.")
	a.get("/flavors/10/os-flavor-access").fault(t, 403, "Policy doesn't allow os_compute_api:os-flavor-access to be performed.")
	a.do("POST", "/flavors/10/action", `{"addTenantAccess":{"tenant":"p"}}`).fault(t, 403,
		"Policy doesn't allow os_compute_api:os-flavor-access:add_tenant_access to be performed.")

	adm.do("POST", "/flavors/10/action", `{"addTenantAccess":{"tenant":"p"}}`).want(t, 200, `{"flavor_access":[{"flavor_id":"10","tenant_id":"p"}]}`)
	adm.do("POST", "/flavors/10/action", `{"addTenantAccess":{"tenant":"p"}}`).fault(t, 409,
		"Flavor access already exists for flavor 10 and project p combination.")
	adm.get("/flavors/10/os-flavor-access").want(t, 200, `{"flavor_access":[{"flavor_id":"10","tenant_id":"p"}]}`)
	a.get("/flavors/10").status1(t, 200)

	adm.do("POST", "/flavors/10/action", `{"removeTenantAccess":{"tenant":"p"}}`).want(t, 200, `{"flavor_access":[]}`)
	adm.do("POST", "/flavors/10/action", `{"removeTenantAccess":{"tenant":"p"}}`).fault(t, 404, "Flavor access not found for 10 / p combination.")
	a.get("/flavors/10").fault(t, 404, "Flavor 10 could not be found.")

	adm.get("/flavors/1/os-flavor-access").fault(t, 404, "Access list not available for public flavors.")
	adm.at("2.7").do("POST", "/flavors/1/action", `{"addTenantAccess":{"tenant":"p"}}`).fault(t, 409, "Can not add access to a public flavor.")
	adm.do("POST", "/flavors/10/action", `{"addTenantAccess":{}}`).fault(t, 400, "Invalid input for field/attribute addTenantAccess. Value: {}. 'tenant' is a required property")
	adm.do("POST", "/flavors/10/action", `{"addTenantAccess":{"tenant":""}}`).fault(t, 400, "Invalid input for field/attribute tenant. Value: . '' is too short")
	adm.do("POST", "/flavors/nope/action", `{"addTenantAccess":{"tenant":"p"}}`).fault(t, 404, "Flavor nope could not be found.")
}
