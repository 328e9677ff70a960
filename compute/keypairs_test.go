package compute_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// The RSA key and fingerprint of the Nova API reference's keypair sample.
const (
	sampleRSAKey         = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCkF3MX59OrlBs3dH5CU7lNmvpbrgZxSpyGjlnE8Flkirnc/Up22lpjznoxqeoTAwTW034k7Dz6aYIrZGmQwe2TkE084yqvlj45Dkyoj95fW/sZacm0cZNuL69EObEGHdprfGJQajrpz22NQoCD8TFB8Wv+8om9NH9Le6s+WPe98WC77KLw8qgfQsbIey+JawPWl4O67ZdL5xrypuRjfIPWjgy/VH85IXg/Z/GONZ2nxHgSShMkwqSFECAC5L3PHB+0+/12M/iikdatFSVGjpuHvkLOs3oe7m6HlOfluSJ85BzLWBbvva93qkGmLg4ZAc8rPh2O+YIsBUHNLLMM/oQp Generated-by-Nova"
	sampleRSAFingerprint = "7e:eb:ab:24:ba:d1:e1:88:ae:9a:fb:66:53:df:d3:bd"
)

func sshString(b []byte) []byte {
	out := make([]byte, 4+len(b))
	binary.BigEndian.PutUint32(out, uint32(len(b)))
	copy(out[4:], b)
	return out
}

// ed25519AuthorizedKey is a fresh key as an authorized_keys line, and its
// MD5 fingerprint.
func ed25519AuthorizedKey(t *testing.T) (string, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blob := append(sshString([]byte("ssh-ed25519")), sshString(pub)...)
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " me@host", md5Fingerprint(blob)
}

func md5Fingerprint(blob []byte) string {
	sum := md5.Sum(blob)
	return colonHexTest(sum[:])
}

