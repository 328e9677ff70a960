package triton

import (
	"crypto"
	//lint:ignore SA1019 CloudAPI accepts ssh-dss keys and dsa-sha1/dsa-sha256 signatures
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
)

// PublicKey is an SSH public key as CloudAPI stores it for an account: the
// authorized_keys line it was given and what sshpk reads from it.
type PublicKey struct {
	// Type is sshpk's key type, "rsa", "dsa", "ecdsa" or "ed25519": the
	// part of an HTTP Signature algorithm ("rsa-sha256") a key must match.
	Type string
	// Format is the SSH wire name: "ssh-rsa", "ssh-dss",
	// "ecdsa-sha2-nistp256" (384, 521), "ssh-ed25519".
	Format string
	// Bits is sshpk's size: the RSA modulus's or the DSA prime's bit
	// length, the curve's size for ECDSA (256, 384, 521), 256 for Ed25519.
	Bits int
	// Fingerprint is the MD5 fingerprint in CloudAPI's form
	// ("aa:bb:…", 16 lowercase hex pairs), what keys are listed, fetched
	// and signed with (keyId="/login/keys/<fingerprint>").
	Fingerprint string
	// SHA256Fingerprint is OpenSSH's form, "SHA256:" and unpadded base64.
	SHA256Fingerprint string
	// Comment is the text after the key material, "" when there is none.
	Comment string
	// Key is the line as UFDS stores it (CloudAPI's "key"): trimmed, with
	// carriage returns and newlines removed.
	Key string

	pub crypto.PublicKey // *rsa.PublicKey, *dsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// Messages CloudAPI answers CreateKey with (lib/keys.js; InvalidArgument
// and MissingParameter are 409 in restify).
const (
	keyMsgRequired = "key is a required argument"
	keyMsgInvalid  = "key is invalid"
	// keyMsgRejected is CloudAPI's answer to anything UFDS refuses: a key
	// sshpk cannot read, or a name or fingerprint the account already has.
	keyMsgRejected = "key already exists or is invalid"
)

// sshKeyMaxLine bounds what ParsePublicKey reads (CloudAPI's whole body limit
// is 100,000 bytes); sshKeyMaxBits bounds RSA moduli and DSA primes.
const (
	sshKeyMaxLine = 100000
	sshKeyMaxBits = 16384
)

// ParsePublicKey parses an OpenSSH authorized_keys line ("ssh-rsa AAAA…
// comment") as sshpk's "ssh" format does for UFDS: surrounding whitespace,
// carriage returns and backslashes are dropped, the type, the base64 key
// and an optional comment are separated by spaces or tabs, the type in the
// line must be the key's own, and the key must be read to its last byte.
// Supported: ssh-rsa, ssh-dss, ecdsa-sha2-nistp256/384/521, ssh-ed25519.
// Options before the type (from="…"), certificates and sshpk's recovery of
// a comment glued to the base64 are not.
func ParsePublicKey(line string) (PublicKey, error) {
	if len(line) > sshKeyMaxLine {
		return PublicKey{}, errors.New("key is too long")
	}
	trimmed := strings.NewReplacer("\\", "", "\r", "").Replace(strings.TrimSpace(line))
	format, rest, ok := cutKeyField(trimmed)
	if !ok || !isKeyTypeName(format) {
		return PublicKey{}, errors.New("key must match regex")
	}
	material, comment, _ := cutKeyField(rest)
	if material == "" || strings.ContainsAny(comment, "\n") {
		return PublicKey{}, errors.New("key must match regex")
	}
	blob, err := decodeKeyBase64(material)
	if err != nil {
		return PublicKey{}, err
	}
	k, err := parseKeyBlob(blob)
	if err != nil {
		return PublicKey{}, err
	}
	if k.Format != format {
		return PublicKey{}, fmt.Errorf("key type %s does not match its material (%s)", format, k.Format)
	}
	k.Comment = comment
	k.Key = strings.NewReplacer("\r", "", "\n", "").Replace(strings.TrimSpace(line))
	return k, nil
}

// cutKeyField splits s at its first run of spaces and tabs.
func cutKeyField(s string) (before, after string, found bool) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, "", false
	}
	return s[:i], strings.TrimLeft(s[i:], " \t"), true
}

