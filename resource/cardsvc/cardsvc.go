package cardapi

import (
	"context"

	"qrcircles"
)

// Event is a change to push to the people it concerns. It never carries a card field: the
// push layer builds each recipient's card with Handler.CardFor, so that what it sends goes
// through cards.VisibleFields for that recipient.
type Event struct {
	Type     string
	CircleID int64   // for the members and the organizer of this circle; 0 when UserIDs says
	UserIDs  []int64 // for these people, when CircleID is 0
	Subject  int64   // the person whose card the event is about
	Data     map[string]any
}

// Events is the durable event log the push layer reads.
type Events interface {
	// AppendEvents records events in the transaction ctx carries (storage.DB.InTx puts it
	// there), so they commit or roll back with the change.
	AppendEvents(ctx context.Context, evs ...Event) error
	// Notify wakes the push layer; it is called after the transaction committed.
	Notify()
}

// NoEvents drops every event.
type NoEvents struct{}

func (NoEvents) AppendEvents(context.Context, ...Event) error { return nil }
func (NoEvents) Notify()                                      {}

// cardUpdated addresses a change of owner's card to everyone who may see it: the circles
// they are in, and the people holding it as a contact.
func (h *Handler) cardUpdated(ctx context.Context, owner int64) error {
	circles, err := h.Store.MemberCircleIDs(ctx, owner)
	if err != nil {
		return err
	}
	var evs []Event
	for _, id := range circles {
		evs = append(evs, Event{Type: qrcircles.EventCardUpdated, CircleID: id, Subject: owner, Data: map[string]any{"user_id": owner, "circle_id": id}})
	}
	holders, err := h.Store.ContactHolders(ctx, owner)
	if err != nil {
		return err
	}
	if len(holders) > 0 {
		evs = append(evs, Event{Type: qrcircles.EventCardUpdated, UserIDs: holders, Subject: owner, Data: map[string]any{"user_id": owner}})
	}
	return h.events().AppendEvents(ctx, evs...)
}

// inTx runs fn in a transaction and wakes the push layer once it committed.
func (h *Handler) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := h.Store.InTx(ctx, fn); err != nil {
		return err
	}
	h.events().Notify()
	return nil
}
