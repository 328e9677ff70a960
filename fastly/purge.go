package fastly

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
	"github.com/mockcloud/mockcloud/fake"
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

func (f *Fastly) purgeRoutes(r *mux.Router) {
	r.HandleFunc("/service/{service_id}/purge_all", f.purgeAll).Methods("POST").Name(OpPurgeAll)
	r.HandleFunc("/service/{service_id}/purge", f.purgeKeys).Methods("POST").Name(OpPurgeKeys)
	r.HandleFunc("/service/{service_id}/purge/{surrogate_key}", f.purgeKey).Methods("POST").Name(OpPurgeKey)
	r.PathPrefix("/purge/").HandlerFunc(f.purgeURL).Methods("POST").Name(OpPurgeURL)
}

func isSoft(r *http.Request) bool { return r.Header.Get("Fastly-Soft-Purge") != "" }

// purgeIDLocked is an ID in the form Fastly answers with
// ("4151-1635861748-11038"): a node number, the Unix time, a sequence.
func (f *Fastly) purgeIDLocked() string {
	f.purgeSeq++
	return "4151-" + itoa(int(f.now().Unix())) + "-" + itoa(10000+f.purgeSeq)
}

func (f *Fastly) recordPurgeLocked(p Purge) Purge {
	p.Time = f.now()
	f.purges = append(f.purges, p)
	return p
}

func (f *Fastly) purgeAll(w http.ResponseWriter, r *http.Request) {
	soft := isSoft(r)
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		f.recordPurgeLocked(Purge{Kind: PurgeAll, ServiceID: s.ID, Soft: soft})
		return statusOK, nil
	})
}

func (f *Fastly) purgeKey(w http.ResponseWriter, r *http.Request) {
	key := pathVar(r, "surrogate_key")
	soft := isSoft(r)
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		p := f.recordPurgeLocked(Purge{ID: f.purgeIDLocked(), Kind: PurgeKey, ServiceID: s.ID, Key: key, Soft: soft})
		return map[string]string{"status": "ok", "id": p.ID}, nil
	})
}

// purgeKeys is the batch purge: keys in a JSON body {"surrogate_keys":
// [...]} or, instead, in a Surrogate-Key header separated by spaces. It
// answers with each key's purge ID.
func (f *Fastly) purgeKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := readPurgeKeys(r)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	soft := isSoft(r)
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		out := make(map[string]string, len(keys))
		for _, k := range keys {
			if _, done := out[k]; done {
				continue
			}
			p := f.recordPurgeLocked(Purge{ID: f.purgeIDLocked(), Kind: PurgeKey, ServiceID: s.ID, Key: k, Soft: soft})
			out[k] = p.ID
		}
		return out, nil
	})
}

func readPurgeKeys(r *http.Request) ([]string, *apiError) {
	var in struct {
		Keys []string `json:"surrogate_keys"`
	}
	if err := fake.DecodeJSON(r, &in, fake.DecodeOptions{AllowEmpty: true}); err != nil {
		return nil, badRequest("%s", err.Message)
	}
	keys := in.Keys
	if len(keys) == 0 {
		keys = strings.Fields(r.Header.Get("Surrogate-Key"))
	}
	if len(keys) == 0 {
		return nil, badRequest("No surrogate keys: send {\"surrogate_keys\": [...]} or a Surrogate-Key header")
	}
	if len(keys) > maxPurgeKeys {
		return nil, badRequest("Too many surrogate keys: %d, at most %d may be purged at once", len(keys), maxPurgeKeys)
	}
	for _, k := range keys {
		if strings.TrimSpace(k) == "" || len(k) > 1024 {
			return nil, badRequest("Invalid surrogate key %s", mustJSON(k))
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
func (f *Fastly) purgeURL(w http.ResponseWriter, r *http.Request) {
	target := strings.TrimPrefix(r.URL.EscapedPath(), "/purge/")
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	if strings.TrimSpace(target) == "" {
		writeAPIError(w, badRequest("No URL to purge: POST /purge/{host}/{path}"))
		return
	}
	soft := isSoft(r)
	f.do(w, func() (any, *apiError) {
		p := f.recordPurgeLocked(Purge{ID: f.purgeIDLocked(), Kind: PurgeURL, URL: target, Soft: soft})
		return map[string]string{"status": "ok", "id": p.ID}, nil
	})
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
