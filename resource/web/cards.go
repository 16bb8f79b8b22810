package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/templates"
)

func (w *Web) mountCards(e *gin.Engine) {
	e.GET("/me/card", w.cardPage)
	e.POST("/me/card", w.cardSubmit)
	e.GET("/me/card/avatar", w.myAvatar)
	e.POST("/me/card/avatar", w.avatarSubmit)
	e.POST("/me/card/avatar/delete", w.avatarDelete)
	e.GET("/circles/:id/members.vcf", w.circleVCF)
	e.GET("/circles/:id/members.csv", w.circleCSV)
	e.GET("/circles/:id/members/:uid", w.memberVCF) // /circles/{id}/members/{uid}.vcf
	e.GET("/circles/:id/members/:uid/avatar", w.memberAvatar)
	e.POST("/circles/:id/members/:uid/deliver", w.deliverCard)
	e.POST("/circles/:id/members/:uid/request", w.requestCard)
}

// cardForm is the card form as typed, so that a rejected form comes back with the person's
// values in it. Phones and emails are one per line.
type cardForm struct {
	DisplayName, Title, Company, Phones, Emails, Address, Website, Note string
	HasAvatar                                                           bool
}

type cardPageData struct {
	Form cardForm
}

func readCardForm(c *gin.Context) cardForm {
	p := c.PostForm
	return cardForm{DisplayName: p("display_name"), Title: p("title"), Company: p("company"), Phones: p("phones"),
		Emails: p("emails"), Address: p("address"), Website: p("website"), Note: p("note")}
}

func cardFormOf(c cards.Card) cardForm {
	return cardForm{DisplayName: c.DisplayName, Title: c.Title, Company: c.Company, Phones: strings.Join(c.Phones, "\n"),
		Emails: strings.Join(c.Emails, "\n"), Address: c.Address, Website: c.Website, Note: c.Note, HasAvatar: c.HasAvatar}
}

func (f cardForm) card() cards.Card {
	return cards.Card{DisplayName: f.DisplayName, Title: f.Title, Company: f.Company, Phones: lines(f.Phones),
		Emails: lines(f.Emails), Address: strings.ReplaceAll(f.Address, "\r\n", "\n"), Website: f.Website,
		Note: strings.ReplaceAll(f.Note, "\r\n", "\n")}
}

// cardLabels name the card fields in the messages of cards.Clean, which speak of "phones[1]".
var cardLabels = []string{"display_name", "title", "company", "phones", "emails", "address", "website", "note", "avatar"}

var cardTitle = qrcircles.Say("card.title")

// cardPage shows the person's card to edit; someone without one starts from their name.
func (w *Web) cardPage(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	card, err := w.Cards.Card(c.Request.Context(), u.ID)
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		card, err = cards.Card{DisplayName: u.DisplayName}, nil
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	d := cardPageData{Form: cardFormOf(card)}
	w.render(c, http.StatusOK, "card_edit", cardTitle, templates.Page{Data: d})
}

func (w *Web) cardSubmit(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	form := readCardForm(c)
	err := w.formExpired(c)
	if err == nil {
		_, err = w.Cards.SaveCard(c.Request.Context(), u.ID, form.card())
	}
	if err != nil {
		form.HasAvatar = w.hasAvatar(c, u.ID)
		w.renderError(c, "card_edit", cardTitle, labelField(err, cardLabels), cardPageData{Form: form})
		return
	}
	goBack(c, "/me/card", "saved")
}

// hasAvatar says whether the person has a picture, for a form shown again after an error.
func (w *Web) hasAvatar(c *gin.Context, userID int64) bool {
	card, err := w.Cards.Card(c.Request.Context(), userID)
	return err == nil && card.HasAvatar
}

// avatarSubmit takes the picture from the form's "avatar" file.
func (w *Web) avatarSubmit(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	data, err := uploadedAvatar(c)
	if err == nil && w.formExpired(c) != nil {
		err = errExpiredForm
	}
	if err == nil {
		_, err = w.Cards.SaveAvatar(c.Request.Context(), u.ID, data)
	}
	w.afterAvatar(c, u.ID, err)
}

func (w *Web) avatarDelete(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	err := w.formExpired(c)
	if err == nil {
		err = w.Cards.RemoveAvatar(c.Request.Context(), u.ID)
	}
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		err = nil // no picture to remove: what was asked for is so
	}
	w.afterAvatar(c, u.ID, err)
}

