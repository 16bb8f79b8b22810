package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// A guessed join on PostgreSQL is one call of join_guessed: one statement, in a transaction
// of its own, that takes the join's locks, reads the facts and writes the guess only if
// they are the guessed ones. Each statement of the function sees what committed before it
// started, so the facts are read after the locks are granted, as in two statements. The
// function runs only what the person and the circle need: the (circle, phone) pair locks
// and the exclusion check for someone with exclusions, the seat for a capped circle, the
// allowlist lookup for a circle that has one. A statement that did all of it for everyone
// spent more of PostgreSQL's time starting its plan than running it.

// migrateJoinGuessed adds join_guessed on PostgreSQL; SQLite runs the same steps one by one.
func migrateJoinGuessed(tx *gorm.DB, dialect string) error {
	if dialect != Postgres {
		return nil
	}
	return tx.Exec(joinGuessedFunction).Error
}

// migrateBatchedJoins gives join_guessed and claim_seat their waits argument, for the calls
// in a batch of joins (joins_batch.go), in place of the functions of migrations 28 and 29.
func migrateBatchedJoins(tx *gorm.DB, dialect string) error {
	if dialect != Postgres {
		return nil
	}
	return execAll(tx, `DROP FUNCTION IF EXISTS join_guessed(bigint, bigint, text, bigint, boolean,
		bigint, boolean, boolean, boolean, boolean, text, timestamptz, text, text, bigint, timestamptz,
		timestamptz, boolean, text)`, `DROP FUNCTION IF EXISTS join_guessed(bigint, bigint, text, bigint, boolean,
		bigint, boolean, boolean, boolean, boolean, text, timestamptz, text, text, bigint, timestamptz,
		timestamptz, boolean, text, boolean)`, `DROP FUNCTION IF EXISTS claim_seat(bigint, bigint)`,
		`DROP FUNCTION IF EXISTS claim_seat(bigint, bigint, boolean)`,
		claimSeatFunction, joinGuessedFunction)
}

