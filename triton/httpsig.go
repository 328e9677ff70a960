package triton

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CloudAPI authenticates every request but /--ping with an HTTP Signature
// (draft-cavage-http-signatures) made with one of the account's SSH keys:
//
//	Authorization: Signature keyId="/<login>/keys/<key name or MD5 fingerprint>",
//	  algorithm="rsa-sha256",headers="(request-target) date",signature="<base64>"
//
// This file follows CloudAPI's chain (sdc-cloudapi lib/authorization.js,
// lib/auth.js, restify 4's dateParser) and the http-signature 1.1.0 parser
// it pins, with the 0.9 parser it falls back to for the legacy form
// (keyId="…",algorithm="…" <signature>): which header forms parse, which
// algorithms pass, what is signed, and the code, status and message of each
// refusal. Verification itself uses the standard library.
//
// What the real clients send: triton-go signs `date` alone (rsa-sha1 from
// a key file; rsa-sha1, ecdsa-sha256 or ecdsa-sha512 through an SSH agent,
// which it refuses for P-384 keys), with the date in RFC 1123 form with
// "UTC"; the triton CLI signs "(request-target) date" with rsa-sha256,
// dsa-sha1/256, ecdsa-sha256/512, and ed25519-sha512 for an Ed25519 key,
// which CloudAPI refuses (400). testdata holds requests both signed.
//
// Not modeled: token auth (X-Auth-Token), pre-signed URLs, HMAC (refused
// as CloudAPI refuses it), disabled accounts (the caller's 403); CloudAPI's
// parser fixing its required date header (date or x-date) from the first
// request it sees (here: per request); dates JavaScript parses in forms
// other than jsDateLayouts (here unparseable, so, as for an invalid date in
// CloudAPI, not checked for skew), and zone names other than GMT and UTC
// (taken as UTC); RSA keys under 1024 bits, which Go refuses to verify.

// authError is a CloudAPI error answer: restify's status and code, and the
// message CloudAPI gives ({"code": Code, "message": Message}).
type authError struct {
	Status  int
	Code    string
	Message string
}

