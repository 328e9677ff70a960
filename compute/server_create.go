// POST /servers: parse, validate against what is stored, then apply.

package compute

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// serverCreate is the body of POST /servers.
type serverCreate struct {
	Name                     string               `json:"name"`
	ImageRef                 flexString           `json:"imageRef"`
	FlavorRef                flexString           `json:"flavorRef"`
	KeyName                  string               `json:"key_name"`
	Metadata                 map[string]string    `json:"metadata"`
	AdminPass                string               `json:"adminPass"`
	AccessIPv4               string               `json:"accessIPv4"`
	AccessIPv6               string               `json:"accessIPv6"`
	AvailabilityZone         string               `json:"availability_zone"`
	Networks                 json.RawMessage      `json:"networks"`
	SecurityGroups           []nameJSON           `json:"security_groups"`
	UserData                 *string              `json:"user_data"`
	ConfigDrive              json.RawMessage      `json:"config_drive"` // parameter_types.boolean
	DiskConfig               string               `json:"OS-DCF:diskConfig"`
	MinCount                 json.RawMessage      `json:"min_count"` // positive_integer: a number or digits
	MaxCount                 json.RawMessage      `json:"max_count"`
	ReturnReservationID      json.RawMessage      `json:"return_reservation_id"` // parameter_types.boolean
	BlockDeviceMapping       []blockDeviceMapping `json:"block_device_mapping_v2"`
	Description              *string              `json:"description"`
	Tags                     []string             `json:"tags"`
	Personality              []personalityFile    `json:"personality"`
	Host                     string               `json:"host"`
	HypervisorHostname       string               `json:"hypervisor_hostname"`
	Hostname                 *string              `json:"hostname"`                   // 2.90
	TrustedImageCertificates []string             `json:"trusted_image_certificates"` // 2.63
}

// blockDeviceMapping is one entry of block_device_mapping_v2. The members
// Nova's schema takes as a number or a string, or a boolean or a string,
// are kept raw and read by parseBlockDevices.
type blockDeviceMapping struct {
	BootIndex           json.RawMessage `json:"boot_index"`
	UUID                string          `json:"uuid"`
	SourceType          string          `json:"source_type"`
	DestinationType     string          `json:"destination_type"`
	VolumeSize          json.RawMessage `json:"volume_size"`
	DeleteOnTermination json.RawMessage `json:"delete_on_termination"`
	Tag                 string          `json:"tag"`
}

// serverCreateFields are the members the v2.1 schema allows (it sets
// additionalProperties to false).
var serverCreateFields = map[string]bool{
	"name": true, "imageRef": true, "flavorRef": true, "key_name": true, "metadata": true,
	"adminPass": true, "accessIPv4": true, "accessIPv6": true, "availability_zone": true,
	"networks": true, "security_groups": true, "user_data": true, "config_drive": true,
	"OS-DCF:diskConfig": true, "min_count": true, "max_count": true, "return_reservation_id": true,
	"block_device_mapping_v2": true, "block_device_mapping": true, "description": true, "tags": true,
	"personality": true, "host": true, "hypervisor_hostname": true, "trusted_image_certificates": true, "hostname": true,
}

// flexString accepts a JSON string or number (Nova accepts flavorRef 1).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("must be a string")
	}
	*f = flexString(n.String())
	return nil
}

// createRequest is a parsed and checked POST /servers: the members as
// sent, and what Nova derives from them before it looks at any state.
type createRequest struct {
	serverCreate
	group              string             // os:scheduler_hints' server group
	hints              json.RawMessage    // os:scheduler_hints as sent
	networks           []requestedNetwork // nil for "none"
	minCount, maxCount int
	zone               string // availability_zone without its ":host"
	configDrive        bool
	returnReservation  bool
	devices            []blockDevice // block_device_mapping_v2, read
}

// createPlan is what a creation resolves against the stored state.
type createPlan struct {
	group      *ServerGroup
	flavor     *Flavor
	imageID    string // "" for a server booted from a volume
	secGroups  []string
	diskConfig string
	count      int // how many servers quota allows, between min and max
}