// isKeyTypeName is sshpk's [a-z0-9-]+ for the type field.
func isKeyTypeName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// decodeKeyBase64 reads sshpk's [A-Za-z0-9+/]+=* key material, padded or
// not.
func decodeKeyBase64(s string) ([]byte, error) {
	body := strings.TrimRight(s, "=")
	if body == "" || strings.ContainsFunc(body, func(c rune) bool {
		return (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '+' && c != '/'
	}) {
		return nil, errors.New("key must match regex")
	}
	b, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("invalid key material: %v", err)
	}
	return b, nil
}

// sshWireReader reads RFC 4251 strings and mpints.
type sshWireReader struct{ b []byte }

func (w *sshWireReader) string() ([]byte, error) {
	if len(w.b) < 4 {
		return nil, errors.New("key data is truncated")
	}
	n := binary.BigEndian.Uint32(w.b)
	if uint64(n) > uint64(len(w.b)-4) {
		return nil, errors.New("key data is truncated")
	}
	s := w.b[4 : 4+n]
	w.b = w.b[4+n:]
	return s, nil
}

// mpint reads a non-negative multiple-precision integer of at most
// sshKeyMaxBits bits.
func (w *sshWireReader) mpint() (*big.Int, error) {
	s, err := w.string()
	if err != nil {
		return nil, err
	}
	if len(s) > 0 && s[0]&0x80 != 0 {
		return nil, errors.New("negative integer in key data")
	}
	n := new(big.Int).SetBytes(s)
	if n.BitLen() > sshKeyMaxBits {
		return nil, errors.New("key is too large")
	}
	return n, nil
}

// sshCurves are the ECDSA curves by their SSH names.
var sshCurves = map[string]struct {
	curve elliptic.Curve
	bits  int
}{
	"nistp256": {elliptic.P256(), 256},
	"nistp384": {elliptic.P384(), 384},
	"nistp521": {elliptic.P521(), 521},
}

// parseKeyBlob reads an SSH wire-format public key (RFC 4253 6.6, RFC 5656,
// RFC 8709) and fingerprints it.
func parseKeyBlob(blob []byte) (PublicKey, error) {
	w := &sshWireReader{b: blob}
	name, err := w.string()
	if err != nil {
		return PublicKey{}, err
	}
	k := PublicKey{Format: string(name)}
	switch {
	case k.Format == "ssh-rsa":
		err = k.readRSA(w)
	case k.Format == "ssh-dss":
		err = k.readDSA(w)
	case strings.HasPrefix(k.Format, "ecdsa-sha2-"):
		err = k.readECDSA(w)
	case k.Format == "ssh-ed25519":
		err = k.readEd25519(w)
	default:
		err = fmt.Errorf("unsupported key type %q", k.Format)
	}
	if err != nil {
		return PublicKey{}, err
	}
	if len(w.b) != 0 {
		return PublicKey{}, errors.New("trailing data after the key")
	}
	sum := md5.Sum(blob)
	pairs := make([]string, len(sum))
	for i := range sum {
		pairs[i] = hex.EncodeToString(sum[i : i+1])
	}
	k.Fingerprint = strings.Join(pairs, ":")
	s256 := sha256.Sum256(blob)
	k.SHA256Fingerprint = "SHA256:" + base64.RawStdEncoding.EncodeToString(s256[:])
	return k, nil
}

func (k *PublicKey) readRSA(w *sshWireReader) error {
	e, err := w.mpint()
	if err != nil {
		return err
	}
	n, err := w.mpint()
	if err != nil {
		return err
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return errors.New("invalid RSA public exponent")
	}
	if n.Sign() == 0 || n.Bit(0) == 0 {
		return errors.New("invalid RSA modulus")
	}
	k.Type, k.Bits = "rsa", n.BitLen()
	k.pub = &rsa.PublicKey{N: n, E: int(e.Int64())}
	return nil
}

