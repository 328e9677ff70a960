package identity_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/mockcloud/mockcloud/identity"
)

// Authenticate over Keystone v3 with plain net/http. Tests would use
// identity.New(t); an Example has no t, so it starts
// identity.NewUnstarted() itself.
func Example() {
	id, err := identity.NewUnstarted(identity.WithCatalog(identity.CatalogService{
		Type: "compute", Name: "nova",
		Endpoints: []identity.CatalogEndpoint{{Region: "RegionOne", URL: "/compute/v2.1/{project_id}"}},
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	id.Start()
	defer id.Close()

	body := `{"auth": {
	  "identity": {"methods": ["password"],
	    "password": {"user": {"name": "demo", "domain": {"name": "Default"}, "password": "secret"}}},
	  "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}`
	resp, err := http.Post(id.URL()+"/v3/auth/tokens", "application/json", strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()

	var out struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
			Project   struct {
				Name string `json:"name"`
			} `json:"project"`
			Catalog []struct {
				Type string `json:"type"`
			} `json:"catalog"`
		} `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status)
	fmt.Println("X-Subject-Token set:", resp.Header.Get("X-Subject-Token") != "")
	fmt.Println("project:", out.Token.Project.Name)
	fmt.Println("catalog:", out.Token.Catalog[0].Type)
	fmt.Println("expires:", out.Token.ExpiresAt)
	// Output:
	// 201 Created
	// X-Subject-Token set: true
	// project: demo
	// catalog: compute
	// expires: 2026-01-02T00:00:00.000000Z
}

// Mimic's behavior API makes matching authentications fail. The service
// can be embedded: here its Handler is served by a server of the example's
// own.
func Example_mimicBehavior() {
	id, err := identity.NewUnstarted()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer id.Close()
	srv := httptest.NewServer(id.Handler())
	defer srv.Close()

	post := func(path, body string) int {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println(post("/mimic/v1.1/IdentityControlAPI/behaviors/auth",
		`{"criteria":[{"username":"fail.*"}],"name":"fail","parameters":{"code":500,"message":"boom"}}`))
	fmt.Println(post("/v2.0/tokens", `{"auth":{"passwordCredentials":{"username":"failme","password":"x"}}}`))
	fmt.Println(post("/v2.0/tokens", `{"auth":{"passwordCredentials":{"username":"alice","password":"x"}}}`))
	// Output:
	// 201
	// 500
	// 200
}
