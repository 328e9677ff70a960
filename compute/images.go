// The compute image proxy: GET /images and /images/detail (name, status,
// server, type, changes-since, minRam, minDisk, property-* filters;
// limit/marker with images_links), GET and DELETE /images/{id}, and the
// image metadata API. Nova answers 404 past 2.35 (images) and 2.38
// (metadata), as here.
//
// Fidelity limits: there is no Glance behind it. Images are global except
// snapshots (and backups), which belong to Metadata["owner_id"]; only the
// owner or an admin may change or delete an image. The "alternate" link
// points at /image/images/{id} on the same host.

package compute

import (
	"cmp"
	"maps"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the compute image proxy (images and image-metadata).
const (
	OpListImages              = "compute.images.list"
	OpListImageDetail         = "compute.images.detail"
	OpGetImage                = "compute.images.get"
	OpDeleteImage             = "compute.images.delete"
	OpListImageMetadata       = "compute.images.metadata.list"
	OpSetImageMetadata        = "compute.images.metadata.set"
	OpUpdateImageMetadata     = "compute.images.metadata.update"
	OpGetImageMetadataItem    = "compute.images.metadata.get"
	OpSetImageMetadataItem    = "compute.images.metadata.put"
	OpDeleteImageMetadataItem = "compute.images.metadata.delete"
)

// The image proxy is gone from 2.36 (images) and 2.39 (image metadata):
// Nova answers those microversions 404.
const (
	maxImageProxyVersion = 35
	maxImageMetaVersion  = 38
)

func (c *Compute) imageRoutes() []kit.Route {
	return []kit.Route{
		route(OpListImages, "GET", "/images", c.listImages),
		route(OpListImageDetail, "GET", "/images/detail", c.listImageDetail),
		route(OpGetImage, "GET", "/images/{image_id}", c.getImage),
		route(OpDeleteImage, "DELETE", "/images/{image_id}", c.deleteImage),
		route(OpListImageMetadata, "GET", "/images/{image_id}/metadata", c.listImageMetadata),
		route(OpSetImageMetadata, "PUT", "/images/{image_id}/metadata", c.setImageMetadata),
		route(OpUpdateImageMetadata, "POST", "/images/{image_id}/metadata", c.updateImageMetadata),
		route(OpGetImageMetadataItem, "GET", "/images/{image_id}/metadata/{key}", c.getImageMetadataItem),
		route(OpSetImageMetadataItem, "PUT", "/images/{image_id}/metadata/{key}", c.setImageMetadataItem),
		route(OpDeleteImageMetadataItem, "DELETE", "/images/{image_id}/metadata/{key}", c.deleteImageMetadataItem),
	}
}

// proxyGone answers a proxy API past its last microversion.
func proxyGone(call *kit.Call, last int) error {
	if versionOf(call).AtLeast(last + 1) {
		return kit.NotFound("The resource could not be found.")
	}
	return nil
}

// imageVisible: images are global except snapshots and backups, which
// only their project (metadata owner_id) and admins see. Deleted images
// are gone, as Glance v2 shows them.
func imageVisible(call *kit.Call, img *Image) bool {
	if img.Status == "DELETED" {
		return false
	}
	who := callerOf(call)
	owner := img.Metadata["owner_id"]
	return owner == "" || owner == who.projectID || who.admin
}

// imageWritable: Glance lets only the owner (or an admin) change or
// delete an image; public images belong to the cloud's admin.
func imageWritable(call *kit.Call, img *Image) bool {
	if adminAllowed(call) {
		return true
	}
	owner := img.Metadata["owner_id"]
	return owner != "" && owner == callerOf(call).projectID
}

// imageLocked finds an image the caller may see, settled to now.
func (c *Compute) imageLocked(call *kit.Call) (*Image, error) {
	id := call.Var("image_id")
	if c.anyRefs && mimicInvalidImage(id) {
		return nil, kit.NotFound("The resource could not be found.")
	}
	img, ok := c.images[id]
	if !ok || !imageVisible(call, img) {
		return nil, kit.NotFound("Image not found.")
	}
	c.settleImageLocked(img, c.Now())
	return img, nil
}

// imageLinks are Nova's image links: self, bookmark, and the Glance
// alternate (this fake has no Glance; the link points at /image on the
// same host).
func imageLinks(call *kit.Call, id string) []link {
	return append(links(call, callerOf(call).projectID, "images", id),
		link{Rel: "alternate", Type: "application/vnd.openstack.image", Href: kit.HostURL(call.Request) + "/image/images/" + id})
}

// imageBriefJSON is an image in GET /images.
type imageBriefJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Links []link `json:"links"`
}

