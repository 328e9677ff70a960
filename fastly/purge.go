package fastly

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the purge API.
const (
	OpPurgeAll  = "fastly.purge.all"
	OpPurgeKey  = "fastly.purge.key"
	OpPurgeKeys = "fastly.purge.keys"
	OpPurgeURL  = "fastly.purge.url"
)

// maxPurgeKeys is how many surrogate keys one batch purge may name.
const maxPurgeKeys = 256

func (f *Fastly) purgeRoutes() []kit.Route {
	return []kit.Route{
		{Op: OpPurgeAll, Method: "POST", Path: "/service/{service_id}/purge_all", Handler: f.purgeAll},
		{Op: OpPurgeKeys, Method: "POST", Path: "/service/{service_id}/purge", Handler: f.purgeKeys},
		{Op: OpPurgeKey, Method: "POST", Path: "/service/{service_id}/purge/{surrogate_key}", Handler: f.purgeKey},
		// Purging a URL needs no key unless the service asks for
		// authenticated purges, which the fake does not model.
		{Op: OpPurgeURL, Method: "POST", Path: "/purge/{url:.*}", Handler: f.purgeURL, Public: true},
	}
}

func isSoft(r *http.Request) bool { return r.Header.Get("Fastly-Soft-Purge") != "" }

// purgeIDLocked is an ID in the form Fastly answers with
// ("4151-1635861748-11038"): a node number, the Unix time, a sequence.
func (f *Fastly) purgeIDLocked() string {
	f.purgeSeq++
	return "4151-" + strconv.FormatInt(f.nowSec().Unix(), 10) + "-" + strconv.Itoa(10000+f.purgeSeq)
}

func (f *Fastly) recordPurgeLocked(p Purge) Purge {
	p.Time = f.nowSec()
	f.purges = append(f.purges, p)
	return p
}

func (f *Fastly) purgeAll(c *kit.Call) (kit.Reply, error) {
	soft := isSoft(c.Request)
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	f.recordPurgeLocked(Purge{Kind: PurgeAll, ServiceID: s.ID, Soft: soft})
	return kit.OK(statusOK), nil
}

func (f *Fastly) purgeKey(c *kit.Call) (kit.Reply, error) {
	key := pathVar(c, "surrogate_key")
	soft := isSoft(c.Request)
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	p := f.recordPurgeLocked(Purge{ID: f.purgeIDLocked(), Kind: PurgeKey, ServiceID: s.ID, Key: key, Soft: soft})
	return kit.OK(statusWire{Status: "ok", ID: p.ID}), nil
}

// purgeKeys is the batch purge: keys in a JSON body {"surrogate_keys":
// [...]} or, instead, in a Surrogate-Key header separated by spaces. It
// answers with each key's purge ID.
func (f *Fastly) purgeKeys(c *kit.Call) (kit.Reply, error) {
	keys, err := readPurgeKeys(c)
	if err != nil {
		return kit.Reply{}, err
	}
	soft := isSoft(c.Request)
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if _, done := out[k]; done {
			continue
		}
		p := f.recordPurgeLocked(Purge{ID: f.purgeIDLocked(), Kind: PurgeKey, ServiceID: s.ID, Key: k, Soft: soft})
		out[k] = p.ID
	}
	return kit.OK(out), nil
}

func readPurgeKeys(c *kit.Call) ([]string, error) {
	var in struct {
		Keys []string `json:"surrogate_keys"`
	}
	if err := kit.DecodeJSON(c.Body, &in, kit.DecodeOptions{AllowEmpty: true}); err != nil {
		return nil, err
	}
	keys := in.Keys
	if len(keys) == 0 {
		keys = strings.Fields(c.Request.Header.Get("Surrogate-Key"))
	}
	if len(keys) == 0 {
		return nil, kit.BadRequest("No surrogate keys: send {\"surrogate_keys\": [...]} or a Surrogate-Key header")
	}
	if len(keys) > maxPurgeKeys {
		return nil, kit.BadRequest("Too many surrogate keys: %d, at most %d may be purged at once", len(keys), maxPurgeKeys)
	}
	for _, k := range keys {
		if strings.TrimSpace(k) == "" || len(k) > 1024 {
			return nil, kit.BadRequest("Invalid surrogate key %s", mustJSON(k))
		}
	}
	return keys, nil
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// purgeURL purges one URL, given after /purge/ as host and path
// ("/purge/www.example.com/img/logo.png"). No key is needed.
func (f *Fastly) purgeURL(c *kit.Call) (kit.Reply, error) {
	r := c.Request
	target := strings.TrimPrefix(r.URL.EscapedPath(), "/purge/")
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	if strings.TrimSpace(target) == "" {
		return kit.Reply{}, kit.BadRequest("No URL to purge: POST /purge/{host}/{path}")
	}
	soft := isSoft(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.recordPurgeLocked(Purge{ID: f.purgeIDLocked(), Kind: PurgeURL, URL: target, Soft: soft})
	return kit.OK(statusWire{Status: "ok", ID: p.ID}), nil
}

// Purges returns every purge accepted so far, in order.
func (f *Fastly) Purges() []Purge {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Purge(nil), f.purges...)
}

// ResetPurges forgets the purge history.
func (f *Fastly) ResetPurges() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.purges = nil
}
