package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Welcomed reports whether the member has answered the welcome of the circle (saved the card
// it offers); ErrNotFound when the user is not a member.
func (db *DB) Welcomed(ctx context.Context, circleID, userID int64) (bool, error) {
	var welcomed bool
	err := db.conn(ctx).Raw(`SELECT welcomed_at IS NOT NULL FROM memberships WHERE circle_id = ? AND user_id = ?`, circleID, userID).
		Row().Scan(&welcomed)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return welcomed, wrapErr("welcome", err)
}

// MarkWelcomed records that the member answered the circle's welcome; ErrNotFound when the
// user is not a member.
func (db *DB) MarkWelcomed(ctx context.Context, circleID, userID int64, now time.Time) error {
	res := db.conn(ctx).Table("memberships").Where("circle_id = ? AND user_id = ?", circleID, userID).Update("welcomed_at", now)
	return affectedOne(res, "welcome")
}