func imageBrief(call *kit.Call, img *Image) imageBriefJSON {
	return imageBriefJSON{ID: img.ID, Name: img.Name, Links: imageLinks(call, img.ID)}
}

// imageJSON is an image as GET /images/detail and GET /images/{id} show it.
type imageJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Status     string            `json:"status"`
	Progress   int               `json:"progress"`
	MinDisk    int               `json:"minDisk"`
	MinRAM     int               `json:"minRam"`
	Created    string            `json:"created"`
	Updated    string            `json:"updated"`
	Metadata   map[string]string `json:"metadata"`
	Links      []link            `json:"links"`
	Size       *int64            `json:"OS-EXT-IMG-SIZE:size"` // null until a snapshot is saved
	Server     *idLinksJSON      `json:"server,omitempty"`
	DiskConfig string            `json:"OS-DCF:diskConfig,omitempty"`
}

type imageBody struct {
	Image imageJSON `json:"image"`
}

func imageDetail(call *kit.Call, img *Image) imageJSON {
	progress := 0
	switch img.Status {
	case "ACTIVE":
		progress = 100
	case "SAVING":
		progress = 25
	}
	out := imageJSON{
		ID: img.ID, Name: img.Name, Status: img.Status, Progress: progress,
		MinDisk: img.MinDisk, MinRAM: img.MinRAM,
		Created: img.Created.UTC().Format(novaTime), Updated: img.Updated.UTC().Format(novaTime),
		Metadata: maps.Clone(nonNilMap(img.Metadata)), Links: imageLinks(call, img.ID),
	}
	if img.Status != "SAVING" {
		out.Size = ptr(img.Size) // Glance has no size until the upload ends
	}
	serverID := cmp.Or(img.Metadata["instance_uuid"], img.ServerID)
	if serverID != "" {
		out.Server = &idLinksJSON{ID: serverID, Links: links(call, callerOf(call).projectID, "servers", serverID)}
	}
	if v, ok := img.Metadata["auto_disk_config"]; ok {
		out.DiskConfig = "MANUAL"
		if b, _ := parseBoolString(v); b {
			out.DiskConfig = "AUTO"
		}
	}
	return out
}

// imageFilter is the parsed filter set of GET /images.
type imageFilter struct {
	name, status, server, kind string
	changesSince               time.Time
	minRAM, minDisk            int
	properties                 map[string]string
}

func parseImageFilter(call *kit.Call) (imageFilter, error) {
	q := call.Query()
	f := imageFilter{name: q.Get("name"), status: strings.ToUpper(q.Get("status")), kind: q.Get("type"), properties: map[string]string{}}
	if s := q.Get("server"); s != "" {
		f.server = s[strings.LastIndex(s, "/")+1:]
	}
	if raw := q.Get("changes-since"); raw != "" {
		t, err := parseISOTime(raw)
		if err != nil {
			return f, kit.BadRequest("Invalid changes-since value: %s", raw)
		}
		f.changesSince = t
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"minRam", &f.minRAM}, {"minDisk", &f.minDisk}} {
		if raw := q.Get(p.name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil {
				return f, kit.BadRequest("Invalid %s filter [%s]", p.name, raw)
			}
			*p.dst = n
		}
	}
	for k, vs := range q {
		if strings.HasPrefix(k, "property-") && len(vs) > 0 {
			f.properties[strings.TrimPrefix(k, "property-")] = vs[0]
		}
	}
	return f, nil
}

func (f *imageFilter) matches(img *Image) bool {
	switch {
	case f.name != "" && img.Name != f.name:
		return false
	case f.status != "" && img.Status != f.status:
		return false
	case f.server != "" && img.Metadata["instance_uuid"] != f.server && img.ServerID != f.server:
		return false
	case f.kind != "" && img.Metadata["image_type"] != f.kind:
		return false
	case !f.changesSince.IsZero() && img.Updated.Before(f.changesSince):
		return false
	case img.MinRAM < f.minRAM || img.MinDisk < f.minDisk:
		return false
	}
	for k, v := range f.properties {
		if img.Metadata[k] != v {
			return false
		}
	}
	return true
}

