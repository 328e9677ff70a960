package fastly_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/fastly"
)

// Create a service, add a domain and a backend to version 1 with
// form-encoded bodies as the official clients send them, activate it, and
// purge a surrogate key. Tests would use fastly.New(t), which starts it
// and closes it when the test ends; an Example has no t, so it starts one
// from NewUnstarted itself.
func Example() {
	f, err := fastly.NewUnstarted()
	if err != nil {
		panic(err)
	}
	f.Start()
	defer f.Close()

	call := func(method, path string, form url.Values) map[string]any {
		req, _ := http.NewRequest(method, f.URL()+path, strings.NewReader(form.Encode()))
		req.Header.Set("Fastly-Key", "my-api-key")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := f.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}

	svc := call("POST", "/service", url.Values{"name": {"website"}})
	id := svc["id"].(string)
	call("POST", "/service/"+id+"/version/1/domain", url.Values{"name": {"www.example.com"}})
	be := call("POST", "/service/"+id+"/version/1/backend", url.Values{"name": {"origin"}, "address": {"origin.example.com"}, "port": {"443"}, "use_ssl": {"1"}})
	v := call("PUT", "/service/"+id+"/version/1/activate", nil)
	locked := call("POST", "/service/"+id+"/version/1/domain", url.Values{"name": {"late.example.com"}})
	purge := call("POST", "/service/"+id+"/purge/product-42", nil)

	fmt.Println("backend:", be["hostname"], be["port"], be["use_ssl"])
	fmt.Println("active:", v["active"], "locked:", v["locked"])
	fmt.Println("editing it:", locked["msg"])
	fmt.Println("purge:", purge["status"])
	s, _ := f.Service(id)
	fmt.Println("active version:", s.ActiveVersion(), "domains:", s.Versions[0].Domains[0].Name)
	p := f.Purges()[0]
	fmt.Println("purged:", p.Kind, p.Key)
	// Output:
	// backend: origin.example.com 443 true
	// active: true locked: true
	// editing it: Version locked
	// purge: ok
	// active version: 1 domains: www.example.com
	// purged: key product-42
}

// A slow activation: the version is locked at once but becomes active only
// when the shared clock has moved on.
func ExampleFastly_SlowActivations() {
	f, err := fastly.NewUnstarted()
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(f.Handler()) // or f.Start(), as Example does
	defer srv.Close()

	s, _ := f.AddService(fastly.Service{Name: "slow", Versions: []fastly.Version{{
		Domains: []fastly.Domain{{Name: "slow.example.com"}},
	}}})
	f.SlowActivations(s.ID, 30*time.Second)

	req, _ := http.NewRequest("PUT", srv.URL+"/service/"+s.ID+"/version/1/activate", nil)
	req.Header.Set("Fastly-Key", "k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()

	now, _ := f.Service(s.ID)
	f.Clock().Advance(30 * time.Second)
	later, _ := f.Service(s.ID)
	fmt.Println(resp.StatusCode, now.ActiveVersion(), later.ActiveVersion())
	// Output:
	// 200 0 1
}
