package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
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

// The admission paths bench join measures. open is the fast path: a circle without cap or
// allowlist, people without exclusions. The others make joins wait for each other: a capped
// circle serializes its joins to count the members, each person with an exclusion takes the
// circle-wide lock that makes the exclusion check race-free, and an allowlist is looked up.
// review queues everyone for the organizer.
var joinModes = []string{"open", "capped", "allowlist", "exclusions", "review"}

// joinOutcomes counts join requests by how they ended.
type joinOutcomes struct {
	Joined  int `json:"joined"`
	Waiting int `json:"waiting"`
	Refused int `json:"refused"`
}

// joinResult is what bench join prints.
type joinResult struct {
	benchResult
	Mode      string `json:"mode"`
	Users     int    `json:"users"`
	Instances int    `json:"instances"`
	// Outcomes are what the responses said, Stored what the database holds afterwards.
	Outcomes    joinOutcomes      `json:"outcomes"`
	Stored      joinOutcomes      `json:"stored"`
	Expected    joinOutcomes      `json:"expected"`
	Memberships int               `json:"memberships"`
	Verified    bool              `json:"verified"`
	Problems    []string          `json:"problems,omitempty"`
	PerInstance []instanceFigures `json:"per_instance,omitempty"`
	// Floor is the same people doing only the SQL of a join, before the real run.
	Floor      *benchResult `json:"floor,omitempty"`
	FloorConns int          `json:"floor_connections,omitempty"`
	FloorRatio float64      `json:"floor_ratio,omitempty"` // joins per second over the floor's
	// Batches counts the batches the first instance committed the joins in (PostgreSQL).
	Batches *storage.JoinBatchStats `json:"join_batches,omitempty"`
	// DBLoad and FloorDBLoad are what the joins and the floor cost PostgreSQL (one instance).
	DBLoad      *dbLoad `json:"database_load,omitempty"`
	FloorDBLoad *dbLoad `json:"floor_database_load,omitempty"`
}

// benchPerson is one person of a bench: a user and their phone.
type benchPerson struct {
	ID    int64
	Phone string
}

