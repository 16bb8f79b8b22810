package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"qrcircles"
	"qrcircles/resource/admission"
)

// JoinState is what a join decision needs, read under the transaction's locks.
type JoinState struct {
	Circle     Circle
	Previous   *JoinRequest // this person's earlier request, if any
	Members    int          // counted only when the circle has a cap
	Excluded   bool         // someone in the circle and this person exclude each other
	RefusesAll bool
	Listed     bool // the phone is on the circle's allowlist
}

// Decider turns a JoinState into a decision: the domain's rules, kept out of storage.
type Decider func(JoinState) admission.Decision

type joinRequestRow struct {
	ID        int64 `gorm:"primaryKey"`
	CircleID  int64
	UserID    int64
	Phone     string
	ScanTime  time.Time
	Status    string
	Reasons   string
	DecidedBy *int64
	DecidedAt *time.Time
	CreatedAt time.Time
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

// errRetryExclusive asks for the join to run again under an exclusive circle lock: the cap
// appeared between the first look and the lock.
var errRetryExclusive = errors.New("circle gained a cap: retry with an exclusive lock")

// Join decides and records one person's request to join a circle, atomically: the member cap
// and exclusions hold under concurrent joins. A person who is already a member gets their
// membership back unchanged; a waiting or denied request is returned as it is.
// c is the circle as the caller last read it; its cap picks the lock to take.
func (db *DB) Join(ctx context.Context, c Circle, userID int64, phone string, scan, now time.Time, decide Decider) (JoinOutcome, error) {
	circleID := c.ID
	exclusive := c.Rules.Cap > 0
	for attempt := 0; ; attempt++ {
		var out JoinOutcome
		err := db.InTx(ctx, func(ctx context.Context) error {
			var err error
			out, err = db.join(ctx, circleID, userID, phone, scan, now, exclusive, decide)
			return err
		})
		switch {
		case errors.Is(err, errRetryExclusive) && !exclusive:
			exclusive = true
		case isSerializationFailure(err) && attempt < 3:
		default:
			return out, err
		}
	}
}

func (db *DB) join(ctx context.Context, circleID, userID int64, phone string, scan, now time.Time, exclusive bool, decide Decider) (JoinOutcome, error) {
	// The phone lock pairs with CreateExclusion's; the snapshots of the statements after this
	// one see any exclusion committed before it was granted.
	circle, err := db.lockCircleAnd(ctx, circleID, exclusive, phoneLockKey(phone))
	if err != nil {
		return JoinOutcome{}, err
	}
	if circle.Rules.Cap > 0 && !exclusive {
		return JoinOutcome{}, errRetryExclusive
	}
	req := JoinRequest{CircleID: circleID, UserID: userID, Phone: phone, ScanTime: scan.UTC()}
	out, pre, done, err := db.fastJoin(ctx, circle, req, decide, now)
	if err != nil || done {
		return out, err
	}
	var prev *JoinRequest
	if pre.PrevID != nil {
		if prev, err = db.requestOf(ctx, circleID, userID); err != nil {
			return JoinOutcome{}, err
		}
	}
	if prev != nil {
		member, err := db.IsMember(ctx, circleID, userID)
		if err != nil || member {
			return JoinOutcome{Request: *prev, Member: member}, err
		}
		if prev.Status == RequestWaiting || prev.Status == RequestDenied {
			return JoinOutcome{Request: *prev}, nil
		}
	}
	return db.decideAndApply(ctx, circle, req, prev, &pre, decide, 0, now)
}

// fastJoin is the common join in one statement: a first request of someone without
// exclusions or a refusal of all circles, to a circle without cap or allowlist. It decides
// as if that were so, and the statement writes the outcome only if it is; otherwise (done
// false) it returns what it read, for the full path. Only on PostgreSQL: it needs data-
// modifying WITH clauses.
func (db *DB) fastJoin(ctx context.Context, c Circle, req JoinRequest, decide Decider, now time.Time) (JoinOutcome, preJoin, bool, error) {
	if db.dialect != Postgres || c.Rules.Cap > 0 || c.AllowlistSize > 0 {
		pre, err := db.preJoin(ctx, c.ID, req.UserID, req.Phone)
		return JoinOutcome{}, pre, false, err
	}
	d := decide(JoinState{Circle: c})
	req.Reasons, req.DecidedAt = d.Reasons, now.UTC()
	switch d.Outcome {
	case admission.Admit:
		req.Status = RequestAdmitted
	case admission.Queue:
		req.Status, req.DecidedAt = RequestWaiting, time.Time{}
	default:
		req.Status = RequestRefused
	}
	evs, err := joinEvents(c, req, nil)
	if err != nil {
		return JoinOutcome{}, preJoin{}, false, err
	}
	stmt, args, err := fastJoinStatement(req, evs, now)
	if err != nil {
		return JoinOutcome{}, preJoin{}, false, err
	}
	var pre preJoin
	var id *int64
	var created *time.Time
	err = db.conn(ctx).Raw(stmt, args...).Row().Scan(&pre.PrevID, &pre.HasExclusions, &pre.RefusesAll, &id, &created)
	if err != nil {
		return JoinOutcome{}, preJoin{}, false, fmt.Errorf("joining: %w", err)
	}
	if id == nil {
		if pre.PrevID == nil && !pre.HasExclusions && !pre.RefusesAll {
			// A repeat of this join, running at the same time, inserted the request first
			// (the insert waited for it to commit): read again to see what it made.
			pre, err = db.preJoin(ctx, c.ID, req.UserID, req.Phone)
		}
		return JoinOutcome{}, pre, false, err
	}
	req.ID, req.CreatedAt = *id, created.UTC()
	return JoinOutcome{Request: req, Member: req.Status == RequestAdmitted}, pre, true, nil
}

// fastJoinStatement reads what preJoin reads and, when it shows a plain first request, writes
// the request, then the membership (if admitted) and the events, each only if the one before
// it was written: a concurrent repeat of the join writes nothing.
func fastJoinStatement(q JoinRequest, evs []Event, now time.Time) (string, []any, error) {
	ctes := []string{"pre AS (" + preJoinSelect + ")",
		"ok AS (SELECT 1 FROM pre WHERE prev_id IS NULL AND NOT has_exclusions AND NOT refuses_all)",
		`req AS (INSERT INTO join_requests (circle_id, user_id, phone, scan_time, status, reasons, decided_at, created_at)
			SELECT ?, ?, ?, ?, ?, ?, ?, ? FROM ok ON CONFLICT (circle_id, user_id) DO NOTHING RETURNING id, created_at)`}
	args := []any{q.CircleID, q.UserID, q.UserID, q.Phone, q.UserID,
		q.CircleID, q.UserID, q.Phone, q.ScanTime.UTC(), q.Status, qrcircles.ReasonsText(q.Reasons), optTime(q.DecidedAt), now.UTC()}
	more, margs, err := afterRequest(q, evs, now)
	if err != nil {
		return "", nil, err
	}
	stmt := "WITH " + strings.Join(append(ctes, more...), ",\n") +
		"\nSELECT pre.prev_id, pre.has_exclusions, pre.refuses_all, req.id, req.created_at FROM pre LEFT JOIN req ON true"
	return stmt, append(args, margs...), nil
}

// afterRequest is the rest of a PostgreSQL statement whose WITH query "req" writes a join
// request and returns its row only when it did: the membership (if admitted) when the request
// was written, and the events when the change they report was made — the membership for an
// admission, the request otherwise. Events are thus written by the statement that made the
// change, never by a repeat that found it done.
func afterRequest(q JoinRequest, evs []Event, now time.Time) ([]string, []any, error) {
	var ctes []string
	var args []any
	made := "req"
	if q.Status == RequestAdmitted {
		ctes = append(ctes, `member AS (INSERT INTO memberships (circle_id, user_id, joined_at) SELECT ?, ?, ? FROM req
			ON CONFLICT (circle_id, user_id) DO NOTHING RETURNING 1)`)
		args = append(args, q.CircleID, q.UserID, now.UTC())
		made = "member"
	}
	if len(evs) > 0 {
		insert, eargs, err := insertEventsFrom(evs, made)
		if err != nil {
			return nil, nil, err
		}
		ctes, args = append(ctes, "ev AS ("+insert+")"), append(args, eargs...)
	}
	return ctes, args, nil
}

// preJoin is what a join reads about the person, in one round trip.
type preJoin struct {
	PrevID        *int64
	HasExclusions bool
	RefusesAll    bool
}

const preJoinSelect = `SELECT
		(SELECT id FROM join_requests WHERE circle_id = ? AND user_id = ?) AS prev_id,
		EXISTS (SELECT 1 FROM exclusions WHERE user_id = ? OR other_phone = ?) AS has_exclusions,
		COALESCE((SELECT refuse_all_circles FROM user_settings WHERE user_id = ?), false) AS refuses_all`

func (db *DB) preJoin(ctx context.Context, circleID, userID int64, phone string) (preJoin, error) {
	var p preJoin
	err := db.conn(ctx).Raw(preJoinSelect, circleID, userID, userID, phone, userID).Scan(&p).Error
	return p, wrapErr("reading the applicant", err)
}

// decideAndApply reads the rest of the state, asks decide, and records the outcome. The
// caller holds the circle's lock and the person's phone lock; pre, when the caller has it,
// saves reading the person again.
func (db *DB) decideAndApply(ctx context.Context, c Circle, req JoinRequest, prev *JoinRequest, pre *preJoin, decide Decider, decidedBy int64, now time.Time) (JoinOutcome, error) {
	if pre == nil {
		p, err := db.preJoin(ctx, c.ID, req.UserID, req.Phone)
		if err != nil {
			return JoinOutcome{}, err
		}
		pre = &p
	}
	st, err := db.joinState(ctx, c, req, *pre)
	if err != nil {
		return JoinOutcome{}, err
	}
	st.Previous = prev
	d := decide(st)
	req.Reasons = d.Reasons
	req.DecidedAt = now.UTC()
	req.DecidedBy = decidedBy
	switch d.Outcome {
	case admission.Admit:
		req.Status = RequestAdmitted
	case admission.Queue:
		req.Status, req.DecidedAt, req.DecidedBy = RequestWaiting, time.Time{}, 0
	default:
		req.Status = RequestRefused
	}
	evs, err := joinEvents(c, req, prev)
	if err != nil {
		return JoinOutcome{}, err
	}
	saved, made, err := db.saveRequest(ctx, req, prev, now, evs)
	if err != nil {
		return JoinOutcome{}, err
	}
	if !made {
		// A repeat of this request, running at the same time, decided it first.
		return db.outcomeNow(ctx, c.ID, req.UserID)
	}
	return JoinOutcome{Request: saved, Member: req.Status == RequestAdmitted}, nil
}

// joinEvents reports a decision: to the circle when someone joined, to the applicant when
// their request was decided, to the organizer when a new request waits.
func joinEvents(c Circle, q JoinRequest, prev *JoinRequest) ([]Event, error) {
	body := map[string]any{"circle_id": c.ID, "user_id": q.UserID, "status": q.Status, "reasons": qrcircles.ReasonsText(q.Reasons)}
	var out []Event
	add := func(e Event, err error) error {
		out = append(out, e)
		return err
	}
	var err error
	switch q.Status {
	case RequestAdmitted:
		err = add(qrcircles.ToCircle(c.ID, q.UserID, qrcircles.EventMemberJoined, body)) // the new member hears it too
		if prev != nil && prev.Status == RequestWaiting {
			err = errors.Join(err, add(qrcircles.ToUser(q.UserID, q.UserID, qrcircles.EventRequestDecided, body)))
		}
	case RequestWaiting:
		if prev == nil || prev.Status != RequestWaiting {
			err = add(qrcircles.ToUser(c.OwnerID, q.UserID, qrcircles.EventRequestCreated, body))
		}
	default:
		err = add(qrcircles.ToUser(q.UserID, q.UserID, qrcircles.EventRequestDecided, body))
	}
	return out, err
}

func (db *DB) joinState(ctx context.Context, c Circle, req JoinRequest, pre preJoin) (JoinState, error) {
	st := JoinState{Circle: c, RefusesAll: pre.RefusesAll}
	var err error
	if pre.HasExclusions {
		if st.Excluded, err = db.excludedFrom(ctx, c.ID, req.UserID, req.Phone); err != nil {
			return st, err
		}
	}
	if c.AllowlistSize > 0 {
		if st.Listed, err = db.Allowlisted(ctx, c.ID, req.Phone); err != nil {
			return st, err
		}
	}
	if c.Rules.Cap > 0 {
		if st.Members, err = db.MemberCount(ctx, c.ID); err != nil {
			return st, err
		}
	}
	return st, nil
}

// excludedFrom reports whether someone in the circle and this person exclude each other. It
// is asked only for people with exclusions, who alone pay for the circle-wide lock that
// makes the check race-free.
func (db *DB) excludedFrom(ctx context.Context, circleID, userID int64, phone string) (bool, error) {
	if err := db.lockKey(ctx, circleLockKey(circleID), false); err != nil {
		return false, err
	}
	var hits []int64
	err := db.conn(ctx).Raw(`SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.circle_id = ? AND m.user_id <> ? AND (
			u.phone IN (SELECT other_phone FROM exclusions WHERE user_id = ?)
			OR m.user_id IN (SELECT user_id FROM exclusions WHERE other_phone = ?))
		LIMIT 1`, circleID, userID, userID, phone).Scan(&hits).Error
	return len(hits) > 0, wrapErr("checking exclusions", err)
}

type membershipRow struct {
	CircleID int64 `gorm:"primaryKey"`
	UserID   int64 `gorm:"primaryKey"`
	JoinedAt time.Time
}

func (membershipRow) TableName() string { return "memberships" }

const insertMember = `INSERT INTO memberships (circle_id, user_id, joined_at) VALUES (?, ?, ?)
	ON CONFLICT (circle_id, user_id) DO NOTHING`

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
)

