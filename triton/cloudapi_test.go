package triton

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// signer signs every request as the triton CLI does (rsa-sha256 over
// date), with login's key.
type signer struct {
	base  http.RoundTripper
	login string
	fp    string
	key   *rsa.PrivateKey
}

func (s signer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	date := time.Now().UTC().Format(http.TimeFormat)
	r.Header.Set("Date", date)
	d := sha256.Sum256([]byte("date: " + date))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, d[:])
	if err != nil {
		return nil, err
	}
	r.Header.Set("Authorization", `Signature keyId="/`+s.login+`/keys/`+s.fp+`",algorithm="rsa-sha256",headers="date",signature="`+
		base64.StdEncoding.EncodeToString(sig)+`"`)
	return s.base.RoundTrip(r)
}

type cloudEnv struct {
	dc   *Triton
	api  *kittest.Client // signed as alice
	raw  *kittest.Client // unsigned
	line string          // alice's authorized_keys line
	key  *rsa.PrivateKey
}

func newCloudEnv(t *testing.T, opts ...fake.Option) *cloudEnv {
	t.Helper()
	dc := New(t, append([]fake.Option{WithServers(3)}, opts...)...)
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	line := authorizedKey(t, &k.PublicKey, "alice@laptop")
	pk, err := ParsePublicKey(line)
	if err != nil {
		t.Fatal(err)
	}
	base := dc.Client().Transport
	return &cloudEnv{dc: dc, line: line, key: k,
		api: kittest.New(t, dc.URL(), &http.Client{Transport: signer{base: base, login: "alice", fp: pk.Fingerprint, key: k}}),
		raw: kittest.New(t, dc.URL(), dc.Client())}
}

func expectCode(t *testing.T, r *kittest.Response, status int, code string) {
	t.Helper()
	r.Expect(status)
	var body struct{ Code, Message string }
	r.Decode(&body)
	if body.Code != code || body.Message == "" {
		t.Errorf("body = %s, want code %s and a message", r.Body, code)
	}
}

func TestCloudAPIPingVersionsAndAuth(t *testing.T) {
	e := newCloudEnv(t)
	r := e.raw.Get("/--ping").Expect(200)
	if r.Header.Get("Api-Version") != "9.0.0" || r.Header.Get("Server") != cloudAPIServer || r.Header.Get("Request-Id") == "" {
		t.Errorf("headers = %v", r.Header)
	}
	if got := e.raw.Get("/--ping", "Accept-Version", "~9||~8").Header.Get("Api-Version"); got != "9.0.0" {
		t.Errorf("~9||~8 → %s", got)
	}
	if got := e.raw.Get("/--ping", "Accept-Version", "~7.2").Header.Get("Api-Version"); got != "7.2.0" {
		t.Errorf("~7.2 → %s", got)
	}
	if got := e.raw.Get("/--ping", "X-Api-Version", "8").Header.Get("Api-Version"); got != "8.0.0" {
		t.Errorf("x-api-version 8 → %s", got)
	}
	expectCode(t, e.raw.Get("/--ping", "Accept-Version", "~10"), 400, "InvalidVersion")
	expectCode(t, e.raw.Get("/alice/machines"), 401, "InvalidCredentials")
	expectCode(t, e.api.Get("/bob/machines"), 403, "NotAuthorized")
	// permissive: alice exists now
	var acct Account
	e.api.Get("/alice").Expect(200).Decode(&acct)
	if acct.Login != "alice" || !validUUID(acct.UUID) || acct.Created == "" {
		t.Errorf("account = %+v", acct)
	}
}

func TestCloudAPIStrict(t *testing.T) {
	e := newCloudEnv(t, WithStrictAuth())
	expectCode(t, e.api.Get("/alice"), 401, "InvalidCredentials")
	if _, err := e.dc.AddKey("alice", "laptop", e.line); err != nil {
		t.Fatal(err)
	}
	e.api.Get("/alice").Expect(200)
	e.api.Get("/alice/keys/laptop").Expect(200)
	// a signature by another key of the right fingerprint fails
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	pk, _ := ParsePublicKey(e.line)
	bad := kittest.New(t, e.dc.URL(), &http.Client{Transport: signer{base: e.dc.Client().Transport, login: "alice", fp: pk.Fingerprint, key: other}})
	expectCode(t, bad.Get("/alice"), 401, "InvalidCredentials")
}

