package fastly_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/mockcloud/mockcloud/fastly"
)

func TestWithoutKey(t *testing.T) {
	a := newAPI(t, fastly.WithoutKey())
	a.key = ""
	id := a.newService("keyless")
	a.must(a.get("/service/"+id), http.StatusOK)
	// A key that is sent is still checked under Strict.
	s := newAPI(t, fastly.WithoutKey(), fastly.Strict())
	s.key = ""
	s.must(s.get("/service"), http.StatusOK)
	s.key = "unknown"
	s.must(s.get("/service"), http.StatusUnauthorized)
	// Without the option a missing key is a 401.
	plain := newAPI(t)
	plain.key = ""
	plain.must(plain.get("/service"), http.StatusUnauthorized)
}

func TestMimicShapes(t *testing.T) {
	a := newAPI(t, fastly.MimicShapes())
	id := a.newService("site")
	var search struct {
		ID             string `json:"id"`
		Name           string `json:"name"`
		ServiceName    string `json:"service_name"`
		ServiceDetails struct {
			ServiceID        string  `json:"service_id"`
			Number           int     `json:"number"`
			Service          string  `json:"service"`
			InheritServiceID *string `json:"inherit_service_id"`
		} `json:"service_details"`
	}
	if err := json.Unmarshal(a.must(a.get("/service/search?name=site"), http.StatusOK).Body, &search); err != nil {
		t.Fatal(err)
	}
	if search.ID != id || search.Name != "site" || search.ServiceName != "site" ||
		search.ServiceDetails.ServiceID != id || search.ServiceDetails.Number != 1 || search.ServiceDetails.Service != id {
		t.Errorf("search: %+v", search)
	}
	versions := a.must(a.get("/service/"+id+"/version"), http.StatusOK).list(t)
	for _, key := range []string{"service", "inherit_service_id", "backend"} {
		if _, ok := versions[0][key]; !ok {
			t.Errorf("version lacks %s: %v", key, versions[0])
		}
	}
	customer := a.must(a.get("/current_customer"), http.StatusOK).obj(t)
	for _, key := range []string{"can_edit_matches", "has_config_panel", "has_streaming", "readonly", "stripe_account"} {
		if _, ok := customer[key]; !ok {
			t.Errorf("customer lacks %s", key)
		}
	}
	health := a.must(a.get("/"), http.StatusOK).obj(t)
	if health["status"] != "ok" {
		t.Errorf("GET /: %v", health)
	}
	if !slices.Contains(a.srv.Ops(), fastly.OpHealth) {
		t.Errorf("ops lack %s", fastly.OpHealth)
	}

	plain := newAPI(t)
	pid := plain.newService("site")
	if got := plain.must(plain.get("/service/search?name=site"), http.StatusOK).obj(t); got["id"] != pid || got["service_details"] != nil || got["service_name"] != nil {
		t.Errorf("default search: %v", got)
	}
	v := plain.must(plain.get("/service/"+pid+"/version"), http.StatusOK).list(t)[0]
	for _, key := range []string{"service", "inherit_service_id", "backend"} {
		if _, ok := v[key]; ok {
			t.Errorf("default version has %s: %v", key, v)
		}
	}
	if _, ok := plain.must(plain.get("/current_customer"), http.StatusOK).obj(t)["can_edit_matches"]; ok {
		t.Errorf("default customer has legacy fields")
	}
	plain.must(plain.get("/"), http.StatusNotFound)
}
