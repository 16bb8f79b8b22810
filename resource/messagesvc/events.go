package messagesvc

import (
	"context"
	"sync"
	"time"

	"qrcircles"
	"qrcircles/resource/push"
	"qrcircles/storage"
)

// announcementCreated tells everyone in the circle; the body goes along, since every
// recipient may read it.
func announcementCreated(a qrcircles.Announcement) (qrcircles.Event, error) {
	return qrcircles.ToCircle(a.CircleID, a.AuthorID, qrcircles.EventAnnouncementCreated,
		map[string]any{"announcement_id": a.ID, "circle_id": a.CircleID, "author_id": a.AuthorID,
			"body": a.Body, "created_at": rfc3339(a.CreatedAt)})
}

// messageCreated tells the recipient only.
func messageCreated(m qrcircles.Message) (qrcircles.Event, error) {
	return qrcircles.ToUser(m.ToID, m.FromID, qrcircles.EventMessageCreated,
		map[string]any{"message_id": m.ID, "from_id": m.FromID, "to_id": m.ToID,
			"body": m.Body, "created_at": rfc3339(m.CreatedAt)})
}

// rfc3339 is how times are written in events and answers.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Muter lists who muted a circle; storage.DB is one.
type Muter interface {
	CircleMuters(ctx context.Context, circleID int64) ([]int64, error)
}

var _ Muter = (*storage.DB)(nil)

// MuteFilter wraps the push hub's per-recipient filter (next, nil for none) so that no event
// addressed to a circle reaches a recipient who muted it (they can still read it). Who muted
// is read once per event, not once per recipient: an event of a circle of thousands costs one
// query. When the mutes cannot be read the event is sent: a lost update is worse than an
// unwanted one.
func MuteFilter(m Muter, next push.Filter) push.Filter {
	var mu sync.Mutex
	muters := map[int64]map[int64]bool{} // event ID → who muted its circle
	var order []int64
	mutedBy := func(ctx context.Context, ev qrcircles.Event) map[int64]bool {
		mu.Lock()
		defer mu.Unlock()
		if set, ok := muters[ev.ID]; ok {
			return set
		}
		ids, _ := m.CircleMuters(ctx, ev.CircleID)
		set := make(map[int64]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		muters[ev.ID], order = set, append(order, ev.ID)
		if len(order) > 64 {
			delete(muters, order[0])
			order = order[1:]
		}
		return set
	}
	return func(ctx context.Context, ev qrcircles.Event, userID int64) ([]byte, bool) {
		if ev.CircleID != 0 && mutedBy(ctx, ev)[userID] {
			return nil, false
		}
		if next == nil {
			return ev.Payload, true
		}
		return next(ctx, ev, userID)
	}
}
