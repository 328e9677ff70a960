package mockcloud

import (
	"crypto/subtle"
	"encoding/json"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
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
//	GET    /healthz                                         -> the same (container probes)
//	GET    /mockcloud/v1/ops                                -> {"ops": [...]}, what a fault's op can name
//	…      /mockcloud/v1/{service}/…                        a service's own control calls (kit.Controls):
//	                                                           triton's compute nodes and chaos at /mockcloud/v1/triton/…
//	POST   /mimic/v1.1/tick            Mimic's tick, unchanged
//	GET    /mimic/v1.0/presets         Mimic's list of metadata presets (those mockcloud honours)
//
// service= takes the names health lists: "identity", or "compute/DFW" for
// one region ("compute" is every region). A known path with another method
// answers 405 with Allow. The control API is a kit service of its own,
// neither journaled nor faulted.
func (c *Cloud) controlRoutes(mux *http.ServeMux) {
	ctl := kit.NewService(c.env, "", kit.Spec{
		Name:            "control",
		Internal:        true,
		Unauthenticated: true,
		Errors:          controlError,
		NotFound: func(r *http.Request) *kit.Error {
			return kit.NotFound("Unknown control call %s %s.", r.Method, r.URL.Path)
		},
		MaxBody: ControlMaxBody,
		Routes: func() []kit.Route {
			return c.guarded(append([]kit.Route{
				{Op: "control.tick", Method: "POST", Path: ControlPrefix + "/tick", Handler: c.tick},
				{Op: "control.tick", Method: "POST", Path: mimicTickPath, Handler: c.tick},
				{Op: "control.presets", Method: "GET,HEAD", Path: mimicPresetsPath, Handler: c.presets},
				{Op: "control.time", Method: "GET,HEAD", Path: ControlPrefix + "/time", Handler: c.serveTime},
				{Op: "control.faults.list", Method: "GET,HEAD", Path: ControlPrefix + "/faults", Handler: c.listFaults},
				{Op: "control.faults.create", Method: "POST", Path: ControlPrefix + "/faults", Handler: c.addFault},
				{Op: "control.faults.clear", Method: "DELETE", Path: ControlPrefix + "/faults", Handler: c.clearFaults},
				{Op: "control.faults.delete", Method: "DELETE", Path: ControlPrefix + "/faults/{id}", Handler: c.removeFault},
				{Op: "control.requests.list", Method: "GET,HEAD", Path: ControlPrefix + "/requests", Handler: c.listRequests},
				{Op: "control.requests.reset", Method: "DELETE", Path: ControlPrefix + "/requests", Handler: c.resetRequests},
				{Op: "control.health", Method: "GET,HEAD", Path: ControlPrefix + "/health", Handler: c.health},
				// What a container's probes ask (the Helm chart's liveness and readiness).
				{Op: "control.health", Method: "GET,HEAD", Path: "/healthz", Handler: c.health},
				{Op: "control.ops", Method: "GET,HEAD", Path: ControlPrefix + "/ops", Handler: c.listOps},
				{Op: "control.help", Method: "GET,HEAD", Path: "/", Handler: c.serveHelp},
			}, c.serviceControlRoutes()...))
		},
	})
	for _, p := range []string{ControlPrefix + "/", mimicTickPath, mimicPresetsPath, "/healthz", "/{$}"} {
		mux.Handle(p, ctl)
	}
}

// ControlMaxBody bounds a control call's body: room for a data center's
// description (triton's POST /mockcloud/v1/triton/dc).
const ControlMaxBody = 64 << 20

// guarded puts the control token check (WithControlToken) ahead of every
// control call but those that only say where things are and how they are
// (GET /, the health checks, Mimic's presets).
func (c *Cloud) guarded(routes []kit.Route) []kit.Route {
	if c.controlToken == "" {
		return routes
	}
	open := map[string]bool{"control.help": true, "control.health": true, "control.presets": true}
	for i, r := range routes {
		if open[r.Op] {
			continue
		}
		before := r.Before
		routes[i].Before = func(call *kit.Call) error {
			if err := c.checkControlToken(call.Request); err != nil {
				return err
			}
			if before != nil {
				return before(call)
			}
			return nil
		}
	}
	return routes
}

// checkControlToken wants "Authorization: Bearer <the control token>",
// compared in constant time.
func (c *Cloud) checkControlToken(r *http.Request) error {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(c.controlToken)) != 1 {
		return kit.Errorf(http.StatusUnauthorized, "The control API needs the header Authorization: Bearer <the server's control token>.")
	}
	return nil
}

