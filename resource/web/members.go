package web

import (
	"context"
	"net/http"
	"qrcircles"
	"strings"

	"github.com/gin-gonic/gin"
)

// membersData is the manage page's member list, searched by name.
type membersData struct {
	Query   string
	Members []qrcircles.Member
}

// peopleOf picks the members whose name holds the query, ignoring case.
func peopleOf(members []qrcircles.Member, query string) membersData {
	query = strings.TrimSpace(query)
	d := membersData{Query: query}
	q := strings.ToLower(query)
	for _, m := range members {
		if strings.Contains(strings.ToLower(m.DisplayName), q) {
			d.Members = append(d.Members, m)
		}
	}
	return d
}

// removeMember takes a member out of the circle, after the organizer confirmed it.
func (w *Web) removeMember(c *gin.Context) {
	w.act(c, "/manage?done=removed#members", w.manageAgain, func(ctx context.Context, actor int64, circle qrcircles.Circle) error {
		uid, err := pathID(c, "uid")
		if err != nil {
			return err
		}
		return w.Circles.Remove(ctx, actor, circle.ID, uid)
	})
}

// announce posts the organizer's announcement from the circle's page; members with the
// circle open see it live.
func (w *Web) announce(c *gin.Context) {
	again := func(c *gin.Context, u qrcircles.User, circle qrcircles.Circle, err error) {
		w.renderView(c, u.ID, circle, err)
	}
	w.act(c, "?done=announced&form=announce#announce", again, func(ctx context.Context, actor int64, circle qrcircles.Circle) error {
		_, err := w.Messages.Announce(ctx, actor, circle.ID, c.PostForm("body"))
		return err
	})
}

// act is the one shape of the organizer's forms on a circle: check, act, then to the
// circle's page at back (with its notice), or the form's page again with the error.
func (w *Web) act(c *gin.Context, back string, again func(c *gin.Context, u qrcircles.User, circle qrcircles.Circle, err error),
	do func(ctx context.Context, actor int64, circle qrcircles.Circle) error) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	err := w.formExpired(c)
	if err == nil {
		err = do(c.Request.Context(), u.ID, circle)
	}
	if err != nil {
		again(c, u, circle, err)
		return
	}
	c.Redirect(http.StatusSeeOther, circlePath(circle.ID)+back)
}

// manageAgain shows the manage page with an organizer's failed action's error.
func (w *Web) manageAgain(c *gin.Context, u qrcircles.User, circle qrcircles.Circle, err error) {
	w.renderManage(c, u, circle, formOf(circle), "", qrcircles.Words{}, err)
}
