package triton

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Account is a CloudAPI account (UFDS's sdcperson) as GetAccount renders
// it.
type Account struct {
	UUID             string `json:"id"`
	Login            string `json:"login"`
	Email            string `json:"email"`
	CompanyName      string `json:"companyName,omitempty"`
	FirstName        string `json:"firstName,omitempty"`
	LastName         string `json:"lastName,omitempty"`
	Address          string `json:"address,omitempty"`
	PostalCode       string `json:"postalCode,omitempty"`
	City             string `json:"city,omitempty"`
	State            string `json:"state,omitempty"`
	Country          string `json:"country,omitempty"`
	Phone            string `json:"phone,omitempty"`
	TritonCNSEnabled bool   `json:"triton_cns_enabled"`
	Created          string `json:"created"`
	Updated          string `json:"updated"`
}

// Key is an account's SSH key as CloudAPI renders it.
type Key struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	Key         string `json:"key"`
}

// account is an Account and its keys, behind Triton.mu.
type account struct {
	Account
	keys []*accountKey
}

type accountKey struct {
	PublicKey
	name string
}

func (k *accountKey) render() Key {
	return Key{Name: k.name, Fingerprint: k.Fingerprint, Key: k.Key}
}

// keyLocked is the key named name or with that MD5 fingerprint.
func (a *account) keyLocked(id string) *accountKey {
	for _, k := range a.keys {
		if k.name == id || k.Fingerprint == id {
			return k
		}
	}
	return nil
}

func (a *account) addKeyLocked(line, name string) (*accountKey, *authError) {
	pk, aerr := checkNewKey(line)
	if aerr != nil {
		return nil, aerr
	}
	if name == "" {
		name = pk.DefaultName()
	}
	if a.keyLocked(name) != nil || a.keyLocked(pk.Fingerprint) != nil {
		return nil, &authError{Status: http.StatusConflict, Code: "InvalidArgument", Message: keyMsgRejected}
	}
	k := &accountKey{PublicKey: pk, name: name}
	a.keys = append(a.keys, k)
	return k, nil
}

// addAccountLocked creates an account; its UUID and times are drawn when
// not given.
func (t *Triton) addAccountLocked(in Account, now time.Time) *account {
	a := &account{Account: in}
	if a.UUID == "" {
		a.UUID = t.cids.UUID()
	}
	if a.Email == "" {
		a.Email = a.Login + "@example.com"
	}
	if a.Created == "" {
		a.Created = iso(now)
	}
	if a.Updated == "" {
		a.Updated = a.Created
	}
	if t.dc.accounts == nil {
		t.dc.accounts = map[string]*account{}
	}
	t.dc.accounts[a.Login] = a
	return a
}

// AddAccount seeds a CloudAPI account (login required; UUID, email and
// times filled in when empty). Adding a login that exists returns it.
func (t *Triton) AddAccount(a Account) (Account, error) {
	now := t.lock()
	defer t.mu.Unlock()
	if a.Login == "" {
		return Account{}, kit.BadRequest("an account needs a login")
	}
	if got := t.dc.accounts[a.Login]; got != nil {
		return got.Account, nil
	}
	return t.addAccountLocked(a, now).Account, nil
}

// AddKey adds an SSH public key (an authorized_keys line) to login's
// account, creating the account if needed; name "" is the key's comment,
// else its fingerprint. Strict auth verifies signatures against these.
func (t *Triton) AddKey(login, name, line string) (Key, error) {
	now := t.lock()
	defer t.mu.Unlock()
	a := t.dc.accounts[login]
	if a == nil {
		a = t.addAccountLocked(Account{Login: login}, now)
	}
	k, aerr := a.addKeyLocked(line, name)
	if aerr != nil {
		return Key{}, aerr.kit()
	}
	return k.render(), nil
}

// Account is the account login, as CloudAPI shows it.
func (t *Triton) Account(login string) (Account, bool) {
	t.lock()
	defer t.mu.Unlock()
	a := t.dc.accounts[login]
	if a == nil {
		return Account{}, false
	}
	return a.Account, true
}

func (t *Triton) getAccount(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	c.Header().Set("Triton-Datacenter-Name", t.cfg.datacenter)
	return kit.OK(t.callerLocked(c).Account), nil
}

