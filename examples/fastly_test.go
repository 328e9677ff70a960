package examples

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/fastly"
)

// fastlyJSDir holds drive.mjs and the pinned fastly npm client; .ci/run
// installs node_modules with `npm ci --prefix examples/fastly-js`.
const fastlyJSDir = "fastly-js"

// requireFastlyJS skips the test, saying why, when Node or the installed
// client is missing. Nothing is downloaded at test time.
func requireFastlyJS(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: node is not installed; the fastly npm client test needs Node.js and `npm ci --prefix examples/fastly-js`")
	}
	if _, err := os.Stat(filepath.Join(fastlyJSDir, "node_modules", "fastly", "package.json")); err != nil {
		t.Skip("skipping: examples/fastly-js/node_modules is missing; run `npm ci --prefix examples/fastly-js` (as .ci/run does) to install the pinned fastly client")
	}
	return node
}

// driveResult is what drive.mjs prints.
type driveResult struct {
	Account struct {
		CustomerID     string `json:"customer_id"`
		UserCustomerID string `json:"user_customer_id"`
		TokenScope     string `json:"token_scope"`
	} `json:"account"`
	Service struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Type     string `json:"type"`
		Versions []int  `json:"versions"`
	} `json:"service"`
	Lookup struct {
		SearchID string   `json:"search_id"`
		Listed   []string `json:"listed"`
	} `json:"lookup"`
	Config struct {
		Domain          string          `json:"domain"`
		DomainVersion   int             `json:"domain_version"`
		BackendPort     int             `json:"backend_port"`
		BackendSSL      bool            `json:"backend_ssl"`
		BackendHostname string          `json:"backend_hostname"`
		CacheTTL        string          `json:"cache_ttl"`
		ResponseStatus  string          `json:"response_status"`
		DefaultTTL      int             `json:"default_ttl"`
		SnippetDynamic  string          `json:"snippet_dynamic"`
		Dictionary      string          `json:"dictionary"`
		Items           []string        `json:"items"`
		SyslogPort      int             `json:"syslog_port"`
		Domains         []string        `json:"domains"`
		CheckAll        [][]interface{} `json:"check_all"`
	} `json:"config"`
	Activate1 struct {
		Validate string `json:"validate"`
		Active   bool   `json:"active"`
		Locked   bool   `json:"locked"`
	} `json:"activate1"`
	EditLocked     failure `json:"edit_locked"`
	MissingVersion failure `json:"missing_version"`
	MissingService failure `json:"missing_service"`
	Activate2      struct {
		Cloned           int      `json:"cloned"`
		FirstByteTimeout int      `json:"first_byte_timeout"`
		ActiveVersion    int      `json:"active_version"`
		DetailDomains    []string `json:"detail_domains"`
		Versions         [][]any  `json:"versions"`
	} `json:"activate2"`
	Purge struct {
		All      string   `json:"all"`
		One      string   `json:"one"`
		OneHasID bool     `json:"one_has_id"`
		Batch    []string `json:"batch"`
		URL      string   `json:"url"`
	} `json:"purge"`
	Delete struct {
		Status string  `json:"status"`
		Then   failure `json:"then"`
	} `json:"delete"`
}

type failure struct {
	Status int `json:"status"`
	Body   struct {
		Msg    string `json:"msg"`
		Detail string `json:"detail"`
	} `json:"body"`
}

