package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"qrcircles/authz"
	"qrcircles/config"
	"qrcircles/resource/circles"
)

// benchJoin has f.users distinct people, each with their own scan session, join one circle
// from f.concurrency clients, then counts the memberships: exactly one per person.
func benchJoin(ctx context.Context, cfg config.Config, f benchFlags, log *slog.Logger) (benchResult, error) {
	bs, err := startBenchServer(ctx, cfg)
	if err != nil {
		return benchResult{}, err
	}
	defer bs.stop()
	run := benchRunID()
	org, _, err := bs.db.EnsureUser(ctx, fmt.Sprintf("+8616%04d99999", run), time.Now())
	if err != nil {
		return benchResult{}, err
	}
	title := fmt.Sprintf("bench join %04d", run)
	circle, err := bs.app.circles.Create(ctx, org.ID, circles.Input{Title: &title})
	if err != nil {
		return benchResult{}, err
	}
	circleURL := bs.app.circles.URL(circle)
	log.Info("preparing scan sessions", "users", f.users, "database", bs.db.Dialect())
	tokens, err := benchScanSessions(ctx, bs, run, f.users, circleURL)
	if err != nil {
		return benchResult{}, err
	}
	log.Info("joining", "users", f.users, "concurrency", f.concurrency)
	joinURL := fmt.Sprintf("%s/api/v1/circles/%d/join", bs.base, circle.ID)
	res := runJobs(f.users, f.concurrency, func(i int, hc *http.Client) bool {
		req, _ := http.NewRequest("POST", joinURL, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[i])
		return send(hc, req)
	})
	res.Benchmark, res.Database = "join", bs.db.Dialect()
	if res.Memberships, err = bs.db.MemberCount(ctx, circle.ID); err != nil {
		return res, err
	}
	ok := res.Memberships == f.users && res.Errors == 0
	res.Verified = &ok
	return res, nil
}

// benchRunID keeps the phone numbers of separate runs apart.
func benchRunID() int {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int(binary.BigEndian.Uint64(b[:]) % 10000)
}

// benchScanSessions makes the people and their scan sessions, as the token exchange would.
func benchScanSessions(ctx context.Context, bs *benchServer, run, n int, circleURL string) ([]string, error) {
	client := authz.FirstPartyClientID
	tokens := make([]string, n)
	var mu sync.Mutex
	var firstErr error
	runJobs(n, 8, func(i int, _ *http.Client) bool {
		u, _, err := bs.db.EnsureUser(ctx, fmt.Sprintf("+8616%04d%05d", run, i), time.Now())
		if err == nil {
			tokens[i], err = bs.app.authz.IssueAccessToken(ctx, authz.TokenSpec{ClientID: client, UserID: u.ID, Phone: u.Phone,
				Scopes: []string{authz.ScanScope}, Audience: []string{circleURL}, ScanTime: time.Now(), Lifespan: time.Hour})
		}
		if err != nil {
			mu.Lock()
			firstErr = err
			mu.Unlock()
		}
		return err == nil
	})
	return tokens, firstErr
}

// runJobs calls do once for each of n jobs from concurrency goroutines and measures it.
func runJobs(n, concurrency int, do func(i int, hc *http.Client) bool) benchResult {
	var mu sync.Mutex
	next := 0
	return measure(concurrency, func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		next++
		return next - 1, next <= n
	}, do)
}

// measure runs do from concurrency goroutines, each with its own keep-alive client, for as
// long as next hands out work, and summarizes the latencies of the calls that succeeded.
func measure(concurrency int, next func() (int, bool), do func(i int, hc *http.Client) bool) benchResult {
	var mu sync.Mutex
	var all []time.Duration
	errors := 0
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 60 * time.Second}
			var mine []time.Duration
			bad := 0
			for i, ok := next(); ok; i, ok = next() {
				t0 := time.Now()
				if do(i, hc) {
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
	return summarize(all, errors, concurrency, time.Since(start))
}

// summarize turns latencies into the figures a benchmark prints.
func summarize(all []time.Duration, errors, concurrency int, elapsed time.Duration) benchResult {
	slices.Sort(all)
	r := benchResult{Concurrency: concurrency, Seconds: elapsed.Seconds(), Requests: len(all), Errors: errors}
	if len(all) > 0 {
		r.PerSecond = float64(len(all)) / elapsed.Seconds()
		r.P50ms = ms(all[len(all)*50/100])
		r.P99ms = ms(all[len(all)*99/100])
		r.MaxMs = ms(all[len(all)-1])
	}
	return r
}
