package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// A form's answer goes back to the form that was sent, named by a well-formed id only.
func TestGoBackToTheForm(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, c := range []struct{ form, want string }{
		{"toggle-refuse_cards", "/settings?done=saved&form=toggle-refuse_cards#toggle-refuse_cards"},
		{"deliver-12", "/settings?done=saved&form=deliver-12#deliver-12"},
		{"", "/settings?done=saved"},
		{`x"><script>`, "/settings?done=saved"},
		{"Upper", "/settings?done=saved"},
		{"a/../b", "/settings?done=saved"},
		{strings.Repeat("a", 42), "/settings?done=saved"},
	} {
		rec := httptest.NewRecorder()
		ctx, _ := gin.CreateTestContext(rec)
		ctx.Request = httptest.NewRequest(http.MethodPost, "/settings/privacy", strings.NewReader(url.Values{"form": {c.form}}.Encode()))
		ctx.Request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		goBack(ctx, "/settings", "saved")
		if got := rec.Header().Get("Location"); got != c.want || ctx.Writer.Status() != http.StatusSeeOther {
			t.Errorf("form %q: %d to %q, want %q", c.form, ctx.Writer.Status(), got, c.want)
		}
	}
}

// The page a form came back to knows the form and the notice of what was done; an unknown
// outcome shows none, and a form posted shows its error but no notice.
func TestAnswerOf(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, c := range []struct{ method, target, form, done string }{
		{http.MethodGet, "/settings?done=saved&form=default-visibility", "default-visibility", "done.saved"},
		{http.MethodGet, "/circles/1?done=accepted&form=card-requests", "card-requests", "done.accepted"},
		{http.MethodGet, "/settings?done=hacked&form=x", "x", ""},
		{http.MethodGet, "/settings", "", ""},
		{http.MethodPost, "/settings/privacy?done=saved", "", ""},
	} {
		ctx, _ := gin.CreateTestContext(httptest.NewRecorder())
		ctx.Request = httptest.NewRequest(c.method, c.target, nil)
		if form, done := answerOf(ctx); form != c.form || done != c.done {
			t.Errorf("%s %s: form %q done %q, want %q %q", c.method, c.target, form, done, c.form, c.done)
		}
	}
}

// A card request's answer goes back only to a page that lists requests.
func TestBackTo(t *testing.T) {
	for in, want := range map[string]string{
		"/circles/12": "/circles/12", "/me/requests": "/me/requests", "": "/me/requests",
		"https://evil.example/": "/me/requests", "//evil.example": "/me/requests", "/circles/0": "/me/requests",
		"/circles/12/manage": "/me/requests", "/settings": "/me/requests",
	} {
		if got := backTo(in); got != want {
			t.Errorf("backTo(%q) = %q, want %q", in, got, want)
		}
	}
}