// afterAvatar goes back to the card page, showing the stored card and err if there is one.
func (w *Web) afterAvatar(c *gin.Context, userID int64, err error) {
	if err == nil {
		goBack(c, "/me/card", "saved")
		return
	}
	card, cerr := w.Cards.Card(c.Request.Context(), userID)
	if cerr != nil && qrcircles.CodeOf(cerr) != qrcircles.ENotFound {
		err = cerr
	}
	w.renderError(c, "card_edit", cardTitle, labelField(err, cardLabels), cardPageData{Form: cardFormOf(card)})
}

func uploadedAvatar(c *gin.Context) ([]byte, error) {
	fh, err := c.FormFile("avatar")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, cards.AvatarTooLarge(err)
		}
		return nil, cards.AvatarError("cards.avatar_none", err)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, cards.MaxAvatarBytes+1))
}

// myAvatar shows the person their own picture.
func (w *Web) myAvatar(c *gin.Context) {
	u, ok := w.requireUser(c)
	if !ok {
		return
	}
	w.sendAvatar(c, u.ID, u.ID, 0)
}

// memberAvatar shows a member's picture to a viewer whose view of the card in this circle
// shows it.
func (w *Web) memberAvatar(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	uid, err := pathID(c, "uid")
	if err != nil {
		w.fail(c, err)
		return
	}
	w.sendAvatar(c, uid, u.ID, circle.ID)
}

func (w *Web) sendAvatar(c *gin.Context, owner, viewer, circleID int64) {
	e, err := w.Cards.EntryFor(c.Request.Context(), owner, viewer, circleID, true)
	if err == nil && e.Photo == nil {
		err = qrcircles.Fail(qrcircles.ENotFound, "cards.no_avatar")
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Data(http.StatusOK, e.Photo.ContentType, e.Photo.Data)
}

// memberVCF is "Save to phone": one member's card as a vCard with the fields the viewer may
// see in this circle.
func (w *Web) memberVCF(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	raw, isVCF := strings.CutSuffix(c.Param("uid"), ".vcf")
	uid, err := parseID(raw)
	if err == nil && !isVCF {
		err = errNoPage
	}
	var e cards.Entry
	if err == nil {
		e, err = w.Cards.EntryFor(c.Request.Context(), uid, u.ID, circle.ID, true)
	}
	w.sendVCards(c, "card-"+raw+".vcf", []cards.Entry{e}, err)
}

// circleVCF is every member's card the viewer may see, as one vCard file.
func (w *Web) circleVCF(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	es, _, err := w.Cards.CircleCards(c.Request.Context(), u.ID, circle.ID, true)
	w.sendVCards(c, "circle-members.vcf", es, err)
}

// circleCSV is the organizer's export of the members, each card as a member may see it.
func (w *Web) circleCSV(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	es, _, err := w.Cards.CircleCards(c.Request.Context(), u.ID, circle.ID, false)
	var buf bytes.Buffer
	if err == nil {
		err = cards.WriteCSV(&buf, es)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="circle-members.csv"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (w *Web) sendVCards(c *gin.Context, filename string, es []cards.Entry, err error) {
	v, verr := cards.ParseVersion(c.Query("version"))
	if err == nil {
		err = verr
	}
	var buf bytes.Buffer
	if err == nil {
		err = cards.WriteVCards(&buf, v, es)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, cards.MediaType, buf.Bytes())
}

func (w *Web) deliverCard(c *gin.Context) {
	w.exchange(c, func(c *gin.Context, from, to int64) (string, error) {
		outcome, _, err := w.Cards.DeliverCard(c.Request.Context(), from, to)
		return outcome, err
	})
}

func (w *Web) requestCard(c *gin.Context) {
	w.exchange(c, func(c *gin.Context, from, to int64) (string, error) {
		_, err := w.Cards.RequestCard(c.Request.Context(), from, to)
		return "requested", err
	})
}

// exchange is the one shape of the card buttons: check, act, back to the member on the page.
func (w *Web) exchange(c *gin.Context, act func(c *gin.Context, from, to int64) (string, error)) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	uid, err := pathID(c, "uid")
	if err == nil && w.formExpired(c) != nil {
		err = errExpiredForm
	}
	done := ""
	if err == nil {
		done, err = act(c, u.ID, uid)
	}
	if err != nil {
		w.renderView(c, u.ID, circle, err)
		return
	}
	goBack(c, circlePath(circle.ID), done)
}
