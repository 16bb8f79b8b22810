package storage

import (
	"context"
	"fmt"
	"time"
)

// Reopen puts a declined request back in the review queue, as it was before the organizer
// declined it: same scan time and reasons. The circles service tells the applicant and the
// organizer.
func (db *DB) Reopen(ctx context.Context, circleID, requestID int64, now time.Time) (JoinRequest, error) {
	var q JoinRequest
	err := db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.lockCircle(ctx, circleID, true)
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
		return nil
	})
	return q, err
}
