package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"qrcircles/authz"
	"qrcircles/resource/admission"
	"qrcircles/resource/problem"
	"qrcircles/storage"
	"qrcircles/templates"
)

// Scanned finishes a browser scan (register it with authz.Server.OnScan): the person joins
// with the server's scan time and is sent to the circle or to the request's status.
func (w *Web) Scanned(c *gin.Context, r authz.ScanResult) {
	ctx := c.Request.Context()
	code, _ := strings.CutPrefix(r.CircleURL, w.Circles.PublicURL.String()+"/c/")
	circle, err := w.Circles.ByCode(ctx, code)
	var u storage.User
	if err == nil {
		u, err = w.Circles.Store.User(ctx, r.UserID)
	}
	var out storage.JoinOutcome
	if err == nil {
		out, err = w.Circles.Join(ctx, u, circle.ID, r.ScanTime)
	}
	if problem.CodeOf(err) == problem.EGone {
		err = errClosed
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	if out.Member {
		c.Redirect(http.StatusSeeOther, circlePath(circle.ID))
		return
	}
	c.Redirect(http.StatusSeeOther, circlePath(circle.ID)+"/status")
}

func circlePath(id int64) string { return "/circles/" + strconv.FormatInt(id, 10) }

// viewData is the inside of a circle, for members and the organizer.
type viewData struct {
	ID                                 int64
	Title, Description, Location, When string
	Organizer                          bool
	Members                            []string
}

func (w *Web) view(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	members, err := w.Circles.Members(c.Request.Context(), u.ID, circle.ID)
	if err != nil {
		w.fail(c, err)
		return
	}
	d := viewData{ID: circle.ID, Title: circle.Title, Description: circle.Description, Location: circle.Location,
		When: eventTime(circle), Organizer: circle.OwnerID == u.ID}
	for _, m := range members {
		d.Members = append(d.Members, m.DisplayName)
	}
	w.render(c, http.StatusOK, "circle_view", circle.Title, templates.Page{Data: d})
}

// statusData is an applicant's view of their request.
type statusData struct {
	ID       int64
	Title    string
	State    string // a storage.Request* status
	ScanTime string
	Reasons  []string
}

// status shows where the person's request stands. A waiting page refreshes itself so that
// the organizer's decision shows without the person doing anything.
func (w *Web) status(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	member, err := w.Circles.Store.IsMember(ctx, circle.ID, u.ID)
	if err == nil && member {
		c.Redirect(http.StatusSeeOther, circlePath(circle.ID))
		return
	}
	var q storage.JoinRequest
	if err == nil {
		q, err = w.latestRequest(ctx, u.ID, circle.ID)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	d := statusData{ID: circle.ID, Title: circle.Title, State: q.Status, ScanTime: when(q.ScanTime, circle.TimeZone), Reasons: sentences(q)}
	w.render(c, http.StatusOK, "circle_status", circle.Title, templates.Page{Data: d})
}

// latestRequest finds the person's most recent request to join the circle that did not end
// in membership.
func (w *Web) latestRequest(ctx context.Context, userID, circleID int64) (storage.JoinRequest, error) {
	var latest storage.JoinRequest
	for _, status := range []string{storage.RequestWaiting, storage.RequestDenied, storage.RequestRefused, storage.RequestLeft, storage.RequestRemoved} {
		qs, err := w.Circles.Store.RequestsOfUser(ctx, userID, status)
		if err != nil {
			return latest, err
		}
		for _, q := range qs {
			if q.CircleID == circleID && q.ID > latest.ID {
				latest = q
			}
		}
	}
	if latest.ID == 0 {
		return latest, problem.Errorf(problem.ENotFound, "You have not asked to join this circle. Scan its QR code to ask. / 您尚未申请加入该圈子，请扫码申请。")
	}
	return latest, nil
}

// sentences explains a request in English and Chinese. A refusal caused by someone's
// exclusion reads like any other "not available", naming nobody.
func sentences(q storage.JoinRequest) []string {
	if q.Status == storage.RequestDenied {
		return []string{"The organizer declined your request. / 组织者拒绝了您的申请。"}
	}
	var out []string
	for _, r := range q.Reasons {
		out = append(out, sentence(r))
	}
	if len(out) == 0 && q.Status == storage.RequestRefused {
		out = append(out, sentence(admission.ReasonExcluded))
	}
	return out
}

func sentence(r admission.Reason) string {
	en := admission.Describe(r, "en")
	first, n := utf8.DecodeRuneInString(en)
	return string(unicode.ToUpper(first)) + strings.TrimSuffix(en[n:], ".") + ". / " + admission.Describe(r, "zh")
}

// circleLink is one line of "my circles".
type circleLink struct {
	ID          int64
	Title, When string
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
	for _, q := range mine.Waiting {
		circle, err := w.Circles.Get(ctx, q.CircleID)
		if err != nil {
			w.fail(c, err)
			return
		}
		d.Waiting = append(d.Waiting, circleLink{circle.ID, circle.Title, when(q.ScanTime, circle.TimeZone)})
	}
	w.render(c, http.StatusOK, "my_circles", "My circles", templates.Page{Data: d})
}

func links(cs []storage.Circle) []circleLink {
	out := make([]circleLink, len(cs))
	for i, c := range cs {
		out[i] = circleLink{c.ID, c.Title, eventTime(c)}
	}
	return out
}
