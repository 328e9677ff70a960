package identity

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/kit"
)

// v3Seeds are request bodies as the Keystone API reference shows them, and
// near misses.
var v3Seeds = []string{
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"devstacker"}}}}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"ee4dfb6e5540447cb3741905149d9b6e","password":"devstacker"}}},"scope":{"project":{"id":"a6944d763bf64ee6a275f1263fae0352"}}}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"devstacker"}}},"scope":{"project":{"name":"admin","domain":{"id":"default"}}}}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u","password":"p"}}},"scope":{"domain":{"id":"default"}}}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u","password":"p"}}},"scope":{"domain":{"name":"Default"}}}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u","password":"p"}}},"scope":"unscoped"}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u","password":"p"}}},"scope":{"system":{"all":true}}}}`,
	`{"auth":{"identity":{"methods":["token"],"token":{"id":"'$OS_TOKEN'"}}}}`,
	`{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"423f19a4ac1e4f48bbb4180756e6eb6c","secret":"rEaqvJka48mpv"}}}}`,
	`{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"name":"monitoring","secret":"s","user":{"name":"u","domain":{"id":"default"}}}}}}`,
	`{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"name":"monitoring","secret":"s"}}}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u","password":"p"}}},"scope":{"system":{"all":false},"domain":{"id":"d"}}}}`,
	`{"auth":{"identity":{"methods":["token"],"token":{"id":"abc"}},"scope":{"project":{"id":"p"}}}}`,
	`{"auth":{"identity":{"methods":["totp"],"totp":{"user":{"id":"u","passcode":"123456"}}}}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"p"}}}}}`,
	`{"auth":{"identity":{"methods":[]}}}`,
	`{"auth":{"identity":{}}}`,
	`{"auth":{}}`,
	`{"auth":null}`,
	`{"auth":{"identity":{"methods":"password"}}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u"}}},"scope":42}}`,
	`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u"}}},"scope":{"project":{}}}}`,
	`{}`,
	`[]`,
	`null`,
	``,
	`{"auth":`,
	`{"auth":{}} trailing`,
}

var v2Seeds = []string{
	`{"auth":{"passwordCredentials":{"username":"demo","password":"devstacker"},"tenantName":"demo"}}`,
	`{"auth":{"passwordCredentials":{"username":"demo","password":"devstacker"},"tenantId":"123456"}}`,
	`{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"yourUserName","apiKey":"a4bbc55a951242c48b03e88e32123456"}}}`,
	`{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"u","apiKey":"k"},"RAX-AUTH:domain":{"name":"Rackspace"}}}`,
	`{"auth":{"token":{"id":"abc"},"tenantId":"123456"}}`,
	`{"auth":{"passwordCredentials":{"password":"x"}}}`,
	`{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"u"}}}`,
	`{"auth":{"token":{}}}`,
	`{"auth":{"tenantId":"1"}}`,
	`{"auth":{"passwordCredentials":{"username":7}}}`,
	`{}`,
	``,
	`{"auth":`,
}

var mimicSeeds = []string{
	`{"criteria":[{"username":"fail.*"}],"name":"fail","parameters":{"code":500,"message":"boom"}}`,
	`{"criteria":[{"username":"fail.*"}],"name":"fail","parameters":{"code":500,"message":"boom","type":"string"}}`,
	`{"criteria":[{"tenant_id":"1234.*"}],"name":"fail","parameters":{"code":401,"message":"nope","type":"unauthorized"}}`,
	`{"criteria":[],"name":"sequence","parameters":{"behaviors":[{"name":"fail","parameters":{"code":503,"message":"x"}},{"name":"default","parameters":{}}]}}`,
	`{"criteria":[{"username":"("}],"name":"fail"}`,
	`{"criteria":[{"username":"x)|(y"}],"name":"fail"}`,
	`{"criteria":[{"colour":"red"}],"name":"fail"}`,
	`{"criteria":[],"name":"fail","parameters":{"code":999}}`,
	`{"criteria":[],"name":"sequence","parameters":{"behaviors":[]}}`,
	`{"criteria":[],"name":"sequence"}`,
	`{"criteria":[],"name":"explode"}`,
	`{"name":"fail"}`,
	`[]`,
	``,
}

// checkClientError fails unless err is a 4xx *kit.Error with a message.
func checkClientError(t *testing.T, err error) {
	t.Helper()
	var e *kit.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want a *kit.Error", err, err)
	}
	if e.Status < 400 || e.Status > 499 || e.Message == "" {
		t.Fatalf("error %d %q, want a 4xx with a message", e.Status, e.Message)
	}
}

