// Package web is the browser side of circles: the scan landing page and the join that follows
// it, the circle and status pages of attendees, and the organizer's pages (create, manage,
// review, QR code and poster). Every handler has one shape: parse, validate, on error
// re-render with a message, act, redirect.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/resource/cardsvc"
	"qrcircles/resource/circles"
	"qrcircles/resource/messagesvc"
	"qrcircles/resource/settingsvc"
	"qrcircles/templates"
)

// Auth is the session the pages need of the authorization server: who is signed in, form
// tokens, the start of a browser scan, and which client may embed the join button on which
// web origin. The binary wires the authorization server behind it.
type Auth interface {
	// Session returns the signed-in user of the request; ok is false when nobody is signed
	// in. An error means the session could not be looked up: answer "try again", never
	// "sign in".
	Session(r *http.Request) (u qrcircles.User, ok bool, err error)
	CSRFToken(c *gin.Context) string
	CheckCSRF(c *gin.Context) bool
	StartScan(c *gin.Context, circleURL string, scanTime time.Time, returnTo string)
	// EmbedOrigin returns the client's name and the normalized origin when the client
	// registered origin for its "Join with QR Circles" button; an EForbidden error otherwise.
	EmbedOrigin(ctx context.Context, clientID, origin string) (clientName, normalized string, err error)
}

// Cards is what the pages do with cards (cardsvc.Service): every card they show of someone
// else comes from CardFor, EntryFor or CircleCards, which apply the one visibility rule.
type Cards interface {
	Card(ctx context.Context, userID int64) (qrcircles.Card, error)
	CardFor(ctx context.Context, ownerID, viewerID, circleID int64) (qrcircles.Card, qrcircles.FieldSet, error)
	EntryFor(ctx context.Context, ownerID, viewerID, circleID int64, photo bool) (cards.Entry, error)
	CircleCards(ctx context.Context, viewerID, circleID int64, photos bool) ([]cards.Entry, qrcircles.Circle, error)
	SaveCard(ctx context.Context, userID int64, c qrcircles.Card) (qrcircles.Card, error)
	SaveAvatar(ctx context.Context, userID int64, data []byte) (string, error)
	RemoveAvatar(ctx context.Context, userID int64) error
	Settings(ctx context.Context, userID int64) (qrcircles.CardSettings, error)
	SetDefaultVisibility(ctx context.Context, userID int64, fs qrcircles.FieldSet) error
	SetCircleVisibility(ctx context.Context, userID, circleID int64, fs *qrcircles.FieldSet) error
	ContactIDs(ctx context.Context, ownerID int64) (map[int64]bool, error)
	DeliverCard(ctx context.Context, from, to int64) (string, qrcircles.CardRequest, error)
	RequestCard(ctx context.Context, from, to int64) (qrcircles.CardRequest, error)
	CardRequests(ctx context.Context, userID int64, status string) (incoming, outgoing []qrcircles.CardRequest, err error)
	DecideCardRequest(ctx context.Context, userID, requestID int64, accept bool) (qrcircles.CardRequest, error)
	Welcomed(ctx context.Context, userID, circleID int64) (bool, error)
	Welcome(ctx context.Context, userID, circleID int64, c qrcircles.Card, fs *qrcircles.FieldSet) (qrcircles.Card, error)
	PutOffWelcome(ctx context.Context, userID, circleID int64) error
}

var _ Cards = (*cardsvc.Service)(nil)

// Settings is what the settings page changes (settingsvc.Service).
type Settings interface {
	Privacy(ctx context.Context, userID int64) (qrcircles.UserPrivacy, error)
	SetPrivacy(ctx context.Context, userID int64, refuseStrangerCards, blockStrangerMessages *bool) error
	RefusesAllCircles(ctx context.Context, userID int64) (bool, error)
	SetRefuseAllCircles(ctx context.Context, userID int64, refuse bool, ip string) error
}

var _ Settings = (*settingsvc.Service)(nil)

// Messages is what the pages show of messages and mutes (messagesvc.Service).
type Messages interface {
	Announcements(ctx context.Context, viewer, circleID int64, p messagesvc.Page) ([]qrcircles.Announcement, error)
	Mute(ctx context.Context, userID, circleID int64) error
	Unmute(ctx context.Context, userID, circleID int64) error
	Mutes(ctx context.Context, userID int64) ([]qrcircles.CircleMute, error)
	Announce(ctx context.Context, authorID, circleID int64, body string) (qrcircles.Announcement, error)
	directMessages
}

var _ Messages = (*messagesvc.Service)(nil)

// Web serves the circle pages.
type Web struct {
	Circles   *circles.Service
	Cards     Cards
	Settings  Settings
	Messages  Messages
	Auth      Auth
	Account   AccountStore
	Budgets   BudgetStore
	Pages     *templates.Renderer
	TicketKey []byte                   // a key derived from the system secret for scan tickets
	SlotKey   []byte                   // a key derived from the system secret for the slot tokens of on-site-only circles
	Asset     func(name string) string // the URL of a static asset (the app's icons)
	AppClient string                   // the OAuth client the app signs in with: the product's own
	Logger    *slog.Logger
	Now       func() time.Time
}