func colonHexTest(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

func TestKeypairImportAndShow(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	edKey, edFP := ed25519AuthorizedKey(t)
	created := srv.Clock().Now().UTC().Format("2006-01-02T15:04:05.000000")
	runSteps(t, srv.URL(), []step{
		{name: "import at 2.1 answers 200", method: "POST", path: "/os-keypairs", status: 200,
			body: `{"keypair":{"name":"kp1","public_key":"` + sampleRSAKey + `"}}`,
			want: `{"keypair":{"name":"kp1","public_key":"` + sampleRSAKey + `","fingerprint":"` + sampleRSAFingerprint + `","user_id":"user-p1"}}`},
		{name: "import at 2.2 answers 201 with the type", method: "POST", path: "/os-keypairs", version: "2.2", status: 201,
			body: `{"keypair":{"name":"kp 2","type":"ssh","public_key":"` + edKey + `"}}`,
			want: `{"keypair":{"name":"kp 2","type":"ssh","public_key":"` + edKey + `","fingerprint":"` + edFP + `","user_id":"user-p1"}}`},
		{name: "show at 2.2", method: "GET", path: "/os-keypairs/kp1", version: "2.2", status: 200,
			want: `{"keypair":{"name":"kp1","type":"ssh","public_key":"` + sampleRSAKey + `","fingerprint":"` + sampleRSAFingerprint + `",
				"user_id":"user-p1","id":1,"created_at":"` + created + `","updated_at":null,"deleted_at":null,"deleted":false}}`},
		{name: "show at 2.1 has no type", method: "GET", path: "/os-keypairs/kp%202", status: 200,
			want: `{"keypair":{"name":"kp 2","public_key":"` + edKey + `","fingerprint":"` + edFP + `",
				"user_id":"user-p1","id":2,"created_at":"` + created + `","updated_at":null,"deleted_at":null,"deleted":false}}`},
		{name: "list at 2.2", method: "GET", path: "/os-keypairs", version: "2.2", status: 200,
			want: `{"keypairs":[{"keypair":{"name":"kp1","type":"ssh","public_key":"` + sampleRSAKey + `","fingerprint":"` + sampleRSAFingerprint + `"}},
				{"keypair":{"name":"kp 2","type":"ssh","public_key":"` + edKey + `","fingerprint":"` + edFP + `"}}]}`},
		{name: "list at 2.35 by name, with a next link", method: "GET", path: "/os-keypairs?limit=1", version: "2.35", status: 200,
			want: `{"keypairs":[{"keypair":{"name":"kp 2","type":"ssh","public_key":"` + edKey + `","fingerprint":"` + edFP + `"}}],
				"keypairs_links":[{"rel":"next","href":"{base}/v2.1/p1/os-keypairs?limit=1&marker=kp+2"}]}`},
		{name: "list at 2.35 after the marker", method: "GET", path: "/os-keypairs?limit=1&marker=kp+2", version: "2.35", status: 200,
			want: `{"keypairs":[{"keypair":{"name":"kp1","type":"ssh","public_key":"` + sampleRSAKey + `","fingerprint":"` + sampleRSAFingerprint + `"}}],
				"keypairs_links":[{"rel":"next","href":"{base}/v2.1/p1/os-keypairs?limit=1&marker=kp1"}]}`},
		{name: "another project's user has none", method: "GET", path: "/v2.1/p2/os-keypairs", status: 200, want: `{"keypairs":[]}`},
		{name: "admin (no token check) reads another user from 2.10", method: "GET", path: "/v2.1/p2/os-keypairs/kp1?user_id=user-p1", version: "2.10", status: 200, want: "-"},
		{name: "user_id is ignored before 2.10", method: "GET", path: "/v2.1/p2/os-keypairs/kp1?user_id=user-p1", version: "2.9", status: 404,
			want: novaErr(404, "Keypair kp1 not found for user user-p2")},

		{name: "unknown keypair", method: "GET", path: "/os-keypairs/nope", status: 404, want: novaErr(404, "Keypair nope not found for user user-p1")},
		{name: "unknown marker", method: "GET", path: "/os-keypairs?marker=nope", version: "2.35", status: 400, want: novaErr(400, "Marker nope could not be found.")},
		{name: "bad limit", method: "GET", path: "/os-keypairs?limit=x", version: "2.35", status: 400,
			want: novaErr(400, "Invalid input for query parameters limit. Value: x. 'x' does not match '^[0-9]*$'")},
		{name: "unknown query from 2.75", method: "GET", path: "/os-keypairs?foo=1", version: "2.75", status: 400,
			want: novaErr(400, "Additional properties are not allowed ('foo' was unexpected)")},
		{name: "duplicate", method: "POST", path: "/os-keypairs", status: 409,
			body: `{"keypair":{"name":"kp1","public_key":"` + edKey + `"}}`, want: novaErr(409, "Key pair 'kp1' already exists.")},
		{name: "delete at 2.1 answers 202", method: "DELETE", path: "/os-keypairs/kp1", status: 202, want: ""},
		{name: "delete at 2.2 answers 204", method: "DELETE", path: "/os-keypairs/kp%202", version: "2.2", status: 204, want: ""},
		{name: "delete unknown", method: "DELETE", path: "/os-keypairs/kp1", status: 404, want: novaErr(404, "Keypair kp1 not found for user user-p1")},
		{name: "all gone", method: "GET", path: "/os-keypairs", status: 200, want: `{"keypairs":[]}`},
	})
}

func TestKeypairValidation(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	edKey, _ := ed25519AuthorizedKey(t)
	parts := strings.Fields(edKey)
	blob, _ := base64.StdEncoding.DecodeString(parts[1])
	invalid := novaErr(400, "Keypair data is invalid: failed to generate fingerprint")
	long := strings.Repeat("k", 256)
	runSteps(t, srv.URL(), []step{
		{name: "garbage key", method: "POST", path: "/os-keypairs", status: 400, body: `{"keypair":{"name":"k","public_key":"not a key"}}`, want: invalid},
		{name: "bad base64", method: "POST", path: "/os-keypairs", status: 400, body: `{"keypair":{"name":"k","public_key":"ssh-ed25519 !!!"}}`, want: invalid},
		{name: "type does not match the blob", method: "POST", path: "/os-keypairs", status: 400,
			body: `{"keypair":{"name":"k","public_key":"ssh-rsa ` + parts[1] + `"}}`, want: invalid},
		{name: "truncated blob", method: "POST", path: "/os-keypairs", status: 400,
			body: `{"keypair":{"name":"k","public_key":"ssh-ed25519 ` + base64.StdEncoding.EncodeToString(blob[:len(blob)-3]) + `"}}`, want: invalid},
		{name: "trailing data in blob", method: "POST", path: "/os-keypairs", status: 400,
			body: `{"keypair":{"name":"k","public_key":"ssh-ed25519 ` + base64.StdEncoding.EncodeToString(append(blob, 0)) + `"}}`, want: invalid},
		{name: "unknown key type", method: "POST", path: "/os-keypairs", status: 400,
			body: `{"keypair":{"name":"k","public_key":"ssh-foo ` + base64.StdEncoding.EncodeToString(sshString([]byte("ssh-foo"))) + `"}}`, want: invalid},
		{name: "x509 that is no certificate", method: "POST", path: "/os-keypairs", version: "2.2", status: 400,
			body: `{"keypair":{"name":"k","type":"x509","public_key":"` + strings.ReplaceAll(edKey, " ", "_") + `"}}`,
			want: novaErr(400, "Keypair data is invalid: failed to generate X509 fingerprint. Error message: Unable to load PEM file.")},
		{name: "name with a bad character", method: "POST", path: "/os-keypairs", status: 400, body: `{"keypair":{"name":"a*b","public_key":"` + edKey + `"}}`,
			want: novaErr(400, `Invalid input for field/attribute name. Value: a*b. 'a*b' does not match '^[_\\- a-zA-Z0-9]+$'`)},
		{name: "dots and @ before 2.92", method: "POST", path: "/os-keypairs", version: "2.91", status: 400, body: `{"keypair":{"name":"me@x.y","public_key":"` + edKey + `"}}`,
			want: novaErr(400, `Invalid input for field/attribute name. Value: me@x.y. 'me@x.y' does not match '^[_\\- a-zA-Z0-9]+$'`)},
		{name: "dots and @ from 2.92", method: "POST", path: "/os-keypairs", version: "2.92", status: 201, body: `{"keypair":{"name":"me@x.y","public_key":"` + edKey + `"}}`, want: "-"},
		{name: "empty name", method: "POST", path: "/os-keypairs", status: 400, body: `{"keypair":{"name":""}}`,
			want: novaErr(400, "Invalid input for field/attribute name. Value: . '' is too short")},
		{name: "long name", method: "POST", path: "/os-keypairs", status: 400, body: `{"keypair":{"name":"` + long + `"}}`,
			want: novaErr(400, "Invalid input for field/attribute name. Value: "+long+". '"+long+"' is too long")},
		{name: "name with trailing space", method: "POST", path: "/os-keypairs", status: 400, body: `{"keypair":{"name":"k "}}`,
			want: novaErr(400, "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.")},
		{name: "name not a string", method: "POST", path: "/os-keypairs", status: 400, body: `{"keypair":{"name":7}}`,
			want: novaErr(400, "Invalid input for field/attribute name. Value: 7. 7 is not of type 'string'")},
		{name: "no name", method: "POST", path: "/os-keypairs", status: 400, body: `{"keypair":{}}`,
			want: novaErr(400, "Invalid input for field/attribute keypair. Value: {}. 'name' is a required property")},
		{name: "type before 2.2", method: "POST", path: "/os-keypairs", status: 400, body: `{"keypair":{"name":"k","type":"ssh"}}`,
			want: novaErr(400, `Invalid input for field/attribute keypair. Value: {"name":"k","type":"ssh"}. Additional properties are not allowed ('type' was unexpected)`)},
		{name: "bad type", method: "POST", path: "/os-keypairs", version: "2.2", status: 400, body: `{"keypair":{"name":"k","type":"pgp"}}`,
			want: novaErr(400, "Invalid input for field/attribute type. Value: pgp. 'pgp' is not one of ['ssh', 'x509']")},
		{name: "user_id before 2.10", method: "POST", path: "/os-keypairs", version: "2.9", status: 400, body: `{"keypair":{"name":"k","user_id":"u"}}`,
			want: novaErr(400, `Invalid input for field/attribute keypair. Value: {"name":"k","user_id":"u"}. Additional properties are not allowed ('user_id' was unexpected)`)},
		{name: "generation is gone from 2.92", method: "POST", path: "/os-keypairs", version: "2.92", status: 400, body: `{"keypair":{"name":"k"}}`,
			want: novaErr(400, `Invalid input for field/attribute keypair. Value: {"name":"k"}. 'public_key' is a required property`)},
		{name: "nothing was stored", method: "GET", path: "/os-keypairs", status: 200,
			want: `{"keypairs":[{"keypair":{"name":"me@x.y","public_key":"<any>","fingerprint":"<any>"}}]}`},
	})
}

func TestKeypairGenerate(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	got := getJSON(t, srv.URL(), step{method: "POST", path: "/os-keypairs", version: "2.2", body: `{"keypair":{"name":"gen"}}`, status: 201})
	kp := got["keypair"].(map[string]any)
	pub, _ := kp["public_key"].(string)
	fields := strings.Fields(pub)
	if len(fields) != 3 || fields[0] != "ssh-rsa" || fields[2] != "Generated-by-Nova" {
		t.Fatalf("public_key = %q, want ssh-rsa <blob> Generated-by-Nova", pub)
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"name": "gen", "type": "ssh", "user_id": "user-p1", "fingerprint": md5Fingerprint(blob)},
		map[string]any{"name": kp["name"], "type": kp["type"], "user_id": kp["user_id"], "fingerprint": kp["fingerprint"]}); diff != "" {
		t.Errorf("keypair (-want +got):\n%s", diff)
	}
	// The private key is a PKCS#1 RSA key of 2048 bits (paramiko's
	// RSAKey.generate(2048), as Nova writes it) whose public half is
	// public_key's blob.
	block, _ := pem.Decode([]byte(kp["private_key"].(string)))
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		t.Fatalf("private_key is not an RSA PEM block: %q", kp["private_key"])
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if key.N.BitLen() != 2048 || key.E != 65537 {
		t.Errorf("key of %d bits, e=%d", key.N.BitLen(), key.E)
	}
	mpint := func(b []byte) []byte {
		if b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return sshString(b)
	}
	want := append(append(sshString([]byte("ssh-rsa")), mpint(big.NewInt(int64(key.E)).Bytes())...), mpint(key.N.Bytes())...)
	if !bytes.Equal(want, blob) {
		t.Error("the private key does not give public_key")
	}
	// The private key is not kept.
	show := getJSON(t, srv.URL(), step{path: "/os-keypairs/gen", status: 200})
	if _, ok := show["keypair"].(map[string]any)["private_key"]; ok {
		t.Error("show returns a private key")
	}
	if got := srv.Keypairs("user-p1"); len(got) != 1 || got[0].PrivateKey != "" || got[0].Fingerprint != md5Fingerprint(blob) {
		t.Errorf("stored keypairs = %+v", got)
	}
}

