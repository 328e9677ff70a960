// Command mockcloud serves the whole mockcloud Cloud on one port for clients
// in any language, with a control API under /mockcloud/v1/ and Mimic's
// control paths, and Triton's four APIs each on a port of its own (their
// clients drop any path in the URL): CloudAPI on 8901, VMAPI 8902, CNAPI
// 8903, NAPI 8904.
//
//	go run ./cmd/mockcloud                 # 127.0.0.1:8900 (and 8901-8904), real-time clock
//	go run ./cmd/mockcloud -frozen         # time moves only on POST /mockcloud/v1/tick (from the instant it starts)
//	go run ./cmd/mockcloud -profile mimic -frozen   # answers as Mimic does (see README's Mimic profile table)
//	go run ./cmd/mockcloud -addr :9000 -seed 7 -no-auth
//	go run ./cmd/mockcloud -services compute,loadbalancer   # no Triton, no ports beside -addr
//	go run ./cmd/mockcloud -routes ./routes.d -routes-listen auth=127.0.0.1:9100   # programmable routes (README)
//	go run ./cmd/mockcloud -triton-addr :9001 -vmapi-addr :9002 -cnapi-addr :9003 -napi-addr :9004
//
// GET / says how to authenticate and lists every service's URL, Triton's
// origins included ("triton", "triton/vmapi" …). SIGINT or SIGTERM shut it
// down cleanly.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/clock"
	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/identity"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/mesos"
	"github.com/mockcloud/mockcloud/routes"
	"github.com/mockcloud/mockcloud/triton"
)

// config is what the flags say.
type config struct {
	addr    string
	frozen  bool
	seed    int64
	noAuth  bool
	strict  bool
	regions string
	// regionsSet: -regions was given (else the profile's, or the default).
	regionsSet bool
	profile    mockcloud.Profile
	// mesosConfig is a JSON file with the Mesos master's settings (agents,
	// durations, outcome weights, task rules): mesos.Config as JSON.
	mesosConfig string
	// services names the services to mount ("all": every one mockcloud
	// has, Triton included).
	services string
	// originAddrs are the addresses of Triton's APIs, by origin name
	// ("triton", "triton/vmapi" …).
	originAddrs map[string]string
	// controlToken, when set, is the bearer token control calls need.
	controlToken string
	// journalLimit bounds the journal: the standalone server runs for
	// days, so it keeps only the last requests (0 keeps all).
	journalLimit int
	// configFile is -config's path; file what it holds (configfile.go).
	configFile string
	file       *fileConfig
	// routesDir is the directory of route sets (-routes); routesListen
	// the rules' extra listeners, name=addr (-routes-listen); routesPoll
	// how often the directory is checked for changes.
	routesDir    string
	routesListen listenFlag
	routesPoll   time.Duration
}

// listenFlag is a repeated name=addr flag, in the order given.
type listenFlag []namedAddr

type namedAddr struct{ name, addr string }

func (l *listenFlag) String() string {
	var parts []string
	for _, n := range *l {
		parts = append(parts, n.name+"="+n.addr)
	}
	return strings.Join(parts, ",")
}

func (l *listenFlag) Set(v string) error {
	name, addr, ok := strings.Cut(v, "=")
	if !ok || name == "" || addr == "" {
		return fmt.Errorf("want name=addr, such as api=127.0.0.1:9100")
	}
	for _, n := range *l {
		if n.name == name {
			return fmt.Errorf("listener %q given twice", name)
		}
	}
	*l = append(*l, namedAddr{name, addr})
	return nil
}

// routesOn says whether the programmable routes are mounted.
func (cfg config) routesOn() bool { return cfg.routesDir != "" || len(cfg.routesListen) > 0 }

// standaloneTimeouts bound the server's connections: a client that stops
// mid-request loses its connection after two minutes (a 64 MiB control
// body on a slow link fits), so it cannot hold it, or a shutdown, forever.
func standaloneTimeouts() mockcloud.ServerTimeouts {
	return mockcloud.ServerTimeouts{ReadHeader: 10 * time.Second, Read: 2 * time.Minute, Idle: 2 * time.Minute}
}

// defaultJournalLimit is how many requests the standalone server's journal
// keeps by default: enough to debug a test run, bounded for a server that
// runs for days.
const defaultJournalLimit = 10_000

// originFlags are the flags for the origins of Triton's APIs: the origin's
// name in GET /, the flag, its default address (next to Mimic's 8900) and
// what it serves.
var originFlags = []struct{ origin, flag, def, api string }{
	{triton.ServiceName, "triton-addr", "127.0.0.1:8901", "Triton's CloudAPI"},
	{triton.ServiceName + "/" + triton.VMAPI, "vmapi-addr", "127.0.0.1:8902", "Triton's VMAPI"},
	{triton.ServiceName + "/" + triton.CNAPI, "cnapi-addr", "127.0.0.1:8903", "Triton's CNAPI"},
	{triton.ServiceName + "/" + triton.NAPI, "napi-addr", "127.0.0.1:8904", "Triton's NAPI"},
}

