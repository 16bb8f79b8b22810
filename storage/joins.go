package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"qrcircles"
)

// JoinKey names one join: who asks to join which circle.
type JoinKey struct {
	CircleID int64
	UserID   int64
	Phone    string
	// Exclusive locks the circle row for update, so that the circle's joins run one at a
	// time: for an organizer's decision.
	Exclusive bool
	// Seat claims one of a capped circle's seats for the person before the decision (see
	// seats.go). Join claims one by itself when the circle turns out to have a cap.
	Seat bool
	// Guess, when set, is tried first, in one round trip.
	Guess *JoinGuess
}

// JoinGuess is a join decided in advance, on the facts its caller expects: a first request
// to the circle as the caller read it (same RulesVersion), from someone who is not a member.
// Join writes it, in the statement after the locks and with the commit in the same round
// trip, only if the facts read there are these; otherwise it writes nothing and Join goes on
// as without a guess. For the many joins whose facts are the usual ones, the transaction
// then never waits for the client.
type JoinGuess struct {
	Facts JoinFacts // Members stands for "below the cap" when below it, for "full" otherwise
	Write JoinWrite
}

// JoinFacts are what a join decision rests on, read under the join's locks: they stay true
// until the transaction commits.
type JoinFacts struct {
	Circle   Circle
	Previous *JoinRequest // this person's request to join the circle, if any
	Member   bool         // the person is a member already
	// Members stands for the circle's members as its cap sees them: below the cap (0) when
	// the person holds a seat, at the cap when none was free; 0 without a cap.
	Members    int
	Excluded   bool // a member of the circle and this person exclude each other
	RefusesAll bool // the person refuses to join any circle
	Listed     bool // the person's phone is on the circle's allowlist
}

// JoinWrite is a decided join as storage records it: the request (replacing Previous), the
// membership when Member, and the events, which are written only when the change they
// report was made.
type JoinWrite struct {
	Request JoinRequest
	Member  bool
	Events  []Event
	At      time.Time // the membership's joined_at and a new request's created_at
}

// JoinDecider decides a join on its facts: what to write, or nil to write nothing.
type JoinDecider func(JoinFacts) (*JoinWrite, error)

type joinRequestRow struct { // json: as PostgreSQL's row_to_json writes it (join_guessed)
	ID        int64      `gorm:"primaryKey" json:"id"`
	CircleID  int64      `json:"circle_id"`
	UserID    int64      `json:"user_id"`
	Phone     string     `json:"phone"`
	ScanTime  time.Time  `json:"scan_time"`
	Status    string     `json:"status"`
	Reasons   string     `json:"reasons"`
	DecidedBy *int64     `json:"decided_by"`
	DecidedAt *time.Time `json:"decided_at"`
	CreatedAt time.Time  `json:"created_at"`
}

func (joinRequestRow) TableName() string { return "join_requests" }

func (r joinRequestRow) request() JoinRequest {
	q := JoinRequest{ID: r.ID, CircleID: r.CircleID, UserID: r.UserID, Phone: r.Phone, ScanTime: r.ScanTime.UTC(),
		Status: r.Status, Reasons: parseReasons(r.Reasons), DecidedAt: fromOpt(r.DecidedAt), CreatedAt: r.CreatedAt.UTC()}
	if r.DecidedBy != nil {
		q.DecidedBy = *r.DecidedBy
	}
	return q
}

type membershipRow struct {
	CircleID int64 `gorm:"primaryKey"`
	UserID   int64 `gorm:"primaryKey"`
	JoinedAt time.Time
}

func (membershipRow) TableName() string { return "memberships" }

// errRetrySeat asks for the join to run again claiming a seat: the cap appeared between the
// caller's look at the circle and the lock.
var errRetrySeat = errors.New("circle gained a cap: retry claiming a seat")

