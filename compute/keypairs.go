// os-keypairs: list (per user; limit/marker from 2.35; ?user_id from
// 2.10), create or import (type from 2.2, user_id from 2.10, import only
// from 2.92), show and delete, with the key-pair quota.
//
// Fidelity limits: generated SSH keys are Ed25519 (Nova makes RSA) with the
// private key in OpenSSH's format; a generated x509 keypair's private_key is
// the base64 of a PKCS#8 key, not Nova's PKCS#12 bundle. Imported SSH keys
// are checked structurally (type, blob, fields), not as points on a curve.

package compute

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
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// Route names of os-keypairs.
const (
	OpListKeypairs  = "compute.keypairs.list"
	OpCreateKeypair = "compute.keypairs.create"
	OpGetKeypair    = "compute.keypairs.get"
	OpDeleteKeypair = "compute.keypairs.delete"
)

func (c *Compute) keypairRoutes() []apiRoute {
	return []apiRoute{
		{OpListKeypairs, []string{"GET"}, "/os-keypairs", c.listKeypairs},
		{OpCreateKeypair, []string{"POST"}, "/os-keypairs", c.createKeypair},
		{OpGetKeypair, []string{"GET"}, "/os-keypairs/{keypair_name}", c.getKeypair},
		{OpDeleteKeypair, []string{"DELETE"}, "/os-keypairs/{keypair_name}", c.deleteKeypair},
	}
}

// Keypair types.
const (
	KeypairSSH  = "ssh"
	KeypairX509 = "x509"
)

