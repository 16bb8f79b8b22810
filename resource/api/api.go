// Package api is the resource server's JSON API under /api/v1: gin handlers that verify the
// bearer token, parse, call the circles service and answer, with errors as problem+json.
package api

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/circles"
	"qrcircles/resource/problem"
	"qrcircles/resource/server"
	"qrcircles/resource/tokens"
	"qrcircles/storage"
)

// API holds the handlers' dependencies.
type API struct {
	Circles  *circles.Service
	Verifier tokens.Verifier
}

const principalKey = "principal"

// Mount adds the API routes.
func (a *API) Mount(e *gin.Engine) {
	g := e.Group("/api/v1", a.authenticate)
	g.POST("/circles", need("circles:manage"), a.createCircle)
	g.GET("/circles/:id", need("circles:read"), a.getCircle)
	g.PATCH("/circles/:id", need("circles:manage"), a.updateCircle)
	g.GET("/circles/:id/qr.png", need("circles:read"), a.qrPNG)
	g.GET("/circles/:id/qr.svg", need("circles:read"), a.qrSVG)
	g.POST("/circles/:id/join", need("circles:join"), a.join)
	g.GET("/circles/:id/requests", need("circles:manage"), a.requests)
	g.POST("/circles/:id/requests/:rid/approve", need("circles:manage"), a.approve)
	g.POST("/circles/:id/requests/:rid/deny", need("circles:manage"), a.deny)
	g.GET("/circles/:id/members", need("circles:read"), a.members)
	g.DELETE("/circles/:id/members/me", need("circles:join"), a.leave)
	g.DELETE("/circles/:id/members/:uid", need("circles:manage"), a.removeMember)
	g.GET("/me/circles", need("circles:read"), a.myCircles)
	g.GET("/me/settings", need("circles:read"), a.getSettings)
	g.PUT("/me/settings", need("circles:join"), a.putSettings)
	g.GET("/me/exclusions", need("circles:join"), a.listExclusions)
	g.POST("/me/exclusions", need("circles:join"), a.addExclusion)
	g.DELETE("/me/exclusions/:xid", need("circles:join"), a.deleteExclusion)
}

// authenticate verifies the bearer token and keeps its principal for the handlers.
func (a *API) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		token, ok = strings.CutPrefix(h, "bearer ")
	}
	if !ok || token == "" {
		c.Header("WWW-Authenticate", `Bearer realm="qrcircles"`)
		server.Problem(c, problem.Errorf(problem.EUnauthorized, "Send an access token: Authorization: Bearer TOKEN."))
		return
	}
	p, err := a.Verifier.Verify(c.Request.Context(), token)
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="qrcircles", error="invalid_token"`)
		server.Problem(c, &problem.Error{Code: problem.EUnauthorized, Message: "The access token is not active.", Err: err})
		return
	}
	c.Set(principalKey, p)
	c.Next()
}

func principal(c *gin.Context) tokens.Principal {
	p, _ := c.Get(principalKey)
	return p.(tokens.Principal)
}

// need refuses a token without the scope.
func need(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !principal(c).HasScope(scope) {
			c.Header("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+scope+`"`)
			server.Problem(c, problem.Errorf(problem.EForbidden, "This needs scope %s.", scope))
			return
		}
		c.Next()
	}
}

// user returns the person the token speaks for; a client's own token has none.
func (a *API) user(c *gin.Context) (storage.User, bool) {
	id, ok := principal(c).UserID()
	if !ok {
		server.Problem(c, problem.Errorf(problem.EForbidden, "This needs a user's token, not a client's."))
		return storage.User{}, false
	}
	u, err := a.Circles.Store.User(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return u, false
	}
	return u, true
}

func pathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		server.Problem(c, problem.Errorf(problem.ENotFound, "No such %s.", strings.TrimSuffix(strings.TrimPrefix(name, "x"), "id")))
		return 0, false
	}
	return id, true
}

func fail(c *gin.Context, err error) {
	if errors.Is(err, storage.ErrNotFound) {
		err = problem.Errorf(problem.ENotFound, "Not found.")
	}
	server.Problem(c, err)
}

// bind reads a JSON body; a malformed one names the field when it can.
func bind(c *gin.Context, v any) bool {
	if err := c.ShouldBindJSON(v); err != nil {
		field := ""
		var te interface{ Error() string }
		if errors.As(err, &te) {
			if f, ok := strings.CutPrefix(err.Error(), "json: cannot unmarshal "); ok {
				if i := strings.LastIndex(f, "."); i >= 0 {
					field = strings.Fields(f[i+1:])[0]
				}
			}
		}
		server.Problem(c, &problem.Error{Code: problem.EInvalid, Field: field, Message: "The body is not valid JSON for this request.", Err: err})
		return false
	}
	return true
}
