package identity

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of project tags.
const (
	OpV3ListProjectTags    = "identity.v3.projects.tags.list"
	OpV3ReplaceProjectTags = "identity.v3.projects.tags.replace"
	OpV3ClearProjectTags   = "identity.v3.projects.tags.clear"
	OpV3CheckProjectTag    = "identity.v3.projects.tags.check"
	OpV3AddProjectTag      = "identity.v3.projects.tags.add"
	OpV3DeleteProjectTag   = "identity.v3.projects.tags.delete"
)

func (s *Identity) tagRoutes() []kit.Route {
	const tags = "/v3/projects/{project_id}/tags"
	return []kit.Route{
		{Op: OpV3ListProjectTags, Method: "GET", Path: tags, Handler: s.v3ListProjectTags},
		{Op: OpV3ReplaceProjectTags, Method: "PUT", Path: tags, Handler: s.v3ReplaceProjectTags},
		{Op: OpV3ClearProjectTags, Method: "DELETE", Path: tags, Handler: s.v3ClearProjectTags},
		{Op: OpV3CheckProjectTag, Method: "GET,HEAD", Path: tags + "/{tag}", Handler: s.v3CheckProjectTag},
		{Op: OpV3AddProjectTag, Method: "PUT", Path: tags + "/{tag}", Handler: s.v3AddProjectTag},
		{Op: OpV3DeleteProjectTag, Method: "DELETE", Path: tags + "/{tag}", Handler: s.v3DeleteProjectTag},
	}
}

// tagsMatch applies GET /v3/projects' tag filters: tags (all of them),
// tags-any (one of them), not-tags (not all of them), not-tags-any (none
// of them); each a comma-separated list.
func tagsMatch(q url.Values, have []string) bool {
	split := func(name string) []string {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		return strings.Split(v, ",")
	}
	all := func(want []string) bool {
		for _, t := range want {
			if !slices.Contains(have, t) {
				return false
			}
		}
		return true
	}
	anyOf := func(want []string) bool {
		return slices.ContainsFunc(want, func(t string) bool { return slices.Contains(have, t) })
	}
	if want := split("tags"); want != nil && !all(want) {
		return false
	}
	if want := split("tags-any"); want != nil && !anyOf(want) {
		return false
	}
	if want := split("not-tags"); want != nil && all(want) {
		return false
	}
	if want := split("not-tags-any"); want != nil && anyOf(want) {
		return false
	}
	return true
}

type tagsJSON struct {
	Tags []string `json:"tags"`
}

func (s *Identity) v3ListProjectTags(c *kit.Call) (kit.Reply, error) {
	p, err := s.readableProject(c, "identity:list_project_tags")
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(tagsJSON{Tags: append([]string{}, p.Tags...)}), nil
}

// editTags changes the tags of the project in the URL, for an admin.
func (s *Identity) editTags(c *kit.Call, action string, edit func(tags []string) ([]string, error)) ([]string, error) {
	if err := requireAdmin(c, action); err != nil {
		return nil, err
	}
	id := c.Var("project_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projects[id]
	if !ok {
		return nil, kit.NotFound("Could not find project: %s.", id)
	}
	tags, err := edit(slices.Clone(p.Tags))
	if err != nil {
		return nil, err
	}
	p.Tags = tags
	s.projects[id] = p
	return append([]string{}, tags...), nil
}

func (s *Identity) v3ReplaceProjectTags(c *kit.Call) (kit.Reply, error) {
	var req struct {
		Tags *[]string `json:"tags"`
	}
	if err := c.DecodeJSON(&req, kit.DecodeOptions{}); err != nil {
		return kit.Reply{}, err
	}
	if req.Tags == nil {
		return kit.Reply{}, invalidField("tags", "'tags' is a required property")
	}
	if err := validateTags(*req.Tags); err != nil {
		return kit.Reply{}, err
	}
	tags, err := s.editTags(c, "identity:update_project_tags", func([]string) ([]string, error) { return uniqueTags(*req.Tags), nil })
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(tagsJSON{Tags: tags}), nil
}

func (s *Identity) v3ClearProjectTags(c *kit.Call) (kit.Reply, error) {
	if _, err := s.editTags(c, "identity:delete_project_tags", func([]string) ([]string, error) { return []string{}, nil }); err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

func (s *Identity) v3CheckProjectTag(c *kit.Call) (kit.Reply, error) {
	p, err := s.readableProject(c, "identity:get_project_tag")
	if err != nil {
		return kit.Reply{}, err
	}
	if !slices.Contains(p.Tags, c.Var("tag")) {
		return kit.Reply{}, kit.NotFound("Could not find project tag: %s.", c.Var("tag"))
	}
	return kit.Status(http.StatusNoContent), nil
}

// v3AddProjectTag answers 201 with a Location and no body, as Keystone does.
func (s *Identity) v3AddProjectTag(c *kit.Call) (kit.Reply, error) {
	tag := c.Var("tag")
	if err := validateTag(tag); err != nil {
		return kit.Reply{}, err
	}
	_, err := s.editTags(c, "identity:create_project_tag", func(tags []string) ([]string, error) {
		if slices.Contains(tags, tag) {
			return tags, nil
		}
		if err := validateTags(append(tags, tag)); err != nil {
			return nil, err
		}
		return append(tags, tag), nil
	})
	if err != nil {
		return kit.Reply{}, err
	}
	c.Header().Set("Location", c.BaseURL()+"/v3/projects/"+c.Var("project_id")+"/tags/"+url.PathEscape(tag))
	return kit.Status(http.StatusCreated), nil
}

func (s *Identity) v3DeleteProjectTag(c *kit.Call) (kit.Reply, error) {
	tag := c.Var("tag")
	_, err := s.editTags(c, "identity:delete_project_tag", func(tags []string) ([]string, error) {
		if !slices.Contains(tags, tag) {
			return nil, kit.NotFound("Could not find project tag: %s.", tag)
		}
		return dropName(tags, tag), nil
	})
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}
