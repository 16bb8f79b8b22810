package bearer_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/apitest"
	"qrcircles/resource/bearer"
	"qrcircles/resource/problem"
	"qrcircles/resource/tokens"
	"qrcircles/resource/tokens/tokenstest"
)

const circle7 = "https://qrc.example/c/seven"

// circleURL knows circle 7, fails for circle 9 (a database that is down) and nothing else.
func circleURL(_ context.Context, id int64) (string, error) {
	switch id {
	case 7:
		return circle7, nil
	case 9:
		return "", errors.New("database down")
	}
	return "", problem.Errorf(problem.ENotFound, "No such circle.")
}

func TestGate(t *testing.T) {
	gin.SetMode(gin.TestMode)
	v := &tokenstest.Verifier{}
	scanned := time.Now()
	v.Set("reader", tokens.Principal{Subject: "1", Scopes: []string{"circles:read"}})
	v.Set("joiner", tokens.Principal{Subject: "1", Scopes: []string{"circles:join"}})
	v.Set("cards", tokens.Principal{Subject: "1", Scopes: []string{"cards:read", "openid"}})
	v.Set("scan7", tokens.Principal{Subject: "1", Scopes: []string{"circles:join"}, Audience: []string{circle7}, ScanTime: scanned})
	v.Set("scan8", tokens.Principal{Subject: "1", Scopes: []string{"circles:join"}, Audience: []string{"https://qrc.example/c/eight"}, ScanTime: scanned})
	v.Set("wide-scan7", tokens.Principal{Subject: "1", Scopes: []string{"circles:join", "circles:read", "cards:read"}, Audience: []string{circle7}, ScanTime: scanned})
	v.Set("aud7", tokens.Principal{Subject: "1", Scopes: []string{"circles:join", "circles:read"}, Audience: []string{circle7}})
	v.Set("client", tokens.Principal{Subject: "partner-backend", Scopes: []string{"circles:read"}})
	e := gin.New()
	g := e.Group("", bearer.Authenticate(v, true))
	ok := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	g.GET("/read/:id", bearer.Need("circles:read"), ok)
	g.GET("/either/:id", bearer.Need("cards:read", "circles:read"), ok)
	g.GET("/preview/:id", bearer.NeedScan(circleURL, "circles:read"), ok)
	g.POST("/join/:id", bearer.NeedScan(circleURL), ok)

	const pass = 204
	for _, tt := range []struct {
		token, method, path string
		want                int
		scope               string // the challenge's scope on a 403 insufficient_scope
	}{
		{"reader", "GET", "/read/7", pass, ""},
		{"cards", "GET", "/read/7", 403, "circles:read"},
		{"joiner", "GET", "/read/7", 403, "circles:read"},
		{"cards", "GET", "/either/7", pass, ""},
		{"joiner", "GET", "/either/7", 403, "cards:read circles:read"},
		{"scan7", "GET", "/read/7", 403, "circles:read"},
		{"wide-scan7", "GET", "/read/7", 403, "circles:read"},              // a scan session, whatever its scopes
		{"wide-scan7", "GET", "/either/7", 403, "cards:read circles:read"}, // …on every Need route
		{"aud7", "GET", "/read/7", 403, "circles:read"},                    // an audience binds a token to its circle
		{"reader", "GET", "/preview/7", pass, ""},
		{"joiner", "GET", "/preview/7", 403, "circles:read circles:join"}, // circles:join there means a scan session
		{"scan7", "GET", "/preview/7", pass, ""},
		{"scan8", "GET", "/preview/7", 403, "circles:read circles:join"},
		{"scan7", "GET", "/preview/8", 403, "circles:read circles:join"}, // no such circle: refused, not told
		{"scan7", "GET", "/preview/x", 403, "circles:read circles:join"},
		{"aud7", "GET", "/preview/7", 403, "circles:read circles:join"}, // no scan time: not a scan session
		{"scan7", "GET", "/preview/9", 500, ""},
		{"scan7", "POST", "/join/7", pass, ""},
		{"scan8", "POST", "/join/7", 403, "circles:join"},
		{"joiner", "POST", "/join/7", 403, "circles:join"},
		{"reader", "POST", "/join/7", 403, "circles:join"},
		{"client", "GET", "/read/7", 403, ""},
		{"nobody", "GET", "/read/7", 401, ""},
	} {
		t.Run(tt.token+" "+tt.method+" "+tt.path, func(t *testing.T) {
			rec := apitest.Do(t, e, tt.token, tt.method, tt.path, nil)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body.String())
			}
			if rec.Code == pass {
				return
			}
			b := apitest.Problem(t, rec, tt.want)
			challenge := rec.Header().Get("WWW-Authenticate")
			isScope := b.Type == problem.TypeBase+problem.EInsufficientScope
			if isScope != (tt.scope != "") {
				t.Fatalf("problem %+v, challenge %q", b, challenge)
			}
			if isScope && challenge != `Bearer error="insufficient_scope", scope="`+tt.scope+`"` {
				t.Fatalf("challenge %q, want scope %q", challenge, tt.scope)
			}
			if !isScope && strings.Contains(challenge, "insufficient_scope") {
				t.Fatalf("challenge %q on %+v", challenge, b)
			}
		})
	}
}
