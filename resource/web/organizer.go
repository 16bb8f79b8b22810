package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/circles"
	"qrcircles/storage"
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
	Requests      []requestView
	Notice        string
	Expected      int // the organizer's expected attendance; 0: not set
	SMSBudget     int // the codes a day sign-ins from the circle's page may use
}

type requestView struct {
	ID             int64
	Name, ScanTime string
	Reasons        []string
}

func (w *Web) newForm(c *gin.Context) {
	if _, ok := w.requireUser(c); !ok {
		return
	}
	d := editData{Action: "/circles/new", Form: circleForm{TimeZone: "Asia/Shanghai", Mode: "rules"}}
	w.render(c, http.StatusOK, "circle_edit", "New circle", templates.Page{Data: d})
}

func (w *Web) newSubmit(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	form := readForm(c)
	form.Status = ""
	in, err := form.input()
	if err == nil && !w.Auth.CheckCSRF(c) {
		err = errExpiredForm
	}
	var circle storage.Circle
	if err == nil {
		circle, err = w.Circles.Create(c.Request.Context(), u.ID, in)
	}
	err = labeled(err)
	if err != nil {
		w.renderError(c, "circle_edit", "New circle", err, editData{Action: "/circles/new", Form: form})
		return
	}
	c.Redirect(http.StatusSeeOther, circlePath(circle.ID)+"/manage")
}

// manage is the organizer's page: QR code, share link, rules, allowlist and review queue.
func (w *Web) manage(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	notice := ""
	if n, err := strconv.Atoi(c.Query("admitted")); err == nil && n >= 0 {
		notice = fmt.Sprintf("Saved. %d waiting requests were admitted. / 已保存，%d 个等待中的申请已通过。", n, n)
	}
	w.renderManage(c, u, circle, formOf(circle), "", notice, nil)
}

// renderManage shows the manage page, with err (if any) above it and its status.
func (w *Web) renderManage(c *gin.Context, u storage.User, circle storage.Circle, form circleForm, pasted, notice string, err error) {
	m := &manageData{ID: circle.ID, Code: circle.Code, URL: w.Circles.URL(circle), Sizes: []int{512, 1024, 2048},
		AllowlistSize: circle.AllowlistSize, AllowlistText: pasted, Notice: notice}
	reqs, lerr := w.reviewQueue(c.Request.Context(), u.ID, circle)
	var members []storage.Member
	if lerr == nil {
		members, lerr = w.Circles.Members(c.Request.Context(), u.ID, circle.ID)
	}
	if lerr == nil {
		m.Expected, m.SMSBudget, lerr = w.smsBudget(c.Request.Context(), circle.ID)
	}
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	m.Requests, m.Members = reqs, len(members)
	d := editData{Action: circlePath(circle.ID) + "/manage", Form: form, Circle: m}
	p, status := templates.Page{Data: d}, http.StatusOK
	if err != nil {
		p.Error, status = w.pageError(c, "manage page", err)
	}
	w.render(c, status, "circle_edit", "Manage: "+circle.Title, p)
}

// reviewQueue lists the waiting requests with the applicants' names and reasons.
func (w *Web) reviewQueue(ctx context.Context, actor int64, circle storage.Circle) ([]requestView, error) {
	qs, err := w.Circles.Requests(ctx, actor, circle.ID)
	if err != nil {
		return nil, err
	}
	out := make([]requestView, len(qs))
	for i, q := range qs {
		applicant, err := w.Circles.Store.User(ctx, q.UserID)
		if err != nil {
			return nil, err
		}
		out[i] = requestView{ID: q.ID, Name: applicant.DisplayName, ScanTime: when(q.ScanTime, circle.TimeZone), Reasons: sentences(q)}
	}
	return out, nil
}

// editSubmit saves the rules; waiting requests that now pass are admitted.
func (w *Web) editSubmit(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	form := readForm(c)
	in, err := form.input()
	if err == nil && !w.Auth.CheckCSRF(c) {
		err = errExpiredForm
	}
	admitted := 0
	if err == nil {
		_, admitted, err = w.Circles.Update(c.Request.Context(), u.ID, circle.ID, in)
	}
	if err = labeled(err); err != nil {
		w.renderManage(c, u, circle, form, "", "", err)
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
		err = qrcircles.Invalid("allowlist", "No phone numbers found: put one number per line, or in the first column of the CSV. / 未找到手机号。")
	}
	if err == nil && !w.Auth.CheckCSRF(c) {
		err = errExpiredForm
	}
	admitted := 0
	if err == nil {
		_, admitted, err = w.Circles.Update(c.Request.Context(), u.ID, circle.ID, circles.Input{Allowlist: &phones})
	}
	if err != nil {
		w.renderManage(c, u, circle, formOf(circle), pasted, "", err)
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
	w.decide(c, func(ctx context.Context, actor, circleID, requestID int64) error {
		out, err := w.Circles.Approve(ctx, actor, circleID, requestID)
		if err == nil && !out.Member {
			err = qrcircles.Errorf(qrcircles.EConflict, "This person could not be admitted: %s", sentences(out.Request)[0])
		}
		return err
	})
}

func (w *Web) deny(c *gin.Context) {
	w.decide(c, func(ctx context.Context, actor, circleID, requestID int64) error {
		_, err := w.Circles.Deny(ctx, actor, circleID, requestID)
		return err
	})
}

// decide is the one shape of the review buttons: check, act, back to the manage page.
func (w *Web) decide(c *gin.Context, act func(ctx context.Context, actor, circleID, requestID int64) error) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	rid, err := pathID(c, "rid")
	if err == nil && !w.Auth.CheckCSRF(c) {
		err = errExpiredForm
	}
	if err == nil {
		err = act(c.Request.Context(), u.ID, circle.ID, rid)
	}
	if err != nil {
		w.renderManage(c, u, circle, formOf(circle), "", "", err)
		return
	}
	c.Redirect(http.StatusSeeOther, circlePath(circle.ID)+"/manage")
}
