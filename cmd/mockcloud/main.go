// Command mockcloud serves the whole mockcloud Cloud on one port for clients
// in any language, with a control API under /mockcloud/v1/ and Mimic's
// control paths.
//
//	go run ./cmd/mockcloud                 # 127.0.0.1:8900, real-time clock
//	go run ./cmd/mockcloud -frozen         # time moves only on POST /mockcloud/v1/tick
//	go run ./cmd/mockcloud -addr :9000 -seed 7 -no-auth
//
// GET / says how to authenticate. SIGINT or SIGTERM shut it down cleanly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/mesos"
)

// config is what the flags say.
type config struct {
	addr    string
	frozen  bool
	seed    int64
	noAuth  bool
	strict  bool
	regions string
	// mesosConfig is a JSON file with the Mesos master's settings (agents,
	// durations, outcome weights, task rules): mesos.Config as JSON.
	mesosConfig string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("mockcloud", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8900", "address to listen on (Mimic's port by default)")
	fs.BoolVar(&cfg.frozen, "frozen", false, "freeze the clock (as Mimic does): time moves only when ticked")
	fs.Int64Var(&cfg.seed, "seed", 1, "seed for generated IDs and probabilistic faults")
	fs.BoolVar(&cfg.noAuth, "no-auth", false, "let requests into services without a token")
	fs.BoolVar(&cfg.strict, "strict", false, "admit only seeded users (none are seeded by the server: for tests of auth failures)")
	fs.StringVar(&cfg.mesosConfig, "mesos-config", "", "JSON file with the Mesos master's agents, durations and outcome weights")
	fs.StringVar(&cfg.regions, "regions", strings.Join(mockcloud.DefaultRegions(), ","), "comma-separated regions")
	err := fs.Parse(args)
	return cfg, err
}

// build turns the flags into a Cloud (and the clock it must close).
func build(cfg config) (*mockcloud.Cloud, *clock.Clock, error) {
	var mesosOpts []fake.Option
	if cfg.mesosConfig != "" {
		data, err := os.ReadFile(cfg.mesosConfig)
		if err != nil {
			return nil, nil, err
		}
		mc, err := mesos.ParseConfig(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", cfg.mesosConfig, err)
		}
		mesosOpts = append(mesosOpts, mesos.WithConfig(mc))
	}
	clk := clock.NewRealTime()
	if cfg.frozen {
		clk = clock.New(clock.DefaultStart())
	}
	opts := []mockcloud.Option{mockcloud.WithClock(clk), mockcloud.WithSeed(cfg.seed)}
	if cfg.noAuth {
		opts = append(opts, mockcloud.WithoutAuth())
	}
	if cfg.strict {
		opts = append(opts, mockcloud.Configure(identity.Descriptor().Name, identity.Strict()))
	}
	if r := strings.TrimSpace(cfg.regions); r != "" {
		regions, err := parseRegions(r)
		if err != nil {
			clk.Close()
			return nil, nil, err
		}
		opts = append(opts, mockcloud.WithRegions(regions...))
	}
	opts = append(opts, mockcloud.Configure(mesos.Descriptor().Name, mesosOpts...))
	cloud, err := mockcloud.NewUnstarted(opts...)
	if err != nil {
		clk.Close()
		return nil, nil, err
	}
	return cloud, clk, nil
}

// parseRegions reads -regions: names separated by commas, spaces around
// them ignored. Each region is a path segment (/compute/{region}), so an
// empty, repeated or slashed name is refused here rather than left to panic
// when the routes are registered.
func parseRegions(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, r := range strings.Split(list, ",") {
		r = strings.TrimSpace(r)
		switch {
		case r == "":
			return nil, fmt.Errorf("-regions %q: empty region name", list)
		case strings.ContainsAny(r, "/ \t"):
			return nil, fmt.Errorf("-regions %q: region %q contains a slash or a space", list, r)
		case seen[r]:
			return nil, fmt.Errorf("-regions %q: region %q given twice", list, r)
		}
		seen[r] = true
		out = append(out, r)
	}
	return out, nil
}

// run serves until ctx is done, then shuts down within a few seconds.
func run(ctx context.Context, cfg config, ready func(addr string), logw io.Writer) error {
	cloud, clk, err := build(cfg)
	if err != nil {
		return err
	}
	defer clk.Close()
	defer cloud.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: cloud.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	fmt.Fprintf(logw, "mockcloud serving on http://%s (identity: http://%s%s/)\n", addr, addr, identity.Descriptor().Prefix)
	if ready != nil {
		ready(addr)
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Streams and delayed fault answers end with the services, so Shutdown
	// does not wait out a client's long poll.
	cloud.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(logw, "mockcloud stopped")
	return nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, nil, os.Stderr); err != nil {
		log.Fatal(err)
	}
}
