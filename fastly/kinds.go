package fastly

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gorilla/mux"
)

// Route names of the versioned resources, for faults and journal filters.
const (
	OpListDomains   = "fastly.domain.list"
	OpCreateDomain  = "fastly.domain.create"
	OpGetDomain     = "fastly.domain.get"
	OpUpdateDomain  = "fastly.domain.update"
	OpDeleteDomain  = "fastly.domain.delete"
	OpCheckDomains  = "fastly.domain.check_all"
	OpCheckDomain   = "fastly.domain.check"
	OpServiceDomain = "fastly.service.domains"

	OpListBackends  = "fastly.backend.list"
	OpCreateBackend = "fastly.backend.create"
	OpGetBackend    = "fastly.backend.get"
	OpUpdateBackend = "fastly.backend.update"
	OpDeleteBackend = "fastly.backend.delete"

	OpListHealthchecks  = "fastly.healthcheck.list"
	OpCreateHealthcheck = "fastly.healthcheck.create"
	OpGetHealthcheck    = "fastly.healthcheck.get"
	OpUpdateHealthcheck = "fastly.healthcheck.update"
	OpDeleteHealthcheck = "fastly.healthcheck.delete"

	OpListConditions  = "fastly.condition.list"
	OpCreateCondition = "fastly.condition.create"
	OpGetCondition    = "fastly.condition.get"
	OpUpdateCondition = "fastly.condition.update"
	OpDeleteCondition = "fastly.condition.delete"

	OpListHeaders  = "fastly.header.list"
	OpCreateHeader = "fastly.header.create"
	OpGetHeader    = "fastly.header.get"
	OpUpdateHeader = "fastly.header.update"
	OpDeleteHeader = "fastly.header.delete"

	OpListCacheSettings  = "fastly.cache_settings.list"
	OpCreateCacheSetting = "fastly.cache_settings.create"
	OpGetCacheSetting    = "fastly.cache_settings.get"
	OpUpdateCacheSetting = "fastly.cache_settings.update"
	OpDeleteCacheSetting = "fastly.cache_settings.delete"

	OpListRequestSettings  = "fastly.request_settings.list"
	OpCreateRequestSetting = "fastly.request_settings.create"
	OpGetRequestSetting    = "fastly.request_settings.get"
	OpUpdateRequestSetting = "fastly.request_settings.update"
	OpDeleteRequestSetting = "fastly.request_settings.delete"

	OpListResponseObjects  = "fastly.response_object.list"
	OpCreateResponseObject = "fastly.response_object.create"
	OpGetResponseObject    = "fastly.response_object.get"
	OpUpdateResponseObject = "fastly.response_object.update"
	OpDeleteResponseObject = "fastly.response_object.delete"

	OpListGzips  = "fastly.gzip.list"
	OpCreateGzip = "fastly.gzip.create"
	OpGetGzip    = "fastly.gzip.get"
	OpUpdateGzip = "fastly.gzip.update"
	OpDeleteGzip = "fastly.gzip.delete"

	OpListSnippets         = "fastly.snippet.list"
	OpCreateSnippet        = "fastly.snippet.create"
	OpGetSnippet           = "fastly.snippet.get"
	OpUpdateSnippet        = "fastly.snippet.update"
	OpDeleteSnippet        = "fastly.snippet.delete"
	OpGetDynamicSnippet    = "fastly.snippet.dynamic.get"
	OpUpdateDynamicSnippet = "fastly.snippet.dynamic.update"

	OpListVCLs     = "fastly.vcl.list"
	OpCreateVCL    = "fastly.vcl.create"
	OpGetVCL       = "fastly.vcl.get"
	OpUpdateVCL    = "fastly.vcl.update"
	OpDeleteVCL    = "fastly.vcl.delete"
	OpSetMainVCL   = "fastly.vcl.main"
	OpDownloadVCL  = "fastly.vcl.download"
	OpListSyslogs  = "fastly.logging.syslog.list"
	OpCreateSyslog = "fastly.logging.syslog.create"
	OpGetSyslog    = "fastly.logging.syslog.get"
	OpUpdateSyslog = "fastly.logging.syslog.update"
	OpDeleteSyslog = "fastly.logging.syslog.delete"

	OpListDictionaries  = "fastly.dictionary.list"
	OpCreateDictionary  = "fastly.dictionary.create"
	OpGetDictionary     = "fastly.dictionary.get"
	OpUpdateDictionary  = "fastly.dictionary.update"
	OpDeleteDictionary  = "fastly.dictionary.delete"
	OpGetDictionaryInfo = "fastly.dictionary.info"
	OpGetSettings       = "fastly.settings.get"
	OpUpdateSettings    = "fastly.settings.update"
)

