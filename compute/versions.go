package compute

import (
	"context"
	"fmt"
	"net/http"
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

func parseVersion(s string) (Version, bool) {
	major, minor, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return Version{}, false
	}
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || ma < 0 || mi < 0 {
		return Version{}, false
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

func versionDoc(r *http.Request, id string) map[string]any {
	base := fake.BaseURL(r)
	doc := map[string]any{
		"id": id, "status": "SUPPORTED", "version": "", "min_version": "", "updated": "2011-01-21T11:33:21Z",
		"links": []map[string]string{{"rel": "self", "href": base + "/v2/"}},
	}
	if id == "v2.1" {
		doc["status"], doc["version"], doc["min_version"], doc["updated"] = "CURRENT", MaxVersion, MinVersion, "2013-07-23T11:33:21Z"
		doc["links"] = []map[string]string{{"rel": "self", "href": base + "/v2.1/"}}
	}
	doc["media-types"] = []map[string]string{{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}}
	return doc
}

// versions answers the versionless root: both API versions, 200 as Nova does.
func (c *Compute) versions(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"versions": []any{versionDoc(r, "v2.0"), versionDoc(r, "v2.1")}})
}

func (c *Compute) versionV21(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"version": versionDoc(r, "v2.1")})
}

func (c *Compute) versionV2(w http.ResponseWriter, r *http.Request) {
	fake.WriteJSON(w, http.StatusOK, map[string]any{"version": versionDoc(r, "v2.0")})
}
