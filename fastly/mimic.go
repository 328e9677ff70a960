package fastly

import (
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

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

// OpHealth is GET / with MimicShapes: Mimic's health check.
const OpHealth = "fastly.health"

// mimicRoutes are the routes only Mimic has: its health check, with
// MimicShapes.
func (f *Fastly) mimicRoutes() []kit.Route {
	if !f.mimic {
		return nil
	}
	return []kit.Route{{Op: OpHealth, Method: "GET", Path: "/", Handler: f.health, Public: true}}
}

// health is Mimic's {"status": "ok"}.
func (f *Fastly) health(*kit.Call) (kit.Reply, error) { return kit.OK(statusOK), nil }

// versionLegacy are the members of a version that Mimic's canned answers
// (Fastly's of 2014) have and today's API does not.
type versionLegacy struct {
	Service          string  `json:"service"`
	InheritServiceID *string `json:"inherit_service_id"`
	Backend          int     `json:"backend"`
}

// mimicSearchWire is GET /service/search with MimicShapes: the service,
// as Fastly answers, plus the two members Mimic answers with instead.
type mimicSearchWire struct {
	serviceWire
	ServiceDetails versionWire `json:"service_details"`
	ServiceName    string      `json:"service_name"`
}

// customerLegacy are the members of the current customer that Mimic's
// canned answer (Fastly's of 2014) has and today's API does not, with the
// string flags it has.
type customerLegacy struct {
	CanEditMatches      string  `json:"can_edit_matches"`
	CanReadPublicIPList string  `json:"can_read_public_ip_list"`
	CanStreamSyslog     string  `json:"can_stream_syslog"`
	HasConfigPanel      string  `json:"has_config_panel"`
	HasHistoricalStats  string  `json:"has_historical_stats"`
	HasImprovedLogging  string  `json:"has_improved_logging"`
	HasImprovedSecurity string  `json:"has_improved_security"`
	HasStreaming        string  `json:"has_streaming"`
	Readonly            string  `json:"readonly"`
	StripeAccount       *string `json:"stripe_account"`
}

func newCustomerLegacy() *customerLegacy {
	return &customerLegacy{CanEditMatches: "0", CanReadPublicIPList: "0", CanStreamSyslog: "1", HasConfigPanel: "1",
		HasHistoricalStats: "1", HasImprovedLogging: "1", HasImprovedSecurity: "1", HasStreaming: "1"}
}
