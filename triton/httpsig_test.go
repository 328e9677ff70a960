package triton

import (
	"crypto"
	"crypto/dsa" //lint:ignore SA1019 CloudAPI takes dsa-sha1 and dsa-sha256 signatures
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// wall is the wall clock the tests sign and verify at.
var wall = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// testKey is a private key and the public key CloudAPI holds for it.
type testKey struct {
	priv any // crypto.Signer, or *dsa.PrivateKey
	pub  PublicKey
}

func newTestKey(t testing.TB, priv any, pub any) testKey {
	t.Helper()
	k, err := ParsePublicKey(authorizedKey(t, pub, "test"))
	if err != nil {
		t.Fatal(err)
	}
	return testKey{priv: priv, pub: k}
}

// testKeys generates one key of each kind CloudAPI verifies.
func testKeys(t testing.TB) map[string]testKey {
	t.Helper()
	keys := map[string]testKey{}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keys["rsa"] = newTestKey(t, rk, &rk.PublicKey)
	dk := newDSAKey(t)
	keys["dsa"] = newTestKey(t, dk, &dk.PublicKey)
	for name, c := range map[string]elliptic.Curve{"p256": elliptic.P256(), "p384": elliptic.P384(), "p521": elliptic.P521()} {
		ek, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = newTestKey(t, ek, &ek.PublicKey)
	}
	return keys
}

// sign signs s with k and hash h as the clients do: triton-go's
// rsa.SignPKCS1v15 and ASN.1 (r, s) for ECDSA (a crypto.Signer's own
// output), DER (r, s) for DSA as node's crypto writes it.
func (k testKey) sign(t testing.TB, h crypto.Hash, s string) string {
	t.Helper()
	d := h.New()
	d.Write([]byte(s))
	digest := d.Sum(nil)
	var sig []byte
	var err error
	switch priv := k.priv.(type) {
	case crypto.Signer:
		sig, err = priv.Sign(rand.Reader, digest, h)
	case *dsa.PrivateKey:
		if n := priv.Q.BitLen() / 8; len(digest) > n {
			digest = digest[:n]
		}
		var r, s *big.Int
		r, s, err = dsa.Sign(rand.Reader, priv, digest)
		if err == nil {
			sig, err = asn1.Marshal(struct{ R, S *big.Int }{r, s})
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

var testHashes = map[string]crypto.Hash{"sha1": crypto.SHA1, "sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512}

// signed is a request and how to sign it.
type signed struct {
	method, target string
	keyID, alg     string
	headers        []string          // "" leaves the parameter out
	values         map[string]string // request headers
	legacy         bool
}

// request builds the request and signs it with k, as the clients do: one
// "name: value" line per signed header ("(request-target): get /path"),
// or, in the legacy form, the values alone.
func (s signed) request(t testing.TB, k testKey) *http.Request {
	t.Helper()
	r := httptest.NewRequest(s.method, s.target, nil)
	r.Host = "cloudapi.test"
	for name, v := range s.values {
		r.Header.Set(name, v)
	}
	var lines []string
	for _, h := range s.headers {
		switch {
		case h == "(request-target)":
			lines = append(lines, "(request-target): "+strings.ToLower(s.method)+" "+s.target)
		case h == "request-line":
			lines = append(lines, s.method+" "+s.target+" HTTP/1.1")
		case s.legacy:
			lines = append(lines, s.values[h])
		default:
			lines = append(lines, h+": "+s.values[h])
		}
	}
	_, hash, _ := strings.Cut(strings.ToLower(s.alg), "-")
	h, ok := testHashes[hash]
	if !ok {
		h = crypto.SHA256 // the algorithm is refused before any verification
	}
	sig := k.sign(t, h, strings.Join(lines, "\n"))
	if s.legacy {
		r.Header.Set("Authorization", fmt.Sprintf(`Signature keyId="%s",algorithm="%s",headers="%s" %s`, s.keyID, s.alg, strings.Join(s.headers, " "), sig))
	} else {
		r.Header.Set("Authorization", fmt.Sprintf(`Signature keyId="%s",algorithm="%s",headers="%s",signature="%s"`, s.keyID, s.alg, strings.Join(s.headers, " "), sig))
	}
	return r
}

func dated(d time.Time) map[string]string {
	return map[string]string{"date": d.Format(time.RFC1123)}
}

// lookupOnly finds only k, by fingerprint or by the name "test", under
// alice (and her sub-user bob).
func lookupOnly(k PublicKey) func(login, user, keyID string) (PublicKey, bool) {
	return func(login, user, keyID string) (PublicKey, bool) {
		if login == "alice" && (user == "" || user == "bob") && (keyID == k.Fingerprint || keyID == "test") {
			return k, true
		}
		return PublicKey{}, false
	}
}

// TestVerifyAlgorithms signs with every key type and every algorithm
// CloudAPI takes, verifying in strict mode.
func TestVerifyAlgorithms(t *testing.T) {
	keys := testKeys(t)
	tests := []struct{ key, alg string }{
		{"rsa", "rsa-sha1"}, {"rsa", "rsa-sha256"}, {"rsa", "rsa-sha512"}, {"rsa", "RSA-SHA256"},
		{"dsa", "dsa-sha1"}, {"dsa", "dsa-sha256"},
		{"p256", "ecdsa-sha256"}, {"p256", "ecdsa-sha512"},
		{"p384", "ecdsa-sha256"}, {"p384", "ecdsa-sha512"},
		{"p521", "ecdsa-sha512"}, {"p521", "ecdsa-sha256"},
	}
	forms := []struct {
		name    string
		headers []string
		values  map[string]string
	}{
		{"triton-go", []string{"date"}, dated(wall)},
		{"triton CLI", []string{"(request-target)", "date"}, dated(wall)},
		{"x-date and host", []string{"x-date", "host", "(request-target)"}, map[string]string{"x-date": wall.Format(time.RFC1123), "host": "cloudapi.test"}},
		{"request-line", []string{"date", "request-line"}, dated(wall)},
	}
	for _, tt := range tests {
		for _, f := range forms {
			t.Run(tt.key+"/"+tt.alg+"/"+f.name, func(t *testing.T) {
				k := keys[tt.key]
				s := signed{method: "POST", target: "/alice/machines/m1?action=stop", keyID: "/alice/keys/" + k.pub.Fingerprint,
					alg: tt.alg, headers: f.headers, values: f.values}
				got, err := verifySignedRequest(s.request(t, k), authOptions{Now: wall.Add(10 * time.Second), Strict: true, Lookup: lookupOnly(k.pub)})
				if err != nil {
					t.Fatal(err)
				}
				want := authCaller{Login: "alice", KeyID: k.pub.Fingerprint, Key: k.pub, Verified: true}
				if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(authCaller{}, "Signed"), cmp.Comparer(samePublicKey)); diff != "" {
					t.Errorf("(-want +got)\n%s", diff)
				}
				if got.Signed.Algorithm != strings.ToLower(tt.alg) || !cmp.Equal(got.Signed.Headers, f.headers) || got.Signed.Legacy {
					t.Errorf("Signed = %+v", got.Signed)
				}
			})
		}
	}
}

func samePublicKey(a, b PublicKey) bool { return a.Key == b.Key && a.Fingerprint == b.Fingerprint }

// TestVerifyLegacy covers the http-signature 0.9 form CloudAPI still
// takes: keyId and algorithm, a space, the signature; values alone signed.
func TestVerifyLegacy(t *testing.T) {
	keys := testKeys(t)
	tests := []struct {
		key, alg string
		headers  []string
	}{
		{"rsa", "rsa-sha1", nil},
		{"rsa", "rsa-sha256", nil},
		{"rsa", "rsa-sha512", []string{"date", "request-line"}},
		{"dsa", "dsa-sha1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.alg+strings.Join(tt.headers, "+"), func(t *testing.T) {
			k := keys[tt.key]
			s := signed{method: "GET", target: "/alice/machines", keyID: "/alice/keys/test", alg: tt.alg,
				headers: tt.headers, values: dated(wall), legacy: true}
			r := s.request(t, k)
			if tt.headers == nil {
				// The signing string is the date alone.
				sig := k.sign(t, testHashes[strings.TrimPrefix(tt.alg, tt.key+"-")], wall.Format(time.RFC1123))
				r.Header.Set("Authorization", fmt.Sprintf(`Signature keyId="/alice/keys/test",algorithm="%s" %s`, tt.alg, sig))
			}
			got, err := verifySignedRequest(r, authOptions{Now: wall, Strict: true, Lookup: lookupOnly(k.pub)})
			if err != nil {
				t.Fatal(err)
			}
			if !got.Verified || !got.Signed.Legacy || got.Login != "alice" || got.KeyID != "test" {
				t.Errorf("got %+v", got)
			}
			// The same signature in the current form signs other text.
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), `" `, `",signature="`, 1)+`"`)
			if _, err := verifySignedRequest(r, authOptions{Now: wall, Strict: true, Lookup: lookupOnly(k.pub)}); err == nil || err.Status != http.StatusUnauthorized {
				t.Errorf("a legacy signature in the current form: %v, want 401", err)
			}
		})
	}
}