// imageList is GET /images's answer.
type imageList[T any] struct {
	Images []T    `json:"images"`
	Links  []link `json:"images_links,omitempty"`
}

// imageQuery is a parsed GET /images query.
type imageQuery struct {
	filter        imageFilter
	limit, offset int
	marker        string
	hasMarker     bool
}

func (c *Compute) listImages(call *kit.Call) (kit.Reply, error) {
	return listImagesAs(c, call, "images", imageBrief)
}

func (c *Compute) listImageDetail(call *kit.Call) (kit.Reply, error) {
	return listImagesAs(c, call, "images/detail", imageDetail)
}

func parseImageQuery(call *kit.Call) (imageQuery, error) {
	var q imageQuery
	if err := proxyGone(call, maxImageProxyVersion); err != nil {
		return q, err
	}
	var err error
	if q.filter, err = parseImageFilter(call); err != nil {
		return q, err
	}
	limit, given, err := queryInt(call, "limit", 1)
	if err == nil && !given {
		limit, given, err = queryInt(call, "page_size", 1)
	}
	if err != nil {
		return q, err
	}
	q.limit = pageSize(limit, given)
	if q.offset, _, err = queryInt(call, "offset", 1); err != nil {
		return q, err
	}
	q.marker, q.hasMarker = call.Query().Get("marker"), call.Query().Has("marker")
	return q, nil
}

// listImagesAs lists images newest first (Glance's created_at desc, id
// desc), with limit/marker (and page_size/offset, which Nova passes on)
// paging, each rendered by render.
func listImagesAs[T any](c *Compute, call *kit.Call, collection string, render func(*kit.Call, *Image) T) (kit.Reply, error) {
	q, err := parseImageQuery(call)
	if err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	page, err := c.imagePageLocked(call, q)
	if err != nil {
		return kit.Reply{}, err
	}
	body := imageList[T]{Images: make([]T, 0, len(page))}
	for _, img := range page {
		body.Images = append(body.Images, render(call, img))
	}
	if len(page) > 0 {
		body.Links = nextLinks(call, collection, len(page), page[len(page)-1].ID)
	}
	return kit.OK(body), nil
}

// imagePageLocked is one page of the images the caller sees that match.
func (c *Compute) imagePageLocked(call *kit.Call, q imageQuery) ([]*Image, error) {
	now := c.Now()
	all := make([]*Image, 0, len(c.images))
	for _, img := range c.images {
		c.settleImageLocked(img, now)
		if imageVisible(call, img) {
			all = append(all, img)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].Created.Equal(all[j].Created) {
			return all[i].Created.After(all[j].Created)
		}
		return all[i].ID > all[j].ID
	})
	start := 0
	if q.hasMarker {
		var ok bool
		if start, ok = afterMarker(all, func(img *Image) string { return img.ID }, q.marker); !ok {
			return nil, kit.BadRequest("marker [%s] not found", q.marker)
		}
	}
	var page []*Image
	skipped := 0
	for _, img := range all[start:] {
		if len(page) >= q.limit {
			break
		}
		if !q.filter.matches(img) {
			continue
		}
		if skipped < q.offset {
			skipped++
			continue
		}
		page = append(page, img)
	}
	return page, nil
}

func (c *Compute) getImage(call *kit.Call) (kit.Reply, error) {
	if err := proxyGone(call, maxImageProxyVersion); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	img, err := c.imageLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(imageBody{Image: imageDetail(call, img)}), nil
}

func (c *Compute) deleteImage(call *kit.Call) (kit.Reply, error) {
	if err := proxyGone(call, maxImageProxyVersion); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	img, err := c.imageLocked(call)
	if err == nil && !imageWritable(call, img) {
		err = kit.Forbidden("You are not allowed to delete the image.")
	}
	if err == nil {
		delete(c.images, img.ID)
	}
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.Status(http.StatusNoContent), nil
}

// Image metadata.

