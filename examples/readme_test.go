package examples

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud"
)

// TestReadmeQuotesQuickStart: the README's quick start is
// quickstart_test.go between its markers, character for character.
func TestReadmeQuotesQuickStart(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("quickstart_test.go")
	if err != nil {
		t.Fatal(err)
	}
	src := string(file)
	begin, end := strings.Index(src, "// quick start begin\n"), strings.Index(src, "// quick start end")
	if begin < 0 || end < begin {
		t.Fatal("quickstart_test.go lacks its markers")
	}
	want := strings.Trim(src[begin+len("// quick start begin\n"):end], "\n")
	doc := string(readme)
	start := strings.Index(doc, "## Quick start")
	if start < 0 {
		t.Fatal("README.md has no Quick start section")
	}
	block := doc[start:]
	open := strings.Index(block, "```go\n")
	if open < 0 {
		t.Fatal("the Quick start section has no ```go block")
	}
	block = block[open+len("```go\n"):]
	got := strings.Trim(block[:strings.Index(block, "\n```")], "\n")
	if got != want {
		t.Errorf("README.md's quick start differs from examples/quickstart_test.go; copy the file's text between the markers into the README.\nREADME:\n%s\nfile:\n%s", got, want)
	}
}

// TestReadmeListsSeeds: the README's tables of seeded flavors and images
// are what compute serves.
func TestReadmeListsSeeds(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cloud := mockcloud.New(t, mockcloud.WithoutAuth())
	list := func(path, key string) map[string]string {
		resp, err := cloud.Client().Get(cloud.URL() + "/compute/RegionOne/v2.1/demo/" + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string][]struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("GET %s: %d: %v", path, resp.StatusCode, err)
		}
		m := map[string]string{}
		for _, x := range out[key] {
			m[x.ID] = x.Name
		}
		return m
	}
	rows := func(header string) map[string]string {
		doc := string(readme)
		i := strings.Index(doc, header)
		if i < 0 {
			t.Fatalf("README.md has no table %q", header)
		}
		m := map[string]string{}
		row := regexp.MustCompile("^\\| `([^`]+)`[^|]* \\| ([^|]+?) \\|")
		for _, line := range strings.Split(doc[i:], "\n")[2:] {
			if !strings.HasPrefix(line, "|") {
				break
			}
			if g := row.FindStringSubmatch(line); g != nil {
				m[g[1]] = g[2]
			}
		}
		return m
	}
	for _, c := range []struct{ header, path, key string }{
		{"| flavor ID | name |", "flavors", "flavors"},
		{"| image ID | name |", "images", "images"},
	} {
		served, listed := list(c.path, c.key), rows(c.header)
		if len(served) == 0 {
			t.Fatalf("compute serves no %s", c.path)
		}
		for id, name := range served {
			if listed[id] != name {
				t.Errorf("README lists %s %s as %q; compute serves %q", c.key, id, listed[id], name)
			}
		}
		for id := range listed {
			if _, ok := served[id]; !ok {
				t.Errorf("README lists %s %s, which compute does not serve", c.key, id)
			}
		}
	}
}
