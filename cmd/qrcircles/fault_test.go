package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qrcircles/authz"
	"qrcircles/resource/problem"
	"qrcircles/resource/server"
	"qrcircles/storage"
)

// The throwaway PostgreSQL cluster of the fault test, which .ci/run creates and removes: the
// admin URL of its postgres database, and what pg_ctlcluster needs to stop and start it.
const (
	envFaultURL     = "QRC_FAULT_DATABASE_URL"
	envFaultVersion = "QRC_FAULT_PG_VERSION"
	envFaultCluster = "QRC_FAULT_PG_CLUSTER"
)

// TestJoinBurstAcrossPostgresRestartAndSIGTERM runs the real program on a PostgreSQL cluster
// of its own and has many people join one circle, each with a scan session from the token
// exchange. PostgreSQL is stopped in the middle of the burst and started again: every join
// the server acknowledged (200/202) is stored, the clients saw 503 with Retry-After and
// never 401 or any other error meanwhile, the cause was logged once per burst, and /readyz
// and the joins recover with no restart of the server. Then the server gets SIGTERM in the
// middle of a second burst: it exits cleanly and nothing it acknowledged is lost.
func TestJoinBurstAcrossPostgresRestartAndSIGTERM(t *testing.T) {
	cluster := newFaultCluster(t)
	dsn := cluster.database()
	secret := strings.Repeat("f", 32)
	const publicURL = "http://qrcircles.test"
	srv := startServer(t, "QRC_DATABASE_URL="+dsn, "QRC_SECRET="+secret, "QRC_PUBLIC_URL="+publicURL,
		"QRC_DATA_DIR="+t.TempDir(), "QRC_DB_MAX_CONNS=8")

	ctx := context.Background()
	db, err := storage.Open(ctx, storage.Options{URL: dsn, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := newFaultFixture(t, db, srv.base, publicURL, secret)

	// The burst across a restart of PostgreSQL.
	const n = 240
	b := f.burst(n, false)
	outageStart := time.Now()
	b.release(n / 2)
	b.waitAcked(n / 8)
	cluster.ctl("stop", "-m", "fast") // joins are in flight
	b.release(n - n/2)                // and these start while the database is down
	if !waitFor(20*time.Second, func() bool { return f.readyz() == 503 && b.unavailable.Load() > 0 }) {
		t.Fatalf("no outage seen: /readyz %d, %d answers 503, %d other failures %v", f.readyz(), b.unavailable.Load(), len(b.failures()), first(b.failures()))
	}
	cluster.ctl("start")
	outage := time.Since(outageStart)
	if !waitFor(30*time.Second, func() bool { return f.readyz() == 200 }) {
		t.Fatal("/readyz did not recover after PostgreSQL came back")
	}
	b.finish()
	if len(b.bad) > 0 {
		t.Fatalf("%d answers were neither 200/202 nor 503, e.g. %s", len(b.bad), b.bad[0])
	}
	if len(b.acked) != n {
		t.Fatalf("%d of %d joins acknowledged by the end: joins did not recover", len(b.acked), n)
	}
	f.checkStored(b)
	t.Logf("restart: %d joins acknowledged, %d answers 503 while PostgreSQL was down for about %s",
		len(b.acked), b.unavailable.Load(), outage.Round(100*time.Millisecond))
	checkOutageLogged(t, srv, outage)

	// A second burst, cut short by SIGTERM.
	const m = 160
	b2 := f.burst(m, true)
	b2.release(m)
	b2.waitAcked(m / 4)
	srv.stop(t) // SIGTERM, and a clean exit
	b2.finish()
	if len(b2.bad) > 0 {
		t.Fatalf("%d answers across SIGTERM were neither 200/202 nor 503, e.g. %s", len(b2.bad), b2.bad[0])
	}
	f.checkStored(b2)
	t.Logf("SIGTERM: %d of %d joins acknowledged before the server stopped, all stored", len(b2.acked), m)
}

// faultCluster is the throwaway PostgreSQL cluster.
type faultCluster struct {
	t                    *testing.T
	admin, version, name string
}

// newFaultCluster skips the test when no cluster is configured, except under CI.
func newFaultCluster(t *testing.T) *faultCluster {
	t.Helper()
	c := &faultCluster{t: t, admin: os.Getenv(envFaultURL), version: os.Getenv(envFaultVersion), name: os.Getenv(envFaultCluster)}
	if c.admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: CI must run the fault test (.ci/run makes its PostgreSQL cluster)", envFaultURL)
		}
		t.Skipf("%s not set: no throwaway PostgreSQL cluster to restart", envFaultURL)
	}
	if c.version == "" || c.name == "" {
		t.Fatalf("%s and %s must name the cluster of %s", envFaultVersion, envFaultCluster, envFaultURL)
	}
	t.Cleanup(c.up) // a test that failed during the outage leaves the cluster running
	return c
}

