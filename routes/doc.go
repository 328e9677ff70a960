// Package routes is mockcloud's programmable routes: HTTP answers as data,
// for the APIs mockcloud has no fake of, usable from any language through
// the standalone server and from Go.
//
// # Rules
//
// A [Set] is a named, ordered list of [Rule]s; the first rule that matches
// a request answers it. A rule matches on (every field given must hold):
//
//   - method: "GET", "GET,HEAD"; empty or "*" is any;
//   - path: a pattern of literal segments, {name} for one segment and a
//     last {name...} for the rest ("/v1/items/{id}", "/files/{path...}");
//   - query: parameters that must have these values (the first value);
//   - headers: headers that must have these values (the first value);
//   - body: fields of a JSON body, each a dotted path (an array element by
//     its index: "server.networks.0.uuid") equal to a JSON value;
//   - state: the set's scenario state (see below).
//
// It answers a status (200 by default), headers, and a body rendered by
// text/template over a [Request]: .Method, .Path, .Vars (the path's
// variables), .Query, .Headers (by canonical name: {{index .Headers
// "X-Auth-Token"}}), .Body (the JSON body decoded), .RawBody, .Now (the
// Cloud's clock) and .State; with the functions json (a value as JSON) and
// uuid (from the service's seeded stream). A body is sent as
// application/json unless the rule's headers say otherwise. A delay holds
// the answer on the Cloud's clock (a frozen one must be ticked past it).
// times (0: no limit) is how many requests the rule answers; then it stops
// matching and the next rule may.
//
// # Scenarios
//
// A set may name states ("states": ["absent", "present"]), as WireMock's
// scenarios do: it starts in the first; a rule with "state" matches only in
// that state, and a rule with "next_state" moves the set there when it
// matches. Counts and state start afresh when a set is provisioned or
// activated.
//
// # Sets and listeners
//
// Sets are provisioned whole ([Routes.Put], PUT
// /mockcloud/v1/routes/sets/{name}): every rule is compiled and checked
// first (patterns, templates, body fields, states, statuses, the
// listener), and a bad one refuses the set with a [RuleError] naming the
// rule's index and field (a 400 over HTTP); nothing of it is installed.
// Each listener has at most one active set; [Routes.Activate] (POST
// …/sets/{name}/activate) switches in one step. A listener's default set
// is active whenever it has none: [Initial] on the main listener, a set
// named after its extra listener on that one.
//
// In a Cloud (mockcloud.WithRoutes), the main listener's rules answer the
// paths no service owns at the Cloud's root (and everything under
// /routes); a request no rule matches there gets the Cloud's own 404.
// [WithListeners] names extra listeners, each an origin of its own
// (Cloud.ServiceURL("routes/<name>", ""); the standalone server's
// -routes-listen name=addr), so one process stands in for several hosts;
// a set names its listener in "listener". There, a request no rule
// matches is a 404 {"error":{"code","message"}}.
//
// [WithDir] loads one set per <name>.json file at start (a bad file
// refuses to start) and polls the files' modification times and sizes:
// a changed or new file is provisioned again, a bad one is logged and its
// set kept as it was, a removed one's set deleted.
//
// Every request the rules serve is in the journal as service "routes"
// (region: the extra listener's name), op routes.<set>.<rule name or
// index> (OpUnmatched when none matched), and faults apply to those ops.
//
// # Fidelity limits
//
//   - A rule's use (times, the scenario's move) is counted when it matches,
//     before faults: a fault that answers instead still uses it.
//   - Matching is exact: no regular expressions, no JSON-path filters, no
//     matching on a header's or parameter's later values; body fields
//     compare JSON values (numbers as float64).
//   - Bodies are matched up to 1 MiB (past it the kit answers 413).
//   - The directory is polled (no file notifications); a file rewritten
//     with the same size within the file system's time granularity is
//     missed until it changes again.
//   - Sets provisioned over HTTP are not written to the directory, and are
//     lost at restart.
package routes