// TestVerifyVectors verifies requests the real clients signed (see
// signatureVector): strict mode accepts each, a changed date refuses it,
// and a changed path refuses it only where the client signed the path
// (the CLI's (request-target); triton-go signs the date alone).
func TestVerifyVectors(t *testing.T) {
	for _, v := range allVectors(t) {
		if v.Error != "" {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			key, err := ParsePublicKey(v.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			date, ok := parseJSDate(v.Date)
			if !ok {
				t.Fatalf("date %q does not parse", v.Date)
			}
			build := func(target, dateValue string) *http.Request {
				r := httptest.NewRequest(v.Method, target, nil)
				r.Host = v.Host
				r.Header.Set("Date", dateValue)
				r.Header.Set("Authorization", v.Authorization)
				return r
			}
			o := authOptions{Now: date.Add(90 * time.Second), Strict: true, Lookup: lookupOnly(key)}
			got, aerr := verifySignedRequest(build(v.RequestURI, v.Date), o)
			if key.Type == "ed25519" {
				// CloudAPI's http-signature 1.1.0 knows no ed25519 keys.
				want := &authError{http.StatusBadRequest, "InvalidHeader", "Authorization header invalid: ed25519-sha512 is not supported"}
				if diff := cmp.Diff(want, aerr); diff != "" {
					t.Errorf("(-want +got)\n%s", diff)
				}
				return
			}
			if aerr != nil {
				t.Fatal(aerr)
			}
			if !got.Verified || got.Login != "alice" || got.KeyID != key.Fingerprint {
				t.Errorf("got %+v", got)
			}
			later := date.Add(time.Second).Format(time.RFC1123)
			if _, aerr := verifySignedRequest(build(v.RequestURI, later), o); aerr == nil || aerr.Message != authMsgInvalidCreds {
				t.Errorf("another date: %v, want %q", aerr, authMsgInvalidCreds)
			}
			_, aerr = verifySignedRequest(build(v.RequestURI+"&x=1", v.Date), o)
			signsPath := strings.Contains(v.Authorization, "(request-target)")
			if signsPath != (aerr != nil) {
				t.Errorf("another path: %v (the client signs it: %v)", aerr, signsPath)
			}
			if _, aerr := verifySignedRequest(build(v.RequestURI, v.Date), authOptions{Now: date.Add(301 * time.Second), Strict: true, Lookup: lookupOnly(key)}); aerr == nil || aerr.Status != http.StatusBadRequest {
				t.Errorf("301 s later: %v, want 400", aerr)
			}
		})
	}
}

