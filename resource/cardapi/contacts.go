package cardapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/cardsvc"
	"qrcircles/resource/server"
)

type requestJSON struct {
	ID        int64  `json:"id"`
	FromID    int64  `json:"from_id"`
	ToID      int64  `json:"to_id"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	DecidedAt string `json:"decided_at,omitempty"`
}

func toRequestJSON(q qrcircles.CardRequest) requestJSON {
	out := requestJSON{ID: q.ID, FromID: q.FromID, ToID: q.ToID, Kind: q.Kind, Status: q.Status,
		CreatedAt: q.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00")}
	if q.DecidedAt != nil {
		out.DecidedAt = q.DecidedAt.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	return out
}

// deliver gives the caller's card to another member. If they refuse cards from strangers and
// do not hold the caller's card yet, the delivery waits for them to accept.
func (h *Handler) deliver(c *gin.Context) {
	to, ok := server.PathID(c, "uid")
	if !ok {
		return
	}
	outcome, q, err := h.Cards.DeliverCard(c.Request.Context(), bearer.UserID(c), to)
	if err != nil {
		server.Problem(c, err)
		return
	}
	if outcome == cardsvc.Waiting {
		c.JSON(http.StatusAccepted, gin.H{"status": "waiting", "request": toRequestJSON(q)})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "delivered"})
}

// request asks another member for their card.
func (h *Handler) request(c *gin.Context) {
	to, ok := server.PathID(c, "uid")
	if !ok {
		return
	}
	q, err := h.Cards.RequestCard(c.Request.Context(), bearer.UserID(c), to)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "waiting", "request": toRequestJSON(q)})
}

func (h *Handler) cardRequests(c *gin.Context) {
	in, out, err := h.Cards.CardRequests(c.Request.Context(), bearer.UserID(c), qrcircles.CardWaiting)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"incoming": requestsJSON(in), "outgoing": requestsJSON(out)})
}

func requestsJSON(qs []qrcircles.CardRequest) []requestJSON {
	out := make([]requestJSON, len(qs))
	for i, q := range qs {
		out[i] = toRequestJSON(q)
	}
	return out
}

func (h *Handler) accept(c *gin.Context)  { h.decide(c, true) }
func (h *Handler) decline(c *gin.Context) { h.decide(c, false) }

// decide answers a waiting delivery or request addressed to the caller.
func (h *Handler) decide(c *gin.Context, accept bool) {
	rid, ok := server.PathID(c, "rid")
	if !ok {
		return
	}
	q, err := h.Cards.DecideCardRequest(c.Request.Context(), bearer.UserID(c), rid, accept)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, toRequestJSON(q))
}

func (h *Handler) contacts(c *gin.Context) {
	es, err := h.Cards.Contacts(c.Request.Context(), bearer.UserID(c), 0, false)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"contacts": h.views(es, 0)})
}

// contact is one contact's card: JSON, or a vCard when the path ends in .vcf.
func (h *Handler) contact(c *gin.Context) {
	if hasVCFSuffix(c, "uid") {
		h.contactVCF(c)
		return
	}
	uid, ok := server.PathID(c, "uid")
	if !ok {
		return
	}
	es, err := h.Cards.Contacts(c.Request.Context(), bearer.UserID(c), uid, false)
	if err == nil && len(es) == 0 {
		err = qrcircles.Fail(qrcircles.ENotFound, "cards.not_a_contact")
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, h.views(es, 0)[0])
}

func (h *Handler) removeContact(c *gin.Context) {
	uid, ok := server.PathID(c, "uid")
	if !ok {
		return
	}
	if err := h.Cards.RemoveContact(c.Request.Context(), bearer.UserID(c), uid); err != nil {
		server.Problem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
