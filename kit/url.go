package kit

import (
	"net/http"
	"net/url"
	"strings"
)

// HostURL is the scheme and host the client used ("http://127.0.0.1:8900"),
// so links a fake returns work whichever name the client reached it by.
func HostURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// BaseURL is the URL a service is mounted at, as the client sees it: the
// host plus whatever prefix a mounting router stripped before the service
// saw the request ("http://127.0.0.1:8900/identity"). Services build
// absolute links from it without knowing where they are mounted.
func BaseURL(r *http.Request) string {
	return HostURL(r) + MountPrefix(r)
}

// MountPrefix is the path prefix stripped before the service saw r: the
// difference between the path the client sent and r.URL.Path.
func MountPrefix(r *http.Request) string {
	orig := r.URL.Path
	if r.RequestURI != "" {
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			orig = u.Path
		}
	}
	if strings.HasSuffix(orig, r.URL.Path) {
		return strings.TrimSuffix(orig[:len(orig)-len(r.URL.Path)], "/")
	}
	return ""
}
