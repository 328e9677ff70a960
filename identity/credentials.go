package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of credentials: Keystone's /v3/credentials and the EC2
// credentials under a user.
const (
	OpV3ListEC2    = "identity.v3.ec2.list"
	OpV3CreateEC2  = "identity.v3.ec2.create"
	OpV3GetEC2     = "identity.v3.ec2.get"
	OpV3DeleteEC2  = "identity.v3.ec2.delete"
	OpV3ListCreds  = "identity.v3.credentials.list"
	OpV3CreateCred = "identity.v3.credentials.create"
	OpV3GetCred    = "identity.v3.credentials.get"
	OpV3UpdateCred = "identity.v3.credentials.update"
	OpV3DeleteCred = "identity.v3.credentials.delete"
)

func (s *Identity) credentialRoutes() []kit.Route {
	const ec2 = "/v3/users/{user_id}/credentials/OS-EC2"
	return []kit.Route{
		{Op: OpV3ListEC2, Method: "GET", Path: ec2, Handler: s.v3ListEC2},
		{Op: OpV3CreateEC2, Method: "POST", Path: ec2, Handler: s.v3CreateEC2},
		{Op: OpV3GetEC2, Method: "GET", Path: ec2 + "/{access}", Handler: s.v3GetEC2},
		{Op: OpV3DeleteEC2, Method: "DELETE", Path: ec2 + "/{access}", Handler: s.v3DeleteEC2},
		{Op: OpV3ListCreds, Method: "GET", Path: "/v3/credentials", Handler: s.v3ListCreds},
		{Op: OpV3CreateCred, Method: "POST", Path: "/v3/credentials", Handler: s.v3CreateCred},
		{Op: OpV3GetCred, Method: "GET", Path: "/v3/credentials/{credential_id}", Handler: s.v3GetCred},
		{Op: OpV3UpdateCred, Method: "PATCH", Path: "/v3/credentials/{credential_id}", Handler: s.v3UpdateCred},
		{Op: OpV3DeleteCred, Method: "DELETE", Path: "/v3/credentials/{credential_id}", Handler: s.v3DeleteCred},
	}
}

// Credential is a Keystone credential: an EC2 key pair (Type "ec2", Blob a
// JSON object with access and secret) or any other blob.
type Credential struct {
	ID        string
	UserID    string
	ProjectID string
	Type      string
	Blob      string
}

// Credentials returns every credential, by ID.
func (s *Identity) Credentials() []Credential {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Credential, 0, len(s.creds))
	for _, c := range s.creds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ec2Blob is an EC2 credential's blob.
type ec2Blob struct {
	Access  string  `json:"access"`
	Secret  string  `json:"secret"`
	TrustID *string `json:"trust_id"`
}

// hashAccess is Keystone's credential ID for an EC2 access key.
func hashAccess(access string) string {
	sum := sha256.Sum256([]byte(access))
	return hex.EncodeToString(sum[:])
}

type ec2JSON struct {
	UserID   string       `json:"user_id"`
	TenantID string       `json:"tenant_id"`
	Access   string       `json:"access"`
	Secret   string       `json:"secret"`
	TrustID  *string      `json:"trust_id"`
	Links    selfLinkJSON `json:"links"`
}

type ec2Response struct {
	Credential ec2JSON `json:"credential"`
}

type ec2ListResponse struct {
	Credentials []ec2JSON     `json:"credentials"`
	Links       listLinksJSON `json:"links"`
}

func ec2Body(c *kit.Call, cr Credential) ec2JSON {
	var b ec2Blob
	_ = json.Unmarshal([]byte(cr.Blob), &b)
	return ec2JSON{
		UserID: cr.UserID, TenantID: cr.ProjectID, Access: b.Access, Secret: b.Secret, TrustID: b.TrustID,
		Links: selfLinkJSON{Self: c.BaseURL() + "/v3/users/" + cr.UserID + "/credentials/OS-EC2/" + b.Access},
	}
}

// ec2User checks the user in the URL exists.
func (s *Identity) ec2User(c *kit.Call) error {
	if _, ok := s.User(c.Var("user_id")); !ok {
		return kit.NotFound("Could not find user: %s.", c.Var("user_id"))
	}
	return nil
}

func (s *Identity) v3ListEC2(c *kit.Call) (kit.Reply, error) {
	if c.Principal.UserID != c.Var("user_id") && !s.adminOrSystemReader(c) {
		return kit.Reply{}, forbidden("identity:ec2_list_credentials")
	}
	if err := s.ec2User(c); err != nil {
		return kit.Reply{}, err
	}
	out := ec2ListResponse{Credentials: []ec2JSON{}, Links: selfLinks(c)}
	for _, cr := range s.Credentials() {
		if cr.Type == "ec2" && cr.UserID == c.Var("user_id") {
			out.Credentials = append(out.Credentials, ec2Body(c, cr))
		}
	}
	return kit.OK(out), nil
}

