package compute_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
)

const (
	cirrosID = compute.DefaultImageID
	ubuntuID = "9b7e8a30-8f3c-4b8e-9d0a-3f4c2a1b6e01"
	debianID = "c3f6e1d2-7b4a-4e5f-8a9b-0c1d2e3f4a5b"
	snapID   = "5a5a5a5a-0000-4000-8000-000000000001"
	serverID = "11111111-2222-4333-8444-555555555555"
)

func imageLinksJSON(id string) string {
	return fmt.Sprintf(`[{"rel":"self","href":"{base}/v2.1/p1/images/%s"},{"rel":"bookmark","href":"{base}/p1/images/%s"},
		{"rel":"alternate","type":"application/vnd.openstack.image","href":"{base}/image/images/%s"}]`, id, id, id)
}

func imageBriefJSON(id, name string) string {
	return fmt.Sprintf(`{"id":%q,"name":%q,"links":%s}`, id, name, imageLinksJSON(id))
}

// imageServer seeds, besides the default images, a snapshot of project
// p1 still SAVING (ready 10 s after the start), taken from serverID.
func imageServer(t *testing.T, opts ...compute.Option) (*compute.Compute, time.Time) {
	srv := compute.New(t, append([]compute.Option{fake.WithSeed(1)}, opts...)...)
	start := srv.Clock().Now()
	srv.AddImage(compute.Image{
		ID: snapID, Name: "snap", Status: "SAVING", MinDisk: 1, Size: 1234, ServerID: serverID,
		Created: start.Add(time.Second), ReadyAt: start.Add(10 * time.Second),
		Metadata: map[string]string{"image_type": "snapshot", "instance_uuid": serverID, "owner_id": "p1", "auto_disk_config": "True"},
	})
	return srv, start
}

func snapJSON(created, updated time.Time, status string, progress int, size string) string {
	return fmt.Sprintf(`{"id":%q,"name":"snap","status":%q,"progress":%d,"minDisk":1,"minRam":0,
		"created":%q,"updated":%q,"OS-EXT-IMG-SIZE:size":%s,"OS-DCF:diskConfig":"AUTO",
		"metadata":{"image_type":"snapshot","instance_uuid":%q,"owner_id":"p1","auto_disk_config":"True"},
		"links":%s,"server":{"id":%q,"links":%s}}`,
		snapID, status, progress, created.Format(time.RFC3339), updated.Format(time.RFC3339), size,
		serverID, imageLinksJSON(snapID), serverID, linksJSON("servers", serverID))
}