// allServices are the services -services can name: the Cloud's defaults
// and Triton.
func allServices() []kit.Descriptor {
	return append(mockcloud.DefaultServices(), triton.Descriptor())
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
	fs.StringVar(&cfg.controlToken, "control-token", os.Getenv("MOCKCLOUD_CONTROL_TOKEN"), "bearer token the control API (/mockcloud/v1/…, Mimic's tick) requires (default $MOCKCLOUD_CONTROL_TOKEN; none: open)")
	fs.IntVar(&cfg.journalLimit, "journal-limit", defaultJournalLimit, "keep about the last N requests in the journal (0: all, unbounded)")
	fs.StringVar(&cfg.configFile, "config", "", "JSON file with regions, profile, users, projects and roles, images, flavors, quota, the Mesos cluster, Triton's CNs (flags given win over it)")
	fs.StringVar(&cfg.mesosConfig, "mesos-config", "", "JSON file with the Mesos master's agents, durations and outcome weights")
	fs.StringVar(&cfg.regions, "regions", strings.Join(mockcloud.DefaultRegions(), ","), "comma-separated regions")
	profile := fs.String("profile", "default", "answer as the real APIs do (default) or as Mimic does (mimic)")
	fs.StringVar(&cfg.services, "services", "all", "comma-separated services to mount, or all (identity is always mounted): "+strings.Join(serviceNames(), ", "))
	fs.StringVar(&cfg.routesDir, "routes", "", "directory of route sets, one <name>.json per set (initial active), reloaded when a file changes; also mounts the routes control API")
	fs.Var(&cfg.routesListen, "routes-listen", "an extra listener for route sets, name=addr (repeatable; a set names it in \"listener\")")
	fs.DurationVar(&cfg.routesPoll, "routes-poll", time.Second, "how often the -routes directory is checked for changes")
	addrs := make([]*string, len(originFlags))
	for i, o := range originFlags {
		addrs[i] = fs.String(o.flag, o.def, "address of "+o.api+" (an origin of its own; :0 for any free port)")
	}
	err := fs.Parse(args)
	fs.Visit(func(f *flag.Flag) { cfg.regionsSet = cfg.regionsSet || f.Name == "regions" })
	if err == nil {
		if cfg.profile, err = mockcloud.ParseProfile(*profile); err != nil {
			fmt.Fprintf(stderr, "-profile: %v\n", err)
		}
	}
	cfg.originAddrs = map[string]string{}
	for i, o := range originFlags {
		cfg.originAddrs[o.origin] = *addrs[i]
	}
	if err == nil && cfg.configFile != "" {
		fc, ferr := readConfigFile(cfg.configFile)
		if ferr != nil {
			fmt.Fprintf(stderr, "-config: %v\n", ferr)
			return cfg, ferr
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		cfg.mergeFile(&fc, set)
	}
	return cfg, err
}

func serviceNames() []string {
	var names []string
	for _, d := range allServices() {
		names = append(names, d.Name)
	}
	return names
}

// parseServices reads -services: "all", or names separated by commas.
func parseServices(list string) ([]kit.Descriptor, error) {
	list = strings.TrimSpace(list)
	if list == "" || list == "all" {
		return allServices(), nil
	}
	byName := map[string]kit.Descriptor{}
	for _, d := range allServices() {
		byName[d.Name] = d
	}
	var out []kit.Descriptor
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		d, ok := byName[name]
		switch {
		case !ok:
			return nil, fmt.Errorf("-services %q: no service %q (services: %s, or all)", list, name, strings.Join(serviceNames(), ", "))
		case seen[name]:
			return nil, fmt.Errorf("-services %q: service %q given twice", list, name)
		}
		seen[name] = true
		out = append(out, d)
	}
	return out, nil
}

// mounts reports whether services include the one named name.
func mounts(services []kit.Descriptor, name string) bool {
	for _, d := range services {
		if d.Name == name {
			return true
		}
	}
	return false
}

