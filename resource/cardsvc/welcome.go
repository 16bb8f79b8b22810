package cardsvc

import (
	"context"

	"qrcircles"
	"qrcircles/resource/cards"
)

// Welcomed reports whether the member answered the circle's welcome; ENotFound when they
// are not a member.
func (s *Service) Welcomed(ctx context.Context, userID, circleID int64) (bool, error) {
	return s.Store.Welcomed(ctx, circleID, userID)
}

// PutOffWelcome ends the circle's welcome without saving anything: the member chose to
// look at the circle first.
func (s *Service) PutOffWelcome(ctx context.Context, userID, circleID int64) error {
	return s.Store.MarkWelcomed(ctx, circleID, userID, s.now())
}

// Welcome saves what a new member answers on "You're in": their card and what the circle's
// members see of it (nil: their default), together, and ends the circle's welcome. A bad
// field is a *qrcircles.Error naming it, and nothing is saved.
func (s *Service) Welcome(ctx context.Context, userID, circleID int64, c qrcircles.Card, fs *qrcircles.FieldSet) (qrcircles.Card, error) {
	card, err := cards.Clean(c, s.normalizePhone)
	if err != nil {
		return card, err
	}
	ch, err := s.circleChangeOf(ctx, userID, circleID, fs)
	if err != nil {
		return card, err
	}
	return card, s.inTx(ctx, func(ctx context.Context) error {
		if err := s.putCard(ctx, userID, card); err != nil {
			return err
		}
		if err := s.applyVisibility(ctx, userID, nil, []circleChange{ch}); err != nil {
			return err
		}
		return s.Store.MarkWelcomed(ctx, circleID, userID, s.now())
	})
}
