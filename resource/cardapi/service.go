package cardapi

import (
	"context"
	"errors"
	"strconv"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/storage"
)

// This file is the card API without HTTP: what the browser pages (resource/web) do with
// cards, visibility, privacy and card exchange. Each method runs the same steps, helpers and
// events as the matching API handler; cards reach a viewer only through CardFor and
// circleEntries (view.go).

// Delivery outcomes of DeliverCard and RequestCard.
const (
	Delivered = "delivered" // the card is now the other person's contact
	Waiting   = "waiting"   // a delivery or request waits for the other person's answer
)

// SaveCard cleans and stores the user's card and tells everyone who may see it. The cleaned
// card is returned; a bad field is a *qrcircles.Error naming it.
func (h *Handler) SaveCard(ctx context.Context, userID int64, c cards.Card) (cards.Card, error) {
	card, err := cards.Clean(c, h.normalizePhone)
	if err != nil {
		return card, err
	}
	return card, h.inTx(ctx, func(ctx context.Context) error {
		if err := h.Store.PutCard(ctx, userID, card, h.now()); err != nil {
			return err
		}
		return h.cardUpdated(ctx, userID)
	})
}

// SaveAvatar checks, scales and stores the user's card picture.
func (h *Handler) SaveAvatar(ctx context.Context, userID int64, data []byte) error {
	photo, err := cards.ProcessAvatar(data)
	if err != nil {
		return err
	}
	return h.inTx(ctx, func(ctx context.Context) error {
		a := storage.Avatar{UserID: userID, ContentType: photo.ContentType, Data: photo.Data, UpdatedAt: h.now()}
		if err := h.Store.PutAvatar(ctx, a); err != nil {
			return err
		}
		return h.cardUpdated(ctx, userID)
	})
}

// RemoveAvatar deletes the user's card picture.
func (h *Handler) RemoveAvatar(ctx context.Context, userID int64) error {
	return h.inTx(ctx, func(ctx context.Context) error {
		if err := h.Store.DeleteAvatar(ctx, userID); err != nil {
			return err
		}
		return h.cardUpdated(ctx, userID)
	})
}

// EntryFor is owner's card as viewer may see it in circleID (0: as a contact or themselves),
// with the picture when photo is set and the card shows one. It is CardFor, for pages and
// exports of one card.
func (h *Handler) EntryFor(ctx context.Context, ownerID, viewerID, circleID int64, photo bool) (cards.Entry, error) {
	card, _, err := h.CardFor(ctx, ownerID, viewerID, circleID)
	if err != nil {
		return cards.Entry{}, err
	}
	es := []cards.Entry{{UserID: ownerID, Card: card}}
	return es[0], h.addPhotos(ctx, es, photo)
}

// CircleCards is the members' cards of a circle as viewer may see them (with the pictures
// they show when photos is set), and the circle. Only its members and its organizer may look.
func (h *Handler) CircleCards(ctx context.Context, viewerID, circleID int64, photos bool) ([]cards.Entry, storage.Circle, error) {
	return h.circleEntries(ctx, viewerID, circleID, photos)
}

// SetDefaultVisibility changes what circles joined later show.
func (h *Handler) SetDefaultVisibility(ctx context.Context, userID int64, fs cards.FieldSet) error {
	return h.inTx(ctx, func(ctx context.Context) error {
		return h.applyVisibility(ctx, userID, &fs, nil)
	})
}

// SetCircleVisibility changes what one circle the user is a member of shows; nil makes the
// circle follow the default again.
func (h *Handler) SetCircleVisibility(ctx context.Context, userID, circleID int64, fs *cards.FieldSet) error {
	var names *[]string
	if fs != nil {
		n := fs.Names()
		names = &n
	}
	ch, err := h.parseCircleChange(ctx, userID, strconv.FormatInt(circleID, 10), names)
	if err != nil {
		return err
	}
	return h.inTx(ctx, func(ctx context.Context) error {
		return h.applyVisibility(ctx, userID, nil, []circleChange{ch})
	})
}

// SetPrivacy changes the settings given and keeps the others.
func (h *Handler) SetPrivacy(ctx context.Context, userID int64, refuseStrangerCards, blockStrangerMessages *bool) error {
	p, err := h.Store.PrivacyOf(ctx, userID)
	if err != nil {
		return err
	}
	setIf(&p.RefuseStrangerCards, refuseStrangerCards)
	setIf(&p.BlockStrangerMessages, blockStrangerMessages)
	p.UpdatedAt = h.now()
	return h.Store.PutPrivacy(ctx, p)
}

