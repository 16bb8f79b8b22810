package cardsvc

import (
	"context"

	"qrcircles"
	"qrcircles/resource/cards"
)

// This file is the only place where a card meets a viewer: every answer, export, page and
// pushed card is built from what these functions return, and each of them projects through
// cards.ForViewer.

// CircleCards is a circle's members' cards as viewer may see them (with the pictures they
// show when photos is set), and the circle. Only its members and its organizer may look.
func (s *Service) CircleCards(ctx context.Context, viewer, circleID int64, photos bool) ([]cards.Entry, qrcircles.Circle, error) {
	circle, err := s.Store.Circle(ctx, circleID)
	if err != nil {
		return nil, circle, qrcircles.Explain(err, qrcircles.ENotFound, "circles.not_found")
	}
	members, err := s.Store.CircleCards(ctx, circleID)
	if err != nil {
		return nil, circle, err
	}
	isMember := false
	for _, m := range members {
		isMember = isMember || m.UserID == viewer
	}
	if !isMember && circle.OwnerID != viewer {
		return nil, circle, qrcircles.Fail(qrcircles.EForbidden, "circles.members_only")
	}
	holds, err := s.Store.ContactIDs(ctx, viewer)
	if err != nil {
		return nil, circle, err
	}
	out := make([]cards.Entry, 0, len(members))
	for _, m := range members {
		f := cards.Facts{OwnerID: m.UserID, ViewerID: viewer, ViewerHoldsOwner: holds[m.UserID], CircleID: circleID,
			OwnerIsMember: true, ViewerIsMember: isMember, ViewerOrganizes: circle.OwnerID == viewer}
		card, fs := cards.ForViewer(m.Card, m.Settings, cards.Relate(f))
		out = append(out, cards.Entry{UserID: m.UserID, Card: card, Fields: fs})
	}
	return out, circle, s.addPhotos(ctx, out, photos)
}

// Contacts is the viewer's contacts (one when contactID > 0) with their current cards.
func (s *Service) Contacts(ctx context.Context, viewer, contactID int64, photos bool) ([]cards.Entry, error) {
	cs, err := s.Store.Contacts(ctx, viewer, contactID)
	if err != nil {
		return nil, err
	}
	out := make([]cards.Entry, 0, len(cs))
	for _, k := range cs {
		f := cards.Facts{OwnerID: k.UserID, ViewerID: viewer, ViewerHoldsOwner: true}
		card, _ := cards.ForViewer(k.Card, cards.Settings{}, cards.Relate(f))
		out = append(out, cards.Entry{UserID: k.UserID, Card: card})
	}
	return out, s.addPhotos(ctx, out, photos)
}

// addPhotos loads the avatars the projected cards show.
func (s *Service) addPhotos(ctx context.Context, es []cards.Entry, photos bool) error {
	if !photos {
		return nil
	}
	for i := range es {
		if !es[i].Card.HasAvatar {
			continue
		}
		a, err := s.Store.Avatar(ctx, es[i].UserID)
		if isNotFound(err) {
			continue // removed since the card was read
		}
		if err != nil {
			return err
		}
		es[i].Photo = &cards.Photo{ContentType: a.ContentType, Data: a.Data}
	}
	return nil
}

// CardFor is owner's card as viewer may see it when looking in circleID (0: as a contact or
// themselves), and the fields shown. A viewer who may see nothing gets ENotFound, as if there
// were no card.
func (s *Service) CardFor(ctx context.Context, ownerID, viewerID, circleID int64) (qrcircles.Card, qrcircles.FieldSet, error) {
	f, err := s.Store.CardFacts(ctx, ownerID, viewerID, circleID)
	if err != nil {
		return qrcircles.Card{}, cards.None, err
	}
	rel := cards.Relate(f)
	if rel.Kind == cards.Stranger {
		return qrcircles.Card{}, cards.None, qrcircles.Fail(qrcircles.ENotFound, "cards.none_to_show")
	}
	card, err := s.Store.Card(ctx, ownerID)
	if isNotFound(err) {
		card, err = s.nameOnly(ctx, ownerID)
	}
	if err != nil {
		return qrcircles.Card{}, cards.None, err
	}
	settings, err := s.Store.CardSettings(ctx, ownerID)
	if err != nil {
		return qrcircles.Card{}, cards.None, err
	}
	projected, fs := cards.ForViewer(card, settings, rel)
	return projected, fs, nil
}

// EntryFor is owner's card as viewer may see it in circleID (0: as a contact or themselves),
// with the picture when photo is set and the card shows one. It is CardFor, for pages and
// exports of one card.
func (s *Service) EntryFor(ctx context.Context, ownerID, viewerID, circleID int64, photo bool) (cards.Entry, error) {
	card, fs, err := s.CardFor(ctx, ownerID, viewerID, circleID)
	if err != nil {
		return cards.Entry{}, err
	}
	es := []cards.Entry{{UserID: ownerID, Card: card, Fields: fs}}
	err = s.addPhotos(ctx, es, photo)
	return es[0], err
}

// AvatarFor is owner's picture for a viewer whose view of the card shows it: as a contact,
// or in the circle the card was shown in. Anyone else gets ENotFound, as if there were none.
func (s *Service) AvatarFor(ctx context.Context, ownerID, viewerID, circleID int64) (qrcircles.Avatar, error) {
	card, _, err := s.CardFor(ctx, ownerID, viewerID, circleID)
	if err == nil && !card.HasAvatar {
		err = qrcircles.Fail(qrcircles.ENotFound, "cards.no_avatar")
	}
	if err != nil {
		return qrcircles.Avatar{}, err
	}
	return s.Store.Avatar(ctx, ownerID)
}

// nameOnly is the card of someone who has made none: the name they registered with.
func (s *Service) nameOnly(ctx context.Context, userID int64) (qrcircles.Card, error) {
	u, err := s.Store.User(ctx, userID)
	if err != nil {
		return qrcircles.Card{}, err
	}
	return qrcircles.Card{DisplayName: u.DisplayName}, nil
}
