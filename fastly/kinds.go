package fastly

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
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

// kindSet holds the versioned resource types, each with its wire form.
type kindSet struct {
	backends        *kind[Backend, backendWire]
	cacheSettings   *kind[CacheSetting, cacheSettingWire]
	conditions      *kind[Condition, conditionWire]
	dictionaries    *kind[Dictionary, dictionaryWire]
	domains         *kind[Domain, domainWire]
	gzips           *kind[Gzip, gzipWire]
	headers         *kind[Header, headerWire]
	healthchecks    *kind[Healthcheck, healthcheckWire]
	requestSettings *kind[RequestSetting, requestSettingWire]
	responseObjects *kind[ResponseObject, responseObjectWire]
	snippets        *kind[Snippet, snippetWire]
	vcls            *kind[VCL, vclWire]
	syslogs         *kind[LogSyslog, syslogWire]
}

func newKindSet() kindSet {
	return kindSet{
		backends: &kind[Backend, backendWire]{
			path: "backend", label: "Backend", dup: "backend", versionString: false,
			ops:      [5]string{OpListBackends, OpCreateBackend, OpGetBackend, OpUpdateBackend, OpDeleteBackend},
			coll:     func(v *version) *[]rec[Backend] { return &v.backends },
			defaults: backendDefaults, bind: (*Backend).bind, check: checkBackend, wire: backendOut,
		},
		cacheSettings: &kind[CacheSetting, cacheSettingWire]{
			path: "cache_settings", label: "CacheSettings", dup: "cache_settings", versionString: true,
			ops:  [5]string{OpListCacheSettings, OpCreateCacheSetting, OpGetCacheSetting, OpUpdateCacheSetting, OpDeleteCacheSetting},
			coll: func(v *version) *[]rec[CacheSetting] { return &v.cacheSettings },
			bind: (*CacheSetting).bind, wire: cacheSettingOut,
		},
		conditions: &kind[Condition, conditionWire]{
			path: "condition", label: "Condition", dup: "condition", versionString: true,
			ops:      [5]string{OpListConditions, OpCreateCondition, OpGetCondition, OpUpdateCondition, OpDeleteCondition},
			coll:     func(v *version) *[]rec[Condition] { return &v.conditions },
			defaults: func(x *Condition) { x.Priority = 100 }, bind: (*Condition).bind, wire: conditionOut,
		},
		dictionaries: &kind[Dictionary, dictionaryWire]{
			path: "dictionary", label: "Dictionary", dup: "dictionary", versionString: false,
			ops:  [5]string{OpListDictionaries, OpCreateDictionary, OpGetDictionary, OpUpdateDictionary, OpDeleteDictionary},
			coll: func(v *version) *[]rec[Dictionary] { return &v.dictionaries },
			bind: (*Dictionary).bind, check: checkDictionary, created: createdDictionary, wire: dictionaryOut,
		},
		domains: &kind[Domain, domainWire]{
			path: "domain", label: "Domain", dup: "domain", versionString: false,
			ops:  [5]string{OpListDomains, OpCreateDomain, OpGetDomain, OpUpdateDomain, OpDeleteDomain},
			coll: func(v *version) *[]rec[Domain] { return &v.domains },
			bind: (*Domain).bind, check: checkDomain, wire: domainOut,
		},
		gzips: &kind[Gzip, gzipWire]{
			path: "gzip", label: "Gzip", dup: "gzip", versionString: true,
			ops:      [5]string{OpListGzips, OpCreateGzip, OpGetGzip, OpUpdateGzip, OpDeleteGzip},
			coll:     func(v *version) *[]rec[Gzip] { return &v.gzips },
			defaults: gzipDefaults, bind: (*Gzip).bind, wire: gzipOut,
		},
		headers: &kind[Header, headerWire]{
			path: "header", label: "Header", dup: "header", versionString: true,
			ops:      [5]string{OpListHeaders, OpCreateHeader, OpGetHeader, OpUpdateHeader, OpDeleteHeader},
			coll:     func(v *version) *[]rec[Header] { return &v.headers },
			defaults: func(x *Header) { x.Priority = 100 }, bind: (*Header).bind, check: checkHeader, wire: headerOut,
		},
		healthchecks: &kind[Healthcheck, healthcheckWire]{
			path: "healthcheck", label: "Healthcheck", dup: "healthcheck", versionString: false,
			ops:      [5]string{OpListHealthchecks, OpCreateHealthcheck, OpGetHealthcheck, OpUpdateHealthcheck, OpDeleteHealthcheck},
			coll:     func(v *version) *[]rec[Healthcheck] { return &v.healthchecks },
			defaults: healthcheckDefaults, bind: (*Healthcheck).bind, wire: healthcheckOut,
		},
		requestSettings: &kind[RequestSetting, requestSettingWire]{
			path: "request_settings", label: "RequestSettings", dup: "request_settings", versionString: true,
			ops:  [5]string{OpListRequestSettings, OpCreateRequestSetting, OpGetRequestSetting, OpUpdateRequestSetting, OpDeleteRequestSetting},
			coll: func(v *version) *[]rec[RequestSetting] { return &v.requestSettings },
			bind: (*RequestSetting).bind, wire: requestSettingOut,
		},
		responseObjects: &kind[ResponseObject, responseObjectWire]{
			path: "response_object", label: "ResponseObject", dup: "response_object", versionString: true,
			ops:      [5]string{OpListResponseObjects, OpCreateResponseObject, OpGetResponseObject, OpUpdateResponseObject, OpDeleteResponseObject},
			coll:     func(v *version) *[]rec[ResponseObject] { return &v.responseObjects },
			defaults: func(x *ResponseObject) { x.Status, x.Response = 200, "Ok" }, bind: (*ResponseObject).bind, wire: responseObjectOut,
		},
		snippets: &kind[Snippet, snippetWire]{
			path: "snippet", label: "Snippet", dup: "snippet", versionString: true,
			ops:      [5]string{OpListSnippets, OpCreateSnippet, OpGetSnippet, OpUpdateSnippet, OpDeleteSnippet},
			coll:     func(v *version) *[]rec[Snippet] { return &v.snippets },
			defaults: func(x *Snippet) { x.Priority = 100 }, bind: (*Snippet).bind, check: checkSnippet, created: createdSnippet, wire: snippetOut,
		},
		vcls: &kind[VCL, vclWire]{
			path: "vcl", label: "VCL", dup: "vcl", versionString: false,
			ops:  [5]string{OpListVCLs, OpCreateVCL, OpGetVCL, OpUpdateVCL, OpDeleteVCL},
			coll: func(v *version) *[]rec[VCL] { return &v.vcls },
			bind: (*VCL).bind, check: checkVCL, wire: vclOut,
		},
		syslogs: &kind[LogSyslog, syslogWire]{
			path: "logging/syslog", label: "syslog", dup: "logging_syslog", versionString: true,
			ops:      [5]string{OpListSyslogs, OpCreateSyslog, OpGetSyslog, OpUpdateSyslog, OpDeleteSyslog},
			coll:     func(v *version) *[]rec[LogSyslog] { return &v.syslogs },
			defaults: syslogDefaults, bind: (*LogSyslog).bind, check: checkSyslog, wire: syslogOut,
		},
	}
}

