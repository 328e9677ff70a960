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
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
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

func (c *Compute) imageRoutes() []apiRoute {
	return []apiRoute{
		{OpListImages, []string{"GET"}, "/images", c.listImages},
		{OpListImageDetail, []string{"GET"}, "/images/detail", c.listImageDetail},
		{OpGetImage, []string{"GET"}, "/images/{image_id}", c.getImage},
		{OpDeleteImage, []string{"DELETE"}, "/images/{image_id}", c.deleteImage},
		{OpListImageMetadata, []string{"GET"}, "/images/{image_id}/metadata", c.listImageMetadata},
		{OpSetImageMetadata, []string{"PUT"}, "/images/{image_id}/metadata", c.setImageMetadata},
		{OpUpdateImageMetadata, []string{"POST"}, "/images/{image_id}/metadata", c.updateImageMetadata},
		{OpGetImageMetadataItem, []string{"GET"}, "/images/{image_id}/metadata/{key}", c.getImageMetadataItem},
		{OpSetImageMetadataItem, []string{"PUT"}, "/images/{image_id}/metadata/{key}", c.setImageMetadataItem},
		{OpDeleteImageMetadataItem, []string{"DELETE"}, "/images/{image_id}/metadata/{key}", c.deleteImageMetadataItem},
	}
}

// proxyGone answers a proxy API past its last microversion.
func proxyGone(r *http.Request, last int) *fake.Error {
	if versionOf(r).AtLeast(last + 1) {
		return notFound("The resource could not be found.")
	}
	return nil
}

// imageVisible: images are global except snapshots and backups, which
// only their project (metadata owner_id) and admins see. Deleted images
// are gone, as Glance v2 shows them.
func imageVisible(r *http.Request, img *Image) bool {
	if img.Status == "DELETED" {
		return false
	}
	who := callerOf(r)
	owner := img.Metadata["owner_id"]
	return owner == "" || owner == who.projectID || who.admin
}

// imageWritable: Glance lets only the owner (or an admin) change or
// delete an image; public images belong to the cloud's admin.
func imageWritable(r *http.Request, img *Image) bool {
	if adminAllowed(r) {
		return true
	}
	owner := img.Metadata["owner_id"]
	return owner != "" && owner == callerOf(r).projectID
}

// imageLocked finds an image the caller may see, settled to now.
func (c *Compute) imageLocked(r *http.Request) (*Image, *fake.Error) {
	img, ok := c.images[mux.Vars(r)["image_id"]]
	if !ok || !imageVisible(r, img) {
		return nil, notFound("Image not found.")
	}
	c.settleImageLocked(img, c.now())
	return img, nil
}

// imageLinks are Nova's image links: self, bookmark, and the Glance
// alternate (this fake has no Glance; the link points at /image on the
// same host).
func imageLinks(r *http.Request, id string) []map[string]string {
	l := links(r, callerOf(r).projectID, "images", id)
	return []map[string]string{
		l[0], l[1],
		{"rel": "alternate", "type": "application/vnd.openstack.image", "href": fake.HostURL(r) + "/image/images/" + id},
	}
}

func imageBrief(r *http.Request, img *Image) map[string]any {
	return map[string]any{"id": img.ID, "name": img.Name, "links": imageLinks(r, img.ID)}
}

