package triton

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// CloudAPI's server identity and API versions (sdc-cloudapi package.json
// and lib/app.js), newest first.
const cloudAPIServer = "cloudapi/9.15.0"

var cloudAPIVersions = []semver{{9, 0, 0}, {8, 0, 0}, {7, 3, 0}, {7, 2, 0}, {7, 1, 0}, {7, 0, 0}}

// WithStrictAuth makes CloudAPI verify every HTTP Signature against the
// account's keys (seeded with AddKey or uploaded with CreateKey); the
// default is permissive: any well-formed signature is taken, and its login
// becomes an account on first sight.
func WithStrictAuth() Option {
	return fake.Configure(func(c *config) { c.strictAuth = true })
}

// CloudAPI's ops.
const (
	OpCloudAPIAccountGet      = "triton.cloudapi.account.get"
	OpCloudAPIAccountUpdate   = "triton.cloudapi.account.update"
	OpCloudAPIKeysList        = "triton.cloudapi.keys.list"
	OpCloudAPIKeysCreate      = "triton.cloudapi.keys.create"
	OpCloudAPIKeysGet         = "triton.cloudapi.keys.get"
	OpCloudAPIKeysDelete      = "triton.cloudapi.keys.delete"
	OpCloudAPILimits          = "triton.cloudapi.limits.list"
	OpCloudAPIConfigGet       = "triton.cloudapi.config.get"
	OpCloudAPIDatacenters     = "triton.cloudapi.datacenters.list"
	OpCloudAPIDatacenterGet   = "triton.cloudapi.datacenters.get"
	OpCloudAPIServices        = "triton.cloudapi.services.list"
	OpCloudAPIImagesList      = "triton.cloudapi.images.list"
	OpCloudAPIImagesGet       = "triton.cloudapi.images.get"
	OpCloudAPIPackagesList    = "triton.cloudapi.packages.list"
	OpCloudAPIPackagesGet     = "triton.cloudapi.packages.get"
	OpCloudAPINetworksList    = "triton.cloudapi.networks.list"
	OpCloudAPINetworksGet     = "triton.cloudapi.networks.get"
	OpCloudAPIVLANsList       = "triton.cloudapi.fabrics.vlans.list"
	OpCloudAPIVLANsCreate     = "triton.cloudapi.fabrics.vlans.create"
	OpCloudAPIVLANsGet        = "triton.cloudapi.fabrics.vlans.get"
	OpCloudAPIVLANsUpdate     = "triton.cloudapi.fabrics.vlans.update"
	OpCloudAPIVLANsDelete     = "triton.cloudapi.fabrics.vlans.delete"
	OpCloudAPIFabricNetsList  = "triton.cloudapi.fabrics.networks.list"
	OpCloudAPIFabricNetCreate = "triton.cloudapi.fabrics.networks.create"
	OpCloudAPIFabricNetGet    = "triton.cloudapi.fabrics.networks.get"
	OpCloudAPIFabricNetDelete = "triton.cloudapi.fabrics.networks.delete"
	OpCloudAPIMachinesList    = "triton.cloudapi.machines.list"
	OpCloudAPIMachinesCreate  = "triton.cloudapi.machines.create"
	OpCloudAPIMachinesGet     = "triton.cloudapi.machines.get"
	OpCloudAPIMachinesDelete  = "triton.cloudapi.machines.delete"
	OpCloudAPIMachinesAction  = "triton.cloudapi.machines.action"
	OpCloudAPITagsList        = "triton.cloudapi.machines.tags.list"
	OpCloudAPITagsAdd         = "triton.cloudapi.machines.tags.add"
	OpCloudAPITagsReplace     = "triton.cloudapi.machines.tags.replace"
	OpCloudAPITagsDeleteAll   = "triton.cloudapi.machines.tags.delete_all"
	OpCloudAPITagsGet         = "triton.cloudapi.machines.tags.get"
	OpCloudAPITagsDelete      = "triton.cloudapi.machines.tags.delete"
	OpCloudAPIMetadataList    = "triton.cloudapi.machines.metadata.list"
	OpCloudAPIMetadataAdd     = "triton.cloudapi.machines.metadata.add"
	OpCloudAPIMetadataDelAll  = "triton.cloudapi.machines.metadata.delete_all"
	OpCloudAPIMetadataGet     = "triton.cloudapi.machines.metadata.get"
	OpCloudAPIMetadataDelete  = "triton.cloudapi.machines.metadata.delete"
	OpCloudAPISnapshotsList   = "triton.cloudapi.machines.snapshots.list"
	OpCloudAPISnapshotsCreate = "triton.cloudapi.machines.snapshots.create"
	OpCloudAPISnapshotsGet    = "triton.cloudapi.machines.snapshots.get"
	OpCloudAPISnapshotsBoot   = "triton.cloudapi.machines.snapshots.boot"
	OpCloudAPISnapshotsDelete = "triton.cloudapi.machines.snapshots.delete"
	OpCloudAPINICsList        = "triton.cloudapi.machines.nics.list"
	OpCloudAPINICsAdd         = "triton.cloudapi.machines.nics.add"
	OpCloudAPINICsGet         = "triton.cloudapi.machines.nics.get"
	OpCloudAPINICsRemove      = "triton.cloudapi.machines.nics.remove"
	OpCloudAPIDisksList       = "triton.cloudapi.machines.disks.list"
	OpCloudAPIDisksCreate     = "triton.cloudapi.machines.disks.create"
	OpCloudAPIDisksGet        = "triton.cloudapi.machines.disks.get"
	OpCloudAPIDisksResize     = "triton.cloudapi.machines.disks.resize"
	OpCloudAPIDisksDelete     = "triton.cloudapi.machines.disks.delete"
	OpCloudAPIAudit           = "triton.cloudapi.machines.audit"
)

