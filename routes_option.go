package mockcloud

import (
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/routes"
)

// WithRoutes mounts programmable routes (package routes) with these
// options: rules, as data, that answer the paths no service owns at the
// Cloud's root (and everything under /routes), and extra listeners of
// their own (routes.WithListeners: ServiceURL("routes/<name>", "")):
//
//	cloud := mockcloud.New(t, mockcloud.WithRoutes(routes.WithSets(routes.Set{Name: routes.Initial, Rules: …})))
//
// Their sets are provisioned and activated over the control API
// (/mockcloud/v1/routes/sets/…) or with Cloud.Routes(); each match is in
// the journal as service "routes", op routes.<set>.<rule>. Given twice,
// the options add up.
func WithRoutes(opts ...fake.Option) Option {
	return func(c *config) {
		c.routesSet = true
		Configure(routes.ServiceName, opts...)(c)
	}
}

// withRoutes adds the routes service and its options when WithRoutes was
// given (and WithServices did not already name it).
func withRoutes(cfg config) []kit.Descriptor {
	if !cfg.routesSet {
		return cfg.services
	}
	out := cfg.services
	found := false
	for _, d := range out {
		found = found || d.Name == routes.ServiceName
	}
	if !found {
		out = append(append([]kit.Descriptor(nil), out...), routes.Descriptor())
	}
	return out
}

// Routes is the programmable routes service (WithRoutes): sets put,
// activated and inspected in Go.
func (c *Cloud) Routes() *routes.Routes {
	c.t.Helper()
	return typed[*routes.Routes](c, "Routes()", routes.ServiceName, "")
}
