package messages

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"
	"qrcircles/storage"

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

func toMessageJSON(m storage.Message) messageJSON {
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
	m := storage.Message{FromID: bearer.UserID(c), ToID: to, Body: body, CreatedAt: h.now()}
	err := h.inTx(c.Request.Context(), func(ctx context.Context) error {
		r, err := h.reach(ctx, m.FromID, to)
		if err != nil {
			return err
		}
		if err := firstErr(MayMessage(r), CheckBody(body)); err != nil {
			return err
		}
		if err := h.Store.SendMessage(ctx, &m); err != nil {
			return err
		}
		return h.events().AppendEvents(ctx, messageCreated(m))
	})
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusCreated, toMessageJSON(m))
}

// reach reads what MayMessage decides on; an unknown recipient is not found.
func (h *Handler) reach(ctx context.Context, from, to int64) (Reach, error) {
	if from == to {
		return Reach{Self: true}, nil
	}
	if _, err := h.Store.User(ctx, to); err != nil {
		return Reach{}, err
	}
	var r Reach
	var err error
	if r.SharesCircle, err = h.Store.SharesCircle(ctx, from, to); err != nil {
		return r, err
	}
	if r.SenderHolds, err = h.Store.HoldsContact(ctx, from, to); err != nil {
		return r, err
	}
	if r.RecipientHolds, err = h.Store.HoldsContact(ctx, to, from); err != nil {
		return r, err
	}
	p, err := h.Store.PrivacyOf(ctx, to)
	r.RecipientBlocks = p.BlockStrangerMessages
	return r, err
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
	ctx, self := c.Request.Context(), bearer.UserID(c)
	_, err := h.Store.User(ctx, other)
	var ms []storage.Message
	if err == nil {
		ms, err = h.Store.Messages(ctx, self, other, p.BeforeID, p.Limit)
	}
	if err == nil {
		err = h.markRead(ctx, self, other, ms)
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]messageJSON, len(ms))
	for i, m := range ms {
		out[i] = toMessageJSON(m)
	}
	c.JSON(http.StatusOK, gin.H{"messages": out, "next_before_id": nextBefore(p, ms, func(m storage.Message) int64 { return m.ID })})
}

// markRead marks the unread messages of ms that self received from other as read, in the
// store and in ms.
func (h *Handler) markRead(ctx context.Context, self, other int64, ms []storage.Message) error {
	var through int64
	now := h.now()
	for i := range ms {
		if ms[i].ToID == self && ms[i].ReadAt == nil {
			through = max(through, ms[i].ID)
			ms[i].ReadAt = &now
		}
	}
	if through == 0 {
		return nil
	}
	return h.Store.MarkRead(ctx, self, other, through, now)
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
	cs, err := h.Store.Conversations(c.Request.Context(), bearer.UserID(c), p.BeforeID, p.Limit)
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]conversationJSON, len(cs))
	for i, v := range cs {
		out[i] = conversationJSON{With: v.With, LastMessage: toMessageJSON(v.Last), Unread: v.Unread}
	}
	c.JSON(http.StatusOK, gin.H{"conversations": out, "next_before_id": nextBefore(p, cs, func(v storage.Conversation) int64 { return v.Last.ID })})
}
