package compute_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/compute"
)

// TestNovaAPISamples checks the fake's answers against Nova's published
// response samples (nova's doc/api_samples), by key paths and JSON types,
// both ways: every key path of the sample is in the answer with the same
// type, and the answer has no key path the sample lacks. Nothing of Nova
// is embedded: the samples are read from the checkout NOVA_API_SAMPLES
// names (…/nova/doc/api_samples); the table names only their files. It
// logs how many samples of each folder it checked.
func TestNovaAPISamples(t *testing.T) {
	dir := os.Getenv("NOVA_API_SAMPLES")
	if dir == "" {
		t.Skip("set NOVA_API_SAMPLES to a Nova checkout's doc/api_samples to check the fake against its samples")
	}
	checked := map[string]bool{}
	cases, ran := novaSampleCases(), 0
	for _, sc := range cases {
		t.Run(sc.file, func(t *testing.T) {
			ran++
			checkNovaSample(t, dir, sc)
			if !t.Failed() {
				checked[sc.file] = true
			}
		})
	}
	// With -run selecting some cases, the others are not missing.
	reportNovaSamples(t, responseSamples(t, dir), checked, ran == len(cases))
}

// checkNovaSample runs one case and compares its answer with the sample.
func checkNovaSample(t *testing.T, dir string, sc novaSampleCase) {
	raw, err := os.ReadFile(filepath.Join(dir, sc.file))
	if err != nil {
		t.Fatalf("sample: %v", err)
	}
	var sample any
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatalf("sample %s: %v", sc.file, err)
	}
	a := newNova(t, compute.WithAvailabilityZones("us-west"))
	if strings.HasPrefix(sc.file, "servers/") && minorVersion(sc.version) >= 90 {
		// From 2.90 Nova's server samples are a member's view.
		a = newNovaWithAuth(t, novaAuth, compute.WithAvailabilityZones("us-west")).as("project-a").withToken("tok-a")
	}
	body := sc.run(t, a.at(sc.version))
	var got any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("answer: %v: %s", err, body)
	}
	want, have := map[string]string{}, map[string]string{}
	keyPaths(sample, "", want)
	keyPaths(got, "", have)
	want, have = normKeys(sc.file, want), normKeys(sc.file, have)
	for _, p := range sortedKeys(want) {
		if ht, ok := have[p]; !ok {
			if !underEmpty(p, have) { // not what an empty list or map says nothing of
				t.Errorf("%s: %s missing", sc.file, p)
			}
		} else if want[p] != "null" && ht != "null" && ht != want[p] {
			t.Errorf("%s: %s is %s, the sample's %s", sc.file, p, ht, want[p])
		}
	}
	for _, p := range sortedKeys(have) {
		if _, ok := want[p]; !ok && !underEmpty(p, want) {
			t.Errorf("%s: %s is not in the sample", sc.file, p)
		}
	}
}

// responseSamples lists the response samples under dir, by path: the
// files named *-resp*.json or *-res.json, and those that describe an
// answer under another name (responseNamedOtherwise).
func responseSamples(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if name := filepath.Base(rel); strings.Contains(name, "-resp") || strings.HasSuffix(name, "-res.json") || responseNamedOtherwise.MatchString(name) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("listing the samples: %v", err)
	}
	sort.Strings(out)
	return out
}

// responseNamedOtherwise matches the names of the response samples that
// do not say "resp" (the others so named are requests: action bodies).
var responseNamedOtherwise = regexp.MustCompile(`^(image-meta-key-get|host-get-(reboot|shutdown|startup)|instance-actions-list-with-changes-.*|migrations-(get|index).*|simple-tenant-usage-get.*|server-rescue|servers-(details|list)-with-changes-before)\.json$`)

