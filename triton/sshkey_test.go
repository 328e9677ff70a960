package triton

import (
	"crypto/dsa" //lint:ignore SA1019 test keys for CloudAPI's ssh-dss support
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// signatureVector is one request signed by a real client, recorded once
// into testdata by a program outside this repository:
//
//   - tritongo-signatures.json: github.com/joyent/triton-go at
//     v1.7.1-0.20200416154420-6801d15b779f, its PrivateKeySigner (RSA) and
//     SSHAgentSigner (over an in-process golang.org/x/crypto/ssh/agent),
//     making compute.Instances().List against an httptest server.
//   - triton-cli-signatures.json: the triton CLI 7.17.0's signer
//     (smartdc-auth's KeyPair.createRequestSigner over http-signature
//     1.4.0, as lib/cloudapi2.js calls it) with keys node generated.
//
// Each key's ssh_keygen fields are OpenSSH's ssh-keygen -l output for it.
// An entry with an error is a key the client itself refused to sign with.
type signatureVector struct {
	Name          string `json:"name"`
	Signer        string `json:"signer"`
	Error         string `json:"error"`
	PublicKey     string `json:"public_key"`
	Fingerprint   string `json:"fingerprint"` // the client's own MD5 fingerprint
	Method        string `json:"method"`
	RequestURI    string `json:"request_uri"`
	Host          string `json:"host"`
	Date          string `json:"date"`
	Authorization string `json:"authorization"`
	SSHKeygen     struct {
		Bits   int    `json:"bits"`
		SHA256 string `json:"sha256"`
		MD5    string `json:"md5"`
	} `json:"ssh_keygen"`
}

func loadVectors(t testing.TB, file string) []signatureVector {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var vs []signatureVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func allVectors(t testing.TB) []signatureVector {
	return append(loadVectors(t, "tritongo-signatures.json"), loadVectors(t, "triton-cli-signatures.json")...)
}

// TestParsePublicKeyVectors checks fingerprints, types and sizes against
// what ssh-keygen, sshpk (the CLI) and x/crypto/ssh (triton-go) said of
// the same keys.
func TestParsePublicKeyVectors(t *testing.T) {
	for _, v := range allVectors(t) {
		if v.PublicKey == "" {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			k, err := ParsePublicKey(v.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			fields := strings.Fields(v.PublicKey)
			got := []string{k.Fingerprint, "MD5:" + k.Fingerprint, k.SHA256Fingerprint, k.Comment, k.Format, k.Key}
			want := []string{v.Fingerprint, v.SSHKeygen.MD5, v.SSHKeygen.SHA256, v.Name, fields[0], v.PublicKey}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if k.Bits != v.SSHKeygen.Bits {
				t.Errorf("Bits = %d, ssh-keygen says %d", k.Bits, v.SSHKeygen.Bits)
			}
			if !strings.HasPrefix(v.Name, k.Type) || strings.HasPrefix(v.Name, "ecdsa") != (k.Type == "ecdsa") {
				t.Errorf("Type = %q for key %s", k.Type, v.Name)
			}
		})
	}
}

// sshString and sshMPInt write RFC 4251 fields, to build keys in tests.
func sshString(b []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(b)))
	return append(out, b...)
}

func sshMPInt(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return sshString(b)
}

func joinFields(fields ...[]byte) []byte {
	var out []byte
	for _, f := range fields {
		out = append(out, f...)
	}
	return out
}

// authorizedKey renders pub as an authorized_keys line, as ssh-keygen
// would write it.
func authorizedKey(t testing.TB, pub any, comment string) string {
	t.Helper()
	var format string
	var blob []byte
	switch k := pub.(type) {
	case *rsa.PublicKey:
		format = "ssh-rsa"
		blob = joinFields(sshString([]byte(format)), sshMPInt(big.NewInt(int64(k.E))), sshMPInt(k.N))
	case *dsa.PublicKey:
		format = "ssh-dss"
		blob = joinFields(sshString([]byte(format)), sshMPInt(k.P), sshMPInt(k.Q), sshMPInt(k.G), sshMPInt(k.Y))
	case *ecdsa.PublicKey:
		curve := map[int]string{256: "nistp256", 384: "nistp384", 521: "nistp521"}[k.Params().BitSize]
		format = "ecdsa-sha2-" + curve
		point, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		blob = joinFields(sshString([]byte(format)), sshString([]byte(curve)), sshString(point))
	case ed25519.PublicKey:
		format = "ssh-ed25519"
		blob = joinFields(sshString([]byte(format)), sshString(k))
	default:
		t.Fatalf("no SSH form for %T", pub)
	}
	line := format + " " + base64.StdEncoding.EncodeToString(blob)
	if comment != "" {
		line += " " + comment
	}
	return line
}

