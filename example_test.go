package mockcloud_test

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
)

// A Cloud in a test is one line: mockcloud.New(t). Outside a test, start
// and close it yourself.
func Example() {
	cloud, err := mockcloud.NewUnstarted()
	if err != nil {
		panic(err)
	}
	cloud.Start()
	defer cloud.Close()

	body := `{"auth":{"passwordCredentials":{"username":"alice","password":"pw"},"tenantName":"demo"}}`
	resp, err := http.Post(cloud.URL()+"/identity/v2.0/tokens", "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("auth:", resp.StatusCode)

	tok := cloud.Identity().Tokens()[0]
	fmt.Println("expires in:", tok.ExpiresAt.Sub(cloud.Now()))
	cloud.Advance(24 * time.Hour)
	fmt.Println("valid after a day:", tok.Valid(cloud.Now()))
	fmt.Println("requests:", fake.Ops(cloud.Requests()))
	// Output:
	// auth: 200
	// expires in: 24h0m0s
	// valid after a day: false
	// requests: [identity.v2.tokens.create]
}

// Faults are data: the second token request fails with 503, the others pass.
func ExampleCloud_Inject() {
	cloud, err := mockcloud.NewUnstarted()
	if err != nil {
		panic(err)
	}
	cloud.Start()
	defer cloud.Close()

	second := cloud.Inject(fake.Fault{Op: identity.OpV2CreateToken, Skip: 1, Times: 1, Status: http.StatusServiceUnavailable})
	body := `{"auth":{"passwordCredentials":{"username":"alice","password":"pw"}}}`
	for i := 0; i < 3; i++ {
		resp, err := http.Post(cloud.URL()+"/identity/v2.0/tokens", "application/json", strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	fmt.Println("hits:", second.Hits())
	// Output:
	// 200
	// 503
	// 200
	// hits: 1
}
