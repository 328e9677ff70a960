// Command healthcheck is the container image's health check: the image is
// built on an empty base, with no shell and no curl, so it carries this
// small static program beside the server. It asks one URL (by default the
// server's GET /healthz on 127.0.0.1:8900) and exits 0 on a 2xx answer
// within the timeout, 1 otherwise, saying why on stderr.
//
//	healthcheck                                   # http://127.0.0.1:8900/healthz
//	healthcheck -timeout 5s http://127.0.0.1:9000/healthz
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// defaultURL is the server's health endpoint on its default port, seen
// from inside the container.
const defaultURL = "http://127.0.0.1:8900/healthz"

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run checks the URL the arguments name and returns the exit code.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	url := defaultURL
	switch fs.NArg() {
	case 0:
	case 1:
		url = fs.Arg(0)
	default:
		fmt.Fprintln(stderr, "healthcheck: at most one URL")
		return 2
	}
	if err := check(url, *timeout); err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return 1
	}
	return 0
}

// check asks url and wants a 2xx status within timeout.
func check(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
