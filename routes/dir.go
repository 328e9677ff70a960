package routes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// dirLoader keeps the sets of a directory provisioned: one per <name>.json.
type dirLoader struct {
	rt    *Routes
	dir   string
	every time.Duration

	mu     sync.Mutex // one poll at a time
	stamps map[string]stamp

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// stamp is what says a file changed.
type stamp struct {
	mod  time.Time
	size int64
}

// files are the directory's set files, by path, with their stamps.
func (d *dirLoader) files() (map[string]stamp, error) {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, fmt.Errorf("routes: %v", err)
	}
	out := map[string]stamp{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed since the listing
		}
		out[filepath.Join(d.dir, e.Name())] = stamp{mod: info.ModTime(), size: info.Size()}
	}
	return out, nil
}

// read parses one file into its set (named after the file).
func readSetFile(path string) (source, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return source{}, err
	}
	var s Set
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return source{}, fmt.Errorf("%s: %v", path, err)
	}
	if dec.More() {
		return source{}, fmt.Errorf("%s: data after the set", path)
	}
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	if s.Name != "" && s.Name != name {
		return source{}, fmt.Errorf("%s: the set's name %q differs from the file's %q", path, s.Name, name)
	}
	s.Name = name
	return source{Set: s, file: path}, nil
}

// loadAll reads every file at start; any bad one is an error.
func (d *dirLoader) loadAll() ([]source, error) {
	files, err := d.files()
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []source
	for _, p := range paths {
		s, err := readSetFile(p)
		if err != nil {
			return nil, fmt.Errorf("routes: %v", err)
		}
		out = append(out, s)
		d.stamps[p] = files[p]
	}
	return out, nil
}

func (d *dirLoader) start() {
	every := d.every
	if every <= 0 {
		every = time.Second
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-t.C:
				_ = d.poll() // logged
			}
		}
	}()
}

func (d *dirLoader) close() {
	d.stopOnce.Do(func() { close(d.stop) })
	d.wg.Wait()
}

// poll provisions the files that changed, and deletes the sets of those
// removed. A bad file is logged and its set kept as it was; the errors
// are returned together.
func (d *dirLoader) poll() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	files, err := d.files()
	if err != nil {
		d.logf("%v", err)
		return err
	}
	var errs []error
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if old, ok := d.stamps[p]; ok && old == files[p] {
			continue
		}
		d.stamps[p] = files[p] // a bad file is not read again until it changes
		if err := d.provision(p); err != nil {
			errs = append(errs, err)
		}
	}
	for p := range d.stamps {
		if _, ok := files[p]; !ok {
			delete(d.stamps, p)
			d.remove(p)
		}
	}
	return errors.Join(errs...)
}

func (d *dirLoader) provision(path string) error {
	s, err := readSetFile(path)
	if err == nil {
		_, err = d.rt.put(s)
		if err != nil {
			err = fmt.Errorf("%s: %v", path, err)
		}
	}
	if err != nil {
		d.logf("routes: %v; the set is kept as it was", err)
		return err
	}
	d.logf("routes: %s: set %q provisioned", path, s.Name)
	return nil
}

// remove deletes the set a removed file had provisioned.
func (d *dirLoader) remove(path string) {
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	if d.rt.deleteFrom(name, path) {
		d.logf("routes: %s removed: set %q deleted", path, name)
	}
}

func (d *dirLoader) logf(format string, args ...any) {
	if d.rt.log != nil {
		fmt.Fprintf(d.rt.log, format+"\n", args...)
	}
}
