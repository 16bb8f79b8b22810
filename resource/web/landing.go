package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/qr"
	"qrcircles/templates"
)

// landingData is the page a scan opens.
type landingData struct {
	Code, Title, Description, Location string
	When                               qrcircles.Words
	Notice                             qrcircles.Words // the scan window is not open now
	Ticket                             string          // the signed scan time
	OnSite                             string          // the signed proof that the scan was on site, if it was
	NotOnSite                          bool            // an on-site-only circle, scanned without the projector's code
	Full                               bool            // the circle has reached its member cap
	Left                               bool            // the person came here from leaving the circle
	Via                                *embedVia       // the partner page that opened this one, if any
}

// landing is the page a scanner opens. The moment it is opened is the scan time; it travels
// signed in the Join form.
func (w *Web) landing(c *gin.Context) {
	circle, ok := w.openCircle(c)
	if !ok {
		return
	}
	w.countFunnel(c, circle.ID, qrcircles.FunnelOpened)
	w.renderLanding(c, http.StatusOK, circle, nil)
}

func (w *Web) renderLanding(c *gin.Context, status int, circle qrcircles.Circle, err error) {
	w.renderLandingVia(c, status, circle, nil, err)
}

func (w *Web) renderLandingVia(c *gin.Context, status int, circle qrcircles.Circle, via *embedVia, err error) {
	now := w.now()
	d := landingData{Code: circle.Code, Title: circle.Title, Description: circle.Description, Location: circle.Location,
		When: eventTime(circle), Notice: windowNotice(circle, now), Ticket: ticket(w.TicketKey, circle.ID, now), Via: via,
		Left: c.Query("left") != ""}
	if via == nil {
		d.OnSite = w.onSiteProof(c, circle, now)
		d.NotOnSite = circle.Rules.OnSite != "" && d.OnSite == ""
	}
	full, ferr := w.Circles.Full(c.Request.Context(), circle)
	if ferr != nil {
		w.fail(c, ferr)
		return
	}
	d.Full = full
	p := templates.Page{Data: d}
	if err != nil {
		status, p.Error = qrcircles.ProblemOf(err).Status, templates.ErrorWords(err)
	}
	w.render(c, status, "circle_landing", templates.Verbatim(circle.Title), p)
}

// windowNotice tells a scanner outside the scan window that the request will wait.
func windowNotice(c qrcircles.Circle, now time.Time) qrcircles.Words {
	r := c.Rules
	switch {
	case !r.NotBefore.IsZero() && now.Before(r.NotBefore):
		return qrcircles.Say("notice.window_opens", when(r.NotBefore, c.TimeZone))
	case !r.NotAfter.IsZero() && now.After(r.NotAfter):
		return qrcircles.Say("notice.window_closed", when(r.NotAfter, c.TimeZone))
	}
	return qrcircles.Words{}
}

// join checks the form and its ticket, then hands the browser to sign-in and the scan session.
func (w *Web) join(c *gin.Context) {
	circle, ok := w.openCircle(c)
	if !ok {
		return
	}
	if !w.Auth.CheckCSRF(c) {
		w.renderLanding(c, http.StatusForbidden, circle, errExpiredForm)
		return
	}
	scan, err := checkTicket(w.TicketKey, circle.ID, c.PostForm("ticket"), w.now())
	if err != nil {
		w.fail(c, errScanAgain)
		return
	}
	w.keepOnSite(c, circle.ID, scan)
	w.Auth.StartScan(c, w.Circles.URL(circle), scan, "")
}

// posterData is the printable poster.
type posterData struct {
	Title, Location, URL string
	When                 qrcircles.Words
	QR                   template.HTML
	OnSite               bool // printed codes of an on-site-only circle go to review
}

func (w *Web) poster(c *gin.Context) {
	circle, ok := w.openCircle(c)
	if !ok {
		return
	}
	url := w.Circles.URL(circle)
	svg, err := qr.SVG(url)
	if err != nil {
		w.fail(c, err)
		return
	}
	// The SVG is drawn by our own encoder from the URL; it holds no text from anyone.
	d := posterData{Title: circle.Title, When: eventTime(circle), Location: circle.Location, URL: url, QR: template.HTML(svg), OnSite: circle.Rules.OnSite != ""}
	w.render(c, http.StatusOK, "circle_poster", templates.Verbatim(circle.Title), templates.Page{Data: d})
}

// openCircle loads the circle of the code in the path; unknown and closed circles get their
// own friendly pages.
func (w *Web) openCircle(c *gin.Context) (qrcircles.Circle, bool) {
	return w.openCircleCode(c, c.Param("code"))
}

func (w *Web) openCircleCode(c *gin.Context, code string) (qrcircles.Circle, bool) {
	circle, err := w.Circles.ByCode(c.Request.Context(), code)
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		err = errUnknownCode
	}
	if err == nil && circle.Rules.Closed {
		err = errClosed
	}
	if err != nil {
		w.fail(c, err)
		return circle, false
	}
	return circle, true
}