func (t *Triton) cloudapiRoutes() []kit.Route {
	ping := kit.Route{Op: OpCloudAPIPing, Method: "GET,HEAD", Path: "/--ping", Before: t.cloudapiPingBefore,
		Handler: func(*kit.Call) (kit.Reply, error) { return kit.OK(map[string]string{"ping": "pong"}), nil }}
	const m = "/{login}/machines/{machine}"
	routes := []kit.Route{
		{Op: OpCloudAPIAccountGet, Method: "GET,HEAD", Path: "/{login}", Handler: t.getAccount},
		{Op: OpCloudAPIAccountUpdate, Method: "POST", Path: "/{login}", Handler: t.updateAccount},
		{Op: OpCloudAPIKeysList, Method: "GET,HEAD", Path: "/{login}/keys", Handler: t.listKeys},
		{Op: OpCloudAPIKeysCreate, Method: "POST", Path: "/{login}/keys", Handler: t.createKey},
		{Op: OpCloudAPIKeysGet, Method: "GET,HEAD", Path: "/{login}/keys/{key}", Handler: t.getKey},
		{Op: OpCloudAPIKeysDelete, Method: "DELETE", Path: "/{login}/keys/{key}", Handler: t.deleteKey},
		{Op: OpCloudAPILimits, Method: "GET,HEAD", Path: "/{login}/limits", Handler: t.listLimits},
		{Op: OpCloudAPIConfigGet, Method: "GET,HEAD", Path: "/{login}/config", Handler: t.getAccountConfig},
		{Op: OpCloudAPIDatacenters, Method: "GET,HEAD", Path: "/{login}/datacenters", Handler: t.listDatacenters},
		{Op: OpCloudAPIDatacenterGet, Method: "GET,HEAD", Path: "/{login}/datacenters/{dc}", Handler: t.getDatacenter},
		{Op: OpCloudAPIServices, Method: "GET,HEAD", Path: "/{login}/services", Handler: t.listServices},
		{Op: OpCloudAPIImagesList, Method: "GET,HEAD", Path: "/{login}/images", Handler: t.listImages},
		{Op: OpCloudAPIImagesGet, Method: "GET,HEAD", Path: "/{login}/images/{image}", Handler: t.getImage},
		{Op: OpCloudAPIPackagesList, Method: "GET,HEAD", Path: "/{login}/packages", Handler: t.listPackages},
		{Op: OpCloudAPIPackagesGet, Method: "GET,HEAD", Path: "/{login}/packages/{package}", Handler: t.getPackage},
		{Op: OpCloudAPINetworksList, Method: "GET,HEAD", Path: "/{login}/networks", Handler: t.listCloudNetworks},
		{Op: OpCloudAPINetworksGet, Method: "GET,HEAD", Path: "/{login}/networks/{network}", Handler: t.getCloudNetwork},
		{Op: OpCloudAPIVLANsList, Method: "GET,HEAD", Path: "/{login}/fabrics/default/vlans", Handler: t.listVLANs},
		{Op: OpCloudAPIVLANsCreate, Method: "POST", Path: "/{login}/fabrics/default/vlans", Handler: t.createVLAN},
		{Op: OpCloudAPIVLANsGet, Method: "GET,HEAD", Path: "/{login}/fabrics/default/vlans/{vlan}", Handler: t.getVLAN},
		{Op: OpCloudAPIVLANsUpdate, Method: "PUT", Path: "/{login}/fabrics/default/vlans/{vlan}", Handler: t.updateVLAN},
		{Op: OpCloudAPIVLANsDelete, Method: "DELETE", Path: "/{login}/fabrics/default/vlans/{vlan}", Handler: t.deleteVLAN},
		{Op: OpCloudAPIFabricNetsList, Method: "GET,HEAD", Path: "/{login}/fabrics/default/vlans/{vlan}/networks", Handler: t.listFabricNetworks},
		{Op: OpCloudAPIFabricNetCreate, Method: "POST", Path: "/{login}/fabrics/default/vlans/{vlan}/networks", Handler: t.createFabricNetwork},
		{Op: OpCloudAPIFabricNetGet, Method: "GET,HEAD", Path: "/{login}/fabrics/default/vlans/{vlan}/networks/{network}", Handler: t.getFabricNetwork},
		{Op: OpCloudAPIFabricNetDelete, Method: "DELETE", Path: "/{login}/fabrics/default/vlans/{vlan}/networks/{network}", Handler: t.deleteFabricNetwork},
		{Op: OpCloudAPIMachinesList, Method: "GET,HEAD", Path: "/{login}/machines", Handler: t.listMachines},
		{Op: OpCloudAPIMachinesCreate, Method: "POST", Path: "/{login}/machines", Handler: t.createMachine},
		{Op: OpCloudAPIMachinesGet, Method: "GET,HEAD", Path: m, Handler: t.getMachine},
		{Op: OpCloudAPIMachinesDelete, Method: "DELETE", Path: m, Handler: t.deleteMachine},
		{Op: OpCloudAPIMachinesAction, Method: "POST", Path: m, Handler: t.machineAction, Refine: refineMachineAction, Ops: machineActionOps()},
		{Op: OpCloudAPITagsList, Method: "GET,HEAD", Path: m + "/tags", Handler: t.listTags},
		{Op: OpCloudAPITagsAdd, Method: "POST", Path: m + "/tags", Handler: t.addTags},
		{Op: OpCloudAPITagsReplace, Method: "PUT", Path: m + "/tags", Handler: t.replaceTags},
		{Op: OpCloudAPITagsDeleteAll, Method: "DELETE", Path: m + "/tags", Handler: t.deleteAllTags},
		{Op: OpCloudAPITagsGet, Method: "GET,HEAD", Path: m + "/tags/{tag}", Handler: t.getTag},
		{Op: OpCloudAPITagsDelete, Method: "DELETE", Path: m + "/tags/{tag}", Handler: t.deleteTag},
		{Op: OpCloudAPIMetadataList, Method: "GET,HEAD", Path: m + "/metadata", Handler: t.listMachineMetadata},
		{Op: OpCloudAPIMetadataAdd, Method: "POST", Path: m + "/metadata", Handler: t.addMachineMetadata},
		{Op: OpCloudAPIMetadataDelAll, Method: "DELETE", Path: m + "/metadata", Handler: t.deleteAllMachineMetadata},
		{Op: OpCloudAPIMetadataGet, Method: "GET,HEAD", Path: m + "/metadata/{key}", Handler: t.getMachineMetadata},
		{Op: OpCloudAPIMetadataDelete, Method: "DELETE", Path: m + "/metadata/{key}", Handler: t.deleteMachineMetadata},
		{Op: OpCloudAPISnapshotsList, Method: "GET,HEAD", Path: m + "/snapshots", Handler: t.listMachineSnapshots},
		{Op: OpCloudAPISnapshotsCreate, Method: "POST", Path: m + "/snapshots", Handler: t.createMachineSnapshot},
		{Op: OpCloudAPISnapshotsGet, Method: "GET,HEAD", Path: m + "/snapshots/{name}", Handler: t.getMachineSnapshot},
		{Op: OpCloudAPISnapshotsBoot, Method: "POST", Path: m + "/snapshots/{name}", Handler: t.bootMachineSnapshot},
		{Op: OpCloudAPISnapshotsDelete, Method: "DELETE", Path: m + "/snapshots/{name}", Handler: t.deleteMachineSnapshot},
		{Op: OpCloudAPINICsList, Method: "GET,HEAD", Path: m + "/nics", Handler: t.listMachineNICs},
		{Op: OpCloudAPINICsAdd, Method: "POST", Path: m + "/nics", Handler: t.addMachineNIC},
		{Op: OpCloudAPINICsGet, Method: "GET,HEAD", Path: m + "/nics/{mac}", Handler: t.getMachineNIC},
		{Op: OpCloudAPINICsRemove, Method: "DELETE", Path: m + "/nics/{mac}", Handler: t.removeMachineNIC},
		{Op: OpCloudAPIDisksList, Method: "GET,HEAD", Path: m + "/disks", Handler: t.listMachineDisks},
		{Op: OpCloudAPIDisksCreate, Method: "POST", Path: m + "/disks", Handler: t.createMachineDisk},
		{Op: OpCloudAPIDisksGet, Method: "GET,HEAD", Path: m + "/disks/{disk}", Handler: t.getMachineDisk},
		{Op: OpCloudAPIDisksResize, Method: "POST", Path: m + "/disks/{disk}", Handler: t.resizeMachineDisk},
		{Op: OpCloudAPIDisksDelete, Method: "DELETE", Path: m + "/disks/{disk}", Handler: t.deleteMachineDisk},
		{Op: OpCloudAPIAudit, Method: "GET,HEAD", Path: m + "/audit", Handler: t.machineAudit},
	}
	for i := range routes {
		routes[i].Before = t.cloudapiBefore
	}
	return append([]kit.Route{ping}, routes...)
}