// build turns the flags into a Cloud (and the clock it must close), with
// extra options (the listeners run opens).
func build(cfg config, extra ...mockcloud.Option) (*mockcloud.Cloud, *clock.Clock, error) {
	services, err := parseServices(cfg.services)
	if err != nil {
		return nil, nil, err
	}
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
		// From the wall-clock instant the server starts, so the tokens it
		// issues expire in the future for clients that check.
		clk = clock.New(time.Now())
	}
	opts := []mockcloud.Option{mockcloud.WithClock(clk), mockcloud.WithSeed(cfg.seed), mockcloud.WithServices(services...),
		mockcloud.WithProfile(cfg.profile), mockcloud.WithJournalLimit(cfg.journalLimit), mockcloud.WithControlToken(cfg.controlToken)}
	if cfg.noAuth {
		opts = append(opts, mockcloud.WithoutAuth())
	}
	if cfg.strict {
		opts = append(opts, mockcloud.Configure(identity.Descriptor().Name, identity.Strict()))
	}
	if r := strings.TrimSpace(cfg.regions); r != "" && (cfg.regionsSet || cfg.profile == mockcloud.ProfileDefault) {
		regions, err := parseRegions(r)
		if err != nil {
			clk.Close()
			return nil, nil, err
		}
		opts = append(opts, mockcloud.WithRegions(regions...))
	}
	if len(mesosOpts) > 0 {
		if !mounts(services, mesos.ServiceName) {
			clk.Close()
			return nil, nil, fmt.Errorf("-mesos-config is given but -services %q has no mesos", cfg.services)
		}
		opts = append(opts, mockcloud.Configure(mesos.ServiceName, mesosOpts...))
	}
	fileOpts, err := cfg.file.options(services, cfg.mesosConfig != "")
	if err != nil {
		clk.Close()
		return nil, nil, err
	}
	opts = append(opts, fileOpts...)
	if cfg.routesOn() {
		names := make([]string, len(cfg.routesListen))
		for i, n := range cfg.routesListen {
			names[i] = n.name
		}
		ropts := []fake.Option{routes.WithListeners(names...)}
		if cfg.routesDir != "" {
			ropts = append(ropts, routes.WithDir(cfg.routesDir, cfg.routesPoll))
		}
		opts = append(opts, mockcloud.WithRoutes(ropts...))
	}
	opts = append(opts, extra...)
	cloud, err := mockcloud.NewUnstarted(opts...)
	if err != nil {
		clk.Close()
		return nil, nil, err
	}
	if err := cfg.file.seed(cloud, services); err != nil {
		cloud.Close()
		clk.Close()
		return nil, nil, fmt.Errorf("-config %s: %v", cfg.configFile, err)
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

// listen opens the Cloud's listener and those of the origins the mounted
// services need; on an error it closes what it opened.
func listen(cfg config) (root net.Listener, origins map[string]net.Listener, err error) {
	services, err := parseServices(cfg.services)
	if err != nil {
		return nil, nil, err
	}
	root, err = net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, nil, fmt.Errorf("-addr: %w", err)
	}
	origins = map[string]net.Listener{}
	for _, n := range cfg.routesListen {
		ln, err := net.Listen("tcp", n.addr)
		if err != nil {
			closeAll(root, origins)
			return nil, nil, fmt.Errorf("-routes-listen %s: %w", n.name, err)
		}
		origins[routes.ServiceName+"/"+n.name] = ln
	}
	if !mounts(services, triton.ServiceName) {
		return root, origins, nil
	}
	for _, o := range originFlags {
		addr := cfg.originAddrs[o.origin]
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			closeAll(root, origins)
			return nil, nil, fmt.Errorf("-%s: %w", o.flag, err)
		}
		origins[o.origin] = ln
	}
	return root, origins, nil
}

func closeAll(root net.Listener, origins map[string]net.Listener) {
	root.Close()
	for _, ln := range origins {
		ln.Close()
	}
}

// run serves until ctx is done, then shuts down within a few seconds.
func run(ctx context.Context, cfg config, ready func(addr string), logw io.Writer) error {
	root, origins, err := listen(cfg)
	if err != nil {
		return err
	}
	extra := []mockcloud.Option{mockcloud.WithListeners(root, origins), mockcloud.WithServerTimeouts(standaloneTimeouts())}
	if cfg.routesOn() {
		extra = append(extra, mockcloud.WithRoutes(routes.WithLog(logw)))
	}
	cloud, clk, err := build(cfg, extra...)
	if err != nil {
		closeAll(root, origins) // harmless when NewUnstarted closed them
		return err
	}
	defer clk.Close()
	defer cloud.Close()
	cloud.Start()

	addr := strings.TrimPrefix(cloud.URL(), "http://")
	fmt.Fprintf(logw, "mockcloud serving on http://%s (identity: http://%s%s/)\n", addr, addr, identity.Descriptor().Prefix)
	for _, o := range originFlags {
		if _, ok := origins[o.origin]; ok {
			fmt.Fprintf(logw, "%s on %s/\n", o.api, cloud.ServiceURL(o.origin, ""))
		}
	}
	for _, n := range cfg.routesListen {
		fmt.Fprintf(logw, "routes listener %s on %s/\n", n.name, cloud.ServiceURL(routes.ServiceName+"/"+n.name, ""))
	}
	if ready != nil {
		ready(addr)
	}
	<-ctx.Done()
	// Streams and delayed fault answers end with the services, then the
	// servers close, so shutting down does not wait out a long poll.
	cloud.Close()
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