func (e *authError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func authInvalidCredentials(msg string) *authError {
	return &authError{Status: http.StatusUnauthorized, Code: "InvalidCredentials", Message: msg}
}

func authInvalidHeader(msg string) *authError {
	return &authError{Status: http.StatusBadRequest, Code: "InvalidHeader", Message: msg}
}

// authForbidden is CloudAPI's 403 for a caller acting on what it may not (an
// account other than its own: "You do not have permission to access
// <login>").
func authForbidden(what string) *authError {
	return &authError{Status: http.StatusForbidden, Code: "NotAuthorized", Message: fmt.Sprintf(authMsgForbidden, what)}
}

// CloudAPI's messages (lib/auth.js, lib/authorization.js, restify's
// dateParser).
const (
	authMsgUnauthenticated = "You must make authenticated requests to use CloudAPI"
	authMsgInvalidCreds    = "Invalid authorization credentials supplied"
	authMsgInvalidKeyID    = "Invalid KeyId %s in authorization header"
	authMsgForbidden       = "You do not have permission to access %s"
	authMsgBasicInvalid    = "BasicAuth content is invalid."
	authMsgAuthzInvalid    = "Authorization header invalid"
	authMsgDateTooOld      = "Date header %s is too old"
)

// signatureClockSkew is http-signature's and restify's default, which CloudAPI
// keeps: a signed date (date or x-date) more than 300 s from the server's
// clock, either way, is refused, and so is a Date header more than 300 s
// in the past on any request.
const signatureClockSkew = 300 * time.Second

// authOptions is how CloudAPI checks a request's signature.
type authOptions struct {
	// Now is the wall clock (clients stamp Date from the host's clock), not
	// the fake's simulated one.
	Now time.Time
	// Strict verifies the signature against the key Lookup finds.
	// Permissive (false) accepts any well-formed signature without looking
	// a key up: the header parses as CloudAPI parses it, its algorithm is
	// one CloudAPI takes, the signed date is within the skew, keyId names
	// a login and a key, and the signature is non-empty base64. The
	// caller then decides what the login may do.
	Strict bool
	// Lookup finds a key of login (or of login's sub-user user, "" for the
	// account itself) by name or MD5 fingerprint, as UFDS's getKey does.
	// Strict mode refuses a signature whose key it does not find.
	Lookup func(login, user, keyID string) (PublicKey, bool)
	// NoSubUsers refuses the sub-user keyId form
	// "/<account>/users/<user>/keys/<key>", as CloudAPI does when the
	// request's Accept-Version range lies wholly below 7.2.0.
	NoSubUsers bool
}

// signedRequest is a parsed Authorization: Signature header and what it
// signs.
type signedRequest struct {
	KeyID         string   // keyId as sent
	Algorithm     string   // lowercase, "rsa-sha256"
	Headers       []string // the signed headers, lowercase, in order
	Signature     string   // as sent (base64)
	SigningString string   // what the signature covers
	Legacy        bool     // the http-signature 0.9 form
}

// authCaller is who a request's signature says sent it.
type authCaller struct {
	Login string // the account
	User  string // its sub-user, "" for the account itself
	KeyID string // the key's name or MD5 fingerprint, from keyId
	// Key is the key the signature was verified with (strict mode only).
	Key      PublicKey
	Verified bool
	Signed   signedRequest
}

// verifySignedRequest authenticates r as CloudAPI does for every route but
// /--ping: parseAuthorization, then authenticate.
func verifySignedRequest(r *http.Request, o authOptions) (authCaller, *authError) {
	sig, err := parseAuthorization(r, o)
	if err != nil {
		return authCaller{}, err
	}
	return authenticate(sig, o)
}

// parseAuthorization is what CloudAPI checks on every request, /--ping
// included, before any route runs: restify's authorization parser as
// CloudAPI replaces it (a Signature header must parse, in the current or
// the legacy form, with its signed date within the skew) and restify's
// dateParser (a Date more than 300 s old is refused). It returns nil
// without a Signature header: no Authorization, Basic, or another scheme.
func parseAuthorization(r *http.Request, o authOptions) (*signedRequest, *authError) {
	var sig *signedRequest
	if authz := r.Header.Get("Authorization"); authz != "" {
		scheme, credentials, ok := strings.Cut(authz, " ")
		if !ok {
			return nil, authInvalidHeader(authMsgBasicInvalid)
		}
		switch strings.ToLower(scheme) {
		case "basic":
			credentials, _, _ = strings.Cut(credentials, " ")
			if len(lenientBase64(credentials)) == 0 {
				return nil, authInvalidHeader(authMsgAuthzInvalid)
			}
		case "signature":
			s, err := parseSignature(r, o)
			if err != nil {
				return nil, err
			}
			sig = &s
		}
	}
	if date, _ := nodeHeader(r, "date"); date != "" {
		if t, ok := parseJSDate(date); ok && o.Now.UnixMilli()-t.UnixMilli() > signatureClockSkew.Milliseconds() {
			return nil, &authError{Status: http.StatusBadRequest, Code: "RequestExpired", Message: fmt.Sprintf(authMsgDateTooOld, date)}
		}
	}
	return sig, nil
}

// authenticate is CloudAPI's signatureAuth and assertAuthenticated: a
// request without a signature is refused, keyId must be
// "/<login>/keys/<key>" (or a sub-user's "/<login>/users/<user>/keys/<key>"),
// and in strict mode the key must exist and the signature verify.
func authenticate(sig *signedRequest, o authOptions) (authCaller, *authError) {
	if sig == nil {
		return authCaller{}, authInvalidCredentials(authMsgUnauthenticated)
	}
	c := authCaller{Signed: *sig}
	parts := strings.Split(sig.KeyID, "/")
	switch {
	case len(parts) == 4 && parts[2] == "keys":
		c.Login, c.KeyID = parts[1], parts[3]
	case !o.NoSubUsers && len(parts) == 6 && parts[4] == "keys":
		c.Login, c.User, c.KeyID = parts[1], parts[3], parts[5]
	default:
		return authCaller{}, authInvalidCredentials(fmt.Sprintf(authMsgInvalidKeyID, sig.KeyID))
	}
	raw := lenientBase64(sig.Signature)
	if c.Login == "" || c.KeyID == "" || len(raw) == 0 {
		return authCaller{}, authInvalidCredentials(authMsgInvalidCreds)
	}
	if !o.Strict {
		return c, nil
	}
	if o.Lookup == nil {
		return authCaller{}, authInvalidCredentials(authMsgInvalidCreds)
	}
	key, found := o.Lookup(c.Login, c.User, c.KeyID)
	if !found {
		return authCaller{}, authInvalidCredentials(authMsgInvalidCreds)
	}
	keyType, hashName, _ := strings.Cut(sig.Algorithm, "-")
	if keyType != key.Type || !key.verify(signatureHashes[hashName], []byte(sig.SigningString), raw) {
		return authCaller{}, authInvalidCredentials(authMsgInvalidCreds)
	}
	c.Key, c.Verified = key, true
	return c, nil
}

// signatureHashes are the hashes http-signature algorithms name.
var signatureHashes = map[string]crypto.Hash{
	"sha1":   crypto.SHA1,
	"sha256": crypto.SHA256,
	"sha512": crypto.SHA512,
}

// cloudAPIAlgorithms is CloudAPI's own list (lib/authorization.js
// OPTIONS.algorithms), checked last by both parsers.
var cloudAPIAlgorithms = map[string]bool{
	"rsa-sha1": true, "rsa-sha256": true, "rsa-sha384": true, "rsa-sha512": true,
	"dsa-sha1": true, "dsa-sha256": true,
	"ecdsa-sha256": true, "ecdsa-sha384": true, "ecdsa-sha512": true,
}

// legacyAlgorithms is the 0.9 parser's list.
var legacyAlgorithms = map[string]bool{
	"rsa-sha1": true, "rsa-sha256": true, "rsa-sha512": true, "dsa-sha1": true,
	"hmac-sha1": true, "hmac-sha256": true, "hmac-sha512": true,
}

// parseSignature is CloudAPI's parseSignature: the current parser, then the
// 0.9 one; when both fail, the current parser's complaint, as a 400
// InvalidHeader "Authorization header invalid: …".
func parseSignature(r *http.Request, o authOptions) (signedRequest, *authError) {
	sig, msg := parseCurrent(r, o)
	if msg == "" {
		return sig, nil
	}
	if legacy, ok := parseLegacy(r, o); ok {
		return legacy, nil
	}
	return signedRequest{}, authInvalidHeader(authMsgAuthzInvalid + ": " + msg)
}

// signatureParams is the parameter list of a current-form header.
type signatureParams struct {
	scheme string
	params map[string]string
}

// parseSignatureHeader reads an Authorization header as http-signature
// 1.1.0 does: the scheme up to the first space, then name="value" pairs
// separated by commas alone, names of ASCII letters only, values up to the
// next double quote (no escapes). It returns the complaint, or "".
func parseSignatureHeader(authz string) (signatureParams, string) {
	const (
		name = iota
		quote
		value
		comma
	)
	p := signatureParams{params: map[string]string{}}
	scheme, rest, _ := strings.Cut(authz, " ")
	p.scheme = scheme
	state, start := name, 0
	var key string
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch state {
		case name:
			switch {
			case (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'):
				key += string(c)
			case c == '=' && key != "":
				state = quote
			default:
				return p, "bad param format"
			}
		case quote:
			if c != '"' {
				return p, "bad param format"
			}
			state, start = value, i+1
		case value:
			if c == '"' {
				p.params[key] = rest[start:i]
				state = comma
			}
		case comma:
			if c != ',' {
				return p, "bad param format"
			}
			key, state = "", name
		}
	}
	return p, ""
}

// validate is http-signature 1.1.0's check of the parsed parameters, before
// it looks at the request. Its hashes are sha1, sha256 and sha512: CloudAPI
// lists rsa-sha384 and ecdsa-sha384 but refuses them here ("rsa-sha384 is
// not supported"), and no client sends them (triton-go's agent signer
// refuses P-384 keys, the CLI's http-signature 1.4.0 refuses SHA384).
func (p signatureParams) validate() string {
	switch {
	case p.scheme != "Signature":
		return `scheme was not "Signature"`
	case p.params["keyId"] == "":
		return "keyId was not specified"
	case p.params["algorithm"] == "":
		return "algorithm was not specified"
	case p.params["signature"] == "":
		return "signature was not specified"
	}
	alg := strings.ToLower(p.params["algorithm"])
	keyType, hash, ok := strings.Cut(alg, "-")
	valid := ok && !strings.Contains(hash, "-") &&
		(keyType == "hmac" || keyType == "rsa" || keyType == "dsa" || keyType == "ecdsa") &&
		(hash == "sha1" || hash == "sha256" || hash == "sha512")
	if !valid {
		return alg + " is not supported"
	}
	return ""
}

// parseCurrent is http-signature 1.1.0's parseRequest with CloudAPI's
// options. It returns the complaint, or "".
func parseCurrent(r *http.Request, o authOptions) (signedRequest, string) {
	p, msg := parseSignatureHeader(r.Header.Get("Authorization"))
	if msg == "" {
		msg = p.validate()
	}
	if msg != "" {
		return signedRequest{}, msg
	}
	sig := signedRequest{
		KeyID:     p.params["keyId"],
		Algorithm: strings.ToLower(p.params["algorithm"]),
		Headers:   signedHeaderNames(r, p.params["headers"]),
		Signature: p.params["signature"],
	}
	lines := make([]string, len(sig.Headers))
	for i, h := range sig.Headers {
		switch h {
		case "request-line":
			lines[i] = signedRequestLine(r)
		case "(request-target)":
			lines[i] = "(request-target): " + strings.ToLower(r.Method) + " " + signedRequestURL(r)
		default:
			v, ok := nodeHeader(r, h)
			if !ok {
				return signedRequest{}, h + " was not in the request"
			}
			lines[i] = h + ": " + v
		}
	}
	sig.SigningString = strings.Join(lines, "\n")
	if msg := checkSignedDate(r, o.Now, sig); msg != "" {
		return signedRequest{}, msg
	}
	return sig, ""
}

// parseLegacy is CloudAPI's copy of http-signature 0.9's parseRequest: the
// parameters, a space, then the signature; header values alone are signed,
// one a line. Its complaints are never shown (CloudAPI reports the current
// parser's), so it only says whether it succeeded.
func parseLegacy(r *http.Request, o authOptions) (signedRequest, bool) {
	p, signature := parseLegacyHeader(r.Header.Get("Authorization"))
	alg := strings.ToLower(p.params["algorithm"])
	if p.scheme != "Signature" || p.params["keyId"] == "" || alg == "" || signature == "" || !legacyAlgorithms[alg] {
		return signedRequest{}, false
	}
	sig := signedRequest{
		KeyID:     p.params["keyId"],
		Algorithm: alg,
		Headers:   signedHeaderNames(r, p.params["headers"]),
		Signature: signature,
		Legacy:    true,
	}
	lines := make([]string, len(sig.Headers))
	for i, h := range sig.Headers {
		if h == "request-line" {
			lines[i] = signedRequestLine(r)
			continue
		}
		v, ok := nodeHeader(r, h)
		if !ok || v == "" {
			return signedRequest{}, false
		}
		lines[i] = v
	}
	sig.SigningString = strings.Join(lines, "\n")
	return sig, checkSignedDate(r, o.Now, sig) == ""
}

// parseLegacyHeader reads the 0.9 form: after the scheme, names are
// anything but '=' and ',' up to a double quote, values anything up to the
// next, and the first space outside a value starts the signature.
func parseLegacyHeader(authz string) (signatureParams, string) {
	p := signatureParams{params: map[string]string{}}
	scheme, rest, _ := strings.Cut(authz, " ")
	p.scheme = scheme
	inValue, key, start := false, "", 0
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case inValue:
			if c == '"' {
				p.params[key] = rest[start:i]
				key, inValue = "", false
			}
		case c == '"':
			p.params[key] = ""
			inValue, start = true, i+1
		case c == ' ':
			return p, rest[i+1:]
		case c != '=' && c != ',':
			key += string(c)
		}
	}
	return p, ""
}

