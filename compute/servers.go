package compute

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"io"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
)

// Route names of the server API.
const (
	OpCreateServer       = "compute.servers.create"
	OpListServers        = "compute.servers.list"
	OpListServerDetail   = "compute.servers.detail"
	OpGetServer          = "compute.servers.get"
	OpUpdateServer       = "compute.servers.update"
	OpDeleteServer       = "compute.servers.delete"
	OpListAddresses      = "compute.servers.ips.list"
	OpGetAddresses       = "compute.servers.ips.get"
	OpListMetadata       = "compute.servers.metadata.list"
	OpSetMetadata        = "compute.servers.metadata.set"
	OpUpdateMetadata     = "compute.servers.metadata.update"
	OpGetMetadataItem    = "compute.servers.metadata.get"
	OpSetMetadataItem    = "compute.servers.metadata.put"
	OpDeleteMetadataItem = "compute.servers.metadata.delete"
)

func (c *Compute) serverRoutes() []apiRoute {
	return []apiRoute{
		{OpCreateServer, []string{"POST"}, "/servers", c.createServer},
		{OpListServers, []string{"GET"}, "/servers", c.listServers},
		{OpListServerDetail, []string{"GET"}, "/servers/detail", c.listServersDetail},
		{OpGetServer, []string{"GET"}, "/servers/{server_id}", c.getServer},
		{OpUpdateServer, []string{"PUT"}, "/servers/{server_id}", c.updateServer},
		{OpDeleteServer, []string{"DELETE"}, "/servers/{server_id}", c.deleteServer},
		{OpListAddresses, []string{"GET"}, "/servers/{server_id}/ips", c.listAddresses},
		{OpGetAddresses, []string{"GET"}, "/servers/{server_id}/ips/{network}", c.getAddresses},
		{OpListMetadata, []string{"GET"}, "/servers/{server_id}/metadata", c.listMetadata},
		{OpSetMetadata, []string{"PUT"}, "/servers/{server_id}/metadata", c.setMetadata},
		{OpUpdateMetadata, []string{"POST"}, "/servers/{server_id}/metadata", c.updateMetadata},
		{OpGetMetadataItem, []string{"GET"}, "/servers/{server_id}/metadata/{key}", c.getMetadataItem},
		{OpSetMetadataItem, []string{"PUT"}, "/servers/{server_id}/metadata/{key}", c.setMetadataItem},
		{OpDeleteMetadataItem, []string{"DELETE"}, "/servers/{server_id}/metadata/{key}", c.deleteMetadataItem},
	}
}

// serverCreate is the body of POST /servers.
type serverCreate struct {
	Name             string            `json:"name"`
	ImageRef         flexString        `json:"imageRef"`
	FlavorRef        flexString        `json:"flavorRef"`
	KeyName          string            `json:"key_name"`
	Metadata         map[string]string `json:"metadata"`
	AdminPass        string            `json:"adminPass"`
	AccessIPv4       string            `json:"accessIPv4"`
	AccessIPv6       string            `json:"accessIPv6"`
	AvailabilityZone string            `json:"availability_zone"`
	Networks         json.RawMessage   `json:"networks"`
	SecurityGroups   []struct {
		Name string `json:"name"`
	} `json:"security_groups"`
	UserData            *string `json:"user_data"`
	ConfigDrive         *bool   `json:"config_drive"`
	DiskConfig          string  `json:"OS-DCF:diskConfig"`
	MinCount            *int    `json:"min_count"`
	MaxCount            *int    `json:"max_count"`
	ReturnReservationID bool    `json:"return_reservation_id"`
	BlockDeviceMapping  []struct {
		BootIndex           *int   `json:"boot_index"`
		UUID                string `json:"uuid"`
		SourceType          string `json:"source_type"`
		DestinationType     string `json:"destination_type"`
		VolumeSize          int    `json:"volume_size"`
		DeleteOnTermination bool   `json:"delete_on_termination"`
		Tag                 string `json:"tag"`
	} `json:"block_device_mapping_v2"`
	Description *string  `json:"description"`
	Tags        []string `json:"tags"`
	Personality []struct {
		Path     string `json:"path"`
		Contents string `json:"contents"`
	} `json:"personality"`
	Host               string `json:"host"`
	HypervisorHostname string `json:"hypervisor_hostname"`
}

// serverCreateFields are the members the v2.1 schema allows (it sets
// additionalProperties to false).
var serverCreateFields = map[string]bool{
	"name": true, "imageRef": true, "flavorRef": true, "key_name": true, "metadata": true,
	"adminPass": true, "accessIPv4": true, "accessIPv6": true, "availability_zone": true,
	"networks": true, "security_groups": true, "user_data": true, "config_drive": true,
	"OS-DCF:diskConfig": true, "min_count": true, "max_count": true, "return_reservation_id": true,
	"block_device_mapping_v2": true, "block_device_mapping": true, "description": true, "tags": true,
	"personality": true, "host": true, "hypervisor_hostname": true, "trusted_image_certificates": true,
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

// decodeServerBody reads {"<key>": {...}} with Nova's schema errors:
// a missing wrapper, an unknown member, a member of the wrong type.
func decodeServerBody(r *http.Request, key string, allowed map[string]bool, v any) *fake.Error {
	body, _ := io.ReadAll(r.Body)
	_, err := decodeWrapped(body, key, allowed, v)
	return err
}

// decodeWrapped is decodeServerBody over bytes; it also returns the whole
// wrapper, for siblings such as os:scheduler_hints.
func decodeWrapped(body []byte, key string, allowed map[string]bool, v any) (map[string]json.RawMessage, *fake.Error) {
	var wrapper map[string]json.RawMessage
	if err := fake.DecodeJSONBytes(body, &wrapper, fake.DecodeOptions{}); err != nil {
		return nil, err
	}
	raw, ok := wrapper[key]
	if !ok {
		// An error at the body's root has no field: Nova's message is
		// jsonschema's alone.
		return nil, badRequest("'%s' is a required property", key)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", key, raw, raw)
	}
	if allowed != nil {
		if msg := notAllowed(members, func(k string) bool { return allowed[k] }); msg != "" {
			return nil, badRequest("Invalid input for field/attribute %s. Value: %s. %s", key, raw, msg)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if ok := asTypeError(err, &te); ok {
			return nil, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of the expected type", te.Field, members[strings.Split(te.Field, ".")[0]], te.Value)
		}
		return nil, badRequest("Invalid input for field/attribute %s: %v", key, err)
	}
	return wrapper, nil
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

// validName is Nova's v2.1 name rule (parameter_types.name): 1 to 255
// printable characters of the Basic Multilingual Plane, not starting or
// ending with a space.
func validName(name string) bool {
	return nameProblem(name, false) == ""
}

// nameProblem says why name breaks Nova's rule ("" when it does not): the
// v2.1 rule, or with legacy the /v2 root's, which allows leading and
// trailing spaces as long as one character is not a space.
func nameProblem(name string, legacy bool) string {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return "'' is too short"
	case n > 255:
		return fmt.Sprintf("'%s' is too long", name)
	}
	isSpace := func(r rune) bool { return unicode.Is(unicode.Zs, r) }
	printable, nonSpace := true, false
	for _, r := range name {
		// Nova's character class: categories L, M, N, P, S and Zs below U+FFFF.
		if r == utf8.RuneError || r >= 0xFFFF || !unicode.IsGraphic(r) {
			printable = false
		} else if !isSpace(r) {
			nonSpace = true
		}
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	switch {
	case legacy && (!printable || !nonSpace):
		return "An invalid 'name' value was provided. The name must be: printable characters with at least one non space character"
	case !legacy && (!printable || isSpace(first) || isSpace(last)):
		return "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace."
	}
	return ""
}

// checkName validates a name member the way Nova's schema does on the
// root the request came in on.
func checkName(r *http.Request, field, name string) *fake.Error {
	return nameError(field, name, nameProblem(name, versionRoot(r) == "/v2"))
}

// nameError is Nova's answer to a name nameProblem finds fault with.
func nameError(field, name, problem string) *fake.Error {
	switch {
	case problem == "":
		return nil
	case strings.HasPrefix(problem, "An invalid"):
		return badRequest("%s", problem)
	}
	return badRequest("Invalid input for field/attribute %s. Value: %s. %s", field, name, problem)
}

// validateMetadata checks metadata against the metadata_items quota
// (Nova's MetadataLimitExceeded, 403) and the 255-character limits.
func validateMetadata(md map[string]string, limit int) *fake.Error {
	if limit >= 0 && len(md) > limit {
		return forbidden("Maximum number of metadata items exceeds %d", limit)
	}
	for k, v := range md {
		if k == "" || utf8.RuneCountInString(k) > 255 {
			return badRequest("Invalid input for field/attribute metadata. Value: %q. Metadata keys must be 1 to 255 characters long", k)
		}
		if utf8.RuneCountInString(v) > 255 {
			return badRequest("Invalid input for field/attribute metadata. Value: %q. Metadata values must be at most 255 characters long", v)
		}
	}
	return nil
}

// optString is a string member that may be absent, null or a string:
// Nova's ['string', 'null'] members, where null clears.
type optString struct {
	Set   bool
	Value string
}

func (o *optString) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = ""
		return nil
	}
	if err := json.Unmarshal(b, &o.Value); err != nil {
		return fmt.Errorf("must be a string or null")
	}
	return nil
}

// checkDescription is Nova's description rule: at most 255 printable
// characters.
func checkDescription(d string) *fake.Error {
	if utf8.RuneCountInString(d) > 255 {
		return badRequest("Invalid input for field/attribute description. Value: %s. '%s' is too long", d, d)
	}
	for _, r := range d {
		if r == utf8.RuneError || r >= 0xFFFF || !unicode.IsGraphic(r) {
			return badRequest("Invalid input for field/attribute description. Value: %s. '%s' does not match printable characters", d, d)
		}
	}
	return nil
}

// idFromHref is Nova's common.get_id_from_href: a reference may be an ID
// or a URL whose last path segment is the ID.
func idFromHref(ref string) string {
	if !strings.Contains(ref, "/") {
		return ref
	}
	if u, err := url.Parse(ref); err == nil {
		ref = u.Path
	}
	return ref[strings.LastIndex(ref, "/")+1:]
}

// checkAccessIP validates accessIPv4 / accessIPv6 (formats ipv4, ipv6;
// the empty string is allowed).
func checkAccessIP(field, value string, v6 bool) *fake.Error {
	if value == "" {
		return nil
	}
	if net.ParseIP(value) == nil || strings.Contains(value, ":") != v6 {
		format := "ipv4"
		if v6 {
			format = "ipv6"
		}
		return badRequest("Invalid input for field/attribute %s. Value: %s. '%s' is not a '%s'", field, value, value, format)
	}
	return nil
}

func (c *Compute) createServer(w http.ResponseWriter, r *http.Request) {
	var in serverCreate
	body, _ := io.ReadAll(r.Body)
	wrapper, err := decodeWrapped(body, "server", serverCreateFields, &in)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	var hints struct {
		Group string `json:"group"`
	}
	for _, k := range []string{"os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"} {
		if raw, ok := wrapper[k]; ok {
			if json.Unmarshal(raw, &hints) != nil {
				writeErr(w, r, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", k, raw, raw))
				return
			}
		}
	}
	who := callerOf(r)

	var members map[string]json.RawMessage
	_ = json.Unmarshal(wrapper["server"], &members)
	if _, ok := members["name"]; !ok {
		writeErr(w, r, badRequest("Invalid input for field/attribute server. Value: %s. 'name' is a required property", wrapper["server"]))
		return
	}
	if err := checkName(r, "name", in.Name); err != nil {
		writeErr(w, r, err)
		return
	}
	if raw, ok := members["metadata"]; ok {
		if _, err := parseMetadata("metadata", raw); err != nil {
			writeErr(w, r, err)
			return
		}
	}
	if in.FlavorRef == "" {
		writeErr(w, r, badRequest("Invalid input for field/attribute flavorRef. Value: None. 'flavorRef' is a required property"))
		return
	}
	// Members later microversions added are unknown before them.
	for _, m := range []struct {
		name  string
		minor int
	}{{"description", 19}, {"tags", 52}, {"trusted_image_certificates", 63}, {"host", 74}, {"hypervisor_hostname", 74}} {
		if _, ok := members[m.name]; ok && !versionOf(r).AtLeast(m.minor) {
			writeErr(w, r, badRequest("Invalid input for field/attribute server. Value: %s. Additional properties are not allowed ('%s' was unexpected)", wrapper["server"], m.name))
			return
		}
	}
	if err := checkAccessIP("accessIPv4", in.AccessIPv4, false); err != nil {
		writeErr(w, r, err)
		return
	}
	if err := checkAccessIP("accessIPv6", in.AccessIPv6, true); err != nil {
		writeErr(w, r, err)
		return
	}
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			writeErr(w, r, err)
			return
		}
	}
	// Any block device mapping makes imageRef optional (Nova's
	// _image_from_req_data); the image then comes from the mapping.
	_, bdmV1 := members["block_device_mapping"]
	bootFromVolume := len(in.BlockDeviceMapping) > 0 || bdmV1
	if in.ImageRef == "" && !bootFromVolume {
		writeErr(w, r, badRequest("Missing imageRef attribute"))
		return
	}
	if in.DiskConfig != "" && in.DiskConfig != "AUTO" && in.DiskConfig != "MANUAL" {
		writeErr(w, r, badRequest("Invalid input for field/attribute OS-DCF:diskConfig. Value: %s. '%s' is not one of ['AUTO', 'MANUAL']", in.DiskConfig, in.DiskConfig))
		return
	}
	if in.UserData != nil {
		if _, err := base64.StdEncoding.DecodeString(*in.UserData); err != nil || len(*in.UserData) > 65535 {
			writeErr(w, r, badRequest("Invalid input for field/attribute user_data. Value: %s. 'user_data' is not a base64 string of at most 65535 characters", *in.UserData))
			return
		}
	}
	minCount, maxCount := 1, 1
	if in.MinCount != nil {
		minCount = *in.MinCount
	}
	if in.MaxCount != nil {
		maxCount = *in.MaxCount
	} else if in.MinCount != nil {
		maxCount = minCount
	}
	if minCount < 1 || maxCount < 1 || minCount > maxCount {
		writeErr(w, r, badRequest("min_count must be <= max_count, and both must be at least 1"))
		return
	}
	networks, nerr := parseNetworks(in.Networks, versionOf(r))
	if nerr != nil {
		writeErr(w, r, nerr)
		return
	}
	outcome, found := c.creationOutcome(who.projectID, in.Name, in.Metadata)
	if found && outcome.Kind == Fail {
		writeOutcomeFailure(w, outcome)
		return
	}

	c.mu.Lock()
	servers, err := c.createServersLocked(r, who, &in, networks, minCount, maxCount, outcome, hints.Group)
	var resp map[string]any
	if err == nil {
		first := servers[0]
		resp = map[string]any{"server": map[string]any{
			"id": first.ID, "links": links(r, first.ProjectID, "servers", first.ID), "adminPass": first.AdminPass,
			"OS-DCF:diskConfig": first.DiskConfig, "security_groups": securityGroupsJSON(first.SecurityGroups),
		}}
		if in.ReturnReservationID {
			resp = map[string]any{"reservation_id": first.ReservationID}
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if found && outcome.Kind == FalseNegative {
		writeOutcomeFailure(w, outcome)
		return
	}
	if !in.ReturnReservationID {
		w.Header().Set("Location", links(r, servers[0].ProjectID, "servers", servers[0].ID)[0]["href"])
	}
	fake.WriteJSON(w, http.StatusAccepted, resp)
}

func securityGroupsJSON(names []string) []map[string]string {
	out := make([]map[string]string, 0, len(names))
	for _, n := range names {
		out = append(out, map[string]string{"name": n})
	}
	return out
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
func parseNetworks(raw json.RawMessage, v Version) ([]requestedNetwork, *fake.Error) {
	if len(raw) == 0 {
		if v.AtLeast(37) {
			return nil, badRequest("Invalid input for field/attribute server. Value: {...}. 'networks' is a required property")
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
		return nil, badRequest("Invalid input for field/attribute networks. Value: %s. %s is not valid under any of the given schemas", raw, raw)
	}
	var list []requestedNetwork
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, badRequest("Invalid input for field/attribute networks. Value: %s. %s is not of type 'array'", raw, raw)
	}
	if len(list) == 0 {
		// No network named: Nova attaches the project's available
		// network, as for "auto".
		return []requestedNetwork{{}}, nil
	}
	for _, n := range list {
		if n.UUID == "" && n.Port == "" {
			return nil, badRequest("Bad networks format: network uuid is not in proper format")
		}
	}
	return list, nil
}

// createServersLocked validates references and quota, then stores between
// min and max servers (as many as quota allows, as Nova does).
func (c *Compute) createServersLocked(r *http.Request, who caller, in *serverCreate, networks []requestedNetwork, minCount, maxCount int, outcome Outcome, groupID string) ([]*server, *fake.Error) {
	now := c.now()
	var group *ServerGroup
	if groupID != "" {
		g, ok := c.groups[groupID]
		if !ok || g.ProjectID != who.projectID {
			return nil, badRequest("Invalid input for field/attribute group. Value: %s. Server group %s could not be found.", groupID, groupID)
		}
		group = g
	}
	flavorID := idFromHref(string(in.FlavorRef))
	flavor, ok := c.flavors[flavorID]
	if !ok || flavor.Disabled {
		return nil, badRequest("Flavor %s could not be found.", flavorID)
	}
	imageID := string(in.ImageRef)
	if imageID != "" {
		var err *fake.Error
		if imageID, err = c.bootImageLocked(r, imageID, flavor); err != nil {
			return nil, err
		}
	}
	if in.KeyName != "" {
		if _, ok := c.keypairs[who.userID][in.KeyName]; !ok {
			return nil, badRequest("Invalid key_name provided.")
		}
	}
	zone := in.AvailabilityZone
	if i := strings.Index(zone, ":"); i >= 0 {
		zone = zone[:i]
	}
	if zone != "" && !containsString(c.zones, zone) {
		return nil, badRequest("The requested availability zone is not available")
	}
	q := c.quotaLocked(who.projectID)
	if err := validateMetadata(in.Metadata, q.MetadataItems); err != nil {
		return nil, err
	}
	// Counting usage walks the project's servers; skip it when nothing
	// that is counted is limited.
	var used usage
	if q.Instances >= 0 || q.Cores >= 0 || q.RAM >= 0 {
		used = c.usageLocked(who.projectID)
	}
	// As many as quota allows, up to max_count: computed, not searched, so
	// a huge max_count costs nothing.
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
	if count < minCount {
		switch {
		case !fits(q.Instances, used.instances, minCount):
			return nil, forbidden("Quota exceeded for instances: Requested %d, but already used %d of %d instances", minCount, used.instances, q.Instances)
		case !fits(q.Cores, used.cores, minCount*flavor.VCPUs):
			return nil, forbidden("Quota exceeded for cores: Requested %d, but already used %d of %d cores", minCount*flavor.VCPUs, used.cores, q.Cores)
		default:
			return nil, forbidden("Quota exceeded for ram: Requested %d, but already used %d of %d ram", minCount*flavor.RAM, used.ram, q.RAM)
		}
	}
	if group != nil {
		if limit := q.ServerGroupMembers; limit >= 0 && len(c.liveMembersLocked(group))+minCount > limit {
			return nil, forbidden("Quota exceeded, too many servers in group")
		}
	}
	groups := []string{"default"}
	if len(in.SecurityGroups) > 0 {
		groups = groups[:0]
		for _, g := range in.SecurityGroups {
			groups = append(groups, g.Name)
		}
	}
	diskConfig := in.DiskConfig
	if diskConfig == "" {
		diskConfig = "MANUAL"
	}
	reservation := "r-" + c.env.RNG.Alnum(8)
	var out []*server
	for i := 0; i < count; i++ {
		c.instanceCounter++
		n := c.instanceCounter
		// With no zone asked for, the server is in its host's zone, as
		// Nova shows it.
		host, placed := c.placeLocked(group, zone, n)
		serverZone := zone
		if serverZone == "" {
			serverZone = c.zoneOf(host)
		}
		name := in.Name
		if count > 1 {
			name = fmt.Sprintf("%s-%d", in.Name, i+1)
		}
		s := &server{Server: Server{
			ID: c.env.RNG.UUID(), Name: name, ProjectID: who.projectID, UserID: who.userID,
			VMState: vmBuilding, TaskState: "scheduling", PowerState: PowerNoState,
			FlavorID: flavor.ID, ImageID: imageID, KeyName: in.KeyName,
			Metadata: cloneMap(in.Metadata), Tags: append([]string(nil), in.Tags...),
			AdminPass: in.AdminPass, AvailabilityZone: serverZone, Host: host,
			HypervisorHostname: host + ".mockcloud.test", InstanceName: fmt.Sprintf("instance-%08x", n),
			ReservationID: reservation, LaunchIndex: i, DiskConfig: diskConfig,
			SecurityGroups: groups, Created: now, Updated: now,
			MemoryMB: flavor.RAM, VCPUs: flavor.VCPUs, DiskGB: flavor.Disk,
		}}
		if s.Metadata == nil {
			s.Metadata = map[string]string{}
		}
		if in.Description != nil {
			s.Description = *in.Description
		}
		if in.UserData != nil {
			s.UserData = *in.UserData
		}
		if in.ConfigDrive != nil {
			s.ConfigDrive = *in.ConfigDrive
		}
		if s.AdminPass == "" {
			s.AdminPass = c.env.RNG.Alnum(12)
		}
		c.addressesLocked(s, n, networks, in.AccessIPv4, in.AccessIPv6)
		for _, b := range in.BlockDeviceMapping {
			if b.DestinationType == "volume" {
				vid := b.UUID
				if b.SourceType != "volume" || vid == "" {
					vid = c.env.RNG.UUID()
				}
				s.Volumes = append(s.Volumes, VolumeAttachment{ID: vid, VolumeID: vid, ServerID: s.ID,
					Device: deviceName(len(s.Volumes)), Tag: b.Tag, DeleteOnTermination: b.DeleteOnTermination})
			}
		}
		if !placed {
			// No host satisfies the group's policy: Nova's scheduler fails
			// the build and the server lands in ERROR.
			outcome = Outcome{Kind: Error}
		}
		c.applyBuildLocked(s, now, in.Metadata, outcome)
		c.storeLocked(s)
		c.recordActionLocked(s, "create", r)
		if group != nil {
			group.Members = append(group.Members, s.ID)
		}
		out = append(out, s)
	}
	return out, nil
}

// bootImageLocked checks the image a server is built or rebuilt from, as
// Nova's _validate_flavor_image does: one the caller can see, ACTIVE, and
// not too big for the flavor (nil: not checked). It returns the image ID.
func (c *Compute) bootImageLocked(r *http.Request, ref string, flavor *Flavor) (string, *fake.Error) {
	id := idFromHref(ref)
	img, ok := c.images[id]
	if !ok || !imageVisible(r, img) {
		return "", badRequest("Can not find requested image")
	}
	c.settleImageLocked(img, c.now())
	switch {
	case img.Status != "ACTIVE":
		return "", badRequest("Image %s is not active.", id)
	case flavor != nil && img.MinRAM > flavor.RAM:
		return "", badRequest("Flavor's memory is too small for requested image.")
	case flavor != nil && img.MinDisk > flavor.Disk && flavor.Disk > 0:
		return "", badRequest("Flavor's disk is too small for requested image.")
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
		h := c.env.RNG.Hex(6)
		return "fa:16:3e:" + h[0:2] + ":" + h[2:4] + ":" + h[4:6]
	}
	privMAC, pubMAC := mac(), mac()
	private := fmt.Sprintf("10.0.%d.%d", (n/250)%256, n%250+2)
	if networks[0].FixedIP != "" {
		private = networks[0].FixedIP
	}
	public := fmt.Sprintf("172.24.%d.%d", (n/250)%256, n%250+2)
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
		{PortID: c.env.RNG.UUID(), NetworkID: firstNonEmpty(netID(0), privateNetworkID), MAC: privMAC, State: "ACTIVE",
			FixedIPs: []FixedIP{{SubnetID: privateSubnetID, IPAddress: private}}},
		{PortID: c.env.RNG.UUID(), NetworkID: publicNetworkID, MAC: pubMAC, State: "ACTIVE",
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

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

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

// serverLocked returns a live server of the caller's project, settled.
func (c *Compute) serverLocked(r *http.Request) (*server, *fake.Error) {
	id := mux.Vars(r)["server_id"]
	s, ok := c.servers[id]
	who := callerOf(r)
	if !ok || s.Deleted || (s.ProjectID != who.projectID && !who.admin) {
		return nil, notFound("Instance %s could not be found.", id)
	}
	c.settleLocked(s, c.now())
	if s.Deleted {
		return nil, notFound("Instance %s could not be found.", id)
	}
	return s, nil
}

func (c *Compute) getServer(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var body map[string]any
	if err == nil {
		snap := s.snapshot()
		body = map[string]any{"server": c.serverDetailLocked(r, &snap, c.now())}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

// listQuery is a parsed server list query.
type listQuery struct {
	name, ip, ip6 *regexp.Regexp
	status        string
	image, flavor string
	host          string
	zone          string
	reservation   string
	changesSince  time.Time
	changesBefore time.Time
	locked        *bool
	tags, anyTags []string
	allTenants    bool
	tenant        string
	limit         int
	marker        string
	deleted       bool
}

// maxLimit is Nova's osapi_max_limit.
const maxLimit = 1000

func parseListQuery(r *http.Request, who caller) (listQuery, *fake.Error) {
	q := r.URL.Query()
	lq := listQuery{limit: maxLimit, status: strings.ToUpper(q.Get("status")), image: q.Get("image"),
		flavor: q.Get("flavor"), host: q.Get("host"), zone: q.Get("availability_zone"),
		reservation: q.Get("reservation_id"), marker: q.Get("marker"), tenant: q.Get("tenant_id")}
	compile := func(field, expr string) (*regexp.Regexp, *fake.Error) {
		if expr == "" {
			return nil, nil
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, badRequest("Invalid input for query parameter %s: %v", field, err)
		}
		return re, nil
	}
	var err *fake.Error
	if lq.name, err = compile("name", q.Get("name")); err != nil {
		return lq, err
	}
	if lq.ip, err = compile("ip", q.Get("ip")); err != nil {
		return lq, err
	}
	if lq.ip6, err = compile("ip6", q.Get("ip6")); err != nil {
		return lq, err
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"changes-since", &lq.changesSince}, {"changes-before", &lq.changesBefore}} {
		if raw := q.Get(p.name); raw != "" {
			t, perr := parseISOTime(raw)
			if perr != nil {
				return lq, badRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, raw, raw)
			}
			*p.dst = t
		}
	}
	if raw := q.Get("limit"); raw != "" {
		n, perr := strconv.Atoi(raw)
		if perr != nil || n < 0 {
			return lq, badRequest("Invalid input for query parameters limit. Value: %s. '%s' does not match '^[0-9]*$'", raw, raw)
		}
		if n < lq.limit {
			lq.limit = n
		}
	}
	if raw := q.Get("locked"); raw != "" {
		b, perr := strconv.ParseBool(raw)
		if perr != nil {
			return lq, badRequest("Unrecognized value '%s', acceptable values are 'true' or 'false'", raw)
		}
		lq.locked = &b
	}
	if raw := q.Get("tags"); raw != "" {
		lq.tags = strings.Split(raw, ",")
	}
	if raw := q.Get("tags-any"); raw != "" {
		lq.anyTags = strings.Split(raw, ",")
	}
	if raw := q.Get("all_tenants"); raw != "" && who.admin {
		lq.allTenants = raw == "" || raw == "1" || strings.EqualFold(raw, "true") || raw == "True"
	}
	if raw := q.Get("deleted"); raw != "" && who.admin {
		lq.deleted, _ = strconv.ParseBool(raw)
	}
	return lq, nil
}

// parseISOTime accepts the ISO 8601 forms clients send for changes-since.
func parseISOTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time")
}

func (lq *listQuery) matches(s *Server, who caller) bool {
	switch {
	case lq.allTenants && lq.tenant != "" && s.ProjectID != lq.tenant:
		return false
	case !lq.allTenants && s.ProjectID != who.projectID:
		return false
	case s.Deleted && lq.changesSince.IsZero() && !lq.deleted:
		return false
	case lq.name != nil && !lq.name.MatchString(s.Name):
		return false
	case lq.status != "" && s.Status != lq.status:
		return false
	case lq.image != "" && s.ImageID != lq.image && !strings.HasSuffix(lq.image, "/"+s.ImageID):
		return false
	case lq.flavor != "" && s.FlavorID != lq.flavor && !strings.HasSuffix(lq.flavor, "/"+s.FlavorID):
		return false
	case lq.host != "" && s.Host != lq.host:
		return false
	case lq.zone != "" && s.AvailabilityZone != lq.zone:
		return false
	case lq.reservation != "" && s.ReservationID != lq.reservation:
		return false
	case !lq.changesSince.IsZero() && s.Updated.Before(lq.changesSince):
		return false
	case !lq.changesBefore.IsZero() && s.Updated.After(lq.changesBefore):
		return false
	case lq.locked != nil && s.Locked != *lq.locked:
		return false
	}
	if lq.ip != nil || lq.ip6 != nil {
		found := false
		for _, addrs := range s.Addresses {
			for _, a := range addrs {
				if a.Version == 4 && lq.ip != nil && lq.ip.MatchString(a.Addr) || a.Version == 6 && lq.ip6 != nil && lq.ip6.MatchString(a.Addr) {
					found = true
				}
			}
		}
		if !found {
			return false
		}
	}
	for _, t := range lq.tags {
		if !containsString(s.Tags, t) {
			return false
		}
	}
	if len(lq.anyTags) > 0 {
		any := false
		for _, t := range lq.anyTags {
			if containsString(s.Tags, t) {
				any = true
			}
		}
		if !any {
			return false
		}
	}
	return true
}

// listLocked returns one page of matching servers, newest first (Nova's
// default sort: created_at desc, then id desc), and whether the page is
// full: Nova (and Mimic) link to a next page whenever it is, even when
// that page turns out empty.
func (c *Compute) listLocked(lq listQuery, who caller) ([]Server, bool, *fake.Error) {
	now := c.now()
	// A project's listing walks only its own servers, already in order.
	all := c.byProject[who.projectID]
	if lq.allTenants {
		all = make([]*server, 0, len(c.servers))
		for _, s := range c.servers {
			all = append(all, s)
		}
		sort.Slice(all, func(i, j int) bool { return newer(all[i], all[j]) })
	}
	start := 0
	if lq.marker != "" {
		// Only a server the caller may list can be a marker.
		m, ok := c.servers[lq.marker]
		if ok && (lq.allTenants || m.ProjectID == who.projectID) {
			start = sort.Search(len(all), func(i int) bool { return !newer(all[i], m) })
		}
		if !ok || start >= len(all) || all[start] != m {
			return nil, false, badRequest("marker [%s] not found", lq.marker)
		}
		start++
	}
	var page []Server
	for _, s := range all[start:] {
		if len(page) == lq.limit {
			break
		}
		c.settleLocked(s, now)
		if !lq.matches(&s.Server, who) {
			continue
		}
		page = append(page, s.snapshot())
	}
	return page, lq.limit > 0 && len(page) == lq.limit, nil
}

// newer is Nova's list order: created_at descending, then ID descending.
func newer(a, b *server) bool {
	if !a.Created.Equal(b.Created) {
		return a.Created.After(b.Created)
	}
	return a.ID > b.ID
}

// storeLocked adds a new server to the table and to its project's ordered
// index.
func (c *Compute) storeLocked(s *server) {
	c.servers[s.ID] = s
	list := c.byProject[s.ProjectID]
	i := sort.Search(len(list), func(i int) bool { return !newer(list[i], s) })
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = s
	c.byProject[s.ProjectID] = list
}

func (c *Compute) listServers(w http.ResponseWriter, r *http.Request)       { c.list(w, r, false) }
func (c *Compute) listServersDetail(w http.ResponseWriter, r *http.Request) { c.list(w, r, true) }

func (c *Compute) list(w http.ResponseWriter, r *http.Request, detail bool) {
	who := callerOf(r)
	lq, err := parseListQuery(r, who)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	page, more, err := c.listLocked(lq, who)
	out := make([]any, 0, len(page))
	now := c.now()
	for i := range page {
		if detail {
			out = append(out, c.serverDetailLocked(r, &page[i], now))
		} else {
			out = append(out, serverBrief(r, &page[i]))
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	body := map[string]any{"servers": out}
	if more && len(page) > 0 {
		next := *r.URL
		q := next.Query()
		q.Set("marker", page[len(page)-1].ID)
		q.Set("limit", strconv.Itoa(lq.limit))
		next.RawQuery = q.Encode()
		body["servers_links"] = []map[string]string{{"rel": "next", "href": fake.BaseURL(r) + next.Path + "?" + next.RawQuery}}
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

// serverUpdateFields are what PUT /servers/{id} accepts.
var serverUpdateFields = map[string]bool{"name": true, "accessIPv4": true, "accessIPv6": true, "OS-DCF:diskConfig": true, "description": true, "hostname": true}

func (c *Compute) updateServer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        *string   `json:"name"`
		AccessIPv4  *string   `json:"accessIPv4"`
		AccessIPv6  *string   `json:"accessIPv6"`
		DiskConfig  *string   `json:"OS-DCF:diskConfig"`
		Description optString `json:"description"`
	}
	if err := decodeServerBody(r, "server", serverUpdateFields, &in); err != nil {
		writeErr(w, r, err)
		return
	}
	if in.Name != nil {
		if err := checkName(r, "name", *in.Name); err != nil {
			writeErr(w, r, err)
			return
		}
	}
	if in.AccessIPv4 != nil {
		if err := checkAccessIP("accessIPv4", *in.AccessIPv4, false); err != nil {
			writeErr(w, r, err)
			return
		}
	}
	if in.AccessIPv6 != nil {
		if err := checkAccessIP("accessIPv6", *in.AccessIPv6, true); err != nil {
			writeErr(w, r, err)
			return
		}
	}
	if in.DiskConfig != nil && *in.DiskConfig != "AUTO" && *in.DiskConfig != "MANUAL" {
		writeErr(w, r, badRequest("Invalid input for field/attribute OS-DCF:diskConfig. Value: %s. '%s' is not one of ['AUTO', 'MANUAL']", *in.DiskConfig, *in.DiskConfig))
		return
	}
	if in.Description.Set && !versionOf(r).AtLeast(19) {
		writeErr(w, r, badRequest("Invalid input for field/attribute server. Additional properties are not allowed ('description' was unexpected)"))
		return
	}
	if err := checkDescription(in.Description.Value); err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var body map[string]any
	if err == nil {
		if in.Name != nil {
			s.Name = *in.Name
		}
		if in.AccessIPv4 != nil {
			s.AccessIPv4 = *in.AccessIPv4
		}
		if in.AccessIPv6 != nil {
			s.AccessIPv6 = *in.AccessIPv6
		}
		if in.DiskConfig != nil {
			s.DiskConfig = *in.DiskConfig
		}
		if in.Description.Set {
			s.Description = in.Description.Value // null clears it
		}
		s.Updated = c.now()
		snap := s.snapshot()
		body = map[string]any{"server": c.serverDetailLocked(r, &snap, c.now())}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

func (c *Compute) deleteServer(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	s, err := c.serverLocked(r)
	if err == nil {
		err = c.deleteLocked(r, s)
	}
	c.mu.Unlock()
	if err != nil {
		if err.Status == 0 {
			// Mimic's delete_server_failure with no code answers 500 with no body.
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteLocked starts deleting a server: task_state deleting, gone after
// the Delete duration.
func (c *Compute) deleteLocked(r *http.Request, s *server) *fake.Error {
	if s.deleteFails > 0 {
		s.deleteFails--
		s.Metadata["delete_server_failure"] = fmt.Sprintf(`{"code": %d, "times": %d}`, s.deleteCode, s.deleteFails)
		if s.deleteCode == 0 {
			return &fake.Error{}
		}
		return fake.Errorf(s.deleteCode, "Delete server failure (mockcloud delete_server_failure)")
	}
	if err := c.checkLockedLocked(r, s, "delete"); err != nil {
		return err
	}
	if s.TaskState == "deleting" {
		return nil
	}
	s.events = nil
	c.recordActionLocked(s, "delete", r)
	c.beginTaskLocked(s, "deleting", c.durations.Delete, func(s *server, at time.Time) {
		s.VMState = vmDeleted
		s.setPower(PowerNoState, at)
		s.Deleted, s.TerminatedAt = true, at
		c.releaseLocked(s)
	})
	return nil
}

// releaseLocked frees what a deleted server held: server group membership.
func (c *Compute) releaseLocked(s *server) {
	for _, g := range c.groups {
		for i, m := range g.Members {
			if m == s.ID {
				g.Members = append(g.Members[:i:i], g.Members[i+1:]...)
				break
			}
		}
	}
}

func addressesJSON(addrs []Address) []map[string]any {
	out := make([]map[string]any, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, map[string]any{"addr": a.Addr, "version": a.Version})
	}
	return out
}

func (c *Compute) listAddresses(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	s, err := c.serverLocked(r)
	body := map[string]any{}
	if err == nil {
		for name, addrs := range s.Addresses {
			body[name] = addressesJSON(addrs)
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"addresses": body})
}

func (c *Compute) getAddresses(w http.ResponseWriter, r *http.Request) {
	network := mux.Vars(r)["network"]
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var addrs []Address
	ok := false
	if err == nil {
		addrs, ok = s.Addresses[network]
	}
	c.mu.Unlock()
	if err == nil && !ok {
		err = notFound("Instance is not a member of specified network")
	}
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{network: addressesJSON(addrs)})
}

// Metadata.

func (c *Compute) listMetadata(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var md map[string]string
	if err == nil {
		md = cloneMap(s.Metadata)
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"metadata": nonNilMap(md)})
}

// decodeMetadata reads {"<key>": {...}}, the body of the server and image
// metadata APIs, with Nova's schema (parameter_types.metadata).
func decodeMetadata(r *http.Request, key string) (map[string]string, *fake.Error) {
	body, err := readReqBody(r)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := fake.DecodeJSONBytes(body, &top, fake.DecodeOptions{}); err != nil {
		return nil, err
	}
	raw, ok := top[key]
	if !ok {
		return nil, badRequest("'%s' is a required property", key)
	}
	for k := range top {
		if k != key {
			return nil, badRequest("Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	return parseMetadata(key, raw)
}

// decodeMetaItem reads {"meta": {"<key>": "<value>"}}, the body that sets
// one metadata item, with Nova's schema and its check of the URI's key.
func decodeMetaItem(r *http.Request, key string) (map[string]string, *fake.Error) {
	md, err := decodeMetadata(r, "meta")
	switch {
	case err != nil:
		return nil, err
	case len(md) == 0:
		return nil, badRequest("Invalid input for field/attribute meta. Value: {}. {} does not have enough properties")
	case len(md) > 1:
		b, _ := json.Marshal(md)
		return nil, badRequest("Invalid input for field/attribute meta. Value: %s. %s has too many properties", b, b)
	}
	if _, ok := md[key]; !ok {
		return nil, badRequest("Request body and URI mismatch")
	}
	return md, nil
}

// parseMetadata checks a metadata object (the member field of a body)
// against parameter_types.metadata: keys of the metadata key pattern,
// string values of at most 255 characters.
func parseMetadata(field string, raw json.RawMessage) (map[string]string, *fake.Error) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", field, pyValue(raw), pyRepr(raw))
	}
	out := make(map[string]string, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !extraSpecKey.MatchString(k) {
			return nil, badRequest("Invalid input for field/attribute %s. Value: %s. Additional properties are not allowed ('%s' was unexpected)", field, compactMembers(m), k)
		}
		s, ok := jsonString(m[k])
		if !ok {
			return nil, badRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'string'", k, pyValue(m[k]), pyRepr(m[k]))
		}
		if utf8.RuneCountInString(s) > 255 {
			return nil, badRequest("Invalid input for field/attribute %s. Value: %s. '%s' is too long", k, s, s)
		}
		out[k] = s
	}
	return out, nil
}

// changeMetadata applies f to a server's metadata under the lock, with the
// quota and lock checks Nova makes.
func (c *Compute) changeMetadata(w http.ResponseWriter, r *http.Request, status int, f func(s *server) (any, *fake.Error)) {
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var out any
	if err == nil {
		err = c.checkLockedLocked(r, s, "update_metadata")
	}
	if err == nil {
		action := "update metadata"
		if r.Method == http.MethodDelete {
			action = "delete metadata"
		}
		// Nova checks the vm_state only: metadata changes while a task runs.
		err = requireVMState(s, action, []string{vmActive, vmPaused, vmSuspended, vmStopped})
	}
	if err == nil {
		old := cloneMap(s.Metadata)
		out, err = f(s)
		if err == nil {
			if qerr := validateMetadata(s.Metadata, c.quotaLocked(s.ProjectID).MetadataItems); qerr != nil {
				s.Metadata, out, err = old, nil, qerr
			} else {
				s.Updated = c.now()
			}
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	fake.WriteJSON(w, status, out)
}

func (c *Compute) setMetadata(w http.ResponseWriter, r *http.Request) {
	md, err := decodeMetadata(r, "metadata")
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.changeMetadata(w, r, http.StatusOK, func(s *server) (any, *fake.Error) {
		s.Metadata = cloneMap(md)
		return map[string]any{"metadata": cloneMap(md)}, nil
	})
}

func (c *Compute) updateMetadata(w http.ResponseWriter, r *http.Request) {
	md, err := decodeMetadata(r, "metadata")
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.changeMetadata(w, r, http.StatusOK, func(s *server) (any, *fake.Error) {
		for k, v := range md {
			s.Metadata[k] = v
		}
		return map[string]any{"metadata": cloneMap(s.Metadata)}, nil
	})
}

func (c *Compute) getMetadataItem(w http.ResponseWriter, r *http.Request) {
	key := mux.Vars(r)["key"]
	c.mu.Lock()
	s, err := c.serverLocked(r)
	var v string
	ok := false
	if err == nil {
		v, ok = s.Metadata[key]
	}
	c.mu.Unlock()
	if err == nil && !ok {
		err = notFound("Metadata item was not found")
	}
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"meta": map[string]string{key: v}})
}

func (c *Compute) setMetadataItem(w http.ResponseWriter, r *http.Request) {
	key := mux.Vars(r)["key"]
	md, err := decodeMetaItem(r, key)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.changeMetadata(w, r, http.StatusOK, func(s *server) (any, *fake.Error) {
		s.Metadata[key] = md[key]
		return map[string]any{"meta": map[string]string{key: md[key]}}, nil
	})
}

func (c *Compute) deleteMetadataItem(w http.ResponseWriter, r *http.Request) {
	key := mux.Vars(r)["key"]
	c.changeMetadata(w, r, http.StatusNoContent, func(s *server) (any, *fake.Error) {
		if _, ok := s.Metadata[key]; !ok {
			return nil, notFound("Metadata item was not found")
		}
		delete(s.Metadata, key)
		return nil, nil
	})
}
