package helmtest

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// instruction is one line of the Containerfile: its keyword and the rest.
type instruction struct{ keyword, args string }

// readContainerfile reads ../Containerfile's instructions, continuation
// lines joined and comments dropped.
func readContainerfile(t *testing.T) []instruction {
	t.Helper()
	data, err := os.ReadFile("../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var line string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") || (l == "" && line == "") {
			continue
		}
		line += l
		if strings.HasSuffix(line, "\\") {
			line = strings.TrimSuffix(line, "\\") + " "
			continue
		}
		if line != "" {
			k, rest, _ := strings.Cut(line, " ")
			out = append(out, instruction{strings.ToUpper(k), strings.TrimSpace(rest)})
		}
		line = ""
	}
	return out
}

// The image is what the chart expects of it: an empty base, a static
// binary, a numeric non-root user (the chart's runAsUser), the chart's
// ports exposed and bound to 0.0.0.0, a health check on /healthz.
func TestContainerfile(t *testing.T) {
	ins := readContainerfile(t)
	var stages []int // index of each FROM
	for i, in := range ins {
		if in.keyword == "FROM" {
			stages = append(stages, i)
		}
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a build stage and the image", len(stages))
	}
	build, final := ins[stages[0]:stages[len(stages)-1]], ins[stages[len(stages)-1]:]
	if final[0].args != "scratch" {
		t.Errorf("final stage FROM %q, want scratch", final[0].args)
	}
	var static bool
	for _, in := range build {
		static = static || (in.keyword == "ENV" && strings.Contains(in.args, "CGO_ENABLED=0"))
	}
	if !static {
		t.Error("the build stage does not set CGO_ENABLED=0")
	}

	o := mustRender(t, "mockcloud", nil)
	chartUser := *o.deployment.Spec.Template.Spec.SecurityContext.RunAsUser
	var user, expose, healthcheck string
	var entrypoint []string
	for _, in := range final {
		switch in.keyword {
		case "USER":
			user = in.args
		case "EXPOSE":
			expose = in.args
		case "HEALTHCHECK":
			healthcheck = in.args
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(in.args), &entrypoint); err != nil {
				t.Errorf("ENTRYPOINT %s: want the exec (JSON) form: %v", in.args, err)
			}
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	if n, err := strconv.ParseInt(uid, 10, 64); err != nil || n == 0 {
		t.Errorf("USER %q: want a numeric non-root user", user)
	} else if n != chartUser {
		t.Errorf("USER %d, the chart's runAsUser %d", n, chartUser)
	}
	if !strings.Contains(healthcheck, `"/healthcheck"`) {
		t.Errorf("HEALTHCHECK %q does not run /healthcheck", healthcheck)
	}
	if len(entrypoint) == 0 || entrypoint[0] != "/mockcloud" {
		t.Fatalf("ENTRYPOINT %q, want /mockcloud first", entrypoint)
	}
	// Each listener the chart opens is exposed, and bound to 0.0.0.0 by
	// the same flag.
	exposed := strings.Fields(expose)
	for _, arg := range container(t, o).Args {
		flag, addr, ok := strings.Cut(arg, "=")
		if !ok || !strings.HasSuffix(flag, "addr") {
			continue
		}
		port := strings.TrimPrefix(addr, "0.0.0.0:")
		if !slices.Contains(exposed, port) {
			t.Errorf("the chart's %s: port %s is not in EXPOSE %q", flag, port, expose)
		}
		if !slices.Contains(entrypoint, arg) {
			t.Errorf("the chart's %s is not in the ENTRYPOINT %q", arg, entrypoint)
		}
	}
}
