package triton

import (
	"strings"
	"testing"
)

func TestCloudAPICatalog(t *testing.T) {
	e := newCloudEnv(t)
	var pkgs []Package
	e.api.Get("/alice/packages").Expect(200).Decode(&pkgs)
	if len(pkgs) < 4 || pkgs[0].Memory == 0 {
		t.Fatalf("packages = %+v", pkgs)
	}
	var p Package
	e.api.Get("/alice/packages/sample-1G").Expect(200).Decode(&p)
	if !p.Default || p.Memory != 1024 {
		t.Errorf("sample-1G = %+v", p)
	}
	e.api.Get("/alice/packages/" + p.ID).Expect(200)
	var imgs []Image
	e.api.Get("/alice/images?os=smartos").Expect(200).Decode(&imgs)
	if len(imgs) != 2 || imgs[0].Type != "zone-dataset" || imgs[0].State != "active" {
		t.Errorf("images = %+v", imgs)
	}
	var nets []CloudNetwork
	e.api.Get("/alice/networks").Expect(200).Decode(&nets)
	if len(nets) != 1 || nets[0].Name != "external" || !nets[0].Public {
		t.Errorf("networks = %+v (admin must be hidden)", nets)
	}
	var dcs map[string]string
	e.api.Get("/alice/datacenters").Expect(200).Decode(&dcs)
	if dcs["coal"] == "" {
		t.Errorf("datacenters = %v", dcs)
	}
}

func TestCloudAPIImagesAndPackagesSeeded(t *testing.T) {
	e := newCloudEnv(t)
	e.api.Get("/alice").Expect(200)
	alice, _ := e.dc.Account("alice")
	mine := e.dc.AddImage(Image{Name: "my-image", Version: "1.0", OS: "other", Type: "zone-dataset", Owner: alice.UUID})
	theirs := e.dc.AddImage(Image{Name: "their-image", Version: "1.0", OS: "other", Type: "zone-dataset", Owner: adminUUID + "x"})
	disabled := e.dc.AddImage(Image{Name: "old", Version: "1.0", OS: "other", Type: "zone-dataset", State: "disabled"})
	var imgs []Image
	e.api.Get("/alice/images?os=other").Expect(200).Decode(&imgs)
	if len(imgs) != 1 || imgs[0].ID != mine.ID || imgs[0].Public {
		t.Errorf("images = %+v", imgs)
	}
	e.api.Get("/alice/images?os=other&state=all").Expect(200).Decode(&imgs)
	if len(imgs) != 2 {
		t.Errorf("state=all: %+v", imgs)
	}
	e.api.Get("/alice/images/" + mine.ID).Expect(200).CheckJSON(`{"id":"` + mine.ID + `","name":"my-image","version":"1.0","os":"other",
		"type":"zone-dataset","requirements":{},"files":[{"compression":"gzip","sha1":"0000000000000000000000000000000000000000","size":268435456}],
		"published_at":"2026-01-01T00:00:00.000Z","owner":"` + alice.UUID + `","public":false,"state":"active"}`)
	expectCode(t, e.api.Get("/alice/images/"+theirs.ID), 404, "ResourceNotFound")
	_ = disabled
	p := e.dc.AddPackage(Package{Name: "big", Memory: 65536, Disk: 1 << 20, Swap: 131072, VCPUs: 16, LWPs: 4000})
	var pkgs []Package
	e.api.Get("/alice/packages?memory=65536").Expect(200).Decode(&pkgs)
	if len(pkgs) != 1 || pkgs[0].ID != p.ID || pkgs[0].Version != "1.0.0" {
		t.Errorf("packages = %+v", pkgs)
	}
	expectCode(t, e.api.Get("/alice/packages/nope"), 404, "ResourceNotFound")
	if !strings.HasPrefix(e.api.Get("/alice/packages").Header.Get("x-resource-count"), "7") {
		t.Errorf("x-resource-count of packages")
	}
}