func testCertificate(t *testing.T) (string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "me"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(der)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), colonHexTest(sum[:])
}

func TestKeypairX509(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	cert, fp := testCertificate(t)
	certJSON := strings.ReplaceAll(cert, "\n", `\n`)
	runSteps(t, srv.URL(), []step{
		{name: "import a certificate", method: "POST", path: "/os-keypairs", version: "2.2", status: 201,
			body: `{"keypair":{"name":"cert","type":"x509","public_key":"` + certJSON + `"}}`,
			want: `{"keypair":{"name":"cert","type":"x509","public_key":"` + certJSON + `","fingerprint":"` + fp + `","user_id":"user-p1"}}`},
	})
	got := getJSON(t, srv.URL(), step{method: "POST", path: "/os-keypairs", version: "2.2", body: `{"keypair":{"name":"gen","type":"x509"}}`, status: 201})
	kp := got["keypair"].(map[string]any)
	block, _ := pem.Decode([]byte(kp["public_key"].(string)))
	if block == nil {
		t.Fatalf("public_key is not PEM: %q", kp["public_key"])
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(c.Raw)
	if c.Subject.CommonName != "user-p1" || kp["fingerprint"] != colonHexTest(sum[:]) || kp["private_key"] == "" {
		t.Errorf("generated certificate for %q, fingerprint %v (want %s)", c.Subject.CommonName, kp["fingerprint"], colonHexTest(sum[:]))
	}
}

func TestKeypairQuotaAndServers(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	edKey, _ := ed25519AuthorizedKey(t)
	q := compute.DefaultQuota()
	q.KeyPairs = 1
	srv.SetQuota("p1", q)
	runSteps(t, srv.URL(), []step{
		{name: "first fits", method: "POST", path: "/os-keypairs", status: 200, body: `{"keypair":{"name":"a","public_key":"` + edKey + `"}}`, want: "-"},
		{name: "second is over quota", method: "POST", path: "/os-keypairs", status: 403, body: `{"keypair":{"name":"b","public_key":"` + edKey + `"}}`,
			want: novaErr(403, "Quota exceeded, too many key pairs.")},
		{name: "a server boots with it", method: "POST", path: "/servers", status: 202,
			body: `{"server":{"name":"s","imageRef":"` + compute.DefaultImageID + `","flavorRef":"1","key_name":"a"}}`, want: "-"},
		{name: "but not with another user's", method: "POST", path: "/v2.1/p2/servers", status: 400,
			body: `{"server":{"name":"s","imageRef":"` + compute.DefaultImageID + `","flavorRef":"1","key_name":"a"}}`,
			want: novaErr(400, "Invalid key_name provided.")},
	})
}

func TestKeypairSeeding(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	got, err := srv.AddKeypair(compute.Keypair{Name: "seeded", UserID: "u1", PublicKey: sampleRSAKey})
	if err != nil {
		t.Fatal(err)
	}
	want := compute.Keypair{ID: 1, Name: "seeded", UserID: "u1", Type: "ssh", PublicKey: sampleRSAKey,
		Fingerprint: sampleRSAFingerprint, Created: srv.Clock().Now()}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddKeypair (-want +got):\n%s", diff)
	}
	gen, err := srv.AddKeypair(compute.Keypair{Name: "gen", UserID: "u1"})
	if err != nil || gen.PrivateKey == "" || gen.ID != 2 || !strings.HasPrefix(gen.PublicKey, "ssh-rsa ") {
		t.Errorf("generated keypair = %+v, %v", gen, err)
	}
	for _, bad := range []compute.Keypair{
		{Name: "seeded", UserID: "u1", PublicKey: sampleRSAKey},
		{Name: "x", UserID: "u1", PublicKey: "nonsense"},
		{Name: "x", UserID: "u1", Type: "pgp"},
		{Name: "", UserID: "u1"},
		{Name: "x"},
	} {
		if _, err := srv.AddKeypair(bad); err == nil {
			t.Errorf("AddKeypair(%+v) succeeded", bad)
		}
	}
	names := []string{}
	for _, k := range srv.Keypairs("u1") {
		names = append(names, k.Name)
	}
	if diff := cmp.Diff([]string{"gen", "seeded"}, names); diff != "" {
		t.Errorf("Keypairs (-want +got):\n%s", diff)
	}
	if got := srv.Keypairs("nobody"); len(got) != 0 {
		t.Errorf("Keypairs(nobody) = %v", got)
	}
}

