package mockcloud

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/loadbalancer"
)

// The control API drives a Cloud from outside the test process (or from a
// test that prefers HTTP). Errors come as {"error":{"code","message"}}.
//
//	POST   /mockcloud/v1/tick          {"amount": seconds}  -> {"advanced", "now"}
//	GET    /mockcloud/v1/time                               -> {"now"}
//	GET    /mockcloud/v1/faults                             -> {"faults": [...]}
//	POST   /mockcloud/v1/faults        a fault              -> 201 the fault with its "id"
//	DELETE /mockcloud/v1/faults/{id}                        -> 204, or 404
//	DELETE /mockcloud/v1/faults                             -> 204 (all removed)
//	GET    /mockcloud/v1/requests      ?service=&op=        -> {"requests": [...]}
//	DELETE /mockcloud/v1/requests      ?service=            -> 204
//	GET    /mockcloud/v1/health                             -> {"status":"ok", ...}
//	POST   /mimic/v1.1/tick            Mimic's tick, unchanged
//	GET    /mimic/v1.0/presets         Mimic's list of metadata presets (those mockcloud honours)
//
// service= takes the names health lists: "identity", or "compute/DFW" for
// one region ("compute" is every region). A known path with another method
// answers 405 with Allow.
func (c *Cloud) controlRoutes(mux *http.ServeMux) {
	routes := []struct {
		method, path string
		h            http.HandlerFunc
	}{
		{"POST", ControlPrefix + "/tick", c.tick},
		{"POST", mimicTickPath, c.tick},
		{"GET", mimicPresetsPath, c.presets},
		{"GET", ControlPrefix + "/time", c.serveTime},
		{"GET", ControlPrefix + "/faults", c.listFaults},
		{"POST", ControlPrefix + "/faults", c.addFault},
		{"DELETE", ControlPrefix + "/faults", c.clearFaults},
		{"DELETE", ControlPrefix + "/faults/{id}", c.removeFault},
		{"GET", ControlPrefix + "/requests", c.listRequests},
		{"DELETE", ControlPrefix + "/requests", c.resetRequests},
		{"GET", ControlPrefix + "/health", c.health},
	}
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+rt.path, rt.h)
	}
	// Anything else under the control paths: 405 with Allow for a known
	// path, 404 for an unknown one.
	unmatched := func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, rt := range routes {
			if controlPathMatches(rt.path, r.URL.Path) {
				allow = append(allow, rt.method)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeControlError(w, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed for "+r.URL.Path+".")
			return
		}
		writeControlError(w, http.StatusNotFound, "Unknown control call "+r.Method+" "+r.URL.Path+".")
	}
	mux.HandleFunc(ControlPrefix+"/", unmatched)
	mux.HandleFunc(mimicTickPath, unmatched)
	mux.HandleFunc(mimicPresetsPath, unmatched)
}

const (
	mimicTickPath    = "/mimic/v1.1/tick"
	mimicPresetsPath = "/mimic/v1.0/presets"
)

// presets answers Mimic's GET /mimic/v1.0/presets: the metadata keys that
// make a create misbehave, in Mimic's layout, listing only what this cloud
// honours (Mimic's identity token presets are not faked).
func (c *Cloud) presets(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{
		"servers":       compute.Presets(),
		"loadbalancers": loadbalancer.Presets(),
	})
}

// controlPathMatches matches a control route's path, where a "{name}"
// segment stands for any one non-empty segment.
func controlPathMatches(pattern, p string) bool {
	want, got := strings.Split(pattern, "/"), strings.Split(p, "/")
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if want[i] != got[i] && (!strings.HasPrefix(want[i], "{") || got[i] == "") {
			return false
		}
	}
	return true
}

func writeControlError(w http.ResponseWriter, status int, msg string) {
	fake.WriteJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg}})
}

// mimicTime is the timestamp format of Mimic's tick answer.
const mimicTime = "2006-01-02T15:04:05.000000Z"

