package compute_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestServerTags drives os-server-tags as Nova documents it: 2.26 and
// later only, replace-all sorted, 201 with a Location for a new tag and
// 204 for one the server has, 204/404 checks, deletes, and the tags in
// the server body.
func TestServerTags(t *testing.T) {
	a := newXAPI(t)
	id := a.server("tagged")
	a.advance(30e9)
	v := a.at("2.26")

	a.at("2.25").get("/servers/"+id+"/tags").fault(t, 404, "The resource could not be found.")
	v.get("/servers/"+id+"/tags").want(t, 200, `{"tags":[]}`)
	v.do("PUT", "/servers/"+id+"/tags", `{"tags":["tag2","tag1","tag2"]}`).want(t, 200, `{"tags":["tag1","tag2"]}`)
	v.get("/servers/"+id+"/tags").want(t, 200, `{"tags":["tag1","tag2"]}`)

	r := v.do("PUT", "/servers/"+id+"/tags/tag3", "")
	r.want(t, 201, "")
	if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "/v2.1/p/servers/"+id+"/tags/tag3") {
		t.Errorf("Location = %q", loc)
	}
	v.do("PUT", "/servers/"+id+"/tags/tag3", "").want(t, 204, "")
	v.get("/servers/"+id+"/tags/tag3").want(t, 204, "")
	v.get("/servers/"+id+"/tags/nope").fault(t, 404, "Server "+id+" has no tag 'nope'")

	// The server body carries them from 2.26.
	var srv struct {
		Server struct {
			Tags []string `json:"tags"`
		} `json:"server"`
	}
	r = v.get("/servers/" + id)
	r.status1(t, 200)
	decodeInto(t, r.body, &srv)
	if diff := cmp.Diff([]string{"tag1", "tag2", "tag3"}, srv.Server.Tags); diff != "" {
		t.Errorf("server tags (-want +got):\n%s", diff)
	}

	v.do("DELETE", "/servers/"+id+"/tags/tag1", "").want(t, 204, "")
	v.do("DELETE", "/servers/"+id+"/tags/tag1", "").fault(t, 404, "Instance "+id+" has no tag 'tag1'")
	v.do("DELETE", "/servers/"+id+"/tags", "").want(t, 204, "")
	v.get("/servers/"+id+"/tags").want(t, 200, `{"tags":[]}`)
	v.get("/servers/nope/tags").fault(t, 404, "Instance nope could not be found.")
}

func TestServerTagLimits(t *testing.T) {
	a := newXAPI(t)
	id := a.server("tagged")
	a.advance(30e9)
	v := a.at("2.26")
	long := strings.Repeat("x", 61)
	v.do("PUT", "/servers/"+id+"/tags/"+long, "").fault(t, 400,
		"Tag '"+long+"' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: '"+long+"' is too long")
	v.do("PUT", "/servers/"+id+"/tags/a,b", "").fault(t, 400,
		"Tag 'a,b' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: 'a,b' does not match '^[^,/]*$'")
	v.do("PUT", "/servers/"+id+"/tags/x", `{"a":1}`).status1(t, 400)
	v.do("PUT", "/servers/"+id+"/tags", `{"tags":["a/b"]}`).fault(t, 400, "Invalid input for field/attribute tags. Value: a/b. 'a/b' does not match '^[^,/]*$'")
	v.do("PUT", "/servers/"+id+"/tags", `{}`).fault(t, 400, "'tags' is a required property")
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("%q", fmt.Sprint("t", i))
	}
	v.do("PUT", "/servers/"+id+"/tags", `{"tags":[`+strings.Join(many, ",")+`]}`).status1(t, 400)
	v.do("PUT", "/servers/"+id+"/tags", `{"tags":[`+strings.Join(many[:50], ",")+`]}`).status1(t, 200)
	v.do("PUT", "/servers/"+id+"/tags/t0", "").fault(t, 400, "The number of tags exceeded the per-server limit 50")
	v.do("PUT", "/servers/"+id+"/tags/new", "").fault(t, 400, "The number of tags exceeded the per-server limit 50")
}

// TestServerTagsConflictInState: a building server's tags cannot change
// (Nova allows active, paused, suspended and stopped servers only), but
// can be read.
func TestServerTagsConflictInState(t *testing.T) {
	a := newXAPI(t)
	id := a.server("building")
	v := a.at("2.26")
	v.do("PUT", "/servers/"+id+"/tags/x", "").fault(t, 409, "Cannot 'update tag' instance "+id+" while it is in vm_state building")
	v.do("PUT", "/servers/"+id+"/tags", `{"tags":[]}`).fault(t, 409, "Cannot 'update tags' instance "+id+" while it is in vm_state building")
	v.do("DELETE", "/servers/"+id+"/tags/x", "").fault(t, 409, "Cannot 'delete tag' instance "+id+" while it is in vm_state building")
	v.do("DELETE", "/servers/"+id+"/tags", "").fault(t, 409, "Cannot 'delete tags' instance "+id+" while it is in vm_state building")
	v.get("/servers/"+id+"/tags").want(t, 200, `{"tags":[]}`)
}

// TestServerListTagFilters: tags (all), tags-any (one), not-tags (not
// all), not-tags-any (none).
func TestServerListTagFilters(t *testing.T) {
	a := newXAPI(t)
	ab, a1, b1, none := a.server("ab"), a.server("a"), a.server("b"), a.server("none")
	a.advance(30e9)
	v := a.at("2.26")
	for id, tags := range map[string]string{ab: `["a","b"]`, a1: `["a"]`, b1: `["b"]`} {
		v.do("PUT", "/servers/"+id+"/tags", `{"tags":`+tags+`}`).status1(t, http.StatusOK)
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"tags=a,b", []string{ab}},
		{"tags-any=a,b", []string{ab, a1, b1}},
		{"not-tags=a,b", []string{a1, b1, none}},
		{"not-tags-any=a", []string{b1, none}},
		{"tags=a&not-tags-any=b", []string{a1}},
	} {
		r := v.get("/servers?" + tc.query)
		r.status1(t, 200)
		var got []string
		for _, s := range r.obj(t)["servers"].([]any) {
			got = append(got, s.(map[string]any)["id"].(string))
		}
		if diff := cmp.Diff(sortedIDs(tc.want), sortedIDs(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.query, diff)
		}
	}
}
