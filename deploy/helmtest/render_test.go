package helmtest

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// chartDir is the chart under test, from this package's directory.
const chartDir = "../helm/mockcloud"

// objects is what one rendering made, decoded strictly (an unknown field
// is an error) into the API's own types.
type objects struct {
	deployment *appsv1.Deployment
	services   map[string]*corev1.Service
	configMap  *corev1.ConfigMap
	notes      string
}

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("loading %s: %v", chartDir, err)
	}
	return ch
}

// render renders the chart as `helm template <release> <chart>` does with
// values (nil for the defaults), strictly: a reference to a value the chart
// does not define is an error.
func render(t *testing.T, release string, values map[string]any) (objects, error) {
	t.Helper()
	ch := loadChart(t)
	vals, err := chartutil.ToRenderValues(ch, values,
		chartutil.ReleaseOptions{Name: release, Namespace: "test", Revision: 1, IsInstall: true},
		chartutil.DefaultCapabilities)
	if err != nil {
		return objects{}, err
	}
	files, err := engine.Engine{Strict: true}.Render(ch, vals)
	if err != nil {
		return objects{}, err
	}
	out := objects{services: map[string]*corev1.Service{}}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.HasSuffix(name, "NOTES.txt") {
			out.notes = files[name]
			continue
		}
		for _, doc := range releaseutil.SplitManifests(files[name]) {
			if err := out.add(name, doc); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out, nil
}

func (o *objects) add(file, doc string) error {
	var meta struct{ APIVersion, Kind string }
	if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
		return fmt.Errorf("%s: %v\n%s", file, err, doc)
	}
	switch meta.APIVersion + " " + meta.Kind {
	case "apps/v1 Deployment":
		if o.deployment != nil {
			return fmt.Errorf("%s: a second Deployment", file)
		}
		o.deployment = &appsv1.Deployment{}
		return strict(file, doc, o.deployment)
	case "v1 Service":
		s := &corev1.Service{}
		if err := strict(file, doc, s); err != nil {
			return err
		}
		if o.services[s.Name] != nil {
			return fmt.Errorf("%s: Service %q twice", file, s.Name)
		}
		o.services[s.Name] = s
		return nil
	case "v1 ConfigMap":
		if o.configMap != nil {
			return fmt.Errorf("%s: a second ConfigMap", file)
		}
		o.configMap = &corev1.ConfigMap{}
		return strict(file, doc, o.configMap)
	}
	return fmt.Errorf("%s: unexpected object %s %s", file, meta.APIVersion, meta.Kind)
}

func strict(file, doc string, into any) error {
	if err := yaml.UnmarshalStrict([]byte(doc), into); err != nil {
		return fmt.Errorf("%s: %v\n%s", file, err, doc)
	}
	return nil
}

// mustRender renders and fails the test on an error.
func mustRender(t *testing.T, release string, values map[string]any) objects {
	t.Helper()
	o, err := render(t, release, values)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if o.deployment == nil {
		t.Fatal("no Deployment rendered")
	}
	return o
}

// container is the Deployment's one container.
func container(t *testing.T, o objects) corev1.Container {
	t.Helper()
	cs := o.deployment.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("%d containers, want 1", len(cs))
	}
	return cs[0]
}