// changeImageMetadata applies f to an image's metadata under the lock,
// with the owner and metadata-quota checks Nova and Glance make. f returns
// the body to answer with.
func (c *Compute) changeImageMetadata(call *kit.Call, status int, f func(img *Image) (any, error)) (kit.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	img, err := c.imageLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if !imageWritable(call, img) {
		return kit.Reply{}, kit.Forbidden("Not authorized for image %s.", img.ID)
	}
	old := maps.Clone(img.Metadata)
	out, err := f(img)
	if limit := c.quotaLocked(callerOf(call).projectID).MetadataItems; err == nil && limit >= 0 && len(img.Metadata) > limit {
		err = kit.Forbidden("Image metadata limit exceeded")
	}
	if err != nil {
		img.Metadata = old
		return kit.Reply{}, err
	}
	img.Updated = c.Now()
	if out == nil {
		return kit.Status(status), nil
	}
	return kit.JSON(status, out), nil
}

func (c *Compute) listImageMetadata(call *kit.Call) (kit.Reply, error) {
	if err := proxyGone(call, maxImageMetaVersion); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	img, err := c.imageLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(metadataBody{Metadata: maps.Clone(nonNilMap(img.Metadata))}), nil
}

func (c *Compute) setImageMetadata(call *kit.Call) (kit.Reply, error) {
	if err := proxyGone(call, maxImageMetaVersion); err != nil {
		return kit.Reply{}, err
	}
	md, err := decodeMetadata(call, "metadata")
	if err != nil {
		return kit.Reply{}, err
	}
	return c.changeImageMetadata(call, http.StatusOK, func(img *Image) (any, error) {
		owner, hasOwner := img.Metadata["owner_id"]
		img.Metadata = maps.Clone(md)
		// Ownership is not a property a caller can drop: keep it, or the
		// snapshot would turn public.
		if _, ok := md["owner_id"]; hasOwner && !ok {
			img.Metadata["owner_id"] = owner
		}
		return metadataBody{Metadata: md}, nil
	})
}

func (c *Compute) updateImageMetadata(call *kit.Call) (kit.Reply, error) {
	if err := proxyGone(call, maxImageMetaVersion); err != nil {
		return kit.Reply{}, err
	}
	md, err := decodeMetadata(call, "metadata")
	if err != nil {
		return kit.Reply{}, err
	}
	return c.changeImageMetadata(call, http.StatusOK, func(img *Image) (any, error) {
		if img.Metadata == nil {
			img.Metadata = map[string]string{}
		}
		for k, v := range md {
			img.Metadata[k] = v
		}
		return metadataBody{Metadata: maps.Clone(img.Metadata)}, nil
	})
}

func (c *Compute) getImageMetadataItem(call *kit.Call) (kit.Reply, error) {
	if err := proxyGone(call, maxImageMetaVersion); err != nil {
		return kit.Reply{}, err
	}
	key := call.Var("key")
	c.mu.Lock()
	defer c.mu.Unlock()
	img, err := c.imageLocked(call)
	var v string
	if err == nil {
		var ok bool
		if v, ok = img.Metadata[key]; !ok {
			err = kit.NotFound("The resource could not be found.")
		}
	}
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(metaBody{Meta: map[string]string{key: v}}), nil
}

func (c *Compute) setImageMetadataItem(call *kit.Call) (kit.Reply, error) {
	if err := proxyGone(call, maxImageMetaVersion); err != nil {
		return kit.Reply{}, err
	}
	key := call.Var("key")
	md, err := decodeMetaItem(call, key)
	if err != nil {
		return kit.Reply{}, err
	}
	return c.changeImageMetadata(call, http.StatusOK, func(img *Image) (any, error) {
		if img.Metadata == nil {
			img.Metadata = map[string]string{}
		}
		img.Metadata[key] = md[key]
		return metaBody{Meta: map[string]string{key: md[key]}}, nil
	})
}

func (c *Compute) deleteImageMetadataItem(call *kit.Call) (kit.Reply, error) {
	if err := proxyGone(call, maxImageMetaVersion); err != nil {
		return kit.Reply{}, err
	}
	key := call.Var("key")
	return c.changeImageMetadata(call, http.StatusNoContent, func(img *Image) (any, error) {
		if _, ok := img.Metadata[key]; !ok {
			return nil, kit.NotFound("Invalid metadata key")
		}
		delete(img.Metadata, key)
		return nil, nil
	})
}
