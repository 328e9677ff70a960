package fastly

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// --- domains: check ---

// SetDomainCNAME makes check_all and check report the domain as pointed at
// Fastly through target (for example "dualstack.j.sni.global.fastly.net").
// An empty target forgets it: the domain is reported as not pointed, as a
// fresh domain is.
func (f *Fastly) SetDomainCNAME(domain, target string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	domain = strings.ToLower(domain)
	if target == "" {
		delete(f.domainOK, domain)
		return
	}
	f.domainOK[domain] = target
}

// domainCheckWire is one domain as check and check_all answer it:
// [domain, CNAME target or null, whether it points at Fastly].
type domainCheckWire struct {
	Domain checkedDomain
	Target *string
	OK     bool
}

func (d domainCheckWire) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{d.Domain, d.Target, d.OK})
}

// checkedDomain is a domain in a check answer, its fields in Fastly's
// order.
type checkedDomain struct {
	Comment   string   `json:"comment"`
	CreatedAt jsonTime `json:"created_at"`
	DeletedAt jsonTime `json:"deleted_at"`
	Name      string   `json:"name"`
	ServiceID string   `json:"service_id"`
	UpdatedAt jsonTime `json:"updated_at"`
	Version   int      `json:"version"`
}

func (f *Fastly) domainCheckLocked(s *service, v *version, d rec[Domain]) domainCheckWire {
	out := domainCheckWire{Domain: checkedDomain{Comment: d.v.Comment, CreatedAt: jsonTime(d.created), Name: d.v.Name,
		ServiceID: s.ID, UpdatedAt: jsonTime(d.updated), Version: v.number}}
	if target, ok := f.domainOK[d.v.Name]; ok {
		out.Target, out.OK = &target, true
	}
	return out
}

func (f *Fastly) checkDomains(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	out := make([]domainCheckWire, len(v.domains))
	for i, d := range v.domains {
		out[i] = f.domainCheckLocked(s, v, d)
	}
	return kit.OK(out), nil
}

func (f *Fastly) checkDomain(c *kit.Call) (kit.Reply, error) {
	name := pathVar(c, "name")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	i := findRec(v.domains, strings.ToLower(name))
	if i < 0 {
		return kit.Reply{}, f.kinds.domains.notFound(s, v, name)
	}
	return kit.OK(f.domainCheckLocked(s, v, v.domains[i])), nil
}

// --- custom VCL ---

func (f *Fastly) setMainVCL(c *kit.Call) (kit.Reply, error) {
	name := pathVar(c, "name")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.editableVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	i, err := f.kinds.vcls.indexLocked(s, v, name)
	if err != nil {
		return kit.Reply{}, err
	}
	now := f.nowSec()
	for j := range v.vcls {
		if v.vcls[j].v.Main != (j == i) {
			v.vcls[j].v.Main = j == i
			v.vcls[j].updated = now
		}
	}
	v.updated = now
	return kit.OK(f.kinds.vcls.render(s, v, v.vcls[i])), nil
}

func (f *Fastly) downloadVCL(c *kit.Call) (kit.Reply, error) {
	name := pathVar(c, "name")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	i, err := f.kinds.vcls.indexLocked(s, v, name)
	if err != nil {
		return kit.Reply{}, err
	}
	c.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`.vcl"`)
	return kit.Text(http.StatusOK, v.vcls[i].v.Content), nil
}

// --- settings ---

func renderSettings(s *service, v *version) settingsReply {
	return settingsReply{settingsWire: settingsWire{Settings: v.settings}, ServiceID: s.ID, Version: v.number}
}

func (f *Fastly) getSettings(c *kit.Call) (kit.Reply, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(renderSettings(s, v)), nil
}

