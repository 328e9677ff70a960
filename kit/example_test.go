package kit_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
)

// Notes is the smallest complete service: a route table, one error format,
// state behind a mutex, typed seeding and inspection, and a descriptor.
type Notes struct {
	*kit.Service

	mu    sync.Mutex
	notes map[string]Note
}

// Note is the service's one resource.
type Note struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Route names, one per call.
const (
	OpCreateNote = "notes.create"
	OpGetNote    = "notes.get"
)

type notesConfig struct{ maxLen int }

// WithMaxLen is an option of this service's own.
func WithMaxLen(n int) fake.Option { return fake.Configure(func(c *notesConfig) { c.maxLen = n }) }

// NewNotes starts the service and closes it when the test ends.
func NewNotes(t fake.TB, opts ...fake.Option) *Notes { return notesFactory().New(t, opts) }

// NewUnstartedNotes returns the service for embedding.
func NewUnstartedNotes(opts ...fake.Option) (*Notes, error) { return notesFactory().NewUnstarted(opts) }

// NotesDescriptor lets a Cloud mount the service.
func NotesDescriptor() kit.Descriptor {
	return kit.Descriptor{
		Name: "notes", Prefix: "/notes",
		Catalog: []kit.CatalogEntry{{Type: "notes", Name: "notes", Path: "/v1"}},
		New:     notesFactory().InCloud,
	}
}

// notesFactory makes the three constructors from the one build function.
func notesFactory() kit.Factory[*Notes, notesConfig] {
	return kit.Factory[*Notes, notesConfig]{
		Name:   "notes",
		Config: func() notesConfig { return notesConfig{maxLen: 140} },
		Build:  build,
	}
}

func build(env kit.Env, site kit.Site, cfg notesConfig) (*Notes, error) {
	n := &Notes{notes: map[string]Note{}}
	n.Service = kit.NewService(env, site.Region, kit.Spec{
		Name:   "notes",
		Errors: notesError,
		Routes: func() []kit.Route {
			return []kit.Route{
				{Op: OpCreateNote, Method: "POST", Path: "/v1/notes", Handler: n.create(cfg.maxLen)},
				{Op: OpGetNote, Method: "GET", Path: "/v1/notes/{id}", Handler: n.get},
			}
		},
	})
	return n, nil
}

// notesError is the native error format: {"error": {"code", "message"}}.
func notesError(_ *http.Request, e *kit.Error) kit.Reply {
	type body struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	return kit.JSON(e.Status, map[string]body{"error": {e.Status, e.Message}})
}

func (n *Notes) create(maxLen int) kit.Handler {
	return func(c *kit.Call) (kit.Reply, error) {
		var in struct {
			Text string `json:"text"`
		}
		if err := c.DecodeJSON(&in, kit.DecodeOptions{DisallowUnknownFields: true}); err != nil {
			return kit.Reply{}, err
		}
		if len(in.Text) > maxLen {
			return kit.Reply{}, kit.BadRequest("text is longer than %d bytes", maxLen)
		}
		note := n.Add(Note{ID: n.RNG().UUID(), Text: in.Text})
		c.Header().Set("Location", c.BaseURL()+"/v1/notes/"+note.ID)
		return kit.JSON(http.StatusCreated, note), nil
	}
}

func (n *Notes) get(c *kit.Call) (kit.Reply, error) {
	note, ok := n.Note(c.Var("id"))
	if !ok {
		return kit.Reply{}, kit.NotFound("no note %s", c.Var("id"))
	}
	return kit.OK(note), nil
}

// Add seeds a note, bypassing HTTP, faults and the journal.
func (n *Notes) Add(note Note) Note {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notes[note.ID] = note
	return note
}

// Note returns a copy of the note with id.
func (n *Notes) Note(id string) (Note, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	note, ok := n.notes[id]
	return note, ok
}

func Example() {
	// In a test: notes := NewNotes(t, WithMaxLen(10)).
	notes, err := NewUnstartedNotes(WithMaxLen(10))
	if err != nil {
		panic(err)
	}
	notes.Start()

	post := func(body string) {
		resp, err := notes.Client().Post(notes.URL()+"/v1/notes", "application/json", strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(b)))
	}
	post(`{"text":"hello"}`)
	post(`{"text":"far too long for this"}`)
	post(`{"txt":"typo"}`)
	fmt.Println(fake.Ops(notes.Requests()))
	notes.Close()
	// Output:
	// 201 {"id":"fa52e5d8-653c-4fe6-bc3e-7d01b48d25eb","text":"hello"}
	// 400 {"error":{"code":400,"message":"text is longer than 10 bytes"}}
	// 400 {"error":{"code":400,"message":"Malformed request body: unknown field \"txt\""}}
	// [notes.create notes.create notes.create]
}
