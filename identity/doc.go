// Package identity is an in-process fake of OpenStack Keystone (v3 and v2.0)
// with the Rackspace Identity 2.0 extensions, for tests that drive a real
// client such as gophercloud.
//
// # What it fakes
//
//   - Version discovery: GET / answers 300 with v3 and v2.0; GET /v3 and GET /v2.0.
//   - Keystone v3: POST /v3/auth/tokens (password, token and
//     application_credential methods; project scope by ID or by name and
//     domain, domain scope for a user with a role on the domain, system
//     scope {"system":{"all":true}} for a user with a role on the system,
//     unscoped), answering 201 with X-Subject-Token and a body with
//     catalog, project, domain or system, user, roles, methods, audit_ids,
//     expires_at, issued_at and application_credential; GET, HEAD and
//     DELETE /v3/auth/tokens (validate, check, revoke; ?nocatalog); GET
//     /v3/auth/catalog, /v3/auth/projects, /v3/auth/domains,
//     /v3/auth/system.
//   - Keystone v3 administration, with Keystone's default policies (the
//     admin role, in any scope, may do everything; a system reader may
//     read; others get 403): users (list with name, domain_id and enabled
//     filters, create, show, update, delete, and a user's own POST
//     /v3/users/{id}/password), projects (list with name, domain_id,
//     enabled, parent_id, tags, tags-any, not-tags and not-tags-any; create
//     with parent_id, show with parents_as_list, parents_as_ids,
//     subtree_as_list and subtree_as_ids; update; delete), project tags
//     (list, replace, add, check, delete one, delete all), domains (list,
//     create, show, update, delete once disabled), roles (list, create,
//     show, delete), role assignments for users on projects, domains and the
//     system (grant, check, list, revoke), GET /v3/role_assignments
//     (user.id, scope.project.id, scope.domain.id, scope.system, role.id,
//     include_names, effective), application credentials (create with a
//     given or generated secret, roles, expires_at, unrestricted and
//     access_rules; list, show, delete), the user's access rules (list
//     with service, path and method filters, show, delete once no
//     credential names them; shared by credentials, kept after them; not
//     enforced on the tokens), EC2 credentials under
//     /v3/users/{id}/credentials/OS-EC2 and /v3/credentials.
//   - Keystone v2.0: POST /v2.0/tokens (passwordCredentials, token), GET and
//     HEAD /v2.0/tokens/{id} (with belongsTo), GET /v2.0/tenants.
//   - Rackspace 2.0: RAX-KSKEY:apiKeyCredentials, GET
//     /v2.0/tokens/{id}/endpoints, POST /v2.0/RAX-AUTH/impersonation-tokens
//     (identity admins only: the roles identity:admin,
//     identity:service-admin, Racker or admin; others get 403
//     {"forbidden":…}; expire-in-seconds at most [MaxImpersonationSeconds],
//     the default, and never past the impersonator's own token), GET
//     /v2.0/users?name=, a user's credentials under OS-KSADM, GET
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
// The user named admin in the default domain follows DevStack's
// convention: created on first sight (with any password; DevStack's
// ADMIN_PASSWORD works as well as any) it holds the admin role, with
// member and reader, on the project admin (its default project) and on
// the system, so a client of the standalone server can act as an admin.
// With [Strict], only seeded users with the right password or API key get
// in; [Identity.Bootstrap] seeds the same admin there.
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
// [Identity.AddProject], [Identity.AddRole], [Identity.Grant],
// [Identity.GrantDomain], [Identity.GrantSystem], [Identity.Bootstrap])
// and inspect what was issued ([Identity.Tokens], [Identity.CheckToken],
// [Identity.Credentials]).
//
// In a Cloud, [Descriptor] mounts it once at /identity, with Mimic's
// control path at the Cloud's root. It is the Cloud's token authority
// ([kit.Authority]): every other service checks X-Auth-Token with
// [Identity.Authenticator], and the Cloud lists what it mounts with
// [Identity.AddCatalogServices]. Its users default to the Cloud's first
// region; fake.WithClock, fake.WithSeed and WithRegions are the Cloud's to
// set, and are refused.
//
// # Mimic's contract
//
// Options give Mimic's (and Rackspace's) identity where it differs from the
// permissive default (mockcloud's ProfileMimic lists them):
// [OneTenantPerUser] (401 for a tenantId the user does not own),
// [WallClockExpiry] (expires a day of wall time out), [WithDefaultRegion]
// (DFW in Mimic; usable in a Cloud), [WithMimicPresets] (Mimic's
// "identity" presets listed; its special tokens get no special roles here)
// and [MimicShapes] (v2.0 roles with a description). Each is usable alone.
//
// # Fidelity limits
//
//   - No TOTP, OAuth, federation, trusts, groups, implied-role rules,
//     domain-specific roles, limits or endpoint administration. Keystone's
//     bootstrap roles imply one another (admin > member > reader) only
//     where policies are checked; tokens list the roles assigned.
//   - Policies are Keystone's defaults in outline: rule:admin_required is
//     the admin role in any scope; a system reader is any role on the
//     system scope; domain readers and managers get no extra rights.
//   - GET /v3/projects lists every project to an admin or a system reader
//     and only the caller's own projects to anyone else, where real
//     Keystone's default policy answers 403 to non-admins.
//   - Application credentials keep their secret (Keystone keeps a hash);
//     access rules are recorded and shown, not enforced.
//   - Deleting a domain deletes its users and projects; Keystone does too,
//     but this fake does not check what other services hold for them.
//   - v3 errors use Keystone's {"error":{"code","message","title"}}; v2.0
//     and Rackspace routes use Rackspace's {"unauthorized":{"code","message"}}
//     family of bodies, as Rackspace Identity (and Mimic) do.
//   - Token IDs are 32 hex digits (Keystone's old UUID tokens), not Fernet.
//   - Keystone's schema errors carry its "Invalid input for field" message
//     without the schema detail that follows it.
//   - Request bodies over 1 MiB answer 413 in the API's error format.
package identity
