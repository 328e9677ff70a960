package fastly

import (
	"sort"
	"strings"
)

// Each versioned resource type has here what the API reads and renders:
//
//   - key, the name that identifies it in a version;
//   - bind, which reads request parameters into it, field by field in the
//     type's order (a parameter's limits are Fastly's), then checks that the
//     required fields are set;
//   - a wire struct, what the API renders: the type's own JSON fields, the
//     fields Fastly renders as strings ("priority": "100", "use_tls": "0")
//     shadowed by fields of the wire struct, and [meta].

func (x Domain) key() string { return x.Name }

func (x *Domain) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("comment", &x.Comment)
	b.require("name", x.Name)
}

type domainWire struct {
	Domain
	meta
}

func domainOut(x Domain, m meta) domainWire { return domainWire{x, m} }

func (x Backend) key() string { return x.Name }

func (x *Backend) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("address", &x.Address, maxLen(255))
	b.text("comment", &x.Comment)
	b.flag("auto_loadbalance", &x.AutoLoadbalance)
	b.number("between_bytes_timeout", &x.BetweenBytesTimeout, atLeast(0))
	b.optText("client_cert", &x.ClientCert)
	b.number("connect_timeout", &x.ConnectTimeout, atLeast(0))
	b.number("error_threshold", &x.ErrorThreshold, atLeast(0))
	b.number("first_byte_timeout", &x.FirstByteTimeout, atLeast(0))
	b.optText("healthcheck", &x.Healthcheck)
	b.optText("hostname", &x.Hostname)
	b.optText("ipv4", &x.IPv4)
	b.optText("ipv6", &x.IPv6)
	b.optNumber("keepalive_time", &x.KeepaliveTime, atLeast(0))
	b.number("max_conn", &x.MaxConn, atLeast(0))
	b.optNumber("max_lifetime", &x.MaxLifetime, atLeast(0))
	b.optNumber("max_use", &x.MaxUse, atLeast(0))
	b.optText("max_tls_version", &x.MaxTLSVersion)
	b.optText("min_tls_version", &x.MinTLSVersion)
	b.optText("override_host", &x.OverrideHost)
	b.number("port", &x.Port, between(0, 65535))
	b.flag("prefer_ipv6", &x.PreferIPv6)
	b.text("request_condition", &x.RequestCondition)
	b.optText("share_key", &x.ShareKey)
	b.optText("shield", &x.Shield)
	b.optText("ssl_ca_cert", &x.SSLCACert)
	b.optText("ssl_cert_hostname", &x.SSLCertHostname)
	b.flag("ssl_check_cert", &x.SSLCheckCert)
	b.optText("ssl_ciphers", &x.SSLCiphers)
	b.optText("ssl_client_cert", &x.SSLClientCert)
	b.optText("ssl_client_key", &x.SSLClientKey)
	b.optText("ssl_hostname", &x.SSLHostname)
	b.optText("ssl_sni_hostname", &x.SSLSNIHostname)
	b.optFlag("tcp_keepalive_enable", &x.TCPKeepaliveEnable)
	b.optNumber("tcp_keepalive_interval", &x.TCPKeepaliveInterval, atLeast(0))
	b.optNumber("tcp_keepalive_probes", &x.TCPKeepaliveProbes, atLeast(0))
	b.optNumber("tcp_keepalive_time", &x.TCPKeepaliveTime, atLeast(0))
	b.flag("use_ssl", &x.UseSSL)
	b.number("weight", &x.Weight, between(1, 100))
	b.require("name", x.Name)
}

type backendWire struct {
	Backend
	meta
}

func backendOut(x Backend, m meta) backendWire { return backendWire{x, m} }

func (x Healthcheck) key() string { return x.Name }

func (x *Healthcheck) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("comment", &x.Comment)
	b.number("check_interval", &x.CheckInterval, between(1000, 3600000))
	b.number("expected_response", &x.ExpectedResponse, between(100, 599))
	b.list("headers", &x.Headers)
	x.Headers = headerLines(x.Headers)
	b.text("host", &x.Host)
	b.text("http_version", &x.HTTPVersion, oneOf("1.0", "1.1", "2"))
	b.number("initial", &x.Initial, atLeast(0))
	b.text("method", &x.Method)
	b.text("path", &x.Path)
	b.number("threshold", &x.Threshold, atLeast(0))
	b.number("timeout", &x.Timeout, atLeast(0))
	b.number("window", &x.Window, atLeast(0))
	b.require("name", x.Name)
}

// headerLines is how Fastly stores a health check's headers: each as
// "Name: value" (one space after the colon, whatever was sent), sorted.
// (A recorded update answers with the lines as sent; the fake stores and
// answers them normalised both ways.)
func headerLines(hs []string) []string {
	if hs == nil {
		return nil
	}
	out := make([]string, len(hs))
	for i, h := range hs {
		if name, value, ok := strings.Cut(h, ":"); ok {
			h = strings.TrimSpace(name) + ": " + strings.TrimSpace(value)
		}
		out[i] = h
	}
	sort.Strings(out)
	return out
}

