package cardapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"
	"qrcircles/resource/cards"
	"qrcircles/resource/problem"
	"qrcircles/storage"
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

func toRequestJSON(q storage.CardRequest) requestJSON {
	out := requestJSON{ID: q.ID, FromID: q.FromID, ToID: q.ToID, Kind: q.Kind, Status: q.Status,
		CreatedAt: q.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00")}
	if q.DecidedAt != nil {
		out.DecidedAt = q.DecidedAt.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	return out
}

// other reads the person a delivery or request is for, who must share a circle with the caller.
func (h *Handler) other(c *gin.Context) (int64, bool) {
	uid, ok := pathID(c, "uid")
	if !ok {
		return 0, false
	}
	err := error(nil)
	if uid == bearer.UserID(c) {
		err = problem.Invalid("uid", "This is you.")
	} else if _, err = h.Store.User(c.Request.Context(), uid); err == nil {
		var shares bool
		shares, err = h.Store.SharesCircle(c.Request.Context(), bearer.UserID(c), uid)
		if err == nil && !shares {
			err = problem.Errorf(problem.EForbidden, "You can exchange cards only with people in your circles.")
		}
	}
	if err != nil {
		fail(c, err)
		return 0, false
	}
	return uid, true
}

// deliver gives the caller's card to another member. If they refuse cards from strangers and
// do not hold the caller's card yet, the delivery waits for them to accept.
func (h *Handler) deliver(c *gin.Context) {
	to, ok := h.other(c)
	if !ok {
		return
	}
	from := bearer.UserID(c)
	var out gin.H
	status := http.StatusOK
	err := h.inTx(c.Request.Context(), func(ctx context.Context) error {
		if _, err := h.Store.Card(ctx, from); err != nil {
			return notYet(err)
		}
		p, err := h.Store.PrivacyOf(ctx, to)
		if err != nil {
			return err
		}
		holds, err := h.Store.HoldsContact(ctx, to, from)
		if err != nil {
			return err
		}
		if cards.NeedsConsent(p.RefuseStrangerCards, holds) {
			status = http.StatusAccepted
			out, err = h.ask(ctx, from, to, storage.CardDeliver)
			return err
		}
		out = gin.H{"status": "delivered"}
		if err := h.Store.AddContact(ctx, to, from, h.now()); err != nil {
			return err
		}
		return h.events().AppendEvents(ctx, Event{Type: EventCardDelivered, UserIDs: []int64{to}, Subject: from,
			Data: map[string]any{"from_id": from, "to_id": to}})
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, out)
}

func notYet(err error) error {
	if err != nil && !isNotFound(err) {
		return err
	}
	return problem.Errorf(problem.EConflict, "Make your card first.")
}

// ask records a waiting delivery or request and tells its receiver.
func (h *Handler) ask(ctx context.Context, from, to int64, kind string) (gin.H, error) {
	q, created, err := h.Store.CreateCardRequest(ctx, from, to, kind, h.now())
	if err != nil {
		return nil, err
	}
	if created {
		err = h.events().AppendEvents(ctx, Event{Type: EventCardRequested, UserIDs: []int64{to}, Subject: from,
			Data: map[string]any{"request_id": q.ID, "from_id": from, "to_id": to, "kind": kind}})
	}
	return gin.H{"status": "waiting", "request": toRequestJSON(q)}, err
}

// request asks another member for their card.
func (h *Handler) request(c *gin.Context) {
	to, ok := h.other(c)
	if !ok {
		return
	}
	from := bearer.UserID(c)
	var out gin.H
	err := h.inTx(c.Request.Context(), func(ctx context.Context) error {
		holds, err := h.Store.HoldsContact(ctx, from, to)
		if err != nil || holds {
			return firstErr(err, problem.Errorf(problem.EConflict, "You already have this card."))
		}
		out, err = h.ask(ctx, from, to, storage.CardAsk)
		return err
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, out)
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (h *Handler) cardRequests(c *gin.Context) {
	in, out, err := h.Store.CardRequestsOf(c.Request.Context(), bearer.UserID(c), storage.CardWaiting)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"incoming": requestsJSON(in), "outgoing": requestsJSON(out)})
}

func requestsJSON(qs []storage.CardRequest) []requestJSON {
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
	rid, ok := pathID(c, "rid")
	if !ok {
		return
	}
	var q storage.CardRequest
	err := h.inTx(c.Request.Context(), func(ctx context.Context) error {
		var err error
		if q, err = h.Store.DecideCardRequest(ctx, rid, bearer.UserID(c), accept, h.now()); err != nil {
			return err
		}
		return h.events().AppendEvents(ctx, Event{Type: EventRequestDecided, UserIDs: []int64{q.FromID}, Subject: q.ToID,
			Data: map[string]any{"request_id": q.ID, "kind": q.Kind, "status": q.Status}})
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRequestJSON(q))
}

func (h *Handler) contacts(c *gin.Context) {
	es, err := h.contactEntries(c.Request.Context(), bearer.UserID(c), 0, false)
	if err != nil {
		fail(c, err)
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
	uid, ok := pathID(c, "uid")
	if !ok {
		return
	}
	es, err := h.contactEntries(c.Request.Context(), bearer.UserID(c), uid, false)
	if err == nil && len(es) == 0 {
		err = problem.Errorf(problem.ENotFound, "This person is not among your contacts.")
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h.views(es, 0)[0])
}

func (h *Handler) removeContact(c *gin.Context) {
	uid, ok := pathID(c, "uid")
	if !ok {
		return
	}
	if err := h.Store.RemoveContact(c.Request.Context(), bearer.UserID(c), uid); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
