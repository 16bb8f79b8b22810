package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"qrcircles"

	"qrcircles/authz"
	"qrcircles/config"
	"qrcircles/resource/circles"
	"qrcircles/storage"
)

// The bench's client side runs in a child process (the same binary, told by these variables),
// since 10,000 client sockets and 10,000 server sockets do not fit one process's file limit.
const (
	envPushClientURL    = "QRC_BENCH_PUSH_URL"
	envPushClientTokens = "QRC_BENCH_PUSH_TOKENS"
	envPushClientConc   = "QRC_BENCH_PUSH_CONCURRENCY"
)

// pushPhase bounds each phase of the push bench: connecting, and delivering.
const pushPhase = 60 * time.Second

// pushResult is what bench push prints: the delivery latencies in the embedded figures, and
// how much the server holds per idle stream.
type pushResult struct {
	benchResult
	Instances     int     `json:"instances"`
	Subscribers   int     `json:"subscribers"`
	Delivered     int     `json:"delivered"`
	Missed        int     `json:"missed"`
	IdleConnBytes float64 `json:"idle_conn_bytes"`
	IdleConnKB    float64 `json:"idle_conn_kb"`
	// EditMs is how long the card edit's request took (its commit included), FirstMs when the
	// first stream had the event: the rest of the p99 is the fan-out.
	EditMs  float64 `json:"edit_ms"`
	FirstMs float64 `json:"first_ms"`
	// PerInstance are the deliveries of the streams each instance held; the card edit went
	// through the first.
	PerInstance []instanceFigures `json:"per_instance,omitempty"`
	// Floor is a minimal broadcaster serving the same streams to the same client, before the
	// real run; P99Ratio is the real p99 over the floor's.
	Floor    *pushFloorFigures `json:"floor,omitempty"`
	P99Ratio float64           `json:"p99_ratio,omitempty"`
}