func (c *Compute) createServer(call *kit.Call) (kit.Reply, error) {
	req, err := parseCreateServer(call)
	if err != nil {
		return kit.Reply{}, err
	}
	outcome, found := c.creationOutcome(callerOf(call).projectID, req.Name, req.Metadata)
	if found && outcome.Kind == Fail {
		return outcomeFailure(outcome), nil
	}
	first, err := c.createServers(call, &req, outcome)
	if err != nil {
		return kit.Reply{}, err
	}
	if found && outcome.Kind == FalseNegative {
		return outcomeFailure(outcome), nil
	}
	if req.returnReservation {
		return kit.JSON(http.StatusAccepted, reservationJSON{ReservationID: first.ReservationID}), nil
	}
	call.Header().Set("Location", selfHref(call, first.ProjectID, "servers", first.ID))
	return kit.JSON(http.StatusAccepted, createdServerBody{Server: createdServerJSON{
		ID: first.ID, Links: links(call, first.ProjectID, "servers", first.ID), AdminPass: first.AdminPass,
		DiskConfig: first.DiskConfig, SecurityGroups: namesJSON(first.SecurityGroups),
	}}), nil
}

// parseCreateServer decodes the body and applies Nova's schema, in Nova's
// order, for the request's microversion and root.
func parseCreateServer(call *kit.Call) (createRequest, error) {
	var req createRequest
	wrapper, err := decodeWrapped(call.Body, "server", serverCreateFields, &req.serverCreate)
	if err != nil {
		return req, err
	}
	if req.group, req.hints, err = schedulerGroup(wrapper); err != nil {
		return req, err
	}
	var members map[string]json.RawMessage
	_ = json.Unmarshal(wrapper["server"], &members)
	if err := checkCreateMembers(call, &req.serverCreate, wrapper["server"], members); err != nil {
		return req, err
	}
	if err := checkCreateValues(&req.serverCreate, members); err != nil {
		return req, err
	}
	if err := req.readLooseMembers(call); err != nil {
		return req, err
	}
	if req.networks, err = parseNetworks(req.Networks, versionOf(call)); err != nil {
		return req, err
	}
	req.zone, _, _ = strings.Cut(req.AvailabilityZone, ":")
	return req, nil
}

// schedulerGroup is the server group of os:scheduler_hints (or its
// OS-SCH-HNT alias).
func schedulerGroup(wrapper map[string]json.RawMessage) (string, json.RawMessage, error) {
	var hints struct {
		Group string `json:"group"`
	}
	var given json.RawMessage
	for _, k := range []string{"os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"} {
		if raw, ok := wrapper[k]; ok {
			if json.Unmarshal(raw, &hints) != nil {
				return "", nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", k, raw, raw)
			}
			given = raw
		}
	}
	return hints.Group, compactJSON(given), nil
}

// createMinors are the members later microversions added: unknown before.
var createMinors = []struct {
	name  string
	minor int
}{{"description", 19}, {"tags", 52}, {"trusted_image_certificates", 63}, {"host", 74}, {"hypervisor_hostname", 74}, {"hostname", 90}}

// checkCreateMembers checks which members are there: the name (and its
// rule on this root), metadata, flavorRef, and members of later
// microversions.
func checkCreateMembers(call *kit.Call, in *serverCreate, raw json.RawMessage, members map[string]json.RawMessage) error {
	if _, ok := members["name"]; !ok {
		return kit.BadRequest("Invalid input for field/attribute server. Value: %s. 'name' is a required property", raw)
	}
	if err := checkName(call, "name", in.Name); err != nil {
		return err
	}
	if md, ok := members["metadata"]; ok {
		if _, err := parseMetadata("metadata", md); err != nil {
			return err
		}
	}
	if in.FlavorRef == "" {
		return kit.BadRequest("Invalid input for field/attribute flavorRef. Value: None. 'flavorRef' is a required property")
	}
	v := versionOf(call)
	for _, m := range createMinors {
		if _, ok := members[m.name]; ok && !v.AtLeast(m.minor) {
			return kit.BadRequest("Invalid input for field/attribute server. Value: %s. Additional properties are not allowed ('%s' was unexpected)", raw, m.name)
		}
	}
	return nil
}