// createdDictionary gives a new dictionary its ID and its (unversioned)
// items.
func createdDictionary(f *Fastly, s *service, _ *version, x *Dictionary) {
	x.ID = f.newID()
	s.dictItems[x.ID] = newItemStore()
}

// all lists the kinds in the order their routes are registered.
func (ks kindSet) all() []resourceKind {
	return []resourceKind{ks.backends, ks.cacheSettings, ks.conditions, ks.dictionaries, ks.domains, ks.gzips,
		ks.headers, ks.healthchecks, ks.requestSettings, ks.responseObjects, ks.snippets, ks.vcls, ks.syslogs}
}

func (f *Fastly) resourceRoutes() []kit.Route {
	// Routes more specific than /{name} come first.
	base := "/service/{service_id}/version/{version_id}"
	rs := []kit.Route{
		{Op: OpCheckDomains, Method: "GET", Path: base + "/domain/check_all", Handler: f.checkDomains},
		{Op: OpCheckDomain, Method: "GET", Path: base + "/domain/{name}/check", Handler: f.checkDomain},
		{Op: OpSetMainVCL, Method: "PUT", Path: base + "/vcl/{name}/main", Handler: f.setMainVCL},
		{Op: OpDownloadVCL, Method: "GET", Path: base + "/vcl/{name}/download", Handler: f.downloadVCL},
		{Op: OpGetDictionaryInfo, Method: "GET", Path: base + "/dictionary/{dictionary_id}/info", Handler: f.dictionaryInfo},
		{Op: OpGetSettings, Method: "GET", Path: base + "/settings", Handler: f.getSettings},
		{Op: OpUpdateSettings, Method: "PUT", Path: base + "/settings", Handler: f.updateSettings},
		{Op: OpGetDynamicSnippet, Method: "GET", Path: "/service/{service_id}/snippet/{snippet_id}", Handler: f.getDynamicSnippet},
		{Op: OpUpdateDynamicSnippet, Method: "PUT", Path: "/service/{service_id}/snippet/{snippet_id}", Handler: f.updateDynamicSnippet},
	}
	for _, k := range f.kinds.all() {
		rs = append(rs, k.routes(f)...)
	}
	return rs
}