// saveRequest records the request decided on prev (nil: none), the membership when it was
// admitted, and the events: on PostgreSQL in one statement, since a join is the hot path of
// an event. made is false when a concurrent repeat of the request had already changed it:
// then nothing is written.
func (db *DB) saveRequest(ctx context.Context, q JoinRequest, prev *JoinRequest, now time.Time, evs []Event) (saved JoinRequest, made bool, err error) {
	row := joinRequestRow{CircleID: q.CircleID, UserID: q.UserID, Phone: q.Phone, ScanTime: q.ScanTime.UTC(),
		Status: q.Status, Reasons: qrcircles.ReasonsText(q.Reasons), DecidedAt: optTime(q.DecidedAt), CreatedAt: now.UTC()}
	if q.DecidedBy != 0 {
		row.DecidedBy = &q.DecidedBy
	}
	stmt := insertRequest + requestIsNew
	args := []any{row.CircleID, row.UserID, row.Phone, row.ScanTime, row.Status, row.Reasons, row.DecidedBy, row.DecidedAt, row.CreatedAt}
	if prev != nil {
		stmt, args = insertRequest+requestIsReplaced, append(args, prev.Status)
	}
	if db.dialect == Postgres {
		more, margs, err := afterRequest(q, evs, now)
		if err != nil {
			return JoinRequest{}, false, err
		}
		stmt = "WITH " + strings.Join(append([]string{"req AS (" + stmt + ")"}, more...), ",\n") + "\nSELECT id, created_at FROM req"
		args = append(args, margs...)
	}
	err = db.conn(ctx).Raw(stmt, args...).Row().Scan(&row.ID, &row.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return JoinRequest{}, false, nil
	}
	if err != nil {
		return JoinRequest{}, false, fmt.Errorf("saving join request: %w", err)
	}
	if db.dialect != Postgres {
		if err := db.writeAfterRequest(ctx, q, evs, now); err != nil {
			return JoinRequest{}, false, err
		}
	}
	return row.request(), true, nil
}

