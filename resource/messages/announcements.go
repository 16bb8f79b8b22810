package messages

import (
	"net/http"

	"qrcircles"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"
	"qrcircles/resource/messagesvc"

	"qrcircles/resource/server"
)

type announcementJSON struct {
	ID        int64  `json:"id"`
	CircleID  int64  `json:"circle_id"`
	AuthorID  int64  `json:"author_id"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

func toAnnouncementJSON(a qrcircles.Announcement) announcementJSON {
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
	a, err := h.Messages.Announce(c.Request.Context(), bearer.UserID(c), id, body)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAnnouncementJSON(a))
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
	as, err := h.Messages.Announcements(c.Request.Context(), bearer.UserID(c), id, p)
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]announcementJSON, len(as))
	for i, a := range as {
		out[i] = toAnnouncementJSON(a)
	}
	c.JSON(http.StatusOK, gin.H{"announcements": out, "next_before_id": nextBefore(p, as, func(a qrcircles.Announcement) int64 { return a.ID })})
}

// nextBefore is the before_id of the page after items, a newest-first page read with p, or
// nil when items was the last page.
func nextBefore[T any](p messagesvc.Page, items []T, id func(T) int64) any {
	if len(items) == 0 {
		return nil
	}
	if next := p.Next(len(items), id(items[len(items)-1])); next != 0 {
		return next
	}
	return nil
}