// signedHeaderNames is the headers parameter split on single spaces and
// lowercased; without one, x-date when the request has it, else date.
func signedHeaderNames(r *http.Request, param string) []string {
	if param == "" {
		if x, _ := nodeHeader(r, "x-date"); x != "" {
			return []string{"x-date"}
		}
		return []string{"date"}
	}
	names := strings.Split(param, " ")
	for i, n := range names {
		names[i] = strings.ToLower(n)
	}
	return names
}

// checkSignedDate is the rest of both parsers' checks: the date (x-date
// when present, else date) within the skew of the wall clock either way (a
// date JavaScript cannot parse is not checked, as in CloudAPI), that
// header among the signed ones, and the algorithm on CloudAPI's list.
//
// CloudAPI's parser options object is shared and the parser fills in its
// required header on the first request; this follows the intent (x-date
// when the request has one, else date) on every request.
func checkSignedDate(r *http.Request, now time.Time, sig signedRequest) string {
	required := "date"
	dateValue, _ := nodeHeader(r, "date")
	if x, _ := nodeHeader(r, "x-date"); x != "" {
		required, dateValue = "x-date", x
	}
	if t, ok := parseJSDate(dateValue); ok {
		skew := now.UnixMilli() - t.UnixMilli()
		if skew < 0 {
			skew = -skew
		}
		if skew > signatureClockSkew.Milliseconds() {
			return fmt.Sprintf("clock skew of %ss was greater than %ds",
				strconv.FormatFloat(float64(skew)/1000, 'f', -1, 64), int(signatureClockSkew.Seconds()))
		}
	}
	found := false
	for _, h := range sig.Headers {
		found = found || h == required
	}
	if !found {
		return required + " was not a signed header"
	}
	if !cloudAPIAlgorithms[sig.Algorithm] {
		return sig.Algorithm + " is not a supported algorithm"
	}
	return ""
}

