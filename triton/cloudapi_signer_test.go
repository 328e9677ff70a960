package triton_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"math/big"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/triton"
	"github.com/mockcloud/mockcloud/triton/tritontest"
)

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
	return &http.Client{Transport: tritontest.Signer{Base: dc.Client().Transport, Login: login, Fingerprint: key.Fingerprint, Key: k}}
}