func TestKeypairPolicies(t *testing.T) {
	c, base := authServer(t)
	if _, err := c.AddKeypair(compute.Keypair{Name: "theirs", UserID: "other-user", PublicKey: sampleRSAKey}); err != nil {
		t.Fatal(err)
	}
	runSteps(t, base, []step{
		{name: "member cannot list another user's", method: "GET", path: "/os-keypairs?user_id=other-user", version: "2.10", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.")},
		{name: "member cannot show another user's", method: "GET", path: "/os-keypairs/theirs?user_id=other-user", version: "2.10", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-keypairs:show to be performed.")},
		{name: "member cannot delete another user's", method: "DELETE", path: "/os-keypairs/theirs?user_id=other-user", version: "2.10", token: memberToken, status: 403,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-keypairs:delete to be performed.")},
		{name: "member cannot create for another user", method: "POST", path: "/os-keypairs", version: "2.10", token: memberToken, status: 403,
			body: `{"keypair":{"name":"k","user_id":"other-user","public_key":"` + sampleRSAKey + `"}}`,
			want: novaErr(403, "Policy doesn't allow os_compute_api:os-keypairs:create to be performed.")},
		{name: "member names themselves", method: "GET", path: "/os-keypairs?user_id=member-user", version: "2.10", token: memberToken, status: 200, want: `{"keypairs":[]}`},
		{name: "admin creates for another user", method: "POST", path: "/os-keypairs", version: "2.10", token: adminToken, status: 201,
			body: `{"keypair":{"name":"k","user_id":"other-user","public_key":"` + sampleRSAKey + `"}}`,
			want: `{"keypair":{"name":"k","type":"ssh","public_key":"` + sampleRSAKey + `","fingerprint":"` + sampleRSAFingerprint + `","user_id":"other-user"}}`},
		{name: "the user sees both", method: "GET", path: "/v2.1/p2/os-keypairs", token: otherToken, status: 200,
			want: `{"keypairs":[{"keypair":{"name":"theirs","public_key":"<any>","fingerprint":"<any>"}},{"keypair":{"name":"k","public_key":"<any>","fingerprint":"<any>"}}]}`},
		{name: "admin deletes another user's", method: "DELETE", path: "/os-keypairs/theirs?user_id=other-user", version: "2.10", token: adminToken, status: 204, want: ""},
	})
}

// FuzzKeypairPublicKey feeds arbitrary public keys to the hand-written
// authorized_keys parser: it must reject or accept, never panic, and only
// accept what it can fingerprint.
func FuzzKeypairPublicKey(f *testing.F) {
	f.Add(sampleRSAKey)
	f.Add("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")
	f.Add("ecdsa-sha2-nistp256 " + base64.StdEncoding.EncodeToString(append(sshString([]byte("ecdsa-sha2-nistp256")), sshString([]byte("nistp256"))...)))
	f.Add("ssh-dss AAAA")
	f.Add("")
	c := newInEnv(f, kit.Env{Journal: fake.NewJournal(1000)})
	n := 0
	f.Fuzz(func(t *testing.T, key string) {
		n++
		k, err := c.AddKeypair(compute.Keypair{Name: fmt.Sprintf("k%d", n), UserID: "fuzz", PublicKey: key})
		if key == "" {
			return // generated
		}
		if err == nil && (k.Fingerprint == "" || k.PublicKey != key) {
			t.Errorf("accepted %q with fingerprint %q", key, k.Fingerprint)
		}
	})
}

// TestKeypairsFromSeed: generated keypairs come from the service's seeded
// stream, so the same seed gives the same keys, over HTTP and through
// AddKeypair, for ssh and x509; another seed gives others.
func TestKeypairsFromSeed(t *testing.T) {
	generate := func(seed int64) []string {
		srv := compute.New(t, fake.WithSeed(seed))
		var out []string
		for _, body := range []string{`{"keypair":{"name":"ssh"}}`, `{"keypair":{"name":"cert","type":"x509"}}`} {
			kp := getJSON(t, srv.URL(), step{method: "POST", path: "/os-keypairs", version: "2.2", body: body, status: 201})["keypair"].(map[string]any)
			out = append(out, kp["public_key"].(string), kp["private_key"].(string), kp["fingerprint"].(string))
		}
		k, err := srv.AddKeypair(compute.Keypair{Name: "seeded", UserID: "u1"})
		if err != nil {
			t.Fatal(err)
		}
		return append(out, k.PublicKey, k.PrivateKey, k.Fingerprint)
	}
	first, again, other := generate(7), generate(7), generate(8)
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("same seed, other keys (-first +again):\n%s", diff)
	}
	for i := range first {
		if first[i] == other[i] {
			t.Errorf("seeds 7 and 8 give the same value %d: %q", i, first[i])
		}
	}
}