// joinGuessedFunction is join_guessed. Its arguments: the circle, the person and their
// phone, the advisory key of the phone's lock (phoneLockKey), whether to claim a seat; the guessed facts (rules version, below the
// cap, excluded, refuses all, listed); the request to write (phone, scan time, status,
// reasons, decided by and at, created at), whether it makes a member, the events as a JSON
// array of rows (NULL: none), and whether to wait for the locks: a call in a batch does not,
// and returns the facts "busy", having written nothing, when one is held elsewhere or the
// circle's row is locked for update. It returns no row when there is no such circle; else the
// new request's ID and time when it wrote the guess, or, when it did not, the facts it
// found, as JSON: the circle as locked, the facts, and the earlier request if any. The
// guess's first facts (not a member, no earlier request, refusing no circles) are checked
// by the insert itself, and the facts are read in full only when the guess failed.
const joinGuessedFunction = `CREATE FUNCTION join_guessed(c bigint, u bigint, ph text, phone_key bigint, claim boolean,
	g_version bigint, g_below boolean, g_excluded boolean, g_refuses boolean, g_listed boolean,
	q_phone text, q_scan timestamptz, q_status text, q_reasons text, q_decided_by bigint, q_decided_at timestamptz,
	q_at timestamptz, q_member boolean, evs text, waits boolean)
RETURNS TABLE (req_id bigint, req_created_at timestamptz, facts text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	cr record;
	lock_key bigint;
	n bigint;
	f_members integer := 0;
	f_excluded boolean := false;
	f_listed boolean := false;
BEGIN
	-- The locks, in the order of every transaction that takes them (lockCircleStep): the
	-- phone's, which CreateExclusion takes too, so that the exclusions read after it are all
	-- there are; the circle's row; the (circle, phone) pairs of someone with exclusions.
	-- In a batch (waits false) a lock held elsewhere is not waited for: the call reports
	-- busy and writes nothing.
	IF waits THEN
		PERFORM pg_advisory_xact_lock_shared(phone_key);
	ELSIF NOT pg_try_advisory_xact_lock_shared(phone_key)
			OR NOT EXISTS (SELECT 1 FROM circles WHERE circles.id = c FOR KEY SHARE OF circles SKIP LOCKED) THEN
		facts := 'busy';
		RETURN NEXT;
		RETURN;
	END IF;
	SELECT circles.*, EXISTS (SELECT 1 FROM exclusions WHERE exclusions.user_id = u)
		OR EXISTS (SELECT 1 FROM exclusions WHERE other_phone = ph) AS pairs
		INTO cr FROM circles WHERE circles.id = c FOR KEY SHARE OF circles;
	IF NOT FOUND THEN
		RETURN; -- no row: no such circle
	END IF;
	IF cr.pairs THEN
		FOR lock_key IN SELECT DISTINCT hashtextextended('join:' || c || ':' || p, 0) FROM (
				SELECT other_phone FROM exclusions WHERE exclusions.user_id = u
				UNION ALL SELECT (SELECT users.phone FROM users WHERE users.id = x.user_id) FROM exclusions x WHERE x.other_phone = ph
				UNION ALL SELECT ph) phones (p)
			WHERE p IS NOT NULL ORDER BY 1 LOOP
			IF waits THEN
				PERFORM pg_advisory_xact_lock(lock_key);
			ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
				facts := 'busy';
				RETURN NEXT;
				RETURN;
			END IF;
		END LOOP;
	END IF;
	IF claim AND NOT claim_seat(c, u, waits) THEN
		facts := 'busy';
		RETURN NEXT;
		RETURN;
	END IF;
	-- The facts (factsSelect), read after the locks; the lookups that cannot find anything
	-- for this person and circle are not made.
	IF cr.member_cap > 0 THEN
		IF NOT EXISTS (SELECT 1 FROM circle_seats s WHERE s.circle_id = c AND s.user_id = u) THEN
			f_members := cr.member_cap;
		END IF;
	END IF;
	IF cr.pairs THEN
		f_excluded := EXISTS (SELECT 1 FROM exclusions x WHERE x.user_id = u AND (SELECT true FROM memberships m
				WHERE m.circle_id = c AND m.user_id = (SELECT users.id FROM users WHERE users.phone = x.other_phone AND users.id <> u)))
			OR EXISTS (SELECT 1 FROM exclusions x WHERE x.other_phone = ph AND x.user_id <> u
				AND (SELECT true FROM memberships m WHERE m.circle_id = c AND m.user_id = x.user_id));
	END IF;
	IF cr.allowlist_size > 0 THEN
		f_listed := EXISTS (SELECT 1 FROM circle_allowlist a WHERE a.circle_id = c AND a.phone = ph);
	END IF;
	-- The guess, written only on its facts (guessedStatement), with what follows it (afterRequest).
	IF cr.rules_version = g_version AND (cr.member_cap = 0 OR f_members < cr.member_cap) = g_below
		AND f_excluded = g_excluded AND f_listed = g_listed THEN
		INSERT INTO join_requests AS r (circle_id, user_id, phone, scan_time, status, reasons, decided_by, decided_at, created_at)
			SELECT c, u, q_phone, q_scan, q_status, q_reasons, q_decided_by, q_decided_at, q_at
			WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.circle_id = c AND m.user_id = u)
				AND COALESCE((SELECT refuse_all_circles FROM user_settings WHERE user_settings.user_id = u), false) = g_refuses
			ON CONFLICT (circle_id, user_id) DO NOTHING RETURNING r.id, r.created_at INTO req_id, req_created_at;
		n := CASE WHEN req_id IS NULL THEN 0 ELSE 1 END;
		IF n > 0 AND q_member THEN
			INSERT INTO memberships (circle_id, user_id, joined_at) VALUES (c, u, q_at) ON CONFLICT (circle_id, user_id) DO NOTHING;
			GET DIAGNOSTICS n = ROW_COUNT;
		END IF;
		IF n > 0 AND evs IS NOT NULL THEN
			INSERT INTO events (recipient_id, circle_id, subject_id, type, payload, created_at)
				SELECT * FROM json_to_recordset(evs::json) AS e (recipient_id bigint, circle_id bigint, subject_id bigint,
					type text, payload text, created_at timestamptz);
		END IF;
	END IF;
	-- A seat the join did not use goes back before the commit (releaseSeatSteps).
	IF claim THEN
		IF NOT EXISTS (SELECT 1 FROM memberships m WHERE m.circle_id = c AND m.user_id = u) THEN
			IF (SELECT count(*) FROM circle_seats s WHERE s.circle_id = c) > (SELECT circles.member_cap FROM circles WHERE circles.id = c) THEN
				DELETE FROM circle_seats s WHERE s.circle_id = c AND s.user_id = u;
			ELSE
				UPDATE circle_seats s SET user_id = NULL WHERE s.circle_id = c AND s.user_id = u;
			END IF;
		END IF;
	END IF;
	IF req_id IS NULL THEN
		facts := json_build_object('circle', row_to_json(cr),
			'member', EXISTS (SELECT 1 FROM memberships m WHERE m.circle_id = c AND m.user_id = u),
			'members', f_members, 'excluded', f_excluded, 'listed', f_listed,
			'refuses', COALESCE((SELECT refuse_all_circles FROM user_settings WHERE user_settings.user_id = u), false),
			'previous', (SELECT row_to_json(r) FROM join_requests r WHERE r.circle_id = c AND r.user_id = u));
	END IF;
	RETURN NEXT;
END $$`

