package cardsvc

import (
	"context"

	"qrcircles"
	"qrcircles/resource/cards"
)

// Delivery outcomes of DeliverCard.
const (
	Delivered = "delivered" // the card is now the other person's contact
	Waiting   = "waiting"   // a delivery or request waits for the other person's answer
)

// mayExchange checks that from and to are two people who share a circle.
func (s *Service) mayExchange(ctx context.Context, from, to int64) error {
	if from == to {
		return qrcircles.Fail(qrcircles.EInvalid, "person.self").WithField("uid")
	}
	if _, err := s.Store.User(ctx, to); err != nil {
		return err
	}
	shares, err := s.Store.SharesCircle(ctx, from, to)
	if err == nil && !shares {
		err = qrcircles.Fail(qrcircles.EForbidden, "cards.share_a_circle")
	}
	return err
}

// DeliverCard gives from's card to another member: Delivered, or Waiting with the request
// made when they refuse cards from strangers and must accept it first.
func (s *Service) DeliverCard(ctx context.Context, from, to int64) (string, qrcircles.CardRequest, error) {
	var q qrcircles.CardRequest
	if err := s.mayExchange(ctx, from, to); err != nil {
		return "", q, err
	}
	var outcome string
	err := s.inTx(ctx, func(ctx context.Context) error {
		var err error
		outcome, q, err = s.giveCard(ctx, from, to)
		return err
	})
	return outcome, q, err
}

// giveCard gives from's card to `to` in the caller's transaction: at once, or as a request
// to accept when `to` refuses cards from strangers and does not hold from's card yet.
func (s *Service) giveCard(ctx context.Context, from, to int64) (string, qrcircles.CardRequest, error) {
	var q qrcircles.CardRequest
	if _, err := s.Store.Card(ctx, from); err != nil {
		return "", q, notYet(err)
	}
	p, err := s.Store.PrivacyOf(ctx, to)
	if err != nil {
		return "", q, err
	}
	holds, err := s.Store.HoldsContact(ctx, to, from)
	if err != nil {
		return "", q, err
	}
	if cards.NeedsConsent(p.RefuseStrangerCards, holds) {
		q, err = s.ask(ctx, from, to, qrcircles.CardDeliver)
		return Waiting, q, err
	}
	return Delivered, q, s.addContact(ctx, to, from)
}

// addContact puts from's card among owner's contacts and tells owner.
func (s *Service) addContact(ctx context.Context, owner, from int64) error {
	if err := s.Store.AddContact(ctx, owner, from, s.now()); err != nil {
		return err
	}
	return qrcircles.Tell(ctx, s.events())(qrcircles.ToUser(owner, from, qrcircles.EventCardDelivered, map[string]any{"from_id": from, "to_id": owner}))
}

func notYet(err error) error {
	if err != nil && !isNotFound(err) {
		return err
	}
	return qrcircles.Fail(qrcircles.EConflict, "cards.make_first")
}

// RequestCard asks another member for their card; the request waits for their answer.
func (s *Service) RequestCard(ctx context.Context, from, to int64) (qrcircles.CardRequest, error) {
	var q qrcircles.CardRequest
	if err := s.mayExchange(ctx, from, to); err != nil {
		return q, err
	}
	err := s.inTx(ctx, func(ctx context.Context) error {
		holds, err := s.Store.HoldsContact(ctx, from, to)
		if err != nil {
			return err
		}
		if holds {
			return qrcircles.Fail(qrcircles.EConflict, "cards.already_have")
		}
		q, err = s.ask(ctx, from, to, qrcircles.CardAsk)
		return err
	})
	return q, err
}

// ask records a waiting delivery or request and tells its receiver.
func (s *Service) ask(ctx context.Context, from, to int64, kind string) (qrcircles.CardRequest, error) {
	q, created, err := s.Store.CreateCardRequest(ctx, from, to, kind, s.now())
	if err != nil || !created {
		return q, err
	}
	return q, qrcircles.Tell(ctx, s.events())(qrcircles.ToUser(to, from, qrcircles.EventCardRequested,
		map[string]any{"request_id": q.ID, "from_id": from, "to_id": to, "kind": kind}))
}

// DecideCardRequest answers a waiting delivery or request addressed to userID.
func (s *Service) DecideCardRequest(ctx context.Context, userID, requestID int64, accept bool) (qrcircles.CardRequest, error) {
	var q qrcircles.CardRequest
	err := s.inTx(ctx, func(ctx context.Context) error {
		var err error
		if q, err = s.Store.DecideCardRequest(ctx, requestID, userID, accept, s.now()); err != nil {
			return err
		}
		return qrcircles.Tell(ctx, s.events())(qrcircles.ToUser(q.FromID, q.ToID, qrcircles.EventCardRequestDecided,
			map[string]any{"request_id": q.ID, "kind": q.Kind, "status": q.Status}))
	})
	err = qrcircles.Explain(err, qrcircles.ENotFound, "cards.request_not_found")
	return q, qrcircles.Explain(err, qrcircles.EConflict, "cards.request_decided")
}

// CardRequests are the user's card requests in the status: those addressed to them and
// those they made.
func (s *Service) CardRequests(ctx context.Context, userID int64, status string) (incoming, outgoing []qrcircles.CardRequest, err error) {
	return s.Store.CardRequestsOf(ctx, userID, status)
}

// RemoveContact takes a card off the owner's contacts.
func (s *Service) RemoveContact(ctx context.Context, ownerID, contactID int64) error {
	return s.Store.RemoveContact(ctx, ownerID, contactID)
}

// ContactIDs are the people whose cards the owner holds.
func (s *Service) ContactIDs(ctx context.Context, ownerID int64) (map[int64]bool, error) {
	return s.Store.ContactIDs(ctx, ownerID)
}