// newDSAKey generates a 1024-bit DSA key (q of 160 bits, so that a SHA-256
// digest is truncated as OpenSSL does).
func newDSAKey(t testing.TB) *dsa.PrivateKey {
	t.Helper()
	k := new(dsa.PrivateKey)
	if err := dsa.GenerateParameters(&k.Parameters, rand.Reader, dsa.L1024N160); err != nil {
		t.Fatal(err)
	}
	if err := dsa.GenerateKey(k, rand.Reader); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParsePublicKeyTypes(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, ek, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	type shape struct {
		Type, Format string
		Bits         int
	}
	tests := []struct {
		name string
		pub  any
		want shape
	}{
		{"rsa", &rk.PublicKey, shape{"rsa", "ssh-rsa", 2048}},
		{"dsa", &newDSAKey(t).PublicKey, shape{"dsa", "ssh-dss", 1024}},
		{"ed25519", ek.Public(), shape{"ed25519", "ssh-ed25519", 256}},
	}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		bits := c.Params().BitSize
		name := map[int]string{256: "nistp256", 384: "nistp384", 521: "nistp521"}[bits]
		tests = append(tests, struct {
			name string
			pub  any
			want shape
		}{name, &k.PublicKey, shape{"ecdsa", "ecdsa-sha2-" + name, bits}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := authorizedKey(t, tt.pub, "me@laptop with spaces")
			k, err := ParsePublicKey("  " + line + "\r\n")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, shape{k.Type, k.Format, k.Bits}); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if k.Comment != "me@laptop with spaces" || k.Key != line || k.DefaultName() != k.Comment {
				t.Errorf("Comment %q, Key %q, DefaultName %q", k.Comment, k.Key, k.DefaultName())
			}
			if len(k.Fingerprint) != 47 || strings.Count(k.Fingerprint, ":") != 15 || !strings.HasPrefix(k.SHA256Fingerprint, "SHA256:") {
				t.Errorf("fingerprints %q %q", k.Fingerprint, k.SHA256Fingerprint)
			}
			bare, err := ParsePublicKey(strings.Join(strings.Fields(line)[:2], "\t"))
			if err != nil {
				t.Fatal(err)
			}
			if bare.Comment != "" || bare.DefaultName() != k.Fingerprint || bare.Fingerprint != k.Fingerprint {
				t.Errorf("without a comment: Comment %q, DefaultName %q", bare.Comment, bare.DefaultName())
			}
		})
	}
}

func TestParsePublicKeyRefuses(t *testing.T) {
	_, ek, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := authorizedKey(t, ek.Public(), "")
	material := strings.Fields(good)[1]
	blob, _ := base64.StdEncoding.DecodeString(material)
	b64 := base64.StdEncoding.EncodeToString
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	point, _ := p256.PublicKey.Bytes()
	offCurve := append([]byte(nil), point...)
	offCurve[len(offCurve)-1] ^= 1
	tests := map[string]string{
		"empty":               "",
		"type only":           "ssh-ed25519",
		"no type":             material,
		"unknown type":        "ssh-foo " + material,
		"type mismatch":       "ssh-rsa " + material,
		"bad base64":          "ssh-ed25519 AAAA$$$",
		"truncated":           "ssh-ed25519 " + b64(blob[:len(blob)-3]),
		"trailing bytes":      "ssh-ed25519 " + b64(append(append([]byte(nil), blob...), 0)),
		"short ed25519":       "ssh-ed25519 " + b64(joinFields(sshString([]byte("ssh-ed25519")), sshString(make([]byte, 31)))),
		"even rsa modulus":    "ssh-rsa " + b64(joinFields(sshString([]byte("ssh-rsa")), sshMPInt(big.NewInt(65537)), sshMPInt(big.NewInt(1<<40)))),
		"negative mpint":      "ssh-rsa " + b64(joinFields(sshString([]byte("ssh-rsa")), sshString([]byte{0x81}), sshMPInt(big.NewInt(77)))),
		"curve mismatch":      "ecdsa-sha2-nistp384 " + b64(joinFields(sshString([]byte("ecdsa-sha2-nistp384")), sshString([]byte("nistp256")), sshString(point))),
		"unknown curve":       "ecdsa-sha2-nistp192 " + b64(joinFields(sshString([]byte("ecdsa-sha2-nistp192")), sshString([]byte("nistp192")), sshString(point))),
		"point off the curve": "ecdsa-sha2-nistp256 " + b64(joinFields(sshString([]byte("ecdsa-sha2-nistp256")), sshString([]byte("nistp256")), sshString(offCurve))),
		"dsa q not below p":   "ssh-dss " + b64(joinFields(sshString([]byte("ssh-dss")), sshMPInt(big.NewInt(23)), sshMPInt(big.NewInt(29)), sshMPInt(big.NewInt(2)), sshMPInt(big.NewInt(3)))),
		"huge length":         "ssh-ed25519 " + b64([]byte{0xff, 0xff, 0xff, 0xff, 's'}),
		"too long":            "ssh-ed25519 " + material + " " + strings.Repeat("x", sshKeyMaxLine),
	}
	for name, line := range tests {
		t.Run(name, func(t *testing.T) {
			if k, err := ParsePublicKey(line); err == nil {
				t.Errorf("ParsePublicKey(%.60q) = %+v, want an error", line, k)
			}
		})
	}
	if _, err := ParsePublicKey(good); err != nil {
		t.Fatalf("the unmodified key: %v", err)
	}
}

// TestCheckNewKey pins CloudAPI's CreateKey answers (lib/keys.js, UFDS's
// addKey): all 409 but for the key's absence, also 409 in restify.
func TestCheckNewKey(t *testing.T) {
	_, ek, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := authorizedKey(t, ek.Public(), "laptop")
	tests := []struct {
		line string
		want *authError
	}{
		{"", &authError{http.StatusConflict, "MissingParameter", "key is a required argument"}},
		{"ssh-ed25519", &authError{http.StatusConflict, "InvalidArgument", "key is invalid"}},
		{"ssh-ed25519\t" + strings.Fields(good)[1], &authError{http.StatusConflict, "InvalidArgument", "key is invalid"}},
		{"ssh-rsa " + strings.Fields(good)[1], &authError{http.StatusConflict, "InvalidArgument", "key already exists or is invalid"}},
		{"not a key", &authError{http.StatusConflict, "InvalidArgument", "key already exists or is invalid"}},
		{good + "\n", nil},
	}
	for _, tt := range tests {
		k, got := checkNewKey(tt.line)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("checkNewKey(%.40q) (-want +got)\n%s", tt.line, diff)
		}
		if got == nil && (k.Key != good || k.DefaultName() != "laptop") {
			t.Errorf("checkNewKey(%.40q) = %+v", tt.line, k)
		}
	}
}
