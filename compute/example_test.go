package compute_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/compute"
)

// A server builds for 30 seconds of the shared clock: BUILD until the
// clock is advanced, then ACTIVE. compute.New gives the handler to embed;
// here it is served by httptest.
func Example_serverBuild() {
	c := compute.New(compute.WithSeed(1))
	srv := httptest.NewServer(c)
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
