package identity_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/identity"
)

// BenchmarkV3Token measures POST /v3/auth/tokens over loopback, catalog
// included: the call every client makes first.
func BenchmarkV3Token(b *testing.B) {
	srv := identity.New(b, identity.WithCatalog(computeCatalog))
	client := srv.Client()
	url := srv.URL() + "/v3/auth/tokens"
	body := v3Password("bench", "Default", "pw", projectByName("bench", "Default"))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := client.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Subject-Token") == "" {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