// Join runs one join in one transaction: it takes the join's locks, reads the facts, hands
// them to decide and writes what decide returns. The locks make the member cap and the
// exclusions hold under concurrent joins, on every instance. The outcome is the request as
// it stands afterwards: the one written, or, when decide wrote nothing or a repeat of the
// same join running at the same time wrote first, the one in the database.
func (db *DB) Join(ctx context.Context, k JoinKey, decide JoinDecider) (JoinOutcome, error) {
	_, inTx := ctx.Value(txKey{}).(*gorm.DB)
	if k.Guess != nil {
		out, made, f, err := db.joinGuessed(ctx, k, *k.Guess)
		if made || (err != nil && !isSerializationFailure(err)) {
			return out, err
		}
		if err == nil {
			if out, ok, err := db.guessAgain(ctx, k, f, decide); ok {
				return out, err
			}
		}
	}
	for attempt := 0; ; attempt++ {
		out, made, err := db.joinOnce(ctx, k, decide)
		switch {
		case errors.Is(err, errRetrySeat) && !k.Seat:
			k.Seat = true
		case isSerializationFailure(err) && attempt < 3 && !inTx:
		case err == nil && !made:
			return db.outcomeNow(ctx, k.CircleID, k.UserID)
		default:
			return out, err
		}
	}
}

// joinOnce is one attempt of Join: made is false when the write found the change made.
func (db *DB) joinOnce(ctx context.Context, k JoinKey, decide JoinDecider) (out JoinOutcome, made bool, err error) {
	err = db.inJoinTx(ctx, k, func(ctx context.Context, t *joinTx) error {
		f, err := t.facts(ctx, k)
		if err != nil {
			return err
		}
		if f.Circle.Rules.Cap > 0 && !k.Seat {
			return errRetrySeat
		}
		w, err := decide(f)
		if err != nil {
			return err
		}
		if w == nil {
			out, made = JoinOutcome{Member: f.Member}, f.Previous != nil
			if f.Previous != nil {
				out.Request = *f.Previous
			}
			return t.send(ctx, nil, true)
		}
		stmt, args := requestStatement(f.Previous, *w)
		out.Request, made, err = t.save(ctx, nil, stmt, args, *w)
		out.Member = made && w.Member
		return err
	})
	return out, made, err
}

// joinGuessed writes the guess in one flight: the join's locks, then the facts, and the
// request, written only if the facts are as guessed, with the rest of the write and the
// commit. When it wrote nothing, f are the facts it read.
func (db *DB) joinGuessed(ctx context.Context, k JoinKey, g JoinGuess) (out JoinOutcome, made bool, f JoinFacts, err error) {
	if db.dialect == Postgres {
		return db.joinGuessedPG(ctx, k, g)
	}
	err = db.inJoinTx(ctx, k, func(ctx context.Context, t *joinTx) error {
		steps, read := db.factSteps(k)
		stmt, args := guessedStatement(k, g, "("+factsSelect+") f", factsArgs(k))
		var err error
		out.Request, made, err = t.save(ctx, steps, stmt, args, g.Write)
		out.Member = made && g.Write.Member
		if err == nil && !made {
			f, err = read()
		}
		return err
	})
	return out, made, f, err
}

// joinGuessedPG is joinGuessed on PostgreSQL: one call of join_guessed (joins_flight.go),
// which takes the locks, reads the facts and the earlier request, writes the guess if the
// facts are as guessed, and returns the facts in any case, in one statement. The call goes
// in a batch of joins (joins_batch.go) unless the context holds a transaction; when the
// batch failed, or the call met a lock held elsewhere, it goes again alone, as a
// transaction of its own that waits for its locks.
func (db *DB) joinGuessedPG(ctx context.Context, k JoinKey, g JoinGuess) (out JoinOutcome, made bool, f JoinFacts, err error) {
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); !inTx {
		s, result, err := joinGuessedStep(k, g, false)
		if err != nil {
			return out, false, f, err
		}
		if err = db.batched(ctx, k.UserID, s); err == nil {
			out, made, f, err = result()
		}
		if errors.Is(err, errJoinBusy) {
			db.batcher().stats.busy.Add(1)
		}
		if !errors.Is(err, errJoinBatch) && !errors.Is(err, errJoinBusy) {
			return out, made, f, err
		}
	}
	s, result, err := joinGuessedStep(k, g, true)
	if err != nil {
		return out, false, f, err
	}
	alone := k
	alone.Seat = false // join_guessed gives back a seat it did not use
	err = db.inJoinTx(ctx, alone, func(ctx context.Context, t *joinTx) error {
		t.begun = true // one statement: a transaction of its own
		return t.send(ctx, []step{s}, false)
	})
	if err != nil {
		return out, false, f, fmt.Errorf("saving join request: %w", err)
	}
	return result()
}

