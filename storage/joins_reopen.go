package storage

import "context"

// Reopen puts a declined request back in the review queue, as it was before the organizer
// declined it: same scan time and reasons. It holds the circle's lock, as a join does, so that
// an approval right after counts the members as they are. The circles service tells the
// applicant and the organizer.
func (db *DB) Reopen(ctx context.Context, circleID, requestID int64) (JoinRequest, error) {
	var q JoinRequest
	err := db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.lockCircle(ctx, circleID, true); err != nil {
			return err
		}
		var err error
		q, err = db.moveRequest(ctx, circleID, requestID, RequestDenied,
			map[string]any{"status": RequestWaiting, "decided_by": nil, "decided_at": nil})
		return err
	})
	return q, err
}
