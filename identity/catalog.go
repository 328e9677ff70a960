package identity

import (
	"net/http"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// CatalogService is one entry of the service catalog (the kit's type: a
// Cloud builds the catalog from the services it mounts).
type CatalogService = kit.CatalogService

// CatalogEndpoint is one endpoint of a catalog entry.
//
// URL is either absolute or a path from the host root ("/compute/ORD/v2/{tenant_id}"),
// which is resolved against the scheme and host the client used to reach
// identity, so the catalog is right however the client names the server.
// "{tenant_id}" and "{project_id}" are replaced with the token's project;
// such endpoints are left out of unscoped tokens' catalogs.
type CatalogEndpoint = kit.CatalogEndpoint

// SetCatalog replaces the service catalog.
func (s *Identity) SetCatalog(services ...CatalogService) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalog = nil
	s.addCatalogLocked(services)
}

// AddCatalogServices appends entries to the service catalog.
func (s *Identity) AddCatalogServices(services ...CatalogService) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addCatalogLocked(services)
}

// Catalog returns the service catalog as configured (URLs unresolved).
func (s *Identity) Catalog() []CatalogService {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneCatalog(s.catalog)
}

func (s *Identity) addCatalogLocked(services []CatalogService) {
	for _, svc := range cloneCatalog(services) {
		if svc.ID == "" {
			svc.ID = s.catalogRNG.Hex(32)
		}
		for i := range svc.Endpoints {
			if svc.Endpoints[i].ID == "" {
				svc.Endpoints[i].ID = s.catalogRNG.Hex(32)
			}
		}
		s.catalog = append(s.catalog, svc)
	}
}

func cloneCatalog(in []CatalogService) []CatalogService {
	out := make([]CatalogService, len(in))
	for i, svc := range in {
		svc.Endpoints = append([]CatalogEndpoint(nil), svc.Endpoints...)
		out[i] = svc
	}
	return out
}

// resolvedEndpoint is an endpoint with its URL made absolute for one token.
type resolvedEndpoint struct {
	id, region, iface, url string
}

// resolve returns the catalog as a token scoped to projectID sees it.
func (s *Identity) resolve(r *http.Request, projectID string) []resolvedService {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resolveLocked(r, projectID)
}

// resolveLocked returns the catalog as one token sees it.
func (s *Identity) resolveLocked(r *http.Request, projectID string) []resolvedService {
	host := kit.HostURL(r)
	var out []resolvedService
	for _, svc := range s.catalog {
		rs := resolvedService{id: svc.ID, typ: svc.Type, name: svc.Name}
		for _, ep := range svc.Endpoints {
			u := ep.URL
			if strings.Contains(u, "{tenant_id}") || strings.Contains(u, "{project_id}") {
				if projectID == "" {
					continue
				}
				u = strings.NewReplacer("{tenant_id}", projectID, "{project_id}", projectID).Replace(u)
			}
			if strings.HasPrefix(u, "/") {
				u = host + u
			}
			ifaces := []string{ep.Interface}
			if ep.Interface == "" {
				ifaces = []string{"public", "internal", "admin"}
			}
			for _, iface := range ifaces {
				rs.endpoints = append(rs.endpoints, resolvedEndpoint{id: ep.ID, region: ep.Region, iface: iface, url: u})
			}
		}
		if len(rs.endpoints) > 0 {
			out = append(out, rs)
		}
	}
	return out
}

type resolvedService struct {
	id, typ, name string
	endpoints     []resolvedEndpoint
}

// The catalog is rendered from structs, not maps: every token carries it,
// and encoding/json sorts the keys of each map it writes.

type v3EndpointJSON struct {
	ID        string `json:"id"`
	Interface string `json:"interface"`
	Region    string `json:"region"`
	RegionID  string `json:"region_id"`
	URL       string `json:"url"`
}

type v3ServiceJSON struct {
	Endpoints []v3EndpointJSON `json:"endpoints"`
	ID        string           `json:"id"`
	Type      string           `json:"type"`
	Name      string           `json:"name"`
}

// v3Catalog renders the catalog in Keystone v3's shape.
func v3Catalog(services []resolvedService) []v3ServiceJSON {
	out := make([]v3ServiceJSON, 0, len(services))
	for _, svc := range services {
		eps := make([]v3EndpointJSON, 0, len(svc.endpoints))
		for _, ep := range svc.endpoints {
			eps = append(eps, v3EndpointJSON{ID: ep.id + "-" + ep.iface, Interface: ep.iface, Region: ep.region, RegionID: ep.region, URL: ep.url})
		}
		out = append(out, v3ServiceJSON{Endpoints: eps, ID: svc.id, Type: svc.typ, Name: svc.name})
	}
	return out
}

type v2EndpointJSON struct {
	ID          string `json:"id"`
	Region      string `json:"region"`
	TenantID    string `json:"tenantId,omitempty"`
	PublicURL   string `json:"publicURL,omitempty"`
	InternalURL string `json:"internalURL,omitempty"`
	AdminURL    string `json:"adminURL,omitempty"`
	// Name and Type are set only in GET /v2.0/tokens/{id}/endpoints.
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

type v2ServiceJSON struct {
	Endpoints      []v2EndpointJSON `json:"endpoints"`
	EndpointsLinks []linkJSON       `json:"endpoints_links"`
	Type           string           `json:"type"`
	Name           string           `json:"name"`
}

// v2Catalog renders the catalog in Keystone v2.0's shape: one endpoint per
// region, with publicURL, internalURL and adminURL side by side.
func v2Catalog(services []resolvedService, projectID string) []v2ServiceJSON {
	out := make([]v2ServiceJSON, 0, len(services))
	for _, svc := range services {
		var eps []v2EndpointJSON
		index := map[string]int{}
		for _, ep := range svc.endpoints {
			i, ok := index[ep.id]
			if !ok {
				i = len(eps)
				index[ep.id] = i
				eps = append(eps, v2EndpointJSON{ID: ep.id, Region: ep.region, TenantID: projectID})
			}
			switch ep.iface {
			case "public":
				eps[i].PublicURL = ep.url
			case "internal":
				eps[i].InternalURL = ep.url
			case "admin":
				eps[i].AdminURL = ep.url
			}
		}
		if eps == nil {
			eps = []v2EndpointJSON{}
		}
		out = append(out, v2ServiceJSON{Endpoints: eps, EndpointsLinks: []linkJSON{}, Type: svc.typ, Name: svc.name})
	}
	return out
}
