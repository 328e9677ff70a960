package compute

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockcloud/mockcloud/fake"
)

// defaultFlavors are Nova's classic m1 flavors and Rackspace's general1 ones.
func defaultFlavors() []Flavor {
	return []Flavor{
		{ID: "1", Name: "m1.tiny", RAM: 512, VCPUs: 1, Disk: 1, RxTxFactor: 1, IsPublic: true},
		{ID: "2", Name: "m1.small", RAM: 2048, VCPUs: 1, Disk: 20, RxTxFactor: 1, IsPublic: true},
		{ID: "3", Name: "m1.medium", RAM: 4096, VCPUs: 2, Disk: 40, RxTxFactor: 1, IsPublic: true},
		{ID: "4", Name: "m1.large", RAM: 8192, VCPUs: 4, Disk: 80, RxTxFactor: 1, IsPublic: true},
		{ID: "5", Name: "m1.xlarge", RAM: 16384, VCPUs: 8, Disk: 160, RxTxFactor: 1, IsPublic: true},
		{ID: "general1-1", Name: "1 GB General Purpose v1", RAM: 1024, VCPUs: 1, Disk: 20, RxTxFactor: 200, IsPublic: true},
		{ID: "general1-2", Name: "2 GB General Purpose v1", RAM: 2048, VCPUs: 2, Disk: 40, RxTxFactor: 400, IsPublic: true},
		{ID: "general1-4", Name: "4 GB General Purpose v1", RAM: 4096, VCPUs: 4, Disk: 80, RxTxFactor: 800, IsPublic: true},
		{ID: "general1-8", Name: "8 GB General Purpose v1", RAM: 8192, VCPUs: 8, Disk: 160, RxTxFactor: 1600, IsPublic: true},
	}
}

// defaultImages are a few public images. Their IDs are fixed so that
// tests and docs can name them.
func defaultImages() []Image {
	return []Image{
		{ID: "70a599e0-31e7-49b7-b260-868f441e862b", Name: "cirros-0.6.2-x86_64-disk", MinDisk: 1, MinRAM: 0, Size: 21430272,
			Metadata: map[string]string{"os_distro": "cirros", "architecture": "x86_64", "auto_disk_config": "False"}},
		{ID: "9b7e8a30-8f3c-4b8e-9d0a-3f4c2a1b6e01", Name: "Ubuntu 24.04 LTS (Noble Numbat)", MinDisk: 10, MinRAM: 512, Size: 610271232,
			Metadata: map[string]string{"os_distro": "ubuntu", "os_version": "24.04", "architecture": "x86_64", "auto_disk_config": "False"}},
		{ID: "c3f6e1d2-7b4a-4e5f-8a9b-0c1d2e3f4a5b", Name: "Debian 12 (Bookworm)", MinDisk: 10, MinRAM: 512, Size: 432013312,
			Metadata: map[string]string{"os_distro": "debian", "os_version": "12", "architecture": "x86_64", "auto_disk_config": "False"}},
	}
}

// DefaultImageID is the ID of the default CirrOS image.
const DefaultImageID = "70a599e0-31e7-49b7-b260-868f441e862b"

func (c *Compute) seedDefaults() {
	for _, f := range defaultFlavors() {
		c.AddFlavor(f)
	}
	for _, img := range defaultImages() {
		c.AddImage(img)
	}
}

// AddFlavor seeds a flavor (replacing one with the same ID) and returns the
// stored copy.
func (c *Compute) AddFlavor(f Flavor) Flavor {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.ID == "" {
		f.ID = c.RNG().UUID()
	}
	if f.RxTxFactor == 0 {
		f.RxTxFactor = 1
	}
	f.ExtraSpecs = maps.Clone(f.ExtraSpecs)
	f.Projects = slices.Clone(f.Projects)
	stored := f
	c.flavors[f.ID] = &stored
	f.ExtraSpecs = maps.Clone(f.ExtraSpecs)
	f.Projects = slices.Clone(f.Projects)
	return f
}

// Flavor returns a flavor by ID.
func (c *Compute) Flavor(id string) (Flavor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.flavors[id]
	if !ok {
		return Flavor{}, false
	}
	out := *f
	out.ExtraSpecs = maps.Clone(f.ExtraSpecs)
	out.Projects = slices.Clone(f.Projects)
	return out, true
}

// AddImage seeds an image (replacing one with the same ID), ACTIVE unless
// a status is given, and returns the stored copy.
func (c *Compute) AddImage(img Image) Image {
	c.mu.Lock()
	defer c.mu.Unlock()
	if img.ID == "" {
		img.ID = c.RNG().UUID()
	}
	if img.Status == "" {
		img.Status = "ACTIVE"
	}
	now := c.Now()
	if img.Created.IsZero() {
		img.Created = now
	}
	if img.Updated.IsZero() {
		img.Updated = img.Created
	}
	img.Metadata = maps.Clone(img.Metadata)
	if img.Metadata == nil {
		img.Metadata = map[string]string{}
	}
	stored := img
	c.images[img.ID] = &stored
	img.Metadata = maps.Clone(img.Metadata)
	return img
}

