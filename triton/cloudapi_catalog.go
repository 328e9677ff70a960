package triton

import (
	"strconv"

	"github.com/mockcloud/mockcloud/kit"
)

// Package is a PAPI package as CloudAPI renders it: memory, disk and swap
// in MiB.
type Package struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Memory      int64  `json:"memory"`
	Disk        int64  `json:"disk"`
	Swap        int64  `json:"swap"`
	VCPUs       int64  `json:"vcpus"`
	LWPs        int64  `json:"lwps"`
	Version     string `json:"version"`
	Group       string `json:"group,omitempty"`
	Description string `json:"description,omitempty"`
	Default     bool   `json:"default"`
	// Brand, when set, is the only brand the package provisions (PAPI's
	// brand field).
	Brand string `json:"brand,omitempty"`
}

// ImageFile is one file of an image.
type ImageFile struct {
	Compression string `json:"compression"`
	SHA1        string `json:"sha1"`
	Size        int64  `json:"size"`
}

// Image is an IMGAPI image as CloudAPI renders it.
type Image struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	OS           string            `json:"os"`
	Type         string            `json:"type"`
	Description  string            `json:"description,omitempty"`
	Requirements map[string]any    `json:"requirements"`
	Files        []ImageFile       `json:"files"`
	Tags         map[string]string `json:"tags,omitempty"`
	Homepage     string            `json:"homepage,omitempty"`
	PublishedAt  string            `json:"published_at"`
	Owner        string            `json:"owner"`
	Public       bool              `json:"public"`
	State        string            `json:"state"`
}

// adminUUID owns the public images, as the DC's admin account does.
const adminUUID = "c8f6e5a7-31a6-4b3c-9f53-1e7c3c9b1a00"

// seedCatalogLocked adds the sample packages and public images a fresh
// DC has (sdc's sample packages; images from images.smartos.org).
func (t *Triton) seedCatalogLocked() {
	for i, p := range []struct {
		name        string
		mem, vcpus  int64
		defaultsTo  bool
		description string
	}{
		{"sample-256M", 256, 1, false, "Micro 256 MB RAM, 1 vCPU"},
		{"sample-512M", 512, 1, false, "Micro 512 MB RAM, 1 vCPU"},
		{"sample-1G", 1024, 1, true, "Standard 1 GB RAM, 1 vCPU"},
		{"sample-2G", 2048, 2, false, "Standard 2 GB RAM, 2 vCPUs"},
		{"sample-4G", 4096, 2, false, "Standard 4 GB RAM, 2 vCPUs"},
		{"sample-8G", 8192, 4, false, "Standard 8 GB RAM, 4 vCPUs"},
	} {
		t.addPackageLocked(Package{Name: p.name, Memory: p.mem, Disk: 25600 * (1 + int64(i)/2), Swap: 2 * p.mem,
			VCPUs: p.vcpus, LWPs: 4000, Version: "1.0.0", Group: "Sample", Description: p.description, Default: p.defaultsTo})
	}
	for _, im := range []Image{
		{Name: "base-64-lts", Version: "19.4.0", OS: "smartos", Type: "zone-dataset", PublishedAt: "2020-01-07T21:12:52Z",
			Description: "A 64-bit SmartOS image with just essential packages installed."},
		{Name: "minimal-64-lts", Version: "19.4.0", OS: "smartos", Type: "zone-dataset", PublishedAt: "2020-01-07T21:30:48Z",
			Description: "A 64-bit SmartOS image with just bootstrap packages installed."},
		{Name: "ubuntu-20.04", Version: "20200511", OS: "linux", Type: "lx-dataset", PublishedAt: "2020-05-11T17:18:43Z",
			Requirements: map[string]any{"brand": "lx", "min_platform": map[string]any{"7.0": "20180111T215230Z"}},
			Description:  "Container-native Ubuntu 20.04 64-bit image."},
		{Name: "ubuntu-certified-20.04", Version: "20200603", OS: "linux", Type: "zvol", PublishedAt: "2020-06-03T16:48:12Z",
			Requirements: map[string]any{"brand": "bhyve"}, Description: "Ubuntu 20.04 LTS (64-bit) Certified image for bhyve."},
	} {
		t.addImageLocked(im)
	}
}

func (t *Triton) addPackageLocked(p Package) *Package {
	if p.ID == "" {
		p.ID = t.cids.UUID()
	}
	if p.Version == "" {
		p.Version = "1.0.0"
	}
	stored := p
	t.dc.packages = append(t.dc.packages, &stored)
	return &stored
}