// checkCreateValues checks the members' values: addresses, description,
// an image (unless a block device mapping gives one), disk config and
// user data.
func checkCreateValues(in *serverCreate, members map[string]json.RawMessage) error {
	if err := checkAccessIP("accessIPv4", in.AccessIPv4, false); err != nil {
		return err
	}
	if err := checkAccessIP("accessIPv6", in.AccessIPv6, true); err != nil {
		return err
	}
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return err
		}
	}
	// Any block device mapping makes imageRef optional (Nova's
	// _image_from_req_data); the image then comes from the mapping.
	_, bdmV1 := members["block_device_mapping"]
	if in.ImageRef == "" && len(in.BlockDeviceMapping) == 0 && !bdmV1 {
		return kit.BadRequest("Missing imageRef attribute")
	}
	if err := checkDiskConfig(in.DiskConfig); err != nil {
		return err
	}
	if in.UserData != nil {
		if _, err := base64.StdEncoding.DecodeString(*in.UserData); err != nil || len(*in.UserData) > 65535 {
			return kit.BadRequest("Invalid input for field/attribute user_data. Value: %s. 'user_data' is not a base64 string of at most 65535 characters", *in.UserData)
		}
	}
	return checkPersonalityFiles(in.Personality)
}

// checkPersonalityFiles checks personality files: base64 as Nova reads
// it, within the injected file quotas.
func checkPersonalityFiles(files []personalityFile) error {
	for _, file := range files {
		if !pyBase64(file.Contents) {
			return kit.BadRequest("Invalid input for field/attribute contents. Value: %s. '%s' is not a 'base64'", file.Contents, file.Contents)
		}
	}
	return checkInjectedFiles(files)
}

// checkInjectedFiles holds personality files to Nova's injected file
// quotas (5 files, paths of 255 bytes, 10,240 bytes of decoded content):
// 403, the count first, then the path over the content.
func checkInjectedFiles(files []personalityFile) error {
	if len(files) > quotaInjectedFiles {
		return kit.Forbidden("Personality file limit exceeded")
	}
	maxPath, maxContent := 0, 0
	for _, f := range files {
		maxPath = max(maxPath, len(f.Path))
		data, _ := base64Chars(f.Contents)
		maxContent = max(maxContent, data*6/8) // the decoded bytes
	}
	switch {
	case maxPath > quotaInjectedFilePathBytes:
		return kit.Forbidden("Personality file path exceeds maximum %d", quotaInjectedFilePathBytes)
	case maxContent > quotaInjectedFileContentBytes:
		return kit.Forbidden("Personality file content exceeds maximum %d", quotaInjectedFileContentBytes)
	}
	return nil
}

// personalityFile is a file to inject (until 2.57): its contents base64.
type personalityFile struct {
	Path     string `json:"path"`
	Contents string `json:"contents"`
}

// checkDiskConfig is the OS-DCF:diskConfig enum ("" when absent).
func checkDiskConfig(dc string) error {
	if dc != "" && dc != "AUTO" && dc != "MANUAL" {
		return diskConfigError(dc)
	}
	return nil
}

func diskConfigError(dc string) error {
	return kit.BadRequest("Invalid input for field/attribute OS-DCF:diskConfig. Value: %s. '%s' is not one of ['AUTO', 'MANUAL']", dc, dc)
}

// instanceCounts are min_count and max_count with Nova's defaults: 1, and
// max_count is min_count when only that is given.
func instanceCounts(minP, maxP *int) (int, int, error) {
	minCount, maxCount := 1, 1
	if minP != nil {
		minCount, maxCount = *minP, *minP
	}
	if maxP != nil {
		maxCount = *maxP
	}
	if minCount < 1 || maxCount < 1 || minCount > maxCount {
		return 0, 0, kit.BadRequest("min_count must be <= max_count, and both must be at least 1")
	}
	return minCount, maxCount, nil
}

// createServers applies a checked request under the lock: it resolves it
// against what is stored, then stores the servers. It returns a copy of
// the first.
func (c *Compute) createServers(call *kit.Call, req *createRequest, outcome Outcome) (Server, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	who := callerOf(call)
	plan, err := c.planCreateLocked(call, who, req)
	if err != nil {
		return Server{}, err
	}
	return c.storeServersLocked(call, who, req, plan, outcome)[0].snapshot(), nil
}

