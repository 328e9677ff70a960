// The deprecated proxy APIs Nova still serves: /extensions (the fixed
// v2.1 list), os-networks and os-tenant-networks (the fake's two networks,
// until 2.35; what only nova-network did answers 410).

package compute

import (
	"net/http"
	"sort"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the proxy APIs.
const (
	OpListExtensions     = "compute.extensions.list"
	OpGetExtension       = "compute.extensions.get"
	OpListNetworks       = "compute.networks.list"
	OpGetNetwork         = "compute.networks.get"
	OpNetworkGone        = "compute.networks.removed"
	OpListTenantNetworks = "compute.tenant-networks.list"
	OpGetTenantNetwork   = "compute.tenant-networks.get"
	OpTenantNetworkGone  = "compute.tenant-networks.removed"
)

// maxProxyMinor is MAX_PROXY_API_SUPPORT_VERSION (2.35): the proxy APIs
// answer 404 above it.
const maxProxyMinor = 35

func (c *Compute) proxyRoutes() []kit.Route {
	return []kit.Route{
		route(OpListExtensions, "GET", "/extensions", c.listExtensions),
		route(OpGetExtension, "GET", "/extensions/{alias}", c.getExtension),
		route(OpListNetworks, "GET", "/os-networks", c.listNetworks),
		route(OpGetNetwork, "GET", "/os-networks/{network_id}", c.getNetwork),
		route(OpNetworkGone, "POST", "/os-networks", networkGone),
		route(OpNetworkGone, "POST", "/os-networks/add", networkGone),
		route(OpNetworkGone, "DELETE", "/os-networks/{network_id}", networkGone),
		route(OpNetworkGone, "POST", "/os-networks/{network_id}/action", networkGone),
		route(OpListTenantNetworks, "GET", "/os-tenant-networks", c.listNetworks),
		route(OpGetTenantNetwork, "GET", "/os-tenant-networks/{network_id}", c.getNetwork),
		route(OpTenantNetworkGone, "POST", "/os-tenant-networks", networkGone),
		route(OpTenantNetworkGone, "DELETE", "/os-tenant-networks/{network_id}", networkGone),
	}
}

// extension is one entry of Nova's extension list.
type extension struct{ alias, name, description string }

// extensionJSON is an extension as /extensions shows it.
type extensionJSON struct {
	Alias       string   `json:"alias"`
	Description string   `json:"description"`
	Links       []string `json:"links"`
	Name        string   `json:"name"`
	Namespace   string   `json:"namespace"`
	Updated     string   `json:"updated"`
}

func (e extension) json() extensionJSON {
	return extensionJSON{Alias: e.alias, Description: e.description, Links: []string{}, Name: e.name,
		Namespace: "http://docs.openstack.org/compute/ext/fake_xml", Updated: "2014-12-03T00:00:00Z"}
}

// extensionsOf is the list for the call's root: the /v2 root adds
// OS-EXT-VIF-NET and sorts by alias, as Nova's legacy list does.
func extensionsOf(call *kit.Call) []extension {
	if versionRoot(call) != "/v2" {
		return novaExtensions
	}
	out := append(append([]extension(nil), novaExtensions...), extension{"OS-EXT-VIF-NET", "ExtendedVIFNet", "Adds network id parameter to the virtual interface list."})
	sort.Slice(out, func(i, j int) bool { return out[i].alias < out[j].alias })
	return out
}

func (c *Compute) listExtensions(call *kit.Call) (kit.Reply, error) {
	exts := extensionsOf(call)
	out := make([]extensionJSON, 0, len(exts))
	for _, e := range exts {
		out = append(out, e.json())
	}
	return kit.OK(struct {
		Extensions []extensionJSON `json:"extensions"`
	}{out}), nil
}

func (c *Compute) getExtension(call *kit.Call) (kit.Reply, error) {
	alias := call.Var("alias")
	for _, e := range extensionsOf(call) {
		if e.alias == alias {
			return kit.OK(struct {
				Extension extensionJSON `json:"extension"`
			}{e.json()}), nil
		}
	}
	return kit.Reply{}, kit.NotFound("The resource could not be found.")
}

// proxyVersion is the 404 Nova answers a proxy API above 2.35.
// proxyOnly serves h only at the microversions the proxy APIs have.
func proxyOnly(h kit.Handler) kit.Handler {
	return func(call *kit.Call) (kit.Reply, error) {
		if err := proxyVersion(call); err != nil {
			return kit.Reply{}, err
		}
		return h(call)
	}
}

func proxyVersion(call *kit.Call) error {
	if versionOf(call).AtLeast(maxProxyMinor + 1) {
		return kit.NotFound("The resource could not be found.")
	}
	return nil
}

// fakeNetwork is one of the two networks every server is on.
type fakeNetwork struct{ id, name string }

var fakeNetworks = []fakeNetwork{{privateNetworkID, "private"}, {publicNetworkID, "public"}}

// networkJSON is a network as os-networks shows it: null but for id and
// label now that nova-network is gone, and for an admin the system
// fields, null too.
type networkJSON struct {
	ID        string  `json:"id"`
	Label     string  `json:"label"`
	CIDR      *string `json:"cidr"`
	Netmask   *string `json:"netmask"`
	Gateway   *string `json:"gateway"`
	Broadcast *string `json:"broadcast"`
	DNS1      *string `json:"dns1"`
	DNS2      *string `json:"dns2"`
	CIDRv6    *string `json:"cidr_v6"`
	GatewayV6 *string `json:"gateway_v6"`
	NetmaskV6 *string `json:"netmask_v6"`
	*networkAdminJSON
}

// networkAdminJSON are the members os-networks adds for an admin.
type networkAdminJSON struct {
	CreatedAt         *string `json:"created_at"`
	UpdatedAt         *string `json:"updated_at"`
	DeletedAt         *string `json:"deleted_at"`
	Deleted           *bool   `json:"deleted"`
	Injected          *bool   `json:"injected"`
	Bridge            *string `json:"bridge"`
	VLAN              *int    `json:"vlan"`
	VPNPublicAddress  *string `json:"vpn_public_address"`
	VPNPublicPort     *int    `json:"vpn_public_port"`
	VPNPrivateAddress *string `json:"vpn_private_address"`
	DHCPStart         *string `json:"dhcp_start"`
	ProjectID         *string `json:"project_id"`
	Host              *string `json:"host"`
	BridgeInterface   *string `json:"bridge_interface"`
	MultiHost         *bool   `json:"multi_host"`
	Priority          *int    `json:"priority"`
	RxTxBase          *int    `json:"rxtx_base"`
	MTU               *int    `json:"mtu"`
	DHCPServer        *string `json:"dhcp_server"`
	EnableDHCP        *bool   `json:"enable_dhcp"`
	ShareAddress      *bool   `json:"share_address"`
}

// tenantNetworkJSON is a network as os-tenant-networks shows it: its cidr
// the string "None", what Nova has always answered over Neutron.
type tenantNetworkJSON struct {
	ID    string `json:"id"`
	CIDR  string `json:"cidr"`
	Label string `json:"label"`
}

// networkOf renders n for the call's API.
func networkOf(call *kit.Call, n fakeNetwork) any {
	if strings.Contains(call.Request.URL.Path, "/os-tenant-networks") {
		return tenantNetworkJSON{ID: n.id, CIDR: "None", Label: n.name}
	}
	out := networkJSON{ID: n.id, Label: n.name}
	if adminAllowed(call) {
		out.networkAdminJSON = &networkAdminJSON{}
	}
	return out
}

func (c *Compute) listNetworks(call *kit.Call) (kit.Reply, error) {
	if err := proxyVersion(call); err != nil {
		return kit.Reply{}, err
	}
	out := make([]any, 0, len(fakeNetworks))
	for _, n := range fakeNetworks {
		out = append(out, networkOf(call, n))
	}
	return kit.OK(struct {
		Networks []any `json:"networks"`
	}{out}), nil
}

func (c *Compute) getNetwork(call *kit.Call) (kit.Reply, error) {
	if err := proxyVersion(call); err != nil {
		return kit.Reply{}, err
	}
	for _, n := range fakeNetworks {
		if n.id == call.Var("network_id") {
			return kit.OK(struct {
				Network any `json:"network"`
			}{networkOf(call, n)}), nil
		}
	}
	return kit.Reply{}, kit.NotFound("Network not found")
}

// networkGone is what only nova-network did: removed in 21.0.0, 410.
func networkGone(*kit.Call) (kit.Reply, error) {
	return kit.Reply{}, kit.Errorf(http.StatusGone, "This resource is no longer available.  No forwarding address is given.")
}
