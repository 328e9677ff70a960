// Generated SSH keys as Nova makes them (paramiko's RSAKey.generate(2048)):
// "ssh-rsa <blob> Generated-by-Nova", the private half a PKCS#1 PEM block.

package compute

import (
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
)

// rsaKeyBits is the size of the RSA keys Nova generates.
const rsaKeyBits = 2048

// generateRSAKeypair makes a 2048-bit RSA key from rng alone (the
// service's seeded stream: crypto/rsa.GenerateKey would not be
// reproducible), and returns it in Nova's forms.
func generateRSAKeypair(rng io.Reader) (private, public, fingerprint string, err error) {
	key, err := deterministicRSAKey(rng, rsaKeyBits)
	if err != nil {
		return "", "", "", err
	}
	blob := sshWire([]byte("ssh-rsa"), sshMPInt(big.NewInt(int64(key.E))), sshMPInt(key.N))
	public = "ssh-rsa " + base64.StdEncoding.EncodeToString(blob) + " Generated-by-Nova"
	sum := md5.Sum(blob)
	private = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	return private, public, colonHex(sum[:]), nil
}

// deterministicRSAKey is an RSA key with e = 65537 whose primes come from
// rng: each the first probable prime at or after a random odd number with
// its top two bits set (so that n has exactly bits bits).
func deterministicRSAKey(rng io.Reader, bits int) (*rsa.PrivateKey, error) {
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p, err := rsaPrime(rng, bits/2, e)
		if err != nil {
			return nil, err
		}
		q, err := rsaPrime(rng, bits/2, e)
		if err != nil {
			return nil, err
		}
		if p.Cmp(q) == 0 {
			continue
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		pm1, qm1 := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
		phi := new(big.Int).Mul(pm1, qm1)
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		key := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())}, D: d, Primes: []*big.Int{p, q}}
		key.Precompute()
		if err := key.Validate(); err != nil {
			return nil, err
		}
		return key, nil
	}
}

// rsaPrime is a probable prime of bits bits with gcd(p-1, e) = 1.
func rsaPrime(rng io.Reader, bits int, e *big.Int) (*big.Int, error) {
	buf := make([]byte, (bits+7)/8)
	if _, err := io.ReadFull(rng, buf); err != nil {
		return nil, errors.New("compute: no randomness for an RSA prime")
	}
	buf[0] |= 0xC0
	buf[len(buf)-1] |= 1
	p := new(big.Int).SetBytes(buf)
	two, one, gcd := big.NewInt(2), big.NewInt(1), new(big.Int)
	for p.BitLen() == bits {
		if p.ProbablyPrime(20) && gcd.GCD(nil, nil, new(big.Int).Sub(p, one), e).Cmp(one) == 0 {
			return p, nil
		}
		p.Add(p, two)
	}
	return rsaPrime(rng, bits, e) // ran past the top: draw again
}

// sshMPInt is an SSH mpint: big-endian, with a zero byte before a set top
// bit.
func sshMPInt(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}
