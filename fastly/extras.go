package fastly

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sort"
	"strings"
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

func (f *Fastly) domainCheckLocked(s *service, v *version, d rec[Domain]) []any {
	m := map[string]any{"name": d.v.Name, "comment": d.v.Comment, "service_id": s.ID, "version": v.number,
		"created_at": ts(d.created), "updated_at": ts(d.updated), "deleted_at": nil}
	if target, ok := f.domainOK[d.v.Name]; ok {
		return []any{m, target, true}
	}
	return []any{m, nil, false}
}

func (f *Fastly) checkDomains(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		out := make([][]any, len(v.domains))
		for i, d := range v.domains {
			out[i] = f.domainCheckLocked(s, v, d)
		}
		return out, nil
	})
}

func (f *Fastly) checkDomain(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "name")
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		i := findRec(v.domains, strings.ToLower(name))
		if i < 0 {
			return nil, (&kind[Domain]{label: "Domain"}).notFound(s, v, name)
		}
		return f.domainCheckLocked(s, v, v.domains[i]), nil
	})
}

// --- custom VCL ---

func (f *Fastly) setMainVCL(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "name")
	f.do(w, func() (any, *apiError) {
		s, v, err := f.editableVersionLocked(r)
		if err != nil {
			return nil, err
		}
		i := findRec(v.vcls, name)
		if i < 0 {
			return nil, (&kind[VCL]{label: "VCL"}).notFound(s, v, name)
		}
		now := f.now()
		for j := range v.vcls {
			if v.vcls[j].v.Main != (j == i) {
				v.vcls[j].v.Main = j == i
				v.vcls[j].updated = now
			}
		}
		v.updated = now
		return (&kind[VCL]{}).render(s, v, v.vcls[i], f), nil
	})
}

func (f *Fastly) downloadVCL(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "name")
	f.mu.Lock()
	s, v, err := f.serviceVersionLocked(r)
	var content string
	if err == nil {
		if i := findRec(v.vcls, name); i >= 0 {
			content = v.vcls[i].v.Content
		} else {
			err = (&kind[VCL]{label: "VCL"}).notFound(s, v, name)
		}
	}
	f.mu.Unlock()
	if err != nil {
		writeAPIError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`.vcl"`)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, content)
}

// --- settings ---

func (f *Fastly) renderSettings(s *service, v *version) map[string]any {
	m := map[string]any{"service_id": s.ID, "version": v.number, "general.default_pci": 0}
	renderFields(m, v.settings)
	return m
}

func (f *Fastly) getSettings(w http.ResponseWriter, r *http.Request) {
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		return f.renderSettings(s, v), nil
	})
}

func (f *Fastly) updateSettings(w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(r)
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	f.do(w, func() (any, *apiError) {
		s, v, err := f.editableVersionLocked(r)
		if err != nil {
			return nil, err
		}
		next := v.settings
		if err := applyParams(p, &next); err != nil {
			return nil, err
		}
		v.settings = next
		v.updated = f.now()
		return f.renderSettings(s, v), nil
	})
}

// --- dynamic snippets ---

// dynamicSnippetLocked finds a dynamic snippet by ID in any version.
func dynamicSnippetLocked(s *service, id string) (*rec[string], *apiError) {
	d, ok := s.dynamic[id]
	if !ok {
		for _, v := range s.versions {
			for _, sn := range v.snippets {
				if sn.v.ID == id {
					return nil, badRequest("Snippet '%s' is not dynamic; edit it through a version", id)
				}
			}
		}
		return nil, &apiError{status: http.StatusNotFound, msg: "Record not found",
			detail: sprintf("Couldn't find Snippet '{ id => %s, service_id => %s }'", id, s.ID)}
	}
	return d, nil
}

func renderDynamic(s *service, id string, d *rec[string]) map[string]any {
	return map[string]any{"service_id": s.ID, "snippet_id": id, "content": d.v,
		"created_at": ts(d.created), "updated_at": ts(d.updated)}
}

func (f *Fastly) getDynamicSnippet(w http.ResponseWriter, r *http.Request) {
	id := pathVar(r, "snippet_id")
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		d, err := dynamicSnippetLocked(s, id)
		if err != nil {
			return nil, err
		}
		return renderDynamic(s, id, d), nil
	})
}

// updateDynamicSnippet changes a dynamic snippet's content; it needs no
// editable version, which is the point of dynamic snippets.
func (f *Fastly) updateDynamicSnippet(w http.ResponseWriter, r *http.Request) {
	p, perr := readParams(r)
	if perr != nil {
		writeAPIError(w, perr)
		return
	}
	id := pathVar(r, "snippet_id")
	f.do(w, func() (any, *apiError) {
		s, err := f.serviceLocked(pathVar(r, "service_id"))
		if err != nil {
			return nil, err
		}
		d, err := dynamicSnippetLocked(s, id)
		if err != nil {
			return nil, err
		}
		if p.has("content") {
			d.v = p.str("content")
			d.updated = f.now()
		}
		return renderDynamic(s, id, d), nil
	})
}

// --- dictionary info ---

func (f *Fastly) dictionaryInfo(w http.ResponseWriter, r *http.Request) {
	id := pathVar(r, "dictionary_id")
	f.do(w, func() (any, *apiError) {
		s, v, err := f.serviceVersionLocked(r)
		if err != nil {
			return nil, err
		}
		found := false
		for _, d := range v.dictionaries {
			found = found || d.v.ID == id
		}
		store := s.dictItems[id]
		if !found || store == nil {
			return nil, dictionaryNotFound(s, id)
		}
		keys := store.sortedKeys()
		h := sha256.New()
		var last DictionaryItem
		for _, k := range keys {
			it := store.items[k]
			io.WriteString(h, k)
			h.Write([]byte{0})
			io.WriteString(h, it.Value)
			h.Write([]byte{0})
			if it.Updated.After(last.Updated) {
				last = *it
			}
		}
		updated := any(nil)
		if !last.Updated.IsZero() {
			updated = last.Updated.UTC().Format("2006-01-02 15:04:05")
		}
		return map[string]any{"item_count": len(keys), "last_updated": updated, "digest": hex.EncodeToString(h.Sum(nil))}, nil
	})
}

func (st *itemStore) sortedKeys() []string {
	keys := make([]string, 0, len(st.items))
	for k := range st.items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
