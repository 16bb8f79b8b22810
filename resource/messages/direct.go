package messages

import (
	"net/http"

	"qrcircles"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"

	"qrcircles/resource/server"
)

type messageJSON struct {
	ID        int64  `json:"id"`
	FromID    int64  `json:"from_id"`
	ToID      int64  `json:"to_id"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
	ReadAt    string `json:"read_at,omitempty"`
}

func toMessageJSON(m qrcircles.Message) messageJSON {
	out := messageJSON{ID: m.ID, FromID: m.FromID, ToID: m.ToID, Body: m.Body, CreatedAt: rfc3339(m.CreatedAt)}
	if m.ReadAt != nil {
		out.ReadAt = rfc3339(*m.ReadAt)
	}
	return out
}

// send sends a direct message to another person, if the rules let the caller reach them.
func (h *Handler) send(c *gin.Context) {
	to, ok := server.PathID(c, "uid")
	if !ok {
		return
	}
	body, ok := bindBody(c)
	if !ok {
		return
	}
	m, err := h.Messages.Send(c.Request.Context(), bearer.UserID(c), to, body)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusCreated, toMessageJSON(m))
}

// conversation lists the messages between the caller and another person, newest first, and
// marks those the caller received in this page as read.
func (h *Handler) conversation(c *gin.Context) {
	other, ok := server.PathID(c, "uid")
	if !ok {
		return
	}
	p, ok := page(c)
	if !ok {
		return
	}
	ms, err := h.Messages.Conversation(c.Request.Context(), bearer.UserID(c), other, p)
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]messageJSON, len(ms))
	for i, m := range ms {
		out[i] = toMessageJSON(m)
	}
	c.JSON(http.StatusOK, gin.H{"messages": out, "next_before_id": nextBefore(p, ms, func(m qrcircles.Message) int64 { return m.ID })})
}

type conversationJSON struct {
	With        int64       `json:"with"`
	LastMessage messageJSON `json:"last_message"`
	Unread      int         `json:"unread"`
}

// conversations lists the people the caller exchanged messages with, the latest first.
func (h *Handler) conversations(c *gin.Context) {
	p, ok := page(c)
	if !ok {
		return
	}
	cs, err := h.Messages.Conversations(c.Request.Context(), bearer.UserID(c), p)
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]conversationJSON, len(cs))
	for i, v := range cs {
		out[i] = conversationJSON{With: v.With, LastMessage: toMessageJSON(v.Last), Unread: v.Unread}
	}
	c.JSON(http.StatusOK, gin.H{"conversations": out, "next_before_id": nextBefore(p, cs, func(v qrcircles.Conversation) int64 { return v.Last.ID })})
}
