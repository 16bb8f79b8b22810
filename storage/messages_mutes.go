package storage

import (
	"context"
	"time"
)

// Mute mutes a circle for a user; muting it twice keeps the first time.
func (db *DB) Mute(ctx context.Context, userID, circleID int64, now time.Time) error {
	err := db.conn(ctx).Exec(`INSERT INTO circle_mutes (user_id, circle_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id, circle_id) DO NOTHING`, userID, circleID, now.UTC()).Error
	return wrapErr("muting circle", err)
}

// Unmute unmutes a circle for a user; a circle that was not muted is not an error.
func (db *DB) Unmute(ctx context.Context, userID, circleID int64) error {
	err := db.conn(ctx).Table("circle_mutes").Where("user_id = ? AND circle_id = ?", userID, circleID).Delete(&CircleMute{}).Error
	return wrapErr("unmuting circle", err)
}

// Mutes lists the circles a user muted, most recently muted first.
func (db *DB) Mutes(ctx context.Context, userID int64) ([]CircleMute, error) {
	var out []CircleMute
	err := db.conn(ctx).Table("circle_mutes").Where("user_id = ?", userID).Order("created_at DESC, circle_id").Find(&out).Error
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, wrapErr("mutes", err)
}

// Muted reports whether the user muted the circle. The push layer asks it before it sends
// the user an event addressed to the circle.
func (db *DB) Muted(ctx context.Context, userID, circleID int64) (bool, error) {
	var n int64
	err := db.conn(ctx).Table("circle_mutes").Where("user_id = ? AND circle_id = ?", userID, circleID).Count(&n).Error
	return n > 0, wrapErr("mute", err)
}

// CircleMuters lists the people who muted the circle.
func (db *DB) CircleMuters(ctx context.Context, circleID int64) ([]int64, error) {
	var ids []int64
	err := db.conn(ctx).Table("circle_mutes").Where("circle_id = ?", circleID).Pluck("user_id", &ids).Error
	return ids, wrapErr("circle mutes", err)
}
