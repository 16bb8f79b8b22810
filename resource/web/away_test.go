package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"qrcircles"
)

// session is an Auth that knows only whether someone is signed in.
type session struct {
	Auth
	signedIn bool
}

func (s session) Session(*http.Request) (qrcircles.User, bool, error) {
	return qrcircles.User{ID: 1}, s.signedIn, nil
}

// A person turned away is shown the way on: their circles always, sign-in when signed out and
// refused, the circle's code when it is a circle's page they are no longer let into.
func TestStepsAfter(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, c := range []struct {
		code, path string
		signedIn   bool
		want       *nextSteps
	}{
		{qrcircles.EForbidden, "/circles/7", true, &nextSteps{ScanAgain: true, MyCircles: true}},
		{qrcircles.EForbidden, "/circles/7/members.vcf", false, &nextSteps{SignIn: "/login?return_to=%2Fcircles%2F7%2Fmembers.vcf", ScanAgain: true, MyCircles: true}},
		{qrcircles.EGone, "/circles/7", true, &nextSteps{ScanAgain: true, MyCircles: true}},
		{qrcircles.ENotFound, "/circles/7", true, &nextSteps{MyCircles: true}},
		{qrcircles.ENotFound, "/c/nosuchcode", false, &nextSteps{MyCircles: true}},
		{qrcircles.EGone, "/c/closed", false, &nextSteps{MyCircles: true}},
		{qrcircles.EInvalid, "/circles/7", true, nil},
		{qrcircles.EUnavailable, "/circles/7", false, nil},
	} {
		w := &Web{Auth: session{signedIn: c.signedIn}}
		ctx, _ := gin.CreateTestContext(httptest.NewRecorder())
		ctx.Request = httptest.NewRequest(http.MethodGet, c.path, nil)
		got := w.stepsAfter(ctx, c.code)
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("%s on %s (signed in %v): %+v, want %+v", c.code, c.path, c.signedIn, got, c.want)
		}
		notIn := c.code == qrcircles.EForbidden && c.signedIn && c.path == "/circles/7"
		if title := got.title(c.code); (title.Key == "title.not_in_circle") != notIn {
			t.Errorf("%s on %s (signed in %v): titled %q", c.code, c.path, c.signedIn, title.Key)
		}
	}
}