type healthcheckWire struct {
	Healthcheck
	meta
}

func healthcheckOut(x Healthcheck, m meta) healthcheckWire {
	if x.Headers == nil {
		x.Headers = []string{}
	}
	return healthcheckWire{x, m}
}

func (x Condition) key() string { return x.Name }

func (x *Condition) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("comment", &x.Comment)
	b.number("priority", &x.Priority, anyInt)
	b.text("statement", &x.Statement)
	b.text("type", &x.Type, oneOf("REQUEST", "CACHE", "RESPONSE", "PREFETCH"))
	b.require("name", x.Name)
	b.require("statement", x.Statement)
	b.require("type", x.Type)
}

type conditionWire struct {
	Condition
	Priority int `json:"priority,string"`
	meta
}

func conditionOut(x Condition, m meta) conditionWire { return conditionWire{x, x.Priority, m} }

func (x Header) key() string { return x.Name }

func (x *Header) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("action", &x.Action, oneOf("set", "append", "delete", "regex", "regex_repeat"))
	b.text("type", &x.Type, oneOf("request", "fetch", "cache", "response"))
	b.text("dst", &x.Dst)
	b.text("src", &x.Src)
	b.text("regex", &x.Regex)
	b.text("substitution", &x.Substitution)
	b.flag("ignore_if_set", &x.IgnoreIfSet)
	b.number("priority", &x.Priority, anyInt)
	b.optText("request_condition", &x.RequestCondition)
	b.optText("cache_condition", &x.CacheCondition)
	b.optText("response_condition", &x.ResponseCondition)
	b.require("name", x.Name)
	b.require("action", x.Action)
	b.require("type", x.Type)
	b.require("dst", x.Dst)
}

type headerWire struct {
	Header
	IgnoreIfSet bit `json:"ignore_if_set"`
	Priority    int `json:"priority,string"`
	meta
}

func headerOut(x Header, m meta) headerWire {
	return headerWire{x, bit(x.IgnoreIfSet), x.Priority, m}
}

func (x CacheSetting) key() string { return x.Name }

func (x *CacheSetting) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.optText("action", &x.Action, oneOf("cache", "pass", "restart"))
	b.text("cache_condition", &x.CacheCondition)
	b.number("stale_ttl", &x.StaleTTL, atLeast(0))
	b.number("ttl", &x.TTL, atLeast(0))
	b.require("name", x.Name)
}

type cacheSettingWire struct {
	CacheSetting
	StaleTTL int `json:"stale_ttl,string"`
	TTL      int `json:"ttl,string"`
	meta
}

func cacheSettingOut(x CacheSetting, m meta) cacheSettingWire {
	return cacheSettingWire{x, x.StaleTTL, x.TTL, m}
}

func (x RequestSetting) key() string { return x.Name }

func (x *RequestSetting) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("action", &x.Action, oneOf("lookup", "pass"))
	b.text("default_host", &x.DefaultHost)
	b.text("hash_keys", &x.HashKeys)
	b.text("request_condition", &x.RequestCondition)
	b.text("xff", &x.XFF, oneOf("clear", "leave", "append", "append_all", "overwrite"))
	b.flag("bypass_busy_wait", &x.BypassBusyWait)
	b.flag("force_miss", &x.ForceMiss)
	b.flag("force_ssl", &x.ForceSSL)
	b.flag("geo_headers", &x.GeoHeaders)
	b.number("max_stale_age", &x.MaxStaleAge, atLeast(0))
	b.flag("timer_support", &x.TimerSupport)
	b.require("name", x.Name)
}

type requestSettingWire struct {
	RequestSetting
	BypassBusyWait bit `json:"bypass_busy_wait"`
	ForceMiss      bit `json:"force_miss"`
	ForceSSL       bit `json:"force_ssl"`
	GeoHeaders     bit `json:"geo_headers"`
	MaxStaleAge    int `json:"max_stale_age,string"`
	TimerSupport   bit `json:"timer_support"`
	meta
}

func requestSettingOut(x RequestSetting, m meta) requestSettingWire {
	return requestSettingWire{x, bit(x.BypassBusyWait), bit(x.ForceMiss), bit(x.ForceSSL), bit(x.GeoHeaders),
		x.MaxStaleAge, bit(x.TimerSupport), m}
}

func (x ResponseObject) key() string { return x.Name }

func (x *ResponseObject) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.number("status", &x.Status, between(100, 999))
	b.text("response", &x.Response)
	b.text("content", &x.Content)
	b.text("content_type", &x.ContentType)
	b.text("request_condition", &x.RequestCondition)
	b.text("cache_condition", &x.CacheCondition)
	b.require("name", x.Name)
}