// writeAfterRequest is afterRequest's statement in steps, for SQLite: the membership, then the
// events if the change they report was made.
func (db *DB) writeAfterRequest(ctx context.Context, q JoinRequest, evs []Event, now time.Time) error {
	if q.Status == RequestAdmitted {
		res := db.conn(ctx).Exec(insertMember, q.CircleID, q.UserID, now.UTC())
		if res.Error != nil {
			return fmt.Errorf("adding member: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
	}
	return db.AppendEvents(ctx, evs...)
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

// JoinRequest returns one request of a circle.
func (db *DB) JoinRequest(ctx context.Context, circleID, requestID int64) (JoinRequest, error) {
	var row joinRequestRow
	err := db.conn(ctx).Where("circle_id = ? AND id = ?", circleID, requestID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return JoinRequest{}, fmt.Errorf("join request: %w", ErrNotFound)
	}
	if err != nil {
		return JoinRequest{}, fmt.Errorf("join request: %w", err)
	}
	return row.request(), nil
}

// Decide re-decides a waiting request with decide (an organizer's approval, or changed rules),
// under the same locks as a join. decidedBy is the organizer, or 0 for the rules.
func (db *DB) Decide(ctx context.Context, circleID, requestID, decidedBy int64, now time.Time, decide Decider) (JoinOutcome, error) {
	var out JoinOutcome
	err := db.InTx(ctx, func(ctx context.Context) error {
		c, err := db.lockCircle(ctx, circleID, true)
		if err != nil {
			return err
		}
		out, err = db.decideLocked(ctx, c, requestID, decidedBy, now, decide)
		return err
	})
	return out, err
}

func (db *DB) decideLocked(ctx context.Context, c Circle, requestID, decidedBy int64, now time.Time, decide Decider) (JoinOutcome, error) {
	q, err := db.JoinRequest(ctx, c.ID, requestID)
	if err != nil {
		return JoinOutcome{}, err
	}
	if q.Status != RequestWaiting {
		return JoinOutcome{Request: q}, fmt.Errorf("join request %d is %s: %w", q.ID, q.Status, ErrConflict)
	}
	if err := db.lockKey(ctx, phoneLockKey(q.Phone), true); err != nil {
		return JoinOutcome{}, err
	}
	return db.decideAndApply(ctx, c, JoinRequest{CircleID: c.ID, UserID: q.UserID, Phone: q.Phone, ScanTime: q.ScanTime}, &q, nil, decide, decidedBy, now)
}

// Redecide re-decides every waiting request of the circle inside an UpdateCircle
// transaction (the circle is locked), and returns how many were admitted.
func (db *DB) Redecide(ctx context.Context, c Circle, now time.Time, decide Decider) (int, error) {
	var ids []int64
	err := db.conn(ctx).Model(&joinRequestRow{}).Where("circle_id = ? AND status = ?", c.ID, RequestWaiting).
		Order("id").Pluck("id", &ids).Error
	if err != nil {
		return 0, fmt.Errorf("waiting requests: %w", err)
	}
	admitted := 0
	for _, id := range ids {
		out, err := db.decideLocked(ctx, c, id, 0, now, decide)
		if err != nil {
			return admitted, err
		}
		if out.Member {
			admitted++
		}
	}
	return admitted, nil
}

// Deny turns a waiting request down.
func (db *DB) Deny(ctx context.Context, circleID, requestID, decidedBy int64, now time.Time) (JoinRequest, error) {
	var q JoinRequest
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Model(&joinRequestRow{}).Where("circle_id = ? AND id = ? AND status = ?", circleID, requestID, RequestWaiting).
			Updates(map[string]any{"status": RequestDenied, "decided_by": decidedBy, "decided_at": now.UTC()})
		if res.Error != nil {
			return fmt.Errorf("denying: %w", res.Error)
		}
		var err error
		if q, err = db.JoinRequest(ctx, circleID, requestID); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("join request %d is %s: %w", q.ID, q.Status, ErrConflict)
		}
		ev, err := qrcircles.ToUser(q.UserID, q.UserID, qrcircles.EventRequestDecided, map[string]any{"circle_id": circleID, "user_id": q.UserID, "status": q.Status})
		if err != nil {
			return err
		}
		return db.AppendEvents(ctx, ev)
	})
	return q, err
}