// guessAgain follows a guess that found other facts: a first request is guessed again, on
// the facts found, so that it too is written in one flight if they still hold; a repeat
// that decide leaves as it is gets the request and membership found. ok is false when the
// join must run in two flights: the facts changed again, or a request is replaced.
func (db *DB) guessAgain(ctx context.Context, k JoinKey, f JoinFacts, decide JoinDecider) (out JoinOutcome, ok bool, err error) {
	w, err := decide(f)
	switch {
	case err != nil:
		return out, true, err
	case w == nil && f.Previous != nil:
		return JoinOutcome{Request: *f.Previous, Member: f.Member}, true, nil
	case w == nil || f.Previous != nil || f.Member:
		return out, false, nil
	}
	k.Seat = k.Seat || f.Circle.Rules.Cap > 0
	out, made, _, err := db.joinGuessed(ctx, k, JoinGuess{Facts: f, Write: *w})
	return out, made || (err != nil && !isSerializationFailure(err)), err
}

// facts takes the join's locks and reads its facts, in one flight: the locks
// (lockCircleStep), a seat if the circle is capped, then the facts, in statements whose
// snapshots see whatever committed before those locks were granted.
func (t *joinTx) facts(ctx context.Context, k JoinKey) (JoinFacts, error) {
	steps, read := t.db.factSteps(k)
	if err := t.send(ctx, steps, false); err != nil {
		return JoinFacts{}, fmt.Errorf("reading the join: %w", err)
	}
	return read()
}

// factSteps are the statements of facts; read gives the facts once they ran.
func (db *DB) factSteps(k JoinKey) (steps []step, read func() (JoinFacts, error)) {
	var f JoinFacts
	var row *circleRow
	var prev *joinRequestRow
	steps = []step{db.lockCircleStep(k, func(r circleRow) { row = &r })}
	if k.Seat {
		steps = append(steps, db.claimSeatStep(k))
	}
	steps = append(steps, step{sql: factsSelect, args: factsArgs(k), scan: func(r rowScanner) error {
		return r.Scan(f.dest()...)
	}},
		step{sql: previousSelect, args: []any{k.CircleID, k.UserID}, scan: func(r rowScanner) error {
			prev = &joinRequestRow{CircleID: k.CircleID, UserID: k.UserID}
			return r.Scan(&prev.ID, &prev.Phone, &prev.ScanTime, &prev.Status, &prev.Reasons, &prev.DecidedBy, &prev.DecidedAt, &prev.CreatedAt)
		}})
	return steps, func() (JoinFacts, error) {
		if row == nil {
			return f, fmt.Errorf("circle: %w", ErrNotFound)
		}
		var err error
		if f.Circle, err = row.circle(); err != nil {
			return f, err
		}
		if prev != nil {
			q := prev.request()
			f.Previous = &q
		}
		return f, nil
	}
}

const circleColumns = `id, code, owner_id, title, description, location, starts_at, ends_at, time_zone, not_before,
	not_after, identity_rules, allowlist_size, member_cap, mode, closed, rules_version, created_at, updated_at, on_site`