func TestCloudAPIKeys(t *testing.T) {
	e := newCloudEnv(t)
	expectCode(t, e.api.Do("POST", "/alice/keys", `{"name":"x"}`), 409, "MissingParameter")
	expectCode(t, e.api.Do("POST", "/alice/keys", `{"key":"nospace"}`), 409, "InvalidArgument")
	var k Key
	r := e.api.Do("POST", "/alice/keys", `{"name":"laptop","key":"`+e.line+`"}`).Expect(201)
	r.Decode(&k)
	if k.Name != "laptop" || !strings.Contains(k.Fingerprint, ":") || r.Header.Get("Location") != "/alice/keys/"+k.Fingerprint {
		t.Errorf("key = %+v, Location %q", k, r.Header.Get("Location"))
	}
	expectCode(t, e.api.Do("POST", "/alice/keys", `{"name":"again","key":"`+e.line+`"}`), 409, "InvalidArgument")
	e.api.Get("/alice/keys/" + k.Fingerprint).Expect(200)
	var keys []Key
	e.api.Get("/alice/keys").Expect(200).Decode(&keys)
	if len(keys) != 1 {
		t.Errorf("keys = %+v", keys)
	}
	e.api.Do("DELETE", "/alice/keys/laptop", "").Expect(204)
	expectCode(t, e.api.Get("/alice/keys/laptop"), 404, "ResourceNotFound")
}

func TestCloudAPICatalog(t *testing.T) {
	e := newCloudEnv(t)
	var pkgs []Package
	e.api.Get("/alice/packages").Expect(200).Decode(&pkgs)
	if len(pkgs) < 4 || pkgs[0].Memory == 0 {
		t.Fatalf("packages = %+v", pkgs)
	}
	var p Package
	e.api.Get("/alice/packages/sample-1G").Expect(200).Decode(&p)
	if !p.Default || p.Memory != 1024 {
		t.Errorf("sample-1G = %+v", p)
	}
	e.api.Get("/alice/packages/" + p.ID).Expect(200)
	var imgs []Image
	e.api.Get("/alice/images?os=smartos").Expect(200).Decode(&imgs)
	if len(imgs) != 2 || imgs[0].Type != "zone-dataset" || imgs[0].State != "active" {
		t.Errorf("images = %+v", imgs)
	}
	var nets []CloudNetwork
	e.api.Get("/alice/networks").Expect(200).Decode(&nets)
	if len(nets) != 1 || nets[0].Name != "external" || !nets[0].Public {
		t.Errorf("networks = %+v (admin must be hidden)", nets)
	}
	var dcs map[string]string
	e.api.Get("/alice/datacenters").Expect(200).Decode(&dcs)
	if dcs["coal"] == "" {
		t.Errorf("datacenters = %v", dcs)
	}
	e.api.Do("POST", "/alice/fabrics/default/vlans", `{"vlan_id":2,"name":"my-vlan"}`).Expect(201)
	var fn CloudNetwork
	e.api.Do("POST", "/alice/fabrics/default/vlans/2/networks", `{"name":"my-net","subnet":"192.168.0.0/24",
		"provision_start_ip":"192.168.0.10","provision_end_ip":"192.168.0.250","gateway":"192.168.0.1"}`).Expect(201).Decode(&fn)
	if !fn.Fabric || fn.VLANID != 2 || fn.Public {
		t.Errorf("fabric network = %+v", fn)
	}
	expectCode(t, e.api.Do("DELETE", "/alice/fabrics/default/vlans/2", ""), 409, "InUse")
}

