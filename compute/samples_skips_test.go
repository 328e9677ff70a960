package compute_test

// novaSampleSkips says why a response sample (by path, or a whole folder)
// is not checked by TestNovaAPISamples; the test logs them as a table.
var novaSampleSkips = map[string]string{
	// APIs Nova removed (410 Gone in Nova), or that only nova-network had.
	"consoles":                             "removed from Nova in 21.0.0 (410); the fake does not serve it",
	"os-agents":                            "removed from Nova in 22.0.0 (410); the fake does not serve it",
	"os-baremetal-nodes":                   "proxy API to Ironic (until 2.35); the fake does not serve it",
	"os-cells":                             "cells v1, removed from Nova in 20.0.0 (410); the fake has no cells",
	"os-certificates":                      "removed from Nova in 16.0.0 (410); the fake does not serve it",
	"os-cloudpipe":                         "removed from Nova in 16.0.0 (410); the fake does not serve it",
	"os-fixed-ips":                         "nova-network only, removed from Nova in 18.0.0 (410); the fake does not serve it",
	"os-floating-ip-dns":                   "nova-network only, removed from Nova in 18.0.0 (410); the fake does not serve it",
	"os-floating-ips-bulk":                 "nova-network only, removed from Nova in 18.0.0 (410); the fake does not serve it",
	"os-fping":                             "nova-network only, removed from Nova in 18.0.0 (410); the fake does not serve it",
	"os-security-group-default-rules":      "nova-network only, removed from Nova in 21.0.0 (410); the fake does not serve it",
	"os-virtual-interfaces":                "nova-network only, removed from Nova in 18.0.0 (410); the fake does not serve it",
	"os-networks/network-create-resp.json": "creating a network was nova-network only: Nova and the fake answer 410",
	"os-tenant-networks/networks-post-res.json":         "creating a network was nova-network only: Nova and the fake answer 410",
	"os-remote-consoles/get-rdp-console-post-resp.json": "RDP consoles left with the Hyper-V driver (Nova 29.0.0): Nova and the fake answer 400",

	// APIs Nova has that the fake does not serve.
	"os-floating-ips":              "proxy API to Neutron (until 2.35); the fake does not serve it",
	"os-floating-ip-pools":         "proxy API to Neutron (until 2.35); the fake does not serve it",
	"os-volumes":                   "proxy API to Cinder (until 2.35); the fake does not serve it",
	"os-snapshots":                 "proxy API to Cinder (until 2.35); the fake does not serve it",
	"os-assisted-volume-snapshots": "Cinder's internal API; the fake does not serve it",
	"os-instance-usage-audit-log":  "the fake does not serve it",
	"os-server-shares":             "shares (2.97, Manila) are not faked",

	// Nova configurations the fake does not have.
	"os-quota-sets-noop":                            "the answers of Nova's NoopQuotaDriver (every limit -1); the fake keeps quotas",
	"os-services/v2.69/services-list-get-resp.json": "a cell that is down (2.69); the fake has no cells",
	"servers/v2.69/server-get-resp.json":            "a cell that is down (2.69); the fake has no cells",
	"servers/v2.69/servers-details-resp.json":       "a cell that is down (2.69); the fake has no cells",
	"servers/v2.69/servers-list-resp.json":          "a cell that is down (2.69); the fake has no cells",
	"servers/v2.71/server-get-down-cell-resp.json":  "a cell that is down; the fake has no cells",
}