// kinds lists the versioned resource types, in the order service details
// shows them.
func (f *Fastly) kinds() []resourceKind {
	return []resourceKind{
		&kind[Backend]{path: "backend", label: "Backend", dup: "backend", details: "backends",
			ops:      [5]string{OpListBackends, OpCreateBackend, OpGetBackend, OpUpdateBackend, OpDeleteBackend},
			coll:     func(v *version) *[]rec[Backend] { return &v.backends },
			defaults: backendDefaults, check: checkBackend},
		&kind[CacheSetting]{path: "cache_settings", label: "CacheSettings", dup: "cache_settings", details: "cache_settings",
			ops:           [5]string{OpListCacheSettings, OpCreateCacheSetting, OpGetCacheSetting, OpUpdateCacheSetting, OpDeleteCacheSetting},
			coll:          func(v *version) *[]rec[CacheSetting] { return &v.cacheSettings },
			versionString: true},
		&kind[Condition]{path: "condition", label: "Condition", dup: "condition", details: "conditions",
			ops:           [5]string{OpListConditions, OpCreateCondition, OpGetCondition, OpUpdateCondition, OpDeleteCondition},
			coll:          func(v *version) *[]rec[Condition] { return &v.conditions },
			versionString: true, defaults: func(_ *Fastly, _ *service, x *Condition) { x.Priority = 100 }},
		&kind[Dictionary]{path: "dictionary", label: "Dictionary", dup: "dictionary", details: "dictionaries",
			ops:   [5]string{OpListDictionaries, OpCreateDictionary, OpGetDictionary, OpUpdateDictionary, OpDeleteDictionary},
			coll:  func(v *version) *[]rec[Dictionary] { return &v.dictionaries },
			check: checkDictionary,
			created: func(f *Fastly, s *service, _ *version, x *Dictionary) {
				x.ID = f.newID()
				s.dictItems[x.ID] = newItemStore()
			}},
		&kind[Domain]{path: "domain", label: "Domain", dup: "domain", details: "domains",
			ops:   [5]string{OpListDomains, OpCreateDomain, OpGetDomain, OpUpdateDomain, OpDeleteDomain},
			coll:  func(v *version) *[]rec[Domain] { return &v.domains },
			check: checkDomain},
		&kind[Gzip]{path: "gzip", label: "Gzip", dup: "gzip", details: "gzips",
			ops:           [5]string{OpListGzips, OpCreateGzip, OpGetGzip, OpUpdateGzip, OpDeleteGzip},
			coll:          func(v *version) *[]rec[Gzip] { return &v.gzips },
			versionString: true, defaults: gzipDefaults},
		&kind[Header]{path: "header", label: "Header", dup: "header", details: "headers",
			ops:           [5]string{OpListHeaders, OpCreateHeader, OpGetHeader, OpUpdateHeader, OpDeleteHeader},
			coll:          func(v *version) *[]rec[Header] { return &v.headers },
			versionString: true, defaults: func(_ *Fastly, _ *service, x *Header) { x.Priority = 100 }, check: checkHeader},
		&kind[Healthcheck]{path: "healthcheck", label: "Healthcheck", dup: "healthcheck", details: "healthchecks",
			ops:      [5]string{OpListHealthchecks, OpCreateHealthcheck, OpGetHealthcheck, OpUpdateHealthcheck, OpDeleteHealthcheck},
			coll:     func(v *version) *[]rec[Healthcheck] { return &v.healthchecks },
			defaults: healthcheckDefaults},
		&kind[RequestSetting]{path: "request_settings", label: "RequestSettings", dup: "request_settings", details: "request_settings",
			ops:           [5]string{OpListRequestSettings, OpCreateRequestSetting, OpGetRequestSetting, OpUpdateRequestSetting, OpDeleteRequestSetting},
			coll:          func(v *version) *[]rec[RequestSetting] { return &v.requestSettings },
			versionString: true},
		&kind[ResponseObject]{path: "response_object", label: "ResponseObject", dup: "response_object", details: "response_objects",
			ops:           [5]string{OpListResponseObjects, OpCreateResponseObject, OpGetResponseObject, OpUpdateResponseObject, OpDeleteResponseObject},
			coll:          func(v *version) *[]rec[ResponseObject] { return &v.responseObjects },
			versionString: true, defaults: func(_ *Fastly, _ *service, x *ResponseObject) { x.Status, x.Response = 200, "Ok" }},
		&kind[Snippet]{path: "snippet", label: "Snippet", dup: "snippet", details: "snippets",
			ops:           [5]string{OpListSnippets, OpCreateSnippet, OpGetSnippet, OpUpdateSnippet, OpDeleteSnippet},
			coll:          func(v *version) *[]rec[Snippet] { return &v.snippets },
			versionString: true, defaults: func(_ *Fastly, _ *service, x *Snippet) { x.Priority = 100 },
			check: checkSnippet, created: createdSnippet, extra: renderSnippet},
		&kind[VCL]{path: "vcl", label: "VCL", dup: "vcl", details: "vcls",
			ops:   [5]string{OpListVCLs, OpCreateVCL, OpGetVCL, OpUpdateVCL, OpDeleteVCL},
			coll:  func(v *version) *[]rec[VCL] { return &v.vcls },
			check: checkVCL},
		&kind[LogSyslog]{path: "logging/syslog", label: "syslog", dup: "logging_syslog",
			ops:           [5]string{OpListSyslogs, OpCreateSyslog, OpGetSyslog, OpUpdateSyslog, OpDeleteSyslog},
			coll:          func(v *version) *[]rec[LogSyslog] { return &v.syslogs },
			versionString: true, defaults: syslogDefaults, check: checkSyslog},
	}
}

