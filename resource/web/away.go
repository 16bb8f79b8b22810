package web

import (
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/templates"
)

// nextSteps are what a person turned away from a page can do, shown under the reason: sign in,
// scan the circle's code again (a member who left or was removed asks again like anyone), or
// go to their circles. A bare status with no way on is never the end of a page.
type nextSteps struct {
	SignIn    string // the sign-in address that comes back here; "" for a signed-in person
	ScanAgain bool   // a circle's page: its QR code is the way back in
	MyCircles bool
}

// stepsAfter are the next steps after an error of code on the page of c; nil when the error
// is not a refusal (a form error, an outage: "try again" is the step).
func (w *Web) stepsAfter(c *gin.Context, code string) *nextSteps {
	switch code {
	case qrcircles.EForbidden, qrcircles.ENotFound, qrcircles.EGone, qrcircles.EUnauthorized:
	default:
		return nil
	}
	s := &nextSteps{MyCircles: true}
	if code == qrcircles.EForbidden || code == qrcircles.EUnauthorized { // someone else may see it
		if _, ok, err := w.Auth.Session(c.Request); err == nil && !ok {
			s.SignIn = "/login?return_to=" + url.QueryEscape(c.Request.URL.RequestURI())
		}
	}
	s.ScanAgain = code != qrcircles.ENotFound && strings.HasPrefix(c.Request.URL.Path, "/circles/")
	return s
}

// title names the page of an error of code: a circle's page that refused a signed-in person
// says they are not in the circle, which is what happened, rather than "not allowed".
func (s *nextSteps) title(code string) qrcircles.Words {
	if s != nil && s.ScanAgain && s.SignIn == "" && code == qrcircles.EForbidden {
		return qrcircles.Say("title.not_in_circle")
	}
	return templates.TitleOf(code)
}