// RequestsOfCircle lists a circle's requests in one state, oldest first.
func (db *DB) RequestsOfCircle(ctx context.Context, circleID int64, status string) ([]JoinRequest, error) {
	return db.requests(ctx, "circle_id = ? AND status = ?", circleID, status)
}

// RequestsOfUser lists a person's requests in one state, newest first.
func (db *DB) RequestsOfUser(ctx context.Context, userID int64, status string) ([]JoinRequest, error) {
	return db.requests(ctx, "user_id = ? AND status = ?", userID, status)
}

// LatestRequest returns the person's latest request to join the circle that did not end in
// membership (admitted requests are left out), or ErrNotFound. One query on the unique
// (circle_id, user_id) index: a person has one request per circle, updated in place when they
// scan again, and the order only keeps "latest" true should that ever change.
func (db *DB) LatestRequest(ctx context.Context, userID, circleID int64) (JoinRequest, error) {
	var row joinRequestRow
	err := db.conn(ctx).Where("circle_id = ? AND user_id = ? AND status <> ?", circleID, userID, RequestAdmitted).
		Order("id DESC").Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return JoinRequest{}, fmt.Errorf("join request of user %d in circle %d: %w", userID, circleID, ErrNotFound)
	}
	if err != nil {
		return JoinRequest{}, fmt.Errorf("join request of user %d in circle %d: %w", userID, circleID, err)
	}
	return row.request(), nil
}

