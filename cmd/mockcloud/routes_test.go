package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServerRoutesFromDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, doc string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("initial.json", `{"rules": [{"match": {"path": "/status"}, "answer": {"body": "{\"ok\":true}"}}]}`)
	write("auth.json", `{"listener": "auth", "rules": [{"match": {"method": "POST", "path": "/token"}, "answer": {"status": 201, "body": "{\"token\":\"t-{{.Query.user}}\"}"}}]}`)
	authAddr := freeAddr(t)
	base, log := startServer(t, "-routes", dir, "-routes-poll", "10ms", "-routes-listen", "auth="+authAddr, "-services", "compute")
	if s, body := get(t, base+"/status"); s != 200 || body != `{"ok":true}` {
		t.Errorf("main listener: %d %s", s, body)
	}
	resp, err := http.Post("http://"+authAddr+"/token?user=ann", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(b) != `{"token":"t-ann"}` {
		t.Errorf("auth listener: %d %s", resp.StatusCode, b)
	}
	if !strings.Contains(log.String(), "routes listener auth on http://"+authAddr) {
		t.Errorf("log does not name the listener:\n%s", log)
	}
	// Reloaded when the file changes; a bad file is logged and the set kept.
	write("initial.json", `{"rules": [{"match": {"path": "/status"}, "answer": {"body": "{\"ok\":\"reloaded\"}"}}]}`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, body := get(t, base+"/status"); strings.Contains(body, "reloaded") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the changed file was not served")
		}
		time.Sleep(10 * time.Millisecond)
	}
	write("initial.json", `{"rules": [{"match": {"path": "/status", "method": "GET POST"}, "answer": {}}]}`)
	for !strings.Contains(log.String(), "kept as it was") {
		if time.Now().After(deadline) {
			t.Fatalf("the bad file was not logged:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(log.String(), "rule 0: match.method") {
		t.Errorf("the log does not say what is wrong:\n%s", log)
	}
	if _, body := get(t, base+"/status"); !strings.Contains(body, "reloaded") {
		t.Errorf("after a bad file: %s", body)
	}
	// The control API lists both sets.
	if _, body := get(t, base+"/mockcloud/v1/routes/sets"); !strings.Contains(body, `"name":"auth","listener":"auth","active":true`) {
		t.Errorf("sets: %s", body)
	}
}

func TestServerRoutesRefusesABadDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "initial.json"), []byte(`{"rules": [{"match": {"path": "/x"}, "answer": {"body": "{{"}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseFlags(append(freePorts(), "-routes", dir, "-services", "compute"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	err = run(t.Context(), cfg, nil, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "initial.json") || !strings.Contains(err.Error(), "rule 0: answer.body") {
		t.Errorf("run: %v, want the file, the rule and the field", err)
	}
	for _, bad := range [][]string{{"-routes-listen", "noaddr"}, {"-routes-listen", "a=:1", "-routes-listen", "a=:2"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