// TestFastlyJSClient drives the fake with the official fastly npm client
// (13.x, pinned in fastly-js/package.json): account calls, a service with
// domains, a health-checked TLS backend, conditions, headers, cache
// settings, a JSON-bodied response object, gzip, settings, a dynamic
// snippet, a dictionary with single and batch item writes, syslog
// logging, validation and activation, the locked-version and 404 errors,
// clone and re-activation, every purge kind, and deletion. It checks both
// what the client parsed and what the fake holds.
func TestFastlyJSClient(t *testing.T) {
	node := requireFastlyJS(t)
	srv := fastly.New(t, fastly.WithKeys("js-key"))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "drive.mjs", srv.URL(), "js-key")
	cmd.Dir = fastlyJSDir
	cmd.Env = append(os.Environ(), "FASTLY_API_TOKEN=js-key")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node drive.mjs: %v\nstderr:\n%s\njournal:\n%s", err, stderr.String(), journalSummary(srv.Requests()))
	}
	var got driveResult
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("drive.mjs output is not JSON: %v\n%s", err, stdout.String())
	}

	if got.Account.CustomerID != srv.Customer().ID || got.Account.UserCustomerID != srv.Customer().ID || got.Account.TokenScope != "global" {
		t.Errorf("account = %+v, want customer %s and scope global", got.Account, srv.Customer().ID)
	}
	if got.Service.Name != "js-demo" || got.Service.Type != "vcl" || !cmp.Equal(got.Service.Versions, []int{1}) {
		t.Errorf("created service = %+v", got.Service)
	}
	if got.Lookup.SearchID != got.Service.ID || !cmp.Equal(got.Lookup.Listed, []string{"js-demo"}) {
		t.Errorf("lookup = %+v", got.Lookup)
	}
	c := got.Config
	wantConfig := []any{"www.example.com", 1, 443, true, "origin.example.com", "60", "418", 600, "1", "redirects", []string{"/a=/b", "/c=/d"}, 6514, []string{"www.example.com"}}
	gotConfig := []any{c.Domain, c.DomainVersion, c.BackendPort, c.BackendSSL, c.BackendHostname, c.CacheTTL, c.ResponseStatus, c.DefaultTTL, c.SnippetDynamic, c.Dictionary, c.Items, c.SyslogPort, c.Domains}
	if diff := cmp.Diff(wantConfig, gotConfig); diff != "" {
		t.Errorf("configuration as the client parsed it (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]any{{"www.example.com", false}}, c.CheckAll); diff != "" {
		t.Errorf("check_all (-want +got):\n%s", diff)
	}
	if got.Activate1.Validate != "ok" || !got.Activate1.Active || !got.Activate1.Locked {
		t.Errorf("activation of version 1 = %+v", got.Activate1)
	}
	if got.EditLocked.Status != 422 || got.EditLocked.Body.Msg == "" || got.EditLocked.Body.Detail == "" {
		t.Errorf("editing the active version: %+v, want 422 with msg and detail", got.EditLocked)
	}
	if got.MissingVersion.Status != 404 || got.MissingService.Status != 404 || got.MissingService.Body.Msg != "Record not found" {
		t.Errorf("missing version = %+v, missing service = %+v", got.MissingVersion, got.MissingService)
	}
	a := got.Activate2
	if a.Cloned != 2 || a.FirstByteTimeout != 30000 || a.ActiveVersion != 2 ||
		!cmp.Equal(a.DetailDomains, []string{"www.example.com", "api.example.com"}) {
		t.Errorf("clone and activate = %+v", a)
	}
	if diff := cmp.Diff([][]any{{1.0, false, true}, {2.0, true, true}}, a.Versions); diff != "" {
		t.Errorf("versions after re-activation (-want +got):\n%s", diff)
	}
	p := got.Purge
	if p.All != "ok" || p.One != "ok" || !p.OneHasID || !cmp.Equal(p.Batch, []string{"a", "b"}) || p.URL != "ok" {
		t.Errorf("purges = %+v", p)
	}
	if got.Delete.Status != "ok" || got.Delete.Then.Status != 404 {
		t.Errorf("delete = %+v", got.Delete)
	}

	// The fake's own view agrees with the client's.
	svc, ok := srv.Service(got.Service.ID)
	if !ok {
		t.Fatalf("service %s is not in the fake", got.Service.ID)
	}
	if svc.ActiveVersion() != 2 || len(svc.Versions) != 2 {
		t.Errorf("fake: active version %d of %d, want 2 of 2", svc.ActiveVersion(), len(svc.Versions))
	}
	v2 := svc.Versions[1]
	if len(v2.Backends) != 1 || v2.Backends[0].FirstByteTimeout != 30000 || v2.Backends[0].Healthcheck == nil ||
		*v2.Backends[0].Healthcheck != "origin-health" {
		t.Errorf("fake: version 2 backends = %+v", v2.Backends)
	}
	if len(v2.Snippets) != 1 || !v2.Snippets[0].Dynamic || v2.Snippets[0].Content != "# v1" {
		t.Errorf("fake: version 2 snippets = %+v", v2.Snippets)
	}
	if len(v2.Dictionaries) != 1 {
		t.Errorf("fake: version 2 dictionaries = %+v, want 1", v2.Dictionaries)
	} else if items, _ := srv.DictionaryItems(svc.ID, v2.Dictionaries[0].ID); len(items) != 3 {
		t.Errorf("fake: dictionary items = %+v, want 3", items)
	}
	var kinds []fastly.PurgeKind
	for _, pr := range srv.Purges() {
		kinds = append(kinds, pr.Kind)
	}
	if diff := cmp.Diff([]fastly.PurgeKind{fastly.PurgeAll, fastly.PurgeKey, fastly.PurgeKey, fastly.PurgeKey, fastly.PurgeURL}, kinds); diff != "" {
		t.Errorf("fake: purge history (-want +got):\n%s", diff)
	}
	if ps := srv.Purges(); len(ps) == 5 && (ps[4].URL != "www.example.com/index.html" || !ps[4].Soft) {
		t.Errorf("fake: URL purge = %+v", ps[4])
	}
	// Every request carried the key, and the client's form bodies were parsed.
	for _, r := range srv.Requests() {
		if r.Header.Get("Fastly-Key") != "js-key" {
			t.Errorf("%s %s without the key", r.Method, r.Path)
		}
	}
	if n := len(fake.Filter(srv.Requests(), fastly.OpCreateDomain)); n != 3 {
		t.Errorf("journal: %d domain creates, want 3", n)
	}
}

func journalSummary(reqs []fake.Request) string {
	var b bytes.Buffer
	for _, r := range reqs {
		b.WriteString(r.Method + " " + r.Path + " -> " + itoa(r.Status) + " " + r.Op + "\n")
	}
	return b.String()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
