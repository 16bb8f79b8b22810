package cardapi

import (
	"context"
	"errors"
	"fmt"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/storage"
)

// This file is the only place where a card meets a viewer: every answer, export and pushed
// card is built from what these functions return, and each of them projects through
// cards.ForViewer.

// circleEntries is a circle's members' cards as viewer may see them. Only the circle's members
// and its organizer may look.
func (h *Handler) circleEntries(ctx context.Context, viewer, circleID int64, photos bool) ([]cards.Entry, storage.Circle, error) {
	circle, err := h.Store.Circle(ctx, circleID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, circle, qrcircles.Errorf(qrcircles.ENotFound, "No such circle.")
	}
	if err != nil {
		return nil, circle, err
	}
	members, err := h.Store.CircleCards(ctx, circleID)
	if err != nil {
		return nil, circle, err
	}
	isMember := false
	for _, m := range members {
		isMember = isMember || m.UserID == viewer
	}
	if !isMember && circle.OwnerID != viewer {
		return nil, circle, qrcircles.Errorf(qrcircles.EForbidden, "Only the circle's members see inside it.")
	}
	holds, err := h.Store.ContactIDs(ctx, viewer)
	if err != nil {
		return nil, circle, err
	}
	out := make([]cards.Entry, 0, len(members))
	for _, m := range members {
		f := cards.Facts{OwnerID: m.UserID, ViewerID: viewer, ViewerHoldsOwner: holds[m.UserID], CircleID: circleID,
			OwnerIsMember: true, ViewerIsMember: isMember, ViewerOrganizes: circle.OwnerID == viewer}
		card, _ := cards.ForViewer(m.Card, m.Settings, cards.Relate(f))
		out = append(out, cards.Entry{UserID: m.UserID, Card: card})
	}
	return out, circle, h.addPhotos(ctx, out, photos)
}

// contactEntries is the viewer's contacts (one when contactID > 0) with their current cards.
func (h *Handler) contactEntries(ctx context.Context, viewer, contactID int64, photos bool) ([]cards.Entry, error) {
	cs, err := h.Store.Contacts(ctx, viewer, contactID)
	if err != nil {
		return nil, err
	}
	out := make([]cards.Entry, 0, len(cs))
	for _, k := range cs {
		f := cards.Facts{OwnerID: k.UserID, ViewerID: viewer, ViewerHoldsOwner: true}
		card, _ := cards.ForViewer(k.Card, cards.Settings{}, cards.Relate(f))
		out = append(out, cards.Entry{UserID: k.UserID, Card: card})
	}
	return out, h.addPhotos(ctx, out, photos)
}

// addPhotos loads the avatars the projected cards show.
func (h *Handler) addPhotos(ctx context.Context, es []cards.Entry, photos bool) error {
	if !photos {
		return nil
	}
	for i := range es {
		if !es[i].Card.HasAvatar {
			continue
		}
		a, err := h.Store.Avatar(ctx, es[i].UserID)
		if errors.Is(err, storage.ErrNotFound) {
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
// were no card. The push layer calls it for each recipient of a card.updated event.
func (h *Handler) CardFor(ctx context.Context, ownerID, viewerID, circleID int64) (cards.Card, cards.FieldSet, error) {
	f, err := h.Store.CardFacts(ctx, ownerID, viewerID, circleID)
	if err != nil {
		return cards.Card{}, cards.None, err
	}
	rel := cards.Relate(f)
	if rel.Kind == cards.Stranger {
		return cards.Card{}, cards.None, qrcircles.Errorf(qrcircles.ENotFound, "No card to show.")
	}
	card, err := h.Store.Card(ctx, ownerID)
	if errors.Is(err, storage.ErrNotFound) {
		card, err = h.nameOnly(ctx, ownerID)
	}
	if err != nil {
		return cards.Card{}, cards.None, err
	}
	s, err := h.Store.CardSettings(ctx, ownerID)
	if err != nil {
		return cards.Card{}, cards.None, err
	}
	projected, fs := cards.ForViewer(card, s, rel)
	return projected, fs, nil
}

// nameOnly is the card of someone who has made none: the name they registered with.
func (h *Handler) nameOnly(ctx context.Context, userID int64) (cards.Card, error) {
	u, err := h.Store.User(ctx, userID)
	if err != nil {
		return cards.Card{}, err
	}
	return cards.Card{DisplayName: u.DisplayName}, nil
}

// avatarURL is where a viewer fetches the avatar a card shows, in the context it was shown.
func (h *Handler) avatarURL(userID, circleID int64) string {
	u := fmt.Sprintf("%s/users/%d/avatar", h.base, userID)
	if circleID != 0 {
		u += fmt.Sprintf("?circle=%d", circleID)
	}
	return u
}

func (h *Handler) views(es []cards.Entry, circleID int64) []cards.View {
	out := make([]cards.View, len(es))
	for i, e := range es {
		out[i] = cards.ViewOf(e, h.avatarURL(e.UserID, circleID))
	}
	return out
}
