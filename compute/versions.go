package compute

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Microversion bounds this fake advertises, as a Nova of the 2024.1
// (Caracal) release does.
const (
	MinVersion = "2.1"
	MaxVersion = "2.104"
)

// microversion is a negotiated compute API microversion (always 2.x): the
// kit.Version a call carries, compared by its minor number.
type microversion struct{ kit.Version }

func (v microversion) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// AtLeast reports whether v is 2.minor or later.
func (v microversion) AtLeast(minor int) bool { return v.Version.AtLeast(2, minor) }

func mustParse(s string) kit.Version {
	v, ok := parseVersion(s)
	if !ok {
		panic("compute: bad version constant " + s)
	}
	return v
}

// versionPattern is Nova's APIVersionRequest format: no signs, no
// leading zeros, a major version of at least 1.
var versionPattern = regexp.MustCompile(`^([1-9][0-9]*)\.([1-9][0-9]*|0)$`)

func parseVersion(s string) (kit.Version, bool) {
	m := versionPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return kit.Version{}, false
	}
	// Numbers too large for an int are well-formed but out of any range.
	ma, err := strconv.Atoi(m[1])
	if err != nil {
		ma = math.MaxInt32
	}
	mi, err := strconv.Atoi(m[2])
	if err != nil {
		mi = math.MaxInt32
	}
	return kit.Version{Major: ma, Minor: mi}, true
}

func less(v, o kit.Version) bool {
	return v.Major < o.Major || v.Major == o.Major && v.Minor < o.Minor
}

// negotiateVersion reads OpenStack-API-Version: compute X or the older
// X-OpenStack-Nova-API-Version; no header means the minimum, "latest" the
// maximum, and a version outside the range is 406, as Nova answers. The
// legacy /v2 root ignores microversions, as Nova's v2.0 compatibility
// layer does.
func negotiateVersion(r *http.Request) (kit.Version, error) {
	minV, maxV := mustParse(MinVersion), mustParse(MaxVersion)
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		return minV, nil
	}
	raw := ""
	for _, h := range r.Header.Values("OpenStack-API-Version") {
		for _, part := range strings.Split(h, ",") {
			service, ver, ok := strings.Cut(strings.TrimSpace(part), " ")
			if ok && strings.EqualFold(service, "compute") {
				raw = strings.TrimSpace(ver)
			}
		}
	}
	if raw == "" {
		raw = r.Header.Get("X-OpenStack-Nova-API-Version")
	}
	switch strings.ToLower(raw) {
	case "":
		return minV, nil
	case "latest":
		return maxV, nil
	}
	v, ok := parseVersion(raw)
	if !ok {
		return kit.Version{}, kit.BadRequest("API Version String %s is of invalid format. Must be of format MajorNum.MinorNum.", raw)
	}
	if less(v, minV) || less(maxV, v) {
		return kit.Version{}, kit.Errorf(http.StatusNotAcceptable, "Version %s is not supported by the API. Minimum is %s and maximum is %s.", microversion{v}, MinVersion, MaxVersion)
	}
	return v, nil
}

func setVersionHeaders(h http.Header, v kit.Version) {
	s := microversion{v}.String()
	h.Set("OpenStack-API-Version", "compute "+s)
	h.Set("X-OpenStack-Nova-API-Version", s)
	h.Set("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")
}

// versionOf is the microversion a call negotiated (2.1 for one that
// negotiated none).
func versionOf(call *kit.Call) microversion {
	if call.Version == (kit.Version{}) {
		return microversion{mustParse(MinVersion)}
	}
	return microversion{call.Version}
}

// versionDoc is one version document. The list at the root carries the
// self link only; each version's own document adds the describedby link
// and its media types, as Nova's samples show.
type versionDoc struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	Version    string          `json:"version"`
	MinVersion string          `json:"min_version"`
	Updated    string          `json:"updated"`
	Links      []link          `json:"links"`
	MediaTypes []mediaTypeJSON `json:"media-types,omitempty"`
}

type mediaTypeJSON struct {
	Base string `json:"base"`
	Type string `json:"type"`
}

func versionDocOf(call *kit.Call, id string, full bool) versionDoc {
	base := call.BaseURL()
	doc := versionDoc{ID: id, Status: "SUPPORTED", Updated: "2011-01-21T11:33:21Z"}
	self, mediaVersion := base+"/v2/", "2"
	if id == "v2.1" {
		doc.Status, doc.Version, doc.MinVersion, doc.Updated = "CURRENT", MaxVersion, MinVersion, "2013-07-23T11:33:21Z"
		self, mediaVersion = base+"/v2.1/", "2.1"
	}
	doc.Links = []link{{Rel: "self", Href: self}}
	if full {
		doc.Links = append(doc.Links, link{Rel: "describedby", Type: "text/html", Href: "http://docs.openstack.org/"})
		doc.MediaTypes = []mediaTypeJSON{{Base: "application/json", Type: "application/vnd.openstack.compute+json;version=" + mediaVersion}}
	}
	return doc
}

// versions answers the versionless root: both API versions, 200 as Nova does.
func (c *Compute) versions(call *kit.Call) (kit.Reply, error) {
	return kit.OK(struct {
		Versions []versionDoc `json:"versions"`
	}{[]versionDoc{versionDocOf(call, "v2.0", false), versionDocOf(call, "v2.1", false)}}), nil
}

// versionBody is one version's document.
type versionBody struct {
	Version versionDoc `json:"version"`
}

func (c *Compute) versionV21(call *kit.Call) (kit.Reply, error) {
	return kit.OK(versionBody{versionDocOf(call, "v2.1", true)}), nil
}

func (c *Compute) versionV2(call *kit.Call) (kit.Reply, error) {
	return kit.OK(versionBody{versionDocOf(call, "v2.0", true)}), nil
}