// serviceControlRoutes are the control calls of the services that have
// their own (kit.Controls), each under ControlPrefix/<instance key>.
func (c *Cloud) serviceControlRoutes() []kit.Route {
	var out []kit.Route
	for _, i := range c.instances {
		ctl, ok := i.inst.(kit.Controls)
		if !ok {
			continue
		}
		root := ControlPrefix + "/" + i.key()
		for _, r := range ctl.ControlRoutes() {
			r.Roots = []string{root}
			out = append(out, r)
		}
	}
	return out
}

const (
	mimicTickPath    = "/mimic/v1.1/tick"
	mimicPresetsPath = "/mimic/v1.0/presets"
)

// presets answers Mimic's GET /mimic/v1.0/presets: the metadata keys that
// make a create misbehave, in Mimic's layout, listing only what the mounted
// services honour.
func (c *Cloud) presets(*kit.Call) (kit.Reply, error) { return kit.OK(c.presetsDoc()), nil }

// controlError is the control API's error format: {"error":{"code","message"}}.
func controlError(_ *http.Request, e *kit.Error) kit.Reply {
	return kit.JSON(e.Status, controlErrorBody{Error: controlErrorDetail{Code: e.Status, Message: e.Message}})
}

type controlErrorBody struct {
	Error controlErrorDetail `json:"error"`
}

type controlErrorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func writeControlError(w http.ResponseWriter, status int, msg string) {
	controlError(nil, kit.Errorf(status, "%s", msg)).Write(w, nil)
}

// mimicTime is the timestamp format of Mimic's tick answer.
const mimicTime = "2006-01-02T15:04:05.000000Z"

type tickRequest struct {
	Amount *float64 `json:"amount"`
}

type tickResponse struct {
	Advanced float64 `json:"advanced"`
	Now      string  `json:"now"`
}

func (c *Cloud) tick(call *kit.Call) (kit.Reply, error) {
	var in tickRequest
	if err := call.DecodeJSON(&in, kit.DecodeOptions{}); err != nil {
		return kit.Reply{}, err
	}
	if in.Amount == nil {
		return kit.Reply{}, kit.BadRequest(`"amount" (seconds to advance) is required.`)
	}
	amount := *in.Amount
	if amount < 0 || math.IsNaN(amount) || amount > 100*365*24*3600 {
		return kit.Reply{}, kit.BadRequest(`"amount" must be a number of seconds from 0 to 100 years, not %v.`, amount)
	}
	now := c.Advance(time.Duration(amount * float64(time.Second)))
	return kit.OK(tickResponse{Advanced: amount, Now: now.UTC().Format(mimicTime)}), nil
}

type timeResponse struct {
	Now string `json:"now"`
}

func (c *Cloud) serveTime(*kit.Call) (kit.Reply, error) {
	return kit.OK(timeResponse{Now: c.Now().UTC().Format(time.RFC3339Nano)}), nil
}

type faultList struct {
	Faults []fake.FaultInfo `json:"faults"`
}

func (c *Cloud) listFaults(*kit.Call) (kit.Reply, error) {
	faults := c.Faults()
	if faults == nil {
		faults = []fake.FaultInfo{}
	}
	return kit.OK(faultList{Faults: faults}), nil
}

func (c *Cloud) addFault(call *kit.Call) (kit.Reply, error) {
	var f fake.Fault
	if err := call.DecodeJSON(&f, kit.DecodeOptions{}); err != nil {
		return kit.Reply{}, err
	}
	h, err := c.AddFault(f)
	if err != nil {
		return kit.Reply{}, kit.BadRequest("%s", strings.TrimPrefix(err.Error(), "mockcloud: "))
	}
	call.Header().Set("Location", ControlPrefix+"/faults/"+h.ID())
	return kit.JSON(http.StatusCreated, fake.FaultInfo{ID: h.ID(), Fault: f}), nil
}

func (c *Cloud) removeFault(call *kit.Call) (kit.Reply, error) {
	if !c.env.Faults.Remove(call.Var("id")) {
		return kit.Reply{}, kit.NotFound("No fault %s.", call.Var("id"))
	}
	return kit.Status(http.StatusNoContent), nil
}

func (c *Cloud) clearFaults(*kit.Call) (kit.Reply, error) {
	c.ClearFaults()
	return kit.Status(http.StatusNoContent), nil
}

type requestList struct {
	Requests []fake.Request `json:"requests"`
}

// journalNames are the service= values of a request, empty ones ignored.
func journalNames(call *kit.Call) []string {
	var names []string
	for _, n := range call.Query()["service"] {
		if n != "" {
			names = append(names, n)
		}
	}
	return names
}

