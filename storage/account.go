package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// personalTables are the rows that hold a person and go when the account is deleted: the
// table and the column that names the person. A feature that keeps more about a person adds
// its table here. Messages, announcements and circles stay (the people who received them, or
// the circle's members, keep them); the user row stays as a tombstone, so that they can say
// "deleted user" and the audit log keeps the user ID.
var personalTables = []struct{ table, column string }{
	{"cards", "user_id"}, {"avatars", "user_id"}, {"card_defaults", "user_id"}, {"card_visibility", "user_id"},
	{"contacts", "owner_id"}, {"contacts", "contact_id"},
	{"card_requests", "from_id"}, {"card_requests", "to_id"},
	{"user_privacy", "user_id"}, {"user_settings", "user_id"},
	{"memberships", "user_id"}, {"join_requests", "user_id"}, {"exclusions", "user_id"},
	{"circle_mutes", "user_id"}, {"login_sessions", "user_id"}, {"consents", "user_id"},
	{"passkeys", "user_id"}, {"passkey_ceremonies", "user_id"},
}

// DeleteAccount deletes everything that holds the person, in one transaction: their card,
// settings, memberships, requests, contacts (theirs and others' of them), sessions, consents
// and every OAuth token and code issued for them. The user row keeps only its ID, with the
// phone number replaced, the name emptied and deleted_at set; the circles they organize are
// closed; their audit entries keep the user ID and lose the client IP.
func (db *DB) DeleteAccount(ctx context.Context, userID int64, now time.Time) error {
	defer db.revoked() // its tokens go with it
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.leaveAll(ctx, userID, now); err != nil {
			return err
		}
		for _, t := range personalTables {
			if err := db.conn(ctx).Exec("DELETE FROM "+t.table+" WHERE "+t.column+" = ?", userID).Error; err != nil {
				return wrapErr("deleting account: "+t.table, err)
			}
		}
		id := strconv.FormatInt(userID, 10)
		stmts := []struct {
			sql  string
			args []any
		}{
			{"DELETE FROM oauth_sessions WHERE subject = ?", []any{id}},
			// rules_version: a join decided in advance on the open circle must not land.
			{"UPDATE circles SET closed = ?, rules_version = rules_version + 1, updated_at = ? WHERE owner_id = ?", []any{true, now.UTC(), userID}},
			{"UPDATE audit_log SET ip = '' WHERE actor_id = ?", []any{userID}},
			{"UPDATE users SET phone = ?, display_name = '', deleted_at = ?, updated_at = ? WHERE id = ?",
				[]any{deletedPhone(userID), now.UTC(), now.UTC(), userID}},
		}
		for _, s := range stmts {
			if err := db.conn(ctx).Exec(s.sql, s.args...).Error; err != nil {
				return wrapErr("deleting account", err)
			}
		}
		return nil
	})
}

// leaveAll ends the person's memberships as leaving would, so that the members' open pages
// drop them live. The events name user IDs only; their older events go with the account.
func (db *DB) leaveAll(ctx context.Context, userID int64, now time.Time) error {
	if err := db.conn(ctx).Exec("DELETE FROM events WHERE recipient_id = ? OR subject_id = ?", userID, userID).Error; err != nil {
		return wrapErr("deleting account: events", err)
	}
	joined, err := db.CirclesJoinedBy(ctx, userID)
	for _, c := range joined {
		if err == nil {
			err = db.EndMembership(ctx, c.ID, userID, RequestLeft, now)
		}
	}
	return err
}

// deletedPhone is what a deleted user's phone column holds: unique, and never a phone
// number (those start with +), so the number may sign up again as a new person.
func deletedPhone(userID int64) string { return "deleted:" + strconv.FormatInt(userID, 10) }

// SpendProof records a proof-of-work solution as used until it expires. It succeeds once
// per ID: afterwards it returns an error wrapping ErrConflict.
func (db *DB) SpendProof(ctx context.Context, id string, expiresAt time.Time) error {
	if unstorable(id) {
		return fmt.Errorf("proof: %w", ErrConflict)
	}
	res := db.conn(ctx).Exec(`INSERT INTO proofs_spent (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
		id, otpTime(expiresAt))
	if res.Error != nil {
		return wrapErr("spending proof", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("proof: %w", ErrConflict)
	}
	return nil
}

// CircleSMSBudget returns the number of sign-in codes a day the organizer expects the circle
// to need (0: not set) and its member cap.
func (db *DB) CircleSMSBudget(ctx context.Context, circleID int64) (budget, memberCap int, err error) {
	var rows []struct{ SMSBudget, MemberCap int }
	err = db.conn(ctx).Raw(`SELECT sms_budget, member_cap FROM circles WHERE id = ?`, circleID).Scan(&rows).Error
	if err != nil {
		return 0, 0, wrapErr("circle sms budget", err)
	}
	if len(rows) == 0 {
		return 0, 0, fmt.Errorf("circle sms budget: %w", ErrNotFound)
	}
	return rows[0].SMSBudget, rows[0].MemberCap, nil
}

// SetCircleSMSBudget sets the circle's expected attendance (0: the default).
func (db *DB) SetCircleSMSBudget(ctx context.Context, circleID int64, budget int, now time.Time) error {
	res := db.conn(ctx).Exec(`UPDATE circles SET sms_budget = ?, updated_at = ? WHERE id = ?`, budget, now.UTC(), circleID)
	return affectedOne(res, "circle sms budget")
}
