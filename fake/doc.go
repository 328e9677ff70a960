// Package fake is the machinery every mockcloud service shares: the TB
// interface tests hand to constructors, fault rules as data, the request
// journal, the HTTP pipeline that ties them to a gorilla/mux router, JSON
// decoding with size limits, and a seeded random source for deterministic IDs.
//
// A service package builds a [Service] around its router and its native error
// writer; everything else (recording, faults, auth, body limits) is done here
// once, in the same order for every service:
//
//  1. the body is read, up to [Service.MaxBody] (413 in the service's error format past it);
//  2. the route is matched and its stable name becomes the request's Op;
//  3. the request is appended to the [Journal];
//  4. the first [Fault] that fires answers instead of the service (after an optional delay),
//     or drops the connection;
//  5. the [Authenticator], if any, checks the token (routes named in PublicOps skip it);
//  6. the service's handler runs.
//
// Nothing in this package keeps package-level state: every table, journal and
// random source belongs to the value that created it.
package fake