// TestVerifyRefusals pins CloudAPI's answer to each kind of bad request.
func TestVerifyRefusals(t *testing.T) {
	keys := testKeys(t)
	rsaKey, other := keys["rsa"], keys["p256"]
	otherPriv := mustRSA(t)
	otherRSA := newTestKey(t, otherPriv, &otherPriv.PublicKey)
	fp := rsaKey.pub.Fingerprint
	good := signed{method: "GET", target: "/alice/machines", keyID: "/alice/keys/" + fp, alg: "rsa-sha256",
		headers: []string{"(request-target)", "date"}, values: dated(wall)}
	with := func(change func(*signed)) signed {
		s := good
		s.values = map[string]string{}
		for k, v := range good.values {
			s.values[k] = v
		}
		change(&s)
		return s
	}
	goodAuthz := good.request(t, rsaKey).Header.Get("Authorization")
	header := func(authz string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", authz) }
	}
	invalidHeader := func(msg string) *authError {
		return &authError{http.StatusBadRequest, "InvalidHeader", msg}
	}
	creds := &authError{http.StatusUnauthorized, "InvalidCredentials", "Invalid authorization credentials supplied"}
	tests := []struct {
		name   string
		req    signed
		key    testKey
		tamper func(*http.Request)
		opts   authOptions
		want   *authError
	}{
		{name: "no authorization", tamper: func(r *http.Request) { r.Header.Del("Authorization") },
			want: &authError{http.StatusUnauthorized, "InvalidCredentials", "You must make authenticated requests to use CloudAPI"}},
		{name: "basic auth", tamper: header("Basic YWxpY2U6c2VjcmV0"),
			want: &authError{http.StatusUnauthorized, "InvalidCredentials", "You must make authenticated requests to use CloudAPI"}},
		{name: "bearer token", tamper: header("Bearer abc"),
			want: &authError{http.StatusUnauthorized, "InvalidCredentials", "You must make authenticated requests to use CloudAPI"}},
		{name: "empty basic auth", tamper: header("Basic !!"), want: invalidHeader("Authorization header invalid")},
		{name: "no space", tamper: header("Signature"), want: invalidHeader("BasicAuth content is invalid.")},
		{name: "lowercase scheme", tamper: header("signature" + strings.TrimPrefix(goodAuthz, "Signature")),
			want: invalidHeader(`Authorization header invalid: scheme was not "Signature"`)},
		{name: "space between params", tamper: header(strings.Replace(goodAuthz, `",algorithm`, `", algorithm`, 1)),
			want: invalidHeader("Authorization header invalid: bad param format")},
		{name: "unquoted value", tamper: header(`Signature keyId=/alice/keys/x`), want: invalidHeader("Authorization header invalid: bad param format")},
		{name: "no keyId", tamper: header(`Signature algorithm="rsa-sha256",signature="AAAA"`),
			want: invalidHeader("Authorization header invalid: keyId was not specified")},
		{name: "no algorithm", tamper: header(`Signature keyId="/alice/keys/x",signature="AAAA"`),
			want: invalidHeader("Authorization header invalid: algorithm was not specified")},
		{name: "no signature", tamper: header(`Signature keyId="/alice/keys/x",algorithm="rsa-sha256"`),
			want: invalidHeader("Authorization header invalid: signature was not specified")},
		{name: "legacy form without a signature", tamper: header(`Signature keyId="/alice/keys/x",algorithm="rsa-sha256" `),
			want: invalidHeader("Authorization header invalid: bad param format")},
		{name: "sha384", req: with(func(s *signed) { s.alg = "rsa-sha384" }),
			want: invalidHeader("Authorization header invalid: rsa-sha384 is not supported")},
		{name: "ed25519", req: with(func(s *signed) { s.alg = "ed25519-sha512" }),
			want: invalidHeader("Authorization header invalid: ed25519-sha512 is not supported")},
		{name: "no hash", req: with(func(s *signed) { s.alg = "rsa" }),
			want: invalidHeader("Authorization header invalid: rsa is not supported")},
		{name: "hmac", req: with(func(s *signed) { s.alg = "hmac-sha256" }),
			want: invalidHeader("Authorization header invalid: hmac-sha256 is not a supported algorithm")},
		{name: "ecdsa-sha1", req: with(func(s *signed) { s.alg = "ecdsa-sha1" }), key: other,
			want: invalidHeader("Authorization header invalid: ecdsa-sha1 is not a supported algorithm")},
		{name: "signed date missing", req: with(func(s *signed) { delete(s.values, "date") }),
			want: invalidHeader("Authorization header invalid: date was not in the request")},
		{name: "date not signed", req: with(func(s *signed) { s.headers = []string{"(request-target)"} }),
			want: invalidHeader("Authorization header invalid: date was not a signed header")},
		{name: "x-date present but date signed", req: with(func(s *signed) { s.values["x-date"] = s.values["date"] }),
			want: invalidHeader("Authorization header invalid: x-date was not a signed header")},
		{name: "date too old", req: with(func(s *signed) { s.values = dated(wall.Add(-301 * time.Second)) }),
			want: invalidHeader("Authorization header invalid: clock skew of 301s was greater than 300s")},
		{name: "date in the future", req: with(func(s *signed) { s.values = dated(wall.Add(400 * time.Second)) }),
			opts: authOptions{Now: wall.Add(250 * time.Millisecond)},
			want: invalidHeader("Authorization header invalid: clock skew of 399.75s was greater than 300s")},
		{name: "unsigned stale Date beside a signed x-date",
			req: with(func(s *signed) {
				s.headers = []string{"x-date"}
				s.values = map[string]string{"x-date": wall.Format(time.RFC1123), "date": wall.Add(-time.Hour).Format(time.RFC1123)}
			}),
			want: &authError{http.StatusBadRequest, "RequestExpired", "Date header " + wall.Add(-time.Hour).Format(time.RFC1123) + " is too old"}},
		{name: "keyId without keys", req: with(func(s *signed) { s.keyID = "/alice/foo/" + fp }),
			want: &authError{http.StatusUnauthorized, "InvalidCredentials", "Invalid KeyId /alice/foo/" + fp + " in authorization header"}},
		{name: "keyId too short", req: with(func(s *signed) { s.keyID = fp }),
			want: &authError{http.StatusUnauthorized, "InvalidCredentials", "Invalid KeyId " + fp + " in authorization header"}},
		{name: "sub-user before 7.2.0", req: with(func(s *signed) { s.keyID = "/alice/users/bob/keys/" + fp }),
			opts: authOptions{NoSubUsers: true},
			want: &authError{http.StatusUnauthorized, "InvalidCredentials", "Invalid KeyId /alice/users/bob/keys/" + fp + " in authorization header"}},
		{name: "empty login", req: with(func(s *signed) { s.keyID = "//keys/" + fp }), want: creds},
		{name: "unknown key", req: with(func(s *signed) { s.keyID = "/alice/keys/00:11" }), want: creds},
		{name: "unknown account", req: with(func(s *signed) { s.keyID = "/mallory/keys/" + fp }), want: creds},
		{name: "ECDSA signature, RSA key", key: keys["p384"], req: with(func(s *signed) { s.alg = "ecdsa-sha256" }), want: creds},
		{name: "other RSA key", key: otherRSA, want: creds},
		{name: "algorithm for another key type", key: keys["dsa"], req: with(func(s *signed) { s.alg = "dsa-sha1" }), want: creds},
		{name: "tampered path", tamper: func(r *http.Request) { r.RequestURI = "/alice/machines?name=x" }, want: creds},
		{name: "tampered method", tamper: func(r *http.Request) { r.Method = http.MethodDelete }, want: creds},
		{name: "tampered date", tamper: func(r *http.Request) { r.Header.Set("Date", wall.Add(time.Second).Format(time.RFC1123)) }, want: creds},
		{name: "signature not base64", tamper: header(goodAuthz[:strings.Index(goodAuthz, `signature="`)] + `signature="!!!"`), want: creds},
		{name: "no lookup", opts: authOptions{Strict: true}, want: creds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.req
			if s.method == "" {
				s = good
			}
			k := tt.key
			if k.priv == nil {
				k = rsaKey
			}
			r := s.request(t, k)
			if tt.tamper != nil {
				tt.tamper(r)
			}
			o := tt.opts
			if o.Now.IsZero() {
				o.Now = wall
			}
			if o.Lookup == nil && tt.name != "no lookup" {
				o.Strict, o.Lookup = true, lookupOnly(rsaKey.pub)
			}
			got, err := verifySignedRequest(r, o)
			if diff := cmp.Diff(tt.want, err); diff != "" {
				t.Errorf("(-want +got)\n%s\ngot caller %+v", diff, got)
			}
		})
	}
}

func mustRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestVerifyPermissive: without strict mode any well-formed signature
// passes, from any key, and reports who it claims to be.
func TestVerifyPermissive(t *testing.T) {
	k := testKeys(t)["p256"]
	base := signed{method: "GET", target: "/bob/machines", keyID: "/bob/keys/aa:bb", alg: "ecdsa-sha256",
		headers: []string{"(request-target)", "date"}, values: dated(wall)}
	r := base.request(t, k)
	got, err := verifySignedRequest(r, authOptions{Now: wall, Lookup: lookupOnly(k.pub)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Login != "bob" || got.KeyID != "aa:bb" || got.Verified {
		t.Errorf("got %+v", got)
	}
	r.RequestURI = "/bob/machines/other" // no longer matches the signature
	if _, err := verifySignedRequest(r, authOptions{Now: wall}); err != nil {
		t.Errorf("permissive mode checked the signature: %v", err)
	}
	sub := base
	sub.keyID = "/acme/users/bob/keys/laptop"
	got, err = verifySignedRequest(sub.request(t, k), authOptions{Now: wall})
	if err != nil || got.Login != "acme" || got.User != "bob" || got.KeyID != "laptop" {
		t.Errorf("sub-user: %+v, %v", got, err)
	}
	// Still parsed and dated as CloudAPI does.
	stale := base
	stale.values = dated(wall.Add(-time.Hour))
	if _, err := verifySignedRequest(stale.request(t, k), authOptions{Now: wall}); err == nil || err.Code != "InvalidHeader" {
		t.Errorf("stale date: %v, want InvalidHeader", err)
	}
}

// TestParseAuthorizationPing: what runs before every route, /--ping
// included, lets unsigned requests through and refuses malformed ones.
func TestParseAuthorizationPing(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		want   *authError
		signed bool
	}{
		{name: "nothing"},
		{name: "basic", header: map[string]string{"Authorization": "Basic YWxpY2U6"}},
		{name: "fresh date", header: dated(wall.Add(-299 * time.Second))},
		{name: "future date", header: dated(wall.Add(time.Hour))},
		{name: "unparseable date", header: map[string]string{"date": "yesterday"}},
		{name: "stale date", header: dated(wall.Add(-301 * time.Second)),
			want: &authError{http.StatusBadRequest, "RequestExpired", "Date header " + wall.Add(-301*time.Second).Format(time.RFC1123) + " is too old"}},
		{name: "bad signature header", header: map[string]string{"Authorization": "Signature x"},
			want: &authError{http.StatusBadRequest, "InvalidHeader", "Authorization header invalid: keyId was not specified"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/--ping", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			sig, err := parseAuthorization(r, authOptions{Now: wall})
			if diff := cmp.Diff(tt.want, err); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if sig != nil {
				t.Errorf("signature %+v", sig)
			}
		})
	}
}

func TestHeaderValuesAsNodeShowsThem(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	r.Header.Add("User-Agent", "first")
	r.Header.Add("User-Agent", "second")
	r.Header.Add("Cookie", "a=1")
	r.Header.Add("Cookie", "b=2")
	r.Host = "h.test"
	got := map[string]string{}
	for _, h := range []string{"x-multi", "user-agent", "cookie", "host", "absent"} {
		v, ok := nodeHeader(r, h)
		got[h] = fmt.Sprintf("%s %v", v, ok)
	}
	want := map[string]string{"x-multi": "a, b true", "user-agent": "first true", "cookie": "a=1; b=2 true", "host": "h.test true", "absent": " false"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestJSDates(t *testing.T) {
	want := time.Date(2020, 4, 16, 15, 44, 20, 0, time.UTC)
	for _, s := range []string{
		"Thu, 16 Apr 2020 15:44:20 GMT", "Thu, 16 Apr 2020 15:44:20 UTC", "Thu, 16 Apr 2020 17:44:20 +0200",
		"Thursday, 16-Apr-20 15:44:20 GMT", "Thu Apr 16 15:44:20 2020", "2020-04-16T15:44:20Z", "2020-04-16T15:44:20.000Z",
	} {
		got, ok := parseJSDate(s)
		if !ok || !got.Equal(want) {
			t.Errorf("parseJSDate(%q) = %v, %v", s, got, ok)
		}
	}
	if _, ok := parseJSDate("not a date"); ok {
		t.Error("parsed nonsense")
	}
}

func TestLenientBase64(t *testing.T) {
	for in, want := range map[string]string{"aGk=": "hi", "aGk": "hi", "a G\nk": "hi", "aGk=junk": "hi", "-_8": "\xfb\xff", "": "", "!": ""} {
		if got := string(lenientBase64(in)); got != want {
			t.Errorf("lenientBase64(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAuthForbidden(t *testing.T) {
	want := &authError{http.StatusForbidden, "NotAuthorized", "You do not have permission to access bob"}
	if diff := cmp.Diff(want, authForbidden("bob")); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got := want.Error(); got != "403 NotAuthorized: You do not have permission to access bob" {
		t.Errorf("Error() = %q", got)
	}
}
