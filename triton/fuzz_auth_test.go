package triton

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzParsePublicKey: any line is parsed or refused, never a panic, and a
// parsed key reads back the same from what CloudAPI stores.
func FuzzParsePublicKey(f *testing.F) {
	for _, v := range allVectors(f) {
		if v.PublicKey != "" {
			f.Add(v.PublicKey)
		}
	}
	f.Add("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 me")
	f.Add("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABB")
	f.Add("")
	f.Fuzz(func(t *testing.T, line string) {
		k, err := ParsePublicKey(line)
		if err != nil {
			return
		}
		if k.Bits <= 0 || len(k.Fingerprint) != 47 || k.pub == nil || k.Type == "" {
			t.Fatalf("ParsePublicKey(%q) = %+v", line, k)
		}
		again, err := ParsePublicKey(k.Key)
		if err != nil || again.Fingerprint != k.Fingerprint || again.Comment != k.Comment {
			t.Fatalf("the stored form %q reads back as %+v, %v", k.Key, again, err)
		}
	})
}

// FuzzSignatureHeader: any Authorization header (and date) gets one of
// CloudAPI's answers, never a panic; a parsed current-form header holds no
// quote in its values, and an accepted one names a login and a key.
func FuzzSignatureHeader(f *testing.F) {
	for _, v := range allVectors(f) {
		if v.Authorization != "" {
			f.Add(v.Authorization, v.Date)
		}
	}
	f.Add(`Signature keyId="/a/keys/b",algorithm="rsa-sha1" c2ln`, "Thu, 16 Apr 2020 15:44:20 GMT")
	f.Add(`Signature keyId="/a/users/u/keys/b",algorithm="ecdsa-sha256",headers="x-date (request-target) request-line host",signature="c2ln"`, "")
	f.Add(`Basic YTpi`, "yesterday")
	f.Add(`Signature ,,=""`, "")
	f.Fuzz(func(t *testing.T, authz, date string) {
		p, msg := parseSignatureHeader(authz)
		if msg == "" {
			for name, v := range p.params {
				if strings.Contains(v, `"`) || strings.ContainsAny(name, `=", `) {
					t.Fatalf("param %q=%q from %q", name, v, authz)
				}
			}
		}
		parseLegacyHeader(authz)
		r := httptest.NewRequest("GET", "/a/machines", nil)
		r.Header["Authorization"] = []string{authz}
		r.Header["Date"] = []string{date}
		now, _ := parseJSDate("Thu, 16 Apr 2020 15:44:20 GMT")
		for _, strict := range []bool{false, true} {
			c, err := verifySignedRequest(r, authOptions{Now: now.Add(time.Second), Strict: strict,
				Lookup: func(login, user, keyID string) (PublicKey, bool) { return PublicKey{}, false }})
			switch {
			case err == nil && (c.Login == "" || c.KeyID == "" || strict):
				t.Fatalf("accepted %q as %+v (strict %v)", authz, c, strict)
			case err != nil && err.Status != http.StatusBadRequest && err.Status != http.StatusUnauthorized:
				t.Fatalf("%q: %v", authz, err)
			}
		}
	})
}