// accountUpdate is UpdateAccount's body.
type accountUpdate struct {
	Email            *string `json:"email"`
	CompanyName      *string `json:"companyName"`
	FirstName        *string `json:"firstName"`
	LastName         *string `json:"lastName"`
	Address          *string `json:"address"`
	PostalCode       *string `json:"postalCode"`
	City             *string `json:"city"`
	State            *string `json:"state"`
	Country          *string `json:"country"`
	Phone            *string `json:"phone"`
	TritonCNSEnabled *bool   `json:"triton_cns_enabled"`
}

func (t *Triton) updateAccount(c *kit.Call) (kit.Reply, error) {
	var in accountUpdate
	if err := decodeCloudAPI(c, &in); err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	a := t.callerLocked(c)
	for _, f := range []struct {
		src *string
		dst *string
	}{{in.Email, &a.Email}, {in.CompanyName, &a.CompanyName}, {in.FirstName, &a.FirstName}, {in.LastName, &a.LastName},
		{in.Address, &a.Address}, {in.PostalCode, &a.PostalCode}, {in.City, &a.City}, {in.State, &a.State},
		{in.Country, &a.Country}, {in.Phone, &a.Phone}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.TritonCNSEnabled != nil {
		a.TritonCNSEnabled = *in.TritonCNSEnabled
	}
	a.Updated = iso(now)
	return kit.OK(a.Account), nil
}

func (t *Triton) listKeys(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	out := []Key{}
	for _, k := range t.callerLocked(c).keys {
		out = append(out, k.render())
	}
	return kit.OK(out), nil
}

// keyCreate is CreateKey's body.
type keyCreate struct {
	Name string `json:"name"`
	Key  any    `json:"key"`
}

func (t *Triton) createKey(c *kit.Call) (kit.Reply, error) {
	var in keyCreate
	if err := decodeCloudAPI(c, &in); err != nil {
		return kit.Reply{}, err
	}
	line, isString := in.Key.(string)
	if in.Key != nil && !isString {
		return kit.Reply{}, invalidArgument("key must be a String")
	}
	t.lock()
	defer t.mu.Unlock()
	a := t.callerLocked(c)
	k, aerr := a.addKeyLocked(line, in.Name)
	if aerr != nil {
		return kit.Reply{}, aerr.kit()
	}
	c.Header().Set("Location", "/"+a.Login+"/keys/"+url.PathEscape(k.Fingerprint))
	return kit.JSON(http.StatusCreated, k.render()), nil
}

func (t *Triton) keyOf(c *kit.Call) (*account, *accountKey, error) {
	a := t.callerLocked(c)
	k := a.keyLocked(c.Var("key"))
	if k == nil {
		return nil, nil, kit.NotFound("%s does not exist", c.Var("key"))
	}
	return a, k, nil
}

func (t *Triton) getKey(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	_, k, err := t.keyOf(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(k.render()), nil
}

func (t *Triton) deleteKey(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	a, k, err := t.keyOf(c)
	if err != nil {
		return kit.Reply{}, err
	}
	a.keys = slices.DeleteFunc(a.keys, func(x *accountKey) bool { return x == k })
	return kit.Status(http.StatusNoContent), nil
}

// listLimits is GetProvisioningLimits as CloudAPI answers without its
// provision_limits plugin: no limits.
func (t *Triton) listLimits(*kit.Call) (kit.Reply, error) { return kit.OK([]any{}), nil }

// accountConfig is GetConfig's body.
type accountConfig struct {
	DefaultNetwork string `json:"default_network"`
}

func (t *Triton) getAccountConfig(*kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	cfg := accountConfig{}
	if n := t.networkLocked("external"); n != nil {
		cfg.DefaultNetwork = n.UUID
	}
	return kit.OK(cfg), nil
}

func (t *Triton) listDatacenters(c *kit.Call) (kit.Reply, error) {
	c.Header().Set("Triton-Datacenter-Name", t.cfg.datacenter)
	return kit.OK(map[string]string{t.cfg.datacenter: c.BaseURL()}), nil
}

// getDatacenter is GetDatacenter: a 302 to the DC's CloudAPI.
func (t *Triton) getDatacenter(c *kit.Call) (kit.Reply, error) {
	if c.Var("dc") != t.cfg.datacenter {
		return kit.Reply{}, kit.NotFound("%s is not an available datacenter", c.Var("dc"))
	}
	c.Header().Set("Location", c.BaseURL())
	return kit.JSON(http.StatusFound, errorBody{Code: "ResourceMoved", Message: ""}), nil
}

// listServices is ListServices: the DC's service endpoints by name.
func (t *Triton) listServices(c *kit.Call) (kit.Reply, error) {
	return kit.OK(map[string]string{"cloudapi": c.BaseURL()}), nil
}
