package bearer_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/apitest"
	"qrcircles/resource/bearer"
	"qrcircles/resource/problem"
	"qrcircles/resource/tokens"
)

// TestGateTellsAnOutageFromABadToken runs the gate of a resource server that verifies tokens
// by RFC 7662 introspection: when the authorization server cannot answer (5xx, 429,
// unreachable, garbage) the answer is 503 with Retry-After, never 401; an inactive token is
// still 401.
func TestGateTellsAnOutageFromABadToken(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, tt := range []struct {
		name   string
		authz  func(w http.ResponseWriter) // the authorization server's introspection answer
		closed bool                        // the authorization server is not even listening
		status int
	}{
		{"active", func(w http.ResponseWriter) { writeJSON(w, `{"active":true,"sub":"7","scope":"circles:read"}`) }, false, 200},
		{"inactive", func(w http.ResponseWriter) { writeJSON(w, `{"active":false}`) }, false, 401},
		{"authorization server failing", func(w http.ResponseWriter) { w.WriteHeader(500) }, false, 503},
		{"authorization server unavailable", func(w http.ResponseWriter) {
			w.WriteHeader(503)
			writeJSON(w, `{"error":"temporarily_unavailable"}`)
		}, false, 503},
		{"authorization server overloaded", func(w http.ResponseWriter) { w.WriteHeader(429) }, false, 503},
		{"a proxy's error page", func(w http.ResponseWriter) { _, _ = w.Write([]byte("<html>Bad gateway</html>")) }, false, 503},
		{"authorization server unreachable", nil, true, 503},
	} {
		t.Run(tt.name, func(t *testing.T) {
			as := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.authz(w) }))
			if tt.closed {
				as.Close()
			} else {
				defer as.Close()
			}
			e := gin.New()
			v := &tokens.Introspector{URL: as.URL + "/oauth2/introspect", ClientID: "rs", ClientSecret: "s"}
			e.GET("/api/v1/me", bearer.Authenticate(v, true), func(c *gin.Context) { c.Status(200) })
			rec := apitest.Do(t, e, "a-token", "GET", "/api/v1/me", nil)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body.String())
			}
			switch tt.status {
			case 503:
				b := apitest.Problem(t, rec, 503)
				if b.Type != problem.TypeBase+problem.EUnavailable || b.Detail != problem.UnavailableMessage {
					t.Fatalf("body %+v", b)
				}
				if rec.Header().Get("Retry-After") != "5" || strings.Contains(rec.Header().Get("WWW-Authenticate"), "invalid_token") {
					t.Fatalf("headers %v", rec.Header())
				}
			case 401:
				if !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
					t.Fatalf("headers %v", rec.Header())
				}
			}
		})
	}
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		panic("bad test JSON")
	}
	_, _ = w.Write([]byte(body))
}
