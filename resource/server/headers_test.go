package server

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// missingSecurityHeaders returns what is missing of the security headers in h.
func missingSecurityHeaders(h interface{ Get(string) string }) []string {
	var missing []string
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		missing = append(missing, "Content-Security-Policy frame-ancestors")
	}
	for name, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if h.Get(name) != want {
			missing = append(missing, name)
		}
	}
	return missing
}

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	e := newEngine(t, fakeDB{}, &bytes.Buffer{})
	e.GET("/boom", func(c *gin.Context) { panic("kaboom") })
	e.POST("/form", func(c *gin.Context) {})
	for _, tt := range []struct{ method, path, accept, body string }{
		{"GET", "/", "text/html", ""},
		{"GET", "/no/such/page", "text/html", ""},
		{"GET", "/no/such/resource", "application/json", ""},
		{"GET", "/boom", "text/html", ""},
		{"POST", "/form", "text/html", strings.Repeat("a", FormLimit+1)},
		{"GET", "/readyz", "", ""},
	} {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		req.Header.Set("Accept", tt.accept)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if m := missingSecurityHeaders(rec.Header()); len(m) > 0 {
			t.Errorf("%s %s (%d) lacks %v", tt.method, tt.path, rec.Code, m)
		}
	}
}