func (f *Fastly) resourceRoutes(r *mux.Router) {
	// Routes more specific than /{name} come first.
	base := "/service/{service_id}/version/{version_id}"
	r.HandleFunc(base+"/domain/check_all", f.checkDomains).Methods("GET").Name(OpCheckDomains)
	r.HandleFunc(base+"/domain/{name}/check", f.checkDomain).Methods("GET").Name(OpCheckDomain)
	r.HandleFunc(base+"/vcl/{name}/main", f.setMainVCL).Methods("PUT").Name(OpSetMainVCL)
	r.HandleFunc(base+"/vcl/{name}/download", f.downloadVCL).Methods("GET").Name(OpDownloadVCL)
	r.HandleFunc(base+"/dictionary/{dictionary_id}/info", f.dictionaryInfo).Methods("GET").Name(OpGetDictionaryInfo)
	r.HandleFunc(base+"/settings", f.getSettings).Methods("GET").Name(OpGetSettings)
	r.HandleFunc(base+"/settings", f.updateSettings).Methods("PUT").Name(OpUpdateSettings)
	r.HandleFunc("/service/{service_id}/snippet/{snippet_id}", f.getDynamicSnippet).Methods("GET").Name(OpGetDynamicSnippet)
	r.HandleFunc("/service/{service_id}/snippet/{snippet_id}", f.updateDynamicSnippet).Methods("PUT").Name(OpUpdateDynamicSnippet)
	for _, k := range f.kindList {
		k.register(f, r)
	}
}

// --- per-kind rules ---

func backendDefaults(_ *Fastly, _ *service, x *Backend) {
	x.Port = 80
	x.Weight = 100
	x.MaxConn = 200
	x.ConnectTimeout = 1000
	x.FirstByteTimeout = 15000
	x.BetweenBytesTimeout = 10000
	x.SSLCheckCert = true
}

func checkBackend(_ *Fastly, _ *service, _ *version, x *Backend, old *Backend, p params) *apiError {
	if x.Address == "" && x.IPv4 == nil && x.IPv6 == nil {
		return badRequest("A backend needs an address (or ipv4 or ipv6)")
	}
	if old == nil && x.UseSSL && !p.has("port") {
		x.Port = 443
	}
	if x.Hostname == nil || (old != nil && !p.has("hostname") && old.Hostname != nil && *old.Hostname == old.Address) {
		h := x.Address
		if h == "" {
			x.Hostname = nil
		} else {
			x.Hostname = &h
		}
	}
	return nil
}

// domainRE is what Fastly accepts as a domain: labels of letters, digits
// and hyphens, optionally starting with a wildcard label.
var domainRE = regexp.MustCompile(`^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

func checkDomain(f *Fastly, s *service, v *version, x *Domain, old *Domain, _ params) *apiError {
	x.Name = strings.ToLower(strings.TrimSpace(x.Name))
	if len(x.Name) > 253 || !domainRE.MatchString(x.Name) {
		return badRequest("Invalid domain name '%s'", x.Name)
	}
	if old != nil && old.Name == x.Name {
		return nil
	}
	// The generic duplicate check saw the name as sent ("WWW.Example.com");
	// the version holds names lowercased.
	if findRec(v.domains, x.Name) >= 0 {
		return duplicate("domain", x.Name)
	}
	if other := f.domainOwnerLocked(x.Name, s.ID); other != "" {
		return &apiError{status: http.StatusConflict, msg: "Duplicate record",
			detail: sprintf("The domain '%s' is already taken by another service", x.Name)}
	}
	return nil
}

// domainOwnerLocked names a live service other than except whose versions
// hold the domain.
func (f *Fastly) domainOwnerLocked(name, except string) string {
	for _, id := range f.order {
		s := f.services[id]
		if s.deleted || id == except {
			continue
		}
		for _, v := range s.versions {
			if findRec(v.domains, name) >= 0 {
				return id
			}
		}
	}
	return ""
}

var dictionaryNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_ ]*$`)

