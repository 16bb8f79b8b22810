// Package api is the resource server's JSON API under /api/v1: gin handlers that verify the
// bearer token, parse, call the circles service and answer, with errors as problem+json.
package api

import (
	"context"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/circles"
	"qrcircles/resource/server"
	"qrcircles/resource/settingsvc"
)

// API holds the handlers' dependencies.
type API struct {
	Circles  *circles.Service
	Settings Settings
	Verifier qrcircles.Verifier
	// Joined, when set, counts join outcomes: joined, waiting, refused, error.
	Joined func(outcome string)
}

// Settings is what the API asks of the settings service (settingsvc.Service).
type Settings interface {
	RefusesAllCircles(ctx context.Context, userID int64) (bool, error)
	SetRefuseAllCircles(ctx context.Context, userID int64, refuse bool, ip string) error
}

var _ Settings = (*settingsvc.Service)(nil)

// Mount adds the API routes. Every route acts for a person, so a client's own token is
// refused. A scan session may call only the three routes mounted with bearer.NeedScan, for
// its own circle; leaving, settings and exclusions need an ordinary user token with
// circles:join.
func (a *API) Mount(api *gin.RouterGroup) {
	g := api.Group("", bearer.Authenticate(a.Verifier, true))
	scan := func(scopes ...string) gin.HandlerFunc { return bearer.NeedScan(a.circleURL, scopes...) }
	g.POST("/circles", bearer.Need("circles:manage"), a.createCircle)
	g.GET("/circles/:id", scan("circles:read"), a.getCircle)
	g.PATCH("/circles/:id", bearer.Need("circles:manage"), a.updateCircle)
	g.GET("/circles/:id/qr.png", bearer.Need("circles:read"), a.qrPNG)
	g.GET("/circles/:id/qr.svg", bearer.Need("circles:read"), a.qrSVG)
	g.POST("/circles/:id/join", scan(), a.join)
	g.GET("/circles/:id/requests/me", scan("circles:read"), a.myRequest)
	g.GET("/circles/:id/requests", bearer.Need("circles:manage"), a.requests)
	g.POST("/circles/:id/requests/:rid/approve", bearer.Need("circles:manage"), a.approve)
	g.POST("/circles/:id/requests/:rid/deny", bearer.Need("circles:manage"), a.deny)
	g.GET("/circles/:id/members", bearer.Need("circles:read"), a.members)
	g.DELETE("/circles/:id/members/me", bearer.Need("circles:join"), a.leave)
	g.DELETE("/circles/:id/members/:uid", bearer.Need("circles:manage"), a.removeMember)
	g.GET("/me/circles", bearer.Need("circles:read"), a.myCircles)
	g.GET("/me/settings", bearer.Need("circles:read"), a.getSettings)
	g.PUT("/me/settings", bearer.Need("circles:join"), a.putSettings)
	g.GET("/me/exclusions", bearer.Need("circles:join"), a.listExclusions)
	g.POST("/me/exclusions", bearer.Need("circles:join"), a.addExclusion)
	g.DELETE("/me/exclusions/:xid", bearer.Need("circles:join"), a.deleteExclusion)
}

// circleURL is the audience a scan session for the circle has. The join path reads circles
// through the same short cache, so the check costs the join no query of its own.
func (a *API) circleURL(ctx context.Context, id int64) (string, error) {
	c, err := a.Circles.ForJoin(ctx, id)
	if err != nil {
		return "", err
	}
	return a.Circles.URL(c), nil
}

// user returns the person the token speaks for; a client's own token has none.
func (a *API) user(c *gin.Context) (qrcircles.User, bool) {
	id, ok := bearer.Principal(c).UserID()
	if !ok {
		server.Problem(c, bearer.NotUser())
		return qrcircles.User{}, false
	}
	u, err := a.Circles.User(c.Request.Context(), id)
	if err != nil {
		server.Problem(c, err)
		return u, false
	}
	return u, true
}

// userAndCircle is the person a token speaks for and the circle ID of the path.
func (a *API) userAndCircle(c *gin.Context) (qrcircles.User, int64, bool) {
	u, ok := a.user(c)
	if !ok {
		return u, 0, false
	}
	id, ok := server.PathID(c, "id")
	return u, id, ok
}