// fromValuesYAML parses values written as a values file.
func fromValuesYAML(t *testing.T, s string) map[string]any {
	t.Helper()
	v, err := chartutil.ReadValues([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v.AsMap()
}

func checkEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

type tritonPort struct {
	name string
	port int32
}

var tritonPorts = []tritonPort{{"cloudapi", 8901}, {"vmapi", 8902}, {"cnapi", 8903}, {"napi", 8904}}

func TestDefaults(t *testing.T) {
	o := mustRender(t, "ci", nil)
	d := o.deployment
	checkEqual(t, "Deployment name", d.Name, "ci-mockcloud")
	checkEqual(t, "replicas", *d.Spec.Replicas, int32(1))
	checkEqual(t, "strategy", d.Spec.Strategy.Type, appsv1.RecreateDeploymentStrategyType)
	checkEqual(t, "selector", d.Spec.Selector.MatchLabels, map[string]string{
		"app.kubernetes.io/name": "mockcloud", "app.kubernetes.io/instance": "ci"})
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("pod label %s = %q, the selector wants %q", k, d.Spec.Template.Labels[k], v)
		}
	}
	if o.configMap != nil {
		t.Errorf("a ConfigMap with default values: %+v", o.configMap)
	}
	pod := d.Spec.Template.Spec
	if len(pod.Volumes) != 0 {
		t.Errorf("volumes with default values: %+v", pod.Volumes)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("automountServiceAccountToken = %v, want false", pod.AutomountServiceAccountToken)
	}

	c := container(t, o)
	checkEqual(t, "image", c.Image, "mockcloud:0.1.0")
	checkEqual(t, "args", c.Args, []string{
		"-addr=0.0.0.0:8900",
		"-triton-addr=0.0.0.0:8901", "-vmapi-addr=0.0.0.0:8902", "-cnapi-addr=0.0.0.0:8903", "-napi-addr=0.0.0.0:8904",
		"-profile=default", "-seed=1", "-services=all",
	})
	if len(c.VolumeMounts) != 0 {
		t.Errorf("volume mounts with default values: %+v", c.VolumeMounts)
	}
	wantPorts := []corev1.ContainerPort{{Name: "main", ContainerPort: 8900, Protocol: corev1.ProtocolTCP}}
	for _, p := range tritonPorts {
		wantPorts = append(wantPorts, corev1.ContainerPort{Name: p.name, ContainerPort: p.port, Protocol: corev1.ProtocolTCP})
	}
	checkEqual(t, "container ports", c.Ports, wantPorts)

	// Probes: GET /healthz on the main listener.
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s probe: %+v, want an httpGet", name, p)
			continue
		}
		checkEqual(t, name+" path", p.HTTPGet.Path, "/healthz")
		checkEqual(t, name+" port", p.HTTPGet.Port, intstr.FromString("main"))
	}

	checkSecure(t, o)
	checkEqual(t, "memory limit", c.Resources.Limits.Memory().String(), "512Mi")

	// A Service per listener, each selecting the pod.
	main := o.services["ci-mockcloud"]
	if main == nil {
		t.Fatalf("no Service ci-mockcloud; Services: %v", keys(o.services))
	}
	// The main Service has every port: GET / lists Triton's APIs at the
	// host the client used, with their own ports.
	checkService(t, main, d, "main", 8900, tritonPorts...)
	for _, p := range tritonPorts {
		s := o.services["ci-mockcloud-"+p.name]
		if s == nil {
			t.Errorf("no Service ci-mockcloud-%s; Services: %v", p.name, keys(o.services))
			continue
		}
		checkService(t, s, d, p.name, p.port)
	}
	if len(o.services) != 5 {
		t.Errorf("Services %v, want 5", keys(o.services))
	}
	if !strings.Contains(o.notes, "ci-mockcloud:8900") || !strings.Contains(o.notes, "ci-mockcloud-cloudapi:8901") {
		t.Errorf("NOTES.txt does not name the Services:\n%s", o.notes)
	}
}

// checkSecure: non-root, nothing to write, no privileges.
func checkSecure(t *testing.T, o objects) {
	t.Helper()
	pod := o.deployment.Spec.Template.Spec.SecurityContext
	if pod == nil || pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot || pod.RunAsUser == nil || *pod.RunAsUser == 0 {
		t.Errorf("pod securityContext %+v: want runAsNonRoot and a non-zero runAsUser", pod)
	}
	sc := container(t, o).SecurityContext
	if sc == nil {
		t.Fatal("no container securityContext")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem is not true")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation is not false")
	}
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Error("container runAsNonRoot is not true")
	}
	if sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("capabilities %+v, want ALL dropped", sc.Capabilities)
	}
}

// checkService: s selects d's pod and has the port named port (number),
// then those in more, each targeting a port the container declares.
func checkService(t *testing.T, s *corev1.Service, d *appsv1.Deployment, port string, number int32, more ...tritonPort) {
	t.Helper()
	checkEqual(t, s.Name+" selector", s.Spec.Selector, d.Spec.Selector.MatchLabels)
	checkEqual(t, s.Name+" type", s.Spec.Type, corev1.ServiceTypeClusterIP)
	want := []corev1.ServicePort{{Name: port, Port: number, TargetPort: intstr.FromString(port), Protocol: corev1.ProtocolTCP}}
	for _, p := range more {
		want = append(want, corev1.ServicePort{Name: p.name, Port: p.port, TargetPort: intstr.FromString(p.name), Protocol: corev1.ProtocolTCP})
	}
	checkEqual(t, s.Name+" ports", s.Spec.Ports, want)
	for _, sp := range want {
		var declared bool
		for _, p := range container(t, objects{deployment: d}).Ports {
			declared = declared || (p.Name == sp.TargetPort.StrVal && p.ContainerPort == sp.Port)
		}
		if !declared {
			t.Errorf("%s targets container port %q, which the container does not declare as %d", s.Name, sp.TargetPort.StrVal, sp.Port)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

const customValues = `
fullnameOverride: cloud
image: {repository: registry.test/mockcloud, tag: abc123, pullPolicy: Always}
profile: mimic
regions: [ORD, DFW]
seed: 42
services: [identity, compute, loadbalancer]
frozen: true
noAuth: true
extraArgs: ["-strict"]
ports: {main: 9000}
service: {type: NodePort, annotations: {team: ci}}
config:
  regions: [ORD]
  journal: {limit: 1000}
mesosConfig:
  agents: 3
routes:
  initial:
    rules:
      - {method: GET, path: /ping, status: 200}
  raw: '{"rules": []}'
resources:
  limits: {memory: 128Mi}
podSecurityContext: {runAsNonRoot: true, runAsUser: 1234}
`

func TestCustomValues(t *testing.T) {
	o := mustRender(t, "release", fromValuesYAML(t, customValues))
	d := o.deployment
	checkEqual(t, "Deployment name", d.Name, "cloud")
	c := container(t, o)
	checkEqual(t, "image", c.Image, "registry.test/mockcloud:abc123")
	checkEqual(t, "pull policy", c.ImagePullPolicy, corev1.PullAlways)
	// No Triton: none of its listeners, ports or Services.
	checkEqual(t, "args", c.Args, []string{
		"-addr=0.0.0.0:9000", "-profile=mimic", "-seed=42", "-services=identity,compute,loadbalancer",
		"-regions=ORD,DFW", "-frozen", "-no-auth",
		"-config=/etc/mockcloud/config.json", "-mesos-config=/etc/mockcloud/mesos.json", "-routes=/etc/mockcloud/routes",
		"-strict",
	})
	checkEqual(t, "container ports", c.Ports, []corev1.ContainerPort{{Name: "main", ContainerPort: 9000, Protocol: corev1.ProtocolTCP}})
	checkEqual(t, "Services", keys(o.services), []string{"cloud"})
	s := o.services["cloud"]
	checkEqual(t, "Service type", s.Spec.Type, corev1.ServiceTypeNodePort)
	checkEqual(t, "Service annotations", s.Annotations, map[string]string{"team": "ci"})
	checkEqual(t, "Service ports", s.Spec.Ports, []corev1.ServicePort{{
		Name: "main", Port: 9000, TargetPort: intstr.FromString("main"), Protocol: corev1.ProtocolTCP}})
	checkEqual(t, "memory limit", c.Resources.Limits.Memory().String(), "128Mi")
	checkEqual(t, "runAsUser", *d.Spec.Template.Spec.SecurityContext.RunAsUser, int64(1234))
	checkSecure(t, o)

	// The ConfigMap holds the files the flags name, mounted read-only.
	cm := o.configMap
	if cm == nil {
		t.Fatal("no ConfigMap")
	}
	checkEqual(t, "ConfigMap name", cm.Name, "cloud")
	checkEqual(t, "ConfigMap keys", keys(cm.Data), []string{"config.json", "mesos.json", "route-initial.json", "route-raw.json"})
	checkJSON(t, cm.Data["config.json"], `{"regions": ["ORD"], "journal": {"limit": 1000}}`)
	checkJSON(t, cm.Data["mesos.json"], `{"agents": 3}`)
	checkJSON(t, cm.Data["route-initial.json"], `{"rules": [{"method": "GET", "path": "/ping", "status": 200}]}`)
	checkEqual(t, "a set given as a string", strings.TrimSpace(cm.Data["route-raw.json"]), `{"rules": []}`)

	checkEqual(t, "volume mounts", c.VolumeMounts, []corev1.VolumeMount{{Name: "config", MountPath: "/etc/mockcloud", ReadOnly: true}})
	vols := d.Spec.Template.Spec.Volumes
	if len(vols) != 1 || vols[0].ConfigMap == nil {
		t.Fatalf("volumes %+v, want the ConfigMap", vols)
	}
	checkEqual(t, "volume's ConfigMap", vols[0].ConfigMap.Name, "cloud")
	checkEqual(t, "volume items", vols[0].ConfigMap.Items, []corev1.KeyToPath{
		{Key: "config.json", Path: "config.json"}, {Key: "mesos.json", Path: "mesos.json"},
		{Key: "route-initial.json", Path: "routes/initial.json"}, {Key: "route-raw.json", Path: "routes/raw.json"}})
}

func checkJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("not JSON: %v\n%s", err, got)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "JSON", g, w)
}

// A change of configuration rolls the pod (the server reads it at start);
// a change of route sets does not (the server reloads them from the mount).
func TestConfigChecksum(t *testing.T) {
	sum := func(values string) string {
		t.Helper()
		o := mustRender(t, "r", fromValuesYAML(t, values))
		return o.deployment.Spec.Template.Annotations["checksum/config"]
	}
	base := sum(`{}`)
	if base == "" {
		t.Fatal("no checksum/config annotation")
	}
	if sum(`{config: {seed: 2}}`) == base {
		t.Error("config changed, checksum did not")
	}
	if sum(`{mesosConfig: {agents: 2}}`) == base {
		t.Error("mesosConfig changed, checksum did not")
	}
	if got := sum(`{routes: {initial: {rules: []}}}`); got != base {
		t.Errorf("routes changed the checksum (%s, was %s): the pod would restart instead of reloading", got, base)
	}
}

// services as a string, as --set services=compute,triton gives it.
func TestServicesString(t *testing.T) {
	for _, tc := range []struct {
		services string
		triton   bool
	}{
		{"compute,triton", true},
		{"compute, fastly", false},
		{"all", true},
	} {
		o := mustRender(t, "mockcloud", map[string]any{"services": tc.services})
		c := container(t, o)
		want := "-services=" + strings.ReplaceAll(tc.services, " ", "")
		if !slices.Contains(c.Args, want) {
			t.Errorf("services %q: args %q lack %q", tc.services, c.Args, want)
		}
		if got := slices.Contains(c.Args, "-triton-addr=0.0.0.0:8901"); got != tc.triton {
			t.Errorf("services %q: -triton-addr given = %v, want %v", tc.services, got, tc.triton)
		}
		if n, want := len(o.services), map[bool]int{true: 5, false: 1}[tc.triton]; n != want {
			t.Errorf("services %q: Services %v, want %d", tc.services, keys(o.services), want)
		}
		// The release is named after the chart: no doubled name.
		checkEqual(t, "Deployment name", o.deployment.Name, "mockcloud")
	}
}

// A set name that is not a file name is refused when rendering.
func TestBadRouteSetName(t *testing.T) {
	_, err := render(t, "r", map[string]any{"routes": map[string]any{"../evil": map[string]any{}}})
	if err == nil || !strings.Contains(err.Error(), `set name "../evil"`) {
		t.Errorf("render error %v, want one naming the set", err)
	}
}

// Every name in the default values file is used by a template: rendering
// strictly catches a template that names a value the file lacks, and this
// catches the opposite, a value no template reads.
func TestValuesAreUsed(t *testing.T) {
	ch := loadChart(t)
	var templates strings.Builder
	for _, f := range ch.Templates {
		templates.Write(f.Data)
	}
	for key := range ch.Values {
		if !strings.Contains(templates.String(), ".Values."+key) {
			t.Errorf("value %q is read by no template", key)
		}
	}
}

// The README's "Container and Helm" section names every top-level value.
func TestReadmeListsValues(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Container and Helm\n")
	if !ok {
		t.Fatal(`README.md has no "Container and Helm" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for key := range loadChart(t).Values {
		if !strings.Contains(section, "`"+key) {
			t.Errorf("README's Container and Helm section does not name the value %q", key)
		}
	}
}
