package main

import (
	"context"

	"qrcircles/templates"
)

// unreadCounter counts a person's unread messages (messagesvc.Service).
type unreadCounter interface {
	Unread(ctx context.Context, userID int64) (int, error)
}

// withUnread adds the count of unread messages to the navigation's signed-in person. A count
// that cannot be read shows no badge: the page itself still renders.
func withUnread(ctx context.Context, f templates.ViewerFunc, m unreadCounter) templates.ViewerFunc {
	return func() (templates.Viewer, bool) {
		v, ok := f()
		if ok && m != nil {
			v.Unread, _ = m.Unread(ctx, v.UserID)
		}
		return v, ok
	}
}
