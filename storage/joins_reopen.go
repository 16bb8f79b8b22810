package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qrcircles"
)

// Reopen puts a declined request back in the review queue, as it was before the organizer
// declined it: same scan time and reasons. The applicant and the organizer are told.
func (db *DB) Reopen(ctx context.Context, circleID, requestID int64, now time.Time) (JoinRequest, error) {
	var q JoinRequest
	err := db.InTx(ctx, func(ctx context.Context) error {
		c, err := db.lockCircle(ctx, circleID, true)
		if err != nil {
			return err
		}
		res := db.conn(ctx).Model(&joinRequestRow{}).Where("circle_id = ? AND id = ? AND status = ?", circleID, requestID, RequestDenied).
			Updates(map[string]any{"status": RequestWaiting, "decided_by": nil, "decided_at": nil})
		if res.Error != nil {
			return fmt.Errorf("reopening: %w", res.Error)
		}
		if q, err = db.JoinRequest(ctx, circleID, requestID); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("join request %d is %s: %w", q.ID, q.Status, ErrConflict)
		}
		body := map[string]any{"circle_id": circleID, "user_id": q.UserID, "status": q.Status, "reasons": qrcircles.ReasonsText(q.Reasons)}
		toOwner, err1 := qrcircles.ToUser(c.OwnerID, q.UserID, qrcircles.EventRequestCreated, body)
		toApplicant, err2 := qrcircles.ToUser(q.UserID, q.UserID, qrcircles.EventRequestDecided, body)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		return db.AppendEvents(ctx, toOwner, toApplicant)
	})
	return q, err
}