// benchJoin has f.users distinct people, each with their own scan session, join one circle
// made for the admission path f.joinMode, from f.concurrency clients spread over the
// instances, then checks the outcome against what the path must give: exactly so many
// joined, waiting and refused, in the responses and in the database.
func benchJoin(ctx context.Context, cfg config.Config, f benchFlags, log *slog.Logger) (joinResult, error) {
	if f.joinMode == "" {
		f.joinMode = "open"
	}
	if !slices.Contains(joinModes, f.joinMode) {
		return joinResult{}, fmt.Errorf("--mode: %q is not one of %s", f.joinMode, strings.Join(joinModes, ", "))
	}
	cl, err := startCluster(ctx, cfg, f)
	if err != nil {
		return joinResult{}, err
	}
	defer cl.stop()
	if f.floor && cl.db.Dialect() != storage.Postgres {
		return joinResult{}, fmt.Errorf("--floor needs PostgreSQL: the floor is bare SQL through pgx")
	}
	run, org, err := benchOrganizer(ctx, cl.db, joinPhones)
	if err != nil {
		return joinResult{}, err
	}
	phone := func(i int) string { return benchPhone(joinPhones, run, i) }
	in := joinCircleInput(f.joinMode, f.users, phone)
	title := fmt.Sprintf("bench join %s %04d", f.joinMode, run)
	in.Title = &title
	circle, err := cl.app.circles.Create(ctx, org.ID, in)
	if err != nil {
		return joinResult{}, err
	}
	log.Info("preparing scan sessions", "users", f.users, "mode", f.joinMode, "database", cl.db.Dialect())
	people, tokens, err := benchScanSessions(ctx, cl.benchServer, phone, f.users, cl.app.circles.URL(circle))
	if err != nil {
		return joinResult{}, err
	}
	if f.joinMode == "exclusions" {
		if err := excludePairs(ctx, cl.db, people); err != nil {
			return joinResult{}, err
		}
	}
	r := joinResult{Mode: f.joinMode, Users: f.users, Instances: len(cl.bases), Expected: expectedOutcomes(f.joinMode, f.users)}
	if f.floor {
		if err := cl.joinFloorFirst(ctx, cfg, f, org.ID, run, people, &r, log); err != nil {
			return r, err
		}
	}
	log.Info("joining", "users", f.users, "concurrency", f.concurrency, "instances", len(cl.bases))
	before, err := cl.dbSnapshot(ctx)
	if err != nil {
		return r, err
	}
	prof, err := startProfile(f.profile, "")
	if err != nil {
		return r, err
	}
	requests := make([][]byte, f.users)
	for i := range requests {
		requests[i] = fmt.Appendf(nil, "POST /api/v1/circles/%d/join HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Length: 0\r\n\r\n",
			circle.ID, cl.host(i), tokens[i])
	}
	if err := warmServerPool(ctx, cl.db, cfg.DBMaxOpenConns); err != nil {
		return r, err
	}
	var joined, waiting, refused atomic.Int64
	batches := cl.db.JoinBatches()
	res, per := measureBy(f.concurrency, len(cl.bases), func(i int) int { return i % len(cl.bases) }, cl.warmClient, jobs(f.users),
		func(i int, c *benchClient) bool {
			switch c.wire(cl.host(i), requests[i]) {
			case http.StatusOK:
				joined.Add(1)
			case http.StatusAccepted:
				waiting.Add(1)
			case http.StatusForbidden:
				refused.Add(1)
			default:
				return false
			}
			return true
		})
	if err := prof.stop(); err != nil {
		return r, err
	}
	after, err := cl.dbSnapshot(ctx)
	if err != nil {
		return r, err
	}
	if before != nil {
		r.DBLoad = perJoin(*before, *after, res.Requests)
	}
	if b := cl.db.JoinBatches().Since(batches); b.Batches > 0 {
		r.Batches = &b
	}
	r.benchResult = res
	r.Benchmark, r.Database = "join", cl.db.Dialect()
	if len(per) > 1 {
		r.PerInstance = per
	}
	r.Outcomes = joinOutcomes{Joined: int(joined.Load()), Waiting: int(waiting.Load()), Refused: int(refused.Load())}
	if r.Floor != nil && r.Floor.PerSecond > 0 {
		r.FloorRatio = r.PerSecond / r.Floor.PerSecond
	}
	return r, verifyJoins(ctx, cl.db, circle.ID, &r)
}

// joinCircleInput makes the circle of an admission path for n people.
func joinCircleInput(mode string, n int, phone func(i int) string) circles.Input {
	var in circles.Input
	m := qrcircles.ModeOpen
	switch mode {
	case "capped":
		c := joinCap(n)
		in.Cap = &c
	case "allowlist":
		m = qrcircles.ModeRules
		var list []string
		for i := 0; i < n; i += 2 {
			list = append(list, phone(i))
		}
		in.Allowlist = &list
	case "review":
		m = qrcircles.ModeReview
	}
	in.Mode = &m
	return in
}

// joinCap is the capped circle's cap: half the people get in.
func joinCap(n int) int { return max(n/2, 1) }

// expectedOutcomes is what an admission path must give n people: the capped circle admits
// exactly its cap and queues the rest; the allowlist holds every other person, the rest
// wait; of each pair of people who exclude each other exactly one gets in, the other is
// refused; review queues everyone.
func expectedOutcomes(mode string, n int) joinOutcomes {
	switch mode {
	case "capped":
		c := min(joinCap(n), n)
		return joinOutcomes{Joined: c, Waiting: n - c}
	case "allowlist":
		return joinOutcomes{Joined: (n + 1) / 2, Waiting: n / 2}
	case "exclusions":
		return joinOutcomes{Joined: (n + 1) / 2, Refused: n / 2}
	case "review":
		return joinOutcomes{Waiting: n}
	}
	return joinOutcomes{Joined: n}
}

