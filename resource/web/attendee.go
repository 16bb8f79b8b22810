package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/admission"
	"qrcircles/resource/cards"
	"qrcircles/resource/messagesvc"
	"qrcircles/templates"
)

// Scanned finishes a browser scan (the authorization server calls it): the person joins
// with the server's scan time and is sent to the circle or to the request's status.
func (w *Web) Scanned(c *gin.Context, r qrcircles.ScanResult) {
	ctx := c.Request.Context()
	code, _ := strings.CutPrefix(r.CircleURL, w.Circles.PublicURL.String()+"/c/")
	circle, err := w.Circles.ByCode(ctx, code)
	var u qrcircles.User
	if err == nil {
		u, err = w.Circles.User(ctx, r.UserID)
	}
	var out qrcircles.JoinOutcome
	if err == nil {
		w.countFunnel(c, circle.ID, qrcircles.FunnelSignedIn)
		out, err = w.Circles.JoinOnSite(ctx, u, circle, r.ScanTime, w.scannedOnSite(c, circle.ID, r.ScanTime))
	}
	if qrcircles.CodeOf(err) == qrcircles.EGone {
		err = errClosed
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	if r.ReturnTo != "" {
		c.Redirect(http.StatusSeeOther, signReturn(w.TicketKey, r.UserID, r.ReturnTo, w.now()))
		return
	}
	if out.Member {
		c.Redirect(http.StatusSeeOther, welcomePath(circle.ID)) // which a member it welcomed before passes on
		return
	}
	c.Redirect(http.StatusSeeOther, circlePath(circle.ID)+"/status")
}

func circlePath(id int64) string { return "/circles/" + strconv.FormatInt(id, 10) }

// viewData is the inside of a circle, for members and the organizer.
type viewData struct {
	ID                           int64
	Title, Description, Location string
	When                         qrcircles.Words
	Organizer                    bool
	Members                      []memberView
	Announcements                []announcementView
	Requests                     []cardRequestView // the cards this circle's members ask of the viewer or give them
}

// memberView is one member's card as the viewer may see it: hidden fields are empty.
type memberView struct {
	UserID                                       int64
	Self, Contact                                bool
	Name, Title, Company, Address, Website, Note string
	Phones, Emails                               []string
	Avatar                                       string   // the picture's URL, "" when none is shown
	Saves                                        []string // the fields "Save to phone" saves
	BasicOnly                                    bool     // the viewer sees only the basic fields here
}

type announcementView struct {
	Body string
	When qrcircles.Words
}

func (w *Web) view(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	w.renderView(c, u.ID, circle, nil)
}

// renderView shows the circle with its members' cards, with err (if any) next to the form
// that was sent.
func (w *Web) renderView(c *gin.Context, viewer int64, circle qrcircles.Circle, err error) {
	d := viewData{ID: circle.ID, Title: circle.Title, Description: circle.Description, Location: circle.Location,
		When: eventTime(circle), Organizer: circle.OwnerID == viewer}
	var lerr error
	if d.Members, lerr = w.memberCards(c.Request.Context(), viewer, circle.ID); lerr == nil {
		d.Announcements, lerr = w.announcements(c.Request.Context(), viewer, circle)
	}
	if lerr == nil {
		d.Requests, lerr = w.incomingCardRequests(c.Request.Context(), viewer, memberIDs(d.Members))
	}
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	p, status := templates.Page{Data: d}, http.StatusOK
	if err != nil {
		p.Error, status = w.pageError(c, "circle page", err)
	}
	w.render(c, status, "circle_view", templates.Verbatim(circle.Title), p)
}

// memberCards projects every member's card for the viewer through the one visibility rule.
func (w *Web) memberCards(ctx context.Context, viewer, circleID int64) ([]memberView, error) {
	es, _, err := w.Cards.CircleCards(ctx, viewer, circleID, false)
	if err != nil {
		return nil, err
	}
	contacts, err := w.Cards.ContactIDs(ctx, viewer)
	if err != nil {
		return nil, err
	}
	out := make([]memberView, len(es))
	for i, e := range es {
		k := e.Card
		out[i] = memberView{UserID: e.UserID, Self: e.UserID == viewer, Contact: contacts[e.UserID], Name: k.DisplayName,
			Title: k.Title, Company: k.Company, Address: k.Address, Website: k.Website, Note: k.Note, Phones: k.Phones, Emails: k.Emails,
			Saves: cards.Filled(k).Names(), BasicOnly: cards.BasicOnly(e.Fields)}
		if k.HasAvatar {
			out[i].Avatar = fmt.Sprintf("%s/members/%d/avatar", circlePath(circleID), e.UserID)
		}
	}
	return out, nil
}

// Back is where the answer to a card request on the circle's page goes back to.
func (d viewData) Back() string { return circlePath(d.ID) }

func memberIDs(ms []memberView) map[int64]bool {
	out := make(map[int64]bool, len(ms))
	for _, m := range ms {
		out[m.UserID] = true
	}
	return out
}

// announcementsShown is how many of the latest announcements the circle page shows.
const announcementsShown = 20

func (w *Web) announcements(ctx context.Context, viewer int64, circle qrcircles.Circle) ([]announcementView, error) {
	as, err := w.Messages.Announcements(ctx, viewer, circle.ID, messagesvc.Page{Limit: announcementsShown})
	if err != nil {
		return nil, err
	}
	out := make([]announcementView, len(as))
	for i, a := range as {
		out[i] = announcementView{Body: a.Body, When: when(a.CreatedAt, circle.TimeZone)}
	}
	return out, nil
}

// statusData is an applicant's view of their request.
type statusData struct {
	ID       int64
	Title    string
	State    string // a qrcircles.Request* status
	ScanTime qrcircles.Words
	Reasons  []qrcircles.Words
}

// status shows where the person's request stands. A waiting page follows the organizer's
// decision live (static/live.js), or refreshes itself where scripts do not run.
func (w *Web) status(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	member, err := w.Circles.IsMember(ctx, circle.ID, u.ID)
	if err == nil && member {
		c.Redirect(http.StatusSeeOther, welcomePath(circle.ID)) // admitted while waiting
		return
	}
	var q qrcircles.JoinRequest
	if err == nil {
		q, err = w.latestRequest(ctx, u.ID, circle.ID)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	d := statusData{ID: circle.ID, Title: circle.Title, State: q.Status, ScanTime: when(q.ScanTime, circle.TimeZone), Reasons: sentences(q)}
	w.render(c, http.StatusOK, "circle_status", templates.Verbatim(circle.Title), templates.Page{Data: d})
}

// latestRequest finds the person's most recent request to join the circle that did not end
// in membership.
func (w *Web) latestRequest(ctx context.Context, userID, circleID int64) (qrcircles.JoinRequest, error) {
	q, err := w.Circles.LatestRequest(ctx, userID, circleID)
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		return q, qrcircles.Fail(qrcircles.ENotFound, "web.not_asked")
	}
	return q, err
}

// sentences explains a request to the applicant. A refusal caused by someone's exclusion
// reads like any other "not available", naming nobody.
func sentences(q qrcircles.JoinRequest) []qrcircles.Words {
	if q.Status == qrcircles.RequestDenied {
		return []qrcircles.Words{qrcircles.Say("circles.declined")}
	}
	var out []qrcircles.Words
	for _, r := range q.Reasons {
		out = append(out, admission.Describe(r))
	}
	if len(out) == 0 && q.Status == qrcircles.RequestRefused {
		out = append(out, admission.Describe(qrcircles.ReasonExcluded))
	}
	return out
}

// circleLink is one line of "my circles".
type circleLink struct {
	ID               int64
	Title            string
	When             qrcircles.Words
	Members, Waiting int // counted for the circles the viewer organizes
}

type myCirclesData struct {
	Owned, Joined, Waiting []circleLink
}

func (w *Web) myCircles(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	mine, err := w.Circles.MyCircles(ctx, u.ID)
	if err != nil {
		w.fail(c, err)
		return
	}
	d := myCirclesData{Owned: links(mine.Owned), Joined: links(mine.Joined)}
	for i := range d.Owned {
		if err := w.count(ctx, &d.Owned[i]); err != nil {
			w.fail(c, err)
			return
		}
	}
	for _, q := range mine.Waiting {
		circle, err := w.Circles.Get(ctx, q.CircleID)
		if err != nil {
			w.fail(c, err)
			return
		}
		d.Waiting = append(d.Waiting, circleLink{ID: circle.ID, Title: circle.Title, When: when(q.ScanTime, circle.TimeZone)})
	}
	w.render(c, http.StatusOK, "my_circles", qrcircles.Say("title.my_circles"), templates.Page{Data: d})
}

// count fills in an organized circle's member and waiting counts for the dashboard.
func (w *Web) count(ctx context.Context, l *circleLink) error {
	var err error
	l.Members, l.Waiting, err = w.Circles.Counts(ctx, l.ID)
	return err
}

func links(cs []qrcircles.Circle) []circleLink {
	out := make([]circleLink, len(cs))
	for i, c := range cs {
		out[i] = circleLink{ID: c.ID, Title: c.Title, When: eventTime(c)}
	}
	return out
}
