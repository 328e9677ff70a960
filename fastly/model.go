package fastly

import (
	"reflect"
	"time"
)

// Service is a Fastly service as the fake holds it.
type Service struct {
	ID         string // generated when empty
	Name       string
	Comment    string
	Type       string // "vcl" (default) or "wasm"
	CustomerID string // the fake's customer when empty
	Created    time.Time
	Updated    time.Time
	// Versions are numbered from 1 in order. Seeding a service without
	// versions gives it an empty, unlocked version 1, as creating one does.
	Versions []Version
}

// ActiveVersion returns the number of the active version, or 0.
func (s Service) ActiveVersion() int {
	for _, v := range s.Versions {
		if v.Active {
			return v.Number
		}
	}
	return 0
}

// Version is one configuration version of a service.
type Version struct {
	Number   int // set by position when seeding
	Comment  string
	Active   bool
	Locked   bool
	Deployed bool
	Staging  bool
	Testing  bool
	Created  time.Time
	Updated  time.Time

	Domains         []Domain
	Backends        []Backend
	Healthchecks    []Healthcheck
	Conditions      []Condition
	Headers         []Header
	CacheSettings   []CacheSetting
	RequestSettings []RequestSetting
	ResponseObjects []ResponseObject
	Gzips           []Gzip
	Snippets        []Snippet
	VCLs            []VCL
	Dictionaries    []Dictionary
	Syslogs         []LogSyslog
	Settings        Settings
}

// The resource types below carry Fastly's field names as JSON tags: the
// names the API reads from form or JSON bodies (each type's bind method in
// fields.go, which also checks ranges, lengths and allowed values) and
// renders (each type's wire struct there, which also renders the fields
// Fastly sends as strings).

// Domain is a domain name of a version.
type Domain struct {
	Name    string `json:"name"`
	Comment string `json:"comment"`
}

// Backend is an origin server of a version.
type Backend struct {
	Name                 string  `json:"name"`
	Address              string  `json:"address"`
	Comment              string  `json:"comment"`
	AutoLoadbalance      bool    `json:"auto_loadbalance"`
	BetweenBytesTimeout  int     `json:"between_bytes_timeout"`
	ClientCert           *string `json:"client_cert"`
	ConnectTimeout       int     `json:"connect_timeout"`
	ErrorThreshold       int     `json:"error_threshold"`
	FirstByteTimeout     int     `json:"first_byte_timeout"`
	Healthcheck          *string `json:"healthcheck"`
	Hostname             *string `json:"hostname"`
	IPv4                 *string `json:"ipv4"`
	IPv6                 *string `json:"ipv6"`
	KeepaliveTime        *int    `json:"keepalive_time"`
	MaxConn              int     `json:"max_conn"`
	MaxLifetime          *int    `json:"max_lifetime"`
	MaxUse               *int    `json:"max_use"`
	MaxTLSVersion        *string `json:"max_tls_version"`
	MinTLSVersion        *string `json:"min_tls_version"`
	OverrideHost         *string `json:"override_host"`
	Port                 int     `json:"port"`
	PreferIPv6           bool    `json:"prefer_ipv6"`
	RequestCondition     string  `json:"request_condition"`
	ShareKey             *string `json:"share_key"`
	Shield               *string `json:"shield"`
	SSLCACert            *string `json:"ssl_ca_cert"`
	SSLCertHostname      *string `json:"ssl_cert_hostname"`
	SSLCheckCert         bool    `json:"ssl_check_cert"`
	SSLCiphers           *string `json:"ssl_ciphers"`
	SSLClientCert        *string `json:"ssl_client_cert"`
	SSLClientKey         *string `json:"ssl_client_key"`
	SSLHostname          *string `json:"ssl_hostname"`
	SSLSNIHostname       *string `json:"ssl_sni_hostname"`
	TCPKeepaliveEnable   *bool   `json:"tcp_keepalive_enable"`
	TCPKeepaliveInterval *int    `json:"tcp_keepalive_interval"`
	TCPKeepaliveProbes   *int    `json:"tcp_keepalive_probes"`
	TCPKeepaliveTime     *int    `json:"tcp_keepalive_time"`
	UseSSL               bool    `json:"use_ssl"`
	Weight               int     `json:"weight"`
}

// Healthcheck is a backend health check of a version.
type Healthcheck struct {
	Name             string   `json:"name"`
	Comment          string   `json:"comment"`
	CheckInterval    int      `json:"check_interval"`
	ExpectedResponse int      `json:"expected_response"`
	Headers          []string `json:"headers"`
	Host             string   `json:"host"`
	HTTPVersion      string   `json:"http_version"`
	Initial          int      `json:"initial"`
	Method           string   `json:"method"`
	Path             string   `json:"path"`
	Threshold        int      `json:"threshold"`
	Timeout          int      `json:"timeout"`
	Window           int      `json:"window"`
}

// Condition is a VCL condition of a version.
type Condition struct {
	Name      string `json:"name"`
	Comment   string `json:"comment"`
	Priority  int    `json:"priority"`
	Statement string `json:"statement"`
	Type      string `json:"type"`
}

