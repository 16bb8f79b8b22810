package storage

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// A capped circle has as many seats as its cap, each free or held by one member. A join
// claims a free seat before it is decided, and gives it back before its commit unless it
// made the person a member; leaving gives the seat back. Joins of one capped circle thus
// wait for each other only when they reach for the same seat — a claim skips seats other
// joins hold — instead of all taking the circle row, one after the other, through each
// commit. When no seat is free but some are held by joins still running, a claim waits for
// one of those, so that the cap is exact: nobody is queued for a seat a join gives back.

// migrateSeats adds the seats of capped circles, with one for each member of every capped
// circle already there. On PostgreSQL, claim_seat claims one in the database, so that a
// claim that must wait for a running join does not take a round trip per seat.
func migrateSeats(tx *gorm.DB, dialect string) error {
	// The key holds the circle, as a database distributed by circle needs (docs/scaling.md).
	table := `CREATE TABLE circle_seats (
			id bigserial,
			circle_id bigint NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
			user_id bigint,
			PRIMARY KEY (circle_id, id))`
	if dialect != Postgres {
		table = `CREATE TABLE circle_seats (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			circle_id bigint NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
			user_id bigint)`
	}
	stmts := []string{
		table,
		`CREATE UNIQUE INDEX circle_seats_holder ON circle_seats (circle_id, user_id)`,
		`CREATE INDEX circle_seats_free ON circle_seats (circle_id) WHERE user_id IS NULL`,
	}
	if dialect == Postgres {
		stmts = append(stmts, claimSeatFunction)
	}
	if err := execAll(tx, stmts...); err != nil {
		return err
	}
	return fitSeats(tx, 0)
}

// claimSeatFunction is claim_seat: it claims a seat of circle c for person u unless they
// hold one or none is free, and returns true; it returns false, having claimed nothing, when
// it would have to wait (waits false, in a batch of joins: joins_batch.go): for another
// claim of the same person, or for a join that holds the last free seats. Migration 30
// replaced the claim_seat of migration 28, which always waited and returned nothing.
const claimSeatFunction = `CREATE FUNCTION claim_seat(c bigint, u bigint, waits boolean DEFAULT true) RETURNS boolean
	LANGUAGE plpgsql AS $$
	DECLARE
		s bigint;
		k bigint := hashtextextended('seat:' || c || ':' || u, 0);
	BEGIN
		-- Repeats of one person's join claim one after the other: the second finds the seat.
		IF waits THEN
			PERFORM pg_advisory_xact_lock(k);
		ELSIF NOT pg_try_advisory_xact_lock(k) THEN
			RETURN false;
		END IF;
		IF EXISTS (SELECT 1 FROM circle_seats WHERE circle_id = c AND user_id = u) THEN
			RETURN true;
		END IF;
		LOOP
			SELECT id INTO s FROM circle_seats WHERE circle_id = c AND user_id IS NULL
				LIMIT 1 FOR UPDATE SKIP LOCKED;
			IF FOUND THEN
				UPDATE circle_seats SET user_id = u WHERE circle_id = c AND id = s;
				RETURN true;
			END IF;
			-- No free seat that no join holds: wait for a join that holds one, if any.
			SELECT id INTO s FROM circle_seats WHERE circle_id = c AND user_id IS NULL LIMIT 1;
			IF NOT FOUND THEN
				RETURN true; -- full
			ELSIF NOT waits THEN
				RETURN false;
			END IF;
			PERFORM 1 FROM circle_seats WHERE circle_id = c AND id = s FOR UPDATE;
		END LOOP;
	END $$`

