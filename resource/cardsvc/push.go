package cardsvc

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/resource/push"
)

// PushFilter is what each recipient of an event gets: card.updated carries the owner's card
// as that recipient may see it (the one visibility rule), nothing when they may see nothing.
// The hub prepares it once per event, so what the event needs of the database is read once
// and shared by all its recipients: an edit in a circle of thousands costs a few queries,
// and each recipient a lookup. A replay reads afresh, so it shows the card as the owner's
// settings and contacts are then.
func (s *Service) PushFilter() push.Filter {
	return func(ctx context.Context, ev qrcircles.Event) push.View {
		if ev.Type != qrcircles.EventCardUpdated {
			return push.Same(ev.Payload)
		}
		return s.loadCardEvent(ctx, ev).viewFor
	}
}

// cardEvent is what every recipient of one card.updated event shares.
type cardEvent struct {
	ev       qrcircles.Event
	card     cards.Card
	settings cards.Settings
	holders  map[int64]bool // people holding the owner's card as a contact
	member   bool           // the owner is a member of the event's circle
	organize int64          // the circle's organizer
	err      error

	payloads sync.Map // cards.Relation → *push.Payload: the same relation sees the same card, marshalled once
}

// loadCardEvent reads what the event's recipients share. The reads do not depend on each
// other, so they go side by side: the first recipient waits for one round trip to the
// database, not five in a row.
func (s *Service) loadCardEvent(ctx context.Context, ev qrcircles.Event) *cardEvent {
	ce := &cardEvent{ev: ev, holders: map[int64]bool{}}
	owner := ev.SubjectID
	var holders []int64
	ce.err = parallel(
		func() (err error) {
			if ce.card, err = s.Store.Card(ctx, owner); err != nil {
				ce.card, err = s.nameOnly(ctx, owner)
			}
			return err
		},
		func() (err error) { ce.settings, err = s.Store.CardSettingsIn(ctx, owner, ev.CircleID); return err },
		func() (err error) { holders, err = s.Store.ContactHolders(ctx, owner); return err },
		func() error {
			if ev.CircleID == 0 {
				return nil
			}
			f, err := s.Store.CardFacts(ctx, owner, 0, ev.CircleID)
			ce.member = f.OwnerIsMember
			return err
		},
		func() error {
			if ev.CircleID == 0 {
				return nil
			}
			c, err := s.Store.Circle(ctx, ev.CircleID)
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
	if p, ok := ce.payloads.Load(rel); ok { // read without a lock: every recipient comes here
		return p.(*push.Payload)
	}
	card, fs := cards.ForViewer(ce.card, ce.settings, rel)
	b, err := json.Marshal(map[string]any{"circle_id": ce.ev.CircleID, "fields": fs.Names(),
		"card": cards.ViewOf(cards.Entry{UserID: ce.ev.SubjectID, Card: card}, "")})
	if err != nil {
		return nil
	}
	p, _ := ce.payloads.LoadOrStore(rel, push.NewPayload(b)) // two first recipients: one wins
	return p.(*push.Payload)
}
