package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud"
)

// fullConfig uses every section of a -config file.
const fullConfig = `{
  "regions": ["DFW", "ORD"],
  "seed": 7,
  "frozen": true,
  "identity": {
    "projects": [{"id": "p-ops", "name": "ops"}],
    "users": [{"id": "u-root", "name": "root", "password": "s3cret", "default_project_id": "p-ops",
               "roles": {"p-ops": ["member", "admin"]}, "system_roles": ["reader"]}]
  },
  "compute": {
    "quota": {"instances": 3},
    "durations": {"build": "2s", "resize": "0s"},
    "images": [{"id": "img-1", "name": "alpine", "min_disk": 1}],
    "flavors": [{"id": "tiny-2", "name": "tiny.2", "ram": 256, "vcpus": 1, "disk": 1, "extra_specs": {"k": "v"}}]
  },
  "mesos": {"agents": [{"count": 2}]},
  "triton": {"servers": 3},
  "journal": {"limit": 50},
  "faults": [{"service": "compute", "op": "compute.servers.create", "status": 503, "times": 1}]
}`

// TestConfigFile: a -config file sets the flags it names (a flag given
// wins), seeds users, projects, roles, images, flavors and the quota, and
// builds the Mesos cluster and Triton's CNs.
func TestConfigFile(t *testing.T) {
	path := writeFile(t, t.TempDir()+"/mockcloud.json", fullConfig)
	cfg, err := parseFlags([]string{"-config", path, "-seed", "9"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.journalLimit != 50 {
		t.Errorf("journal limit %d, want the file's 50", cfg.journalLimit)
	}
	if cfg.regions != "DFW,ORD" || !cfg.regionsSet || cfg.seed != 9 || !cfg.frozen {
		t.Errorf("cfg = regions %q (%v), seed %d, frozen %v: want the file's but the -seed flag's seed", cfg.regions, cfg.regionsSet, cfg.seed, cfg.frozen)
	}
	cloud, clk, err := build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer clk.Close()
	defer cloud.Close()
	if got := cloud.Regions(); strings.Join(got, ",") != "DFW,ORD" {
		t.Errorf("regions %v", got)
	}
	if u, ok := cloud.Identity().User("u-root"); !ok || u.Name != "root" || u.DefaultProjectID != "p-ops" {
		t.Errorf("user %+v %v", u, ok)
	}
	for _, region := range cloud.Regions() {
		c := cloud.Compute(region)
		if img, ok := c.Image("img-1"); !ok || img.Name != "alpine" || img.Status != "ACTIVE" {
			t.Errorf("%s: image %+v %v", region, img, ok)
		}
		if f, ok := c.Flavor("tiny-2"); !ok || f.RAM != 256 || !f.IsPublic || f.ExtraSpecs["k"] != "v" {
			t.Errorf("%s: flavor %+v %v", region, f, ok)
		}
		if q := c.Quota("p-ops"); q.Instances != 3 || q.Cores != 20 {
			t.Errorf("%s: quota %+v, want 3 instances and Nova's other defaults", region, q)
		}
	}
	if n := len(cloud.Mesos().Agents()); n != 2 {
		t.Errorf("%d Mesos agents, want 2", n)
	}
	if n := len(cloud.Triton().Servers()); n != 3 {
		t.Errorf("%d Triton CNs, want 3", n)
	}
	if faults := cloud.Faults(); len(faults) != 1 || faults[0].Fault.Status != 503 || faults[0].Fault.Op != "compute.servers.create" {
		t.Errorf("faults %+v, want the file's one", faults)
	}

	// The seeded admin authenticates and reaches an admin-only route.
	base, _ := startServer(t, "-config", path, "-strict")
	resp, err := http.Post(base+"/identity/v3/auth/tokens", "application/json", strings.NewReader(
		`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u-root","password":"s3cret"}}},"scope":{"project":{"id":"p-ops"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	token := resp.Header.Get("X-Subject-Token")
	if resp.StatusCode != http.StatusCreated || token == "" {
		t.Fatalf("auth as the seeded user: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/identity/v3/users", nil)
	req.Header.Set("X-Auth-Token", token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v3/users as the seeded admin: %d", resp.StatusCode)
	}

	// The file's flavor, image and build time: ACTIVE after 2 s of ticks.
	do := func(method, path, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("X-Auth-Token", token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	status := func(id string) string {
		resp := do("GET", "/compute/DFW/v2.1/p-ops/servers/"+id, "")
		defer resp.Body.Close()
		var out struct{ Server struct{ Status string } }
		json.NewDecoder(resp.Body).Decode(&out)
		return out.Server.Status
	}
	const create = `{"server":{"name":"s","imageRef":"img-1","flavorRef":"tiny-2"}}`
	resp = do("POST", "/compute/DFW/v2.1/p-ops/servers", create)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("the first create: %d, want the file's fault's 503", resp.StatusCode)
	}
	resp = do("POST", "/compute/DFW/v2.1/p-ops/servers", create)
	var created struct{ Server struct{ ID string } }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("create from the file's image and flavor: %d", resp.StatusCode)
	}
	if got := status(created.Server.ID); got != "BUILD" {
		t.Errorf("status %s, want BUILD", got)
	}
	resp, err = http.Post(base+"/mockcloud/v1/tick", "application/json", strings.NewReader(`{"amount": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := status(created.Server.ID); got != "ACTIVE" {
		t.Errorf("after the file's 2 s build: %s, want ACTIVE", got)
	}
}

// TestConfigFileRefusals: an unknown key or a bad value is refused with its
// path in the file, and the server does not start.
func TestConfigFileRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, content, want string }{
		{"not JSON", `{"regions":`, "unexpected EOF"},
		{"unknown key", `{"identity":{"users":[{"name":"a","passwd":"x"}]}}`, "identity.users[0].passwd: unknown key"},
		{"unknown top key", `{"region":["DFW"]}`, "region: unknown key"},
		{"wrong type", `{"seed":"seven"}`, "seed"},
		{"bad profile", `{"profile":"openstack"}`, `profile: mockcloud: no profile "openstack"`},
		{"user without a name", `{"identity":{"users":[{"id":"u"}]}}`, "identity.users[0].name: required"},
		{"role on an unknown project", `{"identity":{"users":[{"name":"a","roles":{"p-x":["member"]}}]}}`, "identity.users[0].roles.p-x: no project with that id"},
		{"quota below -1", `{"compute":{"quota":{"cores":-2}}}`, "compute.quota.cores: -2 is below -1"},
		{"flavor without ram", `{"compute":{"flavors":[{"name":"f","vcpus":1}]}}`, "compute.flavors[0]: ram and vcpus must be at least 1"},
		{"mesos", `{"mesos":{"agents":[{"cpu":4}]}}`, "mesos: mesos config: agents[0].cpu: unknown key"},
		{"too many CNs", `{"triton":{"servers":100000000}}`, "triton.servers: 100000000 is not between 0 and 100000"},
		{"journal", `{"journal":{"limit":-1}}`, "journal.limit: -1 is negative"},
		{"duration name", `{"compute":{"durations":{"boot":"1s"}}}`, "compute.durations.boot: unknown key"},
		{"duration value", `{"compute":{"durations":{"build":"-1s"}}}`, `compute.durations.build: "-1s" is not a duration of 0 or more`},
		{"fault", `{"faults":[{"status":503},{"paht":"/x"}]}`, `faults[1]: json: unknown field "paht"`},
		{"fault status", `{"faults":[{"status":99}]}`, "faults[0]: status 99 is not a final HTTP status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir+"/"+strings.ReplaceAll(tc.name, " ", "-")+".json", tc.content)
			var stderr strings.Builder
			_, err := parseFlags([]string{"-config", path}, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %v, want one naming %s and saying %q", err, path, tc.want)
			}
		})
	}
	if _, err := parseFlags([]string{"-config", dir + "/missing.json"}, io.Discard); err == nil {
		t.Error("a missing -config file was accepted")
	}
}

// TestConfigFileREADME: the README's example -config file is one the
// server takes.
func TestConfigFileREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "`-config file.json` holds")
	if !ok {
		t.Fatal("README has no -config section")
	}
	_, block, ok := strings.Cut(after, "```json\n")
	example, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("README's -config section has no JSON example")
	}
	fc, err := parseConfigFile([]byte(example))
	if err != nil {
		t.Fatalf("README's example: %v", err)
	}
	if fc.Identity == nil || len(fc.Identity.Users) != 1 || fc.Triton == nil || fc.Triton.Servers != 100 {
		t.Errorf("README's example read as %+v", fc)
	}
}

