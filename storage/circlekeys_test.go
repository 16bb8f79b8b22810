package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm/logger"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// circleKeys are the tables that a database distributed by circle splits by circle
// (docs/scaling.md), each with the columns that name the circle of a row: the event log
// splits into the circles' events and each person's.
var circleKeys = map[string][]string{
	"circles": {"id"}, "memberships": {"circle_id"}, "join_requests": {"circle_id"}, "circle_allowlist": {"circle_id"},
	"card_visibility": {"circle_id"}, "announcements": {"circle_id"}, "circle_mutes": {"circle_id"},
	"circle_funnel": {"circle_id"}, "events": {"circle_id", "recipient_id"},
}

// TestHotQueriesAreKeyedByCircle: every statement of the hot paths — a join, the scan
// page's lookup of a code, the member list and cards, the review queue, a circle's
// announcements and mutes, an event's fan-out and the replay's read of the log — limits
// each circle table it reads to named circles: the index search, the filter or a join
// condition above the read compares the row's circle for equality. PostgreSQL explains
// each statement as the storage sent it.
func TestHotQueriesAreKeyedByCircle(t *testing.T) {
	db := storagetest.Postgres(t)
	w := newCardWorld(t, db)
	ctx := w.ctx
	org, bob, carl, ann := w.user(1), w.user(2), w.user(3), w.user(4)
	c := w.circle(org, bob)
	circle, err := db.Circle(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	code := circle.Code
	waiting := w.decided(c, carl, storage.RequestWaiting, qrcircles.ReasonReview).Request
	annUser, err := db.User(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	setup := []error{
		db.Mute(ctx, bob, c, w.now),
		db.SetCircleVisibility(ctx, bob, c, qrcircles.FieldsBasic, w.now),
		db.PostAnnouncement(ctx, &storage.Announcement{CircleID: c, AuthorID: org, Body: "hello", CreatedAt: w.now}),
	}
	for _, err := range setup {
		if err != nil {
			t.Fatal(err)
		}
	}

	crowd(t, db)
	rec := &sqlRecorder{Interface: logger.Discard}
	db.Gorm().Logger = rec
	ops := []struct {
		name string
		run  func() error
	}{
		{"Circle", func() error { _, err := db.Circle(ctx, c); return err }},
		{"CircleByCode", func() error { _, err := db.CircleByCode(ctx, code); return err }},
		{"Members", func() error { _, err := db.Members(ctx, c); return err }},
		{"MemberCount", func() error { _, err := db.MemberCount(ctx, c); return err }},
		{"IsMember", func() error { _, err := db.IsMember(ctx, c, bob); return err }},
		{"CircleCards", func() error { _, err := db.CircleCards(ctx, c); return err }},
		{"CircleAudience", func() error { _, err := db.CircleAudience(ctx, c); return err }},
		{"RequestsOfCircle", func() error { _, err := db.RequestsOfCircle(ctx, c, storage.RequestWaiting); return err }},
		{"JoinRequest", func() error { _, err := db.JoinRequest(ctx, c, waiting.ID); return err }},
		{"LatestRequest", func() error { _, err := db.LatestRequest(ctx, carl, c); return err }},
		{"Deny", func() error { _, err := db.Deny(ctx, c, waiting.ID, org, w.now); return err }},
		{"PostAnnouncement", func() error {
			return db.PostAnnouncement(ctx, &storage.Announcement{CircleID: c, AuthorID: org, Body: "again", CreatedAt: w.now})
		}},
		{"Announcements", func() error { _, err := db.Announcements(ctx, c, 0, 20); return err }},
		{"Muted", func() error { _, err := db.Muted(ctx, bob, c); return err }},
		{"CircleMuters", func() error { _, err := db.CircleMuters(ctx, c); return err }},
		{"CardFacts", func() error { _, err := db.CardFacts(ctx, bob, carl, c); return err }},
		{"CardSettingsIn", func() error { _, err := db.CardSettingsIn(ctx, bob, c); return err }},
		{"CountFunnel", func() error { return db.CountFunnel(ctx, c, storage.FunnelOpened) }},
		{"AppendEvents", func() error {
			return db.AppendEvents(ctx, storage.Event{CircleID: c, SubjectID: bob, Type: qrcircles.EventCardUpdated})
		}},
		{"EventsForUser's read of the log", func() error { _, err := db.EventsOf(ctx, bob, []int64{c}, 0, 100, 50); return err }},
	}
	for _, op := range ops {
		stmts, err := rec.during(op.run)
		if err != nil || len(stmts) == 0 {
			t.Fatalf("%s: %d statements, %v", op.name, len(stmts), err)
		}
		for _, s := range stmts {
			checkKeyedByCircle(t, db, op.name, s)
		}
	}
	// A join of someone with exclusions to a capped circle with an allowlist runs every
	// statement a join can: the pair locks, the seat, the exclusion and allowlist checks.
	bobUser, err := db.User(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateExclusion(ctx, ann, annUser.Phone, bobUser.Phone, w.now); err != nil {
		t.Fatal(err)
	}
	circle.Rules.Cap = 10
	if err := db.UpdateCircle(ctx, &circle, []string{annUser.Phone, bobUser.Phone}, nil); err != nil {
		t.Fatal(err)
	}
	write := storage.JoinWrite{Request: storage.JoinRequest{CircleID: c, UserID: ann, Phone: annUser.Phone, ScanTime: w.now,
		Status: storage.RequestAdmitted}, Member: true, At: w.now,
		Events: []storage.Event{{CircleID: c, SubjectID: ann, Type: qrcircles.EventMemberJoined}}}
	cases := []struct {
		holds bool
		want  []string // statements the guessed join must run
	}{
		{true, []string{"pg_advisory_xact_lock(lock_key)", "UPDATE circle_seats SET user_id = u", "f_excluded :=", "f_listed :=",
			"INSERT INTO join_requests", "INSERT INTO memberships", "INSERT INTO events", "NOT EXISTS (SELECT 1 FROM memberships m"}},
		{false, []string{"f_excluded :=", "UPDATE circle_seats s SET user_id = NULL", "facts := json_build_object"}},
	}
	for _, tc := range cases {
		k := storage.JoinKey{CircleID: c, UserID: ann, Phone: annUser.Phone, Seat: true}
		// A guess that holds is written, with its writes' statements; one that does not
		// returns the facts found.
		guess := storage.JoinGuess{Facts: storage.JoinFacts{Circle: circle, Excluded: true, Listed: tc.holds}, Write: write}
		stmts, guessed, err := storage.JoinSQL(db, k, guess)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			checkKeyedByCircle(t, db, "Join", s)
		}
		// The guessed join is one call of a function: the statements it runs are checked
		// as PostgreSQL planned them.
		plans := nestedPlans(t, db, guessed)
		ran := make([]string, len(plans))
		for i, p := range plans {
			ran[i] = oneLineSQL(p.Query)
		}
		for _, want := range tc.want {
			if !slices.ContainsFunc(ran, func(q string) bool { return strings.Contains(q, want) }) {
				t.Errorf("the guessed join did not run %q; it ran:\n%s", want, strings.Join(ran, "\n"))
			}
		}
		for _, p := range plans {
			for _, bad := range unkeyed(p.Plan, "") {
				t.Errorf("guessed join: %s\n  in: %s", bad, oneLineSQL(p.Query))
			}
		}
	}
}

type nestedPlan struct {
	Query string `json:"Query Text"`
	Plan  planNode
}

// nestedPlans runs stmt in a transaction that it rolls back, with auto_explain sending the
// plan of every statement that runs, those inside functions too, and returns the plans.
func nestedPlans(t *testing.T, db *storage.DB, stmt string) []nestedPlan {
	t.Helper()
	cfg, err := pgx.ParseConfig(storagetest.URLOf(t, db))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var plans []nestedPlan
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		i := strings.Index(n.Message, "{")
		var p nestedPlan
		if i < 0 || json.Unmarshal([]byte(n.Message[i:]), &p) != nil {
			return
		}
		mu.Lock()
		plans = append(plans, p)
		mu.Unlock()
	}
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, s := range []string{"LOAD 'auto_explain'", "SET LOCAL auto_explain.log_min_duration = 0",
		"SET LOCAL auto_explain.log_nested_statements = on", "SET LOCAL auto_explain.log_format = 'json'",
		"SET LOCAL auto_explain.log_level = 'notice'", stmt} {
		if _, err := tx.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", oneLineSQL(s), err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return plans
}

// TestCircleTablesKeyTheirCircle: the primary key of each table that a database
// distributed by circle splits by circle holds the circle, as Citus requires of a
// distributed table's unique keys. (The event log gets its keys when it is split in two;
// docs/scaling.md.)
func TestCircleTablesKeyTheirCircle(t *testing.T) {
	db := storagetest.Postgres(t)
	tables := []string{"memberships", "join_requests", "circle_allowlist", "card_visibility", "announcements",
		"circle_mutes", "circle_funnel", "circle_seats"}
	for _, table := range tables {
		var key []string
		err := db.Gorm().Raw(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
			AND a.attnum = ANY (i.indkey) WHERE i.indisprimary AND i.indrelid = CAST(? AS regclass)`, table).Scan(&key).Error
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(key, "circle_id") {
			t.Errorf("%s: primary key %v does not hold circle_id", table, key)
		}
	}
}

// crowd fills the database around the test's circle with 200 circles of 100 members each
// and what they write, then has PostgreSQL gather its statistics: the plans are then those
// of a database in use, not of empty tables, which any plan reads whole.
func crowd(t *testing.T, db *storage.DB) {
	t.Helper()
	const crowdMember = `FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.phone LIKE '+86139%'`
	stmts := []string{
		`INSERT INTO users (phone, display_name, created_at, updated_at)
			SELECT '+86139' || lpad(CAST(i AS text), 8, '0'), 'p' || i, now(), now() FROM generate_series(1, 20000) i`,
		`INSERT INTO circles (code, owner_id, title, created_at, updated_at)
			SELECT 'crowd' || i, (SELECT min(id) FROM users WHERE phone LIKE '+86139%') + i, 'c', now(), now()
			FROM generate_series(0, 199) i`,
		`INSERT INTO circle_codes (code, circle_id) SELECT code, id FROM circles WHERE code LIKE 'crowd%'`,
		`INSERT INTO memberships (circle_id, user_id, joined_at)
			SELECT c.id, u.id, now() FROM users u JOIN circles c ON c.code = 'crowd' || (u.id % 200)
			WHERE u.phone LIKE '+86139%'`,
		`INSERT INTO join_requests (circle_id, user_id, phone, scan_time, status, created_at)
			SELECT m.circle_id, m.user_id, u.phone, now(), 'admitted', now() ` + crowdMember,
		`INSERT INTO circle_allowlist (circle_id, phone) SELECT m.circle_id, u.phone ` + crowdMember,
		`INSERT INTO card_visibility (user_id, circle_id, fields, updated_at)
			SELECT m.user_id, m.circle_id, 'name', now() ` + crowdMember + ` AND m.user_id % 4 = 0`,
		`INSERT INTO circle_mutes (user_id, circle_id, created_at) SELECT m.user_id, m.circle_id, now() ` + crowdMember + ` AND m.user_id % 10 = 0`,
		`INSERT INTO announcements (circle_id, author_id, body, created_at)
			SELECT c.id, c.owner_id, 'x', now() FROM circles c, generate_series(1, 10) WHERE c.code LIKE 'crowd%'`,
		`INSERT INTO events (circle_id, subject_id, type, payload, created_at)
			SELECT m.circle_id, m.user_id, 'member.joined', '{}', now() ` + crowdMember,
		`INSERT INTO events (recipient_id, type, payload, created_at) SELECT m.user_id, 'card.updated', '{}', now() ` + crowdMember,
		`INSERT INTO exclusions (user_id, other_phone, created_at)
			SELECT u.id, '+86139' || lpad(CAST(u.id % 20000 AS text), 8, '0'), now() FROM users u
			WHERE u.phone LIKE '+86139%' AND u.id % 20 = 0`,
		`INSERT INTO contacts (owner_id, contact_id, created_at)
			SELECT u.id, u.id + 1, now() FROM users u WHERE u.phone LIKE '+86139%' AND u.id % 5 = 0
			AND EXISTS (SELECT 1 FROM users v WHERE v.id = u.id + 1)`,
		`ANALYZE`,
	}
	for _, s := range stmts {
		if err := db.Gorm().Exec(s).Error; err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
}

// sqlRecorder keeps the statements gorm runs while it records, with their values written in.
type sqlRecorder struct {
	logger.Interface
	mu  sync.Mutex
	on  bool
	sql []string
}

func (r *sqlRecorder) LogMode(logger.LogLevel) logger.Interface { return r }

func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		s, _ := fc()
		r.sql = append(r.sql, s)
	}
}

// during runs fn and returns the statements it ran.
func (r *sqlRecorder) during(fn func() error) ([]string, error) {
	r.mu.Lock()
	r.on, r.sql = true, nil
	r.mu.Unlock()
	err := fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.sql, err
}

type planNode struct {
	Type       string     `json:"Node Type"`
	Relation   string     `json:"Relation Name"`
	Index      string     `json:"Index Name"`
	Cond       string     `json:"Index Cond"`
	Recheck    string     `json:"Recheck Cond"`
	Filter     string     `json:"Filter"`
	HashCond   string     `json:"Hash Cond"`
	MergeCond  string     `json:"Merge Cond"`
	JoinFilter string     `json:"Join Filter"`
	Plans      []planNode `json:"Plans"`
}

// checkKeyedByCircle explains stmt and fails the test for each circle table it reaches other
// than through an index searched by the circle.
func checkKeyedByCircle(t *testing.T, db *storage.DB, op, stmt string) {
	t.Helper()
	if !regexp.MustCompile(`(?i)^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b`).MatchString(stmt) {
		return
	}
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := sqlDB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var out string
	if err := tx.QueryRow(`EXPLAIN (FORMAT JSON) ` + stmt).Scan(&out); err != nil {
		t.Fatalf("%s: explaining %s: %v", op, stmt, err)
	}
	var plans []struct{ Plan planNode }
	if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) != 1 {
		t.Fatalf("%s: plan %s: %v", op, out, err)
	}
	for _, bad := range unkeyed(plans[0].Plan, "") {
		t.Errorf("%s: %s\n  in: %s", op, bad, oneLineSQL(stmt))
	}
}

// unkeyed lists the plan's reads of circle tables that are not limited to named circles:
// every read of such a table compares its circle for equality — in the index search, the
// filter, or the condition of a join above it that pairs it with a row of the same circle.
// joins are the conditions of the joins above n.
func unkeyed(n planNode, joins string) []string {
	var bad []string
	if keys, ok := circleKeys[n.Relation]; ok && n.Type != "ModifyTable" {
		conds := strings.Join([]string{n.Cond, n.Recheck, n.Filter}, " ")
		if !comparesAny(conds+" "+joins, keys) {
			bad = append(bad, fmt.Sprintf("%s of %s %s where %s, not by %s", n.Type, n.Relation, n.Index, conds, strings.Join(keys, " or ")))
		}
	}
	joins = strings.Join([]string{joins, n.HashCond, n.MergeCond, n.JoinFilter}, " ")
	for _, c := range n.Plans {
		bad = append(bad, unkeyed(c, joins)...)
	}
	return bad
}

// comparesAny reports whether the conditions compare one of the columns for equality.
func comparesAny(conds string, columns []string) bool {
	for _, c := range columns {
		if regexp.MustCompile(`(^|[(\s.])` + c + ` = |= (\w+\.)?` + c + `\b`).MatchString(conds) {
			return true
		}
	}
	return false
}

func oneLineSQL(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