func TestImagesRead(t *testing.T) {
	srv, start := imageServer(t)
	created := start.Add(time.Second)
	stamp := start.Format(time.RFC3339)
	cirros := fmt.Sprintf(`{"id":%q,"name":"cirros-0.6.2-x86_64-disk","status":"ACTIVE","progress":100,"minDisk":1,"minRam":0,
		"created":%q,"updated":%q,"OS-EXT-IMG-SIZE:size":21430272,"metadata":{"os_distro":"cirros","architecture":"x86_64","auto_disk_config":"False"},
		"links":%s,"OS-DCF:diskConfig":"MANUAL"}`, cirrosID, stamp, stamp, imageLinksJSON(cirrosID))
	runSteps(t, srv.URL(), []step{
		{name: "list, newest first", method: "GET", path: "/images", status: 200,
			want: `{"images":[` + strings.Join([]string{
				imageBriefJSON(snapID, "snap"), imageBriefJSON(debianID, "Debian 12 (Bookworm)"),
				imageBriefJSON(ubuntuID, "Ubuntu 24.04 LTS (Noble Numbat)"), imageBriefJSON(cirrosID, "cirros-0.6.2-x86_64-disk"),
			}, ",") + `]}`},
		{name: "show", method: "GET", path: "/images/" + cirrosID, status: 200, want: `{"image":` + cirros + `}`},
		{name: "a snapshot in SAVING", method: "GET", path: "/images/" + snapID, status: 200,
			want: `{"image":` + snapJSON(created, created, "SAVING", 25, "null") + `}`},
		{name: "detail by name", method: "GET", path: "/images/detail?name=cirros-0.6.2-x86_64-disk", status: 200, want: `{"images":[` + cirros + `]}`},
		{name: "filter by server URL", method: "GET", path: "/images?server=http://x/servers/" + serverID, status: 200,
			want: `{"images":[` + imageBriefJSON(snapID, "snap") + `]}`},
		{name: "filter by type", method: "GET", path: "/images?type=snapshot", status: 200, want: `{"images":[` + imageBriefJSON(snapID, "snap") + `]}`},
		{name: "filter by status", method: "GET", path: "/images?status=saving", status: 200, want: `{"images":[` + imageBriefJSON(snapID, "snap") + `]}`},
		{name: "filter by minDisk and minRam", method: "GET", path: "/images?minDisk=10&minRam=512", status: 200,
			want: `{"images":[` + imageBriefJSON(debianID, "Debian 12 (Bookworm)") + `,` + imageBriefJSON(ubuntuID, "Ubuntu 24.04 LTS (Noble Numbat)") + `]}`},
		{name: "filter by property", method: "GET", path: "/images?property-os_distro=ubuntu", status: 200,
			want: `{"images":[` + imageBriefJSON(ubuntuID, "Ubuntu 24.04 LTS (Noble Numbat)") + `]}`},
		{name: "filter by changes-since", method: "GET", path: "/images?changes-since=" + created.Format(time.RFC3339), status: 200,
			want: `{"images":[` + imageBriefJSON(snapID, "snap") + `]}`},
		{name: "limit gives a next link", method: "GET", path: "/images?limit=2", status: 200,
			want: `{"images":[` + imageBriefJSON(snapID, "snap") + `,` + imageBriefJSON(debianID, "Debian 12 (Bookworm)") + `],
				"images_links":[{"rel":"next","href":"{base}/v2.1/p1/images?limit=2&marker=` + debianID + `"}]}`},
		{name: "marker continues", method: "GET", path: "/images/detail?limit=2&marker=" + ubuntuID, status: 200,
			want: `{"images":[` + cirros + `]}`},
		{name: "other projects do not see the snapshot", method: "GET", path: "/v2.1/p2/images?type=snapshot", status: 200, want: `{"images":[]}`},
		{name: "nor show it", method: "GET", path: "/v2.1/p2/images/" + snapID, status: 404, want: novaErr(404, "Image not found.")},
		{name: "Rackspace's /v2 root", method: "GET", path: "/v2/p1/images?name=snap", status: 200,
			want: `{"images":[{"id":"` + snapID + `","name":"snap","links":[{"rel":"self","href":"{base}/v2/p1/images/` + snapID + `"},
				{"rel":"bookmark","href":"{base}/p1/images/` + snapID + `"},
				{"rel":"alternate","type":"application/vnd.openstack.image","href":"{base}/image/images/` + snapID + `"}]}]}`},

		{name: "unknown image", method: "GET", path: "/images/nope", status: 404, want: novaErr(404, "Image not found.")},
		{name: "unknown marker", method: "GET", path: "/images?marker=nope", status: 400, want: novaErr(400, "marker [nope] not found")},
		{name: "limit zero", method: "GET", path: "/images?limit=0", status: 400,
			want: novaErr(400, "Invalid input for query parameters limit. Value: 0. 0 is less than the minimum of 1")},
		{name: "limit not a number", method: "GET", path: "/images?limit=ten", status: 400,
			want: novaErr(400, "Invalid input for query parameters limit. Value: ten. 'ten' does not match '^[0-9]*$'")},
		{name: "bad changes-since", method: "GET", path: "/images?changes-since=yesterday", status: 400,
			want: novaErr(400, "Invalid changes-since value: yesterday")},
		{name: "gone from 2.36", method: "GET", path: "/images", version: "2.36", status: 404, want: novaErr(404, "The resource could not be found.")},
		{name: "show gone from 2.36", method: "GET", path: "/images/" + cirrosID, version: "2.36", status: 404, want: novaErr(404, "The resource could not be found.")},
		{name: "still there at 2.35", method: "GET", path: "/images/" + cirrosID, version: "2.35", status: 200, want: "-"},
	})

	// The snapshot turns ACTIVE on the clock.
	srv.Clock().Advance(10 * time.Second)
	runSteps(t, srv.URL(), []step{
		{name: "snapshot ready", method: "GET", path: "/images/" + snapID, status: 200,
			want: `{"image":` + snapJSON(created, start.Add(10*time.Second), "ACTIVE", 100, "1234") + `}`},
	})
}

func TestImageDelete(t *testing.T) {
	srv, _ := imageServer(t)
	runSteps(t, srv.URL(), []step{
		{name: "other project cannot delete the snapshot", method: "DELETE", path: "/v2.1/p2/images/" + snapID, status: 404, want: novaErr(404, "Image not found.")},
		{name: "delete", method: "DELETE", path: "/images/" + cirrosID, status: 204, want: ""},
		{name: "gone", method: "GET", path: "/images/" + cirrosID, status: 404, want: novaErr(404, "Image not found.")},
		{name: "not listed", method: "GET", path: "/images?name=cirros-0.6.2-x86_64-disk", status: 200, want: `{"images":[]}`},
		{name: "delete again", method: "DELETE", path: "/images/" + cirrosID, status: 404, want: novaErr(404, "Image not found.")},
		{name: "delete a snapshot", method: "DELETE", path: "/images/" + snapID, status: 204, want: ""},
		{name: "delete gone from 2.36", method: "DELETE", path: "/images/" + ubuntuID, version: "2.36", status: 404, want: novaErr(404, "The resource could not be found.")},
	})
	if _, ok := srv.Image(cirrosID); ok {
		t.Error("deleted image still stored")
	}
	// A deleted image cannot boot a server.
	runSteps(t, srv.URL(), []step{
		{name: "boot from deleted image", method: "POST", path: "/servers", status: 400,
			body: `{"server":{"name":"s","imageRef":"` + cirrosID + `","flavorRef":"1"}}`, want: novaErr(400, "Can not find requested image")},
	})
}