// reportNovaSamples logs per folder how many of its response samples were
// checked, and a table of those that were not, with the reason; when all
// cases ran, a sample with neither a case nor a reason is an error.
func reportNovaSamples(t *testing.T, samples []string, checked map[string]bool, all bool) {
	total, done := map[string]int{}, map[string]int{}
	var unchecked []string
	for _, f := range samples {
		folder := strings.Split(f, "/")[0]
		total[folder]++
		if checked[f] {
			done[folder]++
			continue
		}
		why := novaSampleSkips[f]
		if why == "" {
			why = novaSampleSkips[folder]
		}
		if why == "" {
			if all {
				t.Errorf("%s: neither checked nor given a reason in novaSampleSkips", f)
			}
			why = "(no reason given)"
		}
		unchecked = append(unchecked, fmt.Sprintf("%-70s %s", f, why))
	}
	sum, sumDone := 0, 0
	for _, folder := range sortedKeys(total) {
		t.Logf("%-34s %3d / %3d response samples checked", folder, done[folder], total[folder])
		sum += total[folder]
		sumDone += done[folder]
	}
	t.Logf("%-34s %3d / %3d response samples checked", "all", sumDone, sum)
	t.Logf("not checked (%d):", len(unchecked))
	for _, line := range unchecked {
		t.Logf("  %s", line)
	}
}

// mapMembers are objects whose keys are data (metadata, network names):
// their members are compared as one "*".
var mapMembers = map[string]bool{"metadata": true, "addresses": true, "extra_specs": true, "properties": true,
	"scheduler_hints": true, "meta": true, "hosts": true}

// sampleKeyNorm rewrites the key paths the sample cannot constrain: the
// pre-2.48 diagnostics are the virt driver's own dict (the sample's is
// Nova's fake driver's, with its device names; the fake's is libvirt's,
// with libvirt's memory statistics), so device names are one "<dev>" and
// libvirt's memory-* keys are dropped.
var sampleKeyNorm = map[string]func(string) string{
	"os-server-diagnostics/server-diagnostics-get-resp.json": func(p string) string {
		if strings.HasPrefix(p, ".memory-") {
			return ""
		}
		return diagDevice.ReplaceAllString(p, ".<dev>_")
	},
}

var diagDevice = regexp.MustCompile(`^\.(tap|vnet)[0-9a-z-]*_`)

// normKeys applies a case's sampleKeyNorm.
func normKeys(file string, m map[string]string) map[string]string {
	f := sampleKeyNorm[file]
	if f == nil {
		return m
	}
	out := map[string]string{}
	for k, v := range m {
		if k = f(k); k != "" || v == "object" {
			out[k] = v
		}
	}
	return out
}

// keyPaths flattens a JSON value into key path -> type; array elements
// share the path "[]", the members of mapMembers the key "*".
func keyPaths(v any, path string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		out[path] = "object"
		last := path[strings.LastIndex(path, ".")+1:]
		for k, e := range x {
			if mapMembers[last] {
				k = "*"
			}
			keyPaths(e, path+"."+k, out)
		}
	case []any:
		out[path] = "array"
		for _, e := range x {
			keyPaths(e, path+".[]", out)
		}
	case nil:
		out[path] = "null"
	case string:
		out[path] = "string"
	case float64:
		out[path] = "number"
	case bool:
		out[path] = "boolean"
	}
}

