package circles

import (
	"context"

	"qrcircles"
)

// This file is what the handlers read about people and their standing in circles, so that
// they go through the service and never to storage.

// User is the person with the ID.
func (s *Service) User(ctx context.Context, id int64) (qrcircles.User, error) {
	return s.Store.User(ctx, id)
}

// IsMember reports whether the person is a member of the circle.
func (s *Service) IsMember(ctx context.Context, circleID, userID int64) (bool, error) {
	return s.Store.IsMember(ctx, circleID, userID)
}

// Counts are the circle's members and the requests waiting for review, for its organizer's
// dashboard.
func (s *Service) Counts(ctx context.Context, circleID int64) (members, waiting int, err error) {
	if members, err = s.Store.MemberCount(ctx, circleID); err != nil {
		return 0, 0, err
	}
	qs, err := s.Store.RequestsOfCircle(ctx, circleID, qrcircles.RequestWaiting)
	return members, len(qs), err
}

// LatestRequest is the person's most recent request to join the circle that did not end in
// membership; ENotFound when there is none.
func (s *Service) LatestRequest(ctx context.Context, userID, circleID int64) (qrcircles.JoinRequest, error) {
	return s.Store.LatestRequest(ctx, userID, circleID)
}

// Exclusions are the person's "never in the same circle as" phones.
func (s *Service) Exclusions(ctx context.Context, userID int64) ([]qrcircles.Exclusion, error) {
	return s.Store.Exclusions(ctx, userID)
}