// planCreateLocked resolves a request's references (server group,
// flavor, image, keypair, zone) and counts how many servers quota allows.
func (c *Compute) planCreateLocked(call *kit.Call, who caller, req *createRequest) (createPlan, error) {
	var plan createPlan
	var err error
	if plan.group, err = c.requestedGroupLocked(who, req.group); err != nil {
		return plan, err
	}
	flavorID := idFromHref(string(req.FlavorRef))
	flavor, ok := c.flavors[flavorID]
	switch {
	case c.anyRefs && !ok:
		flavor = anyFlavor(flavorID)
	case !ok || flavor.Disabled:
		return plan, kit.BadRequest("Flavor %s could not be found.", flavorID)
	}
	plan.flavor = flavor
	switch {
	case req.ImageRef != "" && c.anyRefs:
		plan.imageID = idFromHref(string(req.ImageRef))
	case req.ImageRef != "":
		if plan.imageID, err = c.bootImageLocked(call, string(req.ImageRef), flavor); err != nil {
			return plan, err
		}
	}
	if req.KeyName != "" {
		if _, ok := c.keypairs[who.userID][req.KeyName]; !ok {
			return plan, kit.BadRequest("Invalid key_name provided.")
		}
	}
	if req.zone != "" && !slices.Contains(c.zones, req.zone) {
		return plan, kit.BadRequest("The requested availability zone is not available")
	}
	q := c.quotaLocked(who.projectID)
	if err := validateMetadata(req.Metadata, q.MetadataItems); err != nil {
		return plan, err
	}
	if plan.count, err = c.allowedCountLocked(who.projectID, q, flavor, req.minCount, req.maxCount); err != nil {
		return plan, err
	}
	if plan.group != nil {
		if limit := q.ServerGroupMembers; limit >= 0 && len(c.liveMembersLocked(plan.group))+req.minCount > limit {
			return plan, kit.Forbidden("Quota exceeded, too many servers in group")
		}
	}
	plan.secGroups = []string{"default"}
	if len(req.SecurityGroups) > 0 {
		plan.secGroups = plan.secGroups[:0]
		for _, g := range req.SecurityGroups {
			// Nova asks Neutron for each group but "default" by name or ID.
			group, ok := c.findGroupLocked(who.projectID, g.Name)
			if !ok && c.anyRefs {
				group, ok = c.implicitGroupLocked(who.projectID, g.Name), true
			}
			if !ok {
				return plan, kit.BadRequest("Unable to find security_group with name or id '%s'", g.Name)
			}
			plan.secGroups = append(plan.secGroups, group.name)
		}
	}
	plan.diskConfig = cmp.Or(req.DiskConfig, "MANUAL")
	return plan, nil
}

// requestedGroupLocked is the server group a scheduler hint names, which
// must be the caller's project's; nil for none.
func (c *Compute) requestedGroupLocked(who caller, id string) (*ServerGroup, error) {
	if id == "" {
		return nil, nil
	}
	g, ok := c.groups[id]
	if !ok || g.ProjectID != who.projectID {
		return nil, kit.BadRequest("Invalid input for field/attribute group. Value: %s. Server group %s could not be found.", id, id)
	}
	return g, nil
}

// allowedCountLocked is how many servers of flavor a project may add: as
// many as quota allows, up to maxCount (computed, not searched, so a huge
// max_count costs nothing), and at least minCount or Nova's 403.
func (c *Compute) allowedCountLocked(project string, q Quota, flavor *Flavor, minCount, maxCount int) (int, error) {
	// Counting usage walks the project's servers; skip it when nothing
	// that is counted is limited.
	var used usage
	if q.Instances >= 0 || q.Cores >= 0 || q.RAM >= 0 {
		used = c.usageLocked(project)
	}
	count := maxCount
	if q.Instances >= 0 {
		count = min(count, q.Instances-used.instances)
	}
	if q.Cores >= 0 && flavor.VCPUs > 0 {
		count = min(count, (q.Cores-used.cores)/flavor.VCPUs)
	}
	if q.RAM >= 0 && flavor.RAM > 0 {
		count = min(count, (q.RAM-used.ram)/flavor.RAM)
	}
	switch {
	case count >= minCount:
		return count, nil
	case !fits(q.Instances, used.instances, minCount):
		return 0, kit.Forbidden("Quota exceeded for instances: Requested %d, but already used %d of %d instances", minCount, used.instances, q.Instances)
	case !fits(q.Cores, used.cores, minCount*flavor.VCPUs):
		return 0, kit.Forbidden("Quota exceeded for cores: Requested %d, but already used %d of %d cores", minCount*flavor.VCPUs, used.cores, q.Cores)
	default:
		return 0, kit.Forbidden("Quota exceeded for ram: Requested %d, but already used %d of %d ram", minCount*flavor.RAM, used.ram, q.RAM)
	}
}

