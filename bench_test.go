package mockcloud_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud"
)

// BenchmarkGetServer is one GET /servers/{id} through a whole Cloud (token
// check, journal, microversion, the server's view), over a loopback socket
// and through the in-memory transport.
func BenchmarkGetServer(b *testing.B) {
	c := mockcloud.New(b, mockcloud.WithJournalLimit(1024))
	tok := token(b, c)
	tk, _ := c.Identity().Token(tok)
	var created struct {
		Server struct {
			ID string `json:"id"`
		} `json:"server"`
	}
	if code, body := call(b, c, "POST", "/compute/RegionOne/v2.1/"+tk.ProjectID+"/servers", serverBody,
		map[string]string{"X-Auth-Token": tok}, &created); code != http.StatusAccepted {
		b.Fatalf("create: %d %s", code, body)
	}
	url := c.URL() + "/compute/RegionOne/v2.1/" + tk.ProjectID + "/servers/" + created.Server.ID
	for _, bc := range []struct {
		name   string
		client *http.Client
	}{
		{"loopback", &http.Client{Transport: &http.Transport{}}},
		{"memory", c.Client()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("X-Auth-Token", tok)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				resp, err := bc.client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
