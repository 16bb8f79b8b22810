package cardsvc

import (
	"context"

	"qrcircles"
	"qrcircles/resource/cards"
)

// Card is the user's own whole card; ENotFound until they made one.
func (s *Service) Card(ctx context.Context, userID int64) (qrcircles.Card, error) {
	return s.Store.Card(ctx, userID)
}

// SaveCard cleans and stores the user's card and tells everyone who may see it. The cleaned
// card is returned; a bad field is a *qrcircles.Error naming it.
func (s *Service) SaveCard(ctx context.Context, userID int64, c qrcircles.Card) (qrcircles.Card, error) {
	card, err := cards.Clean(c, s.normalizePhone)
	if err != nil {
		return card, err
	}
	return card, s.inTx(ctx, func(ctx context.Context) error { return s.putCard(ctx, userID, card) })
}

// putCard stores a cleaned card and addresses the change to everyone who may see it.
func (s *Service) putCard(ctx context.Context, userID int64, card qrcircles.Card) error {
	if err := s.Store.PutCard(ctx, userID, card, s.now()); err != nil {
		return err
	}
	return s.cardUpdated(ctx, userID)
}

// SaveAvatar checks, scales and stores the user's card picture, and returns its media type.
func (s *Service) SaveAvatar(ctx context.Context, userID int64, data []byte) (string, error) {
	photo, err := cards.ProcessAvatar(data)
	if err != nil {
		return "", err
	}
	return photo.ContentType, s.inTx(ctx, func(ctx context.Context) error {
		a := qrcircles.Avatar{UserID: userID, ContentType: photo.ContentType, Data: photo.Data, UpdatedAt: s.now()}
		if err := s.Store.PutAvatar(ctx, a); err != nil {
			return err
		}
		return s.cardUpdated(ctx, userID)
	})
}

// RemoveAvatar deletes the user's card picture.
func (s *Service) RemoveAvatar(ctx context.Context, userID int64) error {
	return s.inTx(ctx, func(ctx context.Context) error {
		if err := s.Store.DeleteAvatar(ctx, userID); err != nil {
			return err
		}
		return s.cardUpdated(ctx, userID)
	})
}