// semver is one of CloudAPI's API versions.
type semver struct{ major, minor, patch int }

func (v semver) String() string {
	return strconv.Itoa(v.major) + "." + strconv.Itoa(v.minor) + "." + strconv.Itoa(v.patch)
}

func (v semver) cmp(o semver) int {
	switch {
	case v.major != o.major:
		return v.major - o.major
	case v.minor != o.minor:
		return v.minor - o.minor
	}
	return v.patch - o.patch
}

// requestedVersion is what the client asked for: Accept-Version, else
// x-api-version, else "*".
func requestedVersion(r *http.Request) string {
	if v := strings.TrimSpace(r.Header.Get("Accept-Version")); v != "" {
		return v
	}
	if v := strings.TrimSpace(r.Header.Get("X-Api-Version")); v != "" {
		return v
	}
	return "*"
}

// negotiateVersion is restify's choice: the newest of CloudAPI's versions
// that satisfies the semver range; restify's 400 InvalidVersion when none
// does.
func negotiateVersion(r *http.Request) (semver, string, error) {
	want := requestedVersion(r)
	for _, v := range cloudAPIVersions {
		if satisfies(v, want) {
			return v, want, nil
		}
	}
	return semver{}, want, restError(http.StatusBadRequest, "InvalidVersion",
		want+" is not supported by "+r.Method+" "+r.URL.Path)
}

