// Package cardsvc is what people do with cards, between the handlers (the card API and the
// pages) and storage: edit one's card and picture, choose who sees which field, exchange
// cards, and read cards as a viewer may see them. It owns the transactions and writes the
// events of each change with it. Every card that leaves it went through cards.ForViewer
// (see view.go).
package cardsvc

import (
	"context"
	"errors"
	"time"

	"qrcircles"
	"qrcircles/storage"
)

// Store is what the service needs of the database.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	User(ctx context.Context, id int64) (qrcircles.User, error)
	Circle(ctx context.Context, id int64) (qrcircles.Circle, error)
	IsMember(ctx context.Context, circleID, userID int64) (bool, error)
	Card(ctx context.Context, userID int64) (qrcircles.Card, error)
	PutCard(ctx context.Context, userID int64, c qrcircles.Card, now time.Time) error
	PutAvatar(ctx context.Context, a qrcircles.Avatar) error
	Avatar(ctx context.Context, userID int64) (qrcircles.Avatar, error)
	DeleteAvatar(ctx context.Context, userID int64) error
	CardSettings(ctx context.Context, userID int64) (qrcircles.CardSettings, error)
	CardSettingsIn(ctx context.Context, userID, circleID int64) (qrcircles.CardSettings, error)
	SetCardDefault(ctx context.Context, userID int64, fs qrcircles.FieldSet, now time.Time) error
	SetCircleVisibility(ctx context.Context, userID, circleID int64, fs qrcircles.FieldSet, now time.Time) error
	ResetCircleVisibility(ctx context.Context, userID, circleID int64) error
	CardFacts(ctx context.Context, ownerID, viewerID, circleID int64) (qrcircles.CardFacts, error)
	CircleCards(ctx context.Context, circleID int64) ([]qrcircles.CircleCard, error)
	SharesCircle(ctx context.Context, a, b int64) (bool, error)
	MemberCircleIDs(ctx context.Context, userID int64) ([]int64, error)
	AddContact(ctx context.Context, ownerID, contactID int64, now time.Time) error
	RemoveContact(ctx context.Context, ownerID, contactID int64) error
	HoldsContact(ctx context.Context, ownerID, contactID int64) (bool, error)
	ContactIDs(ctx context.Context, ownerID int64) (map[int64]bool, error)
	ContactHolders(ctx context.Context, userID int64) ([]int64, error)
	Contacts(ctx context.Context, ownerID, contactID int64) ([]qrcircles.ContactCard, error)
	CreateCardRequest(ctx context.Context, fromID, toID int64, kind string, now time.Time) (qrcircles.CardRequest, bool, error)
	CardRequestsOf(ctx context.Context, userID int64, status string) (incoming, outgoing []qrcircles.CardRequest, err error)
	DecideCardRequest(ctx context.Context, id, toID int64, accept bool, now time.Time) (qrcircles.CardRequest, error)
	PrivacyOf(ctx context.Context, userID int64) (qrcircles.UserPrivacy, error)
	Welcomed(ctx context.Context, circleID, userID int64) (bool, error)
	MarkWelcomed(ctx context.Context, circleID, userID int64, now time.Time) error
}

var _ Store = (*storage.DB)(nil)

// NoEvents drops every event.
type NoEvents struct{}

func (NoEvents) AppendEvents(context.Context, ...qrcircles.Event) error { return nil }
func (NoEvents) Notify()                                                {}

// Service carries out card actions.
type Service struct {
	Store  Store
	Events qrcircles.EventLog // nil: NoEvents
	// NormalizePhone turns a phone number as a person types it into E.164, or an EInvalid
	// error on the field "phone"; the binary wires the authorization server's, with the
	// default region.
	NormalizePhone func(input string) (string, error)
	Now            func() time.Time
	// FaceKey seals personal QR codes (32 bytes, derived from the system secret).
	FaceKey []byte
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) events() qrcircles.EventLog {
	if s.Events == nil {
		return NoEvents{}
	}
	return s.Events
}

func (s *Service) normalizePhone(raw string) (string, error) {
	if s.NormalizePhone == nil {
		return "", errors.New("cardsvc: the service has no NormalizePhone")
	}
	return s.NormalizePhone(raw)
}

// inTx runs fn in a transaction and wakes the push layer once it committed.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := s.Store.InTx(ctx, fn); err != nil {
		return err
	}
	s.events().Notify()
	return nil
}

// cardUpdated addresses a change of owner's card to everyone who may see it: the circles
// they are in, and the people holding it as a contact.
func (s *Service) cardUpdated(ctx context.Context, owner int64) error {
	circles, err := s.Store.MemberCircleIDs(ctx, owner)
	if err != nil {
		return err
	}
	var evs []qrcircles.Event
	for _, id := range circles {
		ev, err := qrcircles.ToCircle(id, owner, qrcircles.EventCardUpdated, map[string]any{"user_id": owner, "circle_id": id})
		if err != nil {
			return err
		}
		evs = append(evs, ev)
	}
	holders, err := s.Store.ContactHolders(ctx, owner)
	if err != nil {
		return err
	}
	toHolders, err := qrcircles.ToUsers(holders, owner, qrcircles.EventCardUpdated, map[string]any{"user_id": owner})
	if err != nil {
		return err
	}
	return s.events().AppendEvents(ctx, append(evs, toHolders...)...)
}

// isNotFound reports a row storage did not find.
func isNotFound(err error) bool { return qrcircles.CodeOf(err) == qrcircles.ENotFound }
