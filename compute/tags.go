// Server tags (os-server-tags, 2.26): list, replace all, add one, check
// one, delete one, delete all. The tags/tags-any/not-tags/not-tags-any
// filters of the server list are in server_list.go.

package compute

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-server-tags.
const (
	OpListServerTags     = "compute.servers.tags.list"
	OpReplaceServerTags  = "compute.servers.tags.replace"
	OpDeleteServerTags   = "compute.servers.tags.delete_all"
	OpCheckServerTag     = "compute.servers.tags.check"
	OpAddServerTag       = "compute.servers.tags.add"
	OpDeleteServerTag    = "compute.servers.tags.delete"
	maxServerTags        = 50 // Nova's MAX_TAG_COUNT
	maxServerTagLength   = 60
	serverTagsMinVersion = 26
)

func (c *Compute) tagRoutes() []kit.Route {
	return []kit.Route{
		route(OpListServerTags, "GET", "/servers/{server_id}/tags", c.listServerTags),
		route(OpReplaceServerTags, "PUT", "/servers/{server_id}/tags", c.replaceServerTags),
		route(OpDeleteServerTags, "DELETE", "/servers/{server_id}/tags", c.deleteServerTags),
		route(OpCheckServerTag, "GET", "/servers/{server_id}/tags/{tag}", c.checkServerTag),
		route(OpAddServerTag, "PUT", "/servers/{server_id}/tags/{tag}", c.addServerTag),
		route(OpDeleteServerTag, "DELETE", "/servers/{server_id}/tags/{tag}", c.deleteServerTag),
	}
}

// tagsBody is the answer of the list and of the replacement.
type tagsBody struct {
	Tags []string `json:"tags"`
}

// tagStates are the vm_states in which Nova changes tags.
var tagStates = []string{vmActive, vmPaused, vmSuspended, vmStopped}

// tagServerLocked is the caller's server for a tag call at 2.26 or later;
// for a change (action not ""), only in a state Nova changes tags in.
func (c *Compute) tagServerLocked(call *kit.Call, action string) (*server, error) {
	if err := atLeastOr404(call, serverTagsMinVersion); err != nil {
		return nil, err
	}
	s, err := c.serverLocked(call)
	if err != nil {
		return nil, err
	}
	if action != "" {
		if err := requireVMState(s, action, tagStates); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func sortedTags(tags []string) []string {
	out := append([]string{}, tags...)
	sort.Strings(out)
	return out
}

func (c *Compute) listServerTags(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.tagServerLocked(call, "")
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(tagsBody{Tags: sortedTags(s.Tags)}), nil
}

// tagProblem is why a tag breaks Nova's parameter_types.tag, as jsonschema
// words it; "" when it is valid.
func tagProblem(tag string) string {
	repr := pyRepr(mustJSON(tag))
	switch {
	case tag == "":
		return repr + " is too short"
	case utf8.RuneCountInString(tag) > maxServerTagLength:
		return repr + " is too long"
	case strings.ContainsAny(tag, ",/"):
		return repr + " does not match '^[^,/]*$'"
	}
	return ""
}

// rootMembers decodes a body that is an object of members, unwrapped.
func rootMembers(body []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := kit.DecodeJSON(body, &m, kit.DecodeOptions{}); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, kit.BadRequest("Malformed request body")
	}
	return m, nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// parseTagList applies the schema of PUT /servers/{id}/tags.
func parseTagList(call *kit.Call) ([]string, error) {
	m, err := rootMembers(call.Body)
	if err != nil {
		return nil, err
	}
	raw, ok := m["tags"]
	if !ok {
		// An error at the body's root has no field: jsonschema's message alone.
		return nil, kit.BadRequest("'tags' is a required property")
	}
	if err := nvOnlyKeys(m, "tags"); err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil, nvFieldErr("tags", raw, "%s is not of type 'array'", pyRepr(raw))
	}
	if len(items) > maxServerTags {
		return nil, nvFieldErr("tags", raw, "%s is too long", pyRepr(raw))
	}
	tags := make([]string, 0, len(items))
	for _, item := range items {
		var tag string
		if json.Unmarshal(item, &tag) != nil {
			return nil, nvFieldErr("tags", item, "%s is not of type 'string'", pyRepr(item))
		}
		if p := tagProblem(tag); p != "" {
			return nil, nvFieldErr("tags", item, "%s", p)
		}
		if !slices.Contains(tags, tag) {
			tags = append(tags, tag)
		}
	}
	return tags, nil
}

func (c *Compute) replaceServerTags(call *kit.Call) (kit.Reply, error) {
	if err := atLeastOr404(call, serverTagsMinVersion); err != nil {
		return kit.Reply{}, err
	}
	tags, err := parseTagList(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.tagServerLocked(call, "update tags")
	if err != nil {
		return kit.Reply{}, err
	}
	s.Tags = tags
	s.Updated = c.Now()
	return kit.OK(tagsBody{Tags: sortedTags(tags)}), nil
}

func (c *Compute) deleteServerTags(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.tagServerLocked(call, "delete tags")
	if err != nil {
		return kit.Reply{}, err
	}
	s.Tags = nil
	s.Updated = c.Now()
	return kit.Status(http.StatusNoContent), nil
}

func (c *Compute) checkServerTag(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.tagServerLocked(call, "")
	if err != nil {
		return kit.Reply{}, err
	}
	tag := call.Var("tag")
	if !slices.Contains(s.Tags, tag) {
		return kit.Reply{}, kit.NotFound("Server %s has no tag '%s'", s.ID, tag)
	}
	return kit.Status(http.StatusNoContent), nil
}

// addServerTag is PUT /servers/{id}/tags/{tag}: its body must be empty
// (the schema is null); 201 with a Location for a new tag, 204 for one the
// server has.
func (c *Compute) addServerTag(call *kit.Call) (kit.Reply, error) {
	if err := atLeastOr404(call, serverTagsMinVersion); err != nil {
		return kit.Reply{}, err
	}
	if body := strings.TrimSpace(string(call.Body)); body != "" && body != "null" {
		return kit.Reply{}, kit.BadRequest("Invalid input for field/attribute Server tag. Value: %s. %s is not of type 'null'", body, pyRepr(json.RawMessage(body)))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.tagServerLocked(call, "update tag")
	if err != nil {
		return kit.Reply{}, err
	}
	tag := call.Var("tag")
	if p := tagProblem(tag); p != "" {
		return kit.Reply{}, kit.BadRequest("Tag '%s' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: %s", tag, p)
	}
	if len(s.Tags) >= maxServerTags {
		return kit.Reply{}, kit.BadRequest("The number of tags exceeded the per-server limit %d", maxServerTags)
	}
	if slices.Contains(s.Tags, tag) {
		return kit.Status(http.StatusNoContent), nil
	}
	s.Tags = append(s.Tags, tag)
	s.Updated = c.Now()
	call.Header().Set("Location", selfHref(call, s.ProjectID, "servers", s.ID)+"/tags/"+tag)
	return kit.Status(http.StatusCreated), nil
}

func (c *Compute) deleteServerTag(call *kit.Call) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.tagServerLocked(call, "delete tag")
	if err != nil {
		return kit.Reply{}, err
	}
	tag := call.Var("tag")
	i := slices.Index(s.Tags, tag)
	if i < 0 {
		return kit.Reply{}, kit.NotFound("Instance %s has no tag '%s'", s.ID, tag)
	}
	s.Tags = slices.Delete(slices.Clone(s.Tags), i, i+1)
	s.Updated = c.Now()
	return kit.Status(http.StatusNoContent), nil
}
