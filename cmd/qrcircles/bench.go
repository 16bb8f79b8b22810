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
	"slices"
	"strings"
	"time"

	"qrcircles/authz"
	"qrcircles/config"
	"qrcircles/resource/server"
	"qrcircles/storage"
)

const benchUsage = `usage:
  qrcircles bench token [--concurrency 16] [--duration 10s] [--target URL --client-id ID --client-secret S] [--json]
  qrcircles bench join [--users 5000] [--concurrency 200] [--mode open|capped|allowlist|exclusions|review]
                       [--floor] [--instances 1|2] [--profile DIR] [--json]
  qrcircles bench push [--users 10000] [--concurrency 100] [--floor] [--instances 1|2] [--profile DIR] [--json]`

type benchFlags struct {
	concurrency int
	duration    time.Duration
	users       int
	json        bool
	cpuProfile  string
	profile     string
	floor       bool
	instances   int
	joinMode    string // bench join's --mode, taken out of the arguments before the config's
	target      string
	clientID    string
	secret      string
	scope       string
}

func (f *benchFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.concurrency, "concurrency", 0, "concurrent clients (default 16 for token, 200 for join; for push, streams connecting at once, default 100)")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "how long to send requests (token)")
	fs.IntVar(&f.users, "users", 0, "distinct users: each joins once (join, default 5000), or each holds a stream (push, default 10000)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.StringVar(&f.profile, "profile", "", "write CPU, block and mutex profiles of the measured part to this folder")
	fs.BoolVar(&f.floor, "floor", false, "first measure the floor: the same load on the least the machine must do (join, push)")
	fs.IntVar(&f.instances, "instances", 1, "server instances on the one database, the clients spread over them (join, push)")
	fs.StringVar(&f.target, "target", "", "base URL of another authorization server to measure instead of this one (token)")
	fs.StringVar(&f.clientID, "client-id", "", "client_credentials client at --target")
	fs.StringVar(&f.secret, "client-secret", "", "its secret")
	fs.StringVar(&f.scope, "scope", "circles:read", "scope the token requests ask for (token)")
}

// benchResult is what a benchmark prints.
type benchResult struct {
	Benchmark   string  `json:"benchmark"`
	Database    string  `json:"database"`
	Target      string  `json:"target,omitempty"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	PerSecond   float64 `json:"per_second"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
}