// Mount adds the pages to the engine.
func (w *Web) Mount(e *gin.Engine) {
	e.GET("/c/:code", w.landing)
	e.POST("/c/:code/join", w.join)
	e.GET("/c/:code/poster", w.poster)
	e.GET("/me/circles", w.myCircles)
	e.GET("/circles/new", w.newForm)
	e.POST("/circles/new", w.newSubmit)
	e.GET("/circles/:id", w.view)
	e.GET("/circles/:id/status", w.status)
	e.POST("/circles/:id/leave", w.leave)
	e.GET("/circles/:id/manage", w.manage)
	e.POST("/circles/:id/manage", w.editSubmit)
	e.POST("/circles/:id/allowlist", w.allowlistSubmit)
	e.POST("/circles/:id/sms-budget", w.budgetSubmit)
	e.POST("/circles/:id/requests/:rid/approve", w.approve)
	e.POST("/circles/:id/requests/:rid/deny", w.deny)
	e.POST("/circles/:id/requests/:rid/reopen", w.reopen)
	e.POST("/circles/:id/requests/:rid/approve-anyway", w.approveAnyway)
	e.POST("/circles/:id/bulk", w.bulk)
	e.POST("/circles/:id/members/:uid/remove", w.removeMember)
	e.POST("/circles/:id/announcements", w.announce)
	e.GET("/circles/:id/show", w.show)
	e.GET("/circles/:id/funnel.csv", w.funnelCSV)
	e.GET("/circles/:id/qr.png", w.qrPNG)
	e.GET("/circles/:id/qr.svg", w.qrSVG)
	w.mountCards(e)
	w.mountRequests(e)
	w.mountSettings(e)
	w.mountEmbed(e)
	w.mountAccount(e)
	w.mountApp(e)
	w.mountWelcome(e)
	w.mountMessages(e)
}

func (w *Web) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

// render sends a page as personal pages go: never cached. The security headers (no
// framing, the content policy) are the server's, on every page.
func (w *Web) render(c *gin.Context, status int, page string, title qrcircles.Words, p templates.Page) {
	c.Header("Cache-Control", "no-store")
	p.Title = title
	p.Prepare(c.Request)
	if p.Form == "" && p.Done == "" {
		p.Form, p.Done = answerOf(c)
	}
	if p.CSRF == "" {
		p.CSRF = w.Auth.CSRFToken(c)
	}
	if err := w.Pages.Render(c.Writer, status, page, p); err != nil {
		w.Logger.ErrorContext(c.Request.Context(), "rendering page", "page", page, "error", err)
		templates.ServerError(c.Writer, p.Lang)
	}
}

// renderError re-renders page with err's message and status. Server errors are logged and
// shown as a generic message (see pageError).
func (w *Web) renderError(c *gin.Context, page string, title qrcircles.Words, err error, data any) {
	detail, status := w.pageError(c, "page error: "+page, err)
	w.render(c, status, page, title, templates.Page{Error: detail, Data: data})
}

// fail shows err on its own page: 404, 403, 410 and the rest, in words for people.
func (w *Web) fail(c *gin.Context, err error) {
	code := qrcircles.CodeOf(err)
	steps := w.stepsAfter(c, code)
	w.renderError(c, "message", steps.title(code), err, steps)
}

// requireUser returns the signed-in person, or sends the browser to sign in and come back; a
// session that cannot be looked up gets the "try again" page, not the sign-in page.
func (w *Web) requireUser(c *gin.Context) (qrcircles.User, bool) {
	u, ok, err := w.Auth.Session(c.Request)
	if err != nil {
		w.fail(c, err)
		return u, false
	}
	if ok {
		return u, true
	}
	back := c.Request.URL.RequestURI()
	if c.Request.Method != http.MethodGet {
		back = "/me/circles"
	}
	c.Redirect(http.StatusSeeOther, "/login?return_to="+url.QueryEscape(back))
	return u, false
}

// pathID reads a numeric path parameter; a malformed one is a missing page.
func pathID(c *gin.Context, name string) (int64, error) { return parseID(c.Param(name)) }

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNoPage
	}
	return id, nil
}

// signedInCircle is the first step of the pages about one circle: the person and the circle.
func (w *Web) signedInCircle(c *gin.Context) (qrcircles.User, qrcircles.Circle, bool) {
	u, ok := w.requireUser(c)
	if !ok {
		return u, qrcircles.Circle{}, false
	}
	id, err := pathID(c, "id")
	var circle qrcircles.Circle
	if err == nil {
		circle, err = w.Circles.Get(c.Request.Context(), id)
	}
	if err != nil {
		w.fail(c, err)
		return u, circle, false
	}
	return u, circle, true
}

// ownedCircle is signedInCircle for the organizer's pages: anyone else gets the 403 page.
func (w *Web) ownedCircle(c *gin.Context) (qrcircles.User, qrcircles.Circle, bool) {
	u, circle, ok := w.signedInCircle(c)
	if ok && circle.OwnerID != u.ID {
		w.fail(c, errNotOrganizer)
		return u, circle, false
	}
	return u, circle, ok
}

var (
	errNoPage       = qrcircles.Fail(qrcircles.ENotFound, "web.no_page")
	errNotOrganizer = qrcircles.Fail(qrcircles.EForbidden, "web.not_organizer")
	errExpiredForm  = qrcircles.Fail(qrcircles.EForbidden, "web.expired_form")
	errUnknownCode  = qrcircles.Fail(qrcircles.ENotFound, "web.unknown_code")
	errClosed       = qrcircles.Fail(qrcircles.EGone, "web.closed")
	errScanAgain    = qrcircles.Fail(qrcircles.EGone, "web.scan_again")
)

// formExpired is errExpiredForm when the form's token is not this browser session's, else nil.
func (w *Web) formExpired(c *gin.Context) error {
	if !w.Auth.CheckCSRF(c) {
		return errExpiredForm
	}
	return nil
}