type responseObjectWire struct {
	ResponseObject
	Status int `json:"status,string"`
	meta
}

func responseObjectOut(x ResponseObject, m meta) responseObjectWire {
	return responseObjectWire{x, x.Status, m}
}

func (x Gzip) key() string { return x.Name }

func (x *Gzip) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("cache_condition", &x.CacheCondition)
	b.text("content_types", &x.ContentTypes)
	b.text("extensions", &x.Extensions)
	b.require("name", x.Name)
}

type gzipWire struct {
	Gzip
	meta
}

func gzipOut(x Gzip, m meta) gzipWire { return gzipWire{x, m} }

func (x Snippet) key() string { return x.Name }

// bind reads everything but the ID, which the fake assigns.
func (x *Snippet) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("type", &x.Type, oneOf("init", "recv", "hash", "hit", "miss", "pass", "fetch", "error", "deliver", "log", "none"))
	b.text("content", &x.Content)
	b.number("priority", &x.Priority, atLeast(0))
	b.flag("dynamic", &x.Dynamic)
	b.require("name", x.Name)
	b.require("type", x.Type)
}

// snippetWire shows a dynamic snippet's content as null: it lives outside
// versions.
type snippetWire struct {
	Snippet
	Content  *string `json:"content"`
	Priority int     `json:"priority,string"`
	Dynamic  bit     `json:"dynamic"`
	meta
}

func snippetOut(x Snippet, m meta) snippetWire {
	w := snippetWire{Snippet: x, Priority: x.Priority, Dynamic: bit(x.Dynamic), meta: m}
	if !x.Dynamic {
		w.Content = &x.Content
	}
	return w
}

func (x VCL) key() string { return x.Name }

func (x *VCL) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("content", &x.Content)
	b.flag("main", &x.Main)
	b.require("name", x.Name)
	b.require("content", x.Content)
}

type vclWire struct {
	VCL
	meta
}

func vclOut(x VCL, m meta) vclWire { return vclWire{x, m} }

func (x Dictionary) key() string { return x.Name }

// bind reads everything but the ID, which the fake assigns.
func (x *Dictionary) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.flag("write_only", &x.WriteOnly)
	b.require("name", x.Name)
}

type dictionaryWire struct {
	Dictionary
	meta
}

func dictionaryOut(x Dictionary, m meta) dictionaryWire { return dictionaryWire{x, m} }

func (x LogSyslog) key() string { return x.Name }

func (x *LogSyslog) bind(b *fields) {
	b.text("name", &x.Name, maxLen(255))
	b.text("address", &x.Address)
	b.number("port", &x.Port, between(0, 65535))
	b.optText("hostname", &x.Hostname)
	b.optText("ipv4", &x.IPv4)
	b.text("format", &x.Format)
	b.number("format_version", &x.FormatVersion, anyInt)
	b.text("message_type", &x.MessageType, oneOf("classic", "loggly", "logplex", "blank"))
	b.optText("placement", &x.Placement, oneOf("none", "null", "waf_debug"))
	b.text("response_condition", &x.ResponseCondition)
	b.text("log_processing_region", &x.LogProcessingRegion, oneOf("none", "eu", "us"))
	b.optText("token", &x.Token)
	b.flag("use_tls", &x.UseTLS)
	b.optText("tls_ca_cert", &x.TLSCACert)
	b.optText("tls_client_cert", &x.TLSClientCert)
	b.optText("tls_client_key", &x.TLSClientKey)
	b.optText("tls_hostname", &x.TLSHostname)
	b.optText("public_key", &x.PublicKey)
	b.require("name", x.Name)
	b.require("address", x.Address)
}

type syslogWire struct {
	LogSyslog
	Port          int `json:"port,string"`
	FormatVersion int `json:"format_version,string"`
	UseTLS        bit `json:"use_tls"`
	meta
}

func syslogOut(x LogSyslog, m meta) syslogWire {
	return syslogWire{x, x.Port, x.FormatVersion, bit(x.UseTLS), m}
}

func (x *Settings) bind(b *fields) {
	b.text("general.default_host", &x.DefaultHost)
	b.number("general.default_ttl", &x.DefaultTTL, atLeast(0))
	b.flag("general.stale_if_error", &x.StaleIfError)
	b.number("general.stale_if_error_ttl", &x.StaleIfErrorTTL, atLeast(0))
}

// settingsWire is a version's settings as service details shows them.
type settingsWire struct {
	Settings
	DefaultPCI int `json:"general.default_pci"`
}

// settingsReply is GET and PUT .../settings.
type settingsReply struct {
	settingsWire
	ServiceID string `json:"service_id"`
	Version   int    `json:"version"`
}
