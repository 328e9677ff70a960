// What the resource files share: policy checks, query parameters and
// paging.

package compute

import (
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// policyDenied is Nova's 403 when a policy rule refuses the caller.
func policyDenied(rule string) error {
	return kit.Forbidden("Policy doesn't allow %s to be performed.", rule)
}

// adminAllowed reports whether an admin-only policy passes: with no token
// check every caller passes, otherwise only the admin role.
func adminAllowed(call *kit.Call) bool { return !call.Authenticated || callerOf(call).admin }

// rejectUnknownQuery is the additionalProperties=false query schema Nova
// applies from microversion since (2.75 for most resources).
func rejectUnknownQuery(call *kit.Call, since int, allowed ...string) error {
	if !versionOf(call).AtLeast(since) {
		return nil
	}
	return nvQueryAllowed(call, allowed)
}

var digitsOnly = regexp.MustCompile(`^[0-9]*$`)

// queryInt reads a query parameter of Nova's non_negative_integer (min 0)
// or positive_integer (min 1) schema. given is false when it is absent.
func queryInt(call *kit.Call, name string, min int) (n int, given bool, err error) {
	q := call.Query()
	if _, ok := q[name]; !ok {
		return 0, false, nil
	}
	raw := q.Get(name)
	if raw == "" || !digitsOnly.MatchString(raw) {
		if raw == "" {
			return 0, true, kit.BadRequest("Invalid input for query parameters %s. Value: . '' is too short", name)
		}
		return 0, true, kit.BadRequest("Invalid input for query parameters %s. Value: %s. '%s' does not match '^[0-9]*$'", name, raw, raw)
	}
	n, perr := strconv.Atoi(raw)
	if perr != nil {
		// Digits beyond an int: Python's int takes them, and the limit
		// caps them.
		n = math.MaxInt
	}
	if n < min {
		return 0, true, kit.BadRequest("Invalid input for query parameters %s. Value: %s. %d is less than the minimum of %d", name, raw, n, min)
	}
	return n, true, nil
}

// pageSize is Nova's effective limit: the requested one capped at
// max_limit (1000), max_limit when none is asked for.
func pageSize(limit int, given bool) int {
	if !given || limit > maxLimit {
		return maxLimit
	}
	return limit
}

// nextLinks is Nova's collection "next" link: present when the page is
// exactly as long as the effective limit, pointing at the same collection
// with every query parameter kept and marker set to the page's last item.
func nextLinks(call *kit.Call, collection string, count int, lastID string) []link {
	size := maxLimit
	if raw := call.Query().Get("limit"); raw != "" {
		if n, err := strconv.Atoi(raw); err == nil && n < size {
			size = n
		}
	}
	if size == 0 || size != count {
		return nil
	}
	q := url.Values{}
	for k, vs := range call.Query() {
		if len(vs) > 0 {
			q.Set(k, vs[len(vs)-1])
		}
	}
	q.Set("marker", lastID)
	href := call.BaseURL() + versionRoot(call) + "/" + call.Var("project_id") + "/" + collection + "?" + q.Encode()
	return nextLink(href)
}

// collectionNextLink is Nova's "next" link of a collection: the request's
// parameters, sorted, with marker set to the last item shown (a marker
// already sent keeps its sorted place; a new one goes last).
func collectionNextLink(call *kit.Call, collection, marker string) string {
	q := call.Query()
	keys := make([]string, 0, len(q)+1)
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if _, ok := q["marker"]; !ok {
		keys = append(keys, "marker")
	}
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "marker" {
			parts = append(parts, "marker="+url.QueryEscape(marker))
			continue
		}
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	return call.BaseURL() + versionRoot(call) + "/" + call.Var("project_id") + "/" + collection + "?" + strings.Join(parts, "&")
}

// maxLimit is Nova's osapi_max_limit.
const maxLimit = 1000

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// afterMarker is the index just after the item whose ID is marker; ok is
// false when there is none.
func afterMarker[T any](items []T, id func(T) string, marker string) (int, bool) {
	for i, it := range items {
		if id(it) == marker {
			return i + 1, true
		}
	}
	return 0, false
}
