// Package messages is messaging in QR Circles: circle announcements by the organizer, direct
// messages between people who share a circle or are contacts, and muted circles. rules.go
// holds the rules as pure functions; the other files are the gin handlers under /api/v1.
package messages

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"
	"qrcircles/resource/cardapi"
	"qrcircles/resource/problem"
	"qrcircles/resource/server"
	"qrcircles/resource/tokens"
	"qrcircles/resource/usertext"
	"qrcircles/storage"
)

// Store is what the handlers need of the database.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	User(ctx context.Context, id int64) (storage.User, error)
	Circle(ctx context.Context, id int64) (storage.Circle, error)
	IsMember(ctx context.Context, circleID, userID int64) (bool, error)
	SharesCircle(ctx context.Context, a, b int64) (bool, error)
	HoldsContact(ctx context.Context, ownerID, contactID int64) (bool, error)
	PrivacyOf(ctx context.Context, userID int64) (storage.UserPrivacy, error)
	PostAnnouncement(ctx context.Context, a *storage.Announcement) error
	Announcements(ctx context.Context, circleID, beforeID int64, limit int) ([]storage.Announcement, error)
	SendMessage(ctx context.Context, m *storage.Message) error
	Messages(ctx context.Context, a, b, beforeID int64, limit int) ([]storage.Message, error)
	MarkRead(ctx context.Context, toID, fromID, throughID int64, now time.Time) error
	Conversations(ctx context.Context, userID, beforeID int64, limit int) ([]storage.Conversation, error)
	Mute(ctx context.Context, userID, circleID int64, now time.Time) error
	Unmute(ctx context.Context, userID, circleID int64) error
	Mutes(ctx context.Context, userID int64) ([]storage.CircleMute, error)
}

var _ Store = (*storage.DB)(nil)

// Handler serves the messaging API.
type Handler struct {
	Store    Store
	Verifier tokens.Verifier
	Events   cardapi.Events // the card API's event log serves both; nil: cardapi.NoEvents
	Now      func() time.Time
}

// Scopes: reading messages, announcements and one's mutes needs messages:read; sending a
// message and muting a circle need messages:write. Posting an announcement is an
// organizer's act, like the other circles:manage routes.
const (
	ScopeRead     = tokens.ScopeMessagesRead
	ScopeWrite    = tokens.ScopeMessagesWrite
	ScopeAnnounce = tokens.ScopeCirclesManage
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

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

func (h *Handler) events() cardapi.Events {
	if h.Events == nil {
		return cardapi.NoEvents{}
	}
	return h.Events
}

// inTx runs fn in a transaction and wakes the push layer once it committed.
func (h *Handler) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := h.Store.InTx(ctx, fn); err != nil {
		return err
	}
	h.events().Notify()
	return nil
}

// pathID reads a numeric path parameter; a bad one is a resource that does not exist.
func pathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		server.Problem(c, &problem.Error{Code: problem.ENotFound, Field: name, Message: "No such " + name + "."})
		return 0, false
	}
	return id, true
}

// page reads before_id and limit from the query.
func page(c *gin.Context) (Page, bool) {
	p, err := ParsePage(c.Query("before_id"), c.Query("limit"))
	if err != nil {
		server.Problem(c, err)
		return p, false
	}
	return p, true
}

// fail answers with err; storage's not-found becomes a problem.
func fail(c *gin.Context, err error) {
	if errors.Is(err, storage.ErrNotFound) {
		err = &problem.Error{Code: problem.ENotFound, Message: "Not found.", Err: err}
	}
	server.Problem(c, err)
}

// bodyJSON is what a post of an announcement or a message carries.
type bodyJSON struct {
	Body *string `json:"body"`
}

const maxJSONBody = 64 << 10

// bindBody reads {"body": "…"} strictly; anything else is a problem naming the field.
func bindBody(c *gin.Context) (string, bool) {
	var b bodyJSON
	err := usertext.DecodeJSON(io.LimitReader(c.Request.Body, maxJSONBody), &b, true)
	_, textErr := problem.As(err)
	switch {
	case textErr: // a string that is not text
		server.Problem(c, err)
		return "", false
	case err != nil:
		server.Problem(c, &problem.Error{Code: problem.EInvalid, Field: badField(err), Message: "The body is not valid JSON for this request.", Err: err})
		return "", false
	case b.Body == nil:
		server.Problem(c, problem.Invalid("body", "Write a message."))
		return "", false
	}
	return *b.Body, true
}

func badField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return strings.Trim(f, `"`)
	}
	return ""
}

// standing reads how the caller stands to a circle: whether they organize it or are a
// member. An unknown circle is not found.
func (h *Handler) standing(ctx context.Context, circleID, userID int64) (organizes, member bool, err error) {
	c, err := h.Store.Circle(ctx, circleID)
	if err != nil {
		return false, false, err
	}
	member, err = h.Store.IsMember(ctx, circleID, userID)
	return c.OwnerID == userID, member, err
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
