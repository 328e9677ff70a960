package compute_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

// A server builds for 30 seconds of the shared clock: BUILD until the
// clock is advanced, then ACTIVE. compute.NewUnstarted gives the handler
// to embed; here it is served by httptest.
func Example_serverBuild() {
	c, err := compute.NewUnstarted(fake.WithSeed(1))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	api := srv.URL + "/v2.1/my-project"

	body := `{"server": {"name": "web-1", "flavorRef": "1", "imageRef": "` + compute.DefaultImageID + `"}}`
	resp, err := http.Post(api+"/servers", "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	var created struct {
		Server struct {
			ID string `json:"id"`
		} `json:"server"`
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	fmt.Println("create:", resp.StatusCode)

	status := func() string {
		resp, err := http.Get(api + "/servers/" + created.Server.ID)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var s struct {
			Server struct {
				Status   string `json:"status"`
				Progress int    `json:"progress"`
			} `json:"server"`
		}
		json.NewDecoder(resp.Body).Decode(&s)
		return fmt.Sprintf("%s (%d%%)", s.Server.Status, s.Server.Progress)
	}
	fmt.Println("before:", status())
	c.Clock().Advance(15 * time.Second)
	fmt.Println("half way:", status())
	c.Clock().Advance(15 * time.Second)
	fmt.Println("after:", status())
	// Output:
	// create: 202
	// before: BUILD (0%)
	// half way: BUILD (50%)
	// after: ACTIVE (100%)
}

// Every server action is an op of its own, so a fault can name one: here
// the first reboot fails with 503, and the journal names each action.
func Example_actionFault() {
	c, err := compute.NewUnstarted(fake.WithSeed(1), compute.WithDurations(compute.Instant()))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	s, err := c.AddServer(compute.Server{ProjectID: "my-project", FlavorID: "1", ImageID: compute.DefaultImageID})
	if err != nil {
		panic(err)
	}
	c.Inject(fake.Fault{Op: compute.OpActionReboot, Status: http.StatusServiceUnavailable, Times: 1})

	action := func(body string) {
		resp, err := http.Post(srv.URL+"/v2.1/my-project/servers/"+s.ID+"/action", "application/json", strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	action(`{"reboot": {"type": "SOFT"}}`)
	action(`{"os-stop": null}`)
	action(`{"os-start": null}`)
	action(`{"reboot": {"type": "SOFT"}}`)
	for _, r := range c.Requests() {
		fmt.Println(r.Op, r.Status)
	}
	// Output:
	// 503
	// 202
	// 202
	// 202
	// compute.servers.action.reboot 503
	// compute.servers.action.os-stop 202
	// compute.servers.action.os-start 202
	// compute.servers.action.reboot 202
}
