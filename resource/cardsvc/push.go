package cardsvc

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/resource/push"
)

// PushFilter is what each recipient of an event gets: card.updated carries the owner's card
// as that recipient may see it (the one visibility rule), nothing when they may see nothing.
// What one event needs of the database is read once and shared by all its recipients: an
// edit in a circle of thousands costs a few queries.
func (s *Service) PushFilter() push.Filter {
	cache := &eventCache{entries: map[int64]*cardEvent{}}
	return func(ctx context.Context, ev qrcircles.Event, userID int64) ([]byte, bool) {
		if ev.Type != qrcircles.EventCardUpdated {
			return ev.Payload, true
		}
		if push.IsReplay(ctx) {
			return s.loadCardEvent(ctx, ev).viewFor(userID)
		}
		ce := cache.get(ev.ID, func() *cardEvent { return s.loadCardEvent(ctx, ev) })
		return ce.viewFor(userID)
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
	loaded   time.Time

	mu       sync.Mutex
	payloads map[cards.Relation][]byte // the same relation sees the same card: marshal once
}

func (s *Service) loadCardEvent(ctx context.Context, ev qrcircles.Event) *cardEvent {
	ce := &cardEvent{ev: ev, holders: map[int64]bool{}}
	owner := ev.SubjectID
	card, err := s.Store.Card(ctx, owner)
	if err != nil {
		card, err = s.nameOnly(ctx, owner)
	}
	if err != nil {
		ce.err = err
		return ce
	}
	ce.card = card
	if ce.settings, ce.err = s.Store.CardSettings(ctx, owner); ce.err != nil {
		return ce
	}
	holders, err := s.Store.ContactHolders(ctx, owner)
	if ce.err = err; err != nil {
		return ce
	}
	for _, id := range holders {
		ce.holders[id] = true
	}
	if ev.CircleID != 0 {
		f, err := s.Store.CardFacts(ctx, owner, 0, ev.CircleID)
		if ce.err = err; err != nil {
			return ce
		}
		ce.member = f.OwnerIsMember
		c, err := s.Store.Circle(ctx, ev.CircleID)
		ce.organize, ce.err = c.OwnerID, err
	}
	return ce
}

// viewFor projects the card for one recipient of the event's audience.
func (ce *cardEvent) viewFor(viewer int64) ([]byte, bool) {
	if ce.err != nil {
		return nil, false
	}
	f := cards.Facts{OwnerID: ce.ev.SubjectID, ViewerID: viewer, ViewerHoldsOwner: ce.holders[viewer], CircleID: ce.ev.CircleID,
		OwnerIsMember: ce.member, ViewerIsMember: ce.ev.CircleID != 0 && viewer != ce.organize, ViewerOrganizes: viewer == ce.organize}
	rel := cards.Relate(f)
	if rel.Kind == cards.Stranger {
		return nil, false
	}
	ce.mu.Lock()
	defer ce.mu.Unlock()
	if b, ok := ce.payloads[rel]; ok {
		return b, true
	}
	card, fs := cards.ForViewer(ce.card, ce.settings, rel)
	b, err := json.Marshal(map[string]any{"circle_id": ce.ev.CircleID, "fields": fs.Names(),
		"card": cards.ViewOf(cards.Entry{UserID: ce.ev.SubjectID, Card: card}, "")})
	if err != nil {
		return nil, false
	}
	if ce.payloads == nil {
		ce.payloads = map[cards.Relation][]byte{}
	}
	ce.payloads[rel] = b
	return b, true
}

// eventCache keeps the last events' shared data for a moment: the live recipients of one
// event are served together, within a fraction of a second. A later delivery (a replay)
// reads afresh, so it shows the card as the owner's settings and contacts are then.
type eventCache struct {
	mu      sync.Mutex
	entries map[int64]*cardEvent
	order   []int64
}

const (
	eventCacheSize = 64
	eventCacheTTL  = 500 * time.Millisecond
)

func (c *eventCache) get(id int64, load func() *cardEvent) *cardEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ce, ok := c.entries[id]; ok && time.Since(ce.loaded) < eventCacheTTL {
		return ce
	}
	ce := load()
	ce.loaded = time.Now()
	if _, ok := c.entries[id]; ok {
		c.entries[id] = ce
		return ce
	}
	c.entries[id] = ce
	c.order = append(c.order, id)
	if len(c.order) > eventCacheSize {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	return ce
}