// satisfies is node-semver's satisfies for the forms clients send: "*",
// "x", exact and partial versions ("8", "7.2"), ~, ^, comparison
// operators, hyphen-free spaces (and) and "||" (or).
func satisfies(v semver, rng string) bool {
	for _, alt := range strings.Split(rng, "||") {
		ok := true
		for _, comp := range strings.Fields(alt) {
			if !comparatorMatch(v, comp) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// partial parses "9", "9.1", "9.1.0", "9.x"; n is how many parts were
// given (wildcards end it). ok false when it does not parse.
func partial(s string) (v semver, n int, ok bool) {
	s = strings.TrimPrefix(s, "v")
	if s == "" || s == "*" || s == "x" || s == "X" {
		return v, 0, true
	}
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return v, 0, false
	}
	dst := []*int{&v.major, &v.minor, &v.patch}
	for i, p := range parts {
		if p == "x" || p == "X" || p == "*" {
			return v, i, true
		}
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 {
			return v, 0, false
		}
		*dst[i] = x
		n = i + 1
	}
	return v, n, true
}

// bump is the smallest version above every version matching the first n
// parts of p.
func bump(p semver, n int) semver {
	switch n {
	case 1:
		return semver{p.major + 1, 0, 0}
	case 2:
		return semver{p.major, p.minor + 1, 0}
	}
	return semver{p.major, p.minor, p.patch + 1}
}

func comparatorMatch(v semver, comp string) bool {
	op := ""
	for _, o := range []string{">=", "<=", ">", "<", "=", "~", "^"} {
		if strings.HasPrefix(comp, o) {
			op, comp = o, comp[len(o):]
			break
		}
	}
	p, n, ok := partial(comp)
	if !ok {
		return false
	}
	if n == 0 {
		return op != "<" && op != ">"
	}
	lo, hi := p, bump(p, n)
	switch op {
	case "~":
		if n == 3 {
			hi = semver{p.major, p.minor + 1, 0}
		}
	case "^":
		switch {
		case p.major > 0 || n == 1:
			hi = semver{p.major + 1, 0, 0}
		case p.minor > 0 || n == 2:
			hi = semver{0, p.minor + 1, 0}
		}
	case ">=":
		return v.cmp(lo) >= 0
	case ">":
		return v.cmp(hi) >= 0
	case "<=":
		return v.cmp(hi) < 0
	case "<":
		return v.cmp(lo) < 0
	}
	return v.cmp(lo) >= 0 && v.cmp(hi) < 0
}

// cloudapiHeaders negotiates the version and sets the headers restify
// sends on every CloudAPI answer.
func (t *Triton) cloudapiHeaders(c *kit.Call) (semver, error) {
	h := c.Header()
	h.Set("Server", cloudAPIServer)
	h.Set("Date", c.Now.UTC().Format(http.TimeFormat))
	v, _, err := negotiateVersion(c.Request)
	if err != nil {
		return v, err
	}
	h.Set("Api-Version", v.String())
	c.Version = kit.Version{Major: v.major, Minor: v.minor}
	return v, nil
}

// cloudapiPingBefore is what /--ping sees: the version, and CloudAPI's
// header checks (a signature, when given, must parse; an old Date is
// refused), but no authentication.
func (t *Triton) cloudapiPingBefore(c *kit.Call) error {
	if _, err := t.cloudapiHeaders(c); err != nil {
		return err
	}
	if _, aerr := parseAuthorization(c.Request, authOptions{Now: time.Now()}); aerr != nil {
		return aerr.kit()
	}
	return nil
}

// cloudapiBefore runs ahead of every CloudAPI route but /--ping: the
// version, the signature (strict or permissive), the account (created on
// first sight in permissive mode), and the login in the path, which must
// be the caller's own.
func (t *Triton) cloudapiBefore(c *kit.Call) error {
	v, err := t.cloudapiHeaders(c)
	if err != nil {
		return err
	}
	o := authOptions{
		Now:        time.Now(), // clients stamp Date from the host's clock
		Strict:     t.cfg.strictAuth,
		Lookup:     t.lookupKey,
		NoSubUsers: v.cmp(semver{7, 2, 0}) < 0,
	}
	caller, aerr := verifySignedRequest(c.Request, o)
	if aerr != nil {
		return aerr.kit()
	}
	login := c.Var("login")
	if login != caller.Login {
		return authForbidden(login).kit()
	}
	now := t.lock()
	defer t.mu.Unlock()
	a := t.dc.accounts[login]
	if a == nil {
		if t.cfg.strictAuth {
			return authInvalidCredentials(authMsgInvalidCreds).kit()
		}
		a = t.addAccountLocked(Account{Login: login}, now)
	}
	c.Principal = kit.Principal{UserID: a.UUID, UserName: a.Login}
	c.Authenticated = true
	return nil
}

// kit is the error as the kit renders it: restify's body, this status,
// code and message.
func (e *authError) kit() *kit.Error { return restError(e.Status, e.Code, e.Message) }

// lookupKey finds an account's key by name or fingerprint (strict mode).
// Sub-users have no keys here.
func (t *Triton) lookupKey(login, user, keyID string) (PublicKey, bool) {
	if user != "" {
		return PublicKey{}, false
	}
	t.lock()
	defer t.mu.Unlock()
	a := t.dc.accounts[login]
	if a == nil {
		return PublicKey{}, false
	}
	k := a.keyLocked(keyID)
	if k == nil {
		return PublicKey{}, false
	}
	return k.PublicKey, true
}

// callerLocked is the account the call was authenticated as.
func (t *Triton) callerLocked(c *kit.Call) *account {
	return t.dc.accounts[c.Principal.UserName]
}

// CloudAPI's errors (restify's: InvalidArgument and MissingParameter are
// 409).
func invalidArgument(msg string) *kit.Error {
	return restError(http.StatusConflict, "InvalidArgument", msg)
}

func missingParameter(msg string) *kit.Error {
	return restError(http.StatusConflict, "MissingParameter", msg)
}

// decodeCloudAPI parses a JSON body (empty allowed) for CloudAPI:
// restify's 400 InvalidContent for malformed JSON.
func decodeCloudAPI(c *kit.Call, v any) error {
	if len(strings.TrimSpace(string(c.Body))) == 0 {
		return nil
	}
	return decode(c, v, true)
}
