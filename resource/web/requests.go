package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/templates"
)

// Card requests where they happen: the cards delivered to a person or asked of them wait in
// the navigation's badge, on the page of all of them, and on the page of the circle they share
// with the sender. Each is answered in place with the card service's one DecideCardRequest,
// the API's too.

func (w *Web) mountRequests(e *gin.Engine) {
	e.GET("/me/requests", w.requestsPage)
	e.POST("/me/requests/:rid/:answer", w.requestAnswer)
}

// requestsForm is the id of the list of requests on every page that shows it: a request
// answered is gone from the list, so its answer shows at the list.
const requestsForm = "card-requests"

// cardRequestView is one card waiting for the person's answer.
type cardRequestView struct {
	ID         int64
	Name, Kind string // Kind: qrcircles.CardDeliver or qrcircles.CardAsk
}

type requestsData struct {
	Requests []cardRequestView
	Back     string // where the answer goes back to: this page
}

var requestsTitle = qrcircles.Say("title.card_requests")

func (w *Web) requestsPage(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	w.renderRequests(c, u.ID, nil)
}

func (w *Web) renderRequests(c *gin.Context, userID int64, err error) {
	in, lerr := w.incomingCardRequests(c.Request.Context(), userID, nil)
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	p, status := templates.Page{Data: requestsData{Requests: in, Back: "/me/requests"}}, http.StatusOK
	if err != nil {
		p.Error, status = w.pageError(c, "card requests page", err)
	}
	w.render(c, status, "card_requests", requestsTitle, p)
}

// requestAnswer accepts or declines a card delivered or requested by someone, and goes back to
// the page it was answered on (the list, or a circle's page).
func (w *Web) requestAnswer(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	rid, err := pathID(c, "rid")
	done, known := answers[c.Param("answer")]
	if err == nil && !known {
		err = errNoPage
	}
	if err == nil {
		err = w.formExpired(c)
	}
	if err == nil {
		_, err = w.Cards.DecideCardRequest(c.Request.Context(), u.ID, rid, done == "accepted")
	}
	back := backTo(c.PostForm("back"))
	if err != nil {
		w.answerFailed(c, u.ID, back, err)
		return
	}
	goBack(c, back, done)
}

// answers are the answers to a card request, by their path, with the outcome each is done as.
var answers = map[string]string{"accept": "accepted", "decline": "declined"}

// backPages are the pages a card request is answered on.
var backPages = regexp.MustCompile(`^/(me/requests|circles/[1-9][0-9]{0,18})$`)

// backTo is the page to go back to, the list of requests unless back is another such page.
func backTo(back string) string {
	if !backPages.MatchString(back) {
		return "/me/requests"
	}
	return back
}

// answerFailed shows the page the answer was given on again, with err at its list.
func (w *Web) answerFailed(c *gin.Context, userID int64, back string, err error) {
	id, found := strings.CutPrefix(back, "/circles/")
	if !found {
		w.renderRequests(c, userID, err)
		return
	}
	circleID, perr := parseID(id)
	var circle qrcircles.Circle
	if perr == nil {
		circle, perr = w.Circles.Get(c.Request.Context(), circleID)
	}
	if perr != nil {
		w.fail(c, perr)
		return
	}
	w.renderView(c, userID, circle, err)
}

// incomingCardRequests lists the requests waiting for userID's answer; with from, only those
// of the people in it (a circle's members).
func (w *Web) incomingCardRequests(ctx context.Context, userID int64, from map[int64]bool) ([]cardRequestView, error) {
	in, _, err := w.Cards.CardRequests(ctx, userID, qrcircles.CardWaiting)
	if err != nil {
		return nil, err
	}
	out := []cardRequestView{}
	for _, q := range in {
		if from != nil && !from[q.FromID] {
			continue
		}
		sender, err := w.Circles.User(ctx, q.FromID)
		if err != nil {
			return nil, err
		}
		out = append(out, cardRequestView{ID: q.ID, Name: sender.DisplayName, Kind: q.Kind})
	}
	return out, nil
}

// BadgeCounts are what the navigation's badges count: the card service's waiting requests and
// the message service's unread messages.
type BadgeCounts struct {
	Cards interface {
		CardRequests(ctx context.Context, userID int64, status string) (incoming, outgoing []qrcircles.CardRequest, err error)
	}
	Messages interface {
		Unread(ctx context.Context, userID int64) (int, error)
	}
}

// WithBadges puts into the navigation's viewer what waits for their answer: card requests and
// unread messages. A count that cannot be read shows no badge: the page itself still works.
func WithBadges(ctx context.Context, counts BadgeCounts, viewer templates.ViewerFunc) templates.ViewerFunc {
	return func() (templates.Viewer, bool) {
		v, ok := viewer()
		if !ok || v.UserID == 0 {
			return v, ok
		}
		if in, _, err := counts.Cards.CardRequests(ctx, v.UserID, qrcircles.CardWaiting); err == nil {
			v.CardRequests = len(in)
		}
		v.Unread, _ = counts.Messages.Unread(ctx, v.UserID)
		return v, ok
	}
}
