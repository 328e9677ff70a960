package examples

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/triton"
)

// tritonCLIDir holds the pinned triton CLI (node-triton 7.17.0); `make
// npm-clients` installs node_modules with `npm ci --prefix
// examples/triton-cli`.
const tritonCLIDir = "triton-cli"

// requireTritonCLI skips the test, saying why, when Node or the installed
// CLI is missing. Nothing is downloaded at test time.
func requireTritonCLI(t *testing.T) (node, bin string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: node is not installed; the triton CLI test needs Node.js and `npm ci --prefix examples/triton-cli`")
	}
	bin, err = filepath.Abs(filepath.Join(tritonCLIDir, "node_modules", "triton", "bin", "triton"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skip("skipping: examples/triton-cli/node_modules is missing; run `make npm-clients` (npm ci --prefix examples/triton-cli) to install the pinned triton CLI")
	}
	return node, bin
}

// tritonCLI runs the triton CLI against a Cloud's CloudAPI listener as
// login, with a HOME of its own holding the key (~/.ssh/id_rsa) and no SSH
// agent: an environment of its own, as env -i gives.
type tritonCLI struct {
	t         *testing.T
	node, bin string
	home      string
	env       []string
}

func newTritonCLI(t *testing.T, cloud *mockcloud.Cloud, login string, key tritonKey) *tritonCLI {
	node, bin := requireTritonCLI(t)
	home := t.TempDir()
	ssh := filepath.Join(home, ".ssh")
	if err := os.MkdirAll(ssh, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ssh, "id_rsa"), key.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ssh, "id_rsa.pub"), []byte(key.line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &tritonCLI{t: t, node: node, bin: bin, home: home, env: []string{
		"PATH=" + filepath.Dir(node), "HOME=" + home, "TRITON_URL=" + cloud.TritonURL(),
		"TRITON_ACCOUNT=" + login, "TRITON_KEY_ID=" + key.fp}}
}