// lockCircleStep takes the join's locks and reads the circle row under them: the row
// (shared, or for update when exclusive) with a shared lock on the person's phone, which
// pairs with CreateExclusion's; then, once the row is locked, the pair locks (pairLocks).
// SQLite needs no locks: its transactions already run one at a time.
func (db *DB) lockCircleStep(k JoinKey, got func(circleRow)) step {
	s := step{sql: "SELECT " + circleColumns + " FROM circles WHERE id = ?", args: []any{k.CircleID}}
	if db.dialect == Postgres {
		lock := " FOR KEY SHARE"
		if k.Exclusive {
			lock = " FOR UPDATE"
		}
		// MATERIALIZED: the row is locked before the pair locks are taken, as every
		// transaction that takes both does (an organizer's decision holds the row first).
		pairs, pargs := pairLocks(k)
		s.sql = "WITH c AS MATERIALIZED (SELECT " + circleColumns + ", pg_advisory_xact_lock_shared(?) IS NULL AS locked FROM circles WHERE id = ?" + lock +
			") SELECT c.*, (" + pairs + ") FROM c"
		s.args = append([]any{advisoryKey(phoneLockKey(k.Phone)), k.CircleID}, pargs...)
	}
	s.scan = func(r rowScanner) error {
		var c circleRow
		dest := c.dest()
		if db.dialect == Postgres {
			var locked, pairs *bool
			dest = append(dest, &locked, &pairs)
		}
		if err := r.Scan(dest...); err != nil {
			return err
		}
		got(c)
		return nil
	}
	return s
}

// dest are the destinations of circleColumns.
func (c *circleRow) dest() []any {
	return []any{&c.ID, &c.Code, &c.OwnerID, &c.Title, &c.Description, &c.Location, &c.StartsAt, &c.EndsAt, &c.TimeZone,
		&c.NotBefore, &c.NotAfter, &c.IdentityRules, &c.AllowlistSize, &c.MemberCap, &c.Mode, &c.Closed, &c.RulesVersion,
		&c.CreatedAt, &c.UpdatedAt, &c.OnSite}
}

// pairLocks locks, for a person with exclusions, the (circle, phone) pair of their own phone
// and of every phone they exclude or are excluded by, in one order. Two people who exclude
// each other lock the same two pairs, so their joins of one circle run one after the other
// and the second sees the first's membership; joins of unrelated people, and of the same
// people to other circles, do not wait for each other. For the many without exclusions it
// locks nothing.
func pairLocks(k JoinKey) (string, []any) {
	return `SELECT bool_and(pg_advisory_xact_lock(key) IS NULL) FROM (
		SELECT DISTINCT hashtextextended('join:' || CAST(? AS text) || ':' || phone, 0) AS key FROM (
			SELECT other_phone AS phone FROM exclusions WHERE user_id = ?
			UNION ALL SELECT (SELECT u.phone FROM users u WHERE u.id = x.user_id) FROM exclusions x WHERE x.other_phone = ?
			UNION ALL SELECT CAST(? AS text) WHERE EXISTS (SELECT 1 FROM exclusions WHERE user_id = ?)
				OR EXISTS (SELECT 1 FROM exclusions WHERE other_phone = ?) -- two indexes: an OR of both scans the table
		) phones ORDER BY key OFFSET 0) keys`,
		[]any{strconv.FormatInt(k.CircleID, 10), k.UserID, k.Phone, k.Phone, k.UserID, k.Phone}
}

// factsSelect reads the facts of a join from the circle's row. The exclusion check starts
// from the person's exclusions, so it costs nothing for the many who have none. The
// membership and seat checks name the circle itself: given only c.id, the planner may read
// all of the person's memberships to hash them, a read across circles. A capped circle is
// full for the person unless they hold a seat.
const factsSelect = `SELECT c.member_cap, c.rules_version,
	EXISTS (SELECT 1 FROM memberships WHERE circle_id = ? AND user_id = ?) AS member,
	CASE WHEN c.member_cap > 0 AND NOT EXISTS (SELECT 1 FROM circle_seats WHERE circle_id = ? AND user_id = ?)
		THEN c.member_cap ELSE 0 END AS members,
	EXISTS (SELECT 1 FROM exclusions x WHERE x.user_id = ? AND (SELECT true FROM memberships m
			WHERE m.circle_id = c.id AND m.user_id = (SELECT u.id FROM users u WHERE u.phone = x.other_phone AND u.id <> ?)))
		OR EXISTS (SELECT 1 FROM exclusions x WHERE x.other_phone = ? AND x.user_id <> ?
			AND (SELECT true FROM memberships m WHERE m.circle_id = c.id AND m.user_id = x.user_id)) AS excluded,
	COALESCE((SELECT refuse_all_circles FROM user_settings WHERE user_id = ?), false) AS refuses_all,
	EXISTS (SELECT 1 FROM circle_allowlist WHERE circle_id = c.id AND phone = ?) AS listed
	FROM circles c WHERE c.id = ?`

