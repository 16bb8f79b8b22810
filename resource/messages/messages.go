// Package messages is messaging in QR Circles: circle announcements by the organizer, direct
// messages between people who share a circle or are contacts, and muted circles. These are
// the gin handlers under /api/v1; package messagesvc holds the rules and carries them out.
package messages

import (
	"context"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/messagesvc"
	"qrcircles/resource/server"
)

// Messages is what the message API asks of the message service (messagesvc.Service).
type Messages interface {
	Announce(ctx context.Context, authorID, circleID int64, body string) (qrcircles.Announcement, error)
	Announcements(ctx context.Context, viewer, circleID int64, p messagesvc.Page) ([]qrcircles.Announcement, error)
	Send(ctx context.Context, from, to int64, body string) (qrcircles.Message, error)
	Conversation(ctx context.Context, self, other int64, p messagesvc.Page) ([]qrcircles.Message, error)
	Conversations(ctx context.Context, userID int64, p messagesvc.Page) ([]qrcircles.Conversation, error)
	Mute(ctx context.Context, userID, circleID int64) error
	Unmute(ctx context.Context, userID, circleID int64) error
	Mutes(ctx context.Context, userID int64) ([]qrcircles.CircleMute, error)
}

var _ Messages = (*messagesvc.Service)(nil)

// Handler serves the message API.
type Handler struct {
	Messages Messages
	Verifier qrcircles.Verifier
}

// Scopes: reading messages, announcements and one's mutes needs messages:read; sending a
// message and muting a circle need messages:write. Posting an announcement is an
// organizer's act, like the other circles:manage routes.
const (
	ScopeRead     = qrcircles.ScopeMessagesRead
	ScopeWrite    = qrcircles.ScopeMessagesWrite
	ScopeAnnounce = qrcircles.ScopeCirclesManage
)

// Mount adds the routes to g, which is the /api/v1 group (or an engine's root group, then
// the paths get /api/v1 in front).
func (h *Handler) Mount(g *gin.RouterGroup) {
	if !strings.HasSuffix(g.BasePath(), "/api/v1") {
		g = g.Group("/api/v1")
	}
	r := g.Group("", bearer.Authenticate(h.Verifier, true))
	read, write := bearer.Need(ScopeRead), bearer.Need(ScopeWrite)
	r.POST("/circles/:id/announcements", bearer.Need(ScopeAnnounce), h.postAnnouncement)
	r.GET("/circles/:id/announcements", read, h.announcements)
	r.PUT("/circles/:id/mute", write, h.mute)
	r.DELETE("/circles/:id/mute", write, h.unmute)
	r.GET("/me/mutes", read, h.mutes)
	r.POST("/users/:uid/messages", write, h.send)
	r.GET("/users/:uid/messages", read, h.conversation)
	r.GET("/me/conversations", read, h.conversations)
}

// page reads before_id and limit from the query.
func page(c *gin.Context) (messagesvc.Page, bool) {
	p, err := messagesvc.ParsePage(c.Query("before_id"), c.Query("limit"))
	if err != nil {
		server.Problem(c, err)
		return p, false
	}
	return p, true
}

// bodyJSON is what a post of an announcement or a message carries.
type bodyJSON struct {
	Body *string `json:"body"`
}

// bindBody reads {"body": "…"} strictly; anything else is a problem naming the field.
func bindBody(c *gin.Context) (string, bool) {
	var b bodyJSON
	if !server.BindJSON(c, &b) {
		return "", false
	}
	if b.Body == nil {
		server.Problem(c, messagesvc.EmptyBody())
		return "", false
	}
	return *b.Body, true
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
