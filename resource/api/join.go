package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/admission"
	"qrcircles/resource/bearer"
	"qrcircles/resource/server"
)

// requestJSON is a join request as its applicant or organizer sees it.
type requestJSON struct {
	ID        int64        `json:"id"`
	CircleID  int64        `json:"circle_id"`
	UserID    int64        `json:"user_id"`
	Status    string       `json:"status"`
	ScanTime  string       `json:"scan_time"`
	Reasons   []reasonJSON `json:"reasons"`
	DecidedBy int64        `json:"decided_by,omitempty"`
	DecidedAt string       `json:"decided_at,omitempty"`
}

type reasonJSON struct {
	Code    qrcircles.Reason `json:"code"`
	Message string           `json:"message"`
}

func toRequestJSON(q qrcircles.JoinRequest, lang string) requestJSON {
	out := requestJSON{ID: q.ID, CircleID: q.CircleID, UserID: q.UserID, Status: q.Status, ScanTime: rfc3339(q.ScanTime),
		Reasons: []reasonJSON{}, DecidedBy: q.DecidedBy, DecidedAt: rfc3339(q.DecidedAt)}
	for _, r := range q.Reasons {
		out.Reasons = append(out.Reasons, reasonJSON{r, admission.Describe(r).In(lang)})
	}
	return out
}

// join takes a scan session for this circle: 200 joined, 202 waiting, 403 refused, 404
// unknown, 410 closed. A repeat gives the same answer and makes no second membership.
func (a *API) join(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	circle, err := a.Circles.ForJoin(ctx, id)
	if err != nil {
		server.Problem(c, err)
		return
	}
	p := bearer.Principal(c) // a scan session for this circle: the route lets no other token in
	u, ok := a.scanUser(c)
	if !ok {
		return
	}
	out, err := a.Circles.JoinCircle(ctx, u, circle, p.ScanTime)
	a.count(out, err)
	if err != nil {
		server.Problem(c, err)
		return
	}
	lang := langOf(c)
	switch {
	case out.Member:
		c.JSON(http.StatusOK, gin.H{"status": "joined", "request": toRequestJSON(out.Request, lang)})
	case out.Request.Status == qrcircles.RequestWaiting:
		c.JSON(http.StatusAccepted, gin.H{"status": "waiting", "request": toRequestJSON(out.Request, lang)})
	default:
		why := refusal(out.Request)
		server.Problem(c, qrcircles.Fail(qrcircles.EForbidden, why.Key, why.Args...))
	}
}

// myRequest is the caller's own request to join the circle, whatever became of it: an
// applicant, or the scan session they joined with, follows it here.
func (a *API) myRequest(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	q, err := a.Circles.RequestOf(c.Request.Context(), bearer.UserID(c), id)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"request": toRequestJSON(q, langOf(c))})
}

// count tells Joined how a join ended.
func (a *API) count(out qrcircles.JoinOutcome, err error) {
	if a.Joined == nil {
		return
	}
	switch {
	case err != nil:
		a.Joined("error")
	case out.Member:
		a.Joined("joined")
	case out.Request.Status == qrcircles.RequestWaiting:
		a.Joined("waiting")
	default:
		a.Joined("refused")
	}
}

// scanUser is the person of a scan session. The session carries the verified phone, which
// is all a join needs of them, so the hot path skips loading the person.
func (a *API) scanUser(c *gin.Context) (qrcircles.User, bool) {
	p := bearer.Principal(c)
	if id, ok := p.UserID(); ok && p.Phone != "" {
		return qrcircles.User{ID: id, Phone: p.Phone}, true
	}
	return a.user(c)
}

// refusal explains a refusal without saying who caused it.
func refusal(q qrcircles.JoinRequest) qrcircles.Words {
	if q.Status == qrcircles.RequestDenied {
		return qrcircles.Say("circles.declined")
	}
	for _, r := range q.Reasons {
		return admission.Describe(r)
	}
	return admission.Describe(qrcircles.ReasonExcluded)
}

// langOf is the language of the messages in a JSON answer: Chinese for a caller whose
// Accept-Language starts with zh ("zh", "zh-CN", "zh-Hans"), English for any other. A
// problem's detail stays English whatever it asks.
func langOf(c *gin.Context) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(c.GetHeader("Accept-Language"))), "zh") {
		return qrcircles.LangChinese
	}
	return qrcircles.LangEnglish
}

func (a *API) requests(c *gin.Context) {
	u, id, ok := a.userAndCircle(c)
	if !ok {
		return
	}
	qs, err := a.Circles.Requests(c.Request.Context(), u.ID, id)
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]requestJSON, len(qs))
	for i, q := range qs {
		out[i] = toRequestJSON(q, langOf(c))
	}
	c.JSON(http.StatusOK, gin.H{"requests": out})
}

func (a *API) approve(c *gin.Context) { a.decide(c, true) }
func (a *API) deny(c *gin.Context)    { a.decide(c, false) }

func (a *API) decide(c *gin.Context, approve bool) {
	u, ok := a.user(c)
	if !ok {
		return
	}
	id, ok1 := server.PathID(c, "id")
	rid, ok2 := server.PathID(c, "rid")
	if !ok1 || !ok2 {
		return
	}
	var q qrcircles.JoinRequest
	var err error
	if approve {
		var out qrcircles.JoinOutcome
		out, err = a.Circles.Approve(c.Request.Context(), u.ID, id, rid)
		q = out.Request
	} else {
		q, err = a.Circles.Deny(c.Request.Context(), u.ID, id, rid)
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"request": toRequestJSON(q, langOf(c))})
}

type memberJSON struct {
	UserID      int64  `json:"user_id"`
	DisplayName string `json:"display_name"`
	JoinedAt    string `json:"joined_at"`
}

func (a *API) members(c *gin.Context) {
	u, id, ok := a.userAndCircle(c)
	if !ok {
		return
	}
	ms, err := a.Circles.Members(c.Request.Context(), u.ID, id)
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]memberJSON, len(ms))
	for i, m := range ms {
		out[i] = memberJSON{m.UserID, m.DisplayName, m.JoinedAt.UTC().Format(time.RFC3339)}
	}
	c.JSON(http.StatusOK, gin.H{"members": out})
}

func (a *API) leave(c *gin.Context) {
	u, id, ok := a.userAndCircle(c)
	if !ok {
		return
	}
	if err := a.Circles.Leave(c.Request.Context(), u.ID, id); err != nil {
		server.Problem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *API) removeMember(c *gin.Context) {
	u, ok := a.user(c)
	if !ok {
		return
	}
	id, ok1 := server.PathID(c, "id")
	uid, ok2 := server.PathID(c, "uid")
	if !ok1 || !ok2 {
		return
	}
	if err := a.Circles.Remove(c.Request.Context(), u.ID, id, uid); err != nil {
		server.Problem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