// storeServersLocked stores plan.count servers of one reservation, each
// placed, addressed and building.
func (c *Compute) storeServersLocked(call *kit.Call, who caller, req *createRequest, plan createPlan, outcome Outcome) []*server {
	now := c.Now()
	reservation := "r-" + c.RNG().Alnum(8)
	out := make([]*server, 0, plan.count)
	for i := 0; i < plan.count; i++ {
		c.instanceCounter++
		n := c.instanceCounter
		at := c.placeLocked(plan.group, req.zone, n)
		name := req.Name
		if plan.count > 1 {
			name = fmt.Sprintf("%s-%d", req.Name, i+1)
		}
		s := &server{Server: Server{
			ID: c.RNG().UUID(), Name: name, ProjectID: who.projectID, UserID: who.userID,
			VMState: vmBuilding, TaskState: "scheduling", PowerState: PowerNoState,
			FlavorID: plan.flavor.ID, ImageID: plan.imageID, KeyName: req.KeyName,
			Metadata: nonNilMap(maps.Clone(req.Metadata)), Tags: append([]string(nil), req.Tags...),
			AdminPass: req.AdminPass, AvailabilityZone: at.zone, Host: at.host,
			HypervisorHostname: nodeName(at.host), InstanceName: fmt.Sprintf("instance-%08x", n),
			ReservationID: reservation, LaunchIndex: i, DiskConfig: plan.diskConfig,
			SecurityGroups: append([]string(nil), plan.secGroups...), Created: now, Updated: now,
			MemoryMB: plan.flavor.RAM, VCPUs: plan.flavor.VCPUs, DiskGB: plan.flavor.Disk,
		}}
		c.fillServerLocked(s, req, n)
		o := outcome
		if !at.placed {
			// No host satisfies the group's policy: Nova's scheduler fails
			// the build and the server lands in ERROR.
			o = Outcome{Kind: Error}
		}
		c.applyBuildLocked(s, now, req.Metadata, o)
		c.storeLocked(s)
		c.recordActionLocked(s, "create", call)
		if plan.group != nil {
			plan.group.Members = append(plan.group.Members, s.ID)
		}
		out = append(out, s)
	}
	return out
}

// fillServerLocked sets what a new server takes from the optional members:
// description, user data, config drive, a generated password, addresses
// and the volumes it boots with.
func (c *Compute) fillServerLocked(s *server, req *createRequest, n int) {
	if req.Description != nil {
		s.Description = *req.Description
	}
	if req.UserData != nil {
		s.UserData = *req.UserData
	}
	s.ConfigDrive = req.configDrive
	if req.Hostname != nil {
		s.Hostname = *req.Hostname
	}
	s.TrustedImageCertificates = append([]string(nil), req.TrustedImageCertificates...)
	s.PinnedAvailabilityZone = req.zone
	s.SchedulerHints = append(json.RawMessage(nil), req.hints...)
	if s.AdminPass == "" {
		s.AdminPass = c.RNG().Alnum(12)
	}
	c.addressesLocked(s, n, req.networks, req.AccessIPv4, req.AccessIPv6)
	for _, b := range req.devices {
		if b.DestinationType != "volume" {
			continue
		}
		vid := b.UUID
		if b.SourceType != "volume" || vid == "" {
			vid = c.RNG().UUID()
		}
		s.Volumes = append(s.Volumes, VolumeAttachment{ID: vid, VolumeID: vid, ServerID: s.ID,
			Device: deviceName(len(s.Volumes)), Tag: b.Tag, DeleteOnTermination: b.DeleteOnTermination})
	}
}

