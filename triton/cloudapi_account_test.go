package triton

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

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

func TestCloudAPIAccountAndDC(t *testing.T) {
	e := newCloudEnv(t)
	r := e.api.Get("/alice").Expect(200)
	if r.Header.Get("Triton-Datacenter-Name") != "coal" {
		t.Errorf("headers = %v", r.Header)
	}
	// Date is the shared clock's, not the wall clock the client signs with.
	if got, want := r.Header.Get("Date"), e.dc.Now().UTC().Format(http.TimeFormat); got != want {
		t.Errorf("Date = %q, want the DC clock's %q", got, want)
	}
	e.dc.Advance(time.Hour)
	var a Account
	e.api.Do("POST", "/alice", `{"email":"a@b.c","firstName":"Alice","triton_cns_enabled":true}`).Expect(200).Decode(&a)
	if a.Email != "a@b.c" || a.FirstName != "Alice" || !a.TritonCNSEnabled || a.Updated == a.Created {
		t.Errorf("updated account = %+v", a)
	}
	if got, _ := e.dc.Account("alice"); got.Email != "a@b.c" {
		t.Errorf("stored account = %+v", got)
	}
	e.api.Get("/alice/limits").Expect(200).CheckJSON(`[]`)
	var cfg struct {
		DefaultNetwork string `json:"default_network"`
	}
	e.api.Get("/alice/config").Expect(200).Decode(&cfg)
	if !validUUID(cfg.DefaultNetwork) {
		t.Errorf("config = %+v", cfg)
	}
	var svcs map[string]string
	e.api.Get("/alice/services").Expect(200).Decode(&svcs)
	if svcs["cloudapi"] == "" {
		t.Errorf("services = %v", svcs)
	}
	r = e.api.Get("/alice/datacenters/coal").Expect(302)
	if r.Header.Get("Location") == "" || r.Object()["code"] != "ResourceMoved" {
		t.Errorf("GetDatacenter: %v %s", r.Header, r.Body)
	}
	expectCode(t, e.api.Get("/alice/datacenters/nowhere"), 404, "ResourceNotFound")
}

func TestCloudAPIDateChecks(t *testing.T) {
	e := newCloudEnv(t)
	old := time.Now().Add(-10 * time.Minute).UTC().Format(http.TimeFormat)
	sig := `Signature keyId="/alice/keys/x",algorithm="rsa-sha256",headers="date",signature="c2ln"`
	expectCode(t, e.raw.Get("/alice", "Date", old, "Authorization", sig), 400, "InvalidHeader")
	// an old Date is refused on /--ping too (restify's dateParser)
	expectCode(t, e.raw.Get("/--ping", "Date", old), 400, "RequestExpired")
	// a fresh signature is taken in permissive mode without a key
	e.raw.Get("/alice", "Date", time.Now().UTC().Format(http.TimeFormat), "Authorization", sig).Expect(200)
	// a malformed keyId
	expectCode(t, e.raw.Get("/alice", "Date", time.Now().UTC().Format(http.TimeFormat),
		"Authorization", `Signature keyId="alice",algorithm="rsa-sha256",headers="date",signature="c2ln"`), 401, "InvalidCredentials")
	// sub-users are refused before 7.2.0
	sub := `Signature keyId="/alice/users/bob/keys/x",algorithm="rsa-sha256",headers="date",signature="c2ln"`
	now := time.Now().UTC().Format(http.TimeFormat)
	e.raw.Get("/alice", "Date", now, "Authorization", sub).Expect(200)
	expectCode(t, e.raw.Get("/alice", "Date", now, "Authorization", sub, "Accept-Version", "~7.1"), 401, "InvalidCredentials")
}