// Image returns an image by ID.
func (c *Compute) Image(id string) (Image, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	img, ok := c.images[id]
	if !ok {
		return Image{}, false
	}
	c.settleImageLocked(img, c.Now())
	out := *img
	out.Metadata = maps.Clone(img.Metadata)
	return out, true
}

// settleImageLocked turns a snapshot in SAVING to ACTIVE once it is ready.
func (c *Compute) settleImageLocked(img *Image, now time.Time) {
	if img.Status == "SAVING" && !img.ReadyAt.IsZero() && !now.Before(img.ReadyAt) {
		img.Status, img.Updated = "ACTIVE", img.ReadyAt
	}
}

// Server returns a server by ID, settled to the current time (deleted ones
// too, with Deleted set).
func (c *Compute) Server(id string) (Server, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.servers[id]
	if !ok {
		return Server{}, false
	}
	c.settleLocked(s, c.Now())
	out := s.snapshot()
	out.CPUTime = s.cpuTime(c.Now())
	return out, true
}

// CheckServer reports, with t.Errorf, a difference (-want +got) between
// want and the server with want's ID as Server returns it; it returns
// whether they match. opts are go-cmp options (cmpopts.IgnoreFields …).
func (c *Compute) CheckServer(t fake.TB, want Server, opts ...cmp.Option) bool {
	t.Helper()
	got, ok := c.Server(want.ID)
	return fake.Check(t, "compute: server "+want.ID, want, got, ok, opts...)
}

// Servers returns every live server, oldest first.
func (c *Compute) Servers() []Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.Now()
	out := make([]Server, 0, len(c.servers))
	for _, s := range c.servers {
		c.settleLocked(s, now)
		if s.Deleted {
			continue
		}
		snap := s.snapshot()
		snap.CPUTime = s.cpuTime(now)
		out = append(out, snap)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// AddServer stores a server directly, bypassing HTTP, faults, quota and the
// build: it is ACTIVE (or in the VMState given) at once. ProjectID and
// FlavorID are required; the flavor must exist, and an ID given must not
// be in use.
func (c *Compute) AddServer(s Server) (Server, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.flavors[s.FlavorID]
	if !ok {
		return Server{}, fmt.Errorf("compute: no flavor %q", s.FlavorID)
	}
	if s.ProjectID == "" {
		return Server{}, fmt.Errorf("compute: a seeded server needs a ProjectID")
	}
	if _, dup := c.servers[s.ID]; dup && s.ID != "" {
		return Server{}, fmt.Errorf("compute: there is a server %s already", s.ID)
	}
	// Store a deep copy: the caller's slices and maps stay the caller's.
	defaultAddresses := s.Addresses == nil
	s = (&server{Server: s}).snapshot()
	now := c.Now()
	c.instanceCounter++
	n := c.instanceCounter
	if s.ID == "" {
		s.ID = c.RNG().UUID()
	}
	if s.Name == "" {
		short := s.ID
		if len(short) > 8 {
			short = short[:8]
		}
		s.Name = "server-" + short
	}
	if s.UserID == "" {
		s.UserID = "user-" + s.ProjectID
	}
	if s.VMState == "" {
		s.VMState = vmActive
	}
	if s.Created.IsZero() {
		s.Created = now
	}
	s.Updated = now
	if s.Host == "" {
		s.Host = c.placeLocked(nil, "", n).host
	}
	s.HypervisorHostname = nodeName(s.Host)
	s.InstanceName = fmt.Sprintf("instance-%08x", n)
	if s.AvailabilityZone == "" {
		s.AvailabilityZone = c.zoneOf(s.Host)
	}
	if s.DiskConfig == "" {
		s.DiskConfig = "MANUAL"
	}
	if s.SecurityGroups == nil {
		s.SecurityGroups = []string{"default"}
	}
	if s.Metadata == nil {
		s.Metadata = map[string]string{}
	}
	s.MemoryMB, s.VCPUs, s.DiskGB = f.RAM, f.VCPUs, f.Disk
	stored := &server{Server: s}
	stored.Metadata = maps.Clone(s.Metadata)
	if defaultAddresses {
		c.addressesLocked(stored, n, []requestedNetwork{{}}, "", "")
	}
	if st, ok := statusStates[statusOf(s.VMState, s.TaskState)]; ok && s.PowerState == 0 {
		stored.PowerState = st.power
	}
	if stored.PowerState == PowerRunning {
		stored.runningFrom = now
		if stored.LaunchedAt.IsZero() {
			stored.LaunchedAt = now
		}
	}
	c.storeLocked(stored)
	c.settleLocked(stored, now)
	return stored.snapshot(), nil
}