// underEmpty: p is below an array or map the sample has empty (or null),
// so the sample says nothing of it.
func underEmpty(p string, want map[string]string) bool {
	for i := strings.LastIndex(p, "."); i > 0; i = strings.LastIndex(p[:i], ".") {
		parent := p[:i]
		t, ok := want[parent]
		if !ok {
			continue
		}
		if t == "null" {
			return true
		}
		for k := range want {
			if strings.HasPrefix(k, parent+".") {
				return false
			}
		}
		return true
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// novaSampleCase is one sample and the call whose answer it describes.
type novaSampleCase struct {
	file    string // under doc/api_samples
	version string
	run     func(t *testing.T, a *novaAPI) []byte
}

// sampleServer creates the ACTIVE server the samples show (a keypair, the
// sample's zone) and returns its ID.
func sampleServer(t *testing.T, a *novaAPI) string {
	t.Helper()
	id := a.at("2.1").create(map[string]any{"name": "new-server-test", "availability_zone": "us-west", "metadata": map[string]string{"My Server Name": "Apache1"}})
	a.advance(compute.DefaultDurations().Build)
	return id
}

// novaSampleCases are the cases of every folder (samples_*_test.go).
func novaSampleCases() []novaSampleCase {
	var out []novaSampleCase
	for _, f := range []func() []novaSampleCase{novaServerSampleCases, novaProxySampleCases, novaFlavorSampleCases,
		novaQuotaSampleCases, novaServerExtraSampleCases, novaAdminSampleCases, novaOpsSampleCases, novaActionSampleCases} {
		out = append(out, f()...)
	}
	return out
}

// sampleFile is a sample's path: its folder, then v<version>/ when given.
func sampleFile(folder, version, name string) string {
	if version == "" {
		return folder + "/" + name
	}
	return folder + "/v" + version + "/" + name
}

// sampleReq reads a request sample (folder/name under NOVA_API_SAMPLES):
// the body a case sends is Nova's own, read at run time like the answer.
func sampleReq(t *testing.T, file string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(os.Getenv("NOVA_API_SAMPLES"), file))
	if err != nil {
		t.Fatalf("request sample: %v", err)
	}
	return string(raw)
}

// sampleBody is body, or the request sample it names after "@".
func sampleBody(t *testing.T, body string) string {
	t.Helper()
	if strings.HasPrefix(body, "@") {
		return sampleReq(t, body[1:])
	}
	return body
}

// sampleCall is a case of one call and no setup; body may name a request
// sample ("@folder/file").
func sampleCall(method, path, body string, status int) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		return a.do(method, path, sampleBody(t, body)).want(t, status).Body
	}
}

// sampleSteps is a case of setup calls (each must answer 2xx), then the
// call whose answer the sample shows.
func sampleSteps(setup [][3]string, method, path, body string, status int) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		for _, s := range setup {
			if r := a.do(s[0], s[1], sampleBody(t, s[2])); r.Status/100 != 2 {
				t.Fatalf("setup %s %s: %d %s", s[0], s[1], r.Status, r.Body)
			}
		}
		r := a.do(method, path, sampleBody(t, body))
		if status == 0 { // any 2xx
			if r.Status/100 != 2 {
				t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
			}
			return r.Body
		}
		return r.want(t, status).Body
	}
}

// sampleCases builds the cases of one folder: each row is the sample's
// name (under folder, with v<version>/ when the version is set), then
// the call.
type sampleRow struct {
	name, version string
	run           func(t *testing.T, a *novaAPI) []byte
}

func sampleFolder(folder string, rows ...sampleRow) []novaSampleCase {
	out := make([]novaSampleCase, 0, len(rows))
	for _, r := range rows {
		out = append(out, novaSampleCase{sampleFile(folder, r.version, r.name), r.version, r.run})
	}
	return out
}

// sampleOnServer is sampleSteps on the sample server: "{id}" in the paths
// and bodies is its ID.
func sampleOnServer(setup [][3]string, method, path, body string, status int) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		id := sampleServer(t, a)
		sub := func(s string) string { return strings.ReplaceAll(s, "{id}", id) }
		steps := make([][3]string, len(setup))
		for i, s := range setup {
			steps[i] = [3]string{s[0], sub(s[1]), sub(sampleBody(t, s[2]))}
		}
		return sampleSteps(steps, method, sub(path), sub(sampleBody(t, body)), status)(t, a)
	}
}

// sampleWith runs a case on a compute made with opts instead (at the
// case's microversion).
func sampleWith(run func(t *testing.T, a *novaAPI) []byte, opts ...compute.Option) func(t *testing.T, a *novaAPI) []byte {
	return func(t *testing.T, a *novaAPI) []byte {
		return run(t, newNova(t, opts...).at(a.version))
	}
}

func replaceID(s, id string) string     { return strings.ReplaceAll(s, "{id}", id) }
func replaceHost(s, host string) string { return strings.ReplaceAll(s, "{host}", host) }