func (m *Main) bench(ctx context.Context, args []string) error {
	if len(args) == 0 || !slices.Contains([]string{"token", "join", "push", benchInstanceCmd}, args[0]) {
		return fmt.Errorf("%s", benchUsage)
	}
	var f benchFlags
	rest := args[1:]
	if args[0] == "join" {
		var err error
		if f.joinMode, rest, err = takeJoinMode(rest); err != nil {
			return err
		}
	}
	cfg, _, err := m.loadConfig("bench", rest, f.register)
	if err != nil {
		return err
	}
	if args[0] == benchInstanceCmd {
		return m.benchInstance(ctx, cfg, f)
	}
	if f.concurrency == 0 {
		f.concurrency = map[string]int{"token": 16, "join": 200, "push": 100}[args[0]]
	}
	if f.users == 0 {
		f.users = map[string]int{"token": 1, "join": 5000, "push": 10000}[args[0]]
	}
	if f.concurrency < 1 || f.duration <= 0 || f.users < 1 || f.instances < 1 {
		return fmt.Errorf("--concurrency, --duration, --users and --instances must be positive")
	}
	if f.users > 99999 {
		return fmt.Errorf("--users: at most 99999 (the bench's phone numbers have five digits for the person)")
	}
	if f.profile != "" {
		if err := os.MkdirAll(f.profile, 0o755); err != nil {
			return fmt.Errorf("--profile: %w", err)
		}
	}
	switch args[0] {
	case "push":
		r, err := benchPush(ctx, cfg, f, m.logger(cfg))
		if err != nil {
			return err
		}
		return m.printPush(r, f.json)
	case "join":
		r, err := benchJoin(ctx, cfg, f, m.logger(cfg))
		if err != nil {
			return err
		}
		return m.printJoin(r, f.json)
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
	res, err := benchToken(ctx, cfg, f, m.logger(cfg))
	if err != nil {
		return err
	}
	return m.printBench(res, f.json)
}

// benchServer is the server under benchmark, on a loopback port.
type benchServer struct {
	app  *app
	db   *storage.DB
	base string
	stop func()
}

// startBenchServer starts the server on a loopback port. Its public URL is its own address,
// or public when that is given (every instance of one system shares its public URL: the
// circle URLs, and so the audiences of scan sessions, are built from it).
func startBenchServer(ctx context.Context, cfg config.Config, public *url.URL) (*benchServer, error) {
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
	base := cfg.PublicURL.String()
	if public != nil {
		cfg.PublicURL = public
	}
	quiet := server.NewLogger(io.Discard, true, slog.LevelError)
	a, err := buildApp(ctx, cfg, quiet, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	srv := &http.Server{Handler: a.engine}
	go srv.Serve(ln)
	return &benchServer{app: a, db: db, base: base, stop: func() { srv.Close(); db.Close() }}, nil
}

// benchToken registers a client_credentials client and measures the token endpoint from
// concurrent clients for a while. With --target it measures another server's token endpoint
// instead, with the client given, so that both go through the same load.
func benchToken(ctx context.Context, cfg config.Config, f benchFlags, log *slog.Logger) (benchResult, error) {
	if f.target != "" {
		return benchTokenAt(ctx, f, log)
	}
	bs, err := startBenchServer(ctx, cfg, nil)
	if err != nil {
		return benchResult{}, err
	}
	defer bs.stop()
	clients := bs.app.authz.Clients()
	c, secret, err := clients.Create(ctx, authz.ClientSpec{
		Name: "bench token", Scopes: []string{f.scope}, Grants: []string{authz.GrantClientCredentials},
	}, time.Now())
	if err != nil {
		return benchResult{}, err
	}
	defer clients.Delete(context.WithoutCancel(ctx), c.ID)
	log.Info("benchmarking the token endpoint", "concurrency", f.concurrency, "duration", f.duration.String(), "database", bs.db.Dialect())
	prof, err := startProfile(f.profile, "")
	if err != nil {
		return benchResult{}, err
	}
	res := tokenLoad(ctx, f, bs.base+"/oauth2/token", c.ID, secret)
	if err := prof.stop(); err != nil {
		return res, err
	}
	res.Database = bs.db.Dialect()
	return res, nil
}

// benchTokenAt measures the token endpoint of the server at f.target.
func benchTokenAt(ctx context.Context, f benchFlags, log *slog.Logger) (benchResult, error) {
	if f.clientID == "" || f.secret == "" {
		return benchResult{}, fmt.Errorf("--target needs --client-id and --client-secret")
	}
	target := strings.TrimRight(f.target, "/")
	log.Info("benchmarking a token endpoint", "target", target, "concurrency", f.concurrency, "duration", f.duration.String())
	// One request first: a wrong URL or client should stop the run, not count as errors.
	if !send(&http.Client{Timeout: 30 * time.Second}, tokenRequest(target+"/oauth2/token", f.clientID, f.secret, f.scope)) {
		return benchResult{}, fmt.Errorf("%s/oauth2/token did not issue a token to client %s", target, f.clientID)
	}
	res := tokenLoad(ctx, f, target+"/oauth2/token", f.clientID, f.secret)
	res.Database, res.Target = "external", target
	return res, nil
}

func tokenLoad(ctx context.Context, f benchFlags, tokenURL, clientID, secret string) benchResult {
	res := runLoad(ctx, f, func(hc *http.Client) bool {
		return send(hc, tokenRequest(tokenURL, clientID, secret, f.scope))
	})
	res.Benchmark = "token"
	return res
}

// tokenRequest asks for a client_credentials token with HTTP Basic client authentication
// (RFC 6749 section 2.3.1: the ID and secret form-encoded first).
func tokenRequest(tokenURL, clientID, secret, scope string) *http.Request {
	body := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()
	req, _ := http.NewRequest("POST", tokenURL, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	return req
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
	return measure(f.concurrency, func() (int, bool) { return 0, ctx.Err() == nil }, func(_ int, c *benchClient) bool { return do(c.http) })
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (m *Main) printBench(r benchResult, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(m.Stdout).Encode(r)
	}
	where := r.Database
	if r.Target != "" {
		where = r.Target
	}
	fmt.Fprintf(m.Stdout, "%s on %s, %d concurrent clients, %.1f s\n", r.Benchmark, where, r.Concurrency, r.Seconds)
	fmt.Fprintf(m.Stdout, "  %d ok, %d errors\n  %.0f per second\n  latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		r.Requests, r.Errors, r.PerSecond, r.P50ms, r.P99ms, r.MaxMs)
	return nil
}