func (c *Cloud) tick(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Amount *float64 `json:"amount"`
	}
	if err := fake.DecodeJSON(r, &body, fake.DecodeOptions{}); err != nil {
		writeControlError(w, err.Status, err.Message)
		return
	}
	if body.Amount == nil {
		writeControlError(w, http.StatusBadRequest, `"amount" (seconds to advance) is required.`)
		return
	}
	amount := *body.Amount
	if amount < 0 || math.IsNaN(amount) || amount > 100*365*24*3600 {
		writeControlError(w, http.StatusBadRequest, fmt.Sprintf(`"amount" must be a number of seconds from 0 to 100 years, not %v.`, amount))
		return
	}
	now := c.Advance(time.Duration(amount * float64(time.Second)))
	fake.WriteJSON(w, http.StatusOK, map[string]any{"advanced": amount, "now": now.UTC().Format(mimicTime)})
}

func (c *Cloud) serveTime(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"now": c.Now().UTC().Format(time.RFC3339Nano)})
}

func (c *Cloud) listFaults(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"faults": c.Faults()})
}

func (c *Cloud) addFault(w http.ResponseWriter, r *http.Request) {
	var f fake.Fault
	if err := fake.DecodeJSON(r, &f, fake.DecodeOptions{}); err != nil {
		writeControlError(w, err.Status, err.Message)
		return
	}
	h, err := c.env.Faults.Add(f)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("Location", ControlPrefix+"/faults/"+h.ID())
	fake.WriteJSON(w, http.StatusCreated, fake.FaultInfo{ID: h.ID(), Fault: f})
}

func (c *Cloud) removeFault(w http.ResponseWriter, r *http.Request) {
	if !c.env.Faults.Remove(r.PathValue("id")) {
		writeControlError(w, http.StatusNotFound, "No fault "+r.PathValue("id")+".")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cloud) clearFaults(w http.ResponseWriter, r *http.Request) {
	c.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cloud) listRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	reqs := c.Requests(q["service"]...)
	if op := q.Get("op"); op != "" {
		reqs = fake.Filter(reqs, op)
	}
	if reqs == nil {
		reqs = []fake.Request{}
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"requests": reqs})
}

func (c *Cloud) resetRequests(w http.ResponseWriter, r *http.Request) {
	c.ResetRequests(r.URL.Query()["service"]...)
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cloud) health(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{
		"status":   "ok",
		"now":      c.Now().UTC().Format(time.RFC3339Nano),
		"services": c.serviceNames(),
		"regions":  c.regions,
	})
}

// serveHelp answers GET / with how to authenticate and what is mounted.
func (c *Cloud) serveHelp(w http.ResponseWriter, r *http.Request) {
	base := fake.HostURL(r)
	services := map[string]string{}
	for _, m := range c.mounts {
		if m.prefix != "" {
			services[m.name] = base + m.prefix + "/"
		}
	}
	auth := "any user name and password (or API key) are accepted; users and projects are created on first sight"
	if c.identityStrict() {
		auth = "only seeded users with their password or API key are accepted"
	}
	w.Header().Set("Cache-Control", "no-store")
	fake.WriteJSON(w, http.StatusOK, map[string]any{
		"mockcloud": map[string]any{
			"about":    "an in-process fake cloud; authenticate with identity, then use the endpoints in the service catalog",
			"identity": map[string]string{"discovery": base + IdentityPrefix + "/", "v3": base + IdentityPrefix + "/v3/auth/tokens", "v2.0": base + IdentityPrefix + "/v2.0/tokens"},
			"auth":     auth,
			"example_v3": map[string]any{"auth": map[string]any{
				"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{
					"user": map[string]any{"name": "demo", "domain": map[string]string{"id": "default"}, "password": "demo"}}},
				"scope": map[string]any{"project": map[string]any{"name": "demo", "domain": map[string]string{"id": "default"}}},
			}},
			"example_v2.0": map[string]any{"auth": map[string]any{
				"passwordCredentials": map[string]string{"username": "demo", "password": "demo"}, "tenantName": "demo"}},
			"services": services,
			"regions":  c.regions,
			"control":  base + ControlPrefix + "/",
			"now":      c.Now().UTC().Format(time.RFC3339Nano),
		},
	})
}

func (c *Cloud) identityStrict() bool { return c.identity.Strict() }