// errJoinBusy is the result of a call in a batch that would have waited for a lock: the
// join runs again alone.
var errJoinBusy = errors.New("a lock of the join is held elsewhere")

// joinGuessedStep is the call of join_guessed for the guess g of the join k, waiting for its
// locks or not (in a batch); once it ran, result gives what it did. Alone, it is the whole
// join: no BEGIN or COMMIT goes with it.
func joinGuessedStep(k JoinKey, g JoinGuess, waits bool) (step, func() (JoinOutcome, bool, JoinFacts, error), error) {
	if k.Exclusive {
		// An organizer's decision locks the circle's row for update and is never guessed.
		return step{}, nil, errors.New("a guessed join takes the circle's row shared, not exclusive")
	}
	f, row := g.Facts, requestRow(g.Write)
	below := f.Circle.Rules.Cap == 0 || f.Members < f.Circle.Rules.Cap
	evs, err := eventsJSON(g.Write.Events)
	if err != nil {
		return step{}, nil, err
	}
	var ran bool
	var id *int64
	var created *time.Time
	var found *string
	s := step{
		sql: `SELECT * FROM join_guessed(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		args: []any{k.CircleID, k.UserID, k.Phone, advisoryKey(phoneLockKey(k.Phone)), k.Seat,
			f.Circle.RulesVersion, below, f.Excluded, f.RefusesAll, f.Listed,
			row.Phone, row.ScanTime, row.Status, row.Reasons, row.DecidedBy, row.DecidedAt, row.CreatedAt, g.Write.Member, evs, waits},
		scan: func(r rowScanner) error { ran = true; return r.Scan(&id, &created, &found) },
	}
	return s, func() (JoinOutcome, bool, JoinFacts, error) {
		switch {
		case !ran:
			return JoinOutcome{}, false, JoinFacts{}, fmt.Errorf("circle: %w", ErrNotFound)
		case id != nil:
			saved := row
			saved.ID, saved.CreatedAt = *id, *created
			return JoinOutcome{Request: saved.request(), Member: g.Write.Member}, true, JoinFacts{}, nil
		case found == nil:
			return JoinOutcome{}, false, JoinFacts{}, errors.New("join_guessed wrote nothing and found no facts")
		case *found == "busy":
			return JoinOutcome{}, false, JoinFacts{}, errJoinBusy
		}
		facts, err := foundFacts(*found)
		return JoinOutcome{}, false, facts, err
	}, nil
}

// foundFacts reads the facts join_guessed returns when the guess did not hold.
func foundFacts(found string) (JoinFacts, error) {
	var v struct {
		Circle                            circleRow
		Member, Excluded, Listed, Refuses bool
		Members                           int
		Previous                          *joinRequestRow
	}
	if err := json.Unmarshal([]byte(found), &v); err != nil {
		return JoinFacts{}, fmt.Errorf("the facts of a join: %w", err)
	}
	c, err := v.Circle.circle()
	f := JoinFacts{Circle: c, Member: v.Member, Members: v.Members, Excluded: v.Excluded, RefusesAll: v.Refuses, Listed: v.Listed}
	if v.Previous != nil {
		q := v.Previous.request()
		f.Previous = &q
	}
	return f, err
}

// eventsJSON is evs as join_guessed takes them: a JSON array of their rows, nil for none.
func eventsJSON(evs []Event) (*string, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	rows := make([]eventRow, len(evs))
	for i, e := range evs {
		var err error
		if rows[i], err = toEventRow(e); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(rows)
	s := string(b)
	return &s, err
}
