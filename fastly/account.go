package fastly

import (
	"net"
	"net/http"
	"sort"

	"github.com/gorilla/mux"
)

// Route names of the account API.
const (
	OpCurrentCustomer = "fastly.customer.current"
	OpCurrentUser     = "fastly.user.current"
	OpTokenSelf       = "fastly.tokens.self"
	OpRevokeTokenSelf = "fastly.tokens.self.revoke"
)

func (f *Fastly) accountRoutes(r *mux.Router) {
	r.HandleFunc("/current_customer", f.currentCustomer).Methods("GET").Name(OpCurrentCustomer)
	r.HandleFunc("/current_user", f.currentUser).Methods("GET").Name(OpCurrentUser)
	r.HandleFunc("/tokens/self", f.tokenSelf).Methods("GET").Name(OpTokenSelf)
	r.HandleFunc("/tokens/self", f.revokeTokenSelf).Methods("DELETE").Name(OpRevokeTokenSelf)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (f *Fastly) currentCustomer(w http.ResponseWriter, _ *http.Request) {
	f.do(w, func() (any, *apiError) {
		c := f.customer
		return map[string]any{
			"id": c.ID, "name": c.Name, "owner_id": c.OwnerID,
			"billing_contact_id": nil, "billing_network_type": "public", "billing_ref": nil,
			"can_configure_wordpress": false, "can_reset_passwords": true, "can_upload_vcl": true,
			"force_2fa": false, "force_sso": false, "has_account_panel": true, "has_improved_events": true,
			"has_improved_ssl_config": false, "has_openstack_logging": false, "has_pci": false,
			"has_pci_passwords": false, "ip_whitelist": "0.0.0.0/0", "legal_contact_id": nil,
			"phone_number": "", "postal_address": nil, "pricing_plan": "developer", "pricing_plan_id": "developer",
			"security_contact_id": nil, "technical_contact_id": nil,
			"created_at": ts(c.Created), "updated_at": ts(c.Updated), "deleted_at": nil,
		}, nil
	})
}

func (f *Fastly) currentUser(w http.ResponseWriter, _ *http.Request) {
	f.do(w, func() (any, *apiError) {
		u := f.user
		return map[string]any{
			"id": u.ID, "login": u.Login, "name": u.Name, "role": u.Role, "customer_id": u.CustomerID,
			"limit_services": false, "locked": false, "require_new_password": false,
			"two_factor_auth_enabled": false, "two_factor_setup_required": false,
			"email_hash": "", "last_active_at": ts(f.now()),
			"created_at": ts(u.Created), "updated_at": ts(u.Updated), "deleted_at": nil,
		}, nil
	})
}

func (f *Fastly) renderToken(t *Token) map[string]any {
	services := append([]string{}, t.Services...)
	var serviceID any
	if len(services) > 0 {
		serviceID = services[len(services)-1]
	}
	var expires any
	if t.ExpiresAt != nil {
		expires = ts(*t.ExpiresAt)
	}
	return map[string]any{
		"id": t.ID, "name": t.Name, "user_id": t.UserID, "customer_id": t.CustomerID,
		"scope": t.Scope, "scopes": []string{t.Scope}, "services": services, "service_id": serviceID,
		"created_at": ts(t.Created), "last_used_at": ts(t.LastUsedAt), "expires_at": expires,
		"sudo_expires_at": nil, "ip": t.IP, "user_agent": t.UserAgent,
	}
}

func (f *Fastly) tokenSelf(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(KeyHeader)
	f.do(w, func() (any, *apiError) {
		t, ok := f.tokens[key]
		if !ok {
			return nil, errorf(http.StatusUnauthorized, "")
		}
		return f.renderToken(t), nil
	})
}

// revokeTokenSelf revokes the calling key: 204, and 401 from then on.
func (f *Fastly) revokeTokenSelf(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(KeyHeader)
	f.mu.Lock()
	delete(f.tokens, key)
	f.revoked[key] = true
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// newTokenLocked stores a token for t.AccessToken with defaults filled in.
func (f *Fastly) newTokenLocked(t Token) *Token {
	if t.ID == "" {
		t.ID = f.newID()
	}
	if t.Scope == "" {
		t.Scope = "global"
	}
	if t.UserID == "" {
		t.UserID = f.user.ID
	}
	if t.CustomerID == "" {
		t.CustomerID = f.customer.ID
	}
	if t.Created.IsZero() {
		t.Created = f.now()
	}
	t.Services = append([]string(nil), t.Services...)
	if t.ExpiresAt != nil {
		e := *t.ExpiresAt
		t.ExpiresAt = &e
	}
	delete(f.revoked, t.AccessToken)
	stored := t
	f.tokens[t.AccessToken] = &stored
	return &stored
}

// AddKey seeds an API key; in [Strict] mode only seeded keys get in.
func (f *Fastly) AddKey(key string) Token {
	return f.AddToken(Token{AccessToken: key, Name: "mockcloud key"})
}

// AddToken seeds an API token (its AccessToken is the key) and returns the
// stored copy. A token with ExpiresAt is refused from then on, by the
// shared clock.
func (f *Fastly) AddToken(t Token) Token {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.AccessToken == "" {
		t.AccessToken = f.env.RNG.Alnum(32)
	}
	return copyToken(f.newTokenLocked(t))
}

// Tokens returns the known tokens: seeded ones, and in permissive mode the
// keys seen so far.
func (f *Fastly) Tokens() []Token {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Token, 0, len(f.tokens))
	for _, t := range f.tokens {
		out = append(out, copyToken(t))
	}
	sortTokens(out)
	return out
}

func copyToken(t *Token) Token {
	c := *t
	c.Services = append([]string(nil), t.Services...)
	if t.ExpiresAt != nil {
		e := *t.ExpiresAt
		c.ExpiresAt = &e
	}
	return c
}

func sortTokens(out []Token) {
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
}

// Customer is the account the fake answers /current_customer with.
func (f *Fastly) Customer() Customer {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.customer
}

// User is the user the fake answers /current_user with.
func (f *Fastly) User() User {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.user
}