func imageDetail(r *http.Request, img *Image) map[string]any {
	progress := 0
	switch img.Status {
	case "ACTIVE":
		progress = 100
	case "SAVING":
		progress = 25
	}
	var size any = img.Size
	if img.Status == "SAVING" {
		size = nil // Glance has no size until the upload ends
	}
	out := map[string]any{
		"id": img.ID, "name": img.Name, "status": img.Status, "progress": progress,
		"minDisk": img.MinDisk, "minRam": img.MinRAM,
		"created": img.Created.UTC().Format(novaTime), "updated": img.Updated.UTC().Format(novaTime),
		"metadata": cloneMap(nonNilMap(img.Metadata)), "links": imageLinks(r, img.ID),
		"OS-EXT-IMG-SIZE:size": size,
	}
	serverID := img.Metadata["instance_uuid"]
	if serverID == "" {
		serverID = img.ServerID
	}
	if serverID != "" {
		out["server"] = map[string]any{"id": serverID, "links": links(r, callerOf(r).projectID, "servers", serverID)}
	}
	if v, ok := img.Metadata["auto_disk_config"]; ok {
		if b, _ := parseBoolString(v); b {
			out["OS-DCF:diskConfig"] = "AUTO"
		} else {
			out["OS-DCF:diskConfig"] = "MANUAL"
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

func parseImageFilter(r *http.Request) (imageFilter, *fake.Error) {
	q := r.URL.Query()
	f := imageFilter{name: q.Get("name"), status: strings.ToUpper(q.Get("status")), kind: q.Get("type"), properties: map[string]string{}}
	if s := q.Get("server"); s != "" {
		f.server = s[strings.LastIndex(s, "/")+1:]
	}
	if raw := q.Get("changes-since"); raw != "" {
		t, err := parseISOTime(raw)
		if err != nil {
			return f, badRequest("Invalid changes-since value: %s", raw)
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
				return f, badRequest("Invalid %s filter [%s]", p.name, raw)
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

func (c *Compute) listImages(w http.ResponseWriter, r *http.Request)      { c.imageList(w, r, false) }
func (c *Compute) listImageDetail(w http.ResponseWriter, r *http.Request) { c.imageList(w, r, true) }

// imageList lists images newest first (Glance's created_at desc, id desc),
// with limit/marker (and page_size/offset, which Nova passes on) paging.
func (c *Compute) imageList(w http.ResponseWriter, r *http.Request, detail bool) {
	if err := proxyGone(r, maxImageProxyVersion); err != nil {
		writeErr(w, r, err)
		return
	}
	filter, err := parseImageFilter(r)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	limit, given, err := queryInt(r, "limit", 1)
	if err == nil && !given {
		limit, given, err = queryInt(r, "page_size", 1)
	}
	if err != nil {
		writeErr(w, r, err)
		return
	}
	limit = pageSize(limit, given)
	offset, _, err := queryInt(r, "offset", 1)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	q := r.URL.Query()
	marker, hasMarker := q.Get("marker"), q.Has("marker")

	c.mu.Lock()
	now := c.now()
	all := make([]*Image, 0, len(c.images))
	for _, img := range c.images {
		c.settleImageLocked(img, now)
		if imageVisible(r, img) {
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
	if hasMarker {
		start = -1
		for i, img := range all {
			if img.ID == marker {
				start = i + 1
				break
			}
		}
		if start < 0 {
			err = badRequest("marker [%s] not found", marker)
		}
	}
	out := []map[string]any{}
	lastID := ""
	if err == nil {
		skipped := 0
		for _, img := range all[start:] {
			if len(out) >= limit {
				break
			}
			if !filter.matches(img) {
				continue
			}
			if skipped < offset {
				skipped++
				continue
			}
			if detail {
				out = append(out, imageDetail(r, img))
			} else {
				out = append(out, imageBrief(r, img))
			}
			lastID = img.ID
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	collection := "images"
	if detail {
		collection = "images/detail"
	}
	body := map[string]any{"images": out}
	if l := nextLinks(r, collection, len(out), lastID); l != nil {
		body["images_links"] = l
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

func (c *Compute) getImage(w http.ResponseWriter, r *http.Request) {
	if err := proxyGone(r, maxImageProxyVersion); err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	img, err := c.imageLocked(r)
	var body map[string]any
	if err == nil {
		body = map[string]any{"image": imageDetail(r, img)}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, body)
}

func (c *Compute) deleteImage(w http.ResponseWriter, r *http.Request) {
	if err := proxyGone(r, maxImageProxyVersion); err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	img, err := c.imageLocked(r)
	if err == nil && !imageWritable(r, img) {
		err = forbidden("You are not allowed to delete the image.")
	}
	if err == nil {
		delete(c.images, img.ID)
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Image metadata.

// changeImageMetadata applies f to an image's metadata under the lock,
// with the owner and metadata-quota checks Nova and Glance make. f returns
// the body to answer with.
func (c *Compute) changeImageMetadata(w http.ResponseWriter, r *http.Request, status int, f func(img *Image) (any, *fake.Error)) {
	c.mu.Lock()
	img, err := c.imageLocked(r)
	var out any
	if err == nil && !imageWritable(r, img) {
		err = forbidden("Not authorized for image %s.", img.ID)
	}
	if err == nil {
		old := cloneMap(img.Metadata)
		out, err = f(img)
		if limit := c.quotaLocked(callerOf(r).projectID).MetadataItems; err == nil && limit >= 0 && len(img.Metadata) > limit {
			err = forbidden("Image metadata limit exceeded")
		}
		if err != nil {
			img.Metadata = old
		} else {
			img.Updated = c.now()
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if out == nil {
		w.WriteHeader(status)
		return
	}
	fake.WriteJSON(w, status, out)
}

func (c *Compute) listImageMetadata(w http.ResponseWriter, r *http.Request) {
	if err := proxyGone(r, maxImageMetaVersion); err != nil {
		writeErr(w, r, err)
		return
	}
	c.mu.Lock()
	img, err := c.imageLocked(r)
	var md map[string]string
	if err == nil {
		md = cloneMap(nonNilMap(img.Metadata))
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"metadata": md})
}

func (c *Compute) setImageMetadata(w http.ResponseWriter, r *http.Request) {
	if err := proxyGone(r, maxImageMetaVersion); err != nil {
		writeErr(w, r, err)
		return
	}
	md, err := decodeMetadata(r, "metadata")
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.changeImageMetadata(w, r, http.StatusOK, func(img *Image) (any, *fake.Error) {
		owner, hasOwner := img.Metadata["owner_id"]
		img.Metadata = cloneMap(md)
		// Ownership is not a property a caller can drop: keep it, or the
		// snapshot would turn public.
		if _, ok := md["owner_id"]; hasOwner && !ok {
			img.Metadata["owner_id"] = owner
		}
		return map[string]any{"metadata": md}, nil
	})
}

func (c *Compute) updateImageMetadata(w http.ResponseWriter, r *http.Request) {
	if err := proxyGone(r, maxImageMetaVersion); err != nil {
		writeErr(w, r, err)
		return
	}
	md, err := decodeMetadata(r, "metadata")
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.changeImageMetadata(w, r, http.StatusOK, func(img *Image) (any, *fake.Error) {
		if img.Metadata == nil {
			img.Metadata = map[string]string{}
		}
		for k, v := range md {
			img.Metadata[k] = v
		}
		return map[string]any{"metadata": cloneMap(img.Metadata)}, nil
	})
}

func (c *Compute) getImageMetadataItem(w http.ResponseWriter, r *http.Request) {
	if err := proxyGone(r, maxImageMetaVersion); err != nil {
		writeErr(w, r, err)
		return
	}
	key := mux.Vars(r)["key"]
	c.mu.Lock()
	img, err := c.imageLocked(r)
	var v string
	if err == nil {
		var ok bool
		if v, ok = img.Metadata[key]; !ok {
			err = notFound("The resource could not be found.")
		}
	}
	c.mu.Unlock()
	if err != nil {
		writeErr(w, r, err)
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"meta": map[string]string{key: v}})
}

func (c *Compute) setImageMetadataItem(w http.ResponseWriter, r *http.Request) {
	if err := proxyGone(r, maxImageMetaVersion); err != nil {
		writeErr(w, r, err)
		return
	}
	key := mux.Vars(r)["key"]
	md, err := decodeMetaItem(r, key)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	c.changeImageMetadata(w, r, http.StatusOK, func(img *Image) (any, *fake.Error) {
		if img.Metadata == nil {
			img.Metadata = map[string]string{}
		}
		img.Metadata[key] = md[key]
		return map[string]any{"meta": map[string]string{key: md[key]}}, nil
	})
}

func (c *Compute) deleteImageMetadataItem(w http.ResponseWriter, r *http.Request) {
	if err := proxyGone(r, maxImageMetaVersion); err != nil {
		writeErr(w, r, err)
		return
	}
	key := mux.Vars(r)["key"]
	c.changeImageMetadata(w, r, http.StatusNoContent, func(img *Image) (any, *fake.Error) {
		if _, ok := img.Metadata[key]; !ok {
			return nil, notFound("Invalid metadata key")
		}
		delete(img.Metadata, key)
		return nil, nil
	})
}
