// Package loadbalancer is an in-process fake of Rackspace Cloud Load
// Balancers (API v1.0), with Mimic's failure presets and control API.
//
// Every route is backed by state: load balancers with their nodes, virtual
// IPs, health monitor, access list and other settings live in memory, per
// tenant, and move through the API's statuses on the shared clock.
//
// # Using it
//
// In a Cloud (package mockcloud) the service is mounted from its
// [Descriptor] once per region, under /loadbalancers/{region}, and listed
// in the catalog as "cloudLoadBalancers" (type rax:load-balancer) at
// …/v1.0/{tenant_id} and as Mimic's "cloudLoadBalancerControl" at
// …/v2/{tenant_id}; tokens come from identity, and the clock, the seed and
// the region are the Cloud's. On its own:
//
//	clb := loadbalancer.New(t)                  // started on loopback, closed when the test ends
//	url := clb.URL() + "/v1.0/123456"           // the endpoint a client is given
//	clb.Clock().Advance(10 * time.Second)       // BUILD -> ACTIVE
//
// On its own the region is DFW (fake.WithRegion names another), the clock
// and the seed are its own (fake.WithClock, fake.WithSeed), and no token is
// checked: the tenant is the URL's. [NewUnstarted] builds it for embedding
// (serve clb.Handler()). The package's own options are [WithDurations],
// [WithAbsoluteLimits] and [WithAllowedDomains].
//
// When tokens are checked (in a Cloud), the token's project must be the
// {tenant_id} of the URL (or the token must carry the admin role); a
// mismatch answers 401. Each tenant sees only its own load balancers:
// another tenant's ID answers 404.
//
// # Routes
//
// Under /v1.0/{tenant_id} (and, for clients configured from Mimic's
// catalog, the same under /v2/{tenant_id}); every route has a stable name
// exported as an Op constant:
//
//	GET|POST|DELETE(?id=)  /loadbalancers                      list (?nodeaddress= ?name= ?status= ?changes-since= ?limit= ?marker= ?offset=), create, batch delete
//	GET|PUT|DELETE         /loadbalancers/{id}                 show, update, delete
//	GET|POST|PUT|DELETE    /loadbalancers/{id}/nodes           list, add (max 25), bulk update, batch delete (?id=, max 10)
//	GET|PUT|DELETE         /loadbalancers/{id}/nodes/{node}    show, update (condition, weight, type), delete
//	GET                    /loadbalancers/{id}/nodes/events    node service events
//	GET                    /loadbalancers/{id}/nodes/{node}.atom  node feed (Mimic's)
//	GET|POST|DELETE        /loadbalancers/{id}/virtualips[/{vip}]  list, add IPv6, delete, batch delete
//	GET|PUT|DELETE         /loadbalancers/{id}/healthmonitor   CONNECT, HTTP, HTTPS
//	GET|PUT|DELETE         /loadbalancers/{id}/sessionpersistence
//	GET|PUT                /loadbalancers/{id}/connectionlogging
//	GET|PUT|DELETE         /loadbalancers/{id}/connectionthrottle
//	GET|PUT                /loadbalancers/{id}/contentcaching
//	GET|PUT|DELETE         /loadbalancers/{id}/errorpage
//	GET|POST|DELETE        /loadbalancers/{id}/accesslist[/{item}]  (DELETE ?id= for a batch)
//	GET|PUT|DELETE         /loadbalancers/{id}/ssltermination  and …/ssltermination/ciphers
//	GET|POST|PUT|DELETE    /loadbalancers/{id}/ssltermination/certificatemappings[/{cm}]
//	GET|POST|PUT|DELETE    /loadbalancers/{id}/metadata[/{meta}]             (DELETE ?id= for a batch)
//	GET|POST|PUT|DELETE    /loadbalancers/{id}/nodes/{node}/metadata[/{meta}]
//	GET                    /loadbalancers/{id}/stats, …/usage, …/usage/current, …/clustersourceaddresses
//	GET                    /loadbalancers/usage, /loadbalancers/billable, /loadbalancers/absolutelimits
//	GET                    /loadbalancers/protocols, /loadbalancers/algorithms, /loadbalancers/alloweddomains
//	GET                    /limits, /regionalsourceaddresses
//
// Answers use the API's field names, status codes and fault body,
// {"message", "code", "details"}, with "validationErrors": {"messages": […]}
// for validation failures (message "Validation Failure"). Messages are the
// service's own where they are known (from the developer guide, from
// Mimic's verified responses, and from the service's open-source
// implementation): "Load Balancer '%d' has a status of '%s' and is
// considered immutable.", "Duplicate nodes detected. One or more nodes
// already configured on load balancer.", "Nodes must not exceed 25 per load
// balancer.", "Node ids 7,9 are not a part of your loadbalancer" … Every
// failure uses that body: the API's own, an injected fault's without a body
// of its own, routing's 404 and 405, 413 for a body over the limit, and 500
// for a handler that panicked (the service goes on serving). The one
// exception is a path ending in .atom (the node feed): its failures, the
// same ones, are the API's XML faults (application/xml), an element named
// for the status holding <message> and, where there is one, <details>:
// <itemNotFound code="404"><message>Node not found</message></itemNotFound>,
// <serviceUnavailable code="503"> for an injected 503, <loadBalancerFault>
// for a 405 or a 500; a 410 is Mimic's bare <message code="410">.
//
// # Statuses on the clock
//
// A new load balancer is BUILD for Durations.Build, then ACTIVE. Each
// accepted change (nodes, virtual IPs, settings, update) puts it into
// PENDING_UPDATE for Durations.PendingUpdate. A delete puts it into
// PENDING_DELETE for Durations.PendingDelete, then DELETED: GET still shows
// it (status DELETED) and sub-resources answer 410 "The loadbalancer is
// marked as deleted." until Durations.Purge has passed; then it is gone
// (404). Only an ACTIVE load balancer accepts changes; otherwise 422. No
// goroutine or timer is involved: status is derived from timestamps when a
// request (or an inspection call) arrives, so Clock().Advance is all a
// test needs. [WithDurations] and [Instant] change the times.
//
// Nodes are ONLINE when added, or OFFLINE until the first check passes (the
// monitor's delay later) when the load balancer has a health monitor.
// Every status change is a node service event.
//
// # Failure injection
//
//   - Mimic's metadata presets work unchanged on a load balancer's metadata
//     (at creation, or added later): lb_building (seconds in BUILD, 10 when
//     0), lb_pending_update (seconds in PENDING_UPDATE after each
//     change), lb_pending_delete (seconds in PENDING_DELETE, 10 when 0),
//     lb_error_state (the next change leaves it in ERROR).
//   - Mimic's control API, mounted at Mimic's paths relative to the
//     service, without token:
//     PATCH /v2/{tenant_id}/loadbalancer/{lb_id}/attributes {"status": "ERROR"}
//     sets a status (204; ACTIVE, BUILD, ERROR, PENDING_DELETE,
//     PENDING_UPDATE, SUSPENDED, DELETED), and
//     PUT /v2/{tenant_id}/loadbalancers/{lb_id}/nodes/{node_id}/status
//     {"status": "OFFLINE"} fails (or passes) a node's health check (200),
//     with Mimic's own 400 and 404 bodies.
//   - In Go: [CLB.SetLoadBalancerStatus], [CLB.ScheduleLoadBalancerStatus], [CLB.SetNodeStatus],
//     [CLB.SetNodeCondition], [CLB.SetBehavior] and [CLB.AddCreateBehavior]
//     with [Behavior] values (a slow build, a long or stuck PENDING_UPDATE,
//     ERROR on the next change) that fit in test tables, [CLB.SetStats];
//     and the generic faults of package fake (clb.Inject, the
//     [kit.Service.Inject] a CLB embeds), with [OverLimit] for the rate
//     limiter's 413.
//
// Seeding and inspection are typed: [CLB.AddLoadBalancer] (which validates
// the load balancer's own fields as a create does, and bypasses the
// business rules and limits), [CLB.LoadBalancer], [CLB.LoadBalancers],
// [CLB.Node], [CLB.NodeEvents], [CLB.CheckLoadBalancer],
// [CLB.CheckStatus], [CLB.CheckNodes]. Every route is a row of one table
// with one op; none is RPC-style, so each op names one route.
//
// # Mimic's contract
//
// Options give Mimic's CLB where it differs from Rackspace's (mockcloud's
// ProfileMimic lists them with WithDurations(Instant())): [DeleteAtOnce]
// (an ACTIVE, ERROR or PENDING_UPDATE load balancer is gone at once),
// [KeepDeletedVIPs] (a DELETED one shows its virtual IPs) and
// [WithoutTokens] (no token check in a Cloud). Each is usable alone.
//
// # Fidelity limits
//
//   - No traffic flows: health checks only change when told to (or pass
//     after the monitor's delay), stats are what SetStats set, usage records
//     are derived hourly from the load balancer's life with zero transfer,
//     and rate limits are reported but not enforced (inject OverLimit).
//   - Certificates and keys are checked for PEM markers only; nothing is
//     parsed or verified against each other.
//   - Where the developer guide and Rackspace's SDKs disagree on a success
//     code, the SDKs' (tested against the service) win: connection logging,
//     connection throttle and virtual IP deletion answer 202, adding a
//     certificate mapping 200. Bodies that are not valid JSON, or not of the
//     expected shape, answer 400 "JSON does not match the expected schema"
//     with the decoder's complaint in details; XML requests and the Atom
//     list feeds are not supported: the only XML served is the node .atom
//     feed Mimic has (and its faults).
//   - Deleting follows the service, not Mimic: only an ACTIVE load balancer
//     can be deleted; one that is not there (or already DELETED) answers 400
//     "… could not be found." and a busy one 400 "… are immutable and could
//     not be processed.", as the batch delete does. Adding a duplicate node
//     answers 422 (Mimic says 413). Statuses are spelled with underscores
//     (Mimic writes PENDING-UPDATE). lb_pending_delete only affects deletes
//     (in Mimic any change moves such a load balancer to PENDING-DELETE).
//   - One cluster per region; virtual IPs come from documentation and
//     benchmarking ranges (198.18.0.0/16, 10.190.0.0/16, 2001:db8::/32) and
//     wrap after 65,024 allocations. Shared virtual IPs conflict on equal
//     ports regardless of the TCP/UDP pairs the service allows to share.
//   - Nodes always show their weight (the guide says it is shown only for
//     weighted algorithms; its own examples and the SDKs show it always).
//   - Messages the service's sources do not give (a few validation and
//     business errors) are worded in its style but are mockcloud's.
package loadbalancer