func TestImageSnapshotFromServer(t *testing.T) {
	srv := compute.New(t, fake.WithSeed(1))
	s, err := srv.AddServer(compute.Server{ProjectID: "p1", FlavorID: "1", ImageID: cirrosID})
	if err != nil {
		t.Fatal(err)
	}
	got := getJSON(t, srv.URL(), step{method: "POST", path: "/servers/" + s.ID + "/action", version: "2.45",
		body: `{"createImage":{"name":"mine"}}`, status: 202})
	id, _ := got["image_id"].(string)
	img := getJSON(t, srv.URL(), step{path: "/images/" + id, status: 200})["image"].(map[string]any)
	if img["status"] != "SAVING" || img["server"].(map[string]any)["id"] != s.ID || img["minDisk"] != float64(1) {
		t.Errorf("snapshot = %v, want SAVING from server %s with the base image's minDisk", img, s.ID)
	}
	srv.Clock().Advance(time.Minute)
	img = getJSON(t, srv.URL(), step{path: "/images/" + id, status: 200})["image"].(map[string]any)
	if img["status"] != "ACTIVE" || img["progress"] != float64(100) {
		t.Errorf("after a minute: status %v progress %v, want ACTIVE 100", img["status"], img["progress"])
	}
	runSteps(t, srv.URL(), []step{
		{name: "listed by server", method: "GET", path: "/images?server=" + s.ID, status: 200,
			want: `{"images":[` + imageBriefJSON(id, "mine") + `]}`},
		{name: "hidden from other projects", method: "GET", path: "/v2.1/other/images?server=" + s.ID, status: 200, want: `{"images":[]}`},
	})
}

