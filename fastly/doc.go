// Package fastly is an in-process fake of the Fastly API
// (https://api.fastly.com) for tests that drive a real client: the fastly
// npm package, go-fastly, the Fastly CLI or plain HTTP.
//
// # Using it
//
// In a Cloud (package mockcloud) it is mounted once, at /fastly, as in
// Mimic ([Descriptor]); it has no catalog entry. On its own:
//
//	f := fastly.New(t)                    // started; closed when the test ends
//	base := f.URL()                       // what clients know as https://api.fastly.com
//	f.SlowActivations("", time.Minute)    // activations complete a minute later on the clock
//	f.Clock().Advance(time.Minute)
//	f.Purges()                            // what was purged, for assertions
//
// [NewUnstarted] returns one to embed (serve f.Handler() yourself). On its
// own it takes the shared options fake.WithClock and fake.WithSeed; in a
// Cloud it shares the Cloud's clock, seed, journal and faults, and refuses
// those options.
//
// Authentication is Fastly's, not Keystone's: the Fastly-Key header, even
// in a Cloud. By default any non-empty key is accepted (and remembered, for
// /tokens/self); with [Strict] or [WithKeys] only seeded keys pass. A
// missing, unknown, revoked (DELETE /tokens/self) or expired key gets 401
// {"msg":"Provided credentials are missing or invalid"}. Purging a URL
// needs no key, as on Fastly.
//
// # What it fakes
//
// Request bodies are read as Fastly reads them: form-encoded (what the
// official clients send, including repeated and name[] list fields) or
// JSON (what the newer endpoints take, such as response objects, batch
// dictionary items and batch purges); query parameters are read as well,
// for old clients. Unknown parameters are ignored, as Fastly ignores them.
// Responses carry Fastly's field names and its quirks: "version" is a
// number on domains, backends, healthchecks, VCLs, dictionaries and
// settings but a string on conditions, headers, cache and request
// settings, response objects, gzips, snippets and logging; priorities,
// TTLs and flags such as ignore_if_set are strings there too; unset
// optional fields are null. Errors are {"msg","detail"} with Fastly's
// statuses: 400 "Bad request" for invalid input, 404 "Record not found"
// (with Fastly's "Couldn't find Backend '{ ... }'" details), 409
// "Duplicate record" for a name already used in a version, 413, 415, and
// a 500 "Internal server error" should a handler of the fake fail.
//
//   - Account: GET /current_customer, GET /current_user, GET and DELETE
//     /tokens/self.
//   - Services: create, list (page, per_page, sort, direction, with a Link
//     header), get, details (/service/{id}/details with versions,
//     active_version and version as objects holding every resource;
//     ?version=N), search by name, update, delete (refused while a version
//     is active; a deleted service is gone from lists and answers 404),
//     and GET /service/{id}/domain.
//   - Versions: create, list, get, update (comment), clone, activate,
//     deactivate, lock, validate. Activation validates the version (at
//     least one domain; every condition, health check and main VCL that is
//     referred to exists) and locks it. An active or locked version cannot
//     be edited: 422 {"msg":"Version locked"}, as the API answers; clone it.
//   - Per version, each with list, create, get, update and delete: domain
//     (plus check_all and check, see [Fastly.SetDomainCNAME]), backend,
//     healthcheck, condition, header, cache_settings, request_settings,
//     response_object, gzip, snippet (versioned and dynamic, whose content
//     is edited through /service/{id}/snippet/{id} without a new version),
//     vcl (plus main and download), dictionary (plus info), logging/syslog,
//     and settings (get, update).
//   - Dictionary items, which are not versioned: list (paginated), create,
//     get, update (PATCH), upsert (PUT), delete, and the all-or-nothing JSON
//     batch (PATCH .../items with create, update, upsert and delete ops).
//   - Purge: purge_all, one surrogate key, a batch of up to 256 keys (JSON
//     or Surrogate-Key header, answered with each key's ID), and a URL
//     (POST /purge/{host}/{path}); Fastly-Soft-Purge is recorded. The
//     history is in [Fastly.Purges].
//
// # Failure injection
//
// The generic faults of package fake apply to every route: each route has
// an op of its own, named by the Op constants (fastly.backend.create …),
// and a fault answers in Fastly's error format unless it brings a body. [Fastly.AddActivationBehavior] (and its shorthands
// [Fastly.FailActivations], [Fastly.SlowActivations]) makes activations
// fail with Fastly's 400 for a VCL that does not compile, or take time on
// the shared clock: the version is locked at once but becomes active, and
// the previous one inactive, only when the clock has moved on.
//
// # Seeding and inspection
//
// [Fastly.AddService] seeds a whole service with its versions and
// resources; [Fastly.AddKey] and [Fastly.AddToken] seed keys;
// [Fastly.SetDictionaryItem] seeds items. [Fastly.Services],
// [Fastly.Service], [Fastly.DictionaryItems], [Fastly.Purges] and
// [Fastly.Tokens] return copies; [Fastly.CheckService] reports how a
// service differs from what a test expects.
//
// # Mimic's contract
//
// Options give Mimic's Fastly where it differs from Fastly's (mockcloud's
// ProfileMimic lists them): [WithoutKey] (no Fastly-Key needed) and
// [MimicShapes] (GET /service/search adds Mimic's service_details and
// service_name, the customer and versions carry Mimic's legacy fields, and
// GET / answers {"status":"ok"} as [OpHealth]). Each is usable alone.
//
// # Fidelity limits
//
//   - One customer and one user own everything; there is no user, customer,
//     IAM, billing or token-creation API. Token scopes (global,
//     global:read, purge_select, purge_all) and service limits are
//     enforced with 403; the wording of their details is the fake's.
//   - Nothing is served at the edge: purges are recorded, not applied to a
//     cache, and domain checks report a domain as pointed at Fastly only
//     when told to ([Fastly.SetDomainCNAME]).
//   - VCL is stored, never compiled; validation checks references between
//     objects, not VCL syntax. Activation failures are injected instead.
//   - Only syslog among the logging endpoints; no ACLs, directors, pools,
//     rate limiters, TLS, Compute packages, environments (staging) or
//     stats. Wasm services are accepted but not given packages.
//   - Defaults Fastly does not document (for example a new health check's
//     threshold and window) are the fake's choice; the locked-version
//     error's detail is the fake's wording (its 422 and msg are the API's),
//     as are details of validation messages.
//   - No rate limiting: Fastly-RateLimit-* headers are not sent; inject a
//     429 fault to test a client's handling.
//   - JSON objects are rendered with their members in the fake's order,
//     not Fastly's (clients do not depend on member order).
package fastly
