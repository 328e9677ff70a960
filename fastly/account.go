package fastly

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the account API.
const (
	OpCurrentCustomer = "fastly.customer.current"
	OpCurrentUser     = "fastly.user.current"
	OpTokenSelf       = "fastly.tokens.self"
	OpRevokeTokenSelf = "fastly.tokens.self.revoke"
)

func (f *Fastly) accountRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpCurrentCustomer, Method: "GET", Path: "/current_customer", Handler: f.currentCustomer},
		{Op: OpCurrentUser, Method: "GET", Path: "/current_user", Handler: f.currentUser},
		{Op: OpTokenSelf, Method: "GET", Path: "/tokens/self", Handler: f.tokenSelf},
		{Op: OpRevokeTokenSelf, Method: "DELETE", Path: "/tokens/self", Handler: f.revokeTokenSelf},
	}
}

// customerWire is GET /current_customer. The fields the fake does not
// model hold what a fresh developer account shows.
type customerWire struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	OwnerID               string   `json:"owner_id"`
	BillingContactID      *string  `json:"billing_contact_id"`
	BillingNetworkType    string   `json:"billing_network_type"`
	BillingRef            *string  `json:"billing_ref"`
	CanConfigureWordpress bool     `json:"can_configure_wordpress"`
	CanResetPasswords     bool     `json:"can_reset_passwords"`
	CanUploadVCL          bool     `json:"can_upload_vcl"`
	Force2FA              bool     `json:"force_2fa"`
	ForceSSO              bool     `json:"force_sso"`
	HasAccountPanel       bool     `json:"has_account_panel"`
	HasImprovedEvents     bool     `json:"has_improved_events"`
	HasImprovedSSLConfig  bool     `json:"has_improved_ssl_config"`
	HasOpenstackLogging   bool     `json:"has_openstack_logging"`
	HasPCI                bool     `json:"has_pci"`
	HasPCIPasswords       bool     `json:"has_pci_passwords"`
	IPWhitelist           string   `json:"ip_whitelist"`
	LegalContactID        *string  `json:"legal_contact_id"`
	PhoneNumber           string   `json:"phone_number"`
	PostalAddress         *string  `json:"postal_address"`
	PricingPlan           string   `json:"pricing_plan"`
	PricingPlanID         string   `json:"pricing_plan_id"`
	SecurityContactID     *string  `json:"security_contact_id"`
	TechnicalContactID    *string  `json:"technical_contact_id"`
	CreatedAt             jsonTime `json:"created_at"`
	UpdatedAt             jsonTime `json:"updated_at"`
	DeletedAt             jsonTime `json:"deleted_at"`
	// Mimic's legacy fields, with MimicShapes only.
	*customerLegacy
}

func (f *Fastly) currentCustomer(*kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.customer
	var legacy *customerLegacy
	if f.mimic {
		legacy = newCustomerLegacy()
	}
	return kit.OK(customerWire{customerLegacy: legacy,
		ID: c.ID, Name: c.Name, OwnerID: c.OwnerID,
		BillingNetworkType: "public", CanResetPasswords: true, CanUploadVCL: true,
		HasAccountPanel: true, HasImprovedEvents: true, IPWhitelist: "0.0.0.0/0",
		PricingPlan: "developer", PricingPlanID: "developer",
		CreatedAt: jsonTime(c.Created), UpdatedAt: jsonTime(c.Updated),
	}), nil
}

// userWire is GET /current_user.
type userWire struct {
	ID                     string   `json:"id"`
	Login                  string   `json:"login"`
	Name                   string   `json:"name"`
	Role                   string   `json:"role"`
	CustomerID             string   `json:"customer_id"`
	LimitServices          bool     `json:"limit_services"`
	Locked                 bool     `json:"locked"`
	RequireNewPassword     bool     `json:"require_new_password"`
	TwoFactorAuthEnabled   bool     `json:"two_factor_auth_enabled"`
	TwoFactorSetupRequired bool     `json:"two_factor_setup_required"`
	EmailHash              string   `json:"email_hash"`
	LastActiveAt           jsonTime `json:"last_active_at"`
	CreatedAt              jsonTime `json:"created_at"`
	UpdatedAt              jsonTime `json:"updated_at"`
	DeletedAt              jsonTime `json:"deleted_at"`
}

