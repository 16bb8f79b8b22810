package messages

import (
	"context"

	"qrcircles/resource/cardapi"
	"qrcircles/resource/push"
	"qrcircles/storage"
)

// Event types this package records.
const (
	EventAnnouncementCreated = push.AnnouncementCreated // to the circle
	EventMessageCreated      = push.MessageCreated      // to the recipient
)

// announcementCreated tells everyone in the circle; the body goes along, since every
// recipient may read it.
func announcementCreated(a storage.Announcement) cardapi.Event {
	return cardapi.Event{Type: EventAnnouncementCreated, CircleID: a.CircleID, Subject: a.AuthorID,
		Data: map[string]any{"announcement_id": a.ID, "circle_id": a.CircleID, "author_id": a.AuthorID,
			"body": a.Body, "created_at": rfc3339(a.CreatedAt)}}
}

// messageCreated tells the recipient only.
func messageCreated(m storage.Message) cardapi.Event {
	return cardapi.Event{Type: EventMessageCreated, UserIDs: []int64{m.ToID}, Subject: m.FromID,
		Data: map[string]any{"message_id": m.ID, "from_id": m.FromID, "to_id": m.ToID,
			"body": m.Body, "created_at": rfc3339(m.CreatedAt)}}
}

// Muter lists who muted a circle; storage.DB is one.
type Muter interface {
	CircleMuters(ctx context.Context, circleID int64) ([]int64, error)
}

var _ Muter = (*storage.DB)(nil)

// MuteFilter wraps the push hub's filter (next, nil for none) so that no event addressed to
// a circle reaches a recipient who muted it (they can still read it). Who muted is read once
// per event, with the rest of what the event needs, not once per recipient: an event of a
// circle of thousands costs one query. When the mutes cannot be read the event is sent: a
// lost update is worse than an unwanted one.
func MuteFilter(m Muter, next push.Filter) push.Filter {
	return func(ctx context.Context, ev storage.Event) push.View {
		if ev.CircleID == 0 {
			return nextView(ctx, next, ev)
		}
		// The mutes are read while next reads what it needs: one round trip, not two.
		views := make(chan push.View, 1)
		go func() { views <- nextView(ctx, next, ev) }()
		ids, _ := m.CircleMuters(ctx, ev.CircleID)
		view := <-views
		if len(ids) == 0 {
			return view
		}
		muted := make(map[int64]bool, len(ids))
		for _, id := range ids {
			muted[id] = true
		}
		return func(userID int64) *push.Payload {
			if muted[userID] {
				return nil
			}
			return view(userID)
		}
	}
}

func nextView(ctx context.Context, next push.Filter, ev storage.Event) push.View {
	if next == nil {
		return push.Same(ev.Payload)
	}
	return next(ctx, ev)
}
