package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/compute"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/mesos"
	"github.com/mockcloud/mockcloud/triton"
)

// maxConfigFile bounds a -config file: a configuration, not a data set
// (a whole Triton DC to mirror is the largest thing it may hold).
const maxConfigFile = 64 << 20

// fileConfig is the -config file (JSON): what the flags say and what only
// a file can (users, projects, roles, images, flavors, quotas, the Mesos
// cluster, Triton's CNs). A flag given on the command line wins over the
// file.
type fileConfig struct {
	Regions  []string        `json:"regions"`
	Profile  string          `json:"profile"`
	Seed     *int64          `json:"seed"`
	Frozen   *bool           `json:"frozen"`
	Services []string        `json:"services"`
	Identity *identityFile   `json:"identity"`
	Compute  *computeFile    `json:"compute"`
	Mesos    json.RawMessage `json:"mesos"` // mesos.ParseConfig's form
	Triton   *tritonFile     `json:"triton"`
	Journal  *journalFile    `json:"journal"`
	// Faults are in force from the start, in the control API's form
	// (read one by one, so that an error names its index).
	Faults []json.RawMessage `json:"faults"`
	faults []fake.Fault
}

type identityFile struct {
	Strict   bool          `json:"strict"`
	Projects []projectFile `json:"projects"`
	Users    []userFile    `json:"users"`
}

