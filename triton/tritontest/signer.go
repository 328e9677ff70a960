// Package tritontest helps tests talk to a fake Triton's CloudAPI with a
// plain net/http client.
package tritontest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// Signer is an http.RoundTripper that signs every request as the triton
// CLI does: an HTTP Signature with rsa-sha256 over the Date header it
// sets (from the wall clock, as CloudAPI checks skew against it), keyId
// "/<Login>/keys/<Fingerprint>". Base carries the signed request
// (http.DefaultTransport when nil; a Cloud's in-memory transport works).
type Signer struct {
	Base        http.RoundTripper
	Login       string
	Fingerprint string // the key's MD5 fingerprint, "aa:bb:…"
	Key         *rsa.PrivateKey
}

// RoundTrip signs a copy of r and sends it.
func (s Signer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	date := time.Now().UTC().Format(http.TimeFormat)
	r.Header.Set("Date", date)
	digest := sha256.Sum256([]byte("date: " + date))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.Key, crypto.SHA256, digest[:])
	if err != nil {
		return nil, err
	}
	r.Header.Set("Authorization", `Signature keyId="/`+s.Login+`/keys/`+s.Fingerprint+`",algorithm="rsa-sha256",headers="date",signature="`+
		base64.StdEncoding.EncodeToString(sig)+`"`)
	base := s.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}
