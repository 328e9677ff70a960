package triton

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/triton/tritontest"
)

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
		api: kittest.New(t, dc.URL(), &http.Client{Transport: tritontest.Signer{Base: base, Login: "alice", Fingerprint: pk.Fingerprint, Key: k}}),
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

var bareUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestCloudAPIPingVersionsAndAuth(t *testing.T) {
	e := newCloudEnv(t)
	r := e.raw.Get("/--ping").Expect(200)
	if r.Header.Get("Api-Version") != "9.0.0" || r.Header.Get("Server") != cloudAPIServer || !bareUUID.MatchString(r.Header.Get("Request-Id")) {
		t.Errorf("headers = %v, want restify's Request-Id (a bare UUID)", r.Header)
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
	bad := kittest.New(t, e.dc.URL(), &http.Client{Transport: tritontest.Signer{Base: e.dc.Client().Transport, Login: "alice", Fingerprint: pk.Fingerprint, Key: other}})
	expectCode(t, bad.Get("/alice"), 401, "InvalidCredentials")
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

// running gives alice a key and a running machine of the image named
// image (base-64-lts when ""), created with extra fields of body.
func (e *cloudEnv) running(t *testing.T, image, extra string) Machine {
	t.Helper()
	if image == "" {
		image = "base-64-lts"
	}
	if len(e.api.Get("/alice/keys").Body) <= 2 {
		e.api.Do("POST", "/alice/keys", `{"key":"`+e.line+`"}`).Expect(201)
	}
	var imgs []Image
	e.api.Get("/alice/images?name=" + image).Expect(200).Decode(&imgs)
	body := `{"package":"sample-512M","image":"` + imgs[0].ID + `"` + extra + `}`
	var m Machine
	e.api.Do("POST", "/alice/machines", body).Expect(201).Decode(&m)
	e.dc.Advance(time.Minute)
	e.api.Get("/alice/machines/" + m.ID).Expect(200).Decode(&m)
	return m
}
