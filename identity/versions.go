package identity

import (
	"net/http"

	"github.com/mockcloud/mockcloud/kit"
)

const (
	v3VersionID = "v3.14"
	v3Updated   = "2020-04-07T00:00:00Z"
	v2Updated   = "2014-04-17T00:00:00Z"
)

// linkJSON is a {"rel","href"} link, as version documents and v2.0 lists
// (empty) carry them.
type linkJSON struct {
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
	Href string `json:"href"`
}

type mediaTypeJSON struct {
	Base string `json:"base"`
	Type string `json:"type"`
}

// versionJSON is one API version in the discovery documents.
type versionJSON struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	Updated    string          `json:"updated"`
	Links      []linkJSON      `json:"links"`
	MediaTypes []mediaTypeJSON `json:"media-types"`
}

type versionsJSON struct {
	Versions struct {
		Values []versionJSON `json:"values"`
	} `json:"versions"`
}

type oneVersionJSON struct {
	Version versionJSON `json:"version"`
}

func versionEntry(id, status, updated, href, media string) versionJSON {
	return versionJSON{
		ID: id, Status: status, Updated: updated,
		Links:      []linkJSON{{Rel: "self", Href: href}},
		MediaTypes: []mediaTypeJSON{{Base: "application/json", Type: media}},
	}
}

func v3Version(c *kit.Call) versionJSON {
	return versionEntry(v3VersionID, "stable", v3Updated, c.BaseURL()+"/v3/", "application/vnd.openstack.identity-v3+json")
}

// v2Version is the v2.0 entry; Keystone's carried a "describedby" link to
// its documentation, typed text/html.
func v2Version(c *kit.Call) versionJSON {
	v := versionEntry("v2.0", "deprecated", v2Updated, c.BaseURL()+"/v2.0/", "application/vnd.openstack.identity-v2.0+json")
	v.Links = append(v.Links, linkJSON{Rel: "describedby", Type: "text/html", Href: "https://docs.openstack.org/"})
	return v
}

// versions answers GET / with 300 Multiple Choices, as Keystone does.
func (s *Identity) versions(c *kit.Call) (kit.Reply, error) {
	var out versionsJSON
	out.Versions.Values = []versionJSON{v3Version(c), v2Version(c)}
	return kit.JSON(http.StatusMultipleChoices, out), nil
}

func (s *Identity) v3Root(c *kit.Call) (kit.Reply, error) {
	return kit.OK(oneVersionJSON{Version: v3Version(c)}), nil
}

func (s *Identity) v2Root(c *kit.Call) (kit.Reply, error) {
	return kit.OK(oneVersionJSON{Version: v2Version(c)}), nil
}
