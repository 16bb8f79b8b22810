package web

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/circles"
	"qrcircles/templates"
)

// editData is the page that creates a circle (Circle nil) or manages one.
type editData struct {
	Action string
	Form   circleForm
	Circle *manageData
}

// manageData is what the organizer sees of an existing circle besides the form.
type manageData struct {
	ID            int64
	Code, URL     string
	Sizes         []int
	AllowlistSize int
	AllowlistText string
	Members       int
	Queue         queueData
	People        membersData
	Funnel        funnelView
	Notice        qrcircles.Words
	Expected      int // the organizer's expected attendance; 0: not set
	SMSBudget     int // the codes a day sign-ins from the circle's page may use
}

type requestView struct {
	ID       int64
	Name     string
	ScanTime qrcircles.Words
	Reasons  []qrcircles.Words // what each failed rule saw (circles.Explain)
}

func (w *Web) newForm(c *gin.Context) {
	if _, ok := w.requireUser(c); !ok {
		return
	}
	d := editData{Action: "/circles/new", Form: circleForm{TimeZone: "Asia/Shanghai", Mode: "rules"}}
	w.render(c, http.StatusOK, "circle_edit", qrcircles.Say("edit.new_title"), templates.Page{Data: d})
}

func (w *Web) newSubmit(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	form := readForm(c)
	form.Status = ""
	in, err := form.input()
	if err == nil {
		err = w.formExpired(c)
	}
	var circle qrcircles.Circle
	if err == nil {
		circle, err = w.Circles.Create(c.Request.Context(), u.ID, in)
	}
	err = labeled(err)
	if err != nil {
		w.renderError(c, "circle_edit", qrcircles.Say("edit.new_title"), err, editData{Action: "/circles/new", Form: form})
		return
	}
	c.Redirect(http.StatusSeeOther, circlePath(circle.ID)+"/manage")
}

// manage is the organizer's page: QR code, share link, rules, allowlist, review queue,
// members, announcements and the join funnel.
func (w *Web) manage(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	w.renderManage(c, u, circle, formOf(circle), "", doneNotice(c), nil)
}

// renderManage shows the manage page, with err (if any) above it and its status.
func (w *Web) renderManage(c *gin.Context, u qrcircles.User, circle qrcircles.Circle, form circleForm, pasted string, notice qrcircles.Words, err error) {
	ctx, lang := c.Request.Context(), templates.Negotiate(c.Request)
	m := &manageData{ID: circle.ID, Code: circle.Code, URL: w.Circles.URL(circle), Sizes: []int{512, 1024, 2048},
		AllowlistSize: circle.AllowlistSize, AllowlistText: pasted, Notice: notice}
	members, lerr := w.Circles.Members(ctx, u.ID, circle.ID)
	if lerr == nil {
		m.Members = len(members)
		m.People = peopleOf(members, c.Query("q"))
		m.Queue, lerr = w.queue(ctx, u.ID, circle, len(members), readFilter(c.Query), lang)
	}
	if lerr == nil {
		m.Funnel, lerr = w.funnel(ctx, u.ID, circle.ID)
	}
	if lerr == nil {
		m.Expected, m.SMSBudget, lerr = w.smsBudget(c.Request.Context(), circle.ID)
	}
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	d := editData{Action: circlePath(circle.ID) + "/manage", Form: form, Circle: m}
	p, status := templates.Page{Data: d}, http.StatusOK
	if err != nil {
		p.Error, status = w.pageError(c, "manage page", err)
	}
	w.render(c, status, "circle_edit", qrcircles.Say("title.manage", circle.Title), p)
}

// editSubmit saves the rules; waiting requests that now pass are admitted.
func (w *Web) editSubmit(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	form := readForm(c)
	in, err := form.input()
	if err == nil {
		err = w.formExpired(c)
	}
	admitted := 0
	if err == nil {
		_, admitted, err = w.Circles.Update(c.Request.Context(), u.ID, circle.ID, in)
	}
	if err = labeled(err); err != nil {
		w.renderManage(c, u, circle, form, "", qrcircles.Words{}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/manage?admitted=%d", circlePath(circle.ID), admitted))
}

// maxAllowlistUpload bounds an allowlist upload: 10,000 numbers fit easily.
const maxAllowlistUpload = 1 << 20

// allowlistSubmit replaces the invitee allowlist from an uploaded CSV file or pasted text.
func (w *Web) allowlistSubmit(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxAllowlistUpload)
	pasted := c.PostForm("allowlist")
	text, err := uploadedText(c, pasted)
	phones := circles.ParseAllowlistCSV(text)
	if err == nil && len(phones) == 0 {
		err = qrcircles.Fail(qrcircles.EInvalid, "web.no_phones").WithField("allowlist")
	}
	if err == nil {
		err = w.formExpired(c)
	}
	admitted := 0
	if err == nil {
		_, admitted, err = w.Circles.Update(c.Request.Context(), u.ID, circle.ID, circles.Input{Allowlist: &phones})
	}
	if err != nil {
		w.renderManage(c, u, circle, formOf(circle), pasted, qrcircles.Words{}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/manage?admitted=%d", circlePath(circle.ID), admitted))
}

// uploadedText is the uploaded file's text when there is one, else the pasted text.
func uploadedText(c *gin.Context, pasted string) (string, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return pasted, nil // no file chosen
	}
	f, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxAllowlistUpload))
	return string(b), err
}

func (w *Web) approve(c *gin.Context) {
	w.decide(c, "approved", func(ctx context.Context, actor, circleID, requestID int64) error {
		return notAdmitted(w.Circles.Approve(ctx, actor, circleID, requestID))
	})
}

func (w *Web) deny(c *gin.Context) {
	w.decide(c, "declined", func(ctx context.Context, actor, circleID, requestID int64) error {
		_, err := w.Circles.Deny(ctx, actor, circleID, requestID)
		return err
	})
}

// decide is the one shape of the review buttons: the request in the path, then act.
func (w *Web) decide(c *gin.Context, done string, act func(ctx context.Context, actor, circleID, requestID int64) error) {
	w.act(c, "/manage?done="+done+"#queue", w.manageAgain, func(ctx context.Context, actor int64, circle qrcircles.Circle) error {
		rid, err := pathID(c, "rid")
		if err != nil {
			return err
		}
		return act(ctx, actor, circle.ID, rid)
	})
}