func (t *Triton) addImageLocked(im Image) *Image {
	if im.ID == "" {
		im.ID = t.cids.UUID()
	}
	if im.State == "" {
		im.State = "active"
	}
	if im.Owner == "" {
		im.Owner, im.Public = adminUUID, true
	}
	if im.Requirements == nil {
		im.Requirements = map[string]any{}
	}
	if im.PublishedAt == "" {
		im.PublishedAt = iso(t.Now())
	}
	if im.Files == nil {
		im.Files = []ImageFile{{Compression: "gzip", SHA1: "0000000000000000000000000000000000000000", Size: 1 << 28}}
	}
	stored := im
	t.dc.images = append(t.dc.images, &stored)
	return &stored
}

// AddPackage seeds a PAPI package (ID drawn when empty).
func (t *Triton) AddPackage(p Package) Package {
	t.lock()
	defer t.mu.Unlock()
	return *t.addPackageLocked(p)
}

// AddImage seeds an IMGAPI image (ID drawn, state active and owner the
// admin's, public, when empty).
func (t *Triton) AddImage(im Image) Image {
	t.lock()
	defer t.mu.Unlock()
	return *t.addImageLocked(im)
}

// Packages lists the packages in the order they were added.
func (t *Triton) Packages() []Package {
	t.lock()
	defer t.mu.Unlock()
	out := make([]Package, len(t.dc.packages))
	for i, p := range t.dc.packages {
		out[i] = *p
	}
	return out
}

// Images lists the images in the order they were added.
func (t *Triton) Images() []Image {
	t.lock()
	defer t.mu.Unlock()
	out := make([]Image, len(t.dc.images))
	for i, im := range t.dc.images {
		out[i] = *im
	}
	return out
}

// packageLocked is the package with this ID or name.
func (t *Triton) packageLocked(id string) *Package {
	for _, p := range t.dc.packages {
		if p.ID == id {
			return p
		}
	}
	for _, p := range t.dc.packages {
		if p.Name == id {
			return p
		}
	}
	return nil
}

// imageLocked is the image with this ID that owner may see.
func (t *Triton) imageLocked(id, owner string) *Image {
	for _, im := range t.dc.images {
		if im.ID == id && (im.Public || im.Owner == owner) {
			return im
		}
	}
	return nil
}

func (t *Triton) listPackages(c *kit.Call) (kit.Reply, error) {
	q := c.Query()
	t.lock()
	defer t.mu.Unlock()
	out := []Package{}
	for _, p := range t.dc.packages {
		if !matchFields(q, map[string]string{"name": p.Name, "version": p.Version, "group": p.Group,
			"memory": i64(p.Memory), "disk": i64(p.Disk), "swap": i64(p.Swap), "lwps": i64(p.LWPs), "vcpus": i64(p.VCPUs)}) {
			continue
		}
		out = append(out, *p)
	}
	c.Header().Set("x-resource-count", itoa(len(out)))
	return kit.OK(out), nil
}

func (t *Triton) getPackage(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	p := t.packageLocked(c.Var("package"))
	if p == nil {
		return kit.Reply{}, kit.NotFound("%s not found", c.Var("package"))
	}
	return kit.OK(*p), nil
}

// listImages is ListImages: active images the account may see, filtered
// by name, os, version, public, state ("all" for every state), owner and
// type.
func (t *Triton) listImages(c *kit.Call) (kit.Reply, error) {
	q := c.Query()
	t.lock()
	defer t.mu.Unlock()
	owner := c.Principal.UserID
	state := q.Get("state")
	out := []Image{}
	for _, im := range t.dc.images {
		if !im.Public && im.Owner != owner {
			continue
		}
		if state == "" && im.State != "active" || state != "" && state != "all" && im.State != state {
			continue
		}
		if !matchFields(q, map[string]string{"name": im.Name, "os": im.OS, "version": im.Version, "owner": im.Owner,
			"type": im.Type, "public": strconv.FormatBool(im.Public)}) {
			continue
		}
		out = append(out, *im)
	}
	c.Header().Set("x-resource-count", itoa(len(out)))
	return kit.OK(out), nil
}

func (t *Triton) getImage(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	im := t.imageLocked(c.Var("image"), c.Principal.UserID)
	if im == nil {
		return kit.Reply{}, kit.NotFound("Image %s not found", c.Var("image"))
	}
	return kit.OK(*im), nil
}

// matchFields reports whether every query parameter named in fields
// equals the field's value.
func matchFields(q map[string][]string, fields map[string]string) bool {
	for k, v := range fields {
		if want := q[k]; len(want) > 0 && want[0] != "" && want[0] != v {
			return false
		}
	}
	return true
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }
