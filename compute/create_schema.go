// The members of POST /servers Nova's schema takes in more than one JSON
// type (a number or a digit string, a boolean or a string), the request's
// hostname, and the formats Nova checks: UUIDs and IP addresses.

package compute

import (
	"bytes"
	"encoding/json"
	"math"
	"net"
	"regexp"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// blockDevice is one entry of block_device_mapping_v2 once read.
type blockDevice struct {
	BootIndex           *int // nil for none (null or absent)
	UUID                string
	SourceType          string
	DestinationType     string
	VolumeSize          int
	DeleteOnTermination bool
	Tag                 string
}

var (
	// digitsPattern is parameter_types.positive_integer's pattern.
	digitsPattern = regexp.MustCompile(`^[0-9]*$`)
	// volumeSizePattern is parameter_types.volume_size's.
	volumeSizePattern = regexp.MustCompile(`^[0-9]+$`)
	// bootIndexPattern is block_device_mapping_v2's boot_index pattern.
	bootIndexPattern = regexp.MustCompile(`^-?[0-9]+$`)
	// hostnamePattern is parameter_types.hostname (2.90 to 2.93).
	hostnamePattern = regexp.MustCompile(`^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$`)
	// fqdnPattern is parameter_types.fqdn (the hostname from 2.94).
	fqdnPattern = regexp.MustCompile(`^[a-zA-Z0-9-._]*$`)
)

// readLooseMembers reads min_count, max_count, config_drive,
// return_reservation_id, the block
// device mappings and the hostname, as Nova's schema takes them.
func (req *createRequest) readLooseMembers(call *kit.Call) error {
	minP, maxP, err := countMembers(req.MinCount, req.MaxCount)
	if err != nil {
		return err
	}
	if req.minCount, req.maxCount, err = instanceCounts(minP, maxP); err != nil {
		return err
	}
	if len(req.ConfigDrive) > 0 {
		if req.configDrive, err = schemaBool("config_drive", req.ConfigDrive); err != nil {
			return err
		}
	}
	if len(req.ReturnReservationID) > 0 { // "True" too (os-multiple-create/multiple-create-post-req.json)
		if req.returnReservation, err = schemaBool("return_reservation_id", req.ReturnReservationID); err != nil {
			return err
		}
	}
	if req.devices, err = parseBlockDevices(req.BlockDeviceMapping); err != nil {
		return err
	}
	if req.Hostname != nil {
		if err := checkHostname(call, *req.Hostname); err != nil {
			return err
		}
	}
	if err := checkTrustedCerts(req.TrustedImageCertificates); err != nil {
		return err
	}
	req.AccessIPv4, req.AccessIPv6 = normalizeIP(req.AccessIPv4), normalizeIP(req.AccessIPv6)
	return nil
}

// countMembers reads min_count and max_count: a number or a digit string,
// at least 1 (nil when absent).
func countMembers(minRaw, maxRaw json.RawMessage) (*int, *int, error) {
	var out [2]*int
	for i, m := range []struct {
		name string
		raw  json.RawMessage
	}{{"min_count", minRaw}, {"max_count", maxRaw}} {
		if len(m.raw) == 0 {
			continue
		}
		n, err := schemaInt(m.name, m.raw, digitsPattern, 1, math.MaxInt64) // no maximum in Nova
		if err != nil {
			return nil, nil, err
		}
		out[i] = ptr(int(n))
	}
	return out[0], out[1], nil
}

// parseBlockDevices reads block_device_mapping_v2: boot_index a number, a
// signed digit string or null; volume_size a number or a digit string;
// delete_on_termination a boolean or one of Nova's boolean strings.
func parseBlockDevices(in []blockDeviceMapping) ([]blockDevice, error) {
	out := make([]blockDevice, 0, len(in))
	for _, b := range in {
		d := blockDevice{UUID: b.UUID, SourceType: b.SourceType, DestinationType: b.DestinationType, Tag: b.Tag}
		if len(b.BootIndex) > 0 && !isJSONNull(b.BootIndex) {
			n, err := schemaInt("boot_index", b.BootIndex, bootIndexPattern, -maxDBInt, maxDBInt)
			if err != nil {
				return nil, err
			}
			d.BootIndex = ptr(int(n))
		}
		if len(b.VolumeSize) > 0 {
			n, err := schemaInt("volume_size", b.VolumeSize, volumeSizePattern, 1, maxDBInt)
			if err != nil {
				return nil, err
			}
			d.VolumeSize = int(n)
		}
		if len(b.DeleteOnTermination) > 0 {
			v, err := schemaBool("delete_on_termination", b.DeleteOnTermination)
			if err != nil {
				return nil, err
			}
			d.DeleteOnTermination = v
		}
		out = append(out, d)
	}
	return out, nil
}

// checkHostname is the hostname member of create, update and rebuild
// (2.90): a host label before 2.94, an FQDN from 2.94.
func checkHostname(call *kit.Call, h string) error {
	invalid := func(msg string) error {
		return kit.BadRequest("Invalid input for field/attribute hostname. Value: %s. %s", h, msg)
	}
	if versionOf(call).AtLeast(94) {
		switch {
		case len(h) < 1:
			return invalid("'' is too short")
		case len(h) > 255:
			return invalid("'" + h + "' is too long")
		case !fqdnPattern.MatchString(h):
			return invalid("'" + h + "' does not match '" + fqdnPattern.String() + "'")
		}
		return nil
	}
	switch {
	case len(h) < 2:
		return invalid("'" + h + "' is too short")
	case len(h) > 63:
		return invalid("'" + h + "' is too long")
	case !hostnamePattern.MatchString(h):
		return invalid("'" + h + "' does not match '" + hostnamePattern.String() + "'")
	}
	return nil
}

// checkTrustedCerts is trusted_image_certificates (2.63): 1 to 50 unique,
// non-empty IDs (the member is optional).
func checkTrustedCerts(ids []string) error {
	if ids == nil {
		return nil
	}
	if len(ids) == 0 || len(ids) > 50 {
		return kit.BadRequest("Invalid input for field/attribute trusted_image_certificates. Value: %v. It must hold 1 to 50 certificate IDs", ids)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			return kit.BadRequest("Invalid input for field/attribute trusted_image_certificates. Value: %v. has non-unique elements", ids)
		}
		seen[id] = true
	}
	return nil
}

// normalizeIP is an address as Nova stores it (netaddr's form: an IPv6
// address compressed and in lower case); "" stays "". Call after the
// address is checked.
func normalizeIP(s string) string {
	if ip := net.ParseIP(s); ip != nil {
		return ip.String()
	}
	return s
}

// isUUIDLike is oslo's uuidutils.is_uuid_like, Nova's 'uuid' format: 32
// hex digits once hyphens, braces and a urn:uuid: prefix are dropped.
func isUUIDLike(s string) bool {
	t := strings.ToLower(s)
	t = strings.TrimPrefix(t, "urn:")
	t = strings.TrimPrefix(t, "uuid:")
	t = strings.NewReplacer("{", "", "}", "", "-", "").Replace(t)
	if len(t) != 32 {
		return false
	}
	for _, ch := range t {
		if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f') {
			return false
		}
	}
	return true
}

// compactJSON is raw without insignificant space; nil for nil.
func compactJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return nil
	}
	return b.Bytes()
}
