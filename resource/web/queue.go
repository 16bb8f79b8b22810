package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/circles"
	"qrcircles/templates"
)

// The review queue: waiting requests with the organizer's reasons, counts per reason, a
// filter for approve-all and deny-all, and the declined requests that can be re-opened.

// reasonOrder is the order of the per-reason counts and of the filter's choices.
var reasonOrder = []qrcircles.Reason{qrcircles.ReasonNotOnSite, qrcircles.ReasonBeforeWindow, qrcircles.ReasonAfterWindow,
	qrcircles.ReasonNotInRange, qrcircles.ReasonCapReached, qrcircles.ReasonReview}

// reasonCount is one reason with how many waiting requests have it.
type reasonCount struct {
	Code     qrcircles.Reason
	N        int
	Selected bool
}

// queueFilter is the filter as typed: a reason code and datetime-local bounds of the scan
// time, in the circle's time zone.
type queueFilter struct {
	Reason, From, To string
}

func readFilter(get func(string) string) queueFilter {
	return queueFilter{Reason: get("reason"), From: get("from"), To: get("to")}
}

// Active reports whether the filter picks fewer than all requests.
func (f queueFilter) Active() bool { return f.Reason != "" || f.From != "" || f.To != "" }

// parse turns the typed filter into the service's; bad times are the organizer's to fix.
func (f queueFilter) parse(zone string) (circles.Filter, error) {
	out := circles.Filter{Reason: qrcircles.Reason(f.Reason)}
	loc := templates.Location(zone)
	var err error
	if out.From, err = parseLocal(f.From, loc); err == nil {
		out.To, err = parseLocal(f.To, loc)
	}
	if err != nil {
		return out, qrcircles.Fail(qrcircles.EInvalid, "web.filter_times").WithField("from")
	}
	return out, nil
}

// query is the filter as the manage page's query string.
func (f queueFilter) query() string {
	v := url.Values{}
	for k, s := range map[string]string{"reason": f.Reason, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

// queueData is the queue part of the manage page.
type queueData struct {
	Waiting  int // all waiting requests, whatever the filter
	Requests []requestView
	Counts   []reasonCount
	Filter   queueFilter
	Declined []requestView
}

// queue reads the waiting and declined requests and explains them in lang.
func (w *Web) queue(ctx context.Context, actor int64, circle qrcircles.Circle, members int, f queueFilter, lang string) (queueData, error) {
	d := queueData{Filter: f}
	waiting, err := w.Circles.Requests(ctx, actor, circle.ID)
	if err != nil {
		return d, err
	}
	declined, err := w.Circles.Declined(ctx, actor, circle.ID)
	if err != nil {
		return d, err
	}
	d.Waiting, d.Counts = len(waiting), countReasons(waiting, f.Reason)
	picked := waiting
	if filter, ferr := f.parse(circle.TimeZone); ferr == nil {
		picked = slices.DeleteFunc(slices.Clone(waiting), func(q qrcircles.JoinRequest) bool { return !filter.Match(q) })
	}
	if d.Requests, err = w.requestViews(ctx, circle, picked, members, lang); err != nil {
		return d, err
	}
	d.Declined, err = w.requestViews(ctx, circle, declined, members, lang)
	return d, err
}

func countReasons(qs []qrcircles.JoinRequest, selected string) []reasonCount {
	var out []reasonCount
	for _, r := range reasonOrder {
		n := 0
		for _, q := range qs {
			if slices.Contains(q.Reasons, r) {
				n++
			}
		}
		if n > 0 || string(r) == selected {
			out = append(out, reasonCount{Code: r, N: n, Selected: string(r) == selected})
		}
	}
	return out
}

// requestViews shows requests with the applicants' names and the organizer's reasons.
func (w *Web) requestViews(ctx context.Context, circle qrcircles.Circle, qs []qrcircles.JoinRequest, members int, lang string) ([]requestView, error) {
	out := make([]requestView, len(qs))
	for i, q := range qs {
		applicant, err := w.Circles.Store.User(ctx, q.UserID)
		if err != nil {
			return nil, err
		}
		out[i] = requestView{ID: q.ID, Name: applicant.DisplayName, ScanTime: when(q.ScanTime, circle.TimeZone),
			Reasons: circles.Explain(circle, q, members)}
	}
	return out, nil
}

// reopen puts a declined request back in the queue.
func (w *Web) reopen(c *gin.Context) {
	w.decide(c, "reopened", func(ctx context.Context, actor, circleID, requestID int64) error {
		_, err := w.Circles.Reopen(ctx, actor, circleID, requestID)
		return err
	})
}

// approveAnyway admits a declined request.
func (w *Web) approveAnyway(c *gin.Context) {
	w.decide(c, "approved", func(ctx context.Context, actor, circleID, requestID int64) error {
		return notAdmitted(w.Circles.ApproveAnyway(ctx, actor, circleID, requestID))
	})
}

// notAdmitted turns an approval that could not admit (the cap) into the organizer's message.
func notAdmitted(out qrcircles.JoinOutcome, err error) error {
	if err == nil && !out.Member {
		err = qrcircles.Fail(qrcircles.EConflict, "web.not_admitted", sentences(out.Request)[0])
	}
	return err
}

// bulk approves or declines every waiting request the filter picks.
func (w *Web) bulk(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	f := readFilter(c.PostForm)
	approve := c.PostForm("action") == "approve"
	filter, err := f.parse(circle.TimeZone)
	if err == nil {
		err = w.formExpired(c)
	}
	var b circles.Bulk
	if err == nil {
		b, err = w.Circles.DecideAll(c.Request.Context(), u.ID, circle.ID, filter, approve)
	}
	if err != nil {
		w.renderManage(c, u, circle, formOf(circle), "", qrcircles.Words{}, err)
		return
	}
	done := "bulk_denied"
	if approve {
		done = "bulk_approved"
	}
	back := fmt.Sprintf("%s/manage?done=%s&n=%d&of=%d", circlePath(circle.ID), done, b.Done, b.Matched)
	if q := f.query(); q != "" {
		back += "&" + q
	}
	c.Redirect(http.StatusSeeOther, back+"#queue")
}

// doneNotice is the notice after an organizer's action, from the manage page's query.
func doneNotice(c *gin.Context) qrcircles.Words {
	n, _ := strconv.Atoi(c.Query("n"))
	of, _ := strconv.Atoi(c.Query("of"))
	switch done := c.Query("done"); done {
	case "bulk_approved", "bulk_denied":
		return qrcircles.Say("queue.notice_"+done, n, of)
	case "declined", "reopened", "approved", "removed", "announced":
		return qrcircles.Say("queue.notice_" + done)
	}
	if a, err := strconv.Atoi(c.Query("admitted")); err == nil && a >= 0 {
		return qrcircles.Say("queue.notice_saved", a)
	}
	return qrcircles.Words{}
}
