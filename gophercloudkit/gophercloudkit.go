// Package gophercloudkit hands out authenticated gophercloud v2 clients for
// a mockcloud Cloud, as fake-gcs-server's Client() does for its fake: one
// line in a test gives a provider, an identity, a compute or a load
// balancer client that talks to the Cloud through its in-memory transport
// (no socket), with the catalog's URLs.
//
// It is a module of its own so that the root module keeps its four
// dependencies; gophercloud is needed only here.
//
//	cloud := mockcloud.New(t)
//	nova := gophercloudkit.Compute(t, cloud)
//	server, err := servers.Create(ctx, nova, opts, nil).Extract()
//
// Authentication is Keystone v3 with a password, scoped to a project. By
// default the user is "demo" in project "demo" of domain "Default" (the
// permissive default identity creates both on first sight); WithUser
// changes them, and WithUser("admin", "admin") is DevStack's admin, who
// holds the admin role there. The clients re-authenticate when their token
// expires, as gophercloud's AllowReauth does.
package gophercloudkit

import (
	"context"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/mockcloud/mockcloud"
)

// Option changes how clients authenticate or where they point.
type Option func(*settings)

type settings struct {
	user, project, password, domain, region, microversion string
}

// WithUser authenticates as user, scoped to project.
func WithUser(user, project string) Option {
	return func(s *settings) { s.user, s.project = user, project }
}

// WithPassword sets the password (any is taken by the permissive default).
func WithPassword(password string) Option { return func(s *settings) { s.password = password } }

// WithRegion picks the region of a service's endpoint ("RegionOne" by
// default).
func WithRegion(region string) Option { return func(s *settings) { s.region = region } }

// WithMicroversion sets the compute client's microversion ("2.1", the
// base API, when not set).
func WithMicroversion(v string) Option { return func(s *settings) { s.microversion = v } }

func collect(opts []Option) settings {
	s := settings{user: "demo", project: "demo", password: "secret", domain: "Default", region: "RegionOne"}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// Provider returns an authenticated provider for the Cloud's identity
// service, over the Cloud's in-memory transport. A failure fails the test.
func Provider(t testing.TB, cloud *mockcloud.Cloud, opts ...Option) *gophercloud.ProviderClient {
	t.Helper()
	return provider(t, cloud, collect(opts))
}

func provider(t testing.TB, cloud *mockcloud.Cloud, s settings) *gophercloud.ProviderClient {
	t.Helper()
	p, err := openstack.NewClient(cloud.IdentityURL())
	if err != nil {
		t.Fatalf("gophercloudkit: %v", err)
	}
	p.HTTPClient = *cloud.Client()
	err = openstack.Authenticate(context.Background(), p, gophercloud.AuthOptions{
		IdentityEndpoint: cloud.IdentityURL(),
		Username:         s.user,
		Password:         s.password,
		DomainName:       s.domain,
		TenantName:       s.project,
		AllowReauth:      true,
	})
	if err != nil {
		t.Fatalf("gophercloudkit: authenticating %s in project %s: %v", s.user, s.project, err)
	}
	return p
}

// Identity returns a Keystone v3 client.
func Identity(t testing.TB, cloud *mockcloud.Cloud, opts ...Option) *gophercloud.ServiceClient {
	t.Helper()
	s := collect(opts)
	c, err := openstack.NewIdentityV3(provider(t, cloud, s), gophercloud.EndpointOpts{})
	if err != nil {
		t.Fatalf("gophercloudkit: identity client: %v", err)
	}
	return c
}

// Compute returns a Nova client for the region.
func Compute(t testing.TB, cloud *mockcloud.Cloud, opts ...Option) *gophercloud.ServiceClient {
	t.Helper()
	s := collect(opts)
	c, err := openstack.NewComputeV2(provider(t, cloud, s), gophercloud.EndpointOpts{Region: s.region})
	if err != nil {
		t.Fatalf("gophercloudkit: compute client in %s: %v", s.region, err)
	}
	c.Microversion = s.microversion
	return c
}

// LoadBalancers returns a client for the Rackspace Cloud Load Balancers
// endpoint of the region (catalog type "rax:load-balancer"). gophercloud
// has no package for that API, so requests are made with the client's
// Get, Post, Put and Delete and the URLs of ServiceURL.
func LoadBalancers(t testing.TB, cloud *mockcloud.Cloud, opts ...Option) *gophercloud.ServiceClient {
	t.Helper()
	s := collect(opts)
	p := provider(t, cloud, s)
	url, err := p.EndpointLocator(gophercloud.EndpointOpts{Type: "rax:load-balancer", Name: "cloudLoadBalancers", Region: s.region, Availability: gophercloud.AvailabilityPublic})
	if err != nil {
		t.Fatalf("gophercloudkit: load balancer endpoint in %s: %v", s.region, err)
	}
	return &gophercloud.ServiceClient{ProviderClient: p, Endpoint: url, Type: "rax:load-balancer"}
}
