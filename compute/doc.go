// Package compute is an in-process fake of OpenStack Nova (API v2.1, and
// the /v2 root Rackspace's cloudServersOpenStack serves) with a fake
// hypervisor behind it, in the manner of Nova's own fake virt driver: every
// server has a vm_state, a task_state and a power_state, every transition
// takes time on the shared clock, and the API status is derived from the
// states when a request arrives.
//
// # Using it
//
// In a Cloud (package mockcloud) compute is mounted per region from
// [Descriptor] at /compute/{region} and listed in the catalog as "nova"
// (…/v2.1/{project_id}), "cloudServersOpenStack" (…/v2/{tenant_id}) and
// Mimic's control API "cloudServersBehavior" (…/control/v2/{tenant_id});
// tokens come from identity. On its own:
//
//	srv := compute.New(t)                   // started; no token check; project from the URL
//	url := srv.URL() + "/v2.1/my-project"   // the compute endpoint
//	srv.Clock().Advance(30 * time.Second)   // BUILD -> ACTIVE
//
// [NewUnstarted] returns it unstarted, to serve its Handler yourself. Its
// options are fake.Option: fake.WithClock, fake.WithSeed and
// fake.WithRegion (RegionOne by default) on its own, and this package's
// [WithDurations], [WithQuota], [WithAvailabilityZones], [WithHosts],
// [WithReclaimInstanceInterval] and [WithoutDefaults] anywhere. IDs, passwords, MAC addresses and generated
// keypairs come from the service's own seeded stream: the same seed gives
// the same run.
//
// # What it fakes
//
//   - Version discovery and microversions 2.1 to 2.104 (OpenStack-API-Version
//     and X-OpenStack-Nova-API-Version, echoed; 406 outside the range), with
//     the microversion-dependent fields clients parse (flavor embedded from
//     2.47, locked 2.9, description 2.19, tags 2.26, trusted certificates
//     2.63, server_groups 2.71, locked_reason 2.73, hostname 2.90,
//     pinned_availability_zone 2.96, image properties 2.98, scheduler_hints
//     2.100, image_id from createImage 2.45 …). Update and rebuild answer
//     Nova's reduced view before 2.75, the full one after; the extended
//     server attributes and host_status are shown to admins only.
//   - Servers: create (validation, quota, min/max count, reservation IDs,
//     server groups and their placement, block device mappings), get, list
//     and detail with filters and limit/marker pagination, update, delete,
//     addresses, metadata; actions (reboot, resize/confirm/revert, rebuild,
//     start, stop, pause, suspend, lock, rescue, shelve, createImage,
//     createBackup, changePassword, console output, resetState,
//     forceDelete, restore, security groups, migrate, live migration,
//     evacuate, trigger_crash_dump, injectNetworkInfo, addFixedIp and
//     removeFixedIp, the pre-2.6 console actions), each refused with 409
//     in the vm_state or task_state where Nova refuses it; server tags
//     (2.26, and the tags filters of the list), os-server-password,
//     topology (2.78) and a server's migrations (list, show,
//     force_complete, abort).
//   - Soft delete: with [WithReclaimInstanceInterval], DELETE leaves a
//     server SOFT_DELETED (holding no quota) until restored,
//     force-deleted or reclaimed after the interval; restore answers 404
//     for an unknown server and 409 for one that is not soft-deleted.
//   - The operator APIs: os-services (a forced-down compute service is
//     what evacuate needs), os-hosts (until 2.42), os-aggregates,
//     os-migrations, os-simple-tenant-usage (from the servers' lifetimes
//     on the clock), os-flavor-access, os-quota-class-sets,
//     os-console-auth-tokens, os-server-external-events and the
//     hypervisor uptime (until 2.87).
//   - The proxy APIs Nova keeps until 2.35 (404 above): os-security-groups
//     and os-security-group-rules, os-networks and os-tenant-networks
//     (410 for what only nova-network did); /extensions.
//   - Flavors, images (through the compute proxy), keypairs, limits and
//     quotas, availability zones, server groups, volume and interface
//     attachments, diagnostics, remote consoles, instance actions and
//     hypervisors (see the files of the same names).
//   - A fake noVNC proxy beside the API (novnc.go): a novnc console's URL
//     leads to a page and a websocket that speaks RFB to a blank screen,
//     enough for Tempest's test_novnc and a browser's noVNC to connect.
//   - Failure injection: the faults of package fake, by op — every server
//     action is an op of its own, named by its key in the body
//     ([OpActionReboot] is "compute.servers.action.reboot"), so a fault can
//     name one action; Mimic's metadata presets (create_server_failure,
//     server_building, server_error, delete_server_failure, whose code is
//     honoured); Mimic's creation behaviors with server_name and metadata
//     criteria ([Compute.AddCreateBehavior], and over HTTP at Mimic's
//     control paths under /control/v2/{tenant}); status on demand
//     ([Compute.SetServerStatus], [Compute.ScheduleServerStatus]).
//   - Seeding and inspection bypassing HTTP: [Compute.AddServer],
//     [Compute.AddFlavor], [Compute.AddImage], [Compute.AddKeypair],
//     [Compute.Server], [Compute.Servers], [Compute.CheckServer] …
//
// # Mimic's contract
//
// Options give Mimic's Nova where it differs from Nova's (mockcloud's
// ProfileMimic lists them): [AnyRefs] (any imageRef and flavorRef; 404 for
// Mimic's invalid_image_ref IDs on GET /images/{id}), [MimicDurations]
// (ACTIVE, VERIFY_RESIZE, RESCUE and deletion at once), [MimicQuota] (no
// quota but Rackspace's 40 metadata items), [WithoutTokens] (no token
// check in a Cloud) and [MimicShapes] (progress in every status, the whole
// server from rebuild, unrescue 200). Each is usable alone.
//
// # Fidelity limits
//
//   - Networks are fixed: every server gets a private IPv4 address and a
//     public IPv4 (in the documentation ranges 203.0.113.0/24 and
//     198.51.100.0/24, which clients count as public) and IPv6 address
//     (Rackspace's layout); there is no Neutron, and network and port
//     UUIDs in requests are checked for form only. A server's security
//     groups are names; the proxy API's groups are kept per project and
//     made on first use for the names servers carry.
//   - Volumes are IDs: nothing checks that a volume exists in Cinder.
//   - Placement counts no resources: servers go round-robin to their
//     zone's hosts, or where a server group's policy puts them.
//   - No cells, no shares (2.97). Not served: the proxy APIs os-volumes,
//     os-snapshots, os-floating-ips, os-floating-ip-pools and
//     os-baremetal-nodes, os-instance-usage-audit-log and
//     os-assisted-volume-snapshots, and what Nova removed (410 there).
//     TestNovaAPISamples checks the answers of the rest against Nova's
//     published API samples by key paths and types (set NOVA_API_SAMPLES
//     to a checkout's doc/api_samples); it logs what it does not check. Aggregates, their zones and disabled
//     services do not steer placement; a live migration's progress grows
//     linearly and it is never queued; no guest posts a server password
//     (SetServerPassword seeds it); external events change nothing and are
//     taken from admins too (Nova's default policy wants the service
//     role). From 2.102 Nova refuses unknown query parameters on every
//     route; here only the routes that refuse them from 2.75 do. Image
//     properties (2.98) are read from the image at request time, not kept
//     from boot. The admin-only APIs (os-resetState, migrate,
//     os-migrateLive, evacuate, diagnostics, hypervisors, services, hosts,
//     aggregates, migrations, the usage of every project, flavor access,
//     flavor, quota and quota class
//     management, the zone detail, volume swap) check the admin role only
//     when tokens are checked; without a token check anyone may call them.
//   - A project's usage is counted from its live servers at request time,
//     with no reservations; creations are checked and stored one at a
//     time, so concurrent creates cannot together exceed the quota.
//   - Generated SSH keys are 2048-bit RSA, as Nova makes them; x509
//     certificates are over Ed25519 keys (Nova's are RSA).
package compute