func checkDictionary(_ *Fastly, _ *service, _ *version, x *Dictionary, old *Dictionary, _ params) *apiError {
	if !dictionaryNameRE.MatchString(x.Name) {
		return badRequest("Name must start with alphabetical and contain only alphanumeric, underscore, and whitespace")
	}
	if old != nil && old.WriteOnly && !x.WriteOnly {
		return badRequest("A write-only dictionary cannot be made readable")
	}
	return nil
}

func gzipDefaults(_ *Fastly, _ *service, x *Gzip) {
	x.Extensions = "css js html eot ico otf ttf json"
	x.ContentTypes = "text/html application/x-javascript text/css application/javascript text/javascript application/json " +
		"application/vnd.ms-fontobject application/x-font-opentype application/x-font-truetype application/x-font-ttf " +
		"application/xml font/eot font/opentype font/otf image/svg+xml image/vnd.microsoft.icon text/plain text/xml"
}

func checkHeader(_ *Fastly, _ *service, _ *version, x *Header, _ *Header, _ params) *apiError {
	if (x.Action == "regex" || x.Action == "regex_repeat") && x.Regex == "" {
		return badRequest("A %s header needs a regex", x.Action)
	}
	if x.Action != "delete" && x.Src == "" {
		return badRequest("A %s header needs a src", x.Action)
	}
	return nil
}

func healthcheckDefaults(_ *Fastly, _ *service, x *Healthcheck) {
	x.CheckInterval = 5000
	x.ExpectedResponse = 200
	x.HTTPVersion = "1.1"
	x.Initial = 1
	x.Method = "HEAD"
	x.Path = "/"
	x.Threshold = 1
	x.Timeout = 500
	x.Window = 2
	x.Headers = []string{}
}

func syslogDefaults(_ *Fastly, _ *service, x *LogSyslog) {
	x.Port = 514
	x.Format = `%h %l %u %t "%r" %>s %b`
	x.FormatVersion = 2
	x.MessageType = "classic"
	x.LogProcessingRegion = "none"
}

func checkSyslog(_ *Fastly, _ *service, _ *version, x *LogSyslog, _ *LogSyslog, _ params) *apiError {
	if x.Hostname == nil && x.Address != "" {
		h := x.Address
		x.Hostname = &h
	}
	return nil
}

func checkVCL(_ *Fastly, _ *service, v *version, x *VCL, _ *VCL, _ params) *apiError {
	if x.Main {
		for i := range v.vcls {
			if v.vcls[i].v.Name != x.Name {
				v.vcls[i].v.Main = false
			}
		}
	}
	return nil
}

func checkSnippet(_ *Fastly, s *service, _ *version, x *Snippet, old *Snippet, p params) *apiError {
	if old != nil && old.Dynamic != x.Dynamic {
		return badRequest("A snippet cannot change between dynamic and versioned")
	}
	if x.Dynamic {
		if old != nil && p.has("content") {
			if d := s.dynamic[x.ID]; d != nil {
				d.v = x.Content
			}
		}
		if old != nil {
			x.Content = ""
		}
		return nil
	}
	if x.Content == "" {
		return badRequest("Required parameter 'content' is missing or empty")
	}
	return nil
}

// createdSnippet gives the snippet its ID and moves a dynamic snippet's
// content out of the version.
func createdSnippet(f *Fastly, s *service, _ *version, x *Snippet) {
	x.ID = f.newID()
	if x.Dynamic {
		now := f.now()
		s.dynamic[x.ID] = &rec[string]{v: x.Content, created: now, updated: now}
		x.Content = ""
	}
}

func renderSnippet(_ *Fastly, _ *service, r rec[Snippet], m map[string]any) {
	if r.v.Dynamic {
		m["content"] = nil
	}
}

func newItemStore() *itemStore { return &itemStore{items: map[string]*DictionaryItem{}} }