// Header is a header rule of a version.
type Header struct {
	Name              string  `json:"name"`
	Action            string  `json:"action"`
	Type              string  `json:"type"`
	Dst               string  `json:"dst"`
	Src               string  `json:"src"`
	Regex             string  `json:"regex"`
	Substitution      string  `json:"substitution"`
	IgnoreIfSet       bool    `json:"ignore_if_set"`
	Priority          int     `json:"priority"`
	RequestCondition  *string `json:"request_condition"`
	CacheCondition    *string `json:"cache_condition"`
	ResponseCondition *string `json:"response_condition"`
}

// CacheSetting is a cache settings object of a version.
type CacheSetting struct {
	Name           string  `json:"name"`
	Action         *string `json:"action"`
	CacheCondition string  `json:"cache_condition"`
	StaleTTL       int     `json:"stale_ttl"`
	TTL            int     `json:"ttl"`
}

// RequestSetting is a request settings object of a version.
type RequestSetting struct {
	Name             string `json:"name"`
	Action           string `json:"action"`
	DefaultHost      string `json:"default_host"`
	HashKeys         string `json:"hash_keys"`
	RequestCondition string `json:"request_condition"`
	XFF              string `json:"xff"`
	BypassBusyWait   bool   `json:"bypass_busy_wait"`
	ForceMiss        bool   `json:"force_miss"`
	ForceSSL         bool   `json:"force_ssl"`
	GeoHeaders       bool   `json:"geo_headers"`
	MaxStaleAge      int    `json:"max_stale_age"`
	TimerSupport     bool   `json:"timer_support"`
}

// ResponseObject is a synthetic response of a version.
type ResponseObject struct {
	Name             string `json:"name"`
	Status           int    `json:"status"`
	Response         string `json:"response"`
	Content          string `json:"content"`
	ContentType      string `json:"content_type"`
	RequestCondition string `json:"request_condition"`
	CacheCondition   string `json:"cache_condition"`
}

// Gzip is a compression rule of a version.
type Gzip struct {
	Name           string `json:"name"`
	CacheCondition string `json:"cache_condition"`
	ContentTypes   string `json:"content_types"`
	Extensions     string `json:"extensions"`
}

// Snippet is a VCL snippet of a version. A dynamic snippet's content lives
// outside versions (it is edited through /service/{id}/snippet/{id}); the
// versioned views show it as null.
type Snippet struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Content  string `json:"content"`
	Priority int    `json:"priority"`
	Dynamic  bool   `json:"dynamic"`
}

// VCL is a custom VCL file of a version.
type VCL struct {
	Name    string `json:"name"`
	Content string `json:"content"`
	Main    bool   `json:"main"`
}

// Dictionary is an edge dictionary of a version. Its items are not
// versioned: they belong to the dictionary ID, which clones keep.
type Dictionary struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	WriteOnly bool   `json:"write_only"`
}

// DictionaryItem is one key of an edge dictionary.
type DictionaryItem struct {
	Key     string
	Value   string
	Created time.Time
	Updated time.Time
}

// LogSyslog is a syslog logging endpoint of a version.
type LogSyslog struct {
	Name                string  `json:"name"`
	Address             string  `json:"address"`
	Port                int     `json:"port"`
	Hostname            *string `json:"hostname"`
	IPv4                *string `json:"ipv4"`
	Format              string  `json:"format"`
	FormatVersion       int     `json:"format_version"`
	MessageType         string  `json:"message_type"`
	Placement           *string `json:"placement"`
	ResponseCondition   string  `json:"response_condition"`
	LogProcessingRegion string  `json:"log_processing_region"`
	Token               *string `json:"token"`
	UseTLS              bool    `json:"use_tls"`
	TLSCACert           *string `json:"tls_ca_cert"`
	TLSClientCert       *string `json:"tls_client_cert"`
	TLSClientKey        *string `json:"tls_client_key"`
	TLSHostname         *string `json:"tls_hostname"`
	PublicKey           *string `json:"public_key"` // a PGP key the logs are encrypted with
}

// Settings are a version's general settings.
type Settings struct {
	DefaultHost     string `json:"general.default_host"`
	DefaultTTL      int    `json:"general.default_ttl"`
	StaleIfError    bool   `json:"general.stale_if_error"`
	StaleIfErrorTTL int    `json:"general.stale_if_error_ttl"`
}

// DefaultSettings are the settings of a new version.
func DefaultSettings() Settings {
	return Settings{DefaultTTL: 3600, StaleIfErrorTTL: 43200}
}

// PurgeKind is what a purge named.
type PurgeKind string

// The kinds of purge.
const (
	PurgeAll PurgeKind = "all" // POST /service/{id}/purge_all
	PurgeKey PurgeKind = "key" // one surrogate key, alone or in a batch
	PurgeURL PurgeKind = "url" // POST /purge/{url}
)

