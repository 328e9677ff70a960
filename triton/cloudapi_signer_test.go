package triton_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/triton"
)

// tritonSigner signs every request as the triton CLI does: rsa-sha256 over
// the date header, keyId "/<login>/keys/<MD5 fingerprint>".
type tritonSigner struct {
	base  http.RoundTripper
	login string
	fp    string
	key   *rsa.PrivateKey
}

func (s tritonSigner) RoundTrip(r *http.Request) (*http.Response, error) {
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

// sshRSALine is k's public half as an authorized_keys line.
func sshRSALine(k *rsa.PublicKey, comment string) string {
	field := func(b []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(b)))
		return append(out, b...)
	}
	mpint := func(n *big.Int) []byte {
		b := n.Bytes()
		if len(b) > 0 && b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return field(b)
	}
	blob := append(field([]byte("ssh-rsa")), mpint(big.NewInt(int64(k.E)))...)
	blob = append(blob, mpint(k.N)...)
	return "ssh-rsa " + base64.StdEncoding.EncodeToString(blob) + " " + comment
}

// signedClient is login's CloudAPI client over dc's in-memory transport,
// with a fresh key that is also added to the account.
func signedClient(tb testing.TB, dc *triton.Triton, login string) *http.Client {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := dc.AddKey(login, "", sshRSALine(&k.PublicKey, login+"@test"))
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Transport: tritonSigner{base: dc.Client().Transport, login: login, fp: key.Fingerprint, key: k}}
}