func factsArgs(k JoinKey) []any {
	return []any{k.CircleID, k.UserID, k.CircleID, k.UserID, k.UserID, k.UserID, k.Phone, k.UserID, k.UserID, k.Phone, k.CircleID}
}

// dest are the destinations of factsSelect's columns. The cap and the rules' version are read
// with the circle's row.
func (f *JoinFacts) dest() []any {
	var limit int
	var version int64
	return []any{&limit, &version, &f.Member, &f.Members, &f.Excluded, &f.RefusesAll, &f.Listed}
}

// guessedStatement inserts the guessed request only if the facts, read in the same
// statement from "from" (with its arguments), are the guess's, and none was there before.
func guessedStatement(k JoinKey, g JoinGuess, from string, fromArgs []any) (string, []any) {
	f, row := g.Facts, requestRow(g.Write)
	below := f.Circle.Rules.Cap == 0 || f.Members < f.Circle.Rules.Cap
	return `INSERT INTO join_requests (circle_id, user_id, phone, scan_time, status, reasons, decided_by, decided_at, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? FROM ` + from + `
		WHERE f.rules_version = ? AND NOT f.member AND (f.member_cap = 0 OR f.members < f.member_cap) = ?
			AND f.excluded = ? AND f.refuses_all = ? AND f.listed = ?
		ON CONFLICT (circle_id, user_id) ` + requestIsNew,
		append(append(row.insertArgs(), fromArgs...), f.Circle.RulesVersion, below, f.Excluded, f.RefusesAll, f.Listed)
}

const previousSelect = `SELECT id, phone, scan_time, status, reasons, decided_by, decided_at, created_at
	FROM join_requests WHERE circle_id = ? AND user_id = ?`

// insertRequest writes a join request. A first request is only inserted; a later one only
// replaces the request the decision was made on (same status), so that of two repeats
// running at once only the first writes, and the second finds the change made.
const (
	insertRequest = `INSERT INTO join_requests (circle_id, user_id, phone, scan_time, status, reasons, decided_by, decided_at, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (circle_id, user_id) `
	requestIsNew      = `DO NOTHING RETURNING id, created_at`
	requestIsReplaced = `DO UPDATE SET phone = excluded.phone, scan_time = excluded.scan_time,
		status = excluded.status, reasons = excluded.reasons, decided_by = excluded.decided_by, decided_at = excluded.decided_at
	WHERE join_requests.status = ? RETURNING id, created_at`
	insertMember = `INSERT INTO memberships (circle_id, user_id, joined_at) VALUES (?, ?, ?)
	ON CONFLICT (circle_id, user_id) DO NOTHING`
)

func requestRow(w JoinWrite) joinRequestRow {
	q := w.Request
	row := joinRequestRow{CircleID: q.CircleID, UserID: q.UserID, Phone: q.Phone, ScanTime: q.ScanTime.UTC(),
		Status: q.Status, Reasons: qrcircles.ReasonsText(q.Reasons), DecidedAt: optTime(q.DecidedAt), CreatedAt: w.At.UTC()}
	if q.DecidedBy != 0 {
		row.DecidedBy = &q.DecidedBy
	}
	return row
}

func (r joinRequestRow) insertArgs() []any {
	return []any{r.CircleID, r.UserID, r.Phone, r.ScanTime, r.Status, r.Reasons, r.DecidedBy, r.DecidedAt, r.CreatedAt}
}

// requestStatement writes the request of w, decided on prev (nil: none).
func requestStatement(prev *JoinRequest, w JoinWrite) (string, []any) {
	args := requestRow(w).insertArgs()
	if prev != nil {
		return insertRequest + requestIsReplaced, append(args, prev.Status)
	}
	return insertRequest + requestIsNew, args
}