// excludePairs has person 2k exclude person 2k+1 ("never in the same circle as"): then every
// one of them has an exclusion, and every join takes the circle-wide lock.
func excludePairs(ctx context.Context, db *storage.DB, people []benchPerson) error {
	var mu sync.Mutex
	var firstErr error
	runJobs(len(people)/2, 8, func(k int, _ *benchClient) bool {
		a, b := people[2*k], people[2*k+1]
		_, err := db.CreateExclusion(ctx, a.ID, a.Phone, b.Phone, time.Now())
		if err != nil {
			mu.Lock()
			firstErr = err
			mu.Unlock()
		}
		return err == nil
	})
	return firstErr
}

// verifyJoins compares the responses and the database with what the path must give, and
// fails the run on any difference: a lost or doubled join, a cap overrun, two people who
// exclude each other in one circle, a member off the allowlist.
func verifyJoins(ctx context.Context, db *storage.DB, circleID int64, r *joinResult) error {
	var err error
	if r.Memberships, err = db.MemberCount(ctx, circleID); err != nil {
		return err
	}
	if r.Stored, err = storedOutcomes(ctx, db, circleID); err != nil {
		return err
	}
	var both, offList int64
	g := db.Gorm().WithContext(ctx)
	err = g.Raw(`SELECT count(*) FROM exclusions e
		JOIN memberships a ON a.user_id = e.user_id AND a.circle_id = ?
		JOIN users u ON u.phone = e.other_phone
		JOIN memberships b ON b.user_id = u.id AND b.circle_id = a.circle_id`, circleID).Scan(&both).Error
	if err != nil {
		return fmt.Errorf("checking exclusions: %w", err)
	}
	if r.Mode == "allowlist" {
		err = g.Raw(`SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.circle_id = ? AND NOT EXISTS (
				SELECT 1 FROM circle_allowlist a WHERE a.circle_id = m.circle_id AND a.phone = u.phone)`, circleID).Scan(&offList).Error
		if err != nil {
			return fmt.Errorf("checking the allowlist: %w", err)
		}
	}
	add := func(bad bool, format string, args ...any) {
		if bad {
			r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
		}
	}
	add(r.Errors > 0, "%d requests failed", r.Errors)
	add(r.Outcomes != r.Expected, "responses %+v, want %+v", r.Outcomes, r.Expected)
	add(r.Stored != r.Expected, "stored requests %+v, want %+v", r.Stored, r.Expected)
	add(r.Memberships != r.Expected.Joined, "%d memberships, want %d", r.Memberships, r.Expected.Joined)
	add(both > 0, "%d members share the circle with someone they exclude", both)
	add(offList > 0, "%d members are not on the allowlist", offList)
	r.Verified = len(r.Problems) == 0
	return nil
}

// storedOutcomes counts the circle's join requests by status.
func storedOutcomes(ctx context.Context, db *storage.DB, circleID int64) (joinOutcomes, error) {
	var rows []struct {
		Status string
		N      int
	}
	err := db.Gorm().WithContext(ctx).Raw(`SELECT status, count(*) AS n FROM join_requests WHERE circle_id = ? GROUP BY status`, circleID).
		Scan(&rows).Error
	if err != nil {
		return joinOutcomes{}, fmt.Errorf("counting join requests: %w", err)
	}
	var o joinOutcomes
	for _, row := range rows {
		switch row.Status {
		case storage.RequestAdmitted:
			o.Joined = row.N
		case storage.RequestWaiting:
			o.Waiting = row.N
		case storage.RequestRefused:
			o.Refused = row.N
		}
	}
	return o, nil
}

