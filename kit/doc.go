// Package kit is the service author's kit: everything a mockcloud fake
// shares, so that a service package holds only its domain. Test authors
// need package fake, not this one.
//
// # How a request flows
//
// A service embeds *[Service], built by [NewService] from a [Spec]: its
// name, its route table, its native error format. [Service.ServeHTTP] runs
// the same pipeline for every service:
//
//  1. the body is read, up to Spec.MaxBody (past it, after steps 2-4, a 413
//     in the service's format: an oversized request is journaled and faultable);
//  2. the route is matched; its Op names the request (a [Route.Refine]d op
//     for RPC-style calls: each Nova action, each Mesos call is its own op);
//  3. the request is appended to the journal (fake.Journal);
//  4. the first fault that fires (fake.Faults) answers instead, after an
//     optional delay, or drops the connection;
//  5. the token is checked by the service's [Authenticator] (routes marked
//     Public skip it);
//  6. the route's Before runs (a microversion, the project in the URL);
//  7. the [Handler] gets a [Call] (buffered body, path variables, principal,
//     version, the clock's now) and returns a [Reply] or an error; an
//     [*Error] is rendered by the service's [ErrorFormat], any other error
//     and any panic become a 500 in that format, and the service goes on.
//
// Handlers hold the service's lock with defer only; state is read and
// written through ...Locked helpers, and nothing a user supplies (a fault's
// predicate, a behavior's criteria) runs under it. Getters return copies.
//
// # How to add a service
//
//  1. A package named for the service, with a type that embeds *kit.Service
//     and holds the domain state behind a mutex.
//  2. Route names as typed constants (Op...), one per action or call, and
//     a route table: one [Route] per method and path, in files split by
//     resource (servers.go, flavors.go …).
//  3. Constructors: New(t, opts...) starts it on a loopback port and closes
//     it when the test ends ([Start]); NewUnstarted(opts...) returns it for
//     embedding. Options are fake.Option: the shared fake.WithClock,
//     WithSeed, WithRegion, and the service's own built with fake.Configure,
//     all read by [Settle].
//  4. Typed seeding (Add... returning the stored copy, and an error where
//     it can fail), typed inspection (Server(id), Servers()) and Check...
//     helpers for the main resource that report a cmp.Diff.
//  5. A [Descriptor], so a Cloud can mount it: name, prefix, per region or
//     not, catalog entries, Mimic presets, paths at the Cloud's root, and
//     whether it needs an origin of its own. The Cloud gains a typed
//     accessor; nothing else in the Cloud changes.
//
// The Example shows the smallest complete service.
//
// # What a descriptor holds
//
// See [Descriptor]. The Cloud builds each service with Descriptor.New,
// passing its [Env] (one clock, one fault table, one journal, one root
// seed, identity's token check) and the [Site] it mounts it at. Each
// service draws its IDs from a random stream derived from the root seed and
// its name and region, so using one service never shifts another's IDs.
//
// # Serving without a socket
//
// Every service's Client and Transport (and a Cloud's) are a [Transport]:
// requests to the service's URLs call its handler in-process, seen as
// net/http's server would show them, with streamed bodies, cancellation
// and write deadlines. No goroutine waits on the network, so a fake served
// this way runs inside a testing/synctest bubble; [Service.Close] fails
// what is in flight and waits for its handlers.
//
// Nothing in this package keeps package-level state.
package kit
