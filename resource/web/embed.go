package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"qrcircles"

	"github.com/gin-gonic/gin"

	"qrcircles/templates"
)

// The "Join with QR Circles" button (static/embed.js) on a partner's page opens
// /embed/join in a popup. The popup is the circle's landing page, saying which site asked;
// Join goes through sign-in like any scan, and the scan returns to /embed/done, which tells
// the opener the result with postMessage addressed to the origin the client registered.

// embedVia is the partner page that opened the popup.
type embedVia struct {
	ClientID, Name, Origin string
}

// embedResult is the message the opener receives. It says whether the person joined, never
// who they are.
type embedResult struct {
	Type    string      `json:"type"` // always "qrcircles:join"
	Status  string      `json:"status"`
	Circle  embedCircle `json:"circle"`
	Reasons []string    `json:"reasons"`
}

type embedCircle struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Results an embedded join reports.
const (
	embedJoined  = "joined"
	embedWaiting = "waiting"
	embedRefused = "refused"
)

// embedDoneData is the popup's last page.
type embedDoneData struct {
	Title, Status, ClientName, Origin string
	Link                              string // the circle, or the request's status
	Message                           string // embedResult as JSON, for static/embed-done.js
}

func (w *Web) mountEmbed(e *gin.Engine) {
	e.GET("/embed/join", w.embedJoin)
	e.POST("/embed/join", w.embedJoinSubmit)
	e.GET("/embed/done", w.embedDone)
}

// embedFrom checks that the client registered the origin of the page that opened the popup.
// A page that gives another site's origin gains nothing: the browser delivers the result only
// to a window of the origin given.
func (w *Web) embedFrom(c *gin.Context, clientID, origin string) (*embedVia, bool) {
	name, origin, err := w.Auth.EmbedOrigin(c.Request.Context(), clientID, origin)
	if err != nil {
		w.fail(c, err)
		return nil, false
	}
	return &embedVia{ClientID: clientID, Name: name, Origin: origin}, true
}

// embedCode is the circle's code from a code or a circle URL.
func embedCode(s string) string {
	if _, code, ok := strings.Cut(s, "/c/"); ok {
		s = code
	}
	return strings.Trim(s, "/")
}

func (w *Web) embedJoin(c *gin.Context) {
	via, ok := w.embedFrom(c, c.Query("client_id"), c.Query("origin"))
	if !ok {
		return
	}
	circle, ok := w.openCircleCode(c, embedCode(c.Query("circle")))
	if !ok {
		return
	}
	w.renderLandingVia(c, http.StatusOK, circle, via, nil)
}

func (w *Web) embedJoinSubmit(c *gin.Context) {
	via, ok := w.embedFrom(c, c.PostForm("client_id"), c.PostForm("origin"))
	if !ok {
		return
	}
	circle, ok := w.openCircleCode(c, embedCode(c.PostForm("circle")))
	if !ok {
		return
	}
	if !w.Auth.CheckCSRF(c) {
		w.renderLandingVia(c, http.StatusForbidden, circle, via, errExpiredForm)
		return
	}
	scan, err := checkTicket(w.TicketKey, circle.ID, c.PostForm("ticket"), w.now())
	if err != nil {
		w.fail(c, errScanAgain)
		return
	}
	back := url.Values{"client_id": {via.ClientID}, "origin": {via.Origin}, "circle": {circle.Code}}
	w.Auth.StartScan(c, w.Circles.URL(circle), scan, "/embed/done?"+back.Encode())
}

// embedDone shows the result of the join in the popup and hands it to the opener. Only the
// scan that returns here can open it (the proof signReturn added), so a site cannot open it
// to learn whether a signed-in person belongs to a circle.
func (w *Web) embedDone(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	if checkReturn(w.TicketKey, u.ID, c.Request.URL.RequestURI(), w.now()) != nil {
		w.fail(c, errScanAgain)
		return
	}
	via, ok := w.embedFrom(c, c.Query("client_id"), c.Query("origin"))
	if !ok {
		return
	}
	ctx := c.Request.Context()
	circle, err := w.Circles.ByCode(ctx, c.Query("circle"))
	if err != nil {
		w.fail(c, err)
		return
	}
	res := embedResult{Type: "qrcircles:join", Status: embedJoined, Reasons: []string{},
		Circle: embedCircle{Code: circle.Code, Title: circle.Title, URL: w.Circles.URL(circle)}}
	link := welcomePath(circle.ID) // a member welcomed before passes on to the circle
	member, err := w.Circles.IsMember(ctx, circle.ID, u.ID)
	if err == nil && !member {
		var q qrcircles.JoinRequest
		if q, err = w.latestRequest(ctx, u.ID, circle.ID); err == nil {
			res.Status, link = embedRefused, circlePath(circle.ID)+"/status"
			if q.Status == qrcircles.RequestWaiting {
				res.Status = embedWaiting
				for _, r := range q.Reasons {
					res.Reasons = append(res.Reasons, string(r))
				}
			}
		}
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	msg, _ := json.Marshal(res) // plain strings always encode
	d := embedDoneData{Title: circle.Title, Status: res.Status, ClientName: via.Name, Origin: via.Origin, Link: link, Message: string(msg)}
	w.render(c, http.StatusOK, "embed_done", templates.Verbatim(circle.Title), templates.Page{Data: d})
}