// requestedNetwork is one entry of "networks".
type requestedNetwork struct {
	UUID    string `json:"uuid"`
	Port    string `json:"port"`
	FixedIP string `json:"fixed_ip"`
	Tag     string `json:"tag"`
}

// parseNetworks reads "networks": absent, "auto", "none", or a list.
// From 2.37 the member is required, as Nova requires it.
func parseNetworks(raw json.RawMessage, v microversion) ([]requestedNetwork, error) {
	if len(raw) == 0 {
		if v.AtLeast(37) {
			return nil, kit.BadRequest("Invalid input for field/attribute server. Value: {...}. 'networks' is a required property")
		}
		return []requestedNetwork{{}}, nil
	}
	var word string
	if err := json.Unmarshal(raw, &word); err == nil {
		switch word {
		case "auto":
			return []requestedNetwork{{}}, nil
		case "none":
			return nil, nil
		}
		return nil, kit.BadRequest("Invalid input for field/attribute networks. Value: %s. %s is not valid under any of the given schemas", raw, raw)
	}
	var list []requestedNetwork
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, kit.BadRequest("Invalid input for field/attribute networks. Value: %s. %s is not of type 'array'", raw, raw)
	}
	if len(list) == 0 {
		// No network named: Nova attaches the project's available
		// network, as for "auto".
		return []requestedNetwork{{}}, nil
	}
	for _, n := range list {
		if err := checkRequestedNetwork(n); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// checkRequestedNetwork is Nova's check of one entry of "networks": a port
// in the 'uuid' format, or else a network uuid that is one.
func checkRequestedNetwork(n requestedNetwork) error {
	switch {
	case n.Port != "":
		if !isUUIDLike(n.Port) {
			return kit.BadRequest("Invalid input for field/attribute port. Value: %s. '%s' is not a 'uuid'", n.Port, n.Port)
		}
		if n.FixedIP != "" {
			return kit.BadRequest("Specified Fixed IP '%s' cannot be used with port '%s': the two cannot be specified together.", n.FixedIP, n.Port)
		}
	case n.UUID == "":
		return kit.BadRequest("Bad network format: missing 'uuid'")
	case !isUUIDLike(n.UUID):
		return kit.BadRequest("Bad networks format: network uuid is not in proper format (%s)", n.UUID)
	}
	return nil
}

// bootImageLocked checks the image a server is built or rebuilt from, as
// Nova's _validate_flavor_image does: one the caller can see, ACTIVE, and
// not too big for the flavor (nil: not checked). It returns the image ID.
func (c *Compute) bootImageLocked(call *kit.Call, ref string, flavor *Flavor) (string, error) {
	id := idFromHref(ref)
	img, ok := c.images[id]
	if !ok || !imageVisible(call, img) {
		return "", kit.BadRequest("Can not find requested image")
	}
	c.settleImageLocked(img, c.Now())
	switch {
	case img.Status != "ACTIVE":
		return "", kit.BadRequest("Image %s is not active.", id)
	case flavor != nil && img.MinRAM > flavor.RAM:
		return "", kit.BadRequest("Flavor's memory is too small for requested image.")
	case flavor != nil && img.MinDisk > flavor.Disk && flavor.Disk > 0:
		return "", kit.BadRequest("Flavor's disk is too small for requested image.")
	}
	return id, nil
}

func fits(limit, used, want int) bool { return limit < 0 || used+want <= limit }

// deviceName is the n-th data disk after the root disk (/dev/vdb …).
func deviceName(n int) string { return "/dev/vd" + string(rune('b'+n%25)) }

// addressesLocked gives a server its addresses: a private fixed IPv4 and a
// public IPv4 and IPv6, as Rackspace (and Mimic) lay them out; none for
// "networks": "none".
func (c *Compute) addressesLocked(s *server, n int, networks []requestedNetwork, accessV4, accessV6 string) {
	s.Addresses = map[string][]Address{}
	if networks == nil {
		return
	}
	mac := func() string {
		h := c.RNG().Hex(6)
		return "fa:16:3e:" + h[0:2] + ":" + h[2:4] + ":" + h[4:6]
	}
	privMAC, pubMAC := mac(), mac()
	private := fmt.Sprintf("10.0.%d.%d", (n/250)%256, n%250+2)
	if networks[0].FixedIP != "" {
		private = networks[0].FixedIP
	}
	// Documentation ranges (TEST-NET-3, then TEST-NET-2): not private, so
	// clients such as libcloud count them public.
	public := fmt.Sprintf("203.0.113.%d", n%250+2)
	if (n/250)%2 == 1 {
		public = fmt.Sprintf("198.51.100.%d", n%250+2)
	}
	public6 := fmt.Sprintf("2001:db8::%x", n+1)
	s.Addresses["private"] = []Address{{Addr: private, Version: 4, Type: "fixed", MAC: privMAC}}
	s.Addresses["public"] = []Address{
		{Addr: public, Version: 4, Type: "fixed", MAC: pubMAC},
		{Addr: public6, Version: 6, Type: "fixed", MAC: pubMAC},
	}
	s.AccessIPv4, s.AccessIPv6 = public, public6
	if accessV4 != "" {
		s.AccessIPv4 = accessV4
	}
	if accessV6 != "" {
		s.AccessIPv6 = accessV6
	}
	netID := func(i int) string {
		if i < len(networks) && networks[i].UUID != "" {
			return networks[i].UUID
		}
		return ""
	}
	s.Interfaces = []Interface{
		{PortID: c.RNG().UUID(), NetworkID: cmp.Or(netID(0), privateNetworkID), MAC: privMAC, State: "ACTIVE",
			FixedIPs: []FixedIP{{SubnetID: privateSubnetID, IPAddress: private}}},
		{PortID: c.RNG().UUID(), NetworkID: publicNetworkID, MAC: pubMAC, State: "ACTIVE",
			FixedIPs: []FixedIP{{SubnetID: publicSubnetID, IPAddress: public}, {SubnetID: publicSubnetID6, IPAddress: public6}}},
	}
}

// The fixed networks servers are attached to (Rackspace's well-known IDs
// for public and private ServiceNet).
const (
	publicNetworkID  = "00000000-0000-0000-0000-000000000000"
	privateNetworkID = "11111111-1111-1111-1111-111111111111"
	publicSubnetID   = "00000000-0000-0000-0000-000000000001"
	publicSubnetID6  = "00000000-0000-0000-0000-000000000006"
	privateSubnetID  = "11111111-1111-1111-1111-111111111112"
)

// applyBuildLocked schedules the build, shaped by a metadata preset or a
// creation behavior.
func (c *Compute) applyBuildLocked(s *server, now time.Time, md map[string]string, outcome Outcome) {
	build := c.durations.Build
	switch outcome.Kind {
	case Build:
		build = outcome.Duration
	case Error:
		s.VMState, s.TaskState = vmError, ""
		s.Fault = &ServerFault{Code: 500, Message: "No valid host was found. There are not enough hosts available.", Created: now}
		c.settleLocked(s, now)
		return
	case ActiveThenError:
		build = 0
		s.schedule(now.Add(outcome.Duration), func(s *server, at time.Time) {
			s.VMState, s.TaskState = vmError, ""
			s.setPower(PowerShutdown, at)
			s.Fault = &ServerFault{Code: 500, Message: "The server went into ERROR (mockcloud active-then-error).", Created: at}
		})
	}
	if raw, ok := md["delete_server_failure"]; ok {
		var p struct {
			Code  int `json:"code"`
			Times int `json:"times"`
		}
		if json.Unmarshal([]byte(raw), &p) == nil {
			if p.Code != 0 && (p.Code < 200 || p.Code > 599) {
				p.Code = http.StatusInternalServerError // as Mimic's failures: no 1xx, no 700
			}
			s.deleteFails, s.deleteCode = p.Times, p.Code
		}
	}
	s.TaskState = "spawning"
	s.schedule(now.Add(build), func(s *server, at time.Time) {
		if s.VMState != vmBuilding {
			return
		}
		s.TaskState = ""
		toActive(s, at)
	})
	c.settleLocked(s, now)
}
