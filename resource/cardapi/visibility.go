package cardapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/cards"
	"qrcircles/resource/server"
)

type circleVisibilityJSON struct {
	CircleID int64    `json:"circle_id"`
	Fields   []string `json:"fields"`
	Chosen   bool     `json:"chosen"` // false: the circle follows what was the default when it was joined
}

type visibilityJSON struct {
	Default []string               `json:"default"`
	Circles []circleVisibilityJSON `json:"circles"`
}

// getVisibility shows the default and what each circle the user is in shows.
func (h *Handler) getVisibility(c *gin.Context) {
	ctx, uid := c.Request.Context(), bearer.UserID(c)
	s, err := h.Store.CardSettings(ctx, uid)
	if err != nil {
		server.Problem(c, err)
		return
	}
	ids, err := h.Store.MemberCircleIDs(ctx, uid)
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := visibilityJSON{Default: s.Default.Names(), Circles: []circleVisibilityJSON{}}
	for _, id := range ids {
		_, chosen := s.Circles[id]
		out.Circles = append(out.Circles, circleVisibilityJSON{id, s.ForCircle(id).Names(), chosen})
	}
	c.JSON(http.StatusOK, out)
}

// visibilityBody changes the default (for circles joined later) and, per circle ID, what the
// circle shows; a circle set to null follows the default again.
type visibilityBody struct {
	Default *[]string            `json:"default"`
	Circles map[string]*[]string `json:"circles"`
}

type circleChange struct {
	id     int64
	fields *cards.FieldSet // nil: reset
}

func (h *Handler) putVisibility(c *gin.Context) {
	var b visibilityBody
	if !server.BindJSON(c, &b) {
		return
	}
	uid := bearer.UserID(c)
	def, changes, err := h.parseVisibility(c.Request.Context(), uid, b)
	if err != nil {
		server.Problem(c, err)
		return
	}
	err = h.inTx(c.Request.Context(), func(ctx context.Context) error {
		return h.applyVisibility(ctx, uid, def, changes)
	})
	if err != nil {
		server.Problem(c, err)
		return
	}
	h.getVisibility(c)
}

func (h *Handler) parseVisibility(ctx context.Context, uid int64, b visibilityBody) (*cards.FieldSet, []circleChange, error) {
	var def *cards.FieldSet
	if b.Default != nil {
		fs, err := cards.ParseFields(*b.Default, "default")
		if err != nil {
			return nil, nil, err
		}
		def = &fs
	}
	keys := make([]string, 0, len(b.Circles))
	for k := range b.Circles {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var changes []circleChange
	for _, k := range keys {
		ch, err := h.parseCircleChange(ctx, uid, k, b.Circles[k])
		if err != nil {
			return nil, nil, err
		}
		changes = append(changes, ch)
	}
	return def, changes, nil
}

func (h *Handler) parseCircleChange(ctx context.Context, uid int64, key string, names *[]string) (circleChange, error) {
	field := "circles." + key
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil || id <= 0 {
		return circleChange{}, qrcircles.Invalid(field, "Circles are named by their number.")
	}
	member, err := h.Store.IsMember(ctx, id, uid)
	if err != nil {
		return circleChange{}, err
	}
	if !member {
		return circleChange{}, qrcircles.Invalid(field, "You are not a member of circle %d.", id)
	}
	if names == nil {
		return circleChange{id: id}, nil
	}
	fs, err := cards.ParseFields(*names, field)
	return circleChange{id: id, fields: &fs}, err
}

func (h *Handler) applyVisibility(ctx context.Context, uid int64, def *cards.FieldSet, changes []circleChange) error {
	if def != nil {
		if err := h.Store.SetCardDefault(ctx, uid, *def, h.now()); err != nil {
			return err
		}
	}
	var evs []Event
	for _, ch := range changes {
		var err error
		if ch.fields == nil {
			err = h.Store.ResetCircleVisibility(ctx, uid, ch.id)
		} else {
			err = h.Store.SetCircleVisibility(ctx, uid, ch.id, *ch.fields, h.now())
		}
		if err != nil {
			return fmt.Errorf("circle %d: %w", ch.id, err)
		}
		evs = append(evs, Event{Type: qrcircles.EventCardUpdated, CircleID: ch.id, Subject: uid, Data: map[string]any{"user_id": uid, "circle_id": ch.id}})
	}
	return h.events().AppendEvents(ctx, evs...)
}

// circleCards lists the members' cards of a circle as the viewer may see them.
func (h *Handler) circleCards(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	es, _, err := h.circleEntries(c.Request.Context(), bearer.UserID(c), id, false)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"circle_id": id, "cards": h.views(es, id)})
}
