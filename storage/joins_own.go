package storage

import (
	"context"
	"fmt"
)

// RequestOf returns the person's request to join the circle, whatever became of it, or
// ErrNotFound. A person has one request per circle, updated in place when they scan again.
func (db *DB) RequestOf(ctx context.Context, circleID, userID int64) (JoinRequest, error) {
	q, err := db.requestOf(ctx, circleID, userID)
	if err != nil {
		return JoinRequest{}, err
	}
	if q == nil {
		return JoinRequest{}, fmt.Errorf("join request of user %d in circle %d: %w", userID, circleID, ErrNotFound)
	}
	return *q, nil
}