// signedRequestLine is the old drafts' request-line: "GET /path?q HTTP/1.1".
func signedRequestLine(r *http.Request) string {
	return fmt.Sprintf("%s %s HTTP/%d.%d", r.Method, signedRequestURL(r), r.ProtoMajor, r.ProtoMinor)
}

// signedRequestURL is node's request.url: the request target as sent.
func signedRequestURL(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// nodeSingleHeaders are the headers node keeps the first of when repeated;
// others are joined with ", " (cookies with "; ").
var nodeSingleHeaders = map[string]bool{
	"age": true, "authorization": true, "content-length": true, "content-type": true,
	"etag": true, "expires": true, "from": true, "host": true, "if-modified-since": true,
	"if-unmodified-since": true, "last-modified": true, "location": true,
	"max-forwards": true, "proxy-authorization": true, "referer": true,
	"retry-after": true, "server": true, "user-agent": true,
}

// nodeHeader is request.headers[name] as node shows it.
func nodeHeader(r *http.Request, name string) (string, bool) {
	if name == "host" {
		return r.Host, r.Host != ""
	}
	values := r.Header.Values(name)
	switch {
	case len(values) == 0:
		return "", false
	case nodeSingleHeaders[name]:
		return values[0], true
	case name == "cookie":
		return strings.Join(values, "; "), true
	case name == "set-cookie":
		return strings.Join(values, ","), true
	}
	return strings.Join(values, ", "), true
}

// jsDateLayouts are the date forms clients send (RFC 1123 with GMT or, as
// triton-go writes it, UTC; with a numeric zone; RFC 850; asctime; ISO
// 8601), which JavaScript's Date parses.
var jsDateLayouts = []string{
	time.RFC1123, time.RFC1123Z, time.RFC850, time.ANSIC,
	"Mon, 2 Jan 2006 15:04:05 MST", time.RFC3339Nano,
}

// parseJSDate parses a date header as `new Date(value)` would for the
// forms clients send; false stands for JavaScript's invalid date.
func parseJSDate(s string) (time.Time, bool) {
	for _, layout := range jsDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// lenientBase64 decodes as node's Buffer.from(s, "base64"): standard and
// URL alphabets, characters outside them skipped, the first '=' ends it.
func lenientBase64(s string) []byte {
	var b strings.Builder
scan:
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			break scan
		case c == '-':
			b.WriteByte('+')
		case c == '_':
			b.WriteByte('/')
		case (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/':
			b.WriteByte(c)
		}
	}
	t := b.String()
	if len(t)%4 == 1 {
		t = t[:len(t)-1]
	}
	out, err := base64.RawStdEncoding.DecodeString(t)
	if err != nil {
		return nil
	}
	return out
}
