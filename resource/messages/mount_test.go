package messages

import (
	"testing"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/api"
	"qrcircles/resource/cardapi"
)

// TestMessageRoutesMountBesideTheOtherAPIs mounts the three /api/v1 handlers on one engine, as
// serve.go does: gin panics on a conflicting route.
func TestMessageRoutesMountBesideTheOtherAPIs(t *testing.T) {
	gin.SetMode(gin.TestMode)
	e := gin.New()
	(&api.API{}).Mount(e.Group("/api/v1"))
	(&cardapi.Handler{}).Mount(e.Group("/api/v1"))
	(&Handler{}).Mount(e.Group("/api/v1"))
	want := map[string]bool{
		"POST /api/v1/circles/:id/announcements": true, "GET /api/v1/circles/:id/announcements": true,
		"PUT /api/v1/circles/:id/mute": true, "DELETE /api/v1/circles/:id/mute": true, "GET /api/v1/me/mutes": true,
		"POST /api/v1/users/:uid/messages": true, "GET /api/v1/users/:uid/messages": true, "GET /api/v1/me/conversations": true,
	}
	for _, r := range e.Routes() {
		delete(want, r.Method+" "+r.Path)
	}
	if len(want) != 0 {
		t.Fatalf("routes not mounted: %v", want)
	}
}
