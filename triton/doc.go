// Package triton is an in-process fake of one Joyent Triton data center:
// its compute nodes behind CNAPI, its VMs behind VMAPI and its networks
// behind NAPI, in one state, on the shared clock, at the scale of 100,000
// mock compute nodes. CloudAPI (what triton-go and the triton CLI call) is
// served at the root of its own origin, a thin layer over this model:
// machines are VMAPI VMs owned by the account's UUID, its networks NAPI's,
// provisioning the same allocator and jobs; accounts and their keys
// (UFDS), packages (PAPI) and images (IMGAPI) are the model's too.
//
// # Using it
//
//	dc := triton.New(t)                           // every API on a loopback port of its own
//	dc.AddServers(1000, triton.DefaultProfile())  // mock CNs, heartbeating from now
//	vm, job, err := dc.CreateVM(triton.CreateVM{…})  // or POST dc.VMAPIURL()+"/vms"
//	dc.StopHeartbeats(uuid, dc.Now())             // chaos, as data
//	dc.Advance(15 * time.Second)                  // the CN is "unknown" in CNAPI
//
// The standalone server (cmd/mockcloud) serves each API on a port of its
// own (CloudAPI 8901, VMAPI 8902, CNAPI 8903, NAPI 8904 by default).
//
// In a Cloud (package mockcloud), mount [Descriptor]: CloudAPI is at
// cloud.TritonURL(), VMAPI, CNAPI and NAPI at cloud.ServiceURL("triton/vmapi", "")
// and so on, each at the root of an origin of its own, reachable in memory
// through cloud.Client(). Each API is a kit.Service of its own, journaled
// as service "triton" with the API as the region ("triton/cnapi"), so a
// fault can name one API. Errors are restify's {"code","message"} with
// restify's statuses; VMAPI's validation failures are 409 ValidationFailed,
// NAPI's 422 InvalidParameters and CNAPI's 500 InvalidParameters (as its
// ensureParamsValid sends them), all with "errors" per field.
// VMAPI, CNAPI and NAPI check no token: Triton's internal APIs have none.
// CloudAPI checks an HTTP Signature on every route but /--ping (httpsig.go):
// permissive by default (any well-formed signature; its login becomes an
// account on first sight), [WithStrictAuth] verifies it against the
// account's keys ([Triton.AddKey] or CreateKey). A login reaches only its
// own /<login>/… (403 otherwise).
//
// # Routes
//
// CloudAPI: GET /--ping; versions from Accept-Version (else x-api-version)
// over 7.0.0-9.0.0 (400 InvalidVersion), with Api-Version, Request-Id,
// Server and Date (the shared clock) on every answer. GET|POST /:login;
// GET|POST /:login/keys, GET|DELETE /:login/keys/:name-or-fingerprint;
// GET /:login/limits, /config, /datacenters[/:dc] (302), /services;
// GET /:login/images[/:id] (name, os, version, public, state, owner, type);
// GET /:login/packages[/:id-or-name]; GET /:login/networks[/:id];
// GET|POST /:login/fabrics/default/vlans, GET|PUT|DELETE …/vlans/:id,
// GET|POST …/vlans/:id/networks, GET|DELETE …/networks/:id;
// GET|HEAD|POST /:login/machines (filters name, state, type, brand,
// image, memory, tag.*, tags=*, tombstone; limit 1-1000, offset;
// x-query-limit, x-resource-count of the page); GET|DELETE
// /:login/machines/:id (410 with the machine once deleted); POST
// /:login/machines/:id?action= start, stop, reboot, resize, rename,
// enable_firewall, disable_firewall, enable_deletion_protection,
// disable_deletion_protection (202, each its own op); GET|POST|PUT|DELETE
// …/tags[/:key]; GET|POST|DELETE …/metadata[/:key]; GET|POST
// …/snapshots, GET|POST(boot)|DELETE …/snapshots/:name; GET|POST …/nics,
// GET|DELETE …/nics/:mac; GET|POST …/disks, GET|POST(resize)|DELETE
// …/disks/:id; GET …/audit. Errors are restify's: InvalidArgument and
// MissingParameter 409, ResourceNotFound 404, InvalidVersion 400,
// KeyRequired, UnallocatedVM, CannotDestroyMachineError 409.
//
// VMAPI: GET /ping; GET|POST /vms (filters owner_uuid, state incl.
// "active", server_uuid, alias (a glob), brand, image_uuid, billing_id,
// ram, uuid(s), tag.*; limit ≤ 1000, offset; newest first;
// x-joyent-resource-count); GET|PUT|DELETE /vms/:uuid; POST
// /vms/:uuid?action= start, stop, kill, reboot, update, reprovision,
// add_nics, update_nics, remove_nics, create_snapshot, rollback_snapshot,
// delete_snapshot, create_disk, resize_disk, delete_disk (bhyve, stopped);
// GET|POST|PUT|DELETE /vms/:uuid/{tags,customer_metadata,internal_metadata}[/:key];
// GET /vms/:uuid/jobs, /jobs, /jobs/:uuid, /jobs/:uuid/wait; GET /statuses.
//
// CNAPI: GET /ping; GET /servers (uuids, hostname, setup, headnode,
// reserved, extras=agents,vms,sysinfo,memory,disk,capacity,status,all;
// limit 1-1000, offset); GET|POST|DELETE /servers/:uuid; PUT
// /servers/:uuid/setup and /factory-reset, POST /servers/:uuid/reboot
// (202 {job_uuid}); POST /servers/:uuid/sysinfo, /events/heartbeat (204),
// /events/status (204); GET /servers/:uuid/vms[/:vm]; PUT
// /servers/:uuid/nics (update-nics); POST /servers/:uuid/install-agent and
// /uninstall-agents (tasks); GET /servers/:uuid/task-history; tickets
// (POST|GET /servers/:uuid/tickets, GET|DELETE /tickets/:uuid, GET
// /tickets/:uuid/wait, PUT /tickets/:uuid/release); GET /tasks/:id[/wait];
// POST /allocate, /capacity; GET|PUT|POST /boot/:uuid; GET /platforms;
// GET /jobs/:uuid.
//
// NAPI: GET /ping; GET|POST /networks, GET|DELETE /networks/:uuid, POST
// /networks/:uuid/nics; GET|POST /network_pools, GET|DELETE
// /network_pools/:uuid; GET|POST /nic_tags, GET|DELETE /nic_tags/:name;
// GET /nics (belongs_to_uuid, belongs_to_type, owner_uuid, nic_tag,
// network_uuid), GET|PUT|DELETE /nics/:mac.
//
// # The model
//
// A compute node keeps its profile (shared hardware), its phase and the
// instants it stopped and resumed heartbeating; its sysinfo (the dummy
// backend's: System Type "Virtual", hostname VC + 8 hex, 16 disks, the
// admin NIC's IP and MAC) is rendered on read. Heartbeats every 5 s, the
// reconciler's 5 s tick and its 11 s lifetime are closed-form: status and
// last_heartbeat are computed from the clock, so 100,000 CNs cost nothing
// per tick. unreserved_ram is ram × (1 − 0.15) − the VMs' memory. The
// allocator keeps setup CNs in a treap ordered by unreserved RAM and walks
// it from the emptiest: setup, running, not reserved, not a headnode,
// enough RAM and disk, traits, fewer than 224 VMs (WithVMCap).
//
// Jobs run on the shared clock: queued for one step, then one step per
// Durations.Step through the real workflow's chain (provision-8.2.4,
// start-7.0.8 …); a job's effect (the VM running, stopped, destroyed, a tag
// set) lands when it ends. A VM is "provisioning" until its provision job
// ends, then running (or stopped without autoboot), or failed. Every NIC,
// a CN's admin NIC included, comes from NAPI with a unique IP from its
// network's provision range and a MAC from 00:10:fe.
//
// Chaos is data: [Triton.StopHeartbeats], [Triton.ResumeHeartbeats],
// [Triton.RebootServer], [Triton.LoseDisk], [Triton.FailProvisions] and
// [Triton.AddJobFault] (fail or hang a job at a named step). A whole DC
// loads from listings with [Triton.LoadDC].
//
// # Fidelity limits
//
//   - CloudAPI: no RBAC (sub-users sign as their account, permissive
//     only; no users, roles, policies or role tags), access keys,
//     firewall rules, volumes, migrations, VNC, image creation, import,
//     export or sharing, docker, CNS names, credentials=true, or the
//     provision_limits plugin (limits are []). Locality hints are
//     ignored; affinity rules (==, !=, soft ~; instance/container names or
//     IDs, tags; exact, glob or /regex/) narrow or exclude servers in the
//     allocator. Request-Id is a fresh UUID (a client's own request-id is
//     not echoed, as restify would). Machines list newest
//     first. Metadata values are stored as strings (others as their JSON),
//     root_authorized_keys included, as CloudAPI adds it at create. A
//     destroyed machine keeps the NICs it had in its rendering.
//   - HTTP Signatures (httpsig.go): no token auth (X-Auth-Token),
//     pre-signed URLs or HMAC (refused as CloudAPI refuses it), no disabled
//     accounts; the required date header (date or x-date) is chosen per
//     request, not fixed by the first request as CloudAPI's parser does;
//     dates in forms other than the usual RFC 1123/850, asctime and ISO
//     8601 are not checked for skew, and zones other than GMT and UTC are
//     taken as UTC; RSA keys under 1024 bits do not verify.
//   - No IMGAPI or PAPI APIs: CloudAPI's images and packages are seeded
//     lists ([Triton.AddImage], [Triton.AddPackage]); VMAPI takes
//     image_uuid and billing_id as given.
//   - A VM whose CN stops heartbeating keeps the state VMAPI last had (as in
//     Triton, where VMAPI hears nothing more); a lost disk fails its VMs.
//   - Waitlist tickets serialize by server, scope and id, but /wait answers
//     at once (409 TicketNotActive for a queued ticket); jobs take no
//     tickets. /jobs/:uuid/wait and /tasks/:id/wait block until the end on
//     the shared clock; a hung job's wait returns when the client gives up.
//   - Sort orders are fixed (servers by UUID, VMs newest first, NICs and
//     networks in creation order); VMAPI's sort, predicate and fields
//     parameters, CNAPI's fields, and NAPI's IPs, aggregations, fabrics'
//     VLANs API and IPv6 are not modelled. A fabric network is a network
//     with an owner (AddFabric).
//   - update-nics and setup/factory-reset are jobs with short made-up
//     chains; agent install and uninstall are tasks.
//   - Compute nodes and chaos are also served over the control API
//     (control.go: /mockcloud/v1/triton/servers, …/job-faults,
//     …/provision-failures, …/dc). Networks, NIC tags and VMs can be added
//     there only through /dc, and a /dc that fails keeps what loaded before
//     the failure.
package triton