// ctl runs pg_ctlcluster ACTION on the cluster (as root it acts as the cluster's owner).
func (c *faultCluster) ctl(action string, args ...string) {
	c.t.Helper()
	argv := append([]string{"--skip-systemctl-redirect", c.version, c.name, action}, args...)
	if out, err := exec.Command("pg_ctlcluster", argv...).CombinedOutput(); err != nil {
		c.t.Fatalf("pg_ctlcluster %s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

func (c *faultCluster) up() {
	if exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", c.version, c.name, "status").Run() != nil {
		_ = exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", c.version, c.name, "start").Run()
	}
}

// database makes a fresh database in the cluster, dropped when the test ends, and returns
// its URL.
func (c *faultCluster) database() string {
	c.t.Helper()
	ctx := context.Background()
	admin, err := storage.Open(ctx, storage.Options{URL: c.admin, MaxOpenConns: 2})
	if err != nil {
		c.t.Fatalf("%s: %v", envFaultURL, err)
	}
	name := fmt.Sprintf("qrc_fault_%d", time.Now().UnixNano())
	if err := admin.Gorm().Exec("CREATE DATABASE " + name).Error; err != nil {
		admin.Close()
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() {
		c.up()
		if err := admin.Gorm().Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			c.t.Errorf("dropping %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(c.admin)
	if err != nil {
		c.t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// faultFixture is a circle on the running server and what it takes to make joiners for it.
type faultFixture struct {
	t        *testing.T
	db       *storage.DB
	az       *authz.Server // in the test, sharing the server's database and secret
	base     string
	client   string // a public app that exchanges tokens
	circleID int64
	circle   string // its URL, read from the QR code
	hc       *http.Client
	people   int
}

func newFaultFixture(t *testing.T, db *storage.DB, base, publicURL, secret string) *faultFixture {
	t.Helper()
	ctx := context.Background()
	issuer, _ := url.Parse(publicURL)
	az, err := authz.New(ctx, authz.Options{Issuer: issuer, Secret: []byte(secret), Store: db, Circles: db,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := az.Clients().Create(ctx, authz.ClientSpec{Name: "Scanner", Public: true,
		RedirectURIs: []string{"http://127.0.0.1/cb"}, Scopes: []string{"circles:read", "circles:join", "circles:manage"},
		Grants: []string{authz.GrantAuthorizationCode, authz.GrantTokenExchange}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := &faultFixture{t: t, db: db, az: az, base: base, client: app.ID,
		hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 30 * time.Second}}
	org := f.userTokens(1, "circles:manage")[0]
	req, _ := http.NewRequest("POST", base+"/api/v1/circles", strings.NewReader(`{"title":"Fault burst"}`))
	req.Header.Set("Authorization", "Bearer "+org.token)
	req.Header.Set("Content-Type", "application/json")
	var c struct {
		ID  int64  `json:"id"`
		URL string `json:"url"`
	}
	if status, body := f.do(req, &c); status != 201 {
		t.Fatalf("creating the circle: %d %s", status, body)
	}
	f.circleID, f.circle = c.ID, c.URL
	return f
}

type joiner struct {
	userID int64
	token  string // the person's own access token, to exchange for a scan session
}

// userTokens makes n people with access tokens of the app, as its sign-in would.
func (f *faultFixture) userTokens(n int, scopes ...string) []joiner {
	f.t.Helper()
	ctx := context.Background()
	out := make([]joiner, n)
	for i := range out {
		f.people++
		u, _, err := f.db.EnsureUser(ctx, fmt.Sprintf("+861390%07d", f.people), time.Now())
		if err != nil {
			f.t.Fatal(err)
		}
		tok, err := f.az.IssueAccessToken(ctx, authz.TokenSpec{ClientID: f.client, UserID: u.ID, Phone: u.Phone,
			Scopes: scopes, Lifespan: time.Hour})
		if err != nil {
			f.t.Fatal(err)
		}
		out[i] = joiner{u.ID, tok}
	}
	return out
}

func (f *faultFixture) do(req *http.Request, out any) (int, string) {
	f.t.Helper()
	res, err := f.hc.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil {
		_ = json.Unmarshal(raw, out)
	}
	return res.StatusCode, string(raw)
}

func (f *faultFixture) readyz() int {
	res, err := f.hc.Get(f.base + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// checkStored: every acknowledged join is in the database.
func (f *faultFixture) checkStored(b *joinBurst) {
	f.t.Helper()
	ctx := context.Background()
	lost := 0
	for i, status := range b.acked {
		uid := b.people[i].userID
		var ok bool
		var err error
		if status == 200 {
			ok, err = f.db.IsMember(ctx, f.circleID, uid)
		} else {
			var q storage.JoinRequest
			q, err = f.db.LatestRequest(ctx, uid, f.circleID)
			ok = err == nil && q.Status == storage.RequestWaiting
		}
		if err != nil {
			f.t.Fatal(err)
		}
		if !ok {
			lost++
		}
	}
	if lost > 0 {
		f.t.Fatalf("%d of %d acknowledged joins are not in the database", lost, len(b.acked))
	}
}

// joinBurst has people exchange their token for a scan session and join, from 12 clients.
// A 503 is retried after a short pause; any other failure is recorded.
type joinBurst struct {
	f      *faultFixture
	people []joiner
	queue  chan int
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
	// stopOnTransportError ends a client when the server stops answering (after SIGTERM).
	stopOnTransportError bool
	released             int

	mu          sync.Mutex
	acked       map[int]int // person → 200 or 202
	bad         []string
	unavailable atomic.Int64
}

// burst makes n joiners and starts the clients; release lets the joiners go.
func (f *faultFixture) burst(n int, stopOnTransportError bool) *joinBurst {
	b := &joinBurst{f: f, people: f.userTokens(n, "circles:join"), queue: make(chan int, n), acked: map[int]int{},
		stopOnTransportError: stopOnTransportError}
	b.ctx, b.cancel = context.WithTimeout(context.Background(), 90*time.Second)
	for range 12 {
		b.wg.Add(1)
		go b.client()
	}
	return b
}

// release lets the next k people start.
func (b *joinBurst) release(k int) {
	for range k {
		b.queue <- b.released
		b.released++
	}
	if b.released == len(b.people) {
		close(b.queue)
	}
}

func (b *joinBurst) waitAcked(k int) {
	b.f.t.Helper()
	if !waitFor(60*time.Second, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.acked) >= k }) {
		b.f.t.Fatalf("fewer than %d joins acknowledged", k)
	}
}

// finish waits for the clients, at most until the burst's deadline.
func (b *joinBurst) finish() {
	b.wg.Wait()
	b.cancel()
}

func (b *joinBurst) client() {
	defer b.wg.Done()
	for i := range b.queue {
		if gone := b.join(i); gone {
			return
		}
	}
}

// join takes one person through the exchange and the join; gone says the server stopped
// answering.
func (b *joinBurst) join(i int) (gone bool) {
	exchange := url.Values{"grant_type": {authz.GrantTokenExchange}, "client_id": {b.f.client},
		"subject_token": {b.people[i].token}, "subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
		"audience": {b.f.circle}}.Encode()
	scan := ""
	for b.ctx.Err() == nil {
		var req *http.Request
		if scan == "" {
			req, _ = http.NewRequestWithContext(b.ctx, "POST", b.f.base+"/oauth2/token", strings.NewReader(exchange))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req, _ = http.NewRequestWithContext(b.ctx, "POST", fmt.Sprintf("%s/api/v1/circles/%d/join", b.f.base, b.f.circleID), nil)
			req.Header.Set("Authorization", "Bearer "+scan)
		}
		res, err := b.f.hc.Do(req)
		if err != nil {
			if b.ctx.Err() == nil && !b.stopOnTransportError {
				b.fail("%s: %v", req.URL.Path, err)
			}
			return true
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch {
		case res.StatusCode == 503:
			b.unavailable.Add(1)
			if why := unavailableAnswer(req.URL.Path, res, raw); why != "" {
				b.fail("%s: 503 %s: %s", req.URL.Path, why, raw)
				return false
			}
			time.Sleep(100 * time.Millisecond)
		case scan == "" && res.StatusCode == 200:
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			if json.Unmarshal(raw, &tok) != nil || tok.AccessToken == "" {
				b.fail("token exchange: %s", raw)
				return false
			}
			scan = tok.AccessToken
		case scan != "" && (res.StatusCode == 200 || res.StatusCode == 202):
			b.mu.Lock()
			b.acked[i] = res.StatusCode
			b.mu.Unlock()
			return false
		default:
			b.fail("%s: %d %s", req.URL.Path, res.StatusCode, raw)
			return false
		}
	}
	return false
}

// unavailableAnswer says what is wrong with a 503, or "" when it is what an outage should
// look like: Retry-After, and temporarily_unavailable from the token endpoint or a
// problem+json of type unavailable from the API.
func unavailableAnswer(path string, res *http.Response, raw []byte) string {
	if res.Header.Get("Retry-After") != fmt.Sprint(int(problem.RetryUnavailable/time.Second)) {
		return "without Retry-After"
	}
	if path == "/oauth2/token" {
		var e struct{ Error string }
		if json.Unmarshal(raw, &e) != nil || e.Error != "temporarily_unavailable" {
			return "not temporarily_unavailable"
		}
		return ""
	}
	var p problem.Body
	if json.Unmarshal(raw, &p) != nil || p.Type != problem.TypeBase+problem.EUnavailable {
		return "not a problem of type unavailable"
	}
	return ""
}

// failures are the answers that were neither an acknowledgement nor an outage's 503.
func (b *joinBurst) failures() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.bad...)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func (b *joinBurst) fail(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bad = append(b.bad, fmt.Sprintf(format, args...))
}

// checkOutageLogged: the server logged the outage's cause, once per burst window rather than
// once per failed request, and never called a token inactive.
func checkOutageLogged(t *testing.T, srv *running, outage time.Duration) {
	t.Helper()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	causes := 0
	for _, l := range srv.others {
		if l.Msg == "outage: answering 503" {
			causes++
			if !strings.Contains(l.Error, storage.ErrUnavailable.Error()) {
				t.Errorf("the logged cause does not name the database: %+v", l)
			}
		}
	}
	if most := int(outage/server.BurstWindow) + 2; causes == 0 || causes > most {
		t.Errorf("the outage's cause was logged %d times; want 1 to %d for an outage of %s", causes, most, outage)
	}
	for _, l := range srv.requests {
		if l.Status == 401 {
			t.Errorf("the server answered 401 at %s", l.Path)
		}
	}
}

// waitFor polls cond until it holds or the time is up.
func waitFor(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}