func (db *DB) requests(ctx context.Context, where string, args ...any) ([]JoinRequest, error) {
	var rows []joinRequestRow
	if err := db.conn(ctx).Where(where, args...).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("join requests: %w", err)
	}
	out := make([]JoinRequest, len(rows))
	for i, r := range rows {
		out[i] = r.request()
	}
	return out, nil
}

// Members lists a circle's members in the order they joined.
func (db *DB) Members(ctx context.Context, circleID int64) ([]Member, error) {
	var out []Member
	err := db.conn(ctx).Raw(`SELECT m.user_id, u.display_name, m.joined_at FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.circle_id = ? ORDER BY m.joined_at, m.user_id`, circleID).Scan(&out).Error
	return out, wrapErr("listing members", err)
}

// MemberCount counts a circle's members.
func (db *DB) MemberCount(ctx context.Context, circleID int64) (int, error) {
	var n int64
	err := db.conn(ctx).Model(&membershipRow{}).Where("circle_id = ?", circleID).Count(&n).Error
	return int(n), wrapErr("counting members", err)
}

// IsMember reports whether the user is a member of the circle.
func (db *DB) IsMember(ctx context.Context, circleID, userID int64) (bool, error) {
	var n int64
	err := db.conn(ctx).Model(&membershipRow{}).Where("circle_id = ? AND user_id = ?", circleID, userID).Count(&n).Error
	return n > 0, wrapErr("membership", err)
}

// EndMembership removes a member (status RequestLeft when they leave, RequestRemoved when
// the organizer removes them).
func (db *DB) EndMembership(ctx context.Context, circleID, userID int64, status string, now time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Where("circle_id = ? AND user_id = ?", circleID, userID).Delete(&membershipRow{})
		if err := affectedOne(res, "membership"); err != nil {
			return err
		}
		err := db.conn(ctx).Model(&joinRequestRow{}).Where("circle_id = ? AND user_id = ?", circleID, userID).
			Updates(map[string]any{"status": status, "decided_at": now.UTC()}).Error
		if err != nil {
			return fmt.Errorf("ending membership: %w", err)
		}
		// The person gets a copy: replay follows current membership, which no longer has them.
		body := map[string]any{"circle_id": circleID, "user_id": userID, "status": status}
		left, err1 := qrcircles.ToCircle(circleID, userID, qrcircles.EventMemberLeft, body)
		copy, err2 := qrcircles.ToUser(userID, userID, qrcircles.EventMemberLeft, body)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		return db.AppendEvents(ctx, left, copy)
	})
}

func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, markUnavailable(err)) // Row().Scan errors skip the callbacks
}