func TestImageMetadata(t *testing.T) {
	srv, _ := imageServer(t)
	md := "/images/" + ubuntuID + "/metadata"
	runSteps(t, srv.URL(), []step{
		{name: "list", method: "GET", path: md, status: 200,
			want: `{"metadata":{"os_distro":"ubuntu","os_version":"24.04","architecture":"x86_64","auto_disk_config":"False"}}`},
		{name: "update merges", method: "POST", path: md, status: 200, body: `{"metadata":{"kernel_id":"nokernel","os_version":"24.04.1"}}`,
			want: `{"metadata":{"os_distro":"ubuntu","os_version":"24.04.1","architecture":"x86_64","kernel_id":"nokernel","auto_disk_config":"False"}}`},
		{name: "get one", method: "GET", path: md + "/kernel_id", status: 200, want: `{"meta":{"kernel_id":"nokernel"}}`},
		{name: "put one", method: "PUT", path: md + "/ramdisk_id", status: 200, body: `{"meta":{"ramdisk_id":"nokernel"}}`,
			want: `{"meta":{"ramdisk_id":"nokernel"}}`},
		{name: "delete one", method: "DELETE", path: md + "/kernel_id", status: 204, want: ""},
		{name: "replace all", method: "PUT", path: md, status: 200, body: `{"metadata":{"auto_disk_config":"False"}}`,
			want: `{"metadata":{"auto_disk_config":"False"}}`},
		{name: "list after replace", method: "GET", path: md, status: 200, want: `{"metadata":{"auto_disk_config":"False"}}`},
		{name: "shows MANUAL disk config", method: "GET", path: "/images/" + ubuntuID, status: 200,
			want: `{"image":{"id":"<any>","name":"<any>","status":"ACTIVE","progress":100,"minDisk":10,"minRam":512,"created":"<any>","updated":"<any>",
				"OS-EXT-IMG-SIZE:size":610271232,"metadata":{"auto_disk_config":"False"},"links":"<any>","OS-DCF:diskConfig":"MANUAL"}}`},
		{name: "replacing keeps a snapshot's owner", method: "PUT", path: "/images/" + snapID + "/metadata", status: 200,
			body: `{"metadata":{"a":"b"}}`, want: `{"metadata":{"a":"b"}}`},
		{name: "so it stays private", method: "GET", path: "/v2.1/p2/images/" + snapID + "/metadata", status: 404, want: novaErr(404, "Image not found.")},
		{name: "allowed at 2.38", method: "GET", path: md, version: "2.38", status: 200, want: "-"},

		{name: "get missing key", method: "GET", path: md + "/nope", status: 404, want: novaErr(404, "The resource could not be found.")},
		{name: "delete missing key", method: "DELETE", path: md + "/nope", status: 404, want: novaErr(404, "Invalid metadata key")},
		{name: "unknown image", method: "GET", path: "/images/nope/metadata", status: 404, want: novaErr(404, "Image not found.")},
		{name: "set on unknown image", method: "POST", path: "/images/nope/metadata", body: `{"metadata":{"a":"b"}}`, status: 404, want: novaErr(404, "Image not found.")},
		{name: "put URI mismatch", method: "PUT", path: md + "/a", status: 400, body: `{"meta":{"b":"c"}}`, want: novaErr(400, "Request body and URI mismatch")},
		{name: "put two items", method: "PUT", path: md + "/a", status: 400, body: `{"meta":{"a":"1","b":"2"}}`,
			want: novaErr(400, `Invalid input for field/attribute meta. Value: {"a":"1","b":"2"}. {"a":"1","b":"2"} has too many properties`)},
		{name: "no metadata member", method: "POST", path: md, status: 400, body: `{"meta":{}}`, want: novaErr(400, "'metadata' is a required property")},
		{name: "non-string value", method: "POST", path: md, status: 400, body: `{"metadata":{"a":1}}`,
			want: novaErr(400, "Invalid input for field/attribute a. Value: 1. 1 is not of type 'string'")},
		{name: "bad key", method: "POST", path: md, status: 400, body: `{"metadata":{"a/b":"1"}}`,
			want: novaErr(400, `Invalid input for field/attribute metadata. Value: {"a/b":"1"}. Additional properties are not allowed ('a/b' was unexpected)`)},
		{name: "value too long", method: "POST", path: md, status: 400, body: `{"metadata":{"a":"` + strings.Repeat("x", 256) + `"}}`,
			want: novaErr(400, "Invalid input for field/attribute a. Value: "+strings.Repeat("x", 256)+". '"+strings.Repeat("x", 256)+"' is too long")},
		{name: "gone from 2.39", method: "GET", path: md, version: "2.39", status: 404, want: novaErr(404, "The resource could not be found.")},
	})

	srv.SetQuota("p1", compute.Quota{Instances: 10, Cores: 20, RAM: 51200, MetadataItems: 2, KeyPairs: 100, ServerGroups: 10, ServerGroupMembers: 10})
	runSteps(t, srv.URL(), []step{
		{name: "over the metadata quota", method: "POST", path: md, status: 403, body: `{"metadata":{"b":"1","c":"2"}}`,
			want: novaErr(403, "Image metadata limit exceeded")},
		{name: "unchanged", method: "GET", path: md, status: 200, want: `{"metadata":{"auto_disk_config":"False"}}`},
		{name: "within it", method: "POST", path: md, status: 200, body: `{"metadata":{"b":"1"}}`, want: `{"metadata":{"auto_disk_config":"False","b":"1"}}`},
	})
}

func TestImagePolicies(t *testing.T) {
	c, base := authServer(t)
	c.AddImage(compute.Image{ID: snapID, Name: "snap", Metadata: map[string]string{"owner_id": "p1", "image_type": "snapshot"}})
	runSteps(t, base, []step{
		{name: "member cannot delete a public image", method: "DELETE", path: "/images/" + cirrosID, token: memberToken, status: 403,
			want: novaErr(403, "You are not allowed to delete the image.")},
		{name: "member cannot change a public image", method: "POST", path: "/images/" + cirrosID + "/metadata", token: memberToken,
			body: `{"metadata":{"a":"b"}}`, status: 403, want: novaErr(403, "Not authorized for image "+cirrosID+".")},
		{name: "member changes their snapshot", method: "PUT", path: "/images/" + snapID + "/metadata/a", token: memberToken,
			body: `{"meta":{"a":"b"}}`, status: 200, want: `{"meta":{"a":"b"}}`},
		{name: "another project does not see it", method: "GET", path: "/v2.1/p2/images/" + snapID, token: otherToken, status: 404,
			want: novaErr(404, "Image not found.")},
		{name: "admin sees it from any project", method: "GET", path: "/v2.1/p2/images/" + snapID, token: adminToken, status: 200, want: "-"},
		{name: "member deletes their snapshot", method: "DELETE", path: "/images/" + snapID, token: memberToken, status: 204, want: ""},
		{name: "admin deletes a public image", method: "DELETE", path: "/images/" + cirrosID, token: adminToken, status: 204, want: ""},
	})
}