// save runs the steps before, then stmt, which writes w's request and returns its row when
// it did, then the rest of w, and commits: on PostgreSQL all in one flight, the request,
// membership and events in one statement. made is false when stmt wrote nothing (a
// concurrent repeat of the join had already changed the request, or a guess was wrong):
// then nothing is written.
func (t *joinTx) save(ctx context.Context, before []step, stmt string, args []any, w JoinWrite) (saved JoinRequest, made bool, err error) {
	row := requestRow(w)
	if t.db.dialect == Postgres {
		if stmt, args, err = withAfterRequest(stmt, args, w); err != nil {
			return JoinRequest{}, false, err
		}
	}
	s := step{sql: stmt, args: args, scan: func(r rowScanner) error { made = true; return r.Scan(&row.ID, &row.CreatedAt) }}
	if err := t.send(ctx, append(before, s), true); err != nil {
		return JoinRequest{}, false, fmt.Errorf("saving join request: %w", err)
	}
	if made && t.db.dialect != Postgres {
		err = t.db.writeAfterRequest(ctx, w)
	}
	return row.request(), made, err
}

// withAfterRequest is stmt, which writes w's request, followed by the rest of w in one
// PostgreSQL statement that returns the request's row when it was written.
func withAfterRequest(stmt string, args []any, w JoinWrite) (string, []any, error) {
	more, margs, err := afterRequest(w)
	if err != nil {
		return "", nil, err
	}
	stmt = "WITH " + strings.Join(append([]string{"req AS (" + stmt + ")"}, more...), ",\n") + "\nSELECT id, created_at FROM req"
	return stmt, append(args, margs...), nil
}

// afterRequest is the rest of a PostgreSQL statement whose WITH query "req" writes a join
// request and returns its row only when it did: the membership (if admitted) when the request
// was written, and the events when the change they report was made — the membership for an
// admission, the request otherwise. Events are thus written by the statement that made the
// change, never by a repeat that found it done.
func afterRequest(w JoinWrite) ([]string, []any, error) {
	var ctes []string
	var args []any
	made := "req"
	if w.Member {
		ctes = append(ctes, `member AS (INSERT INTO memberships (circle_id, user_id, joined_at) SELECT ?, ?, ? FROM req
			ON CONFLICT (circle_id, user_id) DO NOTHING RETURNING 1)`)
		args = append(args, w.Request.CircleID, w.Request.UserID, w.At.UTC())
		made = "member"
	}
	if len(w.Events) > 0 {
		insert, eargs, err := insertEventsFrom(w.Events, made)
		if err != nil {
			return nil, nil, err
		}
		ctes, args = append(ctes, "ev AS ("+insert+")"), append(args, eargs...)
	}
	return ctes, args, nil
}

// writeAfterRequest is afterRequest's statement in steps, for SQLite: the membership, then the
// events if the change they report was made.
func (db *DB) writeAfterRequest(ctx context.Context, w JoinWrite) error {
	if w.Member {
		res := db.conn(ctx).Exec(insertMember, w.Request.CircleID, w.Request.UserID, w.At.UTC())
		if res.Error != nil {
			return fmt.Errorf("adding member: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
	}
	return db.AppendEvents(ctx, w.Events...)
}

// outcomeNow is the person's request and membership as they stand.
func (db *DB) outcomeNow(ctx context.Context, circleID, userID int64) (JoinOutcome, error) {
	q, err := db.requestOf(ctx, circleID, userID)
	if err != nil {
		return JoinOutcome{}, err
	}
	if q == nil {
		return JoinOutcome{}, fmt.Errorf("join request of user %d in circle %d: %w", userID, circleID, ErrNotFound)
	}
	member, err := db.IsMember(ctx, circleID, userID)
	return JoinOutcome{Request: *q, Member: member}, err
}

func (db *DB) requestOf(ctx context.Context, circleID, userID int64) (*JoinRequest, error) {
	var row joinRequestRow
	err := db.conn(ctx).Where("circle_id = ? AND user_id = ?", circleID, userID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil // no earlier request is an answer, not a failure
	}
	if err != nil {
		return nil, fmt.Errorf("join request: %w", err)
	}
	r := row.request()
	return &r, nil
}