// --- per-kind rules ---

func backendDefaults(x *Backend) {
	x.Port = 80
	x.Weight = 100
	x.MaxConn = 200
	x.ConnectTimeout = 1000
	x.FirstByteTimeout = 15000
	x.BetweenBytesTimeout = 10000
	x.SSLCheckCert = true
}

func checkBackend(_ *Fastly, _ *service, _ *version, x *Backend, old *Backend, p params) error {
	if x.Address == "" && x.IPv4 == nil && x.IPv6 == nil {
		return kit.BadRequest("A backend needs an address (or ipv4 or ipv6)")
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

func checkDomain(f *Fastly, s *service, v *version, x *Domain, old *Domain, _ params) error {
	x.Name = strings.ToLower(strings.TrimSpace(x.Name))
	if len(x.Name) > 253 || !domainRE.MatchString(x.Name) {
		return kit.BadRequest("Invalid domain name '%s'", x.Name)
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
		return &kit.Error{Status: http.StatusConflict, Message: "Duplicate record",
			Detail: sprintf("The domain '%s' is already taken by another service", x.Name)}
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

func checkDictionary(_ *Fastly, _ *service, _ *version, x *Dictionary, old *Dictionary, _ params) error {
	if !dictionaryNameRE.MatchString(x.Name) {
		return kit.BadRequest("Name must start with alphabetical and contain only alphanumeric, underscore, and whitespace")
	}
	if old != nil && old.WriteOnly && !x.WriteOnly {
		return kit.BadRequest("A write-only dictionary cannot be made readable")
	}
	return nil
}

func gzipDefaults(x *Gzip) {
	x.Extensions = "css js html eot ico otf ttf json"
	x.ContentTypes = "text/html application/x-javascript text/css application/javascript text/javascript application/json " +
		"application/vnd.ms-fontobject application/x-font-opentype application/x-font-truetype application/x-font-ttf " +
		"application/xml font/eot font/opentype font/otf image/svg+xml image/vnd.microsoft.icon text/plain text/xml"
}

func checkHeader(_ *Fastly, _ *service, _ *version, x *Header, _ *Header, _ params) error {
	if (x.Action == "regex" || x.Action == "regex_repeat") && x.Regex == "" {
		return kit.BadRequest("A %s header needs a regex", x.Action)
	}
	if x.Action != "delete" && x.Src == "" {
		return kit.BadRequest("A %s header needs a src", x.Action)
	}
	return nil
}

func healthcheckDefaults(x *Healthcheck) {
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

func syslogDefaults(x *LogSyslog) {
	x.Port = 514
	x.Format = `%h %l %u %t "%r" %>s %b`
	x.FormatVersion = 2
	x.MessageType = "classic"
	x.LogProcessingRegion = "none"
}

func checkSyslog(_ *Fastly, _ *service, _ *version, x *LogSyslog, _ *LogSyslog, _ params) error {
	if x.Hostname == nil && x.Address != "" {
		h := x.Address
		x.Hostname = &h
	}
	return nil
}

func checkVCL(_ *Fastly, _ *service, v *version, x *VCL, _ *VCL, _ params) error {
	if x.Main {
		for i := range v.vcls {
			if v.vcls[i].v.Name != x.Name {
				v.vcls[i].v.Main = false
			}
		}
	}
	return nil
}

func checkSnippet(_ *Fastly, s *service, _ *version, x *Snippet, old *Snippet, p params) error {
	if old != nil && old.Dynamic != x.Dynamic {
		return kit.BadRequest("A snippet cannot change between dynamic and versioned")
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
		return kit.BadRequest("Required parameter 'content' is missing or empty")
	}
	return nil
}

// createdSnippet gives the snippet its ID and moves a dynamic snippet's
// content out of the version.
func createdSnippet(f *Fastly, s *service, _ *version, x *Snippet) {
	x.ID = f.newID()
	if x.Dynamic {
		now := f.nowSec()
		s.dynamic[x.ID] = &rec[string]{v: x.Content, created: now, updated: now}
		x.Content = ""
	}
}

func newItemStore() *itemStore { return &itemStore{items: map[string]*DictionaryItem{}} }