// pushFloorFigures are the deliveries of the floor's broadcaster.
type pushFloorFigures struct {
	Subscribers int     `json:"subscribers"`
	Delivered   int     `json:"delivered"`
	Missed      int     `json:"missed"`
	FirstMs     float64 `json:"first_ms"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
}

// benchPush connects f.users members of one circle to the event stream, spread over the
// instances, makes one card edit in that circle, and measures when each stream has it and
// what an idle stream costs.
func benchPush(ctx context.Context, cfg config.Config, f benchFlags, log *slog.Logger) (pushResult, error) {
	if urls := os.Getenv(envPushClientURL); urls != "" {
		os.Exit(pushClients(ctx, strings.Split(urls, ","))) // the child: its report is on stdout, not a result
	}
	cl, err := startCluster(ctx, cfg, f)
	if err != nil {
		return pushResult{}, err
	}
	defer cl.stop()
	_, tokens, err := benchPushCircle(ctx, cl.benchServer, f.users, log)
	if err != nil {
		return pushResult{}, err
	}
	tokenFile, err := writeTokens(tokens)
	if err != nil {
		return pushResult{}, err
	}
	defer os.Remove(tokenFile)
	var floor *pushFloorFigures
	if f.floor {
		log.Info("measuring the floor", "streams", len(tokens))
		fr, err := pushFloor(ctx, tokenFile, len(tokens), f.concurrency)
		if err != nil {
			return pushResult{}, err
		}
		floor = &fr
	}

	urls := make([]string, len(cl.bases))
	for i, b := range cl.bases {
		urls[i] = b + "/api/v1/events"
	}
	// Two profiles: connecting the streams (-connect), and delivering the edit.
	connecting, err := startProfile(f.profile, "-connect")
	if err != nil {
		return pushResult{}, err
	}
	defer connecting.stop()
	before := memInUse()
	child, err := startPushClients(ctx, urls, tokenFile, f.concurrency)
	if err != nil {
		return pushResult{}, err
	}
	defer child.stop()
	log.Info("connecting streams", "users", f.users, "instances", len(urls), "database", cl.db.Dialect())
	if err := child.waitReady(len(tokens)); err != nil {
		return pushResult{}, err
	}
	if err := cl.checkSubscribers(ctx, len(tokens)); err != nil {
		return pushResult{}, err
	}
	perConn := float64(memInUse()-before) / float64(streamsOn(0, len(tokens), len(urls)))
	if err := connecting.stop(); err != nil {
		return pushResult{}, err
	}

	log.Info("editing a card", "subscribers", len(tokens))
	delivering, err := startProfile(f.profile, "")
	if err != nil {
		return pushResult{}, err
	}
	defer delivering.stop()
	sent := time.Now()
	if err := benchCardEdit(cl.bases[0], tokens[0]); err != nil {
		return pushResult{}, err
	}
	edited := time.Since(sent)
	received, err := child.report()
	if err != nil {
		return pushResult{}, err
	}
	if err := delivering.stop(); err != nil {
		return pushResult{}, err
	}
	r := pushFigures(sent, received, perConn)
	r.Database, r.Instances, r.Floor, r.EditMs = cl.db.Dialect(), len(urls), floor, ms(edited)
	if len(urls) > 1 {
		r.PerInstance = perInstanceDelivery(sent, received, len(urls))
	}
	if floor != nil && floor.P99ms > 0 {
		r.P99Ratio = r.P99ms / floor.P99ms
	}
	return r, nil
}

// streamsOn is how many of n streams instance k of instances holds: stream i goes to
// instance i mod instances.
func streamsOn(k, n, instances int) int {
	return (n - k + instances - 1) / instances
}

// checkSubscribers checks that each instance holds its share of the streams: the first
// counts its own, the others say it on their health page.
func (cl *benchCluster) checkSubscribers(ctx context.Context, n int) error {
	if got, want := cl.app.push.Subscribers(), streamsOn(0, n, len(cl.bases)); got != want {
		return fmt.Errorf("instance 1 has %d streams subscribed, want %d", got, want)
	}
	for k := 1; k < len(cl.bases); k++ {
		req, _ := http.NewRequestWithContext(ctx, "GET", cl.bases[k]+"/health?format=json", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("instance %d: %w", k+1, err)
		}
		var h struct {
			Facts struct {
				LiveConnections int `json:"live_connections"`
			} `json:"facts"`
		}
		err = json.NewDecoder(res.Body).Decode(&h)
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("instance %d health: %w", k+1, err)
		}
		if want := streamsOn(k, n, len(cl.bases)); h.Facts.LiveConnections != want {
			return fmt.Errorf("instance %d has %d streams subscribed, want %d", k+1, h.Facts.LiveConnections, want)
		}
	}
	return nil
}

// perInstanceDelivery summarizes the deliveries of each instance's streams.
func perInstanceDelivery(sent time.Time, received []int64, instances int) []instanceFigures {
	per := make([]instanceFigures, instances)
	for k := range instances {
		var mine []int64
		for i := k; i < len(received); i += instances {
			mine = append(mine, received[i])
		}
		r := pushFigures(sent, mine, 0)
		per[k] = instanceFigures{Instance: k + 1, Requests: r.Delivered, Errors: r.Missed, P50ms: r.P50ms, P99ms: r.P99ms, MaxMs: r.MaxMs}
	}
	return per
}

// benchPushCircle makes an organizer, n members of one circle, and an access token for each.
func benchPushCircle(ctx context.Context, bs *benchServer, n int, log *slog.Logger) (int64, []string, error) {
	run, org, err := benchOrganizer(ctx, bs.db, pushPhones)
	if err != nil {
		return 0, nil, err
	}
	title := fmt.Sprintf("bench push %04d", run)
	circle, err := bs.app.circles.Create(ctx, org.ID, circles.Input{Title: &title})
	if err != nil {
		return 0, nil, err
	}
	log.Info("preparing members", "users", n)
	tokens := make([]string, n)
	ids := make([]int64, n)
	var mu sync.Mutex
	var firstErr error
	runJobs(n, 8, func(i int, _ *benchClient) bool {
		u, _, err := bs.db.EnsureUser(ctx, benchPhone(pushPhones, run, i), time.Now())
		if err == nil {
			ids[i] = u.ID
			tokens[i], err = bs.app.authz.IssueAccessToken(ctx, authz.TokenSpec{ClientID: authz.FirstPartyClientID,
				UserID: u.ID, Phone: u.Phone, Scopes: []string{"circles:read", "cards:read", "cards:write"}, Lifespan: time.Hour})
		}
		if err != nil {
			mu.Lock()
			firstErr = err
			mu.Unlock()
		}
		return err == nil
	})
	if firstErr != nil {
		return 0, nil, firstErr
	}
	return circle.ID, tokens, addBenchMembers(ctx, bs.db, circle.ID, ids)
}

// addBenchMembers inserts the memberships directly: the bench is about the push, and
// bench join measures joining.
func addBenchMembers(ctx context.Context, db *storage.DB, circleID int64, ids []int64) error {
	now := time.Now().UTC()
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var sql strings.Builder
		args := make([]any, 0, 3*len(chunk))
		sql.WriteString("INSERT INTO memberships (circle_id, user_id, joined_at) VALUES ")
		for i, id := range chunk {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?)")
			args = append(args, circleID, id, now)
		}
		if err := db.Gorm().WithContext(ctx).Exec(sql.String(), args...).Error; err != nil {
			return fmt.Errorf("adding members: %w", err)
		}
	}
	return nil
}

// benchCardEdit is one member editing their card through the API: the server commits the
// card and its card.updated event, and pushes it to every member as each may see it.
func benchCardEdit(base, token string) error {
	body := strings.NewReader(`{"display_name":"Bench Edit","title":"Push","company":"QR Circles","emails":["bench@example.com"]}`)
	req, _ := http.NewRequest("PUT", base+"/api/v1/me/card", body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("card edit: %s", res.Status)
	}
	return nil
}

func writeTokens(tokens []string) (string, error) {
	f, err := os.CreateTemp("", "qrc-bench-push-*")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(tokens, "\n")); err != nil {
		return "", fmt.Errorf("writing tokens: %w", err)
	}
	return f.Name(), nil
}

// memInUse is the heap and stacks in use after a full collection.
func memInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

func pushFigures(sent time.Time, received []int64, perConn float64) pushResult {
	var lat []time.Duration
	for _, at := range received {
		if at != 0 {
			lat = append(lat, time.Unix(0, at).Sub(sent))
		}
	}
	last := time.Duration(0)
	for _, d := range lat {
		last = max(last, d)
	}
	r := pushResult{benchResult: summarize(lat, len(received)-len(lat), len(received), last)}
	if len(lat) > 0 {
		r.FirstMs = ms(lat[0]) // summarize sorted them
	}
	r.Benchmark = "push"
	r.Subscribers, r.Delivered, r.Missed = len(received), len(lat), len(received)-len(lat)
	r.IdleConnBytes, r.IdleConnKB = perConn, perConn/1024
	return r
}

// printPush prints the push bench's figures, and fails when a stream missed the event.
func (m *Main) printPush(r pushResult, asJSON bool) error {
	if asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(r); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(m.Stdout, "push on %s, %d subscribers of one circle, %d instance(s)\n", r.Database, r.Subscribers, r.Instances)
		fmt.Fprintf(m.Stdout, "  %d delivered, %d missed\n  card edit %.2f ms; delivery first %.2f ms, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			r.Delivered, r.Missed, r.EditMs, r.FirstMs, r.P50ms, r.P99ms, r.MaxMs)
		printInstances(m, r.PerInstance)
		fmt.Fprintf(m.Stdout, "  %.1f KB per idle connection (%.0f bytes)\n", r.IdleConnKB, r.IdleConnBytes)
		if r.Floor != nil {
			fmt.Fprintf(m.Stdout, "  floor (plain net/http broadcaster): %d delivered, %d missed, first %.2f ms, p50 %.2f ms, p99 %.2f ms\n",
				r.Floor.Delivered, r.Floor.Missed, r.Floor.FirstMs, r.Floor.P50ms, r.Floor.P99ms)
			fmt.Fprintf(m.Stdout, "  p99 / floor p99: %.2f\n", r.P99Ratio)
		}
	}
	if r.Missed > 0 {
		return fmt.Errorf("%d subscribers missed the event", r.Missed)
	}
	if r.Floor != nil && r.Floor.Missed > 0 {
		return fmt.Errorf("the floor's broadcaster: %d subscribers missed the event", r.Floor.Missed)
	}
	return nil
}

// pushChild is the client process.
type pushChild struct {
	cmd  *exec.Cmd
	out  *bufio.Reader
	stop func()
}

// startPushClients starts the client process: stream i goes to urls[i mod len(urls)].
func startPushClients(ctx context.Context, urls []string, tokenFile string, concurrency int) (*pushChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(cctx, exe, childArgs(os.Args[1:])...)
	cmd.Env = append(os.Environ(), envPushClientURL+"="+strings.Join(urls, ","), envPushClientTokens+"="+tokenFile,
		fmt.Sprintf("%s=%d", envPushClientConc, max(concurrency, 1)))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("starting the client process: %w", err)
	}
	return &pushChild{cmd: cmd, out: bufio.NewReader(stdout), stop: func() { cancel(); cmd.Wait() }}, nil
}

// childArgs are the parent's arguments without the profiles, which are the parent's.
func childArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := strings.TrimLeft(args[i], "-")
		if a == "cpuprofile" || a == "profile" {
			i++
			continue
		}
		if strings.HasPrefix(a, "cpuprofile=") || strings.HasPrefix(a, "profile=") {
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// waitReady waits for the child's "ready N" line.
func (c *pushChild) waitReady(n int) error {
	line, err := c.line("ready ")
	if err != nil {
		return err
	}
	var got int
	if _, err := fmt.Sscanf(line, "ready %d", &got); err != nil || got != n {
		return fmt.Errorf("client process: %q, want ready %d", line, n)
	}
	return nil
}

// report reads the child's receive times, in UnixNano (0: never received).
func (c *pushChild) report() ([]int64, error) {
	line, err := c.line("[")
	if err != nil {
		return nil, err
	}
	var times []int64
	if err := json.Unmarshal([]byte(line), &times); err != nil {
		return nil, fmt.Errorf("client process report: %w", err)
	}
	return times, nil
}

// line returns the child's next line with the prefix; others (a test binary's own output)
// are skipped.
func (c *pushChild) line(prefix string) (string, error) {
	type res struct {
		s   string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		for {
			s, err := c.out.ReadString('\n')
			if s = strings.TrimSpace(s); err != nil || strings.HasPrefix(s, prefix) {
				ch <- res{s, err}
				return
			}
		}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return "", fmt.Errorf("client process: %w", r.err)
		}
		return r.s, nil
	case <-time.After(pushPhase + 10*time.Second):
		return "", errors.New("client process: no answer")
	}
}

// pushClients is the child: it opens a stream per token (stream i at urls[i mod len(urls)]),
// says "ready N" when all are subscribed, and prints when each saw the card edit as a JSON
// array of UnixNano.
func pushClients(ctx context.Context, urls []string) int {
	raw, err := os.ReadFile(os.Getenv(envPushClientTokens))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench push client:", err)
		return 1
	}
	tokens := strings.Split(string(raw), "\n")
	var conc int
	fmt.Sscan(os.Getenv(envPushClientConc), &conc)
	ctx, cancel := context.WithTimeout(ctx, 2*pushPhase)
	defer cancel()
	received := make([]int64, len(tokens))
	var connected, done atomic.Int64
	all := make(chan struct{})
	sem := make(chan struct{}, max(conc, 1))
	var failures atomic.Int64
	for i, tok := range tokens {
		sem <- struct{}{}
		go func() {
			err := pushStream(ctx, urls[i%len(urls)], tok, func(ok bool) {
				<-sem
				if ok {
					connected.Add(1)
				}
			}, func() {
				received[i] = time.Now().UnixNano()
				if done.Add(1) == int64(len(tokens)) {
					close(all)
				}
			})
			if err != nil && ctx.Err() == nil && failures.Add(1) == 1 {
				fmt.Fprintln(os.Stderr, "bench push client:", err)
			}
		}()
	}
	deadline := time.Now().Add(pushPhase)
	for connected.Load()+failures.Load() < int64(len(tokens)) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Printf("ready %d\n", connected.Load())
	select {
	case <-all:
	case <-time.After(pushPhase):
	}
	out, _ := json.Marshal(received) // a slot still 0 was never delivered
	fmt.Printf("%s\n", out)
	return 0
}

// pushStream speaks just enough HTTP/1.1 for one SSE stream: subscribed is called at the
// stream's first line, got when the card edit arrives.
func pushStream(ctx context.Context, url, token string, subscribed func(ok bool), got func()) error {
	var d net.Dialer
	hostPath := strings.TrimPrefix(url, "http://")
	host, path, _ := strings.Cut(hostPath, "/")
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		subscribed(false)
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	fmt.Fprintf(conn, "GET /%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n", path, host, token)
	r := bufio.NewReaderSize(conn, 1024)
	first := true
	for {
		line, err := r.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			if first {
				subscribed(false)
			}
			if err == io.EOF {
				return errors.New("stream closed")
			}
			return err
		}
		switch {
		case first && bytes.HasPrefix(line, []byte("HTTP/1.1 ")) && !bytes.HasPrefix(line, []byte("HTTP/1.1 200")):
			first = false
			subscribed(false)
			return fmt.Errorf("stream: %s", bytes.TrimSpace(line))
		case first && bytes.HasPrefix(line, []byte("retry: ")):
			first = false
			subscribed(true)
		case bytes.HasPrefix(line, []byte("event: "+qrcircles.EventCardUpdated)):
			got()
			return nil
		}
	}
}