type projectFile struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	DomainID    string   `json:"domain_id"`
	ParentID    string   `json:"parent_id"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
}

type userFile struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Password         string `json:"password"`
	APIKey           string `json:"api_key"`
	DomainID         string `json:"domain_id"`
	Email            string `json:"email"`
	DefaultProjectID string `json:"default_project_id"`
	DefaultRegion    string `json:"default_region"`
	// Roles are the user's roles by project ID.
	Roles map[string][]string `json:"roles"`
	// SystemRoles are roles on the system ("admin", "reader").
	SystemRoles []string `json:"system_roles"`
}

type computeFile struct {
	// Durations override compute.DefaultDurations() by name ("build":
	// "2s"); the others keep their default.
	Durations map[string]string `json:"durations"`
	durations compute.Durations
	Quota     *quotaFile   `json:"quota"`
	Images    []imageFile  `json:"images"`
	Flavors   []flavorFile `json:"flavors"`
}

// quotaFile is the default quota of every project, in Nova's names; what
// is left out keeps Nova's default.
type quotaFile struct {
	Instances          *int `json:"instances"`
	Cores              *int `json:"cores"`
	RAM                *int `json:"ram"`
	MetadataItems      *int `json:"metadata_items"`
	KeyPairs           *int `json:"key_pairs"`
	ServerGroups       *int `json:"server_groups"`
	ServerGroupMembers *int `json:"server_group_members"`
}

type imageFile struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	MinDisk  int               `json:"min_disk"`
	MinRAM   int               `json:"min_ram"`
	Size     int64             `json:"size"`
	Metadata map[string]string `json:"metadata"`
}

type flavorFile struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	RAM         int               `json:"ram"`
	VCPUs       int               `json:"vcpus"`
	Disk        int               `json:"disk"`
	Ephemeral   int               `json:"ephemeral"`
	Swap        int               `json:"swap"`
	Private     bool              `json:"private"`
	Description string            `json:"description"`
	ExtraSpecs  map[string]string `json:"extra_specs"`
}

type tritonFile struct {
	// Servers adds this many CNs of the default hardware profile.
	Servers int `json:"servers"`
	// DC is a whole data center as CNAPI, VMAPI and NAPI list it
	// (triton.LoadDC's form).
	DC json.RawMessage `json:"dc"`
}

type journalFile struct {
	Limit *int `json:"limit"`
}

// readConfigFile reads and checks a -config file: an unknown key or a bad
// value is refused with its path in the file.
func readConfigFile(path string) (fileConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileConfig{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return fileConfig{}, err
	}
	if len(data) > maxConfigFile {
		return fileConfig{}, fmt.Errorf("%s: larger than %d MiB", path, maxConfigFile>>20)
	}
	fc, err := parseConfigFile(data)
	if err != nil {
		return fileConfig{}, fmt.Errorf("%s: %v", path, err)
	}
	return fc, nil
}

func parseConfigFile(data []byte) (fileConfig, error) {
	var fc fileConfig
	if err := kit.CheckKeys(data, fc); err != nil {
		return fc, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return fc, err
	}
	if err := fc.validate(); err != nil {
		return fc, err
	}
	return fc, nil
}

// validate checks what decoding cannot: names given, numbers in range,
// references that resolve. Each error names its path.
func (fc *fileConfig) validate() error {
	if _, err := mockcloud.ParseProfile(fc.Profile); err != nil {
		return fmt.Errorf("profile: %v", err)
	}
	if len(fc.Mesos) > 0 {
		if _, err := mesos.ParseConfig(fc.Mesos); err != nil {
			return fmt.Errorf("mesos: %v", err)
		}
	}
	if fc.Journal != nil && fc.Journal.Limit != nil && *fc.Journal.Limit < 0 {
		return fmt.Errorf("journal.limit: %d is negative", *fc.Journal.Limit)
	}
	if fc.Triton != nil && (fc.Triton.Servers < 0 || fc.Triton.Servers > triton.MaxAddServers) {
		return fmt.Errorf("triton.servers: %d is not between 0 and %d", fc.Triton.Servers, triton.MaxAddServers)
	}
	for i, raw := range fc.Faults {
		var f fake.Fault
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("faults[%d]: %v", i, err)
		}
		fc.faults = append(fc.faults, f)
	}
	if err := fc.Identity.validate(); err != nil {
		return err
	}
	return fc.Compute.validate()
}

func (id *identityFile) validate() error {
	if id == nil {
		return nil
	}
	projects := map[string]bool{}
	for i, p := range id.Projects {
		if p.ID == "" && p.Name == "" {
			return fmt.Errorf("identity.projects[%d]: an id or a name is required", i)
		}
		projects[p.ID] = true
	}
	for i, u := range id.Users {
		if u.Name == "" {
			return fmt.Errorf("identity.users[%d].name: required", i)
		}
		for project := range u.Roles {
			if !projects[project] {
				return fmt.Errorf("identity.users[%d].roles.%s: no project with that id in identity.projects", i, project)
			}
		}
	}
	return nil
}

func (c *computeFile) validate() error {
	if c == nil {
		return nil
	}
	if err := c.parseDurations(); err != nil {
		return err
	}
	if q := c.Quota; q != nil {
		for name, v := range map[string]*int{"instances": q.Instances, "cores": q.Cores, "ram": q.RAM,
			"metadata_items": q.MetadataItems, "key_pairs": q.KeyPairs, "server_groups": q.ServerGroups,
			"server_group_members": q.ServerGroupMembers} {
			if v != nil && *v < -1 {
				return fmt.Errorf("compute.quota.%s: %d is below -1 (unlimited)", name, *v)
			}
		}
	}
	for i, img := range c.Images {
		if img.Name == "" {
			return fmt.Errorf("compute.images[%d].name: required", i)
		}
		if img.MinDisk < 0 || img.MinRAM < 0 || img.Size < 0 {
			return fmt.Errorf("compute.images[%d]: min_disk, min_ram and size must not be negative", i)
		}
	}
	for i, f := range c.Flavors {
		switch {
		case f.Name == "":
			return fmt.Errorf("compute.flavors[%d].name: required", i)
		case f.RAM < 1 || f.VCPUs < 1:
			return fmt.Errorf("compute.flavors[%d]: ram and vcpus must be at least 1", i)
		case f.Disk < 0 || f.Ephemeral < 0 || f.Swap < 0:
			return fmt.Errorf("compute.flavors[%d]: disk, ephemeral and swap must not be negative", i)
		}
	}
	return nil
}

// parseDurations reads compute.durations over compute.DefaultDurations().
func (c *computeFile) parseDurations() error {
	c.durations = compute.DefaultDurations()
	fields := durationFields(&c.durations)
	names := make([]string, 0, len(c.Durations))
	for name := range c.Durations {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		dst, ok := fields[name]
		if !ok {
			return fmt.Errorf("compute.durations.%s: unknown key", name)
		}
		d, err := time.ParseDuration(c.Durations[name])
		if err != nil || d < 0 && name != "shelve_offload" {
			return fmt.Errorf("compute.durations.%s: %q is not a duration of 0 or more", name, c.Durations[name])
		}
		*dst = d
	}
	return nil
}

// durationFields are compute.Durations' fields by their names in a file.
func durationFields(d *compute.Durations) map[string]*time.Duration {
	return map[string]*time.Duration{
		"build": &d.Build, "reboot": &d.Reboot, "hard_reboot": &d.HardReboot, "rebuild": &d.Rebuild,
		"resize": &d.Resize, "confirm_resize": &d.ConfirmResize, "revert_resize": &d.RevertResize,
		"stop": &d.Stop, "start": &d.Start, "pause": &d.Pause, "unpause": &d.Unpause, "suspend": &d.Suspend,
		"resume": &d.Resume, "rescue": &d.Rescue, "unrescue": &d.Unrescue, "shelve": &d.Shelve,
		"shelve_offload": &d.ShelveOffload, "unshelve": &d.Unshelve, "snapshot": &d.Snapshot,
		"delete": &d.Delete, "password": &d.Password,
	}
}

// quota is the file's quota over Nova's default.
func (q *quotaFile) quota() compute.Quota {
	out := compute.DefaultQuota()
	for _, f := range []struct {
		v   *int
		dst *int
	}{{q.Instances, &out.Instances}, {q.Cores, &out.Cores}, {q.RAM, &out.RAM}, {q.MetadataItems, &out.MetadataItems},
		{q.KeyPairs, &out.KeyPairs}, {q.ServerGroups, &out.ServerGroups}, {q.ServerGroupMembers, &out.ServerGroupMembers}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return out
}

// seed puts what the file describes into a built Cloud: the projects and
// users (with their roles) in identity, the images and flavors in every
// compute region, Triton's CNs and DC. A failure names the entry.
func (fc *fileConfig) seed(cloud *mockcloud.Cloud, services []kit.Descriptor) error {
	if fc == nil {
		return nil
	}
	has := func(name string) bool { return mounts(services, name) }
	regions := cloud.Regions()
	for i, f := range fc.faults {
		if _, err := cloud.AddFault(f); err != nil {
			return fmt.Errorf("faults[%d]: %v", i, strings.TrimPrefix(err.Error(), "mockcloud: "))
		}
	}
	if id := fc.Identity; id != nil {
		if err := seedIdentity(cloud.Identity(), id); err != nil {
			return err
		}
	}
	if c := fc.Compute; c != nil && has(compute.ServiceName) {
		for _, region := range regions {
			seedCompute(cloud.Compute(region), c)
		}
	}
	if t := fc.Triton; t != nil && has(triton.ServiceName) {
		dc := cloud.Triton()
		if len(t.DC) > 0 {
			if err := dc.LoadDC(t.DC); err != nil {
				return fmt.Errorf("triton.dc: %v", kit.MessageOf(err))
			}
		}
		if t.Servers > 0 {
			dc.AddServers(t.Servers, triton.DefaultProfile())
		}
	}
	return nil
}

func seedIdentity(s *identity.Identity, id *identityFile) error {
	for i, p := range id.Projects {
		if _, err := s.AddProject(identity.Project{ID: p.ID, Name: p.Name, DomainID: p.DomainID, ParentID: p.ParentID,
			Description: p.Description, Tags: p.Tags}); err != nil {
			return fmt.Errorf("identity.projects[%d]: %v", i, err)
		}
	}
	for i, u := range id.Users {
		stored, err := s.AddUser(identity.User{ID: u.ID, Name: u.Name, Password: u.Password, APIKey: u.APIKey, DomainID: u.DomainID,
			Email: u.Email, DefaultProjectID: u.DefaultProjectID, DefaultRegion: u.DefaultRegion})
		if err != nil {
			return fmt.Errorf("identity.users[%d]: %v", i, err)
		}
		for project, roles := range u.Roles {
			if !s.Grant(stored.ID, project, roles...) {
				return fmt.Errorf("identity.users[%d].roles.%s: the grant was refused", i, project)
			}
		}
		if len(u.SystemRoles) > 0 && !s.GrantSystem(stored.ID, u.SystemRoles...) {
			return fmt.Errorf("identity.users[%d].system_roles: the grant was refused", i)
		}
	}
	return nil
}

func seedCompute(c *compute.Compute, cf *computeFile) {
	for _, img := range cf.Images {
		c.AddImage(compute.Image{ID: img.ID, Name: img.Name, Status: "ACTIVE", MinDisk: img.MinDisk, MinRAM: img.MinRAM,
			Size: img.Size, Metadata: img.Metadata})
	}
	for _, f := range cf.Flavors {
		c.AddFlavor(compute.Flavor{ID: f.ID, Name: f.Name, RAM: f.RAM, VCPUs: f.VCPUs, Disk: f.Disk, Ephemeral: f.Ephemeral,
			Swap: f.Swap, IsPublic: !f.Private, Description: f.Description, ExtraSpecs: f.ExtraSpecs, RxTxFactor: 1})
	}
}

// mergeFile fills from the file what the command line left unset: a flag
// given wins over the file.
func (cfg *config) mergeFile(fc *fileConfig, set map[string]bool) {
	cfg.file = fc
	if len(fc.Regions) > 0 && !set["regions"] {
		cfg.regions, cfg.regionsSet = strings.Join(fc.Regions, ","), true
	}
	if fc.Profile != "" && !set["profile"] {
		cfg.profile, _ = mockcloud.ParseProfile(fc.Profile) // validated
	}
	if fc.Seed != nil && !set["seed"] {
		cfg.seed = *fc.Seed
	}
	if fc.Frozen != nil && !set["frozen"] {
		cfg.frozen = *fc.Frozen
	}
	if len(fc.Services) > 0 && !set["services"] {
		cfg.services = strings.Join(fc.Services, ",")
	}
	if fc.Identity != nil && fc.Identity.Strict && !set["strict"] {
		cfg.strict = true
	}
	if fc.Journal != nil && fc.Journal.Limit != nil && !set["journal-limit"] {
		cfg.journalLimit = *fc.Journal.Limit
	}
}

// options are the Cloud options the file adds: the Mesos cluster (unless
// -mesos-config names one: the flag wins) and compute's quota and
// durations. (The journal's limit is a flag's, set by mergeFile.)
func (fc *fileConfig) options(services []kit.Descriptor, mesosFlag bool) ([]mockcloud.Option, error) {
	if fc == nil {
		return nil, nil
	}
	var opts []mockcloud.Option
	if len(fc.Mesos) > 0 && !mesosFlag {
		if !mounts(services, mesos.ServiceName) {
			return nil, fmt.Errorf("-config: mesos is configured but not mounted")
		}
		mc, _ := mesos.ParseConfig(fc.Mesos) // validated
		opts = append(opts, mockcloud.Configure(mesos.ServiceName, mesos.WithConfig(mc)))
	}
	if c := fc.Compute; c != nil && mounts(services, compute.ServiceName) {
		if c.Quota != nil {
			opts = append(opts, mockcloud.Configure(compute.ServiceName, compute.WithQuota(c.Quota.quota())))
		}
		if len(c.Durations) > 0 {
			opts = append(opts, mockcloud.Configure(compute.ServiceName, compute.WithDurations(c.durations)))
		}
	}
	return opts, nil
}
