package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

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

// Deny marks a waiting request denied and returns it; ErrConflict when it is not waiting.
func (db *DB) Deny(ctx context.Context, circleID, requestID, decidedBy int64, now time.Time) (JoinRequest, error) {
	return db.moveRequest(ctx, circleID, requestID, RequestWaiting,
		map[string]any{"status": RequestDenied, "decided_by": decidedBy, "decided_at": now.UTC()})
}

// moveRequest changes a request that is in status from with set, and returns it as it is
// then; ErrConflict when it was not in status from.
func (db *DB) moveRequest(ctx context.Context, circleID, requestID int64, from string, set map[string]any) (JoinRequest, error) {
	var q JoinRequest
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Model(&joinRequestRow{}).Where("circle_id = ? AND id = ? AND status = ?", circleID, requestID, from).Updates(set)
		if res.Error != nil {
			return fmt.Errorf("changing join request %d: %w", requestID, res.Error)
		}
		var err error
		if q, err = db.JoinRequest(ctx, circleID, requestID); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("join request %d is %s: %w", q.ID, q.Status, ErrConflict)
		}
		return nil
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

// EndMembership removes a member and gives their request the status (RequestLeft when they
// leave, RequestRemoved when the organizer removes them).
func (db *DB) EndMembership(ctx context.Context, circleID, userID int64, status string, now time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Where("circle_id = ? AND user_id = ?", circleID, userID).Delete(&membershipRow{})
		if err := affectedOne(res, "membership"); err != nil {
			return err
		}
		if err := db.releaseSeat(ctx, circleID, userID); err != nil {
			return err
		}
		err := db.conn(ctx).Model(&joinRequestRow{}).Where("circle_id = ? AND user_id = ?", circleID, userID).
			Updates(map[string]any{"status": status, "decided_at": now.UTC()}).Error
		return wrapErr("ending membership", err)
	})
}

func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, markUnavailable(err)) // Row().Scan errors skip the callbacks
}
