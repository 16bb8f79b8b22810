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
	"slices"
	"strings"
	"sync"
	"time"

	"qrcircles/authz"
	"qrcircles/config"
	"qrcircles/resource/server"
)

const benchUsage = `usage: qrcircles bench token [--concurrency 16] [--duration 10s] [--json]`

type benchFlags struct {
	concurrency int
	duration    time.Duration
	json        bool
}

func (f *benchFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.concurrency, "concurrency", 16, "concurrent clients")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "how long to send requests")
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
}

// benchResult is what a benchmark prints.
type benchResult struct {
	Benchmark   string  `json:"benchmark"`
	Database    string  `json:"database"`
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
	if len(args) == 0 || args[0] != "token" {
		return fmt.Errorf("%s", benchUsage)
	}
	var f benchFlags
	cfg, _, err := m.loadConfig("bench", args[1:], f.register)
	if err != nil {
		return err
	}
	if f.concurrency < 1 || f.duration <= 0 {
		return fmt.Errorf("--concurrency and --duration must be positive")
	}
	res, err := benchToken(ctx, cfg, f, m.logger(cfg))
	if err != nil {
		return err
	}
	return m.printBench(res, f.json)
}

// benchToken starts the server on a loopback port against the configured database, registers
// a client_credentials client, and measures the token endpoint from concurrent clients.
func benchToken(ctx context.Context, cfg config.Config, f benchFlags, log *slog.Logger) (benchResult, error) {
	db, err := openDatabase(ctx, cfg, true)
	if err != nil {
		return benchResult{}, err
	}
	defer db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return benchResult{}, err
	}
	cfg.PublicURL = &url.URL{Scheme: "http", Host: ln.Addr().String()}
	quiet := server.NewLogger(io.Discard, true, slog.LevelError)
	a, err := buildApp(ctx, cfg, quiet, db)
	if err != nil {
		return benchResult{}, err
	}
	srv := &http.Server{Handler: a.engine}
	go srv.Serve(ln)
	defer srv.Close()

	clients := authz.NewClients(db, cfg.Secret, cfg.PublicURL)
	c, secret, err := clients.Create(ctx, authz.ClientSpec{
		Name: "bench token", Scopes: []string{"circles:read"}, Grants: []string{authz.GrantClientCredentials},
	}, time.Now())
	if err != nil {
		return benchResult{}, err
	}
	defer clients.Delete(context.WithoutCancel(ctx), c.ID)
	log.Info("benchmarking the token endpoint", "concurrency", f.concurrency, "duration", f.duration.String(), "database", db.Dialect())

	body := url.Values{"grant_type": {"client_credentials"}, "scope": {"circles:read"}}.Encode()
	tokenURL := cfg.PublicURL.String() + "/oauth2/token"
	res := runLoad(ctx, f, func(hc *http.Client) bool {
		req, _ := http.NewRequest("POST", tokenURL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.ID, secret)
		r, err := hc.Do(req)
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r.StatusCode == http.StatusOK
	})
	res.Benchmark, res.Database = "token", db.Dialect()
	return res, nil
}

// runLoad calls do from f.concurrency goroutines until f.duration has passed and measures it.
func runLoad(ctx context.Context, f benchFlags, do func(*http.Client) bool) benchResult {
	ctx, cancel := context.WithTimeout(ctx, f.duration)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	errors := 0
	var wg sync.WaitGroup
	start := time.Now()
	for range f.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 30 * time.Second}
			var mine []time.Duration
			bad := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				if do(hc) {
					mine = append(mine, time.Since(t0))
				} else {
					bad++
				}
			}
			mu.Lock()
			all = append(all, mine...)
			errors += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(all)
	r := benchResult{Concurrency: f.concurrency, Seconds: elapsed.Seconds(), Requests: len(all), Errors: errors}
	if len(all) > 0 {
		r.PerSecond = float64(len(all)) / elapsed.Seconds()
		r.P50ms = ms(all[len(all)*50/100])
		r.P99ms = ms(all[len(all)*99/100])
		r.MaxMs = ms(all[len(all)-1])
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (m *Main) printBench(r benchResult, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(m.Stdout).Encode(r)
	}
	fmt.Fprintf(m.Stdout, "%s on %s, %d concurrent clients, %.1f s\n", r.Benchmark, r.Database, r.Concurrency, r.Seconds)
	fmt.Fprintf(m.Stdout, "  %d ok, %d errors\n  %.0f per second\n  latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		r.Requests, r.Errors, r.PerSecond, r.P50ms, r.P99ms, r.MaxMs)
	return nil
}