// Purge is one purge the fake accepted. A batch purge of n keys is n
// purges, one per key, each with its own ID.
type Purge struct {
	ID        string // as answered ("" for purge_all, which Fastly answers without one)
	Kind      PurgeKind
	ServiceID string // empty for a URL purge
	Key       string // for PurgeKey
	URL       string // for PurgeURL, as sent after /purge/
	Soft      bool   // Fastly-Soft-Purge was set
	Time      time.Time
}

// Customer is the account every key belongs to.
type Customer struct {
	ID      string
	Name    string
	OwnerID string
	Created time.Time
	Updated time.Time
}

// User is the user every key belongs to.
type User struct {
	ID         string
	Login      string
	Name       string
	Role       string
	CustomerID string
	Created    time.Time
	Updated    time.Time
}

// Token is an API token. Its AccessToken is the Fastly-Key value.
type Token struct {
	ID          string
	Name        string
	AccessToken string
	Scope       string   // "global" by default
	Services    []string // service IDs it is limited to; empty means all
	UserID      string
	CustomerID  string
	Created     time.Time
	ExpiresAt   *time.Time // nil: never
	LastUsedAt  time.Time
	IP          string
	UserAgent   string
}

// --- storage ---

// rec is a stored resource with its timestamps.
type rec[T any] struct {
	v       T
	created time.Time
	updated time.Time
}

type service struct {
	Service
	legacy    bool // MimicShapes: versions carry Mimic's legacy fields
	deleted   bool
	deletedAt time.Time
	versions  []*version
	// dictItems holds the items of each dictionary ID, across versions.
	dictItems map[string]*itemStore
	// dynamic holds the content of each dynamic snippet ID, across versions.
	dynamic map[string]*rec[string]
	// pending is an activation that completes at a point on the clock.
	pending *pendingActivation
}

type pendingActivation struct {
	number int
	at     time.Time
}

type version struct {
	number                   int
	comment                  string
	active, locked, deployed bool
	staging, testing         bool
	created, updated         time.Time
	domains                  []rec[Domain]
	backends                 []rec[Backend]
	healthchecks             []rec[Healthcheck]
	conditions               []rec[Condition]
	headers                  []rec[Header]
	cacheSettings            []rec[CacheSetting]
	requestSettings          []rec[RequestSetting]
	responseObjects          []rec[ResponseObject]
	gzips                    []rec[Gzip]
	snippets                 []rec[Snippet]
	vcls                     []rec[VCL]
	dictionaries             []rec[Dictionary]
	syslogs                  []rec[LogSyslog]
	settings                 Settings
}

type itemStore struct {
	items map[string]*DictionaryItem
}

func (v *version) clone(number int, now time.Time) *version {
	c := *v
	c.number = number
	c.active, c.locked, c.deployed = false, false, false
	c.created, c.updated = now, now
	c.domains = cloneRecs(v.domains)
	c.backends = cloneRecs(v.backends)
	c.healthchecks = cloneRecs(v.healthchecks)
	c.conditions = cloneRecs(v.conditions)
	c.headers = cloneRecs(v.headers)
	c.cacheSettings = cloneRecs(v.cacheSettings)
	c.requestSettings = cloneRecs(v.requestSettings)
	c.responseObjects = cloneRecs(v.responseObjects)
	c.gzips = cloneRecs(v.gzips)
	c.snippets = cloneRecs(v.snippets)
	c.vcls = cloneRecs(v.vcls)
	c.dictionaries = cloneRecs(v.dictionaries)
	c.syslogs = cloneRecs(v.syslogs)
	return &c
}

func cloneRecs[T any](in []rec[T]) []rec[T] {
	if in == nil {
		return nil
	}
	return append([]rec[T](nil), in...)
}

func values[T any](in []rec[T]) []T {
	out := make([]T, len(in))
	for i, r := range in {
		out[i] = deepCopy(r.v)
	}
	return out
}

// snapshot is the exported copy of a version.
func (v *version) snapshot() Version {
	return Version{
		Number: v.number, Comment: v.comment, Active: v.active, Locked: v.locked, Deployed: v.deployed,
		Staging: v.staging, Testing: v.testing, Created: v.created, Updated: v.updated,
		Domains: values(v.domains), Backends: values(v.backends), Healthchecks: values(v.healthchecks),
		Conditions: values(v.conditions), Headers: values(v.headers), CacheSettings: values(v.cacheSettings),
		RequestSettings: values(v.requestSettings), ResponseObjects: values(v.responseObjects),
		Gzips: values(v.gzips), Snippets: values(v.snippets), VCLs: values(v.vcls),
		Dictionaries: values(v.dictionaries), Syslogs: values(v.syslogs), Settings: v.settings,
	}
}

// deepCopy gives a resource its own copies of what its pointer and list
// fields point to, so a caller changing them cannot reach the store.
func deepCopy[T any](x T) T {
	v := reflect.ValueOf(&x).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Pointer:
			if !f.IsNil() {
				n := reflect.New(f.Type().Elem())
				n.Elem().Set(f.Elem())
				f.Set(n)
			}
		case reflect.Slice:
			if !f.IsNil() {
				n := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
				reflect.Copy(n, f)
				f.Set(n)
			}
		}
	}
	return x
}
