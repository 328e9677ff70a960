// Package identity is an in-process fake of OpenStack Keystone (v3 and v2.0)
// with the Rackspace Identity 2.0 extensions, for tests that drive a real
// client such as gophercloud.
//
// # What it fakes
//
//   - Version discovery: GET / answers 300 with v3 and v2.0; GET /v3 and GET /v2.0.
//   - Keystone v3: POST /v3/auth/tokens (password and token methods; project
//     scope by ID or by name and domain, domain scope, unscoped), answering 201
//     with X-Subject-Token and a body with catalog, project, user, roles,
//     methods, audit_ids, expires_at and issued_at; GET, HEAD and DELETE
//     /v3/auth/tokens (validate, check, revoke; ?nocatalog); GET
//     /v3/auth/catalog, /v3/auth/projects, /v3/projects, /v3/projects/{id},
//     /v3/users/{id}/projects.
//   - Keystone v2.0: POST /v2.0/tokens (passwordCredentials, token), GET and
//     HEAD /v2.0/tokens/{id} (with belongsTo), GET /v2.0/tenants.
//   - Rackspace 2.0: RAX-KSKEY:apiKeyCredentials, GET
//     /v2.0/tokens/{id}/endpoints, POST /v2.0/RAX-AUTH/impersonation-tokens,
//     GET /v2.0/users?name=, a user's credentials under OS-KSADM, GET
//     /v1.1/mosso/{tenant} (301, as Rackspace and Mimic answer).
//   - Mimic's authentication behaviors ("fail", "sequence" with "default"),
//     in Go ([Identity.AddAuthBehavior]) and at Mimic's control path
//     /mimic/v1.1/IdentityControlAPI/behaviors/auth. Their IDs are
//     UUID-shaped counters: registering one draws nothing from the random
//     stream, so it never shifts the IDs identity hands out.
//
// By default it is permissive, as Mimic is: any credentials are accepted,
// the user is created on first sight with a project of their own, the same
// user name always gets the same user and project, and a project named in a
// request that does not exist yet is created with the user as a member.
// With [Strict], only seeded users with the right password or API key get in.
// Tokens expire by the shared clock ([WithTokenLifetime], 24 hours by
// default); revoked and expired tokens are refused everywhere.
//
// # Using it
//
// [New] starts it on a loopback port for one test and closes it when the
// test ends; [NewUnstarted] returns it for embedding (serve its Handler).
// Options are fake.Option: the shared fake.WithClock and fake.WithSeed, and
// this package's [Strict], [WithTokenLifetime], [WithRegions] and
// [WithCatalog]. Seed users, projects and roles in Go ([Identity.AddUser],
// [Identity.AddProject], [Identity.Grant]) and inspect what was issued
// ([Identity.Tokens], [Identity.CheckToken]).
//
// In a Cloud, [Descriptor] mounts it once at /identity, with Mimic's
// control path at the Cloud's root. It is the Cloud's token authority
// ([kit.Authority]): every other service checks X-Auth-Token with
// [Identity.Authenticator], and the Cloud lists what it mounts with
// [Identity.AddCatalogServices]. Its users default to the Cloud's first
// region; fake.WithClock, fake.WithSeed and WithRegions are the Cloud's to
// set, and are refused.
//
// # Fidelity limits
//
//   - No application credentials, TOTP, OAuth, federation, trusts or
//     system scope; no user, project, role or domain administration API
//     (seed those in Go).
//   - GET /v3/projects lists every project to a token with the admin role
//     and only the caller's own projects to anyone else, where real
//     Keystone's default policy answers 403 to non-admins.
//   - v3 errors use Keystone's {"error":{"code","message","title"}}; v2.0
//     and Rackspace routes use Rackspace's {"unauthorized":{"code","message"}}
//     family of bodies, as Rackspace Identity (and Mimic) do.
//   - Token IDs are 32 hex digits (Keystone's old UUID tokens), not Fernet.
//   - Keystone's schema errors carry its "Invalid input for field" message
//     without the schema detail that follows it.
//   - Request bodies over 1 MiB answer 413 in the API's error format.
package identity