func (k *PublicKey) readDSA(w *sshWireReader) error {
	var parts [4]*big.Int // p, q, g, y
	for i := range parts {
		v, err := w.mpint()
		if err != nil {
			return err
		}
		if v.Sign() == 0 {
			return errors.New("invalid DSA key")
		}
		parts[i] = v
	}
	p, q, g, y := parts[0], parts[1], parts[2], parts[3]
	if q.BitLen() > 512 || q.Cmp(p) >= 0 || g.Cmp(p) >= 0 || y.Cmp(p) >= 0 {
		return errors.New("invalid DSA key")
	}
	k.Type, k.Bits = "dsa", p.BitLen()
	k.pub = &dsa.PublicKey{Parameters: dsa.Parameters{P: p, Q: q, G: g}, Y: y}
	return nil
}

func (k *PublicKey) readECDSA(w *sshWireReader) error {
	curveName, err := w.string()
	if err != nil {
		return err
	}
	c, ok := sshCurves[string(curveName)]
	if !ok || k.Format != "ecdsa-sha2-"+string(curveName) {
		return fmt.Errorf("unsupported ECDSA curve %q", curveName)
	}
	point, err := w.string()
	if err != nil {
		return err
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(c.curve, point)
	if err != nil {
		return fmt.Errorf("invalid ECDSA point: %v", err)
	}
	k.Type, k.Bits = "ecdsa", c.bits
	k.pub = pub
	return nil
}

func (k *PublicKey) readEd25519(w *sshWireReader) error {
	key, err := w.string()
	if err != nil {
		return err
	}
	if len(key) != ed25519.PublicKeySize {
		return errors.New("invalid Ed25519 key length")
	}
	k.Type, k.Bits = "ed25519", 256
	k.pub = ed25519.PublicKey(append([]byte(nil), key...))
	return nil
}

// DefaultName is the name UFDS gives a key created without one: its
// comment, else its fingerprint.
func (k PublicKey) DefaultName() string {
	if k.Comment != "" {
		return k.Comment
	}
	return k.Fingerprint
}

// verify reports whether sig is k's signature of message hashed with h, in
// the encodings node's crypto (OpenSSL) verifies for HTTP Signatures:
// PKCS #1 v1.5 for RSA, a DER SEQUENCE of r and s for DSA and ECDSA (the
// digest truncated to the group order as OpenSSL does). Ed25519 is never
// verified here: CloudAPI's http-signature refuses ed25519 algorithms
// before any key is looked at.
func (k PublicKey) verify(h crypto.Hash, message, sig []byte) bool {
	if !h.Available() {
		return false
	}
	d := h.New()
	d.Write(message)
	digest := d.Sum(nil)
	switch pub := k.pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(pub, digest, sig)
	case *dsa.PublicKey:
		return verifyDSA(pub, digest, sig)
	}
	return false
}

// verifyDSA checks a DER DSA signature, truncating the digest to the byte
// length of q as OpenSSL does.
func verifyDSA(pub *dsa.PublicKey, digest, sig []byte) bool {
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(sig, &rs)
	if err != nil || len(rest) != 0 {
		return false
	}
	if n := pub.Q.BitLen() / 8; len(digest) > n {
		digest = digest[:n]
	}
	return dsa.Verify(pub, digest, rs.R, rs.S)
}

// checkNewKey is the key CloudAPI's CreateKey stores for line, or its
// refusal (an *authError, rendered like every CloudAPI error):
// MissingParameter when it is empty, InvalidArgument "key is invalid" when
// it has no space (CloudAPI's own first check), and InvalidArgument "key
// already exists or is invalid" when UFDS's sshpk cannot read it.
func checkNewKey(line string) (PublicKey, *authError) {
	if line == "" {
		return PublicKey{}, &authError{Status: http.StatusConflict, Code: "MissingParameter", Message: keyMsgRequired}
	}
	if !strings.Contains(line, " ") {
		return PublicKey{}, &authError{Status: http.StatusConflict, Code: "InvalidArgument", Message: keyMsgInvalid}
	}
	k, err := ParsePublicKey(line)
	if err != nil {
		return PublicKey{}, &authError{Status: http.StatusConflict, Code: "InvalidArgument", Message: keyMsgRejected}
	}
	return k, nil
}