// TestJournalLimitFlag: the standalone server's journal is bounded by
// default (it runs for days); -journal-limit changes the bound, 0 lifts it.
func TestJournalLimitFlag(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil || cfg.journalLimit != defaultJournalLimit {
		t.Fatalf("default journal limit %d, %v", cfg.journalLimit, err)
	}
	if cfg, _ := parseFlags([]string{"-journal-limit", "0"}, io.Discard); cfg.journalLimit != 0 {
		t.Errorf("-journal-limit 0 gave %d", cfg.journalLimit)
	}
	cfg, err = parseFlags([]string{"-journal-limit", "100", "-services", "identity", "-frozen"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cloud, clk, err := build(cfg, mockcloud.WithoutListener())
	if err != nil {
		t.Fatal(err)
	}
	defer clk.Close()
	defer cloud.Close()
	cloud.Start()
	client := cloud.Client()
	for range 2000 {
		resp, err := client.Get(cloud.URL() + "/identity/v3")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := len(cloud.Requests()); n == 0 || n > 200 {
		t.Errorf("%d requests kept after 2,000 with a limit of 100", n)
	}
}

// TestControlTokenFlag: -control-token guards the control API.
func TestControlTokenFlag(t *testing.T) {
	base, _ := startServer(t, "-frozen", "-control-token", "s3cret")
	tick := func(header string) int {
		req, _ := http.NewRequest("POST", base+"/mockcloud/v1/tick", strings.NewReader(`{"amount":1}`))
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := tick(""); code != http.StatusUnauthorized {
		t.Errorf("tick without the token: %d, want 401", code)
	}
	if code := tick("Bearer s3cret"); code != http.StatusOK {
		t.Errorf("tick with the token: %d, want 200", code)
	}
}
