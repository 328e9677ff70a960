package fastly

import "github.com/mockcloud/mockcloud/fake"

// The options below give Mimic's Fastly contract where it differs from
// Fastly's; mockcloud.ProfileMimic is their list. Each is usable alone.

// anonymousKey is the key a request without Fastly-Key is taken to carry
// under WithoutKey: every such request acts as one caller.
const anonymousKey = "mockcloud-anonymous-key"

// WithoutKey lets requests in without a Fastly-Key header, as Mimic's
// Fastly does; a request that carries one is checked as usual (so Strict
// still refuses unknown keys).
func WithoutKey() Option { return fake.Configure(func(c *config) { c.noKey = true }) }

// MimicShapes answers in the shapes Mimic's Fastly gives where its clients
// read them: GET /service/search is {"service_details": {…},
// "service_name": …}, and the customer and version bodies carry the
// legacy fields Mimic's canned answers have.
func MimicShapes() Option { return fake.Configure(func(c *config) { c.mimic = true }) }