// mayExchange checks that from and to are two people who share a circle.
func (h *Handler) mayExchange(ctx context.Context, from, to int64) error {
	if from == to {
		return qrcircles.Invalid("uid", "This is you.")
	}
	if _, err := h.Store.User(ctx, to); err != nil {
		return err
	}
	shares, err := h.Store.SharesCircle(ctx, from, to)
	if err == nil && !shares {
		err = qrcircles.Errorf(qrcircles.EForbidden, "You can exchange cards only with people in your circles.")
	}
	return err
}

// DeliverCard gives from's card to another member: Delivered, or Waiting when they refuse
// cards from strangers and must accept it first.
func (h *Handler) DeliverCard(ctx context.Context, from, to int64) (string, error) {
	outcome, _, err := h.deliverCard(ctx, from, to)
	return outcome, err
}

// deliverCard is DeliverCard that also returns the waiting request, if one was made.
func (h *Handler) deliverCard(ctx context.Context, from, to int64) (string, storage.CardRequest, error) {
	if err := h.mayExchange(ctx, from, to); err != nil {
		return "", storage.CardRequest{}, err
	}
	var outcome string
	var q storage.CardRequest
	err := h.inTx(ctx, func(ctx context.Context) error {
		var err error
		outcome, q, err = h.giveCard(ctx, from, to)
		return err
	})
	return outcome, q, err
}

// giveCard gives from's card to `to` in the caller's transaction: at once, or as a request
// to accept when `to` refuses cards from strangers and does not hold from's card yet.
func (h *Handler) giveCard(ctx context.Context, from, to int64) (string, storage.CardRequest, error) {
	var q storage.CardRequest
	if _, err := h.Store.Card(ctx, from); err != nil {
		return "", q, notYet(err)
	}
	p, err := h.Store.PrivacyOf(ctx, to)
	if err != nil {
		return "", q, err
	}
	holds, err := h.Store.HoldsContact(ctx, to, from)
	if err != nil {
		return "", q, err
	}
	if cards.NeedsConsent(p.RefuseStrangerCards, holds) {
		q, err = h.ask(ctx, from, to, storage.CardDeliver)
		return Waiting, q, err
	}
	return Delivered, q, h.addContact(ctx, to, from)
}

// addContact puts from's card among owner's contacts and tells owner.
func (h *Handler) addContact(ctx context.Context, owner, from int64) error {
	if err := h.Store.AddContact(ctx, owner, from, h.now()); err != nil {
		return err
	}
	return h.events().AppendEvents(ctx, Event{Type: qrcircles.EventCardDelivered, UserIDs: []int64{owner}, Subject: from,
		Data: map[string]any{"from_id": from, "to_id": owner}})
}

// RequestCard asks another member for their card.
func (h *Handler) RequestCard(ctx context.Context, from, to int64) error {
	_, err := h.requestCard(ctx, from, to)
	return err
}

func (h *Handler) requestCard(ctx context.Context, from, to int64) (storage.CardRequest, error) {
	var q storage.CardRequest
	if err := h.mayExchange(ctx, from, to); err != nil {
		return q, err
	}
	err := h.inTx(ctx, func(ctx context.Context) error {
		holds, err := h.Store.HoldsContact(ctx, from, to)
		if err != nil || holds {
			return firstErr(err, qrcircles.Errorf(qrcircles.EConflict, "You already have this card."))
		}
		q, err = h.ask(ctx, from, to, storage.CardAsk)
		return err
	})
	return q, err
}

// DecideCardRequest answers a waiting delivery or request addressed to userID.
func (h *Handler) DecideCardRequest(ctx context.Context, userID, requestID int64, accept bool) error {
	_, err := h.decideCardRequest(ctx, userID, requestID, accept)
	return err
}

func (h *Handler) decideCardRequest(ctx context.Context, userID, requestID int64, accept bool) (storage.CardRequest, error) {
	var q storage.CardRequest
	err := h.inTx(ctx, func(ctx context.Context) error {
		var err error
		if q, err = h.Store.DecideCardRequest(ctx, requestID, userID, accept, h.now()); err != nil {
			return err
		}
		return h.events().AppendEvents(ctx, Event{Type: qrcircles.EventCardRequestDecided, UserIDs: []int64{q.FromID}, Subject: q.ToID,
			Data: map[string]any{"request_id": q.ID, "kind": q.Kind, "status": q.Status}})
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return q, &qrcircles.Error{Code: qrcircles.ENotFound, Message: "There is no such request waiting for you.", Err: err}
	case errors.Is(err, storage.ErrConflict):
		return q, &qrcircles.Error{Code: qrcircles.EConflict, Message: "This has already been decided.", Err: err}
	}
	return q, err
}