func (c *Cloud) listRequests(call *kit.Call) (kit.Reply, error) {
	q := call.Query()
	reqs := c.Requests(journalNames(call)...)
	if op := q.Get("op"); op != "" {
		reqs = fake.Filter(reqs, op)
	}
	if reqs == nil {
		reqs = []fake.Request{}
	}
	return kit.OK(requestList{Requests: reqs}), nil
}

func (c *Cloud) resetRequests(call *kit.Call) (kit.Reply, error) {
	if call.Query().Has("op") {
		return kit.Reply{}, kit.BadRequest("DELETE %s/requests resets by service= only, not by op=.", ControlPrefix)
	}
	c.ResetRequests(journalNames(call)...)
	return kit.Status(http.StatusNoContent), nil
}

type opList struct {
	Ops []string `json:"ops"`
}

// listOps answers GET /mockcloud/v1/ops: every op a fault can name.
func (c *Cloud) listOps(*kit.Call) (kit.Reply, error) { return kit.OK(opList{Ops: c.Ops()}), nil }

type healthResponse struct {
	Status   string   `json:"status"`
	Now      string   `json:"now"`
	Services []string `json:"services"`
	Regions  []string `json:"regions"`
}

func (c *Cloud) health(*kit.Call) (kit.Reply, error) {
	return kit.OK(healthResponse{
		Status:   "ok",
		Now:      c.Now().UTC().Format(time.RFC3339Nano),
		Services: c.serviceNames(),
		Regions:  c.regions,
	}), nil
}

// reachable is an origin's URL as the client of r can reach it: an origin
// listening on every interface ("http://[::]:8901", the standalone server's
// -triton-addr :8901) takes the host name r was sent to.
func reachable(origin string, r *http.Request) string {
	u, err := url.Parse(origin)
	if err != nil {
		return origin
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsUnspecified() {
		return origin
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		host = h
	}
	if host == "" {
		return origin
	}
	u.Host = net.JoinHostPort(strings.Trim(host, "[]"), u.Port())
	return u.String()
}

// help is GET /: how to authenticate, and what is mounted where.
type help struct {
	Mockcloud helpBody `json:"mockcloud"`
}

type helpBody struct {
	About     string            `json:"about"`
	Identity  map[string]string `json:"identity"`
	Auth      string            `json:"auth"`
	ExampleV3 json.RawMessage   `json:"example_v3"`
	ExampleV2 json.RawMessage   `json:"example_v2.0"`
	Services  map[string]string `json:"services"`
	Regions   []string          `json:"regions"`
	Control   string            `json:"control"`
	Now       string            `json:"now"`
}

// Example bodies for the help document, as a client sends them.
const (
	helpExampleV3 = `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"demo","domain":{"id":"default"},"password":"demo"}}},"scope":{"project":{"name":"demo","domain":{"id":"default"}}}}}`
	helpExampleV2 = `{"auth":{"passwordCredentials":{"username":"demo","password":"demo"},"tenantName":"demo"}}`
)

// serveHelp answers GET / with how to authenticate and what is mounted.
func (c *Cloud) serveHelp(call *kit.Call) (kit.Reply, error) {
	base := kit.HostURL(call.Request)
	services := map[string]string{}
	for _, m := range c.mounts {
		if m.prefix != "" {
			services[m.name] = base + m.prefix + "/"
		}
	}
	for key, srv := range c.originURLs() {
		services[key] = reachable(srv, call.Request) + "/"
	}
	auth := "any user name and password (or API key) are accepted; users and projects are created on first sight"
	if id := c.Identity(); id != nil && id.IsStrict() {
		auth = "only seeded users with their password or API key are accepted"
	}
	identityBase := base + mountPrefix(c.services[0], "")
	call.Header().Set("Cache-Control", "no-store")
	return kit.OK(help{Mockcloud: helpBody{
		About:     "an in-process fake cloud; authenticate with identity, then use the endpoints in the service catalog",
		Identity:  map[string]string{"discovery": identityBase + "/", "v3": identityBase + "/v3/auth/tokens", "v2.0": identityBase + "/v2.0/tokens"},
		Auth:      auth,
		ExampleV3: json.RawMessage(helpExampleV3),
		ExampleV2: json.RawMessage(helpExampleV2),
		Services:  services,
		Regions:   c.regions,
		Control:   base + ControlPrefix + "/",
		Now:       c.Now().UTC().Format(time.RFC3339Nano),
	}}), nil
}