// unstarted builds an identity to serve in process.
func unstarted(t *testing.T, opts ...Option) *Identity {
	t.Helper()
	s, err := NewUnstarted(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func addSeeds(f *testing.F, seeds []string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}

func FuzzParseV3Auth(f *testing.F) {
	addSeeds(f, v3Seeds)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseV3Auth(body)
		if err != nil {
			checkClientError(t, err)
			if c != (credentials{}) {
				t.Fatalf("credentials %+v returned with an error", c)
			}
			return
		}
		switch c.method {
		case "password":
			if c.userID == "" && c.userName == "" {
				t.Fatalf("password credentials without a user: %+v", c)
			}
		case "token":
			if c.tokenID == "" {
				t.Fatalf("token credentials without a token: %+v", c)
			}
		case "application_credential":
			if a := c.appCred; a == nil || a.Secret == "" || (a.ID == "" && (a.Name == "" || a.User == nil)) {
				t.Fatalf("application credential without an ID or a name and user, or a secret: %+v", c)
			}
		default:
			t.Fatalf("method %q accepted", c.method)
		}
		projectScoped := c.projectID != "" || c.projectName != ""
		domainScoped := c.scopeDomainID != "" || c.scopeDomainNm != ""
		if projectScoped && domainScoped || c.unscoped && (projectScoped || domainScoped) || c.system && (projectScoped || domainScoped || c.unscoped) {
			t.Fatalf("more than one scope: %+v", c)
		}
	})
}

func FuzzParseV2Auth(f *testing.F) {
	addSeeds(f, v2Seeds)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseV2Auth(body)
		if err != nil {
			checkClientError(t, err)
			return
		}
		switch c.method {
		case "password":
			if c.userName == "" {
				t.Fatalf("password credentials without a user name: %+v", c)
			}
		case "apikey":
			if c.userName == "" || c.secret == "" {
				t.Fatalf("API key credentials without user name or key: %+v", c)
			}
		case "token":
			if c.tokenID == "" {
				t.Fatalf("token credentials without a token: %+v", c)
			}
		case "application_credential":
			if a := c.appCred; a == nil || a.Secret == "" || (a.ID == "" && (a.Name == "" || a.User == nil)) {
				t.Fatalf("application credential without an ID or a name and user, or a secret: %+v", c)
			}
		default:
			t.Fatalf("method %q accepted", c.method)
		}
	})
}

func FuzzParseMimicBehavior(f *testing.F) {
	addSeeds(f, mimicSeeds)
	f.Fuzz(func(t *testing.T, body []byte) {
		b, perr := parseMimicBehavior(body)
		wantStatus := http.StatusBadRequest
		if perr == nil {
			if _, err := unstarted(t).AddAuthBehavior(b); err == nil {
				wantStatus = http.StatusCreated
			}
		}

		s := unstarted(t)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("POST", "/mimic/v1.1/IdentityControlAPI/behaviors/auth", bytes.NewReader(body)))
		if rec.Code != wantStatus {
			t.Fatalf("POST behavior = %d, want %d (parse error: %v)", rec.Code, wantStatus, perr)
		}
		if rec.Code != http.StatusCreated {
			return
		}
		var created struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.ID == "" {
			t.Fatalf("201 body %q: %v", rec.Body, err)
		}
		// Whatever the behavior says, an authentication answers with a real
		// status and the behavior can be removed again.
		for _, user := range []string{"fail", "user", ""} {
			rec := httptest.NewRecorder()
			auth := `{"auth":{"passwordCredentials":{"username":"` + user + `x","password":"p"},"tenantId":"123456"}}`
			s.ServeHTTP(rec, httptest.NewRequest("POST", "/v2.0/tokens", strings.NewReader(auth)))
			if rec.Code < 100 || rec.Code > 599 {
				t.Fatalf("auth answered %d", rec.Code)
			}
		}
		rec = httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("DELETE", "/mimic/v1.1/IdentityControlAPI/behaviors/auth/"+created.ID, nil))
		if rec.Code != http.StatusNoContent {
			t.Fatalf("DELETE = %d, want 204", rec.Code)
		}
	})
}

// FuzzV3CreateToken drives the whole pipeline: whatever the body, the
// answer is 201, 400 or 401 with a JSON body, and a 201's token validates.
func FuzzV3CreateToken(f *testing.F) {
	addSeeds(f, v3Seeds)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, strict := range []bool{false, true} {
			var s *Identity
			if strict {
				s = unstarted(t, Strict())
				if _, err := s.AddProject(Project{ID: "p", Name: "admin"}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.AddUser(User{ID: "u", Name: "admin", Password: "devstacker", DefaultProjectID: "p"}); err != nil {
					t.Fatal(err)
				}
				s.Grant("u", "p", "admin")
			} else {
				s = unstarted(t)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("POST", "/v3/auth/tokens", bytes.NewReader(body)))

			switch rec.Code {
			case http.StatusCreated, http.StatusBadRequest, http.StatusUnauthorized:
			case http.StatusRequestEntityTooLarge:
				if len(body) <= kit.DefaultMaxBody {
					t.Fatalf("413 for a %d-byte body", len(body))
				}
			default:
				t.Fatalf("strict=%v: status %d; body %s", strict, rec.Code, rec.Body)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("strict=%v: body is not JSON: %q", strict, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			tok := rec.Header().Get("X-Subject-Token")
			if (rec.Code == http.StatusCreated) != (tok != "") {
				t.Fatalf("status %d with X-Subject-Token %q", rec.Code, tok)
			}
			if tok == "" {
				continue
			}
			req := httptest.NewRequest("GET", "/v3/auth/tokens", nil)
			req.Header.Set("X-Auth-Token", tok)
			req.Header.Set("X-Subject-Token", tok)
			rec = httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("validating the new token: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
