package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"qrcircles/authz"
	"qrcircles/config"
	"qrcircles/resource/server"
	"qrcircles/storage"
)

const benchUsage = `usage:
  qrcircles bench token [--concurrency 16] [--duration 10s] [--json]
  qrcircles bench join [--users 5000] [--concurrency 200] [--json]
  qrcircles bench push [--users 10000] [--concurrency 100] [--json]`

type benchFlags struct {
	concurrency int
	duration    time.Duration
	users       int
	json        bool
	cpuProfile  string
}

func (f *benchFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.concurrency, "concurrency", 0, "concurrent clients (default 16 for token, 200 for join)")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "how long to send requests (token)")
	fs.IntVar(&f.users, "users", 0, "distinct users: each joins once (join, default 5000), or each holds a stream (push, default 10000)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
}

// benchResult is what a benchmark prints.
type benchResult struct {
	Benchmark   string  `json:"benchmark"`
	Database    string  `json:"database"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	Memberships int     `json:"memberships,omitempty"`
	Verified    *bool   `json:"verified,omitempty"`
	PerSecond   float64 `json:"per_second"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
}

func (m *Main) bench(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "token" && args[0] != "join" && args[0] != "push") {
		return fmt.Errorf("%s", benchUsage)
	}
	var f benchFlags
	cfg, _, err := m.loadConfig("bench", args[1:], f.register)
	if err != nil {
		return err
	}
	if f.concurrency == 0 {
		f.concurrency = map[string]int{"token": 16, "join": 200, "push": 100}[args[0]]
	}
	if f.users == 0 {
		f.users = map[string]int{"token": 1, "join": 5000, "push": 10000}[args[0]]
	}
	if f.concurrency < 1 || f.duration <= 0 || f.users < 1 {
		return fmt.Errorf("--concurrency, --duration and --users must be positive")
	}
	if args[0] == "push" {
		r, err := benchPush(ctx, cfg, f, m.logger(cfg))
		if err != nil {
			return err
		}
		return m.printPush(r, f.json)
	}
	run := benchToken
	if args[0] == "join" {
		run = benchJoin
	}
	if f.cpuProfile != "" {
		out, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res, err := run(ctx, cfg, f, m.logger(cfg))
	if err != nil {
		return err
	}
	if err := m.printBench(res, f.json); err != nil {
		return err
	}
	if res.Verified != nil && !*res.Verified {
		return fmt.Errorf("%d memberships after %d joins: joins were lost or doubled", res.Memberships, f.users)
	}
	return nil
}

// benchServer is the server under benchmark, on a loopback port.
type benchServer struct {
	app  *app
	db   *storage.DB
	base string
	stop func()
}

func startBenchServer(ctx context.Context, cfg config.Config) (*benchServer, error) {
	db, err := openDatabase(ctx, cfg, true)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return nil, err
	}
	cfg.PublicURL = &url.URL{Scheme: "http", Host: ln.Addr().String()}
	quiet := server.NewLogger(io.Discard, true, slog.LevelError)
	a, err := buildApp(ctx, cfg, quiet, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	srv := &http.Server{Handler: a.engine}
	go srv.Serve(ln)
	return &benchServer{app: a, db: db, base: cfg.PublicURL.String(), stop: func() { srv.Close(); db.Close() }}, nil
}

// benchToken registers a client_credentials client and measures the token endpoint from
// concurrent clients for a while.
func benchToken(ctx context.Context, cfg config.Config, f benchFlags, log *slog.Logger) (benchResult, error) {
	bs, err := startBenchServer(ctx, cfg)
	if err != nil {
		return benchResult{}, err
	}
	defer bs.stop()
	clients := bs.app.authz.Clients()
	c, secret, err := clients.Create(ctx, authz.ClientSpec{
		Name: "bench token", Scopes: []string{"circles:read"}, Grants: []string{authz.GrantClientCredentials},
	}, time.Now())
	if err != nil {
		return benchResult{}, err
	}
	defer clients.Delete(context.WithoutCancel(ctx), c.ID)
	log.Info("benchmarking the token endpoint", "concurrency", f.concurrency, "duration", f.duration.String(), "database", bs.db.Dialect())

	body := url.Values{"grant_type": {"client_credentials"}, "scope": {"circles:read"}}.Encode()
	tokenURL := bs.base + "/oauth2/token"
	res := runLoad(ctx, f, func(hc *http.Client) bool {
		req, _ := http.NewRequest("POST", tokenURL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.ID, secret)
		return send(hc, req)
	})
	res.Benchmark, res.Database = "token", bs.db.Dialect()
	return res, nil
}

// send does the request and reports whether it got a 2xx.
func send(hc *http.Client, req *http.Request) bool {
	r, err := hc.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r.StatusCode/100 == 2
}

// runLoad calls do from f.concurrency goroutines until f.duration has passed and measures it.
func runLoad(ctx context.Context, f benchFlags, do func(*http.Client) bool) benchResult {
	ctx, cancel := context.WithTimeout(ctx, f.duration)
	defer cancel()
	return measure(f.concurrency, func() (int, bool) { return 0, ctx.Err() == nil }, func(_ int, hc *http.Client) bool { return do(hc) })
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (m *Main) printBench(r benchResult, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(m.Stdout).Encode(r)
	}
	fmt.Fprintf(m.Stdout, "%s on %s, %d concurrent clients, %.1f s\n", r.Benchmark, r.Database, r.Concurrency, r.Seconds)
	fmt.Fprintf(m.Stdout, "  %d ok, %d errors\n  %.0f per second\n  latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		r.Requests, r.Errors, r.PerSecond, r.P50ms, r.P99ms, r.MaxMs)
	if r.Verified != nil {
		fmt.Fprintf(m.Stdout, "  %d memberships afterwards (none lost or doubled: %v)\n", r.Memberships, *r.Verified)
	}
	return nil
}
