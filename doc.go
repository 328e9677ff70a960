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
// service at once and runs whatever was scheduled in between;
// [Cloud.RunAdvancing] advances in steps while a function that waits on
// real timers runs. Inside a testing/synctest bubble, a Cloud made with
// [WithSynctest] lives on the bubble's clock and is reached in memory
// ([Cloud.Client], [Cloud.Transport]), so clients' polls and the fakes'
// build times take bubble time and no wall time:
//
//	synctest.Test(t, func(t *testing.T) {
//		cloud := mockcloud.New(t, mockcloud.WithSynctest())
//		provider, _ := openstack.NewClient(cloud.IdentityURL())
//		provider.HTTPClient = *cloud.Client()
//		…
//	})
//
// [Cloud.Client] serves in memory in every Cloud, with the URLs and
// catalog a loopback client gets. Accessors for a region or a service the
// Cloud does not have ([Cloud.Compute]("regionone")) fail the test, naming
// what is mounted. Faults
// ([Cloud.Inject]) apply to any service by route name, method and path.
// [Cloud.Requests] returns everything every service saw, in order.
//
// A Cloud is composed from service descriptors (kit.Descriptor): by
// default every fake mockcloud has ([DefaultServices]); [WithServices]
// chooses a subset, or adds a fake of your own built on package kit.
// Identity is always mounted. [Configure] passes a service its own options;
// the clock, the seed and the regions belong to the Cloud, and giving them
// to one service is an error. Each service draws its IDs from a random
// stream derived from the Cloud's seed and its name and region, so one
// service's traffic never shifts another's IDs.
//
// Profiles: the default answers as the real APIs do; [WithProfile]
// ([ProfileMimic]) answers as Mimic does wherever a Mimic-based suite could
// rely on it. A profile is a list of service options ([ProfileOptions]),
// not a fork of the code.
//
// The same Cloud runs standalone (cmd/mockcloud) with a control API under
// /mockcloud/v1/ and Mimic's control paths; see [Cloud.Handler].
package mockcloud
