package cardapi

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"qrcircles/resource/cards"
	"qrcircles/resource/push"
	"qrcircles/storage"
)

// Log writes card events to the durable event log in the caller's transaction and wakes the
// push hub after commit.
type Log struct {
	DB  *storage.DB
	Hub interface{ Notify() }
}

var _ Events = (*Log)(nil)

// AppendEvents implements Events: one log row per circle, or per person addressed.
func (l *Log) AppendEvents(ctx context.Context, evs ...Event) error {
	var rows []storage.Event
	for _, e := range evs {
		if e.CircleID != 0 {
			r, err := storage.ToCircle(e.CircleID, e.Subject, e.Type, e.Data)
			if err != nil {
				return err
			}
			rows = append(rows, r)
			continue
		}
		for _, u := range e.UserIDs {
			r, err := storage.ToUser(u, e.Subject, e.Type, e.Data)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	return l.DB.AppendEvents(ctx, rows...)
}

// Notify implements Events.
func (l *Log) Notify() { l.Hub.Notify() }

// PushFilter is what each recipient of an event gets: card.updated carries the owner's card
// as that recipient may see it (the one visibility rule), nothing when they may see nothing.
// The hub prepares it once per event, so what the event needs of the database is read once
// and shared by all its recipients: an edit in a circle of thousands costs a few queries,
// and each recipient a lookup. A replay reads afresh, so it shows the card as the owner's
// settings and contacts are then.
func (h *Handler) PushFilter() push.Filter {
	return func(ctx context.Context, ev storage.Event) push.View {
		if ev.Type != push.CardUpdated {
			return push.Same(ev.Payload)
		}
		return h.loadCardEvent(ctx, ev).viewFor
	}
}

// cardEvent is what every recipient of one card.updated event shares.
type cardEvent struct {
	ev       storage.Event
	card     cards.Card
	settings cards.Settings
	holders  map[int64]bool // people holding the owner's card as a contact
	member   bool           // the owner is a member of the event's circle
	organize int64          // the circle's organizer
	err      error

	mu       sync.Mutex
	payloads map[cards.Relation]*push.Payload // the same relation sees the same card: marshal once
}

// loadCardEvent reads what the event's recipients share. The reads do not depend on each
// other, so they go side by side: the first recipient waits for one round trip to the
// database, not five in a row.
func (h *Handler) loadCardEvent(ctx context.Context, ev storage.Event) *cardEvent {
	ce := &cardEvent{ev: ev, holders: map[int64]bool{}}
	owner := ev.SubjectID
	var holders []int64
	ce.err = parallel(
		func() (err error) {
			if ce.card, err = h.Store.Card(ctx, owner); err != nil {
				ce.card, err = h.nameOnly(ctx, owner)
			}
			return err
		},
		func() (err error) { ce.settings, err = h.Store.CardSettings(ctx, owner); return err },
		func() (err error) { holders, err = h.Store.ContactHolders(ctx, owner); return err },
		func() error {
			if ev.CircleID == 0 {
				return nil
			}
			f, err := h.Store.CardFacts(ctx, owner, 0, ev.CircleID)
			ce.member = f.OwnerIsMember
			return err
		},
		func() error {
			if ev.CircleID == 0 {
				return nil
			}
			c, err := h.Store.Circle(ctx, ev.CircleID)
			ce.organize = c.OwnerID
			return err
		},
	)
	for _, id := range holders {
		ce.holders[id] = true
	}
	return ce
}

// parallel runs the functions side by side and returns the first of their errors.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// viewFor projects the card for one recipient of the event's audience.
func (ce *cardEvent) viewFor(viewer int64) *push.Payload {
	if ce.err != nil {
		return nil
	}
	f := cards.Facts{OwnerID: ce.ev.SubjectID, ViewerID: viewer, ViewerHoldsOwner: ce.holders[viewer], CircleID: ce.ev.CircleID,
		OwnerIsMember: ce.member, ViewerIsMember: ce.ev.CircleID != 0 && viewer != ce.organize, ViewerOrganizes: viewer == ce.organize}
	rel := cards.Relate(f)
	if rel.Kind == cards.Stranger {
		return nil
	}
	ce.mu.Lock()
	defer ce.mu.Unlock()
	if p, ok := ce.payloads[rel]; ok {
		return p
	}
	card, fs := cards.ForViewer(ce.card, ce.settings, rel)
	b, err := json.Marshal(map[string]any{"circle_id": ce.ev.CircleID, "fields": fs.Names(),
		"card": cards.ViewOf(cards.Entry{UserID: ce.ev.SubjectID, Card: card}, "")})
	if err != nil {
		return nil
	}
	if ce.payloads == nil {
		ce.payloads = map[cards.Relation]*push.Payload{}
	}
	p := push.NewPayload(b)
	ce.payloads[rel] = p
	return p
}