func (f *Fastly) updateSettings(c *kit.Call) (kit.Reply, error) {
	p, err := readParams(c)
	if err != nil {
		return kit.Reply{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.editableVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	next := v.settings
	if err := bind(p, &next, (*Settings).bind); err != nil {
		return kit.Reply{}, err
	}
	v.settings = next
	v.updated = f.nowSec()
	return kit.OK(renderSettings(s, v)), nil
}

// --- dynamic snippets ---

// dynamicSnippetLocked finds a dynamic snippet by ID in any version.
func dynamicSnippetLocked(s *service, id string) (*rec[string], error) {
	d, ok := s.dynamic[id]
	if !ok {
		for _, v := range s.versions {
			for _, sn := range v.snippets {
				if sn.v.ID == id {
					return nil, kit.BadRequest("Snippet '%s' is not dynamic; edit it through a version", id)
				}
			}
		}
		return nil, kit.NotFound("Couldn't find Snippet '{ id => %s, service_id => %s }'", id, s.ID)
	}
	return d, nil
}

// dynamicSnippetWire is a dynamic snippet's content.
type dynamicSnippetWire struct {
	ServiceID string   `json:"service_id"`
	SnippetID string   `json:"snippet_id"`
	Content   string   `json:"content"`
	CreatedAt jsonTime `json:"created_at"`
	UpdatedAt jsonTime `json:"updated_at"`
}

func renderDynamic(s *service, id string, d *rec[string]) dynamicSnippetWire {
	return dynamicSnippetWire{ServiceID: s.ID, SnippetID: id, Content: d.v, CreatedAt: jsonTime(d.created), UpdatedAt: jsonTime(d.updated)}
}

func (f *Fastly) getDynamicSnippet(c *kit.Call) (kit.Reply, error) {
	id := pathVar(c, "snippet_id")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	d, err := dynamicSnippetLocked(s, id)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(renderDynamic(s, id, d)), nil
}

// updateDynamicSnippet changes a dynamic snippet's content; it needs no
// editable version, which is the point of dynamic snippets.
func (f *Fastly) updateDynamicSnippet(c *kit.Call) (kit.Reply, error) {
	p, err := readParams(c)
	if err != nil {
		return kit.Reply{}, err
	}
	id := pathVar(c, "snippet_id")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.serviceLocked(pathVar(c, "service_id"))
	if err != nil {
		return kit.Reply{}, err
	}
	d, err := dynamicSnippetLocked(s, id)
	if err != nil {
		return kit.Reply{}, err
	}
	if p.has("content") {
		d.v = p.str("content")
		d.updated = f.nowSec()
	}
	return kit.OK(renderDynamic(s, id, d)), nil
}

// --- dictionary info ---

// dictionaryInfoWire is GET .../dictionary/{id}/info.
type dictionaryInfoWire struct {
	ItemCount   int     `json:"item_count"`
	LastUpdated *string `json:"last_updated"`
	Digest      string  `json:"digest"`
}

func (f *Fastly) dictionaryInfo(c *kit.Call) (kit.Reply, error) {
	id := pathVar(c, "dictionary_id")
	f.mu.Lock()
	defer f.mu.Unlock()
	s, v, err := f.serviceVersionLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	found := false
	for _, d := range v.dictionaries {
		found = found || d.v.ID == id
	}
	store := s.dictItems[id]
	if !found || store == nil {
		return kit.Reply{}, dictionaryNotFound(s, id)
	}
	return kit.OK(store.info()), nil
}

// info is the item count, the last update and a digest of the items.
func (st *itemStore) info() dictionaryInfoWire {
	keys := st.sortedKeys()
	h := sha256.New()
	var last DictionaryItem
	for _, k := range keys {
		it := st.items[k]
		io.WriteString(h, k)
		h.Write([]byte{0})
		io.WriteString(h, it.Value)
		h.Write([]byte{0})
		if it.Updated.After(last.Updated) {
			last = *it
		}
	}
	out := dictionaryInfoWire{ItemCount: len(keys), Digest: hex.EncodeToString(h.Sum(nil))}
	if !last.Updated.IsZero() {
		u := last.Updated.UTC().Format("2006-01-02 15:04:05")
		out.LastUpdated = &u
	}
	return out
}

func (st *itemStore) sortedKeys() []string {
	keys := make([]string, 0, len(st.items))
	for k := range st.items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