// AddKeypair seeds a keypair, bypassing HTTP, faults and quota. UserID and
// Name are required; Type defaults to ssh. With no PublicKey a key is
// generated and the returned copy carries its PrivateKey (which, as in
// Nova, is not stored). The fingerprint is always computed from the key.
func (c *Compute) AddKeypair(k Keypair) (Keypair, error) {
	if k.UserID == "" || k.Name == "" {
		return Keypair{}, fmt.Errorf("compute: a keypair needs a UserID and a Name")
	}
	if k.Type == "" {
		k.Type = KeypairSSH
	}
	if k.Type != KeypairSSH && k.Type != KeypairX509 {
		return Keypair{}, fmt.Errorf("compute: keypair type %q is neither ssh nor x509", k.Type)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.keypairs[k.UserID][k.Name]; dup {
		return Keypair{}, fmt.Errorf("compute: Key pair '%s' already exists.", k.Name)
	}
	if k.PublicKey == "" {
		priv, pub, fp, err := generateKeypair(k.Type, k.UserID, c.now())
		if err != nil {
			return Keypair{}, fmt.Errorf("compute: generating a keypair: %w", err)
		}
		k.PrivateKey, k.PublicKey, k.Fingerprint = priv, pub, fp
	} else {
		fp, ferr := keypairFingerprint(k.Type, k.PublicKey)
		if ferr != nil {
			return Keypair{}, fmt.Errorf("compute: %s", ferr.Message)
		}
		k.Fingerprint = fp
	}
	if k.Created.IsZero() {
		k.Created = c.now()
	}
	if k.ID == 0 {
		k.ID = c.nextKeypairIDLocked()
	}
	stored := k
	stored.PrivateKey = ""
	c.storeKeypairLocked(&stored)
	return k, nil
}

// Keypairs returns a user's keypairs, by name.
func (c *Compute) Keypairs(userID string) []Keypair {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Keypair, 0, len(c.keypairs[userID]))
	for _, k := range c.keypairs[userID] {
		out = append(out, *k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (c *Compute) storeKeypairLocked(k *Keypair) {
	if c.keypairs[k.UserID] == nil {
		c.keypairs[k.UserID] = map[string]*Keypair{}
	}
	c.keypairs[k.UserID][k.Name] = k
}

// nextKeypairIDLocked is the next of Nova's autoincrement keypair IDs.
func (c *Compute) nextKeypairIDLocked() int {
	max := 0
	for _, byName := range c.keypairs {
		for _, k := range byName {
			if k.ID > max {
				max = k.ID
			}
		}
	}
	return max + 1
}

// Public keys.

// sshKeyTypes are the OpenSSH public key types Nova's key loader accepts.
var sshKeyTypes = map[string]bool{
	"ssh-rsa": true, "ssh-dss": true, "ssh-ed25519": true,
	"ecdsa-sha2-nistp256": true, "ecdsa-sha2-nistp384": true, "ecdsa-sha2-nistp521": true,
	"sk-ecdsa-sha2-nistp256@openssh.com": true, "sk-ssh-ed25519@openssh.com": true,
}

// sshReader reads the SSH wire encoding of a public key blob.
type sshReader struct{ b []byte }

func (r *sshReader) string() ([]byte, bool) {
	if len(r.b) < 4 {
		return nil, false
	}
	n := binary.BigEndian.Uint32(r.b)
	if uint64(len(r.b)-4) < uint64(n) {
		return nil, false
	}
	s := r.b[4 : 4+n]
	r.b = r.b[4+n:]
	return s, true
}

func (r *sshReader) strings(n int) bool {
	for i := 0; i < n; i++ {
		if _, ok := r.string(); !ok {
			return false
		}
	}
	return true
}

// parseAuthorizedKey checks an OpenSSH authorized_keys line ("type
// base64-blob [comment]") the way a key loader does: a known type, a blob
// that decodes, whose first field names the same type and whose remaining
// fields are those of that type. It returns the blob.
func parseAuthorizedKey(line string) ([]byte, bool) {
	fields := strings.Fields(line)
	if len(fields) < 2 || !sshKeyTypes[fields[0]] {
		return nil, false
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return nil, false
	}
	r := &sshReader{b: blob}
	typ, ok := r.string()
	if !ok || string(typ) != fields[0] {
		return nil, false
	}
	switch fields[0] {
	case "ssh-rsa":
		ok = r.strings(2) // e, n
	case "ssh-dss":
		ok = r.strings(4) // p, q, g, y
	case "ssh-ed25519", "sk-ssh-ed25519@openssh.com":
		var key []byte
		key, ok = r.string()
		ok = ok && len(key) == ed25519.PublicKeySize
		if ok && fields[0] != "ssh-ed25519" {
			ok = r.strings(1) // application
		}
	default: // ECDSA: curve name, then an uncompressed point
		var curve, point []byte
		curve, ok = r.string()
		if ok {
			point, ok = r.string()
		}
		want := strings.TrimPrefix(strings.TrimPrefix(fields[0], "sk-"), "ecdsa-sha2-")
		want = strings.TrimSuffix(want, "@openssh.com")
		size := map[string]int{"nistp256": 65, "nistp384": 97, "nistp521": 133}[want]
		ok = ok && string(curve) == want && size > 0 && len(point) == size && point[0] == 4
		if ok && strings.HasPrefix(fields[0], "sk-") {
			ok = r.strings(1)
		}
	}
	return blob, ok && len(r.b) == 0
}

// colonHex is a digest as Nova prints fingerprints ("aa:bb:...").
func colonHex(sum []byte) string {
	h := hex.EncodeToString(sum)
	parts := make([]string, 0, len(sum))
	for i := 0; i+1 < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

// keypairFingerprint is Nova's: the MD5 of an SSH key's blob, the SHA-1 of
// an x509 certificate's DER. An unreadable key is a 400.
func keypairFingerprint(typ, public string) (string, *fake.Error) {
	if typ == KeypairX509 {
		block, _ := pem.Decode([]byte(public))
		if block == nil {
			return "", badRequest("Keypair data is invalid: failed to generate X509 fingerprint. Error message: Unable to load PEM file.")
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return "", badRequest("Keypair data is invalid: failed to generate X509 fingerprint. Error message: %v", err)
		}
		sum := sha1.Sum(cert.Raw)
		return colonHex(sum[:]), nil
	}
	blob, ok := parseAuthorizedKey(public)
	if !ok {
		return "", badRequest("Keypair data is invalid: failed to generate fingerprint")
	}
	sum := md5.Sum(blob)
	return colonHex(sum[:]), nil
}

// generateKeypair makes a new key: for ssh an Ed25519 key (Nova makes RSA
// ones; clients treat both alike) with the private half in OpenSSH's
// format, for x509 a self-signed client certificate for the user.
func generateKeypair(typ, userID string, now time.Time) (private, public, fingerprint string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", "", err
	}
	if typ == KeypairX509 {
		serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
		if err != nil {
			return "", "", "", err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial,
			Subject:      pkix.Name{CommonName: userID},
			NotBefore:    now.Add(-time.Minute),
			NotAfter:     now.AddDate(10, 0, 0),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
		if err != nil {
			return "", "", "", err
		}
		pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return "", "", "", err
		}
		sum := sha1.Sum(der)
		cert := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		return base64.StdEncoding.EncodeToString(pkcs8), cert, colonHex(sum[:]), nil
	}
	blob := sshWire([]byte("ssh-ed25519"), pub)
	public = "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " Generated-by-Nova"
	sum := md5.Sum(blob)
	private, err = openSSHPrivateKey(pub, priv, "Generated-by-Nova")
	return private, public, colonHex(sum[:]), err
}

// sshWire encodes strings in the SSH wire format.
func sshWire(fields ...[]byte) []byte {
	var b bytes.Buffer
	for _, f := range fields {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		b.Write(n[:])
		b.Write(f)
	}
	return b.Bytes()
}

// openSSHPrivateKey writes an unencrypted "openssh-key-v1" private key.
func openSSHPrivateKey(pub ed25519.PublicKey, priv ed25519.PrivateKey, comment string) (string, error) {
	var check [4]byte
	if _, err := rand.Read(check[:]); err != nil {
		return "", errors.New("no randomness for the check bytes")
	}
	var section bytes.Buffer
	section.Write(check[:])
	section.Write(check[:])
	section.Write(sshWire([]byte("ssh-ed25519"), pub, priv, []byte(comment)))
	for i := byte(1); section.Len()%8 != 0; i++ {
		section.WriteByte(i)
	}
	var b bytes.Buffer
	b.WriteString("openssh-key-v1\x00")
	b.Write(sshWire([]byte("none"), []byte("none"), nil))
	b.Write([]byte{0, 0, 0, 1})
	b.Write(sshWire(sshWire([]byte("ssh-ed25519"), pub), section.Bytes()))
	return string(pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: b.Bytes()})), nil
}

// HTTP.

var (
	keypairNamePattern    = regexp.MustCompile(`^[_\- a-zA-Z0-9]+$`)
	keypairNamePattern292 = regexp.MustCompile(`^[_\-\@\. a-zA-Z0-9]+$`)
)

// keypairUser is the user a keypair request acts for: the caller, or from
// 2.10 the user_id given (which the policy lets only admins name).
func keypairUser(r *http.Request, requested *string, action string) (string, *fake.Error) {
	who := callerOf(r)
	user := who.userID
	if versionOf(r).AtLeast(10) && requested != nil && *requested != "" {
		user = *requested
	}
	if user != who.userID && !adminAllowed(r) {
		return "", policyDenied("os_compute_api:os-keypairs:" + action)
	}
	return user, nil
}

// queryUser is the ?user_id of a keypair request (from 2.10).
func queryUser(r *http.Request) *string {
	if vs, ok := r.URL.Query()["user_id"]; ok && len(vs) > 0 {
		return &vs[0]
	}
	return nil
}

func keypairBrief(r *http.Request, k *Keypair) map[string]any {
	out := map[string]any{"name": k.Name, "public_key": k.PublicKey, "fingerprint": k.Fingerprint}
	if versionOf(r).AtLeast(2) {
		out["type"] = k.Type
	}
	return out
}

func (c *Compute) listKeypairs(w http.ResponseWriter, r *http.Request) {
	v := versionOf(r)
	if err := rejectUnknownQuery(r, 75, "user_id", "limit", "marker"); err != nil {
		writeErr(w, r, err)
		return
	}
	user, err := keypairUser(r, queryUser(r), "index")
	if err != nil {
		writeErr(w, r, err)
		return
	}
	limit, marker, hasMarker := maxLimit+1, "", false
	if v.AtLeast(35) {
		n, given, qerr := queryInt(r, "limit", 0)
		if qerr != nil {
			writeErr(w, r, qerr)
			return
		}
		limit = pageSize(n, given)
		marker, hasMarker = r.URL.Query().Get("marker"), r.URL.Query().Has("marker")
	}
	c.mu.Lock()
	all := make([]*Keypair, 0, len(c.keypairs[user]))
	for _, k := range c.keypairs[user] {
		all = append(all, k)
	}
	sort.Slice(all, func(i, j int) bool {
		if v.AtLeast(35) {
			return all[i].Name < all[j].Name
		}
		return all[i].ID < all[j].ID
	})
	start := 0
	if hasMarker {
		start = -1
		for i, k := range all {
			if k.Name == marker {
				start = i + 1
			}
		}
		if start < 0 {
			err = badRequest("Marker %s could not be found.", marker)
		}
	}
	out := []map[string]any{}
	last := ""
	if err == nil {
		for _, k := range all[start:] {
			if len(out) >= limit {
				break
			}
			out = append(out, map[string]any{"keypair": keypairBrief(r, k)})
			last = k.Name
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	body := map[string]any{"keypairs": out}
	if v.AtLeast(35) {
		if l := nextLinks(r, "os-keypairs", len(out), last); l != nil {
			body["keypairs_links"] = l
		}
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

// keypairCreate is the validated body of POST /os-keypairs.
type keypairCreate struct {
	name, typ, publicKey string
	hasPublicKey         bool
	userID               *string
}

func parseKeypairCreate(r *http.Request) (keypairCreate, *fake.Error) {
	v := versionOf(r)
	allowed := map[string]bool{"name": true, "public_key": true}
	if v.AtLeast(2) {
		allowed["type"] = true
	}
	if v.AtLeast(10) {
		allowed["user_id"] = true
	}
	in := keypairCreate{typ: KeypairSSH}
	m, err := membersOf(r, "keypair", allowed)
	if err != nil {
		return in, err
	}
	required := []string{"name"}
	if v.AtLeast(92) {
		required = append(required, "public_key")
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			return in, badRequest("Invalid input for field/attribute keypair. Value: %s. '%s' is a required property", compactMembers(m), k)
		}
	}
	str := func(field string) (string, *fake.Error) {
		var s string
		if json.Unmarshal(m[field], &s) != nil {
			return "", badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string'", field, pyValue(m[field]), pyRepr(m[field]))
		}
		return s, nil
	}
	if in.name, err = str("name"); err != nil {
		return in, err
	}
	if err := validNovaName("name", in.name); err != nil {
		return in, err
	}
	pattern, shown := keypairNamePattern, `^[_\\- a-zA-Z0-9]+$`
	if v.AtLeast(92) {
		pattern, shown = keypairNamePattern292, `^[_\\-\\@\\. a-zA-Z0-9]+$`
	}
	if !pattern.MatchString(in.name) {
		return in, badRequest("Invalid input for field/attribute name. Value: %s. '%s' does not match '%s'", in.name, in.name, shown)
	}
	in.name = strings.TrimSpace(in.name)
	if _, ok := m["type"]; ok {
		if in.typ, err = str("type"); err != nil {
			return in, err
		}
		if in.typ != KeypairSSH && in.typ != KeypairX509 {
			return in, badRequest("Invalid input for field/attribute type. Value: %s. '%s' is not one of ['ssh', 'x509']", in.typ, in.typ)
		}
	}
	if _, ok := m["public_key"]; ok {
		if in.publicKey, err = str("public_key"); err != nil {
			return in, err
		}
		in.hasPublicKey = true
	}
	if _, ok := m["user_id"]; ok {
		u, err := str("user_id")
		if err != nil {
			return in, err
		}
		in.userID = &u
	}
	return in, nil
}

func (c *Compute) createKeypair(w http.ResponseWriter, r *http.Request) {
	v := versionOf(r)
	in, err := parseKeypairCreate(r)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	user, err := keypairUser(r, in.userID, "create")
	if err != nil {
		writeErr(w, r, err)
		return
	}
	who := callerOf(r)
	c.mu.Lock()
	k := &Keypair{Name: in.name, UserID: user, Type: in.typ, PublicKey: in.publicKey, Created: c.now()}
	if limit := c.quotaLocked(who.projectID).KeyPairs; limit >= 0 && len(c.keypairs[user])+1 > limit {
		err = forbidden("Quota exceeded, too many key pairs.")
	}
	if err == nil {
		if in.hasPublicKey {
			k.Fingerprint, err = keypairFingerprint(in.typ, in.publicKey)
		} else {
			var gerr error
			k.PrivateKey, k.PublicKey, k.Fingerprint, gerr = generateKeypair(in.typ, user, c.now())
			if gerr != nil {
				err = fake.Errorf(http.StatusInternalServerError, "Unexpected API Error: %v", gerr)
			}
		}
	}
	if _, dup := c.keypairs[user][k.Name]; err == nil && dup {
		err = conflict("Key pair '%s' already exists.", k.Name)
	}
	var body map[string]any
	if err == nil {
		k.ID = c.nextKeypairIDLocked()
		kp := keypairBrief(r, k)
		kp["user_id"] = k.UserID
		if k.PrivateKey != "" {
			kp["private_key"] = k.PrivateKey
		}
		body = map[string]any{"keypair": kp}
		stored := *k
		stored.PrivateKey = ""
		c.storeKeypairLocked(&stored)
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	status := http.StatusCreated
	if !v.AtLeast(2) {
		status = http.StatusOK
	}
	fake.WriteJSON(w, status, body)
}

// keypairLocked finds the named keypair of the user a request acts for.
func (c *Compute) keypairLocked(r *http.Request, action string) (*Keypair, *fake.Error) {
	if err := rejectUnknownQuery(r, 75, "user_id"); err != nil {
		return nil, err
	}
	user, err := keypairUser(r, queryUser(r), action)
	if err != nil {
		return nil, err
	}
	name := mux.Vars(r)["keypair_name"]
	k, ok := c.keypairs[user][name]
	if !ok {
		return nil, notFound("Keypair %s not found for user %s", name, user)
	}
	return k, nil
}

func (c *Compute) getKeypair(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	k, err := c.keypairLocked(r, "show")
	var body map[string]any
	if err == nil {
		kp := keypairBrief(r, k)
		kp["user_id"] = k.UserID
		kp["id"] = k.ID
		kp["created_at"] = k.Created.UTC().Format(novaUsecTime)
		kp["updated_at"] = nil
		kp["deleted_at"] = nil
		kp["deleted"] = false
		body = map[string]any{"keypair": kp}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

func (c *Compute) deleteKeypair(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	k, err := c.keypairLocked(r, "delete")
	if err == nil {
		delete(c.keypairs[k.UserID], k.Name)
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if versionOf(r).AtLeast(2) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
