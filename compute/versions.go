package compute

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/fake"
)

// Microversion bounds this fake advertises, as a Nova of the 2024.1
// (Caracal) release does.
const (
	MinVersion = "2.1"
	MaxVersion = "2.96"
)

// Version is a compute API microversion.
type Version struct{ Major, Minor int }

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// AtLeast reports whether v is minor or later within major 2.
func (v Version) AtLeast(minor int) bool { return v.Major > 2 || v.Major == 2 && v.Minor >= minor }

func mustParse(s string) Version {
	v, ok := parseVersion(s)
	if !ok {
		panic("compute: bad version constant " + s)
	}
	return v
}

// versionPattern is Nova's APIVersionRequest format: no signs, no
// leading zeros, a major version of at least 1.
var versionPattern = regexp.MustCompile(`^([1-9][0-9]*)\.([1-9][0-9]*|0)$`)

func parseVersion(s string) (Version, bool) {
	m := versionPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Version{}, false
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
	return Version{ma, mi}, true
}

func (v Version) less(o Version) bool {
	return v.Major < o.Major || v.Major == o.Major && v.Minor < o.Minor
}

// negotiateVersion reads OpenStack-API-Version: compute X or the older
// X-OpenStack-Nova-API-Version; no header means the minimum, "latest" the
// maximum, and a version outside the range is 406, as Nova answers. The
// legacy /v2 root ignores microversions, as Nova's v2.0 compatibility
// layer does.
func negotiateVersion(r *http.Request) (Version, *fake.Error) {
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
		return Version{}, badRequest("API Version String %s is of invalid format. Must be of format MajorNum.MinorNum.", raw)
	}
	if v.less(minV) || maxV.less(v) {
		return Version{}, fake.Errorf(http.StatusNotAcceptable, "Version %s is not supported by the API. Minimum is %s and maximum is %s.", v, MinVersion, MaxVersion)
	}
	return v, nil
}

func setVersionHeaders(w http.ResponseWriter, v Version) {
	h := w.Header()
	h.Set("OpenStack-API-Version", "compute "+v.String())
	h.Set("X-OpenStack-Nova-API-Version", v.String())
	h.Set("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")
}

type versionKey struct{}

func withVersion(ctx context.Context, v Version) context.Context {
	return context.WithValue(ctx, versionKey{}, v)
}

// versionOf is the microversion a request negotiated.
func versionOf(r *http.Request) Version {
	if v, ok := r.Context().Value(versionKey{}).(Version); ok {
		return v
	}
	return mustParse(MinVersion)
}

// versionDoc is one version document. The list at the root carries the
// self link only; each version's own document adds the describedby link
// and its media types, as Nova's samples show.
func versionDoc(r *http.Request, id string, full bool) map[string]any {
	base := fake.BaseURL(r)
	doc := map[string]any{
		"id": id, "status": "SUPPORTED", "version": "", "min_version": "", "updated": "2011-01-21T11:33:21Z",
	}
	self, mediaVersion := base+"/v2/", "2"
	if id == "v2.1" {
		doc["status"], doc["version"], doc["min_version"], doc["updated"] = "CURRENT", MaxVersion, MinVersion, "2013-07-23T11:33:21Z"
		self, mediaVersion = base+"/v2.1/", "2.1"
	}
	links := []map[string]string{{"rel": "self", "href": self}}
	if full {
		links = append(links, map[string]string{"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"})
		doc["media-types"] = []map[string]string{{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=" + mediaVersion}}
	}
	doc["links"] = links
	return doc
}

// versions answers the versionless root: both API versions, 200 as Nova does.
func (c *Compute) versions(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"versions": []any{versionDoc(r, "v2.0", false), versionDoc(r, "v2.1", false)}})
}

func (c *Compute) versionV21(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"version": versionDoc(r, "v2.1", true)})
}

func (c *Compute) versionV2(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"version": versionDoc(r, "v2.0", true)})
}
