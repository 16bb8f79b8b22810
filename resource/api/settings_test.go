package api_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/api"
	"qrcircles/resource/apitest"
	"qrcircles/resource/circles"
	"qrcircles/resource/settingsvc"
	"qrcircles/resource/tokens/tokenstest"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestSettingsChangeIsAudited: PUT /me/settings records each change of refuse_all_circles in
// the audit log, with the caller's address, and GET shows the new value.
func TestSettingsChangeIsAudited(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		gin.SetMode(gin.TestMode)
		ctx := context.Background()
		u, _, err := db.EnsureUser(ctx, "+8613800138001", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		v := &tokenstest.Verifier{}
		v.Set("tok", qrcircles.Principal{Subject: strconv.FormatInt(u.ID, 10),
			Scopes: []string{qrcircles.ScopeCirclesRead, qrcircles.ScopeCirclesJoin}})
		e := gin.New()
		(&api.API{Circles: &circles.Service{Store: db}, Settings: &settingsvc.Service{Store: db}, Verifier: v}).Mount(e.Group("/api/v1"))

		for _, on := range []bool{true, false} {
			rec := apitest.Must(t, apitest.Do(t, e, "tok", "PUT", "/api/v1/me/settings", map[string]any{"refuse_all_circles": on}), 200)
			if got := apitest.Decode[map[string]bool](t, rec); got["refuse_all_circles"] != on {
				t.Fatalf("answer %s", rec.Body)
			}
		}
		es, err := db.AuditLog(ctx, storage.AuditQuery{Action: qrcircles.AuditSettingsChange})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 || es[0].ActorID != u.ID || es[0].Detail != `{"refuse_all_circles":"false"}` ||
			es[1].Detail != `{"refuse_all_circles":"true"}` || es[0].IP == "" {
			t.Fatalf("entries %+v", es)
		}
	})
}
