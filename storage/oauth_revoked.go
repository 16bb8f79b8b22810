package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"gorm.io/gorm"
)

// migrateRevokedTokens adds the log of access tokens deleted before they expired (revoked,
// rotated away, or gone with their account or client), written by a trigger so that no
// way of deleting one is missed. Instances read it to drop such tokens from the memory they
// verify tokens from (authz's verified tokens).
//
// On PostgreSQL each row keeps the id of the transaction that wrote it: a reader that
// starts again from the oldest transaction still running at its last read sees every row
// committed since, whatever order their transactions committed in. SQLite commits one
// writer at a time, so its row ids are in commit order.
func migrateRevokedTokens(tx *gorm.DB, dialect string) error {
	if dialect != Postgres {
		return execAll(tx,
			`CREATE TABLE revoked_tokens (
				id INTEGER PRIMARY KEY AUTOINCREMENT,
				signature varchar(64) NOT NULL,
				expires_at datetime)`,
			`CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at)`,
			`CREATE TRIGGER oauth_sessions_revoked AFTER DELETE ON oauth_sessions FOR EACH ROW WHEN OLD.kind = 'access'
			BEGIN INSERT INTO revoked_tokens (signature, expires_at) VALUES (OLD.signature, OLD.expires_at); END`)
	}
	return execAll(tx,
		`CREATE TABLE revoked_tokens (
			id bigserial PRIMARY KEY,
			signature varchar(64) NOT NULL,
			expires_at timestamptz,
			xid xid8 NOT NULL DEFAULT pg_current_xact_id())`,
		`CREATE INDEX revoked_tokens_xid ON revoked_tokens (xid)`,
		`CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at)`,
		`CREATE FUNCTION log_revoked_token() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO revoked_tokens (signature, expires_at) VALUES (OLD.signature, OLD.expires_at);
			RETURN NULL;
		END $$`,
		// Expired tokens are refused anyway: the cleanup's deletes need no record.
		`CREATE TRIGGER oauth_sessions_revoked AFTER DELETE ON oauth_sessions FOR EACH ROW
			WHEN (OLD.kind = 'access' AND (OLD.expires_at IS NULL OR OLD.expires_at > now()))
			EXECUTE FUNCTION log_revoked_token()`)
}

// RevokedTokens returns the keys (qrcircles.TokenKey) of the access tokens deleted since
// the read that returned cursor, and the cursor of this read. The empty cursor reads
// nothing and starts one.
func (db *DB) RevokedTokens(ctx context.Context, cursor string) (keys []string, next string, err error) {
	q := `SELECT pg_snapshot_xmin(pg_current_snapshot())::text, r.signature
		FROM (SELECT 1) one LEFT JOIN revoked_tokens r ON ? <> '' AND r.xid >= CAST(NULLIF(?, '') AS xid8)`
	args := []any{cursor, cursor}
	if db.dialect != Postgres {
		last, _ := strconv.ParseInt(cursor, 10, 64)
		q = `SELECT CAST((SELECT coalesce(max(id), 0) FROM revoked_tokens) AS text), r.signature
			FROM (SELECT 1) one LEFT JOIN revoked_tokens r ON ? <> '' AND r.id > ?`
		args = []any{cursor, last}
	}
	rows, err := db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, "", markUnavailable(fmt.Errorf("reading revoked tokens: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var key sql.NullString
		if err := rows.Scan(&next, &key); err != nil {
			return nil, "", fmt.Errorf("reading revoked tokens: %w", err)
		}
		if key.Valid {
			keys = append(keys, key.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, "", markUnavailable(fmt.Errorf("reading revoked tokens: %w", err))
	}
	return keys, next, nil
}

// TokenRevocations counts the deletions of tokens this process made: a verifier that saw
// the count change reads the log before it trusts its memory again, so that here a
// revocation holds from the next request on.
func (db *DB) TokenRevocations() uint64 { return db.revocations.Load() }

// revoked counts a deletion of tokens (see TokenRevocations).
func (db *DB) revoked() { db.revocations.Add(1) }