// run runs the CLI with args and returns its standard output; wantOK says
// whether it must succeed (else it must fail).
func (c *tritonCLI) run(wantOK bool, args ...string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.node, append([]string{c.bin}, args...)...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if (err == nil) != wantOK {
		c.t.Fatalf("triton %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

func (c *tritonCLI) json(v any, args ...string) {
	c.t.Helper()
	out := c.run(true, args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("triton %s: %v in %s", strings.Join(args, " "), err, out)
	}
}

// jsonLines runs a list command with -j: one JSON object a line.
func (c *tritonCLI) jsonLines(args ...string) []map[string]any {
	c.t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(c.run(true, args...)), "\n") {
		if line == "" {
			continue
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			c.t.Fatalf("triton %s: %v in %q", strings.Join(args, " "), err, line)
		}
		out = append(out, v)
	}
	return out
}

// TestTritonCLI runs the triton CLI from npm through the triton-go flow
// against the Cloud's real CloudAPI listener, permissive and strict.
func TestTritonCLI(t *testing.T) {
	requireTritonCLI(t)
	for _, strict := range []bool{false, true} {
		name := "permissive"
		if strict {
			name = "strict"
		}
		t.Run(name, func(t *testing.T) {
			// Real time (Advance still moves it), with 20 ms job steps:
			// the CLI's own waits (rename polls until done) end.
			opts := []mockcloud.Option{mockcloud.WithRealTime(), mockcloud.WithServices(triton.Descriptor()),
				mockcloud.Configure(triton.ServiceName, triton.WithServers(5),
					triton.WithDurations(triton.Durations{Step: 20 * time.Millisecond, Task: 100 * time.Millisecond, Boot: time.Second}))}
			if strict {
				opts = append(opts, mockcloud.Configure(triton.ServiceName, triton.WithStrictAuth()))
			}
			cloud := mockcloud.New(t, opts...)
			dc := cloud.Triton()
			key := newTritonKey(t)
			cli := newTritonCLI(t, cloud, "alice", key)
			if strict {
				if out := cli.run(false, "info"); !strings.Contains(out, "InvalidCredentials") {
					t.Errorf("strict, unknown key: %s", out)
				}
				if _, err := dc.AddKey("alice", "seeded", key.line); err != nil {
					t.Fatal(err)
				}
				// the key the CLI uploads must then sign too
				other := newTritonKey(t)
				cli.run(true, "key", "add", "-n", "laptop", writeTemp(t, other.line))
				newTritonCLI(t, cloud, "alice", other).run(true, "key", "list")
			} else {
				if out := cli.run(true, "key", "add", filepath.Join(cli.home, ".ssh", "id_rsa.pub")); !strings.Contains(out, key.fp) {
					t.Errorf("key add: %s", out)
				}
			}
			tritonCLIFlow(t, cli, dc)
		})
	}
}

func writeTemp(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key.pub")
	if err := os.WriteFile(p, []byte(s+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func tritonCLIFlow(t *testing.T, cli *tritonCLI, dc *triton.Triton) {
	settle := func() { dc.Advance(time.Minute) } // every job ends
	pkgs := cli.jsonLines("package", "list", "-j", "name=sample-1G")
	imgs := cli.jsonLines("image", "list", "-j", "name=base-64-lts")
	nets := cli.jsonLines("network", "list", "-j")
	for _, l := range []struct {
		what string
		got  []map[string]any
	}{{"packages", pkgs}, {"images", imgs}, {"networks", nets}} {
		if len(l.got) != 1 {
			t.Fatalf("%s: %v", l.what, l.got)
		}
	}
	var inst struct {
		ID, Name, State, Package string
		Tags                     map[string]any
		Metadata                 map[string]string
	}
	cli.json(&inst, "instance", "create", "-j", "-n", "web-1", "-t", "role=web", "-m", "color=blue",
		"-N", nets[0]["id"].(string), "base-64-lts@19.4.0", "sample-1G")
	if inst.State != "provisioning" || inst.Name != "web-1" || inst.Tags["role"] != "web" || inst.Metadata["color"] != "blue" {
		t.Fatalf("instance create: %+v", inst)
	}
	settle()
	cli.json(&inst, "instance", "get", "-j", "web-1")
	if inst.State != "running" || inst.Package != "sample-1G" {
		t.Errorf("instance get: %+v", inst)
	}
	if out := cli.run(true, "instance", "list", "-H", "-o", "name,state", "state=running", "tag.role=web"); strings.TrimSpace(out) != "web-1  running" {
		t.Errorf("instance list with filters: %q", out)
	}
	if out := cli.run(true, "instance", "list", "-H", "name=nope"); strings.TrimSpace(out) != "" {
		t.Errorf("instance list name=nope: %q", out)
	}
	cli.run(true, "instance", "stop", "web-1")
	settle()
	cli.json(&inst, "instance", "get", "-j", "web-1")
	if inst.State != "stopped" {
		t.Errorf("after stop: %s", inst.State)
	}
	cli.run(true, "instance", "start", "web-1")
	settle()
	cli.run(true, "instance", "rename", "web-1", "web-2") // polls until the update job has ended
	cli.run(true, "instance", "tag", "set", "web-2", "tier=front")
	settle()
	if out := cli.run(true, "instance", "tag", "get", "web-2", "tier"); strings.TrimSpace(out) != "front" {
		t.Errorf("tag get: %q", out)
	}
	cli.run(true, "cloudapi", "-X", "POST", "/alice/machines/"+inst.ID+"/metadata", "-d", `{"size":"3"}`)
	settle()
	if out := cli.run(true, "cloudapi", "/alice/machines/"+inst.ID+"/metadata/size"); strings.TrimSpace(out) != `"3"` {
		t.Errorf("metadata get: %q", out)
	}
	cli.run(true, "instance", "snapshot", "create", "-n", "before", "web-2")
	settle()
	var snap struct{ Name, State string }
	cli.json(&snap, "instance", "snapshot", "get", "-j", "web-2", "before")
	if snap.State != "created" {
		t.Errorf("snapshot: %+v", snap)
	}
	cli.run(true, "instance", "delete", "-f", "web-2")
	settle()
	if out := cli.run(false, "instance", "get", inst.ID); !strings.Contains(out, "InstanceDeleted") {
		t.Errorf("instance get after delete: %s", out)
	}
}
