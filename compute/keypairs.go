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
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-keypairs.
const (
	OpListKeypairs  = "compute.keypairs.list"
	OpCreateKeypair = "compute.keypairs.create"
	OpGetKeypair    = "compute.keypairs.get"
	OpDeleteKeypair = "compute.keypairs.delete"
)

func (c *Compute) keypairRoutes() []kit.Route {
	return []kit.Route{
		route(OpListKeypairs, "GET", "/os-keypairs", c.listKeypairs),
		route(OpCreateKeypair, "POST", "/os-keypairs", c.createKeypair),
		route(OpGetKeypair, "GET", "/os-keypairs/{keypair_name}", c.getKeypair),
		route(OpDeleteKeypair, "DELETE", "/os-keypairs/{keypair_name}", c.deleteKeypair),
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
		return Keypair{}, fmt.Errorf("compute: key pair %q of user %q already exists", k.Name, k.UserID)
	}
	if k.PublicKey == "" {
		priv, pub, fp, err := generateKeypair(c.RNG(), k.Type, k.UserID, c.Now())
		if err != nil {
			return Keypair{}, fmt.Errorf("compute: generating a keypair: %w", err)
		}
		k.PrivateKey, k.PublicKey, k.Fingerprint = priv, pub, fp
	} else {
		fp, err := keypairFingerprint(k.Type, k.PublicKey)
		if err != nil {
			return Keypair{}, fmt.Errorf("compute: %s", kit.MessageOf(err))
		}
		k.Fingerprint = fp
	}
	if k.Created.IsZero() {
		k.Created = c.Now()
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
func keypairFingerprint(typ, public string) (string, error) {
	if typ == KeypairX509 {
		block, _ := pem.Decode([]byte(public))
		if block == nil {
			return "", kit.BadRequest("Keypair data is invalid: failed to generate X509 fingerprint. Error message: Unable to load PEM file.")
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return "", kit.BadRequest("Keypair data is invalid: failed to generate X509 fingerprint. Error message: %v", err)
		}
		sum := sha1.Sum(cert.Raw)
		return colonHex(sum[:]), nil
	}
	blob, ok := parseAuthorizedKey(public)
	if !ok {
		return "", kit.BadRequest("Keypair data is invalid: failed to generate fingerprint")
	}
	sum := md5.Sum(blob)
	return colonHex(sum[:]), nil
}

// generateKeypair makes a new key: for ssh a 2048-bit RSA key as Nova
// makes one (generateRSAKeypair), for x509 a self-signed client
// certificate for the user over an Ed25519 key (Nova's is RSA).
// Everything random comes from rng (the service's seeded stream), so the
// same seed gives the same keys.
func generateKeypair(rng io.Reader, typ, userID string, now time.Time) (private, public, fingerprint string, err error) {
	if typ != KeypairX509 {
		return generateRSAKeypair(rng)
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rng, seed); err != nil {
		return "", "", "", err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	var b [8]byte
	if _, err := io.ReadFull(rng, b[:]); err != nil {
		return "", "", "", err
	}
	// A positive 63-bit serial, as RFC 5280 wants.
	serial := new(big.Int).SetUint64(binary.BigEndian.Uint64(b[:])>>1 | 1)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: userID},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rng, tmpl, tmpl, pub, priv)
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

// HTTP.

var (
	keypairNamePattern    = regexp.MustCompile(`^[_\- a-zA-Z0-9]+$`)
	keypairNamePattern292 = regexp.MustCompile(`^[_\-\@\. a-zA-Z0-9]+$`)
)

// keypairUser is the user a keypair request acts for: the caller, or from
// 2.10 the user_id given (which the policy lets only admins name).
func keypairUser(call *kit.Call, requested *string, action string) (string, error) {
	who := callerOf(call)
	user := who.userID
	if versionOf(call).AtLeast(10) && requested != nil && *requested != "" {
		user = *requested
	}
	if user != who.userID && !adminAllowed(call) {
		return "", policyDenied("os_compute_api:os-keypairs:" + action)
	}
	return user, nil
}

// queryUser is the ?user_id of a keypair request (from 2.10).
func queryUser(call *kit.Call) *string {
	if vs, ok := call.Query()["user_id"]; ok && len(vs) > 0 {
		return &vs[0]
	}
	return nil
}

// keypairJSON is a keypair as os-keypairs shows it: the list's form, and
// what create (user_id, private_key) and show (user_id, id and the
// timestamps) add.
type keypairJSON struct {
	Name        string  `json:"name"`
	PublicKey   string  `json:"public_key"`
	Fingerprint string  `json:"fingerprint"`
	Type        string  `json:"type,omitempty"` // 2.2
	UserID      *string `json:"user_id,omitempty"`
	PrivateKey  string  `json:"private_key,omitempty"` // a generated key's, once
	*keypairShowJSON
}

type keypairShowJSON struct {
	ID        int     `json:"id"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
	DeletedAt *string `json:"deleted_at"`
	Deleted   bool    `json:"deleted"`
}

type keypairBody struct {
	Keypair keypairJSON `json:"keypair"`
}

type keypairList struct {
	Keypairs []keypairBody `json:"keypairs"`
	Links    []link        `json:"keypairs_links,omitempty"`
}

func keypairBrief(call *kit.Call, k *Keypair) keypairJSON {
	out := keypairJSON{Name: k.Name, PublicKey: k.PublicKey, Fingerprint: k.Fingerprint}
	if versionOf(call).AtLeast(2) {
		out.Type = k.Type
	}
	return out
}

// keypairQuery is a parsed GET /os-keypairs query.
type keypairQuery struct {
	user      string
	limit     int
	marker    string
	hasMarker bool
	byName    bool // 2.35 pages in name order; before, all in ID order
}

func parseKeypairQuery(call *kit.Call) (keypairQuery, error) {
	q := keypairQuery{limit: maxLimit + 1}
	if err := rejectUnknownQuery(call, 75, "user_id", "limit", "marker"); err != nil {
		return q, err
	}
	var err error
	if q.user, err = keypairUser(call, queryUser(call), "index"); err != nil {
		return q, err
	}
	if !versionOf(call).AtLeast(35) {
		return q, nil
	}
	n, given, err := queryInt(call, "limit", 0)
	if err != nil {
		return q, err
	}
	q.byName, q.limit = true, pageSize(n, given)
	q.marker, q.hasMarker = call.Query().Get("marker"), call.Query().Has("marker")
	return q, nil
}

func (c *Compute) listKeypairs(call *kit.Call) (kit.Reply, error) {
	q, err := parseKeypairQuery(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	page, err := c.keypairPageLocked(q)
	if err != nil {
		return kit.Reply{}, err
	}
	body := keypairList{Keypairs: make([]keypairBody, 0, len(page))}
	for _, k := range page {
		body.Keypairs = append(body.Keypairs, keypairBody{keypairBrief(call, k)})
	}
	if q.byName && len(page) > 0 {
		body.Links = nextLinks(call, "os-keypairs", len(page), page[len(page)-1].Name)
	}
	return kit.OK(body), nil
}

// keypairPageLocked is one page of a user's keypairs.
func (c *Compute) keypairPageLocked(q keypairQuery) ([]*Keypair, error) {
	all := make([]*Keypair, 0, len(c.keypairs[q.user]))
	for _, k := range c.keypairs[q.user] {
		all = append(all, k)
	}
	sort.Slice(all, func(i, j int) bool {
		if q.byName {
			return all[i].Name < all[j].Name
		}
		return all[i].ID < all[j].ID
	})
	start := 0
	if q.hasMarker {
		var ok bool
		if start, ok = afterMarker(all, func(k *Keypair) string { return k.Name }, q.marker); !ok {
			return nil, kit.BadRequest("Marker %s could not be found.", q.marker)
		}
	}
	page := all[start:]
	if len(page) > q.limit {
		page = page[:q.limit]
	}
	return page, nil
}

// keypairCreate is the validated body of POST /os-keypairs.
type keypairCreate struct {
	name, typ, publicKey string
	hasPublicKey         bool
	userID               *string
}

func parseKeypairCreate(call *kit.Call) (keypairCreate, error) {
	v := versionOf(call)
	allowed := map[string]bool{"name": true, "public_key": true}
	if v.AtLeast(2) {
		allowed["type"] = true
	}
	if v.AtLeast(10) {
		allowed["user_id"] = true
	}
	in := keypairCreate{typ: KeypairSSH}
	m, err := membersOf(call, "keypair", allowed)
	if err != nil {
		return in, err
	}
	required := []string{"name"}
	if v.AtLeast(92) {
		required = append(required, "public_key")
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			return in, kit.BadRequest("Invalid input for field/attribute keypair. Value: %s. '%s' is a required property", compactMembers(m), k)
		}
	}
	str := func(field string) (string, error) {
		var s string
		if json.Unmarshal(m[field], &s) != nil {
			return "", kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string'", field, pyValue(m[field]), pyRepr(m[field]))
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
		return in, kit.BadRequest("Invalid input for field/attribute name. Value: %s. '%s' does not match '%s'", in.name, in.name, shown)
	}
	in.name = strings.TrimSpace(in.name)
	if _, ok := m["type"]; ok {
		if in.typ, err = str("type"); err != nil {
			return in, err
		}
		if in.typ != KeypairSSH && in.typ != KeypairX509 {
			return in, kit.BadRequest("Invalid input for field/attribute type. Value: %s. '%s' is not one of ['ssh', 'x509']", in.typ, in.typ)
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

func (c *Compute) createKeypair(call *kit.Call) (kit.Reply, error) {
	in, err := parseKeypairCreate(call)
	if err != nil {
		return kit.Reply{}, err
	}
	user, err := keypairUser(call, in.userID, "create")
	if err != nil {
		return kit.Reply{}, err
	}
	k, err := c.createKeypairLocked(callerOf(call), user, in)
	if err != nil {
		return kit.Reply{}, err
	}
	kp := keypairBrief(call, &k)
	kp.UserID, kp.PrivateKey = ptr(k.UserID), k.PrivateKey
	status := http.StatusCreated
	if !versionOf(call).AtLeast(2) {
		status = http.StatusOK
	}
	return kit.JSON(status, keypairBody{kp}), nil
}

// createKeypairLocked checks the quota, imports or generates the key and
// stores it (without its private key, which the returned copy has).
func (c *Compute) createKeypairLocked(who caller, user string, in keypairCreate) (Keypair, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := Keypair{Name: in.name, UserID: user, Type: in.typ, PublicKey: in.publicKey, Created: c.Now()}
	if limit := c.quotaLocked(who.projectID).KeyPairs; limit >= 0 && len(c.keypairs[user])+1 > limit {
		return k, kit.Forbidden("Quota exceeded, too many key pairs.")
	}
	if in.hasPublicKey {
		fp, err := keypairFingerprint(in.typ, in.publicKey)
		if err != nil {
			return k, err
		}
		k.Fingerprint = fp
	} else {
		var err error
		if k.PrivateKey, k.PublicKey, k.Fingerprint, err = generateKeypair(c.RNG(), in.typ, user, c.Now()); err != nil {
			return k, kit.Errorf(http.StatusInternalServerError, "Unexpected API Error: %v", err)
		}
	}
	if _, dup := c.keypairs[user][k.Name]; dup {
		return k, kit.Conflict("Key pair '%s' already exists.", k.Name)
	}
	k.ID = c.nextKeypairIDLocked()
	stored := k
	stored.PrivateKey = ""
	c.storeKeypairLocked(&stored)
	return k, nil
}

// keypairLocked finds the named keypair of the user a request acts for.
func (c *Compute) keypairLocked(call *kit.Call, action string) (*Keypair, error) {
	if err := rejectUnknownQuery(call, 75, "user_id"); err != nil {
		return nil, err
	}
	user, err := keypairUser(call, queryUser(call), action)
	if err != nil {
		return nil, err
	}
	name := call.Var("keypair_name")
	k, ok := c.keypairs[user][name]
	if !ok {
		return nil, kit.NotFound("Keypair %s not found for user %s", name, user)
	}
	return k, nil
}

func (c *Compute) getKeypair(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, err := c.keypairLocked(call, "show")
	if err != nil {
		return kit.Reply{}, err
	}
	kp := keypairBrief(call, k)
	kp.UserID = ptr(k.UserID)
	kp.keypairShowJSON = &keypairShowJSON{ID: k.ID, CreatedAt: k.Created.UTC().Format(novaUsecTime)}
	return kit.OK(keypairBody{kp}), nil
}

func (c *Compute) deleteKeypair(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, err := c.keypairLocked(call, "delete")
	if err != nil {
		return kit.Reply{}, err
	}
	delete(c.keypairs[k.UserID], k.Name)
	if versionOf(call).AtLeast(2) {
		return kit.Status(http.StatusNoContent), nil
	}
	return kit.Status(http.StatusAccepted), nil
}