// claimSeatStep claims a seat of the circle for the person, unless they hold one or none is
// free; JoinFacts then say whether they hold one. SQLite runs one transaction at a time:
// a free seat there is never held by another join.
func (db *DB) claimSeatStep(k JoinKey) step {
	if db.dialect == Postgres {
		return step{sql: "SELECT claim_seat(?, ?)", args: []any{k.CircleID, k.UserID}}
	}
	return step{sql: `UPDATE circle_seats SET user_id = ? WHERE id = (
			SELECT id FROM circle_seats WHERE circle_id = ? AND user_id IS NULL LIMIT 1)
		AND NOT EXISTS (SELECT 1 FROM circle_seats WHERE circle_id = ? AND user_id = ?)`,
		args: []any{k.UserID, k.CircleID, k.CircleID, k.UserID}}
}

// releaseSeatSteps give the seat back unless the join made the person a member: the last
// statements before the commit of a join that claimed one, and what leaving does. A circle
// with more seats than its cap (the cap was lowered below its members) loses the seat
// instead, so that nobody takes it.
func releaseSeatSteps(k JoinKey) []step {
	notMember := `circle_id = ? AND user_id = ? AND NOT EXISTS (SELECT 1 FROM memberships WHERE circle_id = ? AND user_id = ?)`
	args := []any{k.CircleID, k.UserID, k.CircleID, k.UserID}
	return []step{
		{sql: `DELETE FROM circle_seats WHERE ` + notMember + `
			AND (SELECT count(*) FROM circle_seats WHERE circle_id = ?) > (SELECT member_cap FROM circles WHERE id = ?)`,
			args: append(args, k.CircleID, k.CircleID)},
		{sql: `UPDATE circle_seats SET user_id = NULL WHERE ` + notMember, args: args},
	}
}

// fitSeats makes the seats of a circle (0: of every circle) fit its cap and its members: one
// held by each member, free ones up to the cap, none without a cap. Held seats are kept, so
// that a member leaving meanwhile still finds theirs to give back. The caller holds the
// circle row for update, or is the migration.
func fitSeats(tx *gorm.DB, circleID int64) error {
	which := "circle_id = ? OR ? = 0"
	capped := "(c.id = ? OR ? = 0) AND c.member_cap > 0"
	return execArgs(tx, []any{circleID, circleID},
		`DELETE FROM circle_seats WHERE (`+which+`) AND (user_id IS NULL
			OR NOT EXISTS (SELECT 1 FROM memberships m WHERE m.circle_id = circle_seats.circle_id AND m.user_id = circle_seats.user_id)
			OR circle_id IN (SELECT id FROM circles WHERE member_cap = 0))`,
		`INSERT INTO circle_seats (circle_id, user_id)
			SELECT m.circle_id, m.user_id FROM memberships m JOIN circles c ON c.id = m.circle_id WHERE `+capped+`
			AND NOT EXISTS (SELECT 1 FROM circle_seats s WHERE s.circle_id = m.circle_id AND s.user_id = m.user_id)`,
		`INSERT INTO circle_seats (circle_id)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT max(member_cap) FROM circles))
			SELECT c.id FROM circles c JOIN n ON n.i <= c.member_cap - (SELECT count(*) FROM circle_seats s WHERE s.circle_id = c.id)
			WHERE `+capped)
}

// execArgs runs each statement in order with the same arguments.
func execArgs(tx *gorm.DB, args []any, stmts ...string) error {
	for _, s := range stmts {
		if err := tx.Exec(s, args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// fitCircleSeats is fitSeats for one circle, in the context's transaction.
func (db *DB) fitCircleSeats(ctx context.Context, circleID int64) error {
	if err := fitSeats(db.conn(ctx), circleID); err != nil {
		return fmt.Errorf("seats of circle %d: %w", circleID, err)
	}
	return nil
}

// releaseSeat gives back a seat whose holder is no longer a member.
func (db *DB) releaseSeat(ctx context.Context, circleID, userID int64) error {
	if err := db.runSteps(ctx, releaseSeatSteps(JoinKey{CircleID: circleID, UserID: userID})); err != nil {
		return wrapErr("giving back a seat", err)
	}
	return nil
}
