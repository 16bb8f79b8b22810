package messages

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"
	"qrcircles/storage"

	"qrcircles/resource/server"
)

type announcementJSON struct {
	ID        int64  `json:"id"`
	CircleID  int64  `json:"circle_id"`
	AuthorID  int64  `json:"author_id"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

func toAnnouncementJSON(a storage.Announcement) announcementJSON {
	return announcementJSON{ID: a.ID, CircleID: a.CircleID, AuthorID: a.AuthorID, Body: a.Body, CreatedAt: rfc3339(a.CreatedAt)}
}

// postAnnouncement lets the organizer tell everyone in the circle something.
func (h *Handler) postAnnouncement(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	body, ok := bindBody(c)
	if !ok {
		return
	}
	a, err := h.Announce(c.Request.Context(), id, bearer.UserID(c), body)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAnnouncementJSON(a))
}

// Announce posts an announcement to the circle's members, live, for the API and the
// circle's page alike; only the organizer may.
func (h *Handler) Announce(ctx context.Context, circleID, authorID int64, body string) (storage.Announcement, error) {
	a := storage.Announcement{CircleID: circleID, AuthorID: authorID, Body: body, CreatedAt: h.now()}
	err := h.inTx(ctx, func(ctx context.Context) error {
		circle, err := h.Store.Circle(ctx, circleID)
		if err != nil {
			return err
		}
		if err := firstErr(MayAnnounce(circle.OwnerID, a.AuthorID), CheckBody(body)); err != nil {
			return err
		}
		if err := h.Store.PostAnnouncement(ctx, &a); err != nil {
			return err
		}
		return h.events().AppendEvents(ctx, announcementCreated(a))
	})
	return a, err
}

// announcements lists a circle's announcements, newest first, to its organizer and members,
// whether or not they muted it.
func (h *Handler) announcements(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	p, ok := page(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	organizes, member, err := h.standing(ctx, id, bearer.UserID(c))
	if err == nil {
		err = MayReadCircle(organizes, member)
	}
	var as []storage.Announcement
	if err == nil {
		as, err = h.Store.Announcements(ctx, id, p.BeforeID, p.Limit)
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]announcementJSON, len(as))
	for i, a := range as {
		out[i] = toAnnouncementJSON(a)
	}
	c.JSON(http.StatusOK, gin.H{"announcements": out, "next_before_id": nextBefore(p, as, func(a storage.Announcement) int64 { return a.ID })})
}

// nextBefore is the before_id of the page after items, a newest-first page read with p, or
// nil when items was the last page.
func nextBefore[T any](p Page, items []T, id func(T) int64) any {
	if len(items) == 0 {
		return nil
	}
	if next := p.Next(len(items), id(items[len(items)-1])); next != 0 {
		return next
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