func TestCloudAPIMachineLifecycle(t *testing.T) {
	e := newCloudEnv(t)
	var imgs []Image
	e.api.Get("/alice/images?name=base-64-lts").Expect(200).Decode(&imgs)
	body := `{"name":"web-{{shortId}}","package":"sample-512M","image":"` + imgs[0].ID + `","tag.role":"web","metadata.color":"blue","deletion_protection":true}`
	expectCode(t, e.api.Do("POST", "/alice/machines", body), 409, "KeyRequired")
	e.api.Do("POST", "/alice/keys", `{"key":"`+e.line+`"}`).Expect(201)
	expectCode(t, e.api.Do("POST", "/alice/machines", `{"package":"sample-1G"}`), 409, "MissingParameter")
	var m Machine
	r := e.api.Do("POST", "/alice/machines", body).Expect(201)
	r.Decode(&m)
	if m.State != "provisioning" || m.Name != "web-"+m.ID[:8] || m.Package != "sample-512M" || m.Memory != 512 ||
		m.Tags["role"] != "web" || m.Metadata["color"] != "blue" || !m.DeletionProtection || m.Type != "smartmachine" ||
		r.Header.Get("Location") != "/alice/machines/"+m.ID {
		t.Fatalf("created = %+v", m)
	}
	expectCode(t, e.api.Do("POST", "/alice/machines/"+m.ID+"?action=stop", ""), 409, "UnallocatedVM")
	e.dc.Advance(time.Minute)
	e.api.Get("/alice/machines/" + m.ID).Expect(200).Decode(&m)
	if m.State != "running" || len(m.IPs) != 1 || m.PrimaryIP == "" || m.Networks == nil || len(*m.Networks) != 1 || m.ComputeNode == "" {
		t.Fatalf("running = %+v", m)
	}
	var old Machine
	e.api.Get("/alice/machines/"+m.ID, "Accept-Version", "~7.0").Expect(200).Decode(&old)
	if old.Networks != nil {
		t.Errorf("~7.0 machine has networks: %+v", old.Networks)
	}
	var list []Machine
	lr := e.api.Get("/alice/machines?tag.role=web&state=running").Expect(200)
	lr.Decode(&list)
	if len(list) != 1 || lr.Header.Get("x-resource-count") != "1" || lr.Header.Get("x-query-limit") != "1000" {
		t.Errorf("list = %d, headers %v", len(list), lr.Header)
	}
	e.api.Get("/alice/machines?tag.role=db").Expect(200).Decode(&list)
	if len(list) != 0 {
		t.Errorf("tag.role=db listed %d", len(list))
	}
	expectCode(t, e.api.Get("/alice/machines?state=bogus"), 409, "InvalidArgument")
	for _, a := range []string{"stop", "start", "rename&name=renamed", "enable_firewall"} {
		r := e.api.Do("POST", "/alice/machines/"+m.ID+"?action="+a, "").Expect(202)
		if len(r.Body) != 0 {
			t.Errorf("%s body = %s", a, r.Body)
		}
		e.dc.Advance(time.Minute)
	}
	e.api.Get("/alice/machines/" + m.ID).Expect(200).Decode(&m)
	if m.Name != "renamed" || !m.FirewallEnabled || m.State != "running" {
		t.Errorf("after actions = %+v", m)
	}
	var tags map[string]any
	e.api.Do("POST", "/alice/machines/"+m.ID+"/tags", `{"tier":"front"}`).Expect(200).Decode(&tags)
	if tags["tier"] != "front" || tags["role"] != "web" {
		t.Errorf("tags answer = %v", tags)
	}
	var now map[string]any
	e.api.Get("/alice/machines/" + m.ID + "/tags").Expect(200).Decode(&now)
	if _, ok := now["tier"]; ok {
		t.Errorf("tag landed before its job ended: %v", now)
	}
	e.dc.Advance(time.Minute)
	if got := e.api.Get("/alice/machines/" + m.ID + "/tags/tier").Expect(200).String(); got != `"front"` {
		t.Errorf("tag value = %s", got)
	}
	e.api.Do("POST", "/alice/machines/"+m.ID+"/metadata", `{"size":3}`).Expect(200)
	e.dc.Advance(time.Minute)
	if got := e.api.Get("/alice/machines/" + m.ID + "/metadata/size").Expect(200).String(); got != `"3"` {
		t.Errorf("metadata value = %s", got)
	}
	var snap MachineSnapshot
	e.api.Do("POST", "/alice/machines/"+m.ID+"/snapshots", `{"name":"s1"}`).Expect(201).Decode(&snap)
	if snap.State != "queued" {
		t.Errorf("snapshot = %+v", snap)
	}
	e.dc.Advance(time.Minute)
	e.api.Get("/alice/machines/" + m.ID + "/snapshots/s1").Expect(200).Decode(&snap)
	if snap.State != "created" {
		t.Errorf("snapshot = %+v", snap)
	}
	e.api.Do("POST", "/alice/machines/"+m.ID+"/snapshots/s1", "").Expect(202)
	var nics []MachineNIC
	e.api.Get("/alice/machines/" + m.ID + "/nics").Expect(200).Decode(&nics)
	if len(nics) != 1 || !nics[0].Primary || nics[0].State != "running" {
		t.Errorf("nics = %+v", nics)
	}
	var audit []AuditEntry
	e.api.Get("/alice/machines/" + m.ID + "/audit").Expect(200).Decode(&audit)
	if len(audit) < 5 || audit[len(audit)-1].Action != "provision" {
		t.Errorf("audit = %+v", audit)
	}
	expectCode(t, e.api.Do("DELETE", "/alice/machines/"+m.ID, ""), 409, "CannotDestroyMachine")
	e.api.Do("POST", "/alice/machines/"+m.ID+"?action=disable_deletion_protection", "").Expect(202)
	e.dc.Advance(time.Minute)
	e.api.Do("DELETE", "/alice/machines/"+m.ID, "").Expect(204)
	e.dc.Advance(time.Minute)
	e.api.Get("/alice/machines/" + m.ID).Expect(410).Decode(&m)
	if m.State != "deleted" {
		t.Errorf("gone = %+v", m)
	}
	e.api.Get("/alice/machines").Expect(200).Decode(&list)
	if len(list) != 0 {
		t.Errorf("deleted machine listed")
	}
	e.api.Get("/alice/machines?tombstone=true").Expect(200).Decode(&list)
	if len(list) != 1 {
		t.Errorf("tombstone listed %d", len(list))
	}
}

func TestSemverRanges(t *testing.T) {
	for rng, want := range map[string]string{"*": "9.0.0", "~9||~8": "9.0.0", "8": "8.0.0", "~7.1": "7.1.0", ">=7.0.0 <7.3": "7.2.0",
		"^7": "7.3.0", "7.x": "7.3.0", "9.0.0": "9.0.0", "<8": "7.3.0"} {
		got := ""
		for _, v := range cloudAPIVersions {
			if satisfies(v, rng) {
				got = v.String()
				break
			}
		}
		if got != want {
			t.Errorf("%q → %q, want %q", rng, got, want)
		}
	}
}
