package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/templates"
)

// "You're in": where admission lands, once per circle. The new member's card form comes
// filled with their name and the phone they signed in with, beside what this circle's
// members see of the card and the choice to change it; saving both goes on to the circle,
// and so does putting it off. Either ends the welcome: a later scan opens the circle.

func (w *Web) mountWelcome(e *gin.Engine) {
	e.GET("/circles/:id/welcome", w.welcome)
	e.POST("/circles/:id/welcome", w.welcomeSubmit)
	e.POST("/circles/:id/welcome/later", w.welcomeLater)
}

// welcomeData is the welcome of one circle.
type welcomeData struct {
	ID         int64
	Title      string
	Form       cardForm
	Visibility visibilityChoice // the choice in the form
	SeesNow    []string         // the fields the circle's members see now
}

func welcomePath(circleID int64) string { return circlePath(circleID) + "/welcome" }

// welcome shows the welcome to a member who has not answered it; everyone else goes on to
// the circle (or to their request, if they are not a member).
func (w *Web) welcome(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	done, err := w.Cards.Welcomed(ctx, u.ID, circle.ID)
	switch {
	case qrcircles.CodeOf(err) == qrcircles.ENotFound:
		c.Redirect(http.StatusSeeOther, circlePath(circle.ID)+"/status")
		return
	case err != nil:
		w.fail(c, err)
		return
	case done:
		c.Redirect(http.StatusSeeOther, circlePath(circle.ID))
		return
	}
	card, err := w.Cards.Card(ctx, u.ID)
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		card, err = cards.Card{DisplayName: u.DisplayName}, nil
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	if len(card.Phones) == 0 && u.Phone != "" {
		card.Phones = []string{u.Phone} // verified by the sign-in's code
	}
	w.renderWelcome(c, u, circle, cardFormOf(card), nil, false, nil)
}

// welcomeSubmit saves the card and the circle's choice together, then opens the circle.
func (w *Web) welcomeSubmit(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	form := readCardForm(c)
	fs, err := readVisibility(c, true)
	if err == nil {
		err = w.formExpired(c)
	}
	if err == nil {
		_, err = w.Cards.Welcome(c.Request.Context(), u.ID, circle.ID, form.card(), fs)
	}
	if err != nil {
		form.HasAvatar = w.hasAvatar(c, u.ID)
		w.renderWelcome(c, u, circle, form, fs, true, labelField(err, cardLabels))
		return
	}
	c.Redirect(http.StatusSeeOther, circlePath(circle.ID))
}

// welcomeLater ends the welcome unanswered: the card page stays in the navigation.
func (w *Web) welcomeLater(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	err := w.formExpired(c)
	if err == nil {
		err = w.Cards.PutOffWelcome(c.Request.Context(), u.ID, circle.ID)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, circlePath(circle.ID))
}

// renderWelcome shows the welcome with form, and the circle's choice: the stored one, or
// chosen (nil: the default) when the form came back with err.
func (w *Web) renderWelcome(c *gin.Context, u qrcircles.User, circle qrcircles.Circle, form cardForm, chosen *cards.FieldSet, kept bool, err error) {
	s, serr := w.Cards.Settings(c.Request.Context(), u.ID)
	if serr != nil {
		w.fail(c, serr)
		return
	}
	inCircle := cards.Relation{Kind: cards.Member, CircleID: circle.ID}
	d := welcomeData{ID: circle.ID, Title: circle.Title, Form: form, SeesNow: cards.VisibleFields(s, inCircle).Names()}
	_, stored := s.Circles[circle.ID]
	d.Visibility = choiceOf(s.ForCircle(circle.ID), !stored)
	if kept {
		d.Visibility = keptChoice(chosen, s.Default)
	}
	p, status := templates.Page{Data: d}, http.StatusOK
	if err != nil {
		p.Error, status = w.pageError(c, "welcome page", err)
	}
	w.render(c, status, "welcome", qrcircles.Say("title.welcome", circle.Title), p)
}

// keptChoice is the choice a rejected form made: fields, or the default when nil.
func keptChoice(fields *cards.FieldSet, def cards.FieldSet) visibilityChoice {
	if fields == nil {
		return choiceOf(def, true)
	}
	return choiceOf(*fields, false)
}
