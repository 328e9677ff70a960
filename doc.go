// Package mockcloud starts a whole fake cloud in a test: every mockcloud
// service on one loopback server, sharing one clock, one service catalog, one
// fault table, one request journal and one tenant model.
//
//	cloud := mockcloud.New(t)
//	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
//		IdentityEndpoint: cloud.IdentityURL(),
//		Username: "alice", Password: "secret", TenantName: "demo", DomainName: "Default",
//	})
//
// Identity is mounted at /identity (so /identity/v3/auth/tokens and
// /identity/v2.0/tokens work as in Mimic). Every other service accepts only
// tokens identity issued, unexpired by the shared clock, and scopes what it
// shows to the token's project; [WithoutAuth] turns that off.
//
// Time stands still unless the test moves it: [Cloud.Advance] moves every
// service at once and runs whatever was scheduled in between. Faults
// ([Cloud.Inject]) apply to any service by route name, method and path.
// [Cloud.Requests] returns everything every service saw, in order.
//
// The same Cloud runs standalone (cmd/mockcloud) with a control API under
// /mockcloud/v1/ and Mimic's control paths; see [Cloud.Handler].
package mockcloud