// printJoin prints the join bench's figures, and fails when they are not exact.
func (m *Main) printJoin(r joinResult, asJSON bool) error {
	if asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(r); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(m.Stdout, "join (%s) on %s, %d people, %d concurrent clients, %d instance(s), %.1f s\n",
			r.Mode, r.Database, r.Users, r.Concurrency, r.Instances, r.Seconds)
		fmt.Fprintf(m.Stdout, "  %d joined, %d waiting, %d refused, %d errors (expected %d joined, %d waiting, %d refused)\n",
			r.Outcomes.Joined, r.Outcomes.Waiting, r.Outcomes.Refused, r.Errors, r.Expected.Joined, r.Expected.Waiting, r.Expected.Refused)
		fmt.Fprintf(m.Stdout, "  %.0f per second\n  latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.PerSecond, r.P50ms, r.P99ms, r.MaxMs)
		printInstances(m, r.PerInstance)
		if r.Floor != nil {
			fmt.Fprintf(m.Stdout, "  floor (the SQL alone, pgx, %d connections): %.0f per second, p50 %.2f ms, p99 %.2f ms\n",
				r.FloorConns, r.Floor.PerSecond, r.Floor.P50ms, r.Floor.P99ms)
			fmt.Fprintf(m.Stdout, "  joins per second / floor: %.2f\n", r.FloorRatio)
		}
		if b := r.Batches; b != nil {
			fmt.Fprintf(m.Stdout, "  %d joins of the first instance in %d batches (%.1f a batch), %d batches failed, %d joins busy\n",
				b.Joins, b.Batches, float64(b.Joins)/float64(b.Batches), b.Failed, b.Busy)
		}
		fmt.Fprintf(m.Stdout, "  %d memberships afterwards: %s\n", r.Memberships, map[bool]string{true: "exact", false: "WRONG"}[r.Verified])
	}
	if !r.Verified {
		return fmt.Errorf("bench join (%s): %s", r.Mode, strings.Join(r.Problems, "; "))
	}
	return nil
}

// The bench's people have Chinese mobile numbers +86 PP RRRR NNNNN: PP the bench's prefix,
// RRRR the run, NNNNN the person (99999: the organizer). Both prefixes make a valid number
// of every run, as an allowlist requires.
const (
	joinPhones = "13"
	pushPhones = "18"
)

func benchPhone(prefix string, run, person int) string {
	return fmt.Sprintf("+86%s%04d%05d", prefix, run, person)
}

// benchOrganizer makes the organizer of a new bench circle. The run number keeps the phone
// numbers of separate runs apart; one whose organizer exists already is taken, so another
// is drawn.
func benchOrganizer(ctx context.Context, db *storage.DB, prefix string) (int, storage.User, error) {
	for range 20 {
		run := benchRunID()
		org, created, err := db.EnsureUser(ctx, benchPhone(prefix, run, 99999), time.Now())
		if err != nil || created {
			return run, org, err
		}
	}
	return 0, storage.User{}, fmt.Errorf("no free bench run number: clear the database of old bench runs")
}

func benchRunID() int {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int(binary.BigEndian.Uint64(b[:]) % 10000)
}

// benchScanSessions makes the people and their scan sessions, as the token exchange would.
func benchScanSessions(ctx context.Context, bs *benchServer, phone func(int) string, n int, circleURL string) ([]benchPerson, []string, error) {
	client := authz.FirstPartyClientID
	people := make([]benchPerson, n)
	tokens := make([]string, n)
	var mu sync.Mutex
	var firstErr error
	runJobs(n, 8, func(i int, _ *benchClient) bool {
		u, _, err := bs.db.EnsureUser(ctx, phone(i), time.Now())
		if err == nil {
			people[i] = benchPerson{ID: u.ID, Phone: u.Phone}
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
	return people, tokens, firstErr
}

// takeJoinMode takes --mode out of bench join's arguments. There it names the admission
// path; the server's own mode (development or production) is QRC_MODE.
func takeJoinMode(args []string) (string, []string, error) {
	mode := ""
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || name != "mode" {
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return "", nil, fmt.Errorf("--mode needs one of %s", strings.Join(joinModes, ", "))
			}
			i++
			value = args[i]
		}
		mode = value
	}
	return mode, rest, nil
}
