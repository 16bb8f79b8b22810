package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// instanceFigures are the latencies of the requests one instance served.
type instanceFigures struct {
	Instance int     `json:"instance"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
}

// jobs hands out the numbers 0..n-1 once each, to whichever client asks first.
func jobs(n int) func() (int, bool) {
	var mu sync.Mutex
	next := 0
	return func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		next++
		return next - 1, next <= n
	}
}

// benchClient is one of a bench's clients: a keep-alive net/http client, and keep-alive
// connections that write requests already encoded (wire).
type benchClient struct {
	http  *http.Client
	conns map[string]*wireConn
}

type wireConn struct {
	c net.Conn
	r *bufio.Reader
}

// wire writes raw, a request encoded in full, on the client's connection to host and
// returns the response's status, 0 when there was none. Responses are read with net/http's
// parser. The load generator shares the machine's cores with the server and PostgreSQL;
// written this way, as wrk writes its requests, a request costs it a fraction of what
// net/http's client costs (its connection goroutines and channels).
func (c *benchClient) wire(host string, raw []byte) int {
	wc := c.conns[host]
	if wc == nil {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			return 0
		}
		wc = &wireConn{c: conn, r: bufio.NewReader(conn)}
		c.conns[host] = wc
	}
	drop := func() int {
		wc.c.Close()
		delete(c.conns, host)
		return 0
	}
	if _, err := wc.c.Write(raw); err != nil {
		return drop()
	}
	resp, err := http.ReadResponse(wc.r, nil)
	if err != nil {
		return drop()
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		drop()
	}
	return resp.StatusCode
}

func (c *benchClient) close() {
	c.http.CloseIdleConnections()
	for _, wc := range c.conns {
		wc.c.Close()
	}
}

// runJobs calls do once for each of n jobs from concurrency goroutines and measures it.
func runJobs(n, concurrency int, do func(i int, c *benchClient) bool) benchResult {
	return measure(concurrency, jobs(n), do)
}

// measure runs do from concurrency goroutines, each with its own keep-alive client, for as
// long as next hands out work, and summarizes the latencies of the calls that succeeded.
func measure(concurrency int, next func() (int, bool), do func(i int, c *benchClient) bool) benchResult {
	r, _ := measureBy(concurrency, 1, func(int) int { return 0 }, nil, next, do)
	return r
}

// measureBy is measure that also summarizes each of groups groups apart: job i belongs to
// group(i), e.g. the instance it was sent to. warm, when set, is each client's untimed
// first call: the clock starts once every client has made it, so that connecting is not
// measured (as the floor's connections are opened before it is timed).
func measureBy(concurrency, groups int, group func(i int) int, warm func(c *benchClient), next func() (int, bool),
	do func(i int, c *benchClient) bool) (benchResult, []instanceFigures) {
	var mu sync.Mutex
	all := make([][]time.Duration, groups)
	errors := make([]int, groups)
	var wg, ready sync.WaitGroup
	begin := make(chan struct{})
	for range concurrency {
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			c := &benchClient{http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 60 * time.Second},
				conns: map[string]*wireConn{}}
			defer c.close()
			if warm != nil {
				warm(c)
			}
			ready.Done()
			<-begin
			mine := make([][]time.Duration, groups)
			bad := make([]int, groups)
			for i, ok := next(); ok; i, ok = next() {
				g := group(i)
				t0 := time.Now()
				if do(i, c) {
					mine[g] = append(mine[g], time.Since(t0))
				} else {
					bad[g]++
				}
			}
			mu.Lock()
			for g := range groups {
				all[g] = append(all[g], mine[g]...)
				errors[g] += bad[g]
			}
			mu.Unlock()
		}()
	}
	ready.Wait()
	start := time.Now()
	close(begin)
	wg.Wait()
	elapsed := time.Since(start)
	var every []time.Duration
	total := 0
	per := make([]instanceFigures, groups)
	for g := range groups {
		every = append(every, all[g]...)
		total += errors[g]
		s := summarize(all[g], errors[g], concurrency, elapsed)
		per[g] = instanceFigures{Instance: g + 1, Requests: s.Requests, Errors: s.Errors, P50ms: s.P50ms, P99ms: s.P99ms, MaxMs: s.MaxMs}
	}
	return summarize(every, total, concurrency, elapsed), per
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

// printInstances prints the figures of each instance, when there are several.
func printInstances(m *Main, per []instanceFigures) {
	for _, p := range per {
		fmt.Fprintf(m.Stdout, "  instance %d: %d ok, %d errors, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			p.Instance, p.Requests, p.Errors, p.P50ms, p.P99ms, p.MaxMs)
	}
}