func (f *Fastly) currentUser(*kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.user
	return kit.OK(userWire{
		ID: u.ID, Login: u.Login, Name: u.Name, Role: u.Role, CustomerID: u.CustomerID,
		LastActiveAt: jsonTime(f.nowSec()), CreatedAt: jsonTime(u.Created), UpdatedAt: jsonTime(u.Updated),
	}), nil
}

// tokenWire is GET /tokens/self.
type tokenWire struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	UserID        string   `json:"user_id"`
	CustomerID    string   `json:"customer_id"`
	Scope         string   `json:"scope"`
	Scopes        []string `json:"scopes"`
	Services      []string `json:"services"`
	ServiceID     *string  `json:"service_id"`
	CreatedAt     jsonTime `json:"created_at"`
	LastUsedAt    jsonTime `json:"last_used_at"`
	ExpiresAt     jsonTime `json:"expires_at"`
	SudoExpiresAt jsonTime `json:"sudo_expires_at"`
	IP            string   `json:"ip"`
	UserAgent     string   `json:"user_agent"`
}

func renderToken(t *Token) tokenWire {
	w := tokenWire{
		ID: t.ID, Name: t.Name, UserID: t.UserID, CustomerID: t.CustomerID,
		Scope: t.Scope, Scopes: []string{t.Scope}, Services: append([]string{}, t.Services...),
		CreatedAt: jsonTime(t.Created), LastUsedAt: jsonTime(t.LastUsedAt), IP: t.IP, UserAgent: t.UserAgent,
	}
	if n := len(t.Services); n > 0 {
		last := t.Services[n-1]
		w.ServiceID = &last
	}
	if t.ExpiresAt != nil {
		w.ExpiresAt = jsonTime(*t.ExpiresAt)
	}
	return w
}

func (f *Fastly) tokenSelf(c *kit.Call) (kit.Reply, error) {
	key := c.Request.Header.Get(KeyHeader)
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tokens[key]
	if !ok {
		return kit.Reply{}, kit.Errorf(http.StatusUnauthorized, "")
	}
	return kit.OK(renderToken(t)), nil
}

// revokeTokenSelf revokes the calling key: 204, and 401 from then on.
func (f *Fastly) revokeTokenSelf(c *kit.Call) (kit.Reply, error) {
	key := c.Request.Header.Get(KeyHeader)
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.tokens, key)
	f.revoked[key] = true
	return kit.Status(http.StatusNoContent), nil
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
		t.Created = f.nowSec()
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
		t.AccessToken = f.RNG().Alnum(32)
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

// purgeOps are the routes a purge_select or purge_all token may call.
var purgeOps = map[string]string{OpPurgeAll: "purge_all", OpPurgeKeys: "purge_select", OpPurgeKey: "purge_select"}

// checkScope applies the caller's token's scopes and service list, as the
// API does: "global" may do anything, "global:read" only read,
// "purge_select" and "purge_all" only their purges; a token limited to
// services reaches no other. Any token may read and revoke itself. It
// runs before every route that takes a key.
func (f *Fastly) checkScope(c *kit.Call) error {
	if c.Op == OpTokenSelf || c.Op == OpRevokeTokenSelf {
		return nil
	}
	f.mu.Lock()
	t, ok := f.tokens[c.Principal.Token]
	var scope string
	var services []string
	if ok {
		scope, services = t.Scope, t.Services
	}
	f.mu.Unlock()
	if !ok {
		return nil // no token check (a Cloud without tokens)
	}
	if id := c.Var("service_id"); id != "" && len(services) > 0 && !slices.Contains(services, id) {
		return kit.Forbidden("This token is not authorized to access service '%s'", id)
	}
	read := c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead
	for _, s := range strings.Fields(scope) {
		if s == "global" || s == "global:read" && read || s == purgeOps[c.Op] {
			return nil
		}
	}
	return kit.Forbidden("This token's scope (%s) does not allow %s", scope, c.Op)
}
