package kit_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

type keysDuration time.Duration

func (d *keysDuration) UnmarshalJSON([]byte) error { return nil }

type keysInner struct {
	Count int               `json:"count"`
	Tags  map[string]string `json:"tags"`
}

type keysBase struct {
	Region string `json:"region"`
}

type keysDoc struct {
	keysBase
	Name    string               `json:"name"`
	Agents  []keysInner          `json:"agents"`
	ByName  map[string]keysInner `json:"by_name"`
	Timeout keysDuration         `json:"timeout"`
	Skipped string               `json:"-"`
	Plain   *keysInner
}

// TestCheckKeys: an unknown member is named by its path; what the decoder
// would take (any case, embedded fields, self-decoding types) passes.
func TestCheckKeys(t *testing.T) {
	for _, tc := range []struct {
		doc, want string
		decodes   bool // a plain decoder takes it
	}{
		{`{"name":"a","region":"r","agents":[{"count":1,"tags":{"k":"v"}}],"timeout":{"anything":1},"Plain":{"count":2}}`, "", true},
		{`{"NAME":"a","plain":{"COUNT":2}}`, "", true},
		{`{"nmae":"a"}`, "nmae: unknown key", true},
		{`{"agents":[{"count":1},{"cpus":4}]}`, "agents[1].cpus: unknown key", true},
		{`{"by_name":{"web":{"count":1,"x":2}}}`, "by_name.web.x: unknown key", true},
		{`{"Skipped":"x"}`, "Skipped: unknown key", true},
		{`{"agents":"not a list","name":7}`, "", false}, // the decoder's to refuse
		{`not json`, "", false},
	} {
		err := kit.CheckKeys([]byte(tc.doc), keysDoc{})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("CheckKeys(%s) = %q, want %q", tc.doc, got, tc.want)
		}
		// What CheckKeys passes, a strict decoder takes, where its types are
		// right.
		if tc.want == "" && tc.decodes {
			dec := json.NewDecoder(strings.NewReader(tc.doc))
			dec.DisallowUnknownFields()
			var v keysDoc
			if err := dec.Decode(&v); err != nil {
				t.Errorf("%s: a strict decoder refuses it: %v", tc.doc, err)
			}
		}
	}
}