// mayWriteEC2 is Keystone's admin_or_member_and_cred_owner.
func mayWriteEC2(c *kit.Call) bool {
	return isAdmin(c) || (c.Principal.HasRole("member") && c.Principal.UserID == c.Var("user_id"))
}

func (s *Identity) v3CreateEC2(c *kit.Call) (kit.Reply, error) {
	if !mayWriteEC2(c) {
		return kit.Reply{}, forbidden("identity:ec2_create_credential")
	}
	if err := s.checkUnrestricted(s.callerToken(c)); err != nil {
		return kit.Reply{}, err
	}
	var req struct {
		TenantID string `json:"tenant_id"`
	}
	if err := c.DecodeJSON(&req, kit.DecodeOptions{}); err != nil {
		return kit.Reply{}, err
	}
	if err := s.ec2User(c); err != nil {
		return kit.Reply{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.projects[req.TenantID]; !ok {
		return kit.Reply{}, kit.NotFound("Could not find project: %s.", req.TenantID)
	}
	b := ec2Blob{Access: s.RNG().Hex(32), Secret: s.RNG().Hex(32)}
	blob, _ := json.Marshal(b)
	cr := Credential{ID: hashAccess(b.Access), UserID: c.Var("user_id"), ProjectID: req.TenantID, Type: "ec2", Blob: string(blob)}
	s.creds[cr.ID] = cr
	return kit.JSON(http.StatusCreated, ec2Response{Credential: ec2Body(c, cr)}), nil
}

// ec2InURL is the EC2 credential the URL names by access key: 404 for one
// Keystone does not have (its credential ID is the key's hash), 401 for a
// credential that is not an EC2 one or is another user's.
func (s *Identity) ec2InURL(c *kit.Call) (Credential, error) {
	if err := s.ec2User(c); err != nil {
		return Credential{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := hashAccess(c.Var("access"))
	cr, ok := s.creds[id]
	if !ok {
		return Credential{}, kit.NotFound("Could not find credential: %s.", id)
	}
	if cr.Type != "ec2" || cr.UserID != c.Var("user_id") {
		return Credential{}, kit.Errorf(http.StatusUnauthorized, "EC2 access key not found.")
	}
	return cr, nil
}

func (s *Identity) v3GetEC2(c *kit.Call) (kit.Reply, error) {
	if c.Principal.UserID != c.Var("user_id") && !s.adminOrSystemReader(c) {
		return kit.Reply{}, forbidden("identity:ec2_get_credential")
	}
	cr, err := s.ec2InURL(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(ec2Response{Credential: ec2Body(c, cr)}), nil
}

func (s *Identity) v3DeleteEC2(c *kit.Call) (kit.Reply, error) {
	if !mayWriteEC2(c) {
		return kit.Reply{}, forbidden("identity:ec2_delete_credential")
	}
	cr, err := s.ec2InURL(c)
	if err != nil {
		return kit.Reply{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.creds, cr.ID)
	return kit.Status(http.StatusNoContent), nil
}

type credJSON struct {
	ID        string       `json:"id"`
	UserID    string       `json:"user_id"`
	ProjectID *string      `json:"project_id"`
	Type      string       `json:"type"`
	Blob      string       `json:"blob"`
	Links     selfLinkJSON `json:"links"`
}

type credResponse struct {
	Credential credJSON `json:"credential"`
}

type credsResponse struct {
	Credentials []credJSON    `json:"credentials"`
	Links       listLinksJSON `json:"links"`
}

func credBody(c *kit.Call, cr Credential) credJSON {
	out := credJSON{ID: cr.ID, UserID: cr.UserID, Type: cr.Type, Blob: cr.Blob, Links: selfLinkJSON{Self: c.BaseURL() + "/v3/credentials/" + cr.ID}}
	if cr.ProjectID != "" {
		p := cr.ProjectID
		out.ProjectID = &p
	}
	return out
}

// v3ListCreds lists every credential to an admin or a system reader and
// the caller's own to anyone else, as Keystone's policy filters them.
func (s *Identity) v3ListCreds(c *kit.Call) (kit.Reply, error) {
	all := s.adminOrSystemReader(c)
	q := c.Query()
	out := credsResponse{Credentials: []credJSON{}, Links: selfLinks(c)}
	for _, cr := range s.Credentials() {
		switch {
		case !all && cr.UserID != c.Principal.UserID,
			q.Get("user_id") != "" && cr.UserID != q.Get("user_id"),
			q.Get("type") != "" && cr.Type != q.Get("type"):
			continue
		}
		out.Credentials = append(out.Credentials, credBody(c, cr))
	}
	return kit.OK(out), nil
}

type credRequest struct {
	Credential *struct {
		UserID    *string `json:"user_id"`
		ProjectID *string `json:"project_id"`
		Type      *string `json:"type"`
		Blob      *string `json:"blob"`
	} `json:"credential"`
}

func parseCredRequest(c *kit.Call, create bool) (credRequest, error) {
	var req credRequest
	if err := c.DecodeJSON(&req, kit.DecodeOptions{}); err != nil {
		return req, err
	}
	in := req.Credential
	switch {
	case in == nil:
		return req, invalidField("credential", "'credential' is a required property")
	case create && in.Blob == nil:
		return req, invalidField("blob", "'blob' is a required property")
	case create && in.Type == nil:
		return req, invalidField("type", "'type' is a required property")
	case create && in.UserID == nil:
		return req, invalidField("user_id", "'user_id' is a required property")
	}
	return req, nil
}

// validEC2Blob is Keystone's check of an ec2 credential's blob.
func validEC2Blob(blob string) (ec2Blob, error) {
	var b ec2Blob
	if err := json.Unmarshal([]byte(blob), &b); err != nil {
		return b, kit.BadRequest("Invalid blob in credential")
	}
	if b.Access == "" {
		return b, kit.BadRequest("Invalid input for field 'blob': an ec2 credential's blob needs 'access'.")
	}
	return b, nil
}

func (s *Identity) v3CreateCred(c *kit.Call) (kit.Reply, error) {
	req, err := parseCredRequest(c, true)
	if err != nil {
		return kit.Reply{}, err
	}
	in := req.Credential
	cr := Credential{UserID: *in.UserID, Type: *in.Type, Blob: *in.Blob}
	if in.ProjectID != nil {
		cr.ProjectID = *in.ProjectID
	}
	if !isAdmin(c) && cr.UserID != c.Principal.UserID {
		return kit.Reply{}, forbidden("identity:create_credential")
	}
	if cr.Type == "ec2" {
		b, err := validEC2Blob(cr.Blob)
		if err != nil {
			return kit.Reply{}, err
		}
		if cr.ProjectID == "" {
			return kit.Reply{}, kit.BadRequest("Invalid input for field 'project_id': an ec2 credential needs a project.")
		}
		cr.ID = hashAccess(b.Access)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cr.ID == "" {
		cr.ID = s.RNG().Hex(32)
	}
	if _, ok := s.creds[cr.ID]; ok {
		return kit.Reply{}, conflict("credential", "Duplicate ID, "+cr.ID)
	}
	s.creds[cr.ID] = cr
	return kit.JSON(http.StatusCreated, credResponse{Credential: credBody(c, cr)}), nil
}

// credInURL is the credential in the URL, which the caller must own (or
// be an admin, or, to read, a system reader).
func (s *Identity) credInURL(c *kit.Call, read bool, action string) (Credential, error) {
	s.mu.Lock()
	cr, ok := s.creds[c.Var("credential_id")]
	s.mu.Unlock()
	if !ok {
		return Credential{}, kit.NotFound("Could not find credential: %s.", c.Var("credential_id"))
	}
	if !isAdmin(c) && !(read && s.isSystemReader(c)) && cr.UserID != c.Principal.UserID {
		return Credential{}, forbidden(action)
	}
	return cr, nil
}

func (s *Identity) v3GetCred(c *kit.Call) (kit.Reply, error) {
	cr, err := s.credInURL(c, true, "identity:get_credential")
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(credResponse{Credential: credBody(c, cr)}), nil
}

func (s *Identity) v3UpdateCred(c *kit.Call) (kit.Reply, error) {
	cr, err := s.credInURL(c, false, "identity:update_credential")
	if err != nil {
		return kit.Reply{}, err
	}
	req, err := parseCredRequest(c, false)
	if err != nil {
		return kit.Reply{}, err
	}
	in := req.Credential
	for dst, v := range map[*string]*string{&cr.UserID: in.UserID, &cr.ProjectID: in.ProjectID, &cr.Type: in.Type, &cr.Blob: in.Blob} {
		if v != nil {
			*dst = *v
		}
	}
	if cr.Type == "ec2" {
		if _, err := validEC2Blob(cr.Blob); err != nil {
			return kit.Reply{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds[cr.ID] = cr
	return kit.OK(credResponse{Credential: credBody(c, cr)}), nil
}

func (s *Identity) v3DeleteCred(c *kit.Call) (kit.Reply, error) {
	cr, err := s.credInURL(c, false, "identity:delete_credential")
	if err != nil {
		return kit.Reply{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.creds, cr.ID)
	return kit.Status(http.StatusNoContent), nil
}
